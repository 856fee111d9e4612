//! Image management on `DataCenter` (cloudapi.md §4.5): create from a machine, update,
//! export to Manta, clone a shared image, import from another datacenter; creates and
//! imports take `{ wait }` (resolve once the image is `active`).

use super::datacenter::{DataCenter, ident_arg};
use super::js_error::{OrJs, type_error};
use super::machine::{get, set};
use super::options::{from_js, string_arg};
use super::resource_wait::{create_and_wait, required, send_json};
use super::transport::HasId;
use super::wait::WaitOptions;
use crate::api::images;
use crate::json::Json;
use js_sys::{Object, Promise};
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// What `{ wait }` on an image create/import waits for: the image `active`.
const ACTIVE: (&str, &str) = ("image", "active");

#[wasm_bindgen]
impl DataCenter {
    /// CreateImageFromMachine: an image of `machine` (a UUID or a `Machine`); resolves with it
    /// (`creating`), or with `{ wait }` once it is `active`. Never retried.
    #[wasm_bindgen(js_name = createImage, unchecked_return_type = "Promise<Image>")]
    pub fn create_image(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "Omit<CreateImage, \"machine\"> & { machine: string | Machine | { id: string } }"
        )]
        fields: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg<Image>")] options: Option<JsValue>,
    ) -> Promise {
        let what = "createImage(fields)";
        let parsed = required(&fields, what, "{ machine, name, version, … }")
            .and_then(|()| machine_as_id(&fields))
            .and_then(|f| from_js::<images::CreateImage>(&f, what))
            .and_then(|f| {
                let spec =
                    WaitOptions::from_wait_arg(options.as_ref(), "createImage(fields, options)")?;
                let req = images::create_image_from_machine(self.client.account(), &f).or_js()?;
                Ok((req, spec))
            });
        let (req, spec) = match parsed {
            Ok(p) => p,
            Err(e) => return Promise::reject(&e),
        };
        create_and_wait(
            &self.client,
            req,
            ("the new image", None),
            spec,
            ACTIVE,
            images::get_image,
        )
    }

    /// UpdateImage: changes the given fields of your image; resolves with the image.
    #[wasm_bindgen(js_name = updateImage, unchecked_return_type = "Promise<Image>")]
    pub fn update_image(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Image")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Omit<CreateImage, \"machine\">")] fields: JsValue,
    ) -> Promise {
        let what = "updateImage(id, fields)";
        let parsed = ident_arg(&id, "updateImage(id): id").and_then(|id| {
            required(&fields, what, "{ name, version, description, … }")?;
            Ok((id, from_js::<images::CreateImage>(&fields, what)?))
        });
        match parsed {
            Ok((id, f)) => send_json::<HasId>(
                &self.client,
                images::update_image(self.client.account(), &id, &f),
                "an image",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// ExportImage: writes your image and its manifest under `mantaPath` in Manta; resolves
    /// with `{ manta_url, image_path, manifest_path }`. Never retried.
    #[wasm_bindgen(js_name = exportImage, unchecked_return_type = "Promise<ImageExport>")]
    pub fn export_image(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Image")] id: JsValue,
        #[wasm_bindgen(js_name = "mantaPath", unchecked_param_type = "string")] manta_path: JsValue,
    ) -> Promise {
        let parsed = ident_arg(&id, "exportImage(id): id").and_then(|id| {
            Ok((
                id,
                string_arg(&manta_path, "exportImage(id, mantaPath): mantaPath")?,
            ))
        });
        match parsed {
            Ok((id, path)) => send_json::<BTreeMap<String, Json>>(
                &self.client,
                images::export_image(self.client.account(), &id, &path),
                "the export locations",
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// CloneImage: a copy, owned by you, of an image shared with you; resolves with the copy.
    /// Never retried.
    #[wasm_bindgen(js_name = cloneImage, unchecked_return_type = "Promise<Image>")]
    pub fn clone_image(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Image")] id: JsValue,
    ) -> Promise {
        let req = ident_arg(&id, "cloneImage(id): id")
            .and_then(|id| images::clone_image(self.client.account(), &id).or_js());
        match req {
            Ok(req) => create_and_wait(
                &self.client,
                req,
                ("the cloned image", Some(("cloneImage()", "image clone"))),
                None,
                ACTIVE,
                images::get_image,
            ),
            Err(e) => Promise::reject(&e),
        }
    }

    /// ImportImageFromDatacenter: copies your image `id` from `datacenter` of this cloud;
    /// resolves with it (`unactivated`), or with `{ wait }` once it is `active`. Never retried.
    #[wasm_bindgen(js_name = importImage, unchecked_return_type = "Promise<Image>")]
    pub fn import_image(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ImportImage")] source: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitArg<Image>")] options: Option<JsValue>,
    ) -> Promise {
        let what = "importImage(source)";
        let parsed = required(&source, what, "{ datacenter, id }")
            .and_then(|()| from_js::<images::ImportImage>(&source, what))
            .and_then(|f| {
                let spec =
                    WaitOptions::from_wait_arg(options.as_ref(), "importImage(source, options)")?;
                let req = images::import_image(self.client.account(), &f).or_js()?;
                Ok((req, spec))
            });
        let (req, spec) = match parsed {
            Ok(p) => p,
            Err(e) => return Promise::reject(&e),
        };
        create_and_wait(
            &self.client,
            req,
            (
                "the imported image",
                Some(("importImage()", "image import from datacenter")),
            ),
            spec,
            ACTIVE,
            images::get_image,
        )
    }
}

/// `fields` with `machine` given as a `Machine` or `{ id }` replaced by its id (a copy, so the
/// caller's object is untouched).
fn machine_as_id(fields: &JsValue) -> Result<JsValue, JsValue> {
    let m = get(fields, "machine");
    if !m.is_object() || !fields.is_object() {
        return Ok(fields.clone());
    }
    let id = get(&m, "id").as_string().ok_or_else(|| {
        type_error("createImage(fields): machine must be a UUID, a Machine or an object with an id")
    })?;
    let copy = Object::new();
    Object::assign(&copy, fields.unchecked_ref());
    set(&copy, "machine", &JsValue::from_str(&id));
    Ok(copy.into())
}
