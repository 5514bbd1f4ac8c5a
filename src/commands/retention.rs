//! `privops retention plan|sweep`: storage limitation (Art. 5(1)(e)) for cron.

use std::time::Instant;

use anyhow::Result;

use crate::context::Ctx;
use crate::error::{self, Outcome};
use crate::policy::{Policy, SourceDef, Table};
use crate::retention::{Sweep, Swept, TableOutcome};

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
    let tables = selected(&policy, filter)?;
    let rows = crate::retention::plan(&policy, &tables, ctx.now).await?;
    if ctx.out.json_mode() {
        ctx.out.json(&rows);
    } else {
        let mut table = ctx
            .out
            .table(&["table", "rule", "cutoff", "due", "no ts", "held (why)"]);
        table.keep_whole(&[0, 2, 3, 4]);
        for row in &rows {
            let held: Vec<String> = row
                .held
                .iter()
                .filter(|h| h.rows > 0)
                .map(|h| format!("{} ({}, Art. {})", h.rows, h.reason, h.article))
                .collect();
            table.add_row(vec![
                format!("{}.{}", row.source, row.table),
                row.rule.clone(),
                row.cutoff[..10].to_string(),
                row.due.to_string(),
                row.null_timestamps.to_string(),
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
    let sweep = Sweep {
        policy: &policy,
        store: &store,
        dry_run: args.rehearsal.dry_run,
        batch_size: args.batch_size,
        deadline,
        lease: lease.as_ref(),
        now: ctx.now,
        actor: ctx.actor(),
        out: &ctx.out,
    };
    let result = sweep.run(&tables).await;
    if let Some(lease) = lease {
        lease.release(&store).await?;
    }
    Ok(print_sweep(ctx, args.rehearsal.dry_run, &result?))
}

fn print_sweep(ctx: &Ctx, dry_run: bool, swept: &Swept) -> Outcome {
    let summary = &swept.tables;
    if ctx.out.json_mode() {
        #[derive(serde::Serialize)]
        struct Sweep<'s, T: serde::Serialize> {
            dry_run: bool,
            tables: &'s T,
        }
        ctx.out.json(&Sweep {
            dry_run,
            tables: summary,
        });
    } else {
        let mut table = ctx.out.table(&[
            "table", "action", "due", "done", "held", "no ts", "left", "time",
        ]);
        table.keep_whole(&[0, 2, 3, 4, 5, 6, 7]);
        let mut failures = Vec::new();
        for row in summary {
            match row {
                TableOutcome::Failed(failed) => {
                    let name = format!("{}.{}", failed.source, failed.table);
                    table.add_row(vec![name.clone(), "FAILED".into()]);
                    failures.push(format!("{name}: {}", failed.error));
                }
                TableOutcome::Swept(row) => {
                    table.add_row(vec![
                        format!("{}.{}", row.source, row.table),
                        row.action.to_string(),
                        row.due.to_string(),
                        row.done.to_string(),
                        row.held.to_string(),
                        row.null_timestamps.to_string(),
                        row.remaining.to_string(),
                        format!("{:.1} s", row.duration_ms as f64 / 1000.0),
                    ]);
                }
            }
        }
        ctx.out.print_table(&table);
        for failure in failures {
            ctx.out.data_wrapped(&failure);
        }
    }
    if swept.failed > 0 || swept.unfinished > 0 {
        Outcome::Partial
    } else {
        Outcome::Success
    }
}
