#!/usr/bin/env node
// Command-line entry: start the simulator, print ONE JSON line
// {"url","account","keys":[{"name","fingerprint"}]} on stdout once listening, serve until
// SIGTERM/SIGINT. Bad flags or unreadable files → exit 2 with a one-line reason on stderr.

// restify 4.3.3 pulls in spdy, which probes process.binding('http_parser') and makes Node
// print a DEP0111 warning on every start; the CLI's stderr is for real problems only.
process.noDeprecation = true;
const { startSimulator } = await import("./index.mjs");

const USAGE = `usage: node tests/sim/cli.mjs [options]
  --port N                 listen port (0 = a random free port; default 0)
  --host H                 listen address (default 127.0.0.1)
  --account NAME           the account login (default testuser)
  --key PUBFILE            OpenSSH public key for the account (repeatable)
  --speed fast|realistic|F job durations: fast (default, provision ~1 s), realistic
                           (tens of seconds), or a factor on the realistic durations
  --seed N                 catalogue/id seed (default 1)
  --admin-token T          enable the /__sim/ admin API (header x-sim-admin-token: T)
  --cors faithful|permissive
                           faithful (default) = CloudAPI's own CORS; permissive is NOT
                           faithful: any preflight passes, x-resource-count etc. exposed
  --throttle on|off        CloudAPI's 10 r/s, burst 30 throttle (default on)
  --tls-cert FILE --tls-key FILE
                           serve HTTPS with this certificate and key
  --help                   this text`;

const VALUE_FLAGS = new Set(["--port", "--host", "--account", "--key", "--speed", "--seed", "--admin-token", "--cors", "--throttle", "--tls-cert", "--tls-key"]);

function fail(msg) {
  process.stderr.write(`cloudapi-sim: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { keys: [] };
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let value;
    if (flag === "--help" || flag === "-h") {
      process.stdout.write(USAGE + "\n");
      process.exit(0);
    }
    const eq = flag.indexOf("=");
    if (flag.startsWith("--") && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (!VALUE_FLAGS.has(flag)) fail(`unknown option ${flag} (see --help)`);
    if (value === undefined) {
      if (i + 1 >= argv.length) fail(`${flag} needs a value`);
      value = argv[++i];
    }
    switch (flag) {
      case "--port":
        if (!/^\d+$/.test(value)) fail(`--port must be a number, got ${value}`);
        o.port = Number(value);
        break;
      case "--host":
        o.host = value;
        break;
      case "--account":
        o.account = value;
        break;
      case "--key":
        o.keys.push(value);
        break;
      case "--speed":
        o.speed = value;
        break;
      case "--seed":
        if (!/^-?\d+$/.test(value)) fail(`--seed must be an integer, got ${value}`);
        o.seed = Number(value);
        break;
      case "--admin-token":
        if (!value) fail("--admin-token must not be empty");
        o.adminToken = value;
        break;
      case "--cors":
        o.cors = value;
        break;
      case "--throttle":
        if (value !== "on" && value !== "off") fail(`--throttle must be on or off, got ${value}`);
        o.throttle = value;
        break;
      case "--tls-cert":
        o.tlsCert = value;
        break;
      case "--tls-key":
        o.tlsKey = value;
        break;
    }
  }
  if (!!o.tlsCert !== !!o.tlsKey) fail("--tls-cert and --tls-key go together");
  if (o.tlsCert) o.tls = { cert: o.tlsCert, key: o.tlsKey };
  delete o.tlsCert;
  delete o.tlsKey;
  return o;
}

const opts = parseArgs(process.argv.slice(2));
let sim;
try {
  sim = await startSimulator(opts);
} catch (e) {
  fail(String(e && e.message ? e.message : e).split("\n")[0]);
}
process.stdout.write(JSON.stringify({ url: sim.url, account: sim.account, keys: sim.keys }) + "\n");

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  sim.close().then(() => process.exit(0));
  // A hung close must not keep the process alive.
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
