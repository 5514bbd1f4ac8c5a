//! `privops retention plan|sweep`: storage limitation (Art. 5(1)(e)) for cron.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::{Value, json};

use crate::audit::{self, NewEntry};
use crate::context::Ctx;
use crate::error::{self, Outcome};
use crate::output::plain;
use crate::plan::retention::TableSweep;
use crate::policy::{Policy, SourceDef, Table};
use crate::sources::SourcePool;

#[derive(Debug, clap::Subcommand)]
pub enum RetentionCommand {
    /// Per table: the rule, the cutoff, the rows due and the rows holds keep
    Plan(Filter),
    /// Delete, anonymise or roll up the rows past their period, in short chunks
    Sweep(SweepArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct Filter {
    /// Only this source
    #[arg(long)]
    pub source: Option<String>,
    /// Only this table
    #[arg(long)]
    pub table: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub filter: Filter,
    #[command(flatten)]
    pub rehearsal: crate::cli::args::DryRun,
    /// Rows per chunk (each chunk is one short transaction) [default: adapts, from 20000]
    #[arg(long, value_name = "N")]
    pub batch_size: Option<usize>,
    /// Stop after this long (e.g. 10m, 1h); a later sweep finishes the job
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub max_duration: Option<std::time::Duration>,
}

pub async fn run(ctx: &Ctx, command: &RetentionCommand) -> Result<Outcome> {
    match command {
        RetentionCommand::Plan(filter) => plan(ctx, filter).await,
        RetentionCommand::Sweep(args) => sweep(ctx, args).await,
    }
}

fn selected<'p>(policy: &'p Policy, filter: &Filter) -> Result<Vec<(&'p SourceDef, &'p Table)>> {
    if let Some(source) = &filter.source {
        if policy.source(source).is_none() {
            return Err(error::usage(format!("no source `{source}` in the policy")));
        }
    }
    let tables: Vec<(&SourceDef, &Table)> = policy
        .sources
        .iter()
        .filter(|s| filter.source.as_ref().is_none_or(|id| id == s.id()))
        .flat_map(|s| s.tables.iter().map(move |t| (s, &t.table)))
        .filter(|(_, t)| t.retention.is_some() && !t.aggregate)
        .filter(|(_, t)| filter.table.as_ref().is_none_or(|name| name == t.name()))
        .collect();
    if let Some(table) = &filter.table {
        if tables.is_empty() {
            return Err(error::usage(format!(
                "no table `{table}` with a retention rule"
            )));
        }
    }
    Ok(tables)
}

async fn plan(ctx: &Ctx, filter: &Filter) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let now = ctx.now;
    let mut rows = Vec::new();
    let mut pools: Vec<(String, SourcePool)> = Vec::new();
    for (source, table) in selected(&policy, filter)? {
        if !pools.iter().any(|(id, _)| id == source.id()) {
            pools.push((
                source.id().to_string(),
                SourcePool::connect(&policy, source).await?,
            ));
        }
        let pool = &pools
            .iter()
            .find(|(id, _)| id == source.id())
            .expect("connected")
            .1;
        let sweep = TableSweep::prepare(pool, source, table, now).await?;
        rows.push(json!({
            "source": source.id(),
            "table": table.name(),
            "rule": sweep.describe_rule(),
            "cutoff": crate::time::to_text(sweep.cutoff),
            "due": sweep.due(pool).await?,
            "held": sweep.held(pool).await?,
            "null_timestamps": sweep.null_timestamps(pool).await?,
            "statements": sweep.describe(pool),
        }));
    }
    if ctx.out.json_mode() {
        ctx.out.json(&rows);
    } else {
        let mut table = ctx
            .out
            .table(&["table", "rule", "cutoff", "due", "no ts", "held (why)"]);
        table.keep_whole(&[0, 2, 3, 4]);
        for row in &rows {
            let held: Vec<String> = row["held"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|h| h["rows"].as_u64().unwrap_or(0) > 0)
                .map(|h| {
                    format!(
                        "{} ({}, Art. {})",
                        h["rows"],
                        h["reason"].as_str().unwrap_or_default(),
                        h["article"].as_str().unwrap_or_default()
                    )
                })
                .collect();
            table.add_row(vec![
                format!("{}.{}", plain(&row["source"]), plain(&row["table"])),
                plain(&row["rule"]),
                plain(&row["cutoff"])[..10].to_string(),
                plain(&row["due"]),
                plain(&row["null_timestamps"]),
                if held.is_empty() {
                    "0".into()
                } else {
                    held.join("; ")
                },
            ]);
        }
        ctx.out.print_table(&table);
    }
    Ok(Outcome::Success)
}

const LOCK: &str = "retention-sweep";

async fn sweep(ctx: &Ctx, args: &SweepArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    // A deadline past what the clock can represent is no deadline.
    let deadline = args
        .max_duration
        .and_then(|d| Instant::now().checked_add(d));
    let tables = selected(&policy, &args.filter)?;
    let store = ctx.store().await?;
    let lease = if args.rehearsal.dry_run {
        None
    } else {
        match crate::store::lease::Lease::acquire(&store, LOCK, chrono::Duration::minutes(5))
            .await?
        {
            Ok(lease) => Some(lease),
            Err(holder) => {
                return Err(error::locked(format!(
                    "another retention sweep is running ({holder}); try again later"
                )));
            }
        }
    };
    let result = sweep_tables(
        ctx,
        &policy,
        &store,
        &tables,
        args,
        deadline,
        lease.as_ref(),
    )
    .await;
    if let Some(lease) = lease {
        lease.release(&store).await?;
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn sweep_tables(
    ctx: &Ctx,
    policy: &Policy,
    store: &crate::store::Store,
    tables: &[(&SourceDef, &Table)],
    args: &SweepArgs,
    deadline: Option<Instant>,
    lease: Option<&crate::store::lease::Lease>,
) -> Result<Outcome> {
    let now = ctx.now;
    let mut summary = Vec::new();
    let mut failed = 0;
    let mut unfinished = 0;
    let mut pools: Vec<(String, SourcePool)> = Vec::new();
    // Sources that could not be reached: tried once, and each of their tables reported.
    let mut unreachable: BTreeMap<String, String> = BTreeMap::new();
    for (source, table) in tables {
        if !pools.iter().any(|(id, _)| id == source.id()) {
            let error = match unreachable.get(source.id()) {
                Some(error) => Some(error.clone()),
                None => match SourcePool::connect(policy, source).await {
                    Ok(pool) => {
                        pools.push((source.id().to_string(), pool));
                        None
                    }
                    Err(error) => {
                        let error = format!("{error:#}");
                        ctx.out.warn(&error);
                        unreachable.insert(source.id().to_string(), error.clone());
                        Some(error)
                    }
                },
            };
            if let Some(error) = error {
                failed += 1;
                let row = json!({ "source": source.id(), "table": table.name(), "error": error });
                if !args.rehearsal.dry_run {
                    let mut tx = store.begin_write().await?;
                    audit::append(
                        &mut tx,
                        &ctx.actor(),
                        &[NewEntry::new("retention.failed", row.clone())],
                    )
                    .await?;
                    tx.commit().await?;
                }
                summary.push(row);
                continue;
            }
        }
        let pool = &pools
            .iter()
            .find(|(id, _)| id == source.id())
            .expect("connected")
            .1;
        let started = Instant::now();
        let outcome =
            sweep_table(ctx, store, pool, source, table, args, deadline, lease, now).await;
        let duration = started.elapsed();
        match outcome {
            Ok(mut row) => {
                if row["remaining"].as_u64().unwrap_or(0) > 0 {
                    unfinished += 1;
                }
                row["duration_ms"] = json!(duration.as_millis() as u64);
                if !args.rehearsal.dry_run {
                    let mut tx = store.begin_write().await?;
                    audit::record_policy_version(&mut tx, &ctx.actor(), &policy.digest).await?;
                    audit::append(
                        &mut tx,
                        &ctx.actor(),
                        &[NewEntry::new("retention.sweep", row.clone())],
                    )
                    .await?;
                    tx.commit().await?;
                }
                summary.push(row);
            }
            Err(error) => {
                failed += 1;
                ctx.out.warn(&format!(
                    "source `{}`, table `{}`: {error:#}",
                    source.id(),
                    table.name()
                ));
                summary.push(json!({ "source": source.id(), "table": table.name(), "error": format!("{error:#}") }));
            }
        }
    }
    if ctx.out.json_mode() {
        ctx.out
            .json(&json!({ "dry_run": args.rehearsal.dry_run, "tables": summary }));
    } else {
        let mut table = ctx.out.table(&[
            "table", "action", "due", "done", "held", "no ts", "left", "time",
        ]);
        table.keep_whole(&[0, 2, 3, 4, 5, 6, 7]);
        let mut failures = Vec::new();
        for row in &summary {
            let name = format!("{}.{}", plain(&row["source"]), plain(&row["table"]));
            if row.get("error").is_some() {
                table.add_row(vec![name.clone(), "FAILED".into()]);
                failures.push(format!("{name}: {}", plain(&row["error"])));
                continue;
            }
            table.add_row(vec![
                name,
                plain(&row["action"]),
                plain(&row["due"]),
                plain(&row["done"]),
                plain(&row["held"]),
                plain(&row["null_timestamps"]),
                plain(&row["remaining"]),
                format!(
                    "{:.1} s",
                    row["duration_ms"].as_f64().unwrap_or(0.0) / 1000.0
                ),
            ]);
        }
        ctx.out.print_table(&table);
        for failure in failures {
            ctx.out.data_wrapped(&failure);
        }
    }
    Ok(if failed > 0 || unfinished > 0 {
        Outcome::Partial
    } else {
        Outcome::Success
    })
}

#[allow(clippy::too_many_arguments)]
async fn sweep_table(
    ctx: &Ctx,
    store: &crate::store::Store,
    pool: &SourcePool,
    source: &SourceDef,
    table: &Table,
    args: &SweepArgs,
    deadline: Option<Instant>,
    lease: Option<&crate::store::lease::Lease>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Value> {
    let sweep = TableSweep::prepare(pool, source, table, now).await?;
    // Counting what is due costs a pass over the rows: done for plans, dry runs and a
    // person watching a progress bar; a cron sweep learns it from what it did.
    let counted = if args.rehearsal.dry_run || ctx.out.shows_progress() {
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
    if !args.rehearsal.dry_run && counted != Some(0) {
        let bar = ctx.out.progress(
            counted.unwrap_or(0),
            &format!("{}.{}", source.id(), table.name()),
        );
        let mut last_renewal = Instant::now();
        let mut cursor = crate::plan::retention::Cursor::new(args.batch_size);
        loop {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                stopped_early = true;
                break;
            }
            let n = sweep.chunk(pool, &mut cursor).await?;
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
            if let Some(lease) = lease {
                if last_renewal.elapsed() > Duration::from_secs(30) {
                    lease.renew(store).await?;
                    last_renewal = Instant::now();
                }
            }
        }
        bar.finish_and_clear();
        walks = cursor.walks;
        retried = cursor.retried;
    }
    let remaining = if stopped_early {
        sweep.due(pool).await?
    } else {
        0
    };
    let due = if args.rehearsal.dry_run {
        counted.unwrap_or(0)
    } else {
        done + remaining
    };
    Ok(json!({
        "source": source.id(),
        "table": table.name(),
        "action": action,
        "rule": sweep.describe_rule(),
        "cutoff": crate::time::to_text(sweep.cutoff),
        "due": due,
        "done": done,
        "held": held,
        "holds": holds.iter().filter(|h| h.rows > 0).map(|h| json!({ "reason": h.reason, "article": h.article, "rows": h.rows })).collect::<Vec<_>>(),
        "null_timestamps": null_timestamps,
        // Rows the sweep leaves alone: held, or without a usable timestamp.
        "skipped": held + null_timestamps,
        "remaining": remaining,
        "chunks": chunks,
        "longest_chunk_ms": longest.as_millis() as u64,
        "walks": walks,
        "retried": retried,
        "statements": if args.rehearsal.dry_run { json!(sweep.describe(pool)) } else { Value::Null },
    }))
}
