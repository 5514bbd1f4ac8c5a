//! Restriction (Art. 18) and objection (Art. 21) in an append-only ledger, and the one
//! answer scripts ask before they process someone's data: may this subject be processed
//! for this purpose, whatever its basis?
//!
//! Like the consent ledger, the limits ledger names subjects by keyed reference only and
//! never changes a row: lifting a restriction or an objection is a new row, and the newest
//! row of a subject, kind and purpose decides.

pub mod notice;

use std::collections::HashMap;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use sqlx::Row;

use crate::consent::{self, State, Verdict};
use crate::policy::{LawfulBasis, Objection, Policy, Purpose};
use crate::sql::{Sql, bind_keys};
use crate::store::{Backend, DirectRead, Store, Tx};

/// The two kinds of limit a subject can put on processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    Restriction,
    Objection,
}

impl LimitKind {
    pub fn name(self) -> &'static str {
        match self {
            LimitKind::Restriction => "restriction",
            LimitKind::Objection => "objection",
        }
    }
}

/// Why processing is restricted (Art. 18(1)), or why a limit ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Ground {
    /// Art. 18(1)(a): the subject contests the data's accuracy, while it is verified.
    Accuracy,
    /// Art. 18(1)(b): processing is unlawful and the subject asks for restriction
    /// instead of erasure.
    Unlawful,
    /// Art. 18(1)(c): the controller no longer needs the data but the subject needs it
    /// for legal claims.
    LegalClaims,
    /// Art. 18(1)(d): the subject objected and the controller's grounds are being
    /// verified.
    ObjectionPending,
    /// Lifting an Art. 21(1) objection: the controller demonstrated compelling legitimate
    /// grounds.
    CompellingGrounds,
    /// Lifting: the subject took the objection or the restriction back, or its reason
    /// ended (Art. 18(3): the subject is told before a restriction is lifted).
    Withdrawn,
}

impl Ground {
    pub fn name(self) -> &'static str {
        match self {
            Ground::Accuracy => "accuracy",
            Ground::Unlawful => "unlawful",
            Ground::LegalClaims => "legal-claims",
            Ground::ObjectionPending => "objection-pending",
            Ground::CompellingGrounds => "compelling-grounds",
            Ground::Withdrawn => "withdrawn",
        }
    }

    pub fn article(self) -> &'static str {
        match self {
            Ground::Accuracy => "Art. 18(1)(a)",
            Ground::Unlawful => "Art. 18(1)(b)",
            Ground::LegalClaims => "Art. 18(1)(c)",
            Ground::ObjectionPending => "Art. 18(1)(d)",
            Ground::CompellingGrounds => "Art. 21(1)",
            Ground::Withdrawn => "withdrawn",
        }
    }

    fn restricts(self) -> bool {
        matches!(
            self,
            Ground::Accuracy | Ground::Unlawful | Ground::LegalClaims | Ground::ObjectionPending
        )
    }
}

/// One row of the limits ledger.
#[derive(Debug, Clone, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Limit {
    pub id: i64,
    pub kind: String,
    /// The purpose objected to; empty for a restriction (it covers every purpose).
    #[sqlx(rename = "purpose_id")]
    pub purpose: String,
    /// `record` or `lift`.
    pub action: String,
    pub ground: String,
    pub at: String,
    pub recorded_at: String,
    pub request_id: Option<String>,
    pub actor: String,
    pub origin: String,
}

impl Limit {
    pub fn active(&self) -> bool {
        self.action == "record"
    }
}

const LIMIT_COLUMNS: &str =
    "id, kind, purpose_id, action, ground, at, recorded_at, request_id, actor, origin";

/// A change to append.
#[derive(Debug, Clone)]
pub struct NewLimit<'a> {
    pub subject_ref: &'a str,
    pub kind: LimitKind,
    pub purpose: &'a str,
    pub lift: bool,
    pub ground: &'a str,
    pub at: &'a str,
    pub request_id: Option<&'a str>,
    pub origin: &'a str,
}

/// The purpose an objection is recorded against, or why it cannot be.
pub fn objectable<'p>(policy: &'p Policy, id: &str) -> Result<&'p Purpose> {
    let purpose = policy.known_purpose(id)?;
    if purpose.objection_rule() == Objection::None {
        let instead = if purpose.basis == LawfulBasis::Consent {
            format!("; withdraw consent instead: privops consent withdraw --purpose {id}")
        } else {
            String::new()
        };
        bail!(
            "purpose `{id}` rests on {}: Art. 21 gives no right to object to it{instead}",
            purpose.basis.article()
        );
    }
    Ok(purpose)
}

/// Decides whether a change may be appended: a lift needs something to lift, and an
/// objection to direct marketing is lifted only by the person (Art. 21(3)). Returns
/// whether the change is new (`false`: the ledger already says so).
pub fn admissible(current: Option<&Limit>, change: &NewLimit, rule: Objection) -> Result<bool> {
    let active = current.is_some_and(Limit::active);
    if !change.lift {
        return Ok(!active || current.is_some_and(|c| c.ground != change.ground));
    }
    if !active {
        return Ok(false);
    }
    if change.kind == LimitKind::Objection
        && rule == Objection::Absolute
        && change.ground != Ground::Withdrawn.name()
    {
        bail!(
            "an objection to direct marketing is absolute (Art. 21(3)): only the person can take it back (--ground withdrawn)"
        );
    }
    if change.kind == LimitKind::Objection
        && ![Ground::CompellingGrounds.name(), Ground::Withdrawn.name()].contains(&change.ground)
    {
        bail!(
            "an objection is lifted with --ground compelling-grounds (Art. 21(1)) or --ground withdrawn"
        );
    }
    Ok(true)
}

/// Appends one change; returns the row.
pub async fn append(tx: &mut Tx, change: &NewLimit<'_>, actor: &str) -> Result<Limit> {
    let recorded_at = crate::time::now_text();
    let mut sql = Sql::new(
        "INSERT INTO processing_limits (subject_ref, kind, purpose_id, action, ground, at, \
         recorded_at, request_id, actor, origin) VALUES (",
    );
    sql.bind_list([
        change.subject_ref,
        change.kind.name(),
        change.purpose,
        if change.lift { "lift" } else { "record" },
        change.ground,
        change.at,
        &recorded_at,
    ])
    .push(", ")
    .bind(change.request_id)
    .push(", ")
    .bind_list([actor, change.origin])
    .push(format!(") RETURNING {LIMIT_COLUMNS}").as_str());
    let text = sql.render(crate::store::placeholders_of(tx));
    let row = bind_keys!(sqlx::query(&text), sql.binds())
        .fetch_one(&mut **tx)
        .await?;
    Ok(<Limit as sqlx::FromRow<_>>::from_row(&row)?)
}

/// The newest restriction and, for `purpose`, the newest objection of each subject, at
/// or before `as_of`: one query per 500 subjects.
pub async fn current(
    conn: &mut sqlx::AnyConnection,
    placeholders: crate::sql::Placeholders,
    subject_refs: &[String],
    purpose: Option<&str>,
    as_of: &str,
) -> Result<HashMap<String, Limits>> {
    let mut found: HashMap<String, Limits> = HashMap::new();
    for chunk in subject_refs.chunks(500) {
        let mut sql = Sql::new(format!(
            "SELECT subject_ref, {LIMIT_COLUMNS} FROM processing_limits WHERE subject_ref IN ("
        ));
        sql.bind_list(chunk).push(") AND at <= ").bind(as_of);
        match purpose {
            Some(purpose) => {
                sql.push(" AND (kind = 'restriction' OR purpose_id = ")
                    .bind(purpose)
                    .push(")");
            }
            None => {
                sql.push(" AND kind = 'restriction'");
            }
        }
        sql.push(" ORDER BY at, id");
        let text = sql.render(placeholders);
        for row in bind_keys!(sqlx::query(&text), sql.binds())
            .fetch_all(&mut *conn)
            .await?
        {
            let subject_ref: String = row.try_get(0)?;
            let limit = Limit {
                id: row.try_get(1)?,
                kind: row.try_get(2)?,
                purpose: row.try_get(3)?,
                action: row.try_get(4)?,
                ground: row.try_get(5)?,
                at: row.try_get(6)?,
                recorded_at: row.try_get(7)?,
                request_id: row.try_get(8)?,
                actor: row.try_get(9)?,
                origin: row.try_get(10)?,
            };
            let entry = found.entry(subject_ref).or_default();
            // Rows come oldest first: the last one seen is the one in force.
            if limit.kind == LimitKind::Restriction.name() {
                entry.restriction = Some(Box::new(limit));
            } else {
                entry.objection = Some(Box::new(limit));
            }
        }
    }
    Ok(found)
}

/// A subject's limits in force. Each is boxed, as [`Facts`]'s verdict is: most subjects
/// have none, and a batch holds the facts of every subject at once.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Limits {
    pub restriction: Option<Box<Limit>>,
    pub objection: Option<Box<Limit>>,
}

/// The rows a request recorded.
pub async fn of_request(store: &Store, request: &str) -> Result<Vec<Limit>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {LIMIT_COLUMNS} FROM processing_limits WHERE request_id = $1 ORDER BY at, id"
    ))
    .bind(request)
    .fetch_all(&store.pool)
    .await?)
}

/// Subjects erased (on the suppression list) and identities rectified away, by reference.
pub async fn gone(
    store: &Store,
    subject_refs: &[String],
) -> Result<(HashMap<String, String>, HashMap<String, String>)> {
    let (mut erased, mut moved) = (HashMap::new(), HashMap::new());
    for chunk in subject_refs.chunks(500) {
        let mut sql = Sql::new(
            "SELECT 'erased', subject_ref, erased_at FROM suppressions WHERE subject_ref IN (",
        );
        sql.bind_list(chunk)
            .push(") UNION ALL SELECT 'moved', old_ref, at FROM subject_moves WHERE old_ref IN (")
            .bind_list(chunk)
            .push(")");
        let text = sql.render(store.backend.placeholders());
        for row in bind_keys!(sqlx::query(&text), sql.binds())
            .fetch_all(&store.pool)
            .await?
        {
            let which: String = row.try_get(0)?;
            let found = if which == "erased" {
                &mut erased
            } else {
                &mut moved
            };
            found.insert(row.try_get(1)?, row.try_get(2)?);
        }
    }
    Ok((erased, moved))
}

/// Everything the processing answer rests on, read beforehand. What a subject may lack
/// is boxed: a batch check makes the facts of 100,000 subjects before its first
/// statement, and unboxed they took 800 bytes each, 80 MB of memory touched page by
/// page (about 30 ms) before anything was asked of the store.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// When the subject was erased (on the suppression list).
    pub erased_at: Option<String>,
    /// When the identity was rectified to another one.
    pub moved_at: Option<String>,
    pub limits: Limits,
    /// The consent verdict, for a consent purpose.
    pub consent: Option<Box<Verdict>>,
}

/// The answer: may this subject's data be processed for this purpose, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub may_process: bool,
    pub basis: &'static str,
    /// Every reason that forbids it, or the one reason it is allowed.
    pub reasons: Vec<String>,
}

/// Decides without a database. Processing is allowed when nothing forbids it: the
/// subject is not erased, the identity was not rectified away, no restriction stands,
/// no objection to the purpose stands (where Art. 21 applies to it), and, for a consent
/// purpose, consent stands for the current text.
pub fn decide(purpose: &Purpose, facts: &Facts) -> Answer {
    let mut no = Vec::new();
    if let Some(at) = &facts.erased_at {
        no.push(format!(
            "erased on {at} (Art. 17): the subject is on the suppression list"
        ));
    }
    if let Some(at) = &facts.moved_at {
        no.push(format!(
            "this identity was rectified to another on {at} (Art. 16): ask with the new one"
        ));
    }
    if let Some(limit) = facts.limits.restriction.as_ref().filter(|l| l.active()) {
        let article = ground_article(&limit.ground);
        no.push(format!(
            "processing restricted since {} ({article}; Art. 18(2): storage only)",
            limit.at
        ));
    }
    let rule = purpose.objection_rule();
    if let Some(limit) = facts.limits.objection.as_ref().filter(|l| l.active()) {
        if rule != Objection::None {
            no.push(format!(
                "objected on {} ({})",
                limit.at,
                match rule {
                    Objection::Absolute => "Art. 21(3): direct marketing stops",
                    _ => "Art. 21(1): stops unless compelling legitimate grounds are shown",
                }
            ));
        }
    }
    if purpose.basis == LawfulBasis::Consent {
        match &facts.consent {
            Some(verdict) if verdict.state == State::Granted => {}
            Some(verdict) => no.push(verdict.reason()),
            None => no.push("consent was never given".to_string()),
        }
    }
    let basis = purpose.basis.article();
    if no.is_empty() {
        let why = match (&purpose.basis, &facts.consent) {
            (LawfulBasis::Consent, Some(verdict)) => verdict.reason(),
            _ => format!("{basis}; no objection or restriction stands"),
        };
        Answer {
            may_process: true,
            basis,
            reasons: vec![why],
        }
    } else {
        Answer {
            may_process: false,
            basis,
            reasons: no,
        }
    }
}

fn ground_article(ground: &str) -> &'static str {
    [
        Ground::Accuracy,
        Ground::Unlawful,
        Ground::LegalClaims,
        Ground::ObjectionPending,
    ]
    .into_iter()
    .find(|g| g.name() == ground)
    .map_or("Art. 18(1)", Ground::article)
}

/// The facts for many subjects and one purpose in one statement per 5,000 subjects:
/// suppression, move, the newest restriction, the newest objection to the purpose and, for
/// a consent purpose, the newest consent event with its evidence and the version of the
/// current text. Each subject's facts are looked up along an index; the engine hands the
/// whole chunk back as one JSON document, which on SQLite spares a passage between
/// threads per row. The answer is in the order of `subject_refs`, one per reference.
pub async fn facts(
    store: &Store,
    purpose: &Purpose,
    subject_refs: &[String],
    as_of: &str,
) -> Result<Vec<Facts>> {
    if store.unchecked {
        // The store's schema is read with the answer; one that is not current is
        // brought up to date and asked again.
        match facts_of(store, purpose, subject_refs, as_of, true).await {
            Ok((found, probe)) => {
                if store.confirm_schema(probe).await? {
                    return Ok(found);
                }
            }
            Err(_) => {
                store.confirm_schema(None).await?;
            }
        }
    }
    Ok(facts_of(store, purpose, subject_refs, as_of, false)
        .await?
        .0)
}

/// [`facts`], with the store's schema version ([`Store::SCHEMA_PROBE`]) when `probe`.
/// A batch of more than one chunk reads on two connections at once, every other chunk
/// each: the engine looks up two chunks' subjects on two cores (PostgreSQL backends or
/// SQLite readers) while this thread reads the answers that came back. Each chunk's
/// answers are written in place, beside its references.
async fn facts_of(
    store: &Store,
    purpose: &Purpose,
    subject_refs: &[String],
    as_of: &str,
    probe: bool,
) -> Result<(Vec<Facts>, Option<(i64, i64)>)> {
    let mut found: Vec<Facts> = Vec::new();
    found.resize_with(subject_refs.len(), Facts::default);
    let statement = facts_statement(store.backend, purpose, as_of, probe);
    let consent = purpose.basis == LawfulBasis::Consent;
    let mut chunks: Vec<(&[String], &mut [Facts])> = subject_refs
        .chunks(CHUNK)
        .zip(found.chunks_mut(CHUNK))
        .collect();
    let lane = async |pool: &sqlx::AnyPool, chunks: Vec<&mut (&[String], &mut [Facts])>| {
        let mut schema = None;
        for (refs, facts) in chunks {
            let probed = chunk_facts(pool, store, &statement, consent, refs, probe, facts).await?;
            schema = schema.or(probed);
        }
        anyhow::Ok(schema)
    };
    // A server that allows this user one connection (or a pool of one in front of it)
    // still answers, one chunk after another.
    let sibling = if chunks.len() > 1 {
        store.sibling().await.ok()
    } else {
        None
    };
    let Some(sibling) = sibling else {
        let schema = lane(&store.pool, chunks.iter_mut().collect()).await?;
        return Ok((found, schema));
    };
    let (even, odd): (Vec<_>, Vec<_>) =
        chunks.iter_mut().enumerate().partition(|(i, _)| i % 2 == 0);
    let (first, second) = futures_util::future::join(
        lane(&store.pool, even.into_iter().map(|(_, c)| c).collect()),
        lane(&sibling, odd.into_iter().map(|(_, c)| c).collect()),
    )
    .await;
    sibling.close().await;
    let probed = first?;
    second?;
    Ok((found, probed))
}

/// Subjects per statement of [`facts`].
const CHUNK: usize = 5000;

/// The statement of [`facts`] up to its list of subjects, and what follows the list.
/// Made once for all the chunks of a batch.
fn facts_statement(backend: Backend, purpose: &Purpose, as_of: &str, probe: bool) -> (Sql, Sql) {
    let postgres = backend == Backend::Postgres;
    // The engine's JSON functions: the chunk's document, an array, and an array
    // nested in another as a value of its own.
    let (document, array, nested) = if postgres {
        ("json_agg", "json_build_array", "")
    } else {
        ("json_group_array", "json_array", "json")
    };
    let id = purpose.id.get_ref().as_str();
    let consent = purpose.basis == LawfulBasis::Consent;
    let sha = consent::text_sha256(purpose.consent_text.as_deref().unwrap_or_default());
    let mut sql = Sql::new("SELECT CAST(");
    if consent {
        sql.push("(SELECT version FROM purpose_versions WHERE purpose_id = ")
            .bind(id)
            .push(" AND text_sha256 = ")
            .bind(sha.as_str())
            .push(")");
    } else {
        sql.push("NULL");
    }
    // Suppressions, moves and restrictions or objections are rare: each table is asked
    // once whether it holds any row (an uncorrelated subquery, run once per statement),
    // and a subject's own look-up runs only where it does, the answer being NULL either
    // way when there is none. Four index probes a subject fewer: about a third of the
    // server's work for a batch when those tables are empty.
    let any = |table: &str| format!("CASE WHEN (SELECT EXISTS (SELECT 1 FROM {table})) THEN ");
    sql.push(&format!(
        " AS BIGINT), CAST({document}({array}(a.value, \
         {} (SELECT erased_at FROM suppressions WHERE subject_ref = a.value) END, \
         {} (SELECT at FROM subject_moves WHERE old_ref = a.value) END, \
         {} {nested}((SELECT {array}({LIMIT_COLUMNS}) FROM processing_limits \
         WHERE subject_ref = a.value AND kind = 'restriction' AND at <= ",
        any("suppressions"),
        any("subject_moves"),
        any("processing_limits"),
    ))
    .bind(as_of)
    .push(&format!(
        " ORDER BY at DESC, id DESC LIMIT 1)) END, \
         {} {nested}((SELECT {array}({LIMIT_COLUMNS}) FROM processing_limits \
         WHERE subject_ref = a.value AND kind <> 'restriction' AND purpose_id = ",
        any("processing_limits"),
    ))
    .bind(id)
    .push(" AND at <= ")
    .bind(as_of)
    .push(" ORDER BY at DESC, id DESC LIMIT 1)) END");
    // An event's columns, its evidence as `evidence` gives it.
    let event = |evidence: &str| {
        format!(
            "e.id, e.purpose_id, e.version, e.action, e.at, e.recorded_at, e.channel, \
             {evidence}, e.actor, e.origin"
        )
    };
    // PostgreSQL joins each subject's newest event laterally (along the index) and builds
    // it into the document there: a scalar subquery that built it cost a fifth more of
    // the statement (1,130 ms of server time for 100,000 subjects, 920 ms joined). Its
    // index holds no id, so the chosen row is taken as it is read, not looked up again
    // by its id. Evidence kept apart is looked up for the chosen event alone, and only
    // when any is kept (`consent_evidence.evidence` is never NULL): joined inside, it
    // was probed for every row the choice read, another tenth of the statement.
    let mut tail = Sql::new(if postgres {
        " AS json)) AS a(value)"
    } else {
        ") AS a"
    });
    if consent && postgres {
        sql.push(&format!(
            ", CASE WHEN e.id IS NULL THEN NULL ELSE {array}({}) END",
            event(&format!(
                "COALESCE({} (SELECT v.evidence FROM consent_evidence v \
                 WHERE v.event_id = e.id) END, e.evidence)",
                any("consent_evidence")
            ))
        ));
        tail.push(&format!(
            " LEFT JOIN LATERAL (SELECT {} FROM consent_events e \
             WHERE e.subject_ref = a.value AND e.purpose_id = ",
            event("e.evidence")
        ))
        .bind(id)
        .push(" AND e.at <= ")
        .bind(as_of)
        .push(" ORDER BY e.at DESC, e.id DESC LIMIT 1) AS e ON true");
    } else if consent {
        sql.push(&format!(
            ", json((SELECT json_array({}) FROM consent_events e \
             LEFT JOIN consent_evidence v ON v.event_id = e.id WHERE \
             e.id = (SELECT n.id FROM consent_events n \
             WHERE n.subject_ref = a.value AND n.purpose_id = ",
            event("CASE WHEN v.event_id IS NULL THEN e.evidence ELSE v.evidence END")
        ))
        .bind(id)
        .push(" AND n.at <= ")
        .bind(as_of)
        // The newest event is chosen by its id, and only its row is read (SQLite's id
        // is the rowid, in the index: the choice reads the index alone).
        .push(" ORDER BY n.at DESC, n.id DESC LIMIT 1)))");
    } else {
        sql.push(", NULL");
    }
    sql.push(")) AS TEXT)");
    if probe {
        sql.push(", ").push(Store::SCHEMA_PROBE);
    }
    sql.push(if postgres {
        " FROM json_array_elements_text(CAST("
    } else {
        " FROM json_each("
    });
    (sql, tail)
}

/// The facts of one chunk of subjects, read on `pool` into `found` (beside `chunk`, one
/// for one) with the statement of [`facts_statement`]; the schema's version when `probe`.
async fn chunk_facts(
    pool: &sqlx::AnyPool,
    store: &Store,
    statement: &(Sql, Sql),
    consent: bool,
    chunk: &[String],
    probe: bool,
    found: &mut [Facts],
) -> Result<Option<(i64, i64)>> {
    let sql = chunk_statement(statement, chunk)?;
    let text = sql.render(store.backend.placeholders());
    let row = bind_keys!(sqlx::query(&text), sql.binds())
        .fetch_one(pool)
        .await?;
    let version: Option<i64> = row.try_get(0)?;
    let document: Option<String> = row.try_get(1)?;
    let schema = if probe {
        Some((row.try_get(2)?, row.try_get(3)?))
    } else {
        None
    };
    place_facts(version, document.as_deref(), consent, chunk, found)?;
    Ok(schema)
}

/// The statement of [`facts_statement`] for one chunk of subjects.
fn chunk_statement((head, tail): &(Sql, Sql), chunk: &[String]) -> Result<Sql> {
    let mut sql = head.clone();
    sql.bind(serde_json::to_string(chunk)?).append(tail);
    Ok(sql)
}

/// Puts a chunk's answer (the version of the consent text in force, and the chunk's
/// document) into `found`, beside `chunk`.
fn place_facts(
    version: Option<i64>,
    document: Option<&str>,
    consent: bool,
    chunk: &[String],
    found: &mut [Facts],
) -> Result<()> {
    /// A subject's row: reference, erased at, moved at, restriction, objection, event.
    type Row = (
        String,
        Option<String>,
        Option<String>,
        Option<Box<Limit>>,
        Option<Box<Limit>>,
        Option<consent::Event>,
    );
    let rows: Vec<Row> =
        serde_json::from_str(document.unwrap_or("[]")).context("cannot read the rights ledgers")?;
    let answers = rows.into_iter().map(
        |(subject_ref, erased_at, moved_at, restriction, objection, event)| {
            let facts = Facts {
                erased_at,
                moved_at,
                limits: Limits {
                    restriction,
                    objection,
                },
                consent: consent.then(|| Box::new(Verdict::from_last(event, version))),
            };
            (subject_ref, facts)
        },
    );
    place(answers.collect(), chunk, found);
    Ok(())
}

/// [`facts`] on a SQLite store a check opened itself ([`Store::open_direct`]): the same
/// statement, which reads the schema's version with the answer. `None` when the store is
/// not current, or the statement failed on it: the caller then opens the store through
/// the pool, which brings it up to date (or says what is wrong), and asks [`facts`].
pub fn facts_direct(
    reader: &DirectRead,
    purpose: &Purpose,
    subject_refs: &[String],
    as_of: &str,
) -> Result<Option<Vec<Facts>>> {
    let mut found = vec![Facts::default(); subject_refs.len()];
    let statement = facts_statement(Backend::Sqlite, purpose, as_of, true);
    let consent = purpose.basis == LawfulBasis::Consent;
    let current = Store::expected_schema(Backend::Sqlite);
    for (chunk, slots) in subject_refs.chunks(CHUNK).zip(found.chunks_mut(CHUNK)) {
        let sql = chunk_statement(&statement, chunk)?;
        let text = sql.render(Backend::Sqlite.placeholders());
        let read = reader.fetch_one(&text, sql.binds(), |row| {
            Ok((
                row.get::<_, Option<i64>>(0)?,
                row.get::<_, Option<String>>(1)?,
                (row.get::<_, i64>(2)?, row.get::<_, i64>(3)?),
            ))
        });
        match read {
            Ok((version, document, schema)) if schema == current => {
                place_facts(version, document.as_deref(), consent, chunk, slots)?;
            }
            _ => return Ok(None),
        }
    }
    Ok(Some(found))
}

/// Puts each subject's answer beside its reference: `found[i]` answers `asked[i]`. The
/// engine answers in the order it was asked, which is checked; should one not, each answer
/// still finds its subjects by reference (every place a subject asked twice holds), and a
/// subject without an answer keeps what `found` held.
fn place<T: Clone>(answers: Vec<(String, T)>, asked: &[String], found: &mut [T]) {
    let in_order =
        answers.len() == asked.len() && answers.iter().zip(asked).all(|(a, s)| a.0 == *s);
    if in_order {
        for (slot, (_, answer)) in found.iter_mut().zip(answers) {
            *slot = answer;
        }
        return;
    }
    let mut places: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, subject_ref) in asked.iter().enumerate() {
        places.entry(subject_ref.as_str()).or_default().push(i);
    }
    for (subject_ref, answer) in answers {
        for &at in places.get(subject_ref.as_str()).into_iter().flatten() {
            found[at] = answer.clone();
        }
    }
}

/// Whether a restriction ground may start a restriction.
pub fn restricting(ground: Ground) -> Result<()> {
    if !ground.restricts() {
        bail!(
            "--ground {} ends a limit; a restriction rests on accuracy, unlawful, legal-claims or objection-pending (Art. 18(1))",
            ground.name()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
