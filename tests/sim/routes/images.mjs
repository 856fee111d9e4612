// Images (cloudapi lib/datasets.js, cloudapi.md §4.5): list with filters, get, delete,
// create-from-machine (async), and the POST actions update / export / clone /
// import-from-datacenter.

const LEGACY_TYPES = { smartmachine: ["zone-dataset", "lx-dataset", "other"], virtualmachine: ["zvol"] };

export function register(ctx) {
  const { store, errors, params, jobs } = ctx;

  const visible = (img, account) => img.public || img.owner === account.id || (Array.isArray(img.acl) && img.acl.includes(account.id));
  const view = (req, img) => store.imageJson(img, { version: ctx.version(req), legacyTypes: ctx.below(req, "8.0.0") });
  // A UUID goes to IMGAPI ("image not found"); anything else is looked up in CloudAPI's
  // own list ("<id> not found").
  const notFound = (id) => errors.notFound(params.isUuid(id) ? "image not found" : `${id} not found`);

  const load = (req, { owner = false } = {}) => {
    const id = req.params.dataset;
    const img = typeof id === "string" ? store.images.get(id.toLowerCase()) : undefined;
    if (!img || !visible(img, req.account)) throw notFound(id);
    if (owner && img.owner !== req.account.id) throw errors.restError(422, "NotImageOwner", `account ${req.account.id} is not the owner of image ${img.id}`);
    return img;
  };

  ctx.route("GET", "/:account/images", "ListImages", (req) => {
    const p = req.params;
    let list = [...store.images.values()].filter((i) => visible(i, req.account));
    const state = p.state || "active";
    if (state !== "all") list = list.filter((i) => i.state === state);
    if (p.type) {
      const legacy = ctx.below(req, "8.0.0") && LEGACY_TYPES[p.type];
      list = list.filter((i) => (legacy ? legacy.includes(i.type) : i.type === p.type));
    } else {
      list = list.filter((i) => i.type !== "docker");
    }
    for (const f of ["name", "os", "version", "owner"]) {
      if (p[f] !== undefined && p[f] !== "") list = list.filter((i) => params.globMatch(String(p[f]), String(i[f])));
    }
    if (p.public !== undefined && p.public !== "") {
      const want = p.public === true || p.public === "true";
      list = list.filter((i) => !!i.public === want);
    }
    list.sort((a, b) => (a.published_at || "").localeCompare(b.published_at || "") || a.name.localeCompare(b.name));
    return list.map((i) => view(req, i));
  });

  ctx.route("GET", "/:account/images/:dataset", "GetImage", (req) => view(req, load(req)));

  ctx.route("DELETE", "/:account/images/:dataset", "DeleteImage", (req, res) => {
    const img = load(req, { owner: true });
    store.images.delete(img.id);
    res.send(204);
  });

  // CreateImageFromMachine, or ?action=import-from-datacenter.
  ctx.route("POST", "/:account/images", "CreateImageFromMachine", (req, res) => {
    const p = req.params;
    if (p.action === "import-from-datacenter") return importFromDc(req, res);
    if (p.action !== undefined) throw errors.invalidArgument(`action ${p.action} is not a valid argument`);
    if (!p.machine) throw errors.missingParameter("machine is a required argument");
    if (!p.name) throw errors.missingParameter("Image name is a required argument");
    if (!p.version) throw errors.missingParameter("Image version is a required argument");
    const m = ctx.getMachine(req, { param: "machine" });
    if (m.state === "provisioning") throw errors.conflict("UnallocatedVM", "Cannot call create_image for a VM that has not been provisioned yet");
    const origin = store.images.get(m.image);
    const img = {
      id: store.uuid(),
      name: String(p.name),
      version: String(p.version),
      os: origin ? origin.os : "other",
      type: origin ? origin.type : "zone-dataset",
      requirements: origin ? { ...(origin.requirements || {}) } : {},
      owner: req.account.id,
      public: false,
      state: "creating",
      origin: origin ? origin.id : undefined,
      files: [],
      published_at: undefined,
    };
    if (origin && origin.image_size) img.image_size = origin.image_size;
    for (const f of ["description", "homepage", "eula"]) if (typeof p[f] === "string") img[f] = p[f];
    if (Array.isArray(p.acl)) img.acl = p.acl.map(String);
    if (p.tags && typeof p.tags === "object" && !Array.isArray(p.tags)) img.tags = { ...p.tags };
    store.images.set(img.id, img);
    const job = jobs.schedule({
      kind: "image_create",
      machine: m,
      audit: "create_image",
      caller: ctx.caller(req),
      run: () => {
        img.state = "active";
        img.published_at = store.isoNow();
        img.files = [{ compression: "gzip", sha1: store.hex(20), size: 50000000 + Math.floor(store.rand() * 1e8) }];
      },
    });
    ctx.tagNew(req, `/${req.account.login}/images/${img.id}`);
    res.header("Location", `/${req.account.login}/images/${img.id}`);
    res.header("x-joyent-jobid", job.uuid);
    res.send(201, view(req, img));
  });

  function importFromDc(req, res) {
    const p = req.params;
    if (!p.datacenter) throw errors.missingParameter("datacenter is a required argument");
    if (!params.isUuid(p.id)) throw errors.invalidArgument(`id ${p.id} must be a UUID`);
    if (p.datacenter === store.datacenterName || !store.datacenters[p.datacenter]) {
      throw errors.notFound(`${p.datacenter} is not an available datacenter`);
    }
    if (store.images.has(p.id)) throw errors.conflict("ImageUuidAlreadyExists", `image uuid "${p.id}" already exists`);
    const img = {
      id: p.id.toLowerCase(),
      name: "imported-image",
      version: "1.0.0",
      os: "smartos",
      type: "zone-dataset",
      requirements: {},
      owner: req.account.id,
      public: false,
      state: "unactivated",
      files: [{ compression: "gzip", sha1: store.hex(20), size: 60000000 }],
    };
    store.images.set(img.id, img);
    jobs.schedule({
      kind: "image_create",
      run: () => {
        img.state = "active";
        img.published_at = store.isoNow();
      },
    });
    // cloudapi.md §4.5: the docs say 201, the code sends 200.
    res.send(200, view(req, img));
  }

  // UpdateImage / ExportImage / CloneImage share POST /:account/images/:id?action=…
  ctx.route("POST", "/:account/images/:dataset", "UpdateImage", (req) => {
    const p = req.params;
    switch (p.action) {
      case "update": {
        const img = load(req, { owner: true });
        for (const f of ["name", "version", "description", "homepage", "eula"]) if (typeof p[f] === "string") img[f] = p[f];
        if (p.acl !== undefined) {
          if (!Array.isArray(p.acl) || p.acl.some((x) => !params.isUuid(x))) throw errors.invalidArgument("acl must be an array of UUIDs");
          img.acl = p.acl.map((x) => x.toLowerCase());
        }
        if (p.tags !== undefined) {
          if (!p.tags || typeof p.tags !== "object" || Array.isArray(p.tags)) throw errors.invalidArgument("tags must be an object");
          img.tags = { ...p.tags };
        }
        return view(req, img);
      }
      case "export": {
        const img = load(req, { owner: true });
        if (!p.manta_path) throw errors.missingParameter("Image destination manta_path is a required argument");
        const base = String(p.manta_path).replace(/\/+$/, "");
        const dir = base.endsWith(".json") || base.endsWith(".gz") ? base.replace(/\/[^/]*$/, "") : base;
        const stem = `${img.name}-${img.version}`;
        return { manta_url: store.services.manta, image_path: `${dir}/${stem}.zfs.gz`, manifest_path: `${dir}/${stem}.imgmanifest` };
      }
      case "clone": {
        const img = load(req);
        if (img.owner === req.account.id || img.public || !(img.acl || []).includes(req.account.id)) {
          throw errors.restError(422, "ImageNotShared", `Image ${img.id} is not shared with account ${req.account.id}`);
        }
        const copy = { ...img, id: store.uuid(), owner: req.account.id, public: false, acl: undefined, origin: img.origin, published_at: store.isoNow() };
        store.images.set(copy.id, copy);
        return view(req, copy);
      }
      default:
        // CloudAPI's fallback looks only at the query string's action.
        if (req.query && req.query.action) throw errors.invalidArgument(`action ${req.query.action} is not a valid argument`);
        throw errors.missingParameter("action is a required argument");
    }
  });
}
