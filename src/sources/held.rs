//! A server source's connection kept between its statements.
//!
//! A connection given back to a sqlx pool is tested with a round trip, in a task of its
//! own, before it is idle again, and one taken from the pool is tested again before it is
//! handed out. A command's statements follow each other at once: the next one either
//! waited for both tests or, finding no connection idle, had the pool open a second one
//! (about 3 ms), the statements then alternating between two server backends that each
//! prepared them and read the catalogue again. [`Held`] keeps one connection out of the
//! pool for the statements that come one after the other; only a statement that runs
//! beside another (a roll-up reading while its chunk deletes, two tables emptied at once)
//! takes a second connection from the pool.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::pool::PoolConnection;
use sqlx::{Database, Pool};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// A pool and the connection kept out of it.
pub struct Held<DB: Database> {
    pool: Pool<DB>,
    kept: Arc<Mutex<Option<PoolConnection<DB>>>>,
}

impl<DB: Database> Clone for Held<DB> {
    fn clone(&self) -> Self {
        Held {
            pool: self.pool.clone(),
            kept: self.kept.clone(),
        }
    }
}

impl<DB: Database> From<Pool<DB>> for Held<DB> {
    fn from(pool: Pool<DB>) -> Self {
        Held {
            pool,
            kept: Arc::new(Mutex::new(None)),
        }
    }
}

impl<DB: Database> Held<DB> {
    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }

    /// The kept connection when no statement is using it (taken from the pool the first
    /// time), another from the pool otherwise. Never waits for the kept one: a statement
    /// asked for while another holds it runs beside it.
    pub async fn lease(&self) -> Result<Lease<DB>, sqlx::Error> {
        if let Ok(mut kept) = self.kept.clone().try_lock_owned() {
            if kept.is_none() {
                *kept = Some(self.pool.acquire().await?);
            }
            return Ok(Lease::Kept(kept));
        }
        Ok(Lease::Other(self.pool.acquire().await?))
    }

    /// Closes the kept connection, then the pool's. A statement still using the kept one
    /// (in another task) is waited for: the pool's close waits for every connection it
    /// lent, and the kept one would never go back to it.
    pub async fn close(&self) {
        if let Some(connection) = self.kept.lock().await.take() {
            let _ = sqlx::Connection::close(connection.detach()).await;
        }
        self.pool.close().await;
    }
}

/// A connection lent to one statement or one transaction.
pub enum Lease<DB: Database> {
    Kept(OwnedMutexGuard<Option<PoolConnection<DB>>>),
    Other(PoolConnection<DB>),
}

impl<DB: Database> Lease<DB> {
    /// Ends the lease of a connection left inside a transaction that was neither committed
    /// nor rolled back: it is closed, not kept nor given back, and the next statement
    /// takes another. (A statement whose rows stopped being read leaves nothing behind:
    /// the driver reads what is left before the connection's next statement.)
    pub fn discard(self) {
        let connection = match self {
            Lease::Kept(mut kept) => kept.take(),
            Lease::Other(connection) => Some(connection),
        };
        if let Some(mut connection) = connection {
            connection.close_on_drop();
        }
    }
}

impl<DB: Database> Deref for Lease<DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        match self {
            Lease::Kept(kept) => kept.as_ref().expect("a kept lease holds its connection"),
            Lease::Other(connection) => connection,
        }
    }
}

impl<DB: Database> DerefMut for Lease<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Lease::Kept(kept) => kept.as_mut().expect("a kept lease holds its connection"),
            Lease::Other(connection) => connection,
        }
    }
}

/// A transaction on a leased connection: the kept one when it is free. Dropped before
/// [`HeldTx::commit`] (an error on the way), its connection is closed, which rolls the
/// transaction back on the server, and is neither kept nor given back to the pool.
pub struct HeldTx<DB: Database> {
    lease: Option<Lease<DB>>,
}

impl<DB: Database> HeldTx<DB>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    pub async fn begin(held: &Held<DB>) -> Result<HeldTx<DB>, sqlx::Error> {
        let mut lease = held.lease().await?;
        if let Err(error) = sqlx::raw_sql("BEGIN").execute(&mut *lease).await {
            lease.discard();
            return Err(error);
        }
        Ok(HeldTx { lease: Some(lease) })
    }

    /// Commits; the connection is then free for the next statement.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let Some(mut lease) = self.lease.take() else {
            return Ok(());
        };
        match sqlx::raw_sql("COMMIT").execute(&mut *lease).await {
            Ok(_) => Ok(()),
            Err(error) => {
                lease.discard();
                Err(error)
            }
        }
    }
}

impl<DB: Database> Drop for HeldTx<DB> {
    fn drop(&mut self) {
        if let Some(lease) = self.lease.take() {
            lease.discard();
        }
    }
}

impl<DB: Database> Deref for HeldTx<DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        self.lease
            .as_ref()
            .expect("an open transaction holds its lease")
    }
}

impl<DB: Database> DerefMut for HeldTx<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        self.lease
            .as_mut()
            .expect("an open transaction holds its lease")
    }
}
