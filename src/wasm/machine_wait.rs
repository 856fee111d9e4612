//! What `{ wait }` waits for after a machine write: a state (start, stop, delete), a field
//! (firewall, deletion protection), an audit entry for the action (reboot, rename, resize,
//! rollback — as node-triton does), a tags/metadata read that shows the write, or a
//! sub-resource (NIC, disk, migration) reaching a state. All of them run in `poll_loop`.

use super::cancel::AbortSignal;
use super::datacenter::fetch_machine;
use super::js_error::to_js;
use super::machine::{Machine, State, get, set};
use super::transport::{Client, RawResponse};
use super::wait::{Goal, JOB_FAILED, Pollable, WaitOptions, deleted_wire, poll_loop};
use crate::api::machines::{self, AuditEntry};
use crate::api::scalar_text;
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use js_sys::Object;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

impl Pollable for Rc<State> {
    fn label(&self) -> String {
        format!("machine {}", self.id)
    }

    async fn fetch(&self, signal: &AbortSignal, gone_ok: bool) -> Result<(), Error> {
        match fetch_machine(&self.client, &self.id, Some(signal)).await {
            Ok(wire) => *self.wire.borrow_mut() = wire,
            // Why: once a deleted machine's tombstone expires, CloudAPI answers 404.
            Err(e) if gone_ok && e.status_code == 404 => {
                *self.wire.borrow_mut() = deleted_wire("id", &JsValue::from_str(&self.id));
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }

    fn current(&self) -> Option<String> {
        get(&self.wire.borrow(), "state").as_string()
    }

    fn handle(&self) -> JsValue {
        Machine::handle(self).into()
    }
}

/// Waits until the machine's wire field `field` is `value` (firewall, deletion protection).
pub(crate) async fn wait_field(
    m: &Rc<State>,
    opts: &WaitOptions,
    field: &'static str,
    value: bool,
) -> Result<JsValue, JsValue> {
    let goal = Goal {
        describe: format!("show {field} = {value}"),
        gone_ok: false,
    };
    poll_loop(m, opts, goal, async |m: &Rc<State>| {
        Ok(get(&m.wire.borrow(), field).as_bool() == Some(value))
    })
    .await
}

/// MachineAudit, decoded (newest first).
async fn audit_entries(m: &State, signal: Option<&AbortSignal>) -> Result<Vec<AuditEntry>, Error> {
    let req = machines::machine_audit(m.client.account(), &m.id)?;
    let list = m
        .client
        .fetch_json::<Vec<AuditEntry>>(&req, "a list of audit entries", signal)
        .await?;
    serde_wasm_bindgen::from_value(list)
        .map_err(|e| super::js_error::invalid_response(format!("audit entries: {e}")))
}

/// The `time` of the newest audit entry for `action` before acting (the baseline a wait
/// compares against: the server's clock, never the local one).
pub(crate) async fn audit_baseline(m: &State, action: &str) -> Result<Option<String>, Error> {
    let entries = audit_entries(m, None).await?;
    Ok(machines::audit_after(&entries, action, None).and_then(|e| e.time.clone()))
}

/// The later of the audit baseline read before acting and the server's `Date` of the
/// action's answer (as ISO 8601, the audit's format): a job this call started ends after both.
// Why both: a browser may not expose `Date` across origins, and the pre-read alone accepts a
// same-action job that was still pending when it was read.
pub(crate) fn after_answer(baseline: Option<String>, r: &RawResponse) -> Option<String> {
    let answered = crate::response::header(&r.headers, "date")
        .map(js_sys::Date::parse)
        .filter(|ms| ms.is_finite())
        .and_then(|ms| {
            js_sys::Date::new(&JsValue::from_f64(ms))
                .to_iso_string()
                .as_string()
        });
    match (baseline, answered) {
        (Some(b), Some(a)) => Some(if a > b { a } else { b }),
        (b, a) => b.or(a),
    }
}

/// A machine watched through its audit log (GetMachine too, so `onProgress` sees it fresh).
struct AuditWatch {
    m: Rc<State>,
    action: &'static str,
    baseline: Option<String>,
    found: RefCell<Option<AuditEntry>>,
}

impl Pollable for AuditWatch {
    fn label(&self) -> String {
        self.m.label()
    }

    async fn fetch(&self, signal: &AbortSignal, gone_ok: bool) -> Result<(), Error> {
        let entries = audit_entries(&self.m, Some(signal)).await?;
        *self.found.borrow_mut() =
            machines::audit_after(&entries, self.action, self.baseline.as_deref()).cloned();
        self.m.fetch(signal, gone_ok).await
    }

    fn current(&self) -> Option<String> {
        self.m.current()
    }

    fn handle(&self) -> JsValue {
        self.m.handle()
    }
}

/// Waits for a MachineAudit entry for `action` newer than `baseline` and, when `shows` is
/// given, for the machine's field to read that text; `success: "no"` rejects with `JobFailed`.
// Why `shows`: an earlier job of the same action still pending when the baseline was read
// lands after it and would otherwise end the wait before this call's job ran.
pub(crate) async fn wait_audit(
    m: &Rc<State>,
    opts: &WaitOptions,
    action: &'static str,
    baseline: Option<String>,
    shows: Option<(&'static str, String)>,
) -> Result<JsValue, JsValue> {
    let w = AuditWatch {
        m: m.clone(),
        action,
        baseline,
        found: RefCell::new(None),
    };
    let goal = Goal {
        describe: format!("log a finished {action:?} job in its audit"),
        gone_ok: false,
    };
    poll_loop(&w, opts, goal, async |w: &AuditWatch| {
        match w.found.borrow().as_ref() {
            None => Ok(false),
            Some(e) if e.success.as_deref() == Some("no") => Err(to_js(&Error::local(
                JOB_FAILED,
                format!(
                    "the {action} job of machine {} failed (audit entry at {})",
                    w.m.id,
                    e.time.as_deref().unwrap_or("an unknown time")
                ),
            ))),
            Some(_) => Ok(shows.as_ref().is_none_or(|(field, want)| {
                get(&w.m.wire.borrow(), field).as_string().as_deref() == Some(want.as_str())
            })),
        }
    })
    .await
}

/// What a tags/metadata read must show for a write to count as applied.
pub(crate) enum Expect {
    /// Every pair is present with that value (merging writes).
    Has(Vec<(String, Json)>),
    /// Exactly these pairs (replacing writes).
    Exactly(Vec<(String, Json)>),
    /// No key `gone` picks is present (deletes).
    Lacks(Box<dyn Fn(&str) -> bool>),
}

impl Expect {
    fn holds(&self, map: &BTreeMap<String, Json>) -> bool {
        // Why: CloudAPI may store metadata values as text, so values compare as their text.
        let same = |k: &String, v: &Json| {
            map.get(k)
                .and_then(scalar_text)
                .is_some_and(|t| Some(t) == scalar_text(v))
        };
        match self {
            Expect::Has(pairs) => pairs.iter().all(|(k, v)| same(k, v)),
            Expect::Exactly(pairs) => {
                map.len() == pairs.len() && pairs.iter().all(|(k, v)| same(k, v))
            }
            Expect::Lacks(gone) => !map.keys().any(|k| gone(k)),
        }
    }
}

/// A machine's tags or metadata, read with `req` (ListMachineTags/ListMachineMetadata).
struct MapWatch {
    m: Rc<State>,
    field: &'static str,
    req: Request,
    map: RefCell<BTreeMap<String, Json>>,
}

impl Pollable for MapWatch {
    fn label(&self) -> String {
        format!("the {} of machine {}", self.field, self.m.id)
    }

    async fn fetch(&self, signal: &AbortSignal, _gone_ok: bool) -> Result<(), Error> {
        let map = self
            .m
            .client
            .fetch_json::<BTreeMap<String, Json>>(&self.req, "a map", Some(signal))
            .await?;
        *self.map.borrow_mut() = serde_wasm_bindgen::from_value(map.clone())
            .map_err(|e| super::js_error::invalid_response(format!("{}: {e}", self.field)))?;
        super::machine_meta::store_field(&self.m, self.field, &map);
        Ok(())
    }

    fn current(&self) -> Option<String> {
        self.m.current()
    }

    fn handle(&self) -> JsValue {
        self.m.handle()
    }
}

/// Waits until a `list` read of the machine's `field` shows `expect`; resolves with the map.
pub(crate) async fn wait_map(
    m: &Rc<State>,
    opts: &WaitOptions,
    field: &'static str,
    list: Request,
    expect: Expect,
) -> Result<JsValue, JsValue> {
    let w = MapWatch {
        m: m.clone(),
        field,
        req: list,
        map: RefCell::new(BTreeMap::new()),
    };
    let goal = Goal {
        describe: "show the change".into(),
        gone_ok: false,
    };
    poll_loop(&w, opts, goal, async |w: &MapWatch| {
        Ok(expect.holds(&w.map.borrow()))
    })
    .await?;
    Ok(get(&m.wire.borrow(), field))
}

/// A sub-resource read with one GET (a NIC, a disk, a migration); its `state` field is its
/// state, and a 404 while waiting for its removal reads as `deleted`.
pub(crate) struct Remote {
    pub(crate) client: Rc<Client>,
    pub(crate) label: String,
    pub(crate) req: Request,
    pub(crate) wire: RefCell<JsValue>,
}

impl Pollable for Remote {
    fn label(&self) -> String {
        self.label.clone()
    }

    async fn fetch(&self, signal: &AbortSignal, gone_ok: bool) -> Result<(), Error> {
        match self
            .client
            .fetch_json::<BTreeMap<String, Json>>(&self.req, "an object", Some(signal))
            .await
        {
            Ok(w) => *self.wire.borrow_mut() = w,
            // Why: a removed NIC or disk, or a finalized migration, is simply not found.
            Err(e) if gone_ok && e.status_code == 404 => {
                let o = Object::new();
                set(&o, "state", &JsValue::from_str("deleted"));
                *self.wire.borrow_mut() = o.into();
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }

    fn current(&self) -> Option<String> {
        get(&self.wire.borrow(), "state").as_string()
    }

    fn handle(&self) -> JsValue {
        self.wire.borrow().clone()
    }
}

/// Waits until `r` is in one of `done` (resolving with it) or one of `failed` (rejecting
/// with `JobFailed`); `describe` names the goal in a timeout message.
pub(crate) async fn wait_remote(
    r: &Remote,
    opts: &WaitOptions,
    describe: &str,
    gone_ok: bool,
    done: impl Fn(&str) -> bool,
    failed: &[&str],
) -> Result<JsValue, JsValue> {
    let goal = Goal {
        describe: describe.into(),
        gone_ok,
    };
    poll_loop(r, opts, goal, async |r: &Remote| {
        let now = r.current().unwrap_or_default();
        if failed.contains(&now.as_str()) {
            return Err(to_js(&Error::local(
                JOB_FAILED,
                format!(
                    "{} ended {now:?} while waiting for it to {describe}",
                    r.label
                ),
            )));
        }
        Ok(done(&now))
    })
    .await
}
