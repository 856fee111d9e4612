//! The shared wait plumbing: `WaitOptions` (`{ interval, timeout, signal, onProgress }`), the
//! trailing `{ wait: true | WaitOptions }` argument of mutating calls, and the one polling
//! loop every waiter uses (machines, snapshots, images, volumes, NICs, disks, …): fetch,
//! report progress, check, sleep a jittered interval; `Timeout`/`Aborted` end it at once.

use super::cancel::{AbortSignal, Scope, seconds};
use super::js_error::{OrJs, to_js, type_error};
use super::options::{Options, kind};
use crate::error::{Error, codes};
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Default interval between polls (jittered ±20 % so many waiters do not poll in step).
pub(crate) const DEFAULT_INTERVAL_MS: f64 = 2_500.0;
/// Default deadline of a wait.
pub(crate) const DEFAULT_TIMEOUT_MS: f64 = 600_000.0;
/// The code of a wait that ended because the job it waited for failed (an audit entry with
/// `success: "no"`, a snapshot or migration in state `failed`).
pub(crate) const JOB_FAILED: &str = "JobFailed";
/// The option names of a `WaitOptions` object.
pub(crate) const WAIT_OPTIONS: &[&str] = &["interval", "timeout", "signal", "onProgress"];

/// How to wait: poll interval, deadline, cancellation and a progress callback.
#[derive(Clone)]
pub(crate) struct WaitOptions {
    pub(crate) interval_ms: f64,
    pub(crate) timeout_ms: f64,
    pub(crate) signal: Option<AbortSignal>,
    pub(crate) on_progress: Option<Function>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            interval_ms: DEFAULT_INTERVAL_MS,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            signal: None,
            on_progress: None,
        }
    }
}

impl WaitOptions {
    /// A `WaitOptions` object (undefined/null → defaults); `what` names it in errors.
    /// Unknown names, a non-positive or NaN `interval`/`timeout` are `TypeError`s.
    pub(crate) fn parse(v: &JsValue, what: &'static str) -> Result<WaitOptions, JsValue> {
        let o = Options::new(v, what, WAIT_OPTIONS, true)?;
        WaitOptions::read(&o)
    }

    /// The `WaitOptions` keys of an already checked options object (for option bags that
    /// add their own names, e.g. `migrate(action, { affinity, …WaitOptions })`).
    pub(crate) fn read(o: &Options) -> Result<WaitOptions, JsValue> {
        Ok(WaitOptions {
            interval_ms: o.millis("interval", false)?.unwrap_or(DEFAULT_INTERVAL_MS),
            timeout_ms: o.millis("timeout", true)?.unwrap_or(DEFAULT_TIMEOUT_MS),
            signal: o.signal("signal")?,
            on_progress: o.function("onProgress")?,
        })
    }

    /// The trailing `{ wait?: boolean | WaitOptions }` argument of a mutating call: `None`
    /// when absent or `wait: false`; `what` names the call (`"start(options)"`).
    pub(crate) fn from_wait_arg(
        v: Option<&JsValue>,
        what: &'static str,
    ) -> Result<Option<WaitOptions>, JsValue> {
        let Some(v) = v else { return Ok(None) };
        let o = Options::new(v, what, &["wait"], true)?;
        WaitOptions::from_wait_value(o.get("wait")?, what)
    }

    /// The value of a `wait` option: `true` (defaults), `false`, or a `WaitOptions` object.
    pub(crate) fn from_wait_value(
        w: Option<JsValue>,
        what: &'static str,
    ) -> Result<Option<WaitOptions>, JsValue> {
        match w {
            None => Ok(None),
            Some(w) if w.as_bool() == Some(false) => Ok(None),
            Some(w) if w.as_bool() == Some(true) => Ok(Some(WaitOptions::default())),
            Some(w) if w.is_object() && !w.is_function() && !js_sys::Array::is_array(&w) => {
                WaitOptions::parse(&w, what).map(Some)
            }
            Some(w) => Err(type_error(format!(
                "{what}: option wait must be a boolean or {{ interval, timeout, signal, \
                 onProgress }}, got {}",
                kind(&w)
            ))),
        }
    }
}

/// What a resource reads as once CloudAPI answers 404 for it: `{ <key>: id, state: "deleted" }`.
pub(crate) fn deleted_wire(key: &str, id: &JsValue) -> JsValue {
    let o = js_sys::Object::new();
    super::machine::set(&o, key, id);
    super::machine::set(&o, "state", &JsValue::from_str("deleted"));
    o.into()
}

/// Something the loop can wait on.
pub(crate) trait Pollable {
    /// How errors name it (`machine <id>`).
    fn label(&self) -> String;
    /// Fetches the latest data within `signal`; `gone_ok`: a 404/410 means it is deleted
    /// (the implementation records that as its state instead of failing).
    async fn fetch(&self, signal: &AbortSignal, gone_ok: bool) -> Result<(), Error>;
    /// The state last seen, for messages and state goals.
    fn current(&self) -> Option<String>;
    /// A JS handle on it, for `onProgress` and the result.
    fn handle(&self) -> JsValue;
}

/// What a wait is for: `describe` completes "did not …" in messages (`become "running"`);
/// `gone_ok`: a 404/410 counts as deleted rather than failing the wait.
pub(crate) struct Goal {
    pub(crate) describe: String,
    pub(crate) gone_ok: bool,
}

impl Goal {
    /// Until the state is `state`.
    pub(crate) fn until(state: &str) -> Goal {
        Goal {
            describe: format!("become {state:?}"),
            gone_ok: state == "deleted",
        }
    }

    /// While the state is `state`.
    pub(crate) fn leave(state: &str) -> Goal {
        Goal {
            describe: format!("leave {state:?}"),
            gone_ok: false,
        }
    }
}

/// Waits until the state of `p` is `target` (`until`) or is no longer `target`.
pub(crate) async fn poll_state<P: Pollable>(
    p: &P,
    opts: &WaitOptions,
    target: &str,
    until: bool,
) -> Result<JsValue, JsValue> {
    let goal = if until {
        Goal::until(target)
    } else {
        Goal::leave(target)
    };
    poll_loop(p, opts, goal, async |p: &P| {
        Ok((p.current().as_deref() == Some(target)) == until)
    })
    .await
}

/// The one polling loop: fetch, call `onProgress`, stop when `check` resolves true (an
/// `Err` from it ends the wait with that error), else sleep a jittered interval. Rejects
/// with `Timeout` or `Aborted` (naming the goal and the last state) as soon as the deadline
/// passes or the signal aborts, in-flight requests included.
pub(crate) async fn poll_loop<P: Pollable>(
    p: &P,
    opts: &WaitOptions,
    goal: Goal,
    mut check: impl AsyncFnMut(&P) -> Result<bool, JsValue>,
) -> Result<JsValue, JsValue> {
    let scope = Scope::new(opts.timeout_ms, opts.signal.as_ref()).or_js()?;
    let what = &goal.describe;
    let ended = |scope: &Scope| {
        let last = p.current().unwrap_or_else(|| "unknown".into());
        scope.ended("").map(|e| {
            let message = if e.code == codes::TIMEOUT {
                format!(
                    "{} did not {what} within {} (last state: {last})",
                    p.label(),
                    seconds(opts.timeout_ms)
                )
            } else {
                format!(
                    "waiting for {} to {what} was aborted (last state: {last})",
                    p.label()
                )
            };
            to_js(&Error::local(&e.code, message))
        })
    };
    loop {
        if let Err(e) = p.fetch(&scope.signal(), goal.gone_ok).await {
            return Err(ended(&scope).unwrap_or_else(|| to_js(&e)));
        }
        if let Some(f) = &opts.on_progress {
            f.call1(&JsValue::UNDEFINED, &p.handle())?;
        }
        let reached = check(p).await;
        if let Some(e) = ended(&scope) {
            return Err(e);
        }
        if reached? {
            return Ok(p.handle());
        }
        let jitter = 0.8 + 0.4 * js_sys::Math::random();
        if scope.sleep(opts.interval_ms * jitter, "").await.is_err() {
            return Err(ended(&scope).unwrap_or_else(|| {
                to_js(&Error::local(codes::ABORTED, "the wait was interrupted"))
            }));
        }
    }
}

/// Calls a user predicate with `arg` and awaits it when it returns a promise; resolves with
/// its truthiness. A throw or rejection ends the wait with that error.
pub(crate) async fn call_predicate(f: &Function, arg: &JsValue) -> Result<bool, JsValue> {
    let v = f.call1(&JsValue::UNDEFINED, arg)?;
    let v = if v.has_type::<Promise>() || super::machine::get(&v, "then").is_function() {
        JsFuture::from(Promise::resolve(&v)).await?
    } else {
        v
    };
    Ok(v.is_truthy())
}

#[wasm_bindgen(typescript_custom_section)]
const TS_WAIT: &'static str = r#"
/** How to wait for a change (pollUntil, waitFor, and `{ wait }` on mutating calls). */
export interface WaitOptions<T = Machine> {
  /** Ms between polls (default 2500, jittered ±20 % so many waiters do not poll in step). */
  interval?: number;
  /** Give up after this many ms with a `Timeout` error (default 600000; `Infinity` for none). */
  timeout?: number;
  /** Abort the wait (rejects with code `Aborted`). */
  signal?: AbortSignal;
  /** Called with the resource after every poll. */
  onProgress?: (resource: T) => void;
}

/** The last argument of a mutating call: `wait: true` waits with the defaults. */
export interface WaitArg<T = Machine> {
  wait?: boolean | WaitOptions<T>;
}
"#;
