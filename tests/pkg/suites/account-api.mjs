// Account-level CloudAPI 9.x calls: limits, config, access keys, services, ping, the `roles`
// option (as-role on every request) and the version gate (NotSupported before a request when
// the server is too old). Each checks the request on the wire and the decoded result against
// the simulator's store. Runs on an account of its own; the gate tests use a simulator of
// their own, so its faked ping answers cannot reach the other suites' cached versions.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startSimulator } from "../../sim/index.mjs";
import { ENTRY } from "../load.mjs";
import { ADMIN_TOKEN, KEYS, dataCenter, lib, sim } from "./lib/fixtures.mjs";

/** A fetch recording method, URL, headers and body of every call. */
function recorder() {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url: new URL(url), method: init.method, headers: { ...init.headers }, body: init.body });
    return globalThis.fetch(url, init);
  };
  /** The calls other than the gate's pings. */
  const api = () => calls.filter((c) => c.url.pathname !== "/--ping");
  return { fetch, calls, api };
}

const cloud = (code, status) => (e) => {
  assert.equal(e.name, "CloudApiError", e.message);
  assert.equal(e.code, code, e.message);
  if (status !== undefined) assert.equal(e.statusCode, status, e.message);
  return true;
};
const typeError = (re) => (e) => e instanceof TypeError && re.test(e.message);

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`account-api (${ENTRY})`, () => {
    const login = `acct${ENTRY === "import" ? "esm" : "cjs"}${crypto.randomBytes(3).toString("hex")}`;
    let acct;
    const dc = (options = {}) => dataCenter({ account: login, ...options });

    before(async () => {
      await sim.admin("/__sim/accounts", { login, keys: [KEYS.openssh.publicKey] });
      acct = sim.store.accountByLogin(login);
    });

    test("limits: GET /:login/limits, decoded with usage", async () => {
      sim.store.provisionLimits.set(acct.id, [{ by: "machines", value: 7 }, { by: "ram", value: 4096 }]);
      const { fetch, api } = recorder();
      const limits = await dc({ fetch }).limits();
      assert.deepEqual(limits, [{ by: "machines", value: 7, used: 0 }, { by: "ram", value: 4096, used: 0 }]);
      assert.equal(api().length, 1);
      assert.equal(api()[0].method, "GET");
      assert.equal(api()[0].url.pathname, `/${login}/limits`);
      assert.equal(api()[0].url.search, "");
    });

    test("config and updateConfig: wire, result, store; bad input sends nothing", async () => {
      const { fetch, api } = recorder();
      const d = dc({ fetch });
      const before = acct.config.default_network;
      assert.deepEqual(await d.config(), { default_network: before });
      const pub = [...sim.store.networks.values()].find((n) => n.name === "Joyent-SDC-Public");
      const updated = await d.updateConfig({ default_network: pub.id });
      assert.deepEqual(updated, { default_network: pub.id });
      assert.equal(acct.config.default_network, pub.id);
      const put = api()[1];
      assert.equal(put.method, "PUT");
      assert.equal(put.url.pathname, `/${login}/config`);
      assert.equal(put.headers["content-type"], "application/json");
      assert.deepEqual(JSON.parse(put.body), { default_network: pub.id });

      const sent = api().length;
      await assert.rejects(d.updateConfig({ network: pub.id }), typeError(/unknown option "network".*default_network/));
      await assert.rejects(d.updateConfig(), typeError(/fields are required/));
      await assert.rejects(d.updateConfig("x"), typeError(/must be an object/));
      await assert.rejects(d.updateConfig({ default_network: 5 }), TypeError);
      await assert.rejects(d.updateConfig({}), cloud("InvalidArgument"));
      await assert.rejects(d.updateConfig({ default_network: "public" }), (e) => cloud("InvalidArgument")(e) && /UUID/.test(e.message));
      assert.equal(api().length, sent, "a rejected argument sent a request");
      // The server's own check (not one of your networks) also leaves the config alone.
      await assert.rejects(d.updateConfig({ default_network: crypto.randomUUID() }), cloud("InvalidArgument", 409));
      assert.equal(acct.config.default_network, pub.id);
      if (before) await d.updateConfig({ default_network: before });
    });

    test("access keys: create (secret once), list/get without secret, delete; sub-user keys", async () => {
      const { fetch, api } = recorder();
      const d = dc({ fetch });
      const created = await d.createAccessKey({ description: "ci" });
      assert.match(created.accesskeyid, /^[0-9a-f]{32}$/);
      assert.match(created.accesskeysecret, /^[0-9a-f]{64}$/);
      const stored = sim.store.accessKeys.get(created.accesskeyid);
      assert.equal(stored.accesskeysecret, created.accesskeysecret);
      const post = api()[0];
      assert.equal(post.method, "POST");
      assert.equal(post.url.pathname, `/${login}/accesskeys`);
      assert.deepEqual(JSON.parse(post.body), { description: "ci" });

      const list = await d.accessKeys();
      assert.deepEqual(list.map((k) => k.accesskeyid), [created.accesskeyid]);
      assert.equal(list[0].status, "Active");
      assert.ok(!("accesskeysecret" in list[0]), "a listed key kept its secret");
      const one = await d.accessKey(created.accesskeyid);
      assert.equal(one.accesskeyid, created.accesskeyid);
      assert.ok(!("accesskeysecret" in one));
      assert.deepEqual(api().slice(1).map((c) => `${c.method} ${c.url.pathname}`), [
        `GET /${login}/accesskeys`,
        `GET /${login}/accesskeys/${created.accesskeyid}`,
      ]);

      // A sub-user's keys: { user } on every call.
      await dc().createUser({ login: "keyuser", email: "k@example.com", password: "pw-1-long-enough" });
      const sub = await d.createAccessKey({ user: "keyuser" });
      assert.equal(api().at(-1).url.pathname, `/${login}/users/keyuser/accesskeys`);
      assert.deepEqual(JSON.parse(api().at(-1).body), {});
      assert.deepEqual((await d.accessKeys({ user: "keyuser" })).map((k) => k.accesskeyid), [sub.accesskeyid]);
      assert.equal((await d.accessKey(sub.accesskeyid, { user: "keyuser" })).accesskeyid, sub.accesskeyid);
      await d.deleteAccessKey(sub.accesskeyid, { user: "keyuser" });
      assert.equal(api().at(-1).method, "DELETE");
      assert.equal(api().at(-1).url.pathname, `/${login}/users/keyuser/accesskeys/${sub.accesskeyid}`);

      await d.deleteAccessKey(created.accesskeyid);
      assert.equal(sim.store.accessKeys.has(created.accesskeyid), false);
      await assert.rejects(d.accessKey(created.accesskeyid), cloud("ResourceNotFound", 404));

      const sent = api().length;
      await assert.rejects(d.accessKey(42), typeError(/accessKey\(id\): id must be a string, got a number/));
      await assert.rejects(d.accessKey(""), cloud("InvalidArgument"));
      await assert.rejects(d.accessKeys({ usr: "x" }), typeError(/unknown option "usr"; valid options are user/));
      await assert.rejects(d.accessKeys({ user: 1 }), typeError(/option user must be a string/));
      await assert.rejects(d.createAccessKey({ descr: "x" }), typeError(/unknown option "descr".*description.*user/));
      await assert.rejects(d.createAccessKey({ user: "" }), cloud("InvalidArgument"));
      await assert.rejects(d.deleteAccessKey(null), TypeError);
      assert.equal(api().length, sent, "a rejected argument sent a request");
      assert.equal([...sim.store.accessKeys.values()].filter((k) => k.owner === acct.id).length, 0);
    });

    test("services: GET /:login/services → the service map", async () => {
      const { fetch, calls } = recorder();
      assert.deepEqual(await dc({ fetch }).services(), sim.store.services);
      assert.deepEqual(calls.map((c) => `${c.method} ${c.url.pathname}${c.url.search}`), [`GET /${login}/services`]);
      assert.equal(calls[0].headers.accept, "application/json");
      assert.equal(calls[0].headers["accept-version"], "~9||~8");
      assert.equal(calls[0].body, undefined);
      assert.match(calls[0].headers.authorization, new RegExp(`^Signature keyId="/${login}/keys/`));
    });

    test("ping: API versions, server version and datacenter name", async () => {
      const { fetch, calls } = recorder();
      const p = await dc({ fetch }).ping();
      assert.deepEqual(p, {
        ping: "pong",
        versions: ["9.0.0", "8.0.0", "7.3.0", "7.2.0", "7.1.0", "7.0.0"],
        serverVersion: "9.20.0",
        datacenter: sim.store.datacenterName,
      });
      assert.deepEqual(calls.map((c) => `${c.method} ${c.url.pathname}`), ["GET /--ping"]);
    });

    test("roles option: as-role on every request; bad values are TypeErrors", async () => {
      const { fetch, calls } = recorder();
      const d = dc({ fetch, roles: ["ops", "dev", "ops"] });
      await d.services();
      await d.config();
      await d.ping();
      await d.request("GET", "/my/config", { query: { "as-role": "solo" } });
      assert.deepEqual(calls.map((c) => c.url.searchParams.getAll("as-role")), [["ops,dev"], ["ops,dev"], ["ops,dev"], ["solo"]]);
      assert.equal(calls[0].url.search, "?as-role=ops%2Cdev");
      // A sibling DataCenter keeps the roles.
      const sib = await d.datacenter(sim.store.datacenterName);
      await sib.services();
      assert.equal(calls.at(-1).url.searchParams.get("as-role"), "ops,dev");
      // No roles: no as-role.
      const plain = recorder();
      await dc({ fetch: plain.fetch, roles: [] }).services();
      assert.equal(plain.calls[0].url.search, "");

      assert.throws(() => dc({ roles: "ops" }), typeError(/roles must be an array of role names, got a string/));
      assert.throws(() => dc({ roles: ["a,b"] }), typeError(/"a,b" is not a role name/));
      assert.throws(() => dc({ roles: [""] }), typeError(/is not a role name/));
      assert.throws(() => dc({ roles: [1] }), typeError(/role names \(strings\), got a number/));
      assert.throws(() => dc({ role: ["x"] }), typeError(/unknown option "role".*roles/));
    });
  });

  describe(`account-api version gate (${ENTRY})`, () => {
    let sim2;
    const ping = (server) => ({
      method: "GET",
      path: "^/--ping",
      kind: "status",
      status: 200,
      body: { ping: "pong", cloudapi: { versions: ["9.0.0", "8.0.0"] } },
      headers: { Server: `cloudapi/${server}` },
    });
    const fault = (f) => sim2.admin("/__sim/faults", f);
    const dc2 = (options = {}) =>
      new lib.DataCenter({ url: sim2.url, account: sim2.account, privateKey: KEYS.openssh.privateKey, ...options });

    before(async () => {
      sim2 = await startSimulator({ keys: [KEYS.openssh.publicKey], adminToken: ADMIN_TOKEN, speed: "fast", throttle: false });
    });
    after(async () => {
      await sim2?.close();
    });

    test("a failed ping blocks nothing; calls started together share one ping", async () => {
      await fault({ method: "GET", path: "^/--ping", kind: "status", status: 500, body: { code: "InternalError", message: "boom" } });
      const { fetch, calls } = recorder();
      const d = dc2({ fetch });
      const [keys, limits] = await Promise.all([d.accessKeys(), d.limits()]);
      assert.deepEqual(keys, []);
      assert.equal(limits.length, 3);
      assert.deepEqual(calls.map((c) => `${c.method} ${c.url.pathname}`).sort(), [
        "GET /--ping",
        `GET /${sim2.account}/accesskeys`,
        `GET /${sim2.account}/limits`,
      ]);
    });

    test("an older server: NotSupported naming the call and both versions, before any request", async () => {
      await fault(ping("9.10.0"));
      const { fetch, calls, api } = recorder();
      const d = dc2({ fetch });
      assert.equal((await d.ping()).serverVersion, "9.10.0");
      const notSupported = (call, need, have) => (e) =>
        cloud("NotSupported")(e) && e.message.includes(call) && e.message.includes(need) && e.message.includes(have) && e.statusCode === undefined;
      await assert.rejects(d.accessKeys(), notSupported("accessKeys()", "9.11.0", "9.10.0"));
      await assert.rejects(d.createAccessKey({ description: "x" }), notSupported("createAccessKey()", "9.11.0", "9.10.0"));
      await assert.rejects(d.accessKey("0123456789abcdef0123456789abcdef"), notSupported("accessKey()", "9.11.0", "9.10.0"));
      await assert.rejects(d.deleteAccessKey("0123456789abcdef0123456789abcdef"), cloud("NotSupported"));
      assert.equal(calls.length, 1, "only the explicit ping went out");
      assert.equal(sim2.store.accessKeys.size, 0, "a rejected create left a key behind");
      // Limits need 9.8.0, which 9.10.0 has.
      assert.deepEqual((await d.limits()).map((l) => l.by), ["machines", "ram", "machines"]);
      assert.deepEqual(api().map((c) => c.url.pathname), [`/${sim2.account}/limits`]);

      await fault(ping("9.7.0"));
      assert.equal((await d.ping()).serverVersion, "9.7.0");
      await assert.rejects(d.limits(), notSupported("limits()", "9.8.0", "9.7.0"));
      // The version is remembered per URL: another DataCenter on it asks nothing.
      const other = recorder();
      await assert.rejects(dc2({ fetch: other.fetch }).limits(), cloud("NotSupported"));
      assert.equal(other.calls.length, 0);

      // Asking again learns the real version, and the calls go through.
      assert.equal((await d.ping()).serverVersion, "9.20.0");
      const k = await d.createAccessKey();
      assert.deepEqual((await d.accessKeys()).map((x) => x.accesskeyid), [k.accesskeyid]);
      await d.deleteAccessKey(k.accesskeyid);
    });
  });
}
