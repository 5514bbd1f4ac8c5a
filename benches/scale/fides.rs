//! The Fides sample shop (its own PostgreSQL schema, `postgres_sample.sql`), grown to the
//! scale where per-row work shows: a background of 2,000 other customers and 200,000 rows
//! per table, and `--fides-extra N` more rows in `login`, `payment_card`,
//! `service_request` and `orders` for the customer erased and exported,
//! customer-1@example.com. The sample has no index on its foreign-key columns, as many
//! real schemas; none is added.
//!
//! Erasure masks the same columns three ways, each on its own copy of the same database:
//! - privops, the whole process (`privops erase`, journal, audit trail and receipt);
//! - the best hand-written SQL: one statement per table, the subject's rows chosen by a
//!   join on the customer's e-mail address, one transaction, on a warm connection;
//! - the per-row pattern of Ethyca Fides: each collection read with its own query, the
//!   keys of one collection bound as a list into the next, then each row masked by its
//!   own `UPDATE … WHERE pk = …`, committed on its own. That pattern takes minutes at this
//!   scale, so it is timed on the first `--fides-per-row N` rows of each table and scaled
//!   to all of them (said so in the report).
//!
//! A digest of every table after privops equals the digest after the hand-written SQL.
//! The access export is compared with the same rows read by hand, and with Fides's
//! per-collection reads (keys bound as lists of parameters).

use std::time::{Duration, Instant};

use sqlx::{Connection, PgConnection};

use super::data::{Target, measure};
use super::{Options, Report, block_on, privops};

const EMAIL: &str = "customer-1@example.com";

/// Masks: the same columns for all three ways (null, as Fides's `null_rewrite`); visits
/// are keyed by the e-mail address and deleted.
const POLICY: &str = r#"
[controller]
organisation = "Example Cookie Shop (fictional)"
dpo = { name = "DPO", email = "dpo@cookies.example" }

[[identity]]
kind = "email"
normalise = "email"

[source]
id = "shop"
engine = "postgres"
url_env = "BENCH_DATABASE_URL"

[[table]]
name = "customer"
key = ["id"]
erase = "mask"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email", mask = "null" }
name = { category = "user.name", mask = "null" }
created = "system.operations"
address_id = "system.operations"

[[table]]
name = "payment_card"
key = ["id"]
erase = "mask"
[table.columns]
id = "system.operations"
name = { category = "user.financial", mask = "null" }
ccn = { category = "user.payment", mask = "null" }
code = { category = "user.payment", mask = "null" }
preferred = "system.operations"
customer_id = "system.operations"
billing_address_id = "system.operations"
[[table.relation]]
columns = ["customer_id"]
references = "customer"

[[table]]
name = "orders"
key = ["id"]
erase = "mask"
[table.columns]
id = "system.operations"
customer_id = "system.operations"
shipping_address_id = "system.operations"
payment_card_id = "system.operations"
[[table.relation]]
columns = ["customer_id"]
references = "customer"

[[table]]
name = "order_item"
key = ["order_id", "item_no"]
erase = "mask"
[table.columns]
order_id = "system.operations"
item_no = "system.operations"
product_id = "system.operations"
quantity = "system.operations"
[[table.relation]]
columns = ["order_id"]
references = "orders"

[[table]]
name = "login"
key = ["id"]
erase = "mask"
[table.columns]
id = "system.operations"
customer_id = "system.operations"
time = { category = "user.behavior", mask = "null" }
[[table.relation]]
columns = ["customer_id"]
references = "customer"

[[table]]
name = "service_request"
key = ["id"]
erase = "mask"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email", mask = "null" }
alt_email = { category = "user.contact.email", identity = "email", mask = "null" }
opened = "system.operations"
closed = "system.operations"
employee_id = "system.operations"

[[table]]
name = "visit"
key = ["email", "last_visit"]
erase = "delete"
[table.columns]
email = { category = "user.contact.email", identity = "email" }
last_visit = "system.operations"

[[table]]
name = "report"
key = ["id"]
erase = "mask"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email", mask = "null" }
name = "system.operations"
year = "system.operations"
month = "system.operations"
total_visits = "system.operations"

[[table]]
name = "composite_pk_test"
key = ["id_a", "id_b"]
erase = "mask"
[table.columns]
id_a = "system.operations"
id_b = "system.operations"
description = { category = "user.content", mask = "null" }
customer_id = "system.operations"
[[table.relation]]
columns = ["customer_id"]
references = "customer"
"#;

/// The tables the policy covers, each with its key (for the per-row pattern) and the
/// columns erasure masks (empty: read by access, nothing masked).
const TABLES: &[(&str, &str, &[&str])] = &[
    ("customer", "id", &["email", "name"]),
    ("payment_card", "id", &["name", "ccn", "code"]),
    ("orders", "id", &[]),
    ("order_item", "order_id, item_no", &[]),
    ("login", "id", &["time"]),
    ("service_request", "id", &["email", "alt_email"]),
    ("visit", "email, last_visit", &[]),
    ("report", "id", &["email"]),
    ("composite_pk_test", "id_a, id_b", &["description"]),
];

/// The best hand-written erasure: the same masks, each table's rows chosen by a join.
const BY_HAND: &[&str] = &[
    "UPDATE payment_card SET name = NULL, ccn = NULL, code = NULL WHERE customer_id IN (SELECT id FROM customer WHERE lower(email) = $1)",
    "UPDATE login SET time = NULL WHERE customer_id IN (SELECT id FROM customer WHERE lower(email) = $1)",
    "UPDATE composite_pk_test SET description = NULL WHERE customer_id IN (SELECT id FROM customer WHERE lower(email) = $1)",
    "UPDATE service_request SET email = NULL, alt_email = NULL WHERE lower(email) = $1 OR lower(alt_email) = $1",
    "UPDATE report SET email = NULL WHERE lower(email) = $1",
    "DELETE FROM visit WHERE lower(email) = $1",
    "UPDATE customer SET email = NULL, name = NULL WHERE lower(email) = $1",
];

pub fn fides(options: &Options, report: &mut Report, target: &Target) {
    if !matches!(target, Target::Postgres { .. }) {
        println!("# fides: the Fides sample schema is PostgreSQL's; skipped on SQLite");
        return;
    }
    let extra = options.fides_extra;
    target.fresh();
    let started = Instant::now();
    let sample = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/datasets/sources/fides-sample/postgres_sample.sql"),
    )
    .unwrap();
    target.run(&sample);
    target.run(&grow(extra));
    // A database in use has its rows' visibility settled; without this the first reader of
    // the freshly loaded tables (privops here) would pay for setting it on every row.
    target.run("VACUUM ANALYZE");
    println!(
        "# fides: the sample grown by {extra} rows per table for {EMAIL} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let size = format!("Fides sample, 200,000 background + {extra} extra rows per table");
    let masked = 3 * extra as i64 + target.count(&format!(
        "SELECT (SELECT COUNT(*) FROM customer WHERE email = '{EMAIL}')
              + (SELECT COUNT(*) FROM payment_card WHERE customer_id = 1)
              + (SELECT COUNT(*) FROM login WHERE customer_id = 1)
              + (SELECT COUNT(*) FROM service_request WHERE email = '{EMAIL}' OR alt_email = '{EMAIL}')
              + (SELECT COUNT(*) FROM report WHERE email = '{EMAIL}')
              + (SELECT COUNT(*) FROM composite_pk_test WHERE customer_id = 1) - {}",
        3 * extra
    ));

    let temp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(temp.path().join("policies")).unwrap();
    std::fs::write(temp.path().join("policies/policy.toml"), POLICY).unwrap();
    super::init(temp.path());
    let command = |target: &Target| {
        let mut command = privops(temp.path(), None);
        command
            .env("BENCH_DATABASE_URL", target.url())
            .env("PRIVOPS_NOW", "2026-11-25T12:00:00Z");
        command
    };

    // Access first, on the untouched database.
    let mut access = command(target);
    access.args([
        "access",
        "--no-providers",
        "--subject",
        &format!("email:{EMAIL}"),
        "--out",
    ]);
    access.arg(temp.path().join("export.zip")).arg("--force");
    let (elapsed, peak) = measure(access);
    let (rows, by_hand) = read_by_hand(&target.url());
    let per_collection = read_per_collection(&target.url());
    report.add(
        "fides sample: access export (whole process)",
        "postgres",
        size.clone(),
        elapsed,
        by_hand,
        format!(
            "{rows} rows; Fides's per-collection reads {:.3} s ({:.1}x privops); peak {} MB; \
             target >= 20x faster than Fides itself at 100,000 extra rows (Fides 2.78.2 took \
             45-55 s there, 5.4-6.3 s at 10,000, on a 2-core machine: README)",
            per_collection.as_secs_f64(),
            per_collection.as_secs_f64() / elapsed.as_secs_f64(),
            peak.map_or("?".into(), |p| (p / 1024).to_string())
        ),
    );

    // Erasure: privops, by hand, and the per-row pattern, each on a copy.
    let privops_copy = target.copy("privops");
    let hand_copy = target.copy("hand");
    let per_row_copy = target.copy("perrow");
    let mut erase = command(&privops_copy);
    erase.args(["erase", "--yes", "--subject", &format!("email:{EMAIL}")]);
    let (elapsed, peak) = measure(erase);
    let by_hand = erase_by_hand(&hand_copy.url());
    let (per_row, per_row_rows) = erase_per_row(&per_row_copy.url(), options.fides_per_row);
    for (table, _, _) in TABLES {
        assert_eq!(
            digest(&privops_copy, table),
            digest(&hand_copy, table),
            "fides: `{table}` differs after privops and after the hand-written erasure"
        );
    }
    report.add(
        "fides sample: erase one customer (whole process)",
        "postgres",
        size,
        elapsed,
        by_hand,
        format!(
            "{masked} rows masked, tables equal to the hand-written result; Fides's per-row pattern \
             {:.1} s ({:.0}x privops; timed on {per_row_rows} rows, scaled to {masked}); peak {} MB; \
             target <= 1.5x of the hand-written SQL",
            per_row.as_secs_f64(),
            per_row.as_secs_f64() / elapsed.as_secs_f64(),
            peak.map_or("?".into(), |p| (p / 1024).to_string())
        ),
    );
    for copy in [privops_copy, hand_copy, per_row_copy] {
        copy.drop_it();
    }
    target.drop_it();
}

/// The background (2,000 customers with 200,000 rows per table) and the extra rows of
/// customer 1 (`extra` per table in `login`, `payment_card`, `service_request`, `orders`).
fn grow(extra: usize) -> String {
    format!(
        "INSERT INTO customer (id, email, name, created, address_id)
           SELECT 1000 + i, 'bg' || i || '@example.com', 'Customer ' || i, '2022-01-01', 1 + i % 4
           FROM generate_series(0, 1999) i;
         INSERT INTO login (id, customer_id, time)
           SELECT 1000 + i, 1000 + i % 2000, '2022-01-01'::timestamp + i * interval '1 minute'
           FROM generate_series(0, 199999) i;
         INSERT INTO payment_card (id, name, ccn, code, preferred, customer_id, billing_address_id)
           SELECT 'bg_pay_' || i, 'Card ' || i, 4000000000 + i, i % 1000, i % 2 = 0, 1000 + i % 2000, 1 + i % 4
           FROM generate_series(0, 199999) i;
         INSERT INTO orders (id, customer_id, shipping_address_id, payment_card_id)
           SELECT 'bg_ord_' || i, 1000 + i % 2000, 1 + i % 4, 'bg_pay_' || i
           FROM generate_series(0, 199999) i;
         INSERT INTO order_item (order_id, item_no, product_id, quantity)
           SELECT 'bg_ord_' || i, 1, 1 + i % 6, 1 + i % 3 FROM generate_series(0, 199999) i;
         INSERT INTO service_request (id, email, alt_email, opened, closed, employee_id)
           SELECT 'bg_ser_' || i, 'bg' || i % 2000 || '@example.com', NULL, '2022-01-01', NULL, 1
           FROM generate_series(0, 199999) i;
         INSERT INTO visit (email, last_visit)
           SELECT 'bg' || i % 2000 || '@example.com', '2022-01-01'::timestamp + i * interval '1 minute'
           FROM generate_series(0, 199999) i;
         INSERT INTO report (id, email, name, year, month, total_visits)
           SELECT 1000 + i, 'bg' || i % 2000 || '@example.com', 'Monthly Report', 2022, 1 + i % 12, i % 100
           FROM generate_series(0, 199999) i;
         INSERT INTO login (id, customer_id, time)
           SELECT 1000000 + i, 1, '2023-01-01'::timestamp + i * interval '1 minute'
           FROM generate_series(1, {extra}) i;
         INSERT INTO payment_card (id, name, ccn, code, preferred, customer_id, billing_address_id)
           SELECT 'c1_pay_' || i, 'Card ' || i, 5000000000 + i, i % 1000, false, 1, 1
           FROM generate_series(1, {extra}) i;
         INSERT INTO service_request (id, email, alt_email, opened, closed, employee_id)
           SELECT 'c1_ser_' || i, '{EMAIL}', NULL, '2023-01-01', NULL, 1
           FROM generate_series(1, {extra}) i;
         INSERT INTO orders (id, customer_id, shipping_address_id, payment_card_id)
           SELECT 'c1_ord_' || i, 1, 1, 'c1_pay_' || i FROM generate_series(1, {extra}) i;"
    )
}

/// A digest of a table's every row, to compare two copies.
fn digest(target: &Target, table: &str) -> String {
    let url = target.url();
    let sql = format!(
        "SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
    );
    block_on(async move {
        let mut conn = PgConnection::connect(&url).await.unwrap();
        sqlx::query_scalar::<_, String>(&sql)
            .fetch_one(&mut conn)
            .await
            .unwrap()
    })
}

async fn warm(url: &str) -> PgConnection {
    let mut conn = PgConnection::connect(url).await.unwrap();
    sqlx::query("SELECT 1").execute(&mut conn).await.unwrap();
    conn
}

fn erase_by_hand(url: &str) -> Duration {
    block_on(async {
        let mut conn = warm(url).await;
        let started = Instant::now();
        let mut tx = conn.begin().await.unwrap();
        for statement in BY_HAND {
            sqlx::query(statement)
                .bind(EMAIL)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        started.elapsed()
    })
}

/// The subject's keys per table, found the way Fides walks the graph: one query per
/// collection, the keys found upstream bound as a list, e-mail addresses compared as
/// stored (as Fides compares them).
async fn collections(conn: &mut PgConnection) -> Vec<(&'static str, Vec<String>)> {
    let customers = keys(
        sqlx::query("SELECT id::text, t.* FROM customer t WHERE email = $1")
            .bind(EMAIL)
            .fetch_all(&mut *conn)
            .await
            .unwrap(),
    );
    let mut found = vec![("customer", customers.clone())];
    for (table, key) in [
        ("payment_card", "id"),
        ("orders", "id"),
        ("login", "id::text"),
        ("composite_pk_test", "id_a || ',' || id_b"),
    ] {
        let keys = in_list(
            conn,
            &format!("SELECT {key}, t.* FROM {table} t WHERE customer_id IN"),
            "::int",
            &customers,
        )
        .await;
        found.push((table, keys));
    }
    let orders = found[2].1.clone();
    let items = in_list(
        conn,
        "SELECT order_id || ',' || item_no, t.* FROM order_item t WHERE order_id IN",
        "",
        &orders,
    )
    .await;
    found.push(("order_item", items));
    for (table, key, filter) in [
        ("service_request", "id", "email = $1 OR alt_email = $1"),
        ("report", "id::text", "email = $1"),
        ("visit", "email || ',' || last_visit", "email = $1"),
    ] {
        let rows = sqlx::query(&format!("SELECT {key}, t.* FROM {table} t WHERE {filter}"))
            .bind(EMAIL)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        found.push((table, keys(rows)));
    }
    found
}

/// The first column of each row read whole (the row's key as text).
fn keys(rows: Vec<sqlx::postgres::PgRow>) -> Vec<String> {
    use sqlx::Row;
    rows.iter().map(|row| row.get::<String, _>(0)).collect()
}

/// `prefix ($1, $2, …)` with the values bound, 10,000 at a time.
async fn in_list(
    conn: &mut PgConnection,
    prefix: &str,
    cast: &str,
    values: &[String],
) -> Vec<String> {
    let mut found = Vec::new();
    for chunk in values.chunks(10_000) {
        let list = (1..=chunk.len())
            .map(|n| format!("${n}{cast}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("{prefix} ({list})");
        let mut query = sqlx::query(&sql);
        for value in chunk {
            query = query.bind(value);
        }
        found.extend(keys(query.fetch_all(&mut *conn).await.unwrap()));
    }
    found
}

/// Fides's erasure: the collections read, then each row masked by its own statement,
/// committed on its own; timed on the first `limit` rows of each table and scaled.
fn erase_per_row(url: &str, limit: usize) -> (Duration, usize) {
    block_on(async {
        let mut conn = warm(url).await;
        let started = Instant::now();
        let found = collections(&mut conn).await;
        let mut elapsed = started.elapsed();
        let mut timed_rows = 0;
        for (table, keys) in &found {
            let Some((_, key, masks)) = TABLES.iter().find(|(t, _, _)| t == table) else {
                continue;
            };
            if masks.is_empty() && *table != "visit" {
                continue;
            }
            let statement = if *table == "visit" {
                "DELETE FROM visit WHERE email = split_part($1, ',', 1) AND last_visit = split_part($1, ',', 2)::timestamp".to_string()
            } else {
                let set = masks
                    .iter()
                    .map(|c| format!("{c} = NULL"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let filter = if key.contains(',') {
                    "id_a = split_part($1, ',', 1)::int AND id_b = split_part($1, ',', 2)::int"
                        .to_string()
                } else if ["customer", "login", "report"].contains(table) {
                    format!("{key} = $1::int")
                } else {
                    format!("{key} = $1")
                };
                format!("UPDATE {table} SET {set} WHERE {filter}")
            };
            let sample = &keys[..keys.len().min(limit)];
            let table_started = Instant::now();
            for value in sample {
                sqlx::query(&statement)
                    .bind(value)
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
            timed_rows += sample.len();
            if !sample.is_empty() {
                elapsed += table_started
                    .elapsed()
                    .mul_f64(keys.len() as f64 / sample.len() as f64);
            }
        }
        (elapsed, timed_rows)
    })
}

/// The export's rows read by hand: each table's rows of the subject chosen by a join, on
/// a warm connection; returns the row count and the time.
fn read_by_hand(url: &str) -> (usize, Duration) {
    block_on(async {
        let mut conn = warm(url).await;
        let started = Instant::now();
        let mut rows = 0;
        for sql in [
            "SELECT * FROM customer WHERE lower(email) = $1",
            "SELECT * FROM payment_card WHERE customer_id IN (SELECT id FROM customer WHERE lower(email) = $1)",
            "SELECT * FROM orders WHERE customer_id IN (SELECT id FROM customer WHERE lower(email) = $1)",
            "SELECT i.* FROM order_item i JOIN orders o ON o.id = i.order_id JOIN customer c ON c.id = o.customer_id WHERE lower(c.email) = $1",
            "SELECT * FROM login WHERE customer_id IN (SELECT id FROM customer WHERE lower(email) = $1)",
            "SELECT * FROM composite_pk_test WHERE customer_id IN (SELECT id FROM customer WHERE lower(email) = $1)",
            "SELECT * FROM service_request WHERE lower(email) = $1 OR lower(alt_email) = $1",
            "SELECT * FROM visit WHERE lower(email) = $1",
            "SELECT * FROM report WHERE lower(email) = $1",
        ] {
            rows += sqlx::query(sql)
                .bind(EMAIL)
                .fetch_all(&mut conn)
                .await
                .unwrap()
                .len();
        }
        (rows, started.elapsed())
    })
}

/// Fides's access reads: one query per collection, each row read whole, upstream keys
/// bound as lists.
fn read_per_collection(url: &str) -> Duration {
    block_on(async {
        let mut conn = warm(url).await;
        let started = Instant::now();
        collections(&mut conn).await;
        started.elapsed()
    })
}
