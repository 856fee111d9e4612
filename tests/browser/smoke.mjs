// Browser smoke test: Debian's Chromium (driven by playwright-core) loads the built package from
// pkg/ in a page and lists machines from the local CloudAPI simulator.
//   node tests/browser/smoke.mjs      run it and print what both sides saw
// smoke.test.mjs runs the same thing under node:test; bundlers.test.mjs reuses the pieces. The
// page comes from a separate static server, so the simulator runs with its non-faithful
// `cors: "permissive"` switch (real CloudAPI sends no CORS headers; the browser story is issue 6).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { serveStatic } from "./static.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..");
export const PKG = join(ROOT, "pkg");
export const ARTIFACTS = join(ROOT, "tests", "artifacts");

/** The Chromium flags this machine needs (no sandbox as root, no network beyond 127.0.0.1). */
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Launch /usr/bin/chromium with a fresh profile; close() also removes the profile. */
export async function launchChromium() {
  const profile = mkdtempSync(join(tmpdir(), "smartdc-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh RSA-2048 key (OpenSSH format, what `ssh-keygen` writes by default), the simulator
 * holding its public half, and one machine created through the package's Node entry.
 * Resolves to { opts (DataCenter options), createdId, nodeMachines, simUrl, close() }.
 */
export async function startCloud() {
  if (!existsSync(join(PKG, "index.js"))) throw new Error(`${PKG} is not built: run pkg-template/build first`);
  const dir = mkdtempSync(join(tmpdir(), "smartdc-smoke-"));
  const keyFile = join(dir, "id_rsa");
  execFileSync("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "smoke", "-f", keyFile]);
  const { startSimulator } = await import(pathToFileURL(join(ROOT, "tests", "sim", "index.mjs")).href);
  const sim = await startSimulator({
    port: 0, host: "127.0.0.1", account: "smoke", keys: [`${keyFile}.pub`], speed: "fast", seed: 1, cors: "permissive",
  });
  const close = async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const opts = { url: sim.url, account: sim.account, keyId: sim.keys[0].fingerprint, privateKey: readFileSync(keyFile, "utf8") };
    const { DataCenter } = await import(pathToFileURL(join(PKG, "index.node.mjs")).href);
    const dc = new DataCenter(opts);
    const [image] = await dc.images();
    const [pkg] = await dc.packages();
    const created = await dc.createMachine({ name: "browser-smoke", image: image.id, package: pkg.name });
    const nodeMachines = (await dc.machines()).map((m) => m.toJSON());
    return { opts, createdId: created.id, nodeMachines, simUrl: sim.url, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Open `url` (a page that loads app.js) and list machines in it with `opts`. Resolves to
 * { signer, machines, consoleMessages, page }.
 */
export async function listInPage(context, url, opts) {
  const page = await context.newPage();
  const consoleMessages = [];
  page.on("console", (m) => consoleMessages.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleMessages.push(`pageerror: ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => window.packageReady === true, null, { timeout: 20000 });
  const { signer, machines } = await page.evaluate((o) => window.listMachines(o), opts);
  return { signer, machines, consoleMessages, page };
}

/** Run the smoke scenario: the page lists, through pkg/index.js, what Node created. */
export async function runSmoke({ screenshot = join(ARTIFACTS, "browser-smoke.png") } = {}) {
  const cleanup = [];
  try {
    const cloud = await startCloud();
    cleanup.push(cloud.close);
    const web = await serveStatic({ "/pkg/": PKG, "/": HERE });
    cleanup.push(web.close);
    const browser = await launchChromium();
    cleanup.push(browser.close);
    const r = await listInPage(browser.context, `${web.url}/page.html`, cloud.opts);
    // What a devtools user types: a dynamic import of the same URL gives the same module.
    const devtoolsImport = await r.page.evaluate(async () => {
      const m = await import("/pkg/index.js");
      return { sameModule: m.DataCenter === window.loadedDataCenter, exports: Object.keys(m) };
    });
    mkdirSync(dirname(screenshot), { recursive: true });
    await r.page.screenshot({ path: screenshot, fullPage: true });
    return {
      createdId: cloud.createdId, nodeMachines: cloud.nodeMachines, browserMachines: r.machines, browserSigner: r.signer,
      devtoolsImport, consoleMessages: r.consoleMessages, screenshot, pageUrl: web.url, simUrl: cloud.simUrl,
    };
  } finally {
    for (const f of cleanup.reverse()) await f();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await runSmoke();
  console.log(`page ${r.pageUrl}/page.html → simulator ${r.simUrl}`);
  console.log(`node saw ${r.nodeMachines.length} machine(s), the browser (${r.browserSigner} signer) saw ${r.browserMachines.length}:`);
  for (const m of r.browserMachines) console.log(`  ${m.name}  ${m.state}  ${m.id}`);
  for (const c of r.consoleMessages) console.log(`  console ${c}`);
  console.log(`screenshot: ${r.screenshot}`);
}
