// Sub-user SSH keys (cloudapi lib/keys.js, 7.2+, cloudapi.md §4.2):
// /:account/users/:user/keys[/:name]. Same rules as account keys: `key` required (409
// MissingParameter), fewer than two space-separated parts → 409 "key is invalid",
// duplicates/unparseable → 409 "key already exists or is invalid"; 201 + Location.
import { TYPED_CONTENT } from "../lib/context.mjs";
import { ensureResourceModel, roleTagHeader, tagCreated } from "../lib/res-common.mjs";

const V72 = ["7.2.0", "7.3.0", "8.0.0", "9.0.0"];

export function register(ctx) {
  const { store, errors } = ctx;
  ensureResourceModel(store);

  const userOf = (req) => {
    const u = store.userOf(req.account, String(req.params.user));
    if (!u) throw errors.notFound(`${req.params.user} does not exist`);
    return u;
  };

  const findKey = (req) => {
    const u = userOf(req);
    const k = store.findKey(u, String(req.params.name));
    if (!k) throw errors.notFound(`${req.params.name} does not exist`);
    return { u, k };
  };

  ctx.route(
    "POST",
    "/:account/users/:user/keys",
    "CreateUserKey",
    (req, res) => {
      const p = req.params;
      if (!p.key) throw errors.missingParameter("key is a required argument");
      if (typeof p.key !== "string") throw errors.invalidArgument("key must be a String");
      if (p.key.split(" ").length < 2) throw errors.invalidArgument("key is invalid");
      if (p.attestation !== undefined && (!Array.isArray(p.attestation) || p.attestation.some((a) => typeof a !== "string"))) {
        throw errors.invalidArgument("attestation must be an Array of Strings");
      }
      const u = userOf(req);
      let k;
      try {
        k = store.addKey(u, { key: p.key, name: p.name || undefined, attestation: p.attestation });
      } catch {
        throw errors.invalidArgument("key already exists or is invalid");
      }
      tagCreated(store, req, `/${req.account.login}/users/${req.params.user}/keys/${k.fingerprint}`);
      res.header("Location", `/${req.account.login}/users/${req.params.user}/keys/${encodeURIComponent(k.fingerprint)}`);
      res.send(201, store.keyJson(k));
    },
    { contentType: TYPED_CONTENT, group: "keys" },
  );

  ctx.route("GET", "/:account/users/:user/keys", "ListUserKeys", (req, res) => {
    const u = userOf(req);
    roleTagHeader(store, req, res);
    return u.keys.map((k) => store.keyJson(k));
  }, { version: V72, group: "keys" });

  ctx.route("GET", "/:account/users/:user/keys/:name", "GetUserKey", (req, res) => {
    const { k } = findKey(req);
    roleTagHeader(store, req, res);
    return store.keyJson(k);
  }, { version: V72, group: "keys" });

  ctx.route("DELETE", "/:account/users/:user/keys/:name", "DeleteUserKey", (req, res) => {
    const { u, k } = findKey(req);
    u.keys = u.keys.filter((x) => x !== k);
    res.send(204);
  }, { version: V72, group: "keys" });
}
