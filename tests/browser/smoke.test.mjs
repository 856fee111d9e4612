// node:test wrapper for the browser smoke test (smoke.mjs).
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { test } from "node:test";
import { runSmoke } from "./smoke.mjs";

test("Chromium loads pkg/index.js and lists the machines the simulator holds", { timeout: 120000 }, async () => {
  const r = await runSmoke();
  const ids = (list) => list.map((m) => m.id).sort();
  assert.ok(r.browserMachines.some((m) => m.id === r.createdId && m.name === "browser-smoke"),
    `the browser's list lacks the machine created from Node: ${JSON.stringify(r.browserMachines)}`);
  assert.deepEqual(ids(r.browserMachines), ids(r.nodeMachines), "browser and Node see the same machines");
  for (const m of r.browserMachines) assert.equal(typeof m.state, "string");
  assert.equal(r.browserSigner, "webcrypto", "Chromium has crypto.subtle, so the auto signer uses it");
  assert.equal(r.devtoolsImport.sameModule, true, "await import() in the console reuses the loaded module");
  assert.deepEqual(r.consoleMessages.filter((c) => /^(error|pageerror|warning)/.test(c)), [],
    "no errors or warnings in the page (a wrong wasm MIME type would warn)");
  assert.ok(statSync(r.screenshot).size > 1000, "a screenshot was saved");
});
