// Type-checked (never run) as a CommonJS consumer in a Node project: tsc, nodenext, @types/node.
import smartdc = require("smartdc-wasm");

async function main(): Promise<void> {
  const dc = new smartdc.DataCenter({ location: "us-central-1", account: "jill", privateKey: "…" });
  const m: smartdc.Machine = await dc.machine("b6979942-7d5d-4fe6-a2ec-b812e950625a");
  const state: smartdc.MachineStateName | undefined = m.state;
  console.log(state, m.primaryIp);
  // @ts-expect-error machine() takes one id
  await dc.machine();
}
void main();
