//! Times as privops stores and shows them: UTC, RFC 3339 with microseconds, so that text
//! order is time order on every engine.

use anyhow::{Result, bail};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// The current time; `PRIVOPS_NOW` (RFC 3339) fixes it, so that retention cutoffs and
/// deadlines can be reproduced exactly in tests and rehearsals.
pub fn now() -> DateTime<Utc> {
    std::env::var("PRIVOPS_NOW")
        .ok()
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

pub fn to_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn now_text() -> String {
    to_text(now())
}

/// Parses an RFC 3339 time or a plain date (midnight UTC), as given on the command line.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        return Ok(date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc());
    }
    bail!("`{text}` is not a time: write RFC 3339 (2026-11-25T09:30:00Z) or a date (2026-11-25)")
}
