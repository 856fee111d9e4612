// User-implemented signer objects: Node's crypto.sign behind { keyId, algorithm, sign },
// accepted by the simulator (whose http-signature verifies them); P1363 ECDSA output is
// converted to DER; sha384 is refused; rotate() after a 401 tries the next key.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { before, describe, test } from "node:test";
import { ENTRY } from "../load.mjs";
import { KEYS, STRANGER, lib, sim } from "./lib/fixtures.mjs";
import { cloud, registerKey } from "./lib/keytools.mjs";

/** An OpenSSH line and MD5 for a Node P-256 key object (built from its JWK). */
function sshP256(publicKey) {
  const jwk = publicKey.export({ format: "jwk" });
  const str = (b) => Buffer.concat([len(b), b]);
  const len = (b) => {
    const l = Buffer.alloc(4);
    l.writeUInt32BE(b.length);
    return l;
  };
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
  const blob = Buffer.concat([str(Buffer.from("ecdsa-sha2-nistp256")), str(Buffer.from("nistp256")), str(point)]);
  const md5 = crypto.createHash("md5").update(blob).digest("hex").match(/../g).join(":");
  const sha256 = `SHA256:${crypto.createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  return { line: `ecdsa-sha2-nistp256 ${blob.toString("base64")} node-p256`, md5, sha256 };
}

const rsaKey = crypto.createPrivateKey(KEYS.pkcs8.privateKey);
const rsaSigner = (extra = {}) => ({
  keyId: KEYS.pkcs8.md5,
  algorithm: "rsa-sha256",
  sign: async (data) => crypto.sign("sha256", data, rsaKey),
  ...extra,
});

/** Registers this suite (called inside suites/all.mjs). */
export default function suite() {
  describe(`signer objects (${ENTRY})`, () => {
    const p256 = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const p256ssh = sshP256(p256.publicKey);
    before(() => registerKey(p256ssh.line));

    const dc = (signer, extra = {}) => new lib.DataCenter({ url: sim.url, account: sim.account, signer, ...extra });

    test("an RSA signer built on Node's crypto.sign is accepted", async () => {
      let calls = 0;
      const d = dc(rsaSigner({ sign: async (data) => (calls++, crypto.sign("sha256", data, rsaKey)) }));
      assert.equal(d.signer, "custom");
      assert.equal(d.keyId, `/${sim.account}/keys/${KEYS.pkcs8.md5}`);
      assert.equal(d.algorithm, "rsa-sha256");
      assert.equal((await d.account()).login, sim.account);
      assert.equal(calls, 1);
      assert.deepEqual(JSON.parse(JSON.stringify(d)), { url: sim.url, account: sim.account, keyId: d.keyId, algorithm: "rsa-sha256" });
    });

    test("ECDSA as DER or as WebCrypto's r||s, keyId as SHA256 with publicKey", async () => {
      const der = dc({ fingerprint: p256ssh.md5, algorithm: "ecdsa-sha256", sign: (data) => crypto.sign("sha256", data, p256.privateKey) });
      assert.equal((await der.account()).login, sim.account);
      const p1363 = dc({
        keyId: p256ssh.sha256,
        publicKey: p256ssh.line,
        algorithm: "ecdsa-sha256",
        sign: async (data) => new Uint8Array(crypto.sign("sha256", data, { key: p256.privateKey, dsaEncoding: "ieee-p1363" })),
      });
      assert.equal(p1363.keyId, `/${sim.account}/keys/${p256ssh.md5}`);
      assert.equal((await p1363.account()).login, sim.account);
    });

    test("bad signer objects are refused with a clear error", () => {
      assert.throws(() => dc(rsaSigner({ algorithm: "ecdsa-sha384" })), cloud("UnsupportedKey", /sha384/));
      assert.throws(() => dc(rsaSigner({ algorithm: "rsa-sha384" })), cloud("UnsupportedKey", /sha384/));
      assert.throws(() => dc(rsaSigner({ algorithm: "dsa-sha1" })), cloud("InvalidArgument", /unknown signature algorithm/));
      assert.throws(() => dc({ keyId: "x", algorithm: "rsa-sha256" }), cloud("InvalidArgument", /sign\(data/));
      assert.throws(() => dc(rsaSigner({ keyId: "SHA256:abc" })), cloud("KeyNotFound", /MD5/));
      assert.throws(() => dc(rsaSigner(), { privateKey: KEYS.openssh.privateKey }), TypeError);
      assert.throws(() => dc(42), /signer must be one of/);
    });

    test("a signer that throws, or resolves with something else, rejects the call", async () => {
      await assert.rejects(dc(rsaSigner({ sign: async () => { throw new Error("HSM offline"); } })).account(), cloud("SignerError", /HSM offline/));
      await assert.rejects(dc(rsaSigner({ sign: async () => "sig" })).account(), cloud("SignerError", /Uint8Array/));
      const own = Object.assign(new Error("token expired"), { name: "CloudApiError", code: "AgentError" });
      await assert.rejects(dc(rsaSigner({ sign: async () => { throw own; } })).account(), cloud("AgentError", /token expired/));
    });

    test("rotate(): after a 401 the next key is tried, and false gives up", async () => {
      const strangerKey = crypto.createPrivateKey(STRANGER.privateKey);
      const keys = [
        { md5: STRANGER.md5, alg: "ecdsa-sha256", sign: (d) => crypto.sign("sha256", d, strangerKey) },
        { md5: KEYS.pkcs8.md5, alg: "rsa-sha256", sign: (d) => crypto.sign("sha256", d, rsaKey) },
      ];
      let i = 0;
      let rotations = 0;
      const signer = {
        get keyId() { return keys[i].md5; },
        get algorithm() { return keys[i].alg; },
        sign: async (d) => keys[i].sign(d),
        rotate: async () => (rotations++, i + 1 < keys.length ? (i++, true) : false),
      };
      const d = dc(signer);
      assert.equal(d.algorithm, "ecdsa-sha256");
      assert.equal((await d.account()).login, sim.account);
      assert.equal(rotations, 1);
      assert.equal(d.algorithm, "rsa-sha256");
      assert.equal(d.keyId, `/${sim.account}/keys/${KEYS.pkcs8.md5}`);

      let tries = 0;
      const never = dc({ keyId: STRANGER.md5, algorithm: "ecdsa-sha256", sign: async (x) => crypto.sign("sha256", x, strangerKey), rotate: async () => (tries++, false) });
      await assert.rejects(never.account(), (e) => e.name === "CloudApiError" && e.statusCode === 401);
      assert.equal(tries, 1);
    });
  });
}
