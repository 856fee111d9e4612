// Type-checked (never run) as an ES module consumer in a Node project: tsc, nodenext, @types/node.
import { DataCenter, type Machine, type MachineData } from "smartdc-wasm";

const dc = new DataCenter({ url: "http://127.0.0.1:8080", account: "jill", privateKey: "…", signer: "rust", timeout: 5000 });
const machines: Machine[] = await dc.machines({ state: "running" });
const first: MachineData | undefined = machines[0]?.toJSON();
const name: string | undefined = machines[0]?.name;
const ips: string[] = machines[0]?.publicIps ?? [];
await machines[0]?.pollUntil("running", { interval: 1000, onProgress: (m) => console.log(m.state) });
const { status, body } = await dc.request("GET", "/my/machines", { query: { limit: 1 } });
console.log(first, name, ips, status, body, dc.keyId);

// @ts-expect-error account is required
new DataCenter({ url: "http://127.0.0.1:8080", privateKey: "…" });
// @ts-expect-error signer is one of "auto" | "webcrypto" | "rust"
new DataCenter({ account: "jill", privateKey: "…", signer: "openssl" });
// @ts-expect-error not a machine state
await machines[0]?.pollUntil("sleeping");

// The CloudAPI models are generated from the Rust models (pkg-template/models.mjs).
import type { CreateMachineOptions, MachineFilters, MachineStateName, SnapshotData, SshKey } from "smartdc-wasm";
const opts: CreateMachineOptions = { image: "2b683a82-a066-11e3-97ab-2faa44701c5a", package: "g4-highcpu-1G", tags: { role: "web", n: 1 }, networks: ["a", { ipv4_uuid: "b" }] };
const filters: MachineFilters = { state: "running", tags: "*" };
const state: MachineStateName | undefined = first?.state;
const keys: SshKey[] = await dc.keys();
const snaps: SnapshotData[] = (await machines[0]?.snapshots())?.map((s) => s.toJSON()) ?? [];
console.log(opts, filters, state, keys[0]?.fingerprint, snaps);
// @ts-expect-error tag values are scalars
const badTags: CreateMachineOptions = { image: "x", package: "y", tags: { nested: { a: 1 } } };
// @ts-expect-error not a ListMachines state filter
const badFilter: MachineFilters = { state: "sleeping" };
// @ts-expect-error unknown createMachine option (the runtime rejects it too)
const typo: CreateMachineOptions = { image: "x", package: "y", colour: "red" };
console.log(badTags, badFilter, typo);
