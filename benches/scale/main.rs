#![allow(clippy::disallowed_macros)] // the harness prints its report
//! The bench harness: builds data sets of a chosen size on SQLite and PostgreSQL and
//! prints each privops figure next to the same work done directly by the database (hand-written
//! SQL through the same driver), as a ratio. Run:
//!
//!     cargo bench --bench scale -- [--events N] [--subjects N] [--audit N] [--import N]
//!         [--export-rows N] [--people N] [--children N] [--erase-many N] [--expired N]
//!         [--expired-every N] [--postgres URL] [--offboard-people N] [--offboard-rows N] [--scan-rows N] [--scan-sample N] [--fides-extra N] [--fides-per-row N] [--only consent|import|audit|access|erase|retention|offboard|scan|hosts|fides]
//!         [--engine sqlite|postgres] [--runs N] [--json FILE] [--sqlite-wal]
//!
//! `--postgres` (or PRIVOPS_BENCH_POSTGRES_URL) names a server where a scratch database
//! is created and dropped. Figures are wall-clock on this machine; compare ratios.
//! `--runs N` runs every chosen scenario N times (its data built afresh each time) and
//! ends with each figure's median and spread; `--json FILE` writes every run's figures,
//! so that two runs of the harness can be compared. `--sqlite-wal` puts the SQLite
//! databases offboarding works on in write-ahead-log mode (a rollback journal otherwise).

mod data;
mod fides;
mod hosts;
mod offboard;
mod scan;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use privops::audit;
use privops::store::Store;
use privops::subject::{Subject, SubjectKey};
use sqlx::Connection;

const KEY: &str = "bench-subject-key-0123456789abcdef";

pub struct Options {
    pub events: usize,
    pub subjects: usize,
    pub audit_entries: usize,
    pub import_rows: usize,
    pub export_rows: usize,
    pub people: usize,
    pub children: usize,
    pub erase_many: usize,
    pub expired: usize,
    /// The retention table holds this many times `expired` rows, one in N past its period.
    pub expired_every: usize,
    /// Offboarding: the account's people and rows (as many again in other accounts).
    pub offboard_people: usize,
    pub offboard_rows: usize,
    pub scan_rows: usize,
    pub scan_sample: usize,
    /// The Fides sample: extra rows per table for the customer erased and exported, and
    /// how many rows of each table the per-row pattern is timed on.
    pub fides_extra: usize,
    pub fides_per_row: usize,
    postgres: Option<String>,
    only: Option<String>,
    engine: Option<String>,
    runs: usize,
    json: Option<PathBuf>,
    /// SQLite source databases in write-ahead-log mode (rollback journal by default).
    pub sqlite_wal: bool,
}

fn options() -> Options {
    let mut options = Options {
        events: 1_000_000,
        subjects: 100_000,
        audit_entries: 1_000_000,
        import_rows: 1_000_000,
        export_rows: 1_000_000,
        people: 1_000_000,
        children: 10_000_000,
        erase_many: 10_000,
        expired: 10_000_000,
        expired_every: 1,
        offboard_people: 100_000,
        offboard_rows: 10_000_000,
        scan_rows: 10_000_000,
        scan_sample: 100_000,
        fides_extra: 100_000,
        fides_per_row: 5_000,
        postgres: std::env::var("PRIVOPS_BENCH_POSTGRES_URL").ok(),
        only: None,
        engine: None,
        runs: 1,
        json: None,
        sqlite_wal: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = || args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--events" => options.events = value().parse().expect("--events N"),
            "--subjects" => options.subjects = value().parse().expect("--subjects N"),
            "--audit" => options.audit_entries = value().parse().expect("--audit N"),
            "--import" => options.import_rows = value().parse().expect("--import N"),
            "--export-rows" => options.export_rows = value().parse().expect("--export-rows N"),
            "--people" => options.people = value().parse().expect("--people N"),
            "--children" => options.children = value().parse().expect("--children N"),
            "--erase-many" => options.erase_many = value().parse().expect("--erase-many N"),
            "--expired" => options.expired = value().parse().expect("--expired N"),
            "--expired-every" => {
                options.expired_every = value().parse().expect("--expired-every N");
                assert!(options.expired_every >= 1, "--expired-every N: N >= 1");
            }
            "--offboard-people" => {
                options.offboard_people = value().parse().expect("--offboard-people N")
            }
            "--offboard-rows" => {
                options.offboard_rows = value().parse().expect("--offboard-rows N")
            }
            "--postgres" => options.postgres = Some(value()),
            "--scan-rows" => options.scan_rows = value().parse().expect("--scan-rows N"),
            "--scan-sample" => options.scan_sample = value().parse().expect("--scan-sample N"),
            "--fides-extra" => options.fides_extra = value().parse().expect("--fides-extra N"),
            "--fides-per-row" => {
                options.fides_per_row = value().parse().expect("--fides-per-row N");
                assert!(options.fides_per_row >= 1, "--fides-per-row N: N >= 1");
            }
            "--only" => options.only = Some(value()),
            "--engine" => options.engine = Some(value()),
            "--runs" => {
                options.runs = value().parse().expect("--runs N");
                assert!(options.runs >= 1, "--runs N: N >= 1");
            }
            "--json" => options.json = Some(PathBuf::from(value())),
            "--sqlite-wal" => {
                options.sqlite_wal = true;
                i += 1;
                continue;
            }
            "--bench" => {
                i += 1;
                continue;
            }
            "--help" | "-h" => {
                println!(
                    "cargo bench --bench scale -- [--events N] [--subjects N] [--audit N] [--import N] [--export-rows N] \
                     [--people N] [--children N] [--erase-many N] [--expired N] [--expired-every N] [--postgres URL] \
                     [--offboard-people N] [--offboard-rows N] [--scan-rows N] [--scan-sample N] [--fides-extra N] [--fides-per-row N] [--only consent|import|audit|access|erase|retention|offboard|scan|hosts|fides] [--engine sqlite|postgres] \
                     [--runs N] [--json FILE] [--sqlite-wal]"
                );
                std::process::exit(0);
            }
            other => panic!("unknown option {other}"),
        }
        i += 2;
    }
    options
}

pub struct Report {
    rows: Vec<Figure>,
}

/// One figure of one run.
#[derive(serde::Serialize)]
struct Figure {
    scenario: String,
    engine: String,
    size: String,
    privops_s: f64,
    direct_s: f64,
    ratio: f64,
    note: String,
}

impl Report {
    fn add(
        &mut self,
        scenario: &str,
        engine: &str,
        size: String,
        privops: Duration,
        direct: Duration,
        note: String,
    ) {
        let ratio = privops.as_secs_f64() / direct.as_secs_f64().max(1e-9);
        println!(
            "{scenario} | {engine} | {size} | {:.3} s | {:.3} s | {ratio:.2}x | {note}",
            privops.as_secs_f64(),
            direct.as_secs_f64()
        );
        self.rows.push(Figure {
            scenario: scenario.to_string(),
            engine: engine.to_string(),
            size,
            privops_s: privops.as_secs_f64(),
            direct_s: direct.as_secs_f64(),
            ratio,
            note,
        });
    }

    /// Each figure over the runs: the median of privops's time, of the direct time and
    /// of the ratio (taken run by run), and their spread (lowest to highest).
    fn summary(&self) -> Vec<serde_json::Value> {
        let mut groups: Vec<(&str, &str, &str, Vec<&Figure>)> = Vec::new();
        for figure in &self.rows {
            match groups.iter_mut().find(|(s, e, z, _)| {
                (*s, *e, *z) == (&figure.scenario, &figure.engine, &figure.size)
            }) {
                Some((_, _, _, figures)) => figures.push(figure),
                None => groups.push((&figure.scenario, &figure.engine, &figure.size, vec![figure])),
            }
        }
        let spread = |mut values: Vec<f64>| {
            values.sort_by(f64::total_cmp);
            serde_json::json!({
                "median": values[values.len() / 2],
                "min": values[0],
                "max": values[values.len() - 1],
            })
        };
        groups
            .into_iter()
            .map(|(scenario, engine, size, figures)| {
                serde_json::json!({
                    "scenario": scenario,
                    "engine": engine,
                    "size": size,
                    "runs": figures.len(),
                    "privops_s": spread(figures.iter().map(|f| f.privops_s).collect()),
                    "direct_s": spread(figures.iter().map(|f| f.direct_s).collect()),
                    "ratio": spread(figures.iter().map(|f| f.ratio).collect()),
                })
            })
            .collect()
    }
}

pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// [`block_on`] on a runtime of one thread, as the command line runs privops: a pool's
/// connection goes back to the pool on the same thread, between two statements.
pub fn block_on_one_thread<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// The privops binary of this build, or the one `BENCH_PRIVOPS` names (another build of
/// it, to compare two in the same conditions).
pub fn privops(workspace: &Path, state: Option<&str>) -> Command {
    let binary = std::env::var_os("BENCH_PRIVOPS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_privops")));
    let mut command = Command::new(binary);
    command
        .current_dir(workspace)
        .env("PRIVOPS_SUBJECT_KEY", KEY)
        .env("PRIVOPS_ACTOR", "bench")
        .arg("--quiet");
    if let Some(state) = state {
        command.args(["--state", state]);
    }
    command
}

/// `privops init` in a workspace whose policies are written: the commands that follow
/// find its state store and subject key.
pub fn init(workspace: &Path) {
    let output = privops(workspace, None).arg("init").output().unwrap();
    assert!(
        output.status.success(),
        "privops init failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn run_ok(mut command: Command) -> Duration {
    let started = Instant::now();
    let output = command.stdout(Stdio::null()).output().unwrap();
    let elapsed = started.elapsed();
    assert!(
        output.status.success() || output.status.code() == Some(3),
        "{:?} failed: {}",
        command,
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// A workspace with the example policies; `state` a PostgreSQL URL or the default SQLite.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let mut temp = tempfile::tempdir().unwrap();
    // BENCH_KEEP=1: the workspace stays after the run, for a profiler.
    if std::env::var_os("BENCH_KEEP").is_some() {
        temp.disable_cleanup(true);
        println!("# workspace kept: {}", temp.path().display());
    }
    let policies = temp.path().join("policies");
    for (name, text) in privops::demo::POLICY_FILES {
        let path = policies.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let dir = temp.path().to_path_buf();
    (temp, dir)
}

fn subject(i: usize) -> Subject {
    Subject {
        kind: "email".into(),
        value: format!("user{i}@bench.example"),
    }
}

/// Fills the ledger directly: `events` events over `subjects` subjects, for `marketing`
/// version 1, alternating grant and withdraw so half the subjects end granted.
async fn fill_ledger(store: &Store, subjects: usize, events: usize) {
    let backend = store.backend;
    let key = SubjectKey::from_bytes(KEY.as_bytes());
    let refs: Vec<String> = (0..subjects).map(|i| key.reference(&subject(i))).collect();
    let per_subject = (events / subjects).max(1);
    let mut tx = store.pool.begin().await.unwrap();
    let mut values = Vec::new();
    let mut n = 0usize;
    let flush = async |tx: &mut sqlx::Transaction<'static, sqlx::Any>,
                       values: &mut Vec<(String, String, &'static str, String)>| {
        if values.is_empty() {
            return;
        }
        let mut sql = String::from(
            "INSERT INTO consent_events (event_key, subject_ref, purpose_id, version, action, at, recorded_at, channel, evidence, actor, origin) VALUES ",
        );
        for (i, _) in values.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("({}, 'marketing', 1, {}, '2026-01-01T00:00:00.000000Z', 'web', NULL, 'bench', 'bench')", params(backend, i * 4 + 1, 2), params(backend, i * 4 + 3, 2)));
        }
        let mut query = sqlx::query(&sql);
        for (event_key, subject_ref, action, at) in values.drain(..) {
            query = query
                .bind(event_key)
                .bind(subject_ref)
                .bind(action)
                .bind(at);
        }
        query.execute(&mut **tx).await.unwrap();
    };
    for (s, subject_ref) in refs.iter().enumerate() {
        for e in 0..per_subject {
            // The last event of even subjects is a grant.
            let grant = (per_subject - 1 - e) % 2 == 0;
            let action = if grant == (s % 2 == 0) {
                "grant"
            } else {
                "withdraw"
            };
            let at = format!(
                "2025-{:02}-{:02}T10:00:{:02}.000000Z",
                1 + e % 12,
                1 + e / 12 % 28,
                e % 60
            );
            values.push((format!("bench-{n}"), subject_ref.clone(), action, at));
            n += 1;
            if values.len() == 200 {
                flush(&mut tx, &mut values).await;
            }
        }
    }
    flush(&mut tx, &mut values).await;
    tx.commit().await.unwrap();
}

/// Leaves a store filled directly as privops's own writers leave it: a command that
/// wrote folds SQLite's write-ahead log into the database when it ends
/// (`store::fold_logs`). The harness's connection stays open, so the log is folded here;
/// otherwise each command that finds no other process on the file rebuilds the log's
/// index from hundreds of megabytes (~120 ms a check) and reads every page through the
/// log.
fn settle(store: &Store) {
    if store.backend == privops::store::Backend::Sqlite {
        block_on(sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&store.pool)).unwrap();
    }
}

async fn open(dir: &Path, state: Option<&str>) -> Store {
    Store::open(state, &dir.join(".privops")).await.unwrap()
}

fn consent_scenarios(options: &Options, report: &mut Report, engine: &str, state: Option<&str>) {
    let (_temp, dir) = workspace();
    let store = block_on(open(&dir, state));
    run_ok({
        let mut c = privops(&dir, state);
        c.args(["purpose", "list"]);
        c
    });
    let started = Instant::now();
    block_on(fill_ledger(&store, options.subjects, options.events));
    settle(&store);
    println!(
        "# {engine}: ledger of {} events over {} subjects built in {:.1} s",
        options.events,
        options.subjects,
        started.elapsed().as_secs_f64()
    );

    // One subject, whole process, median of 30; direct: the same query in-process.
    let probe = subject(options.subjects / 2).to_string();
    let samples: Vec<Duration> = (0..30)
        .map(|_| {
            let mut c = privops(&dir, state);
            c.args([
                "consent",
                "check",
                "--purpose",
                "marketing",
                "--subject",
                &probe,
            ]);
            run_ok(c)
        })
        .collect();
    let process = median(samples);
    let key = SubjectKey::from_bytes(KEY.as_bytes());
    let probe_ref = key.reference(&subject(options.subjects / 2));
    let direct = median(
        (0..30)
            .map(|_| {
                block_on(async {
                    let started = Instant::now();
                    let store = open(&dir, state).await;
                    let rows = sqlx::query("SELECT action, version FROM consent_events WHERE subject_ref = $1 AND purpose_id = 'marketing' ORDER BY at DESC, id DESC LIMIT 1")
                        .bind(&probe_ref)
                        .fetch_all(&store.pool)
                        .await
                        .unwrap();
                    assert_eq!(rows.len(), 1);
                    started.elapsed()
                })
            })
            .collect(),
    );
    report.add(
        "consent check, 1 subject (whole process, median)",
        engine,
        format!("{} events", options.events),
        process,
        direct,
        format!(
            "target <= {} ms: {:.1} ms",
            if engine == "sqlite" { 3 } else { 10 },
            process.as_secs_f64() * 1e3
        ),
    );

    // `processing check` for the same subject: everything the answer rests on (consent
    // for the current text, suppression, a rectified identity, restriction and objection)
    // against one hand-written query reading the same facts.
    let samples: Vec<Duration> = (0..30)
        .map(|_| {
            let mut c = privops(&dir, state);
            c.args([
                "processing",
                "check",
                "--purpose",
                "marketing",
                "--subject",
                &probe,
            ]);
            run_ok(c)
        })
        .collect();
    let process = median(samples);
    let direct = median(
        (0..30)
            .map(|_| {
                block_on(async {
                    let started = Instant::now();
                    let store = open(&dir, state).await;
                    let row = sqlx::query(
                        "SELECT \
                           (SELECT action || ':' || CAST(version AS TEXT) FROM consent_events WHERE subject_ref = $1 AND purpose_id = 'marketing' ORDER BY at DESC, id DESC LIMIT 1), \
                           EXISTS (SELECT 1 FROM suppressions WHERE subject_ref = $1), \
                           EXISTS (SELECT 1 FROM subject_moves WHERE old_ref = $1), \
                           (SELECT action FROM processing_limits WHERE subject_ref = $1 AND (kind = 'restriction' OR purpose_id = 'marketing') ORDER BY at DESC, id DESC LIMIT 1)",
                    )
                    .bind(&probe_ref)
                    .fetch_one(&store.pool)
                    .await
                    .unwrap();
                    let _: Option<String> = sqlx::Row::try_get(&row, 0).unwrap();
                    started.elapsed()
                })
            })
            .collect(),
    );
    report.add(
        "processing check, 1 subject (whole process, median)",
        engine,
        format!("{} events", options.events),
        process,
        direct,
        format!("target < 5 ms: {:.1} ms", process.as_secs_f64() * 1e3),
    );

    // Batch of all subjects from a file.
    let batch = dir.join("subjects.txt");
    let text: String = (0..options.subjects)
        .map(|i| format!("{}\n", subject(i)))
        .collect();
    std::fs::write(&batch, text).unwrap();
    let mut c = privops(&dir, state);
    c.args(["consent", "check", "--purpose", "marketing", "--batch"])
        .arg(&batch);
    let elapsed = run_ok(c);
    let refs: Vec<String> = (0..options.subjects)
        .map(|i| key.reference(&subject(i)))
        .collect();
    // The same facts by hand (suppression, move, newest restriction, newest objection,
    // newest consent event of each subject), one statement per 5,000 subjects looked up
    // along the indexes, on two warm connections at once as privops reads them. The rare
    // tables are probed only when they hold a row, and PostgreSQL joins the newest event
    // laterally: the fastest forms found for each engine.
    let rare = |table: &str| format!("CASE WHEN (SELECT EXISTS (SELECT 1 FROM {table})) THEN ");
    let facts = format!(
        "SELECT a.value, \
           {} (SELECT erased_at FROM suppressions WHERE subject_ref = a.value) END, \
           {} (SELECT at FROM subject_moves WHERE old_ref = a.value) END, \
           {} (SELECT action FROM processing_limits WHERE subject_ref = a.value AND kind = 'restriction' ORDER BY at DESC, id DESC LIMIT 1) END, \
           {} (SELECT action FROM processing_limits WHERE subject_ref = a.value AND kind <> 'restriction' AND purpose_id = 'marketing' ORDER BY at DESC, id DESC LIMIT 1) END, ",
        rare("suppressions"),
        rare("subject_moves"),
        rare("processing_limits"),
        rare("processing_limits")
    );
    let newest = "FROM consent_events WHERE subject_ref = a.value AND purpose_id = 'marketing' ORDER BY at DESC, id DESC LIMIT 1";
    let sql = if store.backend == privops::store::Backend::Postgres {
        format!(
            "{facts}e.action || ':' || CAST(e.version AS TEXT) \
             FROM unnest(CAST($1 AS text[])) AS a(value) \
             LEFT JOIN LATERAL (SELECT action, version {newest}) AS e ON true"
        )
    } else {
        format!(
            "{facts}(SELECT action || ':' || CAST(version AS TEXT) {newest}) FROM json_each(?) AS a"
        )
    };
    let chunks: Vec<String> = refs
        .chunks(5000)
        .map(|chunk| match store.backend {
            privops::store::Backend::Postgres => format!("{{{}}}", chunk.join(",")),
            privops::store::Backend::Sqlite => serde_json::to_string(chunk).unwrap(),
        })
        .collect();
    let direct = block_on(async {
        use sqlx::Row;
        // Both connections are opened on this runtime: a pool opened under an earlier
        // `block_on` has lost the runtime its connections' tasks ran on.
        let first = open(&dir, state).await;
        let second = open(&dir, state).await;
        sqlx::query("SELECT 1").execute(&first.pool).await.unwrap();
        sqlx::query("SELECT 1").execute(&second.pool).await.unwrap();
        let started = Instant::now();
        let lane = async |pool: &sqlx::AnyPool, first: usize| {
            let mut granted = 0;
            for chunk in chunks.iter().skip(first).step_by(2) {
                for row in sqlx::query(&sql).bind(chunk).fetch_all(pool).await.unwrap() {
                    let event: Option<String> = row.try_get(5).unwrap();
                    granted += usize::from(event.is_some_and(|e| e.starts_with("grant")));
                }
            }
            granted
        };
        let (a, b) = futures_util::future::join(lane(&first.pool, 0), lane(&second.pool, 1)).await;
        let elapsed = started.elapsed();
        assert_eq!(
            a + b,
            refs.len().div_ceil(2),
            "half the subjects end granted"
        );
        first.pool.close().await;
        second.pool.close().await;
        elapsed
    });
    report.add(
        "consent check --batch (whole process)",
        engine,
        format!("{} subjects", options.subjects),
        elapsed,
        direct,
        format!("target <= 1 s: {:.2} s", elapsed.as_secs_f64()),
    );
    block_on(store.pool.close());
}

/// A ledger row as privops wrote it: key, subject, purpose, version, action, time,
/// recording time, channel.
type EventRow = (
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
);

fn import_scenario(options: &Options, report: &mut Report, engine: &str, state: Option<&str>) {
    let (_temp, dir) = workspace();
    let store = block_on(open(&dir, state));
    let csv_path = dir.join("import.csv");
    let mut text = String::with_capacity(options.import_rows * 90);
    text.push_str("subject,purpose,action,at,channel,evidence\n");
    for i in 0..options.import_rows {
        let action = if i % 3 == 0 { "withdraw" } else { "grant" };
        text.push_str(&format!(
            "email:user{}@bench.example,marketing,{action},2025-06-{:02}T10:{:02}:{:02}Z,web,\n",
            i % (options.import_rows / 10).max(1),
            1 + i % 28,
            i / 60 % 60,
            i % 60
        ));
    }
    std::fs::write(&csv_path, text).unwrap();
    let mut c = privops(&dir, state);
    c.args(["consent", "import"]).arg(&csv_path);
    let elapsed = run_ok(c);
    // Direct: the very rows privops wrote (subjects and events), inserted by hand-written
    // multi-row INSERTs in one transaction into tables of the same shape and indexes.
    let direct = block_on(async {
        let events: Vec<EventRow> = sqlx::query_as(
            "SELECT event_key, subject_ref, purpose_id, version, action, at, recorded_at, channel \
                 FROM consent_events ORDER BY id",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap();
        let subjects: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT subject_ref, kind, identity, first_seen FROM subjects ORDER BY subject_ref",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap();
        let id = match store.backend {
            privops::store::Backend::Sqlite => "id INTEGER PRIMARY KEY",
            privops::store::Backend::Postgres => "id BIGSERIAL PRIMARY KEY",
        };
        sqlx::raw_sql(&format!(
            "CREATE TABLE direct_subjects (subject_ref TEXT PRIMARY KEY, kind TEXT NOT NULL, identity TEXT NOT NULL, first_seen TEXT NOT NULL);
             CREATE TABLE direct_events ({id}, event_key TEXT NOT NULL, subject_ref TEXT NOT NULL, purpose_id TEXT NOT NULL,
               version BIGINT NOT NULL, action TEXT NOT NULL, at TEXT NOT NULL, recorded_at TEXT NOT NULL, channel TEXT,
               evidence TEXT, actor TEXT NOT NULL, origin TEXT NOT NULL);
             CREATE UNIQUE INDEX direct_events_subject ON direct_events (subject_ref, purpose_id, at, event_key);"
        ))
        .execute(&store.pool)
        .await
        .unwrap();
        let started = Instant::now();
        let mut tx = store.pool.begin().await.unwrap();
        for chunk in subjects.chunks(500) {
            let mut sql = String::from(
                "INSERT INTO direct_subjects (subject_ref, kind, identity, first_seen) VALUES ",
            );
            for (k, _) in chunk.iter().enumerate() {
                if k > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("({})", params(store.backend, k * 4 + 1, 4)));
            }
            let mut query = sqlx::query(&sql);
            for (subject_ref, kind, identity, first_seen) in chunk {
                query = query
                    .bind(subject_ref)
                    .bind(kind)
                    .bind(identity)
                    .bind(first_seen);
            }
            query.execute(&mut *tx).await.unwrap();
        }
        for chunk in events.chunks(500) {
            let mut sql = String::from(
                "INSERT INTO direct_events (event_key, subject_ref, purpose_id, version, action, at, recorded_at, channel, evidence, actor, origin) VALUES ",
            );
            for (k, _) in chunk.iter().enumerate() {
                if k > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "({}, NULL, 'bench', 'import')",
                    params(store.backend, k * 8 + 1, 8)
                ));
            }
            let mut query = sqlx::query(&sql);
            for (key, subject_ref, purpose, version, action, at, recorded_at, channel) in chunk {
                query = query
                    .bind(key)
                    .bind(subject_ref)
                    .bind(purpose)
                    .bind(*version)
                    .bind(action)
                    .bind(at)
                    .bind(recorded_at)
                    .bind(channel.clone());
            }
            query.execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
        started.elapsed()
    });
    report.add(
        "consent import (whole process)",
        engine,
        format!("{} rows", options.import_rows),
        elapsed,
        direct,
        "target <= 1.5x of the same rows inserted by hand (multi-row INSERTs, one transaction)"
            .into(),
    );
    block_on(store.pool.close());
}

/// Appends `entries` chained entries directly (batched), as a long-lived trail would hold.
async fn fill_audit(store: &Store, entries: usize) {
    let mut tx = store.pool.begin().await.unwrap();
    let mut prev = audit::GENESIS.to_string();
    let mut batch: Vec<(i64, String, String, String)> = Vec::new();
    for seq in 1..=entries as i64 {
        let details = format!("{{\"n\":{seq}}}");
        let at = "2026-01-01T00:00:00.000000Z";
        let hash = audit::entry_hash(seq, at, "bench", "bench.event", None, &details, &prev);
        batch.push((seq, details, prev.clone(), hash.clone()));
        prev = hash;
        if batch.len() == 500 || seq as usize == entries {
            let mut sql = String::from(
                "INSERT INTO audit_log (seq, at, actor, action, subject_ref, details, prev_hash, hash) VALUES ",
            );
            for (i, _) in batch.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "({}, '{at}', 'bench', 'bench.event', NULL, {})",
                    params(store.backend, i * 4 + 1, 1),
                    params(store.backend, i * 4 + 2, 3)
                ));
            }
            let mut query = sqlx::query(&sql);
            for (seq, details, prev_hash, hash) in batch.drain(..) {
                query = query.bind(seq).bind(details).bind(prev_hash).bind(hash);
            }
            query.execute(&mut *tx).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
}

fn audit_scenario(options: &Options, report: &mut Report, engine: &str, state: Option<&str>) {
    let (_temp, dir) = workspace();
    let store = block_on(open(&dir, state));
    block_on(fill_audit(&store, options.audit_entries));
    settle(&store);
    let mut c = privops(&dir, state);
    c.args(["audit", "verify"]);
    let elapsed = run_ok(c);
    // Direct: the database reads the same rows and checks the links between them.
    let direct = block_on(async {
        let started = Instant::now();
        let broken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log a JOIN audit_log b ON b.seq = a.seq + 1 WHERE b.prev_hash <> a.hash")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(broken, 0);
        started.elapsed()
    });
    let rate = options.audit_entries as f64 / elapsed.as_secs_f64();
    report.add(
        "audit verify (whole process, recomputes every hash)",
        engine,
        format!("{} entries", options.audit_entries),
        elapsed,
        direct,
        format!("target >= 1,000,000/s: {rate:.0}/s"),
    );
    block_on(store.pool.close());
}

/// A scratch PostgreSQL database for one scenario.
struct Scratch {
    admin: String,
    name: String,
    url: String,
}

impl Scratch {
    fn new(admin: &str) -> Scratch {
        let name = format!("privops_bench_{}", std::process::id());
        block_on(async {
            let mut conn = sqlx::PgConnection::connect(admin).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
        });
        let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
        Scratch {
            admin: admin.to_string(),
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // BENCH_KEEP=1: the database stays too, for a profiler.
        if std::env::var_os("BENCH_KEEP").is_some() {
            println!("# database kept: {}", self.url);
            return;
        }
        let (admin, name) = (self.admin.clone(), self.name.clone());
        block_on(async move {
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        });
    }
}

fn main() {
    let options = options();
    sqlx::any::install_default_drivers();
    let mut report = Report { rows: Vec::new() };
    println!("scenario | engine | size | privops | direct SQL | ratio | note");
    type Scenario = fn(&Options, &mut Report, &str, Option<&str>);
    let scenarios: &[(&str, Scenario)] = &[
        ("consent", consent_scenarios),
        ("import", import_scenario),
        ("audit", audit_scenario),
    ];
    for (name, scenario) in scenarios
        .iter()
        .flat_map(|s| std::iter::repeat_n(s, options.runs))
    {
        if options.only.as_deref().is_some_and(|only| only != *name) {
            continue;
        }
        if options.engine.as_deref() != Some("postgres") {
            scenario(&options, &mut report, "sqlite", None);
        }
        if let Some(admin) = options
            .postgres
            .as_ref()
            .filter(|_| options.engine.as_deref() != Some("sqlite"))
        {
            let scratch = Scratch::new(admin);
            scenario(&options, &mut report, "postgres", Some(&scratch.url));
        }
    }
    type DataScenario = fn(&Options, &mut Report, &data::Target);
    let data_scenarios: &[(&str, DataScenario)] = &[
        ("access", data::access_export),
        ("erase", data::lookup_and_erase_one),
        ("retention", data::retention),
        ("offboard", offboard::offboard),
        ("scan", scan::scan),
        ("hosts", hosts::hosts),
        ("fides", fides::fides),
    ];
    let mut scratch_dir = tempfile::tempdir().unwrap();
    // BENCH_KEEP=1: the SQLite databases stay too.
    if std::env::var_os("BENCH_KEEP").is_some() {
        scratch_dir.disable_cleanup(true);
    }
    for (name, scenario) in data_scenarios
        .iter()
        .flat_map(|s| std::iter::repeat_n(s, options.runs))
    {
        if options.only.as_deref().is_some_and(|only| only != *name) {
            continue;
        }
        if options.engine.as_deref() != Some("postgres") {
            scenario(
                &options,
                &mut report,
                &data::Target::Sqlite(scratch_dir.path().join(format!("{name}.db"))),
            );
        }
        if let Some(admin) = options
            .postgres
            .as_ref()
            .filter(|_| options.engine.as_deref() != Some("sqlite"))
        {
            let target = data::Target::Postgres {
                admin: admin.clone(),
                name: format!("privops_bench_{name}_{}", std::process::id()),
            };
            scenario(&options, &mut report, &target);
        }
    }
    println!(
        "\n{} figure(s); ratio = privops time / direct SQL time",
        report.rows.len()
    );
    let summary = report.summary();
    if options.runs > 1 {
        println!("\nover {} runs: median (lowest-highest)", options.runs);
        println!("scenario | engine | size | privops | direct SQL | ratio");
        for figure in &summary {
            let shown = |v: &serde_json::Value, unit: &str| {
                format!(
                    "{:.3}{unit} ({:.3}-{:.3})",
                    v["median"].as_f64().unwrap_or(0.0),
                    v["min"].as_f64().unwrap_or(0.0),
                    v["max"].as_f64().unwrap_or(0.0)
                )
            };
            println!(
                "{} | {} | {} | {} | {} | {}",
                figure["scenario"].as_str().unwrap_or(""),
                figure["engine"].as_str().unwrap_or(""),
                figure["size"].as_str().unwrap_or(""),
                shown(&figure["privops_s"], " s"),
                shown(&figure["direct_s"], " s"),
                shown(&figure["ratio"], "x"),
            );
        }
    }
    if let Some(path) = &options.json {
        let document = serde_json::json!({
            "runs": options.runs,
            "figures": report.rows,
            "summary": summary,
        });
        std::fs::write(
            path,
            serde_json::to_string_pretty(&document).unwrap() + "\n",
        )
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        println!("figures written to {}", path.display());
    }
}

/// `count` placeholders from `first` on, as the state store's engine writes them, for
/// the hand-written statements.
fn params(backend: privops::store::Backend, first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| match backend {
            privops::store::Backend::Sqlite => "?".to_string(),
            privops::store::Backend::Postgres => format!("${n}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
