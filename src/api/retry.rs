//! Retry policy as pure functions (cloudapi.md §3.6): which failures to retry, and how long
//! to wait (exponential backoff with jitter from a caller-supplied random number, honouring
//! `Retry-After`). The wasm layer owns the clock and the sleeping.

use crate::error::{Error, codes};
use crate::request::Method;

/// Retry limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The first backoff step in ms (doubled per retry).
    pub base_delay_ms: u64,
    /// Cap on one computed backoff in ms.
    pub max_delay_ms: u64,
    /// Give up instead of waiting when `Retry-After` asks for longer than this (ms).
    pub max_retry_after_ms: u64,
}

impl Default for RetryPolicy {
    /// 4 attempts, 1 s doubling to at most 20 s; `Retry-After` honoured up to 2 minutes.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay_ms: 1000,
            max_delay_ms: 20_000,
            max_retry_after_ms: 120_000,
        }
    }
}

/// Whether `err` is worth retrying for this request. Only idempotent requests are ever
/// retried (a non-idempotent POST such as CreateMachine could run twice), and only on
/// transient failures: no response (network error, timeout), 408, 429, 502, 503, 504.
/// 500 is not retried: CloudAPI uses it for deterministic failures (expired presigned URLs).
pub fn is_retryable(method: Method, idempotent: bool, err: &Error) -> bool {
    if !(idempotent || method.is_idempotent()) {
        return false;
    }
    match err.status_code {
        0 => err.code == codes::NETWORK_ERROR || err.code == codes::TIMEOUT,
        408 | 429 | 502 | 503 | 504 => true,
        _ => false,
    }
}

/// Whether `err` is CloudAPI rejecting the request's date (clock skew or an old `Date`):
/// adjust the clock offset from the response's `Date` and retry once.
pub fn is_clock_skew(err: &Error) -> bool {
    (err.status_code == 400 || err.status_code == 401)
        && (err.code == "RequestExpired"
            || (err.code == "InvalidHeader" && err.message.contains("clock skew")))
}

/// Server time minus local time in seconds, from the response `Date` header.
pub fn clock_offset(server_date: &str, local_now: i64) -> Option<i64> {
    crate::response::parse_http_date(server_date).map(|t| t.saturating_sub(local_now))
}

/// The wait before retry number `retry` (0 for the first retry), or `None` to give up:
/// attempts exhausted, or a `Retry-After` longer than the policy accepts. `random` in
/// `[0, 1)` spreads clients apart ("equal jitter": half fixed, half random).
pub fn backoff_delay_ms(
    policy: &RetryPolicy,
    retry: u32,
    retry_after_secs: Option<u64>,
    random: f64,
) -> Option<u64> {
    if retry.saturating_add(1) >= policy.max_attempts {
        return None;
    }
    let r = if random.is_finite() {
        random.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let exp = policy
        .base_delay_ms
        .saturating_mul(1u64.checked_shl(retry.min(32)).unwrap_or(u64::MAX))
        .min(policy.max_delay_ms);
    let half = exp / 2;
    let jittered = half.saturating_add((half as f64 * r) as u64);
    match retry_after_secs {
        Some(s) => {
            let wait = s.saturating_mul(1000);
            if wait > policy.max_retry_after_ms {
                None
            } else {
                // Add a little jitter on top so clients told the same time do not stampede.
                Some(wait.saturating_add((policy.base_delay_ms as f64 * r / 4.0) as u64))
            }
        }
        None => Some(jittered),
    }
}
