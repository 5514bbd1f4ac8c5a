//! `privops processing check`: the one answer scripts ask before processing someone's
//! data, whatever the purpose's basis.

use anyhow::{Result, bail};

use crate::context::Ctx;
use crate::error::Outcome;
use crate::rights;
use crate::subject::Subject;

#[derive(Debug, clap::Subcommand)]
pub enum ProcessingCommand {
    /// May this subject's data be processed for this purpose? Exit 0 yes, 3 no
    Check(super::consent::CheckArgs),
}

/// One subject's answer, for scripts.
#[derive(serde::Serialize)]
struct Answer<'a> {
    subject: String,
    subject_ref: &'a str,
    purpose: &'a str,
    #[serde(flatten)]
    answer: rights::Answer,
}

pub async fn run(ctx: &Ctx, command: &ProcessingCommand) -> Result<Outcome> {
    let ProcessingCommand::Check(args) = command;
    let policy = ctx.policy()?;
    let Some(purpose) = policy.purpose(&args.purpose) else {
        let known: Vec<&str> = policy.purposes().map(|p| p.id.get_ref().as_str()).collect();
        bail!(
            "unknown purpose `{}`; the policy declares: {}",
            args.purpose,
            known.join(", ")
        );
    };
    let key = ctx.subject_key()?;
    let subjects = match (&args.subject, &args.batch) {
        (Some(text), _) => vec![Subject::parse(text, &policy)?],
        (None, Some(path)) => super::consent::read_subjects(path, &policy)?,
        (None, None) => bail!("pass --subject or --batch"),
    };
    let refs: Vec<String> = subjects.iter().map(|s| key.reference(s)).collect();
    let store = ctx.store().await?;
    let now = crate::time::to_text(ctx.now);
    let mut facts = rights::facts(&store, purpose, &refs, &now).await?;
    let single = args.batch.is_none();
    let mut all = true;
    let mut lines = String::new();
    for (subject, subject_ref) in subjects.iter().zip(&refs) {
        let answer = rights::decide(purpose, &facts.remove(subject_ref).unwrap_or_default());
        all &= answer.may_process;
        let word = if answer.may_process { "yes" } else { "no" };
        if ctx.out.json_mode() {
            let value = Answer {
                subject: subject.to_string(),
                subject_ref,
                purpose: &args.purpose,
                answer,
            };
            if single {
                ctx.out.json(&value);
            } else {
                lines.push_str(&serde_json::to_string(&value)?);
                lines.push('\n');
            }
        } else if single {
            ctx.out
                .data_wrapped(&format!("{word}: {}", answer.reasons.join("; ")));
        } else {
            lines.push_str(&format!("{subject}\t{word}\n"));
        }
    }
    if !lines.is_empty() {
        ctx.out.data(&lines);
    }
    Ok(if all { Outcome::Success } else { Outcome::No })
}
