// A minimal CloudAPI stand-in for the client benchmarks, run in its own process so that its CPU
// never counts as the client's: GetMachine and ListMachines (limit/offset, uuid-descending,
// page-size `x-resource-count`, other query parameters ignored) over N canned machines shaped
// like CloudAPI 9 machine objects, pages pre-serialised. Every request's http-signature is verified against the one public
// key (a client that signs wrongly gets 401 and is counted), so no contender can win by not
// signing. Not the simulator: no throttle, no jobs, nothing else routed.
//   node tests/bench/lib/server.mjs --machines 10000 --account bench --public-key PEM-FILE
// Prints one JSON line {url} when listening. GET /__bench/arrivals returns and clears the
// arrival times (performance.timeOrigin + now(), ms) of requests, for cold-start timing;
// GET /__bench/stats returns {requests, unauthorized}.
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import { parseArgs } from "node:util";
import { machineId } from "./common.mjs";

const { values } = parseArgs({
  options: {
    machines: { type: "string", default: "100" },
    account: { type: "string", default: "bench" },
    "public-key": { type: "string" },
  },
});
const ACCOUNT = values.account;
const publicKey = crypto.createPublicKey(readFileSync(values["public-key"], "utf8"));

const hex = (n, width) => n.toString(16).padStart(width, "0");
function machine(i) {
  const id = machineId(i);
  const ip = `10.64.${(i >> 8) & 255}.${i & 255}`;
  return {
    id,
    name: `bench-${hex(i, 5)}`,
    type: "smartmachine",
    brand: "joyent",
    state: i % 7 === 0 ? "stopped" : "running",
    image: "2f1dc911-6401-4fa4-8e9d-67ea2e39c271",
    ips: ["203.0.113.10", ip],
    memory: 1024,
    disk: 25600,
    deletion_protection: false,
    metadata: { "root_authorized_keys": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ bench@host\n" },
    tags: { role: i % 2 ? "web" : "db", env: "bench" },
    created: "2026-01-02T03:04:05.678Z",
    updated: "2026-01-02T03:05:06.789Z",
    networks: ["9ec60129-9034-47b4-b111-3026f9b1a10f", "5983940e-58a5-4543-b732-c689b1fe4c08"],
    primaryIp: "203.0.113.10",
    nics: [
      { ip: "203.0.113.10", mac: `90:b8:d0:00:${hex((i >> 8) & 255, 2)}:${hex(i & 255, 2)}`, primary: true, netmask: "255.255.255.0", gateway: "203.0.113.1", state: "running", network: "9ec60129-9034-47b4-b111-3026f9b1a10f" },
      { ip, mac: `90:b8:d0:01:${hex((i >> 8) & 255, 2)}:${hex(i & 255, 2)}`, primary: false, netmask: "255.255.0.0", gateway: "10.64.0.1", state: "running", network: "5983940e-58a5-4543-b732-c689b1fe4c08" },
    ],
    firewall_enabled: false,
    compute_node: "44454c4c-3200-1042-8034-b2c04f4e5931",
    package: "sample-1G",
  };
}
const machines = Array.from({ length: Number(values.machines) }, (_, i) => machine(i));
// Pre-serialised full pages (the clients page by 1,000) so the server's cost stays flat.
const pageCache = new Map();
function page(offset, limit) {
  const key = `${offset}/${limit}`;
  let body = pageCache.get(key);
  if (body === undefined) {
    const slice = machines.slice(offset, offset + limit);
    body = { text: JSON.stringify(slice), count: slice.length };
    pageCache.set(key, body);
  }
  return body;
}

const DIGESTS = { sha1: "sha1", sha256: "sha256", sha384: "sha384", sha512: "sha512" };
function verified(req, url) {
  const m = /^Signature (.*)$/.exec(req.headers.authorization || "");
  if (!m) return false;
  const params = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((p) => [p[1], p[2]]));
  if (!params.keyId?.startsWith(`/${ACCOUNT}/keys/`) || !params.signature) return false;
  const names = (params.headers || "date").toLowerCase().split(" ");
  const lines = names.map((h) => (h === "(request-target)" ? `(request-target): ${req.method.toLowerCase()} ${url}` : `${h}: ${req.headers[h]}`));
  const [kind, hash] = (params.algorithm || "").toLowerCase().split("-");
  const digest = kind === "ed25519" ? null : DIGESTS[hash];
  if (digest === undefined) return false;
  return crypto.verify(digest, Buffer.from(lines.join("\n")), publicKey, Buffer.from(params.signature, "base64"));
}

let requests = 0;
let unauthorized = 0;
let arrivals = [];
const send = (res, status, text, extra = {}) => {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "api-version": "9.0.0", ...extra });
  res.end(text);
};
const server = http.createServer((req, res) => {
  const arrived = performance.timeOrigin + performance.now();
  const url = req.url;
  if (url.startsWith("/__bench/")) {
    if (url === "/__bench/arrivals") {
      send(res, 200, JSON.stringify(arrivals));
      arrivals = [];
    } else send(res, 200, JSON.stringify({ requests, unauthorized }));
    return;
  }
  arrivals.push(arrived);
  requests++;
  // Drain the (empty) request body before answering.
  req.resume();
  if (!verified(req, url)) {
    unauthorized++;
    send(res, 401, JSON.stringify({ code: "InvalidCredentials", message: "bench server: bad signature" }));
    return;
  }
  const u = new URL(url, "http://x");
  const parts = u.pathname.split("/");
  if (parts[1] !== ACCOUNT || parts[2] !== "machines" || req.method !== "GET") {
    send(res, 404, JSON.stringify({ code: "ResourceNotFound", message: `${req.method} ${u.pathname} is not routed by the bench server` }));
  } else if (parts.length === 4) {
    // Any id of the form machineId(i) exists, listed or not, so that clients can ask for a new
    // one every time (node-triton's smartdc-auth caches signatures of identical signing strings).
    const i = /^[0-9a-f]{8}-0000-4000-8000-([0-9a-f]{12})$/.exec(parts[3]);
    if (i && parts[3] === machineId(parseInt(i[1], 16))) send(res, 200, JSON.stringify(machine(parseInt(i[1], 16))));
    else send(res, 404, JSON.stringify({ code: "ResourceNotFound", message: "VM not found" }));
  } else {
    const limit = Math.min(Number(u.searchParams.get("limit") ?? 1000), 1000);
    const offset = Number(u.searchParams.get("offset") ?? 0);
    const p = page(offset, limit);
    send(res, 200, p.text, { "x-resource-count": String(p.count), "x-query-limit": String(limit) });
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, first: machines[0]?.id }));
});
process.on("SIGTERM", () => process.exit(0));
