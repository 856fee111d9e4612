// A tiny static file server for browser tests and the devtools page: serves whole directories
// under URL prefixes, with the MIME types the package needs (application/wasm lets the web glue
// use WebAssembly.instantiateStreaming instead of warning and falling back).
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".ts": "text/plain; charset=utf-8",
};

/**
 * Serve `mounts` ({ "/pkg/": "/abs/dir", "/": "/abs/www" }) on 127.0.0.1.
 * Resolves to { url, close() }; `url` ends without a slash.
 */
export async function serveStatic(mounts, { port = 0, host = "127.0.0.1" } = {}) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const prefix = prefixes.find((p) => path.startsWith(p));
    const root = prefix && mounts[prefix];
    let file = root && normalize(join(root, path.slice(prefix.length)));
    if (!file || (file !== root && !file.startsWith(root + sep))) return send(res, 404, "not found");
    try {
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      send(res, 404, "not found");
    }
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const { port: bound } = server.address();
  return {
    url: `http://${host}:${bound}`,
    // Why closeAllConnections: a browser that stays open keeps idle keep-alive sockets, and
    // close() alone would wait for them to time out (about 100 s with Chromium).
    close: () => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    }),
  };
}

function send(res, status, text) {
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(text);
}

// `node tests/browser/static.mjs [--port 8080]`: serve www/ at / and the built package at /pkg/
// (open /devtools.html).
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const { values } = parseArgs({ options: { port: { type: "string", default: "8080" } } });
  const { url } = await serveStatic({ "/pkg/": join(root, "pkg"), "/": join(root, "www") }, { port: Number(values.port) });
  console.log(`serving www/ and pkg/ at ${url}/ (devtools page: ${url}/devtools.html); Ctrl-C stops`);
}
