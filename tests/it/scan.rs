//! `privops scan` on SQLite, PostgreSQL and MariaDB: identifiers planted in a column the
//! policy declares `system.*`, in an aggregate table and in a table the policy leaves out
//! are found (exit 3) and never printed in clear; a clean table exits 0; an aggregate's
//! groups below its `min_group` are reported; a category the values contradict is a
//! warning.

use crate::common::{Fixture, expect};

const SCHEMA: &str = "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200), name VARCHAR(100), status VARCHAR(20), note VARCHAR(400));
CREATE TABLE events (id INTEGER PRIMARY KEY, customer_id INTEGER, feature VARCHAR(50), detail VARCHAR(400), at VARCHAR(40));
CREATE TABLE daily (day VARCHAR(10) NOT NULL, feature VARCHAR(60) NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (day, feature));
CREATE TABLE contacts (id INTEGER PRIMARY KEY, label VARCHAR(100));
CREATE TABLE shadow (id INTEGER PRIMARY KEY, contact VARCHAR(200));
INSERT INTO customers VALUES (1, 'planted.dana@example.com', 'Dana Levi', 'active', 'prefers e-mail'), (2, 'omer@example.com', 'Omer Bar', 'active', NULL), (3, 'noa@example.com', 'Noa Golan', 'closed', 'VIP');
INSERT INTO events VALUES (1, 1, 'reply', 'login from 10.77.3.9 by planted.dana@example.com', '2026-11-20T10:00:00Z'), (2, 2, 'reply', 'ok', '2026-11-20T11:00:00Z'), (3, 3, 'draft', 'ok', '2026-11-21T09:00:00Z'), (4, 3, 'M-88213', 'ok', '2026-11-22T09:00:00Z');
INSERT INTO daily VALUES ('2026-11-01', 'reply', 40), ('2026-11-01', 'draft', 2), ('2026-11-02', 'planted.dana@example.com', 12);
INSERT INTO contacts VALUES (1, '+972 53-498-8960'), (2, '+972 54-555-1234'), (3, '+972 52-222-3333');
INSERT INTO shadow VALUES (1, 'planted.omer@example.com'), (2, 'planted.noa@example.com');
";

fn policy(engine: &str) -> String {
    format!(
        r#"
[controller]
organisation = "Shop Ltd"
dpo = {{ name = "D. P. O.", email = "dpo@shop.test" }}

[[identity]]
kind = "email"
normalise = "email"

[[identity]]
kind = "phone"
normalise = "phone"
default_region = "IL"

[[identity]]
kind = "member"
normalise = "trim"

[source]
id = "app"
engine = "{engine}"
url_env = "APP_DATABASE_URL"

[[table]]
name = "customers"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}
name = "user.name"
status = "system.operations"
note = "user.content.notes"

[[table]]
name = "events"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
customer_id = "system.operations"
feature = "system.operations"
detail = "system.operations"
at = "system.operations"
[[table.relation]]
columns = ["customer_id"]
references = "customers"
[table.retention]
period = "90d"
from = "at"
then = "rollup"
[table.retention.rollup]
into = "daily"
group = {{ day = {{ column = "at", truncate = "day" }}, feature = {{ column = "feature" }} }}
measures = {{ n = {{ op = "count" }} }}

[[table]]
name = "daily"
aggregate = true
key = ["day", "feature"]
min_group = 5
[table.columns]
day = "system.aggregate"
feature = "system.aggregate"
n = "system.aggregate"

[[table]]
name = "contacts"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
label = "user.name"
"#
    )
}

fn scan_finds_what_the_policy_denies(engine: &str) {
    let Some(app) = Fixture::new(
        engine,
        &format!("scan_{engine}"),
        SCHEMA,
        &policy(engine),
        &[("PRIVOPS_NOW", "2026-12-01T10:00:00Z")],
    ) else {
        return;
    };
    // The store knows a member number: a system column holding it is found by keyed
    // reference, though no pattern describes it.
    expect(
        app.cmd(&[
            "request",
            "open",
            "--kind",
            "access",
            "--subject",
            "member:M-88213",
        ]),
        0,
    );
    let run = expect(app.cmd(&["scan", "--format", "json"]), 3);
    let report = run.json();
    let findings = report["findings"].as_array().unwrap();
    let has = |kind: &str, table: &str, column: &str| {
        findings
            .iter()
            .any(|f| f["kind"] == kind && f["table"] == table && f["column"] == column)
    };
    assert!(
        has("identifier_in_system_column", "events", "detail"),
        "{report}"
    );
    assert!(
        has("identifier_in_aggregate", "daily", "feature"),
        "{report}"
    );
    assert!(
        has("identifier_in_undeclared_table", "shadow", "contact"),
        "{report}"
    );
    assert!(has("small_group", "daily", "n"), "{report}");
    let known = findings
        .iter()
        .find(|f| f["column"] == "feature" && f["table"] == "events")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(known["detector"], "known_identity", "{known}");
    assert_eq!(known["kind"], "identifier_in_system_column", "{known}");
    let mismatch = findings
        .iter()
        .find(|f| f["kind"] == "category_mismatch" && f["column"] == "label")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(mismatch["severity"], "warning");
    assert_eq!(mismatch["detector"], "phone");
    // The located finding points at the policy's line.
    let system = findings.iter().find(|f| f["column"] == "detail").unwrap();
    assert!(
        system["at"].as_str().unwrap().starts_with("policy.toml:"),
        "{system}"
    );
    assert_eq!(system["example"], "p***@e***.com", "{system}");
    assert_eq!(system["detector"], "email", "{system}");
    // A declared personal column holding what it says is no finding.
    assert!(
        !findings.iter().any(|f| f["table"] == "customers"),
        "{report}"
    );

    // Cut short by --max-duration before every table was read: exit 4, said so.
    let cut = expect(
        app.cmd(&["scan", "--max-duration", "0s", "--format", "json"]),
        4,
    )
    .json();
    assert_eq!(cut["complete"], false, "{cut}");

    // A clean table exits 0.
    let clean = expect(app.cmd(&["scan", "--table", "customers"]), 0);
    assert!(clean.stderr.contains("0 error(s)"), "{}", clean.stderr);

    // No planted value in clear: not on stdout or stderr of any form, not in the trail.
    let human = expect(app.cmd(&["scan"]), 3);
    let log = expect(app.cmd(&["audit", "log", "--format", "json"]), 0);
    for text in [
        &run.stdout,
        &run.stderr,
        &human.stdout,
        &human.stderr,
        &log.stdout,
    ] {
        for planted in ["planted", "10.77.3.9", "498-8960", "88213"] {
            assert!(!text.contains(planted), "{planted} printed:\n{text}");
        }
    }
    assert!(log.stdout.contains("scan.run"));
}

#[test]
fn scan_finds_what_the_policy_denies_on_sqlite() {
    scan_finds_what_the_policy_denies("sqlite");
}

#[test]
fn scan_finds_what_the_policy_denies_on_postgres() {
    scan_finds_what_the_policy_denies("postgres");
}

#[test]
fn scan_finds_what_the_policy_denies_on_mariadb() {
    scan_finds_what_the_policy_denies("mysql");
}

const HITS: &str = "CREATE TABLE hits (id INTEGER PRIMARY KEY, feature VARCHAR(20) NOT NULL, at VARCHAR(40) NOT NULL);
CREATE TABLE hits_daily (day VARCHAR(10) NOT NULL, feature VARCHAR(20) NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (day, feature));
INSERT INTO hits VALUES (1, 'a', '2026-01-01T10:00:00Z'), (2, 'a', '2026-01-01T11:00:00Z'), (3, 'a', '2026-01-01T12:00:00Z'), (4, 'a', '2026-01-01T13:00:00Z'), (5, 'a', '2026-01-01T14:00:00Z'), (6, 'a', '2026-01-01T15:00:00Z'), (7, 'a', '2026-01-01T16:00:00Z'),
  (8, 'b', '2026-01-01T10:00:00Z'), (9, 'b', '2026-01-01T11:00:00Z'), (10, 'b', '2026-01-01T12:00:00Z'),
  (11, 'c', '2026-01-01T10:00:00Z'), (12, 'c', '2026-01-01T11:00:00Z'),
  (13, 'a', '2026-11-30T10:00:00Z');
INSERT INTO hits_daily VALUES ('2026-01-01', 'c', 4);
";

fn hits_policy(engine: &str) -> String {
    format!(
        r#"
[controller]
organisation = "Shop Ltd"
dpo = {{ name = "D. P. O.", email = "dpo@shop.test" }}

[[identity]]
kind = "email"
normalise = "email"

[source]
id = "app"
engine = "{engine}"
url_env = "APP_DATABASE_URL"

[[table]]
name = "hits"
key = ["id"]
[table.columns]
id = "system.operations"
feature = "system.operations"
at = "system.operations"
[table.retention]
period = "30d"
from = "at"
then = "rollup"
[table.retention.rollup]
into = "hits_daily"
group = {{ day = {{ column = "at", truncate = "day" }}, feature = {{ column = "feature" }} }}
measures = {{ n = {{ op = "count" }} }}

[[table]]
name = "hits_daily"
aggregate = true
key = ["day", "feature"]
min_group = 5
[table.columns]
day = "system.aggregate"
feature = "system.aggregate"
n = "system.aggregate"
"#
    )
}

/// A roll-up into an aggregate with `min_group = 5` writes no group below it: `a` (7 due)
/// rolls up, `c` (2 due, 4 already counted) rolls up to 6, `b` (3 due) stays in the table
/// until its group grows; the counts are conserved and the sweep says why rows stayed.
fn a_rollup_keeps_no_group_below_its_floor(engine: &str) {
    let Some(app) = Fixture::new(
        engine,
        &format!("min_group_{engine}"),
        HITS,
        &hits_policy(engine),
        &[("PRIVOPS_NOW", "2026-12-01T10:00:00Z")],
    ) else {
        return;
    };
    let plan = expect(app.cmd(&["retention", "plan", "--format", "json"]), 0);
    assert!(plan.stdout.contains("under min_group 5"), "{}", plan.stdout);
    expect(app.cmd(&["retention", "sweep", "--quiet"]), 0);
    let features = app.strings("SELECT feature FROM hits_daily ORDER BY feature");
    assert_eq!(features, ["a", "c"]);
    for (feature, n) in [("a", "7"), ("c", "6")] {
        let got = app.strings(&format!(
            "SELECT CAST(n AS CHAR(10)) FROM hits_daily WHERE feature = '{feature}' AND day = '2026-01-01'"
        ));
        assert_eq!(
            got.iter().map(|g| g.trim()).collect::<Vec<_>>(),
            [n],
            "{feature}"
        );
    }
    let mut left: Vec<String> = app
        .strings("SELECT CAST(id AS CHAR(10)) FROM hits")
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["10", "13", "8", "9"],
        "b's three rows and the recent one stay"
    );
    // Nothing of the aggregate counts fewer than the floor.
    let small = app.strings("SELECT CAST(COUNT(*) AS CHAR(10)) FROM hits_daily WHERE n < 5");
    assert_eq!(small[0].trim(), "0");
}

#[test]
fn a_rollup_keeps_no_group_below_its_floor_on_sqlite() {
    a_rollup_keeps_no_group_below_its_floor("sqlite");
}

#[test]
fn a_rollup_keeps_no_group_below_its_floor_on_postgres() {
    a_rollup_keeps_no_group_below_its_floor("postgres");
}

#[test]
fn a_rollup_keeps_no_group_below_its_floor_on_mariadb() {
    a_rollup_keeps_no_group_below_its_floor("mysql");
}

/// With `small_groups = "other"`, the group below the floor is merged into the `other`
/// bucket instead of waiting: `b`'s three rows go into ('2026-01-01', 'other'), every due
/// row leaves the table, and the counts are conserved.
fn a_rollup_merges_small_groups_into_other(engine: &str) {
    let policy = hits_policy(engine).replace(
        "min_group = 5\n",
        "min_group = 5\nsmall_groups = \"other\"\n",
    );
    assert!(policy.contains("small_groups"));
    let Some(app) = Fixture::new(
        engine,
        &format!("min_group_other_{engine}"),
        HITS,
        &policy,
        &[("PRIVOPS_NOW", "2026-12-01T10:00:00Z")],
    ) else {
        return;
    };
    let plan = expect(app.cmd(&["retention", "plan"]), 0);
    assert!(
        plan.stdout.contains("merged into `other`"),
        "{}",
        plan.stdout
    );
    expect(app.cmd(&["retention", "sweep", "--quiet"]), 0);
    for (feature, n) in [("a", "7"), ("c", "6"), ("other", "3")] {
        let got = app.strings(&format!(
            "SELECT CAST(n AS CHAR(10)) FROM hits_daily WHERE feature = '{feature}' AND day = '2026-01-01'"
        ));
        assert_eq!(
            got.iter().map(|g| g.trim()).collect::<Vec<_>>(),
            [n],
            "{feature}"
        );
    }
    let features = app.strings("SELECT feature FROM hits_daily ORDER BY feature");
    assert_eq!(features, ["a", "c", "other"]);
    let left: Vec<String> = app
        .strings("SELECT CAST(id AS CHAR(10)) FROM hits")
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    assert_eq!(left, ["13"], "only the recent row stays");
    // The bucket is small by design: scan does not report it.
    expect(app.cmd(&["scan", "--table", "hits_daily"]), 0);
}

#[test]
fn a_rollup_merges_small_groups_into_other_on_sqlite() {
    a_rollup_merges_small_groups_into_other("sqlite");
}

#[test]
fn a_rollup_merges_small_groups_into_other_on_postgres() {
    a_rollup_merges_small_groups_into_other("postgres");
}

#[test]
fn a_rollup_merges_small_groups_into_other_on_mariadb() {
    a_rollup_merges_small_groups_into_other("mysql");
}
