//! Machine migrations (9.6+, cloudapi.md §4.17): estimate, actions, list, get, and the
//! `watch` progress stream (newline-delimited JSON).

use super::{Extra, account_path, lenient, quoted, require_name, require_uuid};
use crate::error::{Error, codes};
use crate::json::Json;
use crate::request::Request;
use crate::response::Decoder;
use serde::{Deserialize, Serialize};

/// A migration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Migration {
    /// The machine's UUID.
    #[serde(default)]
    pub machine: String,
    /// Whether it runs all phases automatically.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub automatic: Option<bool>,
    /// begin, sync or switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// running, paused, aborted, failed, successful.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Creation time, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_timestamp: Option<String>,
    /// Scheduled start, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_timestamp: Option<String>,
    /// Finish time, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_timestamp: Option<String>,
    /// Duration in ms.
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub duration_ms: Option<u64>,
    /// Past progress events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_history: Option<Vec<Json>>,
    /// Failure message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Json>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One event of the `watch` stream.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MigrationProgress {
    /// `progress` or `end`.
    #[serde(rename = "type", default)]
    pub event_type: String,
    /// Phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// State.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Progress so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_progress: Option<f64>,
    /// Progress at completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_progress: Option<f64>,
    /// Message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Error text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Json>,
    /// Estimated time left in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eta_ms: Option<f64>,
    /// Transfer rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_bytes_second: Option<f64>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Migration actions accepted by [`migrate`].
pub const MIGRATION_ACTIONS: &[&str] = &[
    "begin",
    "sync",
    "switch",
    "automatic",
    "pause",
    "abort",
    "finalize",
    "watch",
];

fn migrate_path(account: &str, machine: &str) -> Result<String, Error> {
    account_path(
        account,
        &["machines", require_uuid("machine id", machine)?, "migrate"],
    )
}

/// MigrateMachineEstimate: `GET /:login/machines/:id/migrate`.
pub fn migrate_estimate(account: &str, machine: &str) -> Result<Request, Error> {
    Ok(Request::get(migrate_path(account, machine)?))
}

/// MigrateMachine: `POST …/migrate` with `action` (and `affinity` for begin/automatic).
/// `watch` (a read) and `pause`/`abort` (state-setting) are retry-safe; the rest are not.
pub fn migrate(
    account: &str,
    machine: &str,
    action: &str,
    affinity: Option<&[String]>,
) -> Result<Request, Error> {
    if !MIGRATION_ACTIONS.contains(&action) {
        return Err(Error::invalid_argument(format!(
            "unknown migration action {}; use one of {}",
            quoted(action),
            MIGRATION_ACTIONS.join(", ")
        )));
    }
    let mut body = vec![("action".to_string(), Json::from(action))];
    if let Some(a) = affinity {
        if action != "begin" && action != "automatic" {
            return Err(Error::invalid_argument(
                "affinity only applies to the begin and automatic actions",
            ));
        }
        let mut rules = Vec::with_capacity(a.len());
        for r in a {
            rules.push(Json::from(require_name("affinity rule", r)?));
        }
        body.push(("affinity".to_string(), Json::Array(rules)));
    }
    let r = Request::post(migrate_path(account, machine)?).body(Json::Object(body));
    Ok(if matches!(action, "watch" | "pause" | "abort") {
        r.retry_safe()
    } else {
        r
    })
}

/// ListMigrations.
pub fn list_migrations(account: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(account, &["migrations"])?))
}

/// GetMigration (by machine UUID).
pub fn get_migration(account: &str, machine: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(
        account,
        &["migrations", require_uuid("machine id", machine)?],
    )?))
}

/// Decodes a `watch` stream body: one JSON event per line; blank lines are skipped and a
/// bad line is an `InvalidResponse` naming its line number.
pub fn parse_progress_stream<D: Decoder>(
    text: &str,
    d: &D,
) -> Result<Vec<MigrationProgress>, Error> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let ev: MigrationProgress = d.decode(line).map_err(|why| {
            Error::local(
                codes::INVALID_RESPONSE,
                format!(
                    "migration progress line {} is not a progress event: {why}",
                    n.saturating_add(1)
                ),
            )
        })?;
        out.push(ev);
    }
    Ok(out)
}
