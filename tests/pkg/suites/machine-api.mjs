// Machine and Snapshot methods (issue 4, seed parity) against the simulator: what goes on the
// wire (method, path, query, body, Accept), what the promise resolves with, what the local
// machine object shows afterwards and what the simulator's state became. Bad input rejects
// before any request is sent.
import assert from "node:assert/strict";
import util from "node:util";
import { before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { lib, sim } from "./lib/fixtures.mjs";
import { POLL, record, runningMachine, waitFor } from "./lib/machines.mjs";

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`machine and snapshot API (${ENTRY})`, () => {
    let dc, m, calls;
    const mpath = () => `/${sim.account}/machines/${m.id}`;
    before(async () => {
      ({ dc, m, calls } = await runningMachine(`api-${ENTRY}`));
    });

    test("status() refreshes and resolves with the simulator's state", async () => {
      record(m.id).state = "stopped";
      try {
        assert.equal(await m.status(), "stopped");
        assert.equal(m.state, "stopped");
        assert.deepEqual(calls.map((c) => [c.method, c.path]), [["GET", mpath()]]);
      } finally {
        record(m.id).state = "running";
      }
      assert.equal(await m.status(), "running");
    });

    test("credentials() sends ?credentials=true and keeps passwords out of the machine object", async () => {
      record(m.id).internal_metadata = { root_pw: "s3cret", admin_pw: "hunter2" };
      calls.length = 0;
      const creds = await m.credentials();
      assert.deepEqual(creds, { root: "s3cret", admin: "hunter2" });
      assert.equal(calls.length, 1);
      assert.equal(calls[0].path, mpath());
      assert.deepEqual(calls[0].query, { credentials: "true" });
      assert.equal(m.metadata.credentials, undefined);
      assert.equal(m.toJSON().credentials, undefined);
      assert.ok(!util.inspect(m).includes("s3cret"));
      assert.equal(m.metadata.role, "api");
    });

    test("resize() takes a package name, id or object and sends action=resize&package=…", async () => {
      const pkgs = await dc.packages();
      const byName = (n) => pkgs.find((p) => p.name === n);
      for (const [arg, want] of [
        ["sample-2G", byName("sample-2G")],
        [byName("sample-4G").id, byName("sample-4G")],
        [byName("sample-8G"), byName("sample-8G")],
      ]) {
        calls.length = 0;
        assert.equal(await m.resize(arg), undefined);
        assert.equal(calls.length, 1);
        assert.equal(calls[0].method, "POST");
        assert.equal(calls[0].query.action, "resize");
        assert.equal(calls[0].query.package, typeof arg === "object" ? want.id : arg);
        await waitFor(() => record(m.id).packageName === want.name, `package ${want.name}`);
        assert.equal((await m.refresh()).memory, want.memory);
      }
    });

    test("getMetadata() resolves with the map and updates machine.metadata", async () => {
      record(m.id).metadata.extra = "from-sim";
      calls.length = 0;
      const md = await m.getMetadata();
      assert.equal(md.extra, "from-sim");
      assert.equal(md.role, "api");
      assert.deepEqual(calls.map((c) => [c.method, c.path]), [["GET", `${mpath()}/metadata`]]);
      assert.equal(m.metadata.extra, "from-sim");
    });

    test("updateMetadata() posts string/number/boolean values and keeps the answer", async () => {
      calls.length = 0;
      const md = await m.updateMetadata({ color: "blue", count: 3, on: true });
      assert.deepEqual(calls.map((c) => [c.method, c.path]), [["POST", `${mpath()}/metadata`]]);
      assert.deepEqual(calls[0].body, { color: "blue", count: 3, on: true });
      assert.equal(md.color, "blue");
      assert.equal(md.count, 3);
      assert.equal(md.role, "api");
      assert.equal(m.metadata.on, true);
      await waitFor(() => record(m.id).metadata.color === "blue", "metadata color");
    });

    test("deleteMetadata(key) sends DELETE …/metadata/<key> and forgets it locally", async () => {
      await m.updateMetadata({ gone: "soon" });
      await waitFor(() => record(m.id).metadata.gone === "soon", "metadata gone=soon");
      calls.length = 0;
      assert.equal(await m.deleteMetadata("gone"), undefined);
      assert.deepEqual(calls.map((c) => [c.method, c.path]), [["DELETE", `${mpath()}/metadata/gone`]]);
      assert.equal(m.metadata.gone, undefined);
      await waitFor(() => !("gone" in record(m.id).metadata), "metadata gone deleted");
    });

    test("setBootScript()/deleteBootScript() write and remove metadata user-script", async () => {
      calls.length = 0;
      await m.setBootScript("#!/bin/sh\necho hi");
      assert.deepEqual(calls[0].body, { "user-script": "#!/bin/sh\necho hi" });
      assert.equal(m.bootScript, "#!/bin/sh\necho hi");
      await waitFor(() => record(m.id).metadata["user-script"] === "#!/bin/sh\necho hi", "user-script");
      await m.deleteBootScript();
      assert.deepEqual([calls[1].method, calls[1].path], ["DELETE", `${mpath()}/metadata/user-script`]);
      assert.equal(m.bootScript, undefined);
      await waitFor(() => !("user-script" in record(m.id).metadata), "user-script deleted");
    });

    test("deleteAllMetadata() sends DELETE …/metadata and the simulator keeps root_authorized_keys only", async () => {
      calls.length = 0;
      await m.deleteAllMetadata();
      assert.deepEqual(calls.map((c) => [c.method, c.path]), [["DELETE", `${mpath()}/metadata`]]);
      assert.equal(m.metadata.role, undefined);
      await waitFor(() => record(m.id).metadata.role === undefined, "metadata cleared");
      const left = Object.keys(record(m.id).metadata).filter((k) => k !== "root_authorized_keys" && k !== "administrator_pw");
      assert.deepEqual(left, []);
      assert.deepEqual(Object.keys(await m.getMetadata()).filter((k) => k !== "root_authorized_keys"), []);
    });

    test("getTags() resolves with the map and updates machine.tags", async () => {
      record(m.id).tags.fromSim = "yes";
      calls.length = 0;
      const tags = await m.getTags();
      assert.deepEqual(tags, { ...record(m.id).tags });
      assert.equal(tags.env, "ci");
      assert.equal(m.tags.fromSim, "yes");
      assert.deepEqual(calls.map((c) => [c.method, c.path]), [["GET", `${mpath()}/tags`]]);
    });

    test("getTag(name) sends Accept: text/plain and resolves with the raw text", async () => {
      record(m.id).tags.quoted = 'say "hi"';
      record(m.id).tags.num = 42;
      calls.length = 0;
      assert.equal(await m.getTag("quoted"), 'say "hi"');
      assert.equal(calls[0].headers.accept, "text/plain");
      assert.equal(calls[0].path, `${mpath()}/tags/quoted`);
      assert.equal(await m.getTag("num"), "", "a non-string tag reads back as \"\"");
      await assert.rejects(m.getTag("no-such-tag"), { name: "CloudApiError", statusCode: 404 });
    });

    test("addTags() merges, replaceTags() replaces; both keep the answered map", async () => {
      calls.length = 0;
      const added = await m.addTags({ tier: "web", weight: 5, canary: false });
      assert.deepEqual([calls[0].method, calls[0].path], ["POST", `${mpath()}/tags`]);
      assert.deepEqual(calls[0].body, { tier: "web", weight: 5, canary: false });
      assert.equal(added.env, "ci");
      assert.equal(added.weight, 5);
      assert.equal(m.tags.tier, "web");
      await waitFor(() => record(m.id).tags.tier === "web", "tag tier");

      const replaced = await m.replaceTags({ only: "this" });
      assert.deepEqual([calls[1].method, calls[1].path], ["PUT", `${mpath()}/tags`]);
      assert.deepEqual(replaced, { only: "this" });
      assert.deepEqual(m.tags, { only: "this" });
      await waitFor(() => JSON.stringify(record(m.id).tags) === '{"only":"this"}', "tags replaced");
    });

    test("deleteTag(name) and deleteAllTags() send DELETEs and clear the simulator's tags", async () => {
      await m.addTags({ a: "1", b: "2" });
      await waitFor(() => record(m.id).tags.b === "2", "tags a, b");
      calls.length = 0;
      await m.deleteTag("a");
      assert.deepEqual(calls.map((c) => [c.method, c.path]), [["DELETE", `${mpath()}/tags/a`]]);
      assert.equal(m.tags.a, undefined);
      await waitFor(() => !("a" in record(m.id).tags), "tag a deleted");
      await m.deleteAllTags();
      assert.deepEqual([calls[1].method, calls[1].path], ["DELETE", `${mpath()}/tags`]);
      assert.deepEqual(m.tags, {});
      await waitFor(() => Object.keys(record(m.id).tags).length === 0, "tags cleared");
    });

    test("equals() takes a Machine, an object with id or an id string", async () => {
      const again = await dc.machine(m.id);
      assert.notEqual(again, m);
      assert.equal(m.equals(again), true);
      assert.equal(m.equals({ id: m.id }), true);
      assert.equal(m.equals(m.id), true);
      assert.equal(m.equals(m.id.toUpperCase()), true);
      assert.equal(m.equals("00000000-0000-0000-0000-000000000000"), false);
      assert.equal(m.equals({}), false);
      assert.equal(m.equals(null), false);
    });

    test("bad input rejects before any request is sent, and the next call works", async () => {
      calls.length = 0;
      await assert.rejects(m.updateMetadata({ nested: { no: 1 } }), { name: "CloudApiError", code: "InvalidArgument" });
      await assert.rejects(m.updateMetadata("text"), TypeError);
      await assert.rejects(m.addTags({ bad: [1] }), { code: "InvalidArgument" });
      await assert.rejects(m.replaceTags({ x: { y: 1 } }), { code: "InvalidArgument" });
      await assert.rejects(m.getTag(""), { code: "InvalidArgument" });
      await assert.rejects(m.deleteTag(""), { code: "InvalidArgument" });
      await assert.rejects(m.getTag(7), TypeError);
      await assert.rejects(m.deleteMetadata(" "), { code: "InvalidArgument" });
      await assert.rejects(m.resize({}), { code: "InvalidArgument" });
      await assert.rejects(m.snapshot(""), { code: "InvalidArgument" });
      await assert.rejects(m.createSnapshot("a/b"), { code: "InvalidArgument" });
      assert.equal(calls.length, 0, `requests were sent: ${JSON.stringify(calls)}`);
      await m.addTags({ after: "ok" });
      assert.equal(calls.length, 1);
      assert.equal(m.tags.after, "ok");
    });

    test("snapshot lifecycle: create → pollUntil created → start (machine stopped) → delete", async () => {
      const { m: vm, calls: wire } = await runningMachine(`snap-${ENTRY}`);
      const snap = await vm.createSnapshot("before-upgrade");
      assert.ok(snap instanceof lib.Snapshot);
      assert.equal(snap.name, "before-upgrade");
      assert.equal(snap.state, "queued");
      assert.deepEqual(wire[0].body, { name: "before-upgrade" });
      assert.equal(wire[0].path, `/${sim.account}/machines/${vm.id}/snapshots`);
      assert.ok(snap.machine.equals(vm));
      assert.ok(util.inspect(snap).startsWith("Snapshot {"), util.inspect(snap));

      const seen = [];
      const done = await snap.pollUntil("created", { ...POLL, onProgress: (s) => seen.push(s.state) });
      assert.equal(done.state, "created");
      assert.equal(snap.state, "created");
      assert.equal(seen.at(-1), "created");
      assert.ok(Number.isInteger(snap.size) && snap.size > 0);
      assert.equal(typeof snap.created, "string");
      assert.equal(typeof snap.updated, "string");
      assert.deepEqual(snap.toJSON(), { name: "before-upgrade", state: "created", size: snap.size, created: snap.created, updated: snap.updated });
      assert.equal(await snap.status(), "created");
      assert.equal((await snap.refresh()).name, "before-upgrade");

      const listed = await vm.snapshots();
      assert.deepEqual(listed.map((s) => s.name), ["before-upgrade"]);
      assert.ok(listed[0] instanceof lib.Snapshot);
      assert.equal((await vm.snapshot("before-upgrade")).state, "created");
      await assert.rejects(vm.snapshot("nope"), { statusCode: 404 });

      await vm.stop();
      await vm.pollUntil("stopped", POLL);
      wire.length = 0;
      const back = await snap.start();
      assert.ok(back instanceof lib.Machine);
      assert.ok(back.equals(vm));
      assert.deepEqual([wire[0].method, wire[0].path], ["POST", `/${sim.account}/machines/${vm.id}/snapshots/before-upgrade`]);
      await vm.pollUntil("running", POLL);

      wire.length = 0;
      await snap.delete();
      assert.deepEqual([wire[0].method, wire[0].path], ["DELETE", `/${sim.account}/machines/${vm.id}/snapshots/before-upgrade`]);
      await snap.pollUntil("deleted", POLL);
      assert.equal(snap.state, "deleted");
      assert.deepEqual(await vm.snapshots(), []);
      await assert.rejects(snap.pollUntil("gone", POLL), { code: "InvalidArgument" });
      await vm.delete();
    });

    test("createSnapshot() without a name is named by UTC time; startFromSnapshot(name) rolls back", async () => {
      const { m: vm, calls: wire } = await runningMachine(`snap2-${ENTRY}`);
      const snap = await vm.createSnapshot();
      assert.deepEqual(wire[0].body, {});
      assert.match(snap.name, /^\d{8}T\d{6}Z$/);
      await snap.pollUntil("created", POLL);
      await vm.stop();
      await vm.pollUntil("stopped", POLL);
      wire.length = 0;
      assert.equal(await vm.startFromSnapshot(snap.name), undefined);
      assert.deepEqual([wire[0].method, wire[0].path], ["POST", `/${sim.account}/machines/${vm.id}/snapshots/${snap.name}`]);
      await vm.pollUntil("running", POLL);
      assert.ok(record(vm.id).audit.some((a) => a.action === "rollback_snapshot"), "no rollback in the audit");
      await assert.rejects(vm.startFromSnapshot("missing"), { statusCode: 404 });
      await vm.delete();
    });
  });
}
