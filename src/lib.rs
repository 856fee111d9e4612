//! smartdc-wasm: a Triton CloudAPI client. A sans-IO core (keys, signing, request building,
//! response decoding, errors) in plain Rust, and a thin wasm-bindgen layer (`wasm`) that owns
//! the JS classes, promises and the `fetch` call.

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
