//! The `Machine` class: the wire object CloudAPI returned (shown by `toJSON()` and, through
//! the package shim, by `console.log`), getters with the wire names, IP conveniences, actions
//! and waiters. Copies returned by `refresh()`/`pollUntil()` share one state, so every handle
//! on a machine sees its latest data.

use super::datacenter::{fetch_machine, promise};
use super::js_error::{OrJs, invalid_response, json_to_js, to_js, type_error};
use super::machine_wait::{after_answer, audit_baseline, wait_audit, wait_field};
use super::options::{kind, string_arg};
use super::snapshot::Snapshot;
use super::transport::{Client, HasId, HasName};
use super::wait::{WaitOptions, poll_state};
use crate::api::machines::{self, MachineAction};
use crate::api::{self, snapshots};
use crate::error::Error;
use crate::json::Json;
use js_sys::{Array, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// One machine's data, shared by every handle on it (and by its snapshots).
pub(crate) struct State {
    pub(crate) client: Rc<Client>,
    pub(crate) id: String,
    pub(crate) wire: RefCell<JsValue>,
}

/// A machine (instance); getters read the latest data CloudAPI returned.
#[wasm_bindgen]
pub struct Machine {
    pub(crate) state: Rc<State>,
}

/// The wire object for a machine CloudAPI answered 410 Gone for (body: the machine, or its
/// bare id), with `state: "deleted"`.
pub(crate) fn gone_wire(e: &Error, id: &str) -> Option<JsValue> {
    if e.status_code != 410 {
        return None;
    }
    let obj = match &e.body {
        Some(body @ Json::Object(_)) => json_to_js(body),
        Some(Json::String(s)) => {
            let o = Object::new();
            set(&o, "id", &JsValue::from_str(s));
            o.into()
        }
        _ => {
            let o = Object::new();
            set(&o, "id", &JsValue::from_str(id));
            o.into()
        }
    };
    let state = Reflect::get(&obj, &JsValue::from_str("state")).unwrap_or(JsValue::UNDEFINED);
    if state.as_string().is_none() {
        set(&obj, "state", &JsValue::from_str("deleted"));
    }
    Some(obj)
}

impl Machine {
    /// A machine for `wire` (which must be an object with a string `id`).
    pub(crate) fn from_wire(client: Rc<Client>, wire: JsValue) -> Result<Machine, Error> {
        let id = Reflect::get(&wire, &JsValue::from_str("id"))
            .ok()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid_response("CloudAPI returned a machine without an id"))?;
        Ok(Machine {
            state: Rc::new(State {
                client,
                id,
                wire: RefCell::new(wire),
            }),
        })
    }

    fn field(&self, name: &str) -> JsValue {
        Reflect::get(&self.state.wire.borrow(), &JsValue::from_str(name))
            .unwrap_or(JsValue::UNDEFINED)
    }

    /// The fields the IP and boot-script conveniences need, as the core model.
    fn typed(&self) -> Option<machines::Machine> {
        let f: IpFields = serde_wasm_bindgen::from_value(self.state.wire.borrow().clone()).ok()?;
        Some(machines::Machine {
            ips: f.ips,
            nics: f.nics,
            primary_ip: f.primary_ip,
            metadata: f.metadata,
            ..Default::default()
        })
    }
}

/// Only what `publicIps`/`privateIps`/`bootScript` read.
// Why: deserializing the full core model (it uses `#[serde(flatten)]`) costs ~15 KB of wasm.
#[derive(serde::Deserialize)]
struct IpFields {
    #[serde(default)]
    ips: Option<Vec<String>>,
    #[serde(default)]
    nics: Option<Json>,
    #[serde(rename = "primaryIp", default)]
    primary_ip: Option<String>,
    #[serde(default)]
    metadata: Option<Json>,
}

fn current_state(state: &State) -> Option<String> {
    get(&state.wire.borrow(), "state").as_string()
}

fn strings(v: Vec<String>) -> JsValue {
    v.iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

#[wasm_bindgen]
impl Machine {
    /// UUID.
    #[wasm_bindgen(getter, unchecked_return_type = "string")]
    pub fn id(&self) -> JsValue {
        self.field("id")
    }
    /// Alias.
    #[wasm_bindgen(getter, unchecked_return_type = "string | undefined")]
    pub fn name(&self) -> JsValue {
        self.field("name")
    }
    /// `smartmachine` or `virtualmachine` (deprecated).
    #[wasm_bindgen(getter = type, unchecked_return_type = "string | undefined")]
    pub fn machine_type(&self) -> JsValue {
        self.field("type")
    }
    /// joyent, joyent-minimal, lx, kvm, bhyve.
    #[wasm_bindgen(getter, unchecked_return_type = "string | undefined")]
    pub fn brand(&self) -> JsValue {
        self.field("brand")
    }
    /// provisioning, running, stopping, stopped, deleted, failed, …
    #[wasm_bindgen(getter, unchecked_return_type = "MachineStateName | undefined")]
    pub fn state(&self) -> JsValue {
        self.field("state")
    }
    /// Image UUID.
    #[wasm_bindgen(getter, unchecked_return_type = "string | undefined")]
    pub fn image(&self) -> JsValue {
        self.field("image")
    }
    /// Dataset URN or id (API 6.5/7).
    #[wasm_bindgen(getter, unchecked_return_type = "string | undefined")]
    pub fn dataset(&self) -> JsValue {
        self.field("dataset")
    }
    /// Package name.
    #[wasm_bindgen(getter, unchecked_return_type = "string | undefined")]
    pub fn package(&self) -> JsValue {
        self.field("package")
    }
    /// RAM in MiB.
    #[wasm_bindgen(getter, unchecked_return_type = "number | undefined")]
    pub fn memory(&self) -> JsValue {
        self.field("memory")
    }
    /// Every IP address.
    #[wasm_bindgen(getter, unchecked_return_type = "string[] | undefined")]
    pub fn ips(&self) -> JsValue {
        self.field("ips")
    }
    /// The primary IP.
    #[wasm_bindgen(getter = primaryIp, unchecked_return_type = "string | undefined")]
    pub fn primary_ip(&self) -> JsValue {
        self.field("primaryIp")
    }
    /// Customer metadata.
    #[wasm_bindgen(
        getter,
        unchecked_return_type = "Record<string, string | number | boolean> | undefined"
    )]
    pub fn metadata(&self) -> JsValue {
        self.field("metadata")
    }
    /// Tags.
    #[wasm_bindgen(
        getter,
        unchecked_return_type = "Record<string, string | number | boolean> | undefined"
    )]
    pub fn tags(&self) -> JsValue {
        self.field("tags")
    }
    /// Creation time (ISO 8601).
    #[wasm_bindgen(getter, unchecked_return_type = "string | undefined")]
    pub fn created(&self) -> JsValue {
        self.field("created")
    }
    /// Last update (ISO 8601).
    #[wasm_bindgen(getter, unchecked_return_type = "string | undefined")]
    pub fn updated(&self) -> JsValue {
        self.field("updated")
    }
    /// Whether this is a docker container.
    #[wasm_bindgen(getter, unchecked_return_type = "boolean | undefined")]
    pub fn docker(&self) -> JsValue {
        self.field("docker")
    }
    /// Network UUIDs.
    #[wasm_bindgen(getter, unchecked_return_type = "string[] | undefined")]
    pub fn networks(&self) -> JsValue {
        self.field("networks")
    }
    /// Whether the firewall is on.
    #[wasm_bindgen(getter, unchecked_return_type = "boolean | undefined")]
    pub fn firewall_enabled(&self) -> JsValue {
        self.field("firewall_enabled")
    }
    /// Whether DeleteMachine is refused.
    #[wasm_bindgen(getter, unchecked_return_type = "boolean | undefined")]
    pub fn deletion_protection(&self) -> JsValue {
        self.field("deletion_protection")
    }
    /// Compute node UUID.
    #[wasm_bindgen(getter, unchecked_return_type = "string | null | undefined")]
    pub fn compute_node(&self) -> JsValue {
        self.field("compute_node")
    }
    /// CNS names.
    #[wasm_bindgen(getter, unchecked_return_type = "string[] | undefined")]
    pub fn dns_names(&self) -> JsValue {
        self.field("dns_names")
    }
    /// bhyve: unallocated disk space in MiB.
    #[wasm_bindgen(getter, unchecked_return_type = "number | undefined")]
    pub fn free_space(&self) -> JsValue {
        self.field("free_space")
    }
    /// bhyve: flexible disk package.
    #[wasm_bindgen(getter, unchecked_return_type = "boolean | undefined")]
    pub fn flexible(&self) -> JsValue {
        self.field("flexible")
    }
    /// On an encrypted compute node.
    #[wasm_bindgen(getter, unchecked_return_type = "boolean | undefined")]
    pub fn encrypted(&self) -> JsValue {
        self.field("encrypted")
    }
    /// Has a delegated dataset.
    #[wasm_bindgen(getter, unchecked_return_type = "boolean | undefined")]
    pub fn delegate_dataset(&self) -> JsValue {
        self.field("delegate_dataset")
    }

    /// IPs outside private, shared (100.64/10), loopback and link-local ranges.
    #[wasm_bindgen(getter = publicIps, unchecked_return_type = "string[]")]
    pub fn public_ips(&self) -> JsValue {
        strings(self.typed().map(|m| m.public_ips()).unwrap_or_default())
    }
    /// IPs in RFC 1918, RFC 6598, loopback, link-local or IPv6 ULA ranges.
    #[wasm_bindgen(getter = privateIps, unchecked_return_type = "string[]")]
    pub fn private_ips(&self) -> JsValue {
        strings(self.typed().map(|m| m.private_ips()).unwrap_or_default())
    }
    /// The boot script (`metadata["user-script"]`).
    #[wasm_bindgen(getter = bootScript, unchecked_return_type = "string | undefined")]
    pub fn boot_script(&self) -> JsValue {
        self.typed()
            .and_then(|m| m.boot_script().map(JsValue::from_str))
            .unwrap_or(JsValue::UNDEFINED)
    }

    /// The machine object as CloudAPI returned it.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "MachineData")]
    pub fn to_json(&self) -> JsValue {
        self.state.wire.borrow().clone()
    }

    /// GetMachine again; resolves with this machine, updated.
    #[wasm_bindgen(unchecked_return_type = "Promise<Machine>")]
    pub fn refresh(&self) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let wire = fetch_machine(&state.client, &state.id, None)
                .await
                .or_js()?;
            *state.wire.borrow_mut() = wire;
            Ok(Machine::handle(&state).into())
        })
    }

    /// StartMachine (202); `{ wait }` waits for `running` and resolves with the machine.
    #[wasm_bindgen(unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn start(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        self.action(MachineAction::Start, options, "start(options)")
    }

    /// StopMachine (202); `{ wait }` waits for `stopped` and resolves with the machine.
    #[wasm_bindgen(unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn stop(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        self.action(MachineAction::Stop, options, "stop(options)")
    }

    /// RebootMachine (202; never retried); `{ wait }` waits for its MachineAudit entry.
    #[wasm_bindgen(unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn reboot(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        self.action(MachineAction::Reboot, options, "reboot(options)")
    }

    /// DeleteMachine (204; an already deleted machine resolves too); `{ wait }` waits for `deleted`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn delete(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        let wait = match WaitOptions::from_wait_arg(options.as_ref(), "delete(options)") {
            Ok(w) => w,
            Err(e) => return Promise::reject(&e),
        };
        let state = self.state.clone();
        promise(async move {
            let c = &state.client;
            let req = machines::delete_machine(c.account(), &state.id).or_js()?;
            match c.fetch_empty(&req, None).await {
                Ok(_) => {}
                Err(e) => match gone_wire(&e, &state.id) {
                    Some(wire) => *state.wire.borrow_mut() = wire,
                    None => return Err(to_js(&e)),
                },
            }
            match wait {
                None => Ok(JsValue::UNDEFINED),
                Some(opts) => poll_state(&state, &opts, "deleted", true).await,
            }
        })
    }

    /// Polls until the state is `state` (a 410 Gone counts as `deleted`); resolves with this
    /// machine, rejects with `Timeout` or `Aborted`.
    #[wasm_bindgen(js_name = pollUntil, unchecked_return_type = "Promise<Machine>")]
    pub fn poll_until(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MachineStateName")] state: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.poll(state, options.unwrap_or_default(), true, "pollUntil")
    }

    /// Polls while the state is `state`; resolves with this machine once it changes.
    #[wasm_bindgen(js_name = pollWhile, unchecked_return_type = "Promise<Machine>")]
    pub fn poll_while(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MachineStateName")] state: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.poll(state, options.unwrap_or_default(), false, "pollWhile")
    }

    /// GetMachine again; resolves with the state.
    #[wasm_bindgen(unchecked_return_type = "Promise<MachineStateName>")]
    pub fn status(&self) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let wire = fetch_machine(&state.client, &state.id, None)
                .await
                .or_js()?;
            *state.wire.borrow_mut() = wire;
            Ok(current_state(&state).map_or(JsValue::UNDEFINED, |s| JsValue::from_str(&s)))
        })
    }

    /// GetMachine with `credentials=true`; resolves with `metadata.credentials` (`{}` if none).
    #[wasm_bindgen(unchecked_return_type = "Promise<Record<string, string>>")]
    pub fn credentials(&self) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let c = &state.client;
            let req = machines::get_machine(c.account(), &state.id, true).or_js()?;
            let wire = c
                .fetch_json::<HasId>(&req, "a machine", None)
                .await
                .or_js()?;
            let metadata = get(&wire, "metadata");
            let creds = get(&metadata, "credentials");
            // Why: passwords stay out of the cached wire object (toJSON, console.log).
            let kept = shallow_copy(&wire);
            let _ = Reflect::delete_property(
                kept.unchecked_ref::<Object>(),
                &JsValue::from_str("credentials"),
            );
            if metadata.is_object() {
                let md = shallow_copy(&metadata);
                let _ = Reflect::delete_property(
                    md.unchecked_ref::<Object>(),
                    &JsValue::from_str("credentials"),
                );
                set(&kept, "metadata", &md);
            }
            *state.wire.borrow_mut() = kept;
            Ok(if creds.is_object() {
                creds
            } else {
                Object::new().into()
            })
        })
    }

    /// ResizeMachine to a package (id, name, or an object with `id`/`name`); 202, `{ wait }`
    /// waits for its MachineAudit entry.
    #[wasm_bindgen(unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn resize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Package")] package: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        let pkg = match to_json(&package, "resize(package): package")
            .and_then(|j| api::ident("resize(package): package", &j, true).or_js())
        {
            Ok(p) => p,
            Err(e) => return Promise::reject(&e),
        };
        self.action(
            MachineAction::Resize(pkg),
            options,
            "resize(package, options)",
        )
    }

    /// ListMachineSnapshots.
    #[wasm_bindgen(unchecked_return_type = "Promise<Snapshot[]>")]
    pub fn snapshots(&self) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let req = snapshots::list_snapshots(state.client.account(), &state.id).or_js()?;
            let list = state
                .client
                .fetch_json::<Vec<HasName>>(&req, "a list of snapshots", None)
                .await
                .or_js()?;
            let out = Array::new();
            for wire in list.unchecked_into::<Array>().iter() {
                out.push(&Snapshot::from_wire(state.clone(), wire).or_js()?.into());
            }
            Ok(out.into())
        })
    }

    /// GetMachineSnapshot by name.
    #[wasm_bindgen(unchecked_return_type = "Promise<Snapshot>")]
    pub fn snapshot(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> Promise {
        let name = match string_arg(&name, "snapshot(name): name") {
            Ok(n) => n,
            Err(e) => return Promise::reject(&e),
        };
        let state = self.state.clone();
        promise(async move {
            let wire = super::snapshot::fetch_snapshot(&state, &name, None)
                .await
                .or_js()?;
            Ok(Snapshot::from_wire(state, wire).or_js()?.into())
        })
    }

    /// CreateMachineSnapshot (named by UTC time when `name` is omitted); resolves with it
    /// (`queued`; `{ wait }`: once `created`, rejecting with `JobFailed` if it fails).
    #[wasm_bindgen(js_name = createSnapshot, unchecked_return_type = "Promise<Snapshot>")]
    pub fn create_snapshot(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] name: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg<Snapshot>")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let name = match name.filter(|n| !n.is_undefined() && !n.is_null()) {
            None => None,
            Some(n) => match string_arg(&n, "createSnapshot(name): name") {
                Ok(n) => Some(n),
                Err(e) => return Promise::reject(&e),
            },
        };
        let wait =
            match WaitOptions::from_wait_arg(options.as_ref(), "createSnapshot(name, options)") {
                Ok(w) => w,
                Err(e) => return Promise::reject(&e),
            };
        let state = self.state.clone();
        let req =
            match snapshots::create_snapshot(state.client.account(), &state.id, name.as_deref()) {
                Ok(r) => r,
                Err(e) => return Promise::reject(&to_js(&e)),
            };
        promise(async move {
            let wire = state
                .client
                .fetch_json::<HasName>(&req, "a snapshot", None)
                .await
                .or_js()?;
            let snap = Snapshot::from_wire(state, wire).or_js()?;
            match wait {
                None => Ok(snap.into()),
                Some(opts) => snap.wait_created(&opts).await,
            }
        })
    }

    /// StartMachineFromSnapshot: rolls back to snapshot `name` (202; stop the machine first);
    /// `{ wait }` waits for its MachineAudit entry.
    #[wasm_bindgen(js_name = startFromSnapshot, unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn start_from_snapshot(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        let name = match string_arg(&name, "startFromSnapshot(name): name") {
            Ok(n) => n,
            Err(e) => return Promise::reject(&e),
        };
        let wait = match WaitOptions::from_wait_arg(
            options.as_ref(),
            "startFromSnapshot(name, options)",
        ) {
            Ok(w) => w,
            Err(e) => return Promise::reject(&e),
        };
        rollback(&self.state, &name, wait)
    }

    /// Whether `other` (a Machine, an object with `id`, or an id) is this machine.
    #[wasm_bindgen(unchecked_return_type = "boolean")]
    pub fn equals(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Machine | { id: string } | string")] other: JsValue,
    ) -> bool {
        let id = other.as_string().or_else(|| {
            other
                .is_object()
                .then(|| get(&other, "id").as_string())
                .flatten()
        });
        id.is_some_and(|i| i.eq_ignore_ascii_case(&self.state.id))
    }
}

impl Machine {
    /// A handle on the machine `state` (shares its data with every other handle).
    pub(crate) fn handle(state: &Rc<State>) -> Machine {
        Machine {
            state: state.clone(),
        }
    }

    /// Sends a machine action (built now: bad input rejects before anything is sent); with
    /// `{ wait }` waits for what the action changes and resolves with the machine.
    pub(crate) fn action(
        &self,
        action: MachineAction,
        options: Option<JsValue>,
        what: &'static str,
    ) -> Promise {
        let state = self.state.clone();
        let built = WaitOptions::from_wait_arg(options.as_ref(), what).and_then(|w| {
            let req = machines::machine_action(state.client.account(), &state.id, &action);
            Ok((w, req.or_js()?))
        });
        let (wait, req) = match built {
            Ok(b) => b,
            Err(e) => return Promise::reject(&e),
        };
        promise(async move {
            let audited = match &action {
                MachineAction::Reboot => Some("reboot"),
                MachineAction::Rename(_) => Some("rename"),
                MachineAction::Resize(_) => Some("resize"),
                _ => None,
            };
            let baseline = match (&wait, audited) {
                (Some(_), Some(a)) => audit_baseline(&state, a).await.or_js()?,
                _ => None,
            };
            let answer = state.client.fetch_empty(&req, None).await.or_js()?;
            let Some(opts) = wait else {
                return Ok(JsValue::UNDEFINED);
            };
            let baseline = after_answer(baseline, &answer);
            match (&action, audited) {
                (MachineAction::Rename(name), Some(a)) => {
                    let shows = Some(("name", name.clone()));
                    wait_audit(&state, &opts, a, baseline, shows).await
                }
                (_, Some(a)) => wait_audit(&state, &opts, a, baseline, None).await,
                (MachineAction::Start, _) => poll_state(&state, &opts, "running", true).await,
                (MachineAction::Stop, _) => poll_state(&state, &opts, "stopped", true).await,
                (MachineAction::EnableFirewall, _) => {
                    wait_field(&state, &opts, "firewall_enabled", true).await
                }
                (MachineAction::DisableFirewall, _) => {
                    wait_field(&state, &opts, "firewall_enabled", false).await
                }
                (MachineAction::EnableDeletionProtection, _) => {
                    wait_field(&state, &opts, "deletion_protection", true).await
                }
                (MachineAction::DisableDeletionProtection, _) => {
                    wait_field(&state, &opts, "deletion_protection", false).await
                }
                // Why: the audited actions are answered by the first arm.
                _ => Ok(Machine::handle(&state).into()),
            }
        })
    }

    fn poll(&self, target: JsValue, options: JsValue, until: bool, name: &'static str) -> Promise {
        let (target, opts) =
            match poll_args(&target, &options, name, "machine", machines::MACHINE_STATES) {
                Ok(s) => s,
                Err(e) => return Promise::reject(&e),
            };
        let state = self.state.clone();
        promise(async move { poll_state(&state, &opts, &target, until).await })
    }
}

pub(crate) fn to_json(v: &JsValue, what: &str) -> Result<Json, JsValue> {
    serde_wasm_bindgen::from_value(v.clone())
        .map_err(|e| type_error(format!("{what} is not JSON data: {e}")))
}

/// Validates `pollUntil`/`pollWhile(state, options)` of a `noun` whose states are `states`.
pub(crate) fn poll_args(
    target: &JsValue,
    options: &JsValue,
    name: &'static str,
    noun: &str,
    states: &[&str],
) -> Result<(String, WaitOptions), JsValue> {
    let target = target.as_string().ok_or_else(|| {
        type_error(format!(
            "{name}(state): state must be a string, got {}",
            kind(target)
        ))
    })?;
    if !states.contains(&target.as_str()) {
        return Err(to_js(&Error::invalid_argument(format!(
            "{name}(state): {target:?} is not a {noun} state; use one of {}",
            states.join(", ")
        ))));
    }
    let what = if name == "pollUntil" {
        "pollUntil(state, options)"
    } else {
        "pollWhile(state, options)"
    };
    Ok((target, WaitOptions::parse(options, what)?))
}

/// A property of a JS object (undefined when absent or not an object).
pub(crate) fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A new plain object with the own enumerable properties of `obj`.
pub(crate) fn shallow_copy(obj: &JsValue) -> JsValue {
    let copy = Object::new();
    if let Some(o) = obj.dyn_ref::<Object>() {
        Object::assign(&copy, o);
    }
    copy.into()
}

pub(crate) fn set(obj: &JsValue, key: &str, value: &JsValue) {
    // Why: setting on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// StartMachineFromSnapshot; with a wait, until its `rollback_snapshot` audit entry.
pub(crate) fn rollback(state: &Rc<State>, name: &str, wait: Option<WaitOptions>) -> Promise {
    let req = match snapshots::start_from_snapshot(state.client.account(), &state.id, name) {
        Ok(r) => r,
        Err(e) => return Promise::reject(&to_js(&e)),
    };
    let state = state.clone();
    promise(async move {
        let baseline = match &wait {
            Some(_) => audit_baseline(&state, "rollback_snapshot").await.or_js()?,
            None => None,
        };
        let answer = state.client.fetch_empty(&req, None).await.or_js()?;
        match wait {
            None => Ok(JsValue::UNDEFINED),
            Some(opts) => {
                let baseline = after_answer(baseline, &answer);
                wait_audit(&state, &opts, "rollback_snapshot", baseline, None).await
            }
        }
    })
}
