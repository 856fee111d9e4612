// Authentication exactly as CloudAPI does it (cloudapi.md §1): its authorization parser
// (http-signature 1.4.0 first, then the legacy 0.9 header form), pre-signed URLs,
// signatureAuth (keyId shapes, key lookup by name or MD5 fingerprint, verification against
// the stored PEM), assertAuthenticated, loadAccount (`my`) and authorize.
import { createRequire } from "node:module";
import { badRequest, invalidCredentials, invalidHeader, notAuthorized, notFound, plainError, requestExpired } from "./errors.mjs";

const require = createRequire(import.meta.url);
const httpSig = require("http-signature");
const semver = createRequire(require.resolve("restify"))("semver");

/** CloudAPI lib/authorization.js OPTIONS.algorithms (what the parsers are told to allow). */
export const PARSER_ALGORITHMS = [
  "rsa-sha1",
  "rsa-sha256",
  "rsa-sha384",
  "rsa-sha512",
  "dsa-sha1",
  "dsa-sha256",
  "ecdsa-sha256",
  "ecdsa-sha384",
  "ecdsa-sha512",
  "ed25519-sha512",
];

/** CloudAPI lib/auth.js SIGN_ALGOS (upper-case, checked after parsing). */
const SIGN_ALGOS = new Set(PARSER_ALGORITHMS.map((a) => a.toUpperCase()));

const DEF_401 = "You must make authenticated requests to use CloudAPI";
const INVALID_CREDS = "Invalid authorization credentials supplied";
const SKEW = 300;

// ---------------------------------------------------------------------------------------
// Legacy http-signature 0.9 header parser (CloudAPI vendors it as lib/node-http-signature):
//   Signature keyId="…",algorithm="…"[,headers="…"] <base64 signature>
// Its signing string is the raw header values joined by "\n" (no "name: " prefix).

const LEGACY_ALGORITHMS = new Set(["rsa-sha1", "rsa-sha256", "rsa-sha512", "dsa-sha1", "hmac-sha1", "hmac-sha256", "hmac-sha512"]);

/**
 * Parse the legacy form. Throws an Error with the 0.9 parser's message on failure.
 * `clockSkewSec` null means "skip the skew check" (the caller does it with the sim clock).
 */
export function parseLegacy(req, { algorithms = PARSER_ALGORITHMS, clockSkewSec = SKEW, now = Date.now() } = {}) {
  const headers = req.headers;
  const required = [headers["x-date"] ? "x-date" : "date"];
  const authz = headers.authorization;
  if (!authz) throw new Error("no authorization header present in the request");

  // A three-state scan: scheme word, then quoted params up to the first space outside
  // quotes, then the signature (the rest of the header).
  let scheme = "";
  let i = 0;
  while (i < authz.length && authz[i] !== " ") scheme += authz[i++];
  i++;
  const params = {};
  let name = "";
  let signature = "";
  let inValue = false;
  let value = "";
  for (; i < authz.length; i++) {
    const c = authz[i];
    if (inValue) {
      if (c === '"') {
        params[name] = value;
        name = "";
        inValue = false;
      } else {
        value += c;
      }
    } else if (c === '"') {
      params[name] = "";
      value = "";
      inValue = true;
    } else if (c === " ") {
      signature = authz.slice(i + 1);
      break;
    } else if (c !== "=" && c !== ",") {
      name += c;
    }
  }
  const signed = params.headers ? params.headers.split(" ") : [headers["x-date"] ? "x-date" : "date"];
  if (scheme !== "Signature") throw new Error('scheme was not "Signature"');
  if (!params.keyId) throw new Error("keyId was not specified");
  if (!params.algorithm) throw new Error("algorithm was not specified");
  if (!signature) throw new Error("signature was empty");
  const algorithm = params.algorithm.toLowerCase();
  if (!LEGACY_ALGORITHMS.has(algorithm)) throw new Error(`${algorithm} is not supported`);

  const values = signed.map((h0) => {
    const h = h0.toLowerCase();
    if (h === "request-line") return `${req.method} ${req.url} HTTP/${req.httpVersion}`;
    const v = headers[h];
    if (!v) throw new Error(`${h} was not in the request`);
    return v;
  });
  const lower = signed.map((h) => h.toLowerCase());

  if (clockSkewSec !== null && (headers.date || headers["x-date"])) {
    const date = new Date(headers["x-date"] || headers.date);
    const skew = Math.abs(now - date.getTime());
    if (skew > clockSkewSec * 1000) throw new Error(`clock skew of ${skew / 1000}s was greater than ${clockSkewSec}s`);
  }
  for (const h of required) if (!lower.includes(h)) throw new Error(`${h} was not a signed header`);
  if (!algorithms.includes(algorithm)) throw new Error(`${algorithm} is not a supported algorithm`);

  return {
    scheme,
    params: { ...params, algorithm, headers: lower, signature },
    signature,
    signingString: values.join("\n"),
    algorithm: algorithm.toUpperCase(),
    keyId: params.keyId,
    is09: true,
  };
}

/**
 * The modern parser (http-signature 1.4.0) with CloudAPI's options. When the simulator's
 * clock is skewed (admin POST /__sim/clock) the library's own skew check (which reads the
 * real clock) is disabled and the same check is made against the simulated clock.
 */
function parseModern(req, store) {
  const skewed = store.clockSkewMs !== 0;
  const parsed = httpSig.parseRequest(req, {
    algorithms: PARSER_ALGORITHMS,
    ...(skewed ? { clockSkew: Number.MAX_SAFE_INTEGER } : {}),
  });
  if (skewed) checkSkew(req, store.now());
  return parsed;
}

function checkSkew(req, now) {
  const v = req.headers["x-date"] || req.headers.date;
  if (!v) return;
  const skew = Math.abs(now - new Date(v).getTime());
  if (skew > SKEW * 1000) throw new Error(`clock skew of ${skew / 1000}s was greater than ${SKEW}s`);
}

/**
 * restify middleware: CloudAPI's authorizationParser. Sets req.authorization =
 * {scheme, credentials, signature?, basic?}. Runs before fullResponse, so its errors go
 * out without the standard headers (cloudapi.md §2.4).
 */
export function authorizationParser(store) {
  return function parseAuthorization(req, res, next) {
    req.authorization = {};
    req.username = "anonymous";
    const header = req.headers.authorization;
    if (!header) return next();
    const pieces = header.split(" ", 2);
    if (pieces.length !== 2) return next(invalidHeader("BasicAuth content is invalid."));
    req.authorization.scheme = pieces[0];
    req.authorization.credentials = pieces[1];
    try {
      switch (pieces[0].toLowerCase()) {
        case "basic":
          req.authorization.basic = parseBasic(pieces[1]);
          req.username = req.authorization.basic.username;
          break;
        case "signature":
          req.authorization.signature = parseSignature(req, store);
          req.username = req.authorization.signature.keyId;
          break;
        default:
          break;
      }
    } catch (e) {
      return next(e);
    }
    return next();
  };
}

function parseSignature(req, store) {
  try {
    return parseModern(req, store);
  } catch (e) {
    try {
      const skewed = store.clockSkewMs !== 0;
      return parseLegacy(req, { clockSkewSec: SKEW, now: skewed ? store.now() : Date.now() });
    } catch {
      throw invalidHeader(`Authorization header invalid: ${e.message}`);
    }
  }
}

function parseBasic(string) {
  const decoded = Buffer.from(string, "base64").toString("utf8");
  if (!decoded) throw invalidHeader("Authorization header invalid");
  const idx = decoded.indexOf(":");
  const pieces = idx === -1 ? [decoded] : [decoded.slice(0, idx), decoded.slice(idx + 1)];
  return { username: pieces[0] || null, password: pieces[1] || null };
}

/**
 * restify's dateParser(300) with the simulator clock: an (unsigned or signed) request whose
 * Date is more than 300 s in the past → 400 RequestExpired.
 */
export function dateParser(store) {
  return function parseDate(req, res, next) {
    const date = req.headers.date;
    if (!date) return next();
    const sent = new Date(date).getTime();
    if (store.now() - sent > SKEW * 1000) {
      return next(requestExpired(`Date header ${date} is too old`));
    }
    return next();
  };
}

// ---------------------------------------------------------------------------------------
// Post-fullResponse stages (their errors carry the full header set).

function rfc3986(s) {
  return encodeURIComponent(s)
    .replace(/[!'()]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/\*/g, "%2A");
}

/** cloudapi lib/auth.js preSignedUrl (§1.6): failures are plain Errors → 500 {message}. */
export function preSignedUrl(store) {
  return function presigned(req, res, next) {
    const q = req.query && typeof req.query === "object" ? req.query : {};
    const methodParam = typeof q.method === "string" ? q.method : req.method;
    const methods = methodParam.split(/\s*,\s*/).sort();
    if (!methods.includes(req.method)) return next(plainError(`${req.method} was not a signed method`));
    const required = ["algorithm", "expires", "keyId", "signature"];
    const missing = required.filter((k) => !q[k]);
    if (missing.length === required.length) return next();
    if (missing.length > 0) return next(plainError(`parameters "${missing.join(", ")}" are required`));
    if (typeof q.expires !== "string" || !/^\d+$/.test(q.expires)) return next(plainError("expires is invalid"));
    const expires = Number(q.expires);
    if (Math.floor(store.now() / 1000) > expires) return next(plainError("request expired"));
    if (typeof q.algorithm !== "string" || typeof q.keyId !== "string" || typeof q.signature !== "string") {
      return next(plainError("expires is invalid"));
    }
    const parsed = {
      scheme: "Signature",
      algorithm: q.algorithm.toUpperCase(),
      keyId: q.keyId,
      params: { keyId: q.keyId, signature: q.signature, role: q.role, "role-tag": q["role-tag"] },
      signature: q.signature,
      signingString:
        methods.join(",") +
        "\n" +
        req.headers.host +
        "\n" +
        req.path() +
        "\n" +
        Object.keys(q)
          .sort((a, b) => a.localeCompare(b))
          .filter((k) => k.toLowerCase() !== "signature")
          .map((k) => `${rfc3986(k)}=${rfc3986(q[k])}`)
          .join("&"),
    };
    if (!SIGN_ALGOS.has(parsed.algorithm)) return next(plainError(`${parsed.algorithm} is not a supported signing algorithm`));
    req.authorization = { role: q.role || "", "role-tag": q["role-tag"] || "", callerKey: q.keyId, scheme: "Signature", signature: parsed };
    req.presigned = true;
    return next();
  };
}

/** cloudapi lib/auth.js signatureAuth: keyId shape, account/sub-user/key lookup, verify. */
export function signatureAuth(store) {
  return function sigAuth(req, res, next) {
    const scheme = req.authorization.scheme || "";
    if (scheme.toLowerCase() !== "signature") return next();
    const sig = req.authorization.signature;
    if (!SIGN_ALGOS.has(sig.algorithm)) return next(invalidCredentials(`${sig.algorithm} is not a supported signing algorithm`));
    if (typeof sig.keyId !== "string") return next(badRequest("Invalid authorization header"));
    const parts = sig.keyId.split("/");
    let keyRef;
    let sublogin;
    if (parts.length !== 4 || parts[2] !== "keys") {
      if (!allowsSubusers(req.getVersion())) return next(invalidCredentials(`Invalid KeyId ${sig.keyId} in authorization header`));
      if (parts.length !== 6 || parts[4] !== "keys") return next(invalidCredentials(`Invalid KeyId ${sig.keyId} in authorization header`));
      sublogin = parts[3];
      keyRef = parts[5];
    } else {
      keyRef = parts[3];
    }
    const account = store.accountByLogin(parts[1]);
    if (!account) return next(invalidCredentials(INVALID_CREDS));
    let subuser = null;
    if (sublogin !== undefined) {
      subuser = store.userOf(account, sublogin);
      if (!subuser) return next(invalidCredentials(INVALID_CREDS));
    }
    const key = store.findKey(subuser || account, keyRef);
    if (!key) return next(invalidCredentials(INVALID_CREDS));
    let ok = false;
    try {
      ok = httpSig.verifySignature(sig, key.pem);
    } catch {
      ok = false;
    }
    if (!ok) return next(invalidCredentials(INVALID_CREDS));
    req.caller = subuser || account;
    req.account = account;
    req.subuser = subuser ? subuser.id : undefined;
    req.username = account.login;
    req.callerKey = { keyId: sig.keyId, key };
    return next();
  };
}

/** Sub-user keyIds are accepted when the requested range allows ≥ 7.2.0. */
function allowsSubusers(v) {
  try {
    return v === "*" || semver.satisfies("7.2.0", v) || semver.ltr("7.2.0", v);
  } catch {
    return false;
  }
}

/** cloudapi assertAuthenticated: no caller → 401; disabled → 403. */
export function assertAuthenticated(req, res, next) {
  if (typeof req.caller !== "object" || !req.caller || typeof req.account !== "object" || !req.account) {
    return next(invalidCredentials(DEF_401));
  }
  if (req.caller.disabled === true || req.account.disabled === true) return next(notAuthorized("Account or user is disabled"));
  return next();
}

/**
 * cloudapi loadAccount + authorize: `my` → the caller's (or sub-user's owner's) login;
 * another existing account → 403; unknown → 404. Sub-users are checked against their
 * roles' policies through `rbac(req)` (returns true to allow).
 */
export function loadAccountAndAuthorize(store, rbac) {
  return function loadAccount(req, res, next) {
    if (req.params.account === "my") req.params.account = req.account.login;
    let wanted = req.params.account;
    try {
      wanted = decodeURIComponent(wanted);
    } catch {
      // A malformed %-escape is kept as sent: it then names no account.
    }
    req.params.account = wanted;
    if (wanted !== req.account.login && wanted !== req.account.id) {
      const other = store.accountByLogin(wanted);
      if (!other) return next(notFound(`${wanted} does not exist`));
      return next(notAuthorized(`You do not have permission to access ${req.path()} (${routeAction(req)})`));
    }
    if (req.subuser) {
      let allowed = false;
      try {
        allowed = rbac(req);
      } catch {
        allowed = false;
      }
      if (!allowed) return next(notAuthorized(`You do not have permission to access ${req.path()} (${routeAction(req)})`));
    }
    return next();
  };
}

/** The RBAC action name of a request: the lower-cased route name (plus machine action). */
export function routeAction(req) {
  const name = (req.route && req.route.name ? req.route.name : "").replace(/-[\d.\-]+$/, "").toLowerCase();
  if (name === "updatemachine" && req.params && typeof req.params.action === "string") {
    return `${req.params.action.toLowerCase()}machine`;
  }
  return name;
}
