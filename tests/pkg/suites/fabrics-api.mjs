// Fabric VLANs, fabric networks and network IPs (CloudAPI 9.x): CRUD of VLANs and their
// networks, listing (every page), reading and reserving/releasing IPs; each checked on the
// wire, in the decoded result and in the simulator's store; bad input rejected before any
// request.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { sim } from "./lib/fixtures.mjs";
import { NO_TRITON, cloud, newAccount, recorder, typeError, wire } from "./lib/infra.mjs";

const NET = {
  name: "backend",
  subnet: "10.60.0.0/20",
  provision_start_ip: "10.60.0.10",
  provision_end_ip: "10.60.15.250",
  gateway: "10.60.0.1",
  resolvers: ["8.8.8.8"],
  description: "app tier",
};

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`fabrics-api (${ENTRY})`, () => {
    let a;
    before(async () => {
      a = await newAccount("fab");
    });
    const vlansOf = () => [...sim.store.vlans.values()].filter((v) => v.account === a.acct.id);

    test("createFabricVlan, fabricVlan, fabricVlans, updateFabricVlan, deleteFabricVlan", async () => {
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const v = await d.createFabricVlan({ vlan_id: 100, name: "front", description: "web" });
      wire(calls[0], "POST", `/${a.login}/fabrics/default/vlans`, {}, { name: "front", vlan_id: 100, description: "web" });
      assert.equal(calls[0].status, 201);
      assert.deepEqual(v, { name: "front", vlan_id: 100, description: "web" });
      assert.deepEqual(vlansOf().map((x) => x.vlan_id), [100]);

      assert.deepEqual(await d.fabricVlan(100), v);
      wire(calls[1], "GET", `/${a.login}/fabrics/default/vlans/100`);
      assert.deepEqual(await d.fabricVlans(), [v]);
      wire(calls[2], "GET", `/${a.login}/fabrics/default/vlans`);

      const u = await d.updateFabricVlan(v, { name: "front-2" });
      wire(calls[3], "PUT", `/${a.login}/fabrics/default/vlans/100`, {}, { name: "front-2" });
      assert.equal(calls[3].status, 202);
      assert.equal(u.name, "front-2");
      assert.equal(vlansOf()[0].name, "front-2");

      assert.equal(await d.deleteFabricVlan(100), undefined);
      wire(calls[4], "DELETE", `/${a.login}/fabrics/default/vlans/100`);
      assert.deepEqual(vlansOf(), []);
      await assert.rejects(d.fabricVlan(100), (e) => cloud("ResourceNotFound")(e) && e.statusCode === 404);
    });

    test("createFabricNetwork, fabricNetwork(s), updateFabricNetwork, deleteFabricNetwork", async () => {
      await a.dc().createFabricVlan({ vlan_id: 200, name: "back" });
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const n = await d.createFabricNetwork(200, NET);
      wire(calls[0], "POST", `/${a.login}/fabrics/default/vlans/200/networks`, {}, NET);
      assert.equal(calls[0].status, 201);
      assert.equal(n.name, "backend");
      assert.equal(n.fabric, true);
      assert.equal(n.vlan_id, 200);
      assert.equal(n.internet_nat, true);
      const stored = sim.store.networks.get(n.id);
      assert.equal(stored.owner, a.acct.id);
      assert.equal(stored.subnet, "10.60.0.0/20");

      assert.deepEqual(await d.fabricNetwork(200, n.id), n);
      wire(calls[1], "GET", `/${a.login}/fabrics/default/vlans/200/networks/${n.id}`);
      assert.deepEqual(await d.fabricNetworks({ vlan_id: 200 }), [n]);
      wire(calls[2], "GET", `/${a.login}/fabrics/default/vlans/200/networks`);

      const u = await d.updateFabricNetwork(200, n, { description: "renamed", resolvers: ["1.1.1.1", "8.8.4.4"] });
      wire(calls[3], "PUT", `/${a.login}/fabrics/default/vlans/200/networks/${n.id}`, {}, { resolvers: ["1.1.1.1", "8.8.4.4"], description: "renamed" });
      assert.deepEqual(u.resolvers, ["1.1.1.1", "8.8.4.4"]);
      assert.equal(sim.store.networks.get(n.id).description, "renamed");

      assert.equal(await d.deleteFabricNetwork(200, n.id), undefined);
      wire(calls[4], "DELETE", `/${a.login}/fabrics/default/vlans/200/networks/${n.id}`);
      assert.equal(sim.store.networks.has(n.id), false);
      await d.deleteFabricVlan(200);
    });

    test("networkIps (every page), networkIp, updateNetworkIp reserve and release", async () => {
      const d0 = a.dc();
      await d0.createFabricVlan({ vlan_id: 300, name: "ips" });
      const n = await d0.createFabricNetwork(300, { ...NET, name: "ips", subnet: "10.61.0.0/20", provision_start_ip: "10.61.0.10", provision_end_ip: "10.61.15.250", gateway: "10.61.0.1" });
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const r = await d.updateNetworkIp(n.id, "10.61.0.20", { reserved: true });
      wire(calls[0], "PUT", `/${a.login}/networks/${n.id}/ips/10.61.0.20`, {}, { reserved: true });
      assert.deepEqual(r, { ip: "10.61.0.20", reserved: true, managed: false });
      assert.equal(sim.store.networks.get(n.id).ips.get("10.61.0.20").reserved, true);

      assert.deepEqual(await d.networkIp(n, "10.61.0.20"), r);
      wire(calls[1], "GET", `/${a.login}/networks/${n.id}/ips/10.61.0.20`);
      const free = await d.networkIp(n.id, "10.61.0.30");
      assert.deepEqual(free, { ip: "10.61.0.30", reserved: false, managed: false });

      // 1,200 reservations straight into the store: two pages of ListNetworkIPs.
      const net = sim.store.networks.get(n.id);
      for (let i = 0; i < 1200; i++) {
        const ip = `10.61.${8 + Math.floor(i / 250)}.${(i % 250) + 1}`;
        net.ips.set(ip, { ip, reserved: true, managed: false });
      }
      calls.length = 0;
      const all = await d.networkIps(n.id);
      assert.equal(all.length, 1202, "the gateway, 10.61.0.20 and the 1,200 reservations");
      assert.equal(new Set(all.map((x) => x.ip)).size, 1202);
      assert.equal(calls.length, 2);
      wire(calls[0], "GET", `/${a.login}/networks/${n.id}/ips`, { limit: "1000", offset: "0" });
      wire(calls[1], "GET", `/${a.login}/networks/${n.id}/ips`, { limit: "1000", offset: "1000" });
      assert.deepEqual(all.find((x) => x.ip === "10.61.0.1"), { ip: "10.61.0.1", reserved: true, managed: true });

      const released = await d.updateNetworkIp(n.id, "10.61.0.20", { reserved: false });
      assert.equal(released.reserved, false);
      assert.equal(net.ips.has("10.61.0.20"), false);
      await assert.rejects(d.updateNetworkIp(n.id, "10.61.0.1", { reserved: false }), cloud("InvalidArgument", /managed IP/));
    });

    test("the official triton CLI and this library agree on fabric VLANs and networks", { skip: NO_TRITON }, async () => {
      const d = a.dc();
      await a.cli("vlan", "create", "-j", "--name", "cli-vlan", "--description", "made by triton", "400");
      assert.deepEqual(await d.fabricVlan(400), { name: "cli-vlan", vlan_id: 400, description: "made by triton" });
      const n = await d.createFabricNetwork(400, { ...NET, name: "wasm-net", subnet: "10.62.0.0/24", provision_start_ip: "10.62.0.10", provision_end_ip: "10.62.0.200", gateway: "10.62.0.1" });
      const got = await a.cli("network", "get", "-j", n.id);
      assert.equal(got.id, n.id);
      assert.equal(got.name, "wasm-net");
      assert.equal(got.subnet, "10.62.0.0/24");
      assert.equal(got.vlan_id, 400);
      // Why concat: one JSON line parses as a single object, several as an array.
      const nets = [].concat(await a.cli("vlan", "networks", "-j", "400"));
      assert.deepEqual(nets.map((x) => x.id), [n.id]);
    });

    test("bad input is rejected before any request, with precise messages", async () => {
      const { fetch, calls } = recorder();
      const d = a.dc({ fetch });
      const id = crypto.randomUUID();
      await assert.rejects(d.fabricVlan("100"), typeError(/^fabricVlan\(vlanId\): vlanId must be a VLAN id \(a whole number 0-4095\) or an object with vlan_id, got a string$/));
      await assert.rejects(d.fabricVlan(1.5), typeError(/vlanId must be a VLAN id/));
      await assert.rejects(d.fabricVlan(-1), typeError(/vlanId must be a VLAN id/));
      await assert.rejects(d.fabricVlan(4096), cloud("InvalidArgument", /^vlan_id must be between 0 and 4095, got 4096$/));
      await assert.rejects(d.createFabricVlan(), typeError(/^createFabricVlan\(fields\) is required \(\{ vlan_id, name, description\? \}\)$/));
      await assert.rejects(d.createFabricVlan({ name: "x" }), cloud("InvalidArgument", /^createFabricVlan needs vlan_id \(0-4095\) and name$/));
      await assert.rejects(d.createFabricVlan({ vlan_id: 5, name: "x", id: 5 }), typeError(/unknown option "id"; valid options are vlan_id, name, description$/));
      await assert.rejects(d.createFabricVlan({ vlan_id: 5, name: "" }), cloud("InvalidArgument", /^VLAN name must not be empty$/));
      await assert.rejects(d.updateFabricVlan(5, {}), cloud("InvalidArgument", /^updateFabricVlan needs name or description$/));
      await assert.rejects(d.updateFabricVlan(5, { vlan_id: 6 }), cloud("InvalidArgument", /^a fabric VLAN's vlan_id cannot be changed$/));
      await assert.rejects(d.deleteFabricVlan(null), typeError(/^deleteFabricVlan\(vlanId\): vlanId must be a VLAN id/));
      await assert.rejects(d.createFabricNetwork(5, { name: "x" }), cloud("InvalidArgument", /^createFabricNetwork needs name, subnet, provision_start_ip and provision_end_ip$/));
      await assert.rejects(d.createFabricNetwork(5, { ...NET, subnet: "10.0.0.0" }), cloud("InvalidArgument", /^subnet must be CIDR like 192\.168\.128\.0\/22, got "10\.0\.0\.0"$/));
      await assert.rejects(d.createFabricNetwork(5, { ...NET, gateway: "10.60.0.256" }), cloud("InvalidArgument", /^gateway must be an IP address, got "10\.60\.0\.256"$/));
      await assert.rejects(d.createFabricNetwork(5, { ...NET, resolvers: ["1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4", "1.1.1.5"] }), cloud("InvalidArgument", /^at most 4 resolvers are allowed, got 5$/));
      await assert.rejects(d.createFabricNetwork(5, { ...NET, routes: ["x"] }), cloud("InvalidArgument", /^routes must be an object/));
      await assert.rejects(d.createFabricNetwork(5, { ...NET, vlan: 5 }), typeError(/unknown option "vlan"; valid options are name, subnet, provision_start_ip/));
      await assert.rejects(d.updateFabricNetwork(5, id, { subnet: "10.1.0.0/24" }), cloud("InvalidArgument", /^a fabric network's subnet cannot be changed$/));
      await assert.rejects(d.updateFabricNetwork(5, "net", { name: "x" }), cloud("InvalidArgument", /^network id must be a UUID/));
      await assert.rejects(d.fabricNetwork(5), typeError(/^fabricNetwork\(vlanId, id\): id must be a string or an object with an id/));
      await assert.rejects(d.deleteFabricNetwork(5, "x"), cloud("InvalidArgument", /^network id must be a UUID/));
      await assert.rejects(d.networkIps("x"), cloud("InvalidArgument", /^network id must be a UUID/));
      await assert.rejects(d.networkIp(id, "10.0.0"), cloud("InvalidArgument", /^ip must be an IP address, got "10\.0\.0"$/));
      await assert.rejects(d.networkIp(id), typeError(/^networkIp\(networkId, ip\): ip must be a string, got undefined$/));
      await assert.rejects(d.updateNetworkIp(id, "10.0.0.1", {}), cloud("InvalidArgument", /^updateNetworkIp needs reserved \(true or false\)$/));
      await assert.rejects(d.updateNetworkIp(id, "10.0.0.1"), typeError(/^updateNetworkIp\(networkId, ip, fields\) is required \(\{ reserved: true \| false \}\)$/));
      await assert.rejects(d.updateNetworkIp(id, "10.0.0.1", { reserved: "yes" }), typeError(/^updateNetworkIp\(networkId, ip, fields\): .*boolean/));
      await assert.rejects(d.updateNetworkIp(id, "10.0.0.1", { reserve: true }), typeError(/unknown option "reserve"; valid options are reserved$/));
      assert.equal(calls.length, 0, "a rejected argument sent a request");
    });
  });
}
