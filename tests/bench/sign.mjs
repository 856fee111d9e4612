// Benchmark (prints a table; never passes or fails): RSA-2048 request-signing latency through the
// built package with its WebCrypto signer and its pure-Rust signer, next to WebCrypto and Node's
// native crypto.sign called directly (the native limit), plus the package's download sizes.
//   node tests/bench/sign.mjs [--runs 50] [--bits 2048]
// The package is timed through whole requests (`dc.account()`) whose user `fetch` returns a canned
// response at once, so the time is signing plus request building and decoding; the gap between
// "package, webcrypto" and "WebCrypto direct" shows that overhead.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PKG = join(ROOT, "pkg");
const { values } = parseArgs({ options: { runs: { type: "string", default: "50" }, bits: { type: "string", default: "2048" } } });
const RUNS = Number(values.runs);
const BITS = Number(values.bits);
const WARMUP = 3;

async function medianMs(fn) {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}

const dir = mkdtempSync(join(tmpdir(), "smartdc-bench-"));
try {
  // PKCS#1 PEM (`-m PEM`) so Node's crypto and the package read the same file.
  const keyFile = join(dir, "id_rsa");
  execFileSync("ssh-keygen", ["-q", "-t", "rsa", "-b", String(BITS), "-m", "PEM", "-N", "", "-C", "bench", "-f", keyFile]);
  const privateKey = readFileSync(keyFile, "utf8");
  const md5 = execFileSync("ssh-keygen", ["-l", "-E", "md5", "-f", `${keyFile}.pub`], { encoding: "utf8" }).split(/\s+/)[1].replace(/^MD5:/, "");
  const data = Buffer.from(`(request-target): get /bench\nx-date: ${new Date().toUTCString()}`);

  const rows = [];
  const { DataCenter } = await import(pathToFileURL(join(PKG, "index.node.mjs")).href);
  const canned = JSON.stringify({ id: "00000000-0000-0000-0000-000000000000", login: "bench", email: "bench@example.com" });
  for (const signer of ["webcrypto", "rust"]) {
    const dc = new DataCenter({
      url: "http://127.0.0.1:9", account: "bench", keyId: md5, privateKey, signer,
      fetch: async () => new Response(canned, { status: 200, headers: { "content-type": "application/json" } }),
    });
    rows.push([`package, ${signer} signer (whole request)`, await medianMs(() => dc.account())]);
  }
  const keyObject = crypto.createPrivateKey(privateKey);
  const pkcs8 = keyObject.export({ type: "pkcs8", format: "der" });
  const cryptoKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  rows.push(["WebCrypto subtle.sign direct", await medianMs(() => crypto.subtle.sign("RSASSA-PKCS1-v1_5", cryptoKey, data))]);
  rows.push(["Node crypto.sign, KeyObject (native)", await medianMs(() => crypto.sign("sha256", data, keyObject))]);

  console.log(`RSA-${BITS} rsa-sha256 signing, median of ${RUNS} runs (after ${WARMUP} warm-up), Node ${process.version}, ${process.arch}`);
  console.log(`${"signer".padEnd(52)}${"median".padStart(10)}${"min".padStart(10)}${"max".padStart(10)}`);
  const ms = (n) => `${n.toFixed(2)} ms`;
  for (const [name, t] of rows) console.log(`${name.padEnd(52)}${ms(t.median).padStart(10)}${ms(t.min).padStart(10)}${ms(t.max).padStart(10)}`);

  console.log(`\nsizes in ${PKG}`);
  console.log(`${"file".padEnd(52)}${"raw".padStart(10)}${"gzip -9".padStart(10)}${"brotli".padStart(10)}`);
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  // A browser loads the .wasm and the ES modules at the package root; Node loads the .cjs files.
  const files = readdirSync(PKG, { recursive: true }).map(String).filter((f) => /\.(wasm|js|cjs)$/.test(f)).sort();
  const browserLoads = new Set(files.filter((f) => f.endsWith(".wasm") || /^[^/]+\.js$/.test(f)));
  const total = { raw: 0, gz: 0, br: 0 };
  for (const f of files) {
    const b = readFileSync(join(PKG, f));
    const s = { raw: b.length, gz: gzipSync(b, { level: 9 }).length, br: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length };
    if (browserLoads.has(f)) for (const k in total) total[k] += s[k];
    console.log(`${f.padEnd(52)}${kb(s.raw).padStart(10)}${kb(s.gz).padStart(10)}${kb(s.br).padStart(10)}`);
  }
  console.log(`what a browser loads: ${[...browserLoads].join(" + ")}`);
  console.log(`${"  total".padEnd(52)}${kb(total.raw).padStart(10)}${kb(total.gz).padStart(10)}${kb(total.br).padStart(10)}`);
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: PKG, encoding: "utf8" }));
  console.log(`npm tarball: ${kb(packed.size)} gzipped, ${kb(packed.unpackedSize)} installed, ${packed.entryCount} files (target: ≤ 250 KB gzipped)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
