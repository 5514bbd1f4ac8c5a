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
//!
//! The kept connection is not tested before each statement either. A connection the
//! server ended meanwhile (a backend terminated, a restart during a long sweep) is found
//! by the statement that uses it: [`Lease::check`] then closes it, so the next statement
//! opens another, and a statement that is safe to repeat runs once more on a new
//! connection ([`on_held!`], [`HeldTx::begin`]), as the pool's own test would have
//! replaced the connection before it.

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

    /// A connection for a statement run again because its connection broke: leased as
    /// usual, then tested with a round trip, since an idle connection of the pool may
    /// have been ended by the same event (a restart ends them all). One that fails the
    /// test is closed and another taken, up to one more time than the pool has
    /// connections.
    pub async fn checked_lease(&self) -> Result<Lease<DB>, sqlx::Error> {
        let mut tries = self.pool.options().get_max_connections() + 1;
        loop {
            let mut lease = self.lease().await?;
            match sqlx::Connection::ping(&mut *lease).await {
                Ok(()) => return Ok(lease),
                Err(error) => {
                    lease.break_off();
                    tries -= 1;
                    if tries == 0 || !breaks_connection(&error) {
                        return Err(error);
                    }
                }
            }
        }
    }

    /// [`Held::lease`] for a statement's first try, [`Held::checked_lease`] for its retry.
    pub async fn lease_for(&self, first_try: bool) -> Result<Lease<DB>, sqlx::Error> {
        if first_try {
            self.lease().await
        } else {
            self.checked_lease().await
        }
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

/// Whether an error leaves its connection unusable: the connection itself failed (I/O,
/// TLS, the protocol), or the server ended the session. PostgreSQL ends it after any
/// report of severity FATAL or PANIC (a terminated backend, a shutdown, a conflict with
/// recovery on a standby); MariaDB and MySQL after a few errors known by number (1053
/// server shutdown, 1152 connection aborted, 1927 connection killed, 4031 disconnected
/// for inactivity); SQLSTATE class 08 is a connection exception on both. A statement's own
/// failure (a syntax error, a constraint, a query cancelled or over its time limit, a
/// value that does not decode) leaves the connection as good as before.
pub fn breaks_connection(error: &sqlx::Error) -> bool {
    use sqlx::mysql::MySqlDatabaseError;
    use sqlx::postgres::{PgDatabaseError, PgSeverity};
    match error {
        sqlx::Error::Database(error) => {
            let class_08 = error.code().is_some_and(|code| code.starts_with("08"));
            if let Some(error) = error.try_downcast_ref::<PgDatabaseError>() {
                class_08 || matches!(error.severity(), PgSeverity::Fatal | PgSeverity::Panic)
            } else if let Some(error) = error.try_downcast_ref::<MySqlDatabaseError>() {
                class_08 || matches!(error.number(), 1053 | 1152 | 1927 | 4031)
            } else {
                class_08
            }
        }
        sqlx::Error::RowNotFound
        | sqlx::Error::TypeNotFound { .. }
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Encode(_)
        | sqlx::Error::Decode(_)
        | sqlx::Error::InvalidArgument(_)
        | sqlx::Error::PoolTimedOut => false,
        _ => true,
    }
}

impl<DB: Database> Lease<DB> {
    /// Hands back a statement's outcome. When it failed in a way that leaves the
    /// connection unusable ([`breaks_connection`]) the connection is closed when the lease
    /// ends, neither kept nor given back to the pool, and the next statement opens another.
    pub fn check<T>(&mut self, outcome: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
        if let Err(error) = &outcome {
            if breaks_connection(error) {
                self.break_off();
            }
        }
        outcome
    }

    /// Takes the connection out of the kept place (which the next lease fills from the
    /// pool) and has it closed when this lease ends.
    pub fn break_off(&mut self) {
        match self {
            Lease::Kept(kept) => {
                if let Some(mut connection) = kept.take() {
                    connection.close_on_drop();
                    *self = Lease::Other(connection);
                }
            }
            Lease::Other(connection) => connection.close_on_drop(),
        }
    }

    /// Ends the lease of a connection left inside a transaction that was neither committed
    /// nor rolled back: it is closed, not kept nor given back, and the next statement
    /// takes another. (A statement whose rows stopped being read leaves nothing behind:
    /// the driver reads what is left before the connection's next statement.)
    pub fn discard(mut self) {
        self.break_off();
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
    /// Begins on the kept connection when it is free. A `BEGIN` that finds the connection
    /// ended by the server is sent once more on a new one: nothing has run in it yet.
    pub async fn begin(held: &Held<DB>) -> Result<HeldTx<DB>, sqlx::Error> {
        let mut again = true;
        loop {
            let mut lease = held.lease_for(again).await?;
            match sqlx::raw_sql("BEGIN").execute(&mut *lease).await {
                Ok(_) => return Ok(HeldTx { lease: Some(lease) }),
                Err(error) => {
                    lease.discard();
                    if !(again && breaks_connection(&error)) {
                        return Err(error);
                    }
                    again = false;
                }
            }
        }
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

/// Runs a statement that reads, outside any transaction, on a lease of `$held` (a
/// [`Held`]), with the lease's connection as `$connection`:
/// `on_held!(pool, |c| query.fetch_all(c))`. When the statement fails because the
/// connection is unusable ([`breaks_connection`]), the connection is closed and the
/// statement runs once more on one tested first ([`Held::checked_lease`]); reading twice
/// changes nothing. Evaluates to
/// the statement's `Result`; an error taking a connection returns from the enclosing
/// function through `?`.
macro_rules! on_held {
    ($held:expr, |$connection:ident| $statement:expr) => {{
        let held = $held;
        let mut lease = held.lease().await?;
        let outcome = {
            let $connection = &mut *lease;
            $statement.await
        };
        match lease.check(outcome) {
            Err(error) if $crate::sources::held::breaks_connection(&error) => {
                drop(lease);
                let mut lease = held.checked_lease().await?;
                let outcome = {
                    let $connection = &mut *lease;
                    $statement.await
                };
                lease.check(outcome)
            }
            outcome => outcome,
        }
    }};
}
pub(crate) use on_held;
