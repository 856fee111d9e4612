// GetAccountLimits (route name GetProvisioningLimits, cloudapi lib/account.js, 9.8.0,
// cloudapi.md §4.1): the provision_limits plugin's limits with their current usage.
// CloudAPI mounts only GET here (no HEAD). `used`: machines = count of active machines,
// ram = MiB, quota = GiB, restricted to the image os/name when `check` is set.
import { ensureResourceModel } from "../lib/res-common.mjs";

export function register(ctx) {
  const { store } = ctx;
  ensureResourceModel(store);

  const usage = (account, limit) => {
    const active = store.machinesOf(account).filter((m) => !m.destroyed && m.state !== "failed");
    const counted = active.filter((m) => {
      if (!limit.check) return true;
      const img = store.images.get(m.image);
      if (!img) return false;
      return limit.check === "os" ? img.os === limit.os : img.name === limit.image;
    });
    if (limit.by === "ram") return counted.reduce((s, m) => s + (m.memory || 0), 0);
    if (limit.by === "quota") return counted.reduce((s, m) => s + (m.disk || 0) / 1024, 0);
    return counted.length;
  };

  ctx.route("GET", "/:account/limits", "GetProvisioningLimits", (req) => {
    const limits = store.provisionLimits.get(req.account.id) || [];
    return limits.map((l) => ({ ...l, used: usage(req.account, l) }));
  }, { head: false, group: "account" });
}
