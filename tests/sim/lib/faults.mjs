// Fault injection for retry/robustness tests (never active unless a test asks through the
// admin API). A fault matches the next `count` requests by method and path regex and then:
//   kind "status"   → answer `status` with `body` (object → JSON, string → as is)
//   kind "delay"    → wait `delayMs`, then serve the request normally
//   kind "drop"     → destroy the socket without answering
//   kind "truncate" → serve normally, but cut the body in half and close the connection
//   kind "nonjson"  → answer `status` (default 200) with Content-Type application/json and a body that is not JSON
//   kind "html"     → answer `status` (default 502) with an HTML error page (what a proxy shows)
//   kind "reset"    → abort the connection with a TCP RST (ECONNRESET at the client); with
//                     `after: true` the request is served first (a create happens) and the
//                     reset replaces its response
//   kind "hang"     → never answer (the client's timeout ends it); the request is not served
// `delayMs` may be combined with every kind (the delay comes first).

const KINDS = new Set(["status", "delay", "drop", "truncate", "nonjson", "html", "reset", "hang"]);

export class Faults {
  constructor() {
    /** @type {Array<object>} */
    this.list = [];
    this.seq = 0;
  }

  /**
   * Add a fault. Throws Error with a reason on bad input.
   * @param {object} f {method?, path? (regex source, default ".*"), count? (default 1), kind,
   *                    status?, body?, headers?, contentType?, delayMs?}
   */
  add(f) {
    if (!f || typeof f !== "object") throw new Error("fault must be an object");
    const kind = f.kind || (f.status ? "status" : f.delayMs ? "delay" : undefined);
    if (!KINDS.has(kind)) throw new Error(`kind must be one of ${[...KINDS].join(", ")}`);
    let re;
    try {
      re = new RegExp(f.path || ".*");
    } catch (e) {
      throw new Error(`bad path regex: ${e.message}`);
    }
    const count = f.count === undefined ? 1 : Number(f.count);
    if (!Number.isInteger(count) || count < 1) throw new Error("count must be a positive integer");
    const status = f.status === undefined ? undefined : Number(f.status);
    if (status !== undefined && (!Number.isInteger(status) || status < 100 || status > 599)) throw new Error("status must be 100..599");
    const delayMs = f.delayMs === undefined ? 0 : Number(f.delayMs);
    if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > 600000) throw new Error("delayMs must be 0..600000");
    const fault = {
      id: ++this.seq,
      method: f.method ? String(f.method).toUpperCase() : undefined,
      path: re.source,
      re,
      remaining: count,
      kind,
      status,
      body: f.body,
      headers: f.headers && typeof f.headers === "object" ? f.headers : {},
      contentType: f.contentType,
      delayMs,
      after: f.after === true,
      hits: 0,
    };
    this.list.push(fault);
    return fault;
  }

  clear() {
    this.list = [];
  }

  /** JSON view (without the compiled regex). */
  toJSON() {
    return this.list.map(({ re, ...rest }) => rest);
  }

  /** Take the first fault matching this request, decrementing its count. */
  take(req) {
    const url = req.url || "";
    for (const f of this.list) {
      if (f.method && f.method !== req.method) continue;
      if (!f.re.test(url)) continue;
      f.remaining--;
      f.hits++;
      if (f.remaining <= 0) this.list = this.list.filter((x) => x !== f);
      return f;
    }
    return null;
  }

  /** restify `pre` handler. When it answers itself it does not call next() (see server.mjs). */
  apply(req, res, next) {
    if (!this.list.length) return next();
    const f = this.take(req);
    if (!f) return next();
    const act = () => {
      switch (f.kind) {
        case "delay":
          return next();
        case "drop":
          req.socket.destroy();
          return undefined;
        case "truncate":
          truncateResponse(res);
          return next();
        case "reset":
          if (!f.after) {
            req.socket.resetAndDestroy();
            return undefined;
          }
          resetInsteadOfResponse(res);
          return next();
        case "hang":
          // Read and discard the body so the socket stays healthy until the client gives up.
          req.resume();
          return undefined;
        case "status":
          return raw(req, res, f.status || 500, f.body === undefined ? "" : f.body, f.contentType, f.headers);
        case "nonjson":
          return raw(req, res, f.status || 200, typeof f.body === "string" ? f.body : "<<this is not JSON>>", f.contentType || "application/json", f.headers);
        case "html":
          return raw(req, res, f.status || 502, typeof f.body === "string" ? f.body : htmlPage(f.status || 502), f.contentType || "text/html", f.headers);
        default:
          return next();
      }
    };
    if (f.delayMs > 0) setTimeout(act, f.delayMs);
    else act();
  }
}

function raw(req, res, status, body, contentType, headers) {
  let text = body;
  let type = contentType;
  if (typeof body !== "string") {
    text = JSON.stringify(body);
    type = type || "application/json";
  }
  res.writeHead(status, { "Content-Type": type || "text/plain", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
  // The request body (if any) is not read by anyone now; drain it so keep-alive works.
  req.resume();
}

/**
 * Let the real handler answer, but send only half of its body (with the full
 * Content-Length already announced) and then close the socket.
 */
function truncateResponse(res) {
  const chunks = [];
  const write = res.write.bind(res);
  res.write = (chunk, enc, cb) => {
    if (chunk) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, typeof enc === "string" ? enc : "utf8"));
    if (typeof cb === "function") cb();
    if (typeof enc === "function") enc();
    return true;
  };
  res.end = (chunk, enc) => {
    if (chunk && typeof chunk !== "function") chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, typeof enc === "string" ? enc : "utf8"));
    const all = Buffer.concat(chunks);
    if (!res.headersSent) {
      res.setHeader("Content-Length", all.length);
      res.flushHeaders?.();
    }
    const half = all.subarray(0, Math.floor(all.length / 2));
    if (half.length) write(half);
    // Give the bytes a moment to leave, then cut the connection mid-body.
    setTimeout(() => res.socket && res.socket.destroy(), 20);
    return res;
  };
}

/** Let the real handler run, but answer with a TCP reset instead of its response. */
function resetInsteadOfResponse(res) {
  const reset = () => {
    res.socket?.resetAndDestroy();
    return res;
  };
  res.writeHead = reset;
  res.write = () => true;
  res.end = reset;
}

function htmlPage(status) {
  return `<html><head><title>${status} Bad Gateway</title></head><body><center><h1>${status} Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n`;
}
