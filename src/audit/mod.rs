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
    let mut out = Vec::new();
    write_canonical(value, &mut out);
    String::from_utf8(out).expect("JSON text is UTF-8")
}

/// Writes `value` as [`canonical_json`] does, without copying it first: objects with their
/// keys in order, everything else as serde_json writes it.
fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    let written = "strings and numbers serialise";
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, key).expect(written);
                out.push(b':');
                write_canonical(&map[key], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => serde_json::to_writer(out, scalar).expect(written),
    }
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
    crate::hexfmt::lower(&entry_digest(
        seq,
        at,
        actor,
        action,
        subject_ref,
        details,
        prev_hash,
    ))
}

/// The SHA-256 of an entry's preimage (its fields as one JSON array).
fn entry_digest(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    subject_ref: Option<&str>,
    details: &str,
    prev_hash: &str,
) -> [u8; 32] {
    entry_digest_in(
        &mut Vec::new(),
        (seq, at, actor, action, subject_ref, details, prev_hash),
    )
}

/// [`entry_digest`], the hashed text written into `buffer` (cleared first, kept for the
/// next entry) and hashed in one pass.
fn entry_digest_in(
    buffer: &mut Vec<u8>,
    fields: (i64, &str, &str, &str, Option<&str>, &str, &str),
) -> [u8; 32] {
    buffer.clear();
    serde_json::to_writer(&mut *buffer, &fields).expect("strings and numbers serialise");
    Sha256::digest(buffer.as_slice()).into()
}

/// Appends entries inside a write transaction (see [`Store::begin_write`]), so they
/// land with the change they record or not at all.
pub async fn append(tx: &mut Tx, actor: &str, entries: &[NewEntry]) -> Result<Vec<i64>> {
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await
        .context("cannot read the audit chain head")?;
    let (seq, prev_hash) = match last {
        Some(row) => (row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?),
        None => (0, GENESIS.to_string()),
    };
    let mut chain = Chain {
        seq,
        prev_hash,
        at: crate::time::now_text(),
        actor,
        placeholders: crate::store::placeholders_of(tx),
        written: None,
        buffer: Vec::new(),
        sequence_numbers: Vec::with_capacity(entries.len()),
    };
    // Chained in memory, written in multi-row statements.
    crate::store::run_pipelined(tx, entries.chunks(500), |chunk| chain.statement(chunk))
        .await
        .context("cannot append to the audit trail")?;
    Ok(chain.sequence_numbers)
}

/// The audit chain as [`append`] extends it.
struct Chain<'e> {
    seq: i64,
    prev_hash: String,
    at: String,
    actor: &'e str,
    placeholders: crate::sql::Placeholders,
    /// A run's entries often carry the same details for every subject: written once.
    written: Option<(&'e Value, String)>,
    /// The text each hash is taken of, kept from one entry to the next.
    buffer: Vec<u8>,
    sequence_numbers: Vec<i64>,
}

impl<'e> Chain<'e> {
    /// The statement (its text and values) that appends `chunk` after the entries before.
    fn statement(&mut self, chunk: &'e [NewEntry]) -> (String, Sql) {
        let mut sql = Sql::new(
            "INSERT INTO audit_log (seq, at, actor, action, subject_ref, details, prev_hash, hash) VALUES ",
        );
        for (i, entry) in chunk.iter().enumerate() {
            self.seq += 1;
            let details = match &self.written {
                Some((value, text)) if **value == entry.details => text.clone(),
                _ => {
                    let text = canonical_json(&entry.details);
                    self.written = Some((&entry.details, text.clone()));
                    text
                }
            };
            let hash = crate::hexfmt::lower(&entry_digest_in(
                &mut self.buffer,
                (
                    self.seq,
                    &self.at,
                    self.actor,
                    &entry.action,
                    entry.subject_ref.as_deref(),
                    &details,
                    &self.prev_hash,
                ),
            ));
            let prev = std::mem::replace(&mut self.prev_hash, hash.clone());
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind(self.seq)
                .push(", ")
                .bind_list([self.at.as_str(), self.actor, entry.action.as_str()])
                .push(", ")
                .bind(entry.subject_ref.as_deref())
                .push(", ")
                .bind_list([details, prev, hash])
                .push(")");
            self.sequence_numbers.push(self.seq);
        }
        (sql.render(self.placeholders), sql)
    }
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

pub(super) const COLUMNS: &str = "seq, at, actor, action, subject_ref, details, prev_hash, hash";

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
        let link = Link {
            seq: entry.seq,
            prev_hash: &entry.prev_hash,
            hash: &entry.hash,
            holds: hash_holds,
        };
        if let Some(broken) = link.fault(self.expected_seq, &self.prev_hash) {
            self.broken = Some(broken);
            return false;
        }
        if self.reached.is_none() && self.watch.as_deref() == Some(entry.hash.as_str()) {
            self.reached = Some(entry.seq);
        }
        self.expected_seq += 1;
        self.prev_hash.clone_from(&entry.hash);
        true
    }

    /// Feeds a page whose entries were checked among themselves ([`Packed::checked`]): its
    /// first entry is checked against the chain so far, and the page's own finding
    /// continues it. Returns false once the chain is broken.
    fn feed_page(&mut self, page: &CheckedPage) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let Some((first_seq, first_prev)) = &page.first else {
            return true;
        };
        // The first entry's place in the chain; its hash is the page's finding.
        let link = Link {
            seq: *first_seq,
            prev_hash: first_prev,
            hash: "",
            holds: true,
        };
        if let Some(broken) = link.fault(self.expected_seq, &self.prev_hash) {
            self.broken = Some(broken);
            return false;
        }
        if self.reached.is_none() {
            self.reached = page.reached;
        }
        if let Some((seq, hash)) = &page.verified_to {
            self.expected_seq = seq + 1;
            self.prev_hash.clone_from(hash);
        }
        match &page.broken {
            Some(broken) => {
                self.broken = Some(broken.clone());
                false
            }
            None => true,
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
        let fields = (
            self.seq,
            self.at.as_str(),
            self.actor.as_str(),
            self.action.as_str(),
            self.subject_ref.as_deref(),
            self.details.as_str(),
            self.prev_hash.as_str(),
        );
        hash_is(&mut Vec::new(), fields, &self.hash)
    }
}

/// Whether `hash` is the hex digest of `fields` (`buffer` as in [`entry_digest_in`]).
fn hash_is(
    buffer: &mut Vec<u8>,
    fields: (i64, &str, &str, &str, Option<&str>, &str, &str),
    hash: &str,
) -> bool {
    let digest = entry_digest_in(buffer, fields);
    let mut hex = [0u8; 64];
    hex::encode_to_slice(digest, &mut hex).is_ok() && hex == hash.as_bytes()
}

/// An entry's place in the chain, as the checker sees it.
struct Link<'e> {
    seq: i64,
    prev_hash: &'e str,
    hash: &'e str,
    /// Whether its hash is the hash of its fields.
    holds: bool,
}

impl Link<'_> {
    /// What is wrong with this entry where the chain expects entry `expected_seq` after
    /// the hash `prev_hash`, if anything: its place first, then its link, then its content.
    fn fault(&self, expected_seq: i64, prev_hash: &str) -> Option<Broken> {
        let reason = if self.seq != expected_seq {
            format!(
                "expected entry {expected_seq} here, found entry {}: entries were removed, inserted or reordered",
                self.seq
            )
        } else if self.prev_hash != prev_hash {
            "its prev_hash does not match the previous entry's hash: an earlier entry was altered, removed or inserted".to_string()
        } else if !self.holds {
            "its content does not match its hash: the entry was altered".to_string()
        } else {
            return None;
        };
        Some(Broken {
            seq: self.seq.min(expected_seq),
            reason,
        })
    }
}

/// A page of entries as read from the store, their texts laid end to end in one string:
/// one allocation per page rather than seven per entry.
#[derive(Default)]
struct Packed {
    text: String,
    entries: Vec<PackedEntry>,
}

struct PackedEntry {
    seq: i64,
    /// Where `at`, `actor`, `action`, `subject_ref`, `details`, `prev_hash` and `hash`
    /// start in the text, then where the last one ends.
    bounds: [usize; 8],
    has_subject: bool,
}

impl Packed {
    /// Appends an entry, its texts in the order of [`COLUMNS`], after `seq`.
    fn push(&mut self, seq: i64, fields: [Option<&str>; 7]) {
        let mut bounds = [0; 8];
        for (bound, field) in bounds.iter_mut().zip(fields) {
            *bound = self.text.len();
            self.text.push_str(field.unwrap_or_default());
        }
        bounds[7] = self.text.len();
        self.entries.push(PackedEntry {
            seq,
            bounds,
            has_subject: fields[3].is_some(),
        });
    }

    /// Appends an entry whose text `i` (in the order of [`COLUMNS`], after `seq`) is
    /// `text(i)`.
    fn push_read<'t>(
        &mut self,
        seq: i64,
        mut text: impl FnMut(usize) -> Result<Option<&'t str>>,
    ) -> Result<()> {
        let mut texts = [None; 7];
        for (i, slot) in texts.iter_mut().enumerate() {
            *slot = text(i)?;
        }
        self.push(seq, texts);
        Ok(())
    }

    /// Text `i` (in the order of [`COLUMNS`], after `seq`) of `entry`.
    fn field(&self, entry: &PackedEntry, i: usize) -> &str {
        &self.text[entry.bounds[i]..entry.bounds[i + 1]]
    }
}

/// A page checked on its own: every hash recomputed, every entry after the first checked
/// against the one before it. Only what the chain needs of it is kept.
#[derive(Debug, Default)]
struct CheckedPage {
    /// The first entry's sequence number and `prev_hash`: its place in the chain, which
    /// only the pages before can tell.
    first: Option<(i64, String)>,
    /// The last entry verified here (sequence number and hash), before any break.
    verified_to: Option<(i64, String)>,
    /// The first entry here that does not verify, the first one's place aside.
    broken: Option<Broken>,
    /// The first verified entry here whose hash is the one watched for.
    reached: Option<i64>,
}

impl Packed {
    /// Checks the page's entries among themselves, `watch` as in [`ChainChecker::watching`].
    fn checked(self, watch: Option<&str>) -> CheckedPage {
        let mut buffer = Vec::with_capacity(512);
        let mut page = CheckedPage::default();
        // The entry before, once verified: (seq, hash).
        let mut check = |link: Link<'_>| -> bool {
            match &page.verified_to {
                None if page.first.is_none() => {
                    page.first = Some((link.seq, link.prev_hash.to_string()));
                    if !link.holds {
                        page.broken = link.fault(link.seq, link.prev_hash);
                        return false;
                    }
                }
                None => return false,
                Some((seq, hash)) => {
                    if let Some(broken) = link.fault(seq + 1, hash) {
                        page.broken = Some(broken);
                        return false;
                    }
                }
            }
            if page.reached.is_none() && watch == Some(link.hash) {
                page.reached = Some(link.seq);
            }
            match &mut page.verified_to {
                Some((seq, hash)) => {
                    *seq = link.seq;
                    hash.clear();
                    hash.push_str(link.hash);
                }
                None => page.verified_to = Some((link.seq, link.hash.to_string())),
            }
            true
        };
        for entry in &self.entries {
            let field = |i| self.field(entry, i);
            let fields = (
                entry.seq,
                field(0),
                field(1),
                field(2),
                entry.has_subject.then(|| field(3)),
                field(4),
                field(5),
            );
            let link = Link {
                seq: entry.seq,
                prev_hash: field(5),
                hash: field(6),
                holds: hash_is(&mut buffer, fields, field(6)),
            };
            if !check(link) {
                break;
            }
        }
        page
    }
}

/// Recomputes the whole chain, reading it from the store page by page.
pub async fn verify(store: &Store) -> Result<Verification> {
    verify_reaching(store, None).await
}

/// [`verify`], also telling which entry (if any) has the hash `expect_head`.
///
/// The pages are read by a task of their own while the pages read are checked, as many
/// at once as there are cores, each on a thread of its own: their hashes recomputed
/// (each depends only on its own entry) and their entries checked against each other.
/// The pages are then joined in order, each one's first entry against the page before.
/// A SQLite store is read in one statement through a connection of its own, every text
/// copied once into its page (the pool's driver would hand rows over one by one from its
/// worker thread); PostgreSQL in pages of rows.
pub(crate) async fn verify_reaching(
    store: &Store,
    expect_head: Option<&str>,
) -> Result<Verification> {
    if store.sqlite_path.is_none() {
        // PostgreSQL reads its table in storage order at a third of the cost of walking
        // the key's index, and an append-only table is stored in the order of its
        // sequence numbers. A chain that verifies read that way was read in order: every
        // entry follows the one numbered before it, from the first. Any break (or a row
        // out of order, which breaks the chain where it stands: space reused after an
        // aborted insert, a table rewritten) is read again in order, so a break is only
        // ever reported from the ordered read.
        let verification = verify_pass(store, expect_head, Order::Stored).await?;
        if verification.broken.is_none() {
            return Ok(verification);
        }
    }
    verify_pass(store, expect_head, Order::Sequence).await
}

/// How a pass reads the trail.
#[derive(Clone, Copy)]
enum Order {
    /// By sequence number.
    Sequence,
    /// As the table is stored.
    Stored,
}

/// One reading of the whole chain.
async fn verify_pass(
    store: &Store,
    expect_head: Option<&str>,
    order: Order,
) -> Result<Verification> {
    let mut checker = ChainChecker::default().watching(expect_head);
    let watch: Option<std::sync::Arc<str>> = expect_head.map(std::sync::Arc::from);
    let cores = crate::parallel::threads();
    let (sender, mut pages) = tokio::sync::mpsc::channel::<Packed>(cores);
    let reader = match &store.sqlite_path {
        Some(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || read_sqlite(&path, sender))
        }
        None => tokio::spawn(read_postgres(
            store.postgres_connection().await?,
            order,
            sender,
        )),
    };
    let mut checking: std::collections::VecDeque<tokio::task::JoinHandle<CheckedPage>> =
        std::collections::VecDeque::new();
    let mut broken = false;
    while !broken {
        let page = pages.recv().await;
        let reading = page.is_some();
        if let Some(page) = page {
            let watch = watch.clone();
            checking.push_back(tokio::task::spawn_blocking(move || {
                page.checked(watch.as_deref())
            }));
        }
        while checking.len() >= cores || (!reading && !checking.is_empty()) {
            let front = checking.pop_front().expect("a page is being checked");
            let page = front.await.context("the audit trail check stopped")?;
            if !checker.feed_page(&page) {
                broken = true;
                break;
            }
        }
        if !reading {
            break;
        }
    }
    // Once the chain is broken the rest is not read: the reader stops at its next page.
    drop(pages);
    let read = reader.await.context("the audit trail check stopped")?;
    // A row the reader could not read after the break (it reads ahead) changes nothing:
    // the chain is broken before it.
    if !broken {
        read?;
    }
    Ok(checker.finish())
}

/// A value of the trail that cannot be read as the text it should be: text `i` of a
/// [`Packed`] entry, column `i + 1` of [`COLUMNS`].
fn not_text(seq: i64, i: usize, found: &str) -> anyhow::Error {
    let column = COLUMNS.split(", ").nth(i + 1).unwrap_or("a column");
    anyhow::anyhow!(
        "cannot read the audit trail: the {column} of entry {seq} holds {found}, not text: \
         the store was written by something other than privops"
    )
}

/// Sends the entries of a SQLite store's trail, in order, page by page, until they end
/// or the pages are no longer wanted.
fn read_sqlite(path: &std::path::Path, pages: tokio::sync::mpsc::Sender<Packed>) -> Result<()> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open the state store {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let mut statement = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let mut rows = statement.query([])?;
    let mut page = Packed::default();
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let text = |i: usize| -> Result<Option<&str>> {
            match row.get_ref(i + 1)? {
                rusqlite::types::ValueRef::Null => Ok(None),
                rusqlite::types::ValueRef::Text(bytes) => std::str::from_utf8(bytes)
                    .map(Some)
                    .map_err(|_| not_text(seq, i, "text that is not UTF-8")),
                rusqlite::types::ValueRef::Blob(_) => Err(not_text(seq, i, "bytes")),
                _ => Err(not_text(seq, i, "a number")),
            }
        };
        page.push_read(seq, text)?;
        if page.entries.len() as i64 == PAGE
            && pages.blocking_send(std::mem::take(&mut page)).is_err()
        {
            return Ok(());
        }
    }
    if !page.entries.is_empty() {
        let _ = pages.blocking_send(page);
    }
    Ok(())
}

/// Sends the entries of a PostgreSQL store's trail, page by page, in `order`, until they
/// end or the pages are no longer wanted. One statement streams them all: one snapshot,
/// no statement planned per page, every text copied once from the connection's buffer.
async fn read_postgres(
    mut conn: sqlx::PgConnection,
    order: Order,
    pages: tokio::sync::mpsc::Sender<Packed>,
) -> Result<()> {
    use futures_util::TryStreamExt;
    let statement = match order {
        Order::Sequence => format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"),
        Order::Stored => {
            // One scan from the table's first block: neither joined to another session's
            // scan midway nor split among parallel workers.
            sqlx::query("SET synchronize_seqscans = off")
                .execute(&mut conn)
                .await?;
            sqlx::query("SET max_parallel_workers_per_gather = 0")
                .execute(&mut conn)
                .await?;
            format!("SELECT {COLUMNS} FROM audit_log")
        }
    };
    let mut rows = sqlx::query(&statement).fetch(&mut conn);
    let mut page = Packed::default();
    while let Some(row) = rows.try_next().await? {
        let seq: i64 = row.try_get(0)?;
        // The columns' types are the schema's (checked when the store is opened); a text
        // that is not what was hashed fails its hash.
        let text = |i: usize| -> Result<Option<&str>> {
            row.try_get_unchecked(i + 1)
                .map_err(|_| not_text(seq, i, "text that is not UTF-8"))
        };
        page.push_read(seq, text)?;
        if page.entries.len() as i64 == PAGE && pages.send(std::mem::take(&mut page)).await.is_err()
        {
            return Ok(());
        }
    }
    if !page.entries.is_empty() {
        let _ = pages.send(page).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of `n` entries whose hashes hold.
    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let at = format!("2026-01-01T00:00:{:02}Z", seq % 60);
                let details = format!("{{\"n\":{seq}}}");
                let subject = (seq % 3 == 0).then(|| format!("s{seq}"));
                let digest = entry_digest(
                    seq,
                    &at,
                    "cli",
                    "erase.complete",
                    subject.as_deref(),
                    &details,
                    &prev,
                );
                let entry = Entry {
                    seq,
                    at,
                    actor: "cli".into(),
                    action: "erase.complete".into(),
                    subject_ref: subject,
                    details,
                    prev_hash: prev.clone(),
                    hash: hex::encode(digest),
                };
                prev.clone_from(&entry.hash);
                entry
            })
            .collect()
    }

    fn one_by_one(entries: &[Entry], watch: Option<&str>) -> Value {
        let mut checker = ChainChecker::default().watching(watch);
        for entry in entries {
            if !checker.feed(entry) {
                break;
            }
        }
        serde_json::to_value(checker.finish()).unwrap()
    }

    fn by_pages(entries: &[Entry], size: usize, watch: Option<&str>) -> Value {
        let mut checker = ChainChecker::default().watching(watch);
        for page in entries.chunks(size) {
            let page = pack(page).checked(watch);
            if !checker.feed_page(&page) {
                break;
            }
        }
        serde_json::to_value(checker.finish()).unwrap()
    }

    /// Checking pages on their own and joining them finds what checking entry by entry
    /// finds, wherever the chain is broken relative to the pages' edges.
    #[test]
    fn pages_find_what_entries_find() {
        let good = chain(12);
        let mut cases: Vec<(String, Vec<Entry>)> = vec![("intact".into(), good.clone())];
        for k in 0..good.len() {
            let mut altered = good.clone();
            altered[k].details.push(' ');
            cases.push((format!("entry {} altered", k + 1), altered));
            let mut removed = good.clone();
            removed.remove(k);
            cases.push((format!("entry {} removed", k + 1), removed));
            let mut relinked = good.clone();
            relinked[k].prev_hash = GENESIS.replace('0', "1");
            cases.push((format!("entry {} relinked", k + 1), relinked));
            if k + 1 < good.len() {
                let mut swapped = good.clone();
                swapped.swap(k, k + 1);
                cases.push((format!("entries {} and {} swapped", k + 1, k + 2), swapped));
            }
        }
        let watches = [None, Some(good[4].hash.clone()), Some("f".repeat(64))];
        for (what, entries) in &cases {
            for watch in &watches {
                let expected = one_by_one(entries, watch.as_deref());
                for size in [1, 2, 3, 5, 12, 20] {
                    assert_eq!(
                        by_pages(entries, size, watch.as_deref()),
                        expected,
                        "{what}, pages of {size}, watching {watch:?}"
                    );
                }
            }
        }
        // The oracle itself: an intact chain verifies, an altered one breaks where it was
        // altered.
        assert_eq!(one_by_one(&good, None)["broken"], Value::Null);
        let mut altered = good.clone();
        altered[6].actor = "someone".into();
        assert_eq!(one_by_one(&altered, None)["broken"]["seq"], 7);
    }

    fn pack(entries: &[Entry]) -> Packed {
        let mut packed = Packed::default();
        for e in entries {
            packed.push(
                e.seq,
                [
                    Some(&e.at),
                    Some(&e.actor),
                    Some(&e.action),
                    e.subject_ref.as_ref(),
                    Some(&e.details),
                    Some(&e.prev_hash),
                    Some(&e.hash),
                ]
                .map(|field| field.map(String::as_str)),
            );
        }
        packed
    }

    /// Texts are hashed as they were stored, escapes and all; an empty subject
    /// reference is kept apart from an absent one.
    #[test]
    fn packed_texts_hash_as_stored() {
        let mut entries = chain(7);
        entries[3].details = "{\"quote\":\"a \\\"b\\\" \\u00e9 é\"}".into();
        let packed = serde_json::to_value(pack(&entries).checked(None).broken).unwrap();
        assert_eq!(packed, one_by_one(&entries, None)["broken"]);
        assert_eq!(packed["seq"], 4);
        let mut entries = chain(2);
        entries[1].subject_ref = Some(String::new());
        assert_eq!(pack(&entries).checked(None).broken.unwrap().seq, 2);
        entries[1].subject_ref = None;
        assert!(pack(&entries).checked(None).broken.is_none());
    }

    /// The canonical text written in one pass equals serde_json's compact text of a copy
    /// with every object's keys sorted (the form entries were always hashed in).
    #[test]
    fn canonical_text_is_the_sorted_copy() {
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
        let value = serde_json::json!({
            "z": [3, -1.5, null, true, {"b": "\"quoted\" \u{7} é", "a": []}],
            "a": {"é": 1e300, "\n": "line\nbreak", "A": false},
            "m": {},
            "n": u64::MAX,
        });
        assert_eq!(canonical_json(&value), sorted(&value).to_string());
        assert_eq!(
            canonical_json(&value),
            r#"{"a":{"\n":"line\nbreak","A":false,"é":1e+300},"m":{},"n":18446744073709551615,"z":[3,-1.5,null,true,{"a":[],"b":"\"quoted\" \u0007 é"}]}"#
        );
    }

    /// Entries appended in several statements (each written while the one before runs)
    /// keep their order, share one time, chain from the head already stored, and verify.
    #[tokio::test]
    async fn entries_appended_in_many_statements_chain_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(None, dir.path()).await.unwrap();
        let mut tx = store.begin_write().await.unwrap();
        let first = append(
            &mut tx,
            "cli",
            &[NewEntry::new("policy.version", serde_json::json!({"d": 1}))],
        )
        .await
        .unwrap();
        let entries: Vec<NewEntry> = (0..1_234)
            .map(|i| {
                let details =
                    serde_json::json!({ "request": format!("REQ-{:06}", i / 2), "run": "ERA-1" });
                NewEntry::new("request.open", details).about(&format!("{i:064x}"))
            })
            .collect();
        let numbers = append(&mut tx, "cli", &entries).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(first, [1]);
        assert_eq!(numbers, (2..=1_235).collect::<Vec<i64>>());
        let stored: Vec<(i64, String, Option<String>, String)> =
            sqlx::query_as("SELECT seq, at, subject_ref, details FROM audit_log ORDER BY seq")
                .fetch_all(&store.pool)
                .await
                .unwrap();
        assert_eq!(stored.len(), 1_235);
        for (i, (seq, at, subject, details)) in stored[1..].iter().enumerate() {
            assert_eq!(*seq, i as i64 + 2);
            assert_eq!(at, &stored[0].1);
            assert_eq!(subject.as_deref(), Some(format!("{i:064x}").as_str()));
            assert_eq!(
                details,
                &format!("{{\"request\":\"REQ-{:06}\",\"run\":\"ERA-1\"}}", i / 2)
            );
        }
        let verified = verify(&store).await.unwrap();
        assert!(verified.broken.is_none(), "{verified:?}");
        assert_eq!(verified.entries, 1_235);
    }
}
