// Run the official Triton CLI (pinned triton@7.17.0 in this directory's lockfile)
// against a CloudAPI endpoint, isolated from the user's own config and ssh-agent.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PEER_DIR = path.dirname(fileURLToPath(import.meta.url));
/** Path of the CLI entry point of the pinned triton package. */
export const TRITON_BIN = path.join(PEER_DIR, "node_modules", "triton", "bin", "triton");

/** True once `npm ci` has been run in tests/peer. */
export function tritonInstalled() {
  return fs.existsSync(TRITON_BIN);
}

/**
 * A private HOME holding only the given SSH key pair in ~/.ssh (so smartdc-auth finds it),
 * plus the environment the CLI reads: TRITON_URL / TRITON_ACCOUNT / TRITON_KEY_ID.
 * `key` needs privatePath, publicPath and md5. `tls` may hold {insecure: true} or {caFile}.
 */
export function tritonProfile({ url, account, key, tls = {} }) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "triton-home-"));
  const ssh = path.join(home, ".ssh");
  fs.mkdirSync(ssh, { mode: 0o700 });
  fs.copyFileSync(key.privatePath, path.join(ssh, "id_test"));
  fs.chmodSync(path.join(ssh, "id_test"), 0o600);
  fs.copyFileSync(key.publicPath, path.join(ssh, "id_test.pub"));
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    TRITON_URL: url,
    TRITON_ACCOUNT: account,
    TRITON_KEY_ID: key.md5,
    // No colour escapes in what the tests parse.
    NO_COLOR: "1",
    TERM: "dumb",
  };
  if (tls.insecure) env.TRITON_TLS_INSECURE = "1";
  if (tls.caFile) env.NODE_EXTRA_CA_CERTS = tls.caFile;
  return {
    home,
    env,
    cleanup: () => fs.rmSync(home, { recursive: true, force: true }),
  };
}

/**
 * Run `triton <args>`; resolves {code, stdout, stderr, json} where json is the parsed
 * stdout (a single JSON document, or an array of JSON lines for `-j` lists) when it parses.
 */
export function triton(profile, args, { timeoutMs = 60000, input } = {}) {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [TRITON_BIN, ...args],
      { env: profile.env, cwd: profile.home, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr, json: parseJsonOutput(stdout), args });
      },
    );
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** Parse a JSON document or newline-delimited JSON objects; undefined if neither. */
export function parseJsonOutput(text) {
  const t = text.trim();
  if (!t) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    // -j on list commands prints one JSON object per line.
  }
  try {
    return t.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return undefined;
  }
}
