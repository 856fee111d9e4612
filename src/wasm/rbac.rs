//! `DataCenter` RBAC calls (cloudapi.md §1.8, §4.2, §4.4): sub-users and their SSH keys,
//! roles, policies, role tags, and the `roles` option sent as `as-role`.

use super::datacenter::{DataCenter, ident_arg, key_arg, promise, rejected};
use super::js_error::{OrJs, type_error};
use super::options::{Options, from_js, kind, string_arg};
use super::transport::{Client, HasId, HasName};
use crate::api::{self, keys as key_api, policies, roles, users};
use crate::error::Error;
use crate::request::Request;
use crate::response;
use js_sys::{Array, Promise, Reflect};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

// Why here: the DataCenterOptions interface is declared in mod.rs; TypeScript merges this one in.
#[wasm_bindgen(typescript_custom_section)]
const TS_RBAC: &'static str = r#"
export interface DataCenterOptions {
  /** RBAC: act with these roles (sent as `as-role` on every request); default: the sub-user's default roles. */
  roles?: string[];
}
"#;

/// A role name as `as-role` and role tags carry it: not empty, no `,`, no control characters.
fn role_name(v: &JsValue, what: &str) -> Result<String, JsValue> {
    let s = v.as_string().ok_or_else(|| {
        type_error(format!(
            "{what} must contain role names (strings), got {}",
            kind(v)
        ))
    })?;
    if s.trim().is_empty() || s.contains(',') || s.chars().any(char::is_control) {
        return Err(type_error(format!(
            "{what}: {s:?} is not a role name (it must be non-empty, without ',' or control \
             characters)"
        )));
    }
    Ok(s)
}

/// An array of role names, duplicates dropped.
fn role_list(v: &JsValue, what: &str) -> Result<Vec<String>, JsValue> {
    let arr = v.dyn_ref::<Array>().ok_or_else(|| {
        type_error(format!(
            "{what} must be an array of role names, got {}",
            kind(v)
        ))
    })?;
    let mut out: Vec<String> = Vec::new();
    for item in arr.iter() {
        let name = role_name(&item, what)?;
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

/// The `roles` option of `new DataCenter()` (empty when absent).
pub(crate) fn roles_option(o: &Options) -> Result<Vec<String>, JsValue> {
    match o.get("roles")? {
        None => Ok(Vec::new()),
        Some(v) => role_list(&v, "new DataCenter(options): roles"),
    }
}

/// A role-tag resource: a path `/<account>[/<collection>[/<id>…]]` (plain text, not
/// URL-encoded; `my` stands for the account) or a `Machine`, as (account, segments).
fn resource_arg(c: &Client, v: &JsValue, what: &str) -> Result<(String, Vec<String>), JsValue> {
    if let Some(p) = v.as_string() {
        let trimmed = p.strip_suffix('/').unwrap_or(&p);
        let mut parts = trimmed.split('/');
        let leading = parts.next();
        let segs: Vec<String> = parts.map(str::to_string).collect();
        if leading != Some("") || segs.is_empty() || segs.iter().any(|s| s.is_empty()) {
            return Err(Error::invalid_argument(format!(
                "{what} must be a path like \"/{}/machines/<id>\" (or a Machine), got {}",
                c.account(),
                api::quoted(&p)
            )))
            .or_js();
        }
        let (account, rest) = segs.split_first().map_or_else(
            || (String::new(), Vec::new()),
            |(a, r)| (a.clone(), r.to_vec()),
        );
        return Ok((account, rest));
    }
    let ctor = Reflect::get(v, &JsValue::from_str("constructor"))
        .and_then(|c| Reflect::get(&c, &JsValue::from_str("name")))
        .ok()
        .and_then(|n| n.as_string());
    let id = Reflect::get(v, &JsValue::from_str("id"))
        .ok()
        .and_then(|i| i.as_string());
    match (ctor.as_deref(), id) {
        (Some("Machine"), Some(id)) if v.is_object() => {
            Ok((c.account().to_string(), vec!["machines".to_string(), id]))
        }
        _ => Err(type_error(format!(
            "{what} must be a resource path (\"/{}/machines/<id>\", …) or a Machine, got {}",
            c.account(),
            kind(v)
        ))),
    }
}

/// Role names from a `role-tag` header value (`a,b`).
fn split_tags(value: Option<&str>) -> Array {
    value
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(JsValue::from_str)
        .collect()
}

/// A sub-user argument: a login, a UUID or a user object.
fn user_arg(v: &JsValue, what: &str) -> Result<String, JsValue> {
    if let Some(login) = (!v.is_string() && v.is_object())
        .then(|| Reflect::get(v, &JsValue::from_str("login")).ok())
        .flatten()
        .and_then(|l| l.as_string())
    {
        return Ok(login);
    }
    ident_arg(v, what)
}

/// What a call resolves with; `&str` names the expected body in errors.
enum Answer {
    /// An object with an `id` (user, role, policy).
    One(&'static str),
    /// A list of such objects.
    List(&'static str),
    /// An SSH key (an object with a `name`).
    Key(&'static str),
    /// A list of SSH keys.
    Keys(&'static str),
    /// Nothing (resolves with undefined).
    Nothing,
    /// The role names in the `role-tag` response header.
    TagHeader,
    /// The `role-tag` list of a SetRoleTags answer.
    TagsSet,
}

/// Sends `req` and reads the answer.
// Why one function for every kind of answer: each distinct future passed to `promise` is
// compiled separately into the wasm; sharing one keeps the ~30 RBAC methods small.
async fn answer(c: Rc<Client>, req: Request, a: Answer) -> Result<JsValue, JsValue> {
    match a {
        Answer::One(what) => c.fetch_json::<HasId>(&req, what, None).await,
        Answer::List(what) => c.fetch_json::<Vec<HasId>>(&req, what, None).await,
        Answer::Key(what) => c.fetch_json::<HasName>(&req, what, None).await,
        Answer::Keys(what) => c.fetch_json::<Vec<HasName>>(&req, what, None).await,
        Answer::Nothing => c.fetch_empty(&req, None).await.map(|_| JsValue::UNDEFINED),
        Answer::TagHeader => c
            .fetch_empty(&req, None)
            .await
            .map(|r| split_tags(response::header(&r.headers, "role-tag")).into()),
        Answer::TagsSet => {
            let v = c
                .fetch_json::<RoleTagAnswer>(&req, "the role tags set", None)
                .await
                .or_js()?;
            return Reflect::get(&v, &JsValue::from_str("role-tag"));
        }
    }
    .or_js()
}

/// Runs `build` now (bad input rejects before anything is sent), then sends it in a promise.
fn call(c: &Rc<Client>, build: Result<Request, JsValue>, a: Answer) -> Promise {
    match build {
        Ok(req) => promise(answer(c.clone(), req, a)),
        Err(e) => rejected(e),
    }
}

/// The `{ name, key }` of addUserKey.
fn key_fields(v: &JsValue, what: &'static str) -> Result<(Option<String>, String), JsValue> {
    let o = Options::new(v, what, &["name", "key"], false)?;
    let key = o.string("key")?.ok_or_else(|| {
        type_error(format!(
            "{what}: key is required (an OpenSSH public key line)"
        ))
    })?;
    Ok((o.string("name")?, key))
}

/// A required fields object (`undefined`/`null` is a TypeError naming `example`).
fn fields_arg<T: serde::de::DeserializeOwned + Default>(
    v: &JsValue,
    what: &str,
    example: &str,
) -> Result<T, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Err(type_error(format!(
            "{what}: fields are required ({example})"
        )));
    }
    from_js(v, what)
}

#[wasm_bindgen]
impl DataCenter {
    /// ListUsers: the account's sub-users.
    #[wasm_bindgen(unchecked_return_type = "Promise<User[]>")]
    pub fn users(&self) -> Promise {
        let build = users::list_users(self.client.account()).or_js();
        call(&self.client, build, Answer::List("a list of users"))
    }

    /// GetUser by login or UUID (`{ membership: true }` adds `roles` and `default_roles`).
    #[wasm_bindgen(unchecked_return_type = "Promise<User>")]
    pub fn user(
        &self,
        #[wasm_bindgen(js_name = "idOrLogin", unchecked_param_type = "string | User")]
        id_or_login: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ membership?: boolean }")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let c = &self.client;
        let build = user_arg(&id_or_login, "user(idOrLogin)").and_then(|u| {
            let o = Options::new(
                &options.unwrap_or_default(),
                "user(idOrLogin, options)",
                &["membership"],
                true,
            )?;
            let membership = match o.get("membership")? {
                None => false,
                Some(v) => v.as_bool().ok_or_else(|| {
                    type_error(format!(
                        "user(idOrLogin, options): option membership must be a boolean, got {}",
                        kind(&v)
                    ))
                })?,
            };
            users::get_user(c.account(), &u, membership).or_js()
        });
        call(c, build, Answer::One("a user"))
    }

    /// CreateUser: `login`, `email` and `password` are required; never retried.
    #[wasm_bindgen(js_name = createUser, unchecked_return_type = "Promise<User>")]
    pub fn create_user(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "Partial<Profile> & { login: string; email: string; password: string }"
        )]
        fields: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = fields_arg::<users::UserInput>(
            &fields,
            "createUser(fields)",
            "{ login, email, password, … }",
        )
        .and_then(|f| users::create_user(c.account(), &f).or_js());
        call(c, build, Answer::One("the new user"))
    }

    /// UpdateUser: changes profile fields or the login; resolves with the user.
    #[wasm_bindgen(js_name = updateUser, unchecked_return_type = "Promise<User>")]
    pub fn update_user(
        &self,
        #[wasm_bindgen(js_name = "idOrLogin", unchecked_param_type = "string | User")]
        id_or_login: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Partial<Profile> & { login?: string }")]
        fields: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = user_arg(&id_or_login, "updateUser(idOrLogin)").and_then(|u| {
            let f: users::UserInput = fields_arg(
                &fields,
                "updateUser(idOrLogin, fields)",
                "{ email, firstName, … }",
            )?;
            users::update_user(c.account(), &u, &f).or_js()
        });
        call(c, build, Answer::One("a user"))
    }

    /// DeleteUser by login or UUID; resolves with undefined.
    #[wasm_bindgen(js_name = deleteUser, unchecked_return_type = "Promise<void>")]
    pub fn delete_user(
        &self,
        #[wasm_bindgen(js_name = "idOrLogin", unchecked_param_type = "string | User")]
        id_or_login: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = user_arg(&id_or_login, "deleteUser(idOrLogin)")
            .and_then(|u| users::delete_user(c.account(), &u).or_js());
        call(c, build, Answer::Nothing)
    }

    /// ChangeUserPassword: sets a sub-user's password; resolves with the user.
    #[wasm_bindgen(js_name = changeUserPassword, unchecked_return_type = "Promise<User>")]
    pub fn change_user_password(
        &self,
        #[wasm_bindgen(js_name = "idOrLogin", unchecked_param_type = "string | User")]
        id_or_login: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] password: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = user_arg(&id_or_login, "changeUserPassword(idOrLogin)").and_then(|u| {
            let p = string_arg(
                &password,
                "changeUserPassword(idOrLogin, password): password",
            )?;
            users::change_user_password(c.account(), &u, &p).or_js()
        });
        call(c, build, Answer::One("a user"))
    }

    /// ListUserKeys: a sub-user's SSH keys.
    #[wasm_bindgen(js_name = userKeys, unchecked_return_type = "Promise<SshKey[]>")]
    pub fn user_keys(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | User")] user: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = user_arg(&user, "userKeys(user)")
            .and_then(|u| key_api::list_keys(c.account(), Some(&u)).or_js());
        call(c, build, Answer::Keys("a list of keys"))
    }

    /// GetUserKey: a sub-user's SSH key by name or MD5 fingerprint.
    #[wasm_bindgen(js_name = userKey, unchecked_return_type = "Promise<SshKey>")]
    pub fn user_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | User")] user: JsValue,
        #[wasm_bindgen(js_name = "nameOrFp", unchecked_param_type = "string | SshKey")]
        name_or_fp: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = user_arg(&user, "userKey(user)").and_then(|u| {
            let k = key_arg(&name_or_fp, "userKey(user, nameOrFp)")?;
            key_api::get_key(c.account(), Some(&u), &k).or_js()
        });
        call(c, build, Answer::Key("a key"))
    }

    /// CreateUserKey: uploads an OpenSSH public key for a sub-user; never retried.
    #[wasm_bindgen(js_name = addUserKey, unchecked_return_type = "Promise<SshKey>")]
    pub fn add_user_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | User")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "{ name?: string; key: string }")] options: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = user_arg(&user, "addUserKey(user)").and_then(|u| {
            let (name, key) = key_fields(&options, "addUserKey(user, options)")?;
            key_api::create_key(c.account(), Some(&u), name.as_deref(), &key).or_js()
        });
        call(c, build, Answer::Key("the new key"))
    }

    /// DeleteUserKey: removes a sub-user's SSH key by name or MD5 fingerprint.
    #[wasm_bindgen(js_name = deleteUserKey, unchecked_return_type = "Promise<void>")]
    pub fn delete_user_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | User")] user: JsValue,
        #[wasm_bindgen(js_name = "nameOrFp", unchecked_param_type = "string | SshKey")]
        name_or_fp: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = user_arg(&user, "deleteUserKey(user)").and_then(|u| {
            let k = key_arg(&name_or_fp, "deleteUserKey(user, nameOrFp)")?;
            key_api::delete_key(c.account(), Some(&u), &k).or_js()
        });
        call(c, build, Answer::Nothing)
    }

    /// ListRoles.
    #[wasm_bindgen(unchecked_return_type = "Promise<Role[]>")]
    pub fn roles(&self) -> Promise {
        let build = roles::list_roles(self.client.account()).or_js();
        call(&self.client, build, Answer::List("a list of roles"))
    }

    /// GetRole by name or UUID.
    #[wasm_bindgen(unchecked_return_type = "Promise<Role>")]
    pub fn role(
        &self,
        #[wasm_bindgen(js_name = "idOrName", unchecked_param_type = "string | Role")]
        id_or_name: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = ident_arg(&id_or_name, "role(idOrName)")
            .and_then(|r| roles::get_role(c.account(), &r).or_js());
        call(c, build, Answer::One("a role"))
    }

    /// CreateRole: `name`, with optional `members` and `policies`; never retried.
    #[wasm_bindgen(js_name = createRole, unchecked_return_type = "Promise<Role>")]
    pub fn create_role(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RoleInput & { name: string }")] fields: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = fields_arg::<roles::RoleInput>(
            &fields,
            "createRole(fields)",
            "{ name, members?, policies? }",
        )
        .and_then(|f| roles::create_role(c.account(), &f).or_js());
        call(c, build, Answer::One("the new role"))
    }

    /// UpdateRole: renames it or replaces its members or policies; resolves with the role.
    #[wasm_bindgen(js_name = updateRole, unchecked_return_type = "Promise<Role>")]
    pub fn update_role(
        &self,
        #[wasm_bindgen(js_name = "idOrName", unchecked_param_type = "string | Role")]
        id_or_name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RoleInput")] fields: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = ident_arg(&id_or_name, "updateRole(idOrName)").and_then(|r| {
            let f: roles::RoleInput = fields_arg(
                &fields,
                "updateRole(idOrName, fields)",
                "{ name?, members?, policies? }",
            )?;
            roles::update_role(c.account(), &r, &f).or_js()
        });
        call(c, build, Answer::One("a role"))
    }

    /// DeleteRole by name or UUID; resolves with undefined.
    #[wasm_bindgen(js_name = deleteRole, unchecked_return_type = "Promise<void>")]
    pub fn delete_role(
        &self,
        #[wasm_bindgen(js_name = "idOrName", unchecked_param_type = "string | Role")]
        id_or_name: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = ident_arg(&id_or_name, "deleteRole(idOrName)")
            .and_then(|r| roles::delete_role(c.account(), &r).or_js());
        call(c, build, Answer::Nothing)
    }

    /// ListPolicies.
    #[wasm_bindgen(unchecked_return_type = "Promise<Policy[]>")]
    pub fn policies(&self) -> Promise {
        let build = policies::list_policies(self.client.account()).or_js();
        call(&self.client, build, Answer::List("a list of policies"))
    }

    /// GetPolicy by name or UUID.
    #[wasm_bindgen(unchecked_return_type = "Promise<Policy>")]
    pub fn policy(
        &self,
        #[wasm_bindgen(js_name = "idOrName", unchecked_param_type = "string | Policy")]
        id_or_name: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = ident_arg(&id_or_name, "policy(idOrName)")
            .and_then(|p| policies::get_policy(c.account(), &p).or_js());
        call(c, build, Answer::One("a policy"))
    }

    /// CreatePolicy: `name` and at least one Aperture rule; never retried.
    #[wasm_bindgen(js_name = createPolicy, unchecked_return_type = "Promise<Policy>")]
    pub fn create_policy(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PolicyInput & { name: string; rules: string[] }")]
        fields: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = fields_arg::<policies::PolicyInput>(
            &fields,
            "createPolicy(fields)",
            "{ name, rules, description? }",
        )
        .and_then(|f| policies::create_policy(c.account(), &f).or_js());
        call(c, build, Answer::One("the new policy"))
    }

    /// UpdatePolicy: renames it or replaces its rules or description; resolves with the policy.
    #[wasm_bindgen(js_name = updatePolicy, unchecked_return_type = "Promise<Policy>")]
    pub fn update_policy(
        &self,
        #[wasm_bindgen(js_name = "idOrName", unchecked_param_type = "string | Policy")]
        id_or_name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "PolicyInput")] fields: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = ident_arg(&id_or_name, "updatePolicy(idOrName)").and_then(|p| {
            let f: policies::PolicyInput = fields_arg(
                &fields,
                "updatePolicy(idOrName, fields)",
                "{ name?, rules?, description? }",
            )?;
            policies::update_policy(c.account(), &p, &f).or_js()
        });
        call(c, build, Answer::One("a policy"))
    }

    /// DeletePolicy by name or UUID; resolves with undefined.
    #[wasm_bindgen(js_name = deletePolicy, unchecked_return_type = "Promise<void>")]
    pub fn delete_policy(
        &self,
        #[wasm_bindgen(js_name = "idOrName", unchecked_param_type = "string | Policy")]
        id_or_name: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = ident_arg(&id_or_name, "deletePolicy(idOrName)")
            .and_then(|p| policies::delete_policy(c.account(), &p).or_js());
        call(c, build, Answer::Nothing)
    }

    /// The role tags of a resource (its `role-tag` header on GET): a path such as
    /// `"/<account>/machines/<id>"` or a Machine. Browsers may hide the header cross-origin.
    #[wasm_bindgen(js_name = roleTags, unchecked_return_type = "Promise<string[]>")]
    pub fn role_tags(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Machine")] resource: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = resource_arg(c, &resource, "roleTags(resource)").and_then(|(acct, segs)| {
            let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
            Ok(Request::get(api::account_path(&acct, &segs).or_js()?))
        });
        call(c, build, Answer::TagHeader)
    }

    /// SetRoleTags (`PUT <resource>` with `{"role-tag": roles}`): replaces a resource's role
    /// tags; resolves with the tags now set.
    #[wasm_bindgen(js_name = setRoleTags, unchecked_return_type = "Promise<string[]>")]
    pub fn set_role_tags(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Machine")] resource: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string[]")] role_names: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = resource_arg(c, &resource, "setRoleTags(resource)").and_then(|(acct, segs)| {
            let names = role_list(&role_names, "setRoleTags(resource, roles): roles")?;
            let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
            roles::set_role_tags(&acct, &segs, &names).or_js()
        });
        call(c, build, Answer::TagsSet)
    }
}

/// The shape checked of a SetRoleTags answer.
#[derive(serde::Deserialize)]
struct RoleTagAnswer {
    #[serde(rename = "role-tag")]
    _tags: Vec<String>,
}
