// The package's WebAssembly.Memory, for memory checks, without a debug export: records the
// exports of every WebAssembly.Instance created after this module loads. Import it BEFORE the
// package (the Node glue instantiates synchronously with `new WebAssembly.Instance`).
const instances = [];
const Original = WebAssembly.Instance;
WebAssembly.Instance = function Instance(module, imports) {
  const instance = new Original(module, imports);
  instances.push(instance);
  return instance;
};
WebAssembly.Instance.prototype = Original.prototype;

/** Bytes of the package's linear memory (the last instance with a memory export). */
export function wasmMemoryBytes() {
  for (let i = instances.length - 1; i >= 0; i--) {
    const m = Object.values(instances[i].exports).find((v) => v instanceof WebAssembly.Memory);
    if (m) return m.buffer.byteLength;
  }
  throw new Error("no WebAssembly.Memory seen: import wasm-memory.mjs before the package");
}
