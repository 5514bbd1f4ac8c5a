//! Checking the trail as `privops audit verify` does: the chain recomputed, every
//! checkpoint checked against a key (given from outside, or the signing key beside the
//! store), an expected head looked for, and the age of the newest signature weighed.

use std::path::PathBuf;

use anyhow::Result;
use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;

use super::checkpoint;
use crate::store::Store;

/// Which key vouches for the checkpoints.
#[derive(Debug, Clone, Serialize)]
pub struct CheckpointKey {
    /// `trusted-key` (given from outside), `signing-key` (beside the store) or `none`.
    pub source: &'static str,
    pub file: Option<PathBuf>,
    #[serde(skip)]
    pub key: Option<VerifyingKey>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExpectedHead {
    pub hash: String,
    pub reached: bool,
    pub seq: Option<i64>,
}

/// What checking the trail found; `--format json` is this struct.
#[derive(Debug, Clone, Serialize)]
pub struct TrailCheck {
    pub ok: bool,
    pub entries: i64,
    pub head: Option<String>,
    pub broken: Option<super::Broken>,
    pub checkpoints: usize,
    pub verified_checkpoints: usize,
    pub checkpoint_key: CheckpointKey,
    pub checkpoint_problems: Vec<String>,
    pub newest_checkpoint: Option<String>,
    pub unsigned_entries: i64,
    pub expected_head: Option<ExpectedHead>,
    pub warnings: Vec<String>,
}

/// Checks the trail in `store`.
pub async fn check(
    store: &Store,
    key: CheckpointKey,
    expect_head: Option<&str>,
    max_age: std::time::Duration,
    now: DateTime<Utc>,
) -> Result<TrailCheck> {
    let max_age_chrono = chrono::Duration::from_std(max_age)?;
    let verification = super::verify_reaching(store, expect_head).await?;
    let chain_size = verification.entries;
    let (checkpoints, checked) =
        checkpoint::check_in_store(store, chain_size, key.key.as_ref()).await?;
    let mut problems = checked.problems.clone();
    if key.source == "trusted-key" && checked.verified.is_empty() {
        problems.push(
            "no checkpoint is signed by the trusted key: the checkpoints were removed, or never made with this key"
                .to_string(),
        );
    }
    let head_missing = expect_head.is_some() && verification.reached.is_none();
    let signed_size = checked.signed_size(&checkpoints).unwrap_or(0);
    let newest = checked.newest(&checkpoints);
    let max_age_words = duration_words(max_age.as_secs());
    let mut warnings = Vec::new();
    if chain_size > 0 {
        match newest.map(|c| (c, crate::time::parse_time(&c.at))) {
            None => warnings.push(format!(
                "no verified signed checkpoint: a truncated or rewritten chain cannot be detected; run `privops audit checkpoint` regularly (at least every {max_age_words})"
            )),
            Some((c, Ok(at))) if now - at > max_age_chrono => {
                let unsigned = chain_size - signed_size;
                warnings.push(format!(
                    "the newest verified checkpoint is from {} ({} old, more than {max_age_words}); {} after the last signed one {} covered by no signature: run `privops audit checkpoint`",
                    c.at,
                    duration_words((now - at).num_seconds().max(0) as u64),
                    plural(unsigned, "entry", "entries"),
                    if unsigned == 1 { "is" } else { "are" },
                ));
            }
            Some((c, Err(_))) => warnings.push(format!(
                "the newest verified checkpoint has an unreadable time `{}`",
                c.at
            )),
            Some(_) => {}
        }
    }
    Ok(TrailCheck {
        ok: verification.broken.is_none() && problems.is_empty() && !head_missing,
        entries: verification.entries,
        head: verification.head.clone(),
        broken: verification.broken.clone(),
        checkpoints: checkpoints.len(),
        verified_checkpoints: checked.verified.len(),
        checkpoint_key: key,
        checkpoint_problems: problems,
        newest_checkpoint: newest.map(|c| c.at.clone()),
        unsigned_entries: chain_size - signed_size,
        expected_head: expect_head.map(|hash| ExpectedHead {
            hash: hash.to_string(),
            reached: verification.reached.is_some(),
            seq: verification.reached,
        }),
        warnings,
    })
}

/// A duration in the largest whole unit that fits: `8 days`, `5 hours`, `40 minutes`.
fn duration_words(seconds: u64) -> String {
    match seconds {
        s if s >= 2 * 86_400 => plural((s / 86_400) as i64, "day", "days"),
        s if s >= 2 * 3_600 => plural((s / 3_600) as i64, "hour", "hours"),
        s if s >= 120 => plural((s / 60) as i64, "minute", "minutes"),
        s => plural(s as i64, "second", "seconds"),
    }
}

fn plural(count: i64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
