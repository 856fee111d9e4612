// Types of smartdc-wasm/relay (Node only): a same-origin relay from a browser panel to one CloudAPI.

/** Options of `startRelay`. */
export interface RelayOptions {
  /** CloudAPI origin, `http(s)://host[:port]` (no path, query or credentials). */
  upstream: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Address to bind; `127.0.0.1` by default. */
  host?: string;
  /** Requests under this path are forwarded with it removed; `/cloudapi` by default. */
  prefix?: string;
  /** Directory served at `/` (index.html for directories, no listings). */
  dir?: string;
  /** More directories under URL prefixes, e.g. `{ "/pkg/": "/path/to/node_modules/smartdc-wasm" }`. */
  mounts?: Record<string, string>;
  /** Request bodies above this get 413 and are never forwarded; 1 MiB by default. */
  maxBodyBytes?: number;
  /** Request heads above this get 431; 16 KiB by default. */
  maxHeaderBytes?: number;
  /** How long to wait for CloudAPI's response head before answering 504; 60000 by default. */
  timeoutMs?: number;
  /** PEM CA certificates trusted for an https upstream instead of the default roots (e.g. a self-signed local CloudAPI). */
  upstreamCa?: string;
  /** Host names accepted in the `Host` header (default: loopback names and the bound host). */
  allowedHosts?: string[];
  /** Receives one line per request (never signatures); `false` for none; stderr by default. */
  log?: ((line: string) => void) | false;
}

/** A running relay. */
export interface Relay {
  /** Its base URL, e.g. `http://127.0.0.1:8080` (CloudAPI is at `url + prefix`). */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Starts the relay; rejects with a TypeError naming a bad option. */
export function startRelay(options: RelayOptions): Promise<Relay>;

/** A request target as logged: signature-like query values replaced by `REDACTED`. */
export function redactTarget(target: string): string;
