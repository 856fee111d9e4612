// NFS shared volumes (cloudapi lib/endpoints/volumes.js + VOLAPI, cloudapi.md §4.16).
// tritonnfs only; created on the account's fabric networks (default: config
// default_network), `creating` → `ready` through the job scheduler, deletion is async
// (deleting → gone, GetVolume then 404s). CloudAPI mounts GET only (no HEAD) here, and its
// `x-query-limit` header is set from an undefined value, which restify 4 treats as a header
// read: only `x-resource-count` goes out.
import { ensureResourceModel } from "../lib/res-common.mjs";

const UUID_RE = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;
const NAME_RE = /^[a-z0-9][\w.-]+$/i;
const NAME_SEARCH_RE = /^\*?[\w.-]+\*?$/i;
const SIZE_RE = /^[1-9][0-9]*$/;
const STATES = ["creating", "ready", "failed", "deleting"];
const TYPES = ["tritonnfs"];
const MAX_NAME = 256;
/** VOLAPI's tritonnfs sizes (MiB): 10–100 GiB by 10, then 200–1000 GiB by 100. */
const SIZES = [...Array.from({ length: 10 }, (_, i) => (i + 1) * 10240), ...Array.from({ length: 9 }, (_, i) => (i + 2) * 102400)];

export function register(ctx) {
  const { store, errors } = ctx;
  ensureResourceModel(store);
  const invalid = (errs) => errors.invalidArgument(errs.join(", "));
  /** VOLAPI errors CloudAPI exposes (ExposedSDCError): "<context>: <VOLAPI message>". */
  const volapi = (status, code, context, message) => errors.restError(status, code, `${context}: ${message}`);

  /** Machines currently using a volume (active machines that mount it by name). */
  const refsOf = (v) =>
    [...store.machines.values()]
      .filter((m) => m.owner === v.owner_uuid && !m.destroyed && m.state !== "failed")
      .filter((m) => (m.volumes || []).some((x) => x && x.name === v.name))
      .map((m) => m.id);

  const volumeJson = (v) => {
    const o = {
      id: v.id,
      owner_uuid: v.owner_uuid,
      name: v.name,
      type: v.type,
      size: v.size,
      state: v.state,
      networks: v.networks,
      refs: refsOf(v),
      created: v.created,
    };
    if (v.filesystem_path) o.filesystem_path = v.filesystem_path;
    if (v.tags) o.tags = v.tags;
    return o;
  };

  const volumeIdErrors = (id) => (typeof id === "string" && UUID_RE.test(id) ? [] : [`Invalid volume ID: ${id}. Volume ID should match ${UUID_RE}`]);

  const nameErrors = (name) => {
    const errs = [];
    if (typeof name !== "string") errs.push("Invalid volume name: volume name must be a string");
    if (!NAME_RE.test(String(name))) errs.push(`Invalid volume name: ${name}. Volume name should match ${NAME_RE}`);
    if (typeof name === "string" && name.length > MAX_NAME) errs.push(`Invalid volume name length: volume name must be at most ${MAX_NAME} long`);
    return errs;
  };

  const typeErrors = (t) => (typeof t === "string" && TYPES.includes(t) ? [] : [`Invalid volume type: ${t}. Volume type should be one of: ${TYPES.join(", ")}`]);

  const mine = (req) => [...store.volumes.values()].filter((v) => v.owner_uuid === req.account.id);

  const find = (req, context) => {
    const v = mine(req).find((x) => x.id === req.params.id);
    if (!v) throw volapi(404, "VolumeNotFound", context, `Volume ${req.params.id} not found`);
    return v;
  };

  /** The small predicate language (eq/ne/and/or on name, type, state, size). */
  const evalPredicate = (p, v) => {
    const [op] = Object.keys(p);
    const arg = p[op];
    if (op === "and") return arg.every((x) => evalPredicate(x, v));
    if (op === "or") return arg.some((x) => evalPredicate(x, v));
    const [field, value] = arg;
    const actual = field === "id" ? v.id : field === "tags" ? undefined : v[field];
    const hit = field === "name" || field === "type" || field === "state" ? globOrEq(value, actual) : String(actual) === String(value);
    return op === "eq" ? hit : !hit;
  };
  const globOrEq = (pattern, value) => ctx.params.globMatch(String(pattern), value);

  const predicateFields = (p, out = []) => {
    const [op] = Object.keys(p);
    if (op === "and" || op === "or") p[op].forEach((x) => predicateFields(x, out));
    else out.push(p[op][0]);
    return out;
  };

  const parsePredicate = (text) => {
    let p;
    try {
      p = JSON.parse(text);
    } catch {
      return { err: "predicate is not valid JSON" };
    }
    const ok = (x) => {
      if (!x || typeof x !== "object" || Array.isArray(x) || Object.keys(x).length !== 1) return false;
      const [op] = Object.keys(x);
      if (op === "and" || op === "or") return Array.isArray(x[op]) && x[op].length > 0 && x[op].every(ok);
      if (op === "eq" || op === "ne") {
        return Array.isArray(x[op]) && x[op].length === 2 && ["id", "name", "type", "state", "size", "billing_id", "tags"].includes(x[op][0]);
      }
      return false;
    };
    if (!ok(p)) return { err: `predicate ${text} is not a valid predicate` };
    return { p };
  };

  ctx.route("GET", "/:account/volumes", "ListVolumes", (req, res) => {
    const q = req.query && typeof req.query === "object" ? req.query : {};
    const p = req.params;
    const errs = Object.keys(q).filter((k) => !["name", "predicate", "size", "state", "type"].includes(k)).map((k) => `invalid parameter: ${k}`);
    if (p.name !== undefined && !NAME_SEARCH_RE.test(String(p.name))) errs.push("invalid value for name search parameter");
    if (p.type !== undefined) errs.push(...typeErrors(p.type));
    if (p.size !== undefined && !SIZE_RE.test(String(p.size))) errs.push(`invalid value for size search parameter, must match ${SIZE_RE}`);
    if (p.state !== undefined && !STATES.includes(p.state)) errs.push(`Volume state: ${p.state} is invalid`);
    let pred;
    if (p.predicate !== undefined) {
      const r = parsePredicate(String(p.predicate));
      if (r.err) errs.push(r.err);
      else {
        pred = r.p;
        for (const f of predicateFields(pred)) {
          if (p[f] !== undefined && p[f] !== null) errs.push(`predicate has "${f}" which conflicts with parameter with same name`);
        }
      }
    }
    if (errs.length) throw invalid(errs);
    const list = mine(req)
      .filter((v) => (pred ? evalPredicate(pred, v) : p.state !== undefined || v.state !== "failed"))
      .filter((v) => p.name === undefined || globOrEq(p.name, v.name))
      .filter((v) => p.type === undefined || v.type === p.type)
      .filter((v) => p.size === undefined || String(v.size) === String(p.size))
      .filter((v) => p.state === undefined || v.state === p.state)
      .map(volumeJson);
    res.header("x-resource-count", list.length);
    res.send(200, list);
  }, { head: false });

  ctx.route("POST", "/:account/volumes", "CreateVolume", (req, res) => {
    const p = req.params;
    const errs = [];
    if (p.name !== undefined) errs.push(...nameErrors(p.name));
    errs.push(...typeErrors(p.type));
    if (p.size !== undefined && !(typeof p.size === "number" && p.size > 0)) errs.push(`Invalid volume size: ${p.size}`);
    if (p.networks !== undefined) {
      if (!Array.isArray(p.networks)) errs.push("Invalid networks: networks must be an array");
      else if (!p.networks.every((n) => typeof n === "string" && UUID_RE.test(n))) errs.push(`Invalid networks: ${p.networks}`);
    }
    if (p.affinity !== undefined && p.affinity && (!Array.isArray(p.affinity) || !p.affinity.every((a) => typeof a === "string"))) {
      errs.push("Invalid affinity: affinity must be an array of strings");
    }
    if (p.tags !== undefined && p.tags && (typeof p.tags !== "object" || !Object.keys(p.tags).every((k) => typeof p.tags[k] === "string"))) {
      errs.push("Invalid tags: tags must be an object of key/value strings");
    }
    if (errs.length) throw invalid(errs);

    let networks;
    if (p.networks !== undefined) {
      const ok = p.networks.every((id) => {
        const n = store.networks.get(id);
        return n && n.fabric && n.owner === req.account.id;
      });
      if (!ok) throw errors.invalidArgument(`Invalid networks: ${p.networks}`);
      networks = [...new Set(p.networks)];
    } else {
      const def = store.networks.get(req.account.config.default_network);
      if (!def || !def.fabric || def.owner !== req.account.id) {
        throw errors.restError(409, "DefaultFabricNetworkNotConfiguredError", "default_network is not configured for account");
      }
      networks = [def.id];
    }

    const wanted = p.size === undefined ? 10240 : p.size;
    const size = SIZES.find((s) => s >= wanted);
    if (size === undefined) throw volapi(409, "VolumeSizeNotAvailable", "Error when creating volume", `Volume size ${wanted} is not available`);
    const id = store.uuid();
    const name = p.name === undefined ? `volume-${id.slice(0, 8)}` : p.name;
    if (mine(req).some((v) => v.name === name && v.state !== "failed")) {
      throw volapi(409, "VolumeAlreadyExists", "Error when creating volume", `Volume with name ${name} already exists`);
    }
    const v = {
      id,
      owner_uuid: req.account.id,
      name,
      type: p.type,
      size,
      state: "creating",
      networks,
      created: store.isoNow(),
      vm_uuid: store.uuid(),
    };
    if (p.tags) v.tags = { ...p.tags };
    store.volumes.set(v.id, v);
    ctx.jobs.schedule({
      kind: "volume",
      run: () => {
        if (v.state !== "creating") return false;
        const net = store.networks.get(networks[0]);
        const ip = net ? store.allocateIp(net, v.vm_uuid, req.account.id) : null;
        if (!ip) {
          v.state = "failed";
          return false;
        }
        v.ip = { network: net.id, ip };
        v.filesystem_path = `${ip}:/exports/data`;
        v.state = "ready";
        return true;
      },
    });
    res.send(201, volumeJson(v));
  });

  ctx.route("GET", "/:account/volumes/:id", "GetVolume", (req) => {
    const errs = volumeIdErrors(req.params.id);
    if (errs.length) throw invalid(errs);
    return volumeJson(find(req, "Error when getting volume"));
  }, { head: false });

  ctx.route("DELETE", "/:account/volumes/:id", "DeleteVolume", (req, res) => {
    const errs = volumeIdErrors(req.params.id);
    if (errs.length) throw invalid(errs);
    const v = find(req, "Error when deleting volume");
    const refs = refsOf(v);
    if (refs.length) {
      throw volapi(409, "VolumeInUse", "Error when deleting volume", `Volume with name ${v.name} is used by vms: ${refs.join(", ")}`);
    }
    if (v.state !== "deleting") {
      v.state = "deleting";
      ctx.jobs.schedule({
        kind: "volume",
        run: () => {
          if (v.ip) store.releaseIp(v.ip.network, v.ip.ip);
          store.volumes.delete(v.id);
        },
      });
    }
    res.send(204);
  });

  ctx.route("POST", "/:account/volumes/:id", "UpdateVolume", (req) => {
    const p = req.params;
    const errs = [];
    if (p.name !== undefined) errs.push(...nameErrors(p.name));
    errs.push(...volumeIdErrors(p.id));
    for (const k of Object.keys(req.query || {})) {
      if (k !== "account" && k !== "name") errs.push(`${k} is an invalid parameter`);
    }
    if (errs.length) throw invalid(errs);
    const v = find(req, "Error when updating volume");
    if (p.name !== undefined && p.name !== v.name) {
      if (mine(req).some((x) => x.name === p.name && x.state !== "failed")) {
        throw volapi(409, "VolumeAlreadyExists", "Error when updating volume", `Volume with name ${p.name} already exists`);
      }
      v.name = p.name;
    }
    return volumeJson(v);
  });

  ctx.route("GET", "/:account/volumesizes", "ListVolumeSizes", (req, res) => {
    if (req.params.type !== undefined) {
      const errs = typeErrors(req.params.type);
      if (errs.length) throw invalid(errs);
    }
    const sizes = SIZES.map((size) => ({ size, type: "tritonnfs" }));
    res.header("x-resource-count", sizes.length);
    res.send(200, sizes);
  }, { head: false, group: "volumes" });
}
