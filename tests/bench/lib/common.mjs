// Shared by the client benchmarks (requests.mjs, listing.mjs, coldstart.mjs): a throwaway
// RSA key, the canned server in its own process, workers in fresh child processes, tables.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const PEER = join(ROOT, "tests", "peer");
const HERE = dirname(fileURLToPath(import.meta.url));
export const ACCOUNT = "bench";

/** The canned server's machine id number `i` (ids sort descending with i, as CloudAPI lists). */
export function machineId(i) {
  const hex = (n, width) => n.toString(16).padStart(width, "0");
  return `${hex(0xffffffff - i, 8)}-0000-4000-8000-${hex(i, 12)}`;
}

/** True when node-triton (tests/peer, `npm ci` there) is installed. */
export function tritonInstalled() {
  try {
    createRequire(join(PEER, "package.json")).resolve("triton/lib/cloudapi2.js");
    return true;
  } catch {
    return false;
  }
}

/**
 * A fresh RSA-2048 key in a temp dir: {dir, privatePath, publicPath, keyId, cleanup}. The key id
 * is `/<account>/keys/<md5>` as node-triton and the baseline send it (the package derives it).
 */
export function makeKey() {
  const dir = mkdtempSync(join(tmpdir(), "smartdc-bench-"));
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privatePath = join(dir, "id_rsa");
  const publicPath = join(dir, "id_rsa.pem");
  // PKCS#1 PEM: read alike by Node's crypto, sshpk (node-triton) and the package.
  writeFileSync(privatePath, privateKey.export({ type: "pkcs1", format: "pem" }), { mode: 0o600 });
  writeFileSync(publicPath, publicKey.export({ type: "spki", format: "pem" }));
  // The MD5 fingerprint of the OpenSSH wire encoding (string "ssh-rsa", mpint e, mpint n).
  const jwk = publicKey.export({ format: "jwk" });
  const mpint = (b64) => {
    let b = Buffer.from(b64, "base64url");
    if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return b;
  };
  const str = (b) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const wire = Buffer.concat([str(Buffer.from("ssh-rsa")), str(mpint(jwk.e)), str(mpint(jwk.n))]);
  const md5 = crypto.createHash("md5").update(wire).digest("hex").match(/../g).join(":");
  return { dir, privatePath, publicPath, keyId: `/${ACCOUNT}/keys/${md5}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A signer object (the package's `signer` option) signing with Node's crypto.sign and a KeyObject
 * made from the package's keyMaterial(): what a Node-native signer inside the package would cost.
 */
export async function nodeSigner(pkg, pem) {
  const m = pkg.keyMaterial(pem);
  const key = crypto.createPrivateKey({ key: Buffer.from(m.pkcs8), format: "der", type: "pkcs8" });
  m.pkcs8.fill(0);
  const digest = m.algorithm.startsWith("ed25519") ? null : m.algorithm.split("-")[1];
  return { fingerprint: m.md5, algorithm: m.algorithm, sign: async (data) => crypto.sign(digest, data, key) };
}

/** Starts the canned server (lib/server.mjs) with `machines` machines; resolves {url, first, stop, get}. */
export function startServer(key, machines) {
  const child = spawn(process.execPath, [join(HERE, "server.mjs"), "--machines", String(machines), "--account", ACCOUNT, "--public-key", key.publicPath], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolvePromise, reject) => {
    let out = "";
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`bench server exited (${code}) before listening`)));
    child.stdout.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      const info = JSON.parse(out.slice(0, nl));
      child.removeAllListeners("exit");
      resolvePromise({
        ...info,
        get: async (path) => (await fetch(`${info.url}${path}`)).json(),
        stop: () => new Promise((r) => {
          child.once("exit", r);
          child.kill("SIGTERM");
        }),
      });
    });
  });
}

/** Runs lib/worker.mjs with `args` in a fresh Node process; resolves its JSON result line. */
export function runWorker(args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(HERE, "worker.mjs"), ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`worker ${args.join(" ")} exited with ${code}`));
      else {
        try {
          resolvePromise(JSON.parse(out.trim().split("\n").pop()));
        } catch (e) {
          reject(new Error(`worker ${args.join(" ")} printed no result: ${e.message}`));
        }
      }
    });
  });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** One line naming the machine state next to the numbers. */
export function environment() {
  const [l1, l5] = loadavg();
  return `Node ${process.version} ${process.arch}, load ${l1.toFixed(2)}/${l5.toFixed(2)} (1/5 min) at ${new Date().toISOString().slice(0, 16)}Z`;
}

/** Prints `rows` (arrays of cells) under `head`; the first column left-aligned. */
export function table(head, rows) {
  const all = [head, ...rows].map((r) => r.map(String));
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  for (const r of all) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
}

export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : "n/a");
