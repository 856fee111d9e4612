// Peer check (issue 2 "What must be shown"): the official Triton CLI, triton@7.17.0 pinned
// in tests/peer/package-lock.json, drives the simulator through TRITON_URL / TRITON_ACCOUNT /
// TRITON_KEY_ID with a key made by ssh-keygen at test time. Every command must exit 0 and
// print what the simulator holds, which is cross-checked with our own signed requests.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { generateKey, selfSignedCert, startSuite, waitFor } from "./helpers.mjs";
import { triton, tritonInstalled, tritonProfile } from "../../peer/triton.mjs";

if (!tritonInstalled()) {
  throw new Error("triton CLI missing: run `npm ci` in tests/peer first");
}

let ctx;
let profile;
const state = {};

before(async () => {
  ctx = await startSuite({ sim: { throttle: false } });
  profile = tritonProfile({ url: ctx.url, account: ctx.account, key: ctx.keys.rsa });
});
after(async () => {
  profile?.cleanup();
  await ctx?.close();
});

/** Run triton and insist on exit 0; returns the parsed result. */
async function T(...args) {
  const r = await triton(profile, args);
  assert.equal(r.code, 0, `triton ${args.join(" ")} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** Our own signed request; asserts the status and returns the JSON body. */
async function api(method, p, { status = 200, body } = {}) {
  const res = await ctx.request(method, p, { body });
  assert.equal(res.status, status, `${method} ${p} → ${res.status} ${res.text}`);
  return res.json;
}

const ids = (list) => list.map((x) => x.id).sort();
const lines = (r) => (Array.isArray(r.json) ? r.json : [r.json]);

function needInstance() {
  assert.ok(state.inst, "depends on `instance create -w` having succeeded");
  return state.inst;
}

describe("triton CLI against the simulator", () => {
  test("triton --version is 7.17.0", async () => {
    const r = await T("--version");
    assert.match(r.stdout, /Triton CLI 7\.17\.0/);
  });

  test("info", async () => {
    const r = await T("info", "-j");
    const acct = await api("GET", "/my");
    assert.equal(r.json.login, acct.login);
    assert.equal(r.json.email, acct.email);
    const machines = await api("GET", "/my/machines");
    assert.equal(r.json.totalInstances, machines.length);
  });

  test("datacenters", async () => {
    const r = await T("datacenters", "-j");
    const held = await api("GET", "/my/datacenters");
    // `datacenters -j` prints CloudAPI's name → URL map as is.
    assert.deepEqual(r.json, held);
    assert.ok(Object.keys(held).length >= 1);
  });

  test("image list", async () => {
    const r = await T("image", "list", "-j");
    const held = await api("GET", "/my/images");
    assert.ok(held.length >= 4, "seeded catalogue has several images");
    assert.deepEqual(ids(lines(r)), ids(held));
  });

  test("package list", async () => {
    const r = await T("package", "list", "-j");
    const held = await api("GET", "/my/packages");
    assert.ok(held.length >= 2, "seeded catalogue has several packages");
    assert.deepEqual(ids(lines(r)), ids(held));
  });

  test("network list", async () => {
    const r = await T("network", "list", "-j");
    const held = await api("GET", "/my/networks");
    assert.ok(held.some((n) => n.public === true) && held.some((n) => n.public === false));
    assert.deepEqual(ids(lines(r)), ids(held));
  });

  test("key list / key add / key delete", async () => {
    let r = await T("key", "list", "-j");
    let held = await api("GET", "/my/keys");
    assert.deepEqual(lines(r).map((k) => k.fingerprint).sort(), held.map((k) => k.fingerprint).sort());
    assert.ok(held.some((k) => k.fingerprint === ctx.keys.rsa.md5));

    const extra = generateKey(ctx.dir, "ed25519", "peer-extra");
    // triton 7.17 prints a sentence for `key add`, even with -j.
    r = await T("key", "add", "-n", "peer-extra", extra.publicPath);
    assert.equal(r.stdout.trim(), `Added key "peer-extra" (${extra.md5})`);
    const got = await api("GET", "/my/keys/peer-extra");
    assert.equal(got.fingerprint, extra.md5);
    assert.equal(got.key.split(" ").slice(0, 2).join(" "), extra.publicLine.split(" ").slice(0, 2).join(" "));

    await T("key", "delete", "-f", "peer-extra");
    await api("GET", "/my/keys/peer-extra", { status: 404 });
    held = await api("GET", "/my/keys");
    assert.ok(!held.some((k) => k.fingerprint === extra.md5));
  });

  test("instance create -w with metadata, tags and a user-script", async () => {
    const images = await api("GET", "/my/images");
    const packages = await api("GET", "/my/packages");
    const image = images.find((i) => i.os === "smartos" && i.type === "zone-dataset") || images[0];
    const fits = packages
      .filter((p) => p.memory >= (image.requirements?.min_memory || 0))
      .sort((a, b) => a.memory - b.memory);
    assert.ok(fits.length >= 2, "need two packages that fit the image (create + resize)");
    state.image = image;
    state.pkg = fits[0];
    state.bigger = fits.find((p) => p.memory > fits[0].memory) || fits[1];
    const script = path.join(ctx.dir, "user-script.sh");
    fs.writeFileSync(script, "#!/bin/sh\necho hello from the peer test\n");
    const r = await T(
      "instance", "create", "-w", "-j",
      "-n", "peer1",
      "-m", "foo=bar",
      "-m", "answer=42",
      "-t", "env=test",
      "-t", "count=3",
      "--script", script,
      image.id, state.pkg.id,
    );
    const printed = lines(r).at(-1);
    assert.equal(printed.name, "peer1");
    assert.equal(printed.state, "running");
    const held = await api("GET", `/my/machines/${printed.id}`);
    assert.equal(held.state, "running");
    assert.equal(held.image, image.id);
    assert.equal(held.package, state.pkg.name);
    assert.equal(held.metadata.foo, "bar");
    assert.equal(String(held.metadata.answer), "42");
    assert.equal(held.metadata["user-script"], fs.readFileSync(script, "utf8"));
    assert.equal(held.tags.env, "test");
    assert.equal(held.tags.count, 3);
    state.inst = held;
  });

  test("instance list / get", async () => {
    const inst = needInstance();
    const r = await T("instance", "list", "-j");
    const held = await api("GET", "/my/machines");
    assert.deepEqual(ids(lines(r)), ids(held));
    const g = await T("instance", "get", "-j", "peer1");
    const one = await api("GET", `/my/machines/${inst.id}`);
    assert.equal(g.json.id, one.id);
    assert.equal(g.json.name, one.name);
    assert.equal(g.json.state, one.state);
    assert.deepEqual(g.json.tags, one.tags);
    assert.deepEqual(g.json.ips, one.ips);
  });

  test("instance stop -w / start -w / reboot -w", async () => {
    const inst = needInstance();
    await T("instance", "stop", "-w", inst.id);
    assert.equal((await api("GET", `/my/machines/${inst.id}`)).state, "stopped");
    await T("instance", "start", "-w", inst.id);
    assert.equal((await api("GET", `/my/machines/${inst.id}`)).state, "running");
    await T("instance", "reboot", "-w", inst.id);
    assert.equal((await api("GET", `/my/machines/${inst.id}`)).state, "running");
    const audit = await api("GET", `/my/machines/${inst.id}/audit`);
    const actions = audit.map((a) => a.action);
    for (const a of ["reboot", "start", "stop", "provision"]) assert.ok(actions.includes(a), `audit has ${a}: ${actions}`);
    assert.equal(actions[0], "reboot", "audit is newest first");
  });

  test("instance rename -w", async () => {
    const inst = needInstance();
    await T("instance", "rename", "-w", inst.id, "peer2");
    assert.equal((await api("GET", `/my/machines/${inst.id}`)).name, "peer2");
    const g = await T("instance", "get", "-j", "peer2");
    assert.equal(g.json.id, inst.id);
  });

  test("instance resize -w", async () => {
    const inst = needInstance();
    await T("instance", "resize", "-w", inst.id, state.bigger.id);
    const held = await api("GET", `/my/machines/${inst.id}`);
    assert.equal(held.package, state.bigger.name);
    assert.equal(held.memory, state.bigger.memory);
  });

  test("instance tag set / list / get / delete", async () => {
    const inst = needInstance();
    await T("instance", "tag", "set", "-w", "-q", inst.id, "role=web", "tier=2");
    let held = await api("GET", `/my/machines/${inst.id}/tags`);
    assert.equal(held.role, "web");
    assert.equal(held.tier, 2);
    const l = await T("instance", "tag", "list", "-j", inst.id);
    assert.deepEqual(l.json, held);
    const g = await T("instance", "tag", "get", inst.id, "role");
    assert.equal(g.stdout.trim(), "web");
    await T("instance", "tag", "delete", "-w", inst.id, "role");
    held = await api("GET", `/my/machines/${inst.id}/tags`);
    assert.equal(held.role, undefined);
    assert.equal(held.tier, 2);
  });

  test("instance metadata set / list / get / delete", async () => {
    const inst = needInstance();
    await T("instance", "metadata", "set", "-w", "-q", inst.id, "colour=blue", "size=large");
    let held = await api("GET", `/my/machines/${inst.id}/metadata`);
    assert.equal(held.colour, "blue");
    const l = await T("instance", "metadata", "list", "-j", inst.id);
    assert.deepEqual(l.json, held);
    const g = await T("instance", "metadata", "get", inst.id, "colour");
    assert.equal(g.stdout.trim(), "blue");
    await T("instance", "metadata", "delete", "-w", "-f", inst.id, "colour");
    held = await api("GET", `/my/machines/${inst.id}/metadata`);
    assert.equal(held.colour, undefined);
    assert.equal(held.size, "large");
  });

  test("instance snapshot create -w / list / delete -w", async () => {
    const inst = needInstance();
    await T("instance", "snapshot", "create", "-w", "-n", "snap1", inst.id);
    let held = await api("GET", `/my/machines/${inst.id}/snapshots`);
    assert.equal(held.find((s) => s.name === "snap1")?.state, "created");
    const l = await T("instance", "snapshot", "list", "-j", inst.id);
    assert.deepEqual(lines(l).map((s) => s.name).sort(), held.map((s) => s.name).sort());
    await T("instance", "snapshot", "delete", "-w", "-f", inst.id, "snap1");
    held = await api("GET", `/my/machines/${inst.id}/snapshots`);
    assert.ok(!held.some((s) => s.name === "snap1" && s.state !== "deleted"), JSON.stringify(held));
  });

  test("fwrule create / list / disable / enable / instance fwrule list / delete", async () => {
    const inst = needInstance();
    const text = `FROM any TO vm ${inst.id} ALLOW tcp PORT 22`;
    // triton 7.17 prints "Created firewall rule <id>" for `fwrule create`, even with -j.
    const c = await T("fwrule", "create", "-D", "peer ssh", text);
    const m = /^Created firewall rule ([0-9a-f-]{36})$/.exec(c.stdout.trim());
    assert.ok(m, c.stdout);
    const rule = { id: m[1] };
    let held = await api("GET", `/my/fwrules/${rule.id}`);
    assert.equal(held.rule, text);
    assert.equal(held.enabled, true, "triton creates rules enabled");
    assert.equal(held.description, "peer ssh");

    const l = await T("fwrule", "list", "-j");
    assert.deepEqual(ids(lines(l)), ids(await api("GET", "/my/fwrules")));

    await T("fwrule", "disable", rule.id);
    assert.equal((await api("GET", `/my/fwrules/${rule.id}`)).enabled, false);
    await T("fwrule", "enable", rule.id);
    assert.equal((await api("GET", `/my/fwrules/${rule.id}`)).enabled, true);

    const il = await T("instance", "fwrule", "list", "-j", inst.id);
    held = await api("GET", `/my/machines/${inst.id}/fwrules`);
    assert.ok(held.some((r) => r.id === rule.id));
    assert.deepEqual(ids(lines(il)), ids(held));

    await T("fwrule", "delete", "-f", rule.id);
    await api("GET", `/my/fwrules/${rule.id}`, { status: 404 });
  });

  test("vlan create / list, network (fabric) create / list / delete, vlan delete", async () => {
    const v = await T("vlan", "create", "-j", "-n", "peervlan", "-D", "peer vlan", "1042");
    assert.equal(lines(v)[0].vlan_id, 1042);
    const vheld = await api("GET", "/my/fabrics/default/vlans/1042");
    assert.equal(vheld.name, "peervlan");
    const vl = await T("vlan", "list", "-j");
    const vlans = await api("GET", "/my/fabrics/default/vlans");
    assert.deepEqual(lines(vl).map((x) => x.vlan_id).sort(), vlans.map((x) => x.vlan_id).sort());

    const n = await T(
      "network", "create", "-j", "-n", "peernet",
      "-s", "10.42.0.0/24", "-S", "10.42.0.10", "-E", "10.42.0.250", "-g", "10.42.0.1",
      "-r", "8.8.8.8", "1042",
    );
    const net = lines(n)[0];
    const nheld = await api("GET", `/my/fabrics/default/vlans/1042/networks/${net.id}`);
    assert.equal(nheld.subnet, "10.42.0.0/24");
    assert.equal(nheld.provision_start_ip, "10.42.0.10");
    assert.equal(nheld.fabric, true);
    const nl = await T("network", "list", "-j");
    const nets = await api("GET", "/my/networks");
    assert.ok(nets.some((x) => x.id === net.id));
    assert.deepEqual(ids(lines(nl)), ids(nets));

    await T("network", "delete", net.id);
    await api("GET", `/my/fabrics/default/vlans/1042/networks/${net.id}`, { status: 404 });
    await T("vlan", "delete", "1042");
    await api("GET", "/my/fabrics/default/vlans/1042", { status: 404 });
  });

  test("volume list", async () => {
    let r = await T("volume", "list", "-j");
    let held = await api("GET", "/my/volumes");
    assert.deepEqual(ids(r.json === undefined ? [] : lines(r)), ids(held));
    // With a volume in the store (made through CloudAPI), the CLI shows it.
    const vol = await api("POST", "/my/volumes", { status: 201, body: { name: "peervol", type: "tritonnfs", size: 10240 } });
    await waitFor(async () => (await api("GET", `/my/volumes/${vol.id}`)).state === "ready", { what: "volume ready" });
    r = await T("volume", "list", "-j");
    held = await api("GET", "/my/volumes");
    const printed = lines(r);
    assert.deepEqual(ids(printed), ids(held));
    const mine = printed.find((v) => v.id === vol.id);
    assert.equal(mine.name, "peervol");
    assert.equal(mine.state, "ready");
    assert.equal(mine.size, 10240);
  });

  test("triton cloudapi raw calls", async () => {
    const ping = await T("cloudapi", "/--ping");
    assert.equal(ping.json.ping, "pong");
    const me = await T("cloudapi", "/my");
    assert.equal(me.json.login, ctx.account);
    const pk = await T("cloudapi", "-i", "/my/packages");
    assert.deepEqual(ids(pk.json), ids(await api("GET", "/my/packages")));
    assert.match(pk.stderr, /api-version: 9\.0\.0/i);
    const inst = needInstance();
    await T("cloudapi", "-X", "POST", `/my/machines/${inst.id}/tags`, "-d", '{"raw":"yes"}');
    await waitFor(async () => (await api("GET", `/my/machines/${inst.id}/tags`)).raw === "yes", { what: "raw tag" });
  });

  test("instance delete -w", async () => {
    const inst = needInstance();
    await T("instance", "delete", "-w", "-f", inst.id);
    const res = await ctx.request("GET", `/my/machines/${inst.id}`);
    assert.equal(res.status, 410, res.text);
    assert.equal(res.json.state, "deleted");
    const r = await T("instance", "list", "-j");
    assert.ok(!ids(r.json === undefined ? [] : lines(r)).includes(inst.id));
  });
});

describe("triton CLI over HTTPS (self-signed certificate made at test time)", () => {
  let tls;
  let tlsProfile;
  before(async () => {
    const certs = selfSignedCert(ctx.dir);
    tls = await startSuite({ sim: { throttle: false, tls: { cert: certs.cert, key: certs.key } }, ca: certs.certText });
    assert.match(tls.url, /^https:/);
    tls.certs = certs;
  });
  after(async () => {
    tlsProfile?.cleanup();
    await tls?.close();
  });

  test("rejects the unknown certificate by default (verification is not weakened)", async () => {
    tlsProfile = tritonProfile({ url: tls.url, account: tls.account, key: tls.keys.rsa });
    const r = await triton(tlsProfile, ["info", "-j"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /self[- ]signed|certificate/i);
    tlsProfile.cleanup();
    tlsProfile = undefined;
  });

  test("info with TRITON_TLS_INSECURE=1", async () => {
    tlsProfile = tritonProfile({ url: tls.url, account: tls.account, key: tls.keys.rsa, tls: { insecure: true } });
    const r = await triton(tlsProfile, ["info", "-j"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.login, tls.account);
    tlsProfile.cleanup();
    tlsProfile = undefined;
  });

  test("package list trusting the certificate through NODE_EXTRA_CA_CERTS", async () => {
    tlsProfile = tritonProfile({ url: tls.url, account: tls.account, key: tls.keys.ecdsa, tls: { caFile: tls.certs.cert } });
    const r = await triton(tlsProfile, ["package", "list", "-j"]);
    assert.equal(r.code, 0, r.stderr);
    const held = await tls.request("GET", "/my/packages");
    assert.deepEqual(ids(lines(r)), ids(held.json));
  });
});
