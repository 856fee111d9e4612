//! Who signs and as whom. A DataCenter's key is one of: a parsed private key with its signer
//! (ready at construction), an encrypted key whose passphrase callback is asked lazily on the
//! first request, or a signer object the user (or `agentSigner`) implements in JS.

use super::js_error::{describe_thrown, from_js};
use super::signer::{LocalFuture, Signer, SignerChoice, make_signer};
use crate::error::{Error, codes};
use crate::keys::{self, PrivateKey, PublicKey, SignatureAlgorithm};
use crate::signing;
use js_sys::{ArrayBuffer, Function, Promise, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use zeroize::{Zeroize, Zeroizing};

/// The local code of a user signer object that failed without a `CloudApiError` of its own.
pub const SIGNER_ERROR: &str = "SignerError";

/// What one signature produced: the keyId and algorithm to send with it.
pub struct Signed {
    /// The `keyId` for the `Authorization` header.
    pub key_id: String,
    /// The algorithm the signature was made with.
    pub algorithm: SignatureAlgorithm,
    /// The signature bytes (before base64).
    pub signature: Vec<u8>,
}

/// A parsed key with its signer and keyId.
pub struct Ready {
    /// The keyId sent.
    pub key_id: String,
    /// The signer.
    pub signer: Rc<dyn Signer>,
}

/// Who signs and as whom; shared by a DataCenter, its siblings and its machines.
pub struct Credentials {
    /// The account in request paths (`actAs` when given, else the login).
    pub account: String,
    /// The login whose key signs (the keyId's account).
    pub login: String,
    /// The sub-user, if any.
    pub user: Option<String>,
    source: Source,
}

enum Source {
    Key(Rc<Ready>),
    Lazy(Box<LazyKey>),
    External(ExternalSigner),
}

/// Builds the keyId and signer for a parsed key.
pub fn ready(
    key: PrivateKey,
    login: &str,
    user: Option<&str>,
    key_id: Option<&str>,
    choice: SignerChoice,
) -> Result<Ready, Error> {
    let public = key.public_key();
    let input = match key_id {
        Some(k) => signing::parse_key_id_input(k),
        None => signing::KeyIdInput::Md5(public.md5_fingerprint()),
    };
    let key_id = signing::build_key_id(login, user, &input, Some(&public))?;
    let alg = key.default_algorithm();
    let signer = make_signer(Rc::new(key), alg, choice)?;
    Ok(Ready { key_id, signer })
}

impl Credentials {
    /// Credentials around an already parsed key.
    pub fn with_key(account: String, login: String, user: Option<String>, r: Ready) -> Self {
        Credentials {
            account,
            login,
            user,
            source: Source::Key(Rc::new(r)),
        }
    }

    /// Credentials for an encrypted key whose passphrase `callback` is asked on first use.
    pub fn with_passphrase_callback(
        account: String,
        login: String,
        user: Option<String>,
        text: Zeroizing<String>,
        callback: Function,
        key_id: Option<String>,
        choice: SignerChoice,
    ) -> Self {
        Credentials {
            account,
            login,
            user,
            source: Source::Lazy(Box::new(LazyKey {
                text: RefCell::new(Some(text)),
                callback,
                key_id,
                choice,
                ready: RefCell::new(None),
                asking: RefCell::new(None),
                generation: Cell::new(0),
            })),
        }
    }

    /// Credentials around a JS signer object (`{ sign, algorithm, keyId | fingerprint }`).
    pub fn with_signer_object(
        account: String,
        login: String,
        user: Option<String>,
        obj: JsValue,
        key_id: Option<String>,
    ) -> Result<Self, Error> {
        let ext = ExternalSigner { obj, key_id };
        ext.check()?;
        let creds = Credentials {
            account,
            login,
            user,
            source: Source::External(ext),
        };
        if let Source::External(e) = &creds.source {
            // A keyId and algorithm given up front must already be valid; a signer that
            // learns them on first use (an agent) may leave them unset until then.
            if e.has_identity() {
                e.current(&creds.login, creds.user.as_deref())?;
            }
        }
        Ok(creds)
    }

    /// The keyId sent, once known (an encrypted key's is known after the first request).
    pub fn key_id(&self) -> Option<String> {
        match &self.source {
            Source::Key(r) => Some(r.key_id.clone()),
            Source::Lazy(l) => l.ready.borrow().as_ref().map(|r| r.key_id.clone()),
            Source::External(e) => e
                .current(&self.login, self.user.as_deref())
                .ok()
                .map(|c| c.0),
        }
    }

    /// The algorithm, once known.
    pub fn algorithm(&self) -> Option<SignatureAlgorithm> {
        match &self.source {
            Source::Key(r) => Some(r.signer.algorithm()),
            Source::Lazy(l) => l.ready.borrow().as_ref().map(|r| r.signer.algorithm()),
            Source::External(e) => e
                .current(&self.login, self.user.as_deref())
                .ok()
                .map(|c| c.1),
        }
    }

    /// `"webcrypto"`, `"rust"`, `"custom"` (a signer object), or `"pending"` before an
    /// encrypted key is unlocked.
    pub fn kind(&self) -> &'static str {
        match &self.source {
            Source::Key(r) => r.signer.kind(),
            Source::Lazy(l) => l
                .ready
                .borrow()
                .as_ref()
                .map_or("pending", |r| r.signer.kind()),
            Source::External(_) => "custom",
        }
    }

    /// Signs `data`, unlocking an encrypted key first when needed.
    pub async fn sign(&self, data: &[u8]) -> Result<Signed, Error> {
        let r = match &self.source {
            Source::Key(r) => r.clone(),
            Source::Lazy(l) => l.resolve(&self.login, self.user.as_deref()).await?,
            Source::External(e) => return e.sign(data, &self.login, self.user.as_deref()).await,
        };
        let signature = r.signer.sign(data).await?;
        Ok(Signed {
            key_id: r.key_id.clone(),
            algorithm: r.signer.algorithm(),
            signature,
        })
    }

    /// True when a 401 may be retried with another key (a signer object with `rotate()`).
    pub fn can_rotate(&self) -> bool {
        matches!(&self.source, Source::External(e) if e.rotate_fn().is_some())
    }

    /// After a 401 for `used_key_id`: `Ok(true)` when the request should be signed again,
    /// because the signer moved to another key (or another request already moved it).
    pub async fn rotate(&self, used_key_id: &str) -> Result<bool, Error> {
        let Source::External(e) = &self.source else {
            return Ok(false);
        };
        let Some(f) = e.rotate_fn() else {
            return Ok(false);
        };
        // Why: concurrent requests that failed with the same key must not each skip a key.
        if let Ok((now, _)) = e.current(&self.login, self.user.as_deref())
            && now != used_key_id
        {
            return Ok(true);
        }
        let ret = f
            .call0(&e.obj)
            .map_err(|x| pass_through(&x, "signer.rotate() threw"))?;
        let v = JsFuture::from(Promise::resolve(&ret))
            .await
            .map_err(|x| pass_through(&x, "signer.rotate() rejected"))?;
        Ok(v.as_bool() == Some(true))
    }
}

/// An encrypted key and the callback that gives its passphrase.
struct LazyKey {
    /// The locked key text, wiped and dropped once the key is unlocked.
    text: RefCell<Option<Zeroizing<String>>>,
    callback: Function,
    key_id: Option<String>,
    choice: SignerChoice,
    ready: RefCell<Option<Rc<Ready>>>,
    /// The pending callback promise, shared by concurrent first requests, with its number.
    asking: RefCell<Option<(u32, Promise)>>,
    generation: Cell<u32>,
}

impl LazyKey {
    async fn resolve(&self, login: &str, user: Option<&str>) -> Result<Rc<Ready>, Error> {
        if let Some(r) = self.ready.borrow().clone() {
            return Ok(r);
        }
        let pending = self.asking.borrow().clone();
        let (gen_no, promise) = match pending {
            Some(p) => p,
            None => {
                let n = self.generation.get().wrapping_add(1);
                self.generation.set(n);
                let ret = self.callback.call0(&JsValue::UNDEFINED).map_err(|e| {
                    Error::local(
                        codes::BAD_PASSPHRASE,
                        format!("the passphrase callback threw: {}", describe_thrown(&e)),
                    )
                })?;
                let p = Promise::resolve(&ret);
                *self.asking.borrow_mut() = Some((n, p.clone()));
                (n, p)
            }
        };
        let answer = JsFuture::from(promise).await;
        if let Some(r) = self.ready.borrow().clone() {
            return Ok(r);
        }
        let result = self.unlock(answer, login, user);
        // Why: a failure forgets this answer, so the next request asks the callback again.
        if result.is_err() {
            let mut asking = self.asking.borrow_mut();
            if asking.as_ref().is_some_and(|(n, _)| *n == gen_no) {
                *asking = None;
            }
        }
        result
    }

    fn unlock(
        &self,
        answer: Result<JsValue, JsValue>,
        login: &str,
        user: Option<&str>,
    ) -> Result<Rc<Ready>, Error> {
        let value = answer.map_err(|e| {
            Error::local(
                codes::BAD_PASSPHRASE,
                format!("the passphrase callback rejected: {}", describe_thrown(&e)),
            )
        })?;
        let pass = secret_bytes(&value).ok_or_else(|| {
            Error::local(
                codes::BAD_PASSPHRASE,
                "the passphrase callback must resolve with a string or a Uint8Array",
            )
        })?;
        let key = {
            let text = self.text.borrow();
            let text = text.as_ref().ok_or_else(|| {
                Error::local(codes::INVALID_KEY, "the locked key is no longer available")
            })?;
            keys::parse_private_key(text.as_str(), Some(&pass))?
        };
        drop(pass);
        let r = Rc::new(ready(
            key,
            login,
            user,
            self.key_id.as_deref(),
            self.choice,
        )?);
        *self.ready.borrow_mut() = Some(r.clone());
        // The parsed key now lives in the signer; the text copy is wiped (Zeroizing) here.
        self.text.borrow_mut().take();
        Ok(r)
    }
}

/// A passphrase value as bytes wiped on drop; a `Uint8Array` handed to us is wiped too.
fn secret_bytes(v: &JsValue) -> Option<Zeroizing<Vec<u8>>> {
    if let Some(s) = v.as_string() {
        let mut s = s;
        let out = Zeroizing::new(s.as_bytes().to_vec());
        s.zeroize();
        return Some(out);
    }
    let bytes = v.dyn_ref::<Uint8Array>()?;
    let out = Zeroizing::new(bytes.to_vec());
    bytes.fill(0, 0, bytes.length());
    Some(out)
}

/// A JS `CloudApiError` thrown by a signer object keeps its code; anything else becomes a
/// `SignerError` with `context`.
fn pass_through(thrown: &JsValue, context: &str) -> Error {
    let get = |k: &str| {
        Reflect::get(thrown, &JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_string())
    };
    match (get("name").as_deref(), get("code"), get("message")) {
        (Some(super::js_error::ERROR_NAME), Some(code), Some(message)) => {
            Error::local(&code, message)
        }
        _ => from_js(SIGNER_ERROR, context, thrown),
    }
}

/// A signer object implemented in JS.
struct ExternalSigner {
    obj: JsValue,
    /// The DataCenter's own `keyId` option, which wins over the object's.
    key_id: Option<String>,
}

impl ExternalSigner {
    fn prop(&self, k: &str) -> JsValue {
        Reflect::get(&self.obj, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    }

    fn text(&self, k: &str) -> Result<Option<String>, Error> {
        let v = self.prop(k);
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        v.as_string().map(Some).ok_or_else(|| {
            Error::invalid_argument(format!(
                "signer.{k} must be a string, got {}",
                super::options::kind(&v)
            ))
        })
    }

    fn sign_fn(&self) -> Option<Function> {
        self.prop("sign").dyn_into::<Function>().ok()
    }

    fn rotate_fn(&self) -> Option<Function> {
        self.prop("rotate").dyn_into::<Function>().ok()
    }

    fn check(&self) -> Result<(), Error> {
        if self.sign_fn().is_none() {
            return Err(Error::invalid_argument(
                "a signer object needs sign(data: Uint8Array): Promise<Uint8Array>",
            ));
        }
        if let Some(a) = self.text("algorithm")? {
            SignatureAlgorithm::parse(&a)?;
        }
        Ok(())
    }

    /// True when the object already names its key and algorithm.
    fn has_identity(&self) -> bool {
        let set = |k: &str| {
            let v = self.prop(k);
            !v.is_undefined() && !v.is_null()
        };
        set("algorithm") && (self.key_id.is_some() || set("keyId") || set("fingerprint"))
    }

    /// The keyId and algorithm the object names now (an agent's change when it rotates).
    fn current(
        &self,
        login: &str,
        user: Option<&str>,
    ) -> Result<(String, SignatureAlgorithm), Error> {
        let alg = self.text("algorithm")?.ok_or_else(|| {
            Error::invalid_argument("signer.algorithm is not set (e.g. \"rsa-sha256\")")
        })?;
        let alg = SignatureAlgorithm::parse(&alg)?;
        let named = match &self.key_id {
            Some(k) => Some(k.clone()),
            None => match self.text("keyId")? {
                Some(k) => Some(k),
                None => self.text("fingerprint")?,
            },
        };
        let named = named.ok_or_else(|| {
            Error::invalid_argument(
                "a signer object needs keyId (a key path, MD5 fingerprint or key name) or \
                 fingerprint",
            )
        })?;
        let public = match self.text("publicKey")? {
            Some(line) => Some(PublicKey::from_openssh(&line)?),
            None => None,
        };
        let input = signing::parse_key_id_input(&named);
        let key_id = signing::build_key_id(login, user, &input, public.as_ref())?;
        Ok((key_id, alg))
    }

    fn sign<'a>(
        &'a self,
        data: &'a [u8],
        login: &'a str,
        user: Option<&'a str>,
    ) -> LocalFuture<'a, Result<Signed, Error>> {
        Box::pin(async move {
            let f = self
                .sign_fn()
                .ok_or_else(|| Error::invalid_argument("signer.sign is no longer a function"))?;
            let ret = f
                .call1(&self.obj, &Uint8Array::from(data))
                .map_err(|e| pass_through(&e, "signer.sign() threw"))?;
            let v = JsFuture::from(Promise::resolve(&ret))
                .await
                .map_err(|e| pass_through(&e, "signer.sign() rejected"))?;
            let mut signature = if let Some(u) = v.dyn_ref::<Uint8Array>() {
                u.to_vec()
            } else if v.is_instance_of::<ArrayBuffer>() {
                Uint8Array::new(&v).to_vec()
            } else {
                return Err(Error::local(
                    SIGNER_ERROR,
                    format!(
                        "signer.sign() must resolve with a Uint8Array, got {}",
                        super::options::kind(&v)
                    ),
                ));
            };
            // Read after signing: a signer may learn its key on first use (an agent).
            let (key_id, algorithm) = self.current(login, user)?;
            // Why: WebCrypto gives ECDSA as r||s (64/96/132 bytes); CloudAPI wants DER, which
            // is never exactly those lengths for these curves.
            let ecdsa = matches!(
                algorithm,
                SignatureAlgorithm::EcdsaSha256 | SignatureAlgorithm::EcdsaSha512
            );
            if ecdsa && matches!(signature.len(), 64 | 96 | 132) {
                signature = keys::ecdsa_p1363_to_der(&signature)?;
            }
            Ok(Signed {
                key_id,
                algorithm,
                signature,
            })
        })
    }
}
