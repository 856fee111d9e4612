// Benchmark 1 (prints a table; never passes or fails): signing cost per key type of the built
// package with its WebCrypto signer and its pure-Rust signer, next to crypto.subtle.sign called
// directly and Node's native crypto.sign with a KeyObject (the limit), with ratios to native; and
// the package with a signer object over crypto.sign ("node"), i.e. what a Node-native signer costs.
//   node tests/bench/signing.mjs [--runs 15]
// The package is timed through `dc.presign("GET", path)`: one signature of a short string plus
// building the URL, which is as close to "just the signer" as the public API gets. A second table
// times a whole request (`dc.account()`, user `fetch` answering a canned response at once), and a
// signer object that signs nothing gives the package's cost besides signing. Times are CPU time
// of the process (wall-time ratios in the last columns).
import crypto from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { environment, median, nodeSigner, ratio, ROOT, table } from "./lib/common.mjs";

// Why strict: false: tests/bench/run passes the same arguments to every benchmark.
const { values } = parseArgs({ options: { runs: { type: "string", default: "15" } }, strict: false });
const RUNS = Number(values.runs);

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

/**
 * Median per call over RUNS batches, each repeating `fn` for ~20 ms: {cpu, wall} in ms. CPU is
 * process.cpuUsage() (every thread: WebCrypto signs on the libuv pool), which a busy machine
 * disturbs less than wall time.
 */
async function perCall(fn) {
  let t = performance.now();
  for (let i = 0; i < 3; i++) await fn();
  const n = Math.max(1, Math.round(20 / ((performance.now() - t) / 3)));
  const cpu = [];
  const wall = [];
  for (let r = 0; r < RUNS; r++) {
    t = performance.now();
    const u = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn();
    const d = process.cpuUsage(u);
    cpu.push((d.user + d.system) / 1000 / n);
    wall.push((performance.now() - t) / n);
  }
  return { cpu: median(cpu), wall: median(wall) };
}

const pkg = await import(pathToFileURL(join(ROOT, "pkg", "index.node.mjs")).href);
const { DataCenter } = pkg;
const canned = JSON.stringify({ id: "00000000-0000-0000-0000-000000000000", login: "bench", email: "bench@example.com" });
const fetch = async () => new Response(canned, { status: 200, headers: { "content-type": "application/json" } });
// What the package signs for a GET: `(request-target)` and `x-date`.
const data = Buffer.from(`(request-target): get /bench/machines\nx-date: ${new Date().toUTCString()}`);

const sign = [];
const request = [];
for (const [name, [type, opts], digest, importParams, signParams] of KEYS) {
  const { privateKey: keyObject } = crypto.generateKeyPairSync(type, opts);
  const pem = keyObject.export({ type: "pkcs8", format: "pem" });
  const t = {};
  const r = {};
  for (const signer of ["webcrypto", "rust"]) {
    const dc = new DataCenter({ url: "http://127.0.0.1:9", account: "bench", privateKey: pem, signer, fetch });
    t[signer] = await perCall(() => dc.presign("GET", "/bench/machines"));
    r[signer] = await perCall(() => dc.account());
  }
  {
    const dc = new DataCenter({ url: "http://127.0.0.1:9", account: "bench", signer: await nodeSigner(pkg, pem), fetch });
    t.node = await perCall(() => dc.presign("GET", "/bench/machines"));
  }
  const cryptoKey = await crypto.subtle.importKey("pkcs8", keyObject.export({ type: "pkcs8", format: "der" }), importParams, false, ["sign"]);
  t.direct = await perCall(() => crypto.subtle.sign(signParams, cryptoKey, data));
  t.native = await perCall(() => crypto.sign(digest, data, keyObject));
  sign.push([name, t.webcrypto.cpu, t.rust.cpu, t.node.cpu, t.direct.cpu, t.native.cpu, ratio(t.webcrypto.cpu, t.native.cpu), ratio(t.rust.cpu, t.native.cpu),
    ratio(t.node.cpu, t.native.cpu), ratio(t.direct.cpu, t.native.cpu), ratio(t.webcrypto.wall, t.native.wall), ratio(t.rust.wall, t.native.wall)]);
  request.push([name, r.webcrypto.cpu, r.rust.cpu]);
}
const noop = { keyId: "/bench/keys/noop", algorithm: "rsa-sha256", sign: async () => new Uint8Array(256) };
const noopDc = new DataCenter({ url: "http://127.0.0.1:9", account: "bench", signer: noop, fetch });
const overhead = (await perCall(() => noopDc.account())).cpu;

const ms = (n) => n.toFixed(3);
console.log(`## 1. Signing, CPU ms per signature (median of ${RUNS} batches) — ${environment()}`);
console.log("pkg = dc.presign() (one signature + URL building) with the webcrypto / rust signer, or (node) a signer object over crypto.sign;");
console.log("subtle = crypto.subtle.sign alone; native = crypto.sign(KeyObject) alone, the limit");
table(["key", "pkg webcrypto", "pkg rust", "pkg node", "subtle", "native", "webcrypto/native", "rust/native", "node/native", "subtle/native", "wall: webcrypto/native", "rust/native"],
  sign.map(([n, ...cells]) => [n, ...cells.map((c) => (typeof c === "number" ? ms(c) : c))]));
console.log("\nwhole request, dc.account() with a canned fetch (CPU ms)");
table(["key", "webcrypto signer", "rust signer"], request.map(([n, a, b]) => [n, ms(a), ms(b)]));
console.log(`request cost besides signing (a signer object that returns zeros at once): ${ms(overhead)} ms`);
console.log("target: signing within 1.3× native");
