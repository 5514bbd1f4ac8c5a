//! Leases in the state store: one holder at a time per name, across processes and hosts
//! sharing the store; a lease left by a crashed run expires.

use anyhow::Result;
use chrono::Duration;
use sqlx::Row;

use crate::store::Store;

pub struct Lease {
    pub name: String,
    pub holder: String,
    ttl: Duration,
}

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
    /// the lease already held, its holder and when it expires.
    pub async fn acquire_all(
        store: &Store,
        names: &[String],
        ttl: Duration,
    ) -> Result<std::result::Result<Vec<Lease>, Holder>> {
        let holder = new_holder();
        let now = crate::time::wall_clock();
        let mut tx = store.begin_write().await?;
        for name in names {
            let taken = sqlx::query(TAKE)
                .bind(name)
                .bind(&holder)
                .bind(crate::time::to_text(now))
                .bind(crate::time::to_text(now + ttl))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if taken != 1 {
                let row = sqlx::query("SELECT holder, expires_at FROM locks WHERE name = $1")
                    .bind(name)
                    .fetch_one(&mut *tx)
                    .await?;
                let held = Holder {
                    holder: row.try_get(0)?,
                    expires_at: row.try_get(1)?,
                };
                // A run on this machine that was killed (Ctrl-C, kill -9) left its lease:
                // its process is gone, so nobody holds it any more.
                if held.is_gone() {
                    let retaken = sqlx::query(
                        "UPDATE locks SET holder = $1, acquired_at = $2, expires_at = $3 \
                         WHERE name = $4 AND holder = $5",
                    )
                    .bind(&holder)
                    .bind(crate::time::to_text(now))
                    .bind(crate::time::to_text(now + ttl))
                    .bind(name)
                    .bind(&held.holder)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if retaken == 1 {
                        continue;
                    }
                }
                tx.rollback().await?;
                return Ok(Err(held));
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
            })
            .collect()))
    }

    /// Extends leases taken together by [`Lease::acquire_all`]; fails if any was lost.
    pub async fn renew_all(leases: &[Lease], store: &Store) -> Result<()> {
        let mut tx = store.begin_write().await?;
        for lease in leases {
            let renewed =
                sqlx::query("UPDATE locks SET expires_at = $1 WHERE name = $2 AND holder = $3")
                    .bind(crate::time::to_text(crate::time::wall_clock() + lease.ttl))
                    .bind(&lease.name)
                    .bind(&lease.holder)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if renewed == 0 {
                anyhow::bail!(
                    "the `{}` lease expired and was taken over by another run",
                    lease.name
                );
            }
        }
        tx.commit().await?;
        Ok(())
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
        for lease in &leases {
            sqlx::query("DELETE FROM locks WHERE name = $1 AND holder = $2")
                .bind(&lease.name)
                .bind(&lease.holder)
                .execute(&mut *tx)
                .await?;
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

/// Takes a lease that is free or expired.
const TAKE: &str = "INSERT INTO locks (name, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, \
     expires_at = excluded.expires_at WHERE locks.expires_at < excluded.acquired_at";

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
