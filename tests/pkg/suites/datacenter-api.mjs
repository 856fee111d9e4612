// DataCenter seed-parity rows (account update, keys, countMachines, networks, deleteImage,
// local search) and the transport policy (retries, createMachine never provisioning twice,
// clock-skew recovery, per-instance headers), each checked on the wire and in the
// simulator's store. Runs on an account of its own so machine counts are exact.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { KEYS, OTHER_KEYS, dataCenter, sim } from "./lib/fixtures.mjs";
import { recorder } from "./lib/recorder.mjs";

const cloud = (code, status) => (e) => {
  assert.equal(e.name, "CloudApiError", e.message);
  assert.equal(e.code, code, e.message);
  if (status !== undefined) assert.equal(e.statusCode, status, e.message);
  return true;
};

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`datacenter-api (${ENTRY})`, () => {
    const login = `dcapi${ENTRY === "import" ? "esm" : "cjs"}${crypto.randomBytes(3).toString("hex")}`;
    let acct;
    const dc = (options = {}) => dataCenter({ account: login, ...options });
    const fault = (f) => sim.admin("/__sim/faults", { count: 1, ...f });
    const mine = () => sim.store.machinesOf(acct);

    before(async () => {
      await sim.admin("/__sim/accounts", { login, keys: [KEYS.openssh.publicKey] });
      acct = sim.store.accountByLogin(login);
    });
    after(async () => {
      await sim.admin("/__sim/faults", undefined, "DELETE");
      await sim.admin("/__sim/clock", { skew: 0 });
    });

    test("updateAccount sends the changed fields and resolves with the account", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const a = await d.updateAccount({ firstName: "Ada", company_name: "Engines Ltd" });
      assert.equal(a.login, login);
      assert.equal(a.firstName, "Ada");
      assert.equal(calls[0].method, "POST");
      assert.equal(calls[0].url.pathname, `/${login}`);
      assert.deepEqual(JSON.parse(calls[0].body), { companyName: "Engines Ltd", firstName: "Ada" });
      assert.equal((await d.account()).companyName, "Engines Ltd");
      await assert.rejects(d.updateAccount({ nickname: "x" }), (e) => e instanceof TypeError && /nickname/.test(e.message) && /firstName/.test(e.message));
      await assert.rejects(d.updateAccount({}), cloud("InvalidArgument"));
      assert.equal(calls.length, 2, "a rejected argument sent a request");
    });

    test("keys, key, addKey, deleteKey (wire and store)", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const list = await d.keys();
      assert.deepEqual(list.map((k) => k.fingerprint), [KEYS.openssh.md5]);
      assert.equal((await d.key(KEYS.openssh.md5)).fingerprint, KEYS.openssh.md5);
      const extra = OTHER_KEYS[3];
      const added = await d.addKey({ name: "extra-key", key: extra.publicKey });
      assert.equal(added.name, "extra-key");
      assert.equal(added.fingerprint, extra.md5);
      const post = calls.find((c) => c.method === "POST");
      assert.equal(post.url.pathname, `/${login}/keys`);
      assert.deepEqual(JSON.parse(post.body), { name: "extra-key", key: extra.publicKey });
      assert.equal(acct.keys.length, 2);
      assert.equal((await d.key({ name: "extra-key" })).fingerprint, extra.md5);
      const found = await d.keys({ search: /^extra-/ });
      assert.deepEqual(found.map((k) => k.name), ["extra-key"]);
      assert.equal((await d.keys({ search: "nomatch-zzz" })).length, 0);
      assert.ok(calls.filter((c) => c.url.pathname.endsWith("/keys")).every((c) => c.url.search === ""), "search reached the wire");
      assert.equal(await d.deleteKey("extra-key"), undefined);
      const del = calls.find((c) => c.method === "DELETE");
      assert.equal(del.url.pathname, `/${login}/keys/extra-key`);
      assert.equal(acct.keys.length, 1);
      await assert.rejects(d.key("extra-key"), cloud("ResourceNotFound", 404));
      await assert.rejects(d.addKey({ name: "x" }), TypeError);
      await assert.rejects(d.keys({ colour: 1 }), (e) => e instanceof TypeError && /search, fields/.test(e.message));
    });

    test("countMachines sends its filters on HEAD and counts past one page", async () => {
      await sim.admin("/__sim/machines/bulk", { count: 1203, login, namePrefix: "cnt-run-" });
      await sim.admin("/__sim/machines/bulk", { count: 7, login, namePrefix: "cnt-stop-", state: "stopped" });
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      assert.equal(await d.countMachines(), 1210);
      assert.deepEqual(calls.map((c) => [c.method, c.url.searchParams.get("limit"), c.url.searchParams.get("offset")]), [["HEAD", "1000", "0"], ["HEAD", "1000", "1000"]]);
      calls.length = 0;
      assert.equal(await d.countMachines({ state: "stopped" }), 7);
      assert.equal(calls.length, 1);
      assert.equal(calls[0].method, "HEAD");
      assert.equal(calls[0].url.pathname, `/${login}/machines`);
      assert.equal(calls[0].url.searchParams.get("state"), "stopped");
      calls.length = 0;
      assert.equal(await d.countMachines({ name: "cnt-run-5" }), 1);
      assert.equal(calls[0].url.searchParams.get("name"), "cnt-run-5");
      assert.equal(await d.countMachines({ state: "stopped", memory: 99999 }), 0);
      await assert.rejects(d.countMachines({ search: "x" }), TypeError);
    });

    test("machines: local search after the server-side filters, which alone go on the wire", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const ms = await d.machines({ state: "stopped", search: /-[0-2]$/ });
      assert.deepEqual(ms.map((m) => m.name).sort(), ["cnt-stop-0", "cnt-stop-1", "cnt-stop-2"]);
      assert.equal(calls[0].url.searchParams.get("state"), "stopped");
      assert.ok(!calls[0].url.searchParams.has("search") && !calls[0].url.searchParams.has("fields"));
      const byId = await d.machines({ state: "stopped", search: mine().find((m) => m.alias === "cnt-stop-4").id, fields: ["id"] });
      assert.deepEqual(byId.map((m) => m.name), ["cnt-stop-4"]);
      const g = /cnt-stop-/g; // a global RegExp must not skip matches through lastIndex
      assert.equal((await d.machines({ state: "stopped", search: g })).length, 7);
      await assert.rejects(d.machines({ search: "(" }), (e) => e instanceof TypeError && /regular expression/.test(e.message));
      await assert.rejects(d.machines({ fields: ["name"] }), TypeError);
      await assert.rejects(d.machines({ search: "x", fields: "name" }), TypeError);
    });

    test("images, packages, datasets: local search", async () => {
      const d = dc();
      const imgs = await d.images({ os: "smartos", search: "^base-64" });
      assert.ok(imgs.length >= 2 && imgs.every((i) => i.name === "base-64-lts"), JSON.stringify(imgs.map((i) => i.name)));
      const pk = await d.packages({ search: /^sample-\d+G$/i });
      assert.ok(pk.length >= 4 && pk.every((p) => /^sample-\d+G$/i.test(p.name)), JSON.stringify(pk.map((p) => p.name)));
      assert.ok(!pk.some((p) => p.name === "sample-512M"));
      const ds = await d.datasets({ search: "sdc:sdc:base64", fields: ["urn"] });
      assert.deepEqual(ds.map((i) => i.name), ["base64"]);
    });

    test("networks(opts) and network(id)", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const all = await d.networks();
      assert.ok(all.some((n) => n.name === "Joyent-SDC-Public"));
      const fabric = await d.networks({ fabric: true });
      assert.equal(calls[1].url.searchParams.get("fabric"), "true");
      assert.ok(fabric.every((n) => n.fabric === true));
      const pub = await d.networks({ search: "public", fields: ["name"] });
      assert.equal(pub.length, 0, "search is case-sensitive unless the RegExp says otherwise");
      const pubI = await d.networks({ search: /^joyent-sdc-public$/i, fields: ["name"] });
      assert.deepEqual(pubI.map((n) => n.name), ["Joyent-SDC-Public"]);
      const one = await d.network(pubI[0].id);
      assert.equal(one.id, pubI[0].id);
      assert.equal(calls.at(-1).url.pathname, `/${login}/networks/${pubI[0].id}`);
      assert.equal((await d.network(pubI[0])).id, pubI[0].id);
      // A name that is no UUID is looked up by name (ListNetworks), not refused.
      await assert.rejects(d.network("nope"), cloud("ResourceNotFound"));
      const before = calls.length;
      await assert.rejects(d.network(""), cloud("InvalidArgument"));
      await assert.rejects(d.networks({ fabric: "yes" }), TypeError);
      assert.equal(calls.length, before, "bad input was sent");
    });

    test("deleteImage deletes the account's own image", async () => {
      const id = crypto.randomUUID();
      sim.store.images.set(id, { id, name: "mine", version: "1.0.0", os: "smartos", type: "zone-dataset", owner: acct.id, public: false, state: "active", files: [], requirements: {}, published_at: new Date().toISOString() });
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      assert.equal((await d.image(id)).name, "mine");
      assert.equal(await d.deleteImage(id), undefined);
      assert.equal(calls[1].method, "DELETE");
      assert.equal(calls[1].url.pathname, `/${login}/images/${id}`);
      assert.equal(sim.store.images.has(id), false);
      await assert.rejects(d.image(id), cloud("ResourceNotFound", 404));
    });

    test("a 503 then success: one logical call succeeds after one retry", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      await fault({ method: "GET", path: `^/${login}$`, kind: "status", status: 503, body: { code: "ServiceUnavailableError", message: "busy" } });
      assert.equal((await d.account()).login, login);
      assert.deepEqual(calls.map((c) => c.status), [503, 200]);
    });

    test("a 429 from CloudAPI's throttle is retried with backoff", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      await sim.admin("/__sim/throttle", { enabled: true, burst: 1, rate: 1 });
      try {
        await d.account();
        const t0 = Date.now();
        assert.equal((await d.account()).login, login);
        assert.ok(calls.some((c) => c.status === 429), `no 429 seen: ${calls.map((c) => c.status)}`);
        assert.equal(calls.at(-1).status, 200);
        assert.ok(Date.now() - t0 >= 400, "retried without backing off");
      } finally {
        await sim.admin("/__sim/throttle", { enabled: false });
      }
    });

    test("retries: 0 surfaces the 503; a 500 on a GET is raised, not retried", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch, retries: 0 });
      await fault({ method: "GET", path: `^/${login}$`, kind: "status", status: 503, body: { code: "ServiceUnavailableError", message: "busy" } });
      await assert.rejects(d.account(), cloud("ServiceUnavailableError", 503));
      assert.equal(calls.length, 1);
      const { fetch: f2, calls: c2 } = recorder();
      await fault({ method: "GET", path: `^/${login}$`, kind: "status", status: 500, body: { code: "InternalError", message: "boom" } });
      await assert.rejects(dc({ fetch: f2 }).account(), cloud("InternalError", 500));
      assert.equal(c2.length, 1, "a 500 was retried");
    });

    test("a non-idempotent POST (addKey) is never retried", async () => {
      const { fetch, calls } = recorder();
      await fault({ method: "POST", path: `^/${login}/keys$`, kind: "status", status: 503, body: { code: "ServiceUnavailableError", message: "busy" } });
      await assert.rejects(dc({ fetch }).addKey({ name: "never", key: OTHER_KEYS[2].publicKey }), cloud("ServiceUnavailableError", 503));
      assert.equal(calls.length, 1);
      assert.equal(acct.keys.length, 1);
    });

    test("createMachine with a dropped connection: exactly one machine afterwards", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const n0 = mine().length;
      await fault({ method: "POST", path: `^/${login}/machines`, kind: "drop" });
      const m = await d.createMachine({ image: sim.store.seedImages.base.id, package: "sample-512M" });
      assert.match(m.name, /^[0-9a-f]{8}$/);
      assert.equal(mine().length, n0 + 1);
      assert.equal(mine().filter((x) => x.alias === m.name).length, 1);
      const posts = calls.filter((c) => c.method === "POST");
      assert.equal(posts.length, 2, "the POST after the lookup");
      assert.equal(JSON.parse(posts[0].body).name, m.name, "the generated name was not sent");
      const lookup = calls.find((c) => c.method === "GET" && c.url.searchParams.get("name") === m.name);
      assert.ok(lookup && calls.indexOf(lookup) < calls.indexOf(posts[1]), "no lookup by name before re-sending");
    });

    test("createMachine whose answer is lost after the machine was made: found, not made twice", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const n0 = mine().length;
      await fault({ method: "POST", path: `^/${login}/machines`, kind: "truncate" });
      const m = await d.createMachine({ name: "lost-answer", image: sim.store.seedImages.base.id, package: "sample-512M" });
      assert.equal(m.name, "lost-answer");
      assert.equal(mine().length, n0 + 1);
      assert.equal(calls.filter((c) => c.method === "POST").length, 1, "the POST was sent again");
      // A name the caller already used is a plain 409, never "found" as if just created.
      await assert.rejects(d.createMachine({ name: "lost-answer", image: sim.store.seedImages.base.id, package: "sample-512M" }), (e) => e.statusCode === 409);
      assert.equal(mine().length, n0 + 1);
    });

    test("the headers option of one DataCenter never reaches another's requests", async () => {
      const a = recorder();
      const b = recorder();
      const c = recorder();
      const headers = { "x-team": "alpha" };
      const dA = dc({ fetch: a.fetch, headers });
      headers["x-team"] = "mutated";
      headers["x-later"] = "1";
      const dB = dc({ fetch: b.fetch });
      const dC = dc({ fetch: c.fetch, headers: { "X-Team": "gamma" } });
      await Promise.all([dA.account(), dB.account(), dC.account(), dA.keys(), dB.networks()]);
      assert.ok(a.calls.every((x) => x.headers["x-team"] === "alpha" && !("x-later" in x.headers)));
      assert.ok(b.calls.every((x) => !Object.keys(x.headers).some((k) => k.toLowerCase() === "x-team")));
      assert.ok(c.calls.every((x) => x.headers["x-team"] === "gamma"));
      assert.equal(b.calls.length, 2);
    });

    test("clock skew beyond 300 s: one re-sign with the server's Date, remembered", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      await sim.admin("/__sim/clock", { skew: 3600 });
      try {
        assert.equal((await d.account()).login, login);
        assert.equal(calls.length, 2);
        assert.equal(calls[0].status, 400);
        const sent = Date.parse(calls[1].headers["x-date"]);
        assert.ok(Math.abs(sent - (Date.now() + 3600_000)) < 30_000, `x-date ${calls[1].headers["x-date"]}`);
        await d.keys();
        assert.equal(calls.length, 3, "the offset was not kept");
        assert.equal(calls[2].status, 200);
      } finally {
        await sim.admin("/__sim/clock", { skew: 0 });
      }
      assert.equal((await d.account()).login, login, "no recovery once the server clock is back");
    });

    test("retries option: validated, listed among the valid options", () => {
      assert.throws(() => dc({ retries: -1 }), (e) => e instanceof TypeError && /retries/.test(e.message));
      assert.throws(() => dc({ retries: 1.5 }), TypeError);
      assert.throws(() => dc({ retries: "3" }), TypeError);
      assert.throws(() => dc({ retrys: 2 }), (e) => e instanceof TypeError && /retries/.test(e.message) && /timeout/.test(e.message));
      assert.ok(dc({ retries: 0 }));
    });
  });
}
