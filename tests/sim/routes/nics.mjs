// Machine NICs (cloudapi lib/nics.js, 7.2+, cloudapi.md §4.11). NICs live in the machine
// record (m.nics), so ips/networks/primaryIp of the machine follow every change. Adding or
// removing a NIC is a VMAPI job that reboots a running machine (running → stopping →
// running); the new NIC shows `state: "provisioning"` until the job ends.
import { ensureResourceModel, isPool, nicJob, poolMemberFor, usableNetworks } from "../lib/res-common.mjs";

const V72 = ["7.2.0", "7.3.0", "8.0.0", "9.0.0"];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAC_RE = /^[0-9a-f]{12}/i;

/** "90b8d0a1b2c3" → "90:b8:d0:a1:b2:c3". */
function colonMac(mac) {
  return [0, 2, 4, 6, 8, 10].map((i) => mac.slice(i, i + 2)).join(":").toLowerCase();
}

export function register(ctx) {
  const { store, errors } = ctx;
  ensureResourceModel(store);

  /** nics.js getMachine: format check, then VMAPI getVm (destroyed VMs still load). */
  const machine = (req) => {
    if (typeof req.params.machine !== "string" || !UUID_RE.test(req.params.machine)) throw errors.invalidArgument("VM has invalid format");
    return ctx.getMachine(req, { allowDeleted: true });
  };

  const nicPath = (req, m, mac) => `/${req.account.login}/machines/${m.id}/nics/${mac.replace(/:/g, "")}`;

  /** NAPI getNic by MAC: any NIC of the account (CloudAPI checks only the owner). */
  const findNic = (req) => {
    const mac = String(req.params.mac);
    if (!MAC_RE.test(mac)) throw errors.invalidArgument("mac has invalid format");
    const wanted = colonMac(mac.slice(0, 12));
    for (const m of store.machines.values()) {
      if (m.destroyed) continue;
      const nic = m.nics.find((n) => n.mac === wanted);
      if (nic) {
        if (m.owner !== req.account.id) throw errors.notFound("nic not found");
        return { m, nic };
      }
    }
    throw errors.notFound("nic not found");
  };

  ctx.route("GET", "/:account/machines/:machine/nics", "ListNics", (req, res) => {
    const m = machine(req);
    const nics = m.destroyed ? [] : m.nics.map((n) => store.nicJson(n, m));
    res.header("x-resource-count", nics.length);
    res.send(200, nics);
  }, { version: V72, group: "nics" });

  ctx.route("GET", "/:account/machines/:machine/nics/:mac", "GetNic", (req) => {
    machine(req);
    const { m, nic } = findNic(req);
    return store.nicJson(nic, m);
  }, { version: V72, group: "nics" });

  ctx.route("POST", "/:account/machines/:machine/nics", "AddNic", (req, res) => {
    const m = machine(req);
    const arg = req.params.network;
    if (!arg) throw errors.missingParameter("network must be specified");
    let netId;
    let ip;
    if (typeof arg === "string") {
      if (!UUID_RE.test(arg)) throw errors.invalidArgument("network argument has invalid format");
      netId = arg.toLowerCase();
    } else if (typeof arg === "object" && !Array.isArray(arg)) {
      const keys = Object.keys(arg);
      if (keys.some((k) => k !== "ipv4_uuid" && k !== "ipv4_ips")) throw errors.invalidArgument("network object contains unknown properties");
      if (typeof arg.ipv4_uuid !== "string" || !UUID_RE.test(arg.ipv4_uuid)) throw errors.invalidArgument("ipv4_uuid must be a valid UUID");
      if (arg.ipv4_ips !== undefined) {
        if (!Array.isArray(arg.ipv4_ips) || arg.ipv4_ips.length !== 1 || typeof arg.ipv4_ips[0] !== "string") {
          throw errors.invalidArgument("ipv4_ips: network with ipv4_uuid " + arg.ipv4_uuid + " should contain a single IP array");
        }
        ip = arg.ipv4_ips[0];
      }
      netId = arg.ipv4_uuid.toLowerCase();
    } else {
      throw errors.invalidArgument("network argument must be a network object or string");
    }
    if (m.destroyed) throw errors.gone(store.machineJson(m, { version: ctx.version(req) }));
    if (m.state === "provisioning") throw errors.conflict("UnallocatedVM", "Cannot call add_nics for a VM that has not been provisioned yet");

    let net = usableNetworks(store, req.account).find((n) => n.id === netId);
    if (!net) throw errors.invalidArgument("network not found");
    const poolId = isPool(net) ? net.id : null;

    // An existing NIC on that network (or pool) → 302 to it.
    const onNet = m.nics.filter((n) => n.network === netId || (poolId && net.networks.includes(n.network)));
    if (onNet.length > 1) throw errors.internalError("VM has multiple NICs on that network");
    if (onNet.length === 1) {
      res.header("Location", nicPath(req, m, onNet[0].mac));
      res.send(302);
      return;
    }
    if (poolId) {
      net = poolMemberFor(store, net);
      if (!net) throw errors.invalidArgument("network not found");
    }
    if (ip !== undefined) {
      const cur = net.ips.get(ip);
      if (cur && (cur.belongs_to_type === "other" || cur.managed)) throw errors.invalidArgument(`cannot use ${ip} because it is a managed IP`);
      if (cur && cur.belongs_to_uuid) throw errors.invalidArgument(`IP ${ip} is already in use`);
    }
    const primary = req.params.primary === true || req.params.primary === "true";
    const nic = store.makeNic(m, net, { primary, ip });
    if (!nic) throw errors.invalidArgument(`No more free IPs on network ${net.id}`);
    m.nics.push(nic);
    nicJob(ctx, m, {
      kind: "nic_add",
      audit: "add_nics",
      caller: ctx.caller(req),
      done: () => {
        if (primary) for (const n of m.nics) n.primary = n === nic;
        nic.state = "running";
      },
    });
    res.header("Location", nicPath(req, m, nic.mac));
    res.send(201, store.nicJson(nic, m));
  }, { version: V72, group: "nics" });

  ctx.route("DELETE", "/:account/machines/:machine/nics/:mac", "RemoveNic", (req, res) => {
    const vm = machine(req);
    if (vm.destroyed) throw errors.gone(store.machineJson(vm, { version: ctx.version(req) }));
    const { m, nic } = findNic(req);
    nicJob(ctx, m, {
      kind: "nic_remove",
      audit: "remove_nics",
      caller: ctx.caller(req),
      done: () => {
        if (!m.nics.includes(nic)) return;
        m.nics = m.nics.filter((n) => n !== nic);
        store.releaseIp(nic.network, nic.ip);
        if (nic.primary && m.nics.length && !m.nics.some((n) => n.primary)) m.nics[0].primary = true;
      },
    });
    res.send(204);
  }, { version: V72, group: "nics" });
}
