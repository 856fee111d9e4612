// Fault matrix (issue 7): every fault the simulator can inject × four kinds of call, through the
// built package. The expectations are a table; each cell of a row runs on its own account (so
// the row's cells run in parallel without sharing faults) and checks the outcome, that the fault was consumed, that
// createMachine made at most one machine, and that the next call on the same DataCenter works
// (no wasm trap). No promise rejection may go unhandled in the whole file.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { KEYS, dataCenter, sim, startSim, stopSim } from "../pkg/suites/lib/fixtures.mjs";

const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(reason));

/** The client's per-call time limit in the matrix (the timeout rows outlast it). */
const TIMEOUT_MS = 600;
/** The limit elsewhere: long enough for the retries (backoff 0.5–1 s, then 1–2 s, Retry-After). */
const LONG_TIMEOUT_MS = 15000;
/** Machines in the paged-list account: more than one 1000-machine page. */
const LIST_SIZE = 1001;
const OPS = ["get", "stop", "create", "list"];
const OK = "ok";

const json = (status, code) => ({ kind: "status", status, body: { code, message: `injected ${status}` } });

// [name, fault, {get, stop, create, list} expected ("ok" or the CloudApiError code), options]
// Retried (idempotent, within the budget): network errors, timeouts, 408/429/502/503/504.
// Not retried: 500, a 200 that does not decode. machine.stop ignores the body of its 2xx.
// createMachine never re-sends blindly: after an ambiguous failure (no answer, 5xx, garbage) it
// looks the machine up by name and only re-sends when none exists; a 429 is not ambiguous.
const MATRIX = [
  ["500", json(500, "InternalError"), { get: "InternalError", stop: "InternalError", create: OK, list: "InternalError" }],
  ["502", json(502, "BadGateway"), { get: OK, stop: OK, create: OK, list: OK }],
  ["503 without Retry-After", json(503, "ServiceUnavailable"), { get: OK, stop: OK, create: OK, list: OK }],
  ["503 with Retry-After: 1", { ...json(503, "ServiceUnavailable"), headers: { "Retry-After": "1" } }, { get: OK, stop: OK, create: OK, list: OK }],
  ["429", { ...json(429, "TooManyRequests"), headers: { "Retry-After": "1" } }, { get: OK, stop: OK, create: "TooManyRequests", list: OK }],
  ["connection reset", { kind: "reset" }, { get: OK, stop: OK, create: OK, list: OK }],
  ["connection reset after serving", { kind: "reset", after: true }, { get: OK, stop: OK, create: OK, list: OK }],
  ["timeout (never answered)", { kind: "hang" }, { get: "Timeout", stop: "Timeout", create: OK, list: "Timeout" }, { shortTimeout: true }],
  ["timeout (served after the client gave up)", { kind: "delay", delayMs: TIMEOUT_MS + 400 }, { get: "Timeout", stop: "Timeout", create: OK, list: "Timeout" }, { shortTimeout: true }],
  ["truncated body", { kind: "truncate" }, { get: OK, stop: OK, create: OK, list: OK }],
  ["non-JSON body", { kind: "nonjson" }, { get: "InvalidResponse", stop: OK, create: OK, list: "InvalidResponse" }],
  ["HTML error page (502)", { kind: "html" }, { get: OK, stop: OK, create: OK, list: OK }],
  ["200 with the wrong JSON shape", { kind: "status", status: 200, body: { unexpected: [1, 2] } }, { get: "InvalidResponse", stop: OK, create: OK, list: "InvalidResponse" }],
  // Every attempt fails: with retries: 2 exactly 3 attempts reach the server, then the code.
  ["503 beyond the retry budget", { ...json(503, "ServiceUnavailable"), count: 9 }, { get: "ServiceUnavailable", stop: "ServiceUnavailable", create: "ServiceUnavailable", list: "ServiceUnavailable" }, { retries: 2, attempts: 3 }],
];

/** Where each op's fault is aimed (the account's path is unique to the cell). */
function faultTarget(op, login, id) {
  switch (op) {
    case "get":
      return { method: "GET", path: `^/${login}/machines/${id}$` };
    case "stop":
      return { method: "POST", path: `^/${login}/machines/${id}\\?action=stop` };
    case "create":
      return { method: "POST", path: `^/${login}/machines$` };
    case "list": // the second page, so the first one has been decoded already
      return { method: "GET", path: `^/${login}/machines\\?.*offset=1000` };
    default:
      throw new Error(op);
  }
}

let seq = 0;
async function newAccount(machines) {
  const login = `flt${process.pid}x${++seq}${crypto.randomBytes(2).toString("hex")}`;
  await sim.admin("/__sim/accounts", { login, keys: [KEYS.openssh.publicKey] });
  if (machines) await sim.admin("/__sim/machines/bulk", { count: machines, login, namePrefix: "m-" });
  const acct = sim.store.accountByLogin(login);
  return { login, acct, live: () => sim.store.machinesOf(acct).filter((m) => !m.destroyed) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The paged-list account, shared by the rows (which run one after another). */
let listAccount;

async function runCell([name, fault, expect, opts = {}], op) {
  const { login, live } = op === "list" ? listAccount : await newAccount(op === "create" ? 0 : 1);
  const timeout = opts.shortTimeout ? TIMEOUT_MS : LONG_TIMEOUT_MS;
  const d = dataCenter({ account: login, timeout, ...(opts.retries === undefined ? {} : { retries: opts.retries }) });
  const id = live()[0]?.id;
  const count = fault.count ?? 1;
  await sim.admin("/__sim/faults", { ...fault, ...faultTarget(op, login, id), count });
  const machineName = `c-${crypto.randomBytes(4).toString("hex")}`;
  const call = {
    get: () => d.machine(id),
    stop: async () => (await d.machine(id)).stop(),
    create: () => d.createMachine({ name: machineName, image: sim.store.seedImages.base.id, package: "sample-512M" }),
    list: () => d.machines(),
  }[op];
  let result;
  let error;
  try {
    result = await call();
  } catch (e) {
    error = e;
  }
  const want = expect[op];
  const where = `${name} × ${op}`;
  if (want === OK) {
    assert.equal(error, undefined, `${where}: expected success, got ${error?.code}: ${error?.message}`);
    if (op === "get") assert.equal(result.id, id, where);
    if (op === "list") {
      assert.equal(result.length, LIST_SIZE, where);
      assert.equal(new Set(result.map((m) => m.id)).size, LIST_SIZE, `${where}: duplicate machines across pages`);
    }
    if (op === "create") assert.equal(result.name, machineName, where);
  } else {
    assert.ok(error, `${where}: expected ${want}, but the call succeeded`);
    assert.equal(error.name, "CloudApiError", `${where}: ${error.stack}`);
    assert.equal(error.code, want, `${where}: ${error.message}`);
    assert.ok(error.message.length > 10, `${where}: message too terse: ${error.message}`);
  }
  if (op === "create") {
    // A delayed POST may still be served after the client gave up: wait for it before counting.
    if (fault.delayMs) await sleep(fault.delayMs + 300);
    const made = live().filter((m) => m.alias === machineName).length;
    assert.equal(made, want === OK ? 1 : 0, `${where}: ${made} machines named ${machineName}`);
  }
  const left = (await sim.admin("/__sim/faults")).faults.filter((f) => f.path.includes(login));
  const remaining = left.reduce((n, f) => n + f.remaining, 0);
  const attempts = opts.attempts ?? 1;
  assert.equal(count - remaining, attempts, `${where}: the fault was hit ${count - remaining} times, expected ${attempts}`);
  // Checked once the row's leftover faults are gone: no wasm trap, nothing stuck, the same
  // DataCenter answers the next call.
  return async () => {
    if (id) assert.equal((await d.machine(id)).id, id, `${where}: the next call failed`);
    else assert.ok(Array.isArray(await d.machines()), `${where}: the next call failed`);
  };
}

describe("fault matrix", () => {
  before(async () => {
    await startSim();
    listAccount = await newAccount(LIST_SIZE);
  });
  after(stopSim);

  for (const row of MATRIX) {
    test(`${row[0]}: ${OPS.map((op) => `${op} → ${row[2][op]}`).join(", ")}`, async () => {
      // The four calls of a row run at once, each on its own account and fault.
      const results = await Promise.allSettled(OPS.map((op) => runCell(row, op)));
      await sim.admin("/__sim/faults", undefined, "DELETE");
      const failures = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
      for (const r of results) {
        if (r.status === "fulfilled") await r.value().catch((e) => failures.push(e.message));
      }
      assert.deepEqual(failures, []);
    });
  }

  test("no promise rejection went unhandled", async () => {
    await sleep(50);
    assert.deepEqual(unhandled.map(String), []);
  });
});
