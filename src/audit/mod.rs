//! The audit trail: append-only, hash-chained entries in the state store.
//!
//! Each entry's hash is the SHA-256 of the JSON array
//! `[seq, at, actor, action, subject_ref, details, prev_hash]` written without spaces
//! (`subject_ref` is `null` when the entry concerns no subject, `details` is the stored
//! canonical JSON text). The first entry's `prev_hash` is 64 zeros. Subjects appear only
//! as keyed references, so erasing a subject never breaks the chain.

pub mod checkpoint;
pub(crate) mod export;
pub mod report;
pub mod signed;
pub(crate) mod trail;

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::sql::{Sql, bind_keys};
use crate::store::{Store, Tx};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub action: String,
    pub subject_ref: Option<String>,
    pub details: Value,
}

impl NewEntry {
    pub fn new(action: &str, details: Value) -> NewEntry {
        NewEntry {
            action: action.to_string(),
            subject_ref: None,
            details,
        }
    }

    pub fn about(mut self, subject_ref: &str) -> NewEntry {
        self.subject_ref = Some(subject_ref.to_string());
        self
    }
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject_ref: Option<String>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// JSON with object keys sorted and no whitespace: one text per value.
pub(crate) fn canonical_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&map[k])))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

pub fn entry_hash(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    subject_ref: Option<&str>,
    details: &str,
    prev_hash: &str,
) -> String {
    hex::encode(entry_digest(
        seq,
        at,
        actor,
        action,
        subject_ref,
        details,
        prev_hash,
    ))
}

/// The SHA-256 of an entry's preimage, written straight into the hasher.
fn entry_digest(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    subject_ref: Option<&str>,
    details: &str,
    prev_hash: &str,
) -> [u8; 32] {
    struct Hashing(Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hashing = Hashing(Sha256::new());
    serde_json::to_writer(
        &mut hashing,
        &(seq, at, actor, action, subject_ref, details, prev_hash),
    )
    .expect("strings and numbers serialise");
    hashing.0.finalize().into()
}

/// Appends entries inside a write transaction (see [`Store::begin_write`]), so they
/// land with the change they record or not at all.
pub async fn append(tx: &mut Tx, actor: &str, entries: &[NewEntry]) -> Result<Vec<i64>> {
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await
        .context("cannot read the audit chain head")?;
    let (mut seq, mut prev_hash) = match last {
        Some(row) => (row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?),
        None => (0, GENESIS.to_string()),
    };
    let at = crate::time::now_text();
    let placeholders = crate::store::placeholders_of(tx);
    let mut sequence_numbers = Vec::with_capacity(entries.len());
    // A run's entries often carry the same details for every subject: written once.
    let mut written: Option<(&serde_json::Value, String)> = None;
    // Chained in memory, written in multi-row statements.
    for chunk in entries.chunks(500) {
        let mut sql = Sql::new(
            "INSERT INTO audit_log (seq, at, actor, action, subject_ref, details, prev_hash, hash) VALUES ",
        );
        for (i, entry) in chunk.iter().enumerate() {
            seq += 1;
            let details = match &written {
                Some((value, text)) if **value == entry.details => text.clone(),
                _ => {
                    let text = canonical_json(&entry.details);
                    written = Some((&entry.details, text.clone()));
                    text
                }
            };
            let hash = entry_hash(
                seq,
                &at,
                actor,
                &entry.action,
                entry.subject_ref.as_deref(),
                &details,
                &prev_hash,
            );
            let prev = std::mem::replace(&mut prev_hash, hash.clone());
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind(seq)
                .push(", ")
                .bind_list([at.as_str(), actor, entry.action.as_str()])
                .push(", ")
                .bind(entry.subject_ref.as_deref())
                .push(", ")
                .bind_list([details, prev, hash])
                .push(")");
            sequence_numbers.push(seq);
        }
        let text = sql.render(placeholders);
        bind_keys!(sqlx::query(&text), sql.binds())
            .execute(&mut **tx)
            .await
            .context("cannot append to the audit trail")?;
    }
    Ok(sequence_numbers)
}

/// Records the policy digest the first time a state-changing command runs under it.
pub(crate) async fn record_policy_version(tx: &mut Tx, actor: &str, digest: &str) -> Result<()> {
    let known = sqlx::query("SELECT 1 FROM policy_versions WHERE digest = $1")
        .bind(digest)
        .fetch_optional(&mut **tx)
        .await?;
    if known.is_none() {
        sqlx::query("INSERT INTO policy_versions (digest, first_seen) VALUES ($1, $2)")
            .bind(digest)
            .bind(crate::time::now_text())
            .execute(&mut **tx)
            .await?;
        append(
            tx,
            actor,
            &[NewEntry::new(
                "policy.version",
                serde_json::json!({ "digest": digest }),
            )],
        )
        .await?;
    }
    Ok(())
}

#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub action: Option<String>,
    pub subject_ref: Option<String>,
}

const COLUMNS: &str = "seq, at, actor, action, subject_ref, details, prev_hash, hash";

/// Entries matching a filter, in chain order. `action` matches exactly, or as a prefix
/// when it ends in `.` or `*` (`consent.*`).
pub async fn list(store: &Store, filter: &Filter) -> Result<Vec<Entry>> {
    let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM audit_log WHERE 1 = 1"));
    if let Some(from) = &filter.from {
        sql.push(" AND at >= ").bind(from);
    }
    if let Some(to) = &filter.to {
        sql.push(" AND at < ").bind(to);
    }
    if let Some(action) = &filter.action {
        match action.strip_suffix('*') {
            Some(prefix) => sql.push(" AND action LIKE ").bind(format!("{prefix}%")),
            None => sql.push(" AND action = ").bind(action),
        };
    }
    if let Some(subject) = &filter.subject_ref {
        sql.push(" AND subject_ref = ").bind(subject);
    }
    sql.push(" ORDER BY seq");
    let text = sql.render(store.backend.placeholders());
    Ok(bind_keys!(sqlx::query_as(&text), sql.binds())
        .fetch_all(&store.pool)
        .await?)
}

/// What verification found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub entries: i64,
    pub head: Option<String>,
    pub broken: Option<Broken>,
    /// The entry whose hash is the one watched for (see [`ChainChecker::watching`]),
    /// when the verified chain holds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reached: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Broken {
    /// The first entry (by position) that does not verify.
    pub seq: i64,
    pub reason: String,
}

/// Checks entries one after another: contiguous sequence numbers from 1, each
/// `prev_hash` equal to the previous hash, each hash recomputed. Works on any ordered
/// stream of entries (the store, or an exported archive).
pub(crate) struct ChainChecker {
    expected_seq: i64,
    prev_hash: String,
    pub broken: Option<Broken>,
    watch: Option<String>,
    reached: Option<i64>,
}

impl Default for ChainChecker {
    fn default() -> Self {
        ChainChecker::starting_at(1, GENESIS)
    }
}

impl ChainChecker {
    /// A checker for a part of a chain: its first entry and that entry's `prev_hash`.
    pub(crate) fn starting_at(seq: i64, prev_hash: &str) -> ChainChecker {
        ChainChecker {
            expected_seq: seq,
            prev_hash: prev_hash.to_string(),
            broken: None,
            watch: None,
            reached: None,
        }
    }

    /// Also notes which verified entry, if any, has `hash`: a head recorded earlier is
    /// reached only when the chain still holds that entry and everything before it.
    pub(crate) fn watching(mut self, hash: Option<&str>) -> ChainChecker {
        self.watch = hash.map(str::to_string);
        self
    }

    /// Feeds the next entry; returns false once the chain is broken.
    pub(crate) fn feed(&mut self, entry: &Entry) -> bool {
        self.feed_hashed(entry, entry.hash_holds())
    }

    /// [`ChainChecker::feed`] for an entry whose hash was already recomputed elsewhere:
    /// `hash_holds` tells whether it matched.
    pub(crate) fn feed_hashed(&mut self, entry: &Entry, hash_holds: bool) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let reason = if entry.seq != self.expected_seq {
            Some(format!(
                "expected entry {} here, found entry {}: entries were removed, inserted or reordered",
                self.expected_seq, entry.seq
            ))
        } else if entry.prev_hash != self.prev_hash {
            Some("its prev_hash does not match the previous entry's hash: an earlier entry was altered, removed or inserted".to_string())
        } else if !hash_holds {
            Some("its content does not match its hash: the entry was altered".to_string())
        } else {
            None
        };
        match reason {
            Some(reason) => {
                self.broken = Some(Broken {
                    seq: entry.seq.min(self.expected_seq),
                    reason,
                });
                false
            }
            None => {
                if self.reached.is_none() && self.watch.as_deref() == Some(entry.hash.as_str()) {
                    self.reached = Some(entry.seq);
                }
                self.expected_seq += 1;
                self.prev_hash.clone_from(&entry.hash);
                true
            }
        }
    }

    pub fn finish(self) -> Verification {
        Verification {
            entries: self.expected_seq - 1,
            head: (self.prev_hash != GENESIS).then_some(self.prev_hash),
            broken: self.broken,
            reached: self.reached,
        }
    }
}

/// Entries read from the store per page.
const PAGE: i64 = 10_000;

impl Entry {
    /// Whether the stored hash is the hash of the entry's fields.
    pub(crate) fn hash_holds(&self) -> bool {
        let digest = entry_digest(
            self.seq,
            &self.at,
            &self.actor,
            &self.action,
            self.subject_ref.as_deref(),
            &self.details,
            &self.prev_hash,
        );
        let mut hex = [0u8; 64];
        hex::encode_to_slice(digest, &mut hex).is_ok() && hex == self.hash.as_bytes()
    }
}

/// A page as the store hands it over.
enum Page {
    /// A JSON array of `[seq, at, actor, action, subject_ref, details, prev_hash, hash]`.
    Json(String),
    Rows(Vec<Entry>),
}

impl Page {
    /// The page's entries, each with whether its hash holds.
    fn hashed(self) -> Hashed {
        type Row = (
            i64,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
            String,
        );
        let entries: Vec<Entry> = match self {
            Page::Rows(entries) => entries,
            Page::Json(text) => serde_json::from_str::<Vec<Row>>(&text)
                .context("cannot read the audit trail")?
                .into_iter()
                .map(
                    |(seq, at, actor, action, subject_ref, details, prev_hash, hash)| Entry {
                        seq,
                        at,
                        actor,
                        action,
                        subject_ref,
                        details,
                        prev_hash,
                        hash,
                    },
                )
                .collect(),
        };
        let holds = entries.iter().map(Entry::hash_holds).collect();
        Ok((entries, holds))
    }
}

/// A page of entries, and whether each one's hash holds.
type Hashed = Result<(Vec<Entry>, Vec<bool>)>;

/// Recomputes the whole chain, reading it from the store page by page.
pub async fn verify(store: &Store) -> Result<Verification> {
    verify_reaching(store, None).await
}

/// [`verify`], also telling which entry (if any) has the hash `expect_head`.
///
/// SQLite hands each page over as one JSON document (its driver would otherwise pass
/// rows from its worker thread one by one); PostgreSQL as rows (building the document
/// costs the server more than decoding the rows). Pages are pipelined: while the store
/// builds the next one, as many pages as there are cores are decoded and their hashes
/// recomputed, each on a thread of its own (each hash depends only on its own entry);
/// the links between entries are then checked in order.
pub(crate) async fn verify_reaching(
    store: &Store,
    expect_head: Option<&str>,
) -> Result<Verification> {
    let mut checker = ChainChecker::default().watching(expect_head);
    let mut sqlite = match &store.sqlite_path {
        Some(path) => {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .read_only(true);
            Some(sqlx::ConnectOptions::connect(&options).await?)
        }
        None => None,
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    let mut hashing: std::collections::VecDeque<tokio::task::JoinHandle<Hashed>> =
        std::collections::VecDeque::new();
    let mut feed = async |handle: tokio::task::JoinHandle<Hashed>| -> Result<bool> {
        let (entries, holds) = handle.await.context("the audit trail check stopped")??;
        Ok(entries
            .iter()
            .zip(holds)
            .all(|(entry, holds)| checker.feed_hashed(entry, holds)))
    };
    let mut last = i64::MIN;
    loop {
        // The next page: its last sequence number, and the page itself.
        let (tail, page) = match &mut sqlite {
            Some(conn) => {
                let (tail, page): (Option<i64>, Option<String>) = sqlx::query_as(
                    "SELECT MAX(seq), json_group_array(json_array(seq, at, actor, action, subject_ref, details, prev_hash, hash)) \
                     FROM (SELECT * FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2)",
                )
                .bind(last)
                .bind(PAGE)
                .fetch_one(&mut *conn)
                .await?;
                (tail, page.map(Page::Json))
            }
            None => {
                let entries: Vec<Entry> = sqlx::query_as(&format!(
                    "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
                ))
                .bind(last)
                .bind(PAGE)
                .fetch_all(&store.pool)
                .await?;
                (entries.last().map(|e| e.seq), Some(Page::Rows(entries)))
            }
        };
        let (Some(tail), Some(page)) = (tail, page) else {
            break;
        };
        last = tail;
        hashing.push_back(tokio::task::spawn_blocking(move || page.hashed()));
        while hashing.len() >= cores {
            let front = hashing.pop_front().expect("a page is hashing");
            if !feed(front).await? {
                return Ok(checker.finish());
            }
        }
    }
    while let Some(front) = hashing.pop_front() {
        if !feed(front).await? {
            break;
        }
    }
    Ok(checker.finish())
}
