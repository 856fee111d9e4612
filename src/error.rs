//! The one error type of the library. CloudAPI errors keep the server's `code`, HTTP status,
//! request id and body; local failures use a local code (`InvalidKey`, `Timeout`, …).

use crate::json::Json;
use std::fmt;

/// A failed call: CloudAPI's answer or a local problem, with a message a person can act on.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// CloudAPI's `code` (`ResourceNotFound`, `InvalidArgument`, …) or a local code.
    pub code: String,
    /// What went wrong and, where possible, what to do about it.
    pub message: String,
    /// HTTP status; 0 when no response was received.
    pub status_code: u16,
    /// The server's `Request-Id` / `x-request-id`, when there was a response.
    pub request_id: Option<String>,
    /// The decoded error body, when there was one.
    pub body: Option<Json>,
    /// Seconds from a `Retry-After` header, when the server sent one.
    pub retry_after: Option<u64>,
}

impl Error {
    /// A local error (no HTTP response involved).
    pub fn local(code: &str, message: impl Into<String>) -> Self {
        Error {
            code: code.to_string(),
            message: message.into(),
            status_code: 0,
            request_id: None,
            body: None,
            retry_after: None,
        }
    }

    /// Malformed, truncated or wrong-kind key text.
    pub fn invalid_key(message: impl Into<String>) -> Self {
        Self::local(codes::INVALID_KEY, message)
    }

    /// A bad argument from the caller, detected before any request was sent.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::local(codes::INVALID_ARGUMENT, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// Local error codes (CloudAPI's own codes pass through unchanged).
pub mod codes {
    /// The key text could not be read as a private or public key.
    pub const INVALID_KEY: &str = "InvalidKey";
    /// The key is encrypted and no passphrase, or a wrong one, was given.
    pub const BAD_PASSPHRASE: &str = "BadPassphrase";
    /// No key matches the configured keyId or fingerprint.
    pub const KEY_NOT_FOUND: &str = "KeyNotFound";
    /// A key type or algorithm CloudAPI cannot verify (DSA, `sk-` keys, sha384…).
    pub const UNSUPPORTED_KEY: &str = "UnsupportedKey";
    /// The ssh-agent failed or answered something unexpected.
    pub const AGENT_ERROR: &str = "AgentError";
    /// A caller-side argument is wrong (same code CloudAPI uses for bad parameters).
    pub const INVALID_ARGUMENT: &str = "InvalidArgument";
    /// The request never got an HTTP response (DNS, refused, reset, TLS…).
    pub const NETWORK_ERROR: &str = "NetworkError";
    /// A deadline passed.
    pub const TIMEOUT: &str = "Timeout";
    /// The caller's AbortSignal fired.
    pub const ABORTED: &str = "Aborted";
    /// The response could not be decoded (not JSON, wrong shape, truncated).
    pub const INVALID_RESPONSE: &str = "InvalidResponse";
    /// The server's API version lacks this feature.
    pub const NOT_SUPPORTED: &str = "NotSupported";
    /// A name matched more than one resource.
    pub const AMBIGUOUS_NAME: &str = "AmbiguousName";
    /// An unknown location name.
    pub const UNKNOWN_LOCATION: &str = "UnknownLocation";
}
