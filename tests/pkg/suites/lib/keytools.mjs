// Helpers for the key suites (issue 5): a real ssh-agent started by the test, key files
// with ssh-keygen, keys registered through CloudAPI's own CreateKey, and secret checks.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import util from "node:util";
import { dataCenter, sim } from "./fixtures.mjs";

/** A fresh temporary directory (removed by `cleanup`). */
export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** `ssh-keygen` into `dir`: { file, privateKey, publicKey, md5, sha256 }. */
export function keygenFile(dir, name, type, { bits, passphrase = "", format } = {}) {
  const file = path.join(dir, name);
  const args = ["-q", "-t", type, "-N", passphrase, "-C", name, "-f", file];
  if (bits) args.push("-b", String(bits));
  if (format) args.push("-m", format);
  execFileSync("ssh-keygen", args, { stdio: "ignore" });
  return describeKeyFile(file);
}

/** Writes `k.privateKey`/`k.publicKey` (from fixtures) as a key file pair in `dir`. */
export function writeKeyFile(dir, name, k) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, k.privateKey, { mode: 0o600 });
  fs.writeFileSync(`${file}.pub`, `${k.publicKey}\n`);
  return describeKeyFile(file);
}

function describeKeyFile(file) {
  const publicKey = fs.readFileSync(`${file}.pub`, "utf8").trim();
  const fp = (hash) => execFileSync("ssh-keygen", ["-l", "-E", hash, "-f", `${file}.pub`], { encoding: "utf8" }).split(/\s+/)[1];
  return {
    file,
    privateKey: fs.readFileSync(file, "utf8"),
    publicKey,
    md5: fp("md5").replace(/^MD5:/, ""),
    sha256: fp("sha256"),
  };
}

/** Registers an OpenSSH public key line with the simulator's account (CreateKey). */
export async function registerKey(publicKey, name) {
  const dc = dataCenter();
  await dc.request("POST", `/${sim.account}/keys`, { body: { name: name ?? `k-${crypto.randomUUID().slice(0, 8)}`, key: publicKey } });
}

/** Starts `ssh-agent -D -a <sock>`; resolves { socket, add(file), stop() }. */
export async function startAgent(dir) {
  const socket = path.join(dir, "agent.sock");
  const child = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
  for (let i = 0; i < 200 && !fs.existsSync(socket); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(fs.existsSync(socket), "ssh-agent did not create its socket");
  return {
    socket,
    add(file) {
      execFileSync("ssh-add", ["-q", file], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: "ignore" });
    },
    stop() {
      child.kill("SIGTERM");
    },
  };
}

/** Every view of a value a person might print: none may contain the secrets. */
export function views(v) {
  const out = [util.inspect(v, { depth: 10, showHidden: true }), String(v)];
  try {
    out.push(JSON.stringify(v));
  } catch {}
  if (v instanceof Error) out.push(v.message, v.stack ?? "", JSON.stringify({ ...v }));
  return out;
}

/** Asserts no view of `v` contains a body line of `privateKey` or the `passphrase`. */
export function assertNoSecrets(v, privateKey, passphrase) {
  const lines = privateKey
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("-----") && !l.includes(":"));
  for (const text of views(v)) {
    for (const line of lines) assert.ok(!text.includes(line.slice(0, 16)), `key text shown: ${text.slice(0, 200)}`);
    if (passphrase) assert.ok(!text.includes(passphrase), `passphrase shown: ${text.slice(0, 200)}`);
  }
}

/** A predicate for assert.rejects/throws: a CloudApiError with `code` (message matching `re`). */
export function cloud(code, re) {
  return (e) => {
    assert.ok(e instanceof Error, `not an Error: ${e}`);
    assert.equal(e.name, "CloudApiError", `${e.name}: ${e.message}`);
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  };
}

/** `SHA256:…` fingerprint of an OpenSSH public key line. */
export function sha256Of(publicKey) {
  const blob = Buffer.from(publicKey.split(/\s+/)[1], "base64");
  return `SHA256:${crypto.createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}
