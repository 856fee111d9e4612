// Benchmark 4 (prints a table; never passes or fails): cold start — from spawning a fresh Node
// process to the first signed request arriving at the server (the canned server in its own
// process notes arrival times; both clocks are performance.timeOrigin + now()), for this package
// vs node-triton vs the baseline. The child loads the library, reads the key, makes its client
// and sends one GetMachine (lib/worker.mjs cold).
//   node tests/bench/coldstart.mjs [--runs 7]
import { spawn } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { environment, makeKey, median, ratio, ROOT, startServer, table, tritonInstalled } from "./lib/common.mjs";

const { values } = parseArgs({ options: { runs: { type: "string", default: "7" } }, strict: false });
const RUNS = Number(values.runs);
const contenders = [
  ["baseline", "baseline (fetch + crypto.sign)"],
  ["package", "smartdc-wasm (webcrypto signer)"],
  ["package-rust", "smartdc-wasm (rust signer)"],
  ...(tritonInstalled() ? [["triton", "node-triton CloudApi"]] : []),
];

const key = makeKey();
const server = await startServer(key, 1);
const times = new Map(contenders.map(([id]) => [id, { first: [], exit: [] }]));
try {
  for (let run = 0; run < RUNS; run++) {
    for (const [id] of contenders) {
      await server.get("/__bench/arrivals");
      const t0 = performance.timeOrigin + performance.now();
      const code = await new Promise((resolve) => {
        const child = spawn(process.execPath, [join(ROOT, "tests", "bench", "lib", "worker.mjs"), "cold", id, server.url, key.privatePath, key.keyId, server.first], { stdio: ["ignore", "ignore", "inherit"] });
        child.on("exit", resolve);
      });
      const exited = performance.timeOrigin + performance.now();
      const [arrived] = await server.get("/__bench/arrivals");
      if (code !== 0 || arrived === undefined) throw new Error(`cold start of ${id} failed (exit ${code})`);
      times.get(id).first.push(arrived - t0);
      times.get(id).exit.push(exited - t0);
    }
  }
  const first = (id) => median(times.get(id).first);
  console.log(`## 4. Cold start, ms from spawn, median of ${RUNS} — ${environment()}`);
  table(["client", "first request at server", "process exit", "vs baseline", "vs triton"],
    contenders.map(([id, name]) => [name, first(id).toFixed(0), median(times.get(id).exit).toFixed(0), ratio(first(id), first("baseline")), ratio(first(id), times.has("triton") ? first("triton") : NaN)]));
} finally {
  await server.stop();
  key.cleanup();
}
