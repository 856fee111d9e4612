//! Every rejection the package produces is a real JS `Error`: `CloudApiError` (named, with
//! `code`, `statusCode`, `requestId`, `body`) for CloudAPI and local failures, or a `TypeError`
//! for arguments of the wrong type. Never a thrown string, never a wasm class instance.

use crate::error::{Error, codes};
use crate::json::Json;
use js_sys::Reflect;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The `name` of every error this package rejects with (except `TypeError`).
pub const ERROR_NAME: &str = "CloudApiError";

/// A core [`Error`] as a JS `Error` named `CloudApiError` with its fields as properties.
pub fn to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name(ERROR_NAME);
    let obj: &JsValue = err.as_ref();
    set(obj, "code", &JsValue::from_str(&e.code));
    let status = if e.status_code == 0 {
        JsValue::UNDEFINED
    } else {
        JsValue::from_f64(f64::from(e.status_code))
    };
    set(obj, "statusCode", &status);
    let request_id = e
        .request_id
        .as_deref()
        .map_or(JsValue::UNDEFINED, JsValue::from_str);
    set(obj, "requestId", &request_id);
    let body = e.body.as_ref().map_or(JsValue::UNDEFINED, json_to_js);
    set(obj, "body", &body);
    if let Some(secs) = e.retry_after {
        // Why: u64 → f64 is lossy only above 2^53 seconds, which no server sends.
        set(obj, "retryAfter", &JsValue::from_f64(secs as f64));
    }
    err.into()
}

/// A JS `TypeError` with `message` (wrong argument types, unknown option names).
pub fn type_error(message: impl AsRef<str>) -> JsValue {
    js_sys::TypeError::new(message.as_ref()).into()
}

/// A core [`Error`] for a failure that came from JS (a thrown value), keeping its text.
pub fn from_js(code: &str, context: &str, thrown: &JsValue) -> Error {
    Error::local(code, format!("{context}: {}", describe_thrown(thrown)))
}

/// A short description of a thrown JS value: `name: message` plus the `cause`, if any
/// (undici's `fetch failed` keeps the real reason, e.g. `ECONNREFUSED`, in `cause`).
pub fn describe_thrown(v: &JsValue) -> String {
    let mut out = one_line(v);
    let cause = Reflect::get(v, &JsValue::from_str("cause")).unwrap_or(JsValue::UNDEFINED);
    if !cause.is_undefined() && !cause.is_null() {
        out.push_str(" (");
        out.push_str(&one_line(&cause));
        out.push(')');
    }
    out
}

fn one_line(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        return cut(&s);
    }
    if v.is_object() {
        let get = |k: &str| {
            Reflect::get(v, &JsValue::from_str(k))
                .ok()
                .and_then(|x| x.as_string())
        };
        let name = get("name");
        let message = get("message");
        let code = get("code");
        let mut s = match (name, message) {
            (Some(n), Some(m)) if !m.is_empty() => format!("{n}: {m}"),
            (Some(n), _) => n,
            (None, Some(m)) => m,
            (None, None) => "an object".to_string(),
        };
        if let Some(c) = code {
            s.push_str(&format!(" [{c}]"));
        }
        return cut(&s);
    }
    match v.as_f64() {
        Some(n) => format!("{n}"),
        None if v.is_null() => "null".to_string(),
        None if v.is_undefined() => "undefined".to_string(),
        None => "a non-object value".to_string(),
    }
}

fn cut(s: &str) -> String {
    let t: String = s.chars().take(300).collect();
    if t.len() < s.len() { t + "…" } else { t }
}

/// A [`Json`] value as a plain JS value (objects as objects, not `Map`s).
pub fn json_to_js(j: &Json) -> JsValue {
    j.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// An `InvalidResponse` error for a server answer that does not fit.
pub fn invalid_response(message: impl Into<String>) -> Error {
    Error::local(codes::INVALID_RESPONSE, message)
}

fn set(obj: &JsValue, key: &str, value: &JsValue) {
    // Why: setting on a fresh, unfrozen Error cannot fail; there is nothing to do if it did.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// `?` on a core `Result` inside the wasm layer: the error becomes a `CloudApiError`.
pub trait OrJs<T> {
    /// The value, or the error as a JS `CloudApiError`.
    fn or_js(self) -> Result<T, JsValue>;
}

impl<T> OrJs<T> for Result<T, Error> {
    fn or_js(self) -> Result<T, JsValue> {
        self.map_err(|e| to_js(&e))
    }
}
