//! Data-subject requests (Art. 15 to 18, 20, 21) and their deadlines (Art. 12(3): one month,
//! extendable once by up to two more). An erasure request's steps live in its run's
//! journal (see [`crate::erasure`]).

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, Months, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::sql::{Sql, bind_keys};
use crate::store::{Store, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Access,
    Erasure,
    Portability,
    /// Art. 16: correct inaccurate data.
    Rectification,
    /// Art. 18: restrict processing.
    Restriction,
    /// Art. 21: object to processing.
    Objection,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Access => "access",
            Kind::Erasure => "erasure",
            Kind::Portability => "portability",
            Kind::Rectification => "rectification",
            Kind::Restriction => "restriction",
            Kind::Objection => "objection",
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Request {
    pub id: String,
    pub kind: String,
    pub subject_ref: String,
    pub received_at: String,
    pub due_at: String,
    pub extended_to: Option<String>,
    pub extension_reason: Option<String>,
    pub status: String,
    pub closed_at: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
}

/// A request as `request list` and `request show` give it to scripts: the stored request
/// with its deadline in force, whether it is overdue, who it is for while the identity is
/// kept, and (for `show`) the tasks of its erasure run.
#[derive(Debug, Serialize)]
pub struct RequestView<'r> {
    #[serde(flatten)]
    pub request: &'r Request,
    pub deadline: &'r str,
    pub overdue: bool,
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<&'r [crate::store::journal::Step]>,
}

impl<'r> RequestView<'r> {
    pub fn of(request: &'r Request, now: &str, subject: Option<String>) -> RequestView<'r> {
        RequestView {
            deadline: request.deadline(),
            overdue: request.is_overdue(now),
            subject,
            tasks: None,
            request,
        }
    }
}

impl Request {
    /// The deadline in force: the extended one when extended.
    pub fn deadline(&self) -> &str {
        self.extended_to.as_deref().unwrap_or(&self.due_at)
    }

    pub fn is_overdue(&self, now: &str) -> bool {
        self.status == "open" && self.deadline() < now
    }
}

const COLUMNS: &str = "id, kind, subject_ref, received_at, due_at, extended_to, extension_reason, status, closed_at, note, created_at";

pub fn due_date(received: DateTime<Utc>, deadline_days: u32) -> DateTime<Utc> {
    received + Duration::days(i64::from(deadline_days))
}

pub async fn open(
    tx: &mut Tx,
    kind: Kind,
    subject_ref: &str,
    received: DateTime<Utc>,
    deadline_days: u32,
    note: Option<&str>,
) -> Result<Request> {
    let opened = open_many(
        tx,
        kind,
        &[subject_ref.to_string()],
        received,
        deadline_days,
        note,
    )
    .await?;
    Ok(opened.into_iter().next().expect("one request per subject"))
}

/// Opens one request per subject, the rows travelling as one value
/// ([`crate::store::TextRows`]); returns them in order.
pub async fn open_many(
    tx: &mut Tx,
    kind: Kind,
    subject_refs: &[String],
    received: DateTime<Utc>,
    deadline_days: u32,
    note: Option<&str>,
) -> Result<Vec<Request>> {
    let mut seq: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM requests")
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    let now = crate::time::now_text();
    let received_text = crate::time::to_text(received);
    let due = crate::time::to_text(due_date(received, deadline_days));
    let mut opened = Vec::with_capacity(subject_refs.len());
    let integer = if crate::store::is_postgres(tx) {
        "BIGINT"
    } else {
        "INTEGER"
    };
    for chunk in subject_refs.chunks(crate::store::ROWS_PER_STATEMENT) {
        let first = opened.len();
        let mut numbers: Vec<String> = Vec::with_capacity(chunk.len());
        for subject_ref in chunk {
            seq += 1;
            numbers.push(seq.to_string());
            opened.push(Request {
                id: format!("REQ-{seq:06}"),
                kind: kind.name().to_string(),
                subject_ref: subject_ref.clone(),
                received_at: received_text.clone(),
                due_at: due.clone(),
                extended_to: None,
                extension_reason: None,
                status: "open".to_string(),
                closed_at: None,
                note: note.map(str::to_string),
                created_at: now.clone(),
            });
        }
        let ids: Vec<&str> = opened[first..].iter().map(|r| r.id.as_str()).collect();
        let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        let rows = crate::store::TextRows::new(tx, 6, &[&ids, &numbers, &refs]);
        let p = |n| crate::store::param(tx, n);
        let sql = format!(
            "INSERT INTO requests (id, seq, kind, subject_ref, received_at, due_at, note, created_at, status) \
             SELECT c0, CAST(c1 AS {integer}), {}, c2, {}, {}, {}, {}, 'open' FROM {}",
            p(1),
            p(2),
            p(3),
            p(4),
            p(5),
            rows.from
        );
        let query = sqlx::query(&sql)
            .bind(kind.name())
            .bind(&received_text)
            .bind(&due)
            .bind(note)
            .bind(&now);
        rows.bind(query)
            .execute(&mut **tx)
            .await
            .context("cannot record the requests")?;
    }
    Ok(opened)
}

pub async fn get(executor: impl sqlx::AnyExecutor<'_>, id: &str) -> Result<Request> {
    let row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM requests WHERE id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?;
    match row {
        Some(request) => Ok(request),
        None => bail!("no request `{id}`; `privops request list` shows them"),
    }
}

#[derive(Debug, Default)]
pub struct ListFilter {
    pub status: Option<String>,
    pub subject_ref: Option<String>,
}

pub async fn list(store: &Store, filter: &ListFilter) -> Result<Vec<Request>> {
    let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM requests WHERE 1 = 1"));
    if let Some(status) = &filter.status {
        sql.push(" AND status = ").bind(status);
    }
    if let Some(subject_ref) = &filter.subject_ref {
        sql.push(" AND subject_ref = ").bind(subject_ref);
    }
    sql.push(" ORDER BY seq");
    let text = sql.render(store.backend.placeholders());
    Ok(bind_keys!(sqlx::query_as(&text), sql.binds())
        .fetch_all(&store.pool)
        .await?)
}

/// Extends an open request once, by one or two months.
pub async fn extend(tx: &mut Tx, id: &str, months: u32, reason: &str) -> Result<Request> {
    let request = get(&mut **tx, id).await?;
    if request.status != "open" {
        bail!("request {id} is closed; only an open request can be extended");
    }
    if request.extended_to.is_some() {
        bail!(
            "request {id} was already extended (Art. 12(3) allows one extension of up to two months)"
        );
    }
    if !(1..=2).contains(&months) {
        bail!("an extension is one or two months (Art. 12(3))");
    }
    if reason.trim().is_empty() {
        bail!("an extension needs a reason: the subject must be told why (Art. 12(3))");
    }
    let due = crate::time::parse_time(&request.due_at)?;
    let extended = due
        .checked_add_months(Months::new(months))
        .context("date out of range")?;
    sqlx::query("UPDATE requests SET extended_to = $1, extension_reason = $2 WHERE id = $3")
        .bind(crate::time::to_text(extended))
        .bind(reason)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    get(&mut **tx, id).await
}

pub async fn close(tx: &mut Tx, id: &str) -> Result<Request> {
    let request = get(&mut **tx, id).await?;
    if request.status == "closed" {
        return Ok(request);
    }
    // An erasure request stays open while any step of its run is unfinished.
    if let Some(run) = crate::erasure::run_of_request(&mut **tx, id).await? {
        let steps = crate::erasure::steps(&mut **tx, &run).await?;
        let pending: Vec<&str> = steps
            .iter()
            .filter(|s| s.status != crate::erasure::StepStatus::Done)
            .map(|s| s.step_id.as_str())
            .collect();
        if !pending.is_empty() {
            bail!(
                "request {id} has {} unfinished step(s): {}; `privops erase` resumes them, `privops request confirm-manual` closes manual ones",
                pending.len(),
                pending.join(", ")
            );
        }
    }
    sqlx::query("UPDATE requests SET status = 'closed', closed_at = $1 WHERE id = $2")
        .bind(crate::time::now_text())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    get(&mut **tx, id).await
}
