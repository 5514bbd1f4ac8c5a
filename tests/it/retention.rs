#![allow(clippy::disallowed_macros)] // tests report skips on stderr
//! Retention sweeps: exactly the rows past their period go, roll-ups conserve counts,
//! holds and NULL timestamps are respected, one sweep at a time, a stopped sweep
//! finishes on the next run, on SQLite, PostgreSQL and MariaDB.

use crate::common;

use std::path::{Path, PathBuf};

use crate::common::{Demo, TestDatabase, expect, policy_head, privops};
use serde_json::Value;

const NOW: &str = "2026-11-25T12:00:00Z";

fn count(db: &Path, sql: &str) -> i64 {
    common::sqlite_strings(db, &format!("SELECT CAST(({sql}) AS TEXT)"))[0]
        .parse()
        .unwrap()
}

fn sweep(demo: &Demo, extra: &[&str], code: i32) -> Value {
    let mut args = vec!["retention", "sweep", "--format", "json"];
    args.extend_from_slice(extra);
    let mut command = demo.cmd(&args);
    command.env("PRIVOPS_NOW", NOW);
    expect(command, code).json()
}

#[test]
fn demo_sweep_removes_exactly_the_expired_rows_and_conserves_counts() {
    let demo = Demo::new();
    let crm = demo.dir.join("data/crm.db");
    let messaging = demo.dir.join("data/messaging.db");
    // A row with no usable timestamp is never deleted.
    common::sqlite_execute(
        &messaging,
        "INSERT INTO chat_buffers (id, account_id, phone, content, created_at) VALUES (100001, 1, '+972541234567', 'x', '')",
    );
    let before = {
        let mut d = common::sqlite_dump(&crm);
        d.extend(common::sqlite_dump(&messaging));
        d
    };
    let expired_sessions = count(
        &crm,
        "SELECT COUNT(*) FROM sessions WHERE last_activity < '2026-10-26T12:00:00Z'",
    );
    let expired_buffers = count(
        &messaging,
        "SELECT COUNT(*) FROM chat_buffers WHERE created_at < '2026-11-24T12:00:00Z' AND created_at <> ''",
    );
    let expired_logs = count(
        &messaging,
        "SELECT COUNT(*) FROM execution_logs WHERE executed_at < '2026-08-27T12:00:00Z'",
    );
    let expired_duration = count(
        &messaging,
        "SELECT COALESCE(SUM(duration_ms), 0) FROM execution_logs WHERE executed_at < '2026-08-27T12:00:00Z'",
    );
    let totals_before = count(
        &messaging,
        "SELECT SUM(executions) FROM usage_metrics_daily",
    );
    let duration_before = count(
        &messaging,
        "SELECT SUM(total_duration_ms) FROM usage_metrics_daily",
    );
    assert!(expired_sessions > 0 && expired_buffers > 0 && expired_logs > 0);
    let dangling = "SELECT COUNT(*) FROM clients WHERE lead_id IS NOT NULL AND lead_id NOT IN (SELECT id FROM leads)";
    assert_eq!(count(&crm, dangling), 0);

    // The plan and a dry run count the rows and change nothing.
    let mut command = demo.cmd(&["retention", "plan", "--format", "json"]);
    command.env("PRIVOPS_NOW", NOW);
    let plan = expect(command, 0).json();
    let due = |table: &str| {
        plan.as_array()
            .unwrap()
            .iter()
            .find(|r| r["table"] == table)
            .unwrap()["due"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(due("sessions"), expired_sessions);
    assert_eq!(due("execution_logs"), expired_logs);
    let dry = sweep(&demo, &["--dry-run"], 0);
    assert_eq!(dry["dry_run"], true);
    let mut after_dry = common::sqlite_dump(&crm);
    after_dry.extend(common::sqlite_dump(&messaging));
    assert_eq!(after_dry, before);

    let summary = sweep(&demo, &["--batch-size", "50"], 0);
    // The schema's ON DELETE SET NULL holds on SQLite: no client points at a swept lead.
    assert_eq!(count(&crm, dangling), 0);
    let row = |table: &str| {
        summary["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["table"] == table)
            .unwrap()
            .clone()
    };
    assert_eq!(row("sessions")["done"], expired_sessions);
    assert_eq!(row("chat_buffers")["done"], expired_buffers);
    assert_eq!(
        row("chat_buffers")["null_timestamps"],
        1,
        "an empty string is no timestamp: kept and reported"
    );
    assert_eq!(row("chat_buffers")["skipped"], 1);
    assert_eq!(row("execution_logs")["done"], expired_logs);
    assert!(
        row("execution_logs")["chunks"].as_u64().unwrap() > 1,
        "worked in chunks"
    );
    // Nothing past its period is left, nothing within it was touched.
    assert_eq!(
        count(
            &crm,
            "SELECT COUNT(*) FROM sessions WHERE last_activity < '2026-10-26T12:00:00Z'"
        ),
        0
    );
    let mut after = common::sqlite_dump(&crm);
    after.extend(common::sqlite_dump(&messaging));
    for (table, rows) in &before {
        if table == "usage_metrics_daily" {
            continue;
        }
        let leads_left: std::collections::BTreeSet<i64> = after["leads"]
            .iter()
            .filter_map(|lead| lead["id"].as_i64())
            .collect();
        for row in &after[table] {
            // A client whose lead was swept: the schema's ON DELETE SET NULL cleared the
            // link, and nothing else of the row changed.
            let unlinked = table == "clients"
                && row["lead_id"].is_null()
                && rows.iter().any(|old| {
                    old["id"] == row["id"]
                        && old["lead_id"]
                            .as_i64()
                            .is_some_and(|l| !leads_left.contains(&l))
                        && old.iter().all(|(c, v)| c == "lead_id" || &row[c] == v)
                });
            assert!(
                rows.contains(row) || unlinked,
                "{table}: a row changed: {row:?}"
            );
        }
        let gone = rows.len() - after[table].len();
        let expected = match table.as_str() {
            "sessions" => expired_sessions,
            "chat_buffers" => expired_buffers,
            "execution_logs" => expired_logs,
            "leads" => row("leads")["done"].as_i64().unwrap(),
            "invoices" => row("invoices")["done"].as_i64().unwrap(),
            _ => 0,
        };
        assert_eq!(gone as i64, expected, "{table}");
    }
    // Roll-up: totals before + rolled-up rows = totals after.
    assert_eq!(
        count(
            &messaging,
            "SELECT SUM(executions) FROM usage_metrics_daily"
        ),
        totals_before + expired_logs
    );
    assert_eq!(
        count(
            &messaging,
            "SELECT SUM(total_duration_ms) FROM usage_metrics_daily"
        ),
        duration_before + expired_duration
    );
    // A second sweep finds nothing; each sweep leaves one audit entry per table.
    let again = sweep(&demo, &[], 0);
    assert!(
        again["tables"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["done"] == 0)
    );
    let log = expect(
        demo.cmd(&[
            "audit",
            "log",
            "--action",
            "retention.sweep",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(log.as_array().unwrap().len(), 10);
    assert_eq!(
        expect(demo.cmd(&["audit", "verify", "--format", "json"]), 0).json()["ok"],
        true
    );
}

#[test]
fn a_second_sweep_exits_75_and_an_expired_lease_is_taken_over() {
    let demo = Demo::new();
    expect(demo.cmd(&["audit", "verify"]), 0);
    let state = demo.dir.join(".privops/state.db");
    // Leases are about processes running at the same real time, so the lease another
    // sweep holds is dated from the real clock (SQLite's `now`), whatever PRIVOPS_NOW says.
    common::sqlite_execute(
        &state,
        "INSERT INTO locks (name, holder, acquired_at, expires_at) VALUES ('retention-sweep', 'other-host:1', \
         strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 minute'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+5 minutes'))",
    );
    let mut command = demo.cmd(&["retention", "sweep"]);
    command.env("PRIVOPS_NOW", NOW);
    let refused = expect(command, 75);
    assert!(refused.stderr.contains("another retention sweep"));
    // The message names the holder and when its lease ends.
    assert!(
        refused.stderr.contains("on other-host until "),
        "{}",
        refused.stderr
    );
    // A rehearsal two years ahead does not take over a running sweep's lease.
    let mut command = demo.cmd(&["retention", "sweep"]);
    command.env("PRIVOPS_NOW", "2028-11-25T12:00:00Z");
    expect(command, 75);
    assert_eq!(
        common::sqlite_strings(&state, "SELECT holder FROM locks"),
        vec!["other-host:1".to_string()]
    );
    // A crashed holder's lease expires.
    common::sqlite_execute(
        &state,
        "UPDATE locks SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 minute')",
    );
    sweep(&demo, &[], 0);
    assert!(
        common::sqlite_strings(&state, "SELECT holder FROM locks").is_empty(),
        "the lease is released"
    );
    // Two sweeps started together: one works, the other exits 75 or finds nothing left.
    let children: Vec<_> = (0..2)
        .map(|_| {
            let mut command = demo.cmd(&["retention", "sweep", "--quiet"]);
            command
                .env("PRIVOPS_NOW", "2027-06-01T00:00:00Z")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            command.spawn().unwrap()
        })
        .collect();
    let codes: Vec<i32> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code().unwrap())
        .collect();
    assert!(codes.iter().all(|c| *c == 0 || *c == 75), "{codes:?}");
    assert!(codes.contains(&0));
}

#[test]
fn a_sweep_stopped_midway_finishes_on_the_next_run() {
    let demo = Demo::new();
    let twin: PathBuf = demo.temp.path().join("twin");
    common::copy_tree(&demo.dir, &twin);
    let mut command = privops(&twin);
    command
        .args(["retention", "sweep", "--batch-size", "40"])
        .env("PRIVOPS_NOW", NOW);
    expect(command, 0);
    let mut command = demo.cmd(&["retention", "sweep", "--batch-size", "40"]);
    command
        .env("PRIVOPS_NOW", NOW)
        .env("PRIVOPS_FAILPOINT", "retention-chunk:3");
    let stopped = expect(command, 4);
    assert!(stopped.stderr.contains("failpoint"), "{}", stopped.stderr);
    sweep(&demo, &["--batch-size", "40"], 0);
    for db in ["data/crm.db", "data/messaging.db"] {
        assert_eq!(
            common::sqlite_dump(&demo.dir.join(db)),
            common::sqlite_dump(&twin.join(db)),
            "{db}"
        );
    }
}

/// A policy table whose rows are deleted 30 days after `at`.
fn swept_table(name: &str, key: &str, columns: &str) -> String {
    format!(
        r#"
[[table]]
name = "{name}"
key = {key}
erase = "delete"
[table.columns]
{columns}
at = "system.operations"
[table.retention]
period = "30d"
from = "at"
then = "delete"
"#
    )
}

/// A table clause that makes SQLite keep a table without rowids.
fn without_rowid(engine: &str) -> &'static str {
    if engine == "sqlite" {
        " WITHOUT ROWID"
    } else {
        ""
    }
}

/// `retention sweep --format json` on the policy in `dir`, with its state store there
/// (unless PRIVOPS_STATE is set again), against the source at `url`, at the time `now`.
fn sweep_folder(dir: &Path, url: &str, now: &str, extra: &[&str]) -> std::process::Command {
    let mut command = privops(dir);
    command
        .args(["retention", "sweep", "--format", "json", "--policy"])
        .arg(dir)
        .env("PRIVOPS_STATE", dir.join("state.db"))
        .args(extra)
        .env("APP_DATABASE_URL", url)
        .env("PRIVOPS_NOW", now);
    common::init_like(&command);
    command
}

/// The server tests' tables: `events` (rolled up into `daily`) and `notes` (anonymised).
fn server_tables(timestamp: &str) -> String {
    format!(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, email VARCHAR(100), feature VARCHAR(40), duration_ms INTEGER, at {timestamp});
         CREATE INDEX events_at ON events (at);
         CREATE TABLE daily (day VARCHAR(10), feature VARCHAR(40), events INTEGER, total_ms BIGINT, PRIMARY KEY (day, feature));
         CREATE TABLE notes (id INTEGER PRIMARY KEY, email VARCHAR(100), body TEXT, created {timestamp});"
    )
}

/// Writes the server tests' policy and returns the column type their timestamps take.
fn server_policy(dir: &Path, db: &TestDatabase, engine: &str) -> &'static str {
    write_events_policy(dir, engine);
    if db.postgres {
        "TIMESTAMPTZ"
    } else {
        "DATETIME"
    }
}

/// The policy of [`server_tables`] on `engine`, written to `dir`: `events` rolled up into
/// `daily` a day after `at`, `notes` anonymised after 30 days.
fn write_events_policy(dir: &Path, engine: &str) {
    std::fs::write(
        dir.join("policy.toml"),
        policy_head(engine)
            + r#"
[[table]]
name = "events"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
feature = "system.operations"
duration_ms = "system.operations"
at = "system.operations"
[table.retention]
period = "1d"
from = "at"
then = "rollup"
[table.retention.rollup]
into = "daily"
group = { day = { column = "at", truncate = "day" }, feature = { column = "feature" } }
measures = { events = { op = "count" }, total_ms = { op = "sum", column = "duration_ms" } }

[[table]]
name = "daily"
aggregate = true
key = ["day", "feature"]
[table.columns]
day = "system.aggregate"
feature = "system.aggregate"
events = "system.aggregate"
total_ms = "system.aggregate"

[[table]]
name = "notes"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email", mask = "hmac" }
body = { category = "user.content.notes", mask = "redact" }
created = "system.operations"
[table.retention]
period = "30d"
from = "created"
then = "anonymise"
"#,
    )
    .unwrap();
}

/// Rows around a DST change in Europe/Berlin (2026-03-29 02:00 -> 03:00), stored with
/// their offsets; the cutoff is an instant, whatever the session's time zone.
fn sweep_on_server(db: TestDatabase, engine: &str) {
    let temp = tempfile::tempdir().unwrap();
    let timestamp = server_policy(temp.path(), &db, engine);
    db.execute(&format!(
        "{} INSERT INTO daily VALUES ('2026-03-28', 'reply', 5, 500);",
        server_tables(timestamp)
    ));
    // The cutoff: now = 2026-03-30T00:30:00Z, period 1 day -> 2026-03-29T00:30:00Z (02:30 in Berlin, after the change).
    let rows: [(i64, &str, bool); 6] = [
        (1, "2026-03-28T23:00:00Z", true),
        (2, "2026-03-29T00:29:59Z", true),
        (3, "2026-03-29T00:30:00Z", false),
        (4, "2026-03-29T01:30:00Z", false),
        (5, "2026-03-28T12:00:00Z", true),
        (6, "2026-03-30T00:00:00Z", false),
    ];
    let literal = |at: &str| {
        if db.postgres {
            format!("'{at}'")
        } else {
            format!("'{}'", at.replace('T', " ").trim_end_matches('Z'))
        }
    };
    let values: Vec<String> = rows
        .iter()
        .map(|(id, at, _)| format!("({id}, 'a@example.com', 'reply', 100, {})", literal(at)))
        .collect();
    db.execute(&format!("INSERT INTO events VALUES {}; INSERT INTO events VALUES (7, 'b@example.com', 'reply', 100, NULL);", values.join(", ")));
    db.execute(&format!(
        "INSERT INTO notes VALUES (1, 'a@example.com', 'old note', {}), (2, 'b@example.com', 'new note', {})",
        literal("2026-01-01T00:00:00Z"),
        literal("2026-03-29T00:00:00Z")
    ));
    if db.postgres {
        let name = db.url.rsplit('/').next().unwrap().to_string();
        db.execute(&format!(
            "ALTER DATABASE {name} SET timezone TO 'Europe/Berlin'"
        ));
    }
    let run = |extra: &[&str], code: i32| -> Value {
        let command = sweep_folder(temp.path(), &db.url, "2026-03-30T00:30:00Z", extra);
        expect(command, code).json()
    };
    let before = common::server_dump(&db);
    run(&["--dry-run"], 0);
    assert_eq!(
        common::server_dump(&db),
        before,
        "a dry run changes nothing"
    );
    let summary = run(&["--batch-size", "2"], 0);
    let events = summary["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "events")
        .unwrap()
        .clone();
    assert_eq!(events["done"], 3, "{summary}");
    assert_eq!(events["null_timestamps"], 1);
    let after = common::server_dump(&db);
    let mut left: Vec<i64> = after["events"]
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [3, 4, 6, 7],
        "exactly the rows before the instant went"
    );
    // Counts conserved: 5 before + 3 rolled up.
    assert_eq!(daily_totals(&after), (8, 800));
    // Anonymised, not deleted: the old note loses its personal data, the new one stays.
    let old = after["notes"].iter().find(|n| n["id"] == 1).unwrap();
    assert_eq!(old["body"], "[redacted]");
    assert!(old["email"].as_str().unwrap().starts_with("hmac:"));
    let new = after["notes"].iter().find(|n| n["id"] == 2).unwrap();
    assert_eq!(new["body"], "new note");
    let again = run(&[], 0);
    assert!(
        again["tables"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["done"] == 0),
        "{again}"
    );
}

#[test]
fn sweep_on_postgres_across_a_dst_change() {
    if let Some(db) = TestDatabase::postgres("sweep_on_postgres_across_a_dst_change") {
        sweep_on_server(db, "postgres");
    }
}

#[test]
fn sweep_on_mariadb() {
    if let Some(db) = TestDatabase::mysql("sweep_on_mariadb") {
        sweep_on_server(db, "mysql");
    }
}

#[test]
fn rows_under_a_hold_are_skipped_and_counted() {
    let demo = Demo::new();
    // Invoices live 7 years, but a hold keeps them 8: those between 7 and 8 years old stay.
    let crm = demo.dir.join("data/crm.db");
    let policy = demo.dir.join("policies/sources/crm.toml");
    let text = std::fs::read_to_string(&policy).unwrap();
    let held_text = text.replacen("duration = \"7y\"", "duration = \"8y\"", 1);
    assert_ne!(text, held_text);
    std::fs::write(&policy, held_text).unwrap();
    let held = count(
        &crm,
        "SELECT COUNT(*) FROM invoices WHERE issued_at < '2019-11-25T12:00:00Z' AND issued_at > '2018-11-25T12:00:00Z'",
    );
    let expired = count(
        &crm,
        "SELECT COUNT(*) FROM invoices WHERE issued_at <= '2018-11-25T12:00:00Z'",
    );
    assert!(held > 0 && expired > 0, "held {held}, expired {expired}");
    let mut command = demo.cmd(&[
        "retention",
        "plan",
        "--table",
        "invoices",
        "--format",
        "json",
    ]);
    command.env("PRIVOPS_NOW", NOW);
    let plan = expect(command, 0).json();
    assert_eq!(plan[0]["due"], expired);
    assert_eq!(plan[0]["held"][0]["rows"], held);
    assert!(
        plan[0]["held"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("tax")
    );
    let summary = sweep(&demo, &["--table", "invoices"], 0);
    assert_eq!(summary["tables"][0]["done"], expired);
    assert_eq!(summary["tables"][0]["held"], held);
    assert_eq!(summary["tables"][0]["skipped"], held);
    assert_eq!(
        count(
            &crm,
            "SELECT COUNT(*) FROM invoices WHERE issued_at < '2019-11-25T12:00:00Z'"
        ),
        held
    );
}

/// Three tables whose due rows lie differently: a few scattered through `logs`, almost
/// all of `archive` (the oldest rows first, as an append-only table holds them), and
/// `pairs` with a composite key (WITHOUT ROWID on SQLite) and no index on its timestamp,
/// and `sparse`, whose ids lie close together, then far apart, up to the largest a 64-bit
/// key can hold.
/// Each walk the sweep may take must delete exactly the rows past their period.
fn walks_on(
    engine: &str,
    execute: &dyn Fn(&str),
    dump: &dyn Fn() -> common::Dump,
    url: &str,
) -> Value {
    let temp = tempfile::tempdir().unwrap();
    let policy = [
        policy_head(engine),
        swept_table(
            "logs",
            "[\"id\"]",
            "id = \"system.operations\"\nemail = { category = \"user.contact.email\", identity = \"email\" }",
        ),
        swept_table("archive", "[\"id\"]", "id = \"system.operations\""),
        swept_table(
            "pairs",
            "[\"a\", \"b\"]",
            "a = \"system.operations\"\nb = \"system.operations\"",
        ),
        swept_table("sparse", "[\"id\"]", "id = \"system.operations\""),
    ]
    .concat();
    std::fs::write(temp.path().join("policy.toml"), policy).unwrap();
    let without_rowid = without_rowid(engine);
    // On SQLite only INTEGER PRIMARY KEY makes the id the rowid.
    let big = if engine == "sqlite" {
        "INTEGER"
    } else {
        "BIGINT"
    };
    execute(&format!(
        "CREATE TABLE logs (id INTEGER PRIMARY KEY, email VARCHAR(100), at VARCHAR(30));
         CREATE INDEX logs_at ON logs (at);
         CREATE TABLE archive (id INTEGER PRIMARY KEY, at VARCHAR(30));
         CREATE INDEX archive_at ON archive (at);
         CREATE TABLE pairs (a INTEGER NOT NULL, b INTEGER NOT NULL, at VARCHAR(30), PRIMARY KEY (a, b)){without_rowid};
         CREATE TABLE sparse (id {big} PRIMARY KEY, at VARCHAR(30));"
    ));
    const OLD: &str = "2026-01-01T00:00:00Z";
    const RECENT: &str = "2026-11-20T00:00:00Z";
    let at = |expired: bool| if expired { OLD } else { RECENT };
    let logs: Vec<String> = (1..=3000)
        .map(|i| format!("({i}, 'p{i}@example.com', '{}')", at(i % 200 == 0)))
        .collect();
    let archive: Vec<String> = (1..=3000)
        .map(|i| format!("({i}, '{}')", at(i <= 2950)))
        .collect();
    let pairs: Vec<String> = (1..=30)
        .flat_map(|a| (1..=10).map(move |b| (a, b)))
        .map(|(a, b)| format!("({a}, {b}, '{}')", at(a % 2 == 0)))
        .collect();
    // Half the ids close together, half far apart: one row per rowid on average tells
    // nothing about where the rows are.
    let sparse_id = |i: i64| if i <= 1500 { i } else { i * 1_000_000_000_000 };
    let mut sparse: Vec<String> = (1..=3000i64)
        .map(|i| format!("({}, '{}')", sparse_id(i), at(i <= 2950)))
        .collect();
    sparse.push(format!("({}, '{OLD}')", i64::MAX));
    execute(&format!(
        "INSERT INTO logs VALUES {}; INSERT INTO archive VALUES {}; INSERT INTO pairs VALUES {}; INSERT INTO sparse VALUES {};",
        logs.join(", "),
        archive.join(", "),
        pairs.join(", "),
        sparse.join(", ")
    ));
    if engine == "postgres" {
        execute("ANALYZE");
    }
    let command = sweep_folder(temp.path(), url, NOW, &["--batch-size", "100"]);
    let summary = expect(command, 0).json();
    let after = dump();
    let ids = |table: &str, column: &str| -> Vec<i64> {
        let mut ids: Vec<i64> = after[table]
            .iter()
            .map(|r| r[column].as_i64().unwrap())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        ids("logs", "id"),
        (1..=3000).filter(|i| i % 200 != 0).collect::<Vec<_>>()
    );
    assert_eq!(ids("archive", "id"), (2951..=3000).collect::<Vec<_>>());
    let mut pairs_left = ids("pairs", "a");
    pairs_left.dedup();
    assert_eq!(
        pairs_left,
        (1..=30).filter(|a| a % 2 == 1).collect::<Vec<_>>()
    );
    assert_eq!(
        ids("sparse", "id"),
        (2951..=3000i64).map(sparse_id).collect::<Vec<_>>()
    );
    let old: Vec<_> = after
        .iter()
        .flat_map(|(t, rows)| rows.iter().map(move |r| (t, r)))
        .filter(|(_, r)| r["at"] != RECENT)
        .collect();
    assert!(
        old.is_empty(),
        "rows past their period are left: {old:?}\n{summary}"
    );
    let mut walks = serde_json::Map::new();
    for t in summary["tables"].as_array().unwrap() {
        // Chunks of about 100 rows, however far apart the keys lie.
        assert!(t["chunks"].as_u64().unwrap() < 80, "{t}");
        if t["table"] == "sparse" && engine == "sqlite" {
            // 3,001 rows in chunks of 100: no chunk takes a large share of the table.
            assert!(t["chunks"].as_u64().unwrap() >= 30, "{t}");
        }
        walks.insert(t["table"].as_str().unwrap().to_string(), t["walks"].clone());
    }
    Value::Object(walks)
}

#[test]
fn each_walk_deletes_exactly_the_rows_past_their_period_on_sqlite() {
    let temp = tempfile::tempdir().unwrap();
    let db = temp.path().join("app.db");
    std::fs::File::create(&db).unwrap();
    common::sqlite_execute(&db, "PRAGMA journal_mode = WAL");
    let walks = walks_on(
        "sqlite",
        &|sql| common::sqlite_execute(&db, sql),
        &|| common::sqlite_dump(&db),
        &format!("sqlite://{}", db.display()),
    );
    // Scattered rows: rowid ranges find few due, the index finds the rest. Nearly all
    // due: ranges to the end. WITHOUT ROWID: by key.
    assert_eq!(walks["logs"], serde_json::json!(["range", "index"]));
    assert_eq!(walks["archive"], serde_json::json!(["range"]));
    assert_eq!(walks["pairs"], serde_json::json!(["keys"]));
    assert_eq!(walks["sparse"], serde_json::json!(["range"]));
    // The database's own journal mode is the one it had.
    assert_eq!(common::sqlite_strings(&db, "PRAGMA journal_mode"), ["wal"]);
}

#[test]
fn each_walk_deletes_exactly_the_rows_past_their_period_on_postgres() {
    if let Some(db) = TestDatabase::postgres("each_walk_on_postgres") {
        let walks = walks_on(
            "postgres",
            &|sql| db.execute(sql),
            &|| common::server_dump(&db),
            &db.url,
        );
        // A sample finds 0.5% due: the index. Most due, or no index: heap block ranges.
        assert_eq!(walks["logs"], serde_json::json!(["index"]));
        assert_eq!(walks["archive"], serde_json::json!(["range"]));
        assert_eq!(walks["pairs"], serde_json::json!(["range"]));
    }
}

#[test]
fn each_walk_deletes_exactly_the_rows_past_their_period_on_mariadb() {
    if let Some(db) = TestDatabase::mysql("each_walk_on_mariadb") {
        let walks = walks_on(
            "mysql",
            &|sql| db.execute(sql),
            &|| common::server_dump(&db),
            &db.url,
        );
        assert_eq!(walks["logs"], serde_json::json!(["keys"]));
    }
}

/// A PostgreSQL roll-up sums on a second connection that shares the deleting
/// transaction's snapshot. While another session keeps writing to the rows being swept
/// (which makes PostgreSQL refuse some chunks, and the sweep runs them again), every row
/// past its period is still counted exactly once.
#[test]
fn postgres_rollup_counts_every_row_once_while_others_write() {
    let Some(db) = TestDatabase::postgres("postgres_rollup_while_others_write") else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    postgres_events(
        &db,
        temp.path(),
        6000,
        "CASE WHEN i % 10 = 0 THEN '2026-03-29T12:00:00Z'::timestamptz ELSE '2026-03-20T00:00:00Z'::timestamptz + (i % 5) * INTERVAL '1 day' END",
    );
    let due = 5400;
    let due_ms: i64 = (1..=6000).filter(|i| i % 10 != 0).map(|i| i % 7).sum();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let summary = std::thread::scope(|scope| {
        scope.spawn(|| {
            // Touches rows the sweep is deleting, without changing what they add up to.
            let mut round = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                db.execute(&format!(
                    "UPDATE events SET email = email WHERE id % 50 = {}",
                    round % 50
                ));
                round += 1;
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        });
        let command = sweep_folder(
            temp.path(),
            &db.url,
            "2026-03-30T00:30:00Z",
            &["--batch-size", "200", "--table", "events"],
        );
        // The writer stops whatever the sweep did, so a failed sweep fails the test
        // instead of leaving it waiting.
        let run = common::run(command);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()
    });
    assert_eq!(summary["tables"][0]["done"], due, "{summary}");
    eprintln!("chunks run again: {}", summary["tables"][0]["retried"]);
    let after = common::server_dump(&db);
    assert_eq!(after["events"].len(), 600);
    assert_eq!(daily_totals(&after), (due, due_ms));
    // Five days times two features.
    assert_eq!(after["daily"].len(), 10);
}

/// A walk by keys sends each chunk's keys back as parameters: a large batch stays within
/// what the engine accepts (SQLite 32,766, MariaDB 65,535 parameters per statement).
fn keys_walk_with_a_large_batch(
    engine: &str,
    execute: &dyn Fn(&str),
    url: &str,
    rows: u32,
    batch: &str,
) {
    let temp = tempfile::tempdir().unwrap();
    let policy = policy_head(engine)
        + &swept_table(
            "pairs",
            "[\"a\", \"b\"]",
            "a = \"system.operations\"\nb = \"system.operations\"",
        );
    std::fs::write(temp.path().join("policy.toml"), policy).unwrap();
    let without_rowid = without_rowid(engine);
    let values: Vec<String> = (1..=rows)
        .map(|i| format!("({i}, {}, '2026-01-01T00:00:00Z')", i % 7))
        .collect();
    execute(&format!(
        "CREATE TABLE pairs (a INTEGER NOT NULL, b INTEGER NOT NULL, at VARCHAR(30), PRIMARY KEY (a, b)){without_rowid};
         INSERT INTO pairs VALUES {};",
        values.join(", ")
    ));
    let command = sweep_folder(temp.path(), url, NOW, &["--batch-size", batch]);
    let summary = expect(command, 0).json();
    assert_eq!(summary["tables"][0]["done"], rows, "{summary}");
    assert_eq!(summary["tables"][0]["walks"], serde_json::json!(["keys"]));
}

#[test]
fn a_keys_walk_stays_within_the_parameter_limit_on_sqlite() {
    let temp = tempfile::tempdir().unwrap();
    let db = temp.path().join("app.db");
    std::fs::File::create(&db).unwrap();
    keys_walk_with_a_large_batch(
        "sqlite",
        &|sql| common::sqlite_execute(&db, sql),
        &format!("sqlite://{}", db.display()),
        40_000,
        "20000",
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM pairs"), 0);
    common::assert_journal_as_found(&db);
}

#[test]
fn a_keys_walk_stays_within_the_parameter_limit_on_mariadb() {
    if let Some(db) = TestDatabase::mysql("keys_walk_parameter_limit_on_mariadb") {
        keys_walk_with_a_large_batch("mysql", &|sql| db.execute(sql), &db.url, 70_000, "70000");
        assert!(common::server_dump(&db)["pairs"].is_empty());
    }
}

/// On a server, a sweep stopped after its second chunk and run again ends in the same
/// state as an uninterrupted sweep of a twin database: deletes, roll-up totals and
/// anonymised rows alike.
fn stopped_midway_on_server(db: TestDatabase, twin: TestDatabase, engine: &str) {
    let temp = tempfile::tempdir().unwrap();
    let timestamp = server_policy(temp.path(), &db, engine);
    let literal = |day: u32| {
        if db.postgres {
            format!("'2026-03-{day:02}T10:00:00Z'")
        } else {
            format!("'2026-03-{day:02} 10:00:00'")
        }
    };
    let events: Vec<String> = (1..=600u32)
        .map(|i| {
            format!(
                "({i}, 'p{}@example.com', '{}', {}, {})",
                i % 40,
                ["reply", "draft", "booking"][(i % 3) as usize],
                i % 11,
                literal(1 + i % 29)
            )
        })
        .collect();
    let notes: Vec<String> = (1..=300u32)
        .map(|i| {
            format!(
                "({i}, 'p{i}@example.com', 'note {i}', {})",
                literal(1 + i % 29)
            )
        })
        .collect();
    let setup = format!(
        "{}
         INSERT INTO daily VALUES ('2026-03-02', 'reply', 5, 500);
         INSERT INTO events VALUES {};
         INSERT INTO notes VALUES {};",
        server_tables(timestamp),
        events.join(", "),
        notes.join(", ")
    );
    db.execute(&setup);
    twin.execute(&setup);
    // Now 2026-04-10: events older than a day and notes older than 30 days are due.
    let run = |url: &str, failpoint: Option<&str>, code: i32| {
        let mut command = sweep_folder(
            temp.path(),
            url,
            "2026-04-10T00:00:00Z",
            &["--batch-size", "40"],
        );
        if let Some(failpoint) = failpoint {
            command.env("PRIVOPS_FAILPOINT", failpoint);
        }
        expect(command, code).json()
    };
    run(&twin.url, None, 0);
    let stopped = run(&db.url, Some("retention-chunk:2"), 4);
    assert!(stopped.to_string().contains("failpoint"), "{stopped}");
    assert_ne!(common::server_dump(&db), common::server_dump(&twin));
    run(&db.url, None, 0);
    let (after, expected) = (common::server_dump(&db), common::server_dump(&twin));
    assert_eq!(after, expected);
    assert_eq!(
        daily_totals(&after).0,
        5 + 600,
        "every event rolled up once"
    );
    assert!(after["events"].is_empty());
}

#[test]
fn a_sweep_stopped_midway_finishes_on_the_next_run_on_postgres() {
    let name = "stopped_midway_on_postgres";
    if let (Some(db), Some(twin)) = (TestDatabase::postgres(name), TestDatabase::postgres(name)) {
        stopped_midway_on_server(db, twin, "postgres");
    }
}

#[test]
fn a_sweep_stopped_midway_finishes_on_the_next_run_on_mariadb() {
    let name = "stopped_midway_on_mariadb";
    if let (Some(db), Some(twin)) = (TestDatabase::mysql(name), TestDatabase::mysql(name)) {
        stopped_midway_on_server(db, twin, "mysql");
    }
}

/// The sweep's lock lives in the state store; on a PostgreSQL store too a second sweep
/// exits 75 at once while the lease holds, and takes over a lease left by a crash.
#[test]
fn a_second_sweep_exits_75_with_the_state_store_on_postgres() {
    let name = "sweep_lock_on_postgres";
    let (Some(source), Some(state)) = (TestDatabase::postgres(name), TestDatabase::postgres(name))
    else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let timestamp = server_policy(temp.path(), &source, "postgres");
    source.execute(&format!(
        "{} INSERT INTO events VALUES (1, 'a@example.com', 'reply', 100, '2026-01-01T00:00:00Z');",
        server_tables(timestamp)
    ));
    let run = |code: i32| {
        let mut command = sweep_folder(temp.path(), &source.url, NOW, &[]);
        command.env("PRIVOPS_STATE", &state.url);
        expect(command, code)
    };
    // `init` creates the store on the server, as every store is created.
    let mut init = sweep_folder(temp.path(), &source.url, NOW, &[]);
    init.env("PRIVOPS_STATE", &state.url);
    common::init_like(&init);
    run(0);
    // A lease held now by the real clock, whatever PRIVOPS_NOW says.
    state.execute(&format!(
        "INSERT INTO locks (name, holder, acquired_at, expires_at) VALUES ('retention-sweep', 'other-host:1', '{}', '{}')",
        common::wall_clock_text(-1),
        common::wall_clock_text(5)
    ));
    let refused = run(75);
    assert!(
        refused.stderr.contains("another retention sweep"),
        "{}",
        refused.stderr
    );
    state.execute(&format!(
        "UPDATE locks SET expires_at = '{}'",
        common::wall_clock_text(-1)
    ));
    run(0);
    assert!(
        common::server_dump(&state)["locks"].is_empty(),
        "the lease is released"
    );
}

/// A PostgreSQL roll-up through the index walk: the due rows' addresses are read once and
/// both transactions of a chunk use its share of that list, so rows with equal timestamps
/// are summed exactly once and deleted. The walk ends with the chunk that empties the
/// list, without a last statement that finds nothing.
#[test]
fn postgres_rollup_through_the_index_counts_tied_rows_once() {
    let Some(db) = TestDatabase::postgres("postgres_rollup_index_walk") else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    // 19,950 events, 150 of them due, all at the same instant.
    postgres_events(
        &db,
        temp.path(),
        19950,
        "CASE WHEN i % 133 = 0 THEN '2026-03-20T00:00:00Z'::timestamptz ELSE '2026-03-29T12:00:00Z'::timestamptz END",
    );
    let due: Vec<i64> = (1..=19950).filter(|i| i % 133 == 0).collect();
    let due_ms: i64 = due.iter().map(|i| i % 7).sum();
    let command = sweep_folder(
        temp.path(),
        &db.url,
        "2026-03-30T00:30:00Z",
        &["--batch-size", "40", "--table", "events"],
    );
    let summary = expect(command, 0).json();
    let table = &summary["tables"][0];
    assert_eq!(table["walks"], serde_json::json!(["index"]), "{summary}");
    assert_eq!(table["done"], due.len(), "{summary}");
    // 150 rows in chunks of 40.
    assert_eq!(table["chunks"], 4, "{summary}");
    let after = common::server_dump(&db);
    assert_eq!(after["events"].len(), 19950 - due.len());
    assert_eq!(daily_totals(&after), (due.len() as i64, due_ms));
}

/// Sweeps the SQLite file `db` with the policy in `dir` at `now`: the first table turns
/// from rowid ranges to the index and changes `done` rows. Returns its chunks.
fn sqlite_index_sweep(dir: &Path, db: &Path, now: &str, extra: &[&str], done: u64) -> u64 {
    let command = sweep_folder(dir, &format!("sqlite://{}", db.display()), now, extra);
    let summary = expect(command, 0).json();
    let table = &summary["tables"][0];
    assert_eq!(
        table["walks"],
        serde_json::json!(["range", "index"]),
        "{summary}"
    );
    assert_eq!(table["done"], done, "{summary}");
    table["chunks"].as_u64().unwrap()
}

/// A SQLite roll-up through the index walk: each chunk sums up and deletes the same
/// rows. Every due row is summed exactly once and deleted, rows with equal timestamps
/// included, and every other row stays; the totals and the rows kept are decided by
/// hand-written SQL.
#[test]
fn sqlite_rollup_through_the_index_counts_tied_rows_once() {
    let temp = tempfile::tempdir().unwrap();
    let db = temp.path().join("app.db");
    std::fs::File::create(&db).unwrap();
    common::sqlite_execute(&db, "PRAGMA journal_mode = WAL");
    write_events_policy(temp.path(), "sqlite");
    // 19,950 events, 150 of them due, all at the same instant, over two features.
    common::sqlite_execute(
        &db,
        &format!(
            "{} WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 19950)
             INSERT INTO events SELECT i, 'p' || i || '@example.com',
                 CASE i % 3 WHEN 0 THEN 'reply' ELSE 'draft' END, i % 7,
                 CASE WHEN i % 133 = 0 THEN '2026-03-20T00:00:00Z' ELSE '2026-03-29T12:00:00Z' END
             FROM s;",
            server_tables("DATETIME")
        ),
    );
    let cutoff = "'2026-03-29T00:30:00Z'";
    let expected = common::sqlite_strings(
        &db,
        &format!(
            "SELECT substr(at, 1, 10) || ' ' || feature || ' ' || COUNT(*) || ' ' || SUM(duration_ms)
             FROM events WHERE at < {cutoff} GROUP BY substr(at, 1, 10), feature ORDER BY 1"
        ),
    );
    let kept = common::sqlite_strings(
        &db,
        &format!("SELECT CAST(id AS TEXT) FROM events WHERE at >= {cutoff} ORDER BY id"),
    );
    assert_eq!(expected.len(), 2, "{expected:?}");
    // The first 40 rowids hold no due row: the index finds the 150, 40 at a time.
    let chunks = sqlite_index_sweep(
        temp.path(),
        &db,
        "2026-03-30T00:30:00Z",
        &["--batch-size", "40", "--table", "events"],
        150,
    );
    assert!(chunks >= 5, "{chunks} chunks");
    let daily = common::sqlite_strings(
        &db,
        "SELECT day || ' ' || feature || ' ' || events || ' ' || total_ms FROM daily ORDER BY 1",
    );
    assert_eq!(daily, expected);
    let left = common::sqlite_strings(&db, "SELECT CAST(id AS TEXT) FROM events ORDER BY id");
    assert_eq!(left, kept);
}

/// A SQLite walk by index keeps each adaptive chunk within the sweep's page cache: with
/// 64 KiB pages, 512 rows a chunk (half the cache's pages), however quickly the chunks
/// go; a `--batch-size` given is kept. The first 20,000 rowids hold no due row; the
/// 10,000 after them are all due.
#[test]
fn a_sqlite_index_walk_keeps_its_chunks_within_the_page_cache() {
    // One range chunk, the index chunks, and the one that finds none left: 512 rows at
    // a time (20 chunks), or the 2,000 given (5), neither more nor larger.
    for (extra, expected) in [(&[][..], 21..=23), (&["--batch-size", "2000"][..], 6..=8)] {
        let temp = tempfile::tempdir().unwrap();
        let db = temp.path().join("app.db");
        std::fs::File::create(&db).unwrap();
        common::sqlite_execute(
            &db,
            "PRAGMA page_size = 65536; VACUUM; PRAGMA journal_mode = WAL",
        );
        assert_eq!(
            common::sqlite_strings(&db, "SELECT CAST(page_size AS TEXT) FROM pragma_page_size"),
            ["65536"]
        );
        std::fs::write(
            temp.path().join("policy.toml"),
            policy_head("sqlite") + &swept_table("logs", "[\"id\"]", "id = \"system.operations\""),
        )
        .unwrap();
        common::sqlite_execute(
            &db,
            "CREATE TABLE logs (id INTEGER PRIMARY KEY, at VARCHAR(30));
             CREATE INDEX logs_at ON logs (at);
             WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 30000)
             INSERT INTO logs SELECT i, CASE WHEN i > 20000 THEN '2026-01-01T00:00:00Z' ELSE '2026-11-20T00:00:00Z' END FROM s;",
        );
        let kept = common::sqlite_strings(
            &db,
            "SELECT CAST(id AS TEXT) FROM logs WHERE at >= '2026-10-26' ORDER BY id",
        );
        assert_eq!(kept.len(), 20000);
        let chunks = sqlite_index_sweep(temp.path(), &db, NOW, extra, 10000);
        assert!(expected.contains(&chunks), "{extra:?}: {chunks} chunks");
        let left = common::sqlite_strings(&db, "SELECT CAST(id AS TEXT) FROM logs ORDER BY id");
        assert_eq!(left, kept);
    }
}

/// The server tests' policy, and `rows` PostgreSQL events made by `generate_series`,
/// with `at` given as SQL over `i`.
fn postgres_events(db: &TestDatabase, dir: &Path, rows: u32, at: &str) {
    let timestamp = server_policy(dir, db, "postgres");
    db.execute(&format!(
        "{} INSERT INTO events SELECT i, 'p' || i || '@example.com',
                CASE i % 3 WHEN 0 THEN 'reply' ELSE 'draft' END, i % 7, {at}
         FROM generate_series(1, {rows}) AS s(i);
         ANALYZE;",
        server_tables(timestamp)
    ));
}

/// Events and milliseconds summed over the aggregate table `daily`.
fn daily_totals(dump: &common::Dump) -> (i64, i64) {
    let sum = |column: &str| {
        dump["daily"]
            .iter()
            .map(|r| r[column].as_i64().unwrap())
            .sum()
    };
    (sum("events"), sum("total_ms"))
}

#[test]
fn the_time_comes_from_privops_now_or_the_clock_and_garbage_is_refused() {
    let demo = Demo::new();
    for garbage in ["garbage", "2026-13-45", "yesterday"] {
        let mut command = demo.cmd(&["retention", "plan"]);
        command.env("PRIVOPS_NOW", garbage);
        let refused = expect(command, 2);
        assert!(
            refused.stderr.contains("PRIVOPS_NOW") && refused.stderr.contains(garbage),
            "{}",
            refused.stderr
        );
    }
    // The demo's rows are dated from the command's time: a demo made at a fixed time
    // has rows due exactly as a sweep at that time computes them.
    let mut command = demo.cmd(&["retention", "plan", "--format", "json"]);
    command.env("PRIVOPS_NOW", "2026-11-25");
    let plan = expect(command, 0).json();
    let sessions = plan
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["table"] == "sessions")
        .unwrap();
    assert_eq!(sessions["cutoff"], "2026-10-26T00:00:00.000000Z");
}

#[test]
fn max_duration_is_a_length_of_wall_time() {
    let demo = Demo::new();
    let crm = demo.dir.join("data/crm.db");
    let before = common::sqlite_dump(&crm);
    // No time at all: the sweep stops before its first chunk, changes nothing, exits 4.
    let stopped = sweep(&demo, &["--table", "sessions", "--max-duration", "0s"], 4);
    assert_eq!(stopped["tables"][0]["done"], 0);
    assert!(stopped["tables"][0]["remaining"].as_u64().unwrap() > 0);
    assert_eq!(common::sqlite_dump(&crm), before);
    // Ten minutes is plenty for the demo.
    let done = sweep(&demo, &["--table", "sessions", "--max-duration", "10m"], 0);
    assert_eq!(done["tables"][0]["remaining"], 0);
    // Not a duration, or one past what a clock can hold: a usage error, nothing swept.
    for bad in ["10x", "ten minutes", "-5m"] {
        let flag = format!("--max-duration={bad}");
        let mut command = demo.cmd(&["retention", "sweep", &flag]);
        command.env("PRIVOPS_NOW", NOW);
        let refused = expect(command, 2);
        assert!(
            refused.stderr.contains("--max-duration"),
            "{}",
            refused.stderr
        );
    }
}
