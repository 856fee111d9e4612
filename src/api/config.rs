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

/// UpdateConfig fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigUpdate {
    /// Network UUID used when CreateMachine names none (one of your networks; required).
    #[serde(default)]
    pub default_network: Option<String>,
}

/// UpdateConfig from its fields: `default_network` is required.
pub fn update_config_fields(account: &str, update: &ConfigUpdate) -> Result<Request, Error> {
    match &update.default_network {
        Some(id) => update_config(account, id),
        None => Err(Error::invalid_argument(
            "updateConfig needs default_network (a network UUID)",
        )),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_config_fields_needs_a_network() {
        let id = "4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7a";
        let u = ConfigUpdate {
            default_network: Some(id.into()),
        };
        let r = update_config_fields("my", &u).unwrap();
        assert_eq!(
            (r.method.as_str(), r.target()),
            ("PUT", "/my/config".into())
        );
        let e = update_config_fields("my", &ConfigUpdate::default()).unwrap_err();
        assert_eq!(e.code, "InvalidArgument");
        assert!(e.message.contains("default_network"), "{}", e.message);
        let e = serde_json::from_str::<ConfigUpdate>(r#"{"network":"x"}"#).unwrap_err();
        assert!(e.to_string().contains("default_network"), "{e}");
    }
}
