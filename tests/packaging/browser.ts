// Type-checked (never run) as a browser/bundler consumer: moduleResolution bundler, DOM lib, no @types/node.
import { DataCenter } from "smartdc-wasm";

const dc = new DataCenter({ url: location.origin, account: "jill", privateKey: "…", fetch: (input, init) => fetch(input, init) });
for (const m of await dc.machines()) document.body.append(`${m.name} ${m.state}\n`);
// @ts-expect-error privateKey must be text or bytes
new DataCenter({ account: "jill", privateKey: 42 });
