// Parameter helpers shared by route files. CloudAPI merges path, query and body params
// into `req.params` (body wins, cloudapi.md §2.2); these helpers read that bag the way
// CloudAPI's handlers do and throw its exact errors.
import { invalidArgument, missingParameter, notFound } from "./errors.mjs";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical 8-4-4-4-12 hex UUID. */
export function isUuid(s) {
  return typeof s === "string" && UUID_RE.test(s);
}

/**
 * Require `params[name]` to be a UUID. Missing → 409 MissingParameter "<name> is required";
 * malformed → `onBad()` (default 409 InvalidArgument "<name> is not a valid UUID").
 */
export function requireUuid(params, name, onBad) {
  const v = params[name];
  if (v === undefined || v === null || v === "") throw missingParameter(`${name} is required`);
  if (!isUuid(v)) throw onBad ? onBad(v) : invalidArgument(`${name} is not a valid UUID`);
  return String(v).toLowerCase();
}

/** A string param that must be present. */
export function requireString(params, name) {
  const v = params[name];
  if (v === undefined || v === null || v === "") throw missingParameter(`${name} is required`);
  if (typeof v !== "string") throw invalidArgument(`${name} must be a string`);
  return v;
}

/**
 * CloudAPI-style boolean: JSON true/false or the strings "true"/"false".
 * Returns `dflt` when absent; anything else → 409 InvalidArgument.
 */
export function boolParam(params, name, dflt) {
  const v = params[name];
  if (v === undefined || v === null || v === "") return dflt;
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  throw invalidArgument(`${name} must be a boolean`);
}

/** `=== true` flags (deletion_protection, allow_shared_images…): only a JSON true counts. */
export function strictTrue(params, name) {
  return params[name] === true;
}

/** Non-negative integer param with bounds; absent → dflt. */
export function intParam(params, name, dflt, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const v = params[name];
  if (v === undefined || v === null || v === "") return dflt;
  const n = typeof v === "number" ? v : /^-?\d+$/.test(String(v)) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw invalidArgument(`${name} is invalid`);
  return n;
}

/** A list param: JSON array, `a[]=x` array, or a comma-separated string. */
export function listParam(params, name) {
  const v = params[name];
  if (v === undefined || v === null || v === "") return undefined;
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return v.split(",").map((s) => s.trim()).filter(Boolean);
  return [v];
}

/**
 * Params whose keys start with `prefix` (e.g. "metadata." / "tag."), flattened the way
 * CreateMachine reads them: nested objects are ignored, only flat keys count.
 */
export function prefixed(params, prefix) {
  const out = {};
  for (const [k, v] of Object.entries(params)) {
    if (k.startsWith(prefix) && k.length > prefix.length) out[k.slice(prefix.length)] = v;
  }
  return out;
}

/**
 * The account a request acts on. Route handlers can rely on the auth stage having
 * resolved `:account` (incl. `my`) to the caller's account already; this returns it or
 * throws 404 if something went wrong.
 */
export function accountOf(req) {
  if (!req.account) throw notFound(`${req.params.account} does not exist`);
  return req.account;
}

/** `*` wildcard match as CloudAPI's list filters use it (packages, volumes by name). */
export function globMatch(pattern, value) {
  if (typeof pattern !== "string") return pattern === value;
  if (!pattern.includes("*")) return String(value) === pattern;
  const re = new RegExp("^" + pattern.split("*").map(escapeRe).join(".*") + "$");
  return re.test(String(value));
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** ISO timestamp for "now" as the store records it. */
export function isoNow(clock) {
  return new Date(clock ? clock.now() : Date.now()).toISOString();
}
