//! Shared test helpers: the binary in a hermetic environment, demo workspaces, and
//! one fresh PostgreSQL or MariaDB database per test.
#![allow(dead_code, clippy::disallowed_macros)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use sqlx::Connection;

pub const SUBJECT_KEY: &str = "test-subject-key-0123456789abcdef";

/// The time every command of the suite runs at unless a test sets another: the demo's
/// rows, cutoffs and deadlines never depend on the day the suite runs.
pub const FIXED_NOW: &str = "2026-11-25T12:00:00Z";

/// The binary with a cleared environment, run in `dir`.
pub fn privops(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_privops"));
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("PRIVOPS_ACTOR", "tester")
        .env("PRIVOPS_NOW", FIXED_NOW)
        .env("NO_COLOR", "1");
    // A suite run under libfaketime (to prove no test depends on the day it runs on)
    // shifts the binary's clock too.
    for variable in ["LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC"] {
        if let Some(value) = std::env::var_os(variable) {
            command.env(variable, value);
        }
    }
    command
}

/// Runs `privops init` as `command` would run: in its folder, with its `--policy` and
/// `--state` and its environment. Only `init` and `demo` create a state store.
pub fn init_like(command: &Command) {
    let dir = command.get_current_dir().expect("commands run in a folder");
    let mut init = privops(dir);
    init.arg("init");
    let args: Vec<&std::ffi::OsStr> = command.get_args().collect();
    for (i, arg) in args.iter().enumerate() {
        if (*arg == "--policy" || *arg == "--state") && i + 1 < args.len() {
            init.arg(arg).arg(args[i + 1]);
        }
    }
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => init.env(name, value),
            None => init.env_remove(name),
        };
    }
    expect(init, 0);
}

/// The machine's real time `minutes` from now, as privops stores times, read through
/// SQLite's clock: for leases, which are about processes running at the same real time.
pub fn wall_clock_text(minutes: i64) -> String {
    block_on(async move {
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        let (text,): (String,) = sqlx::query_as(&format!(
            "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '{minutes:+} minutes')"
        ))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        text
    })
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

pub fn run(mut command: Command) -> Run {
    command.output().expect("the binary runs").into()
}

/// Runs and asserts the exit code, showing the output when it differs.
pub fn expect(command: Command, code: i32) -> Run {
    let result = run(command);
    assert_eq!(
        result.code, code,
        "unexpected exit code\nstdout:\n{}\nstderr:\n{}",
        result.stdout, result.stderr
    );
    result
}

/// A demo workspace in a temporary folder.
pub struct Demo {
    pub temp: tempfile::TempDir,
    pub dir: PathBuf,
    pub samples: Vec<String>,
}

impl Demo {
    pub fn new() -> Demo {
        let temp = tempfile::tempdir().unwrap();
        let mut command = privops(temp.path());
        command.args(["demo", "--dir", "ws", "--format", "json"]);
        let out = expect(command, 0).json();
        let dir = PathBuf::from(out["workspace"].as_str().unwrap());
        let samples = out["sample_subjects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect();
        Demo { temp, dir, samples }
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut command = privops(&self.dir);
        command.args(args);
        command
    }
}

/// A uniquely named database on a server, dropped when the guard goes.
pub struct TestDatabase {
    pub url: String,
    admin_url: String,
    name: String,
    pub postgres: bool,
    /// A PostgreSQL role made for this database alone, dropped with it.
    role: Option<String>,
}

fn unique_name() -> String {
    format!(
        "privops_test_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    )
}

pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// A server test's URL. Without it the test skips and says so, unless
/// `PRIVOPS_REQUIRE_SERVERS` is set (as CI sets it): then a missing URL fails the test.
pub fn server_url(variable: &str, test: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("PRIVOPS_REQUIRE_SERVERS").is_some() => {
            panic!("{test}: {variable} is not set and PRIVOPS_REQUIRE_SERVERS is")
        }
        _ => {
            eprintln!("SKIPPED {test}: {variable} is not set");
            None
        }
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    format!("{root}/{name}{query}")
}

impl TestDatabase {
    /// A fresh PostgreSQL database, or None (the test says it skipped) without the URL.
    pub fn postgres(test: &str) -> Option<TestDatabase> {
        let admin_url = server_url("PRIVOPS_TEST_POSTGRES_URL", test)?;
        let name = unique_name();
        block_on(async {
            let mut conn = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("PostgreSQL is reachable");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
        });
        Some(TestDatabase {
            url: with_database(&admin_url, &name),
            admin_url,
            name,
            postgres: true,
            role: None,
        })
    }

    /// A fresh MariaDB/MySQL database, or None without the URL.
    pub fn mysql(test: &str) -> Option<TestDatabase> {
        let admin_url = server_url("PRIVOPS_TEST_MYSQL_URL", test)?;
        let name = unique_name();
        block_on(async {
            let mut conn = sqlx::MySqlConnection::connect(&admin_url)
                .await
                .expect("MariaDB is reachable");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
        });
        Some(TestDatabase {
            url: with_database(&admin_url, &name),
            admin_url,
            name,
            postgres: false,
            role: None,
        })
    }

    /// PostgreSQL: the URL of a new role, owner of this database, that the server lets
    /// open one connection at a time (dropped with the database).
    pub fn one_connection_owner(&mut self) -> String {
        assert!(self.postgres && self.role.is_none());
        let role = format!("{}_one", self.name);
        self.execute(&format!(
            "CREATE ROLE {role} LOGIN CONNECTION LIMIT 1; ALTER DATABASE {} OWNER TO {role}",
            self.name
        ));
        self.role = Some(role.clone());
        let start = self.url.find("://").map_or(0, |i| i + 3);
        let host = match self.url[start..].find('@') {
            Some(at) => start + at + 1,
            None => start,
        };
        format!("{}{role}@{}", &self.url[..start], &self.url[host..])
    }

    /// Runs SQL statements (separated by `;` at line ends) in this database.
    pub fn execute(&self, sql: &str) {
        let url = self.url.clone();
        let postgres = self.postgres;
        let sql = sql.to_string();
        block_on(async move {
            if postgres {
                let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
            } else {
                let mut conn = sqlx::MySqlConnection::connect(&url).await.unwrap();
                sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
            }
        });
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let postgres = self.postgres;
        let role = self.role.take();
        block_on(async move {
            if postgres {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                    if let Some(role) = role {
                        let _ = sqlx::query(&format!("DROP ROLE IF EXISTS {role}"))
                            .execute(&mut conn)
                            .await;
                    }
                }
            } else if let Ok(mut conn) = sqlx::MySqlConnection::connect(&admin_url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                    .execute(&mut conn)
                    .await;
            }
        });
    }
}

/// Runs SQL against a SQLite file.
pub fn sqlite_execute(path: &Path, sql: &str) {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    let sql = sql.to_string();
    block_on(async move {
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    });
}

/// Creates a SQLite file (0600, as files holding personal data are) and runs `sql` in it.
pub fn sqlite_execute_new(path: &Path, sql: &str) {
    std::fs::File::create(path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    sqlite_execute(path, sql);
}

/// Runs a query on a server database and returns the first column of each row that is
/// not NULL (the query casts it to text).
pub fn server_strings(db: &TestDatabase, sql: &str) -> Vec<String> {
    let url = db.url.clone();
    let postgres = db.postgres;
    let sql = sql.to_string();
    block_on(async move {
        let rows: Vec<(Option<String>,)> = if postgres {
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap()
        } else {
            let mut conn = sqlx::MySqlConnection::connect(&url).await.unwrap();
            sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap()
        };
        rows.into_iter().filter_map(|(v,)| v).collect()
    })
}

/// A SQLite database privops wrote to in chunks is left as it was found: in
/// rollback-journal mode (`delete`), with no journal file beside it.
pub fn assert_journal_as_found(path: &Path) {
    let journal = path.with_file_name(format!(
        "{}-journal",
        path.file_name().unwrap().to_string_lossy()
    ));
    assert!(!journal.exists(), "{} was left behind", journal.display());
    assert_eq!(sqlite_strings(path, "PRAGMA journal_mode"), ["delete"]);
}

/// Runs a query against a SQLite file and returns the first column of each row as text.
pub fn sqlite_strings(path: &Path, sql: &str) -> Vec<String> {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    let sql = sql.to_string();
    block_on(async move {
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        let rows: Vec<(String,)> = sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap();
        // Closed before returning: a connection only dropped closes on the driver's
        // thread later, and a statement that needs the file alone (leaving write-ahead-log
        // mode, VACUUM) then finds it still open.
        conn.close().await.unwrap();
        rows.into_iter().map(|(s,)| s).collect()
    })
}

/// A provider API on 127.0.0.1 that answers with `handler` and records every request.
pub struct MockProvider {
    pub url: String,
    pub log: std::sync::Arc<std::sync::Mutex<Vec<MockRequest>>>,
    server: std::sync::Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Debug, Clone)]
pub struct MockRequest {
    /// The request's body (its first 64 KiB).
    pub body: String,
    pub method: String,
    pub url: String,
    pub authorization: Option<String>,
    /// Every header, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl MockRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the mock answers: status, extra headers, body, and a delay before answering.
pub struct MockAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: std::time::Duration,
    /// Spaces sent after the body, generated as they are written (a huge answer costs
    /// the mock no memory).
    pub padding: usize,
    /// Sent with chunked transfer encoding, without a Content-Length.
    pub chunked: bool,
}

impl MockAnswer {
    pub fn json(status: u16, body: serde_json::Value) -> MockAnswer {
        MockAnswer {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string(),
            delay: std::time::Duration::ZERO,
            padding: 0,
            chunked: false,
        }
    }
    pub fn raw(status: u16, body: &str) -> MockAnswer {
        MockAnswer {
            status,
            headers: Vec::new(),
            body: body.to_string(),
            delay: std::time::Duration::ZERO,
            padding: 0,
            chunked: false,
        }
    }
    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> MockAnswer {
        let mut answer = MockAnswer::raw(status, "");
        answer.headers.push(("Location".into(), location.into()));
        answer
    }
}

impl MockProvider {
    /// `handler` gets the request and how many requests came before it.
    pub fn start(
        handler: impl Fn(&MockRequest, usize) -> MockAnswer + Send + 'static,
    ) -> MockProvider {
        let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (server_in, log_in) = (server.clone(), log.clone());
        let thread = std::thread::spawn(move || {
            for mut request in server_in.incoming_requests() {
                let mut body = String::new();
                let _ = std::io::Read::read_to_string(
                    &mut std::io::Read::take(request.as_reader(), 64 * 1024),
                    &mut body,
                );
                let seen = MockRequest {
                    body,
                    method: request.method().to_string(),
                    url: request.url().to_string(),
                    authorization: request
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("Authorization"))
                        .map(|h| h.value.to_string()),
                    headers: request
                        .headers()
                        .iter()
                        .map(|h| {
                            (
                                h.field.as_str().as_str().to_ascii_lowercase(),
                                h.value.to_string(),
                            )
                        })
                        .collect(),
                };
                let count = {
                    let mut log = log_in.lock().unwrap();
                    log.push(seen.clone());
                    log.len() - 1
                };
                let answer = handler(&seen, count);
                std::thread::sleep(answer.delay);
                let length = answer.body.len() + answer.padding;
                let data = std::io::Read::chain(
                    std::io::Cursor::new(answer.body.into_bytes()),
                    std::io::Read::take(std::io::repeat(b' '), answer.padding as u64),
                );
                let mut response = tiny_http::Response::new(
                    tiny_http::StatusCode(answer.status),
                    Vec::new(),
                    data,
                    (!answer.chunked).then_some(length),
                    None,
                );
                if !answer.chunked {
                    response = response.with_chunked_threshold(usize::MAX);
                }
                for (name, value) in answer.headers {
                    response.add_header(
                        tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap(),
                    );
                }
                let _ = request.respond(response);
            }
        });
        MockProvider {
            url,
            log,
            server,
            thread: Some(thread),
        }
    }

    pub fn requests(&self) -> Vec<MockRequest> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A provider that accepts connections on 127.0.0.1 and never answers; counts them.
pub struct SilentProvider {
    pub url: String,
    connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl SilentProvider {
    pub fn start() -> SilentProvider {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = connections.clone();
        // The thread ends with the test process; the streams stay open, unanswered.
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                held.push(stream);
            }
        });
        SilentProvider { url, connections }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A URL on 127.0.0.1 where nothing listens (a port just given back by the system).
pub fn closed_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}")
}

/// Reads one entry of a zip archive as text.
pub fn zip_entry(path: &Path, name: &str) -> Option<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut entry = zip.by_name(name).ok()?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
    Some(text)
}

pub fn zip_names(path: &Path) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    zip.file_names().map(str::to_string).collect()
}

/// Loads a shared dataset script into a test database, without the lines that create
/// or switch databases (see tests/datasets/LOADING.md).
pub fn load_script(db: &TestDatabase, script: &Path) {
    let text = std::fs::read_to_string(script).unwrap();
    let skip = [
        "DROP DATABASE ",
        "CREATE DATABASE ",
        "\\c ",
        "USE ",
        "CREATE USER ",
        "GRANT ",
        "FLUSH PRIVILEGES;",
    ];
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !skip.iter().any(|s| l.starts_with(s)))
        .collect();
    let mut sql = kept.join("\n");
    if !db.postgres {
        sql = format!(
            "SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES');\n{sql}"
        );
    }
    db.execute(&sql);
}

/// The sample databases written by others that the tests load (Chinook, MIT; the Fides
/// sample, Apache-2.0), kept in the repository with their licences.
pub fn datasets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/datasets/sources")
}

/// Every row of every table of a SQLite database, as JSON objects, per table.
pub fn sqlite_dump(path: &Path) -> Dump {
    use sqlx::{Column, Row, TypeInfo, ValueRef};
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    block_on(async move {
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        let tables: Vec<(String,)> = sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let mut dump = std::collections::BTreeMap::new();
        for (table,) in tables {
            let rows = sqlx::query(&format!("SELECT * FROM \"{table}\""))
                .fetch_all(&mut conn)
                .await
                .unwrap();
            let mut out = Vec::new();
            for row in rows {
                let mut object = serde_json::Map::new();
                for (i, column) in row.columns().iter().enumerate() {
                    let raw = row.try_get_raw(i).unwrap();
                    let value = if raw.is_null() {
                        Value::Null
                    } else {
                        match raw.type_info().name() {
                            "INTEGER" => Value::from(row.get::<i64, _>(i)),
                            "REAL" => Value::from(row.get::<f64, _>(i)),
                            "BLOB" => Value::from(format!("{:?}", row.get::<Vec<u8>, _>(i))),
                            _ => Value::from(row.get::<String, _>(i)),
                        }
                    };
                    object.insert(column.name().to_string(), value);
                }
                out.push(object);
            }
            dump.insert(table, out);
        }
        conn.close().await.unwrap();
        in_value_order(dump)
    })
}

pub type Dump = std::collections::BTreeMap<String, Vec<serde_json::Map<String, Value>>>;

/// A table's rows are a set: their physical order (which chunk wrote a row first) is
/// not part of the state, so dumps list them in value order.
fn in_value_order(mut dump: Dump) -> Dump {
    for rows in dump.values_mut() {
        rows.sort_by_cached_key(|row| serde_json::to_string(row).unwrap());
    }
    dump
}

/// Every row of every table of a server database, as JSON objects, per table.
pub fn server_dump(db: &TestDatabase) -> Dump {
    let url = db.url.clone();
    let postgres = db.postgres;
    block_on(async move {
        let mut dump = std::collections::BTreeMap::new();
        if postgres {
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            let tables: Vec<(String,)> = sqlx::query_as("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
                .fetch_all(&mut conn)
                .await
                .unwrap();
            for (table,) in tables {
                let rows: Vec<(String,)> =
                    sqlx::query_as(&format!("SELECT row_to_json(t)::text FROM \"{table}\" t"))
                        .fetch_all(&mut conn)
                        .await
                        .unwrap();
                dump.insert(
                    table,
                    rows.into_iter()
                        .map(|(r,)| serde_json::from_str(&r).unwrap())
                        .collect(),
                );
            }
        } else {
            let mut conn = sqlx::MySqlConnection::connect(&url).await.unwrap();
            let columns: Vec<(String, String)> = sqlx::query_as(
                "SELECT CAST(table_name AS CHAR), CAST(column_name AS CHAR) FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            let mut by_table: std::collections::BTreeMap<String, Vec<String>> =
                std::collections::BTreeMap::new();
            for (table, column) in columns {
                by_table.entry(table).or_default().push(column);
            }
            for (table, columns) in by_table {
                let pairs: Vec<String> = columns.iter().map(|c| format!("'{c}', `{c}`")).collect();
                let sql = format!(
                    "SELECT CAST(JSON_OBJECT({}) AS CHAR) FROM `{table}`",
                    pairs.join(", ")
                );
                let rows: Vec<(String,)> = sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap();
                dump.insert(
                    table,
                    rows.into_iter()
                        .map(|(r,)| serde_json::from_str(&r).unwrap())
                        .collect(),
                );
            }
        }
        in_value_order(dump)
    })
}

/// Copies a folder and everything in it.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A workspace over one application database on an engine (a SQLite file, or a fresh
/// PostgreSQL or MariaDB database reached through `APP_DATABASE_URL`), with its policy
/// and state store; commands run with the suite's subject key and `env`.
pub struct Fixture {
    temp: tempfile::TempDir,
    url: String,
    pub sqlite: Option<PathBuf>,
    server: Option<TestDatabase>,
    env: Vec<(String, String)>,
}

impl Fixture {
    /// None (the test says it skipped) when the engine's server URL is not set.
    pub fn new(
        engine: &str,
        test: &str,
        schema: &str,
        policy: &str,
        env: &[(&str, &str)],
    ) -> Option<Fixture> {
        let temp = tempfile::tempdir().unwrap();
        let (url, sqlite, server) = match engine {
            "sqlite" => {
                let path = temp.path().join("app.db");
                sqlite_execute_new(&path, schema);
                (format!("sqlite://{}", path.display()), Some(path), None)
            }
            "postgres" | "mysql" => {
                let db = if engine == "postgres" {
                    TestDatabase::postgres(test)?
                } else {
                    TestDatabase::mysql(test)?
                };
                db.execute(schema);
                (db.url.clone(), None, Some(db))
            }
            _ => unreachable!(),
        };
        let policy_dir = temp.path().join("policies");
        std::fs::create_dir_all(&policy_dir).unwrap();
        std::fs::write(policy_dir.join("policy.toml"), policy).unwrap();
        let fixture = Fixture {
            temp,
            url,
            sqlite,
            server,
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        init_like(&fixture.cmd(&[]));
        Some(fixture)
    }

    pub fn dir(&self) -> &Path {
        self.temp.path()
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut command = privops(self.dir());
        command
            .args(args)
            .env("APP_DATABASE_URL", &self.url)
            .env("PRIVOPS_SUBJECT_KEY", SUBJECT_KEY);
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }

    pub fn dump(&self) -> Dump {
        match (&self.sqlite, &self.server) {
            (Some(path), _) => sqlite_dump(path),
            (_, Some(db)) => server_dump(db),
            _ => unreachable!(),
        }
    }

    pub fn execute(&self, sql: &str) {
        match (&self.sqlite, &self.server) {
            (Some(path), _) => sqlite_execute(path, sql),
            (_, Some(db)) => db.execute(sql),
            _ => unreachable!(),
        }
    }

    /// The first column of a query's rows, as text.
    pub fn strings(&self, sql: &str) -> Vec<String> {
        match (&self.sqlite, &self.server) {
            (Some(path), _) => sqlite_strings(path, sql),
            (_, Some(db)) => server_strings(db, sql),
            _ => unreachable!(),
        }
    }
}

/// The head of a test policy: the controller, an e-mail identity and one source `app`
/// on `engine`, whose URL is in APP_DATABASE_URL.
pub fn policy_head(engine: &str) -> String {
    format!(
        r#"
[controller]
organisation = "Test Org"
dpo = {{ name = "D. P. O.", email = "dpo@example.com" }}

[[identity]]
kind = "email"
normalise = "email"

[source]
id = "app"
engine = "{engine}"
url_env = "APP_DATABASE_URL"
"#
    )
}

/// Takes write access to a file or folder away from this process while it lives: its
/// mode, and the immutable attribute where mode bits do not bind this user (root).
/// Asserts that `writable` then says no.
pub struct NoWrite {
    path: std::path::PathBuf,
    restore: u32,
    immutable: bool,
}

impl NoWrite {
    /// A folder in which no file can be made: mode 0500 (0700 again afterwards).
    pub fn folder(folder: &Path) -> NoWrite {
        let probe = folder.join("probe");
        let writable = || {
            let made = std::fs::write(&probe, b"").is_ok();
            let _ = std::fs::remove_file(&probe);
            made
        };
        NoWrite::new(folder, 0o500, 0o700, &writable)
    }

    pub fn new(path: &Path, mode: u32, restore: u32, writable: &dyn Fn() -> bool) -> NoWrite {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        let immutable = writable()
            && Command::new("chattr")
                .arg("+i")
                .arg(path)
                .status()
                .is_ok_and(|s| s.success());
        let guard = NoWrite {
            path: path.to_path_buf(),
            restore,
            immutable,
        };
        assert!(
            !writable(),
            "{} could not be made unwritable here",
            path.display()
        );
        guard
    }
}

impl Drop for NoWrite {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.immutable {
            let _ = Command::new("chattr").arg("-i").arg(&self.path).status();
        }
        let mode = std::fs::Permissions::from_mode(self.restore);
        let _ = std::fs::set_permissions(&self.path, mode);
    }
}
