//! Networks: ListNetworks, GetNetwork (cloudapi.md §4.15).

use super::{Extra, account_path, lenient, require_uuid};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// A network or network pool.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Network {
    /// UUID.
    pub id: String,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether it is a public (internet-facing) network.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub public: Option<bool>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A fabric (overlay) network.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub fabric: Option<bool>,
    /// CIDR subnet (fabric).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<String>,
    /// First provisionable IP (fabric).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provision_start_ip: Option<String>,
    /// Last provisionable IP (fabric).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provision_end_ip: Option<String>,
    /// Gateway IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// DNS resolvers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolvers: Option<Vec<String>>,
    /// Static routes `{subnet: gateway}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Json>,
    /// NAT to the internet (fabric).
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub internet_nat: Option<bool>,
    /// VLAN id (fabric).
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub vlan_id: Option<u64>,
    /// CNS suffixes (9.20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffixes: Option<Vec<String>>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// ListNetworks (`fabric: Some(true)` → only your fabric networks).
pub fn list_networks(account: &str, fabric: Option<bool>) -> Result<Request, Error> {
    Ok(Request::get(account_path(account, &["networks"])?).query_opt("fabric", fabric))
}

/// GetNetwork.
pub fn get_network(account: &str, id: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(
        account,
        &["networks", require_uuid("network id", id)?],
    )?))
}
