// RBAC sub-users (cloudapi lib/users.js, cloudapi.md §4.4): list, create (201 + Location),
// get by id or login (`?membership=true` adds roles/default_roles), update, change
// password, delete.
import { TYPED_CONTENT } from "../lib/context.mjs";
import { ensureResourceModel, roleTagHeader, tagCreated, usersOf } from "../lib/res-common.mjs";

// CloudAPI's own e-mail check (CAPI-120).
const EMAIL_RE = /^[a-zA-Z0-9.!#$%&'*+\-/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*$/;
const PROFILE = ["email", "companyName", "firstName", "lastName", "address", "postalCode", "city", "state", "country", "phone", "login"];

/** User wire object (cloudapi lib/membership.js translateUser). */
export function userJson(store, u, { membership = false } = {}) {
  const o = { id: u.id, login: u.login, email: u.email };
  for (const f of ["companyName", "firstName", "lastName", "address", "city", "state", "postalCode", "country", "phone"]) {
    if (u[f]) o[f] = u[f];
  }
  if (membership) {
    const mine = [...store.roles.values()].filter((r) => (r.members || []).some((m) => m.id === u.id));
    o.roles = mine.map((r) => r.name);
    o.default_roles = mine.filter((r) => r.members.some((m) => m.id === u.id && m.default)).map((r) => r.name);
  }
  o.updated = u.updated || "2012-12-31T23:00:00.000Z";
  o.created = u.created || "2012-12-31T23:00:00.000Z";
  return o;
}

/** The account's sub-user by id or login; 404 "<ref> does not exist" (node-ufds getUser). */
export function findUser(ctx, req, ref) {
  const u = typeof ref === "string" ? ctx.store.userOf(req.account, ref) : null;
  if (!u) throw ctx.errors.notFound(`${ref} does not exist`);
  return u;
}

/** Apply profile params the way cloudapi parseParams does ("" clears a field). */
function applyProfile(u, params) {
  for (const f of PROFILE) {
    if (params[f] === undefined) continue;
    if (params[f] === "" || params[f] === null) delete u[f];
    else u[f] = String(params[f]);
  }
}

export function register(ctx) {
  const { store, errors } = ctx;
  ensureResourceModel(store);

  ctx.route("GET", "/:account/users", "ListUsers", (req, res) => {
    roleTagHeader(store, req, res);
    return usersOf(store, req.account).map((u) => userJson(store, u));
  });

  ctx.route(
    "POST",
    "/:account/users",
    "CreateUser",
    (req, res) => {
      const p = req.params;
      const missing = [];
      if (!p.email) missing.push("email is required");
      if (!p.login) missing.push("login is required");
      if (!p.password) missing.push("password is required");
      if (missing.length) throw errors.missingParameter(`Request is missing required parameters: ${missing.join(", ")}`);
      if (typeof p.email !== "string" || !EMAIL_RE.test(p.email)) throw errors.invalidArgument(`email: ${p.email} is invalid`);
      if (typeof p.login !== "string" || !/^[a-zA-Z][a-zA-Z0-9_.@-]+$/.test(p.login)) throw errors.invalidArgument("user is invalid");
      if (store.userOf(req.account, p.login) || store.accountByLogin(p.login)) {
        throw errors.invalidArgument(`login ${p.login} already exists`);
      }
      const now = store.isoNow();
      const u = { id: store.uuid(), account: req.account.id, keys: [], created: now, updated: now, disabled: false };
      applyProfile(u, p);
      u.password = String(p.password);
      store.users.set(u.id, u);
      tagCreated(store, req, `/${req.account.login}/users/${u.id}`);
      res.header("Location", `/${req.account.login}/users/${encodeURIComponent(u.login)}`);
      res.send(201, userJson(store, u));
    },
    { contentType: TYPED_CONTENT },
  );

  ctx.route("GET", "/:account/users/:uuid", "GetUser", (req, res) => {
    roleTagHeader(store, req, res);
    const u = findUser(ctx, req, req.params.uuid);
    const m = req.params.membership;
    return userJson(store, u, { membership: m === true || m === "true" });
  });

  ctx.route("POST", "/:account/users/:uuid", "UpdateUser", (req) => {
    const u = findUser(ctx, req, req.params.uuid);
    const p = req.params;
    if (p.email !== undefined && p.email !== "" && (typeof p.email !== "string" || !EMAIL_RE.test(p.email))) {
      throw errors.invalidArgument(`email: ${p.email} is invalid`);
    }
    if (p.login !== undefined && p.login !== u.login && (store.userOf(req.account, p.login) || store.accountByLogin(p.login))) {
      throw errors.invalidArgument(`login ${p.login} already exists`);
    }
    applyProfile(u, p);
    u.updated = store.isoNow();
    return userJson(store, u);
  });

  ctx.route("POST", "/:account/users/:uuid/change_password", "ChangeUserPassword", (req) => {
    const p = req.params;
    const missing = [];
    if (!p.password) missing.push("password is required");
    if (!p.password_confirmation) missing.push("password_confirmation is required");
    if (missing.length) throw errors.missingParameter(`Request is missing required parameters: ${missing.join(", ")}`);
    if (p.password !== p.password_confirmation) {
      throw errors.invalidArgument("password and password_confirmation must have the same value");
    }
    const u = findUser(ctx, req, p.uuid);
    u.password = String(p.password);
    u.updated = store.isoNow();
    return userJson(store, u);
  });

  ctx.route("DELETE", "/:account/users/:uuid", "DeleteUser", (req, res) => {
    const u = findUser(ctx, req, req.params.uuid);
    store.users.delete(u.id);
    for (const r of store.roles.values()) {
      if (r.members) r.members = r.members.filter((m) => m.id !== u.id);
    }
    for (const [id, k] of store.accessKeys) if (k.user === u.id) store.accessKeys.delete(id);
    store.roleTags.delete(`/${req.account.login}/users/${u.id}`);
    res.send(204);
  });
}
