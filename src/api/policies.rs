//! RBAC policies (7.2+, cloudapi.md §4.4): Aperture rule sets attached to roles.

use super::{Extra, account_path, require_name};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// A policy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Policy {
    /// UUID.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Aperture rules, e.g. `"CAN getmachine AND listmachines"`.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// CreatePolicy/UpdatePolicy fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    /// Name (required on create).
    #[serde(default)]
    pub name: Option<String>,
    /// Aperture rules (required on create).
    #[serde(default)]
    pub rules: Option<Vec<String>>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

impl PolicyInput {
    fn body(&self) -> Result<Vec<(String, Json)>, Error> {
        let mut body = Vec::new();
        if let Some(n) = &self.name {
            body.push((
                "name".to_string(),
                Json::from(require_name("policy name", n)?),
            ));
        }
        if let Some(rules) = &self.rules {
            let mut out = Vec::with_capacity(rules.len());
            for r in rules {
                out.push(Json::from(require_name("policy rule", r)?));
            }
            body.push(("rules".to_string(), Json::Array(out)));
        }
        if let Some(d) = &self.description {
            body.push(("description".to_string(), Json::from(d.as_str())));
        }
        Ok(body)
    }
}

/// ListPolicies.
pub fn list_policies(account: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(account, &["policies"])?))
}

/// GetPolicy by id or name.
pub fn get_policy(account: &str, policy: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(
        account,
        &["policies", require_name("policy", policy)?],
    )?))
}

/// CreatePolicy (201): `name` and at least one rule. Not retried.
pub fn create_policy(account: &str, input: &PolicyInput) -> Result<Request, Error> {
    if input.name.is_none() || input.rules.as_ref().is_none_or(Vec::is_empty) {
        return Err(Error::invalid_argument(
            "createPolicy needs a name and at least one rule",
        ));
    }
    Ok(Request::post(account_path(account, &["policies"])?).body(Json::Object(input.body()?)))
}

/// UpdatePolicy. Retry-safe.
pub fn update_policy(account: &str, policy: &str, input: &PolicyInput) -> Result<Request, Error> {
    let body = input.body()?;
    if body.is_empty() {
        return Err(Error::invalid_argument(
            "updatePolicy needs at least one field to change",
        ));
    }
    Ok(Request::post(account_path(
        account,
        &["policies", require_name("policy", policy)?],
    )?)
    .body(Json::Object(body))
    .retry_safe())
}

/// DeletePolicy (204).
pub fn delete_policy(account: &str, policy: &str) -> Result<Request, Error> {
    Ok(Request::delete(account_path(
        account,
        &["policies", require_name("policy", policy)?],
    )?))
}
