// Role tags (cloudapi lib/resources.js, cloudapi.md §1.8/§2.7/§4.4): PUT on a resource path
// with {"role-tag": [role names]} replaces its tags and answers {name, "role-tag"}.
// The core registers the catch-alls PUT /:account[/:resource_name[/:resource_id]] after
// every module (they make unknown 2/3-segment GETs answer 405 Allow: PUT); this module
// supplies their handler and the more specific routes CloudAPI also mounts.
import { ROLE_TAG_RESOURCES, ensureResourceModel, resourceName, roleByRef } from "../lib/res-common.mjs";

export function register(ctx) {
  const { store, errors } = ctx;
  ensureResourceModel(store);

  /** putResource: validate the resource, resolve role names, store, answer. */
  const putRoleTags = (req) => {
    const rn = req.params.resource_name;
    if (rn !== undefined && !ROLE_TAG_RESOURCES.includes(rn)) {
      throw errors.notFound(`${rn} is not a valid resource`);
    }
    if (rn === "users" && req.params.resource_id !== undefined) {
      // checkUserExists: no tagging of users that do not exist.
      if (!store.userOf(req.account, req.params.resource_id)) throw errors.notFound(`${req.params.resource_id} does not exist`);
    }
    const name = resourceName(req);
    let tags = req.params["role-tag"];
    if (tags === undefined && typeof req.headers["role-tag"] === "string") tags = req.headers["role-tag"].split(",");
    if (tags === undefined || tags === null || tags === "") {
      // saveResource without role tags from an account owner: nothing is saved.
      return { name, "role-tag": [] };
    }
    if (!Array.isArray(tags)) tags = [tags];
    const missing = tags.filter((t) => typeof t !== "string" || !roleByRef(store, req.account, t) || roleByRef(store, req.account, t).name !== t);
    if (missing.length) throw errors.invalidArgument(`Role(s) ${missing.map(String).join(", ")} not found`);
    const names = [...new Set(tags)];
    if (names.length) store.roleTags.set(name, names);
    else store.roleTags.delete(name);
    return { name, "role-tag": names };
  };

  ctx.setRoleTagHandler(putRoleTags);

  ctx.route("PUT", "/:account/users/:user/:resource_name", "ReplaceUserKeysResourcesRoleTags", (req) => {
    if (!store.userOf(req.account, req.params.user)) throw errors.notFound(`${req.params.user} does not exist`);
    return putRoleTags(req);
  }, { group: "resources" });

  // Machines need the machine to exist (loadMachine).
  ctx.route("PUT", "/:account/machines/:machine", "ReplaceMachineRoleTags", (req) => {
    ctx.getMachine(req);
    return putRoleTags(req);
  }, { group: "resources" });

  ctx.route("PUT", "/:account/users/:user/keys/:resource_id", "ReplaceUserKeysResourceRoleTags", (req) => {
    const u = store.userOf(req.account, req.params.user);
    if (!u) throw errors.notFound(`${req.params.user} does not exist`);
    if (!store.findKey(u, req.params.resource_id)) throw errors.notFound(`${req.params.resource_id} does not exist`);
    return putRoleTags(req);
  }, { group: "resources" });
}
