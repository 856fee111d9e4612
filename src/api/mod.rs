//! CloudAPI resources, one module each: serde models with the wire field names, and request
//! builders named after the CloudAPI operations. Builders check caller input first and
//! return `Err(InvalidArgument)` naming the problem instead of sending a doomed request.
//!
//! Idempotency (`Request::idempotent`, which drives automatic retries): GET, HEAD, PUT and
//! DELETE are retry-safe. A POST is retry-safe only when repeating it lands in the same end
//! state: machine start/stop/resize/rename/firewall and deletion-protection actions (the
//! server answers 202 and does nothing when already there), metadata and tag merges, and
//! the "set these fields" updates (account, user, password, role, policy, access key, image,
//! firewall rule and its enable/disable, disk resize, volume rename, migration
//! watch/pause/abort). Never retried: reboot (a repeat reboots again), snapshot rollback,
//! AddNic, and every create/clone/import/export and migration begin/sync/switch/finalize,
//! since a lost response does not mean the server did nothing.

pub mod accesskeys;
pub mod account;
pub mod config;
pub mod datacenters;
pub mod disks;
pub mod fabrics;
pub mod fwrules;
pub mod images;
pub mod keys;
pub mod limits;
pub mod machines;
pub mod metadata;
pub mod migrations;
pub mod networks;
pub mod nics;
pub mod packages;
pub mod policies;
pub mod profile;
pub mod resolve;
pub mod retry;
pub mod roles;
pub mod services;
pub mod snapshots;
pub mod tags;
pub mod users;
pub mod volumes;

use crate::error::Error;
use crate::json::Json;
use crate::request::encode_component;
use std::collections::BTreeMap;

/// Unknown fields of a model, kept so newer servers' data survives a round trip.
pub type Extra = BTreeMap<String, Json>;

/// Tags or metadata: a map whose values are strings, numbers or booleans.
/// TypeScript: `Record<string, string | number | boolean>`
pub type ScalarMap = Json;

/// Whether `s` is a UUID in the 8-4-4-4-12 hex form.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether `s` is a short id: the first 8 hex digits of a UUID (as node-triton prints).
pub fn is_short_id(s: &str) -> bool {
    s.len() == 8 && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// `Ok(s)` if `s` is a UUID, else an InvalidArgument naming `what`.
pub fn require_uuid<'a>(what: &str, s: &'a str) -> Result<&'a str, Error> {
    if is_uuid(s) {
        Ok(s)
    } else {
        Err(Error::invalid_argument(format!(
            "{what} must be a UUID like 4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7a, got {}",
            quoted(s)
        )))
    }
}

/// `Ok(s)` if `s` is a non-empty single-line string, else an InvalidArgument naming `what`.
pub fn require_name<'a>(what: &str, s: &'a str) -> Result<&'a str, Error> {
    if s.trim().is_empty() {
        Err(Error::invalid_argument(format!("{what} must not be empty")))
    } else if s.chars().any(char::is_control) {
        Err(Error::invalid_argument(format!(
            "{what} must not contain control characters, got {}",
            quoted(s)
        )))
    } else {
        Ok(s)
    }
}

/// A caller-supplied value quoted and cut short for an error message.
pub(crate) fn quoted(s: &str) -> String {
    let cut: String = s.chars().take(80).collect();
    if cut.len() < s.len() {
        format!("{cut:?}…")
    } else {
        format!("{cut:?}")
    }
}

/// `/<account>/<seg>/<seg>…`, each part percent-encoded; `account` may be `my`.
pub fn account_path(account: &str, segments: &[&str]) -> Result<String, Error> {
    require_name("account", account)?;
    let mut out = String::from("/");
    out.push_str(&encode_component(account));
    for s in segments {
        out.push('/');
        out.push_str(&encode_component(s));
    }
    Ok(out)
}

/// The next `offset` of an offset/limit listing, or `None` when this page was the last:
/// CloudAPI's `x-resource-count` is the page size, so a page shorter than `limit` ends it.
pub fn next_offset(page_len: usize, limit: u32, offset: u32) -> Option<u32> {
    let full = usize::try_from(limit).is_ok_and(|l| l > 0 && page_len >= l);
    if full {
        offset.checked_add(limit)
    } else {
        None
    }
}

/// The `x-resource-count` header as a number (HEAD counts, page sizes).
pub fn resource_count(headers: &[(String, String)]) -> Result<u64, Error> {
    let v = crate::response::header(headers, "x-resource-count").ok_or_else(|| {
        Error::local(
            crate::error::codes::INVALID_RESPONSE,
            "the response has no x-resource-count header",
        )
    })?;
    v.trim().parse::<u64>().map_err(|_| {
        Error::local(
            crate::error::codes::INVALID_RESPONSE,
            format!("x-resource-count is not a number: {}", quoted(v)),
        )
    })
}

/// A scalar JSON value (string, finite number, bool) as the text a query string carries.
pub(crate) fn scalar_text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) if n.is_finite() => Some(Json::Number(*n).to_json_string()),
        _ => None,
    }
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Checks a metadata/tags map: an object whose values are strings, finite numbers or bools,
/// with non-empty keys not in `reserved` (keys CloudAPI would silently drop).
pub(crate) fn scalar_map<'a>(
    what: &str,
    v: &'a Json,
    reserved: &[&str],
) -> Result<&'a [(String, Json)], Error> {
    let Json::Object(members) = v else {
        return Err(Error::invalid_argument(format!(
            "{what} must be an object of key → string/number/boolean, got {}",
            kind(v)
        )));
    };
    for (k, val) in members {
        if k.trim().is_empty() {
            return Err(Error::invalid_argument(format!("{what} has an empty key")));
        }
        if reserved.contains(&k.as_str()) {
            return Err(Error::invalid_argument(format!(
                "{what} key {} is reserved by CloudAPI and would be dropped; use another name",
                quoted(k)
            )));
        }
        if scalar_text(val).is_none() {
            return Err(Error::invalid_argument(format!(
                "{what}.{k} must be a string, number or boolean, got {}",
                kind(val)
            )));
        }
    }
    Ok(members)
}

/// The id (or, with `name_ok`, name) from a string or an object with `id`/`name`, so
/// callers can pass a model wherever an identifier is expected.
pub(crate) fn ident(what: &str, v: &Json, name_ok: bool) -> Result<String, Error> {
    let found = match v {
        Json::String(s) => Some(s.as_str()),
        Json::Object(_) => v.get("id").and_then(Json::as_str).or_else(|| {
            if name_ok {
                v.get("name").and_then(Json::as_str)
            } else {
                None
            }
        }),
        _ => None,
    };
    match found {
        Some(s) if !s.trim().is_empty() => Ok(s.to_string()),
        _ => Err(Error::invalid_argument(format!(
            "{what} must be {} or an object with an \"id\"",
            if name_ok { "an id or a name" } else { "an id" }
        ))),
    }
}

/// Lenient deserializers for fields whose JSON type varies across server generations
/// (e.g. 6.5's `"default": "true"`, numbers sent as strings).
pub(crate) mod lenient {
    use crate::json::Json;
    use serde::de::{Deserialize, Deserializer, Error as _};

    /// A number, an integral float or a numeric string; `null`/absent → `None`.
    pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        match Option::<Json>::deserialize(d)? {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Number(n))
                if n.is_finite()
                    && n >= 0.0
                    && n.fract() == 0.0
                    && n < 9.007_199_254_740_992e15 =>
            {
                Ok(Some(n as u64))
            }
            Some(Json::String(s)) => s
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| D::Error::custom(format!("expected a whole number, got {s:?}"))),
            Some(other) => Err(D::Error::custom(format!(
                "expected a whole number, got {}",
                other.to_json_string()
            ))),
        }
    }

    /// A bool or `"true"`/`"false"`; `null`/absent → `None`.
    pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        match Option::<Json>::deserialize(d)? {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(b)),
            Some(Json::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Json::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(other) => Err(D::Error::custom(format!(
                "expected a boolean, got {}",
                other.to_json_string()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_and_short_id() {
        assert!(is_uuid("4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7a"));
        assert!(is_uuid("4F1C3E2A-0B5D-4C2E-9A41-8F3E2D1C0B7A"));
        assert!(!is_uuid("4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7"));
        assert!(!is_uuid("4f1c3e2a00b5d-4c2e-9a41-8f3e2d1c0b7a"));
        assert!(!is_uuid("4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7g"));
        assert!(is_short_id("4f1c3e2a"));
        assert!(!is_short_id("4f1c3e2"));
        assert!(!is_short_id("web-1234"));
        let e = require_uuid("machine id", "web-1").unwrap_err();
        assert_eq!(e.code, "InvalidArgument");
        assert!(
            e.message.starts_with("machine id must be a UUID"),
            "{}",
            e.message
        );
    }

    #[test]
    fn next_offset_stops_on_short_page() {
        assert_eq!(next_offset(1000, 1000, 0), Some(1000));
        assert_eq!(next_offset(1000, 1000, 1000), Some(2000));
        assert_eq!(next_offset(999, 1000, 2000), None);
        assert_eq!(next_offset(0, 1000, 0), None);
        assert_eq!(next_offset(5, 0, 0), None);
        assert_eq!(next_offset(10, 10, u32::MAX - 5), None);
    }

    #[test]
    fn account_path_encodes() {
        assert_eq!(account_path("my", &["machines"]).unwrap(), "/my/machines");
        assert_eq!(
            account_path("a b@c", &["keys", "x/y"]).unwrap(),
            "/a%20b%40c/keys/x%2Fy"
        );
        assert!(account_path("", &[]).is_err());
    }

    #[test]
    fn resource_count_header() {
        let h = vec![("X-Resource-Count".to_string(), "42".to_string())];
        assert_eq!(resource_count(&h).unwrap(), 42);
        assert_eq!(resource_count(&[]).unwrap_err().code, "InvalidResponse");
        let h = vec![("x-resource-count".to_string(), "lots".to_string())];
        assert_eq!(resource_count(&h).unwrap_err().code, "InvalidResponse");
    }

    #[test]
    fn scalar_maps_reject_objects_and_reserved_keys() {
        let ok = Json::Object(vec![
            ("a".into(), "x".into()),
            ("b".into(), Json::Number(1.0)),
            ("c".into(), Json::Bool(true)),
        ]);
        assert_eq!(scalar_map("tags", &ok, &[]).unwrap().len(), 3);
        let nested = Json::Object(vec![("a".into(), Json::Object(vec![]))]);
        let e = scalar_map("metadata", &nested, &[]).unwrap_err();
        assert_eq!(
            e.message,
            "metadata.a must be a string, number or boolean, got an object"
        );
        let reserved = Json::Object(vec![("image".into(), "x".into())]);
        assert!(scalar_map("tags", &reserved, &["image"]).is_err());
        assert!(scalar_map("tags", &Json::from("x"), &[]).is_err());
    }
}
