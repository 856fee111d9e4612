// Helpers of the machine suites: a fetch that records what went on the wire, a wait on the
// simulator's state, and a running machine made through a recording DataCenter.
import { dataCenter, sim } from "./fixtures.mjs";

/** Poll options small enough for the fast simulator. */
export const POLL = { interval: 20, timeout: 30_000 };

/** A fetch that records method, path, query, headers and body of each call, then calls the global fetch. */
export function recorder() {
  const calls = [];
  const fetch = (url, init) => {
    const u = new URL(url);
    calls.push({
      method: init.method,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers: { ...init.headers },
      body: init.body === undefined ? undefined : JSON.parse(init.body),
    });
    return globalThis.fetch(url, init);
  };
  return { fetch, calls };
}

/** Resolves once `check()` is truthy (the simulator applies writes as delayed jobs). */
export async function waitFor(check, what) {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The simulator's record of machine `id`. */
export const record = (id) => sim.store.machines.get(id);

/**
 * A running machine through a recording DataCenter: base-64-lts on sample-512M by default,
 * or `{ image, package }` given by name/version (e.g. bhyve on a flexible-disk package).
 */
export async function runningMachine(name, { image = ["base-64-lts", "24.4.0"], pkg = "sample-512M", brand } = {}) {
  const rec = recorder();
  const dc = dataCenter({ fetch: rec.fetch });
  const [img] = await dc.images({ name: image[0], version: image[1] });
  const opts = { name, image: img.id, package: pkg, metadata: { role: "api" }, tags: { env: "ci" } };
  if (brand) opts.brand = brand;
  const m = await dc.createMachine(opts);
  await m.pollUntil("running", POLL);
  rec.calls.length = 0;
  return { dc, m, calls: rec.calls };
}
