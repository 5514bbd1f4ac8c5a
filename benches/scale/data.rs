//! Scenarios on synthetic subject databases: access export, subject lookup, erasure of
//! one subject and of many, retention sweeps. Each compares privops with the same work
//! written by hand and run by the database.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use privops::policy::Policy;
use privops::sources::SourcePool;
use privops::subject::Subject;

use super::{Options, Report, block_on, block_on_one_thread, privops};

/// Where a scenario's data lives: a SQLite file, or a PostgreSQL database.
#[derive(Clone)]
pub enum Target {
    Sqlite(PathBuf),
    Postgres { admin: String, name: String },
}

/// Reads every row of `sql` through rusqlite, each value copied out as a driver hands it
/// over; returns the number of rows.
fn drain(conn: &rusqlite::Connection, sql: &str, params: impl rusqlite::Params) -> usize {
    let mut statement = conn.prepare(sql).unwrap();
    let columns = statement.column_count();
    let mut rows = statement.query(params).unwrap();
    let mut count = 0;
    while let Some(row) = rows.next().unwrap() {
        for i in 0..columns {
            std::hint::black_box(rusqlite::types::Value::from(row.get_ref(i).unwrap()));
        }
        count += 1;
    }
    count
}

impl Target {
    pub fn engine(&self) -> &'static str {
        match self {
            Target::Sqlite(_) => "sqlite",
            Target::Postgres { .. } => "postgres",
        }
    }

    pub fn url(&self) -> String {
        match self {
            Target::Sqlite(path) => format!("sqlite://{}", path.display()),
            Target::Postgres { admin, name } => format!(
                "{}/{name}",
                admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b)
            ),
        }
    }

    pub(super) fn fresh(&self) {
        match self {
            Target::Sqlite(path) => {
                let _ = std::fs::remove_file(path);
                std::fs::File::create(path).unwrap();
            }
            Target::Postgres { admin, name } => psql(
                admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE); CREATE DATABASE {name}"),
            ),
        }
    }

    /// A copy, so that privops and the hand-written SQL start from the same data.
    pub(super) fn copy(&self, suffix: &str) -> Target {
        match self {
            Target::Sqlite(path) => {
                let copy = path.with_extension(format!("{suffix}.db"));
                std::fs::copy(path, &copy).unwrap();
                // Written out before anything is timed: the first commit's sync would
                // otherwise also flush the whole copy.
                std::fs::File::open(&copy).unwrap().sync_all().unwrap();
                Target::Sqlite(copy)
            }
            Target::Postgres { admin, name } => {
                let copy = format!("{name}_{suffix}");
                // As for SQLite, the copy is written out before anything is timed: a copy
                // is written through the server's log, and the checkpoint that follows
                // would otherwise flush it while the first figure is being measured.
                psql(
                    admin,
                    &format!(
                        "DROP DATABASE IF EXISTS {copy} WITH (FORCE); CREATE DATABASE {copy} TEMPLATE {name}; CHECKPOINT"
                    ),
                );
                Target::Postgres {
                    admin: admin.clone(),
                    name: copy,
                }
            }
        }
    }

    pub(super) fn drop_it(&self) {
        // BENCH_KEEP=1: the database stays after the run, for a profiler.
        if std::env::var_os("BENCH_KEEP").is_some() {
            println!("# database kept: {}", self.url());
            return;
        }
        match self {
            Target::Sqlite(path) => {
                let _ = std::fs::remove_file(path);
            }
            Target::Postgres { admin, name } => psql(
                admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            ),
        }
    }

    /// Runs SQL (several statements) on a connection of its own, closed before the clock
    /// stops, and returns how long it took.
    pub fn run(&self, sql: &str) -> Duration {
        let url = self.url();
        let sql = sql.to_string();
        block_on(async move {
            use sqlx::Connection;
            // Connecting, running and closing, as a job on its own does (and as privops's
            // whole process does): closing the last connection to a SQLite file in
            // write-ahead-log mode removes the log, 55 ms for a 200 MB one.
            let started = Instant::now();
            if url.starts_with("sqlite") {
                let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
                sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
                conn.close().await.unwrap();
            } else {
                let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
                conn.close().await.unwrap();
            }
            started.elapsed()
        })
    }

    /// Reads every row the statements return, each value copied out as a driver hands
    /// it over. SQLite through `rusqlite`, as privops reads its sources' rows (sqlx's
    /// SQLite driver hands rows over one by one from its worker thread, at a third of
    /// the speed); PostgreSQL as [`Target::run`].
    pub fn read(&self, statements: &[&str]) -> Duration {
        let Target::Sqlite(path) = self else {
            return self.run(&statements.join("; "));
        };
        let started = Instant::now();
        let conn = rusqlite::Connection::open(path).unwrap();
        for sql in statements {
            drain(&conn, sql, []);
        }
        started.elapsed()
    }

    /// The best hand-written lookup and erasure of one person by e-mail address: a warm
    /// connection (opened and used before the clock starts), values bound, each table
    /// reached through its index; returns the lookup's time and the lookup's and the
    /// deletes' together.
    pub(super) fn lookup_and_erase(&self, email: &str) -> (Duration, Duration) {
        if let Target::Sqlite(path) = self {
            // Through rusqlite, as privops reads SQLite sources' rows.
            let mut conn = rusqlite::Connection::open(path).unwrap();
            conn.query_row("SELECT 1", [], |_| Ok(())).unwrap();
            let started = Instant::now();
            let id: i64 = conn
                .query_row("SELECT id FROM people WHERE email = ?1", [email], |row| {
                    row.get(0)
                })
                .unwrap();
            let events = drain(
                &conn,
                "SELECT id, person_id, kind, payload, at FROM events WHERE person_id = ?1",
                [id],
            );
            let people = drain(
                &conn,
                "SELECT id, email, name, created_at FROM people WHERE id = ?1",
                [id],
            );
            assert!(events > 0 && people == 1);
            let lookup = started.elapsed();
            let tx = conn.transaction().unwrap();
            tx.execute("DELETE FROM events WHERE person_id = ?1", [id])
                .unwrap();
            tx.execute("DELETE FROM people WHERE id = ?1", [id])
                .unwrap();
            tx.commit().unwrap();
            return (lookup, started.elapsed());
        }
        let url = self.url();
        let email = email.to_string();
        block_on(async move {
            use sqlx::Connection;
            let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
            sqlx::query("SELECT 1").execute(&mut conn).await.unwrap();
            let started = Instant::now();
            let id: i64 = sqlx::query_scalar("SELECT id FROM people WHERE email = $1")
                .bind(&email)
                .fetch_one(&mut conn)
                .await
                .unwrap();
            let events = sqlx::query(
                "SELECT id, person_id, kind, payload, at FROM events WHERE person_id = $1",
            )
            .bind(id)
            .fetch_all(&mut conn)
            .await
            .unwrap();
            let people =
                sqlx::query("SELECT id, email, name, created_at FROM people WHERE id = $1")
                    .bind(id)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            assert!(!events.is_empty() && people.len() == 1);
            let lookup = started.elapsed();
            let mut tx = sqlx::Connection::begin(&mut conn).await.unwrap();
            sqlx::query("DELETE FROM events WHERE person_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query("DELETE FROM people WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            (lookup, started.elapsed())
        })
    }

    pub(super) fn count(&self, sql: &str) -> i64 {
        let url = self.url();
        let sql = sql.to_string();
        block_on(async move {
            use sqlx::Connection;
            if url.starts_with("sqlite") {
                let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
                sqlx::query_scalar::<_, i64>(&sql)
                    .fetch_one(&mut conn)
                    .await
                    .unwrap()
            } else {
                let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::query_scalar::<_, i64>(&sql)
                    .fetch_one(&mut conn)
                    .await
                    .unwrap()
            }
        })
    }
}

fn psql(admin: &str, sql: &str) {
    let admin = admin.to_string();
    let sql = sql.to_string();
    block_on(async move {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        for statement in sql.split("; ") {
            sqlx::query(statement).execute(&mut conn).await.unwrap();
        }
    });
}

/// `people` (identity e-mail) and their `events`; `daily` holds rolled-up counts.
fn schema(target: &Target) -> &'static str {
    match target {
        Target::Sqlite(_) => "PRAGMA journal_mode = WAL;
            CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, created_at TEXT);
            CREATE TABLE events (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, kind TEXT, payload TEXT, at TEXT);
            CREATE TABLE daily (day TEXT NOT NULL, kind TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (day, kind));",
        Target::Postgres { .. } => "CREATE TABLE people (id BIGINT PRIMARY KEY, email TEXT NOT NULL, name TEXT, created_at TEXT);
            CREATE TABLE events (id BIGINT PRIMARY KEY, person_id BIGINT NOT NULL, kind TEXT, payload TEXT, at TEXT);
            CREATE TABLE daily (day TEXT NOT NULL, kind TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (day, kind));",
    }
}

pub(super) fn series(target: &Target, count: usize, select: &str, into: &str) -> String {
    match target {
        Target::Sqlite(_) => format!(
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {count}) INSERT INTO {into} SELECT {select} FROM s;"
        ),
        Target::Postgres { .. } => {
            format!("INSERT INTO {into} SELECT {select} FROM generate_series(1, {count}) AS s(i);")
        }
    }
}

/// `people` people; `events` events spread over them (or all on person 1 when
/// `one_subject`); events are dated `expired_share` in the past (expired) and the rest recent.
pub(super) fn build(
    target: &Target,
    people: usize,
    events: usize,
    one_subject: bool,
    expired_every: usize,
) {
    target.fresh();
    let started = Instant::now();
    let text = |expr: &str| match target {
        Target::Sqlite(_) => expr.to_string(),
        Target::Postgres { .. } => expr.replace("||", "|| ").to_string(),
    };
    let person = if one_subject {
        "1".to_string()
    } else {
        format!("(i % {people}) + 1")
    };
    let kind = "CASE i % 3 WHEN 0 THEN 'reply' WHEN 1 THEN 'booking' ELSE 'draft' END";
    let day = match target {
        Target::Sqlite(_) => {
            "'2025-0' || ((i % 9) + 1) || '-1' || (i % 9) || 'T10:00:00Z'".to_string()
        }
        Target::Postgres { .. } => {
            "'2025-0' || ((i % 9) + 1) || '-1' || (i % 9) || 'T10:00:00Z'".to_string()
        }
    };
    let at =
        format!("CASE WHEN i % {expired_every} = 0 THEN {day} ELSE '2026-11-20T10:00:00Z' END");
    // `people_email` serves the direct queries, `people_email_lower` privops's e-mail
    // lookups (which ignore case).
    let sql = format!(
        "{}\n{}\n{}\nCREATE INDEX people_email ON people (email);\nCREATE INDEX people_email_lower ON people (lower(email));\nCREATE INDEX events_person ON events (person_id);\nCREATE INDEX events_at ON events (at);\n",
        schema(target),
        series(
            target,
            people,
            &text("i, 'user' || i || '@bench.example', 'Person ' || i, '2026-01-01T00:00:00Z'"),
            "people"
        ),
        series(
            target,
            events,
            &format!("i, {person}, {kind}, 'payload of event ' || i, {at}"),
            "events"
        ),
    );
    target.run(&sql);
    if matches!(target, Target::Postgres { .. }) {
        // Settled as a live table is once autovacuum has been by: every copy starts from
        // the same pages (hint bits set, all-visible), and no autovacuum of the freshly
        // loaded rows runs under a later measurement.
        target.run("VACUUM (FREEZE, ANALYZE)");
    }
    println!(
        "# {}: {people} people, {events} events built in {:.1} s",
        target.engine(),
        started.elapsed().as_secs_f64()
    );
}

const POLICY: &str = r#"
[controller]
organisation = "Bench"
dpo = { name = "DPO", email = "dpo@bench.example" }

[[identity]]
kind = "email"
normalise = "email"

[[purpose]]
id = "service"
title = "Service"
basis = "contract"

[source]
id = "app"
engine = "ENGINE"
url_env = "BENCH_DATABASE_URL"

[[table]]
name = "people"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
name = "user.name"
created_at = "system.operations"

[[table]]
name = "events"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
person_id = "system.operations"
kind = "system.operations"
payload = "user.content.message"
at = "system.operations"
[[table.relation]]
columns = ["person_id"]
references = "people"
[table.retention]
period = "30d"
from = "at"
then = "THEN"
ROLLUP

[[table]]
name = "daily"
aggregate = true
key = ["day", "kind"]
[table.columns]
day = "system.aggregate"
kind = "system.aggregate"
n = "system.aggregate"
"#;

pub(super) fn workspace(target: &Target, then: &str) -> (tempfile::TempDir, PathBuf) {
    let mut temp = tempfile::tempdir().unwrap();
    if std::env::var_os("BENCH_KEEP").is_some() {
        temp.disable_cleanup(true);
        println!("# workspace kept: {}", temp.path().display());
    }
    let dir = temp.path().join("policies");
    std::fs::create_dir_all(&dir).unwrap();
    let rollup = if then == "rollup" {
        "[table.retention.rollup]\ninto = \"daily\"\ngroup = { day = { column = \"at\", truncate = \"day\" }, kind = { column = \"kind\" } }\nmeasures = { n = { op = \"count\" } }"
    } else {
        ""
    };
    std::fs::write(
        dir.join("policy.toml"),
        POLICY
            .replace("ENGINE", target.engine())
            .replace("THEN", then)
            .replace("ROLLUP", rollup),
    )
    .unwrap();
    let path = temp.path().to_path_buf();
    super::init(&path);
    (temp, path)
}

fn cmd(dir: &Path, target: &Target) -> Command {
    let mut command = privops(dir, None);
    command
        .env("BENCH_DATABASE_URL", target.url())
        .env("PRIVOPS_NOW", "2026-11-25T12:00:00Z");
    command
}

/// Runs a command under /usr/bin/time when present; returns wall time and peak memory (KiB).
pub(super) fn measure(mut command: Command) -> (Duration, Option<u64>) {
    let started = Instant::now();
    let timed = Path::new("/usr/bin/time").exists();
    let output = if timed {
        let program = command.get_program().to_owned();
        let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
        let mut wrapped = Command::new("/usr/bin/time");
        wrapped.arg("-v");
        // BENCH_PERF=DIR: each measured run is also profiled, into DIR/<n>.perf.data, with
        // call graphs unwound from the stack's copy when BENCH_PERF_DWARF is set (the
        // release build keeps no frame pointers).
        if let Some(dir) = std::env::var_os("BENCH_PERF") {
            static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
            let n = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let graph = match std::env::var_os("BENCH_PERF_DWARF") {
                Some(_) => "--call-graph=dwarf,32768",
                None => "-g",
            };
            wrapped
                .args(["perf", "record", graph, "-q", "-o"])
                .arg(Path::new(&dir).join(format!("{n}.perf.data")));
        }
        wrapped
            .arg(program)
            .args(args)
            .current_dir(command.get_current_dir().unwrap_or(Path::new(".")));
        for (k, v) in command.get_envs() {
            if let Some(v) = v {
                wrapped.env(k, v);
            }
        }
        wrapped.output().unwrap()
    } else {
        command.output().unwrap()
    };
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 4, "privops failed ({code}): {stderr}");
    let peak = stderr.lines().find_map(|l| {
        l.trim()
            .strip_prefix("Maximum resident set size (kbytes): ")
            .and_then(|v| v.parse().ok())
    });
    (elapsed, peak)
}

pub fn access_export(options: &Options, report: &mut Report, target: &Target) {
    // The subject's rows one after the other (keys in runs, read as ranges), then every
    // other row theirs (keys one by one).
    for interleaved in [false, true] {
        if interleaved {
            build(target, 2, options.export_rows * 2, false, 1_000_000_000);
        } else {
            build(target, 1_000, options.export_rows, true, 1_000_000_000);
        }
        let (_temp, dir) = workspace(target, "delete");
        let mut command = cmd(&dir, target);
        command.args([
            "access",
            "--no-providers",
            "--subject",
            "email:user1@bench.example",
            "--out",
            "export.zip",
            "--force",
        ]);
        let (elapsed, peak) = measure(command);
        // Direct: the database reads the same rows (and the driver decodes them).
        let direct = target.read(&[
            "SELECT * FROM people WHERE email = 'user1@bench.example'",
            "SELECT * FROM events WHERE person_id = 1",
        ]);
        let rows = options.export_rows + 1;
        let rate = rows as f64 / elapsed.as_secs_f64();
        let note = format!(
            "{rate:.0} rows/s into the archive (target >= 500,000); peak memory {} (target <= 50 MB)",
            peak.map_or("unknown".to_string(), |k| format!(
                "{:.0} MB",
                k as f64 / 1024.0
            ))
        );
        report.add(
            if interleaved {
                "access export of one subject, rows between another's (whole process)"
            } else {
                "access export of one subject (whole process)"
            },
            target.engine(),
            format!("{rows} rows"),
            elapsed,
            direct,
            note,
        );
        target.drop_it();
    }
}

pub fn lookup_and_erase_one(options: &Options, report: &mut Report, target: &Target) {
    build(
        target,
        options.people,
        options.children,
        false,
        1_000_000_000,
    );
    let policy_dir = workspace(target, "delete");
    let policy = Policy::load_valid(&policy_dir.1.join("policies")).unwrap();
    let subject = Subject {
        kind: "email".into(),
        value: format!("user{}@bench.example", options.people / 2),
    };
    let id = options.people / 2;
    // Lookup: the traversal against the same queries by hand (identity, then children).
    let privops_copy = target.copy("privops");
    let direct_copy = target.copy("direct");
    let url = privops_copy.url();
    let (lookup, erase) = block_on_one_thread(async {
        let source = &policy.sources[0];
        let pool = connect(source, &url).await;
        let started = Instant::now();
        let mut found = privops::plan::traverse::traverse(
            &policy,
            &pool,
            source,
            std::slice::from_ref(&subject),
            &[],
        )
        .await
        .unwrap();
        let lookup = started.elapsed();
        assert!(found.rows() > 1);
        let started = Instant::now();
        let key = privops::subject::SubjectKey::from_bytes(b"bench-subject-key-0123456789");
        let plan = privops::plan::erase::plan(
            &policy,
            &pool,
            source,
            &mut found,
            &key,
            privops::time::now(),
        )
        .await
        .unwrap();
        privops::plan::erase::execute(&pool, &plan).await.unwrap();
        let erase = started.elapsed() + lookup;
        // The same lookup again for another subject, in the same process: what the first
        // one spent on the source's catalogue and on preparing its statements.
        let other = Subject {
            kind: "email".into(),
            value: format!("user{}@bench.example", options.people / 2 + 1),
        };
        let started = Instant::now();
        privops::plan::traverse::traverse(&policy, &pool, source, &[other], &[])
            .await
            .unwrap();
        println!(
            "# {}: subject lookup {:.2} ms the first time in a process, {:.2} ms the next",
            target.engine(),
            lookup.as_secs_f64() * 1e3,
            started.elapsed().as_secs_f64() * 1e3
        );
        (lookup, erase)
    });
    let (direct_lookup, direct_erase) = direct_copy.lookup_and_erase(&subject.value);
    report.add(
        "subject lookup (traversal)",
        target.engine(),
        format!("{} people, {} events", options.people, options.children),
        lookup,
        direct_lookup,
        "target <= 1.5x; direct: the same rows read on a warm connection, values bound".into(),
    );
    let left = privops_copy.count(&format!(
        "SELECT COUNT(*) FROM events WHERE person_id = {id}"
    ));
    assert_eq!(left, 0);
    report.add(
        "erase one subject (plan + execute)",
        target.engine(),
        format!("{} people, {} events", options.people, options.children),
        erase,
        direct_erase,
        "target <= 1.5x of the hand-written lookup and deletes, on a warm connection".into(),
    );

    // Many subjects from a file, whole process (journal, audit trail, receipt included).
    let (_temp, dir) = workspace(target, "delete");
    let list = dir.join("leaving.txt");
    let many = options.erase_many.min(options.people / 2);
    std::fs::write(
        &list,
        (1..=many)
            .map(|i| format!("email:user{i}@bench.example\n"))
            .collect::<String>(),
    )
    .unwrap();
    let mut command = cmd(&dir, &privops_copy);
    command
        .args(["erase", "--yes", "--quiet", "--subjects-file"])
        .arg(&list);
    let (elapsed, _) = measure(command);
    let direct = direct_copy.run(&delete_first_people(target, many));
    let rate = many as f64 / elapsed.as_secs_f64();
    report.add(
        "erase --subjects-file (whole process)",
        target.engine(),
        format!("{many} subjects"),
        elapsed,
        direct,
        format!("{rate:.0} subjects/s (target >= 10,000)"),
    );
    privops_copy.drop_it();
    direct_copy.drop_it();
    target.drop_it();
}

/// The best hand-written erasure of the first `many` people and their events, in one
/// transaction. On PostgreSQL the people's ids go as an array: written `IN (SELECT …)`,
/// the planner takes the 100,000 events spread through the table's 10,000,000 as a hash
/// join over a full scan (1,086 ms on a fresh copy) rather than walking `events_person`
/// (63 ms). SQLite walks the index either way.
pub(super) fn delete_first_people(target: &Target, many: usize) -> String {
    let people = format!("SELECT id FROM people WHERE id <= {many}");
    let events = match target {
        Target::Postgres { .. } => format!("person_id = ANY(ARRAY({people}))"),
        Target::Sqlite(_) => format!("person_id IN ({people})"),
    };
    format!(
        "BEGIN; DELETE FROM events WHERE {events}; DELETE FROM people WHERE id <= {many}; COMMIT;"
    )
}

/// A source's pool as privops opens it (its settings, the policy's tables expected),
/// used once before any clock starts, as the hand-written baselines' connections are
/// (`SELECT 1`).
async fn connect(source: &privops::policy::SourceDef, url: &str) -> SourcePool {
    let pool = SourcePool::connect_to(source, url.to_string())
        .await
        .unwrap();
    match &pool {
        SourcePool::Sqlite(_, p) => drop(sqlx::query("SELECT 1").execute(p).await.unwrap()),
        SourcePool::Postgres(p) => drop(
            sqlx::query("SELECT 1")
                .execute(&mut *p.lease().await.unwrap())
                .await
                .unwrap(),
        ),
        SourcePool::Mysql(p) => drop(
            sqlx::query("SELECT 1")
                .execute(&mut *p.lease().await.unwrap())
                .await
                .unwrap(),
        ),
    }
    pool
}

pub fn retention(options: &Options, report: &mut Report, target: &Target) {
    // Every event is past its period, or one in `--expired-every`.
    build(
        target,
        10_000,
        options.expired * options.expired_every,
        false,
        options.expired_every,
    );
    let expired = target.count("SELECT COUNT(*) FROM events WHERE at < '2026-10-26T12:00:00Z'");
    let delete = "DELETE FROM events WHERE at < '2026-10-26T12:00:00Z'";
    // On SQLite with the page cache privops's sweep uses (64 MB), not SQLite's 2 MB.
    let delete = match target {
        Target::Sqlite(_) => format!("PRAGMA cache_size = -65536; {delete}"),
        Target::Postgres { .. } => delete.to_string(),
    };
    let direct_copy = target.copy("direct");
    let direct = direct_copy.run(&delete);
    // Dropped at once: on PostgreSQL, autovacuum would otherwise clean up its deleted
    // rows while the sweeps below are measured.
    direct_copy.drop_it();
    // privops deletes from SQLite with secure_delete on, so that no swept row stays
    // readable in the file's free space: the same result, written by hand (the same
    // cache, and temporary storage in memory, as privops's connection).
    let secure = matches!(target, Target::Sqlite(_)).then(|| {
        let copy = target.copy("secure");
        let took = copy.run(&format!(
            "PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; {delete}"
        ));
        copy.drop_it();
        took
    });
    // The same result as a roll-up, by hand: the due rows summed into `daily` as the
    // policy's roll-up sums them (day, kind, count), then deleted, in one transaction.
    // On PostgreSQL, summing the rows a `WITH ... DELETE ... RETURNING` returns took
    // longer (2.27 s against 1.60 s, 2,000,000 rows all due).
    let cutoff = "at < '2026-10-26T12:00:00Z'";
    let rollup = format!(
        "BEGIN; INSERT INTO daily (day, kind, n) SELECT substr(at, 1, 10), kind, COUNT(*) FROM events WHERE {cutoff} \
         GROUP BY substr(at, 1, 10), kind ON CONFLICT (day, kind) DO UPDATE SET n = daily.n + excluded.n; \
         DELETE FROM events WHERE {cutoff}; COMMIT;"
    );
    let rollup = match target {
        Target::Sqlite(_) => format!("PRAGMA cache_size = -65536; {rollup}"),
        Target::Postgres { .. } => rollup,
    };
    let rollup_copy = target.copy("direct_rollup");
    let direct_rollup = rollup_copy.run(&rollup);
    // What `daily` holds after it: privops's roll-up must leave the same.
    let totals = |copy: &Target| {
        (
            copy.count("SELECT COUNT(*) FROM daily"),
            copy.count("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM daily"),
        )
    };
    let rolled_by_hand = totals(&rollup_copy);
    rollup_copy.drop_it();
    let mut sweeps = Vec::new();
    for then in ["delete", "rollup"] {
        let copy = target.copy(then);
        let (_temp, dir) = workspace(target, then);
        let mut command = cmd(&dir, &copy);
        command.args(["retention", "sweep", "--format", "json"]);
        let started = Instant::now();
        let output = command.output().unwrap();
        let elapsed = started.elapsed();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let table = &summary["tables"][0];
        assert_eq!(table["done"].as_i64().unwrap(), expired);
        if then == "rollup" {
            assert_eq!(totals(&copy), rolled_by_hand, "the same roll-up as by hand");
        }
        let longest = table["longest_chunk_ms"].as_u64().unwrap_or(0);
        let throughput =
            |baseline: Duration| (baseline.as_secs_f64() / elapsed.as_secs_f64()).min(99.0);
        sweeps.push(elapsed);
        // A deletion against one DELETE; a roll-up against the same roll-up by hand, and
        // one DELETE beside it.
        let (baseline, against) = match then {
            "delete" => (
                direct,
                format!(
                    "throughput {:.2}x of one DELETE (target >= 0.9x)",
                    throughput(direct)
                ),
            ),
            _ => (
                direct_rollup,
                format!(
                    "throughput {:.2}x of the same roll-up by hand (target >= 0.9x), {:.2}x of one DELETE",
                    throughput(direct_rollup),
                    throughput(direct)
                ),
            ),
        };
        report.add(
            &format!("retention sweep, then = {then} (whole process)"),
            target.engine(),
            format!("{expired} expired rows"),
            elapsed,
            baseline,
            format!(
                "{against}{}; longest chunk {longest} ms (target <= 500); walks {}",
                secure
                    .filter(|_| then == "delete")
                    .map_or(String::new(), |s| format!(
                        ", {:.2}x of the same with secure_delete on ({:.3} s)",
                        s.as_secs_f64() / elapsed.as_secs_f64(),
                        s.as_secs_f64()
                    )),
                table["walks"]
            ),
        );
        copy.drop_it();
    }
    println!(
        "# roll-up costs {:+.0}% against plain deletion (target <= +30%); by hand, {:+.0}%",
        (sweeps[1].as_secs_f64() / sweeps[0].as_secs_f64() - 1.0) * 100.0,
        (direct_rollup.as_secs_f64() / direct.as_secs_f64() - 1.0) * 100.0
    );
    target.drop_it();
}
