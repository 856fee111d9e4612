//! Images (datasets before API 8): ListImages, GetImage, DeleteImage, and the seed's
//! dataset lookups by id or URN (cloudapi.md §4.5).

use super::{Extra, account_path, lenient, quoted, require_name, require_uuid};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

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
    pub tags: Option<Json>,
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
    /// active, unactivated, disabled, creating, failed.
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
