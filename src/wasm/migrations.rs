//! Machine migrations (CloudAPI 9.6+): `dc.migrations()`, `machine.migration()`,
//! `machine.migrationEstimate()` and `machine.migrate(action, { affinity, wait })`, whose wait
//! polls GetMigration and reports each read through `onProgress`.

use super::datacenter::{DataCenter, promise};
use super::js_error::{OrJs, type_error};
use super::machine::Machine;
use super::machine_wait::{Remote, wait_remote};
use super::options::{Options, kind, string_arg};
use super::transport::{JsDecoder, parse_checked};
use super::wait::WaitOptions;
use crate::api::migrations;
use crate::json::Json;
use js_sys::{Array, Promise};
use std::cell::RefCell;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

/// The shape checked of a migration (keyed by its machine).
#[derive(serde::Deserialize)]
struct HasMachine {
    #[serde(rename = "machine")]
    _machine: String,
}

#[wasm_bindgen]
impl DataCenter {
    /// ListMigrations: every migration of the account.
    #[wasm_bindgen(unchecked_return_type = "Promise<Migration[]>")]
    pub fn migrations(&self) -> Promise {
        let c = self.client.clone();
        promise(async move {
            let req = migrations::list_migrations(c.account()).or_js()?;
            c.fetch_json::<Vec<HasMachine>>(&req, "a list of migrations", None)
                .await
                .or_js()
        })
    }
}

#[wasm_bindgen]
impl Machine {
    /// GetMigration: this machine's migration.
    #[wasm_bindgen(unchecked_return_type = "Promise<Migration>")]
    pub fn migration(&self) -> Promise {
        let s = self.state.clone();
        promise(async move {
            let req = migrations::get_migration(s.client.account(), &s.id).or_js()?;
            s.client
                .fetch_json::<HasMachine>(&req, "a migration", None)
                .await
                .or_js()
        })
    }

    /// MigrateMachineEstimate: `{ size, eta_ms }` of a migration of this machine.
    #[wasm_bindgen(js_name = migrationEstimate, unchecked_return_type = "Promise<{ size: number; eta_ms: number }>")]
    pub fn migration_estimate(&self) -> Promise {
        let s = self.state.clone();
        promise(async move {
            let req = migrations::migrate_estimate(s.client.account(), &s.id).or_js()?;
            s.client
                .fetch_json::<BTreeMap<String, Json>>(&req, "a migration estimate", None)
                .await
                .or_js()
        })
    }

    /// MigrateMachine: `begin`, `sync`, `switch`, `automatic`, `pause`, `abort`, `finalize`
    /// (resolves with the migration; `finalize` with undefined) or `watch` (resolves with the
    /// progress events). `{ wait }` polls GetMigration until it leaves `running` (calling
    /// `onProgress` with each read); `failed` rejects with `JobFailed`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Migration | MigrationProgress[] | undefined>")]
    pub fn migrate(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "\"begin\" | \"sync\" | \"switch\" | \"automatic\" | \"pause\" | \"abort\" | \"finalize\" | \"watch\""
        )]
        action: JsValue,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ affinity?: string[]; wait?: boolean | WaitOptions<Migration> }"
        )]
        options: Option<JsValue>,
    ) -> Promise {
        let s = self.state.clone();
        let built = (|| {
            let action = string_arg(&action, "migrate(action): action")?;
            let what = "migrate(action, options)";
            let o = Options::new(
                &options.unwrap_or_default(),
                what,
                &["affinity", "wait"],
                true,
            )?;
            let affinity = match o.get("affinity")? {
                None => None,
                Some(v) => Some(
                    serde_wasm_bindgen::from_value::<Vec<String>>(v.clone()).map_err(|_| {
                        type_error(format!(
                            "{what}: option affinity must be an array of strings, got {}",
                            kind(&v)
                        ))
                    })?,
                ),
            };
            let wait = WaitOptions::from_wait_value(o.get("wait")?, what)?;
            if wait.is_some() && matches!(action.as_str(), "watch" | "finalize") {
                return Err(type_error(format!(
                    "{what}: {action} takes no wait option (it ends when the call does)"
                )));
            }
            let a = s.client.account();
            let req = migrations::migrate(a, &s.id, &action, affinity.as_deref()).or_js()?;
            let get_req = migrations::get_migration(a, &s.id).or_js()?;
            Ok::<_, JsValue>((action, req, get_req, wait))
        })();
        let (action, req, get_req, wait) = match built {
            Ok(b) => b,
            Err(e) => return Promise::reject(&e),
        };
        promise(async move {
            let r = s.client.send(&req, &[], None).await.or_js()?;
            if action == "watch" {
                crate::response::check(r.status, &r.headers, &r.body, &JsDecoder).or_js()?;
                // Why: the core checks every line is an event; the JS objects keep all fields.
                migrations::parse_progress_stream(&r.body, &JsDecoder).or_js()?;
                let out = Array::new();
                for line in r.body.lines().filter(|l| !l.trim().is_empty()) {
                    out.push(&js_sys::JSON::parse(line)?);
                }
                return Ok(out.into());
            }
            if action == "finalize" {
                crate::response::check(r.status, &r.headers, &r.body, &JsDecoder).or_js()?;
                return Ok(JsValue::UNDEFINED);
            }
            let mig = parse_checked::<HasMachine>(&r, "a migration").or_js()?;
            let Some(opts) = wait else { return Ok(mig) };
            let w = Remote {
                client: s.client.clone(),
                label: format!("the migration of machine {}", s.id),
                req: get_req,
                wire: RefCell::new(mig),
            };
            wait_remote(
                &w,
                &opts,
                "leave \"running\"",
                false,
                |st| st != "running",
                &["failed"],
            )
            .await
        })
    }
}
