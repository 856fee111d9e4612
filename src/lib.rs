//! smartdc-wasm: a Triton CloudAPI client. A sans-IO core (keys, signing, request building,
//! response decoding, errors) in plain Rust, and a thin wasm-bindgen layer (`wasm`) that owns
//! the JS classes, promises and the `fetch` call.

// Why: `Error` (~130 bytes) carries CloudAPI's code, message, status, request id and body on
// purpose; boxing it would complicate every signature for no measurable gain off the hot path.
#![allow(clippy::result_large_err)]

pub mod agent;
pub mod api;
pub mod error;
pub mod json;
pub mod keys;
pub mod location;
pub mod request;
pub mod response;
pub mod signing;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
