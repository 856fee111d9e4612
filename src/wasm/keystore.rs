//! What the browser `KeyStore` (pkg-template/keystore.js) needs from the Rust key parsers:
//! any supported private-key text turned into WebCrypto import material, and the ECDSA
//! signature re-encoding CloudAPI expects.

use super::js_error::{OrJs, to_js, type_error};
use super::options::kind;
use crate::error::{Error, codes};
use crate::keys::{self, SignatureAlgorithm};
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use zeroize::{Zeroize, Zeroizing};

// Why the KeyStore class is declared here: it is JS (pkg-template/keystore.js) re-exported by the
// package entries, and declaring it beside the glue's types gives every entry's `.d.ts` the same
// declaration without a second types file per module kind.
#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** What `keyMaterial()` returns: a private key ready for `crypto.subtle.importKey("pkcs8", …)`. */
export interface KeyMaterial {
  /** The private key as unencrypted PKCS#8 DER. Wipe it with `pkcs8.fill(0)` right after `importKey`. */
  pkcs8: Uint8Array;
  /** The http-signature algorithm CloudAPI is sent for this key (`rsa-sha256`, `ecdsa-sha256`, …). */
  algorithm: string;
  /** `importKey` algorithm parameters; `sign` takes `{ name, hash }` for ECDSA, `{ name }` otherwise. */
  webcrypto: { name: string; hash?: string; namedCurve?: string };
  /** True when `sign` returns IEEE P1363 `r||s`, to be converted with `ecdsaP1363ToDer`. */
  p1363: boolean;
  /** The public key, one OpenSSH line. */
  publicKey: string;
  /** MD5 fingerprint in colon hex (what CloudAPI keyIds use). */
  md5: string;
  /** SHA256 fingerprint (`SHA256:…`). */
  sha256: string;
}

/** A key in the KeyStore as `list()` shows it (no key material). */
export interface KeyStoreEntry {
  name: string;
  /** The http-signature algorithm (`rsa-sha256`, `ecdsa-sha256`, `ed25519-sha512`, …). */
  algorithm: string;
  /** The public key, one OpenSSH line (what `addKey` wants). */
  publicKey: string;
  md5: string;
  sha256: string;
  /** ISO 8601 time of the import. */
  created: string;
}

/** A signer object for the DataCenter `signer` option. */
export interface KeySigner {
  fingerprint: string;
  algorithm: string;
  /** Signs the http-signature signing string: RSA raw, ECDSA DER, Ed25519 raw 64 bytes. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/**
 * Browser storage for SSH keys as non-extractable WebCrypto keys in IndexedDB (database
 * "smartdc-wasm", store "keys"): import a key file once, sign later without its text.
 * Exported by the package entries (it is written in JS: pkg-template/keystore.js).
 */
export declare class KeyStore {
  private constructor();
  /** Opens the database; rejects with code `NotSupported` without IndexedDB (Node) or WebCrypto. */
  static open(options?: { name?: string; indexedDB?: unknown }): Promise<KeyStore>;
  /** Parses, imports non-extractable and stores a private key under `name`. */
  import(name: string, keyText: string | Uint8Array, options?: { passphrase?: string | Uint8Array; replace?: boolean }): Promise<KeyStoreEntry>;
  /** Every stored key (no CryptoKeys), sorted by name. */
  list(): Promise<KeyStoreEntry[]>;
  /** The stored entry with its non-extractable `cryptoKey`, or undefined. */
  get(name: string): Promise<(KeyStoreEntry & { cryptoKey: { readonly extractable: boolean; readonly type: string; readonly usages: string[] } }) | undefined>;
  /** Removes a key; true if it existed. */
  delete(name: string): Promise<boolean>;
  /** A signer object for `new DataCenter({ signer })`; rejects with `KeyNotFound` for an unknown name. */
  signer(name: string): Promise<KeySigner>;
  /** Closes the database connection. */
  close(): void;
}
"#;

/// Parses a private key (any supported format; `passphrase` for encrypted ones) into what
/// WebCrypto needs to import it. The returned `pkcs8` bytes are the secret key: call
/// `pkcs8.fill(0)` as soon as `importKey` has returned. The wasm copies are wiped here.
#[wasm_bindgen(js_name = keyMaterial, unchecked_return_type = "KeyMaterial")]
pub fn key_material(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] key_text: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | Uint8Array")] passphrase: JsValue,
) -> Result<JsValue, JsValue> {
    let text = secret("keyText", &key_text)?
        .ok_or_else(|| type_error("keyMaterial(keyText): keyText is required"))?;
    let pass = secret("passphrase", &passphrase)?;
    let key =
        keys::parse_private_key(text.as_str(), pass.as_ref().map(|p| p.as_bytes())).or_js()?;
    drop(text);
    drop(pass);

    let alg: SignatureAlgorithm = key.default_algorithm();
    let params = key.webcrypto_params(alg);
    let der = key.to_pkcs8_der();
    if der.is_empty() {
        return Err(to_js(&Error::local(
            codes::UNSUPPORTED_KEY,
            "the key could not be encoded as PKCS#8 for WebCrypto",
        )));
    }
    let public = key.public_key();
    let webcrypto = Object::new();
    set(&webcrypto, "name", &JsValue::from_str(params.name));
    if let Some(h) = params.hash {
        set(&webcrypto, "hash", &JsValue::from_str(h));
    }
    if let Some(c) = params.named_curve {
        set(&webcrypto, "namedCurve", &JsValue::from_str(c));
    }
    let out = Object::new();
    // Why: `Uint8Array::from` copies into JS memory; `der` (Zeroizing) wipes the wasm copy on drop.
    set(&out, "pkcs8", &Uint8Array::from(&der[..]));
    set(&out, "algorithm", &JsValue::from_str(alg.as_str()));
    set(&out, "webcrypto", &webcrypto);
    set(&out, "p1363", &JsValue::from_bool(params.p1363_output));
    set(&out, "publicKey", &JsValue::from_str(&public.to_openssh()));
    set(&out, "md5", &JsValue::from_str(&public.md5_fingerprint()));
    set(
        &out,
        "sha256",
        &JsValue::from_str(&public.sha256_fingerprint()),
    );
    Ok(out.into())
}

/// Re-encodes a WebCrypto ECDSA signature (IEEE P1363 `r||s`) as the ASN.1 DER CloudAPI verifies.
#[wasm_bindgen(js_name = ecdsaP1363ToDer)]
pub fn ecdsa_p1363_to_der(signature: &[u8]) -> Result<Vec<u8>, JsValue> {
    keys::ecdsa_p1363_to_der(signature).or_js()
}

/// A string or UTF-8 bytes argument, copied into memory that is wiped on drop.
fn secret(name: &str, v: &JsValue) -> Result<Option<Zeroizing<String>>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(s) = v.as_string() {
        return Ok(Some(Zeroizing::new(s)));
    }
    if let Some(bytes) = v.dyn_ref::<Uint8Array>() {
        let mut raw = bytes.to_vec();
        let text = std::str::from_utf8(&raw).map(|s| Zeroizing::new(s.to_string()));
        raw.zeroize();
        return text
            .map(Some)
            .map_err(|_| type_error(format!("keyMaterial: {name} bytes are not UTF-8 text")));
    }
    Err(type_error(format!(
        "keyMaterial: {name} must be a string or a Uint8Array, got {}",
        kind(v)
    )))
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Why: setting on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}
