// The devtools story in real Chromium, through the relay (pkg/relay.mjs) serving www/ and pkg/
// in front of the local CloudAPI (faithful CORS): devtools.html puts the package on `window`
// with a one-line hint; `await import("/pkg/index.js")` works from any page of the relay; and
// Machines, Snapshots, DataCenters and CloudApiErrors print their fields in the console (read
// over CDP the way DevTools reads them), never key material.
//   node --test tests/browser/devtools.test.mjs      (needs pkg/ built: pkg-template/build)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { ARTIFACTS, PKG, launchChromium } from "./smoke.mjs";

const ROOT = join(PKG, "..");
const cleanup = [];
let sim, relay, browser, opts, keyText, machineId;

before(async () => {
  if (!existsSync(join(PKG, "index.js"))) throw new Error(`${PKG} is not built: run pkg-template/build first`);
  const dir = mkdtempSync(join(tmpdir(), "smartdc-devtools-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "devtools", "-f", keyFile]);
  keyText = readFileSync(keyFile, "utf8");
  const { startSimulator } = await import(pathToFileURL(join(ROOT, "tests", "sim", "index.mjs")).href);
  sim = await startSimulator({ port: 0, host: "127.0.0.1", account: "devtools", keys: [`${keyFile}.pub`], speed: "fast", seed: 5, throttle: "off" });
  cleanup.push(() => sim.close());
  const { startRelay } = await import(pathToFileURL(join(PKG, "relay.mjs")).href);
  relay = await startRelay({ upstream: sim.url, dir: join(ROOT, "www"), mounts: { "/pkg/": PKG }, log: false });
  cleanup.push(() => relay.close());
  opts = { url: `${relay.url}/cloudapi`, account: sim.account, privateKey: keyText };
  const { DataCenter } = await import(pathToFileURL(join(PKG, "index.node.mjs")).href);
  const dc = new DataCenter({ ...opts, url: sim.url });
  const [image] = await dc.images();
  const [pkg] = await dc.packages();
  const m = await dc.createMachine({ name: "devtools-vm", image: image.id, package: pkg.name });
  await m.pollUntil("running", { interval: 100 });
  machineId = m.id;
  browser = await launchChromium();
  cleanup.push(browser.close);
});

after(async () => {
  for (const f of cleanup.reverse()) await f();
});

/** A page on `path` of the relay with every console call recorded as CDP reports it. */
async function openPage(path) {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  const calls = [];
  cdp.on("Runtime.consoleAPICalled", (e) => calls.push(e));
  await cdp.send("Runtime.enable");
  // What DevTools does when "Custom formatters" is on.
  await cdp.send("Runtime.setCustomObjectFormatterEnabled", { enabled: true });
  await page.goto(`${relay.url}${path}`);
  return { page, calls };
}

test("devtools.html puts the package on window with a one-line console hint", { timeout: 60000 }, async () => {
  const { page, calls } = await openPage("/devtools.html");
  await page.waitForFunction(() => window.smartdc !== undefined, null, { timeout: 20000 });
  const exports = await page.evaluate(() => Object.keys(window.smartdc));
  for (const name of ["DataCenter", "Machine", "Snapshot", "KeyStore"]) assert.ok(exports.includes(name), `${name} exported`);
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("loaded"));
  const infos = calls.filter((c) => c.type === "info").map((c) => c.args.map((a) => a.value).join(" "));
  assert.equal(infos.length, 1, "one hint");
  assert.equal(infos[0].split("\n").length, 1, "on one line");
  assert.match(infos[0], /^smartdc-wasm is loaded as window\.smartdc \(.*DataCenter.*\): try new smartdc\.DataCenter\(/);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, "browser-devtools.png"), fullPage: true });
  await page.close();
});

test("await import(\"/pkg/index.js\") works from any page the relay serves, and calls go through the relay", { timeout: 60000 }, async () => {
  const { page } = await openPage("/pkg/README.md");
  const r = await page.evaluate(async (o) => {
    const smartdc = await import("/pkg/index.js");
    const again = await import("/pkg/index.js");
    const dc = new smartdc.DataCenter(o);
    const machines = await dc.machines();
    return { same: smartdc === again, names: machines.map((m) => m.name), signer: dc.signer };
  }, opts);
  assert.equal(r.same, true);
  assert.deepEqual(r.names, ["devtools-vm"]);
  assert.equal(r.signer, "webcrypto");
  await page.close();
});

test("Machines, Snapshots, DataCenters and CloudApiErrors print their fields in the console; key material never", { timeout: 60000 }, async () => {
  const { page, calls } = await openPage("/devtools.html");
  await page.waitForFunction(() => window.smartdc !== undefined, null, { timeout: 20000 });
  const requestId = await page.evaluate(async ({ o, id }) => {
    const dc = new window.smartdc.DataCenter(o);
    const m = await dc.machine(id);
    console.log(m);
    const snap = await m.createSnapshot("before-upgrade");
    console.log(snap);
    console.log(dc);
    const e = await dc.machine("00000000-0000-4000-8000-000000000000").catch((x) => x);
    console.error(e);
    return e.requestId;
  }, { o: opts, id: machineId });
  const logged = calls.filter((c) => c.type === "log" || c.type === "error").map((c) => c.args[0]);
  assert.equal(logged.length, 4);
  const [machine, snapshot, dc, error] = logged;

  for (const [o, cls] of [[machine, "Machine"], [snapshot, "Snapshot"], [dc, "DataCenter"]]) {
    assert.equal(o.className, cls);
    assert.ok(o.customPreview, `${cls} has a custom preview`);
  }
  const header = (o) => JSON.parse(o.customPreview.header)[2];
  assert.match(header(machine), new RegExp(`^Machine \\{id: "${machineId}", name: "devtools-vm", .*state: "running"`));
  assert.match(header(machine), /image: "[0-9a-f-]{36}"/);
  assert.match(header(snapshot), /^Snapshot \{name: "before-upgrade", state: "(queued|creating|created)"/);
  assert.match(header(dc), new RegExp(`^DataCenter \\{url: "${opts.url}", account: "devtools", keyId: "/devtools/keys/[0-9a-f:]{47}", algorithm: "ed25519-sha512"\\}$`));

  // Errors are real Errors: the message, then code, statusCode and requestId in the preview.
  assert.equal(error.subtype, "error");
  assert.match(error.description, /^CloudApiError: /);
  const props = Object.fromEntries(error.preview.properties.map((p) => [p.name, p.value]));
  assert.equal(props.code, "ResourceNotFound");
  assert.equal(props.statusCode, "404");
  assert.equal(props.requestId, requestId);

  const everything = JSON.stringify(calls);
  const body = keyText.split("\n").filter((l) => l && !l.startsWith("-----"));
  for (const line of body) assert.ok(!everything.includes(line.slice(0, 40)), "no private key line in the console");
  assert.ok(!/PRIVATE KEY/.test(everything));
  await page.close();
});
