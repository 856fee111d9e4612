// The machines table (updated in place, so focus survives live refreshes), the machine actions
// shared with the machine page (each one a visible, cancellable wait), and the provision dialog.
import { activity, dialog, field, h, parsePairs, when } from "./ui.js";

/** States a machine passes through on its way somewhere: the list refreshes fast meanwhile. */
export const BUSY = new Set(["provisioning", "stopping", "ready", "offline", "unknown"]);

/** "base-64-lts@24.4.1" for an image id (the id itself when the image is unknown). */
export function imageLabel(app, id) {
  const i = app.images.get(id);
  return i ? `${i.name}@${i.version}` : id ?? "";
}

/**
 * The `{ wait }` argument of a machine write: poll at the panel's pace, cancellable through
 * `signal`, each GetMachine shown in the activity row and in the table.
 */
export function waitArg(app, signal, progress) {
  return {
    wait: {
      interval: app.poll,
      signal,
      onProgress: (x) => {
        progress(`state: ${x.state}`);
        app.update(x);
      },
    },
  };
}

/** Waits until a new machine runs; a failed provision rejects at once instead of timing out. */
function waitRunning(app, m, signal, progress) {
  return m.waitFor((x) => {
    if (x.state === "failed") throw Object.assign(new Error(`${x.name ?? x.id} failed to provision`), { name: "CloudApiError", code: "JobFailed" });
    return x.state === "running";
  }, waitArg(app, signal, progress).wait);
}

/** Every machine action as a visible job. Each resolves with the machine, or undefined on failure. */
const act = {
  start: (app, m) => activity(app.jobs, `Starting ${m.name}`, (signal, progress) => m.start(waitArg(app, signal, progress)), app.ctx),

  stop: (app, m) => activity(app.jobs, `Stopping ${m.name}`, (signal, progress) => m.stop(waitArg(app, signal, progress)), app.ctx),

  reboot: (app, m) => activity(app.jobs, `Rebooting ${m.name}`, (signal, progress) => m.reboot(waitArg(app, signal, progress)), app.ctx),

  async rename(app, m) {
    const input = h("input", { name: "name", value: m.name ?? "", required: true, pattern: "[a-zA-Z0-9][a-zA-Z0-9_.\\-]*", autocomplete: "off" });
    const name = await dialog({
      title: `Rename ${m.name}`,
      body: [field("New name", input, "Letters, digits, _ . and -; starting with a letter or digit.")],
      submit: "Rename",
      ctx: app.ctx,
      onSubmit: () => input.value.trim(),
    });
    if (!name || name === m.name) return undefined;
    return activity(app.jobs, `Renaming ${m.name} to ${name}`, (signal, progress) => m.rename(name, waitArg(app, signal, progress)), app.ctx);
  },

  async resize(app, m) {
    const select = h("select", { name: "package", required: true },
      app.packages.map((p) => h("option", { value: p.name, selected: p.name === m.package }, packageLabel(p))));
    const pkg = await dialog({
      title: `Resize ${m.name}`,
      body: [field("Package", select)],
      submit: "Resize",
      ctx: app.ctx,
      onSubmit: () => select.value,
    });
    if (!pkg || pkg === m.package) return undefined;
    return activity(app.jobs, `Resizing ${m.name} to ${pkg}`, (signal, progress) => m.resize(pkg, waitArg(app, signal, progress)), app.ctx);
  },

  async delete(app, m) {
    const sure = await dialog({
      title: `Delete ${m.name}?`,
      body: [h("p", {}, `The machine ${m.name} (${m.id}) and its data are destroyed. This cannot be undone.`)],
      submit: "Delete",
      danger: true,
      ctx: app.ctx,
    });
    if (!sure) return undefined;
    return activity(app.jobs, `Deleting ${m.name}`, (signal, progress) => m.delete(waitArg(app, signal, progress)), app.ctx);
  },
};

/** "g1.small — 1024 MiB RAM, 25 GiB disk". */
function packageLabel(p) {
  return `${p.name} — ${p.memory} MiB RAM, ${Math.round((p.disk ?? 0) / 1024)} GiB disk`;
}

/** The action buttons for machine `m`, enabled according to its state. */
export function actionButtons(app, m) {
  const b = (name, label, cls) => h("button", { type: "button", class: cls, dataset: { action: name } }, label);
  const box = h("div", { class: "actions" },
    b("start", "Start"), b("stop", "Stop"), b("reboot", "Reboot"), b("rename", "Rename"), b("resize", "Resize"), b("delete", "Delete", "danger"));
  setButtons(app, box, m);
  return box;
}

/** Enables the buttons that make sense in the machine's state. */
export function setButtons(app, box, m) {
  const s = m.state;
  const allowed = {
    start: s === "stopped",
    stop: s === "running",
    reboot: s === "running",
    rename: s === "running" || s === "stopped",
    resize: s === "running" || s === "stopped",
    delete: s !== "deleted",
  };
  for (const btn of box.querySelectorAll("button[data-action]")) {
    btn.disabled = !allowed[btn.dataset.action];
    btn.setAttribute("aria-label", `${btn.textContent} ${m.name ?? m.id}`);
    // Why rebind: the list hands out fresh Machine objects on every refresh.
    btn.onclick = () => act[btn.dataset.action](app, m);
  }
}

/** A state badge: the word, coloured by class. */
export function stateBadge(state) {
  return h("span", { class: `state state-${state ?? "unknown"}` }, state ?? "unknown");
}

/** Builds the machines view into `root`; returns { update(machines) } to refresh it in place. */
export function machinesView(app, root) {
  const tbody = h("tbody");
  const empty = h("p", { class: "empty", hidden: true }, "No machines yet. Use “Provision” to create one.");
  const table = h("table", { class: "machines" },
    h("caption", { class: "sr-only" }, "Machines"),
    h("thead", {}, h("tr", {}, ["Name", "State", "Image", "Package", "Primary IP", "Created", "Actions"].map((t) => h("th", { scope: "col" }, t)))),
    tbody);
  const heading = h("h2", { tabindex: "-1" }, "Machines");
  root.replaceChildren(
    h("div", { class: "bar" }, heading, h("button", { type: "button", class: "primary", id: "provision", onclick: () => provision(app) }, "Provision…")),
    empty, table);
  const rows = new Map();
  return {
    heading,
    update(machines) {
      const seen = new Set();
      for (const m of machines) {
        seen.add(m.id);
        let row = rows.get(m.id);
        if (!row) {
          const cells = {
            name: h("td", { "data-label": "Name" }),
            state: h("td", { "data-label": "State" }),
            image: h("td", { "data-label": "Image" }),
            package: h("td", { "data-label": "Package" }),
            ip: h("td", { "data-label": "Primary IP", class: "mono" }),
            created: h("td", { "data-label": "Created" }),
            actions: h("td", { class: "row-actions" }, actionButtons(app, m)),
          };
          row = { tr: h("tr", { dataset: { id: m.id } }, Object.values(cells)), cells };
          rows.set(m.id, row);
          tbody.append(row.tr);
        }
        const c = row.cells;
        c.name.replaceChildren(h("a", { href: `#/machines/${m.id}` }, m.name ?? m.id));
        c.state.replaceChildren(stateBadge(m.state));
        c.image.textContent = imageLabel(app, m.image);
        c.package.textContent = m.package ?? "";
        c.ip.textContent = m.primaryIp ?? "";
        c.created.textContent = when(m.created);
        setButtons(app, c.actions.firstChild, m);
      }
      for (const [id, row] of rows) {
        if (!seen.has(id)) {
          row.tr.remove();
          rows.delete(id);
        }
      }
      empty.hidden = rows.size > 0;
      table.hidden = rows.size === 0;
    },
    /** One machine changed (a job's poll, a new machine): app.machines already has it. */
    updateOne() {
      this.update([...app.machines.values()]);
    },
  };
}

/** The provision dialog: image and package pickers, tags, metadata and a boot script. */
export async function provision(app) {
  const images = [...app.images.values()]
    .filter((i) => i.state === undefined || i.state === "active")
    .sort((a, b) => a.name.localeCompare(b.name) || b.version.localeCompare(a.version, undefined, { numeric: true }));
  const f = {
    name: h("input", { name: "name", autocomplete: "off", pattern: "[a-zA-Z0-9][a-zA-Z0-9_.\\-]*" }),
    image: h("select", { name: "image", required: true }, images.map((i) => h("option", { value: i.id }, `${i.name}@${i.version} (${i.os}, ${i.type})`))),
    package: h("select", { name: "package", required: true }, app.packages.map((p) => h("option", { value: p.name, selected: p.default === true }, packageLabel(p)))),
    tags: h("textarea", { name: "tags", rows: 2, placeholder: "role=web" }),
    metadata: h("textarea", { name: "metadata", rows: 2, placeholder: "owner=ops" }),
    script: h("textarea", { name: "bootScript", rows: 3, placeholder: "#!/bin/sh\n…", class: "mono" }),
  };
  const m = await dialog({
    title: "Provision a machine",
    body: [
      field("Name", f.name, "Optional: CloudAPI picks one when empty."),
      field("Image", f.image),
      field("Package", f.package),
      field("Tags", f.tags, "One key=value per line."),
      field("Metadata", f.metadata, "One key=value per line."),
      field("Boot script", f.script, "Runs at every boot (metadata user-script)."),
    ],
    submit: "Provision",
    ctx: app.ctx,
    onSubmit: () => {
      const opts = { image: f.image.value, package: f.package.value };
      if (f.name.value.trim()) opts.name = f.name.value.trim();
      const tags = parsePairs(f.tags.value, "Tags");
      const metadata = parsePairs(f.metadata.value, "Metadata");
      if (Object.keys(tags).length) opts.tags = tags;
      if (Object.keys(metadata).length) opts.metadata = metadata;
      if (f.script.value.trim()) opts.bootScript = f.script.value;
      return app.dc.createMachine(opts);
    },
  });
  if (!m) return undefined;
  app.update(m);
  return activity(app.jobs, `Provisioning ${m.name}`, (signal, progress) => waitRunning(app, m, signal, progress), app.ctx);
}
