//! RBAC roles and role tags (7.2+, cloudapi.md §4.4, §1.8).

use super::{Extra, account_path, quoted, require_name};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// A role. `members`/`policies` are objects in API 9 and name lists before it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Role {
    /// UUID.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// 9.x: `[{type, id, login, default}]`; older: login names.
    /// TypeScript: `Array<{ type: "subuser" | "account"; id: string; login: string; default?: boolean }> | string[]`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Json>,
    /// Pre-9 default members (login names).
    /// TypeScript: `string[]`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_members: Option<Json>,
    /// 9.x: `[{id, name}]`; older: policy names.
    /// TypeScript: `Array<{ id: string; name: string }> | string[]`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<Json>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// CreateRole/UpdateRole fields, sent in the API 9 form (a login or policy name given as a
/// plain string becomes `{type: "subuser", login}` / `{name}`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    /// Name (required on create).
    #[serde(default)]
    pub name: Option<String>,
    /// Members (replaces the list): sub-user logins, or `{type, login | id, default?}`.
    /// TypeScript: `Array<string | { type?: "subuser" | "account"; login?: string; id?: string; default?: boolean }>`
    #[serde(default)]
    pub members: Option<Json>,
    /// Policies (replaces the list): policy names, or `{name}` / `{id}`.
    /// TypeScript: `Array<string | { name: string } | { id: string }>`
    #[serde(default)]
    pub policies: Option<Json>,
}

/// The members of a role input in the API 9 object form, checked.
fn member_refs(v: &Json) -> Result<Json, Error> {
    let Json::Array(items) = v else {
        return Err(Error::invalid_argument(
            "members must be an array of sub-user logins or {type, login | id, default?} objects",
        ));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, m) in items.iter().enumerate() {
        let what = format!("members[{i}]");
        let obj = match m {
            Json::String(login) => Json::Object(vec![
                ("type".to_string(), Json::from("subuser")),
                ("login".to_string(), Json::from(require_name(&what, login)?)),
            ]),
            Json::Object(fields) => {
                let mut typed = false;
                let mut named = false;
                for (k, val) in fields {
                    match (k.as_str(), val) {
                        ("type", Json::String(t)) if t == "subuser" || t == "account" => {
                            typed = true
                        }
                        ("login" | "id", Json::String(s)) => {
                            require_name(&format!("{what}.{k}"), s)?;
                            named = true;
                        }
                        ("default", Json::Bool(_)) => {}
                        ("type", _) => {
                            return Err(Error::invalid_argument(format!(
                                "{what}.type must be \"subuser\" or \"account\""
                            )));
                        }
                        ("login" | "id" | "default", _) => {
                            return Err(Error::invalid_argument(format!(
                                "{what}.{k} must be a {}",
                                if k == "default" { "boolean" } else { "string" }
                            )));
                        }
                        _ => {
                            return Err(Error::invalid_argument(format!(
                                "{what}: unknown field {}; valid fields are type, login, id, default",
                                quoted(k)
                            )));
                        }
                    }
                }
                if !named {
                    return Err(Error::invalid_argument(format!(
                        "{what} needs a login or an id"
                    )));
                }
                let mut fields = fields.clone();
                if !typed {
                    fields.insert(0, ("type".to_string(), Json::from("subuser")));
                }
                Json::Object(fields)
            }
            _ => {
                return Err(Error::invalid_argument(format!(
                    "{what} must be a login or a {{type, login | id, default?}} object"
                )));
            }
        };
        out.push(obj);
    }
    Ok(Json::Array(out))
}

/// The policies of a role input in the API 9 object form, checked.
fn policy_refs(v: &Json) -> Result<Json, Error> {
    let Json::Array(items) = v else {
        return Err(Error::invalid_argument(
            "policies must be an array of policy names or {name} / {id} objects",
        ));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, p) in items.iter().enumerate() {
        let what = format!("policies[{i}]");
        let (k, s) = match p {
            Json::String(s) => ("name", s),
            Json::Object(fields) => match fields.as_slice() {
                [(k, Json::String(s))] if k == "name" || k == "id" => (k.as_str(), s),
                _ => {
                    return Err(Error::invalid_argument(format!(
                        "{what} must be {{name: string}} or {{id: string}}"
                    )));
                }
            },
            _ => {
                return Err(Error::invalid_argument(format!(
                    "{what} must be a policy name or a {{name}} / {{id}} object"
                )));
            }
        };
        out.push(Json::Object(vec![(
            k.to_string(),
            Json::from(require_name(&format!("{what}.{k}"), s)?),
        )]));
    }
    Ok(Json::Array(out))
}

impl RoleInput {
    fn body(&self) -> Result<Vec<(String, Json)>, Error> {
        let mut body = Vec::new();
        if let Some(n) = &self.name {
            body.push((
                "name".to_string(),
                Json::from(require_name("role name", n)?),
            ));
        }
        if let Some(m) = &self.members {
            body.push(("members".to_string(), member_refs(m)?));
        }
        if let Some(p) = &self.policies {
            body.push(("policies".to_string(), policy_refs(p)?));
        }
        Ok(body)
    }
}

/// ListRoles.
pub fn list_roles(account: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(account, &["roles"])?))
}

/// GetRole by id or name.
pub fn get_role(account: &str, role: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(
        account,
        &["roles", require_name("role", role)?],
    )?))
}

/// CreateRole (201). Not retried.
pub fn create_role(account: &str, input: &RoleInput) -> Result<Request, Error> {
    if input.name.is_none() {
        return Err(Error::invalid_argument("createRole needs a name"));
    }
    Ok(Request::post(account_path(account, &["roles"])?).body(Json::Object(input.body()?)))
}

/// UpdateRole. Retry-safe.
pub fn update_role(account: &str, role: &str, input: &RoleInput) -> Result<Request, Error> {
    let body = input.body()?;
    if body.is_empty() {
        return Err(Error::invalid_argument(
            "updateRole needs at least one field to change",
        ));
    }
    Ok(Request::post(account_path(
        account,
        &["roles", require_name("role", role)?],
    )?)
    .body(Json::Object(body))
    .retry_safe())
}

/// DeleteRole (204).
pub fn delete_role(account: &str, role: &str) -> Result<Request, Error> {
    Ok(Request::delete(account_path(
        account,
        &["roles", require_name("role", role)?],
    )?))
}

/// The answer to a role-tag update.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RoleTags {
    /// The resource path.
    #[serde(default)]
    pub name: String,
    /// The role names now tagged.
    #[serde(rename = "role-tag", default)]
    pub role_tag: Vec<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// SetRoleTags: `PUT /:account[/<resource>…]` with `{"role-tag": [...]}` replacing the
/// resource's role tags. `resource` is e.g. `["machines", id]`, `["users", login, "keys"]`,
/// or empty for the account itself.
pub fn set_role_tags(account: &str, resource: &[&str], roles: &[String]) -> Result<Request, Error> {
    if resource.len() > 4 {
        return Err(Error::invalid_argument(format!(
            "role tags apply to /:account and up to four path segments below it, got {}",
            resource.len()
        )));
    }
    for s in resource {
        require_name("resource path segment", s)?;
    }
    let mut tags = Vec::with_capacity(roles.len());
    for r in roles {
        if r.contains(',') {
            return Err(Error::invalid_argument(format!(
                "role name {} must not contain ','",
                quoted(r)
            )));
        }
        tags.push(Json::from(require_name("role name", r)?));
    }
    Ok(
        Request::put(account_path(account, resource)?).body(Json::Object(vec![(
            "role-tag".to_string(),
            Json::Array(tags),
        )])),
    )
}

/// The `role-tag` request header value for create calls (comma-joined), validated.
pub fn role_tag_header(roles: &[String]) -> Result<String, Error> {
    for r in roles {
        require_name("role name", r)?;
        if r.contains(',') {
            return Err(Error::invalid_argument(format!(
                "role name {} must not contain ','",
                quoted(r)
            )));
        }
    }
    Ok(roles.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> RoleInput {
        serde_json::from_str(json).unwrap()
    }

    fn body(r: &Request) -> String {
        r.body_text().unwrap_or_default()
    }

    #[test]
    fn plain_names_become_api9_references() {
        let r = create_role(
            "my",
            &input(r#"{"name":"ops","members":["bob",{"login":"eve","default":true},{"type":"account","id":"x"}],"policies":["read",{"id":"p1"}]}"#),
        )
        .unwrap();
        assert_eq!(
            body(&r),
            r#"{"name":"ops","members":[{"type":"subuser","login":"bob"},{"type":"subuser","login":"eve","default":true},{"type":"account","id":"x"}],"policies":[{"name":"read"},{"id":"p1"}]}"#
        );
    }

    #[test]
    fn bad_references_are_named() {
        for (json, needle) in [
            (r#"{"members":[""]}"#, "members[0] must not be empty"),
            (r#"{"members":[3]}"#, "members[0] must be a login"),
            (
                r#"{"members":[{"type":"group","login":"a"}]}"#,
                "members[0].type",
            ),
            (
                r#"{"members":[{"default":true}]}"#,
                "needs a login or an id",
            ),
            (
                r#"{"members":[{"login":"a","role":"x"}]}"#,
                "unknown field \"role\"",
            ),
            (
                r#"{"members":[{"login":"a","default":"yes"}]}"#,
                "default must be a boolean",
            ),
            (r#"{"policies":"read"}"#, "policies must be an array"),
            (
                r#"{"policies":[{"name":"a","id":"b"}]}"#,
                "policies[0] must be",
            ),
            (
                r#"{"policies":[" "]}"#,
                "policies[0].name must not be empty",
            ),
        ] {
            let e = update_role("my", "ops", &input(json)).unwrap_err();
            assert_eq!(e.code, "InvalidArgument");
            assert!(e.message.contains(needle), "{json}: {}", e.message);
        }
        let e = serde_json::from_str::<RoleInput>(r#"{"default_members":[]}"#).unwrap_err();
        assert!(e.to_string().contains("members"), "{e}");
    }
}
