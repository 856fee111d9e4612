// Every package suite under one describe that owns the simulator's lifetime; imported by
// ../esm.test.mjs and ../cjs.test.mjs, which choose the entry the package is loaded through.
// Every other *.mjs file here is a suite whose default export registers its tests; shared
// helpers live in lib/. SMARTDC_SUITES=wire,machine-api runs only the named files.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { after, before, describe } from "node:test";
import { ENTRY } from "../load.mjs";
import { startSim, stopSim } from "./lib/fixtures.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NOT_SUITES = new Set(["all.mjs"]);
const only = process.env.SMARTDC_SUITES?.split(",").map((s) => `${s.trim()}.mjs`);
const files = fs
  .readdirSync(HERE)
  .filter((f) => f.endsWith(".mjs") && !NOT_SUITES.has(f) && (!only || only.includes(f)))
  .sort();
if (only && files.length !== only.length) throw new Error(`SMARTDC_SUITES names a missing suite: ${only}`);
const suites = [];
for (const f of files) {
  const { default: suite } = await import(pathToFileURL(path.join(HERE, f)).href);
  if (typeof suite !== "function") throw new Error(`${f}: the default export must register a suite`);
  suites.push(suite);
}

describe(`smartdc-wasm package through ${ENTRY}`, () => {
  before(startSim);
  after(stopSim);
  for (const suite of suites) suite();
});
