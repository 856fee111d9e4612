//! Packages: ListPackages, GetPackage, and the seed's default package (cloudapi.md §4.6).

use super::{Extra, account_path, lenient, require_name};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use serde::{Deserialize, Serialize};

/// A package (instance size).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Package {
    /// UUID (absent in API 6.5, where the name was the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// RAM in MiB.
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub memory: Option<u64>,
    /// Disk in MiB.
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub disk: Option<u64>,
    /// Swap in MiB.
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub swap: Option<u64>,
    /// Maximum lightweight processes.
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub lwps: Option<u64>,
    /// Virtual CPUs (0 if unset).
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub vcpus: Option<u64>,
    /// Version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Default package flag (deprecated; `"true"` strings in API 6.5).
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub default: Option<bool>,
    /// Brand restriction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// bhyve flexible disk package.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub flexible_disk: Option<bool>,
    /// bhyve default disks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disks: Option<Json>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// ListPackages filters (`*` wildcards allowed in strings).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageFilters {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// RAM in MiB.
    #[serde(default)]
    pub memory: Option<u64>,
    /// Disk in MiB.
    #[serde(default)]
    pub disk: Option<u64>,
    /// Swap in MiB.
    #[serde(default)]
    pub swap: Option<u64>,
    /// Lightweight processes.
    #[serde(default)]
    pub lwps: Option<u64>,
    /// Virtual CPUs.
    #[serde(default)]
    pub vcpus: Option<u64>,
    /// Version.
    #[serde(default)]
    pub version: Option<String>,
    /// Group.
    #[serde(default)]
    pub group: Option<String>,
    /// Flexible disk packages only.
    #[serde(default)]
    pub flexible_disk: Option<bool>,
    /// Brand.
    #[serde(default)]
    pub brand: Option<String>,
}

/// ListPackages: `GET /:login/packages`.
pub fn list_packages(account: &str, f: &PackageFilters) -> Result<Request, Error> {
    let mut r = Request::get(account_path(account, &["packages"])?);
    if let Some(n) = &f.name {
        r = r.query("name", require_name("name", n)?);
    }
    for (k, v) in [
        ("memory", f.memory),
        ("disk", f.disk),
        ("swap", f.swap),
        ("lwps", f.lwps),
        ("vcpus", f.vcpus),
    ] {
        r = r.query_opt(k, v);
    }
    for (k, v) in [
        ("version", &f.version),
        ("group", &f.group),
        ("brand", &f.brand),
    ] {
        if let Some(v) = v {
            r = r.query(k, require_name(k, v)?);
        }
    }
    Ok(r.query_opt("flexible_disk", f.flexible_disk))
}

/// GetPackage by UUID or name (the server picks the highest version of a name).
pub fn get_package(account: &str, id_or_name: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(
        account,
        &["packages", require_name("package id or name", id_or_name)?],
    )?))
}

/// The package flagged `default`, if any (the seed's `default_package()`).
pub fn default_package(packages: &[Package]) -> Option<&Package> {
    packages.iter().find(|p| p.default == Some(true))
}
