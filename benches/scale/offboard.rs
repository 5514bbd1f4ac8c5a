//! Offboarding one client account among others: the whole `privops offboard` process
//! against the hand-written statements a database engineer would run for the same result
//! (the roll-up of the account's logs, then `DELETE ... WHERE account_id = ...` per
//! table), on copies of the same data.

use std::time::Instant;

use super::data::{Target, measure, series};
use super::{Options, Report, privops};

const POLICY: &str = r#"
[controller]
organisation = "Bench"
dpo = { name = "DPO", email = "dpo@bench.example" }

[tenant]
source = "app"
table = "accounts"
key = "id"

[[identity]]
kind = "email"
normalise = "email"

[source]
id = "app"
engine = "ENGINE"
url_env = "BENCH_DATABASE_URL"

[[table]]
name = "accounts"
key = ["id"]
erase = "keep"
[table.columns]
id = "system.operations"
name = "system.operations"

[[table]]
name = "people"
key = ["id"]
erase = "delete"
tenant = "account_id"
[table.columns]
id = "system.operations"
account_id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
name = "user.name"

[[table]]
name = "events"
key = ["id"]
erase = "delete"
tenant = "account_id"
[table.columns]
id = "system.operations"
account_id = "system.operations"
person_id = "system.operations"
payload = "user.content.message"
at = "system.operations"
[[table.relation]]
columns = ["person_id"]
references = "people"

[[table]]
name = "logs"
key = ["id"]
erase = "delete"
tenant = "account_id"
[table.columns]
id = "system.operations"
account_id = "system.operations"
feature = "system.operations"
at = "system.operations"
[table.retention]
period = "1y"
from = "at"
then = "rollup"
[table.retention.rollup]
into = "daily"
group = { day = { column = "at", truncate = "day" }, feature = { column = "feature" } }
measures = { n = { op = "count" } }

[[table]]
name = "daily"
aggregate = true
key = ["day", "feature"]
[table.columns]
day = "system.aggregate"
feature = "system.aggregate"
n = "system.aggregate"
"#;

/// Four accounts; account 1 has `people` people and `rows` rows (events 80%, logs 20%),
/// the three others share as many again.
fn build(target: &Target, people: usize, rows: usize) {
    target.fresh();
    let started = Instant::now();
    let big = matches!(target, Target::Postgres { .. });
    let int = if big { "BIGINT" } else { "INTEGER" };
    let events = rows * 4 / 5;
    let logs = rows - events;
    // Rows 1..=n belong to account 1; n+1..=2n to accounts 2..4.
    let account = |n: usize| format!("CASE WHEN i <= {n} THEN 1 ELSE 2 + (i % 3) END");
    let sql = format!(
        "CREATE TABLE accounts (id {int} PRIMARY KEY, name TEXT);
         INSERT INTO accounts VALUES (1, 'One'), (2, 'Two'), (3, 'Three'), (4, 'Four');
         CREATE TABLE people (id {int} PRIMARY KEY, account_id {int} NOT NULL, email TEXT NOT NULL, name TEXT);
         CREATE TABLE events (id {int} PRIMARY KEY, account_id {int} NOT NULL, person_id {int} NOT NULL, payload TEXT, at TEXT);
         CREATE TABLE logs (id {int} PRIMARY KEY, account_id {int} NOT NULL, feature TEXT, at TEXT);
         CREATE TABLE daily (day TEXT NOT NULL, feature TEXT NOT NULL, n {int} NOT NULL, PRIMARY KEY (day, feature));
         {}\n{}\n{}
         CREATE INDEX people_account ON people (account_id);
         CREATE INDEX events_account ON events (account_id);
         CREATE INDEX events_person ON events (person_id);
         CREATE INDEX logs_account ON logs (account_id);",
        series(
            target,
            people * 2,
            &format!(
                "i, {}, 'user' || i || '@bench.example', 'Person ' || i",
                account(people)
            ),
            "people"
        ),
        series(
            target,
            events * 2,
            &format!(
                "i, {}, CASE WHEN i <= {events} THEN (i % {people}) + 1 ELSE {people} + (i % {people}) + 1 END, 'payload of event ' || i, '2026-11-20T10:00:00Z'",
                account(events)
            ),
            "events"
        ),
        series(
            target,
            logs * 2,
            &format!(
                "i, {}, CASE i % 3 WHEN 0 THEN 'reply' WHEN 1 THEN 'booking' ELSE 'draft' END, '2026-11-' || (10 + i % 9) || 'T10:00:00Z'",
                account(logs)
            ),
            "logs"
        ),
    );
    target.run(&sql);
    if big {
        target.run("ANALYZE");
    }
    println!(
        "# {}: account 1 with {people} people and {rows} rows, as many in three other accounts, built in {:.1} s",
        target.engine(),
        started.elapsed().as_secs_f64()
    );
}

pub fn offboard(options: &Options, report: &mut Report, target: &Target) {
    let (people, rows) = (options.offboard_people, options.offboard_rows);
    build(target, people, rows);
    // Copies keep the journal mode, which a SQLite file records.
    let journal = match target {
        Target::Sqlite(_) if options.sqlite_wal => {
            target.run("PRAGMA journal_mode = WAL");
            ", write-ahead log"
        }
        Target::Sqlite(_) => ", rollback journal",
        Target::Postgres { .. } => "",
    };
    let direct_copy = target.copy("direct");
    let privops_copy = target.copy("privops");
    let day = match target {
        Target::Sqlite(_) => "substr(at, 1, 10)",
        Target::Postgres { .. } => "substr(at, 1, 10)",
    };
    let statements = |prefix: &str| {
        format!(
            "{prefix}BEGIN;
         INSERT INTO daily (day, feature, n) SELECT {day}, feature, COUNT(*) FROM logs WHERE account_id = 1 GROUP BY {day}, feature
           ON CONFLICT (day, feature) DO UPDATE SET n = daily.n + excluded.n;
         DELETE FROM logs WHERE account_id = 1;
         DELETE FROM events WHERE account_id = 1;
         DELETE FROM people WHERE account_id = 1;
         DELETE FROM accounts WHERE id = 1;
         COMMIT;"
        )
    };
    let direct = direct_copy.run(&statements(""));
    // privops deletes from SQLite with secure_delete on, so that no deleted row stays
    // readable in the file's free pages: the same result, written by hand.
    let secure = matches!(target, Target::Sqlite(_)).then(|| {
        let copy = target.copy("secure");
        let took = copy.run(&statements("PRAGMA secure_delete = ON; "));
        copy.drop_it();
        took
    });
    let temp = tempfile::tempdir().unwrap();
    let policies = temp.path().join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::write(
        policies.join("policy.toml"),
        POLICY.replace("ENGINE", target.engine()),
    )
    .unwrap();
    super::init(temp.path());
    let offboard = |args: &[&str]| {
        let mut command = privops(temp.path(), None);
        command
            .env("BENCH_DATABASE_URL", privops_copy.url())
            .env("PRIVOPS_NOW", "2026-11-25T12:00:00Z")
            .args(["offboard", "--tenant", "1"])
            .args(args);
        command
    };
    // The plan alone (counts, holds, roll-up totals, the account's people), then the run.
    let (planning, _) = measure(offboard(&["--dry-run"]));
    let (elapsed, peak) = measure(offboard(&["--yes"]));
    for table in ["people", "events", "logs"] {
        let left = privops_copy.count(&format!(
            "SELECT COUNT(*) FROM {table} WHERE account_id = 1"
        ));
        assert_eq!(left, 0, "{table}: rows of the account left");
    }
    assert_eq!(
        privops_copy.count("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM daily"),
        direct_copy.count("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM daily"),
        "the same roll-up"
    );
    let state = format!(
        "sqlite://{}",
        temp.path().join(".privops/state.db").display()
    );
    let outcome: Option<String> = super::block_on(async move {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&state).await.ok()?;
        sqlx::query_scalar("SELECT outcome FROM erasure_steps WHERE step_id = 'source:app'")
            .fetch_one(&mut conn)
            .await
            .ok()
    });
    let outcome = outcome.and_then(|o| serde_json::from_str::<serde_json::Value>(&o).ok());
    // Where the run's time went, table by table.
    if let Some(tables) = outcome.as_ref().and_then(|o| o["tables"].as_object()) {
        let parts: Vec<String> = tables
            .iter()
            .map(|(name, t)| {
                format!(
                    "{name} {} ms in {} chunk(s), longest {} ms, by {}",
                    t["ms"],
                    t["chunks"],
                    t["longest_chunk_ms"],
                    t["walk"].as_str().unwrap_or("?")
                )
            })
            .collect();
        println!("# {}: {}", target.engine(), parts.join("; "));
    }
    let longest = outcome.map(|outcome| {
        outcome["tables"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(_, t)| t["longest_chunk_ms"].as_u64())
            .max()
            .unwrap_or(0)
    });
    let throughput = direct.as_secs_f64() / elapsed.as_secs_f64();
    report.add(
        "offboard one account (whole process)",
        target.engine(),
        format!("{people} people, {rows} rows of the account, as many of others{journal}"),
        elapsed,
        direct,
        format!(
            "throughput {throughput:.2}x of the hand-written roll-up and DELETEs (target >= 0.7x){}; of which planning {:.3} s; longest chunk {} ms (target <= 1000); peak {} MB (target < 100)",
            secure.map_or(String::new(), |s| format!(
                ", {:.2}x of the same with secure_delete on ({:.3} s)",
                s.as_secs_f64() / elapsed.as_secs_f64(),
                s.as_secs_f64()
            )),
            planning.as_secs_f64(),
            longest.map_or("?".to_string(), |l| l.to_string()),
            peak.map_or("?".to_string(), |p| (p / 1024).to_string())
        ),
    );
    privops_copy.drop_it();
    direct_copy.drop_it();
    target.drop_it();
}
