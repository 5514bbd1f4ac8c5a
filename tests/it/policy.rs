#![allow(clippy::disallowed_macros)] // tests report skips on stderr
//! The policy language: the example set, the bad-policy corpus, the JSON Schema,
//! `policy check --live` drift on every engine, and `policy map`.

use crate::common;

use std::path::{Path, PathBuf};

use crate::common::{Demo, TestDatabase, expect, privops};

fn corpus(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/policies")
        .join(dir)
}

fn check(policy: &Path) -> common::Run {
    let mut command = privops(policy);
    command.args(["policy", "check", "--policy"]).arg(policy);
    common::run(command)
}

#[test]
fn example_policies_pass_without_warnings() {
    for dir in [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"),
        corpus("good"),
    ] {
        let result = check(&dir);
        assert_eq!(result.code, 0, "{}\n{}", result.stdout, result.stderr);
        assert!(
            !result.stdout.contains("warning"),
            "{}: {}",
            dir.display(),
            result.stdout
        );
    }
}

#[test]
fn every_bad_policy_gets_its_own_located_diagnostic() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus("bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "the corpus has {} cases", cases.len());
    for case in cases {
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap();
        let expected = expected.trim();
        let (place, substring) = expected.split_once(": ").unwrap();
        let result = check(&case);
        let name = case.file_name().unwrap().to_string_lossy();
        assert_eq!(
            result.code, 1,
            "{name}: exit code\n{}{}",
            result.stdout, result.stderr
        );
        let errors: Vec<&str> = result
            .stdout
            .lines()
            .filter(|l| l.contains(": error: "))
            .collect();
        assert_eq!(
            errors.len(),
            1,
            "{name}: expected exactly one error, got:\n{}",
            result.stdout
        );
        let line = errors[0];
        assert!(
            line.starts_with(&format!("{place}:")),
            "{name}: diagnostic should point at {place}: {line}"
        );
        assert!(
            line.to_lowercase().contains(substring),
            "{name}: diagnostic should say `{substring}`: {line}"
        );
    }
}

#[test]
fn all_diagnostics_are_reported_at_once() {
    let temp = tempfile::tempdir().unwrap();
    common::copy_tree(&corpus("good"), temp.path());
    let sources = temp.path().join("sources.toml");
    let text = std::fs::read_to_string(&sources).unwrap();
    let broken = text
        .replacen("user.contact.email", "user.contact.emial", 1)
        .replacen("references = \"", "references = \"nowhere_", 1);
    std::fs::write(&sources, broken).unwrap();
    let result = check(temp.path());
    assert_eq!(result.code, 1);
    assert!(
        result
            .stdout
            .contains("unknown category `user.contact.emial`"),
        "{}",
        result.stdout
    );
    assert!(
        result.stdout.contains("unknown table `nowhere_"),
        "{}",
        result.stdout
    );
}

fn schema() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("policy.schema.json"))
            .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn as_json(path: &Path) -> serde_json::Value {
    let value: toml::Value = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    serde_json::to_value(value).unwrap()
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

#[test]
fn the_json_schema_accepts_valid_files_and_rejects_invalid_ones() {
    let validator = schema();
    let mut valid = Vec::new();
    toml_files(&corpus("schema-valid"), &mut valid);
    toml_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"),
        &mut valid,
    );
    toml_files(&corpus("good"), &mut valid);
    assert!(valid.len() >= 10);
    for path in valid {
        let errors: Vec<String> = validator
            .iter_errors(&as_json(&path))
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{} should validate: {errors:?}",
            path.display()
        );
    }
    let mut invalid = Vec::new();
    toml_files(&corpus("schema-invalid"), &mut invalid);
    assert!(invalid.len() >= 6);
    for path in invalid {
        assert!(
            !validator.is_valid(&as_json(&path)),
            "{} should be rejected",
            path.display()
        );
    }
}

#[test]
fn the_schema_lists_every_category_of_the_taxonomy() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("policy.schema.json"))
            .unwrap();
    for (category, _) in privops::policy::taxonomy::CATEGORIES {
        assert!(
            text.contains(&format!("\"{category}\"")),
            "policy.schema.json lacks {category}"
        );
    }
}

#[test]
fn the_demo_ships_every_example_policy_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut files = Vec::new();
    toml_files(&root, &mut files);
    let shipped: Vec<&str> = privops::demo::POLICY_FILES
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(files.len(), shipped.len());
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            shipped.contains(&relative.as_str()),
            "{relative} is not in the demo"
        );
    }
}

#[test]
fn live_check_finds_no_drift_in_the_demo_and_finds_added_columns_and_tables() {
    let demo = Demo::new();
    let clean = expect(demo.cmd(&["policy", "check", "--live"]), 0);
    assert!(
        !clean.stdout.contains("warning"),
        "the demo's identities are all normalised: {}",
        clean.stdout
    );
    common::sqlite_execute(
        &demo.dir.join("data/crm.db"),
        "ALTER TABLE leads ADD COLUMN birthday TEXT; CREATE TABLE shadow_contacts (id INTEGER PRIMARY KEY, email TEXT); DROP TABLE telegram_links;",
    );
    let result = expect(
        demo.cmd(&["policy", "check", "--live", "--format", "json"]),
        3,
    );
    let json = result.json();
    let kinds: Vec<(String, String)> = json["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                d["table"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("column_not_in_policy".into(), "leads".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("table_not_in_policy".into(), "shadow_contacts".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("table_not_in_database".into(), "telegram_links".into())),
        "{kinds:?}"
    );
    assert_eq!(kinds.len(), 3, "{kinds:?}");
}

fn server_policy(dir: &Path, engine: &str) {
    std::fs::write(
        dir.join("controller.toml"),
        r#"
[controller]
organisation = "Test Org"
dpo = { name = "D. P. O.", email = "dpo@example.com" }

[[identity]]
kind = "email"
normalise = "email"
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("source.toml"),
        format!(
            r#"
[source]
id = "shop"
engine = "{engine}"
url_env = "SHOP_DATABASE_URL"

[[table]]
name = "customers"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}
"#
        ),
    )
    .unwrap();
}

fn live_check_on_server(db: TestDatabase, engine: &str) {
    let temp = tempfile::tempdir().unwrap();
    server_policy(temp.path(), engine);
    db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200))");
    let live = |code| {
        let mut command = privops(temp.path());
        command
            .args(["policy", "check", "--live", "--format", "json", "--policy"])
            .arg(temp.path())
            .env("SHOP_DATABASE_URL", &db.url);
        expect(command, code).json()
    };
    live(0);
    db.execute("ALTER TABLE customers ADD COLUMN phone VARCHAR(40)");
    let json = live(3);
    assert_eq!(json["drift"][0]["kind"], "column_not_in_policy");
    assert_eq!(json["drift"][0]["column"], "phone");
}

#[test]
fn live_check_on_postgres() {
    if let Some(db) = TestDatabase::postgres("live_check_on_postgres") {
        live_check_on_server(db, "postgres");
    }
}

#[test]
fn live_check_on_mariadb() {
    if let Some(db) = TestDatabase::mysql("live_check_on_mariadb") {
        live_check_on_server(db, "mysql");
    }
}

/// Employees, their customers and the customers' orders, with four foreign keys: a
/// manager (ON DELETE SET NULL), a support representative (NO ACTION), an order's
/// customer and an order line's order (composite, written in another column order in
/// the policy than in the database). `{manager}` is how the manager's key names its
/// table: see [`live_foreign_keys`].
const FOREIGN_KEY_SCHEMA: &str = "
CREATE TABLE employees (
    id INTEGER PRIMARY KEY,
    email VARCHAR(200),
    manager_id INTEGER,
    FOREIGN KEY (manager_id) REFERENCES {manager} ON DELETE SET NULL
);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    email VARCHAR(200),
    support_rep_id INTEGER,
    FOREIGN KEY (support_rep_id) REFERENCES employees (id)
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    UNIQUE (id, customer_id),
    FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
);
CREATE TABLE order_lines (
    order_id INTEGER NOT NULL,
    line_no INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no),
    FOREIGN KEY (order_id, customer_id) REFERENCES orders (id, customer_id)
);
";

/// The policy of [`FOREIGN_KEY_SCHEMA`]: orders and their lines are relations; the
/// manager and the support representative are references when `declared`, else nothing.
fn foreign_key_policy(dir: &Path, engine: &str, declared: bool) {
    server_policy(dir, engine);
    let (manager, support_rep) = if declared {
        (
            "[[table.reference]]\ncolumns = [\"manager_id\"]\nreferences = \"employees\"\non_erase = \"null\"\n",
            "[[table.reference]]\ncolumns = [\"support_rep_id\"]\nreferences = \"employees\"\non_erase = \"keep\"\n",
        )
    } else {
        ("", "")
    };
    std::fs::write(
        dir.join("source.toml"),
        format!(
            r#"[source]
id = "shop"
engine = "{engine}"
url_env = "SHOP_DATABASE_URL"

[[table]]
name = "employees"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}
manager_id = "system.operations"
{manager}
[[table]]
name = "customers"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = {{ category = "user.contact.email", identity = "email" }}
support_rep_id = "system.operations"
{support_rep}
[[table]]
name = "orders"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
customer_id = "user.unique_id"
[[table.relation]]
columns = ["customer_id"]
references = "customers"

[[table]]
name = "order_lines"
key = ["order_id", "line_no"]
erase = "delete"
[table.columns]
order_id = "system.operations"
line_no = "system.operations"
customer_id = "user.unique_id"
[[table.relation]]
columns = ["customer_id", "order_id"]
references = "orders"
to = ["customer_id", "id"]
"#
        ),
    )
    .unwrap();
}

/// The line (1-based) of the first line of `file` that starts with `prefix`.
fn line_of(file: &Path, prefix: &str) -> u64 {
    let text = std::fs::read_to_string(file).unwrap();
    text.lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix}")) as u64
        + 1
}

/// On any engine: the typed foreign keys read from the catalogue; `policy check --live`
/// reports the key that is neither a relation nor a reference (at its column) and the
/// `erase = "delete"` it blocks (at the erase rule), and passes once both keys are
/// declared as references.
fn live_foreign_keys(engine: &str, url: &str, execute: &dyn Fn(&str)) {
    use privops::sources::{ForeignKey, OnDelete, SourcePool};
    // SQLite and PostgreSQL take a key that names its table in another case and leaves
    // out the referenced columns (the primary key): SQLite's catalogue gives the name as
    // written and no columns, which the reader resolves. MariaDB needs both spelled out.
    let manager = if engine == "mysql" {
        "employees (id)"
    } else {
        "Employees"
    };
    execute(&FOREIGN_KEY_SCHEMA.replace("{manager}", manager));
    let temp = tempfile::tempdir().unwrap();
    foreign_key_policy(temp.path(), engine, false);

    // The function the check and the erasure planner use.
    let keys = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let pool = match engine {
                "sqlite" => SourcePool::sqlite(sqlx::SqlitePool::connect(url).await.unwrap()),
                "postgres" => {
                    SourcePool::Postgres(sqlx::PgPool::connect(url).await.unwrap().into())
                }
                _ => SourcePool::Mysql(sqlx::MySqlPool::connect(url).await.unwrap().into()),
            };
            let keys = pool.foreign_keys().await.unwrap();
            pool.close().await;
            keys
        });
    // A key written without ON DELETE: MariaDB's catalogue calls it RESTRICT.
    let default = if engine == "mysql" {
        OnDelete::Restrict
    } else {
        OnDelete::NoAction
    };
    let key = |table: &str, columns: &[&str], referenced: &str, to: &[&str], on_delete| {
        (
            table.to_string(),
            columns.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            referenced.to_string(),
            to.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            on_delete,
        )
    };
    let got: std::collections::BTreeSet<_> = keys
        .iter()
        .map(|k: &ForeignKey| {
            (
                k.table.clone(),
                k.columns.clone(),
                k.referenced_table.clone(),
                k.referenced_columns.clone(),
                k.on_delete,
            )
        })
        .collect();
    let expected: std::collections::BTreeSet<_> = [
        key(
            "customers",
            &["support_rep_id"],
            "employees",
            &["id"],
            default,
        ),
        key(
            "employees",
            &["manager_id"],
            "employees",
            &["id"],
            OnDelete::SetNull,
        ),
        key(
            "order_lines",
            &["order_id", "customer_id"],
            "orders",
            &["id", "customer_id"],
            default,
        ),
        key(
            "orders",
            &["customer_id"],
            "customers",
            &["id"],
            OnDelete::Cascade,
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, expected, "{engine}: {keys:?}");

    let live = |code, format: &str| {
        let mut command = privops(temp.path());
        command
            .args(["policy", "check", "--live", "--format", format, "--policy"])
            .arg(temp.path())
            .env("SHOP_DATABASE_URL", url);
        expect(command, code)
    };
    let json = live(3, "json").json();
    let source = temp.path().join("source.toml");
    let mut findings: Vec<(String, String, u64)> = json["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["at"]["file"], "source.toml", "{d}");
            (
                d["kind"].as_str().unwrap().to_string(),
                d["table"].as_str().unwrap().to_string(),
                d["at"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    findings.sort();
    let mut expected = vec![
        // Neither a relation nor a reference; its SET NULL lets employees be deleted.
        (
            "foreign_key_not_in_policy".to_string(),
            "employees".to_string(),
            line_of(&source, "manager_id ="),
        ),
        // Neither, and NO ACTION: a support representative cannot be deleted.
        (
            "foreign_key_not_in_policy".to_string(),
            "customers".to_string(),
            line_of(&source, "support_rep_id ="),
        ),
        (
            "delete_blocked_by_foreign_key".to_string(),
            "employees".to_string(),
            // The first table's erase rule: the employees'.
            line_of(&source, "erase = \"delete\""),
        ),
    ];
    expected.sort();
    assert_eq!(findings, expected, "{engine}: {json}");
    let blocked = json["drift"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "delete_blocked_by_foreign_key")
        .unwrap();
    assert_eq!(blocked["foreign_key"]["table"], "customers", "{blocked}");
    assert_eq!(
        blocked["foreign_key"]["on_delete"],
        serde_json::to_value(default).unwrap(),
        "{blocked}"
    );
    let human = live(3, "human").stdout;
    assert!(
        human.contains(&format!(
            "source.toml:{}:",
            line_of(&source, "support_rep_id =")
        )) && human.contains(&format!(": drift: source `shop`: the foreign key `customers`(support_rep_id) -> `employees`(id) ON DELETE {}", default.sql())),
        "{human}"
    );

    // Declared as references, the keys say what erasure does: no drift.
    foreign_key_policy(temp.path(), engine, true);
    let json = live(0, "json").json();
    assert_eq!(json["drift"], serde_json::json!([]), "{engine}: {json}");
}

#[test]
fn live_foreign_keys_on_sqlite() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("shop.db");
    std::fs::File::create(&path).unwrap();
    let url = format!("sqlite://{}", path.display());
    live_foreign_keys("sqlite", &url, &|sql| common::sqlite_execute(&path, sql));
}

#[test]
fn live_foreign_keys_on_postgres() {
    if let Some(db) = TestDatabase::postgres("live_foreign_keys_on_postgres") {
        live_foreign_keys("postgres", &db.url, &|sql| db.execute(sql));
    }
}

#[test]
fn live_foreign_keys_on_mariadb() {
    if let Some(db) = TestDatabase::mysql("live_foreign_keys_on_mariadb") {
        live_foreign_keys("mysql", &db.url, &|sql| db.execute(sql));
    }
}

/// Two tests running `check` (a function of a [`TestDatabase`]), one on a PostgreSQL
/// database named after the first test, one on a MariaDB database named after the second.
macro_rules! on_each_server {
    ($postgres:ident, $mariadb:ident, $check:ident) => {
        #[test]
        fn $postgres() {
            if let Some(db) = TestDatabase::postgres(stringify!($postgres)) {
                $check(&db);
            }
        }

        #[test]
        fn $mariadb() {
            if let Some(db) = TestDatabase::mysql(stringify!($mariadb)) {
                $check(&db);
            }
        }
    };
}

/// Creates the table `seen` (a number, a connection's id, a word) and returns the
/// statement that records, under a word, the id of the connection it runs on.
fn connections_table(db: &TestDatabase) -> impl Fn(&str) -> privops::sql::Sql {
    let (create, backend) = if db.postgres {
        (
            "CREATE TABLE seen (n SERIAL PRIMARY KEY, backend BIGINT NOT NULL, what TEXT NOT NULL)",
            "pg_backend_pid()",
        )
    } else {
        (
            "CREATE TABLE seen (n INT AUTO_INCREMENT PRIMARY KEY, backend BIGINT NOT NULL, \
             what VARCHAR(20) NOT NULL)",
            "CONNECTION_ID()",
        )
    };
    db.execute(create);
    move |what: &str| {
        privops::sql::Sql::new(format!(
            "INSERT INTO seen (backend, what) SELECT {backend}, '{what}'"
        ))
    }
}

/// A source on the test's database, its pool made as privops makes a server source's,
/// opening its connections when asked.
fn lazy_source(db: &TestDatabase) -> privops::sources::SourcePool {
    use privops::sources::{SourcePool, server_pool};
    if db.postgres {
        SourcePool::Postgres(server_pool().connect_lazy(&db.url).unwrap().into())
    } else {
        SourcePool::Mysql(server_pool().connect_lazy(&db.url).unwrap().into())
    }
}

/// A PostgreSQL or MariaDB source runs statements that follow each other on one server
/// connection, its transactions included (each statement through a bare pool found the
/// connection before it still being tested on its way back and had a second one opened);
/// a statement asked for while a transaction holds that connection runs beside it on
/// another; and a transaction dropped before its commit is rolled back, its connection
/// closed rather than used again, so the next statement runs outside it.
fn a_server_source_keeps_one_connection(db: &TestDatabase) {
    let record = connections_table(db);
    common::block_on(async {
        let pool = lazy_source(db);
        for round in 0..3 {
            // A catalogue read, then a transaction, then a catalogue read again.
            assert!(pool.schema().await.unwrap().contains_key("seen"));
            let mut tx = pool.begin().await.unwrap();
            tx.execute(&record(&format!("round {round}")))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            assert!(pool.schema().await.unwrap().contains_key("seen"));
        }
        // While a transaction holds the connection, a read runs on another.
        let mut tx = pool.begin().await.unwrap();
        tx.execute(&record("held")).await.unwrap();
        assert!(pool.schema().await.unwrap().contains_key("seen"));
        tx.commit().await.unwrap();
        // Dropped unfinished: rolled back, and the next transaction commits on its own.
        let mut tx = pool.begin().await.unwrap();
        tx.execute(&record("dropped")).await.unwrap();
        drop(tx);
        let mut tx = pool.begin().await.unwrap();
        tx.execute(&record("after")).await.unwrap();
        tx.commit().await.unwrap();
        pool.close().await;
    });
    let rows = common::server_strings(
        db,
        if db.postgres {
            "SELECT what || ' ' || backend::text FROM seen ORDER BY n"
        } else {
            "SELECT CONCAT(what, ' ', backend) FROM seen ORDER BY n"
        },
    );
    let what: Vec<&str> = rows
        .iter()
        .map(|row| row.rsplit_once(' ').unwrap().0)
        .collect();
    assert_eq!(what, ["round 0", "round 1", "round 2", "held", "after"]);
    let backend = |row: &String| row.rsplit_once(' ').unwrap().1.to_string();
    let first = backend(&rows[0]);
    assert!(
        rows[..4].iter().all(|row| backend(row) == first),
        "one connection for the statements that follow each other: {rows:?}"
    );
    assert_ne!(
        backend(&rows[4]),
        first,
        "the connection of a transaction dropped unfinished is not used again: {rows:?}"
    );
}

on_each_server!(
    a_postgres_source_keeps_one_connection,
    a_mariadb_source_keeps_one_connection,
    a_server_source_keeps_one_connection
);

/// The server ends the connection a source keeps between statements (an administrator
/// terminating the backend, a restart): it is not tested before each statement, so the
/// statement that finds it ended must not fail the command. The next catalogue read, the
/// next transaction and the next streamed query each run on a new connection. A
/// statement's own failure (a missing table) keeps the connection.
fn a_server_source_outlives_its_connection(db: &TestDatabase) {
    use privops::sources::rows::Kind;
    use privops::sql::Sql;
    let record = connections_table(db);
    common::block_on(async {
        let pool = lazy_source(db);
        // Records, under a word, the connection a transaction runs on; returns its id.
        let recorded = |what: &'static str| {
            let pool = &pool;
            let sql = record(what);
            async move {
                let mut tx = pool.begin().await.unwrap();
                tx.execute(&sql).await.unwrap();
                tx.commit().await.unwrap();
                last_backend(db).await
            }
        };
        // Records the connection the source keeps (a transaction runs on it when it is
        // free), and has the server end it; returns its id.
        let end_kept = |what: &'static str| {
            let recorded = &recorded;
            async move {
                let backend = recorded(what).await;
                assert_eq!(end_connections(db, Some(backend)).await, 1);
                backend
            }
        };

        let ended = end_kept("before a read").await;
        assert!(pool.schema().await.unwrap().contains_key("seen"));
        let after_read = recorded("after a read").await;
        assert_ne!(after_read, ended);

        let ended = end_kept("before a write").await;
        let mut tx = pool.begin().await.unwrap();
        tx.execute(&record("in the write")).await.unwrap();
        tx.commit().await.unwrap();
        assert_ne!(last_backend(db).await, ended);

        let ended = end_kept("before a stream").await;
        let mut counted = Vec::new();
        pool.for_each_row(
            &Sql::new("SELECT COUNT(*) FROM seen"),
            &[Kind::Int],
            |row| {
                counted.push(row[0].as_i64().unwrap());
                Ok(())
            },
        )
        .await
        .unwrap();
        assert_eq!(counted, [5]);
        let after_stream = recorded("after a stream").await;
        assert_ne!(after_stream, ended);

        // Every connection of the source ended, an idle one in the pool too (a read made
        // while a transaction held the kept one left it there): the read run again must
        // not take that one untested.
        let mut tx = pool.begin().await.unwrap();
        tx.execute(&record("beside a read")).await.unwrap();
        assert!(pool.schema().await.unwrap().contains_key("seen"));
        tx.commit().await.unwrap();
        let ended = end_connections(db, None).await;
        assert!(
            ended >= 2,
            "the kept connection and the pool's idle one: {ended}"
        );
        assert!(pool.schema().await.unwrap().contains_key("seen"));
        let settled = recorded("after all ended").await;

        // A statement's own failure keeps the connection.
        let missing = pool
            .for_each_row(&Sql::new("SELECT n FROM missing"), &[Kind::Int], |_| Ok(()))
            .await
            .unwrap_err();
        assert!(format!("{missing:#}").contains("missing"), "{missing:#}");
        assert_eq!(recorded("after a failure").await, settled);
        pool.close().await;
    });
}

/// Ends the connection `only` names, or every connection to the test's database but the
/// one asking, and waits until the server has let them go; returns how many it ended.
async fn end_connections(db: &TestDatabase, only: Option<i64>) -> usize {
    use sqlx::Connection as _;
    if db.postgres {
        let mut admin = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let ended: Vec<(bool,)> = sqlx::query_as(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
               AND ($1::int8 IS NULL OR pid = $1)",
        )
        .bind(only)
        .fetch_all(&mut admin)
        .await
        .unwrap();
        assert!(ended.iter().all(|(done,)| *done));
        ended.len()
    } else {
        let mut admin = sqlx::MySqlConnection::connect(&db.url).await.unwrap();
        let others = "FROM information_schema.processlist \
                      WHERE db = DATABASE() AND id <> CONNECTION_ID() AND (? IS NULL OR id = ?)";
        let ids: Vec<(u64,)> = sqlx::query_as(&format!("SELECT CAST(id AS UNSIGNED) {others}"))
            .bind(only)
            .bind(only)
            .fetch_all(&mut admin)
            .await
            .unwrap();
        for (id,) in &ids {
            sqlx::raw_sql(&format!("KILL CONNECTION {id}"))
                .execute(&mut admin)
                .await
                .unwrap();
        }
        for _ in 0..100 {
            let (left,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {others}"))
                .bind(only)
                .bind(only)
                .fetch_one(&mut admin)
                .await
                .unwrap();
            if left == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        ids.len()
    }
}

/// The connection id recorded last in `seen`, read on a connection of its own.
async fn last_backend(db: &TestDatabase) -> i64 {
    use sqlx::Connection as _;
    let sql = "SELECT backend FROM seen ORDER BY n DESC LIMIT 1";
    let (backend,): (i64,) = if db.postgres {
        let mut connection = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query_as(sql)
            .fetch_one(&mut connection)
            .await
            .unwrap()
    } else {
        let mut connection = sqlx::MySqlConnection::connect(&db.url).await.unwrap();
        sqlx::query_as(sql)
            .fetch_one(&mut connection)
            .await
            .unwrap()
    };
    backend
}

on_each_server!(
    a_postgres_source_outlives_its_connection,
    a_mariadb_source_outlives_its_connection,
    a_server_source_outlives_its_connection
);

/// `policy check --live` on a dataset folder of tests/datasets: no error, no drift (tables,
/// columns and foreign keys all accounted for), and no warning but those about the forms
/// the data's identities are stored in (Chinook's phone numbers are not E.164).
fn dataset_passes_the_live_check(folder: &str, env: &str, url: &str) {
    let policy = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/datasets")
        .join(folder);
    let temp = tempfile::tempdir().unwrap();
    let mut command = privops(temp.path());
    command
        .args(["policy", "check", "--live", "--format", "json", "--policy"])
        .arg(&policy)
        .env(env, url);
    let json = expect(command, 0).json();
    assert_eq!(json["errors"], 0, "{folder}: {json}");
    let policy_warnings = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            !d["message"]
                .as_str()
                .unwrap()
                .contains(" sampled values of ")
        })
        .count();
    assert_eq!(policy_warnings, 0, "{folder}: {json}");
    assert_eq!(json["live"], true, "{folder}: {json}");
    assert_eq!(json["drift"], serde_json::json!([]), "{folder}: {json}");
}

#[test]
fn datasets_pass_the_live_check_on_sqlite() {
    let temp = tempfile::tempdir().unwrap();
    let copy = temp.path().join("chinook.sqlite");
    std::fs::copy(
        common::datasets().join("chinook/Chinook_Sqlite.sqlite"),
        &copy,
    )
    .unwrap();
    let url = format!("sqlite://{}", copy.display());
    dataset_passes_the_live_check("chinook/sqlite", "CHINOOK_SQLITE_URL", &url);
}

#[test]
fn datasets_pass_the_live_check_on_postgres() {
    if let Some(db) = TestDatabase::postgres("datasets_live_check_chinook_pg") {
        common::load_script(
            &db,
            &common::datasets().join("chinook/Chinook_PostgreSql.sql"),
        );
        dataset_passes_the_live_check("chinook/postgres", "CHINOOK_PG_URL", &db.url);
    }
    if let Some(db) = TestDatabase::postgres("datasets_live_check_fides_pg") {
        common::load_script(
            &db,
            &common::datasets().join("fides-sample/postgres_sample.sql"),
        );
        dataset_passes_the_live_check("fides/postgres", "FIDES_PG_URL", &db.url);
    }
}

#[test]
fn datasets_pass_the_live_check_on_mariadb() {
    if let Some(db) = TestDatabase::mysql("datasets_live_check_chinook_mysql") {
        common::load_script(&db, &common::datasets().join("chinook/Chinook_MySql.sql"));
        dataset_passes_the_live_check("chinook/mysql", "CHINOOK_MYSQL_URL", &db.url);
    }
    if let Some(db) = TestDatabase::mysql("datasets_live_check_fides_mysql") {
        common::load_script(
            &db,
            &common::datasets().join("fides-sample/mysql_example.sql"),
        );
        dataset_passes_the_live_check("fides/mysql", "FIDES_MYSQL_URL", &db.url);
    }
}

#[test]
fn live_check_names_an_unset_url_variable() {
    let temp = tempfile::tempdir().unwrap();
    server_policy(temp.path(), "postgres");
    let mut command = privops(temp.path());
    command
        .args(["policy", "check", "--live", "--policy"])
        .arg(temp.path());
    let result = expect(command, 1);
    assert!(
        result.stderr.contains("SHOP_DATABASE_URL"),
        "{}",
        result.stderr
    );
    assert!(result.stderr.contains("`shop`"), "{}", result.stderr);
}

#[test]
fn policy_map_in_every_format() {
    let demo = Demo::new();
    let json = expect(demo.cmd(&["policy", "map", "--format", "json"]), 0).json();
    assert_eq!(json["controller"]["organisation"], "Kal Solutions Group");
    let transfers = json["transfers"].as_array().unwrap();
    assert!(
        transfers
            .iter()
            .any(|t| t["countries"].as_array().unwrap().iter().any(|c| c == "US"))
    );
    assert!(
        json["purposes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["basis"] == "consent")
    );
    assert!(!json["security_measures"].as_array().unwrap().is_empty());
    let md = expect(demo.cmd(&["policy", "map", "--format", "md"]), 0).stdout;
    for heading in [
        "# Record of processing",
        "## Purposes and lawful bases",
        "## Recipients",
        "## Transfers to third countries",
        "## Retention",
        "## Security measures",
        "# Data map",
    ] {
        assert!(md.contains(heading), "missing {heading}");
    }
    let csv_text = expect(demo.cmd(&["policy", "map", "--format", "csv"]), 0).stdout;
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert!(
        rows.iter()
            .any(|r| &r[2] == "invoices" && &r[4] == "billing_name" && r[11].contains("17(3)(b)"))
    );
    let out = demo.dir.join("map.md");
    expect(
        demo.cmd(&["policy", "map", "--out", out.to_str().unwrap()]),
        0,
    );
    assert!(std::fs::read_to_string(out).unwrap().contains("# Data map"));
    expect(demo.cmd(&["policy", "map", "--format", "html"]), 2);
}

#[test]
fn policy_map_lists_references() {
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/datasets/chinook/sqlite");
    let temp = tempfile::tempdir().unwrap();
    let map = |format: &str| {
        let mut command = privops(temp.path());
        command
            .args(["policy", "map", "--format", format, "--policy"])
            .arg(&policy);
        expect(command, 0)
    };
    let json = map("json").json();
    let customer = json["sources"][0]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Customer")
        .unwrap();
    assert_eq!(
        customer["references"],
        serde_json::json!([{ "columns": ["SupportRepId"], "references": "Employee", "on_erase": "keep" }]),
        "{customer}"
    );
    assert_eq!(customer["relations"], serde_json::json!([]));
    let md = map("md").stdout;
    assert!(
        md.contains("Points at other people in (not followed by access): `Employee` via SupportRepId, on erase keep"),
        "{md}"
    );
}

#[test]
fn demo_is_idempotent_and_force_recreates() {
    let demo = Demo::new();
    let crm = demo.dir.join("data/crm.db");
    common::sqlite_execute(&crm, "DELETE FROM sessions");
    // Run again: the workspace is kept as it is.
    let again = expect(demo.cmd(&["demo", "--dir", ".", "--format", "json"]), 0).json();
    assert_eq!(
        again["sample_subjects"].as_array().unwrap().len(),
        demo.samples.len()
    );
    assert_eq!(
        common::sqlite_strings(&crm, "SELECT CAST(COUNT(*) AS TEXT) FROM sessions")[0],
        "0"
    );
    // --force lays it out anew.
    expect(demo.cmd(&["demo", "--dir", ".", "--force", "--quiet"]), 0);
    assert_ne!(
        common::sqlite_strings(&crm, "SELECT CAST(COUNT(*) AS TEXT) FROM sessions")[0],
        "0"
    );
    let log = expect(demo.cmd(&["audit", "log", "--format", "json"]), 0).json();
    assert_eq!(log.as_array().unwrap().len(), 2, "a fresh state store");
}

/// One typo is one error: a file that does not load still declares what plain TOML can
/// read of it (its purposes, identity kinds, controller), so later checks do not cascade,
/// and the root error comes first.
#[test]
fn one_typo_is_one_error_and_it_comes_first() {
    let temp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    common::copy_tree(&root.join("policies"), &temp.path().join("policies"));
    for (file, from, to) in [
        (
            "purposes.toml",
            "basis = \"contract\"",
            "basis = \"consnet\"",
        ),
        (
            "controller.toml",
            "normalise = \"email\"",
            "normalise = \"emial\"",
        ),
    ] {
        let path = temp.path().join("policies").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
    let mut command = common::privops(temp.path());
    command.args(["policy", "check"]);
    let run = common::run(command);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let errors: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert_eq!(errors.len(), 2, "{}", run.stdout);
    assert!(errors.iter().any(|e| e.contains("consnet")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("emial")), "{errors:?}");
}

/// `policy init --from-live` on a dataset nobody here designed: the draft passes
/// `policy check` with no error and `policy check --live` with no drift, and classifies
/// the columns named in `expected` (table, column, category, identity kind).
fn draft_of(url: &str, expected: &[(&str, &str, &str, Option<&str>)]) {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("draft");
    let mut init = privops(temp.path());
    init.args(["policy", "init", "--from-live", "DRAFT_URL", "--out"])
        .arg(&out)
        .args(["--format", "json"])
        .env("DRAFT_URL", url);
    let made = expect(init, 0).json();
    assert_eq!(made["errors"], 0, "{made}");
    assert!(made["reviews"].as_u64().unwrap() > 10, "{made}");
    let mut check = privops(temp.path());
    check
        .args(["policy", "check", "--live", "--format", "json", "--policy"])
        .arg(&out)
        .env("DRAFT_URL", url);
    let json = expect(check, 0).json();
    assert_eq!(json["errors"], 0, "{json}");
    assert_eq!(json["drift"], serde_json::json!([]), "{json}");
    let source: toml::Value =
        toml::from_str(&std::fs::read_to_string(out.join("sources/draft.toml")).unwrap()).unwrap();
    let tables = source["table"].as_array().unwrap();
    for (table, column, category, identity) in expected {
        let declared = tables
            .iter()
            .find(|t| t["name"].as_str() == Some(table))
            .unwrap_or_else(|| panic!("{table} not drafted"))["columns"][column]
            .clone();
        let (got_category, got_identity) = match &declared {
            toml::Value::String(c) => (c.as_str(), None),
            toml::Value::Table(t) => (
                t["category"].as_str().unwrap(),
                t.get("identity").and_then(|i| i.as_str()),
            ),
            other => panic!("{table}.{column}: {other:?}"),
        };
        assert_eq!(
            (got_category, got_identity),
            (*category, *identity),
            "{table}.{column}"
        );
    }
    // Running it again keeps the reviewed draft unless told otherwise.
    let mut again = privops(temp.path());
    again
        .args(["policy", "init", "--from-live", "DRAFT_URL", "--out"])
        .arg(&out)
        .env("DRAFT_URL", url);
    let refused = expect(again, 1);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
}

const CHINOOK_CAMEL: &[(&str, &str, &str, Option<&str>)] = &[
    ("Customer", "Email", "user.contact.email", Some("email")),
    (
        "Customer",
        "Phone",
        "user.contact.phone_number",
        Some("phone"),
    ),
    ("Customer", "FirstName", "user.name", None),
    ("Customer", "Address", "user.contact.address.street", None),
    ("Customer", "City", "user.contact.address.city", None),
    ("Employee", "Email", "user.contact.email", Some("email")),
    (
        "Invoice",
        "BillingAddress",
        "user.contact.address.street",
        None,
    ),
    ("Track", "Name", "system.operations", None),
];

const CHINOOK_SNAKE: &[(&str, &str, &str, Option<&str>)] = &[
    ("customer", "email", "user.contact.email", Some("email")),
    (
        "customer",
        "phone",
        "user.contact.phone_number",
        Some("phone"),
    ),
    ("customer", "first_name", "user.name", None),
    ("customer", "address", "user.contact.address.street", None),
    ("customer", "city", "user.contact.address.city", None),
    (
        "invoice",
        "billing_address",
        "user.contact.address.street",
        None,
    ),
];

const FIDES: &[(&str, &str, &str, Option<&str>)] = &[
    ("customer", "email", "user.contact.email", Some("email")),
    ("customer", "name", "user.name", None),
    ("employee", "email", "user.contact.email", Some("email")),
    ("address", "street", "user.contact.address.street", None),
    ("address", "city", "user.contact.address.city", None),
];

#[test]
fn drafts_from_live_databases_on_sqlite() {
    let temp = tempfile::tempdir().unwrap();
    let copy = temp.path().join("chinook.sqlite");
    std::fs::copy(
        common::datasets().join("chinook/Chinook_Sqlite.sqlite"),
        &copy,
    )
    .unwrap();
    draft_of(&format!("sqlite://{}", copy.display()), CHINOOK_CAMEL);
}

#[test]
fn drafts_from_live_databases_on_postgres() {
    if let Some(db) = TestDatabase::postgres("draft_chinook_pg") {
        common::load_script(
            &db,
            &common::datasets().join("chinook/Chinook_PostgreSql.sql"),
        );
        draft_of(&db.url, CHINOOK_SNAKE);
    }
    if let Some(db) = TestDatabase::postgres("draft_fides_pg") {
        common::load_script(
            &db,
            &common::datasets().join("fides-sample/postgres_sample.sql"),
        );
        draft_of(&db.url, FIDES);
    }
}

#[test]
fn drafts_from_live_databases_on_mariadb() {
    if let Some(db) = TestDatabase::mysql("draft_chinook_mysql") {
        common::load_script(&db, &common::datasets().join("chinook/Chinook_MySql.sql"));
        draft_of(&db.url, CHINOOK_CAMEL);
    }
    if let Some(db) = TestDatabase::mysql("draft_fides_mysql") {
        common::load_script(
            &db,
            &common::datasets().join("fides-sample/mysql_example.sql"),
        );
        draft_of(&db.url, FIDES);
    }
}
