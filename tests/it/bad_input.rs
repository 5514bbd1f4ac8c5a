#![allow(clippy::disallowed_macros)] // tests report skips on stderr
//! Bad input, table-driven: each case gets a clear error that names the place at fault,
//! a documented non-zero exit (1 error, 2 usage), says nothing it should not (no password,
//! no planted secret), and changes nothing (the demo's databases and the state store are
//! compared before and after every case).

use crate::common;

use std::path::{Path, PathBuf};

use crate::common::{Demo, Dump, privops};

struct Case {
    name: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    code: i32,
    /// Substrings the error must contain (the place at fault, the fix).
    says: Vec<&'static str>,
}

fn case(name: &'static str, args: &[&str], code: i32, says: &[&'static str]) -> Case {
    Case {
        name,
        args: args.iter().map(|a| a.to_string()).collect(),
        env: Vec::new(),
        code,
        says: says.to_vec(),
    }
}

fn with_env(mut case: Case, variable: &'static str, value: &str) -> Case {
    case.env.push((variable, value.to_string()));
    case
}

fn snapshot(dir: &Path) -> Vec<Dump> {
    ["data/crm.db", "data/messaging.db", ".privops/state.db"]
        .iter()
        .map(|f| common::sqlite_dump(&dir.join(f)))
        .collect()
}

/// Writes a file for the cases beside the workspace, returning its path as text.
fn file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path: PathBuf = dir.join("inputs").join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// A copy of the demo's policy folder with one file's text changed.
fn policy_with(demo: &Demo, name: &str, file_name: &str, from: &str, to: &str) -> String {
    let dir = demo.temp.path().join("policies").join(name);
    common::copy_tree(&demo.dir.join("policies"), &dir);
    let path = dir.join(file_name);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(from),
        "{name}: `{from}` is not in {file_name}"
    );
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    dir.display().to_string()
}

#[test]
fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let demo = Demo::new();
    let inputs = demo.temp.path();
    let subject = demo.samples[0].clone();
    let csv_head = "subject,purpose,action,at,channel,evidence\n";
    let good_row = "email:dana@example.com,marketing,grant,2026-11-01T10:00:00Z,web,form 17\n";
    let csv = |name: &str, body: &[u8]| {
        let mut bytes = csv_head.as_bytes().to_vec();
        bytes.extend_from_slice(good_row.as_bytes());
        bytes.extend_from_slice(body);
        file(inputs, name, &bytes)
    };
    let long_evidence = "x".repeat(5000);
    let bad_csvs = [
        ("empty.csv", file(inputs, "empty.csv", b""), "empty.csv"),
        (
            "no_header.csv",
            file(inputs, "no_header.csv", good_row.as_bytes()),
            "no_header.csv",
        ),
        (
            "bad_subject.csv",
            csv(
                "bad_subject.csv",
                b"nobody,marketing,grant,2026-11-01T10:00:00Z,,\n",
            ),
            ":3",
        ),
        (
            "bad_action.csv",
            csv(
                "bad_action.csv",
                b"email:a@example.com,marketing,maybe,2026-11-01T10:00:00Z,,\n",
            ),
            ":3",
        ),
        (
            "bad_at.csv",
            csv(
                "bad_at.csv",
                b"email:a@example.com,marketing,grant,yesterday,,\n",
            ),
            ":3",
        ),
        (
            "bad_channel.csv",
            csv(
                "bad_channel.csv",
                b"email:a@example.com,marketing,grant,2026-11-01T10:00:00Z,pigeon,\n",
            ),
            ":3",
        ),
        (
            "bad_purpose.csv",
            csv(
                "bad_purpose.csv",
                b"email:a@example.com,nope,grant,2026-11-01T10:00:00Z,,\n",
            ),
            ":3",
        ),
        (
            "nul_evidence.csv",
            csv(
                "nul_evidence.csv",
                b"email:a@example.com,marketing,grant,2026-11-01T10:00:00Z,web,a\x00b\n",
            ),
            "NUL",
        ),
        (
            "huge_evidence.csv",
            csv(
                "huge_evidence.csv",
                format!(
                    "email:a@example.com,marketing,grant,2026-11-01T10:00:00Z,web,{long_evidence}\n"
                )
                .as_bytes(),
            ),
            "over the limit",
        ),
        (
            "latin1.csv",
            csv(
                "latin1.csv",
                b"email:a@example.com,marketing,grant,2026-11-01T10:00:00Z,web,caf\xe9\n",
            ),
            "UTF-8",
        ),
        (
            "short_row.csv",
            csv("short_row.csv", b"email:a@example.com,marketing\n"),
            ":3",
        ),
    ];
    let subjects_bad = file(
        inputs,
        "subjects.txt",
        b"email:ok@example.com\nemail:broken\n",
    );
    let not_a_zip = file(inputs, "not-a-zip.zip", b"this is not a zip archive");
    let truncated_zip = file(inputs, "truncated.zip", b"PK\x03\x04\x14\x00\x00\x00");
    let not_a_db = file(inputs, "not-a-db.db", b"plain text, not SQLite");
    let existing = file(inputs, "existing.zip", b"keep me");
    let batch_bad = file(
        inputs,
        "batch.txt",
        b"email:ok@example.com\nnot a subject\n",
    );

    let mut cases = vec![
        // Subjects.
        case(
            "subject without a kind",
            &["erase", "--subject", "nobody", "--yes"],
            1,
            &["nobody", "KIND:VALUE"],
        ),
        case(
            "unknown identity kind",
            &["erase", "--subject", "fax:123", "--yes"],
            1,
            &["fax", "email"],
        ),
        case(
            "invalid e-mail",
            &["erase", "--subject", "email:not-an-address", "--yes"],
            1,
            &["not-an-address"],
        ),
        case(
            "invalid phone",
            &["erase", "--subject", "phone:12", "--yes"],
            1,
            &["phone:12"],
        ),
        case(
            "empty identity",
            &["erase", "--subject", "email:", "--yes"],
            1,
            &["empty"],
        ),
        case(
            "access of a bad subject",
            &["access", "--subject", "email:x@", "--out", "x.zip"],
            1,
            &["email:x@"],
        ),
        case(
            "consent check of a bad subject",
            &[
                "consent",
                "check",
                "--subject",
                "bad",
                "--purpose",
                "marketing",
            ],
            1,
            &["bad"],
        ),
        case(
            "bad line in a subjects file",
            &["erase", "--subjects-file", &subjects_bad, "--yes"],
            1,
            &["subjects.txt:2"],
        ),
        case(
            "missing subjects file",
            &["erase", "--subjects-file", "missing.txt", "--yes"],
            1,
            &["missing.txt"],
        ),
        case("no subject at all", &["erase", "--yes"], 2, &["--subject"]),
        case(
            "request of another kind",
            &[
                "erase",
                "--subject",
                &subject,
                "--request",
                "REQ-99999",
                "--yes",
            ],
            1,
            &["REQ-99999"],
        ),
        case(
            "bad line in a check batch",
            &[
                "consent",
                "check",
                "--purpose",
                "marketing",
                "--batch",
                &batch_bad,
            ],
            1,
            &["batch.txt:2"],
        ),
        case(
            "missing check batch",
            &[
                "consent",
                "check",
                "--purpose",
                "marketing",
                "--batch",
                "missing.txt",
            ],
            1,
            &["missing.txt"],
        ),
        // Purposes and consent.
        case(
            "unknown purpose",
            &[
                "consent",
                "grant",
                "--subject",
                "email:a@example.com",
                "--purpose",
                "nope",
            ],
            1,
            &["nope"],
        ),
        case(
            "purpose not based on consent",
            &[
                "consent",
                "grant",
                "--subject",
                "email:a@example.com",
                "--purpose",
                "service",
            ],
            1,
            &["service"],
        ),
        case(
            "evidence too long",
            &[
                "consent",
                "grant",
                "--subject",
                "email:a@example.com",
                "--purpose",
                "marketing",
                "--evidence",
                &long_evidence,
            ],
            1,
            &["--evidence", "over the limit"],
        ),
        case(
            "unknown purpose shown",
            &["purpose", "show", "nope"],
            1,
            &["nope"],
        ),
        // Times and durations.
        case(
            "consent time not a time",
            &[
                "consent",
                "grant",
                "--subject",
                "email:a@example.com",
                "--purpose",
                "marketing",
                "--at",
                "yesterday",
            ],
            1,
            &["yesterday"],
        ),
        case(
            "export time not a time",
            &["consent", "export", "--as-of", "soon", "--out", "x.csv"],
            1,
            &["soon"],
        ),
        case(
            "report bounds not dates",
            &["audit", "report", "--from", "2026-13-01", "--out", "r.md"],
            1,
            &["2026-13-01"],
        ),
        case(
            "max duration not a duration",
            &["retention", "sweep", "--max-duration=10x"],
            2,
            &["--max-duration"],
        ),
        case(
            "negative max duration",
            &["retention", "sweep", "--max-duration=-5m"],
            2,
            &["--max-duration"],
        ),
        case(
            "max duration in words",
            &["retention", "sweep", "--max-duration", "ten minutes"],
            2,
            &["--max-duration"],
        ),
        case(
            "batch size not a number",
            &["retention", "sweep", "--batch-size", "many"],
            2,
            &["--batch-size"],
        ),
        // Environment.
        with_env(
            case(
                "PRIVOPS_NOW not a time",
                &["request", "list"],
                2,
                &["PRIVOPS_NOW", "garbage"],
            ),
            "PRIVOPS_NOW",
            "garbage",
        ),
        with_env(
            case(
                "PRIVOPS_NOW not a date",
                &["request", "list"],
                2,
                &["PRIVOPS_NOW"],
            ),
            "PRIVOPS_NOW",
            "2026-02-30",
        ),
        with_env(
            case(
                "subject key too short",
                &["erase", "--subject", "email:a@example.com", "--yes"],
                1,
                &["PRIVOPS_SUBJECT_KEY"],
            ),
            "PRIVOPS_SUBJECT_KEY",
            "short",
        ),
        with_env(
            case(
                "malformed state URL",
                &["request", "list"],
                1,
                &["malformed"],
            ),
            "PRIVOPS_STATE",
            "postgres:/u:hunter2@127.0.0.1/x",
        ),
        with_env(
            case(
                "unsupported state URL",
                &["request", "list"],
                1,
                &["unsupported", "mysql://u:***@"],
            ),
            "PRIVOPS_STATE",
            "mysql://u:hunter2@127.0.0.1/x",
        ),
        with_env(
            case(
                "state URL whose path is not UTF-8",
                &["request", "list"],
                1,
                &["sqlite:///tmp/store%FF.db", "not UTF-8"],
            ),
            "PRIVOPS_STATE",
            "sqlite:///tmp/store%FF.db",
        ),
        with_env(
            case(
                "policy folder missing",
                &["policy", "check"],
                1,
                &["/nonexistent/policies"],
            ),
            "PRIVOPS_POLICY",
            "/nonexistent/policies",
        ),
        case(
            "state store that is not a database",
            &["request", "list", "--state", &not_a_db],
            1,
            &["not-a-db.db"],
        ),
        // Command lines.
        case(
            "erase without confirmation",
            &["erase", "--subject", &subject],
            2,
            &["--yes"],
        ),
        case(
            "format not known",
            &["request", "list", "--format", "xml"],
            2,
            &["xml"],
        ),
        case(
            "format the command cannot write",
            &["erase", "--subject", &subject, "--yes", "--format", "html"],
            2,
            &["--format html", "human, json"],
        ),
        case(
            "csv from a check",
            &[
                "consent",
                "check",
                "--subject",
                &subject,
                "--purpose",
                "marketing",
                "--format",
                "csv",
            ],
            2,
            &["--format csv"],
        ),
        case("unknown command", &["frobnicate"], 2, &["frobnicate"]),
        case(
            "unknown source",
            &["retention", "sweep", "--source", "nope"],
            2,
            &["nope"],
        ),
        case(
            "unknown table",
            &["retention", "sweep", "--table", "nope"],
            2,
            &["nope"],
        ),
        case(
            "unknown request shown",
            &["request", "show", "REQ-99999"],
            1,
            &["REQ-99999"],
        ),
        case(
            "unknown request extended",
            &["request", "extend", "REQ-99999", "--reason", "complex"],
            1,
            &["REQ-99999"],
        ),
        case(
            "unknown request closed",
            &["request", "close", "REQ-99999"],
            1,
            &["REQ-99999"],
        ),
        case(
            "unknown manual task",
            &["request", "confirm-manual", "REQ-99999", "manual:x"],
            1,
            &["REQ-99999"],
        ),
        case(
            "archive over an existing file",
            &[
                "access",
                "--subject",
                &subject,
                "--no-providers",
                "--out",
                &existing,
            ],
            1,
            &["existing.zip", "--force"],
        ),
        case(
            "report over an existing file",
            &["audit", "report", "--out", &existing],
            1,
            &["existing.zip", "--force"],
        ),
        case(
            "archive into a missing folder",
            &[
                "access",
                "--subject",
                &subject,
                "--no-providers",
                "--out",
                "/nonexistent/dir/a.zip",
            ],
            1,
            &["/nonexistent/dir"],
        ),
        // Archives.
        case(
            "archive that is missing",
            &["archive", "verify", "missing.zip"],
            1,
            &["missing.zip"],
        ),
        case(
            "archive that is not a zip",
            &["archive", "verify", &not_a_zip],
            1,
            &["not-a-zip.zip"],
        ),
        case(
            "archive cut short",
            &["archive", "verify", &truncated_zip],
            1,
            &["truncated.zip"],
        ),
        // Policy files.
        case(
            "policy with a syntax error",
            &[
                "policy",
                "check",
                "--policy",
                &policy_with(&demo, "syntax", "purposes.toml", "[[purpose]]", "[[purpose"),
            ],
            1,
            &["purposes.toml:"],
        ),
        case(
            "policy with a typo in a basis",
            &[
                "policy",
                "check",
                "--policy",
                &policy_with(
                    &demo,
                    "basis",
                    "purposes.toml",
                    "basis = \"contract\"",
                    "basis = \"contrakt\"",
                ),
            ],
            1,
            &["purposes.toml:", "contrakt"],
        ),
        case(
            "policy with a period past the calendar",
            &[
                "policy",
                "check",
                "--policy",
                &policy_with(
                    &demo,
                    "period",
                    "sources/crm.toml",
                    "period = \"30d\"",
                    "period = \"300000y\"",
                ),
            ],
            1,
            &["crm.toml:", "too long"],
        ),
        case(
            "policy with an unknown category",
            &[
                "policy",
                "check",
                "--policy",
                &policy_with(
                    &demo,
                    "category",
                    "sources/crm.toml",
                    "\"user.name\"",
                    "\"user.full_name\"",
                ),
            ],
            1,
            &["crm.toml:", "user.full_name"],
        ),
        case(
            "policy with a quoted table name",
            &[
                "policy",
                "check",
                "--policy",
                &policy_with(
                    &demo,
                    "quote",
                    "sources/crm.toml",
                    "name = \"leads\"",
                    "name = \"le\\\"ads\"",
                ),
            ],
            1,
            &["crm.toml:", "identifier"],
        ),
        case(
            "commands refuse a broken policy",
            &[
                "erase",
                "--subject",
                &subject,
                "--yes",
                "--policy",
                &policy_with(&demo, "broken", "purposes.toml", "[[purpose]]", "[[purpose"),
            ],
            1,
            &["policy check"],
        ),
        with_env(
            case(
                "source that is not a database",
                &[
                    "erase",
                    "--subject",
                    &subject,
                    "--dry-run",
                    "--state",
                    demo.dir.join(".privops/state.db").to_str().unwrap(),
                    "--policy",
                    &policy_with(
                        &demo,
                        "notdb",
                        "sources/crm.toml",
                        "path = \"",
                        &format!("path = \"{}\" # ", not_a_db),
                    ),
                ],
                1,
                &["crm", "not-a-db.db"],
            ),
            "PRIVOPS_SUBJECT_KEY",
            common::SUBJECT_KEY,
        ),
    ];
    for (name, path, says) in &bad_csvs {
        cases.push(Case {
            name,
            args: vec!["consent".into(), "import".into(), path.clone()],
            env: Vec::new(),
            code: 1,
            says: vec![says],
        });
    }
    assert!(cases.len() >= 60, "{} cases", cases.len());

    let mut failures = Vec::new();
    // Nothing may change, so one snapshot serves as "before" for every case.
    let before = snapshot(&demo.dir);
    for case in &cases {
        let mut command = privops(&demo.dir);
        command
            .args(&case.args)
            .env("PRIVOPS_SUBJECT_KEY", common::SUBJECT_KEY);
        for (variable, value) in &case.env {
            command.env(variable, value);
        }
        let run = common::run(command);
        let mut wrong = Vec::new();
        if run.code != case.code {
            wrong.push(format!("exit {} instead of {}", run.code, case.code));
        }
        // Diagnostics of `policy check` are its data (stdout); other errors go to stderr.
        let said = format!("{}{}", run.stdout, run.stderr);
        for says in &case.says {
            if !said.contains(says) {
                wrong.push(format!("does not say `{says}`"));
            }
        }
        if run.stderr.contains("panicked") {
            wrong.push("panicked".into());
        }
        for secret in ["hunter2"] {
            if run.stderr.contains(secret) || run.stdout.contains(secret) {
                wrong.push(format!("shows the secret `{secret}`"));
            }
        }
        if snapshot(&demo.dir) != before {
            wrong.push("changed the databases or the state store".into());
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n  stderr: {}",
                case.name,
                wrong.join("; "),
                run.stderr.trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// A reader that goes away (`privops audit log | head -1`) ends the command quietly with
/// exit 0, not with a panic on the closed pipe.
#[test]
fn a_closed_pipe_ends_quietly() {
    let demo = Demo::new();
    for args in [
        &["audit", "log"][..],
        &["audit", "log", "--format", "json"][..],
        &["policy", "map"][..],
    ] {
        let mut command = privops(&demo.dir);
        command
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// Outputs are written beside their destination and renamed into place: a failed rename
/// leaves no `.partial` file, and one left by a killed run is cleaned up by the next.
#[test]
fn no_partial_file_is_left_behind() {
    let demo = Demo::new();
    let subject = demo.samples[0].clone();
    // A killed run's leftover (no process has this id).
    let stale = demo.dir.join(".alice.zip.4194999.partial");
    std::fs::write(&stale, b"half an archive").unwrap();
    // The destination is a folder that is not empty: the rename fails.
    let blocked = demo.dir.join("blocked.zip");
    std::fs::create_dir_all(blocked.join("inside")).unwrap();
    let failed = common::run({
        let mut command = privops(&demo.dir);
        command.args([
            "access",
            "--subject",
            &subject,
            "--no-providers",
            "--force",
            "--out",
            "blocked.zip",
        ]);
        command
    });
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    assert!(failed.stderr.contains("blocked.zip"), "{}", failed.stderr);
    common::expect(
        {
            let mut command = privops(&demo.dir);
            command.args([
                "access",
                "--subject",
                &subject,
                "--no-providers",
                "--out",
                "alice.zip",
            ]);
            command
        },
        0,
    );
    let partials: Vec<String> = std::fs::read_dir(&demo.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(partials.is_empty(), "{partials:?}");
}

/// Runs `command` (with `args`) and asserts it exits 1 saying the workspace is not
/// initialised, pointing at `privops init`.
fn refused_as_not_initialised(command: std::process::Command, args: &[&str]) {
    let refused = common::run(command);
    assert_eq!(refused.code, 1, "{args:?}: {}", refused.stderr);
    assert!(
        refused.stderr.contains("not initialised") && refused.stderr.contains("privops init"),
        "{args:?}: {}",
        refused.stderr
    );
}

/// A PostgreSQL state store is found or refused as a SQLite one is: in an empty database
/// a command that reads, records or checks says the workspace is not initialised and
/// creates no table (counted by hand in the catalogue); `init` creates the store.
#[test]
fn an_empty_postgres_database_is_not_a_store() {
    let Some(db) = common::TestDatabase::postgres("empty_state") else {
        return;
    };
    let demo = Demo::new();
    let fresh = demo.temp.path().join("fresh");
    common::copy_tree(&demo.dir.join("policies"), &fresh.join("policies"));
    let tables = || {
        common::server_strings(
            &db,
            "SELECT COUNT(*)::text FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
        )
    };
    let subject = ["--subject", "email:a@example.com"];
    let grant = [
        &["consent", "grant", "--purpose", "marketing"][..],
        &subject,
    ]
    .concat();
    let check = [
        &["consent", "check", "--purpose", "marketing"][..],
        &subject,
    ]
    .concat();
    for args in [
        &["request", "list"][..],
        &["audit", "verify"][..],
        &grant[..],
        &check[..],
    ] {
        let mut command = privops(&fresh);
        command
            .args(args)
            .env("PRIVOPS_STATE", &db.url)
            .env("PRIVOPS_SUBJECT_KEY", common::SUBJECT_KEY);
        refused_as_not_initialised(command, args);
        assert_eq!(tables(), ["0"], "{args:?} made a store");
    }
    let mut command = privops(&fresh);
    command.args(["init"]).env("PRIVOPS_STATE", &db.url);
    common::expect(command, 0);
    assert_ne!(tables(), ["0"]);
    let mut command = privops(&fresh);
    command.args(&grant).env("PRIVOPS_STATE", &db.url);
    common::expect(command, 0);
}

/// The workspace is found by walking up from the current folder, as git and cargo find
/// theirs; a command that only reads never invents a state store; `--state` in a folder
/// that does not exist creates nothing; without a policy folder the error says where it
/// looked and how to point at one.
#[test]
fn the_workspace_is_found_never_invented() {
    let demo = Demo::new();
    let deep = demo.dir.join("data/reports/2026");
    std::fs::create_dir_all(&deep).unwrap();
    let mut command = privops(&deep);
    command.args(["audit", "log", "--format", "json"]);
    let log = common::expect(command, 0).json();
    assert!(
        !log.as_array().unwrap().is_empty(),
        "the demo's trail, found from below"
    );
    assert!(!deep.join(".privops").exists() && !demo.dir.join("data/.privops").exists());

    // A fresh workspace (a policy, nothing recorded): reading creates nothing.
    let fresh = demo.temp.path().join("fresh");
    common::copy_tree(&demo.dir.join("policies"), &fresh.join("policies"));
    for args in [
        &["request", "list"][..],
        &["audit", "log"][..],
        &["audit", "verify"][..],
    ] {
        let mut command = privops(&fresh);
        command.args(args);
        let refused = common::run(command);
        assert_eq!(refused.code, 1, "{args:?}: {}", refused.stderr);
        assert!(
            refused.stderr.contains("no state store"),
            "{}",
            refused.stderr
        );
        assert!(!fresh.join(".privops").exists(), "{args:?} made a store");
    }
    // Nor does a command that records something: only `init` (and `demo`) create one.
    let grant = [
        "consent",
        "grant",
        "--subject",
        "email:a@example.com",
        "--purpose",
        "marketing",
    ];
    for args in [
        &grant[..],
        &[
            "request",
            "open",
            "--kind",
            "access",
            "--subject",
            "email:a@example.com",
        ][..],
        &["erase", "--subject", "email:a@example.com", "--yes"][..],
        &["retention", "sweep"][..],
    ] {
        let mut command = privops(&fresh);
        command.args(args);
        refused_as_not_initialised(command, args);
        assert!(!fresh.join(".privops").exists(), "{args:?} made a store");
    }
    let mut command = privops(&fresh.join("policies"));
    command.args(["init", "--format", "json"]);
    let init = common::expect(command, 0).json();
    assert_eq!(init["created"], true, "{init}");
    assert!(fresh.join(".privops/state.db").is_file());
    assert!(fresh.join(".privops/subject.key").is_file());
    let mut command = privops(&fresh);
    command.args(grant);
    common::expect(command, 0);
    let mut command = privops(&fresh);
    command.args(["init", "--format", "json"]);
    assert_eq!(common::expect(command, 0).json()["created"], false);
    let mut command = privops(&fresh);
    command.args([
        "consent",
        "history",
        "--subject",
        "email:a@example.com",
        "--format",
        "json",
    ]);
    let history = common::expect(command, 0).json();
    assert_eq!(
        history["events"].as_array().unwrap().len(),
        1,
        "init again kept the ledger"
    );

    // An explicit store in a folder that does not exist.
    let missing = demo.temp.path().join("nowhere/state.db");
    let mut command = privops(&demo.dir);
    command
        .args([
            "consent",
            "grant",
            "--subject",
            "email:a@example.com",
            "--purpose",
            "marketing",
        ])
        .args(["--state", missing.to_str().unwrap()]);
    let refused = common::run(command);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("no state store at"),
        "{}",
        refused.stderr
    );
    assert!(!demo.temp.path().join("nowhere").exists());
    let mut command = privops(&demo.dir);
    command
        .arg("init")
        .args(["--state", missing.to_str().unwrap()]);
    let refused = common::run(command);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("does not exist"),
        "{}",
        refused.stderr
    );
    assert!(!demo.temp.path().join("nowhere").exists());

    // No policy folder anywhere above.
    let empty = tempfile::tempdir().unwrap();
    let mut command = privops(empty.path());
    command.args(["policy", "check"]);
    let refused = common::run(command);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("looked for policies/") && refused.stderr.contains("--policy"),
        "{}",
        refused.stderr
    );
}

/// A database that is down is reported at once with its reason, naming the source and
/// its URL without the password; a sweep lists each of its tables as failed in its JSON
/// summary and records the failure in the audit trail.
#[test]
fn a_database_that_is_down_is_named_at_once() {
    let temp = tempfile::tempdir().unwrap();
    let policies = temp.path().join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::write(
        policies.join("policy.toml"),
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
name = "events"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
at = "system.operations"
[table.retention]
period = "30d"
from = "at"
then = "delete"

[[table]]
name = "visits"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
at = "system.operations"
[table.retention]
period = "30d"
from = "at"
then = "delete"
"#,
    )
    .unwrap();
    // Port 1 on the loopback: nothing listens there.
    let url = "postgres://app:hunter2@127.0.0.1:1/app";
    let mut command = privops(temp.path());
    command
        .args(["retention", "sweep", "--format", "json"])
        .env("APP_DATABASE_URL", url);
    common::init_like(&command);
    let swept = common::run(command);
    assert_eq!(swept.code, 4, "{}", swept.stderr);
    let summary: serde_json::Value = serde_json::from_str(&swept.stdout).unwrap();
    let failed: Vec<&serde_json::Value> = summary["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["error"].is_string())
        .collect();
    assert_eq!(failed.len(), 2, "{summary}");
    for table in &failed {
        let error = table["error"].as_str().unwrap();
        assert!(
            error.contains("`app`") && error.to_lowercase().contains("refused"),
            "{error}"
        );
        assert!(!error.contains("hunter2"), "{error}");
    }
    assert_eq!(
        swept.stderr.matches("warning: source `app`").count(),
        1,
        "one attempt per source: {}",
        swept.stderr
    );
    let mut command = privops(temp.path());
    command.args([
        "audit",
        "log",
        "--action",
        "retention.failed",
        "--format",
        "json",
    ]);
    let log = common::expect(command, 0).json();
    assert_eq!(log.as_array().unwrap().len(), 2, "{log}");
    assert!(!log.to_string().contains("hunter2"));

    let mut command = privops(temp.path());
    command
        .args(["erase", "--subject", "email:a@example.com", "--yes"])
        .env("APP_DATABASE_URL", url)
        .env("PRIVOPS_SUBJECT_KEY", common::SUBJECT_KEY);
    let refused = common::run(command);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("source `app`")
            && refused.stderr.to_lowercase().contains("refused"),
        "{}",
        refused.stderr
    );
    assert!(!refused.stderr.contains("hunter2") && !refused.stderr.contains("timed out"));
}

/// A workspace in a folder whose name holds `?`, `%41` and `#`: the state store and the
/// SQLite sources are the files inside it, nothing is created beside it.
#[test]
fn a_folder_named_with_url_characters_is_the_folder_opened() {
    let temp = tempfile::tempdir().unwrap();
    let mut demo = common::privops(temp.path());
    demo.args(["demo", "--dir", "w?x%41#y", "--format", "json"]);
    let out = common::expect(demo, 0).json();
    let dir = temp.path().join("w?x%41#y");
    assert_eq!(out["workspace"].as_str().unwrap(), dir.to_str().unwrap());
    let subject = out["sample_subjects"][0].as_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let mut command = common::privops(&dir);
        command.args(args);
        command
    };
    common::expect(
        run(&[
            "consent",
            "grant",
            "--purpose",
            "marketing",
            "--subject",
            &subject,
        ]),
        0,
    );
    let check = common::expect(
        run(&[
            "consent",
            "check",
            "--purpose",
            "marketing",
            "--subject",
            &subject,
        ]),
        0,
    );
    assert!(check.stdout.starts_with("granted"), "{}", check.stdout);
    let export = temp.path().join("export.zip");
    common::expect(
        run(&[
            "access",
            "--subject",
            &subject,
            "--no-providers",
            "--out",
            export.to_str().unwrap(),
        ]),
        0,
    );
    let crm = dir.join("data/crm.db");
    let email = subject.trim_start_matches("email:");
    let found = format!("SELECT CAST(COUNT(*) AS TEXT) FROM leads WHERE email = '{email}'");
    assert_eq!(common::sqlite_strings(&crm, &found), ["1"]);
    // Manual tasks and provider calls remain (4); the databases' part is done.
    common::expect(run(&["erase", "--subject", &subject, "--yes"]), 4);
    assert_eq!(common::sqlite_strings(&crm, &found), ["0"]);
    // Only the workspace and the export are in the temporary folder.
    let mut beside: Vec<String> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, ["export.zip", "w?x%41#y"]);
}

/// A relative `--state` path is the file it names from the current folder: through a
/// `..`, under a folder whose name holds a space.
#[test]
fn a_relative_state_path_is_the_file_it_names() {
    let demo = Demo::new();
    std::fs::create_dir_all(demo.dir.join("my stores/sub")).unwrap();
    let state = "my stores/sub/../state.db";
    let run = |args: &[&str]| {
        let mut command = demo.cmd(args);
        command.args(["--state", state]);
        command
    };
    common::expect(run(&["init"]), 0);
    let subject = demo.samples[0].as_str();
    let consent = |verb: &str| {
        run(&[
            "consent",
            verb,
            "--purpose",
            "marketing",
            "--subject",
            subject,
        ])
    };
    common::expect(consent("grant"), 0);
    let check = common::expect(consent("check"), 0);
    assert!(check.stdout.starts_with("granted"), "{}", check.stdout);
    assert!(demo.dir.join("my stores/state.db").is_file());
    assert!(!demo.dir.join("my stores/sub/state.db").exists());
    // The workspace's own store was not the one written.
    let own = common::expect(
        demo.cmd(&[
            "consent",
            "check",
            "--purpose",
            "marketing",
            "--subject",
            subject,
        ]),
        3,
    );
    assert!(own.stdout.starts_with("never_given"), "{}", own.stdout);
}
