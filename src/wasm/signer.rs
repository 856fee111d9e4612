//! Signers: one trait, two implementations. [`WebCryptoSigner`] imports the key into
//! `crypto.subtle` once (non-extractable PKCS#8, lazily on the first request) and signs at
//! native speed; [`RustSigner`] signs in wasm with the `keys` module. [`AutoSigner`] prefers
//! WebCrypto and falls back to Rust when the host lacks it or refuses the key.

use super::js_error::from_js;
use crate::error::{Error, codes};
use crate::keys::{self, PrivateKey, SignatureAlgorithm};
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// A future that is not `Send` (wasm is single-threaded; JS promises are not `Send`).
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Produces http-signature signature bytes (before base64) for a signing string.
pub trait Signer {
    /// The algorithm named in the `Authorization` header.
    fn algorithm(&self) -> SignatureAlgorithm;
    /// Which implementation signs (`"webcrypto"` or `"rust"`; auto reports the one in use).
    fn kind(&self) -> &'static str;
    /// Signs `data`: RSA raw PKCS#1 v1.5, ECDSA DER, Ed25519 the raw 64 bytes.
    fn sign<'a>(&'a self, data: &'a [u8]) -> LocalFuture<'a, Result<Vec<u8>, Error>>;
}

/// Which signer the `signer` option asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerChoice {
    /// WebCrypto when available and accepting the key, else Rust.
    Auto,
    /// WebCrypto only (an error if the host lacks it or refuses the key).
    WebCrypto,
    /// The pure-Rust signer only.
    Rust,
}

impl SignerChoice {
    /// Valid values of the `signer` option.
    pub const NAMES: &'static [&'static str] = &["auto", "webcrypto", "rust"];

    /// From the option's text.
    pub fn parse(s: &str) -> Option<SignerChoice> {
        match s {
            "auto" => Some(SignerChoice::Auto),
            "webcrypto" => Some(SignerChoice::WebCrypto),
            "rust" => Some(SignerChoice::Rust),
            _ => None,
        }
    }
}

/// Builds the signer `choice` asks for around `key`.
pub fn make_signer(
    key: Rc<PrivateKey>,
    alg: SignatureAlgorithm,
    choice: SignerChoice,
) -> Result<Rc<dyn Signer>, Error> {
    key.key_type().check_algorithm(alg)?;
    Ok(match choice {
        SignerChoice::Rust => Rc::new(RustSigner { key, alg }),
        SignerChoice::WebCrypto => match subtle() {
            Some(s) => Rc::new(WebCryptoSigner::new(s, key, alg)),
            None => {
                return Err(Error::local(
                    codes::NOT_SUPPORTED,
                    "signer \"webcrypto\" needs globalThis.crypto.subtle, which this host lacks \
                     (browsers offer it only in secure contexts: https or localhost); use \
                     signer \"auto\" or \"rust\"",
                ));
            }
        },
        SignerChoice::Auto => Rc::new(AutoSigner {
            web: subtle().map(|s| WebCryptoSigner::new(s, key.clone(), alg)),
            rust: RustSigner { key, alg },
            web_failed: Cell::new(false),
        }),
    })
}

/// `globalThis.crypto.subtle`, if the host has one with `importKey` and `sign`.
pub fn subtle() -> Option<JsValue> {
    let global = js_sys::global();
    let crypto = Reflect::get(&global, &JsValue::from_str("crypto")).ok()?;
    if !crypto.is_object() {
        return None;
    }
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    let has = |k: &str| {
        Reflect::get(&subtle, &JsValue::from_str(k))
            .map(|f| f.is_function())
            .unwrap_or(false)
    };
    (subtle.is_object() && has("importKey") && has("sign")).then_some(subtle)
}

/// Signs in wasm with [`PrivateKey::sign`].
pub struct RustSigner {
    key: Rc<PrivateKey>,
    alg: SignatureAlgorithm,
}

impl RustSigner {
    /// A Rust signer for `key` with `alg`.
    pub fn new(key: Rc<PrivateKey>, alg: SignatureAlgorithm) -> RustSigner {
        RustSigner { key, alg }
    }
}

impl Signer for RustSigner {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.alg
    }
    fn kind(&self) -> &'static str {
        "rust"
    }
    fn sign<'a>(&'a self, data: &'a [u8]) -> LocalFuture<'a, Result<Vec<u8>, Error>> {
        Box::pin(async move { self.key.sign(self.alg, data) })
    }
}

/// Signs with `crypto.subtle`; the key is imported once, non-extractable, on first use.
pub struct WebCryptoSigner {
    subtle: JsValue,
    key: Rc<PrivateKey>,
    alg: SignatureAlgorithm,
    /// The `importKey` promise, shared by concurrent first requests.
    imported: RefCell<Option<Promise>>,
}

impl WebCryptoSigner {
    /// A WebCrypto signer over the host's `subtle` (see [`subtle`]).
    pub fn new(subtle: JsValue, key: Rc<PrivateKey>, alg: SignatureAlgorithm) -> WebCryptoSigner {
        WebCryptoSigner {
            subtle,
            key,
            alg,
            imported: RefCell::new(None),
        }
    }

    fn call(&self, method: &str, args: &Array) -> Result<Promise, Error> {
        let f = Reflect::get(&self.subtle, &JsValue::from_str(method))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .ok_or_else(|| {
                Error::local(
                    codes::NOT_SUPPORTED,
                    format!("crypto.subtle.{method} is missing"),
                )
            })?;
        let ret = Reflect::apply(&f, &self.subtle, args).map_err(|e| {
            from_js(
                codes::UNSUPPORTED_KEY,
                &format!("crypto.subtle.{method} refused the key"),
                &e,
            )
        })?;
        Ok(Promise::resolve(&ret))
    }

    fn start_import(&self) -> Result<Promise, Error> {
        let params = self.key.webcrypto_params(self.alg);
        let import = Object::new();
        set(&import, "name", params.name);
        if let Some(h) = params.hash.filter(|_| params.name == "RSASSA-PKCS1-v1_5") {
            set(&import, "hash", h);
        }
        if let Some(c) = params.named_curve {
            set(&import, "namedCurve", c);
        }
        let der = self.key.to_pkcs8_der();
        if der.is_empty() {
            return Err(Error::local(
                codes::UNSUPPORTED_KEY,
                "the key could not be encoded as PKCS#8 for WebCrypto",
            ));
        }
        let bytes = Uint8Array::from(&der[..]);
        let usages = Array::of1(&JsValue::from_str("sign"));
        let args = Array::of5(
            &JsValue::from_str("pkcs8"),
            &bytes,
            &import,
            &JsValue::FALSE,
            &usages,
        );
        let result = self.call("importKey", &args);
        // Why: importKey copies the bytes synchronously (WebCrypto spec: "get a copy of the
        // bytes"), so the JS copy of the key can be wiped now; `der` zeroizes on drop.
        bytes.fill(0, 0, bytes.length());
        result
    }

    async fn crypto_key(&self) -> Result<JsValue, Error> {
        let pending = self.imported.borrow().clone();
        let promise = match pending {
            Some(p) => p,
            None => {
                let p = self.start_import()?;
                *self.imported.borrow_mut() = Some(p.clone());
                p
            }
        };
        JsFuture::from(promise).await.map_err(|e| {
            from_js(
                codes::UNSUPPORTED_KEY,
                &format!(
                    "WebCrypto refused to import the {} key",
                    self.key.key_type().as_str()
                ),
                &e,
            )
        })
    }

    async fn sign_now(&self, data: &[u8]) -> Result<Vec<u8>, Error> {
        let key = self.crypto_key().await?;
        let params = self.key.webcrypto_params(self.alg);
        let algo = Object::new();
        set(&algo, "name", params.name);
        if let Some(h) = params.hash.filter(|_| params.name == "ECDSA") {
            set(&algo, "hash", h);
        }
        let args = Array::of3(&algo, &key, &Uint8Array::from(data));
        let sig = JsFuture::from(self.call("sign", &args)?)
            .await
            .map_err(|e| from_js(codes::UNSUPPORTED_KEY, "crypto.subtle.sign failed", &e))?;
        let bytes = Uint8Array::new(&sig).to_vec();
        if params.p1363_output {
            keys::ecdsa_p1363_to_der(&bytes)
        } else {
            Ok(bytes)
        }
    }
}

impl Signer for WebCryptoSigner {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.alg
    }
    fn kind(&self) -> &'static str {
        "webcrypto"
    }
    fn sign<'a>(&'a self, data: &'a [u8]) -> LocalFuture<'a, Result<Vec<u8>, Error>> {
        Box::pin(self.sign_now(data))
    }
}

/// WebCrypto first; after its first failure (no such algorithm, key refused), Rust for good.
pub struct AutoSigner {
    web: Option<WebCryptoSigner>,
    rust: RustSigner,
    web_failed: Cell<bool>,
}

impl Signer for AutoSigner {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.rust.alg
    }
    fn kind(&self) -> &'static str {
        match &self.web {
            Some(_) if !self.web_failed.get() => "webcrypto",
            _ => "rust",
        }
    }
    fn sign<'a>(&'a self, data: &'a [u8]) -> LocalFuture<'a, Result<Vec<u8>, Error>> {
        Box::pin(async move {
            if let Some(web) = self.web.as_ref().filter(|_| !self.web_failed.get()) {
                match web.sign_now(data).await {
                    Ok(sig) => return Ok(sig),
                    // Why: hosts differ (Ed25519 arrived in Chrome 137, P-521 is missing in
                    // some engines); the Rust signer handles every key type this crate parses.
                    Err(_) => self.web_failed.set(true),
                }
            }
            self.rust.key.sign(self.rust.alg, data)
        })
    }
}

fn set(obj: &Object, key: &str, value: &str) {
    // Why: setting a string on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &JsValue::from_str(value));
}
