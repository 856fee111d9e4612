// ListDatacenters / GetDatacenter (cloudapi lib/datacenters.js, cloudapi.md §4.1).
// GET only (no HEAD twins), GetDatacenter is a 302 with a JSON body.

export function register(ctx) {
  const { store, errors } = ctx;

  ctx.route(
    "GET",
    "/:account/datacenters",
    "ListDatacenters",
    (req, res) => {
      res.header("Triton-Datacenter-Name", store.datacenterName);
      res.send(200, { ...store.datacenters });
    },
    { head: false },
  );

  ctx.route(
    "GET",
    "/:account/datacenters/:dc",
    "GetDatacenter",
    (req, res) => {
      const name = req.params.dc;
      const url = Object.prototype.hasOwnProperty.call(store.datacenters, name) ? store.datacenters[name] : undefined;
      if (!url) throw errors.notFound(`${name} is not an available datacenter`);
      res.header("Location", url);
      res.send(302, { code: "ResourceMoved", message: ` ${name} ${url}` });
    },
    { head: false },
  );
}
