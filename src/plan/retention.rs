//! Retention: which rows of a table are past their period, and the chunked work that
//! deletes, anonymises or rolls them up. Every chunk is a short transaction of its own,
//! so a sweep stopped at any point leaves consistent data and the next one finishes it.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::plan::erase::{ANONYMISED, REDACTED};
use crate::plan::hold::{Condition, number};
use crate::plan::traverse::in_list;
use crate::policy::{Engine, Mask, MeasureOp, Retention, RetentionAction, SourceDef, Table};
use crate::sources::SourcePool;
use crate::sources::rows::{ColumnInfo, Dialect, Key, Kind, TimeFormat};

/// Below this share of due rows among the rows a chunk reads, walking the table in
/// physical order costs more than finding the due rows through the timestamp's index.
/// Rows found by index cost about 80 times a row read in order (measured on 10M-row
/// tables on both engines): 1% is about where the two meet.
const DENSE: f64 = 0.01;

/// How often a chunk that PostgreSQL could not serialise against concurrent changes
/// runs again (after 20 ms, 40 ms, ...) before the sweep gives up on the table.
const SERIALIZATION_RETRIES: u64 = 10;

/// At most this many key values go into one chunk's statements.
const KEY_PARAMETERS: usize = 30_000;

/// The SQLite page cache of a sweep's connection, in KiB.
const SQLITE_CACHE_KIB: u32 = 65_536;

/// How a sweep walks a table.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum Walk {
    /// Not decided yet: the first chunk looks at the table.
    #[default]
    Start,
    /// Physical order, in ranges of SQLite rowids or PostgreSQL heap blocks: every page
    /// is read once, as one big DELETE reads it. For tables where most rows are due.
    Range {
        next: i128,
        end: i128,
        rows_per_unit: f64,
    },
    /// The due rows oldest first, through the timestamp's index. For few due rows.
    Index,
    /// The keys of the due rows read first, then the rows changed by key (MySQL, which
    /// cannot LIMIT a subquery of the table it changes; SQLite tables WITHOUT ROWID).
    Keys,
}

/// A chunk's transaction must stay well under a second: after each chunk the batch is
/// scaled towards CHUNK_TARGET (by half to one and a half at a time), which leaves room
/// for a chunk that takes twice as long as the one before (a checkpoint, a cold page).
const CHUNK_TARGET: std::time::Duration = std::time::Duration::from_millis(350);
const FIRST_BATCH: usize = 20_000;
/// Rows found through an index are changed one page here, one there: a walk by index
/// starts smaller and grows.
const FIRST_INDEX_BATCH: usize = 2_000;
const MIN_BATCH: usize = 100;
const MAX_BATCH: usize = 500_000;

/// Where a sweep of one table stands between chunks.
#[derive(Debug, Default)]
pub struct Cursor {
    pub finished: bool,
    walk: Walk,
    /// Rows per chunk; it adapts to the chunks' durations unless it was given.
    batch: usize,
    adaptive: bool,
    /// The walks taken, in order, for the summary.
    pub walks: Vec<&'static str>,
    /// How long the last chunk's transaction lasted, from its first statement to its
    /// commit (choosing the walk and measuring the table are not part of it).
    pub transaction: std::time::Duration,
    /// Chunks run again because PostgreSQL could not serialise them against others.
    pub retried: u64,
}

impl Cursor {
    /// A cursor at the start of a table, with a fixed batch or an adaptive one.
    pub fn new(batch: Option<usize>) -> Cursor {
        Cursor {
            batch: batch.unwrap_or(FIRST_BATCH).max(1),
            adaptive: batch.is_none(),
            ..Cursor::default()
        }
    }

    /// Scales an adaptive batch towards chunks of CHUNK_TARGET.
    fn adapt(&mut self) {
        if self.adaptive {
            let scale = (CHUNK_TARGET.as_secs_f64() / self.transaction.as_secs_f64().max(1e-3))
                .clamp(0.5, 1.5);
            self.batch = ((self.batch as f64 * scale) as usize).clamp(MIN_BATCH, MAX_BATCH);
        }
    }

    fn set(&mut self, walk: Walk) {
        if walk == Walk::Index && self.adaptive {
            self.batch = self.batch.min(FIRST_INDEX_BATCH);
        }
        self.walk = walk;
        self.walks.push(match walk {
            Walk::Start => "start",
            Walk::Range { .. } => "range",
            Walk::Index => "index",
            Walk::Keys => "keys",
        });
    }
}

/// The values of a one-row query.
async fn fetch_row(
    pool: &SourcePool,
    sql: &str,
    binds: &[Key],
    kinds: &[Kind],
) -> Result<Vec<serde_json::Value>> {
    let mut found = vec![serde_json::Value::Null; kinds.len()];
    pool.for_each_row(sql, binds, kinds, |row| {
        found = row;
        Ok(())
    })
    .await?;
    Ok(found)
}

/// Two numbers from a one-row query.
async fn fetch_pair(pool: &SourcePool, sql: &str, binds: &[Key]) -> Result<(f64, f64)> {
    let row = fetch_row(pool, sql, binds, &[Kind::Float, Kind::Float]).await?;
    Ok((
        row[0].as_f64().unwrap_or(0.0),
        row[1].as_f64().unwrap_or(0.0),
    ))
}

/// True when the chunk failed only because PostgreSQL could not serialise it against
/// a concurrent change; the chunk rolled back and may simply run again.
fn is_serialization_failure(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .and_then(|e| e.code())
            .is_some_and(|code| code == "40001")
    })
}

/// The name under which a SQLite table's rowid is reachable: `rowid` unless a column
/// takes that name; None for a table WITHOUT ROWID.
async fn rowid_name(
    pool: &SourcePool,
    table: &str,
    columns: &[ColumnInfo],
) -> Option<&'static str> {
    let name = ["rowid", "_rowid_", "oid"]
        .into_iter()
        .find(|n| !columns.iter().any(|c| c.name.eq_ignore_ascii_case(n)))?;
    let probe = format!("SELECT {name} FROM {} LIMIT 0", pool.quote(table));
    pool.for_each_row(&probe, &[], &[], |_| Ok(()))
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
struct RollupSql {
    agg: String,
    targets: Vec<String>,
    exprs: Vec<String>,
    groups: Vec<String>,
    upsert: String,
}

impl RollupSql {
    /// `INSERT INTO aggregate ... SELECT ... FROM table WHERE rows GROUP BY ...`.
    fn insert_select(&self, from: &str, rows: &str) -> String {
        format!(
            "INSERT INTO {} ({}) SELECT {} FROM {from} WHERE {rows} GROUP BY {} {}",
            self.agg,
            self.targets.join(", "),
            self.exprs.join(", "),
            self.groups.join(", "),
            self.upsert
        )
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
    from: ColumnInfo,
    key_columns: Vec<ColumnInfo>,
    columns: Vec<ColumnInfo>,
    /// Rows past their period, not held, not already anonymised.
    due: Condition,
    holds: Vec<(String, String, Condition)>,
    /// True for rows that have a usable timestamp.
    timestamp: String,
    /// True for the others (written so that an index on the column serves it).
    no_timestamp: String,
    /// SQLite: the name that reaches the table's rowid (None: a table WITHOUT ROWID).
    rowid: Option<&'static str>,
    /// An index leads with the timestamp column.
    indexed: bool,
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
        TableSweep::decide(pool.dialect(), source, table, facts, now)
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
        let mut due = Condition {
            sql: format!(
                "{timestamp} AND {f} < {}",
                dialect.time_param(&from, format, "{?}")
            ),
            binds: vec![dialect.format_time(format, cutoff)],
        };
        let mut holds = Vec::new();
        for hold in &table.hold {
            let hold = hold.get_ref();
            let Some((column, at)) = crate::plan::hold::hold_column(table, &columns, hold, now)?
            else {
                continue;
            };
            let condition =
                crate::plan::hold::condition_for(dialect, column, format_of(column), at);
            due.sql.push_str(&format!(" AND NOT {}", condition.sql));
            due.binds.extend(condition.binds.iter().cloned());
            holds.push((hold.reason.clone(), hold.article.clone(), condition));
        }
        if retention.then == RetentionAction::Anonymise {
            let masks = table
                .columns
                .iter()
                .filter_map(|(name, spec)| spec.get_ref().mask.map(|m| (name.as_str(), m)));
            let pending = crate::plan::erase::not_yet_masked(dialect, &columns, masks);
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
            no_timestamp,
            rowid,
            indexed,
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
        self.count(pool, &self.no_timestamp, &[]).await
    }

    /// The statements of one chunk, for `--dry-run` and plans.
    pub(crate) fn describe(&self, pool: &SourcePool) -> Vec<String> {
        let table = pool.quote(self.table.name());
        let mut statements = Vec::new();
        let due = number(pool, &self.due.sql, 1);
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
                 or, when a sample shows under 1 due row in 100: {})",
                by_index("ctid")
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

    /// Processes the next chunk in one transaction; returns how many rows it changed and
    /// sets `cursor.finished` when the table is done. `batch` is in rows (in physical
    /// order: rows read, of which the due ones change).
    pub async fn chunk(&self, pool: &SourcePool, cursor: &mut Cursor) -> Result<u64> {
        if cursor.walk == Walk::Start {
            let walk = self.first_walk(pool).await?;
            cursor.set(walk);
        }
        // A range that reached its end looks again: rows added meanwhile lie beyond it.
        if let Walk::Range { next, end, .. } = cursor.walk {
            if next >= end {
                let (_, grown, _) = self.extent(pool).await?;
                if grown <= end {
                    cursor.finished = true;
                    cursor.transaction = std::time::Duration::ZERO;
                    return Ok(0);
                }
                if let Walk::Range { end, .. } = &mut cursor.walk {
                    *end = grown;
                }
            }
        }
        let batch = cursor.batch;
        let range = match cursor.walk {
            Walk::Range {
                next,
                end,
                rows_per_unit,
            } => {
                let stop = match pool.engine() {
                    // SQLite: the rowid `batch` rows on, read from the table itself, so
                    // that sparse or lopsided rowids still give chunks of `batch` rows.
                    Engine::Sqlite => self
                        .rowid_after(pool, next, batch)
                        .await?
                        .map_or(end, |r| r.min(end)),
                    _ => {
                        let step = (batch as f64 / rows_per_unit.max(1.0)).ceil() as i128;
                        next.saturating_add(step.max(1)).min(end)
                    }
                };
                if let Walk::Range { next, .. } = &mut cursor.walk {
                    *next = stop;
                }
                Some((next, stop))
            }
            _ => None,
        };
        let mut attempt = 0;
        let done = loop {
            let started = std::time::Instant::now();
            let result = self.chunk_once(pool, batch, cursor.walk, range).await;
            cursor.transaction = started.elapsed();
            match result {
                Err(e) if is_serialization_failure(&e) && attempt < SERIALIZATION_RETRIES => {
                    attempt += 1;
                    cursor.retried += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20 * attempt)).await;
                }
                other => break other?,
            }
        };
        cursor.adapt();
        match cursor.walk {
            Walk::Range { rows_per_unit, .. } => {
                // Few due rows among those read: the index finds the rest for less.
                let (start, end) = range.expect("a range walk has a range");
                let read = if pool.engine() == Engine::Sqlite {
                    (batch as f64).min((end - start) as f64)
                } else {
                    (end - start) as f64 * rows_per_unit
                };
                if self.indexed
                    && pool.engine() == Engine::Sqlite
                    && read >= batch as f64 / 2.0
                    && (done as f64) < read * DENSE
                {
                    cursor.set(Walk::Index);
                }
            }
            _ if done == 0 => cursor.finished = true,
            _ => {}
        }
        Ok(done)
    }

    /// How the sweep walks the table. SQLite starts in rowid order and turns to the index
    /// once chunks find few due rows (see `chunk`); PostgreSQL samples the table, since
    /// its index would lead through the rows a range walk has just deleted.
    async fn first_walk(&self, pool: &SourcePool) -> Result<Walk> {
        if pool.engine() == Engine::Mysql || self.rowid.is_none() && pool.engine() == Engine::Sqlite
        {
            return Ok(Walk::Keys);
        }
        let (next, end, rows_per_unit) = self.extent(pool).await?;
        if pool.engine() == Engine::Postgres
            && self.indexed
            && self.sampled_share(pool, end).await? < DENSE
        {
            return Ok(Walk::Index);
        }
        Ok(Walk::Range {
            next,
            end,
            rows_per_unit,
        })
    }

    /// The share of rows due, from a sample of about 300 of the table's `blocks` pages
    /// (PostgreSQL).
    async fn sampled_share(&self, pool: &SourcePool, blocks: i128) -> Result<f64> {
        let table = pool.quote(self.table.name());
        let percent = (300.0 / (blocks as f64).max(1.0) * 100.0).min(100.0);
        let sql = number(
            pool,
            &format!(
                "SELECT (COUNT(*) FILTER (WHERE {}))::float8, COUNT(*)::float8 \
                 FROM {table} TABLESAMPLE SYSTEM ({percent}) REPEATABLE (0)",
                self.due.sql
            ),
            1,
        );
        let (due, read) = fetch_pair(pool, &sql, &self.due.binds).await?;
        Ok(if read == 0.0 { 1.0 } else { due / read })
    }

    /// The table's extent for a range walk: (first, end, rows per unit). SQLite: rowids;
    /// PostgreSQL: heap blocks, with rows per block from the statistics.
    async fn extent(&self, pool: &SourcePool) -> Result<(i128, i128, f64)> {
        let table = pool.quote(self.table.name());
        if pool.engine() == Engine::Postgres {
            let (blocks, per_block) = fetch_pair(
                pool,
                "SELECT (pg_relation_size(to_regclass($1)) / current_setting('block_size')::bigint)::float8, \
                        COALESCE(NULLIF(c.reltuples, -1) / NULLIF(c.relpages, 0), 100)::float8 \
                 FROM pg_class c WHERE c.oid = to_regclass($1)",
                &[Key::Text(table)],
            )
            .await?;
            return Ok((0, blocks as i128, per_block));
        }
        let rowid = self.rowid.unwrap_or("rowid");
        let row = fetch_row(
            pool,
            &format!(
                "SELECT (SELECT COALESCE(MIN({rowid}), 0) FROM {table}), \
                        (SELECT COALESCE(MAX({rowid}), -1) FROM {table})"
            ),
            &[],
            &[Kind::Int, Kind::Int],
        )
        .await?;
        let [first, last] = [0, 1].map(|i| row[i].as_i64().unwrap_or(0));
        Ok((first.into(), i128::from(last) + 1, 1.0))
    }

    /// SQLite: the rowid `batch` rows after `from` (the end of a chunk of `batch` rows),
    /// or None when fewer rows are left.
    async fn rowid_after(
        &self,
        pool: &SourcePool,
        from: i128,
        batch: usize,
    ) -> Result<Option<i128>> {
        let rowid = self.rowid.unwrap_or("rowid");
        let table = pool.quote(self.table.name());
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        let row = fetch_row(
            pool,
            &format!(
                "SELECT {rowid} FROM {table} WHERE {rowid} >= {from} ORDER BY {rowid} LIMIT 1 OFFSET {batch}"
            ),
            &[],
            &[Kind::Int],
        )
        .await?;
        Ok(row[0].as_i64().map(i128::from))
    }

    /// One chunk's transaction.
    async fn chunk_once(
        &self,
        pool: &SourcePool,
        batch: usize,
        walk: Walk,
        range: Option<(i128, i128)>,
    ) -> Result<u64> {
        let table = pool.quote(self.table.name());
        let order = pool.quote(&self.from.name);
        let due = number(pool, &self.due.sql, 1);
        // The rows of this chunk, as a condition (its parameters are the due condition's),
        // except for a walk by keys, which reads them inside the transaction.
        let selected = match (walk, pool.engine()) {
            (Walk::Range { .. }, Engine::Sqlite) => {
                let (start, end) = range.expect("a range walk has a range");
                let rowid = self.rowid.unwrap_or("rowid");
                // Inclusive, so that the last rowid SQLite allows is reached too.
                let last = end - 1;
                Some(format!(
                    "{rowid} >= {start} AND {rowid} <= {last} AND {due}"
                ))
            }
            (Walk::Range { .. }, _) => {
                // PostgreSQL: a TID range scan reads just these heap blocks.
                let (start, end) = range.expect("a range walk has a range");
                Some(format!(
                    "ctid >= '({start},0)'::tid AND ctid < '({end},0)'::tid AND {due}"
                ))
            }
            (Walk::Index, Engine::Sqlite) => {
                let rowid = self.rowid.unwrap_or("rowid");
                Some(format!(
                    "{rowid} IN (SELECT {rowid} FROM {table} WHERE {due} ORDER BY {order}, {rowid} LIMIT {batch})"
                ))
            }
            (Walk::Index, _) => Some(format!(
                "ctid = ANY(ARRAY(SELECT ctid FROM {table} WHERE {due} ORDER BY {order} LIMIT {batch}))"
            )),
            _ => None,
        };
        if self.retention.then == RetentionAction::Rollup && pool.engine() == Engine::Postgres {
            // The index walk's rows are picked once, in the deleting transaction: run twice,
            // `ORDER BY ... LIMIT` may break ties differently.
            let pick = (walk == Walk::Index).then(|| {
                format!(
                    "SELECT COALESCE(array_agg(ctid)::text, '{{}}') FROM \
                     (SELECT ctid FROM {table} WHERE {due} ORDER BY {order} LIMIT {batch}) AS picked"
                )
            });
            let rows = selected.expect("PostgreSQL walks ranges or the index");
            return self
                .rollup_on_shared_snapshot(pool, &rows, pick.as_deref())
                .await;
        }
        let mut tx = pool.begin().await?;
        if pool.engine() == Engine::Sqlite {
            // Deleting rows touches index pages all over each index: a page cache larger
            // than SQLite's default 2 MB keeps them between statements and chunks.
            tx.execute(&format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}"), &[])
                .await?;
        }
        let mut binds = self.due.binds.clone();
        let rows = match selected {
            Some(rows) => rows,
            None => {
                let select: Vec<String> = self
                    .key_columns
                    .iter()
                    .map(|c| pool.select_expr(c))
                    .collect();
                let kinds: Vec<Kind> = self.key_columns.iter().map(|c| c.kind).collect();
                let lock = if pool.engine() == Engine::Mysql {
                    " FOR UPDATE"
                } else {
                    ""
                };
                // The keys go back as parameters, and engines cap those (SQLite at 32,766).
                let limit = batch.min(KEY_PARAMETERS / self.key_columns.len().max(1));
                let sql = format!(
                    "SELECT {} FROM {table} WHERE {due} ORDER BY {order} LIMIT {limit}{lock}",
                    select.join(", "),
                );
                let keys: Vec<Vec<Key>> = tx
                    .fetch(&sql, &self.due.binds, &kinds)
                    .await?
                    .iter()
                    .map(|r| r.iter().map(Key::from_json).collect())
                    .collect();
                if keys.is_empty() {
                    tx.commit().await?;
                    return Ok(0);
                }
                let refs: Vec<&ColumnInfo> = self.key_columns.iter().collect();
                binds = keys.into_iter().flatten().collect();
                in_list(pool, &refs, binds.len() / refs.len().max(1), 1)
            }
        };
        // SQLite would rather take the timestamp's index for the due condition than the
        // rowid range; NOT INDEXED leaves it the rowid alone.
        let target = match (walk, pool.engine()) {
            (Walk::Range { .. }, Engine::Sqlite) => format!("{table} NOT INDEXED"),
            _ => table.clone(),
        };
        let done = match self.retention.then {
            RetentionAction::Delete => {
                tx.execute(&format!("DELETE FROM {target} WHERE {rows}"), &binds)
                    .await?
            }
            RetentionAction::Anonymise => {
                let sets = self.mask_sets(pool);
                tx.execute(&format!("UPDATE {target} SET {sets} WHERE {rows}"), &binds)
                    .await?
            }
            RetentionAction::Rollup => {
                let insert = self.rollup_sql(pool)?.insert_select(&target, &rows);
                tx.execute(&insert, &binds).await?;
                tx.execute(&format!("DELETE FROM {target} WHERE {rows}"), &binds)
                    .await?
            }
        };
        tx.commit().await?;
        Ok(done)
    }

    /// A PostgreSQL roll-up chunk. One transaction deletes the rows while a second,
    /// read-only one sums the same rows up on the other connection: it imports the first
    /// one's snapshot, so both see exactly the same rows, and the two run side by side.
    /// The totals then go into the aggregate inside the first transaction, which commits
    /// the delete and the roll-up together. A row changed by someone else meanwhile fails
    /// the delete with a serialisation error, and the chunk runs again.
    async fn rollup_on_shared_snapshot(
        &self,
        pool: &SourcePool,
        rows: &str,
        pick: Option<&str>,
    ) -> Result<u64> {
        let rollup = self.rollup_sql(pool)?;
        let table = pool.quote(self.table.name());
        let mut deleting = pool.begin().await?;
        deleting
            .execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", &[])
            .await?;
        let exported = deleting
            .fetch("SELECT pg_export_snapshot()", &[], &[Kind::Text])
            .await?;
        // Rows picked in advance go to both transactions as a list of row addresses.
        let (rows, binds) = match pick {
            Some(pick) => {
                let picked = deleting.fetch(pick, &self.due.binds, &[Kind::Text]).await?;
                let ctids = picked
                    .first()
                    .and_then(|row| row[0].as_str())
                    .unwrap_or("{}")
                    .to_string();
                ("ctid = ANY($1::tid[])".to_string(), vec![Key::Text(ctids)])
            }
            None => (rows.to_string(), self.due.binds.clone()),
        };
        let binds = &binds;
        let snapshot = exported
            .first()
            .and_then(|row| row[0].as_str())
            .filter(|id| id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
            .context("PostgreSQL exported no usable snapshot")?
            .to_string();
        let mut reading = pool.begin().await?;
        reading
            .execute(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                &[],
            )
            .await?;
        reading
            .execute(&format!("SET TRANSACTION SNAPSHOT '{snapshot}'"), &[])
            .await?;
        let named: Vec<String> = rollup
            .exprs
            .iter()
            .zip(&rollup.targets)
            .map(|(expr, target)| format!("{expr} AS {target}"))
            .collect();
        let totals = format!(
            "SELECT COALESCE(json_agg(g), '[]')::text, COALESCE(SUM(g.privops_rows), 0)::bigint \
             FROM (SELECT {}, COUNT(*) AS privops_rows FROM {table} WHERE {rows} GROUP BY {}) AS g",
            named.join(", "),
            rollup.groups.join(", ")
        );
        let delete = format!("DELETE FROM {table} WHERE {rows}");
        let (deleted, summed) = tokio::join!(
            deleting.execute(&delete, binds),
            reading.fetch(&totals, binds, &[Kind::Text, Kind::Int])
        );
        let (deleted, summed) = (deleted?, summed?);
        reading.commit().await?;
        let json = summed
            .first()
            .and_then(|row| row[0].as_str())
            .unwrap_or("[]")
            .to_string();
        let counted = summed.first().and_then(|row| row[1].as_u64()).unwrap_or(0);
        // The same snapshot gives the same rows; anything else leaves the chunk undone.
        anyhow::ensure!(
            counted == deleted,
            "table `{}`: {deleted} rows deleted but {counted} rolled up; the chunk was undone",
            self.table.name()
        );
        if deleted > 0 {
            let targets = rollup.targets.join(", ");
            deleting
                .execute(
                    &format!(
                        "INSERT INTO {agg} ({targets}) SELECT {targets} \
                         FROM json_populate_recordset(NULL::{agg}, $1::json) {upsert}",
                        agg = rollup.agg,
                        upsert = rollup.upsert
                    ),
                    &[Key::Text(json)],
                )
                .await?;
        }
        deleting.commit().await?;
        Ok(deleted)
    }

    fn mask_sets(&self, pool: &SourcePool) -> String {
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
    fn rollup_sql(&self, pool: &SourcePool) -> Result<RollupSql> {
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
        Ok(RollupSql {
            agg,
            targets,
            exprs,
            groups,
            upsert,
        })
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
    pub(crate) fn describe_rule(&self) -> String {
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::policy::Policy;

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
            sweep.due.sql,
            "\"at\" >= '0000-01-01' AND \"at\" < {?} AND NOT (\"paid_at\" IS NULL OR \"paid_at\" > {?})"
        );
        assert_eq!(
            sweep.due.binds,
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
        assert!(
            sweep
                .due
                .sql
                .starts_with("\"at\" IS NOT NULL AND \"at\" < CAST({?} AS \"timestamptz\") AND ("),
            "{}",
            sweep.due.sql
        );
        assert!(
            sweep
                .due
                .sql
                .contains(&format!("\"email\" <> '{ANONYMISED}'"))
        );
        assert!(sweep.due.sql.contains(&format!("\"body\" <> '{REDACTED}'")));
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
        assert_eq!(sweep.due.sql, "`at` IS NOT NULL AND `at` < {?}");
        assert_eq!(
            sweep.due.binds,
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
            assert_eq!(sweep.due.binds[0], cutoff, "{format:?}");
            let text_like = !matches!(format, TimeFormat::Epoch);
            assert_eq!(
                sweep.timestamp.contains("'0000-01-01'"),
                text_like,
                "{format:?}: {}",
                sweep.timestamp
            );
        }
    }
}
