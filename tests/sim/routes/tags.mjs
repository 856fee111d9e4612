// Machine tags (cloudapi lib/tags.js, cloudapi.md §4.10). Writes are VMAPI jobs: the answer
// already shows the resulting map, the machine changes after a delay. GetMachineTag sends
// non-string values as "" (JSON) or raw text with Accept: text/plain.

const NOT_TAGS = new Set(["account", "machine", "uuid", "owner_uuid", "context", "image"]);

export function register(ctx) {
  const { store, errors, jobs } = ctx;

  const fromParams = (req) => {
    const out = {};
    for (const [k, v] of Object.entries(req.params)) if (!NOT_TAGS.has(k)) out[k] = v;
    const bad = Object.entries(out).filter(([, v]) => !["string", "number", "boolean"].includes(typeof v));
    if (bad.length) throw errors.validationFailed("Invalid VM update parameters: Invalid tags", bad.map(([k]) => ({ field: "tags", code: "Invalid", message: `Invalid value for tag ${k}` })));
    return out;
  };

  const job = (req, m, audit, run) => jobs.schedule({ kind: "tags", machine: m, audit, caller: ctx.caller(req), run: () => {
    if (m.destroyed) return false;
    run();
    m.updated = store.isoNow();
    return true;
  } });

  const ready = (m) => {
    if (m.state === "provisioning") throw errors.conflict("UnallocatedVM", "Cannot call update for a VM that has not been provisioned yet");
  };

  ctx.route("GET", "/:account/machines/:machine/tags", "ListMachineTags", (req) => ({ ...ctx.getMachine(req).tags }));

  ctx.route("GET", "/:account/machines/:machine/tags/:tag", "GetMachineTag", (req, res) => {
    const m = ctx.getMachine(req);
    const t = req.params.tag;
    if (!Object.prototype.hasOwnProperty.call(m.tags, t)) throw errors.notFound(`tag "${t}" not found`);
    const v = m.tags[t];
    res.send(200, typeof v === "string" ? v : "");
  });

  ctx.route("POST", "/:account/machines/:machine/tags", "AddMachineTags", (req, res) => {
    const m = ctx.getMachine(req);
    const add = fromParams(req);
    ready(m);
    const j = job(req, m, "set_tags", () => Object.assign(m.tags, add));
    res.header("x-job-uuid", j.uuid);
    res.send(200, { ...m.tags, ...add });
  });

  ctx.route("PUT", "/:account/machines/:machine/tags", "ReplaceMachineTags", (req, res) => {
    const m = ctx.getMachine(req);
    const tags = fromParams(req);
    ready(m);
    const j = job(req, m, "replace_tags", () => {
      m.tags = { ...tags };
    });
    res.header("x-job-uuid", j.uuid);
    res.send(200, tags);
  });

  ctx.route("DELETE", "/:account/machines/:machine/tags/:tag", "DeleteMachineTag", (req, res) => {
    const m = ctx.getMachine(req);
    const t = req.params.tag;
    if (!Object.prototype.hasOwnProperty.call(m.tags, t)) throw errors.notFound(`tag "${t}" not found`);
    job(req, m, "remove_tags", () => {
      delete m.tags[t];
    });
    res.send(204);
  });

  ctx.route("DELETE", "/:account/machines/:machine/tags", "DeleteMachineTags", (req, res) => {
    const m = ctx.getMachine(req);
    job(req, m, "remove_tags", () => {
      m.tags = {};
    });
    res.send(204);
  });
}
