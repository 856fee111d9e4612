// Machines (cloudapi lib/machines.js + lib/audit.js, cloudapi.md §4.7): list with VMAPI's
// filters and offset/limit pagination, get (410 for deleted), create (async provision job),
// every POST action, delete, and the audit trail.

import { ipToInt, parseSubnet } from "../lib/store.mjs";
import { isPool, poolMemberFor, usableNetworks } from "../lib/res-common.mjs";

const MD_RE = /^metadata\.\w/;
const TAG_RE = /^tag\..+/;
const VALID_BRANDS = ["bhyve", "joyent", "joyent-minimal", "kvm", "lx"];
const HVM_BRANDS = ["bhyve", "kvm"];
const ALIAS_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const AFFINITY_RE = /^\s*([^=!~\s][^=!~]*?)\s*(==~|!=~|==|!=)\s*(.+?)\s*$/;
const ACTIVE_STATES = new Set(["provisioning", "running", "stopping", "stopped", "ready", "offline", "unknown"]);

export function register(ctx) {
  const { store, errors, params, jobs } = ctx;

  /** VMAPI's ValidationFailed as CloudAPI passes it through (PUBAPI-791 message suffixes). */
  const vmapiInvalid = (fieldErrors, what = "VM") => {
    const hints = [];
    for (const e of fieldErrors) {
      if (e.field === "alias") hints.push("Invalid machine name");
      else if (["networks", "tags", "customer_metadata", "firewall_enabled"].includes(e.field)) hints.push(`Invalid ${e.field}`);
    }
    const base = `Invalid ${what} parameters`;
    return errors.validationFailed(hints.length ? `${base}: ${hints.join(". ")}` : base, fieldErrors);
  };

  const view = (req, m) => store.machineJson(m, { version: ctx.version(req), credentials: req.params.credentials });

  // ---------------------------------------------------------------- list

  function listOptions(req) {
    const p = req.params;
    if (p.image !== undefined && p.dataset !== undefined && p.image !== "" && p.dataset !== "") {
      throw errors.invalidArgument("image and dataset are mutually exclusive parameters.");
    }
    const o = { image: p.image || p.dataset };
    switch (p.state) {
      case "provisioning":
      case "stopping":
      case "active":
        o.state = "active";
        break;
      case "stopped":
      case "running":
      case "unknown":
      case "destroyed":
        o.state = p.state;
        break;
      case undefined:
        break;
      default:
        throw errors.invalidArgument(`${p.state} is not a valid state`);
    }
    if (p.type !== undefined && p.type !== "smartmachine" && p.type !== "virtualmachine") throw errors.invalidArgument(`${p.type} is not a valid type`);
    o.type = p.type;
    if (typeof p.docker === "boolean") o.docker = p.docker;
    else if (typeof p.docker === "string") {
      if (p.docker === "true") o.docker = true;
      else if (p.docker === "false") o.docker = false;
      else throw errors.invalidArgument(`${p.docker} is not a valid boolean`);
    }
    o.brand = p.brand || undefined;
    o.memory = p.memory || undefined;
    o.name = p.name || undefined;
    // CloudAPI sends `limit || 1000` and `offset || 0`; VMAPI validates them with
    // parseInt and bounds (limit 1..1000, offset ≥ 0) and CloudAPI passes its 409 through.
    const lim = parseInt(p.limit || 1000, 10);
    const off = parseInt(p.offset || 0, 10);
    const bad = [];
    if (!(lim >= 1 && lim <= 1000)) bad.push({ field: "limit", code: "Invalid", message: "Not a valid number: number must be >= 1 and <= 1000" });
    if (!(off >= 0)) bad.push({ field: "offset", code: "Invalid", message: "Not a valid number: number must be >= 0" });
    if (bad.length) throw errors.validationFailed("Invalid Parameters", bad);
    o.limit = lim;
    o.offset = off;
    o.tags = Object.keys(p)
      .filter((k) => TAG_RE.test(k))
      .map((k) => [k.slice(4), p[k]]);
    if (!p.tombstone && !o.state) o.state = "active";
    return o;
  }

  function matches(m, o) {
    const st = m.destroyed ? "destroyed" : m.state;
    if (o.state === "active" && !ACTIVE_STATES.has(st)) return false;
    if (o.state && o.state !== "active" && st !== o.state) return false;
    if (o.type === "virtualmachine" && m.brand !== "kvm" && m.brand !== "bhyve") return false;
    if (o.type === "smartmachine" && (m.brand === "kvm" || m.brand === "bhyve")) return false;
    if (o.docker !== undefined && !!m.docker !== o.docker) return false;
    if (o.brand && m.brand !== o.brand) return false;
    if (o.image && m.image !== o.image) return false;
    if (o.memory && String(m.memory) !== String(o.memory)) return false;
    if (o.name && m.alias !== o.name) return false;
    for (const [k, v] of o.tags) {
      if (!Object.prototype.hasOwnProperty.call(m.tags, k) || String(m.tags[k]) !== String(v)) return false;
    }
    return true;
  }

  const list = (req, res) => {
    const all = store.machinesOf(req.account);
    let page;
    let limit;
    if (req.params.tags === "*") {
      // `tags=*` overrides every other option (CloudAPI sends VMAPI a raw LDAP query).
      page = all.filter((m) => Object.keys(m.tags).length > 0);
    } else {
      const o = listOptions(req);
      limit = o.limit;
      page = all.filter((m) => matches(m, o)).slice(o.offset, o.offset + o.limit);
    }
    const body = page.map((m) => view(req, m));
    if (limit !== undefined) res.header("x-query-limit", limit);
    res.header("x-resource-count", body.length);
    res.send(200, body);
  };
  ctx.route("GET", "/:account/machines", "ListMachines", list);

  // ---------------------------------------------------------------- get

  ctx.route("GET", "/:account/machines/:machine", "GetMachine", (req, res) => {
    const m = ctx.getMachine(req, { allowDeleted: true });
    res.send(m.destroyed ? 410 : 200, view(req, m));
  });

  // ---------------------------------------------------------------- create

  function loadImage(req) {
    const p = req.params;
    if (p.image !== undefined && p.dataset !== undefined) throw errors.invalidArgument("image and dataset are mutually exclusive parameters.");
    const ref = p.image !== undefined ? p.image : p.dataset;
    if (ref === undefined || ref === null || ref === "") throw errors.missingParameter("image must be specified");
    let img = typeof ref === "string" ? store.images.get(ref.toLowerCase()) : undefined;
    if (!img && typeof ref === "string") img = [...store.images.values()].find((i) => i.urn === ref);
    const visible = img && (img.public || img.owner === req.account.id || (img.acl || []).includes(req.account.id));
    if (!visible) throw errors.invalidArgument(`${ref} is not a valid image`);
    if (img.state !== "active") throw errors.invalidArgument(`image ${ref} is not active`);
    const shared = !img.public && img.owner !== req.account.id && (img.acl || []).includes(req.account.id);
    if (shared && !ctx.below(req, "9.0.0") && p.allow_shared_images !== true) {
      throw errors.invalidArgument(`${ref} is a shared image - to provision a shared image you can either clone the image or set "allow_shared_images" to true.`);
    }
    return img;
  }

  function loadPackage(req) {
    const ref = req.params.package;
    if (ref === undefined || ref === null || ref === "") throw errors.missingParameter("package must be specified");
    const pkg = typeof ref === "string" ? store.packages.get(ref.toLowerCase()) || store.findPackage(ref) : undefined;
    if (!pkg) throw errors.invalidArgument(`${ref} is not a valid package`);
    if (!pkg.active) throw errors.invalidArgument(`${ref} is inactive. Must use an active package`);
    return pkg;
  }

  /** cloudapi getCreateOptions' brand selection and its synchronous checks. */
  function pickBrand(req, img, pkg) {
    const safe = (b) => String(b).replace(/[^a-zA-Z0-9-]/g, "").slice(0, 64);
    const imgBrand = img.requirements && img.requirements.brand;
    const pkgBrand = pkg.brand;
    let brand = req.params.brand;
    if (brand && !HVM_BRANDS.includes(brand)) {
      throw errors.invalidArgument(`Unknown brand "${safe(brand)}". Brand is restricted to one of ${JSON.stringify(HVM_BRANDS)}`);
    }
    if (imgBrand && !VALID_BRANDS.includes(imgBrand)) throw errors.invalidArgument(`Image requires unknown brand "${safe(imgBrand)}"`);
    if (pkgBrand && !VALID_BRANDS.includes(pkgBrand)) throw errors.invalidArgument(`Package requires unknown brand "${safe(pkgBrand)}"`);
    // CloudAPI's SAPI defaults: default_hvm_brand "kvm", default_container_brand "joyent".
    brand = brand || imgBrand || pkgBrand || (img.type === "zvol" ? "kvm" : "joyent");
    if (pkgBrand && pkgBrand !== brand) throw errors.invalidArgument(`Package requires brand "${safe(pkgBrand)}", but brand "${safe(brand)}" was selected`);
    if (imgBrand && pkgBrand && imgBrand !== pkgBrand) throw errors.invalidArgument(`Image requires brand "${safe(imgBrand)}", but pkq requires brand "${safe(pkgBrand)}"`);
    if (imgBrand && imgBrand !== brand) throw errors.invalidArgument(`Image requires brand "${safe(imgBrand)}", but brand "${safe(brand)}" was selected`);
    if (HVM_BRANDS.includes(brand)) {
      if (img.type !== "zvol") throw errors.invalidArgument(`Brand "${safe(brand)}" requires the image type to be "zvol"`);
    } else if (img.type === "zvol") {
      throw errors.invalidArgument(`Brand "${safe(brand)}" cannot use an image of type "zvol"`);
    }
    return brand;
  }

  /**
   * CreateMachine `networks` (cloudapi getCreateOptions + validation/networks.js): UUID
   * strings or (≥ 7.3) {ipv4_uuid, ipv4_ips: [one ip] | ipv4_count: 1}; duplicates dropped;
   * pools resolve to a member with free addresses. Returns [{net, ip?}].
   */
  function pickNetworks(req) {
    const nets = req.params.networks;
    if (!Array.isArray(nets)) return store.defaultNetworks();
    const objectsAllowed = !ctx.below(req, "7.3.0");
    const usable = usableNetworks(store, req.account);
    const byId = new Map(usable.map((n) => [n.id, n]));
    const seen = new Set();
    const wanted = [];
    nets.forEach((n, idx) => {
      let id = n;
      let ip;
      if (objectsAllowed) {
        if (n && typeof n === "object" && !Array.isArray(n)) {
          const err = validateNetworkObject(n, byId);
          if (err) throw err;
          id = n.ipv4_uuid;
          if (Array.isArray(n.ipv4_ips)) ip = n.ipv4_ips[0];
        } else if (typeof n !== "string") {
          throw errors.invalidArgument(`property "networks[${idx}]": array of strings or objects expected`);
        }
      } else if (typeof n !== "string") {
        throw errors.invalidArgument("Invalid Networks");
      }
      // CloudAPI asserts the id is a UUID; the AssertionError becomes a bare 500.
      if (!params.isUuid(id)) throw errors.plainError("netUuid (uuid) is required");
      if (seen.has(id)) return;
      seen.add(id);
      wanted.push({ id, ip });
    });
    const resolved = wanted.map(({ id, ip }) => {
      const net = byId.get(id);
      if (!net) throw errors.invalidArgument("Invalid Networks");
      if (isPool(net)) {
        const member = poolMemberFor(store, net);
        return { net: member, pool: net, ip };
      }
      return { net, ip };
    });
    const publicCount = resolved.filter((r) => (r.pool ? r.pool.public : r.net && r.net.public)).length;
    if (publicCount > 1) throw errors.invalidArgument("Can specify a maximum of 1 public networks");
    return resolved;
  }

  /** cloudapi lib/validation/networks.js validateNetworkObject. */
  function validateNetworkObject(o, byId) {
    const { ipv4_uuid: id, ipv4_ips: ips, ipv4_count: count } = o;
    if (!id) return errors.missingParameter("network objects must contain ipv4_uuid");
    if (typeof id !== "string") return errors.invalidArgument("ipv4_uuid must be a string");
    if (!params.isUuid(id)) return errors.invalidArgument(`ipv4_uuid: ${id} is not a uuid`);
    if (count !== undefined && ips !== undefined) return errors.invalidArgument("ipv4_count and ipv4_ips cannot be specified together");
    if (count !== undefined) {
      if (typeof count !== "number") return errors.invalidArgument("ipv4_count must be a number");
      if (count !== 1) return errors.invalidArgument("ipv4_count can only be set to 1");
    }
    if (ips !== undefined) {
      if (!Array.isArray(ips)) return errors.invalidArgument("ipv4_ips must be an array with a single IP");
      if (ips.length !== 1) return errors.invalidArgument(`ipv4_ips: network with ipv4_uuid ${id} should contain a single IP array`);
      if (typeof ips[0] !== "string") return errors.invalidArgument("ipv4_ips[0]: string expected");
      const net = byId.get(id);
      if (!net) return errors.notFound(`ipv4_uuid: network ${id} not found`);
      if (isPool(net)) return errors.invalidArgument(`ipv4_uuid: ${id} cannot specify IP on a network pool`);
      if (!net.owner) return errors.invalidArgument(`ipv4_uuid: ${id} cannot specify IP on a public network`);
    }
    return null;
  }

  function ipInRange(net, ip) {
    const sub = parseSubnet(net.subnet);
    const n = ipToInt(ip);
    return sub && !Number.isNaN(n) && ((n & sub.mask) >>> 0) === sub.base;
  }

  function parseAffinity(req) {
    const a = req.params.affinity;
    if (a === undefined) return [];
    if (req.params.locality !== undefined) throw errors.invalidArgument('cannot use both "affinity" and "locality"');
    const rules = Array.isArray(a) ? a : [a];
    return rules.map((r) => {
      const m = typeof r === "string" ? AFFINITY_RE.exec(r) : null;
      if (!m) throw errors.invalidArgument(`invalid affinity: ${JSON.stringify(r)}`);
      return { key: m[1], op: m[2], value: m[3], soft: m[2].endsWith("~") };
    });
  }

  /** Compute nodes allowed by the hard affinity rules (soft ones only order the choice). */
  function placement(account, rules) {
    let cns = [...store.computeNodes];
    const prefer = [];
    const others = store.machinesOf(account).filter((m) => !m.destroyed && m.compute_node);
    for (const r of rules) {
      const re = r.value.startsWith("/") && r.value.endsWith("/") && r.value.length > 1 ? safeRegex(r.value.slice(1, -1)) : globRe(r.value);
      const hit = others.filter((m) => {
        if (r.key === "instance" || r.key === "container") return re.test(m.alias) || re.test(m.id);
        return Object.prototype.hasOwnProperty.call(m.tags, r.key) && re.test(String(m.tags[r.key]));
      });
      const servers = new Set(hit.map((m) => m.compute_node));
      const eq = r.op.startsWith("==");
      if (r.soft) {
        prefer.push((cn) => (eq ? servers.has(cn) : !servers.has(cn)));
        continue;
      }
      if (eq && hit.length === 0) return [];
      cns = cns.filter((cn) => (eq ? servers.has(cn) : !servers.has(cn)));
    }
    cns.sort((a, b) => prefer.filter((f) => f(b)).length - prefer.filter((f) => f(a)).length);
    return cns;
  }

  function flatTagsAndMetadata(req) {
    const p = req.params;
    const tags = {};
    const metadata = {};
    for (const k of Object.keys(p)) {
      if (TAG_RE.test(k)) tags[k.slice(4)] = p[k];
      else if (MD_RE.test(k) && !/_pw$/.test(k)) metadata[k.slice(9)] = p[k];
    }
    if (p.password) metadata.administrator_pw = p.password;
    if (p.administrator_pw) metadata.administrator_pw = p.administrator_pw;
    let credentials = metadata.credentials;
    delete metadata.credentials;
    if (typeof credentials === "string") {
      try {
        credentials = JSON.parse(credentials);
      } catch {
        credentials = null;
      }
    }
    const internal = {};
    if (credentials && typeof credentials === "object") {
      for (const [k, v] of Object.entries(credentials)) internal[/_pw$/.test(k) ? k : `${k}_pw`] = v;
    }
    const bad = [];
    if (Object.values(tags).some((v) => !["string", "number", "boolean"].includes(typeof v))) bad.push({ field: "tags", code: "Invalid", message: "Invalid tag parameters" });
    if (Object.values(metadata).some((v) => !["string", "number", "boolean"].includes(typeof v))) bad.push({ field: "customer_metadata", code: "Invalid", message: "Invalid metadata parameters" });
    return { tags, metadata, internal, bad };
  }

  ctx.route("POST", "/:account/machines", "CreateMachine", (req, res) => {
    const p = req.params;
    const account = req.account;
    const img = loadImage(req);
    const pkg = loadPackage(req);
    const noKeys = !!(img.requirements && img.requirements.password);
    if (noKeys && !p.password && !p.administrator_pw) throw errors.missingParameter(`${img.id} requires a password`);
    if (!noKeys && account.keys.length === 0) throw errors.conflict("KeyRequired", "At least one SSH key is required to provision");
    if (account.approved_for_provisioning === false) throw errors.invalidArgument("User is not currently approved for provisioning");
    const brand = pickBrand(req, img, pkg);
    if (p.bootrom !== undefined && brand !== "bhyve") throw errors.invalidArgument('Only bhyve VMs support "bootrom" option');
    const networks = pickNetworks(req);
    const minRam = img.requirements && img.requirements.min_ram;
    if (minRam && pkg.memory < minRam) {
      throw errors.invalidArgument(`You must use a package with at least ${minRam} MiB of RAM in order to provision the selected image`);
    }
    const maxRam = img.requirements && img.requirements.max_ram;
    if (maxRam && pkg.memory > maxRam) {
      throw errors.invalidArgument(`You must use a package with at most ${maxRam} MiB of RAM in order to provision the selected image`);
    }
    const rules = parseAffinity(req);
    if (HVM_BRANDS.includes(brand) && p.disks) {
      if (!pkg.flexible_disk || brand !== "bhyve") throw errors.invalidArgument("The use of `disks` is only supported if the package has the flexible_disk attr set to true");
      if (!Array.isArray(p.disks) || p.disks.length > 8) throw errors.invalidArgument("A maximum of 8 disks per VM are supported");
    }
    if (p.delegate_dataset === true) {
      throw errors.invalidArgument("Support for delegated datasets is not enabled (experimental_cloudapi_delegate_dataset in SAPI)");
    }
    if (Array.isArray(p.volumes) && p.volumes.length > 0) {
      if (HVM_BRANDS.includes(brand)) throw errors.invalidArgument(`volumes not yet supported with brand "${brand}"`);
      throw errors.invalidArgument("Support for automounting volumes is not enabled");
    }
    const { tags, metadata, internal, bad } = flatTagsAndMetadata(req);

    // The name: default = first 8 chars of the uuid; {{shortId}} is substituted (8.2).
    const id = store.uuid();
    const shortId = id.split("-")[0];
    let name = p.name !== undefined && p.name !== null && p.name !== "" ? String(p.name) : shortId;
    name = name.replace(/\{\{shortId\}\}/g, shortId);
    if (account.triton_cns_enabled && name.length > 63) {
      throw errors.invalidArgument("Name cannot be longer than 63 characters, because you have triton_cns_enabled set on your Account.");
    }
    if (!ALIAS_RE.test(name) || name.length > 189) bad.push({ field: "alias", code: "Invalid", message: "String does not match regexp: /^[a-zA-Z0-9][a-zA-Z0-9\\_\\.\\-]*$/" });
    else if (store.machinesOf(account).some((m) => !m.destroyed && m.alias === name)) bad.push({ field: "alias", code: "Duplicate", message: "Already exists for this owner_uuid" });
    if (p.firewall_enabled !== undefined && ![true, false, "true", "false"].includes(p.firewall_enabled)) {
      bad.push({ field: "firewall_enabled", code: "Invalid", message: "Invalid boolean" });
    }
    if (bad.length) throw vmapiInvalid(bad);

    if (!noKeys) metadata.root_authorized_keys = account.keys.map((k) => `${k.key}\n`).join("");
    // NAPI problems (pool exhausted, requested IP taken or outside the subnet) surface in
    // the provisioning workflow: the machine is created without that NIC and then fails.
    let napiFails = false;
    const nicPlan = networks.filter((w) => {
      if (!w.net) napiFails = true;
      else if (w.ip !== undefined && (!ipInRange(w.net, w.ip) || (w.net.ips.get(w.ip) || {}).belongs_to_uuid)) napiFails = true;
      else return true;
      return false;
    });
    const m = store.newMachine({ account, image: img, pkg, name, networks: nicPlan, brand, id });
    if (!m) throw errors.internalError("Internal error: no free IP address on the requested networks");
    m.metadata = metadata;
    m.internal_metadata = internal;
    m.tags = tags;
    m.firewall_enabled = p.firewall_enabled === true || p.firewall_enabled === "true";
    m.deletion_protection = p.deletion_protection === true;
    if (p.encrypted === true) m.encrypted = true;

    // Placement and capacity problems are found by the provisioning workflow, later.
    const servers = placement(account, rules);
    const tooSmall = img.type === "zvol" && pkg.flexible_disk && img.image_size && pkg.disk < img.image_size;
    const willFail = servers.length === 0 || tooSmall || napiFails;
    const kind = brand === "kvm" || brand === "bhyve" ? "provision_hvm" : "provision";
    jobs.schedule({
      kind,
      machine: m,
      audit: "provision",
      caller: ctx.caller(req),
      run: () => {
        if (m.destroyed || m.state !== "provisioning") return m.state !== "failed";
        m.updated = store.isoNow();
        if (willFail) {
          m.state = "failed";
          for (const n of m.nics) store.releaseIp(n.network, n.ip);
          m.nics = [];
          return false;
        }
        m.state = "running";
        m.compute_node = servers[0];
        for (const n of m.nics) n.state = "running";
        return true;
      },
    });
    ctx.tagNew(req, `/${account.login}/machines/${m.id}`);
    res.header("Location", `/${account.login}/machines/${m.id}`);
    res.send(201, view(req, m));
  });

  // ---------------------------------------------------------------- actions

  const unallocated = (action) => errors.conflict("UnallocatedVM", `Cannot call ${action} for a VM that has not been provisioned yet`);

  /** The job helper for a VMAPI update: state change after the kind's delay + audit. */
  const update = (req, m, kind, audit, run) => jobs.schedule({ kind, machine: m, audit, caller: ctx.caller(req), run: () => {
    if (m.destroyed) return false;
    const r = run();
    m.updated = store.isoNow();
    return r;
  } });

  const actions = {
    // VMAPI queues start/stop/reboot whatever the state (only "provisioning" is refused);
    // a job whose precondition does not hold at run time fails (audit success "no").
    start(req, m) {
      if (m.state === "provisioning") throw unallocated("start");
      update(req, m, "start", "start", () => {
        if (m.state !== "stopped") return false;
        m.state = "running";
        return true;
      });
    },
    stop(req, m) {
      if (m.state === "provisioning") throw unallocated("stop");
      if (m.state === "running") {
        m.state = "stopping";
        m.updated = store.isoNow();
      }
      update(req, m, "stop", "stop", () => {
        if (m.state !== "stopping" && m.state !== "running") return false;
        m.state = "stopped";
        return true;
      });
    },
    reboot(req, m) {
      if (m.state === "provisioning") throw unallocated("reboot");
      if (m.state === "running") {
        jobs.midway("reboot", 0.3, () => {
          if (!m.destroyed && m.state === "running") m.state = "stopping";
        });
        jobs.midway("reboot", 0.6, () => {
          if (!m.destroyed && m.state === "stopping") m.state = "ready";
        });
      }
      update(req, m, "reboot", "reboot", () => {
        if (m.state !== "ready" && m.state !== "stopping" && m.state !== "running") return false;
        m.state = "running";
        return true;
      });
    },
    resize(req, m) {
      if (m.state === "provisioning") throw unallocated("update");
      if (m.brand === "kvm") throw errors.invalidArgument("resize is not supported for KVM virtualmachines");
      const pkg = loadPackage(req);
      const img = store.images.get(m.image);
      const reqs = (img && img.requirements) || {};
      if (reqs.min_ram && reqs.min_ram > pkg.memory) throw errors.invalidArgument(`Package RAM (${pkg.memory}) is less than allowed by the image (${reqs.min_ram})`);
      if (reqs.max_ram && reqs.max_ram < pkg.memory) throw errors.invalidArgument(`Package RAM (${pkg.memory}) is more than allowed by the image (${reqs.max_ram})`);
      if (m.brand === "bhyve" && !pkg.flexible_disk) throw errors.invalidArgument("Resizing to a package without flexible disk space is not supported");
      update(req, m, "resize", "resize", () => {
        m.package = pkg.id;
        m.packageName = pkg.name;
        m.memory = pkg.memory;
        m.disk = pkg.disk;
      });
    },
    rename(req, m) {
      const name = req.params.name;
      if (!name) throw errors.missingParameter("New name must be specified");
      if (typeof name !== "string" || name.length > 189) throw errors.invalidArgument("Name cannot be longer than 189 characters.");
      if (req.account.triton_cns_enabled && name.length > 63) {
        throw errors.invalidArgument("Name cannot be longer than 63 characters, because you have triton_cns_enabled set on your Account.");
      }
      if (m.state === "provisioning") throw unallocated("update");
      if (!ALIAS_RE.test(name)) throw vmapiInvalid([{ field: "alias", code: "Invalid", message: "String does not match regexp: /^[a-zA-Z0-9][a-zA-Z0-9\\_\\.\\-]*$/" }], "VM update");
      update(req, m, "rename", "rename", () => {
        m.alias = name;
      });
    },
    enable_firewall(req, m) {
      if (m.firewall_enabled === true) return;
      if (m.state === "provisioning") throw unallocated("update");
      update(req, m, "firewall", "unknown", () => {
        m.firewall_enabled = true;
      });
    },
    disable_firewall(req, m) {
      if (m.firewall_enabled === false) return;
      if (m.state === "provisioning") throw unallocated("update");
      update(req, m, "firewall", "unknown", () => {
        m.firewall_enabled = false;
      });
    },
    enable_deletion_protection(req, m) {
      if (m.deletion_protection === true) return;
      if (m.state === "provisioning") throw unallocated("update");
      update(req, m, "deletion_protection", "enable_deletion_protection", () => {
        m.deletion_protection = true;
      });
    },
    disable_deletion_protection(req, m) {
      if (m.deletion_protection === false) return;
      if (m.state === "provisioning") throw unallocated("update");
      update(req, m, "deletion_protection", "disable_deletion_protection", () => {
        m.deletion_protection = false;
      });
    },
  };

  ctx.route("POST", "/:account/machines/:machine", "UpdateMachine", (req, res) => {
    const m = ctx.getMachine(req, { allowDeleted: true });
    const action = req.params.action;
    const fn = typeof action === "string" && Object.prototype.hasOwnProperty.call(actions, action) ? actions[action] : null;
    if (fn && m.destroyed) {
      res.send(410, view(req, m));
      return;
    }
    if (!fn) {
      if (action) throw errors.invalidArgument(`${action} is not a valid action`);
      throw errors.missingParameter("action is required");
    }
    fn(req, m);
    res.send(202);
  });

  // ---------------------------------------------------------------- delete

  ctx.route("DELETE", "/:account/machines/:machine", "DeleteMachine", (req, res) => {
    const m = ctx.getMachine(req, { allowDeleted: true });
    if (m.destroyed) {
      res.send(410, view(req, m));
      return;
    }
    if (m.deletion_protection) throw errors.conflict("CannotDestroyMachineError", 'Instance has "deletion_protection" enabled, preventing deletion');
    if (m.destroying) {
      res.send(204);
      return;
    }
    m.destroying = true;
    if (m.state === "running") m.state = "stopping";
    m.updated = store.isoNow();
    jobs.schedule({
      kind: "destroy",
      machine: m,
      audit: "destroy",
      caller: ctx.caller(req),
      run: () => {
        m.destroyed = store.isoNow();
        m.destroying = false;
        m.state = "deleted";
        m.updated = m.destroyed;
        for (const n of m.nics) store.releaseIp(n.network, n.ip);
      },
    });
    res.send(204);
  });

  // ---------------------------------------------------------------- VNC

  // ConnectMachineVNC (cloudapi lib/endpoints/vnc.js): route version 8.4.0 only, so
  // `Accept-Version: ~9` gets 400 InvalidVersion and `~9||~8` reaches it. The WebSocket
  // itself is not simulated: a request without an upgrade gets CloudAPI's 400, and an
  // upgrade request on a running HVM instance is refused with 501.
  ctx.route(
    "GET",
    "/:account/machines/:machine/vnc",
    "ConnectMachineVNC",
    (req) => {
      const m = ctx.getMachine(req);
      if (m.brand !== "kvm" && m.brand !== "bhyve") throw errors.restError(400, "MachineHasNoVNCError", `Instance ${m.id} does not support VNC`);
      if (m.state !== "running") throw errors.restError(400, "MachineStoppedError", `Instance ${m.id} is not running`);
      if (String(req.headers.upgrade || "").toLowerCase() !== "websocket") throw errors.restError(400, "UpgradeRequiredError", "VNC connections must use a WebSocket upgrade");
      throw errors.notImplemented("the simulator does not proxy VNC WebSockets");
    },
    { version: ["8.4.0"], head: false },
  );

  // ---------------------------------------------------------------- audit

  ctx.route("GET", "/:account/machines/:machine/audit", "MachineAudit", (req) => {
    const m = ctx.getMachine(req, { allowDeleted: true });
    return m.audit.map((a) => ({ ...a, caller: { ...a.caller } }));
  }, { headName: "HeadAudit" });
}

// ---------------------------------------------------------------- small helpers

function globRe(s) {
  return new RegExp("^" + s.split("*").map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
}

function safeRegex(src) {
  try {
    return new RegExp(src);
  } catch {
    return /$^/;
  }
}
