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
