//! Legal holds as SQL: the one condition that says a row is under a hold, shared by
//! erasure (which keeps held rows) and retention (which skips them), so that both read a
//! hold's column the same way whatever it holds (a native timestamp, ISO text, a date, or
//! seconds since the epoch).

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use crate::policy::{Hold, Table};
use crate::sources::SourcePool;
use crate::sources::rows::{ColumnInfo, Dialect, Key, TimeFormat};

/// A condition with `{?}` where its parameters go, and the parameters.
#[derive(Debug, Clone)]
pub struct Condition {
    pub sql: String,
    pub binds: Vec<Key>,
}

/// Numbers `{?}` markers as the engine wants its parameters, from `first`.
pub fn number(pool: &SourcePool, sql: &str, first: usize) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut n = first;
    let mut rest = sql;
    while let Some(i) = rest.find("{?}") {
        out.push_str(&rest[..i]);
        out.push_str(&pool.param(n));
        n += 1;
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    out
}

/// The column a hold is measured on and the instant it compares with: its `from` column
/// within the hold's duration, or its `until` column still ahead. None for a hold that
/// names neither (`policy check` refuses it).
pub(crate) fn hold_column<'c>(
    table: &Table,
    columns: &'c [ColumnInfo],
    hold: &Hold,
    now: DateTime<Utc>,
) -> Result<Option<(&'c ColumnInfo, DateTime<Utc>)>> {
    let (name, at) = match (&hold.duration, &hold.from, &hold.until) {
        (Some(duration), Some(from), _) => (from.get_ref(), duration.get_ref().before(now)),
        (_, _, Some(until)) => (until.get_ref(), now),
        _ => return Ok(None),
    };
    let column = columns
        .iter()
        .find(|c| &c.name == name)
        .with_context(|| format!("column `{}.{name}` is not in the database", table.name()))?;
    Ok(Some((column, at)))
}

/// The rows a hold keeps: its column after `at` (see [`hold_column`]); a row with no date
/// is held (the safe side).
pub(crate) fn condition_for(
    dialect: Dialect,
    column: &ColumnInfo,
    format: TimeFormat,
    at: DateTime<Utc>,
) -> Condition {
    let c = dialect.quote(&column.name);
    Condition {
        sql: format!(
            "({c} IS NULL OR {c} > {})",
            dialect.time_param(column, format, "{?}")
        ),
        binds: vec![dialect.format_time(format, at)],
    }
}

/// The rows `hold` keeps at `now`, the column's time format read from the database.
pub async fn condition(
    pool: &SourcePool,
    table: &Table,
    columns: &[ColumnInfo],
    hold: &Hold,
    now: DateTime<Utc>,
) -> Result<Option<Condition>> {
    let Some((column, at)) = hold_column(table, columns, hold, now)? else {
        return Ok(None);
    };
    let format = pool.time_format(table.name(), column).await?;
    Ok(Some(condition_for(pool.dialect(), column, format, at)))
}
