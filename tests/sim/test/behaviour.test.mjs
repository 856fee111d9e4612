// Behaviour tests (issue 2 "What must be shown"): pagination, 410 Gone, 409 argument errors,
// 405/404 routing quirks, version negotiation, throttling, read-only mode, fault injection
// and CORS, each checked against cloudapi.md.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { rawRequest, startSuite, waitFor } from "./helpers.mjs";

let ctx;

before(async () => {
  ctx = await startSuite({ sim: { throttle: false } });
});
after(async () => {
  await ctx?.close();
});

function assertError(res, status, code, messageRe) {
  assert.equal(res.status, status, `status (body: ${res.text})`);
  assert.ok(res.json, `JSON error body expected, got: ${res.text}`);
  assert.equal(res.json.code, code, `code (body: ${res.text})`);
  if (messageRe) assert.match(res.json.message, messageRe);
}

async function ok(method, p, opts) {
  const res = await ctx.request(method, p, opts);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${p} → ${res.status} ${res.text}`);
  return res;
}

/** Create a small SmartOS machine and wait until it runs. */
async function runningMachine(name) {
  const images = (await ok("GET", "/my/images")).json;
  const packages = (await ok("GET", "/my/packages")).json;
  const image = images.find((i) => i.os === "smartos" && i.type === "zone-dataset") || images[0];
  const pkg = packages
    .filter((p) => p.memory >= (image.requirements?.min_memory || 0))
    .sort((a, b) => a.memory - b.memory)[0];
  const res = await ctx.request("POST", "/my/machines", { body: { name, image: image.id, package: pkg.id } });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.headers.location, `/${ctx.account}/machines/${res.json.id}`);
  assert.equal(res.json.state, "provisioning");
  const id = res.json.id;
  await waitFor(async () => (await ctx.request("GET", `/my/machines/${id}`)).json?.state === "running", {
    what: `${name} running`,
  });
  return id;
}

describe("pagination", () => {
  test("2,500 machines → 3 pages of ≤1000, x-resource-count = page size, uuid-descending, no overlap", async () => {
    const first = await ok("GET", "/my/machines?limit=1000");
    const existing = first.json.length;
    assert.ok(existing < 500, "suite starts with few machines");
    const bulk = await ctx.admin("POST", "/__sim/machines/bulk", { count: 2500 });
    assert.ok(bulk.status >= 200 && bulk.status < 300, `bulk create: ${bulk.status} ${bulk.text}`);
    const total = existing + 2500;

    const pages = [];
    for (let offset = 0; ; offset += 1000) {
      const res = await ok("GET", `/my/machines?offset=${offset}&limit=1000`);
      assert.equal(res.headers["x-query-limit"], "1000");
      assert.equal(res.headers["x-resource-count"], String(res.json.length), "x-resource-count is this page's size");
      pages.push(res.json);
      if (res.json.length < 1000) break;
    }
    assert.equal(pages.length, 3);
    assert.deepEqual(pages.map((p) => p.length), [1000, 1000, total - 2000]);
    const all = pages.flat().map((m) => m.id);
    assert.equal(new Set(all).size, total, "no machine twice");
    const sorted = [...all].sort().reverse();
    assert.deepEqual(all, sorted, "uuid-descending across pages");
  });

  test("default limit is 1000 and x-resource-count is not a total", async () => {
    const res = await ok("GET", "/my/machines");
    assert.equal(res.json.length, 1000);
    assert.equal(res.headers["x-resource-count"], "1000");
    assert.equal(res.headers["x-query-limit"], "1000");
  });

  test("HEAD /my/machines has the headers and no body", async () => {
    const res = await ok("HEAD", "/my/machines?limit=7");
    assert.equal(res.text, "");
    assert.equal(res.headers["x-resource-count"], "7");
    assert.equal(res.headers["x-query-limit"], "7");
  });

  test("limit above 1000 → 409", async () => {
    const res = await ctx.request("GET", "/my/machines?limit=1001");
    assert.equal(res.status, 409, res.text);
    assert.ok(res.json?.code, res.text);
  });
});

describe("machine lifecycle errors", () => {
  let id;
  before(async () => {
    id = await runningMachine("gone-soon");
  });

  test("POST without action → 409 MissingParameter", async () => {
    const res = await ctx.request("POST", `/my/machines/${id}`, { body: {} });
    assertError(res, 409, "MissingParameter", /action is required/);
  });

  test("unknown action → 409 InvalidArgument", async () => {
    const res = await ctx.request("POST", `/my/machines/${id}?action=explode`);
    assertError(res, 409, "InvalidArgument", /explode is not a valid action/);
  });

  test("stop → 202 with empty body, state moves stopping → stopped", async () => {
    const res = await ctx.request("POST", `/my/machines/${id}?action=stop`);
    assert.equal(res.status, 202, res.text);
    assert.equal(res.text, "");
    await waitFor(async () => (await ctx.request("GET", `/my/machines/${id}`)).json?.state === "stopped", { what: "stopped" });
  });

  test("delete → 204, then GET → 410 Gone with the machine object", async () => {
    const del = await ctx.request("DELETE", `/my/machines/${id}`);
    assert.equal(del.status, 204, del.text);
    const res = await waitFor(
      async () => {
        const r = await ctx.request("GET", `/my/machines/${id}`);
        return r.status === 410 ? r : null;
      },
      { what: "410" },
    );
    assert.equal(res.json.id, id);
    assert.equal(res.json.state, "deleted");
  });

  test("actions and DELETE on a deleted machine → 410", async () => {
    const act = await ctx.request("POST", `/my/machines/${id}?action=start`);
    assert.equal(act.status, 410, act.text);
    const del = await ctx.request("DELETE", `/my/machines/${id}`);
    assert.equal(del.status, 410, del.text);
  });

  test("deleted machines are listed only with state=destroyed or tombstone", async () => {
    const active = await ok("GET", "/my/machines?name=gone-soon");
    assert.equal(active.json.length, 0);
    const dead = await ok("GET", "/my/machines?name=gone-soon&state=destroyed");
    assert.equal(dead.json.length, 1);
  });
});

describe("asynchronous jobs", () => {
  let id;
  before(async () => {
    id = await runningMachine("jobs");
  });

  test("AddMachineTags answers the merged map + x-job-uuid; the change is applied later", async () => {
    const res = await ctx.request("POST", `/my/machines/${id}/tags`, { body: { colour: "red" } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.colour, "red");
    assert.match(res.headers["x-job-uuid"] || "", /^[0-9a-f-]{36}$/);
    await waitFor(async () => (await ctx.request("GET", `/my/machines/${id}/tags`)).json?.colour === "red", { what: "tag applied" });
  });

  test("CreateMachineSnapshot → 201 {name, state: queued}, then created", async () => {
    const res = await ctx.request("POST", `/my/machines/${id}/snapshots`, { body: { name: "s1" } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.name, "s1");
    assert.equal(res.json.state, "queued");
    await waitFor(async () => (await ctx.request("GET", `/my/machines/${id}/snapshots/s1`)).json?.state === "created", {
      what: "snapshot created",
    });
  });

  test("an action while provisioning → 409", async () => {
    const images = (await ok("GET", "/my/images")).json;
    const image = images.find((i) => i.os === "smartos" && i.type === "zone-dataset") || images[0];
    const pkg = (await ok("GET", "/my/packages")).json.sort((a, b) => b.memory - a.memory)[0];
    const created = await ctx.request("POST", "/my/machines", { body: { name: "young", image: image.id, package: pkg.id } });
    assert.equal(created.status, 201, created.text);
    const res = await ctx.request("POST", `/my/machines/${created.json.id}?action=stop`);
    assert.equal(res.status, 409, res.text);
    assert.ok(res.json?.code, res.text);
  });

  test("HEAD on a GET route: same headers, no body", async () => {
    const get = await ok("GET", `/my/machines/${id}`);
    const head = await ok("HEAD", `/my/machines/${id}`);
    assert.equal(head.text, "");
    assert.equal(head.headers["content-length"], get.headers["content-length"]);
  });
});

describe("argument errors are 409", () => {
  test("CreateMachine without image → 409", async () => {
    const res = await ctx.request("POST", "/my/machines", { body: { name: "x" } });
    assert.equal(res.status, 409, res.text);
    assert.match(res.json?.code || "", /^(MissingParameter|InvalidArgument)$/);
  });

  test("CreateKey without key → 409 MissingParameter", async () => {
    assertError(await ctx.request("POST", "/my/keys", { body: { name: "nokey" } }), 409, "MissingParameter");
  });

  test("ListMachines state=bogus → 409 InvalidArgument", async () => {
    assertError(await ctx.request("GET", "/my/machines?state=bogus"), 409, "InvalidArgument", /bogus is not a valid state/);
  });

  test("CreateKey with form encoding → 415", async () => {
    const res = await ctx.request("POST", "/my/keys", {
      body: "name=x&key=ssh-rsa%20AAAA",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assertError(res, 415, "UnsupportedMediaTypeError");
  });
});

describe("routing quirks", () => {
  test("unknown 2-segment path → 405 MethodNotAllowedError with Allow: PUT", async () => {
    const res = await ctx.request("GET", "/my/bogus");
    assertError(res, 405, "MethodNotAllowedError", /GET is not allowed/);
    assert.match(res.headers.allow || "", /PUT/);
  });

  test("unknown 3-segment path → 405 too", async () => {
    const res = await ctx.request("GET", "/my/bogus/x");
    assertError(res, 405, "MethodNotAllowedError");
    assert.match(res.headers.allow || "", /PUT/);
  });

  test("PUT on the 2-segment role-tag route with an unknown collection → 404 'is not a valid resource'", async () => {
    const res = await ctx.request("PUT", "/my/bogus", { body: { "role-tag": [] } });
    assertError(res, 404, "ResourceNotFound", /bogus is not a valid resource/);
  });

  test("unknown 4-segment path → 404 ResourceNotFound '<path> does not exist'", async () => {
    const res = await ctx.request("GET", "/my/a/b/c");
    assertError(res, 404, "ResourceNotFound", /\/my\/a\/b\/c does not exist/);
  });

  test("router errors lack the fullResponse headers; 401 carries them", async () => {
    const notFound = await ctx.request("GET", "/my/a/b/c");
    assert.equal(notFound.headers["api-version"], undefined);
    assert.equal(notFound.headers["access-control-allow-origin"], undefined);
    const unauth = await rawRequest(ctx.url, { path: "/my", headers: { accept: "application/json" } });
    assert.equal(unauth.status, 401);
    assert.equal(unauth.headers["api-version"], "9.0.0");
    assert.equal(unauth.headers["access-control-allow-origin"], "*");
  });

  test("standard headers: Api-Version 9.0.0, Server cloudapi/…, Request-Id echoes x-request-id", async () => {
    const res = await ok("GET", "/my", { headers: { "x-request-id": "peer-req-1" } });
    assert.equal(res.headers["api-version"], "9.0.0");
    assert.match(res.headers.server || "", /^cloudapi\//);
    assert.equal(res.headers["request-id"], "peer-req-1");
    assert.ok(res.headers["response-time"] !== undefined);
  });

  test("/--ping needs no auth and names the datacenter", async () => {
    const res = await rawRequest(ctx.url, { path: "/--ping", headers: { accept: "application/json" } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.ping, "pong");
    assert.ok(res.json.cloudapi.versions.includes("9.0.0"));
    assert.ok(res.headers["triton-datacenter-name"]);
  });

  test("GetDatacenter → 302 with Location and a ResourceMoved body", async () => {
    const dcs = (await ok("GET", "/my/datacenters")).json;
    const [name, url] = Object.entries(dcs)[0];
    const res = await ctx.request("GET", `/my/datacenters/${name}`);
    assert.equal(res.status, 302, res.text);
    assert.equal(res.headers.location, url);
    assert.equal(res.json.code, "ResourceMoved");
  });
});

describe("version negotiation", () => {
  test("Accept-Version ~7.0 on a 7.3+ route (fabric VLANs) → 400 InvalidVersion", async () => {
    const res = await ctx.request("GET", "/my/fabrics/default/vlans", { version: "~7.0" });
    assertError(res, 400, "InvalidVersion", /~7\.0 is not supported by GET \/my\/fabrics\/default\/vlans/);
    const okRes = await ctx.request("GET", "/my/fabrics/default/vlans", { version: "~9" });
    assert.equal(okRes.status, 200, okRes.text);
  });

  test("Accept-Version ~7.0 is served on routes that list 7.0", async () => {
    const res = await ctx.request("GET", "/my/machines?limit=1", { version: "~7.0" });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers["api-version"], "9.0.0", "restify answers with the highest version");
  });

  test("Accept-Version 5.0.0 → 400 InvalidVersion everywhere", async () => {
    assertError(await ctx.request("GET", "/my", { version: "5.0.0" }), 400, "InvalidVersion");
  });

  test("VNC quirk: route is 8.4.0 only, so ~9 → InvalidVersion and ~9||~8 reaches the handler", async () => {
    const machines = (await ok("GET", "/my/machines?limit=1")).json;
    assert.ok(machines.length, "need a machine");
    const id = machines[0].id;
    const nine = await ctx.request("GET", `/my/machines/${id}/vnc`, { version: "~9" });
    assertError(nine, 400, "InvalidVersion");
    const both = await ctx.request("GET", `/my/machines/${id}/vnc`, { version: "~9||~8" });
    assert.equal(both.status, 400, both.text);
    assert.match(both.json?.code || "", /^(MachineHasNoVNCError|MachineStoppedError|UpgradeRequiredError)$/);
  });
});

describe("throttling", () => {
  let t;
  before(async () => {
    t = await startSuite({ sim: { throttle: true } });
  });
  after(async () => {
    await t?.close();
  });

  test("a burst beyond 30 gets 429 TooManyRequestsError without Retry-After, and service resumes", async () => {
    const results = await Promise.all(Array.from({ length: 60 }, () => t.request("GET", "/my/packages")));
    const statuses = results.map((r) => r.status);
    const limited = results.filter((r) => r.status === 429);
    assert.ok(statuses.filter((s) => s === 200).length >= 30, `statuses: ${statuses}`);
    assert.ok(limited.length >= 1, `expected some 429s: ${statuses}`);
    assert.equal(limited[0].json.code, "TooManyRequestsError");
    assert.match(limited[0].json.message, /You have exceeded your request rate of 10 r\/s\./);
    assert.equal(limited[0].headers["retry-after"], undefined);
    // Another endpoint group has its own bucket.
    assert.equal((await t.request("GET", "/my/keys")).status, 200);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await t.request("GET", "/my/packages")).status, 200);
  });
});

describe("read-only mode", () => {
  after(async () => {
    await ctx.admin("POST", "/__sim/readonly", { enabled: false });
  });

  test("writes get 503 ServiceUnavailableError with Retry-After; reads keep working", async () => {
    const on = await ctx.admin("POST", "/__sim/readonly", { enabled: true, retryAfter: 120 });
    assert.ok(on.status >= 200 && on.status < 300, on.text);
    const w = await ctx.request("POST", "/my/keys", { body: { name: "ro", key: ctx.keys.ed25519.publicLine } });
    assertError(w, 503, "ServiceUnavailableError");
    assert.ok(w.headers["retry-after"], "Retry-After present");
    assert.ok(!Number.isNaN(Date.parse(w.headers["retry-after"])) || /^\d+$/.test(w.headers["retry-after"]));
    assert.equal((await ctx.request("GET", "/my/keys")).status, 200);
    const off = await ctx.admin("POST", "/__sim/readonly", { enabled: false });
    assert.ok(off.status >= 200 && off.status < 300, off.text);
    const again = await ctx.request("GET", "/my/packages");
    assert.equal(again.status, 200);
  });
});

describe("fault injection", () => {
  async function fault(spec) {
    const res = await ctx.admin("POST", "/__sim/faults", spec);
    assert.ok(res.status >= 200 && res.status < 300, `set fault: ${res.status} ${res.text}`);
  }
  after(async () => {
    await ctx.admin("DELETE", "/__sim/faults");
  });

  test("status + body for the next N matching requests, then normal", async () => {
    await fault({ kind: "status", method: "GET", path: "^/my/packages$", count: 2, status: 500, body: { code: "InternalError", message: "injected" } });
    for (let i = 0; i < 2; i++) assertError(await ctx.request("GET", "/my/packages"), 500, "InternalError", /injected/);
    assert.equal((await ctx.request("GET", "/my/packages")).status, 200);
  });

  test("only the matching method/path are affected", async () => {
    await fault({ kind: "status", method: "POST", path: "^/my/packages$", count: 1, status: 503 });
    assert.equal((await ctx.request("GET", "/my/packages")).status, 200);
    assert.equal((await ctx.request("GET", "/my/keys")).status, 200);
    const pending = await ctx.admin("GET", "/__sim/faults");
    assert.equal(pending.json.faults.length, 1, "the POST fault is still pending");
    await ctx.admin("DELETE", "/__sim/faults");
  });

  test("delay", async () => {
    await fault({ kind: "delay", method: "GET", path: "^/my/keys$", count: 1, delayMs: 600 });
    const t0 = Date.now();
    const res = await ctx.request("GET", "/my/keys");
    assert.equal(res.status, 200);
    assert.ok(Date.now() - t0 >= 550, `took ${Date.now() - t0} ms`);
    const t1 = Date.now();
    assert.equal((await ctx.request("GET", "/my/keys")).status, 200);
    assert.ok(Date.now() - t1 < 550, "only the next request is delayed");
  });

  test("dropped connection", async () => {
    await fault({ kind: "drop", method: "GET", path: "^/my/keys$", count: 1 });
    await assert.rejects(ctx.request("GET", "/my/keys"), (e) => /ECONNRESET|socket hang up|aborted/i.test(`${e.code} ${e.message}`));
    assert.equal((await ctx.request("GET", "/my/keys")).status, 200);
  });

  test("truncated body", async () => {
    await fault({ kind: "truncate", method: "GET", path: "^/my/packages$", count: 1 });
    await assert.rejects(ctx.request("GET", "/my/packages"), (e) => /ETRUNCATED|ECONNRESET|aborted|hang up/i.test(`${e.code} ${e.message}`));
    assert.equal((await ctx.request("GET", "/my/packages")).status, 200);
  });

  test("non-JSON body labelled application/json", async () => {
    await fault({ kind: "nonjson", method: "GET", path: "^/my/packages$", count: 1, status: 200 });
    const res = await ctx.request("GET", "/my/packages");
    assert.equal(res.status, 200);
    assert.match(res.headers["content-type"] || "", /application\/json/);
    assert.ok(res.text.length > 0);
    assert.throws(() => JSON.parse(res.text));
  });

  test("HTML error page (as from a proxy)", async () => {
    await fault({ kind: "html", method: "GET", path: "^/my$", count: 1, status: 502 });
    const res = await ctx.request("GET", "/my");
    assert.equal(res.status, 502);
    assert.match(res.headers["content-type"] || "", /text\/html/);
    assert.match(res.text, /<html/i);
    assert.equal((await ctx.request("GET", "/my")).status, 200);
  });

  test("status fault with a custom status and no body", async () => {
    await fault({ kind: "status", method: "GET", path: "^/my/keys$", count: 1, status: 503, headers: { "retry-after": "2" } });
    const res = await ctx.request("GET", "/my/keys");
    assert.equal(res.status, 503);
    assert.equal(res.headers["retry-after"], "2");
  });

  test("bad fault specs are refused with 409", async () => {
    for (const spec of [{ kind: "explode" }, { kind: "status", status: 42 }, { kind: "delay", delayMs: -1 }, { kind: "drop", path: "(" }]) {
      const res = await ctx.admin("POST", "/__sim/faults", spec);
      assert.equal(res.status, 409, `${JSON.stringify(spec)}: ${res.status} ${res.text}`);
    }
  });

  test("admin API refuses a wrong token and is not a CloudAPI path", async () => {
    const res = await rawRequest(ctx.url, {
      method: "POST",
      path: "/__sim/faults",
      headers: { "x-sim-admin-token": "nope", accept: "application/json" },
      body: { method: "GET", path: "/my", count: 1, status: 500 },
    });
    assert.ok(res.status === 401 || res.status === 403 || res.status === 404, `${res.status} ${res.text}`);
    assert.equal((await ctx.request("GET", "/my")).status, 200);
  });
});

describe("CORS (faithful)", () => {
  test("preflight asking for authorization → 405 without Access-Control-Allow-Origin", async () => {
    const res = await rawRequest(ctx.url, {
      method: "OPTIONS",
      path: "/my/machines",
      headers: {
        origin: "http://example.test",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization, x-date, accept-version",
      },
    });
    assertError(res, 405, "MethodNotAllowedError", /OPTIONS is not allowed/);
    assert.equal(res.headers["access-control-allow-origin"], undefined);
    assert.match(res.headers.allow || "", /GET/);
  });

  test("preflight with only safelisted headers → 200 with ACAO *", async () => {
    const res = await rawRequest(ctx.url, {
      method: "OPTIONS",
      path: "/my/machines",
      headers: {
        origin: "http://example.test",
        "access-control-request-method": "POST",
        "access-control-request-headers": "accept-version, content-type",
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers["access-control-allow-origin"], "*");
    assert.match(res.headers["access-control-allow-methods"] || "", /POST/);
    assert.equal(
      res.headers["access-control-allow-headers"],
      "accept, accept-version, content-type, request-id, origin, x-api-version, x-request-id",
    );
    assert.equal(res.headers["access-control-max-age"], "3600");
  });

  test("simple signed GET carries ACAO * and the fullResponse CORS headers", async () => {
    const res = await ok("GET", "/my", { headers: { origin: "http://example.test" } });
    assert.equal(res.headers["access-control-allow-origin"], "*");
    assert.match(res.headers["access-control-expose-headers"] || "", /Api-Version/);
    assert.doesNotMatch(res.headers["access-control-allow-headers"] || "", /authorization/i);
  });
});
