// dc.presign(): CloudAPI's query-string signature, accepted by the simulator for the signed
// methods until it expires; an expired URL, a tampered one or another method is refused.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { KEYS, OTHER_KEYS, dataCenter, sim } from "./lib/fixtures.mjs";
import { cloud } from "./lib/keytools.mjs";

const get = (url, method = "GET") => fetch(url, { method, headers: { accept: "application/json" } });

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`presign (${ENTRY})`, () => {
    test("a GET URL is accepted without any header signature, for each key type", async () => {
      for (const k of [KEYS.openssh, ...OTHER_KEYS.filter((x) => !x.passphrase)]) {
        const dc = dataCenter({ privateKey: k.privateKey });
        const url = await dc.presign("GET", `/${sim.account}`);
        const u = new URL(url);
        assert.equal(u.origin, new URL(sim.url).origin);
        assert.equal(u.searchParams.get("keyId"), `/${sim.account}/keys/${k.md5}`);
        assert.equal(u.searchParams.get("algorithm"), dc.algorithm);
        const exp = Number(u.searchParams.get("expires"));
        assert.ok(Math.abs(exp - (Date.now() / 1000 + 300)) < 5, `default expiry ${exp}`);
        const res = await get(url);
        assert.equal(res.status, 200, `${k.label}: ${await res.clone().text()}`);
        assert.equal((await res.json()).login, sim.account);
      }
    });

    test("several methods, extra query parameters and a Date expiry", async () => {
      const dc = dataCenter();
      const url = await dc.presign(["head", "GET"], `/${sim.account}/machines`, { expires: new Date(Date.now() + 60_000), query: { limit: 5, "tag.role": "web (x)" } });
      assert.equal(new URL(url).searchParams.get("method"), "HEAD,GET");
      const res = await get(url);
      assert.equal(res.status, 200, await res.clone().text());
      assert.ok(Array.isArray(await res.json()));
      assert.equal((await get(url, "HEAD")).status, 200);
      const other = await get(url, "DELETE");
      assert.notEqual(other.status, 200);
    });

    test("an expired URL and a tampered one are refused", async () => {
      const dc = dataCenter();
      const expired = await dc.presign("GET", `/${sim.account}`, { expires: Math.floor(Date.now() / 1000) - 10 });
      const res = await get(expired);
      assert.equal(res.status, 500);
      assert.equal((await res.json()).message, "request expired");
      const good = await dc.presign("GET", `/${sim.account}/machines`);
      const tampered = good.replace("/machines", "/keys");
      assert.equal((await get(tampered)).status, 401);
    });

    test("bad arguments", async () => {
      const dc = dataCenter();
      await assert.rejects(dc.presign("GET", "my"), TypeError);
      await assert.rejects(dc.presign("GET", "/my?x=1"), /options\.query/);
      await assert.rejects(dc.presign("FETCH", "/my"), cloud("InvalidArgument"));
      await assert.rejects(dc.presign([], "/my"), TypeError);
      await assert.rejects(dc.presign("GET", "/my", { expires: "soon" }), TypeError);
      await assert.rejects(dc.presign("GET", "/my", { query: { keyId: "x" } }), /set by presign/);
    });
  });
}
