//! How a sweep walks a table, engine by engine, one short transaction per chunk:
//! SQLite by rowid ranges (`NOT INDEXED`), PostgreSQL by heap block ranges (TID range
//! scans), either through the timestamp's index when few rows are due, and by keys read
//! first where neither applies (MariaDB, SQLite tables `WITHOUT ROWID`). The rule a walk
//! applies (what is due, what a hold keeps, what a roll-up writes) is
//! [`crate::plan::retention::TableSweep`]'s; this module only walks.

use anyhow::{Context, Result};

use crate::plan::retention::TableSweep;
use crate::policy::{Engine, RetentionAction};
use crate::sources::SourcePool;
use crate::sources::rows::{Key, Kind};
use crate::sql::Sql;

/// Below this share of due rows among the rows a chunk reads, walking the table in
/// physical order costs more than finding the due rows through the timestamp's index.
/// Rows found by index cost about 80 times a row read in order (measured on 10M-row
/// tables on both engines): 1% is about where the two meet.
pub(crate) const DENSE: f64 = 0.01;

/// How often a chunk that PostgreSQL could not serialise against concurrent changes
/// runs again (after 20 ms, 40 ms, ...) before the sweep gives up on the table.
const SERIALIZATION_RETRIES: u64 = 10;

/// At most this many key values go into one chunk's statements.
const KEY_PARAMETERS: usize = 30_000;

/// The SQLite page cache of a sweep's connection, in KiB.
const SQLITE_CACHE_KIB: u32 = 65_536;

/// SQLite in write-ahead-log mode: a sweep folds the log into the file after this much
/// chunk time, between chunks, rather than at every commit (see [`widen_cache`]).
const SQLITE_FOLD_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// SQLite's own threshold for folding the log at a commit, in pages, given back to the
/// sweep's connection when the sweep of a table ends.
const SQLITE_WAL_AUTOCHECKPOINT: u32 = 1_000;

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
    /// PostgreSQL reads their addresses ahead ([`Cursor`]'s `picked`) and changes them
    /// chunk by chunk; SQLite picks each chunk's rows in its own statement.
    Index,
    /// The keys of the due rows read first, then the rows changed by key (MySQL, which
    /// cannot LIMIT a subquery of the table it changes; SQLite tables WITHOUT ROWID).
    Keys,
}

/// A chunk's transaction must stay well under a second: after each chunk the batch is
/// scaled towards CHUNK_TARGET, or [`POSTGRES_CHUNK_TARGET`] ([`scaled_batch`]), which
/// leaves room for a chunk that takes twice as long as the one before (a checkpoint, a
/// cold page).
///
/// SQLite's longest chunks, sweeping a 10M-row table all due, were 406-541 ms towards 350
/// ms, and 369-419 ms towards 300 ms, at the same throughput (1.14-1.36x of one `DELETE`
/// or roll-up by hand).
const CHUNK_TARGET: std::time::Duration = std::time::Duration::from_millis(300);
/// PostgreSQL's chunks are kept shorter. A sweep writes write-ahead log faster than the
/// server's checkpoints recycle its segments when `max_wal_size` is small for it (the
/// default 1 GB against a 10M-row table all due: a checkpoint every 1-2 s). The statement
/// that then needs a new segment writes and syncs it itself (wait events `WALInitWrite`,
/// `WALInitSync`), while the checkpoint syncs the data files: 250-350 ms added to
/// whichever chunk is running, whatever its size. Chunks towards 350 ms then lasted up
/// to 501-534 ms; towards 150 ms, up to 483 ms, at the same throughput (0.96-1.04x of
/// one `DELETE`, which pays the same waits).
const POSTGRES_CHUNK_TARGET: std::time::Duration = std::time::Duration::from_millis(150);
const FIRST_BATCH: usize = 20_000;
/// Rows found through an index are changed one page here, one there: a walk by index
/// starts smaller and grows.
const FIRST_INDEX_BATCH: usize = 2_000;
/// PostgreSQL's walk by index reads the addresses of at most this many due rows at a
/// time (about 1 MB held). A deleted row stays in the index until VACUUM, and the first
/// scan to meet its entry visits and prunes its heap page: picking each chunk's rows
/// anew from the oldest due row met every earlier chunk's rows again, a third of the
/// sweep's time on a 10M-row table with 0.5% due.
pub(crate) const PICK_ROWS: usize = 100_000;
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
    /// PostgreSQL's walk by index: the addresses (heap block, line) of the due rows read
    /// ahead and not yet changed, oldest first.
    picked: std::collections::VecDeque<(u32, u16)>,
    /// Whether the last read of addresses found every due row (fewer than it asked for).
    picked_all: bool,
    /// Whether a chunk changed fewer rows than the addresses it was given (a row changed
    /// or deleted meanwhile): the due rows are then read again once the list is used up.
    fell_short: bool,
    /// SQLite: chunk time since the write-ahead log was last folded into the file.
    unfolded: std::time::Duration,
    /// The most rows an adaptive chunk may take, where the walk says ([`MAX_BATCH`]
    /// otherwise; see [`sqlite_index_batch`]).
    cap: Option<usize>,
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

    /// Scales an adaptive batch towards chunks of the engine's target ([`CHUNK_TARGET`],
    /// [`POSTGRES_CHUNK_TARGET`]).
    fn adapt(&mut self, engine: Engine) {
        if self.adaptive {
            let target = match engine {
                Engine::Postgres => POSTGRES_CHUNK_TARGET,
                _ => CHUNK_TARGET,
            };
            self.batch = scaled_batch(
                self.batch,
                self.transaction,
                target,
                MIN_BATCH..=self.cap.unwrap_or(MAX_BATCH).max(MIN_BATCH),
            );
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

/// The next chunk's rows: `batch` scaled towards chunks lasting `target`, within
/// `bounds`. A chunk over the target shrinks the next by at most half; one well under it
/// lets the next grow by up to three quarters of the way (at most three times: a
/// chunk's time has a part that does not grow with its rows, so small chunks reach the
/// target in few steps), and one near it by at most a half, so that one quick chunk does
/// not swing it. Sweeps and offboarding size their chunks with it.
pub(crate) fn scaled_batch(
    batch: usize,
    took: std::time::Duration,
    target: std::time::Duration,
    bounds: std::ops::RangeInclusive<usize>,
) -> usize {
    let ratio = target.as_secs_f64() / took.as_secs_f64().max(1e-3);
    let scale = if ratio > 1.5 {
        (ratio * 0.75).clamp(1.5, 3.0)
    } else {
        ratio.max(0.5)
    };
    ((batch as f64 * scale) as usize).clamp(*bounds.start(), *bounds.end())
}

/// The values of a one-row query.
async fn fetch_row(pool: &SourcePool, sql: &Sql, kinds: &[Kind]) -> Result<Vec<serde_json::Value>> {
    let mut found = vec![serde_json::Value::Null; kinds.len()];
    pool.for_each_row(sql, kinds, |row| {
        found = row;
        Ok(())
    })
    .await?;
    Ok(found)
}

/// A chunk of PostgreSQL's walk by index.
struct Picked {
    /// Its rows, still due.
    rows: Sql,
    /// A read of the heap pages that hold them.
    pages: Sql,
    /// How many addresses it was given.
    given: usize,
}

/// A PostgreSQL row address as `tid` writes it: `(block,line)`.
fn parse_tid(text: &str) -> Option<(u32, u16)> {
    let (block, line) = text.strip_prefix('(')?.strip_suffix(')')?.split_once(',')?;
    Some((block.parse().ok()?, line.parse().ok()?))
}

/// PostgreSQL: the rows of heap blocks `start` to `end` (excluded), read by a TID range
/// scan.
fn block_range(start: i128, end: i128) -> String {
    format!("ctid >= '({start},0)'::tid AND ctid < '({end},0)'::tid")
}

/// Runs `change` in `tx`. On PostgreSQL the chunk's heap pages are read on the pool's
/// second connection meanwhile (`pages`), so that the change finds them in PostgreSQL's
/// buffers rather than waiting for each in turn. By index, the rows lie one page here,
/// one there, and the pages have often left the buffers since their addresses were read.
/// By block range, the read runs ahead of the change, which stops at every row, as the
/// roll-up's summing connection does: deleting all of a 10M-row table took 4.66 s with
/// it, 5.16 s without (one DELETE: 4.7-4.8 s). The read changes nothing and takes only
/// the lock any reader takes; should it fail, the change does not depend on it. It waits
/// for neither: a second connection not had within [`READ_AHEAD_CONNECTION`] is done
/// without, and a lock not had within [`READER_LOCK_TIMEOUT`] (a schema change queued
/// behind the chunk's own lock) ends the read, so the chunk never waits on its reader.
async fn changed_reading_ahead(
    pool: &SourcePool,
    tx: &mut crate::sources::rows::SourceTx,
    change: &Sql,
    pages: Option<&Sql>,
) -> Result<u64> {
    let Some(pages) = pages else {
        return tx.execute(change).await;
    };
    let read = async {
        let mut reading = tokio::time::timeout(READ_AHEAD_CONNECTION, pool.begin())
            .await
            .context("no second connection for the read ahead")??;
        reading.execute(&reader_lock_timeout()).await?;
        reading.fetch(pages, &[Kind::Int]).await?;
        reading.commit().await
    };
    let (changed, _read) = tokio::join!(tx.execute(change), read);
    changed
}

/// How long a PostgreSQL read beside a chunk's change waits for a second connection.
const READ_AHEAD_CONNECTION: std::time::Duration = std::time::Duration::from_millis(200);

/// How long a PostgreSQL read beside a chunk's change waits for a table lock: a lock
/// queued behind the change's own (an `ALTER TABLE`, a `LOCK`) would otherwise wait for
/// a chunk that waits for the read.
const READER_LOCK_TIMEOUT: &str = "1s";

fn reader_lock_timeout() -> Sql {
    Sql::new(format!("SET LOCAL lock_timeout = '{READER_LOCK_TIMEOUT}'"))
}

/// Two numbers from a one-row query.
async fn fetch_pair(pool: &SourcePool, sql: &Sql) -> Result<(f64, f64)> {
    let row = fetch_row(pool, sql, &[Kind::Float, Kind::Float]).await?;
    Ok((
        row[0].as_f64().unwrap_or(0.0),
        row[1].as_f64().unwrap_or(0.0),
    ))
}

/// SQLite: deleting rows touches index pages all over each index; a page cache larger
/// than SQLite's default 2 MB keeps them between statements and chunks. In
/// write-ahead-log mode, commits do not fold the log into the file: SQLite does it once
/// the log holds 1,000 pages, which every chunk passed, so each commit copied its pages
/// back and synced the file, the index pages every chunk changes written again each
/// time, all inside the chunk's time. The sweep folds the log itself between chunks,
/// after [`SQLITE_FOLD_EVERY`] of chunk time, and once the table is done
/// ([`TableSweep::end`]); a fold blocks no reader or writer. A no-op elsewhere.
async fn widen_cache(pool: &SourcePool, tx: &mut crate::sources::rows::SourceTx) -> Result<()> {
    if pool.engine() == Engine::Sqlite {
        tx.execute(&Sql::new(format!(
            "PRAGMA cache_size = -{SQLITE_CACHE_KIB}"
        )))
        .await?;
        tx.execute(&Sql::new("PRAGMA wal_autocheckpoint = 0"))
            .await?;
    }
    Ok(())
}

/// SQLite's walk by index: the most rows an adaptive chunk changes, half as many as the sweep's
/// page cache ([`SQLITE_CACHE_KIB`]) holds pages. Each row found through the index lies
/// on a table page of its own and dirties a leaf of each index that does not follow the
/// timestamp, one here, one there; a chunk whose pages outgrow the cache writes them to
/// the log before its commit and reads them back to finish. On a 10M-row table with 0.5%
/// due (4 KiB pages), chunks of about 20,000 rows read 176,000 pages where chunks of 8,192
/// read 102,000, and took 10-15% longer.
async fn sqlite_index_batch(pool: &SourcePool) -> usize {
    // The chunk before has committed: a page size that cannot be read is taken as
    // SQLite's default rather than failing the sweep.
    let page = fetch_row(pool, &Sql::new("PRAGMA page_size"), &[Kind::Int])
        .await
        .ok()
        .and_then(|row| row[0].as_u64())
        .filter(|&p| p >= 512)
        .unwrap_or(4096) as usize;
    (SQLITE_CACHE_KIB as usize * 1024 / page / 2).max(MIN_BATCH)
}

/// SQLite: folds the write-ahead log into the file as far as readers allow
/// (`PASSIVE`: it waits for no one). A database in another journal mode answers and
/// does nothing.
async fn fold_log(pool: &SourcePool) -> Result<()> {
    // On the pool's own connection: the reader that reads rows is read-only.
    if let SourcePool::Sqlite(_, pool) = pool {
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(pool)
            .await
            .context("folding the write-ahead log into the database file")?;
    }
    Ok(())
}

/// PostgreSQL: the share of a table's rows that meet `condition`, from a sample of about
/// 300 of its `blocks` heap pages.
pub(crate) async fn sampled_share(
    pool: &SourcePool,
    table: &str,
    condition: &Sql,
    blocks: i128,
) -> Result<f64> {
    let table = pool.quote(table);
    let percent = (300.0 / (blocks as f64).max(1.0) * 100.0).min(100.0);
    let mut sql = Sql::new("SELECT (COUNT(*) FILTER (WHERE ");
    sql.append(condition).push(&format!(
        "))::float8, COUNT(*)::float8 FROM {table} TABLESAMPLE SYSTEM ({percent}) REPEATABLE (0)"
    ));
    let (due, read) = fetch_pair(pool, &sql).await?;
    Ok(if read == 0.0 { 1.0 } else { due / read })
}

/// PostgreSQL: a table's heap blocks, and rows per block from the statistics.
pub(crate) async fn heap_extent(pool: &SourcePool, table: &str) -> Result<(i128, f64)> {
    let mut sql = Sql::new(
        "SELECT (pg_relation_size(c.oid) / current_setting('block_size')::bigint)::float8, \
         COALESCE(NULLIF(c.reltuples, -1) / NULLIF(c.relpages, 0), 100)::float8 \
         FROM pg_class c WHERE c.oid = to_regclass(",
    );
    sql.bind(pool.quote(table)).push(")");
    let (blocks, per_block) = fetch_pair(pool, &sql).await?;
    Ok((blocks as i128, per_block))
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

impl TableSweep<'_> {
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
        let picked = if cursor.walk == Walk::Index && pool.engine() == Engine::Postgres {
            if cursor.picked.is_empty() {
                self.pick(pool, cursor).await?;
                if cursor.picked.is_empty() {
                    cursor.finished = true;
                    cursor.transaction = std::time::Duration::ZERO;
                    return Ok(0);
                }
            }
            Some(self.picked_rows(pool, cursor))
        } else {
            None
        };
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
            let result = self
                .chunk_once(pool, batch, cursor.walk, range, picked.as_ref())
                .await;
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
        if pool.engine() == Engine::Sqlite {
            cursor.unfolded += cursor.transaction;
            if cursor.unfolded >= SQLITE_FOLD_EVERY {
                fold_log(pool).await?;
                cursor.unfolded = std::time::Duration::ZERO;
            }
        }
        if let Some(Picked { given, .. }) = &picked {
            cursor.picked.drain(..*given);
            cursor.fell_short |= done < *given as u64;
            // Every row read was changed and the read found them all: none is left, and
            // no statement needs to look again.
            cursor.finished = cursor.picked.is_empty() && cursor.picked_all && !cursor.fell_short;
            cursor.adapt(pool.engine());
            return Ok(done);
        }
        cursor.adapt(pool.engine());
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
                    let cap = sqlite_index_batch(pool).await;
                    cursor.cap = Some(cap);
                    if cursor.adaptive {
                        cursor.batch = cursor.batch.min(cap);
                    }
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

    /// Once the sweep of the table has ended, finished or not: a SQLite source's
    /// write-ahead log is folded into its file, and the connection folds it at its
    /// commits again.
    pub async fn end(&self, pool: &SourcePool) -> Result<()> {
        if let SourcePool::Sqlite(_, sqlite) = pool {
            fold_log(pool).await?;
            sqlx::query(&format!(
                "PRAGMA wal_autocheckpoint = {SQLITE_WAL_AUTOCHECKPOINT}"
            ))
            .execute(sqlite)
            .await?;
        }
        Ok(())
    }

    /// PostgreSQL: reads the addresses of the oldest due rows, up to [`PICK_ROWS`], into
    /// the cursor. Their oldest-first order is kept, so a sweep stopped by its deadline has
    /// changed the oldest rows. The read changes nothing and locks no row; rows that fall
    /// due or arrive after it are the next sweep's.
    async fn pick(&self, pool: &SourcePool, cursor: &mut Cursor) -> Result<()> {
        let table = pool.quote(self.table.name());
        let order = pool.quote(&self.from.name);
        let mut sql = Sql::new(format!("SELECT ctid::text FROM {table} WHERE "));
        sql.append(&self.due)
            .push(&format!(" ORDER BY {order} LIMIT {PICK_ROWS}"));
        let mut picked = std::collections::VecDeque::new();
        pool.for_each_row(&sql, &[Kind::Text], |row| {
            let text = row[0].as_str().unwrap_or_default();
            picked.push_back(
                parse_tid(text)
                    .with_context(|| format!("PostgreSQL gave `{text}` as a row address"))?,
            );
            Ok(())
        })
        .await?;
        cursor.picked_all = picked.len() < PICK_ROWS;
        cursor.fell_short = false;
        cursor.picked = picked;
        Ok(())
    }

    /// The next chunk of the addresses read ahead, as a condition that still asks for the
    /// row to be due (a row changed since the read is left as it is).
    fn picked_rows(&self, pool: &SourcePool, cursor: &Cursor) -> Picked {
        let given = cursor.batch.min(cursor.picked.len());
        let list = crate::sql::pg_array(
            cursor
                .picked
                .iter()
                .take(given)
                .map(|(block, line)| Some(format!("({block},{line})"))),
        );
        let mut rows = Sql::new("ctid = ANY(");
        rows.bind(list.clone()).push("::tid[]) AND ");
        rows.append(&self.due);
        let mut pages = Sql::new(format!(
            "SELECT COUNT(*) FROM {} WHERE ctid = ANY(",
            pool.quote(self.table.name())
        ));
        pages.bind(list).push("::tid[])");
        Picked { rows, pages, given }
    }

    /// The share of rows due, from a sample of the table (PostgreSQL).
    async fn sampled_share(&self, pool: &SourcePool, blocks: i128) -> Result<f64> {
        sampled_share(pool, self.table.name(), &self.due, blocks).await
    }

    /// The table's extent for a range walk: (first, end, rows per unit). SQLite: rowids;
    /// PostgreSQL: heap blocks, with rows per block from the statistics.
    async fn extent(&self, pool: &SourcePool) -> Result<(i128, i128, f64)> {
        let table = pool.quote(self.table.name());
        if pool.engine() == Engine::Postgres {
            let (blocks, per_block) = heap_extent(pool, self.table.name()).await?;
            return Ok((0, blocks, per_block));
        }
        let rowid = self.rowid.unwrap_or("rowid");
        let row = fetch_row(
            pool,
            &Sql::new(format!(
                "SELECT (SELECT COALESCE(MIN({rowid}), 0) FROM {table}), \
                        (SELECT COALESCE(MAX({rowid}), -1) FROM {table})"
            )),
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
            &Sql::new(format!(
                "SELECT {rowid} FROM {table} WHERE {rowid} >= {from} ORDER BY {rowid} LIMIT 1 OFFSET {batch}"
            )),
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
        picked: Option<&Picked>,
    ) -> Result<u64> {
        let table = pool.quote(self.table.name());
        let order = pool.quote(&self.from.name);
        let due = &self.due;
        let around_due = |before: String, after: &str| {
            let mut sql = Sql::new(before);
            sql.append(due).push(after);
            sql
        };
        // The rows of this chunk, as a condition (its parameters are the due condition's),
        // except for a walk by keys, which reads them inside the transaction.
        let selected = match (walk, pool.engine()) {
            (Walk::Range { .. }, Engine::Sqlite) => {
                let (start, end) = range.expect("a range walk has a range");
                let rowid = self.rowid.unwrap_or("rowid");
                // Inclusive, so that the last rowid SQLite allows is reached too.
                let last = end - 1;
                Some(around_due(
                    format!("{rowid} >= {start} AND {rowid} <= {last} AND "),
                    "",
                ))
            }
            (Walk::Range { .. }, _) => {
                // PostgreSQL: a TID range scan reads just these heap blocks.
                let (start, end) = range.expect("a range walk has a range");
                Some(around_due(format!("{} AND ", block_range(start, end)), ""))
            }
            (Walk::Index, Engine::Sqlite) => {
                let rowid = self.rowid.unwrap_or("rowid");
                Some(around_due(
                    format!("{rowid} IN (SELECT {rowid} FROM {table} WHERE "),
                    &format!(" ORDER BY {order}, {rowid} LIMIT {batch})"),
                ))
            }
            // PostgreSQL: the addresses read ahead.
            (Walk::Index, _) => picked.map(|p| p.rows.clone()),
            _ => None,
        };
        if self.retention.then == RetentionAction::Rollup && pool.engine() == Engine::Postgres {
            let rows = selected.expect("PostgreSQL walks ranges or the index");
            return self.rollup_on_shared_snapshot(pool, &rows).await;
        }
        let mut tx = pool.begin().await?;
        widen_cache(pool, &mut tx).await?;
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
                let sql = around_due(
                    format!("SELECT {} FROM {table} WHERE ", select.join(", ")),
                    &format!(" ORDER BY {order} LIMIT {limit}{lock}"),
                );
                let keys: Vec<Vec<Key>> = tx
                    .fetch(&sql, &kinds)
                    .await?
                    .iter()
                    .map(|r| r.iter().map(Key::from_json).collect())
                    .collect();
                if keys.is_empty() {
                    tx.commit().await?;
                    return Ok(0);
                }
                let refs: Vec<_> = self.key_columns.iter().collect();
                pool.dialect()
                    .in_list(&refs, keys.iter().map(Vec::as_slice))
            }
        };
        // SQLite would rather take the timestamp's index for the due condition than the
        // rowid range; NOT INDEXED leaves it the rowid alone.
        let target = match (walk, pool.engine()) {
            (Walk::Range { .. }, Engine::Sqlite) => format!("{table} NOT INDEXED"),
            _ => table.clone(),
        };
        let statement = |head: String| {
            let mut sql = Sql::new(head);
            sql.append(&rows);
            sql
        };
        let delete = statement(format!("DELETE FROM {target} WHERE "));
        // PostgreSQL: the chunk's heap pages, read on the second connection meanwhile.
        let pages = match (walk, range, pool.engine()) {
            (Walk::Range { .. }, Some((start, end)), Engine::Postgres) => Some(Sql::new(format!(
                "SELECT COUNT(*) FROM {table} WHERE {}",
                block_range(start, end)
            ))),
            _ => picked.map(|p| p.pages.clone()),
        };
        let done = match self.retention.then {
            RetentionAction::Delete => {
                changed_reading_ahead(pool, &mut tx, &delete, pages.as_ref()).await?
            }
            RetentionAction::Anonymise => {
                let sets = self.mask_sets(pool);
                let update = statement(format!("UPDATE {target} SET {sets} WHERE "));
                changed_reading_ahead(pool, &mut tx, &update, pages.as_ref()).await?
            }
            RetentionAction::Rollup => {
                let insert = self.rollup_sql(pool)?.insert_select(&target, &rows);
                tx.execute(&insert).await?;
                tx.execute(&delete).await?
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
    async fn rollup_on_shared_snapshot(&self, pool: &SourcePool, rows: &Sql) -> Result<u64> {
        let rollup = self.rollup_sql(pool)?;
        let table = pool.quote(self.table.name());
        let mut deleting = pool.begin().await?;
        deleting
            .execute(&Sql::new("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            .await?;
        let exported = deleting
            .fetch(&Sql::new("SELECT pg_export_snapshot()"), &[Kind::Text])
            .await?;
        let snapshot = exported
            .first()
            .and_then(|row| row[0].as_str())
            .filter(|id| id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
            .context("PostgreSQL exported no usable snapshot")?
            .to_string();
        let mut reading = pool.begin().await?;
        reading
            .execute(&Sql::new(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
            ))
            .await?;
        reading
            .execute(&Sql::new(format!("SET TRANSACTION SNAPSHOT '{snapshot}'")))
            .await?;
        // A schema change queued behind the delete's lock would hold the sum behind it,
        // and the delete waits for the sum: the chunk fails and rolls back instead.
        reading.execute(&reader_lock_timeout()).await?;
        let named: Vec<String> = rollup
            .exprs
            .iter()
            .zip(&rollup.targets)
            .map(|(expr, target)| format!("{expr} AS {target}"))
            .collect();
        let mut totals = Sql::new(format!(
            "SELECT COALESCE(json_agg(g), '[]')::text, COALESCE(SUM(g.privops_rows), 0)::bigint \
             FROM (SELECT {}, COUNT(*) AS privops_rows FROM {table} WHERE ",
            named.join(", ")
        ));
        totals
            .append(rows)
            .push(&format!(" GROUP BY {}) AS g", rollup.groups.join(", ")));
        let mut delete = Sql::new(format!("DELETE FROM {table} WHERE "));
        delete.append(rows);
        let (deleted, summed) = tokio::join!(
            deleting.execute(&delete),
            reading.fetch(&totals, &[Kind::Text, Kind::Int])
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
            let mut insert = Sql::new(format!(
                "INSERT INTO {agg} ({targets}) SELECT {targets} FROM json_populate_recordset(NULL::{agg}, ",
                agg = rollup.agg,
            ));
            insert
                .bind(json)
                .push(&format!("::json) {}", rollup.upsert));
            deleting.execute(&insert).await?;
        }
        deleting.commit().await?;
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    /// A SQLite sweep in write-ahead-log mode folds the log itself, between chunks, not
    /// at each commit; once the table is done the log is folded and the connection's
    /// own threshold is back. Every row past its period is gone (counted by hand).
    #[tokio::test]
    async fn a_sqlite_sweep_folds_the_log_between_chunks_and_gives_the_threshold_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.db");
        let url = format!("sqlite://{}", path.display());
        let checked = async {
            std::fs::write(dir.path().join("policy.toml"), policy("sqlite", ""))?;
            {
                let conn = rusqlite::Connection::open(&path)?;
                conn.execute_batch(
                    "PRAGMA journal_mode = WAL;
                     CREATE TABLE logs (id INTEGER PRIMARY KEY, at TEXT);
                     WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3000)
                     INSERT INTO logs SELECT i, CASE WHEN i <= 2950 THEN '2026-01-01T00:00:00Z'
                         ELSE '2026-11-20T00:00:00Z' END FROM s;",
                )?;
            }
            let policy = crate::policy::Policy::load_valid(dir.path())?;
            let source = &policy.sources[0];
            let table = source.table("logs").context("the table")?;
            let pool = SourcePool::connect_to(source, url.clone()).await?;
            let now = "2026-11-25T12:00:00Z".parse()?;
            let sweep = TableSweep::prepare(&pool, source, table, now).await?;
            let SourcePool::Sqlite(_, sqlite) = &pool else {
                anyhow::bail!("a SQLite pool");
            };
            let threshold = async || -> Result<i64> {
                Ok(sqlx::query_scalar("PRAGMA wal_autocheckpoint")
                    .fetch_one(sqlite)
                    .await?)
            };
            let mut cursor = Cursor::new(Some(100));
            let mut done = sweep.chunk(&pool, &mut cursor).await?;
            assert_eq!(threshold().await?, 0, "commits leave the log to the sweep");
            while !cursor.finished {
                done += sweep.chunk(&pool, &mut cursor).await?;
            }
            sweep.end(&pool).await?;
            assert_eq!(threshold().await?, i64::from(SQLITE_WAL_AUTOCHECKPOINT));
            // Folded: a passive fold finds every page of the log in the file already.
            let (busy, log, folded): (i64, i64, i64) =
                sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                    .fetch_one(sqlite)
                    .await?;
            assert_eq!((busy, log), (0, folded));
            pool.close().await;
            assert_eq!(done, 2950);
            let conn = rusqlite::Connection::open(&path)?;
            let left: (i64, i64) = conn.query_row(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE at < '2026-10-26') FROM logs",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            assert_eq!(left, (50, 0));
            anyhow::Ok(())
        };
        checked.await.unwrap();
    }

    /// The tests' policy on `engine`: `logs`, deleted 30 days after `at`, then `more`.
    fn policy(engine: &str, more: &str) -> String {
        format!(
            r#"[controller]
organisation = "Test"
dpo = {{ name = "DPO", email = "dpo@example.com" }}

[[identity]]
kind = "email"
normalise = "email"

[source]
id = "app"
engine = "{engine}"
url_env = "PRIVOPS_WALK_TEST_URL"

[[table]]
name = "logs"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
at = "system.operations"
[table.retention]
period = "30d"
from = "at"
then = "delete"
{more}"#
        )
    }

    /// A table anonymised 30 days after `at`.
    const NOTES_TABLE: &str = r#"
[[table]]
name = "notes"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
body = { category = "user.content.notes", mask = "redact" }
at = "system.operations"
[table.retention]
period = "30d"
from = "at"
then = "anonymise"
"#;

    /// A chunk of 250 ms is under SQLite's target and grows a little there; on
    /// PostgreSQL it is over the target, and the next chunk takes fewer rows. MySQL keeps
    /// the common target.
    #[test]
    fn postgres_chunks_are_scaled_towards_a_shorter_target() {
        let after = |engine: Engine| {
            let mut cursor = Cursor::new(None);
            cursor.batch = 100_000;
            cursor.transaction = std::time::Duration::from_millis(250);
            cursor.adapt(engine);
            cursor.batch
        };
        // 100,000 rows times 300/250 and 150/250, give or take the rounding of floats.
        let scaled = [Engine::Sqlite, Engine::Mysql, Engine::Postgres].map(after);
        let expected = [120_000, 120_000, 60_000];
        assert!(
            scaled.iter().zip(expected).all(|(r, e)| r.abs_diff(e) <= 1),
            "{scaled:?}"
        );
        // A fixed batch stays as given.
        let mut fixed = Cursor::new(Some(100_000));
        fixed.transaction = std::time::Duration::from_millis(300);
        fixed.adapt(Engine::Postgres);
        assert_eq!(fixed.batch, 100_000);
    }

    #[test]
    fn row_addresses_are_read_as_postgres_writes_them() {
        assert_eq!(parse_tid("(0,1)"), Some((0, 1)));
        assert_eq!(parse_tid("(4294967295,65535)"), Some((u32::MAX, u16::MAX)));
        assert_eq!(parse_tid("(1,2"), None);
        assert_eq!(parse_tid("(1;2)"), None);
        assert_eq!(parse_tid("(-1,2)"), None);
        assert_eq!(parse_tid(""), None);
    }

    /// PostgreSQL's walk by index reads the due rows' addresses once and changes them
    /// chunk by chunk. A row changed by someone else after that read is not lost: its
    /// chunk changes fewer rows than it was given, and once the list is used up the due
    /// rows are read again. Checked against the table by hand-written SQL.
    #[tokio::test]
    async fn the_index_walk_reads_again_after_a_row_moved_under_it() {
        crate::testing::on_postgres("index_walk", |url| async move {
            let mut other = sqlx::PgConnection::connect(&url).await?;
            // 20,000 rows, 100 due (one in 200): the sample sends the sweep to the index.
            sqlx::raw_sql(
                "CREATE TABLE logs (id INTEGER PRIMARY KEY, at TEXT);
                 CREATE INDEX logs_at ON logs (at);
                 INSERT INTO logs SELECT i, CASE WHEN i % 200 = 0
                     THEN '2026-01-' || lpad((i % 28 + 1)::text, 2, '0') || 'T00:00:00Z'
                     ELSE '2026-11-20T00:00:00Z' END FROM generate_series(1, 20000) AS s(i);
                 ANALYZE logs;",
            )
            .execute(&mut other)
            .await?;
            let dir = tempfile::tempdir()?;
            std::fs::write(
                dir.path().join("policy.toml"),
                policy("postgres", NOTES_TABLE),
            )?;
            let policy = crate::policy::Policy::load_valid(dir.path())?;
            let source = &policy.sources[0];
            let table = source.table("logs").context("the table")?;
            let pool = SourcePool::connect_to(source, url.clone()).await?;
            let now = "2026-11-25T12:00:00Z".parse()?;
            let sweep = TableSweep::prepare(&pool, source, table, now).await?;
            let mut cursor = Cursor::new(Some(40));
            let mut done = sweep.chunk(&pool, &mut cursor).await?;
            assert_eq!(cursor.walks, ["index"]);
            assert_eq!(done, 40);
            assert_eq!(cursor.picked.len(), 60, "the rest of the rows read ahead");
            // Meanwhile a due row gets another (still past) timestamp, so another
            // address, and another due row is deleted.
            let left: Vec<(i32,)> =
                sqlx::query_as("SELECT id FROM logs WHERE at < '2026-10-26' ORDER BY at, id")
                    .fetch_all(&mut other)
                    .await?;
            assert_eq!(left.len(), 60);
            let (moved, gone) = (left[10].0, left[20].0);
            sqlx::query("UPDATE logs SET at = '2026-02-01T00:00:00Z' WHERE id = $1")
                .bind(moved)
                .execute(&mut other)
                .await?;
            sqlx::query("DELETE FROM logs WHERE id = $1")
                .bind(gone)
                .execute(&mut other)
                .await?;
            let mut chunks = 1;
            while !cursor.finished {
                done += sweep.chunk(&pool, &mut cursor).await?;
                chunks += 1;
                assert!(chunks < 10, "the walk ends");
            }
            // 58 of the 60 read ahead, then the moved row, read again.
            assert_eq!(done, 40 + 58 + 1);
            let due: (i64, i64) = sqlx::query_as(
                "SELECT COUNT(*) FILTER (WHERE at < '2026-10-26'), COUNT(*) FROM logs",
            )
            .fetch_one(&mut other)
            .await?;
            assert_eq!(due, (0, 19_900));
            // Without a change under it, the walk stops with its last chunk, without a
            // statement that finds nothing.
            sqlx::raw_sql(
                "INSERT INTO logs SELECT i, '2026-01-05T00:00:00Z' FROM generate_series(30001, 30080) AS s(i);",
            )
            .execute(&mut other)
            .await?;
            let mut cursor = Cursor::new(Some(40));
            let first = sweep.chunk(&pool, &mut cursor).await?;
            let second = sweep.chunk(&pool, &mut cursor).await?;
            assert_eq!((first, second, cursor.finished), (40, 40, true));
            // Anonymising through the same walk: exactly the due rows are masked, and a
            // second sweep finds none left.
            sqlx::raw_sql(
                "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, at TEXT);
                 CREATE INDEX notes_at ON notes (at);
                 INSERT INTO notes SELECT i, 'note ' || i, CASE WHEN i % 200 = 0
                     THEN '2026-01-01T00:00:00Z' ELSE '2026-11-20T00:00:00Z' END
                 FROM generate_series(1, 20000) AS s(i);
                 ANALYZE notes;",
            )
            .execute(&mut other)
            .await?;
            let notes = source.table("notes").context("the table")?;
            let sweep = TableSweep::prepare(&pool, source, notes, now).await?;
            for round in 0..2 {
                let mut cursor = Cursor::new(Some(30));
                let mut done = 0;
                while !cursor.finished {
                    done += sweep.chunk(&pool, &mut cursor).await?;
                }
                assert_eq!(done, [100, 0][round]);
            }
            let changed: Vec<(i32, String)> =
                sqlx::query_as("SELECT id, body FROM notes WHERE body <> 'note ' || id ORDER BY id")
                    .fetch_all(&mut other)
                    .await?;
            assert_eq!(changed.len(), 100);
            assert!(changed.iter().all(|(id, body)| id % 200 == 0
                && body == crate::plan::erase::REDACTED));
            other.close().await?;
            pool.close().await;
            Ok(())
        })
        .await;
    }
}
