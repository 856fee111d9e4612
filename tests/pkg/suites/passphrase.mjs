// The passphrase option as an async callback: asked only for encrypted keys, once, on the
// first request; a wrong answer is BadPassphrase and the next request asks again. Secrets
// never appear in what the DataCenter or its errors print.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { KEYS, OTHER_KEYS, dataCenter, sim } from "./lib/fixtures.mjs";
import { assertNoSecrets, cloud } from "./lib/keytools.mjs";

const ENCRYPTED = OTHER_KEYS.find((k) => k.passphrase);

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`passphrase callback (${ENTRY})`, () => {
    test("not called for an unencrypted key", async () => {
      let calls = 0;
      const dc = dataCenter({ privateKey: KEYS.openssh.privateKey, passphrase: async () => (calls++, "x") });
      assert.equal(dc.keyId, `/${sim.account}/keys/${KEYS.openssh.md5}`);
      assert.equal((await dc.account()).login, sim.account);
      assert.equal(calls, 0);
    });

    test("called once, lazily, for an encrypted key; concurrent first requests share it", async () => {
      let calls = 0;
      const dc = dataCenter({
        privateKey: ENCRYPTED.privateKey,
        passphrase: async () => {
          calls++;
          await new Promise((r) => setTimeout(r, 20));
          return ENCRYPTED.passphrase;
        },
      });
      assert.equal(calls, 0, "asked in the constructor");
      assert.equal(dc.keyId, undefined);
      assert.equal(dc.signer, "pending");
      const [a, b] = await Promise.all([dc.account(), dc.datacenters()]);
      assert.equal(a.login, sim.account);
      assert.ok(b && typeof b === "object");
      await dc.account();
      assert.equal(calls, 1);
      assert.equal(dc.keyId, `/${sim.account}/keys/${ENCRYPTED.md5}`);
      assert.equal(dc.algorithm, "rsa-sha256");
      assert.ok(["webcrypto", "rust"].includes(dc.signer));
    });

    test("a wrong answer rejects with BadPassphrase, and the next call asks again", async () => {
      const answers = ["wrong horse", ENCRYPTED.passphrase];
      let calls = 0;
      const dc = dataCenter({ privateKey: ENCRYPTED.privateKey, passphrase: () => answers[calls++] });
      const e = await dc.account().then(() => null, (x) => x);
      assert.ok(e, "a wrong passphrase was accepted");
      cloud("BadPassphrase", /passphrase/i)(e);
      assertNoSecrets(e, ENCRYPTED.privateKey, "wrong horse");
      assertNoSecrets(dc, ENCRYPTED.privateKey, ENCRYPTED.passphrase);
      assert.equal((await dc.account()).login, sim.account);
      assert.equal(calls, 2);
    });

    test("a callback that throws or resolves with a non-string is BadPassphrase", async () => {
      const boom = dataCenter({ privateKey: ENCRYPTED.privateKey, passphrase: async () => { throw new Error("user cancelled"); } });
      await assert.rejects(boom.account(), cloud("BadPassphrase", /user cancelled/));
      const num = dataCenter({ privateKey: ENCRYPTED.privateKey, passphrase: async () => 42 });
      await assert.rejects(num.account(), cloud("BadPassphrase", /string or a Uint8Array/));
    });

    test("a Uint8Array answer works and is wiped after use", async () => {
      const bytes = new TextEncoder().encode(ENCRYPTED.passphrase);
      const dc = dataCenter({ privateKey: ENCRYPTED.privateKey, passphrase: async () => bytes });
      assert.equal((await dc.account()).login, sim.account);
      assert.ok(bytes.every((b) => b === 0), "passphrase bytes were not wiped");
    });

    test("a pre-signed URL unlocks the key first", async () => {
      const dc = dataCenter({ privateKey: ENCRYPTED.privateKey, passphrase: async () => ENCRYPTED.passphrase });
      const url = await dc.presign("GET", `/${sim.account}`);
      const res = await fetch(url, { headers: { accept: "application/json" } });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal((await res.json()).login, sim.account);
    });
  });
}
