//! Retention: which rows of a table are past their period, and the chunked work that
//! deletes, anonymises or rolls them up. Every chunk is a short transaction of its own,
//! so a sweep stopped at any point leaves consistent data and the next one finishes it.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::plan::erase::{ANONYMISED, REDACTED};
use crate::policy::{
    Engine, Mask, MeasureOp, Retention, RetentionAction, SmallGroups, SourceDef, Table,
};
use crate::sources::SourcePool;
use crate::sources::rows::{ColumnInfo, Dialect, Kind, TimeFormat};
pub(crate) use crate::sources::walk::Cursor;
use crate::sql::Sql;

/// The name under which a SQLite table's rowid is reachable: `rowid` unless a column
/// takes that name; None for a table WITHOUT ROWID.
pub(crate) async fn rowid_name(
    pool: &SourcePool,
    table: &str,
    columns: &[ColumnInfo],
) -> Option<&'static str> {
    let name = ["rowid", "_rowid_", "oid"]
        .into_iter()
        .find(|n| !columns.iter().any(|c| c.name.eq_ignore_ascii_case(n)))?;
    let probe = Sql::new(format!("SELECT {name} FROM {} LIMIT 0", pool.quote(table)));
    pool.for_each_row(&probe, &[], |_| Ok(()))
        .await
        .ok()
        .map(|_| name)
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct HoldCount {
    pub reason: String,
    pub article: String,
    pub rows: u64,
}

/// A roll-up's statements in pieces: the aggregate table, its columns, the expression
/// that fills each (group values, then measures), the grouping and the upsert that adds
/// to the totals already there.
pub(crate) struct RollupSql {
    pub(crate) agg: String,
    pub(crate) targets: Vec<String>,
    pub(crate) exprs: Vec<String>,
    pub(crate) groups: Vec<String>,
    pub(crate) upsert: String,
}

impl RollupSql {
    /// `INSERT INTO aggregate ... SELECT ... FROM table WHERE rows GROUP BY ...`.
    pub(crate) fn insert_select(&self, from: &str, rows: &Sql) -> Sql {
        let mut sql = Sql::new(format!(
            "INSERT INTO {} ({}) SELECT {} FROM {from} WHERE ",
            self.agg,
            self.targets.join(", "),
            self.exprs.join(", "),
        ));
        sql.append(rows).push(&format!(
            " GROUP BY {} {}",
            self.groups.join(", "),
            self.upsert
        ));
        sql
    }
}

/// What the rule of a table needs to know about it: its columns, the time format of the
/// columns it compares with instants, whether SQLite can reach its rows by rowid, and
/// whether an index leads with the timestamp column.
pub(crate) struct RuleFacts {
    pub columns: Vec<ColumnInfo>,
    pub formats: BTreeMap<String, TimeFormat>,
    pub rowid: Option<&'static str>,
    pub indexed: bool,
}

/// One table's retention rule, resolved against the live schema.
pub(crate) struct TableSweep<'p> {
    pub source: &'p SourceDef,
    pub table: &'p Table,
    pub retention: &'p Retention,
    pub cutoff: DateTime<Utc>,
    pub(crate) from: ColumnInfo,
    pub(crate) key_columns: Vec<ColumnInfo>,
    pub(crate) columns: Vec<ColumnInfo>,
    /// Rows with a timestamp past the cutoff, held or not.
    pub(crate) past: Sql,
    /// Rows past their period, not held, not already anonymised.
    pub(crate) due: Sql,
    pub(crate) holds: Vec<(String, String, Sql)>,
    /// Groups left out of the roll-up because they would count fewer than the aggregate's
    /// `min_group`.
    pub(crate) kept_below_floor: usize,
    /// With `small_groups = "other"`: the rows of the groups below the floor, merged into
    /// the `other` bucket before the sweep's chunks.
    pub(crate) merge_into_other: Option<Sql>,
    /// True for the others (written so that an index on the column serves it).
    pub(crate) no_timestamp: String,
    /// SQLite: the name that reaches the table's rowid (None: a table WITHOUT ROWID).
    pub(crate) rowid: Option<&'static str>,
    /// An index leads with the timestamp column.
    pub(crate) indexed: bool,
}

impl<'p> TableSweep<'p> {
    /// The table's rule against the live schema: the facts read from the database, then
    /// [`TableSweep::decide`].
    pub(crate) async fn prepare(
        pool: &SourcePool,
        source: &'p SourceDef,
        table: &'p Table,
        now: DateTime<Utc>,
    ) -> Result<TableSweep<'p>> {
        let retention = table
            .retention
            .as_ref()
            .expect("only tables with retention are swept")
            .get_ref();
        let columns = pool
            .table_columns(table.name())
            .await
            .with_context(|| format!("source `{}`", source.id()))?;
        let mut formats = BTreeMap::new();
        let mut timed: Vec<&str> = vec![retention.from.get_ref().as_str()];
        for hold in &table.hold {
            if let Some((column, _)) =
                crate::plan::hold::hold_column(table, &columns, hold.get_ref(), now)?
            {
                timed.push(column.name.as_str());
            }
        }
        for name in timed {
            if let Some(column) = columns.iter().find(|c| c.name == name) {
                formats.insert(
                    name.to_string(),
                    pool.time_format(table.name(), column).await?,
                );
            }
        }
        let rowid = match pool.engine() {
            Engine::Sqlite => rowid_name(pool, table.name(), &columns).await,
            _ => None,
        };
        let indexed = pool
            .has_index_on(table.name(), retention.from.get_ref())
            .await?;
        let facts = RuleFacts {
            columns,
            formats,
            rowid,
            indexed,
        };
        let mut sweep = TableSweep::decide(pool.dialect(), source, table, facts, now)?;
        sweep.keep_small_groups(pool).await?;
        Ok(sweep)
    }

    /// The rule, from the policy and facts about the table, without a database: the
    /// cutoff, what is due (past the period, under no hold, not yet anonymised), what each
    /// hold keeps, and what has no usable timestamp.
    pub(crate) fn decide(
        dialect: Dialect,
        source: &'p SourceDef,
        table: &'p Table,
        facts: RuleFacts,
        now: DateTime<Utc>,
    ) -> Result<TableSweep<'p>> {
        let RuleFacts {
            columns,
            formats,
            rowid,
            indexed,
        } = facts;
        let retention = table
            .retention
            .as_ref()
            .expect("only tables with retention are swept")
            .get_ref();
        let cutoff = retention.period.get_ref().before(now);
        let find = |name: &str| -> Result<ColumnInfo> {
            columns
                .iter()
                .find(|c| c.name == name)
                .cloned()
                .with_context(|| format!("column `{}.{name}` is not in the database", table.name()))
        };
        let from = find(retention.from.get_ref())?;
        let key_columns = table
            .key_columns()
            .iter()
            .map(|k| find(k))
            .collect::<Result<Vec<_>>>()?;
        let format_of = |column: &ColumnInfo| {
            formats
                .get(&column.name)
                .copied()
                .unwrap_or(TimeFormat::Native)
        };
        let format = format_of(&from);
        let f = dialect.quote(&from.name);
        // Text that is not a timestamp (empty, garbage) counts as no timestamp at all.
        let timestamp = match format {
            TimeFormat::IsoT { .. } | TimeFormat::IsoSpace | TimeFormat::Date => {
                format!("{f} >= '0000-01-01'")
            }
            _ => format!("{f} IS NOT NULL"),
        };
        let no_timestamp = match format {
            TimeFormat::IsoT { .. } | TimeFormat::IsoSpace | TimeFormat::Date => {
                format!("({f} IS NULL OR {f} < '0000-01-01')")
            }
            _ => format!("{f} IS NULL"),
        };
        let mut past = Sql::new(format!("{timestamp} AND {f} < "));
        dialect.bind_time(&mut past, &from, format, cutoff);
        let mut due = past.clone();
        let mut holds = Vec::new();
        for hold in &table.hold {
            let hold = hold.get_ref();
            let Some((column, at)) = crate::plan::hold::hold_column(table, &columns, hold, now)?
            else {
                continue;
            };
            let condition =
                crate::plan::hold::condition_for(dialect, column, format_of(column), at);
            due.push(" AND NOT ").append(&condition);
            holds.push((hold.reason.clone(), hold.article.clone(), condition));
        }
        if retention.then == RetentionAction::Anonymise {
            let masks = table
                .columns
                .iter()
                .filter_map(|(name, spec)| spec.get_ref().mask.map(|m| (name.as_str(), m)));
            let pending = crate::plan::erase::not_yet_masked(dialect, &columns, masks);
            due.push(&format!(" AND {pending}"));
        }
        Ok(TableSweep {
            source,
            table,
            retention,
            cutoff,
            from,
            key_columns,
            columns,
            past,
            due,
            holds,
            no_timestamp,
            rowid,
            indexed,
            kept_below_floor: 0,
            merge_into_other: None,
        })
    }

    pub(crate) async fn count(&self, pool: &SourcePool, condition: &Sql) -> Result<u64> {
        let mut sql = Sql::new(format!(
            "SELECT COUNT(*) FROM {} WHERE ",
            pool.quote(self.table.name())
        ));
        sql.append(condition);
        let mut count = 0;
        pool.for_each_row(&sql, &[Kind::Int], |row| {
            count = row[0].as_i64().unwrap_or(0) as u64;
            Ok(())
        })
        .await?;
        Ok(count)
    }

    pub async fn due(&self, pool: &SourcePool) -> Result<u64> {
        self.count(pool, &self.due).await
    }

    /// Rows past their period that a hold keeps, per hold.
    pub async fn held(&self, pool: &SourcePool) -> Result<Vec<HoldCount>> {
        let mut counts = Vec::new();
        for (reason, article, condition) in &self.holds {
            let mut held = self.past.clone();
            held.push(" AND ").append(condition);
            counts.push(HoldCount {
                reason: reason.clone(),
                article: article.clone(),
                rows: self.count(pool, &held).await?,
            });
        }
        Ok(counts)
    }

    /// Rows whose timestamp is NULL (or not a timestamp): never deleted, reported.
    pub async fn null_timestamps(&self, pool: &SourcePool) -> Result<u64> {
        self.count(pool, &Sql::new(self.no_timestamp.clone())).await
    }

    /// The statements of one chunk, for `--dry-run` and plans.
    pub(crate) fn describe(&self, pool: &SourcePool) -> Vec<String> {
        let table = pool.quote(self.table.name());
        let mut statements = Vec::new();
        let due = pool.render(&self.due);
        let order = pool.quote(&self.from.name);
        let by_index = |address: &str| {
            format!(
                "{address} IN (SELECT {address} FROM {table} WHERE {due} ORDER BY {order} LIMIT n)"
            )
        };
        let selection = match (pool.engine(), self.rowid) {
            (Engine::Sqlite, Some(rowid)) if self.indexed => format!(
                "{rowid} >= <start> AND {rowid} < <end> AND {due} (rowid ranges of n rows, NOT INDEXED; \
                 once a chunk finds under 1 due row in 100: {})",
                by_index(rowid)
            ),
            (Engine::Sqlite, Some(rowid)) => format!(
                "{rowid} >= <start> AND {rowid} < <end> AND {due} (rowid ranges of n rows, NOT INDEXED)"
            ),
            (Engine::Postgres, _) if self.indexed => format!(
                "ctid >= '(<start>,0)'::tid AND ctid < '(<end>,0)'::tid AND {due} (heap block ranges; \
                 or, when a sample shows under 1 due row in 100: ctid = ANY(<n addresses of: \
                 SELECT ctid FROM {table} WHERE {due} ORDER BY {order} LIMIT {}>) AND {due})",
                crate::sources::walk::PICK_ROWS
            ),
            (Engine::Postgres, _) => format!(
                "ctid >= '(<start>,0)'::tid AND ctid < '(<end>,0)'::tid AND {due} (heap block ranges)"
            ),
            (Engine::Mysql, _) => format!(
                "<keys of: SELECT ... FROM {table} WHERE {due} ORDER BY {order} LIMIT n FOR UPDATE>"
            ),
            _ => format!("<keys of: SELECT ... FROM {table} WHERE {due} ORDER BY {order} LIMIT n>"),
        };
        match self.retention.then {
            RetentionAction::Delete => {
                statements.push(format!("DELETE FROM {table} WHERE {selection}"))
            }
            RetentionAction::Anonymise => {
                statements.push(format!("UPDATE {table} SET <masks> WHERE {selection}"))
            }
            RetentionAction::Rollup => {
                let into = self
                    .retention
                    .rollup
                    .as_ref()
                    .map(|r| r.get_ref().into.get_ref().clone())
                    .unwrap_or_default();
                if pool.engine() == Engine::Postgres {
                    statements.push(format!("DELETE FROM {table} WHERE {selection}"));
                    statements.push(format!("(side by side, on a second connection sharing the delete's snapshot) SELECT <groups>, <measures> FROM {table} WHERE <the same rows> GROUP BY <groups>"));
                    statements.push(format!(
                        "INSERT INTO {} ... <those totals> <upsert adding to the totals>; COMMIT",
                        pool.quote(&into)
                    ));
                } else {
                    statements.push(format!("INSERT INTO {} ... SELECT <groups>, <measures> FROM {table} WHERE {selection} GROUP BY <groups> <upsert adding to the totals>", pool.quote(&into)));
                    statements.push(format!("DELETE FROM {table} WHERE <the same rows>"));
                }
            }
        }
        statements
    }

    pub(crate) fn mask_sets(&self, pool: &SourcePool) -> String {
        self.table
            .columns
            .iter()
            .filter_map(|(name, spec)| spec.get_ref().mask.map(|m| (name, m)))
            .map(|(name, mask)| {
                let c = pool.quote(name);
                let numeric = self
                    .columns
                    .iter()
                    .any(|i| &i.name == name && i.is_numeric());
                match mask {
                    Mask::Redact if !numeric => format!("{c} = '{REDACTED}'"),
                    // Anonymisation keeps no link to the person, not even a pseudonym.
                    Mask::Hmac if !numeric => format!("{c} = '{ANONYMISED}'"),
                    _ => format!("{c} = NULL"),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The pieces of the roll-up's statements.
    /// The table's roll-up rule.
    fn rollup(&self) -> Result<&'p crate::policy::Rollup> {
        Ok(self
            .retention
            .rollup
            .as_ref()
            .context("then = \"rollup\" without a rollup section")?
            .get_ref())
    }

    pub(crate) fn rollup_sql(&self, pool: &SourcePool) -> Result<RollupSql> {
        let rollup = self.rollup()?;
        let into = rollup.into.get_ref();
        let aggregate = self
            .source
            .table(into)
            .context("rollup target not in the policy")?;
        let mut targets = Vec::new();
        let mut exprs = Vec::new();
        let mut groups = Vec::new();
        for (column, group) in &rollup.group {
            let group = group.get_ref();
            let info = self
                .columns
                .iter()
                .find(|c| c.name == group.column)
                .context("group column not in the database")?;
            let expr = match group.truncate {
                Some(unit) => {
                    let time_format = if matches!(info.kind, Kind::Int) {
                        TimeFormat::Epoch
                    } else if self.is_native(pool, info) {
                        TimeFormat::Native
                    } else {
                        TimeFormat::IsoT { zulu: true }
                    };
                    pool.truncate_time(info, time_format, unit)
                }
                None => pool.quote(&info.name),
            };
            targets.push(pool.quote(column));
            exprs.push(expr.clone());
            groups.push(expr);
        }
        let mut measures = Vec::new();
        for (column, measure) in &rollup.measures {
            let measure = measure.get_ref();
            let expr = match (measure.op, &measure.column) {
                (MeasureOp::Count, _) => "COUNT(*)".to_string(),
                (MeasureOp::Sum, Some(c)) => format!("COALESCE(SUM({}), 0)", pool.quote(c)),
                (MeasureOp::Sum, None) => anyhow::bail!("a sum measure needs a column"),
            };
            targets.push(pool.quote(column));
            exprs.push(expr);
            measures.push(pool.quote(column));
        }
        let keys: Vec<String> = aggregate
            .key_columns()
            .iter()
            .map(|k| pool.quote(k))
            .collect();
        let agg = pool.quote(into);
        let upsert = match pool.engine() {
            Engine::Mysql => format!(
                "ON DUPLICATE KEY UPDATE {}",
                measures
                    .iter()
                    .map(|m| format!("{m} = {m} + VALUES({m})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => format!(
                "ON CONFLICT ({}) DO UPDATE SET {}",
                keys.join(", "),
                measures
                    .iter()
                    .map(|m| format!("{m} = {agg}.{m} + excluded.{m}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Ok(RollupSql {
            agg,
            targets,
            exprs,
            groups,
            upsert,
        })
    }

    pub(crate) fn is_native(&self, pool: &SourcePool, column: &ColumnInfo) -> bool {
        let t = column.db_type.to_ascii_lowercase();
        match pool.engine() {
            Engine::Postgres => matches!(t.as_str(), "timestamp" | "timestamptz" | "date"),
            Engine::Mysql => matches!(t.as_str(), "datetime" | "timestamp" | "date"),
            Engine::Sqlite => false,
        }
    }

    /// The aggregate's floor (`min_group`), when this table rolls up into one that has it.
    fn floor(&self) -> Option<u64> {
        if self.retention.then != RetentionAction::Rollup {
            return None;
        }
        let into = self.retention.rollup.as_ref()?.get_ref().into.get_ref();
        self.source
            .table(into)?
            .min_group
            .as_ref()
            .map(|m| *m.get_ref())
    }

    /// A roll-up never writes a group smaller than its aggregate's `min_group`: rows whose
    /// group would count fewer (what is due in it plus what the aggregate already counts)
    /// are not due; they stay until their group reaches the floor. The groups are read
    /// once, as text, and left out by value in every chunk. Groups with a NULL part are
    /// not recognised and roll up as before.
    async fn keep_small_groups(&mut self, pool: &SourcePool) -> Result<()> {
        let Some(floor) = self.floor() else {
            return Ok(());
        };
        let rollup = self.rollup()?;
        let sql = self.rollup_sql(pool)?;
        let width = rollup.group.len();
        let text = |expr: &str| match pool.engine() {
            Engine::Mysql => format!("CAST({expr} AS CHAR)"),
            _ => format!("CAST({expr} AS TEXT)"),
        };
        let count = rollup
            .measures
            .iter()
            .find(|(_, m)| m.get_ref().op == MeasureOp::Count)
            .map(|(column, _)| pool.quote(column));
        let inner: Vec<String> = sql
            .groups
            .iter()
            .enumerate()
            .map(|(i, e)| format!("{} AS g{i}", text(e)))
            .collect();
        let outer: Vec<String> = (0..width).map(|i| format!("d.g{i}")).collect();
        let mut query = Sql::new(format!(
            "SELECT {} FROM (SELECT {}, COUNT(*) AS n FROM {} WHERE ",
            outer.join(", "),
            inner.join(", "),
            pool.quote(self.table.name())
        ));
        query
            .append(&self.due)
            .push(&format!(" GROUP BY {}) d", sql.groups.join(", ")));
        match &count {
            Some(column) => {
                let on: Vec<String> = sql.targets[..width]
                    .iter()
                    .enumerate()
                    .map(|(i, t)| format!("{} = d.g{i}", text(&format!("a.{t}"))))
                    .collect();
                query.push(&format!(
                    " LEFT JOIN {} a ON {} WHERE d.n + COALESCE(a.{column}, 0) < {floor}",
                    sql.agg,
                    on.join(" AND ")
                ));
            }
            None => {
                query.push(&format!(" WHERE d.n < {floor}"));
            }
        }
        let kinds = vec![Kind::Text; width];
        let mut small: Vec<Vec<Option<String>>> = Vec::new();
        pool.for_each_row(&query, &kinds, |row| {
            small.push(
                row.iter()
                    .map(|v| crate::sql::Key::from_json(v).as_text())
                    .collect(),
            );
            Ok(())
        })
        .await?;
        let small: Vec<Vec<String>> = small
            .into_iter()
            .filter_map(|g| g.into_iter().collect::<Option<Vec<String>>>())
            .collect();
        if small.is_empty() {
            return Ok(());
        }
        if small.len() > 5_000 {
            anyhow::bail!(
                "{} groups of `{}` would count fewer than the aggregate's min_group of {floor}: too many to keep out of the roll-up one by one",
                small.len(),
                self.table.name()
            );
        }
        // Rows of a small group: COALESCE keeps a NULL comparison from hiding a row.
        let mut member = Sql::new("COALESCE((");
        for (i, group) in small.iter().enumerate() {
            if i > 0 {
                member.push(") OR (");
            }
            for (j, (expr, value)) in sql.groups.iter().zip(group).enumerate() {
                if j > 0 {
                    member.push(" AND ");
                }
                member
                    .push(&format!("{} = ", text(expr)))
                    .bind(value.as_str());
            }
        }
        member.push("), FALSE)");
        self.kept_below_floor = small.len();
        if self.small_groups() == SmallGroups::Other {
            self.merge_into_other = Some(member);
        } else {
            self.due.push(" AND NOT ").append(&member);
        }
        Ok(())
    }

    fn small_groups(&self) -> SmallGroups {
        self.retention
            .rollup
            .as_ref()
            .and_then(|r| self.source.table(r.get_ref().into.get_ref()))
            .and_then(|a| a.small_groups.as_ref())
            .map_or(SmallGroups::Keep, |m| *m.get_ref())
    }

    /// With `small_groups = "other"`: rolls the rows of the groups below the floor into
    /// the `other` bucket (a truncated time keeps its value, every other group column is
    /// `other`) and deletes them, in one transaction; returns the rows merged.
    pub(crate) async fn merge_small_groups(&self, pool: &SourcePool) -> Result<u64> {
        let Some(member) = &self.merge_into_other else {
            return Ok(0);
        };
        let rollup = self.rollup()?;
        let sql = self.rollup_sql(pool)?;
        let width = rollup.group.len();
        let mut exprs = Vec::new();
        let mut kept = Vec::new();
        for ((_, group), expr) in rollup.group.iter().zip(&sql.exprs[..width]) {
            if group.get_ref().truncate.is_some() {
                exprs.push(expr.clone());
                kept.push(expr.clone());
            } else {
                exprs.push("'other'".to_string());
            }
        }
        exprs.extend(sql.exprs[width..].iter().cloned());
        let mut rows = self.due.clone();
        rows.push(" AND ").append(member);
        let mut insert = Sql::new(format!(
            "INSERT INTO {} ({}) SELECT {} FROM {} WHERE ",
            sql.agg,
            sql.targets.join(", "),
            exprs.join(", "),
            pool.quote(self.table.name())
        ));
        insert.append(&rows);
        if !kept.is_empty() {
            insert.push(&format!(" GROUP BY {}", kept.join(", ")));
        }
        insert.push(&format!(" HAVING COUNT(*) > 0 {}", sql.upsert));
        let mut delete = Sql::new(format!(
            "DELETE FROM {} WHERE ",
            pool.quote(self.table.name())
        ));
        delete.append(&rows);
        let mut tx = pool.begin().await?;
        tx.execute(&insert).await?;
        let merged = tx.execute(&delete).await?;
        tx.commit().await?;
        Ok(merged)
    }

    /// The rule in words, for plans.
    pub(crate) fn describe_rule(&self) -> String {
        format!(
            "{} from `{}`, then {}",
            self.retention.period.get_ref(),
            self.retention.from.get_ref(),
            match self.retention.then {
                RetentionAction::Delete => "delete".to_string(),
                RetentionAction::Anonymise => "anonymise".to_string(),
                RetentionAction::Rollup => format!(
                    "roll up into `{}`{}",
                    self.retention
                        .rollup
                        .as_ref()
                        .map(|r| r.get_ref().into.get_ref().clone())
                        .unwrap_or_default(),
                    match (self.floor(), self.small_groups()) {
                        (Some(floor), SmallGroups::Keep) if self.kept_below_floor > 0 => {
                            format!(
                                " ({} group(s) under min_group {floor} kept until they reach it)",
                                self.kept_below_floor
                            )
                        }
                        (Some(floor), SmallGroups::Other) if self.kept_below_floor > 0 => {
                            format!(
                                " ({} group(s) under min_group {floor} merged into `other`)",
                                self.kept_below_floor
                            )
                        }
                        _ => String::new(),
                    }
                ),
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::policy::Policy;
    use crate::sources::rows::Key;
    use crate::sql::Placeholders;

    const SOURCE: &str = r#"
[source]
id = "app"
engine = "sqlite"
path = "app.db"

[[table]]
name = "events"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
at = "system.operations"
paid_at = "system.operations"
[table.retention]
period = "30d"
from = "at"
then = "delete"
[[table.hold]]
reason = "tax law"
article = "17(3)(b)"
duration = "7y"
from = "paid_at"

[[table]]
name = "notes"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email", mask = "hmac" }
body = { category = "user.content", mask = "redact" }
at = "system.operations"
[table.retention]
period = "1y"
from = "at"
then = "anonymise"

[[table]]
name = "usage"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
feature = "system.operations"
at = "system.operations"
[table.retention]
period = "1d"
from = "at"
then = "rollup"
[table.retention.rollup]
into = "daily"
group = { day = { column = "at", truncate = "day" }, feature = { column = "feature" } }
measures = { events = { op = "count" } }

[[table]]
name = "daily"
aggregate = true
key = ["day", "feature"]
[table.columns]
day = "system.aggregate"
feature = "system.aggregate"
events = "system.aggregate"
"#;

    fn policy() -> Policy {
        Policy::from_files(
            std::path::Path::new("."),
            vec![("app.toml".to_string(), SOURCE.as_bytes().to_vec())],
        )
    }

    fn column(name: &str, kind: Kind, db_type: &str) -> ColumnInfo {
        ColumnInfo {
            name: name.to_string(),
            kind,
            db_type: db_type.to_string(),
            collation: None,
        }
    }

    fn facts(table: &Table, time: (Kind, &str), format: TimeFormat) -> RuleFacts {
        let columns = table
            .columns
            .keys()
            .map(|name| match name.as_str() {
                "at" | "paid_at" => column(name, time.0, time.1),
                "id" => column(name, Kind::Int, "integer"),
                _ => column(name, Kind::Text, "text"),
            })
            .collect();
        RuleFacts {
            columns,
            formats: [("at", format), ("paid_at", format)]
                .into_iter()
                .map(|(c, f)| (c.to_string(), f))
                .collect(),
            rowid: Some("rowid"),
            indexed: true,
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
    }

    fn rule<'p>(
        policy: &'p Policy,
        table: &str,
        engine: Engine,
        time: (Kind, &str),
        format: TimeFormat,
    ) -> TableSweep<'p> {
        let source = policy.source("app").unwrap();
        let table = source.table(table).unwrap();
        TableSweep::decide(
            Dialect(engine),
            source,
            table,
            facts(table, time, format),
            now(),
        )
        .unwrap()
    }

    #[test]
    fn delete_keeps_held_rows_out_of_what_is_due() {
        let policy = policy();
        let sweep = rule(
            &policy,
            "events",
            Engine::Sqlite,
            (Kind::Text, "TEXT"),
            TimeFormat::IsoT { zulu: true },
        );
        assert_eq!(sweep.describe_rule(), "30d from `at`, then delete");
        assert_eq!(
            sweep.cutoff,
            Utc.with_ymd_and_hms(2026, 10, 26, 12, 0, 0).unwrap()
        );
        assert_eq!(
            sweep.due.render(Placeholders::Dollar),
            "\"at\" >= '0000-01-01' AND \"at\" < $1 AND NOT (\"paid_at\" IS NULL OR \"paid_at\" > $2)"
        );
        assert_eq!(
            sweep.due.binds(),
            vec![
                Key::Text("2026-10-26T12:00:00Z".into()),
                Key::Text("2019-11-25T12:00:00Z".into())
            ]
        );
        assert_eq!(sweep.holds.len(), 1);
        assert_eq!(sweep.holds[0].0, "tax law");
        assert_eq!(
            sweep.no_timestamp,
            "(\"at\" IS NULL OR \"at\" < '0000-01-01')"
        );
    }

    #[test]
    fn anonymise_is_due_only_while_a_masked_column_is_not_yet_masked() {
        let policy = policy();
        let sweep = rule(
            &policy,
            "notes",
            Engine::Postgres,
            (Kind::Text, "timestamptz"),
            TimeFormat::Native,
        );
        assert_eq!(sweep.describe_rule(), "1y from `at`, then anonymise");
        let due = sweep.due.render(Placeholders::Dollar);
        assert!(
            due.starts_with("\"at\" IS NOT NULL AND \"at\" < CAST($1 AS \"timestamptz\") AND ("),
            "{due}"
        );
        assert!(due.contains(&format!("\"email\" <> '{ANONYMISED}'")));
        assert!(due.contains(&format!("\"body\" <> '{REDACTED}'")));
        assert_eq!(sweep.no_timestamp, "\"at\" IS NULL");
    }

    #[test]
    fn rollup_names_its_aggregate() {
        let policy = policy();
        let sweep = rule(
            &policy,
            "usage",
            Engine::Mysql,
            (Kind::Text, "datetime"),
            TimeFormat::Native,
        );
        assert_eq!(
            sweep.describe_rule(),
            "1d from `at`, then roll up into `daily`"
        );
        assert_eq!(
            sweep.due.render(Placeholders::Question),
            "`at` IS NOT NULL AND `at` < ?"
        );
        assert_eq!(
            sweep.due.binds(),
            vec![Key::Text("2026-11-24 12:00:00".into())]
        );
    }

    /// Each way a timestamp is written gets the cutoff in the same form, so the comparison
    /// is the data's own (and an index on the column serves it).
    #[test]
    fn the_cutoff_is_written_as_each_timestamp_format_holds_it() {
        let policy = policy();
        let cases = [
            (
                TimeFormat::IsoT { zulu: true },
                Key::Text("2026-10-26T12:00:00Z".into()),
            ),
            (
                TimeFormat::IsoT { zulu: false },
                Key::Text("2026-10-26T12:00:00".into()),
            ),
            (
                TimeFormat::IsoSpace,
                Key::Text("2026-10-26 12:00:00".into()),
            ),
            (TimeFormat::Date, Key::Text("2026-10-26".into())),
            (TimeFormat::Epoch, Key::Int(1_793_016_000)),
        ];
        for (format, cutoff) in cases {
            let kind = if format == TimeFormat::Epoch {
                (Kind::Int, "INTEGER")
            } else {
                (Kind::Text, "TEXT")
            };
            let sweep = rule(&policy, "events", Engine::Sqlite, kind, format);
            assert_eq!(sweep.due.binds()[0], cutoff, "{format:?}");
            let text_like = !matches!(format, TimeFormat::Epoch);
            let past = sweep.past.render(Placeholders::Question);
            assert_eq!(
                past.contains("'0000-01-01'"),
                text_like,
                "{format:?}: {past}"
            );
        }
    }
}
