// The package inside Vite and webpack production builds, with zero bundler configuration about
// wasm: each bundles app.js (which imports "smartdc-wasm" from node_modules, as an installed
// package), must emit the .wasm as an asset, and the bundle must list machines in Chromium.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { build as viteBuild } from "vite";
import webpack from "webpack";
import { launchChromium, listInPage, PKG, startCloud } from "./smoke.mjs";
import { serveStatic } from "./static.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
let cloud, browser, project;

before(async () => {
  // A consumer project: app.js plus the package copied into node_modules, as `npm install` leaves it.
  project = mkdtempSync(join(tmpdir(), "smartdc-bundlers-"));
  cpSync(join(HERE, "app.js"), join(project, "app.js"));
  cpSync(PKG, join(project, "node_modules", "smartdc-wasm"), { recursive: true });
  cloud = await startCloud();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await cloud?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

/** Serve `out` with a page that loads its bundle, list machines in it, check what it saw. */
async function checkBundle(out, scriptTag) {
  assert.ok(readdirSync(out, { recursive: true }).some((f) => String(f).endsWith(".wasm")), "the .wasm was emitted as an asset");
  writeFileSync(join(out, "index.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">${scriptTag}`);
  const web = await serveStatic({ "/": out });
  try {
    const r = await listInPage(browser.context, `${web.url}/index.html`, cloud.opts);
    assert.deepEqual(r.machines.map((m) => m.id).sort(), cloud.nodeMachines.map((m) => m.id).sort());
    assert.ok(r.machines.some((m) => m.id === cloud.createdId));
    assert.equal(r.signer, "webcrypto");
    assert.deepEqual(r.consoleMessages.filter((c) => /^(error|pageerror|warning)/.test(c)), []);
    await r.page.close();
  } finally {
    await web.close();
  }
}

test("a Vite production build (default config) lists machines in Chromium", { timeout: 120000 }, async () => {
  const out = join(project, "dist-vite");
  await viteBuild({
    root: project,
    configFile: false,
    logLevel: "warn",
    build: { outDir: out, rollupOptions: { input: join(project, "app.js"), output: { entryFileNames: "app.js" } } },
  });
  await checkBundle(out, `<script type="module" src="/app.js"></script>`);
});

test("a webpack 5 production build (default config) lists machines in Chromium", { timeout: 120000 }, async () => {
  const out = join(project, "dist-webpack");
  const stats = await new Promise((resolve, reject) => {
    webpack({ mode: "production", context: project, entry: "./app.js", output: { path: out, filename: "app.js" } },
      (err, s) => (err ? reject(err) : resolve(s)));
  });
  assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
  await checkBundle(out, `<script src="/app.js"></script>`);
});
