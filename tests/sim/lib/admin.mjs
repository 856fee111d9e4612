// The test-only admin API. It exists only when the simulator was started with an admin
// token, lives under /__sim/ (never a CloudAPI path) and wants `x-sim-admin-token`.
//
//   GET    /__sim/state                 store summary + faults + read-only + throttle + speed
//   POST   /__sim/faults                add a fault (or an array of them) → 201 {faults}
//   GET    /__sim/faults                list pending faults
//   DELETE /__sim/faults                remove every fault → 204
//   POST   /__sim/readonly              {enabled, retryAfter?: seconds | HTTP-date string, message?}
//   POST   /__sim/throttle              {enabled?, burst?, rate?} (resets the buckets)
//   POST   /__sim/speed                 {speed: "fast"|"realistic"|number}
//   POST   /__sim/clock                 {skew: seconds} server clock offset (auth skew, timestamps)
//   POST   /__sim/machines/bulk         {count ≤ 10000, state?: "running", namePrefix?, image?, package?, login?}
//                                        → 201 {created, ids?(≤100)} machines made instantly
//   POST   /__sim/machines/:id/state    {state} force a machine state (failed, offline, unknown, …)
//   POST   /__sim/accounts              {login, keys?: [OpenSSH public key]} add another account
import { speedFactor } from "./jobs.mjs";

const MAX_BODY = 1024 * 1024;

/** Handle one admin request (called from the server's `pre` stage). */
export function adminHandler(sim, req, res) {
  const send = (status, body) => {
    const text = body === undefined ? "" : JSON.stringify(body);
    const h = { "Content-Length": Buffer.byteLength(text) };
    if (text) h["Content-Type"] = "application/json";
    res.writeHead(status, h);
    res.end(text);
  };
  if (req.headers["x-sim-admin-token"] !== sim.adminToken) {
    send(401, { code: "Unauthorized", message: "missing or wrong x-sim-admin-token" });
    req.resume();
    return;
  }
  const chunks = [];
  let size = 0;
  let aborted = false;
  req.on("data", (c) => {
    size += c.length;
    if (size > MAX_BODY && !aborted) {
      aborted = true;
      send(413, { code: "PayloadTooLarge", message: "admin body over 1 MiB" });
    }
    if (!aborted) chunks.push(c);
  });
  req.on("end", () => {
    if (aborted) return;
    let body;
    const text = Buffer.concat(chunks).toString("utf8");
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch {
        send(400, { code: "InvalidContent", message: "admin body must be JSON" });
        return;
      }
    }
    const out = adminDispatch(sim, req.method, req.url.split("?")[0], body);
    send(out.status, out.body);
  });
}

/**
 * The admin API as a function: (method, path, body) → {status, body}. Used by the HTTP
 * handler above and by startSimulator()'s `admin(path, body, method)`.
 */
export function adminDispatch(sim, method, path, body) {
  const store = sim.store;
  const ok = (b, status = 200) => ({ status, body: b });
  const bad = (message, status = 409) => ({ status, body: { code: "InvalidArgument", message } });
  const b = body && typeof body === "object" ? body : {};
  try {
    if (path === "/__sim/state" && method === "GET") {
      return ok({
        ...store.summary(),
        speed: sim.speed,
        readOnly: sim.readOnly,
        throttle: { enabled: sim.throttle.enabled, burst: sim.throttle.burst, rate: sim.throttle.rate },
        faults: sim.faults.toJSON(),
        cors: sim.cors,
      });
    }
    if (path === "/__sim/faults") {
      if (method === "GET") return ok({ faults: sim.faults.toJSON() });
      if (method === "DELETE") {
        sim.faults.clear();
        return ok(undefined, 204);
      }
      if (method === "POST") {
        const list = Array.isArray(body) ? body : [body];
        for (const f of list) sim.faults.add(f);
        return ok({ faults: sim.faults.toJSON() }, 201);
      }
    }
    if (path === "/__sim/readonly" && method === "POST") {
      sim.readOnly = {
        enabled: b.enabled !== false,
        retryAfter: b.retryAfter === undefined ? undefined : b.retryAfter,
        message: typeof b.message === "string" ? b.message : undefined,
      };
      return ok({ readOnly: sim.readOnly });
    }
    if (path === "/__sim/throttle" && method === "POST") {
      sim.throttle.configure({ enabled: b.enabled, burst: b.burst, rate: b.rate });
      return ok({ throttle: { enabled: sim.throttle.enabled, burst: sim.throttle.burst, rate: sim.throttle.rate } });
    }
    if (path === "/__sim/speed" && method === "POST") {
      sim.jobs.factor = speedFactor(b.speed);
      sim.speed = b.speed;
      return ok({ speed: sim.speed, factor: sim.jobs.factor });
    }
    if (path === "/__sim/clock" && method === "POST") {
      const skew = Number(b.skew);
      if (!Number.isFinite(skew)) return bad("skew (seconds) must be a number");
      store.clockSkewMs = Math.round(skew * 1000);
      return ok({ skew });
    }
    if (path === "/__sim/machines/bulk" && method === "POST") return bulkMachines(store, b);
    const stateMatch = /^\/__sim\/machines\/([0-9a-f-]{36})\/state$/.exec(path);
    if (stateMatch && method === "POST") {
      const m = store.machines.get(stateMatch[1]);
      if (!m) return { status: 404, body: { code: "ResourceNotFound", message: "VM not found" } };
      if (typeof b.state !== "string") return bad("state is required");
      if (b.state === "deleted") m.destroyed = store.isoNow();
      else m.state = b.state;
      m.updated = store.isoNow();
      return ok(store.machineJson(m));
    }
    if (path === "/__sim/accounts" && method === "POST") {
      if (typeof b.login !== "string" || !/^[a-zA-Z][a-zA-Z0-9_.@-]{0,31}$/.test(b.login)) return bad("login is invalid");
      if (store.accountByLogin(b.login)) return bad("login already exists");
      const acct = store.addAccount({ login: b.login });
      for (const k of Array.isArray(b.keys) ? b.keys : []) store.addKey(acct, { key: k });
      return ok({ id: acct.id, login: acct.login, keys: acct.keys.map((k) => ({ name: k.name, fingerprint: k.fingerprint })) }, 201);
    }
    return { status: 404, body: { code: "ResourceNotFound", message: `${method} ${path} is not an admin endpoint` } };
  } catch (e) {
    return bad(e.message);
  }
}

/** Make `count` machines at once (pagination tests), straight into the store. */
function bulkMachines(store, b) {
  const count = Number(b.count);
  if (!Number.isInteger(count) || count < 1 || count > 10000) return { status: 409, body: { code: "InvalidArgument", message: "count must be 1..10000" } };
  const account = b.login ? store.accountByLogin(b.login) : store.account;
  if (!account) return { status: 404, body: { code: "ResourceNotFound", message: "no such account" } };
  const image = (b.image && store.images.get(b.image)) || store.seedImages.base;
  const pkg = (b.package && store.findPackage(b.package)) || store.seedPackages.p512;
  const prefix = typeof b.namePrefix === "string" ? b.namePrefix : "bulk-";
  const state = typeof b.state === "string" ? b.state : "running";
  const ids = [];
  for (let i = 0; i < count; i++) {
    // Bulk machines get a private-network NIC only, so thousands fit in the seeded ranges.
    const m = store.newMachine({ account, image, pkg, name: `${prefix}${i}`, state, networks: [{ net: store.seedNetworks.private }] });
    if (!m) return { status: 409, body: { code: "InvalidArgument", message: `network full after ${i} machines` } };
    m.audit.unshift({ action: "provision", success: "yes", time: m.created, caller: { type: "operator" } });
    if (ids.length < 100) ids.push(m.id);
  }
  return { status: 201, body: { created: count, ids } };
}
