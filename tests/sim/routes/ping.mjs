// GET /--ping (cloudapi lib/account.js): unauthenticated liveness check, and the docs root.
// This is also the smallest example of a route module: export register(ctx) and call
// ctx.route(method, path, name, handler, opts).
import { VERSIONS } from "../lib/context.mjs";

/** Before account.mjs: `/--ping` must win over `GET /:account`. */
export const order = -10;

export function register(ctx) {
  ctx.route("GET", "/--ping", "Ping", (req, res) => {
    res.header("Triton-Datacenter-Name", ctx.store.datacenterName);
    res.send(200, { ping: "pong", cloudapi: { versions: [...VERSIONS].reverse() } });
  });

  // `GET /` only needs to exist as a route: the docs-redirect middleware answers it (302).
  ctx.route("GET", "/", "GetDocs", () => undefined, { auth: false, head: false });
}
