//! Offboarding a client account on SQLite, PostgreSQL and MariaDB: the rows of the other
//! accounts are byte-identical before and after; no row of the account is left outside
//! its hold; the aggregate's totals grow by exactly the account's rolled-up rows; the
//! providers are told about exactly the account's people; a run stopped half-way
//! (failpoint, `kill -9`) and run again ends as an uninterrupted twin; the certificate
//! verifies and an edited one does not; a dry run changes nothing. The expected rows are
//! written out by hand below, never derived from privops's own rule.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::common::{self, Dump, Fixture, MockAnswer, MockProvider, expect};

const SCHEMA: &str = "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name VARCHAR(100), contact VARCHAR(200));
CREATE TABLE clients (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, email VARCHAR(200), name VARCHAR(200));
CREATE TABLE meetings (id INTEGER PRIMARY KEY, client_id INTEGER NOT NULL REFERENCES clients (id), notes VARCHAR(200));
CREATE TABLE invoices (id INTEGER PRIMARY KEY, client_id INTEGER REFERENCES clients (id), billing_name VARCHAR(200), amount INTEGER, issued_at VARCHAR(40));
CREATE TABLE logs (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, email VARCHAR(200), feature VARCHAR(50), duration_ms INTEGER, at VARCHAR(40));
CREATE TABLE metrics (day VARCHAR(10) NOT NULL, feature VARCHAR(50) NOT NULL, executions INTEGER NOT NULL, total_ms INTEGER NOT NULL, PRIMARY KEY (day, feature));
CREATE TABLE settings (account_id INTEGER PRIMARY KEY, theme VARCHAR(20));
CREATE TABLE stray (id INTEGER PRIMARY KEY, email VARCHAR(200));
INSERT INTO accounts VALUES (1, 'Acme', 'boss@acme.test'), (2, 'Globex', 'boss@globex.test'), (3, 'Initech', 'boss@initech.test');
INSERT INTO clients VALUES (10, 1, 'a@acme.test', 'A'), (11, 1, 'b@acme.test', 'B'), (20, 2, 'g1@globex.test', 'G1'), (21, 2, 'g2@globex.test', 'G2'), (30, 3, 'i@initech.test', 'I');
INSERT INTO meetings VALUES (100, 10, 'intro'), (200, 20, 'kickoff'), (201, 21, 'review'), (300, 30, 'demo');
INSERT INTO invoices VALUES (1000, 10, 'A', 500, '2026-01-10T00:00:00Z'), (2000, 20, 'G1', 700, '2026-02-01T00:00:00Z'), (2001, 21, 'G2', 300, '2015-01-01T00:00:00Z'), (3000, 30, 'I', 100, '2026-03-01T00:00:00Z');
INSERT INTO logs VALUES (1, 1, 'a@acme.test', 'reply', 100, '2026-11-20T10:00:00Z'), (2, 2, 'g1@globex.test', 'reply', 200, '2026-11-20T11:00:00Z'), (3, 2, 'g2@globex.test', 'draft', 50, '2026-11-21T09:00:00Z'), (4, 2, 'g1@globex.test', 'reply', 30, '2026-11-21T10:00:00Z'), (5, 3, 'i@initech.test', 'draft', 70, '2026-11-22T00:00:00Z');
INSERT INTO metrics VALUES ('2026-11-20', 'reply', 10, 1000);
INSERT INTO settings VALUES (1, 'dark'), (2, 'light'), (3, 'dark');
INSERT INTO stray VALUES (1, 's@stray.test');
";

fn policy(engine: &str) -> String {
    format!(
        r#"
[controller]
organisation = "Processor Ltd"
dpo = {{ name = "D. P. O.", email = "dpo@processor.test" }}

[tenant]
name = "client account"
source = "app"
table = "accounts"
key = "id"

[[identity]]
kind = "email"
normalise = "email"

[[provider]]
id = "mailer"
name = "Mailer"
role = "processor"
countries = ["DE"]
categories = ["user.contact.email"]
base_url_env = "MAILER_URL"
auth = {{ env = "MAILER_TOKEN", header = "Authorization", scheme = "Bearer" }}
timeout = "5s"
retries = 1
[provider.erase]
method = "DELETE"
path = "/contacts/{{identity.email}}"
success = [204]
not_found = [404]

[source]
id = "app"
engine = "{engine}"
url_env = "APP_DATABASE_URL"

[[table]]
name = "accounts"
key = ["id"]
erase = "mask"
[table.columns]
id = "system.operations"
name = "system.operations"
contact = {{ category = "user.contact.email", identity = "email", mask = "null" }}

[[table]]
name = "clients"
key = ["id"]
erase = "delete"
tenant = "account_id"
[table.columns]
id = "system.operations"
account_id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}
name = "user.name"

[[table]]
name = "meetings"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
client_id = "system.operations"
notes = "user.content.notes"
[[table.relation]]
columns = ["client_id"]
references = "clients"

[[table]]
name = "invoices"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
client_id = {{ category = "user.unique_id", mask = "null" }}
billing_name = {{ category = "user.name", mask = "hmac" }}
amount = "user.financial.invoice"
issued_at = "system.operations"
[[table.relation]]
columns = ["client_id"]
references = "clients"
[[table.hold]]
reason = "tax law keeps invoices 7 years"
article = "17(3)(b)"
duration = "7y"
from = "issued_at"
action = "pseudonymise"

[[table]]
name = "logs"
key = ["id"]
erase = "delete"
tenant = "account_id"
[table.columns]
id = "system.operations"
account_id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}
feature = "system.operations"
duration_ms = "system.operations"
at = "system.operations"
[table.retention]
period = "1y"
from = "at"
then = "rollup"
[table.retention.rollup]
into = "metrics"
group.day = {{ column = "at", truncate = "day" }}
group.feature = {{ column = "feature" }}
measures.executions = {{ op = "count" }}
measures.total_ms = {{ op = "sum", column = "duration_ms" }}

[[table]]
name = "metrics"
aggregate = true
key = ["day", "feature"]
[table.columns]
day = "system.operations"
feature = "system.operations"
executions = "system.aggregate"
total_ms = "system.aggregate"

[[table]]
name = "settings"
key = ["account_id"]
erase = "keep"
tenant = "account_id"
[table.columns]
account_id = "system.operations"
theme = "system.operations"

[[table]]
name = "stray"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}
"#
    )
}

/// The fixture of these tests: their schema and policy on `engine`, the mailer at
/// `mailer`.
fn fixture(engine: &str, test: &str, mailer: &str) -> Option<Fixture> {
    Fixture::new(
        engine,
        test,
        SCHEMA,
        &policy(engine),
        &[("MAILER_URL", mailer), ("MAILER_TOKEN", "mail-secret")],
    )
}

/// The rows of a table whose `column` is one of `ids`, in the dump.
fn rows_with(dump: &Dump, table: &str, column: &str, ids: &[i64]) -> Vec<Map<String, Value>> {
    dump[table]
        .iter()
        .filter(|row| row[column].as_i64().is_some_and(|id| ids.contains(&id)))
        .cloned()
        .collect()
}

/// The rows of the accounts that stay (1 and 3), chosen by hand, table by table.
fn others(dump: &Dump) -> Vec<(String, Vec<Map<String, Value>>)> {
    vec![
        (
            "accounts".into(),
            rows_with(dump, "accounts", "id", &[1, 3]),
        ),
        (
            "clients".into(),
            rows_with(dump, "clients", "id", &[10, 11, 30]),
        ),
        (
            "meetings".into(),
            rows_with(dump, "meetings", "id", &[100, 300]),
        ),
        (
            "invoices".into(),
            rows_with(dump, "invoices", "id", &[1000, 3000]),
        ),
        ("logs".into(), rows_with(dump, "logs", "id", &[1, 5])),
        (
            "settings".into(),
            rows_with(dump, "settings", "account_id", &[1, 3]),
        ),
        ("stray".into(), dump["stray"].clone()),
    ]
}

/// A number a query returns as text (CHAR pads it on PostgreSQL).
fn count(fixture: &Fixture, sql: &str) -> i64 {
    fixture.strings(sql)[0].trim().parse().unwrap()
}

fn total(fixture: &Fixture, column: &str) -> i64 {
    count(
        fixture,
        &format!("SELECT CAST(SUM({column}) AS CHAR(20)) FROM metrics"),
    )
}

fn offboarding_is_true(engine: &str) {
    let mailer = MockProvider::start(|_, _| MockAnswer::raw(204, ""));
    let Some(fixture) = fixture(engine, &format!("offboard_{engine}"), &mailer.url) else {
        return;
    };
    // The table no account reaches is named, with its place.
    let check = expect(fixture.cmd(&["policy", "check"]), 0);
    assert!(
        check.stdout.contains("policy.toml:")
            && check
                .stdout
                .contains("`stray` holds personal data but belongs to no client account"),
        "{}",
        check.stdout
    );

    let before = fixture.dump();
    let (executions, total_ms) = (total(&fixture, "executions"), total(&fixture, "total_ms"));
    assert_eq!((executions, total_ms), (10, 1000));
    let plan = expect(
        fixture.cmd(&["offboard", "--tenant", "2", "--dry-run", "--format", "json"]),
        0,
    )
    .json();
    assert_eq!(fixture.dump(), before, "a dry run changes nothing");
    assert!(mailer.requests().is_empty(), "a dry run calls no provider");
    let table = |name: &str| {
        plan["sources"][0]["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(table("invoices")["rows"], 2, "{plan}");
    assert_eq!(table("invoices")["delete"], 1, "{plan}");
    assert_eq!(table("invoices")["held"][0]["rows"], 1, "{plan}");
    assert_eq!(table("logs")["rollup"]["into"], "metrics", "{plan}");
    assert_eq!(plan["providers"].as_array().unwrap().len(), 3, "{plan}");

    let export = fixture.dir().join("globex.zip");
    let done = expect(
        fixture.cmd(&[
            "offboard",
            "--tenant",
            "2",
            "--yes",
            "--format",
            "json",
            "--export",
            export.to_str().unwrap(),
        ]),
        0,
    )
    .json();
    assert_eq!(done["complete"], true, "{done}");
    if let Some(path) = &fixture.sqlite {
        common::assert_journal_as_found(path);
    }
    // The export was written before anything went: the account's rows, and only them.
    expect(
        fixture.cmd(&["archive", "verify", export.to_str().unwrap()]),
        0,
    );
    let clients = common::zip_entry(&export, "sources/app/clients.json").unwrap();
    assert!(
        clients.contains("g1@globex.test") && clients.contains("g2@globex.test"),
        "{clients}"
    );
    assert!(
        !clients.contains("acme.test") && !clients.contains("initech"),
        "{clients}"
    );
    let meetings = common::zip_entry(&export, "sources/app/meetings.json").unwrap();
    assert!(
        meetings.contains("kickoff") && !meetings.contains("intro"),
        "{meetings}"
    );
    let after = fixture.dump();
    assert_eq!(
        others(&after),
        others(&before),
        "the other accounts' rows are byte-identical"
    );
    // The account's rows: gone, but for the held invoice, pseudonymised and unlinked.
    for (table, column, ids) in [
        ("accounts", "id", &[2][..]),
        ("clients", "id", &[20, 21]),
        ("meetings", "id", &[200, 201]),
        ("invoices", "id", &[2001]),
        ("logs", "id", &[2, 3, 4]),
        ("settings", "account_id", &[2]),
    ] {
        assert!(
            rows_with(&after, table, column, ids).is_empty(),
            "{table}: {:?}",
            rows_with(&after, table, column, ids)
        );
    }
    let held = rows_with(&after, "invoices", "id", &[2000]);
    assert_eq!(held.len(), 1, "the held invoice stays");
    assert_eq!(held[0]["client_id"], Value::Null);
    assert!(
        held[0]["billing_name"]
            .as_str()
            .is_some_and(|n| n.starts_with("hmac:") && n != "G1"),
        "{:?}",
        held[0]
    );
    assert_eq!(held[0]["amount"], 700);
    // The aggregate: every other group as it was, the totals grown by the account's three
    // log rows (200 + 50 + 30 ms), counted by hand.
    assert_eq!(total(&fixture, "executions"), 13);
    assert_eq!(total(&fixture, "total_ms"), 1280);
    let groups: Vec<String> = after["metrics"]
        .iter()
        .map(|row| {
            format!(
                "{} {} {} {}",
                row["day"].as_str().unwrap(),
                row["feature"].as_str().unwrap(),
                row["executions"],
                row["total_ms"]
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            "2026-11-20 reply 11 1200",
            "2026-11-21 draft 1 50",
            "2026-11-21 reply 1 30"
        ]
    );
    // The providers were told about exactly the account's people.
    let mut paths: Vec<String> = mailer.requests().iter().map(|r| r.url.clone()).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/contacts/boss%40globex.test",
            "/contacts/g1%40globex.test",
            "/contacts/g2%40globex.test"
        ]
    );

    // The certificate: counts, never content; it verifies, an edited copy does not.
    let certificate = PathBuf::from(done["certificate_file"].as_str().unwrap());
    let text = std::fs::read_to_string(&certificate).unwrap();
    // The name `G1` is looked for as a JSON string: two bare characters turn up by chance
    // in a signature's base64 about once in fifty runs.
    for secret in ["globex", "Globex", "\"G1\"", "g1@", "kickoff"] {
        assert!(!text.contains(secret), "the certificate holds `{secret}`");
    }
    expect(
        fixture.cmd(&["archive", "verify", certificate.to_str().unwrap()]),
        0,
    );
    let edited = fixture.dir().join("edited.json");
    std::fs::write(
        &edited,
        text.replacen("\"deleted\": 2", "\"deleted\": 1", 1),
    )
    .unwrap();
    assert_ne!(std::fs::read_to_string(&edited).unwrap(), text);
    expect(
        fixture.cmd(&["archive", "verify", edited.to_str().unwrap()]),
        3,
    );
    // The auditor's report lists it with its certificate's digest.
    let report = expect(fixture.cmd(&["audit", "report", "--format", "json"]), 0).json();
    assert_eq!(report["offboardings"]["completed"], 1, "{report}");
    assert_eq!(
        report["offboardings"]["items"][0]["certificate_sha256"]
            .as_str()
            .map(str::len),
        Some(64),
        "{report}"
    );
    // The trail has the offboarding, and nothing of the account in clear.
    let log = expect(fixture.cmd(&["audit", "log", "--format", "json"]), 0).stdout;
    assert!(log.contains("offboard.complete"), "{log}");
    assert!(!log.contains("globex"), "{log}");
    // Again: nothing of the account is left to offboard.
    expect(fixture.cmd(&["offboard", "--tenant", "2", "--yes"]), 2);
}

#[test]
fn offboarding_is_true_on_sqlite() {
    offboarding_is_true("sqlite");
}

#[test]
fn offboarding_is_true_on_postgres() {
    offboarding_is_true("postgres");
}

#[test]
fn offboarding_is_true_on_mariadb() {
    offboarding_is_true("mysql");
}

/// Stopped after the first chunk of `logs` (a failpoint, then a real `kill -9`), then run
/// again: the same end state as a twin that ran once.
fn a_stopped_offboarding_finishes_as_its_twin(engine: &str) {
    let mailer = MockProvider::start(|_, _| MockAnswer::raw(204, ""));
    let Some(twin) = fixture(engine, &format!("offboard_twin_{engine}"), &mailer.url) else {
        return;
    };
    expect(
        twin.cmd(&["offboard", "--tenant", "2", "--yes", "--quiet"]),
        0,
    );

    let Some(failed) = fixture(engine, &format!("offboard_fail_{engine}"), &mailer.url) else {
        return;
    };
    let mut stopped = failed.cmd(&["offboard", "--tenant", "2", "--yes"]);
    stopped.env("PRIVOPS_FAILPOINT", "after-chunk:app.logs");
    let run = expect(stopped, 1);
    assert!(run.stderr.contains("failpoint"), "{}", run.stderr);
    // Stopped half-way: the logs went (rolled up in the same transactions), the clients
    // not yet.
    assert_eq!(
        count(
            &failed,
            "SELECT CAST(COUNT(*) AS CHAR(10)) FROM logs WHERE account_id = 2"
        ),
        0
    );
    assert_eq!(
        count(
            &failed,
            "SELECT CAST(COUNT(*) AS CHAR(10)) FROM clients WHERE account_id = 2"
        ),
        2
    );
    expect(
        failed.cmd(&["offboard", "--tenant", "2", "--yes", "--quiet"]),
        0,
    );
    assert_eq!(
        failed.dump(),
        twin.dump(),
        "a stopped run finishes as its twin"
    );

    let Some(killed) = fixture(engine, &format!("offboard_kill_{engine}"), &mailer.url) else {
        return;
    };
    let mut paused = killed.cmd(&["offboard", "--tenant", "2", "--yes"]);
    paused
        .env("PRIVOPS_FAILPOINT", "pause:after-chunk:app.logs")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = paused.spawn().unwrap();
    let reached = (0..400).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        count(
            &killed,
            "SELECT CAST(COUNT(*) AS CHAR(10)) FROM logs WHERE account_id = 2",
        ) == 0
    });
    assert!(reached, "the run reached its pause");
    let status = std::process::Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait().unwrap();
    expect(
        killed.cmd(&["offboard", "--tenant", "2", "--yes", "--quiet"]),
        0,
    );
    assert_eq!(
        killed.dump(),
        twin.dump(),
        "a killed run finishes as its twin"
    );
}

#[test]
fn a_stopped_offboarding_finishes_as_its_twin_on_sqlite() {
    a_stopped_offboarding_finishes_as_its_twin("sqlite");
}

#[test]
fn a_stopped_offboarding_finishes_as_its_twin_on_postgres() {
    a_stopped_offboarding_finishes_as_its_twin("postgres");
}

#[test]
fn a_stopped_offboarding_finishes_as_its_twin_on_mariadb() {
    a_stopped_offboarding_finishes_as_its_twin("mysql");
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let mailer = MockProvider::start(|_, _| MockAnswer::raw(204, ""));
    let Some(fixture) = fixture("sqlite", "offboard_bad_input", &mailer.url) else {
        return;
    };
    let before = fixture.dump();
    // Not a number where the account key is one: named, exit 1.
    let run = expect(fixture.cmd(&["offboard", "--tenant", "globex", "--yes"]), 1);
    assert!(
        run.stderr.contains("account keys as numbers")
            && run.stderr.contains("`globex` is not one"),
        "{}",
        run.stderr
    );
    // An account no source holds: a usage error naming it.
    let run = expect(fixture.cmd(&["offboard", "--tenant", "9", "--yes"]), 2);
    assert!(run.stderr.contains("`9`"), "{}", run.stderr);
    // No terminal and no --yes: refused.
    expect(fixture.cmd(&["offboard", "--tenant", "2"]), 2);
    // A request reference is an identifier, never free text that could name someone.
    let run = expect(
        fixture.cmd(&[
            "offboard",
            "--tenant",
            "2",
            "--yes",
            "--request",
            "Called Jane Doe",
        ]),
        2,
    );
    assert!(
        run.stderr.contains("--request takes a reference"),
        "{}",
        run.stderr
    );
    assert_eq!(fixture.dump(), before);
    assert!(mailer.requests().is_empty());
}

/// A provider without an API gives a manual task: the run exits 4 until it is confirmed,
/// a task the run does not have is refused, and the confirmation completes the
/// certificate.
#[test]
fn manual_tasks_keep_the_offboarding_open_until_confirmed() {
    let mailer = MockProvider::start(|_, _| MockAnswer::raw(204, ""));
    let Some(fixture) = fixture("sqlite", "offboard_manual", &mailer.url) else {
        return;
    };
    let policy = fixture.dir().join("policies/policy.toml");
    let mut text = std::fs::read_to_string(&policy).unwrap();
    text.push_str(
        r#"
[[provider]]
id = "crm_vendor"
name = "Support desk"
role = "processor"
countries = ["DE"]
categories = ["user.contact.email"]
manual = "Delete the account's tickets in the support desk."
"#,
    );
    std::fs::write(&policy, text).unwrap();
    let open = expect(
        fixture.cmd(&["offboard", "--tenant", "2", "--yes", "--format", "json"]),
        4,
    )
    .json();
    assert_eq!(open["complete"], false, "{open}");
    assert_eq!(open["unfinished"], serde_json::json!(["manual:crm_vendor"]));
    let run = expect(
        fixture.cmd(&["offboard", "--tenant", "2", "--confirm-task", "manual:nope"]),
        2,
    );
    assert!(run.stderr.contains("manual:crm_vendor"), "{}", run.stderr);
    let done = expect(
        fixture.cmd(&[
            "offboard",
            "--tenant",
            "2",
            "--confirm-task",
            "manual:crm_vendor",
            "--note",
            "ticket 42",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(done["complete"], true, "{done}");
    assert_eq!(done["manual"][0]["outcome"]["note"], "ticket 42", "{done}");
    let certificate = done["certificate_file"].as_str().unwrap();
    expect(fixture.cmd(&["archive", "verify", certificate]), 0);
}

/// A provider that takes many people per call (`batch`): the account's three addresses go
/// in two calls, as JSON arrays in the body, and the journal and certificate say how many
/// values each call carried, never which.
#[test]
fn a_batched_provider_is_told_in_batches() {
    let mailer = MockProvider::start(|_, _| MockAnswer::raw(204, ""));
    let batched = policy("sqlite").replace(
        "[provider.erase]\nmethod = \"DELETE\"\npath = \"/contacts/{identity.email}\"\nsuccess = [204]\nnot_found = [404]",
        "[provider.erase]\nmethod = \"POST\"\npath = \"/contacts/erase\"\nbody = { emails = \"{identity.email}\", hard = true }\nbatch = 2\nsuccess = [204]",
    );
    assert!(batched.contains("batch = 2"));
    let Some(app) = Fixture::new(
        "sqlite",
        "offboard_batched",
        SCHEMA,
        &batched,
        &[("MAILER_URL", &mailer.url), ("MAILER_TOKEN", "mail-secret")],
    ) else {
        return;
    };
    let done = expect(
        app.cmd(&["offboard", "--tenant", "2", "--yes", "--format", "json"]),
        0,
    )
    .json();
    let calls = mailer.requests();
    assert_eq!(calls.len(), 2, "{calls:?}");
    let mut sent: Vec<String> = Vec::new();
    for call in &calls {
        assert_eq!(call.method, "POST");
        assert_eq!(call.url, "/contacts/erase");
        let body: Value = serde_json::from_str(&call.body).unwrap();
        assert_eq!(body["hard"], true);
        let emails = body["emails"].as_array().unwrap();
        assert!(emails.len() <= 2, "{body}");
        sent.extend(emails.iter().map(|e| e.as_str().unwrap().to_string()));
    }
    sent.sort();
    assert_eq!(
        sent,
        ["boss@globex.test", "g1@globex.test", "g2@globex.test"]
    );
    let certificate = std::fs::read_to_string(done["certificate_file"].as_str().unwrap()).unwrap();
    assert!(certificate.contains("value(s)"), "{certificate}");
    assert!(!certificate.contains("globex.test"), "{certificate}");
}

/// PostgreSQL walks a table in heap block ranges when the account holds a good share of
/// its rows, and through its index when the account is a sliver of it (here 3 logs among
/// 1,005): in the same run, both leave exactly the other accounts' rows, and the roll-up
/// counts the account's rows once.
#[test]
fn a_sliver_of_a_table_goes_through_its_index_on_postgres() {
    let mailer = MockProvider::start(|_, _| MockAnswer::raw(204, ""));
    let Some(fixture) = fixture("postgres", "offboard_sliver", &mailer.url) else {
        return;
    };
    fixture.execute(
        "INSERT INTO logs SELECT 100 + i, 1 + 2 * (i % 2), 'x' || i || '@acme.test', 'reply', 1, '2026-11-23T10:00:00Z' FROM generate_series(1, 1000) AS i",
    );
    let others = |f: &Fixture| {
        f.strings(
            "SELECT CAST(COUNT(*) AS CHAR(20)) || ' ' || CAST(SUM(id) AS CHAR(20)) || ' ' || CAST(SUM(duration_ms) AS CHAR(20)) FROM logs WHERE account_id <> 2",
        )
    };
    let before = others(&fixture);
    let done = expect(
        fixture.cmd(&["offboard", "--tenant", "2", "--yes", "--format", "json"]),
        0,
    )
    .json();
    assert_eq!(done["complete"], true, "{done}");
    // The journal says how each table was walked.
    let state = fixture.dir().join(".privops/state.db");
    let outcome: Value = serde_json::from_str(
        &common::sqlite_strings(
            &state,
            "SELECT outcome FROM erasure_steps WHERE step_id = 'source:app'",
        )[0],
    )
    .unwrap();
    assert_eq!(outcome["tables"]["logs"]["walk"], "index", "{outcome}");
    assert_eq!(
        outcome["tables"]["clients"]["walk"], "heap blocks",
        "{outcome}"
    );
    assert_eq!(
        count(
            &fixture,
            "SELECT CAST(COUNT(*) AS CHAR(20)) FROM logs WHERE account_id = 2"
        ),
        0
    );
    assert_eq!(
        count(
            &fixture,
            "SELECT CAST(COUNT(*) AS CHAR(20)) FROM clients WHERE account_id = 2"
        ),
        0
    );
    assert_eq!(
        others(&fixture),
        before,
        "the other accounts' logs are all there"
    );
    assert_eq!(total(&fixture, "executions"), 10 + 3);
    assert_eq!(total(&fixture, "total_ms"), 1000 + 280);
}

/// The policy of [`independent_tables_are_emptied_side_by_side`]: an account's people,
/// their visits (a relation, and a foreign key of the database), two logs rolling up
/// into one aggregate, and notes that nothing ties to the others.
fn side_by_side_policy(engine: &str) -> String {
    // The two logs, alike: each rolls up into `daily`.
    let rollups: String = ["logs", "web_logs"]
        .iter()
        .map(|name| {
            format!(
                r#"[[table]]
name = "{name}"
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
group.day = {{ column = "at", truncate = "day" }}
group.feature = {{ column = "feature" }}
measures.n = {{ op = "count" }}

"#
            )
        })
        .collect();
    format!(
        r#"
[controller]
organisation = "Processor Ltd"
dpo = {{ name = "D. P. O.", email = "dpo@processor.test" }}

[tenant]
source = "app"
table = "accounts"
key = "id"

[[identity]]
kind = "email"
normalise = "email"

[source]
id = "app"
engine = "{engine}"
url_env = "APP_DATABASE_URL"

[[table]]
name = "accounts"
key = ["id"]
erase = "keep"
[table.columns]
id = "system.operations"

[[table]]
name = "people"
key = ["id"]
erase = "delete"
tenant = "account_id"
[table.columns]
id = "system.operations"
account_id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}

[[table]]
name = "visits"
key = ["id"]
erase = "delete"
tenant = "account_id"
[table.columns]
id = "system.operations"
account_id = "system.operations"
person_id = "system.operations"
payload = "user.content.message"
[[table.relation]]
columns = ["person_id"]
references = "people"

[[table]]
name = "notes"
key = ["id"]
erase = "delete"
tenant = "account_id"
[table.columns]
id = "system.operations"
account_id = "system.operations"
body = "user.content.notes"

{rollups}[[table]]
name = "daily"
aggregate = true
key = ["day", "feature"]
[table.columns]
day = "system.aggregate"
feature = "system.aggregate"
n = "system.aggregate"
"#
    )
}

/// On the server engines, tables of an account that nothing ties together are emptied
/// two at a time (SQLite, one writer, takes them one after another). Whatever runs
/// beside what: every row of the account goes (counted by hand-written SQL), the other
/// accounts' rows are all there, the child table whose database foreign key refuses
/// orphans is emptied before its parent although its name sorts after it, the aggregate
/// two tables roll into grows by exactly their rows, and the journal accounts for every
/// table's chunks.
fn independent_tables_are_emptied_side_by_side(engine: &str) {
    let db = match engine {
        "postgres" => common::TestDatabase::postgres("offboard_side_by_side"),
        _ => common::TestDatabase::mysql("offboard_side_by_side"),
    };
    let Some(db) = db else {
        return;
    };
    // 0..=99,999 from a table of digits, written the same on both engines.
    db.execute(
        "CREATE TABLE digits (d INTEGER NOT NULL);
INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9);
CREATE TABLE numbers (i INTEGER PRIMARY KEY);
INSERT INTO numbers SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d FROM digits a, digits b, digits c, digits e, digits f;
CREATE TABLE accounts (id INTEGER PRIMARY KEY);
INSERT INTO accounts VALUES (1), (2), (3);
CREATE TABLE people (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, email VARCHAR(100) NOT NULL);
INSERT INTO people SELECT i, 1 + i % 3, CONCAT('p', i, '@example.test') FROM numbers WHERE i < 3000;
CREATE TABLE visits (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, person_id INTEGER NOT NULL, payload VARCHAR(100), FOREIGN KEY (person_id) REFERENCES people (id));
INSERT INTO visits SELECT i, 1 + (i % 3000) % 3, i % 3000, CONCAT('event ', i) FROM numbers WHERE i < 60000;
CREATE TABLE notes (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, body VARCHAR(100));
INSERT INTO notes SELECT i, 1 + i % 3, CONCAT('note ', i) FROM numbers WHERE i < 45000;
CREATE TABLE logs (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, feature VARCHAR(20) NOT NULL, at VARCHAR(30) NOT NULL);
INSERT INTO logs SELECT i, 1 + i % 3, CASE WHEN i % 2 = 0 THEN 'reply' ELSE 'draft' END, CONCAT('2026-11-1', i % 7, 'T10:00:00Z') FROM numbers WHERE i < 30000;
CREATE TABLE web_logs (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, feature VARCHAR(20) NOT NULL, at VARCHAR(30) NOT NULL);
INSERT INTO web_logs SELECT i, 1 + i % 3, 'reply', CONCAT('2026-11-1', i % 5, 'T08:00:00Z') FROM numbers WHERE i < 24000;
CREATE TABLE daily (day VARCHAR(10) NOT NULL, feature VARCHAR(20) NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (day, feature));
INSERT INTO daily VALUES ('2026-11-10', 'reply', 5);
CREATE INDEX people_account ON people (account_id);
CREATE INDEX visits_account ON visits (account_id);
CREATE INDEX notes_account ON notes (account_id);
CREATE INDEX logs_account ON logs (account_id);
CREATE INDEX web_logs_account ON web_logs (account_id);",
    );
    let tables = ["people", "visits", "notes", "logs", "web_logs"];
    // Integers read by hand-written SQL (`INT` is each engine's 64-bit integer cast).
    let ints = |sql: &str| -> Vec<i64> {
        let int = if engine == "postgres" {
            "BIGINT"
        } else {
            "SIGNED"
        };
        let sql = sql.replace("INT)", &format!("{int})"));
        let url = db.url.clone();
        common::block_on(async move {
            use sqlx::Connection;
            let rows: Vec<(i64,)> = if engine == "postgres" {
                let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap()
            } else {
                let mut conn = sqlx::MySqlConnection::connect(&url).await.unwrap();
                sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap()
            };
            rows.into_iter().map(|(n,)| n).collect()
        })
    };
    // The other accounts' rows, per table: count and sum of ids.
    let others = || -> Vec<i64> {
        tables
            .iter()
            .flat_map(|t| {
                // In this order: a UNION ALL alone does not promise its rows' order.
                ints(&format!(
                    "SELECT n FROM (SELECT 0 AS k, CAST(COUNT(*) AS INT) AS n FROM {t} WHERE account_id <> 1 \
                     UNION ALL SELECT 1, CAST(SUM(id) AS INT) FROM {t} WHERE account_id <> 1) AS u ORDER BY k"
                ))
            })
            .collect()
    };
    let before = others();
    // The aggregate after: what it holds plus the account's logs of both tables, by day
    // and feature, by hand.
    let daily = "SELECT CAST(SUM(n) AS INT) FROM (
           SELECT day, feature, n FROM daily
           UNION ALL SELECT SUBSTR(at, 1, 10), feature, 1 FROM logs WHERE account_id = 1
           UNION ALL SELECT SUBSTR(at, 1, 10), feature, 1 FROM web_logs WHERE account_id = 1
         ) AS t GROUP BY day, feature ORDER BY day, feature";
    let expected_daily = ints(daily);
    let groups = ints(
        "SELECT CAST(COUNT(*) AS INT) FROM (SELECT day, feature FROM daily UNION SELECT SUBSTR(at, 1, 10), feature FROM logs WHERE account_id = 1 UNION SELECT SUBSTR(at, 1, 10), feature FROM web_logs WHERE account_id = 1) AS g",
    );
    let temp = tempfile::tempdir().unwrap();
    let policies = temp.path().join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::write(policies.join("policy.toml"), side_by_side_policy(engine)).unwrap();
    let mut command = common::privops(temp.path());
    command
        .args(["offboard", "--tenant", "1", "--yes", "--format", "json"])
        .env("APP_DATABASE_URL", &db.url)
        .env("PRIVOPS_NOW", "2026-11-25T12:00:00Z")
        .env("PRIVOPS_SUBJECT_KEY", common::SUBJECT_KEY);
    common::init_like(&command);
    let done = expect(command, 0).json();
    assert_eq!(done["complete"], true, "{done}");
    for table in tables {
        assert_eq!(
            ints(&format!(
                "SELECT CAST(COUNT(*) AS INT) FROM {table} WHERE account_id = 1"
            )),
            vec![0],
            "{table}: rows of the account left"
        );
    }
    assert_eq!(others(), before, "the other accounts' rows are all there");
    assert_eq!(
        ints("SELECT CAST(n AS INT) FROM daily ORDER BY day, feature"),
        expected_daily
    );
    assert_eq!(
        ints("SELECT CAST(COUNT(*) AS INT) FROM daily"),
        groups,
        "one row per day and feature"
    );
    let outcome: Value = serde_json::from_str(
        &common::sqlite_strings(
            &temp.path().join(".privops/state.db"),
            "SELECT outcome FROM erasure_steps WHERE step_id = 'source:app'",
        )[0],
    )
    .unwrap();
    for (table, rows) in [
        ("people", 1000),
        ("visits", 20000),
        ("notes", 15000),
        ("logs", 10000),
        ("web_logs", 8000),
    ] {
        assert_eq!(outcome["tables"][table]["deleted"], rows, "{outcome}");
        assert!(
            outcome["tables"][table]["chunks"].as_u64() >= Some(1),
            "{table}: {outcome}"
        );
    }
}

#[test]
fn independent_tables_are_emptied_side_by_side_on_postgres() {
    independent_tables_are_emptied_side_by_side("postgres");
}

#[test]
fn independent_tables_are_emptied_side_by_side_on_mariadb() {
    independent_tables_are_emptied_side_by_side("mysql");
}
