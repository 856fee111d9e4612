"use strict";
// DataCenter.fromEnv() and DataCenter.fromProfile() (Node only): the configuration the triton
// CLI already uses — TRITON_* / SDC_* variables, ~/.triton/profiles.d/<name>.json,
// ~/.triton/config.json's current profile and the special "env" profile — with key discovery
// when only a fingerprint is configured: the ssh-agent first, then ~/.ssh/* private keys.
//
// TLS decision: there is no global switch. Node 20's fetch cannot be told to skip certificate
// checks without a dispatcher from the `undici` npm package, and this package has no
// dependencies; flipping NODE_TLS_REJECT_UNAUTHORIZED would weaken every connection of the
// process. So a profile with `insecure: true` (or TRITON_TLS_INSECURE=1) needs a `fetch`
// override that carries its own dispatcher, e.g.
//   const { Agent, fetch } = require("undici");
//   const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
//   DataCenter.fromEnv({ fetch: (url, init) => fetch(url, { ...init, dispatcher }) })
// and a private CA is best given with NODE_EXTRA_CA_CERTS=/path/ca.pem (no code at all).
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { agentSigner, cloudError } = require("./agent.cjs");

/** node-triton's boolFromString: "1"/"true" → true, "0"/"false"/"" → false. */
function boolFrom(value, name) {
  if (value === undefined) return undefined;
  const v = String(value).trim().toLowerCase();
  if (v === "1" || v === "true" || v === "yes") return true;
  if (v === "0" || v === "false" || v === "no" || v === "") return false;
  throw cloudError("InvalidArgument", `${name}=${JSON.stringify(value)} is not a boolean (use 1, 0, true or false)`);
}

const env = (a, b) => process.env[a] || (b ? process.env[b] : undefined) || undefined;

/** The triton CLI's "env" profile. */
function envProfile() {
  const insecure = env("TRITON_TLS_INSECURE") !== undefined
    ? boolFrom(process.env.TRITON_TLS_INSECURE, "TRITON_TLS_INSECURE")
    : boolFrom(env("SDC_TLS_INSECURE"), "SDC_TLS_INSECURE");
  return {
    name: "env",
    url: env("TRITON_URL", "SDC_URL"),
    account: env("TRITON_ACCOUNT", "SDC_ACCOUNT"),
    user: env("TRITON_USER", "SDC_USER"),
    keyId: env("TRITON_KEY_ID", "SDC_KEY_ID"),
    actAsAccount: env("TRITON_ACT_AS"),
    insecure,
  };
}

const configDir = () => path.join(os.homedir(), ".triton");

function readJson(file, what) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    if (e.code === "ENOENT") return undefined;
    throw cloudError("InvalidArgument", `cannot read ${what} ${file}: ${e.message}`);
  }
}

/** A named profile from ~/.triton/profiles.d, or the "env" profile. */
function loadProfile(name) {
  if (name === "env") return envProfile();
  if (typeof name !== "string" || !name || /[/\\]/.test(name)) {
    throw new TypeError(`fromProfile(name): name must be a profile name, got ${JSON.stringify(name)}`);
  }
  const dir = path.join(configDir(), "profiles.d");
  const profile = readJson(path.join(dir, `${name}.json`), "triton profile");
  if (!profile) {
    let have = [];
    try {
      have = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5));
    } catch {}
    throw cloudError("ResourceNotFound", `no triton profile ${JSON.stringify(name)} in ${dir}; known profiles: ${["env", ...have].join(", ")} (create one with \`triton profile create\`)`);
  }
  return { ...profile, name };
}

/** Where each profile field comes from, for messages. */
const SOURCES = {
  env: { url: "TRITON_URL or SDC_URL", account: "TRITON_ACCOUNT or SDC_ACCOUNT", keyId: "TRITON_KEY_ID or SDC_KEY_ID" },
};

/** ~/.ssh private keys whose public half has this fingerprint: [{ file, text, encrypted }]. */
function sshKeyFiles(glue, fingerprint) {
  const dir = path.join(os.homedir(), ".ssh");
  let names;
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const wanted = normalizeFingerprint(fingerprint);
  const out = [];
  for (const n of names.sort()) {
    if (n.endsWith(".pub") || n === "known_hosts" || n === "authorized_keys" || n === "config") continue;
    const file = path.join(dir, n);
    let text;
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > 64 * 1024) continue;
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    if (!text.includes("PRIVATE KEY-----")) continue;
    let info;
    try {
      const pub = fs.existsSync(`${file}.pub`) ? fs.readFileSync(`${file}.pub`, "utf8") : text;
      info = glue.keyFingerprints(pub);
    } catch {
      continue;
    }
    if (info.md5 === wanted || info.sha256 === wanted) {
      out.push({ file, text, encrypted: info.encrypted === true || glue.keyFingerprints(text).encrypted === true });
    }
  }
  return out;
}

/** "MD5:aa:bb…" / "aa:bb…" → "aa:bb…"; "SHA256:x=" → "SHA256:x". */
function normalizeFingerprint(fp) {
  const t = fp.trim();
  if (/^md5:/i.test(t)) return t.slice(4).toLowerCase();
  if (/^sha256:/i.test(t)) return `SHA256:${t.slice(7).replace(/=+$/, "")}`;
  return t.toLowerCase();
}

/** Finds the key for `fingerprint`: an agent signer when the agent holds it, else a file. */
async function discoverKey(glue, fingerprint, overrides) {
  const socketPath = overrides.agent?.socketPath ?? process.env.SSH_AUTH_SOCK;
  let agentNote = "SSH_AUTH_SOCK is not set";
  if (socketPath && overrides.agent !== false) {
    const signer = agentSigner({ socketPath, fingerprint });
    try {
      await signer.sign(new Uint8Array(0)); // picks and checks the key: throws if absent
      return { signer };
    } catch (e) {
      agentNote = `the ssh-agent at ${socketPath}: ${e.message}`;
    }
  }
  const [found] = sshKeyFiles(glue, fingerprint);
  if (found) {
    if (found.encrypted && overrides.passphrase === undefined) {
      throw cloudError("BadPassphrase", `${found.file} (fingerprint ${fingerprint}) is encrypted; add it to the ssh-agent (ssh-add ${found.file}) or pass { passphrase } (a string or an async function)`);
    }
    return { privateKey: found.text, keyFile: found.file };
  }
  throw cloudError("KeyNotFound", `no key with fingerprint ${fingerprint}: not in the ssh-agent (${agentNote}) and no private key in ${path.join(os.homedir(), ".ssh")} has that fingerprint (a .pub file next to it, or an unencrypted key)`);
}

/** Builds a DataCenter from a triton profile object plus `overrides` (DataCenter options). */
async function fromProfileObject(glue, profile, overrides = {}) {
  if (overrides === null || typeof overrides !== "object") throw new TypeError("overrides must be an object of DataCenter options");
  const where = SOURCES[profile.name] ?? { url: `profile ${profile.name}: url`, account: `profile ${profile.name}: account`, keyId: `profile ${profile.name}: keyId` };
  const { agent, ...rest } = overrides;
  const opts = {
    url: profile.url,
    account: profile.account,
    ...(profile.user ? { user: profile.user } : {}),
    ...(profile.actAsAccount ? { actAs: profile.actAsAccount } : {}),
    ...rest,
  };
  if (rest.location) delete opts.url;
  for (const k of ["url", "account"]) {
    if (!opts[k] && !(k === "url" && opts.location)) throw cloudError("InvalidArgument", `${where[k]} is not set`);
  }
  if (profile.insecure === true && !rest.fetch) {
    throw cloudError(
      "NotSupported",
      `${profile.name === "env" ? "TRITON_TLS_INSECURE / SDC_TLS_INSECURE" : `profile ${profile.name}: insecure`} asks to skip TLS verification, which this package never does globally. ` +
        "Pass a fetch that uses its own dispatcher, e.g. with the undici package: " +
        "const dispatcher = new (require('undici').Agent)({ connect: { rejectUnauthorized: false } }); " +
        "DataCenter.fromEnv({ fetch: (u, i) => require('undici').fetch(u, { ...i, dispatcher }) }); " +
        "for a private CA set NODE_EXTRA_CA_CERTS=/path/to/ca.pem instead.",
    );
  }
  if (!rest.privateKey && !rest.signer) {
    const fingerprint = rest.keyId ?? profile.keyId;
    if (!fingerprint) throw cloudError("InvalidArgument", `${where.keyId} is not set (the fingerprint of your key)`);
    const found = await discoverKey(glue, fingerprint, { ...rest, agent });
    if (found.signer) {
      opts.signer = found.signer;
      delete opts.keyId;
    } else {
      opts.privateKey = found.privateKey;
      opts.keyId ??= fingerprint;
    }
  } else if (!("keyId" in rest) && profile.keyId && !rest.signer) {
    opts.keyId = profile.keyId;
  }
  return new glue.DataCenter(opts);
}

/** Attaches the Node implementations to the wasm exports (replacing the browser stubs). */
function install(glue) {
  const DataCenter = glue.DataCenter;
  DataCenter.fromEnv = async function fromEnv(overrides = {}) {
    const named = process.env.TRITON_PROFILE;
    if (named && named !== "env") return fromProfileObject(glue, loadProfile(named), overrides);
    const p = envProfile();
    if (!p.url && !p.account && !p.keyId) {
      throw cloudError("InvalidArgument", "none of TRITON_URL/SDC_URL, TRITON_ACCOUNT/SDC_ACCOUNT, TRITON_KEY_ID/SDC_KEY_ID (or TRITON_PROFILE) is set");
    }
    return fromProfileObject(glue, p, overrides);
  };
  DataCenter.fromProfile = async function fromProfile(name, overrides = {}) {
    if (name !== undefined && name !== null && typeof name === "object") return fromProfile(undefined, name);
    const chosen = name ?? process.env.TRITON_PROFILE ?? readJson(path.join(configDir(), "config.json"), "triton config")?.profile ?? "env";
    return fromProfileObject(glue, loadProfile(chosen), overrides);
  };
  glue.agentSigner = agentSigner;
  glue.__setAgentSignerFactory(agentSigner);
}

module.exports = { install };
