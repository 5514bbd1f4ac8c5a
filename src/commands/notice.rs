//! `privops notice publish|ack|pending|list`: versions of the privacy notice, who
//! acknowledged them, and who is still to be told.

use std::path::PathBuf;

use anyhow::{Result, bail};
use serde_json::json;

use crate::audit::{self, NewEntry};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::output::Format;
use crate::rights::notice::{self, Pending};
use crate::subject::Subject;

#[derive(Debug, clap::Subcommand)]
pub enum NoticeCommand {
    /// Record a version of the privacy notice (the SHA-256 of its text)
    Publish(PublishArgs),
    /// Record that a subject acknowledged the notice in force
    Ack(AckArgs),
    /// Who has not acknowledged the notice in force (text, JSON, CSV)
    Pending(PendingArgs),
    /// The versions published
    List,
}

#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// The notice's title, e.g. "Privacy policy, December 2026"
    #[arg(long)]
    pub title: String,
    /// The notice's text (UTF-8, up to 1 MiB)
    #[arg(long, value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct AckArgs {
    /// The subject, KIND:VALUE
    #[arg(long, value_name = "KIND:VALUE")]
    pub subject: String,
    /// The version acknowledged [default: the one in force]
    #[arg(long, value_name = "N")]
    pub notice_version: Option<i64>,
    /// When (RFC 3339 or a date) [default: now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct PendingArgs {
    /// Instead: the people whose consent to this purpose stands on an older text
    #[arg(long)]
    pub purpose: Option<String>,
}

pub async fn run(ctx: &Ctx, command: &NoticeCommand) -> Result<Outcome> {
    match command {
        NoticeCommand::Publish(args) => publish(ctx, args).await,
        NoticeCommand::Ack(args) => ack(ctx, args).await,
        NoticeCommand::Pending(args) => pending(ctx, args).await,
        NoticeCommand::List => list(ctx).await,
    }
}

async fn publish(ctx: &Ctx, args: &PublishArgs) -> Result<Outcome> {
    let title = args.title.trim();
    if title.is_empty() || title.len() > 200 || title.contains(['\0', '\n']) {
        bail!("--title: one line of at most 200 bytes");
    }
    let text = notice::read_text(&args.file)?;
    let store = ctx.store().await?;
    let actor = ctx.actor();
    let mut tx = store.begin_write().await?;
    let (published, new) = notice::publish(&mut tx, title, &text, &actor).await?;
    if new {
        audit::append(
            &mut tx,
            &actor,
            &[NewEntry::new(
                "notice.publish",
                json!({ "version": published.version, "title": published.title, "text_sha256": published.text_sha256 }),
            )],
        )
        .await?;
    }
    tx.commit().await?;
    if ctx.out.json_mode() {
        #[derive(serde::Serialize)]
        struct Published<'a> {
            #[serde(flatten)]
            notice: &'a notice::Notice,
            published: bool,
        }
        ctx.out.json(&Published {
            notice: &published,
            published: new,
        });
    } else if new {
        ctx.out.data(&format!(
            "notice version {} published: {} (sha256 {})",
            published.version, published.title, published.text_sha256
        ));
    } else {
        ctx.out.data(&format!(
            "this text is already version {} ({}); nothing published",
            published.version, published.title
        ));
    }
    Ok(Outcome::Success)
}

async fn ack(ctx: &Ctx, args: &AckArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let subject = Subject::parse(&args.subject, &policy)?;
    let subject_ref = ctx.subject_key()?.reference(&subject);
    let at = match &args.at {
        Some(text) => crate::time::to_text(crate::time::parse_time(text)?),
        None => crate::time::to_text(ctx.now),
    };
    let store = ctx.store().await?;
    if let Some(moved) = crate::rights::gone(&store, std::slice::from_ref(&subject_ref))
        .await?
        .1
        .get(&subject_ref)
    {
        bail!("this identity was rectified to another on {moved}: record it under the new one");
    }
    let actor = ctx.actor();
    let mut tx = store.begin_write().await?;
    let versions = notice::list(&mut *tx).await?;
    let Some(latest) = versions.last() else {
        bail!("no notice is published yet: privops notice publish --title ... --file NOTICE.md");
    };
    let version = args.notice_version.unwrap_or(latest.version);
    if !versions.iter().any(|v| v.version == version) {
        bail!(
            "no notice version {version}; versions 1 to {} are published",
            latest.version
        );
    }
    crate::consent::remember_subjects(&mut tx, &[(subject.clone(), subject_ref.clone())]).await?;
    let new = notice::ack(&mut tx, &subject_ref, version, &at, &actor).await?;
    if new {
        audit::append(
            &mut tx,
            &actor,
            &[
                NewEntry::new("notice.ack", json!({ "version": version, "at": at }))
                    .about(&subject_ref),
            ],
        )
        .await?;
    }
    tx.commit().await?;
    if ctx.out.json_mode() {
        ctx.out.json(&json!({
            "subject_ref": subject_ref, "version": version, "at": at, "recorded": new
        }));
    } else if new {
        ctx.out.data(&format!(
            "{subject} acknowledged notice version {version} at {at}"
        ));
    } else {
        ctx.out.data(&format!(
            "already recorded: {subject} acknowledged notice version {version}"
        ));
    }
    Ok(Outcome::Success)
}

async fn pending(ctx: &Ctx, args: &PendingArgs) -> Result<Outcome> {
    let store = ctx.store().await?;
    let (people, what) = match &args.purpose {
        Some(id) => {
            let policy = ctx.policy()?;
            let purpose = crate::consent::consent_purpose(&policy, id)?;
            let now = crate::time::to_text(ctx.now);
            (
                notice::stale_consents(&store, purpose, &now).await?,
                format!("consent to `{id}` given for an older text"),
            )
        }
        None => {
            let Some(current) = notice::current(&store.pool).await? else {
                bail!(
                    "no notice is published yet: privops notice publish --title ... --file NOTICE.md"
                );
            };
            (
                notice::pending(&store, current.version).await?,
                format!("notice version {} not acknowledged", current.version),
            )
        }
    };
    match ctx.global.format {
        Format::Json => ctx.out.json(&people),
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(["subject", "acknowledged"])?;
            for person in &people {
                writer.write_record([
                    person.subject.as_str(),
                    &person
                        .acknowledged
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                ])?;
            }
            ctx.out
                .data(String::from_utf8(writer.into_inner()?)?.trim_end());
        }
        _ => {
            let mut table = ctx.out.table(&["subject", "last acknowledged"]);
            for Pending {
                subject,
                acknowledged,
                ..
            } in &people
            {
                table.add_row(vec![
                    subject.clone(),
                    acknowledged.map_or("never".to_string(), |v| format!("version {v}")),
                ]);
            }
            ctx.out.print_table(&table);
            ctx.out
                .status(&format!("{} subject(s): {what}", people.len()));
        }
    }
    Ok(Outcome::Success)
}

async fn list(ctx: &Ctx) -> Result<Outcome> {
    let store = ctx.store().await?;
    let versions = notice::list(&store.pool).await?;
    if ctx.out.json_mode() {
        ctx.out.json(&versions);
    } else {
        let mut table = ctx.out.table(&["version", "published", "title", "sha256"]);
        for v in &versions {
            table.add_row(vec![
                v.version.to_string(),
                v.published_at.clone(),
                v.title.clone(),
                v.text_sha256[..16].to_string(),
            ]);
        }
        ctx.out.print_table(&table);
    }
    Ok(Outcome::Success)
}
