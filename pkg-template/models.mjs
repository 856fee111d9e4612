// Generates the TypeScript declarations of CloudAPI's models from the Rust models in src/api/:
// every `pub struct` deriving serde's Serialize or Deserialize becomes an interface, its `///`
// lines become JSDoc, and its serde attributes decide the wire names. Nothing is written by
// hand, so the types cannot drift from what the crate decodes and accepts. Run by build.mjs
// (and by tests/packaging); not shipped.
//
// Markers, in a `///` line of the Rust item:
//   TypeScript: `Name`   on a struct: its interface name (when the Rust name is taken in JS)
//   TypeScript: `T`      on a `pub type X = Json;` alias or a field: the declared type; on a
//                        `pub const X: &[&str]` list: the name of its union type
// A field whose doc says "One of [`LIST`]" gets that list's union type.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const PRIMITIVES = new Map([
  ["String", "string"], ["str", "string"], ["bool", "boolean"], ["char", "string"],
  ["u8", "number"], ["u16", "number"], ["u32", "number"], ["u64", "number"], ["usize", "number"],
  ["i8", "number"], ["i16", "number"], ["i32", "number"], ["i64", "number"], ["isize", "number"],
  ["f32", "number"], ["f64", "number"],
  ["Json", "unknown"],
]);

/** The TypeScript name given by a `TypeScript: \`…\`` doc line, if any. */
function marker(docs) {
  for (const d of docs) {
    const m = d.match(/^TypeScript: `([^`]+)`/);
    if (m) return m[1];
  }
  return undefined;
}

/** `///` lines without the marker, as one JSDoc comment indented by `indent`. */
function jsdoc(docs, indent) {
  const lines = docs.filter((d) => !d.startsWith("TypeScript: `"))
    .map((d) => d.replace(/\[`([^`]+)`\]/g, "`$1`").replace(/\*\//g, "*\\/"));
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  if (!lines.length) return "";
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join("\n")}\n${indent} */\n`;
}

/** Splits `A, B<C, D>` at top-level commas. */
function splitTop(s) {
  const out = [];
  let depth = 0, cur = "";
  for (const ch of s) {
    if (ch === "<") depth++;
    if (ch === ">") depth--;
    if (ch === "," && depth === 0) { out.push(cur.trim()); cur = ""; } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Reads every item of interest from one Rust source file. */
function parseFile(text, file) {
  const items = [];
  const lines = text.split("\n");
  let docs = [], attrs = [], attr = null, depthAttr = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const t = line.trim();
    if (attr !== null) {
      attr += ` ${t}`;
      depthAttr += (t.match(/\[/g) || []).length - (t.match(/\]/g) || []).length;
      if (depthAttr <= 0) { attrs.push(attr); attr = null; }
      continue;
    }
    if (line.startsWith("///")) { docs.push(line.replace(/^\/\/\/ ?/, "")); continue; }
    if (line.startsWith("#[")) {
      depthAttr = (t.match(/\[/g) || []).length - (t.match(/\]/g) || []).length;
      if (depthAttr <= 0) attrs.push(t); else attr = t;
      continue;
    }
    let m;
    if ((m = line.match(/^pub struct (\w+) \{$/))) {
      const fields = [];
      let fdocs = [], fattrs = [], fattr = null, fdepth = 0, pending = "";
      for (i++; i < lines.length && lines[i] !== "}"; i++) {
        const ft = lines[i].trim();
        if (fattr !== null) {
          fattr += ` ${ft}`;
          fdepth += (ft.match(/\[/g) || []).length - (ft.match(/\]/g) || []).length;
          if (fdepth <= 0) { fattrs.push(fattr); fattr = null; }
          continue;
        }
        if (ft.startsWith("///")) { fdocs.push(ft.replace(/^\/\/\/ ?/, "")); continue; }
        if (ft.startsWith("#[")) {
          fdepth = (ft.match(/\[/g) || []).length - (ft.match(/\]/g) || []).length;
          if (fdepth <= 0) fattrs.push(ft); else fattr = ft;
          continue;
        }
        if (!ft || ft.startsWith("//")) continue;
        pending += ` ${ft}`;
        if (!pending.trim().endsWith(",")) continue;
        const fm = pending.trim().match(/^pub (\w+): (.+),$/);
        if (!fm) throw new Error(`${file}:${i + 1}: cannot read field ${JSON.stringify(pending.trim())} of ${m[1]}`);
        fields.push({ name: fm[1], type: fm[2], docs: fdocs, attrs: fattrs });
        fdocs = []; fattrs = []; pending = "";
      }
      items.push({ kind: "struct", name: m[1], docs, attrs, fields, file });
    } else if ((m = line.match(/^pub type (\w+) = (.+);$/))) {
      items.push({ kind: "alias", name: m[1], target: m[2], docs, file });
    } else if ((m = line.match(/^pub const (\w+): &\[&str\] = &\[(.*)$/))) {
      let body = m[2];
      while (!body.includes("];") && i + 1 < lines.length) body += lines[++i];
      const values = [...body.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((v) => v[1]);
      items.push({ kind: "list", name: m[1], values, docs, file });
    }
    if (t && !t.startsWith("//")) { docs = []; attrs = []; }
  }
  return items;
}

/** The `key = "value"` and bare words of the `#[serde(…)]` attributes in `attrs`. */
function serdeArgs(attrs) {
  const words = new Set(), values = new Map(), aliases = [];
  for (const a of attrs) {
    const m = a.match(/^#\[serde\((.*)\)\]$/);
    if (!m) continue;
    for (const part of splitTop(m[1])) {
      const kv = part.match(/^(\w+)\s*=\s*"([^"]*)"$/);
      if (!kv) words.add(part);
      else if (kv[1] === "alias") aliases.push(kv[2]);
      else values.set(kv[1], kv[2]);
    }
  }
  return { words, values, aliases };
}

function derives(attrs) {
  return attrs.filter((a) => a.startsWith("#[derive(")).join(" ");
}

/** The declarations for every serde model under `srcDir` (src/api). */
export function generateModels(srcDir) {
  const files = readdirSync(srcDir).filter((f) => f.endsWith(".rs")).sort();
  const items = files.flatMap((f) => parseFile(readFileSync(join(srcDir, f), "utf8"), `src/api/${f}`));
  const structs = items.filter((it) => it.kind === "struct" && /\b(Serialize|Deserialize)\b/.test(derives(it.attrs)));
  const tsName = new Map(structs.map((s) => [s.name, marker(s.docs) ?? s.name]));
  const aliases = new Map(items.filter((it) => it.kind === "alias" && marker(it.docs)).map((a) => [a.name, a]));
  const lists = new Map(items.filter((it) => it.kind === "list").map((l) => [l.name, l]));
  const usedLists = new Set();
  const seen = new Map();
  for (const s of structs) {
    const n = tsName.get(s.name);
    if (seen.has(n)) throw new Error(`${s.file}: ${s.name} and ${seen.get(n)} would both be TypeScript ${n}; add a TypeScript: marker`);
    seen.set(n, `${s.file} ${s.name}`);
  }

  const union = (list) => list.values.map((v) => JSON.stringify(v)).join(" | ");
  function ts(rust, where) {
    const t = rust.replace(/\s+/g, " ").trim();
    const g = t.match(/^(\w+)<(.+)>$/);
    if (g) {
      const args = splitTop(g[2]);
      if (g[1] === "Option" || g[1] === "Box") return ts(args[0], where);
      if (g[1] === "Vec") {
        const inner = ts(args[0], where);
        return /[ |&]/.test(inner) ? `(${inner})[]` : `${inner}[]`;
      }
      if ((g[1] === "BTreeMap" || g[1] === "HashMap") && args.length === 2) return `Record<string, ${ts(args[1], where)}>`;
    }
    if (PRIMITIVES.has(t)) return PRIMITIVES.get(t);
    if (tsName.has(t)) return tsName.get(t);
    if (aliases.has(t)) return t;
    throw new Error(`${where}: no TypeScript for the Rust type ${t}; derive serde on it or add a TypeScript: marker`);
  }

  let out = "\n// ---- CloudAPI models, generated from src/api/*.rs by pkg-template/models.mjs ----\n";
  for (const [name, a] of aliases) out += `${jsdoc(a.docs, "")}export type ${name} = ${marker(a.docs)};\n`;
  const bodies = [];
  for (const s of structs) {
    const where = `${s.file} ${s.name}`;
    const structSerde = serdeArgs(s.attrs);
    const input = structSerde.words.has("deny_unknown_fields");
    const extendsList = [];
    let index = false;
    let body = "";
    for (const f of s.fields) {
      const fs = serdeArgs(f.attrs);
      if (fs.words.has("skip")) continue;
      if (fs.words.has("flatten")) {
        if (f.type === "Extra") index = true;
        else extendsList.push(ts(f.type, `${where}.${f.name}`));
        continue;
      }
      // A response field may be absent only where the Rust model says Option; an input field
      // may also be left out where serde fills a default.
      const optional = /^Option</.test(f.type) || (input && (fs.words.has("default") || structSerde.words.has("default")));
      const listRef = f.docs.join(" ").match(/One of \[`(\w+)`\]/);
      let type;
      if (marker(f.docs)) {
        type = marker(f.docs);
      } else if (listRef && lists.has(listRef[1])) {
        const list = lists.get(listRef[1]);
        usedLists.add(list.name);
        type = marker(list.docs) ?? `(${union(list)})`;
        if (/^Vec</.test(f.type.replace(/^Option<(.*)>$/, "$1"))) type = `${type.startsWith("(") ? type : `(${type})`}[]`;
      } else {
        type = ts(f.type, `${where}.${f.name}`);
      }
      const wire = fs.values.get("rename") ?? f.name;
      const key = /^[A-Za-z_$][\w$]*$/.test(wire) ? wire : JSON.stringify(wire);
      body += `${jsdoc(f.docs, "  ")}  ${key}${optional ? "?" : ""}: ${type};\n`;
      // Inputs also accept the serde aliases (the seed's and CloudAPI's older names).
      if (input) for (const alias of fs.aliases) body += `  /** Same as \`${wire}\`. */\n  ${alias}?: ${type};\n`;
    }
    if (index) body += "  /** Fields this version of the package does not know yet. */\n  [field: string]: unknown;\n";
    const ext = extendsList.length ? ` extends ${extendsList.join(", ")}` : "";
    bodies.push(`${jsdoc(s.docs, "")}export interface ${tsName.get(s.name)}${ext} {\n${body}}\n`);
  }
  for (const l of lists.values()) {
    const name = marker(l.docs);
    if (name) out += `${jsdoc(l.docs, "")}export type ${name} = ${union(l)};\n`;
  }
  return `${out}${bodies.join("")}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(generateModels(process.argv[2] ?? "src/api"));
}
