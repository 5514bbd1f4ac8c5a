//! `privops scan` of one large table: the whole process (policy, store, the engine's
//! sample, every sampled value through the detectors, the report) against the engine's own
//! sampling query for the same number of rows, run by hand.

use std::time::Instant;

use super::data::{Target, measure, series};
use super::{Options, Report, privops};

const POLICY: &str = r#"
[controller]
organisation = "Bench"
dpo = { name = "DPO", email = "dpo@bench.example" }

[[identity]]
kind = "email"
normalise = "email"

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
note = "user.content.notes"
amount = "system.operations"
at = "system.operations"
"#;

pub fn scan(options: &Options, report: &mut Report, target: &Target) {
    let rows = options.scan_rows;
    let sample = options.scan_sample;
    target.fresh();
    let started = Instant::now();
    let int = if matches!(target, Target::Postgres { .. }) {
        "BIGINT"
    } else {
        "INTEGER"
    };
    target.run(&format!(
        "CREATE TABLE people (id {int} PRIMARY KEY, email TEXT NOT NULL, name TEXT, note TEXT, amount {int}, at TEXT);
         {}",
        series(
            target,
            rows,
            "i, 'user' || i || '@bench.example', 'Person ' || i, 'called back about order ' || i || ', all fine', i % 1000, '2026-11-20T10:00:00Z'",
            "people"
        )
    ));
    if matches!(target, Target::Postgres { .. }) {
        target.run("ANALYZE people");
    }
    println!(
        "# {}: {rows} rows built in {:.1} s",
        target.engine(),
        started.elapsed().as_secs_f64()
    );
    // The engine's own sample of as many rows, as privops asks for it.
    let direct_sql = match target {
        Target::Sqlite(_) => format!(
            "SELECT id, email, name, note, amount, at FROM people ORDER BY random() LIMIT {sample}"
        ),
        Target::Postgres { .. } => format!(
            "SELECT id, email, name, note, amount, at FROM people TABLESAMPLE BERNOULLI ({:.6}) LIMIT {sample}",
            (100.0 * 2.0 * sample as f64 / rows as f64).min(100.0)
        ),
    };
    let direct = target.run(&direct_sql);

    let temp = tempfile::tempdir().unwrap();
    let policies = temp.path().join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::write(
        policies.join("policy.toml"),
        POLICY.replace("ENGINE", target.engine()),
    )
    .unwrap();
    super::init(temp.path());
    let mut command = privops(temp.path(), None);
    command.env("BENCH_DATABASE_URL", target.url()).args([
        "scan",
        "--sample",
        &sample.to_string(),
        "--format",
        "json",
    ]);
    let (elapsed, peak) = measure(command);
    report.add(
        "scan one table (whole process)",
        target.engine(),
        format!("{rows} rows, a sample of {sample}"),
        elapsed,
        direct,
        format!(
            "target <= 2x the engine's own sampling query; peak {} MB (target < 100)",
            peak.map_or("?".to_string(), |p| (p / 1024).to_string())
        ),
    );
    target.drop_it();
}
