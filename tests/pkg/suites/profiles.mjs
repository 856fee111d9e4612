// DataCenter.fromEnv / fromProfile against a temporary HOME holding a profile written by the
// official `triton profile create` (triton@7.17.0 in tests/peer), with key discovery: the
// ssh-agent first, then ~/.ssh private keys whose public half matches the fingerprint.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { TRITON_BIN, tritonInstalled } from "../../peer/triton.mjs";
import { KEYS, OTHER_KEYS, lib, recordingFetch, sim } from "./lib/fixtures.mjs";
import { cloud, sha256Of, startAgent, tempDir, writeKeyFile } from "./lib/keytools.mjs";

const ED = OTHER_KEYS.find((k) => k.label.startsWith("ed25519"));
const ENCRYPTED = OTHER_KEYS.find((k) => k.passphrase);
const VARS = ["HOME", "SSH_AUTH_SOCK", "TRITON_PROFILE", "TRITON_URL", "SDC_URL", "TRITON_ACCOUNT", "SDC_ACCOUNT", "TRITON_USER", "SDC_USER", "TRITON_KEY_ID", "SDC_KEY_ID", "TRITON_TLS_INSECURE", "SDC_TLS_INSECURE", "TRITON_ACT_AS"];

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`fromEnv / fromProfile (${ENTRY})`, { skip: !tritonInstalled() && "npm ci in tests/peer first" }, () => {
    let home;
    let saved;
    let rsa;
    const triton = (...args) =>
      execFileSync(process.execPath, [TRITON_BIN, ...args], { env: { PATH: process.env.PATH, HOME: home }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

    before(() => {
      saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));
      home = tempDir("smartdc-home-");
      fs.mkdirSync(path.join(home, ".ssh"), { mode: 0o700 });
      rsa = writeKeyFile(path.join(home, ".ssh"), "id_rsa", KEYS.openssh);
      // a locked key with no .pub, an unrelated file: skipped without error
      fs.writeFileSync(path.join(home, ".ssh", "id_locked"), ENCRYPTED.privateKey, { mode: 0o600 });
      fs.writeFileSync(path.join(home, ".ssh", "known_hosts"), "host ssh-ed25519 AAAA\n");
      const file = path.join(home, "sim.json");
      fs.writeFileSync(file, JSON.stringify({ url: sim.url, account: sim.account, keyId: rsa.sha256, name: "sim" }));
      triton("profile", "create", "--no-docker", "-y", "-f", file);
      const ed = path.join(home, "ed.json");
      fs.writeFileSync(ed, JSON.stringify({ url: sim.url, account: sim.account, keyId: ED.md5, name: "edsim", insecure: true }));
      triton("profile", "create", "--no-docker", "-y", "-f", ed);
    });
    const reset = () => {
      for (const k of VARS) delete process.env[k];
      process.env.HOME = home;
    };
    after(() => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      fs.rmSync(home, { recursive: true, force: true });
    });

    test("triton profile create wrote the profile files", () => {
      const p = JSON.parse(fs.readFileSync(path.join(home, ".triton", "profiles.d", "sim.json"), "utf8"));
      assert.equal(p.url, sim.url);
      assert.equal(p.keyId, rsa.sha256);
    });

    test("fromProfile(name) finds the ~/.ssh key by its SHA256 fingerprint and signs with MD5", async () => {
      reset();
      const dc = await lib.DataCenter.fromProfile("sim");
      assert.equal(dc.keyId, `/${sim.account}/keys/${rsa.md5}`);
      assert.equal((await dc.account()).login, sim.account);
    });

    test("fromProfile() uses config.json's current profile (triton profile set-current)", async () => {
      reset();
      triton("profile", "set-current", "sim");
      const dc = await lib.DataCenter.fromProfile();
      assert.equal(dc.url, sim.url);
      assert.equal((await dc.account()).login, sim.account);
      process.env.TRITON_PROFILE = "nope";
      await assert.rejects(lib.DataCenter.fromProfile(), cloud("ResourceNotFound", /nope.*sim/));
    });

    test("fromEnv reads TRITON_* and SDC_* variables, and TRITON_PROFILE", async () => {
      reset();
      Object.assign(process.env, { TRITON_URL: sim.url, TRITON_ACCOUNT: sim.account, TRITON_KEY_ID: rsa.md5 });
      assert.equal((await (await lib.DataCenter.fromEnv()).account()).login, sim.account);
      reset();
      Object.assign(process.env, { SDC_URL: sim.url, SDC_ACCOUNT: sim.account, SDC_KEY_ID: `MD5:${rsa.md5}`, SDC_USER: "ann" });
      const dc = await lib.DataCenter.fromEnv();
      assert.equal(dc.keyId, `/${sim.account}/users/ann/keys/${rsa.md5}`);
      reset();
      process.env.TRITON_PROFILE = "sim";
      assert.equal((await (await lib.DataCenter.fromEnv()).account()).login, sim.account);
      reset();
      await assert.rejects(lib.DataCenter.fromEnv(), cloud("InvalidArgument", /TRITON_URL/));
      process.env.TRITON_URL = sim.url;
      await assert.rejects(lib.DataCenter.fromEnv(), cloud("InvalidArgument", /TRITON_ACCOUNT or SDC_ACCOUNT is not set/));
    });

    test("TRITON_ACT_AS goes into request paths; the key still signs as the login", async () => {
      reset();
      Object.assign(process.env, { TRITON_URL: sim.url, TRITON_ACCOUNT: sim.account, TRITON_KEY_ID: rsa.md5, TRITON_ACT_AS: "other" });
      const rec = recordingFetch();
      const dc = await lib.DataCenter.fromEnv({ fetch: rec.fetch });
      assert.equal(dc.toJSON().actAs, "other");
      await dc.account().catch(() => {});
      assert.match(rec.calls[0].url, /\/other$/);
      assert.match(rec.calls[0].headers.authorization, new RegExp(`keyId="/${sim.account}/keys/${rsa.md5}"`));
    });

    test("the agent comes first when it holds the key", async () => {
      reset();
      const dir = tempDir("smartdc-envagent-");
      const agent = await startAgent(dir);
      try {
        agent.add(writeKeyFile(dir, "ed", ED).file);
        Object.assign(process.env, { SSH_AUTH_SOCK: agent.socket, TRITON_URL: sim.url, TRITON_ACCOUNT: sim.account, TRITON_KEY_ID: ED.md5 });
        const dc = await lib.DataCenter.fromEnv();
        assert.equal(dc.signer, "custom");
        assert.equal(dc.algorithm, "ed25519-sha512");
        assert.equal((await dc.account()).login, sim.account);
        // the RSA key is not in this agent: the ~/.ssh file is used instead
        process.env.TRITON_KEY_ID = rsa.sha256;
        const file = await lib.DataCenter.fromEnv();
        assert.notEqual(file.signer, "custom");
        assert.equal((await file.account()).login, sim.account);
      } finally {
        agent.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test("no key anywhere is KeyNotFound; a locked match needs a passphrase", async () => {
      reset();
      Object.assign(process.env, { TRITON_URL: sim.url, TRITON_ACCOUNT: sim.account, TRITON_KEY_ID: sha256Of(ED.publicKey) });
      await assert.rejects(lib.DataCenter.fromEnv(), cloud("KeyNotFound", /SSH_AUTH_SOCK is not set.*\.ssh/));
      fs.writeFileSync(path.join(home, ".ssh", "id_locked.pub"), `${ENCRYPTED.publicKey}\n`);
      try {
        process.env.TRITON_KEY_ID = ENCRYPTED.md5;
        await assert.rejects(lib.DataCenter.fromEnv(), cloud("BadPassphrase", /id_locked.*ssh-add/));
        let asked = 0;
        const dc = await lib.DataCenter.fromEnv({ passphrase: async () => (asked++, ENCRYPTED.passphrase) });
        assert.equal((await dc.account()).login, sim.account);
        assert.equal(asked, 1);
      } finally {
        fs.rmSync(path.join(home, ".ssh", "id_locked.pub"));
      }
    });

    test("insecure TLS is never switched on globally: a clear error unless a fetch is given", async () => {
      reset();
      await assert.rejects(lib.DataCenter.fromProfile("edsim"), cloud("NotSupported", /dispatcher.*NODE_EXTRA_CA_CERTS/));
      Object.assign(process.env, { TRITON_URL: sim.url, TRITON_ACCOUNT: sim.account, TRITON_KEY_ID: rsa.md5, TRITON_TLS_INSECURE: "1" });
      await assert.rejects(lib.DataCenter.fromEnv(), cloud("NotSupported", /TRITON_TLS_INSECURE/));
      const dc = await lib.DataCenter.fromEnv({ fetch: (u, i) => fetch(u, i) });
      assert.equal((await dc.account()).login, sim.account);
      assert.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, undefined);
    });
  });
}
