//! The state store: privops' own ledger (audit trail, consent, requests, journals).
//!
//! Embedded SQLite by default (`.privops/state.db` beside the policy folder), PostgreSQL
//! by URL so several hosts share one ledger. Both are reached through sqlx's `Any`
//! driver; fixed statements use `$N` placeholders, which both engines accept, and
//! statements built at run time come from [`crate::sql::Sql`]. The schema comes from
//! embedded migrations, one set per engine.

pub(crate) mod journal;
pub(crate) mod lease;
pub(crate) mod requests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

use crate::fsutil;
use crate::sql::{Key, Placeholders, Sql, bind_keys};

pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// SQLite gets plain `?`, which it binds by position without a per-parameter name
    /// lookup (a large cost on multi-row statements); PostgreSQL gets `$n`.
    pub fn placeholders(self) -> Placeholders {
        match self {
            Backend::Sqlite => Placeholders::Question,
            Backend::Postgres => Placeholders::Dollar,
        }
    }
}

/// How the engine behind a transaction writes its parameters.
pub(crate) fn placeholders_of(tx: &Tx) -> Placeholders {
    if tx.backend_name() == "PostgreSQL" {
        Placeholders::Dollar
    } else {
        Placeholders::Question
    }
}

/// Whether a transaction's store is PostgreSQL (else SQLite).
pub(crate) fn is_postgres(tx: &Tx) -> bool {
    tx.backend_name() == "PostgreSQL"
}

/// Placeholder `n` of a statement written for one store engine alone: `$n`, or `?n`.
pub(crate) fn param(tx: &Tx, n: usize) -> String {
    if is_postgres(tx) {
        format!("${n}")
    } else {
        format!("?{n}")
    }
}

/// Runs one statement per item of `items`, as `make` writes it (text and values), each
/// made while the store runs the one before: on SQLite the statements run in the driver's
/// own thread, so making the next one (building rows, hashing) costs no time of its own.
pub(crate) async fn run_pipelined<I: Iterator>(
    tx: &mut Tx,
    mut items: I,
    mut make: impl FnMut(I::Item) -> (String, Sql),
) -> std::result::Result<(), sqlx::Error> {
    let mut next = items.next().map(&mut make);
    while let Some((text, sql)) = next.take() {
        let query = bind_keys!(sqlx::query(&text), sql.binds());
        let (done, following) = futures_util::join!(query.execute(&mut **tx), async {
            items.next().map(&mut make)
        });
        done?;
        next = following;
    }
    Ok(())
}

/// Rows per statement where rows travel as one value ([`TextRows`], the ledger's
/// events): neither engine binds nor plans a parameter per value, so a statement's cost
/// hardly grows with its rows; this bounds the value's size (a few MB).
pub(crate) const ROWS_PER_STATEMENT: usize = 10_000;

/// Rows of text values bound as one parameter, so that a statement over thousands of
/// them is one statement, planned in constant time: columns of the same length (a
/// PostgreSQL text array each, from parameter `first` on; on SQLite one JSON array of
/// rows at parameter `first`). `from` is the `FROM` item, naming its columns `c0`, `c1`,
/// ...; [`TextRows::bind`] binds the values after the statement's earlier parameters.
pub(crate) struct TextRows {
    pub from: String,
    values: Vec<String>,
}

impl TextRows {
    pub(crate) fn new<S: AsRef<str>>(tx: &Tx, first: usize, columns: &[&[S]]) -> TextRows {
        let names: Vec<String> = (0..columns.len()).map(|c| format!("c{c}")).collect();
        if is_postgres(tx) {
            let arrays: Vec<String> = (0..columns.len())
                .map(|c| format!("CAST(${} AS text[])", first + c))
                .collect();
            TextRows {
                from: format!("unnest({}) AS u({})", arrays.join(", "), names.join(", ")),
                values: columns
                    .iter()
                    .map(|column| crate::sql::pg_array(column.iter().map(|v| Some(v.as_ref()))))
                    .collect(),
            }
        } else {
            let picked: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(c, name)| format!("value ->> {c} AS {name}"))
                .collect();
            let rows = columns.first().map_or(0, |c| c.len());
            let document: Vec<Vec<&str>> = (0..rows)
                .map(|r| columns.iter().map(|column| column[r].as_ref()).collect())
                .collect();
            TextRows {
                from: format!("(SELECT {} FROM json_each(?{first}))", picked.join(", ")),
                values: vec![serde_json::to_string(&document).expect("text serialises")],
            }
        }
    }

    /// Binds the values to `query`, whose earlier parameters are bound already.
    pub(crate) fn bind<'q>(
        self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for value in self.values {
            query = query.bind(value);
        }
        query
    }
}

/// Every connection to a SQLite store, in one round trip to SQLite's worker thread:
/// deleted rows (an erased identity) are overwritten, not left readable in free pages of
/// the file; large imports stay in memory until commit instead of spilling pages to the
/// WAL; pages are read through a memory map, without a system call each; statement
/// journals and temporary tables stay in memory: a multi-row insert inside a transaction
/// no longer writes every page it changes to an unnamed file under /var/tmp (a copy of
/// store pages, identities included, outside the store's 0600 folder), which also made
/// opening a 10,000-subject erasure run about 1.5 times as slow.
///
/// A new store is made of 16 KiB pages (an existing one keeps its own; the setting comes
/// first, before anything writes the file): a commit writes each page it changed to the
/// log as a frame of its own, and the bookkeeping of a 10,000-subject erasure (requests,
/// run, audit entries) is two commits of about 10 MB each. In 4 KiB frames the first took
/// 48–56 ms, in 16 KiB frames 10 ms; the whole erasure is about 6% faster.
const SQLITE_PRAGMAS: &str = "PRAGMA page_size = 16384; \
     PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON; \
     PRAGMA secure_delete = ON; PRAGMA cache_size = -262144; PRAGMA mmap_size = 1073741824; \
     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;";

pub struct Store {
    pub pool: AnyPool,
    pub backend: Backend,
    /// The database file of a SQLite store, for reads that stream millions of rows
    /// through the native driver.
    pub sqlite_path: Option<PathBuf>,
    /// The store's location with any password removed, for messages.
    pub display: String,
    /// Opened without checking its schema ([`Store::open_unchecked`]): the first
    /// statement reads the schema's version along with its answer.
    pub(crate) unchecked: bool,
    /// Whether this command may create the store's schema (`init`, `demo`): any other
    /// finds an empty PostgreSQL database not initialised, as it finds no SQLite file.
    may_create: bool,
    /// How [`Store::sibling`] reaches the store again. It may hold a password: never
    /// printed (messages use `display`).
    connect: String,
}

/// The write-ahead logs of the SQLite stores a process wrote to, folded back into their
/// files when its command ends ([`fold_logs`]).
///
/// A process ends without closing its store (closing deletes the log and its index for the
/// next command to create again), so SQLite's own fold on close never runs. The log then
/// keeps every page the last writes changed, and the next process that opens the store
/// alone rebuilds the log's index by reading all of it: after a `consent import` of
/// 1,000,000 rows, a 394 MB log, and every `consent check` took ~160 ms instead of 5 ms
/// until something folded it. A fold also syncs the store's file, where a commit in
/// write-ahead-log mode with `synchronous = NORMAL` is synced only at a checkpoint; it is
/// best effort (a store another process is writing to is not waited for), so it shortens
/// that window, it does not promise durability. A command that only reads never folds: it
/// would write to the store, and wait for a writer.
mod log_fold {
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    static WRITTEN: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

    /// Notes that this process writes to the SQLite database in `path` (a store, or a
    /// source it changes).
    pub(super) fn wrote(path: &Path) {
        let mut written = WRITTEN.lock().unwrap_or_else(|e| e.into_inner());
        if !written.iter().any(|p| p == path) {
            written.push(path.to_path_buf());
        }
    }

    /// The stores written to whose log holds something.
    pub(super) fn due() -> Vec<PathBuf> {
        let written = WRITTEN.lock().unwrap_or_else(|e| e.into_inner());
        written
            .iter()
            .filter(|path| {
                let mut log = path.as_os_str().to_owned();
                log.push("-wal");
                std::fs::metadata(&log).is_ok_and(|m| m.len() > 0)
            })
            .cloned()
            .collect()
    }
}

/// Notes that this process writes to the SQLite source in `path`: [`fold_logs`] folds
/// its write-ahead log when the command ends, even if a connection to it was dropped
/// rather than closed, so that no erased value outlives the command in the log while the
/// file still holds the rows before it.
pub(crate) fn fold_at_exit(path: &Path) {
    log_fold::wrote(path);
}

/// Folds the write-ahead log of each SQLite store (and source) this process wrote to back
/// into its file and empties it; see [`log_fold`]. Best effort: a store another process
/// is busy on is waited for 100 ms at most, a file gone is not created again, and a
/// failure changes nothing the command did.
pub async fn fold_logs() {
    use sqlx::Connection;
    for path in log_fold::due() {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .busy_timeout(Duration::from_millis(100));
        let Ok(mut conn) = sqlx::SqliteConnection::connect_with(&options).await else {
            continue;
        };
        let _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await;
        let _ = conn.close().await;
    }
}

/// A SQLite store opened by a check for its one statement, read on the calling thread
/// through the SQLite library: no worker thread, no pool, no settings a read does not use,
/// no schema check before the statement (it reads the schema's version with its answer,
/// as on [`Store::open_unchecked`]). A check of one subject spends most of its few
/// milliseconds opening the store: through the pool (a worker thread and its channel,
/// eight settings in a statement of their own) a check took 3.3 ms, 2.5 ms this way.
pub(crate) struct DirectRead {
    conn: rusqlite::Connection,
}

impl DirectRead {
    /// Runs `sql` (written with `?` placeholders) with its values bound, and reads its one
    /// row with `read`.
    pub(crate) fn fetch_one<T>(
        &self,
        sql: &str,
        binds: &[Key],
        read: impl FnOnce(&rusqlite::Row) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let values = binds.iter().map(rusqlite::types::Value::from);
        let mut statement = self.conn.prepare(sql)?;
        let mut rows = statement.query(rusqlite::params_from_iter(values))?;
        match rows.next()? {
            Some(row) => read(row),
            None => Err(rusqlite::Error::QueryReturnedNoRows),
        }
    }
}

/// Where a state store is, from `--state` (or its variable) and the workspace.
enum Location {
    Postgres(String),
    /// `default`: the workspace's own store, not one named by the user.
    Sqlite {
        path: PathBuf,
        default: bool,
    },
}

impl Location {
    fn of(url: Option<&str>, workspace: &Path) -> Result<Location> {
        Ok(match url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Location::Postgres(url.to_string())
            }
            // A URL's path is percent-decoded, as the driver decodes a source's
            // `sqlite://` URL: `my%20store.db` is `my store.db`, `100%25` is `100%`. A
            // plain path is taken as it is written.
            Some(url) if url.starts_with("sqlite:") => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or(path);
                let decoded = percent_encoding::percent_decode_str(path)
                    .decode_utf8()
                    .map_err(|_| {
                        anyhow::anyhow!(
                            "the state store URL `{url}` does not name a file: its percent-encoded path is not UTF-8"
                        )
                    })?;
                Location::Sqlite {
                    path: PathBuf::from(decoded.as_ref()),
                    default: false,
                }
            }
            Some(url) if url.contains("://") => bail!(
                "unsupported state store `{}`: use a SQLite path or sqlite:// URL, or a postgres:// URL",
                redact_url(url)
            ),
            // `postgres:/user:password@host` and the like: a URL gone wrong, not a file
            // name. It may hold a password, so it is not repeated.
            Some(url)
                if ["postgres:", "postgresql:", "mysql:", "mariadb:"]
                    .iter()
                    .any(|scheme| url.to_ascii_lowercase().starts_with(scheme)) =>
            {
                bail!(
                    "the state store URL is malformed (not shown, it may hold a password): write postgres://USER@HOST:PORT/DATABASE"
                )
            }
            Some(path) => Location::Sqlite {
                path: PathBuf::from(path),
                default: false,
            },
            None => Location::Sqlite {
                path: workspace.join("state.db"),
                default: true,
            },
        })
    }
}

/// A PostgreSQL store's URL with `sslmode=disable` added when the server is on this
/// machine and nothing asks for TLS ([`crate::sources::plain_loopback`]).
fn without_tls_on_loopback(url: String) -> String {
    let host = url
        .parse::<sqlx::postgres::PgConnectOptions>()
        .map(|o| o.get_host().to_string())
        .unwrap_or_default();
    if !crate::sources::plain_loopback(&url, &host, crate::policy::Engine::Postgres) {
        return url;
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}sslmode=disable")
}

/// The connection options of a PostgreSQL store, once the server answers (retrying
/// while it refuses connections, bounded).
async fn reach_postgres(url: &str) -> Result<sqlx::postgres::PgConnectOptions> {
    let display = redact_url(url);
    let options = url
        .parse::<sqlx::postgres::PgConnectOptions>()
        .with_context(|| format!("cannot open the state store {display}"))?;
    crate::sources::first_connection::<sqlx::PgConnection>(&options)
        .await
        .with_context(|| format!("cannot open the state store {display}"))?;
    Ok(options)
}

/// Where the default store lives: `.privops/` beside the policy folder.
pub(crate) fn workspace_dir(policy_dir: &Path) -> PathBuf {
    let absolute = std::path::absolute(policy_dir).unwrap_or_else(|_| policy_dir.to_path_buf());
    absolute
        .parent()
        .map(|p| p.join(".privops"))
        .unwrap_or_else(|| PathBuf::from(".privops"))
}

impl Store {
    /// `head IN (values)`, `per_statement` values at a time: the rows of every statement.
    pub(crate) async fn select_in(
        &self,
        head: &str,
        values: impl Iterator<Item = Key>,
        per_statement: usize,
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        let values: Vec<Key> = values.collect();
        let mut rows = Vec::new();
        for chunk in values.chunks(per_statement) {
            let mut sql = Sql::new(head);
            sql.push(" IN (").bind_list(chunk.iter().cloned()).push(")");
            let text = sql.render(self.backend.placeholders());
            rows.extend(
                bind_keys!(sqlx::query(&text), sql.binds())
                    .fetch_all(&self.pool)
                    .await?,
            );
        }
        Ok(rows)
    }

    /// Writes a SQLite store's write-ahead log back into the file and empties it: frames
    /// from before an erasure would otherwise keep the erased identity readable until the
    /// next checkpoint. A no-op on PostgreSQL.
    pub(crate) async fn checkpoint_log(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Opens (creating if needed) the store at `url`, or the default SQLite file under
    /// `workspace`, and brings its schema up to date. A SQLite file named explicitly is
    /// created only in a folder that exists.
    pub async fn open(url: Option<&str>, workspace: &Path) -> Result<Store> {
        Store::open_as(url, workspace, true, true).await
    }

    /// Opens a store that must already exist, for commands that only read: a workspace
    /// with nothing recorded yet gets a clear error, never a new empty store.
    pub(crate) async fn open_existing(url: Option<&str>, workspace: &Path) -> Result<Store> {
        Store::open_as(url, workspace, false, true).await
    }

    /// [`Store::open_existing`] for a command that runs one statement (a check): its
    /// schema is not checked first. The statement reads the schema's version too
    /// ([`Store::SCHEMA_PROBE`], then [`Store::confirm_schema`]), which saves a command
    /// that must answer in milliseconds a round trip and a statement; a store that is
    /// not current is brought up to date and the statement run again.
    pub(crate) async fn open_unchecked(url: Option<&str>, workspace: &Path) -> Result<Store> {
        Store::open_as(url, workspace, false, false).await
    }

    /// Two columns for a statement on an unchecked store: how many migrations were
    /// applied, and the latest.
    pub(crate) const SCHEMA_PROBE: &'static str = "(SELECT COUNT(*) FROM _sqlx_migrations WHERE success), \
         (SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success)";

    /// PostgreSQL: whether privops's schema is in the database.
    const MIGRATED: &'static str = "SELECT to_regclass('_sqlx_migrations') IS NOT NULL";

    /// A connection of its own to a PostgreSQL store through the native driver, for
    /// reads that stream millions of rows (the pool's rows go through a conversion each).
    pub(crate) async fn postgres_connection(&self) -> Result<sqlx::PgConnection> {
        <sqlx::PgConnection as sqlx::Connection>::connect(&self.connect)
            .await
            .with_context(|| format!("cannot open the state store {}", self.display))
    }

    /// A second connection to the store, for reads that run beside the first one's:
    /// another server backend on PostgreSQL, another reader (and thread) on SQLite. Given
    /// up after 2 s (a server that refuses a second connection is asked again until then),
    /// the caller then reading on its one connection.
    pub(crate) async fn sibling(&self) -> Result<AnyPool> {
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(2))
            .test_before_acquire(false);
        let pool = if self.backend == Backend::Sqlite {
            pool.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(SQLITE_PRAGMAS).await?;
                    Ok(())
                })
            })
        } else {
            pool
        };
        pool.connect(&self.connect)
            .await
            .with_context(|| format!("cannot open the state store {}", self.display))
    }

    /// Whether the probe's answer is the schema this privops writes; when it is not (or
    /// the statement failed), brings the store up to date: the caller runs its
    /// statement again.
    pub(crate) async fn confirm_schema(&self, probe: Option<(i64, i64)>) -> Result<bool> {
        if probe == Some(Store::expected_schema(self.backend)) {
            return Ok(true);
        }
        self.migrate().await?;
        Ok(false)
    }

    fn migrator(backend: Backend) -> sqlx::migrate::Migrator {
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        }
    }

    /// (migrations, latest version) of the schema this privops writes.
    pub(crate) fn expected_schema(backend: Backend) -> (i64, i64) {
        let migrator = Store::migrator(backend);
        let latest = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        (migrator.iter().count() as i64, latest)
    }

    /// Whether a store is already there: the SQLite file, or privops's tables in the
    /// PostgreSQL database.
    pub async fn exists(url: Option<&str>, workspace: &Path) -> Result<bool> {
        match Location::of(url, workspace)? {
            Location::Postgres(url) => {
                let options = reach_postgres(&url).await?;
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect_with(&options)
                    .await
                    .with_context(|| format!("cannot open the state store {}", redact_url(&url)))?;
                let found: bool = sqlx::query_scalar(Store::MIGRATED)
                    .fetch_one(&mut conn)
                    .await?;
                Ok(found)
            }
            Location::Sqlite { path, .. } => Ok(path.exists()),
        }
    }

    async fn open_as(
        url: Option<&str>,
        workspace: &Path,
        create: bool,
        check: bool,
    ) -> Result<Store> {
        install_default_drivers();
        let (url, backend, display) = match Location::of(url, workspace)? {
            Location::Postgres(url) => {
                let display = redact_url(&url);
                (without_tls_on_loopback(url), Backend::Postgres, display)
            }
            Location::Sqlite { path, default } => sqlite_url(&path, default, create)?,
        };
        let options = || {
            AnyPoolOptions::new()
                // One connection on both engines: a connection given back is pinged
                // before it is idle again, and a statement that followed at once found
                // none and had the pool open a second (a server backend started, its
                // catalogue read again: ~10 ms of a check on PostgreSQL). Nothing in a
                // command needs two at once; SQLite always ran on one.
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                // A SQLite connection is a file in this process: there is nothing to ping
                // before each statement; a check's one statement follows the connection
                // it opened at once.
                .test_before_acquire(backend != Backend::Sqlite && check)
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            conn.execute(SQLITE_PRAGMAS).await?;
                        }
                        Ok(())
                    })
                })
        };
        let pool = match options().connect(&url).await {
            Ok(pool) => pool,
            // A PostgreSQL server that is starting refuses connections: wait for it
            // (bounded) and try again; a bad URL or a refusal to log in is said there.
            Err(_) if backend == Backend::Postgres => {
                reach_postgres(&url).await?;
                options()
                    .connect(&url)
                    .await
                    .with_context(|| format!("cannot open the state store {display}"))?
            }
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("cannot open the state store {display}"));
            }
        };
        let sqlite_path = (backend == Backend::Sqlite).then(|| PathBuf::from(&display));
        let store = Store {
            pool,
            backend,
            sqlite_path,
            display,
            unchecked: !check,
            may_create: create,
            connect: url,
        };
        if check {
            store.migrate().await?;
        }
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let migrator = Store::migrator(self.backend);
        // Most commands open a store that is already current: one query says so, instead
        // of the migrator's several (a check per command, not per process lifetime).
        let expected = Store::expected_schema(self.backend);
        let current: Option<(i64, i64)> =
            sqlx::query_as(&format!("SELECT {}", Store::SCHEMA_PROBE))
                .fetch_optional(&self.pool)
                .await
                .ok()
                .flatten();
        if current == Some(expected) {
            return Ok(());
        }
        if current.is_none() && !self.may_create && self.backend == Backend::Postgres {
            let found: bool = sqlx::query_scalar(Store::MIGRATED)
                .fetch_one(&self.pool)
                .await?;
            if !found {
                return Err(crate::error::not_initialised(format!(
                    "no state store in {}: this workspace is not initialised",
                    self.display
                )));
            }
        }
        if let Some(path) = &self.sqlite_path {
            log_fold::wrote(path);
        }
        // Two processes may race to create a new store; the loser retries once the
        // winner's migration is visible.
        let mut attempt = 0;
        loop {
            match migrator.run(&self.pool).await {
                Ok(()) => return Ok(()),
                Err(error) => {
                    attempt += 1;
                    if attempt >= 5 {
                        return Err(error).with_context(|| {
                            format!("cannot prepare the state store {}", self.display)
                        });
                    }
                    tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
                }
            }
        }
    }

    /// Ends a command that only read, without waiting for the pool to close: its
    /// connection ends with the process, unclosed. On SQLite the write-ahead log (which a
    /// read leaves empty) and its index stay for the next command, as a killed process
    /// leaves them; SQLite takes them up as it finds them. A command that writes folds the
    /// log when it ends ([`fold_logs`]).
    pub(crate) fn finish_reading(self) {
        std::mem::forget(self);
    }

    /// Opens a SQLite store for a check's one statement, run on this thread through the
    /// SQLite library itself ([`DirectRead`]); `None` for a PostgreSQL store or a file
    /// that is not there, which the pool's open ([`Store::open_unchecked`]) then reports.
    pub(crate) fn open_direct(url: Option<&str>, workspace: &Path) -> Result<Option<DirectRead>> {
        let Location::Sqlite { path, .. } = Location::of(url, workspace)? else {
            return Ok(None);
        };
        // A folder SQLite cannot make the log in is said by the pool's open.
        if !path.is_file() || log_folder_writable(&path).is_err() {
            return Ok(None);
        }
        use rusqlite::OpenFlags;
        // Read and write, as every other connection to the store: a reader of a database
        // in write-ahead-log mode writes the log's index. Never created here.
        let conn = rusqlite::Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open the state store {}", path.display()))?;
        // This is the runtime's own thread, where a wait cannot be interrupted: a store
        // busy for longer (a writer folding its log) is read through the pool instead,
        // whose wait Ctrl-C stops.
        conn.busy_timeout(Duration::from_millis(100))?;
        // As on every connection ([`SQLITE_PRAGMAS`]): nothing a statement sorts is
        // written to a temporary file outside the store's folder.
        conn.execute_batch("PRAGMA temp_store = MEMORY")?;
        Ok(Some(DirectRead { conn }))
    }

    /// Begins a transaction that writes: it first takes the store's write lock row, so
    /// appends to the audit chain are serialised across processes and hosts.
    pub async fn begin_write(&self) -> Result<Tx> {
        if let Some(path) = &self.sqlite_path {
            log_fold::wrote(path);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE write_lock SET taken_at = $1 WHERE id = 1")
            .bind(crate::time::now_text())
            .execute(&mut *tx)
            .await
            .context("cannot lock the state store for writing")?;
        Ok(tx)
    }
}

/// A SQLite store's URL. `default`: the workspace's own `.privops/state.db`, whose folder
/// may be made; a path given with `--state` must be in a folder that exists. Without
/// `create`, the file must exist.
fn sqlite_url(path: &Path, default: bool, create: bool) -> Result<(String, Backend, String)> {
    if !path.exists() {
        if !create {
            return Err(crate::error::not_initialised(format!(
                "no state store at {}: this workspace is not initialised",
                path.display()
            )));
        }
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(parent) = parent.filter(|p| !default && !p.is_dir()) {
            bail!(
                "cannot create the state store {}: the folder {} does not exist",
                path.display(),
                parent.display()
            );
        }
    }
    if path.exists() {
        log_folder_writable(path)?;
    } else {
        fsutil::touch_private(path)?;
    }
    let display = path.display().to_string();
    Ok((
        format!("{}?mode=rwc", fsutil::sqlite_url(path)?),
        Backend::Sqlite,
        display,
    ))
}

/// A SQLite store in write-ahead-log mode is read through the log and the log's index
/// (`-wal`, `-shm`) beside it, which SQLite creates when they are not there, for a read
/// as for a write. In a folder this user cannot write, SQLite's busy handler waited out the
/// store's 30-second timeout before the open failed with "pool timed out": this says at
/// once what is wrong.
fn log_folder_writable(path: &Path) -> Result<()> {
    // Always in write-ahead-log mode: a journal beside it does not serve.
    fsutil::sqlite_folder_writable(path, false).map_err(|(folder, reason)| {
        anyhow::anyhow!(
            "cannot open the state store {}: SQLite keeps the store's write-ahead log and its index beside it, even to read it, and the folder {} cannot be written ({reason}); make the folder writable, or copy the store to one that is",
            path.display(),
            folder.display(),
        )
    })
}

/// Removes a password from a URL before it is shown anywhere.
pub(crate) fn redact_url(url: &str) -> String {
    redact(url)
}

/// Query parameters whose values are secrets (`?password=`, `sslpassword`, tokens, keys).
fn secret_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "pass",
        "pwd",
        "secret",
        "token",
        "key",
        "auth",
        "credential",
    ]
    .iter()
    .any(|s| name.contains(s))
}

/// A connection URL as it may be shown: read by a real URL parser, its password and any
/// secret query parameter replaced by `***`. Text that does not parse as a URL with a
/// host (`postgres:/u:pass@host`) is not shown at all, since it cannot be told apart.
fn redact(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return "(a URL that does not parse; not shown)".to_string();
    };
    if parsed.scheme() == "sqlite" {
        // A path, which holds no credentials; its query may still.
        parsed.set_query(None);
        return parsed.to_string();
    }
    if !parsed.has_host() || parsed.host_str().is_some_and(str::is_empty) {
        return format!("{}:(a URL without a host; not shown)", parsed.scheme());
    }
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if secret_parameter(&k) {
                "***".to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    if pairs.is_empty() {
        parsed.set_query(None);
    } else {
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string().replace("%2A%2A%2A", "***")
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_show() {
        assert_eq!(
            super::redact_url("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(super::redact_url("postgres://db/x"), "postgres://db/x");
        for (url, secret) in [
            (
                "postgres://app:s3cret@db:5432/x?sslmode=require&password=hunter2",
                "hunter2",
            ),
            ("postgres://db/x?password=hunter2", "hunter2"),
            ("postgres://db/x?user=a&sslpassword=hunter2", "hunter2"),
            ("mysql://root:p%40ss@db/x", "p%40ss"),
            ("postgres:/u:hunter2@db/x", "hunter2"),
            ("postgres:u:hunter2@db/x", "hunter2"),
            ("postgres//u:hunter2@db", "hunter2"),
            ("://u:hunter2@", "hunter2"),
        ] {
            let shown = super::redact_url(url);
            assert!(!shown.contains(secret), "{url} -> {shown}");
        }
        assert_eq!(
            super::redact_url("postgres://db/x?password=hunter2&sslmode=require"),
            "postgres://db/x?password=***&sslmode=require"
        );
    }
}
