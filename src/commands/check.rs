//! What the check commands (`consent check`, `processing check`) share. Scripts ask them
//! before each message or row they process, so a check reads no more than it needs: the
//! policy's purposes and identity kinds, and the facts of its subjects in a few set-based
//! statements.

use anyhow::{Result, bail};
use serde::Serialize;

use super::consent::CheckArgs;
use crate::context::Ctx;
use crate::error::Outcome;
use crate::policy::{Policy, Purpose};
use crate::rights;
use crate::store::{DirectRead, Store};
use crate::subject::Subject;

/// The store as a check opened it.
pub(crate) enum CheckStore {
    /// A SQLite store read on this thread ([`Store::open_direct`]), for a single subject.
    Direct(DirectRead),
    /// Through the pool: PostgreSQL, and batches (two readers at once).
    Pooled(Store),
}

impl CheckStore {
    /// The facts of `refs` for `purpose` as of `as_of`. A SQLite store that is not
    /// current is opened again through the pool, which brings it up to date.
    pub(crate) async fn facts(
        &self,
        ctx: &Ctx,
        purpose: &Purpose,
        refs: &[String],
        as_of: &str,
    ) -> Result<Vec<rights::Facts>> {
        match self {
            CheckStore::Pooled(store) => rights::facts(store, purpose, refs, as_of).await,
            CheckStore::Direct(reader) => {
                if let Some(facts) = rights::facts_direct(reader, purpose, refs, as_of)? {
                    return Ok(facts);
                }
                let store = ctx.store().await?;
                let facts = rights::facts(&store, purpose, refs, as_of).await;
                store.finish_reading();
                facts
            }
        }
    }

    /// Ends the check's reading, after the answer was printed: neither connection is
    /// closed, the process ends (see [`Store::finish_reading`]). A direct reader's close
    /// would fold the write-ahead log (which a read leaves empty) and delete it with its
    /// index when no other connection is open, for the next check to create again: the
    /// check took 2.46–2.49 ms leaving them, 2.57–2.58 ms closing (`perf stat -r 400`,
    /// 1,000,000-event ledger).
    pub(crate) fn finish(self) {
        match self {
            CheckStore::Direct(reader) => std::mem::forget(reader),
            CheckStore::Pooled(store) => store.finish_reading(),
        }
    }
}

/// Reads the purposes of the policy and opens the store. The store's error, if any, is
/// the caller's to raise after any error in the policy or the question, so that a check
/// that cannot run says first what is wrong with what was asked.
///
/// A check of one subject on a SQLite store reads it on this thread
/// ([`CheckStore::Direct`]) and reads the policy on this thread too: opening that store
/// costs next to nothing, and a thread of the policy's own cost more than it saved (it
/// starts a stack, an allocator heap and a C library arena of its own; on a 2-core machine
/// the check took 2.70–2.75 ms with it on a thread, 2.47 ms with the policy read inline).
/// A store reached through the pool (PostgreSQL, a batch) opens while the policy is read
/// on a thread of its own.
pub(crate) async fn open(ctx: &Ctx, args: &CheckArgs) -> Result<(Policy, Result<CheckStore>)> {
    let dir = ctx.policy_folder()?;
    if args.batch.is_none()
        && let Some(reader) = ctx.store_direct().ok().flatten()
    {
        let policy = Policy::load_purposes(&dir)?;
        return Ok((policy, Ok(CheckStore::Direct(reader))));
    }
    // A thread of its own, not tokio's blocking pool, which the runtime would wait for
    // at the end of the command.
    let policy = std::thread::spawn(move || Policy::load_purposes(&dir));
    let store = ctx.store_for_check().await.map(CheckStore::Pooled);
    let policy = policy
        .join()
        .map_err(|_| anyhow::anyhow!("cannot read the policy"))??;
    Ok((policy, store))
}

/// The subjects asked about (`--subject` or `--batch`) and their keyed references.
pub(crate) fn subjects(
    ctx: &Ctx,
    args: &CheckArgs,
    policy: &Policy,
) -> Result<(Vec<Subject>, Vec<String>)> {
    let key = ctx.subject_key()?;
    let subjects = match (&args.subject, &args.batch) {
        (Some(text), _) => vec![Subject::parse(text, policy)?],
        (None, Some(path)) => super::consent::read_subjects(path, policy)?,
        (None, None) => bail!("pass --subject or --batch"),
    };
    let refs = key.references(&subjects);
    Ok((subjects, refs))
}

/// One subject's answer. Only what the output shows is made: a batch of 100,000 subjects
/// printed as words builds no sentence and no JSON object per subject.
pub(crate) struct Reply<T> {
    pub yes: bool,
    /// What `--format json` prints, when it is asked for.
    pub json: Option<T>,
    /// What a person reads for a single subject, when one was asked about.
    pub line: Option<String>,
    /// The word a batch prints after the subject.
    pub word: &'static str,
}

/// Which parts of a [`Reply`] the output shows.
#[derive(Clone, Copy)]
pub(crate) struct Shown {
    pub json: bool,
    pub line: bool,
}

impl Shown {
    pub(crate) fn of(ctx: &Ctx, args: &CheckArgs) -> Shown {
        let json = ctx.out.json_mode();
        Shown {
            json,
            line: !json && args.batch.is_none(),
        }
    }
}

/// Prints the answers, one (`--subject`) or a line each (`--batch`): exit 0 when every
/// answer is yes, 3 otherwise.
pub(crate) fn print<T: Serialize>(
    ctx: &Ctx,
    args: &CheckArgs,
    subjects: &[Subject],
    replies: impl Iterator<Item = Reply<T>>,
    wrap: bool,
) -> Result<Outcome> {
    use std::fmt::Write;
    let single = args.batch.is_none();
    let mut all = true;
    let mut lines = String::new();
    for (subject, reply) in subjects.iter().zip(replies) {
        all &= reply.yes;
        match (ctx.out.json_mode(), single) {
            (true, true) => ctx.out.json(&reply.json),
            (true, false) => {
                lines.push_str(&serde_json::to_string(&reply.json)?);
                lines.push('\n');
            }
            (false, true) => {
                let line = reply.line.unwrap_or_default();
                if wrap {
                    ctx.out.data_wrapped(&line);
                } else {
                    ctx.out.data(&line);
                }
            }
            (false, false) => writeln!(lines, "{subject}\t{}", reply.word)?,
        }
    }
    if !lines.is_empty() {
        ctx.out.data(&lines);
    }
    Ok(if all { Outcome::Success } else { Outcome::No })
}
