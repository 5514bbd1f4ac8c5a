//! `privops processing check`: the one answer scripts ask before processing someone's
//! data, whatever the purpose's basis.

use anyhow::Result;

use super::check::Reply;
use crate::context::Ctx;
use crate::error::Outcome;
use crate::rights;

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
    let (policy, store) = super::check::open(ctx, args).await?;
    let policy = &policy;
    let purpose = policy.known_purpose(&args.purpose)?;
    let (subjects, refs) = super::check::subjects(ctx, args, policy)?;
    let store = store?;
    let now = crate::time::to_text(ctx.now);
    let facts = store.facts(ctx, purpose, &refs, &now).await?;
    let shown = super::check::Shown::of(ctx, args);
    let replies = subjects
        .iter()
        .zip(&refs)
        .zip(&facts)
        .map(|((subject, subject_ref), facts)| {
            let answer = rights::decide(purpose, facts);
            let word = if answer.may_process { "yes" } else { "no" };
            Reply {
                yes: answer.may_process,
                line: shown
                    .line
                    .then(|| format!("{word}: {}", answer.reasons.join("; "))),
                word,
                json: shown.json.then(|| Answer {
                    subject: subject.to_string(),
                    subject_ref,
                    purpose: &args.purpose,
                    answer,
                }),
            }
        });
    let printed = super::check::print(ctx, args, &subjects, replies, true);
    store.finish();
    printed
}
