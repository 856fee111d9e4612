//! `DataCenter` account-level calls: limits, config, access keys, services and ping
//! (cloudapi.md §4.1, §4.3). Access keys and limits are checked against the server's
//! version first (gate.rs).

use super::datacenter::{DataCenter, promise, rejected};
use super::gate;
use super::js_error::{OrJs, type_error};
use super::options::{Options, from_js, string_arg};
use crate::api::{Extra, accesskeys, config, limits, services};
use js_sys::{Array, Promise, Reflect};
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The shape checked of an access key.
#[derive(serde::Deserialize)]
struct HasKeyId {
    #[serde(rename = "accesskeyid")]
    _id: String,
}

/// The `{ user }` option of the access key calls: the sub-user whose keys are meant.
fn user_option(v: Option<JsValue>, what: &'static str) -> Result<Option<String>, JsValue> {
    Options::new(&v.unwrap_or_default(), what, &["user"], true)?.string("user")
}

/// Drops `accesskeysecret` from a listed or fetched key.
// Why: newer CloudAPIs show the secret only when the key is created, older ones on every
// read; dropping it from reads keeps listings (often logged) free of secrets everywhere.
fn without_secret(v: &JsValue) {
    if v.is_object() {
        let _ = Reflect::delete_property(
            v.unchecked_ref::<js_sys::Object>(),
            &JsValue::from_str("accesskeysecret"),
        );
    }
}

#[wasm_bindgen]
impl DataCenter {
    /// GetAccountLimits: the provisioning limits and their usage (CloudAPI 9.8.0+).
    #[wasm_bindgen(unchecked_return_type = "Promise<Limit[]>")]
    pub fn limits(&self) -> Promise {
        let c = self.client.clone();
        promise(async move {
            gate::require(&c, "limits()", "account limits")
                .await
                .or_js()?;
            let req = limits::get_account_limits(c.account()).or_js()?;
            c.fetch_json::<Vec<Extra>>(&req, "a list of limits", None)
                .await
                .or_js()
        })
    }

    /// GetConfig: the account's configuration in this datacenter.
    #[wasm_bindgen(unchecked_return_type = "Promise<Config>")]
    pub fn config(&self) -> Promise {
        let c = self.client.clone();
        promise(async move {
            let req = config::get_config(c.account()).or_js()?;
            c.fetch_json::<Extra>(&req, "the account config", None)
                .await
                .or_js()
        })
    }

    /// UpdateConfig: sets `default_network`; resolves with the new config.
    #[wasm_bindgen(js_name = updateConfig, unchecked_return_type = "Promise<Config>")]
    pub fn update_config(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConfigUpdate")] fields: JsValue,
    ) -> Promise {
        if fields.is_undefined() || fields.is_null() {
            return rejected(type_error(
                "updateConfig(fields): fields are required ({ default_network })",
            ));
        }
        let f: config::ConfigUpdate = match from_js(&fields, "updateConfig(fields)") {
            Ok(f) => f,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = config::update_config_fields(c.account(), &f).or_js()?;
            c.fetch_json::<Extra>(&req, "the account config", None)
                .await
                .or_js()
        })
    }

    /// ListAccessKeys (or ListUserAccessKeys with `{ user }`), secrets left out (9.11.0+).
    #[wasm_bindgen(js_name = accessKeys, unchecked_return_type = "Promise<AccessKey[]>")]
    pub fn access_keys(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ user?: string }")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let user = match user_option(options, "accessKeys(options)") {
            Ok(u) => u,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = accesskeys::list_access_keys(c.account(), user.as_deref()).or_js()?;
            gate::require(&c, "accessKeys()", "access keys")
                .await
                .or_js()?;
            let list = c
                .fetch_json::<Vec<HasKeyId>>(&req, "a list of access keys", None)
                .await
                .or_js()?;
            for k in list.unchecked_ref::<Array>().iter() {
                without_secret(&k);
            }
            Ok(list)
        })
    }

    /// GetAccessKey (or GetUserAccessKey with `{ user }`) by id, secret left out (9.11.0+).
    #[wasm_bindgen(js_name = accessKey, unchecked_return_type = "Promise<AccessKey>")]
    pub fn access_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ user?: string }")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let parsed = string_arg(&id, "accessKey(id): id")
            .and_then(|id| Ok((id, user_option(options, "accessKey(id, options)")?)));
        let (id, user) = match parsed {
            Ok(p) => p,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = accesskeys::get_access_key(c.account(), user.as_deref(), &id).or_js()?;
            gate::require(&c, "accessKey()", "access keys")
                .await
                .or_js()?;
            let key = c
                .fetch_json::<HasKeyId>(&req, "an access key", None)
                .await
                .or_js()?;
            without_secret(&key);
            Ok(key)
        })
    }

    /// CreateAccessKey (or CreateUserAccessKey with `user`): the only answer that carries
    /// `accesskeysecret`; never retried (9.11.0+).
    #[wasm_bindgen(js_name = createAccessKey, unchecked_return_type = "Promise<AccessKey>")]
    pub fn create_access_key(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "AccessKeyInput")] fields: Option<JsValue>,
    ) -> Promise {
        let f: accesskeys::AccessKeyInput =
            match from_js(&fields.unwrap_or_default(), "createAccessKey(fields)") {
                Ok(f) => f,
                Err(e) => return rejected(e),
            };
        let c = self.client.clone();
        promise(async move {
            let req = accesskeys::create_access_key(
                c.account(),
                f.user.as_deref(),
                f.description.as_deref(),
            )
            .or_js()?;
            gate::require(&c, "createAccessKey()", "access keys")
                .await
                .or_js()?;
            c.fetch_json::<HasKeyId>(&req, "the new access key", None)
                .await
                .or_js()
        })
    }

    /// DeleteAccessKey (or DeleteUserAccessKey with `{ user }`); resolves with undefined (9.11.0+).
    #[wasm_bindgen(js_name = deleteAccessKey, unchecked_return_type = "Promise<void>")]
    pub fn delete_access_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ user?: string }")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let parsed = string_arg(&id, "deleteAccessKey(id): id")
            .and_then(|id| Ok((id, user_option(options, "deleteAccessKey(id, options)")?)));
        let (id, user) = match parsed {
            Ok(p) => p,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = accesskeys::delete_access_key(c.account(), user.as_deref(), &id).or_js()?;
            gate::require(&c, "deleteAccessKey()", "access keys")
                .await
                .or_js()?;
            c.fetch_empty(&req, None).await.or_js()?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// ListServices: `{ name: url }` of the services this datacenter offers (cloudapi, docker, manta…).
    #[wasm_bindgen(unchecked_return_type = "Promise<Record<string, string>>")]
    pub fn services(&self) -> Promise {
        let c = self.client.clone();
        promise(async move {
            let req = services::list_services(c.account()).or_js()?;
            c.fetch_json::<BTreeMap<String, String>>(&req, "a map of service name → URL", None)
                .await
                .or_js()
        })
    }

    /// Ping (`GET /--ping`): the API versions served and the server's code version, which
    /// feature checks then use (cached per URL; this call always asks again).
    #[wasm_bindgen(unchecked_return_type = "Promise<PingInfo>")]
    pub fn ping(&self) -> Promise {
        let c = self.client.clone();
        promise(async move {
            let info = gate::ping(&c).await.or_js()?;
            serde_wasm_bindgen::to_value(&info).map_err(|e| type_error(e.to_string()))
        })
    }
}
