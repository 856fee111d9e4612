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
