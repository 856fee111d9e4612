//! Machine tags and metadata (ListMachineTags … DeleteMachineMetadata): each write resolves
//! with what CloudAPI answered, updates the machine's cached `tags`/`metadata`, and with
//! `{ wait }` resolves once a read shows the change (CloudAPI applies it as a job).

use super::datacenter::promise;
use super::js_error::{OrJs, to_js, type_error};
use super::machine::{Machine, State, get, set, shallow_copy, to_json};
use super::machine_wait::{Expect, wait_map};
use super::options::{kind, string_arg};
use super::wait::WaitOptions;
use crate::api::{metadata, tags};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use js_sys::{Array, Object, Promise, Reflect};
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Machine {
    /// ListMachineMetadata; resolves with the map (and updates `metadata`).
    #[wasm_bindgen(js_name = getMetadata, unchecked_return_type = "Promise<Record<string, string | number | boolean>>")]
    pub fn get_metadata(&self) -> Promise {
        self.map_call(
            "metadata",
            |a, id| metadata::list_metadata(a, id, false),
            Ok(None),
        )
    }

    /// UpdateMachineMetadata: merges `values`; resolves with the resulting map (`{ wait }`:
    /// once ListMachineMetadata shows them).
    #[wasm_bindgen(js_name = updateMetadata, unchecked_return_type = "Promise<Record<string, string | number | boolean>>")]
    pub fn update_metadata(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string | number | boolean>")]
        values: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        let values = match map_arg(&values, "updateMetadata(values)") {
            Ok(v) => v,
            Err(e) => return Promise::reject(&e),
        };
        let wait = wait_for_map(options, "updateMetadata(values, options)", || {
            Expect::Has(pairs(&values))
        });
        self.map_call(
            "metadata",
            move |a, id| metadata::update_metadata(a, id, &values),
            wait,
        )
    }

    /// DeleteMachineMetadata for `key` (204; `{ wait }`: until a read lacks it).
    #[wasm_bindgen(js_name = deleteMetadata, unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn delete_metadata(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        let key = match string_arg(&key, "deleteMetadata(key): key") {
            Ok(k) => k,
            Err(e) => return Promise::reject(&e),
        };
        let forget = key.clone();
        let gone = key.clone();
        let wait = wait_for_map(options, "deleteMetadata(key, options)", move || {
            Expect::Lacks(Box::new(move |k| k == gone))
        });
        self.empty_call(
            move |a, id| metadata::delete_metadata(a, id, &key),
            move |state| forget_keys(state, "metadata", |k| k == forget),
            wait.map(|w| w.map(|w| ("metadata", w))),
        )
    }

    /// DeleteAllMachineMetadata (204; CloudAPI keeps `root_authorized_keys` and `administrator_pw`).
    #[wasm_bindgen(js_name = deleteAllMetadata, unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn delete_all_metadata(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        let wait = wait_for_map(options, "deleteAllMetadata(options)", || {
            Expect::Lacks(Box::new(|k| !KEPT_METADATA.contains(&k)))
        });
        self.empty_call(
            metadata::delete_all_metadata,
            |state| forget_keys(state, "metadata", |k| !KEPT_METADATA.contains(&k)),
            wait.map(|w| w.map(|w| ("metadata", w))),
        )
    }

    /// Sets the boot script (`metadata["user-script"]`); resolves with the resulting metadata.
    #[wasm_bindgen(js_name = setBootScript, unchecked_return_type = "Promise<Record<string, string | number | boolean>>")]
    pub fn set_boot_script(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] script: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        let script = match string_arg(&script, "setBootScript(script): script") {
            Ok(s) => s,
            Err(e) => return Promise::reject(&e),
        };
        let wait = wait_for_map(options, "setBootScript(script, options)", || {
            Expect::Has(vec![("user-script".into(), Json::from(script.as_str()))])
        });
        self.map_call(
            "metadata",
            move |a, id| metadata::set_boot_script(a, id, &script),
            wait,
        )
    }

    /// Removes the boot script (204).
    #[wasm_bindgen(js_name = deleteBootScript, unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn delete_boot_script(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        let wait = wait_for_map(options, "deleteBootScript(options)", || {
            Expect::Lacks(Box::new(|k| k == "user-script"))
        });
        self.empty_call(
            metadata::delete_boot_script,
            |state| forget_keys(state, "metadata", |k| k == "user-script"),
            wait.map(|w| w.map(|w| ("metadata", w))),
        )
    }

    /// ListMachineTags; resolves with the map (and updates `tags`).
    #[wasm_bindgen(js_name = getTags, unchecked_return_type = "Promise<Record<string, string | number | boolean>>")]
    pub fn get_tags(&self) -> Promise {
        self.map_call("tags", tags::list_tags, Ok(None))
    }

    /// GetMachineTag as raw text (`Accept: text/plain`); non-string values read back as "".
    #[wasm_bindgen(js_name = getTag, unchecked_return_type = "Promise<string>")]
    pub fn get_tag(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> Promise {
        let name = match string_arg(&name, "getTag(name): name") {
            Ok(n) => n,
            Err(e) => return Promise::reject(&e),
        };
        let state = self.state.clone();
        let req = match tags::get_tag(state.client.account(), &state.id, &name) {
            Ok(r) => r,
            Err(e) => return Promise::reject(&to_js(&e)),
        };
        promise(async move {
            let r = state.client.fetch_empty(&req, None).await.or_js()?;
            Ok(JsValue::from_str(&r.body))
        })
    }

    /// AddMachineTags: merges `tags`; resolves with the resulting map.
    #[wasm_bindgen(js_name = addTags, unchecked_return_type = "Promise<Record<string, string | number | boolean>>")]
    pub fn add_tags(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string | number | boolean>")]
        tags: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        let t = match map_arg(&tags, "addTags(tags)") {
            Ok(v) => v,
            Err(e) => return Promise::reject(&e),
        };
        let wait = wait_for_map(options, "addTags(tags, options)", || Expect::Has(pairs(&t)));
        self.map_call("tags", move |a, id| tags::add_tags(a, id, &t), wait)
    }

    /// ReplaceMachineTags: the tags become exactly `tags`; resolves with the resulting map.
    #[wasm_bindgen(js_name = replaceTags, unchecked_return_type = "Promise<Record<string, string | number | boolean>>")]
    pub fn replace_tags(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string | number | boolean>")]
        tags: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        let t = match map_arg(&tags, "replaceTags(tags)") {
            Ok(v) => v,
            Err(e) => return Promise::reject(&e),
        };
        let wait = wait_for_map(options, "replaceTags(tags, options)", || {
            Expect::Exactly(pairs(&t))
        });
        self.map_call("tags", move |a, id| tags::replace_tags(a, id, &t), wait)
    }

    /// DeleteMachineTag (204; `{ wait }`: until a read lacks it).
    #[wasm_bindgen(js_name = deleteTag, unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn delete_tag(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        let name = match string_arg(&name, "deleteTag(name): name") {
            Ok(n) => n,
            Err(e) => return Promise::reject(&e),
        };
        let forget = name.clone();
        let gone = name.clone();
        let wait = wait_for_map(options, "deleteTag(name, options)", move || {
            Expect::Lacks(Box::new(move |k| k == gone))
        });
        self.empty_call(
            move |a, id| tags::delete_tag(a, id, &name),
            move |state| forget_keys(state, "tags", |k| k == forget),
            wait.map(|w| w.map(|w| ("tags", w))),
        )
    }

    /// DeleteMachineTags: removes every tag (204).
    #[wasm_bindgen(js_name = deleteAllTags, unchecked_return_type = "Promise<Machine | undefined>")]
    pub fn delete_all_tags(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg")] options: Option<JsValue>,
    ) -> Promise {
        let wait = wait_for_map(options, "deleteAllTags(options)", || {
            Expect::Lacks(Box::new(|_| true))
        });
        self.empty_call(
            tags::delete_all_tags,
            |state| forget_keys(state, "tags", |_| true),
            wait.map(|w| w.map(|w| ("tags", w))),
        )
    }
}

impl Machine {
    /// Builds a request now (bad input rejects before anything is sent), sends it, stores the
    /// map CloudAPI answers as the wire field `field`, and resolves with it; with a wait,
    /// resolves once a read of `field` shows the write (with that read).
    fn map_call(
        &self,
        field: &'static str,
        build: impl FnOnce(&str, &str) -> Result<Request, Error>,
        wait: Result<Option<MapWait>, JsValue>,
    ) -> Promise {
        let state = self.state.clone();
        let built = wait.and_then(|w| {
            let req = build(state.client.account(), &state.id).or_js()?;
            let w = match w {
                Some((opts, expect)) => Some((opts, expect, list_map(&state, field)?)),
                None => None,
            };
            Ok((req, w))
        });
        let (req, wait) = match built {
            Ok(b) => b,
            Err(e) => return Promise::reject(&e),
        };
        promise(async move {
            let map = state
                .client
                .fetch_json::<BTreeMap<String, Json>>(&req, "a map", None)
                .await
                .or_js()?;
            store_field(&state, field, &map);
            match wait {
                None => Ok(map),
                Some((opts, expect, list)) => wait_map(&state, &opts, field, list, expect).await,
            }
        })
    }

    /// Builds a request now, sends it expecting no body, then runs `after` on the state; with
    /// a wait, resolves with the machine once a read of the field shows the write.
    fn empty_call(
        &self,
        build: impl FnOnce(&str, &str) -> Result<Request, Error>,
        after: impl FnOnce(&State) + 'static,
        wait: Result<Option<(&'static str, MapWait)>, JsValue>,
    ) -> Promise {
        let state = self.state.clone();
        let built = wait.and_then(|w| {
            let req = build(state.client.account(), &state.id).or_js()?;
            let w = match w {
                Some((field, (opts, expect))) => {
                    Some((field, opts, expect, list_map(&state, field)?))
                }
                None => None,
            };
            Ok((req, w))
        });
        let (req, wait) = match built {
            Ok(b) => b,
            Err(e) => return Promise::reject(&e),
        };
        promise(async move {
            state.client.fetch_empty(&req, None).await.or_js()?;
            after(&state);
            match wait {
                None => Ok(JsValue::UNDEFINED),
                Some((field, opts, expect, list)) => {
                    wait_map(&state, &opts, field, list, expect).await?;
                    Ok(Machine::handle(&state).into())
                }
            }
        })
    }
}

/// Removes the keys `drop` picks from the wire map `field` (a copy replaces the cached object).
fn forget_keys(state: &State, field: &str, drop: impl Fn(&str) -> bool) {
    let map = get(&state.wire.borrow(), field);
    if !map.is_object() {
        return;
    }
    let copy = shallow_copy(&map);
    for k in Object::keys(copy.unchecked_ref::<Object>()).iter() {
        if k.as_string().is_some_and(|k| drop(&k)) {
            let _ = Reflect::delete_property(copy.unchecked_ref::<Object>(), &k);
        }
    }
    let wire = shallow_copy(&state.wire.borrow());
    set(&wire, field, &copy);
    *state.wire.borrow_mut() = wire;
}

/// A metadata/tags argument as JSON (the core checks keys and value types).
fn map_arg(v: &JsValue, what: &str) -> Result<Json, JsValue> {
    if !v.is_object() || v.is_function() || Array::is_array(v) {
        return Err(type_error(format!(
            "{what} must be an object of key → string/number/boolean, got {}",
            kind(v)
        )));
    }
    to_json(v, what)
}

/// How a tags/metadata write waits, and what the read must show.
type MapWait = (WaitOptions, Expect);

/// Metadata keys DeleteAllMachineMetadata keeps.
const KEPT_METADATA: &[&str] = &["root_authorized_keys", "administrator_pw"];

/// Stores `map` as the wire field `field` (a copy replaces the cached object).
pub(crate) fn store_field(state: &State, field: &str, map: &JsValue) {
    let wire = shallow_copy(&state.wire.borrow());
    set(&wire, field, map);
    *state.wire.borrow_mut() = wire;
}

/// The read a tags/metadata wait polls.
fn list_map(state: &State, field: &str) -> Result<Request, JsValue> {
    if field == "tags" {
        tags::list_tags(state.client.account(), &state.id).or_js()
    } else {
        metadata::list_metadata(state.client.account(), &state.id, false).or_js()
    }
}

/// The `{ wait }` of a tags/metadata write and what the read must show.
fn wait_for_map(
    options: Option<JsValue>,
    what: &'static str,
    expect: impl FnOnce() -> Expect,
) -> Result<Option<MapWait>, JsValue> {
    Ok(WaitOptions::from_wait_arg(options.as_ref(), what)?.map(|o| (o, expect())))
}

/// The pairs of a checked map argument.
fn pairs(map: &Json) -> Vec<(String, Json)> {
    match map {
        Json::Object(m) => m.clone(),
        _ => Vec::new(),
    }
}
