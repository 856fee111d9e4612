// Access keys (cloudapi lib/endpoints/accesskeys.js, CloudAPI 9.11+, cloudapi.md §4.3), for
// the account and its sub-users. Objects as the 2025-03 server sends them: the raw UFDS
// entry (dn, controls, objectclass, accesskeyid = 32 hex, accesskeysecret = 64 hex) with
// `created` as ISO and `status: "Active"` added by CloudAPI.
import { TYPED_CONTENT } from "../lib/context.mjs";
import { ensureResourceModel, roleTagHeader, tagCreated } from "../lib/res-common.mjs";

export function register(ctx) {
  const { store, errors } = ctx;
  ensureResourceModel(store);

  /** The owner: the account itself, or its sub-user named in the path (404 if unknown). */
  const ownerOf = (req) => {
    if (req.params.user === undefined) return { account: req.account, user: null };
    const user = store.userOf(req.account, req.params.user);
    if (!user) throw errors.notFound(`${req.params.user} does not exist`);
    return { account: req.account, user };
  };

  const keysOf = ({ account, user }) =>
    [...store.accessKeys.values()].filter((k) => k.owner === account.id && (k.user || null) === (user ? user.id : null));

  const json = (k) => ({
    dn: k.dn,
    controls: [],
    objectclass: "accesskey",
    accesskeyid: k.accesskeyid,
    accesskeysecret: k.accesskeysecret,
    created: k.created,
    status: "Active",
  });

  const find = (req) => {
    const owner = ownerOf(req);
    const id = String(req.params.accesskeyid);
    const k = keysOf(owner).find((x) => x.accesskeyid === id);
    if (!k) throw errors.notFound(`${id} does not exist`);
    return k;
  };

  const create = (req, res) => {
    const owner = ownerOf(req);
    const id = store.hex(16);
    const userDn = owner.user ? `uuid=${owner.user.id}, uuid=${owner.account.id}, ou=users, o=smartdc` : `uuid=${owner.account.id}, ou=users, o=smartdc`;
    const k = {
      accesskeyid: id,
      accesskeysecret: store.hex(32),
      owner: owner.account.id,
      user: owner.user ? owner.user.id : undefined,
      created: store.isoNow(),
      status: "Active",
      dn: `accesskeyid=${id}, ${userDn}`,
    };
    store.accessKeys.set(id, k);
    const base = owner.user ? `/${req.account.login}/users/${req.params.user}/accesskeys` : `/${req.account.login}/accesskeys`;
    tagCreated(store, req, `${base}/${id}`);
    res.header("Location", `${base}/${encodeURIComponent(id)}`);
    res.send(201, json(k));
  };

  const list = (req, res) => {
    const owner = ownerOf(req);
    roleTagHeader(store, req, res);
    return keysOf(owner).map(json);
  };

  const get = (req, res) => {
    roleTagHeader(store, req, res);
    return json(find(req));
  };

  const del = (req, res) => {
    store.accessKeys.delete(find(req).accesskeyid);
    res.send(204);
  };

  for (const [prefix, kind] of [
    ["/:account/accesskeys", ""],
    ["/:account/users/:user/accesskeys", "User"],
  ]) {
    ctx.route("POST", prefix, `Create${kind}AccessKey`, create, { contentType: TYPED_CONTENT, group: "accesskeys" });
    ctx.route("GET", prefix, `List${kind}AccessKeys`, list, { group: "accesskeys" });
    ctx.route("GET", `${prefix}/:accesskeyid`, `Get${kind}AccessKey`, get, { group: "accesskeys" });
    ctx.route("DELETE", `${prefix}/:accesskeyid`, `Delete${kind}AccessKey`, del, { group: "accesskeys" });
  }
}
