// Sub-user authorization (cloudapi.md §1.8), simplified: a sub-user may call a route when
// one of its active roles (`?as-role=a,b` if given — every name must be one of its roles —
// else its default roles) has a policy rule "CAN <action>[, <action>… AND <action>]"
// naming the route's action (or "*"), and that role is tagged on the request path or on
// one of its parent paths (e.g. a role tag on /<login>/machines covers every machine).
// Aperture conditions ("… IF …") are not evaluated; a rule with conditions still allows.
import { routeAction } from "./auth.mjs";

/** The role objects active for `user` on this request, or null if as-role names a foreign role. */
export function activeRoles(store, user, asRole) {
  const mine = [...store.roles.values()].filter((r) => r.account === user.account && (r.members || []).some((m) => m.id === user.id));
  if (typeof asRole === "string" && asRole) {
    const out = [];
    for (const n of asRole.split(",")) {
      const r = mine.find((x) => x.name === n);
      if (!r) return null;
      out.push(r);
    }
    return out;
  }
  return mine.filter((r) => r.members.some((m) => m.id === user.id && m.default));
}

/** Actions named by one Aperture rule ("CAN a, b AND c IF …"); ["*"] for "CAN *". */
export function ruleActions(rule) {
  const m = /^\s*can\s+(.+?)(?:\s+if\s+.*)?$/i.exec(String(rule));
  if (!m) return [];
  return m[1]
    .split(/\s*(?:,|\band\b)\s*/i)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/** Default RBAC decision for a sub-user request. */
export function defaultRbac(store, req) {
  const user = req.caller;
  const roles = activeRoles(store, user, req.params["as-role"]);
  if (!roles || !roles.length) return false;
  const action = routeAction(req);
  const path = req.path().replace(/^\/my(\/|$)/, `/${req.account.login}$1`).replace(/\/+$/, "");
  const paths = [];
  const seg = path.split("/").filter(Boolean);
  for (let i = seg.length; i >= 1; i--) paths.push("/" + seg.slice(0, i).join("/"));
  const tagged = new Set(paths.flatMap((p) => store.roleTagsOf(p)));
  return roles.some((r) => {
    if (!tagged.has(r.name)) return false;
    return (r.policies || []).some((pid) => {
      const p = store.policies.get(pid);
      return p && (p.rules || []).some((rule) => {
        const acts = ruleActions(rule);
        return acts.includes("*") || acts.includes(action);
      });
    });
  });
}
