// Helpers of the infrastructure suites (images, firewall, fabrics, volumes): an account of
// their own on the simulator, checks of a recorded request (see recorder.mjs), the official
// triton CLI as that account, and error matchers.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { triton, tritonInstalled, tritonProfile } from "../../../peer/triton.mjs";
import { ENTRY } from "../../load.mjs";
import { KEYS, dataCenter, sim } from "./fixtures.mjs";

export { cloud } from "./keytools.mjs";
export { recorder } from "./recorder.mjs";

/** Why a test is skipped when the official triton CLI is missing (node:test `skip`). */
export const NO_TRITON = !tritonInstalled() && "npm ci in tests/peer first";

/** A new simulator account (login prefixed with `prefix`) → { login, acct, dc(options) }. */
export async function newAccount(prefix) {
  const login = `${prefix}${ENTRY === "import" ? "esm" : "cjs"}${crypto.randomBytes(3).toString("hex")}`;
  await sim.admin("/__sim/accounts", { login, keys: [KEYS.openssh.publicKey] });
  const acct = sim.store.accountByLogin(login);
  return { login, acct, dc: (options = {}) => dataCenter({ account: login, ...options }), cli: (...args) => cli(login, args) };
}

/** Runs the official `triton` CLI as `login` (same key as the DataCenter) → its parsed JSON
 * output (one document, or an array for JSON lines), else its text. */
async function cli(login, args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "infra-key-"));
  const privatePath = path.join(dir, "id");
  fs.writeFileSync(privatePath, KEYS.openssh.privateKey, { mode: 0o600 });
  fs.writeFileSync(`${privatePath}.pub`, `${KEYS.openssh.publicKey}\n`);
  const profile = tritonProfile({ url: sim.url, account: login, key: { privatePath, publicPath: `${privatePath}.pub`, md5: KEYS.openssh.md5 } });
  try {
    const r = await triton(profile, args);
    assert.equal(r.code, 0, `triton ${args.join(" ")}: ${r.stderr}`);
    return r.json ?? r.stdout;
  } finally {
    profile.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Checks one recorded call: method, path, query (as an object) and body. */
export function wire(call, method, path, query = {}, body) {
  assert.equal(call.method, method);
  assert.equal(call.url.pathname, path);
  assert.deepEqual(Object.fromEntries(call.url.searchParams), query);
  assert.deepEqual(call.body === undefined ? undefined : JSON.parse(call.body), body);
  assert.equal(call.headers["accept-version"], "~9||~8");
  assert.match(call.headers.authorization, /^Signature keyId="\/[^/]+\/keys\//);
  if (body !== undefined) assert.equal(call.headers["content-type"], "application/json");
}

/** A matcher for `assert.rejects`: a TypeError whose message matches `re`. */
export const typeError = (re) => (e) => {
  assert.ok(e instanceof TypeError, `${e.name}: ${e.message}`);
  assert.match(e.message, re);
  return true;
};
