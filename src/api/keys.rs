//! SSH keys of the account or of a sub-user: ListKeys, GetKey, CreateKey, DeleteKey
//! (cloudapi.md §4.2).

use super::{Extra, account_path, lenient, require_name};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// An SSH public key registered with CloudAPI.
/// TypeScript: `SshKey`
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Key {
    /// Name (defaults to the key comment or the fingerprint).
    #[serde(default)]
    pub name: String,
    /// MD5 colon-hex fingerprint.
    #[serde(default)]
    pub fingerprint: String,
    /// OpenSSH public key text.
    #[serde(default)]
    pub key: String,
    /// Whether the key came with a hardware attestation.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub attested: Option<bool>,
    /// Attested multi-factor modes (`pin`, `touch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multifactor: Option<Vec<String>>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

fn keys_path(account: &str, user: Option<&str>, key: Option<&str>) -> Result<String, Error> {
    let mut segs: Vec<&str> = Vec::new();
    if let Some(u) = user {
        segs.push("users");
        segs.push(require_name("user", u)?);
    }
    segs.push("keys");
    if let Some(k) = key {
        segs.push(require_name("key name or fingerprint", k)?);
    }
    account_path(account, &segs)
}

/// ListKeys / ListUserKeys.
pub fn list_keys(account: &str, user: Option<&str>) -> Result<Request, Error> {
    Ok(Request::get(keys_path(account, user, None)?))
}

/// GetKey / GetUserKey, by name or MD5 fingerprint.
pub fn get_key(account: &str, user: Option<&str>, name_or_fp: &str) -> Result<Request, Error> {
    Ok(Request::get(keys_path(account, user, Some(name_or_fp))?))
}

/// CreateKey / CreateUserKey: `key` is OpenSSH public key text (201 + key). Not retried.
pub fn create_key(
    account: &str,
    user: Option<&str>,
    name: Option<&str>,
    key: &str,
) -> Result<Request, Error> {
    let key = key.trim();
    if key.split_whitespace().count() < 2 {
        return Err(Error::invalid_argument(
            "key must be an OpenSSH public key line such as \"ssh-ed25519 AAAA… comment\"",
        ));
    }
    if key.contains("PRIVATE KEY") {
        return Err(Error::invalid_argument(
            "key looks like a private key; upload the public key (.pub) only",
        ));
    }
    let mut body = Vec::new();
    if let Some(n) = name {
        body.push(("name".to_string(), Json::from(require_name("key name", n)?)));
    }
    body.push(("key".to_string(), Json::from(key)));
    Ok(Request::post(keys_path(account, user, None)?).body(Json::Object(body)))
}

/// DeleteKey / DeleteUserKey (204).
pub fn delete_key(account: &str, user: Option<&str>, name_or_fp: &str) -> Result<Request, Error> {
    Ok(Request::delete(keys_path(account, user, Some(name_or_fp))?))
}
