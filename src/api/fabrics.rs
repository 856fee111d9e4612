//! Fabric VLANs and fabric networks (7.3+; 501 when fabrics are off; cloudapi.md §4.14).

use super::{Extra, account_path, quoted, require_name, require_uuid};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// A fabric VLAN.
/// TypeScript: `FabricVlan`
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Vlan {
    /// VLAN id, 0–4095.
    #[serde(default)]
    pub vlan_id: u32,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

fn vlan_id_ok(id: u32) -> Result<String, Error> {
    if id > 4095 {
        return Err(Error::invalid_argument(format!(
            "vlan_id must be between 0 and 4095, got {id}"
        )));
    }
    Ok(id.to_string())
}

fn fabric_path(account: &str, vlan: Option<u32>, rest: &[&str]) -> Result<String, Error> {
    let id;
    let mut segs = vec!["fabrics", "default", "vlans"];
    if let Some(v) = vlan {
        id = vlan_id_ok(v)?;
        segs.push(&id);
    }
    segs.extend_from_slice(rest);
    account_path(account, &segs)
}

/// ListFabricVLANs.
pub fn list_vlans(account: &str) -> Result<Request, Error> {
    Ok(Request::get(fabric_path(account, None, &[])?))
}

/// GetFabricVLAN.
pub fn get_vlan(account: &str, vlan_id: u32) -> Result<Request, Error> {
    Ok(Request::get(fabric_path(account, Some(vlan_id), &[])?))
}

/// CreateFabricVLAN (201). Not retried.
pub fn create_vlan(
    account: &str,
    vlan_id: u32,
    name: &str,
    description: Option<&str>,
) -> Result<Request, Error> {
    vlan_id_ok(vlan_id)?;
    let mut body = vec![
        (
            "name".to_string(),
            Json::from(require_name("VLAN name", name)?),
        ),
        ("vlan_id".to_string(), Json::Number(f64::from(vlan_id))),
    ];
    if let Some(d) = description {
        body.push(("description".to_string(), Json::from(d)));
    }
    Ok(Request::post(fabric_path(account, None, &[])?).body(Json::Object(body)))
}

/// UpdateFabricVLAN: `name` and/or `description` (202).
pub fn update_vlan(
    account: &str,
    vlan_id: u32,
    name: Option<&str>,
    description: Option<&str>,
) -> Result<Request, Error> {
    let mut body = Vec::new();
    if let Some(n) = name {
        body.push((
            "name".to_string(),
            Json::from(require_name("VLAN name", n)?),
        ));
    }
    if let Some(d) = description {
        body.push(("description".to_string(), Json::from(d)));
    }
    if body.is_empty() {
        return Err(Error::invalid_argument(
            "updateFabricVlan needs name or description",
        ));
    }
    Ok(Request::put(fabric_path(account, Some(vlan_id), &[])?).body(Json::Object(body)))
}

/// CreateFabricVLAN/UpdateFabricVLAN fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FabricVlanInput {
    /// VLAN id, 0–4095 (required on create; cannot be changed).
    #[serde(default)]
    pub vlan_id: Option<u32>,
    /// Name (required on create).
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

/// CreateFabricVLAN from its fields: `vlan_id` and `name` are required.
pub fn create_vlan_from(account: &str, input: &FabricVlanInput) -> Result<Request, Error> {
    match (input.vlan_id, &input.name) {
        (Some(id), Some(name)) => create_vlan(account, id, name, input.description.as_deref()),
        _ => Err(Error::invalid_argument(
            "createFabricVlan needs vlan_id (0-4095) and name",
        )),
    }
}

/// UpdateFabricVLAN from its fields (`vlan_id` names the VLAN and cannot change).
pub fn update_vlan_from(
    account: &str,
    vlan_id: u32,
    input: &FabricVlanInput,
) -> Result<Request, Error> {
    if input.vlan_id.is_some_and(|v| v != vlan_id) {
        return Err(Error::invalid_argument(
            "a fabric VLAN's vlan_id cannot be changed",
        ));
    }
    update_vlan(
        account,
        vlan_id,
        input.name.as_deref(),
        input.description.as_deref(),
    )
}

/// DeleteFabricVLAN (must have no networks; 204).
pub fn delete_vlan(account: &str, vlan_id: u32) -> Result<Request, Error> {
    Ok(Request::delete(fabric_path(account, Some(vlan_id), &[])?))
}

/// CreateFabricNetwork/UpdateFabricNetwork fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FabricNetworkInput {
    /// Name (required on create).
    #[serde(default)]
    pub name: Option<String>,
    /// CIDR subnet (required on create; not updatable).
    #[serde(default)]
    pub subnet: Option<String>,
    /// First provisionable IP (required on create).
    #[serde(default)]
    pub provision_start_ip: Option<String>,
    /// Last provisionable IP (required on create).
    #[serde(default)]
    pub provision_end_ip: Option<String>,
    /// Gateway IP.
    #[serde(default)]
    pub gateway: Option<String>,
    /// Up to four DNS resolvers.
    #[serde(default)]
    pub resolvers: Option<Vec<String>>,
    /// Static routes `{subnet: gateway}`.
    #[serde(default)]
    pub routes: Option<Json>,
    /// NAT to the internet (default true on create).
    #[serde(default)]
    pub internet_nat: Option<bool>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

fn ip_ok<'a>(what: &str, ip: &'a str) -> Result<&'a str, Error> {
    ip.parse::<std::net::IpAddr>().map(|_| ip).map_err(|_| {
        Error::invalid_argument(format!("{what} must be an IP address, got {}", quoted(ip)))
    })
}

impl FabricNetworkInput {
    fn body(&self) -> Result<Vec<(String, Json)>, Error> {
        let mut body = Vec::new();
        if let Some(n) = &self.name {
            body.push((
                "name".to_string(),
                Json::from(require_name("network name", n)?),
            ));
        }
        if let Some(s) = &self.subnet {
            let ok = s.split_once('/').is_some_and(|(ip, bits)| {
                ip_ok("subnet", ip).is_ok() && bits.parse::<u8>().is_ok_and(|b| b <= 128)
            });
            if !ok {
                return Err(Error::invalid_argument(format!(
                    "subnet must be CIDR like 192.168.128.0/22, got {}",
                    quoted(s)
                )));
            }
            body.push(("subnet".to_string(), Json::from(s.as_str())));
        }
        for (k, v) in [
            ("provision_start_ip", &self.provision_start_ip),
            ("provision_end_ip", &self.provision_end_ip),
            ("gateway", &self.gateway),
        ] {
            if let Some(ip) = v {
                body.push((k.to_string(), Json::from(ip_ok(k, ip)?)));
            }
        }
        if let Some(r) = &self.resolvers {
            if r.len() > 4 {
                return Err(Error::invalid_argument(format!(
                    "at most 4 resolvers are allowed, got {}",
                    r.len()
                )));
            }
            let mut out = Vec::with_capacity(r.len());
            for ip in r {
                out.push(Json::from(ip_ok("resolver", ip)?));
            }
            body.push(("resolvers".to_string(), Json::Array(out)));
        }
        if let Some(routes) = &self.routes {
            if !matches!(routes, Json::Object(_)) {
                return Err(Error::invalid_argument(
                    "routes must be an object of subnet → gateway",
                ));
            }
            body.push(("routes".to_string(), routes.clone()));
        }
        if let Some(n) = self.internet_nat {
            body.push(("internet_nat".to_string(), Json::Bool(n)));
        }
        if let Some(d) = &self.description {
            body.push(("description".to_string(), Json::from(d.as_str())));
        }
        Ok(body)
    }
}

/// ListFabricNetworks on a VLAN.
pub fn list_fabric_networks(account: &str, vlan_id: u32) -> Result<Request, Error> {
    Ok(Request::get(fabric_path(
        account,
        Some(vlan_id),
        &["networks"],
    )?))
}

/// GetFabricNetwork.
pub fn get_fabric_network(account: &str, vlan_id: u32, id: &str) -> Result<Request, Error> {
    Ok(Request::get(fabric_path(
        account,
        Some(vlan_id),
        &["networks", require_uuid("network id", id)?],
    )?))
}

/// CreateFabricNetwork (201): name, subnet and the provision range are required. Not retried.
pub fn create_fabric_network(
    account: &str,
    vlan_id: u32,
    input: &FabricNetworkInput,
) -> Result<Request, Error> {
    if input.name.is_none()
        || input.subnet.is_none()
        || input.provision_start_ip.is_none()
        || input.provision_end_ip.is_none()
    {
        return Err(Error::invalid_argument(
            "createFabricNetwork needs name, subnet, provision_start_ip and provision_end_ip",
        ));
    }
    Ok(
        Request::post(fabric_path(account, Some(vlan_id), &["networks"])?)
            .body(Json::Object(input.body()?)),
    )
}

/// UpdateFabricNetwork (the subnet cannot change).
pub fn update_fabric_network(
    account: &str,
    vlan_id: u32,
    id: &str,
    input: &FabricNetworkInput,
) -> Result<Request, Error> {
    if input.subnet.is_some() {
        return Err(Error::invalid_argument(
            "a fabric network's subnet cannot be changed",
        ));
    }
    let body = input.body()?;
    if body.is_empty() {
        return Err(Error::invalid_argument(
            "updateFabricNetwork needs at least one field to change",
        ));
    }
    Ok(Request::put(fabric_path(
        account,
        Some(vlan_id),
        &["networks", require_uuid("network id", id)?],
    )?)
    .body(Json::Object(body)))
}

/// DeleteFabricNetwork (not the account's default network; 204).
pub fn delete_fabric_network(account: &str, vlan_id: u32, id: &str) -> Result<Request, Error> {
    Ok(Request::delete(fabric_path(
        account,
        Some(vlan_id),
        &["networks", require_uuid("network id", id)?],
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vlan_inputs() {
        let f = FabricVlanInput {
            vlan_id: Some(42),
            name: Some("web".into()),
            description: None,
        };
        let r = create_vlan_from("my", &f).unwrap();
        assert_eq!(r.target(), "/my/fabrics/default/vlans");
        assert_eq!(r.body_text().unwrap(), r#"{"name":"web","vlan_id":42}"#);
        let e = create_vlan_from(
            "my",
            &FabricVlanInput {
                name: Some("web".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "createFabricVlan needs vlan_id (0-4095) and name"
        );
        let e = create_vlan_from(
            "my",
            &FabricVlanInput {
                vlan_id: Some(5000),
                ..f.clone()
            },
        )
        .unwrap_err();
        assert_eq!(e.message, "vlan_id must be between 0 and 4095, got 5000");
        let r = update_vlan_from("my", 42, &f).unwrap();
        assert_eq!(r.target(), "/my/fabrics/default/vlans/42");
        assert_eq!(r.body_text().unwrap(), r#"{"name":"web"}"#);
        let moved = FabricVlanInput {
            vlan_id: Some(43),
            ..f
        };
        assert!(update_vlan_from("my", 42, &moved).is_err());
        assert!(update_vlan_from("my", 42, &FabricVlanInput::default()).is_err());
    }
}
