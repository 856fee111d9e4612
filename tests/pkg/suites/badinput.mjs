// Bad input: each rejects with a CloudApiError (or TypeError for wrong types) whose message
// says what is wrong, and the same DataCenter keeps working afterwards (no panic reachable).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { KEYS, STRANGER, dataCenter, keyLines, lib, sim } from "./lib/fixtures.mjs";
import { recorder } from "./lib/recorder.mjs";

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
      const { fetch, calls } = recorder();
      const dc = dataCenter({ fetch });
      await assert.rejects(dc.machine(5), TypeError);
      await assert.rejects(dc.machine(""), cloud("InvalidArgument", /empty/));
      await assert.rejects(dc.machines({ sate: "running" }), (e) => e instanceof TypeError && /sate/.test(e.message));
      await assert.rejects(dc.machines({ state: "deleted" }), cloud("InvalidArgument", /state/));
      await assert.rejects(dc.createMachine(), TypeError);
      await assert.rejects(dc.createMachine({ package: "x" }), cloud("InvalidArgument", /image/));
      await assert.rejects(dc.createMachine({ image: "x", package: "y", colour: "red" }), TypeError);
      await assert.rejects(dc.request("FETCH", "/x"), cloud("InvalidArgument", /method/));
      await assert.rejects(dc.request("GET", "no-slash"), cloud("InvalidArgument", /start with/));
      assert.equal(calls.length, 0, `sent: ${calls.map((c) => c.url)}`);
      assert.equal((await dc.account()).login, sim.account);
    });

    test("unknown option names are TypeErrors listing the valid ones; nothing is sent", async () => {
      const { fetch, calls } = recorder();
      const dc = dataCenter({ fetch });
      const lists = (name, valid) => (e) => e instanceof TypeError && e.message.includes(`"${name}"`) && valid.every((v) => e.message.includes(v));
      assert.throws(() => dc.eachMachine({ stat: "running" }), lists("stat", ["state", "name", "tags"]));
      await assert.rejects(dc.machinesEverywhere({ nmae: "x" }), lists("nmae", ["name", "state"]));
      await assert.rejects(dc.countMachines({ limit: 5 }), lists("limit", ["state"]));
      await assert.rejects(dc.images({ nam: "x" }), lists("nam", ["name", "os", "version"]));
      await assert.rejects(dc.createMachine({ image: "x", package: "y" }, { wiat: true }), lists("wiat", ["wait"]));
      await assert.rejects(dc.request("GET", "/x", { qurey: {} }), lists("qurey", ["query", "body", "headers"]));
      assert.throws(() => dataCenter({ concurency: 2 }), lists("concurency", ["concurrency", "timeout"]));
      assert.equal(calls.length, 0);
    });

    test("invalid UUIDs and empty names: InvalidArgument before any request", async () => {
      const { fetch, calls } = recorder();
      const dc = dataCenter({ fetch });
      await assert.rejects(dc.deleteImage("not-a-uuid"), cloud("InvalidArgument", /image id must be a UUID.*not-a-uuid/));
      await assert.rejects(dc.createMachine({ image: sim.store.seedImages.base.id, package: "sample-512M", networks: "4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7" }), cloud("InvalidArgument", /network.*UUID/));
      await assert.rejects(dc.countMachines({ image: "nope" }), cloud("InvalidArgument", /image/));
      for (const m of ["machine", "image", "package", "network"]) {
        await assert.rejects(dc[m](""), cloud("InvalidArgument", new RegExp(`${m} must be .*empty`)), m);
        await assert.rejects(dc[m]("   "), cloud("InvalidArgument", /empty/), m);
      }
      await assert.rejects(dc.addKey({ name: "", key: KEYS.openssh.publicKey }), (e) => e.name === "CloudApiError" || e instanceof TypeError);
      assert.equal(calls.length, 0, `sent: ${calls.map((c) => `${c.method} ${c.url}`)}`);
    });

    test("a metadata or tag value that is an object: rejected, no machine created", async () => {
      const { fetch, calls } = recorder();
      const dc = dataCenter({ fetch });
      const before = sim.store.machinesOf(sim.store.account).length;
      const base = { image: sim.store.seedImages.base.id, package: "sample-512M", name: "never-made" };
      await assert.rejects(dc.createMachine({ ...base, metadata: { a: { b: 1 } } }), cloud("InvalidArgument", /metadata\.a must be a string, number or boolean, got an object/));
      await assert.rejects(dc.createMachine({ ...base, tags: { t: [1] } }), cloud("InvalidArgument", /tags\.t/));
      await assert.rejects(dc.createMachine({ ...base, metadata: "x" }), (e) => /metadata/.test(e.message));
      assert.equal(calls.length, 0);
      assert.equal(sim.store.machinesOf(sim.store.account).length, before);
    });

    test("negative, zero and non-number timeouts and intervals are TypeErrors naming the option", async () => {
      assert.throws(() => dataCenter({ timeout: -1 }), /timeout must be a positive number of milliseconds/);
      assert.throws(() => dataCenter({ timeout: 0 }), /timeout/);
      const { fetch, calls } = recorder();
      const dc = dataCenter({ fetch });
      const opts = { image: sim.store.seedImages.base.id, package: "sample-512M" };
      await assert.rejects(dc.createMachine(opts, { wait: { timeout: -5 } }), (e) => e instanceof TypeError && /timeout.*-5/.test(e.message));
      await assert.rejects(dc.createMachine(opts, { wait: { interval: 0 } }), (e) => e instanceof TypeError && /interval/.test(e.message));
      await assert.rejects(dc.createMachine(opts, { wait: { timeout: "1s" } }), (e) => e instanceof TypeError && /timeout must be a number/.test(e.message));
      assert.equal(calls.length, 0);
    });
  });
}
