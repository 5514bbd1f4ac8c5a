//! `privops audit log` and `privops audit verify`.

use anyhow::Result;
use serde_json::json;

use crate::audit::{self, Filter};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::subject::Subject;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Show audit entries, oldest first
    Log(LogArgs),
    /// Recompute the hash chain and name the first broken entry
    Verify,
}

#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// Entries at or after this time (RFC 3339 or a date)
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Entries before this time (RFC 3339 or a date)
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Only this action (`consent.grant`), or a family (`consent.*`)
    #[arg(long)]
    pub action: Option<String>,
    /// Only entries about this subject (KIND:VALUE)
    #[arg(long, value_name = "KIND:VALUE")]
    pub subject: Option<String>,
}

pub async fn run(ctx: &Ctx, command: &AuditCommand) -> Result<Outcome> {
    match command {
        AuditCommand::Log(args) => log(ctx, args).await,
        AuditCommand::Verify => verify(ctx).await,
    }
}

async fn log(ctx: &Ctx, args: &LogArgs) -> Result<Outcome> {
    let subject_ref = match &args.subject {
        Some(text) => {
            let policy = ctx.policy()?;
            let subject = Subject::parse(text, &policy)?;
            Some(ctx.subject_key()?.reference(&subject))
        }
        None => None,
    };
    let time = |t: &Option<String>| -> Result<Option<String>> {
        t.as_deref()
            .map(|t| crate::time::parse_time(t).map(crate::time::to_text))
            .transpose()
    };
    let filter = Filter {
        from: time(&args.from)?,
        to: time(&args.to)?,
        action: args.action.clone(),
        subject_ref,
    };
    let store = ctx.store().await?;
    let entries = audit::list(&store, &filter).await?;
    if ctx.out.json_mode() {
        let listed: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| {
                json!({
                    "seq": e.seq,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "subject_ref": e.subject_ref,
                    "details": serde_json::from_str::<serde_json::Value>(&e.details).unwrap_or_default(),
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                })
            })
            .collect();
        ctx.out.json(&listed);
        return Ok(Outcome::Success);
    }
    let mut table = ctx
        .out
        .table(&["seq", "at", "actor", "action", "subject", "details"]);
    for entry in &entries {
        table.add_row(vec![
            entry.seq.to_string(),
            entry.at.clone(),
            entry.actor.clone(),
            entry.action.clone(),
            entry
                .subject_ref
                .as_deref()
                .map(|s| s[..12.min(s.len())].to_string())
                .unwrap_or_default(),
            shorten(&entry.details, 100),
        ]);
    }
    ctx.out.print_table(&table);
    ctx.out.status(&format!("{} entries", entries.len()));
    Ok(Outcome::Success)
}

async fn verify(ctx: &Ctx) -> Result<Outcome> {
    let store = ctx.store().await?;
    let verification = audit::verify(&store).await?;
    if ctx.out.json_mode() {
        ctx.out.json(&json!({
            "ok": verification.broken.is_none(),
            "entries": verification.entries,
            "head": verification.head,
            "broken": verification.broken,
        }));
    } else {
        match &verification.broken {
            None => ctx.out.data(&format!(
                "audit trail verified: {} entries, head {}",
                verification.entries,
                verification.head.as_deref().unwrap_or("(empty)")
            )),
            Some(broken) => ctx.out.data(&format!(
                "audit trail BROKEN at entry {}: {}",
                broken.seq, broken.reason
            )),
        }
    }
    Ok(match verification.broken {
        None => Outcome::Success,
        Some(_) => Outcome::No,
    })
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}
