// KeyStore: SSH private keys kept in the browser as non-extractable WebCrypto keys in IndexedDB,
// so a page imports a key file once and signs later without the key text.
//   const store = await KeyStore.open();
//   await store.import("work", keyFileText, { passphrase });
//   const dc = new DataCenter({ url, account, signer: await store.signer("work") });
// The key text is parsed in wasm (every format the package reads), handed to
// crypto.subtle.importKey as PKCS#8 and wiped; IndexedDB keeps the CryptoKey (structured clone),
// which script cannot export again. The key text itself stays with the caller: a page that
// read the file into a Uint8Array can wipe it with fill(0) after import().

const DB_VERSION = 1;
const STORE = "keys";

/** A rejection like the rest of the package: an Error named CloudApiError with a code. */
function failure(code, message, cause) {
  const e = new Error(message, cause === undefined ? undefined : { cause });
  e.name = "CloudApiError";
  e.code = code;
  return e;
}

/** A promise for an IDBRequest's result. */
function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(failure("KeyStoreError", `IndexedDB: ${request.error?.message ?? "request failed"}`, request.error));
  });
}

/** A promise that settles when a transaction commits. */
function committed(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    const fail = (error) => reject(failure("KeyStoreError", `IndexedDB: ${error?.message ?? "transaction failed"}`, error));
    // A failed request reaches the transaction's onerror first (event.target is the request;
    // tx.error is set only later, on abort).
    tx.onerror = (event) => fail(event.target?.error ?? tx.error);
    tx.onabort = () => fail(tx.error);
  });
}

function taken(name) {
  return failure("InvalidArgument", `KeyStore: a key named ${JSON.stringify(name)} already exists; delete it or pass { replace: true }`);
}

function checkName(name) {
  if (typeof name !== "string" || name.trim() === "") throw new TypeError("KeyStore: a key name must be a non-empty string");
}

/** What list() shows of a stored entry: everything but the CryptoKey. */
function summary(entry) {
  const { name, algorithm, publicKey, md5, sha256, created } = entry;
  return { name, algorithm, publicKey, md5, sha256, created };
}

/**
 * The KeyStore class over the package's wasm exports (`keyMaterial`, `ecdsaP1363ToDer`).
 * Each entry point (web, Node) passes its own instantiated glue.
 */
export function createKeyStore(wasm) {
  class KeyStore {
    #db;
    #subtle;

    constructor(db, subtle) {
      this.#db = db;
      this.#subtle = subtle;
    }

    /**
     * Opens (creating if needed) the IndexedDB database `name` (default "smartdc-wasm") with
     * its object store "keys". Rejects with code NotSupported without IndexedDB or WebCrypto.
     */
    static async open({ name = "smartdc-wasm", indexedDB = globalThis.indexedDB } = {}) {
      if (!indexedDB || typeof indexedDB.open !== "function") {
        throw failure("NotSupported", "KeyStore needs IndexedDB, which browsers have and Node does not; in Node pass `privateKey` (or a signer object) to new DataCenter() instead");
      }
      const subtle = globalThis.crypto?.subtle;
      if (!subtle) {
        throw failure("NotSupported", "KeyStore needs crypto.subtle, which browsers offer only in secure contexts (https, localhost or 127.0.0.1)");
      }
      const request = indexedDB.open(name, DB_VERSION);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: "name" });
      };
      return new KeyStore(await done(request), subtle);
    }

    /**
     * Parses `keyText` (OpenSSH, PKCS#1, PKCS#8 or SEC1 PEM, encrypted or not), imports it as a
     * non-extractable CryptoKey and stores it under `name`. Rejects if the name is taken unless
     * `replace` is true. Resolves to the stored entry without its CryptoKey.
     */
    async import(name, keyText, { passphrase, replace = false } = {}) {
      checkName(name);
      if (!replace && (await this.get(name))) {
        throw taken(name);
      }
      const m = wasm.keyMaterial(keyText, passphrase);
      const { name: alg, hash, namedCurve } = m.webcrypto;
      let cryptoKey;
      try {
        const params = alg === "ECDSA" ? { name: alg, namedCurve } : alg === "RSASSA-PKCS1-v1_5" ? { name: alg, hash } : { name: alg };
        cryptoKey = await this.#subtle.importKey("pkcs8", m.pkcs8, params, false, ["sign"]);
      } catch (e) {
        throw failure("UnsupportedKey", `this browser's WebCrypto cannot import the ${alg} key (${e?.name ?? "Error"}: ${e?.message ?? e})`, e);
      } finally {
        // importKey has copied the bytes; wipe the only other copy of the private key.
        m.pkcs8.fill(0);
      }
      const entry = {
        name,
        cryptoKey,
        algorithm: m.algorithm,
        publicKey: m.publicKey,
        md5: m.md5,
        sha256: m.sha256,
        created: new Date().toISOString(),
        // How to call crypto.subtle.sign, and whether its output needs re-encoding.
        signParams: alg === "ECDSA" ? { name: alg, hash } : { name: alg },
        p1363: m.p1363,
      };
      const tx = this.#db.transaction(STORE, "readwrite");
      // add() fails if a concurrent import took the name since the check above.
      const os = tx.objectStore(STORE);
      if (replace) os.put(entry);
      else os.add(entry);
      try {
        await committed(tx);
      } catch (e) {
        if (e.cause?.name === "ConstraintError") throw taken(name);
        throw e;
      }
      return summary(entry);
    }

    /** Every stored key, without CryptoKeys, sorted by name. */
    async list() {
      const all = await done(this.#db.transaction(STORE).objectStore(STORE).getAll());
      return all.map(summary).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }

    /** The stored entry `name` (with its non-extractable `cryptoKey`), or undefined. */
    async get(name) {
      checkName(name);
      return done(this.#db.transaction(STORE).objectStore(STORE).get(name));
    }

    /** Removes key `name`; resolves to true if it existed. */
    async delete(name) {
      const found = (await this.get(name)) !== undefined;
      if (found) {
        const tx = this.#db.transaction(STORE, "readwrite");
        tx.objectStore(STORE).delete(name);
        await committed(tx);
      }
      return found;
    }

    /**
     * A signer for the DataCenter `signer` option: `{ fingerprint, algorithm, sign(data) }`,
     * signing with the stored CryptoKey. Rejects with code KeyNotFound for an unknown name.
     */
    async signer(name) {
      const entry = await this.get(name);
      if (!entry) throw failure("KeyNotFound", `KeyStore: no key named ${JSON.stringify(name)}; import it first (stored: ${(await this.list()).map((k) => k.name).join(", ") || "none"})`);
      const subtle = this.#subtle;
      const { cryptoKey, signParams, p1363 } = entry;
      return {
        fingerprint: entry.md5,
        algorithm: entry.algorithm,
        async sign(data) {
          const sig = new Uint8Array(await subtle.sign(signParams, cryptoKey, data));
          // WebCrypto gives ECDSA as r||s; http-signature verifies DER.
          return p1363 ? wasm.ecdsaP1363ToDer(sig) : sig;
        },
      };
    }

    /** Closes the database connection. */
    close() {
      this.#db.close();
    }
  }
  return KeyStore;
}
