#![allow(clippy::disallowed_macros)] // tests report skips on stderr
//! Consent management on SQLite and PostgreSQL state stores: the ledger, versions,
//! checks, exports at a moment in time, imports and concurrency.

use crate::common;

use std::path::Path;
use std::process::Command;

use crate::common::{Demo, NoWrite, TestDatabase, expect, run};
use serde_json::Value;

/// A demo workspace whose state store is SQLite, or a fresh PostgreSQL database.
struct Env {
    demo: Demo,
    state: Option<TestDatabase>,
}

impl Env {
    fn sqlite() -> Env {
        Env {
            demo: Demo::new(),
            state: None,
        }
    }

    /// The demo workspace with its state store in a fresh PostgreSQL database, made by
    /// `init` as every store is.
    fn postgres(test: &str) -> Option<Env> {
        let db = TestDatabase::postgres(test)?;
        let env = Env {
            demo: Demo::new(),
            state: Some(db),
        };
        expect(env.cmd(&["init"]), 0);
        Some(env)
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut command = self.demo.cmd(args);
        if let Some(db) = &self.state {
            command.args(["--state", &db.url]);
        }
        command
    }

    fn json(&self, args: &[&str], code: i32) -> Value {
        let mut full = args.to_vec();
        full.extend(["--format", "json"]);
        expect(self.cmd(&full), code).json()
    }

    /// `consent check --purpose marketing --batch <list>` and `extra`, which must exit
    /// with `code`.
    fn batch(&self, list: &Path, extra: &[&str], code: i32) -> common::Run {
        let mut args = vec![
            "consent",
            "check",
            "--purpose",
            "marketing",
            "--batch",
            list.to_str().unwrap(),
        ];
        args.extend(extra);
        expect(self.cmd(&args), code)
    }

    fn check(&self, subject: &str, purpose: &str) -> (i32, Value) {
        let result = run(self.cmd(&[
            "consent",
            "check",
            "--subject",
            subject,
            "--purpose",
            purpose,
            "--format",
            "json",
        ]));
        (result.code, result.json())
    }

    fn set_consent_text(&self, purpose: &str, text: &str) {
        let path = self.demo.dir.join("policies/purposes.toml");
        let policy = std::fs::read_to_string(&path).unwrap();
        let start = policy.find(&format!("id = \"{purpose}\"")).unwrap();
        let text_key = start + policy[start..].find("consent_text = ").unwrap();
        let value_start = text_key + "consent_text = ".len();
        let value_end = if policy[value_start..].starts_with("\"\"\"") {
            value_start + 3 + policy[value_start + 3..].find("\"\"\"").unwrap() + 3
        } else {
            value_start + 1 + policy[value_start + 1..].find('"').unwrap() + 1
        };
        let updated = format!(
            "{}\"{}\"{}",
            &policy[..value_start],
            text,
            &policy[value_end..]
        );
        std::fs::write(&path, updated).unwrap();
    }
}

fn lifecycle(env: &Env) {
    let subject = "email:alice@example.com";
    // Never given.
    let (code, verdict) = env.check(subject, "marketing");
    assert_eq!(code, 3);
    assert_eq!(verdict["state"], "never_given");
    // Granted, with normalisation: these two spellings are one subject.
    let granted = env.json(
        &[
            "consent",
            "grant",
            "--subject",
            "email: Alice@Example.COM ",
            "--purpose",
            "marketing",
            "--channel",
            "web",
            "--evidence",
            "form-17",
            "--at",
            "2026-01-10T10:00:00Z",
        ],
        0,
    );
    assert_eq!(granted["version"], 1);
    assert_eq!(granted["recorded"], true);
    let (code, verdict) = env.check(subject, "marketing");
    assert_eq!(code, 0, "{verdict}");
    assert_eq!(verdict["event"]["evidence"], "form-17");
    assert_eq!(verdict["event"]["channel"], "web");
    // The same event again adds nothing.
    let again = env.json(
        &[
            "consent",
            "grant",
            "--subject",
            subject,
            "--purpose",
            "marketing",
            "--channel",
            "web",
            "--evidence",
            "form-17",
            "--at",
            "2026-01-10T10:00:00Z",
        ],
        0,
    );
    assert_eq!(again["recorded"], false);
    // Withdrawn.
    env.json(
        &[
            "consent",
            "withdraw",
            "--subject",
            subject,
            "--purpose",
            "marketing",
            "--channel",
            "email",
            "--at",
            "2026-03-01T09:00:00Z",
        ],
        0,
    );
    let (code, verdict) = env.check(subject, "marketing");
    assert_eq!(code, 3);
    assert_eq!(verdict["state"], "withdrawn");
    assert_eq!(verdict["event"]["action"], "withdraw");
    // Re-granted.
    env.json(
        &[
            "consent",
            "grant",
            "--subject",
            subject,
            "--purpose",
            "marketing",
            "--channel",
            "whatsapp",
            "--at",
            "2026-05-01T09:00:00Z",
        ],
        0,
    );
    assert_eq!(env.check(subject, "marketing").0, 0);
    // The consent text changes: a new version, and re-consent is needed.
    env.set_consent_text(
        "marketing",
        "We may send you news, offers and partner offers by e-mail and WhatsApp.",
    );
    let shown = env.json(&["purpose", "show", "marketing"], 0);
    assert_eq!(shown["current_version"], 2);
    assert_eq!(shown["versions"].as_array().unwrap().len(), 2);
    let (code, verdict) = env.check(subject, "marketing");
    assert_eq!(code, 3);
    assert_eq!(verdict["state"], "reconsent_needed");
    assert_eq!(verdict["current_version"], 2);
    assert_eq!(verdict["event"]["version"], 1);
    let regranted = env.json(
        &[
            "consent",
            "grant",
            "--subject",
            subject,
            "--purpose",
            "marketing",
            "--channel",
            "web",
        ],
        0,
    );
    assert_eq!(regranted["version"], 2);
    assert_eq!(env.check(subject, "marketing").0, 0);

    let history = env.json(&["consent", "history", "--subject", subject], 0);
    let actions: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["grant", "withdraw", "grant", "grant"]);

    // Exports at moments in that history.
    let export = |as_of: &str| -> Vec<csv::StringRecord> {
        let out = env
            .demo
            .dir
            .join(format!("export-{}.csv", as_of.replace(':', "")));
        env.json(
            &[
                "consent",
                "export",
                "--purpose",
                "marketing",
                "--as-of",
                as_of,
                "--out",
                out.to_str().unwrap(),
            ],
            0,
        );
        let mut reader = csv::Reader::from_path(&out).unwrap();
        reader.records().map(|r| r.unwrap()).collect()
    };
    assert!(export("2026-01-01T00:00:00Z").is_empty());
    let february = export("2026-02-01T00:00:00Z");
    assert_eq!(february.len(), 1);
    assert_eq!(&february[0][0], subject);
    assert_eq!(&february[0][2], "grant");
    assert_eq!(&february[0][7], "granted");
    let april = export("2026-04-01T00:00:00Z");
    assert_eq!(&april[0][7], "withdrawn");
    let june = export("2026-06-01T00:00:00Z");
    assert_eq!(&june[0][7], "granted");
    assert_eq!(&june[0][5], "");

    // A purpose whose basis is not consent is refused, saying why.
    let refused = expect(
        env.cmd(&[
            "consent",
            "grant",
            "--subject",
            subject,
            "--purpose",
            "billing",
        ]),
        1,
    );
    assert!(
        refused.stderr.contains("legal obligation"),
        "{}",
        refused.stderr
    );
    let refused = expect(
        env.cmd(&[
            "consent",
            "check",
            "--subject",
            subject,
            "--purpose",
            "billing",
        ]),
        1,
    );
    assert!(
        refused.stderr.contains("not on consent"),
        "{}",
        refused.stderr
    );

    // Every grant and withdrawal is in the audit trail, which still verifies.
    let log = env.json(
        &[
            "audit",
            "log",
            "--action",
            "consent.*",
            "--subject",
            "email:ALICE@example.com",
        ],
        0,
    );
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "consent.grant",
            "consent.withdraw",
            "consent.grant",
            "consent.grant"
        ]
    );
    assert!(
        !serde_json::to_string(&log).unwrap().contains("alice@"),
        "the trail holds no clear identity"
    );
    assert_eq!(env.json(&["audit", "verify"], 0)["ok"], true);
}

#[test]
fn consent_lifecycle_on_sqlite() {
    let env = Env::sqlite();
    lifecycle(&env);
    // The ledger holds keyed references only; the clear identity is in `subjects`.
    let state = env.demo.dir.join(".privops/state.db");
    let refs = common::sqlite_strings(&state, "SELECT DISTINCT subject_ref FROM consent_events");
    assert_eq!(refs.len(), 1);
    assert!(!refs[0].contains('@'));
    assert_eq!(
        common::sqlite_strings(&state, "SELECT identity FROM subjects"),
        ["alice@example.com"]
    );
}

#[test]
fn consent_lifecycle_on_postgres() {
    if let Some(env) = Env::postgres("consent_lifecycle_on_postgres") {
        lifecycle(&env);
    }
}

/// Events recorded at the same instant count in the order they were recorded: the later
/// one decides. A batch chooses each subject's newest event in its own way on each engine
/// (PostgreSQL takes the row as its index leads to it, SQLite looks it up by its id).
fn same_instant_events(env: &Env, distinct_instants: &dyn Fn() -> Vec<String>) {
    let orders = [
        ("email:first@example.com", ["grant", "withdraw"]),
        ("email:second@example.com", ["withdraw", "grant"]),
    ];
    for (subject, actions) in orders {
        for action in actions {
            env.json(
                &[
                    "consent",
                    action,
                    "--subject",
                    subject,
                    "--purpose",
                    "marketing",
                ],
                0,
            );
        }
    }
    assert_eq!(distinct_instants(), ["1"], "every event at PRIVOPS_NOW");
    let list = env.demo.dir.join("subjects.txt");
    std::fs::write(&list, "email:first@example.com\nemail:second@example.com\n").unwrap();
    let result = env.batch(&list, &[], 3);
    assert_eq!(
        result.stdout.lines().collect::<Vec<_>>(),
        [
            "email:first@example.com\twithdrawn",
            "email:second@example.com\tgranted"
        ]
    );
}

const DISTINCT_INSTANTS: &str = "SELECT CAST(COUNT(DISTINCT at) AS TEXT) FROM consent_events";

#[test]
fn the_later_of_two_events_at_one_instant_decides_on_sqlite() {
    let env = Env::sqlite();
    let state = env.demo.dir.join(".privops/state.db");
    same_instant_events(&env, &|| common::sqlite_strings(&state, DISTINCT_INSTANTS));
}

#[test]
fn the_later_of_two_events_at_one_instant_decides_on_postgres() {
    if let Some(env) = Env::postgres("later_of_two_events_at_one_instant") {
        let db = env.state.as_ref().expect("a server store");
        same_instant_events(&env, &|| common::server_strings(db, DISTINCT_INSTANTS));
    }
}

/// A long batch is parsed on several threads: the error still names the first bad line
/// of the file, wherever the threads' shares of it begin, and nothing is answered.
#[test]
fn a_long_batch_names_its_first_bad_line() {
    let env = Env::sqlite();
    let list = env.demo.dir.join("subjects.txt");
    let lines = |bad: &[usize]| -> String {
        (1..=20_000)
            .map(|n| {
                if bad.contains(&n) {
                    format!("nocolon{n}\n")
                } else {
                    format!("email:s{n}@example.com\n")
                }
            })
            .collect()
    };
    // The first bad line late in the file (in the last thread's share), then one early
    // too: the earlier one is named.
    for (bad, named) in [(&[17_001, 19_999][..], 17_001), (&[12, 17_001][..], 12)] {
        std::fs::write(&list, lines(bad)).unwrap();
        let run = env.batch(&list, &[], 1);
        assert!(
            run.stderr.contains(&format!("subjects.txt:{named}")),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("KIND:VALUE"), "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
}

#[test]
fn batch_check_prints_one_verdict_per_line() {
    let env = Env::sqlite();
    env.json(
        &[
            "consent",
            "grant",
            "--subject",
            "email:a@example.com",
            "--purpose",
            "marketing",
        ],
        0,
    );
    env.json(
        &[
            "consent",
            "grant",
            "--subject",
            "phone:054-612-3456",
            "--purpose",
            "marketing",
        ],
        0,
    );
    let list = env.demo.dir.join("subjects.txt");
    std::fs::write(
        &list,
        "email:a@example.com\n# a comment\n\nemail:b@example.com\nphone:+972546123456\n",
    )
    .unwrap();
    let result = env.batch(&list, &[], 3);
    let lines: Vec<&str> = result.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "email:a@example.com\tgranted",
            "email:b@example.com\tnever_given",
            "phone:+972546123456\tgranted"
        ]
    );
    let result = env.batch(&list, &["--format", "json"], 3);
    let verdicts: Vec<Value> = result
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(verdicts.len(), 3);
    assert_eq!(verdicts[1]["granted"], false);
    // From stdin, all granted: exit 0.
    let mut command = env.cmd(&["consent", "check", "--purpose", "marketing", "--batch", "-"]);
    command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"email:A@example.com\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    // A malformed line stops the batch, naming the line.
    std::fs::write(&list, "email:a@example.com\nemail:not-an-address\n").unwrap();
    let result = env.batch(&list, &[], 1);
    assert!(
        result.stderr.contains("subjects.txt:2"),
        "{}",
        result.stderr
    );
    assert!(result.stdout.is_empty());
}

fn event_count(env: &Env) -> usize {
    let state = env.demo.dir.join(".privops/state.db");
    common::sqlite_strings(&state, "SELECT CAST(COUNT(*) AS TEXT) FROM consent_events")[0]
        .parse()
        .unwrap()
}

fn import_cases(env: &Env) {
    let dir = &env.demo.dir;
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        "subject,purpose,action,at,channel,evidence\n\
         email:b@example.com,marketing,grant,2026-02-01T00:00:00Z,web,form-1\n\
         email:B@Example.com,marketing,withdraw,2026-03-01T00:00:00Z,email,\n\
         phone:054-612-3456,ai_features,grant,2026-02-02,whatsapp,\"msg, with comma\"\n\
         email:e@example.com,marketing,grant,2026-02-03T00:00:00Z,,\"form \"\"A\"\" \\ {1,2} NULL\"\n",
    )
    .unwrap();
    let imported = env.json(&["consent", "import", good.to_str().unwrap()], 0);
    assert_eq!(imported["rows"], 4);
    assert_eq!(imported["inserted"], 4);
    // Quotes, backslashes, braces, commas and the word NULL arrive as written, and no
    // channel stays none (on PostgreSQL the events travel as arrays in their text form).
    let history = env.json(
        &["consent", "history", "--subject", "email:e@example.com"],
        0,
    );
    let event = &history["events"][0];
    assert_eq!(event["evidence"], "form \"A\" \\ {1,2} NULL", "{history}");
    assert_eq!(event["channel"], Value::Null, "{history}");
    let again = env.json(&["consent", "import", good.to_str().unwrap()], 0);
    assert_eq!(
        again["inserted"], 0,
        "re-importing the same file adds nothing"
    );
    assert_eq!(again["file_sha256"], imported["file_sha256"]);
    assert_eq!(
        env.check("email:b@example.com", "marketing").1["state"],
        "withdrawn"
    );
    assert_eq!(env.check("phone:+972546123456", "ai_features").0, 0);

    let before = env
        .json(&["audit", "log", "--action", "consent.import"], 0)
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, 2, "an import is one audit entry, whatever its size");
    let bad_cases: &[(&str, &[u8], &str)] = &[
        ("bad-row.csv", b"subject,purpose,action,at\nemail:c@example.com,marketing,grant,2026-01-01T00:00:00Z\nemail:d@example.com,marketing,maybe,2026-01-01T00:00:00Z\n", "bad-row.csv:3, column `action`"),
        ("bad-subject.csv", b"subject,purpose,action,at\nemail:c@example.com,marketing,grant,2026-01-01T00:00:00Z\nemail:nope,marketing,grant,2026-01-01T00:00:00Z\n", "bad-subject.csv:3, column `subject`"),
        ("bad-time.csv", b"subject,purpose,action,at\nemail:c@example.com,marketing,grant,yesterday\n", "bad-time.csv:2, column `at`"),
        ("bad-purpose.csv", b"subject,purpose,action,at\nemail:c@example.com,billing,grant,2026-01-01T00:00:00Z\n", "bad-purpose.csv:2, column `purpose`"),
        ("latin1.csv", b"subject,purpose,action,at,channel,evidence\nemail:c@example.com,marketing,grant,2026-01-01T00:00:00Z,web,Fran\xe7ois\n", "latin1.csv:2, column `evidence`: not valid UTF-8"),
        ("missing-header.csv", b"subject,purpose,at\nemail:c@example.com,marketing,2026-01-01T00:00:00Z\n", "missing column(s) action"),
        ("duplicate-header.csv", b"subject,purpose,action,at,at\n", "duplicate column `at`"),
        ("unknown-header.csv", b"subject,purpose,action,at,colour\n", "unknown column `colour`"),
        ("ragged.csv", b"subject,purpose,action,at\nemail:c@example.com,marketing,grant\n", "ragged.csv:2"),
        ("empty.csv", b"", "is empty"),
    ];
    let count_before = env.json(
        &["consent", "history", "--subject", "email:c@example.com"],
        0,
    )["events"]
        .as_array()
        .unwrap()
        .len();
    for (name, bytes, message) in bad_cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let result = expect(env.cmd(&["consent", "import", path.to_str().unwrap()]), 1);
        assert!(
            result.stderr.contains(message),
            "{name}: expected `{message}` in:\n{}",
            result.stderr
        );
    }
    // A bad row past the first batch (10,000 rows, written while the next is read) still
    // imports nothing.
    let late = dir.join("late-bad.csv");
    let mut text = String::from("subject,purpose,action,at\n");
    for i in 0..12_000 {
        text.push_str(&format!(
            "email:late{i}@example.com,marketing,grant,2026-01-01T00:00:00Z\n"
        ));
    }
    text.push_str("email:late0@example.com,marketing,maybe,2026-01-02T00:00:00Z\n");
    std::fs::write(&late, text).unwrap();
    let result = expect(env.cmd(&["consent", "import", late.to_str().unwrap()]), 1);
    assert!(
        result
            .stderr
            .contains("late-bad.csv:12002, column `action`"),
        "{}",
        result.stderr
    );
    for subject in ["email:late0@example.com", "email:late11999@example.com"] {
        let history = env.json(&["consent", "history", "--subject", subject], 0);
        assert_eq!(
            history["events"],
            serde_json::json!([]),
            "{subject}: {history}"
        );
    }
    let count_after = env.json(
        &["consent", "history", "--subject", "email:c@example.com"],
        0,
    )["events"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(count_before, count_after, "a failed import imports nothing");
    let after = env
        .json(&["audit", "log", "--action", "consent.import"], 0)
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, 2, "failed imports leave no audit entry");

    // An export can be imported again (round trip), adding nothing new.
    let out = dir.join("all.csv");
    env.json(&["consent", "export", "--out", out.to_str().unwrap()], 0);
    let round = env.json(&["consent", "import", out.to_str().unwrap()], 0);
    assert_eq!(round["rows"], 3);
    assert_eq!(round["inserted"], 0);
    // Export refuses to overwrite without --force.
    expect(
        env.cmd(&["consent", "export", "--out", out.to_str().unwrap()]),
        1,
    );
    assert_eq!(env.json(&["audit", "verify"], 0)["ok"], true);
}

#[test]
fn import_on_sqlite() {
    let env = Env::sqlite();
    import_cases(&env);
    assert_eq!(event_count(&env), 4);
}

#[test]
fn import_on_postgres() {
    if let Some(env) = Env::postgres("import_on_postgres") {
        import_cases(&env);
    }
}

/// One state-store query's first column, whichever engine holds the store.
fn state_strings(env: &Env, sql: &str) -> Vec<String> {
    match &env.state {
        Some(db) => common::server_strings(db, sql),
        None => common::sqlite_strings(&env.demo.dir.join(".privops/state.db"), sql),
    }
}

/// A long import whose later batches repeat events recorded before, and a row repeated
/// within one batch: each event is recorded once, each subject once, the counts say so,
/// and the batches before the first repeat are kept (PostgreSQL sends batches as plain
/// inserts until one meets an event recorded already, then sends that batch again).
/// Expected rows are counted by hand-written SQL.
fn repeated_import_cases(env: &Env) {
    let dir = &env.demo.dir;
    let row = |i: usize| {
        format!(
            "email:rep{}@example.com,marketing,{},2026-01-{:02}T00:{:02}:{:02}Z,web,\n",
            i % 7_000,
            if i % 3 == 0 { "withdraw" } else { "grant" },
            1 + i / 3_600 % 28,
            i / 60 % 60,
            i % 60
        )
    };
    let header = "subject,purpose,action,at,channel,evidence\n";
    // First import: events 12,000..17,000.
    let first = dir.join("first.csv");
    std::fs::write(
        &first,
        header.to_string() + &(12_000..17_000).map(row).collect::<String>(),
    )
    .unwrap();
    assert_eq!(
        env.json(&["consent", "import", first.to_str().unwrap()], 0)["inserted"],
        5_000
    );
    // Second: events 0..25,000, with event 100 twice in the first batch of 10,000.
    let second = dir.join("second.csv");
    let mut text = header.to_string() + &row(100);
    text.extend((0..25_000).map(row));
    std::fs::write(&second, text).unwrap();
    let imported = env.json(&["consent", "import", second.to_str().unwrap()], 0);
    assert_eq!(imported["rows"], 25_001);
    assert_eq!(imported["inserted"], 20_000, "{imported}");
    assert_eq!(imported["already_recorded"], 5_001, "{imported}");
    let count = |sql: &str| state_strings(env, sql)[0].parse::<usize>().unwrap();
    assert_eq!(
        count(
            "SELECT CAST(COUNT(*) AS TEXT) FROM consent_events WHERE purpose_id = 'marketing' AND channel = 'web' AND at LIKE '2026-01-%'"
        ),
        25_000
    );
    assert_eq!(
        count(
            "SELECT CAST(COUNT(*) AS TEXT) FROM (SELECT subject_ref, at, event_key FROM consent_events GROUP BY subject_ref, at, event_key HAVING COUNT(*) > 1) AS twice"
        ),
        0
    );
    // 7,000 subjects of this test, each kept once.
    assert_eq!(
        count("SELECT CAST(COUNT(*) AS TEXT) FROM subjects WHERE identity LIKE 'rep%@example.com'"),
        7_000
    );
    assert_eq!(
        count(
            "SELECT CAST(COUNT(DISTINCT identity) AS TEXT) FROM subjects WHERE identity LIKE 'rep%@example.com'"
        ),
        7_000
    );
    // The same file again adds nothing.
    let again = env.json(&["consent", "import", second.to_str().unwrap()], 0);
    assert_eq!(again["inserted"], 0, "{again}");
    assert_eq!(env.json(&["audit", "verify"], 0)["ok"], true);
}

#[test]
fn repeated_imports_on_sqlite() {
    repeated_import_cases(&Env::sqlite());
}

#[test]
fn repeated_imports_on_postgres() {
    if let Some(env) = Env::postgres("repeated_imports") {
        repeated_import_cases(&env);
    }
}

/// What a command wrote is in the SQLite store's file when it ends, not only in the
/// write-ahead log beside it: the next command does not rebuild the log's index by reading
/// it all, and the file is synced. The store's file is read alone (copied without its log,
/// opened immutable), so the count comes from the file and nothing else.
#[test]
fn what_a_command_writes_is_folded_into_the_store_file_on_sqlite() {
    let env = Env::sqlite();
    let state = env.demo.dir.join(".privops/state.db");
    let log = env.demo.dir.join(".privops/state.db-wal");
    let file_alone = |sql: &str| -> Vec<String> {
        let copy = env.demo.temp.path().join("file-alone.db");
        std::fs::copy(&state, &copy).unwrap();
        let sql = sql.to_string();
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&copy)
            .immutable(true)
            .read_only(true);
        let found = common::block_on(async move {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect_with(&options)
                .await
                .unwrap();
            let rows: Vec<(String,)> = sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap();
            conn.close().await.unwrap();
            rows.into_iter().map(|(s,)| s).collect()
        });
        std::fs::remove_file(&copy).unwrap();
        found
    };
    let log_size = || std::fs::metadata(&log).map_or(0, |m| m.len());
    let count = "SELECT CAST(COUNT(*) AS TEXT) FROM consent_events";
    let before: usize = file_alone(count)[0].parse().unwrap();

    env.json(
        &[
            "consent",
            "withdraw",
            "--subject",
            "email:w@example.com",
            "--purpose",
            "marketing",
        ],
        0,
    );
    assert_eq!(log_size(), 0, "the withdrawal was left in the log");
    assert_eq!(
        file_alone("SELECT action FROM consent_events ORDER BY id DESC LIMIT 1"),
        ["withdraw"],
        "the withdrawal is in the store's file"
    );

    let rows = 3_000;
    let mut csv = String::from("subject,purpose,action,at,channel,evidence\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "email:u{i}@example.com,marketing,grant,2026-02-01T00:00:00Z,web,form-{i}\n"
        ));
    }
    let file = env.demo.dir.join("many.csv");
    std::fs::write(&file, csv).unwrap();
    let imported = env.json(&["consent", "import", file.to_str().unwrap()], 0);
    assert_eq!(imported["inserted"], rows);
    assert_eq!(log_size(), 0, "the import was left in the log");
    assert_eq!(
        file_alone(count),
        [(before + 1 + rows).to_string()],
        "every imported event is in the store's file"
    );
}

#[cfg(unix)]
#[test]
fn exports_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::sqlite();
    let out = env.demo.dir.join("c.csv");
    env.json(&["consent", "export", "--out", out.to_str().unwrap()], 0);
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o077,
        0
    );
}

fn concurrent(env: &Env) {
    // Create the store before the race, as a deployed store would be.
    env.json(&["purpose", "list"], 0);
    let children: Vec<std::process::Child> = (0..6)
        .map(|i| {
            let mut command = env.cmd(&[
                "consent",
                "grant",
                "--subject",
                &format!("email:user{i}@example.com"),
                "--purpose",
                "marketing",
                "--quiet",
            ]);
            command.stdout(std::process::Stdio::null());
            command.spawn().unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    for i in 0..6 {
        assert_eq!(
            env.check(&format!("email:user{i}@example.com"), "marketing")
                .0,
            0
        );
    }
    let grants = env.json(&["audit", "log", "--action", "consent.grant"], 0);
    assert_eq!(grants.as_array().unwrap().len(), 6);
    assert_eq!(env.json(&["audit", "verify"], 0)["ok"], true);
}

#[test]
fn concurrent_grants_lose_nothing_on_sqlite() {
    concurrent(&Env::sqlite());
}

#[test]
fn concurrent_grants_lose_nothing_on_postgres() {
    if let Some(env) = Env::postgres("concurrent_grants_lose_nothing_on_postgres") {
        concurrent(&env);
    }
}

/// A `sqlite://` state URL is percent-decoded, as a source's is: `my%20store.db` is the
/// file `my store.db`, made by `init` and read by a grant and a check (on this thread and
/// in a batch) through the URL and through the plain path alike. A plain path is taken
/// as it is written.
#[test]
fn a_percent_encoded_sqlite_state_url_names_the_decoded_file() {
    let demo = Demo::new();
    let folder = demo.temp.path().join("stores 100%");
    std::fs::create_dir(&folder).unwrap();
    let url = format!("sqlite://{}/my%20store.db", folder.display())
        .replace("stores 100%", "stores%20100%25");
    let file = folder.join("my store.db");
    let with = |state: &str, args: &[&str]| {
        let mut command = demo.cmd(args);
        command.args(["--state", state]);
        command
    };
    expect(with(&url, &["init"]), 0);
    assert!(file.is_file(), "init made {}", file.display());
    let names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".db"))
        .collect();
    assert_eq!(
        names,
        ["my store.db"],
        "no file named after the encoded text"
    );
    let subject = &demo.samples[0];
    expect(
        with(
            &url,
            &[
                "consent",
                "grant",
                "--subject",
                subject,
                "--purpose",
                "marketing",
            ],
        ),
        0,
    );
    let list = demo.temp.path().join("subjects.txt");
    std::fs::write(&list, format!("{subject}\n")).unwrap();
    for state in [url.as_str(), file.to_str().unwrap()] {
        let check = &[
            "consent",
            "check",
            "--subject",
            subject,
            "--purpose",
            "marketing",
        ];
        expect(with(state, check), 0);
        let batch = &[
            "consent",
            "check",
            "--purpose",
            "marketing",
            "--batch",
            list.to_str().unwrap(),
        ];
        expect(with(state, batch), 0);
    }
    // The new store holds the one grant, and nothing of the demo's own store.
    let history = expect(
        with(
            &url,
            &[
                "consent",
                "history",
                "--subject",
                subject,
                "--format",
                "json",
            ],
        ),
        0,
    )
    .json();
    let events = history
        .as_array()
        .map_or_else(|| history["events"].as_array().unwrap().len(), |a| a.len());
    assert_eq!(events, 1, "{history}");
}

/// A SQLite store file this process cannot write (owner-read-only, or immutable where
/// the tests run as root) in a folder it can: checks, a batch, the request list and the
/// audit verification read it; a grant is refused with the store's own reason, and the
/// file is unchanged.
#[test]
fn a_read_only_sqlite_store_answers_reads_and_refuses_writes() {
    let env = Env::sqlite();
    let subject = env.demo.samples[0].clone();
    let grant = [
        "consent",
        "grant",
        "--subject",
        &subject,
        "--purpose",
        "marketing",
    ];
    expect(env.cmd(&grant), 0);
    let state = env.demo.dir.join(".privops/state.db");
    // Folded into the file by the grant; the check below must read the file itself.
    let before = std::fs::read(&state).unwrap();

    let writable = || std::fs::OpenOptions::new().write(true).open(&state).is_ok();
    let _guard = NoWrite::new(&state, 0o400, 0o600, &writable);

    let list = env.demo.temp.path().join("subjects.txt");
    std::fs::write(&list, format!("{subject}\n")).unwrap();
    expect(
        env.cmd(&[
            "consent",
            "check",
            "--subject",
            &subject,
            "--purpose",
            "marketing",
        ]),
        0,
    );
    env.batch(&list, &[], 0);
    expect(
        env.cmd(&[
            "processing",
            "check",
            "--subject",
            &subject,
            "--purpose",
            "marketing",
        ]),
        0,
    );
    expect(env.cmd(&["request", "list"]), 0);
    expect(env.cmd(&["audit", "verify"]), 0);
    let refused = expect(env.cmd(&grant), 1);
    assert!(
        refused.stderr.contains("readonly") || refused.stderr.contains("read-only"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("cannot create"),
        "nothing is being created: {}",
        refused.stderr
    );
    assert!(
        std::fs::read(&state).unwrap() == before,
        "the store file is unchanged"
    );
}

/// A SQLite store in a folder this process cannot write (mode 0500, or immutable where
/// the tests run as root): SQLite would make the log and its index beside the store to
/// read it, and cannot. The command says so at once, naming the store and the folder,
/// instead of waiting out the store's timeout; once an earlier command left the log
/// there, reads go on in that folder.
#[test]
fn a_sqlite_store_in_a_folder_that_cannot_be_written_is_named_at_once() {
    let env = Env::sqlite();
    let subject = env.demo.samples[0].clone();
    expect(
        env.cmd(&[
            "consent",
            "grant",
            "--subject",
            &subject,
            "--purpose",
            "marketing",
        ]),
        0,
    );
    let folder = env.demo.dir.join(".privops");
    let state = folder.join("state.db");
    let logs = ["state.db-wal", "state.db-shm"].map(|n| folder.join(n));
    for log in &logs {
        let _ = std::fs::remove_file(log);
    }
    let before = std::fs::read(&state).unwrap();
    let check = [
        "consent",
        "check",
        "--subject",
        &subject,
        "--purpose",
        "marketing",
    ];

    {
        let _guard = NoWrite::folder(&folder);
        for args in [&check[..], &["request", "list"]] {
            let refused = expect(env.cmd(args), 1);
            for named in [
                state.to_str().unwrap(),
                folder.to_str().unwrap(),
                "cannot be written",
            ] {
                assert!(
                    refused.stderr.contains(named),
                    "{args:?}: {}",
                    refused.stderr
                );
            }
            assert!(!refused.stderr.contains("timed out"), "{}", refused.stderr);
        }
    }
    assert!(
        std::fs::read(&state).unwrap() == before,
        "the store file is unchanged"
    );
    assert!(logs.iter().all(|l| !l.exists()), "no log was made");

    // A check in the writable folder leaves the log and its index; reads then go on.
    expect(env.cmd(&check), 0);
    assert!(
        logs.iter().all(|l| l.exists()),
        "the check left the log for the next"
    );
    let _guard = NoWrite::folder(&folder);
    expect(env.cmd(&check), 0);
    expect(env.cmd(&["request", "list"]), 0);
}
