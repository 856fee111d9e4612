// The private key never leaves the page, in real Chromium. A page served by the relay imports
// a key file (picked in an <input type=file>) into the KeyStore, then calls CloudAPI through
// the relay: list, create (a JSON body), get, stop, a 404. Everything that left the page is
// then scanned for the private key in every encoding it could take — the OpenSSH file's base64
// lines, PKCS#1 and PKCS#8 PEM lines, DER bytes, the JWK's d/p/q in base64url, base64 and hex,
// and the raw integers: what Chromium sent (headers and bodies), the relay's log, the
// simulator's own output, and every byte between the relay and the simulator (a TCP tap,
// both directions). The IndexedDB record is a non-extractable CryptoKey: exportKey rejects.
//   node --test tests/browser/keysafety.test.mjs      (needs pkg/ built: pkg-template/build)
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PKG, launchChromium } from "./smoke.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const cleanup = [];
let keyFile, needles, sim, simInfo, simLog, tap, relay, relayLog, page, sentByPage, callResult;

/** Every form the private key could leak in: strings (text scan) and byte runs (binary scan). */
function keyNeedles(openssh, dir) {
  // A PKCS#1 copy for Node's crypto (which cannot read the OpenSSH format), written by ssh-keygen.
  const pemFile = join(dir, "copy");
  copyFileSync(keyFile, pemFile);
  execFileSync("ssh-keygen", ["-q", "-p", "-m", "PEM", "-N", "", "-P", "", "-f", pemFile]);
  const key = createPrivateKey(readFileSync(pemFile, "utf8"));
  const jwk = key.export({ format: "jwk" });
  // What is public anyway (the public key sits inside every private key format, and travels
  // as root_authorized_keys and in the KeyStore record): the SSH blob, SPKI and PKCS#1 DER, n.
  const publicBlobs = [
    Buffer.from(readFileSync(`${keyFile}.pub`, "utf8").split(" ")[1], "base64"),
    Buffer.from(jwk.n, "base64url"),
    createPublicKey(key).export({ format: "der", type: "spki" }),
    createPublicKey(key).export({ format: "der", type: "pkcs1" }),
  ];
  // A base64 run is a needle only if the bytes it encodes are private: not all inside a public
  // blob, and not the OpenSSH header every unencrypted key starts with. Lines are decoded in
  // place within the whole body (OpenSSH wraps at 70 characters, so its lines are not aligned
  // to base64's 4-character groups).
  const strings = new Set();
  for (const pem of [openssh, key.export({ format: "pem", type: "pkcs1" }), key.export({ format: "pem", type: "pkcs8" })]) {
    const lines = pem.split("\n").filter((l) => l && !l.startsWith("-----") && !l.includes(":"));
    const body = Buffer.from(lines.join(""), "base64");
    let at = 0;
    const isPrivate = (offset, length) => {
      // Whole bytes covered by characters [offset, offset + length): 6 bits per character.
      const inner = body.subarray(Math.ceil((offset * 6) / 8), Math.floor(((offset + length) * 6) / 8));
      return !publicBlobs.some((b) => b.includes(inner)) && !inner.toString("latin1").includes("openssh-key-v1");
    };
    // Each line, and its first 32 characters (a line could be cut or re-wrapped).
    for (const l of lines) {
      if (isPrivate(at, l.length)) strings.add(l);
      if (l.length >= 40 && isPrivate(at, 32)) strings.add(l.slice(0, 32));
      at += l.length;
    }
  }
  const bytes = [];
  for (const part of ["d", "p", "q", "dp", "dq"]) {
    const raw = Buffer.from(jwk[part], "base64url");
    const chunk = raw.subarray(0, 24);
    bytes.push(chunk);
    strings.add(jwk[part].slice(0, 32));
    strings.add(raw.toString("base64").slice(0, 32));
    strings.add(chunk.toString("hex"));
  }
  for (const der of [key.export({ format: "der", type: "pkcs1" }), key.export({ format: "der", type: "pkcs8" })]) {
    // Windows of the DER past the public modulus, where only private material lives.
    bytes.push(der.subarray(der.length - 120, der.length - 96), der.subarray(der.length - 300, der.length - 276));
  }
  strings.add("PRIVATE KEY");
  return { strings: [...strings], bytes };
}

/** The needles found in `haystack` (a string or a Buffer). */
function leaks(haystack) {
  const buf = Buffer.isBuffer(haystack) ? haystack : Buffer.from(String(haystack), "utf8");
  const text = buf.toString("latin1");
  return [...needles.strings.filter((s) => text.includes(s)), ...needles.bytes.filter((b) => buf.includes(b)).map((b) => `bytes ${b.toString("hex").slice(0, 16)}…`)];
}

/** A TCP tap in front of `port`: records every byte in both directions. */
async function startTap(port) {
  const chunks = [];
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(port, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    }
    client.on("data", (d) => chunks.push(d));
    upstream.on("data", (d) => chunks.push(d));
    client.pipe(upstream).on("error", () => client.destroy());
    upstream.pipe(client).on("error", () => upstream.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    bytes: () => Buffer.concat(chunks),
    close: () => new Promise((r) => {
      server.close(r);
      for (const s of sockets) s.destroy();
    }),
  };
}

before(async () => {
  if (!existsSync(join(PKG, "index.js"))) throw new Error(`${PKG} is not built: run pkg-template/build first`);
  const dir = mkdtempSync(join(tmpdir(), "smartdc-keysafety-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  keyFile = join(dir, "id_rsa");
  execFileSync("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "keysafety", "-f", keyFile]);
  needles = keyNeedles(readFileSync(keyFile, "utf8"), dir);

  // The simulator as a process, so its own output (stdout and stderr) is its log.
  simLog = [];
  sim = spawn(process.execPath, [join(ROOT, "tests", "sim", "cli.mjs"), "--account", "keysafe", "--key", `${keyFile}.pub`, "--speed", "fast", "--cors", "faithful", "--throttle", "off"], { stdio: ["ignore", "pipe", "pipe"] });
  cleanup.push(() => new Promise((r) => { if (sim.exitCode !== null) return r(); sim.once("exit", r); sim.kill("SIGTERM"); }));
  sim.stderr.on("data", (d) => simLog.push(d));
  const lines = createInterface({ input: sim.stdout });
  simInfo = await new Promise((resolve, reject) => {
    sim.once("exit", (c) => reject(new Error(`simulator exited ${c}`)));
    lines.once("line", (l) => resolve(JSON.parse(l)));
  });
  lines.on("line", (l) => simLog.push(Buffer.from(`${l}\n`)));

  tap = await startTap(Number(new URL(simInfo.url).port));
  cleanup.push(() => tap.close());
  relayLog = [];
  const { startRelay } = await import(pathToFileURL(join(PKG, "relay.mjs")).href);
  relay = await startRelay({ upstream: tap.url, dir: join(ROOT, "www"), mounts: { "/pkg/": PKG, "/t/": HERE }, log: (l) => relayLog.push(l) });
  cleanup.push(() => relay.close());

  const browser = await launchChromium();
  cleanup.push(browser.close);
  page = await browser.context.newPage();
  sentByPage = [];
  page.on("request", (r) => sentByPage.push({ url: r.url(), headers: r.headers(), body: r.postDataBuffer()?.toString("base64") ?? null, bodyText: r.postData() }));
  await page.goto(`${relay.url}/t/keysafety.html`);
  await page.waitForFunction(() => document.getElementById("status").textContent === "package loaded", null, { timeout: 20000 });
  await page.setInputFiles("#key", keyFile);
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("imported"), null, { timeout: 20000 });

  callResult = await page.evaluate(async ({ url, account }) => {
    const { KeyStore, DataCenter } = window.smartdc;
    const store = await KeyStore.open();
    const dc = new DataCenter({ url, account, signer: await store.signer("mine") });
    const [image] = await dc.images();
    const [pkg] = await dc.packages();
    const m = await dc.createMachine({ name: "keysafe-vm", image: image.id, package: pkg.name, metadata: { note: "hello" } });
    await m.pollUntil("running", { interval: 100 });
    await m.stop();
    const missing = await dc.machine("00000000-0000-4000-8000-000000000000").catch((e) => e.code);
    return { names: (await dc.machines()).map((x) => x.name), missing, dc: JSON.stringify(dc), signer: dc.signer };
  }, { url: `${relay.url}/cloudapi`, account: simInfo.account });
});

after(async () => {
  for (const f of cleanup.reverse()) await f();
});

test("the scanner finds the key where it is (so a clean scan means something)", () => {
  assert.ok(needles.strings.length > 40 && needles.bytes.length >= 9, `${needles.strings.length} strings, ${needles.bytes.length} byte runs`);
  const text = readFileSync(keyFile, "utf8");
  assert.ok(leaks(text).length > 10, "the key file itself is flagged");
  assert.ok(leaks(`x ${text.split("\n").at(-5)} y`).length > 0, "one base64 line of the private part is flagged");
  const der = createPrivateKey(readFileSync(join(dirname(keyFile), "copy"), "utf8")).export({ format: "der", type: "pkcs8" });
  assert.ok(leaks(Buffer.concat([Buffer.from("junk"), der])).length > 0, "PKCS#8 DER bytes are flagged");
  const d = createPrivateKey(readFileSync(join(dirname(keyFile), "copy"), "utf8")).export({ format: "jwk" }).d;
  assert.ok(leaks(JSON.stringify({ d })).length > 0, "the JWK d is flagged");
});

test("the calls went through the relay and signed with the stored key", () => {
  assert.deepEqual(callResult.names, ["keysafe-vm"]);
  assert.equal(callResult.missing, "ResourceNotFound");
  assert.equal(callResult.signer, "custom");
  assert.ok(relayLog.filter((l) => l.includes(" /cloudapi/")).length >= 6, relayLog.join("\n"));
  const wire = tap.bytes().toString("latin1");
  assert.match(wire, /POST \/keysafe\/machines HTTP\/1\.1/);
  assert.match(wire, /authorization: Signature keyId="\/keysafe\/keys\/[0-9a-f:]{47}",algorithm="rsa-sha256",headers="\(request-target\) x-date"/i);
  assert.ok(sentByPage.some((r) => r.bodyText?.includes('"keysafe-vm"')), "the create's body was seen as the page sent it");
});

test("no private key bytes in what Chromium sent, the relay's log, the simulator's output or the relay↔simulator traffic", () => {
  assert.deepEqual(leaks(JSON.stringify(sentByPage)), [], "requests and bodies the page sent");
  for (const r of sentByPage) if (r.body) assert.deepEqual(leaks(Buffer.from(r.body, "base64")), [], `body of ${r.url}`);
  assert.deepEqual(leaks(relayLog.join("\n")), [], "relay log");
  assert.deepEqual(leaks(Buffer.concat(simLog)), [], "simulator output");
  const wire = tap.bytes();
  assert.ok(wire.length > 5000, `the tap saw the traffic (${wire.length} bytes)`);
  assert.deepEqual(leaks(wire), [], "relay↔simulator bytes, both directions");
  assert.deepEqual(leaks(callResult.dc), [], "the DataCenter's JSON");
});

test("the IndexedDB record holds a non-extractable CryptoKey: exportKey rejects", async () => {
  const r = await page.evaluate(async () => {
    const store = await window.smartdc.KeyStore.open();
    const entry = await store.get("mine");
    const { cryptoKey, ...rest } = entry;
    const tries = {};
    for (const format of ["pkcs8", "jwk"]) {
      tries[format] = await crypto.subtle.exportKey(format, cryptoKey).then(() => "exported", (e) => e.name);
    }
    // The raw record as IndexedDB hands it out, without the package in between.
    const raw = await new Promise((resolve, reject) => {
      const open = indexedDB.open("smartdc-wasm");
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const get = open.result.transaction("keys").objectStore("keys").get("mine");
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      };
    });
    return {
      isCryptoKey: cryptoKey instanceof CryptoKey,
      rawIsCryptoKey: raw.cryptoKey instanceof CryptoKey,
      extractable: cryptoKey.extractable,
      rawExtractable: raw.cryptoKey.extractable,
      type: cryptoKey.type,
      usages: cryptoKey.usages,
      algorithm: cryptoKey.algorithm.name,
      tries,
      rest: JSON.stringify(rest),
      fields: Object.keys(raw).sort(),
    };
  });
  assert.equal(r.isCryptoKey, true);
  assert.equal(r.rawIsCryptoKey, true);
  assert.equal(r.extractable, false);
  assert.equal(r.rawExtractable, false);
  assert.equal(r.type, "private");
  assert.deepEqual(r.usages, ["sign"]);
  assert.equal(r.algorithm, "RSASSA-PKCS1-v1_5");
  assert.deepEqual(r.tries, { pkcs8: "InvalidAccessError", jwk: "InvalidAccessError" });
  assert.deepEqual(leaks(r.rest), [], "the rest of the record (public key, fingerprints) holds no private bytes");
  assert.ok(!r.fields.some((f) => /private|pem|pkcs8|text/i.test(f)), `record fields: ${r.fields.join(", ")}`);
});
