// smartdc-wasm entry for browsers, bundlers and the devtools console (`await import(url)`).
// It is the wasm-bindgen `--target web` glue, instantiated before the module finishes loading.
import __wbg_init, * as glue from "./smartdc_wasm.js";

export * from "./smartdc_wasm.js";
import { createKeyStore } from "./keystore.js";

/** Browser storage for SSH keys as non-extractable CryptoKeys in IndexedDB (keystore.js). */
export const KeyStore = createKeyStore(glue);

// Why top-level await: the web glue must instantiate the .wasm asynchronously before any class
// works. Awaiting it here means `new DataCenter(opts)` works straight after the import, with no
// init() call asked of the user. Every place this entry is meant for supports it (browsers,
// `await import()` in devtools, ES2022 bundler targets). Node never loads this file through the
// package's `exports` map: it gets the synchronous nodejs glue (index.node.cjs / index.node.mjs).
// The URL is spelled out here, not left to the glue's default, so bundlers see
// `new URL("…", import.meta.url)` in the entry itself and emit the .wasm as an asset.
await __wbg_init({ module_or_path: new URL("./smartdc_wasm_bg.wasm", import.meta.url) });

// Why: wasm-bindgen classes keep only a pointer as own property, so consoles that honour
// Node's inspect hook (Node, Deno, Bun) would print `DataCenter { __wbg_ptr: 1114144 }`.
// Show `ClassName { ...toJSON() }` instead; toJSON never contains key material.
// Kept in step with the same function in index.node.cjs (that file must stay CommonJS).
function showFieldsWhenInspected(classes) {
  for (const name of ["DataCenter", "Machine", "Snapshot"]) {
    const cls = classes[name];
    if (typeof cls !== "function" || typeof cls.prototype.toJSON !== "function") continue;
    const View = { [name]: class {} }[name];
    cls.prototype[Symbol.for("nodejs.util.inspect.custom")] = function () {
      return Object.assign(new View(), this.toJSON());
    };
  }
}
showFieldsWhenInspected(glue);

// Why: Chromium's console previews only own properties, which for these classes is the pointer,
// and getters on the prototype are not evaluated. DevTools' custom formatters (Settings →
// Console → "Custom formatters", the hook Immutable.js and Vue use) print them as
// `Machine {id, name, state, …}` from toJSON() instead, expandable to every field; toJSON never
// contains key material. Without the setting this does nothing.
function showFieldsInDevtools(classes) {
  const ours = ["DataCenter", "Machine", "Snapshot"].map((n) => classes[n]).filter((c) => typeof c === "function");
  const mine = (v) => v !== null && typeof v === "object" && ours.some((c) => v instanceof c) && v.__wbg_ptr !== 0;
  const show = (v) => (typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? `[${v.length}]` : v !== null && typeof v === "object" ? "{…}" : String(v));
  const formatter = {
    header(v) {
      if (!mine(v)) return null;
      const fields = Object.entries(v.toJSON()).map(([k, x]) => `${k}: ${show(x)}`).join(", ");
      return ["span", {}, `${v.constructor.name} {${fields.length > 240 ? `${fields.slice(0, 240)}…` : fields}}`];
    },
    hasBody: (v) => mine(v),
    body(v) {
      const rows = Object.entries(v.toJSON()).map(([k, x]) => ["li", {}, `${k}: `, ["object", { object: x }]]);
      return ["ol", { style: "list-style-type:none;padding-left:1em;margin:0" }, ...rows];
    },
  };
  globalThis.devtoolsFormatters = [...(globalThis.devtoolsFormatters ?? []), formatter];
}
showFieldsInDevtools(glue);
