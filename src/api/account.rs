//! Account: GetAccount, UpdateAccount, GetAccountLimits, GetConfig/UpdateConfig (cloudapi.md §4.1).

use super::{Extra, account_path, lenient, require_uuid};
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
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Company.
    #[serde(
        rename = "companyName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub company_name: Option<String>,
    /// First name.
    #[serde(rename = "firstName", default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(rename = "lastName", default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Postal code.
    #[serde(
        rename = "postalCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub postal_code: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
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

/// UpdateAccount fields (wire names; the seed's snake_case names are accepted too).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountUpdate {
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// Company.
    #[serde(rename = "companyName", alias = "company_name", default)]
    pub company_name: Option<String>,
    /// First name.
    #[serde(rename = "firstName", alias = "first_name", default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(rename = "lastName", alias = "last_name", default)]
    pub last_name: Option<String>,
    /// Street address.
    #[serde(default)]
    pub address: Option<String>,
    /// Postal code.
    #[serde(rename = "postalCode", alias = "postal_code", default)]
    pub postal_code: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// State or region.
    #[serde(default)]
    pub state: Option<String>,
    /// Country.
    #[serde(default)]
    pub country: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Turn Triton CNS on or off.
    #[serde(default)]
    pub triton_cns_enabled: Option<bool>,
}

/// UpdateAccount: `POST /:login` with the given fields (200 + account). Retry-safe.
pub fn update_account(account: &str, update: &AccountUpdate) -> Result<Request, Error> {
    let mut body = Vec::new();
    for (k, v) in [
        ("email", &update.email),
        ("companyName", &update.company_name),
        ("firstName", &update.first_name),
        ("lastName", &update.last_name),
        ("address", &update.address),
        ("postalCode", &update.postal_code),
        ("city", &update.city),
        ("state", &update.state),
        ("country", &update.country),
        ("phone", &update.phone),
    ] {
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
