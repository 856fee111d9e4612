// Benchmark 2 (prints a table; never passes or fails): client-process CPU time per GetMachine and
// per ListMachines page (100 machines), at concurrency 1 and 64, for this package, node-triton's
// CloudApi (triton@7.17.0 in tests/peer) and the hand-written baseline (fetch + crypto.sign).
//   node tests/bench/requests.mjs [--scale 1]
// Every contender runs in a fresh Node process against the canned server (lib/server.mjs) in
// another process, signing with the same RSA-2048 key; CPU is process.cpuUsage() (user + system)
// of the client process over a batch, divided by the requests in it; median of 5 batches after
// one warm-up batch. The server verifies every signature, so a 401 would show below the table.
// (The pure-Rust signer is left out: signing.mjs shows its cost per signature.)
import { parseArgs } from "node:util";
import { environment, makeKey, median, ratio, runWorker, startServer, table, tritonInstalled } from "./lib/common.mjs";

const { values } = parseArgs({ options: { scale: { type: "string", default: "1" } }, strict: false });
const SCALE = Number(values.scale);
const PAGE = 100;
const BATCHES = 5;

const contenders = [
  ["baseline", "baseline (fetch + crypto.sign)"],
  ["package", "smartdc-wasm (webcrypto signer)"],
  ["package-node", "smartdc-wasm (crypto.sign signer object)"],
  ...(tritonInstalled() ? [["triton", "node-triton CloudApi"]] : []),
  ["baseline-http", "node:http + crypto.sign"],
];
const cases = [
  ["GetMachine", "get", 1, 200],
  ["GetMachine", "get", 64, 640],
  [`ListMachines page (${PAGE})`, "list", 1, 100],
  [`ListMachines page (${PAGE})`, "list", 64, 320],
];

const key = makeKey();
const server = await startServer(key, PAGE);
const results = new Map(); // `${case}/${contender}` → {cpu, wall} in µs / ms per request
try {
  for (const [label, op, concurrency, n] of cases) {
    for (const [id] of contenders) {
      const requests = Math.max(concurrency, Math.round(n * SCALE));
      const r = await runWorker(["cpu", id, server.url, key.privatePath, key.keyId, server.first, op, String(concurrency), String(requests), String(BATCHES)]);
      results.set(`${label}/${concurrency}/${id}`, { cpu: median(r.cpu), wall: median(r.wall) });
    }
  }
  const stats = await server.get("/__bench/stats");
  console.log(`## 2. Client CPU per request, µs (median of ${BATCHES} batches) — ${environment()}`);
  const us = (x) => (x === undefined ? "n/a" : x.toFixed(0));
  const cpu = (label, c, id) => results.get(`${label}/${c}/${id}`)?.cpu;
  table(
    ["request", "conc.", ...contenders.map(([, name]) => name), "pkg/baseline", "pkg/triton"],
    cases.map(([label, , c]) => [
      label, c, ...contenders.map(([id]) => us(cpu(label, c, id))),
      ratio(cpu(label, c, "package"), cpu(label, c, "baseline")), ratio(cpu(label, c, "package"), cpu(label, c, "triton")),
    ]),
  );
  console.log("\nwall ms per request (informative: 2 cores, the server shares them)");
  table(["request", "conc.", ...contenders.map(([, name]) => name)],
    cases.map(([label, , c]) => [label, c, ...contenders.map(([id]) => results.get(`${label}/${c}/${id}`)?.wall.toFixed(3) ?? "n/a")]));
  console.log(`server: ${stats.requests} requests, ${stats.unauthorized} with a bad signature`);
  console.log("target: package ≤ 1.5× baseline and below node-triton");
} finally {
  await server.stop();
  key.cleanup();
}
