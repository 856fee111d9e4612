// Bad input: each rejects with a CloudApiError (or TypeError for wrong types) whose message
// says what is wrong, and the same DataCenter keeps working afterwards (no panic reachable).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { KEYS, STRANGER, dataCenter, keyLines, lib, sim } from "./lib/fixtures.mjs";

/** Asserts `fn` throws (sync) a CloudApiError with `code` whose message matches `re`. */
function throwsCloud(fn, code, re) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, "not an Error");
    assert.equal(e.name, "CloudApiError");
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    for (const line of keyLines(KEYS.openssh)) assert.ok(!e.message.includes(line.slice(0, 20)), "key text in message");
    return true;
  });
}

function cloud(code, re) {
  return (e) => {
    assert.ok(e instanceof Error, `not an Error: ${e}`);
    assert.equal(e.name, "CloudApiError", `${e.name}: ${e.message}`);
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  };
}

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`bad input (${ENTRY})`, () => {
    const good = KEYS.openssh.privateKey;

    test("malformed key text", () => {
      throwsCloud(() => dataCenter({ privateKey: "hello" }), "InvalidKey", /key/i);
      throwsCloud(
        () => dataCenter({ privateKey: "-----BEGIN RSA PRIVATE KEY-----\nnot base64 !!\n-----END RSA PRIVATE KEY-----\n" }),
        "InvalidKey",
        /.+/,
      );
    });

    test("truncated key, in every format", () => {
      for (const k of Object.values(KEYS)) {
        const cut = k.privateKey.slice(0, Math.floor(k.privateKey.length / 2));
        throwsCloud(() => dataCenter({ privateKey: cut }), "InvalidKey", /.+/);
        const noEnd = k.privateKey.replace(/-----END[^\n]*\n?$/, "");
        throwsCloud(() => dataCenter({ privateKey: noEnd }), "InvalidKey", /.+/);
      }
    });

    test("a public key passed as the private key", () => {
      throwsCloud(() => dataCenter({ privateKey: KEYS.openssh.publicKey }), "InvalidKey", /public/i);
    });

    test("a keyId for another key", () => {
      throwsCloud(() => dataCenter({ keyId: KEYS.pkcs1.md5 }), "KeyNotFound", /match/i);
      throwsCloud(() => dataCenter({ keyId: `MD5:${KEYS.pkcs8.md5}` }), "KeyNotFound", /match/i);
    });

    test("a key the server does not know is refused by the server, and the next call works", async () => {
      const stranger = dataCenter({ privateKey: STRANGER.privateKey });
      await assert.rejects(stranger.account(), (e) => e.name === "CloudApiError" && e.statusCode === 401);
      const dc = dataCenter();
      await assert.rejects(dc.request("GET", `/${sim.account}/machines`, { headers: { "x-broken": "a\nb" } }), TypeError);
      assert.equal((await dc.account()).login, sim.account);
    });

    test("unknown location, bad url", () => {
      throwsCloud(() => new lib.DataCenter({ location: "mars-1", account: "x", privateKey: good }), "UnknownLocation", /mars-1.*us-central-1/);
      assert.throws(() => new lib.DataCenter({ location: "us-east-1", url: sim.url, account: "x", privateKey: good }), TypeError);
      assert.throws(() => new lib.DataCenter({ url: "ftp://x", account: "x", privateKey: good }), (e) => e.name === "CloudApiError");
    });

    test("wrong types and unknown options are TypeErrors naming the option", () => {
      assert.throws(() => new lib.DataCenter(), TypeError);
      assert.throws(() => new lib.DataCenter("us-east-1"), TypeError);
      assert.throws(() => dataCenter({ acount: "x" }), (e) => e instanceof TypeError && /acount/.test(e.message) && /account/.test(e.message));
      assert.throws(() => dataCenter({ privateKey: 42 }), /privateKey must be a string/);
      assert.throws(() => dataCenter({ timeout: -5 }), /timeout/);
      assert.throws(() => dataCenter({ signer: "gpu" }), /auto, webcrypto, rust/);
      assert.throws(() => dataCenter({ fetch: "yes" }), /fetch must be a function/);
      assert.throws(() => dataCenter({ signedHeaders: ["(request-target)"] }), /x-date/);
    });

    test("empty, non-JSON and HTML bodies, dropped connections: each rejects, then the next call works", async () => {
      const dc = dataCenter({ retries: 0 }); // 502 and drops are retried by default
      const path = `^/${sim.account}$`;
      const cases = [
        [{ kind: "status", status: 200, body: "" }, cloud("InvalidResponse", /empty body/)],
        [{ kind: "nonjson" }, cloud("InvalidResponse", /not JSON/)],
        [{ kind: "html" }, cloud("BadGateway", /502/)],
        [{ kind: "drop" }, cloud("NetworkError", /GET \//)],
        [{ kind: "truncate" }, (e) => e.name === "CloudApiError" && ["InvalidResponse", "NetworkError"].includes(e.code)],
        [{ kind: "status", status: 500, body: { code: "InternalError", message: "boom" } }, cloud("InternalError", /boom/)],
      ];
      for (const [fault, check] of cases) {
        await sim.admin("/__sim/faults", { method: "GET", path, ...fault });
        await assert.rejects(dc.account(), check, JSON.stringify(fault));
        assert.equal((await dc.account()).login, sim.account, `unusable after ${fault.kind}`);
      }
    });

    test("network failure (nothing listening) and timeouts", async () => {
      const dead = dataCenter({ url: "http://127.0.0.1:9" });
      await assert.rejects(dead.account(), cloud("NetworkError", /127\.0\.0\.1:9/));
      const slow = dataCenter({ timeout: 200 });
      await sim.admin("/__sim/faults", { kind: "delay", delayMs: 2000, path: `^/${sim.account}$` });
      const t0 = Date.now();
      await assert.rejects(slow.account(), cloud("Timeout", /200 ms/));
      assert.ok(Date.now() - t0 < 1500, "the timeout was not prompt");
      assert.equal((await slow.account()).login, sim.account);
    });

    test("bad arguments to methods reject (never throw synchronously) and send nothing", async () => {
      const dc = dataCenter();
      await assert.rejects(dc.machine(5), TypeError);
      // Why "": any other string may be a machine name, which is looked up, not refused.
      await assert.rejects(dc.machine(""), cloud("InvalidArgument", /UUID/));
      await assert.rejects(dc.machines({ sate: "running" }), (e) => e instanceof TypeError && /sate/.test(e.message));
      await assert.rejects(dc.machines({ state: "deleted" }), cloud("InvalidArgument", /state/));
      await assert.rejects(dc.createMachine(), TypeError);
      await assert.rejects(dc.createMachine({ package: "x" }), cloud("InvalidArgument", /image/));
      await assert.rejects(dc.createMachine({ image: "x", package: "y", colour: "red" }), TypeError);
      await assert.rejects(dc.request("FETCH", "/x"), cloud("InvalidArgument", /method/));
      await assert.rejects(dc.request("GET", "no-slash"), cloud("InvalidArgument", /start with/));
      assert.equal((await dc.account()).login, sim.account);
    });
  });
}
