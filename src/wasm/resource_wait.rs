//! `{ wait }` for resources other than machines (images, volumes): any resource read back by
//! one GET becomes a `Pollable`, so the machine's `poll_loop` (jittered interval, timeout,
//! signal, onProgress) drives these waits too. A resource that turns `failed` ends the wait
//! at once with a `Failed` error instead of running into the timeout. Also the small helpers
//! the infra methods (images, firewall, fabrics, volumes) share.

use super::datacenter::promise;
use super::js_error::{OrJs, to_js, type_error};
use super::machine::{PollSpec, Pollable, get, poll_loop, poll_spec, set};
use super::options::{Options, kind};
use super::transport::{Client, HasId, JsDecoder, RawResponse, parse_checked};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use crate::response;
use js_sys::{Object, Promise};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The error code of a wait that ended because the resource reported `failed`.
const FAILED: &str = "Failed";

/// Option names of `{ wait: { … } }`.
const WAIT_OPTIONS: &[&str] = &["interval", "timeout", "signal", "onProgress"];

// Why here: a wasm-layer option bag, not a CloudAPI model (the machine helper's shared
// WaitOptions will replace it once it lands; the shape is the same).
#[wasm_bindgen(typescript_custom_section)]
const TS_WAIT: &'static str = r#"
/** How a mutating image or volume call waits (`{ wait: true }` uses the defaults). */
export interface ResourceWaitOptions<T> {
  /** Ms between polls (default 2500, jittered ±20 %). */
  interval?: number;
  /** Give up after this many ms with a `Timeout` error (default 600000; `Infinity` for none). */
  timeout?: number;
  /** Abort the wait (rejects with code `Aborted`). */
  signal?: AbortSignal;
  /** Called with the resource after every poll. */
  onProgress?: (resource: T) => void;
}
"#;

/// What a wait is for: the state to reach, and the resource's name and state list.
pub(crate) struct Goal {
    /// The state that ends the wait.
    pub(crate) target: &'static str,
    /// "image", "volume" (in messages).
    pub(crate) noun: &'static str,
    /// Every state the resource reports.
    pub(crate) states: &'static [&'static str],
}

/// Reads the last `{ wait }` argument of a mutating call (`what` names it, `wait_what` its
/// `wait` member): `None` when the call should not wait.
pub(crate) fn wait_option(
    options: Option<JsValue>,
    what: &'static str,
    wait_what: &'static str,
    goal: &Goal,
) -> Result<Option<PollSpec>, JsValue> {
    let o = Options::new(&options.unwrap_or_default(), what, &["wait"], true)?;
    let Some(w) = o.get("wait")? else {
        return Ok(None);
    };
    let settings = match w.as_bool() {
        Some(false) => return Ok(None),
        Some(true) => JsValue::UNDEFINED,
        None if w.is_object() && !w.is_function() && !js_sys::Array::is_array(&w) => {
            // Why: poll_spec names pollUntil in its messages; checking here first names the
            // option the caller actually wrote.
            let wo = Options::new(&w, wait_what, WAIT_OPTIONS, false)?;
            wo.millis("interval", false)?;
            wo.millis("timeout", true)?;
            wo.signal("signal")?;
            wo.function("onProgress")?;
            w
        }
        None => {
            return Err(type_error(format!(
                "{what}: option wait must be true, false or {{ interval, timeout, signal, \
                 onProgress }}, got {}",
                kind(&w)
            )));
        }
    };
    poll_spec(
        &JsValue::from_str(goal.target),
        &settings,
        true,
        "pollUntil",
        goal.noun,
        goal.states,
    )
    .map(Some)
}

/// A resource being waited for: re-read with `get`, last answer kept in `wire`.
struct Watched {
    client: Rc<Client>,
    label: String,
    get: Request,
    wire: RefCell<JsValue>,
}

impl Pollable for Watched {
    fn label(&self) -> String {
        self.label.clone()
    }

    async fn fetch(&self, signal: &super::cancel::AbortSignal, gone_ok: bool) -> Result<(), Error> {
        let r = self.client.send(&self.get, &[], Some(signal)).await?;
        match parse_checked::<HasId>(&r, &self.label) {
            Ok(wire) => {
                if get(&wire, "state").as_string().as_deref() == Some("failed") {
                    return Err(failed(&self.label, &wire));
                }
                *self.wire.borrow_mut() = wire;
            }
            // Why: a deleted image or volume is simply gone (404), there is no tombstone.
            Err(e) if gone_ok && e.status_code == 404 => {
                let o = Object::new();
                set(&o, "id", &get(&self.wire.borrow(), "id"));
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

/// The `Failed` error for a resource that reported `failed`, with its `error.message` (images
/// say why there) and the resource as `body`.
fn failed(label: &str, wire: &JsValue) -> Error {
    let why = get(&get(wire, "error"), "message")
        .as_string()
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    let mut e = Error::local(FAILED, format!("{label} failed{why}"));
    e.body = serde_wasm_bindgen::from_value::<Json>(wire.clone()).ok();
    e
}

/// Polls `reread` (the GET of the resource `wire`, called `label` in messages) until `spec`'s
/// state; resolves with the last resource object (for `deleted`: `{ id, state }`).
pub(crate) async fn wait_for(
    client: Rc<Client>,
    label: String,
    reread: Request,
    wire: JsValue,
    spec: PollSpec,
) -> Result<JsValue, JsValue> {
    if get(&wire, "state").as_string().as_deref() == Some("failed") {
        return Err(to_js(&failed(&label, &wire)));
    }
    let w = Watched {
        client,
        label,
        get: reread,
        wire: RefCell::new(wire),
    };
    poll_loop(&w, spec).await
}

/// An id argument: a string, or an object (a model, a `Machine`) with a string `id`.
// Why not datacenter.rs's ident_arg: that one is private there and also accepts a `name`,
// while these CloudAPI paths take UUIDs only.
pub(crate) fn id_arg(v: &JsValue, what: &str) -> Result<String, JsValue> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    if v.is_object()
        && let Some(s) = get(v, "id").as_string()
    {
        return Ok(s);
    }
    Err(type_error(format!(
        "{what} must be a UUID string or an object with an id, got {}",
        kind(v)
    )))
}

/// Sends a request built before the call returned (bad input rejects without a request) and
/// resolves with the JSON answer, checked to fit `T` (`expected` names it in errors).
pub(crate) fn send_json<T: serde::de::DeserializeOwned>(
    client: &Rc<Client>,
    req: Result<Request, Error>,
    expected: &'static str,
) -> Promise {
    send_checked(client, req, expected, parse_checked::<T>)
}

/// Like [`send_json`] for calls answered without a body (deletes); resolves with undefined.
pub(crate) fn send_empty(client: &Rc<Client>, req: Result<Request, Error>) -> Promise {
    send_checked(client, req, "no body", |r, _| {
        response::check(r.status, &r.headers, &r.body, &JsDecoder)?;
        Ok(JsValue::UNDEFINED)
    })
}

// Why a function pointer rather than a generic future: every distinct future type costs its
// own copy of the promise machinery in the wasm; one future serves every answer shape.
fn send_checked(
    client: &Rc<Client>,
    req: Result<Request, Error>,
    expected: &'static str,
    check: fn(&RawResponse, &str) -> Result<JsValue, Error>,
) -> Promise {
    let req = match req {
        Ok(r) => r,
        Err(e) => return Promise::reject(&to_js(&e)),
    };
    let c = client.clone();
    promise(async move {
        let r = c.send(&req, &[], None).await.or_js()?;
        check(&r, expected).or_js()
    })
}

/// Sends a create (`expected` names its answer) and resolves with the new resource, or, with a
/// `spec`, polls it with `reread` (GetImage, GetVolume: account and id → request) until the
/// spec's state; the resource is called `noun` in messages.
pub(crate) fn create_and_wait(
    client: &Rc<Client>,
    req: Request,
    expected: &'static str,
    spec: Option<PollSpec>,
    noun: &'static str,
    reread: fn(&str, &str) -> Result<Request, Error>,
) -> Promise {
    let c = client.clone();
    promise(async move {
        let wire = c.fetch_json::<HasId>(&req, expected, None).await.or_js()?;
        let Some(spec) = spec else {
            return Ok(wire);
        };
        let id = get(&wire, "id").as_string().unwrap_or_default();
        let again = reread(c.account(), &id).or_js()?;
        wait_for(c, format!("{noun} {id}"), again, wire, spec).await
    })
}

/// An options or fields object that is required: undefined/null is a `TypeError` showing
/// what to pass.
pub(crate) fn required(v: &JsValue, what: &str, hint: &str) -> Result<(), JsValue> {
    if v.is_undefined() || v.is_null() {
        return Err(type_error(format!("{what} is required ({hint})")));
    }
    Ok(())
}
