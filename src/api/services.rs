//! Services and server identity: ListServices, `GET /--ping` (API versions) and the
//! server's code version from `Server: cloudapi/<x.y.z>`, used to gate features with a clear
//! `NotSupported` error (cloudapi.md §2.1, §4.1).

use super::{Extra, account_path};
use crate::error::{Error, codes};
use crate::json::Json;
use crate::request::Request;
use crate::response::header;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// ListServices: `GET /:login/services` → `{service: url}` (read with `datacenters::url_map`).
pub fn list_services(account: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(account, &["services"])?))
}

/// Ping: `GET /--ping`, unauthenticated; answers `{ping, cloudapi: {versions}}`.
pub fn ping() -> Request {
    Request::get("/--ping")
}

/// The ping answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Ping {
    /// `"pong"`.
    #[serde(default)]
    pub ping: String,
    /// `{versions: ["7.0.0", …, "9.0.0"]}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudapi: Option<Json>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Ping {
    /// The API versions the server serves, parsed; unparseable entries are skipped.
    pub fn versions(&self) -> Vec<Version> {
        match self.cloudapi.as_ref().and_then(|c| c.get("versions")) {
            Some(Json::Array(v)) => v
                .iter()
                .filter_map(Json::as_str)
                .filter_map(Version::parse)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A `major.minor.patch` version (missing parts are 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Patch.
    pub patch: u32,
}

impl Version {
    /// Parses `9`, `9.20` or `9.20.0` (a leading `v` and a `-suffix` are ignored).
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches('v');
        let core = s.split(['-', '+']).next().unwrap_or("");
        let mut parts = core.split('.');
        let mut next = |required: bool| -> Option<u32> {
            match parts.next() {
                Some(p) => p.parse().ok(),
                None if required => None,
                None => Some(0),
            }
        };
        let v = Version {
            major: next(true)?,
            minor: next(false)?,
            patch: next(false)?,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(v)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The CloudAPI code version from a `Server: cloudapi/9.20.0` header (older servers say
/// "Joyent Triton 8.0.0" / "Joyent SmartDataCenter 7.x": then the last word). Any other
/// server name (a proxy's `nginx/1.25`) says nothing about CloudAPI and gives `None`.
pub fn server_version(headers: &[(String, String)]) -> Option<Version> {
    let s = header(headers, "server")?;
    let lower = s.to_ascii_lowercase();
    if let Some(i) = lower.find("cloudapi/") {
        let rest = s.get(i + "cloudapi/".len()..)?;
        return Version::parse(rest.split_whitespace().next()?);
    }
    if lower.contains("triton") || lower.contains("smartdatacenter") {
        return Version::parse(s.rsplit(' ').next()?);
    }
    None
}

/// What `ping()` resolves with: the API versions the server serves and what its headers say.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PingInfo {
    /// `"pong"`.
    pub ping: String,
    /// API versions served, as the server lists them (`["9.0.0", "8.0.0", …]`).
    pub versions: Vec<String>,
    /// CloudAPI code version from the `Server` header (`"9.20.0"`), which feature checks use; absent when unreadable (browsers hide `Server` cross-origin).
    #[serde(
        rename = "serverVersion",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub server_version: Option<String>,
    /// The datacenter that answered (`Triton-Datacenter-Name`), when readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datacenter: Option<String>,
}

impl PingInfo {
    /// The ping body and response headers combined; `None` for a body that is not a pong.
    pub fn from_response(ping: &Ping, headers: &[(String, String)]) -> Option<PingInfo> {
        if ping.ping != "pong" {
            return None;
        }
        let versions = match ping.cloudapi.as_ref().and_then(|c| c.get("versions")) {
            Some(Json::Array(v)) => v
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        Some(PingInfo {
            ping: ping.ping.clone(),
            versions,
            server_version: server_version(headers).map(|v| v.to_string()),
            datacenter: header(headers, "triton-datacenter-name").map(str::to_string),
        })
    }
}

/// Features that need a minimum CloudAPI code version, with that version.
pub const FEATURES: &[(&str, &str)] = &[
    ("image clone", "9.1.0"),
    ("allow_shared_images", "9.1.0"),
    ("image import from datacenter", "9.2.0"),
    ("Triton-Datacenter-Name", "9.2.0"),
    ("machine disks", "9.4.1"),
    ("snapshot size", "9.4.0"),
    ("migrations", "9.6.0"),
    ("account limits", "9.8.0"),
    ("encrypted machines", "9.8.5"),
    ("brand on create", "9.9.0"),
    ("machine nics field", "9.10.0"),
    ("access keys", "9.11.0"),
    ("changefeed", "9.14.0"),
    ("primary nic on add", "9.15.0"),
    ("ed25519 signatures", "9.18.0"),
    ("disk block_size", "9.19.0"),
    ("network suffixes", "9.20.0"),
];

/// `Ok` when `feature` is available on a server running `server` (unknown → assume yes);
/// `NotSupported` naming both versions otherwise.
pub fn require_feature(feature: &str, server: Option<Version>) -> Result<(), Error> {
    let Some((_, min)) = FEATURES.iter().find(|(f, _)| *f == feature) else {
        return Err(Error::invalid_argument(format!(
            "unknown feature {feature:?}; known: {}",
            FEATURES
                .iter()
                .map(|(f, _)| *f)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let min = Version::parse(min).unwrap_or(Version {
        major: 0,
        minor: 0,
        patch: 0,
    });
    match server {
        Some(v) if v.cmp(&min) == Ordering::Less => Err(Error::local(
            codes::NOT_SUPPORTED,
            format!("{feature} needs CloudAPI {min} or later; this server runs {v}"),
        )),
        _ => Ok(()),
    }
}

/// `Ok` when the server serves an API version with this major (e.g. 7.2 RBAC, 7.3 fabrics),
/// from the ping's version list (empty → assume yes).
pub fn require_api_version(what: &str, served: &[Version], min: Version) -> Result<(), Error> {
    if served.is_empty() || served.iter().any(|v| *v >= min) {
        Ok(())
    } else {
        let list: Vec<String> = served.iter().map(Version::to_string).collect();
        Err(Error::local(
            codes::NOT_SUPPORTED,
            format!(
                "{what} needs API version {min} or later; the server serves {}",
                list.join(", ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn only_cloudapi_server_headers_give_a_version() {
        let v = |s: &str| server_version(&h(&[("server", s)])).map(|v| v.to_string());
        assert_eq!(v("cloudapi/9.20.0").as_deref(), Some("9.20.0"));
        assert_eq!(v("CloudAPI/9.11.1 extra").as_deref(), Some("9.11.1"));
        assert_eq!(v("Joyent SmartDataCenter 7.3.0").as_deref(), Some("7.3.0"));
        assert_eq!(v("nginx/1.25.3"), None);
        assert_eq!(v("cloudapi/"), None);
        assert_eq!(server_version(&[]), None);
    }

    #[test]
    fn ping_info_combines_body_and_headers() {
        let ping = Ping {
            ping: "pong".into(),
            cloudapi: Some(Json::Object(vec![(
                "versions".into(),
                Json::Array(vec!["9.0.0".into(), "8.0.0".into()]),
            )])),
            ..Default::default()
        };
        let info = PingInfo::from_response(
            &ping,
            &h(&[
                ("server", "cloudapi/9.10.0"),
                ("triton-datacenter-name", "us-sim-1"),
            ]),
        )
        .unwrap();
        assert_eq!(info.versions, ["9.0.0", "8.0.0"]);
        assert_eq!(info.server_version.as_deref(), Some("9.10.0"));
        assert_eq!(info.datacenter.as_deref(), Some("us-sim-1"));
        let bare = PingInfo::from_response(&ping, &[]).unwrap();
        assert_eq!((bare.server_version, bare.datacenter), (None, None));
        let not_pong = Ping {
            ping: "hello".into(),
            ..Default::default()
        };
        assert!(PingInfo::from_response(&not_pong, &[]).is_none());
    }
}
