// The built package's shape: the published manifest, the tarball's files, Node's resolution of
// `import` and `require` (one shared instance), and its types as ESM, CommonJS and browser
// consumers see them (tsc over consumer.mts / consumer.cts / browser.ts).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test, before } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..");
const PKG = join(ROOT, "pkg");
const TSC = join(ROOT, "tests", "node_modules", ".bin", "tsc");
const manifest = () => JSON.parse(readFileSync(join(PKG, "package.json"), "utf8"));

before(() => {
  assert.ok(existsSync(join(PKG, "package.json")), "pkg/ is not built: run pkg-template/build");
  // Consumers here resolve `smartdc-wasm` through node_modules, as an installed package would.
  const link = join(HERE, "node_modules", "smartdc-wasm");
  rmSync(link, { force: true });
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(PKG, link);
});

test("the published package.json: name, version from Cargo.toml, zero dependencies, exports map", () => {
  const m = manifest();
  const cargoVersion = readFileSync(join(ROOT, "Cargo.toml"), "utf8").match(/^version\s*=\s*"([^"]+)"/m)[1];
  assert.equal(m.name, "smartdc-wasm");
  assert.equal(m.version, cargoVersion);
  assert.equal(m.type, "module");
  assert.equal(m.license, "MIT");
  assert.equal(m.engines.node, ">=20");
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies", "private", "scripts"]) {
    assert.equal(m[field], undefined, `${field} must not be published`);
  }
  const dot = m.exports["."];
  assert.deepEqual(dot.node.import, { types: "./index.d.ts", default: "./index.node.mjs" });
  assert.deepEqual(dot.node.require, { types: "./index.node.d.cts", default: "./index.node.cjs" });
  assert.equal(dot.browser, "./index.js");
  assert.equal(dot.default, "./index.js");
  assert.equal(m.exports["./smartdc_wasm_bg.wasm"], "./smartdc_wasm_bg.wasm");
  assert.ok(m.sideEffects.includes("./index.js"), "the browser entry instantiates the wasm: not side-effect free");
  for (const f of [m.main, m.module, m.types, ...m.files]) assert.ok(existsSync(join(PKG, f)), `${f} is listed but missing`);
});

test("npm pack ships exactly the listed files, with README and LICENSE", () => {
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: PKG, encoding: "utf8" }));
  const shipped = packed.files.map((f) => f.path).sort();
  assert.deepEqual(shipped, [...manifest().files, "LICENSE", "README.md", "package.json"].sort());
  const license = readFileSync(join(PKG, "LICENSE"), "utf8");
  assert.match(license, /MIT License/);
  assert.match(license, /Copyright \(c\) 2026 smartdc-wasm contributors/);
});

test("Node: import and require resolve to the node entries and share one wasm instance", () => {
  const script = `
    import { createRequire } from "node:module";
    import * as esm from "smartdc-wasm";
    const require = createRequire(import.meta.url);
    const cjs = require("smartdc-wasm");
    console.log(JSON.stringify({
      importUrl: import.meta.resolve("smartdc-wasm"),
      requirePath: require.resolve("smartdc-wasm"),
      same: esm.DataCenter === cjs.DataCenter && esm.Machine === cjs.Machine,
      names: Object.keys(esm).sort(),
    }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: HERE, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.match(out.importUrl, /\/index\.node\.mjs$/);
  assert.match(out.requirePath, /\/index\.node\.cjs$/);
  assert.equal(out.same, true, "import and require must share the classes of one instance");
  assert.ok(out.names.includes("DataCenter") && out.names.includes("Machine"), `exports: ${out.names}`);
});

function tsc(project) {
  const r = spawnSync(TSC, ["-p", join(HERE, project)], { cwd: HERE, encoding: "utf8" });
  assert.equal(r.status, 0, `tsc -p ${project}:\n${r.stdout}${r.stderr}`);
}

test("types: ESM and CommonJS consumers (node16 resolution, @types/node) type-check", () => tsc("tsconfig.node.json"));

test("types: a browser/bundler consumer (DOM lib, no @types/node) type-checks", () => tsc("tsconfig.browser.json"));

test("models: generated from the Rust models; a Rust type without a TypeScript form fails the build", async () => {
  const { generateModels } = await import(pathToFileURL(join(ROOT, "pkg-template", "models.mjs")).href);
  const dir = mkdtempSync(join(tmpdir(), "smartdc-models-"));
  try {
    const model = (field) => `/// A thing.\n#[derive(Serialize, Deserialize)]\npub struct Thing {\n    /// Its id.\n    pub id: String,\n${field}}\n`;
    writeFileSync(join(dir, "thing.rs"), model("    /// When.\n    pub when: Option<Vec<u64>>,\n    #[serde(flatten)]\n    pub extra: Extra,\n"));
    const ts = generateModels(dir);
    assert.match(ts, /\/\*\* A thing\. \*\/\nexport interface Thing \{\n  \/\*\* Its id\. \*\/\n  id: string;\n  \/\*\* When\. \*\/\n  when\?: number\[\];\n/);
    assert.match(ts, /\[field: string\]: unknown;/);
    writeFileSync(join(dir, "thing.rs"), model("    /// A clock.\n    pub clock: std::time::Instant,\n"));
    assert.throws(() => generateModels(dir), /thing\.rs Thing\.clock: no TypeScript for the Rust type std::time::Instant/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
