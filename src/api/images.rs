//! Images (datasets before API 8): ListImages, GetImage, DeleteImage, and the seed's
//! dataset lookups by id or URN (cloudapi.md §4.5).

use super::{Extra, ScalarMap, account_path, lenient, quoted, require_name, require_uuid};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// States an image reports (`creating` until CreateImageFromMachine's job finishes,
/// `unactivated` while an import copies the files).
/// TypeScript: `ImageStateName`
pub const IMAGE_STATES: &[&str] = &["active", "unactivated", "disabled", "creating", "failed"];

/// An image (also what the seed calls a dataset).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Image {
    /// UUID.
    pub id: String,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Version string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// OS (smartos, linux, windows, other…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// zone-dataset, lx-dataset, zvol, docker, other (smartmachine/virtualmachine before 8.0).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub image_type: Option<String>,
    /// Provisioning requirements (`min_ram`, `max_ram`, `brand`, `bootrom`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements: Option<Json>,
    /// zvol size in MiB.
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub image_size: Option<u64>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `[{compression, sha1, size}]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Json>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<ScalarMap>,
    /// Homepage URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// Publication time, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// Owner account UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Public image.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub public: Option<bool>,
    /// One of [`IMAGE_STATES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// EULA URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eula: Option<String>,
    /// Account UUIDs the image is shared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Vec<String>>,
    /// Origin image UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Failure details `{code, message}` for failed images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Json>,
    /// Dataset URN (`sdc:sdc:<name>:<version>`, API 6.5/7.x).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urn: Option<String>,
    /// Default dataset flag (API 6.5).
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub default: Option<bool>,
    /// Creation time (API 6.5 datasets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Image {
    /// The dataset URN: the server's `urn`, else `sdc:sdc:<name>:<version>`.
    pub fn urn(&self) -> Option<String> {
        if let Some(u) = &self.urn {
            return Some(u.clone());
        }
        match (&self.name, &self.version) {
            (Some(n), Some(v)) => Some(format!("sdc:sdc:{n}:{v}")),
            _ => None,
        }
    }
}

/// ListImages filters, with their wire names.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageFilters {
    /// Name (exact, or `~substring`).
    #[serde(default)]
    pub name: Option<String>,
    /// OS.
    #[serde(default)]
    pub os: Option<String>,
    /// Version.
    #[serde(default)]
    pub version: Option<String>,
    /// Only public (true) or private (false) images.
    #[serde(default)]
    pub public: Option<bool>,
    /// State (`all` to include inactive ones).
    #[serde(default)]
    pub state: Option<String>,
    /// Owner account UUID.
    #[serde(default)]
    pub owner: Option<String>,
    /// Image type (docker images are only listed when this is given).
    #[serde(rename = "type", default)]
    pub image_type: Option<String>,
}

/// ListImages: `GET /:login/images` (not paginated).
pub fn list_images(account: &str, f: &ImageFilters) -> Result<Request, Error> {
    let mut r = Request::get(account_path(account, &["images"])?);
    for (k, v) in [
        ("name", &f.name),
        ("os", &f.os),
        ("version", &f.version),
        ("state", &f.state),
        ("type", &f.image_type),
    ] {
        if let Some(v) = v {
            r = r.query(k, require_name(k, v)?);
        }
    }
    if let Some(p) = f.public {
        r = r.query("public", p.to_string());
    }
    if let Some(o) = &f.owner {
        r = r.query("owner", require_uuid("owner", o)?);
    }
    Ok(r)
}

/// GetImage: `GET /:login/images/:id`.
pub fn get_image(account: &str, id: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(
        account,
        &["images", require_uuid("image id", id)?],
    )?))
}

/// DeleteImage (owner only, 204).
pub fn delete_image(account: &str, id: &str) -> Result<Request, Error> {
    Ok(Request::delete(account_path(
        account,
        &["images", require_uuid("image id", id)?],
    )?))
}

/// ListDatasets, the seed's name: the image list (datasets became images in API 7).
pub fn list_datasets(account: &str) -> Result<Request, Error> {
    list_images(account, &ImageFilters::default())
}

/// The dataset flagged `default` (API 6.5), if any: the seed's `default_dataset()`.
pub fn default_dataset(images: &[Image]) -> Option<&Image> {
    images.iter().find(|i| i.default == Some(true))
}

/// `(name, version)` from a dataset URN `[<cloud>:]<owner>:<name>:<version>`.
pub fn parse_urn(urn: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = urn.split(':').collect();
    match parts.as_slice() {
        [_, _, name, version] | [_, name, version] if !name.is_empty() && !version.is_empty() => {
            Some((name.to_string(), version.to_string()))
        }
        _ => None,
    }
}

/// GetDataset by id or URN: a GetImage for a UUID, or a ListImages by the URN's name and
/// version (finish with [`pick_dataset`]).
pub fn get_dataset(account: &str, id_or_urn: &str) -> Result<Request, Error> {
    if super::is_uuid(id_or_urn) {
        return get_image(account, id_or_urn);
    }
    let (name, version) = parse_urn(id_or_urn).ok_or_else(|| {
        Error::invalid_argument(format!(
            "dataset must be a UUID or a URN like \"sdc:sdc:base64:1.8.1\", got {}",
            quoted(id_or_urn)
        ))
    })?;
    list_images(
        account,
        &ImageFilters {
            name: Some(name),
            version: Some(version),
            ..ImageFilters::default()
        },
    )
}

/// The image a URN names, among the images [`get_dataset`] listed.
pub fn pick_dataset(urn: &str, images: Vec<Image>) -> Result<Image, Error> {
    let (name, version) = parse_urn(urn)
        .ok_or_else(|| Error::invalid_argument(format!("not a dataset URN: {}", quoted(urn))))?;
    let exact = images.iter().position(|i| i.urn.as_deref() == Some(urn));
    let by_nv = images.iter().position(|i| {
        i.name.as_deref() == Some(name.as_str()) && i.version.as_deref() == Some(version.as_str())
    });
    match exact.or(by_nv) {
        Some(i) => images.into_iter().nth(i).ok_or_else(|| not_found(urn)),
        None => Err(not_found(urn)),
    }
}

fn not_found(urn: &str) -> Error {
    let mut e = Error::local(
        "ResourceNotFound",
        format!("no dataset matches {}", quoted(urn)),
    );
    e.status_code = 404;
    e
}

/// CreateImageFromMachine options (wire names).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateImage {
    /// Source machine UUID (required; it should be stopped or prepared).
    #[serde(default)]
    pub machine: Option<String>,
    /// Image name (required).
    #[serde(default)]
    pub name: Option<String>,
    /// Image version (required).
    #[serde(default)]
    pub version: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Homepage URL.
    #[serde(default)]
    pub homepage: Option<String>,
    /// EULA URL.
    #[serde(default)]
    pub eula: Option<String>,
    /// Account UUIDs to share with.
    #[serde(default)]
    pub acl: Option<Vec<String>>,
    /// Tags.
    #[serde(default)]
    pub tags: Option<ScalarMap>,
}

impl CreateImage {
    fn body(&self) -> Result<Vec<(String, Json)>, Error> {
        let mut body = Vec::new();
        if let Some(m) = &self.machine {
            body.push((
                "machine".to_string(),
                Json::from(require_uuid("machine", m)?),
            ));
        }
        for (k, v) in [
            ("name", &self.name),
            ("version", &self.version),
            ("description", &self.description),
            ("homepage", &self.homepage),
            ("eula", &self.eula),
        ] {
            if let Some(v) = v {
                body.push((k.to_string(), Json::from(require_name(k, v)?)));
            }
        }
        if let Some(acl) = &self.acl {
            let mut ids = Vec::with_capacity(acl.len());
            for a in acl {
                ids.push(Json::from(require_uuid("acl entry", a)?));
            }
            body.push(("acl".to_string(), Json::Array(ids)));
        }
        if let Some(t) = &self.tags {
            super::scalar_map("tags", t, &[])?;
            body.push(("tags".to_string(), t.clone()));
        }
        Ok(body)
    }
}

/// CreateImageFromMachine: `POST /:login/images` (201, `state:"creating"`). Not retried.
pub fn create_image_from_machine(account: &str, opts: &CreateImage) -> Result<Request, Error> {
    if opts.machine.is_none() || opts.name.is_none() || opts.version.is_none() {
        return Err(Error::invalid_argument(
            "createImage needs machine, name and version",
        ));
    }
    Ok(Request::post(account_path(account, &["images"])?).body(Json::Object(opts.body()?)))
}

/// UpdateImage: `POST /:login/images/:id?action=update` (no `machine`). Retry-safe.
pub fn update_image(account: &str, id: &str, opts: &CreateImage) -> Result<Request, Error> {
    if opts.machine.is_some() {
        return Err(Error::invalid_argument(
            "updateImage cannot change the source machine",
        ));
    }
    let body = opts.body()?;
    if body.is_empty() {
        return Err(Error::invalid_argument(
            "updateImage needs at least one field to change",
        ));
    }
    Ok(image_action(account, id, "update")?
        .body(Json::Object(body))
        .retry_safe())
}

fn image_action(account: &str, id: &str, action: &str) -> Result<Request, Error> {
    Ok(Request::post(account_path(
        account,
        &["images", require_uuid("image id", id)?],
    )?)
    .query("action", action))
}

/// ExportImage to Manta: `?action=export&manta_path=…` (200 `{manta_url, image_path,
/// manifest_path}`). Not retried.
pub fn export_image(account: &str, id: &str, manta_path: &str) -> Result<Request, Error> {
    let p = require_name("manta_path", manta_path)?;
    Ok(image_action(account, id, "export")?.query("manta_path", p))
}

/// What ExportImage answers: where in Manta the image file and its manifest were written.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ImageExport {
    /// The Manta URL the paths are on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manta_url: Option<String>,
    /// Manta path of the image file.
    #[serde(default)]
    pub image_path: String,
    /// Manta path of the image manifest.
    #[serde(default)]
    pub manifest_path: String,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// ImportImageFromDatacenter options (wire names).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportImage {
    /// The datacenter (of this cloud) the image is copied from (required).
    #[serde(default)]
    pub datacenter: Option<String>,
    /// The UUID of your image there (required; the copy keeps it).
    #[serde(default)]
    pub id: Option<String>,
}

/// CloneImage (9.1+): copy an image shared with you into your account. Not retried.
pub fn clone_image(account: &str, id: &str) -> Result<Request, Error> {
    image_action(account, id, "clone")
}

/// ImportImageFromDatacenter (9.2+): copy your image `id` from datacenter `datacenter`.
/// Not retried.
pub fn import_image_from_datacenter(
    account: &str,
    datacenter: &str,
    id: &str,
) -> Result<Request, Error> {
    Ok(Request::post(account_path(account, &["images"])?)
        .query("action", "import-from-datacenter")
        .query("datacenter", require_name("datacenter", datacenter)?)
        .query("id", require_uuid("image id", id)?))
}

/// ImportImageFromDatacenter from its options: both `datacenter` and `id` are required.
pub fn import_image(account: &str, opts: &ImportImage) -> Result<Request, Error> {
    match (&opts.datacenter, &opts.id) {
        (Some(dc), Some(id)) => import_image_from_datacenter(account, dc, id),
        _ => Err(Error::invalid_argument(
            "importImage needs datacenter (where the image is) and id (its UUID)",
        )),
    }
}

/// Splits `name@version` (version optional) as node-triton writes image references.
pub fn parse_name_version(s: &str) -> (&str, Option<&str>) {
    match s.rsplit_once('@') {
        Some((n, v)) if !n.is_empty() && !v.is_empty() => (n, Some(v)),
        _ => (s, None),
    }
}

/// Orders version strings by their numeric and alphabetic runs (`1.10.0` > `1.9.2`,
/// `20.4.0` > `19.4.0`), so "latest" means what people expect.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut last: Option<bool> = None;
        for (i, c) in s.char_indices() {
            let digit = c.is_ascii_digit();
            if !c.is_alphanumeric() {
                if let Some(d) = last {
                    out.push((d, s.get(start..i).unwrap_or("")));
                }
                last = None;
                start = i + c.len_utf8();
                continue;
            }
            match last {
                Some(d) if d != digit => {
                    out.push((d, s.get(start..i).unwrap_or("")));
                    start = i;
                }
                _ => {}
            }
            last = Some(digit);
        }
        if let Some(d) = last {
            out.push((d, s.get(start..).unwrap_or("")));
        }
        out
    }
    let (ra, rb) = (runs(a), runs(b));
    for (x, y) in ra.iter().zip(rb.iter()) {
        let ord = match (x, y) {
            ((true, x), (true, y)) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            ((true, _), (false, _)) => std::cmp::Ordering::Greater,
            ((false, _), (true, _)) => std::cmp::Ordering::Less,
            ((false, x), (false, y)) => x.cmp(y),
        };
        if ord != std::cmp::Ordering::Equal {
            return ord;
        }
    }
    ra.len().cmp(&rb.len())
}

/// Resolves `name` or `name@version` among `images`: the latest by `published_at`, then by
/// version. `ResourceNotFound` (404) when none matches.
pub fn pick_latest<'a>(reference: &str, images: &'a [Image]) -> Result<&'a Image, Error> {
    let (name, version) = parse_name_version(reference);
    images
        .iter()
        .filter(|i| i.name.as_deref() == Some(name))
        .filter(|i| version.is_none() || i.version.as_deref() == version)
        .max_by(|a, b| {
            let pa = a.published_at.as_deref().unwrap_or("");
            let pb = b.published_at.as_deref().unwrap_or("");
            pa.cmp(pb).then_with(|| {
                compare_versions(
                    a.version.as_deref().unwrap_or(""),
                    b.version.as_deref().unwrap_or(""),
                )
            })
        })
        .ok_or_else(|| {
            let mut e = Error::local(
                "ResourceNotFound",
                format!("no image named {}", quoted(reference)),
            );
            e.status_code = 404;
            e
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7a";

    #[test]
    fn import_image_needs_both_fields() {
        let both = ImportImage {
            datacenter: Some("us-east-1".into()),
            id: Some(ID.into()),
        };
        assert_eq!(
            import_image("my", &both).unwrap().target(),
            format!("/my/images?action=import-from-datacenter&datacenter=us-east-1&id={ID}")
        );
        let e = import_image(
            "my",
            &ImportImage {
                id: Some(ID.into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.code, "InvalidArgument");
        assert!(e.message.contains("datacenter"), "{}", e.message);
        let e = import_image(
            "my",
            &ImportImage {
                datacenter: Some("us-east-1".into()),
                id: Some("nope".into()),
            },
        )
        .unwrap_err();
        assert!(
            e.message.starts_with("image id must be a UUID"),
            "{}",
            e.message
        );
    }

    #[test]
    fn export_answer_decodes() {
        let e: ImageExport = serde_json::from_str(
            r#"{"manta_url":"https://m","image_path":"/a/i.zfs.gz","manifest_path":"/a/i.imgmanifest"}"#,
        )
        .unwrap();
        assert_eq!(e.image_path, "/a/i.zfs.gz");
        assert_eq!(e.manta_url.as_deref(), Some("https://m"));
        assert!(IMAGE_STATES.contains(&"creating"));
    }
}
