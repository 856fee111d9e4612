// The simulator's one in-memory model: accounts, sub-users and their keys, the image and
// package catalogue, networks/fabrics and IP allocations, machines (with nics, snapshots and
// audit), firewall rules, volumes, RBAC objects, access keys, role tags, migrations.
//
// Everything is plain objects in Maps so route files can read and write it directly. The
// wire translations (what CloudAPI sends for each object, cloudapi.md §4) live here too so
// every route that returns, say, a machine returns the same shape.
//
// Determinism: every id, MAC and timestamp of the seeded catalogue comes from a PRNG seeded
// by --seed, so two simulators started with the same seed and keys hold the same data.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// sshpk is the key library http-signature 1.4.0 itself uses (its own dependency); CloudAPI's
// UFDS computes fingerprints with it too.
const sshpk = require("sshpk");
// semver as restify itself resolves it (restify 4.3.3 negotiates versions with it).
const semver = createRequire(require.resolve("restify"))("semver");

/** mulberry32: small, fast, deterministic PRNG → float in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED_EPOCH = Date.parse("2024-01-15T12:00:00.000Z");

/** Parse one OpenSSH public key line; throws an Error naming the problem. */
export function parseSshPublicKey(text) {
  if (typeof text !== "string" || text.trim().split(/\s+/).length < 2) {
    throw new Error("key is invalid");
  }
  const key = sshpk.parseKey(text.trim(), "ssh");
  return {
    key: text.trim(),
    fingerprint: key.fingerprint("md5").toString("hex"),
    pem: key.toString("pem"),
    comment: key.comment && key.comment !== "(unnamed)" ? key.comment : "",
    type: key.type,
  };
}

/** IPv4 helpers for the network model. */
export function ipToInt(ip) {
  const p = String(ip).split(".");
  if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return NaN;
  return ((Number(p[0]) << 24) >>> 0) + (Number(p[1]) << 16) + (Number(p[2]) << 8) + Number(p[3]);
}
export function intToIp(n) {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}
/** "10.0.0.0/24" → {base, bits, netmask}. */
export function parseSubnet(subnet) {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(String(subnet || ""));
  if (!m) return null;
  const bits = Number(m[2]);
  const base = ipToInt(m[1]);
  if (Number.isNaN(base) || bits < 8 || bits > 30) return null;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (base & mask) >>> 0, bits, mask, netmask: intToIp(mask) };
}

export class Store {
  /**
   * @param {object} o
   * @param {number} o.seed       PRNG seed (default 1)
   * @param {string} o.login      account login (default "testuser")
   * @param {string[]} o.keys     OpenSSH public key texts for the account
   * @param {string} o.datacenter this datacenter's name
   */
  constructor({ seed = 1, login = "testuser", keys = [], datacenter = "us-sim-1" } = {}) {
    this.rand = mulberry32(Number(seed) || 0);
    this.seedTime = SEED_EPOCH;
    /** Server clock offset in ms (admin POST /__sim/clock); affects auth checks and timestamps. */
    this.clockSkewMs = 0;
    this.datacenterName = datacenter;
    /** Filled in once the server listens: this DC's URL. */
    this.url = "";

    /** @type {Map<string, object>} account uuid → account (UFDS sdcPerson) */
    this.accounts = new Map();
    /** @type {Map<string, object>} sub-user uuid → user (has .account = owner uuid, .keys) */
    this.users = new Map();
    /** @type {Map<string, object>} role uuid → role {id, name, account, members:[{type,id,default}], policies:[ids]} */
    this.roles = new Map();
    /** @type {Map<string, object>} policy uuid → {id, name, account, rules:[], description} */
    this.policies = new Map();
    /** @type {Map<string, object>} access key id → {accesskeyid, accesskeysecret, owner, user?, created, status} */
    this.accessKeys = new Map();
    /** @type {Map<string, string[]>} resource path ("/<login>/machines/<id>") → role names */
    this.roleTags = new Map();
    /** @type {Map<string, object>} image uuid → image (wire fields + owner, internal fields) */
    this.images = new Map();
    /** @type {Map<string, object>} package uuid → package */
    this.packages = new Map();
    /** @type {Map<string, object>} network uuid → network (see addNetwork) */
    this.networks = new Map();
    /** @type {Map<string, object>} "<account uuid>:<vlan_id>" → {vlan_id, name, description, account} */
    this.vlans = new Map();
    /** @type {Map<string, object>} machine uuid → machine (see createMachineRecord) */
    this.machines = new Map();
    /** @type {Map<string, object>} rule uuid → {id, owner, rule, enabled, log, global?, description?} */
    this.fwrules = new Map();
    /** @type {Map<string, object>} volume uuid → volume */
    this.volumes = new Map();
    /** @type {Map<string, object>} machine uuid → migration */
    this.migrations = new Map();
    /** datacenter name → URL (this DC's entry is filled in when listening) */
    this.datacenters = {};
    /** service name → URL */
    this.services = {};

    this.seed({ login, keys });
  }

  // ---------------------------------------------------------------- ids & time

  /** The server's "now" in ms (wall clock + admin skew). */
  now() {
    return Date.now() + this.clockSkewMs;
  }
  /** ISO string of now(). */
  isoNow() {
    return new Date(this.now()).toISOString();
  }
  /** Deterministic RFC 4122 v4 UUID from the seeded PRNG. */
  uuid() {
    const b = [];
    for (let i = 0; i < 16; i++) b.push(Math.floor(this.rand() * 256));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = b.map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  /** Deterministic MAC in Joyent's 90:b8:d0 range. */
  mac() {
    const t = [0x90, 0xb8, 0xd0];
    for (let i = 0; i < 3; i++) t.push(Math.floor(this.rand() * 256));
    return t.map((x) => x.toString(16).padStart(2, "0")).join(":");
  }
  /** Random hex string of n bytes (deterministic). */
  hex(n) {
    let s = "";
    for (let i = 0; i < n; i++) s += Math.floor(this.rand() * 256).toString(16).padStart(2, "0");
    return s;
  }
  /** Seed-relative ISO date, `days` before the seed epoch. */
  seededDate(days) {
    return new Date(this.seedTime - days * 86400000).toISOString();
  }

  // ---------------------------------------------------------------- accounts, users, keys

  /** Create an account (UFDS sdcPerson). Returns it. */
  addAccount({ login, email, ...profile }) {
    const now = this.seededDate(400);
    const acct = {
      id: this.uuid(),
      login,
      email: email || `${login}@example.com`,
      ...profile,
      triton_cns_enabled: false,
      created: now,
      updated: now,
      disabled: false,
      approved_for_provisioning: true,
      keys: [],
      config: { default_network: null },
    };
    this.accounts.set(acct.id, acct);
    return acct;
  }

  /** Account by login or uuid (what UFDS getUser matches). */
  accountByLogin(loginOrUuid) {
    for (const a of this.accounts.values()) {
      if (a.login === loginOrUuid || a.id === loginOrUuid) return a;
    }
    return null;
  }

  /** Sub-user of `account` by login or uuid. */
  userOf(account, loginOrUuid) {
    for (const u of this.users.values()) {
      if (u.account === account.id && (u.login === loginOrUuid || u.id === loginOrUuid)) return u;
    }
    return null;
  }

  /**
   * Add an OpenSSH public key to an account or sub-user (`owner.keys`).
   * Name defaults to the key comment, else the fingerprint (node-ufds addKey).
   * Throws Error("exists") on a duplicate name/fingerprint, or the parse error.
   */
  addKey(owner, { key, name, attestation }) {
    const parsed = parseSshPublicKey(key);
    const keyName = name || parsed.comment || parsed.fingerprint;
    if (owner.keys.some((k) => k.name === keyName || k.fingerprint === parsed.fingerprint)) {
      throw new Error("exists");
    }
    const rec = {
      name: keyName,
      fingerprint: parsed.fingerprint,
      key: parsed.key,
      pem: parsed.pem,
      type: parsed.type,
      created: this.isoNow(),
    };
    if (Array.isArray(attestation) && attestation.length) {
      rec.attested = true;
      rec.multifactor = ["pin", "touch"];
    }
    owner.keys.push(rec);
    return rec;
  }

  /** Key lookup as UFDS does it: `(|(name=<k>)(fingerprint=<k>))`, first match wins. */
  findKey(owner, ref) {
    return owner.keys.find((k) => k.name === ref || k.fingerprint === ref) || null;
  }

  /** Key wire object (cloudapi lib/keys.js translateKey). */
  keyJson(k) {
    const o = { name: k.name, fingerprint: k.fingerprint, key: k.key };
    if (k.attested) {
      o.attested = true;
      o.multifactor = k.multifactor;
    }
    return o;
  }

  /** Account wire object (cloudapi lib/account.js). */
  accountJson(a) {
    const o = { id: a.id, login: a.login, email: a.email };
    for (const f of ["companyName", "firstName", "lastName", "address", "postalCode", "city", "state", "country", "phone"]) {
      if (a[f] !== undefined && a[f] !== null && a[f] !== "") o[f] = a[f];
    }
    o.triton_cns_enabled = a.triton_cns_enabled === true;
    o.created = a.created || "2012-12-31T23:00:00.000Z";
    o.updated = a.updated || "2012-12-31T23:00:00.000Z";
    return o;
  }

  // ---------------------------------------------------------------- catalogue

  /** Image wire object (cloudapi lib/datasets.js translate), version-dependent. */
  imageJson(img, { version = "9.0.0", legacyTypes = false } = {}) {
    const o = { id: img.id, name: img.name, version: img.version, os: img.os };
    o.requirements = img.requirements || {};
    if (img.type !== undefined) o.type = legacyTypes ? legacyImageType(img.type) : img.type;
    if (img.type === "zvol" && img.image_size !== undefined) o.image_size = img.image_size;
    if (img.description) o.description = img.description;
    if (img.files) o.files = img.files;
    if (img.tags) o.tags = img.tags;
    if (img.homepage) o.homepage = img.homepage;
    if (img.published_at) o.published_at = img.published_at;
    if (img.urn) o.urn = img.urn;
    if (!version || !versionBelow(version, "7.1.0")) {
      o.owner = img.owner;
      o.public = img.public;
      o.state = img.state;
      if (img.eula) o.eula = img.eula;
      if (img.acl) o.acl = img.acl;
      if (img.origin) o.origin = img.origin;
      if (img.error) o.error = img.error;
    }
    return o;
  }

  /** Package wire object (cloudapi lib/packages.js). */
  packageJson(p) {
    const o = {
      id: p.id,
      name: p.name,
      memory: p.memory,
      disk: p.disk,
      swap: p.swap,
      lwps: p.lwps,
      vcpus: p.vcpus || 0,
      version: p.version,
    };
    if (p.group) o.group = p.group;
    if (p.description) o.description = p.description;
    o.default = false;
    if (p.brand) o.brand = p.brand;
    if (p.flexible_disk) o.flexible_disk = true;
    if (p.disks) o.disks = p.disks;
    return o;
  }

  /** Package by uuid, or by name (highest semver among active ones). */
  findPackage(ref) {
    if (this.packages.has(ref)) return this.packages.get(ref);
    const named = [...this.packages.values()].filter((p) => p.name === ref && p.active);
    named.sort((a, b) => compareSemver(b.version, a.version));
    return named[0] || null;
  }

  // ---------------------------------------------------------------- networks

  /**
   * Add a network. Fields: name, public, description, subnet, provision_start_ip,
   * provision_end_ip, gateway, resolvers, routes, nic_tag ("external"|"internal"|…),
   * fabric/vlan_id/internet_nat/owner (fabric networks belong to one account).
   */
  addNetwork(n) {
    const net = {
      id: n.id || this.uuid(),
      name: n.name,
      public: !!n.public,
      description: n.description,
      subnet: n.subnet,
      provision_start_ip: n.provision_start_ip,
      provision_end_ip: n.provision_end_ip,
      gateway: n.gateway,
      resolvers: n.resolvers || [],
      routes: n.routes,
      nic_tag: n.nic_tag || (n.public ? "external" : "internal"),
      fabric: !!n.fabric,
      vlan_id: n.vlan_id,
      internet_nat: n.internet_nat,
      owner: n.owner || null,
      /** ip → {ip, reserved, managed, owner_uuid?, belongs_to_uuid?, belongs_to_type?} */
      ips: new Map(),
    };
    this.networks.set(net.id, net);
    return net;
  }

  /** Networks an account may use: all non-fabric ones plus its own fabric networks. */
  networksFor(account) {
    return [...this.networks.values()].filter((n) => !n.fabric || n.owner === account.id);
  }

  /** Network wire object (cloudapi lib/networks.js). */
  networkJson(n) {
    const o = { id: n.id, name: n.name, public: n.public };
    if (n.description) o.description = n.description;
    if (n.fabric) {
      o.fabric = true;
      o.subnet = n.subnet;
      o.provision_start_ip = n.provision_start_ip;
      o.provision_end_ip = n.provision_end_ip;
      if (n.gateway) o.gateway = n.gateway;
      o.resolvers = n.resolvers || [];
      if (n.routes) o.routes = n.routes;
      o.internet_nat = n.internet_nat !== false;
      o.vlan_id = n.vlan_id;
    }
    return o;
  }

  /**
   * Allocate the next free IP on `net` for `belongsTo` (machine uuid). `wanted` asks for a
   * specific address. Returns the IP or null when the range is exhausted / taken.
   */
  allocateIp(net, belongsTo, owner, wanted) {
    const sub = parseSubnet(net.subnet);
    if (!sub) return null;
    const take = (ip) => {
      net.ips.set(ip, { ip, reserved: false, managed: false, owner_uuid: owner, belongs_to_uuid: belongsTo, belongs_to_type: "zone" });
      return ip;
    };
    if (wanted) {
      const cur = net.ips.get(wanted);
      if (cur && cur.belongs_to_uuid) return null;
      return take(wanted);
    }
    const start = ipToInt(net.provision_start_ip);
    const end = ipToInt(net.provision_end_ip);
    for (let i = start; i <= end; i++) {
      const ip = intToIp(i);
      const cur = net.ips.get(ip);
      if (!cur || (!cur.belongs_to_uuid && !cur.reserved)) return take(ip);
    }
    return null;
  }

  /** Release an IP held by a machine. */
  releaseIp(netId, ip) {
    const net = this.networks.get(netId);
    const cur = net && net.ips.get(ip);
    if (!cur) return;
    if (cur.reserved) {
      delete cur.belongs_to_uuid;
      delete cur.belongs_to_type;
    } else {
      net.ips.delete(ip);
    }
  }

  /**
   * Build a NIC for machine `m` on `net` (allocating an IP). Returns the NIC record or
   * null when the network is full.
   */
  makeNic(m, net, { primary = false, ip } = {}) {
    const addr = this.allocateIp(net, m.id, m.owner, ip);
    if (!addr) return null;
    const sub = parseSubnet(net.subnet);
    return {
      mac: this.mac(),
      ip: addr,
      primary,
      gateway: net.gateway,
      netmask: sub ? sub.netmask : undefined,
      network: net.id,
      nic_tag: net.nic_tag,
      state: "provisioning",
    };
  }

  /** NIC wire object (cloudapi lib/nics.js). */
  nicJson(nic, m) {
    const o = { mac: nic.mac, ip: nic.ip, primary: !!nic.primary };
    if (nic.gateway) o.gateway = nic.gateway;
    if (nic.netmask) o.netmask = nic.netmask;
    o.state = nicState(nic, m);
    o.network = nic.network;
    return o;
  }

  // ---------------------------------------------------------------- machines

  /** Machines of an account, uuid-descending (VMAPI's default order). */
  machinesOf(account) {
    return [...this.machines.values()]
      .filter((m) => m.owner === account.id)
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  /**
   * A new machine record (not yet in the map). Callers fill nics and add it with
   * `this.machines.set(m.id, m)`. `brand` comes from the image (or package for HVM).
   */
  createMachineRecord({ account, image, pkg, name, id, brand }) {
    const uuid = id || this.uuid();
    const now = this.isoNow();
    return {
      id: uuid,
      owner: account.id,
      alias: name === undefined ? uuid.slice(0, 8) : name,
      brand,
      state: "provisioning",
      image: image.id,
      package: pkg.id,
      packageName: pkg.name,
      memory: pkg.memory,
      disk: pkg.disk,
      metadata: {},
      internal_metadata: {},
      tags: {},
      created: now,
      updated: now,
      firewall_enabled: false,
      deletion_protection: false,
      nics: [],
      compute_node: null,
      docker: false,
      snapshots: [],
      /** newest first; finished jobs only */
      audit: [],
      destroyed: null,
      destroying: false,
    };
  }

  /** The brand a machine gets from its image (and package, for HVM images). */
  brandFor(image, pkg) {
    const req = image.requirements || {};
    if (image.type === "lx-dataset" || image.type === "docker") return "lx";
    if (image.type === "zvol") return req.brand || (pkg && pkg.brand) || "kvm";
    return req.brand || "joyent";
  }

  /** The default NIC set when CreateMachine names no networks: one external + one internal. */
  defaultNetworks() {
    const nets = [...this.networks.values()].filter((n) => !n.fabric);
    const ext = nets.find((n) => n.nic_tag === "external");
    const int = nets.find((n) => n.nic_tag === "internal");
    return [ext, int].filter(Boolean).map((net) => ({ net }));
  }

  /**
   * Create and store a machine with its NICs. `networks` = [{net, ip?}] (default
   * defaultNetworks()); the first public network's NIC is primary, else the first NIC.
   * Returns the machine, or null if a network has no free address.
   */
  newMachine({ account, image, pkg, name, networks, brand, state = "provisioning", id }) {
    const m = this.createMachineRecord({ account, image, pkg, name, id, brand: brand || this.brandFor(image, pkg) });
    m.state = state;
    const wanted = networks && networks.length ? networks : this.defaultNetworks();
    const primaryIdx = Math.max(0, wanted.findIndex((w) => w.net.public));
    for (let i = 0; i < wanted.length; i++) {
      const nic = this.makeNic(m, wanted[i].net, { primary: i === primaryIdx, ip: wanted[i].ip });
      if (!nic) {
        for (const n of m.nics) this.releaseIp(n.network, n.ip);
        return null;
      }
      if (state !== "provisioning") nic.state = "running";
      m.nics.push(nic);
    }
    if (m.brand === "bhyve" && pkg.flexible_disk) {
      m.flexible = true;
      const bootSize = image.image_size || 10240;
      m.disks = [
        { id: this.uuid(), size: bootSize, block_size: 8192, boot: true, image: image.id, pci_slot: "0:4:0", state: "running" },
        { id: this.uuid(), size: Math.max(0, pkg.disk - bootSize), block_size: 8192, pci_slot: "0:4:1", state: "running" },
      ];
      m.free_space = 0;
      // HVM machines report the data disk's size (cloudapi translate: disks[1].size).
      m.disk = m.disks[1].size;
    }
    m.compute_node = state === "provisioning" ? null : this.computeNodes[Math.floor(this.rand() * this.computeNodes.length)];
    this.machines.set(m.id, m);
    return m;
  }

  /**
   * Machine wire object (cloudapi lib/machines.js translate).
   * opts.version: the request's Accept-Version range; opts.credentials: include credentials.
   */
  machineJson(m, { version = "9.0.0", credentials = undefined } = {}) {
    const hvm = m.brand === "kvm" || m.brand === "bhyve";
    const o = {
      id: m.id,
      name: m.alias,
      type: hvm ? "virtualmachine" : "smartmachine",
      brand: m.brand,
      state: m.destroyed ? "deleted" : m.state,
      image: m.image,
      ips: m.nics.map((n) => n.ip),
      memory: m.memory,
      disk: m.disk,
      deletion_protection: !!m.deletion_protection,
      metadata: { ...m.metadata },
      tags: { ...m.tags },
      credentials,
      created: m.created,
      updated: m.updated,
    };
    if (o.credentials === undefined) delete o.credentials;
    if (m.docker) o.docker = true;
    // `~7.0` clients predate machine networks (cloudapi BEFORE_NETWORK_VERSION_RE).
    if (!/^~?7\.0(\.\d+)?$/.test(version || "")) o.networks = m.nics.map((n) => n.network);
    const primary = primaryNic(m, this);
    if (primary) o.primaryIp = primary.ip;
    // Quirk kept from CloudAPI: any truthy `credentials` param (even "false") adds them.
    if (credentials) {
      const creds = {};
      for (const [k, v] of Object.entries(m.internal_metadata)) if (/_pw$/.test(k)) creds[k.replace(/_pw$/, "")] = v;
      if (Object.keys(creds).length) o.metadata.credentials = creds;
    }
    o.nics = m.nics.map((n) => this.nicJson(n, m));
    o.firewall_enabled = !!m.firewall_enabled;
    o.compute_node = m.compute_node;
    o.package = m.packageName || "";
    if (m.flexible) {
      o.flexible = true;
      o.free_space = m.free_space || 0;
      o.disks = (m.disks || []).map((d) => ({ id: d.id, size: d.size, block_size: d.block_size, ...(d.boot ? { boot: true } : {}), ...(d.image ? { image: d.image } : {}) }));
    }
    if (m.encrypted) o.encrypted = true;
    if (m.delegate_dataset) o.delegate_dataset = true;
    return o;
  }

  /** Append an audit entry (newest first). */
  audit(m, action, { success = true, caller = { type: "signature" } } = {}) {
    m.audit.unshift({ action, success: success ? "yes" : "no", time: this.isoNow(), caller });
  }

  // ---------------------------------------------------------------- role tags

  /** Role-tag names on a resource path ("/<login>/machines/<id>"), [] if none. */
  roleTagsOf(path) {
    return this.roleTags.get(path) || [];
  }

  // ---------------------------------------------------------------- seed

  /** Fill the catalogue and the one account. Deterministic for a given seed. */
  seed({ login, keys }) {
    const acct = this.addAccount({
      login,
      email: `${login}@example.com`,
      firstName: "Test",
      lastName: "User",
      companyName: "Example Inc.",
      country: "US",
    });
    for (const k of keys) this.addKey(acct, { key: k });
    this.account = acct;

    const admin = "00000000-0000-0000-0000-000000000000";
    const file = (size) => ({ compression: "gzip", sha1: this.hex(20), size });
    const img = (o) => {
      const rec = {
        id: this.uuid(),
        owner: admin,
        public: true,
        state: "active",
        files: [file(o.size || 100000000)],
        published_at: this.seededDate(o.age || 30),
        ...o,
      };
      delete rec.size;
      delete rec.age;
      this.images.set(rec.id, rec);
      return rec;
    };
    this.seedImages = {
      base: img({ name: "base-64-lts", version: "23.4.0", os: "smartos", type: "zone-dataset", description: "A 64-bit SmartOS image with just essential packages installed.", homepage: "https://docs.tritondatacenter.com/public-cloud/instances/infrastructure/images", requirements: {}, tags: { role: "os", group: "base-64-lts" }, size: 98765432, age: 120 }),
      baseNew: img({ name: "base-64-lts", version: "24.4.0", os: "smartos", type: "zone-dataset", description: "A 64-bit SmartOS image with just essential packages installed.", requirements: {}, tags: { role: "os", group: "base-64-lts" }, size: 99876543, age: 20 }),
      minimal: img({ name: "minimal-64-lts", version: "24.4.0", os: "smartos", type: "zone-dataset", description: "A 64-bit SmartOS image with a minimal set of packages.", requirements: { brand: "joyent-minimal" }, size: 45000000, age: 20 }),
      ubuntu: img({ name: "ubuntu-certified-22.04", version: "20240110", os: "linux", type: "zvol", image_size: 10240, description: "Ubuntu 22.04 LTS (Jammy Jellyfish) certified cloud image (KVM/bhyve).", requirements: { min_ram: 1024 }, tags: { role: "os" }, size: 650000000, age: 40 }),
      lx: img({ name: "ubuntu-22.04", version: "20240110", os: "linux", type: "lx-dataset", description: "Container-native Ubuntu 22.04 (lx brand).", requirements: { brand: "lx", min_platform: { "7.0": "20230101T000000Z" } }, tags: { role: "os", kernel_version: "5.10.0" }, size: 230000000, age: 40 }),
      bhyve: img({ name: "debian-12", version: "20240112", os: "linux", type: "zvol", image_size: 10240, description: "Debian 12 (bookworm) for bhyve, UEFI boot.", requirements: { brand: "bhyve", bootrom: "uefi", min_ram: 1024 }, size: 400000000, age: 35 }),
      legacy: img({ name: "base64", version: "13.4.0", os: "smartos", type: "zone-dataset", urn: "sdc:sdc:base64:13.4.0", description: "A 64-bit SmartOS image (legacy dataset with a URN).", requirements: {}, size: 80000000, age: 3600 }),
      windows: img({ name: "ws2019std", version: "20240101", os: "windows", type: "zvol", image_size: 40960, description: "Windows Server 2019 Standard (needs an administrator password).", requirements: { min_ram: 2048, brand: "kvm", password: true }, eula: "https://example.com/eula", size: 9000000000, age: 60 }),
    };
    // The image created by provisioning a docker container is not listed without ?type.
    img({ name: "busybox", version: "latest", os: "linux", type: "docker", description: "docker image busybox:latest", requirements: {}, size: 1000000, age: 10 });

    const pkg = (o) => {
      const rec = { id: this.uuid(), version: "1.0.0", lwps: 4000, vcpus: 0, active: true, group: "Standard", ...o };
      this.packages.set(rec.id, rec);
      return rec;
    };
    this.seedPackages = {
      p512: pkg({ name: "sample-512M", memory: 512, disk: 10240, swap: 1024, description: "Micro 512 MB RAM, 10 GB disk" }),
      p1g: pkg({ name: "sample-1G", memory: 1024, disk: 25600, swap: 2048, description: "Small 1 GB RAM, 25 GB disk" }),
      p2g: pkg({ name: "sample-2G", memory: 2048, disk: 51200, swap: 4096, description: "Medium 2 GB RAM, 50 GB disk (the legacy default)", default: true }),
      p4g: pkg({ name: "sample-4G", memory: 4096, disk: 102400, swap: 8192, vcpus: 2, description: "Large 4 GB RAM, 100 GB disk" }),
      p8g: pkg({ name: "sample-8G", memory: 8192, disk: 204800, swap: 16384, vcpus: 4, group: "High Memory", description: "8 GB RAM, 200 GB disk" }),
      bhyve2g: pkg({ name: "bhyve-flex-2G", memory: 2048, disk: 51200, swap: 4096, vcpus: 2, brand: "bhyve", flexible_disk: true, group: "HVM", description: "bhyve 2 GB, flexible disk 50 GB" }),
      bhyve4g: pkg({ name: "bhyve-flex-4G", memory: 4096, disk: 102400, swap: 8192, vcpus: 2, brand: "bhyve", flexible_disk: true, group: "HVM", description: "bhyve 4 GB, flexible disk 100 GB" }),
      // Too little disk for any zvol image: provisioning an HVM image with it fails later.
      tiny: pkg({ name: "bhyve-tiny", memory: 1024, disk: 4096, swap: 2048, vcpus: 1, brand: "bhyve", flexible_disk: true, group: "HVM", description: "bhyve 1 GB, 4 GB disk (too small for the seeded HVM images)" }),
      old: pkg({ name: "sample-1G", version: "0.9.0", memory: 1024, disk: 20480, swap: 2048, active: false, description: "retired" }),
    };

    this.seedNetworks = {
      public: this.addNetwork({ name: "Joyent-SDC-Public", public: true, description: "Public internet-facing network", subnet: "203.0.113.0/24", provision_start_ip: "203.0.113.10", provision_end_ip: "203.0.113.250", gateway: "203.0.113.1", resolvers: ["8.8.8.8", "8.8.4.4"], nic_tag: "external" }),
      private: this.addNetwork({ name: "Joyent-SDC-Private", public: false, description: "Datacenter-internal network", subnet: "10.64.0.0/16", provision_start_ip: "10.64.0.10", provision_end_ip: "10.64.255.250", gateway: "10.64.0.1", resolvers: ["10.64.0.2"], nic_tag: "internal" }),
    };
    this.vlans.set(`${acct.id}:2`, { vlan_id: 2, name: "My-Fabric-VLAN", description: "default fabric VLAN", account: acct.id });
    this.seedNetworks.fabric = this.addNetwork({
      name: "My-Fabric-Network",
      public: false,
      description: "default fabric network",
      subnet: "192.168.128.0/22",
      provision_start_ip: "192.168.128.5",
      provision_end_ip: "192.168.131.250",
      gateway: "192.168.128.1",
      resolvers: ["8.8.8.8", "8.8.4.4"],
      fabric: true,
      vlan_id: 2,
      internet_nat: true,
      owner: acct.id,
      nic_tag: "sdc_overlay",
    });
    acct.config.default_network = this.seedNetworks.fabric.id;

    this.computeNodes = [this.uuid(), this.uuid(), this.uuid()];
    this.datacenters = { [this.datacenterName]: "", "us-sim-2": "https://us-sim-2.api.example.com" };
  }

  /** Called when listening: fixes this DC's URL in the datacenter and service maps. */
  setUrl(url) {
    this.url = url;
    this.datacenters[this.datacenterName] = url;
    this.services = { cloudapi: url, docker: "tcp://us-sim-1.docker.example.com:2376", manta: "https://us-sim.manta.example.com" };
  }

  /** A JSON-friendly summary for GET /__sim/state. */
  summary() {
    const count = (map, f) => [...map.values()].filter(f || (() => true)).length;
    const states = {};
    for (const m of this.machines.values()) {
      const s = m.destroyed ? "deleted" : m.state;
      states[s] = (states[s] || 0) + 1;
    }
    return {
      datacenter: this.datacenterName,
      clockSkewSec: this.clockSkewMs / 1000,
      accounts: [...this.accounts.values()].map((a) => ({ id: a.id, login: a.login, keys: a.keys.map((k) => ({ name: k.name, fingerprint: k.fingerprint })) })),
      users: count(this.users),
      images: count(this.images),
      packages: count(this.packages),
      networks: count(this.networks),
      machines: { total: count(this.machines), states },
      fwrules: count(this.fwrules),
      volumes: count(this.volumes),
    };
  }
}

// ---------------------------------------------------------------- helpers

/** The primary NIC: flagged primary, else the external one, else the first. */
export function primaryNic(m, store) {
  if (!m.nics.length) return null;
  return (
    m.nics.find((n) => n.primary) ||
    m.nics.find((n) => {
      const net = store && store.networks.get(n.network);
      return net && net.public;
    }) ||
    m.nics[0]
  );
}

function nicState(nic, m) {
  if (nic.state === "provisioning" || m.state === "provisioning") return "provisioning";
  return m.state === "running" ? "running" : "stopped";
}

function legacyImageType(t) {
  return t === "zvol" ? "virtualmachine" : "smartmachine";
}

/** Numeric semver compare of "a.b.c" strings (pre-release parts ignored). */
export function compareSemver(a, b) {
  const pa = String(a).split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = String(b).split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
  return 0;
}

/**
 * True when the request's version range targets an API generation older than `v`:
 * CloudAPI's own test `!(semver.satisfies(v, range) || semver.ltr(v, range))`, with the
 * semver copy restify 4.3.3 resolves (the server's own range semantics).
 */
export function versionBelow(range, v) {
  if (!range || range === "*") return false;
  try {
    return !(semver.satisfies(v, range) || semver.ltr(v, range));
  } catch {
    return false;
  }
}
