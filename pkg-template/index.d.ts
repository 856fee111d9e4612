// Types of smartdc-wasm for ES module consumers (Node `import`, browsers, bundlers).
// The declarations come from the nodejs target, which needs no DOM lib.
export * from "./smartdc_wasm.js";
