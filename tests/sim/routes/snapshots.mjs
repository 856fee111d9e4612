// Machine snapshots (cloudapi lib/snapshots.js, cloudapi.md §4.8): queued → running →
// created as a job; rollback (StartMachineFromSnapshot) and delete are jobs too. As in
// CloudAPI, a snapshot's state is its job's execution, the list shows only snapshots that
// exist on the VM (not yet-queued ones), and GET of one whose job exists but which is gone
// answers {name, state: "deleted"}. bhyve snapshots are off (the operator flag's default),
// KVM is refused by VMAPI.

export function register(ctx) {
  const { store, errors, jobs } = ctx;

  // cloudapi translate(): created and updated are both the snapshot's creation time.
  const json = (s) => (s.state === "deleted" ? { name: s.name, state: "deleted" } : { name: s.name, state: s.state, size: s.size, created: s.created, updated: s.created });

  const onVm = (s) => s.state !== "queued" && s.state !== "deleted" && s.state !== "failed" && s.state !== "canceled";

  ctx.route("GET", "/:account/machines/:machine/snapshots", "ListMachineSnapshots", (req) => ctx.getMachine(req).snapshots.filter(onVm).map(json));

  ctx.route("GET", "/:account/machines/:machine/snapshots/:name", "GetMachineSnapshot", (req) => {
    const s = ctx.getMachine(req).snapshots.find((x) => x.name === req.params.name);
    if (!s) throw errors.notFound("Snapshot does not exist");
    return json(s);
  });

  ctx.route("POST", "/:account/machines/:machine/snapshots", "CreateMachineSnapshot", (req, res) => {
    const m = ctx.getMachine(req);
    if (m.brand === "bhyve") throw errors.invalidArgument("Snapshots of bhyve VMs are not allowed");
    if (!["joyent", "joyent-minimal", "lx", "bhyve"].includes(m.brand)) {
      throw errors.conflict("BrandNotSupported", `snapshots are not supported for VMs of brand "${m.brand}"`);
    }
    if (m.state === "provisioning") throw errors.conflict("UnallocatedVM", "Cannot call snapshot for a VM that has not been provisioned yet");
    let name = req.params.name;
    if (name === undefined || name === null || name === "") {
      name = new Date(store.now()).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
    }
    if (typeof name !== "string" || !/^[a-zA-Z0-9_.-]{1,64}$/.test(name)) throw errors.invalidArgument(`${name} is not a valid snapshot name`);
    if (m.snapshots.some((s) => s.name === name && s.state !== "deleted" && s.state !== "failed")) {
      throw errors.invalidArgument(`Snapshot with name ${name} already exists`);
    }
    m.snapshots = m.snapshots.filter((s) => s.name !== name);
    const now = store.isoNow();
    const snap = { name, state: "queued", size: 0, created: now, updated: now };
    m.snapshots.push(snap);
    jobs.midway("snapshot_create", 0.3, () => {
      if (snap.state === "queued") snap.state = "running";
    });
    jobs.schedule({
      kind: "snapshot_create",
      machine: m,
      audit: "create_snapshot",
      caller: ctx.caller(req),
      run: () => {
        if (m.destroyed) {
          snap.state = "failed";
          return false;
        }
        snap.state = "created";
        snap.size = 1 + Math.floor(store.rand() * 500);
        snap.updated = store.isoNow();
        return true;
      },
    });
    res.send(201, { name, state: "queued" });
  });

  ctx.route("POST", "/:account/machines/:machine/snapshots/:name", "StartMachineFromSnapshot", (req, res) => {
    const m = ctx.getMachine(req);
    const snap = m.snapshots.find((x) => x.name === req.params.name && onVm(x));
    if (!snap) throw errors.notFound(`${req.params.name} not found`);
    const wasRunning = m.state === "running";
    if (wasRunning) m.state = "stopping";
    jobs.schedule({
      kind: "snapshot_rollback",
      machine: m,
      audit: "rollback_snapshot",
      caller: ctx.caller(req),
      run: () => {
        if (m.destroyed) return false;
        m.state = "running";
        m.updated = store.isoNow();
        return true;
      },
    });
    res.send(202);
  });

  ctx.route("DELETE", "/:account/machines/:machine/snapshots/:name", "DeleteMachineSnapshot", (req, res) => {
    const m = ctx.getMachine(req);
    const snap = m.snapshots.find((x) => x.name === req.params.name && onVm(x));
    if (!snap) throw errors.notFound(`${req.params.name} not found`);
    jobs.schedule({
      kind: "snapshot_delete",
      machine: m,
      audit: "delete_snapshot",
      caller: ctx.caller(req),
      run: () => {
        snap.state = "deleted";
        snap.updated = store.isoNow();
      },
    });
    res.send(204);
  });
}
