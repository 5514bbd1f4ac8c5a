//! The databases a policy describes: connecting to them by engine, quoting identifiers
//! for each dialect, and reading their live schema (tables, columns, foreign keys).

pub mod foreign_keys;
pub mod held;
pub mod http;
pub mod rows;
pub(crate) mod walk;

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use sqlx::mysql::MySqlConnectOptions;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

use crate::policy::{Engine, Policy, SourceDef};
use crate::store::redact_url;

pub use foreign_keys::{Declared, ForeignKey, OnDelete};
pub use held::Held;
use held::on_held;

/// A connection pool to one source.
#[derive(Clone)]
pub enum SourcePool {
    /// Its reader first: dropped before the pool (see [`rows::SqliteReader`]).
    Sqlite(rows::SqliteReader, SqlitePool),
    /// A pool and the connection kept out of it for statements that follow each other.
    Postgres(Held<sqlx::Postgres>),
    Mysql(Held<sqlx::MySql>),
}

/// Column lists read once per process: plans ask for the same tables many times.
static COLUMN_CACHE: std::sync::Mutex<BTreeMap<(String, String), Vec<rows::ColumnInfo>>> =
    std::sync::Mutex::new(BTreeMap::new());

/// PostgreSQL: each table's oid and its columns by number, read with its columns (see
/// [`SourcePool::foreign_keys_among`]).
static RELATION_CACHE: std::sync::Mutex<BTreeMap<(String, String), Relation>> =
    std::sync::Mutex::new(BTreeMap::new());

/// A PostgreSQL table as its catalogue numbers it.
#[derive(Debug, Clone)]
pub(crate) struct Relation {
    pub oid: i64,
    /// Column names by `attnum`.
    pub columns: BTreeMap<i32, String>,
}

impl SourcePool {
    pub(crate) fn cached_relation(&self, table: &str) -> Option<Relation> {
        RELATION_CACHE
            .lock()
            .ok()?
            .get(&self.cache_key(table))
            .cloned()
    }

    pub(crate) fn cache_relation(&self, table: &str, relation: Relation) {
        if let Ok(mut cache) = RELATION_CACHE.lock() {
            cache.insert(self.cache_key(table), relation);
        }
    }

    /// An identity for the caches: the pool's connect options.
    fn cache_id(&self) -> String {
        match self {
            SourcePool::Sqlite(_, pool) => format!("{:?}", pool.connect_options().get_filename()),
            SourcePool::Postgres(pool) => {
                format!("{:?}", pool.pool().connect_options().get_database())
            }
            SourcePool::Mysql(pool) => {
                format!("{:?}", pool.pool().connect_options().get_database())
            }
        }
    }

    pub(crate) fn cache_key(&self, table: &str) -> (String, String) {
        (self.cache_id(), table.to_string())
    }

    pub(crate) fn cached_columns(&self, table: &str) -> Option<Vec<rows::ColumnInfo>> {
        COLUMN_CACHE
            .lock()
            .ok()?
            .get(&self.cache_key(table))
            .cloned()
    }

    pub(crate) fn cache_columns(&self, table: &str, columns: &[rows::ColumnInfo]) {
        if let Ok(mut cache) = COLUMN_CACHE.lock() {
            cache.insert(self.cache_key(table), columns.to_vec());
        }
    }

    /// The tables whose columns a command will ask for (the source's tables in the
    /// policy): on PostgreSQL the first question reads them all in one catalogue
    /// statement.
    fn expect_tables<'t>(&self, tables: impl IntoIterator<Item = &'t str>) {
        if let Ok(mut expected) = EXPECTED_TABLES.lock() {
            expected.insert(
                self.cache_id(),
                tables.into_iter().map(str::to_string).collect(),
            );
        }
    }

    /// The expected tables not read yet, `table` first.
    pub(crate) fn tables_to_read(&self, table: &str) -> Vec<String> {
        let mut tables = vec![table.to_string()];
        let expected = EXPECTED_TABLES
            .lock()
            .ok()
            .and_then(|expected| expected.get(&self.cache_id()).cloned())
            .unwrap_or_default();
        for other in expected {
            if !tables.contains(&other) && self.cached_columns(&other).is_none() {
                tables.push(other);
            }
        }
        tables
    }
}

/// Per pool (as [`SourcePool::cache_id`] names it), the tables named in the policy.
static EXPECTED_TABLES: std::sync::Mutex<BTreeMap<String, BTreeSet<String>>> =
    std::sync::Mutex::new(BTreeMap::new());

/// One connection made directly, before the pool, so that a database that is down is
/// reported at once with the driver's own reason (`Connection refused`) instead of a pool
/// timing out. A refused connection is tried again a few times, briefly (a server that is
/// starting); anything else fails at once.
pub(crate) async fn first_connection<C: sqlx::Connection>(
    options: &<C as sqlx::Connection>::Options,
) -> Result<()> {
    let mut wait = Duration::from_millis(100);
    let mut attempt = 1;
    loop {
        match C::connect_with(options).await {
            Ok(connection) => {
                let _ = connection.close().await;
                return Ok(());
            }
            Err(sqlx::Error::Io(error))
                if error.kind() == std::io::ErrorKind::ConnectionRefused && attempt < 4 =>
            {
                tokio::time::sleep(wait).await;
                wait *= 2;
                attempt += 1;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// How the pool of a PostgreSQL or MariaDB source is made (see [`Held`]): two connections
/// at most, one kept for statements that follow each other and one for a statement beside
/// them; connections opened for this command and used at once, so not tested before each
/// use (a statement that finds its connection ended by the server deals with it).
pub fn server_pool<DB: sqlx::Database>() -> sqlx::pool::PoolOptions<DB> {
    sqlx::pool::PoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
}

/// Quotes an identifier that [`crate::policy::is_sql_table_name`] accepted, per dialect.
pub fn quote(engine: Engine, name: &str) -> String {
    let one = |part: &str| match engine {
        Engine::Mysql => format!("`{}`", part.replace('`', "``")),
        Engine::Sqlite | Engine::Postgres => format!("\"{}\"", part.replace('"', "\"\"")),
    };
    name.split('.').map(one).collect::<Vec<_>>().join(".")
}

/// The URL of a source, from its environment variable or its SQLite path.
pub(crate) fn source_url(policy: &Policy, source: &SourceDef) -> Result<String> {
    if let Some(path) = policy.sqlite_path(&source.source) {
        if !path.exists() {
            bail!(
                "source `{}`: the SQLite database {} does not exist",
                source.id(),
                path.display()
            );
        }
        return crate::fsutil::sqlite_url(&path)
            .with_context(|| format!("source `{}`", source.id()));
    }
    let env = source
        .source
        .url_env
        .as_ref()
        .map(|e| e.get_ref().as_str())
        .unwrap_or_default();
    std::env::var(env).with_context(|| {
        format!(
            "source `{}`: the environment variable {env} with its connection URL is not set",
            source.id()
        )
    })
}

/// Whether a connection may go without TLS: the server is on this machine (loopback) and
/// nothing asks for TLS (no `ssl...` parameter in the URL, no `PGSSLMODE` for
/// PostgreSQL). Over loopback TLS protects nothing, the traffic never leaving the host,
/// and its handshake is most of a short command's connection time (about 10 ms of a
/// `consent check`). Any other server keeps the driver's default (TLS when offered).
pub(crate) fn plain_loopback(url: &str, host: &str, engine: Engine) -> bool {
    let asks = url
        .split_once('?')
        .is_some_and(|(_, query)| query.to_ascii_lowercase().contains("ssl"))
        || (engine == Engine::Postgres && std::env::var_os("PGSSLMODE").is_some());
    !asks && matches!(host, "localhost" | "127.0.0.1" | "::1" | "[::1]")
}

/// `PRAGMA journal_mode` with `change` (empty to read it): the connection's mode after,
/// in lower case, or None when SQLite could not answer.
async fn journal_mode(pool: &SqlitePool, change: &str) -> Option<String> {
    sqlx::query_scalar::<_, String>(&format!("PRAGMA journal_mode{change}"))
        .fetch_one(pool)
        .await
        .ok()
        .map(|mode| mode.to_ascii_lowercase())
}

/// A SQLite source's log sync deferred for a sweep ([`SourcePool::defer_log_sync`]).
///
/// Only the `-wal` file is ever opened beside SQLite, never the database file: SQLite
/// keeps its locks on the database file with POSIX advisory locks, and closing any
/// handle of a process on a file releases all of that process's locks on it. Without
/// its shared lock, another process closing its last connection could fold and delete
/// the log this connection still writes to. SQLite takes no lock on the log file.
#[derive(Debug)]
pub(crate) struct LogSync {
    /// The connection's `synchronous` level before, when it was changed.
    restore: Option<i64>,
    /// The database file, as SQLite names it (its log is this path with `-wal`), or
    /// None when SQLite could not say, which [`SourcePool::sync_log`] reports.
    file: Option<String>,
    /// The log's background sync started by [`LogSync::write_behind`], if one is running.
    behind: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl LogSync {
    fn log(&self) -> Option<std::path::PathBuf> {
        self.file
            .as_ref()
            .map(|file| std::path::PathBuf::from(format!("{file}-wal")))
    }

    /// After a chunk's commit: the log is synced on a thread of its own, so that the
    /// disk writes what the chunks committed while the next chunks run, rather than all
    /// of it in the sync that ends the table. A speed-up only, and errors are ignored
    /// here: [`SourcePool::sync_log`] syncs the log again and reports. Starts no thread
    /// while the one before is still running.
    pub(crate) fn write_behind(&self) {
        let Some(log) = self.log() else {
            return;
        };
        let Ok(mut behind) = self.behind.lock() else {
            return;
        };
        if behind
            .as_ref()
            .is_some_and(|running| !running.is_finished())
        {
            return;
        }
        *behind = std::thread::Builder::new()
            .name("privops-log-sync".into())
            .spawn(move || {
                // Never created: while the connection is open in write-ahead-log mode,
                // its log exists.
                if let Ok(file) = std::fs::OpenOptions::new().write(true).open(log) {
                    let _ = file.sync_data();
                }
            })
            .ok();
    }

    /// Waits for the thread [`LogSync::write_behind`] started, if any (blocking).
    fn join_behind(&self) {
        if let Some(thread) = self.behind.lock().ok().and_then(|mut b| b.take()) {
            let _ = thread.join();
        }
    }
}

impl SourcePool {
    /// A SQLite source read through `pool`.
    pub fn sqlite(pool: SqlitePool) -> SourcePool {
        SourcePool::Sqlite(rows::SqliteReader::default(), pool)
    }

    pub async fn connect(policy: &Policy, source: &SourceDef) -> Result<SourcePool> {
        SourcePool::connect_to(source, source_url(policy, source)?).await
    }

    /// [`SourcePool::connect`] to a URL given rather than read where the policy says.
    pub async fn connect_to(source: &SourceDef, url: String) -> Result<SourcePool> {
        let shown = redact_url(&url);
        let failed = || format!("source `{}`: cannot connect to {shown}", source.id());
        let timeout = Duration::from_secs(10);
        let pool = match source.source.engine {
            Engine::Sqlite => {
                let options = SqliteConnectOptions::from_str(&url)
                    .with_context(failed)?
                    .create_if_missing(false)
                    .busy_timeout(Duration::from_secs(30))
                    // The schema's own foreign-key actions (ON DELETE SET NULL, CASCADE)
                    // hold on SQLite sources as they do on the server engines.
                    .foreign_keys(true)
                    // Erased and swept rows are overwritten in the file, not left readable
                    // in its free pages.
                    .pragma("secure_delete", "ON")
                    // Statement journals (the pages a statement changes, as they were
                    // before: the rows an erasure removes) and temporary tables stay in
                    // memory, not in an unnamed file under /var/tmp, outside any folder
                    // privops protects.
                    .pragma("temp_store", "MEMORY")
                    // Rows cross from SQLite's worker thread in larger batches: fewer
                    // thread switches when exports stream millions of rows.
                    .row_buffer_size(4096);
                // One connection for the whole process: it is never recycled, so a
                // journal mode set for a run of chunked deletes stays with it.
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .max_lifetime(None)
                    .idle_timeout(None)
                    .acquire_timeout(timeout)
                    .connect_with(options)
                    .await
                    .with_context(failed)?;
                // SQLite opens any file; reading its catalogue tells a database from a
                // file that is something else, while the source can still be named.
                sqlx::query("SELECT COUNT(*) FROM sqlite_master")
                    .execute(&pool)
                    .await
                    .with_context(failed)?;
                SourcePool::sqlite(pool)
            }
            Engine::Postgres => {
                let mut options = PgConnectOptions::from_str(&url).with_context(failed)?;
                if plain_loopback(&url, options.get_host(), Engine::Postgres) {
                    options = options.ssl_mode(sqlx::postgres::PgSslMode::Disable);
                }
                first_connection::<sqlx::PgConnection>(&options)
                    .await
                    .with_context(failed)?;
                // Opened by the first statement, which keeps it: a connection opened here
                // would be tested on its way back to the pool while that statement asked
                // for one, which then opened a second.
                SourcePool::Postgres(Held::from(
                    server_pool::<sqlx::Postgres>().connect_lazy_with(options),
                ))
            }
            Engine::Mysql => {
                let mut options = MySqlConnectOptions::from_str(&url).with_context(failed)?;
                if plain_loopback(&url, options.get_host(), Engine::Mysql) {
                    options = options.ssl_mode(sqlx::mysql::MySqlSslMode::Disabled);
                }
                first_connection::<sqlx::MySqlConnection>(&options)
                    .await
                    .with_context(failed)?;
                SourcePool::Mysql(Held::from(
                    server_pool::<sqlx::MySql>().connect_lazy_with(options),
                ))
            }
        };
        pool.expect_tables(source.tables.iter().map(|t| t.table.name()));
        Ok(pool)
    }

    /// Every table and its columns as the database has them. Tables outside the
    /// connection's default schema are named `schema.table`.
    pub async fn schema(&self) -> Result<BTreeMap<String, BTreeSet<String>>> {
        let rows: Vec<(String, String)> = match self {
            SourcePool::Sqlite(_, pool) => {
                sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master AS m \
                     JOIN pragma_table_info(m.name) AS p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                     AND m.name NOT LIKE '_sqlx_%'",
                )
                .fetch_all(pool)
                .await?
            }
            SourcePool::Postgres(pool) => on_held!(pool, |c| sqlx::query_as(
                "SELECT CASE WHEN c.table_schema = current_schema() THEN c.table_name::text \
                            ELSE c.table_schema || '.' || c.table_name END, c.column_name::text \
                     FROM information_schema.columns c \
                     JOIN information_schema.tables t \
                       ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                     WHERE t.table_type = 'BASE TABLE' \
                       AND c.table_schema NOT IN ('pg_catalog', 'information_schema') \
                       AND c.table_schema NOT LIKE 'pg_toast%'",
            )
            .fetch_all(c))?,
            SourcePool::Mysql(pool) => on_held!(pool, |c| sqlx::query_as(
                "SELECT CAST(c.table_name AS CHAR), CAST(c.column_name AS CHAR) \
                     FROM information_schema.columns c \
                     JOIN information_schema.tables t \
                       ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                     WHERE t.table_type = 'BASE TABLE' AND c.table_schema = DATABASE()",
            )
            .fetch_all(c))?,
        };
        let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (table, column) in rows {
            tables.entry(table).or_default().insert(column);
        }
        Ok(tables)
    }

    /// SQLite in rollback-journal mode, before many chunked commits in a row (sweeps,
    /// offboarding): the journal file is kept between commits (`journal_mode =
    /// PERSIST`, as durable as `DELETE`; only the connection's mode changes, not the
    /// file's) instead of being created, grown and deleted at each one, which costs the
    /// file system an allocation of every block again. Returns whether the mode was
    /// changed; [`SourcePool::release_journal`] puts it back and removes the file.
    pub(crate) async fn keep_journal(&self) -> bool {
        let SourcePool::Sqlite(_, pool) = self else {
            return false;
        };
        // Only a speed-up: a database that cannot answer now keeps its mode.
        journal_mode(pool, "").await.as_deref() == Some("delete")
            && journal_mode(pool, " = PERSIST").await.as_deref() == Some("persist")
    }

    /// SQLite in write-ahead-log mode, before many chunked commits in a row (sweeps): the
    /// connection commits without syncing the log (`synchronous = NORMAL`), and
    /// [`SourcePool::sync_log`] syncs it once, before anything is reported. A commit at
    /// `FULL` syncs the log every time; a sweep of 50,000 due rows among 10,000,000
    /// spent 160 ms of its 590 ms of chunks in those syncs, where one `DELETE` syncs once.
    /// Between chunks, [`LogSync::write_behind`] syncs the log off the sweep's path, so
    /// that the sync at the end finds little left to write (130-170 ms down to about 15
    /// ms on that sweep). A chunk committed and not yet synced can be lost to a power
    /// cut, never half applied: SQLite's recovery replays the log's commits up to the
    /// first frame that did not reach the disk whole, and the rows of the chunks it drops
    /// are due again for the next sweep. Returns what [`SourcePool::sync_log`] needs: in
    /// write-ahead-log mode always (unless SQLite cannot say where the file is and the
    /// level is `FULL`, which is then kept), so that the log is synced even where the
    /// level was already below `FULL` or could not be read. Rollback-journal mode is left
    /// alone: there `NORMAL` can corrupt the file.
    pub(crate) async fn defer_log_sync(&self) -> Option<LogSync> {
        let SourcePool::Sqlite(_, pool) = self else {
            return None;
        };
        if !self.write_ahead_log().await {
            return None;
        }
        let level: Option<i64> = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(pool)
            .await
            .ok();
        let file: Option<String> =
            sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(pool)
                .await
                .ok()
                .filter(|file: &String| !file.is_empty());
        // Without the file there is no log to sync: a connection at `FULL` keeps its
        // level and syncs each commit; one already below it is reported by `sync_log`.
        if file.is_none() && level.is_some_and(|level| level >= 2) {
            return None;
        }
        let restore = match level {
            // Only a speed-up: a level that cannot be changed is kept.
            Some(level) if level >= 2 => sqlx::query("PRAGMA synchronous = NORMAL")
                .execute(pool)
                .await
                .ok()
                .map(|_| level),
            _ => None,
        };
        Some(LogSync {
            restore,
            file,
            behind: std::sync::Mutex::new(None),
        })
    }

    /// Ends what [`SourcePool::defer_log_sync`] started (a no-op for `None`): the
    /// write-ahead log is synced to disk, every chunk committed since with it, and the
    /// connection's level is put back. Chunks the sweep's own folds copied into the
    /// database file were synced there by the fold (at `NORMAL`, SQLite syncs the file
    /// after each checkpoint); the file is not opened here ([`LogSync`] says why). What
    /// reaches the disk is then what commits at `FULL` would have put there. An error
    /// means that what the chunks did may not have reached the disk, and must not be
    /// reported as done.
    pub(crate) async fn sync_log(&self, deferred: Option<LogSync>) -> Result<()> {
        let (SourcePool::Sqlite(_, pool), Some(deferred)) = (self, deferred) else {
            return Ok(());
        };
        let restored = match deferred.restore {
            Some(level) => sqlx::query(&format!("PRAGMA synchronous = {level}"))
                .execute(pool)
                .await
                .map(|_| ())
                .context("putting the source's synchronous level back"),
            None => Ok(()),
        };
        let Some(log) = deferred.log() else {
            bail!("the source's write-ahead log has no file to sync");
        };
        tokio::task::spawn_blocking(move || {
            // The sync in the background first, so that none outlives the table.
            deferred.join_behind();
            // Opened for writing, as some systems require to flush a file; never created:
            // while this connection is open in write-ahead-log mode, its log exists.
            std::fs::OpenOptions::new()
                .write(true)
                .open(&log)?
                .sync_all()
        })
        .await?
        .context("syncing the source's write-ahead log to disk")?;
        restored
    }

    /// Whether the source is a SQLite file in write-ahead-log mode.
    pub(crate) async fn write_ahead_log(&self) -> bool {
        match self {
            SourcePool::Sqlite(_, pool) => journal_mode(pool, "").await.as_deref() == Some("wal"),
            _ => false,
        }
    }

    /// Ends what [`SourcePool::keep_journal`] started (a no-op when it changed nothing).
    /// The mode is put back only if the connection still keeps its journal: had the
    /// application switched the file to WAL meanwhile, the connection follows the file
    /// and is left alone. Should it fail, the file left has a cleared header: SQLite
    /// reads it as no journal and removes it at the next commit.
    pub(crate) async fn release_journal(&self, kept: bool) {
        if let (SourcePool::Sqlite(_, pool), true) = (self, kept)
            && journal_mode(pool, "").await.as_deref() == Some("persist")
        {
            let _ = journal_mode(pool, " = DELETE").await;
        }
    }

    /// Closes the pool's connections. A SQLite source's connection is closed before this
    /// returns, so that a write-ahead log is folded into the file, erased rows with it.
    pub async fn close(&self) {
        match self {
            SourcePool::Sqlite(reader, pool) => {
                // The reader first, so that the pool's connection, closing last, folds a
                // write-ahead log into the file.
                // Off the runtime's thread: closing waits for statements still reading.
                let closing = reader.clone();
                let _ = tokio::task::spawn_blocking(move || closing.close()).await;
                // `Pool::close` may return while a connection whose statement just ended
                // is still on its way back to the pool: that connection then lands in the
                // closed pool's idle queue and stays open, and so does the log, whose
                // pages hold the erasure while the file's pages still hold the rows. The
                // pool's one connection is taken out and closed first.
                if let Ok(connection) = pool.acquire().await {
                    let _ = sqlx::Connection::close(connection.detach()).await;
                }
                pool.close().await
            }
            SourcePool::Postgres(pool) => pool.close().await,
            SourcePool::Mysql(pool) => pool.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Held by the tests that fold logs: [`crate::store::fold_logs`] folds every SQLite
    /// file this process wrote to, so one test's fold would race another's on that
    /// other test's file (its checkpoint busy while the first one's runs).
    static FOLDING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    /// A SQLite file in write-ahead-log mode holding `rows` rows of `t (id, email)`, the
    /// log holding the last change, and a pool of one connection on it.
    async fn logged_source(file: &std::path::Path, rows: i64) -> SqlitePool {
        let options = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap();
        sqlx::raw_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT)")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
             INSERT INTO t SELECT i, 'someone@example.com' FROM n WHERE i <= ?;",
        )
        .bind(rows)
        .bind(rows)
        .execute(&pool)
        .await
        .unwrap();
        pool
    }

    fn log_of(file: &std::path::Path) -> std::path::PathBuf {
        let mut log = file.as_os_str().to_owned();
        log.push("-wal");
        log.into()
    }

    async fn synchronous(pool: &SqlitePool) -> i64 {
        sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(pool)
            .await
            .unwrap()
    }

    /// On a source in write-ahead-log mode, a sweep's chunks commit at `NORMAL`, and
    /// syncing the log puts `FULL` back. A connection already at `NORMAL` has its log
    /// synced all the same, and a log that cannot be synced is an error. A source in
    /// rollback-journal mode keeps `FULL` throughout: there, `NORMAL` could corrupt the
    /// file.
    #[tokio::test]
    async fn only_a_write_ahead_log_defers_its_sync() {
        let _folding = FOLDING.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.db");
        let pool = logged_source(&file, 10).await;
        let source = SourcePool::sqlite(pool.clone());
        assert_eq!(synchronous(&pool).await, 2);
        let deferred = source.defer_log_sync().await.unwrap();
        assert_eq!(deferred.restore, Some(2));
        assert_eq!(synchronous(&pool).await, 1);
        sqlx::query("DELETE FROM t WHERE id <= 5")
            .execute(&pool)
            .await
            .unwrap();
        assert!(log_of(&file).exists());
        // Synced behind the chunks; the sync that ends the table waits for the thread.
        deferred.write_behind();
        deferred.join_behind();
        assert!(deferred.behind.lock().unwrap().is_none());
        deferred.write_behind();
        assert!(deferred.behind.lock().unwrap().is_some());
        source.sync_log(Some(deferred)).await.unwrap();
        assert_eq!(synchronous(&pool).await, 2);
        // Nothing deferred, nothing to do.
        source.sync_log(None).await.unwrap();
        assert_eq!(synchronous(&pool).await, 2);

        // Left at NORMAL (a level that could not be put back): still synced.
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&pool)
            .await
            .unwrap();
        let deferred = source.defer_log_sync().await.unwrap();
        assert_eq!(deferred.restore, None);
        source.sync_log(Some(deferred)).await.unwrap();
        assert_eq!(synchronous(&pool).await, 1);

        // A log that is not there was not synced, and the sync behind the chunks does
        // not create one.
        let deferred = source.defer_log_sync().await.unwrap();
        std::fs::remove_file(log_of(&file)).unwrap();
        deferred.write_behind();
        let behind = deferred.behind.lock().unwrap().take().unwrap();
        behind.join().unwrap();
        assert!(!log_of(&file).exists(), "the sync behind created a log");
        let error = source.sync_log(Some(deferred)).await.unwrap_err();
        assert!(
            format!("{error:#}").contains("syncing the source's write-ahead log"),
            "{error:#}"
        );
        pool.close().await;

        let file = dir.path().join("journal.db");
        let options = SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Delete);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap();
        let source = SourcePool::sqlite(pool.clone());
        assert!(source.defer_log_sync().await.is_none());
        assert_eq!(synchronous(&pool).await, 2);
        pool.close().await;
    }

    /// Syncing a sweep's log leaves SQLite's own locks on the database file in place:
    /// the database file is never opened and closed beside SQLite, since closing any
    /// handle on a file drops all of the process's POSIX locks on it, and without its
    /// shared lock another process could fold and delete the log still in use.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn syncing_the_log_keeps_the_locks_on_the_file() {
        use std::os::unix::fs::MetadataExt;
        let _folding = FOLDING.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("locked.db");
        let pool = logged_source(&file, 10).await;
        let source = SourcePool::sqlite(pool.clone());
        let inode = std::fs::metadata(&file).unwrap().ino();
        // This process's locks on the file, as the kernel lists them.
        let locks = || {
            let pid = std::process::id().to_string();
            std::fs::read_to_string("/proc/locks")
                .unwrap()
                .lines()
                .filter(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    fields.get(4) == Some(&pid.as_str())
                        && fields
                            .get(5)
                            .and_then(|device| device.rsplit(':').next())
                            .is_some_and(|ino| ino == inode.to_string())
                })
                .count()
        };
        sqlx::query("DELETE FROM t WHERE id <= 5")
            .execute(&pool)
            .await
            .unwrap();
        let held = locks();
        assert!(
            held > 0,
            "SQLite holds no lock on the file in write-ahead-log mode"
        );
        let deferred = source.defer_log_sync().await.unwrap();
        sqlx::query("DELETE FROM t WHERE id <= 8")
            .execute(&pool)
            .await
            .unwrap();
        deferred.write_behind();
        source.sync_log(Some(deferred)).await.unwrap();
        assert_eq!(locks(), held, "syncing the log dropped SQLite's locks");
        pool.close().await;
    }

    /// Once a SQLite source is closed, no statement opens its reader again (a reader
    /// opened after the close would hold the log open): the statement fails instead.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_closed_sqlite_source_reads_no_more() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("closed.db");
        let source = SourcePool::sqlite(logged_source(&file, 3).await);
        let select = crate::sql::Sql::new("SELECT id FROM t ORDER BY id");
        let mut seen = 0;
        source
            .for_each_row(&select, &[rows::Kind::Int], |_| {
                seen += 1;
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(seen, 3);
        source.close().await;
        let late = source
            .for_each_row(&select, &[rows::Kind::Int], |_| Ok(()))
            .await;
        assert!(late.is_err(), "a closed source read rows");
        assert!(!log_of(&file).exists(), "the log is left after close");
    }

    /// A statement given up half-way (its rows no longer wanted) still reads on its own
    /// thread until its next batch; closing the source interrupts it and waits for it, so
    /// the log is folded, and at once, however long the batch would have taken.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn closing_a_sqlite_source_interrupts_a_statement_given_up() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("given_up.db");
        let source = SourcePool::sqlite(logged_source(&file, 4000).await);
        // The first batch (1,024 rows) comes at once; each of the 3 rows after it costs
        // the reader a count to 100,000,000 (seconds each).
        let slow = crate::sql::Sql::new(
            "SELECT id, CASE WHEN id <= 1024 THEN 0 ELSE (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000 + id - id) SELECT COUNT(*) FROM c) END FROM t WHERE id <= 1027 ORDER BY id",
        );
        let first = tokio::sync::Notify::new();
        tokio::select! {
            read = source.for_each_row(&slow, &[rows::Kind::Int, rows::Kind::Int], |_| {
                first.notify_one();
                Ok(())
            }) => panic!("the statement ended first: {read:?}"),
            () = first.notified() => {}
        }
        let closing = std::time::Instant::now();
        source.close().await;
        assert!(
            closing.elapsed() < std::time::Duration::from_secs(10),
            "closing waited {:?} for the given-up statement",
            closing.elapsed()
        );
        assert!(
            !log_of(&file).exists(),
            "the log is left after close: the given-up reader outlived it"
        );
    }

    /// A policy of one SQLite source, `app.db` in `dir`, with a table `t (id, email)`.
    fn app_policy(dir: &std::path::Path) -> Policy {
        crate::policy::testing::sqlite_policy(
            dir,
            r#"
[[table]]
name = "t"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
"#,
        )
    }

    /// The source of [`app_policy`], connected as a command connects it.
    async fn app_source(dir: &std::path::Path) -> SourcePool {
        let policy = app_policy(dir);
        SourcePool::connect(&policy, &policy.sources[0])
            .await
            .unwrap()
    }

    fn sqlite_pool(source: &SourcePool) -> &SqlitePool {
        match source {
            SourcePool::Sqlite(_, pool) => pool,
            _ => panic!("not a SQLite source"),
        }
    }

    /// A SQLite source keeps statement journals and temporary tables in memory: an
    /// erasure's statement journal holds the rows it removes, as they were.
    #[tokio::test]
    async fn a_sqlite_source_keeps_statement_journals_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        logged_source(&dir.path().join("app.db"), 1)
            .await
            .close()
            .await;
        let source = app_source(dir.path()).await;
        let pool = sqlite_pool(&source);
        let (store,): (i64,) = sqlx::query_as("PRAGMA temp_store")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(store, 2, "temp_store is not MEMORY");
        let mut read = Vec::new();
        source
            .for_each_row(
                &crate::sql::Sql::new("PRAGMA temp_store"),
                &[rows::Kind::Int],
                |row| {
                    read.push(row[0].clone());
                    Ok(())
                },
            )
            .await
            .unwrap();
        assert_eq!(read, [2], "the reader's temp_store is not MEMORY");
        source.close().await;
    }

    /// Offboarding picks its chunk target by the file's journal: a file in write-ahead-log
    /// mode is told from one with a rollback journal, kept (PERSIST) or not.
    #[tokio::test]
    async fn a_sqlite_source_tells_a_write_ahead_log() {
        let dir = tempfile::tempdir().unwrap();
        logged_source(&dir.path().join("app.db"), 1)
            .await
            .close()
            .await;
        let source = app_source(dir.path()).await;
        assert!(source.write_ahead_log().await);
        sqlx::query("PRAGMA journal_mode = DELETE")
            .execute(sqlite_pool(&source))
            .await
            .unwrap();
        assert!(!source.write_ahead_log().await);
        let kept = source.keep_journal().await;
        assert!(kept);
        assert!(!source.write_ahead_log().await);
        source.release_journal(kept).await;
        source.close().await;
    }

    /// On SQLite, the first table whose columns are asked for brings the columns of the
    /// policy's other tables in the same statement, by name as `PRAGMA table_info` looks
    /// them up; a missing table is an error naming it.
    #[tokio::test]
    async fn a_sqlite_source_reads_the_policy_tables_columns_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.db");
        let setup = logged_source(&file, 1).await;
        sqlx::raw_sql("CREATE TABLE u (code TEXT PRIMARY KEY, t_id INTEGER, note BLOB)")
            .execute(&setup)
            .await
            .unwrap();
        setup.close().await;
        let source = app_source(dir.path()).await;
        // A schema the connection does not know fails no other table's lookup.
        source.expect_tables(["t", "u", "public.v"]);
        let names = |columns: &[rows::ColumnInfo]| -> Vec<String> {
            columns.iter().map(|c| c.name.clone()).collect()
        };
        assert_eq!(
            names(&source.table_columns("t").await.unwrap()),
            ["id", "email"]
        );
        let other = source.cached_columns("u").expect("u read with t");
        assert_eq!(names(&other), ["code", "t_id", "note"]);
        let missing = source.table_columns("nope").await.unwrap_err();
        assert!(missing.to_string().contains("`nope`"), "{missing}");
        source.close().await;
    }

    /// A SQLite source a command only read is not checkpointed when the command ends: the
    /// log its application writes stays the application's.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_sqlite_source_only_read_is_left_to_its_application() {
        let _folding = FOLDING.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.db");
        // The application: its connection open, its last write in the log.
        let application = logged_source(&file, 0).await;
        sqlx::query("INSERT INTO t VALUES (1, 'alice@example.com')")
            .execute(&application)
            .await
            .unwrap();
        let source = app_source(dir.path()).await;
        let mut seen = 0;
        source
            .for_each_row(
                &crate::sql::Sql::new("SELECT id FROM t"),
                &[rows::Kind::Int],
                |_| {
                    seen += 1;
                    Ok(())
                },
            )
            .await
            .unwrap();
        assert_eq!(seen, 1);
        std::mem::forget(source);
        let log = log_of(&file);
        let before = std::fs::metadata(&log).unwrap().len();
        assert!(before > 0);
        crate::store::fold_logs().await;
        assert_eq!(
            std::fs::metadata(&log).unwrap().len(),
            before,
            "the application's log was checkpointed by a read"
        );
        application.close().await;
    }

    /// A SQLite source a command changed has its log folded into its file when the
    /// command ends ([`crate::store::fold_logs`]), even if its pool was dropped rather than
    /// closed: the file then holds the change, not the value before it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_sqlite_source_left_open_is_folded_when_the_command_ends() {
        let _folding = FOLDING.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.db");
        let setup = logged_source(&file, 0).await;
        sqlx::query("INSERT INTO t VALUES (1, 'alice@example.com')")
            .execute(&setup)
            .await
            .unwrap();
        setup.close().await;
        let source = app_source(dir.path()).await;
        let pool = sqlite_pool(&source);
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(pool)
            .await
            .unwrap();
        let mut tx = source.begin().await.unwrap();
        tx.execute(&crate::sql::Sql::new("UPDATE t SET email = 'erased'"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // A pool nobody closes: its connection stays open until the process ends.
        std::mem::forget(source);
        let log = log_of(&file);
        assert!(std::fs::metadata(&log).is_ok_and(|m| m.len() > 0));
        crate::store::fold_logs().await;
        assert!(
            std::fs::metadata(&log).map_or(true, |m| m.len() == 0),
            "the log still holds pages"
        );
        let bytes = std::fs::read(&file).unwrap();
        let alice = b"alice@example.com";
        assert!(
            !bytes.windows(alice.len()).any(|w| w == alice),
            "the file still holds the value changed"
        );
    }

    #[test]
    fn only_a_loopback_server_nobody_asked_tls_of_goes_without() {
        let pg = Engine::Postgres;
        assert!(plain_loopback(
            "postgres://u@127.0.0.1:5432/db",
            "127.0.0.1",
            pg
        ));
        assert!(plain_loopback(
            "mysql://root@localhost/db",
            "localhost",
            Engine::Mysql
        ));
        assert!(!plain_loopback(
            "postgres://u@db.example:5432/db",
            "db.example",
            pg
        ));
        assert!(!plain_loopback(
            "postgres://u@127.0.0.1/db?sslmode=require",
            "127.0.0.1",
            pg
        ));
        assert!(!plain_loopback(
            "mysql://root@127.0.0.1/db?ssl-mode=REQUIRED",
            "127.0.0.1",
            Engine::Mysql
        ));
        assert!(!plain_loopback("postgres://u@10.0.0.5/db", "10.0.0.5", pg));
    }

    /// A connection given back to the pool just before `close` is closed too, however
    /// the return and the close interleave: the source's log is folded and removed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn closing_a_sqlite_source_folds_its_log() {
        let dir = tempfile::tempdir().unwrap();
        for round in 0..30 {
            let file = dir.path().join(format!("wal{round}.db"));
            let pool = logged_source(&file, 1).await;
            let source = SourcePool::sqlite(pool.clone());
            // The statement's connection goes back to the pool on a task of its own.
            sqlx::query("DELETE FROM t").execute(&pool).await.unwrap();
            source.close().await;
            let log = dir.path().join(format!("wal{round}.db-wal"));
            assert!(
                !log.exists(),
                "round {round}: the log is still there after close"
            );
        }
    }

    #[test]
    fn quoting_follows_the_dialect() {
        assert_eq!(quote(Engine::Postgres, "crm.Leads"), "\"crm\".\"Leads\"");
        assert_eq!(quote(Engine::Mysql, "orders"), "`orders`");
        assert_eq!(quote(Engine::Sqlite, "a\"b"), "\"a\"\"b\"");
    }
}
