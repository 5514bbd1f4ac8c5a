//! `privops consent grant|withdraw|check|history|export|import`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde_json::json;

use crate::audit::{self, NewEntry};
use crate::consent::{self, Action, Channel, NewEvent};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::subject::Subject;

mod check;

pub(crate) use check::{read_subject_lines, read_subjects};

#[derive(Debug, clap::Subcommand)]
pub enum ConsentCommand {
    /// Record that a subject gave consent to a purpose
    Grant(RecordArgs),
    /// Record that a subject withdrew consent to a purpose
    Withdraw(RecordArgs),
    /// Does consent stand for the current version? Exit 0 yes, 3 no
    Check(CheckArgs),
    /// Every consent event of a subject
    History(HistoryArgs),
    /// Write the consent state at a moment in time to CSV
    Export(ExportArgs),
    /// Append events from a CSV file, all or nothing; re-importing adds nothing
    Import(ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// The subject, KIND:VALUE (e.g. email:alice@example.com)
    #[arg(long, value_name = "KIND:VALUE")]
    pub subject: String,
    /// The purpose id (its lawful basis must be consent)
    #[arg(long)]
    pub purpose: String,
    /// How the subject expressed it
    #[arg(long, value_enum)]
    pub channel: Option<Channel>,
    /// Evidence kept with the event (a form id, a message id, a scan reference)
    #[arg(long)]
    pub evidence: Option<String>,
    /// When it happened (RFC 3339) [default: now]
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The subject, KIND:VALUE
    #[arg(
        long,
        value_name = "KIND:VALUE",
        required_unless_present = "batch",
        conflicts_with = "batch"
    )]
    pub subject: Option<String>,
    /// The purpose id
    #[arg(long)]
    pub purpose: String,
    /// Read subjects (one KIND:VALUE per line) from FILE, or `-` for stdin; print one
    /// verdict per line. Exit 0 when all stand, 3 when any does not
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The subject, KIND:VALUE
    #[arg(long, value_name = "KIND:VALUE")]
    pub subject: String,
    /// Only this purpose
    #[arg(long)]
    pub purpose: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Only this purpose [default: every consent purpose]
    #[arg(long)]
    pub purpose: Option<String>,
    /// The moment whose state is exported (RFC 3339 or a date) [default: now]
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub output: crate::cli::args::OutFile,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A UTF-8 CSV file with the columns subject,purpose,action,at and optionally
    /// channel,evidence,version (files written by `consent export` qualify)
    pub file: PathBuf,
}

pub async fn run(ctx: &Ctx, command: &ConsentCommand) -> Result<Outcome> {
    match command {
        ConsentCommand::Grant(args) => record(ctx, args, Action::Grant).await,
        ConsentCommand::Withdraw(args) => record(ctx, args, Action::Withdraw).await,
        ConsentCommand::Check(args) => check::check(ctx, args).await,
        ConsentCommand::History(args) => history(ctx, args).await,
        ConsentCommand::Export(args) => export(ctx, args).await,
        ConsentCommand::Import(args) => import(ctx, args).await,
    }
}

async fn record(ctx: &Ctx, args: &RecordArgs, action: Action) -> Result<Outcome> {
    let policy = ctx.policy()?;
    consent::consent_purpose(&policy, &args.purpose)?;
    let subject = Subject::parse(&args.subject, &policy)?;
    let key = ctx.subject_key()?;
    let subject_ref = key.reference(&subject);
    let at = match &args.at {
        Some(at) => crate::time::parse_time(at)?,
        None => ctx.now,
    };
    let at = crate::time::to_text(at);
    let actor = ctx.actor();
    let store = ctx.store().await?;
    let mut tx = store.begin_write().await?;
    audit::record_policy_version(&mut tx, &actor, &policy.digest).await?;
    consent::sync_versions(&mut tx, &policy, &actor).await?;
    let versions = consent::versions(&mut *tx, &args.purpose).await?;
    let version =
        consent::version_in_force(&versions, &at).context("the purpose has no recorded version")?;
    let event = NewEvent {
        subject,
        subject_ref: subject_ref.clone(),
        purpose: args.purpose.clone(),
        version,
        action,
        at: at.clone(),
        channel: args.channel.map(|c| c.name().to_string()),
        evidence: match &args.evidence {
            Some(evidence) => {
                consent::check_field(evidence.as_bytes()).context("--evidence")?;
                Some(evidence.clone())
            }
            None => None,
        },
    };
    let recorded = consent::append_events(
        &mut tx,
        store.backend,
        std::slice::from_ref(&event),
        &actor,
        "cli",
    )
    .await?
        == 1;
    if recorded {
        audit::append(
            &mut tx,
            &actor,
            &[NewEntry::new(
                &format!("consent.{}", action.name()),
                json!({ "purpose": args.purpose, "version": version, "at": at, "channel": event.channel }),
            )
            .about(&subject_ref)],
        )
        .await?;
    }
    tx.commit().await?;
    if ctx.out.json_mode() {
        #[derive(serde::Serialize)]
        struct Recorded<'a> {
            subject_ref: &'a str,
            purpose: &'a str,
            version: i64,
            action: &'a str,
            at: &'a str,
            recorded: bool,
        }
        ctx.out.json(&Recorded {
            subject_ref: &subject_ref,
            purpose: &args.purpose,
            version,
            action: action.name(),
            at: &at,
            recorded,
        });
    } else if recorded {
        let verb = match action {
            Action::Grant => "granted",
            Action::Withdraw => "withdrawn",
        };
        ctx.out.data(&format!(
            "consent {verb}: {} for `{}` version {version} at {at}",
            event.subject, args.purpose
        ));
    } else {
        ctx.out.data(&format!(
            "already recorded: {} {} for `{}` at {at}",
            event.subject,
            action.name(),
            args.purpose
        ));
    }
    Ok(Outcome::Success)
}

async fn history(ctx: &Ctx, args: &HistoryArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let subject = Subject::parse(&args.subject, &policy)?;
    let subject_ref = ctx.subject_key()?.reference(&subject);
    let store = ctx.store().await?;
    let events = consent::history(&store, &subject_ref, args.purpose.as_deref()).await?;
    if ctx.out.json_mode() {
        #[derive(serde::Serialize)]
        struct History<'a> {
            subject: String,
            subject_ref: &'a str,
            events: &'a [crate::consent::Event],
        }
        ctx.out.json(&History {
            subject: subject.to_string(),
            subject_ref: &subject_ref,
            events: &events,
        });
        return Ok(Outcome::Success);
    }
    let mut table = ctx.out.table(&[
        "at", "purpose", "action", "channel", "actor", "origin", "evidence",
    ]);
    table.keep_whole(&[0, 1, 2]);
    for event in &events {
        table.add_row(vec![
            crate::time::human(&event.at),
            format!("{} v{}", event.purpose, event.version),
            event.action.clone(),
            event.channel.clone().unwrap_or_default(),
            event.actor.clone(),
            event.origin.clone(),
            event.evidence.clone().unwrap_or_default(),
        ]);
    }
    ctx.out.print_table(&table);
    ctx.out
        .status(&format!("{} event(s) for {subject}", events.len()));
    Ok(Outcome::Success)
}

async fn export(ctx: &Ctx, args: &ExportArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let purposes: Vec<String> = match &args.purpose {
        Some(id) => {
            consent::consent_purpose(&policy, id)?;
            vec![id.clone()]
        }
        None => policy.consent_purposes().into_keys().collect(),
    };
    let as_of = match &args.as_of {
        Some(t) => crate::time::parse_time(t)?,
        None => ctx.now,
    };
    let as_of = crate::time::to_text(as_of);
    let store = ctx.store().await?;
    let file = crate::fsutil::PendingFile::create(&args.output.out, args.output.force)?;
    let exported =
        crate::consent::export::export_csv(&store, &purposes, &as_of, file, &ctx.actor()).await?;
    if ctx.out.json_mode() {
        #[derive(serde::Serialize)]
        struct Written<'a> {
            out: &'a std::path::Path,
            #[serde(flatten)]
            exported: &'a crate::consent::export::Exported,
        }
        ctx.out.json(&Written {
            out: &args.output.out,
            exported: &exported,
        });
    } else {
        ctx.out.status(&format!(
            "wrote {} row(s) as of {as_of} to {}",
            exported.rows,
            args.output.out.display()
        ));
    }
    Ok(Outcome::Success)
}

async fn import(ctx: &Ctx, args: &ImportArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let key = ctx.subject_key()?;
    let store = ctx.store().await?;
    let imported =
        crate::consent::import::import_file(&policy, &store, &key, &args.file, &ctx.actor())
            .await?;
    if ctx.out.json_mode() {
        ctx.out.json(&imported);
    } else {
        ctx.out.data(&format!(
            "imported {}: {} row(s), {} new event(s), {} already recorded",
            args.file.display(),
            imported.rows,
            imported.inserted,
            imported.already_recorded
        ));
    }
    Ok(Outcome::Success)
}
