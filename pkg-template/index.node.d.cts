// Types of smartdc-wasm for CommonJS consumers (Node `require`); a `.d.ts` in a
// `"type": "module"` package would be read as ESM types and fail with TS1479.
export * from "./smartdc_wasm.node.cjs";
