//! Times as privops stores and shows them: UTC, RFC 3339 with microseconds, so that text
//! order is time order on every engine.
//!
//! A command reads its time once, at its start, from `PRIVOPS_NOW` or the clock; the demo's
//! rows, retention cutoffs, hold ends, deadlines and audit entries all use that one value,
//! so a rehearsal at a fixed time is reproducible. Leases are the exception: they guard
//! against real processes running at the same real time, so they use [`wall_clock`].

use std::sync::OnceLock;

use anyhow::{Result, bail};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

static NOW: OnceLock<DateTime<Utc>> = OnceLock::new();

/// Reads the command's time: `PRIVOPS_NOW` (RFC 3339 or a date) when set, the clock
/// otherwise. A value that does not parse is an error, never silently the real clock.
pub fn init() -> Result<DateTime<Utc>> {
    let at = match std::env::var("PRIVOPS_NOW") {
        Ok(text) => parse_time(&text)
            .map_err(|error| crate::error::usage(format!("PRIVOPS_NOW: {error}")))?,
        Err(std::env::VarError::NotPresent) => Utc::now(),
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(crate::error::usage(
                "PRIVOPS_NOW is not valid UTF-8: write RFC 3339 (2026-11-25T09:30:00Z)",
            ));
        }
    };
    Ok(*NOW.get_or_init(|| at))
}

/// The command's time (see [`init`]).
pub fn now() -> DateTime<Utc> {
    *NOW.get_or_init(|| {
        std::env::var("PRIVOPS_NOW")
            .ok()
            .and_then(|t| parse_time(&t).ok())
            .unwrap_or_else(Utc::now)
    })
}

/// The real time, whatever `PRIVOPS_NOW` says: for leases held by running processes.
pub(crate) fn wall_clock() -> DateTime<Utc> {
    Utc::now()
}

pub(crate) fn to_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A stored time as people read it, to the second (`2026-12-01 09:30:05`); text that is
/// not a time is shown as it is. JSON keeps the full precision.
pub fn human(text: &str) -> String {
    match DateTime::parse_from_rfc3339(text.trim()) {
        Ok(at) => at
            .with_timezone(&Utc)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        Err(_) => text.to_string(),
    }
}

pub(crate) fn now_text() -> String {
    to_text(now())
}

/// Parses an RFC 3339 time or a plain date (midnight UTC), as given on the command line.
pub(crate) fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        if let Some(midnight) = date.and_hms_opt(0, 0, 0) {
            return Ok(midnight.and_utc());
        }
    }
    bail!("`{text}` is not a time: write RFC 3339 (2026-11-25T09:30:00Z) or a date (2026-11-25)")
}
