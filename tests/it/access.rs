#![allow(clippy::disallowed_macros)] // tests report skips on stderr
//! Access export: rows found across sources and relations checked against independent
//! SQL, provider reads against a local server (failures included), archives opened by
//! other tools, encryption, determinism, verification and bad input.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::{
    Demo, Fixture, MockAnswer, MockProvider, TestDatabase, expect, zip_entry, zip_names,
};
use serde_json::{Value, json};

fn ids(archive: &Path, entry: &str) -> BTreeSet<i64> {
    let text = zip_entry(archive, entry).unwrap_or_else(|| "[]".into());
    let rows: Vec<Value> = serde_json::from_str(&text).unwrap();
    rows.iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

fn sql_ids(db: &Path, sql: &str) -> BTreeSet<i64> {
    common::sqlite_strings(db, &format!("SELECT CAST(id AS TEXT) FROM ({sql})"))
        .iter()
        .map(|s| s.parse().unwrap())
        .collect()
}

#[test]
fn demo_export_matches_independent_queries() {
    let demo = Demo::new();
    let subject = &demo.samples[0];
    let email = subject.trim_start_matches("email:");
    let out = demo.dir.join("alice.zip");
    let result = expect(
        demo.cmd(&[
            "access",
            "--subject",
            subject,
            "--out",
            out.to_str().unwrap(),
            "--no-providers",
            "--format",
            "json",
        ]),
        0,
    );
    let summary = result.json();
    let crm = demo.dir.join("data/crm.db");
    let messaging = demo.dir.join("data/messaging.db");
    let checks = [
        (
            "sources/crm/clients.json",
            &crm,
            format!("SELECT id FROM clients WHERE email = '{email}'"),
        ),
        (
            "sources/crm/leads.json",
            &crm,
            format!(
                "SELECT id FROM leads WHERE email = '{email}' UNION SELECT lead_id FROM clients WHERE email = '{email}' AND lead_id IS NOT NULL"
            ),
        ),
        (
            "sources/crm/invoices.json",
            &crm,
            format!(
                "SELECT i.id FROM invoices i JOIN clients c ON c.id = i.client_id WHERE c.email = '{email}'"
            ),
        ),
        (
            "sources/crm/meetings.json",
            &crm,
            format!(
                "SELECT m.id FROM meetings m JOIN clients c ON c.id = m.client_id WHERE c.email = '{email}'"
            ),
        ),
        (
            "sources/crm/email_records.json",
            &crm,
            format!(
                "SELECT e.id FROM email_records e JOIN clients c ON c.id = e.client_id WHERE c.email = '{email}'"
            ),
        ),
        (
            "sources/messaging/ai_conversations.json",
            &messaging,
            format!("SELECT id FROM ai_conversations WHERE contact_email = '{email}'"),
        ),
        (
            "sources/messaging/ai_messages.json",
            &messaging,
            format!(
                "SELECT m.id FROM ai_messages m JOIN ai_conversations c ON c.id = m.conversation_id WHERE c.contact_email = '{email}'"
            ),
        ),
        (
            "sources/messaging/execution_logs.json",
            &messaging,
            format!("SELECT id FROM execution_logs WHERE client_email = '{email}'"),
        ),
    ];
    let mut total = 0;
    for (entry, db, sql) in &checks {
        let expected = sql_ids(db, sql);
        assert_eq!(ids(&out, entry), expected, "{entry}");
        total += expected.len();
    }
    assert!(total > 10, "the sample subject has data in several tables");
    assert!(summary["total_rows"].as_u64().unwrap() as usize >= total);
    let names = zip_names(&out);
    assert!(
        !names.iter().any(|n| n.contains("usage_metrics_daily")),
        "aggregate tables are never exported"
    );
    assert!(
        names.contains(&"README.md".to_string()) && names.contains(&"manifest.json".to_string())
    );
    assert!(names.contains(&"sources/crm/invoices.csv".to_string()));
    let readme = zip_entry(&out, "README.md").unwrap();
    for needle in [
        "Art. 15(1)(a)",
        "Recipients",
        "Art. 77",
        "privacy@kalops.ai",
        "17(3)(b)",
    ] {
        assert!(readme.contains(needle), "README lacks {needle}");
    }
    let manifest: Value = serde_json::from_str(&zip_entry(&out, "manifest.json").unwrap()).unwrap();
    assert_eq!(manifest["kind"], "access");
    assert_eq!(manifest["policy_digest"].as_str().unwrap().len(), 64);
    // CSV and JSON hold the same rows.
    let csv_text = zip_entry(&out, "sources/crm/invoices.csv").unwrap();
    assert_eq!(
        csv::Reader::from_reader(csv_text.as_bytes())
            .records()
            .count(),
        ids(&out, "sources/crm/invoices.json").len()
    );

    // Verified by privops, and opened by other tools.
    expect(demo.cmd(&["archive", "verify", out.to_str().unwrap()]), 0);
    if let Ok(status) = std::process::Command::new("unzip")
        .arg("-tq")
        .arg(&out)
        .status()
    {
        assert!(status.success(), "unzip -t");
    }
    let python = std::process::Command::new("python3")
        .args(["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.namelist()))"])
        .arg(&out)
        .output()
        .expect("python3 runs");
    assert!(
        python.status.success(),
        "{}",
        String::from_utf8_lossy(&python.stderr)
    );

    // The audit trail records the export, never the data.
    let log = expect(
        demo.cmd(&[
            "audit",
            "log",
            "--action",
            "access.export",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    let entry = &log[0];
    assert_eq!(entry["details"]["archive_sha256"], summary["sha256"]);
    assert!(entry["details"]["rows"]["crm.invoices"].as_u64().unwrap() > 0);
    assert!(!log.to_string().contains(email));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o077,
            0
        );
    }
}

#[test]
fn archives_are_deterministic() {
    let demo = Demo::new();
    let subject = demo.samples[0].clone();
    let export = |name: &str| -> Vec<u8> {
        let out = demo.dir.join(name);
        let mut command = demo.cmd(&[
            "access",
            "--subject",
            &subject,
            "--out",
            out.to_str().unwrap(),
            "--no-providers",
        ]);
        command.env("SOURCE_DATE_EPOCH", "1790000000");
        expect(command, 0);
        std::fs::read(out).unwrap()
    };
    assert_eq!(export("one.zip"), export("two.zip"));
}

fn rewrite_zip(from: &Path, to: &Path, script: &str) {
    let status = std::process::Command::new("python3")
        .args(["-c", &format!(
            "import sys, zipfile\nsrc = zipfile.ZipFile(sys.argv[1])\ndst = zipfile.ZipFile(sys.argv[2], 'w')\nfor info in src.infolist():\n    data = src.read(info.filename)\n{script}\ndst.close()"
        )])
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn tampered_archives_are_caught() {
    let demo = Demo::new();
    let out = demo.dir.join("a.zip");
    expect(
        demo.cmd(&[
            "access",
            "--subject",
            &demo.samples[0],
            "--out",
            out.to_str().unwrap(),
            "--no-providers",
        ]),
        0,
    );
    let cases = [
        (
            "altered.zip",
            "    if info.filename == 'sources/crm/clients.json': data = data.replace(b'@', b'#')\n    dst.writestr(info, data)",
            "sources/crm/clients.json: altered",
        ),
        (
            "missing.zip",
            "    if info.filename != 'sources/crm/clients.csv': dst.writestr(info, data)",
            "sources/crm/clients.csv: missing",
        ),
        (
            "extra.zip",
            "    dst.writestr(info, data)\nimport zipfile as z\ndst.writestr('notes.txt', b'added later')",
            "notes.txt: extra",
        ),
    ];
    for (name, script, problem) in cases {
        let tampered = demo.dir.join(name);
        rewrite_zip(&out, &tampered, script);
        let result = expect(
            demo.cmd(&[
                "archive",
                "verify",
                tampered.to_str().unwrap(),
                "--format",
                "json",
            ]),
            3,
        );
        let problems = result.json()["problems"].to_string();
        assert!(problems.contains(problem), "{name}: {problems}");
    }
    std::fs::write(demo.dir.join("not.zip"), b"PK\x03\x04 garbage").unwrap();
    let result = expect(demo.cmd(&["archive", "verify", "not.zip"]), 1);
    assert!(result.stderr.contains("not.zip"), "{}", result.stderr);
}

fn have(tool: &str) -> bool {
    std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn encrypted_archives_open_with_age() {
    let demo = Demo::new();
    if !have("age-keygen") || !have("age") {
        eprintln!(
            "SKIPPED the age CLI part of encrypted_archives_open_with_age: the Debian package `age` is not installed"
        );
    }
    let key = demo.dir.join("key.txt");
    let recipient = if have("age-keygen") {
        let output = std::process::Command::new("age-keygen")
            .arg("-o")
            .arg(&key)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stderr).to_string();
        text.trim().rsplit(' ').next().unwrap().to_string()
    } else {
        // A key pair made by the age library itself.
        let identity = age::x25519::Identity::generate();
        use age::secrecy::ExposeSecret;
        std::fs::write(&key, format!("{}\n", identity.to_string().expose_secret())).unwrap();
        identity.to_public().to_string()
    };
    let out = demo.dir.join("sealed.zip");
    expect(
        demo.cmd(&[
            "access",
            "--subject",
            &demo.samples[0],
            "--out",
            out.to_str().unwrap(),
            "--no-providers",
            "--recipient",
            &recipient,
        ]),
        0,
    );
    let sealed = demo.dir.join("sealed.zip.age");
    assert!(sealed.exists() && !out.exists());
    assert_eq!(
        &std::fs::read(&sealed).unwrap()[..21],
        b"age-encryption.org/v1"
    );
    expect(
        demo.cmd(&[
            "archive",
            "verify",
            sealed.to_str().unwrap(),
            "--identity",
            key.to_str().unwrap(),
        ]),
        0,
    );
    let refused = expect(
        demo.cmd(&["archive", "verify", sealed.to_str().unwrap()]),
        1,
    );
    assert!(refused.stderr.contains("--identity"), "{}", refused.stderr);
    if have("age") {
        let clear = demo.dir.join("clear.zip");
        let status = std::process::Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&key)
            .arg("-o")
            .arg(&clear)
            .arg(&sealed)
            .status()
            .unwrap();
        assert!(status.success());
        assert!(zip_names(&clear).contains(&"README.md".to_string()));
    }
    // With a passphrase.
    let mut command = demo.cmd(&[
        "access",
        "--subject",
        &demo.samples[0],
        "--out",
        "pass.zip",
        "--no-providers",
        "--passphrase-env",
        "ARCHIVE_PASS",
    ]);
    command.env("ARCHIVE_PASS", "correct horse battery staple");
    expect(command, 0);
    let mut command = demo.cmd(&[
        "archive",
        "verify",
        "pass.zip.age",
        "--passphrase-env",
        "ARCHIVE_PASS",
    ]);
    command.env("ARCHIVE_PASS", "correct horse battery staple");
    expect(command, 0);
    let mut command = demo.cmd(&[
        "archive",
        "verify",
        "pass.zip.age",
        "--passphrase-env",
        "ARCHIVE_PASS",
    ]);
    command.env("ARCHIVE_PASS", "wrong");
    expect(command, 1);
    // A bad recipient is refused before any work.
    let bad = expect(
        demo.cmd(&[
            "access",
            "--subject",
            &demo.samples[0],
            "--out",
            "x.zip",
            "--recipient",
            "age1notakey",
        ]),
        1,
    );
    assert!(bad.stderr.contains("age1notakey"));
    assert!(!demo.dir.join("x.zip.age").exists());
}

#[test]
fn bad_input_is_refused_and_leaves_nothing() {
    let demo = Demo::new();
    let cases: &[(&[&str], &str)] = &[
        (&["--subject", "fax:123"], "unknown identity kind `fax`"),
        (
            &["--subject", "email:not-an-address"],
            "not a valid e-mail address",
        ),
        (&["--subject", "phone:12"], "phone"),
        (&["--subject", "nocolon"], "KIND:VALUE"),
    ];
    for (args, message) in cases {
        let mut full = vec!["access", "--out", "bad.zip", "--no-providers"];
        full.extend_from_slice(args);
        let result = expect(demo.cmd(&full), 1);
        assert!(
            result.stderr.contains(message),
            "{args:?}: {}",
            result.stderr
        );
        assert!(!demo.dir.join("bad.zip").exists());
    }
    // A subject with no data gets an archive that says so.
    let out = demo.dir.join("nobody.zip");
    expect(
        demo.cmd(&[
            "access",
            "--subject",
            "email:nobody@nowhere.example",
            "--out",
            out.to_str().unwrap(),
            "--no-providers",
        ]),
        0,
    );
    assert!(
        zip_entry(&out, "README.md")
            .unwrap()
            .contains("We found no personal data about you")
    );
    // An existing file is refused without --force, and kept.
    std::fs::write(demo.dir.join("taken.zip"), b"keep me").unwrap();
    let result = expect(
        demo.cmd(&[
            "access",
            "--subject",
            &demo.samples[0],
            "--out",
            "taken.zip",
            "--no-providers",
        ]),
        1,
    );
    assert!(result.stderr.contains("--force"));
    assert_eq!(
        std::fs::read(demo.dir.join("taken.zip")).unwrap(),
        b"keep me"
    );
    expect(
        demo.cmd(&[
            "access",
            "--subject",
            &demo.samples[0],
            "--out",
            "taken.zip",
            "--no-providers",
            "--force",
        ]),
        0,
    );
    // An unreachable source is named and no partial archive is left.
    std::fs::rename(
        demo.dir.join("data/messaging.db"),
        demo.dir.join("data/elsewhere.db"),
    )
    .unwrap();
    let result = expect(
        demo.cmd(&[
            "access",
            "--subject",
            &demo.samples[0],
            "--out",
            "partial.zip",
            "--no-providers",
        ]),
        1,
    );
    assert!(result.stderr.contains("`messaging`"), "{}", result.stderr);
    let leftovers: Vec<_> = std::fs::read_dir(&demo.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The Green API and Google Calendar contracts of the example policy.
fn provider_env(
    command: &mut std::process::Command,
    green: &MockProvider,
    calendar: &MockProvider,
) {
    command
        .env("GREEN_API_URL", &green.url)
        .env("GREEN_API_TOKEN", "green-secret")
        .env("GOOGLE_CALENDAR_URL", &calendar.url)
        .env("GOOGLE_CALENDAR_TOKEN", "calendar-secret");
}

fn messages_page(url: &str) -> MockAnswer {
    if url.contains("cursor=page2") {
        MockAnswer::json(
            200,
            json!({ "messages": [{ "id": "m3", "text": "third" }], "next_cursor": null }),
        )
    } else {
        MockAnswer::json(
            200,
            json!({ "messages": [{ "id": "m1", "text": "first" }, { "id": "m2", "text": "second" }], "next_cursor": "page2" }),
        )
    }
}

#[test]
fn providers_are_read_with_pagination_retries_and_values_from_rows() {
    let demo = Demo::new();
    let subject = demo.samples[0].clone();
    let phone = demo.samples.last().unwrap().clone();
    let email = subject.trim_start_matches("email:").to_string();
    // Green API: a 500 first, then a 429 with Retry-After, then pages.
    let green = MockProvider::start(|request, n| match n {
        0 => MockAnswer::raw(500, "boom"),
        1 => {
            let mut answer = MockAnswer::raw(429, "slow down");
            answer.headers.push(("Retry-After".into(), "1".into()));
            answer
        }
        _ => messages_page(&request.url),
    });
    // Calendar: one event per meeting id; a 503 first (retried), a slow answer within
    // the deadline.
    let calendar = MockProvider::start(|request, n| {
        if n == 0 {
            return MockAnswer::raw(503, "busy");
        }
        let mut answer = MockAnswer::json(
            200,
            json!({ "id": request.url.rsplit('/').next().unwrap(), "summary": "Onboarding" }),
        );
        if n == 1 {
            answer.delay = std::time::Duration::from_millis(1500);
        }
        answer
    });
    let providers = demo.dir.join("policies/providers.toml");
    let text = std::fs::read_to_string(&providers).unwrap();
    std::fs::write(
        &providers,
        text.replace("timeout = \"30s\"", "timeout = \"5s\""),
    )
    .unwrap();
    let out = demo.dir.join("with-providers.zip");
    let mut command = demo.cmd(&[
        "access",
        "--subject",
        &subject,
        "--subject",
        &phone,
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    provider_env(&mut command, &green, &calendar);
    let summary = expect(command, 0).json();
    let messages: Vec<Value> =
        serde_json::from_str(&zip_entry(&out, "providers/green_api.json").unwrap()).unwrap();
    assert_eq!(messages.len(), 3, "both pages are read");
    let green_requests = green.requests();
    assert_eq!(
        green_requests.len(),
        4,
        "500, 429, page 1, page 2: {green_requests:?}"
    );
    assert!(
        green_requests
            .iter()
            .all(|r| r.authorization.as_deref() == Some("Bearer green-secret"))
    );
    let phone_value = phone.trim_start_matches("phone:");
    assert!(
        green_requests[2]
            .url
            .starts_with(&format!("/contacts/%2B{}/messages", &phone_value[1..])),
        "{:?}",
        green_requests[2]
    );
    // One calendar call per meeting of the subject, with the ids found in the rows.
    let crm = demo.dir.join("data/crm.db");
    let event_ids = common::sqlite_strings(
        &crm,
        &format!(
            "SELECT DISTINCT m.calendar_event_id FROM meetings m JOIN clients c ON c.id = m.client_id WHERE c.email = '{email}' OR c.phone = '{phone_value}'"
        ),
    );
    let events: Vec<Value> =
        serde_json::from_str(&zip_entry(&out, "providers/google_calendar.json").unwrap()).unwrap();
    assert_eq!(events.len(), event_ids.len());
    assert!(
        calendar.requests().len() > event_ids.len(),
        "the 503 was retried"
    );
    assert!(
        summary["providers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["failed"] == false)
    );
    // Secrets never reach the archive or the audit trail.
    let all = zip_names(&out)
        .iter()
        .map(|n| zip_entry(&out, n).unwrap())
        .collect::<String>();
    assert!(!all.contains("green-secret") && !all.contains("calendar-secret"));
    let log = expect(demo.cmd(&["audit", "log", "--format", "json"]), 0).stdout;
    assert!(!log.contains("green-secret"));
}

#[test]
fn a_failing_provider_makes_a_partial_export() {
    let demo = Demo::new();
    let green = MockProvider::start(|_, _| MockAnswer::raw(200, "{not json"));
    let calendar = MockProvider::start(|_, _| MockAnswer::raw(503, "down"));
    let providers = demo.dir.join("policies/providers.toml");
    let text = std::fs::read_to_string(&providers).unwrap();
    std::fs::write(&providers, text.replace("retries = 3", "retries = 1")).unwrap();
    let out = demo.dir.join("partial.zip");
    let phone = demo.samples.last().unwrap().clone();
    let mut command = demo.cmd(&[
        "access",
        "--subject",
        &demo.samples[0],
        "--subject",
        &phone,
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    provider_env(&mut command, &green, &calendar);
    let summary = expect(command, 4).json();
    let outcomes: Vec<String> = summary["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["outcome"].as_str().unwrap().to_string())
        .collect();
    assert!(
        outcomes.iter().any(|o| o.contains("malformed JSON")),
        "{outcomes:?}"
    );
    assert!(outcomes.iter().any(|o| o.contains("503")), "{outcomes:?}");
    // The archive is written, says what failed, and verifies.
    let readme = zip_entry(&out, "README.md").unwrap();
    assert!(readme.contains("failed"), "{readme}");
    expect(demo.cmd(&["archive", "verify", out.to_str().unwrap()]), 0);
}

#[test]
fn requests_and_deadlines() {
    let demo = Demo::new();
    let subject = demo.samples[0].clone();
    let opened = expect(
        demo.cmd(&[
            "request",
            "open",
            "--kind",
            "access",
            "--subject",
            &subject,
            "--received",
            "2026-01-05",
            "--note",
            "by e-mail",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(opened["id"], "REQ-000001");
    assert!(
        opened["due_at"].as_str().unwrap().starts_with("2026-02-04"),
        "30 days from the policy: {opened}"
    );
    let fresh = expect(
        demo.cmd(&[
            "request",
            "open",
            "--kind",
            "erasure",
            "--subject",
            &subject,
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(fresh["id"], "REQ-000002");
    // The January request is overdue; cron sees exit 3.
    let overdue = expect(
        demo.cmd(&["request", "list", "--overdue", "--format", "json"]),
        3,
    )
    .json();
    assert_eq!(overdue.as_array().unwrap().len(), 1);
    assert_eq!(overdue[0]["id"], "REQ-000001");
    let soon = expect(
        demo.cmd(&["request", "list", "--due-within", "40", "--format", "json"]),
        0,
    )
    .json();
    assert_eq!(soon.as_array().unwrap().len(), 2);
    // Extended once, with a reason; a second extension is refused.
    let extended = expect(
        demo.cmd(&[
            "request",
            "extend",
            "REQ-000001",
            "--reason",
            "many systems to search",
            "--format",
            "json",
        ]),
        0,
    )
    .json();
    assert!(
        extended["extended_to"]
            .as_str()
            .unwrap()
            .starts_with("2026-04-04")
    );
    let again = expect(
        demo.cmd(&["request", "extend", "REQ-000001", "--reason", "more"]),
        1,
    );
    assert!(again.stderr.contains("already extended"));
    expect(
        demo.cmd(&["request", "extend", "REQ-000002", "--reason", ""]),
        1,
    );
    // The export answers the request and closes cleanly.
    expect(
        demo.cmd(&[
            "access",
            "--subject",
            &subject,
            "--request",
            "REQ-000001",
            "--out",
            "answer.zip",
            "--no-providers",
        ]),
        0,
    );
    let requests: Vec<Value> =
        serde_json::from_str(&zip_entry(&demo.dir.join("answer.zip"), "requests.json").unwrap())
            .unwrap();
    assert_eq!(
        requests.len(),
        2,
        "the subject's request records are in the archive"
    );
    expect(
        demo.cmd(&[
            "access",
            "--subject",
            &subject,
            "--request",
            "REQ-000002",
            "--out",
            "wrong.zip",
            "--no-providers",
        ]),
        1,
    );
    let closed = expect(
        demo.cmd(&["request", "close", "REQ-000001", "--format", "json"]),
        0,
    )
    .json();
    assert_eq!(closed["status"], "closed");
    let show = expect(
        demo.cmd(&["request", "show", "REQ-000001", "--format", "json"]),
        0,
    )
    .json();
    assert_eq!(show["overdue"], false);
    expect(demo.cmd(&["request", "list", "--overdue"]), 0);
    expect(demo.cmd(&["request", "show", "REQ-999999"]), 1);
    let actions: Vec<String> = expect(
        demo.cmd(&["audit", "log", "--action", "request.*", "--format", "json"]),
        0,
    )
    .json()
    .as_array()
    .unwrap()
    .iter()
    .map(|e| e["action"].as_str().unwrap().to_string())
    .collect();
    assert_eq!(
        actions,
        [
            "request.open",
            "request.open",
            "request.extend",
            "request.close"
        ]
    );
}

/// A policy folder of tests/datasets with its source URL in `env`.
fn dataset(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/datasets")
        .join(folder)
}

fn access_on(policy: &Path, env: (&str, &str), subject: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("export.zip");
    let mut command = common::privops(temp.path());
    command
        .args(["access", "--no-providers", "--subject", subject, "--out"])
        .arg(&out)
        .arg("--policy")
        .arg(policy)
        .args(["--state", temp.path().join("state.db").to_str().unwrap()])
        .env(env.0, env.1)
        .env("PRIVOPS_SUBJECT_KEY", common::SUBJECT_KEY);
    common::init_like(&command);
    expect(command, 0);
    (temp, out)
}

fn rows(archive: &Path, entry: &str) -> Vec<Value> {
    serde_json::from_str(&zip_entry(archive, entry).unwrap_or_else(|| "[]".into())).unwrap()
}

fn column_set(rows: &[Value], column: &str) -> BTreeSet<String> {
    rows.iter()
        .map(|r| r[column].to_string().trim_matches('"').to_string())
        .collect()
}

#[test]
fn chinook_on_sqlite() {
    let temp = tempfile::tempdir().unwrap();
    let copy = temp.path().join("chinook.sqlite");
    std::fs::copy(
        common::datasets().join("chinook/Chinook_Sqlite.sqlite"),
        &copy,
    )
    .unwrap();
    let url = format!("sqlite://{}", copy.display());
    let (_t, out) = access_on(
        &dataset("chinook/sqlite"),
        ("CHINOOK_SQLITE_URL", &url),
        "email:luisg@embraer.com.br",
    );
    let invoices = rows(&out, "sources/chinook_sqlite/Invoice.json");
    let expected = common::sqlite_strings(
        &copy,
        "SELECT CAST(InvoiceId AS TEXT) FROM Invoice i JOIN Customer c ON c.CustomerId = i.CustomerId WHERE c.Email = 'luisg@embraer.com.br'",
    );
    assert_eq!(
        column_set(&invoices, "InvoiceId"),
        expected.into_iter().collect()
    );
    let lines = rows(&out, "sources/chinook_sqlite/InvoiceLine.json");
    let expected = common::sqlite_strings(
        &copy,
        "SELECT CAST(COUNT(*) AS TEXT) FROM InvoiceLine l JOIN Invoice i ON i.InvoiceId = l.InvoiceId JOIN Customer c ON c.CustomerId = i.CustomerId WHERE c.Email = 'luisg@embraer.com.br'",
    );
    assert_eq!(lines.len().to_string(), expected[0]);
    // Catalogue tables and the support rep are not the customer's data.
    let names = zip_names(&out);
    assert!(
        !names
            .iter()
            .any(|n| n.contains("/Track.") || n.contains("/Employee.")),
        "{names:?}"
    );
}

/// Access never follows a reference. Chinook declares `Customer.SupportRepId` and
/// `Employee.ReportsTo` as references: a customer's export holds their own row (with the
/// id of their support representative) but not the employee, and the employee's export
/// holds her own row but neither the 21 customers she supports nor her manager. Declared
/// as a relation instead, the same link would put those customers in her export.
#[test]
fn chinook_access_does_not_follow_references() {
    let temp = tempfile::tempdir().unwrap();
    let copy = temp.path().join("chinook.sqlite");
    std::fs::copy(
        common::datasets().join("chinook/Chinook_Sqlite.sqlite"),
        &copy,
    )
    .unwrap();
    let url = format!("sqlite://{}", copy.display());
    let env = ("CHINOOK_SQLITE_URL", url.as_str());
    let policy_dir = dataset("chinook/sqlite");
    let policy = privops::policy::Policy::load(&policy_dir).unwrap();
    let source = &policy.sources[0];
    let references = |table: &str| -> Vec<(Vec<String>, String)> {
        source
            .table(table)
            .unwrap()
            .reference
            .iter()
            .map(|r| {
                let r = r.get_ref();
                (
                    r.columns.iter().map(|c| c.get_ref().clone()).collect(),
                    r.references.get_ref().clone(),
                )
            })
            .collect()
    };
    assert!(references("Customer").contains(&(vec!["SupportRepId".into()], "Employee".into())));
    assert!(references("Employee").contains(&(vec!["ReportsTo".into()], "Employee".into())));

    // The customer: their row, not their support representative's.
    let (_t, out) = access_on(&policy_dir, env, "email:luisg@embraer.com.br");
    let customers = rows(&out, "sources/chinook_sqlite/Customer.json");
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0]["SupportRepId"], 3, "{}", customers[0]);
    let names = zip_names(&out);
    assert!(!names.iter().any(|n| n.contains("/Employee.")), "{names:?}");
    for name in names.iter().filter(|n| n.starts_with("sources/")) {
        let text = zip_entry(&out, name).unwrap();
        assert!(
            !text.contains("jane@chinookcorp.com"),
            "{name} names the support rep"
        );
    }

    // The employee: her row, not her customers' nor her manager's.
    let (_t, out) = access_on(&policy_dir, env, "email:jane@chinookcorp.com");
    let employees = rows(&out, "sources/chinook_sqlite/Employee.json");
    assert_eq!(
        column_set(&employees, "EmployeeId"),
        ["3".to_string()].into()
    );
    let names = zip_names(&out);
    assert!(
        !names
            .iter()
            .any(|n| n.contains("/Customer.") || n.contains("/Invoice")),
        "{names:?}"
    );

    // The contrast: the same link declared as a relation makes her customers hers.
    let as_relation = tempfile::tempdir().unwrap();
    common::copy_tree(&policy_dir, as_relation.path());
    let file = as_relation.path().join("source.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let reference = "[[table.reference]]\ncolumns = [\"SupportRepId\"]\nreferences = \"Employee\"\non_erase = \"keep\"\n";
    assert!(text.contains(reference));
    std::fs::write(
        &file,
        text.replacen(
            reference,
            "[[table.relation]]\ncolumns = [\"SupportRepId\"]\nreferences = \"Employee\"\n",
            1,
        ),
    )
    .unwrap();
    // Reached that way, each customer row still names its own person by e-mail: it is
    // that person's row too, so it is not exported as Jane's.
    let (_t, out) = access_on(as_relation.path(), env, "email:jane@chinookcorp.com");
    let customers = rows(&out, "sources/chinook_sqlite/Customer.json");
    assert!(customers.is_empty(), "{customers:?}");
}

fn chinook_server(
    db: TestDatabase,
    folder: &str,
    env: &str,
    script: &str,
    invoice_table: &str,
    customer_column: &str,
) {
    common::load_script(&db, &common::datasets().join("chinook").join(script));
    let (_t, out) = access_on(
        &dataset(folder),
        (env, &db.url),
        "email:luisg@embraer.com.br",
    );
    let source = format!(
        "sources/{}",
        if db.postgres {
            "chinook_pg"
        } else {
            "chinook_mysql"
        }
    );
    let invoices = rows(&out, &format!("{source}/{invoice_table}.json"));
    assert_eq!(
        invoices.len(),
        7,
        "Luís Gonçalves has 7 invoices in Chinook"
    );
    assert!(invoices.iter().all(|i| i[customer_column] == 1));
    let customers = rows(
        &out,
        &format!(
            "{source}/{}.json",
            if db.postgres { "customer" } else { "Customer" }
        ),
    );
    assert_eq!(customers.len(), 1);
    assert!(
        customers[0].to_string().contains("Gonçalves"),
        "UTF-8 survives: {}",
        customers[0]
    );
}

#[test]
fn chinook_on_postgres() {
    if let Some(db) = TestDatabase::postgres("chinook_on_postgres") {
        chinook_server(
            db,
            "chinook/postgres",
            "CHINOOK_PG_URL",
            "Chinook_PostgreSql.sql",
            "invoice",
            "customer_id",
        );
    }
}

#[test]
fn chinook_on_mariadb() {
    if let Some(db) = TestDatabase::mysql("chinook_on_mariadb") {
        chinook_server(
            db,
            "chinook/mysql",
            "CHINOOK_MYSQL_URL",
            "Chinook_MySql.sql",
            "Invoice",
            "CustomerId",
        );
    }
}

/// Rows for the MariaDB sample, which ships its schema only: two customers sharing an
/// address, orders with text ids, order items under a composite key, e-mail-keyed visits.
const FIDES_MYSQL_ROWS: &str = "
INSERT INTO address VALUES (1, 10, 'Main St', 'Springfield', 'IL', '62701'), (2, 20, 'Oak Ave', 'Shelbyville', 'IL', '62565'), (3, 30, 'Elm Rd', 'Ogdenville', 'IL', '62999');
INSERT INTO customer VALUES (1, 'customer-1@example.com', 'Jane Doe', '2024-01-01 10:00:00', 1), (2, 'customer-2@example.com', 'John Roe', '2024-02-01 10:00:00', 1);
INSERT INTO product VALUES (1, 'Widget', 9.99), (2, 'Gadget', 19.50);
INSERT INTO payment_card VALUES ('pay_1', 'Jane Doe', 4111111111111111, 123, true, 1, 1);
INSERT INTO orders VALUES ('ord_1', 1, 2, 'pay_1'), ('ord_2', 2, 3, NULL);
INSERT INTO order_item VALUES ('ord_1', 1, 1, 2), ('ord_1', 2, 2, 1), ('ord_2', 1, 1, 5);
INSERT INTO visit VALUES ('customer-1@example.com', '2024-03-01 10:00:00'), ('customer-2@example.com', '2024-03-02 10:00:00');
INSERT INTO login VALUES (1, 1, '2024-03-01 10:00:00'), (2, 2, '2024-03-01 11:00:00');
";

fn fides(db: TestDatabase, folder: &str, env: &str, script: &str, source: &str) {
    common::load_script(&db, &common::datasets().join("fides-sample").join(script));
    if !db.postgres {
        db.execute(FIDES_MYSQL_ROWS);
    }
    let (_t, out) = access_on(
        &dataset(folder),
        (env, &db.url),
        "email:customer-1@example.com",
    );
    let names = zip_names(&out);
    let customers = rows(&out, &format!("sources/{source}/customer.json"));
    assert_eq!(customers.len(), 1, "{names:?}");
    // The addresses the customer's rows reference (home, shipping, billing) are theirs.
    let orders = rows(&out, &format!("sources/{source}/orders.json"));
    let cards = rows(&out, &format!("sources/{source}/payment_card.json"));
    let mut referenced: BTreeSet<String> = [customers[0]["address_id"].to_string()]
        .into_iter()
        .collect();
    referenced.extend(column_set(&orders, "shipping_address_id"));
    referenced.extend(column_set(&cards, "billing_address_id"));
    referenced.remove("null");
    let addresses = rows(&out, &format!("sources/{source}/address.json"));
    assert_eq!(column_set(&addresses, "id"), referenced, "{names:?}");
    // Order items (composite key) follow their orders.
    let items = rows(&out, &format!("sources/{source}/order_item.json"));
    let order_ids = column_set(&orders, "id");
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|i| order_ids.contains(i["order_id"].as_str().unwrap())),
        "{items:?}"
    );
    // Tables keyed by e-mail only are found by the e-mail.
    let visits = rows(&out, &format!("sources/{source}/visit.json"));
    assert!(!visits.is_empty(), "{names:?}");
    assert!(
        visits
            .iter()
            .all(|v| v["email"] == "customer-1@example.com"),
        "{visits:?}"
    );
    if !db.postgres {
        assert_eq!(
            column_set(&addresses, "id"),
            ["1", "2"].map(String::from).into_iter().collect()
        );
        assert_eq!(items.len(), 2);
        assert_eq!(orders.len(), 1);
    }
}

#[test]
fn fides_sample_on_postgres() {
    if let Some(db) = TestDatabase::postgres("fides_sample_on_postgres") {
        fides(
            db,
            "fides/postgres",
            "FIDES_PG_URL",
            "postgres_sample.sql",
            "fides_pg",
        );
    }
}

#[test]
fn fides_sample_on_mariadb() {
    if let Some(db) = TestDatabase::mysql("fides_sample_on_mariadb") {
        fides(
            db,
            "fides/mysql",
            "FIDES_MYSQL_URL",
            "mysql_example.sql",
            "fides_mysql",
        );
    }
}

#[test]
fn provider_answers_over_the_size_limit_fail_without_being_read_whole() {
    let demo = Demo::new();
    // 16 MiB and one byte of valid JSON (trailing spaces): streamed without a length by
    // one provider, announced with a Content-Length by the other.
    let over = 16 * 1024 * 1024 + 1;
    let green = MockProvider::start(move |_, _| {
        let mut answer = MockAnswer::json(200, json!({ "messages": [] }));
        answer.padding = over;
        answer.chunked = true;
        answer
    });
    let calendar = MockProvider::start(move |_, _| {
        let mut answer = MockAnswer::json(200, json!({ "id": "e" }));
        answer.padding = over;
        answer
    });
    let out = demo.dir.join("large.zip");
    let phone = demo.samples.last().unwrap().clone();
    let mut command = demo.cmd(&[
        "access",
        "--subject",
        &demo.samples[0],
        "--subject",
        &phone,
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    provider_env(&mut command, &green, &calendar);
    let summary = expect(command, 4).json();
    let providers = summary["providers"].as_array().unwrap();
    assert_eq!(providers.len(), 2);
    for provider in providers {
        let outcome = provider["outcome"].as_str().unwrap();
        assert_eq!(provider["failed"], true, "{outcome}");
        assert!(
            outcome.contains("16 MiB") && outcome.contains(provider["id"].as_str().unwrap()),
            "{outcome}"
        );
    }
    assert_eq!(
        calendar.requests().len(),
        1,
        "a body too large is not retried"
    );
}

#[test]
fn provider_failures_leave_no_personal_data_or_secret_in_the_archive_metadata() {
    let demo = Demo::new();
    let phone = demo.samples.last().unwrap().clone();
    let digits = phone.trim_start_matches("phone:+").to_string();
    let green = MockProvider::start(|_, _| MockAnswer::raw(503, "down"));
    let providers = demo.dir.join("policies/providers.toml");
    let text = std::fs::read_to_string(&providers).unwrap();
    std::fs::write(&providers, text.replace("retries = 3", "retries = 1")).unwrap();
    let with_password = |url: &str| url.replacen("http://", "http://planted:s3cr3t-pw@", 1);
    let mut printed = String::new();
    let mut metadata = String::new();
    for (name, json) in [("one.zip", true), ("two.zip", false)] {
        let out = demo.dir.join(name);
        let mut args = vec![
            "access",
            "--subject",
            &demo.samples[0],
            "--subject",
            &phone,
            "--out",
            out.to_str().unwrap(),
        ];
        if json {
            args.extend(["--format", "json"]);
        }
        let mut command = demo.cmd(&args);
        command
            .env("GREEN_API_URL", with_password(&green.url))
            .env("GREEN_API_TOKEN", "green-token")
            .env("GOOGLE_CALENDAR_URL", with_password(&common::closed_url()))
            .env("GOOGLE_CALENDAR_TOKEN", "calendar-token");
        let result = expect(command, 4);
        printed.push_str(&result.stdout);
        printed.push_str(&result.stderr);
        for entry in ["manifest.json", "README.md"] {
            metadata.push_str(&zip_entry(&out, entry).unwrap());
        }
    }
    assert!(
        metadata.contains("GET /contacts/{identity.phone}/messages answered 503"),
        "{metadata}"
    );
    assert!(metadata.contains("cannot connect"), "{metadata}");
    assert!(printed.contains("green_api"), "{printed}");
    let audit = expect(demo.cmd(&["audit", "log", "--format", "json"]), 0).stdout;
    assert!(audit.contains("answered 503"), "{audit}");
    for (place, text) in [
        ("output", &printed),
        ("archive metadata", &metadata),
        ("audit trail", &audit),
    ] {
        for planted in [digits.as_str(), "s3cr3t-pw", "planted", "green-token"] {
            assert!(
                !text.contains(planted),
                "{place} holds `{planted}`:\n{text}"
            );
        }
    }
}

/// `policy import --fides` on the Fides sample's own dataset file: the imported policy
/// loads with no error, reports what it could not map, and its access export for
/// `customer-1@example.com` holds, table by table, exactly the rows the dataset's
/// identities and references lead to (decided here with hand-written SQL), and the rows
/// Fides' own integration test expects for the same request.
#[test]
fn a_policy_imported_from_fides_exports_what_the_dataset_leads_to() {
    let Some(db) = TestDatabase::postgres("fides_import_access") else {
        return;
    };
    common::load_script(
        &db,
        &common::datasets().join("fides-sample/postgres_sample.sql"),
    );
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("imported");
    let mut import = common::privops(temp.path());
    import
        .args(["policy", "import", "--fides"])
        .arg(common::datasets().join("fides-sample/postgres_example_test_dataset.yml"))
        .arg("--out")
        .arg(&folder)
        .args(["--source-id", "fides", "--format", "json"]);
    let report = expect(import, 0).json();
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["url_env"], "FIDES_URL");
    let notes = report["not_mapped"].to_string();
    assert!(notes.contains("user.sensor"), "{notes}");
    assert!(notes.contains("visit: no primary key"), "{notes}");

    let (_t, out) = access_on(
        &folder,
        ("FIDES_URL", &db.url),
        "email:customer-1@example.com",
    );
    let ids = |table: &str| column_set(&rows(&out, &format!("sources/fides/{table}.json")), "id");
    let sql = |query: &str| -> BTreeSet<String> {
        common::server_strings(&db, query).into_iter().collect()
    };
    let customer = "(SELECT id FROM customer WHERE email = 'customer-1@example.com')";
    let orders = format!("(SELECT id FROM orders WHERE customer_id IN {customer})");
    let expected: Vec<(&str, BTreeSet<String>)> = vec![
        (
            "customer",
            sql(&format!(
                "SELECT CAST(id AS TEXT) FROM customer WHERE id IN {customer}"
            )),
        ),
        (
            "orders",
            sql(&format!(
                "SELECT CAST(id AS TEXT) FROM orders WHERE id IN {orders}"
            )),
        ),
        (
            "payment_card",
            sql(&format!(
                "SELECT CAST(id AS TEXT) FROM payment_card WHERE customer_id IN {customer}"
            )),
        ),
        (
            "login",
            sql(&format!(
                "SELECT CAST(id AS TEXT) FROM login WHERE customer_id IN {customer}"
            )),
        ),
        (
            "address",
            sql(&format!(
                "SELECT CAST(id AS TEXT) FROM address WHERE id IN (SELECT address_id FROM customer WHERE id IN {customer}) \
             OR id IN (SELECT shipping_address_id FROM orders WHERE id IN {orders}) \
             OR id IN (SELECT billing_address_id FROM payment_card WHERE customer_id IN {customer})"
            )),
        ),
        (
            "product",
            sql(&format!(
                "SELECT CAST(id AS TEXT) FROM product WHERE id IN (SELECT product_id FROM order_item WHERE order_id IN {orders})"
            )),
        ),
        (
            "service_request",
            sql(
                "SELECT CAST(id AS TEXT) FROM service_request WHERE email = 'customer-1@example.com' OR alt_email = 'customer-1@example.com'",
            ),
        ),
        (
            "report",
            sql("SELECT CAST(id AS TEXT) FROM report WHERE email = 'customer-1@example.com'"),
        ),
        (
            "employee",
            sql("SELECT CAST(id AS TEXT) FROM employee WHERE email = 'customer-1@example.com'"),
        ),
    ];
    for (table, want) in expected {
        let got = ids(table);
        let got: BTreeSet<String> = got
            .into_iter()
            .filter(|g| !g.is_empty() && g != "null")
            .collect();
        assert_eq!(got, want, "{table}");
    }
    let items = rows(&out, "sources/fides/order_item.json");
    let want_items = common::server_strings(
        &db,
        &format!("SELECT CAST(COUNT(*) AS TEXT) FROM order_item WHERE order_id IN {orders}"),
    );
    assert_eq!(items.len().to_string(), want_items[0]);
    // What Fides' own integration test expects of the same request (its access results
    // filtered on `user.contact`): two addresses, the customer, one service request found
    // by its e-mail, one visit.
    let addresses = rows(&out, "sources/fides/address.json");
    let mut streets: Vec<String> = addresses
        .iter()
        .map(|a| format!("{} {}", a["house"], a["street"].as_str().unwrap()))
        .collect();
    streets.sort();
    assert_eq!(streets, ["123 Example Street", "4 Example Lane"]);
    let requests = rows(&out, "sources/fides/service_request.json");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["alt_email"], "customer-1-alt@example.com");
    let customers = rows(&out, "sources/fides/customer.json");
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0]["email"], "customer-1@example.com");
    let visits = rows(&out, "sources/fides/visit.json");
    let want_visits = common::server_strings(
        &db,
        "SELECT CAST(COUNT(*) AS TEXT) FROM visit WHERE email = 'customer-1@example.com'",
    );
    assert_eq!(visits.len().to_string(), want_visits[0]);
    assert!(!visits.is_empty());
}

/// Ann's access export, written to `export.zip` in the fixture's folder.
fn export_ann(app: &Fixture) -> PathBuf {
    let out = app.dir().join("export.zip");
    let mut command = app.cmd(&[
        "access",
        "--no-providers",
        "--subject",
        "email:ann@example.com",
        "--out",
    ]);
    command.arg(&out);
    expect(command, 0);
    out
}

/// The ids of Ann's events, by hand-written SQL, in key order.
fn ann_event_ids(app: &Fixture, engine: &str) -> Vec<i64> {
    let text = if engine == "mysql" { "CHAR" } else { "TEXT" };
    let mut ids: Vec<i64> = app
        .strings(&format!(
            "SELECT CAST(id AS {text}) FROM events WHERE person_id = 1"
        ))
        .iter()
        .map(|id| id.parse().unwrap())
        .collect();
    ids.sort();
    ids
}

/// A policy over `people` (an e-mail identity) and their `events` (id, person_id, note
/// and the `more` columns' lines), each deleted when erased.
fn people_and_events_policy(engine: &str, more: &str) -> String {
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
engine = "{engine}"
url_env = "APP_DATABASE_URL"

[[table]]
name = "people"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}

[[table]]
name = "events"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
person_id = "system.operations"
note = "user.content.message"
{more}[[table.relation]]
columns = ["person_id"]
references = "people"
"#
    )
}

/// A subject's rows in runs of consecutive keys between other people's rows, a string
/// that JSON escapes, and a computed REAL: the export holds exactly the rows hand-written
/// SQL finds, each value as stored. On SQLite a REAL key of another person lies inside
/// one of the subject's runs, and a text key beside it.
fn runs_of_keys(engine: &str) {
    let double = if engine == "sqlite" {
        "REAL"
    } else {
        "DOUBLE PRECISION"
    };
    let schema = format!(
        "CREATE TABLE people (id INTEGER NOT NULL PRIMARY KEY, email VARCHAR(100));\n\
         CREATE TABLE events (id INTEGER NOT NULL, person_id INTEGER, note VARCHAR(200), score {double});\n\
         INSERT INTO people VALUES (1, 'ann@example.com'), (2, 'bob@example.com');\n"
    );
    let policy = people_and_events_policy(engine, "score = \"system.operations\"\n");
    let Some(app) = Fixture::new(
        engine,
        &format!("runs_of_keys_{engine}"),
        &schema,
        &policy,
        &[],
    ) else {
        return;
    };
    // Ann: 1-100 and 111-250 (runs), 252-260 (too short to be one); Bob: the rest.
    let ann =
        |i: i64| (1..=100).contains(&i) || (111..=250).contains(&i) || (252..=260).contains(&i);
    let values: Vec<String> = (1..=300)
        .map(|i| {
            let owner = if ann(i) { 1 } else { 2 };
            format!("({i}, {owner}, 'note {i}', {}.5)", i)
        })
        .collect();
    app.execute(&format!("INSERT INTO events VALUES {}", values.join(", ")));
    // A backslash is written doubled in MariaDB's string literals.
    let backslash = if engine == "mysql" { "\\\\" } else { "\\" };
    let sum = match engine {
        "postgres" => "CAST(0.1 AS DOUBLE PRECISION) + CAST(0.2 AS DOUBLE PRECISION)",
        "mysql" => "0.1e0 + 0.2e0",
        _ => "0.1 + 0.2",
    };
    app.execute(&format!(
        "UPDATE events SET note = 'say \"hi\" {backslash} then\nnew line, é 漢' WHERE id = 5;\n\
         UPDATE events SET score = {sum} WHERE id = 7"
    ));
    if engine == "sqlite" {
        app.execute(
            "INSERT INTO events VALUES (50.5, 2, 'bob inside a run', 1.0);\n\
             UPDATE events SET score = 449.49106478873813 WHERE id = 13;\n\
             UPDATE events SET score = 9e999 WHERE id = 14;\n\
             UPDATE events SET note = x'00' WHERE id = 15",
        );
    }
    if engine == "mysql" {
        app.execute(
            "ALTER TABLE events ADD COLUMN data JSON;\n\
             UPDATE events SET data = '{\"b\": 1, \"a\": [1, 2.5, \"x\\\\\"y\"]}' WHERE id = 9;\n\
             UPDATE events SET data = '\"text\"' WHERE id = 10",
        );
    }
    if engine == "postgres" {
        app.execute(
            "ALTER TABLE events ADD COLUMN data JSONB, ADD COLUMN flag BOOLEAN;\n\
             UPDATE events SET data = '{\"b\": 1, \"a\": [1, 2.5, \"x\\\"y\"]}', flag = true WHERE id = 9;\n\
             UPDATE events SET score = 'NaN' WHERE id = 10;\n\
             UPDATE events SET score = 100 WHERE id = 11;\n\
             UPDATE events SET score = '-0' WHERE id = 12",
        );
    }
    let out = export_ann(&app);

    let exported = rows(&out, "sources/app/events.json");
    let expected = ann_event_ids(&app, engine);
    // In key order, as the export writes them.
    let got: Vec<i64> = exported.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(got, expected);
    assert_eq!(got.len(), 100 + 140 + 9);
    let row = |id: i64| exported.iter().find(|r| r["id"] == id).unwrap();
    let note: String = app
        .strings("SELECT note FROM events WHERE id = 5")
        .remove(0);
    assert_eq!(row(5)["note"], note.as_str());
    assert!(note.contains('\n') && note.contains('"') && note.contains('\\'));
    assert_eq!(row(7)["score"].as_f64().unwrap(), 0.1f64 + 0.2f64);
    assert_eq!(row(8)["score"], json!(8.5));
    if engine == "sqlite" {
        // Every digit of a REAL, as SQLite gives it with 17 and Rust reads it back.
        let stored: f64 = app.strings("SELECT printf('%!.17g', score) FROM events WHERE id = 13")
            [0]
        .parse()
        .unwrap();
        let written = serde_json::Number::from_f64(stored).unwrap().to_string();
        let text = zip_entry(&out, "sources/app/events.json").unwrap();
        assert!(
            text.contains(&format!(
                r#""id":13,"person_id":1,"note":"note 13","score":{written}}}"#
            )),
            "{written}"
        );
        // An infinity is null, as JSON has none; a BLOB is its base64 text.
        assert_eq!(row(14)["score"], Value::Null);
        assert_eq!(row(15)["note"], json!("AA=="));
    }
    if engine == "postgres" {
        assert_eq!(row(9)["data"], json!({"a": [1, 2.5, "x\"y"], "b": 1}));
        assert_eq!(row(9)["flag"], json!(true));
        assert_eq!(row(8)["data"], Value::Null);
        // JSON holds no NaN; a whole float is written as one.
        assert_eq!(row(10)["score"], Value::Null);
        let text = zip_entry(&out, "sources/app/events.json").unwrap();
        assert!(
            text.contains(r#""id":11,"person_id":1,"note":"note 11","score":100.0"#),
            "{text:.2000}"
        );
        assert!(text.contains(r#""score":-0.0"#), "{text:.2000}");
    }
    let csv = zip_entry(&out, "sources/app/events.csv").unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), got.len());
    let csv_row = |id: &str| records.iter().find(|r| &r[0] == id).unwrap().clone();
    assert_eq!(&csv_row("5")[2], note.as_str());
    assert_eq!(&csv_row("7")[3], "0.30000000000000004");
    assert_eq!(&csv_row("8")[3], "8.5");
    if engine == "sqlite" {
        // No value is an empty field; a BLOB is its base64 text.
        assert_eq!(&csv_row("14")[3], "");
        assert_eq!(&csv_row("15")[2], "AA==");
    }
    if engine == "mysql" {
        // MariaDB's JSON is LONGTEXT: a document is exported as the text stored, byte for
        // byte, in both files.
        let stored = r#"{"b": 1, "a": [1, 2.5, "x\"y"]}"#;
        assert_eq!(row(9)["data"], json!(stored));
        assert_eq!(row(10)["data"], json!("\"text\""));
        assert_eq!(row(8)["data"], Value::Null);
        assert_eq!(&csv_row("9")[4], stored);
        assert_eq!(&csv_row("10")[4], "\"text\"");
        assert_eq!(&csv_row("8")[4], "");
    }
    if engine == "postgres" {
        // A JSON document is its compact text; true, a NaN (none) and a whole float as
        // the JSON file writes them.
        assert_eq!(&csv_row("9")[4], r#"{"a":[1,2.5,"x\"y"],"b":1}"#);
        assert_eq!(&csv_row("9")[5], "true");
        assert_eq!(&csv_row("8")[4], "");
        assert_eq!(&csv_row("10")[3], "");
        assert_eq!(&csv_row("11")[3], "100.0");
    }
}

#[test]
fn runs_of_keys_on_sqlite() {
    runs_of_keys("sqlite");
}

#[test]
fn runs_of_keys_on_postgres() {
    runs_of_keys("postgres");
}

#[test]
fn runs_of_keys_on_mariadb() {
    runs_of_keys("mysql");
}

/// A subject whose 12,750 rows lie between another person's, more than one statement of
/// an export reads (PostgreSQL reads 10,000 keys a statement, the others 1,000): the
/// export holds exactly the rows hand-written SQL finds, in key order, each once.
fn rows_between_another_s_in_several_statements(engine: &str) {
    let schema = "CREATE TABLE people (id INTEGER NOT NULL PRIMARY KEY, email VARCHAR(100));\n\
                  CREATE TABLE events (id INTEGER NOT NULL PRIMARY KEY, person_id INTEGER, note VARCHAR(200));\n\
                  INSERT INTO people VALUES (1, 'ann@example.com'), (2, 'bob@example.com');\n";
    let policy = people_and_events_policy(engine, "");
    let Some(app) = Fixture::new(
        engine,
        &format!("rows_between_{engine}"),
        schema,
        &policy,
        &[],
    ) else {
        return;
    };
    // Ann every other row, Bob the rest (and Ann's last 500 rows together).
    for start in (1..=25_000).step_by(1_000) {
        let values: Vec<String> = (start..start + 1_000)
            .map(|i: i64| {
                let owner = if i % 2 == 1 || i > 24_500 { 1 } else { 2 };
                format!("({i}, {owner}, 'note {i}')")
            })
            .collect();
        app.execute(&format!("INSERT INTO events VALUES {}", values.join(", ")));
    }
    let out = export_ann(&app);
    let expected = ann_event_ids(&app, engine);
    assert_eq!(expected.len(), 12_250 + 500);
    let exported = rows(&out, "sources/app/events.json");
    let got: Vec<i64> = exported.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(got, expected);
    let csv = zip_entry(&out, "sources/app/events.csv").unwrap();
    assert_eq!(csv.lines().count(), expected.len() + 1);
}

#[test]
fn rows_between_another_s_in_several_statements_on_postgres() {
    rows_between_another_s_in_several_statements("postgres");
}

#[test]
fn rows_between_another_s_in_several_statements_on_sqlite() {
    rows_between_another_s_in_several_statements("sqlite");
}

/// PostgreSQL reads keys that lie close together, but not in runs, as one range filtered
/// by the list: the export must still hold exactly the subject's rows. BIGINT keys past
/// 2^40, Ann's rows between Bob's and Cy's, some of Ann's and Bob's deleted (gaps in the
/// range that no row fills), and a run of Ann's 300 consecutive keys read beside the
/// range. Every exported row is compared with the row hand-written SQL reads.
#[test]
fn close_keys_between_others_on_postgres() {
    let schema = "CREATE TABLE people (id BIGINT NOT NULL PRIMARY KEY, email VARCHAR(100));\n\
                  CREATE TABLE events (id BIGINT NOT NULL PRIMARY KEY, person_id BIGINT, note VARCHAR(200));\n\
                  INSERT INTO people VALUES (1, 'ann@example.com'), (2, 'bob@example.com'), (3, 'cy@example.com');\n";
    let policy = people_and_events_policy("postgres", "");
    let Some(app) = Fixture::new("postgres", "close_keys_pg", schema, &policy, &[]) else {
        return;
    };
    const BASE: i64 = 1 << 40;
    // Ann two rows in three, Bob and Cy between them; then 300 of Ann's in a run.
    app.execute(&format!(
        "INSERT INTO events SELECT {BASE} + i, CASE WHEN i % 3 = 0 THEN 2 + i % 2 ELSE 1 END, \
         'note ' || i FROM generate_series(0, 26999) i"
    ));
    app.execute(&format!(
        "INSERT INTO events SELECT {BASE} + 30000 + i, 1, 'run ' || i FROM generate_series(0, 299) i"
    ));
    app.execute(&format!(
        "DELETE FROM events WHERE id BETWEEN {BASE} + 5000 AND {BASE} + 5999 AND id % 7 = 0"
    ));
    let out = export_ann(&app);
    let expected = app.strings(
        "SELECT id || '|' || person_id || '|' || note FROM events WHERE person_id = 1 ORDER BY id",
    );
    assert!(expected.len() > 18_000, "{}", expected.len());
    let exported = rows(&out, "sources/app/events.json");
    let got: Vec<String> = exported
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}",
                r["id"].as_i64().unwrap(),
                r["person_id"].as_i64().unwrap(),
                r["note"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(got.len(), expected.len());
    assert!(
        got == expected,
        "the export differs from the hand-written read"
    );
    let others = app.strings("SELECT CAST(COUNT(*) AS TEXT) FROM events WHERE person_id <> 1");
    assert_ne!(others[0], "0");
}
