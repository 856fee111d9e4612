// Machine customer metadata (cloudapi lib/metadata.js, cloudapi.md §4.9). Writes are VMAPI
// jobs: the POST answer already shows the merged map, the machine changes after a delay.

const NOT_KEYS = new Set(["account", "machine", "uuid", "owner_uuid", "credentials", "image"]);
const PROTECTED = new Set(["credentials", "administrator_pw", "root_authorized_keys"]);

export function register(ctx) {
  const { store, errors, jobs } = ctx;

  const credentialsOf = (m) => {
    const out = {};
    for (const [k, v] of Object.entries(m.internal_metadata)) out[/_pw$/.test(k) ? k.replace(/_pw$/, "") : k] = v;
    return out;
  };

  const job = (req, m, audit, run) => jobs.schedule({ kind: "metadata", machine: m, audit, caller: ctx.caller(req), run: () => {
    if (m.destroyed) return false;
    run();
    m.updated = store.isoNow();
    return true;
  } });

  ctx.route("GET", "/:account/machines/:machine/metadata", "ListMachineMetadata", (req) => {
    const m = ctx.getMachine(req);
    const md = { ...m.metadata };
    delete md.credentials;
    if (req.params.credentials) md.credentials = credentialsOf(m);
    return md;
  });

  ctx.route(
    "GET",
    "/:account/machines/:machine/metadata/:key",
    "GetMachineMetadata",
    (req, res) => {
      const m = ctx.getMachine(req);
      const key = req.params.key;
      if (key === "credentials") return credentialsOf(m);
      const v = m.metadata[key];
      if (typeof v !== "string") throw errors.notFound(`${key} is not metadata`);
      // restify's formatter picks JSON ("\"value\"") or, for Accept: text/plain, the raw text.
      res.send(200, v);
    },
    { headName: "HeadMachineMetadataKey" },
  );

  ctx.route("POST", "/:account/machines/:machine/metadata", "AddMachineMetadata", (req, res) => {
    const m = ctx.getMachine(req);
    const add = {};
    for (const [k, v] of Object.entries(req.params)) {
      if (/_pw$/.test(k) || NOT_KEYS.has(k)) continue;
      add[k] = v;
    }
    const bad = Object.entries(add).filter(([, v]) => !["string", "number", "boolean"].includes(typeof v));
    if (bad.length) {
      throw errors.validationFailed("Invalid VM update parameters", bad.map(([k]) => ({ field: "customer_metadata", code: "Invalid", message: `Invalid value for key ${k}` })));
    }
    if (m.state === "provisioning") throw errors.conflict("UnallocatedVM", "Cannot call update for a VM that has not been provisioned yet");
    const current = { ...m.metadata };
    delete current.credentials;
    const merged = { ...current };
    for (const [k, v] of Object.entries(add)) if (k !== "credentials") merged[k] = v;
    const j = job(req, m, "set_metadata", () => Object.assign(m.metadata, add));
    res.header("x-job-uuid", j.uuid);
    res.send(200, merged);
  });

  ctx.route("DELETE", "/:account/machines/:machine/metadata/:key", "DeleteMachineMetadata", (req, res) => {
    const key = req.params.key;
    if (PROTECTED.has(key)) throw errors.invalidArgument(`Metadata key ${key} can not be deleted`);
    const m = ctx.getMachine(req);
    job(req, m, "remove_metadata", () => {
      delete m.metadata[key];
    });
    res.send(204);
  });

  ctx.route("DELETE", "/:account/machines/:machine/metadata", "DeleteAllMachineMetadata", (req, res) => {
    const m = ctx.getMachine(req);
    job(req, m, "replace_metadata", () => {
      const keep = {};
      if (m.metadata.administrator_pw) keep.administrator_pw = m.metadata.administrator_pw;
      if (m.metadata.root_authorized_keys) keep.root_authorized_keys = m.metadata.root_authorized_keys;
      m.metadata = keep;
    });
    res.send(204);
  });
}
