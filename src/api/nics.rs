//! Machine NICs (cloudapi.md §4.11): List, Get, Add (reboots the machine), Remove.

use super::{Extra, account_path, ident, lenient, quoted, require_uuid};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use crate::response::header;
use serde::{Deserialize, Serialize};

/// A network interface.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Nic {
    /// MAC address (with colons).
    #[serde(default)]
    pub mac: String,
    /// IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Whether this is the primary NIC.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub primary: Option<bool>,
    /// Gateway IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// Netmask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netmask: Option<String>,
    /// provisioning, running or stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Network UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A MAC in the path form CloudAPI wants: 12 hex digits, no separators.
pub fn mac_for_path(mac: &str) -> Result<String, Error> {
    let hex: String = mac.chars().filter(|c| *c != ':' && *c != '-').collect();
    if hex.len() == 12 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_lowercase())
    } else {
        Err(Error::invalid_argument(format!(
            "mac must be a MAC address like 90:b8:d0:12:34:56, got {}",
            quoted(mac)
        )))
    }
}

fn nic_path(account: &str, machine: &str, mac: Option<&str>) -> Result<String, Error> {
    let m = require_uuid("machine id", machine)?;
    match mac {
        Some(mac) => account_path(account, &["machines", m, "nics", &mac_for_path(mac)?]),
        None => account_path(account, &["machines", m, "nics"]),
    }
}

/// ListNics.
pub fn list_nics(account: &str, machine: &str) -> Result<Request, Error> {
    Ok(Request::get(nic_path(account, machine, None)?))
}

/// GetNic by MAC (colons optional).
pub fn get_nic(account: &str, machine: &str, mac: &str) -> Result<Request, Error> {
    Ok(Request::get(nic_path(account, machine, Some(mac))?))
}

/// AddNic on a network (UUID, pool UUID or network object); reboots the machine. 201, or 302
/// when a NIC on that network exists (see [`added_nic_mac`]). Not retried.
pub fn add_nic(
    account: &str,
    machine: &str,
    network: &Json,
    primary: Option<bool>,
) -> Result<Request, Error> {
    let net = ident("network", network, false)?;
    let mut body = vec![(
        "network".to_string(),
        Json::from(require_uuid("network", &net)?),
    )];
    if let Some(p) = primary {
        body.push(("primary".to_string(), Json::Bool(p)));
    }
    Ok(Request::post(nic_path(account, machine, None)?).body(Json::Object(body)))
}

/// The MAC (path form) from AddNic's `Location` (both the 201 and the 302 answers).
pub fn added_nic_mac(headers: &[(String, String)]) -> Option<String> {
    let loc = header(headers, "location")?;
    let last = loc.trim_end_matches('/').rsplit('/').next()?;
    mac_for_path(last).ok()
}

/// RemoveNic (204; reboots the machine).
pub fn remove_nic(account: &str, machine: &str, mac: &str) -> Result<Request, Error> {
    Ok(Request::delete(nic_path(account, machine, Some(mac))?))
}
