//! `{ wait }` for resources other than machines (images, volumes): any resource read back by
//! one GET becomes a `Pollable` of the shared wait loop (wait.rs: jittered interval, timeout,
//! signal, onProgress). A resource that turns `failed` ends the wait at once with `JobFailed`
//! instead of running into the timeout. Also the small helpers the infra methods (images,
//! firewall, fabrics, volumes) share.

use super::datacenter::promise;
use super::gate;
use super::js_error::{OrJs, to_js, type_error};
use super::machine::get;
use super::transport::{Client, HasId, JsDecoder, RawResponse, parse_checked};
use super::wait::{Goal, JOB_FAILED, Pollable, WaitOptions, deleted_wire, poll_loop};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use crate::response;
use js_sys::Promise;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

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
            Ok(wire) => *self.wire.borrow_mut() = wire,
            // Why: a deleted image or volume is simply gone (404), there is no tombstone.
            Err(e) if gone_ok && (e.status_code == 404 || e.status_code == 410) => {
                let id = get(&self.wire.borrow(), "id");
                *self.wire.borrow_mut() = deleted_wire("id", &id);
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

/// The `JobFailed` error for a resource that reported `failed`, with its `error.message`
/// (images say why there) and the resource as `body`.
fn failed(label: &str, wire: &JsValue) -> Error {
    let why = get(&get(wire, "error"), "message")
        .as_string()
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    let mut e = Error::local(JOB_FAILED, format!("{label} failed{why}"));
    e.body = serde_wasm_bindgen::from_value::<Json>(wire.clone()).ok();
    e
}

/// Polls `reread` (the GET of the resource `wire`, called `label` in messages) until its
/// state is `target`; resolves with the last resource object (for `deleted`: `{ id, state }`).
pub(crate) async fn wait_for(
    client: Rc<Client>,
    label: String,
    reread: Request,
    wire: JsValue,
    target: &'static str,
    opts: WaitOptions,
) -> Result<JsValue, JsValue> {
    let w = Watched {
        client,
        label,
        get: reread,
        wire: RefCell::new(wire),
    };
    poll_loop(
        &w,
        &opts,
        Goal::until(target),
        async |w: &Watched| match w.current().as_deref() {
            Some(s) if s == target => Ok(true),
            Some("failed") => Err(to_js(&failed(&w.label, &w.wire.borrow()))),
            _ => Ok(false),
        },
    )
    .await
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

/// Sends a create (`expected` names its answer) and resolves with the new resource, or, with
/// `wait`, polls it with `reread` (GetImage, GetVolume: account and id → request) until its
/// state is `target`; the resource is called `noun` in messages. `gated` (`(call, feature)`)
/// first checks that the server has the feature (`NotSupported` before the request if not).
pub(crate) fn create_and_wait(
    client: &Rc<Client>,
    req: Request,
    (expected, gated): (&'static str, Option<(&'static str, &'static str)>),
    wait: Option<WaitOptions>,
    (noun, target): (&'static str, &'static str),
    reread: fn(&str, &str) -> Result<Request, Error>,
) -> Promise {
    let c = client.clone();
    promise(async move {
        if let Some((call, feature)) = gated {
            gate::require(&c, call, feature).await.or_js()?;
        }
        let wire = c.fetch_json::<HasId>(&req, expected, None).await.or_js()?;
        let Some(opts) = wait else {
            return Ok(wire);
        };
        let id = get(&wire, "id").as_string().unwrap_or_default();
        let again = reread(c.account(), &id).or_js()?;
        wait_for(c, format!("{noun} {id}"), again, wire, target, opts).await
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
