// Secrets stay secret: JSON.stringify, util.inspect and String() of a DataCenter (plain key,
// locked key with a callback, signer object), and every error thrown while loading a key,
// contain no line of the private key and not the passphrase.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { KEYS, OTHER_KEYS, dataCenter, lib, sim } from "./lib/fixtures.mjs";
import { assertNoSecrets, keygenFile, tempDir } from "./lib/keytools.mjs";

const PASS = "s3cret-Passphrase-42";

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`secrets (${ENTRY})`, () => {
    const dir = tempDir("smartdc-secrets-");
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    // Encrypted keys in every format ssh-keygen writes: OpenSSH, PKCS#8, legacy PEM.
    const locked = [
      keygenFile(dir, "ed-openssh", "ed25519", { passphrase: PASS }),
      keygenFile(dir, "ec-pkcs8", "ecdsa", { bits: 256, passphrase: PASS, format: "PKCS8" }),
      keygenFile(dir, "rsa-pem", "rsa", { bits: 2048, passphrase: PASS, format: "PEM" }),
    ];

    test("views of a DataCenter never show key or passphrase", async () => {
      for (const k of locked) {
        const eager = dataCenter({ privateKey: k.privateKey, passphrase: PASS });
        assertNoSecrets(eager, k.privateKey, PASS);
        const lazy = dataCenter({ privateKey: k.privateKey, passphrase: async () => PASS });
        assertNoSecrets(lazy, k.privateKey, PASS);
        assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(lazy))).sort(), ["account", "url"]);
        await lazy.presign("GET", `/${sim.account}`); // unlocks it
        assertNoSecrets(lazy, k.privateKey, PASS);
        assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(lazy))).sort(), ["account", "algorithm", "keyId", "url"]);
      }
    });

    test("every error while loading a key is free of key text and passphrase", async () => {
      const errors = [];
      const catchSync = (f) => {
        try {
          f();
          assert.fail("did not throw");
        } catch (e) {
          errors.push([e]);
        }
      };
      for (const k of locked) {
        catchSync(() => dataCenter({ privateKey: k.privateKey, passphrase: `${PASS}-wrong` }));
        catchSync(() => dataCenter({ privateKey: k.privateKey }));
        catchSync(() => dataCenter({ privateKey: k.privateKey.slice(0, Math.floor(k.privateKey.length * 0.6)), passphrase: PASS }));
        const lines = k.privateKey.split("\n");
        lines[Math.floor(lines.length / 2)] = lines[Math.floor(lines.length / 2)].replace(/[A-Za-z]/, (c) => (c === "A" ? "B" : "A"));
        try {
          dataCenter({ privateKey: lines.join("\n"), passphrase: PASS });
        } catch (e) {
          errors.push([e]);
        }
        const wrong = dataCenter({ privateKey: k.privateKey, passphrase: async () => `${PASS}-wrong` });
        errors.push([await wrong.account().then(() => assert.fail("accepted"), (e) => e)]);
        for (const [e] of errors) {
          assert.equal(e.name, "CloudApiError", e.message);
          assert.ok(["BadPassphrase", "InvalidKey"].includes(e.code), `${e.code}: ${e.message}`);
          assertNoSecrets(e, k.privateKey, PASS);
        }
        errors.length = 0;
      }
      for (const k of [KEYS.openssh, KEYS.pkcs1, KEYS.pkcs8, ...OTHER_KEYS]) {
        catchSync(() => dataCenter({ privateKey: k.privateKey.slice(0, k.privateKey.length - 80) }));
        catchSync(() => dataCenter({ privateKey: k.publicKey }));
        for (const [e] of errors) assertNoSecrets(e, k.privateKey, k.passphrase);
        errors.length = 0;
      }
    });

    test("a signer object's DataCenter shows only keyId and algorithm", () => {
      const d = new lib.DataCenter({ url: sim.url, account: sim.account, signer: { keyId: KEYS.openssh.md5, algorithm: "rsa-sha256", sign: async () => new Uint8Array(1), secret: KEYS.openssh.privateKey } });
      assertNoSecrets(d, KEYS.openssh.privateKey);
    });

    test("fingerprints of key files equal ssh-keygen's (keyFingerprints)", () => {
      for (const k of [...locked]) {
        assert.deepEqual(lib.keyFingerprints(k.privateKey), { encrypted: true });
        const f = lib.keyFingerprints(k.publicKey);
        assert.equal(f.md5, k.md5);
        assert.equal(f.sha256, k.sha256);
      }
      const plain = keygenFile(dir, "plain-ec", "ecdsa", { bits: 384 });
      assert.equal(lib.keyFingerprints(plain.privateKey).sha256, plain.sha256);
      assert.equal(execFileSync("ssh-keygen", ["-l", "-E", "md5", "-f", path.join(dir, "plain-ec")], { encoding: "utf8" }).split(/\s+/)[1], `MD5:${lib.keyFingerprints(plain.privateKey).md5}`);
    });
  });
}
