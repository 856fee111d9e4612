// ListPackages / GetPackage (cloudapi lib/packages.js, cloudapi.md §4.6).
// Only active packages are visible; filters accept `*` wildcards in strings.

const FILTERS = ["name", "memory", "disk", "swap", "lwps", "vcpus", "version", "group", "flexible_disk", "brand"];

export function register(ctx) {
  const { store, errors, params } = ctx;

  ctx.route("GET", "/:account/packages", "ListPackages", (req) => {
    let list = [...store.packages.values()].filter((p) => p.active);
    for (const f of FILTERS) {
      const want = req.params[f];
      if (want === undefined || want === "") continue;
      list = list.filter((p) => {
        const have = f === "flexible_disk" ? !!p.flexible_disk : f === "vcpus" ? p.vcpus || 0 : p[f];
        if (have === undefined || have === null) return false;
        if (typeof want === "string" && want.includes("*")) return params.globMatch(want, String(have));
        return String(have) === String(want);
      });
    }
    return list.map((p) => store.packageJson(p));
  });

  ctx.route("GET", "/:account/packages/:package", "GetPackage", (req) => {
    const ref = req.params.package;
    // By UUID any package (machines may use a retired one); by name the highest active version.
    const pkg = store.packages.get(ref) || store.findPackage(ref);
    if (!pkg) throw errors.notFound(`${ref} not found`);
    return store.packageJson(pkg);
  });
}
