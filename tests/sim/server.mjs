// The simulator's HTTP server: restify 4.3.3 set up the way CloudAPI's lib/app.js sets it up
// (cloudapi.md §1.1), the route loader, and the test-only controls (admin API, faults,
// throttle, read-only, permissive CORS) that never live on CloudAPI's own paths.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

import { createContext, VERSIONS, SERVER_NAME } from "./lib/context.mjs";
import { authorizationParser, dateParser } from "./lib/auth.mjs";
import { adminHandler } from "./lib/admin.mjs";
import { Faults } from "./lib/faults.mjs";

const require = createRequire(import.meta.url);
const restify = require("restify");
// bunyan as restify resolves it: restify insists on a logger; ours is silent so the CLI's
// stdout carries only its one JSON line.
const bunyan = createRequire(require.resolve("restify"))("bunyan");

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Headers a permissive preflight allows, and the extra ones it exposes (non-faithful mode). */
const PERMISSIVE_EXPOSE = "Api-Version, Request-Id, Response-Time, x-resource-count, x-query-limit, Location, x-job-uuid, x-joyent-jobid, Triton-Datacenter-Name, role-tag, Retry-After, Content-MD5";

/**
 * Build the restify server and the route context. Does not listen.
 * @param {object} sim  normalized options + store + jobs (see index.mjs)
 * @returns {Promise<{server, ctx}>}
 */
export async function buildServer(sim) {
  const log = bunyan.createLogger({ name: "cloudapi-sim", level: bunyan.FATAL + 1, streams: [{ stream: process.stderr, level: bunyan.FATAL + 1 }] });
  const serverOpts = {
    name: SERVER_NAME,
    version: VERSIONS,
    log,
    handleUncaughtExceptions: true,
  };
  if (sim.tls) serverOpts.httpsServerOptions = { cert: sim.tls.cert, key: sim.tls.key };
  const server = restify.createServer(serverOpts);

  const faults = new Faults();
  sim.faults = faults;

  // --- before routing: test controls. Nothing here answers on a CloudAPI path unless the
  // admin token is set and the path is under /__sim/, or a fault was explicitly injected.
  // A `pre` handler that answers must NOT call next(): restify 4 routes the request anyway
  // after next(false) in the pre chain (server.js _handle only stops on an error).
  server.pre((req, res, next) => {
    if (sim.adminToken && (req.url === "/__sim" || req.url.startsWith("/__sim/"))) {
      adminHandler(sim, req, res);
      return undefined;
    }
    if (sim.cors === "permissive" && req.method === "OPTIONS" && req.headers.origin) {
      res.writeHead(200, {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE",
        "Access-Control-Allow-Headers": req.headers["access-control-request-headers"] || "*",
        "Access-Control-Max-Age": "3600",
        "Content-Length": "0",
      });
      res.end();
      return undefined;
    }
    // Why: a skewed simulator must also show its clock in `Date`, as a real server's
    // responses do; clients recover from a clock-skew rejection by reading it.
    if (sim.store.clockSkewMs) res.setHeader("Date", new Date(sim.store.now()).toUTCString());
    return faults.apply(req, res, next);
  });

  // --- CloudAPI's middleware, in its order (lib/app.js). Routing (404/405/version/415)
  // happens before these; errors from them go out without the fullResponse headers.
  server.use(restify.acceptParser(server.acceptable));
  server.use(authorizationParser(sim.store));
  server.use(dateParser(sim.store));
  server.use(restify.queryParser({ allowDots: false, plainObjects: false }));
  server.use(restify.bodyParser({ overrideParams: true, mapParams: true, maxBodySize: 100000 }));
  server.use(restify.fullResponse());
  if (sim.cors === "permissive") {
    server.use((req, res, next) => {
      res.setHeader("Access-Control-Expose-Headers", PERMISSIVE_EXPOSE);
      next();
    });
  }

  const ctx = createContext(server, sim);
  await loadRoutes(ctx);
  ctx.finish();

  // restify emits these instead of answering when it has a listener; without one it
  // answers itself. Uncaught handler exceptions become CloudAPI's generic 500.
  server.on("uncaughtException", (req, res, route, err) => {
    if (res.headersSent) {
      res.destroy?.();
      return;
    }
    res.send(ctx.errors.internalError(`Internal error: ${err && err.message ? err.message : "unknown"}`));
  });

  // Requests Node's HTTP parser rejects (bad header bytes, duplicate Content-Length, not
  // HTTP at all). restify re-emits 'clientError', which suppresses Node's own 400 and would
  // leave the socket hanging; in front of the real CloudAPI, HAProxy answers these with
  // its 400 page (cloudapi.md §3.5), so that is what the simulator sends.
  server.on("clientError", (err, socket) => {
    const body = JSON.stringify({ BadHTTPRequest: "Request was malformed" });
    if (socket.writable && !socket._httpMessage?.headersSent) {
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroySoon?.();
  });

  return { server, ctx };
}

/**
 * Import every routes/*.mjs that exports `register(ctx)`; modules register in ascending
 * `export const order` (default 0), then by file name. Catch-all routes (role tags) use a
 * high order so specific routes win (restify picks the first registered match).
 */
async function loadRoutes(ctx) {
  const dir = path.join(HERE, "routes");
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".mjs"))
    .sort();
  const mods = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(path.join(dir, f)).href);
    if (typeof mod.register === "function") mods.push({ f, mod, order: Number(mod.order) || 0 });
  }
  mods.sort((a, b) => a.order - b.order || (a.f < b.f ? -1 : 1));
  for (const { mod } of mods) await mod.register(ctx);
}
