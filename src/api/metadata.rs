//! Machine metadata: List/Get/Update/Delete (cloudapi.md §4.9). There is no replace-all.

use super::{account_path, quoted, require_name, require_uuid, scalar_map};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;

/// Keys UpdateMachineMetadata drops (they name the request, not metadata).
const RESERVED_METADATA: &[&str] = &[
    "account",
    "machine",
    "uuid",
    "owner_uuid",
    "credentials",
    "image",
];

fn md_path(account: &str, machine: &str, key: Option<&str>) -> Result<String, Error> {
    let m = require_uuid("machine id", machine)?;
    match key {
        Some(k) => account_path(
            account,
            &["machines", m, "metadata", require_name("metadata key", k)?],
        ),
        None => account_path(account, &["machines", m, "metadata"]),
    }
}

/// ListMachineMetadata (`credentials=true` adds the `credentials` map).
pub fn list_metadata(account: &str, machine: &str, credentials: bool) -> Result<Request, Error> {
    let r = Request::get(md_path(account, machine, None)?);
    Ok(if credentials {
        r.query("credentials", "true")
    } else {
        r
    })
}

/// GetMachineMetadata for one key, as raw text (`Accept: text/plain`).
pub fn get_metadata(account: &str, machine: &str, key: &str) -> Result<Request, Error> {
    Ok(Request::get(md_path(account, machine, Some(key))?).accept_text())
}

/// UpdateMachineMetadata: merge `values` (string/number/bool) into the metadata. Retry-safe
/// (merging the same values twice gives the same map).
pub fn update_metadata(account: &str, machine: &str, values: &Json) -> Result<Request, Error> {
    let members = scalar_map("metadata", values, RESERVED_METADATA)?;
    if members.is_empty() {
        return Err(Error::invalid_argument("metadata to update is empty"));
    }
    if let Some((k, _)) = members.iter().find(|(k, _)| k.ends_with("_pw")) {
        return Err(Error::invalid_argument(format!(
            "metadata key {} ends in _pw, which CloudAPI drops",
            quoted(k)
        )));
    }
    Ok(Request::post(md_path(account, machine, None)?)
        .body(Json::Object(members.to_vec()))
        .retry_safe())
}

/// DeleteMachineMetadata for one key (204).
pub fn delete_metadata(account: &str, machine: &str, key: &str) -> Result<Request, Error> {
    Ok(Request::delete(md_path(account, machine, Some(key))?))
}

/// DeleteAllMachineMetadata (204; the server keeps `root_authorized_keys`/`administrator_pw`).
pub fn delete_all_metadata(account: &str, machine: &str) -> Result<Request, Error> {
    Ok(Request::delete(md_path(account, machine, None)?))
}

/// Sets the boot script (`metadata["user-script"]`).
pub fn set_boot_script(account: &str, machine: &str, script: &str) -> Result<Request, Error> {
    update_metadata(
        account,
        machine,
        &Json::Object(vec![("user-script".to_string(), Json::from(script))]),
    )
}

/// Removes the boot script.
pub fn delete_boot_script(account: &str, machine: &str) -> Result<Request, Error> {
    delete_metadata(account, machine, "user-script")
}
