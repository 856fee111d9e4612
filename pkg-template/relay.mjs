// smartdc-wasm/relay: a same-origin relay for browser control panels (Node ≥ 20, built-ins only).
//
// Browsers cannot send a header-signed request to CloudAPI from another origin (its CORS
// preflight refuses `authorization`), so a panel talks to this relay on its own origin. The
// relay serves static files and forwards `<prefix>/...` to ONE configured CloudAPI, byte for
// byte: the browser signs `(request-target)` for the UPSTREAM path, so the path and query are
// passed on exactly as received minus the prefix. It signs nothing and holds no key.
//
// It is not an open proxy: the upstream is fixed at start; absolute-form targets, CONNECT,
// unknown `Host` names, `//host` paths and `.`/`..` segments (also percent-encoded) are refused
// with a CloudAPI-shaped 400 before anything is forwarded; only the headers CloudAPI needs go
// upstream; hop-by-hop headers and cookies are stripped both ways; bodies and headers are capped.
import { createServer, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";

/** Request headers passed upstream (everything else is dropped). */
const FORWARD_REQUEST = new Set([
  "authorization",
  "x-date",
  "date",
  "accept",
  "accept-version",
  "content-type",
  "content-md5",
  "content-length",
  "role-tag",
  "x-request-id",
]);

/** Never passed back to the client (hop-by-hop per RFC 9110 §7.6.1, plus cookies). */
const STRIP_RESPONSE = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "set-cookie",
  "set-cookie2",
]);

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".cjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
};

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", ""]);

/**
 * Start the relay. Options:
 *   upstream      CloudAPI base URL, http(s)://host[:port] (no path, query or credentials) — required
 *   port = 0      0 picks a free port
 *   host = "127.0.0.1"
 *   prefix = "/cloudapi"   requests under it are forwarded with the prefix removed
 *   dir           directory served at "/" (optional; no listing, index.html for directories)
 *   mounts        { "/pkg/": "/abs/dir", ... } more directories under URL prefixes
 *   maxBodyBytes = 1 MiB   larger request bodies get 413 and are never forwarded
 *   maxHeaderBytes = 16 KiB  larger request heads get 431
 *   timeoutMs = 60000      wait for CloudAPI's response head (504 after), then socket idle limit
 *   upstreamCa    PEM CA certificates trusted for an https upstream instead of the default roots
 *   allowedHosts  Host names accepted (default: loopback names and the bound host; any name
 *                 when bound to a wildcard address)
 *   log           function(line) for the one line per request; false for none; default stderr
 * Resolves to { url, port, close() }.
 */
export async function startRelay(options = {}) {
  const o = normalize(options);
  const server = createServer({ maxHeaderSize: o.maxHeaderBytes });
  server.maxHeadersCount = 100;
  const sockets = new Set();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const ctx = { o, allowedHosts: o.allowedHosts ?? (WILDCARD_HOSTS.has(o.host) ? null : new Set([...LOOPBACK_NAMES, o.host.toLowerCase()])) };

  server.on("request", (req, res) => {
    const started = Date.now();
    const done = () => {
      if (o.log) o.log(`${new Date(started).toISOString()} ${sanitize(req.method)} ${redactTarget(req.url)} ${res.statusCode}${res.writableFinished ? "" : " (aborted)"} ${Date.now() - started}ms`);
    };
    res.once("close", done);
    try {
      handle(ctx, req, res);
    } catch (e) {
      // Why: a bug or an unexpected throw must never take the relay down.
      fail(res, 500, "InternalError", "relay error");
      if (o.log) o.log(`relay internal error: ${sanitize(e && e.message)}`);
    }
  });
  // Why: `Expect: 100-continue` with an oversize Content-Length is refused before the client
  // sends the body; everything else continues as usual.
  server.on("checkContinue", (req, res) => {
    if (!(Number(req.headers["content-length"]) > o.maxBodyBytes)) res.writeContinue();
    server.emit("request", req, res);
  });
  server.on("connect", (req, socket) => {
    rawError(socket, 400, "InvalidArgument", "CONNECT is not supported: this is not a proxy");
    if (o.log) o.log(`${new Date().toISOString()} CONNECT ${sanitize(req.url)} 400 0ms`);
  });
  server.on("clientError", (err, socket) => {
    if (o.log) o.log(`${new Date().toISOString()} - (unparsable request: ${sanitize(err && err.code)}) -`);
    if (err && err.code === "HPE_HEADER_OVERFLOW") rawError(socket, 431, "RequestHeaderFieldsTooLarge", `request headers are larger than ${o.maxHeaderBytes} bytes`);
    else if (err && err.code === "ERR_HTTP_REQUEST_TIMEOUT") rawError(socket, 408, "RequestTimeout", "request not received in time");
    else rawError(socket, 400, "BadRequest", "malformed HTTP request");
  });

  await new Promise((ok, ko) => {
    server.once("error", ko);
    server.listen(o.port, o.host, () => {
      server.removeListener("error", ko);
      ok();
    });
  });
  // Why: an error after listening (EMFILE, …) must be reported, never crash the process.
  server.on("error", (e) => o.log && o.log(`relay server error: ${sanitize(e && (e.code || e.message))}`));
  const addr = server.address();
  const shownHost = WILDCARD_HOSTS.has(o.host) ? "127.0.0.1" : addr.address.includes(":") ? `[${addr.address}]` : addr.address;
  let closing = null;
  return {
    url: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    close() {
      closing ??= new Promise((ok) => {
        server.close(() => ok());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

/** Validates and defaults the options (throws an Error naming the bad one). */
function normalize(options) {
  const o = { ...options };
  if (typeof o.upstream !== "string" || !o.upstream) throw new TypeError("startRelay: upstream (the CloudAPI URL) is required");
  let up;
  try {
    up = new URL(o.upstream);
  } catch {
    throw new TypeError(`startRelay: upstream ${JSON.stringify(o.upstream)} is not a URL`);
  }
  if (up.protocol !== "http:" && up.protocol !== "https:") throw new TypeError("startRelay: upstream must be http:// or https://");
  if (up.username || up.password) throw new TypeError("startRelay: upstream must not contain credentials");
  // Why: the browser signs the path CloudAPI receives; an upstream path would be prepended
  // after signing and break every signature, and CloudAPI always lives at the root.
  if (up.pathname !== "/" || up.search || up.hash) throw new TypeError("startRelay: upstream must be an origin only (no path, query or fragment)");
  const prefix = o.prefix === undefined ? "/cloudapi" : String(o.prefix).replace(/\/+$/, "");
  if (!/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(prefix) || /(^|\/)\.\.?(\/|$)/.test(prefix)) {
    throw new TypeError(`startRelay: prefix ${JSON.stringify(o.prefix)} must look like /cloudapi (non-empty, no dot segments)`);
  }
  const mounts = [];
  if (o.dir !== undefined && o.dir !== null) mounts.push(["/", resolve(String(o.dir))]);
  for (const [at, d] of Object.entries(o.mounts || {})) {
    const urlPrefix = `/${String(at).replace(/^\/+|\/+$/g, "")}/`.replace(/^\/\/$/, "/");
    if (urlPrefix.includes("..") || urlPrefix === `${prefix}/`) throw new TypeError(`startRelay: bad mount ${JSON.stringify(at)}`);
    mounts.push([urlPrefix, resolve(String(d))]);
  }
  mounts.sort((a, b) => b[0].length - a[0].length);
  const num = (v, dflt, what, min = 0) => {
    if (v === undefined || v === null) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new TypeError(`startRelay: ${what} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  const port = num(o.port, 0, "port");
  if (port > 65535) throw new TypeError("startRelay: port must be ≤ 65535");
  let log = o.log;
  if (log === undefined) log = (line) => process.stderr.write(`${line}\n`);
  else if (log !== false && typeof log !== "function") throw new TypeError("startRelay: log must be a function or false");
  return {
    upstream: {
      https: up.protocol === "https:",
      hostname: up.hostname.replace(/^\[|\]$/g, ""),
      port: up.port ? Number(up.port) : up.protocol === "https:" ? 443 : 80,
      origin: up.origin,
      ca: o.upstreamCa === undefined ? undefined : String(o.upstreamCa),
    },
    port,
    host: o.host === undefined ? "127.0.0.1" : String(o.host),
    prefix,
    mounts,
    maxBodyBytes: num(o.maxBodyBytes, 1024 * 1024, "maxBodyBytes"),
    maxHeaderBytes: num(o.maxHeaderBytes, 16 * 1024, "maxHeaderBytes", 1024),
    timeoutMs: num(o.timeoutMs, 60_000, "timeoutMs", 1),
    allowedHosts: o.allowedHosts ? new Set([...o.allowedHosts].map((h) => String(h).toLowerCase().replace(/^\[|\]$/g, ""))) : null,
    // Why wrapped: a throwing log callback runs inside socket events and would crash the process.
    log: log
      ? (line) => {
          try {
            log(line);
          } catch {
            // The line is lost; serving goes on.
          }
        }
      : null,
  };
}

/** Routes one request: refuse, forward or serve a file. */
function handle(ctx, req, res) {
  const { o } = ctx;
  const target = req.url || "";
  // Origin-form only: `GET http://evil/ HTTP/1.1`, `OPTIONS *` and friends are refused.
  if (!target.startsWith("/")) return fail(res, 400, "InvalidArgument", "only origin-form request targets (/path) are accepted: this is not a proxy");
  const hostError = checkHost(ctx, req);
  if (hostError) return fail(res, 400, "InvalidArgument", hostError);
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  const pathError = checkPath(path);
  if (pathError) return fail(res, 400, "InvalidArgument", pathError);

  if (path === o.prefix || path.startsWith(`${o.prefix}/`)) {
    const rest = target.slice(o.prefix.length);
    return forward(ctx, req, res, rest.startsWith("/") ? rest : `/${rest}`);
  }
  return serveFile(ctx, req, res, path);
}

/**
 * A reason to refuse the Host header, or null. Why an allow-list: it stops DNS rebinding (a
 * page on evil.example re-resolved to 127.0.0.1 sends `Host: evil.example`) from reaching the
 * relay as if it were same-origin, and a client that names another host is not talking to us.
 */
function checkHost(ctx, req) {
  const hosts = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === "host") hosts.push(req.rawHeaders[i + 1]);
  if (hosts.length > 1) return "more than one Host header";
  if (hosts.length === 0) return req.httpVersion === "1.0" ? null : "missing Host header";
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.exec(hosts[0]);
  if (!m) return "malformed Host header";
  const name = m[1].toLowerCase().replace(/^\[|\]$/g, "");
  if (ctx.allowedHosts && !ctx.allowedHosts.has(name)) return `Host ${JSON.stringify(hosts[0])} is not this relay`;
  return null;
}

/** A reason to refuse the path (dot segments, encoded or not; backslashes; NUL), or null. */
function checkPath(path) {
  if (/[\\\x00-\x20\x7f]/.test(path)) return "request path contains forbidden characters";
  // Why: an empty segment (`//host`) is read as an authority by some URL parsers.
  if (path.includes("//")) return "request path must not contain //";
  for (const raw of path.split("/")) {
    let seg;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return "request path has a malformed percent-encoding";
    }
    // Why decoded: `%2e%2e` is `..` to many servers, and an encoded slash or backslash can
    // hide a dot segment inside one raw segment.
    if (/[\\\x00]/.test(seg)) return "request path contains an encoded backslash or NUL";
    if (seg.split("/").some((s) => s === "." || s === "..")) return "request path must not contain . or .. segments";
  }
  return null;
}

/** Forwards to the upstream with `upstreamTarget` (path and query exactly as received). */
function forward(ctx, req, res, upstreamTarget) {
  const { o } = ctx;
  if (!METHODS.has(req.method)) return fail(res, 405, "MethodNotAllowed", `${sanitize(req.method)} is not supported`);
  const headers = {};
  for (const name of FORWARD_REQUEST) {
    const v = req.headers[name];
    if (v !== undefined) headers[name] = v;
  }
  const declared = req.headers["content-length"];
  const chunked = req.headers["transfer-encoding"] !== undefined;
  if (declared !== undefined && Number(declared) > o.maxBodyBytes) {
    return tooLarge(o, req, res);
  }

  const send = (body) => {
    const mod = o.upstream.https ? httpsRequest : httpRequest;
    let up;
    try {
      up = mod({
        host: o.upstream.hostname,
        port: o.upstream.port,
        method: req.method,
        path: upstreamTarget,
        headers,
        agent: false,
        maxHeaderSize: 64 * 1024,
        ...(o.upstream.ca ? { ca: o.upstream.ca } : {}),
      });
    } catch (e) {
      return fail(res, 400, "InvalidArgument", `cannot forward this request: ${sanitize(e.message)}`);
    }
    let answered = false;
    const timer = setTimeout(() => {
      if (answered) return;
      answered = true;
      up.destroy();
      fail(res, 504, "GatewayTimeout", `CloudAPI (${o.upstream.origin}) did not answer within ${o.timeoutMs} ms`);
    }, o.timeoutMs);
    up.on("error", (e) => {
      clearTimeout(timer);
      if (answered) {
        res.destroy();
        return;
      }
      answered = true;
      fail(res, 502, "BadGateway", `cannot reach CloudAPI (${o.upstream.origin}): ${sanitize(e.code || e.message)}`);
    });
    up.on("response", (ur) => {
      clearTimeout(timer);
      if (answered) {
        ur.resume();
        return;
      }
      answered = true;
      const drop = new Set(STRIP_RESPONSE);
      for (const n of String(ur.headers.connection || "").split(",")) drop.add(n.trim().toLowerCase());
      const out = {};
      for (const [k, v] of Object.entries(ur.headers)) if (!drop.has(k) && !k.startsWith("proxy-")) out[k] = v;
      try {
        res.writeHead(ur.statusCode, out);
      } catch {
        res.destroy();
        ur.destroy();
        return;
      }
      ur.setTimeout(o.timeoutMs, () => ur.destroy());
      ur.on("error", () => res.destroy());
      ur.on("aborted", () => res.destroy());
      ur.pipe(res);
    });
    // Client gone before the exchange finished: stop talking to CloudAPI.
    res.on("close", () => {
      clearTimeout(timer);
      if (!res.writableFinished) up.destroy();
    });
    if (body) up.end(body);
    else if (declared !== undefined) {
      req.on("error", () => up.destroy());
      req.pipe(up);
    } else up.end();
  };

  if (!chunked) return send(null);
  // Why buffer: without a Content-Length the size is only known at the end, and an oversize
  // body must never reach CloudAPI even in part.
  const chunks = [];
  let size = 0;
  let over = false;
  req.on("data", (c) => {
    if (over) return;
    size += c.length;
    if (size > o.maxBodyBytes) {
      over = true;
      chunks.length = 0;
      tooLarge(o, req, res);
      return;
    }
    chunks.push(c);
  });
  req.on("error", () => res.destroy());
  req.on("end", () => {
    if (over) return;
    const body = Buffer.concat(chunks);
    headers["content-length"] = String(body.length);
    send(body);
  });
}

function tooLarge(o, req, res) {
  // fail() closes the connection, so the unread rest of the body is never parsed as a request.
  fail(res, 413, "PayloadTooLargeError", `request body is larger than ${o.maxBodyBytes} bytes`);
  req.resume();
}

/** Serves a static file from the mount that owns `path`; no listings, no escapes. */
async function serveFile(ctx, req, res, path) {
  const mount = ctx.o.mounts.find(([at]) => path === at.replace(/\/$/, "") || path.startsWith(at));
  if (!mount) return fail(res, 404, "ResourceNotFound", `${redactTarget(path)} does not exist`);
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    return fail(res, 405, "MethodNotAllowed", `${sanitize(req.method)} is not allowed on static files`);
  }
  const [at, root] = mount;
  const rel = decodeURIComponent(path.slice(Math.min(at.length, path.length)));
  if (rel.split("/").some((s) => s.startsWith("."))) return fail(res, 404, "ResourceNotFound", "not found");
  try {
    const realRoot = await realpath(root);
    let file = resolve(realRoot, join(".", rel));
    let st = await stat(file);
    if (st.isDirectory()) {
      if (!path.endsWith("/")) {
        res.writeHead(301, { location: `${path}/`, "content-length": "0" });
        return res.end();
      }
      file = join(file, "index.html");
      st = await stat(file);
    }
    const real = await realpath(file);
    // Why realpath: a symlink inside the directory must not lead outside it.
    if (!st.isFile() || !(real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep))) {
      return fail(res, 404, "ResourceNotFound", "not found");
    }
    if (res.destroyed) return;
    res.writeHead(200, {
      "content-type": MIME[extname(real).toLowerCase()] ?? "application/octet-stream",
      "content-length": String(st.size),
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") return res.end();
    const stream = createReadStream(real);
    stream.on("error", () => res.destroy());
    res.on("close", () => stream.destroy());
    stream.pipe(res);
  } catch {
    if (!res.headersSent) fail(res, 404, "ResourceNotFound", "not found");
    else res.destroy();
  }
}

/** A CloudAPI-shaped error response `{code, message}`. */
function fail(res, status, code, message) {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ code, message });
  // Why close: after a refusal nothing more from this client connection is trusted.
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    connection: "close",
  });
  res.end(body);
}

/** The same error written straight to a socket (CONNECT, parse errors), then closed. */
function rawError(socket, status, code, message) {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ code, message });
  const reason = { 400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large" }[status] ?? "Error";
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  socket.on("error", () => {});
}

/** Printable, bounded text for logs and messages. */
function sanitize(s, max = 200) {
  return String(s ?? "").replace(/[^\x20-\x7e]/g, "?").slice(0, max);
}

/**
 * The request target for the log: query values that are signatures (or look like one:
 * long base64) are replaced by `REDACTED`, so a pre-signed URL cannot be replayed from logs.
 */
export function redactTarget(target) {
  const s = sanitize(target, Infinity);
  const q = s.indexOf("?");
  if (q < 0) return s.slice(0, 1000);
  const query = s
    .slice(q + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      if (eq < 0) return pair;
      const k = pair.slice(0, eq);
      const v = pair.slice(eq + 1);
      return /^(signature|sig|x-amz-signature|token|authorization)$/i.test(k) || /^[A-Za-z0-9+/_%-]{40,}={0,2}$/.test(v) ? `${k}=REDACTED` : pair;
    })
    .join("&");
  return `${s.slice(0, q)}?${query}`.slice(0, 1000);
}
