//! Provisioning limits: GetAccountLimits (9.8.0+, cloudapi.md §4.1).

use super::{Extra, account_path, lenient};
use crate::error::Error;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// One provisioning limit (9.8.0+).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Limit {
    /// `machines`, `ram` or `quota`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The limit.
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<u64>,
    /// Current usage.
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub used: Option<u64>,
    /// `image` or `os` when the limit is scoped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// The OS the limit applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// The image name the limit applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// GetAccountLimits: `GET /:login/limits` (`[]` when the plugin is off).
pub fn get_account_limits(account: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(account, &["limits"])?))
}
