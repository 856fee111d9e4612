//! Machine tags: List/Get/Add/Replace/Delete (cloudapi.md §4.10). Changes are asynchronous.

use super::{account_path, require_name, require_uuid, scalar_map};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;

/// Tag names CloudAPI drops from AddMachineTags/ReplaceMachineTags.
const RESERVED_TAGS: &[&str] = &[
    "account",
    "machine",
    "uuid",
    "owner_uuid",
    "context",
    "image",
];

fn tag_path(account: &str, machine: &str, tag: Option<&str>) -> Result<String, Error> {
    let m = require_uuid("machine id", machine)?;
    match tag {
        Some(t) => account_path(
            account,
            &["machines", m, "tags", require_name("tag name", t)?],
        ),
        None => account_path(account, &["machines", m, "tags"]),
    }
}

/// ListMachineTags.
pub fn list_tags(account: &str, machine: &str) -> Result<Request, Error> {
    Ok(Request::get(tag_path(account, machine, None)?))
}

/// GetMachineTag as raw text (`Accept: text/plain`; non-string values read back as "").
pub fn get_tag(account: &str, machine: &str, tag: &str) -> Result<Request, Error> {
    Ok(Request::get(tag_path(account, machine, Some(tag))?).accept_text())
}

fn tag_body(tags: &Json) -> Result<Json, Error> {
    Ok(Json::Object(
        scalar_map("tags", tags, RESERVED_TAGS)?.to_vec(),
    ))
}

/// AddMachineTags: merge `tags` (string/number/bool values). Retry-safe.
pub fn add_tags(account: &str, machine: &str, tags: &Json) -> Result<Request, Error> {
    let body = tag_body(tags)?;
    if matches!(&body, Json::Object(m) if m.is_empty()) {
        return Err(Error::invalid_argument("tags to add are empty"));
    }
    Ok(Request::post(tag_path(account, machine, None)?)
        .body(body)
        .retry_safe())
}

/// ReplaceMachineTags: the machine's tags become exactly `tags`.
pub fn replace_tags(account: &str, machine: &str, tags: &Json) -> Result<Request, Error> {
    Ok(Request::put(tag_path(account, machine, None)?).body(tag_body(tags)?))
}

/// DeleteMachineTag (204).
pub fn delete_tag(account: &str, machine: &str, tag: &str) -> Result<Request, Error> {
    Ok(Request::delete(tag_path(account, machine, Some(tag))?))
}

/// DeleteMachineTags: remove every tag (204).
pub fn delete_all_tags(account: &str, machine: &str) -> Result<Request, Error> {
    Ok(Request::delete(tag_path(account, machine, None)?))
}
