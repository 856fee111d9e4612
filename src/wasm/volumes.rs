//! Volumes (NFS shared storage) on `DataCenter` (cloudapi.md §4.16): list with filters, get,
//! create and delete with `{ wait }` (until `ready` / gone), rename, and the sizes offered.

use super::datacenter::{DataCenter, Search, ident_arg, promise, with_filters};
use super::js_error::OrJs;
use super::machine::set;
use super::options::{Options, from_js};
use super::resource_wait::{create_and_wait, required, send_json, wait_for};
use super::transport::{Client, HasId, JsDecoder, parse_checked};
use super::wait::WaitOptions;
use crate::api::volumes;
use crate::response;
use js_sys::{Object, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The shape checked of a volume size.
#[derive(serde::Deserialize)]
struct HasSize {
    #[serde(rename = "size")]
    _size: f64,
}

/// What `{ wait }` on createVolume waits for: the volume `ready`.
const READY: (&str, &str) = ("volume", "ready");

#[wasm_bindgen]
impl DataCenter {
    /// ListVolumes, with optional server-side filters (`name` with `*` globs, `state`, `size`,
    /// `type`, `predicate`; failed volumes are only listed when asked for by state) and a
    /// local `{ search, fields }` (default fields: name, id).
    #[wasm_bindgen(unchecked_return_type = "Promise<Volume[]>")]
    pub fn volumes(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "VolumeFilters & { search?: string | RegExp; fields?: string[] }"
        )]
        filters: Option<JsValue>,
    ) -> Promise {
        let parsed =
            with_filters::<volumes::VolumeFilters>(filters, "volumes(filters)", &["name", "id"])
                .and_then(|(f, search)| {
                    Ok((
                        volumes::list_volumes(self.client.account(), &f).or_js()?,
                        search,
                    ))
                });
        let (req, search) = match parsed {
            Ok(p) => p,
            Err(e) => return Promise::reject(&e),
        };
        let c = self.client.clone();
        promise(async move {
            let list = c
                .fetch_json::<Vec<HasId>>(&req, "a list of volumes", None)
                .await
                .or_js()?;
            Ok(Search::keep(&search, list))
        })
    }

    /// GetVolume by UUID (or a volume object).
    #[wasm_bindgen(unchecked_return_type = "Promise<Volume>")]
    pub fn volume(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Volume")] id: JsValue,
    ) -> Promise {
        match ident_arg(&id, "volume(id): id") {
            Ok(id) => send_json::<HasId>(
                &self.client,
                volumes::get_volume(self.client.account(), &id),
                "a volume",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// CreateVolume (`type` defaults to `tritonnfs`, `size` to 10240 MiB); resolves with it
    /// (`creating`), or with `{ wait }` once it is `ready`. Never retried.
    #[wasm_bindgen(js_name = createVolume, unchecked_return_type = "Promise<Volume>")]
    pub fn create_volume(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CreateVolume")] fields: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg<Volume>")] options: Option<JsValue>,
    ) -> Promise {
        let what = "createVolume(fields)";
        let parsed =
            from_js::<volumes::CreateVolume>(&fields.unwrap_or_default(), what).and_then(|f| {
                let spec =
                    WaitOptions::from_wait_arg(options.as_ref(), "createVolume(fields, options)")?;
                let req = volumes::create_volume(self.client.account(), &f).or_js()?;
                Ok((req, spec))
            });
        let (req, spec) = match parsed {
            Ok(p) => p,
            Err(e) => return Promise::reject(&e),
        };
        create_and_wait(
            &self.client,
            req,
            ("the new volume", None),
            spec,
            READY,
            volumes::get_volume,
        )
    }

    /// UpdateVolume: renames a volume (the only change CloudAPI allows); resolves with it.
    #[wasm_bindgen(js_name = updateVolume, unchecked_return_type = "Promise<Volume>")]
    pub fn update_volume(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Volume")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "UpdateVolume")] fields: JsValue,
    ) -> Promise {
        let what = "updateVolume(id, fields)";
        let parsed = ident_arg(&id, "updateVolume(id): id").and_then(|id| {
            required(&fields, what, "{ name }")?;
            let f = from_js::<volumes::UpdateVolume>(&fields, what)?;
            let req = volumes::update_volume(self.client.account(), &id, &f).or_js()?;
            Ok((id, req))
        });
        let (id, req) = match parsed {
            Ok(p) => p,
            Err(e) => return Promise::reject(&e),
        };
        let c = self.client.clone();
        promise(async move {
            let r = c.send(&req, &[], None).await.or_js()?;
            if r.body.trim().is_empty() {
                // Why: CloudAPI's docs promise 204 here while its code answers 200 with the
                // volume; on an empty answer the volume is read back instead.
                response::check(r.status, &r.headers, &r.body, &JsDecoder).or_js()?;
                let reread = volumes::get_volume(c.account(), &id).or_js()?;
                return c
                    .fetch_json::<HasId>(&reread, "a volume", None)
                    .await
                    .or_js();
            }
            parse_checked::<HasId>(&r, "a volume").or_js()
        })
    }

    /// DeleteVolume (asynchronous; `VolumeInUse` while mounted); resolves with undefined, with
    /// `{ wait }` once the volume is gone.
    #[wasm_bindgen(js_name = deleteVolume, unchecked_return_type = "Promise<void>")]
    pub fn delete_volume(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Volume")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg<Volume>")] options: Option<JsValue>,
    ) -> Promise {
        let parsed = ident_arg(&id, "deleteVolume(id): id").and_then(|id| {
            let spec = WaitOptions::from_wait_arg(options.as_ref(), "deleteVolume(id, options)")?;
            let req = volumes::delete_volume(self.client.account(), &id).or_js()?;
            Ok((id, req, spec))
        });
        let (id, req, spec) = match parsed {
            Ok(p) => p,
            Err(e) => return Promise::reject(&e),
        };
        let c = self.client.clone();
        promise(async move {
            c.fetch_empty(&req, None).await.or_js()?;
            if let Some(spec) = spec {
                wait_gone(&c, &id, spec).await?;
            }
            Ok(JsValue::UNDEFINED)
        })
    }

    /// ListVolumeSizes: the sizes (MiB) a volume can be created with, optionally of one `type`.
    #[wasm_bindgen(js_name = volumeSizes, unchecked_return_type = "Promise<VolumeSize[]>")]
    pub fn volume_sizes(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ type?: string }")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let t = Options::new(
            &options.unwrap_or_default(),
            "volumeSizes(options)",
            &["type"],
            true,
        )
        .and_then(|o| o.string("type"));
        match t {
            Ok(t) => send_json::<Vec<HasSize>>(
                &self.client,
                volumes::list_volume_sizes(self.client.account(), t.as_deref()),
                "a list of volume sizes",
            ),
            Err(e) => Promise::reject(&e),
        }
    }
}

/// Polls the volume `id` (just deleted) until GetVolume answers 404.
async fn wait_gone(c: &Rc<Client>, id: &str, opts: WaitOptions) -> Result<JsValue, JsValue> {
    let wire = Object::new();
    set(&wire, "id", &JsValue::from_str(id));
    set(&wire, "state", &JsValue::from_str("deleting"));
    let reread = volumes::get_volume(c.account(), id).or_js()?;
    wait_for(
        c.clone(),
        format!("volume {id}"),
        reread,
        wire.into(),
        "deleted",
        opts,
    )
    .await
}
