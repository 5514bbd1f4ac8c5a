#![allow(clippy::disallowed_macros)] // tests report skips on stderr
//! Audit reports against a scripted history, signed checkpoints, auditor archives
//! verified offline, tampering and truncation, and the HTML report in a browser.

use crate::common;

use std::path::Path;

use crate::common::{Demo, expect, zip_entry};
use serde_json::Value;

fn json(demo: &Demo, args: &[&str], code: i32) -> Value {
    let mut full = args.to_vec();
    full.extend(["--format", "json"]);
    expect(demo.cmd(&full), code).json()
}

#[test]
fn the_report_counts_a_scripted_history() {
    let demo = Demo::new();
    let subject = demo.samples[0].clone();
    // Consent: 3 grants and 1 withdrawal for marketing, 1 grant for ai_features, by hand;
    // an import adds 2 marketing grants and 1 withdrawal.
    for who in ["a", "b", "c"] {
        json(
            &demo,
            &[
                "consent",
                "grant",
                "--subject",
                &format!("email:{who}@example.com"),
                "--purpose",
                "marketing",
            ],
            0,
        );
    }
    json(
        &demo,
        &[
            "consent",
            "withdraw",
            "--subject",
            "email:a@example.com",
            "--purpose",
            "marketing",
        ],
        0,
    );
    json(
        &demo,
        &[
            "consent",
            "grant",
            "--subject",
            "email:a@example.com",
            "--purpose",
            "ai_features",
        ],
        0,
    );
    let csv_path = demo.dir.join("import.csv");
    std::fs::write(&csv_path, "subject,purpose,action,at\nemail:d@example.com,marketing,grant,2026-01-01T00:00:00Z\nemail:e@example.com,marketing,grant,2026-01-01T00:00:00Z\nemail:d@example.com,marketing,withdraw,2026-02-01T00:00:00Z\n").unwrap();
    json(&demo, &["consent", "import", csv_path.to_str().unwrap()], 0);
    // Requests: one long overdue, one answered and closed on time.
    json(
        &demo,
        &[
            "request",
            "open",
            "--kind",
            "access",
            "--subject",
            "email:a@example.com",
            "--received",
            "2026-01-05",
        ],
        0,
    );
    let fresh = json(
        &demo,
        &["request", "open", "--kind", "access", "--subject", &subject],
        0,
    );
    let id = fresh["id"].as_str().unwrap().to_string();
    let export = json(
        &demo,
        &[
            "access",
            "--subject",
            &subject,
            "--request",
            &id,
            "--out",
            "answer.zip",
            "--no-providers",
        ],
        0,
    );
    json(&demo, &["request", "close", &id], 0);
    // One erasure (its manual tasks confirmed) and one retention sweep.
    let erased = json(
        &demo,
        &["erase", "--subject", "email:b@example.com", "--yes"],
        0,
    );
    assert_eq!(erased["complete"], true);
    let sweep = json(&demo, &["retention", "sweep"], 0);
    let swept: i64 = sweep["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["action"] != "rollup")
        .map(|t| t["done"].as_i64().unwrap())
        .sum();
    let rolled: i64 = sweep["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["action"] == "rollup")
        .map(|t| t["done"].as_i64().unwrap())
        .sum();

    let report = json(&demo, &["audit", "report"], 0);
    assert_eq!(
        report["requests"]["received"], 3,
        "two opened by hand, one by the erasure"
    );
    assert_eq!(report["requests"]["closed"], 2);
    assert_eq!(report["requests"]["overdue"], 1);
    assert_eq!(report["requests"]["closed_late"], 0);
    let purpose = |p: &str| {
        report["consent"]["per_purpose"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["purpose"] == p)
            .unwrap()
            .clone()
    };
    assert_eq!(purpose("marketing")["grants"], 5);
    assert_eq!(purpose("marketing")["withdrawals"], 2);
    assert_eq!(purpose("ai_features")["grants"], 1);
    assert_eq!(report["consent"]["imports"], 1);
    assert_eq!(report["exports"]["count"], 1);
    let exported: i64 = report["exports"]["rows_per_source"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(exported, export["total_rows"].as_i64().unwrap());
    assert_eq!(report["erasures"]["completed"], 1);
    assert_eq!(report["retention"]["deleted"].as_i64().unwrap(), swept);
    assert_eq!(report["retention"]["rolled_up"].as_i64().unwrap(), rolled);
    assert_eq!(report["policy_versions"].as_array().unwrap().len(), 1);
    assert_eq!(report["chain"]["ok"], true);
    // A period that starts tomorrow holds nothing but the policy in force.
    let empty = json(&demo, &["audit", "report", "--from", "2999-01-01"], 0);
    assert_eq!(empty["requests"]["received"], 0);
    assert_eq!(empty["policy_versions"].as_array().unwrap().len(), 1);
    // Markdown and CSV carry the same figures.
    let md = expect(demo.cmd(&["audit", "report", "--format", "md"]), 0).stdout;
    assert!(md.contains("| `marketing` | 5 | 2 |"), "{md}");
    let csv_text = expect(demo.cmd(&["audit", "report", "--format", "csv"]), 0).stdout;
    assert!(
        csv_text.lines().any(|l| l == "consent grants,marketing,5"),
        "{csv_text}"
    );
}

#[test]
fn checkpoints_catch_truncation_and_foreign_keys() {
    let demo = Demo::new();
    for who in ["a", "b", "c", "d"] {
        json(
            &demo,
            &[
                "consent",
                "grant",
                "--subject",
                &format!("email:{who}@example.com"),
                "--purpose",
                "marketing",
            ],
            0,
        );
    }
    let signed = json(&demo, &["audit", "checkpoint"], 0);
    let size = signed["size"].as_i64().unwrap();
    assert!(
        signed["public_key"]
            .as_str()
            .unwrap()
            .contains("BEGIN PUBLIC KEY")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(demo.dir.join(".privops/audit-signing.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0);
    }
    json(
        &demo,
        &[
            "consent",
            "grant",
            "--subject",
            "email:e@example.com",
            "--purpose",
            "marketing",
        ],
        0,
    );
    let verified = json(&demo, &["audit", "verify"], 0);
    assert_eq!(verified["checkpoints"], 1);

    // A checkpoint signed with another key is rejected.
    let other = demo.dir.join("other.key");
    json(
        &demo,
        &["audit", "checkpoint", "--key", other.to_str().unwrap()],
        0,
    );
    let rejected = json(&demo, &["audit", "verify"], 3);
    assert!(
        rejected["checkpoint_problems"]
            .to_string()
            .contains("another key"),
        "{rejected}"
    );
    // Checkpoints are append-only (tests/audit.rs): the stray one goes only once its
    // trigger is dropped.
    let state = demo.dir.join(".privops/state.db");
    common::sqlite_execute(
        &state,
        "DROP TRIGGER audit_checkpoints_no_delete; DELETE FROM audit_checkpoints WHERE id = 2",
    );
    json(&demo, &["audit", "verify"], 0);

    // The tail is cut, entry by entry, to before the checkpoint: the chain that is left
    // verifies on its own, and only the checkpoint sees what happened.
    common::sqlite_execute(
        &state,
        &format!("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq >= {size};"),
    );
    let truncated = json(&demo, &["audit", "verify"], 3);
    assert!(truncated["broken"].is_null());
    assert!(
        truncated["checkpoint_problems"]
            .to_string()
            .contains("truncated"),
        "{truncated}"
    );
}

#[test]
fn a_rewritten_tail_is_caught_by_the_checkpoint() {
    let demo = Demo::new();
    for who in ["a", "b"] {
        json(
            &demo,
            &[
                "consent",
                "grant",
                "--subject",
                &format!("email:{who}@example.com"),
                "--purpose",
                "marketing",
            ],
            0,
        );
    }
    let signed = json(&demo, &["audit", "checkpoint"], 0);
    let size = signed["size"].as_i64().unwrap();
    // Rewrite the last signed entry and recompute its hash, as an attacker could.
    let state = demo.dir.join(".privops/state.db");
    let row = common::sqlite_strings(
        &state,
        &format!(
            "SELECT json_array(seq, at, actor, action, subject_ref, details, prev_hash) FROM audit_log WHERE seq = {size}"
        ),
    );
    let mut fields: Vec<Value> = serde_json::from_str(&row[0]).unwrap();
    fields[2] = Value::from("mallory");
    let hash = privops::audit::entry_hash(
        fields[0].as_i64().unwrap(),
        fields[1].as_str().unwrap(),
        "mallory",
        fields[3].as_str().unwrap(),
        fields[4].as_str(),
        fields[5].as_str().unwrap(),
        fields[6].as_str().unwrap(),
    );
    common::sqlite_execute(
        &state,
        &format!(
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; UPDATE audit_log SET actor = 'mallory', hash = '{hash}' WHERE seq = {size}; DELETE FROM audit_log WHERE seq > {size};"
        ),
    );
    let caught = json(&demo, &["audit", "verify"], 3);
    assert!(
        caught["broken"].is_null(),
        "the hashes themselves are consistent: {caught}"
    );
    assert!(
        caught["checkpoint_problems"]
            .to_string()
            .contains("rewritten"),
        "{caught}"
    );
}

fn rewrite_entry(archive: &Path, out: &Path, python: &str) {
    let script = format!(
        r#"
import hashlib, json, sys, zipfile
src = zipfile.ZipFile(sys.argv[1]); dst = zipfile.ZipFile(sys.argv[2], "w")
files = {{i.filename: src.read(i.filename) for i in src.infolist()}}
entries = [json.loads(l) for l in files["entries.jsonl"].decode().splitlines()]
{python}
files["entries.jsonl"] = "".join(json.dumps(e, separators=(",", ":"), ensure_ascii=False) + "\n" for e in entries).encode()
manifest = json.loads(files["manifest.json"])
for f in manifest["files"]:
    f["size"] = len(files[f["path"]]); f["sha256"] = hashlib.sha256(files[f["path"]]).hexdigest()
files["manifest.json"] = json.dumps(manifest).encode()
for name, data in files.items(): dst.writestr(name, data)
dst.close()
"#
    );
    let status = std::process::Command::new("python3")
        .args(["-c", &script])
        .arg(archive)
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn auditor_archives_verify_offline_and_catch_tampering() {
    let demo = Demo::new();
    for who in ["a", "b", "c"] {
        json(
            &demo,
            &[
                "consent",
                "grant",
                "--subject",
                &format!("email:{who}@example.com"),
                "--purpose",
                "marketing",
            ],
            0,
        );
    }
    json(&demo, &["audit", "checkpoint"], 0);
    json(
        &demo,
        &[
            "consent",
            "withdraw",
            "--subject",
            "email:a@example.com",
            "--purpose",
            "marketing",
        ],
        0,
    );
    let exported = json(&demo, &["audit", "export", "--out", "audit.zip"], 0);
    assert_eq!(exported["checkpoints"], 1);
    let archive = demo.dir.join("audit.zip");
    for file in [
        "entries.jsonl",
        "entries.csv",
        "report.html",
        "report.md",
        "checkpoints.json",
        "public_key.pem",
        "VERIFY.md",
        "manifest.json",
    ] {
        assert!(zip_entry(&archive, file).is_some(), "{file}");
    }
    // Verified without the state store: the workspace is gone.
    let elsewhere = tempfile::tempdir().unwrap();
    let copy = elsewhere.path().join("audit.zip");
    std::fs::copy(&archive, &copy).unwrap();
    let mut command = common::privops(elsewhere.path());
    command.args(["archive", "verify", "audit.zip", "--format", "json"]);
    let ok = expect(command, 0).json();
    assert_eq!(ok["kind"], "audit");
    // VERIFY.md's recipe works as written, in Python.
    let verify_md = zip_entry(&archive, "VERIFY.md").unwrap();
    let recipe = verify_md
        .split("```python\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    std::fs::write(
        elsewhere.path().join("entries.jsonl"),
        zip_entry(&archive, "entries.jsonl").unwrap(),
    )
    .unwrap();
    let run = std::process::Command::new("python3")
        .args(["-c", recipe])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    // An entry edited inside the archive, manifest recomputed: the chain catches it.
    let edited = demo.dir.join("edited.zip");
    rewrite_entry(&archive, &edited, "entries[1][\"actor\"] = \"mallory\"");
    let result = json(&demo, &["archive", "verify", edited.to_str().unwrap()], 3);
    assert!(
        result["problems"].to_string().contains("entry 2"),
        "{result}"
    );
    // Every hash recomputed after the edit: the signed checkpoint catches it.
    let rehashed = demo.dir.join("rehashed.zip");
    rewrite_entry(
        &archive,
        &rehashed,
        r#"entries[1]["actor"] = "mallory"
prev = entries[0]["hash"]
for e in entries[1:]:
    e["prev_hash"] = prev
    pre = json.dumps([e["seq"], e["at"], e["actor"], e["action"], e["subject_ref"], e["details"], e["prev_hash"]], separators=(",", ":"), ensure_ascii=False)
    e["hash"] = hashlib.sha256(pre.encode()).hexdigest()
    prev = e["hash"]"#,
    );
    let result = json(&demo, &["archive", "verify", rehashed.to_str().unwrap()], 3);
    assert!(
        result["problems"].to_string().contains("rewritten"),
        "{result}"
    );
}

#[test]
fn find_recognises_a_subject_after_erasure() {
    let demo = Demo::new();
    json(
        &demo,
        &[
            "consent",
            "grant",
            "--subject",
            "email:gone@example.com",
            "--purpose",
            "marketing",
        ],
        0,
    );
    json(
        &demo,
        &["erase", "--subject", "email:gone@example.com", "--yes"],
        0,
    );
    let found = json(
        &demo,
        &["audit", "find", "--subject", "email:Gone@Example.com"],
        0,
    );
    let actions: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"consent.grant") && actions.contains(&"erase.complete"),
        "{actions:?}"
    );
    let state = demo.dir.join(".privops/state.db");
    assert!(common::sqlite_strings(&state, "SELECT identity FROM subjects").is_empty());
}

#[test]
fn the_html_report_renders_in_chromium_without_console_errors() {
    let demo = Demo::new();
    json(
        &demo,
        &[
            "request",
            "open",
            "--kind",
            "access",
            "--subject",
            "email:a@example.com",
            "--received",
            "2026-09-01",
        ],
        0,
    );
    json(
        &demo,
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
    assert!(html.contains("<svg"), "the chart is inline SVG");
    // Self-contained: nothing is loaded from elsewhere (the SVG namespace is a name, not a load).
    for external in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "<script src",
        "<link ",
        "@import",
    ] {
        assert!(!html.contains(external), "the report loads `{external}`");
    }
    let chromium = ["chromium", "chromium-browser"].into_iter().find(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(chromium) = chromium else {
        eprintln!(
            "SKIPPED the browser part of the_html_report_renders_in_chromium_without_console_errors: Debian package `chromium` is not installed"
        );
        return;
    };
    let shot = demo.dir.join("report.png");
    let profile = demo.dir.join("chromium-profile");
    let output = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1100,1400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    let console_errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console_errors.is_empty(), "{console_errors:?}");
    let png = std::fs::read(&shot).expect("a screenshot was written");
    assert!(png.len() > 10_000 && png.starts_with(b"\x89PNG"));
}

fn grant_all(demo: &Demo, who: &[&str]) {
    for who in who {
        json(
            demo,
            &[
                "consent",
                "grant",
                "--subject",
                &format!("email:{who}@example.com"),
                "--purpose",
                "marketing",
            ],
            0,
        );
    }
}

/// Rewrites entry `from`'s actor and recomputes every hash from it on, as someone who
/// can write to the store (and drop its triggers) could: the chain stays consistent.
fn rewrite_chain_from(state: &Path, from: i64) {
    let rows = common::sqlite_strings(
        state,
        "SELECT json_array(seq, at, actor, action, subject_ref, details, hash) FROM audit_log ORDER BY seq",
    );
    let mut sql =
        String::from("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
    let mut prev = privops::audit::GENESIS.to_string();
    for row in rows {
        let fields: Vec<Value> = serde_json::from_str(&row).unwrap();
        let seq = fields[0].as_i64().unwrap();
        if seq < from {
            prev = fields[6].as_str().unwrap().to_string();
            continue;
        }
        let actor = if seq == from {
            "mallory"
        } else {
            fields[2].as_str().unwrap()
        };
        let hash = privops::audit::entry_hash(
            seq,
            fields[1].as_str().unwrap(),
            actor,
            fields[3].as_str().unwrap(),
            fields[4].as_str(),
            fields[5].as_str().unwrap(),
            &prev,
        );
        sql.push_str(&format!(
            "UPDATE audit_log SET actor = '{}', prev_hash = '{prev}', hash = '{hash}' WHERE seq = {seq};",
            actor.replace('\'', "''")
        ));
        prev = hash;
    }
    common::sqlite_execute(state, &sql);
}

#[test]
fn a_rewritten_chain_without_its_checkpoints_is_caught_by_a_trusted_key_or_an_expected_head() {
    let demo = Demo::new();
    grant_all(&demo, &["a", "b", "c"]);
    let signed = json(&demo, &["audit", "checkpoint"], 0);
    // The auditor keeps the public key and a head they saw, away from the store.
    let auditor = tempfile::tempdir().unwrap();
    let trusted = auditor.path().join("audit-signing.pub");
    std::fs::write(&trusted, signed["public_key"].as_str().unwrap()).unwrap();
    let trusted = trusted.to_str().unwrap().to_string();
    grant_all(&demo, &["d"]);
    let before = json(&demo, &["audit", "verify"], 0);
    let head = before["head"].as_str().unwrap().to_string();
    let anchored = json(
        &demo,
        &[
            "audit",
            "verify",
            "--trusted-key",
            &trusted,
            "--expect-head",
            &head,
        ],
        0,
    );
    assert_eq!(anchored["checkpoint_key"]["source"], "trusted-key");
    assert_eq!(anchored["verified_checkpoints"], 1);
    assert_eq!(anchored["expected_head"]["reached"], true);
    assert_eq!(anchored["expected_head"]["seq"], before["entries"]);

    // Entry 2 rewritten, every later hash recomputed, the checkpoint deleted.
    let state = demo.dir.join(".privops/state.db");
    rewrite_chain_from(&state, 2);
    common::sqlite_execute(
        &state,
        "DROP TRIGGER audit_checkpoints_no_delete; DELETE FROM audit_checkpoints;",
    );
    // With nothing from outside, the chain is consistent and verifies; only the
    // warning says no checkpoint vouches for it.
    let fooled = json(&demo, &["audit", "verify"], 0);
    assert!(fooled["broken"].is_null(), "{fooled}");
    assert_eq!(fooled["checkpoints"], 0);
    assert!(
        fooled["warnings"]
            .to_string()
            .contains("no verified signed checkpoint"),
        "{fooled}"
    );
    let caught = json(&demo, &["audit", "verify", "--trusted-key", &trusted], 3);
    assert!(
        caught["checkpoint_problems"]
            .to_string()
            .contains("no checkpoint is signed by the trusted key"),
        "{caught}"
    );
    let caught = json(&demo, &["audit", "verify", "--expect-head", &head], 3);
    assert_eq!(caught["expected_head"]["reached"], false, "{caught}");
    let human = expect(demo.cmd(&["audit", "verify", "--expect-head", &head]), 3);
    assert!(
        human.stdout.contains("EXPECTED HEAD NOT REACHED"),
        "{}",
        human.stdout
    );

    // A new signing key put where the old one was, and a fresh checkpoint: the key
    // beside the store vouches for the forgery, the trusted key does not.
    std::fs::remove_file(demo.dir.join(".privops/audit-signing.key")).unwrap();
    json(&demo, &["audit", "checkpoint"], 0);
    let fooled = json(&demo, &["audit", "verify"], 0);
    assert_eq!(fooled["verified_checkpoints"], 1);
    assert_eq!(fooled["checkpoint_key"]["source"], "signing-key");
    let caught = json(&demo, &["audit", "verify", "--trusted-key", &trusted], 3);
    assert!(
        caught["checkpoint_problems"]
            .to_string()
            .contains("another key than the trusted one"),
        "{caught}"
    );
}

#[test]
fn a_tail_cut_after_the_last_checkpoint_is_caught_by_the_expected_head() {
    let demo = Demo::new();
    grant_all(&demo, &["a", "b"]);
    let signed = json(&demo, &["audit", "checkpoint"], 0);
    let size = signed["size"].as_i64().unwrap();
    let trusted = demo.temp.path().join("audit-signing.pub");
    std::fs::write(&trusted, signed["public_key"].as_str().unwrap()).unwrap();
    let trusted = trusted.to_str().unwrap().to_string();
    grant_all(&demo, &["c", "d"]);
    let before = json(&demo, &["audit", "verify"], 0);
    let head = before["head"].as_str().unwrap().to_string();

    // Everything after the checkpoint's own entry goes: the checkpoint still holds.
    let state = demo.dir.join(".privops/state.db");
    common::sqlite_execute(
        &state,
        &format!(
            "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq > {};",
            size + 1
        ),
    );
    let fooled = json(&demo, &["audit", "verify", "--trusted-key", &trusted], 0);
    assert_eq!(fooled["entries"], size + 1);
    assert_eq!(fooled["verified_checkpoints"], 1);
    let caught = json(
        &demo,
        &[
            "audit",
            "verify",
            "--trusted-key",
            &trusted,
            "--expect-head",
            &head,
        ],
        3,
    );
    assert!(caught["broken"].is_null());
    assert_eq!(caught["checkpoint_problems"], serde_json::json!([]));
    assert_eq!(caught["expected_head"]["reached"], false, "{caught}");
    // A head the cut chain still holds (the signed one, in upper case) is reached.
    let signed_head = signed["head_hash"].as_str().unwrap().to_uppercase();
    let reached = json(
        &demo,
        &["audit", "verify", "--expect-head", &signed_head],
        0,
    );
    assert_eq!(reached["expected_head"]["seq"], size);
    expect(demo.cmd(&["audit", "verify", "--expect-head", "abc"]), 2);
}

#[test]
fn verify_warns_when_the_newest_checkpoint_is_too_old() {
    let demo = Demo::new();
    grant_all(&demo, &["a"]);
    let unsigned = expect(demo.cmd(&["audit", "verify"]), 0);
    assert!(
        unsigned.stderr.contains("no verified signed checkpoint"),
        "{}",
        unsigned.stderr
    );
    json(&demo, &["audit", "checkpoint"], 0);
    grant_all(&demo, &["b"]);
    let fresh = json(&demo, &["audit", "verify"], 0);
    assert_eq!(fresh["warnings"], serde_json::json!([]));
    assert_eq!(fresh["newest_checkpoint"], "2026-11-25T12:00:00.000000Z");
    assert_eq!(
        fresh["unsigned_entries"], 2,
        "the checkpoint's entry and b's"
    );
    let at = |now: &str, args: &[&str]| {
        let mut command = demo.cmd(&[&["audit", "verify"], args].concat());
        command.env("PRIVOPS_NOW", now);
        command
    };
    // Eight days later, the default (7 days) warns; the exit code stays 0.
    let stale = expect(at("2026-12-03T12:00:00Z", &[]), 0);
    assert!(
        stale.stderr.contains("warning")
            && stale
                .stderr
                .contains("newest verified checkpoint is from 2026-11-25"),
        "{}",
        stale.stderr
    );
    let stale = expect(at("2026-12-03T12:00:00Z", &["--format", "json"]), 0).json();
    assert!(
        stale["warnings"].to_string().contains("2 entries after"),
        "{stale}"
    );
    let allowed = expect(
        at(
            "2026-12-03T12:00:00Z",
            &["--max-checkpoint-age", "30d", "--format", "json"],
        ),
        0,
    )
    .json();
    assert_eq!(allowed["warnings"], serde_json::json!([]));
    let within = expect(at("2026-12-01T12:00:00Z", &["--format", "json"]), 0).json();
    assert_eq!(within["warnings"], serde_json::json!([]));
    expect(
        at("2026-12-03T12:00:00Z", &["--max-checkpoint-age", "soon"]),
        2,
    );
}

/// Rebuilds an audit archive as a forger would: entry 2 rewritten and every later hash
/// recomputed, the checkpoints re-signed with the forger's `key` (or dropped when
/// None), public_key.pem replaced and the manifest recomputed: everything inside agrees.
fn forge_audit_archive(archive: &Path, out: &Path, key: Option<&ed25519_dalek::SigningKey>) {
    use privops::audit::{Entry, checkpoint};
    let mut zip = zip::ZipArchive::new(std::fs::File::open(archive).unwrap()).unwrap();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        files.push((entry.name().to_string(), bytes));
    }
    let file = |name: &str| -> String {
        let (_, bytes) = files.iter().find(|(n, _)| n == name).unwrap();
        String::from_utf8(bytes.clone()).unwrap()
    };
    let mut manifest: Value = serde_json::from_str(&file("manifest.json")).unwrap();
    let mut entries: Vec<Entry> = file("entries.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    entries[1].actor = "mallory".into();
    for i in 1..entries.len() {
        let prev = entries[i - 1].hash.clone();
        let e = &mut entries[i];
        e.prev_hash = prev;
        e.hash = privops::audit::entry_hash(
            e.seq,
            &e.at,
            &e.actor,
            &e.action,
            e.subject_ref.as_deref(),
            &e.details,
            &e.prev_hash,
        );
    }
    let checkpoints: Vec<checkpoint::Checkpoint> =
        serde_json::from_str(&file("checkpoints.json")).unwrap();
    let resigned: Vec<checkpoint::Checkpoint> = match key {
        Some(key) => checkpoints
            .iter()
            .map(|c| {
                let head = &entries.iter().find(|e| e.seq == c.size).unwrap().hash;
                checkpoint::sign(key, &c.at, c.size, head).unwrap()
            })
            .collect(),
        None => Vec::new(),
    };
    let public_key = key.map_or(String::new(), |k| checkpoint::public_pem(k).unwrap());
    manifest["head"] = Value::from(entries.last().unwrap().hash.clone());
    let mut writer = privops::archive::ArchiveWriter::new(std::fs::File::create(out).unwrap());
    for (name, bytes) in &files {
        let bytes = match name.as_str() {
            "manifest.json" | "SHA256SUMS" => continue,
            "entries.jsonl" => entries
                .iter()
                .map(|e| serde_json::to_string(e).unwrap() + "\n")
                .collect::<String>()
                .into_bytes(),
            "checkpoints.json" => serde_json::to_vec_pretty(&resigned).unwrap(),
            "public_key.pem" => public_key.clone().into_bytes(),
            _ => bytes.clone(),
        };
        writer.add(name, &bytes).unwrap();
    }
    writer.finish(manifest).unwrap();
}

#[test]
fn archive_verify_trusts_no_key_inside_the_archive() {
    let demo = Demo::new();
    grant_all(&demo, &["a", "b", "c"]);
    let signed = json(&demo, &["audit", "checkpoint"], 0);
    let size = signed["size"].as_i64().unwrap();
    let trusted = demo.temp.path().join("controller.pub");
    std::fs::write(&trusted, signed["public_key"].as_str().unwrap()).unwrap();
    let trusted = trusted.to_str().unwrap().to_string();
    json(&demo, &["audit", "export", "--out", "audit.zip"], 0);
    let archive = demo.dir.join("audit.zip");
    let verify = |archive: &Path, key: bool, code: i32| {
        let mut args = vec!["archive", "verify", archive.to_str().unwrap()];
        if key {
            args.extend(["--trusted-key", trusted.as_str()]);
        }
        json(&demo, &args, code)
    };

    // Without a trusted key it says plainly what it did not check.
    let plain = verify(&archive, false, 0);
    assert_eq!(plain["authenticity"]["checked"], false);
    assert!(
        plain["authenticity"]["statement"]
            .as_str()
            .unwrap()
            .starts_with("only integrity was checked, not authenticity"),
        "{plain}"
    );
    let human = expect(
        demo.cmd(&["archive", "verify", archive.to_str().unwrap()]),
        0,
    );
    assert!(
        human
            .stdout
            .contains("only integrity was checked, not authenticity"),
        "{}",
        human.stdout
    );
    // With it: signed up to the checkpoint; its own entry comes after.
    let authentic = verify(&archive, true, 0);
    assert_eq!(authentic["authenticity"]["checked"], true);
    assert_eq!(authentic["authenticity"]["authentic"], true);
    assert_eq!(authentic["authenticity"]["signed_through"], size);
    assert_eq!(authentic["authenticity"]["last_entry"], size + 1);

    // A forgery re-signed with another key agrees with itself: integrity holds, the
    // trusted key refuses it.
    let forger = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let forged = demo.dir.join("forged.zip");
    forge_audit_archive(&archive, &forged, Some(&forger));
    let fooled = verify(&forged, false, 0);
    assert_eq!(fooled["authenticity"]["checked"], false, "{fooled}");
    let caught = verify(&forged, true, 3);
    assert_eq!(caught["authenticity"]["authentic"], false);
    let problems = caught["problems"].to_string();
    assert!(
        problems.contains("another key than the trusted one")
            && problems.contains("no checkpoint in this archive is signed by the trusted key"),
        "{caught}"
    );
    // Dropping the checkpoints does not help.
    let bare = demo.dir.join("bare.zip");
    forge_audit_archive(&archive, &bare, None);
    verify(&bare, false, 0);
    let caught = verify(&bare, true, 3);
    assert!(
        caught["problems"]
            .to_string()
            .contains("no checkpoint in this archive is signed by the trusted key"),
        "{caught}"
    );

    // An access archive carries no signature: a trusted key cannot vouch for it.
    json(
        &demo,
        &[
            "access",
            "--subject",
            &demo.samples[0],
            "--out",
            "access.zip",
            "--no-providers",
        ],
        0,
    );
    let access = demo.dir.join("access.zip");
    assert_eq!(verify(&access, false, 0)["authenticity"]["checked"], false);
    let refused = verify(&access, true, 3);
    assert!(
        refused["problems"]
            .to_string()
            .contains("carries no signature"),
        "{refused}"
    );
}
