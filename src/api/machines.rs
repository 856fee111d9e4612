//! Machines (instances): ListMachines, CountMachines (HEAD), GetMachine, CreateMachine,
//! machine actions, DeleteMachine (cloudapi.md §4.7).

use super::{
    Extra, ScalarMap, account_path, ident, lenient, quoted, require_name, require_uuid, scalar_map,
    scalar_text,
};
use crate::error::Error;
use crate::json::Json;
use crate::request::Request;
use crate::response::Decoder;
use serde::{Deserialize, Serialize};

/// The largest page ListMachines serves (and the default `limit`).
pub const MAX_LIMIT: u32 = 1000;

/// States a machine reports.
/// TypeScript: `MachineStateName`
pub const MACHINE_STATES: &[&str] = &[
    "provisioning",
    "ready",
    "running",
    "stopping",
    "stopped",
    "offline",
    "deleted",
    "failed",
    "unknown",
];

/// Values the ListMachines `state` filter accepts (others are a 409 from the server).
pub const STATE_FILTERS: &[&str] = &[
    "provisioning",
    "stopping",
    "active",
    "running",
    "stopped",
    "unknown",
    "destroyed",
];

/// A machine as CloudAPI returns it; optional fields are absent on older servers or brands.
/// TypeScript: `MachineData`
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Machine {
    /// UUID.
    pub id: String,
    /// Alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `smartmachine` or `virtualmachine` (deprecated).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub machine_type: Option<String>,
    /// joyent, joyent-minimal, lx, kvm, bhyve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// One of [`MACHINE_STATES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Image UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Dataset URN or id (API 6.5/7.x).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
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
    /// Whether DeleteMachine is refused.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub deletion_protection: Option<bool>,
    /// Customer metadata (values string/number/bool; `credentials` may be an object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ScalarMap>,
    /// Tags (values string/number/bool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<ScalarMap>,
    /// Echo of the `credentials` query parameter (a CloudAPI quirk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Json>,
    /// Creation time, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last update, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// `true` for docker containers.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub docker: Option<bool>,
    /// All IPs (deprecated in favour of `nics`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ips: Option<Vec<String>>,
    /// Network UUIDs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networks: Option<Vec<String>>,
    /// NICs (9.10+): `[{mac, ip, primary, gateway, netmask, state, network}]`.
    /// TypeScript: `Nic[]`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nics: Option<Json>,
    /// The primary IP.
    #[serde(rename = "primaryIp", default, skip_serializing_if = "Option::is_none")]
    pub primary_ip: Option<String>,
    /// Whether the firewall is on.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub firewall_enabled: Option<bool>,
    /// Server UUID (may be null early on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute_node: Option<String>,
    /// Package name ("" if unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// CNS names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_names: Option<Vec<String>>,
    /// bhyve: unallocated disk space in MiB.
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub free_space: Option<u64>,
    /// bhyve: flexible disk package.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub flexible: Option<bool>,
    /// bhyve disks `[{id, size, block_size, boot?, image?}]`.
    /// TypeScript: `Disk[]`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disks: Option<Json>,
    /// Encrypted compute node.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub encrypted: Option<bool>,
    /// Has a delegated dataset.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub delegate_dataset: Option<bool>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Machine {
    /// The boot script (`metadata["user-script"]`), if set.
    pub fn boot_script(&self) -> Option<&str> {
        self.metadata
            .as_ref()
            .and_then(|m| m.get("user-script"))
            .and_then(Json::as_str)
    }

    /// Every IP: `ips`, else the NICs' `ip`, else `primaryIp`.
    pub fn all_ips(&self) -> Vec<String> {
        if let Some(ips) = self.ips.as_ref().filter(|v| !v.is_empty()) {
            return ips.clone();
        }
        if let Some(Json::Array(nics)) = &self.nics {
            let v: Vec<String> = nics
                .iter()
                .filter_map(|n| n.get("ip").and_then(Json::as_str).map(str::to_string))
                .collect();
            if !v.is_empty() {
                return v;
            }
        }
        self.primary_ip.iter().cloned().collect()
    }

    /// IPs outside private/loopback/link-local ranges.
    pub fn public_ips(&self) -> Vec<String> {
        self.all_ips()
            .into_iter()
            .filter(|ip| !is_private_ip(ip))
            .collect()
    }

    /// IPs in private (RFC 1918, RFC 6598, ULA), loopback or link-local ranges.
    pub fn private_ips(&self) -> Vec<String> {
        self.all_ips()
            .into_iter()
            .filter(|ip| is_private_ip(ip))
            .collect()
    }
}

/// The deleted machine a 410 Gone error carries (GetMachine, actions, DeleteMachine): its
/// body is the machine object, or just its id; `None` for any other error.
pub fn from_gone<D: Decoder>(err: &Error, d: &D) -> Option<Machine> {
    if err.status_code != 410 {
        return None;
    }
    match err.body.as_ref()? {
        Json::String(id) => Some(Machine {
            id: id.clone(),
            state: Some("deleted".to_string()),
            ..Machine::default()
        }),
        body @ Json::Object(_) => {
            let mut m: Machine = d.decode(&body.to_json_string()).ok()?;
            if m.state.is_none() {
                m.state = Some("deleted".to_string());
            }
            Some(m)
        }
        _ => None,
    }
}

/// Whether `ip` is not publicly routable (RFC 1918, 100.64/10, loopback, link-local, ULA).
/// Unparseable text counts as public, so nothing is silently hidden.
pub fn is_private_ip(ip: &str) -> bool {
    match ip.trim().parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || (a == 100 && (64..128).contains(&b))
        }
        Ok(std::net::IpAddr::V6(v6)) => {
            let first = v6.segments().first().copied().unwrap_or(0);
            v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

/// Server-side ListMachines / CountMachines filters, with their wire names.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineFilters {
    /// `smartmachine` or `virtualmachine` (deprecated).
    /// TypeScript: `"smartmachine" | "virtualmachine"`
    #[serde(rename = "type", alias = "machine_type", default)]
    pub machine_type: Option<String>,
    /// Brand (joyent, lx, kvm, bhyve…).
    #[serde(default)]
    pub brand: Option<String>,
    /// Exact alias.
    #[serde(default)]
    pub name: Option<String>,
    /// Image UUID (`dataset` is accepted as the seed's name for it).
    #[serde(alias = "dataset", default)]
    pub image: Option<String>,
    /// One of [`STATE_FILTERS`].
    #[serde(default)]
    pub state: Option<String>,
    /// RAM in MiB.
    #[serde(default)]
    pub memory: Option<u64>,
    /// Include destroyed machines (any truthy value).
    /// TypeScript: `boolean | number`
    #[serde(default)]
    pub tombstone: Option<Json>,
    /// Only docker (true) or non-docker (false) machines.
    #[serde(default)]
    pub docker: Option<bool>,
    /// Include `metadata.credentials`.
    #[serde(default)]
    pub credentials: Option<bool>,
    /// `{name: value}` → `tag.name=value`; the string `"*"` → every tagged machine.
    /// TypeScript: `Record<string, string | number | boolean> | "*"`
    #[serde(default)]
    pub tags: Option<Json>,
}

impl MachineFilters {
    /// The query pairs these filters send (validated).
    pub fn to_query(&self) -> Result<Vec<(String, String)>, Error> {
        let mut q: Vec<(String, String)> = Vec::new();
        let mut push = |k: &str, v: String| q.push((k.to_string(), v));
        if let Some(t) = &self.machine_type {
            if t != "smartmachine" && t != "virtualmachine" {
                return Err(Error::invalid_argument(format!(
                    "type must be \"smartmachine\" or \"virtualmachine\", got {}",
                    quoted(t)
                )));
            }
            push("type", t.clone());
        }
        if let Some(b) = &self.brand {
            push("brand", require_name("brand", b)?.to_string());
        }
        if let Some(n) = &self.name {
            push("name", require_name("name", n)?.to_string());
        }
        if let Some(i) = &self.image {
            push("image", require_uuid("image", i)?.to_string());
        }
        if let Some(s) = &self.state {
            if !STATE_FILTERS.contains(&s.as_str()) {
                return Err(Error::invalid_argument(format!(
                    "state filter {} is not accepted by CloudAPI; use one of {}",
                    quoted(s),
                    STATE_FILTERS.join(", ")
                )));
            }
            push("state", s.clone());
        }
        if let Some(m) = self.memory {
            push("memory", m.to_string());
        }
        match &self.tombstone {
            None | Some(Json::Null) | Some(Json::Bool(false)) => {}
            Some(Json::Number(n)) if *n == 0.0 => {}
            Some(v) => match scalar_text(v) {
                Some(t) if !t.is_empty() => push("tombstone", t),
                _ => {
                    return Err(Error::invalid_argument(
                        "tombstone must be true or a number of minutes",
                    ));
                }
            },
        }
        if let Some(d) = self.docker {
            push("docker", d.to_string());
        }
        if let Some(c) = self.credentials {
            push("credentials", c.to_string());
        }
        match &self.tags {
            None | Some(Json::Null) => {}
            Some(Json::String(s)) if s == "*" => {
                if !q.iter().all(|(k, _)| k == "credentials") {
                    return Err(Error::invalid_argument(
                        "tags: \"*\" makes CloudAPI ignore every other filter; use it alone",
                    ));
                }
                q.push(("tags".to_string(), "*".to_string()));
            }
            Some(v) => {
                for (k, val) in scalar_map("tags", v, &[])? {
                    let text = scalar_text(val).unwrap_or_default();
                    q.push((format!("tag.{k}"), text));
                }
            }
        }
        Ok(q)
    }
}

/// ListMachines: one page (`limit` defaults to and may not exceed 1000); continue with
/// [`super::next_offset`].
pub fn list_machines(
    account: &str,
    filters: &MachineFilters,
    offset: u32,
    limit: Option<u32>,
) -> Result<Request, Error> {
    let limit = limit.unwrap_or(MAX_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(Error::invalid_argument(format!(
            "limit must be between 1 and {MAX_LIMIT}, got {limit}"
        )));
    }
    let mut r = Request::get(account_path(account, &["machines"])?);
    r.query = filters.to_query()?;
    Ok(r.query("limit", limit.to_string())
        .query("offset", offset.to_string()))
}

/// CountMachines: a HEAD with the same filters; read [`super::resource_count`]. The count is
/// per page (≤ 1000), so add pages with [`super::next_offset`] to count beyond that.
pub fn count_machines(
    account: &str,
    filters: &MachineFilters,
    offset: u32,
) -> Result<Request, Error> {
    let mut r = list_machines(account, filters, offset, None)?;
    r.method = crate::request::Method::Head;
    Ok(r)
}

/// GetMachine (`credentials=true` adds root passwords to metadata). A deleted machine answers
/// 410 with the machine as the error body.
pub fn get_machine(account: &str, id: &str, credentials: bool) -> Result<Request, Error> {
    let r = Request::get(account_path(
        account,
        &["machines", require_uuid("machine id", id)?],
    )?);
    Ok(if credentials {
        r.query("credentials", "true")
    } else {
        r
    })
}

/// DeleteMachine (204; 410 if already gone).
pub fn delete_machine(account: &str, id: &str) -> Result<Request, Error> {
    Ok(Request::delete(account_path(
        account,
        &["machines", require_uuid("machine id", id)?],
    )?))
}

/// MachineAudit: the machine's job history, newest first.
pub fn machine_audit(account: &str, id: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(
        account,
        &["machines", require_uuid("machine id", id)?, "audit"],
    )?))
}

/// One MachineAudit entry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AuditEntry {
    /// provision, start, stop, reboot, rename, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// `"yes"` or `"no"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<String>,
    /// When the job ended, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// `{type, ip?, keyId?, user?}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<Json>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The newest audit entry for `action` that is newer than `baseline` (the `time` of the
/// newest entry seen before acting; `None` = any): how reboot/rename waits know the job ran.
/// Times are the server's ISO 8601 strings, compared as text (same format, same clock).
pub fn audit_after<'a>(
    entries: &'a [AuditEntry],
    action: &str,
    baseline: Option<&str>,
) -> Option<&'a AuditEntry> {
    entries
        .iter()
        .filter(|e| e.action.as_deref() == Some(action))
        .filter(|e| match (baseline, e.time.as_deref()) {
            (None, _) => true,
            (Some(b), Some(t)) => t > b,
            (Some(_), None) => false,
        })
        .max_by(|a, b| a.time.cmp(&b.time))
}

/// A machine action (`POST /:login/machines/:id?action=…`, 202 with no body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MachineAction {
    /// Boot a stopped machine.
    Start,
    /// Shut down.
    Stop,
    /// Restart (not retried automatically: a repeat reboots again).
    Reboot,
    /// Change package (id or name).
    Resize(String),
    /// Change the alias.
    Rename(String),
    /// Turn the firewall on.
    EnableFirewall,
    /// Turn the firewall off.
    DisableFirewall,
    /// Refuse DeleteMachine.
    EnableDeletionProtection,
    /// Allow DeleteMachine again.
    DisableDeletionProtection,
}

/// Action names accepted by [`MachineAction::parse`].
pub const ACTIONS: &[&str] = &[
    "start",
    "stop",
    "reboot",
    "resize",
    "rename",
    "enable_firewall",
    "disable_firewall",
    "enable_deletion_protection",
    "disable_deletion_protection",
];

impl MachineAction {
    /// From the wire name plus its argument (package for resize, name for rename).
    pub fn parse(action: &str, arg: Option<&str>) -> Result<MachineAction, Error> {
        let needs = |what: &str| -> Result<String, Error> {
            match arg {
                Some(a) => Ok(require_name(what, a)?.to_string()),
                None => Err(Error::invalid_argument(format!(
                    "action {action:?} needs a {what}"
                ))),
            }
        };
        let a = match action {
            "start" => MachineAction::Start,
            "stop" => MachineAction::Stop,
            "reboot" => MachineAction::Reboot,
            "resize" => MachineAction::Resize(needs("package")?),
            "rename" => MachineAction::Rename(needs("name")?),
            "enable_firewall" => MachineAction::EnableFirewall,
            "disable_firewall" => MachineAction::DisableFirewall,
            "enable_deletion_protection" => MachineAction::EnableDeletionProtection,
            "disable_deletion_protection" => MachineAction::DisableDeletionProtection,
            _ => {
                return Err(Error::invalid_argument(format!(
                    "unknown machine action {}; use one of {}",
                    quoted(action),
                    ACTIONS.join(", ")
                )));
            }
        };
        if arg.is_some() && !matches!(a, MachineAction::Resize(_) | MachineAction::Rename(_)) {
            return Err(Error::invalid_argument(format!(
                "action {action:?} takes no argument"
            )));
        }
        Ok(a)
    }

    /// The wire name (`enable_firewall`, …).
    pub fn as_str(&self) -> &'static str {
        match self {
            MachineAction::Start => "start",
            MachineAction::Stop => "stop",
            MachineAction::Reboot => "reboot",
            MachineAction::Resize(_) => "resize",
            MachineAction::Rename(_) => "rename",
            MachineAction::EnableFirewall => "enable_firewall",
            MachineAction::DisableFirewall => "disable_firewall",
            MachineAction::EnableDeletionProtection => "enable_deletion_protection",
            MachineAction::DisableDeletionProtection => "disable_deletion_protection",
        }
    }
}

/// StartMachine/StopMachine/…: `POST /:login/machines/:id?action=<a>[&package|&name]`.
/// Retry-safe except reboot (see the module docs of `api`).
pub fn machine_action(account: &str, id: &str, action: &MachineAction) -> Result<Request, Error> {
    let path = account_path(account, &["machines", require_uuid("machine id", id)?])?;
    let mut r = Request::post(path).query("action", action.as_str());
    match action {
        MachineAction::Resize(p) => r = r.query("package", require_name("package", p)?),
        MachineAction::Rename(n) => r = r.query("name", validate_machine_name(n)?),
        _ => {}
    }
    Ok(if matches!(action, MachineAction::Reboot) {
        r
    } else {
        r.retry_safe()
    })
}

/// Checks a machine alias as CloudAPI/VMAPI would: 1–189 characters of `A-Za-z0-9_.-`,
/// starting with a letter or digit; `{{shortId}}` is allowed (substituted by the server).
pub fn validate_machine_name(name: &str) -> Result<&str, Error> {
    let plain = name.replace("{{shortId}}", "x");
    let count = name.chars().count();
    if name.is_empty() {
        return Err(Error::invalid_argument("machine name must not be empty"));
    }
    if count > 189 {
        return Err(Error::invalid_argument(format!(
            "machine name is {count} characters; CloudAPI allows at most 189"
        )));
    }
    let first_ok = plain
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = plain
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if !first_ok || !rest_ok {
        return Err(Error::invalid_argument(format!(
            "machine name {} must start with a letter or digit and contain only letters, digits, '_', '.' and '-'",
            quoted(name)
        )));
    }
    Ok(name)
}

/// CreateMachine options, with wire names (plus the seed's `bootScript`/`dataset`).
/// TypeScript: `CreateMachineOptions`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateMachine {
    /// Alias (default: the first 8 characters of the new UUID).
    #[serde(default)]
    pub name: Option<String>,
    /// Image UUID, or an image object.
    /// TypeScript: `string | { id: string }`
    #[serde(default)]
    pub image: Option<Json>,
    /// The seed's name for `image` (a UUID or a dataset object with `id`).
    /// TypeScript: `string | { id: string }`
    #[serde(default)]
    pub dataset: Option<Json>,
    /// Package UUID or name, or a package object.
    /// TypeScript: `string | { id?: string; name?: string }`
    #[serde(default)]
    pub package: Option<Json>,
    /// One network UUID, or an array of UUIDs / `{ipv4_uuid, ipv4_ips?}` objects.
    /// TypeScript: `string | Array<string | { ipv4_uuid: string; ipv4_ips?: string[] }>`
    #[serde(default)]
    pub networks: Option<Json>,
    /// Metadata map (sent flattened as `metadata.<key>`).
    #[serde(default)]
    pub metadata: Option<ScalarMap>,
    /// Tags map (sent flattened as `tag.<key>`).
    #[serde(default)]
    pub tags: Option<ScalarMap>,
    /// Script run at boot (sent as `metadata.user-script`).
    #[serde(rename = "bootScript", alias = "boot_script", default)]
    pub boot_script: Option<String>,
    /// Start with the firewall on.
    #[serde(default)]
    pub firewall_enabled: Option<bool>,
    /// Refuse DeleteMachine until turned off.
    #[serde(default)]
    pub deletion_protection: Option<bool>,
    /// Allow provisioning from an image shared with this account (9.1+).
    #[serde(default)]
    pub allow_shared_images: Option<bool>,
    /// Place on an encrypted compute node (9.8.5+).
    #[serde(default)]
    pub encrypted: Option<bool>,
    /// `kvm` or `bhyve` when the image allows both (9.9+).
    /// TypeScript: `"kvm" | "bhyve"`
    #[serde(default)]
    pub brand: Option<String>,
    /// bhyve boot ROM (`bios`, `uefi`).
    #[serde(default)]
    pub bootrom: Option<String>,
    /// Give the zone a delegated dataset.
    #[serde(default)]
    pub delegate_dataset: Option<bool>,
    /// Affinity rules, e.g. `"instance!=web-*"` (8.3+).
    #[serde(default)]
    pub affinity: Option<Vec<String>>,
    /// Deprecated `{strict, near, far}` placement hints.
    /// TypeScript: `Record<string, unknown>`
    #[serde(default)]
    pub locality: Option<Json>,
    /// `[{name, type, mode, mountpoint}]` volumes to mount.
    /// TypeScript: `Array<{ name: string; type?: string; mode?: "rw" | "ro"; mountpoint: string }>`
    #[serde(default)]
    pub volumes: Option<Json>,
    /// bhyve flexible disks `[{size, boot?, image?, block_size?}]`.
    /// TypeScript: `Array<{ size?: number | "remaining"; boot?: boolean; image?: string; block_size?: number }>`
    #[serde(default)]
    pub disks: Option<Json>,
}

/// CreateMachine: `POST /:login/machines` with a flat JSON body (201 + the new machine).
/// Never retried automatically: look the machine up by name after an ambiguous failure.
pub fn create_machine(account: &str, opts: &CreateMachine) -> Result<Request, Error> {
    let mut body: Vec<(String, Json)> = Vec::new();
    if let Some(n) = &opts.name {
        body.push(("name".into(), validate_machine_name(n)?.into()));
    }
    let image = match (&opts.image, &opts.dataset) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid_argument(
                "give image or dataset, not both (dataset is the old name for image)",
            ));
        }
        (Some(i), None) => ident("image", i, false)?,
        (None, Some(d)) => ident("dataset", d, false)?,
        (None, None) => {
            return Err(Error::invalid_argument(
                "image is required (an image UUID or image object)",
            ));
        }
    };
    require_uuid("image", &image).map_err(|e| {
        Error::invalid_argument(format!(
            "{}; resolve names (e.g. \"base-64-lts@24.4.1\") to an id first",
            e.message
        ))
    })?;
    body.push(("image".into(), image.into()));
    let package = match &opts.package {
        Some(p) => ident("package", p, true)?,
        None => {
            return Err(Error::invalid_argument(
                "package is required (a package UUID, name or object)",
            ));
        }
    };
    body.push(("package".into(), package.into()));
    if let Some(n) = &opts.networks {
        body.push(("networks".into(), networks_param(n)?));
    }
    let mut has_user_script = false;
    if let Some(m) = &opts.metadata {
        // `credentials` is the one structured key CreateMachine takes ({user: password}, sent
        // as JSON text and kept in internal metadata); every other value must be a scalar.
        let Json::Object(members) = m else {
            return Err(Error::invalid_argument(
                "metadata must be an object of key → string/number/boolean",
            ));
        };
        let (creds, plain): (Vec<_>, Vec<_>) = members
            .iter()
            .cloned()
            .partition(|(k, _)| k == "credentials");
        let plain = Json::Object(plain);
        for (k, v) in scalar_map("metadata", &plain, &[])? {
            if k.ends_with("_pw") {
                return Err(Error::invalid_argument(format!(
                    "metadata key {} ends in _pw, which CloudAPI drops",
                    quoted(k)
                )));
            }
            has_user_script |= k == "user-script";
            body.push((format!("metadata.{k}"), v.clone()));
        }
        if let Some((_, c)) = creds.into_iter().next() {
            body.push(("metadata.credentials".into(), credentials_text(&c)?.into()));
        }
    }
    if let Some(script) = &opts.boot_script {
        if has_user_script {
            return Err(Error::invalid_argument(
                "give bootScript or metadata[\"user-script\"], not both",
            ));
        }
        body.push(("metadata.user-script".into(), script.clone().into()));
    }
    if let Some(t) = &opts.tags {
        for (k, v) in scalar_map("tags", t, &[])? {
            body.push((format!("tag.{k}"), v.clone()));
        }
    }
    for (k, v) in [
        ("firewall_enabled", opts.firewall_enabled),
        ("deletion_protection", opts.deletion_protection),
        ("allow_shared_images", opts.allow_shared_images),
        ("encrypted", opts.encrypted),
        ("delegate_dataset", opts.delegate_dataset),
    ] {
        if let Some(b) = v {
            body.push((k.into(), Json::Bool(b)));
        }
    }
    if let Some(b) = &opts.brand {
        if b != "kvm" && b != "bhyve" {
            return Err(Error::invalid_argument(format!(
                "brand can only be chosen between \"kvm\" and \"bhyve\", got {}",
                quoted(b)
            )));
        }
        body.push(("brand".into(), b.clone().into()));
    }
    if let Some(b) = &opts.bootrom {
        body.push(("bootrom".into(), require_name("bootrom", b)?.into()));
    }
    if let Some(a) = &opts.affinity {
        if opts.locality.is_some() {
            return Err(Error::invalid_argument(
                "give affinity or locality, not both",
            ));
        }
        let rules = a
            .iter()
            .map(|r| require_name("affinity rule", r).map(Json::from))
            .collect::<Result<Vec<_>, _>>()?;
        body.push(("affinity".into(), Json::Array(rules)));
    }
    match &opts.locality {
        None | Some(Json::Null) => {}
        Some(l @ Json::Object(_)) => body.push(("locality".into(), l.clone())),
        Some(_) => return Err(Error::invalid_argument("locality must be an object")),
    }
    for (k, v) in [("volumes", &opts.volumes), ("disks", &opts.disks)] {
        match v {
            None | Some(Json::Null) => {}
            Some(a @ Json::Array(_)) => body.push((k.into(), a.clone())),
            Some(_) => return Err(Error::invalid_argument(format!("{k} must be an array"))),
        }
    }
    Ok(Request::post(account_path(account, &["machines"])?).body(Json::Object(body)))
}

/// `metadata.credentials` as JSON text from a `{user: password}` object or ready-made text.
fn credentials_text(v: &Json) -> Result<String, Error> {
    match v {
        Json::String(s) => Ok(s.clone()),
        Json::Object(m) if m.iter().all(|(_, p)| p.as_str().is_some()) => Ok(v.to_json_string()),
        _ => Err(Error::invalid_argument(
            "metadata.credentials must be an object of user → password strings",
        )),
    }
}

/// `networks` as CloudAPI wants it: always an array of UUIDs or `{ipv4_uuid, ipv4_ips?}`.
fn networks_param(v: &Json) -> Result<Json, Error> {
    let items: Vec<&Json> = match v {
        Json::String(_) | Json::Object(_) => vec![v],
        Json::Array(a) if !a.is_empty() => a.iter().collect(),
        Json::Array(_) => {
            return Err(Error::invalid_argument(
                "networks is empty; omit it to get the default networks",
            ));
        }
        _ => {
            return Err(Error::invalid_argument(
                "networks must be a network UUID, an object, or an array of them",
            ));
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Json::String(s) => {
                out.push(Json::from(require_uuid("network", s)?));
            }
            Json::Object(_) if item.get("ipv4_uuid").is_some() => {
                let id = item.get("ipv4_uuid").and_then(Json::as_str).unwrap_or("");
                require_uuid("networks[].ipv4_uuid", id)?;
                if let Some(ips) = item.get("ipv4_ips")
                    && !matches!(ips, Json::Array(a) if a.len() == 1 && a.iter().all(|i| i.as_str().is_some()))
                {
                    return Err(Error::invalid_argument(
                        "networks[].ipv4_ips must be an array with exactly one IP string",
                    ));
                }
                out.push(item.clone());
            }
            Json::Object(_) => {
                let id = ident("network", item, false)?;
                out.push(Json::from(require_uuid("network", &id)?));
            }
            _ => {
                return Err(Error::invalid_argument(
                    "each network must be a UUID string or an object",
                ));
            }
        }
    }
    Ok(Json::Array(out))
}
