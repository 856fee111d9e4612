// RBAC (CloudAPI 7.2+): sub-users and their SSH keys, policies, roles, role tags, and a
// sub-user acting with `roles` (as-role) end to end. Each call is checked on the wire
// (method, path, query, body) and against the simulator's store; bad input is rejected
// before any request, and a rejected call leaves nothing behind. Runs on an account of its own.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { KEYS, OTHER_KEYS, dataCenter, sim } from "./lib/fixtures.mjs";

/** A fetch recording method, URL, headers and body of every call. */
function recorder() {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url: new URL(url), method: init.method, headers: { ...init.headers }, body: init.body });
    return globalThis.fetch(url, init);
  };
  const last = () => calls.at(-1);
  const line = (c) => `${c.method} ${c.url.pathname}${c.url.search}`;
  return { fetch, calls, last, line };
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
  describe(`rbac-api (${ENTRY})`, () => {
    const login = `rbac${ENTRY === "import" ? "esm" : "cjs"}${crypto.randomBytes(3).toString("hex")}`;
    let acct;
    const dc = (options = {}) => dataCenter({ account: login, ...options });
    const usersOf = () => [...sim.store.users.values()].filter((u) => u.account === acct.id);
    const rolesOf = () => [...sim.store.roles.values()].filter((r) => r.account === acct.id);
    const policiesOf = () => [...sim.store.policies.values()].filter((p) => p.account === acct.id);

    before(async () => {
      await sim.admin("/__sim/accounts", { login, keys: [KEYS.openssh.publicKey] });
      acct = sim.store.accountByLogin(login);
    });

    test("users: create, list, get (membership), update, change password, delete", async () => {
      const { fetch, calls, last, line } = recorder();
      const d = dc({ fetch });
      const bob = await d.createUser({ login: "bob", email: "bob@example.com", password: "first-pass-1", firstName: "Bob" });
      assert.equal(line(last()), `POST /${login}/users`);
      assert.equal(last().headers["content-type"], "application/json");
      assert.deepEqual(JSON.parse(last().body), { login: "bob", password: "first-pass-1", email: "bob@example.com", firstName: "Bob" });
      assert.equal(bob.login, "bob");
      assert.equal(bob.firstName, "Bob");
      assert.ok(!("password" in bob));
      assert.equal(usersOf().length, 1);
      assert.equal(usersOf()[0].id, bob.id);

      assert.deepEqual((await d.users()).map((u) => u.login), ["bob"]);
      assert.equal(line(last()), `GET /${login}/users`);
      assert.equal((await d.user("bob")).id, bob.id);
      assert.equal(line(last()), `GET /${login}/users/bob`);
      const m = await d.user(bob, { membership: true });
      assert.equal(line(last()), `GET /${login}/users/bob?membership=true`);
      assert.deepEqual([m.roles, m.default_roles], [[], []]);
      assert.equal((await d.user(bob.id)).login, "bob");
      assert.equal(line(last()), `GET /${login}/users/${bob.id}`);

      const upd = await d.updateUser("bob", { lastName: "Builder", company_name: "Acme" });
      assert.equal(line(last()), `POST /${login}/users/bob`);
      assert.deepEqual(JSON.parse(last().body), { companyName: "Acme", lastName: "Builder" });
      assert.equal(upd.lastName, "Builder");
      assert.equal(usersOf()[0].companyName, "Acme");

      const after = await d.changeUserPassword({ login: "bob" }, "second-pass-2");
      assert.equal(after.id, bob.id);
      assert.equal(line(last()), `POST /${login}/users/bob/change_password`);
      assert.deepEqual(JSON.parse(last().body), { password: "second-pass-2", password_confirmation: "second-pass-2" });
      assert.equal(usersOf()[0].password, "second-pass-2");

      // Bad input: nothing sent, nothing stored, nothing changed.
      const sent = calls.length;
      await assert.rejects(d.createUser({ login: "eve", email: "e@example.com" }), (e) => cloud("InvalidArgument")(e) && /password/.test(e.message));
      await assert.rejects(d.createUser({ login: "eve", email: "e@example.com", password: "x", nick: "e" }), typeError(/unknown option "nick".*login.*password/));
      await assert.rejects(d.createUser(), typeError(/fields are required/));
      await assert.rejects(d.createUser({ login: 7, email: "e@example.com", password: "x" }), TypeError);
      await assert.rejects(d.updateUser("bob", { password: "x" }), (e) => cloud("InvalidArgument")(e) && /changeUserPassword/.test(e.message));
      await assert.rejects(d.updateUser("bob", {}), cloud("InvalidArgument"));
      await assert.rejects(d.updateUser("", { lastName: "x" }), (e) => cloud("InvalidArgument")(e) && /must not be empty/.test(e.message));
      await assert.rejects(d.user(""), cloud("InvalidArgument"));
      await assert.rejects(d.user(5), typeError(/user\(idOrLogin\) must be a string or an object with an id, got a number/));
      await assert.rejects(d.user("bob", { member: true }), typeError(/unknown option "member"; valid options are membership/));
      await assert.rejects(d.user("bob", { membership: "yes" }), typeError(/membership must be a boolean/));
      await assert.rejects(d.changeUserPassword("bob", 5), typeError(/password must be a string, got a number/));
      await assert.rejects(d.changeUserPassword("bob", ""), cloud("InvalidArgument"));
      await assert.rejects(d.deleteUser(null), TypeError);
      assert.equal(calls.length, sent, "a rejected argument sent a request");
      assert.deepEqual(usersOf().map((u) => [u.login, u.lastName, u.password]), [["bob", "Builder", "second-pass-2"]]);
      // The server's own refusal (a duplicate login) stores nothing either.
      await assert.rejects(d.createUser({ login: "bob", email: "b2@example.com", password: "p-3" }), cloud("InvalidArgument", 409));
      assert.equal(usersOf().length, 1);

      await d.deleteUser("bob");
      assert.equal(line(last()), `DELETE /${login}/users/bob`);
      assert.equal(usersOf().length, 0);
      await assert.rejects(d.user("bob"), cloud("ResourceNotFound", 404));
    });

    test("sub-user keys: addUserKey, userKeys, userKey, deleteUserKey", async () => {
      const { fetch, calls, last, line } = recorder();
      const d = dc({ fetch });
      const kim = await d.createUser({ login: "kim", email: "kim@example.com", password: "kim-pass-1" });
      const key = OTHER_KEYS[0];
      const added = await d.addUserKey(kim, { name: "laptop", key: key.publicKey });
      assert.equal(line(last()), `POST /${login}/users/kim/keys`);
      assert.deepEqual(JSON.parse(last().body), { name: "laptop", key: key.publicKey });
      assert.deepEqual([added.name, added.fingerprint], ["laptop", key.md5]);
      assert.deepEqual(sim.store.userOf(acct, "kim").keys.map((k) => k.fingerprint), [key.md5]);
      assert.deepEqual((await d.userKeys("kim")).map((k) => k.name), ["laptop"]);
      assert.equal(line(last()), `GET /${login}/users/kim/keys`);
      assert.equal((await d.userKey("kim", key.md5)).name, "laptop");
      assert.equal(line(last()), `GET /${login}/users/kim/keys/${encodeURIComponent(key.md5)}`);
      assert.equal((await d.userKey({ login: "kim" }, added)).fingerprint, key.md5);

      const sent = calls.length;
      await assert.rejects(d.addUserKey("kim", { name: "x" }), typeError(/key is required/));
      await assert.rejects(d.addUserKey("kim", { key: key.publicKey, comment: "x" }), typeError(/unknown option "comment"; valid options are name, key/));
      await assert.rejects(d.addUserKey("kim", { key: "not-a-key" }), cloud("InvalidArgument"));
      await assert.rejects(d.userKey("kim", 12), TypeError);
      await assert.rejects(d.userKeys(""), cloud("InvalidArgument"));
      assert.equal(calls.length, sent, "a rejected argument sent a request");
      assert.equal(sim.store.userOf(acct, "kim").keys.length, 1);

      await d.deleteUserKey("kim", "laptop");
      assert.equal(line(last()), `DELETE /${login}/users/kim/keys/laptop`);
      assert.equal(sim.store.userOf(acct, "kim").keys.length, 0);
      await d.deleteUser("kim");
    });

    test("policies and roles: CRUD; plain names sent in the API 9 form", async () => {
      const { fetch, calls, last, line } = recorder();
      const d = dc({ fetch });
      await d.createUser({ login: "ann", email: "ann@example.com", password: "ann-pass-1" });
      const pol = await d.createPolicy({ name: "read", rules: ["CAN listmachines AND getmachine"], description: "reads" });
      assert.equal(line(last()), `POST /${login}/policies`);
      assert.deepEqual(JSON.parse(last().body), { name: "read", rules: ["CAN listmachines AND getmachine"], description: "reads" });
      assert.deepEqual([pol.name, pol.rules, pol.description], ["read", ["CAN listmachines AND getmachine"], "reads"]);
      assert.deepEqual((await d.policies()).map((p) => p.id), [pol.id]);
      assert.equal((await d.policy("read")).id, pol.id);
      assert.equal(line(last()), `GET /${login}/policies/read`);
      const p2 = await d.updatePolicy(pol, { rules: ["CAN listmachines"] });
      assert.equal(line(last()), `POST /${login}/policies/${pol.id}`);
      assert.deepEqual(p2.rules, ["CAN listmachines"]);
      assert.deepEqual(policiesOf()[0].rules, ["CAN listmachines"]);

      const role = await d.createRole({ name: "ops", members: ["ann"], policies: ["read"] });
      assert.equal(line(last()), `POST /${login}/roles`);
      assert.deepEqual(JSON.parse(last().body), { name: "ops", members: [{ type: "subuser", login: "ann" }], policies: [{ name: "read" }] });
      assert.deepEqual(role.policies, [{ id: pol.id, name: "read" }]);
      assert.deepEqual(role.members.map((m) => [m.type, m.login]), [["subuser", "ann"]]);
      assert.deepEqual((await d.roles()).map((r) => r.name), ["ops"]);
      assert.equal((await d.role("ops")).id, role.id);
      assert.equal(line(last()), `GET /${login}/roles/ops`);
      const r2 = await d.updateRole(role, { members: [{ login: "ann", default: true }] });
      assert.equal(line(last()), `POST /${login}/roles/${role.id}`);
      assert.deepEqual(JSON.parse(last().body), { members: [{ type: "subuser", login: "ann", default: true }] });
      assert.equal(r2.members[0].default, true);
      assert.deepEqual((await d.user("ann", { membership: true })).default_roles, ["ops"]);

      // Bad input is refused locally, before anything is sent or stored.
      const sent = calls.length;
      await assert.rejects(d.createRole({ name: "r", members: [{ login: "ann", role: "x" }] }), (e) => cloud("InvalidArgument")(e) && /members\[0\]: unknown field "role"/.test(e.message));
      await assert.rejects(d.createRole({ name: "r", members: "ann" }), (e) => cloud("InvalidArgument")(e) && /members must be an array/.test(e.message));
      await assert.rejects(d.createRole({ name: "r", default_members: ["ann"] }), typeError(/unknown option "default_members"; valid options are name, members, policies/));
      await assert.rejects(d.createRole({ members: [] }), (e) => cloud("InvalidArgument")(e) && /needs a name/.test(e.message));
      await assert.rejects(d.createRole({ name: " " }), cloud("InvalidArgument"));
      await assert.rejects(d.createRole(), typeError(/fields are required/));
      await assert.rejects(d.updateRole("ops", {}), cloud("InvalidArgument"));
      await assert.rejects(d.role([]), TypeError);
      await assert.rejects(d.createPolicy({ name: "x", rules: [] }), (e) => cloud("InvalidArgument")(e) && /at least one rule/.test(e.message));
      await assert.rejects(d.createPolicy({ name: "x", rule: ["CAN a"] }), typeError(/unknown option "rule".*rules/));
      await assert.rejects(d.createPolicy({ name: "x", rules: "CAN a" }), TypeError);
      await assert.rejects(d.updatePolicy("", { description: "x" }), cloud("InvalidArgument"));
      assert.equal(calls.length, sent, "a rejected argument sent a request");
      assert.deepEqual(rolesOf().map((r) => r.name), ["ops"]);
      assert.equal(policiesOf().length, 1);
      // The server's refusal (an unknown policy) creates no role.
      await assert.rejects(d.createRole({ name: "r3", policies: ["nope"] }), cloud("InvalidArgument", 409));
      assert.deepEqual(rolesOf().map((r) => r.name), ["ops"]);

      await d.deleteRole("ops");
      assert.equal(line(last()), `DELETE /${login}/roles/ops`);
      await d.deletePolicy("read");
      assert.equal(line(last()), `DELETE /${login}/policies/read`);
      assert.deepEqual([rolesOf().length, policiesOf().length], [0, 0]);
      await d.deleteUser("ann");
    });

    test("role tags on a path and on a Machine; a sub-user acts with `roles` (as-role)", async () => {
      const { fetch, calls, last, line } = recorder();
      const d = dc({ fetch });
      const { ids } = await sim.admin("/__sim/machines/bulk", { count: 1, login, namePrefix: "tagged-" });
      const sub = OTHER_KEYS[3];
      await d.createUser({ login: "sue", email: "sue@example.com", password: "sue-pass-1" });
      await d.addUserKey("sue", { name: "sue-key", key: sub.publicKey });
      await d.createPolicy({ name: "list", rules: ["CAN listmachines"] });
      await d.createRole({ name: "lister", members: ["sue"], policies: ["list"] });
      await d.createRole({ name: "idle", members: ["sue"] });

      const tags = await d.setRoleTags(`/${login}/machines`, ["lister"]);
      assert.deepEqual(tags, ["lister"]);
      assert.equal(line(last()), `PUT /${login}/machines`);
      assert.deepEqual(JSON.parse(last().body), { "role-tag": ["lister"] });
      assert.deepEqual(sim.store.roleTagsOf(`/${login}/machines`), ["lister"]);
      assert.deepEqual(await d.roleTags(`/${login}/machines/`), ["lister"]);
      assert.equal(line(last()), `GET /${login}/machines`);

      const m = await d.machine(ids[0]);
      assert.deepEqual(await d.setRoleTags(m, ["lister", "idle"]), ["lister", "idle"]);
      assert.equal(line(last()), `PUT /${login}/machines/${ids[0]}`);
      assert.deepEqual(JSON.parse(last().body), { "role-tag": ["lister", "idle"] });
      assert.deepEqual(await d.roleTags(m), ["lister", "idle"]);
      assert.deepEqual(await d.roleTags(`/my/machines/${ids[0]}`), ["lister", "idle"]);
      assert.equal(line(last()), `GET /my/machines/${ids[0]}`);
      assert.deepEqual(await d.roleTags(`/${login}/users`), []);

      // Bad input: nothing sent, tags unchanged; the server's refusal changes nothing either.
      const sent = calls.length;
      await assert.rejects(d.setRoleTags(m, "lister"), typeError(/roles must be an array of role names, got a string/));
      await assert.rejects(d.setRoleTags(m, ["a,b"]), typeError(/"a,b" is not a role name/));
      await assert.rejects(d.setRoleTags(m, [""]), TypeError);
      await assert.rejects(d.setRoleTags(`${login}/machines`, ["lister"]), (e) => cloud("InvalidArgument")(e) && /must be a path like/.test(e.message));
      await assert.rejects(d.setRoleTags(`/${login}//machines`, ["lister"]), cloud("InvalidArgument"));
      await assert.rejects(d.setRoleTags({ id: ids[0] }, ["lister"]), typeError(/resource path .* or a Machine, got an object/));
      await assert.rejects(d.roleTags(7), TypeError);
      await assert.rejects(d.setRoleTags(`/${login}/a/b/c/d/e`, ["lister"]), cloud("InvalidArgument"));
      assert.equal(calls.length, sent, "a rejected argument sent a request");
      await assert.rejects(d.setRoleTags(m, ["lister", "ghost"]), cloud("InvalidArgument", 409));
      assert.deepEqual(sim.store.roleTagsOf(`/${login}/machines/${ids[0]}`), ["lister", "idle"]);

      // Sue signs with her own key; `roles` picks the role she acts with (as-role).
      const rec = recorder();
      const sue = (roles) => dc({ user: "sue", privateKey: sub.privateKey, fetch: rec.fetch, roles });
      const seen = await sue(["lister"]).machines();
      assert.deepEqual(seen.map((x) => x.id), [ids[0]]);
      assert.equal(rec.last().url.searchParams.get("as-role"), "lister");
      assert.match(rec.last().headers.authorization, new RegExp(`keyId="/${login}/users/sue/keys/`));
      await assert.rejects(sue(["idle"]).machines(), cloud("NotAuthorized", 403));
      assert.equal(rec.last().url.searchParams.get("as-role"), "idle");
      // No roles option: her default roles (none) apply, so she is refused.
      await assert.rejects(sue(undefined).machines(), cloud("NotAuthorized", 403));
      assert.equal(rec.last().url.searchParams.has("as-role"), false);

      assert.deepEqual(await d.setRoleTags(m, []), []);
      assert.deepEqual(sim.store.roleTagsOf(`/${login}/machines/${ids[0]}`), []);
    });
  });
}
