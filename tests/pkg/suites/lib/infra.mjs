// Helpers of the infrastructure suites (images, firewall, fabrics, volumes): an account of
// their own on the simulator, a fetch that records the whole request, and error matchers.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { ENTRY } from "../../load.mjs";
import { KEYS, dataCenter, sim } from "./fixtures.mjs";

/** A new simulator account (login prefixed with `prefix`) → { login, acct, dc(options) }. */
export async function newAccount(prefix) {
  const login = `${prefix}${ENTRY === "import" ? "esm" : "cjs"}${crypto.randomBytes(3).toString("hex")}`;
  await sim.admin("/__sim/accounts", { login, keys: [KEYS.openssh.publicKey] });
  const acct = sim.store.accountByLogin(login);
  return { login, acct, dc: (options = {}) => dataCenter({ account: login, ...options }) };
}

/** A fetch recording method, URL, headers, parsed body and response status of every call. */
export function recorder() {
  const calls = [];
  const fetch = async (url, init) => {
    const call = {
      url: new URL(url),
      method: init.method,
      headers: { ...init.headers },
      body: init.body === undefined ? undefined : JSON.parse(init.body),
    };
    calls.push(call);
    const res = await globalThis.fetch(url, init);
    call.status = res.status;
    return res;
  };
  return { fetch, calls };
}

/** Checks one recorded call: method, path, query (as an object) and body. */
export function wire(call, method, path, query = {}, body) {
  assert.equal(call.method, method);
  assert.equal(call.url.pathname, path);
  assert.deepEqual(Object.fromEntries(call.url.searchParams), query);
  assert.deepEqual(call.body, body);
  assert.equal(call.headers["accept-version"], "~9||~8");
  assert.match(call.headers.authorization, /^Signature keyId="\/[^/]+\/keys\//);
  if (body !== undefined) assert.equal(call.headers["content-type"], "application/json");
}

/** A matcher for `assert.rejects`: a CloudApiError with `code` whose message matches `re`. */
export const cloud = (code, re) => (e) => {
  assert.equal(e.name, "CloudApiError", e.message);
  assert.equal(e.code, code, e.message);
  if (re) assert.match(e.message, re);
  return true;
};

/** A matcher for `assert.rejects`: a TypeError whose message matches `re`. */
export const typeError = (re) => (e) => {
  assert.ok(e instanceof TypeError, `${e.name}: ${e.message}`);
  assert.match(e.message, re);
  return true;
};
