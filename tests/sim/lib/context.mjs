/**
 * The route context (`ctx`) every tests/sim/routes/*.mjs module receives.
 *
 * A route module is an ES module exporting `register(ctx)` (sync or async) and optionally
 * `order` (number, default 0; modules register in ascending order, then by file name —
 * restify picks the FIRST registered route that matches, so catch-alls need a high order).
 *
 * ctx = {
 *   server   the restify 4.3.3 server (rarely needed directly).
 *   store    lib/store.mjs Store: the one in-memory model (accounts, users, keys, images,
 *            packages, networks + IPs, vlans, machines with nics/snapshots/audit, fwrules,
 *            volumes, roles, policies, accessKeys, roleTags, migrations) and the wire
 *            translations (accountJson, keyJson, imageJson, packageJson, networkJson,
 *            nicJson, machineJson). `store.now()/isoNow()/uuid()` = simulated clock & ids.
 *   jobs     lib/jobs.mjs Jobs: `jobs.schedule({kind, run, machine?, audit?, caller?})` runs
 *            `run()` after REALISTIC_MS[kind] × speed factor and then (if machine+audit)
 *            records the audit entry; returns {uuid,…} (use it for x-job-uuid).
 *            `jobs.delay(kind)` gives the scaled delay.
 *   throttle lib/throttle.mjs Throttle (token bucket per login per endpoint group).
 *   sim      the normalized simulator options (+ readOnly state, faults).
 *   errors   lib/errors.mjs: restError(status, code, msg, extra), httpError(status, msg),
 *            plainError(msg), invalidArgument, missingParameter, notFound, notAuthorized,
 *            conflict(code, msg), validationFailed(msg, errors), gone(body), … — all produce
 *            CloudAPI's exact `{code, message}` body and status when thrown or sent.
 *   params   lib/params.mjs: isUuid, requireUuid, requireString, boolParam, strictTrue,
 *            intParam, listParam, prefixed(params, "tag."), globMatch.
 *
 *   route(method, path, name, handler, opts?)
 *       Register one CloudAPI route. `method` GET|HEAD|POST|PUT|DELETE; a GET also
 *       registers HEAD with the same handler (name "Head…": ListMachines → HeadMachines,
 *       GetMachine → HeadMachine) unless opts.head === false. `name` is CloudAPI's route
 *       name (it becomes the RBAC action, lower-cased). Every route runs, in order:
 *       routing (404/405/InvalidVersion/415) → accept → authorization parser → date →
 *       query/body parsers → fullResponse → presigned URL → signature auth →
 *       assertAuthenticated → loadAccount (`my` resolved; req.account/req.caller/
 *       req.subuser set) → RBAC for sub-users → read-only check (POST/PUT/DELETE → 503)
 *       → throttle(opts.group) → handler.
 *       handler(req, res): may be async. Either send with `res.send(status, body)` (set
 *       headers with `res.header(name, value)` first) or RETURN a body (sent as 200 JSON).
 *       Throw (or reject with) a ctx.errors error to answer with it. `req.params` holds
 *       path + query + body params (body wins); `req.body` the parsed body.
 *       opts: {
 *         version:  string|string[] route versions (default all server versions
 *                   9.0.0, 8.0.0, 7.3.0, 7.2.0, 7.1.0, 7.0.0)
 *         contentType: string|string[] accepted request types → restify 415 otherwise
 *                   (CreateKey & co: ["multipart/form-data","application/octet-stream",
 *                   "application/json","text/plain"] — export TYPED_CONTENT below)
 *         group:    throttle endpoint group (default from the path as CloudAPI mounts
 *                   them: "machines" for /machines/** and /fwrules, "nics", "networks"
 *                   for networks+fabrics, "keys" incl. sub-user keys, "account"…)
 *         auth:     false → no authentication at all (docs redirects only)
 *         head:     false → do not add the HEAD twin of a GET
 *         headName: explicit name of the HEAD twin (when the derived one would collide)
 *       }
 *   version(req)         the request's version range (Accept-Version / X-Api-Version / "*")
 *   below(req, "7.1.0")  true if the request targets an API generation older than that
 *   caller(req)          audit caller object {type:"signature", ip, keyId}
 *   resourcePath(req)    request path with /my → /<login> (the role-tag key)
 *   tagNew(req, path)    apply a `role-tag` request header to a newly created resource
 *   getMachine(req, {allowDeleted, param})
 *                        the caller's machine named by req.params[param||"machine"];
 *                        409 ValidationFailed if not a UUID (VMAPI's check);
 *                        404 ResourceNotFound "VM not found" if unknown / not owned;
 *                        410 with the machine object as body if deleted (unless allowDeleted).
 *   setRoleTagHandler(fn)
 *       Role tags (cloudapi.md §1.8, §2.7). The core itself registers, after every module,
 *       the catch-alls `PUT /:account`, `PUT /:account/:resource_name` and
 *       `PUT /:account/:resource_name/:resource_id` (name "ReplaceResourcesRoleTags" etc.)
 *       so the 405-with-Allow:PUT quirk for unknown 2/3-segment paths exists by construction.
 *       Their body is `fn(req, res)` if routes/roletags.mjs called setRoleTagHandler(fn),
 *       else a small built-in (store.roleTags[path] = body["role-tag"]; returns
 *       {name: path, "role-tag": [...]}). routes/roletags.mjs registers the more specific
 *       role-tag routes itself (PUT /:account/machines/:machine, PUT /:account/users/:user/keys[/:key]).
 *   setRbac(fn)
 *       fn(req) → boolean decides whether a sub-user may call this route (action =
 *       routeAction(req), e.g. "listmachines", "startmachine"). Default: lib/rbac.mjs
 *       (the user's default roles / as-role → policies → "CAN a, b AND c" rules).
 * }
 */
import { createRequire } from "node:module";
import * as errors from "./errors.mjs";
import * as params from "./params.mjs";
import { versionBelow } from "./store.mjs";
import { assertAuthenticated, loadAccountAndAuthorize, preSignedUrl, signatureAuth, routeAction } from "./auth.mjs";
import { defaultRbac } from "./rbac.mjs";

const require = createRequire(import.meta.url);
const restify = require("restify");

/** The API versions CloudAPI 9.20 advertises (lib/app.js config.version). */
export const VERSIONS = ["9.0.0", "8.0.0", "7.3.0", "7.2.0", "7.1.0", "7.0.0"];
/** Server header value. */
export const SERVER_NAME = "cloudapi/9.20.0";
/** Request types accepted by CreateKey, CreateUser, CreateRole, CreatePolicy, CreateAccessKey… */
export const TYPED_CONTENT = ["multipart/form-data", "application/octet-stream", "application/json", "text/plain"];

const DOCS_URL = "https://apidocs.tritondatacenter.com/cloudapi/";
const WRITE_METHODS = new Set(["POST", "PUT", "DELETE"]);

export { routeAction };

/** Build ctx and install the post-fullResponse global middleware (auth). */
export function createContext(server, sim) {
  const names = new Set();
  let roleTagHandler = null;
  let rbac = (req) => defaultRbac(sim.store, req);

  // CloudAPI lib/app.js step 6: docs redirects come before any auth.
  server.use((req, res, next) => {
    const p = req.path();
    if (req.method === "GET" && (p === "/" || p === "/docs" || p === "/docs/")) {
      res.header("Location", DOCS_URL);
      res.send(302);
      return next(false);
    }
    if (req.method === "GET" && p === "/favicon.ico") {
      res.header("Location", "https://www.tritondatacenter.com/favicon.ico");
      res.send(302);
      return next(false);
    }
    return next();
  });
  // Step 7: authentication. /--ping runs the first two (a bad signature on it still fails),
  // skips the rest (as CloudAPI's path checks do).
  server.use(preSignedUrl(sim.store));
  server.use(signatureAuth(sim.store));
  const isPing = (req) => req.path() === "/--ping";
  server.use((req, res, next) => (isPing(req) ? next() : assertAuthenticated(req, res, next)));
  const loadAccount = loadAccountAndAuthorize(sim.store, (req) => rbac(req));
  server.use((req, res, next) => (isPing(req) || req.params.account === undefined ? next() : loadAccount(req, res, next)));

  const readOnly = (req, res, next) => {
    const ro = sim.readOnly;
    if (!ro || !ro.enabled || !WRITE_METHODS.has(req.method)) return next();
    if (ro.retryAfter !== undefined && ro.retryAfter !== null) {
      res.header("Retry-After", typeof ro.retryAfter === "number" ? new Date(sim.store.now() + ro.retryAfter * 1000).toUTCString() : String(ro.retryAfter));
    }
    return next(errors.serviceUnavailable(ro.message || "This Triton data center is being upgraded"));
  };

  const toError = (e) => {
    if (e && typeof e === "object" && e.statusCode && e.body !== undefined) return e;
    return errors.internalError(`Internal error: ${e && e.message ? e.message : String(e)}`);
  };

  const wrap = (handler) => (req, res, next) => {
    let out;
    // GETs of role-tagged resources answer with a `role-tag` header (cloudapi.md §2.3).
    if ((req.method === "GET" || req.method === "HEAD") && req.account) {
      const tags = sim.store.roleTagsOf(ctx.resourcePath(req));
      if (tags.length) res.header("role-tag", tags.join(","));
    }
    try {
      out = handler(req, res);
    } catch (e) {
      return next(toError(e));
    }
    Promise.resolve(out).then(
      (body) => {
        if (res.headersSent || res._simSent) return next();
        if (body === undefined) return next(errors.internalError("handler sent no response"));
        res.send(200, body);
        return next();
      },
      (e) => next(toError(e)),
    );
    return undefined;
  };

  // Throttle groups as CloudAPI's lib/app.js mounts them: every machine sub-resource
  // (metadata, tags, snapshots, audit, disks, migrations, VNC) and the firewall rules share
  // the "machines" bucket; fabrics share "networks"; sub-user keys share "keys".
  const GROUPS = { fwrules: "machines", migrations: "machines", fabrics: "networks", images: "datasets", datasets: "datasets", datacenters: "datacenter", foreigndatacenters: "datacenter", volumesizes: "volumes" };
  const groupOf = (path) => {
    const seg = path.split("/").filter(Boolean);
    if (seg.length < 2) return "account";
    if (seg[1].startsWith(":")) return "resources";
    if (seg[1] === "machines") return seg[3] === "nics" ? "nics" : "machines";
    if (seg[1] === "users" && seg[3] === "keys") return "keys";
    if (seg[1] === "users" && seg[3] === "accesskeys") return "accesskeys";
    return GROUPS[seg[1]] || seg[1];
  };

  const mount = (method, path, name, handler, opts) => {
    const key = name.replace(/\W/g, "").toLowerCase();
    if (names.has(key)) throw new Error(`duplicate route name ${name}`);
    names.add(key);
    const spec = { path, name };
    if (opts.version) spec.version = opts.version;
    if (opts.contentType) spec.contentType = opts.contentType;
    const chain = [];
    // CloudAPI: the read-only check is global middleware (after authorize); the throttle
    // is the first handler of each route.
    if (opts.auth !== false) chain.push(readOnly, sim.throttle.middleware(opts.group || groupOf(path)));
    chain.push(wrap(handler));
    const fn = { GET: "get", HEAD: "head", POST: "post", PUT: "put", DELETE: "del" }[method];
    if (!fn) throw new Error(`unsupported method ${method}`);
    server[fn](spec, ...chain);
  };

  const ctx = {
    server,
    store: sim.store,
    jobs: sim.jobs,
    throttle: sim.throttle,
    sim,
    errors,
    params,

    route(method, path, name, handler, opts = {}) {
      const m = method.toUpperCase();
      mount(m, path, name, handler, opts);
      if (m === "GET" && opts.head !== false) mount("HEAD", path, opts.headName || headName(name), handler, opts);
    },

    version(req) {
      return req.getVersion ? req.getVersion() : "*";
    },

    below(req, v) {
      return versionBelow(ctx.version(req), v);
    },

    caller(req) {
      const c = { type: "signature" };
      const ip = (req.headers["x-forwarded-for"] || "").split(",").pop().trim() || req.connection?.remoteAddress;
      if (ip) c.ip = ip;
      if (req.callerKey) c.keyId = req.callerKey.keyId;
      if (req.subuser) c.user = req.caller.login;
      return c;
    },

    getMachine(req, { allowDeleted = false, param = "machine" } = {}) {
      const id = req.params[param];
      // VMAPI validates the uuid before looking it up; CloudAPI passes its 409 through.
      if (!params.isUuid(id)) throw errors.validationFailed("Invalid Parameters", [{ field: "uuid", code: "Invalid", message: "Invalid UUID" }]);
      const m = sim.store.machines.get(id.toLowerCase());
      if (!m || m.owner !== req.account.id) throw errors.notFound("VM not found");
      if (m.destroyed && !allowDeleted) throw errors.gone(sim.store.machineJson(m, { version: ctx.version(req) }));
      return m;
    },

    /** The request path with `/my` replaced by the account login (role-tag key). */
    resourcePath(req) {
      const login = req.account ? req.account.login : "my";
      return req.path().replace(/^\/my(\/|$)/, `/${login}$1`).replace(/\/+$/, "") || "/";
    },

    /** Apply a `role-tag: a,b` request header to a newly created resource path. */
    tagNew(req, path) {
      const h = req.headers["role-tag"];
      if (typeof h !== "string" || !h.trim()) return;
      sim.store.roleTags.set(path, h.split(",").map((s) => s.trim()).filter(Boolean));
    },

    setRoleTagHandler(fn) {
      roleTagHandler = fn;
    },

    setRbac(fn) {
      rbac = fn;
    },

    /** Called by the server after all modules registered: the role-tag catch-alls. */
    finish() {
      const handler = (req, res) => (roleTagHandler ? roleTagHandler(req, res) : builtinRoleTags(ctx, req));
      mount("PUT", "/:account", "ReplaceAccountRoleTags", handler, { group: "resources" });
      mount("PUT", "/:account/:resource_name", "ReplaceResourcesRoleTags", handler, { group: "resources" });
      mount("PUT", "/:account/:resource_name/:resource_id", "ReplaceResourceRoleTags", handler, { group: "resources" });
    },
  };
  return ctx;
}

/** ListMachines → HeadMachines, GetMachine → HeadMachine, GetAccount → HeadAccount. */
export function headName(name) {
  return "Head" + name.replace(/^(List|Get)/, "");
}

/** Minimal role-tag setter used until routes/roletags.mjs installs the real one. */
function builtinRoleTags(ctx, req) {
  const tags = req.params["role-tag"];
  if (!Array.isArray(tags)) throw errors.missingParameter("role-tag is required");
  const path = req.path().replace(/^\/my(\/|$)/, `/${req.account.login}$1`);
  ctx.store.roleTags.set(path, tags.map(String));
  return { name: path, "role-tag": tags.map(String) };
}

export { restify };
