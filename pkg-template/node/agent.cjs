"use strict";
// agentSigner(): a DataCenter signer backed by a running ssh-agent (Node only).
// Only the socket lives here; framing, key parsing, sign requests and signature conversion are
// Rust (src/agent.rs through the sshAgent* exports of the wasm).
const net = require("node:net");
const glue = require("../smartdc_wasm.node.cjs");

/** Win32-OpenSSH's agent pipe: fixed name, and the service does not set SSH_AUTH_SOCK. */
const WINDOWS_PIPE = "\\\\.\\pipe\\openssh-ssh-agent";
const DEFAULT_TIMEOUT = 10000;

/** A JS Error shaped like the package's CloudApiError. */
function cloudError(code, message) {
  const e = new Error(message);
  e.name = "CloudApiError";
  e.code = code;
  e.statusCode = undefined;
  e.requestId = undefined;
  e.body = undefined;
  return e;
}

function defaultSocket() {
  if (process.env.SSH_AUTH_SOCK) return process.env.SSH_AUTH_SOCK;
  return process.platform === "win32" ? WINDOWS_PIPE : undefined;
}

/**
 * Sends one framed request to the agent at `socketPath` and resolves with the complete framed
 * answer. Every failure is an AgentError saying what to do.
 */
function exchange(socketPath, request, timeout) {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    let done = false;
    const sock = net.connect(socketPath);
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(() => {
      finish(cloudError("AgentError", `the ssh-agent at ${socketPath} did not answer within ${timeout} ms; is it running and unlocked? (check with ssh-add -l)`));
    }, timeout);
    sock.on("connect", () => sock.write(request));
    sock.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      let length;
      try {
        length = glue.sshAgentMessageLength(buffered);
      } catch (e) {
        return finish(e);
      }
      if (length > 0) finish(null, new Uint8Array(buffered.subarray(0, length)));
    });
    sock.on("error", (e) => {
      const hint =
        e.code === "ENOENT" || e.code === "ECONNREFUSED"
          ? "no ssh-agent is listening there; start one (eval \"$(ssh-agent)\") and add your key with ssh-add, or set SSH_AUTH_SOCK"
          : e.code === "EACCES"
            ? "permission denied; the socket belongs to another user"
            : "check SSH_AUTH_SOCK";
      finish(cloudError("AgentError", `cannot reach the ssh-agent at ${socketPath} (${e.code || e.message}): ${hint}`));
    });
    sock.on("end", () => finish(cloudError("AgentError", `the ssh-agent at ${socketPath} closed the connection without answering`)));
  });
}

/**
 * A signer object for `new DataCenter({ signer })` backed by the ssh-agent.
 * `fingerprint` (MD5 or SHA256) picks one key; without it the first usable key is used and
 * `rotate()` (called by the DataCenter on a 401) moves to the next one.
 */
function agentSigner(options = {}) {
  if (options === null || typeof options !== "object") throw new TypeError("agentSigner(options): options must be an object");
  for (const k of Object.keys(options)) {
    if (!["socketPath", "fingerprint", "timeout"].includes(k)) {
      throw new TypeError(`agentSigner(options): unknown option ${JSON.stringify(k)}; valid options are socketPath, fingerprint, timeout`);
    }
  }
  const socketPath = options.socketPath ?? defaultSocket();
  const fingerprint = options.fingerprint;
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  if (socketPath !== undefined && typeof socketPath !== "string") throw new TypeError("agentSigner(options): socketPath must be a string");
  if (fingerprint !== undefined && typeof fingerprint !== "string") throw new TypeError("agentSigner(options): fingerprint must be a string");
  if (!(typeof timeout === "number" && timeout > 0)) throw new TypeError("agentSigner(options): timeout must be a positive number of ms");

  let keys = null; // usable identities in agent order (cached after the first listing)
  let current = 0;
  let listing = null;

  async function list() {
    if (!socketPath) {
      throw cloudError("AgentError", "SSH_AUTH_SOCK is not set, so there is no ssh-agent to ask; start one (eval \"$(ssh-agent)\" and ssh-add) or pass socketPath (on Windows: \\\\.\\pipe\\openssh-ssh-agent)");
    }
    const answer = await exchange(socketPath, glue.sshAgentRequestIdentities(), timeout);
    return { answer, ids: glue.sshAgentParseIdentities(answer) };
  }

  async function load() {
    if (keys) return keys;
    listing ??= (async () => {
      const { answer, ids } = await list();
      if (fingerprint !== undefined) {
        return [ids[glue.sshAgentFindIdentity(answer, fingerprint)]];
      }
      const usable = ids.filter((k) => !k.problem);
      if (usable.length === 0) {
        if (ids.length === 0) throw cloudError("KeyNotFound", `the ssh-agent at ${socketPath} holds no keys; add yours with ssh-add`);
        throw ids[0].problem;
      }
      return usable;
    })();
    try {
      keys = await listing;
      return keys;
    } finally {
      listing = null;
    }
  }

  const key = () => (keys ? keys[current] : undefined);
  return {
    get keyId() {
      return key()?.md5;
    },
    get fingerprint() {
      return key()?.md5;
    },
    get publicKey() {
      return key()?.publicKey;
    },
    get algorithm() {
      return key()?.algorithm;
    },
    async sign(data) {
      await load();
      const k = key();
      const answer = await exchange(socketPath, glue.sshAgentSignRequest(k.blob, data), timeout);
      return glue.sshAgentParseSignResponse(answer, k.blob).signature;
    },
    async rotate() {
      await load();
      if (current + 1 >= keys.length) return false;
      current += 1;
      return true;
    },
    async listKeys() {
      const { ids } = await list();
      return ids.map(({ blob: _blob, ...rest }) => rest);
    },
    toJSON() {
      return { socketPath, fingerprint: key()?.sha256 ?? fingerprint };
    },
    [Symbol.for("nodejs.util.inspect.custom")]() {
      return `AgentSigner { socketPath: ${JSON.stringify(socketPath)}, key: ${JSON.stringify(key()?.sha256 ?? fingerprint ?? null)} }`;
    },
  };
}

module.exports = { agentSigner, cloudError, WINDOWS_PIPE };
