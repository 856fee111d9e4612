//! Sending one signed request with `fetch`: the global one (Node ≥ 18, browsers, workers;
//! bound as a global, never through `window`) or the user's `fetch` option. Adds the
//! standard headers, signs `(request-target) x-date`, enforces the timeout with an
//! `AbortController`, follows the caller's signal, and reads status, headers and text.
//! JSON is parsed with the host's `JSON.parse` and fed to serde through serde-wasm-bindgen.

use super::cancel::{AbortSignal, Scope, now_ms};
use super::credentials::Credentials;
use super::js_error::{describe_thrown, invalid_response};
use crate::api::retry::{self, RetryPolicy};
use crate::error::{Error, codes};
use crate::request::Request;
use crate::response::{self, Decoder};
use crate::signing;
use js_sys::{Function, JsString, Object, Promise, Reflect};
use serde::de::DeserializeOwned;
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(input: &str, init: &JsValue) -> Result<JsValue, JsValue>;
    /// `JSON.parse` of a JS string, which never enters wasm memory.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &JsString) -> Result<JsValue, JsValue>;
}

/// How many times one request is re-signed with the signer's next key after a 401.
const MAX_ROTATIONS: u32 = 64;

/// Headers the user may not set: computed per request, or forbidden in browsers.
pub const RESERVED_HEADERS: &[&str] =
    &["authorization", "x-date", "date", "host", "content-length"];

/// Decodes with the host's `JSON.parse` + serde-wasm-bindgen (no JSON library in the wasm).
pub struct JsDecoder;

impl Decoder for JsDecoder {
    fn decode<T: DeserializeOwned>(&self, text: &str) -> Result<T, String> {
        let v = js_sys::JSON::parse(text).map_err(|e| describe_thrown(&e))?;
        serde_wasm_bindgen::from_value(v).map_err(|e| e.to_string())
    }
}

/// Everything needed to send requests to one datacenter.
pub struct Client {
    /// Base URL, no trailing slash.
    pub base_url: String,
    /// Shared credentials.
    pub creds: Rc<Credentials>,
    /// `accept-version`.
    pub api_version: String,
    /// Extra headers from the `headers` option (this instance's own copy).
    pub headers: Vec<(String, String)>,
    /// The user's `fetch`, if given.
    pub fetch: Option<Function>,
    /// Time limit in ms for a whole call, retries included (`Infinity` for none).
    pub timeout_ms: f64,
    /// Header names signed, in order (always includes `x-date`).
    pub signed_headers: Vec<String>,
    /// Automatic retries of idempotent requests (0 disables them and clock-skew recovery).
    pub retries: u32,
    /// RBAC roles to act with, sent as `as-role` on every request (empty: the user's defaults).
    pub roles: Vec<String>,
    /// Server clock minus local clock in seconds, learnt from a clock-skew rejection.
    pub clock_offset: Cell<i64>,
    /// The `concurrency` limit on fetches in flight, shared by every call of this client.
    pub limiter: Rc<Limiter>,
    /// Pre-signed mode: query-string signatures instead of headers (presigned.rs).
    pub presigned: bool,
}

/// A FIFO semaphore bounding the fetches in flight to one CloudAPI endpoint (the
/// `concurrency` option). Held around each fetch and body read only, never across signing or
/// retry backoff, so a call waiting to retry does not block others.
pub struct Limiter {
    max: usize,
    in_flight: Cell<usize>,
    queue: RefCell<VecDeque<Rc<Waiter>>>,
}

/// A call waiting for a slot: `wake` resolves its promise; `granted` says a slot was handed
/// over (rather than the call's scope ending).
struct Waiter {
    wake: Function,
    granted: Cell<bool>,
}

/// One slot of a [`Limiter`], given back (to the next waiter, if any) on drop.
pub struct Permit(Rc<Limiter>);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.release();
    }
}

impl Limiter {
    /// A limiter allowing `max` (≥ 1) fetches at once.
    pub fn new(max: usize) -> Rc<Limiter> {
        Rc::new(Limiter {
            max: max.max(1),
            in_flight: Cell::new(0),
            queue: RefCell::new(VecDeque::new()),
        })
    }

    /// The limit.
    pub fn max(&self) -> usize {
        self.max
    }

    fn release(&self) {
        let next = self.queue.borrow_mut().pop_front();
        match next {
            // Why: the slot passes straight to the waiter, so in_flight stays the same.
            Some(w) => {
                w.granted.set(true);
                let _ = w.wake.call0(&JsValue::UNDEFINED);
            }
            None => self.in_flight.set(self.in_flight.get().saturating_sub(1)),
        }
    }

    /// Waits (first come, first served) for a slot, or rejects when `scope` ends first.
    pub async fn acquire(self: &Rc<Self>, scope: &Scope, what: &str) -> Result<Permit, Error> {
        if let Some(e) = scope.ended(what) {
            return Err(e);
        }
        if self.in_flight.get() < self.max {
            self.in_flight.set(self.in_flight.get().saturating_add(1));
            return Ok(Permit(self.clone()));
        }
        let mut wake = None;
        let promise = Promise::new(&mut |resolve: Function, _reject: Function| {
            wake = Some(resolve);
        });
        let wake = wake.ok_or_else(|| invalid_response("Promise did not run its executor"))?;
        let waiter = Rc::new(Waiter {
            wake: wake.clone(),
            granted: Cell::new(false),
        });
        self.queue.borrow_mut().push_back(waiter.clone());
        scope.until(promise, &wake).await;
        if waiter.granted.get() {
            return Ok(Permit(self.clone()));
        }
        self.queue.borrow_mut().retain(|w| !Rc::ptr_eq(w, &waiter));
        Err(scope
            .ended(what)
            .unwrap_or_else(|| Error::local(codes::ABORTED, format!("{what} was aborted"))))
    }
}

/// A response as read off the wire.
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// Header names (lower-case, as fetch gives them) and values.
    pub headers: Vec<(String, String)>,
    /// The body text ("" when empty).
    pub body: Body,
}

/// A response body: its text in wasm (as `&str` through `Deref`) and as a JS string for
/// `JSON.parse`.
// Why both: `parse_checked` hands successful bodies to the host's `JSON.parse` (faster than
// decoding in wasm); error paths and text bodies read `&str`.
pub struct Body {
    js: JsString,
    text: OnceCell<String>,
}

impl Body {
    // Why the text is copied once back out: the size cap and the nesting guard must read the
    // bytes in wasm anyway, and the JS copy is what `JSON.parse` reads.
    fn from_text(text: String) -> Body {
        Body {
            js: JsString::from(text.as_str()),
            text: OnceCell::from(text),
        }
    }
}

impl std::ops::Deref for Body {
    type Target = str;
    fn deref(&self) -> &str {
        self.text.get_or_init(|| String::from(&self.js))
    }
}

impl Client {
    /// A sibling client for another base URL, sharing credentials and signer.
    pub fn sibling(&self, base_url: String) -> Client {
        Client {
            base_url,
            creds: self.creds.clone(),
            api_version: self.api_version.clone(),
            headers: self.headers.clone(),
            fetch: self.fetch.clone(),
            timeout_ms: self.timeout_ms,
            signed_headers: self.signed_headers.clone(),
            retries: self.retries,
            roles: self.roles.clone(),
            clock_offset: Cell::new(self.clock_offset.get()),
            // Why a limiter of its own: the limit protects one CloudAPI endpoint (whose
            // throttle is per datacenter), and a fan-out over datacenters must not queue
            // one datacenter's calls behind another's.
            limiter: Limiter::new(self.limiter.max()),
            presigned: self.presigned,
        }
    }

    /// The retry limits of this client: `retries` retries after the first attempt.
    pub fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.retries.saturating_add(1),
            ..RetryPolicy::default()
        }
    }

    /// The account login used in paths.
    pub fn account(&self) -> &str {
        &self.creds.account
    }

    /// Signs and sends `req` (plus `extra` headers) within the timeout and `signal`, which
    /// bound the whole call, retries included. An idempotent request is retried with jittered
    /// exponential backoff after a network error or a transient status (408, 429, 502, 503,
    /// 504; `Retry-After` honoured); a non-idempotent one never is. A clock-skew rejection is
    /// answered once by re-signing with the offset read from the server's `Date`. Returns the
    /// last response (the caller checks its status) or the last network error.
    pub async fn send(
        &self,
        req: &Request,
        extra: &[(String, String)],
        signal: Option<&AbortSignal>,
    ) -> Result<RawResponse, Error> {
        let with_roles;
        // Why: a `request()` that names `as-role` in its own query keeps it.
        let req = if self.roles.is_empty() || req.query.iter().any(|(k, _)| k == "as-role") {
            req
        } else {
            with_roles = req.clone().as_roles(&self.roles);
            &with_roles
        };
        let target = req.target();
        let what = format!("{} {}", req.method.as_str(), target);
        let scope = Scope::new(self.timeout_ms, signal)?;
        let policy = self.policy();
        let deadline = now_ms() + self.timeout_ms;
        let mut retry_no = 0u32;
        let mut skew_fixed = false;
        loop {
            if let Some(e) = scope.ended(&what) {
                return Err(e);
            }
            let outcome = self.attempt(req, extra, &target, &what, &scope).await;
            let err = match &outcome {
                Ok(r) if (200..300).contains(&r.status) => return outcome,
                Ok(r) => response::error_from_response(r.status, &r.headers, &r.body, &JsDecoder),
                Err(e) => e.clone(),
            };
            if let Ok(r) = &outcome {
                // Why: the request was refused before any handler ran (auth parsing), so even
                // a POST can be re-sent once the date is corrected.
                if self.retries > 0 && !skew_fixed && retry::is_clock_skew(&err) {
                    let local = (now_ms() / 1000.0).floor() as i64;
                    let offset = response::header(&r.headers, "date")
                        .and_then(|d| retry::clock_offset(d, local));
                    if let Some(o) = offset.filter(|o| *o != self.clock_offset.get()) {
                        self.clock_offset.set(o);
                        skew_fixed = true;
                        continue;
                    }
                }
            }
            if scope.ended(&what).is_some()
                || !retry::is_retryable(req.method, req.idempotent, &err)
            {
                return outcome;
            }
            let Some(wait) =
                retry::backoff_delay_ms(&policy, retry_no, err.retry_after, js_sys::Math::random())
            else {
                return outcome;
            };
            // Why: a wait that would outlast the call's timeout cannot lead to a success.
            let wait = wait as f64;
            if now_ms() + wait >= deadline {
                return outcome;
            }
            scope.sleep(wait, &what).await?;
            retry_no = retry_no.saturating_add(1);
        }
    }

    /// One signed attempt (re-signed with the signer's next key after a 401 when it rotates).
    async fn attempt(
        &self,
        req: &Request,
        extra: &[(String, String)],
        target: &str,
        what: &str,
        scope: &Scope,
    ) -> Result<RawResponse, Error> {
        let mut headers: Vec<(String, String)> = vec![
            ("accept".into(), req.accept().into()),
            ("accept-version".into(), self.api_version.clone()),
        ];
        for (k, v) in self.headers.iter().chain(extra) {
            let k = k.to_ascii_lowercase();
            headers.retain(|(n, _)| *n != k);
            headers.push((k, v.clone()));
        }
        if let Some(ct) = req.content_type() {
            headers.retain(|(n, _)| n != "content-type");
            headers.push(("content-type".into(), ct.into()));
        }
        if self.presigned {
            return super::presigned::attempt(self, req, &headers, what, scope).await;
        }
        // Why: browsers silently drop `Date` (a forbidden header); http-signature prefers
        // `x-date` whenever it is present, so it is always sent and signed.
        let secs = ((now_ms() / 1000.0).floor() as i64).saturating_add(self.clock_offset.get());
        headers.push(("x-date".into(), signing::format_http_date(secs)));

        let text =
            signing::signing_string(req.method.as_str(), target, &headers, &self.signed_headers)?;
        let mut rotations = 0;
        loop {
            let signed = self.creds.sign(text.as_bytes()).await?;
            let auth = signing::authorization_header(
                &signed.key_id,
                signed.algorithm,
                &self.signed_headers,
                &signed.signature,
            );
            let r = self
                .exchange(req, &headers, Some(auth), target, what, scope)
                .await?;
            // Why: a signer with rotate() (an ssh-agent holding several keys) tries each of
            // its keys until CloudAPI accepts one, as the seed's agent support did.
            if r.status == 401
                && rotations < MAX_ROTATIONS
                && self.creds.can_rotate()
                && self.creds.rotate(&signed.key_id).await?
            {
                rotations += 1;
                continue;
            }
            return Ok(r);
        }
    }

    /// One fetch of `req` to `target` with `headers` plus `authorization` (none when
    /// pre-signed); reads status, headers, text.
    pub(crate) async fn exchange(
        &self,
        req: &Request,
        headers: &[(String, String)],
        auth: Option<String>,
        target: &str,
        what: &str,
        scope: &Scope,
    ) -> Result<RawResponse, Error> {
        let _permit = self.limiter.acquire(scope, what).await?;
        let header_obj = Object::new();
        for (k, v) in headers {
            set(&header_obj, k, &JsValue::from_str(v));
        }
        if let Some(auth) = auth {
            set(&header_obj, "authorization", &JsValue::from_str(&auth));
        }
        let init = Object::new();
        set(&init, "method", &JsValue::from_str(req.method.as_str()));
        set(&init, "headers", &header_obj);
        if let Some(body) = req.body_text() {
            set(&init, "body", &JsValue::from_str(&body));
        }
        set(&init, "signal", &scope.signal());
        // Why: a redirect is never followed (another host would get the signed request; the
        // 302s CloudAPI sends, GetDatacenter and AddNic, are read as answers).
        set(&init, "redirect", &JsValue::from_str("manual"));
        let url = format!("{}{}", self.base_url, target);

        let started = match &self.fetch {
            Some(f) => f.call2(&JsValue::UNDEFINED, &JsValue::from_str(&url), &init),
            None => global_fetch(&url, &init),
        };
        let fail = |e: JsValue| {
            scope.ended(what).unwrap_or_else(|| {
                Error::local(
                    codes::NETWORK_ERROR,
                    format!(
                        "{what} to {} failed: {}",
                        self.base_url,
                        describe_thrown(&e)
                    ),
                )
            })
        };
        let started = started.map_err(&fail)?;
        let resp = JsFuture::from(Promise::resolve(&started))
            .await
            .map_err(&fail)?;

        let status = get(&resp, "status").as_f64().unwrap_or(-1.0);
        if !(100.0..=599.0).contains(&status) || status.fract() != 0.0 {
            return Err(invalid_response(format!(
                "{what}: fetch returned no HTTP response (status {status}); \
                 a browser reports CORS and redirect failures this way"
            )));
        }
        let headers = read_headers(&get(&resp, "headers"));
        // Why: checked above to be a whole number in 100..=599.
        let status = status as u16;
        if let Some(n) = response::announced_too_large(&headers) {
            super::body::cancel_body(&resp);
            return Err(response::body_too_large(what, status, Some(n)));
        }
        let body = Body::from_text(super::body::read_text(&resp, what, status, &fail).await?);
        // Why: decoding recurses once per nesting level; a hostile body must not overflow the
        // wasm stack (a trap would leave the instance unusable). Plain-text answers are raw.
        if req.accept() != "text/plain" && response::nested_too_deep(&body) {
            return Err(response::too_deep(what, status));
        }
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    /// Sends `req`, checks the status and returns the body as a JS value validated as `T`
    /// (the wire object, keys and unknown fields intact); `expected` names it in errors.
    pub async fn fetch_json<T: DeserializeOwned>(
        &self,
        req: &Request,
        expected: &str,
        signal: Option<&AbortSignal>,
    ) -> Result<JsValue, Error> {
        let r = self.send(req, &[], signal).await?;
        parse_checked::<T>(&r, expected)
    }

    /// Sends `req` and checks the status, ignoring the body (actions, deletes).
    pub async fn fetch_empty(
        &self,
        req: &Request,
        signal: Option<&AbortSignal>,
    ) -> Result<RawResponse, Error> {
        let r = self.send(req, &[], signal).await?;
        response::check(r.status, &r.headers, &r.body, &JsDecoder)?;
        Ok(r)
    }
}

/// The shape checked of a resource with an `id` (machines, images, accounts).
// Why: only the fields that identify a resource are checked; the full core models use
// `#[serde(flatten)]`, whose serde-wasm-bindgen code costs ~10 KB of wasm per model, and the
// JS API returns the wire objects anyway.
#[derive(serde::Deserialize)]
pub struct HasId {
    #[serde(rename = "id")]
    _id: String,
}

/// The shape checked of a package (API 6.5 packages have no `id`, only a `name`).
#[derive(serde::Deserialize)]
pub struct HasName {
    #[serde(rename = "name")]
    _name: String,
}

/// Checks the status of `r`, then `JSON.parse`s the body and checks it fits `T`.
pub fn parse_checked<T: DeserializeOwned>(
    r: &RawResponse,
    expected: &str,
) -> Result<JsValue, Error> {
    // Why only for non-2xx: `check` reads the body as `&str` (a copy into wasm memory).
    if !(200..300).contains(&r.status) {
        response::check(r.status, &r.headers, &r.body, &JsDecoder)?;
    }
    let text = if r.body.js.trim().length() == 0 {
        JsString::from("null")
    } else {
        r.body.js.clone()
    };
    let fits = json_parse(&text)
        .ok()
        .filter(|v| serde_wasm_bindgen::from_value::<T>(v.clone()).is_ok());
    match fits {
        Some(v) => Ok(v),
        // Why: the core's decoder builds the precise message (empty, not JSON, wrong shape).
        None => {
            match response::decode_as::<T, _>(r.status, &r.headers, &r.body, &JsDecoder, expected) {
                Err(e) => Err(e),
                Ok(_) => Err(invalid_response(format!(
                    "expected {expected} from CloudAPI (HTTP {})",
                    r.status
                ))),
            }
        }
    }
}

fn read_headers(h: &JsValue) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(Some(iter)) = js_sys::try_iter(h) {
        for entry in iter.flatten() {
            let name = Reflect::get_u32(&entry, 0).ok().and_then(|v| v.as_string());
            let value = Reflect::get_u32(&entry, 1).ok().and_then(|v| v.as_string());
            if let (Some(n), Some(v)) = (name, value) {
                out.push((n.to_ascii_lowercase(), v));
            }
        }
    }
    out
}

/// `obj[key]`, `undefined` when absent or when the getter throws.
pub(crate) fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Why: setting on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}
