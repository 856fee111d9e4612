//! Firewall rules (cloudapi.md §4.13): CRUD, enable/disable, affected machines, and the
//! rules affecting one machine.

use super::{Extra, account_path, lenient, require_name, require_uuid};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// A firewall rule.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FirewallRule {
    /// UUID.
    #[serde(default)]
    pub id: String,
    /// Rule text, e.g. `FROM any TO vm <uuid> ALLOW tcp PORT 22`.
    #[serde(default)]
    pub rule: String,
    /// Whether the rule is active.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enabled: Option<bool>,
    /// Whether matching traffic is logged.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub log: Option<bool>,
    /// An operator-defined global rule (read-only).
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub global: Option<bool>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// CreateFirewallRule/UpdateFirewallRule fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirewallRuleInput {
    /// Rule text (required on create).
    #[serde(default)]
    pub rule: Option<String>,
    /// Active (default false on create).
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Log matches.
    #[serde(default)]
    pub log: Option<bool>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

impl FirewallRuleInput {
    fn body(&self) -> Result<Vec<(String, Json)>, Error> {
        let mut body = Vec::new();
        if let Some(r) = &self.rule {
            body.push(("rule".to_string(), Json::from(require_name("rule", r)?)));
        }
        if let Some(e) = self.enabled {
            body.push(("enabled".to_string(), Json::Bool(e)));
        }
        if let Some(l) = self.log {
            body.push(("log".to_string(), Json::Bool(l)));
        }
        if let Some(d) = &self.description {
            body.push(("description".to_string(), Json::from(d.as_str())));
        }
        Ok(body)
    }
}

fn rule_path(account: &str, id: Option<&str>, rest: &[&str]) -> Result<String, Error> {
    let mut segs = vec!["fwrules"];
    if let Some(i) = id {
        segs.push(require_uuid("firewall rule id", i)?);
    }
    segs.extend_from_slice(rest);
    account_path(account, &segs)
}

/// ListFirewallRules.
pub fn list_fwrules(account: &str) -> Result<Request, Error> {
    Ok(Request::get(rule_path(account, None, &[])?))
}

/// GetFirewallRule.
pub fn get_fwrule(account: &str, id: &str) -> Result<Request, Error> {
    Ok(Request::get(rule_path(account, Some(id), &[])?))
}

/// CreateFirewallRule (201). Not retried.
pub fn create_fwrule(account: &str, input: &FirewallRuleInput) -> Result<Request, Error> {
    if input.rule.is_none() {
        return Err(Error::invalid_argument(
            "createFirewallRule needs rule text",
        ));
    }
    Ok(Request::post(rule_path(account, None, &[])?).body(Json::Object(input.body()?)))
}

/// UpdateFirewallRule. Retry-safe.
pub fn update_fwrule(account: &str, id: &str, input: &FirewallRuleInput) -> Result<Request, Error> {
    let body = input.body()?;
    if body.is_empty() {
        return Err(Error::invalid_argument(
            "updateFirewallRule needs at least one field to change",
        ));
    }
    Ok(Request::post(rule_path(account, Some(id), &[])?)
        .body(Json::Object(body))
        .retry_safe())
}

/// EnableFirewallRule. Retry-safe.
pub fn enable_fwrule(account: &str, id: &str) -> Result<Request, Error> {
    Ok(Request::post(rule_path(account, Some(id), &["enable"])?).retry_safe())
}

/// DisableFirewallRule. Retry-safe.
pub fn disable_fwrule(account: &str, id: &str) -> Result<Request, Error> {
    Ok(Request::post(rule_path(account, Some(id), &["disable"])?).retry_safe())
}

/// DeleteFirewallRule (204).
pub fn delete_fwrule(account: &str, id: &str) -> Result<Request, Error> {
    Ok(Request::delete(rule_path(account, Some(id), &[])?))
}

/// ListFirewallRuleMachines: machines the rule applies to.
pub fn list_fwrule_machines(account: &str, id: &str) -> Result<Request, Error> {
    Ok(Request::get(rule_path(account, Some(id), &["machines"])?))
}

/// ListMachineFirewallRules: rules that apply to one machine.
pub fn list_machine_fwrules(account: &str, machine: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(
        account,
        &["machines", require_uuid("machine id", machine)?, "fwrules"],
    )?))
}
