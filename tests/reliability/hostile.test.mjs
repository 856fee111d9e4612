// Hostile responses (issue 7): oversized bodies, JSON nested 100,000 levels deep, redirects to
// another host, and header-injection characters in names, tags and metadata keys. Each must end
// in a clear error (or be carried safely), with bounded memory, nothing followed off-host, and
// the instance still working afterwards (no wasm trap).
import { wasmMemoryBytes } from "./lib/wasm-memory.mjs";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { KEYS, dataCenter, lib, recordingFetch, sim, startSim, stopSim } from "../pkg/suites/lib/fixtures.mjs";

const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(reason));

const MB = 1024 * 1024;
const ID = "2e3c5a9c-7f6d-4a1f-9f2b-3c4d5e6f7a8b";
const cloud = (code, re) => (e) => {
  assert.equal(e.name, "CloudApiError", e.stack);
  assert.equal(e.code, code, e.message);
  if (re) assert.match(e.message, re);
  return true;
};

/** A server that answers whatever `handler` says; counts requests and bytes it wrote. */
async function serve(handler) {
  const s = { requests: [], written: 0, closed: 0 };
  s.server = http.createServer((req, res) => {
    s.requests.push({ method: req.method, url: req.url, headers: req.headers });
    req.resume();
    res.on("close", () => s.closed++);
    handler(req, res, s);
  });
  await new Promise((r) => s.server.listen(0, "127.0.0.1", r));
  s.url = `http://127.0.0.1:${s.server.address().port}`;
  s.close = () => new Promise((r) => { s.server.closeAllConnections(); s.server.close(r); });
  return s;
}

/** Streams `total` bytes of a JSON string in 1 MiB chunks, stopping when the client leaves. */
function streamBig(res, s, total) {
  const chunk = Buffer.alloc(MB, 0x61);
  res.write('"');
  s.written += 1;
  const pump = () => {
    while (s.written < total - 1) {
      if (res.destroyed) return;
      s.written += chunk.length;
      if (!res.write(chunk)) return res.once("drain", pump);
    }
    res.end('"');
  };
  pump();
}

const waitFor = async (cond, ms = 2000) => {
  for (const t0 = Date.now(); !cond() && Date.now() - t0 < ms; ) await new Promise((r) => setTimeout(r, 10));
};

describe("hostile responses", () => {
  let mode;
  let hostile;
  let other;
  const dc = (opts = {}) => new lib.DataCenter({ url: hostile.url, account: "testuser", privateKey: KEYS.openssh.privateKey, retries: 0, timeout: 20000, ...opts });
  const healthy = (req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id: ID, name: "fine", state: "running" }));
  };

  before(async () => {
    await startSim();
    other = await serve(healthy);
    hostile = await serve((req, res, s) => (mode || healthy)(req, res, s));
  });
  after(async () => {
    await hostile.close();
    await other.close();
    await stopSim();
  });

  test("a 50 MB body with Content-Length is refused unread; wasm memory does not grow", async () => {
    const d = dc();
    await d.machine(ID); // warm-up: the instance's steady memory
    const before = wasmMemoryBytes();
    hostile.written = 0;
    mode = (req, res, s) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(50 * MB) });
      streamBig(res, s, 50 * MB);
    };
    await assert.rejects(d.machine(ID), cloud("InvalidResponse", /52428800 bytes.*32 MiB/));
    await waitFor(() => hostile.written >= 50 * MB || hostile.closed >= 2, 3000);
    assert.ok(hostile.written < 50 * MB, `the whole body was downloaded (${hostile.written} bytes)`);
    assert.ok(wasmMemoryBytes() - before < 2 * MB, `wasm memory grew by ${(wasmMemoryBytes() - before) / MB} MiB`);
    mode = undefined;
    assert.equal((await d.machine(ID)).id, ID);
  });

  test("a 50 MB chunked body (no Content-Length) is cut at 32 MiB; memory bounded and reused", async () => {
    const d = dc();
    mode = (req, res, s) => {
      res.writeHead(200, { "content-type": "application/json" });
      streamBig(res, s, 50 * MB);
    };
    const sizes = [wasmMemoryBytes()];
    for (let i = 0; i < 3; i++) {
      hostile.written = 0;
      await assert.rejects(d.machine(ID), cloud("InvalidResponse", /more than the 32 MiB/));
      await waitFor(() => hostile.written >= 50 * MB, 500);
      assert.ok(hostile.written < 50 * MB, `the whole body was downloaded (${hostile.written} bytes)`);
      sizes.push(wasmMemoryBytes());
    }
    mode = undefined;
    assert.equal((await d.machine(ID)).id, ID);
    // The chunks stay in JS until the body is complete: a refused body costs no wasm memory.
    assert.ok(sizes[3] - sizes[0] <= 1 * MB, `wasm memory grew: ${sizes.map((b) => b / MB)} MiB`);
  });

  test("JSON nested 100,000 levels deep: a clear error for 200 and 500, and the next call works", async () => {
    const d = dc();
    const deep = "[".repeat(100000) + "]".repeat(100000);
    const deepObject = '{"a":'.repeat(100000) + "1" + "}".repeat(100000);
    for (const [status, body, call] of [
      [200, deep, () => d.machine(ID)],
      [200, deepObject, () => d.machines()],
      [500, deepObject, () => d.machine(ID)],
      [503, `{"code":"ServiceUnavailable","message":"x","x":${deep}}`, () => d.machine(ID)],
    ]) {
      mode = (req, res) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(body);
      };
      await assert.rejects(call(), (e) => cloud("InvalidResponse", /nested more than 128 levels/)(e) && e.statusCode === status);
      mode = undefined;
      assert.equal((await d.machine(ID)).id, ID, `unusable after a deep ${status} body`);
    }
  });

  test("a Location to another host is never followed (GET, action POST, 301/302/307/308)", async () => {
    const d = dc();
    for (const status of [301, 302, 303, 307, 308]) {
      mode = (req, res) => {
        res.writeHead(status, { location: `${other.url}/testuser/machines/${ID}`, "content-type": "application/json" });
        res.end("{}");
      };
      await assert.rejects(d.machine(ID), cloud("Redirect", new RegExp(`HTTP ${status}.*redirected to ${other.url}`)));
    }
    mode = undefined;
    const machine = await d.machine(ID);
    mode = (req, res) => {
      res.writeHead(307, { location: `${other.url}/testuser/machines/${ID}?action=stop` });
      res.end();
    };
    await assert.rejects(machine.stop(), cloud("Redirect", /redirected to/));
    mode = undefined;
    assert.equal(other.requests.length, 0, `followed off-host: ${JSON.stringify(other.requests.map((r) => r.url))}`);
  });

  test("CloudAPI's own 302 (AddNic on a network the machine is already on) is read, not followed", async () => {
    const { fetch, calls } = recordingFetch();
    const d = dataCenter({ fetch });
    const [id] = (await sim.admin("/__sim/machines/bulk", { count: 1, namePrefix: "nic302-" })).ids;
    const m = await d.machine(id);
    const [nic] = await m.nics();
    const again = await m.addNic({ network: nic.network });
    assert.equal(again.mac, nic.mac);
    const post = calls.findIndex((c) => c.method === "POST");
    assert.ok(post >= 0 && calls[post + 1]?.url.endsWith(`/nics/${nic.mac.replace(/:/g, "")}`), calls.map((c) => `${c.method} ${c.url}`).join("\n"));
  });

  test("CR/LF in header names and values of the headers option: TypeError, nothing sent", async () => {
    const { fetch, calls } = recordingFetch();
    for (const headers of [{ "x-a": "1\r\nx-evil: 2" }, { "x-a\r\nx-evil": "1" }, { "x-a": "1\nx" }, { "x a": "1" }]) {
      assert.throws(() => dataCenter({ fetch, headers }), TypeError, JSON.stringify(headers));
    }
    const d = dataCenter({ fetch });
    await assert.rejects(d.request("GET", `/${sim.account}/machines`, { headers: { "x-a": "v\r\nx-evil: 1" } }), TypeError);
    assert.equal(calls.length, 0);
  });

  test("CR/LF in tags and metadata travel encoded and come back intact; in a metadata key path, refused", async () => {
    const { fetch, calls } = recordingFetch();
    const d = dataCenter({ fetch });
    const evil = "v\r\nX-Evil: 1";
    const m = await d.createMachine({
      name: "crlf-test",
      image: sim.store.seedImages.base.id,
      package: "sample-512M",
      tags: { role: evil },
      metadata: { note: evil },
    });
    assert.equal(m.tags.role, evil);
    const found = await d.machines({ tags: { role: evil } });
    assert.deepEqual(found.map((x) => x.id), [m.id]);
    const sent = calls.length;
    await assert.rejects(m.deleteMetadata("k\r\nX-Evil: 1"), cloud("InvalidArgument", /control characters/));
    assert.equal(calls.length, sent, "a metadata key with CR/LF was sent");
    for (const c of calls) {
      assert.ok(!/[\r\n]/.test(c.url), `raw CR/LF in ${JSON.stringify(c.url)}`);
      for (const [k, v] of Object.entries(c.headers)) {
        assert.ok(!/[\r\n]/.test(k + v), `CR/LF in header ${k}`);
        assert.notEqual(k.toLowerCase(), "x-evil");
      }
    }
    assert.ok(calls.some((c) => c.url.includes("tag.role=v%0D%0AX-Evil%3A%201")), calls.map((c) => c.url).join("\n"));
    const stored = sim.store.machines.get(m.id);
    assert.equal(stored.tags.role, evil);
  });

  test("CR/LF and control characters in a server's error text do not reach the message", async () => {
    const d = dc();
    mode = (req, res) => {
      res.writeHead(409, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "Conflict\r\nX", message: "name\r\nX-Evil: 1\u0000\u001b[31m taken" }));
    };
    const e = await d.machine(ID).catch((x) => x);
    mode = undefined;
    assert.equal(e.name, "CloudApiError");
    assert.ok(!/[\u0000-\u001f]/.test(e.message + e.code), JSON.stringify([e.code, e.message]));
    assert.match(e.message, /name X-Evil: 1/);
  });

  test("no promise rejection went unhandled", async () => {
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(unhandled.map(String), []);
  });
});
