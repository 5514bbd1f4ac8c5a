#![allow(clippy::disallowed_macros)] // tests report skips on stderr
//! Erasure: the invariant (rows of others unchanged, the subject's rows gone or masked as
//! declared), holds, shared rows, providers, resume after a crash, manual tasks, dry
//! runs, on SQLite, PostgreSQL and MariaDB.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common::{
    Demo, MockAnswer, MockProvider, NoWrite, TestDatabase, expect, zip_entry, zip_names,
};
use serde_json::{Map, Value};

type Dump = BTreeMap<String, Vec<Map<String, Value>>>;

/// A row's key as text; timestamps compare whether written with `T` or a space.
fn key_of(row: &Map<String, Value>, columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| {
            let text = row[c].to_string();
            let bytes = text.as_bytes();
            if bytes.len() > 11 && bytes[11] == b'T' && bytes[5] == b'-' {
                format!("{} {}", &text[..11], &text[12..])
            } else {
                text
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

fn masked_form(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s == "[redacted]" || s.starts_with("hmac:"),
        _ => false,
    }
}

/// The invariant: every row that is not the subject's is byte-identical; every row that
/// is, is gone, or kept with its masked columns masked (held, or erase = "mask"), or kept
/// whole where the receipt says why.
fn assert_invariant(
    before: &Dump,
    after: &Dump,
    subject: &BTreeMap<String, BTreeSet<String>>,
    keys: &BTreeMap<String, Vec<String>>,
    masks: &BTreeMap<String, Vec<String>>,
) -> (usize, usize) {
    let (mut gone, mut masked) = (0, 0);
    for (table, rows) in before {
        let Some(key_columns) = keys.get(table) else {
            assert_eq!(
                rows, &after[table],
                "table {table} is not in the policy and must not change"
            );
            continue;
        };
        let after_rows: BTreeMap<String, &Map<String, Value>> = after[table]
            .iter()
            .map(|r| (key_of(r, key_columns), r))
            .collect();
        let mine = subject.get(table).cloned().unwrap_or_default();
        for row in rows {
            let key = key_of(row, key_columns);
            match (mine.contains(&key), after_rows.get(&key)) {
                (false, Some(now)) => {
                    assert_eq!(*now, row, "{table} {key}: another subject's row changed")
                }
                (false, None) => panic!("{table} {key}: another subject's row was deleted"),
                (true, None) => gone += 1,
                (true, Some(now)) if *now == row => {}
                (true, Some(now)) => {
                    masked += 1;
                    for (column, value) in now.iter() {
                        if value != &row[column] {
                            assert!(
                                masks.get(table).is_some_and(|m| m.contains(column)),
                                "{table}.{column} changed but is neither masked nor personal"
                            );
                            assert!(
                                masked_form(value),
                                "{table}.{column} = {value} is not a masked form"
                            );
                        }
                    }
                }
            }
        }
        assert!(after[table].len() <= rows.len(), "{table}: rows were added");
    }
    (gone, masked)
}

/// The subject's rows per table, decided by hand-written SQL: `expected` holds, per
/// table, the key of each of the subject's rows as the queries return it (key columns as
/// text, joined by `|`); the rows of `before` with those keys are the subject's.
fn rows_by_sql(
    before: &Dump,
    keys: &BTreeMap<String, Vec<String>>,
    expected: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeMap<String, BTreeSet<String>> {
    // Timestamps compare whether written with `T` or a space, with or without a zone.
    let plain = |value: &Value| -> String {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let bytes = text.as_bytes();
        if bytes.len() >= 19 && bytes[4] == b'-' && (bytes[10] == b'T' || bytes[10] == b' ') {
            text[..19].replacen('T', " ", 1)
        } else {
            text
        }
    };
    let mut mine = BTreeMap::new();
    for (table, wanted) in expected {
        let wanted: BTreeSet<String> = wanted
            .iter()
            .map(|k| {
                k.split('|')
                    .map(|p| plain(&Value::String(p.into())))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        let key_columns = &keys[table];
        let rows: BTreeSet<String> = before[table]
            .iter()
            .filter(|row| {
                let text: Vec<String> = key_columns.iter().map(|c| plain(&row[c])).collect();
                wanted.contains(&text.join("|"))
            })
            .map(|row| key_of(row, key_columns))
            .collect();
        assert_eq!(
            rows.len(),
            wanted.len(),
            "{table}: every expected row is in the dump"
        );
        mine.insert(table.clone(), rows);
    }
    mine
}

fn policy_keys(policy: &Path) -> (BTreeMap<String, Vec<String>>, BTreeMap<String, Vec<String>>) {
    let loaded = privops::policy::Policy::load_valid(policy).unwrap();
    let mut keys = BTreeMap::new();
    let mut masks = BTreeMap::new();
    for source in &loaded.sources {
        for table_def in &source.tables {
            let table = &table_def.table;
            keys.insert(
                table.name().to_string(),
                table.key_columns().iter().map(|s| s.to_string()).collect(),
            );
            masks.insert(
                table.name().to_string(),
                table
                    .columns
                    .iter()
                    .filter(|(_, s)| {
                        s.get_ref().mask.is_some()
                            || privops::policy::taxonomy::is_personal(&s.get_ref().category)
                    })
                    .map(|(c, _)| c.clone())
                    .collect(),
            );
        }
    }
    (keys, masks)
}

fn demo_dump(demo: &Demo) -> Dump {
    let mut dump = common::sqlite_dump(&demo.dir.join("data/crm.db"));
    dump.extend(common::sqlite_dump(&demo.dir.join("data/messaging.db")));
    dump
}

fn export(demo: &Demo, subject: &str, name: &str) -> PathBuf {
    let out = demo.dir.join(name);
    expect(
        demo.cmd(&[
            "access",
            "--subject",
            subject,
            "--out",
            out.to_str().unwrap(),
            "--no-providers",
        ]),
        0,
    );
    out
}

#[test]
fn erasure_changes_exactly_the_subjects_rows_on_sqlite() {
    let demo = Demo::new();
    let subject = demo.samples[0].clone();
    let (keys, masks) = policy_keys(&demo.dir.join("policies"));
    let before = demo_dump(&demo);
    // The subject's rows, by hand-written SQL over the demo's two databases.
    let email = subject.trim_start_matches("email:");
    let crm = demo.dir.join("data/crm.db");
    let messaging = demo.dir.join("data/messaging.db");
    let text = |db: &Path, sql: &str| {
        common::sqlite_strings(db, &format!("SELECT CAST(id AS TEXT) FROM ({sql})"))
    };
    let client = format!("SELECT id FROM clients WHERE email = '{email}'");
    let user = format!("SELECT id FROM users WHERE email = '{email}'");
    let conversation = format!("SELECT id FROM ai_conversations WHERE contact_email = '{email}'");
    let expected: BTreeMap<String, BTreeSet<String>> = [
        ("clients", text(&crm, &client)),
        (
            "leads",
            text(&crm, &format!("SELECT id FROM leads WHERE email = '{email}' UNION SELECT lead_id FROM clients WHERE email = '{email}' AND lead_id IS NOT NULL")),
        ),
        ("invoices", text(&crm, &format!("SELECT id FROM invoices WHERE client_id IN ({client})"))),
        ("meetings", text(&crm, &format!("SELECT id FROM meetings WHERE client_id IN ({client})"))),
        ("email_records", text(&crm, &format!("SELECT id FROM email_records WHERE client_id IN ({client})"))),
        ("ai_conversations", text(&messaging, &conversation)),
        ("ai_messages", text(&messaging, &format!("SELECT id FROM ai_messages WHERE conversation_id IN ({conversation})"))),
        ("ai_tool_calls", text(&messaging, &format!("SELECT id FROM ai_tool_calls WHERE conversation_id IN ({conversation})"))),
        ("users", text(&crm, &user)),
        ("push_tokens", text(&crm, &format!("SELECT id FROM push_tokens WHERE user_id IN ({user})"))),
        ("telegram_links", text(&crm, &format!("SELECT user_id AS id FROM telegram_links WHERE user_id IN ({user})"))),
        ("sessions", text(&crm, &format!("SELECT id FROM sessions WHERE user_id IN ({user})"))),
        ("execution_logs", text(&messaging, &format!("SELECT id FROM execution_logs WHERE client_email = '{email}'"))),
    ]
    .into_iter()
    .map(|(table, ids)| (table.to_string(), ids.into_iter().collect()))
    .collect();
    let mine = rows_by_sql(&before, &keys, &expected);

    // A dry run changes nothing and records nothing.
    let plan = expect(
        demo.cmd(&[
            "erase",
            "--subject",
            &subject,
            "--dry-run",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(plan["dry_run"], true);
    assert!(
        plan["sources"].to_string().contains("DELETE FROM"),
        "the plan shows the SQL"
    );
    assert_eq!(demo_dump(&demo), before);
    let log = expect(
        demo.cmd(&["audit", "log", "--action", "erase.*", "--format", "json"]),
        0,
    )
    .json();
    assert!(log.as_array().unwrap().is_empty());

    // Without a terminal and without --yes it refuses.
    let refused = expect(demo.cmd(&["erase", "--subject", &subject]), 2);
    assert!(refused.stderr.contains("--yes"));
    assert_eq!(demo_dump(&demo), before);

    let result = expect(
        demo.cmd(&["erase", "--subject", &subject, "--yes", "--format", "json"]),
        4,
    );
    let receipt = result.json();
    assert_eq!(
        receipt["complete"], false,
        "manual tasks and provider calls remain"
    );
    let after = demo_dump(&demo);
    let (gone, masked) = assert_invariant(&before, &after, &mine, &keys, &masks);
    assert!(gone > 5, "rows were deleted: {gone}");
    // Invoices inside the 7-year hold stay, pseudonymised; older ones are gone.
    let held: u64 = receipt["sources"][0]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["table"] == "invoices")
        .map(|t| t["held"].as_u64().unwrap())
        .sum();
    assert_eq!(held as usize, masked, "every masked row is a held invoice");
    assert!(receipt.to_string().contains("17(3)(b)"));
    // An access run finds nothing but the held rows.
    let again = export(&demo, &subject, "after.zip");
    let remaining: usize = zip_names(&again)
        .iter()
        .filter(|n| n.starts_with("sources/") && n.ends_with(".json"))
        .map(|n| {
            serde_json::from_str::<Vec<Value>>(&zip_entry(&again, n).unwrap())
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(
        remaining, 0,
        "held invoices were unlinked from the client (client_id masked to NULL)"
    );
    assert!(
        receipt["verification"]
            .as_str()
            .unwrap()
            .contains("no personal data left")
    );
    // Receipts: JSON and Markdown, owner-only.
    let receipt_md = demo
        .dir
        .join(".privops/receipts")
        .join(format!("{}.md", receipt["run"].as_str().unwrap()));
    let text = std::fs::read_to_string(&receipt_md).unwrap();
    assert!(text.contains("Erasure receipt") && text.contains("Israeli tax law"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&receipt_md).unwrap().permissions().mode() & 0o077,
            0
        );
    }
    // The audit trail has the steps, counts only, and still verifies.
    let log = expect(
        demo.cmd(&["audit", "log", "--action", "erase.*", "--format", "json"]),
        0,
    )
    .json();
    let actions: BTreeSet<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains("erase.plan")
            && actions.contains("erase.source")
            && actions.contains("erase.verify")
    );
    assert!(
        !log.to_string()
            .contains(subject.trim_start_matches("email:"))
    );
    assert_eq!(
        expect(demo.cmd(&["audit", "verify", "--format", "json"]), 0).json()["ok"],
        true
    );
}

#[test]
fn manual_tasks_and_providers_keep_the_request_open_until_done() {
    let demo = Demo::new();
    let subject = demo.samples[0].clone();
    expect(
        demo.cmd(&[
            "consent",
            "grant",
            "--subject",
            &subject,
            "--purpose",
            "marketing",
        ]),
        0,
    );
    let email = subject.trim_start_matches("email:").to_string();
    let event_ids = common::sqlite_strings(
        &demo.dir.join("data/crm.db"),
        &format!(
            "SELECT DISTINCT m.calendar_event_id FROM meetings m JOIN clients c ON c.id = m.client_id WHERE c.email = '{email}'"
        ),
    );
    assert!(!event_ids.is_empty());
    // The calendar fails at first (500, forever with one retry).
    let calendar_down = MockProvider::start(|_, _| MockAnswer::raw(500, "down"));
    let providers = demo.dir.join("policies/providers.toml");
    let text = std::fs::read_to_string(&providers).unwrap();
    std::fs::write(&providers, text.replace("retries = 3", "retries = 1")).unwrap();
    let run = |url: &str, code: i32| -> Value {
        let mut command = demo.cmd(&["erase", "--subject", &subject, "--yes", "--format", "json"]);
        command
            .env("GOOGLE_CALENDAR_URL", url)
            .env("GOOGLE_CALENDAR_TOKEN", "cal-secret");
        expect(command, code).json()
    };
    let first = run(&calendar_down.url, 4);
    assert!(
        first["providers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "failed")
    );
    let request = first["requests"][0].as_str().unwrap().to_string();
    let shown = expect(
        demo.cmd(&["request", "show", &request, "--format", "json"]),
        0,
    )
    .json();
    assert_eq!(shown["status"], "open");
    let refused = expect(demo.cmd(&["request", "close", &request]), 1);
    assert!(
        refused.stderr.contains("unfinished step"),
        "{}",
        refused.stderr
    );
    // The calendar comes back: the re-run calls it, with the ids found before deletion;
    // one event is already gone (404).
    let gone = event_ids[0].clone();
    let calendar = MockProvider::start(move |request, _| {
        if request.url.ends_with(&gone) {
            MockAnswer::raw(404, "")
        } else {
            MockAnswer::raw(204, "")
        }
    });
    let second = run(&calendar.url, 4);
    assert!(
        second["providers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "done"),
        "{second}"
    );
    let called: BTreeSet<String> = calendar
        .requests()
        .iter()
        .map(|r| r.url.rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(called, event_ids.iter().cloned().collect());
    assert!(
        calendar.requests().iter().all(
            |r| r.method == "DELETE" && r.authorization.as_deref() == Some("Bearer cal-secret")
        )
    );
    assert!(second.to_string().contains("already gone (404)"));
    // The database steps were not repeated.
    let sources = expect(
        demo.cmd(&[
            "audit",
            "log",
            "--action",
            "erase.source",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(
        sources.as_array().unwrap().len(),
        2,
        "one entry per source, not per run"
    );
    // Manual tasks stay until confirmed; then the request closes.
    let manual: Vec<String> = second["manual"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["step_id"].as_str().unwrap().to_string())
        .collect();
    assert!(!manual.is_empty());
    for (i, task) in manual.iter().enumerate() {
        let code = if i + 1 == manual.len() { 0 } else { 4 };
        expect(
            demo.cmd(&[
                "request",
                "confirm-manual",
                &request,
                task,
                "--note",
                "checked the DPA",
            ]),
            code,
        );
    }
    let shown = expect(
        demo.cmd(&["request", "show", &request, "--format", "json"]),
        0,
    )
    .json();
    assert_eq!(shown["status"], "closed");
    expect(
        demo.cmd(&["request", "confirm-manual", &request, "manual:nobody"]),
        1,
    );
    // The clear identity is gone from the state store; the pseudonymous consent history
    // and the audit trail stay and verify.
    let state = demo.dir.join(".privops/state.db");
    assert!(
        common::sqlite_strings(&state, "SELECT identity FROM subjects")
            .iter()
            .all(|i| i != &email)
    );
    assert_eq!(
        common::sqlite_strings(&state, "SELECT CAST(COUNT(*) AS TEXT) FROM suppressions")[0],
        "1"
    );
    assert_eq!(
        common::sqlite_strings(&state, "SELECT CAST(COUNT(*) AS TEXT) FROM consent_events")[0],
        "1"
    );
    assert_eq!(
        expect(demo.cmd(&["audit", "verify", "--format", "json"]), 0).json()["ok"],
        true
    );
    // Running it again is a no-op that reports the finished run.
    let done = run(&calendar.url, 0);
    assert_eq!(done["complete"], true);
}

#[test]
fn a_run_stopped_between_steps_resumes_to_the_same_state() {
    let demo = Demo::new();
    let subject = demo.samples[0].clone();
    // A twin workspace with the same data and the same keys, erased without a stop.
    expect(demo.cmd(&["consent", "history", "--subject", &subject]), 0);
    let twin_dir = demo.temp.path().join("twin");
    common::copy_tree(&demo.dir, &twin_dir);
    let mut twin = common::privops(&twin_dir);
    twin.args(["erase", "--subject", &subject, "--yes", "--format", "json"]);
    let twin_receipt = expect(twin, 4).json();

    for failpoint in ["after-source:crm", "before-source:messaging"] {
        let mut command = demo.cmd(&["erase", "--subject", &subject, "--yes"]);
        command.env("PRIVOPS_FAILPOINT", failpoint);
        let stopped = expect(command, 1);
        assert!(stopped.stderr.contains(failpoint));
    }
    let resumed = expect(
        demo.cmd(&["erase", "--subject", &subject, "--yes", "--format", "json"]),
        4,
    )
    .json();
    // The receipt counts what every attempt did: the first attempt's committed work on
    // `crm` is not lost because its end was never journaled.
    let counts = |receipt: &Value| -> Vec<(String, String, Value, Value)> {
        receipt["sources"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| {
                s["tables"].as_array().unwrap().iter().map(move |t| {
                    (
                        s["source"].as_str().unwrap().to_string(),
                        t["table"].as_str().unwrap().to_string(),
                        t["deleted"].clone(),
                        t["masked"].clone(),
                    )
                })
            })
            .collect()
    };
    assert_eq!(counts(&resumed), counts(&twin_receipt));
    assert!(
        counts(&resumed)
            .iter()
            .any(|(source, _, deleted, _)| source == "crm" && deleted.as_u64().unwrap() > 0)
    );
    let mut twin_dump = common::sqlite_dump(&twin_dir.join("data/crm.db"));
    twin_dump.extend(common::sqlite_dump(&twin_dir.join("data/messaging.db")));
    assert_eq!(demo_dump(&demo), twin_dump);
    let sources = expect(
        demo.cmd(&[
            "audit",
            "log",
            "--action",
            "erase.source",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(sources.as_array().unwrap().len(), 2);
}

/// A subjects file, `leaving.txt`, naming the demo's first `n` clients by e-mail address;
/// with those addresses.
fn leaving_list(demo: &Demo, n: usize) -> (PathBuf, Vec<String>) {
    let emails = common::sqlite_strings(
        &demo.dir.join("data/crm.db"),
        &format!("SELECT email FROM clients ORDER BY id LIMIT {n}"),
    );
    let list = demo.dir.join("leaving.txt");
    std::fs::write(
        &list,
        emails
            .iter()
            .map(|e| format!("email:{e}\n"))
            .collect::<String>(),
    )
    .unwrap();
    (list, emails)
}

#[test]
fn unknown_subjects_and_many_subjects() {
    let demo = Demo::new();
    let before = demo_dump(&demo);
    let nobody = expect(
        demo.cmd(&[
            "erase",
            "--subject",
            "email:nobody@nowhere.example",
            "--yes",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(nobody["complete"], true);
    assert_eq!(nobody["found"], false);
    let receipt = std::fs::read_to_string(
        Path::new(nobody["receipt"].as_str().unwrap()).with_extension("md"),
    )
    .unwrap();
    assert!(
        receipt.contains("no personal data found in any source"),
        "{receipt}"
    );
    assert!(!receipt.contains("erased the personal data"), "{receipt}");
    let told = expect(
        demo.cmd(&[
            "erase",
            "--subject",
            "email:nobody.else@nowhere.example",
            "--yes",
        ]),
        0,
    );
    assert!(
        told.stderr.contains("no personal data found in any source"),
        "{}",
        told.stderr
    );
    assert!(
        told.stdout.contains("no personal data found"),
        "{}",
        told.stdout
    );
    assert!(
        nobody["sources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["tables"].as_array().unwrap().is_empty())
    );
    assert_eq!(demo_dump(&demo), before);
    // A list of unknown subjects is counted, not repeated back in full.
    let unknown = demo.dir.join("unknown.txt");
    std::fs::write(
        &unknown,
        (1..=5)
            .map(|i| format!("email:nobody{i}@nowhere.example\n"))
            .collect::<String>(),
    )
    .unwrap();
    let told = expect(
        demo.cmd(&[
            "erase",
            "--subjects-file",
            unknown.to_str().unwrap(),
            "--yes",
        ]),
        0,
    );
    assert!(
        told.stderr.contains("any of the 5 subjects listed")
            && !told.stderr.contains("nobody3@nowhere.example"),
        "{}",
        told.stderr
    );
    assert_eq!(demo_dump(&demo), before);
    // Several subjects from a file, in one run.
    let (list, emails) = leaving_list(&demo, 25);
    let result = expect(
        demo.cmd(&[
            "erase",
            "--subjects-file",
            list.to_str().unwrap(),
            "--yes",
            "--format",
            "json",
        ]),
        4,
    )
    .json();
    assert_eq!(result["subjects"].as_array().unwrap().len(), 25);
    let left = common::sqlite_strings(
        &demo.dir.join("data/crm.db"),
        &format!(
            "SELECT email FROM clients WHERE email IN ({})",
            emails
                .iter()
                .map(|e| format!("'{e}'"))
                .collect::<Vec<_>>()
                .join(",")
        ),
    );
    assert!(left.is_empty());
    // The run's plan is one audit entry about no one, counting its subjects; each subject
    // has its own request opened, and the journal lists the run's subjects.
    let state = demo.dir.join(".privops/state.db");
    let run = result["run"].as_str().unwrap();
    let plans = common::sqlite_strings(
        &state,
        &format!(
            "SELECT COALESCE(subject_ref, '-') || ' ' || json_extract(details, '$.subjects') \
             FROM audit_log WHERE action = 'erase.plan' AND json_extract(details, '$.run') = '{run}'"
        ),
    );
    assert_eq!(plans, ["- 25"]);
    let opened = common::sqlite_strings(
        &state,
        &format!(
            "SELECT CAST(COUNT(DISTINCT a.subject_ref) AS TEXT) FROM audit_log a JOIN erasure_subjects s \
             ON s.subject_ref = a.subject_ref AND json_extract(a.details, '$.request') = s.request_id \
             WHERE a.action = 'request.open' AND s.run_id = '{run}'"
        ),
    );
    assert_eq!(opened, ["25"]);
    std::fs::write(&list, "email:ok@example.com\nemail:broken\n").unwrap();
    let bad = expect(
        demo.cmd(&["erase", "--subjects-file", list.to_str().unwrap(), "--yes"]),
        1,
    );
    assert!(bad.stderr.contains("leaving.txt:2"));
}

/// A list's requests are numbered after those already open, one per subject in the list's
/// order, on a PostgreSQL state store as on SQLite: identifiers, numbers, kind, subject,
/// dates and note as hand-written SQL reads them back.
#[test]
fn a_list_opens_numbered_requests_on_a_postgresql_state_store() {
    let Some(db) = common::TestDatabase::postgres("a_list_opens_numbered_requests") else {
        return;
    };
    a_list_opens_numbered_requests(Some(&db));
}

#[test]
fn a_list_opens_numbered_requests_on_a_sqlite_state_store() {
    a_list_opens_numbered_requests(None);
}

/// The requests test on the PostgreSQL store `db`, or on the workspace's SQLite store.
fn a_list_opens_numbered_requests(db: Option<&common::TestDatabase>) {
    let demo = Demo::new();
    let state: Vec<&str> = db.map_or(Vec::new(), |db| vec!["--state", &db.url]);
    let cmd = |args: &[&str]| demo.cmd(&[args, &state[..]].concat());
    let strings = |sql: &str| match db {
        Some(db) => common::server_strings(db, sql),
        None => common::sqlite_strings(&demo.dir.join(".privops/state.db"), sql),
    };
    if db.is_some() {
        expect(cmd(&["init"]), 0);
    }
    expect(
        cmd(&[
            "request",
            "open",
            "--kind",
            "access",
            "--subject",
            &demo.samples[0],
        ]),
        0,
    );
    let (list, _) = leaving_list(&demo, 3);
    let result = cmd(&[
        "erase",
        "--subjects-file",
        list.to_str().unwrap(),
        "--yes",
        "--format",
        "json",
    ])
    .output()
    .unwrap();
    let run: Value = serde_json::from_slice(&result.stdout).unwrap();
    let run = run["run"].as_str().unwrap();
    let requests = strings(
        "SELECT id || ' ' || seq || ' ' || kind || ' ' || received_at || ' ' || due_at || ' ' \
         || COALESCE(note, '-') FROM requests ORDER BY seq",
    );
    let opened = |id: &str, seq: u32| {
        format!(
            "{id} {seq} erasure 2026-11-25T12:00:00.000000Z 2026-12-25T12:00:00.000000Z opened by privops erase"
        )
    };
    assert_eq!(requests.len(), 4, "{requests:?}");
    assert!(
        requests[0].starts_with("REQ-000001 1 access "),
        "{requests:?}"
    );
    assert_eq!(
        requests[1..],
        [
            opened("REQ-000002", 2),
            opened("REQ-000003", 3),
            opened("REQ-000004", 4)
        ]
    );
    // Each request is about its own subject of the list, in the list's order.
    let subjects = strings(&format!(
        "SELECT r.id FROM erasure_subjects s JOIN requests r ON r.id = s.request_id \
         AND r.subject_ref = s.subject_ref WHERE s.run_id = '{run}' ORDER BY r.seq"
    ));
    assert_eq!(subjects, ["REQ-000002", "REQ-000003", "REQ-000004"]);
}

fn dataset(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/datasets")
        .join(folder)
}

/// Erases one subject of a dataset and checks the invariant on the database's dump; the
/// subject's rows are those `expected` finds with hand-written SQL before the erasure.
fn erase_dataset(
    policy: &Path,
    env: (&str, &str),
    subject: &str,
    dump: &dyn Fn() -> Dump,
    expected: &dyn Fn() -> BTreeMap<String, BTreeSet<String>>,
) -> Value {
    let temp = tempfile::tempdir().unwrap();
    let command = |args: &[&str]| {
        let mut command = common::privops(temp.path());
        command
            .args(args)
            .arg("--policy")
            .arg(policy)
            .args(["--state", temp.path().join("state.db").to_str().unwrap()])
            .env(env.0, env.1)
            .env("PRIVOPS_SUBJECT_KEY", common::SUBJECT_KEY);
        command
    };
    common::init_like(&command(&[]));
    let (keys, masks) = policy_keys(policy);
    let before = dump();
    let mine = rows_by_sql(&before, &keys, &expected());
    assert!(
        mine.values().map(BTreeSet::len).sum::<usize>() > 0,
        "the subject has rows"
    );
    let text = expect(command(&["erase", "--subject", subject, "--dry-run"]), 0).stdout;
    // The table a person reads says what the plan does: its `mask` column counts every
    // row masked (held rows pseudonymised and rows of erase = "mask" tables alike).
    let plan = expect(
        command(&[
            "erase",
            "--subject",
            subject,
            "--dry-run",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    for source in plan["sources"].as_array().unwrap() {
        for table in source["tables"].as_array().unwrap() {
            let name = format!(
                "{}.{}",
                source["source"].as_str().unwrap(),
                table["table"].as_str().unwrap()
            );
            let line = text
                .lines()
                .find(|l| l.split_whitespace().next() == Some(name.as_str()))
                .unwrap_or_else(|| panic!("no line for {name} in\n{text}"));
            let columns: Vec<&str> = line.split_whitespace().collect();
            let masked = table["mask"].as_u64().unwrap() + table["scrub"].as_u64().unwrap();
            assert_eq!(columns[3], masked.to_string(), "{name}: {line}\n{plan}");
            assert_eq!(columns[1], table["found"].to_string(), "{name}: {line}");
            assert_eq!(columns[2], table["delete"].to_string(), "{name}: {line}");
        }
    }
    assert_eq!(dump(), before, "a dry run changes nothing");
    let receipt = expect(
        command(&[
            "erase",
            "--subject",
            subject,
            "--yes",
            "--receipt-dir",
            temp.path().to_str().unwrap(),
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(receipt["complete"], true, "{receipt}");
    assert_invariant(&before, &dump(), &mine, &keys, &masks);
    receipt
}

/// Runs each `(table, query)` and collects the keys it returns.
fn queries(
    run: &dyn Fn(&str) -> Vec<String>,
    list: &[(&str, String)],
) -> BTreeMap<String, BTreeSet<String>> {
    list.iter()
        .map(|(table, sql)| (table.to_string(), run(sql).into_iter().collect()))
        .collect()
}

/// A Chinook customer's rows: the customer, their invoices and the invoices' lines.
/// `names` gives the engine's spelling of (Customer, CustomerId, Email, Invoice,
/// InvoiceId, InvoiceLine, InvoiceLineId) and `text` the cast to text.
fn chinook_customer_sql(
    names: [&'static str; 7],
    text: &str,
    email: &str,
) -> Vec<(&'static str, String)> {
    let [
        customer,
        customer_id,
        mail,
        invoice,
        invoice_id,
        line,
        line_id,
    ] = names;
    let customers = format!("SELECT {customer_id} FROM {customer} WHERE {mail} = '{email}'");
    let invoices =
        format!("SELECT {invoice_id} FROM {invoice} WHERE {customer_id} IN ({customers})");
    vec![
        (
            customer,
            format!(
                "SELECT CAST({customer_id} AS {text}) FROM {customer} WHERE {mail} = '{email}'"
            ),
        ),
        (
            invoice,
            format!(
                "SELECT CAST({invoice_id} AS {text}) FROM {invoice} WHERE {customer_id} IN ({customers})"
            ),
        ),
        (
            line,
            format!(
                "SELECT CAST({line_id} AS {text}) FROM {line} WHERE {invoice_id} IN ({invoices})"
            ),
        ),
    ]
}

const CHINOOK_CAMEL: [&str; 7] = [
    "Customer",
    "CustomerId",
    "Email",
    "Invoice",
    "InvoiceId",
    "InvoiceLine",
    "InvoiceLineId",
];

/// A Fides sample customer's rows, as the sample's own dataset describes them.
fn fides_sql(
    text: &str,
    concat: &dyn Fn(&[&str]) -> String,
    email: &str,
) -> Vec<(&'static str, String)> {
    let customers = format!("SELECT id FROM customer WHERE email = '{email}'");
    let orders = format!("SELECT id FROM orders WHERE customer_id IN ({customers})");
    let t = |c: &str| format!("CAST({c} AS {text})");
    vec![
        (
            "customer",
            format!("SELECT {} FROM customer WHERE email = '{email}'", t("id")),
        ),
        (
            "employee",
            format!("SELECT {} FROM employee WHERE email = '{email}'", t("id")),
        ),
        (
            "orders",
            format!(
                "SELECT {} FROM orders WHERE customer_id IN ({customers})",
                t("id")
            ),
        ),
        (
            "order_item",
            format!(
                "SELECT {} FROM order_item WHERE order_id IN ({orders})",
                concat(&[&t("order_id"), "'|'", &t("item_no")])
            ),
        ),
        (
            "payment_card",
            format!(
                "SELECT {} FROM payment_card WHERE customer_id IN ({customers})",
                t("id")
            ),
        ),
        (
            "login",
            format!(
                "SELECT {} FROM login WHERE customer_id IN ({customers})",
                t("id")
            ),
        ),
        (
            "visit",
            format!(
                "SELECT {} FROM visit WHERE email = '{email}'",
                concat(&[&t("email"), "'|'", &t("last_visit")])
            ),
        ),
        (
            "service_request",
            format!(
                "SELECT {} FROM service_request WHERE email = '{email}' OR alt_email = '{email}'",
                t("id")
            ),
        ),
        (
            "report",
            format!("SELECT {} FROM report WHERE email = '{email}'", t("id")),
        ),
        (
            "address",
            format!(
                "SELECT {} FROM customer WHERE email = '{email}' \
                 UNION SELECT {} FROM employee WHERE email = '{email}' \
                 UNION SELECT {} FROM orders WHERE customer_id IN ({customers}) \
                 UNION SELECT {} FROM payment_card WHERE customer_id IN ({customers})",
                t("address_id"),
                t("address_id"),
                t("shipping_address_id"),
                t("billing_address_id")
            ),
        ),
    ]
}

fn chinook_copy() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let copy = temp.path().join("chinook.sqlite");
    std::fs::copy(
        common::datasets().join("chinook/Chinook_Sqlite.sqlite"),
        &copy,
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    (temp, copy)
}

#[test]
fn chinook_customer_on_sqlite_keeps_held_invoices() {
    let (_temp, copy) = chinook_copy();
    let url = format!("sqlite://{}", copy.display());
    let receipt = erase_dataset(
        &dataset("chinook/sqlite"),
        ("CHINOOK_SQLITE_URL", &url),
        "email:luisg@embraer.com.br",
        &|| common::sqlite_dump(&copy),
        &|| {
            queries(
                &|sql| common::sqlite_strings(&copy, sql),
                &chinook_customer_sql(CHINOOK_CAMEL, "TEXT", "luisg@embraer.com.br"),
            )
        },
    );
    let text = receipt.to_string().to_lowercase();
    assert!(text.contains("tax"), "{text}");
    // The invoices and their lines stay (tax hold); the customer row stays pseudonymised.
    let invoices = common::sqlite_strings(
        &copy,
        "SELECT CAST(COUNT(*) AS TEXT) FROM Invoice WHERE CustomerId = 1",
    );
    assert_eq!(invoices[0], "7");
    let lines = common::sqlite_strings(
        &copy,
        "SELECT CAST(COUNT(*) AS TEXT) FROM InvoiceLine l JOIN Invoice i ON i.InvoiceId = l.InvoiceId WHERE i.CustomerId = 1",
    );
    assert_eq!(lines[0], "38");
    let email = common::sqlite_strings(&copy, "SELECT Email FROM Customer WHERE CustomerId = 1");
    assert!(email[0].starts_with("hmac:"), "{email:?}");
}

#[test]
fn chinook_employee_on_sqlite_is_masked_and_their_customers_untouched() {
    let (_temp, copy) = chinook_copy();
    let url = format!("sqlite://{}", copy.display());
    erase_dataset(
        &dataset("chinook/sqlite"),
        ("CHINOOK_SQLITE_URL", &url),
        "email:jane@chinookcorp.com",
        &|| common::sqlite_dump(&copy),
        &|| {
            queries(
                &|sql| common::sqlite_strings(&copy, sql),
                &[(
                    "Employee",
                    "SELECT CAST(EmployeeId AS TEXT) FROM Employee WHERE Email = 'jane@chinookcorp.com'"
                        .to_string(),
                )],
            )
        },
    );
    let reports = common::sqlite_strings(
        &copy,
        "SELECT CAST(COUNT(*) AS TEXT) FROM Employee WHERE ReportsTo = 3",
    );
    assert_eq!(reports[0], "0", "Jane has no reports");
    let supported = common::sqlite_strings(
        &copy,
        "SELECT CAST(COUNT(*) AS TEXT) FROM Customer WHERE SupportRepId = 3",
    );
    assert!(supported[0].parse::<i32>().unwrap() > 0);
    let name = common::sqlite_strings(&copy, "SELECT LastName FROM Employee WHERE EmployeeId = 3");
    assert_eq!(name[0], "[redacted]");
}

#[test]
fn chinook_customer_on_postgres() {
    let Some(db) = TestDatabase::postgres("chinook_customer_on_postgres") else {
        return;
    };
    common::load_script(
        &db,
        &common::datasets().join("chinook/Chinook_PostgreSql.sql"),
    );
    erase_dataset(
        &dataset("chinook/postgres"),
        ("CHINOOK_PG_URL", &db.url),
        "email:luisg@embraer.com.br",
        &|| common::server_dump(&db),
        &|| {
            queries(
                &|sql| common::server_strings(&db, sql),
                &chinook_customer_sql(
                    [
                        "customer",
                        "customer_id",
                        "email",
                        "invoice",
                        "invoice_id",
                        "invoice_line",
                        "invoice_line_id",
                    ],
                    "TEXT",
                    "luisg@embraer.com.br",
                ),
            )
        },
    );
}

#[test]
fn chinook_customer_on_mariadb() {
    let Some(db) = TestDatabase::mysql("chinook_customer_on_mariadb") else {
        return;
    };
    common::load_script(&db, &common::datasets().join("chinook/Chinook_MySql.sql"));
    erase_dataset(
        &dataset("chinook/mysql"),
        ("CHINOOK_MYSQL_URL", &db.url),
        "email:luisg@embraer.com.br",
        &|| common::server_dump(&db),
        &|| {
            queries(
                &|sql| common::server_strings(&db, sql),
                &chinook_customer_sql(CHINOOK_CAMEL, "CHAR", "luisg@embraer.com.br"),
            )
        },
    );
}

#[test]
fn fides_shared_address_on_mariadb() {
    let Some(db) = TestDatabase::mysql("fides_shared_address_on_mariadb") else {
        return;
    };
    common::load_script(
        &db,
        &common::datasets().join("fides-sample/mysql_example.sql"),
    );
    db.execute(
        "INSERT INTO address VALUES (1, 10, 'Main St', 'Springfield', 'IL', '62701'), (2, 20, 'Oak Ave', 'Shelbyville', 'IL', '62565');
         INSERT INTO customer VALUES (1, 'customer-1@example.com', 'Jane Doe', '2024-01-01 10:00:00', 1), (2, 'customer-2@example.com', 'John Roe', '2024-02-01 10:00:00', 1);
         INSERT INTO orders VALUES ('ord_1', 1, 2, NULL), ('ord_2', 2, 1, NULL);
         INSERT INTO order_item VALUES ('ord_1', 1, 1, 2), ('ord_1', 2, 2, 1), ('ord_2', 1, 1, 5);
         INSERT INTO visit VALUES ('customer-1@example.com', '2024-03-01 10:00:00'), ('customer-2@example.com', '2024-03-02 10:00:00');",
    );
    let receipt = erase_dataset(
        &dataset("fides/mysql"),
        ("FIDES_MYSQL_URL", &db.url),
        "email:customer-1@example.com",
        &|| common::server_dump(&db),
        &|| {
            let mut expected = queries(
                &|sql| common::server_strings(&db, sql),
                &fides_sql(
                    "CHAR",
                    &|parts| format!("CONCAT({})", parts.join(", ")),
                    "customer-1@example.com",
                ),
            );
            expected.extend(queries(
                &|sql| common::server_strings(&db, sql),
                &[(
                    "Lead",
                    "SELECT email FROM `Lead` WHERE email = 'customer-1@example.com'".to_string(),
                )],
            ));
            expected
        },
    );
    let address = receipt["sources"][0]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "address")
        .unwrap()
        .clone();
    assert_eq!(
        address["shared"], 1,
        "address 1 is also John's: kept untouched ({address})"
    );
    let dump = common::server_dump(&db);
    let home = dump["address"].iter().find(|a| a["id"] == 1).unwrap();
    assert_eq!(home["street"], "Main St");
    let shipping = dump["address"].iter().find(|a| a["id"] == 2).unwrap();
    assert_eq!(shipping["street"], "[redacted]");
    assert!(
        dump["order_item"].iter().all(|i| i["order_id"] == "ord_2"),
        "composite-key rows of the order are gone"
    );
    assert_eq!(dump["visit"].len(), 1, "e-mail-keyed rows are gone");
}

/// The PostgreSQL sample alone has a table keyed by two columns: customer 1's rows of it.
fn composite_pk_sql() -> (&'static str, String) {
    (
        "composite_pk_test",
        "SELECT CAST(id_a AS TEXT) || '|' || CAST(id_b AS TEXT) FROM composite_pk_test \
         WHERE customer_id IN (SELECT id FROM customer WHERE email = 'customer-1@example.com')"
            .to_string(),
    )
}

#[test]
fn fides_sample_on_postgres() {
    let Some(db) = TestDatabase::postgres("fides_sample_on_postgres_erase") else {
        return;
    };
    common::load_script(
        &db,
        &common::datasets().join("fides-sample/postgres_sample.sql"),
    );
    erase_dataset(
        &dataset("fides/postgres"),
        ("FIDES_PG_URL", &db.url),
        "email:customer-1@example.com",
        &|| common::server_dump(&db),
        &|| {
            let mut list = fides_sql(
                "TEXT",
                &|parts| parts.join(" || "),
                "customer-1@example.com",
            );
            list.push(composite_pk_sql());
            queries(&|sql| common::server_strings(&db, sql), &list)
        },
    );
}

// Provider calls with hostile values and answers ----------------------------------------

/// The demo workspace with every provider retried once (quick failures).
fn demo_with_one_retry() -> Demo {
    let demo = Demo::new();
    let providers = demo.dir.join("policies/providers.toml");
    let text = std::fs::read_to_string(&providers).unwrap();
    std::fs::write(&providers, text.replace("retries = 3", "retries = 1")).unwrap();
    demo
}

fn erase_with(
    demo: &Demo,
    subject: &str,
    env: &[(&str, &str)],
    json: bool,
    code: i32,
) -> common::Run {
    let mut args = vec!["erase", "--subject", subject, "--yes"];
    if json {
        args.extend(["--format", "json"]);
    }
    let mut command = demo.cmd(&args);
    for (name, value) in env {
        command.env(name, value);
    }
    expect(command, code)
}

/// The provider steps of an erasure's JSON output, by step id.
/// The (status, outcome) of one provider's steps, in step order.
fn steps_of<'s>(
    steps: &'s BTreeMap<String, (String, String)>,
    provider: &str,
) -> Vec<&'s (String, String)> {
    let prefix = format!("provider:{provider}:");
    steps
        .iter()
        .filter(|(id, _)| id.starts_with(&prefix))
        .map(|(_, s)| s)
        .collect()
}

fn provider_steps(out: &Value) -> BTreeMap<String, (String, String)> {
    out["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["step_id"].as_str().unwrap().to_string(),
                (
                    p["status"].as_str().unwrap().to_string(),
                    p["outcome"].as_str().unwrap_or_default().to_string(),
                ),
            )
        })
        .collect()
}

#[test]
fn provider_path_values_are_one_segment_and_dot_segments_are_refused() {
    let demo = demo_with_one_retry();
    let subject = demo.samples[0].clone();
    let email = subject.trim_start_matches("email:").to_string();
    // The subject's meetings carry event ids that would walk up the path or add a segment.
    let crm = demo.dir.join("data/crm.db");
    let meetings = common::sqlite_strings(
        &crm,
        &format!(
            "SELECT CAST(m.id AS TEXT) FROM meetings m JOIN clients c ON c.id = m.client_id WHERE c.email = '{email}' ORDER BY m.id"
        ),
    );
    assert_eq!(meetings.len(), 3);
    let client = &common::sqlite_strings(
        &crm,
        &format!("SELECT CAST(id AS TEXT) FROM clients WHERE email = '{email}'"),
    )[0];
    common::sqlite_execute(
        &crm,
        &format!(
            "UPDATE meetings SET calendar_event_id = '..' WHERE id = {};
             UPDATE meetings SET calendar_event_id = '%2E%2e' WHERE id = {};
             UPDATE meetings SET calendar_event_id = 'ev/1' WHERE id = {};
             INSERT INTO meetings (client_id, title, starts_at, calendar_event_id, created_at)
             VALUES ({client}, 'Follow-up', '2026-09-01T10:00:00Z', '.', '2026-08-01T10:00:00Z');",
            meetings[0], meetings[1], meetings[2]
        ),
    );
    let calendar = MockProvider::start(|_, _| MockAnswer::raw(204, ""));
    let out = erase_with(
        &demo,
        &subject,
        &[
            ("GOOGLE_CALENDAR_URL", &calendar.url),
            ("GOOGLE_CALENDAR_TOKEN", "cal-secret"),
        ],
        true,
        4,
    )
    .json();
    // Only the value that is a segment was sent, its slash encoded; nothing reached the
    // collection or its parent.
    let called: Vec<String> = calendar
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url))
        .collect();
    assert_eq!(
        called,
        vec!["DELETE /calendars/primary/events/ev%2F1".to_string()]
    );
    let steps = provider_steps(&out);
    let calendar_steps = steps_of(&steps, "google_calendar");
    assert_eq!(calendar_steps.len(), 4, "{steps:?}");
    assert_eq!(
        calendar_steps.iter().filter(|(s, _)| s == "done").count(),
        1,
        "{steps:?}"
    );
    for (status, outcome) in calendar_steps.iter().filter(|(s, _)| s != "done") {
        assert_eq!(status, "failed");
        assert!(
            outcome.contains("google_calendar")
                && outcome.contains("{crm.meetings.calendar_event_id}")
                && outcome.contains("dot segment"),
            "{outcome}"
        );
        assert!(
            !outcome.contains("..") && !outcome.contains("%2E"),
            "{outcome}"
        );
    }
}

#[test]
fn provider_failures_keep_personal_data_and_secrets_out_of_the_record() {
    let demo = demo_with_one_retry();
    let subject = demo.samples.last().unwrap().clone();
    assert!(subject.starts_with("phone:+"));
    // The digits catch the number written plain or percent-encoded (`%2B...`).
    let digits = subject.trim_start_matches("phone:+").to_string();
    let with_password = |url: &str| url.replacen("http://", "http://planted:s3cr3t-pw@", 1);
    let mut printed = String::new();
    // 1. Nothing listens where the base URL points.
    let closed = with_password(&common::closed_url());
    let first = erase_with(
        &demo,
        &subject,
        &[
            ("GREEN_API_URL", &closed),
            ("GREEN_API_TOKEN", "green-token"),
        ],
        false,
        4,
    );
    printed.push_str(&first.stdout);
    printed.push_str(&first.stderr);
    assert!(
        first.stderr.contains("green_api") && first.stderr.contains("cannot connect"),
        "{}",
        first.stderr
    );
    // 2. The provider answers 500 (the run resumes and calls again).
    let green = MockProvider::start(|_, _| MockAnswer::raw(500, "down"));
    let url = with_password(&green.url);
    let second = erase_with(
        &demo,
        &subject,
        &[("GREEN_API_URL", &url), ("GREEN_API_TOKEN", "green-token")],
        true,
        4,
    );
    printed.push_str(&second.stdout);
    printed.push_str(&second.stderr);
    assert_eq!(green.requests().len(), 2, "one retry");
    let steps = provider_steps(&second.json());
    let (status, outcome) = &steps["provider:green_api:1"];
    assert_eq!(status, "failed");
    assert!(
        outcome.contains("green_api")
            && outcome.contains("DELETE /contacts/{identity.phone}")
            && outcome.contains("500"),
        "{outcome}"
    );
    // 3. The human summary of the same state.
    let third = erase_with(
        &demo,
        &subject,
        &[("GREEN_API_URL", &url), ("GREEN_API_TOKEN", "green-token")],
        false,
        4,
    );
    printed.push_str(&third.stdout);
    printed.push_str(&third.stderr);

    let audit = expect(demo.cmd(&["audit", "log", "--format", "json"]), 0).stdout;
    assert!(audit.contains("erase.provider"));
    let state = demo.dir.join(".privops/state.db");
    // The journal (a step's plan keeps the values it calls with until it is done).
    let journal = common::sqlite_strings(
        &state,
        "SELECT step_id || ' ' || description || ' ' || COALESCE(outcome, '') FROM erasure_steps
         UNION ALL SELECT COALESCE(receipt, '') FROM erasure_runs",
    )
    .join("\n");
    assert!(journal.contains("answered 500"), "{journal}");
    let mut receipts = String::new();
    for entry in std::fs::read_dir(demo.dir.join(".privops/receipts")).unwrap() {
        receipts.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    assert!(receipts.contains("green_api"));
    for (place, text) in [
        ("output", &printed),
        ("audit trail", &audit),
        ("journal", &journal),
        ("receipts", &receipts),
    ] {
        for planted in [digits.as_str(), "s3cr3t-pw", "planted", "green-token"] {
            assert!(
                !text.contains(planted),
                "{place} holds `{planted}`:\n{text}"
            );
        }
    }
}

#[test]
fn a_provider_base_url_that_does_not_parse_names_the_provider_and_variable() {
    let demo = demo_with_one_retry();
    let subject = demo.samples.last().unwrap().clone();
    for bad in [
        "http://planted:s3cr3t-pw@127.0.0.1:99999",
        "planted s3cr3t-pw",
        "ftp://planted:s3cr3t-pw@127.0.0.1/",
    ] {
        let out = erase_with(
            &demo,
            &subject,
            &[("GREEN_API_URL", bad), ("GREEN_API_TOKEN", "green-token")],
            true,
            4,
        );
        let steps = provider_steps(&out.json());
        let (status, outcome) = &steps["provider:green_api:1"];
        assert_eq!(status, "failed");
        assert!(
            outcome.contains("green_api")
                && outcome.contains("GREEN_API_URL")
                && !outcome.contains("builder error"),
            "{outcome}"
        );
        for text in [&out.stdout, &out.stderr] {
            assert!(
                !text.contains("s3cr3t-pw") && !text.contains("planted"),
                "{text}"
            );
        }
    }
}

#[test]
fn redirects_stay_on_the_provider_origin() {
    let demo = demo_with_one_retry();
    // Another origin (a second server on 127.0.0.1) must receive nothing.
    let elsewhere = MockProvider::start(|_, _| MockAnswer::raw(204, ""));
    let target = format!("{}/contacts/anyone", elsewhere.url);
    let green = MockProvider::start(move |_, _| MockAnswer::redirect(302, &target));
    let phone = demo.samples.last().unwrap().clone();
    let out = erase_with(
        &demo,
        &phone,
        &[
            ("GREEN_API_URL", &green.url),
            ("GREEN_API_TOKEN", "green-token"),
        ],
        true,
        4,
    )
    .json();
    assert!(
        elsewhere.requests().is_empty(),
        "{:?}",
        elsewhere.requests()
    );
    let steps = provider_steps(&out);
    let (status, outcome) = &steps["provider:green_api:1"];
    assert_eq!(status, "failed", "a redirect elsewhere is not an erasure");
    assert!(outcome.contains("another origin"), "{outcome}");
    assert!(!outcome.contains(&elsewhere.url), "{outcome}");

    // Same origin: redirects are followed with the method and credentials, and no
    // Referer (it would carry the path, here an event id) is sent.
    let subject = demo.samples[0].clone();
    let email = subject.trim_start_matches("email:").to_string();
    let event_ids = common::sqlite_strings(
        &demo.dir.join("data/crm.db"),
        &format!(
            "SELECT DISTINCT m.calendar_event_id FROM meetings m JOIN clients c ON c.id = m.client_id WHERE c.email = '{email}' ORDER BY 1"
        ),
    );
    assert!(event_ids.len() >= 2);
    let first = event_ids[0].clone();
    let calendar = MockProvider::start(move |request, _| {
        let id = request.url.rsplit('/').next().unwrap().to_string();
        if request.url.starts_with("/moved/") {
            MockAnswer::raw(204, "")
        } else if id == first {
            MockAnswer::redirect(302, &format!("/moved/{id}"))
        } else {
            MockAnswer::redirect(307, &format!("/moved/{id}"))
        }
    });
    let out = erase_with(
        &demo,
        &subject,
        &[
            ("GOOGLE_CALENDAR_URL", &calendar.url),
            ("GOOGLE_CALENDAR_TOKEN", "cal-secret"),
        ],
        true,
        4,
    )
    .json();
    let steps = provider_steps(&out);
    let calendar_steps = steps_of(&steps, "google_calendar");
    assert_eq!(calendar_steps.len(), event_ids.len());
    assert!(
        calendar_steps.iter().all(|(s, _)| s == "done"),
        "{calendar_steps:?}"
    );
    let moved: Vec<common::MockRequest> = calendar
        .requests()
        .into_iter()
        .filter(|r| r.url.starts_with("/moved/"))
        .collect();
    assert_eq!(moved.len(), event_ids.len(), "{moved:?}");
    for request in &moved {
        assert_eq!(request.method, "DELETE");
        assert_eq!(request.authorization.as_deref(), Some("Bearer cal-secret"));
        assert_eq!(request.header("referer"), None, "{request:?}");
    }
}

#[test]
fn a_silent_provider_costs_one_deadline() {
    let demo = demo_with_one_retry();
    let providers = demo.dir.join("policies/providers.toml");
    let text = std::fs::read_to_string(&providers).unwrap();
    std::fs::write(
        &providers,
        text.replace("retries = 1", "retries = 3")
            .replace("timeout = \"30s\"", "timeout = \"1s\""),
    )
    .unwrap();
    let silent = common::SilentProvider::start();
    let subject = demo.samples[0].clone();
    let out = erase_with(
        &demo,
        &subject,
        &[
            ("GOOGLE_CALENDAR_URL", &silent.url),
            ("GOOGLE_CALENDAR_TOKEN", "cal-secret"),
        ],
        true,
        4,
    )
    .json();
    let steps = provider_steps(&out);
    let calendar_steps = steps_of(&steps, "google_calendar");
    assert!(calendar_steps.len() >= 2, "{steps:?}");
    assert!(
        calendar_steps.iter().all(|(s, _)| s == "failed"),
        "{steps:?}"
    );
    assert!(
        calendar_steps[0].1.contains("timed out") && calendar_steps[0].1.contains("1s"),
        "{steps:?}"
    );
    assert!(
        calendar_steps[1..]
            .iter()
            .all(|(_, o)| o.contains("not called")),
        "{steps:?}"
    );
    // One attempt: no retry after the deadline, no call for the other events.
    assert_eq!(silent.connections(), 1);
}

/// The erase summary says, for each manual task, the exact command that confirms it; the
/// command works as printed.
#[test]
fn the_summary_prints_the_command_that_confirms_each_manual_task() {
    let demo = Demo::new();
    let subject = demo.samples[0].clone();
    let summary = expect(demo.cmd(&["erase", "--subject", &subject, "--yes"]), 4).stdout;
    let commands: Vec<Vec<String>> = summary
        .lines()
        .filter_map(|l| l.trim().strip_prefix("when done: privops "))
        .map(|c| c.split_whitespace().map(String::from).collect())
        .collect();
    assert!(!commands.is_empty(), "{summary}");
    for command in &commands {
        assert_eq!(
            command[..2],
            ["request".to_string(), "confirm-manual".to_string()]
        );
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        let confirmed = common::run(demo.cmd(&args));
        assert!(
            matches!(confirmed.code, 0 | 4),
            "{args:?}: {}",
            confirmed.stderr
        );
    }
}

/// Ctrl-C during an erasure exits 130 and leaves the journal consistent; the next run takes
/// over the interrupted run's leases (its process is gone) and ends where an uninterrupted
/// twin ends.
#[test]
fn an_interrupted_erasure_exits_130_and_the_next_run_finishes_it() {
    let demo = Demo::new();
    let subject = demo.samples[0].clone();
    expect(demo.cmd(&["consent", "history", "--subject", &subject]), 0);
    let twin_dir = demo.temp.path().join("twin");
    common::copy_tree(&demo.dir, &twin_dir);
    let mut twin = common::privops(&twin_dir);
    twin.args(["erase", "--subject", &subject, "--yes", "--quiet"]);
    expect(twin, 4);

    let mut command = demo.cmd(&["erase", "--subject", &subject, "--yes"]);
    command
        .env("PRIVOPS_FAILPOINT", "pause:before-source:messaging")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = command.spawn().unwrap();
    // Wait until the run is paused inside its second source (its attempt is journaled).
    let state = demo.dir.join(".privops/state.db");
    let paused = (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        state.exists()
            && common::sqlite_strings(
                &state,
                "SELECT step_id FROM erasure_steps WHERE step_id = 'source:messaging' AND outcome LIKE '%attempt%'",
            )
            .len()
                == 1
    });
    assert!(paused, "the run reached the pause");
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    // Its leases were given back on the way out, not left to expire.
    assert_eq!(
        common::sqlite_strings(&state, "SELECT name FROM locks"),
        Vec::<String>::new(),
        "the interrupted run released its locks"
    );

    expect(demo.cmd(&["erase", "--subject", &subject, "--yes"]), 4);
    let mut twin_dump = common::sqlite_dump(&twin_dir.join("data/crm.db"));
    twin_dump.extend(common::sqlite_dump(&twin_dir.join("data/messaging.db")));
    assert_eq!(demo_dump(&demo), twin_dump);
}

/// On PostgreSQL the columns of every table the policy names are read from the catalogue
/// in one statement: a table in another schema is read from that schema, not from a
/// table of the same name in the default one, and a table that is not there is named.
#[test]
fn tables_in_another_schema_are_read_from_it_on_postgres() {
    let schema = "CREATE SCHEMA crm;\n\
         CREATE TABLE crm.people (id BIGINT PRIMARY KEY, email TEXT NOT NULL, phone TEXT);\n\
         CREATE TABLE people (id TEXT PRIMARY KEY, label TEXT);\n\
         CREATE TABLE orders (id BIGINT PRIMARY KEY, person_id BIGINT, item TEXT);\n\
         INSERT INTO crm.people VALUES (1, 'ann@example.com', '555-0101'), (2, 'bob@example.com', '555-0102');\n\
         INSERT INTO people VALUES ('1', 'not a person'), ('2', 'not one either');\n\
         INSERT INTO orders VALUES (10, 1, 'tea'), (11, 2, 'coffee'), (12, 1, 'cake');\n";
    let policy = |extra: &str| {
        format!(
            r#"
[controller]
organisation = "Test Org"
dpo = {{ name = "D. P. O.", email = "dpo@example.com" }}

[[identity]]
kind = "email"
normalise = "email"

[[purpose]]
id = "service"
title = "Service"
basis = "contract"

[source]
id = "app"
engine = "postgres"
url_env = "APP_DATABASE_URL"

[[table]]
name = "crm.people"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}
phone = "user.contact.phone_number"

[[table]]
name = "orders"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
person_id = "system.operations"
item = "user.content.message"
[[table.relation]]
columns = ["person_id"]
references = "crm.people"
{extra}"#
        )
    };
    let Some(app) = common::Fixture::new(
        "postgres",
        "tables_in_another_schema",
        schema,
        &policy(""),
        &[],
    ) else {
        return;
    };
    expect(
        app.cmd(&["erase", "--yes", "--subject", "email:ann@example.com"]),
        0,
    );
    // The oracle: Ann's rows by hand, everything else as it was.
    assert_eq!(
        app.strings("SELECT id::text FROM crm.people ORDER BY id"),
        vec!["2"]
    );
    assert_eq!(
        app.strings("SELECT id::text || ' ' || item FROM orders ORDER BY id"),
        vec!["11 coffee"]
    );
    assert_eq!(
        app.strings("SELECT id || ' ' || label FROM public.people ORDER BY id"),
        vec!["1 not a person", "2 not one either"]
    );

    // A table the policy names and the database lacks is named, read with the others.
    std::fs::write(
        app.dir().join("policies").join("policy.toml"),
        policy(
            "\n[[table]]\nname = \"crm.notes\"\nkey = [\"id\"]\nerase = \"delete\"\n[table.columns]\nid = \"system.operations\"\nbody = \"user.content.message\"\nperson_id = \"system.operations\"\n[[table.relation]]\ncolumns = [\"person_id\"]\nreferences = \"crm.people\"\n",
        ),
    )
    .unwrap();
    let output = app
        .cmd(&["erase", "--dry-run", "--subject", "email:bob@example.com"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("crm.notes") && stderr.contains("does not exist"),
        "{stderr}"
    );
    assert_eq!(
        app.strings("SELECT id::text FROM crm.people ORDER BY id"),
        vec!["2"]
    );
}

// Subjects with more rows than one statement of some engines takes ----------------------

/// `n` more rows for each of customers 1 and 2 in the Fides sample's `login`,
/// `payment_card`, `orders` and `service_request`, as one multi-row INSERT per table
/// (written the same for PostgreSQL and MariaDB).
fn grow_fides(db: &TestDatabase, n: usize) {
    let rows = |each: &dyn Fn(usize, usize) -> String| {
        (1..=2)
            .flat_map(|customer| (1..=n).map(move |i| (customer, i)))
            .map(|(customer, i)| each(customer, i))
            .collect::<Vec<_>>()
            .join(", ")
    };
    db.execute(&format!(
        "INSERT INTO login (id, customer_id, time) VALUES {};
         INSERT INTO payment_card (id, name, ccn, code, preferred, customer_id, billing_address_id) VALUES {};
         INSERT INTO orders (id, customer_id, shipping_address_id, payment_card_id) VALUES {};
         INSERT INTO service_request (id, email, alt_email, opened, closed, employee_id) VALUES {};",
        rows(&|c, i| format!("({}, {c}, '2023-01-01 10:00:00')", c * 100_000 + i)),
        rows(&|c, i| format!("('c{c}_pay_{i}', 'Card {i}', {}, 1, false, {c}, 1)", 5_000_000_000_u64 + i as u64)),
        rows(&|c, i| format!("('c{c}_ord_{i}', {c}, 1, 'c{c}_pay_{i}')")),
        rows(&|c, i| format!("('c{c}_ser_{i}', 'customer-{c}@example.com', NULL, '2023-01-01', NULL, 1)")),
    ));
}

/// Erases customer 1 of a Fides sample grown by 2,500 rows per table for customers 1
/// and 2, with `login` masked rather than deleted. The invariant holds (decided by
/// hand-written SQL), hand-written counts find none of customer 1's rows left unmasked
/// and all of customer 2's intact; rows chosen by key go a thousand a statement.
/// `extra` adds tables of the engine's sample to those [`fides_sql`] finds. Returns the
/// statements of `login` and of `payment_card` in the plan.
fn erase_grown_fides(
    db: &TestDatabase,
    policy_folder: &str,
    env: &str,
    text: &str,
    concat: &dyn Fn(&[&str]) -> String,
    extra: &[(&'static str, String)],
) -> (usize, usize) {
    let policy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dataset(policy_folder)).unwrap() {
        let path = entry.unwrap().path();
        let mut content = std::fs::read_to_string(&path).unwrap();
        if path.file_name().unwrap() == "source.toml" {
            let login = content.find("name = \"login\"").unwrap();
            let erase = login + content[login..].find("erase = \"delete\"").unwrap();
            content.replace_range(
                erase..erase + "erase = \"delete\"".len(),
                "erase = \"mask\"",
            );
            let time = login + content[login..].find("time = \"user.behavior\"").unwrap();
            content.replace_range(
                time..time + "time = \"user.behavior\"".len(),
                "time = { category = \"user.behavior\", mask = \"null\" }",
            );
        }
        std::fs::write(policy.path().join(path.file_name().unwrap()), content).unwrap();
    }
    grow_fides(db, 2_500);
    let count = |sql: &str| {
        common::server_strings(db, &format!("SELECT CAST(COUNT(*) AS {text}) FROM {sql}"))[0]
            .clone()
    };
    let theirs_before = [
        count("login WHERE customer_id = 2 AND time IS NOT NULL"),
        count("payment_card WHERE customer_id = 2"),
        count("service_request WHERE email = 'customer-2@example.com'"),
    ];
    let logins = count("login WHERE customer_id = 1");

    let workspace = tempfile::tempdir().unwrap();
    let mut plan = common::privops(workspace.path());
    plan.args([
        "erase",
        "--subject",
        "email:customer-1@example.com",
        "--dry-run",
    ])
    .args(["--format", "json", "--policy"])
    .arg(policy.path())
    .args([
        "--state",
        workspace.path().join("state.db").to_str().unwrap(),
    ])
    .env(env, &db.url)
    .env("PRIVOPS_SUBJECT_KEY", common::SUBJECT_KEY);
    common::init_like(&plan);
    let plan = expect(plan, 0).json();
    let statements = |table: &str| {
        let tables = plan["sources"][0]["tables"].as_array().unwrap();
        let table = tables.iter().find(|t| t["table"] == table).unwrap();
        table["statements"].as_array().unwrap().len()
    };
    let counted = (statements("login"), statements("payment_card"));

    erase_dataset(
        policy.path(),
        (env, &db.url),
        "email:customer-1@example.com",
        &|| common::server_dump(db),
        &|| {
            let mut list = fides_sql(text, concat, "customer-1@example.com");
            list.extend(extra.iter().cloned());
            queries(&|sql| common::server_strings(db, sql), &list)
        },
    );
    assert_eq!(
        count("login WHERE customer_id = 1 AND time IS NOT NULL"),
        "0"
    );
    assert_eq!(
        count("login WHERE customer_id = 1"),
        logins,
        "masked, not deleted"
    );
    assert_eq!(count("payment_card WHERE customer_id = 1"), "0");
    assert_eq!(count("orders WHERE customer_id = 1"), "0");
    assert_eq!(
        count(
            "service_request WHERE email = 'customer-1@example.com' OR alt_email = 'customer-1@example.com'"
        ),
        "0"
    );
    let theirs_after = [
        count("login WHERE customer_id = 2 AND time IS NOT NULL"),
        count("payment_card WHERE customer_id = 2"),
        count("service_request WHERE email = 'customer-2@example.com'"),
    ];
    assert_eq!(theirs_after, theirs_before, "customer 2's rows are intact");
    counted
}

#[test]
fn thousands_of_rows_of_one_subject_on_postgres() {
    let Some(db) = TestDatabase::postgres("thousands_of_rows_on_postgres") else {
        return;
    };
    common::load_script(
        &db,
        &common::datasets().join("fides-sample/postgres_sample.sql"),
    );
    let statements = erase_grown_fides(
        &db,
        "fides/postgres",
        "FIDES_PG_URL",
        "TEXT",
        &|parts| parts.join(" || "),
        &[composite_pk_sql()],
    );
    // `login` is masked as a set, by the relation to the customer: one statement. The
    // deleted payment cards go a thousand keys a statement: 2,501 rows in three.
    assert_eq!(statements, (1, 3));
}

#[test]
fn thousands_of_rows_of_one_subject_on_mariadb() {
    let Some(db) = TestDatabase::mysql("thousands_of_rows_on_mariadb") else {
        return;
    };
    common::load_script(
        &db,
        &common::datasets().join("fides-sample/mysql_example.sql"),
    );
    db.execute(
        "INSERT INTO address VALUES (1, 10, 'Main St', 'Springfield', 'IL', '62701');
         INSERT INTO customer VALUES (1, 'customer-1@example.com', 'Jane Doe', '2024-01-01 10:00:00', 1), (2, 'customer-2@example.com', 'John Roe', '2024-02-01 10:00:00', 1);
         INSERT INTO login VALUES (1, 1, '2024-03-01 10:00:00');
         INSERT INTO payment_card VALUES ('pay_1', 'Jane', 4000000000, 123, true, 1, 1);",
    );
    let statements = erase_grown_fides(
        &db,
        "fides/mysql",
        "FIDES_MYSQL_URL",
        "CHAR",
        &|parts| format!("CONCAT({})", parts.join(", ")),
        &[],
    );
    // `login` as a set, one statement; payment cards by key, 2,501 rows in three.
    assert_eq!(statements, (1, 3));
}

// Tables reached as a set ----------------------------------------------------------------

/// Members (erase = "delete"), their trips, each trip's legs (a composite key) and each
/// leg's notes (a composite relation), all three masked: the trips, legs and notes are
/// reached as sets, three levels deep, and member 1's member row is masked instead of
/// deleted because their trips stay and point at it. Member 2 shares nothing with member
/// 1 but a leg's place text and a note's text.
const TRIPS_SCHEMA: &str = "
CREATE TABLE member (id INTEGER PRIMARY KEY, email VARCHAR(100), name VARCHAR(100));
CREATE TABLE trip (id VARCHAR(20) PRIMARY KEY, member_id INTEGER REFERENCES member (id), note VARCHAR(100));
CREATE TABLE leg (trip_id VARCHAR(20) NOT NULL REFERENCES trip (id), leg_no INTEGER NOT NULL, place VARCHAR(100), PRIMARY KEY (trip_id, leg_no));
CREATE TABLE leg_note (trip_id VARCHAR(20) NOT NULL, leg_no INTEGER NOT NULL, seq INTEGER NOT NULL, body VARCHAR(100), PRIMARY KEY (trip_id, leg_no, seq), FOREIGN KEY (trip_id, leg_no) REFERENCES leg (trip_id, leg_no));
INSERT INTO member VALUES (1, 'a@example.com', 'Ann'), (2, 'b@example.com', 'Bob');
INSERT INTO trip VALUES ('t1', 1, 'to the sea'), ('t2', 1, 'to the hills'), ('t3', 1, NULL), ('u1', 2, 'to the sea');
INSERT INTO leg VALUES ('t1', 1, 'Brest'), ('t1', 2, 'Quimper'), ('t2', 1, 'Lyon'), ('u1', 1, 'Brest'), ('u1', 2, 'Quimper');
INSERT INTO leg_note VALUES ('t1', 1, 1, 'rain'), ('t1', 1, 2, 'sun'), ('t1', 2, 1, 'wind'), ('t2', 1, 1, 'snow'), ('u1', 1, 1, 'rain'), ('u1', 2, 1, 'wind');
";

fn trips_policy(engine: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = common::policy_head(engine)
        + r#"
[[table]]
name = "member"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
name = "user.name"

[[table]]
name = "trip"
key = ["id"]
erase = "mask"
[table.columns]
id = "system.operations"
member_id = "system.operations"
note = { category = "user.content", mask = "null" }
[[table.relation]]
columns = ["member_id"]
references = "member"

[[table]]
name = "leg"
key = ["trip_id", "leg_no"]
erase = "mask"
[table.columns]
trip_id = "system.operations"
leg_no = "system.operations"
place = { category = "user.location", mask = "redact" }
[[table.relation]]
columns = ["trip_id"]
references = "trip"

[[table]]
name = "leg_note"
key = ["trip_id", "leg_no", "seq"]
erase = "mask"
[table.columns]
trip_id = "system.operations"
leg_no = "system.operations"
seq = "system.operations"
body = { category = "user.content", mask = "null" }
[[table.relation]]
columns = ["trip_id", "leg_no"]
references = "leg"
"#;
    std::fs::write(dir.path().join("policy.toml"), text).unwrap();
    dir
}

/// Member 1's rows, by hand-written SQL (`concat` joins key columns cast to text).
fn trips_sql(text: &str, concat: &dyn Fn(&[&str]) -> String) -> Vec<(&'static str, String)> {
    let id = |c: &str| format!("CAST({c} AS {text})");
    vec![
        (
            "member",
            format!(
                "SELECT {} FROM member WHERE email = 'a@example.com'",
                id("id")
            ),
        ),
        (
            "trip",
            "SELECT id FROM trip WHERE member_id = 1".to_string(),
        ),
        (
            "leg",
            format!(
                "SELECT {} FROM leg l JOIN trip t ON t.id = l.trip_id WHERE t.member_id = 1",
                concat(&["l.trip_id", "'|'", &id("l.leg_no")])
            ),
        ),
        (
            "leg_note",
            format!(
                "SELECT {} FROM leg_note n JOIN trip t ON t.id = n.trip_id WHERE t.member_id = 1",
                concat(&["n.trip_id", "'|'", &id("n.leg_no"), "'|'", &id("n.seq")])
            ),
        ),
    ]
}

/// The tables of member 1's erasure planned by a dry run, as `--format json` gives them.
fn planned_tables(policy: &Path, url: &str) -> Vec<Value> {
    let workspace = tempfile::tempdir().unwrap();
    let mut plan = common::privops(workspace.path());
    plan.args(["erase", "--subject", "email:a@example.com", "--dry-run"])
        .args(["--format", "json", "--policy"])
        .arg(policy)
        .args([
            "--state",
            workspace.path().join("state.db").to_str().unwrap(),
        ])
        .env("APP_DATABASE_URL", url)
        .env("PRIVOPS_SUBJECT_KEY", common::SUBJECT_KEY);
    common::init_like(&plan);
    let plan = expect(plan, 0).json();
    plan["sources"][0]["tables"].as_array().unwrap().clone()
}

/// Erases member 1 with trips, legs and notes erased as `erase` says ("mask" or
/// "delete") and checks, beyond the invariant: the plan's counts are those of hand-written
/// SQL; each of those tables is changed by one statement that chooses rows through the
/// relations (no row key bound); masked, they keep member 1's row (masked, with the
/// reason); deleted, it goes with them; member 2's rows are untouched.
fn erase_trips(
    engine: &str,
    url: &str,
    dump: &dyn Fn() -> Dump,
    strings: &dyn Fn(&str) -> Vec<String>,
    text: &str,
    concat: &dyn Fn(&[&str]) -> String,
    erase: &str,
) {
    let policy = trips_policy(engine);
    let file = policy.path().join("policy.toml");
    let written = std::fs::read_to_string(&file)
        .unwrap()
        .replace("erase = \"mask\"", &format!("erase = \"{erase}\""));
    std::fs::write(&file, written).unwrap();
    let deleted = erase == "delete";
    let tables = planned_tables(policy.path(), url);
    let table = |name: &str| tables.iter().find(|t| t["table"] == name).unwrap().clone();
    let count =
        |sql: &str| strings(&format!("SELECT CAST(COUNT(*) AS {text}) FROM {sql}"))[0].clone();
    for (name, expected) in [
        ("trip", count("trip WHERE member_id = 1")),
        (
            "leg",
            count("leg l JOIN trip t ON t.id = l.trip_id WHERE t.member_id = 1"),
        ),
        (
            "leg_note",
            count("leg_note n JOIN trip t ON t.id = n.trip_id WHERE t.member_id = 1"),
        ),
    ] {
        let planned = table(name);
        let (changed, verb) = if deleted {
            ("delete", "DELETE")
        } else {
            ("scrub", "UPDATE")
        };
        assert_eq!(planned["found"].to_string(), expected, "{name}: {planned}");
        assert_eq!(planned[changed].to_string(), expected, "{name}: {planned}");
        let statements = planned["statements"].as_array().unwrap();
        assert_eq!(statements.len(), 1, "{name}: {planned}");
        let statement = statements[0].as_str().unwrap();
        assert!(statement.starts_with(verb), "{statement}");
        // Chosen by the relation to the member, not by this table's keys.
        assert!(statement.contains("member_id"), "{statement}");
        if name != "trip" {
            assert!(statement.contains("IN (SELECT"), "{statement}");
        }
    }
    let member = table("member");
    if deleted {
        assert_eq!(member["delete"], 1, "{member}");
    } else {
        assert_eq!(member["delete"], 0, "{member}");
        assert_eq!(member["scrub"], 1, "{member}");
        assert!(
            member["notes"].to_string().contains("still reference them"),
            "{member}"
        );
    }

    erase_dataset(
        policy.path(),
        ("APP_DATABASE_URL", url),
        "email:a@example.com",
        dump,
        &|| queries(strings, &trips_sql(text, concat)),
    );
    let (member, trips, legs, notes) = if deleted {
        (
            "member WHERE id = 1",
            "trip WHERE id IN ('t1', 't2', 't3')",
            "leg WHERE trip_id IN ('t1', 't2')",
            "leg_note WHERE trip_id IN ('t1', 't2')",
        )
    } else {
        (
            "member WHERE id = 1 AND (email NOT LIKE 'hmac:%' OR name <> '[redacted]')",
            "trip WHERE member_id = 1 AND note IS NOT NULL",
            "leg WHERE trip_id IN ('t1', 't2') AND place <> '[redacted]'",
            "leg_note WHERE trip_id IN ('t1', 't2') AND body IS NOT NULL",
        )
    };
    for left in [member, trips, legs, notes] {
        assert_eq!(count(left), "0", "{left}");
    }
    assert_eq!(
        count("member WHERE id = 1"),
        if deleted { "0" } else { "1" },
        "kept, masked, where rows that stay point at it"
    );
    assert_eq!(
        [
            "member WHERE id = 2 AND email = 'b@example.com'",
            "trip WHERE member_id = 2 AND note = 'to the sea'",
            "leg WHERE trip_id = 'u1'",
        ]
        .map(count),
        ["1", "1", "2"],
        "member 2's rows are all there"
    );
    assert_eq!(
        strings("SELECT body FROM leg_note WHERE trip_id = 'u1' ORDER BY leg_no"),
        ["rain", "wind"],
        "member 2's notes are theirs"
    );
}

#[test]
fn tables_reached_as_sets_on_sqlite() {
    for erase in ["mask", "delete"] {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("trips.db");
        common::sqlite_execute_new(&path, TRIPS_SCHEMA);
        erase_trips(
            "sqlite",
            &format!("sqlite://{}", path.display()),
            &|| common::sqlite_dump(&path),
            &|sql| common::sqlite_strings(&path, sql),
            "TEXT",
            &|parts| parts.join(" || "),
            erase,
        );
    }
}

/// [`erase_trips`] both ways on a server, each on a database of its own.
fn trips_on_server(
    engine: &str,
    open: &dyn Fn(&str) -> Option<TestDatabase>,
    text: &str,
    concat: &dyn Fn(&[&str]) -> String,
) {
    for erase in ["mask", "delete"] {
        let Some(db) = open(&format!("tables_reached_as_sets_{erase}")) else {
            return;
        };
        db.execute(TRIPS_SCHEMA);
        erase_trips(
            engine,
            &db.url,
            &|| common::server_dump(&db),
            &|sql| common::server_strings(&db, sql),
            text,
            concat,
            erase,
        );
    }
}

#[test]
fn tables_reached_as_sets_on_postgres() {
    trips_on_server("postgres", &TestDatabase::postgres, "TEXT", &|parts| {
        parts.join(" || ")
    });
}

#[test]
fn tables_reached_as_sets_on_mariadb() {
    // A number cast to plain CHAR reads as binary here.
    trips_on_server(
        "mysql",
        &TestDatabase::mysql,
        "CHAR CHARACTER SET utf8mb4",
        &|parts| format!("CONCAT({})", parts.join(", ")),
    );
}

/// A workspace of its own that erases the subjects of a list from the source at `url`
/// under the policy in `policy`: its state store made by `init`.
struct ListRun<'a> {
    dir: &'a Path,
    policy: &'a Path,
    url: &'a str,
    list: PathBuf,
}

impl<'a> ListRun<'a> {
    fn new(dir: &'a Path, policy: &'a Path, url: &'a str, subjects: &[String]) -> ListRun<'a> {
        let list = dir.join("leaving.txt");
        std::fs::write(
            &list,
            subjects
                .iter()
                .map(|s| format!("{s}\n"))
                .collect::<String>(),
        )
        .unwrap();
        let run = ListRun {
            dir,
            policy,
            url,
            list,
        };
        common::init_like(&run.command(&[]));
        run
    }

    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = common::privops(self.dir);
        command
            .args(args)
            .arg("--policy")
            .arg(self.policy)
            .args(["--state", self.dir.join("state.db").to_str().unwrap()])
            .env("APP_DATABASE_URL", self.url)
            .env("PRIVOPS_SUBJECT_KEY", common::SUBJECT_KEY);
        command
    }

    /// `erase --subjects-file` with `extra` (`--dry-run` or `--yes`), as JSON.
    fn erase(&self, extra: &str) -> Value {
        let list = self.list.to_str().unwrap();
        let args = ["erase", "--subjects-file", list, extra, "--format", "json"];
        expect(self.command(&args), 0).json()
    }

    /// The tables of the first source, as the dry run plans them.
    fn planned(&self) -> Vec<Value> {
        self.erase("--dry-run")["sources"][0]["tables"]
            .as_array()
            .unwrap()
            .clone()
    }
}

/// Two members found by two lookups of one run (member 1 by e-mail, member 2 by user
/// name), their trips masked and the legs and notes below them deleted, each as a set: a
/// masked set above deleted sets, fed by both lookups. Member 3 shares place and note
/// texts with them and keeps every row. What must change is decided by hand-written SQL.
const MIXED_SETS_SCHEMA: &str = "
CREATE TABLE member (id INTEGER PRIMARY KEY, email VARCHAR(100), handle VARCHAR(100), name VARCHAR(100));
CREATE TABLE trip (id VARCHAR(20) PRIMARY KEY, member_id INTEGER REFERENCES member (id), note VARCHAR(100));
CREATE TABLE leg (trip_id VARCHAR(20) NOT NULL REFERENCES trip (id), leg_no INTEGER NOT NULL, place VARCHAR(100), PRIMARY KEY (trip_id, leg_no));
CREATE TABLE leg_note (trip_id VARCHAR(20) NOT NULL, leg_no INTEGER NOT NULL, seq INTEGER NOT NULL, body VARCHAR(100), PRIMARY KEY (trip_id, leg_no, seq), FOREIGN KEY (trip_id, leg_no) REFERENCES leg (trip_id, leg_no));
INSERT INTO member VALUES (1, 'a@example.com', 'ann', 'Ann'), (2, 'b@example.com', 'bob', 'Bob'), (3, 'c@example.com', 'cat', 'Cat');
INSERT INTO trip VALUES ('t1', 1, 'to the sea'), ('t2', 1, 'to the hills'), ('v1', 2, 'to the sea'), ('u1', 3, 'to the sea');
INSERT INTO leg VALUES ('t1', 1, 'Brest'), ('t1', 2, 'Quimper'), ('t2', 1, 'Lyon'), ('v1', 1, 'Brest'), ('v1', 2, 'Lyon'), ('u1', 1, 'Brest');
INSERT INTO leg_note VALUES ('t1', 1, 1, 'rain'), ('t1', 2, 1, 'wind'), ('t2', 1, 1, 'snow'), ('v1', 1, 1, 'rain'), ('v1', 1, 2, 'sun'), ('u1', 1, 1, 'rain');
";

fn mixed_sets(
    engine: &str,
    url: &str,
    strings: &dyn Fn(&str) -> Vec<String>,
    text: &str,
    concat: &dyn Fn(&[&str]) -> String,
) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy");
    std::fs::create_dir(&policy).unwrap();
    let rules = trips_policy(engine);
    let written = std::fs::read_to_string(rules.path().join("policy.toml"))
        .unwrap()
        .replace(
            "email = { category = \"user.contact.email\", identity = \"email\" }",
            "email = { category = \"user.contact.email\", identity = \"email\" }\n\
             handle = { category = \"user.unique_id\", identity = \"username\" }",
        )
        .replace(
            "[source]",
            "[[identity]]\nkind = \"username\"\nnormalise = \"trim\"\n\n[source]",
        );
    // Trips are masked; their legs and the legs' notes are deleted.
    let mut parts = written.split("erase = \"mask\"");
    let written = [
        parts.next().unwrap(),
        "erase = \"mask\"",
        parts.next().unwrap(),
        "erase = \"delete\"",
        parts.next().unwrap(),
        "erase = \"delete\"",
        parts.next().unwrap(),
    ]
    .concat();
    assert!(parts.next().is_none());
    std::fs::write(policy.join("policy.toml"), written).unwrap();
    let subjects = [
        "email:a@example.com".to_string(),
        "username:bob".to_string(),
    ];
    let run = ListRun::new(dir.path(), &policy, url, &subjects);

    // By hand: the members named, their trips, the legs and notes below those trips.
    let members = "(SELECT id FROM member WHERE email = 'a@example.com' OR handle = 'bob')";
    let trips = format!("(SELECT id FROM trip WHERE member_id IN {members})");
    let count =
        |sql: &str| strings(&format!("SELECT CAST(COUNT(*) AS {text}) FROM {sql}"))[0].clone();
    let id = |c: &str| format!("CAST({c} AS {text})");
    let rows = |table: &str, columns: &[&str], filter: &str| {
        let mut found = strings(&format!(
            "SELECT {} FROM {table} WHERE {filter}",
            concat(&columns.iter().flat_map(|c| [*c, "'|'"]).collect::<Vec<_>>())
        ));
        found.sort();
        found
    };
    let member_3 = || {
        [
            rows("member", &[&id("id"), "email", "handle", "name"], "id = 3"),
            rows("trip", &["id", "note"], "member_id = 3"),
            rows(
                "leg",
                &["trip_id", &id("leg_no"), "place"],
                "trip_id = 'u1'",
            ),
            rows(
                "leg_note",
                &["trip_id", &id("leg_no"), &id("seq"), "body"],
                "trip_id = 'u1'",
            ),
        ]
    };
    let untouched = member_3();
    assert_eq!(untouched[2], ["u1|1|Brest|"], "member 3's leg as written");
    let expected = [
        ("trip", count(&format!("trip WHERE id IN {trips}")), "scrub"),
        (
            "leg",
            count(&format!("leg WHERE trip_id IN {trips}")),
            "delete",
        ),
        (
            "leg_note",
            count(&format!("leg_note WHERE trip_id IN {trips}")),
            "delete",
        ),
    ];
    assert_eq!(
        expected.each_ref().map(|e| e.1.as_str()),
        ["3", "5", "5"],
        "the data as written"
    );

    let tables = run.planned();
    for (name, expected, change) in &expected {
        let planned = tables.iter().find(|t| t["table"] == *name).unwrap();
        assert_eq!(planned["found"].to_string(), *expected, "{name}: {planned}");
        assert_eq!(planned[change].to_string(), *expected, "{name}: {planned}");
        let statements = planned["statements"].as_array().unwrap();
        assert_eq!(statements.len(), 1, "{name}, one statement: {planned}");
        let statement = statements[0].as_str().unwrap();
        let verb = if *change == "delete" {
            "DELETE"
        } else {
            "UPDATE"
        };
        assert!(statement.starts_with(verb), "{statement}");
        assert!(
            statement.contains("member_id"),
            "by the relation: {statement}"
        );
    }

    let receipt = run.erase("--yes");
    assert_eq!(receipt["complete"], true, "{receipt}");
    assert_eq!(
        [
            "trip WHERE member_id IN (1, 2)",
            "trip WHERE member_id IN (1, 2) AND note IS NOT NULL",
            "leg WHERE trip_id IN ('t1', 't2', 'v1')",
            "leg_note WHERE trip_id IN ('t1', 't2', 'v1')",
            "member WHERE id IN (1, 2)",
            "member WHERE email IN ('a@example.com', 'b@example.com') \
             OR handle IN ('ann', 'bob') OR name IN ('Ann', 'Bob')",
        ]
        .map(count),
        ["3", "0", "0", "0", "2", "0"],
        "both members' trips stay masked, their legs and notes are gone, and the members \
         stay, masked, where their trips point at them"
    );
    assert_eq!(member_3(), untouched, "member 3's rows are as they were");
}

#[test]
fn a_masked_set_above_deleted_sets_fed_by_two_lookups_on_sqlite() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("trips.db");
    common::sqlite_execute_new(&path, MIXED_SETS_SCHEMA);
    mixed_sets(
        "sqlite",
        &format!("sqlite://{}", path.display()),
        &|sql| common::sqlite_strings(&path, sql),
        "TEXT",
        &|parts| parts.join(" || "),
    );
}

#[test]
fn a_masked_set_above_deleted_sets_fed_by_two_lookups_on_postgres() {
    let Some(db) = TestDatabase::postgres("mixed_sets") else {
        return;
    };
    db.execute(MIXED_SETS_SCHEMA);
    mixed_sets(
        "postgres",
        &db.url,
        &|sql| common::server_strings(&db, sql),
        "TEXT",
        &|parts| parts.join(" || "),
    );
}

#[test]
fn a_masked_set_above_deleted_sets_fed_by_two_lookups_on_mariadb() {
    let Some(db) = TestDatabase::mysql("mixed_sets") else {
        return;
    };
    db.execute(MIXED_SETS_SCHEMA);
    mixed_sets(
        "mysql",
        &db.url,
        &|sql| common::server_strings(&db, sql),
        "CHAR CHARACTER SET utf8mb4",
        &|parts| format!("CONCAT({})", parts.join(", ")),
    );
}

#[test]
fn tables_reached_as_sets_for_many_subjects_on_sqlite() {
    many_subjects_as_sets("mask");
}

/// The same with the legs and their notes deleted, below the masked trips: sets deleted
/// through more than a thousand anchors.
#[test]
fn tables_deleted_as_sets_for_many_subjects_on_sqlite() {
    many_subjects_as_sets("delete");
}

/// 1,500 members leave; their trips are masked as a set, and the legs and notes below
/// are erased as `legs` says ("mask" or "delete").
fn many_subjects_as_sets(legs_erase: &str) {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("trips.db");
    let schema = TRIPS_SCHEMA.split("INSERT").next().unwrap();
    common::sqlite_execute_new(
        &path,
        &format!(
            "{schema}
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
             INSERT INTO member SELECT i, 'm' || i || '@example.com', 'Member ' || i FROM n;
             INSERT INTO trip SELECT 't' || id || '-' || k, id, 'trip ' || k
               FROM member, (SELECT 1 AS k UNION ALL SELECT 2) WHERE id % 7 <> 0;
             INSERT INTO leg SELECT id, 1, 'place of ' || id FROM trip;
             INSERT INTO leg_note SELECT trip_id, leg_no, 1, 'note of ' || trip_id FROM leg;"
        ),
    );
    let policy = trips_policy("sqlite");
    if legs_erase == "delete" {
        // The first `erase = "mask"` is the trips'; the legs' and notes' follow.
        let file = policy.path().join("policy.toml");
        let written = std::fs::read_to_string(&file).unwrap();
        let (trips, below) = written.split_at(written.find("name = \"leg\"").unwrap());
        let below = below.replace("erase = \"mask\"", "erase = \"delete\"");
        std::fs::write(&file, format!("{trips}{below}")).unwrap();
    }
    let url = format!("sqlite://{}", path.display());
    let subjects: Vec<String> = (1..=1500)
        .map(|i| format!("email:m{i}@example.com"))
        .collect();
    let run = ListRun::new(temp.path(), policy.path(), &url, &subjects);
    let count = |sql: &str| {
        common::sqlite_strings(&path, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM {sql}"))[0]
            .clone()
    };
    let leaving = "(SELECT id FROM member WHERE id <= 1500)";
    let trips = format!("trip WHERE member_id IN {leaving}");
    let legs = format!("leg WHERE trip_id IN (SELECT id FROM {trips})");
    let notes = format!("leg_note WHERE trip_id IN (SELECT id FROM {trips})");
    let others_sql = [
        "trip WHERE member_id > 1500 AND note IS NOT NULL",
        "leg WHERE trip_id IN (SELECT id FROM trip WHERE member_id > 1500) AND place LIKE 'place of %'",
        "leg_note WHERE trip_id IN (SELECT id FROM trip WHERE member_id > 1500) AND body LIKE 'note of %'",
        "member WHERE id > 1500 AND email LIKE 'm%@example.com'",
    ];
    let others = others_sql.map(count);

    let tables = run.planned();
    let found =
        |name: &str| tables.iter().find(|t| t["table"] == name).unwrap()["found"].to_string();
    assert_eq!(found("trip"), count(&trips));
    assert_eq!(found("leg"), count(&legs));
    assert_eq!(found("leg_note"), count(&notes));
    assert_eq!(found("trip"), "2572", "2 trips for each of 1,286 members");
    for (name, change) in [
        ("trip", "scrub"),
        (
            "leg",
            if legs_erase == "delete" {
                "delete"
            } else {
                "scrub"
            },
        ),
        (
            "leg_note",
            if legs_erase == "delete" {
                "delete"
            } else {
                "scrub"
            },
        ),
    ] {
        let table = tables.iter().find(|t| t["table"] == name).unwrap();
        assert_eq!(table[change].to_string(), found(name), "{name}: {table}");
        assert_eq!(
            table["statements"].as_array().unwrap().len(),
            2,
            "{name}: 1,286 members with trips, two statements of at most a thousand"
        );
    }

    let receipt = run.erase("--yes");
    assert_eq!(receipt["complete"], true, "{receipt}");
    assert_eq!(count(&format!("{trips} AND note IS NOT NULL")), "0");
    assert_eq!(count(&trips), "2572", "the trips stay, masked");
    if legs_erase == "delete" {
        assert_eq!(count(&legs), "0");
        assert_eq!(count(&notes), "0");
    } else {
        assert_eq!(count(&format!("{legs} AND place <> '[redacted]'")), "0");
        assert_eq!(count(&format!("{notes} AND body IS NOT NULL")), "0");
    }
    assert_eq!(
        count("member WHERE id <= 1500 AND id % 7 <> 0 AND email LIKE 'hmac:%'"),
        "1286",
        "members with trips stay, masked"
    );
    assert_eq!(
        count("member WHERE id <= 1500 AND id % 7 = 0"),
        "0",
        "members without a trip are deleted"
    );
    assert_eq!(
        others_sql.map(count),
        others,
        "the other members' rows are untouched"
    );
}

/// A foreign key from an aggregate table (`trip_stats`, ON DELETE RESTRICT) into trips
/// that would otherwise be deleted as a set: the trips are read row by row, the one the
/// statistics point at is kept with its note masked, the others are deleted, and the
/// statistics row is unchanged. PostgreSQL lists foreign keys among the tables asked for:
/// the aggregate table must be among them.
#[test]
fn a_foreign_key_from_an_aggregate_table_keeps_what_it_points_at_on_postgres() {
    let Some(db) = TestDatabase::postgres("aggregate_foreign_key") else {
        return;
    };
    db.execute(TRIPS_SCHEMA);
    db.execute(
        "CREATE TABLE trip_stats (trip_id VARCHAR(20) PRIMARY KEY REFERENCES trip (id) ON DELETE RESTRICT, n INTEGER);
         INSERT INTO trip_stats VALUES ('t1', 3), ('u1', 1);",
    );
    let policy = trips_policy("postgres");
    let file = policy.path().join("policy.toml");
    let written = std::fs::read_to_string(&file)
        .unwrap()
        .replace("erase = \"mask\"", "erase = \"delete\"")
        + r#"
[[table]]
name = "trip_stats"
aggregate = true
key = ["trip_id"]
[table.columns]
trip_id = "system.aggregate"
n = "system.aggregate"
"#;
    std::fs::write(&file, written).unwrap();
    let tables = planned_tables(policy.path(), &db.url);
    let trip = tables.iter().find(|t| t["table"] == "trip").unwrap();
    assert_eq!(trip["delete"], 2, "{trip}");
    assert_eq!(trip["scrub"], 1, "{trip}");
    let statements = trip["statements"].to_string();
    assert!(
        !statements.contains("member_id"),
        "read row by row: {statements}"
    );

    erase_dataset(
        policy.path(),
        ("APP_DATABASE_URL", &db.url),
        "email:a@example.com",
        &|| common::server_dump(&db),
        &|| {
            queries(
                &|sql| common::server_strings(&db, sql),
                &trips_sql("TEXT", &|parts| parts.join(" || ")),
            )
        },
    );
    let strings = |sql: &str| common::server_strings(&db, sql);
    assert_eq!(
        strings("SELECT id || ':' || COALESCE(note, 'NULL') FROM trip WHERE member_id = 1"),
        ["t1:NULL"],
        "the trip the statistics point at stays, masked"
    );
    assert_eq!(
        strings("SELECT trip_id || ':' || n FROM trip_stats ORDER BY trip_id"),
        ["t1:3", "u1:1"]
    );
}

/// The demo's SQLite sources in a folder this process cannot write (mode 0500, immutable
/// as root): the erasure is refused before it changes either database, with a message
/// naming the database and the folder instead of SQLite's bare "unable to open database
/// file", and no receipt says it is complete. With the folder writable again, the same
/// erasure changes them.
#[test]
fn an_erasure_of_sqlite_sources_in_a_folder_that_cannot_be_written_is_refused_clearly() {
    let demo = Demo::new();
    let subject = demo.samples[0].clone();
    let data = demo.dir.join("data");
    let files = ["crm.db", "messaging.db"].map(|f| data.join(f));
    let before = files.each_ref().map(|f| std::fs::read(f).unwrap());
    let erase = || demo.cmd(&["erase", "--subject", &subject, "--yes", "--format", "json"]);
    {
        let _guard = NoWrite::folder(&data);
        let refused = expect(erase(), 1);
        for named in [
            "cannot change the SQLite database",
            data.to_str().unwrap(),
            "cannot be written",
        ] {
            assert!(refused.stderr.contains(named), "{}", refused.stderr);
        }
        assert!(
            !refused.stdout.contains("\"complete\":true"),
            "{}",
            refused.stdout
        );
    }
    let after = files.each_ref().map(|f| std::fs::read(f).unwrap());
    assert!(after == before, "neither database changed");

    // Exit 4: the demo's provider calls and manual tasks remain, as in every demo erasure.
    let receipt = expect(erase(), 4).json();
    assert_eq!(receipt["complete"], false, "{receipt}");
    let changed = files.each_ref().map(|f| std::fs::read(f).unwrap());
    assert!(
        changed != before,
        "the erasure changed the sources once it could"
    );
}
