// CloudAPI 9.x machine groups beyond the seed (issue 4): rename, firewall and deletion
// protection switches, audit, per-machine firewall rules, NICs, bhyve disks and migrations.
// Each checks the request on the wire (method, path, query, body), the decoded result and
// the simulator's state; bad input rejects before any request is sent.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { lib, sim } from "./lib/fixtures.mjs";
import { POLL, record, runningMachine } from "./lib/machines.mjs";

/** [method, path] of each recorded call. */
const wire = (calls) => calls.map((c) => [c.method, c.path]);

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`machine 9.x API (${ENTRY})`, () => {
    let dc, m, calls;
    const mpath = () => `/${sim.account}/machines/${m.id}`;
    before(async () => {
      ({ dc, m, calls } = await runningMachine(`ext-${ENTRY}`));
    });

    test("rename(name) sends action=rename&name=…; { wait } resolves with the renamed machine after its audit entry", async () => {
      calls.length = 0;
      assert.equal(await m.rename(`renamed-${ENTRY}`), undefined);
      assert.deepEqual(wire(calls), [["POST", mpath()]]);
      assert.deepEqual(calls[0].query, { action: "rename", name: `renamed-${ENTRY}` });

      calls.length = 0;
      const back = await m.rename(`again-${ENTRY}`, { wait: POLL });
      assert.ok(back instanceof lib.Machine);
      assert.equal(back.name, `again-${ENTRY}`);
      assert.equal(record(m.id).alias, `again-${ENTRY}`);
      // The baseline audit read comes before the action, then audit + machine reads.
      assert.deepEqual(wire(calls).slice(0, 4), [["GET", `${mpath()}/audit`], ["POST", mpath()], ["GET", `${mpath()}/audit`], ["GET", mpath()]]);
      assert.ok(record(m.id).audit.filter((a) => a.action === "rename").length >= 2);
    });

    test("enable/disableFirewall and enable/disableDeletionProtection send their actions and wait for the field", async () => {
      for (const [method, action, field, value] of [
        ["enableFirewall", "enable_firewall", "firewall_enabled", true],
        ["disableFirewall", "disable_firewall", "firewall_enabled", false],
        ["enableDeletionProtection", "enable_deletion_protection", "deletion_protection", true],
      ]) {
        calls.length = 0;
        const back = await m[method]({ wait: POLL });
        assert.deepEqual(calls[0].query, { action }, method);
        assert.equal(back[field], value, method);
        assert.equal(record(m.id)[field], value, method);
      }
      await assert.rejects(m.delete(), { name: "CloudApiError", code: "CannotDestroyMachineError", statusCode: 409 });
      assert.ok(!record(m.id).destroyed);
      calls.length = 0;
      assert.equal(await m.disableDeletionProtection(), undefined);
      assert.deepEqual(calls[0].query, { action: "disable_deletion_protection" });
    });

    test("audit() sends GET …/audit and resolves with the entries, newest first", async () => {
      calls.length = 0;
      const entries = await m.audit();
      assert.deepEqual(wire(calls), [["GET", `${mpath()}/audit`]]);
      assert.ok(Array.isArray(entries) && entries.length >= 2);
      assert.deepEqual(entries, record(m.id).audit.map((a) => ({ ...a, caller: { ...a.caller } })));
      const provision = entries.find((e) => e.action === "provision");
      assert.equal(provision.success, "yes");
      assert.equal(typeof provision.time, "string");
      assert.equal(provision.caller.type, "signature");
    });

    test("firewallRules() sends GET …/fwrules and lists the rules that name the machine", async () => {
      const made = await dc.request("POST", `/${sim.account}/fwrules`, { body: { rule: `FROM any TO vm ${m.id} ALLOW tcp PORT 22`, enabled: true } });
      calls.length = 0;
      const rules = await m.firewallRules();
      assert.deepEqual(wire(calls), [["GET", `${mpath()}/fwrules`]]);
      const mine = rules.find((r) => r.id === made.body.id);
      assert.ok(mine, JSON.stringify(rules));
      assert.equal(mine.enabled, true);
      assert.match(mine.rule, /ALLOW tcp PORT 22/);
    });

    test("NICs: nics(), nic(mac), addNic({ network }, { wait }) and removeNic(mac, { wait })", async () => {
      calls.length = 0;
      const nics = await m.nics();
      assert.deepEqual(wire(calls), [["GET", `${mpath()}/nics`]]);
      assert.deepEqual(nics.map((n) => n.mac).sort(), record(m.id).nics.map((n) => n.mac).sort());
      const first = nics[0];
      calls.length = 0;
      assert.equal((await m.nic(first.mac)).ip, first.ip);
      assert.equal(calls[0].path, `${mpath()}/nics/${first.mac.replaceAll(":", "")}`);

      const fabric = sim.store.seedNetworks.fabric.id;
      calls.length = 0;
      const progress = [];
      const added = await m.addNic({ network: fabric }, { wait: { ...POLL, onProgress: (n) => progress.push(n.state) } });
      assert.deepEqual([calls[0].method, calls[0].path, calls[0].body], ["POST", `${mpath()}/nics`, { network: fabric }]);
      assert.equal(added.state, "running");
      assert.equal(added.network, fabric);
      assert.equal(progress.at(-1), "running");
      assert.ok(calls.slice(1).every((c) => c.method === "GET" && c.path === `${mpath()}/nics/${added.mac.replaceAll(":", "")}`));
      assert.equal(record(m.id).nics.find((n) => n.mac === added.mac).state, "running");

      calls.length = 0;
      const after = await m.removeNic(added.mac, { wait: POLL });
      assert.ok(after instanceof lib.Machine);
      assert.deepEqual(wire(calls)[0], ["DELETE", `${mpath()}/nics/${added.mac.replaceAll(":", "")}`]);
      assert.equal(record(m.id).nics.some((n) => n.mac === added.mac), false);
      await assert.rejects(m.nic(added.mac), { statusCode: 404 });
    });

    test("disks (bhyve, stopped): disks(), disk(id), createDisk/resizeDisk/deleteDisk with { wait }", async () => {
      const { m: vm, calls: c } = await runningMachine(`disks-${ENTRY}`, { image: ["debian-12", "20240112"], pkg: "bhyve-flex-2G", brand: "bhyve" });
      const dpath = `/${sim.account}/machines/${vm.id}/disks`;
      await vm.stop({ wait: POLL });
      c.length = 0;
      const before = await vm.disks();
      assert.deepEqual(wire(c), [["GET", dpath]]);
      assert.ok(before.some((d) => d.boot));
      c.length = 0;
      const boot = await vm.disk(before[0].id);
      assert.equal(boot.id, before[0].id);
      assert.deepEqual(wire(c), [["GET", `${dpath}/${before[0].id}`]]);

      // The package's space is all allocated: shrink the data disk first.
      const data = before.find((d) => !d.boot);
      c.length = 0;
      const shrunk = await vm.resizeDisk(data.id, data.size - 4096, { dangerous_allow_shrink: true, wait: POLL });
      assert.deepEqual([c[0].method, c[0].path, c[0].body], ["POST", `${dpath}/${data.id}`, { size: data.size - 4096, dangerous_allow_shrink: true }]);
      assert.equal(shrunk.size, data.size - 4096);
      assert.notEqual(shrunk.state, "resizing");
      assert.equal(record(vm.id).free_space, 4096);
      await assert.rejects(vm.resizeDisk(data.id, 1024), { code: "ValidationFailed" });

      c.length = 0;
      const made = await vm.createDisk({ size: 1024 }, { wait: POLL });
      assert.deepEqual([c[0].method, c[0].path], ["GET", dpath], "the list before, to find the new disk");
      assert.deepEqual([c[1].method, c[1].path, c[1].body], ["POST", dpath, { size: 1024 }]);
      assert.equal(made.size, 1024);
      assert.notEqual(made.state, "creating");
      assert.ok(record(vm.id).disks.some((d) => d.id === made.id && !d.job));

      c.length = 0;
      const grown = await vm.resizeDisk(made.id, 2048, { wait: POLL });
      assert.deepEqual([c[0].method, c[0].path, c[0].body], ["POST", `${dpath}/${made.id}`, { size: 2048 }]);
      assert.equal(grown.size, 2048);
      assert.equal(record(vm.id).disks.find((d) => d.id === made.id).size, 2048);

      c.length = 0;
      const gone = await vm.deleteDisk(made.id, { wait: POLL });
      assert.ok(gone instanceof lib.Machine);
      assert.deepEqual(wire(c)[0], ["DELETE", `${dpath}/${made.id}`]);
      assert.equal(record(vm.id).disks.some((d) => d.id === made.id), false);

      c.length = 0;
      await assert.rejects(vm.createDisk({ size: 0 }), TypeError);
      await assert.rejects(vm.createDisk({ size: 10, colour: "red" }), /valid options are size, pci_slot/);
      await assert.rejects(vm.createDisk({}), TypeError);
      await assert.rejects(vm.resizeDisk(made.id, -5), TypeError);
      await assert.rejects(vm.resizeDisk("not-a-uuid", 5), { code: "InvalidArgument" });
      await assert.rejects(vm.deleteDisk(42), TypeError);
      assert.equal(c.length, 0);
      await vm.delete();
    });

    test("migrations: migrate(begin/sync/switch, { wait }) with onProgress, migration(), dc.migrations(), watch, finalize", async () => {
      const { dc: d, m: vm, calls: c } = await runningMachine(`migrate-${ENTRY}`);
      const cn = record(vm.id).compute_node;
      const mpathVm = `/${sim.account}/machines/${vm.id}/migrate`;
      const seen = [];
      const begun = await vm.migrate("begin", { wait: { ...POLL, onProgress: (mig) => seen.push(`${mig.phase}:${mig.state}`) } });
      assert.deepEqual([c[0].method, c[0].path, c[0].body], ["POST", mpathVm, { action: "begin" }]);
      assert.equal(begun.machine, vm.id);
      assert.equal(begun.phase, "begin");
      assert.equal(begun.state, "paused");
      assert.ok(seen.includes("begin:running") || seen.length >= 1, seen.join());
      assert.equal(seen.at(-1), "begin:paused");
      assert.ok(c.slice(1).every((x) => x.method === "GET" && x.path === `/${sim.account}/migrations/${vm.id}`));

      c.length = 0;
      assert.equal((await vm.migration()).state, "paused");
      assert.deepEqual(wire(c), [["GET", `/${sim.account}/migrations/${vm.id}`]]);
      c.length = 0;
      const list = await d.migrations();
      assert.deepEqual(wire(c), [["GET", `/${sim.account}/migrations`]]);
      assert.ok(list.some((x) => x.machine === vm.id));

      c.length = 0;
      const events = await vm.migrate("watch");
      assert.deepEqual(c[0].body, { action: "watch" });
      assert.deepEqual(events, [{ type: "end", phase: "begin", state: "paused" }]);

      const est = await vm.migrationEstimate();
      assert.ok(est.size > 0 && est.eta_ms > 0);

      assert.equal((await vm.migrate("sync", { wait: POLL })).state, "paused");
      const done = await vm.migrate("switch", { wait: POLL });
      assert.equal(done.state, "successful");
      assert.deepEqual(done.progress_history.map((p) => p.phase), ["begin", "sync", "switch"]);
      assert.notEqual(record(vm.id).compute_node, cn);
      c.length = 0;
      assert.equal(await vm.migrate("finalize"), undefined);
      assert.deepEqual(c[0].body, { action: "finalize" });
      await assert.rejects(vm.migration(), { statusCode: 404 });

      c.length = 0;
      await assert.rejects(vm.migrate("teleport"), { code: "InvalidArgument", message: /begin, sync, switch/ });
      await assert.rejects(vm.migrate("sync", { affinity: ["x"] }), { code: "InvalidArgument" });
      await assert.rejects(vm.migrate("begin", { affinity: "x" }), TypeError);
      await assert.rejects(vm.migrate("begin", { when: "now" }), /valid options are affinity, wait/);
      await assert.rejects(vm.migrate("watch", { wait: true }), TypeError);
      await assert.rejects(vm.migrate(7), TypeError);
      assert.equal(c.length, 0);
      await vm.delete();
    });

    test("bad input to the 9.x machine methods rejects before any request", async () => {
      calls.length = 0;
      await assert.rejects(m.rename(""), { code: "InvalidArgument" });
      await assert.rejects(m.rename("bad name!"), { code: "InvalidArgument" });
      await assert.rejects(m.rename(5), TypeError);
      await assert.rejects(m.rename("ok", { wait: "yes" }), TypeError);
      await assert.rejects(m.enableFirewall({ wiat: true }), /unknown option "wiat"; valid options are wait/);
      await assert.rejects(m.nic("zz:zz"), { code: "InvalidArgument" });
      await assert.rejects(m.addNic({}), TypeError);
      await assert.rejects(m.addNic({ network: "not-a-uuid" }), { code: "InvalidArgument" });
      await assert.rejects(m.addNic({ network: sim.store.seedNetworks.fabric.id, primary: "yes" }), TypeError);
      await assert.rejects(m.removeNic(null), TypeError);
      assert.equal(calls.length, 0, JSON.stringify(calls));
    });
  });
}
