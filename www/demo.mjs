// The main job (run through www/demo): start the local CloudAPI simulator with a fresh SSH key,
// then run the seed's quickstart against it with the built package, printing each step:
// list datasets and packages, create a machine, poll until running, read its IPs, stop, poll
// until stopped, delete.
//   node www/demo.mjs [--speed fast|realistic|F] [--interval MS]
// The default speed, 0.1 of realistic (a provision takes ~3 s), shows a few polls per step.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: { speed: { type: "string", default: "0.1" }, interval: { type: "string", default: "500" } },
});
const started = Date.now();
const say = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${text}`);

const tmp = mkdtempSync(join(tmpdir(), "smartdc-demo-"));
let sim;
function cleanUp() {
  if (sim && sim.exitCode === null) sim.kill("SIGTERM");
  rmSync(tmp, { recursive: true, force: true });
}
process.on("exit", cleanUp);
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]]) {
  process.on(signal, () => {
    console.log(`\n${signal}: stopping the simulator`);
    process.exit(code);
  });
}

/** Start tests/sim/cli.mjs and resolve with the JSON line it prints ({ url, account, keys }). */
function startSimulator(publicKeyPath) {
  sim = spawn(process.execPath, [join(ROOT, "tests", "sim", "cli.mjs"), "--host", "127.0.0.1", "--port", "0",
    "--account", "demo", "--key", publicKeyPath, "--speed", args.speed], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolveInfo, reject) => {
    sim.on("exit", (code, signal) => reject(new Error(`the simulator exited (${signal ?? code}) before it was ready`)));
    const lines = createInterface({ input: sim.stdout });
    lines.once("line", (line) => {
      try {
        resolveInfo(JSON.parse(line));
      } catch {
        reject(new Error(`the simulator printed ${JSON.stringify(line)} instead of its JSON line`));
      }
    });
  });
}

async function quickstart() {
  say("generating an RSA key with ssh-keygen (OpenSSH format)");
  const keyFile = join(tmp, "id_rsa");
  execFileSync("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "smartdc-wasm-demo", "-f", keyFile]);
  const info = await startSimulator(`${keyFile}.pub`);
  say(`local CloudAPI listening at ${info.url} (account ${info.account}, key ${info.keys[0].fingerprint})`);

  const { DataCenter } = await import(pathToFileURL(join(ROOT, "pkg", "index.node.mjs")).href);
  const dc = new DataCenter({
    url: info.url,
    account: info.account,
    keyId: info.keys[0].fingerprint,
    privateKey: readFileSync(keyFile, "utf8"),
  });
  console.log(dc);

  const datasets = await dc.datasets();
  say(`${datasets.length} datasets:`);
  for (const d of datasets) console.log(`         ${d.name}@${d.version}  ${d.os}  ${d.id}`);
  const packages = await dc.packages();
  say(`${packages.length} packages:`);
  for (const p of packages) console.log(`         ${p.name}  ${p.memory} MiB RAM  ${p.disk} MiB disk${p.default ? "  (default)" : ""}`);

  // The newest SmartOS dataset (ISO dates sort as text), else the first one listed.
  const smartos = datasets.filter((d) => d.os === "smartos").sort((a, b) => String(b.published_at).localeCompare(String(a.published_at)));
  const dataset = smartos[0] ?? datasets[0];
  // defaultPackage() rejects with ResourceNotFound when no package is flagged default.
  const pkg = await dc.defaultPackage().catch((e) => {
    if (e.code !== "ResourceNotFound") throw e;
    return packages.toSorted((a, b) => a.memory - b.memory)[0];
  });
  const name = `demo-${Math.random().toString(16).slice(2, 8)}`;
  say(`creating machine ${name} from ${dataset.name}@${dataset.version} with package ${pkg.name}`);
  const machine = await dc.createMachine({ name, dataset: dataset.id, package: pkg.name });
  say(`created ${machine.id}, state ${machine.state}`);

  const interval = Number(args.interval);
  const progress = (m) => say(`  … ${m.name} is ${m.state}`);
  await machine.pollUntil("running", { interval, onProgress: progress });
  say(`${machine.name} is running`);
  say(`IPs: ${machine.ips.join(", ")} (primary ${machine.primaryIp}; public ${machine.publicIps.join(", ") || "none"}; private ${machine.privateIps.join(", ") || "none"})`);
  console.log(machine);

  say(`stopping ${machine.name}`);
  await machine.stop();
  await machine.pollUntil("stopped", { interval, onProgress: progress });
  say(`${machine.name} is stopped`);

  say(`deleting ${machine.name}`);
  await machine.delete();
  await machine.pollUntil("deleted", { interval, onProgress: progress });
  say(`${machine.name} is deleted; ${(await dc.machines()).length} machines left`);
  say("done");
}

// The simulator child keeps the event loop alive, so the demo exits explicitly; exiting runs
// cleanUp(), which stops it.
quickstart().then(
  () => process.exit(0),
  (e) => {
    console.error(`\ndemo failed: ${e?.name ?? "Error"}${e?.code ? ` ${e.code}` : ""}: ${e?.message ?? e}`);
    process.exit(1);
  },
);
