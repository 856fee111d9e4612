// The control panel: connect (relay, known location or URL; a key file imported into the
// KeyStore as a non-extractable CryptoKey, or a key stored before), then the machines list and
// machine pages, kept live while anything is in flight. The key never leaves the page: requests
// are signed here and go to the relay on this origin (smartdc-relay), which forwards them.
import { DataCenter, KeyStore, knownLocations } from "/pkg/index.js";
import { activity, dialog, errorBox, h } from "./ui.js";
import { BUSY, machinesView } from "./machines.js";
import { machineView } from "./machine.js";

const SAVED = "smartdc-panel";
const IMPORT = "__import";
const OTHER = "__other";
const RELAY = new URL("cloudapi", location.href.replace(/[?#].*$/, "")).href.replace(/\/$/, "");
const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const app = {
  dc: null,
  account: "",
  ctx: {},
  // Ms between polls while something is in flight, and between list refreshes otherwise.
  poll: Math.max(100, Number(params.get("poll")) || 2000),
  idle: Math.max(1000, Number(params.get("refresh")) || 15000),
  images: new Map(),
  packages: [],
  machines: new Map(),
  jobs: $("jobs"),
  view: null,
  home: null,
  datacenters: {},
  keyName: "",
  update(m) {
    if (m.state === "deleted") app.machines.delete(m.id);
    else app.machines.set(m.id, m);
    if (app.view?.updateOne) app.view.updateOne(m);
    else app.view?.update?.(m);
    soon();
  },
};

let store;
let timer;

// ---------------------------------------------------------------- connect form
// (re-connecting after a reload needs no file: the KeyStore keeps the key)

const where = $("where");
const urlInput = $("url");
const keySelect = $("key");
const connectErrors = $("connect-errors");

function fillLocations() {
  const options = [h("option", { value: RELAY }, `This page's relay (${new URL(RELAY).pathname})`)];
  for (const [name, url] of Object.entries(knownLocations())) options.push(h("option", { value: url }, `${name} — ${url}`));
  options.push(h("option", { value: OTHER }, "Another CloudAPI URL…"));
  where.replaceChildren(...options);
}

/**
 * How to sign for `url`: through this page's relay an Authorization header; straight to a
 * CloudAPI on another origin, pre-signed URLs (its CORS preflight refuses the header).
 */
function transportFor(url) {
  return new URL(url, location.href).origin === location.origin ? "headers" : "presigned";
}

function showUrlField() {
  $("url-field").hidden = where.value !== OTHER;
  urlInput.required = where.value === OTHER;
  $("direct-note").hidden = where.value === RELAY;
}

async function fillKeys(selected) {
  const keys = await store.list();
  keySelect.replaceChildren(
    ...keys.map((k) => h("option", { value: k.name }, `${k.name} (${k.algorithm}, ${k.md5})`)),
    h("option", { value: IMPORT }, "Import a key file…"));
  keySelect.value = keys.some((k) => k.name === selected) ? selected : keys.length ? keys[0].name : IMPORT;
  showKeyFields();
}

function showKeyFields() {
  const importing = keySelect.value === IMPORT;
  $("import-fields").hidden = !importing;
  $("key-file").required = importing;
  $("forget").hidden = importing;
}

/** Imports the picked file into the KeyStore; resolves with the stored name. */
async function importKey() {
  const file = $("key-file").files[0];
  if (!file) throw new TypeError("Choose a private key file");
  const name = $("key-name").value.trim() || file.name;
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    await store.import(name, bytes, { passphrase: $("passphrase").value || undefined });
  } finally {
    // The KeyStore keeps a non-extractable CryptoKey; wipe the file's bytes.
    bytes.fill(0);
    $("passphrase").value = "";
  }
  $("key-file").value = "";
  $("key-name").value = "";
  await fillKeys(name);
  return name;
}

async function connect(ev) {
  ev.preventDefault();
  connectErrors.replaceChildren();
  const button = $("connect-button");
  button.disabled = true;
  const url = where.value === OTHER ? urlInput.value.trim().replace(/\/+$/, "") : where.value;
  const account = $("account").value.trim();
  app.ctx = { url, account };
  $("connect-progress").hidden = false;
  try {
    const keyName = keySelect.value === IMPORT ? await importKey() : keySelect.value;
    const dc = new DataCenter({ url, account, signer: await store.signer(keyName), transport: transportFor(url) });
    await dc.account();
    localStorage.setItem(SAVED, JSON.stringify({ where: where.value, url: urlInput.value, account, key: keyName }));
    app.home = { url };
    app.keyName = keyName;
    await enter(dc, url, account);
  } catch (e) {
    connectErrors.append(errorBox(e, app.ctx));
    connectErrors.querySelector("[role=alert]")?.setAttribute("tabindex", "-1");
    connectErrors.firstChild?.focus();
  } finally {
    button.disabled = false;
    $("connect-progress").hidden = true;
  }
}

/** Switches the page to `dc`: loads the catalogue, the switcher and the machines. */
async function enter(dc, url, account) {
  const [images, packages, machines] = await Promise.all([dc.images(), dc.packages(), dc.machines()]);
  app.dc = dc;
  app.account = account;
  app.ctx = { url, account };
  app.images = new Map(images.map((i) => [i.id, i]));
  app.packages = packages.sort((a, b) => (a.memory ?? 0) - (b.memory ?? 0) || a.name.localeCompare(b.name));
  app.machines = new Map(machines.map((m) => [m.id, m]));
  $("connect").hidden = true;
  $("session").hidden = false;
  $("workspace").hidden = false;
  $("who").textContent = `${account} @ ${url}${transportFor(url) === "presigned" ? " (pre-signed URLs)" : ""}`;
  route();
  soon();
  fillSwitcher();
}

// ---------------------------------------------------------------- datacenter switcher

async function fillSwitcher() {
  const sw = $("dc-switch");
  try {
    const r = await app.dc.request("GET", `/${encodeURIComponent(app.account)}/datacenters`);
    const current = r.headers["triton-datacenter-name"];
    app.home.name ??= current;
    app.datacenters = r.body ?? {};
    sw.replaceChildren(...Object.keys(r.body ?? {}).sort().map((name) => h("option", { value: name, selected: name === current }, name)));
    sw.dataset.current = current ?? "";
    sw.disabled = sw.options.length < 2;
  } catch (e) {
    sw.replaceChildren(h("option", {}, "(unknown)"));
    sw.disabled = true;
  }
}

async function switchDatacenter() {
  const sw = $("dc-switch");
  const name = sw.value;
  const before = sw.dataset.current;
  sw.disabled = true;
  // Why the note: a browser reaches another CloudAPI only through a relay of its own.
  const ctx = {
    url: app.datacenters[name] || name,
    account: app.account,
    note: `Still connected to ${before}. To manage ${name} fully, run smartdc-relay --upstream ${app.datacenters[name] || "URL"} and open that relay's panel.`,
  };
  const ok = await activity(app.jobs, `Switching to datacenter ${name}`, async (signal, progress) => {
    // The home datacenter is reached the way the user connected (usually this page's relay);
    // the others at the URL CloudAPI lists for them.
    const url = name === app.home.name ? app.home.url : app.datacenters[name];
    const dc = new DataCenter({ url, account: app.account, signer: await store.signer(app.keyName), transport: transportFor(url) });
    progress(`connecting to ${dc.url}`);
    await enter(dc, dc.url, app.account);
    return true;
  }, ctx);
  if (!ok) sw.value = before;
  sw.disabled = sw.options.length < 2;
}

// ---------------------------------------------------------------- views and live refresh

function route() {
  if (!app.dc) return;
  const root = $("view");
  const id = /^#\/machines\/([0-9a-f-]+)$/.exec(location.hash)?.[1];
  if (id) {
    const m = app.machines.get(id);
    if (!m) {
      app.dc.machine(id).then((x) => { app.machines.set(x.id, x); route(); }, (e) => root.replaceChildren(h("a", { href: "#/" }, "← All machines"), errorBox(e, app.ctx)));
      return;
    }
    app.view = machineView(app, root, m);
  } else {
    app.view = machinesView(app, root);
    app.view.update([...app.machines.values()]);
  }
  app.view.heading.focus();
}

/** Refreshes the list soon: quickly while anything is in flight, slowly otherwise. */
function soon(ms = app.poll) {
  clearTimeout(timer);
  timer = setTimeout(refresh, ms);
}

async function refresh() {
  if (!app.dc) return;
  const dc = app.dc;
  const status = $("live-status");
  try {
    // Why keep the newer copy: a job's poll may have read a machine after this list was sent;
    // showing the list's older copy would flip the row back (a rename seems undone).
    const list = (await dc.machines()).map((m) => {
      const known = app.machines.get(m.id);
      return known && (known.updated ?? "") > (m.updated ?? "") ? known : m;
    });
    if (dc !== app.dc) return;
    app.machines = new Map(list.map((m) => [m.id, m]));
    if (app.view?.updateOne) app.view.update(list);
    else if (app.view && app.machines.has(app.view.id)) app.view.update(app.machines.get(app.view.id));
    status.replaceChildren();
    const busy = activity.active > 0 || list.some((m) => BUSY.has(m.state));
    soon(busy ? app.poll : app.idle);
  } catch (e) {
    status.replaceChildren(h("p", {}, `Live updates paused; retrying in ${Math.round(app.idle / 1000)} s.`), errorBox(e, app.ctx));
    soon(app.idle);
  }
}

function disconnect() {
  clearTimeout(timer);
  app.dc = null;
  app.view = null;
  $("view").replaceChildren();
  $("live-status").replaceChildren();
  $("session").hidden = true;
  $("workspace").hidden = true;
  $("connect").hidden = false;
  $("account").focus();
}

// ---------------------------------------------------------------- start

async function start() {
  fillLocations();
  const saved = JSON.parse(localStorage.getItem(SAVED) ?? "null") ?? {};
  if (saved.where && [...where.options].some((o) => o.value === saved.where)) where.value = saved.where;
  urlInput.value = saved.url ?? "";
  $("account").value = saved.account ?? "";
  showUrlField();
  try {
    store = await KeyStore.open();
    await fillKeys(saved.key);
  } catch (e) {
    connectErrors.append(errorBox(e));
  }
  where.addEventListener("change", showUrlField);
  keySelect.addEventListener("change", showKeyFields);
  $("forget").addEventListener("click", async () => {
    const name = keySelect.value;
    const gone = await dialog({
      title: `Forget the key ${name}?`,
      body: [h("p", {}, "It is removed from this browser's storage; the key file on your disk is not touched.")],
      submit: "Forget",
      danger: true,
      onSubmit: () => store.delete(name),
    });
    if (gone) await fillKeys();
  });
  $("connect-form").addEventListener("submit", connect);
  $("disconnect").addEventListener("click", disconnect);
  $("dc-switch").addEventListener("change", switchDatacenter);
  window.addEventListener("hashchange", route);
  document.body.dataset.ready = "true";
}

start();
