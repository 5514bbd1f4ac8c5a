//! Leases in the state store: one holder at a time per name, across processes and hosts
//! sharing the store; a lease left by a crashed run expires.

use anyhow::Result;
use chrono::Duration;

use crate::store::Store;

pub struct Lease {
    pub name: String,
    pub holder: String,
    ttl: Duration,
}

impl Lease {
    /// Takes the lease, or returns None when another holder has it.
    pub async fn acquire(store: &Store, name: &str, ttl: Duration) -> Result<Option<Lease>> {
        let holder = format!(
            "{}:{}:{}",
            hostname(),
            std::process::id(),
            hex::encode(rand::random::<[u8; 4]>())
        );
        let now = crate::time::now();
        let mut tx = store.begin_write().await?;
        let taken = sqlx::query(
            "INSERT INTO locks (name, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, \
             expires_at = excluded.expires_at WHERE locks.expires_at < excluded.acquired_at",
        )
        .bind(name)
        .bind(&holder)
        .bind(crate::time::to_text(now))
        .bind(crate::time::to_text(now + ttl))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok((taken == 1).then(|| Lease {
            name: name.to_string(),
            holder,
            ttl,
        }))
    }

    /// Extends the lease; fails if it was lost (expired and taken over).
    pub async fn renew(&self, store: &Store) -> Result<()> {
        let mut tx = store.begin_write().await?;
        let renewed =
            sqlx::query("UPDATE locks SET expires_at = $1 WHERE name = $2 AND holder = $3")
                .bind(crate::time::to_text(crate::time::now() + self.ttl))
                .bind(&self.name)
                .bind(&self.holder)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        if renewed == 0 {
            anyhow::bail!(
                "the `{}` lease expired and was taken over by another run",
                self.name
            );
        }
        Ok(())
    }

    pub async fn release(self, store: &Store) -> Result<()> {
        let mut tx = store.begin_write().await?;
        sqlx::query("DELETE FROM locks WHERE name = $1 AND holder = $2")
            .bind(&self.name)
            .bind(&self.holder)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into())
}
