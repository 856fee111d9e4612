"use strict";
// smartdc-wasm entry for Node `require` (and, through index.node.mjs, Node `import`).
// The nodejs glue loads the .wasm synchronously (readFileSync + new WebAssembly.Module), so
// there is nothing to await, and `import` and `require` share this one instance.

// Why: wasm-bindgen classes keep only a pointer as own property, so util.inspect and
// console.log would print `DataCenter { __wbg_ptr: 1114144 }`.
// Show `ClassName { ...toJSON() }` instead; toJSON never contains key material.
// Kept in step with the same function in index.js (that file must stay an ES module).
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
showFieldsWhenInspected(require("./smartdc_wasm.node.cjs"));
// Node-only features (DataCenter.fromEnv/fromProfile, agentSigner) replace the wasm's stubs,
// which reject with NotSupported in browsers.
require("./node/config.cjs").install(require("./smartdc_wasm.node.cjs"));

// Written as a direct `module.exports = require(…)` so Node's CommonJS export detection
// (cjs-module-lexer) sees every named export and index.node.mjs can re-export them.
module.exports = require("./smartdc_wasm.node.cjs");

// The KeyStore (keystore.js) is an ES module, which CommonJS reaches only through import(). It
// needs IndexedDB, so in plain Node `KeyStore.open()` rejects with code NotSupported.
module.exports.KeyStore = class KeyStore {
  static async open(options) {
    const { createKeyStore } = await import("./keystore.js");
    return createKeyStore(module.exports).open(options);
  }
};
