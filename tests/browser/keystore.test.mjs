// The browser KeyStore in real Chromium (Debian's, driven by playwright-core): keys generated
// now with ssh-keygen are imported into IndexedDB as non-extractable CryptoKeys; after a reload
// the page signs CloudAPI requests to the local simulator with them, never seeing the key text.
//   node --test tests/browser/keystore.test.mjs      (needs pkg/ built: pkg-template/build)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { serveStatic } from "./static.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..");
const PKG = join(ROOT, "pkg");
const PASSPHRASE = "keystore test pass";
// Same flags as smoke.mjs: no sandbox as root, no network beyond 127.0.0.1.
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
// name → ssh-keygen arguments; "rsa" is passphrase-protected (the KeyStore's passphrase path).
const KEYS = {
  rsa: ["-t", "rsa", "-b", "2048", "-N", PASSPHRASE],
  ed25519: ["-t", "ed25519", "-N", ""],
  p256: ["-t", "ecdsa", "-b", "256", "-N", ""],
};

const cleanup = [];
let page, sim, keys, nodeIds;

before(async () => {
  if (!existsSync(join(PKG, "index.js"))) throw new Error(`${PKG} is not built: run pkg-template/build first`);
  const dir = mkdtempSync(join(tmpdir(), "smartdc-keystore-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  keys = {};
  for (const [name, args] of Object.entries(KEYS)) {
    const file = join(dir, name);
    execFileSync("ssh-keygen", ["-q", ...args, "-C", `keystore-${name}`, "-f", file]);
    const md5 = execFileSync("ssh-keygen", ["-l", "-E", "md5", "-f", `${file}.pub`], { encoding: "utf8" }).split(" ")[1].replace(/^MD5:/, "");
    keys[name] = { text: readFileSync(file, "utf8"), pub: `${file}.pub`, md5 };
  }
  const { startSimulator } = await import(pathToFileURL(join(ROOT, "tests", "sim", "index.mjs")).href);
  // The page comes from another origin (the static server), hence the permissive CORS switch.
  sim = await startSimulator({
    port: 0, host: "127.0.0.1", account: "keystore", keys: Object.values(keys).map((k) => k.pub),
    speed: "fast", seed: 7, cors: "permissive", throttle: "off",
  });
  cleanup.push(() => sim.close());
  // One machine created from Node with the key file, so the browser has something to list.
  const { DataCenter } = await import(pathToFileURL(join(PKG, "index.node.mjs")).href);
  const dc = new DataCenter({ url: sim.url, account: sim.account, privateKey: keys.ed25519.text });
  const [image] = await dc.images();
  const [pkg] = await dc.packages();
  await dc.createMachine({ name: "keystore-vm", image: image.id, package: pkg.name });
  nodeIds = (await dc.machines()).map((m) => m.id).sort();

  const web = await serveStatic({ "/pkg/": PKG, "/": HERE });
  cleanup.push(() => web.close());
  const profile = mkdtempSync(join(tmpdir(), "smartdc-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
  cleanup.push(async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); });
  page = await context.newPage();
  page.on("pageerror", (e) => console.error(`pageerror: ${e.message}`));
  await page.goto(`${web.url}/keystore.html`);
  await page.waitForFunction(() => window.packageReady === true, null, { timeout: 20000 });
});

after(async () => {
  for (const f of cleanup.reverse()) await f();
});

test("import RSA (encrypted), Ed25519 and P-256 keys: fingerprints match ssh-keygen", { timeout: 60000 }, async () => {
  const texts = Object.fromEntries(Object.entries(keys).map(([n, k]) => [n, k.text]));
  const r = await page.evaluate(async ({ texts, passphrase }) => {
    const store = await window.smartdc.KeyStore.open();
    const out = { imported: {}, errors: {} };
    const code = (p) => p.then(() => "resolved", (e) => `${e.name}/${e.code}`);
    out.errors.wrongPassphrase = await code(store.import("bad", texts.rsa, { passphrase: "nope" }));
    out.errors.notAKey = await code(store.import("bad", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"));
    for (const [name, text] of Object.entries(texts)) {
      out.imported[name] = await store.import(name, text, name === "rsa" ? { passphrase } : {});
    }
    out.errors.duplicate = await code(store.import("ed25519", texts.ed25519));
    // Two imports racing for one name: add() lets exactly one win.
    const race = await Promise.allSettled([store.import("race", texts.ed25519), store.import("race", texts.p256)]);
    out.race = race.map((r) => (r.status === "fulfilled" ? "stored" : `${r.reason.name}/${r.reason.code}`)).sort();
    out.raceDeleted = await store.delete("race");
    out.list = await store.list();
    store.close();
    return out;
  }, { texts, passphrase: PASSPHRASE });
  assert.equal(r.errors.wrongPassphrase, "CloudApiError/BadPassphrase");
  assert.equal(r.errors.notAKey, "CloudApiError/InvalidKey");
  assert.equal(r.errors.duplicate, "CloudApiError/InvalidArgument");
  assert.deepEqual(r.race, ["CloudApiError/InvalidArgument", "stored"]);
  assert.equal(r.raceDeleted, true);
  assert.deepEqual(r.list.map((k) => k.name), ["ed25519", "p256", "rsa"], "failed imports stored nothing");
  const algorithms = { rsa: "rsa-sha256", ed25519: "ed25519-sha512", p256: "ecdsa-sha256" };
  for (const [name, k] of Object.entries(keys)) {
    const e = r.imported[name];
    assert.equal(e.md5, k.md5, `${name}: MD5 as ssh-keygen -E md5 prints it`);
    assert.equal(e.algorithm, algorithms[name]);
    assert.equal(e.publicKey.split(" ").slice(0, 2).join(" "), readFileSync(k.pub, "utf8").split(" ").slice(0, 2).join(" "));
    assert.ok(!("cryptoKey" in e), "import() resolves without the CryptoKey");
  }
  assert.ok(!JSON.stringify(r).includes("PRIVATE KEY"), "nothing returned carries key text");
});

test("after a reload: stored keys are non-extractable and sign CloudAPI requests without the key text", { timeout: 90000 }, async () => {
  await page.reload();
  await page.waitForFunction(() => window.packageReady === true, null, { timeout: 20000 });
  const r = await page.evaluate(async ({ url, account }) => {
    const { KeyStore, DataCenter } = window.smartdc;
    const store = await KeyStore.open();
    const out = {};
    for (const { name } of await store.list()) {
      const entry = await store.get(name);
      const exported = await crypto.subtle.exportKey("pkcs8", entry.cryptoKey).then(() => "exported", (e) => e.name);
      const signer = await store.signer(name);
      const sig = await signer.sign(new TextEncoder().encode("x-date: Thu, 26 Nov 2026 23:00:00 GMT"));
      const dc = new DataCenter({ url, account, signer });
      const machines = await dc.machines();
      const who = await dc.account();
      out[name] = {
        isCryptoKey: entry.cryptoKey instanceof CryptoKey, extractable: entry.cryptoKey.extractable,
        usages: entry.cryptoKey.usages, type: entry.cryptoKey.type, exported,
        signer: { fingerprint: signer.fingerprint, algorithm: signer.algorithm, keys: Object.keys(signer).sort() },
        sig: { isBytes: sig instanceof Uint8Array, length: sig.length, head: [...sig.slice(0, 2)] },
        ids: machines.map((m) => m.id).sort(), login: who.login, dc: JSON.stringify(dc),
      };
    }
    out.missing = await store.signer("nope").then(() => "resolved", (e) => `${e.name}/${e.code}`);
    out.deleted = [await store.delete("p256"), await store.delete("p256")];
    out.after = (await store.list()).map((k) => k.name);
    store.close();
    return out;
  }, { url: sim.url, account: sim.account });
  for (const name of Object.keys(keys)) {
    const k = r[name];
    assert.ok(k, `${name} came back from IndexedDB after the reload`);
    assert.equal(k.isCryptoKey, true);
    assert.equal(k.type, "private");
    assert.equal(k.extractable, false, `${name}: stored non-extractable`);
    assert.deepEqual(k.usages, ["sign"]);
    assert.equal(k.exported, "InvalidAccessError", `${name}: crypto.subtle.exportKey rejects`);
    assert.deepEqual(k.signer.keys, ["algorithm", "fingerprint", "sign"]);
    assert.equal(k.signer.fingerprint, keys[name].md5);
    assert.equal(k.sig.isBytes, true);
    if (name === "rsa") assert.equal(k.sig.length, 256, "RSA-2048: the raw modulus-length signature");
    if (name === "ed25519") assert.equal(k.sig.length, 64, "Ed25519: the raw 64 bytes");
    if (name === "p256") {
      // The signer itself hands out DER (SEQUENCE of two INTEGERs), not WebCrypto's 64-byte r||s.
      assert.equal(k.sig.head[0], 0x30);
      assert.equal(k.sig.head[1], k.sig.length - 2);
    }
    assert.deepEqual(k.ids, nodeIds, `${name}: the simulator accepted the signature and listed the machines`);
    assert.equal(k.login, sim.account);
    assert.ok(k.dc.includes(`/keys/${keys[name].md5}`), `${name}: keyId uses the stored MD5 (${k.dc})`);
  }
  assert.equal(r.missing, "CloudApiError/KeyNotFound");
  assert.deepEqual(r.deleted, [true, false]);
  assert.deepEqual(r.after, ["ed25519", "rsa"]);
});

test("in Node (no IndexedDB) KeyStore.open() rejects with NotSupported through import and require", async () => {
  const { createRequire } = await import("node:module");
  const esm = await import(pathToFileURL(join(PKG, "index.node.mjs")).href);
  const cjs = createRequire(import.meta.url)(join(PKG, "index.node.cjs"));
  for (const KeyStore of [esm.KeyStore, cjs.KeyStore]) {
    await assert.rejects(KeyStore.open(), (e) => e.name === "CloudApiError" && e.code === "NotSupported" && /browsers/.test(e.message));
  }
});
