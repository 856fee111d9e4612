//! `DataCenter` account-level calls: limits, config, access keys, services and ping
//! (cloudapi.md §4.1, §4.3). Access keys and limits are checked against the server's
//! version first (gate.rs).

use super::datacenter::{DataCenter, promise, rejected};
use super::gate;
use super::js_error::{OrJs, type_error};
use super::options::{Options, from_js, string_arg};
use super::transport::Client;
use crate::api::{Extra, accesskeys, config, limits, services};
use crate::request::Request;
use js_sys::{Array, Object, Promise, Reflect};
use std::collections::BTreeMap;
use std::rc::Rc;
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

/// What an account call resolves with; `&str` names the expected body in errors.
enum Reply {
    /// A JSON object (config).
    Object(&'static str),
    /// A list of JSON objects (limits).
    Objects(&'static str),
    /// An access key, secret dropped.
    Key,
    /// Access keys, secrets dropped.
    Keys,
    /// A new access key, secret kept.
    NewKey,
    /// A map of name → URL (services).
    Urls,
    /// Nothing (resolves with undefined).
    Nothing,
}

/// Checks the server's version for `gated` (`(call, feature)`), sends `req`, reads the reply.
// Why one function for every call here: each distinct future handed to `promise` is compiled
// separately into the wasm; sharing one keeps these methods small.
async fn reply(
    c: Rc<Client>,
    req: Request,
    gated: Option<(&'static str, &'static str)>,
    r: Reply,
) -> Result<JsValue, JsValue> {
    if let Some((call, feature)) = gated {
        gate::require(&c, call, feature).await.or_js()?;
    }
    let v = match r {
        Reply::Object(what) => c.fetch_json::<Extra>(&req, what, None).await,
        Reply::Objects(what) => c.fetch_json::<Vec<Extra>>(&req, what, None).await,
        Reply::Key | Reply::NewKey => c.fetch_json::<HasKeyId>(&req, "an access key", None).await,
        Reply::Keys => {
            c.fetch_json::<Vec<HasKeyId>>(&req, "a list of access keys", None)
                .await
        }
        Reply::Urls => {
            c.fetch_json::<BTreeMap<String, String>>(&req, "a map of service name → URL", None)
                .await
        }
        Reply::Nothing => c.fetch_empty(&req, None).await.map(|_| JsValue::UNDEFINED),
    }
    .or_js()?;
    match r {
        Reply::Key => without_secret(&v),
        Reply::Keys => {
            for k in v.unchecked_ref::<Array>().iter() {
                without_secret(&k);
            }
        }
        _ => {}
    }
    Ok(v)
}

/// Runs `build` now (bad input rejects before anything is sent), then `reply` in a promise.
fn run(
    c: &Rc<Client>,
    build: Result<Request, JsValue>,
    gated: Option<(&'static str, &'static str)>,
    r: Reply,
) -> Promise {
    match build {
        Ok(req) => promise(reply(c.clone(), req, gated, r)),
        Err(e) => rejected(e),
    }
}

/// Access keys came with CloudAPI 9.11.0 (see `services::FEATURES`).
const ACCESS_KEYS: &str = "access keys";

#[wasm_bindgen]
impl DataCenter {
    /// GetAccountLimits: the provisioning limits and their usage (CloudAPI 9.8.0+).
    #[wasm_bindgen(unchecked_return_type = "Promise<Limit[]>")]
    pub fn limits(&self) -> Promise {
        let c = &self.client;
        let build = limits::get_account_limits(c.account()).or_js();
        run(
            c,
            build,
            Some(("limits()", "account limits")),
            Reply::Objects("a list of limits"),
        )
    }

    /// GetConfig: the account's configuration in this datacenter.
    #[wasm_bindgen(unchecked_return_type = "Promise<Config>")]
    pub fn config(&self) -> Promise {
        let c = &self.client;
        let build = config::get_config(c.account()).or_js();
        run(c, build, None, Reply::Object("the account config"))
    }

    /// UpdateConfig: sets `default_network`; resolves with the new config.
    #[wasm_bindgen(js_name = updateConfig, unchecked_return_type = "Promise<Config>")]
    pub fn update_config(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConfigUpdate")] fields: JsValue,
    ) -> Promise {
        let c = &self.client;
        let build = if fields.is_undefined() || fields.is_null() {
            Err(type_error(
                "updateConfig(fields): fields are required ({ default_network })",
            ))
        } else {
            from_js::<config::ConfigUpdate>(&fields, "updateConfig(fields)")
                .and_then(|f| config::update_config_fields(c.account(), &f).or_js())
        };
        run(c, build, None, Reply::Object("the account config"))
    }

    /// ListAccessKeys (or ListUserAccessKeys with `{ user }`), secrets left out (9.11.0+).
    #[wasm_bindgen(js_name = accessKeys, unchecked_return_type = "Promise<AccessKey[]>")]
    pub fn access_keys(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ user?: string }")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let c = &self.client;
        let build = user_option(options, "accessKeys(options)")
            .and_then(|u| accesskeys::list_access_keys(c.account(), u.as_deref()).or_js());
        run(c, build, Some(("accessKeys()", ACCESS_KEYS)), Reply::Keys)
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
        let c = &self.client;
        let build = string_arg(&id, "accessKey(id): id").and_then(|id| {
            let u = user_option(options, "accessKey(id, options)")?;
            accesskeys::get_access_key(c.account(), u.as_deref(), &id).or_js()
        });
        run(c, build, Some(("accessKey()", ACCESS_KEYS)), Reply::Key)
    }

    /// CreateAccessKey (or CreateUserAccessKey with `user`): the only answer that carries
    /// `accesskeysecret`; never retried (9.11.0+).
    #[wasm_bindgen(js_name = createAccessKey, unchecked_return_type = "Promise<AccessKey>")]
    pub fn create_access_key(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "AccessKeyInput")] fields: Option<JsValue>,
    ) -> Promise {
        let c = &self.client;
        let build = from_js::<accesskeys::AccessKeyInput>(
            &fields.unwrap_or_default(),
            "createAccessKey(fields)",
        )
        .and_then(|f| {
            accesskeys::create_access_key(c.account(), f.user.as_deref(), f.description.as_deref())
                .or_js()
        });
        run(
            c,
            build,
            Some(("createAccessKey()", ACCESS_KEYS)),
            Reply::NewKey,
        )
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
        let c = &self.client;
        let build = string_arg(&id, "deleteAccessKey(id): id").and_then(|id| {
            let u = user_option(options, "deleteAccessKey(id, options)")?;
            accesskeys::delete_access_key(c.account(), u.as_deref(), &id).or_js()
        });
        run(
            c,
            build,
            Some(("deleteAccessKey()", ACCESS_KEYS)),
            Reply::Nothing,
        )
    }

    /// ListServices: `{ name: url }` of the services this datacenter offers (cloudapi, docker, manta…).
    #[wasm_bindgen(unchecked_return_type = "Promise<Record<string, string>>")]
    pub fn services(&self) -> Promise {
        let c = &self.client;
        let build = services::list_services(c.account()).or_js();
        run(c, build, None, Reply::Urls)
    }

    /// Ping (`GET /--ping`): the API versions served and the server's code version, which
    /// feature checks then use (cached per URL; this call always asks again).
    #[wasm_bindgen(unchecked_return_type = "Promise<PingInfo>")]
    pub fn ping(&self) -> Promise {
        let c = self.client.clone();
        promise(async move {
            let info = gate::ping(&c).await.or_js()?;
            // Why by hand: serde-wasm-bindgen's serializer would be linked for this one object.
            let o = Object::new();
            let put = |k: &str, v: JsValue| Reflect::set(&o, &JsValue::from_str(k), &v);
            put("ping", JsValue::from_str(&info.ping))?;
            let versions: Array = info.versions.iter().map(|v| JsValue::from_str(v)).collect();
            put("versions", versions.into())?;
            if let Some(v) = &info.server_version {
                put("serverVersion", JsValue::from_str(v))?;
            }
            if let Some(d) = &info.datacenter {
                put("datacenter", JsValue::from_str(d))?;
            }
            Ok(o.into())
        })
    }
}
