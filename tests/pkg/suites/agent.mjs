// ssh-agent signing with a real OpenSSH ssh-agent started by the test: RSA (rsa-sha2-256),
// P-256 (mpint pair → DER) and Ed25519 accepted by the simulator; selection by MD5 and SHA256
// fingerprint; try-each-key past a key the account lacks; P-384 refused with a clear error;
// a missing socket and a hanging one are AgentErrors.
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { KEYS, OTHER_KEYS, STRANGER, lib, sim } from "./lib/fixtures.mjs";
import { cloud, startAgent, tempDir, writeKeyFile } from "./lib/keytools.mjs";

const P256 = OTHER_KEYS.find((k) => k.label.startsWith("ecdsa256"));
const P384 = OTHER_KEYS.find((k) => k.label.startsWith("ecdsa384"));
const ED = OTHER_KEYS.find((k) => k.label.startsWith("ed25519"));

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`ssh-agent (${ENTRY})`, () => {
    let dir;
    let agent;
    let files;
    before(async () => {
      dir = tempDir("smartdc-agent-");
      agent = await startAgent(dir);
      files = {
        stranger: writeKeyFile(dir, "stranger", STRANGER),
        rsa: writeKeyFile(dir, "rsa", KEYS.openssh),
        p256: writeKeyFile(dir, "p256", P256),
        ed: writeKeyFile(dir, "ed", ED),
        p384: writeKeyFile(dir, "p384", P384),
      };
      // Order matters: the first key is one the account does not have.
      for (const k of ["stranger", "rsa", "p256", "ed", "p384"]) agent.add(files[k].file);
    });
    after(() => {
      agent?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const dc = (opts) => new lib.DataCenter({ url: sim.url, account: sim.account, signer: lib.agentSigner({ socketPath: agent.socket, ...opts }) });

    test("lists the agent's keys with fingerprints equal to ssh-keygen's", async () => {
      const keys = await lib.agentSigner({ socketPath: agent.socket }).listKeys();
      assert.deepEqual(keys.map((k) => k.md5), ["stranger", "rsa", "p256", "ed", "p384"].map((k) => files[k].md5));
      assert.deepEqual(keys.map((k) => k.sha256), ["stranger", "rsa", "p256", "ed", "p384"].map((k) => files[k].sha256));
      assert.match(keys[4].problem.message, /not supported by CloudAPI through an agent/);
    });

    for (const [name, alg] of [["rsa", "rsa-sha256"], ["p256", "ecdsa-sha256"], ["ed", "ed25519-sha512"]]) {
      test(`${name}: picked by MD5 and by SHA256 fingerprint, accepted by CloudAPI`, async () => {
        for (const fingerprint of [files[name].md5, `MD5:${files[name].md5}`, files[name].sha256]) {
          const d = dc({ fingerprint });
          assert.equal(d.keyId, undefined, "keyId known before the agent was asked");
          assert.equal((await d.account()).login, sim.account);
          assert.equal(d.algorithm, alg);
          assert.equal(d.keyId, `/${sim.account}/keys/${files[name].md5}`);
          // several requests over fresh connections
          const [a, b] = await Promise.all([d.account(), d.account()]);
          assert.equal(a.login, b.login);
        }
      });
    }

    test("no fingerprint: tries each agent key until CloudAPI accepts one", async () => {
      const d = dc();
      assert.equal((await d.account()).login, sim.account);
      assert.equal(d.keyId, `/${sim.account}/keys/${files.rsa.md5}`);
      assert.equal(d.algorithm, "rsa-sha256");
    });

    test("the DataCenter agent option", async () => {
      const d = new lib.DataCenter({ url: sim.url, account: sim.account, agent: { socketPath: agent.socket, fingerprint: files.ed.sha256 } });
      assert.equal((await d.account()).login, sim.account);
      assert.equal(d.algorithm, "ed25519-sha512");
      const saved = process.env.SSH_AUTH_SOCK;
      process.env.SSH_AUTH_SOCK = agent.socket;
      try {
        const t = new lib.DataCenter({ url: sim.url, account: sim.account, agent: true });
        assert.equal((await t.account()).login, sim.account);
        assert.equal(t.keyId, `/${sim.account}/keys/${files.rsa.md5}`);
      } finally {
        if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
        else process.env.SSH_AUTH_SOCK = saved;
      }
      assert.throws(() => new lib.DataCenter({ url: sim.url, account: sim.account, agent: 1 }), TypeError);
      assert.throws(() => new lib.DataCenter({ url: sim.url, account: sim.account, agent: true, signer: { sign() {} } }), TypeError);
    });

    test("P-384 through the agent is a clear UnsupportedKey", async () => {
      await assert.rejects(dc({ fingerprint: files.p384.sha256 }).account(), cloud("UnsupportedKey", /not supported by CloudAPI through an agent/));
      const only384 = tempDir("smartdc-agent384-");
      const a = await startAgent(only384);
      try {
        a.add(files.p384.file);
        const d = new lib.DataCenter({ url: sim.url, account: sim.account, signer: lib.agentSigner({ socketPath: a.socket }) });
        await assert.rejects(d.account(), cloud("UnsupportedKey", /through an agent/));
      } finally {
        a.stop();
        fs.rmSync(only384, { recursive: true, force: true });
      }
    });

    test("a fingerprint the agent does not hold is KeyNotFound listing what it holds", async () => {
      await assert.rejects(dc({ fingerprint: KEYS.pkcs1.md5 }).account(), cloud("KeyNotFound", new RegExp(files.rsa.sha256.replace(/[+/]/g, "\\$&"))));
    });

    test("a missing socket is an AgentError saying what to do", async () => {
      await assert.rejects(dc({ socketPath: path.join(dir, "nope.sock") }).account(), cloud("AgentError", /no ssh-agent is listening.*ssh-add/));
      const saved = process.env.SSH_AUTH_SOCK;
      delete process.env.SSH_AUTH_SOCK;
      try {
        const d = new lib.DataCenter({ url: sim.url, account: sim.account, signer: lib.agentSigner() });
        if (process.platform !== "win32") await assert.rejects(d.account(), cloud("AgentError", /SSH_AUTH_SOCK is not set/));
      } finally {
        if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
      }
    });

    test("a socket that never answers is an AgentError within the timeout", async () => {
      const sock = path.join(dir, "hang.sock");
      const held = [];
      const server = net.createServer((c) => held.push(c));
      await new Promise((r) => server.listen(sock, r));
      try {
        const started = Date.now();
        await assert.rejects(dc({ socketPath: sock, timeout: 300 }).account(), cloud("AgentError", /did not answer within 300 ms/));
        const took = Date.now() - started;
        assert.ok(took >= 250 && took < 3000, `took ${took} ms`);
      } finally {
        for (const c of held) c.destroy();
        server.close();
      }
    });

    test("a socket that answers garbage is an AgentError", async () => {
      const sock = path.join(dir, "junk.sock");
      const server = net.createServer((c) => c.end(Buffer.from([0xff, 0xff, 0xff, 0xff, 1])));
      await new Promise((r) => server.listen(sock, r));
      try {
        await assert.rejects(dc({ socketPath: sock }).account(), cloud("AgentError", /ssh-agent/));
      } finally {
        server.close();
      }
    });

    test("bad options are TypeErrors", () => {
      assert.throws(() => lib.agentSigner({ socket: "x" }), TypeError);
      assert.throws(() => lib.agentSigner({ timeout: -1 }), TypeError);
    });
  });
}
