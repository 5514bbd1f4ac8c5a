//! The auditor's archive (`privops audit export`): the entries of a period as JSONL and
//! CSV, the report in HTML and Markdown, the checkpoints that cover them, the public key,
//! and VERIFY.md, which says how to check all of it offline.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::json;
use sha2::Digest;

use super::Filter;
use super::report::Context;
use crate::archive::ArchiveOutput;
use crate::output::Format;
use crate::store::Store;

/// What an audit export wrote.
#[derive(Debug, serde::Serialize)]
pub struct Exported {
    #[serde(rename = "archive")]
    pub target: PathBuf,
    pub sha256: String,
    pub entries: usize,
    pub checkpoints: usize,
}

/// Writes the archive of the entries in `[from, to)` and puts it in place; the export is
/// itself recorded in the trail. Fails (usage) when the period holds no entry.
pub async fn export(
    store: &Store,
    actor: &str,
    from: Option<String>,
    to: Option<String>,
    key_file: &Path,
    context: &Context,
    mut output: ArchiveOutput,
) -> Result<Exported> {
    let target = output.target().to_path_buf();
    let entries = super::list(
        store,
        &Filter {
            from: from.clone(),
            to: to.clone(),
            ..Filter::default()
        },
    )
    .await?;
    if entries.is_empty() {
        return Err(crate::error::usage("no audit entries in this period"));
    }
    let first = entries.first().expect("not empty");
    let last = entries.last().expect("not empty");
    let checkpoints: Vec<super::checkpoint::Checkpoint> = super::checkpoint::list(store)
        .await?
        .into_iter()
        .filter(|c| c.size >= first.seq && c.size <= last.seq)
        .collect();
    let public_key = match super::checkpoint::trusted_public_key(key_file)? {
        Some(key) => super::checkpoint::verifying_pem(&key)?,
        None => checkpoints
            .first()
            .map(|c| c.public_key.clone())
            .unwrap_or_default(),
    };
    let generated_at = crate::archive::generation_time()?;
    let organisation = context
        .controller
        .get("organisation")
        .and_then(|o| o.as_str())
        .unwrap_or_default()
        .to_string();

    let mut archive = output.writer()?;
    archive.begin("entries.jsonl")?;
    for entry in &entries {
        serde_json::to_writer(&mut archive, entry)?;
        archive.write_all(b"\n")?;
    }
    let mut csv_writer = csv::Writer::from_writer(Vec::new());
    csv_writer.write_record(super::COLUMNS.split(", "))?;
    for e in &entries {
        csv_writer.write_record([
            e.seq.to_string(),
            e.at.clone(),
            e.actor.clone(),
            e.action.clone(),
            e.subject_ref.clone().unwrap_or_default(),
            e.details.clone(),
            e.prev_hash.clone(),
            e.hash.clone(),
        ])?;
    }
    archive.add(
        "entries.csv",
        &csv_writer.into_inner().map_err(|e| e.into_error())?,
    )?;
    archive.add(
        "report.html",
        super::report::render(store, from.as_deref(), to.as_deref(), Format::Html, context)
            .await?
            .as_bytes(),
    )?;
    archive.add(
        "report.md",
        super::report::render(store, from.as_deref(), to.as_deref(), Format::Md, context)
            .await?
            .as_bytes(),
    )?;
    archive.add(
        "checkpoints.json",
        (serde_json::to_string_pretty(&checkpoints)? + "\n").as_bytes(),
    )?;
    archive.add("public_key.pem", public_key.as_bytes())?;
    let period = json!({ "from": from, "to": to });
    let verify_md = crate::render::render(
        "audit-verify.md",
        &json!({ "entries": entries.len(), "organisation": organisation, "first_seq": first.seq, "last_seq": last.seq, "period": period, "generated_at": generated_at, "anchor": first.prev_hash, "key_fingerprint": hex::encode(sha2::Sha256::digest(public_key.as_bytes())) }),
    )?;
    archive.add("VERIFY.md", verify_md.as_bytes())?;
    let manifest = json!({
        "kind": "audit",
        "tool": format!("privops {}", env!("CARGO_PKG_VERSION")),
        "generated_at": generated_at,
        "period": period,
        "entries": entries.len(),
        "first_seq": first.seq,
        "last_seq": last.seq,
        "anchor": first.prev_hash,
        "head": last.hash,
    });
    let sha256 = output.seal(archive, manifest)?;
    let mut tx = store.begin_write().await?;
    super::append(&mut tx, actor, &[super::NewEntry::new("audit.export", json!({ "entries": entries.len(), "first_seq": first.seq, "last_seq": last.seq, "archive_sha256": sha256 }))]).await?;
    output.commit()?;
    tx.commit().await?;
    Ok(Exported {
        target,
        sha256,
        entries: entries.len(),
        checkpoints: checkpoints.len(),
    })
}
