//! Deadlines and cancellation with the host's `AbortController`, `setTimeout` and
//! `clearTimeout` (present in Node ≥ 15, browsers and workers; bound as globals, never via
//! `window`). A [`Scope`] owns one controller that aborts when its deadline passes or when a
//! parent signal (the user's, or an enclosing scope's) aborts, and says which one it was.

use crate::error::{Error, codes};
use js_sys::{Function, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// The host's `AbortSignal`.
    #[derive(Clone)]
    pub type AbortSignal;
    #[wasm_bindgen(method, getter)]
    fn aborted(this: &AbortSignal) -> bool;
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_event_listener(this: &AbortSignal, kind: &str, listener: &Function);
    #[wasm_bindgen(method, js_name = removeEventListener)]
    fn remove_event_listener(this: &AbortSignal, kind: &str, listener: &Function);

    #[derive(Clone)]
    type AbortController;
    #[wasm_bindgen(constructor, catch)]
    fn new() -> Result<AbortController, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> AbortSignal;
    #[wasm_bindgen(method)]
    fn abort(this: &AbortController);

    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Whether `v` looks like an `AbortSignal` (a boolean `aborted` and `addEventListener`).
pub fn is_signal(v: &JsValue) -> bool {
    let has = |k: &str| Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    v.is_object() && has("aborted").as_bool().is_some() && has("addEventListener").is_function()
}

impl AbortSignal {
    /// Whether it has fired.
    pub fn is_aborted(&self) -> bool {
        self.aborted()
    }
}

/// The largest delay `setTimeout` honours (2^31 − 1 ms); longer ones fire at once.
const MAX_DELAY_MS: f64 = 2_147_483_647.0;

/// One cancellable operation: aborts its signal at the deadline or when the parent aborts.
pub struct Scope {
    controller: AbortController,
    timed_out: Rc<Cell<bool>>,
    timer: Option<(JsValue, Closure<dyn FnMut()>)>,
    parent: Option<(AbortSignal, Closure<dyn FnMut()>)>,
    timeout_ms: f64,
}

impl Scope {
    /// A scope that times out after `timeout_ms` (none when infinite) and follows `parent`.
    pub fn new(timeout_ms: f64, parent: Option<&AbortSignal>) -> Result<Scope, Error> {
        let controller = AbortController::new().map_err(|e| {
            super::js_error::from_js(
                codes::NOT_SUPPORTED,
                "this JS host has no AbortController",
                &e,
            )
        })?;
        let timed_out = Rc::new(Cell::new(false));
        let mut scope = Scope {
            controller,
            timed_out: timed_out.clone(),
            timer: None,
            parent: None,
            timeout_ms,
        };
        if let Some(p) = parent {
            if p.is_aborted() {
                scope.controller.abort();
            } else {
                let ctl = scope.controller.clone();
                let on_abort = Closure::<dyn FnMut()>::new(move || ctl.abort());
                p.add_event_listener("abort", on_abort.as_ref().unchecked_ref());
                scope.parent = Some((p.clone(), on_abort));
            }
        }
        if timeout_ms.is_finite() {
            let ctl = scope.controller.clone();
            let fire = Closure::<dyn FnMut()>::new(move || {
                timed_out.set(true);
                ctl.abort();
            });
            let id = set_timeout(fire.as_ref().unchecked_ref(), timeout_ms.min(MAX_DELAY_MS));
            scope.timer = Some((id, fire));
        }
        Ok(scope)
    }

    /// The signal to hand to `fetch` and to nested scopes.
    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Whether the deadline passed or the parent aborted.
    pub fn is_done(&self) -> bool {
        self.signal().is_aborted()
    }

    /// If the scope ended, the error saying why (`Timeout` or `Aborted`), for `what`.
    pub fn ended(&self, what: &str) -> Option<Error> {
        if !self.is_done() {
            None
        } else if self.timed_out.get() {
            Some(Error::local(
                codes::TIMEOUT,
                format!("{what} did not finish within {}", seconds(self.timeout_ms)),
            ))
        } else {
            Some(Error::local(
                codes::ABORTED,
                format!("{what} was aborted by its AbortSignal"),
            ))
        }
    }

    /// Sleeps `ms`, waking early (with `Timeout`/`Aborted`) when the scope ends.
    pub async fn sleep(&self, ms: f64, what: &str) -> Result<(), Error> {
        if let Some(e) = self.ended(what) {
            return Err(e);
        }
        let resolver: Rc<RefCell<Option<Function>>> = Rc::new(RefCell::new(None));
        let promise = Promise::new(&mut |resolve: Function, _reject: Function| {
            *resolver.borrow_mut() = Some(resolve);
        });
        let wake = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = resolver.borrow().as_ref() {
                let _ = f.call0(&JsValue::UNDEFINED);
            }
        });
        let signal = self.signal();
        signal.add_event_listener("abort", wake.as_ref().unchecked_ref());
        let id = set_timeout(wake.as_ref().unchecked_ref(), ms.clamp(0.0, MAX_DELAY_MS));
        let guard = SleepGuard { id, signal, wake };
        // Why: `wake` only resolves, so the promise never rejects.
        let _ = JsFuture::from(promise).await;
        drop(guard);
        match self.ended(what) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Awaits `promise`, waking early when the scope ends: `resolve` (the promise's own
    /// resolver) is registered as the signal's abort listener for the duration.
    pub async fn until(&self, promise: Promise, resolve: &Function) {
        let signal = self.signal();
        signal.add_event_listener("abort", resolve);
        if !signal.is_aborted() {
            // Why: the promise only ever resolves (its resolver is all that is handed out).
            let _ = JsFuture::from(promise).await;
        }
        signal.remove_event_listener("abort", resolve);
    }
}

/// Clears a sleep's timer and abort listener before its closure is dropped, so JS can never
/// call a dropped closure (which would throw from a timer callback).
struct SleepGuard {
    id: JsValue,
    signal: AbortSignal,
    wake: Closure<dyn FnMut()>,
}

impl Drop for SleepGuard {
    fn drop(&mut self) {
        clear_timeout(&self.id);
        self.signal
            .remove_event_listener("abort", self.wake.as_ref().unchecked_ref());
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        if let Some((id, _)) = &self.timer {
            clear_timeout(id);
        }
        if let Some((p, f)) = &self.parent {
            p.remove_event_listener("abort", f.as_ref().unchecked_ref());
        }
    }
}

/// `1.5 s`, `250 ms` for messages.
pub fn seconds(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{} s", (ms / 100.0).round() / 10.0)
    } else {
        format!("{} ms", ms.round())
    }
}

/// Milliseconds since the epoch, from the host clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
