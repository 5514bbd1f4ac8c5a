//! Versions of the privacy notice and who acknowledged them (the seed policies promise
//! that material changes are communicated and, for clients, accepted). A version is its
//! text's SHA-256: publishing the same text again adds nothing.

use anyhow::{Context, Result, bail};
use serde::Serialize;
use sqlx::Row;

use crate::consent;
use crate::policy::Purpose;
use crate::store::{Store, Tx};

/// The longest notice text accepted (it is a document, not a book).
pub const MAX_NOTICE_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Notice {
    pub version: i64,
    pub title: String,
    pub text_sha256: String,
    pub published_at: String,
    pub actor: String,
}

const NOTICE_COLUMNS: &str = "version, title, text_sha256, published_at, actor";

/// Reads a notice's text: UTF-8, at most [`MAX_NOTICE_BYTES`], not empty.
pub fn read_text(path: &std::path::Path) -> Result<String> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_NOTICE_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > MAX_NOTICE_BYTES {
        bail!(
            "{}: over {} bytes; a privacy notice is a document, not an archive",
            path.display(),
            MAX_NOTICE_BYTES
        );
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    if text.trim().is_empty() {
        bail!("{}: the notice is empty", path.display());
    }
    if text.contains('\0') {
        bail!("{}: contains a NUL byte", path.display());
    }
    Ok(text)
}

/// Records a new version when the text is new; returns it and whether it was new.
pub async fn publish(tx: &mut Tx, title: &str, text: &str, actor: &str) -> Result<(Notice, bool)> {
    let sha = consent::text_sha256(text);
    if let Some(known) = sqlx::query_as::<_, Notice>(&format!(
        "SELECT {NOTICE_COLUMNS} FROM notices WHERE text_sha256 = $1"
    ))
    .bind(&sha)
    .fetch_optional(&mut **tx)
    .await?
    {
        return Ok((known, false));
    }
    let version: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 FROM notices")
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    let notice = Notice {
        version,
        title: title.to_string(),
        text_sha256: sha,
        published_at: crate::time::now_text(),
        actor: actor.to_string(),
    };
    sqlx::query(
        "INSERT INTO notices (version, title, text_sha256, text, published_at, actor) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(notice.version)
    .bind(&notice.title)
    .bind(&notice.text_sha256)
    .bind(text)
    .bind(&notice.published_at)
    .bind(&notice.actor)
    .execute(&mut **tx)
    .await?;
    Ok((notice, true))
}

/// Every version, oldest first.
pub async fn list(executor: impl sqlx::AnyExecutor<'_>) -> Result<Vec<Notice>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {NOTICE_COLUMNS} FROM notices ORDER BY version"
    ))
    .fetch_all(executor)
    .await?)
}

/// The version in force: the newest.
pub async fn current(executor: impl sqlx::AnyExecutor<'_>) -> Result<Option<Notice>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {NOTICE_COLUMNS} FROM notices ORDER BY version DESC LIMIT 1"
    ))
    .fetch_optional(executor)
    .await?)
}

/// Records that a subject acknowledged a version; false when already recorded.
pub async fn ack(
    tx: &mut Tx,
    subject_ref: &str,
    version: i64,
    at: &str,
    actor: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO notice_acks (subject_ref, version, at, recorded_at, actor) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (subject_ref, version) DO NOTHING",
    )
    .bind(subject_ref)
    .bind(version)
    .bind(at)
    .bind(crate::time::now_text())
    .bind(actor)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Someone to tell: the identity privops keeps for them, and what they last agreed to.
#[derive(Debug, Clone, Serialize)]
pub struct Pending {
    pub subject: String,
    pub subject_ref: String,
    /// The newest notice version they acknowledged, or the purpose version their
    /// consent stands on.
    pub acknowledged: Option<i64>,
}

/// The people whose identity privops keeps (not erased, not rectified away) who have not
/// acknowledged `version`, ordered by identity.
pub async fn pending(store: &Store, version: i64) -> Result<Vec<Pending>> {
    let rows = sqlx::query(
        "SELECT s.subject_ref, s.kind, s.identity, \
           (SELECT MAX(a.version) FROM notice_acks a WHERE a.subject_ref = s.subject_ref) \
         FROM subjects s \
         WHERE NOT EXISTS (SELECT 1 FROM notice_acks a WHERE a.subject_ref = s.subject_ref AND a.version = $1) \
           AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.subject_ref = s.subject_ref) \
           AND NOT EXISTS (SELECT 1 FROM subject_moves m WHERE m.old_ref = s.subject_ref) \
         ORDER BY s.kind, s.identity",
    )
    .bind(version)
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get(1)?;
            let identity: String = row.try_get(2)?;
            Ok(Pending {
                subject: format!("{kind}:{identity}"),
                subject_ref: row.try_get(0)?,
                acknowledged: row.try_get(3)?,
            })
        })
        .collect()
}

/// The people whose consent to a purpose stands on an older text than the current one:
/// they are asked again before the purpose relies on them. Erased and rectified-away
/// identities are no longer kept in clear, so they are not listed.
pub async fn stale_consents(store: &Store, purpose: &Purpose, as_of: &str) -> Result<Vec<Pending>> {
    let Some(current) = consent::current_version(store, purpose).await? else {
        return Ok(Vec::new());
    };
    let mut stale: Vec<Pending> = consent::state_at(store, purpose.id.get_ref(), as_of)
        .await?
        .into_iter()
        .filter(|s| s.event.action == "grant" && s.event.version < current)
        .filter_map(|s| {
            s.identity.map(|identity| Pending {
                subject: identity.to_string(),
                subject_ref: s.subject_ref,
                acknowledged: Some(s.event.version),
            })
        })
        .collect();
    stale.sort_by(|a, b| a.subject.cmp(&b.subject));
    Ok(stale)
}
