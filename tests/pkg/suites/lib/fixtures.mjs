// Shared fixtures: RSA keys written by ssh-keygen at test time in the three formats users
// have (OpenSSH, PKCS#1 PEM, PKCS#8 PEM), a simulator that knows their public halves, and
// a fetch wrapper that records exactly what the package handed to fetch.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startSimulator } from "../../../sim/index.mjs";
import { loadPackage } from "../../load.mjs";

export const ADMIN_TOKEN = "pkg-test-token";
export const lib = await loadPackage();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smartdc-pkg-"));

/** `ssh-keygen -m <format>` → { format, privateKey, publicKey, md5, passphrase }. */
function keygen(format, type = "rsa", bits = type === "rsa" ? 2048 : undefined, passphrase = "") {
  const label = `${type}${bits ?? ""}-${format}${passphrase ? "-enc" : ""}`;
  const file = path.join(dir, label);
  const args = ["-q", "-t", type, "-N", passphrase, "-C", `test-${label}`, "-f", file];
  if (bits) args.push("-b", String(bits));
  if (format !== "openssh") args.push("-m", format === "pkcs1" ? "PEM" : "PKCS8");
  execFileSync("ssh-keygen", args, { stdio: "ignore" });
  const publicKey = fs.readFileSync(`${file}.pub`, "utf8").trim();
  const blob = Buffer.from(publicKey.split(/\s+/)[1], "base64");
  const md5 = crypto.createHash("md5").update(blob).digest("hex").match(/../g).join(":");
  return { format, label, privateKey: fs.readFileSync(file, "utf8"), publicKey, md5, passphrase: passphrase || undefined };
}

/** The three RSA key formats, each registered with the simulator. */
export const KEYS = {
  openssh: keygen("openssh"),
  pkcs1: keygen("pkcs1"),
  pkcs8: keygen("pkcs8"),
};
/** Other key types users have (the keys module's formats), also registered. */
export const OTHER_KEYS = [
  keygen("openssh", "ecdsa", 256),
  keygen("openssh", "ecdsa", 384),
  keygen("openssh", "ecdsa", 521),
  keygen("openssh", "ed25519"),
  keygen("openssh", "rsa", 2048, "correct horse"),
];
/** A key the simulator does not know. */
export const STRANGER = keygen("pkcs8", "ecdsa", 256);

/** The running simulator (set by `startSim`, a `before` hook of suites/all.mjs). */
export let sim;

/** Starts the simulator with the three keys registered. */
export async function startSim() {
  sim = await startSimulator({
    keys: [...Object.values(KEYS), ...OTHER_KEYS].map((k) => k.publicKey),
    adminToken: ADMIN_TOKEN,
    speed: "fast",
    // Why: these suites poll every 20 ms to stay fast; CloudAPI's 10 r/s throttle (modelled
    // by the simulator) would turn that into 429s. Retrying on 429 is the retry policy's job.
    throttle: false,
  });
}

/** Stops the simulator and removes the keys (an `after` hook of suites/all.mjs). */
export async function stopSim() {
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A DataCenter on the simulator; `options` override the defaults. */
export function dataCenter(options = {}) {
  return new lib.DataCenter({
    url: sim.url,
    account: sim.account,
    privateKey: KEYS.openssh.privateKey,
    ...options,
  });
}

/** A fetch that records each call's URL and headers, then calls the global fetch. */
export function recordingFetch(transform = (init) => init) {
  const calls = [];
  const fetch = (url, init) => {
    calls.push({ url, method: init.method, headers: { ...init.headers } });
    return globalThis.fetch(url, transform(init));
  };
  return { fetch, calls };
}

/** Text of every line of a private key's body, for "never shown" checks. */
export function keyLines(k) {
  return k.privateKey
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("-----"));
}
