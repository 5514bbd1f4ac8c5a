//! Several hosts, one PostgreSQL state store: 1, 2 and 4 `privops` processes at once
//! erasing disjoint subject lists, then importing consent, then both together. Each run
//! is checked before its figure counts: every listed subject's rows are gone and no
//! other's (hand-written SQL), each subject is in the ledger of erasures once, every
//! imported event is in the ledger once, and the audit chain verifies.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::data::{self, Target};
use super::{Options, Report, privops};

/// Process counts of the curve.
const PROCESSES: [usize; 3] = [1, 2, 4];

const CONSENT_PURPOSE: &str = r#"
[[purpose]]
id = "marketing"
title = "Offers"
basis = "consent"
categories = ["user.contact.email"]
consent_text = "Offers by e-mail."
"#;

/// The scenario runs on PostgreSQL only: `target` holds the people and their events.
pub fn hosts(options: &Options, report: &mut Report, target: &Target) {
    let Target::Postgres { admin, name } = target else {
        return;
    };
    let many = options.erase_many.min(options.people / 2);
    data::build(
        target,
        options.people,
        options.children,
        false,
        1_000_000_000,
    );
    let (_temp, dir) = data::workspace(target, "delete");
    std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("policies/policy.toml"))
        .and_then(|mut f| std::io::Write::write_all(&mut f, CONSENT_PURPOSE.as_bytes()))
        .unwrap();
    let state = |label: &str| Target::Postgres {
        admin: admin.clone(),
        name: format!("{name}_state_{label}"),
    };
    let mut one_process: Option<Duration> = None;

    // Erasure: `many` subjects split into as many lists as processes.
    for processes in PROCESSES {
        let source = target.copy(&format!("erase{processes}"));
        let store = fresh_store(&dir, state(&format!("erase{processes}")));
        let lists = erase_lists(&dir, many, processes);
        let started = Instant::now();
        let children: Vec<Child> = lists
            .iter()
            .map(|list| spawn_erase(&dir, &source, &store, list))
            .collect();
        finish(children, "erase");
        let elapsed = started.elapsed();
        check_erasure(&dir, &source, &store, options.people, many);
        let direct = source_copy_direct(target, many);
        let baseline = *one_process.get_or_insert(elapsed);
        report.add(
            "erase --subjects-file, processes at once, one PostgreSQL state store",
            "postgres",
            format!("{many} subjects in {processes} list(s)"),
            elapsed,
            direct,
            format!(
                "{:.0} subjects/s, {:.2}x the throughput of one process; no subject erased twice, chain verified",
                many as f64 / elapsed.as_secs_f64(),
                baseline.as_secs_f64() / elapsed.as_secs_f64()
            ),
        );
        source.drop_it();
        store.drop_it();
    }

    // Consent import: the same rows split into as many files as processes; files share
    // subjects, so processes race to add the same new subjects.
    let rows = (options.import_rows / 5).max(1_000);
    one_process = None;
    for processes in PROCESSES {
        let store = fresh_store(&dir, state(&format!("import{processes}")));
        let files = import_files(&dir, rows, processes);
        let started = Instant::now();
        let children: Vec<Child> = files
            .iter()
            .map(|file| spawn_import(&dir, target, &store, file))
            .collect();
        finish(children, "consent import");
        let elapsed = started.elapsed();
        check_ledger(&dir, &store, rows);
        let baseline = *one_process.get_or_insert(elapsed);
        report.add(
            "consent import, processes at once, one PostgreSQL state store",
            "postgres",
            format!("{rows} rows in {processes} file(s)"),
            elapsed,
            baseline,
            format!(
                "{:.0} rows/s; direct column: the same rows by one process; no event lost or doubled, chain verified",
                rows as f64 / elapsed.as_secs_f64()
            ),
        );
        store.drop_it();
    }

    // Both at once: 4 erasing and 4 importing against one store.
    let source = target.copy("mixed");
    let store = fresh_store(&dir, state("mixed"));
    let lists = erase_lists(&dir, many, 4);
    let files = import_files(&dir, rows, 4);
    let started = Instant::now();
    let children: Vec<Child> = lists
        .iter()
        .map(|list| spawn_erase(&dir, &source, &store, list))
        .chain(
            files
                .iter()
                .map(|file| spawn_import(&dir, &source, &store, file)),
        )
        .collect();
    finish(children, "erase and consent import");
    let elapsed = started.elapsed();
    check_erasure(&dir, &source, &store, options.people, many);
    check_ledger(&dir, &store, rows);
    let direct = source_copy_direct(target, many);
    report.add(
        "4 erasing and 4 importing at once, one PostgreSQL state store",
        "postgres",
        format!("{many} subjects, {rows} consent rows"),
        elapsed,
        direct,
        "direct column: the hand-written deletes alone; no deadlock, nothing lost or doubled, chain verified".into(),
    );
    source.drop_it();
    store.drop_it();
    target.drop_it();
}

/// A `privops` command of the workspace on `source` with the state store `store`.
fn command(dir: &Path, source: &Target, store: &Target) -> Command {
    let state = store.url();
    let mut command = privops(dir, Some(&state));
    command
        .env("BENCH_DATABASE_URL", source.url())
        .env("PRIVOPS_NOW", "2026-11-25T12:00:00Z")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// An empty state store with its schema, made before the processes start (they would
/// otherwise race to create it, which is not what this measures).
fn fresh_store(dir: &Path, store: Target) -> Target {
    store.fresh();
    let url = store.url();
    let dir = dir.join(".privops");
    super::block_on(async move {
        privops::store::Store::open(Some(&url), &dir).await.unwrap();
    });
    store
}

/// `privops erase` of the subjects listed in `list`, started.
fn spawn_erase(dir: &Path, source: &Target, store: &Target, list: &Path) -> Child {
    let mut command = command(dir, source, store);
    command
        .args(["erase", "--yes", "--subjects-file"])
        .arg(list);
    command.spawn().unwrap()
}

/// `privops consent import` of `file`, started.
fn spawn_import(dir: &Path, source: &Target, store: &Target, file: &Path) -> Child {
    let mut command = command(dir, source, store);
    command.args(["consent", "import"]).arg(file);
    command.spawn().unwrap()
}

/// Waits for every process; each must succeed.
fn finish(children: Vec<Child>, what: &str) {
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{what} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// People 1..=`many` in `parts` disjoint lists.
fn erase_lists(dir: &Path, many: usize, parts: usize) -> Vec<std::path::PathBuf> {
    (0..parts)
        .map(|part| {
            let path = dir.join(format!("leaving-{parts}-{part}.txt"));
            let text: String = (1..=many)
                .filter(|i| i % parts == part)
                .map(|i| format!("email:user{i}@bench.example\n"))
                .collect();
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

/// `rows` consent events over `rows / 10` subjects in `parts` files; every file holds
/// events of the same subjects (distinct times).
fn import_files(dir: &Path, rows: usize, parts: usize) -> Vec<std::path::PathBuf> {
    let subjects = (rows / 10).max(1);
    (0..parts)
        .map(|part| {
            let path = dir.join(format!("consent-{parts}-{part}.csv"));
            let mut text = String::from("subject,purpose,action,at,channel,evidence\n");
            for i in (0..rows).filter(|i| i % parts == part) {
                let action = if i % 3 == 0 { "withdraw" } else { "grant" };
                text.push_str(&format!(
                    "email:consent{}@bench.example,marketing,{action},2025-06-{:02}T{:02}:{:02}:{:02}Z,web,\n",
                    i % subjects,
                    1 + i / subjects % 28,
                    i / subjects / 28 % 24,
                    i / 60 % 60,
                    i % 60
                ));
            }
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

/// People 1..=`many` and their events are gone, every other person and event is there
/// (hand-written counts); the store records each erased subject once; the chain holds.
fn check_erasure(dir: &Path, source: &Target, store: &Target, people: usize, many: usize) {
    assert_eq!(
        source.count(&format!("SELECT COUNT(*) FROM people WHERE id <= {many}")),
        0
    );
    assert_eq!(
        source.count(&format!(
            "SELECT COUNT(*) FROM events WHERE person_id <= {many}"
        )),
        0
    );
    assert_eq!(
        source.count("SELECT COUNT(*) FROM people") as usize,
        people - many
    );
    assert_eq!(
        store.count("SELECT COUNT(*) FROM suppressions") as usize,
        many
    );
    assert_eq!(
        store.count("SELECT COUNT(*) FROM (SELECT subject_ref FROM erasure_subjects GROUP BY subject_ref HAVING COUNT(*) > 1) doubled"),
        0,
        "a subject erased twice"
    );
    verify_chain(dir, store);
}

/// Every imported row is one event of the ledger.
fn check_ledger(dir: &Path, store: &Target, rows: usize) {
    assert_eq!(
        store.count("SELECT COUNT(*) FROM consent_events WHERE purpose_id = 'marketing'") as usize,
        rows,
        "events lost or doubled"
    );
    assert_eq!(
        store.count(
            "SELECT COUNT(DISTINCT (subject_ref, at)) FROM consent_events WHERE purpose_id = 'marketing'"
        ) as usize,
        rows
    );
    verify_chain(dir, store);
}

fn verify_chain(dir: &Path, store: &Target) {
    let output = privops(dir, Some(&store.url()))
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the audit chain does not verify: {}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// The hand-written deletes of the same subjects, on a copy.
fn source_copy_direct(target: &Target, many: usize) -> Duration {
    let copy = target.copy("hosts_direct");
    let took = copy.run(&data::delete_first_people(target, many));
    copy.drop_it();
    took
}
