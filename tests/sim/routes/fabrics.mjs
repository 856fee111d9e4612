// Fabric VLANs and fabric networks (cloudapi lib/endpoints/networks.js, 7.3+, cloudapi.md
// §4.14). Validation errors are NAPI's, translated the way CloudAPI does: 404 →
// ResourceNotFound, anything else → 409 InvalidArgument 'property "<field>": <message>'.
// With the simulator option `fabrics: false` every route answers 501 like a DC without
// fabrics.
import { ensureResourceModel } from "../lib/res-common.mjs";
import { intToIp, ipToInt, parseSubnet } from "../lib/store.mjs";

const V73 = ["7.3.0", "8.0.0", "9.0.0"];
const MAX_RESOLVERS = 4;
const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(parseSubnetLoose);

function parseSubnetLoose(s) {
  const [ip, bits] = s.split("/");
  const mask = (0xffffffff << (32 - Number(bits))) >>> 0;
  return { base: (ipToInt(ip) & mask) >>> 0, mask };
}

function isIpv4(s) {
  const m = IPV4_RE.exec(String(s));
  return !!m && m.slice(1).every((x) => Number(x) <= 255);
}

export function register(ctx) {
  const { store, errors } = ctx;
  ensureResourceModel(store);
  const prop = (field, msg) => errors.invalidArgument(`property "${field}": ${msg}`);

  const enabled = () => {
    if (ctx.sim.fabrics === false) throw errors.notImplemented("fabrics not enabled for this datacenter");
  };

  const vlanKey = (account, id) => `${account.id}:${id}`;
  const vlanJson = (v) => {
    const o = { name: v.name, vlan_id: v.vlan_id };
    if (v.description) o.description = v.description;
    return o;
  };

  /** vlan_id from the path or body: an integer 0–4095. */
  const vlanIdParam = (v) => {
    const n = typeof v === "number" ? v : /^\d+$/.test(String(v)) ? Number(v) : NaN;
    if (!Number.isInteger(n)) throw prop("vlan_id", "must be an integer");
    if (n < 0 || n > 4095) throw prop("vlan_id", "must be between 0 and 4095");
    return n;
  };

  const findVlan = (req) => {
    const id = vlanIdParam(req.params.vlan_id);
    const v = store.vlans.get(vlanKey(req.account, id));
    if (!v) throw errors.notFound("vlan not found");
    return v;
  };

  const networksOfVlan = (account, vlanId) =>
    [...store.networks.values()].filter((n) => n.fabric && n.owner === account.id && n.vlan_id === vlanId);

  const findNetwork = (req, vlan) => {
    const n = store.networks.get(String(req.params.id));
    if (!n || !n.fabric || n.owner !== req.account.id || n.vlan_id !== vlan.vlan_id) throw errors.notFound("network not found");
    return n;
  };

  const optString = (p, field) => {
    if (p[field] !== undefined && typeof p[field] !== "string") throw prop(field, "must be a string");
  };

  const checkResolvers = (r) => {
    if (r === undefined) return;
    if (!Array.isArray(r)) throw prop("resolvers", "must be an array");
    r.forEach((ip, i) => {
      if (!isIpv4(ip)) throw prop(`resolvers[${i}]`, "must be an IPv4 address");
    });
    if (r.length > MAX_RESOLVERS) throw prop("resolvers", `maximum of ${MAX_RESOLVERS} resolvers`);
  };

  const checkRoutes = (r) => {
    if (r === undefined) return;
    if (typeof r !== "object" || r === null || Array.isArray(r)) throw prop("routes", "must be an object");
    for (const [dst, gw] of Object.entries(r)) {
      if (!isIpv4(gw) || !(isIpv4(dst) || parseSubnet(dst))) throw prop("routes", `invalid route ${dst} → ${gw}`);
    }
  };

  /** Provision range checks NAPI makes on create and update. */
  const checkRange = (sub, start, end, gateway) => {
    const inSub = (ip) => ((ipToInt(ip) & sub.mask) >>> 0) === sub.base;
    if (!inSub(start)) throw prop("provision_start_ip", "IP must be within subnet");
    if (!inSub(end)) throw prop("provision_end_ip", "IP must be within subnet");
    if (ipToInt(start) > ipToInt(end)) throw prop("provision_end_ip", "provision_start_ip must be before provision_end_ip");
    if (gateway !== undefined && !inSub(gateway)) throw prop("gateway", "IP must be within subnet");
  };

  // ------------------------------------------------------------------ VLANs

  ctx.route("GET", "/:account/fabrics/default/vlans", "ListFabricVLANs", (req) => {
    enabled();
    return [...store.vlans.values()].filter((v) => v.account === req.account.id).sort((a, b) => a.vlan_id - b.vlan_id).map(vlanJson);
  }, { version: V73, group: "networks" });

  ctx.route("POST", "/:account/fabrics/default/vlans", "CreateFabricVLAN", (req, res) => {
    enabled();
    const p = req.params;
    if (p.vlan_id === undefined) throw prop("vlan_id", "is missing and it is required");
    if (p.name === undefined) throw prop("name", "is missing and it is required");
    const id = vlanIdParam(p.vlan_id);
    optString(p, "name");
    optString(p, "description");
    if (store.vlans.has(vlanKey(req.account, id))) throw prop("vlan_id", "VLAN ID is already in use");
    const v = { vlan_id: id, name: p.name, description: p.description, account: req.account.id };
    store.vlans.set(vlanKey(req.account, id), v);
    res.send(201, vlanJson(v));
  }, { version: V73, group: "networks" });

  ctx.route("GET", "/:account/fabrics/default/vlans/:vlan_id", "GetFabricVLAN", (req) => {
    enabled();
    return vlanJson(findVlan(req));
  }, { version: V73, group: "networks" });

  ctx.route("PUT", "/:account/fabrics/default/vlans/:vlan_id", "UpdateFabricVLAN", (req, res) => {
    enabled();
    const p = req.params;
    optString(p, "name");
    optString(p, "description");
    const v = findVlan(req);
    if (p.name !== undefined) v.name = p.name;
    if (p.description !== undefined) v.description = p.description;
    res.send(202, vlanJson(v));
  }, { version: V73, group: "networks" });

  ctx.route("DELETE", "/:account/fabrics/default/vlans/:vlan_id", "DeleteFabricVLAN", (req, res) => {
    enabled();
    const v = findVlan(req);
    const nets = networksOfVlan(req.account, v.vlan_id);
    if (nets.length) throw errors.invalidArgument(nets.map((n) => `In use by network "${n.id}"`).join(", "));
    store.vlans.delete(vlanKey(req.account, v.vlan_id));
    res.send(204);
  }, { version: V73, group: "networks" });

  // ------------------------------------------------------------------ fabric networks

  ctx.route("GET", "/:account/fabrics/default/vlans/:vlan_id/networks", "ListFabricNetworks", (req) => {
    enabled();
    const v = findVlan(req);
    return networksOfVlan(req.account, v.vlan_id).map((n) => store.networkJson(n));
  }, { version: V73, group: "networks" });

  ctx.route("POST", "/:account/fabrics/default/vlans/:vlan_id/networks", "CreateFabricNetwork", (req, res) => {
    enabled();
    const p = req.params;
    for (const f of ["name", "subnet", "provision_start_ip", "provision_end_ip"]) {
      if (p[f] === undefined || p[f] === "") throw prop(f, "is missing and it is required");
    }
    optString(p, "name");
    optString(p, "description");
    for (const f of ["provision_start_ip", "provision_end_ip", "gateway"]) {
      if (p[f] !== undefined && !isIpv4(p[f])) throw prop(f, "must be an IPv4 address");
    }
    checkResolvers(p.resolvers);
    checkRoutes(p.routes);
    if (p.internet_nat !== undefined && typeof p.internet_nat !== "boolean") throw prop("internet_nat", "must be a boolean");
    const v = findVlan(req);
    const sub = parseSubnet(p.subnet);
    if (!sub || sub.bits < 8 || sub.bits > 30) throw prop("subnet", "Subnet must be in CIDR form");
    if (!PRIVATE.some((r) => ((sub.base & r.mask) >>> 0) === r.base && sub.mask >= r.mask)) {
      throw prop("subnet", "subnet must be within private ranges (RFC 1918)");
    }
    checkRange(sub, p.provision_start_ip, p.provision_end_ip, p.gateway);
    const mine = [...store.networks.values()].filter((n) => n.fabric && n.owner === req.account.id);
    for (const n of mine) {
      const o = parseSubnet(n.subnet);
      const m = Math.min(o.mask, sub.mask) >>> 0;
      if (((o.base & m) >>> 0) === ((sub.base & m) >>> 0)) throw prop("subnet", "subnet overlaps with another network");
      if (n.name === p.name) throw prop("name", "name is already in use");
    }
    const net = store.addNetwork({
      name: p.name,
      public: false,
      description: p.description,
      subnet: `${intToIp(sub.base)}/${sub.bits}`,
      provision_start_ip: p.provision_start_ip,
      provision_end_ip: p.provision_end_ip,
      gateway: p.gateway,
      resolvers: p.resolvers || [],
      routes: p.routes,
      fabric: true,
      vlan_id: v.vlan_id,
      internet_nat: p.internet_nat !== false,
      owner: req.account.id,
      nic_tag: "sdc_overlay",
    });
    res.send(201, store.networkJson(net));
  }, { version: V73, group: "networks" });

  ctx.route("GET", "/:account/fabrics/default/vlans/:vlan_id/networks/:id", "GetFabricNetwork", (req) => {
    enabled();
    return store.networkJson(findNetwork(req, findVlan(req)));
  }, { version: V73, group: "networks" });

  ctx.route("PUT", "/:account/fabrics/default/vlans/:vlan_id/networks/:id", "UpdateFabricNetwork", (req) => {
    enabled();
    if (req.body && typeof req.body === "object" && req.body.id) throw prop("id", "cannot be set");
    const p = req.params;
    optString(p, "name");
    optString(p, "description");
    for (const f of ["provision_start_ip", "provision_end_ip"]) {
      if (p[f] !== undefined && !isIpv4(p[f])) throw prop(f, "must be an IPv4 address");
    }
    checkResolvers(p.resolvers);
    checkRoutes(p.routes);
    const net = findNetwork(req, findVlan(req));
    const start = p.provision_start_ip ?? net.provision_start_ip;
    const end = p.provision_end_ip ?? net.provision_end_ip;
    checkRange(parseSubnet(net.subnet), start, end);
    if (p.name !== undefined) net.name = p.name;
    if (p.description !== undefined) net.description = p.description;
    net.provision_start_ip = start;
    net.provision_end_ip = end;
    if (p.resolvers !== undefined) net.resolvers = p.resolvers;
    if (p.routes !== undefined) net.routes = p.routes;
    return store.networkJson(net);
  }, { version: V73, group: "networks" });

  ctx.route("DELETE", "/:account/fabrics/default/vlans/:vlan_id/networks/:id", "DeleteFabricNetwork", (req, res) => {
    enabled();
    const net = findNetwork(req, findVlan(req));
    if (req.account.config.default_network === net.id) throw errors.invalidArgument("cannot delete default network");
    const users = [...store.machines.values()].filter((m) => !m.destroyed && m.nics.some((n) => n.network === net.id));
    if (users.length) throw errors.invalidArgument(users.map((m) => `In use by vm "${m.id}"`).join(", "));
    const vols = [...store.volumes.values()].filter((v) => v.state !== "deleted" && (v.networks || []).includes(net.id));
    if (vols.length) throw errors.invalidArgument(vols.map((v) => `In use by volume "${v.id}"`).join(", "));
    store.networks.delete(net.id);
    res.send(204);
  }, { version: V73, group: "networks" });
}

