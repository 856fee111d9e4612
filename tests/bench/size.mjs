// Benchmark 5 (prints tables; never passes or fails): what the package weighs — the .wasm and
// the glue raw / gzip -9 / brotli 11, the npm tarball and its installed size, next to node-triton's
// install (tests/peer/node_modules: packages and bytes) — plus where the .wasm's code goes, by
// crate, read from the name section of a -g rebuild of the shipped .wasm (~30 s of wasm-opt).
//   node tests/bench/size.mjs
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { environment, PEER, ROOT, table } from "./lib/common.mjs";

const PKG = join(ROOT, "pkg");
// The wasm-opt feature flags of pkg-template/build.
const FEATURES = ["--enable-bulk-memory", "--enable-reference-types", "--enable-sign-ext", "--enable-mutable-globals", "--enable-nontrapping-float-to-int", "--enable-multivalue"];
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const sizes = (b) => ({ raw: b.length, gz: gzipSync(b, { level: 9 }).length, br: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length });

console.log(`## 5. Size — ${environment()}`);
// A browser loads the .wasm and the ES modules at the package root; Node loads the .cjs files.
const files = readdirSync(PKG, { recursive: true }).map(String).filter((f) => /\.(wasm|js|cjs|mjs)$/.test(f)).sort();
const browser = files.filter((f) => f.endsWith(".wasm") || /^[^/]+\.js$/.test(f));
const node = files.filter((f) => f.endsWith(".wasm") || /^(index\.node|smartdc_wasm\.node)\.(cjs|mjs)$/.test(f));
const rows = [];
const total = (list) => list.reduce((a, f) => {
  const s = sizes(readFileSync(join(PKG, f)));
  return { raw: a.raw + s.raw, gz: a.gz + s.gz, br: a.br + s.br };
}, { raw: 0, gz: 0, br: 0 });
for (const f of files) {
  const s = sizes(readFileSync(join(PKG, f)));
  rows.push([f, kb(s.raw), kb(s.gz), kb(s.br)]);
}
for (const [name, list] of [["what a browser loads", browser], ["what Node loads", node]]) {
  const s = total(list);
  rows.push([`= ${name}`, kb(s.raw), kb(s.gz), kb(s.br)]);
}
table(["file (pkg/)", "raw", "gzip -9", "brotli"], rows);

const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: PKG, encoding: "utf8" }));
/** Packages (directories with a package.json that names them) and bytes under a node_modules. */
function install(dir) {
  let packages = 0;
  let bytes = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        bytes += statSync(p).size;
        if (e.name === "package.json" && /node_modules\/(@[^/]+\/)?[^/]+$/.test(d)) packages++;
      }
    }
  };
  walk(dir);
  return { packages, bytes };
}
console.log("");
const t = existsSync(join(PEER, "node_modules")) ? install(join(PEER, "node_modules")) : null;
table(["install", "tarball (gz)", "installed", "packages"], [
  ["smartdc-wasm (npm pack)", kb(packed.size), kb(packed.unpackedSize), "1 (no dependencies)"],
  t ? ["triton@7.17.0 (tests/peer)", "n/a", `${(t.bytes / 1048576).toFixed(1)} MB`, String(t.packages)] : ["triton (tests/peer not installed)", "", "", ""],
]);
console.log("target: package ≤ 250 KB gzipped in total (the npm tarball)");

// Code bytes per crate of the shipped code: cargo's .wasm (target/) through wasm-bindgen and the
// build's wasm-opt -Oz again, with -g so the name section survives; function bodies by crate.
const wasmPath = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "wasm32-unknown-unknown", "release", "smartdc_wasm.wasm");
const wasmOpt = join(ROOT, "pkg-template", "node_modules", ".bin", "wasm-opt");
if (existsSync(wasmPath) && existsSync(wasmOpt)) {
  const tmp = mkdtempSync(join(tmpdir(), "smartdc-size-"));
  try {
    execFileSync("wasm-bindgen", [wasmPath, "--target", "nodejs", "--out-dir", tmp, "--out-name", "s"]);
    execFileSync(wasmOpt, ["-Oz", "-g", ...FEATURES, join(tmp, "s_bg.wasm"), "-o", join(tmp, "o.wasm")]);
    codeByCrate(readFileSync(join(tmp, "o.wasm")));
  } catch (e) {
    console.log(`(no size breakdown: ${e.message.split("\n")[0]})`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function codeByCrate(b) {
  let pos = 8;
  const leb = () => {
    let r = 0;
    let shift = 0;
    for (;;) {
      const byte = b[pos++];
      r += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) return r;
    }
  };
  const bodies = [];
  const names = new Map();
  const other = new Map();
  let imported = 0;
  while (pos < b.length) {
    const id = b[pos++];
    const size = leb();
    const end = pos + size;
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        for (let k = 0; k < 2; k++) {
          const len = leb(); // module, then field name
          pos += len;
        }
        const kind = b[pos++];
        if (kind === 0) {
          leb();
          imported++;
        } else if (kind === 1 || kind === 2) {
          if (kind === 1) pos++; // reftype
          const flags = leb();
          leb();
          if (flags & 1) leb();
        } else if (kind === 3) pos += 2;
        else {
          pos++;
          leb();
        }
      }
    } else if (id === 10) {
      for (let n = leb(); n > 0; n--) {
        const len = leb();
        bodies.push(len);
        pos += len;
      }
    } else if (id === 0) {
      const nameLen = leb();
      const name = b.subarray(pos, pos + nameLen).toString();
      pos += nameLen;
      if (name !== "name") other.set(`custom ${name}`, size);
      while (name === "name" && pos < end) {
        const sub = b[pos++];
        const subEnd = leb() + pos;
        if (sub === 1) {
          for (let n = leb(); n > 0; n--) {
            const idx = leb();
            const l = leb();
            names.set(idx, b.subarray(pos, pos + l).toString());
            pos += l;
          }
        }
        pos = subEnd;
      }
    } else other.set(["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data"][id] ?? `section ${id}`, size);
    pos = end;
  }
  const byCrate = new Map();
  bodies.forEach((len, i) => {
    // Legacy-mangled (`_ZN<len><ident>…`): the first path segment, or inside `<impl X as Y>`
    // the first path in it; unmangled names (`foo::bar`, wasm-bindgen shims) likewise.
    const n = names.get(i + imported) ?? "";
    const mangled = /^_ZN(\d+)/.exec(n);
    const head = mangled ? n.substr(mangled[0].length, Number(mangled[1])) : n;
    const crate = /([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?(?:::|\.\.)/.exec(head)?.[1] ?? (mangled ? head : n.split(/[^A-Za-z0-9_]/)[0] || "(unnamed)");
    byCrate.set(crate, (byCrate.get(crate) ?? 0) + len);
  });
  const code = bodies.reduce((a, x) => a + x, 0);
  console.log(`\nwhere the shipped .wasm goes (wasm-opt -Oz -g of target/…/smartdc_wasm.wasm): code ${kb(code)} in ${bodies.length} functions, ${[...other].filter(([k]) => !k.startsWith("custom")).map(([k, v]) => `${k} ${kb(v)}`).join(", ")}`);
  console.log("code by crate (generic code counts for the crate defining it), top 20:");
  table(["crate", "code", "share"], [...byCrate].sort((x, y) => y[1] - x[1]).slice(0, 20).map(([c, n]) => [c, kb(n), `${((100 * n) / code).toFixed(1)}%`]));
}
