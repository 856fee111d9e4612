// Image management (CloudAPI 9.x): createImage from a machine (with { wait }), updateImage,
// exportImage, cloneImage, importImage from another datacenter (with { wait }); each checked
// on the wire, in the decoded result and in the simulator's store; bad input rejected before
// any request.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { startSimulator } from "../../sim/index.mjs";
import { ADMIN_TOKEN, KEYS, lib, sim } from "./lib/fixtures.mjs";
import { NO_TRITON, cloud, newAccount, recorder, typeError, wire } from "./lib/infra.mjs";

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`images-api (${ENTRY})`, () => {
    let a;
    let machineId;
    before(async () => {
      // Why: image jobs take 2 s at the suites' "fast" speed; a tenth of that keeps the waits
      // real (several polls) without making the suite slow.
      await sim.admin("/__sim/speed", { speed: 1 / 300 });
      a = await newAccount("img");
      const made = await sim.admin("/__sim/machines/bulk", { count: 1, state: "running", login: a.login });
      machineId = made.ids[0];
    });
    after(() => sim.admin("/__sim/speed", { speed: "fast" }));

    test("createImage sends machine, name and version and resolves with the creating image", async () => {
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const img = await d.createImage({ machine: machineId, name: "web", version: "1.0.0", tags: { role: "web" } });
      assert.equal(calls.length, 1);
      wire(calls[0], "POST", `/${a.login}/images`, {}, { machine: machineId, name: "web", version: "1.0.0", tags: { role: "web" } });
      assert.equal(calls[0].status, 201);
      assert.equal(img.name, "web");
      assert.equal(img.state, "creating");
      const stored = sim.store.images.get(img.id);
      assert.equal(stored.owner, a.acct.id);
      assert.equal(stored.origin, sim.store.machines.get(machineId).image);
    });

    test("createImage({ wait }) polls GetImage until active, reporting progress", async () => {
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const machine = await d.machine(machineId);
      const seen = [];
      const img = await d.createImage(
        { machine, name: "web", version: "2.0.0" },
        { wait: { interval: 20, onProgress: (i) => seen.push(i.state) } },
      );
      assert.equal(img.state, "active");
      assert.equal(img.version, "2.0.0");
      assert.equal(sim.store.images.get(img.id).state, "active");
      wire(calls[1], "POST", `/${a.login}/images`, {}, { machine: machineId, name: "web", version: "2.0.0" });
      const polls = calls.slice(2);
      assert.ok(polls.length >= 1);
      for (const c of polls) wire(c, "GET", `/${a.login}/images/${img.id}`);
      assert.equal(seen.length, polls.length);
      assert.equal(seen.at(-1), "active");
    });

    test("createImage({ wait }) rejects with JobFailed when the image fails", async () => {
      // Why a fetch that edits the store: the simulator's image jobs always succeed.
      const fetch = async (url, init) => {
        const res = await globalThis.fetch(url, init);
        if (init.method === "POST") {
          const img = sim.store.images.get((await res.clone().json()).id);
          img.state = "failed";
          img.error = { code: "PrepareImageDidNotRun", message: "prepare-image did not run" };
        }
        return res;
      };
      const d = a.dc({ fetch });
      await assert.rejects(
        d.createImage({ machine: machineId, name: "broken", version: "1" }, { wait: { interval: 20 } }),
        (e) => cloud("JobFailed", /^image [0-9a-f-]{36} failed: prepare-image did not run$/)(e) && e.body.state === "failed",
      );
    });

    test("updateImage posts ?action=update with the fields", async () => {
      const img = await a.dc().createImage({ machine: machineId, name: "upd", version: "1" }, { wait: { interval: 20 } });
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const out = await d.updateImage(img, { description: "the web tier", acl: [sim.store.account.id] });
      wire(calls[0], "POST", `/${a.login}/images/${img.id}`, { action: "update" }, { description: "the web tier", acl: [sim.store.account.id] });
      assert.equal(out.description, "the web tier");
      assert.deepEqual(sim.store.images.get(img.id).acl, [sim.store.account.id]);
      assert.equal(sim.store.images.get(img.id).description, "the web tier");
    });

    test("exportImage posts ?action=export&manta_path and resolves with the Manta paths", async () => {
      const img = await a.dc().createImage({ machine: machineId, name: "exp", version: "3" }, { wait: { interval: 20 } });
      const { fetch, calls } = recorder();
      const out = await a.dc({ fetch }).exportImage(img.id, `/${a.login}/stor/images`);
      wire(calls[0], "POST", `/${a.login}/images/${img.id}`, { action: "export", manta_path: `/${a.login}/stor/images` });
      assert.equal(out.image_path, `/${a.login}/stor/images/exp-3.zfs.gz`);
      assert.equal(out.manifest_path, `/${a.login}/stor/images/exp-3.imgmanifest`);
      assert.equal(typeof out.manta_url, "string");
    });

    test("cloneImage copies an image shared with the account", async () => {
      const b = await newAccount("imgb");
      const shared = await a.dc().createImage(
        { machine: machineId, name: "shared", version: "1", acl: [b.acct.id] },
        { wait: { interval: 20 } },
      );
      const { fetch, calls: all } = recorder();
      const copy = await b.dc({ fetch }).cloneImage(shared.id);
      // Why the filter: the version gate may ping the server first (cached per URL).
      const calls = all.filter((c) => c.url.pathname !== "/--ping");
      assert.equal(calls.length, 1);
      wire(calls[0], "POST", `/${b.login}/images/${shared.id}`, { action: "clone" });
      assert.notEqual(copy.id, shared.id);
      assert.equal(copy.name, "shared");
      assert.equal(copy.owner, b.acct.id);
      assert.equal(sim.store.images.get(copy.id).owner, b.acct.id);
      await assert.rejects(a.dc().cloneImage(shared.id), cloud("ImageNotShared"));
    });

    test("importImage posts ?action=import-from-datacenter and waits for active", async () => {
      const { fetch, calls: all } = recorder();
      const id = crypto.randomUUID();
      const img = await a.dc({ fetch }).importImage({ datacenter: "us-sim-2", id }, { wait: { interval: 20 } });
      // Why the filter: the version gate may ping the server first (cached per URL).
      const calls = all.filter((c) => c.url.pathname !== "/--ping");
      wire(calls[0], "POST", `/${a.login}/images`, { action: "import-from-datacenter", datacenter: "us-sim-2", id });
      assert.equal(calls[0].status, 200);
      assert.equal(img.id, id);
      assert.equal(img.state, "active");
      assert.equal(sim.store.images.get(id).owner, a.acct.id);
      const again = await a.dc().importImage({ datacenter: "us-sim-2", id: crypto.randomUUID() });
      assert.equal(again.state, "unactivated");
    });

    test("a wait that runs out rejects with Timeout naming the image and its last state", async () => {
      const id = crypto.randomUUID();
      await assert.rejects(
        a.dc().importImage({ datacenter: "us-sim-2", id }, { wait: { interval: 20, timeout: 60 } }),
        cloud("Timeout", new RegExp(`^image ${id} did not become "active" within .*\\(last state: unactivated\\)$`)),
      );
      const ac = new AbortController();
      const p = a.dc().importImage({ datacenter: "us-sim-2", id: crypto.randomUUID() }, { wait: { interval: 20, signal: ac.signal } });
      setTimeout(() => ac.abort(), 30);
      await assert.rejects(p, cloud("Aborted", /was aborted/));
    });

    test("the official triton CLI and this library agree on images", { skip: NO_TRITON }, async () => {
      const d = a.dc();
      const mine = await d.createImage({ machine: machineId, name: "by-wasm", version: "1.2.3", description: "made here" }, { wait: { interval: 20 } });
      const got = await a.cli("image", "get", "-j", mine.id);
      assert.equal(got.id, mine.id);
      assert.equal(got.name, "by-wasm");
      assert.equal(got.version, "1.2.3");
      assert.equal(got.state, "active");
      assert.equal(got.description, "made here");
      const made = [].concat(await a.cli("image", "create", "-j", "-d", "made by triton", machineId, "by-cli", "4.5.6"));
      const id = made.find((x) => x && x.id)?.id;
      assert.ok(id, JSON.stringify(made));
      const back = await d.image(id);
      assert.equal(back.name, "by-cli");
      assert.equal(back.version, "4.5.6");
      assert.equal(back.description, "made by triton");
      await d.updateImage(id, { version: "4.5.7" });
      assert.equal((await a.cli("image", "get", "-j", id)).version, "4.5.7");
    });

    test("bad input is rejected before any request, with precise messages", async () => {
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const id = crypto.randomUUID();
      await assert.rejects(d.createImage(), typeError(/^createImage\(fields\) is required \(\{ machine, name, version, … \}\)$/));
      await assert.rejects(d.createImage({ machine: machineId, name: "x" }), cloud("InvalidArgument", /^createImage needs machine, name and version$/));
      await assert.rejects(d.createImage({ machine: "web-1", name: "x", version: "1" }), cloud("InvalidArgument", /^machine must be a UUID/));
      await assert.rejects(d.createImage({ machine: {}, name: "x", version: "1" }), typeError(/machine must be a UUID, a Machine or an object with an id/));
      await assert.rejects(d.createImage({ machine: machineId, name: "x", version: "1", nmae: "y" }), typeError(/unknown option "nmae"; valid options are machine, name, version/));
      await assert.rejects(d.createImage({ machine: machineId, name: "", version: "1" }), cloud("InvalidArgument", /^name must not be empty$/));
      await assert.rejects(d.createImage({ machine: machineId, name: "x", version: "1", tags: { a: {} } }), cloud("InvalidArgument", /^tags\.a must be a string, number or boolean/));
      await assert.rejects(d.createImage({ machine: machineId, name: "x", version: "1" }, { wait: "yes" }), typeError(/^createImage\(fields, options\): option wait must be a boolean or \{ interval, timeout, signal, onProgress \}, got a string$/));
      await assert.rejects(d.createImage({ machine: machineId, name: "x", version: "1" }, { wiat: true }), typeError(/unknown option "wiat"; valid options are wait$/));
      await assert.rejects(d.createImage({ machine: machineId, name: "x", version: "1" }, { wait: { tiemout: 5 } }), typeError(/^createImage\(fields, options\): unknown option "tiemout"; valid options are interval, timeout, signal, onProgress$/));
      await assert.rejects(d.createImage({ machine: machineId, name: "x", version: "1" }, { wait: { timeout: -1 } }), typeError(/^createImage\(fields, options\): option timeout must be a positive number of milliseconds or Infinity, got -1$/));
      await assert.rejects(d.updateImage(id, { machine: machineId }), cloud("InvalidArgument", /^updateImage cannot change the source machine$/));
      await assert.rejects(d.updateImage(id, {}), cloud("InvalidArgument", /^updateImage needs at least one field to change$/));
      await assert.rejects(d.updateImage("nope", { name: "x" }), cloud("InvalidArgument", /^image id must be a UUID/));
      await assert.rejects(d.updateImage(42, { name: "x" }), typeError(/^updateImage\(id\): id must be a string or an object with an id, got a number$/));
      await assert.rejects(d.exportImage(id, ""), cloud("InvalidArgument", /^manta_path must not be empty$/));
      await assert.rejects(d.exportImage(id), typeError(/mantaPath must be a string, got undefined/));
      await assert.rejects(d.cloneImage(null), typeError(/^cloneImage\(id\): id must be a string or an object with an id/));
      await assert.rejects(d.importImage({ datacenter: "us-sim-2" }), cloud("InvalidArgument", /^importImage needs datacenter \(where the image is\) and id \(its UUID\)$/));
      await assert.rejects(d.importImage({ datacenter: "us-sim-2", id: "x" }), cloud("InvalidArgument", /^image id must be a UUID/));
      await assert.rejects(d.importImage({ dc: "us-sim-2", id }), typeError(/unknown option "dc"; valid options are datacenter, id$/));
      assert.equal(calls.length, 0, "a rejected argument sent a request");
    });
  });

  describe(`images-api version gate (${ENTRY})`, () => {
    // Why a simulator of its own: the gate remembers a server's version per URL.
    let sim2;
    before(async () => {
      sim2 = await startSimulator({ keys: [KEYS.openssh.publicKey], adminToken: ADMIN_TOKEN, speed: "fast", throttle: false });
    });
    after(() => sim2?.close());

    test("cloneImage (9.1) and importImage (9.2) are NotSupported on a 9.0 server, before any request", async () => {
      await sim2.admin("/__sim/faults", {
        method: "GET",
        path: "^/--ping",
        kind: "status",
        status: 200,
        body: { ping: "pong", cloudapi: { versions: ["9.0.0"] } },
        headers: { Server: "cloudapi/9.0.0" },
      });
      const { fetch, calls } = recorder();
      const d = new lib.DataCenter({ url: sim2.url, account: sim2.account, privateKey: KEYS.openssh.privateKey, fetch });
      const count = sim2.store.images.size;
      await assert.rejects(d.cloneImage(crypto.randomUUID()), cloud("NotSupported", /^cloneImage\(\).*9\.1\.0.*9\.0\.0/));
      await assert.rejects(d.importImage({ datacenter: "us-sim-2", id: crypto.randomUUID() }), cloud("NotSupported", /^importImage\(\).*9\.2\.0.*9\.0\.0/));
      assert.deepEqual(calls.map((c) => `${c.method} ${c.url.pathname}`), ["GET /--ping"]);
      assert.equal(sim2.store.images.size, count);
    });
  });
}
