#![allow(clippy::disallowed_macros)] // tests report skips on stderr
//! What an erasure says is true, on SQLite, PostgreSQL and MariaDB: only the subject's rows
//! change; a row reached through a relation that names another person is kept; rows that
//! must stay keep no personal data in clear; a value that merely looks masked is masked;
//! a policy that would keep the subject's data whole is refused; a subject can be erased
//! again; a second run on the same subject exits 75. The expected rows are written out by
//! hand below, never derived from privops's own traversal.

use crate::common;

use std::path::Path;

use crate::common::{Dump, Fixture, TestDatabase, expect, privops};
use serde_json::{Map, Value};

/// `erase --subject <subject> --yes --format json` on the fixture, which must exit 0:
/// its receipt.
fn erase_json(fixture: &Fixture, subject: &str) -> Value {
    expect(
        fixture.cmd(&["erase", "--subject", subject, "--yes", "--format", "json"]),
        0,
    )
    .json()
}

/// A value that looks like a pseudonym but was not made with the subject key.
const LOOKALIKE: &str = "hmac:0123456789abcdef0123456789abcdef";

fn schema(extra_table: bool) -> String {
    let mut sql = String::from(
        "CREATE TABLE employees (id INTEGER PRIMARY KEY, email VARCHAR(200), name VARCHAR(200));
CREATE TABLE leads (id INTEGER PRIMARY KEY, email VARCHAR(200), name VARCHAR(200));
CREATE TABLE clients (id INTEGER PRIMARY KEY, lead_id INTEGER REFERENCES leads (id), email VARCHAR(200), name VARCHAR(200), owner_id INTEGER REFERENCES employees (id));
CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200), name VARCHAR(200), rep_id INTEGER REFERENCES employees (id));
CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id), amount_cents INTEGER, issued_at VARCHAR(40));
CREATE TABLE payments (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id), paid_at BIGINT);
CREATE TABLE profiles (id INTEGER PRIMARY KEY, email VARCHAR(200), nickname VARCHAR(200), birth_year INTEGER);
INSERT INTO employees VALUES (50, 'erin@example.com', 'Erin'), (51, 'frank@example.com', 'Frank');
INSERT INTO leads VALUES (1, 'alice@example.com', 'Alice'), (2, 'bob@example.com', 'Bob');
INSERT INTO clients VALUES (10, 1, 'carol@example.com', 'Carol', NULL), (11, 1, 'alice@example.com', 'Alice A.', NULL), (12, 2, 'bob@example.com', 'Bob B.', 51);
INSERT INTO customers VALUES (100, 'alice@example.com', 'Alice', NULL), (101, 'bob@example.com', 'Bob', 50);
INSERT INTO invoices VALUES (1000, 100, 1200, '2026-01-15T10:00:00Z'), (1001, 101, 900, '2026-02-01T10:00:00Z');
INSERT INTO payments VALUES (2000, 100, 1735689600), (2001, 100, 1420070400);
",
    );
    sql.push_str(&format!(
        "INSERT INTO profiles VALUES (500, 'alice@example.com', '{LOOKALIKE}', 1990), (501, 'bob@example.com', 'bobby', 1985);\n"
    ));
    if extra_table {
        sql.push_str(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, email VARCHAR(200), body VARCHAR(200));
INSERT INTO notes VALUES (7, 'alice@example.com', 'called about her order');
",
        );
    }
    sql
}

fn policy(engine: &str, extra_table: bool) -> String {
    let mut text = format!(
        r#"
[controller]
organisation = "Test Org"
dpo = {{ name = "D. P. O.", email = "dpo@example.com" }}

[[identity]]
kind = "email"
normalise = "email"

[[purpose]]
id = "newsletter"
title = "Newsletter"
basis = "consent"
categories = ["user.contact.email"]
retention = "until consent is withdrawn"
consent_text = "Send me the newsletter."

[source]
id = "app"
engine = "{engine}"
url_env = "APP_DATABASE_URL"

[[table]]
name = "employees"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}
name = "user.name"

[[table]]
name = "leads"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}
name = "user.name"

[[table]]
name = "clients"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
lead_id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}
name = "user.name"
owner_id = "system.operations"
[[table.relation]]
columns = ["lead_id"]
references = "leads"
[[table.reference]]
columns = ["owner_id"]
references = "employees"
on_erase = "keep"

[[table]]
name = "customers"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}
name = "user.name"
rep_id = "system.operations"
[[table.reference]]
columns = ["rep_id"]
references = "employees"
on_erase = "null"

[[table]]
name = "invoices"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
customer_id = "system.operations"
amount_cents = "system.operations"
issued_at = "system.operations"
[[table.relation]]
columns = ["customer_id"]
references = "customers"
[[table.hold]]
reason = "Tax law keeps invoices for 7 years"
article = "17(3)(b)"
duration = "7y"
from = "issued_at"
action = "keep"

[[table]]
name = "payments"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
customer_id = "system.operations"
paid_at = "system.operations"
[[table.relation]]
columns = ["customer_id"]
references = "customers"
# Seconds since the epoch: the hold compares them as numbers, as retention does.
[[table.hold]]
reason = "Payment records are kept for 7 years"
article = "17(3)(b)"
duration = "7y"
from = "paid_at"
action = "keep"

[[table]]
name = "profiles"
key = ["id"]
erase = "mask"
[table.columns]
id = "system.operations"
email = {{ category = "user.contact.email", identity = "email", mask = "hmac" }}
nickname = {{ category = "user.name", mask = "hmac" }}
birth_year = {{ category = "user.demographic", mask = "redact" }}
"#
    );
    if extra_table {
        text.push_str(
            r#"
[[table]]
name = "notes"
key = ["id"]
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
body = "user.behavior"
"#,
        );
    }
    text
}

/// One engine's database, its URL and a dump of its rows.
/// The fixture of these tests: their schema and policy on `engine`.
fn fixture(engine: &str, test: &str, extra_table: bool) -> Option<Fixture> {
    Fixture::new(
        engine,
        test,
        &schema(extra_table),
        &policy(engine, extra_table),
        &[],
    )
}

fn row<'a>(dump: &'a Dump, table: &str, id: i64) -> Option<&'a Map<String, Value>> {
    dump[table].iter().find(|r| r["id"].as_i64() == Some(id))
}

fn text<'a>(row: &'a Map<String, Value>, column: &str) -> &'a str {
    row[column].as_str().unwrap_or_default()
}

fn erase_trust(engine: &str) {
    let Some(fixture) = fixture(engine, &format!("erase_trust_{engine}"), false) else {
        return;
    };
    let before = fixture.dump();
    let dry = expect(
        fixture.cmd(&["erase", "--subject", "email:alice@example.com", "--dry-run"]),
        0,
    );
    assert_eq!(
        fixture.dump(),
        before,
        "a dry run changes nothing\n{}",
        dry.stdout
    );
    // The dry run shows what runs: a number masked with `redact` is set to NULL.
    let plan = expect(
        fixture.cmd(&[
            "erase",
            "--subject",
            "email:alice@example.com",
            "--dry-run",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    let profiles = plan["sources"][0]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "profiles")
        .unwrap()["statements"][0]
        .as_str()
        .unwrap()
        .to_string();
    let birth_year = profiles
        .find("birth_year")
        .expect("masked in the statement");
    assert!(profiles[birth_year..].contains("= NULL"), "{profiles}");
    assert!(!profiles.contains("[redacted]"), "{profiles}");

    let receipt = erase_json(&fixture, "email:Alice@Example.com");
    assert_eq!(receipt["complete"], true, "{receipt}");
    // The receipt on disk is signed: it verifies offline, and an edited copy does not.
    let written = receipt["receipt"].as_str().unwrap();
    expect(fixture.cmd(&["archive", "verify", written]), 0);
    let edited = fixture.dir().join("edited-receipt.json");
    let signed = std::fs::read_to_string(written).unwrap();
    std::fs::write(
        &edited,
        signed.replacen("\"complete\": true", "\"complete\": false", 1),
    )
    .unwrap();
    assert_ne!(std::fs::read_to_string(&edited).unwrap(), signed);
    expect(
        fixture.cmd(&["archive", "verify", edited.to_str().unwrap()]),
        3,
    );
    // What ran is exactly what the dry run showed, statement by statement.
    assert_eq!(
        receipt["sources"][0]["statements"],
        plan["sources"][0]["statements"]
    );
    assert!(
        plan["sources"][0]["statements"].as_array().unwrap().len() >= 4,
        "{plan}"
    );
    let after = fixture.dump();

    // Rows of other people: byte-identical. Carol's client row points at Alice's lead but
    // is Carol's; Bob's rows are Bob's.
    for (table, id) in [
        ("leads", 2),
        ("clients", 10),
        ("clients", 12),
        ("customers", 101),
        ("invoices", 1001),
        ("profiles", 501),
    ] {
        assert_eq!(
            row(&after, table, id),
            row(&before, table, id),
            "{table} {id}"
        );
    }
    // Alice's own client row is deleted.
    assert!(row(&after, "clients", 11).is_none());
    // Her lead stays (Carol's row still points at it), with no personal data in clear.
    let lead = row(&after, "leads", 1).expect("the lead Carol's row references stays");
    assert!(text(lead, "email").starts_with("hmac:"), "{lead:?}");
    assert_ne!(text(lead, "email"), "alice@example.com");
    assert_eq!(text(lead, "name"), "[redacted]");
    // The customer row stays for the held invoice, masked although the table declares no mask.
    let customer = row(&after, "customers", 100).expect("kept for the held invoice");
    assert!(text(customer, "email").starts_with("hmac:"), "{customer:?}");
    assert_eq!(text(customer, "name"), "[redacted]");
    assert_eq!(
        row(&after, "invoices", 1000),
        row(&before, "invoices", 1000)
    );
    // A hold on seconds since the epoch keeps the payment of 2025 and lets the one of
    // 2015 go.
    assert_eq!(
        row(&after, "payments", 2000),
        row(&before, "payments", 2000)
    );
    assert!(row(&after, "payments", 2001).is_none());
    // A nickname that only looks like a pseudonym is masked like any other value.
    let profile = row(&after, "profiles", 500).unwrap();
    assert_ne!(text(profile, "nickname"), LOOKALIKE);
    assert!(text(profile, "nickname").starts_with("hmac:"));
    assert_ne!(text(profile, "email"), "alice@example.com");
    assert!(profile["birth_year"].is_null());
    // Nothing of Alice is left in clear anywhere.
    let all = serde_json::to_string(&after).unwrap().to_lowercase();
    assert!(
        !all.contains("alice@example.com") && !all.contains("\"alice\""),
        "{all}"
    );
    // The receipt reports the shared row and why rows were kept.
    let receipt_text = receipt.to_string();
    assert!(receipt_text.contains("still reference"), "{receipt_text}");
    let shared: u64 = receipt["sources"][0]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["shared"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(shared, 1, "{receipt}");

    // A returning customer: new rows, a new request, a new run that erases them.
    fixture
        .execute("INSERT INTO clients VALUES (13, NULL, 'alice@example.com', 'Alice again', NULL)");
    let again = erase_json(&fixture, "email:alice@example.com");
    assert_eq!(again["complete"], true);
    assert_ne!(again["run"], receipt["run"]);
    assert_ne!(again["requests"], receipt["requests"]);
    assert!(row(&fixture.dump(), "clients", 13).is_none());
    let requests = expect(fixture.cmd(&["request", "list", "--format", "json"]), 0).json();
    assert!(
        requests
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "closed"),
        "{requests}"
    );
    // After the erasure only the keyed reference says whom a request was for; while a
    // request is open, its subject is shown.
    assert!(
        requests
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["subject"].is_null())
    );
    expect(
        fixture.cmd(&[
            "request",
            "open",
            "--kind",
            "access",
            "--subject",
            "email:bob@example.com",
        ]),
        0,
    );
    let listed = expect(fixture.cmd(&["request", "list"]), 0).stdout;
    assert!(listed.contains("email:bob@example.com"), "{listed}");
    assert!(!listed.to_lowercase().contains("alice"), "{listed}");
}

#[test]
fn erasure_is_true_on_sqlite() {
    erase_trust("sqlite");
}

#[test]
fn erasure_is_true_on_postgres() {
    erase_trust("postgres");
}

#[test]
fn erasure_is_true_on_mariadb() {
    erase_trust("mysql");
}

#[test]
fn a_table_that_would_keep_the_subjects_data_whole_is_refused() {
    let fixture = fixture("sqlite", "refused", true).unwrap();
    let before = fixture.dump();
    let refused = expect(
        fixture.cmd(&["erase", "--subject", "email:alice@example.com", "--yes"]),
        1,
    );
    assert!(
        refused.stderr.contains("`notes`")
            && refused.stderr.contains("no erase rule")
            && refused.stderr.contains("policy.toml:"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("alice@example.com"),
        "{}",
        refused.stderr
    );
    assert_eq!(fixture.dump(), before);
}

#[test]
fn a_second_erasure_of_the_same_subject_exits_75() {
    let fixture = fixture("sqlite", "locked", false).unwrap();
    // The run of another process, holding the subject's lease now (by the real clock).
    let key = privops::subject::SubjectKey::from_bytes(common::SUBJECT_KEY.as_bytes());
    let reference = key.reference(&privops::subject::Subject {
        kind: "email".into(),
        value: "alice@example.com".into(),
    });
    expect(
        fixture.cmd(&["erase", "--subject", "email:alice@example.com", "--dry-run"]),
        0,
    );
    let state = fixture.dir().join(".privops/state.db");
    assert!(state.exists(), "the dry run made the store");
    common::sqlite_execute(
        &state,
        &format!(
            "INSERT INTO locks (name, holder, acquired_at, expires_at) VALUES ('erase:{reference}', 'other-host:4242:abcd', \
             strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+5 minutes'))"
        ),
    );
    let before = fixture.dump();
    let locked = expect(
        fixture.cmd(&["erase", "--subject", "email:alice@example.com", "--yes"]),
        75,
    );
    assert!(
        locked.stderr.contains("another erasure") && locked.stderr.contains("other-host"),
        "{}",
        locked.stderr
    );
    assert!(!locked.stderr.contains("UNIQUE"), "{}", locked.stderr);
    assert_eq!(fixture.dump(), before);

    // A list with the held subject among others is refused as a whole: no lease of the
    // list is taken, nothing is erased.
    let list = fixture.dir().join("leaving.txt");
    std::fs::write(
        &list,
        "email:carol@example.com\nemail:alice@example.com\nemail:bob@example.com\nemail:carol@example.com\n",
    )
    .unwrap();
    let erase_list = || fixture.cmd(&["erase", "--subjects-file", list.to_str().unwrap(), "--yes"]);
    let locked = expect(erase_list(), 75);
    assert!(locked.stderr.contains("other-host"), "{}", locked.stderr);
    assert_eq!(
        common::sqlite_strings(&state, "SELECT holder FROM locks"),
        ["other-host:4242:abcd"]
    );
    assert_eq!(fixture.dump(), before);

    // The holder was a run on this machine whose process is gone (killed): its lease is
    // taken over, the list erased, and every lease given back.
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    common::sqlite_execute(
        &state,
        &format!("UPDATE locks SET holder = '{host}:{}:gone'", u32::MAX - 1),
    );
    let erased = common::run(erase_list());
    assert!(matches!(erased.code, 0 | 4), "{}", erased.stderr);
    assert!(
        fixture.dump()["leads"].is_empty(),
        "alice's and bob's leads are erased"
    );
    assert_eq!(
        common::sqlite_strings(&state, "SELECT name FROM locks"),
        Vec::<String>::new()
    );
    assert_eq!(
        common::sqlite_strings(
            &state,
            "SELECT CAST(COUNT(*) AS TEXT) FROM erasure_subjects"
        ),
        ["3"],
        "each subject of the list once"
    );
}

/// Erasing an employee others point at through references that are not ownership: a
/// customer's representative is NULLed (on_erase = "null"); a client's owner stays,
/// masked (on_erase = "keep"). Nothing else changes.
fn references_stay_valid(engine: &str) {
    let Some(fixture) = fixture(engine, &format!("references_{engine}"), false) else {
        return;
    };
    let before = fixture.dump();
    let erased = erase_json(&fixture, "email:erin@example.com");
    assert_eq!(erased["complete"], true, "{erased}");
    let after = fixture.dump();
    assert!(row(&after, "employees", 50).is_none());
    let mut bob = row(&before, "customers", 101).unwrap().clone();
    bob.insert("rep_id".into(), Value::Null);
    assert_eq!(row(&after, "customers", 101), Some(&bob));
    for (table, rows) in &before {
        for old in rows {
            let id = old["id"].as_i64().unwrap();
            if (table == "employees" && id == 50) || (table == "customers" && id == 101) {
                continue;
            }
            assert_eq!(row(&after, table, id), Some(old), "{table} {id}");
        }
    }
    let before = after;
    let kept = erase_json(&fixture, "email:frank@example.com");
    assert_eq!(kept["complete"], true, "{kept}");
    assert!(kept.to_string().contains("point at them"), "{kept}");
    let after = fixture.dump();
    let frank = row(&after, "employees", 51).expect("a client's owner stays");
    assert!(text(frank, "email").starts_with("hmac:"), "{frank:?}");
    assert_eq!(text(frank, "name"), "[redacted]");
    for (table, rows) in &before {
        for old in rows {
            let id = old["id"].as_i64().unwrap();
            if table == "employees" && id == 51 {
                continue;
            }
            assert_eq!(row(&after, table, id), Some(old), "{table} {id}");
        }
    }
}

#[test]
fn references_stay_valid_on_sqlite() {
    references_stay_valid("sqlite");
}

#[test]
fn references_stay_valid_on_postgres() {
    references_stay_valid("postgres");
}

#[test]
fn references_stay_valid_on_mariadb() {
    references_stay_valid("mysql");
}

/// A type name read from PostgreSQL's catalogue reaches SQL quoted: a domain named
/// `text)) OR ((TRUE` cannot turn one subject's erasure into the deletion of every row.
#[test]
fn a_hostile_type_name_from_the_catalogue_is_quoted_on_postgres() {
    let Some(db) = TestDatabase::postgres("hostile_type_name") else {
        return;
    };
    db.execute(
        r#"CREATE DOMAIN "text)) OR ((TRUE" AS text;
CREATE TABLE people (id INTEGER PRIMARY KEY, email "text)) OR ((TRUE", name TEXT);
INSERT INTO people VALUES (1, 'alice@example.com', 'Alice'), (2, 'bob@example.com', 'Bob');"#,
    );
    let temp = tempfile::tempdir().unwrap();
    let policy_dir = temp.path().join("policies");
    std::fs::create_dir_all(&policy_dir).unwrap();
    std::fs::write(
        policy_dir.join("policy.toml"),
        r#"
[controller]
organisation = "Test Org"
dpo = { name = "D. P. O.", email = "dpo@example.com" }

[[identity]]
kind = "email"
normalise = "email"

[source]
id = "app"
engine = "postgres"
url_env = "APP_DATABASE_URL"

[[table]]
name = "people"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
name = "user.name"
"#,
    )
    .unwrap();
    let mut command = privops(temp.path());
    command
        .args(["erase", "--subject", "email:alice@example.com", "--yes"])
        .env("APP_DATABASE_URL", &db.url)
        .env("PRIVOPS_SUBJECT_KEY", common::SUBJECT_KEY);
    common::init_like(&command);
    expect(command, 0);
    assert_eq!(
        common::server_strings(&db, "SELECT email::text FROM people ORDER BY id"),
        vec!["bob@example.com".to_string()]
    );
}

/// Erased rows are overwritten in SQLite files, source and state store alike: once the
/// erasure is complete the subject's address is nowhere in their bytes (`secure_delete`,
/// and the state store's write-ahead log checkpointed).
#[test]
fn erased_values_are_not_left_readable_in_sqlite_files() {
    let fixture = fixture("sqlite", "secure_delete", false).unwrap();
    let email = b"alice@example.com";
    let files = [
        fixture.sqlite.clone().unwrap(),
        fixture.dir().join(".privops/state.db"),
        fixture.dir().join(".privops/state.db-wal"),
    ];
    let holds = |path: &Path| {
        std::fs::read(path)
            .unwrap_or_default()
            .windows(email.len())
            .any(|w| w.eq_ignore_ascii_case(email))
    };
    assert!(holds(&files[0]), "the address is there before");
    // Evidence is free text that names the person; it must go with the erasure while
    // the consent ledger stays append-only and the audit chain verifies.
    expect(
        fixture.cmd(&[
            "consent",
            "grant",
            "--subject",
            "email:alice@example.com",
            "--purpose",
            "newsletter",
            "--evidence",
            "reply from Alice@Example.com, +972501234567",
        ]),
        0,
    );
    let history = expect(
        fixture.cmd(&[
            "consent",
            "history",
            "--subject",
            "email:alice@example.com",
            "--format",
            "json",
        ]),
        0,
    );
    assert!(
        history.stdout.contains("+972501234567"),
        "{}",
        history.stdout
    );
    expect(
        fixture.cmd(&["erase", "--subject", "email:alice@example.com", "--yes"]),
        0,
    );
    let state = fixture.dir().join(".privops/state.db");
    assert_eq!(
        common::sqlite_strings(&state, "SELECT CAST(COUNT(*) AS TEXT) FROM consent_events")[0],
        "1",
        "the ledger keeps its row"
    );
    assert!(common::sqlite_strings(&state, "SELECT evidence FROM consent_evidence").is_empty());
    let phone = b"+972501234567";
    assert!(
        !std::fs::read(&state)
            .unwrap()
            .windows(phone.len())
            .any(|w| w == phone),
        "the evidence is not left readable"
    );
    assert_eq!(
        expect(fixture.cmd(&["audit", "verify", "--format", "json"]), 0).json()["ok"],
        true
    );
    for file in &files {
        assert!(
            !holds(file),
            "{} still holds the erased address",
            file.display()
        );
    }
}

/// A SQLite source in write-ahead-log mode: each command closes its connection before it
/// ends, so the log is folded into the file (whose erased rows `secure_delete` overwrote)
/// and removed. A connection left open would leave the file's old pages, the address in
/// them, until some later connection checkpointed.
#[test]
fn wal_sqlite_sources_keep_no_erased_value() {
    let fixture = fixture("sqlite", "wal_secure_delete", false).unwrap();
    let source = fixture.sqlite.clone().unwrap();
    common::sqlite_execute(&source, "PRAGMA journal_mode = WAL");
    let log = source.with_file_name(format!(
        "{}-wal",
        source.file_name().unwrap().to_string_lossy()
    ));
    for email in ["alice@example.com", "bob@example.com"] {
        expect(
            fixture.cmd(&["erase", "--subject", &format!("email:{email}"), "--yes"]),
            0,
        );
        assert!(
            !log.exists(),
            "the log of the source is left after erasing {email}"
        );
        let bytes = std::fs::read(&source).unwrap();
        assert!(
            !bytes
                .windows(email.len())
                .any(|w| w.eq_ignore_ascii_case(email.as_bytes())),
            "the source's file still holds {email}"
        );
    }
}

/// PostgreSQL receives sets of keys as arrays (`= ANY(CAST($1 AS type[]))`, `unnest` for
/// composite keys) written in its array text form: keys holding quotes, backslashes,
/// commas, braces, the word NULL or spaces match their own rows and no other, for text,
/// integer and uuid key columns (two of each, a single key being compared as it is).
/// The rows left are decided by hand-written SQL.
#[test]
fn keys_that_look_like_array_syntax_match_only_their_rows_on_postgres() {
    let Some(db) = TestDatabase::postgres("array_keys") else {
        return;
    };
    db.execute(
        r#"CREATE TABLE notes (a TEXT NOT NULL, b INTEGER NOT NULL, email TEXT NOT NULL, body TEXT, PRIMARY KEY (a, b));
INSERT INTO notes VALUES
  ('x"y', 1, 'alice@example.com', 'one'), ('x\y', 1, 'alice@example.com', 'two'),
  ('x,y', 1, 'bob@example.com', 'three'), ('{x}', 2, 'alice@example.com', 'four'),
  ('NULL', 3, 'bob@example.com', 'five'), ('x"y', 2, 'bob@example.com', 'six'),
  ('x\\y', 1, 'bob@example.com', 'seven'), (' x', 1, 'alice@example.com', 'eight'),
  ('x', 1, 'bob@example.com', 'nine'), ('"x"', 1, 'bob@example.com', 'ten');
CREATE TABLE devices (id UUID PRIMARY KEY, email TEXT NOT NULL);
INSERT INTO devices VALUES
  ('00000000-0000-0000-0000-000000000001', 'alice@example.com'),
  ('00000000-0000-0000-0000-000000000002', 'bob@example.com'),
  ('00000000-0000-0000-0000-000000000003', 'alice@example.com');"#,
    );
    let expected_notes = common::server_strings(
        &db,
        "SELECT a || '|' || b FROM notes WHERE email <> 'alice@example.com' ORDER BY a, b",
    );
    let temp = tempfile::tempdir().unwrap();
    let policy_dir = temp.path().join("policies");
    std::fs::create_dir_all(&policy_dir).unwrap();
    std::fs::write(
        policy_dir.join("policy.toml"),
        r#"
[controller]
organisation = "Test Org"
dpo = { name = "D. P. O.", email = "dpo@example.com" }

[[identity]]
kind = "email"
normalise = "email"

[source]
id = "app"
engine = "postgres"
url_env = "APP_DATABASE_URL"

[[table]]
name = "notes"
key = ["a", "b"]
erase = "delete"
[table.columns]
a = "system.operations"
b = "system.operations"
email = { category = "user.contact.email", identity = "email" }
body = "user.content.message"

[[table]]
name = "devices"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
"#,
    )
    .unwrap();
    let mut command = privops(temp.path());
    command
        .args([
            "erase",
            "--subject",
            "email:alice@example.com",
            "--yes",
            "--format",
            "json",
        ])
        .env("APP_DATABASE_URL", &db.url)
        .env("PRIVOPS_SUBJECT_KEY", common::SUBJECT_KEY);
    common::init_like(&command);
    let erased = expect(command, 0).json();
    assert_eq!(erased["complete"], true, "{erased}");
    assert_eq!(
        common::server_strings(&db, "SELECT a || '|' || b FROM notes ORDER BY a, b"),
        expected_notes
    );
    assert_eq!(
        common::server_strings(&db, "SELECT id::text FROM devices ORDER BY id"),
        vec!["00000000-0000-0000-0000-000000000002".to_string()]
    );
}

/// A foreign key the policy does not declare still binds the database: erasing Alice,
/// whose customer row one of Bob's tickets points at through such a key (its default
/// ON DELETE rule), keeps her row with its personal data masked rather than failing or breaking
/// Bob's ticket; her own ticket goes, and nothing of Bob's changes.
fn an_undeclared_foreign_key_keeps_the_row_it_points_at(engine: &str) {
    let schema = "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200), name VARCHAR(200));
CREATE TABLE tickets (id INTEGER PRIMARY KEY, email VARCHAR(200), customer_id INTEGER, body VARCHAR(200),
  FOREIGN KEY (customer_id) REFERENCES customers (id));
INSERT INTO customers VALUES (1, 'alice@example.com', 'Alice'), (2, 'bob@example.com', 'Bob');
INSERT INTO tickets VALUES (10, 'bob@example.com', 1, 'asked about an order'), (11, 'bob@example.com', 2, 'his own'), (12, 'alice@example.com', NULL, 'hers');
";
    let policy = common::policy_head(engine)
        + r#"
[[table]]
name = "customers"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
name = { category = "user.name", mask = "redact" }

[[table]]
name = "tickets"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
customer_id = "system.operations"
body = "user.content.message"
"#;
    let Some(fixture) = Fixture::new(
        engine,
        &format!("undeclared_key_{engine}"),
        schema,
        &policy,
        &[],
    ) else {
        return;
    };
    let before = fixture.dump();
    let erased = erase_json(&fixture, "email:alice@example.com");
    assert_eq!(erased["complete"], true, "{erased}");
    // MariaDB writes the default rule as RESTRICT.
    let rule = if engine == "mysql" {
        "RESTRICT"
    } else {
        "NO ACTION"
    };
    assert!(
        erased
            .to_string()
            .contains(&format!("a foreign key with ON DELETE {rule}")),
        "{erased}"
    );
    let after = fixture.dump();
    let alice = row(&after, "customers", 1).expect("a row a key points at stays");
    assert_ne!(text(alice, "email"), "alice@example.com", "{alice:?}");
    assert_eq!(text(alice, "name"), "[redacted]");
    assert!(row(&after, "tickets", 12).is_none(), "her ticket goes");
    for (table, id) in [("customers", 2), ("tickets", 10), ("tickets", 11)] {
        assert_eq!(
            row(&after, table, id),
            row(&before, table, id),
            "{table} {id}"
        );
    }
    assert_eq!(after["customers"].len(), 2);
    assert_eq!(after["tickets"].len(), 2);
}

#[test]
fn an_undeclared_foreign_key_keeps_the_row_it_points_at_on_sqlite() {
    an_undeclared_foreign_key_keeps_the_row_it_points_at("sqlite");
}

#[test]
fn an_undeclared_foreign_key_keeps_the_row_it_points_at_on_postgres() {
    an_undeclared_foreign_key_keeps_the_row_it_points_at("postgres");
}

#[test]
fn an_undeclared_foreign_key_keeps_the_row_it_points_at_on_mariadb() {
    an_undeclared_foreign_key_keeps_the_row_it_points_at("mysql");
}
