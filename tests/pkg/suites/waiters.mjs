// Waiters (issue 4): pollUntil/pollWhile/waitFor and `{ wait }` on every mutating Machine and
// Snapshot call, against the simulator. A timeout and an abort each reject with
// `Timeout`/`Aborted` within 100 ms of the deadline or the abort (the one timing
// demand, measured with performance.now()); onProgress sees the machine; bad options are
// TypeErrors before any request; after a write with `{ wait }` the simulator already shows it.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { dataCenter, lib, sim } from "./lib/fixtures.mjs";
import { POLL, record, runningMachine } from "./lib/machines.mjs";

/** Milliseconds from now until `p` settles, and how it settled. */
async function settle(p) {
  const t0 = performance.now();
  try {
    return { value: await p, ms: performance.now() - t0 };
  } catch (error) {
    return { error, ms: performance.now() - t0 };
  }
}

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`waiters (${ENTRY})`, () => {
    let m, calls;
    const mpath = () => `/${sim.account}/machines/${m.id}`;
    before(async () => {
      ({ m, calls } = await runningMachine(`wait-${ENTRY}`));
    });

    test("a pollUntil that cannot succeed rejects with Timeout within 100 ms of its deadline", async () => {
      // Why a 1 s interval: the deadline falls inside a sleep, which must wake at once.
      const { error, ms } = await settle(m.pollUntil("stopped", { interval: 1000, timeout: 250 }));
      assert.equal(error?.name, "CloudApiError");
      assert.equal(error.code, "Timeout");
      assert.match(error.message, /did not become "stopped" within 250 ms \(last state: running\)/);
      assert.ok(ms >= 240 && ms < 350, `settled after ${ms.toFixed(1)} ms`);
    });

    test("a deadline during an in-flight request also rejects with Timeout within 100 ms", async () => {
      let hang = false;
      const dc = dataCenter({
        // Once `hang` is set, every request stays pending until its signal aborts.
        fetch: (url, init) => (hang ? new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason))) : globalThis.fetch(url, init)),
      });
      const vm = await dc.machine(m.id);
      hang = true;
      const { error, ms } = await settle(vm.pollUntil("stopped", { interval: 10, timeout: 200 }));
      assert.equal(error?.code, "Timeout");
      assert.ok(ms >= 190 && ms < 300, `settled after ${ms.toFixed(1)} ms`);
    });

    test("aborting a wait rejects with Aborted within 100 ms of abort()", async () => {
      const ac = new AbortController();
      const p = settle(m.pollWhile("running", { interval: 1000, signal: ac.signal }));
      await new Promise((r) => setTimeout(r, 150));
      const t0 = performance.now();
      ac.abort();
      const { error } = await p;
      const ms = performance.now() - t0;
      assert.equal(error?.code, "Aborted");
      assert.match(error.message, /waiting for machine .* to leave "running" was aborted/);
      assert.ok(ms < 100, `settled ${ms.toFixed(1)} ms after abort()`);
      // An already aborted signal rejects at once, without a request.
      calls.length = 0;
      const { error: e2, ms: ms2 } = await settle(m.pollUntil("running", { signal: AbortSignal.abort() }));
      assert.equal(e2?.code, "Aborted");
      assert.ok(ms2 < 100);
      assert.equal(calls.length, 0);
    });

    test("{ wait } with an abort signal aborts the wait after the write", async () => {
      const ac = new AbortController();
      calls.length = 0;
      const p = settle(m.stop({ wait: { interval: 1000, signal: ac.signal } }));
      await new Promise((r) => setTimeout(r, 50));
      ac.abort();
      const { error, ms } = await p;
      assert.equal(error?.code, "Aborted");
      assert.ok(ms < 200);
      assert.deepEqual([calls[0].method, calls[0].query.action], ["POST", "stop"]);
      await m.pollUntil("stopped", POLL);
      await m.start({ wait: POLL });
    });

    test("stop/start/reboot { wait } resolve with the machine once done; onProgress sees each read", async () => {
      const seen = [];
      calls.length = 0;
      const stopped = await m.stop({ wait: { ...POLL, onProgress: (x) => seen.push(x) } });
      assert.ok(stopped instanceof lib.Machine && stopped.equals(m));
      assert.equal(stopped.state, "stopped");
      assert.equal(record(m.id).state, "stopped");
      assert.ok(seen.length >= 1 && seen.every((x) => x instanceof lib.Machine));
      assert.equal(seen.at(-1).state, "stopped");
      assert.deepEqual(calls[0].query, { action: "stop" });
      assert.ok(calls.slice(1).every((c) => c.method === "GET" && c.path === mpath()));

      assert.equal((await m.start({ wait: POLL })).state, "running");
      assert.equal(record(m.id).state, "running");

      const reboots = () => record(m.id).audit.filter((a) => a.action === "reboot").length;
      const before = reboots();
      calls.length = 0;
      const rebooted = await m.reboot({ wait: POLL });
      assert.equal(reboots(), before + 1, "resolved only after the reboot job's audit entry");
      assert.equal(rebooted.state, "running");
      assert.deepEqual(calls.slice(0, 2).map((c) => [c.method, c.path, c.query.action]), [["GET", `${mpath()}/audit`, undefined], ["POST", mpath(), "reboot"]]);
    });

    test("resize { wait } resolves after the resize job; a failed reboot job rejects with JobFailed; delete { wait } resolves with state deleted", async () => {
      const { m: vm } = await runningMachine(`wait-del-${ENTRY}`);
      const resized = await vm.resize("sample-2G", { wait: POLL });
      assert.equal(record(vm.id).packageName, "sample-2G");
      assert.equal(resized.memory, 2048);
      // A job that fails (VMAPI cannot reboot a stopped machine) ends the wait with JobFailed.
      await vm.stop({ wait: POLL });
      await assert.rejects(vm.reboot({ wait: POLL }), { name: "CloudApiError", code: "JobFailed", message: /the reboot job of machine .* failed/ });
      assert.equal(record(vm.id).audit[0].success, "no");
      const gone = await vm.delete({ wait: POLL });
      assert.equal(gone.state, "deleted");
      assert.ok(record(vm.id).destroyed);
    });

    test("tags and metadata writes with { wait } resolve once a read shows them", async () => {
      const tags = () => record(m.id).tags;
      const md = () => record(m.id).metadata;
      assert.equal((await m.addTags({ tier: "web", n: 2 }, { wait: POLL })).tier, "web");
      assert.deepEqual([tags().tier, tags().n], ["web", 2]);
      assert.deepEqual(await m.replaceTags({ only: true }, { wait: POLL }), { only: true });
      assert.deepEqual({ ...tags() }, { only: true });
      assert.ok((await m.deleteTag("only", { wait: POLL })) instanceof lib.Machine);
      assert.equal("only" in tags(), false);
      await m.addTags({ a: "1" }, { wait: POLL });
      await m.deleteAllTags({ wait: POLL });
      assert.deepEqual({ ...tags() }, {});

      assert.equal((await m.updateMetadata({ color: "blue", count: 3 }, { wait: POLL })).color, "blue");
      assert.equal(md().color, "blue");
      await m.setBootScript("#!/bin/sh", { wait: POLL });
      assert.equal(md()["user-script"], "#!/bin/sh");
      await m.deleteBootScript({ wait: POLL });
      assert.equal("user-script" in md(), false);
      await m.deleteMetadata("color", { wait: POLL });
      assert.equal("color" in md(), false);
      await m.deleteAllMetadata({ wait: POLL });
      assert.deepEqual(Object.keys(md()).filter((k) => k !== "root_authorized_keys" && k !== "administrator_pw"), []);
    });

    test("snapshots: createSnapshot/delete/start and startFromSnapshot with { wait }", async () => {
      const { m: vm } = await runningMachine(`wait-snap-${ENTRY}`);
      const progress = [];
      const snap = await vm.createSnapshot("s1", { wait: { ...POLL, onProgress: (s) => progress.push(s.state) } });
      assert.ok(snap instanceof lib.Snapshot);
      assert.equal(snap.state, "created");
      assert.equal(progress.at(-1), "created");
      await vm.stop({ wait: POLL });
      const rolled = await vm.startFromSnapshot("s1", { wait: POLL });
      assert.ok(rolled instanceof lib.Machine);
      assert.ok(record(vm.id).audit.some((a) => a.action === "rollback_snapshot" && a.success === "yes"));
      assert.equal(rolled.state, "running");
      await vm.stop({ wait: POLL });
      assert.ok((await snap.start({ wait: POLL })) instanceof lib.Machine);
      assert.equal(record(vm.id).audit.filter((a) => a.action === "rollback_snapshot").length, 2);
      const deleted = await snap.delete({ wait: POLL });
      assert.equal(deleted.state, "deleted");
      assert.deepEqual(await vm.snapshots(), []);
      await vm.delete();
    });

    test("waitFor(predicate) polls until it holds (sync or async), and a throwing predicate rejects", async () => {
      let n = 0;
      calls.length = 0;
      const got = await m.waitFor((x) => {
        assert.ok(x instanceof lib.Machine);
        return ++n === 3;
      }, { interval: 5 });
      assert.ok(got.equals(m));
      assert.equal(n, 3);
      assert.deepEqual(calls.map((c) => [c.method, c.path]), Array(3).fill(["GET", mpath()]));
      assert.ok(await m.waitFor(async (x) => x.state === "running", POLL));
      await assert.rejects(m.waitFor(() => { throw new RangeError("nope"); }, POLL), RangeError);
      const { error } = await settle(m.waitFor(() => false, { interval: 5, timeout: 60 }));
      assert.match(error.message, /did not satisfy the waitFor predicate within 60 ms/);
    });

    test("bad wait options are TypeErrors before any request", async () => {
      calls.length = 0;
      for (const [call, msg] of [
        [() => m.pollUntil("running", { interval: -1 }), /interval must be a positive number of milliseconds/],
        [() => m.pollUntil("running", { interval: NaN }), /interval must be a number/],
        [() => m.pollUntil("running", { timeout: -5 }), /timeout must be a positive number of milliseconds or Infinity/],
        [() => m.pollUntil("running", { timeout: 0 }), /timeout must be a positive/],
        [() => m.pollUntil("running", { every: 5 }), /unknown option "every"; valid options are interval, timeout, signal, onProgress/],
        [() => m.pollUntil("running", { onProgress: "x" }), /onProgress must be a function/],
        [() => m.pollUntil("running", { signal: {} }), /signal must be an AbortSignal/],
        [() => m.start({ wait: "yes" }), /wait must be a boolean or/],
        [() => m.start({ wait: { timeout: NaN } }), /timeout must be a number/],
        [() => m.stop({ later: true }), /unknown option "later"; valid options are wait/],
        [() => m.addTags({ a: "b" }, { wait: { interval: -2 } }), /interval must be a positive/],
        [() => m.createSnapshot("x", { wait: 1 }), /wait must be a boolean/],
        [() => m.waitFor("running"), /predicate must be a function, got a string/],
        [() => m.waitFor(() => true, { timeout: -1 }), /timeout must be a positive/],
      ]) {
        await assert.rejects(call(), (e) => e instanceof TypeError && msg.test(e.message), String(call));
      }
      await assert.rejects(m.pollUntil("sleeping"), { code: "InvalidArgument", message: /not a machine state; use one of provisioning/ });
      assert.equal(calls.length, 0, JSON.stringify(calls));
      // Any positive interval is honoured (no floor): 1 ms polls still resolve.
      assert.ok(await m.pollUntil("running", { interval: 1 }));
      assert.equal(await m.start({ wait: false }), undefined);
    });
  });
}
