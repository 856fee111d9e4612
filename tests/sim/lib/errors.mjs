// CloudAPI error bodies (cloudapi.md §3): every error is `{code, message}` with a fixed
// HTTP status. The classes come from restify 4.3.3 itself so that responses are formatted
// exactly as the real server formats them (restify's JSON formatter sends `err.body`).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const restify = require("restify");

const { RestError, HttpError } = restify.errors;

/**
 * A CloudAPI "REST" error: bare code (ResourceNotFound, InvalidArgument, KeyRequired…).
 * The message is used verbatim (restify's own constructors run it through printf, which
 * would mangle a user-supplied "%s").
 */
export function restError(status, code, message, extra) {
  const err = new RestError({ restCode: code, statusCode: status, message });
  err.body = { code, message, ...(extra || {}) };
  return err;
}

/** An error named after its HTTP status (`MethodNotAllowedError`, `ServiceUnavailableError`…). */
export function httpError(status, message) {
  const name = statusErrorName(status);
  const err = new HttpError({ statusCode: status, message });
  err.body = { code: name, message };
  return err;
}

/** A plain `Error` as CloudAPI raises it in a few places: 500 with body `{"message": …}`. */
export function plainError(message, status = 500) {
  const err = new Error(message);
  err.statusCode = status;
  err.body = { message };
  return err;
}

/** restify's rule: "Payload Too Large" → "PayloadTooLargeError". */
export function statusErrorName(status) {
  const text = (restify.errors.codeToHttpError(status, "x").name || "").replace(/^Http\d+Error$/, "");
  return text || `Http${status}Error`;
}

// The codes used by the simulator, one helper each, so route files read like CloudAPI's.
export const badRequest = (m) => httpError(400, m);
export const invalidArgument = (m) => restError(409, "InvalidArgument", m);
export const missingParameter = (m) => restError(409, "MissingParameter", m);
export const notFound = (m) => restError(404, "ResourceNotFound", m);
export const invalidCredentials = (m) => restError(401, "InvalidCredentials", m);
export const notAuthorized = (m) => restError(403, "NotAuthorized", m);
export const invalidHeader = (m) => restError(400, "InvalidHeader", m);
export const requestExpired = (m) => restError(400, "RequestExpired", m);
export const internalError = (m) => restError(500, "InternalError", m);
export const conflict = (code, m, extra) => restError(409, code, m, extra);
export const tooManyRequests = (m) => httpError(429, m);
export const serviceUnavailable = (m) => httpError(503, m);
export const notImplemented = (m) => httpError(501, m);
export const unsupportedMediaType = (m) => httpError(415, m);

/** VMAPI-style ValidationFailed (409) with an `errors` array. */
export function validationFailed(message, errors) {
  return restError(409, "ValidationFailed", message, { errors });
}

/** 410 Gone with an arbitrary body (a deleted machine object, or its bare id). */
export function gone(body) {
  const err = new HttpError({ statusCode: 410, message: "gone" });
  err.body = body;
  return err;
}
