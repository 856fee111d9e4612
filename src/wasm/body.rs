//! Reading a fetch response body under [`MAX_BODY_BYTES`]: streamed chunk by chunk through the
//! body's reader so a hostile or broken server cannot make the client buffer (or copy into the
//! wasm memory, which never shrinks) more than the cap. A `Response` without a readable stream
//! (a user's `fetch` returning a minimal object) is read with `text()` and checked before the
//! copy into wasm.

use super::transport::get;
use crate::error::Error;
use crate::response::{MAX_BODY_BYTES, body_too_large};
use js_sys::{Array, Function, JsString, Promise, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The body of `resp` as text (UTF-8, BOM dropped, invalid bytes replaced, like `text()`).
/// `fail` maps a rejected read (network failure, abort) to the call's error.
pub async fn read_text(
    resp: &JsValue,
    what: &str,
    status: u16,
    fail: &dyn Fn(JsValue) -> Error,
) -> Result<String, Error> {
    let body = get(resp, "body");
    let reader = method(&body, "getReader").and_then(|f| f.call0(&body).ok());
    let Some(reader) = reader else {
        let text_fn = method(resp, "text").ok_or_else(|| {
            super::js_error::invalid_response(format!(
                "{what}: the fetch response has no text() method"
            ))
        })?;
        let text = text_fn.call0(resp).map_err(fail)?;
        let text = JsFuture::from(Promise::resolve(&text))
            .await
            .map_err(fail)?;
        return match text.dyn_ref::<JsString>() {
            Some(s) if s.length() as usize > MAX_BODY_BYTES => {
                Err(body_too_large(what, status, None))
            }
            Some(s) => Ok(String::from(s)),
            None => Ok(String::new()),
        };
    };
    let read = method(&reader, "read").ok_or_else(|| {
        super::js_error::invalid_response(format!("{what}: the body reader has no read()"))
    })?;
    // Why chunks stay in JS until the end: a refused body then costs no wasm memory, and an
    // accepted one is copied once into a buffer of its exact size (growing a Vec chunk by
    // chunk leaves freed blocks behind in a memory that never shrinks).
    let parts = Array::new();
    let mut total = 0usize;
    loop {
        let next = read.call0(&reader).map_err(fail)?;
        let chunk = JsFuture::from(Promise::resolve(&next))
            .await
            .map_err(fail)?;
        if get(&chunk, "done").is_truthy() {
            break;
        }
        let Some(part) = get(&chunk, "value").dyn_into::<Uint8Array>().ok() else {
            cancel(&reader);
            return Err(super::js_error::invalid_response(format!(
                "{what}: the response body stream gave something other than bytes"
            )));
        };
        total = total.saturating_add(part.length() as usize);
        if total > MAX_BODY_BYTES {
            cancel(&reader);
            return Err(body_too_large(what, status, None));
        }
        parts.push(&part);
    }
    let mut bytes = vec![0u8; total];
    let mut at = 0usize;
    for part in parts.iter() {
        let part = Uint8Array::unchecked_from_js(part);
        let end = at.saturating_add(part.length() as usize);
        if let Some(dest) = bytes.get_mut(at..end) {
            part.copy_to(dest);
        }
        at = end;
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Stops the download; the stream's own rejection (if any) is swallowed, not left unhandled.
pub fn cancel_body(resp: &JsValue) {
    let body = get(resp, "body");
    if let Some(f) = method(&body, "cancel")
        && let Ok(p) = f.call0(&body)
    {
        swallow(&p);
    }
}

fn cancel(reader: &JsValue) {
    if let Some(f) = method(reader, "cancel")
        && let Ok(p) = f.call0(reader)
    {
        swallow(&p);
    }
}

fn swallow(p: &JsValue) {
    if let Some(p) = p.dyn_ref::<Promise>() {
        let ignore = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
        let _ = p.catch(&ignore);
        // Why: the handler must outlive this call; only an oversized body gets here, so the
        // few bytes kept per refusal do not add up.
        ignore.forget();
    }
}

fn method(obj: &JsValue, name: &str) -> Option<Function> {
    if !obj.is_object() {
        return None;
    }
    get(obj, name).dyn_into::<Function>().ok()
}
