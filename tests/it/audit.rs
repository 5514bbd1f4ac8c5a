#![allow(clippy::disallowed_macros)] // tests report skips on stderr
//! The audit trail on SQLite and PostgreSQL: triggers refuse changes, and `audit verify`
//! catches every edit, deletion, reordering and insertion made behind their back.

use crate::common;

use std::path::Path;

use crate::common::{Demo, TestDatabase, expect};
use privops::audit::{self, NewEntry};
use privops::store::{Backend, Store};
use serde_json::json;

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

async fn append_entries(store: &Store, count: usize) {
    let mut tx = store.begin_write().await.unwrap();
    let entries: Vec<NewEntry> = (0..count)
        .map(|i| NewEntry::new("test.event", json!({ "n": i })).about(&format!("ref{i}")))
        .collect();
    audit::append(&mut tx, "tester", &entries).await.unwrap();
    tx.commit().await.unwrap();
}

async fn exec(store: &Store, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(sql).execute(&store.pool).await.map(|_| ())
}

fn drop_triggers(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => {
            "DROP TRIGGER audit_log_no_update ON audit_log; DROP TRIGGER audit_log_no_truncate ON audit_log;"
        }
    }
}

/// Each tampering, on a fresh chain of 6 entries, and the entry verification must name.
const TAMPERING: &[(&str, &str, i64)] = &[
    (
        "edit details",
        "UPDATE audit_log SET details = '{\"n\":99}' WHERE seq = 3",
        3,
    ),
    (
        "edit actor",
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5",
        5,
    ),
    (
        "delete a middle entry",
        "DELETE FROM audit_log WHERE seq = 2",
        2,
    ),
    (
        "delete the first entry",
        "DELETE FROM audit_log WHERE seq = 1",
        1,
    ),
    (
        "reorder two entries",
        "UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = -1",
        2,
    ),
    (
        "insert an entry in the middle",
        "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 4; UPDATE audit_log SET seq = seq - 99 WHERE seq >= 104; \
         INSERT INTO audit_log (seq, at, actor, action, subject_ref, details, prev_hash, hash) \
         SELECT 4, at, actor, 'forged', NULL, '{}', hash, hash FROM audit_log WHERE seq = 3",
        4,
    ),
    (
        "append a forged entry",
        "INSERT INTO audit_log (seq, at, actor, action, subject_ref, details, prev_hash, hash) \
         SELECT 7, at, actor, 'forged', NULL, '{}', hash, 'ffff' FROM audit_log WHERE seq = 6",
        7,
    ),
];

/// `make` gives a fresh store location (a URL, or None for SQLite in the folder) and a
/// guard that removes it.
fn tampering_is_detected(
    make: impl Fn() -> (Option<String>, tempfile::TempDir, Box<dyn std::any::Any>),
) {
    for (what, sql, seq) in TAMPERING {
        let (url, dir, _guard) = make();
        block_on(async {
            let store = Store::open(url.as_deref(), dir.path()).await.unwrap();
            append_entries(&store, 6).await;
            let clean = audit::verify(&store).await.unwrap();
            assert!(clean.broken.is_none(), "{what}: a clean chain verifies");
            assert_eq!(clean.entries, 6);
            exec(&store, drop_triggers(store.backend)).await.unwrap();
            exec(&store, sql)
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let result = audit::verify(&store).await.unwrap();
            let broken = result
                .broken
                .unwrap_or_else(|| panic!("{what}: not detected"));
            assert_eq!(broken.seq, *seq, "{what}: {}", broken.reason);
            store.pool.close().await;
        });
    }
}

async fn triggers_refuse_changes(store: &Store) {
    append_entries(store, 3).await;
    for sql in [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 3",
    ] {
        let error = exec(store, sql).await.expect_err(sql);
        assert!(error.to_string().contains("append-only"), "{sql}: {error}");
    }
    if store.backend == Backend::Postgres {
        let error = exec(store, "TRUNCATE audit_log")
            .await
            .expect_err("truncate");
        assert!(error.to_string().contains("append-only"), "{error}");
    }
    assert!(audit::verify(store).await.unwrap().broken.is_none());
}

/// Signed checkpoints are evidence too: once written, the database refuses to change or
/// remove them, as it does for entries.
async fn checkpoint_triggers_refuse_changes(store: &Store) {
    exec(
        store,
        "INSERT INTO audit_checkpoints (at, size, head_hash, public_key, signature) \
         VALUES ('2026-11-25T12:00:00.000000Z', 3, 'head', 'key', 'signature')",
    )
    .await
    .unwrap();
    let mut refused = vec![
        "UPDATE audit_checkpoints SET size = 1",
        "UPDATE audit_checkpoints SET head_hash = 'other'",
        "DELETE FROM audit_checkpoints",
    ];
    if store.backend == Backend::Postgres {
        refused.push("TRUNCATE audit_checkpoints");
    }
    for sql in refused {
        let error = exec(store, sql).await.expect_err(sql);
        assert!(error.to_string().contains("append-only"), "{sql}: {error}");
    }
    let rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_checkpoints WHERE size = 3 AND head_hash = 'head'",
    )
    .fetch_one(&store.pool)
    .await
    .unwrap();
    assert_eq!(rows, 1, "the checkpoint is still there, unchanged");
    // Appending stays possible.
    exec(
        store,
        "INSERT INTO audit_checkpoints (at, size, head_hash, public_key, signature) \
         VALUES ('2026-11-25T12:00:01.000000Z', 3, 'head', 'key', 'signature')",
    )
    .await
    .unwrap();
}

async fn open_sqlite(dir: &Path) -> Store {
    Store::open(None, dir).await.unwrap()
}

#[test]
fn sqlite_triggers_refuse_update_and_delete() {
    let temp = tempfile::tempdir().unwrap();
    block_on(async {
        let store = open_sqlite(temp.path()).await;
        triggers_refuse_changes(&store).await;
        checkpoint_triggers_refuse_changes(&store).await;
    });
}

#[test]
fn sqlite_tampering_is_detected() {
    tampering_is_detected(|| (None, tempfile::tempdir().unwrap(), Box::new(())));
}

#[test]
fn postgres_triggers_refuse_update_delete_and_truncate() {
    let Some(db) = TestDatabase::postgres("postgres_triggers_refuse_update_delete_and_truncate")
    else {
        return;
    };
    block_on(async {
        let store = Store::open(Some(&db.url), Path::new("/nonexistent"))
            .await
            .unwrap();
        assert_eq!(store.backend, Backend::Postgres);
        triggers_refuse_changes(&store).await;
        checkpoint_triggers_refuse_changes(&store).await;
        store.pool.close().await;
    });
}

#[test]
fn postgres_tampering_is_detected() {
    if common::server_url(
        "PRIVOPS_TEST_POSTGRES_URL",
        "postgres_tampering_is_detected",
    )
    .is_none()
    {
        return;
    }
    tampering_is_detected(|| {
        let db = TestDatabase::postgres("postgres_tampering_is_detected").unwrap();
        (
            Some(db.url.clone()),
            tempfile::tempdir().unwrap(),
            Box::new(db),
        )
    });
}

#[test]
fn concurrent_appends_keep_one_chain() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().to_path_buf();
    block_on(async { open_sqlite(&dir).await.pool.close().await });
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                block_on(async {
                    let store = open_sqlite(&dir).await;
                    for _ in 0..10 {
                        append_entries(&store, 2).await;
                    }
                    store.pool.close().await;
                })
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    block_on(async {
        let store = open_sqlite(&dir).await;
        let verification = audit::verify(&store).await.unwrap();
        assert!(verification.broken.is_none(), "{:?}", verification.broken);
        assert_eq!(verification.entries, 80);
    });
}

#[test]
fn audit_commands_on_the_demo() {
    let demo = Demo::new();
    let log = expect(demo.cmd(&["audit", "log", "--format", "json"]), 0).json();
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["policy.version", "demo.create"]);
    assert_eq!(log[1]["actor"], "tester");
    let filtered = expect(
        demo.cmd(&["audit", "log", "--action", "demo.*", "--format", "json"]),
        0,
    )
    .json();
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    let future = expect(
        demo.cmd(&["audit", "log", "--from", "2999-01-01", "--format", "json"]),
        0,
    )
    .json();
    assert!(future.as_array().unwrap().is_empty());
    let verified = expect(demo.cmd(&["audit", "verify", "--format", "json"]), 0).json();
    assert_eq!(verified["ok"], true);
    assert_eq!(verified["entries"], 2);

    let state = demo.dir.join(".privops/state.db");
    common::sqlite_execute(
        &state,
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;",
    );
    let broken = expect(demo.cmd(&["audit", "verify"]), 3);
    assert!(broken.stdout.contains("entry 2"), "{}", broken.stdout);
}

#[cfg(unix)]
#[test]
fn store_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let demo = Demo::new();
    for file in [".privops/state.db", "data/crm.db", "data/messaging.db"] {
        let mode = std::fs::metadata(demo.dir.join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{file} has mode {mode:o}");
    }
}

/// A new SQLite store is made of 16 KiB pages; a store made before keeps its 4 KiB pages
/// (a page size is the file's own once it holds a table) and works as it did.
#[test]
fn sqlite_stores_keep_the_page_size_they_were_made_with() {
    let demo = Demo::new();
    let state = demo.dir.join(".privops/state.db");
    assert_eq!(
        common::sqlite_strings(
            &state,
            "SELECT CAST(page_size AS TEXT) FROM pragma_page_size()"
        ),
        ["16384"]
    );
    common::sqlite_execute(
        &state,
        "PRAGMA journal_mode = DELETE; PRAGMA page_size = 4096; VACUUM; PRAGMA journal_mode = WAL;",
    );
    assert_eq!(
        common::sqlite_strings(
            &state,
            "SELECT CAST(page_size AS TEXT) FROM pragma_page_size()"
        ),
        ["4096"]
    );
    expect(
        demo.cmd(&[
            "consent",
            "grant",
            "--subject",
            "email:paged@example.com",
            "--purpose",
            "marketing",
            "--channel",
            "web",
        ]),
        0,
    );
    expect(
        demo.cmd(&[
            "consent",
            "check",
            "--subject",
            "email:paged@example.com",
            "--purpose",
            "marketing",
        ]),
        0,
    );
    let verified = expect(demo.cmd(&["audit", "verify", "--format", "json"]), 0).json();
    assert_eq!(verified["ok"], true);
    assert_eq!(
        common::sqlite_strings(
            &state,
            "SELECT CAST(page_size AS TEXT) FROM pragma_page_size()"
        ),
        ["4096"]
    );
}

/// A key file others may read is refused, naming the file and the fix; once it is
/// owner-only again, it works.
#[cfg(unix)]
#[test]
fn key_files_open_to_others_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let demo = Demo::new();
    let chmod = |file: &Path, mode: u32| {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    let grant = [
        "consent",
        "grant",
        "--subject",
        "email:a@example.com",
        "--purpose",
        "marketing",
    ];
    expect(demo.cmd(&grant), 0);
    let subject_key = demo.dir.join(".privops/subject.key");
    assert!(subject_key.exists(), "the first grant made the subject key");
    for mode in [0o644, 0o640, 0o604, 0o660] {
        chmod(&subject_key, mode);
        let refused = expect(demo.cmd(&grant), 1);
        let shown = subject_key.display().to_string();
        assert!(refused.stderr.contains(&shown), "{}", refused.stderr);
        assert!(
            refused.stderr.contains(&format!("chmod 600 {shown}")),
            "{}",
            refused.stderr
        );
    }
    chmod(&subject_key, 0o600);
    expect(demo.cmd(&grant), 0);
    chmod(&subject_key, 0o400);
    expect(demo.cmd(&grant), 0);

    expect(demo.cmd(&["audit", "checkpoint"]), 0);
    let signing_key = demo.dir.join(".privops/audit-signing.key");
    chmod(&signing_key, 0o644);
    for command in [&["audit", "checkpoint"][..], &["audit", "verify"][..]] {
        let refused = expect(demo.cmd(command), 1);
        let shown = signing_key.display().to_string();
        assert!(
            refused.stderr.contains(&format!("chmod 600 {shown}")),
            "{command:?}: {}",
            refused.stderr
        );
    }
    chmod(&signing_key, 0o600);
    expect(demo.cmd(&["audit", "checkpoint"]), 0);
    expect(demo.cmd(&["audit", "verify"]), 0);
}

/// Cron jobs and containers often set no `$USER`: the audit trail then names the login of
/// the process's user, not `unknown`.
#[test]
fn the_actor_falls_back_to_the_login_name() {
    let temp = tempfile::tempdir().unwrap();
    let mut command = common::privops(temp.path());
    command
        .args(["demo", "--dir", "ws"])
        .env_remove("PRIVOPS_ACTOR")
        .env_remove("USER");
    let made = expect(command, 0);
    assert!(!made.stderr.contains("nothing names"), "{}", made.stderr);
    let mut command = common::privops(&temp.path().join("ws"));
    command
        .args(["audit", "log", "--format", "json"])
        .env_remove("PRIVOPS_ACTOR");
    let log = expect(command, 0).json();
    let actor = log[0]["actor"].as_str().unwrap().to_string();
    assert!(!actor.is_empty() && actor != "unknown", "{actor}");
}

/// A chain several pages long (the verifier reads 20,000 entries at a time and recomputes
/// a page's hashes on every core while it reads the next): a change on either side of a
/// page boundary, or deep in a later page, is found at its entry. Changes are made from
/// the end backwards, so each one becomes the first break.
fn long_chains_break_where_they_were_changed(url: Option<String>, dir: &Path) {
    block_on(async {
        let store = Store::open(url.as_deref(), dir).await.unwrap();
        for _ in 0..9 {
            append_entries(&store, 5_000).await;
        }
        let clean = audit::verify(&store).await.unwrap();
        assert!(clean.broken.is_none(), "{:?}", clean.broken);
        assert_eq!(clean.entries, 45_000);
        exec(&store, drop_triggers(store.backend)).await.unwrap();
        for (sql, seq) in [
            (
                "UPDATE audit_log SET details = '{\"n\":-1}' WHERE seq = 44999",
                44_999,
            ),
            (
                "UPDATE audit_log SET prev_hash = hash WHERE seq = 40001",
                40_001,
            ),
            (
                "UPDATE audit_log SET action = 'forged' WHERE seq = 20001",
                20_001,
            ),
            (
                "UPDATE audit_log SET actor = 'mallory' WHERE seq = 20000",
                20_000,
            ),
            ("DELETE FROM audit_log WHERE seq = 19999", 19_999),
            ("UPDATE audit_log SET subject_ref = NULL WHERE seq = 2", 2),
        ] {
            exec(&store, sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            let result = audit::verify(&store).await.unwrap();
            let broken = result
                .broken
                .unwrap_or_else(|| panic!("{sql}: not detected"));
            assert_eq!(broken.seq, seq, "{sql}: {}", broken.reason);
            assert_eq!(result.entries, seq - 1, "{sql}: entries verified before it");
        }
        store.pool.close().await;
    });
}

#[test]
fn sqlite_long_chains_break_where_they_were_changed() {
    let temp = tempfile::tempdir().unwrap();
    long_chains_break_where_they_were_changed(None, temp.path());
}

#[test]
fn postgres_long_chains_break_where_they_were_changed() {
    let Some(db) = TestDatabase::postgres("postgres_long_chains_break_where_they_were_changed")
    else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    long_chains_break_where_they_were_changed(Some(db.url.clone()), temp.path());
}

/// A SQLite store holds whatever a column is given: a value that is not text, where the
/// trail holds text, stops the verification with the entry named, never a verdict.
#[test]
fn sqlite_values_that_are_not_text_are_named() {
    let temp = tempfile::tempdir().unwrap();
    block_on(async {
        let store = Store::open(None, temp.path()).await.unwrap();
        append_entries(&store, 20).await;
        exec(&store, drop_triggers(store.backend)).await.unwrap();
        exec(
            &store,
            "UPDATE audit_log SET details = X'00ff' WHERE seq = 13",
        )
        .await
        .unwrap();
        let error = audit::verify(&store).await.unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            "cannot read the audit trail: the details of entry 13 holds bytes, not text: \
             the store was written by something other than privops"
        );
        store.pool.close().await;
    });
}

/// PostgreSQL reads the trail as the table is stored first: an entry stored after the
/// ones that follow it (re-inserted, as space is reused after an aborted insert) is read
/// again in order, and the intact chain verifies.
#[test]
fn postgres_entries_stored_out_of_order_still_verify() {
    let Some(db) = TestDatabase::postgres("postgres_entries_stored_out_of_order_still_verify")
    else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    block_on(async {
        let store = Store::open(Some(&db.url), temp.path()).await.unwrap();
        append_entries(&store, 25_000).await;
        let before = audit::verify(&store).await.unwrap();
        assert!(before.broken.is_none(), "{:?}", before.broken);
        exec(&store, drop_triggers(store.backend)).await.unwrap();
        exec(
            &store,
            "WITH moved AS (DELETE FROM audit_log WHERE seq = 3 RETURNING *) \
             INSERT INTO audit_log SELECT * FROM moved",
        )
        .await
        .unwrap();
        let stored_last: i64 =
            sqlx::query_scalar("SELECT seq FROM audit_log ORDER BY ctid DESC LIMIT 1")
                .fetch_one(&store.pool)
                .await
                .unwrap();
        assert_eq!(stored_last, 3, "entry 3 is now stored after the others");
        let after = audit::verify(&store).await.unwrap();
        assert!(after.broken.is_none(), "{:?}", after.broken);
        assert_eq!(after.entries, 25_000);
        assert_eq!(after.head, before.head);
        // Taken out for good, it is reported where it is missing.
        exec(&store, "DELETE FROM audit_log WHERE seq = 3")
            .await
            .unwrap();
        let broken = audit::verify(&store).await.unwrap().broken.unwrap();
        assert_eq!(broken.seq, 3, "{}", broken.reason);
        store.pool.close().await;
    });
}

/// A break is reported as a break even when a later page holds a value the reader
/// cannot read (it reads ahead of the check).
#[test]
fn sqlite_breaks_before_unreadable_values_are_reported() {
    let temp = tempfile::tempdir().unwrap();
    block_on(async {
        let store = Store::open(None, temp.path()).await.unwrap();
        append_entries(&store, 20_000).await;
        exec(&store, drop_triggers(store.backend)).await.unwrap();
        exec(
            &store,
            "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5",
        )
        .await
        .unwrap();
        exec(
            &store,
            "UPDATE audit_log SET details = X'00' WHERE seq = 15000",
        )
        .await
        .unwrap();
        let result = audit::verify(&store).await.unwrap();
        assert_eq!(result.broken.unwrap().seq, 5);
        assert_eq!(result.entries, 4);
        store.pool.close().await;
    });
}
