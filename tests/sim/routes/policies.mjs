// RBAC policies (cloudapi lib/policies.js, cloudapi.md §4.4): {id, name, rules, description}.
// Rules are Aperture sentences; the simulator checks their basic grammar
// ("CAN <action>[, <action>…] [IF <condition>]") where CloudAPI runs the aperture parser.
import { TYPED_CONTENT } from "../lib/context.mjs";
import { ensureResourceModel, policyByRef, roleTagHeader, tagCreated } from "../lib/res-common.mjs";

/** Policy wire object (translatePolicy). */
function policyJson(p) {
  const o = { name: p.name, id: p.id, rules: p.rules };
  if (p.description !== undefined && p.description !== null) o.description = p.description;
  return o;
}

/** `rules` as CloudAPI's parseParams reads it: a JSON string, an array, or one rule. */
function parseRules(v) {
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      // A bare rule sentence.
    }
  }
  return Array.isArray(v) ? v : [v];
}

/** Aperture-like grammar check; returns an error text or null. */
function ruleErrors(rules) {
  const errs = [];
  for (const r of rules) {
    const s = typeof r === "string" ? r : String(r);
    const m = /^\s*(\S+)\s+(.+?)\s*$/.exec(s);
    if (!m || !/^can$/i.test(m[1])) {
      errs.push(`Syntax error: expected "CAN" at the start of: ${s}`);
      continue;
    }
    const actions = m[2].split(/\s+if\s+/i)[0];
    if (!actions.split(/\s*(?:,|\band\b)\s*/i).every((a) => /^[\w*-]+$/.test(a))) {
      errs.push(`Syntax error: bad action list in: ${s}`);
    }
  }
  return errs.length ? errs.join(", ") : null;
}

export function register(ctx) {
  const { store, errors } = ctx;
  ensureResourceModel(store);

  const findPolicy = (req) => {
    const p = policyByRef(store, req.account, String(req.params.policy));
    if (!p) throw errors.notFound(`${req.params.policy} does not exist`);
    return p;
  };

  ctx.route("GET", "/:account/policies", "ListPolicies", (req, res) => {
    roleTagHeader(store, req, res);
    return [...store.policies.values()].filter((p) => p.account === req.account.id).map(policyJson);
  });

  ctx.route(
    "POST",
    "/:account/policies",
    "CreatePolicy",
    (req, res) => {
      const prm = req.params;
      const missing = [];
      if (!prm.name) missing.push("name is required");
      if (!prm.rules) missing.push("rules is required");
      if (missing.length) throw errors.missingParameter(`Request is missing required parameters: ${missing.join(", ")}`);
      const rules = parseRules(prm.rules).map(String);
      const bad = ruleErrors(rules);
      if (bad) throw errors.invalidArgument(bad);
      if (policyByRef(store, req.account, String(prm.name))) throw errors.invalidArgument(`policy ${prm.name} already exists`);
      const p = { id: store.uuid(), name: String(prm.name), account: req.account.id, rules };
      if (prm.description !== undefined) p.description = prm.description;
      store.policies.set(p.id, p);
      tagCreated(store, req, `/${req.account.login}/policies/${p.id}`);
      res.header("Location", `/${req.account.login}/policies/${encodeURIComponent(p.id)}`);
      res.send(201, policyJson(p));
    },
    { contentType: TYPED_CONTENT },
  );

  ctx.route("GET", "/:account/policies/:policy", "GetPolicy", (req, res) => {
    roleTagHeader(store, req, res);
    return policyJson(findPolicy(req));
  });

  ctx.route("POST", "/:account/policies/:policy", "UpdatePolicy", (req) => {
    const prm = req.params;
    let rules;
    if (prm.rules) {
      rules = parseRules(prm.rules).map(String);
      const bad = ruleErrors(rules);
      if (bad) throw errors.invalidArgument(bad);
    }
    const p = findPolicy(req);
    if (prm.name && prm.name !== p.name && policyByRef(store, req.account, String(prm.name))) {
      throw errors.invalidArgument(`policy ${prm.name} already exists`);
    }
    if (prm.name) p.name = String(prm.name);
    if (rules) p.rules = rules;
    if (prm.description !== undefined) {
      if (prm.description === "") delete p.description;
      else p.description = prm.description;
    }
    return policyJson(p);
  });

  ctx.route("DELETE", "/:account/policies/:policy", "DeletePolicy", (req, res) => {
    const p = findPolicy(req);
    store.policies.delete(p.id);
    for (const r of store.roles.values()) r.policies = (r.policies || []).filter((id) => id !== p.id);
    res.send(204);
  });
}
