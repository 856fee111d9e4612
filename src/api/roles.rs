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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Json>,
    /// Pre-9 default members (login names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_members: Option<Json>,
    /// 9.x: `[{id, name}]`; older: policy names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<Json>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// CreateRole/UpdateRole fields (9.x object forms or plain names, passed through).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    /// Name (required on create).
    #[serde(default)]
    pub name: Option<String>,
    /// Members: `[{type:"subuser", login, default?}]` or login names.
    #[serde(default)]
    pub members: Option<Json>,
    /// Default members (pre-9 form).
    #[serde(default)]
    pub default_members: Option<Json>,
    /// Policies: `[{name}]` / `[{id}]` or policy names.
    #[serde(default)]
    pub policies: Option<Json>,
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
        for (k, v) in [
            ("members", &self.members),
            ("default_members", &self.default_members),
            ("policies", &self.policies),
        ] {
            match v {
                None => {}
                Some(a @ Json::Array(_)) => body.push((k.to_string(), a.clone())),
                Some(_) => {
                    return Err(Error::invalid_argument(format!("{k} must be an array")));
                }
            }
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
