// smartdc-wasm/relay (pkg-template/relay.mjs) in front of the local CloudAPI (faithful CORS) and
// in front of fake upstreams that count what reaches them: signed requests pass byte for byte,
// the built package works through it with a path prefix, open-proxy tricks are refused before
// anything is forwarded, logs carry no signatures, static files are served safely.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { startSimulator } from "../sim/index.mjs";
import { generateKey, keyIdFor, rawRequest, rawSocket, selfSignedCert, signHeaders, tempDir, waitFor, REPO_DIR } from "../sim/test/helpers.mjs";

const RELAY_MODULE = path.join(REPO_DIR, "pkg-template", "relay.mjs");
const RELAY_BIN = path.join(REPO_DIR, "pkg-template", "bin", "smartdc-relay.mjs");
const { startRelay } = await import(pathToFileURL(RELAY_MODULE).href);
const MAX_BODY = 64 * 1024;

const tmp = tempDir("relaytest-");
const key = generateKey(tmp.dir, "rsa");
const logs = [];
const log = (line) => logs.push(line);
let sim, relay;

/** A fake CloudAPI that records every request (method, url, headers, body) and answers by path. */
async function fakeUpstream() {
  const seen = [];
  const server = http.createServer((req, res) => {
    // Recorded as soon as the head arrives, so even a request cut off mid-body is counted.
    const entry = { method: req.method, url: req.url, headers: req.headers, body: null };
    seen.push(entry);
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      entry.body = Buffer.concat(chunks).toString("utf8");
      if (req.url.startsWith("/reset")) return req.socket.destroy();
      if (req.url.startsWith("/conflict")) {
        res.writeHead(409, { "content-type": "application/json", "x-request-id": "req-409" });
        return res.end(JSON.stringify({ code: "InvalidState", message: "machine is busy" }));
      }
      if (req.url.startsWith("/cut")) {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
        res.write('{"partial":');
        return setTimeout(() => req.socket.destroy(), 20);
      }
      res.writeHead(200, {
        "content-type": "application/json",
        "set-cookie": "session=upstream-secret",
        "keep-alive": "timeout=5",
        "proxy-authenticate": "Basic",
        connection: "keep-alive, x-hop",
        "x-hop": "dropped",
        "x-custom": "kept",
        "request-id": "req-1",
      });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, seen, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) };
}

/** A server that accepts connections and never answers. */
async function hangingUpstream() {
  const sockets = new Set();
  const server = http.createServer(() => {});
  server.on("connection", (s) => sockets.add(s));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => { server.close(r); for (const s of sockets) s.destroy(); }) };
}

/** A port nothing listens on (bound then released). */
async function deadPort() {
  const server = http.createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

before(async () => {
  sim = await startSimulator({ keys: [key.publicPath], throttle: false, cors: "faithful" });
  const www = path.join(tmp.dir, "www");
  fs.mkdirSync(path.join(www, "sub"), { recursive: true });
  fs.mkdirSync(path.join(www, "empty"));
  fs.writeFileSync(path.join(www, "index.html"), "<!doctype html><title>panel</title>");
  fs.writeFileSync(path.join(www, "app.js"), "export const x = 1;\n");
  fs.writeFileSync(path.join(www, "mod.mjs"), "export default 2;\n");
  fs.writeFileSync(path.join(www, "style.css"), "body{}\n");
  fs.writeFileSync(path.join(www, "module.wasm"), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  fs.writeFileSync(path.join(www, "data.bin"), Buffer.from([1, 2, 3]));
  fs.writeFileSync(path.join(www, ".env"), "SECRET=dotfile");
  fs.writeFileSync(path.join(www, "sub", "index.html"), "<p>sub</p>");
  fs.writeFileSync(path.join(tmp.dir, "outside.txt"), "OUTSIDE-SECRET");
  fs.symlinkSync(path.join(tmp.dir, "outside.txt"), path.join(www, "link.txt"));
  relay = await startRelay({ upstream: sim.url, dir: www, log, maxBodyBytes: MAX_BODY, timeoutMs: 5000 });
});

after(async () => {
  await relay?.close();
  await sim?.close();
  tmp.cleanup();
});

/** A request to the relay signed for the UPSTREAM target (what a browser does). */
function signedViaRelay(method, upstreamTarget, { signTarget = upstreamTarget, body, headers = {} } = {}) {
  const h = signHeaders({
    method,
    target: signTarget,
    key,
    keyId: keyIdFor(sim.account, key.md5),
    date: "x-date",
    headers: { accept: "application/json", "accept-version": "~9", ...headers },
  });
  return { headers: h, res: rawRequest(relay.url, { method, path: `/cloudapi${upstreamTarget}`, headers: h, body }) };
}

describe("forwarding to the local CloudAPI (faithful CORS)", () => {
  test("a request signed for the upstream path succeeds through the relay; one signed for the relay path is refused by CloudAPI", async () => {
    const ok = await signedViaRelay("GET", `/${sim.account}`).res;
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.login, sim.account);
    // Negative control: the simulator really verifies (request-target), so the relay must not
    // have rewritten anything but the prefix.
    const wrong = await signedViaRelay("GET", `/${sim.account}`, { signTarget: `/cloudapi/${sim.account}` }).res;
    assert.equal(wrong.status, 401, wrong.text);
    assert.equal(wrong.json.code, "InvalidCredentials");
  });

  test("query strings pass byte for byte (the signature covers them)", async () => {
    const target = `/${sim.account}/machines?limit=5&name=no%20such%20machine&tag.role=web`;
    const r = await signedViaRelay("GET", target).res;
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, []);
  });

  test("a signed POST with a JSON body goes through and CloudAPI's error comes back unchanged", async () => {
    const r = await signedViaRelay("POST", `/${sim.account}/machines`, { body: { image: "00000000-0000-0000-0000-000000000000", package: "nope" } }).res;
    assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.text}`);
    assert.equal(typeof r.json.code, "string");
    assert.notEqual(r.json.code, "InvalidCredentials", r.text);
    assert.ok(r.headers["request-id"] || r.headers["x-request-id"], "CloudAPI's request id did not come back");
  });
});

test("an https upstream (self-signed, trusted with upstreamCa) is relayed; without the CA → 502", async () => {
  const cert = selfSignedCert(tmp.dir);
  const tlsSim = await startSimulator({ keys: [key.publicPath], throttle: false, tls: { cert: cert.cert, key: cert.key } });
  const trusted = await startRelay({ upstream: tlsSim.url, upstreamCa: cert.certText, log: false });
  const untrusted = await startRelay({ upstream: tlsSim.url, log: false });
  try {
    assert.match(tlsSim.url, /^https:/);
    const h = signHeaders({ method: "GET", target: `/${tlsSim.account}`, key, keyId: keyIdFor(tlsSim.account, key.md5), date: "x-date", headers: { "accept-version": "~9" } });
    const ok = await rawRequest(trusted.url, { path: `/cloudapi/${tlsSim.account}`, headers: h });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.login, tlsSim.account);
    const bad = await rawRequest(untrusted.url, { path: `/cloudapi/${tlsSim.account}`, headers: h });
    assert.equal(bad.status, 502);
    assert.equal(bad.json.code, "BadGateway");
  } finally {
    await Promise.all([trusted.close(), untrusted.close()]);
    await tlsSim.close();
  }
});

describe("the built package through the relay", () => {
  let lib;
  before(async () => {
    if (!fs.existsSync(path.join(REPO_DIR, "pkg", "package.json"))) {
      const b = spawnSync(path.join(REPO_DIR, "pkg-template", "build"), { stdio: "inherit" });
      assert.equal(b.status, 0, "pkg-template/build failed");
    }
    lib = await import(pathToFileURL(path.join(REPO_DIR, "pkg", "index.node.mjs")).href);
  });

  test("DataCenter({ url: relay + /cloudapi }) signs the path without the base URL's path, which is what CloudAPI receives", async () => {
    const calls = [];
    const fetch = (url, init) => {
      calls.push({ url: String(url), headers: { ...init.headers } });
      return globalThis.fetch(url, init);
    };
    const dc = new lib.DataCenter({ url: `${relay.url}/cloudapi`, account: sim.account, privateKey: key.privateText, signer: "rust", fetch });
    const account = await dc.account();
    assert.equal(account.login, sim.account);
    const machines = await dc.machines({ name: "none here" });
    assert.deepEqual(machines.map((m) => m.id), []);
    const packages = await dc.packages();
    assert.ok(packages.length > 0);

    // What the package signed, checked independently of the simulator.
    const first = calls[0];
    assert.equal(first.url, `${relay.url}/cloudapi/${sim.account}`);
    const auth = first.headers.authorization;
    assert.match(auth, /headers="\(request-target\) x-date"/);
    const signature = Buffer.from(/signature="([^"]+)"/.exec(auth)[1], "base64");
    const signedText = (target) => `(request-target): get ${target}\nx-date: ${first.headers["x-date"]}`;
    assert.ok(crypto.verify("sha256", Buffer.from(signedText(`/${sim.account}`)), key.publicKey, signature), "package did not sign the upstream path");
    assert.ok(!crypto.verify("sha256", Buffer.from(signedText(`/cloudapi/${sim.account}`)), key.publicKey, signature));
  });

  test("with the webcrypto signer too, and a machine is created and read back", { timeout: 20_000 }, async () => {
    const dc = new lib.DataCenter({ url: `${relay.url}/cloudapi`, account: sim.account, privateKey: key.privateText, signer: "webcrypto" });
    const images = await dc.images();
    const image = images.find((i) => i.type !== "zvol" && i.state !== "disabled") ?? images[0];
    const pkg = (await dc.packages())[0];
    const m = await dc.createMachine({ name: "via-relay", image: image.id, package: pkg.id ?? pkg.name });
    const running = await m.pollUntil("running", { interval: 20, timeout: 15_000 });
    assert.equal(running.state, "running");
    assert.equal((await dc.machine(m.id)).name, "via-relay");
    await m.delete();
  });
});

describe("not an open proxy (a counting fake upstream)", () => {
  let up, r, hang, hangRelay, deadRelay;
  const upLogs = [];
  before(async () => {
    up = await fakeUpstream();
    r = await startRelay({ upstream: up.url, log: (l) => upLogs.push(l), maxBodyBytes: MAX_BODY, maxHeaderBytes: 8192 });
    hang = await hangingUpstream();
    hangRelay = await startRelay({ upstream: hang.url, log: false, timeoutMs: 400 });
    deadRelay = await startRelay({ upstream: `http://127.0.0.1:${await deadPort()}`, log: false });
  });
  after(async () => {
    await Promise.all([r?.close(), hangRelay?.close(), deadRelay?.close()]);
    await Promise.all([up?.close(), hang?.close()]);
  });

  /** Sends raw bytes and expects a CloudAPI-shaped refusal with `status`, nothing forwarded. */
  async function refusedRaw(bytes, status) {
    const before = up.seen.length;
    const { text } = await rawSocket(r.url, bytes, 2000);
    assert.match(text, new RegExp(`^HTTP/1\\.1 ${status} `), text);
    const body = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4));
    assert.equal(typeof body.code, "string");
    assert.equal(typeof body.message, "string");
    assert.equal(up.seen.length, before, `forwarded: ${JSON.stringify(up.seen.at(-1))}`);
    return body;
  }
  const host = () => `127.0.0.1:${new URL(r.url).port}`;

  test("a plain request passes path, query and allowed headers exactly; hop-by-hop headers and cookies are stripped both ways", async () => {
    const res = await rawRequest(r.url, {
      method: "GET",
      path: "/cloudapi/a/B%20c/%7Ex;p?x=1&y=%2F&z=a+b&z=2&e=",
      headers: {
        authorization: "Signature keyId=\"/u/keys/k\",algorithm=\"rsa-sha256\",headers=\"x-date\",signature=\"c2ln\"",
        "x-date": "Thu, 26 Nov 2026 23:00:00 GMT",
        accept: "application/json",
        "accept-version": "~9",
        "role-tag": "ops",
        "x-request-id": "abc",
        cookie: "session=browser-secret",
        connection: "keep-alive, x-foo",
        "keep-alive": "timeout=5",
        te: "trailers",
        "proxy-authorization": "Basic eDp5",
        "x-foo": "hop",
        "x-forwarded-for": "1.2.3.4",
        "user-agent": "test",
      },
    });
    assert.equal(res.status, 200, res.text);
    const seen = up.seen.at(-1);
    assert.equal(seen.url, "/a/B%20c/%7Ex;p?x=1&y=%2F&z=a+b&z=2&e=");
    assert.equal(seen.headers.host, new URL(up.url).host);
    // Node's client adds `connection: close` for agent:false; nothing else beyond the allow-list.
    const allowed = ["accept", "accept-version", "authorization", "connection", "host", "role-tag", "x-date", "x-request-id"];
    assert.deepEqual(Object.keys(seen.headers).filter((n) => !allowed.includes(n)), []);
    assert.equal(seen.headers.connection, "close");
    for (const gone of ["cookie", "keep-alive", "te", "proxy-authorization", "x-foo", "x-forwarded-for", "user-agent"]) assert.equal(seen.headers[gone], undefined, gone);
    assert.equal(seen.headers.authorization, "Signature keyId=\"/u/keys/k\",algorithm=\"rsa-sha256\",headers=\"x-date\",signature=\"c2ln\"");
    assert.equal(seen.headers["role-tag"], "ops");
    assert.equal(res.headers["x-custom"], "kept");
    assert.equal(res.headers["request-id"], "req-1");
    for (const gone of ["set-cookie", "proxy-authenticate", "x-hop"]) assert.equal(res.headers[gone], undefined, gone);
    assert.deepEqual(res.json, { ok: true });
  });

  test("upstream statuses and bodies come back unchanged (409 with request id)", async () => {
    const res = await rawRequest(r.url, { method: "POST", path: "/cloudapi/conflict", body: { a: 1 } });
    assert.equal(res.status, 409);
    assert.deepEqual(res.json, { code: "InvalidState", message: "machine is busy" });
    assert.equal(res.headers["x-request-id"], "req-409");
    assert.equal(up.seen.at(-1).body, '{"a":1}');
    assert.equal(up.seen.at(-1).headers["content-length"], "7");
  });

  test("absolute-form targets are refused (another host, and even the upstream itself)", async () => {
    await refusedRaw(`GET http://evil.example/x HTTP/1.1\r\nHost: evil.example\r\n\r\n`, 400);
    await refusedRaw(`GET ${up.url}/cloudapi/x HTTP/1.1\r\nHost: ${host()}\r\n\r\n`, 400);
    await refusedRaw(`OPTIONS * HTTP/1.1\r\nHost: ${host()}\r\n\r\n`, 400);
  });

  test("CONNECT is refused", async () => {
    await refusedRaw(`CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n`, 400);
  });

  test("Host header games: another name, two Host headers, garbage", async () => {
    const b = await refusedRaw(`GET /cloudapi/x HTTP/1.1\r\nHost: evil.example\r\n\r\n`, 400);
    assert.match(b.message, /Host/);
    await refusedRaw(`GET /cloudapi/x HTTP/1.1\r\nHost: ${host()}\r\nHost: evil.example\r\n\r\n`, 400);
    await refusedRaw(`GET /cloudapi/x HTTP/1.1\r\nHost: evil.example@127.0.0.1\r\n\r\n`, 400);
    // The loopback names are accepted and the upstream still gets its own Host.
    const ok = await rawRequest(r.url, { path: "/cloudapi/ok", headers: { host: `localhost:${new URL(r.url).port}` } });
    assert.equal(ok.status, 200);
    assert.equal(up.seen.at(-1).headers.host, new URL(up.url).host);
  });

  test("//host paths, .. and %2e%2e segments are refused", async () => {
    for (const p of [
      "//evil.example/x",
      "/cloudapi//evil.example/x",
      "/cloudapi/../../etc/passwd",
      "/cloudapi/%2e%2e/%2E%2E/etc/passwd",
      "/cloudapi/.%2e/x",
      "/cloudapi/a%2f..%2fb",
      "/cloudapi/a%5c..%5cb",
      "/cloudapi/./x",
      "/cloudapi/%00",
      "/cloudapi/%zz",
    ]) {
      await refusedRaw(`GET ${p} HTTP/1.1\r\nHost: ${host()}\r\n\r\n`, 400);
    }
  });

  test("a WebSocket upgrade is not tunnelled: the request is relayed as plain HTTP without Upgrade/Connection", async () => {
    const { text } = await rawSocket(r.url, `GET /cloudapi/ws HTTP/1.1\r\nHost: ${host()}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`, 1000);
    assert.match(text, /^HTTP\/1\.1 200 /);
    const seen = up.seen.at(-1);
    assert.equal(seen.url, "/ws");
    assert.equal(seen.headers.upgrade, undefined);
    assert.equal(seen.headers["sec-websocket-key"], undefined);
    assert.equal(seen.headers.connection, "close");
  });

  test("other methods are refused with 405", async () => {
    await refusedRaw(`TRACE /cloudapi/x HTTP/1.1\r\nHost: ${host()}\r\n\r\n`, 405);
  });

  test("oversize bodies get 413 PayloadTooLargeError and are never forwarded (Content-Length and chunked)", async () => {
    const before = up.seen.length;
    const big = "x".repeat(MAX_BODY + 1);
    const res = await rawRequest(r.url, { method: "POST", path: "/cloudapi/x", body: big, headers: { "content-type": "text/plain" } });
    assert.equal(res.status, 413);
    assert.equal(res.json.code, "PayloadTooLargeError");
    assert.match(res.json.message, new RegExp(String(MAX_BODY)));

    const chunked = await new Promise((resolve, reject) => {
      const req = http.request(`${r.url}/cloudapi/x`, { method: "PUT", headers: { "content-type": "application/json" } }, (resp) => {
        let t = "";
        resp.on("data", (c) => (t += c));
        resp.on("end", () => resolve({ status: resp.statusCode, json: JSON.parse(t) }));
      });
      req.on("error", (e) => (e.code === "EPIPE" || e.code === "ECONNRESET" ? null : reject(e)));
      for (let i = 0; i < 5; i++) req.write("y".repeat(16 * 1024));
      req.end();
    });
    assert.equal(chunked.status, 413);
    assert.equal(chunked.json.code, "PayloadTooLargeError");
    assert.equal(up.seen.length, before);

    // A small chunked body is forwarded whole, with a Content-Length.
    await new Promise((resolve, reject) => {
      const req = http.request(`${r.url}/cloudapi/small`, { method: "POST", headers: { "content-type": "application/json" } }, (resp) => {
        resp.resume();
        resp.on("end", resolve);
      });
      req.on("error", reject);
      req.write('{"a":');
      req.end("2}");
    });
    assert.equal(up.seen.at(-1).body, '{"a":2}');
    assert.equal(up.seen.at(-1).headers["content-length"], "7");
    assert.equal(up.seen.at(-1).headers["transfer-encoding"], undefined);
  });

  test("oversize request headers get 431", async () => {
    const b = await refusedRaw(`GET /cloudapi/x HTTP/1.1\r\nHost: ${host()}\r\nx-big: ${"a".repeat(10_000)}\r\n\r\n`, 431);
    assert.equal(b.code, "RequestHeaderFieldsTooLarge");
  });

  test("an upstream that hangs → 504 GatewayTimeout within the timeout", async () => {
    const t0 = Date.now();
    const res = await rawRequest(hangRelay.url, { path: "/cloudapi/my" });
    assert.equal(res.status, 504);
    assert.equal(res.json.code, "GatewayTimeout");
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  });

  test("a dead upstream → 502 BadGateway; an upstream reset → 502", async () => {
    const res = await rawRequest(deadRelay.url, { path: "/cloudapi/my" });
    assert.equal(res.status, 502);
    assert.equal(res.json.code, "BadGateway");
    const reset = await rawRequest(r.url, { path: "/cloudapi/reset" });
    assert.equal(reset.status, 502);
    assert.equal(reset.json.code, "BadGateway");
  });

  test("client aborts and upstreams cut mid-body do not crash the relay", async () => {
    const sock = await new Promise((resolve) => {
      const s = http.request(`${hangRelay.url}/cloudapi/slow`);
      s.on("error", () => {});
      s.end();
      setTimeout(() => resolve(s), 50);
    });
    sock.destroy();
    await assert.rejects(rawRequest(r.url, { path: "/cloudapi/cut" }));
    const bad = await rawSocket(r.url, "NOT HTTP AT ALL\r\n\r\n", 1000);
    assert.match(bad.text, /^HTTP\/1\.1 400 /);
    const smuggle = await rawSocket(r.url, `POST /cloudapi/x HTTP/1.1\r\nHost: ${host()}\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 1000);
    assert.match(smuggle.text, /^HTTP\/1\.1 400 /);
    assert.ok(upLogs.some((l) => l.includes("unparsable request")));
    const ok = await rawRequest(r.url, { path: "/cloudapi/still-alive" });
    assert.equal(ok.status, 200);
    const ok2 = await rawRequest(hangRelay.url, { path: "/cloudapi/still-alive" });
    assert.equal(ok2.status, 504);
  });

  test("log lines: one per request, no Authorization value, signature query values redacted", async () => {
    const sig = crypto.randomBytes(256).toString("base64");
    const n = upLogs.length;
    await rawRequest(r.url, {
      path: `/cloudapi/u/machines?algorithm=rsa-sha256&expires=99&keyId=%2Fu%2Fkeys%2Fk&signature=${encodeURIComponent(sig)}&limit=5`,
      headers: { authorization: `Signature keyId="/u/keys/k",algorithm="rsa-sha256",signature="${sig}"` },
    });
    await waitFor(() => upLogs.length > n, { what: "log line" });
    const line = upLogs.at(-1);
    assert.match(line, /GET \/cloudapi\/u\/machines\?algorithm=rsa-sha256&expires=99&keyId=%2Fu%2Fkeys%2Fk&signature=REDACTED&limit=5 200 \d+ms$/);
    const all = upLogs.join("\n");
    for (const secret of [sig, encodeURIComponent(sig), sig.slice(0, 40), "Signature keyId", "c2ln"]) assert.ok(!all.includes(secret), `log contains ${secret}`);
  });
});

describe("logs of the simulator relay", () => {
  test("every request through the relay was logged and no log line holds a signature", async () => {
    const { headers, res } = signedViaRelay("GET", `/${sim.account}/keys`);
    assert.equal((await res).status, 200);
    await waitFor(() => logs.some((l) => l.includes(`/cloudapi/${sim.account}/keys 200`)), { what: "log line" });
    const signature = /signature="([^"]+)"/.exec(headers.authorization)[1];
    const all = logs.join("\n");
    assert.ok(!all.includes(signature.slice(0, 24)));
    assert.ok(!/authorization|Signature keyId/i.test(all));
    assert.ok(!all.includes(key.privateText.split("\n")[1]));
  });
});

describe("static files", () => {
  const get = (p, o = {}) => rawRequest(relay.url, { path: p, ...o });

  test("MIME types, index.html for / and directories, HEAD", async () => {
    const cases = {
      "/": "text/html; charset=utf-8",
      "/index.html": "text/html; charset=utf-8",
      "/app.js": "text/javascript; charset=utf-8",
      "/mod.mjs": "text/javascript; charset=utf-8",
      "/style.css": "text/css; charset=utf-8",
      "/module.wasm": "application/wasm",
      "/data.bin": "application/octet-stream",
      "/sub/": "text/html; charset=utf-8",
    };
    for (const [p, type] of Object.entries(cases)) {
      const r = await get(p);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers["content-type"], type, p);
      assert.equal(r.headers["x-content-type-options"], "nosniff");
    }
    assert.equal((await get("/")).text, "<!doctype html><title>panel</title>");
    const head = await get("/app.js", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers["content-length"], String("export const x = 1;\n".length));
    assert.equal(head.text, "");
    const redirect = await get("/sub");
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, "/sub/");
  });

  test("no listings, no dotfiles, no traversal, no symlink escapes, read-only", async () => {
    assert.equal((await get("/empty/")).status, 404);
    assert.equal((await get("/nope.js")).status, 404);
    const dot = await get("/.env");
    assert.equal(dot.status, 404);
    assert.ok(!dot.text.includes("SECRET"));
    const link = await get("/link.txt");
    assert.equal(link.status, 404);
    assert.ok(!link.text.includes("OUTSIDE"));
    for (const p of ["/../outside.txt", "/%2e%2e/outside.txt", "/sub/%2E%2E/%2e%2e/outside.txt", "/..%2foutside.txt", "/sub%2f..%2f..%2foutside.txt"]) {
      const { text } = await rawSocket(relay.url, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 2000);
      assert.match(text, /^HTTP\/1\.1 400 /, p);
      assert.ok(!text.includes("OUTSIDE"), p);
    }
    const post = await get("/index.html", { method: "POST", body: "x" });
    assert.equal(post.status, 405);
    assert.equal(post.json.code, "MethodNotAllowed");
  });
});

describe("packaging", () => {
  test("build.mjs ships relay.mjs, relay.d.ts and the bin; `smartdc-wasm/relay` resolves for Node", () => {
    // Re-assembles a package from pkg/'s wasm-bindgen output (no cargo), so the test checks
    // the current build.mjs and template even when pkg/ was built before them.
    const t = tempDir("relaypkg-");
    const cleanups = [t.cleanup];
    try {
      const pkg = path.join(REPO_DIR, "pkg");
      fs.mkdirSync(path.join(t.dir, "web"));
      fs.mkdirSync(path.join(t.dir, "nodejs"));
      fs.copyFileSync(path.join(pkg, "smartdc_wasm.js"), path.join(t.dir, "web", "smartdc_wasm.js"));
      fs.copyFileSync(path.join(pkg, "smartdc_wasm.node.cjs"), path.join(t.dir, "nodejs", "smartdc_wasm.js"));
      fs.copyFileSync(path.join(pkg, "smartdc_wasm.d.ts"), path.join(t.dir, "nodejs", "smartdc_wasm.d.ts"));
      fs.copyFileSync(path.join(pkg, "smartdc_wasm_bg.wasm"), path.join(t.dir, "smartdc_wasm_bg.wasm"));
      // Under target/ like build.mjs's staging dir: it renames staging into place (same filesystem).
      const out = path.join(REPO_DIR, "target", `relay-test-pkg-${process.pid}`, "smartdc-wasm");
      fs.mkdirSync(path.dirname(out), { recursive: true });
      cleanups.push(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));
      const b = spawnSync(process.execPath, [path.join(REPO_DIR, "pkg-template", "build.mjs"), "--root", REPO_DIR, "--bindgen", t.dir, "--out", out], { encoding: "utf8" });
      assert.equal(b.status, 0, b.stderr);
      const m = JSON.parse(fs.readFileSync(path.join(out, "package.json"), "utf8"));
      assert.deepEqual(m.bin, { "smartdc-relay": "./bin/smartdc-relay.mjs" });
      assert.deepEqual(m.exports["./relay"], { types: "./relay.d.ts", node: "./relay.mjs" });
      for (const f of ["relay.mjs", "relay.d.ts", "bin/smartdc-relay.mjs"]) {
        assert.ok(m.files.includes(f), f);
        assert.equal(fs.readFileSync(path.join(out, f), "utf8"), fs.readFileSync(path.join(REPO_DIR, "pkg-template", f), "utf8"), f);
      }
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", 'const m = await import("smartdc-wasm/relay"); console.log(typeof m.startRelay, import.meta.resolve("smartdc-wasm/relay"))'], { cwd: out, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), `function ${pathToFileURL(path.join(fs.realpathSync(out), "relay.mjs")).href}`);
    } finally {
      for (const c of cleanups) c();
    }
  });
});

describe("options and the CLI", () => {
  test("startRelay refuses upstreams it cannot relay faithfully and bad prefixes", async () => {
    for (const upstream of [undefined, "", "not a url", "ftp://h/", "http://u:p@h/", "http://h/api", "http://h/?q=1"]) {
      await assert.rejects(startRelay({ upstream, log: false }), TypeError, String(upstream));
    }
    for (const prefix of ["", "/", "cloudapi", "/a/../b", "/a b"]) {
      await assert.rejects(startRelay({ upstream: sim.url, prefix, log: false }), TypeError, prefix);
    }
  });

  test("allowedHosts replaces the loopback names; a throwing log callback does not stop the relay", async () => {
    const r = await startRelay({ upstream: sim.url, allowedHosts: ["panel.example"], log: () => { throw new Error("log broke"); } });
    try {
      const port = new URL(r.url).port;
      // Unsigned, so CloudAPI itself answers 401: proof the request was forwarded.
      const ok = await rawRequest(r.url, { path: `/cloudapi/${sim.account}`, headers: { host: `panel.example:${port}` } });
      assert.equal(ok.status, 401, ok.text);
      const refused = await rawRequest(r.url, { path: `/cloudapi/${sim.account}`, headers: { host: `localhost:${port}` } });
      assert.equal(refused.status, 400);
      assert.match(refused.json.message, /Host/);
    } finally {
      await r.close();
    }
  });

  test("mounts serve more directories under URL prefixes (the built package at /pkg/)", async () => {
    const r = await startRelay({ upstream: sim.url, mounts: { "/pkg/": path.join(REPO_DIR, "pkg") }, log: false });
    try {
      const wasm = await rawRequest(r.url, { path: "/pkg/smartdc_wasm_bg.wasm", method: "HEAD" });
      assert.equal(wasm.status, 200);
      assert.equal(wasm.headers["content-type"], "application/wasm");
      assert.equal(Number(wasm.headers["content-length"]), fs.statSync(path.join(REPO_DIR, "pkg", "smartdc_wasm_bg.wasm")).size);
      const js = await rawRequest(r.url, { path: "/pkg/index.js" });
      assert.equal(js.headers["content-type"], "text/javascript; charset=utf-8");
      assert.equal(js.text, fs.readFileSync(path.join(REPO_DIR, "pkg", "index.js"), "utf8"));
      assert.equal((await rawRequest(r.url, { path: "/index.html" })).status, 404, "no dir given: nothing at /");
    } finally {
      await r.close();
    }
  });

  test("smartdc-relay prints its URL, relays with a custom prefix, stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [RELAY_BIN, "--upstream", sim.url, "--port", "0", "--prefix", "/api/v1", "--timeout", "5000", "--max-body", "1000"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (c) => (err += c));
    const line = await new Promise((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (c) => {
        out += c;
        if (out.includes("\n")) resolve(out.split("\n")[0]);
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)[1];
    const h = signHeaders({ method: "GET", target: `/${sim.account}`, key, keyId: keyIdFor(sim.account, key.md5), date: "x-date", headers: { "accept-version": "~9" } });
    const res = await rawRequest(url, { path: `/api/v1/${sim.account}`, headers: h });
    assert.equal(res.status, 200, res.text);
    const big = await rawRequest(url, { method: "POST", path: "/api/v1/x", body: "z".repeat(1001) });
    assert.equal(big.status, 413);
    await waitFor(() => err.includes(`/api/v1/${sim.account} 200`), { what: "CLI log line" });
    const exit = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    assert.equal(await exit, 0);
  });
});
