// Small DOM helpers shared by the panel: element builder, plain-language errors, dialogs with
// focus management, and the activity list that shows progress for every wait.

/** Builds an element: h("button", { class: "x", onclick }, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  el.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return el;
}

/** A short local date-time ("2026-11-27 01:40"), or "" for nothing. */
export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * What to tell a person about an error: { title, hint, code, message, status, requestId }.
 * `title` and `hint` are plain language; the rest is CloudAPI's (or the package's) own words.
 */
function explain(e, { url, account } = {}) {
  const code = e?.code ?? (e instanceof TypeError ? "TypeError" : "Error");
  const status = e?.statusCode;
  const out = { code, message: e?.message ?? String(e), status, requestId: e?.requestId };
  const where = url ? ` at ${url}` : "";
  const plain = {
    NetworkError: ["Cannot reach CloudAPI", `Nothing answered${where}. Check the address and your network; a CloudAPI that does not allow this page's origin is reachable only through a relay (smartdc-relay).`],
    BadGateway: ["The relay cannot reach CloudAPI", "The relay serving this page is running, but the CloudAPI behind it does not answer. Check the relay's --upstream URL."],
    GatewayTimeout: ["CloudAPI did not answer in time", "The relay gave up waiting for CloudAPI. Try again in a moment."],
    InvalidResponse: ["That address does not answer like CloudAPI", `The server${where} sent something that is not CloudAPI's JSON (an HTML page, perhaps a login portal or a wrong URL). Check the CloudAPI URL.`],
    InvalidKey: ["This file is not a private key the panel can read", "Pick the private half of an SSH key (such as id_rsa or id_ed25519, not the .pub file)."],
    BadPassphrase: ["The key is encrypted", "Enter the key's passphrase (or check it: the one given did not unlock the key)."],
    UnsupportedKey: ["This key type cannot sign CloudAPI requests", "Use an RSA, ECDSA (P-256/P-384/P-521) or Ed25519 key."],
    InvalidCredentials: ["CloudAPI did not accept this key", `Check the account name${account ? ` (“${account}”)` : ""} and that this key's public half is added to that account.`],
    KeyNotFound: ["CloudAPI did not accept this key", `Check the account name${account ? ` (“${account}”)` : ""} and that this key's public half is added to that account.`],
    NotAuthorized: ["Not allowed", "This account (or sub-user) may not do that."],
    Timeout: ["That took too long", "The operation did not finish in time; it may still complete. The list keeps updating."],
    Aborted: ["Cancelled", "The wait was cancelled; the operation itself may still complete on the server."],
    JobFailed: ["The job failed on the server", "CloudAPI accepted the request, but the job behind it did not succeed (see the machine's audit log)."],
    NotSupportedInPresignedMode: ["This needs the relay", "Connected straight to CloudAPI with pre-signed URLs, which cannot carry a request body. Serve the panel with smartdc-relay to create machines and edit tags, metadata or snapshots."],
    PresignedUrlRejected: ["CloudAPI refused the pre-signed URL", "It may have expired: check this computer's clock, then try again."],
    KeyStoreError: ["The browser's key storage failed", "IndexedDB refused the operation (private browsing or full storage?)."],
  }[code];
  if (plain) [out.title, out.hint] = plain;
  else if (status === 401) [out.title, out.hint] = ["CloudAPI did not accept the signature", "Check the account name and that the key is added to it."];
  else if (status === 409) [out.title, out.hint] = ["CloudAPI refused the change", "The machine's current state or settings do not allow it."];
  else if (status === 404 || code === "ResourceNotFound") [out.title, out.hint] = ["Not found", "It may have been deleted meanwhile."];
  else if (status >= 500) [out.title, out.hint] = ["CloudAPI had a problem", "Try again in a moment."];
  else [out.title, out.hint] = ["Something went wrong", ""];
  return out;
}

/** An error box: plain words first, then CloudAPI's code, message, HTTP status and request id. */
export function errorBox(e, ctx, onDismiss) {
  const x = explain(e, ctx);
  const facts = [h("dt", {}, "code"), h("dd", { class: "code" }, x.code), h("dt", {}, "message"), h("dd", { class: "message" }, x.message)];
  if (x.status) facts.push(h("dt", {}, "HTTP"), h("dd", {}, String(x.status)));
  if (x.requestId) facts.push(h("dt", {}, "request id"), h("dd", { class: "request-id" }, x.requestId));
  const box = h("div", { class: "error", role: "alert" },
    h("strong", {}, x.title),
    x.hint ? h("p", {}, x.hint) : null,
    ctx?.note ? h("p", {}, ctx.note) : null,
    h("dl", {}, facts),
    onDismiss ? h("button", { type: "button", class: "quiet", onclick: () => { box.remove(); onDismiss(); } }, "Dismiss") : null);
  return box;
}

/**
 * A modal <dialog>: `body` nodes inside a form, a submit and a Cancel button. `onSubmit(form)`
 * may be async; a rejection is shown inside the dialog, which stays open. Resolves with what
 * onSubmit returned, or undefined when cancelled. Focus goes to the first field (or to Cancel
 * for confirmations) and back to where it was afterwards.
 */
export function dialog({ title, body = [], submit = "OK", danger = false, onSubmit = () => true, ctx }) {
  const before = document.activeElement;
  return new Promise((resolve) => {
    const errors = h("div", { class: "dialog-errors" });
    const ok = h("button", { type: "submit", class: danger ? "danger" : "primary" }, submit);
    const cancel = h("button", { type: "button", onclick: () => finish(undefined) }, "Cancel");
    const heading = h("h2", { id: `dlg-${Math.random().toString(36).slice(2)}` }, title);
    const form = h("form", { method: "dialog" }, heading, ...body, errors, h("div", { class: "buttons" }, cancel, ok));
    const dlg = h("dialog", { "aria-labelledby": heading.id }, form);
    let settled = false;
    const finish = (value) => {
      if (settled) return;
      settled = true;
      dlg.close();
      dlg.remove();
      if (before && before.isConnected) before.focus();
      resolve(value);
    };
    dlg.addEventListener("cancel", (ev) => {
      ev.preventDefault();
      if (!ok.disabled) finish(undefined);
    });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      errors.replaceChildren();
      ok.disabled = true;
      ok.setAttribute("aria-busy", "true");
      try {
        finish(await onSubmit(form));
      } catch (e) {
        errors.append(errorBox(e, ctx));
        errors.scrollIntoView({ block: "nearest" });
      } finally {
        ok.disabled = false;
        ok.removeAttribute("aria-busy");
      }
    });
    document.body.append(dlg);
    dlg.showModal();
    const first = danger ? cancel : form.querySelector("input:not([type=hidden]), select, textarea") ?? ok;
    first.focus();
  });
}

/** A labelled field: field("Name", h("input", { name: "name" })). */
export function field(label, control, hint) {
  control.id ||= `f-${Math.random().toString(36).slice(2)}`;
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hint ? h("small", {}, hint) : null);
}

/** Parses "key=value" lines into an object; throws a TypeError naming the bad line. */
export function parsePairs(text, what) {
  const out = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) throw new TypeError(`${what}, line ${i + 1}: write key=value`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/**
 * The activity list: every wait gets a row with a live status, elapsed time, a progress bar and
 * a Cancel button. `run(signal, progress)` does the work; progress(text) updates the row.
 * Resolves with run's value, or undefined after an error (which stays shown in the row).
 */
export function activity(list, label, run, ctx) {
  const status = h("span", { class: "status" }, "starting…");
  const clock = h("span", { class: "elapsed", "aria-hidden": "true" }, "0 s");
  const bar = h("progress", { "aria-label": label });
  const abort = new AbortController();
  const cancel = h("button", { type: "button", class: "quiet", onclick: () => abort.abort() }, "Cancel");
  const row = h("li", { class: "job running" }, h("span", { class: "label" }, label), status, clock, bar, cancel);
  list.prepend(row);
  const t0 = performance.now();
  const tick = setInterval(() => { clock.textContent = `${((performance.now() - t0) / 1000).toFixed(0)} s`; }, 500);
  const progress = (text) => { status.textContent = text; };
  activity.active += 1;
  return (async () => {
    try {
      const value = await run(abort.signal, progress);
      row.className = "job done";
      status.textContent = `done in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
      setTimeout(() => row.remove(), 6000);
      return value;
    } catch (e) {
      row.className = "job failed";
      status.textContent = "failed";
      row.append(errorBox(e, ctx, () => row.remove()));
      return undefined;
    } finally {
      activity.active -= 1;
      clearInterval(tick);
      bar.remove();
      cancel.remove();
    }
  })();
}
activity.active = 0;
