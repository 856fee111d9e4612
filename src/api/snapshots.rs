//! Machine snapshots: List/Get/Create/Delete, StartMachineFromSnapshot (cloudapi.md §4.8).

use super::{Extra, account_path, lenient, quoted, require_name, require_uuid};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// States a snapshot reports.
/// TypeScript: `SnapshotStateName`
pub const SNAPSHOT_STATES: &[&str] = &[
    "queued", "running", "created", "failed", "canceled", "deleted",
];

/// A machine snapshot.
/// TypeScript: `SnapshotData`
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Snapshot {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// One of [`SNAPSHOT_STATES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Size in MiB (9.4+).
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub size: Option<u64>,
    /// Creation time, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last update, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

fn snap_path(account: &str, machine: &str, name: Option<&str>) -> Result<String, Error> {
    let m = require_uuid("machine id", machine)?;
    match name {
        Some(n) => account_path(account, &["machines", m, "snapshots", snapshot_name(n)?]),
        None => account_path(account, &["machines", m, "snapshots"]),
    }
}

fn snapshot_name(n: &str) -> Result<&str, Error> {
    require_name("snapshot name", n)?;
    if n.contains('/') {
        return Err(Error::invalid_argument(format!(
            "snapshot name {} must not contain '/'",
            quoted(n)
        )));
    }
    Ok(n)
}

/// ListMachineSnapshots.
pub fn list_snapshots(account: &str, machine: &str) -> Result<Request, Error> {
    Ok(Request::get(snap_path(account, machine, None)?))
}

/// GetMachineSnapshot.
pub fn get_snapshot(account: &str, machine: &str, name: &str) -> Result<Request, Error> {
    Ok(Request::get(snap_path(account, machine, Some(name))?))
}

/// CreateMachineSnapshot (201 `{name, state:"queued"}`; the server names it by UTC time when
/// `name` is `None`). Not retried.
pub fn create_snapshot(account: &str, machine: &str, name: Option<&str>) -> Result<Request, Error> {
    let r = Request::post(snap_path(account, machine, None)?);
    Ok(match name {
        Some(n) => r.body(Json::Object(vec![(
            "name".to_string(),
            Json::from(snapshot_name(n)?),
        )])),
        None => r.body(Json::Object(Vec::new())),
    })
}

/// StartMachineFromSnapshot (roll back; 202). Not retried.
pub fn start_from_snapshot(account: &str, machine: &str, name: &str) -> Result<Request, Error> {
    Ok(Request::post(snap_path(account, machine, Some(name))?))
}

/// DeleteMachineSnapshot (204).
pub fn delete_snapshot(account: &str, machine: &str, name: &str) -> Result<Request, Error> {
    Ok(Request::delete(snap_path(account, machine, Some(name))?))
}
