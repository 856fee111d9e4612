// smartdc-wasm entry for Node `import`. Re-exports the CommonJS entry so that `import` and
// `require` in one process share a single wasm instance (no dual-package hazard).
export * from "./index.node.cjs";
