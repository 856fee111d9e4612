// The one job scheduler: CloudAPI's writes are asynchronous workflow jobs (cloudapi.md
// §4.7). A job runs its state change after a delay scaled by --speed and then records an
// audit entry on the machine (unfinished jobs are not in the audit, as in VMAPI).

/** Durations in ms as a real Triton DC roughly takes them ("realistic" speed). */
export const REALISTIC_MS = {
  provision: 30000,
  provision_hvm: 45000,
  start: 8000,
  stop: 8000,
  reboot: 12000,
  resize: 10000,
  rename: 3000,
  firewall: 3000,
  deletion_protection: 2000,
  destroy: 10000,
  snapshot_create: 6000,
  snapshot_delete: 3000,
  snapshot_rollback: 15000,
  metadata: 3000,
  tags: 3000,
  nic_add: 10000,
  nic_remove: 8000,
  image_create: 60000,
  volume: 15000,
  fabric: 1000,
  migration_phase: 20000,
  default: 5000,
};

/**
 * Turn a --speed value into a factor on REALISTIC_MS.
 * "fast" (default) → 1/30 (a container provision ≈ 1 s), "realistic" → 1, a number → itself.
 */
export function speedFactor(speed) {
  if (speed === undefined || speed === null || speed === "" || speed === "fast") return 1 / 30;
  if (speed === "realistic") return 1;
  const n = Number(speed);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--speed must be fast, realistic or a non-negative number, got ${JSON.stringify(speed)}`);
  return n;
}

export class Jobs {
  /**
   * @param {import("./store.mjs").Store} store
   * @param {number} factor multiplier on REALISTIC_MS (see speedFactor)
   */
  constructor(store, factor) {
    this.store = store;
    this.factor = factor;
    this.timers = new Set();
    /** job uuid → {uuid, name, machine, state: queued|running|succeeded|failed, created, finished} */
    this.jobs = new Map();
  }

  /** Delay in ms for a kind of job at the current speed. */
  delay(kind) {
    return Math.round((REALISTIC_MS[kind] ?? REALISTIC_MS.default) * this.factor);
  }

  /**
   * Schedule `run()` after the delay for `kind`. If `machine` and `audit` are given, an
   * audit entry `{action: audit, success}` is added when the job ends (success = run() did
   * not throw and did not return false). Returns the job record (its uuid is what
   * `x-job-uuid` carries).
   *
   * @param {object} o
   * @param {string} o.kind      REALISTIC_MS key
   * @param {Function} o.run     the state change; may return false to mark the job failed
   * @param {object} [o.machine] machine record the job belongs to
   * @param {string} [o.audit]   audit action name (provision, start, stop, reboot, …)
   * @param {object} [o.caller]  audit caller object
   * @param {number} [o.delayMs] explicit delay instead of the kind's
   */
  schedule({ kind, run, machine, audit, caller, delayMs }) {
    const job = {
      uuid: this.store.uuid(),
      name: audit || kind,
      machine: machine ? machine.id : undefined,
      state: "queued",
      created: this.store.isoNow(),
      finished: null,
    };
    this.jobs.set(job.uuid, job);
    const ms = delayMs ?? this.delay(kind);
    const t = setTimeout(() => {
      this.timers.delete(t);
      job.state = "running";
      let ok = true;
      try {
        ok = run() !== false;
      } catch (e) {
        ok = false;
        job.error = e.message;
      }
      job.state = ok ? "succeeded" : "failed";
      job.finished = this.store.isoNow();
      if (machine && audit) this.store.audit(machine, audit, { success: ok, caller });
    }, ms);
    this.timers.add(t);
    return job;
  }

  /**
   * Run `fn` after `fraction` of the delay for `kind` (an intermediate state change inside
   * a job, e.g. a reboot passing through "stopping" and "ready").
   */
  midway(kind, fraction, fn) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, Math.round(this.delay(kind) * fraction));
    this.timers.add(t);
  }

  /** Cancel every pending job (used by close()). */
  stop() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
