//! Pre-signed mode (`new DataCenter({ …, transport: "presigned" })`): every call goes straight
//! to CloudAPI with its query-string signature (cloudapi.md §1.6) instead of an
//! `Authorization` header, so a page on another origin can call a real CloudAPI: its CORS
//! preflight refuses `authorization` and `x-date`, but a pre-signed request sends neither
//! (cloudapi.md §2.5). The signature covers method, host, path and query, never a body, so a
//! call with a body is refused before anything is sent. Also the URL signing of `presign()`.

use super::cancel::{Scope, now_ms};
use super::credentials;
use super::js_error::type_error;
use super::options::{Options, kind};
use super::transport::{Client, JsDecoder, RawResponse};
use crate::api::retry;
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use crate::response::{self, Decoder};
use crate::signing;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_PRESIGNED: &'static str = r#"
export interface DataCenterOptions {
  /** "headers" (default): sign an Authorization header. "presigned": send every call as a pre-signed URL (CloudAPI's query-string signature, valid 60 s), which works cross-origin against a real CloudAPI; calls with a body reject with NotSupportedInPresignedMode. */
  transport?: "headers" | "presigned";
}
"#;

/// The `transport` option values, the default first.
const TRANSPORTS: &[&str] = &["headers", "presigned"];

/// How long a URL signed for one attempt stays valid: long enough for a slow link and a few
/// seconds of clock drift, short enough that a logged URL is soon useless.
const ATTEMPT_TTL_SECS: i64 = 60;

/// The query parameters a pre-signed URL sets itself (compared case-insensitively).
const RESERVED_QUERY: &[&str] = &["algorithm", "expires", "keyid", "signature", "method"];

/// A call a pre-signed URL cannot carry (it has a body), refused before any request.
pub const NOT_SUPPORTED_IN_PRESIGNED_MODE: &str = "NotSupportedInPresignedMode";

/// CloudAPI refused a pre-signed URL (expired, bad parameters): its 500 `{ "message" }`.
pub const PRESIGNED_URL_REJECTED: &str = "PresignedUrlRejected";

/// Reads the `transport` option: true for `"presigned"`, false for `"headers"` or none.
pub(crate) fn transport_option(o: &Options) -> Result<bool, JsValue> {
    let Some(v) = o.get("transport")? else {
        return Ok(false);
    };
    match v.as_string().as_deref() {
        Some("headers") => Ok(false),
        Some("presigned") => Ok(true),
        _ => Err(type_error(format!(
            "new DataCenter(options): transport must be one of {}, got {}",
            TRANSPORTS
                .iter()
                .map(|t| format!("\"{t}\""))
                .collect::<Vec<_>>()
                .join(", "),
            v.as_string()
                .map_or_else(|| kind(&v).to_string(), |s| format!("{s:?}"))
        ))),
    }
}

/// Signs `methods` on `path` (encoded, under the base URL) with `query` until `expires`
/// (Unix seconds); returns the target to append to the base URL (`path?…&signature=…`).
pub(crate) async fn sign_target(
    c: &Client,
    methods: &[String],
    path: &str,
    mut query: Vec<(String, String)>,
    expires: i64,
) -> Result<String, Error> {
    let creds = &c.creds;
    if creds.key_id().is_none() || creds.algorithm().is_none() {
        // Why: a locked key or an agent learns its keyId and algorithm on first use, and
        // both are part of what a pre-signed URL signs.
        creds.sign(b"").await?;
    }
    let (Some(key_id), Some(alg)) = (creds.key_id(), creds.algorithm()) else {
        return Err(Error::local(
            credentials::SIGNER_ERROR,
            "the signer did not say which keyId and algorithm it uses",
        ));
    };
    let (host, prefix) = signing::presign_host_and_prefix(&c.base_url);
    let full_path = format!("{prefix}{path}");
    query.push(("algorithm".into(), alg.as_str().into()));
    query.push(("expires".into(), expires.to_string()));
    query.push(("keyId".into(), key_id.clone()));
    query.push(("method".into(), methods.join(",")));
    let text = signing::presign_string(methods, &host, &full_path, &query);
    let signed = creds.sign(text.as_bytes()).await?;
    if signed.key_id != key_id || signed.algorithm != alg {
        return Err(Error::local(
            credentials::SIGNER_ERROR,
            "the signer changed keys while pre-signing; try again",
        ));
    }
    Ok(signing::presigned_target(path, &query, &signed.signature))
}

/// One attempt of `req` in pre-signed mode: refused locally when it has a body or a query
/// parameter the signature uses; otherwise signed for its one method, valid for
/// [`ATTEMPT_TTL_SECS`], and sent with no `authorization` or `x-date` header. A URL CloudAPI
/// finds expired is re-signed once with the clock offset its `Date` header shows.
pub(crate) async fn attempt(
    c: &Client,
    req: &Request,
    headers: &[(String, String)],
    what: &str,
    scope: &Scope,
) -> Result<RawResponse, Error> {
    if req.body.is_some() {
        return Err(Error::local(
            NOT_SUPPORTED_IN_PRESIGNED_MODE,
            format!(
                "{what} sends a JSON body, which a pre-signed URL cannot cover (it signs only \
                 method, host, path and query); make this call with transport \"headers\": \
                 from Node, or from a browser through a same-origin relay (smartdc-relay)"
            ),
        ));
    }
    if let Some((k, _)) = req
        .query
        .iter()
        .find(|(k, _)| RESERVED_QUERY.contains(&k.to_ascii_lowercase().as_str()))
    {
        return Err(Error::local(
            NOT_SUPPORTED_IN_PRESIGNED_MODE,
            format!(
                "{what} has a query parameter {k:?}, which a pre-signed URL uses itself; make \
                 this call with transport \"headers\""
            ),
        ));
    }
    let methods = [req.method.as_str().to_string()];
    let mut clock_fixed = false;
    loop {
        let local = (now_ms() / 1000.0).floor() as i64;
        let expires = local
            .saturating_add(c.clock_offset.get())
            .saturating_add(ATTEMPT_TTL_SECS);
        let target = sign_target(c, &methods, &req.path, req.query.clone(), expires).await?;
        let r = c.exchange(req, headers, None, &target, what, scope).await?;
        let Some(e) = rejection(&r, what, expires) else {
            return Ok(r);
        };
        // Why: as with a header signature's clock-skew rejection, the server's `Date` gives
        // the offset to sign with, once. Browsers hide `Date` from cross-origin scripts, so
        // there the error stands.
        let offset = response::header(&r.headers, "date")
            .and_then(|d| retry::clock_offset(d, local))
            .filter(|o| *o != c.clock_offset.get());
        match offset {
            Some(o) if c.retries > 0 && !clock_fixed && e.message.contains("expired") => {
                c.clock_offset.set(o);
                clock_fixed = true;
            }
            _ => return Err(e),
        }
    }
}

/// CloudAPI's answer to a pre-signed URL it refused (HTTP 500 with a `message` and no `code`,
/// cloudapi.md §1.6) as a plain `PresignedUrlRejected` error; `None` for any other answer.
fn rejection(r: &RawResponse, what: &str, expires: i64) -> Option<Error> {
    if r.status != 500 {
        return None;
    }
    let body: Json = JsDecoder.decode(&r.body).ok()?;
    if body.get("code").is_some() {
        return None;
    }
    let said = body.get("message").and_then(Json::as_str)?.to_string();
    let hint = if said.contains("expired") {
        format!(
            "the URL was signed to expire at {} by this computer's clock, which must be behind \
             CloudAPI's: set the clock right",
            signing::format_http_date(expires)
        )
    } else {
        "check the keyId, the algorithm and the URL CloudAPI was reached at".to_string()
    };
    let mut e = Error::local(
        PRESIGNED_URL_REJECTED,
        format!(
            "CloudAPI refused the pre-signed URL of {what}: {}; {hint}",
            said.chars().take(200).collect::<String>()
        ),
    );
    e.status_code = r.status;
    e.request_id = response::request_id(&r.headers);
    e.body = Some(body);
    Some(e)
}
