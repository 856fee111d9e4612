// Benchmark 3 (prints a table; never passes or fails): listing 10,000 machines (10 pages of 1,000
// from the canned server in its own process) — wall time, client CPU and peak memory — for this
// package (`machines()`, and `eachMachine()` when the build has it) vs node-triton's
// listMachines paging and the baseline (fetch + crypto.sign, page loop).
//   node tests/bench/listing.mjs [--runs 3] [--machines 10000]
// Each run is a fresh Node process (lib/worker.mjs list): RSS is sampled every 5 ms and
// process.resourceUsage().maxRSS read at the end; "RSS before" is after loading the library and
// creating the client. Medians over the runs.
import { parseArgs } from "node:util";
import { environment, makeKey, median, ratio, runWorker, startServer, table, tritonInstalled } from "./lib/common.mjs";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, machines: { type: "string", default: "10000" } }, strict: false });
const RUNS = Number(values.runs);
const MACHINES = Number(values.machines);

const contenders = [
  ["baseline", "baseline (fetch + crypto.sign)"],
  ["package", "smartdc-wasm machines()"],
  ["package-each", "smartdc-wasm eachMachine() (streamed, none kept)"],
  ...(tritonInstalled() ? [["triton", "node-triton listMachines"]] : []),
];

const key = makeKey();
const server = await startServer(key, MACHINES);
const rows = new Map();
const errors = new Map();
try {
  for (let run = 0; run < RUNS; run++) {
    for (const [id] of contenders) {
      const r = await runWorker(["list", id, server.url, key.privatePath, key.keyId, "-"]).catch((e) => ({ error: e.message }));
      if (r.error || r.count !== MACHINES) {
        rows.set(id, null);
        errors.set(id, r.error ?? `listed ${r.count} machines`);
        continue;
      }
      if (rows.get(id) === null) continue;
      rows.set(id, [...(rows.get(id) ?? []), r]);
    }
  }
  const stats = await server.get("/__bench/stats");
  const mb = (n) => (n / 1048576).toFixed(1);
  const m = (id, k) => (rows.get(id) ? median(rows.get(id).map((r) => r[k])) : undefined);
  console.log(`## 3. Listing ${MACHINES.toLocaleString("en")} machines, median of ${RUNS} fresh processes — ${environment()}`);
  table(
    ["client", "wall ms", "CPU ms", "max RSS MB", "RSS before MB", "peak RSS − before", "peak heap MB", "wall/triton", "max RSS/triton"],
    contenders.map(([id, name]) => rows.get(id)
      ? [name, m(id, "wallMs").toFixed(0), m(id, "cpuMs").toFixed(0), mb(m(id, "maxRss")), mb(m(id, "rssBefore")), mb(m(id, "peakRss") - m(id, "rssBefore")), mb(m(id, "peakHeap")),
        ratio(m(id, "wallMs"), m("triton", "wallMs")), ratio(m(id, "maxRss"), m("triton", "maxRss"))]
      : [`${name}: n/a (${errors.get(id)})`, "", "", "", "", "", "", "", ""]),
  );
  console.log(`server: ${stats.requests} requests, ${stats.unauthorized} with a bad signature`);
  console.log("target: package < 2× node-triton's time, peak memory below node-triton's");
} finally {
  await server.stop();
  key.cleanup();
}
