// transport: "presigned": every bodyless call goes out as a CloudAPI pre-signed URL (no
// authorization or x-date header, 60 s expiry) and is verified by the simulator; calls with a
// body reject with NotSupportedInPresignedMode before anything is sent; a URL CloudAPI finds
// expired is re-signed once with the server's clock, else a plain PresignedUrlRejected error.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { dataCenter, recordingFetch, sim } from "./lib/fixtures.mjs";

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`presigned mode (${ENTRY})`, () => {
    test("reads go out pre-signed with only accept and accept-version, and decode as usual", async () => {
      const { fetch, calls } = recordingFetch();
      const dc = dataCenter({ transport: "presigned", fetch });
      const account = await dc.account();
      const viaHeaders = await dataCenter().machines({ state: "running" });
      const machines = await dc.machines({ state: "running" });
      assert.equal(account.login, sim.account);
      assert.deepEqual(machines.map((m) => m.id), viaHeaders.map((m) => m.id));
      assert.equal(calls.length, 2);
      for (const c of calls) {
        assert.equal(c.method, "GET");
        assert.deepEqual(Object.keys(c.headers).sort(), ["accept", "accept-version"]);
        const u = new URL(c.url);
        assert.equal(u.searchParams.get("method"), "GET");
        assert.equal(u.searchParams.get("algorithm"), "rsa-sha256");
        assert.match(u.searchParams.get("keyId"), new RegExp(`^/${sim.account}/keys/[0-9a-f:]{47}$`));
        assert.match(u.searchParams.get("signature"), /^[A-Za-z0-9+/]+=*$/);
        const ttl = Number(u.searchParams.get("expires")) - Date.now() / 1000;
        assert.ok(ttl > 55 && ttl <= 60, `expiry in ${ttl} s`);
      }
      assert.equal(new URL(calls[1].url).searchParams.get("state"), "running", "the call's own query is signed along");
    });

    test("machine actions are POST ?action=… pre-signed for POST, with no body", async () => {
      const [image] = await dataCenter().images();
      const [pkg] = await dataCenter().packages();
      const created = await dataCenter().createMachine({ name: "presigned-mode", image: image.id, package: pkg.name });
      const { fetch, calls } = recordingFetch();
      const m = await dataCenter({ transport: "presigned", fetch }).machine(created.id);
      await m.pollUntil("running", { interval: 20 });
      const before = calls.length;
      await m.stop();
      const stop = calls[before];
      assert.equal(stop.method, "POST");
      const u = new URL(stop.url);
      assert.equal(u.pathname, `/${sim.account}/machines/${created.id}`);
      assert.equal(u.searchParams.get("action"), "stop");
      assert.equal(u.searchParams.get("method"), "POST");
      assert.deepEqual(Object.keys(stop.headers).sort(), ["accept", "accept-version"]);
      await m.pollUntil("stopped", { interval: 20 });
      assert.equal((await dataCenter().machine(created.id)).state, "stopped");
    });

    test("a call with a body rejects with NotSupportedInPresignedMode and sends nothing", async () => {
      const { fetch, calls } = recordingFetch();
      const dc = dataCenter({ transport: "presigned", fetch });
      for (const call of [
        () => dc.updateAccount({ companyName: "x" }),
        () => dc.addKey({ name: "k", key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGTVa0JLA0lv3LDmmOs8CdV5TNZTAyM4yM2ezq1m0FfV x" }),
        () => dc.request("POST", `/${sim.account}/machines`, { body: { name: "x" } }),
      ]) {
        const e = await call().then(() => assert.fail("resolved"), (x) => x);
        assert.ok(e instanceof Error);
        assert.equal(e.name, "CloudApiError");
        assert.equal(e.code, "NotSupportedInPresignedMode");
        assert.match(e.message, /sends a JSON body, which a pre-signed URL cannot cover .* transport "headers"/);
        assert.equal(e.statusCode, undefined);
      }
      assert.equal(calls.length, 0);
      const raw = await dc.request("GET", `/${sim.account}/machines`, { query: { limit: 1 } });
      assert.equal(raw.status, 200, "the raw escape hatch works for bodyless calls");
    });

    test("the transport option: \"headers\" is the default; anything else is a TypeError", async () => {
      const { fetch, calls } = recordingFetch();
      await dataCenter({ transport: "headers", fetch }).account();
      assert.match(calls[0].headers.authorization, /^Signature keyId=/);
      for (const bad of ["query", "Presigned", 1, true]) {
        assert.throws(() => dataCenter({ transport: bad }), (e) => e instanceof TypeError && /transport must be one of "headers", "presigned", got /.test(e.message));
      }
    });

    test("a URL CloudAPI finds expired (its clock 10 minutes ahead) is a plain PresignedUrlRejected error with retries: 0", async () => {
      const dc = dataCenter({ transport: "presigned", retries: 0 });
      await sim.admin("/__sim/clock", { skew: 600 });
      let e;
      try {
        e = await dc.account().then(() => assert.fail("resolved"), (x) => x);
      } finally {
        await sim.admin("/__sim/clock", { skew: 0 });
      }
      assert.equal(e.name, "CloudApiError");
      assert.equal(e.code, "PresignedUrlRejected");
      assert.equal(e.statusCode, 500);
      assert.deepEqual(e.body, { message: "request expired" });
      assert.match(e.requestId, /^[0-9a-f-]{36}$/);
      assert.match(e.message, new RegExp(`^CloudAPI refused the pre-signed URL of GET /${sim.account}: request expired; the URL was signed to expire at .* GMT by this computer's clock`));
      assert.equal((await dc.account()).login, sim.account, "the next call works");
    });

    test("by default an expired URL is re-signed once with the offset CloudAPI's Date shows, and the offset is kept", async () => {
      const { fetch, calls } = recordingFetch();
      const dc = dataCenter({ transport: "presigned", fetch });
      await sim.admin("/__sim/clock", { skew: 600 });
      try {
        assert.equal((await dc.account()).login, sim.account);
        assert.equal((await dc.account()).login, sim.account);
      } finally {
        await sim.admin("/__sim/clock", { skew: 0 });
      }
      const ttl = calls.map((c) => Math.round(Number(new URL(c.url).searchParams.get("expires")) - Date.now() / 1000));
      assert.equal(calls.length, 3, "one refused URL, then one per call");
      assert.ok(ttl[0] <= 60 && ttl[1] > 600 && ttl[2] > 600, `expiries ${ttl}`);
    });
  });
}
