//! The erasure journal: runs, their steps and outcomes, so an interrupted erasure
//! resumes where it stopped and a half-done one is never reported as done.

use anyhow::Result;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::store::Tx;

/// A run is named by the requests it answers: a new request (a returning customer, new
/// rows, a mended policy) gets a new run, while the command run again for the same
/// request finds its run and resumes it.
pub fn run_id(request_ids: &[String]) -> String {
    let mut ids = request_ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut hasher = Sha256::new();
    for id in &ids {
        hasher.update(id.as_bytes());
        hasher.update([0]);
    }
    format!("ERA-{}", &hex::encode(hasher.finalize())[..16])
}

/// The unfinished run for exactly these subjects, if there is one: running the same
/// command again resumes it instead of opening new requests.
pub async fn open_run_for(
    store: &crate::store::Store,
    subject_refs: &[String],
) -> Result<Option<String>> {
    let Some(first) = subject_refs.first() else {
        return Ok(None);
    };
    let candidates: Vec<String> = sqlx::query(
        "SELECT s.run_id FROM erasure_subjects s JOIN erasure_runs r ON r.run_id = s.run_id \
         WHERE r.status = 'open' AND s.subject_ref = $1 AND s.run_id LIKE 'ERA-%' ORDER BY r.created_at, s.run_id",
    )
    .bind(first)
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<std::result::Result<_, _>>()?;
    let mut wanted: Vec<&String> = subject_refs.iter().collect();
    wanted.sort();
    wanted.dedup();
    for run in candidates {
        let subjects = run_subjects(&store.pool, &run).await?;
        let refs: Vec<&String> = subjects.iter().map(|(r, _)| r).collect();
        if refs == wanted {
            return Ok(Some(run));
        }
    }
    Ok(None)
}

/// What a step of a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// Erase the rows of one source, in one transaction.
    Source,
    /// One call to a provider's erasure API (Art. 19).
    Provider,
    /// A task a person does and confirms (`request confirm-manual`).
    Manual,
    /// Plan again and find nothing left outside a hold.
    Verify,
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    Pending,
    Done,
    Failed,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Source => "source",
            StepKind::Provider => "provider",
            StepKind::Manual => "manual",
            StepKind::Verify => "verify",
        }
    }

    fn parse(text: &str) -> Result<StepKind> {
        Ok(match text {
            "source" => StepKind::Source,
            "provider" => StepKind::Provider,
            "manual" => StepKind::Manual,
            "verify" => StepKind::Verify,
            other => anyhow::bail!("the erasure journal holds a step of unknown kind `{other}`"),
        })
    }
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::Done => "done",
            StepStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<StepStatus> {
        Ok(match text {
            "pending" => StepStatus::Pending,
            "done" => StepStatus::Done,
            "failed" => StepStatus::Failed,
            other => {
                anyhow::bail!("the erasure journal holds a step with unknown status `{other}`")
            }
        })
    }
}

impl std::fmt::Display for StepKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for StepStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A JSON document a step keeps (its plan, its outcome); what it holds is the erasure
/// workflow's business (`erasure::receipt`).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct Document(pub Option<Value>);

impl TryFrom<Option<String>> for Document {
    type Error = serde_json::Error;

    fn try_from(text: Option<String>) -> Result<Document, serde_json::Error> {
        text.map(|t| serde_json::from_str(&t))
            .transpose()
            .map(Document)
    }
}

/// A value of the journal this version of privops does not know.
#[derive(Debug)]
pub struct Unknown(String);

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the erasure journal holds an unknown value `{}`", self.0)
    }
}

impl std::error::Error for Unknown {}

impl TryFrom<String> for StepKind {
    type Error = Unknown;

    fn try_from(text: String) -> Result<StepKind, Unknown> {
        StepKind::parse(&text).map_err(|_| Unknown(text))
    }
}

impl TryFrom<String> for StepStatus {
    type Error = Unknown;

    fn try_from(text: String) -> Result<StepStatus, Unknown> {
        StepStatus::parse(&text).map_err(|_| Unknown(text))
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Step {
    pub step_id: String,
    pub position: i64,
    #[sqlx(try_from = "String")]
    pub kind: StepKind,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub status: StepStatus,
    #[sqlx(try_from = "Option<String>")]
    pub plan: Document,
    #[sqlx(try_from = "Option<String>")]
    pub outcome: Document,
    pub updated_at: String,
}

pub async fn run_exists(
    executor: impl sqlx::AnyExecutor<'_>,
    run_id: &str,
) -> Result<Option<String>> {
    let row = sqlx::query("SELECT status FROM erasure_runs WHERE run_id = $1")
        .bind(run_id)
        .fetch_optional(executor)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

pub async fn create_run(tx: &mut Tx, run_id: &str, subjects: &[(String, String)]) -> Result<()> {
    let now = crate::time::now_text();
    sqlx::query("INSERT INTO erasure_runs (run_id, created_at, status) VALUES ($1, $2, 'open')")
        .bind(run_id)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    // The run's subjects, many thousands for a list.
    for chunk in subjects.chunks(crate::store::ROWS_PER_STATEMENT) {
        let refs: Vec<&str> = chunk.iter().map(|(r, _)| r.as_str()).collect();
        let requests: Vec<&str> = chunk.iter().map(|(_, q)| q.as_str()).collect();
        let rows = crate::store::TextRows::new(tx, 2, &[&refs, &requests]);
        let sql = format!(
            "INSERT INTO erasure_subjects (run_id, subject_ref, request_id) \
             SELECT {}, c0, c1 FROM {}",
            crate::store::param(tx, 1),
            rows.from
        );
        let query = rows.bind(sqlx::query(&sql).bind(run_id));
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

pub async fn add_step(
    tx: &mut Tx,
    run_id: &str,
    position: i64,
    step_id: &str,
    kind: StepKind,
    description: &str,
    plan: Option<&impl Serialize>,
) -> Result<()> {
    let plan = plan.map(serde_json::to_string).transpose()?;
    sqlx::query(
        "INSERT INTO erasure_steps (run_id, step_id, position, kind, description, status, plan, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)",
    )
    .bind(run_id)
    .bind(step_id)
    .bind(position)
    .bind(kind.as_str())
    .bind(description)
    .bind(plan)
    .bind(crate::time::now_text())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_step(
    tx: &mut Tx,
    run_id: &str,
    step_id: &str,
    status: StepStatus,
    outcome: &impl Serialize,
) -> Result<()> {
    let outcome = serde_json::to_string(outcome)?;
    sqlx::query("UPDATE erasure_steps SET status = $1, outcome = $2, updated_at = $3 WHERE run_id = $4 AND step_id = $5")
        .bind(status.as_str())
        .bind(outcome)
        .bind(crate::time::now_text())
        .bind(run_id)
        .bind(step_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Forgets the values a finished provider step needed (identifiers found in rows).
pub async fn clear_step_plan(tx: &mut Tx, run_id: &str, step_id: &str) -> Result<()> {
    sqlx::query("UPDATE erasure_steps SET plan = NULL WHERE run_id = $1 AND step_id = $2")
        .bind(run_id)
        .bind(step_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn steps(executor: impl sqlx::AnyExecutor<'_>, run_id: &str) -> Result<Vec<Step>> {
    let rows = sqlx::query_as(
        "SELECT step_id, position, kind, description, status, plan, outcome, updated_at FROM erasure_steps \
         WHERE run_id = $1 ORDER BY position",
    )
    .bind(run_id)
    .fetch_all(executor)
    .await?;
    Ok(rows)
}

/// `(subject_ref, request_id)` of a run.
pub async fn run_subjects(
    executor: impl sqlx::AnyExecutor<'_>,
    run_id: &str,
) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query("SELECT subject_ref, request_id FROM erasure_subjects WHERE run_id = $1 ORDER BY subject_ref")
        .bind(run_id)
        .fetch_all(executor)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

pub async fn run_of_request(
    executor: impl sqlx::AnyExecutor<'_>,
    request: &str,
) -> Result<Option<String>> {
    let row = sqlx::query("SELECT run_id FROM erasure_subjects WHERE request_id = $1")
        .bind(request)
        .fetch_optional(executor)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Marks a run that erased nobody (a rectification) done with its summary, and closes its
/// requests.
pub async fn complete_without_suppression(
    tx: &mut Tx,
    run_id: &str,
    summary: &impl Serialize,
) -> Result<()> {
    let now = crate::time::now_text();
    sqlx::query("UPDATE erasure_runs SET status = 'done', completed_at = $1, receipt = $2 WHERE run_id = $3")
        .bind(&now)
        .bind(serde_json::to_string(summary)?)
        .bind(run_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE requests SET status = 'closed', closed_at = $1 \
         WHERE status = 'open' AND id IN (SELECT request_id FROM erasure_subjects WHERE run_id = $2)",
    )
    .bind(&now)
    .bind(run_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks the run done, records the suppression entries, removes the clear identities
/// and closes the requests.
pub async fn complete(tx: &mut Tx, run_id: &str, receipt: &impl Serialize) -> Result<()> {
    complete_without_suppression(tx, run_id, receipt).await?;
    let now = crate::time::now_text();
    // The subjects stay recognisable as erased (by keyed reference) without their identity.
    sqlx::query(
        "INSERT INTO suppressions (subject_ref, erased_at, run_id) \
         SELECT subject_ref, $1, run_id FROM erasure_subjects WHERE run_id = $2 \
         ON CONFLICT (subject_ref) DO NOTHING",
    )
    .bind(&now)
    .bind(run_id)
    .execute(&mut **tx)
    .await?;
    // Free text beside the consent ledger may name the person; the ledger rows stay.
    sqlx::query("DELETE FROM consent_evidence WHERE subject_ref IN (SELECT subject_ref FROM erasure_subjects WHERE run_id = $1)")
        .bind(run_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM subjects WHERE subject_ref IN (SELECT subject_ref FROM erasure_subjects WHERE run_id = $1)")
        .bind(run_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
