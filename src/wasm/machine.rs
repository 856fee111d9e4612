//! The `Machine` class: the wire object CloudAPI returned (shown by `toJSON()` and, through
//! the package shim, by `console.log`), getters with the wire names, IP conveniences, actions
//! and waiters. Copies returned by `refresh()`/`pollUntil()` share one state, so every handle
//! on a machine sees its latest data.

use super::cancel::{AbortSignal, Scope};
use super::datacenter::{fetch_machine, promise};
use super::js_error::{OrJs, invalid_response, json_to_js, to_js, type_error};
use super::options::{Options, kind};
use super::transport::Client;
use crate::api::machines::{self, MachineAction};
use crate::error::{Error, codes};
use crate::json::Json;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Default interval between polls (jittered ±20 % so many waiters do not poll in step).
const DEFAULT_INTERVAL_MS: f64 = 2_500.0;
/// Default deadline of a wait.
const DEFAULT_WAIT_TIMEOUT_MS: f64 = 600_000.0;

struct State {
    client: Rc<Client>,
    id: String,
    wire: RefCell<JsValue>,
}

/// A machine (instance); getters read the latest data CloudAPI returned.
#[wasm_bindgen]
pub struct Machine {
    state: Rc<State>,
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

    fn handle(state: &Rc<State>) -> Machine {
        Machine {
            state: state.clone(),
        }
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
    Reflect::get(&state.wire.borrow(), &JsValue::from_str("state"))
        .ok()
        .and_then(|v| v.as_string())
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
    /// Disk in MiB.
    #[wasm_bindgen(getter, unchecked_return_type = "number | undefined")]
    pub fn disk(&self) -> JsValue {
        self.field("disk")
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
    /// NICs: `{ mac, ip, primary, gateway, netmask, state, network }`.
    #[wasm_bindgen(getter, unchecked_return_type = "Nic[] | undefined")]
    pub fn nics(&self) -> JsValue {
        self.field("nics")
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
    /// The `credentials` echo CloudAPI includes.
    #[wasm_bindgen(getter, unchecked_return_type = "unknown")]
    pub fn credentials(&self) -> JsValue {
        self.field("credentials")
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
    /// bhyve disks.
    #[wasm_bindgen(getter, unchecked_return_type = "Disk[] | undefined")]
    pub fn disks(&self) -> JsValue {
        self.field("disks")
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

    /// StartMachine (202; poll for `running`).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn start(&self) -> Promise {
        self.action(MachineAction::Start)
    }

    /// StopMachine (202; poll for `stopped`).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn stop(&self) -> Promise {
        self.action(MachineAction::Stop)
    }

    /// RebootMachine (202; never retried automatically).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn reboot(&self) -> Promise {
        self.action(MachineAction::Reboot)
    }

    /// DeleteMachine (204; an already deleted machine resolves too). Poll for `deleted`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete(&self) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let c = &state.client;
            let req = machines::delete_machine(c.account(), &state.id).or_js()?;
            match c.fetch_empty(&req, None).await {
                Ok(_) => Ok(JsValue::UNDEFINED),
                Err(e) => match gone_wire(&e, &state.id) {
                    Some(wire) => {
                        *state.wire.borrow_mut() = wire;
                        Ok(JsValue::UNDEFINED)
                    }
                    None => Err(to_js(&e)),
                },
            }
        })
    }

    /// Polls until the state is `state` (a 410 Gone counts as `deleted`); resolves with this
    /// machine, rejects with `Timeout` or `Aborted`.
    #[wasm_bindgen(js_name = pollUntil, unchecked_return_type = "Promise<Machine>")]
    pub fn poll_until(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MachineStateName")] state: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "PollOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.poll(state, options.unwrap_or_default(), true, "pollUntil")
    }

    /// Polls while the state is `state`; resolves with this machine once it changes.
    #[wasm_bindgen(js_name = pollWhile, unchecked_return_type = "Promise<Machine>")]
    pub fn poll_while(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MachineStateName")] state: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "PollOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.poll(state, options.unwrap_or_default(), false, "pollWhile")
    }
}

/// What a wait was asked to do.
struct PollSpec {
    target: String,
    until: bool,
    interval_ms: f64,
    timeout_ms: f64,
    signal: Option<AbortSignal>,
    on_progress: Option<Function>,
}

impl Machine {
    fn action(&self, action: MachineAction) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let c = &state.client;
            let req = machines::machine_action(c.account(), &state.id, &action).or_js()?;
            c.fetch_empty(&req, None).await.or_js()?;
            Ok(JsValue::UNDEFINED)
        })
    }

    fn poll(&self, target: JsValue, options: JsValue, until: bool, name: &'static str) -> Promise {
        let spec = match poll_spec(&target, &options, until, name) {
            Ok(s) => s,
            Err(e) => return Promise::reject(&e),
        };
        let state = self.state.clone();
        promise(async move { poll_loop(state, spec).await })
    }
}

fn poll_spec(
    target: &JsValue,
    options: &JsValue,
    until: bool,
    name: &'static str,
) -> Result<PollSpec, JsValue> {
    let target = target.as_string().ok_or_else(|| {
        type_error(format!(
            "{name}(state): state must be a string, got {}",
            kind(target)
        ))
    })?;
    if !machines::MACHINE_STATES.contains(&target.as_str()) {
        return Err(to_js(&Error::invalid_argument(format!(
            "{name}(state): {target:?} is not a machine state; use one of {}",
            machines::MACHINE_STATES.join(", ")
        ))));
    }
    let what = if until {
        "pollUntil(state, options)"
    } else {
        "pollWhile(state, options)"
    };
    let o = Options::new(
        options,
        what,
        &["interval", "timeout", "signal", "onProgress"],
        true,
    )?;
    Ok(PollSpec {
        target,
        until,
        interval_ms: o.millis("interval", false)?.unwrap_or(DEFAULT_INTERVAL_MS),
        timeout_ms: o
            .millis("timeout", true)?
            .unwrap_or(DEFAULT_WAIT_TIMEOUT_MS),
        signal: o.signal("signal")?,
        on_progress: o.function("onProgress")?,
    })
}

async fn poll_loop(state: Rc<State>, spec: PollSpec) -> Result<JsValue, JsValue> {
    let scope = Scope::new(spec.timeout_ms, spec.signal.as_ref()).or_js()?;
    let verb = if spec.until { "become" } else { "leave" };
    let ended = |scope: &Scope| {
        let last = current_state(&state).unwrap_or_else(|| "unknown".into());
        scope.ended("").map(|e| {
            let message = if e.code == codes::TIMEOUT {
                format!(
                    "machine {} did not {verb} {:?} within {} (last state: {last})",
                    state.id,
                    spec.target,
                    super::cancel::seconds(spec.timeout_ms)
                )
            } else {
                format!(
                    "waiting for machine {} to {verb} {:?} was aborted (last state: {last})",
                    state.id, spec.target
                )
            };
            to_js(&Error::local(&e.code, message))
        })
    };
    loop {
        match fetch_machine(&state.client, &state.id, Some(&scope.signal())).await {
            Ok(wire) => *state.wire.borrow_mut() = wire,
            Err(e) => {
                if let Some(end) = ended(&scope) {
                    return Err(end);
                }
                // Why: once a deleted machine's tombstone expires, CloudAPI answers 404.
                let gone = e.status_code == 404 && spec.target == "deleted" && spec.until;
                if !gone {
                    return Err(to_js(&e));
                }
                let o = Object::new();
                set(&o, "id", &JsValue::from_str(&state.id));
                set(&o, "state", &JsValue::from_str("deleted"));
                *state.wire.borrow_mut() = o.into();
            }
        }
        if let Some(f) = &spec.on_progress {
            f.call1(&JsValue::UNDEFINED, &Machine::handle(&state).into())?;
        }
        let now = current_state(&state);
        let reached = if spec.until {
            now.as_deref() == Some(spec.target.as_str())
        } else {
            now.as_deref() != Some(spec.target.as_str())
        };
        if reached {
            return Ok(Machine::handle(&state).into());
        }
        let jitter = 0.8 + 0.4 * js_sys::Math::random();
        if scope.sleep(spec.interval_ms * jitter, "").await.is_err() {
            return Err(ended(&scope).unwrap_or_else(|| {
                to_js(&Error::local(codes::ABORTED, "the wait was interrupted"))
            }));
        }
    }
}

fn set(obj: &JsValue, key: &str, value: &JsValue) {
    // Why: setting on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}
