// Account SSH keys (cloudapi lib/keys.js, cloudapi.md §4.2). Sub-user keys
// (/:account/users/:user/keys…) are registered by the RBAC route files.
import { TYPED_CONTENT } from "../lib/context.mjs";

export function register(ctx) {
  const { store, errors } = ctx;

  const list = (req) => req.account.keys.map((k) => store.keyJson(k));
  ctx.route("GET", "/:account/keys", "ListKeys", list);

  ctx.route("GET", "/:account/keys/:name", "GetKey", (req) => {
    const k = store.findKey(req.account, req.params.name);
    if (!k) throw errors.notFound(`${req.params.name} does not exist`);
    return store.keyJson(k);
  });

  ctx.route(
    "POST",
    "/:account/keys",
    "CreateKey",
    (req, res) => {
      const p = req.params;
      if (!p.key) throw errors.missingParameter("key is a required argument");
      if (typeof p.key !== "string") throw errors.invalidArgument("key must be a String");
      if (p.key.split(" ").length < 2) throw errors.invalidArgument("key is invalid");
      if (p.attestation !== undefined && (!Array.isArray(p.attestation) || p.attestation.some((x) => typeof x !== "string"))) {
        throw errors.invalidArgument("attestation must be an Array of Strings");
      }
      if (p.name !== undefined && p.name !== null && typeof p.name !== "string") throw errors.invalidArgument("key already exists or is invalid");
      let key;
      try {
        key = store.addKey(req.account, { key: p.key, name: p.name || undefined, attestation: p.attestation });
      } catch {
        throw errors.invalidArgument("key already exists or is invalid");
      }
      const path = `/${req.account.login}/keys/${encodeURIComponent(key.fingerprint)}`;
      ctx.tagNew(req, `/${req.account.login}/keys/${key.fingerprint}`);
      res.header("Location", path);
      res.send(201, store.keyJson(key));
    },
    { contentType: TYPED_CONTENT },
  );

  ctx.route("DELETE", "/:account/keys/:name", "DeleteKey", (req, res) => {
    const k = store.findKey(req.account, req.params.name);
    if (!k) throw errors.notFound(`${req.params.name} does not exist`);
    req.account.keys = req.account.keys.filter((x) => x !== k);
    store.roleTags.delete(`/${req.account.login}/keys/${k.fingerprint}`);
    res.send(204);
  });
}
