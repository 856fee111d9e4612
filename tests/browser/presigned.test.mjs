// Pre-signed mode in real Chromium: a page on one origin (a static server on 127.0.0.1:A)
// calls the local CloudAPI on 127.0.0.1:B in its FAITHFUL CORS mode (restify's own preflight,
// which refuses `authorization` and `x-date`, as a real CloudAPI does) with
// `new DataCenter({ …, transport: "presigned" })`. A header-signed DataCenter from the same
// page fails, which proves the refusal is real; an expired pre-signed URL gives a plain error
// (the page cannot read the Date header cross-origin, so no clock correction is possible here).
//   node --test tests/browser/presigned.test.mjs      (needs pkg/ built: pkg-template/build)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { ARTIFACTS, PKG, launchChromium } from "./smoke.mjs";
import { serveStatic } from "./static.mjs";

const ROOT = join(PKG, "..");
const cleanup = [];
let sim, page, opts, machineId, wire, consoleLines, nodeDc, catalog;

before(async () => {
  if (!existsSync(join(PKG, "index.js"))) throw new Error(`${PKG} is not built: run pkg-template/build first`);
  const dir = mkdtempSync(join(tmpdir(), "smartdc-presigned-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, "id_rsa");
  execFileSync("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "presigned", "-f", keyFile]);
  const { startSimulator } = await import(pathToFileURL(join(ROOT, "tests", "sim", "index.mjs")).href);
  // cors "faithful" (also the default): the point of this file.
  sim = await startSimulator({ port: 0, host: "127.0.0.1", account: "presig", keys: [`${keyFile}.pub`], speed: "fast", seed: 3, cors: "faithful", throttle: "off" });
  cleanup.push(() => sim.close());
  opts = { url: sim.url, account: sim.account, privateKey: readFileSync(keyFile, "utf8") };
  const { DataCenter } = await import(pathToFileURL(join(PKG, "index.node.mjs")).href);
  nodeDc = new DataCenter(opts);
  const [image] = await nodeDc.images();
  const [pkg] = await nodeDc.packages();
  const m = await nodeDc.createMachine({ name: "presigned-vm", image: image.id, package: pkg.name });
  await m.pollUntil("running", { interval: 100 });
  machineId = m.id;
  catalog = { image: image.id, package: pkg.name };

  const web = await serveStatic({ "/pkg/": PKG, "/": join(ROOT, "www") });
  cleanup.push(() => web.close());
  assert.notEqual(new URL(web.url).origin, new URL(sim.url).origin, "the page and CloudAPI are different origins");
  const browser = await launchChromium();
  cleanup.push(browser.close);
  page = await browser.context.newPage();
  wire = [];
  consoleLines = [];
  // Every request the page sends to CloudAPI, as Chromium puts it on the wire.
  page.on("request", (r) => {
    if (r.url().startsWith(sim.url)) wire.push({ method: r.method(), url: new URL(r.url()), headers: r.headers(), body: r.postData() });
  });
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  await page.goto(`${web.url}/devtools.html`);
  await page.waitForFunction(() => window.smartdc !== undefined, null, { timeout: 20000 });
});

after(async () => {
  for (const f of cleanup.reverse()) await f();
});

/** The wire entries added while `f` runs. */
async function sent(f) {
  const n = wire.length;
  const result = await f();
  return { result, requests: wire.slice(n) };
}

function assertPresigned(r, method, path) {
  assert.equal(r.method, method);
  assert.equal(r.url.pathname, path);
  for (const p of ["algorithm", "expires", "keyId", "signature"]) assert.ok(r.url.searchParams.get(p), `${p} in the query of ${r.url}`);
  assert.equal(r.url.searchParams.get("method"), method);
  assert.equal(r.url.searchParams.get("keyId"), `/${sim.account}/keys/${sim.keys[0].fingerprint}`);
  const expires = Number(r.url.searchParams.get("expires"));
  const now = Date.now() / 1000;
  assert.ok(expires > now && expires <= now + 61, `a short expiry (${expires - now} s)`);
  assert.equal(r.headers.authorization, undefined, "no Authorization header");
  assert.equal(r.headers["x-date"], undefined, "no x-date header");
  assert.equal(r.body, null, "no body");
}

test("list machines and get one from another origin against faithful CORS", { timeout: 60000 }, async () => {
  const { result, requests } = await sent(() => page.evaluate(async ({ o, id }) => {
    const dc = new window.smartdc.DataCenter({ ...o, transport: "presigned" });
    const list = await dc.machines();
    const one = await dc.machine(id);
    return { list: list.map((m) => m.toJSON()), one: one.toJSON() };
  }, { o: opts, id: machineId }));
  const nodeList = (await nodeDc.machines()).map((m) => m.toJSON());
  assert.deepEqual(result.list.map((m) => m.id).sort(), nodeList.map((m) => m.id).sort());
  assert.equal(result.one.id, machineId);
  assert.equal(result.one.name, "presigned-vm");
  assert.equal(result.one.state, "running");
  assert.equal(requests.length, 2, requests.map((r) => `${r.method} ${r.url}`).join("\n"));
  assertPresigned(requests[0], "GET", `/${sim.account}/machines`);
  assert.equal(requests[0].url.searchParams.get("limit"), "1000", "the call's own query is kept (and signed)");
  assertPresigned(requests[1], "GET", `/${sim.account}/machines/${machineId}`);
});

test("stop and start a machine: POST ?action=… pre-signed, no body", { timeout: 60000 }, async () => {
  const { result, requests } = await sent(() => page.evaluate(async ({ o, id }) => {
    const dc = new window.smartdc.DataCenter({ ...o, transport: "presigned" });
    const m = await dc.machine(id);
    const states = [];
    await m.stop();
    await m.pollUntil("stopped", { interval: 100 });
    states.push(m.state);
    await m.start();
    await m.pollUntil("running", { interval: 100 });
    states.push(m.state);
    return states;
  }, { o: opts, id: machineId }));
  assert.deepEqual(result, ["stopped", "running"]);
  const actions = requests.filter((r) => r.method === "POST");
  assert.deepEqual(actions.map((r) => r.url.searchParams.get("action")), ["stop", "start"]);
  for (const r of actions) assertPresigned(r, "POST", `/${sim.account}/machines/${machineId}`);
  // CloudAPI's own record: the audit log has both actions, done by a signature caller.
  const audit = await (await nodeDc.machine(machineId)).audit?.();
  if (audit) assert.deepEqual(audit.slice(0, 2).map((a) => a.action).sort(), ["start", "stop"]);
  else assert.equal((await nodeDc.machine(machineId)).state, "running");
});

test("a call with a body rejects with NotSupportedInPresignedMode before any request", { timeout: 30000 }, async () => {
  const { result, requests } = await sent(() => page.evaluate(async ({ o, id, catalog }) => {
    const dc = new window.smartdc.DataCenter({ ...o, transport: "presigned" });
    const m = await dc.machine(id);
    const n = performance.getEntriesByType("resource").length;
    const e = await dc.createMachine({ name: "nope", ...catalog }).catch((e) => e);
    const t = await m.addTags({ a: "b" }).catch((e) => e);
    const show = (e) => ({ name: e.name, code: e.code, message: e.message, isError: e instanceof Error });
    return { create: show(e), tags: show(t), fetched: performance.getEntriesByType("resource").length - n };
  }, { o: opts, id: machineId, catalog }));
  for (const e of [result.create, result.tags]) {
    assert.equal(e.name, "CloudApiError");
    assert.equal(e.code, "NotSupportedInPresignedMode");
    assert.equal(e.isError, true);
    assert.match(e.message, /JSON body.*pre-signed URL cannot cover.*transport "headers".*relay/);
  }
  assert.match(result.create.message, /^POST \/presig\/machines /);
  assert.equal(result.fetched, 0, "no fetch after the GetMachine");
  assert.deepEqual(requests.map((r) => r.method), ["GET"], "nothing but the GetMachine was sent");
});

test("a header-signed call from the same page fails, as against a real CloudAPI (the preflight refuses authorization)", { timeout: 30000 }, async () => {
  const n = consoleLines.length;
  const r = await page.evaluate(async (o) => {
    const dc = new window.smartdc.DataCenter({ ...o, retries: 0 });
    return dc.machines().then(() => ({ ok: true }), (e) => ({ name: e.name, code: e.code, message: e.message, statusCode: e.statusCode }));
  }, opts);
  assert.equal(r.ok, undefined, "the header-signed call must not succeed");
  assert.equal(r.name, "CloudApiError");
  assert.equal(r.code, "NetworkError");
  assert.equal(r.statusCode, undefined, "no response reached the page");
  // Chromium says why: the preflight (OPTIONS with authorization, x-date) got no CORS headers.
  const said = consoleLines.slice(n).join("\n");
  assert.match(said, /blocked by CORS policy/);
  // The same preflight, made by hand, is restify's 405 without Access-Control-Allow-Origin.
  const pre = await fetch(`${sim.url}/${sim.account}/machines`, {
    method: "OPTIONS",
    headers: { origin: "http://127.0.0.1:1", "access-control-request-method": "GET", "access-control-request-headers": "accept-version,authorization,x-date" },
  });
  assert.equal(pre.status, 405);
  assert.equal(pre.headers.get("access-control-allow-origin"), null);
  const ok = await fetch(`${sim.url}/${sim.account}/machines/${machineId}`, {
    method: "OPTIONS",
    headers: { origin: "http://127.0.0.1:1", "access-control-request-method": "POST", "access-control-request-headers": "accept-version" },
  });
  assert.equal(ok.status, 200, "the pre-signed POST's preflight passes");
});

test("an expired pre-signed URL gives a plain error: 500 {message} readable cross-origin, PresignedUrlRejected from the DataCenter", { timeout: 30000 }, async () => {
  const r = await page.evaluate(async ({ o, id }) => {
    const dc = new window.smartdc.DataCenter(o);
    const url = await dc.presign("GET", `/${o.account}/machines/${id}`, { expires: Math.floor(Date.now() / 1000) - 30 });
    const res = await fetch(url, { headers: { "accept-version": "~9" } });
    const direct = { status: res.status, body: await res.json() };
    // A computer whose clock is 10 minutes behind signs URLs that expired before they left.
    const realNow = Date.now;
    Date.now = () => realNow() - 600_000;
    let e;
    try {
      e = await new window.smartdc.DataCenter({ ...o, transport: "presigned" }).machine(id).catch((x) => x);
    } finally {
      Date.now = realNow;
    }
    const after = await new window.smartdc.DataCenter({ ...o, transport: "presigned" }).machine(id);
    return { direct, e: { name: e.name, code: e.code, message: e.message, statusCode: e.statusCode, requestId: e.requestId, body: e.body }, after: after.state };
  }, { o: opts, id: machineId });
  assert.deepEqual(r.direct, { status: 500, body: { message: "request expired" } });
  assert.equal(r.e.name, "CloudApiError");
  assert.equal(r.e.code, "PresignedUrlRejected");
  assert.equal(r.e.statusCode, 500);
  assert.match(r.e.requestId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(r.e.body, { message: "request expired" });
  assert.match(r.e.message, /^CloudAPI refused the pre-signed URL of GET \/presig\/machines\/[0-9a-f-]+: request expired; the URL was signed to expire at .* GMT by this computer's clock/);
  assert.equal(r.after, "running", "the next call works");
  // What the page saw, for the screenshot.
  await page.evaluate(async ({ o, expired }) => {
    const list = await new window.smartdc.DataCenter({ ...o, transport: "presigned" }).machines();
    const rows = list.map((m) => `<tr><td>${m.name}</td><td>${m.state}</td><td>${m.id}</td><td>${m.primaryIp}</td></tr>`).join("");
    document.body.innerHTML = `<h1>pre-signed mode: ${location.origin} → ${o.url}</h1>
      <table border="1" cellpadding="4"><tr><th>name</th><th>state</th><th>id</th><th>primaryIp</th></tr>${rows}</table>
      <p>expired URL: <code>${expired.code}</code> (HTTP ${expired.statusCode}): ${expired.message}</p>`;
  }, { o: opts, expired: r.e });
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, "browser-presigned.png") });
});
