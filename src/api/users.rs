//! RBAC sub-users (7.2+, cloudapi.md §4.4): List, Get, Create, Update, ChangePassword,
//! Delete. Passwords only travel in request bodies, which `Request`'s Debug hides.

use super::profile::{Profile, profile_input};
use super::{Extra, account_path, require_name};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// A sub-user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct User {
    /// UUID.
    pub id: String,
    /// Login name.
    #[serde(default)]
    pub login: String,
    /// Contact profile (`email`, `companyName`, …); before `extra` so its fields stay out of it.
    #[serde(flatten)]
    pub profile: Profile,
    /// Role names (with `membership=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Default role names (with `membership=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_roles: Option<Vec<String>>,
    /// Creation time, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last update, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

profile_input! {
    /// CreateUser/UpdateUser fields (wire names); create needs `login`, `email`, `password`.
    #[derive(Clone, Default, PartialEq, Deserialize)]
    pub struct UserInput {
        /// Login name (required on create).
        #[serde(default)]
        pub login: Option<String>,
        /// Password (required on create).
        #[serde(default)]
        pub password: Option<String>,
    }
}

/// Debug never shows the password.
impl std::fmt::Debug for UserInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserInput")
            .field("login", &self.login)
            .field("email", &self.email)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl UserInput {
    fn body(&self, with_password: bool) -> Vec<(String, Json)> {
        let mut body = Vec::new();
        let password = if with_password { &self.password } else { &None };
        let own = [("login", &self.login), ("password", password)];
        for (k, v) in own.into_iter().chain(self.profile_pairs()) {
            if let Some(v) = v {
                body.push((k.to_string(), Json::from(v.as_str())));
            }
        }
        body
    }
}

fn user_path(account: &str, user: Option<&str>, rest: &[&str]) -> Result<String, Error> {
    let mut segs = vec!["users"];
    if let Some(u) = user {
        segs.push(require_name("user", u)?);
    }
    segs.extend_from_slice(rest);
    account_path(account, &segs)
}

/// ListUsers.
pub fn list_users(account: &str) -> Result<Request, Error> {
    Ok(Request::get(user_path(account, None, &[])?))
}

/// GetUser by id or login (`membership` adds `roles`/`default_roles`).
pub fn get_user(account: &str, user: &str, membership: bool) -> Result<Request, Error> {
    let r = Request::get(user_path(account, Some(user), &[])?);
    Ok(if membership {
        r.query("membership", "true")
    } else {
        r
    })
}

/// CreateUser (201): `login`, `email` and `password` are required. Not retried.
pub fn create_user(account: &str, input: &UserInput) -> Result<Request, Error> {
    for (what, v) in [
        ("login", &input.login),
        ("email", &input.email),
        ("password", &input.password),
    ] {
        match v {
            Some(s) if !s.is_empty() => {}
            _ => {
                return Err(Error::invalid_argument(format!(
                    "createUser needs a non-empty {what}"
                )));
            }
        }
    }
    Ok(Request::post(user_path(account, None, &[])?).body(Json::Object(input.body(true))))
}

/// UpdateUser: profile fields or `login` (use [`change_user_password`] for the password).
pub fn update_user(account: &str, user: &str, input: &UserInput) -> Result<Request, Error> {
    if input.password.is_some() {
        return Err(Error::invalid_argument(
            "updateUser cannot change the password; use changeUserPassword",
        ));
    }
    let body = input.body(false);
    if body.is_empty() {
        return Err(Error::invalid_argument(
            "updateUser needs at least one field to change",
        ));
    }
    Ok(Request::post(user_path(account, Some(user), &[])?)
        .body(Json::Object(body))
        .retry_safe())
}

/// ChangeUserPassword: `password` twice (as CloudAPI asks). Retry-safe.
pub fn change_user_password(account: &str, user: &str, password: &str) -> Result<Request, Error> {
    if password.is_empty() {
        return Err(Error::invalid_argument("password must not be empty"));
    }
    Ok(
        Request::post(user_path(account, Some(user), &["change_password"])?)
            .body(Json::Object(vec![
                ("password".to_string(), Json::from(password)),
                ("password_confirmation".to_string(), Json::from(password)),
            ]))
            .retry_safe(),
    )
}

/// DeleteUser (204).
pub fn delete_user(account: &str, user: &str) -> Result<Request, Error> {
    Ok(Request::delete(user_path(account, Some(user), &[])?))
}
