//! Volumes (NFS shared storage; experimental, operator-enabled; cloudapi.md §4.16).

use super::{
    Extra, ScalarMap, account_path, lenient, quoted, require_name, require_uuid, scalar_map,
};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// States a volume reports (`deleted` is what a wait for DeleteVolume sees once it is gone).
/// TypeScript: `VolumeStateName`
pub const VOLUME_STATES: &[&str] = &["creating", "ready", "deleting", "deleted", "failed"];

/// A volume.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Volume {
    /// UUID.
    #[serde(default)]
    pub id: String,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Owner account UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_uuid: Option<String>,
    /// `tritonnfs`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<String>,
    /// Creation time, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// One of [`VOLUME_STATES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Network UUIDs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networks: Option<Vec<String>>,
    /// UUIDs of machines that mount it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refs: Option<Vec<String>>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<ScalarMap>,
    /// Size in MiB.
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub size: Option<u64>,
    /// NFS path, `host:/path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filesystem_path: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// ListVolumes filters.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolumeFilters {
    /// Name, `*` globs allowed.
    #[serde(default)]
    pub name: Option<String>,
    /// A JSON predicate (sent as JSON text).
    #[serde(default)]
    pub predicate: Option<Json>,
    /// Size in MiB.
    #[serde(default)]
    pub size: Option<u64>,
    /// State.
    #[serde(default)]
    pub state: Option<String>,
    /// Type.
    #[serde(rename = "type", default)]
    pub volume_type: Option<String>,
}

/// ListVolumes.
pub fn list_volumes(account: &str, f: &VolumeFilters) -> Result<Request, Error> {
    let mut r = Request::get(account_path(account, &["volumes"])?);
    if let Some(n) = &f.name {
        r = r.query("name", require_name("name", n)?);
    }
    if let Some(p) = &f.predicate {
        if !matches!(p, Json::Object(_)) {
            return Err(Error::invalid_argument("predicate must be an object"));
        }
        r = r.query("predicate", p.to_json_string());
    }
    r = r.query_opt("size", f.size);
    if let Some(s) = &f.state {
        r = r.query("state", require_name("state", s)?);
    }
    if let Some(t) = &f.volume_type {
        r = r.query("type", require_name("type", t)?);
    }
    Ok(r)
}

/// CreateVolume options.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateVolume {
    /// Name (server-generated if absent).
    #[serde(default)]
    pub name: Option<String>,
    /// Size in MiB (default 10240; see ListVolumeSizes).
    #[serde(default)]
    pub size: Option<u64>,
    /// `tritonnfs` (the default).
    #[serde(rename = "type", default)]
    pub volume_type: Option<String>,
    /// Fabric network UUIDs.
    #[serde(default)]
    pub networks: Option<Vec<String>>,
    /// Affinity rules.
    #[serde(default)]
    pub affinity: Option<Vec<String>>,
    /// Tags.
    #[serde(default)]
    pub tags: Option<ScalarMap>,
}

fn volume_name(n: &str) -> Result<&str, Error> {
    require_name("volume name", n)?;
    if n.len() > 256
        || !n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(Error::invalid_argument(format!(
            "volume name {} may only contain letters, digits, '_', '.' and '-'",
            quoted(n)
        )));
    }
    Ok(n)
}

/// CreateVolume (201, `state:"creating"`). Not retried.
pub fn create_volume(account: &str, opts: &CreateVolume) -> Result<Request, Error> {
    let mut body = Vec::new();
    if let Some(n) = &opts.name {
        body.push(("name".to_string(), Json::from(volume_name(n)?)));
    }
    if let Some(s) = opts.size {
        if s == 0 {
            return Err(Error::invalid_argument(
                "volume size must be more than 0 MiB",
            ));
        }
        body.push(("size".to_string(), Json::Number(s as f64)));
    }
    body.push((
        "type".to_string(),
        Json::from(opts.volume_type.as_deref().unwrap_or("tritonnfs")),
    ));
    if let Some(nets) = &opts.networks {
        let mut out = Vec::with_capacity(nets.len());
        for n in nets {
            out.push(Json::from(require_uuid("network", n)?));
        }
        body.push(("networks".to_string(), Json::Array(out)));
    }
    if let Some(a) = &opts.affinity {
        let mut out = Vec::with_capacity(a.len());
        for r in a {
            out.push(Json::from(require_name("affinity rule", r)?));
        }
        body.push(("affinity".to_string(), Json::Array(out)));
    }
    if let Some(t) = &opts.tags {
        scalar_map("tags", t, &[])?;
        body.push(("tags".to_string(), t.clone()));
    }
    Ok(Request::post(account_path(account, &["volumes"])?).body(Json::Object(body)))
}

/// GetVolume.
pub fn get_volume(account: &str, id: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(
        account,
        &["volumes", require_uuid("volume id", id)?],
    )?))
}

/// UpdateVolume: rename only. Retry-safe.
pub fn rename_volume(account: &str, id: &str, name: &str) -> Result<Request, Error> {
    Ok(Request::post(account_path(
        account,
        &["volumes", require_uuid("volume id", id)?],
    )?)
    .body(Json::Object(vec![(
        "name".to_string(),
        Json::from(volume_name(name)?),
    )]))
    .retry_safe())
}

/// UpdateVolume fields (CloudAPI can only rename a volume).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateVolume {
    /// The new name (required).
    #[serde(default)]
    pub name: Option<String>,
}

/// UpdateVolume from its fields. Retry-safe.
pub fn update_volume(account: &str, id: &str, input: &UpdateVolume) -> Result<Request, Error> {
    match &input.name {
        Some(n) => rename_volume(account, id, n),
        None => Err(Error::invalid_argument(
            "updateVolume needs name (the only field CloudAPI can change)",
        )),
    }
}

/// DeleteVolume (asynchronous; 204).
pub fn delete_volume(account: &str, id: &str) -> Result<Request, Error> {
    Ok(Request::delete(account_path(
        account,
        &["volumes", require_uuid("volume id", id)?],
    )?))
}

/// An available volume size.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VolumeSize {
    /// Size in MiB.
    #[serde(default)]
    pub size: u64,
    /// Volume type.
    #[serde(rename = "type", default)]
    pub volume_type: String,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// ListVolumeSizes (optionally for one type).
pub fn list_volume_sizes(account: &str, volume_type: Option<&str>) -> Result<Request, Error> {
    let r = Request::get(account_path(account, &["volumesizes"])?);
    Ok(match volume_type {
        Some(t) => r.query("type", require_name("type", t)?),
        None => r,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7a";

    #[test]
    fn update_volume_renames_only() {
        let r = update_volume(
            "my",
            ID,
            &UpdateVolume {
                name: Some("data-2".into()),
            },
        )
        .unwrap();
        assert_eq!(r.target(), format!("/my/volumes/{ID}"));
        assert_eq!(r.body_text().unwrap(), r#"{"name":"data-2"}"#);
        assert!(r.idempotent);
        let e = update_volume("my", ID, &UpdateVolume::default()).unwrap_err();
        assert_eq!(e.code, "InvalidArgument");
        let e = update_volume(
            "my",
            ID,
            &UpdateVolume {
                name: Some("a b".into()),
            },
        )
        .unwrap_err();
        assert!(e.message.contains("may only contain"), "{}", e.message);
        assert!(VOLUME_STATES.contains(&"deleted"));
    }
}
