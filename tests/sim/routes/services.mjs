// ListServices (cloudapi lib/services.js): service name → URL; GET only.

export function register(ctx) {
  ctx.route("GET", "/:account/services", "ListServices", () => ({ ...ctx.store.services }), { head: false });
}
