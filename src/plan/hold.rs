//! Legal holds as SQL: the one condition that says a row is under a hold, shared by
//! erasure (which keeps held rows) and retention (which skips them), so that both read a
//! hold's column the same way whatever it holds (a native timestamp, ISO text, a date, or
//! seconds since the epoch).

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use crate::policy::{Hold, Table};
use crate::sources::SourcePool;
use crate::sources::rows::{ColumnInfo, Dialect, TimeFormat};
use crate::sql::Sql;

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
) -> Sql {
    let c = dialect.quote(&column.name);
    let mut sql = Sql::new(format!("({c} IS NULL OR {c} > "));
    dialect.bind_time(&mut sql, column, format, at);
    sql.push(")");
    sql
}

/// The rows `hold` keeps at `now`, the column's time format read from the database.
pub async fn condition(
    pool: &SourcePool,
    table: &Table,
    columns: &[ColumnInfo],
    hold: &Hold,
    now: DateTime<Utc>,
) -> Result<Option<Sql>> {
    let Some((column, at)) = hold_column(table, columns, hold, now)? else {
        return Ok(None);
    };
    let format = pool.time_format(table.name(), column).await?;
    Ok(Some(condition_for(pool.dialect(), column, format, at)))
}
