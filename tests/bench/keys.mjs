// Benchmark (prints a table; never passes or fails): per-algorithm request-signing latency of the
// built package with its WebCrypto signer and its pure-Rust signer, next to WebCrypto called
// directly and Node's native crypto.sign with a KeyObject (the limit), with ratios to native.
//   node tests/bench/keys.mjs [--runs 30]
// As in sign.mjs, the package is timed through whole requests (`dc.account()`) whose user `fetch`
// answers a canned response at once: signing plus request building and decoding.
import crypto from "node:crypto";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PKG = join(ROOT, "pkg");
// Why strict: false: tests/bench/run passes the same arguments to every benchmark.
const { values } = parseArgs({ options: { runs: { type: "string", default: "30" } }, strict: false });
const RUNS = Number(values.runs);
const WARMUP = 3;

// name, Node generateKeyPair arguments, Node crypto.sign digest, WebCrypto import + sign params.
const KEYS = [
  ["RSA 2048", ["rsa", { modulusLength: 2048 }], "sha256", { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
  ["RSA 4096", ["rsa", { modulusLength: 4096 }], "sha256", { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
  ["P-256", ["ec", { namedCurve: "P-256" }], "sha256", { name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }],
  // P-384 signs SHA-256 digests: CloudAPI's http-signature has no sha384.
  ["P-384", ["ec", { namedCurve: "P-384" }], "sha256", { name: "ECDSA", namedCurve: "P-384" }, { name: "ECDSA", hash: "SHA-256" }],
  ["P-521", ["ec", { namedCurve: "P-521" }], "sha512", { name: "ECDSA", namedCurve: "P-521" }, { name: "ECDSA", hash: "SHA-512" }],
  ["Ed25519", ["ed25519", {}], null, { name: "Ed25519" }, { name: "Ed25519" }],
];

async function medianMs(fn) {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const { DataCenter } = await import(pathToFileURL(join(PKG, "index.node.mjs")).href);
const canned = JSON.stringify({ id: "00000000-0000-0000-0000-000000000000", login: "bench", email: "bench@example.com" });
const fetch = async () => new Response(canned, { status: 200, headers: { "content-type": "application/json" } });
const data = Buffer.from(`(request-target): get /bench/my\nx-date: ${new Date().toUTCString()}`);

// The same request with a signer object that signs nothing: what the package costs besides
// signing (needs signer-object support; the column shows "n/a" without it).
let overhead = NaN;
try {
  const noop = { keyId: "/bench/keys/noop", algorithm: "rsa-sha256", sign: async () => new Uint8Array(256) };
  const dc = new DataCenter({ url: "http://127.0.0.1:9", account: "bench", signer: noop, fetch });
  overhead = await medianMs(() => dc.account());
} catch (e) {
  console.log(`(no-op signer row skipped: ${e.message})`);
}

const rows = [];
for (const [name, [type, opts], digest, importParams, signParams] of KEYS) {
  const { privateKey: keyObject } = crypto.generateKeyPairSync(type, opts);
  const pem = keyObject.export({ type: "pkcs8", format: "pem" });
  const t = {};
  for (const signer of ["webcrypto", "rust"]) {
    const dc = new DataCenter({ url: "http://127.0.0.1:9", account: "bench", privateKey: pem, signer, fetch });
    if (dc.toJSON().algorithm === undefined) throw new Error("DataCenter did not report its algorithm");
    t[signer] = await medianMs(() => dc.account());
  }
  const der = keyObject.export({ type: "pkcs8", format: "der" });
  const cryptoKey = await crypto.subtle.importKey("pkcs8", der, importParams, false, ["sign"]);
  t.direct = await medianMs(() => crypto.subtle.sign(signParams, cryptoKey, data));
  t.native = await medianMs(() => crypto.sign(digest, data, keyObject));
  rows.push([name, t]);
}

console.log(`request-signing latency per key type, median ms of ${RUNS} runs (after ${WARMUP} warm-up), Node ${process.version}, ${process.arch}`);
console.log("package = whole dc.account() request with a canned fetch; direct = crypto.subtle.sign alone; native = crypto.sign with a KeyObject");
const cols = ["key", "pkg webcrypto", "pkg rust", "subtle direct", "native", "webcrypto/native", "rust/native"];
const widths = [10, 15, 12, 15, 10, 18, 13];
const ms = (n) => n.toFixed(3);
const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("");
console.log(line(cols));
const x = (n) => `${n.toFixed(1)}×`;
for (const [name, t] of rows) {
  console.log(line([name, ms(t.webcrypto), ms(t.rust), ms(t.direct), ms(t.native), x(t.webcrypto / t.native), x(t.rust / t.native)]));
}
if (!Number.isNaN(overhead)) console.log(`request cost without signing (no-op signer object): ${ms(overhead)} ms`);
