// The machine page: overview and actions, firewall and deletion-protection switches,
// snapshots (create, roll back, delete), tags, metadata and the audit log.
import { activity, dialog, errorBox, field, h, when } from "./ui.js";
import { actionButtons, imageLabel, setButtons, stateBadge, waitArg } from "./machines.js";

/** Builds the page for machine `m` into `root`; returns { heading, update(m) }. */
export function machineView(app, root, first) {
  let m = first;
  const title = h("h2", { tabindex: "-1" });
  const badge = h("span");
  const overview = h("dl", { class: "facts" });
  const buttons = actionButtons(app, m);
  const switches = h("div", { class: "switches" });
  const snapshots = section("Snapshots");
  const tags = section("Tags");
  const metadata = section("Metadata");
  const audit = section("Audit log");
  root.replaceChildren(
    h("a", { href: "#/", class: "back" }, "← All machines"),
    h("div", { class: "bar" }, title, badge),
    overview, buttons, switches,
    snapshots.el, tags.el, metadata.el, audit.el);

  const busy = new Set();
  const toggle = (prop, label, enable, disable) => {
    const box = h("input", { type: "checkbox", id: `sw-${prop}`, role: "switch" });
    box.addEventListener("change", async () => {
      const want = box.checked;
      busy.add(prop);
      box.disabled = true;
      const verb = want ? "Enabling" : "Disabling";
      await activity(app.jobs, `${verb} ${label.toLowerCase()} on ${m.name}`,
        (signal, progress) => m[want ? enable : disable](waitArg(app, signal, progress)), app.ctx);
      busy.delete(prop);
      box.disabled = false;
      render();
    });
    return { prop, box, el: h("div", { class: "switch" }, box, h("label", { for: box.id }, label)) };
  };
  const sw = [
    toggle("firewall_enabled", "Cloud firewall", "enableFirewall", "disableFirewall"),
    toggle("deletion_protection", "Deletion protection", "enableDeletionProtection", "disableDeletionProtection"),
  ];
  switches.append(...sw.map((s) => s.el));

  // ---- snapshots
  const snapName = h("input", { name: "snapshot", autocomplete: "off", placeholder: "optional", pattern: "[a-zA-Z0-9_.\\-]{1,64}" });
  snapshots.form.append(field("Snapshot name", snapName), h("button", { type: "submit" }, "Create snapshot"));
  snapshots.form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const name = snapName.value.trim() || undefined;
    snapName.value = "";
    await activity(app.jobs, `Snapshot ${name ?? "(auto-named)"} of ${m.name}`,
      (signal, progress) => m.createSnapshot(name, snapshotWait(app, signal, progress)), app.ctx);
    loadSnapshots();
  });
  const rollBack = async (s) => {
    const running = m.state !== "stopped";
    const sure = await dialog({
      title: `Roll ${m.name} back to ${s.name}?`,
      body: [h("p", {}, `${running ? `${m.name} is stopped first, then ` : `${m.name} `}starts from snapshot ${s.name}; changes made since it was taken are lost.`)],
      submit: "Roll back",
      danger: true,
      ctx: app.ctx,
    });
    if (!sure) return;
    await activity(app.jobs, `Rolling ${m.name} back to ${s.name}`, async (signal, progress) => {
      if (m.state !== "stopped") await m.stop(waitArg(app, signal, progress));
      return m.startFromSnapshot(s.name, waitArg(app, signal, progress));
    }, app.ctx);
  };
  const dropSnapshot = async (s) => {
    const sure = await dialog({ title: `Delete snapshot ${s.name}?`, body: [h("p", {}, "The snapshot is destroyed; the machine is not affected.")], submit: "Delete", danger: true, ctx: app.ctx });
    if (!sure) return;
    await activity(app.jobs, `Deleting snapshot ${s.name}`, (signal, progress) => s.delete(snapshotWait(app, signal, progress)), app.ctx);
    loadSnapshots();
  };
  async function loadSnapshots() {
    await load(snapshots, async () => {
      const list = await m.snapshots();
      if (!list.length) return h("p", { class: "empty" }, "No snapshots.");
      return table(["Name", "State", "Created", ""], list.map((s) => [
        s.name, stateBadge(s.state), when(s.created),
        h("div", { class: "actions" },
          h("button", { type: "button", onclick: () => rollBack(s), disabled: s.state !== "created", "aria-label": `Roll back to ${s.name}` }, "Roll back"),
          h("button", { type: "button", class: "danger", onclick: () => dropSnapshot(s), "aria-label": `Delete snapshot ${s.name}` }, "Delete")),
      ]));
    });
  }

  // ---- tags and metadata (same editor, different calls). Both are VMAPI jobs: CloudAPI answers
  // with the merged map at once and changes the machine later, so each edit waits for it.
  const pairs = (sec, what, prop, set, remove, hidden = () => false) => {
    const noun = what.toLowerCase();
    const key = h("input", { name: "key", required: true, autocomplete: "off" });
    const value = h("textarea", { name: "value", rows: 1 });
    sec.form.append(field(`${what} key`, key), field("Value", value), h("button", { type: "submit" }, `Set ${noun}`));
    sec.form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const k = key.value.trim();
      const v = value.value;
      const ok = await activity(app.jobs, `Setting ${noun} ${k} on ${m.name}`, async (signal, progress) => {
        await set({ [k]: v }, waitArg(app, signal, progress));
        // The wait reads the map, not the machine: show the machine as it is now.
        app.update(await m.refresh());
        return true;
      }, app.ctx);
      if (ok !== undefined) {
        key.value = "";
        value.value = "";
        key.focus();
      }
    });
    return () => {
      const entries = Object.entries(m[prop] ?? {}).filter(([k]) => !hidden(k));
      sec.body.replaceChildren(entries.length
        ? table(["Key", "Value", ""], entries.map(([k, v]) => [k, h("span", { class: "mono pre" }, String(v)),
          h("button", { type: "button", class: "danger", "aria-label": `Remove ${noun} ${k}`, onclick: () =>
            activity(app.jobs, `Removing ${noun} ${k} from ${m.name}`, async (signal, progress) => {
              await remove(k, waitArg(app, signal, progress));
              app.update(await m.refresh());
              return true;
            }, app.ctx) }, "Remove")]))
        : h("p", { class: "empty" }, `No ${noun}.`));
    };
  };
  const renderTags = pairs(tags, "Tag", "tags", (o, w) => m.addTags(o, w), (k, w) => m.deleteTag(k, w));
  // Why hidden: CloudAPI stores the account's keys and generated passwords in metadata too.
  const renderMetadata = pairs(metadata, "Metadata", "metadata", (o, w) => m.updateMetadata(o, w), (k, w) => m.deleteMetadata(k, w),
    (k) => k === "root_authorized_keys" || k === "credentials" || k.endsWith("_pw"));

  // ---- audit
  audit.form.append(h("button", { type: "submit" }, "Reload audit log"));
  audit.form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    loadAudit();
  });
  async function loadAudit() {
    await load(audit, async () => {
      const entries = await m.audit();
      if (!entries?.length) return h("p", { class: "empty" }, "No audit entries yet.");
      return table(["Time", "Action", "Success", "Caller"], entries.map((a) => [
        when(a.time), a.action, a.success, caller(a.caller),
      ]));
    });
  }

  /** Shows a section's content, or its error (the page stays usable). */
  async function load(sec, make) {
    sec.body.setAttribute("aria-busy", "true");
    if (!sec.body.firstChild) sec.body.append(h("p", { class: "empty" }, "Loading…"));
    try {
      sec.body.replaceChildren(await make());
    } catch (e) {
      sec.body.replaceChildren(errorBox(e, app.ctx));
    } finally {
      sec.body.removeAttribute("aria-busy");
    }
  }

  function render() {
    title.textContent = m.name ?? m.id;
    badge.replaceChildren(stateBadge(m.state));
    const ips = m.ips ?? [];
    const facts = [["ID", m.id], ["Image", imageLabel(app, m.image)], ["Package", m.package], ["Memory", m.memory ? `${m.memory} MiB` : ""],
      ["Primary IP", m.primaryIp], ["IPs", ips.join(", ")], ["Brand", m.brand], ["Created", when(m.created)], ["Updated", when(m.updated)]];
    overview.replaceChildren(...facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", { class: k === "ID" || k.includes("IP") ? "mono" : "" }, v ?? "")]));
    setButtons(app, buttons, m);
    for (const s of sw) if (!busy.has(s.prop)) s.box.checked = m[s.prop] === true;
    renderTags();
    renderMetadata();
  }

  render();
  loadSnapshots();
  loadAudit();
  return {
    heading: title,
    id: m.id,
    update(x) {
      if (x.id !== m.id) return;
      const was = m;
      m = x;
      render();
      // A finished job changes the state or the `updated` time: the audit log has a new entry.
      if (was.state !== x.state || was.updated !== x.updated) loadAudit();
      if (x.state === "deleted" && was.state !== "deleted") root.prepend(h("p", { class: "notice", role: "status" }, "This machine has been deleted."));
    },
  };
}

/** The `{ wait }` argument of a snapshot write: each poll's state in the activity row. */
function snapshotWait(app, signal, progress) {
  return { wait: { interval: app.poll, signal, onProgress: (x) => progress(`snapshot ${x.name}: ${x.state}`) } };
}

/** "signature key b8:60:…" from an audit entry's caller (its keyId is /<account>/keys/<fp>). */
function caller(c = {}) {
  const key = c.keyId?.replace(/^.*\/keys\//, "key ");
  return [c.type, key ?? c.user ?? c.ip].filter(Boolean).join(", ");
}

/** A titled section with a body and a form. */
function section(name) {
  const body = h("div", { class: "section-body" });
  const form = h("form", { class: "inline" });
  return { body, form, el: h("section", { "aria-label": name }, h("h3", {}, name), body, form) };
}

/** A simple table; cells are strings or nodes. */
function table(head, rows) {
  return h("table", {},
    h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c, i) => h("td", { "data-label": head[i] }, c))))));
}
