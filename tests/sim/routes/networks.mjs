// Networks and their IPs (cloudapi lib/endpoints/networks.js, cloudapi.md §4.15).
// ListNetworks shows shared networks, the account's fabric networks and network pools
// (pool members hidden; `?fabric=<anything>` → fabric networks only). IP lists page with
// limit/offset (+ x-query-limit / x-resource-count); pools → 409; reservations only on
// networks the account owns (fabrics), never on shared ("public" in NAPI's sense) ones.
import { ensureResourceModel, ipInSubnet, isPool, isSharedNetwork, roleTagHeader, usableNetworks } from "../lib/res-common.mjs";
import { ipToInt } from "../lib/store.mjs";

const ADMIN_UUID = "00000000-0000-0000-0000-000000000000";

/** Pool wire object (translateNetwork on a NAPI pool). */
export function poolJson(p) {
  const o = { id: p.id, name: p.name, public: !!p.public };
  if (p.description) o.description = p.description;
  return o;
}

export function register(ctx) {
  const { store, errors } = ctx;
  ensureResourceModel(store);

  const netJson = (n) => (isPool(n) ? poolJson(n) : store.networkJson(n));

  /** translateIp: what an account may see of a NAPI IP record. */
  const ipJson = (rec, account) => {
    const o = { ip: rec.ip, reserved: !!rec.reserved };
    if (rec.owner_uuid !== undefined) o.owner_uuid = rec.owner_uuid;
    if (rec.belongs_to_uuid !== undefined) o.belongs_to_uuid = rec.belongs_to_uuid;
    o.managed = rec.belongs_to_type === "other" || rec.owner_uuid === ADMIN_UUID;
    if (o.managed) {
      delete o.owner_uuid;
      delete o.belongs_to_uuid;
    }
    if (rec.owner_uuid !== account.id) delete o.belongs_to_uuid;
    return o;
  };

  /** The IP records NAPI holds for a network, incl. the gateway NAPI reserves on fabrics. */
  const ipRecords = (net) => {
    const recs = [...net.ips.values()];
    if (net.fabric && net.gateway && !net.ips.has(net.gateway)) {
      recs.push({ ip: net.gateway, reserved: true, owner_uuid: ADMIN_UUID, belongs_to_type: "other", belongs_to_uuid: ADMIN_UUID });
    }
    return recs.sort((a, b) => ipToInt(a.ip) - ipToInt(b.ip));
  };

  /** validateNetworkForIps: a usable, non-pool network. */
  const ipNetwork = (req) => {
    const id = req.params.id;
    const net = usableNetworks(store, req.account).find((n) => n.id === id);
    if (!net) throw errors.notFound(`${id} not found`);
    if (isPool(net)) throw errors.invalidArgument(`cannot get IPs in a network pool: ${net.id}`);
    return net;
  };

  /** napi.getIP: a record, or a virtual free one for an address inside the subnet. */
  const getIp = (net, ip) => {
    if (typeof ip !== "string" || Number.isNaN(ipToInt(ip))) throw errors.invalidArgument('property "ip": must be a valid IP address');
    if (!ipInSubnet(net, ip)) throw errors.notFound("IP address not in subnet");
    return ipRecords(net).find((r) => r.ip === ip) || { ip, reserved: false };
  };

  ctx.route("GET", "/:account/networks", "ListNetworks", (req, res) => {
    roleTagHeader(store, req, res);
    const fabricOnly = req.query && req.query.fabric;
    return usableNetworks(store, req.account)
      .filter((n) => !store.poolMembers.has(n.id))
      .filter((n) => !fabricOnly || n.fabric)
      .map(netJson);
  });

  ctx.route("GET", "/:account/networks/:network", "GetNetwork", (req, res) => {
    const id = req.params.network;
    const net = usableNetworks(store, req.account).find((n) => n.id === id);
    if (!net) throw errors.notFound(`${id} not found`);
    roleTagHeader(store, req, res);
    return netJson(net);
  });

  ctx.route("GET", "/:account/networks/:id/ips", "ListNetworkIPs", (req, res) => {
    const net = ipNetwork(req);
    const limitRaw = req.params.limit || 1000;
    const offsetRaw = req.params.offset || 0;
    const limit = Number(limitRaw);
    const offset = Number(offsetRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw errors.invalidArgument('property "limit": must be an integer between 1 and 1000');
    if (!Number.isInteger(offset) || offset < 0) throw errors.invalidArgument('property "offset": must be an integer >= 0');
    const shared = isSharedNetwork(net);
    const ips = ipRecords(net)
      .filter((r) => !shared || r.owner_uuid === req.account.id)
      .slice(offset, offset + limit)
      .filter((r) => r.belongs_to_uuid || r.reserved)
      .map((r) => ipJson(r, req.account));
    res.header("x-query-limit", limitRaw);
    res.header("x-resource-count", ips.length);
    res.send(200, ips);
  });

  ctx.route("GET", "/:account/networks/:id/ips/:ip_address", "GetNetworkIP", (req) => {
    const net = ipNetwork(req);
    const rec = getIp(net, req.params.ip_address);
    if (isSharedNetwork(net) && rec.owner_uuid !== req.account.id) throw errors.notFound(`${req.params.ip_address} not found`);
    return ipJson(rec, req.account);
  });

  ctx.route("PUT", "/:account/networks/:id/ips/:ip_address", "UpdateNetworkIP", (req) => {
    const net = ipNetwork(req);
    if (!Object.prototype.hasOwnProperty.call(req.params, "reserved")) throw errors.missingParameter("reserved is a required argument");
    let reserved = req.params.reserved;
    if (reserved === "true") reserved = true;
    else if (reserved === "false") reserved = false;
    if (typeof reserved !== "boolean") throw errors.invalidArgument("reserved must be set to true or false");
    if (isSharedNetwork(net)) throw errors.invalidArgument(`cannot update an IP on a public network: ${net.id}`);
    const ip = req.params.ip_address;
    const current = ipJson(getIp(net, ip), req.account);
    if (current.managed) throw errors.invalidArgument(`cannot update managed IP: ${ip}`);
    if (current.owner_uuid !== undefined && current.owner_uuid !== req.account.id) {
      throw errors.invalidArgument(`IP ${ip} on network ${net.id} is in use by another account`);
    }
    const rec = net.ips.get(ip);
    if (rec) {
      rec.reserved = reserved;
      if (!reserved && !rec.belongs_to_uuid) net.ips.delete(ip);
    } else if (reserved) {
      net.ips.set(ip, { ip, reserved: true, managed: false });
    }
    return ipJson(net.ips.get(ip) || { ip, reserved: false }, req.account);
  });
}
