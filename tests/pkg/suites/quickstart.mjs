// The seed's quickstart against the local CloudAPI, with an RSA key in each format and both
// signers: list datasets/images and packages, create a machine, wait for it to run, read its
// IPs, stop it, wait, delete it, wait. Every request is verified by the simulator's
// http-signature 1.4.0, so a wrong signature fails the test with InvalidCredentials.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { KEYS, dataCenter, lib, sim } from "./lib/fixtures.mjs";

const POLL = { interval: 20, timeout: 30_000 };

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`quickstart (${ENTRY})`, () => {
    for (const [format, key] of Object.entries(KEYS)) {
      for (const signer of ["webcrypto", "rust"]) {
        test(`${format} key, ${signer} signer`, { timeout: 60_000 }, async () => {
          const dc = dataCenter({ privateKey: key.privateKey, signer });
          assert.equal(dc.keyId, `/${sim.account}/keys/${key.md5}`);
          assert.equal(dc.algorithm, "rsa-sha256");

          const account = await dc.account();
          assert.equal(account.login, sim.account);
          assert.equal(dc.signer, signer);

          const datasets = await dc.datasets();
          const images = await dc.images();
          assert.ok(datasets.length > 0, "no datasets");
          assert.deepEqual(datasets.map((d) => d.id).sort(), images.map((i) => i.id).sort());
          const image = images.find((i) => i.type !== "zvol" && i.state !== "disabled") ?? images[0];
          assert.equal((await dc.image(image.id)).id, image.id);
          assert.equal((await dc.dataset(image.id)).id, image.id);

          const packages = await dc.packages();
          assert.ok(packages.length > 0, "no packages");
          const pkg = packages.find((p) => p.memory >= 512) ?? packages[0];
          assert.equal((await dc.package(pkg.name)).name, pkg.name);

          const name = `qs-${format}-${signer}`;
          const m = await dc.createMachine({
            name,
            image: image.id,
            package: pkg.id ?? pkg.name,
            metadata: { role: "test" },
            tags: { env: "ci" },
            bootScript: "#!/bin/sh\necho hello",
          });
          assert.ok(m instanceof lib.Machine, "createMachine did not return a Machine");
          assert.equal(m.name, name);
          assert.match(m.id, /^[0-9a-f-]{36}$/);

          const progress = [];
          const running = await m.pollUntil("running", { ...POLL, onProgress: (x) => progress.push(x.state) });
          assert.equal(running.state, "running");
          assert.equal(m.state, "running", "the original handle was not updated");
          assert.equal(progress.at(-1), "running");
          assert.ok(m.ips.length > 0, "no IPs");
          assert.ok(m.primaryIp);
          assert.deepEqual([...m.publicIps, ...m.privateIps].sort(), [...m.ips].sort());
          assert.equal(m.bootScript, "#!/bin/sh\necho hello");
          assert.equal(m.metadata.role, "test");
          assert.equal(m.tags.env, "ci");

          const listed = await dc.machines({ name });
          assert.deepEqual(listed.map((x) => x.id), [m.id]);
          assert.equal((await dc.machine(m.id)).state, "running");

          await m.stop();
          await m.pollUntil("stopped", POLL);
          assert.equal(m.state, "stopped");
          await m.start();
          await m.pollWhile("stopped", POLL);
          await m.pollUntil("running", POLL);

          await m.delete();
          const gone = await m.pollUntil("deleted", POLL);
          assert.equal(gone.state, "deleted");
          assert.equal((await dc.machine(m.id)).state, "deleted");
        });
      }
    }
  });
}
