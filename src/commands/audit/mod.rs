//! `privops audit log|verify|find|report|checkpoint|export`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use serde_json::{Value, json};

use crate::audit::{self, checkpoint};
use crate::context::Ctx;
use crate::error::Outcome;

mod check;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Show audit entries, oldest first
    Log(LogArgs),
    /// Recompute the hash chain and check every signed checkpoint; exit 3 when broken
    Verify(VerifyArgs),
    /// The entries about a subject, found by their keyed reference (works after erasure)
    Find(FindArgs),
    /// The accountability report for a period (md, html, csv or json)
    Report(ReportArgs),
    /// Sign the chain's size and head hash with an Ed25519 key
    Checkpoint(KeyArgs),
    /// A zip archive for auditors: entries, report, checkpoints, public key, VERIFY.md
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct Period {
    /// From this time (RFC 3339 or a date), inclusive
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Up to this time (RFC 3339 or a date), exclusive
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct LogArgs {
    #[command(flatten)]
    pub period: Period,
    /// Only this action (`consent.grant`), or a family (`consent.*`)
    #[arg(long)]
    pub action: Option<String>,
    /// Only entries about this subject (KIND:VALUE)
    #[arg(long, value_name = "KIND:VALUE")]
    pub subject: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct KeyArgs {
    /// The Ed25519 signing key (PKCS#8 PEM) [default: .privops/audit-signing.key]
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub key: KeyArgs,
    /// Check the checkpoints against this Ed25519 public key (PEM), kept apart from the
    /// store, instead of the signing key beside it; at least one checkpoint must be
    /// signed by it
    #[arg(long, value_name = "FILE", conflicts_with = "key")]
    pub trusted_key: Option<PathBuf>,
    /// Fail (exit 3) unless the chain still holds the entry with this hash: a head
    /// recorded earlier (from `audit verify` or `audit checkpoint`) catches a truncated
    /// or rewritten tail
    #[arg(long, value_name = "HASH")]
    pub expect_head: Option<String>,
    /// Warn when no verified checkpoint is newer than this, counted back from the
    /// command's time (e.g. 12h, 7d, 4w)
    #[arg(
        long,
        value_name = "AGE",
        default_value = "7d",
        value_parser = humantime::parse_duration
    )]
    pub max_checkpoint_age: std::time::Duration,
}

#[derive(Debug, clap::Args)]
pub struct FindArgs {
    /// The subject, KIND:VALUE
    #[arg(long, value_name = "KIND:VALUE")]
    pub subject: String,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub period: Period,
    /// Write to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Check the checkpoints against this public key (PEM) instead of the workspace's
    /// own signing key
    #[arg(long, value_name = "FILE")]
    pub trusted_key: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub period: Period,
    #[command(flatten)]
    pub output: crate::cli::args::OutFile,
    /// Encrypt to this age public key; repeatable
    #[arg(long = "recipient", value_name = "AGE_PUBLIC_KEY")]
    pub recipients: Vec<String>,
    #[command(flatten)]
    pub key: KeyArgs,
}

pub async fn run(ctx: &Ctx, command: &AuditCommand) -> Result<Outcome> {
    match command {
        AuditCommand::Log(args) => check::log(ctx, args).await,
        AuditCommand::Verify(args) => check::verify(ctx, args).await,
        AuditCommand::Find(args) => {
            let log_args = LogArgs {
                period: Period {
                    from: None,
                    to: None,
                },
                action: None,
                subject: Some(args.subject.clone()),
            };
            check::log(ctx, &log_args).await
        }
        AuditCommand::Report(args) => report(ctx, args).await,
        AuditCommand::Checkpoint(args) => sign_checkpoint(ctx, args).await,
        AuditCommand::Export(args) => export(ctx, args).await,
    }
}

fn period_bounds(period: &Period) -> Result<(Option<String>, Option<String>)> {
    let time = |t: &Option<String>| -> Result<Option<String>> {
        t.as_deref()
            .map(|t| crate::time::parse_time(t).map(crate::time::to_text))
            .transpose()
    };
    Ok((time(&period.from)?, time(&period.to)?))
}

fn key_path(ctx: &Ctx, args: &KeyArgs) -> PathBuf {
    args.key.clone().unwrap_or_else(|| ctx.signing_key_path())
}

async fn sign_checkpoint(ctx: &Ctx, args: &KeyArgs) -> Result<Outcome> {
    let path = key_path(ctx, args);
    let key = checkpoint::load_or_create_key(&path)?;
    let store = ctx.store().await?;
    let verification = audit::verify(&store).await?;
    if let Some(broken) = &verification.broken {
        anyhow::bail!(
            "the audit trail is broken at entry {} ({}): refusing to sign it",
            broken.seq,
            broken.reason
        );
    }
    checkpoint::ensure_nonempty(verification.entries)?;
    let head = verification.head.clone().unwrap_or_default();
    let signed = checkpoint::sign(&key, &crate::time::now_text(), verification.entries, &head)?;
    let mut tx = store.begin_write().await?;
    checkpoint::store(&mut tx, &signed).await?;
    audit::append(
        &mut tx,
        &ctx.actor(),
        &[audit::NewEntry::new(
            "audit.checkpoint",
            json!({ "size": signed.size, "head": signed.head_hash }),
        )],
    )
    .await?;
    tx.commit().await?;
    if ctx.out.json_mode() {
        ctx.out.json(&signed);
    } else {
        ctx.out.data(&format!(
            "signed checkpoint: {} entries, head {}\npublic key ({}):\n{}",
            signed.size,
            signed.head_hash,
            path.display(),
            signed.public_key.trim()
        ));
    }
    Ok(Outcome::Success)
}

async fn report(ctx: &Ctx, args: &ReportArgs) -> Result<Outcome> {
    let (from, to) = period_bounds(&args.period)?;
    let store = ctx.store().await?;
    let context = report_context(ctx, args.trusted_key.as_deref(), None)?;
    let text = audit::report::render(
        &store,
        from.as_deref(),
        to.as_deref(),
        ctx.out.format,
        &context,
    )
    .await?;
    match &args.out {
        Some(path) => {
            let mut file = crate::fsutil::PendingFile::create(path, args.force)?;
            file.write_all(text.as_bytes())?;
            file.commit()?;
            ctx.out.status(&format!("wrote {}", path.display()));
        }
        None => ctx.out.data(&text),
    }
    Ok(Outcome::Success)
}

/// Who the report is for and the key its checkpoints are checked against: a key given
/// with `--trusted-key`, else the public half of the workspace's signing key.
fn report_context(
    ctx: &Ctx,
    trusted_key: Option<&std::path::Path>,
    key_file: Option<PathBuf>,
) -> Result<audit::report::Context> {
    let controller = match ctx.policy() {
        Ok(policy) => serde_json::to_value(policy.controller())?,
        Err(error) => {
            ctx.out.warn(&format!(
                "the report names no organisation or DPO: the policy could not be read: {error:#}"
            ));
            Value::Null
        }
    };
    let key = match trusted_key {
        Some(path) => Some((
            checkpoint::read_trusted_key(path)?,
            format!("{} (given with --trusted-key)", path.display()),
        )),
        None => {
            let path = key_file.unwrap_or_else(|| ctx.workspace().join("audit-signing.key"));
            checkpoint::trusted_public_key(&path)?.map(|key| {
                (
                    key,
                    format!("the workspace's signing key {}", path.display()),
                )
            })
        }
    };
    Ok(audit::report::Context { controller, key })
}

async fn export(ctx: &Ctx, args: &ExportArgs) -> Result<Outcome> {
    let encryption = crate::archive::Encryption::from_args(&args.recipients, None)?;
    let output =
        crate::archive::ArchiveOutput::create(&args.output.out, args.output.force, encryption)?;
    let (from, to) = period_bounds(&args.period)?;
    let store = ctx.store().await?;
    let key_file = key_path(ctx, &args.key);
    let context = report_context(ctx, None, Some(key_file.clone()))?;
    let exported =
        audit::export::export(&store, &ctx.actor(), from, to, &key_file, &context, output).await?;
    if ctx.out.json_mode() {
        ctx.out.json(&exported);
    } else {
        ctx.out.data(&format!(
            "wrote {} ({} entries, {} checkpoint(s), sha256 {})",
            exported.target.display(),
            exported.entries,
            exported.checkpoints,
            exported.sha256
        ));
    }
    Ok(Outcome::Success)
}
