// Signature fidelity (issue 2 "What must be shown", cloudapi.md §1): requests signed by
// Node's crypto and by http-signature's own signer, accepted and rejected exactly as
// CloudAPI's authorization parser + signatureAuth do.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  generateKey,
  httpDate,
  httpSignatureHeaders,
  httpSignatureSigner,
  keyIdFor,
  modernAuthorization,
  nodeSign,
  presignTarget,
  rawRequest,
  signHeaders,
  signingString,
  sshKeygenMd5,
  startSuite,
  waitFor,
} from "./helpers.mjs";

const BASE = { accept: "application/json", "accept-version": "~9" };
const TYPES = ["rsa", "ecdsa", "ed25519"];

let ctx;
let stranger; // a key the simulator has never seen

before(async () => {
  ctx = await startSuite({ sim: { throttle: false } });
  stranger = generateKey(ctx.dir, "rsa", "stranger");
});
after(async () => {
  await ctx?.close();
});

/** GET `target` with the given headers; returns the raw response. */
function get(target, headers) {
  return rawRequest(ctx.url, { method: "GET", path: target, headers: { ...BASE, ...headers } });
}

function assertError(res, status, code, messageRe) {
  assert.equal(res.status, status, `status (body: ${res.text})`);
  assert.ok(res.json, `JSON error body expected, got: ${res.text}`);
  assert.equal(res.json.code, code, `code (body: ${res.text})`);
  if (messageRe) assert.match(res.json.message, messageRe);
}

function assertAccount(res) {
  assert.equal(res.status, 200, `status (body: ${res.text})`);
  assert.equal(res.json.login, ctx.account);
}

describe("test keys", () => {
  test("md5 fingerprints equal ssh-keygen's and the simulator registered all three keys", () => {
    for (const t of TYPES) {
      const k = ctx.keys[t];
      assert.equal(k.md5, sshKeygenMd5(k.publicPath), t);
      assert.ok(
        ctx.sim.keys.some((s) => s.fingerprint === k.md5),
        `simulator keys ${JSON.stringify(ctx.sim.keys)} lack ${t} ${k.md5}`,
      );
    }
  });
});

describe("accepted signatures", () => {
  for (const t of TYPES) {
    test(`${t}: Node crypto, (request-target) date`, async () => {
      const key = ctx.keys[t];
      const target = "/my";
      assertAccount(await get(target, signHeaders({ target, key, keyId: ctx.keyId(key) })));
    });

    test(`${t}: Node crypto, x-date only (no Date header)`, async () => {
      const key = ctx.keys[t];
      const target = "/my/keys";
      const headers = signHeaders({ target, key, keyId: ctx.keyId(key), date: "x-date" });
      assert.equal(headers.date, undefined);
      const res = await get(target, headers);
      assert.equal(res.status, 200, res.text);
      assert.ok(res.json.some((k) => k.fingerprint === key.md5));
    });

    test(`${t}: Node crypto, headers= omitted (defaults to date)`, async () => {
      const key = ctx.keys[t];
      assertAccount(await get("/my", signHeaders({ target: "/my", key, keyId: ctx.keyId(key), omitHeadersParam: true })));
    });

    test(`${t}: http-signature signRequest, (request-target) date`, async () => {
      const key = ctx.keys[t];
      const target = "/my?x=1";
      assertAccount(await get(target, httpSignatureHeaders({ target, key, keyId: ctx.keyId(key) })));
    });

    test(`${t}: http-signature signRequest, Date + x-date with x-date signed`, async () => {
      const key = ctx.keys[t];
      const headers = httpSignatureHeaders({ target: "/my", key, keyId: ctx.keyId(key), xDate: true });
      assert.ok(headers.date && headers["x-date"]);
      assertAccount(await get("/my", headers));
    });

    test(`${t}: http-signature createSigner (node-triton's path)`, async () => {
      const key = ctx.keys[t];
      assertAccount(await get("/my", await httpSignatureSigner({ target: "/my", key, keyId: ctx.keyId(key) })));
    });
  }

  test("ECDSA signature is DER (SEQUENCE), as http-signature expects", () => {
    const sig = Buffer.from(nodeSign(ctx.keys.ecdsa.privateKey, "ecdsa-sha256", "x"), "base64");
    assert.equal(sig[0], 0x30);
    assert.equal(sig[1], sig.length - 2);
  });

  test("rsa-sha1 and rsa-sha512 are accepted", async () => {
    for (const algorithm of ["rsa-sha1", "rsa-sha512"]) {
      const key = ctx.keys.rsa;
      assertAccount(await get("/my", signHeaders({ target: "/my", key, keyId: ctx.keyId(key), algorithm })));
    }
  });

  test("algorithm name is case-insensitive (RSA-SHA256)", async () => {
    const key = ctx.keys.rsa;
    const headers = signHeaders({ target: "/my", key, keyId: ctx.keyId(key), algorithm: "RSA-SHA256" });
    assertAccount(await get("/my", headers));
  });

  test("(request-target) host date is accepted", async () => {
    const key = ctx.keys.rsa;
    const host = new URL(ctx.url).host;
    const headers = signHeaders({
      target: "/my",
      key,
      keyId: ctx.keyId(key),
      headers: { host },
      signed: ["(request-target)", "host", "date"],
    });
    assertAccount(await get("/my", headers));
  });

  test("legacy 0.9 header form (RSA, raw Date value signed)", async () => {
    const key = ctx.keys.rsa;
    const headers = signHeaders({ target: "/my", key, keyId: ctx.keyId(key), form: "legacy" });
    assert.match(headers.authorization, /^Signature keyId="[^"]+",algorithm="rsa-sha256" [A-Za-z0-9+/=]+$/);
    assertAccount(await get("/my", headers));
  });

  test("legacy 0.9 header form with x-date", async () => {
    const key = ctx.keys.rsa;
    const headers = signHeaders({ target: "/my", key, keyId: ctx.keyId(key), form: "legacy", date: "x-date" });
    assertAccount(await get("/my", headers));
  });

  test("keyId may name the key instead of its fingerprint", async () => {
    const key = ctx.keys.rsa;
    const stored = ctx.sim.keys.find((k) => k.fingerprint === key.md5);
    assert.ok(stored?.name, "simulator reports the key's name");
    const headers = signHeaders({ target: "/my", key, keyId: keyIdFor(ctx.account, stored.name) });
    assertAccount(await get("/my", headers));
  });

  test("keyId may use the account login with a /my path; the `my` alias is refused in keyId", async () => {
    const key = ctx.keys.rsa;
    assertAccount(await get("/my", signHeaders({ target: "/my", key, keyId: ctx.keyId(key) })));
    const res = await get("/my", signHeaders({ target: "/my", key, keyId: keyIdFor("my", key.md5) }));
    assertError(res, 401, "InvalidCredentials");
  });

  test("/<login> path works like /my", async () => {
    const key = ctx.keys.rsa;
    const target = `/${ctx.account}`;
    assertAccount(await get(target, signHeaders({ target, key, keyId: ctx.keyId(key) })));
  });
});

describe("rejected signatures", () => {
  test("no Authorization → 401 InvalidCredentials", async () => {
    assertError(await get("/my", { date: httpDate() }), 401, "InvalidCredentials", /must make authenticated requests/);
  });

  test("unknown scheme (Bearer) → 401 InvalidCredentials", async () => {
    const res = await get("/my", { date: httpDate(), authorization: "Bearer abc.def" });
    assertError(res, 401, "InvalidCredentials", /must make authenticated requests/);
  });

  test("wrong private key for a registered keyId → 401 InvalidCredentials", async () => {
    const key = ctx.keys.rsa;
    const headers = signHeaders({ target: "/my", key, keyId: ctx.keyId(key), privateKey: stranger.privateKey });
    assertError(await get("/my", headers), 401, "InvalidCredentials", /Invalid authorization credentials supplied/);
  });

  test("wrong key of another registered type (ECDSA keyId, Ed25519-signed) → 401", async () => {
    const headers = signHeaders({
      target: "/my",
      key: ctx.keys.ecdsa,
      keyId: ctx.keyId(ctx.keys.ecdsa),
      privateKey: ctx.keys.ed25519.privateKey,
      algorithm: "ed25519-sha512",
    });
    assertError(await get("/my", headers), 401, "InvalidCredentials");
  });

  test("unregistered key → 401 InvalidCredentials", async () => {
    const headers = signHeaders({ target: "/my", key: stranger, keyId: keyIdFor(ctx.account, stranger.md5) });
    assertError(await get("/my", headers), 401, "InvalidCredentials", /Invalid authorization credentials supplied/);
  });

  test("unknown login → 401 InvalidCredentials", async () => {
    const key = ctx.keys.rsa;
    const headers = signHeaders({ target: "/my", key, keyId: keyIdFor("nosuchuser", key.md5) });
    assertError(await get("/my", headers), 401, "InvalidCredentials");
  });

  test("SHA256 fingerprint in keyId → 401 InvalidCredentials", async () => {
    const key = ctx.keys.rsa;
    const headers = signHeaders({ target: "/my", key, keyId: keyIdFor(ctx.account, key.sha256) });
    assertError(await get("/my", headers), 401, "InvalidCredentials");
  });

  test("MD5:-prefixed fingerprint in keyId → 401 InvalidCredentials", async () => {
    const key = ctx.keys.rsa;
    const headers = signHeaders({ target: "/my", key, keyId: keyIdFor(ctx.account, `MD5:${key.md5}`) });
    assertError(await get("/my", headers), 401, "InvalidCredentials");
  });

  test("keyId of the wrong shape → 401 InvalidCredentials naming the keyId", async () => {
    const key = ctx.keys.rsa;
    const keyId = `/${ctx.account}/key/${key.md5}`;
    const headers = signHeaders({ target: "/my", key, keyId });
    assertError(await get("/my", headers), 401, "InvalidCredentials", /Invalid KeyId .* in authorization header/);
  });

  for (const offset of [-301 - 30, 301 + 30]) {
    test(`clock skew ${offset > 0 ? "+" : ""}${offset}s on Date → 400 InvalidHeader`, async () => {
      const key = ctx.keys.rsa;
      const headers = signHeaders({ target: "/my", key, keyId: ctx.keyId(key), dateOffsetSec: offset });
      assertError(await get("/my", headers), 400, "InvalidHeader", /clock skew of \d+(\.\d+)?s was greater than 300s/);
    });
  }

  test("clock skew on x-date → 400 InvalidHeader", async () => {
    const key = ctx.keys.ed25519;
    const headers = signHeaders({ target: "/my", key, keyId: ctx.keyId(key), date: "x-date", dateOffsetSec: -600 });
    assertError(await get("/my", headers), 400, "InvalidHeader", /clock skew/);
  });

  test("skew within 300 s is accepted (-200 s)", async () => {
    const key = ctx.keys.rsa;
    assertAccount(await get("/my", signHeaders({ target: "/my", key, keyId: ctx.keyId(key), dateOffsetSec: -200 })));
  });

  for (const algorithm of ["rsa-sha384", "ecdsa-sha384"]) {
    test(`unsupported algorithm ${algorithm} → 400 InvalidHeader`, async () => {
      const key = algorithm.startsWith("rsa") ? ctx.keys.rsa : ctx.keys.ecdsa;
      const headers = signHeaders({ target: "/my", key, keyId: ctx.keyId(key), algorithm });
      assertError(await get("/my", headers), 400, "InvalidHeader", /Authorization header invalid: .*not supported/);
    });
  }

  test("hmac-sha256 → 400 InvalidHeader", async () => {
    const headers = { date: httpDate() };
    headers.authorization = modernAuthorization({
      keyId: ctx.keyId(),
      algorithm: "hmac-sha256",
      headers: ["date"],
      signature: Buffer.from("x").toString("base64"),
    });
    assertError(await get("/my", headers), 400, "InvalidHeader");
  });

  test("tampered path: signed /my/keys, sent /my → 401 InvalidCredentials", async () => {
    const key = ctx.keys.rsa;
    const headers = signHeaders({ target: "/my/keys", key, keyId: ctx.keyId(key) });
    assertError(await get("/my", headers), 401, "InvalidCredentials");
  });

  test("tampered query string → 401 InvalidCredentials", async () => {
    const key = ctx.keys.ecdsa;
    const headers = signHeaders({ target: "/my/machines?limit=1", key, keyId: ctx.keyId(key) });
    assertError(await get("/my/machines?limit=2", headers), 401, "InvalidCredentials");
  });

  test("tampered Date after signing → 401 InvalidCredentials", async () => {
    const key = ctx.keys.rsa;
    const headers = signHeaders({ target: "/my", key, keyId: ctx.keyId(key), dateOffsetSec: -10 });
    headers.date = httpDate();
    assertError(await get("/my", headers), 401, "InvalidCredentials");
  });

  test("x-date and Date sent but only date signed → 400 InvalidHeader (x-date was not a signed header)", async () => {
    const key = ctx.keys.rsa;
    const headers = signHeaders({ target: "/my", key, keyId: ctx.keyId(key), date: "both", signed: ["(request-target)", "date"] });
    assertError(await get("/my", headers), 400, "InvalidHeader", /x-date was not a signed header/);
  });

  test("Date sent but not signed → 400 InvalidHeader (date was not a signed header)", async () => {
    const key = ctx.keys.rsa;
    const headers = signHeaders({ target: "/my", key, keyId: ctx.keyId(key), signed: ["(request-target)"] });
    assertError(await get("/my", headers), 400, "InvalidHeader", /date was not a signed header/);
  });

  test("no Date and no x-date → 400 InvalidHeader", async () => {
    const key = ctx.keys.rsa;
    const headers = {
      authorization: modernAuthorization({
        keyId: ctx.keyId(key),
        algorithm: "rsa-sha256",
        headers: null,
        signature: nodeSign(key.privateKey, "rsa-sha256", signingString("GET", "/my", {}, [])),
      }),
    };
    assertError(await get("/my", headers), 400, "InvalidHeader", /date was not in the request/);
  });

  test("spaces after commas in the modern form → 400 InvalidHeader", async () => {
    const key = ctx.keys.rsa;
    const headers = signHeaders({ target: "/my", key, keyId: ctx.keyId(key) });
    headers.authorization = headers.authorization.replaceAll('",', '", ');
    assertError(await get("/my", headers), 400, "InvalidHeader", /Authorization header invalid/);
  });

  test("unquoted keyId (the docs' example) → 400 InvalidHeader", async () => {
    const key = ctx.keys.rsa;
    const headers = signHeaders({ target: "/my", key, keyId: ctx.keyId(key), form: "legacy" });
    headers.authorization = headers.authorization.replace(/keyId="([^"]+)"/, "keyId=$1");
    assertError(await get("/my", headers), 400, "InvalidHeader");
  });

  test("legacy form with ECDSA (0.9 knows RSA/DSA only) → 400 InvalidHeader", async () => {
    const key = ctx.keys.ecdsa;
    const headers = signHeaders({ target: "/my", key, keyId: ctx.keyId(key), form: "legacy" });
    assertError(await get("/my", headers), 400, "InvalidHeader");
  });

  test("raw (P1363) ECDSA signature instead of DER → 401 InvalidCredentials", async () => {
    const key = ctx.keys.ecdsa;
    const headers = { date: httpDate() };
    const data = signingString("GET", "/my", headers, ["(request-target)", "date"]);
    const { sign } = await import("node:crypto");
    const raw = sign("sha256", Buffer.from(data), { key: key.privateKey, dsaEncoding: "ieee-p1363" });
    headers.authorization = modernAuthorization({
      keyId: ctx.keyId(key),
      algorithm: "ecdsa-sha256",
      headers: ["(request-target)", "date"],
      signature: raw.toString("base64"),
    });
    assertError(await get("/my", headers), 401, "InvalidCredentials");
  });

  test("Signature with nothing after it → 400 InvalidHeader", async () => {
    assertError(await get("/my", { date: httpDate(), authorization: "Signature" }), 400, "InvalidHeader", /BasicAuth content is invalid/);
  });
});

describe("sub-user keys", () => {
  test("a sub-user signs with /<login>/users/<sub>/keys/<fp>; RBAC then decides (403 → role → 200)", async () => {
    const sub = generateKey(ctx.dir, "ed25519", "sub-key");
    const login = `sub${Date.now() % 100000}`;
    const created = await ctx.request("POST", "/my/users", {
      body: { login, email: `${login}@example.com`, password: "Secret123!x" },
    });
    assert.equal(created.status, 201, created.text);
    const added = await ctx.request("POST", `/my/users/${login}/keys`, { body: { key: sub.publicLine, name: "sub-key" } });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.json.fingerprint, sub.md5);
    const keyId = keyIdFor(ctx.account, sub.md5, login);

    // Authenticated, but a sub-user without roles may do nothing on the account.
    const denied = await get("/my", signHeaders({ target: "/my", key: sub, keyId }));
    assertError(denied, 403, "NotAuthorized", /You do not have permission to access/);

    const policy = await ctx.request("POST", "/my/policies", { body: { name: `p-${login}`, rules: ["CAN getaccount"] } });
    assert.equal(policy.status, 201, policy.text);
    const role = await ctx.request("POST", "/my/roles", {
      body: { name: `r-${login}`, members: [{ type: "subuser", login, default: true }], policies: [{ name: `p-${login}` }] },
    });
    assert.equal(role.status, 201, role.text);
    // The role applies to resources tagged with it: tag the account itself.
    const tagged = await ctx.request("PUT", "/my", { body: { "role-tag": [`r-${login}`] } });
    assert.equal(tagged.status, 200, tagged.text);
    assert.deepEqual(tagged.json["role-tag"], [`r-${login}`]);
    // Role changes are eventually consistent in CloudAPI; poll briefly.
    const allowed = await waitFor(
      async () => {
        const r = await get("/my", signHeaders({ target: "/my", key: sub, keyId }));
        return r.status === 200 ? r : null;
      },
      { timeoutMs: 5000, what: "sub-user allowed by the new role" },
    );
    assertAccount(allowed);
    // Only what the policy says: listing keys is still denied.
    const keys = await get("/my/keys", signHeaders({ target: "/my/keys", key: sub, keyId }));
    assertError(keys, 403, "NotAuthorized");

    // Before 7.2 there are no sub-user keyIds.
    const old = await rawRequest(ctx.url, {
      path: "/my",
      headers: { ...BASE, "accept-version": "~7.1", ...signHeaders({ target: "/my", key: sub, keyId }) },
    });
    assertError(old, 401, "InvalidCredentials", /Invalid KeyId/);
  });
});

describe("pre-signed URLs (§1.6)", () => {
  function host() {
    return new URL(ctx.url).host;
  }

  for (const t of TYPES) {
    test(`${t}: good pre-signed GET → 200 with ACAO *`, async () => {
      const key = ctx.keys[t];
      const target = presignTarget({
        host: host(),
        path: "/my",
        key,
        keyId: ctx.keyId(key),
        expires: Math.floor(Date.now() / 1000) + 120,
      });
      const res = await rawRequest(ctx.url, { path: target, headers: { accept: "application/json" } });
      assertAccount(res);
      assert.equal(res.headers["access-control-allow-origin"], "*");
    });
  }

  test("method list GET,HEAD and extra query params are covered", async () => {
    const key = ctx.keys.rsa;
    const target = presignTarget({
      host: host(),
      path: "/my/machines",
      key,
      keyId: ctx.keyId(key),
      expires: Math.floor(Date.now() / 1000) + 60,
      methods: ["HEAD", "GET"],
      query: { limit: "5", "tag.role": "web (x)" },
    });
    const res = await rawRequest(ctx.url, { path: target, headers: { accept: "application/json" } });
    assert.equal(res.status, 200, res.text);
    assert.ok(Array.isArray(res.json));
  });

  test("expired → 500 {message: 'request expired'} without code", async () => {
    const key = ctx.keys.rsa;
    const target = presignTarget({ host: host(), path: "/my", key, keyId: ctx.keyId(key), expires: Math.floor(Date.now() / 1000) - 5 });
    const res = await rawRequest(ctx.url, { path: target, headers: { accept: "application/json" } });
    assert.equal(res.status, 500, res.text);
    assert.equal(res.json?.message, "request expired");
    assert.equal(res.json?.code, undefined);
  });

  test("bad signature (wrong key) → 401 InvalidCredentials", async () => {
    const key = ctx.keys.rsa;
    const target = presignTarget({
      host: host(),
      path: "/my",
      key,
      keyId: ctx.keyId(key),
      expires: Math.floor(Date.now() / 1000) + 60,
      privateKey: stranger.privateKey,
    });
    const res = await rawRequest(ctx.url, { path: target, headers: { accept: "application/json" } });
    assertError(res, 401, "InvalidCredentials");
  });

  test("signed for another path → 401 InvalidCredentials", async () => {
    const key = ctx.keys.rsa;
    const target = presignTarget({ host: host(), path: "/my/keys", key, keyId: ctx.keyId(key), expires: Math.floor(Date.now() / 1000) + 60 });
    const res = await rawRequest(ctx.url, { path: target.replace("/my/keys", "/my"), headers: { accept: "application/json" } });
    assertError(res, 401, "InvalidCredentials");
  });

  test("some but not all parameters → 500 naming the missing ones", async () => {
    const res = await rawRequest(ctx.url, { path: `/my?keyId=${encodeURIComponent(ctx.keyId())}&algorithm=rsa-sha256`, headers: { accept: "application/json" } });
    assert.equal(res.status, 500, res.text);
    assert.match(res.json?.message || "", /parameters "expires, signature" are required/);
  });

  test("method not in the signed list → 500 'was not a signed method'", async () => {
    const key = ctx.keys.rsa;
    const target = presignTarget({
      host: host(),
      path: "/my/keys",
      key,
      keyId: ctx.keyId(key),
      expires: Math.floor(Date.now() / 1000) + 60,
      methods: ["GET"],
    });
    const res = await rawRequest(ctx.url, { method: "POST", path: target, headers: { accept: "application/json" }, body: {} });
    assert.equal(res.status, 500, res.text);
    assert.match(res.json?.message || "", /POST was not a signed method/);
  });
});
