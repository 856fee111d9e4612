#!/usr/bin/env node
// smartdc-relay: serve a control panel and relay /cloudapi/... to one CloudAPI (see ../relay.mjs).
//   smartdc-relay --upstream URL [--port 8080] [--host 127.0.0.1] [--prefix /cloudapi] [--dir ./www]
//                 [--mount /pkg/=DIR]... [--serve-package] [--max-body BYTES] [--timeout MS]
//                 [--upstream-ca PEMFILE] [--quiet]
// Prints one line with its URL on stdout, then one log line per request on stderr; SIGINT/SIGTERM stop it.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startRelay } from "../relay.mjs";

const USAGE = "usage: smartdc-relay --upstream URL [--port N] [--host 127.0.0.1] [--prefix /cloudapi] [--dir DIR] [--mount /url/=DIR]... [--serve-package] [--max-body BYTES] [--timeout MS] [--upstream-ca PEMFILE] [--quiet]";

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      upstream: { type: "string" },
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      prefix: { type: "string", default: "/cloudapi" },
      dir: { type: "string" },
      mount: { type: "string", multiple: true, default: [] },
      "serve-package": { type: "boolean", default: false },
      "max-body": { type: "string" },
      timeout: { type: "string" },
      "upstream-ca": { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  }));
} catch (e) {
  console.error(`smartdc-relay: ${e.message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!args.upstream) {
  console.error(`smartdc-relay: --upstream is required\n${USAGE}`);
  process.exit(2);
}

const mounts = {};
for (const m of args.mount) {
  const eq = m.indexOf("=");
  if (eq <= 0) {
    console.error(`smartdc-relay: --mount expects /url/=DIR, got ${JSON.stringify(m)}`);
    process.exit(2);
  }
  mounts[m.slice(0, eq)] = resolve(m.slice(eq + 1));
}
// The package's own files (index.js, the .wasm, …) at /pkg/, for panels and the devtools page.
if (args["serve-package"]) mounts["/pkg/"] = resolve(dirname(fileURLToPath(import.meta.url)), "..");

let relay;
try {
  const upstreamCa = args["upstream-ca"] ? readFileSync(args["upstream-ca"], "utf8") : undefined;
  relay = await startRelay({
    upstreamCa,
    upstream: args.upstream,
    port: args.port,
    host: args.host,
    prefix: args.prefix,
    dir: args.dir,
    mounts,
    maxBodyBytes: args["max-body"],
    timeoutMs: args.timeout,
    log: args.quiet ? false : undefined,
  });
} catch (e) {
  console.error(`smartdc-relay: ${e.message}`);
  process.exit(1);
}
console.log(`smartdc-relay listening on ${relay.url} (${args.prefix} → ${new URL(args.upstream).origin}${args.dir ? `, serving ${resolve(args.dir)}` : ""})`);
const stop = () => relay.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
