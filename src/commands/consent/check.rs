//! `consent check`: may this subject (or each subject of a batch) be processed for this
//! purpose, under the consent text in force?

use std::io::BufRead;
use std::path::Path;

use anyhow::{Context, Result};

use super::CheckArgs;
use crate::commands::check::Reply;
use crate::consent::{self, Verdict};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::policy::Policy;
use crate::subject::Subject;

/// One subject's answer, for scripts.
#[derive(serde::Serialize)]
struct Answer<'a> {
    subject: String,
    subject_ref: &'a str,
    purpose: &'a str,
    granted: bool,
    reason: String,
    /// The state, the version in force and the event it rests on.
    #[serde(flatten)]
    verdict: Verdict,
}

pub(super) async fn check(ctx: &Ctx, args: &CheckArgs) -> Result<Outcome> {
    let (policy, store) = super::super::check::open(ctx, args).await?;
    let policy = &policy;
    let purpose = consent::consent_purpose(policy, &args.purpose)?;
    let (subjects, refs) = super::super::check::subjects(ctx, args, policy)?;
    let store = store?;
    let now = crate::time::to_text(ctx.now);
    let facts = store.facts(ctx, purpose, &refs, &now).await?;
    let shown = super::super::check::Shown::of(ctx, args);
    let replies = subjects
        .iter()
        .zip(&refs)
        .zip(&facts)
        .map(|((subject, subject_ref), facts)| {
            let verdict = match (&facts.erased_at, &facts.moved_at, facts.consent.as_deref()) {
                (Some(at), _, consent) => {
                    let (event, version) =
                        consent.map_or((None, None), |v| (v.event.clone(), v.current_version));
                    Verdict::erased(at.clone(), event, version)
                }
                (None, Some(at), consent) => {
                    Verdict::moved(at.clone(), consent.and_then(|v| v.current_version))
                }
                (None, None, Some(verdict)) => verdict.clone(),
                (None, None, None) => Verdict::from_last(None, None),
            };
            let granted = verdict.state == consent::State::Granted;
            let word = verdict.state.name();
            Reply {
                yes: granted,
                line: shown.line.then(|| format!("{word}: {}", verdict.reason())),
                word,
                json: shown.json.then(|| Answer {
                    subject: subject.to_string(),
                    subject_ref,
                    purpose: &args.purpose,
                    granted,
                    reason: verdict.reason(),
                    verdict,
                }),
            }
        });
    let printed = super::super::check::print(ctx, args, &subjects, replies, false);
    store.finish();
    printed
}

/// Subjects for a batch check; any malformed line stops the whole batch.
pub(crate) fn read_subjects(path: &Path, policy: &Policy) -> Result<Vec<Subject>> {
    let name = if path == Path::new("-") {
        "stdin".to_string()
    } else {
        path.display().to_string()
    };
    read_subject_lines(path, &name, policy)
}

/// The subjects of a file of one `KIND:VALUE` a line (`-`: standard input), blank lines
/// and `#` comments skipped; errors name the line as `name:LINE`. Any malformed line
/// stops the whole list.
pub(crate) fn read_subject_lines(path: &Path, name: &str, policy: &Policy) -> Result<Vec<Subject>> {
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?,
        ))
    };
    let mut lines = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{name}:{}: not valid UTF-8 text", index + 1))?;
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let text = if text.len() == line.len() {
            line
        } else {
            text.to_string()
        };
        lines.push((index + 1, text));
    }
    // Parsed on the machine's cores (normalising an e-mail address is most of a batch's
    // own work before its first statement); the first bad line in the file is the one
    // reported.
    crate::parallel::map(&lines, |(number, text)| {
        Subject::parse(text, policy).with_context(|| format!("{name}:{number}"))
    })
    .into_iter()
    .collect()
}
