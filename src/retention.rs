//! A retention sweep (`privops retention sweep`): for each selected table, connect to its
//! source once (an unreachable source fails each of its tables, recorded in the trail),
//! walk the rows past their period in short chunks (see [`crate::plan::retention`]), and
//! record each table's outcome in the audit trail.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::{self, NewEntry};
use crate::output::Output;
use crate::plan::retention::TableSweep;
use crate::policy::{Policy, SourceDef, Table};
use crate::sources::SourcePool;
use crate::store::Store;
use crate::store::lease::Lease;

/// What `retention plan` shows of one table: the rule, the cutoff, and the rows due,
/// held (per hold, with its reason) and without a timestamp, with the statements a sweep
/// would run.
#[derive(Debug, Serialize)]
pub struct TablePlan {
    pub source: String,
    pub table: String,
    pub rule: String,
    pub cutoff: String,
    pub due: u64,
    pub held: Vec<crate::plan::retention::HoldCount>,
    pub null_timestamps: u64,
    pub statements: Vec<String>,
}

/// The sources of `tables`, each connected once, in the order first needed.
struct Pools(Vec<(String, SourcePool)>);

impl Pools {
    fn get(&self, source: &str) -> Option<&SourcePool> {
        self.0
            .iter()
            .find(|(id, _)| id == source)
            .map(|(_, pool)| pool)
    }
}

/// The plan of each table at `now`, computed as a sweep would compute it.
pub async fn plan(
    policy: &Policy,
    tables: &[(&SourceDef, &Table)],
    now: DateTime<Utc>,
) -> Result<Vec<TablePlan>> {
    let mut pools = Pools(Vec::new());
    let mut plans = Vec::new();
    for (source, table) in tables {
        if pools.get(source.id()).is_none() {
            let pool = SourcePool::connect(policy, source).await?;
            pools.0.push((source.id().to_string(), pool));
        }
        let pool = pools.get(source.id()).expect("connected");
        let sweep = TableSweep::prepare(pool, source, table, now).await?;
        plans.push(TablePlan {
            source: source.id().to_string(),
            table: table.name().to_string(),
            rule: sweep.describe_rule(),
            cutoff: crate::time::to_text(sweep.cutoff),
            due: sweep.due(pool).await?,
            held: sweep.held(pool).await?,
            null_timestamps: sweep.null_timestamps(pool).await?,
            statements: sweep.describe(pool),
        });
    }
    Ok(plans)
}

/// One sweep: its options, the clock, and who runs it.
pub struct Sweep<'a> {
    pub policy: &'a Policy,
    pub store: &'a Store,
    /// Count what is due and do nothing.
    pub dry_run: bool,
    pub batch_size: Option<usize>,
    /// Stop starting chunks after this instant; a later sweep finishes.
    pub deadline: Option<Instant>,
    /// The sweep's lease, renewed while it runs.
    pub lease: Option<&'a Lease>,
    pub now: DateTime<Utc>,
    pub actor: String,
    /// Progress and warnings while the sweep runs.
    pub out: &'a Output,
}

/// What the sweep did to one table; `--format json` and the audit trail hold it as is.
#[derive(Debug, Clone, Serialize)]
pub struct TableSwept {
    pub source: String,
    pub table: String,
    /// `delete`, `anonymise` or `rollup`.
    pub action: &'static str,
    pub rule: String,
    pub cutoff: String,
    pub due: u64,
    pub done: u64,
    pub held: u64,
    /// Rows past their period that each hold keeps, with its reason.
    pub holds: Vec<HeldBy>,
    pub null_timestamps: u64,
    /// Rows the sweep leaves alone: held, or without a usable timestamp.
    pub skipped: u64,
    pub remaining: u64,
    pub chunks: u64,
    pub longest_chunk_ms: u64,
    pub walks: Vec<&'static str>,
    pub retried: u64,
    /// The statements a dry run would execute.
    pub statements: Option<Vec<String>>,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeldBy {
    pub reason: String,
    pub article: String,
    pub rows: u64,
}

/// A table the sweep could not do, and why.
#[derive(Debug, Clone, Serialize)]
pub struct TableFailed {
    pub source: String,
    pub table: String,
    pub error: String,
}

/// One table's line of the summary.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum TableOutcome {
    Swept(TableSwept),
    Failed(TableFailed),
}

/// What a sweep did: one row per table.
pub struct Swept {
    pub tables: Vec<TableOutcome>,
    pub failed: usize,
    pub unfinished: usize,
}

impl Sweep<'_> {
    pub async fn run(&self, tables: &[(&SourceDef, &Table)]) -> Result<Swept> {
        let now = self.now;
        let mut summary = Vec::new();
        let mut failed = 0;
        let mut unfinished = 0;
        let mut pools = Pools(Vec::new());
        // Sources that could not be reached: tried once, and each of their tables reported.
        let mut unreachable: BTreeMap<String, String> = BTreeMap::new();
        for (source, table) in tables {
            if pools.get(source.id()).is_none() {
                let error = match unreachable.get(source.id()) {
                    Some(error) => Some(error.clone()),
                    None => match SourcePool::connect(self.policy, source).await {
                        Ok(pool) => {
                            pools.0.push((source.id().to_string(), pool));
                            None
                        }
                        Err(error) => {
                            let error = format!("{error:#}");
                            self.out.warn(&error);
                            unreachable.insert(source.id().to_string(), error.clone());
                            Some(error)
                        }
                    },
                };
                if let Some(error) = error {
                    failed += 1;
                    let row = TableFailed {
                        source: source.id().to_string(),
                        table: table.name().to_string(),
                        error,
                    };
                    if !self.dry_run {
                        let mut tx = self.store.begin_write().await?;
                        audit::append(
                            &mut tx,
                            &self.actor,
                            &[NewEntry::new(
                                "retention.failed",
                                serde_json::to_value(&row)?,
                            )],
                        )
                        .await?;
                        tx.commit().await?;
                    }
                    summary.push(TableOutcome::Failed(row));
                    continue;
                }
            }
            let pool = pools.get(source.id()).expect("connected");
            let started = Instant::now();
            let kept = !self.dry_run && pool.keep_journal().await;
            let deferred = if self.dry_run {
                None
            } else {
                pool.defer_log_sync().await
            };
            let outcome = self
                .table(pool, source, table, now, deferred.as_ref())
                .await;
            // What the chunks did reaches the disk before it is reported.
            let synced = pool.sync_log(deferred).await;
            let outcome = outcome.and_then(|row| synced.map(|()| row));
            pool.release_journal(kept).await;
            let duration = started.elapsed();
            match outcome {
                Ok(mut row) => {
                    if row.remaining > 0 {
                        unfinished += 1;
                    }
                    row.duration_ms = duration.as_millis() as u64;
                    if !self.dry_run {
                        let mut tx = self.store.begin_write().await?;
                        audit::record_policy_version(&mut tx, &self.actor, &self.policy.digest)
                            .await?;
                        audit::append(
                            &mut tx,
                            &self.actor,
                            &[NewEntry::new(
                                "retention.sweep",
                                serde_json::to_value(&row)?,
                            )],
                        )
                        .await?;
                        tx.commit().await?;
                    }
                    summary.push(TableOutcome::Swept(row));
                }
                Err(error) => {
                    failed += 1;
                    self.out.warn(&format!(
                        "source `{}`, table `{}`: {error:#}",
                        source.id(),
                        table.name()
                    ));
                    summary.push(TableOutcome::Failed(TableFailed {
                        source: source.id().to_string(),
                        table: table.name().to_string(),
                        error: format!("{error:#}"),
                    }));
                }
            }
        }
        Ok(Swept {
            tables: summary,
            failed,
            unfinished,
        })
    }

    async fn table(
        &self,
        pool: &SourcePool,
        source: &SourceDef,
        table: &Table,
        now: DateTime<Utc>,
        deferred: Option<&crate::sources::LogSync>,
    ) -> Result<TableSwept> {
        let sweep = TableSweep::prepare(pool, source, table, now).await?;
        // Counting what is due costs a pass over the rows: done for plans, dry runs and a
        // person watching a progress bar; a cron sweep learns it from what it did.
        let counted = if self.dry_run || self.out.shows_progress() {
            Some(sweep.due(pool).await?)
        } else {
            None
        };
        let holds = sweep.held(pool).await?;
        let held: u64 = holds.iter().map(|h| h.rows).sum();
        let null_timestamps = sweep.null_timestamps(pool).await?;
        let action = match table.retention.as_ref().expect("selected").get_ref().then {
            crate::policy::RetentionAction::Delete => "delete",
            crate::policy::RetentionAction::Anonymise => "anonymise",
            crate::policy::RetentionAction::Rollup => "rollup",
        };
        let mut done = 0u64;
        let mut chunks = 0u64;
        let mut longest = Duration::ZERO;
        let mut stopped_early = false;
        let mut walks = Vec::new();
        let mut retried = 0;
        if !self.dry_run && counted != Some(0) {
            let bar = self.out.progress(
                counted.unwrap_or(0),
                &format!("{}.{}", source.id(), table.name()),
            );
            let mut last_renewal = Instant::now();
            // Groups under the aggregate's floor go to its `other` bucket first, when the
            // policy says so.
            let merged = sweep.merge_small_groups(pool).await?;
            done += merged;
            bar.inc(merged);
            let mut cursor = crate::plan::retention::Cursor::new(self.batch_size);
            loop {
                if self.deadline.is_some_and(|d| Instant::now() >= d) {
                    stopped_early = true;
                    break;
                }
                let n = sweep.chunk(pool, &mut cursor).await?;
                // The disk writes what this chunk committed while the next one runs.
                if let Some(deferred) = deferred {
                    deferred.write_behind();
                }
                let took = cursor.transaction;
                if std::env::var("PRIVOPS_FAILPOINT")
                    .is_ok_and(|f| f == format!("retention-chunk:{}", chunks + 1))
                {
                    anyhow::bail!("stopped at failpoint retention-chunk:{}", chunks + 1);
                }
                longest = longest.max(took);
                chunks += 1;
                done += n;
                bar.inc(n);
                if cursor.finished {
                    break;
                }
                if let Some(lease) = self.lease {
                    if last_renewal.elapsed() > Duration::from_secs(30) {
                        lease.renew(self.store).await?;
                        last_renewal = Instant::now();
                    }
                }
            }
            bar.finish_and_clear();
            sweep.end(pool).await?;
            walks = cursor.walks;
            retried = cursor.retried;
        }
        let remaining = if stopped_early {
            sweep.due(pool).await?
        } else {
            0
        };
        let due = if self.dry_run {
            counted.unwrap_or(0)
        } else {
            done + remaining
        };
        Ok(TableSwept {
            source: source.id().to_string(),
            table: table.name().to_string(),
            action,
            rule: sweep.describe_rule(),
            cutoff: crate::time::to_text(sweep.cutoff),
            due,
            done,
            held,
            holds: holds
                .iter()
                .filter(|h| h.rows > 0)
                .map(|h| HeldBy {
                    reason: h.reason.clone(),
                    article: h.article.clone(),
                    rows: h.rows,
                })
                .collect(),
            null_timestamps,
            skipped: held + null_timestamps,
            remaining,
            chunks,
            longest_chunk_ms: longest.as_millis() as u64,
            walks,
            retried,
            statements: self.dry_run.then(|| sweep.describe(pool)),
            duration_ms: 0,
        })
    }
}
