#![allow(clippy::disallowed_macros)] // tests report skips on stderr
//! Identities stored in another form than the normalised one (`Alice@Example.com`,
//! `(650) 253-0000`, `tel:+1-650-253-0000`) are found by access and erasure, and nobody
//! else's rows are; on SQLite, PostgreSQL and MariaDB.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use crate::common::{TestDatabase, expect, zip_entry};
use serde_json::{Map, Value};
use sqlx::Connection;

const CONTROLLER: &str = r#"
[controller]
organisation = "Test Org"
dpo = { name = "D. P. O.", email = "dpo@example.com" }

[[identity]]
kind = "email"
normalise = "email"

[[identity]]
kind = "phone"
normalise = "phone"
default_region = "US"
"#;

const TABLES: &str = r#"
[[table]]
name = "customers"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
phone = { category = "user.contact.phone_number", identity = "phone" }
name = "user.name"

[[table]]
name = "orders"
key = ["id"]
erase = "delete"
[[table.relation]]
columns = ["customer_id"]
references = "customers"
[table.columns]
id = "system.operations"
customer_id = "user.unique_id"
item = "system.operations"

[[table]]
name = "newsletter"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
"#;

/// Alice by e-mail in three cases; Bob's number +1 650-253-0000 in four written forms;
/// then people who are neither: a similar address, similar numbers, a number in a form
/// lookups do not try, and a value that is no number. No row holds two people's identities.
const ROWS: &str = "
INSERT INTO customers (id, email, phone, name) VALUES
  (1, 'Alice@Example.com', NULL, 'Alice'),
  (2, 'ALICE@EXAMPLE.COM', NULL, 'Alice'),
  (3, 'alice@example.com', NULL, 'Alice'),
  (4, NULL, '+1 650-253-0000', 'Bob'),
  (5, NULL, '16502530000', 'Bob'),
  (6, NULL, 'tel:+1-650-253-0000', 'Bob'),
  (7, NULL, '(650) 253-0000', 'Bob'),
  (8, 'Alice@Example.org', '(650) 253-0001', 'Carol'),
  (9, 'malice@example.com', '+1 650-253-0010', 'Carol'),
  (10, 'dan@example.com', '+1 65025 30002', 'Dan'),
  (11, 'erin@example.com', 'unknown', 'Erin');
INSERT INTO orders (id, customer_id, item) VALUES
  (1, 1, 'book'), (2, 3, 'pen'), (3, 4, 'lamp'), (4, 7, 'mug'), (5, 8, 'desk'), (6, 9, 'cup'),
  (7, 10, 'pad');
INSERT INTO newsletter (id, email) VALUES
  (1, 'ALICE@example.com'), (2, 'alice@example.org'), (3, 'Bob@Example.com');
";

/// A database under test, read with hand-written SQL.
enum Db {
    Sqlite(PathBuf),
    Server(TestDatabase),
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

impl Db {
    fn engine(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Server(db) if db.postgres => "postgres",
            Db::Server(_) => "mysql",
        }
    }

    fn execute(&self, sql: &str) {
        match self {
            Db::Sqlite(path) => common::sqlite_execute(path, sql),
            Db::Server(db) => db.execute(sql),
        }
    }

    /// The ids a query returns (its first column, a BIGINT/INTEGER).
    fn ids(&self, sql: &str) -> BTreeSet<i64> {
        let sql = sql.to_string();
        let rows: Vec<(i64,)> = match self {
            Db::Sqlite(path) => {
                let url = format!("sqlite://{}", path.display());
                block_on(async move {
                    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
                    sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap()
                })
            }
            Db::Server(db) if db.postgres => {
                let url = db.url.clone();
                block_on(async move {
                    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
                    sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap()
                })
            }
            Db::Server(db) => {
                let url = db.url.clone();
                block_on(async move {
                    let mut conn = sqlx::MySqlConnection::connect(&url).await.unwrap();
                    sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap()
                })
            }
        };
        rows.into_iter().map(|(id,)| id).collect()
    }

    /// Every row of every table, as JSON objects.
    fn dump(&self) -> BTreeMap<String, Vec<Map<String, Value>>> {
        match self {
            Db::Sqlite(path) => common::sqlite_dump(path),
            Db::Server(db) => common::server_dump(db),
        }
    }
}

/// A table's rows by id.
fn by_id(rows: &[Map<String, Value>]) -> BTreeMap<i64, Map<String, Value>> {
    rows.iter()
        .map(|r| (r["id"].as_i64().unwrap(), r.clone()))
        .collect()
}

/// Alice's rows: her e-mail address in any case.
const ALICE: &str = "LOWER(email) = 'alice@example.com'";

/// Bob's rows: a phone that, stripped of everything but digits, is his number with or
/// without the country code.
const BOB: &str = "REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, 'tel:', ''), '+', ''), '(', ''), ')', ''), '-', ''), ' ', ''), '.', '') IN ('16502530000', '6502530000')";

struct Workspace {
    temp: tempfile::TempDir,
    policy: PathBuf,
    db: Db,
}

impl Workspace {
    fn new(db: Option<Db>) -> Workspace {
        let temp = tempfile::tempdir().unwrap();
        let db = db.unwrap_or_else(|| {
            let path = temp.path().join("shop.db");
            std::fs::File::create(&path).unwrap();
            Db::Sqlite(path)
        });
        let policy = temp.path().join("policy");
        std::fs::create_dir(&policy).unwrap();
        std::fs::write(policy.join("controller.toml"), CONTROLLER).unwrap();
        let place = match &db {
            Db::Sqlite(_) => "path = \"../shop.db\"",
            Db::Server(_) => "url_env = \"SHOP_DATABASE_URL\"",
        };
        let source = format!(
            "[source]\nid = \"shop\"\nengine = \"{}\"\n{place}\n{TABLES}",
            db.engine()
        );
        std::fs::write(policy.join("source.toml"), source).unwrap();
        // On MariaDB the newsletter's addresses compare case-sensitively (a binary
        // collation), the customers' as the server's default collation does (ignoring case).
        let (id, text, binary) = match db.engine() {
            "sqlite" => ("INTEGER PRIMARY KEY", "TEXT", "TEXT"),
            "postgres" => ("BIGINT PRIMARY KEY", "VARCHAR(200)", "VARCHAR(200)"),
            _ => (
                "BIGINT PRIMARY KEY",
                "VARCHAR(200)",
                "VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            ),
        };
        db.execute(&format!(
            "CREATE TABLE customers (id {id}, email {text}, phone {text}, name {text});\n\
             CREATE TABLE orders (id {id}, customer_id BIGINT, item {text});\n\
             CREATE TABLE newsletter (id {id}, email {binary});\n{ROWS}"
        ));
        let workspace = Workspace { temp, policy, db };
        common::init_like(&workspace.cmd(&[]));
        workspace
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut command = common::privops(self.temp.path());
        command
            .args(args)
            .arg("--policy")
            .arg(&self.policy)
            .args([
                "--state",
                self.temp.path().join("state.db").to_str().unwrap(),
            ])
            .env("PRIVOPS_SUBJECT_KEY", common::SUBJECT_KEY);
        if let Db::Server(db) = &self.db {
            command.env("SHOP_DATABASE_URL", &db.url);
        }
        command
    }

    /// The ids per table that an access export for `subject` holds.
    fn export(&self, subject: &str, name: &str) -> Ids {
        let out = self.temp.path().join(name);
        expect(
            self.cmd(&[
                "access",
                "--no-providers",
                "--subject",
                subject,
                "--out",
                out.to_str().unwrap(),
            ]),
            0,
        );
        TABLE_NAMES
            .iter()
            .map(|table| {
                let entry = format!("sources/shop/{table}.json");
                let text = zip_entry(&out, &entry).unwrap_or_else(|| "[]".into());
                let rows: Vec<Value> = serde_json::from_str(&text).unwrap();
                let ids = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
                (table.to_string(), ids)
            })
            .collect()
    }

    /// The ids per table of the rows where `customer` (a condition on customers) and
    /// `newsletter` (one on the newsletter, if any) hold, by hand-written SQL.
    fn expected(&self, customer: &str, newsletter: Option<&str>) -> Ids {
        let mut ids = Ids::new();
        ids.insert(
            "customers".into(),
            self.db
                .ids(&format!("SELECT id FROM customers WHERE {customer}")),
        );
        ids.insert(
            "orders".into(),
            self.db.ids(&format!(
                "SELECT id FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE {customer})"
            )),
        );
        ids.insert(
            "newsletter".into(),
            newsletter.map_or_else(BTreeSet::new, |condition| {
                self.db
                    .ids(&format!("SELECT id FROM newsletter WHERE {condition}"))
            }),
        );
        ids
    }

    /// Erases `subject` and checks that exactly the rows `mine` are gone and that every
    /// other row is byte-identical.
    fn erase(&self, subject: &str, mine: &Ids) {
        let before = self.db.dump();
        let receipt = expect(
            self.cmd(&[
                "erase",
                "--subject",
                subject,
                "--yes",
                "--receipt-dir",
                self.temp.path().to_str().unwrap(),
                "--format",
                "json",
            ]),
            0,
        )
        .json();
        assert_eq!(receipt["complete"], true, "{receipt}");
        let after = self.db.dump();
        for table in TABLE_NAMES {
            let (rows_before, rows_after) = (by_id(&before[table]), by_id(&after[table]));
            for (id, row) in &rows_before {
                match (mine[table].contains(id), rows_after.get(id)) {
                    (false, Some(now)) => assert_eq!(
                        now, row,
                        "{table} {id} is not {subject}'s and must be byte-identical"
                    ),
                    (false, None) => panic!("{table} {id} is not {subject}'s but was deleted"),
                    (true, Some(_)) => panic!("{table} {id} of {subject} is still there"),
                    (true, None) => {}
                }
            }
            assert!(rows_after.len() <= rows_before.len(), "{table}: rows added");
        }
    }
}

/// Ids per table.
type Ids = BTreeMap<String, BTreeSet<i64>>;

const TABLE_NAMES: [&str; 3] = ["customers", "orders", "newsletter"];

/// `line:column` of the first `needle` in `text`, as diagnostics count them.
fn place(text: &str, needle: &str) -> String {
    let offset = text.find(needle).unwrap();
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("{line}:{column}")
}

/// `policy check --live` warns, at each identity column's declaration, about the sampled
/// values that are not normalised, and shows none of them in clear.
fn live_check_warns_about_identity_forms(db: Option<Db>) {
    let ws = Workspace::new(db);
    let run = expect(ws.cmd(&["policy", "check", "--live"]), 0);
    let source = std::fs::read_to_string(ws.policy.join("source.toml")).unwrap();
    let phone = place(&source, "{ category = \"user.contact.phone_number\"");
    let email = place(&source, "{ category = \"user.contact.email\"");
    let lines: Vec<&str> = run.stdout.lines().collect();
    for expected in [
        format!(
            "source.toml:{phone}: warning: 6 of 8 sampled values of customers.phone are not in E.164 form (e.g. +1 ***-***-0000); they are still found (lookups also try the common written forms of a number), but normalising them makes every lookup an exact match"
        ),
        format!(
            "source.toml:{phone}: warning: 1 of 8 sampled values of customers.phone are written in a form lookups do not try (e.g. +1 ***** *0002): access and erasure miss their rows until they are normalised to E.164 form"
        ),
        format!(
            "source.toml:{phone}: warning: 1 of 8 sampled values of customers.phone are not valid phone numbers (e.g. *****wn): no subject's lookup finds their rows"
        ),
        format!(
            "source.toml:{email}: warning: 3 of 7 sampled values of customers.email are not in normalised (lower-case) form (e.g. A****@E******.com); they are still found (e-mail lookups ignore case), but normalising them makes every lookup an exact match"
        ),
    ] {
        assert!(
            lines.contains(&expected.as_str()),
            "{expected}\nnot in:\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .contains("warning: 2 of 3 sampled values of newsletter.email are not in normalised (lower-case) form"),
        "{}",
        run.stdout
    );
    // No stored value is shown in clear.
    let values =
        ROWS.split('\'').skip(1).step_by(2).filter(|v| {
            v.contains('@') || v.chars().any(|c| c.is_ascii_digit()) || *v == "unknown"
        });
    for value in values {
        assert!(
            !run.stdout.contains(value) && !run.stderr.contains(value),
            "`{value}` is shown in clear:\n{}{}",
            run.stdout,
            run.stderr
        );
    }
    // The warnings are diagnostics: counted, located, and the exit code stays 0.
    let json = expect(
        ws.cmd(&["policy", "check", "--live", "--format", "json"]),
        0,
    )
    .json();
    assert_eq!(json["warnings"], 5, "{json}");
    assert_eq!(json["drift"], serde_json::json!([]), "{json}");
    let located = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["severity"] == "warning" && d["file"] == "source.toml" && d["line"].as_u64() > Some(0)
        })
        .count();
    assert_eq!(located, 5, "{json}");
}

/// Access and erasure of subjects whose identities are stored in other forms.
fn identities_in_other_forms_are_found(db: Option<Db>) {
    let ws = Workspace::new(db);
    let alice = ws.expected(ALICE, Some(ALICE));
    let bob = ws.expected(BOB, None);
    let count = |ids: &Ids| -> Vec<usize> { TABLE_NAMES.iter().map(|t| ids[*t].len()).collect() };
    assert_eq!(
        count(&alice),
        [3, 2, 1],
        "Alice: three customers, two orders, one newsletter row"
    );
    assert_eq!(count(&bob), [4, 2, 0], "Bob: four customers, two orders");

    // Access finds every stored form, and follows the relation from those rows.
    assert_eq!(ws.export("email:alice@example.com", "alice.zip"), alice);
    // Bob's number written as none of its stored forms.
    assert_eq!(ws.export("phone:650.253.0000", "bob.zip"), bob);

    // Erasure removes exactly those rows; every other row stays byte-identical.
    ws.erase("email:alice@example.com", &alice);
    ws.erase("phone:+1 (650) 253-0000", &bob);
    assert_eq!(
        ws.db.ids("SELECT id FROM customers"),
        ws.db
            .ids("SELECT id FROM customers WHERE name IN ('Carol', 'Dan', 'Erin')"),
        "only the other people's customers remain"
    );
    // Nothing of theirs is found any more.
    let none: Ids = TABLE_NAMES
        .iter()
        .map(|t| (t.to_string(), BTreeSet::new()))
        .collect();
    assert_eq!(
        ws.export("email:Alice@Example.COM", "alice-after.zip"),
        none
    );
    assert_eq!(ws.export("phone:6502530000", "bob-after.zip"), none);
}

#[test]
fn identities_in_other_forms_are_found_on_sqlite() {
    identities_in_other_forms_are_found(None);
}

#[test]
fn identities_in_other_forms_are_found_on_postgres() {
    if let Some(db) = TestDatabase::postgres("identities_in_other_forms_are_found_on_postgres") {
        identities_in_other_forms_are_found(Some(Db::Server(db)));
    }
}

#[test]
fn identities_in_other_forms_are_found_on_mariadb() {
    if let Some(db) = TestDatabase::mysql("identities_in_other_forms_are_found_on_mariadb") {
        identities_in_other_forms_are_found(Some(Db::Server(db)));
    }
}

#[test]
fn live_check_warns_about_identity_forms_on_sqlite() {
    live_check_warns_about_identity_forms(None);
}

#[test]
fn live_check_warns_about_identity_forms_on_postgres() {
    if let Some(db) = TestDatabase::postgres("live_check_warns_about_identity_forms_on_postgres") {
        live_check_warns_about_identity_forms(Some(Db::Server(db)));
    }
}

#[test]
fn live_check_warns_about_identity_forms_on_mariadb() {
    if let Some(db) = TestDatabase::mysql("live_check_warns_about_identity_forms_on_mariadb") {
        live_check_warns_about_identity_forms(Some(Db::Server(db)));
    }
}
