// Account config for this datacenter (cloudapi lib/endpoints/config.js, cloudapi.md §4.1):
// GET/HEAD → {"default_network": "<uuid>"}; PUT default_network (must be one of the
// networks the account may use, else 409 "unknown network").
import { ensureResourceModel, usableNetworks } from "../lib/res-common.mjs";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function register(ctx) {
  const { store, errors } = ctx;
  ensureResourceModel(store);

  const configJson = (account) => ({ default_network: account.config.default_network });

  ctx.route("GET", "/:account/config", "GetConfig", (req) => configJson(req.account), { group: "config" });

  ctx.route("PUT", "/:account/config", "UpdateConfig", (req) => {
    const v = req.params.default_network;
    if (v !== undefined && (typeof v !== "string" || !UUID_RE.test(v))) {
      throw errors.invalidArgument('property "default_network": must be a UUID');
    }
    if (!usableNetworks(store, req.account).some((n) => n.id === v)) throw errors.invalidArgument("unknown network");
    req.account.config.default_network = v;
    return configJson(req.account);
  }, { group: "config" });
}
