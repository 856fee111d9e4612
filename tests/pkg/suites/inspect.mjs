// What consoles show: DataCenter shows url/account/keyId and never key material; Machine
// shows its fields; JSON.stringify of both is the same view.
import assert from "node:assert/strict";
import util from "node:util";
import { Console } from "node:console";
import { Writable } from "node:stream";
import { describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { KEYS, dataCenter, keyLines, sim } from "./lib/fixtures.mjs";

function consoleLog(value) {
  let out = "";
  const sink = new Writable({ write(chunk, _enc, cb) { out += chunk; cb(); } });
  new Console({ stdout: sink, stderr: sink }).log(value);
  return out;
}

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`inspect (${ENTRY})`, () => {
    test("console.log / util.inspect / JSON.stringify of a DataCenter never contain key material", () => {
      for (const k of Object.values(KEYS)) {
        const dc = dataCenter({ privateKey: k.privateKey, user: "ann", passphrase: "unused-secret" });
        const views = [util.inspect(dc, { depth: 10, showHidden: true }), consoleLog(dc), JSON.stringify(dc), String(Object.keys(dc))];
        for (const v of views) {
          for (const line of keyLines(k)) assert.ok(!v.includes(line.slice(0, 24)), `key text shown: ${v}`);
          assert.ok(!/PRIVATE KEY|unused-secret/.test(v), v);
        }
        assert.match(views[0], /url/);
        assert.ok(views[0].includes(sim.url));
        assert.ok(views[0].includes(`/${sim.account}/users/ann/keys/${k.md5}`));
        assert.deepEqual(JSON.parse(views[2]), {
          url: sim.url,
          account: sim.account,
          user: "ann",
          keyId: `/${sim.account}/users/ann/keys/${k.md5}`,
          algorithm: "rsa-sha256",
        });
      }
    });

    test("a Machine shows its fields in console.log and JSON.stringify", async () => {
      const dc = dataCenter();
      // Why its own machine: suites run in file order and must not rely on each other.
      const m = await dc.createMachine({ name: "inspect-me", image: sim.store.seedImages.base.id, package: "sample-512M" });
      const shown = util.inspect(m);
      assert.ok(!shown.includes("__wbg_ptr"), shown);
      assert.ok(shown.includes(m.id), shown);
      assert.ok(shown.includes("state"), shown);
      assert.equal(JSON.parse(JSON.stringify(m)).id, m.id);
      assert.ok(consoleLog(m).includes(m.id));
    });
  });
}
