//! Consent: purpose versions derived from the consent text, an append-only ledger of
//! grant and withdraw events, and the verdict for a subject at a moment in time.
//!
//! The ledger names subjects by their keyed reference only; the clear identity lives in
//! the `subjects` table, which erasure empties while the history stays provable.

pub mod export;
pub mod import;

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{FromRow, Row};

use crate::audit::{self, NewEntry};
use crate::policy::{LawfulBasis, Policy, Purpose};
use crate::sql::{Key, pg_array};
use crate::store::{Backend, ROWS_PER_STATEMENT, Store, TextRows, Tx, param};
use crate::subject::Subject;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Grant,
    Withdraw,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Grant => "grant",
            Action::Withdraw => "withdraw",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        match text {
            "grant" => Some(Action::Grant),
            "withdraw" => Some(Action::Withdraw),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Whatsapp,
    Email,
    Phone,
    Paper,
    Api,
    /// Events that arrived through `consent import` without a channel.
    #[value(skip)]
    Import,
}

impl Channel {
    pub fn name(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Whatsapp => "whatsapp",
            Channel::Email => "email",
            Channel::Phone => "phone",
            Channel::Paper => "paper",
            Channel::Api => "api",
            Channel::Import => "import",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        [
            Channel::Web,
            Channel::Whatsapp,
            Channel::Email,
            Channel::Phone,
            Channel::Paper,
            Channel::Api,
            Channel::Import,
        ]
        .into_iter()
        .find(|c| c.name() == text)
    }
}

pub fn text_sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A consent purpose of the policy, or an error saying why it is not one.
pub fn consent_purpose<'a>(policy: &'a Policy, id: &str) -> Result<&'a Purpose> {
    let purpose = policy.known_purpose(id)?;
    if purpose.basis != LawfulBasis::Consent {
        bail!(
            "purpose `{id}` rests on {}, not on consent: there is no consent to grant, withdraw or check",
            purpose.basis.article()
        );
    }
    if purpose
        .consent_text
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        bail!(
            "purpose `{id}` has no consent_text: consent to it cannot be demonstrated (Art. 7(1))"
        );
    }
    Ok(purpose)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Version {
    pub version: i64,
    pub text_sha256: String,
    pub first_seen: String,
}

/// Every recorded version of a purpose, oldest first.
pub async fn versions(executor: impl sqlx::AnyExecutor<'_>, purpose: &str) -> Result<Vec<Version>> {
    Ok(sqlx::query_as(
        "SELECT version, text_sha256, first_seen FROM purpose_versions WHERE purpose_id = $1 ORDER BY version",
    )
    .bind(purpose)
    .fetch_all(executor)
    .await?)
}

/// Records a new version for every consent purpose whose text changed; each new version
/// is an audit entry. Returns the current version of each consent purpose.
pub async fn sync_versions(
    tx: &mut Tx,
    policy: &Policy,
    actor: &str,
) -> Result<BTreeMap<String, i64>> {
    let mut current = BTreeMap::new();
    for purpose in policy.purposes() {
        let Some(text) = purpose
            .consent_text
            .as_deref()
            .filter(|t| !t.trim().is_empty())
        else {
            continue;
        };
        let id = purpose.id.get_ref();
        let sha = text_sha256(text);
        let known = versions(&mut **tx, id).await?;
        let version = match known.iter().find(|v| v.text_sha256 == sha) {
            Some(v) => v.version,
            None => {
                let version = known.last().map_or(1, |v| v.version + 1);
                sqlx::query(
                    "INSERT INTO purpose_versions (purpose_id, version, text_sha256, first_seen) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(version)
                .bind(&sha)
                .bind(crate::time::now_text())
                .execute(&mut **tx)
                .await?;
                audit::append(
                    tx,
                    actor,
                    &[NewEntry::new(
                        "purpose.version",
                        json!({ "purpose": id, "version": version, "text_sha256": sha }),
                    )],
                )
                .await?;
                version
            }
        };
        current.insert(id.clone(), version);
    }
    Ok(current)
}

/// The current version of a purpose without writing: `None` when its text has not been
/// recorded yet (so no consent can stand for it).
pub async fn current_version(store: &Store, purpose: &Purpose) -> Result<Option<i64>> {
    let sha = text_sha256(purpose.consent_text.as_deref().unwrap_or_default());
    let row = sqlx::query(
        "SELECT version FROM purpose_versions WHERE purpose_id = $1 AND text_sha256 = $2",
    )
    .bind(purpose.id.get_ref())
    .bind(sha)
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// The version in force at `at`: the newest whose first sighting is not after it (the
/// first version for events older than every sighting).
pub fn version_in_force(versions: &[Version], at: &str) -> Option<i64> {
    versions
        .iter()
        .rev()
        .find(|v| v.first_seen.as_str() <= at)
        .or(versions.first())
        .map(|v| v.version)
}

/// One event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub subject: Subject,
    pub subject_ref: String,
    pub purpose: String,
    pub version: i64,
    pub action: Action,
    pub at: String,
    pub channel: Option<String>,
    pub evidence: Option<String>,
}

impl NewEvent {
    /// The same event always has the same key, so re-recording it (a re-run, a
    /// re-imported file) adds nothing. 128 bits of SHA-256 keep the unique index small.
    pub fn key(&self) -> String {
        let preimage = json!([
            self.subject_ref,
            self.purpose,
            self.version,
            self.action.name(),
            self.at,
            self.channel,
            self.evidence
        ]);
        crate::hexfmt::lower(&Sha256::digest(preimage.to_string().as_bytes())[..16])
    }
}

/// The clear identities still kept for these references (`kind:value`): a subject's
/// identity stays while privops acts for them, and goes with their erasure.
pub async fn known_identities(
    store: &Store,
    subject_refs: &[&str],
) -> Result<HashMap<String, String>> {
    let mut found = HashMap::new();
    let rows = store
        .select_in(
            "SELECT subject_ref, kind, identity FROM subjects WHERE subject_ref",
            subject_refs.iter().map(|r| Key::from(*r)),
            500,
        )
        .await?;
    for row in rows {
        let kind: String = row.try_get(1)?;
        let identity: String = row.try_get(2)?;
        found.insert(row.try_get(0)?, format!("{kind}:{identity}"));
    }
    Ok(found)
}

/// Keeps the clear identities of subjects privops acts for (those not kept yet).
pub async fn remember_subjects(tx: &mut Tx, subjects: &[(Subject, String)]) -> Result<()> {
    let now = crate::time::now_text();
    insert_subjects(
        tx,
        subjects
            .iter()
            .map(|(subject, subject_ref)| (subject_ref.as_str(), subject)),
        &now,
    )
    .await
}

/// Keeps the clear identities of these subjects (those not kept yet).
async fn insert_subjects<'s>(
    tx: &mut Tx,
    subjects: impl Iterator<Item = (&'s str, &'s Subject)>,
    first_seen: &str,
) -> Result<()> {
    let subjects: Vec<(&str, &Subject)> = subjects.collect();
    for chunk in subjects.chunks(ROWS_PER_STATEMENT) {
        let refs: Vec<&str> = chunk.iter().map(|(r, _)| *r).collect();
        let kinds: Vec<&str> = chunk.iter().map(|(_, s)| s.kind.as_str()).collect();
        let values: Vec<&str> = chunk.iter().map(|(_, s)| s.value.as_str()).collect();
        let rows = TextRows::new(tx, 2, &[&refs, &kinds, &values]);
        let sql = format!(
            "INSERT INTO subjects (subject_ref, kind, identity, first_seen) \
             SELECT c0, c1, c2, {} FROM {} WHERE true \
             ON CONFLICT (subject_ref) DO NOTHING",
            param(tx, 1),
            rows.from
        );
        rows.bind(sqlx::query(&sql).bind(first_seen))
            .execute(&mut **tx)
            .await
            .context("cannot record subjects")?;
    }
    Ok(())
}

/// Appends events (and their subjects); returns how many were new.
pub async fn append_events(
    tx: &mut Tx,
    backend: Backend,
    events: &[NewEvent],
    actor: &str,
    origin: &str,
) -> Result<u64> {
    let mut appender = Appender::new(backend, actor, origin);
    // Events appended one by one (a grant from the command line) take one statement,
    // not a savepoint around it.
    appender.repeats = true;
    appender.append(tx, events).await
}

/// At most this many subjects are remembered as recorded by one [`Appender`] (a 64-byte
/// reference each); those past it are offered to the store again, which keeps them once.
const KNOWN_SUBJECTS: usize = 250_000;

/// Appends events batch after batch in one transaction (`consent import`), remembering
/// what the earlier batches settled: the subjects already recorded are not offered again,
/// and on PostgreSQL, events go in as plain inserts until one of them turns out to be
/// recorded already.
pub struct Appender<'a> {
    backend: Backend,
    actor: &'a str,
    origin: &'a str,
    recorded_at: String,
    known_subjects: std::collections::HashSet<String>,
    /// PostgreSQL: events go in with `ON CONFLICT DO NOTHING` from the start, because a
    /// batch met an event recorded before, because they come one by one, or because the
    /// plain batches reached [`PLAIN_BATCHES`].
    repeats: bool,
    /// PostgreSQL: batches sent as plain inserts so far, and whether the savepoint the
    /// next one goes under is set already (at the end of the batch before it, so that the
    /// next batch's first statement is its insert).
    plain_batches: usize,
    savepoint_set: bool,
}

/// PostgreSQL: at most this many batches go in as plain inserts, one savepoint each. A
/// savepoint that writes is a subtransaction with an id of its own, and a session keeps
/// the ids of 64 at most in shared memory; past that, every other session's snapshot
/// reads the subtransaction log to tell whether the import's rows are visible, for as
/// long as the import's transaction runs. The batches after these skip recorded events
/// with `ON CONFLICT DO NOTHING`, needing no savepoint.
const PLAIN_BATCHES: usize = 60;

impl<'a> Appender<'a> {
    pub fn new(backend: Backend, actor: &'a str, origin: &'a str) -> Appender<'a> {
        Appender {
            backend,
            actor,
            origin,
            recorded_at: crate::time::now_text(),
            known_subjects: std::collections::HashSet::new(),
            repeats: false,
            plain_batches: 0,
            savepoint_set: false,
        }
    }

    /// Appends `events`; returns how many were new.
    pub async fn append(&mut self, tx: &mut Tx, events: &[NewEvent]) -> Result<u64> {
        let mut inserted = 0;
        for events in events.chunks(ROWS_PER_STATEMENT) {
            let keys: Vec<String> = events.iter().map(NewEvent::key).collect();
            inserted += match self.backend {
                Backend::Postgres => self.insert_postgres(tx, events, &keys).await?,
                Backend::Sqlite => self.insert_sqlite(tx, events, &keys).await?,
            };
            // Subjects after the events: the events' statement is the long one, and a
            // caller may read on while it runs (`consent import`).
            let mut seen = std::collections::HashSet::new();
            let known = &mut self.known_subjects;
            let new_subjects: Vec<(&str, &Subject)> = events
                .iter()
                .filter(|e| seen.insert(e.subject_ref.as_str()))
                .filter(|e| !known.contains(&e.subject_ref))
                .map(|e| (e.subject_ref.as_str(), &e.subject))
                .collect();
            insert_subjects(tx, new_subjects.iter().copied(), &self.recorded_at).await?;
            for (subject_ref, _) in new_subjects {
                if known.len() >= KNOWN_SUBJECTS {
                    break;
                }
                known.insert(subject_ref.to_string());
            }
            // Evidence goes beside the ledger, to the events just appended (or appended by
            // an earlier run of the same import, which adds nothing).
            let with_evidence: Vec<(&str, &str, &str)> = events
                .iter()
                .zip(&keys)
                .filter_map(|(e, k)| {
                    e.evidence
                        .as_deref()
                        .map(|evidence| (e.subject_ref.as_str(), k.as_str(), evidence))
                })
                .collect();
            if !with_evidence.is_empty() {
                let subjects: Vec<&str> = with_evidence.iter().map(|(s, _, _)| *s).collect();
                let keys: Vec<&str> = with_evidence.iter().map(|(_, k, _)| *k).collect();
                let evidence: Vec<&str> = with_evidence.iter().map(|(_, _, e)| *e).collect();
                let rows = TextRows::new(tx, 1, &[&subjects, &keys, &evidence]);
                let sql = format!(
                    "INSERT INTO consent_evidence (event_id, subject_ref, evidence) \
                     SELECT c.id, c.subject_ref, c2 FROM {} \
                     JOIN consent_events c ON c.subject_ref = c0 AND c.event_key = c1 \
                     WHERE true ON CONFLICT (event_id) DO NOTHING",
                    rows.from
                );
                rows.bind(sqlx::query(&sql))
                    .execute(&mut **tx)
                    .await
                    .context("cannot record consent evidence")?;
            }
            if self.backend == Backend::Postgres && !self.repeats {
                self.next_savepoint(tx).await?;
            }
        }
        Ok(inserted)
    }

    /// Ends the appends: the savepoint set for a next batch is released, so that what
    /// the caller writes next is not under it. Between two appends the caller writes
    /// nothing to the transaction (a batch refused for a recorded event is rolled back
    /// to that savepoint, and would take it along).
    pub async fn finish(&mut self, tx: &mut Tx) -> Result<()> {
        if self.savepoint_set {
            sqlx::query("RELEASE SAVEPOINT privops_append")
                .execute(&mut **tx)
                .await
                .context("cannot append to the consent ledger")?;
            self.savepoint_set = false;
        }
        Ok(())
    }

    /// PostgreSQL, after a batch that went in plainly with its subjects and evidence:
    /// keeps it (releases its savepoint) and sets the next batch's savepoint in the same
    /// round trip, or, past [`PLAIN_BATCHES`], turns to skipping recorded events.
    async fn next_savepoint(&mut self, tx: &mut Tx) -> Result<()> {
        self.plain_batches += 1;
        let more = self.plain_batches < PLAIN_BATCHES;
        let sql = if more {
            "RELEASE SAVEPOINT privops_append; SAVEPOINT privops_append"
        } else {
            "RELEASE SAVEPOINT privops_append"
        };
        sqlx::raw_sql(sql)
            .execute(&mut **tx)
            .await
            .context("cannot append to the consent ledger")?;
        self.savepoint_set = more;
        self.repeats = !more;
        Ok(())
    }

    /// PostgreSQL: the events as one array per column, unnested. An event already
    /// recorded is skipped (`ON CONFLICT DO NOTHING`), which costs the server a
    /// speculative insertion per row; until some batch meets one, batches go in as plain
    /// inserts under a savepoint, and a batch refused for a duplicate is rolled back to it
    /// and sent again the skipping way.
    async fn insert_postgres(
        &mut self,
        tx: &mut Tx,
        events: &[NewEvent],
        keys: &[String],
    ) -> Result<u64> {
        let versions: Vec<String> = events.iter().map(|e| e.version.to_string()).collect();
        let column = |f: fn(&NewEvent) -> Option<&str>| pg_array(events.iter().map(f));
        let arrays = [
            pg_array(keys.iter().map(Some)),
            column(|e| Some(&e.subject_ref)),
            column(|e| Some(&e.purpose)),
            pg_array(versions.iter().map(Some)),
            column(|e| Some(e.action.name())),
            column(|e| Some(&e.at)),
            column(|e| e.channel.as_deref()),
        ];
        let statement = |skip_recorded: bool| {
            format!(
                "INSERT INTO consent_events (event_key, subject_ref, purpose_id, version, action, at, \
                 recorded_at, channel, evidence, actor, origin) \
                 SELECT k, s, p, v, a, t, $8, c, NULL, $9, $10 \
                 FROM unnest(CAST($1 AS text[]), CAST($2 AS text[]), CAST($3 AS text[]), CAST($4 AS int8[]), \
                   CAST($5 AS text[]), CAST($6 AS text[]), CAST($7 AS text[])) \
                   AS u(k, s, p, v, a, t, c){}",
                if skip_recorded {
                    " ON CONFLICT (subject_ref, purpose_id, at, event_key) DO NOTHING"
                } else {
                    ""
                }
            )
        };
        fn bound<'q>(
            sql: &'q str,
            arrays: &'q [String],
            recorded_at: &'q str,
            actor: &'q str,
            origin: &'q str,
        ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
            let mut query = sqlx::query(sql);
            for array in arrays {
                query = query.bind(array.as_str());
            }
            query.bind(recorded_at).bind(actor).bind(origin)
        }
        let recorded_at = self.recorded_at.clone();
        let (plain, skipping) = (statement(false), statement(true));
        let run = |sql| bound(sql, &arrays, &recorded_at, self.actor, self.origin);
        if !self.repeats {
            if !self.savepoint_set {
                sqlx::query("SAVEPOINT privops_append")
                    .execute(&mut **tx)
                    .await
                    .context("cannot append to the consent ledger")?;
                self.savepoint_set = true;
            }
            // The savepoint is released with the batch's subjects and evidence, by
            // `next_savepoint`.
            match run(&plain).execute(&mut **tx).await {
                Ok(done) => return Ok(done.rows_affected()),
                Err(error)
                    if error.as_database_error().and_then(|e| e.code()).as_deref()
                        == Some("23505") =>
                {
                    sqlx::raw_sql(
                        "ROLLBACK TO SAVEPOINT privops_append; RELEASE SAVEPOINT privops_append",
                    )
                    .execute(&mut **tx)
                    .await
                    .context("cannot append to the consent ledger")?;
                    self.savepoint_set = false;
                    self.repeats = true;
                }
                Err(error) => {
                    return Err(error).context("cannot append to the consent ledger");
                }
            }
        }
        Ok(run(&skipping)
            .execute(&mut **tx)
            .await
            .context("cannot append to the consent ledger")?
            .rows_affected())
    }

    /// SQLite: the events as one JSON document, walked with `json_each`.
    async fn insert_sqlite(
        &mut self,
        tx: &mut Tx,
        events: &[NewEvent],
        keys: &[String],
    ) -> Result<u64> {
        let document = serde_json::to_string(
            &events
                .iter()
                .zip(keys)
                .map(|(e, k)| {
                    (
                        k,
                        &e.subject_ref,
                        &e.purpose,
                        e.version,
                        e.action.name(),
                        &e.at,
                        &e.channel,
                    )
                })
                .collect::<Vec<_>>(),
        )?;
        Ok(sqlx::query(
            "INSERT INTO consent_events (event_key, subject_ref, purpose_id, version, action, at, \
             recorded_at, channel, evidence, actor, origin) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, \
               ?2, value ->> 6, NULL, ?3, ?4 \
             FROM json_each(?1) WHERE true \
             ON CONFLICT (subject_ref, purpose_id, at, event_key) DO NOTHING",
        )
        .bind(document)
        .bind(self.recorded_at.as_str())
        .bind(self.actor)
        .bind(self.origin)
        .execute(&mut **tx)
        .await
        .context("cannot append to the consent ledger")?
        .rows_affected())
    }
}

/// The longest value a consent field (evidence, channel, a CSV cell) may hold.
pub const MAX_FIELD_BYTES: usize = 4096;

/// Refuses a field that is not a short piece of text: NUL bytes, or more than
/// [`MAX_FIELD_BYTES`] (evidence is a reference to a form, a message or a scan, not the
/// document itself).
pub fn check_field(raw: &[u8]) -> Result<()> {
    if raw.contains(&0) {
        anyhow::bail!("contains a NUL byte");
    }
    if raw.len() > MAX_FIELD_BYTES {
        anyhow::bail!(
            "{} bytes long, over the limit of {MAX_FIELD_BYTES}: keep a reference to the evidence, not the evidence itself",
            raw.len()
        );
    }
    Ok(())
}

/// Fills in the evidence of events read from the ledger (it lives beside it).
async fn fill_evidence<'e>(
    store: &Store,
    events: impl Iterator<Item = &'e mut Event>,
) -> Result<()> {
    let mut by_id: HashMap<i64, &mut Event> = events.map(|e| (e.id, e)).collect();
    let ids: Vec<Key> = by_id.keys().map(|id| Key::Int(*id)).collect();
    let rows = store
        .select_in(
            "SELECT event_id, evidence FROM consent_evidence WHERE event_id",
            ids.into_iter(),
            5000,
        )
        .await?;
    for row in rows {
        let id: i64 = row.try_get(0)?;
        if let Some(event) = by_id.get_mut(&id) {
            event.evidence = row.try_get(1)?;
        }
    }
    Ok(())
}

/// A recorded event (also read from a JSON array of [`EVENT_COLUMNS`], in their order).
#[derive(Debug, Clone, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    #[sqlx(rename = "purpose_id")]
    pub purpose: String,
    pub version: i64,
    pub action: String,
    pub at: String,
    pub recorded_at: String,
    pub channel: Option<String>,
    pub evidence: Option<String>,
    pub actor: String,
    pub origin: String,
}

const EVENT_COLUMNS: &str =
    "id, purpose_id, version, action, at, recorded_at, channel, evidence, actor, origin";

pub async fn history(
    store: &Store,
    subject_ref: &str,
    purpose: Option<&str>,
) -> Result<Vec<Event>> {
    let mut sql = format!("SELECT {EVENT_COLUMNS} FROM consent_events WHERE subject_ref = $1");
    if purpose.is_some() {
        sql.push_str(" AND purpose_id = $2");
    }
    sql.push_str(" ORDER BY at, id");
    let mut query = sqlx::query_as(&sql).bind(subject_ref);
    if let Some(purpose) = purpose {
        query = query.bind(purpose);
    }
    let mut events: Vec<Event> = query.fetch_all(&store.pool).await?;
    fill_evidence(store, events.iter_mut()).await?;
    Ok(events)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Consent stands for the current version.
    Granted,
    /// Never given.
    NeverGiven,
    /// Given, then withdrawn.
    Withdrawn,
    /// Given only for an older version of the consent text.
    ReconsentNeeded,
    /// The identity was rectified to another: its consent now stands under the new one.
    Moved,
    /// The subject was erased (Art. 17) and is on the suppression list: whatever the
    /// ledger holds, nothing may be sent.
    Erased,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Granted => "granted",
            State::NeverGiven => "never_given",
            State::Withdrawn => "withdrawn",
            State::ReconsentNeeded => "reconsent_needed",
            State::Moved => "moved",
            State::Erased => "erased",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub state: State,
    pub current_version: Option<i64>,
    /// The event the verdict rests on.
    pub event: Option<Event>,
    /// When the identity was rectified to another.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_at: Option<String>,
    /// When the subject was erased.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<String>,
}

impl Verdict {
    pub fn from_last(last: Option<Event>, current_version: Option<i64>) -> Verdict {
        let state = match &last {
            None => State::NeverGiven,
            Some(event) if event.action == "withdraw" => State::Withdrawn,
            Some(event) if Some(event.version) == current_version => State::Granted,
            Some(_) => State::ReconsentNeeded,
        };
        Verdict {
            state,
            current_version,
            event: last,
            moved_at: None,
            erased_at: None,
        }
    }

    /// The verdict for an identity rectified to another at `at`.
    pub fn moved(at: String, current_version: Option<i64>) -> Verdict {
        Verdict {
            state: State::Moved,
            current_version,
            event: None,
            moved_at: Some(at),
            erased_at: None,
        }
    }

    /// The verdict for a subject erased at `at`: the newest event stays as evidence of
    /// what the ledger held, but consent no longer stands.
    pub fn erased(at: String, last: Option<Event>, current_version: Option<i64>) -> Verdict {
        Verdict {
            state: State::Erased,
            current_version,
            event: last,
            moved_at: None,
            erased_at: Some(at),
        }
    }

    pub fn reason(&self) -> String {
        if let (State::Erased, Some(at)) = (&self.state, &self.erased_at) {
            return format!("erased on {at} (Art. 17): the subject is on the suppression list");
        }
        if let (State::Moved, Some(at)) = (&self.state, &self.moved_at) {
            return format!(
                "this identity was rectified to another on {at}: its consent stands under the new one"
            );
        }
        match (&self.state, &self.event) {
            (State::Granted, Some(e)) => format!("granted on {} for version {}", e.at, e.version),
            (State::Withdrawn, Some(e)) => format!("withdrawn on {}", e.at),
            (State::ReconsentNeeded, Some(e)) => format!(
                "granted on {} for version {}, but the consent text is now version {}: ask again",
                e.at,
                e.version,
                self.current_version
                    .map_or("unrecorded".to_string(), |v| v.to_string())
            ),
            _ => "consent was never given".to_string(),
        }
    }
}

/// A subject's last event for a purpose, with the clear identity while it is still kept.
#[derive(Debug, Clone)]
pub struct SubjectState {
    pub subject_ref: String,
    pub identity: Option<Subject>,
    pub event: Event,
}

/// The last event of every subject with events for `purpose` at `as_of`, for exports.
pub async fn state_at(store: &Store, purpose: &str, as_of: &str) -> Result<Vec<SubjectState>> {
    let sql = format!(
        "SELECT latest.subject_ref, s.kind, s.identity, {EVENT_COLUMNS} FROM (\
           SELECT e.*, ROW_NUMBER() OVER (PARTITION BY subject_ref ORDER BY at DESC, id DESC) AS position \
           FROM consent_events e WHERE purpose_id = $1 AND at <= $2\
         ) latest LEFT JOIN subjects s ON s.subject_ref = latest.subject_ref \
         WHERE position = 1 ORDER BY latest.subject_ref"
    );
    let rows = sqlx::query(&sql)
        .bind(purpose)
        .bind(as_of)
        .fetch_all(&store.pool)
        .await?;
    let states = rows
        .iter()
        .map(|row| {
            let kind: Option<String> = row.try_get(1)?;
            let identity: Option<String> = row.try_get(2)?;
            Ok(SubjectState {
                subject_ref: row.try_get(0)?,
                identity: kind
                    .zip(identity)
                    .map(|(kind, value)| Subject { kind, value }),
                event: Event::from_row(row)?,
            })
        })
        .collect::<Result<Vec<SubjectState>>>()?;
    let mut states = states;
    fill_evidence(store, states.iter_mut().map(|s| &mut s.event)).await?;
    Ok(states)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    /// A long import on PostgreSQL sends its plain batches under at most
    /// [`PLAIN_BATCHES`] savepoints, within the 64 subtransaction ids a session keeps in
    /// shared memory; the rest skip recorded events without one. Counted by hand: rows
    /// written under a subtransaction carry its id as `xmin`.
    #[tokio::test]
    async fn a_long_import_stays_within_the_subtransactions_postgres_keeps() {
        crate::testing::on_postgres("subxacts", |url| async move {
            let dir = tempfile::tempdir().unwrap();
            let batches = 100;
            let counted = {
                let store = Store::open(Some(&url), dir.path()).await?;
                let mut tx = store.begin_write().await?;
                let mut appender = Appender::new(Backend::Postgres, "test", "import");
                for i in 0..batches {
                    let subject = Subject {
                        kind: "email".into(),
                        value: format!("s{i}@example.com"),
                    };
                    let event = NewEvent {
                        subject_ref: format!("ref-{i}"),
                        subject,
                        purpose: "marketing".into(),
                        version: 1,
                        action: Action::Grant,
                        at: "2026-01-01T00:00:00Z".into(),
                        channel: None,
                        evidence: None,
                    };
                    appender.append(&mut tx, &[event]).await?;
                }
                appender.finish(&mut tx).await?;
                tx.commit().await?;
                store.pool.close().await;
                let mut conn = sqlx::PgConnection::connect(&url).await?;
                let counted: (i64, i64) = sqlx::query_as(
                    "SELECT COUNT(*), COUNT(DISTINCT xmin::text) FROM consent_events",
                )
                .fetch_one(&mut conn)
                .await?;
                conn.close().await?;
                counted
            };
            let (rows, transaction_ids) = counted;
            assert_eq!(rows, batches);
            assert!(
                transaction_ids <= 64,
                "{transaction_ids} transaction ids for {batches} batches"
            );
            Ok(())
        })
        .await;
    }
}
