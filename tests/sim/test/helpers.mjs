// Shared helpers for the simulator suites: throw-away SSH keys made by ssh-keygen,
// a reference HTTP-Signature signer (Node crypto, and http-signature's own signer),
// a raw HTTP client that never hides what the server sent, and a per-suite simulator.
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
/** http-signature@1.4.0 as installed for the simulator (tests/sim/node_modules). */
export const httpSignature = require("http-signature");

export const SIM_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_DIR = path.resolve(SIM_DIR, "..", "..");
export const ADMIN_TOKEN = "test-admin-token";

// ---------------------------------------------------------------------------
// Temp dirs and keys

/** A fresh private temp dir, removed by the returned cleanup. */
export function tempDir(prefix = "simtest-") {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const KEYGEN_ARGS = {
  rsa: ["-t", "rsa", "-b", "2048"],
  ecdsa: ["-t", "ecdsa", "-b", "256"],
  ed25519: ["-t", "ed25519"],
};
const DEFAULT_ALGORITHM = { rsa: "rsa-sha256", ecdsa: "ecdsa-sha256", ed25519: "ed25519-sha512" };

/** colon-hex MD5 of an OpenSSH public-key blob (what CloudAPI stores and matches). */
export function md5Fingerprint(blob) {
  return crypto.createHash("md5").update(blob).digest("hex").match(/../g).join(":");
}

/** "SHA256:<base64 no padding>" fingerprint (what CloudAPI does NOT match in keyId). */
export function sha256Fingerprint(blob) {
  return "SHA256:" + crypto.createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

// ssh-keygen cannot write Ed25519 private keys as PEM/PKCS#8, and Node cannot read the
// OpenSSH format, so the unencrypted openssh-key-v1 container is unpacked here.
function readSshString(buf, off) {
  const len = buf.readUInt32BE(off);
  return [buf.subarray(off + 4, off + 4 + len), off + 4 + len];
}

function ed25519KeyObjectFromOpenSsh(text) {
  const b64 = text.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const buf = Buffer.from(b64, "base64");
  const magic = Buffer.from("openssh-key-v1\0");
  if (!buf.subarray(0, magic.length).equals(magic)) throw new Error("not an openssh-key-v1 key");
  let off = magic.length;
  let cipher, field;
  [cipher, off] = readSshString(buf, off);
  if (cipher.toString() !== "none") throw new Error("encrypted test keys are not expected");
  [field, off] = readSshString(buf, off); // kdfname
  [field, off] = readSshString(buf, off); // kdfoptions
  const count = buf.readUInt32BE(off);
  off += 4;
  for (let i = 0; i < count; i++) [field, off] = readSshString(buf, off);
  let priv;
  [priv] = readSshString(buf, off);
  let p = 8; // two check ints
  let keyType, pub, secret;
  [keyType, p] = readSshString(priv, p);
  if (keyType.toString() !== "ssh-ed25519") throw new Error("not an ed25519 key");
  [pub, p] = readSshString(priv, p);
  [secret, p] = readSshString(priv, p);
  return crypto.createPrivateKey({
    key: {
      kty: "OKP",
      crv: "Ed25519",
      d: secret.subarray(0, 32).toString("base64url"),
      x: pub.toString("base64url"),
    },
    format: "jwk",
  });
}

/**
 * Generate one key of `type` ("rsa" | "ecdsa" | "ed25519") with ssh-keygen into `dir`.
 * Returns file paths, the OpenSSH texts, a Node KeyObject and both fingerprints.
 */
export function generateKey(dir, type, name = `test-${type}`) {
  const file = path.join(dir, `id_${type}_${crypto.randomBytes(3).toString("hex")}`);
  execFileSync("ssh-keygen", ["-q", ...KEYGEN_ARGS[type], "-N", "", "-C", name, "-f", file], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const privateText = fs.readFileSync(file, "utf8");
  const publicLine = fs.readFileSync(`${file}.pub`, "utf8").trim();
  const blob = Buffer.from(publicLine.split(/\s+/)[1], "base64");
  let privateKey;
  if (type === "ed25519") {
    privateKey = ed25519KeyObjectFromOpenSsh(privateText);
  } else {
    // A PKCS#8 copy for Node's crypto; the OpenSSH original stays for the triton CLI.
    const pk8 = `${file}.pk8`;
    fs.copyFileSync(file, pk8);
    execFileSync("ssh-keygen", ["-q", "-p", "-m", "PKCS8", "-P", "", "-N", "", "-f", pk8], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    privateKey = crypto.createPrivateKey(fs.readFileSync(pk8, "utf8"));
  }
  return {
    type,
    name,
    privatePath: file,
    publicPath: `${file}.pub`,
    privateText,
    publicLine,
    privateKey,
    publicKey: crypto.createPublicKey(privateKey),
    md5: md5Fingerprint(blob),
    sha256: sha256Fingerprint(blob),
    algorithm: DEFAULT_ALGORITHM[type],
  };
}

/** One RSA, one ECDSA P-256 and one Ed25519 key, all fresh. */
export function generateKeys(dir) {
  return {
    rsa: generateKey(dir, "rsa"),
    ecdsa: generateKey(dir, "ecdsa"),
    ed25519: generateKey(dir, "ed25519"),
  };
}

/** What `ssh-keygen -l -E md5` says, as colon hex (used to cross-check md5Fingerprint). */
export function sshKeygenMd5(publicPath) {
  const out = execFileSync("ssh-keygen", ["-l", "-E", "md5", "-f", publicPath], { encoding: "utf8" });
  return out.split(/\s+/)[1].replace(/^MD5:/, "");
}

// ---------------------------------------------------------------------------
// Reference signer

/** RFC 1123 date `offsetSec` seconds from now. */
export function httpDate(offsetSec = 0) {
  return new Date(Date.now() + offsetSec * 1000).toUTCString();
}

/** `/<account>/keys/<id>` or `/<account>/users/<user>/keys/<id>`. */
export function keyIdFor(account, id, user) {
  return user ? `/${account}/users/${user}/keys/${id}` : `/${account}/keys/${id}`;
}

/** draft-cavage signing string: `name: value` lines joined by "\n". */
export function signingString(method, target, headers, signed) {
  const lower = lowerKeys(headers);
  return signed
    .map((h) => {
      if (h === "(request-target)") return `(request-target): ${method.toLowerCase()} ${target}`;
      if (lower[h] === undefined) throw new Error(`${h} not in the request`);
      return `${h}: ${lower[h]}`;
    })
    .join("\n");
}

/** The legacy 0.9 signing string: raw header values joined by "\n". */
export function legacySigningString(headers, signed) {
  const lower = lowerKeys(headers);
  return signed.map((h) => lower[h]).join("\n");
}

/** Sign `data` with Node's crypto; wire bytes as http-signature wants them, base64. */
export function nodeSign(privateKey, algorithm, data) {
  const [kind, hash] = algorithm.toLowerCase().split("-");
  // Ed25519 hashes internally (sha512 is implied by the algorithm name); ECDSA is DER by default.
  const sig = crypto.sign(kind === "ed25519" ? null : hash, Buffer.from(data), privateKey);
  return sig.toString("base64");
}

/** `Signature keyId="…",algorithm="…",headers="…",signature="…"` (no spaces after commas). */
export function modernAuthorization({ keyId, algorithm, headers, signature }) {
  const parts = [`keyId="${keyId}"`, `algorithm="${algorithm}"`];
  if (headers) parts.push(`headers="${headers.join(" ")}"`);
  parts.push(`signature="${signature}"`);
  return `Signature ${parts.join(",")}`;
}

/** Legacy 0.9 form: `Signature keyId="…",algorithm="…" <base64>`. */
export function legacyAuthorization({ keyId, algorithm, signature }) {
  return `Signature keyId="${keyId}",algorithm="${algorithm}" ${signature}`;
}

/**
 * Build request headers signed with Node's crypto.
 * opts: method, target (path+query as sent), headers (extra), key (from generateKey),
 * privateKey (override, e.g. a wrong key), keyId, algorithm, date: "date"|"x-date"|"both"|"none",
 * dateOffsetSec, signed (list; default ["(request-target)", <date header>]),
 * form: "modern"|"legacy", omitHeadersParam (modern form without headers=).
 */
export function signHeaders(opts) {
  const {
    method = "GET",
    target,
    key,
    keyId,
    algorithm = key.algorithm,
    date = "date",
    dateOffsetSec = 0,
    form = "modern",
    omitHeadersParam = false,
  } = opts;
  const headers = { ...(opts.headers || {}) };
  const now = httpDate(dateOffsetSec);
  if (date === "date" || date === "both") headers.date = now;
  if (date === "x-date" || date === "both") headers["x-date"] = now;
  const dateName = date === "x-date" || date === "both" ? "x-date" : "date";
  const privateKey = opts.privateKey || key.privateKey;
  if (form === "legacy") {
    const signed = opts.signed || [dateName];
    const signature = nodeSign(privateKey, algorithm, legacySigningString(headers, signed));
    headers.authorization = legacyAuthorization({ keyId, algorithm, signature });
    return headers;
  }
  const signed = opts.signed || (omitHeadersParam ? [dateName] : ["(request-target)", dateName]);
  const signature = nodeSign(privateKey, algorithm, signingString(method, target, headers, signed));
  headers.authorization = modernAuthorization({
    keyId,
    algorithm,
    headers: omitHeadersParam ? null : signed,
    signature,
  });
  return headers;
}

/**
 * Build request headers with http-signature's own `signRequest` (the reference signer).
 * It adds `Date` itself when missing; pass `xDate: true` to also send and sign `x-date`.
 */
export function httpSignatureHeaders({ method = "GET", target, key, keyId, algorithm, signed, xDate = false, headers = {} }) {
  const store = lowerKeys(headers);
  if (xDate) store["x-date"] = httpDate();
  const shim = {
    method,
    path: target,
    getHeader: (n) => store[n.toLowerCase()],
    setHeader: (n, v) => {
      store[n.toLowerCase()] = v;
    },
  };
  httpSignature.signRequest(shim, {
    key: key.privateText,
    keyId,
    algorithm,
    headers: signed || ["(request-target)", xDate ? "x-date" : "date"],
  });
  return store;
}

/** http-signature's `createSigner` path (what node-triton uses): target + date header. */
export function httpSignatureSigner({ method = "GET", target, key, keyId, algorithm = key.algorithm, dateHeader = "date" }) {
  return new Promise((resolve, reject) => {
    const signer = httpSignature.createSigner({
      keyId,
      algorithm,
      sign: (data, cb) => cb(null, { keyId, algorithm, signature: nodeSign(key.privateKey, algorithm, data) }),
    });
    signer.writeTarget(method, target);
    const date = signer.writeHeader(dateHeader, httpDate());
    signer.sign((err, authz) => (err ? reject(err) : resolve({ [dateHeader]: date, authorization: authz })));
  });
}

function rfc3986(s) {
  return encodeURIComponent(String(s)).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * A CloudAPI pre-signed URL target (§1.6): signs `METHODS\nHOST\nPATH\nQUERY`.
 * query: extra params; methods: e.g. ["GET","HEAD"]; expires: unix seconds.
 */
export function presignTarget({ host, path: p, key, keyId, algorithm = key.algorithm, expires, methods, query = {}, privateKey }) {
  const q = { ...query, algorithm, expires: String(expires), keyId };
  if (methods) q.method = methods.join(",");
  const list = (methods || ["GET"]).slice().sort();
  const qs = Object.keys(q)
    .sort((a, b) => a.localeCompare(b))
    .map((k) => `${rfc3986(k)}=${rfc3986(q[k])}`)
    .join("&");
  const data = `${list.join(",")}\n${host}\n${p}\n${qs}`;
  const signature = nodeSign(privateKey || key.privateKey, algorithm, data);
  return `${p}?${qs}&signature=${rfc3986(signature)}`;
}

function lowerKeys(h) {
  const out = {};
  for (const [k, v] of Object.entries(h || {})) out[k.toLowerCase()] = v;
  return out;
}

// ---------------------------------------------------------------------------
// HTTP

/**
 * One HTTP request, no redirects followed, no keep-alive. Resolves with
 * {status, headers, text, json (undefined if not JSON)}; rejects on socket errors
 * (e.g. a dropped connection) with the Node error.
 */
export function rawRequest(baseUrl, { method = "GET", path: p = "/", headers = {}, body, timeoutMs = 15000, ca } = {}) {
  const url = new URL(baseUrl);
  const mod = url.protocol === "https:" ? https : http;
  let payload = body;
  const h = { ...headers };
  if (payload !== undefined && typeof payload !== "string" && !Buffer.isBuffer(payload)) {
    payload = JSON.stringify(payload);
    if (!Object.keys(h).some((k) => k.toLowerCase() === "content-type")) h["content-type"] = "application/json";
  }
  if (payload !== undefined) h["content-length"] = Buffer.byteLength(payload);
  return new Promise((resolve, reject) => {
    const req = mod.request(
      { host: url.hostname, port: url.port, method, path: p, headers: h, agent: false, ca },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("error", reject);
        res.on("aborted", () => reject(Object.assign(new Error("response aborted"), { code: "ECONNRESET" })));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (!res.complete) {
            reject(Object.assign(new Error("truncated response"), { code: "ETRUNCATED", text, status: res.statusCode }));
            return;
          }
          let json;
          try {
            json = text.length ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, headers: res.headers, text, json });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error("client timeout"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Write raw bytes to the server and collect everything it sends back until it closes or `ms` pass. */
export function rawSocket(baseUrl, bytes, ms = 3000) {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const chunks = [];
    const sock = net.connect(Number(url.port), url.hostname, () => sock.write(bytes));
    const done = (why) => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ text: Buffer.concat(chunks).toString("latin1"), why });
    };
    const timer = setTimeout(() => done("timeout"), ms);
    sock.on("data", (c) => chunks.push(c));
    sock.on("end", () => done("end"));
    sock.on("error", (e) => done(e.code || "error"));
  });
}

// ---------------------------------------------------------------------------
// Simulator per suite

/**
 * Start a simulator for one suite with fresh keys registered for its account.
 * Returns { sim, url, account, keys, key (rsa), dir, request, admin, close }.
 * `request(method, path, opts)` signs with `opts.key` (default RSA), `(request-target) date`.
 */
export async function startSuite(opts = {}) {
  const { startSimulator } = await import("../index.mjs");
  const tmp = tempDir();
  const keys = generateKeys(tmp.dir);
  const account = opts.account || "testuser";
  const sim = await startSimulator({
    port: 0,
    host: "127.0.0.1",
    account,
    keys: [keys.rsa.publicPath, keys.ecdsa.publicPath, keys.ed25519.publicPath],
    speed: "fast",
    adminToken: ADMIN_TOKEN,
    seed: 1,
    ...(opts.sim || {}),
  });
  const url = sim.url;
  const ctx = {
    sim,
    url,
    account,
    keys,
    key: keys.rsa,
    dir: tmp.dir,
    ca: opts.ca,
    keyId: (key = keys.rsa) => keyIdFor(account, key.md5),
    /** Signed CloudAPI request; opts: key, body, headers, query(string), version, sign (signHeaders overrides), raw (no auth). */
    request: (method, p, o = {}) => {
      const key = o.key || keys.rsa;
      const base = {
        accept: "application/json",
        "accept-version": o.version || "~9",
        ...(o.headers || {}),
      };
      const headers = o.unsigned
        ? base
        : signHeaders({ method, target: p, key, keyId: keyIdFor(account, key.md5), headers: base, ...(o.sign || {}) });
      return rawRequest(url, { method, path: p, headers, body: o.body, ca: opts.ca, timeoutMs: o.timeoutMs });
    },
    /** Admin API call (/__sim/…) with the admin token. */
    admin: (method, p, body) =>
      rawRequest(url, {
        method,
        path: p,
        headers: { "x-sim-admin-token": ADMIN_TOKEN, accept: "application/json" },
        body,
        ca: opts.ca,
      }),
    close: async () => {
      await sim.close();
      tmp.cleanup();
    },
  };
  return ctx;
}

/** Poll `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(fn, { timeoutMs = 10000, intervalMs = 50, what = "condition" } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A self-signed cert for 127.0.0.1/localhost made by openssl in `dir`. */
export function selfSignedCert(dir) {
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return { cert, key, certText: fs.readFileSync(cert, "utf8") };
}

/**
 * Start `node tests/sim/cli.mjs <args>` as a child process and wait for its one JSON line.
 * Resolves { url, account, keys, child, stderr(), stop() }.
 */
export function spawnSimCli(args, { timeoutMs = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(SIM_DIR, "cli.mjs"), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`simulator did not print its JSON line in ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.stderr.on("data", (c) => (err += c));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited ${code} before listening; stderr: ${err}`));
    });
    child.stdout.on("data", (c) => {
      out += c;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      let info;
      try {
        info = JSON.parse(out.slice(0, nl));
      } catch (e) {
        child.kill("SIGKILL");
        reject(new Error(`first stdout line is not JSON: ${out.slice(0, nl)}`));
        return;
      }
      resolve({
        ...info,
        child,
        stdoutRest: () => out.slice(nl + 1),
        stderr: () => err,
        stop: () =>
          new Promise((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res({ code: child.exitCode, signal: child.signalCode });
            child.once("exit", (code, signal) => res({ code, signal }));
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

/** Run the simulator CLI expecting it to exit by itself; resolves {code, stdout, stderr}. */
export function runSimCli(args, { timeoutMs = 10000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(SIM_DIR, "cli.mjs"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------
// Self-check. `node --test tests/sim/test/` runs every .mjs under test/, this file included;
// run that way (as the main module) it proves the reference signer against http-signature's
// own parser and verifier, independently of the simulator, so a simulator failure can never
// be the signer's fault.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { test, after } = await import("node:test");
  const assert = (await import("node:assert/strict")).default;
  const sshpk = createRequire(require.resolve("http-signature"))("sshpk");
  const tmp = tempDir();
  const keys = generateKeys(tmp.dir);
  const stranger = generateKey(tmp.dir, "rsa", "stranger");
  let publicLine;
  const server = http.createServer((req, res) => {
    try {
      const parsed = httpSignature.parseRequest(req, { algorithms: ["rsa-sha1", "rsa-sha256", "rsa-sha512", "ecdsa-sha256", "ecdsa-sha512", "ed25519-sha512"] });
      const ok = httpSignature.verifySignature(parsed, sshpk.parseKey(publicLine, "ssh"));
      res.end(JSON.stringify({ ok, headers: parsed.params.headers, signingString: parsed.signingString }));
    } catch (e) {
      res.statusCode = 400;
      res.end(JSON.stringify({ error: e.message }));
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}`;
  after(() => {
    server.close();
    tmp.cleanup();
  });
  const verify = async (key, target, headers) => {
    publicLine = key.publicLine;
    const res = await rawRequest(url, { path: target, headers });
    assert.equal(res.status, 200, res.text);
    return res.json;
  };
  const target = "/acct/machines?limit=5&tag.role=web";

  test("md5 fingerprints equal ssh-keygen -l -E md5", () => {
    for (const k of Object.values(keys)) assert.equal(k.md5, sshKeygenMd5(k.publicPath), k.type);
  });

  for (const k of Object.values(keys)) {
    const keyId = keyIdFor("acct", k.md5);
    test(`${k.type}: Node-crypto signatures verify with http-signature (date, x-date, headers omitted)`, async () => {
      let v = await verify(k, target, signHeaders({ target, key: k, keyId }));
      assert.deepEqual([v.ok, v.headers], [true, ["(request-target)", "date"]]);
      assert.match(v.signingString, /^\(request-target\): get \/acct\/machines\?limit=5&tag\.role=web\ndate: /);
      v = await verify(k, target, signHeaders({ target, key: k, keyId, date: "x-date" }));
      assert.deepEqual([v.ok, v.headers], [true, ["(request-target)", "x-date"]]);
      v = await verify(k, target, signHeaders({ target, key: k, keyId, omitHeadersParam: true }));
      assert.deepEqual([v.ok, v.headers], [true, ["date"]]);
    });
    test(`${k.type}: http-signature's signRequest and createSigner output verifies`, async () => {
      assert.equal((await verify(k, target, httpSignatureHeaders({ target, key: k, keyId }))).ok, true);
      assert.equal((await verify(k, target, httpSignatureHeaders({ target, key: k, keyId, xDate: true }))).ok, true);
      assert.equal((await verify(k, target, await httpSignatureSigner({ target, key: k, keyId }))).ok, true);
    });
  }

  test("a signature by another key does not verify", async () => {
    const k = keys.rsa;
    const v = await verify(k, target, signHeaders({ target, key: k, keyId: "x", privateKey: stranger.privateKey }));
    assert.equal(v.ok, false);
  });

  test("legacy form signs the raw Date value", () => {
    const h = signHeaders({ target, key: keys.rsa, keyId: "/a/keys/b", form: "legacy" });
    const sig = h.authorization.split(" ").at(-1);
    assert.ok(crypto.verify("sha256", Buffer.from(h.date), keys.rsa.publicKey, Buffer.from(sig, "base64")));
  });

  test("pre-signed target: sorted RFC 3986 query, signature over METHODS\\nHOST\\nPATH\\nQUERY", () => {
    const t = presignTarget({ host: "h:1", path: "/a/b", key: keys.ed25519, keyId: "/a/keys/f", expires: 99, methods: ["HEAD", "GET"], query: { z: "(x)", a: "1 2" } });
    const [p, qs] = t.split("?");
    assert.equal(p, "/a/b");
    const params = qs.split("&");
    assert.equal(params.slice(0, -1).join("&"), "a=1%202&algorithm=ed25519-sha512&expires=99&keyId=%2Fa%2Fkeys%2Ff&method=HEAD%2CGET&z=%28x%29");
    const sig = decodeURIComponent(params.at(-1).replace(/^signature=/, ""));
    const data = `GET,HEAD\nh:1\n/a/b\n${params.slice(0, -1).join("&")}`;
    assert.ok(crypto.verify(null, Buffer.from(data), keys.ed25519.publicKey, Buffer.from(sig, "base64")));
  });
}
