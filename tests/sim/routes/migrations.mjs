// Instance migrations (cloudapi lib/migrations.js + VMAPI, 9.6+, cloudapi.md §4.17).
// POST /:login/machines/:id/migrate with action begin|sync|switch|automatic|pause|abort|
// finalize|watch; GET …/migrate is the estimate; GET /:login/migrations[/:id] list/get.
// Each phase emits progress events over time (scaled by --speed through the job
// scheduler's delays); `watch` streams them as application/x-json-stream and ends with
// {"type":"end"}. On-demand phases end `paused`; switch ends `successful` with the machine
// on another compute node; finalize removes the migration from the list.

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTIONS = ["begin", "sync", "switch", "automatic", "abort", "pause", "finalize"];

/** The progress steps of each phase: [fraction of the phase, message, percent]. */
const STEPS = {
  begin: [
    [0.2, "reserving instance", 10],
    [0.6, "provisioning the target instance", 60],
    [1, "begin phase complete", 100],
  ],
  sync: [
    [0.25, "syncing data", 25],
    [0.5, null, 50],
    [0.75, null, 75],
    [1, null, 100],
  ],
  switch: [
    [0.15, "stopping the instance", 15],
    [0.35, "syncing data", 35],
    [0.55, "switching instances", 55],
    [0.75, "promoting the migrated instance", 75],
    [1, "starting the migrated instance", 100],
  ],
  abort: [
    [0.5, "removing the target instance", 50],
    [1, "abort complete", 100],
  ],
};

export function register(ctx) {
  const { store, errors } = ctx;
  const phaseMs = () => ctx.jobs.delay("migration_phase");

  const machine = (req) => {
    if (typeof req.params.machine !== "string" || !UUID_RE.test(req.params.machine)) throw errors.notFound("VM not found");
    return ctx.getMachine(req);
  };

  /** Migration wire object: VMAPI's with vm_uuid renamed to machine. */
  const migrationJson = (mig) => {
    const o = {
      machine: mig.machine,
      automatic: mig.automatic,
      created_timestamp: mig.created_timestamp,
      phase: mig.phase,
      state: mig.state,
      progress_history: mig.progress_history.map((e) => ({ ...e })),
    };
    if (mig.scheduled_timestamp) o.scheduled_timestamp = mig.scheduled_timestamp;
    if (mig.finished_timestamp) o.finished_timestamp = mig.finished_timestamp;
    if (mig.duration_ms !== undefined) o.duration_ms = mig.duration_ms;
    if (mig.error) o.error = mig.error;
    return o;
  };

  /** Send an event to every watcher of this migration. */
  const emit = (mig, evt) => {
    mig.events.push(evt);
    for (const w of mig.watchers) w(evt);
  };

  /** Run `phases` one after another; `done(lastPhase)` when all finished (unless cancelled). */
  const runPhases = (mig, phases, done) => {
    const gen = ++mig.gen;
    const total = phaseMs();
    const m = store.machines.get(mig.machine);
    mig.events = [];
    phases.forEach((phase, pi) => {
      const started = store.isoNow();
      ctx.jobs.midway("migration_phase", pi, () => {
        if (mig.gen !== gen) return;
        mig.phase = phase;
        mig.state = "running";
        mig.phaseStarted = Date.now();
      });
      STEPS[phase].forEach(([frac, message, pct], si) => {
        ctx.jobs.midway("migration_phase", pi + frac, () => {
          if (mig.gen !== gen) return;
          const evt = { type: "progress", phase, state: "running", current_progress: pct, total_progress: 100, started_timestamp: started };
          if (message) evt.message = message;
          if (phase === "sync") {
            const bytes = Math.max(1, (m ? m.disk : 10240) * 1048576);
            evt.current_progress = Math.round((bytes * pct) / 100);
            evt.total_progress = bytes;
            evt.transfer_bytes_second = Math.round(bytes / Math.max(1, total / 1000));
            evt.eta_ms = Math.round(total * (1 - frac));
          }
          if (phase === "switch" && m && !m.destroyed) {
            if (si === 0 && m.state === "running") {
              mig.wasRunning = true;
              m.state = "stopping";
            } else if (si === 1 && m.state === "stopping") {
              m.state = "stopped";
            } else if (si === STEPS.switch.length - 1) {
              const others = store.computeNodes.filter((cn) => cn !== m.compute_node);
              if (others.length) m.compute_node = others[0];
              if (mig.wasRunning) m.state = "running";
              m.updated = store.isoNow();
            }
          }
          emit(mig, evt);
          if (si === STEPS[phase].length - 1) {
            mig.progress_history.push({
              current_progress: 100,
              duration_ms: store.now() - Date.parse(started),
              finished_timestamp: store.isoNow(),
              message: STEPS[phase][0][1],
              phase,
              state: "success",
              started_timestamp: started,
              total_progress: 100,
            });
          }
        });
      });
    });
    ctx.jobs.midway("migration_phase", phases.length, () => {
      if (mig.gen !== gen) return;
      done(phases[phases.length - 1]);
      emit(mig, { type: "end", phase: mig.phase, state: mig.state });
    });
  };

  const invalidState = (msg) => errors.conflict("InvalidState", msg);

  ctx.route("GET", "/:account/machines/:machine/migrate", "MigrateMachineEstimate", (req) => {
    const m = machine(req);
    const size = Math.max(1, m.disk || 10240) * 1048576;
    return { size, eta_ms: phaseMs() * 3 };
  }, { head: false, group: "machines" });

  ctx.route("POST", "/:account/machines/:machine/migrate", "Migrate", (req, res) => {
    const p = req.params;
    const m = machine(req);
    if (!p.action) throw errors.missingParameter('"action" must be specified');
    if (typeof p.action !== "string") throw errors.invalidArgument(`${p.action} is not a valid migration action`);
    let mig = store.migrations.get(m.id);

    if (p.action === "watch") {
      if (!mig) throw errors.notFound("migration not found");
      return watch(req, res, mig);
    }
    if (!ACTIONS.includes(p.action)) throw errors.invalidArgument(`${p.action} is not a valid migration action`);
    if (m.state === "provisioning" || m.state === "failed") throw invalidState(`cannot migrate an instance in state ${m.state}`);
    if (p.affinity !== undefined && (p.action === "begin" || p.action === "automatic")) {
      if (!Array.isArray(p.affinity) || !p.affinity.every((a) => typeof a === "string")) throw errors.invalidArgument("affinity must be an array of strings");
    }

    const active = mig && !["aborted", "failed"].includes(mig.state) && !(mig.state === "successful" && mig.finalized);
    switch (p.action) {
      case "begin":
      case "automatic": {
        if (active) throw invalidState("instance is already being migrated");
        mig = {
          machine: m.id,
          automatic: p.action === "automatic",
          created_timestamp: store.isoNow(),
          phase: "begin",
          state: "running",
          progress_history: [],
          events: [],
          watchers: new Set(),
          gen: 0,
          started: Date.now(),
        };
        store.migrations.set(m.id, mig);
        const phases = p.action === "automatic" ? ["begin", "sync", "switch"] : ["begin"];
        runPhases(mig, phases, (last) => finishPhase(mig, last));
        break;
      }
      case "sync":
      case "switch": {
        if (!mig || !active) throw errors.notFound("migration not found");
        if (mig.state !== "paused") throw invalidState(`cannot ${p.action} a migration in state ${mig.state}`);
        if (p.action === "sync" && mig.phase === "switch") throw invalidState("migration already switched");
        mig.state = "running";
        mig.phase = p.action;
        runPhases(mig, [p.action], (last) => finishPhase(mig, last));
        break;
      }
      case "pause": {
        if (!mig || !active) throw errors.notFound("migration not found");
        if (mig.state !== "running" || mig.phase !== "sync") throw invalidState(`cannot pause a migration in phase ${mig.phase} (state ${mig.state})`);
        mig.gen++;
        mig.state = "paused";
        emit(mig, { type: "end", phase: mig.phase, state: mig.state });
        break;
      }
      case "abort": {
        if (!mig || !active) throw errors.notFound("migration not found");
        if (mig.state === "successful") throw invalidState("cannot abort a successful migration");
        mig.state = "running";
        runPhases(mig, ["abort"], () => {
          mig.state = "aborted";
          mig.finished_timestamp = store.isoNow();
          mig.duration_ms = Date.now() - mig.started;
        });
        break;
      }
      case "finalize": {
        if (!mig || mig.finalized) throw errors.notFound("migration not found");
        if (mig.state !== "successful") throw invalidState(`cannot finalize a migration in state ${mig.state}`);
        mig.finalized = true;
        store.migrations.delete(m.id);
        res.send(200);
        return undefined;
      }
      default:
        break;
    }
    res.send(201, migrationJson(mig));
    return undefined;
  }, { head: false, group: "machines" });

  /** State after a phase ran to its end. */
  function finishPhase(mig, last) {
    if (last === "switch") {
      mig.state = "successful";
      mig.finished_timestamp = store.isoNow();
      mig.duration_ms = Date.now() - mig.started;
    } else {
      mig.state = "paused";
    }
  }

  /** Stream progress events until the running action ends (or immediately end if idle). */
  function watch(req, res, mig) {
    res.writeHead(200, { "Content-Type": "application/x-json-stream" });
    return new Promise((resolve) => {
      const finish = () => {
        mig.watchers.delete(onEvent);
        if (!res.writableEnded) res.end();
        resolve();
      };
      function onEvent(evt) {
        if (res.destroyed) return finish();
        res.write(JSON.stringify(evt) + "\n");
        if (evt.type === "end") finish();
        return undefined;
      }
      if (mig.state !== "running") {
        onEvent({ type: "end", phase: mig.phase, state: mig.state });
        return;
      }
      for (const e of mig.events) res.write(JSON.stringify(e) + "\n");
      mig.watchers.add(onEvent);
      res.on("close", finish);
    });
  }

  ctx.route("GET", "/:account/migrations", "ListMigrations", (req) =>
    [...store.migrations.values()].filter((mig) => {
      const m = store.machines.get(mig.machine);
      return m && m.owner === req.account.id;
    }).map(migrationJson),
  { head: false, group: "machines" });

  ctx.route("GET", "/:account/migrations/:machine", "GetMigration", (req) => {
    const mig = store.migrations.get(String(req.params.machine).toLowerCase());
    const m = mig && store.machines.get(mig.machine);
    if (!mig || !m || m.owner !== req.account.id) throw errors.notFound("VM not found");
    return migrationJson(mig);
  }, { head: false, group: "machines" });
}
