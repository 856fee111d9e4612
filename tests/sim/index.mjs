// Programmatic entry point: `await startSimulator(options)`.
//
// options: {
//   port = 0 (random free port), host = "127.0.0.1", account = "testuser",
//   keys = []            OpenSSH public keys: the key text, or a path to a .pub file
//   speed = "fast"       "fast" | "realistic" | number (factor on realistic durations)
//   seed = 1             PRNG seed for the catalogue and ids
//   adminToken           enables the /__sim/ admin API (header x-sim-admin-token)
//   cors = "faithful"    "faithful" | "permissive" (non-faithful, for browser experiments)
//   throttle = true      true/false or "on"/"off"
//   tls                  {cert, key} PEM texts or file paths → serve HTTPS
//   datacenter = "us-sim-1"
// }
// resolves to { url, account, keys: [{name, fingerprint}], close(), admin(path, body, method?), store, ctx }.
import fs from "node:fs";

import { buildServer } from "./server.mjs";
import { Store } from "./lib/store.mjs";
import { Jobs, speedFactor } from "./lib/jobs.mjs";
import { Throttle } from "./lib/throttle.mjs";
import { adminDispatch } from "./lib/admin.mjs";

/** A key option is either OpenSSH text or a file path; returns the text. */
function keyText(k) {
  if (typeof k !== "string" || !k.trim()) throw new Error("key must be a non-empty string (OpenSSH public key or file path)");
  if (/^(ssh-|ecdsa-sha2-|sk-)/.test(k.trim())) return k.trim();
  try {
    return fs.readFileSync(k, "utf8").trim();
  } catch (e) {
    throw new Error(`cannot read key file ${k}: ${e.code || e.message}`);
  }
}

function pemText(v, what) {
  if (typeof v !== "string" || !v) throw new Error(`tls.${what} is required`);
  if (v.includes("-----BEGIN")) return v;
  try {
    return fs.readFileSync(v, "utf8");
  } catch (e) {
    throw new Error(`cannot read tls ${what} file ${v}: ${e.code || e.message}`);
  }
}

function onOff(v, dflt) {
  if (v === undefined || v === null) return dflt;
  if (v === true || v === "on" || v === "true") return true;
  if (v === false || v === "off" || v === "false") return false;
  throw new Error(`expected on/off, got ${JSON.stringify(v)}`);
}

/** Validate and default the options (throws Error with a one-line reason). */
export function normalizeOptions(o = {}) {
  const port = o.port === undefined ? 0 : Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port must be 0..65535, got ${o.port}`);
  const account = o.account === undefined ? "testuser" : String(o.account);
  if (!/^[a-zA-Z][a-zA-Z0-9_.@-]{0,31}$/.test(account) || account === "my") throw new Error(`account login ${JSON.stringify(account)} is not valid`);
  const cors = o.cors === undefined ? "faithful" : o.cors;
  if (cors !== "faithful" && cors !== "permissive") throw new Error(`cors must be faithful or permissive, got ${JSON.stringify(cors)}`);
  const seed = o.seed === undefined ? 1 : Number(o.seed);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${o.seed}`);
  return {
    port,
    host: o.host || "127.0.0.1",
    account,
    keys: (o.keys || []).map(keyText),
    speed: o.speed === undefined ? "fast" : o.speed,
    factor: speedFactor(o.speed),
    seed,
    adminToken: o.adminToken ? String(o.adminToken) : undefined,
    cors,
    throttle: onOff(o.throttle, true),
    tls: o.tls ? { cert: pemText(o.tls.cert, "cert"), key: pemText(o.tls.key, "key") } : undefined,
    datacenter: o.datacenter || "us-sim-1",
  };
}

/** Start a simulator; see the header comment for options and result. */
export async function startSimulator(options = {}) {
  const opts = normalizeOptions(options);
  const store = new Store({ seed: opts.seed, login: opts.account, keys: opts.keys, datacenter: opts.datacenter });
  const sim = {
    ...opts,
    store,
    jobs: new Jobs(store, opts.factor),
    throttle: new Throttle({ enabled: opts.throttle }),
    readOnly: { enabled: false },
  };
  const { server, ctx } = await buildServer(sim);
  await new Promise((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.server.removeListener("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const hostPart = addr.family === "IPv6" || addr.address.includes(":") ? `[${addr.address}]` : addr.address;
  const url = `${opts.tls ? "https" : "http"}://${hostPart}:${addr.port}`;
  store.setUrl(url);

  const sockets = new Set();
  server.server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.server.on("secureConnection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  let closed = null;
  return {
    url,
    account: opts.account,
    keys: store.account.keys.map((k) => ({ name: k.name, fingerprint: k.fingerprint })),
    store,
    ctx,
    /** The admin API in-process (works with or without an admin token). */
    async admin(path, body, method) {
      const m = method || (body === undefined ? "GET" : "POST");
      const out = adminDispatch(sim, m.toUpperCase(), path, body);
      if (out.status >= 400) {
        const e = new Error(`admin ${m} ${path}: ${out.body && out.body.message}`);
        e.status = out.status;
        throw e;
      }
      return out.body;
    },
    close() {
      if (!closed) {
        closed = new Promise((resolve) => {
          sim.jobs.stop();
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
        });
      }
      return closed;
    },
  };
}
