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
                let rows;
                (archive, rows) = export_table(
                    archive,
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

/// What the reading side hands the thread that writes a table's files.
enum Batch {
    /// A chunk of rows SQLite wrote as one JSON document (see [`page`]).
    Page(String),
    /// Rows read one at a time, as their driver handed them over: their values are
    /// read on the writing thread, each straight into the files' text.
    Rows(Vec<crate::sources::rows::RawRow>),
}

/// Rows handed over at once when they are read one at a time.
const BATCH: usize = 1024;

/// Streams one table's selected rows into `<table>.json` and `<table>.csv`. The rows are
/// read here and written (serialised, compressed, hashed) by a thread of its own, so
/// that reading and writing each keep a core busy; the archive goes to that thread and
/// comes back with the number of rows written.
pub(crate) async fn export_table<W: Write + Seek + Send + 'static>(
    archive: ArchiveWriter<W>,
    pool: &SourcePool,
    source: &str,
    selection: Selection<'_>,
    table_name: &str,
) -> Result<(ArchiveWriter<W>, u64)> {
    let columns = pool.table_columns(table_name).await?;
    let select: Vec<String> = columns.iter().map(|c| pool.select_expr(c)).collect();
    let kinds: Vec<_> = columns.iter().map(|c| c.kind).collect();
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let key_columns = match &selection {
        Selection::Keys(table) => &table.key_columns[..],
        Selection::Where(_, keys) => keys,
    };
    let key_refs: Vec<&crate::sources::rows::ColumnInfo> = key_columns.iter().collect();
    let order: Vec<String> = key_columns.iter().map(|c| pool.quote(&c.name)).collect();
    // Made a chunk at a time, as they are read: a subject with a million rows would
    // otherwise hold every chunk's statement at once.
    let conditions: Box<dyn Iterator<Item = Sql> + '_> = match &selection {
        Selection::Keys(table) => Box::new(
            table
                .keys
                .chunks(export_chunk(pool, &key_refs))
                .map(|chunk| keys_condition(pool, &key_refs, &chunk)),
        ),
        Selection::Where(condition, _) => Box::new(std::iter::once((*condition).clone())),
    };
    // A chunk of keys is small enough to cross from SQLite as one JSON document.
    let paged = matches!(selection, Selection::Keys(_));

    // The cells of a SQLite page, made once for every chunk. SQLite writes a REAL in
    // JSON with 15 significant digits: one is written with 17 instead, which reads back
    // as the very same number; an infinity, which JSON cannot hold, as null (as read row
    // by row). A column of TEXT affinity never holds a REAL. A BLOB would be taken for
    // SQLite's binary JSON: it makes the chunk's statement fail (a text that is not
    // JSON, built from the row so that it is not computed before the statement runs),
    // and the chunk is read row by row.
    let cells: Vec<String> = columns
        .iter()
        .map(|column| {
            let c = pool.quote(&column.name);
            let real = if column.has_text_affinity() {
                String::new()
            } else {
                format!(
                    "WHEN 'real' THEN (CASE WHEN abs({c}) <= 1.7976931348623157e308 \
                     THEN json(printf('%!.17g', {c})) END) "
                )
            };
            format!("CASE typeof({c}) {real}WHEN 'blob' THEN json('!' || typeof({c})) ELSE {c} END")
        })
        .collect();
    let page_select = format!(
        "SELECT json_group_array(json_array({})) FROM (",
        cells.join(", ")
    );
    let (sender, batches) = std::sync::mpsc::sync_channel::<Batch>(4);
    let paths = (
        format!("sources/{source}/{table_name}.json"),
        format!("sources/{source}/{table_name}.csv"),
    );
    let writer = std::thread::spawn({
        let names = names.clone();
        let kinds = kinds.clone();
        let at = format!("source `{source}`, table `{table_name}`");
        move || write_table(archive, &paths, &names, (&kinds, &at), batches)
    });
    let send = |batch: Batch| {
        sender
            .send(batch)
            .map_err(|_| anyhow::anyhow!("the archive's writer stopped"))
    };
    let read = async {
        for condition in conditions {
            let mut sql = Sql::new(format!(
                "SELECT {} FROM {} WHERE ",
                select.join(", "),
                pool.quote(table_name),
            ));
            sql.append(&condition)
                .push(&format!(" ORDER BY {}", order.join(", ")));
            // SQLite's driver hands rows from its worker thread one at a time; the chunk
            // as one JSON document crosses at once. JSON cannot hold BLOB values: a chunk
            // with one is read row by row.
            if paged && pool.engine() == crate::policy::Engine::Sqlite {
                let mut paged = Sql::new(page_select.clone());
                paged.append(&sql).push(")");
                let mut document = None;
                let fetched = pool
                    .for_each_row(&paged, &[crate::sources::rows::Kind::Dynamic], |row| {
                        document = row.into_iter().next();
                        Ok(())
                    })
                    .await;
                if let (Ok(()), Some(Value::String(text))) = (fetched, document) {
                    send(Batch::Page(text))?;
                    continue;
                }
            }
            let mut batch = Vec::with_capacity(BATCH);
            pool.for_each_raw(&sql, |row| {
                batch.push(row);
                if batch.len() == BATCH {
                    send(Batch::Rows(std::mem::replace(
                        &mut batch,
                        Vec::with_capacity(BATCH),
                    )))?;
                }
                Ok(())
            })
            .await
            .with_context(|| format!("source `{source}`, table `{table_name}`"))?;
            if !batch.is_empty() {
                send(Batch::Rows(batch))?;
            }
        }
        anyhow::Ok(())
    };
    let read = read.await;
    drop(sender);
    let written = writer
        .join()
        .map_err(|_| anyhow::anyhow!("the archive's writer failed"))?;
    // A writer that failed (a full disk) stops the reading at its next batch: its own
    // error is the one that says why.
    match (read, written) {
        (_, Err(error)) | (Err(error), Ok(_)) => Err(error),
        (Ok(()), Ok(done)) => Ok(done),
    }
}

/// Keys read by one statement of an export. PostgreSQL takes a chunk's integer or text
/// keys as one array per key column whatever its length ([`crate::sources::rows::Dialect::in_list`]),
/// and reads 10,000 of them by one statement in about 15% less server time than by ten
/// statements of 1,000 (1,000,000 rows between another subject's: 1.49-1.52 s against
/// 1.66-1.78 s). Other keys, and the other engines, bind each value on its own.
fn export_chunk(pool: &SourcePool, key: &[&crate::sources::rows::ColumnInfo]) -> usize {
    use crate::sources::rows::Kind;
    let arrays = key.iter().all(|c| matches!(c.kind, Kind::Int | Kind::Text));
    match pool.engine() {
        crate::policy::Engine::Postgres if arrays => 10 * CHUNK,
        _ => CHUNK,
    }
}

/// Runs of consecutive keys shorter than this stay in the list.
const RUN: usize = 64;

/// The rows whose key is one of `chunk` (in key order). In a single integer key, runs
/// of at least [`RUN`] consecutive values become ranges, `k BETWEEN a AND b`: one index
/// range scan where a list costs a lookup per key. A range holds exactly its run's rows:
/// keys are unique, and every integer between the run's ends is one of its keys. (On
/// SQLite, whose columns take any type, the range is held to integer values: a REAL key
/// of 5.5 lies between 5 and 6.) The rest stay a list, or on PostgreSQL one range
/// filtered by the list where they lie close together ([`dense_keys`]).
fn keys_condition(
    pool: &SourcePool,
    columns: &[&crate::sources::rows::ColumnInfo],
    chunk: &[Vec<crate::sql::Key>],
) -> Sql {
    use crate::sources::rows::Kind;
    use crate::sql::Key;
    let dialect = pool.dialect();
    let list = |keys: &[Vec<Key>]| dialect.in_list(columns, keys.iter().map(Vec::as_slice));
    let ints: Option<Vec<i64>> = match columns {
        [column] if matches!(column.kind, Kind::Int | Kind::Dynamic) => chunk
            .iter()
            .map(|key| match key.as_slice() {
                [Key::Int(i)] => Some(*i),
                _ => None,
            })
            .collect(),
        _ => None,
    };
    let Some(ints) = ints else {
        return list(chunk);
    };
    let column = columns[0];
    let mut ranges = Vec::new();
    let mut rest: Vec<i64> = Vec::new();
    let mut start = 0;
    while start < ints.len() {
        let mut end = start;
        while end + 1 < ints.len() && ints[end].checked_add(1) == Some(ints[end + 1]) {
            end += 1;
        }
        if end + 1 - start >= RUN {
            ranges.push((ints[start], ints[end]));
        } else {
            rest.extend_from_slice(&ints[start..=end]);
        }
        start = end + 1;
    }
    // The keys outside the runs: one range on PostgreSQL where they lie close together,
    // a list otherwise.
    if ranges.is_empty() {
        return dense_keys(pool, column, &ints).unwrap_or_else(|| list(chunk));
    }
    let name = pool.quote(&column.name);
    let mut parts = Vec::new();
    for (low, high) in ranges {
        let mut part = Sql::new(format!("{name} BETWEEN "));
        dialect.bind(&mut part, column, Key::Int(low));
        part.push(" AND ");
        dialect.bind(&mut part, column, Key::Int(high));
        if pool.engine() == crate::policy::Engine::Sqlite {
            part.push(&format!(" AND typeof({name}) = 'integer'"));
        }
        parts.push(part);
    }
    if !rest.is_empty() {
        parts.push(dense_keys(pool, column, &rest).unwrap_or_else(|| {
            let keys: Vec<Vec<Key>> = rest.iter().map(|&i| vec![Key::Int(i)]).collect();
            list(&keys)
        }));
    }
    let mut condition = Sql::new("(");
    condition.append(&Sql::join(&parts, " OR ")).push(")");
    condition
}

/// Keys left after the runs at least this many, and spread over at most
/// [`DENSE_SPAN`] times as many values, are read by one range on PostgreSQL (see
/// [`dense_keys`]).
const DENSE_FROM: usize = 1_000;
const DENSE_SPAN: i128 = 4;

/// PostgreSQL, integer keys close together but not consecutive (a subject's rows between
/// another's): the keys' span read as one index range, each row kept when its key is one
/// of `keys`, `k BETWEEN a AND b AND CASE WHEN CAST(k + 0 AS int8) = ANY(...) THEN true
/// END`. Each key looked up on its own in the index costs three times as much: 10,000
/// keys among 20,000 rows, 9.8 ms against 3.2 ms. The `CASE` and the `+ 0` keep the list
/// out of the index's condition, which would look each key up again, and out of the
/// planner's estimate, which otherwise weighs each of its values (2.2 ms of planning
/// against 0.8 ms for 10,000). The list reaches the planner as a constant only when
/// it is made of the bound text by immutable functions (`string_to_array`, then the
/// cast), in a statement planned with its values ([`Sql::plan_with_values`]): an array
/// cast from text is parsed again for every row (9.3 s for the same statement), and a
/// plan kept for the text searches the list from its start for every row (817 ms). A
/// constant list is hashed. The rows are exactly those whose key is in `keys`. `None`
/// where the keys are too few or too spread out, or the column is not a plain integer.
fn dense_keys(
    pool: &SourcePool,
    column: &crate::sources::rows::ColumnInfo,
    keys: &[i64],
) -> Option<Sql> {
    let plain = matches!(column.db_type.as_str(), "int2" | "int4" | "int8");
    if pool.engine() != crate::policy::Engine::Postgres || !plain || keys.len() < DENSE_FROM {
        return None;
    }
    let low = *keys.iter().min()?;
    let high = *keys.iter().max()?;
    if i128::from(high) - i128::from(low) + 1 > DENSE_SPAN * keys.len() as i128 {
        return None;
    }
    let name = pool.quote(&column.name);
    let text = keys
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut sql = Sql::new(format!("({name} BETWEEN "));
    sql.bind(crate::sql::Key::Int(low))
        .push(" AND ")
        .bind(crate::sql::Key::Int(high))
        .push(&format!(
            " AND CASE WHEN CAST({name} + 0 AS int8) = ANY(CAST(string_to_array("
        ))
        .bind(crate::sql::Key::Text(text))
        .push(", ',') AS int8[])) THEN true END)")
        .plan_with_values();
    Some(sql)
}

/// Writes a table's rows as they arrive: `<table>.json` straight into the archive, the
/// CSV into a spool file that follows it.
fn write_table<W: Write + Seek>(
    mut archive: ArchiveWriter<W>,
    (json_path, csv_path): &(String, String),
    names: &[String],
    // How the values are read, and whose they are (for an error reading one).
    (kinds, at): (&[crate::sources::rows::Kind], &str),
    batches: std::sync::mpsc::Receiver<Batch>,
) -> Result<(ArchiveWriter<W>, u64)> {
    // Each object key, serialised once: `"name":`.
    let keys: Vec<String> = names
        .iter()
        .map(|n| format!("{}:", Value::String(n.clone())))
        .collect();
    let mut csv_spool = csv::Writer::from_writer(BufWriter::new(tempfile::tempfile()?));
    csv_spool.write_record(names)?;
    archive.begin(json_path)?;
    archive.write_all(b"[")?;
    let mut rows = 0u64;
    // One row into both files: each cell as JSON text and as plain text.
    let mut write_cells = |cells: &mut dyn Iterator<Item = (&[u8], &[u8])>,
                           plain: &mut csv::ByteRecord|
     -> Result<()> {
        archive.write_all(if rows == 0 { b"\n  {" } else { b",\n  {" })?;
        plain.clear();
        for (i, (key, (json, text))) in keys.iter().zip(cells).enumerate() {
            if i > 0 {
                archive.write_all(b",")?;
            }
            archive.write_all(key.as_bytes())?;
            archive.write_all(json)?;
            plain.push_field(text);
        }
        archive.write_all(b"}")?;
        csv_spool.write_byte_record(plain)?;
        rows += 1;
        Ok(())
    };
    let mut plain = csv::ByteRecord::new();
    let mut cells = Cells::default();
    for batch in batches {
        match batch {
            Batch::Page(text) => page::rows(&text, names.len(), |cells| {
                write_cells(
                    &mut cells
                        .iter()
                        .map(|c| (c.json.as_bytes(), c.plain.as_bytes())),
                    &mut plain,
                )
            })
            .context("cannot read a page of rows")?,
            Batch::Rows(batch) => {
                for row in &batch {
                    cells.clear();
                    row.cells(kinds, &mut |cell| cells.push(cell))
                        .with_context(|| format!("{at}: cannot read a row"))?;
                    write_cells(&mut cells.iter(), &mut plain)?;
                }
            }
        }
    }
    archive.write_all(if rows == 0 { b"]\n" } else { b"\n]\n" })?;
    let mut spool = csv_spool
        .into_inner()
        .map_err(|e| e.into_error())?
        .into_inner()
        .map_err(|e| e.into_error())?;
    spool.rewind()?;
    archive.begin(csv_path)?;
    std::io::copy(&mut spool, &mut archive)?;
    Ok((archive, rows))
}

/// One row's cells, each as JSON text and as plain text (a CSV field), in two buffers
/// kept from row to row.
#[derive(Default)]
struct Cells {
    json: Vec<u8>,
    plain: Vec<u8>,
    /// Where each cell ends in `json` and in `plain`.
    ends: Vec<(usize, usize)>,
}

impl Cells {
    fn clear(&mut self) {
        self.json.clear();
        self.plain.clear();
        self.ends.clear();
    }

    /// A cell: text as a JSON string and as itself; a value as JSON text, plain text
    /// being the same but for a string (itself) and null (empty), as
    /// [`crate::output::plain`] writes them.
    fn push(&mut self, cell: crate::sources::rows::Cell<'_>) -> Result<()> {
        use crate::sources::rows::Cell;
        match cell {
            Cell::Text(text) => self.text(text)?,
            Cell::Value(value) => match value.as_ref() {
                Value::String(text) => self.text(text)?,
                Value::Null => self.json.extend_from_slice(b"null"),
                other => {
                    let from = self.json.len();
                    serde_json::to_writer(&mut self.json, other)?;
                    let (json, plain) = (&self.json, &mut self.plain);
                    plain.extend_from_slice(&json[from..]);
                }
            },
        }
        self.ends.push((self.json.len(), self.plain.len()));
        Ok(())
    }

    fn text(&mut self, text: &str) -> Result<()> {
        serde_json::to_writer(&mut self.json, text)?;
        self.plain.extend_from_slice(text.as_bytes());
        Ok(())
    }

    fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        let mut from = (0, 0);
        self.ends.iter().map(move |&(json, plain)| {
            let cell = (&self.json[from.0..json], &self.plain[from.1..plain]);
            from = (json, plain);
            cell
        })
    }
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

/// The rows of a page SQLite wrote with `json_group_array(json_array(..))`, a cell at a
/// time as the archive writes it: as JSON text and as plain text. Where the page's own
/// text already is what serde_json would write (strings without escapes, integers,
/// `null`) it is used as it is; any other value is read and written again, as a value
/// read row by row would be.
mod page {
    use std::borrow::Cow;

    use anyhow::{Result, bail};
    use serde_json::Value;

    pub(super) struct Cell<'a> {
        pub json: Cow<'a, str>,
        pub plain: Cow<'a, str>,
    }

    pub(super) fn rows(
        text: &str,
        width: usize,
        mut each: impl FnMut(&[Cell]) -> Result<()>,
    ) -> Result<()> {
        let mut at = 0;
        let mut cells: Vec<Cell> = Vec::with_capacity(width);
        expect(text, &mut at, b'[')?;
        if peek(text, &mut at) == Some(b']') {
            at += 1;
            return finished(text, at);
        }
        loop {
            expect(text, &mut at, b'[')?;
            cells.clear();
            if peek(text, &mut at) == Some(b']') {
                at += 1;
            } else {
                loop {
                    cells.push(cell(text, &mut at)?);
                    match next(text, &mut at)? {
                        b',' => continue,
                        b']' => break,
                        other => bail!("unexpected `{}` in a row", other as char),
                    }
                }
            }
            if cells.len() != width {
                bail!("a row of {} values where {width} were read", cells.len());
            }
            each(&cells)?;
            match next(text, &mut at)? {
                b',' => continue,
                b']' => return finished(text, at),
                other => bail!("unexpected `{}` between rows", other as char),
            }
        }
    }

    fn peek(text: &str, at: &mut usize) -> Option<u8> {
        let bytes = text.as_bytes();
        while bytes.get(*at).is_some_and(u8::is_ascii_whitespace) {
            *at += 1;
        }
        bytes.get(*at).copied()
    }

    fn next(text: &str, at: &mut usize) -> Result<u8> {
        match peek(text, at) {
            Some(byte) => {
                *at += 1;
                Ok(byte)
            }
            None => bail!("the page ends early"),
        }
    }

    fn expect(text: &str, at: &mut usize, byte: u8) -> Result<()> {
        let found = next(text, at)?;
        if found != byte {
            bail!("`{}` where `{}` was expected", found as char, byte as char);
        }
        Ok(())
    }

    fn finished(text: &str, mut at: usize) -> Result<()> {
        match peek(text, &mut at) {
            None => Ok(()),
            Some(_) => bail!("text after the page"),
        }
    }

    fn cell<'a>(text: &'a str, at: &mut usize) -> Result<Cell<'a>> {
        let bytes = text.as_bytes();
        peek(text, at);
        let start = *at;
        if bytes.get(start) == Some(&b'"') {
            let mut end = start + 1;
            let mut escaped = false;
            loop {
                match bytes.get(end) {
                    None => bail!("a string that does not end"),
                    Some(b'\\') => {
                        escaped = true;
                        end += 2;
                    }
                    Some(b'"') => break,
                    Some(_) => end += 1,
                }
            }
            *at = end + 1;
            let raw = &text[start..=end];
            if !escaped {
                // Nothing in it that JSON escapes: serde_json writes it as it stands.
                return Ok(Cell {
                    json: Cow::Borrowed(raw),
                    plain: Cow::Borrowed(&raw[1..raw.len() - 1]),
                });
            }
            let value: String = serde_json::from_str(raw)?;
            return Ok(Cell {
                json: Cow::Owned(serde_json::to_string(&value)?),
                plain: Cow::Owned(value),
            });
        }
        let mut end = start;
        while bytes
            .get(end)
            .is_some_and(|b| !matches!(b, b',' | b']') && !b.is_ascii_whitespace())
        {
            end += 1;
        }
        *at = end;
        let raw = &text[start..end];
        if raw == "null" {
            return Ok(Cell {
                json: Cow::Borrowed(raw),
                plain: Cow::Borrowed(""),
            });
        }
        let digits = raw.strip_prefix('-').unwrap_or(raw);
        let integer = !digits.is_empty()
            && digits.len() <= 18
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits.len() == 1 || !digits.starts_with('0'))
            && raw != "-0";
        if integer {
            return Ok(Cell {
                json: Cow::Borrowed(raw),
                plain: Cow::Borrowed(raw),
            });
        }
        // A number is read by Rust's own parser, which rounds correctly: serde_json's
        // default one can land a unit off on 17 significant digits.
        let value: Value = match raw.parse::<f64>() {
            // (Integers too long for the copy above are read by serde_json, as i64.)
            Ok(number)
                if raw.starts_with(|c: char| c == '-' || c.is_ascii_digit())
                    && raw.contains(['.', 'e', 'E']) =>
            {
                serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
            }
            _ => serde_json::from_str(raw)?,
        };
        Ok(Cell {
            json: Cow::Owned(value.to_string()),
            plain: Cow::Owned(crate::output::plain(&value)),
        })
    }

    #[cfg(test)]
    mod tests {
        use serde_json::Value;

        /// Each cell as a value read whole would be written.
        fn as_values(text: &str) -> Vec<Vec<(String, String)>> {
            let page: Vec<Vec<Value>> = serde_json::from_str(text).unwrap();
            page.iter()
                .map(|row| {
                    row.iter()
                        .map(|v| (v.to_string(), crate::output::plain(v)))
                        .collect()
                })
                .collect()
        }

        fn as_cells(text: &str, width: usize) -> Vec<Vec<(String, String)>> {
            let mut rows = Vec::new();
            super::rows(text, width, |cells| {
                rows.push(
                    cells
                        .iter()
                        .map(|c| (c.json.to_string(), c.plain.to_string()))
                        .collect(),
                );
                Ok(())
            })
            .unwrap();
            rows
        }

        #[test]
        fn cells_are_written_as_values_read_whole_would_be() {
            let page = r#"[[1,"plain","é ü 漢",null,-42,0],[9223372036854775807,"a \"quoted\" \\ line\nbreak\u0001\/","",1.5,1.0e+300,-0.0],[123456789012345678,"ab,c]",true,false,"\u2028",0.30000000000000004]]"#;
            assert_eq!(as_cells(page, 6), as_values(page));
            assert_eq!(as_cells("[]", 3), Vec::<Vec<(String, String)>>::new());
            assert_eq!(as_cells("[[],[]]", 0).len(), 2);
        }

        /// Numbers of 17 significant digits come out as the number they write, where
        /// serde_json's default reading lands a unit off on some.
        #[test]
        fn numbers_keep_every_digit() {
            for text in [
                "449.49106478873813",
                "0.30000000000000004",
                "1.0e+300",
                "-2.5",
            ] {
                let cells = as_cells(&format!("[[{text}]]"), 1);
                let number: f64 = text.parse().unwrap();
                let written = serde_json::Number::from_f64(number).unwrap().to_string();
                assert_eq!(cells[0][0], (written.clone(), written));
            }
        }

        #[test]
        fn a_page_that_is_not_whole_is_refused() {
            for broken in [
                "",
                "[",
                "[[1,2]",
                "[[1,2],[3]]",
                "[[\"open]]",
                "[[1,2]]x",
                "[[1;2]]",
                "[[1,2]",
            ] {
                assert!(
                    super::rows(broken, 2, |_| Ok(())).is_err(),
                    "accepted {broken:?}"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use std::borrow::Cow;

    use crate::sources::rows::Cell;

    /// A server's value written from the driver's row is what the same value read whole
    /// would be written as: its JSON text, and `output::plain` for the CSV.
    #[test]
    fn cells_from_a_row_are_written_as_values_read_whole_would_be() {
        let values = [
            Value::Null,
            json!(true),
            json!(false),
            json!(0),
            json!(-42),
            json!(i64::MAX),
            json!(i64::MIN),
            json!(1.5),
            json!(-0.0),
            json!(1.0e300),
            json!(0.30000000000000004),
            json!(100.0),
            json!(""),
            json!("plain"),
            json!("a \"quoted\" \\ line\nbreak\u{1}\u{2028} é 漢"),
            json!({"b": 1, "a": [1, 2.5, "x\"y", null, {"c": false}]}),
            json!([]),
        ];
        let mut cells = super::Cells::default();
        for value in &values {
            cells.push(Cell::Value(Cow::Borrowed(value))).unwrap();
            if let Value::String(text) = value {
                cells.push(Cell::Text(text)).unwrap();
            }
        }
        let expected: Vec<(String, String)> = values
            .iter()
            .flat_map(|value| {
                let cell = (value.to_string(), crate::output::plain(value));
                let times = if value.is_string() { 2 } else { 1 };
                std::iter::repeat_n(cell, times)
            })
            .collect();
        let written: Vec<(String, String)> = cells
            .iter()
            .map(|(json, plain)| {
                (
                    String::from_utf8(json.to_vec()).unwrap(),
                    String::from_utf8(plain.to_vec()).unwrap(),
                )
            })
            .collect();
        assert_eq!(written, expected);
        cells.clear();
        assert_eq!(cells.iter().count(), 0);
    }
}
