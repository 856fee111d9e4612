//! bhyve machine disks (9.4.1+, experimental; cloudapi.md §4.12).

use super::{Extra, account_path, lenient, require_name, require_uuid};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// A machine disk.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Disk {
    /// UUID.
    #[serde(default)]
    pub id: String,
    /// PCI slot, e.g. `0:5:1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pci_slot: Option<String>,
    /// Size in MiB.
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub size: Option<u64>,
    /// Boot disk.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub boot: Option<bool>,
    /// creating, resizing, deleting, or the machine's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Block size in bytes (9.19).
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub block_size: Option<u64>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A disk size: MiB, or all the remaining space of the package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskSize {
    /// Size in MiB.
    Mib(u64),
    /// The package's remaining space (`"remaining"`).
    Remaining,
}

impl DiskSize {
    fn json(self) -> Json {
        match self {
            DiskSize::Mib(n) => Json::Number(n as f64),
            DiskSize::Remaining => Json::from("remaining"),
        }
    }
}

fn disk_path(account: &str, machine: &str, disk: Option<&str>) -> Result<String, Error> {
    let m = require_uuid("machine id", machine)?;
    match disk {
        Some(d) => account_path(
            account,
            &["machines", m, "disks", require_uuid("disk id", d)?],
        ),
        None => account_path(account, &["machines", m, "disks"]),
    }
}

/// ListMachineDisks.
pub fn list_disks(account: &str, machine: &str) -> Result<Request, Error> {
    Ok(Request::get(disk_path(account, machine, None)?))
}

/// GetMachineDisk.
pub fn get_disk(account: &str, machine: &str, disk: &str) -> Result<Request, Error> {
    Ok(Request::get(disk_path(account, machine, Some(disk))?))
}

/// CreateMachineDisk (machine stopped; 202 without `pci_slot`, 200 with it). Not retried.
pub fn create_disk(
    account: &str,
    machine: &str,
    size: DiskSize,
    pci_slot: Option<&str>,
) -> Result<Request, Error> {
    if size == DiskSize::Mib(0) {
        return Err(Error::invalid_argument("disk size must be more than 0 MiB"));
    }
    let mut body = vec![("size".to_string(), size.json())];
    if let Some(p) = pci_slot {
        body.push((
            "pci_slot".to_string(),
            Json::from(require_name("pci_slot", p)?),
        ));
    }
    Ok(Request::post(disk_path(account, machine, None)?).body(Json::Object(body)))
}

/// ResizeMachineDisk to `size_mib` (shrinking needs `dangerous_allow_shrink`). Retry-safe.
pub fn resize_disk(
    account: &str,
    machine: &str,
    disk: &str,
    size_mib: u64,
    dangerous_allow_shrink: bool,
) -> Result<Request, Error> {
    if size_mib == 0 {
        return Err(Error::invalid_argument("disk size must be more than 0 MiB"));
    }
    let mut body = vec![("size".to_string(), Json::Number(size_mib as f64))];
    if dangerous_allow_shrink {
        body.push(("dangerous_allow_shrink".to_string(), Json::Bool(true)));
    }
    Ok(Request::post(disk_path(account, machine, Some(disk))?)
        .body(Json::Object(body))
        .retry_safe())
}

/// DeleteMachineDisk (machine stopped; 204).
pub fn delete_disk(account: &str, machine: &str, disk: &str) -> Result<Request, Error> {
    Ok(Request::delete(disk_path(account, machine, Some(disk))?))
}
