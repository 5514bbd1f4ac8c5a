//! `audit log` and `audit verify`: the trail for people, and the check of its chain and
//! checkpoints.

use anyhow::Result;
use serde_json::Value;

use super::{LogArgs, VerifyArgs, key_path, period_bounds};
use crate::audit::trail::{self, CheckpointKey, TrailCheck};
use crate::audit::{self, Filter, checkpoint};
use crate::context::Ctx;
use crate::error::{self, Outcome};
use crate::subject::Subject;

/// An entry of the trail for scripts, its details as the document they are.
#[derive(serde::Serialize)]
pub(super) struct Shown<'e> {
    seq: i64,
    at: &'e str,
    actor: &'e str,
    action: &'e str,
    subject_ref: Option<&'e str>,
    details: Value,
    prev_hash: &'e str,
    hash: &'e str,
}

impl<'e> Shown<'e> {
    pub(super) fn of(e: &'e audit::Entry) -> Shown<'e> {
        Shown {
            seq: e.seq,
            at: &e.at,
            actor: &e.actor,
            action: &e.action,
            subject_ref: e.subject_ref.as_deref(),
            details: serde_json::from_str(&e.details).unwrap_or_default(),
            prev_hash: &e.prev_hash,
            hash: &e.hash,
        }
    }
}

pub(super) async fn log(ctx: &Ctx, args: &LogArgs) -> Result<Outcome> {
    let subject_ref = match &args.subject {
        Some(text) => {
            let policy = ctx.policy()?;
            let subject = Subject::parse(text, &policy)?;
            Some(ctx.subject_key()?.reference(&subject))
        }
        None => None,
    };
    let (from, to) = period_bounds(&args.period)?;
    let filter = Filter {
        from,
        to,
        action: args.action.clone(),
        subject_ref,
    };
    let store = ctx.store().await?;
    let entries = audit::list(&store, &filter).await?;
    if ctx.out.json_mode() {
        ctx.out
            .json(&entries.iter().map(Shown::of).collect::<Vec<_>>());
        return Ok(Outcome::Success);
    }
    let mut table = ctx
        .out
        .table(&["seq", "at", "actor", "action", "subject", "details"]);
    table.keep_whole(&[0, 1, 3]);
    for entry in &entries {
        table.add_row(vec![
            entry.seq.to_string(),
            crate::time::human(&entry.at),
            entry.actor.clone(),
            entry.action.clone(),
            entry
                .subject_ref
                .as_deref()
                .map(|s| s[..12.min(s.len())].to_string())
                .unwrap_or_default(),
            compact_details(&entry.details),
        ]);
    }
    ctx.out.print_table(&table);
    ctx.out.status(&format!("{} entries", entries.len()));
    Ok(Outcome::Success)
}

/// An entry hash as given on the command line: 64 hex digits.
pub(super) fn parse_head(text: &str) -> Result<String> {
    let hash = text.trim().to_ascii_lowercase();
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(error::usage(format!(
            "--expect-head `{text}` is not an entry hash (64 hex digits, the `head` that `audit verify` prints)"
        )));
    }
    Ok(hash)
}

pub(super) async fn verify(ctx: &Ctx, args: &VerifyArgs) -> Result<Outcome> {
    let expect_head = args.expect_head.as_deref().map(parse_head).transpose()?;
    chrono::Duration::from_std(args.max_checkpoint_age)
        .map_err(|_| error::usage("--max-checkpoint-age is too long"))?;
    // Which key vouches for the checkpoints: one given from outside, or the signing key
    // beside the store (which whoever controls the store may have replaced).
    let key = match &args.trusted_key {
        Some(path) => CheckpointKey {
            source: "trusted-key",
            file: Some(path.clone()),
            key: Some(checkpoint::read_trusted_key(path)?),
        },
        None => {
            let path = key_path(ctx, &args.key);
            match checkpoint::trusted_public_key(&path)? {
                Some(key) => CheckpointKey {
                    source: "signing-key",
                    file: Some(path),
                    key: Some(key),
                },
                None => CheckpointKey {
                    source: "none",
                    file: None,
                    key: None,
                },
            }
        }
    };
    let store = ctx.store().await?;
    let check = trail::check(
        &store,
        key,
        expect_head.as_deref(),
        args.max_checkpoint_age,
        crate::time::now(),
    )
    .await?;
    for warning in &check.warnings {
        ctx.out.warn(warning);
    }
    if ctx.out.json_mode() {
        ctx.out.json(&check);
    } else {
        print_check(ctx, &check);
    }
    Ok(if check.ok {
        Outcome::Success
    } else {
        Outcome::No
    })
}

pub(super) fn print_check(ctx: &Ctx, check: &TrailCheck) {
    match &check.broken {
        None => ctx.out.data(&format!(
            "audit trail verified: {} entries, head {}",
            check.entries,
            check.head.as_deref().unwrap_or("(empty)")
        )),
        Some(broken) => ctx.out.data(&format!(
            "audit trail BROKEN at entry {}: {}",
            broken.seq, broken.reason
        )),
    }
    if let Some(expected) = &check.expected_head {
        match expected.seq {
            Some(seq) => ctx.out.data(&format!(
                "expected head {} reached: entry {seq}",
                expected.hash
            )),
            None => ctx.out.data(&format!(
                "EXPECTED HEAD NOT REACHED: no verified entry has hash {}: the chain was truncated or rewritten",
                expected.hash
            )),
        }
    }
    if check.checkpoint_problems.is_empty() {
        if check.checkpoints > 0 {
            let key = &check.checkpoint_key;
            let against = match (&key.file, key.source) {
                (Some(file), "trusted-key") => {
                    format!("against the trusted key {}", file.display())
                }
                (Some(file), _) => format!(
                    "against the signing key {} beside the store (pass --trusted-key FILE to check them against a key kept elsewhere)",
                    file.display()
                ),
                (None, _) => "only against the keys they carry (no signing key here: pass --trusted-key FILE)".to_string(),
            };
            ctx.out.data(&format!(
                "{} signed checkpoint(s) verified {against}",
                check.checkpoints
            ));
        }
    } else {
        for problem in &check.checkpoint_problems {
            ctx.out.data(&format!("CHECKPOINT FAILED: {problem}"));
        }
    }
}

/// An entry's details for a table: `name=value` pairs (nested values as compact JSON)
/// rather than JSON with its quotes and braces.
pub(super) fn compact_details(details: &str) -> String {
    match serde_json::from_str::<Value>(details) {
        Ok(Value::Object(fields)) => fields
            .iter()
            .map(|(name, value)| match value {
                Value::String(text) => format!("{name}={text}"),
                other => format!("{name}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => details.to_string(),
    }
}
