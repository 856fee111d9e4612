//! Turning an HTTP response (status, headers, body text) into a model or an [`Error`].
//! JSON is parsed through a [`Decoder`] so the core needs no JSON library: the wasm layer
//! uses the host's `JSON.parse`, native tests use serde_json.
//!
//! Error mapping (cloudapi.md §3): a non-2xx answer becomes an [`Error`] carrying CloudAPI's
//! `code` and `message`, the status, the request id (`request-id` or `x-request-id`), the
//! decoded body (kept for 410 Gone, whose body is the deleted machine) and `Retry-After`.
//! Bodies without a `code` (HAProxy's `{"BadHTTPRequest":…}`, presigned-URL failures
//! `{"message":…}`, HTML error pages, empty bodies) get a code from the status:
//!
//! | status | code | | status | code |
//! |---|---|---|---|---|
//! | 3xx | `Redirect` | | 413 | `PayloadTooLarge` |
//! | 400 | `BadRequest` | | 415 | `UnsupportedMediaType` |
//! | 401 | `InvalidCredentials` | | 422 | `InvalidParameters` |
//! | 403 | `NotAuthorized` | | 429 | `TooManyRequests` |
//! | 404 | `ResourceNotFound` | | 500 | `InternalError` |
//! | 405 | `MethodNotAllowed` | | 501 | `NotImplemented` |
//! | 406 | `NotAcceptable` | | 502 | `BadGateway` |
//! | 408 | `RequestTimeout` | | 503 | `ServiceUnavailable` |
//! | 409 | `Conflict` | | 504 | `GatewayTimeout` |
//! | 410 | `Gone` | | other 4xx / 5xx | `ClientError` / `ServerError` |

use crate::error::{Error, codes};
use crate::json::Json;
use serde::de::DeserializeOwned;

/// Parses JSON text into any serde type (JSON.parse + serde-wasm-bindgen, or serde_json).
pub trait Decoder {
    /// Decodes `text`; the error string says what did not fit.
    fn decode<T: DeserializeOwned>(&self, text: &str) -> Result<T, String>;
}

/// The largest response body read, in bytes (32 MiB). A full page of 1,000 machines is a few
/// MiB; anything bigger is refused instead of growing the wasm memory, which never shrinks.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// The `Content-Length` of a response when it announces more than [`MAX_BODY_BYTES`].
pub fn announced_too_large(headers: &[(String, String)]) -> Option<u64> {
    header(headers, "content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| *n > MAX_BODY_BYTES as u64)
}

/// The error for a body over [`MAX_BODY_BYTES`] (`announced`: its `Content-Length`, if known).
pub fn body_too_large(what: &str, status: u16, announced: Option<u64>) -> Error {
    let size = match announced {
        Some(n) => format!("{n} bytes"),
        None => "a body".to_string(),
    };
    Error {
        status_code: status,
        ..Error::local(
            codes::INVALID_RESPONSE,
            format!(
                "{what}: CloudAPI answered HTTP {status} with {size}, more than the {} MiB this \
                 client reads; the rest was not downloaded",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
        )
    }
}

/// JSON nested deeper than this is refused before decoding (serde_json's limit too): decoding
/// recurses once per level, and a hostile body of 100,000 levels would overflow the wasm stack.
pub const MAX_JSON_DEPTH: usize = 128;

/// Whether `text` opens more than [`MAX_JSON_DEPTH`] arrays/objects at once (strings skipped).
pub fn nested_too_deep(text: &str) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth = depth.saturating_add(1);
                if depth > MAX_JSON_DEPTH {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The error for a body refused by [`nested_too_deep`].
pub fn too_deep(what: &str, status: u16) -> Error {
    Error {
        status_code: status,
        ..Error::local(
            codes::INVALID_RESPONSE,
            format!(
                "{what}: CloudAPI answered HTTP {status} with JSON nested more than \
                 {MAX_JSON_DEPTH} levels deep; not decoded"
            ),
        )
    }
}

/// The value of header `name` (case-insensitive); the first one if repeated.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The request id the server assigned (`request-id`, else `x-request-id`).
pub fn request_id(headers: &[(String, String)]) -> Option<String> {
    header(headers, "request-id")
        .or_else(|| header(headers, "x-request-id"))
        .map(str::to_string)
}

/// `Ok(())` for a 2xx status, otherwise the CloudAPI error the response describes.
pub fn check<D: Decoder>(
    status: u16,
    headers: &[(String, String)],
    body: &str,
    d: &D,
) -> Result<(), Error> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(error_from_response(status, headers, body, d))
    }
}

/// Checks the status, then decodes a 2xx body into `T` (an empty body decodes as `null`, so
/// `()`, `Option<_>` and `Json` accept it); anything else is `InvalidResponse`.
pub fn decode_body<T: DeserializeOwned, D: Decoder>(
    status: u16,
    headers: &[(String, String)],
    body: &str,
    d: &D,
) -> Result<T, Error> {
    check(status, headers, body, d)?;
    decode_as(status, headers, body, d, &short_type_name::<T>())
}

/// Like [`decode_body`] for a 2xx response, naming `expected` (e.g. "a list of machines")
/// in the error.
pub fn decode_as<T: DeserializeOwned, D: Decoder>(
    status: u16,
    headers: &[(String, String)],
    body: &str,
    d: &D,
    expected: &str,
) -> Result<T, Error> {
    let text = if body.trim().is_empty() { "null" } else { body };
    d.decode::<T>(text).map_err(|why| {
        let got = if body.trim().is_empty() {
            "an empty body".to_string()
        } else if d.decode::<Json>(body).is_err() {
            format!("a body that is not JSON: {}", excerpt(body))
        } else {
            format!("JSON of another shape ({})", sanitize(&why, 200))
        };
        let mut e = Error::local(
            codes::INVALID_RESPONSE,
            format!("expected {expected} from CloudAPI (HTTP {status}), got {got}"),
        );
        e.status_code = status;
        e.request_id = request_id(headers);
        e
    })
}

/// Builds the [`Error`] for a non-2xx response (see the module docs for the code table).
pub fn error_from_response<D: Decoder>(
    status: u16,
    headers: &[(String, String)],
    body: &str,
    d: &D,
) -> Error {
    let parsed: Option<Json> = if body.trim().is_empty() {
        None
    } else {
        d.decode::<Json>(body).ok()
    };
    let server_code = parsed
        .as_ref()
        .and_then(|j| j.get("code"))
        .and_then(Json::as_str)
        .filter(|c| !c.is_empty())
        .map(|c| sanitize(c, 80));
    let server_message = parsed
        .as_ref()
        .and_then(|j| j.get("message"))
        .and_then(Json::as_str)
        .map(|m| sanitize(m.trim(), 500));

    let code = server_code
        .clone()
        .unwrap_or_else(|| code_for_status(status).to_string());
    let retry_after = header(headers, "retry-after").and_then(|v| {
        let now = header(headers, "date").and_then(parse_http_date);
        parse_retry_after(v, now)
    });

    let mut message = match (&server_code, &server_message) {
        (_, Some(m)) if !m.is_empty() => m.clone(),
        (Some(c), _) => format!("{c} (HTTP {status})"),
        (None, _) => {
            let detail = match &parsed {
                Some(Json::Object(members)) if !members.is_empty() => members
                    .iter()
                    .map(|(k, v)| match v.as_str() {
                        Some(s) => format!("{}: {}", sanitize(k, 60), sanitize(s, 200)),
                        None => sanitize(k, 60),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                Some(Json::String(s)) => sanitize(s, 200),
                _ if body.trim().is_empty() => "empty body".to_string(),
                _ => excerpt(body),
            };
            let moved = match header(headers, "location") {
                Some(l) if (300..400).contains(&status) => {
                    format!(" (redirected to {})", sanitize(l, 200))
                }
                _ => String::new(),
            };
            format!("HTTP {status} {}: {detail}{moved}", reason(status))
        }
    };
    if let Some(hint) = hint(status, &code, &message, retry_after) {
        message.push_str(" (");
        message.push_str(&hint);
        message.push(')');
    }

    Error {
        code,
        message,
        status_code: status,
        request_id: request_id(headers),
        body: parsed,
        retry_after,
    }
}

/// The code used when the body has none (see the module table).
pub fn code_for_status(status: u16) -> &'static str {
    match status {
        300..=399 => "Redirect",
        400 => "BadRequest",
        401 => "InvalidCredentials",
        403 => "NotAuthorized",
        404 => "ResourceNotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        422 => "InvalidParameters",
        429 => "TooManyRequests",
        500 => "InternalError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ if status < 500 => "ClientError",
        _ => "ServerError",
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        300..=399 => "Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ if status < 500 => "Client Error",
        _ => "Server Error",
    }
}

/// What the caller can do about an error, when there is something useful to say.
fn hint(status: u16, code: &str, message: &str, retry_after: Option<u64>) -> Option<String> {
    let later = match retry_after {
        Some(s) => format!("retry after {s} s"),
        None => "retry later".to_string(),
    };
    let lower = message.to_ascii_lowercase();
    Some(match (status, code) {
        (_, "InvalidHeader") if lower.contains("clock skew") => {
            "the local clock differs from the server's by more than 300 s; fix the clock"
                .to_string()
        }
        (_, "InvalidVersion") => {
            "the server does not serve this API version; try apiVersion \"~9||~8\"".to_string()
        }
        (401, _) => {
            "check keyId, account (and user), and that the key is added to that account"
                .to_string()
        }
        (403, _) => {
            "the account or sub-user is not allowed to do this (RBAC role, disabled account or quota)"
                .to_string()
        }
        (410, _) => "the resource has been deleted".to_string(),
        (429, _) => format!("throttled; {later}"),
        (503, _) => format!("service unavailable or in read-only maintenance; {later}"),
        (500 | 502 | 504, _) => format!("server-side failure; {later}"),
        _ => return None,
    })
}

/// A short, single-line, tag-free excerpt of a non-JSON body (HTML error pages etc.).
fn excerpt(body: &str) -> String {
    let mut text = String::with_capacity(body.len().min(1024));
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let s = sanitize(&text, 160);
    if s.is_empty() {
        "(no readable text)".to_string()
    } else {
        format!("\"{s}\"")
    }
}

/// Collapses whitespace, drops control characters and cuts to `max` characters.
fn sanitize(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0usize;
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control() {
            continue;
        }
        if space {
            out.push(' ');
            count += 1;
            space = false;
        }
        if count >= max {
            out.push('…');
            return out;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// `Vec<Machine>` rather than `alloc::vec::Vec<smartdc_wasm::api::machines::Machine>`.
fn short_type_name<T>() -> String {
    let full = std::any::type_name::<T>();
    let mut out = String::with_capacity(full.len());
    let mut word = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            out.push_str(word.rsplit("::").next().unwrap_or(""));
            word.clear();
            out.push(c);
        }
    }
    out.push_str(word.rsplit("::").next().unwrap_or(""));
    out
}

/// Seconds to wait from a `Retry-After` value: delta-seconds, or an HTTP-date measured from
/// `now` (Unix seconds; the response's `Date` is the natural choice). A past date gives 0.
pub fn parse_retry_after(value: &str, now: Option<i64>) -> Option<u64> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<u64>().ok();
    }
    let when = parse_http_date(v)?;
    let now = now?;
    Some(u64::try_from(when.saturating_sub(now)).unwrap_or(0))
}

/// Parses an HTTP-date (IMF-fixdate, RFC 850 or asctime form) into Unix seconds.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let words: Vec<&str> = s.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let (day, month, year, time) = match words.as_slice() {
        // Sun, 06 Nov 1994 08:49:37 GMT
        [_, d, m, y, t, "GMT"] if s.contains(',') && !d.contains('-') => (*d, *m, *y, *t),
        // Sunday, 06-Nov-94 08:49:37 GMT
        [_, dmy, t, "GMT"] => {
            let mut it = dmy.split('-');
            let (d, m, y) = (it.next()?, it.next()?, it.next()?);
            if it.next().is_some() {
                return None;
            }
            (d, m, y, *t)
        }
        // Sun Nov  6 08:49:37 1994
        [_, m, d, t, y] if !s.contains(',') => (*d, *m, *y, *t),
        _ => return None,
    };
    let day: u32 = day.parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == month)?;
    let mut year: i64 = year.parse().ok()?;
    if year < 100 {
        // RFC 9110 §5.6.7: a two-digit year more than 50 years ahead means the last century.
        year += if year < 70 { 2000 } else { 1900 };
    }
    let mut t = time.split(':');
    let hh: i64 = t.next()?.parse().ok()?;
    let mm: i64 = t.next()?.parse().ok()?;
    let ss: i64 = t.next()?.parse().ok()?;
    if t.next().is_some() || hh > 23 || mm > 59 || ss > 60 || !(1..=31).contains(&day) {
        return None;
    }
    if !(1600..=9999).contains(&year) {
        return None;
    }
    let days = days_from_civil(year, u32::try_from(month).ok()? + 1, day);
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &str) -> Vec<(String, String)> {
        vec![("content-length".to_string(), v.to_string())]
    }

    #[test]
    fn content_length_over_the_cap_is_refused_before_reading() {
        assert_eq!(announced_too_large(&h("52428800")), Some(52_428_800));
        assert_eq!(announced_too_large(&h(&MAX_BODY_BYTES.to_string())), None);
        assert_eq!(announced_too_large(&h("120")), None);
        assert_eq!(announced_too_large(&h("junk")), None);
        assert_eq!(announced_too_large(&[]), None);
        let e = body_too_large("GET /my/machines", 200, Some(52_428_800));
        assert_eq!(e.code, codes::INVALID_RESPONSE);
        assert_eq!(e.status_code, 200);
        assert!(e.message.contains("52428800 bytes") && e.message.contains("32 MiB"));
    }

    #[test]
    fn nesting_depth_counts_brackets_outside_strings() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(!nested_too_deep(&deep(MAX_JSON_DEPTH)));
        assert!(nested_too_deep(&deep(MAX_JSON_DEPTH + 1)));
        assert!(nested_too_deep(&"{\"a\":".repeat(100_000)));
        let in_string = format!("{{\"s\":\"{}\\\"{}\"}}", "[".repeat(500), "{".repeat(500));
        assert!(!nested_too_deep(&in_string));
        let siblings = "[[1],[2]],".repeat(1000);
        assert!(!nested_too_deep(&format!("[{siblings}0]")));
        let e = too_deep("GET /my/machines", 500);
        assert_eq!(
            (e.code.as_str(), e.status_code),
            (codes::INVALID_RESPONSE, 500)
        );
    }
}
