// GetAccount / UpdateAccount (cloudapi lib/account.js, cloudapi.md §4.1).

const PROFILE = ["email", "companyName", "firstName", "lastName", "address", "postalCode", "city", "state", "country", "phone"];

export function register(ctx) {
  const { store, errors } = ctx;

  ctx.route("GET", "/:account", "GetAccount", (req) => store.accountJson(req.account));

  ctx.route("POST", "/:account", "UpdateAccount", (req) => {
    const a = req.account;
    const p = req.params;
    // CloudAPI copies every truthy profile param (UFDS stores strings).
    const changes = {};
    for (const f of PROFILE) if (p[f]) changes[f] = String(p[f]);
    if (p.triton_cns_enabled !== undefined) {
      const v = String(p.triton_cns_enabled);
      if (v !== "true" && v !== "false") throw errors.invalidArgument('triton_cns_enabled must be either "true" or "false"');
      changes.triton_cns_enabled = v === "true";
    }
    Object.assign(a, changes);
    a.updated = store.isoNow();
    return store.accountJson(a);
  });
}
