//! CloudAPI 9.x machine methods beyond the seed: rename, firewall and deletion-protection
//! switches, audit, per-machine firewall rules, NICs, disks and `waitFor(predicate)`.

use super::datacenter::promise;
use super::js_error::{OrJs, to_js, type_error};
use super::machine::{Machine, State, get};
use super::machine_wait::{Remote, wait_remote};
use super::options::{Options, kind, string_arg};
use super::transport::HasId;
use super::wait::{Goal, Pollable, WaitOptions, call_predicate, poll_loop};
use crate::api::disks::{self, DiskSize};
use crate::api::machines::{AuditEntry, MachineAction, machine_audit};
use crate::api::{fwrules, nics};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use js_sys::{Array, Function, Promise};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// A NIC as CloudAPI returns it (checked for its `mac`).
#[derive(serde::Deserialize)]
struct HasMac {
    #[serde(rename = "mac")]
    _mac: String,
}

/// Sends a GET built now and resolves with the checked JSON (`T` names the shape).
fn get_json<T: serde::de::DeserializeOwned + 'static>(
    state: &Rc<State>,
    build: impl FnOnce(&str, &str) -> Result<Request, Error>,
    expected: &'static str,
) -> Promise {
    let req = match build(state.client.account(), &state.id) {
        Ok(r) => r,
        Err(e) => return Promise::reject(&to_js(&e)),
    };
    let c = state.client.clone();
    promise(async move { c.fetch_json::<T>(&req, expected, None).await.or_js() })
}

/// A `size` argument: MiB (a positive whole number) or, when `remaining_ok`, `"remaining"`.
fn disk_size(v: &JsValue, what: &str, remaining_ok: bool) -> Result<DiskSize, JsValue> {
    if remaining_ok && v.as_string().as_deref() == Some("remaining") {
        return Ok(DiskSize::Remaining);
    }
    match v.as_f64() {
        Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 => {
            // Why: checked above to be a whole number in 1..=2^53−1.
            Ok(DiskSize::Mib(n as u64))
        }
        _ => Err(type_error(format!(
            "{what} must be a positive whole number of MiB{}, got {}",
            if remaining_ok {
                " or \"remaining\""
            } else {
                ""
            },
            v.as_f64()
                .map_or_else(|| kind(v).to_string(), |n| n.to_string())
        ))),
    }
}

/// A watch on one NIC or disk of `state`, read with GetNic/GetMachineDisk.
fn remote(state: &State, label: String, req: Request) -> Remote {
    Remote {
        client: state.client.clone(),
        label,
        req,
        wire: RefCell::new(JsValue::UNDEFINED),
    }
}

/// The `id`s of a list of objects.
fn ids(list: &JsValue) -> Vec<String> {
    list.dyn_ref::<Array>()
        .map(|a| a.iter().filter_map(|d| get(&d, "id").as_string()).collect())
        .unwrap_or_default()
}

#[wasm_bindgen]
impl Machine {
    /// RenameMachine (202; the name is checked first); `{ wait }` waits for its MachineAudit entry.
    #[wasm_bindgen(unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn rename(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        match string_arg(&name, "rename(name): name") {
            Ok(n) => self.action(MachineAction::Rename(n), options, "rename(name, options)"),
            Err(e) => Promise::reject(&e),
        }
    }

    /// EnableMachineFirewall (202); `{ wait }` waits until `firewall_enabled` is true.
    #[wasm_bindgen(js_name = enableFirewall, unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn enable_firewall(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        self.action(
            MachineAction::EnableFirewall,
            options,
            "enableFirewall(options)",
        )
    }

    /// DisableMachineFirewall (202); `{ wait }` waits until `firewall_enabled` is false.
    #[wasm_bindgen(js_name = disableFirewall, unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn disable_firewall(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        self.action(
            MachineAction::DisableFirewall,
            options,
            "disableFirewall(options)",
        )
    }

    /// EnableMachineDeletionProtection (202); `{ wait }` waits until `deletion_protection` is true.
    #[wasm_bindgen(js_name = enableDeletionProtection, unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn enable_deletion_protection(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        self.action(
            MachineAction::EnableDeletionProtection,
            options,
            "enableDeletionProtection(options)",
        )
    }

    /// DisableMachineDeletionProtection (202); `{ wait }` waits until `deletion_protection` is false.
    #[wasm_bindgen(js_name = disableDeletionProtection, unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn disable_deletion_protection(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        self.action(
            MachineAction::DisableDeletionProtection,
            options,
            "disableDeletionProtection(options)",
        )
    }

    /// MachineAudit: the machine's finished jobs, newest first.
    #[wasm_bindgen(unchecked_return_type = "Promise<AuditEntry[]>")]
    pub fn audit(&self) -> Promise {
        get_json::<Vec<AuditEntry>>(&self.state, machine_audit, "a list of audit entries")
    }

    /// ListMachineFirewallRules: the rules that apply to this machine.
    #[wasm_bindgen(js_name = firewallRules, unchecked_return_type = "Promise<FirewallRule[]>")]
    pub fn firewall_rules(&self) -> Promise {
        get_json::<Vec<HasId>>(
            &self.state,
            fwrules::list_machine_fwrules,
            "a list of firewall rules",
        )
    }

    /// ListNics: the machine's NICs (`toJSON().nics` holds those of the last GetMachine).
    #[wasm_bindgen(unchecked_return_type = "Promise<Nic[]>")]
    pub fn nics(&self) -> Promise {
        get_json::<Vec<HasMac>>(&self.state, nics::list_nics, "a list of NICs")
    }

    /// GetNic by MAC (colons optional).
    #[wasm_bindgen(unchecked_return_type = "Promise<Nic>")]
    pub fn nic(&self, #[wasm_bindgen(unchecked_param_type = "string")] mac: JsValue) -> Promise {
        match string_arg(&mac, "nic(mac): mac") {
            Ok(mac) => get_json::<HasMac>(&self.state, |a, m| nics::get_nic(a, m, &mac), "a NIC"),
            Err(e) => Promise::reject(&e),
        }
    }

    /// AddNic on `network` (a UUID or a network object; reboots the machine); resolves with
    /// the NIC (`{ wait }`: once its state is `running`). Never retried automatically.
    #[wasm_bindgen(js_name = addNic, unchecked_return_type = "Promise<Nic>")]
    pub fn add_nic(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ network: string | Network; primary?: boolean }")]
        nic: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg<Nic>")] options: Option<JsValue>,
    ) -> Promise {
        let state = self.state.clone();
        let built = (|| {
            let o = Options::new(&nic, "addNic(nic)", &["network", "primary"], false)?;
            let network = o
                .get("network")?
                .ok_or_else(|| type_error("addNic(nic): network is required"))?;
            let network: Json = serde_wasm_bindgen::from_value(network)
                .map_err(|e| type_error(format!("addNic(nic): network: {e}")))?;
            let primary = match o.get("primary")? {
                None => None,
                Some(p) => Some(p.as_bool().ok_or_else(|| {
                    type_error(format!(
                        "addNic(nic): option primary must be a boolean, got {}",
                        kind(&p)
                    ))
                })?),
            };
            let wait = WaitOptions::from_wait_arg(options.as_ref(), "addNic(nic, options)")?;
            let req =
                nics::add_nic(state.client.account(), &state.id, &network, primary).or_js()?;
            Ok::<_, JsValue>((req, wait))
        })();
        let (req, wait) = match built {
            Ok(b) => b,
            Err(e) => return Promise::reject(&e),
        };
        promise(async move {
            let c = &state.client;
            let r = c.send(&req, &[], None).await.or_js()?;
            // Why: the transport never follows redirects; AddNic answers 302 with the
            // `Location` of the NIC already on that network, which is read here instead.
            let wire = match (r.status, nics::added_nic_mac(&r.headers)) {
                (302, Some(mac)) => {
                    let existing = nics::get_nic(c.account(), &state.id, &mac).or_js()?;
                    c.fetch_json::<HasMac>(&existing, "a NIC", None)
                        .await
                        .or_js()?
                }
                _ => super::transport::parse_checked::<HasMac>(&r, "a NIC").or_js()?,
            };
            let Some(opts) = wait else { return Ok(wire) };
            let mac = get(&wire, "mac").as_string().unwrap_or_default();
            let get_req = nics::get_nic(c.account(), &state.id, &mac).or_js()?;
            let w = remote(
                &state,
                format!("NIC {mac} of machine {}", state.id),
                get_req,
            );
            wait_remote(
                &w,
                &opts,
                "become \"running\"",
                false,
                |s| s == "running",
                &["failed"],
            )
            .await
        })
    }

    /// RemoveNic by MAC (204; reboots the machine); `{ wait }` waits until it is gone.
    #[wasm_bindgen(js_name = removeNic, unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn remove_nic(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] mac: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg<Nic>")] options: Option<JsValue>,
    ) -> Promise {
        let state = self.state.clone();
        let built = (|| {
            let mac = string_arg(&mac, "removeNic(mac): mac")?;
            let wait = WaitOptions::from_wait_arg(options.as_ref(), "removeNic(mac, options)")?;
            let a = state.client.account();
            let req = nics::remove_nic(a, &state.id, &mac).or_js()?;
            let get_req = nics::get_nic(a, &state.id, &mac).or_js()?;
            Ok::<_, JsValue>((req, get_req, mac, wait))
        })();
        let (req, get_req, mac, wait) = match built {
            Ok(b) => b,
            Err(e) => return Promise::reject(&e),
        };
        promise(async move {
            state.client.fetch_empty(&req, None).await.or_js()?;
            let Some(opts) = wait else {
                return Ok(JsValue::UNDEFINED);
            };
            let w = remote(
                &state,
                format!("NIC {mac} of machine {}", state.id),
                get_req,
            );
            wait_remote(&w, &opts, "be removed", true, |s| s == "deleted", &[]).await?;
            Ok(Machine::handle(&state).into())
        })
    }

    /// ListMachineDisks (bhyve): the machine's disks.
    #[wasm_bindgen(unchecked_return_type = "Promise<Disk[]>")]
    pub fn disks(&self) -> Promise {
        get_json::<Vec<HasId>>(&self.state, disks::list_disks, "a list of disks")
    }

    /// GetMachineDisk by UUID.
    #[wasm_bindgen(unchecked_return_type = "Promise<Disk>")]
    pub fn disk(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue) -> Promise {
        match string_arg(&id, "disk(id): id") {
            Ok(id) => get_json::<HasId>(&self.state, |a, m| disks::get_disk(a, m, &id), "a disk"),
            Err(e) => Promise::reject(&e),
        }
    }

    /// CreateMachineDisk (bhyve, machine stopped): `size` in MiB or `"remaining"`; resolves
    /// with the disk when CloudAPI returns it (with `pci_slot`), else undefined; `{ wait }`
    /// waits until it is no longer `creating` and resolves with it. Never retried.
    #[wasm_bindgen(js_name = createDisk, unchecked_return_type = "Promise<Disk | undefined>")]
    pub fn create_disk(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ size: number | \"remaining\"; pci_slot?: string }"
        )]
        disk: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg<Disk>")] options: Option<JsValue>,
    ) -> Promise {
        let state = self.state.clone();
        let built = (|| {
            let o = Options::new(&disk, "createDisk(disk)", &["size", "pci_slot"], false)?;
            let size = o
                .get("size")?
                .ok_or_else(|| type_error("createDisk(disk): size is required"))?;
            let size = disk_size(&size, "createDisk(disk): size", true)?;
            let slot = o.string("pci_slot")?;
            let wait = WaitOptions::from_wait_arg(options.as_ref(), "createDisk(disk, options)")?;
            let a = state.client.account();
            let req = disks::create_disk(a, &state.id, size, slot.as_deref()).or_js()?;
            let list = disks::list_disks(a, &state.id).or_js()?;
            Ok::<_, JsValue>((req, list, wait))
        })();
        let (req, list, wait) = match built {
            Ok(b) => b,
            Err(e) => return Promise::reject(&e),
        };
        promise(async move {
            let c = &state.client;
            let before = match &wait {
                Some(_) => ids(&c
                    .fetch_json::<Vec<HasId>>(&list, "a list of disks", None)
                    .await
                    .or_js()?),
                None => Vec::new(),
            };
            let r = c.send(&req, &[], None).await.or_js()?;
            let answered = if r.body.trim().is_empty() {
                crate::response::check(r.status, &r.headers, &r.body, &super::transport::JsDecoder)
                    .or_js()?;
                None
            } else {
                Some(super::transport::parse_checked::<HasId>(&r, "a disk").or_js()?)
            };
            let Some(opts) = wait else {
                return Ok(answered.unwrap_or(JsValue::UNDEFINED));
            };
            // Why: without pci_slot CloudAPI answers 202 with no body, so the new disk is the
            // one the list did not have before.
            let id = match answered.as_ref().and_then(|d| get(d, "id").as_string()) {
                Some(id) => id,
                None => {
                    let after = c
                        .fetch_json::<Vec<HasId>>(&list, "a list of disks", None)
                        .await
                        .or_js()?;
                    ids(&after)
                        .into_iter()
                        .find(|i| !before.contains(i))
                        .ok_or_else(|| {
                            to_js(&super::js_error::invalid_response(format!(
                                "CreateMachineDisk succeeded but machine {} lists no new disk",
                                state.id
                            )))
                        })?
                }
            };
            let get_req = disks::get_disk(c.account(), &state.id, &id).or_js()?;
            let w = remote(
                &state,
                format!("disk {id} of machine {}", state.id),
                get_req,
            );
            wait_remote(
                &w,
                &opts,
                "finish creating",
                false,
                |s| s != "creating",
                &["failed"],
            )
            .await
        })
    }

    /// ResizeMachineDisk to `size` MiB (machine stopped; shrinking needs
    /// `dangerous_allow_shrink: true`); resolves with the disk (`{ wait }`: once resized).
    #[wasm_bindgen(js_name = resizeDisk, unchecked_return_type = "Promise<Disk>")]
    pub fn resize_disk(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] size: JsValue,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ dangerous_allow_shrink?: boolean; wait?: boolean | WaitOptions<Disk> }"
        )]
        options: Option<JsValue>,
    ) -> Promise {
        let state = self.state.clone();
        let built = (|| {
            let id = string_arg(&id, "resizeDisk(id, size): id")?;
            let DiskSize::Mib(mib) = disk_size(&size, "resizeDisk(id, size): size", false)? else {
                return Err(type_error(
                    "resizeDisk(id, size): size must be a number of MiB",
                ));
            };
            let what = "resizeDisk(id, size, options)";
            let o = Options::new(
                &options.unwrap_or_default(),
                what,
                &["dangerous_allow_shrink", "wait"],
                true,
            )?;
            let shrink = match o.get("dangerous_allow_shrink")? {
                None => false,
                Some(v) => v.as_bool().ok_or_else(|| {
                    type_error(format!(
                        "{what}: option dangerous_allow_shrink must be a boolean, got {}",
                        kind(&v)
                    ))
                })?,
            };
            let wait = WaitOptions::from_wait_value(o.get("wait")?, what)?;
            let a = state.client.account();
            let req = disks::resize_disk(a, &state.id, &id, mib, shrink).or_js()?;
            let get_req = disks::get_disk(a, &state.id, &id).or_js()?;
            Ok::<_, JsValue>((req, get_req, id, wait))
        })();
        let (req, get_req, id, wait) = match built {
            Ok(b) => b,
            Err(e) => return Promise::reject(&e),
        };
        promise(async move {
            let disk = state
                .client
                .fetch_json::<HasId>(&req, "a disk", None)
                .await
                .or_js()?;
            let Some(opts) = wait else { return Ok(disk) };
            let w = remote(
                &state,
                format!("disk {id} of machine {}", state.id),
                get_req,
            );
            wait_remote(
                &w,
                &opts,
                "finish resizing",
                false,
                |s| s != "resizing",
                &["failed"],
            )
            .await
        })
    }

    /// DeleteMachineDisk (204, machine stopped); `{ wait }` waits until it is gone.
    #[wasm_bindgen(js_name = deleteDisk, unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn delete_disk(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg<Disk>")] options: Option<JsValue>,
    ) -> Promise {
        let state = self.state.clone();
        let built = (|| {
            let id = string_arg(&id, "deleteDisk(id): id")?;
            let wait = WaitOptions::from_wait_arg(options.as_ref(), "deleteDisk(id, options)")?;
            let a = state.client.account();
            let req = disks::delete_disk(a, &state.id, &id).or_js()?;
            let get_req = disks::get_disk(a, &state.id, &id).or_js()?;
            Ok::<_, JsValue>((req, get_req, id, wait))
        })();
        let (req, get_req, id, wait) = match built {
            Ok(b) => b,
            Err(e) => return Promise::reject(&e),
        };
        promise(async move {
            state.client.fetch_empty(&req, None).await.or_js()?;
            let Some(opts) = wait else {
                return Ok(JsValue::UNDEFINED);
            };
            let w = remote(
                &state,
                format!("disk {id} of machine {}", state.id),
                get_req,
            );
            wait_remote(&w, &opts, "be deleted", true, |s| s == "deleted", &[]).await?;
            Ok(Machine::handle(&state).into())
        })
    }

    /// Polls GetMachine until `predicate(machine)` is truthy (it may return a promise);
    /// resolves with the machine, rejects with `Timeout`, `Aborted` or what the predicate threw.
    #[wasm_bindgen(js_name = waitFor, unchecked_return_type = "Promise<Machine>")]
    pub fn wait_for(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(machine: Machine) => boolean | Promise<boolean>")]
        predicate: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] options: Option<JsValue>,
    ) -> Promise {
        let built = (|| {
            let f = predicate.dyn_ref::<Function>().cloned().ok_or_else(|| {
                type_error(format!(
                    "waitFor(predicate): predicate must be a function, got {}",
                    kind(&predicate)
                ))
            })?;
            let opts =
                WaitOptions::parse(&options.unwrap_or_default(), "waitFor(predicate, options)")?;
            Ok::<_, JsValue>((f, opts))
        })();
        let (f, opts) = match built {
            Ok(b) => b,
            Err(e) => return Promise::reject(&e),
        };
        let state = self.state.clone();
        promise(async move {
            let goal = Goal {
                describe: "satisfy the waitFor predicate".into(),
                gone_ok: false,
            };
            poll_loop(&state, &opts, goal, async |m: &Rc<State>| {
                call_predicate(&f, &m.handle()).await
            })
            .await
        })
    }
}
