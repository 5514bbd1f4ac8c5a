//! The consent export (`privops consent export`): the state of every subject for each
//! purpose at a moment, as CSV, in the columns `consent import` reads back.

use std::collections::BTreeMap;

use anyhow::Result;
use serde_json::json;

use super::Verdict;
use crate::audit::{self, NewEntry};
use crate::fsutil::PendingFile;
use crate::store::Store;

pub const EXPORT_HEADER: [&str; 9] = [
    "subject",
    "purpose",
    "action",
    "at",
    "channel",
    "evidence",
    "version",
    "state",
    "subject_ref",
];

/// Writes the state of `purposes` as of `as_of` into `file` and puts it in place; the
/// export is recorded in the audit trail. Returns the rows and the count per state.
/// What an export wrote: rows, and subjects per consent state.
#[derive(Debug, serde::Serialize)]
pub struct Exported {
    pub as_of: String,
    pub rows: u64,
    pub states: BTreeMap<String, u64>,
}

pub async fn export_csv(
    store: &Store,
    purposes: &[String],
    as_of: &str,
    mut file: PendingFile,
    actor: &str,
) -> Result<Exported> {
    let as_of = as_of.to_string();
    let mut writer = csv::Writer::from_writer(&mut file);
    writer.write_record(EXPORT_HEADER)?;
    let mut rows = 0u64;
    let mut per_state: BTreeMap<String, u64> = BTreeMap::new();
    // Subjects erased by then: whatever their ledger holds, their state is `erased`, so a
    // mailing list drawn from the export leaves them out.
    let erased: std::collections::HashMap<String, String> = sqlx::query_as::<_, (String, String)>(
        "SELECT subject_ref, erased_at FROM suppressions WHERE erased_at <= $1",
    )
    .bind(&as_of)
    .fetch_all(&store.pool)
    .await?
    .into_iter()
    .collect();
    for purpose in purposes {
        let versions = super::versions(&store.pool, purpose).await?;
        let version_then = super::version_in_force(&versions, &as_of);
        for state in super::state_at(store, purpose, &as_of).await? {
            let verdict = match erased.get(&state.subject_ref) {
                Some(at) => Verdict::erased(at.clone(), Some(state.event.clone()), version_then),
                None => Verdict::from_last(Some(state.event.clone()), version_then),
            };
            *per_state
                .entry(verdict.state.name().to_string())
                .or_default() += 1;
            let event = &state.event;
            writer.write_record([
                state
                    .identity
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                purpose.clone(),
                event.action.clone(),
                event.at.clone(),
                event.channel.clone().unwrap_or_default(),
                event.evidence.clone().unwrap_or_default(),
                event.version.to_string(),
                verdict.state.name().to_string(),
                state.subject_ref.clone(),
            ])?;
            rows += 1;
        }
    }
    writer.flush()?;
    drop(writer);
    let mut tx = store.begin_write().await?;
    audit::append(
        &mut tx,
        actor,
        &[NewEntry::new(
            "consent.export",
            json!({ "purposes": purposes, "as_of": as_of, "rows": rows, "states": &per_state }),
        )],
    )
    .await?;
    file.commit()?;
    tx.commit().await?;
    Ok(Exported {
        as_of,
        rows,
        states: per_state,
    })
}
