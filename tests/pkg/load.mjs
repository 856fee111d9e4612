// Loads the BUILT package (pkg/, or $SMARTDC_PKG_DIR) through the entry Node would pick for
// `import` or `require` (chosen by $SMARTDC_ENTRY, set by the two *.test.mjs wrappers), so the
// same suites run against index.node.mjs and index.node.cjs.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, "..", "..");
export const PKG_DIR = path.resolve(process.env.SMARTDC_PKG_DIR || path.join(REPO, "pkg"));
export const ENTRY = process.env.SMARTDC_ENTRY || "import";

/** The package's exports, loaded as `import` or `require` would load them. */
export async function loadPackage() {
  const manifest = path.join(PKG_DIR, "package.json");
  if (!fs.existsSync(manifest)) {
    throw new Error(`no built package at ${PKG_DIR}; run pkg-template/build first`);
  }
  const { name, exports } = JSON.parse(fs.readFileSync(manifest, "utf8"));
  if (ENTRY === "require") {
    // Self-reference by name from inside the package: resolved through its `exports` map
    // with the "require" condition, exactly as a dependent's require() would be.
    const req = createRequire(manifest);
    const file = req.resolve(name);
    const expected = path.join(PKG_DIR, exports["."].node.require.default);
    if (file !== expected) throw new Error(`require resolved ${file}, expected ${expected}`);
    return req(name);
  }
  if (ENTRY === "import") {
    const file = path.join(PKG_DIR, exports["."].node.import.default);
    return import(pathToFileURL(file).href);
  }
  throw new Error(`SMARTDC_ENTRY must be "import" or "require", got ${JSON.stringify(ENTRY)}`);
}
