//! Low-level ssh-agent helpers for the Node `agentSigner` (pkg-template/node/agent.cjs): the
//! JS side only moves bytes over the socket; framing, parsing, sign requests and signature
//! conversion are the sans-IO [`crate::agent`] module. Also `keyFingerprints` for key discovery.

use super::js_error::{OrJs, to_js};
use crate::agent::{self, Identity, Message};
use crate::error::{Error, codes};
use crate::keys::{self, PublicKey};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Why: setting on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// The one complete message `frame` must hold.
fn message(frame: &[u8]) -> Result<Message<'_>, Error> {
    agent::take_message(frame)?
        .ok_or_else(|| Error::local(codes::AGENT_ERROR, "incomplete message from the ssh-agent"))
}

/// The framed `REQUEST_IDENTITIES` message (low-level; used by `agentSigner`).
#[wasm_bindgen(js_name = sshAgentRequestIdentities)]
pub fn request_identities() -> Uint8Array {
    Uint8Array::from(&agent::request_identities()[..])
}

/// Length of the first complete agent message in `buf` (0 while incomplete); throws
/// `AgentError` for a length no agent sends (low-level; used by `agentSigner`).
#[wasm_bindgen(js_name = sshAgentMessageLength)]
pub fn message_length(buf: &[u8]) -> Result<u32, JsValue> {
    let m = agent::take_message(buf).or_js()?;
    // Why: `consumed` is at most MAX_MESSAGE + 4, far below u32::MAX.
    Ok(m.map_or(0, |m| u32::try_from(m.consumed).unwrap_or(u32::MAX)))
}

/// Parses an identities answer: `[{ blob, comment, type, md5, sha256, algorithm?, problem? }]`
/// (`problem` says why a key cannot sign CloudAPI requests; low-level).
#[wasm_bindgen(js_name = sshAgentParseIdentities, unchecked_return_type = "Array<{ blob: Uint8Array, comment: string, type?: string, md5?: string, sha256?: string, algorithm?: string, problem?: string }>")]
pub fn parse_identities(frame: &[u8]) -> Result<JsValue, JsValue> {
    let ids = agent::parse_identities(&message(frame).or_js()?).or_js()?;
    let out = Array::new();
    for id in &ids {
        let o = Object::new();
        set(&o, "blob", &Uint8Array::from(&id.blob[..]));
        set(&o, "comment", &JsValue::from_str(&id.comment));
        if let Some(k) = &id.public_key {
            set(&o, "type", &JsValue::from_str(k.key_type().as_str()));
            set(&o, "md5", &JsValue::from_str(&k.md5_fingerprint()));
            set(&o, "sha256", &JsValue::from_str(&k.sha256_fingerprint()));
            set(&o, "publicKey", &JsValue::from_str(&k.to_openssh()));
        }
        match id.check_usable().and_then(|_| {
            id.public_key
                .as_ref()
                .map(agent::agent_algorithm)
                .transpose()
        }) {
            Ok(Some(alg)) => set(&o, "algorithm", &JsValue::from_str(alg.as_str())),
            Ok(None) => {}
            Err(e) => set(&o, "problem", &to_js(&e)),
        }
        out.push(&o);
    }
    Ok(out.into())
}

/// Index in an identities answer of the key matching `fingerprint` (MD5 or SHA256);
/// `KeyNotFound` naming the keys the agent holds, `UnsupportedKey` for a P-384 key (low-level).
#[wasm_bindgen(js_name = sshAgentFindIdentity)]
pub fn find_identity(frame: &[u8], fingerprint: &str) -> Result<u32, JsValue> {
    let ids = agent::parse_identities(&message(frame).or_js()?).or_js()?;
    let found = agent::find_identity(&ids, fingerprint).or_js()?;
    found.check_usable().or_js()?;
    let index = ids.iter().position(|i| std::ptr::eq(i, found)).unwrap_or(0);
    Ok(u32::try_from(index).unwrap_or(0))
}

/// The framed sign request for `data` with the agent key `blob` (RSA asks for rsa-sha2-256;
/// low-level).
#[wasm_bindgen(js_name = sshAgentSignRequest)]
pub fn sign_request(blob: &[u8], data: &[u8]) -> Result<Uint8Array, JsValue> {
    let id = identity(blob).or_js()?;
    let key = id.public_key.as_ref().ok_or_else(|| to_js(&unusable()))?;
    let alg = agent::agent_algorithm(key).or_js()?;
    let framed = agent::sign_request(&id, data, alg).or_js()?;
    Ok(Uint8Array::from(&framed[..]))
}

/// Parses a sign response for the key `blob`: `{ algorithm, signature }` with the signature
/// as http-signature wants it (RSA padded, ECDSA DER, Ed25519 raw; low-level).
#[wasm_bindgen(js_name = sshAgentParseSignResponse, unchecked_return_type = "{ algorithm: string, signature: Uint8Array }")]
pub fn parse_sign_response(frame: &[u8], blob: &[u8]) -> Result<JsValue, JsValue> {
    let id = identity(blob).or_js()?;
    let key = id.public_key.as_ref().ok_or_else(|| to_js(&unusable()))?;
    let (alg, sig) = agent::parse_sign_response(&message(frame).or_js()?, key).or_js()?;
    let o = Object::new();
    set(&o, "algorithm", &JsValue::from_str(alg.as_str()));
    set(&o, "signature", &Uint8Array::from(&sig[..]));
    Ok(o.into())
}

fn unusable() -> Error {
    Error::local(
        codes::UNSUPPORTED_KEY,
        "this agent key's type cannot sign CloudAPI requests",
    )
}

fn identity(blob: &[u8]) -> Result<Identity, Error> {
    Ok(Identity {
        blob: blob.to_vec(),
        comment: String::new(),
        public_key: Some(PublicKey::from_blob(blob)?),
    })
}

/// Fingerprints of an OpenSSH public key line or an unencrypted private key:
/// `{ type, md5, sha256, publicKey }`; `{ encrypted: true }` for a locked private key.
#[wasm_bindgen(js_name = keyFingerprints, unchecked_return_type = "{ encrypted?: boolean, type?: string, md5?: string, sha256?: string, publicKey?: string }")]
pub fn key_fingerprints(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsValue> {
    let text = zeroize::Zeroizing::new(super::options::string_arg(&text, "keyFingerprints(text)")?);
    let o = Object::new();
    let public = if text.contains("PRIVATE KEY-----") {
        if keys::is_encrypted(&text) {
            set(&o, "encrypted", &JsValue::TRUE);
            return Ok(o.into());
        }
        keys::parse_private_key(&text, None).or_js()?.public_key()
    } else {
        PublicKey::from_openssh(&text).or_js()?
    };
    set(&o, "type", &JsValue::from_str(public.key_type().as_str()));
    set(&o, "md5", &JsValue::from_str(&public.md5_fingerprint()));
    set(
        &o,
        "sha256",
        &JsValue::from_str(&public.sha256_fingerprint()),
    );
    set(&o, "publicKey", &JsValue::from_str(&public.to_openssh()));
    Ok(o.into())
}

thread_local! {
    /// `agentSigner` from the Node entry (pkg-template/node/agent.cjs), for the DataCenter
    /// `agent` option; `None` in browsers.
    static AGENT_FACTORY: std::cell::RefCell<Option<js_sys::Function>> = const { std::cell::RefCell::new(None) };
}

/// Registers the Node `agentSigner` for the `agent` option (called by the Node entry only).
// Why a registration call: the agent's socket code is Node-only JS that the wasm (shared with
// browsers) cannot import, and the DataCenter constructor must stay synchronous.
#[wasm_bindgen(js_name = __setAgentSignerFactory, skip_typescript)]
pub fn set_agent_signer_factory(f: js_sys::Function) {
    AGENT_FACTORY.with(|cell| *cell.borrow_mut() = Some(f));
}

/// The signer object for the DataCenter option `agent: true | { socketPath, fingerprint, timeout }`.
pub(crate) fn agent_signer_for(option: &JsValue) -> Result<JsValue, JsValue> {
    let factory = AGENT_FACTORY.with(|cell| cell.borrow().clone());
    let Some(f) = factory else {
        return Err(super::datacenter::node_only("the agent option"));
    };
    let arg = if option.as_bool() == Some(true) {
        Object::new().into()
    } else if option.is_object() {
        option.clone()
    } else {
        return Err(super::js_error::type_error(
            "new DataCenter(options): agent must be true or { socketPath, fingerprint, timeout }",
        ));
    };
    f.call1(&JsValue::UNDEFINED, &arg)
}

/// Node only: a signer object backed by the ssh-agent (throws `NotSupported` elsewhere).
#[wasm_bindgen(js_name = agentSigner, unchecked_return_type = "AgentSigner")]
pub fn agent_signer(
    #[wasm_bindgen(
        js_name = "options",
        unchecked_optional_param_type = "AgentSignerOptions"
    )]
    _options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    Err(super::datacenter::node_only("agentSigner()"))
}
