//! The wasm-bindgen layer: the `DataCenter` and `Machine` classes, promise plumbing, the
//! `fetch` transport, the signers and the JS error objects. Everything here is thin: requests
//! are built, signed and decoded by the sans-IO core.

pub mod account;
pub mod agent;
pub mod body;
pub mod cancel;
pub mod collection;
pub mod credentials;
pub mod datacenter;
pub mod fabrics;
pub mod firewall;
pub(crate) mod gate;
pub mod images;
pub mod js_error;
pub mod keystore;
pub mod machine;
pub mod machine_ext;
pub mod machine_meta;
pub mod machine_wait;
pub mod migrations;
pub mod options;
pub mod presigned;
pub mod rbac;
pub mod resource_wait;
pub mod signer;
pub mod snapshot;
pub mod transport;
pub mod volumes;
pub mod wait;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

pub use datacenter::DataCenter;
pub use machine::Machine;

fn location_table(pairs: &[(&str, &str)]) -> JsValue {
    let o = Object::new();
    for (name, url) in pairs {
        // Why: setting on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(name), &JsValue::from_str(url));
    }
    o.into()
}

/// Known CloudAPI locations: `{ name: url }` (MNX and legacy Joyent).
#[wasm_bindgen(js_name = knownLocations, unchecked_return_type = "Record<string, string>")]
pub fn known_locations() -> JsValue {
    location_table(crate::location::KNOWN_LOCATIONS)
}

/// Telefónica InstantServers locations: `{ name: url }`.
#[wasm_bindgen(js_name = telefonicaLocations, unchecked_return_type = "Record<string, string>")]
pub fn telefonica_locations() -> JsValue {
    location_table(crate::location::TELEFONICA_LOCATIONS)
}

/// The location used when neither `location` nor `url` is given.
#[wasm_bindgen(js_name = defaultLocation)]
pub fn default_location() -> String {
    crate::location::DEFAULT_LOCATION.to_string()
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Options of `new DataCenter(options)`. */
export interface DataCenterOptions {
  /** A known location name (see KNOWN_LOCATIONS), a host name or a URL; default DEFAULT_LOCATION. */
  location?: string;
  /** The CloudAPI base URL (instead of `location`). */
  url?: string;
  /** Your CloudAPI login. */
  account: string;
  /** Sub-user login (RBAC). */
  user?: string;
  /** `/<account>/keys/<md5>`, an MD5 or `SHA256:` fingerprint, or a key name; default: the key's MD5. */
  keyId?: string;
  /** The private key text: OpenSSH, PKCS#1 or PKCS#8 PEM (not needed with a signer object). */
  privateKey?: string | Uint8Array;
  /**
   * Passphrase of an encrypted key, or an async callback giving it: called only when the key
   * is encrypted, once, on the first request (again after a wrong answer, `BadPassphrase`).
   */
  passphrase?: string | Uint8Array | (() => Promise<string | Uint8Array> | string | Uint8Array);
  /** Extra `{ name: url }` locations, checked before the built-in tables. */
  knownLocations?: Record<string, string>;
  /** `Accept-Version`; default `"~9||~8"`. */
  apiVersion?: string;
  /** Extra headers sent with every request (copied per instance). */
  headers?: Record<string, string>;
  /** A `fetch` to use instead of the global one (proxies, custom agents, tests). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Time limit in ms for a whole call, retries included (default 60000; `Infinity` for none). */
  timeout?: number;
  /** Which signer: WebCrypto when available (`"auto"`, default), `"webcrypto"`, `"rust"`, or your own signer object (then no privateKey). */
  signer?: "auto" | "webcrypto" | "rust" | SignerObject;
  /** Node: sign with the ssh-agent (`true`: `$SSH_AUTH_SOCK`, each key in turn), like `signer: agentSigner(options)`. */
  agent?: boolean | AgentSignerOptions;
  /** Act as this account in request paths (operators; the triton CLI's `TRITON_ACT_AS`); the key still signs as `account`. */
  actAs?: string;
  /** Header names to sign, in order; must include `"x-date"`. Default `["(request-target)", "x-date"]`. */
  signedHeaders?: string[];
}

/** What `dc.toJSON()` and `console.log(dc)` show (never key material). */
export interface DataCenterInfo {
  url: string;
  account: string;
  actAs?: string;
  user?: string;
  /** Absent until a locked key or an agent is first used. */
  keyId?: string;
  algorithm?: string;
}

/**
 * A signer you implement (an HSM, a KMS, Node's `crypto.sign`, an ssh-agent): it returns the
 * bytes http-signature expects (RSA PKCS#1 v1.5, ECDSA DER or P1363 `r||s`, Ed25519 raw 64).
 * `keyId`, `fingerprint` and `algorithm` may be getters that change after `rotate()`.
 */
export interface SignerObject {
  /** A keyId path, MD5 fingerprint or key name (a `SHA256:` fingerprint needs `publicKey`). */
  keyId?: string;
  /** The key's MD5 (or, with `publicKey`, SHA256) fingerprint. */
  fingerprint?: string;
  /** The key's OpenSSH public line, to turn a SHA256 fingerprint into the MD5 CloudAPI wants. */
  publicKey?: string;
  /** `rsa-sha256`, `rsa-sha512`, `rsa-sha1`, `ecdsa-sha256`, `ecdsa-sha512` or `ed25519-sha512` (no sha384). */
  algorithm?: string;
  sign(data: Uint8Array): Promise<Uint8Array> | Uint8Array;
  /** After a 401: move to the next key and resolve true to re-sign and retry, false to give up. */
  rotate?(): Promise<boolean> | boolean;
}

/** Options of `agentSigner()` (Node). */
export interface AgentSignerOptions {
  /** Default `$SSH_AUTH_SOCK`; on Windows the OpenSSH agent is `"\\\\.\\pipe\\openssh-ssh-agent"`. */
  socketPath?: string;
  /** MD5 or `SHA256:` fingerprint of the agent key to use; default: each key in turn until CloudAPI accepts one. */
  fingerprint?: string;
  /** Ms to wait for the agent per operation (default 10000). */
  timeout?: number;
}

/** An ssh-agent signer (Node): a `SignerObject` whose key is chosen on first use. */
export interface AgentSigner extends SignerObject {
  /** The agent's keys: `{ type, md5, sha256, comment, problem? }`. */
  listKeys(): Promise<Array<{ type?: string; md5?: string; sha256?: string; comment: string; publicKey?: string; problem?: Error }>>;
  rotate(): Promise<boolean>;
}

/** Options of `dc.presign()`. */
export interface PresignOptions {
  /** Expiry: Unix seconds or a Date (default now + 300 s). */
  expires?: number | Date;
  /** Extra query parameters, covered by the signature. */
  query?: Record<string, string | number>;
}

/** Options of `request(method, path, options)`. */
export interface RequestOptions {
  query?: Record<string, string | number | boolean | Array<string | number | boolean>>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What `request()` resolves with. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, the text if not JSON, or null when empty. */
  body: unknown;
}

/** Every rejection of this package (except TypeError for wrong argument types). */
export interface CloudApiError extends Error {
  name: "CloudApiError";
  /** CloudAPI's code (`ResourceNotFound`, …) or a local one (`InvalidKey`, `Timeout`, `Aborted`, `NetworkError`, …). */
  code: string;
  /** HTTP status, when there was a response. */
  statusCode?: number;
  /** The server's request id, when there was a response. */
  requestId?: string;
  /** The decoded error body, when there was one. */
  body?: unknown;
}
"#;
