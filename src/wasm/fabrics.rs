//! Fabric VLANs, fabric networks and network IPs on `DataCenter` (cloudapi.md §4.14, §4.15).
//! A VLAN is named by its number (`vlan_id`, 0–4095) or a VLAN object.

use super::datacenter::{DataCenter, ident_arg, promise};
use super::js_error::{OrJs, type_error};
use super::machine::get;
use super::options::{from_js, kind, string_arg};
use super::resource_wait::{required, send_empty, send_json};
use super::transport::HasId;
use crate::api::{self, fabrics, networks};
use js_sys::{Array, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The shape checked of a fabric VLAN.
#[derive(serde::Deserialize)]
struct HasVlanId {
    #[serde(rename = "vlan_id")]
    _vlan_id: f64,
}

/// The shape checked of a network IP.
#[derive(serde::Deserialize)]
struct HasIp {
    #[serde(rename = "ip")]
    _ip: String,
}

/// A VLAN argument: a whole number, or an object with a numeric `vlan_id` (the range is the
/// core's check, which names it).
fn vlan_arg(v: &JsValue, what: &str) -> Result<u32, JsValue> {
    let n = if v.is_object() {
        get(v, "vlan_id")
    } else {
        v.clone()
    };
    match n.as_f64() {
        // Why: checked to be a whole number in u32's range, so the cast is exact.
        Some(x) if x.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&x) => Ok(x as u32),
        _ => Err(type_error(format!(
            "{what} must be a VLAN id (a whole number 0-4095) or an object with vlan_id, got {}",
            kind(v)
        ))),
    }
}

#[wasm_bindgen]
impl DataCenter {
    /// ListFabricVLANs: the account's fabric VLANs.
    #[wasm_bindgen(js_name = fabricVlans, unchecked_return_type = "Promise<FabricVlan[]>")]
    pub fn fabric_vlans(&self) -> Promise {
        send_json::<Vec<HasVlanId>>(
            &self.client,
            fabrics::list_vlans(self.client.account()),
            "a list of fabric VLANs",
        )
    }

    /// GetFabricVLAN by number (or a VLAN object).
    #[wasm_bindgen(js_name = fabricVlan, unchecked_return_type = "Promise<FabricVlan>")]
    pub fn fabric_vlan(
        &self,
        #[wasm_bindgen(js_name = "vlanId", unchecked_param_type = "number | FabricVlan")]
        vlan_id: JsValue,
    ) -> Promise {
        match vlan_arg(&vlan_id, "fabricVlan(vlanId): vlanId") {
            Ok(v) => send_json::<HasVlanId>(
                &self.client,
                fabrics::get_vlan(self.client.account(), v),
                "a fabric VLAN",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// CreateFabricVLAN: `vlan_id` and `name` are required. Never retried.
    #[wasm_bindgen(js_name = createFabricVlan, unchecked_return_type = "Promise<FabricVlan>")]
    pub fn create_fabric_vlan(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FabricVlanInput")] fields: JsValue,
    ) -> Promise {
        let what = "createFabricVlan(fields)";
        let parsed = required(&fields, what, "{ vlan_id, name, description? }")
            .and_then(|()| from_js::<fabrics::FabricVlanInput>(&fields, what));
        match parsed {
            Ok(f) => send_json::<HasVlanId>(
                &self.client,
                fabrics::create_vlan_from(self.client.account(), &f),
                "the new fabric VLAN",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// UpdateFabricVLAN: changes `name` and/or `description`; resolves with the VLAN.
    #[wasm_bindgen(js_name = updateFabricVlan, unchecked_return_type = "Promise<FabricVlan>")]
    pub fn update_fabric_vlan(
        &self,
        #[wasm_bindgen(js_name = "vlanId", unchecked_param_type = "number | FabricVlan")]
        vlan_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "{ name?: string; description?: string }")]
        fields: JsValue,
    ) -> Promise {
        let what = "updateFabricVlan(vlanId, fields)";
        let parsed = vlan_arg(&vlan_id, "updateFabricVlan(vlanId): vlanId").and_then(|v| {
            required(&fields, what, "{ name?, description? }")?;
            Ok((v, from_js::<fabrics::FabricVlanInput>(&fields, what)?))
        });
        match parsed {
            Ok((v, f)) => send_json::<HasVlanId>(
                &self.client,
                fabrics::update_vlan_from(self.client.account(), v, &f),
                "a fabric VLAN",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// DeleteFabricVLAN (it must have no networks); resolves with undefined.
    #[wasm_bindgen(js_name = deleteFabricVlan, unchecked_return_type = "Promise<void>")]
    pub fn delete_fabric_vlan(
        &self,
        #[wasm_bindgen(js_name = "vlanId", unchecked_param_type = "number | FabricVlan")]
        vlan_id: JsValue,
    ) -> Promise {
        match vlan_arg(&vlan_id, "deleteFabricVlan(vlanId): vlanId") {
            Ok(v) => send_empty(&self.client, fabrics::delete_vlan(self.client.account(), v)),
            Err(e) => Promise::reject(&e),
        }
    }

    /// ListFabricNetworks: the networks of one fabric VLAN.
    #[wasm_bindgen(js_name = fabricNetworks, unchecked_return_type = "Promise<Network[]>")]
    pub fn fabric_networks(
        &self,
        #[wasm_bindgen(js_name = "vlanId", unchecked_param_type = "number | FabricVlan")]
        vlan_id: JsValue,
    ) -> Promise {
        match vlan_arg(&vlan_id, "fabricNetworks(vlanId): vlanId") {
            Ok(v) => send_json::<Vec<HasId>>(
                &self.client,
                fabrics::list_fabric_networks(self.client.account(), v),
                "a list of networks",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// GetFabricNetwork by VLAN and network UUID.
    #[wasm_bindgen(js_name = fabricNetwork, unchecked_return_type = "Promise<Network>")]
    pub fn fabric_network(
        &self,
        #[wasm_bindgen(js_name = "vlanId", unchecked_param_type = "number | FabricVlan")]
        vlan_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Network")] id: JsValue,
    ) -> Promise {
        let parsed = vlan_arg(&vlan_id, "fabricNetwork(vlanId, id): vlanId")
            .and_then(|v| Ok((v, ident_arg(&id, "fabricNetwork(vlanId, id): id")?)));
        match parsed {
            Ok((v, id)) => send_json::<HasId>(
                &self.client,
                fabrics::get_fabric_network(self.client.account(), v, &id),
                "a network",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// CreateFabricNetwork on a VLAN: `name`, `subnet`, `provision_start_ip` and
    /// `provision_end_ip` are required. Never retried.
    #[wasm_bindgen(js_name = createFabricNetwork, unchecked_return_type = "Promise<Network>")]
    pub fn create_fabric_network(
        &self,
        #[wasm_bindgen(js_name = "vlanId", unchecked_param_type = "number | FabricVlan")]
        vlan_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "FabricNetworkInput")] fields: JsValue,
    ) -> Promise {
        let what = "createFabricNetwork(vlanId, fields)";
        let parsed = vlan_arg(&vlan_id, "createFabricNetwork(vlanId): vlanId").and_then(|v| {
            required(
                &fields,
                what,
                "{ name, subnet, provision_start_ip, provision_end_ip, … }",
            )?;
            Ok((v, from_js::<fabrics::FabricNetworkInput>(&fields, what)?))
        });
        match parsed {
            Ok((v, f)) => send_json::<HasId>(
                &self.client,
                fabrics::create_fabric_network(self.client.account(), v, &f),
                "the new network",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// UpdateFabricNetwork: changes the given fields (not `subnet`); resolves with the network.
    #[wasm_bindgen(js_name = updateFabricNetwork, unchecked_return_type = "Promise<Network>")]
    pub fn update_fabric_network(
        &self,
        #[wasm_bindgen(js_name = "vlanId", unchecked_param_type = "number | FabricVlan")]
        vlan_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Network")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Omit<FabricNetworkInput, \"subnet\">")]
        fields: JsValue,
    ) -> Promise {
        let what = "updateFabricNetwork(vlanId, id, fields)";
        let parsed = vlan_arg(&vlan_id, "updateFabricNetwork(vlanId): vlanId").and_then(|v| {
            let id = ident_arg(&id, "updateFabricNetwork(vlanId, id): id")?;
            required(&fields, what, "{ name?, description?, resolvers?, … }")?;
            Ok((
                v,
                id,
                from_js::<fabrics::FabricNetworkInput>(&fields, what)?,
            ))
        });
        match parsed {
            Ok((v, id, f)) => send_json::<HasId>(
                &self.client,
                fabrics::update_fabric_network(self.client.account(), v, &id, &f),
                "a network",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// DeleteFabricNetwork (not the account's default network); resolves with undefined.
    #[wasm_bindgen(js_name = deleteFabricNetwork, unchecked_return_type = "Promise<void>")]
    pub fn delete_fabric_network(
        &self,
        #[wasm_bindgen(js_name = "vlanId", unchecked_param_type = "number | FabricVlan")]
        vlan_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Network")] id: JsValue,
    ) -> Promise {
        let parsed = vlan_arg(&vlan_id, "deleteFabricNetwork(vlanId, id): vlanId")
            .and_then(|v| Ok((v, ident_arg(&id, "deleteFabricNetwork(vlanId, id): id")?)));
        match parsed {
            Ok((v, id)) => send_empty(
                &self.client,
                fabrics::delete_fabric_network(self.client.account(), v, &id),
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// ListNetworkIPs: every reserved or used IP of a network (all pages of 1,000).
    #[wasm_bindgen(js_name = networkIps, unchecked_return_type = "Promise<NetworkIp[]>")]
    pub fn network_ips(
        &self,
        #[wasm_bindgen(js_name = "networkId", unchecked_param_type = "string | Network")]
        network_id: JsValue,
    ) -> Promise {
        let network = ident_arg(&network_id, "networkIps(networkId): networkId").and_then(|n| {
            // Why: checked now so a bad id rejects before any request.
            networks::list_network_ips(self.client.account(), &n, 0, None).or_js()?;
            Ok(n)
        });
        let network = match network {
            Ok(n) => n,
            Err(e) => return Promise::reject(&e),
        };
        let c = self.client.clone();
        promise(async move {
            let out = Array::new();
            let mut offset = 0u32;
            loop {
                let req =
                    networks::list_network_ips(c.account(), &network, offset, None).or_js()?;
                let page: Array = c
                    .fetch_json::<Vec<HasIp>>(&req, "a list of network IPs", None)
                    .await
                    .or_js()?
                    .unchecked_into();
                let len = page.length() as usize;
                for ip in page.iter() {
                    out.push(&ip);
                }
                match api::next_offset(len, networks::IPS_MAX_LIMIT, offset) {
                    Some(next) => offset = next,
                    None => break,
                }
            }
            Ok(out.into())
        })
    }

    /// GetNetworkIP: one address of a network.
    #[wasm_bindgen(js_name = networkIp, unchecked_return_type = "Promise<NetworkIp>")]
    pub fn network_ip(
        &self,
        #[wasm_bindgen(js_name = "networkId", unchecked_param_type = "string | Network")]
        network_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] ip: JsValue,
    ) -> Promise {
        let parsed = ident_arg(&network_id, "networkIp(networkId, ip): networkId")
            .and_then(|n| Ok((n, string_arg(&ip, "networkIp(networkId, ip): ip")?)));
        match parsed {
            Ok((n, ip)) => send_json::<HasIp>(
                &self.client,
                networks::get_network_ip(self.client.account(), &n, &ip),
                "a network IP",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// UpdateNetworkIP: reserve (`{ reserved: true }`) or release an address of a network you
    /// own (not public ones); resolves with the IP.
    #[wasm_bindgen(js_name = updateNetworkIp, unchecked_return_type = "Promise<NetworkIp>")]
    pub fn update_network_ip(
        &self,
        #[wasm_bindgen(js_name = "networkId", unchecked_param_type = "string | Network")]
        network_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] ip: JsValue,
        #[wasm_bindgen(unchecked_param_type = "UpdateNetworkIp")] fields: JsValue,
    ) -> Promise {
        let what = "updateNetworkIp(networkId, ip, fields)";
        let parsed =
            ident_arg(&network_id, "updateNetworkIp(networkId, ip): networkId").and_then(|n| {
                let ip = string_arg(&ip, "updateNetworkIp(networkId, ip): ip")?;
                required(&fields, what, "{ reserved: true | false }")?;
                Ok((n, ip, from_js::<networks::UpdateNetworkIp>(&fields, what)?))
            });
        match parsed {
            Ok((n, ip, f)) => send_json::<HasIp>(
                &self.client,
                networks::update_network_ip_from(self.client.account(), &n, &ip, &f),
                "a network IP",
            ),
            Err(e) => Promise::reject(&e),
        }
    }
}
