//! Firewall rules on `DataCenter` (cloudapi.md §4.13): list, get, create, update,
//! enable/disable, delete, and the machines a rule affects (as `Machine` objects).

use super::datacenter::{DataCenter, ident_arg, promise};
use super::js_error::OrJs;
use super::machine::Machine;
use super::options::from_js;
use super::resource_wait::{required, send_empty, send_json};
use super::transport::HasId;
use crate::api::fwrules::{self, FirewallRuleInput};
use js_sys::{Array, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl DataCenter {
    /// ListFirewallRules: every rule of the account (global rules are not listed).
    #[wasm_bindgen(js_name = firewallRules, unchecked_return_type = "Promise<FirewallRule[]>")]
    pub fn firewall_rules(&self) -> Promise {
        send_json::<Vec<HasId>>(
            &self.client,
            fwrules::list_fwrules(self.client.account()),
            "a list of firewall rules",
        )
    }

    /// GetFirewallRule by UUID (or a rule object).
    #[wasm_bindgen(js_name = firewallRule, unchecked_return_type = "Promise<FirewallRule>")]
    pub fn firewall_rule(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | FirewallRule")] id: JsValue,
    ) -> Promise {
        match ident_arg(&id, "firewallRule(id): id") {
            Ok(id) => send_json::<HasId>(
                &self.client,
                fwrules::get_fwrule(self.client.account(), &id),
                "a firewall rule",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// CreateFirewallRule: `rule` text is required, `enabled` defaults to false. Never retried.
    #[wasm_bindgen(
        js_name = createFirewallRule,
        unchecked_return_type = "Promise<FirewallRule>"
    )]
    pub fn create_firewall_rule(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FirewallRuleInput")] fields: JsValue,
    ) -> Promise {
        let what = "createFirewallRule(fields)";
        let parsed = required(&fields, what, "{ rule, enabled?, log?, description? }")
            .and_then(|()| from_js::<FirewallRuleInput>(&fields, what));
        match parsed {
            Ok(f) => send_json::<HasId>(
                &self.client,
                fwrules::create_fwrule(self.client.account(), &f),
                "the new firewall rule",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// UpdateFirewallRule: changes the given fields; resolves with the rule.
    #[wasm_bindgen(
        js_name = updateFirewallRule,
        unchecked_return_type = "Promise<FirewallRule>"
    )]
    pub fn update_firewall_rule(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | FirewallRule")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "FirewallRuleInput")] fields: JsValue,
    ) -> Promise {
        let what = "updateFirewallRule(id, fields)";
        let parsed = ident_arg(&id, "updateFirewallRule(id): id").and_then(|id| {
            required(&fields, what, "{ rule?, enabled?, log?, description? }")?;
            Ok((id, from_js::<FirewallRuleInput>(&fields, what)?))
        });
        match parsed {
            Ok((id, f)) => send_json::<HasId>(
                &self.client,
                fwrules::update_fwrule(self.client.account(), &id, &f),
                "a firewall rule",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// EnableFirewallRule; resolves with the rule.
    #[wasm_bindgen(
        js_name = enableFirewallRule,
        unchecked_return_type = "Promise<FirewallRule>"
    )]
    pub fn enable_firewall_rule(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | FirewallRule")] id: JsValue,
    ) -> Promise {
        match ident_arg(&id, "enableFirewallRule(id): id") {
            Ok(id) => send_json::<HasId>(
                &self.client,
                fwrules::enable_fwrule(self.client.account(), &id),
                "a firewall rule",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// DisableFirewallRule; resolves with the rule.
    #[wasm_bindgen(
        js_name = disableFirewallRule,
        unchecked_return_type = "Promise<FirewallRule>"
    )]
    pub fn disable_firewall_rule(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | FirewallRule")] id: JsValue,
    ) -> Promise {
        match ident_arg(&id, "disableFirewallRule(id): id") {
            Ok(id) => send_json::<HasId>(
                &self.client,
                fwrules::disable_fwrule(self.client.account(), &id),
                "a firewall rule",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// DeleteFirewallRule; resolves with undefined.
    #[wasm_bindgen(js_name = deleteFirewallRule, unchecked_return_type = "Promise<void>")]
    pub fn delete_firewall_rule(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | FirewallRule")] id: JsValue,
    ) -> Promise {
        match ident_arg(&id, "deleteFirewallRule(id): id") {
            Ok(id) => send_empty(
                &self.client,
                fwrules::delete_fwrule(self.client.account(), &id),
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// ListFirewallRuleMachines: the machines a rule applies to, as `Machine` objects.
    #[wasm_bindgen(
        js_name = firewallRuleMachines,
        unchecked_return_type = "Promise<Machine[]>"
    )]
    pub fn firewall_rule_machines(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | FirewallRule")] id: JsValue,
    ) -> Promise {
        let req = ident_arg(&id, "firewallRuleMachines(id): id")
            .and_then(|id| fwrules::list_fwrule_machines(self.client.account(), &id).or_js());
        let req = match req {
            Ok(r) => r,
            Err(e) => return Promise::reject(&e),
        };
        let c = self.client.clone();
        promise(async move {
            let list = c
                .fetch_json::<Vec<HasId>>(&req, "a list of machines", None)
                .await
                .or_js()?;
            let out = Array::new();
            for wire in list.unchecked_into::<Array>().iter() {
                out.push(&Machine::from_wire(c.clone(), wire).or_js()?.into());
            }
            Ok(out.into())
        })
    }
}
