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

/// An IP address on a network.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NetworkIp {
    /// The address.
    #[serde(default)]
    pub ip: String,
    /// Reserved (not handed out automatically).
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub reserved: Option<bool>,
    /// Managed by the system (gateway, broadcast…).
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub managed: Option<bool>,
    /// Owner account UUID (only if yours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_uuid: Option<String>,
    /// The machine using it (only if yours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub belongs_to_uuid: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

fn ip_path(account: &str, network: &str, ip: Option<&str>) -> Result<String, Error> {
    let n = require_uuid("network id", network)?;
    match ip {
        Some(ip) => {
            if ip.parse::<std::net::IpAddr>().is_err() {
                return Err(Error::invalid_argument(format!(
                    "ip must be an IP address, got {}",
                    super::quoted(ip)
                )));
            }
            account_path(account, &["networks", n, "ips", ip])
        }
        None => account_path(account, &["networks", n, "ips"]),
    }
}

/// The largest (and default) page of ListNetworkIPs.
pub const IPS_MAX_LIMIT: u32 = 1000;

/// ListNetworkIPs: one page (`limit` 1–1000, default 1000); continue with
/// [`super::next_offset`].
pub fn list_network_ips(
    account: &str,
    network: &str,
    offset: u32,
    limit: Option<u32>,
) -> Result<Request, Error> {
    let limit = limit.unwrap_or(IPS_MAX_LIMIT);
    if limit == 0 || limit > IPS_MAX_LIMIT {
        return Err(Error::invalid_argument(format!(
            "limit must be between 1 and 1000, got {limit}"
        )));
    }
    Ok(Request::get(ip_path(account, network, None)?)
        .query("limit", limit.to_string())
        .query("offset", offset.to_string()))
}

/// GetNetworkIP.
pub fn get_network_ip(account: &str, network: &str, ip: &str) -> Result<Request, Error> {
    Ok(Request::get(ip_path(account, network, Some(ip))?))
}

/// UpdateNetworkIP fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateNetworkIp {
    /// Reserve (true) or release (false) the address (required).
    #[serde(default)]
    pub reserved: Option<bool>,
}

/// UpdateNetworkIP from its fields: `reserved` is required.
pub fn update_network_ip_from(
    account: &str,
    network: &str,
    ip: &str,
    input: &UpdateNetworkIp,
) -> Result<Request, Error> {
    match input.reserved {
        Some(r) => update_network_ip(account, network, ip, r),
        None => Err(Error::invalid_argument(
            "updateNetworkIp needs reserved (true or false)",
        )),
    }
}

/// UpdateNetworkIP: reserve or release an address (not on public networks).
pub fn update_network_ip(
    account: &str,
    network: &str,
    ip: &str,
    reserved: bool,
) -> Result<Request, Error> {
    Ok(
        Request::put(ip_path(account, network, Some(ip))?).body(Json::Object(vec![(
            "reserved".to_string(),
            Json::Bool(reserved),
        )])),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7a";

    #[test]
    fn update_network_ip_needs_reserved() {
        let r = update_network_ip_from(
            "my",
            ID,
            "10.0.0.5",
            &UpdateNetworkIp {
                reserved: Some(true),
            },
        )
        .unwrap();
        assert_eq!(r.target(), format!("/my/networks/{ID}/ips/10.0.0.5"));
        assert_eq!(r.body_text().unwrap(), r#"{"reserved":true}"#);
        let e =
            update_network_ip_from("my", ID, "10.0.0.5", &UpdateNetworkIp::default()).unwrap_err();
        assert_eq!(e.message, "updateNetworkIp needs reserved (true or false)");
        let e = update_network_ip_from(
            "my",
            ID,
            "10.0.0",
            &UpdateNetworkIp {
                reserved: Some(false),
            },
        )
        .unwrap_err();
        assert_eq!(e.message, "ip must be an IP address, got \"10.0.0\"");
    }
}
