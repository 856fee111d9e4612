// GetAccount / UpdateAccount (cloudapi lib/account.js, cloudapi.md §4.1).

const PROFILE = ["email", "companyName", "firstName", "lastName", "address", "postalCode", "city", "state", "country", "phone"];

export function register(ctx) {
  const { store, errors } = ctx;

  ctx.route("GET", "/:account", "GetAccount", (req) => store.accountJson(req.account));

  ctx.route("POST", "/:account", "UpdateAccount", (req) => {
    const a = req.account;
    const p = req.params;
    const changes = {};
    for (const f of PROFILE) {
      if (p[f] === undefined) continue;
      if (typeof p[f] !== "string") throw errors.invalidArgument(`${f} must be a string`);
      changes[f] = p[f];
    }
    if (changes.email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(changes.email)) throw errors.invalidArgument("email is invalid");
    if (p.triton_cns_enabled !== undefined) {
      const v = p.triton_cns_enabled;
      if (v === true || v === "true") changes.triton_cns_enabled = true;
      else if (v === false || v === "false") changes.triton_cns_enabled = false;
      else throw errors.invalidArgument("triton_cns_enabled must be true or false");
    }
    Object.assign(a, changes);
    a.updated = store.isoNow();
    return store.accountJson(a);
  });
}
