//! `privops scan`: sample the live databases and report identifiers where the policy
//! declares none, categories the values contradict, and aggregates below their floor.

use std::collections::{BTreeMap, HashSet};

use anyhow::{Result, bail};
use serde_json::json;
use sqlx::Row;

use crate::audit::{self, NewEntry};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::scan::{Known, Options, Scan};

/// Sample live data: identifiers where the policy says there are none
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Only this source
    #[arg(long, value_name = "ID")]
    pub source: Option<String>,
    /// Only this table
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
    /// Rows sampled per table (the whole table when it has fewer)
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub sample: usize,
    /// Read no new table after this long (`30s`, `5m`); exit 4 when cut short
    #[arg(long, value_name = "DURATION")]
    pub max_duration: Option<String>,
}

pub async fn run(ctx: &Ctx, args: &ScanArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    if let Some(id) = &args.source {
        if policy.source(id).is_none() {
            let known: Vec<&str> = policy.sources.iter().map(|s| s.id()).collect();
            bail!(
                "unknown source `{id}`; the policy declares: {}",
                known.join(", ")
            );
        }
    }
    if !(1..=10_000_000).contains(&args.sample) {
        bail!("--sample: between 1 and 10,000,000 rows");
    }
    let max_duration = args
        .max_duration
        .as_deref()
        .map(|text| {
            humantime::parse_duration(text)
                .map_err(|e| anyhow::anyhow!("--max-duration `{text}`: {e}"))
        })
        .transpose()?;
    let store = ctx.store().await?;
    let key = ctx.subject_key()?;
    // The identities the store knows, by keyed reference: a value equal to one of them is
    // recognised without ever being compared in clear.
    let refs: HashSet<String> = sqlx::query(
        "SELECT subject_ref FROM subjects UNION SELECT subject_ref FROM consent_events",
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|row| row.try_get(0))
    .collect::<std::result::Result<_, _>>()?;
    let scan = Scan {
        policy: &policy,
        known: Some(Known { key: &key, refs }),
        options: Options {
            source: args.source.clone(),
            table: args.table.clone(),
            sample: args.sample,
            max_duration,
        },
    };
    let bar = ctx.out.progress(0, "tables");
    let report = scan.run(&bar).await?;
    bar.finish_and_clear();
    if let (Some(table), 0) = (&args.table, report.tables) {
        bail!("no table `{table}` in the scanned source(s)");
    }

    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in &report.findings {
        *kinds.entry(finding.kind).or_default() += 1;
    }
    let actor = ctx.actor();
    let mut tx = store.begin_write().await?;
    audit::append(
        &mut tx,
        &actor,
        &[NewEntry::new(
            "scan.run",
            json!({ "tables": report.tables, "columns": report.columns, "values": report.values, "complete": report.complete, "findings": kinds }),
        )],
    )
    .await?;
    tx.commit().await?;

    if ctx.out.json_mode() {
        ctx.out.json(&report);
    } else {
        if !report.findings.is_empty() {
            let mut table = ctx
                .out
                .table(&["", "finding", "column", "detector", "found", "example"]);
            table.keep_whole(&[0, 4]);
            for f in &report.findings {
                table.add_row(vec![
                    f.severity.to_string(),
                    f.kind.replace('_', " "),
                    match &f.column {
                        Some(column) => format!("{}.{}.{column}", f.source, f.table),
                        None => f.source.clone(),
                    },
                    f.detector.unwrap_or("").to_string(),
                    if f.sampled > 0 {
                        format!("{}/{}", f.count, f.sampled)
                    } else {
                        String::new()
                    },
                    f.example.clone().unwrap_or_default(),
                ]);
            }
            ctx.out.print_table(&table);
            for f in &report.findings {
                let at =
                    f.at.as_deref()
                        .map(|a| format!("{a}: "))
                        .unwrap_or_default();
                ctx.out
                    .data_wrapped(&format!("{at}{}: {}", f.severity, f.message));
            }
        }
        ctx.out.status(&format!(
            "{} table(s), {} column(s), {} value(s) sampled: {} error(s), {} warning(s){}",
            report.tables,
            report.columns,
            report.values,
            report.errors(),
            report.findings.len() - report.errors(),
            if report.complete {
                ""
            } else {
                "; stopped at --max-duration before every table was read"
            }
        ));
    }
    Ok(if report.errors() > 0 {
        Outcome::No
    } else if !report.complete {
        Outcome::Partial
    } else {
        Outcome::Success
    })
}
