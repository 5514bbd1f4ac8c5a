//! The rest of the data subject's rights on SQLite, PostgreSQL and MariaDB: rectification
//! changes exactly the declared columns of the subject's rows (the expected rows are
//! written out by hand) and tells the provider; a corrected identity is found under its
//! new value and not under the old; a stopped or killed run finishes as its twin; bad
//! input changes nothing; `processing check` answers every combination of basis, consent,
//! objection, restriction and erasure; notices and their acknowledgements.

use serde_json::{Value, json};

use crate::common::{self, Dump, Fixture, MockAnswer, MockProvider, expect};

const SCHEMA: &str = "CREATE TABLE clients (id INTEGER PRIMARY KEY, email VARCHAR(200), phone VARCHAR(40), name VARCHAR(200), city VARCHAR(100));
CREATE TABLE orders (id INTEGER PRIMARY KEY, client_id INTEGER NOT NULL REFERENCES clients (id), shipping_name VARCHAR(200), cc_email VARCHAR(200));
CREATE TABLE notes (id INTEGER PRIMARY KEY, author_email VARCHAR(200), body VARCHAR(200));
INSERT INTO clients VALUES (1, 'Dana@Example.com', '+972501234567', 'Dana Levy', 'Haifa'), (2, 'omer@example.com', '+972501111111', 'Omer Bar', 'Haifa'), (3, 'noa@example.com', NULL, 'Noa Golan', 'Eilat');
INSERT INTO orders VALUES (10, 1, 'Dana Levy', 'dana@example.com'), (11, 1, 'D. Levy', 'omer@example.com'), (20, 2, 'Omer Bar', 'dana@example.com');
INSERT INTO notes VALUES (100, 'dana@example.com', 'first'), (101, 'omer@example.com', 'second'), (102, 'DANA@example.com', 'third');
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

[[purpose]]
id = "newsletter"
title = "Newsletter"
basis = "consent"
consent_text = "Send me the newsletter."

[[provider]]
id = "crm_cloud"
name = "CRM Cloud"
role = "processor"
countries = ["DE"]
categories = ["user.contact.email", "user.name"]
base_url_env = "CRM_URL"
auth = {{ env = "CRM_TOKEN", header = "Authorization", scheme = "Bearer" }}
timeout = "5s"
retries = 1
[provider.update]
method = "PATCH"
path = "/contacts/{{identity.email}}"
body = {{ email = "{{new.user.contact.email}}", name = "{{new.user.name}}" }}
success = [200, 204]
[provider.erase]
method = "DELETE"
path = "/contacts/{{identity.email}}"
success = [204]

[[provider]]
id = "printer"
name = "Label printer"
role = "processor"
countries = ["IL"]
categories = ["user.name"]
manual = "delete the customer in the printer's address book"

[source]
id = "app"
engine = "{engine}"
url_env = "APP_DATABASE_URL"

[[table]]
name = "clients"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}
phone = {{ category = "user.contact.phone_number", identity = "phone" }}
name = "user.name"
city = "user.contact.address.city"

[[table]]
name = "orders"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
client_id = "system.operations"
shipping_name = "user.name"
cc_email = "user.contact.email"
[[table.relation]]
columns = ["client_id"]
references = "clients"

[[table]]
name = "notes"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
author_email = {{ category = "user.contact.email", identity = "email" }}
body = "user.content.notes"
"#
    )
}

fn fixture(engine: &str, test: &str, crm: &str) -> Option<Fixture> {
    Fixture::new(
        engine,
        test,
        SCHEMA,
        &policy(engine),
        &[
            ("CRM_URL", crm),
            ("CRM_TOKEN", "crm-secret"),
            ("PRIVOPS_NOW", "2026-12-01T10:00:00Z"),
        ],
    )
}

/// Sets `column` of the row of `table` whose `id` is `id`, in a dump.
fn set(dump: &mut Dump, table: &str, id: i64, column: &str, value: &str) {
    let row = dump
        .get_mut(table)
        .unwrap()
        .iter_mut()
        .find(|row| row["id"].as_i64() == Some(id) || row["id"].as_str() == Some(&id.to_string()))
        .unwrap_or_else(|| panic!("{table} has no row {id}"));
    row.insert(column.to_string(), Value::from(value));
}

/// Rows are sets: the dump lists them in value order.
fn sorted(mut dump: Dump) -> Dump {
    for rows in dump.values_mut() {
        rows.sort_by_cached_key(|row| serde_json::to_string(row).unwrap());
    }
    dump
}

const NEW_EMAIL: &str = "dana.levi@example.org";
const RECTIFY: &[&str] = &[
    "rectify",
    "--subject",
    "email:dana@example.com",
    "--set",
    "user.contact.email=Dana.Levi@Example.org",
    "--set",
    "user.name=Dana Levi",
    "--yes",
];

/// The expected state, decided by hand: Dana's client row, her two orders, her two notes;
/// her order's cc of another person and the other people's rows stay as they were.
fn expected_after(before: &Dump) -> Dump {
    let mut after = before.clone();
    set(&mut after, "clients", 1, "email", NEW_EMAIL);
    set(&mut after, "clients", 1, "name", "Dana Levi");
    set(&mut after, "orders", 10, "shipping_name", "Dana Levi");
    set(&mut after, "orders", 10, "cc_email", NEW_EMAIL);
    set(&mut after, "orders", 11, "shipping_name", "Dana Levi");
    set(&mut after, "notes", 100, "author_email", NEW_EMAIL);
    set(&mut after, "notes", 102, "author_email", NEW_EMAIL);
    sorted(after)
}

fn rectification_is_exact(engine: &str) {
    let crm = MockProvider::start(|_, _| MockAnswer::raw(204, ""));
    let Some(app) = fixture(engine, &format!("rectify_{engine}"), &crm.url) else {
        return;
    };
    expect(
        app.cmd(&[
            "consent",
            "grant",
            "--subject",
            "email:dana@example.com",
            "--purpose",
            "newsletter",
        ]),
        0,
    );
    let before = app.dump();

    // The dry run shows every change, old values masked, and changes nothing.
    let dry = expect(
        app.cmd(&[
            "rectify",
            "--subject",
            "email:dana@example.com",
            "--set",
            "user.contact.email=Dana.Levi@Example.org",
            "--set",
            "user.name=Dana Levi",
            "--dry-run",
            "--format",
            "json",
        ]),
        0,
    );
    let plan = dry.json();
    let columns = &plan["sources"][0]["columns"];
    let rows = |table: &str, column: &str| -> u64 {
        columns
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["table"] == table && c["column"] == column)
            .map_or(0, |c| c["rows"].as_u64().unwrap())
    };
    assert_eq!(rows("clients", "email"), 1, "{plan}");
    assert_eq!(rows("orders", "cc_email"), 1, "{plan}");
    assert_eq!(rows("notes", "author_email"), 2, "{plan}");
    assert_eq!(rows("orders", "shipping_name"), 2, "{plan}");
    assert_eq!(app.dump(), before, "a dry run changes nothing");
    assert!(crm.requests().is_empty(), "a dry run calls no provider");
    let human = expect(
        app.cmd(&[
            "rectify",
            "--subject",
            "email:dana@example.com",
            "--set",
            "user.name=Dana Levi",
            "--dry-run",
        ]),
        0,
    );
    assert!(
        !human.stdout.contains("Dana Levy"),
        "old values are masked: {}",
        human.stdout
    );

    // The run: one manual task (the printer) keeps it open until confirmed.
    let run = expect(app.cmd(RECTIFY), 4);
    assert!(run.stdout.contains("manual:printer"), "{}", run.stdout);
    assert_eq!(sorted(app.dump()), expected_after(&before));

    // The provider was told, once, where the old address finds the contact.
    let calls = crm.requests();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].method, "PATCH");
    assert!(
        calls[0].url.starts_with("/contacts/dana"),
        "{}",
        calls[0].url
    );
    let body: Value = serde_json::from_str(&calls[0].body).unwrap();
    assert_eq!(body, json!({ "email": NEW_EMAIL, "name": "Dana Levi" }));

    let request = run
        .stdout
        .split_whitespace()
        .find(|w| w.starts_with("REQ-"))
        .expect("the request to confirm on")
        .to_string();
    // The ledger follows the data at once, not when the last recipient is told.
    expect(
        app.cmd(&[
            "consent",
            "check",
            "--subject",
            &format!("email:{NEW_EMAIL}"),
            "--purpose",
            "newsletter",
        ]),
        0,
    );
    // Nothing can be recorded under the old identity any more.
    let stale = expect(
        app.cmd(&[
            "restrict",
            "--subject",
            "email:dana@example.com",
            "--ground",
            "accuracy",
        ]),
        1,
    );
    assert!(
        stale.stderr.contains("rectified to another"),
        "{}",
        stale.stderr
    );
    expect(
        app.cmd(&[
            "request",
            "confirm-manual",
            &request,
            "manual:printer",
            "--note",
            "done",
        ]),
        0,
    );

    // The identity moved: consent stands under the new address, the old one answers
    // "moved", and nothing of the subject is found under it any more.
    expect(
        app.cmd(&[
            "consent",
            "check",
            "--subject",
            &format!("email:{NEW_EMAIL}"),
            "--purpose",
            "newsletter",
        ]),
        0,
    );
    let old = expect(
        app.cmd(&[
            "consent",
            "check",
            "--subject",
            "email:dana@example.com",
            "--purpose",
            "newsletter",
        ]),
        3,
    );
    assert!(old.stdout.contains("moved"), "{}", old.stdout);
    expect(
        app.cmd(&[
            "processing",
            "check",
            "--subject",
            "email:dana@example.com",
            "--purpose",
            "newsletter",
        ]),
        3,
    );
    expect(
        app.cmd(&[
            "rectify",
            "--subject",
            "email:dana@example.com",
            "--set",
            "user.name=X",
            "--dry-run",
        ]),
        1,
    );
    let again = expect(
        app.cmd(&[
            "rectify",
            "--subject",
            &format!("email:{NEW_EMAIL}"),
            "--set",
            "user.name=Dana Levi",
            "--dry-run",
        ]),
        0,
    );
    assert!(again.stderr.contains("still told"), "{}", again.stderr);
    // Corrected back: the first address answers again, nothing is "moved" any more.
    expect(
        app.cmd(&[
            "rectify",
            "--subject",
            &format!("email:{NEW_EMAIL}"),
            "--set",
            "user.contact.email=dana@example.com",
            "--yes",
            "--quiet",
        ]),
        4,
    );
    expect(
        app.cmd(&[
            "consent",
            "check",
            "--subject",
            "email:dana@example.com",
            "--purpose",
            "newsletter",
        ]),
        0,
    );
    expect(
        app.cmd(&[
            "consent",
            "check",
            "--subject",
            &format!("email:{NEW_EMAIL}"),
            "--purpose",
            "newsletter",
        ]),
        3,
    );
    let shown = expect(
        app.cmd(&["request", "show", &request, "--format", "json"]),
        0,
    )
    .json();
    assert_eq!(shown["status"], "closed");
    assert_eq!(shown["kind"], "rectification");
    assert!(
        shown["subject"].as_str().unwrap().starts_with("email:"),
        "{shown}"
    );

    // Nothing of the old or new address reached the audit trail; the chain holds.
    let log = expect(app.cmd(&["audit", "log", "--format", "json"]), 0);
    for value in ["dana@example.com", "Dana.Levi", NEW_EMAIL, "Dana Levi"] {
        assert!(!log.stdout.contains(value), "{value} in the audit trail");
    }
    expect(app.cmd(&["audit", "verify"]), 0);
}

#[test]
fn rectification_is_exact_on_sqlite() {
    rectification_is_exact("sqlite");
}

#[test]
fn rectification_is_exact_on_postgres() {
    rectification_is_exact("postgres");
}

#[test]
fn rectification_is_exact_on_mariadb() {
    rectification_is_exact("mysql");
}

/// Stopped after the source committed but before the journal knew (a failpoint, then a
/// real `kill -9` at the same place), then run again: the end state of a twin that ran
/// once, and the provider told once.
fn a_stopped_rectification_finishes_as_its_twin(engine: &str) {
    let crm = MockProvider::start(|_, _| MockAnswer::raw(204, ""));
    let Some(twin) = fixture(engine, &format!("rectify_twin_{engine}"), &crm.url) else {
        return;
    };
    let before = twin.dump();
    expect(twin.cmd(RECTIFY), 4);
    let expected = expected_after(&before);
    assert_eq!(sorted(twin.dump()), expected);

    let failing = MockProvider::start(|_, _| MockAnswer::raw(204, ""));
    let Some(failed) = fixture(engine, &format!("rectify_fail_{engine}"), &failing.url) else {
        return;
    };
    let mut stopped = failed.cmd(RECTIFY);
    stopped.env("PRIVOPS_FAILPOINT", "after-source:app");
    let run = expect(stopped, 1);
    assert!(run.stderr.contains("failpoint"), "{}", run.stderr);
    assert!(failing.requests().is_empty());
    expect(failed.cmd(RECTIFY), 4);
    assert_eq!(
        sorted(failed.dump()),
        expected,
        "a stopped run finishes as its twin"
    );
    assert_eq!(failing.requests().len(), 1, "the provider is told once");
    // Once more: nothing more changes, nobody is called again.
    expect(failed.cmd(RECTIFY), 4);
    assert_eq!(sorted(failed.dump()), expected);
    assert_eq!(failing.requests().len(), 1);

    let killing = MockProvider::start(|_, _| MockAnswer::raw(204, ""));
    let Some(killed) = fixture(engine, &format!("rectify_kill_{engine}"), &killing.url) else {
        return;
    };
    let mut paused = killed.cmd(RECTIFY);
    paused
        .env("PRIVOPS_FAILPOINT", "pause:after-source:app")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = paused.spawn().unwrap();
    let reached = (0..400).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        killed.strings("SELECT name FROM clients WHERE id = 1") == ["Dana Levi"]
    });
    assert!(reached, "the run reached its pause");
    let status = std::process::Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait().unwrap();
    expect(killed.cmd(RECTIFY), 4);
    assert_eq!(
        sorted(killed.dump()),
        expected,
        "a killed run finishes as its twin"
    );
    assert_eq!(killing.requests().len(), 1);
}

#[test]
fn a_stopped_rectification_finishes_as_its_twin_on_sqlite() {
    a_stopped_rectification_finishes_as_its_twin("sqlite");
}

#[test]
fn a_stopped_rectification_finishes_as_its_twin_on_postgres() {
    a_stopped_rectification_finishes_as_its_twin("postgres");
}

#[test]
fn a_stopped_rectification_finishes_as_its_twin_on_mariadb() {
    a_stopped_rectification_finishes_as_its_twin("mysql");
}

/// An invalid value, an unknown column, a subject with no data: a clear error naming it,
/// exit 1, no value repeated, nothing written (the database, the store's requests and
/// the audit trail stay as they were).
fn bad_rectifications_change_nothing(engine: &str) {
    let crm = MockProvider::start(|_, _| MockAnswer::raw(204, ""));
    let Some(app) = fixture(engine, &format!("rectify_bad_{engine}"), &crm.url) else {
        return;
    };
    let before = app.dump();
    let trail = expect(app.cmd(&["audit", "log", "--format", "json"]), 0).stdout;
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--subject",
                "email:dana@example.com",
                "--set",
                "user.contact.email=not-an-address",
            ],
            "user.contact.email: the value is not an e-mail address",
        ),
        (
            &[
                "--subject",
                "email:dana@example.com",
                "--set",
                "clients.phone=+972-50-999",
            ],
            "unknown column or category",
        ),
        (
            &[
                "--subject",
                "email:dana@example.com",
                "--set",
                "app.clients.phone=12ab",
            ],
            "app.clients.phone: the value is not a valid phone number",
        ),
        (
            &[
                "--subject",
                "email:dana@example.com",
                "--set",
                "app.clients.shoe_size=44",
            ],
            "unknown column `shoe_size` of table `clients` in source `app`",
        ),
        (
            &[
                "--subject",
                "email:dana@example.com",
                "--set",
                "app.clients.id=7",
            ],
            "not personal data",
        ),
        (
            &[
                "--subject",
                "email:nobody@example.com",
                "--set",
                "user.name=Someone",
            ],
            "no data of em***om in any source",
        ),
        (
            &["--subject", "email:dana@example.com", "--set", "user.name="],
            "the value is empty",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["rectify"];
        all.extend_from_slice(args);
        all.push("--yes");
        let run = expect(app.cmd(&all), 1);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        for value in [
            "not-an-address",
            "12ab",
            "+972-50-999",
            "nobody@example.com",
        ] {
            assert!(
                !run.stderr.contains(value),
                "{value} repeated: {}",
                run.stderr
            );
        }
    }
    assert_eq!(app.dump(), before);
    assert_eq!(
        expect(app.cmd(&["audit", "log", "--format", "json"]), 0).stdout,
        trail
    );
    assert_eq!(
        expect(app.cmd(&["request", "list", "--format", "json"]), 0).json(),
        json!([])
    );
    assert!(crm.requests().is_empty());
}

#[test]
fn bad_rectifications_change_nothing_on_sqlite() {
    bad_rectifications_change_nothing("sqlite");
}

#[test]
fn bad_rectifications_change_nothing_on_postgres() {
    bad_rectifications_change_nothing("postgres");
}

#[test]
fn bad_rectifications_change_nothing_on_mariadb() {
    bad_rectifications_change_nothing("mysql");
}

const PURPOSES: &str = r#"
[controller]
organisation = "Shop Ltd"
dpo = { name = "D. P. O.", email = "dpo@shop.test" }

[[identity]]
kind = "email"
normalise = "email"

[[purpose]]
id = "newsletter"
title = "Newsletter"
basis = "consent"
consent_text = "Send me the newsletter."

[[purpose]]
id = "mailing"
title = "Postal advertising"
basis = "legitimate_interests"
objection = "absolute"

[[purpose]]
id = "fraud"
title = "Fraud prevention"
basis = "legitimate_interests"

[[purpose]]
id = "delivery"
title = "Delivering orders"
basis = "contract"
"#;

/// An initialised workspace whose policy is [`PURPOSES`].
fn purposes_workspace() -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(temp.path().join("policies")).unwrap();
    std::fs::write(temp.path().join("policies/policy.toml"), PURPOSES).unwrap();
    expect(at_test_time(temp.path(), &["init"]), 0);
    temp
}

/// privops in `dir`, with the tests' subject key and time.
fn at_test_time(dir: &std::path::Path, args: &[&str]) -> std::process::Command {
    let mut command = common::privops(dir);
    command
        .args(args)
        .env("PRIVOPS_SUBJECT_KEY", common::SUBJECT_KEY)
        .env("PRIVOPS_NOW", "2026-12-01T10:00:00Z");
    command
}

/// A workspace with the purposes policy, initialised, its state store in SQLite or (for
/// `state` "postgres") in a scratch PostgreSQL database; `None` when no server is set.
struct StateWorkspace {
    temp: tempfile::TempDir,
    server: Option<common::TestDatabase>,
}

impl StateWorkspace {
    fn new(state: &str, name: &str) -> Option<StateWorkspace> {
        let temp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(temp.path().join("policies")).unwrap();
        std::fs::write(temp.path().join("policies/policy.toml"), PURPOSES).unwrap();
        let server = match state {
            "postgres" => Some(common::TestDatabase::postgres(name)?),
            _ => None,
        };
        let workspace = StateWorkspace { temp, server };
        expect(workspace.cmd(&["init"]), 0);
        Some(workspace)
    }

    fn path(&self) -> &std::path::Path {
        self.temp.path()
    }

    fn cmd(&self, args: &[&str]) -> std::process::Command {
        let mut command = at_test_time(self.temp.path(), args);
        if let Some(db) = &self.server {
            command.env("PRIVOPS_STATE", &db.url);
        }
        command
    }
}

/// Every combination of basis, consent, objection, restriction and erasure, each for its
/// own subject, checked in one batch per purpose against a rule written out here.
fn processing_check_answers_every_combination(state: &str) {
    let Some(workspace) = StateWorkspace::new(state, "processing_check") else {
        return;
    };
    let cmd = |args: &[&str]| workspace.cmd(args);
    let consents = ["none", "granted", "withdrawn"];
    let objections = ["none", "standing", "lifted"];
    let mut subjects = Vec::new();
    let mut n = 0;
    for consent in consents {
        for objection in objections {
            for restricted in [false, true] {
                for erased in [false, true] {
                    n += 1;
                    let subject = format!("email:s{n}@example.com");
                    let at = |minute: u32| format!("2026-11-01T10:{minute:02}:00Z");
                    if consent != "none" {
                        expect(
                            cmd(&[
                                "consent",
                                "grant",
                                "--subject",
                                &subject,
                                "--purpose",
                                "newsletter",
                                "--at",
                                &at(1),
                            ]),
                            0,
                        );
                    }
                    if consent == "withdrawn" {
                        expect(
                            cmd(&[
                                "consent",
                                "withdraw",
                                "--subject",
                                &subject,
                                "--purpose",
                                "newsletter",
                                "--at",
                                &at(2),
                            ]),
                            0,
                        );
                    }
                    if objection != "none" {
                        for purpose in ["mailing", "fraud"] {
                            expect(
                                cmd(&[
                                    "object",
                                    "--subject",
                                    &subject,
                                    "--purpose",
                                    purpose,
                                    "--at",
                                    &at(3),
                                ]),
                                0,
                            );
                        }
                    }
                    if objection == "lifted" {
                        expect(
                            cmd(&[
                                "object",
                                "--subject",
                                &subject,
                                "--purpose",
                                "mailing",
                                "--lift",
                                "--ground",
                                "withdrawn",
                                "--at",
                                &at(4),
                            ]),
                            0,
                        );
                        expect(
                            cmd(&[
                                "object",
                                "--subject",
                                &subject,
                                "--purpose",
                                "fraud",
                                "--lift",
                                "--ground",
                                "compelling-grounds",
                                "--at",
                                &at(4),
                            ]),
                            0,
                        );
                    }
                    if restricted {
                        expect(
                            cmd(&[
                                "restrict",
                                "--subject",
                                &subject,
                                "--ground",
                                "accuracy",
                                "--at",
                                &at(5),
                            ]),
                            0,
                        );
                    }
                    subjects.push((subject, consent, objection, restricted, erased));
                }
            }
        }
    }
    // Erasure puts a subject on the suppression list; here without any source to erase
    // from, so the list is written as an erasure run leaves it.
    let erased: Vec<&str> = subjects
        .iter()
        .filter(|s| s.4)
        .map(|s| s.0.as_str())
        .collect();
    let file = workspace.path().join("erased.txt");
    std::fs::write(&file, erased.join("\n")).unwrap();
    expect(
        cmd(&[
            "erase",
            "--subjects-file",
            file.to_str().unwrap(),
            "--yes",
            "--quiet",
        ]),
        0,
    );
    // An objection to a contract purpose is refused: Art. 21 does not apply to it.
    let refused = expect(
        cmd(&[
            "object",
            "--subject",
            "email:s1@example.com",
            "--purpose",
            "delivery",
        ]),
        1,
    );
    assert!(refused.stderr.contains("Art. 21"), "{}", refused.stderr);
    // Only the person lifts an objection to direct marketing.
    let absolute = expect(
        cmd(&[
            "object",
            "--subject",
            "email:s5@example.com",
            "--purpose",
            "mailing",
            "--lift",
            "--ground",
            "compelling-grounds",
        ]),
        1,
    );
    assert!(absolute.stderr.contains("21(3)"), "{}", absolute.stderr);

    // Every subject is asked twice, the second time in the other order: a batch answers
    // each line, and a subject asked again gets the same answer.
    let list = workspace.path().join("subjects.txt");
    let names: Vec<String> = subjects.iter().map(|s| s.0.clone()).collect();
    let again: Vec<String> = names.iter().rev().cloned().collect();
    std::fs::write(&list, [names.join("\n"), again.join("\n")].join("\n")).unwrap();
    for purpose in ["newsletter", "mailing", "fraud", "delivery"] {
        let run = common::run(cmd(&[
            "processing",
            "check",
            "--purpose",
            purpose,
            "--batch",
            list.to_str().unwrap(),
        ]));
        let lines: Vec<(&str, &str)> = run
            .stdout
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .collect();
        assert_eq!(lines.len(), 2 * subjects.len(), "{}", run.stdout);
        let answers: std::collections::BTreeMap<String, String> = lines
            .iter()
            .map(|(s, a)| (s.to_string(), a.to_string()))
            .collect();
        for (subject, answer) in &lines {
            assert_eq!(
                answers[*subject], *answer,
                "{purpose}: {subject} asked twice"
            );
        }
        let mut any_no = false;
        for (subject, consent, objection, restricted, erased) in &subjects {
            let objected =
                *objection == "standing" && purpose != "newsletter" && purpose != "delivery";
            let consent_ok = purpose != "newsletter" || *consent == "granted";
            let may = !erased && !restricted && !objected && consent_ok;
            any_no |= !may;
            let want = if may { "yes" } else { "no" };
            assert_eq!(
                answers.get(subject).map(String::as_str),
                Some(want),
                "{purpose}: {subject} consent={consent} objection={objection} restricted={restricted} erased={erased}"
            );
        }
        assert_eq!(run.code, if any_no { 3 } else { 0 }, "{purpose}");
    }
    // `consent check` reads the same ledger: the consent state of each line.
    let run = common::run(cmd(&[
        "consent",
        "check",
        "--purpose",
        "newsletter",
        "--batch",
        list.to_str().unwrap(),
    ]));
    assert_eq!(run.code, 3);
    let states: Vec<(&str, &str)> = run
        .stdout
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .collect();
    assert_eq!(states.len(), 2 * subjects.len(), "{}", run.stdout);
    for (subject, state) in states {
        let found = subjects.iter().find(|s| s.0 == subject).unwrap();
        // An erased subject is refused whatever its ledger says.
        let want = match (found.4, found.1) {
            (true, _) => "erased",
            (_, "granted") => "granted",
            (_, "withdrawn") => "withdrawn",
            _ => "never_given",
        };
        assert_eq!(state, want, "{subject}");
    }
    // A check of one subject reads a SQLite store on its own thread, a batch through the
    // pool: each subject's answer alone is its line of the batch, whole (state, event,
    // evidence, limits, times).
    let once = workspace.path().join("once.txt");
    std::fs::write(&once, names.join("\n")).unwrap();
    for (command, purpose) in [
        ("consent", "newsletter"),
        ("processing", "newsletter"),
        ("processing", "mailing"),
    ] {
        let batch = common::run(cmd(&[
            command,
            "check",
            "--purpose",
            purpose,
            "--batch",
            once.to_str().unwrap(),
            "--format",
            "json",
        ]));
        let lines: Vec<serde_json::Value> = batch
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), names.len(), "{}", batch.stdout);
        for (line, name) in lines.iter().zip(&names) {
            assert_eq!(line["subject"], json!(name), "{command} {purpose}");
            let single = common::run(cmd(&[
                command,
                "check",
                "--purpose",
                purpose,
                "--subject",
                name,
                "--format",
                "json",
            ]));
            let yes = line["granted"] == json!(true) || line["may_process"] == json!(true);
            assert_eq!(
                single.code,
                if yes { 0 } else { 3 },
                "{command} {purpose} {name}"
            );
            let alone: serde_json::Value = serde_json::from_str(&single.stdout).unwrap();
            assert_eq!(alone, *line, "{command} {purpose}: {name}");
        }
    }
    // One subject, as a script reads it.
    let one = expect(
        cmd(&[
            "processing",
            "check",
            "--subject",
            &subjects[0].0,
            "--purpose",
            "newsletter",
            "--format",
            "json",
        ]),
        3,
    )
    .json();
    assert_eq!(one["may_process"], false);
    assert_eq!(one["reasons"][0], "consent was never given");
}

#[test]
fn processing_check_answers_every_combination_on_sqlite() {
    processing_check_answers_every_combination("sqlite");
}

#[test]
fn processing_check_answers_every_combination_on_postgres() {
    processing_check_answers_every_combination("postgres");
}

/// A batch longer than one statement's 5,000 subjects, read on two connections at once
/// (every other chunk each): the subjects with consent are found on either side of each
/// boundary, a subject erased in the second connection's chunk is refused, and every
/// other line says no.
fn a_long_batch_is_answered_line_by_line(state: &str) {
    let Some(workspace) = StateWorkspace::new(state, "long_batch") else {
        return;
    };
    let cmd = |args: &[&str]| workspace.cmd(args);
    let granted = [1usize, 4_999, 5_000, 5_001, 7_500, 10_002];
    let erased = 7_500;
    for n in granted {
        let subject = format!("email:s{n}@example.com");
        expect(
            cmd(&[
                "consent",
                "grant",
                "--purpose",
                "newsletter",
                "--subject",
                &subject,
            ]),
            0,
        );
    }
    expect(
        cmd(&[
            "erase",
            "--yes",
            "--subject",
            &format!("email:s{erased}@example.com"),
        ]),
        0,
    );
    // Consent was granted and never withdrawn, yet the person was erased: a script that
    // asks before sending must hear no.
    let single = common::run(cmd(&[
        "consent",
        "check",
        "--purpose",
        "newsletter",
        "--subject",
        &format!("email:s{erased}@example.com"),
    ]));
    assert_eq!(single.code, 3, "{}", single.stdout);
    assert!(
        single.stdout.starts_with("erased: erased on 2026-12-01"),
        "{}",
        single.stdout
    );
    // The consent export says so too.
    let export = workspace.path().join("consent.csv");
    expect(
        cmd(&["consent", "export", "--out", export.to_str().unwrap()]),
        0,
    );
    let exported = std::fs::read_to_string(&export).unwrap();
    let state_of = |n: usize| {
        let key = privops::subject::SubjectKey::from_bytes(common::SUBJECT_KEY.as_bytes());
        let reference = key.reference(&privops::subject::Subject {
            kind: "email".into(),
            value: format!("s{n}@example.com"),
        });
        exported
            .lines()
            .find(|l| l.ends_with(&format!(",{reference}")))
            .and_then(|l| l.split(',').nth(7))
            .map(str::to_string)
    };
    assert_eq!(state_of(erased).as_deref(), Some("erased"), "{exported}");
    assert_eq!(state_of(1).as_deref(), Some("granted"), "{exported}");
    let (list, lines) = subjects_file(workspace.path(), 10_003);
    for command in ["processing", "consent"] {
        let run = common::run(cmd(&[
            command,
            "check",
            "--purpose",
            "newsletter",
            "--batch",
            list.to_str().unwrap(),
        ]));
        assert_eq!(run.code, 3, "{}", run.stderr);
        let answers: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(answers.len(), lines.len());
        for (n, answer) in answers.iter().enumerate() {
            let want = match (command, granted.contains(&n), n == erased) {
                ("processing", true, false) => "yes",
                ("processing", _, _) => "no",
                (_, _, true) => "erased",
                (_, true, _) => "granted",
                (_, false, _) => "never_given",
            };
            assert_eq!(
                *answer,
                format!("{}\t{want}", lines[n]),
                "{command} line {n}"
            );
        }
    }
}

/// A batch file in `dir` naming `email:s0@example.com` to `email:s{count - 1}@...`, and
/// its lines.
fn subjects_file(dir: &std::path::Path, count: usize) -> (std::path::PathBuf, Vec<String>) {
    let list = dir.join("subjects.txt");
    let lines: Vec<String> = (0..count)
        .map(|n| format!("email:s{n}@example.com"))
        .collect();
    std::fs::write(&list, lines.join("\n")).unwrap();
    (list, lines)
}

/// A server that lets the store's user open one connection: a batch longer than a chunk
/// cannot read on a second one, and is answered one chunk after another.
#[test]
fn a_long_batch_is_answered_on_one_connection() {
    let Some(mut db) = common::TestDatabase::postgres("one_connection") else {
        return;
    };
    let url = db.one_connection_owner();
    let temp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(temp.path().join("policies")).unwrap();
    std::fs::write(temp.path().join("policies/policy.toml"), PURPOSES).unwrap();
    let cmd = |args: &[&str]| {
        let mut command = at_test_time(temp.path(), args);
        command.env("PRIVOPS_STATE", &url);
        command
    };
    expect(cmd(&["init"]), 0);
    for n in [3usize, 6_000] {
        expect(
            cmd(&[
                "consent",
                "grant",
                "--purpose",
                "newsletter",
                "--subject",
                &format!("email:s{n}@example.com"),
            ]),
            0,
        );
    }
    let (list, lines) = subjects_file(temp.path(), 6_001);
    let run = common::run(cmd(&[
        "consent",
        "check",
        "--purpose",
        "newsletter",
        "--batch",
        list.to_str().unwrap(),
    ]));
    assert_eq!(run.code, 3, "{}", run.stderr);
    let granted: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.ends_with("\tgranted"))
        .collect();
    assert_eq!(
        granted,
        [
            "email:s3@example.com\tgranted",
            "email:s6000@example.com\tgranted"
        ]
    );
    assert_eq!(run.stdout.lines().count(), lines.len());
}

#[test]
fn a_long_batch_is_answered_line_by_line_on_sqlite() {
    a_long_batch_is_answered_line_by_line("sqlite");
}

#[test]
fn a_long_batch_is_answered_line_by_line_on_postgres() {
    a_long_batch_is_answered_line_by_line("postgres");
}

/// The check commands read only the purposes and identity kinds of the policy: a mistake
/// in another file does not stop them (every command that acts still refuses it), while
/// a mistake in the purposes does, naming the file and line.
#[test]
fn checks_read_only_what_they_answer_from() {
    let temp = purposes_workspace();
    let policies = temp.path().join("policies");
    let cmd = |args: &[&str]| at_test_time(temp.path(), args);
    let subject = ["--subject", "email:a@example.com"];
    let grant = [
        &["consent", "grant", "--purpose", "newsletter"][..],
        &subject,
    ]
    .concat();
    expect(cmd(&grant), 0);
    std::fs::write(
        policies.join("sources.toml"),
        "[source]\nid = \"app\"\nengine = \"sqlite\"\nurl_env = \"APP\"\n[[table]\nname = \"x\"\n",
    )
    .unwrap();
    let consent = [
        &["consent", "check", "--purpose", "newsletter"][..],
        &subject,
    ]
    .concat();
    let processing = [
        &["processing", "check", "--purpose", "newsletter"][..],
        &subject,
    ]
    .concat();
    assert!(expect(cmd(&consent), 0).stdout.starts_with("granted"));
    assert!(expect(cmd(&processing), 0).stdout.starts_with("yes"));
    let refused = expect(cmd(&[&["erase", "--dry-run"][..], &subject].concat()), 1);
    assert!(
        refused.stderr.contains("sources.toml:5"),
        "{}",
        refused.stderr
    );

    std::fs::remove_file(policies.join("sources.toml")).unwrap();
    let broken = PURPOSES.replace("basis = \"contract\"", "basis = \"contractual\"");
    std::fs::write(policies.join("policy.toml"), broken).unwrap();
    for args in [&consent, &processing] {
        let refused = expect(cmd(args), 1);
        assert!(
            refused.stderr.contains("policy.toml:"),
            "{}",
            refused.stderr
        );
        assert!(refused.stderr.contains("contractual"), "{}", refused.stderr);
    }
}

/// Restriction and objection requests: deadlines like the others, the recording closes
/// the request, `request show` lists what was recorded.
#[test]
fn restriction_and_objection_answer_their_requests() {
    let temp = purposes_workspace();
    let cmd = |args: &[&str]| at_test_time(temp.path(), args);
    let opened = expect(
        cmd(&[
            "request",
            "open",
            "--kind",
            "restriction",
            "--subject",
            "email:r@example.com",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(opened["due_at"], "2026-12-31T10:00:00.000000Z");
    let id = opened["id"].as_str().unwrap().to_string();
    expect(
        cmd(&[
            "request",
            "extend",
            &id,
            "--months",
            "1",
            "--reason",
            "verifying accuracy",
        ]),
        0,
    );
    // A restriction request is not answered by an objection.
    let wrong = expect(
        cmd(&[
            "object",
            "--subject",
            "email:r@example.com",
            "--purpose",
            "fraud",
            "--request",
            &id,
        ]),
        1,
    );
    assert!(
        wrong.stderr.contains("not a objection request")
            || wrong.stderr.contains("restriction request"),
        "{}",
        wrong.stderr
    );
    expect(
        cmd(&[
            "restrict",
            "--subject",
            "email:r@example.com",
            "--ground",
            "accuracy",
            "--request",
            &id,
        ]),
        0,
    );
    let shown = expect(cmd(&["request", "show", &id, "--format", "json"]), 0).json();
    assert_eq!(shown["status"], "closed");
    assert_eq!(shown["recorded"][0]["kind"], "restriction");
    assert_eq!(shown["recorded"][0]["ground"], "accuracy");
    let human = expect(cmd(&["request", "show", &id]), 0);
    assert!(human.stdout.contains("restriction"), "{}", human.stdout);
    // Recording it again adds nothing; lifting it is a new row, and says to tell them.
    let again = expect(
        cmd(&[
            "restrict",
            "--subject",
            "email:r@example.com",
            "--ground",
            "accuracy",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(again["recorded"], false);
    // A lift dated before the restriction would be recorded and ignored: refused.
    let backdated = expect(
        cmd(&[
            "restrict",
            "--subject",
            "email:r@example.com",
            "--lift",
            "--at",
            "2026-11-01T00:00:00Z",
        ]),
        1,
    );
    assert!(backdated.stderr.contains("newest"), "{}", backdated.stderr);
    let lifted = expect(
        cmd(&["restrict", "--subject", "email:r@example.com", "--lift"]),
        0,
    );
    assert!(lifted.stderr.contains("Art. 18(3)"), "{}", lifted.stderr);
    expect(
        cmd(&[
            "processing",
            "check",
            "--subject",
            "email:r@example.com",
            "--purpose",
            "fraud",
        ]),
        0,
    );

    let objection = expect(
        cmd(&[
            "request",
            "open",
            "--kind",
            "objection",
            "--subject",
            "email:r@example.com",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    let oid = objection["id"].as_str().unwrap();
    expect(
        cmd(&[
            "object",
            "--subject",
            "email:r@example.com",
            "--purpose",
            "fraud",
            "--request",
            oid,
        ]),
        0,
    );
    expect(
        cmd(&[
            "processing",
            "check",
            "--subject",
            "email:r@example.com",
            "--purpose",
            "fraud",
        ]),
        3,
    );
    let listed = expect(cmd(&["request", "list", "--format", "json"]), 0).json();
    let kinds: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["restriction", "objection"]);
    let log = expect(cmd(&["audit", "log", "--format", "json"]), 0).stdout;
    assert!(log.contains("restriction.record") && log.contains("objection.record"));
    assert!(!log.contains("r@example.com"));
}

/// Notices: a version per text, acknowledgements per person, who is still to be told (as
/// text, JSON and CSV), and the people whose consent stands on an older text.
#[test]
fn notices_know_who_has_not_acknowledged() {
    let temp = purposes_workspace();
    let cmd = |args: &[&str]| at_test_time(temp.path(), args);
    let none = expect(cmd(&["notice", "pending"]), 1);
    assert!(
        none.stderr.contains("no notice is published"),
        "{}",
        none.stderr
    );
    let v1 = temp.path().join("v1.md");
    std::fs::write(&v1, "# Privacy notice\n\nFirst text.\n").unwrap();
    let published = expect(
        cmd(&[
            "notice",
            "publish",
            "--title",
            "Notice 1",
            "--file",
            v1.to_str().unwrap(),
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(published["version"], 1);
    assert_eq!(published["published"], true);
    let same = expect(
        cmd(&[
            "notice",
            "publish",
            "--title",
            "Again",
            "--file",
            v1.to_str().unwrap(),
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(
        same["published"], false,
        "the same text is the same version"
    );
    for who in ["a", "b", "c"] {
        expect(
            cmd(&[
                "consent",
                "grant",
                "--subject",
                &format!("email:{who}@example.com"),
                "--purpose",
                "newsletter",
            ]),
            0,
        );
    }
    expect(
        cmd(&["notice", "ack", "--subject", "email:a@example.com"]),
        0,
    );
    expect(
        cmd(&["notice", "ack", "--subject", "email:b@example.com"]),
        0,
    );
    let v2 = temp.path().join("v2.md");
    std::fs::write(&v2, "# Privacy notice\n\nSecond text.\n").unwrap();
    expect(
        cmd(&[
            "notice",
            "publish",
            "--title",
            "Notice 2",
            "--file",
            v2.to_str().unwrap(),
        ]),
        0,
    );
    expect(
        cmd(&["notice", "ack", "--subject", "email:b@example.com"]),
        0,
    );
    let pending = expect(cmd(&["notice", "pending", "--format", "json"]), 0).json();
    let who: Vec<(&str, Value)> = pending
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["subject"].as_str().unwrap(), p["acknowledged"].clone()))
        .collect();
    assert_eq!(
        who,
        [
            ("email:a@example.com", json!(1)),
            ("email:c@example.com", Value::Null)
        ]
    );
    let csv = expect(cmd(&["notice", "pending", "--format", "csv"]), 0).stdout;
    assert_eq!(
        csv.trim(),
        "subject,acknowledged\nemail:a@example.com,1\nemail:c@example.com,"
    );
    let unknown = expect(
        cmd(&[
            "notice",
            "ack",
            "--subject",
            "email:a@example.com",
            "--notice-version",
            "9",
        ]),
        1,
    );
    assert!(
        unknown.stderr.contains("no notice version 9"),
        "{}",
        unknown.stderr
    );
    let empty = temp.path().join("empty.md");
    std::fs::write(&empty, "  \n").unwrap();
    expect(
        cmd(&[
            "notice",
            "publish",
            "--title",
            "Empty",
            "--file",
            empty.to_str().unwrap(),
        ]),
        1,
    );

    // The consent text changes: a's and b's consent stands on the old text; c consents
    // again to the new one.
    std::fs::write(
        temp.path().join("policies/policy.toml"),
        PURPOSES.replace(
            "Send me the newsletter.",
            "Send me the newsletter and offers.",
        ),
    )
    .unwrap();
    let later = |args: &[&str]| {
        let mut command = cmd(args);
        command.env("PRIVOPS_NOW", "2026-12-01T12:00:00Z");
        command
    };
    expect(
        later(&[
            "consent",
            "grant",
            "--subject",
            "email:c@example.com",
            "--purpose",
            "newsletter",
        ]),
        0,
    );
    let stale = expect(
        later(&[
            "notice",
            "pending",
            "--purpose",
            "newsletter",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    let who: Vec<(&str, Value)> = stale
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["subject"].as_str().unwrap(), p["acknowledged"].clone()))
        .collect();
    assert_eq!(
        who,
        [
            ("email:a@example.com", json!(1)),
            ("email:b@example.com", json!(1))
        ]
    );
    let log = expect(cmd(&["audit", "log", "--format", "json"]), 0).stdout;
    assert!(log.contains("notice.publish") && log.contains("notice.ack"));
}

/// A store made before requests could be rectification, restriction or objection
/// requests (its requests table is rebuilt to widen the kinds): every request, run and
/// link survives the upgrade, the foreign keys still hold, and the new kinds are taken.
/// A workspace whose store is as the release before rights requests left it:
/// migrations 1 to 8, two requests and an erasure run. Returns the store's URL.
fn store_before_rights(temp: &tempfile::TempDir) -> String {
    std::fs::create_dir_all(temp.path().join("policies")).unwrap();
    std::fs::write(temp.path().join("policies/policy.toml"), PURPOSES).unwrap();
    let store = temp.path().join(".privops/state.db");
    std::fs::create_dir_all(store.parent().unwrap()).unwrap();
    // The store as the previous release left it: migrations 1 to 8.
    let old = temp.path().join("old-migrations");
    std::fs::create_dir_all(&old).unwrap();
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    for entry in std::fs::read_dir(&all).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.as_str() < "0009" {
            std::fs::copy(entry.path(), old.join(&name)).unwrap();
        }
    }
    let url = format!("sqlite://{}?mode=rwc", store.display());
    common::block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::migrate::Migrator::new(old.as_path())
            .await
            .unwrap()
            .run(&mut conn)
            .await
            .unwrap();
        sqlx::raw_sql(
            "INSERT INTO requests (id, seq, kind, subject_ref, received_at, due_at, status, created_at) \
             VALUES ('REQ-000001', 1, 'erasure', 'ref-a', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 'open', '2026-11-01T00:00:00Z'), \
                    ('REQ-000002', 2, 'access', 'ref-b', '2026-11-02T00:00:00Z', '2026-12-02T00:00:00Z', 'closed', '2026-11-02T00:00:00Z'); \
             INSERT INTO erasure_runs (run_id, created_at, status) VALUES ('ERA-1', '2026-11-01T00:00:00Z', 'open'); \
             INSERT INTO erasure_subjects (run_id, subject_ref, request_id) VALUES ('ERA-1', 'ref-a', 'REQ-000001');",
        )
        .execute(&mut conn)
        .await
        .unwrap();
    });
    std::fs::write(
        temp.path().join(".privops/subject.key"),
        common::SUBJECT_KEY,
    )
    .unwrap();
    url
}

#[test]
fn an_older_state_store_keeps_its_requests_through_the_upgrade() {
    let temp = tempfile::tempdir().unwrap();
    let url = store_before_rights(&temp);
    let cmd = |args: &[&str]| at_test_time(temp.path(), args);
    let listed = expect(cmd(&["request", "list", "--format", "json"]), 0).json();
    let ids: Vec<(&str, &str, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["kind"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("REQ-000001", "erasure", "open"),
            ("REQ-000002", "access", "closed")
        ]
    );
    expect(
        cmd(&[
            "request",
            "open",
            "--kind",
            "objection",
            "--subject",
            "email:x@example.com",
        ]),
        0,
    );
    common::block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let linked: (String,) =
            sqlx::query_as("SELECT request_id FROM erasure_subjects WHERE run_id = 'ERA-1'")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!(linked.0, "REQ-000001");
        sqlx::query("PRAGMA foreign_keys = ON")
            .execute(&mut conn)
            .await
            .unwrap();
        let dangling = sqlx::query(
            "INSERT INTO erasure_subjects (run_id, subject_ref, request_id) VALUES ('ERA-1', 'ref-z', 'REQ-999999')",
        )
        .execute(&mut conn)
        .await;
        assert!(
            dangling.is_err(),
            "the link to requests is still a foreign key"
        );
        let violations: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert!(violations.is_empty(), "{violations:?}");
    });
}

/// A check opens the store without reading its schema first: the answer's statement
/// reads the schema's version too. On a store an older release left (no rights tables
/// yet) the check brings it up to date and answers as on a current one.
#[test]
fn a_check_on_an_older_store_brings_it_up_to_date() {
    let temp = tempfile::tempdir().unwrap();
    let url = store_before_rights(&temp);
    let cmd = |args: &[&str]| at_test_time(temp.path(), args);
    let subject = ["--subject", "email:x@example.com", "--format", "json"];
    let delivery = [
        &["processing", "check", "--purpose", "delivery"][..],
        &subject,
    ]
    .concat();
    let answer = expect(cmd(&delivery), 0).json();
    assert_eq!(answer["may_process"], json!(true), "{answer}");
    let migrations = std::fs::read_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite"),
    )
    .unwrap()
    .count();
    let applied = common::block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        n as usize
    });
    assert_eq!(applied, migrations);
    // Current now: the next checks answer from the one statement.
    let newsletter = [
        &["consent", "check", "--purpose", "newsletter"][..],
        &subject,
    ]
    .concat();
    let answer = expect(cmd(&newsletter), 3).json();
    assert_eq!(answer["granted"], json!(false), "{answer}");
    expect(cmd(&delivery), 0);
}
