//! Account: GetAccount, UpdateAccount (cloudapi.md §4.1).

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
