//! The data-subject access export (Art. 15, Art. 20): every row of the subject across
//! every source, following the declared relations, plus what providers' APIs hold, the
//! consent history and the requests, written into a deterministic archive with a README
//! that answers Art. 15(1) in plain words. `privops access` parses, calls [`Export::run`]
//! and renders.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufWriter, Seek, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::archive::{ArchiveOutput, ArchiveWriter};
use crate::audit::{self, NewEntry};
use crate::output::Output;
use crate::plan::traverse::{self, CHUNK, Found};
use crate::policy::{Policy, taxonomy};
use crate::sources::SourcePool;
use crate::sources::http::{self, CallOutcome, ProviderClient};
use crate::sql::Sql;
use crate::store::Store;
use crate::subject::Subject;
use crate::template::Placeholder;

/// What one provider answered for the subject.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderResult {
    pub id: String,
    #[serde(skip)]
    pub name: String,
    pub outcome: String,
    pub records: Option<usize>,
    pub failed: bool,
}

/// One access export: for whom, against which policy and store, by whom.
pub struct Export<'a> {
    pub policy: &'a Policy,
    pub store: &'a Store,
    pub subjects: &'a [Subject],
    pub refs: &'a [String],
    /// The request the export answers.
    pub request: Option<&'a str>,
    /// Skip provider APIs (the archive and the audit trail say so).
    pub no_providers: bool,
    pub actor: String,
    /// Progress and detail while the export runs.
    pub out: &'a Output,
}

/// What an export wrote.
#[derive(Debug, Serialize)]
pub struct Exported {
    #[serde(rename = "archive")]
    pub target: PathBuf,
    pub sha256: String,
    /// Rows per `source.table`.
    #[serde(rename = "rows")]
    pub counts: BTreeMap<String, u64>,
    pub total_rows: u64,
    pub providers: Vec<ProviderResult>,
    #[serde(skip)]
    pub found_anything: bool,
    pub encrypted: bool,
}

/// A file of the archive's data and how many records it holds (the README lists them).
#[derive(Debug, Serialize)]
struct DataFile {
    path: String,
    records: usize,
}

impl DataFile {
    fn new(path: impl Into<String>, records: usize) -> DataFile {
        DataFile {
            path: path.into(),
            records,
        }
    }
}

/// The access archive's manifest (the archive adds each file's digest).
#[derive(Serialize)]
struct Manifest<'a> {
    kind: &'static str,
    tool: String,
    generated_at: &'a str,
    policy_digest: &'a str,
    subject_refs: &'a [String],
    request: Option<&'a str>,
    rows: &'a BTreeMap<String, u64>,
    providers: &'a [ProviderResult],
}

impl Export<'_> {
    /// Finds the rows (an unreachable source stops everything before any file exists),
    /// writes the archive, records the export in the audit trail and puts the archive in
    /// place.
    pub async fn run(&self, mut output: ArchiveOutput) -> Result<Exported> {
        let target = output.target().to_path_buf();
        let generated_at = crate::archive::generation_time()?;

        // Find the rows first: an unreachable source stops everything before any file exists.
        let placeholders: Vec<Placeholder> = self
            .policy
            .providers()
            .filter_map(|p| p.access.as_ref())
            .flat_map(|r| http::request_placeholders(r.get_ref()))
            .collect();
        let mut sources = Vec::new();
        for source in &self.policy.sources {
            let pool = SourcePool::connect(self.policy, source).await?;
            let found =
                traverse::traverse(self.policy, &pool, source, self.subjects, &placeholders)
                    .await?;
            self.out.detail(&format!(
                "source `{}`: {} row(s) in {} queries",
                source.id(),
                found.rows(),
                found.queries
            ));
            sources.push((source, pool, found));
        }

        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        let mut data_files: Vec<DataFile> = Vec::new();
        let mut archive = output.writer()?;
        let total: usize = sources.iter().map(|(_, _, found)| found.rows()).sum();
        let bar = self.out.progress(total as u64, "exporting rows");
        for (source, pool, found) in &sources {
            for table in found.tables.values().filter(|t| !t.keys.is_empty()) {
                let rows = export_table(
                    &mut archive,
                    pool,
                    source.id(),
                    Selection::Keys(table),
                    &table.name,
                )
                .await?;
                bar.inc(rows);
                counts.insert(format!("{}.{}", source.id(), table.name), rows);
                for ext in ["json", "csv"] {
                    data_files.push(DataFile::new(
                        format!("sources/{}/{}.{ext}", source.id(), table.name),
                        rows as usize,
                    ));
                }
            }
        }

        bar.finish_and_clear();
        let provider_results = providers(
            self.out,
            self.policy,
            self.subjects,
            &sources,
            self.no_providers,
            &mut archive,
            &mut data_files,
        )
        .await?;

        // The subject's consent history and requests.
        let mut history = Vec::new();
        let mut request_records = Vec::new();
        for subject_ref in self.refs {
            history.extend(crate::consent::history(self.store, subject_ref, None).await?);
            request_records.extend(
                crate::store::requests::list(
                    self.store,
                    &crate::store::requests::ListFilter {
                        status: None,
                        subject_ref: Some(subject_ref.clone()),
                    },
                )
                .await?,
            );
        }
        let history_rows: Vec<Value> = history
            .iter()
            .map(|e| serde_json::to_value(e).expect("events serialise"))
            .collect();
        write_records(&mut archive, "consent/history", &history_rows)?;
        data_files.push(DataFile::new("consent/history.json", history_rows.len()));
        let request_rows: Vec<Value> = request_records
            .iter()
            .map(|r| serde_json::to_value(r).expect("requests serialise"))
            .collect();
        write_records(&mut archive, "requests", &request_rows)?;
        data_files.push(DataFile::new("requests.json", request_rows.len()));

        let found_anything = counts.values().any(|c| *c > 0)
            || provider_results.iter().any(|p| p.records.unwrap_or(0) > 0);
        let readme = readme(
            self.policy,
            &sources,
            &provider_results,
            &data_files,
            &generated_at,
            self.request,
            found_anything,
        )?;
        archive.add("README.md", readme.as_bytes())?;
        let manifest = serde_json::to_value(Manifest {
            kind: "access",
            tool: format!("privops {}", env!("CARGO_PKG_VERSION")),
            generated_at: &generated_at,
            policy_digest: &self.policy.digest,
            subject_refs: self.refs,
            request: self.request,
            rows: &counts,
            providers: &provider_results,
        })?;
        let archive_sha256 = output.seal(archive, manifest)?;
        let encrypted = output.encrypted();

        let mut tx = self.store.begin_write().await?;
        audit::record_policy_version(&mut tx, &self.actor, &self.policy.digest).await?;
        let details = json!({
            "request": self.request,
            "rows": counts,
            "providers": provider_results.iter().map(|p| (p.id.clone(), json!({ "outcome": p.outcome, "records": p.records }))).collect::<Map<String, Value>>(),
            "archive_sha256": archive_sha256,
            "encrypted": encrypted,
        });
        let entries: Vec<NewEntry> = self
            .refs
            .iter()
            .map(|r| NewEntry::new("access.export", details.clone()).about(r))
            .collect();
        audit::append(&mut tx, &self.actor, &entries).await?;
        output.commit()?;
        tx.commit().await?;

        Ok(Exported {
            target,
            sha256: archive_sha256,
            total_rows: counts.values().sum(),
            counts,
            providers: provider_results,
            found_anything,
            encrypted,
        })
    }
}

/// Which rows of a table an archive holds.
pub(crate) enum Selection<'a> {
    /// These keys (a subject's rows, found by traversal), read a chunk at a time.
    Keys(&'a crate::plan::traverse::FoundTable),
    /// The rows a condition selects (a client account's), read in one stream ordered by
    /// these key columns.
    Where(&'a Sql, &'a [crate::sources::rows::ColumnInfo]),
}

/// Streams one table's selected rows into `<table>.json` and `<table>.csv`.
pub(crate) async fn export_table<W: Write + Seek>(
    archive: &mut ArchiveWriter<W>,
    pool: &SourcePool,
    source: &str,
    selection: Selection<'_>,
    table_name: &str,
) -> Result<u64> {
    let columns = pool.table_columns(table_name).await?;
    let select: Vec<String> = columns.iter().map(|c| pool.select_expr(c)).collect();
    let kinds: Vec<_> = columns.iter().map(|c| c.kind).collect();
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    // Each object key, serialised once: `"name":`.
    let keys: Vec<String> = names
        .iter()
        .map(|n| format!("{}:", Value::String(n.clone())))
        .collect();
    let key_columns = match &selection {
        Selection::Keys(table) => &table.key_columns[..],
        Selection::Where(_, keys) => keys,
    };
    let key_refs: Vec<&crate::sources::rows::ColumnInfo> = key_columns.iter().collect();
    let order: Vec<String> = key_columns.iter().map(|c| pool.quote(&c.name)).collect();
    let conditions: Vec<Sql> = match &selection {
        Selection::Keys(table) => table
            .keys
            .chunks(CHUNK)
            .map(|chunk| {
                pool.dialect()
                    .in_list(&key_refs, chunk.iter().map(Vec::as_slice))
            })
            .collect(),
        Selection::Where(condition, _) => vec![(*condition).clone()],
    };
    // A chunk of keys is small enough to cross from SQLite as one JSON document.
    let paged = matches!(selection, Selection::Keys(_));

    let mut csv_spool = csv::Writer::from_writer(BufWriter::new(tempfile::tempfile()?));
    csv_spool.write_record(&names)?;
    archive.begin(&format!("sources/{source}/{table_name}.json"))?;
    archive.write_all(b"[")?;
    let mut rows = 0u64;
    for condition in &conditions {
        let mut sql = Sql::new(format!(
            "SELECT {} FROM {} WHERE ",
            select.join(", "),
            pool.quote(table_name),
        ));
        sql.append(condition)
            .push(&format!(" ORDER BY {}", order.join(", ")));
        let mut write_row = |values: Vec<Value>| -> Result<()> {
            archive.write_all(if rows == 0 { b"\n  {" } else { b",\n  {" })?;
            for (i, (key, value)) in keys.iter().zip(&values).enumerate() {
                if i > 0 {
                    archive.write_all(b",")?;
                }
                archive.write_all(key.as_bytes())?;
                serde_json::to_writer(&mut *archive, value)?;
            }
            archive.write_all(b"}")?;
            csv_spool.write_record(values.iter().map(crate::output::plain))?;
            rows += 1;
            Ok(())
        };
        // SQLite's driver hands rows from its worker thread one at a time; the chunk
        // as one JSON document crosses at once. JSON cannot hold BLOB values: a chunk
        // with one is read row by row.
        if paged && pool.engine() == crate::policy::Engine::Sqlite {
            let quoted: Vec<String> = names.iter().map(|n| pool.quote(n)).collect();
            let mut paged = Sql::new(format!(
                "SELECT json_group_array(json_array({})) FROM (",
                quoted.join(", ")
            ));
            paged.append(&sql).push(")");
            let mut document = None;
            let fetched = pool
                .for_each_row(&paged, &[crate::sources::rows::Kind::Dynamic], |row| {
                    document = row.into_iter().next();
                    Ok(())
                })
                .await;
            if let (Ok(()), Some(Value::String(text))) = (fetched, document) {
                let page: Vec<Vec<Value>> =
                    serde_json::from_str(&text).context("cannot read a page of rows")?;
                for values in page {
                    write_row(values)?;
                }
                continue;
            }
        }
        pool.for_each_row(&sql, &kinds, &mut write_row)
            .await
            .with_context(|| format!("source `{source}`, table `{table_name}`"))?;
    }
    archive.write_all(if rows == 0 { b"]\n" } else { b"\n]\n" })?;
    let mut spool = csv_spool
        .into_inner()
        .map_err(|e| e.into_error())?
        .into_inner()
        .map_err(|e| e.into_error())?;
    spool.rewind()?;
    archive.begin(&format!("sources/{source}/{table_name}.csv"))?;
    std::io::copy(&mut spool, archive)?;
    Ok(rows)
}

/// Writes records as `<path>.json` and `<path>.csv` (columns: the union of top-level
/// fields, in first-seen order; nested values as JSON text).
fn write_records<W: Write + Seek>(
    archive: &mut ArchiveWriter<W>,
    path: &str,
    records: &[Value],
) -> Result<()> {
    archive.add(
        &format!("{path}.json"),
        (serde_json::to_string_pretty(records)? + "\n").as_bytes(),
    )?;
    let mut columns: Vec<String> = Vec::new();
    for record in records {
        if let Value::Object(map) = record {
            for key in map.keys() {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
        }
    }
    if columns.is_empty() && !records.is_empty() {
        columns.push("value".to_string());
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&columns)?;
    for record in records {
        let row: Vec<String> = match record {
            Value::Object(map) => columns
                .iter()
                .map(|c| map.get(c).map(crate::output::plain).unwrap_or_default())
                .collect(),
            other => vec![crate::output::plain(other)],
        };
        writer.write_record(row)?;
    }
    archive.add(
        &format!("{path}.csv"),
        &writer.into_inner().map_err(|e| e.into_error())?,
    )?;
    Ok(())
}

async fn providers<W: Write + Seek>(
    out: &Output,
    policy: &Policy,
    subjects: &[Subject],
    sources: &[(&crate::policy::SourceDef, SourcePool, Found)],
    skip: bool,
    archive: &mut ArchiveWriter<W>,
    data_files: &mut Vec<DataFile>,
) -> Result<Vec<ProviderResult>> {
    let mut results = Vec::new();
    let mut providers: Vec<_> = policy.providers().filter(|p| p.access.is_some()).collect();
    providers.sort_by(|a, b| a.id.get_ref().cmp(b.id.get_ref()));
    for provider in providers {
        let id = provider.id.get_ref().clone();
        let request = provider.access.as_ref().expect("filtered").get_ref();
        if skip {
            results.push(ProviderResult {
                id,
                name: provider.name.clone(),
                outcome: "not queried (--no-providers)".into(),
                records: None,
                failed: false,
            });
            continue;
        }
        let placeholders = http::request_placeholders(request);
        let bindings = http::expand(&placeholders, |p| {
            traverse::placeholder_values(
                p,
                subjects,
                sources.iter().map(|(s, _, found)| (s.id(), found)),
            )
        });
        let client = match ProviderClient::new(provider) {
            Ok(client) => client,
            Err(error) => {
                results.push(ProviderResult {
                    id,
                    name: provider.name.clone(),
                    outcome: format!("failed: {error}"),
                    records: None,
                    failed: true,
                });
                continue;
            }
        };
        let mut records = Vec::new();
        let mut failure = None;
        for binding in &bindings {
            match client.call(request, binding).await {
                Ok(CallOutcome::Done(found)) => records.extend(found),
                Ok(CallOutcome::NotFound(_)) => {}
                Err(error) => {
                    failure = Some(error.to_string());
                    break;
                }
            }
        }
        out.detail(&format!(
            "provider `{id}`: {} call(s), {} record(s)",
            bindings.len(),
            records.len()
        ));
        match failure {
            Some(error) => results.push(ProviderResult {
                id,
                name: provider.name.clone(),
                outcome: format!("failed: {error}"),
                records: None,
                failed: true,
            }),
            None => {
                write_records(archive, &format!("providers/{id}"), &records)?;
                data_files.push(DataFile::new(format!("providers/{id}.json"), records.len()));
                results.push(ProviderResult {
                    id,
                    name: provider.name.clone(),
                    outcome: if bindings.is_empty() {
                        "nothing to ask (no matching values)".into()
                    } else {
                        format!("{} call(s) answered", bindings.len())
                    },
                    records: Some(records.len()),
                    failed: false,
                });
            }
        }
    }
    Ok(results)
}

fn readme(
    policy: &Policy,
    sources: &[(&crate::policy::SourceDef, SourcePool, Found)],
    provider_results: &[ProviderResult],
    data_files: &[DataFile],
    generated_at: &str,
    request: Option<&str>,
    found_anything: bool,
) -> Result<String> {
    let record = crate::policy::record::Record::of(policy);
    // The categories and purposes of the tables where something was found.
    let mut categories = BTreeSet::new();
    let mut purpose_ids = BTreeSet::new();
    let mut holds = Vec::new();
    for (source, _, found) in sources {
        for table_def in &source.tables {
            let table = &table_def.table;
            if found
                .tables
                .get(table.name())
                .is_none_or(|t| t.keys.is_empty())
            {
                continue;
            }
            for (_, spec) in table.personal_columns() {
                categories.insert(spec.category.clone());
            }
            let table_purposes = if table.purposes.is_empty() {
                &source.source.purposes
            } else {
                &table.purposes
            };
            purpose_ids.extend(table_purposes.iter().map(|p| p.get_ref().clone()));
            for hold in &table.hold {
                holds.push(json!({ "source": source.id(), "table": table.name(), "reason": hold.get_ref().reason, "article": hold.get_ref().article }));
            }
        }
    }
    let purposes: Vec<_> = record
        .purposes
        .iter()
        .filter(|p| purpose_ids.is_empty() || purpose_ids.contains(p.id))
        .collect();
    let context = json!({
        "controller": record.controller,
        "generated_at": generated_at,
        "request": request,
        "found_anything": found_anything,
        "data_files": data_files,
        "purposes": purposes,
        "categories": categories.iter().map(|c| json!({ "category": c, "description": taxonomy::describe(c) })).collect::<Vec<_>>(),
        "recipients": record.recipients,
        "provider_results": provider_results.iter().map(|p| json!({ "name": p.name, "outcome": p.outcome, "records": p.records })).collect::<Vec<_>>(),
        "providers": !provider_results.is_empty(),
        "retention": record.retention,
        "holds": holds,
        "sources": sources.iter().map(|(s, _, _)| json!({ "id": s.id() })).collect::<Vec<_>>(),
    });
    crate::render::render("access-readme.md", &context)
}
