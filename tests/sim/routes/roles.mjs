// RBAC roles (cloudapi lib/roles.js + lib/membership.js translateGroup, cloudapi.md §4.4).
// Stored as {id, name, account, members: [{type, id, default}], policies: [policy ids]}
// (the shape lib/rbac.mjs reads). 9.x requests use the object format for members and
// policies; older ranges the name-array format (members, default_members, policies).
import { TYPED_CONTENT } from "../lib/context.mjs";
import { ensureResourceModel, policyByRef, roleByRef, roleTagHeader, tagCreated } from "../lib/res-common.mjs";

const UUID_RE = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;
const ADMIN_ROLE_NAME = "administrator";

export function register(ctx) {
  const { store, errors } = ctx;
  ensureResourceModel(store);
  const invalid = (m) => errors.invalidArgument(m);

  /** A member reference → {type, id, login} of an existing subuser/account, or null. */
  const resolveMember = (account, m) => {
    if (m.type === "account") {
      const a = m.id ? [...store.accounts.values()].find((x) => x.id === m.id) : store.accountByLogin(m.login);
      return a ? { type: "account", id: a.id, login: a.login } : null;
    }
    const u = m.id ? store.users.get(m.id) : store.userOf(account, m.login);
    return u && u.account === account.id ? { type: "subuser", id: u.id, login: u.login } : null;
  };

  /** Parse name/members/policies from params (parseParams / parseParams_old) into an entry. */
  const parseEntry = (req) => {
    const p = req.params;
    const entry = {};
    const errs = [];
    let members;
    let policies;
    if (ctx.below(req, "9.0.0")) {
      if (p.name) entry.name = p.name;
      const list = (v) => {
        let out;
        if (typeof v === "string") {
          try {
            out = JSON.parse(v);
          } catch {
            out = undefined;
          }
        }
        if (!Array.isArray(out)) out = Array.isArray(v) ? v : [v];
        return out;
      };
      if (p.members || p.default_members) {
        const byLogin = new Map();
        for (const login of p.members ? list(p.members) : []) {
          if (!byLogin.has(login)) byLogin.set(login, { type: "subuser", login, default: false });
        }
        for (const login of p.default_members ? list(p.default_members) : []) {
          if (!byLogin.has(login)) byLogin.set(login, { type: "subuser", login });
          byLogin.get(login).default = true;
        }
        members = [...byLogin.values()];
      }
      if (p.policies !== undefined && p.policies !== null) {
        let names = list(p.policies);
        if (names[0] === "") names = [];
        policies = names.map((name) => ({ name }));
      }
    } else {
      if (p.name !== undefined && p.name !== "") {
        if (typeof p.name !== "string") throw invalid('Role "name" must be a string');
        entry.name = p.name;
      }
      if (p.policies) {
        if (!Array.isArray(p.policies)) throw invalid('Role "policies" must be an array of objects');
        for (const pol of p.policies) {
          if (typeof pol !== "object" || pol === null || Array.isArray(pol)) throw invalid('Role "policies" must be an array of objects');
          for (const k of Object.keys(pol)) {
            if (k === "id") {
              if (typeof pol.id !== "string" || !UUID_RE.test(pol.id)) throw invalid('Policy "id" property must be a string UUID');
            } else if (k === "name") {
              if (typeof pol.name !== "string") throw invalid('Policy "name" property must be a string');
            } else {
              throw invalid(`Policy references may only contain "name" or "id" properties, not "${k}"`);
            }
          }
        }
        policies = p.policies;
      }
      if (p.members) {
        if (!Array.isArray(p.members)) throw invalid('Role "members" must be an array of objects');
        for (const m of p.members) {
          if (typeof m !== "object" || m === null || Array.isArray(m)) throw invalid('Role "members" must be an array of objects');
          if (typeof m.type !== "string") throw invalid('Role "member" references must have a string "type" property');
          if (m.type !== "subuser" && m.type !== "account") throw invalid(`Member "type" is not supported: "${m.type}"`);
          for (const k of Object.keys(m)) {
            if (k === "type") continue;
            if (k === "id") {
              if (typeof m.id !== "string" || !UUID_RE.test(m.id)) throw invalid('Member "id" property must be a string UUID');
            } else if (k === "login") {
              if (typeof m.login !== "string") throw invalid('Member "login" property must be a string');
            } else if (k === "default") {
              if (typeof m.default !== "boolean") throw invalid('Member "default" property must be a boolean');
            } else {
              throw invalid(`Member references may only contain "type", "login", "id", or "default" properties, not "${k}"`);
            }
          }
        }
        members = p.members;
      }
    }
    if (entry.name === "true") errs.push('"true" is not a valid role name');
    if (members) {
      entry.members = [];
      for (const m of members) {
        const found = resolveMember(req.account, m);
        if (!found) errs.push(`Invalid ${m.type}: ${m.id || m.login || JSON.stringify(m)}`);
        else entry.members.push({ type: found.type, id: found.id, default: m.default === true });
      }
    }
    if (policies) {
      if (entry.name === ADMIN_ROLE_NAME) errs.push("Administrator role cannot have policies");
      entry.policies = [];
      for (const pol of policies) {
        const found = policyByRef(store, req.account, pol.id || pol.name);
        if (!found) errs.push(`Invalid policy: ${pol.id || pol.name || JSON.stringify(pol)}`);
        else if (!entry.policies.includes(found.id)) entry.policies.push(found.id);
      }
    }
    if (errs.length) throw invalid(errs.join(", "));
    return entry;
  };

  /** Role wire object (translateGroup), version dependent. */
  const roleJson = (req, r) => {
    const members = (r.members || [])
      .map((m) => {
        const who = m.type === "account" ? [...store.accounts.values()].find((a) => a.id === m.id) : store.users.get(m.id);
        return who ? { id: who.id, login: who.login, default: !!m.default, type: m.type } : null;
      })
      .filter(Boolean);
    const policies = (r.policies || []).map((id) => store.policies.get(id)).filter(Boolean);
    if (!members.length && !policies.length) {
      // translateGroup returns the raw (empty) lists when there is nothing to load.
      return { name: r.name, id: r.id, members: [], default_members: [], policies: [] };
    }
    if (ctx.below(req, "9.0.0")) {
      const subs = members.filter((m) => m.type === "subuser");
      return {
        name: r.name,
        id: r.id,
        members: subs.map((m) => m.login),
        default_members: subs.filter((m) => m.default).map((m) => m.login),
        policies: policies.map((p) => p.name),
      };
    }
    return {
      name: r.name,
      id: r.id,
      policies: policies.map((p) => ({ id: p.id, name: p.name })),
      members: members.map((m) => ({ id: m.id, login: m.login, ...(m.default ? { default: true } : {}), type: m.type })),
    };
  };

  const findRole = (req) => {
    const r = roleByRef(store, req.account, String(req.params.role));
    if (!r) throw errors.notFound(`${req.params.role} does not exist`);
    return r;
  };

  ctx.route("GET", "/:account/roles", "ListRoles", (req, res) => {
    roleTagHeader(store, req, res);
    return [...store.roles.values()].filter((r) => r.account === req.account.id).map((r) => roleJson(req, r));
  });

  ctx.route(
    "POST",
    "/:account/roles",
    "CreateRole",
    (req, res) => {
      const entry = parseEntry(req);
      if (!req.params.name) throw errors.missingParameter("Request is missing required parameter: name");
      if (roleByRef(store, req.account, entry.name)) throw invalid(`role ${entry.name} already exists`);
      const r = { id: store.uuid(), name: entry.name, account: req.account.id, members: entry.members || [], policies: entry.policies || [] };
      store.roles.set(r.id, r);
      tagCreated(store, req, `/${req.account.login}/roles/${r.id}`);
      res.header("Location", `/${req.account.login}/roles/${encodeURIComponent(r.id)}`);
      res.send(201, roleJson(req, r));
    },
    { contentType: TYPED_CONTENT },
  );

  ctx.route("GET", "/:account/roles/:role", "GetRole", (req, res) => {
    roleTagHeader(store, req, res);
    return roleJson(req, findRole(req));
  });

  ctx.route("POST", "/:account/roles/:role", "UpdateRole", (req) => {
    const entry = parseEntry(req);
    const r = findRole(req);
    if (r.name === ADMIN_ROLE_NAME && entry.policies) throw invalid("Administrator role cannot have policies");
    if (entry.name && entry.name !== r.name && roleByRef(store, req.account, entry.name)) throw invalid(`role ${entry.name} already exists`);
    if (entry.name) r.name = entry.name;
    if (entry.members) r.members = entry.members;
    if (entry.policies) r.policies = entry.policies;
    return roleJson(req, r);
  });

  ctx.route("DELETE", "/:account/roles/:role", "DeleteRole", (req, res) => {
    const r = findRole(req);
    store.roles.delete(r.id);
    for (const [path, names] of store.roleTags) {
      const left = names.filter((n) => n !== r.name);
      if (left.length) store.roleTags.set(path, left);
      else store.roleTags.delete(path);
    }
    res.send(204);
  });
}
