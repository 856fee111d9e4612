// The page logic every browser test loads: as plain ES modules (page.html maps `smartdc-wasm`
// to /pkg/index.js with an import map) and as Vite and webpack production bundles
// (bundlers.test.mjs). It imports the package the way a user would, with no init() call.
import { DataCenter } from "smartdc-wasm";

document.body.innerHTML = `
  <h1>smartdc-wasm: machines</h1>
  <p id="status">package loaded</p>
  <table><thead><tr><th>name</th><th>state</th><th>id</th><th>primaryIp</th></tr></thead><tbody id="rows"></tbody></table>`;
document.head.insertAdjacentHTML("beforeend",
  "<style>body { font: 14px system-ui, sans-serif; margin: 2em } td, th { padding: 2px 12px; text-align: left }</style>");

// The tests call this with the simulator URL and a key made at test time.
window.listMachines = async (opts) => {
  const dc = new DataCenter(opts);
  const machines = await dc.machines();
  const rows = document.getElementById("rows");
  for (const m of machines) {
    const tr = rows.insertRow();
    for (const v of [m.name, m.state, m.id, m.primaryIp]) tr.insertCell().textContent = v ?? "";
  }
  document.getElementById("status").textContent = `${machines.length} machine(s) from ${opts.url} as ${opts.account}`;
  return { signer: dc.signer, machines: machines.map((m) => m.toJSON()) };
};
window.loadedDataCenter = DataCenter;
window.packageReady = true;
