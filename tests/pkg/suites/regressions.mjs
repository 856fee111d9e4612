// py-smartdc's bugs (../shared/anchors.md §1.1), each shown absent here. Where another suite
// already proves it, this index points there instead of repeating it:
//   paging past 1,000 machines (undefined `data`) → collection-api "machines() collects 2,500
//     machines over three pages of 1,000" (and countMachines past one page, below)
//   num_machines() never sent its filters       → datacenter-api "countMachines sends its
//     filters on HEAD and counts past one page"
//   get_tag() built Accept: text/plain but never sent it → machine-api "getTag(name) sends
//     Accept: text/plain and resolves with the raw text"
//   DEFAULT_HEADERS mutated, so headers leaked between instances → datacenter-api "the headers
//     option of one DataCenter never reaches another's requests"
//   a 5xx was returned as a body, not raised     → datacenter-api "retries: 0 surfaces the 503;
//     a 500 on a GET is raised, not retried" and badinput "empty, non-JSON and HTML bodies…"
//   images() referenced an undefined `machinetype` → datacenter-api "images, packages,
//     datasets: local search" (server-side filters plus search)
// The tests below cover the rest: waits that never time out, the POST to "machines" without a
// leading slash, and networks()' default search fields being a string.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { KEYS, dataCenter, sim } from "./lib/fixtures.mjs";
import { recorder } from "./lib/recorder.mjs";

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`py-smartdc regressions (${ENTRY})`, () => {
    const login = `regr${ENTRY === "import" ? "esm" : "cjs"}${crypto.randomBytes(3).toString("hex")}`;
    const dc = (options = {}) => dataCenter({ account: login, ...options });

    before(async () => {
      await sim.admin("/__sim/accounts", { login, keys: [KEYS.openssh.publicKey] });
      await sim.admin("/__sim/machines/bulk", { count: 1, login, namePrefix: "still-" });
    });

    test("poll_until had no timeout: pollUntil/pollWhile reject with Timeout near the deadline", async () => {
      const m = await dc().machine("still-0");
      assert.equal(m.state, "running");
      for (const [call, code] of [[() => m.pollUntil("stopped", { interval: 20, timeout: 300 }), "Timeout"], [() => m.pollWhile("running", { interval: 20, timeout: 300 }), "Timeout"]]) {
        const t0 = performance.now();
        await assert.rejects(call(), (e) => e.name === "CloudApiError" && e.code === code && /300 ms/.test(e.message) && /last state: running/.test(e.message));
        const late = performance.now() - t0 - 300;
        assert.ok(late > -20 && late < 100, `rejected ${late.toFixed(0)} ms after the deadline`);
      }
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(m.pollUntil("stopped", { interval: 20, signal: ac.signal }), (e) => e.code === "Aborted");
    });

    test("create_machine POSTed to 'machines' (no leading slash): the POST goes to /<login>/machines", async () => {
      const { fetch, calls } = recorder();
      const m = await dc({ fetch }).createMachine({ name: "slash", image: sim.store.seedImages.base.id, package: "sample-512M" });
      assert.equal(m.name, "slash");
      const post = calls.find((c) => c.method === "POST");
      assert.equal(post.url.href, `${sim.url}/${login}/machines`);
      assert.equal(post.status, 201);
    });

    test("networks()' default search fields were a string (regex per character): name is searched whole", async () => {
      const found = await dc().networks({ search: "^Joyent-SDC-Public$" });
      assert.deepEqual(found.map((n) => n.name), ["Joyent-SDC-Public"]);
      assert.equal((await dc().networks({ search: "^J$" })).length, 0, "matched a single character");
    });
  });
}
