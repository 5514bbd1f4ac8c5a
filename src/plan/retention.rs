//! Retention: which rows of a table are past their period, and the chunked work that
//! deletes, anonymises or rolls them up. Every chunk is a short transaction of its own,
//! so a sweep stopped at any point leaves consistent data and the next one finishes it.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::plan::erase::{PSEUDONYM_PREFIX, REDACTED};
use crate::plan::traverse::in_list;
use crate::policy::{Engine, Mask, MeasureOp, Retention, RetentionAction, SourceDef, Table};
use crate::sources::SourcePool;
use crate::sources::rows::{ColumnInfo, Key, Kind, TimeFormat};

/// Where a sweep of one table stands between chunks.
#[derive(Debug, Default)]
pub struct Cursor {
    pub finished: bool,
    /// PostgreSQL: the next heap block, and (blocks, rows per block) of the table.
    next_block: i64,
    blocks: Option<(i64, f64)>,
}

async fn pool_fetch_one(pool: &SourcePool, sql: &str, table: &str) -> Result<(i64, f64)> {
    let mut found = (0, 100.0);
    pool.for_each_row(
        sql,
        &[Key::Text(table.to_string())],
        &[Kind::Int, Kind::Float],
        |row| {
            found = (
                row[0].as_i64().unwrap_or(0),
                row[1].as_f64().unwrap_or(100.0),
            );
            Ok(())
        },
    )
    .await?;
    Ok(found)
}

/// A condition with `{?}` where its parameters go, and the parameters.
#[derive(Debug, Clone)]
struct Condition {
    sql: String,
    binds: Vec<Key>,
}

/// Numbers `{?}` markers as the engine wants its parameters, from `first`.
fn number(pool: &SourcePool, sql: &str, first: usize) -> String {
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

#[derive(Debug, Clone, Serialize)]
pub struct HoldCount {
    pub reason: String,
    pub article: String,
    pub rows: u64,
}

/// One table's retention rule, resolved against the live schema.
pub struct TableSweep<'p> {
    pub source: &'p SourceDef,
    pub table: &'p Table,
    pub retention: &'p Retention,
    pub cutoff: DateTime<Utc>,
    from: ColumnInfo,
    key_columns: Vec<ColumnInfo>,
    columns: Vec<ColumnInfo>,
    /// Rows past their period, not held, not already anonymised.
    due: Condition,
    holds: Vec<(String, String, Condition)>,
    /// True for rows that have a usable timestamp.
    timestamp: String,
}

impl<'p> TableSweep<'p> {
    pub async fn prepare(
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
        let period: crate::period::Period = retention
            .period
            .get_ref()
            .parse()
            .map_err(|e: String| anyhow::anyhow!(e))?;
        let cutoff = period.before(now);
        let columns = pool
            .table_columns(table.name())
            .await
            .with_context(|| format!("source `{}`", source.id()))?;
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
        let format = pool.time_format(table.name(), &from).await?;
        let f = pool.quote(&from.name);
        // Text that is not a timestamp (empty, garbage) counts as no timestamp at all.
        let timestamp = match format {
            TimeFormat::IsoT { .. } | TimeFormat::IsoSpace | TimeFormat::Date => {
                format!("{f} >= '0000-01-01'")
            }
            _ => format!("{f} IS NOT NULL"),
        };
        let mut due = Condition {
            sql: format!(
                "{timestamp} AND {f} < {}",
                pool.time_param(&from, format, "{?}")
            ),
            binds: vec![pool.format_time(format, cutoff)],
        };
        let mut holds = Vec::new();
        for hold in &table.hold {
            let hold = hold.get_ref();
            let (column, at) = match (&hold.duration, &hold.from, &hold.until) {
                (Some(duration), Some(from), _) => {
                    let period: crate::period::Period = duration
                        .get_ref()
                        .parse()
                        .map_err(|e: String| anyhow::anyhow!(e))?;
                    (find(from.get_ref())?, period.before(now))
                }
                (_, _, Some(until)) => (find(until.get_ref())?, now),
                _ => continue,
            };
            let hold_format = pool.time_format(table.name(), &column).await?;
            let c = pool.quote(&column.name);
            let condition = Condition {
                sql: format!(
                    "({c} IS NULL OR {c} > {})",
                    pool.time_param(&column, hold_format, "{?}")
                ),
                binds: vec![pool.format_time(hold_format, at)],
            };
            due.sql.push_str(&format!(" AND NOT {}", condition.sql));
            due.binds.extend(condition.binds.iter().cloned());
            holds.push((hold.reason.clone(), hold.article.clone(), condition));
        }
        if retention.then == RetentionAction::Anonymise {
            let masks = table
                .columns
                .iter()
                .filter_map(|(name, spec)| spec.get_ref().mask.map(|m| (name.as_str(), m)));
            let pending = crate::plan::erase::not_yet_masked(pool, &columns, masks);
            due.sql.push_str(&format!(" AND {pending}"));
        }
        Ok(TableSweep {
            source,
            table,
            retention,
            cutoff,
            from,
            key_columns,
            columns,
            due,
            holds,
            timestamp,
        })
    }

    async fn count(&self, pool: &SourcePool, condition: &str, binds: &[Key]) -> Result<u64> {
        let sql = number(
            pool,
            &format!(
                "SELECT COUNT(*) FROM {} WHERE {condition}",
                pool.quote(self.table.name())
            ),
            1,
        );
        let mut count = 0;
        pool.for_each_row(&sql, binds, &[Kind::Int], |row| {
            count = row[0].as_i64().unwrap_or(0) as u64;
            Ok(())
        })
        .await?;
        Ok(count)
    }

    pub async fn due(&self, pool: &SourcePool) -> Result<u64> {
        self.count(pool, &self.due.sql, &self.due.binds).await
    }

    /// Rows past their period that a hold keeps, per hold.
    pub async fn held(&self, pool: &SourcePool) -> Result<Vec<HoldCount>> {
        let f = pool.quote(&self.from.name);
        let timestamp = &self.timestamp;
        let past = &self.due.binds[0];
        let mut counts = Vec::new();
        for (reason, article, condition) in &self.holds {
            let mut binds = vec![past.clone()];
            binds.extend(condition.binds.iter().cloned());
            let rows = self
                .count(
                    pool,
                    &format!("{timestamp} AND {f} < {{?}} AND {}", condition.sql),
                    &binds,
                )
                .await?;
            counts.push(HoldCount {
                reason: reason.clone(),
                article: article.clone(),
                rows,
            });
        }
        Ok(counts)
    }

    /// Rows whose timestamp is NULL (or not a timestamp): never deleted, reported.
    pub async fn null_timestamps(&self, pool: &SourcePool) -> Result<u64> {
        self.count(
            pool,
            &format!(
                "NOT ({}) OR {} IS NULL",
                self.timestamp,
                pool.quote(&self.from.name)
            ),
            &[],
        )
        .await
    }

    /// The statements of one chunk, for `--dry-run` and plans.
    pub fn describe(&self, pool: &SourcePool) -> Vec<String> {
        let table = pool.quote(self.table.name());
        let mut statements = Vec::new();
        let selection = format!(
            "SELECT ... FROM {table} WHERE {} ORDER BY {} LIMIT n",
            number(pool, &self.due.sql, 1),
            pool.quote(&self.from.name)
        );
        match self.retention.then {
            RetentionAction::Delete => {
                statements.push(format!("DELETE FROM {table} WHERE <rows of: {selection}>"))
            }
            RetentionAction::Anonymise => statements.push(format!(
                "UPDATE {table} SET <masks> WHERE <rows of: {selection}>"
            )),
            RetentionAction::Rollup => {
                let into = self
                    .retention
                    .rollup
                    .as_ref()
                    .map(|r| r.get_ref().into.get_ref().clone())
                    .unwrap_or_default();
                statements.push(format!("INSERT INTO {} ... SELECT <groups>, <measures> FROM {table} WHERE <rows of: {selection}> GROUP BY <groups> <upsert adding to the totals>", pool.quote(&into)));
                statements.push(format!("DELETE FROM {table} WHERE <the same rows>"));
            }
        }
        statements
    }

    /// Processes up to `batch` due rows in one transaction; returns how many.
    /// Processes the next chunk in one transaction; returns how many rows it changed and
    /// sets `cursor.finished` when the table is done. `batch` is in rows.
    pub async fn chunk(&self, pool: &SourcePool, batch: usize, cursor: &mut Cursor) -> Result<u64> {
        let table = pool.quote(self.table.name());
        let order = pool.quote(&self.from.name);
        // PostgreSQL walks the heap in block ranges (TID range scans): each chunk reads
        // its own pages once, as one big DELETE would, instead of finding rows by index.
        let block_range = if pool.engine() == Engine::Postgres {
            let (total, per_block) = match cursor.blocks {
                Some(known) => known,
                None => {
                    let sql = "SELECT (pg_relation_size(to_regclass($1)) / current_setting('block_size')::bigint)::bigint, \
                               COALESCE(NULLIF(c.reltuples, -1) / NULLIF(c.relpages, 0), 100)::float8 \
                               FROM pg_class c WHERE c.oid = to_regclass($1)";
                    let row = pool_fetch_one(pool, sql, &table).await?;
                    cursor.blocks = Some(row);
                    row
                }
            };
            let step = ((batch as f64 / per_block.max(1.0)).ceil() as i64).max(1);
            let start = cursor.next_block;
            let end = start + step;
            cursor.next_block = end;
            cursor.finished = end >= total;
            Some((start, end))
        } else {
            None
        };
        // The rows of this chunk (SQLite: by rowid, oldest first; PostgreSQL: a block range).
        let selection = |first: usize| -> (String, Vec<Key>) {
            let due = number(pool, &self.due.sql, first);
            let mut binds = self.due.binds.clone();
            let sql = match (pool.engine(), block_range) {
                (Engine::Sqlite, _) => format!(
                    "rowid IN (SELECT rowid FROM {table} WHERE {due} ORDER BY {order} LIMIT {batch})"
                ),
                (Engine::Postgres, Some((start, end))) => {
                    let n = first + binds.len();
                    binds.push(Key::Text(format!("({start},0)")));
                    binds.push(Key::Text(format!("({end},0)")));
                    format!("ctid >= ${n}::tid AND ctid < ${}::tid AND {due}", n + 1)
                }
                _ => String::new(),
            };
            (sql, binds)
        };
        let mut tx = pool.begin().await?;
        // MySQL cannot LIMIT a subquery of the table it changes: read the keys first.
        let (rows_sql, rows_binds) = if pool.engine() == Engine::Mysql {
            let select: Vec<String> = self
                .key_columns
                .iter()
                .map(|c| pool.select_expr(c))
                .collect();
            let kinds: Vec<Kind> = self.key_columns.iter().map(|c| c.kind).collect();
            let sql = format!(
                "SELECT {} FROM {table} WHERE {} ORDER BY {order} LIMIT {batch} FOR UPDATE",
                select.join(", "),
                number(pool, &self.due.sql, 1)
            );
            let keys: Vec<Vec<Key>> = tx
                .fetch(&sql, &self.due.binds, &kinds)
                .await?
                .iter()
                .map(|r| r.iter().map(Key::from_json).collect())
                .collect();
            if keys.is_empty() {
                tx.commit().await?;
                cursor.finished = true;
                return Ok(0);
            }
            let refs: Vec<&ColumnInfo> = self.key_columns.iter().collect();
            (
                in_list(pool, &refs, keys.len(), 1),
                keys.into_iter().flatten().collect::<Vec<_>>(),
            )
        } else {
            (String::new(), Vec::new())
        };
        let rows = |first: usize| -> (String, Vec<Key>) {
            if pool.engine() == Engine::Mysql {
                (rows_sql.clone(), rows_binds.clone())
            } else {
                selection(first)
            }
        };
        let done = match self.retention.then {
            RetentionAction::Delete => {
                let (where_sql, binds) = rows(1);
                tx.execute(&format!("DELETE FROM {table} WHERE {where_sql}"), &binds)
                    .await?
            }
            RetentionAction::Anonymise => {
                let sets = self.mask_sets(pool);
                let (where_sql, binds) = rows(1);
                tx.execute(
                    &format!("UPDATE {table} SET {sets} WHERE {where_sql}"),
                    &binds,
                )
                .await?
            }
            RetentionAction::Rollup if pool.engine() == Engine::Postgres => {
                // One statement: the deleted rows feed the roll-up directly.
                let (insert, _) = self.rollup_sql(pool)?;
                let (where_sql, binds) = rows(1);
                let source = format!("FROM {table} WHERE <ROWS>");
                let insert = insert.replace(&source, "FROM gone");
                let rollup = self
                    .retention
                    .rollup
                    .as_ref()
                    .context("then = \"rollup\" without a rollup section")?
                    .get_ref();
                let mut used: Vec<String> = rollup
                    .group
                    .values()
                    .map(|g| g.get_ref().column.clone())
                    .collect();
                used.extend(
                    rollup
                        .measures
                        .values()
                        .filter_map(|m| m.get_ref().column.clone()),
                );
                used.sort();
                used.dedup();
                let returning: Vec<String> = used.iter().map(|c| pool.quote(c)).collect();
                let sql = format!(
                    "WITH gone AS (DELETE FROM {table} WHERE {where_sql} RETURNING {}), \
                     rolled AS ({insert}) SELECT COUNT(*) FROM gone",
                    returning.join(", ")
                );
                let counted = tx.fetch(&sql, &binds, &[Kind::Int]).await?;
                counted.first().and_then(|r| r[0].as_u64()).unwrap_or(0)
            }
            RetentionAction::Rollup => {
                let (insert, _) = self.rollup_sql(pool)?;
                let (where_sql, binds) = rows(1);
                tx.execute(&insert.replace("<ROWS>", &where_sql), &binds)
                    .await?;
                let (where_sql, binds) = rows(1);
                tx.execute(&format!("DELETE FROM {table} WHERE {where_sql}"), &binds)
                    .await?
            }
        };
        tx.commit().await?;
        if block_range.is_none() && done == 0 {
            cursor.finished = true;
        }
        Ok(done)
    }

    fn mask_sets(&self, pool: &SourcePool) -> String {
        self.table
            .columns
            .iter()
            .filter_map(|(name, spec)| spec.get_ref().mask.map(|m| (name, m)))
            .map(|(name, mask)| {
                let c = pool.quote(name);
                let numeric = self.columns.iter().any(|i| {
                    &i.name == name && matches!(i.kind, Kind::Int | Kind::Float | Kind::Bool)
                });
                match mask {
                    Mask::Redact if !numeric => format!("{c} = '{REDACTED}'"),
                    // Anonymisation keeps no link to the person, not even a pseudonym.
                    Mask::Hmac if !numeric => format!("{c} = '{PSEUDONYM_PREFIX}anonymised'"),
                    _ => format!("{c} = NULL"),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `INSERT INTO aggregate ... SELECT ... WHERE <ROWS> GROUP BY ...` adding to totals.
    fn rollup_sql(&self, pool: &SourcePool) -> Result<(String, String)> {
        let rollup = self
            .retention
            .rollup
            .as_ref()
            .context("then = \"rollup\" without a rollup section")?
            .get_ref();
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
        let sql = format!(
            "INSERT INTO {agg} ({}) SELECT {} FROM {} WHERE <ROWS> GROUP BY {} {upsert}",
            targets.join(", "),
            exprs.join(", "),
            pool.quote(self.table.name()),
            groups.join(", ")
        );
        Ok((sql, agg))
    }

    fn is_native(&self, pool: &SourcePool, column: &ColumnInfo) -> bool {
        let t = column.db_type.to_ascii_lowercase();
        match pool.engine() {
            Engine::Postgres => matches!(t.as_str(), "timestamp" | "timestamptz" | "date"),
            Engine::Mysql => matches!(t.as_str(), "datetime" | "timestamp" | "date"),
            Engine::Sqlite => false,
        }
    }

    /// The rule in words, for plans.
    pub fn describe_rule(&self) -> String {
        format!(
            "{} from `{}`, then {}",
            self.retention.period.get_ref(),
            self.retention.from.get_ref(),
            match self.retention.then {
                RetentionAction::Delete => "delete".to_string(),
                RetentionAction::Anonymise => "anonymise".to_string(),
                RetentionAction::Rollup => format!(
                    "roll up into `{}`",
                    self.retention
                        .rollup
                        .as_ref()
                        .map(|r| r.get_ref().into.get_ref().clone())
                        .unwrap_or_default()
                ),
            }
        )
    }
}
