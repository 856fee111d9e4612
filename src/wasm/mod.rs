//! The wasm-bindgen layer: the `DataCenter` and `Machine` classes, promise plumbing, the
//! `fetch` transport, the signers and the JS error objects. Everything here is thin: requests
//! are built, signed and decoded by the sans-IO core.

pub mod cancel;
pub mod datacenter;
pub mod js_error;
pub mod keystore;
pub mod machine;
pub mod options;
pub mod signer;
pub mod transport;

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
  /** The private key text: OpenSSH, PKCS#1 or PKCS#8 PEM. */
  privateKey: string | Uint8Array;
  /** Passphrase of an encrypted key. */
  passphrase?: string | Uint8Array;
  /** Extra `{ name: url }` locations, checked before the built-in tables. */
  knownLocations?: Record<string, string>;
  /** `Accept-Version`; default `"~9||~8"`. */
  apiVersion?: string;
  /** Extra headers sent with every request (copied per instance). */
  headers?: Record<string, string>;
  /** A `fetch` to use instead of the global one (proxies, custom agents, tests). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Per-request timeout in ms (default 60000; `Infinity` for none). */
  timeout?: number;
  /** Which signer: WebCrypto when available (`"auto"`, default), `"webcrypto"` or `"rust"`. */
  signer?: "auto" | "webcrypto" | "rust";
  /** Header names to sign, in order; must include `"x-date"`. Default `["(request-target)", "x-date"]`. */
  signedHeaders?: string[];
}

/** What `dc.toJSON()` and `console.log(dc)` show (never key material). */
export interface DataCenterInfo {
  url: string;
  account: string;
  user?: string;
  keyId: string;
  algorithm: string;
}

/** Machine states CloudAPI reports. */
export type MachineStateName =
  | "provisioning" | "ready" | "running" | "stopping" | "stopped"
  | "offline" | "deleted" | "failed" | "unknown";

/** A NIC of a machine. */
export interface Nic {
  mac: string; ip: string; primary: boolean; gateway?: string; netmask?: string;
  state?: string; network: string; [key: string]: unknown;
}

/** A bhyve disk of a machine. */
export interface Disk { id: string; size: number; block_size?: number; boot?: boolean; image?: string; [key: string]: unknown; }

/** A machine as CloudAPI returns it (what `machine.toJSON()` gives). */
export interface MachineData {
  id: string; name?: string; type?: string; brand?: string; state?: MachineStateName;
  image?: string; package?: string; memory?: number; disk?: number;
  ips?: string[]; primaryIp?: string; networks?: string[]; nics?: Nic[];
  metadata?: Record<string, string | number | boolean>;
  tags?: Record<string, string | number | boolean>;
  created?: string; updated?: string; docker?: boolean; firewall_enabled?: boolean;
  deletion_protection?: boolean; compute_node?: string | null; dns_names?: string[];
  [key: string]: unknown;
}

/** Options of `pollUntil` / `pollWhile`. */
export interface PollOptions {
  /** Ms between polls (default 2500, jittered ±20 %). */
  interval?: number;
  /** Give up after this many ms with a `Timeout` error (default 600000; `Infinity` for none). */
  timeout?: number;
  /** Abort the wait (rejects with code `Aborted`). */
  signal?: AbortSignal;
  /** Called with the machine after every poll. */
  onProgress?: (machine: Machine) => void;
}

/** ListMachines filters. */
export interface MachineFilters {
  type?: "smartmachine" | "virtualmachine"; brand?: string; name?: string; image?: string;
  state?: "provisioning" | "stopping" | "active" | "running" | "stopped" | "unknown" | "destroyed";
  memory?: number; tombstone?: boolean | number; docker?: boolean; credentials?: boolean;
  tags?: Record<string, string | number | boolean> | "*";
}

/** ListImages filters. */
export interface ImageFilters {
  name?: string; os?: string; version?: string; public?: boolean; state?: string;
  owner?: string; type?: string;
}

/** ListPackages filters. */
export interface PackageFilters {
  name?: string; memory?: number; disk?: number; swap?: number; lwps?: number; vcpus?: number;
  version?: string; group?: string; flexible_disk?: boolean; brand?: string;
}

/** Options of `createMachine`. */
export interface CreateMachineOptions {
  name?: string;
  image?: string | { id: string };
  /** The seed's name for `image`. */
  dataset?: string | { id: string };
  package: string | { id?: string; name?: string };
  networks?: string | Array<string | { ipv4_uuid: string; ipv4_ips?: string[] }>;
  metadata?: Record<string, string | number | boolean>;
  tags?: Record<string, string | number | boolean>;
  /** Script run at boot (`metadata["user-script"]`). */
  bootScript?: string;
  firewall_enabled?: boolean; deletion_protection?: boolean; allow_shared_images?: boolean;
  encrypted?: boolean; brand?: "kvm" | "bhyve"; bootrom?: string; delegate_dataset?: boolean;
  affinity?: string[]; locality?: Record<string, unknown>; volumes?: unknown[]; disks?: unknown[];
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

/** The account object. */
export interface Account { id: string; login: string; email?: string; [key: string]: unknown; }

/** An image (the seed's dataset). */
export interface Image {
  id: string; name?: string; version?: string; os?: string; type?: string; state?: string;
  public?: boolean; [key: string]: unknown;
}

/** A package (instance size). */
export interface Package {
  id?: string; name: string; memory?: number; disk?: number; swap?: number; vcpus?: number;
  lwps?: number; version?: string; default?: boolean; [key: string]: unknown;
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
