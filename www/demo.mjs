// The main job (run through www/demo): start the local CloudAPI simulator (faithful CORS) with
// a fresh SSH key and the relay serving www/ (the panel, devtools.html) and pkg/ in front of it,
// then run the seed's quickstart against it with the built package, printing each step:
// list datasets and packages, create a machine, poll until running, read its IPs, stop, poll
// until stopped, delete. Then it prints the panel and devtools URLs and serves until Ctrl-C
// (SIGINT/SIGTERM), which stops everything it started. In CI mode (--ci, $CI set, or stdout
// not a terminal, as under tests/run) it checks the relay answers and exits after the quickstart.
//   node www/demo.mjs [--speed fast|realistic|F] [--interval MS] [--port N] [--ci]
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
  options: {
    speed: { type: "string", default: "0.1" },
    interval: { type: "string", default: "500" },
    port: { type: "string", default: "0" },
    ci: { type: "boolean", default: false },
  },
});
const ciMode = args.ci || Boolean(process.env.CI) || !process.stdout.isTTY;
const started = Date.now();
const say = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${text}`);

const tmp = mkdtempSync(join(tmpdir(), "smartdc-demo-"));
let sim;
let relay;
function cleanUp() {
  if (sim && sim.exitCode === null) sim.kill("SIGTERM");
  rmSync(tmp, { recursive: true, force: true });
}
process.on("exit", cleanUp);
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]]) {
  process.on(signal, async () => {
    console.log(`\n${signal}: stopping the relay and the simulator`);
    // Why a time limit: a stuck close must not keep Ctrl-C from ending the demo.
    await Promise.race([relay?.close(), new Promise((r) => setTimeout(r, 2000))]);
    process.exit(code);
  });
}

/** Start tests/sim/cli.mjs and resolve with the JSON line it prints ({ url, account, keys }). */
function startSimulator(publicKeyPath) {
  sim = spawn(process.execPath, [join(ROOT, "tests", "sim", "cli.mjs"), "--host", "127.0.0.1", "--port", "0",
    "--account", "demo", "--key", publicKeyPath, "--speed", args.speed, "--cors", "faithful"], { stdio: ["ignore", "pipe", "inherit"] });
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
  say(`local CloudAPI listening at ${info.url} (account ${info.account}, key ${info.keys[0].fingerprint}; faithful CORS)`);
  const { startRelay } = await import(pathToFileURL(join(ROOT, "pkg", "relay.mjs")).href);
  let serving = false;
  relay = await startRelay({
    upstream: info.url,
    port: Number(args.port),
    dir: join(ROOT, "www"),
    mounts: { "/pkg/": join(ROOT, "pkg") },
    // The panel's requests are shown once the quickstart is done.
    log: (line) => serving && console.log(`  relay: ${line}`),
  });
  say(`relay listening at ${relay.url}: www/ at /, pkg/ at /pkg/, CloudAPI at /cloudapi`);

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
  say("quickstart done");

  console.log(`
  control panel:  ${relay.url}/
  devtools page:  ${relay.url}/devtools.html
  connect with:   CloudAPI URL ${relay.url}/cloudapi, account ${info.account},
                  key file ${keyFile} (or, cross-origin with transport "presigned": ${info.url})`);
  if (ciMode) {
    await checkRelay(relay.url, info, keyFile, DataCenter);
    return;
  }
  serving = true;
  console.log("\nserving until Ctrl-C (one line per relayed request below)");
  await new Promise(() => {});
}

/** CI mode: the pages and the package answer through the relay, and so does CloudAPI. */
async function checkRelay(base, info, keyFile, DataCenter) {
  for (const path of ["/devtools.html", "/pkg/index.js", "/pkg/smartdc_wasm_bg.wasm"]) {
    const res = await fetch(`${base}${path}`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`the relay answered ${res.status} for ${path}`);
  }
  const viaRelay = new DataCenter({ url: `${base}/cloudapi`, account: info.account, privateKey: readFileSync(keyFile, "utf8") });
  const n = (await viaRelay.machines()).length;
  say(`checked: the relay serves devtools.html and /pkg/, and relays CloudAPI (${n} machines)`);
}

// The simulator child and the relay keep the event loop alive, so the demo exits explicitly;
// exiting runs cleanUp(), which stops the simulator (the relay dies with the process).
quickstart().then(
  () => process.exit(0),
  (e) => {
    console.error(`\ndemo failed: ${e?.name ?? "Error"}${e?.code ? ` ${e.code}` : ""}: ${e?.message ?? e}`);
    process.exit(1);
  },
);
