// Bad input (issue 2 "Bad input"): the simulator, run as its own process through cli.mjs,
// answers every malformed request with CloudAPI's status and a {code, message} body, never
// crashes or hangs, and still serves a normal request afterwards. Expected statuses for the
// framework-level cases were observed on restify 4.3.3 set up with CloudAPI's parser options.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  ADMIN_TOKEN,
  generateKey,
  httpDate,
  keyIdFor,
  rawRequest,
  rawSocket,
  runSimCli,
  signHeaders,
  spawnSimCli,
  tempDir,
} from "./helpers.mjs";

let tmp;
let key;
let sim;

before(async () => {
  tmp = tempDir();
  key = generateKey(tmp.dir, "rsa", "badinput");
  sim = await spawnSimCli([
    "--port", "0", "--host", "127.0.0.1", "--account", "badinput",
    "--key", key.publicPath, "--speed", "fast", "--admin-token", ADMIN_TOKEN, "--throttle", "off",
  ]);
});
after(async () => {
  if (sim) await sim.stop();
  tmp?.cleanup();
});

const BASE = { accept: "application/json", "accept-version": "~9" };

/** A request signed for `target` (path+query as sent). */
function signed(method, target, { body, headers = {}, keyId } = {}) {
  const h = signHeaders({
    method,
    target,
    key,
    keyId: keyId || keyIdFor(sim.account, key.md5),
    headers: { ...BASE, ...headers },
  });
  return rawRequest(sim.url, { method, path: target, headers: h, body });
}

function unsigned(method, target, { body, headers = {} } = {}) {
  return rawRequest(sim.url, { method, path: target, headers: { ...BASE, date: httpDate(), ...headers }, body });
}

function assertError(res, status, code, messageRe) {
  assert.equal(res.status, status, `status (body: ${res.text})`);
  assert.ok(res.json && typeof res.json === "object", `JSON error body expected, got: ${res.text}`);
  if (code) assert.equal(res.json.code, code, `code (body: ${res.text})`);
  assert.equal(typeof res.json.message, "string", `message (body: ${res.text})`);
  if (messageRe) assert.match(res.json.message, messageRe);
}

function assertAlive() {
  assert.equal(sim.child.exitCode, null, `simulator exited; stderr: ${sim.stderr()}`);
  assert.equal(sim.child.signalCode, null);
}

describe("the simulator CLI", () => {
  test("prints exactly one JSON line with url, account and keys", () => {
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(sim.account, "badinput");
    assert.ok(sim.keys.some((k) => k.fingerprint === key.md5 && typeof k.name === "string"));
    assert.equal(sim.stdoutRest(), "", "nothing else on stdout");
  });

  test("a bad flag exits non-zero with a one-line reason", async () => {
    const r = await runSimCli(["--no-such-flag"]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  });

  test("an unreadable key file exits non-zero with a one-line reason", async () => {
    const r = await runSimCli(["--port", "0", "--key", path.join(tmp.dir, "missing.pub")]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /missing\.pub/);
  });

  test("a key file that is not a public key exits non-zero", async () => {
    const junk = path.join(tmp.dir, "junk.pub");
    fs.writeFileSync(junk, "this is not a key\n");
    const r = await runSimCli(["--port", "0", "--key", junk]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  });

  test("a bad --speed value exits non-zero", async () => {
    const r = await runSimCli(["--port", "0", "--speed", "warp"]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  });
});

describe("bodies", () => {
  test("malformed JSON → 400 InvalidContent (body parsing precedes auth)", async () => {
    const bad = '{"name": "x", ';
    assertError(await signed("POST", "/my/machines", { body: bad, headers: { "content-type": "application/json" } }), 400, "InvalidContent", /Invalid JSON/);
    assertError(await unsigned("POST", "/my/machines", { body: bad, headers: { "content-type": "application/json" } }), 400, "InvalidContent");
  });

  test("1 MB body → 413 PayloadTooLargeError", async () => {
    const big = JSON.stringify({ name: "x", pad: "a".repeat(1024 * 1024) });
    assertError(await signed("POST", "/my/machines", { body: big, headers: { "content-type": "application/json" } }), 413, "PayloadTooLargeError", /exceeds 100000/);
  });

  test("1 MB chunked body (no Content-Length) → 413", async () => {
    const url = new URL(sim.url);
    const chunk = "a".repeat(64 * 1024);
    let req = `POST /my/keys HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    for (let i = 0; i < 16; i++) req += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    req += "0\r\n\r\n";
    const r = await rawSocket(sim.url, req);
    assert.match(r.text, /^HTTP\/1\.1 413 /);
    assert.match(r.text, /PayloadTooLargeError/);
  });

  test("wrong Content-MD5 → 400 BadDigest", async () => {
    const res = await signed("POST", "/my/keys", {
      body: JSON.stringify({ name: "x", key: key.publicLine }),
      headers: { "content-type": "application/json", "content-md5": "AAAAAAAAAAAAAAAAAAAAAA==" },
    });
    assertError(res, 400, "BadDigest");
  });

  test("JSON that is not an object does not crash CreateKey", async () => {
    for (const body of ["null", "[1,2,3]", '"a string"', "12"]) {
      const res = await signed("POST", "/my/keys", { body, headers: { "content-type": "application/json" } });
      assert.ok(res.status >= 400 && res.status < 500, `${body}: ${res.status} ${res.text}`);
      assert.equal(typeof res.json?.message, "string", res.text);
    }
  });

  test("a declared body that never arrives does not block other requests", async () => {
    const url = new URL(sim.url);
    const stuck = rawSocket(
      sim.url,
      `POST /my/keys HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"na`,
      1500,
    );
    const res = await signed("GET", "/my");
    assert.equal(res.status, 200, res.text);
    await stuck;
  });
});

describe("Authorization garbage", () => {
  const cases = [
    ["Signature", 400, "InvalidHeader"],
    ["Bearer", 400, "InvalidHeader"],
    ["Signature keyId=", 400, "InvalidHeader"],
    ['Signature keyId="a",algorithm="rsa-sha256"', 400, "InvalidHeader"],
    [`Signature ${"x".repeat(6000)}`, 400, "InvalidHeader"],
    ['Signature keyId="/badinput/keys/aa:bb",algorithm="rsa-sha256",headers="date",signature="%%%notbase64"', 401, "InvalidCredentials"],
    ['Signature keyId="",algorithm="rsa-sha256",headers="date",signature="AAAA"', 400, "InvalidHeader"],
    ['Signature keyId="/../../etc/passwd",algorithm="rsa-sha256",headers="date",signature="AAAA"', 401, "InvalidCredentials"],
    ['Signature keyId="/badinput/keys/*",algorithm="rsa-sha256",headers="date",signature="AAAA"', 401, "InvalidCredentials"],
    ['Signature keyId="/badinput/keys/x)(name=*",algorithm="rsa-sha256",headers="date",signature="AAAA"', 401, "InvalidCredentials"],
    ['Signature keyId="/badinput/keys/x",algorithm="rsa-sha256",headers="date nonexistent",signature="AAAA"', 400, "InvalidHeader"],
    ["Basic Zm9vOmJhcg==", 401, "InvalidCredentials"],
    ["Basic !!!", 400, "InvalidHeader"],
    ["Bearer abc def", 401, "InvalidCredentials"],
  ];
  for (const [authorization, status, code] of cases) {
    test(`${authorization.slice(0, 60)}${authorization.length > 60 ? "…" : ""} → ${status} ${code}`, async () => {
      assertError(await unsigned("GET", "/my/machines", { headers: { authorization } }), status, code);
    });
  }

  test("a signature that is valid base64 but for another key → 401", async () => {
    const other = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const h = signHeaders({ target: "/my", key, keyId: keyIdFor(sim.account, key.md5), privateKey: other.privateKey, headers: BASE });
    assertError(await rawRequest(sim.url, { path: "/my", headers: h }), 401, "InvalidCredentials");
  });

  test("non-ASCII bytes in Authorization are answered, not fatal", async () => {
    const url = new URL(sim.url);
    const req = Buffer.concat([
      Buffer.from(`GET /my HTTP/1.1\r\nHost: ${url.host}\r\nDate: ${httpDate()}\r\nAuthorization: Signature keyId="/badinput/keys/`),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('",algorithm="rsa-sha256",signature="AA=="\r\nConnection: close\r\n\r\n'),
    ]);
    const r = await rawSocket(sim.url, req);
    assert.match(r.text, /^HTTP\/1\.1 4\d\d /, r.text);
  });
});

describe("query strings, paths and ids", () => {
  test("unknown query parameters are ignored (ListMachines, ListPackages, GetAccount)", async () => {
    for (const target of ["/my/machines?foo=bar&zzz=1", "/my/packages?nonsense=1&a[b]=2", "/my?x=%ZZ"]) {
      const res = await signed("GET", target);
      assert.equal(res.status, 200, `${target}: ${res.text}`);
    }
  });

  test("malformed percent-encoding in the path → 400 BadRequestError 'URI malformed'", async () => {
    assertError(await signed("GET", "/my/machines/%ZZ"), 400, "BadRequestError", /URI malformed/);
  });

  test("an invalid machine UUID → 409 ValidationFailed (VMAPI's answer passed through)", async () => {
    for (const [method, target] of [
      ["GET", "/my/machines/not-a-uuid"],
      ["POST", "/my/machines/not-a-uuid?action=stop"],
      ["DELETE", "/my/machines/not-a-uuid"],
      ["GET", "/my/machines/not-a-uuid/tags"],
    ]) {
      assertError(await signed(method, target), 409, "ValidationFailed");
    }
  });

  test("a well-formed but unknown machine UUID → 404 ResourceNotFound", async () => {
    assertError(await signed("GET", `/my/machines/${crypto.randomUUID()}`), 404, "ResourceNotFound");
  });

  test("invalid ids on other resources get a 4xx {code, message}", async () => {
    for (const target of [
      "/my/images/not-a-uuid",
      "/my/packages/not-a-uuid",
      "/my/networks/not-a-uuid",
      "/my/fwrules/not-a-uuid",
      "/my/keys/no-such-key",
      "/my/fabrics/default/vlans/99999",
      "/my/fabrics/default/vlans/abc",
      "/my/volumes/not-a-uuid",
      "/my/machines/not-a-uuid/snapshots/x",
      "/my/users/nobody",
      "/my/datacenters/nowhere",
    ]) {
      const res = await signed("GET", target);
      assert.ok(res.status >= 400 && res.status < 500, `${target}: ${res.status} ${res.text}`);
      assert.equal(typeof res.json?.code, "string", `${target}: ${res.text}`);
      assert.equal(typeof res.json?.message, "string", `${target}: ${res.text}`);
    }
  });

  test("CreateMachine with nonsense values → 4xx {code, message}", async () => {
    for (const body of [
      { image: "not-a-uuid", package: "nope" },
      { image: crypto.randomUUID(), package: crypto.randomUUID() },
      { image: { nested: true }, package: ["x"] },
      { name: "x".repeat(500), image: "a", package: "b" },
      { networks: "not-an-array", image: "a", package: "b" },
    ]) {
      const res = await signed("POST", "/my/machines", { body });
      assert.ok(res.status >= 400 && res.status < 500, `${JSON.stringify(body).slice(0, 80)}: ${res.status} ${res.text}`);
      assert.equal(typeof res.json?.message, "string", res.text);
    }
  });

  test("unsupported method → 405 with Allow", async () => {
    const res = await signed("PATCH", "/my/machines");
    assertError(res, 405, "MethodNotAllowedError", /PATCH is not allowed/);
    assert.match(res.headers.allow, /GET/);
  });

  test("Accept: image/png → 406 NotAcceptableError", async () => {
    assertError(await signed("GET", "/my", { headers: { accept: "image/png" } }), 406, "NotAcceptableError");
  });

  test("garbage Accept-Version → 400 InvalidVersion", async () => {
    assertError(await signed("GET", "/my", { headers: { "accept-version": "not-a-range" } }), 400, "InvalidVersion");
  });

  test("oversized header block and broken request lines get a 4xx answer (as HAProxy gives, §3.5), not silence", async () => {
    const url = new URL(sim.url);
    const pending = [
      rawSocket(sim.url, `GET /my HTTP/1.1\r\nHost: ${url.host}\r\nX-Big: ${"a".repeat(20000)}\r\n\r\n`),
      rawSocket(sim.url, "THIS IS NOT HTTP\r\n\r\n"),
    ];
    // The server keeps serving while those connections are open.
    assert.equal((await signed("GET", "/my")).status, 200);
    const [huge, broken] = await Promise.all(pending);
    assert.match(huge.text, /^HTTP\/1\.1 4\d\d /, `oversized headers: ${huge.why}: ${huge.text.slice(0, 80)}`);
    assert.match(broken.text, /^HTTP\/1\.1 400 /, `broken request line: ${broken.why}: ${broken.text.slice(0, 80)}`);
    assertAlive();
  });
});

describe("a batch of bad requests", () => {
  test("150 hostile requests in parallel, then a normal request works and the process is alive", async () => {
    const big = JSON.stringify({ pad: "b".repeat(300000) });
    const makers = [
      () => signed("POST", "/my/machines", { body: "{oops", headers: { "content-type": "application/json" } }),
      () => signed("POST", "/my/keys", { body: big, headers: { "content-type": "application/json" } }),
      () => unsigned("GET", "/my/machines", { headers: { authorization: "Signature %%%" } }),
      () => unsigned("GET", "/my", { headers: { authorization: `Signature keyId="${"/".repeat(500)}",algorithm="rsa-sha256",signature="AA"` } }),
      () => signed("GET", "/my/machines/not-a-uuid"),
      () => signed("GET", "/my/machines?limit=-5&offset=abc&state[]=x"),
      () => signed("GET", "/my/machines?limit=99999999999999999999"),
      () => signed("POST", "/my/machines/not-a-uuid?action=%00"),
      () => signed("GET", "/my/machines/%ZZ"),
      () => signed("PUT", "/my/bogus", { body: { "role-tag": { not: "an array" } } }),
    ];
    const results = await Promise.allSettled(Array.from({ length: 150 }, (_, i) => makers[i % makers.length]()));
    for (const [i, r] of results.entries()) {
      assert.equal(r.status, "fulfilled", `request ${i % makers.length} failed at the socket: ${r.reason}`);
      assert.ok(r.value.status >= 400 && r.value.status < 500, `maker ${i % makers.length}: ${r.value.status} ${r.value.text}`);
      assert.equal(typeof r.value.json?.message, "string", `maker ${i % makers.length}: ${r.value.text}`);
    }
    assertAlive();
    const res = await signed("GET", "/my");
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.login, "badinput");
    const list = await signed("GET", "/my/machines");
    assert.equal(list.status, 200, list.text);
    assertAlive();
  });

  test("stops cleanly on SIGTERM", async () => {
    const r = await sim.stop();
    assert.ok(r.code === 0 || r.signal === "SIGTERM", JSON.stringify(r));
    sim = undefined;
  });
});
