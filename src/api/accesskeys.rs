//! Access keys of the account or a sub-user (9.11+, cloudapi.md §4.3): List, Get, Create,
//! Update (newer servers), Delete. Secrets are redacted from `Debug`.

use super::{Extra, account_path, quoted, require_name};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// An access key (S3-style credentials for Manta).
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AccessKey {
    /// Key id (32 hex characters, or a newer format).
    #[serde(default)]
    pub accesskeyid: String,
    /// The secret: only present when the server shows it (creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accesskeysecret: Option<String>,
    /// `Active`, `Inactive` or `Expired`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Free-form description (newer servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `permanent` or `temporary` (newer servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentialtype: Option<String>,
    /// Expiry time, ISO 8601 (newer servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    /// Creation time, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last update, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// CreateAccessKey fields (all optional).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKeyInput {
    /// Free-form description (newer servers keep it; older ones ignore it).
    #[serde(default)]
    pub description: Option<String>,
    /// Create the key for this sub-user (login or UUID) instead of the account.
    #[serde(default)]
    pub user: Option<String>,
}

/// Debug never shows the secret.
impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey")
            .field("accesskeyid", &self.accesskeyid)
            .field(
                "accesskeysecret",
                &self.accesskeysecret.as_ref().map(|_| "<redacted>"),
            )
            .field("status", &self.status)
            .field("description", &self.description)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

fn ak_path(account: &str, user: Option<&str>, id: Option<&str>) -> Result<String, Error> {
    let mut segs: Vec<&str> = Vec::new();
    if let Some(u) = user {
        segs.push("users");
        segs.push(require_name("user", u)?);
    }
    segs.push("accesskeys");
    if let Some(i) = id {
        segs.push(require_name("access key id", i)?);
    }
    account_path(account, &segs)
}

/// ListAccessKeys / ListUserAccessKeys.
pub fn list_access_keys(account: &str, user: Option<&str>) -> Result<Request, Error> {
    Ok(Request::get(ak_path(account, user, None)?))
}

/// GetAccessKey / GetUserAccessKey.
pub fn get_access_key(account: &str, user: Option<&str>, id: &str) -> Result<Request, Error> {
    Ok(Request::get(ak_path(account, user, Some(id))?))
}

/// CreateAccessKey / CreateUserAccessKey (201; the only time the secret is shown). Not retried.
pub fn create_access_key(
    account: &str,
    user: Option<&str>,
    description: Option<&str>,
) -> Result<Request, Error> {
    let mut body = Vec::new();
    if let Some(d) = description {
        body.push(("description".to_string(), Json::from(d)));
    }
    Ok(Request::post(ak_path(account, user, None)?).body(Json::Object(body)))
}

/// UpdateAccessKey (newer servers): `status` (`Active`/`Inactive`) and/or `description`.
pub fn update_access_key(
    account: &str,
    user: Option<&str>,
    id: &str,
    status: Option<&str>,
    description: Option<&str>,
) -> Result<Request, Error> {
    let mut body = Vec::new();
    if let Some(s) = status {
        if s != "Active" && s != "Inactive" {
            return Err(Error::invalid_argument(format!(
                "status must be \"Active\" or \"Inactive\", got {}",
                quoted(s)
            )));
        }
        body.push(("status".to_string(), Json::from(s)));
    }
    if let Some(d) = description {
        body.push(("description".to_string(), Json::from(d)));
    }
    if body.is_empty() {
        return Err(Error::invalid_argument(
            "updateAccessKey needs status or description",
        ));
    }
    Ok(Request::post(ak_path(account, user, Some(id))?)
        .body(Json::Object(body))
        .retry_safe())
}

/// DeleteAccessKey / DeleteUserAccessKey (204).
pub fn delete_access_key(account: &str, user: Option<&str>, id: &str) -> Result<Request, Error> {
    Ok(Request::delete(ak_path(account, user, Some(id))?))
}
