// Shared helpers for the resource route files (users, roles, policies, role tags, access
// keys, sub-user keys, NICs, disks, firewall rules, fabrics, networks, volumes, migrations,
// config, limits). The collections these need beyond lib/store.mjs (network pools,
// provisioning limits) are attached to the store object here, once, at register time.
import { parseSubnet, ipToInt, intToIp } from "./store.mjs";

/**
 * Attach the extra collections to the store (idempotent):
 *  - store.networkPools: pool uuid → {id, name, public, description, networks: [member ids]}
 *  - store.poolMembers:  member network uuid → network record (also in store.networks, so
 *    machines can use it; ListNetworks hides pool members)
 *  - store.provisionLimits: account uuid → [{by, value, check?, os?, image?}]
 */
export function ensureResourceModel(store) {
  if (store.networkPools) return store;
  store.networkPools = new Map();
  store.poolMembers = new Map();
  store.provisionLimits = new Map();

  // One public pool whose single member network is hidden from ListNetworks (cloudapi.md
  // §4.15).
  const member = store.addNetwork({
    name: "Joyent-SDC-Public-2",
    public: true,
    description: "Second public network (member of Joyent-SDC-Public-Pool)",
    subnet: "198.51.100.0/24",
    provision_start_ip: "198.51.100.10",
    provision_end_ip: "198.51.100.250",
    gateway: "198.51.100.1",
    resolvers: ["8.8.8.8", "8.8.4.4"],
    nic_tag: "external",
  });
  store.poolMembers.set(member.id, member);
  const pool = {
    id: store.uuid(),
    name: "Joyent-SDC-Public-Pool",
    public: true,
    description: "Pool of public networks",
    networks: [member.id],
    nic_tag: "external",
  };
  store.networkPools.set(pool.id, pool);

  for (const acct of store.accounts.values()) {
    store.provisionLimits.set(acct.id, [
      { by: "machines", value: 100 },
      { by: "ram", value: 262144 },
      { check: "os", os: "windows", by: "machines", value: 2 },
    ]);
  }
  return store;
}

/**
 * The networks and pools an account may use, as CloudAPI's `req.networks`: every shared
 * network (pool members included), the account's fabric networks, and the pools.
 */
export function usableNetworks(store, account) {
  ensureResourceModel(store);
  return [...store.networksFor(account), ...store.networkPools.values()];
}

/** True when `n` is a pool record. */
export function isPool(n) {
  return Array.isArray(n && n.networks);
}

/**
 * "Public" in NAPI's IP sense: a network with no owner (shared). Fabric networks belong to
 * one account; only those accept IP reservations (cloudapi lib/endpoints/networks.js).
 */
export function isSharedNetwork(n) {
  return !n.owner;
}

/** Pick the member network of a pool that still has a free address. */
export function poolMemberFor(store, pool) {
  for (const id of pool.networks) {
    const n = store.networks.get(id);
    if (n && hasFreeIp(n)) return n;
  }
  return null;
}

function hasFreeIp(net) {
  const start = ipToInt(net.provision_start_ip);
  const end = ipToInt(net.provision_end_ip);
  for (let i = start; i <= end; i++) {
    const cur = net.ips.get(intToIp(i));
    if (!cur || (!cur.belongs_to_uuid && !cur.reserved)) return true;
  }
  return false;
}

/** True when `ip` lies in the network's subnet. */
export function ipInSubnet(net, ip) {
  const sub = parseSubnet(net.subnet);
  const n = ipToInt(ip);
  if (!sub || Number.isNaN(n)) return false;
  return ((n & sub.mask) >>> 0) === sub.base;
}

/** Account login as used in resource paths. */
export function loginOf(req) {
  return req.account.login;
}

// ---------------------------------------------------------------- role tags

/** CloudAPI's resource names that can carry role tags (cloudapi lib/resources.js). */
export const ROLE_TAG_RESOURCES = ["machines", "users", "roles", "packages", "images", "policies", "keys", "datacenters", "fwrules", "networks", "services"];

/**
 * The RBAC resource name of a request path (cloudapi lib/resources.js resourceName):
 * `/<login>[/<coll>[/<id>]]`; deeper paths collapse to their owning resource, except
 * sub-user keys which keep their full path.
 */
export function resourceName(req) {
  const p = req.path().split("/").slice(1).filter((s, i) => i === 0 || s !== "");
  p[0] = req.account.login;
  let parts;
  if (p.length <= 3) parts = p;
  else if (p[1] === "users" && p[3] === "keys") parts = p;
  else if (p.length === 4 || p[1] === "machines") parts = p.slice(0, 3);
  else parts = p.slice(0, 4);
  const name = "/" + parts.join("/");
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * Set the `role-tag` response header on a GET when the resource is tagged, keyed by the
 * resource name. setHeader replaces what the core's wrapper may already have set for the
 * exact path (restify's res.header would append a second value).
 */
export function roleTagHeader(store, req, res) {
  if (!req.account) return;
  const tags = store.roleTagsOf(resourceName(req));
  if (tags.length) res.setHeader("role-tag", tags.join(","));
}

/**
 * Tag a just-created resource from the `role-tag` request header (CreateUser, CreateRole,
 * CreateFirewallRule…): unknown role names are ignored here, as CloudAPI only logs that.
 */
export function tagCreated(store, req, path) {
  const h = req.headers["role-tag"];
  if (typeof h !== "string" || !h) return;
  const names = h.split(",").map((s) => s.trim()).filter(Boolean);
  const known = names.filter((n) => roleByRef(store, req.account, n));
  if (known.length) store.roleTags.set(path, known);
}

/** Role of `account` by uuid or name. */
export function roleByRef(store, account, ref) {
  for (const r of store.roles.values()) {
    if (r.account === account.id && (r.id === ref || r.name === ref)) return r;
  }
  return null;
}

/** Policy of `account` by uuid or name. */
export function policyByRef(store, account, ref) {
  for (const p of store.policies.values()) {
    if (p.account === account.id && (p.id === ref || p.name === ref)) return p;
  }
  return null;
}

/** Sub-users of an account, in creation order. */
export function usersOf(store, account) {
  return [...store.users.values()].filter((u) => u.account === account.id);
}

// ---------------------------------------------------------------- machines

/**
 * Simulate the reboot VMAPI performs when NICs are added or removed: a running machine
 * goes to "stopping" half-way through the job and is running again when it ends. `done`
 * runs at the end (the NIC change itself).
 */
export function nicJob(ctx, m, { kind, audit, caller, done }) {
  const total = ctx.jobs.delay(kind);
  const wasRunning = m.state === "running";
  if (wasRunning) {
    ctx.jobs.schedule({
      kind,
      delayMs: Math.round(total / 2),
      run: () => {
        if (!m.destroyed && m.state === "running") m.state = "stopping";
      },
    });
  }
  return ctx.jobs.schedule({
    kind,
    delayMs: total,
    machine: m,
    audit,
    caller,
    run: () => {
      done();
      if (wasRunning && !m.destroyed && m.state === "stopping") m.state = "running";
      m.updated = ctx.store.isoNow();
    },
  });
}
