// The control panel (www/index.html, www/panel/) end to end in Debian's Chromium, driven by
// playwright-core: the local CloudAPI in faithful CORS mode behind smartdc-wasm/relay, which
// serves www/ and pkg/. A key file is imported through the form; a machine is provisioned,
// stopped, started, rebooted, snapshotted, rolled back, tagged and deleted by clicking; the page
// is reloaded and reconnects with the stored key; the same page talks straight to the simulator
// with pre-signed URLs; errors and bad input show plain words plus CloudAPI's code and request
// id. Every test saves a screenshot under tests/artifacts/panel-*.png.
//   node --test tests/browser/panel.test.mjs      (needs pkg/ built: pkg-template/build)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { ARTIFACTS, PKG, launchChromium } from "./smoke.mjs";

const ROOT = join(PKG, "..");
const WWW = join(ROOT, "www");
const ACCOUNT = "paneluser";
const POLL = 150;
const { startRelay } = await import(pathToFileURL(join(ROOT, "pkg-template", "relay.mjs")).href);
const { startSimulator } = await import(pathToFileURL(join(ROOT, "tests", "sim", "index.mjs")).href);

const cleanup = [];
const relayLog = [];
const sentBodies = [];
let dir, key, otherKey, lockedKey, junkFile, sim, relay, browser, page, nodeDc;

/** ssh-keygen an unencrypted key; { file, text, secretLines } (secretLines: base64 body lines). */
function makeKey(name, type = ["-t", "rsa", "-b", "2048"], passphrase = "") {
  const file = join(dir, name);
  execFileSync("ssh-keygen", ["-q", ...type, "-N", passphrase, "-C", `panel-${name}`, "-f", file]);
  const text = readFileSync(file, "utf8");
  return { file, text, pub: `${file}.pub`, secretLines: text.split("\n").filter((l) => l && !l.startsWith("-----")) };
}

async function shot(p, name, { fullPage = true } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await p.screenshot({ path: join(ARTIFACTS, `panel-${name}.png`), fullPage });
}

/** A page of the panel served by `base`, ready to use. */
async function openPanel(base, viewport = { width: 1280, height: 900 }) {
  const p = await browser.context.newPage();
  await p.setViewportSize(viewport);
  p.on("request", (r) => {
    const body = r.postData();
    if (body) sentBodies.push(body);
  });
  p.on("pageerror", (e) => console.error(`pageerror: ${e.message}`));
  await p.goto(`${base}/?poll=${POLL}&refresh=1000`);
  await p.locator("body[data-ready=true]").waitFor();
  return p;
}

/**
 * Fills the connect form; `file` imports a key file, otherwise the stored key is used. The
 * CloudAPI is the page's relay unless `where` picks another (the form remembers the last one).
 */
async function connect(p, { account = ACCOUNT, file, keyName, where } = {}) {
  await p.getByLabel("CloudAPI", { exact: true }).selectOption(where?.select ?? `${new URL(p.url()).origin}/cloudapi`);
  if (where?.url) await p.getByLabel("CloudAPI URL").fill(where.url);
  await p.getByLabel("Account").fill(account);
  if (file) {
    await p.getByLabel("SSH key").selectOption("__import");
    await p.getByLabel("Key file").setInputFiles(file);
    if (keyName) await p.getByLabel("Name in this browser").fill(keyName);
  } else if (keyName) {
    await p.getByLabel("SSH key").selectOption(keyName);
  }
  await p.getByRole("button", { name: "Connect" }).click();
}

/** Elements sticking out to the right of the viewport ([] when the page fits its width). */
function overflowing(p) {
  return p.evaluate(() => [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`));
}

/** A fresh page on `base`, disconnected. */
const fresh = (base) => openPanel(base);

/** The table row of machine `name` (on `page`). */
const row = (name, p = page) => p.locator("table.machines tbody tr", { has: p.getByRole("link", { name, exact: true }) });

/** Waits until the row of `name` shows `state`. */
async function rowState(name, state, p = page, timeout = 20_000) {
  await row(name, p).locator(".state", { hasText: new RegExp(`^${state}$`) }).waitFor({ timeout });
}

/** The one machine called `name`, as CloudAPI has it (read from Node with the key file). */
async function fromNode(name) {
  const [m] = await nodeDc.machines({ name });
  return m;
}

before(async () => {
  if (!existsSync(join(PKG, "index.js"))) throw new Error(`${PKG} is not built: run pkg-template/build first`);
  dir = mkdtempSync(join(tmpdir(), "smartdc-panel-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  key = makeKey("id_rsa");
  otherKey = makeKey("id_other", ["-t", "ed25519"]);
  lockedKey = makeKey("id_locked", ["-t", "ecdsa", "-b", "256"], "open sesame");
  junkFile = join(dir, "notes.txt");
  writeFileSync(junkFile, "this is a shopping list, not a key\n");
  // Faithful CORS (the default): a browser cannot call it cross-origin, only through the relay.
  sim = await startSimulator({ port: 0, account: ACCOUNT, keys: [key.pub, lockedKey.pub], speed: 0.02, seed: 6, throttle: "off" });
  cleanup.push(() => sim.close());
  relay = await startRelay({ upstream: sim.url, dir: WWW, mounts: { "/pkg/": PKG }, log: (l) => relayLog.push(l) });
  cleanup.push(() => relay.close());
  const { DataCenter } = await import(pathToFileURL(join(PKG, "index.node.mjs")).href);
  nodeDc = new DataCenter({ url: sim.url, account: ACCOUNT, privateKey: key.text });
  browser = await launchChromium();
  cleanup.push(() => browser.close());
  page = await openPanel(relay.url);
});

after(async () => {
  for (const f of cleanup.reverse()) await f();
});

describe("the panel through the relay", () => {
  test("imports a key file through the form as a non-extractable CryptoKey and connects", async () => {
    await connect(page, { file: key.file, keyName: "work" });
    await page.getByRole("heading", { name: "Machines" }).waitFor();
    assert.match(await page.locator("#who").textContent(), new RegExp(`${ACCOUNT} @ ${relay.url}/cloudapi`));
    const stored = await page.evaluate(async () => {
      const { KeyStore } = await import("/pkg/index.js");
      const store = await KeyStore.open();
      const entry = await store.get("work");
      let exported = "exported";
      try {
        await crypto.subtle.exportKey("pkcs8", entry.cryptoKey);
      } catch (e) {
        exported = e.name;
      }
      return { extractable: entry.cryptoKey.extractable, type: entry.cryptoKey.type, exported, names: (await store.list()).map((k) => k.name) };
    });
    assert.deepEqual(stored, { extractable: false, type: "private", exported: "InvalidAccessError", names: ["work"] });
    // The switcher knows the simulator's datacenters, the current one selected.
    assert.equal(await page.getByLabel("Datacenter").inputValue(), "us-sim-1");
    await shot(page, "connected");
  });

  test("provisions a machine with tags, metadata and a boot script and watches it reach running", async () => {
    await page.getByRole("button", { name: "Provision…" }).click();
    const dlg = page.locator("dialog");
    await dlg.getByLabel("Name").fill("web-1");
    const imageOption = await dlg.getByLabel("Image").locator("option").first().getAttribute("value");
    await dlg.getByLabel("Image").selectOption(imageOption);
    await dlg.getByLabel("Tags").fill("role=web\nteam=ops");
    await dlg.getByLabel("Metadata").fill("owner=alice");
    await dlg.getByLabel("Boot script").fill("#!/bin/sh\necho hello");
    await dlg.getByRole("button", { name: "Provision" }).click();
    await dlg.waitFor({ state: "detached" });
    await page.locator("#jobs .job", { hasText: "Provisioning web-1" }).waitFor();
    await rowState("web-1", "running");
    const m = await fromNode("web-1");
    assert.equal(m.state, "running");
    assert.equal(m.image, imageOption);
    assert.deepEqual(m.tags, { role: "web", team: "ops" });
    assert.equal(m.metadata.owner, "alice");
    assert.equal(m.bootScript, "#!/bin/sh\necho hello");
    const cells = await row("web-1").locator("td").allTextContents();
    assert.equal(cells[1], "running");
    assert.equal(cells[3], m.package);
    assert.equal(cells[4], m.primaryIp);
    await shot(page, "provisioned");
  });

  test("stop, start and reboot from the table, with progress for each wait", async () => {
    await page.getByRole("button", { name: "Stop web-1" }).click();
    await page.locator("#jobs .job", { hasText: "Stopping web-1" }).waitFor();
    await rowState("web-1", "stopped");
    assert.equal((await fromNode("web-1")).state, "stopped");
    assert.ok(await page.getByRole("button", { name: "Stop web-1" }).isDisabled());
    await page.getByRole("button", { name: "Start web-1" }).click();
    await rowState("web-1", "running");
    await page.getByRole("button", { name: "Reboot web-1" }).click();
    await page.locator("#jobs .job.done", { hasText: "Rebooting web-1" }).waitFor({ timeout: 20_000 });
    const audit = (await nodeDc.request("GET", `/${ACCOUNT}/machines/${(await fromNode("web-1")).id}/audit`)).body.map((a) => a.action);
    assert.deepEqual(audit.slice(0, 3), ["reboot", "start", "stop"]);
    await shot(page, "stop-start-reboot");
  });

  test("machine page: snapshot, roll back, tags and metadata", async () => {
    await row("web-1").getByRole("link", { name: "web-1" }).click();
    await page.getByRole("heading", { name: "web-1", level: 2 }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "web-1", "focus moves to the page heading");
    // snapshot
    await page.getByLabel("Snapshot name").fill("before-upgrade");
    await page.getByRole("button", { name: "Create snapshot" }).click();
    const snapRow = page.locator("section[aria-label=Snapshots] tbody tr", { hasText: "before-upgrade" });
    await snapRow.locator(".state", { hasText: "created" }).waitFor({ timeout: 20_000 });
    // roll back (the machine is running: the panel stops it first, with confirmation)
    await page.getByRole("button", { name: "Roll back to before-upgrade" }).click();
    const dlg = page.locator("dialog");
    assert.match(await dlg.textContent(), /stopped first/);
    await dlg.getByRole("button", { name: "Roll back" }).click();
    await page.locator("#jobs .job.done", { hasText: "Rolling web-1 back to before-upgrade" }).waitFor({ timeout: 20_000 });
    const id = (await fromNode("web-1")).id;
    const audit = (await nodeDc.request("GET", `/${ACCOUNT}/machines/${id}/audit`)).body.map((a) => a.action);
    assert.ok(audit.includes("create_snapshot"), audit.join());
    assert.ok(audit.slice(0, 3).some((a) => /snapshot/.test(a) && a !== "create_snapshot"), `no rollback in ${audit.join()}`);
    // tags: add one, remove one
    const tags = page.locator("section[aria-label=Tags]");
    await tags.getByLabel("Tag key").fill("env");
    await tags.getByLabel("Value").fill("prod");
    await tags.getByRole("button", { name: "Set tag" }).click();
    await tags.locator("td", { hasText: "prod" }).waitFor();
    await tags.getByRole("button", { name: "Remove tag team" }).click();
    await tags.locator("td", { hasText: /^team$/ }).waitFor({ state: "detached" });
    // metadata
    const md = page.locator("section[aria-label=Metadata]");
    await md.getByLabel("Metadata key").fill("owner");
    await md.getByLabel("Value").fill("bob");
    await md.getByRole("button", { name: "Set metadata" }).click();
    await md.locator("td", { hasText: /^bob$/ }).waitFor();
    // The panel waits for each edit to show in GetMachine (they are jobs), so CloudAPI has them now.
    await page.locator("#jobs .job.done", { hasText: "Setting metadata owner on web-1" }).waitFor({ timeout: 20_000 });
    const m = await nodeDc.machine(id);
    assert.deepEqual(m.tags, { role: "web", env: "prod" });
    assert.equal(m.metadata.owner, "bob");
    await page.locator("section[aria-label='Audit log'] td", { hasText: "create_snapshot" }).first().waitFor();
    await shot(page, "machine-page");
  });

  test("a 409 from CloudAPI (delete under deletion protection) is shown with its code and request id", async () => {
    const responses = [];
    page.on("response", (r) => {
      if (r.request().method() === "DELETE") responses.push(r);
    });
    await page.getByLabel("Deletion protection").check();
    await page.locator("#jobs .job.done", { hasText: "Enabling deletion protection on web-1" }).waitFor({ timeout: 20_000 });
    assert.equal((await fromNode("web-1")).deletion_protection, true);
    await page.locator(".actions").first().getByRole("button", { name: "Delete web-1" }).click();
    await page.locator("dialog").getByRole("button", { name: "Delete" }).click();
    const box = page.locator("#jobs .job.failed", { hasText: "Deleting web-1" }).locator(".error");
    await box.waitFor();
    assert.equal(responses.length, 1);
    assert.equal(responses[0].status(), 409);
    const requestId = (await responses[0].allHeaders())["request-id"] ?? (await responses[0].allHeaders())["x-request-id"];
    assert.ok(requestId, "the simulator sends a request id");
    assert.equal(await box.locator(".code").textContent(), "CannotDestroyMachineError");
    assert.equal(await box.locator(".request-id").textContent(), requestId);
    assert.match(await box.textContent(), /CloudAPI refused the change/);
    assert.match(await box.locator(".message").textContent(), /deletion_protection/);
    await shot(page, "error-409");
    // The panel stays usable: turn protection off again.
    await box.getByRole("button", { name: "Dismiss" }).click();
    await page.getByLabel("Deletion protection").uncheck();
    await page.locator("#jobs .job.done", { hasText: "Disabling deletion protection on web-1" }).waitFor({ timeout: 20_000 });
    assert.equal((await fromNode("web-1")).deletion_protection, false);
  });

  test("rename, resize and firewall from the machine page", async () => {
    await page.getByLabel("Cloud firewall").check();
    await page.locator("#jobs .job.done", { hasText: "Enabling cloud firewall on web-1" }).waitFor({ timeout: 20_000 });
    await page.locator(".actions").first().getByRole("button", { name: "Rename web-1" }).click();
    const dlg = page.locator("dialog");
    assert.equal(await page.evaluate(() => document.activeElement.name), "name", "focus starts in the dialog's field");
    await dlg.getByLabel("New name").fill("web-2");
    await dlg.getByRole("button", { name: "Rename" }).click();
    await page.getByRole("heading", { name: "web-2", level: 2 }).waitFor({ timeout: 20_000 });
    const packages = await nodeDc.packages();
    const current = (await fromNode("web-2")).package;
    const target = packages.find((p) => p.name !== current && !p.flexible_disk && !p.brand);
    await page.locator(".actions").first().getByRole("button", { name: "Resize web-2" }).click();
    await dlg.getByLabel("Package").selectOption(target.name);
    await dlg.getByRole("button", { name: "Resize" }).click();
    await page.locator("#jobs .job.done", { hasText: `Resizing web-2 to ${target.name}` }).waitFor({ timeout: 20_000 });
    const m = await fromNode("web-2");
    assert.equal(m.firewall_enabled, true);
    assert.equal(m.package, target.name);
    assert.equal(await page.locator(".facts dd").nth(2).textContent(), target.name);
    await page.locator("section[aria-label='Audit log'] td", { hasText: /^resize$/ }).waitFor();
    await shot(page, "rename-resize-firewall");
  });

  test("the table follows changes made elsewhere: a machine created from Node appears and turns running", async () => {
    await page.getByRole("link", { name: "← All machines" }).click();
    const image = (await nodeDc.images()).find((i) => i.type === "zone-dataset");
    await nodeDc.createMachine({ name: "from-node", image: image.id, package: (await nodeDc.packages())[0].name });
    await row("from-node").waitFor({ timeout: 20_000 });
    await rowState("from-node", "running");
    await (await fromNode("from-node")).delete();
    await row("from-node").waitFor({ state: "detached", timeout: 20_000 });
  });

  test("the datacenter switcher explains a datacenter the browser cannot reach and stays connected", async () => {
    await page.getByLabel("Datacenter").selectOption("us-sim-2");
    const failed = page.locator("#jobs .job.failed", { hasText: "Switching to datacenter us-sim-2" });
    await failed.waitFor({ timeout: 30_000 });
    assert.match(await failed.textContent(), /Cannot reach CloudAPI|relay/);
    assert.equal(await page.getByLabel("Datacenter").inputValue(), "us-sim-1");
    await rowState("web-2", "running");
    await shot(page, "switcher-unreachable");
  });

  test("keyboard: the provision dialog opens from the keyboard, traps focus and gives it back", async () => {
    await page.getByRole("button", { name: "Provision…" }).focus();
    await page.keyboard.press("Enter");
    await page.locator("dialog[open]").waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.name), "name", "focus starts in the first field");
    // The page behind a modal dialog is inert: Tab cycles through the dialog (and, past its last
    // control, the browser's own UI, where the page sees document.body focused), never behind it.
    const inDialog = [];
    for (let i = 0; i < 14; i += 1) {
      await page.keyboard.press("Tab");
      const where = await page.evaluate(() => (document.activeElement.closest("dialog") ? "dialog" : document.activeElement === document.body ? "browser" : document.activeElement.outerHTML));
      assert.ok(where === "dialog" || where === "browser", `Tab ${i + 1} reached ${where}`);
      inDialog.push(where === "dialog");
    }
    assert.ok(inDialog.filter(Boolean).length >= 10);
    await page.keyboard.press("Escape");
    await page.locator("dialog").waitFor({ state: "detached" });
    assert.equal(await page.evaluate(() => document.activeElement.id), "provision");
  });

  test("a phone-sized window (360 px) shows the machines as cards without sideways scrolling", async () => {
    const phone = await openPanel(relay.url, { width: 360, height: 780 });
    assert.deepEqual(await overflowing(phone), [], "the connect form fits 360 px");
    await shot(phone, "phone-connect", { fullPage: false });
    await connect(phone, { keyName: "work" });
    await phone.getByRole("heading", { name: "Machines" }).waitFor();
    await phone.locator("table.machines tbody tr").first().waitFor();
    assert.deepEqual(await overflowing(phone), [], "no horizontal overflow at 360 px");
    await shot(phone, "phone-list");
    await phone.locator("table.machines a").first().click();
    await phone.locator("section[aria-label='Audit log'] td").first().waitFor();
    await phone.locator("section[aria-label=Snapshots] td").first().waitFor();
    assert.deepEqual(await overflowing(phone), [], "no horizontal overflow on the machine page");
    await shot(phone, "phone-machine", { fullPage: false });
    await phone.locator("section[aria-label=Snapshots]").scrollIntoViewIfNeeded();
    await shot(phone, "phone-snapshots", { fullPage: false });
    await phone.close();
  });

  test("delete with confirmation: the row goes away and CloudAPI has it deleted", async () => {
    const id = (await fromNode("web-2")).id;
    await page.getByRole("button", { name: "Delete web-2" }).click();
    const dlg = page.locator("dialog");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Cancel", "a destructive dialog focuses Cancel");
    await dlg.getByRole("button", { name: "Delete" }).click();
    await page.locator("#jobs .job.done", { hasText: "Deleting web-2" }).waitFor({ timeout: 20_000 });
    await row("web-2").waitFor({ state: "detached" });
    assert.equal((await nodeDc.machine(id)).state, "deleted");
    await shot(page, "deleted");
  });

  test("after a reload the stored key reconnects without the file", async () => {
    await page.reload();
    await page.locator("body[data-ready=true]").waitFor();
    assert.equal(await page.getByLabel("Account").inputValue(), ACCOUNT);
    assert.equal(await page.getByLabel("SSH key").inputValue(), "work");
    assert.ok(await page.locator("#import-fields").isHidden(), "no file needed");
    await shot(page, "reload-form");
    await page.getByRole("button", { name: "Connect" }).click();
    await page.getByRole("heading", { name: "Machines" }).waitFor();
    await page.locator("p.empty", { hasText: "No machines yet" }).waitFor();
    await shot(page, "reconnected");
  });

  test("pre-signed mode: straight to a CloudAPI on another origin (faithful CORS), actions work, a body is refused plainly", async () => {
    const [image] = await nodeDc.images();
    const direct = await nodeDc.createMachine({ name: "direct-1", image: image.id, package: (await nodeDc.packages())[0].name }, { wait: { interval: 50 } });
    const p = await fresh(relay.url);
    const toSim = [];
    p.on("request", (r) => {
      if (r.url().startsWith(sim.url)) toSim.push(r);
    });
    await connect(p, { keyName: "work", where: { select: "__other", url: sim.url } });
    await p.getByRole("heading", { name: "Machines" }).waitFor();
    assert.match(await p.locator("#who").textContent(), /\(pre-signed URLs\)$/);
    await rowState("direct-1", "running", p);
    await p.getByRole("button", { name: "Stop direct-1" }).click();
    await rowState("direct-1", "stopped", p);
    await p.getByRole("button", { name: "Start direct-1" }).click();
    await rowState("direct-1", "running", p);
    assert.equal((await nodeDc.machine(direct.id)).state, "running");
    // Creating a machine has a body: refused before anything is sent, in plain words.
    await p.getByRole("button", { name: "Provision…" }).click();
    await p.locator("dialog").getByRole("button", { name: "Provision" }).click();
    const err = p.locator("dialog .error");
    await err.waitFor();
    assert.equal(await err.locator(".code").textContent(), "NotSupportedInPresignedMode");
    assert.match(await err.textContent(), /This needs the relay/);
    await shot(p, "presigned");
    await p.locator("dialog").getByRole("button", { name: "Cancel" }).click();
    assert.ok(toSim.length > 3);
    for (const r of toSim) {
      const headers = await r.allHeaders();
      assert.equal(headers.authorization, undefined, `${r.method()} ${r.url()} carried an Authorization header`);
      if (r.method() !== "OPTIONS") assert.match(r.url(), /[?&]signature=/);
    }
    assert.ok(toSim.some((r) => r.method() === "POST" && /action=stop/.test(r.url())));
    await nodeDc.machine(direct.id).then((m) => m.delete({ wait: { interval: 50 } }));
    await p.close();
  });

  test("the private key never left the page: not in request bodies, not in the relay's log", () => {
    const everything = [...sentBodies, ...relayLog].join("\n");
    for (const line of key.secretLines) assert.ok(!everything.includes(line), "a line of the private key was sent");
    assert.ok(relayLog.length > 20);
    assert.ok(!relayLog.some((l) => /signature=/.test(l)));
  });
});

describe("bad input: plain words, and the panel stays usable", () => {
  test("a file that is not a key", async () => {
    const p = await fresh(relay.url);
    await connect(p, { file: junkFile, keyName: "junk" });
    const err = p.locator("#connect-errors .error");
    await err.waitFor();
    assert.match(await err.textContent(), /not a private key the panel can read/);
    assert.equal(await err.locator(".code").textContent(), "InvalidKey");
    await shot(p, "bad-key-file");
    // Still usable: connect with the stored key.
    await connect(p, { keyName: "work" });
    await p.getByRole("heading", { name: "Machines" }).waitFor();
    await p.close();
  });

  test("an encrypted key asks for its passphrase, refuses a wrong one and connects with the right one", async () => {
    const p = await fresh(relay.url);
    const err = p.locator("#connect-errors .error");
    await connect(p, { file: lockedKey.file, keyName: "locked" });
    await err.waitFor();
    assert.equal(await err.locator(".code").textContent(), "BadPassphrase");
    assert.match(await err.textContent(), /The key is encrypted/);
    await p.getByLabel("Passphrase").fill("wrong");
    await p.getByRole("button", { name: "Connect" }).click();
    await err.locator(".code", { hasText: "BadPassphrase" }).waitFor();
    await shot(p, "bad-passphrase");
    assert.equal(await p.getByLabel("Passphrase").inputValue(), "", "the passphrase field is cleared after each try");
    await p.getByLabel("Passphrase").fill("open sesame");
    await p.getByRole("button", { name: "Connect" }).click();
    await p.getByRole("heading", { name: "Machines" }).waitFor();
    await p.close();
  });

  test("a key that belongs to another account", async () => {
    const p = await fresh(relay.url);
    await connect(p, { file: otherKey.file, keyName: "other" });
    const err = p.locator("#connect-errors .error");
    await err.waitFor();
    assert.match(await err.textContent(), /did not accept this key/);
    assert.ok((await err.locator(".request-id").textContent()).length > 0, "CloudAPI's request id is shown");
    await shot(p, "key-other-account");
    // The wrong key stays stored (the account name may be what was wrong); Forget removes it.
    assert.equal(await p.getByLabel("SSH key").inputValue(), "other");
    await p.getByRole("button", { name: "Forget" }).click();
    await p.locator("dialog").getByRole("button", { name: "Forget" }).click();
    await p.locator("dialog").waitFor({ state: "detached" });
    const left = await p.getByLabel("SSH key").locator("option").evaluateAll((os) => os.map((o) => o.value));
    assert.ok(!left.includes("other") && left.includes("work"), left.join());
    await p.close();
  });

  test("a relay whose CloudAPI is down", async () => {
    const dead = http.createServer();
    await new Promise((r) => dead.listen(0, "127.0.0.1", r));
    const port = dead.address().port;
    await new Promise((r) => dead.close(r));
    const r2 = await startRelay({ upstream: `http://127.0.0.1:${port}`, dir: WWW, mounts: { "/pkg/": PKG }, log: false });
    try {
      const p = await fresh(r2.url);
      await connect(p, { file: key.file, keyName: "work" });
      const err = p.locator("#connect-errors .error");
      await err.waitFor({ timeout: 30_000 });
      assert.match(await err.textContent(), /relay cannot reach CloudAPI/);
      assert.equal(await err.locator(".code").textContent(), "BadGateway");
      await shot(p, "dead-upstream");
      assert.ok(await p.getByRole("button", { name: "Connect" }).isEnabled());
      await p.close();
    } finally {
      await r2.close();
    }
  });

  test("a CloudAPI URL that answers HTML", async () => {
    const html = http.createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>Welcome</title><h1>Please log in to the hotel Wi-Fi</h1>");
    });
    await new Promise((r) => html.listen(0, "127.0.0.1", r));
    const r3 = await startRelay({ upstream: `http://127.0.0.1:${html.address().port}`, dir: WWW, mounts: { "/pkg/": PKG }, log: false });
    try {
      const p = await fresh(r3.url);
      await connect(p, { file: key.file, keyName: "work" });
      const err = p.locator("#connect-errors .error");
      await err.waitFor({ timeout: 30_000 });
      assert.match(await err.textContent(), /does not answer like CloudAPI/);
      await shot(p, "html-upstream");
      assert.ok(await p.getByRole("button", { name: "Connect" }).isEnabled());
      await p.close();
    } finally {
      await r3.close();
      await new Promise((r) => { html.close(r); html.closeAllConnections(); });
    }
  });
});
