// What goes on the wire: the date header that is signed (browsers drop `Date`), the standard
// headers, paging past 1,000 machines, the raw request() escape hatch and sibling datacenters.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { OTHER_KEYS, dataCenter, recordingFetch, sim } from "./lib/fixtures.mjs";

/** The `headers="…"` list of an Authorization header. */
function signedList(auth) {
  const m = /(?:^|,)headers="([^"]*)"/.exec(auth.replace(/^Signature /, ""));
  return m ? m[1].split(" ") : [];
}

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`wire (${ENTRY})`, () => {
    test("x-date is sent and signed; Date is neither sent nor the only signed date", async () => {
      const { fetch, calls } = recordingFetch();
      const dc = dataCenter({ fetch });
      await dc.account();
      await dc.machines();
      assert.equal(calls.length, 2);
      for (const c of calls) {
        const names = Object.keys(c.headers).map((h) => h.toLowerCase());
        assert.ok(names.includes("x-date"), "no x-date header");
        assert.ok(!names.includes("date"), "a Date header was sent (browsers drop it)");
        assert.ok(!Number.isNaN(Date.parse(c.headers["x-date"])), "x-date is not a date");
        assert.ok(Math.abs(Date.parse(c.headers["x-date"]) - Date.now()) < 60_000);
        const signed = signedList(c.headers.authorization);
        assert.ok(signed.includes("x-date"), `x-date not signed: ${signed}`);
        assert.ok(!signed.includes("date"), `date signed: ${signed}`);
        assert.deepEqual(signed, ["(request-target)", "x-date"]);
        assert.match(
          c.headers.authorization,
          /^Signature keyId="\/[^"]+\/keys\/[0-9a-f:]{47}",algorithm="rsa-sha256",headers="\(request-target\) x-date",signature="[A-Za-z0-9+/]+=*"$/,
        );
        assert.equal(c.headers.accept, "application/json");
        assert.equal(c.headers["accept-version"], "~9||~8");
      }
    });

    test("ECDSA P-256/384/521, Ed25519 and an encrypted RSA key sign with both signers", async () => {
      const expected = { ecdsa256: "ecdsa-sha256", ecdsa384: "ecdsa-sha256", ecdsa521: "ecdsa-sha512", ed25519: "ed25519-sha512", rsa2048: "rsa-sha256" };
      for (const k of OTHER_KEYS) {
        for (const signer of ["webcrypto", "rust"]) {
          const { fetch, calls } = recordingFetch();
          const dc = dataCenter({ privateKey: k.privateKey, passphrase: k.passphrase, signer, fetch });
          const algorithm = expected[k.label.split("-")[0]];
          assert.equal(dc.algorithm, algorithm, k.label);
          assert.equal((await dc.account()).login, sim.account, `${k.label} ${signer}`);
          assert.equal(dc.signer, signer);
          assert.ok(calls[0].headers.authorization.includes(`algorithm="${algorithm}"`));
        }
      }
    });

    test("works through a browser-like fetch that drops Date (signature verified on x-date)", async () => {
      const browserLike = (init) => {
        const headers = Object.fromEntries(Object.entries(init.headers).filter(([k]) => k.toLowerCase() !== "date"));
        return { ...init, headers };
      };
      const { fetch } = recordingFetch(browserLike);
      const dc = dataCenter({ fetch });
      assert.equal((await dc.account()).login, sim.account);
    });

    test("the server's clock-skew check reads our x-date (no Date is sent to fall back on)", async () => {
      const dc = dataCenter({ retries: 0 }); // no clock-skew recovery: see the rejection itself
      await sim.admin("/__sim/clock", { skew: 3600 });
      try {
        await assert.rejects(dc.account(), (e) => {
          assert.equal(e.name, "CloudApiError");
          // CloudAPI answers an expired signature with 400 (its parser's error), else 401.
          assert.ok([400, 401].includes(e.statusCode), `status ${e.statusCode}: ${e.message}`);
          assert.match(e.message, /skew/i);
          return true;
        });
      } finally {
        await sim.admin("/__sim/clock", { skew: 0 });
      }
      assert.equal((await dc.account()).login, sim.account, "the instance is unusable after a 401");
    });

    test("machines() reads every page past 1,000 (offset/limit, stops on a short page)", { timeout: 60_000 }, async () => {
      const before = (await dataCenter().machines()).length;
      await sim.admin("/__sim/machines/bulk", { count: 2100, namePrefix: "bulk-" });
      const { fetch, calls } = recordingFetch();
      const all = await dataCenter({ fetch }).machines();
      assert.equal(all.length, before + 2100);
      assert.equal(new Set(all.map((m) => m.id)).size, all.length, "duplicates across pages");
      const offsets = calls.map((c) => new URL(c.url).searchParams.get("offset"));
      assert.deepEqual(offsets.slice(0, 3), ["0", "1000", "2000"]);
      assert.ok(calls.every((c) => new URL(c.url).searchParams.get("limit") === "1000"));
    });

    test("request() returns status, headers and parsed body; non-2xx rejects", async () => {
      const dc = dataCenter();
      const r = await dc.request("GET", `/${sim.account}/machines`, { query: { limit: 1 } });
      assert.equal(r.status, 200);
      assert.ok(Array.isArray(r.body));
      assert.ok(r.body.length <= 1);
      assert.equal(typeof r.headers["content-type"], "string");
      await assert.rejects(dc.request("GET", `/${sim.account}/machines/00000000-0000-4000-8000-000000000000`), (e) => {
        assert.equal(e.name, "CloudApiError");
        assert.equal(e.statusCode, 404);
        assert.equal(e.code, "ResourceNotFound");
        assert.ok(e.requestId, "no requestId");
        return true;
      });
    });

    test("datacenter(name) gives a sibling with the same credentials; unknown names list the known ones", async () => {
      const dc = dataCenter();
      const map = await dc.datacenters();
      const [name, url] = Object.entries(map)[0];
      const sibling = await dc.datacenter(name);
      assert.equal(sibling.url, url.replace(/\/+$/, ""));
      assert.equal(sibling.keyId, dc.keyId);
      await assert.rejects(dc.datacenter("no-such-dc"), (e) => e.code === "ResourceNotFound" && e.message.includes(name));
    });

    test("the seed's option names are accepted (dataset for image, boot_script), typos are not", async () => {
      const dc = dataCenter();
      const [image] = await dc.images();
      const [pkg] = await dc.packages();
      const m = await dc.createMachine({ name: "seed-names", dataset: image.id, package: pkg.name, boot_script: "echo seed" });
      assert.equal(m.image, image.id);
      assert.equal(m.bootScript, "echo seed");
      assert.ok((await dc.machines({ dataset: image.id })).some((x) => x.id === m.id));
      await assert.rejects(dc.createMachine({ image: image.id, package: pkg.name, bootscript: "x" }), (e) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, /unknown option "bootscript"; valid options are .*bootScript/);
        return true;
      });
      await m.delete();
    });

    test("headers option is copied: later changes and other instances are unaffected", async () => {
      const headers = { "x-team": "a" };
      const one = recordingFetch();
      const two = recordingFetch();
      const a = dataCenter({ fetch: one.fetch, headers });
      headers["x-team"] = "b";
      const b = dataCenter({ fetch: two.fetch });
      await a.account();
      await b.account();
      assert.equal(one.calls[0].headers["x-team"], "a");
      assert.equal(two.calls[0].headers["x-team"], undefined);
    });
  });
}
