//! The `Snapshot` class: a machine snapshot's wire object (shown by `toJSON()` and, through the
//! package shim, by `console.log`), getters with the wire names, and refresh/status/delete/
//! start (rollback) and `pollUntil`, which shares the machine's polling loop.

use super::cancel::AbortSignal;
use super::datacenter::promise;
use super::js_error::{OrJs, invalid_response, to_js};
use super::machine::{Machine, State, get, poll_args, rollback};
use super::transport::{HasName, parse_checked};
use super::wait::{Goal, JOB_FAILED, Pollable, WaitOptions, deleted_wire, poll_loop, poll_state};
use crate::api::snapshots;
use crate::error::Error;
use js_sys::Promise;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

struct SnapState {
    machine: Rc<State>,
    name: String,
    wire: RefCell<JsValue>,
}

/// A machine snapshot; getters read the latest data CloudAPI returned.
#[wasm_bindgen]
pub struct Snapshot {
    state: Rc<SnapState>,
}

/// GetMachineSnapshot `name` of the machine `m`, as the wire object.
pub(crate) async fn fetch_snapshot(
    m: &State,
    name: &str,
    signal: Option<&AbortSignal>,
) -> Result<JsValue, Error> {
    let req = snapshots::get_snapshot(m.client.account(), &m.id, name)?;
    let r = m.client.send(&req, &[], signal).await?;
    parse_checked::<HasName>(&r, "a snapshot")
}

impl Snapshot {
    /// A snapshot of the machine `machine` for `wire` (an object with a string `name`).
    pub(crate) fn from_wire(machine: Rc<State>, wire: JsValue) -> Result<Snapshot, Error> {
        let name = get(&wire, "name")
            .as_string()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid_response("CloudAPI returned a snapshot without a name"))?;
        Ok(Snapshot {
            state: Rc::new(SnapState {
                machine,
                name,
                wire: RefCell::new(wire),
            }),
        })
    }

    fn field(&self, name: &str) -> JsValue {
        get(&self.state.wire.borrow(), name)
    }

    /// Waits until the snapshot is `created`; `failed` rejects with `JobFailed`.
    pub(crate) async fn wait_created(&self, opts: &WaitOptions) -> Result<JsValue, JsValue> {
        let goal = Goal::until("created");
        poll_loop(&self.state, opts, goal, async |s: &Rc<SnapState>| {
            match s.current().as_deref() {
                Some("created") => Ok(true),
                Some(bad @ ("failed" | "canceled" | "deleted")) => Err(to_js(&Error::local(
                    JOB_FAILED,
                    format!("{} ended {bad:?} instead of \"created\"", s.label()),
                ))),
                _ => Ok(false),
            }
        })
        .await
    }
}

impl Pollable for Rc<SnapState> {
    fn label(&self) -> String {
        format!("snapshot {:?} of machine {}", self.name, self.machine.id)
    }

    async fn fetch(&self, signal: &AbortSignal, gone_ok: bool) -> Result<(), Error> {
        match fetch_snapshot(&self.machine, &self.name, Some(signal)).await {
            Ok(wire) => *self.wire.borrow_mut() = wire,
            // Why: CloudAPI answers 404 once no job names the snapshot any more.
            Err(e) if gone_ok && e.status_code == 404 => {
                *self.wire.borrow_mut() = deleted_wire("name", &JsValue::from_str(&self.name));
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }

    fn current(&self) -> Option<String> {
        get(&self.wire.borrow(), "state").as_string()
    }

    fn handle(&self) -> JsValue {
        Snapshot {
            state: self.clone(),
        }
        .into()
    }
}

#[wasm_bindgen]
impl Snapshot {
    /// Name.
    #[wasm_bindgen(getter, unchecked_return_type = "string")]
    pub fn name(&self) -> JsValue {
        self.field("name")
    }
    /// queued, running, created, failed, canceled or deleted.
    #[wasm_bindgen(getter, unchecked_return_type = "SnapshotStateName | undefined")]
    pub fn state(&self) -> JsValue {
        self.field("state")
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
    /// Size in MiB (CloudAPI 9.4+).
    #[wasm_bindgen(getter, unchecked_return_type = "number | undefined")]
    pub fn size(&self) -> JsValue {
        self.field("size")
    }
    /// The machine this is a snapshot of.
    #[wasm_bindgen(getter)]
    pub fn machine(&self) -> Machine {
        Machine::handle(&self.state.machine)
    }

    /// The snapshot object as CloudAPI returned it.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "SnapshotData")]
    pub fn to_json(&self) -> JsValue {
        self.state.wire.borrow().clone()
    }

    /// GetMachineSnapshot again; resolves with this snapshot, updated.
    #[wasm_bindgen(unchecked_return_type = "Promise<Snapshot>")]
    pub fn refresh(&self) -> Promise {
        let s = self.state.clone();
        promise(async move {
            let wire = fetch_snapshot(&s.machine, &s.name, None).await.or_js()?;
            *s.wire.borrow_mut() = wire;
            Ok(s.handle())
        })
    }

    /// GetMachineSnapshot again; resolves with the state.
    #[wasm_bindgen(unchecked_return_type = "Promise<SnapshotStateName>")]
    pub fn status(&self) -> Promise {
        let s = self.state.clone();
        promise(async move {
            let wire = fetch_snapshot(&s.machine, &s.name, None).await.or_js()?;
            *s.wire.borrow_mut() = wire;
            Ok(s.current()
                .map_or(JsValue::UNDEFINED, |v| JsValue::from_str(&v)))
        })
    }

    /// DeleteMachineSnapshot (204); `{ wait }` waits until it is `deleted` (or gone).
    #[wasm_bindgen(unchecked_return_type = "Promise<Snapshot | undefined>")]
    pub fn delete(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg<Snapshot>")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let wait = match WaitOptions::from_wait_arg(options.as_ref(), "snapshot.delete(options)") {
            Ok(w) => w,
            Err(e) => return Promise::reject(&e),
        };
        let s = self.state.clone();
        promise(async move {
            let m = &s.machine;
            let req = snapshots::delete_snapshot(m.client.account(), &m.id, &s.name).or_js()?;
            m.client.fetch_empty(&req, None).await.or_js()?;
            match wait {
                None => Ok(JsValue::UNDEFINED),
                Some(opts) => poll_state(&s, &opts, "deleted", true).await,
            }
        })
    }

    /// StartMachineFromSnapshot (roll back; stop the machine first); resolves with the machine
    /// (`{ wait }`: once its MachineAudit entry shows the rollback finished).
    #[wasm_bindgen(unchecked_return_type = "Promise<Machine>")]
    pub fn start(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        let wait = match WaitOptions::from_wait_arg(options.as_ref(), "snapshot.start(options)") {
            Ok(w) => w,
            Err(e) => return Promise::reject(&e),
        };
        let m = self.state.machine.clone();
        let sent = JsFuture::from(rollback(&m, &self.state.name, wait));
        promise(async move {
            sent.await?;
            Ok(Machine::handle(&m).into())
        })
    }

    /// Polls until the state is `state` (a 404 counts as `deleted`); resolves with this
    /// snapshot, rejects with `Timeout` or `Aborted`.
    #[wasm_bindgen(js_name = pollUntil, unchecked_return_type = "Promise<Snapshot>")]
    pub fn poll_until(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SnapshotStateName")] state: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions<Snapshot>")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let (target, opts) = match poll_args(
            &state,
            &options.unwrap_or_default(),
            "pollUntil",
            "snapshot",
            snapshots::SNAPSHOT_STATES,
        ) {
            Ok(s) => s,
            Err(e) => return Promise::reject(&e),
        };
        let s = self.state.clone();
        promise(async move { poll_state(&s, &opts, &target, true).await })
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TS_SNAPSHOT_TYPES: &'static str = r#"
"#;
