//! Reading a consent CSV (`privops consent import`): the header checked first, then one
//! event per row, every field bounded and checked, the first bad row an error naming its
//! line and column; the file hashed as it is read.

use std::collections::BTreeMap;
use std::io::Read;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::audit::{self, NewEntry};
use crate::consent::{self, Action, Channel, NewEvent};
use crate::policy::Policy;
use crate::subject::{Subject, SubjectKey};

/// Reads a file while hashing it, so an import hashes what it parsed.
pub struct HashingReader<R> {
    pub inner: R,
    pub hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

pub const IMPORT_REQUIRED: [&str; 4] = ["subject", "purpose", "action", "at"];
const IMPORT_OPTIONAL: [&str; 5] = ["channel", "evidence", "version", "state", "subject_ref"];

struct Columns {
    index: BTreeMap<&'static str, usize>,
    names: Vec<String>,
}

impl Columns {
    fn from_header(header: &csv::ByteRecord, file: &str) -> Result<Columns> {
        let mut index = BTreeMap::new();
        let mut names = Vec::new();
        for (position, raw) in header.iter().enumerate() {
            let name = std::str::from_utf8(raw)
                .map_err(|_| {
                    anyhow::anyhow!(
                        "{file}:1: the header is not valid UTF-8 (the file must be UTF-8)"
                    )
                })?
                .trim()
                .trim_start_matches('\u{feff}')
                .to_string();
            let Some(known) = IMPORT_REQUIRED
                .iter()
                .chain(IMPORT_OPTIONAL.iter())
                .find(|k| **k == name)
            else {
                bail!(
                    "{file}:1: unknown column `{name}` (column {}); expected {} and optionally {}",
                    position + 1,
                    IMPORT_REQUIRED.join(","),
                    IMPORT_OPTIONAL.join(",")
                );
            };
            if index.insert(*known, position).is_some() {
                bail!("{file}:1: duplicate column `{name}`");
            }
            names.push(name);
        }
        let missing: Vec<&str> = IMPORT_REQUIRED
            .iter()
            .filter(|r| !index.contains_key(*r))
            .copied()
            .collect();
        if !missing.is_empty() {
            bail!(
                "{file}:1: missing column(s) {}; the header must name {}",
                missing.join(", "),
                IMPORT_REQUIRED.join(",")
            );
        }
        Ok(Columns { index, names })
    }

    fn get<'r>(
        &self,
        record: &'r csv::ByteRecord,
        name: &str,
        at: &str,
    ) -> Result<Option<&'r str>> {
        let Some(&position) = self.index.get(name) else {
            return Ok(None);
        };
        let raw = record.get(position).unwrap_or_default();
        consent::check_field(raw)
            .with_context(|| format!("{at}, column `{}`", self.names[position]))?;
        let text = std::str::from_utf8(raw)
            .map_err(|_| {
                anyhow::anyhow!(
                    "{at}, column `{}`: not valid UTF-8 (the file must be UTF-8)",
                    self.names[position]
                )
            })?
            .trim();
        Ok(if text.is_empty() { None } else { Some(text) })
    }
}

/// A consent CSV read row by row as `consent import` reads it: the header checked first,
/// then one event per row, the first bad row an error naming its line and column.
pub struct ImportReader<'k, R: Read> {
    csv: csv::Reader<R>,
    columns: Columns,
    refs: SubjectRefs<'k>,
    file_name: String,
    record: csv::ByteRecord,
}

impl<'k, R: Read> ImportReader<'k, R> {
    /// The reader the CSV was read from, once every row has been read.
    pub fn into_inner(self) -> R {
        self.csv.into_inner()
    }

    pub fn open(reader: R, file_name: &str, key: &'k SubjectKey) -> Result<Self> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(reader);
        let header = csv
            .byte_headers()
            .with_context(|| format!("{file_name}:1: cannot read the header"))?
            .clone();
        let columns = Columns::from_header(&header, file_name)?;
        Ok(ImportReader {
            csv,
            columns,
            refs: SubjectRefs::new(key),
            file_name: file_name.to_string(),
            record: csv::ByteRecord::new(),
        })
    }

    pub fn next_event(
        &mut self,
        policy: &Policy,
        versions: &BTreeMap<String, Vec<consent::Version>>,
    ) -> Result<Option<NewEvent>> {
        let file_name = &self.file_name;
        let more = self.csv.read_byte_record(&mut self.record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            anyhow::anyhow!("{file_name}:{line}: {e}")
        })?;
        if !more {
            return Ok(None);
        }
        let line = self.record.position().map_or(0, |p| p.line());
        let at_line = format!("{file_name}:{line}");
        parse_row(
            &self.record,
            &self.columns,
            policy,
            versions,
            &mut self.refs,
            &at_line,
        )
        .map(Some)
    }
}

/// Keyed references, computed once per distinct identity in a file.
struct SubjectRefs<'k> {
    key: &'k SubjectKey,
    cache: std::collections::HashMap<Subject, String>,
}

impl<'k> SubjectRefs<'k> {
    fn new(key: &'k SubjectKey) -> Self {
        SubjectRefs {
            key,
            cache: std::collections::HashMap::new(),
        }
    }

    fn get(&mut self, subject: &Subject) -> String {
        if let Some(found) = self.cache.get(subject) {
            return found.clone();
        }
        let reference = self.key.reference(subject);
        if self.cache.len() < 1_000_000 {
            self.cache.insert(subject.clone(), reference.clone());
        }
        reference
    }
}

fn parse_row(
    record: &csv::ByteRecord,
    columns: &Columns,
    policy: &Policy,
    versions: &BTreeMap<String, Vec<consent::Version>>,
    refs: &mut SubjectRefs,
    at_line: &str,
) -> Result<NewEvent> {
    let required = |name: &str| -> Result<&str> {
        columns
            .get(record, name, at_line)?
            .ok_or_else(|| anyhow::anyhow!("{at_line}, column `{name}`: empty"))
    };
    let subject_text = required("subject")?;
    let subject = Subject::parse(subject_text, policy)
        .with_context(|| format!("{at_line}, column `subject`"))?;
    let purpose = required("purpose")?;
    consent::consent_purpose(policy, purpose)
        .with_context(|| format!("{at_line}, column `purpose`"))?;
    let action_text = required("action")?;
    let action = Action::parse(action_text).ok_or_else(|| {
        anyhow::anyhow!("{at_line}, column `action`: `{action_text}` is neither grant nor withdraw")
    })?;
    let at = crate::time::parse_time(required("at")?)
        .with_context(|| format!("{at_line}, column `at`"))?;
    let at = crate::time::to_text(at);
    let channel = match columns.get(record, "channel", at_line)? {
        Some(text) => Some(
            Channel::parse(text)
                .ok_or_else(|| {
                    anyhow::anyhow!("{at_line}, column `channel`: unknown channel `{text}`")
                })?
                .name()
                .to_string(),
        ),
        None => None,
    };
    let known = &versions[purpose];
    let version = match columns.get(record, "version", at_line)? {
        Some(text) => {
            let version: i64 = text.parse().map_err(|_| {
                anyhow::anyhow!("{at_line}, column `version`: `{text}` is not a number")
            })?;
            if !known.iter().any(|v| v.version == version) {
                bail!("{at_line}, column `version`: purpose `{purpose}` has no version {version}");
            }
            version
        }
        None => {
            consent::version_in_force(known, &at).context("the purpose has no recorded version")?
        }
    };
    Ok(NewEvent {
        subject_ref: refs.get(&subject),
        subject,
        purpose: purpose.to_string(),
        version,
        action,
        at,
        channel,
        evidence: columns
            .get(record, "evidence", at_line)?
            .map(str::to_string),
    })
}

/// Imports a consent CSV in one transaction (all rows or none): each row an event, the
/// events already recorded skipped, the file's SHA-256 and counts in the audit trail.
/// Returns the audit entry's details.
/// What an import read and added (also the audit entry's details).
#[derive(Debug, serde::Serialize)]
pub struct Imported {
    /// The file's name, without its folder.
    pub file: Option<String>,
    pub file_sha256: String,
    pub rows: u64,
    pub inserted: u64,
    pub already_recorded: u64,
    pub per_purpose: BTreeMap<String, BTreeMap<&'static str, u64>>,
}

pub async fn import_file(
    policy: &Policy,
    store: &crate::store::Store,
    key: &SubjectKey,
    path: &std::path::Path,
    actor: &str,
) -> Result<Imported> {
    let file_name = path.display().to_string();
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {file_name}"))?;
    if file.metadata()?.len() == 0 {
        bail!(
            "{file_name} is empty: expected a header line {}",
            IMPORT_REQUIRED.join(",")
        );
    }
    let mut reader = ImportReader::open(
        HashingReader {
            inner: std::io::BufReader::with_capacity(1 << 16, file),
            hasher: Sha256::new(),
        },
        &file_name,
        key,
    )?;
    let mut tx = store.begin_write().await?;
    audit::record_policy_version(&mut tx, actor, &policy.digest).await?;
    consent::sync_versions(&mut tx, policy, actor).await?;
    let mut versions = BTreeMap::new();
    for purpose in policy.consent_purposes().keys() {
        versions.insert(purpose.clone(), consent::versions(&mut *tx, purpose).await?);
    }
    const BATCH: usize = 10_000;
    let (mut rows, mut inserted) = (0u64, 0u64);
    let mut per_purpose: BTreeMap<String, BTreeMap<&'static str, u64>> = BTreeMap::new();
    let mut read_batch = |reader: &mut ImportReader<'_, _>| -> Result<Vec<NewEvent>> {
        let mut batch = Vec::with_capacity(BATCH);
        while batch.len() < BATCH {
            let Some(event) = reader.next_event(policy, &versions)? else {
                break;
            };
            *per_purpose
                .entry(event.purpose.clone())
                .or_default()
                .entry(event.action.name())
                .or_default() += 1;
            rows += 1;
            batch.push(event);
        }
        Ok(batch)
    };
    let mut appender = consent::Appender::new(store.backend, actor, "import");
    let mut batch = read_batch(&mut reader)?;
    while !batch.is_empty() {
        // The store takes this batch while the next one is read: the statement is on its
        // way (to SQLite's worker thread or the server) before reading starts. A bad row
        // ends the import once the statement is back, and the transaction rolls back.
        let (appended, next) =
            futures_util::future::join(appender.append(&mut tx, &batch), async {
                read_batch(&mut reader)
            })
            .await;
        inserted += appended?;
        batch = next?;
    }
    appender.finish(&mut tx).await?;
    let file_sha256 = hex::encode(reader.into_inner().hasher.finalize());
    let imported = Imported {
        file: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        file_sha256,
        rows,
        inserted,
        already_recorded: rows - inserted,
        per_purpose,
    };
    audit::append(
        &mut tx,
        actor,
        &[NewEntry::new(
            "consent.import",
            serde_json::to_value(&imported)?,
        )],
    )
    .await?;
    tx.commit().await?;
    Ok(imported)
}
