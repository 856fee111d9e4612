//! Feature gating: a call that needs a newer CloudAPI than the server runs is rejected with
//! `NotSupported` before it is sent. The server's code version comes from `GET /--ping`'s
//! `Server: cloudapi/<x.y.z>` header, cached per base URL; when it cannot be learnt (ping
//! failed, a proxy's `Server`, a browser hiding the header) nothing is blocked and the
//! server answers for itself.

use super::cancel::now_ms;
use super::transport::{Client, JsDecoder};
use crate::api::services::{self, Ping, PingInfo, Version};
use crate::error::Error;
use crate::json::Json;
use crate::response;
use js_sys::Promise;
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

/// How long a learnt server version is trusted (servers get upgraded under long-lived pages).
const KNOWN_TTL_MS: f64 = 600_000.0;
/// How long a failed ping is remembered, so a broken `/--ping` does not double every call.
const UNKNOWN_TTL_MS: f64 = 60_000.0;
/// Time limit of the gate's own ping (the call it guards has its own timeout after it).
const GATE_PING_TIMEOUT_MS: f64 = 10_000.0;

thread_local! {
    /// Base URL → (expiry in ms since the epoch, server code version if known).
    static SEEN: RefCell<HashMap<String, (f64, Option<Version>)>> = RefCell::new(HashMap::new());
    /// Base URL → the gate's ping under way (resolves with the version text or undefined),
    /// so calls started together share one ping.
    static ASKING: RefCell<HashMap<String, Promise>> = RefCell::new(HashMap::new());
}

/// Sends `GET /--ping` with `c`, remembers the server version it shows for `c`'s base URL
/// and returns the answer (a failed ping forgets what was known).
pub(crate) async fn ping(c: &Client) -> Result<PingInfo, Error> {
    let outcome = fetch_ping(c).await;
    let version = outcome
        .as_ref()
        .ok()
        .and_then(|i| i.server_version.as_deref().and_then(Version::parse));
    remember(&c.base_url, version, outcome.is_ok());
    outcome
}

/// `Ok` when the server behind `c` runs a CloudAPI with `feature` (see
/// `services::FEATURES`), or when its version cannot be learnt; `NotSupported` naming `op`,
/// the version needed and the server's version otherwise.
pub(crate) async fn require(c: &Client, op: &str, feature: &str) -> Result<(), Error> {
    let cached = SEEN.with(|m| {
        m.borrow()
            .get(&c.base_url)
            .filter(|(expires, _)| *expires > now_ms())
            .map(|(_, v)| *v)
    });
    let version = match cached {
        Some(v) => v,
        None => {
            let asking = ASKING.with(|m| m.borrow().get(&c.base_url).cloned());
            let asking = asking.unwrap_or_else(|| {
                let p = ask(c);
                ASKING.with(|m| m.borrow_mut().insert(c.base_url.clone(), p.clone()));
                p
            });
            let answer = JsFuture::from(asking).await.ok();
            ASKING.with(|m| m.borrow_mut().remove(&c.base_url));
            answer
                .and_then(|v| v.as_string())
                .as_deref()
                .and_then(Version::parse)
        }
    };
    services::require_feature(feature, version).map_err(|mut e| {
        e.message = format!("{op}: {}", e.message);
        e
    })
}

/// The gate's own ping, as a promise of the server's version text (undefined if unknown).
fn ask(c: &Client) -> Promise {
    // Why a sibling: the gate's ping must neither retry for long nor outlast the call it
    // guards (the user's own timeout still bounds that call afterwards); its own limiter
    // lets at most this one ping per URL past the concurrency limit.
    let mut quick = c.sibling(c.base_url.clone());
    quick.retries = 0;
    quick.timeout_ms = c.timeout_ms.min(GATE_PING_TIMEOUT_MS);
    future_to_promise(async move {
        let version = ping(&quick).await.ok().and_then(|i| i.server_version);
        Ok(version.map_or(JsValue::UNDEFINED, |v| JsValue::from_str(&v)))
    })
}

async fn fetch_ping(c: &Client) -> Result<PingInfo, Error> {
    let r = c.send(&services::ping(), &[], None).await?;
    response::check(r.status, &r.headers, &r.body, &JsDecoder)?;
    // Why through `Json`: decoding `Ping` itself links a flattened-map deserializer.
    let body: Json =
        response::decode_as(r.status, &r.headers, &r.body, &JsDecoder, "a ping answer")?;
    let body = Ping {
        ping: body
            .get("ping")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        cloudapi: body.get("cloudapi").cloned(),
        ..Ping::default()
    };
    PingInfo::from_response(&body, &r.headers).ok_or_else(|| {
        Error::local(
            crate::error::codes::INVALID_RESPONSE,
            format!("GET /--ping to {} did not answer \"pong\"", c.base_url),
        )
    })
}

fn remember(base_url: &str, version: Option<Version>, answered: bool) {
    let ttl = if answered {
        KNOWN_TTL_MS
    } else {
        UNKNOWN_TTL_MS
    };
    SEEN.with(|m| {
        m.borrow_mut()
            .insert(base_url.to_string(), (now_ms() + ttl, version));
    });
}
