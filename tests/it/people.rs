//! What people read: tables that fit 80 columns without splitting a word, help with
//! examples and global options under their own heading (snapshot-tested), man pages with
//! the sections man readers expect, and the auditor's report and archives.

use std::path::Path;

use serde_json::Value;

use crate::common::{self, Demo, expect, privops, zip_entry, zip_names};

/// The width a terminal shows: ANSI codes excluded.
fn width(line: &str) -> usize {
    let mut n = 0;
    let mut escape = false;
    for c in line.chars() {
        match (escape, c) {
            (false, '\x1b') => escape = true,
            (true, 'm') => escape = false,
            (true, _) => {}
            (false, _) => n += 1,
        }
    }
    n
}

fn at_80(demo: &Demo, args: &[&str]) -> String {
    let mut command = demo.cmd(args);
    command.env("COLUMNS", "80");
    let run = common::run(command);
    assert!(
        run.code == 0 || run.code == 4,
        "{args:?}: exit {}: {}",
        run.code,
        run.stderr
    );
    run.stdout
}

/// Every table privops prints fits 80 columns: a long cell is shortened with `…`, never
/// wrapped, so each row is one line and ids and times stay whole.
#[test]
fn tables_fit_80_columns_without_splitting_words() {
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
            "--channel",
            "web",
            "--evidence",
            "signed the long-form paper consent at the reception desk in the Haifa office",
        ]),
        0,
    );
    let opened = expect(
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
    let request = opened["id"].as_str().unwrap().to_string();
    expect(
        demo.cmd(&["erase", "--request", &request, "--yes", "--format", "json"]),
        4,
    );

    let time = regex_lite_time();
    let shown = [
        at_80(&demo, &["request", "list"]),
        at_80(&demo, &["request", "show", &request]),
        at_80(&demo, &["audit", "log"]),
        at_80(
            &demo,
            &["consent", "history", "--subject", &demo.samples[1]],
        ),
        at_80(&demo, &["purpose", "list"]),
        at_80(&demo, &["purpose", "show", "marketing"]),
        at_80(&demo, &["retention", "plan"]),
        at_80(&demo, &["retention", "sweep", "--dry-run"]),
        at_80(
            &demo,
            &["erase", "--subject", &demo.samples[2], "--dry-run"],
        ),
    ];
    for output in &shown {
        for line in output.lines() {
            assert!(
                width(line) <= 80,
                "{} columns: {line}\n{output}",
                width(line)
            );
        }
    }
    // The request id is whole on its row, the audit log shows times to the second.
    assert!(
        shown[0].lines().any(|l| l.starts_with(&request)),
        "{}",
        shown[0]
    );
    let log = &shown[2];
    let rows: Vec<&str> = log.lines().skip(1).collect();
    assert!(!rows.is_empty());
    for row in rows {
        let at = row
            .split_whitespace()
            .skip(1)
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(time(&at), "`{at}` is not a whole time to the second: {row}");
    }
    // Long detail goes on lines of its own, below the table, not in a narrow column.
    assert!(
        shown[1]
            .lines()
            .any(|l| l.starts_with("source:") && l.contains("deleted")),
        "{}",
        shown[1]
    );
    assert!(
        !shown[1].contains("{\""),
        "no raw JSON in request show:\n{}",
        shown[1]
    );
}

/// `YYYY-MM-DD HH:MM:SS`.
fn regex_lite_time() -> impl Fn(&str) -> bool {
    |text: &str| {
        let b = text.as_bytes();
        b.len() == 19
            && b.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                10 => *c == b' ',
                13 | 16 => *c == b':',
                _ => c.is_ascii_digit(),
            })
    }
}

/// Every command path of the binary, from its `--help` listings.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut command = privops(root);
        command.args(&prefix).arg("--help");
        let help = expect(command, 0).stdout;
        out.push(prefix.clone());
        let Some(listing) = help.split("Commands:\n").nth(1) else {
            return;
        };
        for line in listing.lines() {
            if line.is_empty() || !line.starts_with("  ") {
                break;
            }
            let name = line.split_whitespace().next().unwrap().to_string();
            if name == "help" {
                continue;
            }
            let mut path = prefix.clone();
            path.push(name);
            walk(path, out);
        }
    }
    let mut out = Vec::new();
    walk(Vec::new(), &mut out);
    out
}

/// Each command's `--help` says what it does, lists the global options under their own
/// heading and ends with examples; the text is compared with `tests/snapshots/help/`
/// (`PRIVOPS_BLESS=1` rewrites it), so a change to the help shows in review.
#[test]
fn every_command_has_help_with_examples_and_a_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/snapshots/help");
    let bless = std::env::var_os("PRIVOPS_BLESS").is_some();
    let paths = command_paths();
    assert!(paths.len() > 30, "{paths:?}");
    let mut names = Vec::new();
    for path in &paths {
        let mut command = privops(root);
        command.env("COLUMNS", "100").args(path).arg("--help");
        let help = expect(command, 0).stdout;
        let name = if path.is_empty() {
            "privops".to_string()
        } else {
            format!("privops-{}", path.join("-"))
        };
        let first = help.lines().next().unwrap_or_default();
        assert!(
            !first.trim().is_empty() && !first.starts_with("Usage"),
            "{name} has no description:\n{help}"
        );
        assert!(help.contains("Global options:"), "{name}:\n{help}");
        let examples = help.split("Examples:\n").nth(1);
        assert!(
            examples.is_some_and(|e| e.lines().filter(|l| l.contains("privops ")).count() >= 1),
            "{name} has no examples:\n{help}"
        );
        let file = dir.join(format!("{name}.txt"));
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&file, &help).unwrap();
        } else {
            let committed = std::fs::read_to_string(&file).unwrap_or_default();
            assert!(
                committed == help,
                "{} is stale: run `PRIVOPS_BLESS=1 cargo test --test it help` and review the diff",
                file.display()
            );
        }
        names.push(format!("{name}.txt"));
    }
    let committed: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !names.contains(n))
        .collect();
    assert!(
        committed.is_empty(),
        "snapshots of commands that no longer exist: {committed:?}"
    );
    // The top-level help describes every command it lists.
    let mut command = privops(root);
    command.arg("--help");
    let help = expect(command, 0).stdout;
    let listing = help.split("Commands:\n").nth(1).unwrap();
    for line in listing.lines().take_while(|l| l.starts_with("  ")) {
        assert!(
            line.split_whitespace().count() > 1,
            "`{}` has no description in --help",
            line.trim()
        );
    }
}

/// Man pages carry EXAMPLES, EXIT STATUS, ENVIRONMENT and FILES.
#[test]
fn man_pages_have_the_sections_man_readers_expect() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let temp = tempfile::tempdir().unwrap();
    let mut command = privops(root);
    command.args(["man", "--out"]).arg(temp.path());
    expect(command, 0);
    let mut pages = 0;
    for entry in std::fs::read_dir(temp.path()).unwrap() {
        let path = entry.unwrap().path();
        let page = std::fs::read_to_string(&path).unwrap();
        for section in [
            ".SH EXAMPLES",
            ".SH \"EXIT STATUS\"",
            ".SH ENVIRONMENT",
            ".SH FILES",
        ] {
            assert!(page.contains(section), "{} lacks {section}", path.display());
        }
        pages += 1;
    }
    assert!(pages > 30);
    let erase = std::fs::read_to_string(temp.path().join("privops-erase.1")).unwrap();
    assert!(
        erase.contains("privops erase \\-\\-request REQ\\-000001 \\-\\-yes"),
        "{erase}"
    );
}

/// The auditor's report names the organisation, the DPO and the period; shows retention
/// per table with what holds kept and why, provider calls with their answers, open manual
/// tasks, deadlines met and missed, the key the chain was checked against, and the policy
/// with the date it came into force.
#[test]
fn the_auditors_report_says_who_what_and_against_which_key() {
    let demo = Demo::new();
    let subject = demo.samples[0].clone();
    let opened = expect(
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
    let request = opened["id"].as_str().unwrap().to_string();
    // A dry run shows each provider call with the values it will send; the receipt keeps
    // them shortened.
    let plan = expect(demo.cmd(&["erase", "--request", &request, "--dry-run"]), 0).stdout;
    assert!(
        plan.contains("DELETE /calendars/primary/events/evt_") && !plan.contains("{crm."),
        "{plan}"
    );
    // The demo's providers are not configured: their calls fail, and manual tasks stay open.
    expect(
        demo.cmd(&["erase", "--request", &request, "--yes", "--format", "json"]),
        4,
    );
    let mut receipts = String::new();
    for entry in std::fs::read_dir(demo.dir.join(".privops/receipts")).unwrap() {
        receipts.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    assert!(
        receipts.contains("DELETE /calendars/primary/events/ev***"),
        "{receipts}"
    );
    expect(demo.cmd(&["retention", "sweep", "--format", "json"]), 0);
    expect(demo.cmd(&["audit", "checkpoint"]), 0);
    let report = demo.dir.join("report.html");
    expect(
        demo.cmd(&[
            "audit",
            "report",
            "--format",
            "html",
            "--out",
            report.to_str().unwrap(),
        ]),
        0,
    );
    let html = std::fs::read_to_string(&report).unwrap();
    let controller = std::fs::read_to_string(demo.dir.join("policies/controller.toml")).unwrap();
    let value = |key: &str| {
        controller
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{key} = \"")))
            .map(|rest| rest.split('"').next().unwrap().to_string())
    };
    let organisation = value("organisation").expect("the demo names its organisation");
    assert!(html.contains(&organisation), "organisation missing");
    let dpo_line = controller
        .lines()
        .find(|l| l.trim_start().starts_with("dpo"))
        .unwrap();
    let dpo_name = dpo_line
        .split("name = \"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(html.contains(dpo_name), "DPO `{dpo_name}` missing");
    for needle in [
        "Period:",
        "deadline met",
        "closed late",
        "Manual erasure tasks still open",
        &request,
        "privops request confirm-manual",
        "Calls to providers",
        "failed",
        "Rows kept by erasures under a hold",
        "Held at the last sweep, and why",
        "In force from",
        "against the workspace&#x27;s signing key",
        "Key fingerprint",
        "@media print",
    ] {
        assert!(html.contains(needle), "the report lacks `{needle}`");
    }
    // The JSON view holds the same facts for scripts.
    let json: Value = expect(demo.cmd(&["audit", "report", "--format", "json"]), 0).json();
    assert_eq!(json["controller"]["organisation"], organisation.as_str());
    assert!(json["chain"]["checkpoints_verified"].as_u64().unwrap() >= 1);
    assert!(!json["manual_tasks_open"].as_array().unwrap().is_empty());
    assert!(!json["retention"]["tables"].as_array().unwrap().is_empty());
    assert!(json["policy_versions"][0]["since"].as_str().unwrap().len() == 19);
}

/// The access and audit archives carry `SHA256SUMS`, which `sha256sum -c` accepts as it
/// is and rejects after a file changes; VERIFY.md gives the key's fingerprint to compare.
#[test]
fn archives_carry_sha256sums_that_sha256sum_checks() {
    let demo = Demo::new();
    let subject = demo.samples[0].clone();
    expect(demo.cmd(&["audit", "checkpoint"]), 0);
    let audit_zip = demo.dir.join("audit.zip");
    expect(
        demo.cmd(&["audit", "export", "--out", audit_zip.to_str().unwrap()]),
        0,
    );
    let access_zip = demo.dir.join("access.zip");
    let access = common::run(demo.cmd(&[
        "access",
        "--subject",
        &subject,
        "--out",
        access_zip.to_str().unwrap(),
        "--no-providers",
    ]));
    assert_eq!(access.code, 0, "{}", access.stderr);
    for archive in [&audit_zip, &access_zip] {
        let names = zip_names(archive);
        assert!(names.contains(&"SHA256SUMS".to_string()), "{names:?}");
        let folder = demo.dir.join(format!(
            "open-{}",
            archive.file_stem().unwrap().to_string_lossy()
        ));
        std::fs::create_dir_all(&folder).unwrap();
        for name in &names {
            let path = folder.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, zip_entry(archive, name).unwrap()).unwrap();
        }
        let check = std::process::Command::new("sha256sum")
            .args(["-c", "SHA256SUMS"])
            .current_dir(&folder)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
        let listed = zip_entry(archive, "SHA256SUMS").unwrap();
        assert_eq!(
            listed.lines().count(),
            names.len() - 1,
            "every file but itself"
        );
        assert!(listed.contains("  manifest.json"));
        // A changed file fails the check.
        std::fs::write(folder.join("manifest.json"), "{}").unwrap();
        let check = std::process::Command::new("sha256sum")
            .args(["-c", "--quiet", "SHA256SUMS"])
            .current_dir(&folder)
            .output()
            .unwrap();
        assert!(!check.status.success());
        expect(
            demo.cmd(&["archive", "verify", archive.to_str().unwrap()]),
            0,
        );
    }
    let verify = zip_entry(&audit_zip, "VERIFY.md").unwrap();
    let pem = zip_entry(&audit_zip, "public_key.pem").unwrap();
    use sha2::Digest;
    let fingerprint = hex::encode(sha2::Sha256::digest(pem.as_bytes()));
    assert!(
        verify.contains(&fingerprint),
        "VERIFY.md gives the key's fingerprint"
    );
    assert!(verify.contains("another") && verify.contains("sha256sum -c SHA256SUMS"));
}

/// `privops init --state postgres://…` prepares a team's shared store once: it says it
/// created it, a second run changes nothing and says so, and the store is ready for use.
#[test]
fn init_prepares_a_postgresql_state_store_once() {
    let Some(db) =
        crate::common::TestDatabase::postgres("init_prepares_a_postgresql_state_store_once")
    else {
        return;
    };
    let demo = Demo::new();
    let init = |expected: bool| {
        let run = expect(
            demo.cmd(&["init", "--state", &db.url, "--format", "json"]),
            0,
        )
        .json();
        assert_eq!(run["created"], expected, "{run}");
        assert!(!run["state"].as_str().unwrap().contains("password"));
    };
    init(true);
    init(false);
    expect(
        demo.cmd(&[
            "consent",
            "grant",
            "--subject",
            &demo.samples[0],
            "--purpose",
            "marketing",
            "--state",
            &db.url,
        ]),
        0,
    );
    let events = crate::common::server_strings(&db, "SELECT purpose_id FROM consent_events");
    assert_eq!(events, ["marketing"]);
}
