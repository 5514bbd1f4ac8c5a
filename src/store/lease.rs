//! Leases in the state store: one holder at a time per name, across processes and hosts
//! sharing the store; a lease left by a crashed run expires.

use anyhow::Result;
use chrono::Duration;
use sqlx::Row;

use crate::store::{ROWS_PER_STATEMENT, Store, TextRows, param};

pub struct Lease {
    pub name: String,
    pub holder: String,
    ttl: Duration,
    /// When the lease's expiry was last written, as taken before the statement was sent:
    /// it expires no earlier than this plus `ttl`.
    written: std::sync::Mutex<std::time::Instant>,
}

/// A lease written less than this part of its length ago is not written again: a run
/// that renews before each step (one per source and provider call) would otherwise
/// update thousands of leases a step apart, and still knows that nobody else can hold
/// them, since they expire at least 95% of their length from now.
const FRESH_PART: i32 = 20;

impl Lease {
    /// Takes the lease, or returns None when another holder has it.
    pub async fn acquire(
        store: &Store,
        name: &str,
        ttl: Duration,
    ) -> Result<std::result::Result<Lease, Holder>> {
        Ok(Lease::acquire_all(store, &[name.to_string()], ttl)
            .await?
            .map(|mut leases| leases.remove(0)))
    }

    /// Extends the lease; fails if it was lost (expired and taken over).
    pub async fn renew(&self, store: &Store) -> Result<()> {
        Lease::renew_all(std::slice::from_ref(self), store).await
    }

    /// Takes every lease of `names` in one transaction, or none of them: `Err` then names
    /// the lease already held, its holder and when it expires. Thousands of names (a list
    /// of subjects to erase) take a statement per 10,000.
    pub async fn acquire_all(
        store: &Store,
        names: &[String],
        ttl: Duration,
    ) -> Result<std::result::Result<Vec<Lease>, Holder>> {
        let holder = new_holder();
        let written = std::time::Instant::now();
        let now = crate::time::wall_clock();
        let (taken_at, expires_at) = (crate::time::to_text(now), crate::time::to_text(now + ttl));
        let mut unique: Vec<&str> = names.iter().map(String::as_str).collect();
        unique.sort_unstable();
        unique.dedup();
        let mut tx = store.begin_write().await?;
        for chunk in unique.chunks(ROWS_PER_STATEMENT) {
            let rows = TextRows::new(&tx, 4, &[chunk]);
            let sql = format!(
                "INSERT INTO locks (name, holder, acquired_at, expires_at) \
                 SELECT c0, {}, {}, {} FROM {} WHERE true \
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
                 acquired_at = excluded.acquired_at, expires_at = excluded.expires_at \
                 WHERE locks.expires_at < excluded.acquired_at",
                param(&tx, 1),
                param(&tx, 2),
                param(&tx, 3),
                rows.from
            );
            let query = sqlx::query(&sql)
                .bind(&holder)
                .bind(&taken_at)
                .bind(&expires_at);
            let taken = rows.bind(query).execute(&mut *tx).await?.rows_affected();
            if taken == chunk.len() as u64 {
                continue;
            }
            // Some are held: by a live run (nothing is taken), or by a run on this
            // machine that was killed (Ctrl-C, kill -9): its process is gone, so nobody
            // holds them any more.
            let rows = TextRows::new(&tx, 2, &[chunk]);
            let sql = format!(
                "SELECT name, holder, expires_at FROM locks \
                 WHERE holder <> {} AND name IN (SELECT c0 FROM {}) ORDER BY name",
                param(&tx, 1),
                rows.from
            );
            let held: Vec<(String, Holder)> = rows
                .bind(sqlx::query(&sql).bind(&holder))
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| {
                    Ok((
                        row.try_get(0)?,
                        Holder {
                            holder: row.try_get(1)?,
                            expires_at: row.try_get(2)?,
                        },
                    ))
                })
                .collect::<Result<_>>()?;
            for (name, held) in held {
                let retaken = held.is_gone()
                    && sqlx::query(&format!(
                        "UPDATE locks SET holder = {}, acquired_at = {}, expires_at = {} \
                         WHERE name = {} AND holder = {}",
                        param(&tx, 1),
                        param(&tx, 2),
                        param(&tx, 3),
                        param(&tx, 4),
                        param(&tx, 5)
                    ))
                    .bind(&holder)
                    .bind(&taken_at)
                    .bind(&expires_at)
                    .bind(&name)
                    .bind(&held.holder)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                        == 1;
                if !retaken {
                    tx.rollback().await?;
                    return Ok(Err(held));
                }
            }
        }
        tx.commit().await?;
        held_by_this_process()
            .lock()
            .expect("the lease registry is never poisoned")
            .push((store.pool.clone(), holder.clone()));
        Ok(Ok(names
            .iter()
            .map(|name| Lease {
                name: name.clone(),
                holder: holder.clone(),
                ttl,
                written: std::sync::Mutex::new(written),
            })
            .collect()))
    }

    /// Extends leases taken together by [`Lease::acquire_all`]; fails if any was lost.
    /// Leases written moments ago are left as they are (see [`FRESH_PART`]).
    pub async fn renew_all(leases: &[Lease], store: &Store) -> Result<()> {
        if leases.iter().all(Lease::is_fresh) {
            return Ok(());
        }
        let written = std::time::Instant::now();
        let mut tx = store.begin_write().await?;
        for (holder, ttl, names) in by_holder(leases) {
            for chunk in names.chunks(ROWS_PER_STATEMENT) {
                let rows = TextRows::new(&tx, 3, &[chunk]);
                let sql = format!(
                    "UPDATE locks SET expires_at = {} WHERE holder = {} \
                     AND name IN (SELECT c0 FROM {})",
                    param(&tx, 1),
                    param(&tx, 2),
                    rows.from
                );
                let query = sqlx::query(&sql)
                    .bind(crate::time::to_text(crate::time::wall_clock() + ttl))
                    .bind(holder);
                if rows.bind(query).execute(&mut *tx).await?.rows_affected() == chunk.len() as u64 {
                    continue;
                }
                let rows = TextRows::new(&tx, 2, &[chunk]);
                let sql = format!(
                    "SELECT c0 FROM {} WHERE c0 NOT IN \
                     (SELECT name FROM locks WHERE holder = {}) ORDER BY c0",
                    rows.from,
                    param(&tx, 1)
                );
                let lost = rows
                    .bind(sqlx::query(&sql).bind(holder))
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|row| row.try_get::<String, _>(0))
                    .transpose()?;
                anyhow::bail!(
                    "the `{}` lease expired and was taken over by another run",
                    lost.as_deref().unwrap_or("?")
                );
            }
        }
        tx.commit().await?;
        for lease in leases {
            *lease.written.lock().unwrap_or_else(|e| e.into_inner()) = written;
        }
        Ok(())
    }

    /// Whether the lease was written less than [`FRESH_PART`] of its length ago.
    fn is_fresh(&self) -> bool {
        let fresh = (self.ttl / FRESH_PART).to_std().unwrap_or_default();
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed()
            < fresh
    }

    /// Releases leases taken together by [`Lease::acquire_all`].
    pub async fn release_all(leases: Vec<Lease>, store: &Store) -> Result<()> {
        if let Some(lease) = leases.first() {
            held_by_this_process()
                .lock()
                .expect("the lease registry is never poisoned")
                .retain(|(_, holder)| holder != &lease.holder);
        }
        let mut tx = store.begin_write().await?;
        for (holder, _, names) in by_holder(&leases) {
            for chunk in names.chunks(ROWS_PER_STATEMENT) {
                let rows = TextRows::new(&tx, 2, &[chunk]);
                let sql = format!(
                    "DELETE FROM locks WHERE holder = {} AND name IN (SELECT c0 FROM {})",
                    param(&tx, 1),
                    rows.from
                );
                rows.bind(sqlx::query(&sql).bind(holder))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn release(self, store: &Store) -> Result<()> {
        Lease::release_all(vec![self], store).await
    }
}

/// The leases this process holds, by store and holder, so an interrupted command can give
/// them back on its way out ([`release_held`]).
fn held_by_this_process() -> &'static std::sync::Mutex<Vec<(sqlx::AnyPool, String)>> {
    static HELD: std::sync::OnceLock<std::sync::Mutex<Vec<(sqlx::AnyPool, String)>>> =
        std::sync::OnceLock::new();
    HELD.get_or_init(Default::default)
}

/// Gives back every lease this process still holds (Ctrl-C): the next run, on any host,
/// need not wait for them to expire. Best effort: a lease that cannot be deleted expires.
pub async fn release_held() {
    let held = std::mem::take(
        &mut *held_by_this_process()
            .lock()
            .expect("the lease registry is never poisoned"),
    );
    for (pool, holder) in held {
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            sqlx::query("DELETE FROM locks WHERE holder = $1")
                .bind(&holder)
                .execute(&pool),
        )
        .await;
    }
}

/// Leases grouped by holder (with the lease length), each group's names sorted and
/// without repeats.
fn by_holder(leases: &[Lease]) -> Vec<(&str, Duration, Vec<&str>)> {
    let mut groups: Vec<(&str, Duration, Vec<&str>)> = Vec::new();
    for lease in leases {
        match groups.iter_mut().find(|(h, _, _)| *h == lease.holder) {
            Some((_, _, names)) => names.push(&lease.name),
            None => groups.push((&lease.holder, lease.ttl, vec![&lease.name])),
        }
    }
    for (_, _, names) in &mut groups {
        names.sort_unstable();
        names.dedup();
    }
    groups
}

/// Who holds a lease that could not be taken.
#[derive(Debug, Clone)]
pub struct Holder {
    /// `host:pid:nonce`.
    pub holder: String,
    pub expires_at: String,
}

impl Holder {
    /// True for a holder on this host whose process no longer runs.
    fn is_gone(&self) -> bool {
        let mut parts = self.holder.split(':');
        let (Some(host), Some(pid)) = (parts.next(), parts.next()) else {
            return false;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            return false;
        };
        cfg!(target_os = "linux")
            && host == hostname()
            && pid != std::process::id()
            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = self.holder.split(':');
        let host = parts.next().unwrap_or("?");
        let pid = parts.next().unwrap_or("?");
        write!(
            f,
            "held by process {pid} on {host} until {}",
            self.expires_at
                .get(..19)
                .unwrap_or(&self.expires_at)
                .replace('T', " ")
        )
    }
}

fn new_holder() -> String {
    format!(
        "{}:{}:{}",
        hostname(),
        std::process::id(),
        hex::encode(rand::random::<[u8; 4]>())
    )
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renewing leases written moments ago sends nothing; once that moment has passed, a
    /// renewal writes again and finds a lease that another holder has taken.
    #[tokio::test]
    async fn a_fresh_lease_is_not_written_again_and_a_lost_one_is_found_later() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(None, dir.path()).await.unwrap();
        let ttl = Duration::seconds(4);
        let names = vec!["erase:a".to_string(), "erase:b".to_string()];
        let leases = Lease::acquire_all(&store, &names, ttl)
            .await
            .unwrap()
            .expect("nobody holds them");
        // Another holder takes the second lease.
        sqlx::query("UPDATE locks SET holder = 'other-host:1:abcd' WHERE name = 'erase:b'")
            .execute(&store.pool)
            .await
            .unwrap();
        // Within a twentieth of four seconds: not written, so nothing is found lost.
        Lease::renew_all(&leases, &store).await.unwrap();
        let holders: Vec<(String, String)> =
            sqlx::query_as("SELECT name, holder FROM locks ORDER BY name")
                .fetch_all(&store.pool)
                .await
                .unwrap();
        assert_eq!(holders[1].1, "other-host:1:abcd");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let error = Lease::renew_all(&leases, &store).await.unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`erase:b` lease expired and was taken over"),
            "{error}"
        );
        // Renewed where it is still held: the first lease's expiry moved on.
        sqlx::query("UPDATE locks SET holder = $1 WHERE name = 'erase:b'")
            .bind(&leases[1].holder)
            .execute(&store.pool)
            .await
            .unwrap();
        let before: String =
            sqlx::query_scalar("SELECT expires_at FROM locks WHERE name = 'erase:a'")
                .fetch_one(&store.pool)
                .await
                .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        Lease::renew_all(&leases, &store).await.unwrap();
        let after: String =
            sqlx::query_scalar("SELECT expires_at FROM locks WHERE name = 'erase:a'")
                .fetch_one(&store.pool)
                .await
                .unwrap();
        assert!(after > before, "{before} then {after}");
        // And written just now: the next renewal sends nothing, even with the lease gone.
        sqlx::query("DELETE FROM locks")
            .execute(&store.pool)
            .await
            .unwrap();
        Lease::renew_all(&leases, &store).await.unwrap();
    }
}
