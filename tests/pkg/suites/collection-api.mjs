// Collections (issue 4): eachMachine as an async iterator over ListMachines pages, machines()
// collecting through it, name resolution for machine/image/package/network, the per-DataCenter
// concurrency limit, the machinesEverywhere fan-out over two simulators, and createMachine's
// { wait }. Runs on an account of its own with 2,500 machines, so counts are exact.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startSimulator } from "../../sim/index.mjs";
import { ENTRY } from "../load.mjs";
import { ADMIN_TOKEN, KEYS, dataCenter, sim } from "./lib/fixtures.mjs";
import { recorder } from "./lib/recorder.mjs";

const cloud = (code, re) => (e) => {
  assert.equal(e.name, "CloudApiError", `${e.name}: ${e.message}`);
  assert.equal(e.code, code, e.message);
  if (re) assert.match(e.message, re);
  return true;
};

/** [offset, limit] of each ListMachines call. */
const pages = (calls) =>
  calls.filter((c) => c.method === "GET" && c.url.pathname.endsWith("/machines")).map((c) => [c.url.searchParams.get("offset"), c.url.searchParams.get("limit")]);

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`collection-api (${ENTRY})`, () => {
    const login = `coll${ENTRY === "import" ? "esm" : "cjs"}${crypto.randomBytes(3).toString("hex")}`;
    let acct;
    const dc = (options = {}) => dataCenter({ account: login, ...options });
    const mine = () => sim.store.machinesOf(acct);

    before(async () => {
      await sim.admin("/__sim/accounts", { login, keys: [KEYS.openssh.publicKey] });
      acct = sim.store.accountByLogin(login);
      await sim.admin("/__sim/machines/bulk", { count: 2500, login, namePrefix: "page-" });
    });
    after(async () => {
      await sim.admin("/__sim/faults", undefined, "DELETE");
    });

    test("machines() collects 2,500 machines over three pages of 1,000", async () => {
      const { fetch, calls } = recorder();
      const list = await dc({ fetch }).machines();
      assert.equal(list.length, 2500);
      assert.equal(new Set(list.map((m) => m.id)).size, 2500);
      assert.deepEqual(new Set(list.map((m) => m.id)), new Set(mine().map((m) => m.id)));
      assert.deepEqual(pages(calls), [["0", "1000"], ["1000", "1000"], ["2000", "1000"]]);
      assert.ok(calls.every((c) => c.url.pathname === `/${login}/machines`));
    });

    test("for await over eachMachine yields the same machines, in the server's order", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const seen = [];
      for await (const m of d.eachMachine()) {
        assert.equal(typeof m.pollUntil, "function", "not a Machine");
        seen.push(m.id);
      }
      assert.equal(seen.length, 2500);
      const collected = (await d.machines()).map((m) => m.id);
      assert.deepEqual(seen, collected);
      assert.deepEqual(pages(calls).slice(0, 3), [["0", "1000"], ["1000", "1000"], ["2000", "1000"]]);
    });

    test("break stops without fetching further pages", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      let n = 0;
      for await (const m of d.eachMachine()) {
        assert.ok(m.id);
        if (++n === 3) break;
      }
      assert.deepEqual(pages(calls), [["0", "1000"]], "a page was fetched that nobody asked for");
      n = 0;
      for await (const _ of d.eachMachine()) if (++n === 1000) break;
      assert.equal(pages(calls).length, 2, "using up a page must not prefetch the next");
      n = 0;
      for await (const _ of d.eachMachine()) if (++n === 1001) break;
      assert.deepEqual(pages(calls).slice(2), [["0", "1000"], ["1000", "1000"]]);
      // After return(), next() is done and sends nothing.
      const it = d.eachMachine()[Symbol.asyncIterator]();
      assert.equal((await it.next()).done, false);
      assert.deepEqual(await it.return(), { value: undefined, done: true });
      const before = calls.length;
      assert.deepEqual(await it.next(), { value: undefined, done: true });
      assert.equal(calls.length, before);
    });

    test("overlapping next() calls are served in order; filters and search apply per page", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const it = d.eachMachine({ state: "running", search: /^page-1\d\d\d$/ });
      const [a, b] = await Promise.all([it.next(), it.next()]);
      assert.notEqual(a.value.id, b.value.id);
      assert.ok(/^page-1\d\d\d$/.test(a.value.name) && /^page-1\d\d\d$/.test(b.value.name));
      assert.equal(calls[0].url.searchParams.get("state"), "running");
      assert.ok(!calls[0].url.searchParams.has("search"));
      let count = 2;
      for await (const m of it) {
        assert.match(m.name, /^page-1\d\d\d$/);
        count++;
      }
      assert.equal(count, 1000);
      assert.throws(() => d.eachMachine({ colour: "red" }), (e) => e instanceof TypeError && /colour/.test(e.message) && /state/.test(e.message));
    });

    test("a 503 on the second page: retried once, the iteration completes", async () => {
      const { fetch, calls } = recorder();
      await sim.admin("/__sim/faults", { method: "GET", path: `^/${login}/machines\\?.*offset=1000`, kind: "status", status: 503, body: { code: "ServiceUnavailableError", message: "busy" } });
      let n = 0;
      for await (const _ of dc({ fetch }).eachMachine()) n++;
      assert.equal(n, 2500);
      assert.deepEqual(calls.map((c) => [c.url.searchParams.get("offset"), c.status]), [["0", 200], ["1000", 503], ["1000", 200], ["2000", 200]]);
    });

    test("machine(): UUID, Machine object, name, short id; ambiguity lists the candidates", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const target = mine().find((m) => m.alias === "page-42");
      let m = await d.machine("page-42");
      assert.equal(m.id, target.id);
      assert.equal(calls[0].url.searchParams.get("name"), "page-42");
      calls.length = 0;
      assert.equal((await d.machine(target.id)).name, "page-42");
      assert.deepEqual(calls.map((c) => c.url.pathname), [`/${login}/machines/${target.id}`]);
      assert.equal((await d.machine(m)).id, target.id);
      // A short id (first 8 hex digits) needs the whole list.
      const short = target.id.slice(0, 8);
      const clash = mine().filter((x) => x.id.startsWith(short));
      if (clash.length === 1) assert.equal((await d.machine(short)).id, target.id);
      // Two machines with one name.
      const [x, y] = mine().filter((r) => /^page-7\d$/.test(r.alias));
      x.alias = "twin";
      y.alias = "twin";
      try {
        await assert.rejects(d.machine("twin"), (e) => {
          cloud("AmbiguousName")(e);
          assert.ok(e.message.includes(x.id) && e.message.includes(y.id), e.message);
          assert.deepEqual(e.body.candidates.map((c) => c.id).sort(), [x.id, y.id].sort());
          assert.deepEqual(e.body.candidates.map((c) => c.name), ["twin", "twin"]);
          return true;
        });
      } finally {
        x.alias = "page-70x";
        y.alias = "page-71x";
      }
      await assert.rejects(d.machine("no-such-machine"), cloud("ResourceNotFound", /no-such-machine/));
    });

    test("image(): name → the latest version, name@version, short id, UUID; ambiguous short id", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const latest = await d.image("base-64-lts");
      assert.equal(latest.version, "24.4.0");
      assert.equal(calls[0].url.pathname, `/${login}/images`);
      assert.equal(calls[0].url.searchParams.get("name"), "base-64-lts");
      const old = await d.image("base-64-lts@23.4.0");
      assert.equal(old.version, "23.4.0");
      assert.equal((await d.image(latest.id.slice(0, 8))).id, latest.id);
      assert.equal((await d.image(latest.id)).id, latest.id);
      assert.equal(calls.at(-1).url.pathname, `/${login}/images/${latest.id}`);
      await assert.rejects(d.image("base-64-lts@1.0.0"), cloud("ResourceNotFound", /1\.0\.0/));
      const ids = ["abcdef01-0000-4000-8000-000000000001", "abcdef01-0000-4000-8000-000000000002"];
      for (const [i, id] of ids.entries()) {
        sim.store.images.set(id, { id, name: `short-clash-${i}`, version: "1.0.0", os: "smartos", type: "zone-dataset", owner: acct.id, public: false, state: "active", files: [], requirements: {}, published_at: new Date().toISOString() });
      }
      try {
        await assert.rejects(d.image("abcdef01"), (e) => cloud("AmbiguousName", /short-clash-0/)(e) && e.message.includes(ids[1]));
      } finally {
        for (const id of ids) sim.store.images.delete(id);
      }
    });

    test("package() and network(): name, short id, UUID; duplicates are AmbiguousName", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const p = await d.package("sample-1G");
      assert.equal(p.name, "sample-1G");
      assert.equal(calls[0].url.pathname, `/${login}/packages`);
      assert.equal(calls[0].url.searchParams.get("name"), "sample-1G");
      assert.equal((await d.package(p.id)).name, "sample-1G");
      assert.equal(calls.at(-1).url.pathname, `/${login}/packages/${p.id}`);
      assert.equal((await d.package(p.id.slice(0, 8))).id, p.id);
      const net = await d.network("Joyent-SDC-Private");
      assert.equal(net.name, "Joyent-SDC-Private");
      assert.equal((await d.network(net.id.slice(0, 8))).id, net.id);
      await assert.rejects(d.network("no-such-net"), cloud("ResourceNotFound"));

      const pkgRec = sim.store.packages.get(p.id);
      const netRec = sim.store.networks.get(net.id);
      const added = [crypto.randomUUID(), crypto.randomUUID()];
      for (const id of added) {
        sim.store.packages.set(id, { ...pkgRec, id, name: "dup-pkg" });
        sim.store.networks.set(id, { ...netRec, id, name: "dup-net" });
      }
      try {
        await assert.rejects(d.package("dup-pkg"), (e) => cloud("AmbiguousName")(e) && added.every((id) => e.message.includes(id)));
        await assert.rejects(d.network("dup-net"), (e) => cloud("AmbiguousName")(e) && added.every((id) => e.message.includes(id)));
      } finally {
        for (const id of added) {
          sim.store.packages.delete(id);
          sim.store.networks.delete(id);
        }
      }
    });

    test("concurrency: 20 overlapping calls never have more than N requests in flight", async () => {
      const slow = (count) => sim.admin("/__sim/faults", { method: "GET", path: `^/${login}$`, kind: "delay", delayMs: 100, count });
      await slow(20);
      const three = recorder();
      const d3 = dc({ fetch: three.fetch, concurrency: 3 });
      const got = await Promise.all(Array.from({ length: 20 }, () => d3.account()));
      assert.ok(got.every((a) => a.login === login));
      assert.equal(three.calls.length, 20);
      assert.equal(three.stats.maxInFlight, 3, `max in flight ${three.stats.maxInFlight}`);
      await slow(20);
      const dflt = recorder();
      const d8 = dc({ fetch: dflt.fetch });
      await Promise.all(Array.from({ length: 20 }, () => d8.account()));
      assert.equal(dflt.stats.maxInFlight, 8, "the default limit is 8");
      // Machines made by a DataCenter share its limit.
      await slow(10);
      const shared = recorder();
      const d2 = dc({ fetch: shared.fetch, concurrency: 2 });
      const ms = await d2.machines({ name: "page-1" });
      await Promise.all([...Array.from({ length: 5 }, () => d2.account()), ...Array.from({ length: 5 }, () => ms[0].refresh())]);
      assert.equal(shared.stats.maxInFlight, 2);
    });

    test("concurrency option: a whole number from 1, listed among the valid options", () => {
      for (const bad of [0, -1, 1.5, "8", Infinity, NaN]) {
        assert.throws(() => dc({ concurrency: bad }), (e) => e instanceof TypeError && /concurrency/.test(e.message), String(bad));
      }
      assert.throws(() => dc({ concurency: 2 }), (e) => e instanceof TypeError && /concurrency/.test(e.message) && /retries/.test(e.message));
      assert.ok(dc({ concurrency: 1 }));
    });

    test("a call waiting for a slot still honours its timeout (and is never sent)", async () => {
      // This fetch ignores the abort signal, so the first call keeps its slot for 600 ms.
      const urls = [];
      const fetch = async (url, init) => {
        urls.push(url);
        await new Promise((r) => setTimeout(r, 600));
        return globalThis.fetch(url, { ...init, signal: undefined });
      };
      const d = dc({ fetch, concurrency: 1, timeout: 150, retries: 0 });
      // Whichever call signs first takes the slot; the other waits for it and times out.
      const settled = await Promise.allSettled([d.account(), d.account()]);
      const queued = settled.filter((r) => r.status === "rejected");
      assert.equal(queued.length, 1, JSON.stringify(settled.map((r) => r.status)));
      assert.equal(queued[0].reason.code, "Timeout", queued[0].reason.message);
      assert.equal(urls.length, 1, "the queued call was sent after its deadline");
    });

    describe("machinesEverywhere over two simulators", () => {
      let sim2;
      let saved;
      before(async () => {
        sim2 = await startSimulator({ keys: [KEYS.openssh.publicKey], adminToken: ADMIN_TOKEN, throttle: false, account: sim.account, datacenter: "us-sim-2" });
        await sim2.admin("/__sim/machines/bulk", { count: 5, namePrefix: "far-" });
        await sim.admin("/__sim/machines/bulk", { count: 3, namePrefix: `near-${ENTRY}-` });
        saved = sim.store.datacenters;
        sim.store.datacenters = { "us-sim-1": sim.url, "us-sim-2": sim2.url, "us-sim-3": "http://127.0.0.1:9" };
      });
      after(async () => {
        sim.store.datacenters = saved;
        await sim.admin("/__sim/faults", undefined, "DELETE");
        await sim2?.close();
      });

      test("each datacenter in parallel, tagged with its name; a failing one is reported", async () => {
        for (const s of [sim, sim2]) await s.admin("/__sim/faults", { method: "GET", path: "/machines\\?", kind: "delay", delayMs: 200 });
        const { fetch, calls } = recorder();
        const d = dataCenter({ fetch, retries: 0 });
        const out = await d.machinesEverywhere({ search: new RegExp(`^(far-|near-${ENTRY}-)`) });
        assert.deepEqual(out.map((r) => [r.datacenter, r.url]), [["us-sim-1", sim.url], ["us-sim-2", sim2.url], ["us-sim-3", "http://127.0.0.1:9"]]);
        assert.deepEqual(out[0].machines.map((m) => m.name).sort(), [0, 1, 2].map((i) => `near-${ENTRY}-${i}`));
        assert.deepEqual(out[1].machines.map((m) => m.name).sort(), ["far-0", "far-1", "far-2", "far-3", "far-4"]);
        assert.equal(out[0].error, undefined);
        assert.equal(out[2].machines, undefined);
        assert.equal(out[2].error.name, "CloudApiError");
        assert.equal(out[2].error.code, "NetworkError");
        const lists = calls.filter((c) => c.url.pathname === `/${sim.account}/machines`);
        assert.equal(lists.length, 3);
        const [a, b] = lists.filter((c) => c.status === 200);
        assert.ok(b.start < a.end && a.start < b.end, "the datacenters were not listed in parallel");
        assert.equal(new Set(lists.map((c) => c.url.origin)).size, 3);
        // Machines from the second datacenter talk to it.
        const far = out[1].machines[0];
        const before = calls.length;
        await far.refresh();
        assert.equal(calls.at(-1).url.origin, new URL(sim2.url).origin);
        assert.equal(calls.length, before + 1);
      });

      test("bad filters reject before ListDatacenters", async () => {
        const { fetch, calls } = recorder();
        await assert.rejects(dataCenter({ fetch }).machinesEverywhere({ sate: "running" }), (e) => e instanceof TypeError && /sate/.test(e.message));
        assert.equal(calls.length, 0);
      });
    });

    test("createMachine(opts, { wait }) resolves once running; a failed provision rejects", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const base = sim.store.seedImages.base.id;
      const seen = [];
      const m = await d.createMachine({ name: "waited", image: base, package: "sample-512M" }, { wait: { interval: 20, onProgress: (x) => seen.push(x.state) } });
      assert.equal(m.state, "running");
      assert.equal(mine().find((r) => r.alias === "waited").state, "running");
      assert.equal(calls.filter((c) => c.method === "POST").length, 1);
      assert.ok(seen.length >= 1 && seen.at(-1) === "running", JSON.stringify(seen));
      const noWait = await d.createMachine({ name: "unwaited", image: base, package: "sample-512M" }, { wait: false });
      assert.equal(noWait.state, "provisioning");
      const hvm = [...sim.store.images.values()].find((i) => i.name === "debian-12");
      await assert.rejects(
        d.createMachine({ name: "too-small", image: hvm.id, package: "bhyve-tiny" }, { wait: { interval: 20 } }),
        cloud("JobFailed", /ended in state failed/),
      );
    });

    test("createMachine resolves an image name (latest version) before the POST; bad input sends nothing", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const latest = await d.image("base-64-lts");
      calls.length = 0;
      const m = await d.createMachine({ name: "by-image-name", image: "base-64-lts", package: "sample-512M" });
      assert.equal(m.image, latest.id);
      assert.deepEqual(calls.map((c) => `${c.method} ${c.url.pathname}`), [`GET /${login}/images`, `POST /${login}/machines`]);
      assert.equal(JSON.parse(calls[1].body).image, latest.id);
      const old = await d.createMachine({ name: "by-image-version", dataset: "base-64-lts@23.4.0", package: "sample-512M" });
      assert.equal(old.image, (await d.image("base-64-lts@23.4.0")).id);
      calls.length = 0;
      await assert.rejects(d.createMachine({ image: "no-such-image", package: "sample-512M" }), cloud("ResourceNotFound", /no-such-image/));
      assert.ok(calls.every((c) => c.method === "GET"), "a POST was sent for an unknown image");
      calls.length = 0;
      await assert.rejects(d.createMachine({ image: "base-64-lts", package: "sample-512M", metadata: { a: { b: 1 } } }), cloud("InvalidArgument", /metadata\.a/));
      assert.equal(calls.length, 0, "bad metadata was found only after a request");
    });

    test("createMachine { wait } options are checked before anything is sent", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch });
      const opts = { image: sim.store.seedImages.base.id, package: "sample-512M" };
      await assert.rejects(d.createMachine(opts, { wiat: true }), (e) => e instanceof TypeError && /wiat/.test(e.message) && /wait/.test(e.message));
      await assert.rejects(d.createMachine(opts, { wait: "yes" }), TypeError);
      await assert.rejects(d.createMachine(opts, { wait: { timeout: -1 } }), (e) => e instanceof TypeError && /timeout/.test(e.message));
      await assert.rejects(d.createMachine(opts, { wait: { intervall: 5 } }), (e) => e instanceof TypeError && /intervall/.test(e.message));
      assert.equal(calls.length, 0);
    });
  });
}
