//! Account: GetAccount, UpdateAccount (cloudapi.md §4.1).

use super::profile::{Profile, profile_input};
use super::{Extra, account_path, lenient};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// The account object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Account {
    /// UUID.
    pub id: String,
    /// Login name.
    #[serde(default)]
    pub login: String,
    /// Contact profile (`email`, `companyName`, …); before `extra` so its fields stay out of it.
    #[serde(flatten)]
    pub profile: Profile,
    /// Whether Triton CNS is on for the account.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub triton_cns_enabled: Option<bool>,
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

/// GetAccount: `GET /:login` (use `my` before the login is known).
pub fn get_account(account: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(account, &[])?))
}

profile_input! {
    /// UpdateAccount fields (wire names; the seed's snake_case names are accepted too).
    #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
    pub struct AccountUpdate {
        /// Turn Triton CNS on or off.
        #[serde(default)]
        pub triton_cns_enabled: Option<bool>,
    }
}

/// UpdateAccount: `POST /:login` with the given fields (200 + account). Retry-safe.
pub fn update_account(account: &str, update: &AccountUpdate) -> Result<Request, Error> {
    let mut body = Vec::new();
    for (k, v) in update.profile_pairs() {
        if let Some(v) = v {
            body.push((k.to_string(), Json::from(v.as_str())));
        }
    }
    if let Some(b) = update.triton_cns_enabled {
        body.push(("triton_cns_enabled".to_string(), Json::Bool(b)));
    }
    if body.is_empty() {
        return Err(Error::invalid_argument(
            "updateAccount needs at least one field to change",
        ));
    }
    Ok(Request::post(account_path(account, &[])?)
        .body(Json::Object(body))
        .retry_safe())
}
