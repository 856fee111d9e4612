// Assembles pkg/ from wasm-bindgen's output and the files in pkg-template/, writes the published
// package.json, and prints sizes. Called by pkg-template/build; not shipped.
import { readFileSync, writeFileSync, copyFileSync, mkdirSync, rmSync, renameSync, readdirSync, existsSync, statSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { execFileSync } from "node:child_process";
import { generateModels } from "./models.mjs";

const { values: args } = parseArgs({
  options: { root: { type: "string" }, bindgen: { type: "string" }, out: { type: "string" } },
});
const template = join(args.root, "pkg-template");
// Assembled next to pkg/ in target/ (ignored, same filesystem) and renamed into place, so a
// failed build never leaves a half-written pkg/ or stray files at the top level.
const staging = join(args.root, "target", `pkg-staging-${process.pid}`);
const NAME = "smartdc_wasm";

function cargoPackageField(field) {
  const toml = readFileSync(join(args.root, "Cargo.toml"), "utf8");
  const section = toml.split(/^\[/m).find((s) => s.startsWith("package]")) ?? "";
  const m = section.match(new RegExp(`^${field}\\s*=\\s*"([^"]*)"`, "m"));
  if (!m) throw new Error(`Cargo.toml [package] has no ${field}`);
  return m[1];
}

// Fail here rather than ship glue that looks for a file the package does not contain.
function mustMention(text, what, file) {
  if (!text.includes(what)) throw new Error(`${file} no longer mentions ${what}; the package layout needs updating`);
  return text;
}

rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
process.on("exit", () => rmSync(staging, { recursive: true, force: true }));
const put = (name, text) => writeFileSync(join(staging, name), text);

copyFileSync(join(args.bindgen, `${NAME}_bg.wasm`), join(staging, `${NAME}_bg.wasm`));
put(`${NAME}.js`, mustMention(readFileSync(join(args.bindgen, "web", `${NAME}.js`), "utf8"), `${NAME}_bg.wasm`, "the web glue"));
put(`${NAME}.node.cjs`, mustMention(readFileSync(join(args.bindgen, "nodejs", `${NAME}.js`), "utf8"), `\${__dirname}/${NAME}_bg.wasm`, "the nodejs glue"));
// The nodejs target's declarations need no DOM lib, so they are the public types for every entry;
// the CloudAPI models they name are generated from the Rust models (see models.mjs).
const types = readFileSync(join(args.bindgen, "nodejs", `${NAME}.d.ts`), "utf8") + generateModels(join(args.root, "src", "api"));
put(`${NAME}.d.ts`, types);
put(`${NAME}.node.d.cts`, types);

// Everything else in pkg-template/ ships as it is (entries, keystore.js, node/, relay, bin/),
// except the build's own tooling.
const TOOLING = new Set(["build", "build.mjs", "models.mjs", "tools.sh", "package.json", "package-lock.json", "README.md", "node_modules"]);
const templateFiles = readdirSync(template, { recursive: true }).map(String)
  .filter((f) => !TOOLING.has(f.split(sep)[0]) && statSync(join(template, f)).isFile())
  .map((f) => f.split(sep).join("/"))
  .sort();
for (const f of templateFiles) {
  mkdirSync(dirname(join(staging, f)), { recursive: true });
  copyFileSync(join(template, f), join(staging, f));
}
const readme = existsSync(join(template, "README.md")) ? join(template, "README.md") : join(args.root, "README.md");
copyFileSync(readme, join(staging, "README.md"));
copyFileSync(join(args.root, "LICENSE"), join(staging, "LICENSE"));

// The published manifest: the template's descriptive fields, the crate's version, no tooling.
const { private: _private, devDependencies: _dev, version: _v, ...meta } = JSON.parse(readFileSync(join(template, "package.json"), "utf8"));
const files = [...templateFiles, `${NAME}.js`, `${NAME}.node.cjs`, `${NAME}.d.ts`, `${NAME}.node.d.cts`, `${NAME}_bg.wasm`];
const manifest = {
  ...meta,
  version: cargoPackageField("version"),
  repository: { type: "git", url: `git+${cargoPackageField("repository")}.git` },
  main: "./index.node.cjs",
  module: "./index.js",
  types: "./index.d.ts",
  exports: {
    ".": {
      node: {
        import: { types: "./index.d.ts", default: "./index.node.mjs" },
        require: { types: "./index.node.d.cts", default: "./index.node.cjs" },
      },
      types: "./index.d.ts",
      browser: "./index.js",
      default: "./index.js",
    },
    "./relay": { types: "./relay.d.ts", node: "./relay.mjs" },
    [`./${NAME}_bg.wasm`]: `./${NAME}_bg.wasm`,
    "./package.json": "./package.json",
  },
  // The entries instantiate the wasm and install inspect hooks when evaluated, and the nodejs
  // glue instantiates on load: a bundler must never drop them. The web glue only defines things.
  sideEffects: ["./index.js", "./index.node.cjs", "./index.node.mjs", `./${NAME}.node.cjs`],
  files,
};
if (manifest.dependencies || manifest.peerDependencies) throw new Error("the published package must have no runtime dependencies");
put("package.json", `${JSON.stringify(manifest, null, 2)}\n`);

rmSync(args.out, { recursive: true, force: true });
renameSync(staging, args.out);

// Sizes of what users download.
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const rows = readdirSync(args.out, { recursive: true }).filter((f) => statSync(join(args.out, f)).isFile()).sort().map((f) => {
  const data = readFileSync(join(args.out, f));
  const gz = gzipSync(data, { level: 9 }).length;
  const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  return { f, raw: data.length, gz, br };
});
const pad = (s, n) => String(s).padStart(n);
console.log(`${"file".padEnd(26)}${pad("raw", 11)}${pad("gzip -9", 11)}${pad("brotli", 11)}`);
for (const r of rows) console.log(`${r.f.padEnd(26)}${pad(kb(r.raw), 11)}${pad(kb(r.gz), 11)}${pad(kb(r.br), 11)}`);
const sum = (k) => rows.reduce((a, r) => a + r[k], 0);
console.log(`${"total".padEnd(26)}${pad(kb(sum("raw")), 11)}${pad(kb(sum("gz")), 11)}${pad(kb(sum("br")), 11)}`);
const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: args.out, encoding: "utf8" }));
console.log(`npm tarball: ${kb(packed.size)} (gzipped), ${kb(packed.unpackedSize)} unpacked, ${packed.entryCount} files`);
const LIMIT = 250 * 1024;
if (packed.size > LIMIT) console.log(`warning: the package is over the ${kb(LIMIT)} gzipped budget`);
console.log(`built ${args.out} (${manifest.name}@${manifest.version})`);
