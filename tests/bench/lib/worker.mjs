// One contender in a fresh process; prints one JSON result line. Started by common.runWorker.
//   worker.mjs cpu  <contender> <url> <key> <keyId> - <get|list> <concurrency> <requests> <batches>
//   worker.mjs list <contender> <url> <key> <keyId>          (every machine, page by page)
//   worker.mjs cold <contender> <url> <key> <keyId> <machineId>   (one GetMachine, then exit)
// Contenders: package (default signer), package-rust, package-node (a signer object over Node's
// crypto.sign), package-each (eachMachine), triton
// (node-triton's CloudApi with a smartdc-auth KeyPair from the key file, no ssh-agent), baseline
// (fetch + crypto.sign), baseline-http (node:http + crypto.sign). Nothing is imported before
// `make` runs, so cold start includes loading.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ACCOUNT, machineId, nodeSigner, PEER, ROOT } from "./common.mjs";

const [mode, contender, url, keyPath, keyId, firstId, ...rest] = process.argv.slice(2);

/**
 * {get(id), list(tag)} for a contender; list resolves every machine as an array. `tag`, when given,
 * is sent as the filter `tag.bench=<tag>` (the canned server ignores it): it makes every signing
 * string unique, as real traffic's are, because smartdc-auth (node-triton) caches signatures of
 * identical strings within the same second.
 */
async function make(name) {
  const pem = readFileSync(keyPath, "utf8");
  if (name.startsWith("package")) {
    const pkg = await import(pathToFileURL(join(ROOT, "pkg", "index.node.mjs")).href);
    const options =
      name === "package-rust" ? { privateKey: pem, signer: "rust" }
      : name === "package-node" ? { signer: await nodeSigner(pkg, pem) }
      : { privateKey: pem };
    const dc = new pkg.DataCenter({ url, account: ACCOUNT, ...options });
    const list =
      name === "package-each"
        ? async () => {
            if (typeof dc.eachMachine !== "function") throw new Error("eachMachine is not in this build");
            // Streamed as eachMachine is meant to be used: each machine looked at, none kept.
            let length = 0;
            for await (const m of dc.eachMachine()) if (m.id) length++;
            return { length };
          }
        : (tag) => dc.machines(tag === undefined ? undefined : { tags: { bench: tag } });
    return { get: (id) => dc.machine(id), list };
  }
  if (name === "triton") {
    const require = createRequire(join(PEER, "package.json"));
    const { CloudApi } = require("triton/lib/cloudapi2.js");
    const sshpk = require("sshpk");
    const bunyan = require("bunyan");
    // Why the deep path: smartdc-auth 2.6.0's index does not export KeyPair (node-triton's own
    // privKey path reads the undefined `auth.KeyPair`; its KeyRing would search ~/.ssh and the agent).
    const { KeyPair } = require("smartdc-auth/lib/keypair.js");
    const keyPair = KeyPair.fromPrivateKey(sshpk.parsePrivateKey(pem, "auto"));
    // The options node-triton's TritonApi._setupProfile passes (its logger, its accept-version).
    const log = bunyan.createLogger({ name: "triton", stream: process.stderr, level: "warn" });
    const api = new CloudApi({ url, account: ACCOUNT, principal: { account: ACCOUNT, keyPair }, version: "~9||~8", log });
    const cb = (resolve, reject) => (err, body) => (err ? reject(err) : resolve(body));
    return {
      get: (id) => new Promise((res, rej) => api.getMachine(id, cb(res, rej))),
      list: (tag) => new Promise((res, rej) => api.listMachines(tag === undefined ? {} : { "tag.bench": tag }, cb(res, rej))),
      close: () => api.close(),
    };
  }
  if (name === "baseline" || name === "baseline-http") {
    const crypto = await import("node:crypto");
    const key = crypto.createPrivateKey(pem);
    const headers = (path) => {
      const date = new Date().toUTCString();
      const signature = crypto.sign("sha256", Buffer.from(`(request-target): get ${path}\nx-date: ${date}`), key).toString("base64");
      return {
        accept: "application/json",
        "accept-version": "~9",
        "x-date": date,
        authorization: `Signature keyId="${keyId}",algorithm="rsa-sha256",headers="(request-target) x-date",signature="${signature}"`,
      };
    };
    let request = async (path) => {
      const r = await fetch(`${url}${path}`, { headers: headers(path) });
      if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status}`);
      return r.json();
    };
    if (name === "baseline-http") {
      // The same with node:http and a keep-alive agent instead of fetch (undici).
      const http = await import("node:http");
      const agent = new http.Agent({ keepAlive: true });
      request = (path) => new Promise((resolve, reject) => {
        http.get(`${url}${path}`, { agent, headers: headers(path) }, (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            if (res.statusCode !== 200) reject(new Error(`GET ${path}: HTTP ${res.statusCode}`));
            else resolve(JSON.parse(Buffer.concat(chunks).toString()));
          });
        }).on("error", reject);
      });
    }
    return {
      get: (id) => request(`/${ACCOUNT}/machines/${id}`),
      list: async (tag) => {
        const out = [];
        const filter = tag === undefined ? "" : `&tag.bench=${tag}`;
        for (let offset = 0; ; offset += 1000) {
          const page = await request(`/${ACCOUNT}/machines?limit=1000&offset=${offset}${filter}`);
          out.push(...page);
          if (page.length < 1000) return out;
        }
      },
    };
  }
  throw new Error(`unknown contender ${name}`);
}

const cpuMicros = (u) => u.user + u.system;

if (mode === "cold") {
  const c = await make(contender);
  await c.get(firstId);
  c.close?.();
  console.log(JSON.stringify({ ok: true }));
} else if (mode === "cpu") {
  const [op, concurrency, requests, batches] = [rest[0], ...rest.slice(1).map(Number)];
  const c = await make(contender);
  // A different machine or tag filter every time: no two requests sign the same string.
  let k = 0;
  const call = op === "get" ? () => c.get(machineId(1_000_000 + k++)) : () => c.list(String(k++));
  // `requests` calls with `concurrency` of them in flight.
  const batch = async () => {
    let next = 0;
    const lane = async () => {
      while (next < requests) {
        next++;
        await call();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
  };
  await batch(); // warm-up: JIT, connection pool, wasm tier-up
  const cpu = [];
  const wall = [];
  for (let b = 0; b < batches; b++) {
    const t = performance.now();
    const u = process.cpuUsage();
    await batch();
    cpu.push(cpuMicros(process.cpuUsage(u)) / requests);
    wall.push((performance.now() - t) / requests);
  }
  c.close?.();
  console.log(JSON.stringify({ cpu, wall }));
} else if (mode === "list") {
  const c = await make(contender);
  // RSS after loading the library and creating the client: the floor the listing adds to.
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 5);
  const t = performance.now();
  const u = process.cpuUsage();
  let all;
  try {
    all = await c.list();
  } catch (e) {
    // A contender this build lacks (eachMachine before it lands) is a table cell, not a crash.
    console.log(JSON.stringify({ error: e.message }));
    process.exit(0);
  }
  const wallMs = performance.now() - t;
  const cpuMs = cpuMicros(process.cpuUsage(u)) / 1000;
  clearInterval(sampler);
  const after = process.memoryUsage();
  peakRss = Math.max(peakRss, after.rss);
  peakHeap = Math.max(peakHeap, after.heapUsed);
  c.close?.();
  console.log(JSON.stringify({
    count: all.length, wallMs, cpuMs,
    rssBefore: before.rss, maxRss: process.resourceUsage().maxRSS * 1024, peakRss, peakHeap,
    heapBefore: before.heapUsed, heldHeap: after.heapUsed - before.heapUsed,
  }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
