//! `consent check`: may this subject (or each subject of a batch) be processed for this
//! purpose, under the consent text in force?

use std::io::BufRead;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::CheckArgs;
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
    verdict: &'a Verdict,
}

pub(super) async fn check(ctx: &Ctx, args: &CheckArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let purpose = consent::consent_purpose(&policy, &args.purpose)?;
    let key = ctx.subject_key()?;
    let subjects = match (&args.subject, &args.batch) {
        (Some(text), _) => vec![Subject::parse(text, &policy)?],
        (None, Some(path)) => read_subjects(path, &policy)?,
        (None, None) => bail!("pass --subject or --batch"),
    };
    let refs: Vec<String> = subjects.iter().map(|s| key.reference(s)).collect();
    let store = ctx.store().await?;
    let current = consent::current_version(&store, purpose).await?;
    let now = crate::time::now_text();
    let mut last = consent::last_events(&store, &args.purpose, &refs, &now).await?;
    let (_, moved) = crate::rights::gone(&store, &refs).await?;
    let mut all_granted = true;
    let single = args.batch.is_none();
    let mut lines = String::new();
    for (subject, subject_ref) in subjects.iter().zip(&refs) {
        let verdict = match moved.get(subject_ref) {
            Some(at) => Verdict::moved(at.clone(), current),
            None => Verdict::from_last(last.remove(subject_ref), current),
        };
        let granted = verdict.state == consent::State::Granted;
        all_granted &= granted;
        if ctx.out.json_mode() {
            let value = Answer {
                subject: subject.to_string(),
                subject_ref,
                purpose: &args.purpose,
                granted,
                reason: verdict.reason(),
                verdict: &verdict,
            };
            if single {
                ctx.out.json(&value);
            } else {
                lines.push_str(&serde_json::to_string(&value)?);
                lines.push('\n');
            }
        } else if single {
            ctx.out
                .data(&format!("{}: {}", verdict.state.name(), verdict.reason()));
        } else {
            lines.push_str(&format!("{subject}\t{}\n", verdict.state.name()));
        }
    }
    if !lines.is_empty() {
        ctx.out.data(&lines);
    }
    Ok(if all_granted {
        Outcome::Success
    } else {
        Outcome::No
    })
}

/// Subjects for a batch check; any malformed line stops the whole batch.
pub(crate) fn read_subjects(path: &Path, policy: &Policy) -> Result<Vec<Subject>> {
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?,
        ))
    };
    let name = if path == Path::new("-") {
        "stdin".to_string()
    } else {
        path.display().to_string()
    };
    let mut subjects = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{name}:{}: not valid UTF-8 text", index + 1))?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        subjects
            .push(Subject::parse(line, policy).with_context(|| format!("{name}:{}", index + 1))?);
    }
    Ok(subjects)
}
