//! Account configuration: GetConfig, UpdateConfig (cloudapi.md §4.1).

use super::{Extra, account_path, require_uuid};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// The account configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Config {
    /// Network UUID used when CreateMachine names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_network: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// GetConfig: `GET /:login/config`.
pub fn get_config(account: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(account, &["config"])?))
}

/// UpdateConfig: `PUT /:login/config` setting `default_network` (one of your networks).
pub fn update_config(account: &str, default_network: &str) -> Result<Request, Error> {
    let id = require_uuid("default_network", default_network)?;
    Ok(
        Request::put(account_path(account, &["config"])?).body(Json::Object(vec![(
            "default_network".to_string(),
            Json::from(id),
        )])),
    )
}
