// The key matrix of issue 5: every key type × every private-key format it exists in × both
// built-in signers. Each key pair is generated ONCE at test time by ssh-keygen and converted
// into the other formats (ssh-keygen -p -m …, openssl), its public half registered with the
// simulator, whose http-signature must accept a request signed through the package; the
// algorithm sent and the fingerprints must equal what ssh-keygen -l reports.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { lib, recordingFetch, sim } from "./lib/fixtures.mjs";
import { registerKey, tempDir } from "./lib/keytools.mjs";

const PASS = "correct horse";

/** Key types: ssh-keygen arguments and the http-signature algorithm CloudAPI is sent. */
const TYPES = [
  { name: "RSA 2048", t: "rsa", bits: 2048, alg: "rsa-sha256", web: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } },
  { name: "RSA 4096", t: "rsa", bits: 4096, alg: "rsa-sha256", web: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } },
  { name: "ECDSA P-256", t: "ecdsa", bits: 256, alg: "ecdsa-sha256", web: { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } },
  // P-384 signs with SHA-256: CloudAPI rejects ecdsa-sha384 (shared/signing.md).
  { name: "ECDSA P-384", t: "ecdsa", bits: 384, alg: "ecdsa-sha256", web: { name: "ECDSA", namedCurve: "P-384", hash: "SHA-256" } },
  { name: "ECDSA P-521", t: "ecdsa", bits: 521, alg: "ecdsa-sha512", web: { name: "ECDSA", namedCurve: "P-521", hash: "SHA-512" } },
  { name: "Ed25519", t: "ed25519", alg: "ed25519-sha512", web: { name: "Ed25519" } },
];

/** Formats; `pem` (PKCS#1 / SEC1 and the legacy encrypted PEM) does not exist for Ed25519. */
const FORMATS = [
  { name: "OpenSSH", encrypted: false, label: "OPENSSH PRIVATE KEY" },
  { name: "OpenSSH encrypted", encrypted: true, label: "OPENSSH PRIVATE KEY" },
  { name: "PKCS#8", encrypted: false, label: "PRIVATE KEY" },
  { name: "PKCS#8 encrypted (PBES2)", encrypted: true, label: "ENCRYPTED PRIVATE KEY" },
  { name: "PKCS#1/SEC1", encrypted: false, pem: true },
  { name: "legacy encrypted PEM", encrypted: true, pem: true },
];
const formatsOf = (type) => FORMATS.filter((f) => !(f.pem && type.t === "ed25519"));

const SIGNERS = ["webcrypto", "rust"];

// PBES2's OID (1.2.840.113549.1.5.13), DER-encoded: marks an encrypted PKCS#8 as PBES2.
const PBES2_OID = Buffer.from("06092a864886f70d01050d", "hex");
// Ed25519 PKCS#8 (RFC 8410) is this fixed prefix followed by the 32-byte seed.
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** Runs a command; resolves with stdout (Buffer), rejects with its stderr on a non-zero exit. */
function run(cmd, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out = [];
    const err = [];
    child.stdout.on("data", (b) => out.push(b));
    child.stderr.on("data", (b) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${Buffer.concat(err).toString().trim()}`));
    });
    child.stdin.end(input);
  });
}

/** Copies the plain OpenSSH key `base` to `name` and rewrites it with `ssh-keygen -p`. */
async function convert(base, name, passphrase, format) {
  const file = path.join(path.dirname(base), name);
  fs.copyFileSync(base, file);
  const args = ["-q", "-p", "-P", "", "-N", passphrase, "-f", file];
  if (format) args.push("-m", format);
  await run("ssh-keygen", args);
  return fs.readFileSync(file, "utf8");
}

function pemBody(text) {
  return Buffer.from(
    text
      .split("\n")
      .filter((l) => l && !l.startsWith("-----") && !l.includes(":"))
      .join(""),
    "base64",
  );
}

function pem(label, der) {
  return `-----BEGIN ${label}-----\n${der.toString("base64").match(/.{1,64}/g).join("\n")}\n-----END ${label}-----\n`;
}

/** Reads SSH wire fields (uint32, length-prefixed string) from `buf`, starting at `at`. */
function sshReader(buf, at = 0) {
  const u32 = () => ((at += 4), buf.readUInt32BE(at - 4));
  const str = () => {
    const n = u32();
    at += n;
    return buf.subarray(at - n, at);
  };
  return { u32, str };
}

/** The 32-byte seed of an unencrypted OpenSSH Ed25519 private key (PROTOCOL.key layout). */
function ed25519Seed(openssh) {
  const buf = pemBody(openssh);
  const magic = "openssh-key-v1\0";
  assert.equal(buf.subarray(0, magic.length).toString("latin1"), magic);
  const outer = sshReader(buf, magic.length);
  assert.equal(outer.str().toString(), "none", "cipher");
  outer.str(); // kdf name
  outer.str(); // kdf options
  assert.equal(outer.u32(), 1, "key count");
  outer.str(); // public key blob
  const inner = sshReader(outer.str());
  assert.equal(inner.u32(), inner.u32(), "check integers");
  assert.equal(inner.str().toString(), "ssh-ed25519");
  inner.str(); // public key
  const secret = inner.str();
  assert.equal(secret.length, 64, "ed25519 secret is seed || public key");
  return secret.subarray(0, 32);
}

/** Ed25519 as PKCS#8: ssh-keygen 9.2 cannot write it, so the same key is wrapped by hand
 * and checked with openssl (its public half must be the .pub's), then encrypted by openssl. */
async function ed25519Pkcs8(openssh, publicKey, dir) {
  const plain = pem("PRIVATE KEY", Buffer.concat([ED25519_PKCS8_PREFIX, ed25519Seed(openssh)]));
  const spki = await run("openssl", ["pkey", "-pubout", "-outform", "DER"], plain);
  const blob = Buffer.from(publicKey.split(/\s+/)[1], "base64");
  assert.deepEqual(spki.subarray(-32), blob.subarray(-32), "the hand-made Ed25519 PKCS#8 is not the same key");
  const file = path.join(dir, "id_p8");
  fs.writeFileSync(file, plain, { mode: 0o600 });
  const enc = await run("openssl", ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", `pass:${PASS}`, "-in", file]);
  return { plain, enc: enc.toString() };
}

/** Generates one key pair of `type` and every format of it: { publicKey, md5, sha256, texts }. */
async function makeKey(type, root) {
  const dir = path.join(root, type.name.replace(/\W+/g, "-"));
  fs.mkdirSync(dir);
  const base = path.join(dir, "id");
  const args = ["-q", "-t", type.t, "-N", "", "-C", `matrix-${type.name}`, "-f", base];
  if (type.bits) args.push("-b", String(type.bits));
  await run("ssh-keygen", args);
  const publicKey = fs.readFileSync(`${base}.pub`, "utf8").trim();
  const fp = async (hash) => (await run("ssh-keygen", ["-l", "-E", hash, "-f", `${base}.pub`])).toString().split(/\s+/)[1];
  const [md5, sha256] = await Promise.all([fp("md5"), fp("sha256")]);
  const openssh = fs.readFileSync(base, "utf8");
  const texts = {
    OpenSSH: openssh,
    "OpenSSH encrypted": await convert(base, "id_enc", PASS),
  };
  if (type.t === "ed25519") {
    const p8 = await ed25519Pkcs8(openssh, publicKey, dir);
    texts["PKCS#8"] = p8.plain;
    texts["PKCS#8 encrypted (PBES2)"] = p8.enc;
  } else {
    texts["PKCS#8"] = await convert(base, "id_p8", "", "PKCS8");
    texts["PKCS#8 encrypted (PBES2)"] = await convert(base, "id_p8e", PASS, "PKCS8");
    texts["PKCS#1/SEC1"] = await convert(base, "id_pem", "", "PEM");
    texts["legacy encrypted PEM"] = await convert(base, "id_pem_enc", PASS, "PEM");
  }
  return { publicKey, md5: md5.replace(/^MD5:/, ""), sha256, texts };
}

/** Checks that `text` really is `format` (so a failed conversion cannot hide as another). */
function assertFormat(type, format, text) {
  const label = format.pem ? `${type.t === "rsa" ? "RSA" : "EC"} PRIVATE KEY` : format.label;
  assert.ok(text.startsWith(`-----BEGIN ${label}-----\n`), `not ${format.name}: ${text.slice(0, 40)}`);
  if (format.pem) assert.equal(text.includes("Proc-Type: 4,ENCRYPTED"), format.encrypted, "Proc-Type header");
  if (format.label === "OPENSSH PRIVATE KEY") {
    const cipher = sshReader(pemBody(text), "openssh-key-v1\0".length).str().toString();
    assert.equal(cipher === "none", !format.encrypted, `OpenSSH cipher ${cipher}`);
  }
  if (format.label === "ENCRYPTED PRIVATE KEY") assert.ok(pemBody(text).includes(PBES2_OID), "not PBES2");
}

/** Why the host's own WebCrypto cannot sign with this key type (null when it can). */
async function webCryptoGap(type, pkcs8Pem) {
  try {
    const { name, namedCurve, hash } = type.web;
    const key = await crypto.subtle.importKey("pkcs8", pemBody(pkcs8Pem), { name, namedCurve, hash }, false, ["sign"]);
    await crypto.subtle.sign({ name, hash }, key, new Uint8Array(8));
    return null;
  } catch (e) {
    return `${e.name}: ${e.message}`;
  }
}

/** The keyId and algorithm fields of an http-signature Authorization header. */
function authFields(header) {
  const m = /^Signature keyId="([^"]+)",algorithm="([^"]+)",headers="[^"]+",signature="([A-Za-z0-9+/]+=*)"$/.exec(header ?? "");
  assert.ok(m, `unexpected Authorization header: ${header}`);
  return { keyId: m[1], algorithm: m[2], signature: m[3] };
}

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  // Why limited concurrency: signing is in-process, but key decryption (bcrypt rounds in
  // wasm) and the simulator's verification interleave; 4 at once keeps the run short
  // without starving the other suites' processes on a shared 2-core machine.
  describe(`key matrix (${ENTRY})`, { concurrency: 4 }, () => {
    const root = tempDir("smartdc-matrix-");
    const keys = {};
    const gaps = {};

    before(async () => {
      const made = await Promise.all(TYPES.map((type) => makeKey(type, root)));
      for (const [i, type] of TYPES.entries()) {
        keys[type.name] = made[i];
        gaps[type.name] = await webCryptoGap(type, made[i].texts["PKCS#8"]);
        await registerKey(made[i].publicKey, `matrix-${type.name.replace(/\W+/g, "-")}`);
      }
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    for (const type of TYPES) {
      test(`${type.name}: keyFingerprints(public key) = ssh-keygen -l -E md5 / -E sha256`, () => {
        const k = keys[type.name];
        const fp = lib.keyFingerprints(k.publicKey);
        assert.equal(fp.md5, k.md5);
        assert.equal(fp.sha256, k.sha256);
      });

      test(`${type.name}: a tampered signature is refused (the simulator verifies this key type)`, async () => {
        const k = keys[type.name];
        const flip = (init) => {
          const { signature } = authFields(init.headers.authorization);
          const bytes = Buffer.from(signature, "base64");
          bytes[bytes.length >> 1] ^= 1;
          const authorization = init.headers.authorization.replace(signature, bytes.toString("base64"));
          return { ...init, headers: { ...init.headers, authorization } };
        };
        const { fetch } = recordingFetch(flip);
        const dc = new lib.DataCenter({ url: sim.url, account: sim.account, privateKey: k.texts.OpenSSH, signer: "rust", fetch });
        await assert.rejects(dc.account(), (e) => e.name === "CloudApiError" && e.statusCode === 401);
      });

      for (const format of formatsOf(type)) {
        for (const signer of SIGNERS) {
          test(`${type.name} × ${format.name} × ${signer}`, async (t) => {
            const k = keys[type.name];
            const text = k.texts[format.name];
            assertFormat(type, format, text);

            const fp = lib.keyFingerprints(text);
            if (format.encrypted) assert.equal(fp.encrypted, true, "an encrypted key's fingerprints without its passphrase");
            else assert.deepEqual([fp.md5, fp.sha256], [k.md5, k.sha256], "keyFingerprints(private key)");

            const { fetch, calls } = recordingFetch();
            const dc = new lib.DataCenter({
              url: sim.url,
              account: sim.account,
              privateKey: text,
              ...(format.encrypted ? { passphrase: PASS } : {}),
              signer,
              fetch,
            });
            const gap = signer === "webcrypto" ? gaps[type.name] : null;
            if (gap) {
              // The host's WebCrypto cannot do this algorithm: the package must refuse clearly
              // (never fall back silently), and the report must say the combination was not run.
              await assert.rejects(dc.account(), (e) => e.name === "CloudApiError" && /WebCrypto|crypto\.subtle/.test(e.message));
              t.skip(`Node ${process.version} WebCrypto cannot sign with ${type.name} (${gap}); the package refused it`);
              return;
            }
            assert.equal((await dc.account()).login, sim.account);
            assert.equal(dc.signer, signer);
            assert.equal(dc.algorithm, type.alg);
            assert.equal(dc.keyId, `/${sim.account}/keys/${k.md5}`);
            assert.equal(calls.length, 1);
            const sent = authFields(calls[0].headers.authorization);
            assert.equal(sent.keyId, `/${sim.account}/keys/${k.md5}`);
            assert.equal(sent.algorithm, type.alg);
          });
        }
      }
    }
  });
}
