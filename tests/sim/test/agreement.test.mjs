// The official triton CLI (triton@7.17.0, tests/peer) and this library agree (issue 4): what
// one creates on the simulator the other reads back the same, and both resolve the same
// names (image name → latest version, package, network, instance name and short id) to the
// same ids. Needs the built package (pkg/, made by the `build` stage before `sim`).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { generateKey, startSuite } from "./helpers.mjs";
import { triton, tritonInstalled, tritonProfile } from "../../peer/triton.mjs";
import { loadPackage } from "../../pkg/load.mjs";

if (!tritonInstalled()) {
  throw new Error("triton CLI missing: run `npm ci` in tests/peer first");
}
const lib = await loadPackage();

let ctx;
let profile;
let dc;

before(async () => {
  ctx = await startSuite({ sim: { throttle: false } });
  profile = tritonProfile({ url: ctx.url, account: ctx.account, key: ctx.keys.rsa });
  dc = new lib.DataCenter({ url: ctx.url, account: ctx.account, privateKey: ctx.keys.rsa.privateText });
});
after(async () => {
  profile?.cleanup();
  await ctx?.close();
});

/** Run triton and insist on exit 0. */
async function T(...args) {
  const r = await triton(profile, args);
  assert.equal(r.code, 0, `triton ${args.join(" ")} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

const lines = (r) => (r.json === undefined ? [] : Array.isArray(r.json) ? r.json : [r.json]);
const ids = (list) => list.map((x) => x.id).sort();
const WAIT = { wait: { interval: 50, timeout: 60_000 } };

describe("triton CLI ↔ smartdc-wasm", () => {
  test("both resolve image, package and network names to the same objects", async () => {
    const img = await dc.image("base-64-lts");
    assert.equal(img.version, "24.4.0", "the latest version");
    assert.equal((await T("image", "get", "-j", "base-64-lts")).json.id, img.id);
    const old = await dc.image("base-64-lts@23.4.0");
    assert.equal((await T("image", "get", "-j", "base-64-lts@23.4.0")).json.id, old.id);
    assert.equal((await T("image", "get", "-j", img.id.slice(0, 8))).json.id, (await dc.image(img.id.slice(0, 8))).id);
    const pkg = await dc.package("sample-1G");
    assert.equal((await T("package", "get", "-j", "sample-1G")).json.id, pkg.id);
    const net = await dc.network("Joyent-SDC-Public");
    assert.equal((await T("network", "get", "-j", "Joyent-SDC-Public")).json.id, net.id);
    assert.deepEqual(ids(lines(await T("image", "list", "-j"))), ids(await dc.images()));
    assert.deepEqual(ids(lines(await T("package", "list", "-j"))), ids(await dc.packages()));
  });

  test("made by the CLI, read by the library: an instance with tags and metadata, a key, a firewall rule", async () => {
    const c = await T("instance", "create", "-w", "-j", "-n", "agree-cli", "-t", "env=test", "-t", "n=3", "-m", "foo=bar", "base-64-lts", "sample-512M");
    const printed = lines(c).at(-1);
    const m = await dc.machine("agree-cli");
    assert.equal(m.id, printed.id);
    assert.equal(m.state, "running");
    assert.equal(m.image, (await dc.image("base-64-lts")).id);
    assert.equal(m.package, "sample-512M");
    assert.deepEqual(await m.getTags(), { env: "test", n: 3 });
    assert.equal(await m.getTag("env"), "test");
    assert.equal((await m.getMetadata()).foo, "bar");
    assert.equal((await dc.machine(printed.id.slice(0, 8))).id, printed.id);

    const extra = generateKey(ctx.dir, "ed25519", "agree-cli-key");
    await T("key", "add", "-n", "agree-cli-key", extra.publicPath);
    const k = await dc.key("agree-cli-key");
    assert.equal(k.fingerprint, extra.md5);
    assert.ok((await dc.keys()).some((x) => x.fingerprint === extra.md5));

    const rule = `FROM any TO vm ${printed.id} ALLOW tcp PORT 22`;
    const fw = await T("fwrule", "create", "-D", "agree ssh", rule);
    const fwId = /([0-9a-f-]{36})/.exec(fw.stdout)?.[1];
    assert.ok(fwId, fw.stdout);
    const got = await dc.request("GET", `/${ctx.account}/fwrules/${fwId}`);
    assert.equal(got.body.rule, rule);
    assert.equal(got.body.enabled, true);
    assert.equal(got.body.description, "agree ssh");
  });

  test("made by the library, read by the CLI: an instance (waited for), tags, metadata, a key, a firewall rule", async () => {
    const image = await dc.image("base-64-lts");
    const m = await dc.createMachine({ name: "agree-lib", image: image.id, package: "sample-512M", tags: { team: "blue", n: 2, ok: true }, metadata: { colour: "red" } }, WAIT);
    assert.equal(m.state, "running");
    const g = (await T("instance", "get", "-j", "agree-lib")).json;
    assert.equal(g.id, m.id);
    assert.equal(g.state, "running");
    assert.equal(g.image, image.id);
    assert.deepEqual(g.tags, { team: "blue", n: 2, ok: true });
    assert.equal(g.metadata.colour, "red");
    assert.deepEqual((await T("instance", "tag", "list", "-j", m.id)).json, await m.getTags());
    assert.equal((await T("instance", "metadata", "get", "agree-lib", "colour")).stdout.trim(), "red");
    assert.equal((await T("instance", "get", "-j", m.id.slice(0, 8))).json.id, m.id);
    assert.deepEqual(ids(lines(await T("instance", "list", "-j"))), ids(await dc.machines()));

    const extra = generateKey(ctx.dir, "ecdsa", "agree-lib-key");
    const added = await dc.addKey({ name: "agree-lib-key", key: extra.publicLine });
    assert.equal(added.fingerprint, extra.md5);
    const listed = lines(await T("key", "list", "-j"));
    assert.equal(listed.find((x) => x.name === "agree-lib-key")?.fingerprint, extra.md5);

    const rule = `FROM any TO vm ${m.id} ALLOW tcp PORT 443`;
    const made = await dc.request("POST", `/${ctx.account}/fwrules`, { body: { rule, enabled: true, description: "agree https" } });
    const shown = (await T("fwrule", "get", "-j", made.body.id)).json;
    assert.equal(shown.rule, rule);
    assert.equal(shown.enabled, true);
    assert.ok(lines(await T("instance", "fwrule", "list", "-j", "agree-lib")).some((r) => r.id === made.body.id));
  });

  test("deleted by the library, gone for the CLI", async () => {
    const m = await dc.machine("agree-lib");
    await m.delete();
    await m.pollUntil("deleted", { interval: 50, timeout: 60_000 });
    assert.ok(!ids(lines(await T("instance", "list", "-j"))).includes(m.id));
    const r = await triton(profile, ["instance", "get", "-j", "agree-lib"]);
    assert.notEqual(r.code, 0, "the CLI still finds a deleted instance by name");
  });
});
