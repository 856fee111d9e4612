// Machines (cloudapi lib/machines.js + lib/audit.js, cloudapi.md §4.7): list with VMAPI's
// filters and offset/limit pagination, get (410 for deleted), create (async provision job),
// every POST action, delete, and the audit trail.

import { ipToInt, parseSubnet } from "../lib/store.mjs";

const MD_RE = /^metadata\.\w/;
const TAG_RE = /^tag\..+/;
const VALID_BRANDS = ["bhyve", "joyent", "joyent-minimal", "kvm", "lx"];
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
    const sharedOnly = !img.public && img.owner !== req.account.id;
    if (sharedOnly && !ctx.below(req, "9.0.0") && p.allow_shared_images !== true) {
      throw errors.invalidArgument(`image ${img.id} is shared with you; set allow_shared_images to provision from it`);
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

  function pickBrand(req, img, pkg) {
    const reqBrand = img.requirements && img.requirements.brand;
    let brand;
    if (reqBrand !== undefined) {
      if (!VALID_BRANDS.includes(reqBrand)) throw errors.invalidArgument(`Image requires unknown brand "${reqBrand}"`);
      brand = reqBrand;
    } else if (pkg.brand !== undefined) {
      brand = pkg.brand;
    } else if (img.type === "zvol") {
      brand = "kvm";
    } else {
      brand = "joyent";
    }
    if (req.params.brand !== undefined) {
      if (req.params.brand !== "kvm" && req.params.brand !== "bhyve") throw errors.invalidArgument('"brand" must be one of "kvm" or "bhyve"');
      if (img.type !== "zvol") throw errors.invalidArgument(`brand "${req.params.brand}" can only be used with zvol images`);
      if (reqBrand !== undefined && reqBrand !== req.params.brand) throw errors.invalidArgument(`Image requires brand "${reqBrand}", but brand "${req.params.brand}" was selected`);
      brand = req.params.brand;
    }
    if (pkg.brand !== undefined && pkg.brand !== brand) {
      throw errors.invalidArgument(`Package requires brand "${pkg.brand}", but brand "${brand}" was selected`);
    }
    if (img.type === "lx-dataset" || img.type === "docker") brand = "lx";
    return brand;
  }

  function pickNetworks(req) {
    const nets = req.params.networks;
    if (!Array.isArray(nets)) return store.defaultNetworks();
    const objectsAllowed = !ctx.below(req, "7.3.0");
    const seen = new Set();
    const out = [];
    nets.forEach((n, idx) => {
      let id = n;
      let ip;
      if (objectsAllowed) {
        if (n && typeof n === "object" && !Array.isArray(n)) {
          if (typeof n.ipv4_uuid !== "string") throw errors.invalidArgument(`property "networks[${idx}].ipv4_uuid": string expected`);
          id = n.ipv4_uuid;
          if (n.ipv4_ips !== undefined) {
            if (!Array.isArray(n.ipv4_ips) || n.ipv4_ips.length !== 1 || typeof n.ipv4_ips[0] !== "string") {
              throw errors.invalidArgument(`property "networks[${idx}].ipv4_ips": array of one IP expected`);
            }
            ip = n.ipv4_ips[0];
          }
        } else if (typeof n !== "string") {
          throw errors.invalidArgument(`property "networks[${idx}]": array of strings or objects expected`);
        }
      } else if (typeof n !== "string") {
        throw errors.invalidArgument("Invalid Networks");
      }
      if (seen.has(id)) return;
      seen.add(id);
      out.push({ id, ip });
    });
    const usable = new Map(store.networksFor(req.account).map((n) => [n.id, n]));
    const resolved = out.map(({ id, ip }) => {
      const net = typeof id === "string" ? usable.get(id.toLowerCase()) : undefined;
      if (!net) throw errors.invalidArgument("Invalid Networks");
      if (ip !== undefined) {
        if (net.public) throw errors.invalidArgument(`property "networks[${out.findIndex((x) => x.id === id)}].ipv4_ips": cannot specify IPs on public networks`);
        const cur = net.ips.get(ip);
        if (!ipInRange(net, ip)) throw errors.invalidArgument(`property "networks[${out.findIndex((x) => x.id === id)}].ipv4_ips": IP "${ip}" is not in the network's subnet`);
        if (cur && cur.belongs_to_uuid) throw errors.invalidArgument(`IP "${ip}" is already in use`);
      }
      return { net, ip };
    });
    if (resolved.filter((r) => r.net.public).length > 1) throw errors.invalidArgument("Can specify a maximum of 1 public networks");
    return resolved;
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
    if (p.disks !== undefined) {
      if (brand !== "bhyve" || !pkg.flexible_disk) throw errors.invalidArgument("disks can only be specified for bhyve VMs with a flexible_disk package");
      if (!Array.isArray(p.disks) || p.disks.length < 1 || p.disks.length > 8) throw errors.invalidArgument("disks must be an array of 1 to 8 disks");
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
    const m = store.newMachine({ account, image: img, pkg, name, networks, brand, id });
    if (!m) throw errors.restError(409, "InvalidArgument", "Invalid Networks: no free IP address");
    m.metadata = metadata;
    m.internal_metadata = internal;
    m.tags = tags;
    m.firewall_enabled = p.firewall_enabled === true || p.firewall_enabled === "true";
    m.deletion_protection = p.deletion_protection === true;
    if (p.encrypted === true) m.encrypted = true;
    if (p.delegate_dataset === true) m.delegate_dataset = true;

    // Placement and capacity problems are found by the provisioning workflow, later.
    const servers = placement(account, rules);
    const tooSmall = img.type === "zvol" && pkg.flexible_disk && img.image_size && pkg.disk < img.image_size;
    // An HVM brand needs a zvol image and a container brand a dataset; CloudAPI lets the
    // mismatch through and the provisioning job fails.
    const hvm = brand === "kvm" || brand === "bhyve";
    const wrongKind = hvm !== (img.type === "zvol");
    const willFail = servers.length === 0 || tooSmall || wrongKind;
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
      if (m.brand === "bhyve" && !pkg.flexible_disk) throw errors.invalidArgument("bhyve VMs can only be resized to packages with flexible_disk");
      if (pkg.brand !== undefined && pkg.brand !== m.brand) throw errors.invalidArgument(`Package requires brand "${pkg.brand}", but the VM has brand "${m.brand}"`);
      const img = store.images.get(m.image);
      const reqs = (img && img.requirements) || {};
      if (reqs.min_ram && reqs.min_ram > pkg.memory) throw errors.invalidArgument(`Package RAM (${pkg.memory}) is less than allowed by the image (${reqs.min_ram})`);
      if (reqs.max_ram && reqs.max_ram < pkg.memory) throw errors.invalidArgument(`Package RAM (${pkg.memory}) is more than allowed by the image (${reqs.max_ram})`);
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
