// Volumes (CloudAPI 9.x): list with filters, get, create and delete with { wait }, rename,
// and the sizes offered; each checked on the wire, in the decoded result and in the
// simulator's store; bad input rejected before any request.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { sim } from "./lib/fixtures.mjs";
import { NO_TRITON, cloud, newAccount, recorder, typeError, wire } from "./lib/infra.mjs";

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`volumes-api (${ENTRY})`, () => {
    let a;
    let net;
    before(async () => {
      // Why: volume jobs take 0.5 s at the suites' "fast" speed; a tenth keeps the waits real.
      await sim.admin("/__sim/speed", { speed: 1 / 300 });
      a = await newAccount("vol");
      const d = a.dc();
      await d.createFabricVlan({ vlan_id: 10, name: "storage" });
      net = await d.createFabricNetwork(10, {
        name: "storage",
        subnet: "10.70.0.0/24",
        provision_start_ip: "10.70.0.10",
        provision_end_ip: "10.70.0.250",
      });
    });
    after(() => sim.admin("/__sim/speed", { speed: "fast" }));

    test("createVolume sends the fields and resolves with the creating volume", async () => {
      const { fetch, calls } = recorder();
      const v = await a.dc({ fetch }).createVolume({ name: "data", size: 20480, networks: [net.id], tags: { tier: "db" } });
      wire(calls[0], "POST", `/${a.login}/volumes`, {}, { name: "data", size: 20480, type: "tritonnfs", networks: [net.id], tags: { tier: "db" } });
      assert.equal(calls[0].status, 201);
      assert.equal(v.name, "data");
      assert.equal(v.state, "creating");
      assert.equal(v.size, 20480);
      const stored = sim.store.volumes.get(v.id);
      assert.equal(stored.owner_uuid, a.acct.id);
      assert.deepEqual(stored.networks, [net.id]);
    });

    test("createVolume({ wait }) polls GetVolume until ready; the default network is the account's", async () => {
      a.acct.config.default_network = net.id;
      const { fetch, calls } = recorder();
      const seen = [];
      const v = await a.dc({ fetch }).createVolume(undefined, { wait: { interval: 20, onProgress: (x) => seen.push(x.state) } });
      wire(calls[0], "POST", `/${a.login}/volumes`, {}, { type: "tritonnfs" });
      assert.equal(v.state, "ready");
      assert.match(v.filesystem_path, /^10\.70\.0\.\d+:\/exports\/data$/);
      assert.equal(v.size, 10240);
      for (const c of calls.slice(1)) wire(c, "GET", `/${a.login}/volumes/${v.id}`);
      assert.equal(seen.length, calls.length - 1);
      assert.equal(seen.at(-1), "ready");
      assert.equal(sim.store.volumes.get(v.id).state, "ready");
    });

    test("createVolume({ wait }) rejects with JobFailed when the volume fails (no address left)", async () => {
      const d = a.dc();
      const tiny = await d.createFabricNetwork(10, { name: "tiny", subnet: "10.71.0.0/29", provision_start_ip: "10.71.0.2", provision_end_ip: "10.71.0.2" });
      const first = await d.createVolume({ name: "fits", networks: [tiny.id] }, { wait: { interval: 20 } });
      assert.equal(first.filesystem_path, "10.71.0.2:/exports/data");
      await assert.rejects(
        d.createVolume({ name: "no-room", networks: [tiny.id] }, { wait: { interval: 20 } }),
        (e) => cloud("JobFailed", /^volume [0-9a-f-]{36} failed$/)(e) && e.body.name === "no-room" && e.body.state === "failed",
      );
      assert.equal([...sim.store.volumes.values()].find((v) => v.name === "no-room").state, "failed");
    });

    test("volumes(filters) sends the filters; volume(id) reads one", async () => {
      const d0 = a.dc();
      const v = await d0.createVolume({ name: "logs-1", networks: [net.id] }, { wait: { interval: 20 } });
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const list = await d.volumes({ name: "logs-*", state: "ready" });
      wire(calls[0], "GET", `/${a.login}/volumes`, { name: "logs-*", state: "ready" });
      assert.deepEqual(list.map((x) => x.id), [v.id]);
      const byPredicate = await d.volumes({ predicate: { eq: ["name", "logs-1"] } });
      wire(calls[1], "GET", `/${a.login}/volumes`, { predicate: '{"eq":["name","logs-1"]}' });
      assert.deepEqual(byPredicate.map((x) => x.id), [v.id]);
      const all = await d.volumes();
      wire(calls[2], "GET", `/${a.login}/volumes`);
      assert.ok(all.length >= 3);
      const searched = await d.volumes({ state: "ready", search: /^LOGS-/i });
      wire(calls[3], "GET", `/${a.login}/volumes`, { state: "ready" });
      assert.deepEqual(searched.map((x) => x.id), [v.id]);
      const one = await d.volume(v);
      wire(calls[4], "GET", `/${a.login}/volumes/${v.id}`);
      assert.equal(one.name, "logs-1");
      assert.equal(one.state, "ready");
    });

    test("updateVolume renames; deleteVolume({ wait }) resolves once the volume is gone", async () => {
      const d0 = a.dc();
      const v = await d0.createVolume({ name: "scratch", networks: [net.id] }, { wait: { interval: 20 } });
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const u = await d.updateVolume(v.id, { name: "scratch-2" });
      wire(calls[0], "POST", `/${a.login}/volumes/${v.id}`, {}, { name: "scratch-2" });
      assert.equal(u.name, "scratch-2");
      assert.equal(sim.store.volumes.get(v.id).name, "scratch-2");

      const seen = [];
      assert.equal(await d.deleteVolume(v, { wait: { interval: 20, onProgress: (x) => seen.push(x.state) } }), undefined);
      wire(calls[1], "DELETE", `/${a.login}/volumes/${v.id}`);
      assert.equal(calls[1].status, 204);
      for (const c of calls.slice(2)) wire(c, "GET", `/${a.login}/volumes/${v.id}`);
      assert.equal(calls.at(-1).status, 404);
      assert.equal(seen.at(-1), "deleted");
      assert.equal(sim.store.volumes.has(v.id), false);
      await assert.rejects(d.volume(v.id), (e) => cloud("VolumeNotFound")(e) && e.statusCode === 404);
    });

    test("updateVolume reads the volume back when CloudAPI answers 204, as its docs say it does", async () => {
      const v = await a.dc().createVolume({ name: "docs-204", networks: [net.id] });
      const { fetch: rec, calls } = recorder();
      // Why: the simulator answers 200 with the volume, as CloudAPI's code does.
      const fetch = async (url, init) => {
        const res = await rec(url, init);
        return init.method === "POST" ? new Response(null, { status: 204, headers: res.headers }) : res;
      };
      const u = await a.dc({ fetch }).updateVolume(v.id, { name: "docs-204b" });
      assert.equal(calls.length, 2);
      wire(calls[0], "POST", `/${a.login}/volumes/${v.id}`, {}, { name: "docs-204b" });
      wire(calls[1], "GET", `/${a.login}/volumes/${v.id}`);
      assert.equal(u.id, v.id);
      assert.equal(u.name, "docs-204b");
    });

    test("volumeSizes lists the sizes, optionally of one type", async () => {
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const sizes = await d.volumeSizes();
      wire(calls[0], "GET", `/${a.login}/volumesizes`);
      assert.equal(sizes[0].size, 10240);
      assert.ok(sizes.every((s) => s.type === "tritonnfs"));
      await d.volumeSizes({ type: "tritonnfs" });
      wire(calls[1], "GET", `/${a.login}/volumesizes`, { type: "tritonnfs" });
    });

    test("the official triton CLI and this library agree on volumes", { skip: NO_TRITON }, async () => {
      const d = a.dc();
      const v = await d.createVolume({ name: "shared-cli", networks: [net.id] }, { wait: { interval: 20 } });
      const got = await a.cli("volume", "get", "-j", v.id);
      assert.equal(got.id, v.id);
      assert.equal(got.name, "shared-cli");
      assert.equal(got.state, "ready");
      assert.equal(got.size, v.size);
      const listed = await a.cli("volume", "list", "-j");
      assert.ok(listed.some((x) => x.id === v.id));
    });

    test("bad input is rejected before any request, with precise messages", async () => {
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const id = crypto.randomUUID();
      await assert.rejects(d.volumes({ owner: "x" }), typeError(/^volumes\(filters\): unknown option "owner"; valid options are name, predicate, size, state, type$/));
      await assert.rejects(d.volumes({ search: 5 }), typeError(/^volumes\(filters\): search must be a string or a RegExp, got a number$/));
      await assert.rejects(d.volumes({ predicate: "x" }), cloud("InvalidArgument", /^predicate must be an object$/));
      await assert.rejects(d.volumes("x"), typeError(/^volumes\(filters\) must be an object, got a string$/));
      await assert.rejects(d.volume("x"), cloud("InvalidArgument", /^volume id must be a UUID/));
      await assert.rejects(d.volume(), typeError(/^volume\(id\): id must be a string or an object with an id, got undefined$/));
      await assert.rejects(d.createVolume({ name: "a b" }), cloud("InvalidArgument", /^volume name "a b" may only contain letters, digits/));
      await assert.rejects(d.createVolume({ size: 0 }), cloud("InvalidArgument", /^volume size must be more than 0 MiB$/));
      await assert.rejects(d.createVolume({ networks: ["x"] }), cloud("InvalidArgument", /^network must be a UUID/));
      await assert.rejects(d.createVolume({ tags: { a: [1] } }), cloud("InvalidArgument", /^tags\.a must be a string, number or boolean, got an array$/));
      await assert.rejects(d.createVolume({ sise: 1 }), typeError(/unknown option "sise"; valid options are name, size, type, networks, affinity, tags$/));
      await assert.rejects(d.createVolume({}, { wait: 1 }), typeError(/^createVolume\(fields, options\): option wait must be a boolean or/));
      await assert.rejects(d.createVolume({}, { wait: { interval: 0 } }), typeError(/^createVolume\(fields, options\): option interval must be a positive number of milliseconds, got 0$/));
      await assert.rejects(d.createVolume({}, { wait: { signal: {} } }), typeError(/^createVolume\(fields, options\): option signal must be an AbortSignal, got an object$/));
      await assert.rejects(d.createVolume({}, { wait: { onProgress: 1 } }), typeError(/^createVolume\(fields, options\): option onProgress must be a function, got a number$/));
      await assert.rejects(d.updateVolume(id, {}), cloud("InvalidArgument", /^updateVolume needs name \(the only field CloudAPI can change\)$/));
      await assert.rejects(d.updateVolume(id, { size: 1 }), typeError(/unknown option "size"; valid options are name$/));
      await assert.rejects(d.updateVolume(id), typeError(/^updateVolume\(id, fields\) is required \(\{ name \}\)$/));
      await assert.rejects(d.deleteVolume("x"), cloud("InvalidArgument", /^volume id must be a UUID/));
      await assert.rejects(d.deleteVolume(id, { wait: { timeout: "soon" } }), typeError(/^deleteVolume\(id, options\): option timeout must be a number, got a string$/));
      await assert.rejects(d.volumeSizes({ kind: "x" }), typeError(/^volumeSizes\(options\): unknown option "kind"; valid options are type$/));
      await assert.rejects(d.volumeSizes({ type: "" }), cloud("InvalidArgument", /^type must not be empty$/));
      assert.equal(calls.length, 0, "a rejected argument sent a request");
    });
  });
}
