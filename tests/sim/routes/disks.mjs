// bhyve machine disks (cloudapi lib/endpoints/disks.js, 9.4.1+, experimental, cloudapi.md
// §4.12). Disks live in the machine record (m.disks, set up by the store for bhyve machines
// with flexible_disk packages). Changes need a stopped VM and run as VMAPI jobs; while a
// job is pending the disk shows creating/resizing/deleting, otherwise the VM's state.
import crypto from "node:crypto";
import { ensureResourceModel } from "../lib/res-common.mjs";

const V72 = ["7.2.0", "7.3.0", "8.0.0", "9.0.0"];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PCI_SLOT_RE = /^[0-9]{1,3}:[0-9]{1,2}:[0-7]$/;
const MAX_ALLOWED_VM_DISKS = 8;

/** Stable disk uuid from VM uuid + PCI slot (CloudAPI's getDiskUuid does the same idea). */
function diskUuid(vmUuid, pciSlot) {
  const h = crypto.createHash("sha1").update(`${vmUuid}/${pciSlot}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function register(ctx) {
  const { store, errors } = ctx;
  ensureResourceModel(store);

  const machine = (req) => {
    if (typeof req.params.machine !== "string" || !UUID_RE.test(req.params.machine)) throw errors.invalidArgument("VM has invalid format");
    const m = ctx.getMachine(req);
    m.disks = m.disks || [];
    return m;
  };

  const diskJson = (m, d) => ({
    id: d.id,
    pci_slot: d.pci_slot,
    size: d.size,
    block_size: d.block_size,
    boot: d.boot || false,
    state: d.job || m.state,
  });

  const findDisk = (req, m) => {
    const id = String(req.params.disk);
    const d = m.disks.find((x) => x.id === id || diskUuid(m.id, x.pci_slot) === id);
    if (!d) throw errors.notFound("disk not found");
    return d;
  };

  const mustBeStopped = (m) => {
    if (m.state !== "stopped") throw errors.invalidArgument("VM must be stopped");
  };

  const sizeParam = (v) => {
    if (v === undefined || v === null || v === "" || v === 0) throw errors.missingParameter("size must be specified");
    return v;
  };

  /** Recompute the machine's disk/free_space summary after a change. */
  const refresh = (m) => {
    const used = m.disks.reduce((s, d) => s + (Number(d.size) || 0), 0);
    const pkg = store.packages.get(m.package);
    if (pkg && pkg.flexible_disk) m.free_space = Math.max(0, pkg.disk - used);
    const data = m.disks.find((d) => !d.boot);
    if (data) m.disk = data.size;
    m.updated = store.isoNow();
  };

  const nextSlot = (m) => {
    for (let i = 0; i < 8; i++) {
      const slot = `0:4:${i}`;
      if (!m.disks.some((d) => d.pci_slot === slot)) return slot;
    }
    return `0:5:${m.disks.length}`;
  };

  const job = (req, m, kind, audit, run) =>
    ctx.jobs.schedule({
      kind: "default",
      machine: m,
      audit,
      caller: ctx.caller(req),
      run: () => {
        if (m.destroyed) return false;
        run();
        refresh(m);
        return true;
      },
    });

  ctx.route("GET", "/:account/machines/:machine/disks", "ListMachineDisks", (req, res) => {
    const m = machine(req);
    const disks = m.disks.map((d) => diskJson(m, d));
    res.header("x-resource-count", disks.length);
    res.send(200, disks);
  }, { version: V72 });

  ctx.route("GET", "/:account/machines/:machine/disks/:disk", "GetMachineDisk", (req) => {
    const m = machine(req);
    return diskJson(m, findDisk(req, m));
  }, { version: V72 });

  ctx.route("POST", "/:account/machines/:machine/disks", "CreateMachineDisk", (req, res) => {
    const m = machine(req);
    let size = req.params.size;
    const pciSlot = req.params.pci_slot;
    if (m.brand !== "bhyve") throw errors.invalidArgument("Disk Creation is supported only for BHYVE VMs");
    mustBeStopped(m);
    sizeParam(size);
    if (size !== "remaining" && Number.isNaN(Number(size))) throw errors.invalidArgument("size must be a number");
    if (pciSlot !== undefined && !PCI_SLOT_RE.test(String(pciSlot))) throw errors.invalidArgument("pci_slot has wrong format");
    if (m.disks.length >= MAX_ALLOWED_VM_DISKS) throw errors.invalidArgument(`A maximum of ${MAX_ALLOWED_VM_DISKS} disks per VM are supported`);
    const pkg = store.packages.get(m.package);
    if (size === "remaining") {
      if (!pkg || !pkg.flexible_disk) throw errors.invalidArgument("remaining is only supported for VMs created with flexible_disk_size packages");
      size = pkg.disk - m.disks.reduce((s, d) => s + (Number(d.size) || 0), 0);
    }
    size = Number(size);
    if (pkg && pkg.flexible_disk && size > (m.free_space ?? 0)) {
      throw errors.conflict("ValidationFailed", "Invalid VM update parameters", { errors: [{ field: "disks", code: "Invalid", message: "Insufficient free space" }] });
    }
    if (pciSlot !== undefined && m.disks.some((d) => d.pci_slot === pciSlot)) throw errors.invalidArgument(`pci_slot ${pciSlot} is already in use`);
    const slot = pciSlot !== undefined ? String(pciSlot) : nextSlot(m);
    const disk = { id: diskUuid(m.id, slot), size, block_size: 8192, pci_slot: slot, job: "creating" };
    m.disks.push(disk);
    m.free_space = Math.max(0, (m.free_space ?? 0) - size);
    job(req, m, "create_disk", "create_disk", () => {
      delete disk.job;
    });
    if (pciSlot === undefined) {
      res.send(202);
      return;
    }
    res.header("Location", `/${req.account.login}/machines/${m.id}/disks/${disk.id}`);
    res.send(200, { id: disk.id, pci_slot: slot, size, block_size: undefined, boot: false, state: "creating" });
  }, { version: V72 });

  ctx.route("POST", "/:account/machines/:machine/disks/:disk", "ResizeMachineDisk", (req) => {
    const m = machine(req);
    const d = findDisk(req, m);
    mustBeStopped(m);
    const size = sizeParam(req.params.size);
    if (Number.isNaN(Number(size))) throw errors.invalidArgument("size must be a number");
    const shrink = req.params.dangerous_allow_shrink;
    if (shrink !== undefined && typeof shrink !== "boolean") throw errors.invalidArgument("dangerous_allow_shrink must be a boolean");
    const n = Number(size);
    if (n < d.size && shrink !== true) {
      throw errors.conflict("ValidationFailed", "Invalid VM update parameters", { errors: [{ field: "disks", code: "Invalid", message: "Reducing disk size is a dangerous operation" }] });
    }
    if (n - d.size > (m.free_space ?? 0)) {
      throw errors.conflict("ValidationFailed", "Invalid VM update parameters", { errors: [{ field: "disks", code: "Invalid", message: "Insufficient free space" }] });
    }
    d.job = "resizing";
    job(req, m, "resize_disk", "resize_disk", () => {
      d.size = n;
      delete d.job;
    });
    return diskJson(m, d);
  }, { version: V72 });

  ctx.route("DELETE", "/:account/machines/:machine/disks/:disk", "DeleteMachineDisk", (req, res) => {
    const m = machine(req);
    const d = findDisk(req, m);
    mustBeStopped(m);
    if (d.boot) throw errors.invalidArgument("Cannot delete the boot disk");
    d.job = "deleting";
    job(req, m, "delete_disk", "delete_disk", () => {
      m.disks = m.disks.filter((x) => x !== d);
    });
    res.send(204);
  }, { version: V72 });
}
