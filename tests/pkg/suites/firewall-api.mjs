// Firewall rules (CloudAPI 9.x): list, get, create, update, enable/disable, delete, and the
// machines a rule affects (as Machine objects); each checked on the wire, in the decoded
// result and in the simulator's store; bad input rejected before any request.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { lib, sim } from "./lib/fixtures.mjs";
import { NO_TRITON, cloud, newAccount, recorder, typeError, wire } from "./lib/infra.mjs";

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`firewall-api (${ENTRY})`, () => {
    let a;
    let ids;
    before(async () => {
      a = await newAccount("fw");
      ids = (await sim.admin("/__sim/machines/bulk", { count: 2, state: "running", login: a.login })).ids;
    });
    after(() => sim.admin("/__sim/faults", undefined, "DELETE"));

    test("createFirewallRule, firewallRule, firewallRules (wire, result, store)", async () => {
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const text = `FROM any TO vm ${ids[0]} ALLOW tcp PORT 22`;
      const r = await d.createFirewallRule({ rule: text, enabled: true, description: "ssh" });
      wire(calls[0], "POST", `/${a.login}/fwrules`, {}, { rule: text, enabled: true, description: "ssh" });
      assert.equal(calls[0].status, 201);
      assert.deepEqual(r, { id: r.id, rule: text, enabled: true, log: false, description: "ssh" });
      const stored = sim.store.fwrules.get(r.id);
      assert.equal(stored.owner, a.acct.id);
      assert.equal(stored.enabled, true);

      assert.deepEqual(await d.firewallRule(r.id), r);
      wire(calls[1], "GET", `/${a.login}/fwrules/${r.id}`);
      assert.deepEqual(await d.firewallRule(r), r, "a rule object names the rule");
      const list = await d.firewallRules();
      wire(calls[3], "GET", `/${a.login}/fwrules`);
      assert.deepEqual(list, [r]);
    });

    test("updateFirewallRule, disableFirewallRule, enableFirewallRule", async () => {
      const d0 = a.dc();
      const r = await d0.createFirewallRule({ rule: `FROM any TO vm ${ids[0]} ALLOW tcp PORT 80` });
      assert.equal(r.enabled, false);
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const text = `FROM any TO vm ${ids[1]} ALLOW tcp PORT 443`;
      const u = await d.updateFirewallRule(r.id, { rule: text, log: true });
      wire(calls[0], "POST", `/${a.login}/fwrules/${r.id}`, {}, { rule: text, log: true });
      assert.equal(u.rule, text);
      assert.equal(u.log, true);
      assert.equal(sim.store.fwrules.get(r.id).rule, text);

      const on = await d.enableFirewallRule(r);
      wire(calls[1], "POST", `/${a.login}/fwrules/${r.id}/enable`);
      assert.equal(on.enabled, true);
      assert.equal(sim.store.fwrules.get(r.id).enabled, true);
      const off = await d.disableFirewallRule(r.id);
      wire(calls[2], "POST", `/${a.login}/fwrules/${r.id}/disable`);
      assert.equal(off.enabled, false);
      assert.equal(sim.store.fwrules.get(r.id).enabled, false);
    });

    test("firewallRuleMachines resolves with Machine objects of the affected machines", async () => {
      const d0 = a.dc();
      const r = await d0.createFirewallRule({ rule: `FROM vm ${ids[0]} TO vm ${ids[1]} ALLOW udp PORT 53` });
      const { fetch, calls } = recorder();
      const machines = await a.dc({ fetch }).firewallRuleMachines(r.id);
      wire(calls[0], "GET", `/${a.login}/fwrules/${r.id}/machines`);
      assert.equal(machines.length, 2);
      for (const m of machines) assert.ok(m instanceof lib.Machine);
      assert.deepEqual(machines.map((m) => m.id).sort(), [...ids].sort());
      assert.equal(machines[0].state, "running");
      const none = await d0.createFirewallRule({ rule: "FROM any TO ip 10.9.9.9 ALLOW tcp PORT 1" });
      assert.deepEqual(await d0.firewallRuleMachines(none), []);
    });

    test("deleteFirewallRule removes the rule; server errors come back as CloudApiErrors", async () => {
      const d0 = a.dc();
      const r = await d0.createFirewallRule({ rule: "FROM any TO all vms ALLOW tcp PORT 8080" });
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      assert.equal(await d.deleteFirewallRule(r.id), undefined);
      wire(calls[0], "DELETE", `/${a.login}/fwrules/${r.id}`);
      assert.equal(calls[0].status, 204);
      assert.equal(sim.store.fwrules.has(r.id), false);
      await assert.rejects(d.firewallRule(r.id), (e) => cloud("ResourceNotFound")(e) && e.statusCode === 404);
      await assert.rejects(
        d.createFirewallRule({ rule: "FROM nowhere TO any ALLOW tcp PORT 1" }),
        (e) => cloud("InvalidParameters")(e) && e.statusCode === 422,
      );
    });

    test("reads and enable are retried after a 503; createFirewallRule is never re-sent", async () => {
      const busy = { count: 1, kind: "status", status: 503, body: { code: "ServiceUnavailableError", message: "busy" } };
      const r = await a.dc().createFirewallRule({ rule: "FROM any TO all vms ALLOW tcp PORT 25" });
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      await sim.admin("/__sim/faults", { ...busy, method: "GET", path: `^/${a.login}/fwrules$` });
      assert.ok((await d.firewallRules()).some((x) => x.id === r.id));
      assert.deepEqual(calls.map((c) => c.status), [503, 200]);

      await sim.admin("/__sim/faults", { ...busy, method: "POST", path: `^/${a.login}/fwrules/${r.id}/enable$` });
      assert.equal((await d.enableFirewallRule(r.id)).enabled, true);
      assert.deepEqual(calls.slice(2).map((c) => c.status), [503, 200]);

      const count = sim.store.fwrules.size;
      await sim.admin("/__sim/faults", { ...busy, method: "POST", path: `^/${a.login}/fwrules$` });
      await assert.rejects(
        d.createFirewallRule({ rule: "FROM any TO all vms ALLOW tcp PORT 26" }),
        (e) => cloud("ServiceUnavailableError")(e) && e.statusCode === 503,
      );
      assert.deepEqual(calls.slice(4).map((c) => [c.method, c.status]), [["POST", 503]]);
      assert.equal(sim.store.fwrules.size, count);
    });

    test("the official triton CLI and this library agree on firewall rules", { skip: NO_TRITON }, async () => {
      const d = a.dc();
      const text = `FROM any TO vm ${ids[1]} ALLOW tcp PORT 9000`;
      // Why the text: `triton fwrule create` prints "Created firewall rule <id>" even with -j.
      const made = /^Created firewall rule ([0-9a-f-]{36})$/m.exec(await a.cli("fwrule", "create", "-D", "from the cli", text));
      assert.ok(made);
      const byCli = await d.firewallRule(made[1]);
      assert.deepEqual(byCli, { id: made[1], rule: text, enabled: true, log: false, description: "from the cli" });
      const mine = await d.createFirewallRule({ rule: "FROM any TO all vms BLOCK udp PORT 9001", log: true, description: "from wasm" });
      const got = await a.cli("fwrule", "get", "-j", mine.id);
      assert.equal(got.id, mine.id);
      assert.equal(got.rule, mine.rule);
      assert.equal(got.enabled, false);
      assert.equal(got.log, true);
      assert.equal(got.description, "from wasm");
    });

    test("bad input is rejected before any request, with precise messages", async () => {
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const id = crypto.randomUUID();
      await assert.rejects(d.createFirewallRule(), typeError(/^createFirewallRule\(fields\) is required \(\{ rule, enabled\?, log\?, description\? \}\)$/));
      await assert.rejects(d.createFirewallRule({ enabled: true }), cloud("InvalidArgument", /^createFirewallRule needs rule text$/));
      await assert.rejects(d.createFirewallRule({ rule: " " }), cloud("InvalidArgument", /^rule must not be empty$/));
      await assert.rejects(d.createFirewallRule({ rule: "FROM any TO any ALLOW tcp PORT 1", enabled: "yes" }), typeError(/^createFirewallRule\(fields\): .*boolean/));
      await assert.rejects(d.createFirewallRule({ rule: "x", priority: 1 }), typeError(/unknown option "priority"; valid options are rule, enabled, log, description$/));
      await assert.rejects(d.firewallRule("abc"), cloud("InvalidArgument", /^firewall rule id must be a UUID/));
      await assert.rejects(d.firewallRule(), typeError(/^firewallRule\(id\): id must be a string or an object with an id, got undefined$/));
      await assert.rejects(d.updateFirewallRule(id, {}), cloud("InvalidArgument", /^updateFirewallRule needs at least one field to change$/));
      await assert.rejects(d.updateFirewallRule(id), typeError(/^updateFirewallRule\(id, fields\) is required/));
      await assert.rejects(d.enableFirewallRule("x"), cloud("InvalidArgument", /^firewall rule id must be a UUID/));
      await assert.rejects(d.disableFirewallRule({}), typeError(/^disableFirewallRule\(id\): id must be a string or an object with an id/));
      await assert.rejects(d.deleteFirewallRule(7), typeError(/^deleteFirewallRule\(id\): id must be a string or an object with an id/));
      await assert.rejects(d.firewallRuleMachines("x"), cloud("InvalidArgument", /^firewall rule id must be a UUID/));
      assert.equal(calls.length, 0, "a rejected argument sent a request");
    });
  });
}
