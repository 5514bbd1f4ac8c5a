//! The foreign keys a database declares, read from its catalogue on every engine, and
//! how the policy accounts for each: a relation (the referencing rows are the subject's
//! too), a non-owning reference, or nothing.
//!
//! Tables are named as [`SourcePool::schema`] names them: `table` in the connection's
//! default schema, `schema.table` elsewhere. Catalogue names are only ever bound as
//! parameters or passed to table-valued functions as column values; no SQL is built
//! from them.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::SourcePool;
use super::held::on_held;
use crate::policy::{OnErase, SourceDef, Table};

/// What the database does to the referencing rows when a referenced row is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDelete {
    /// Refuse the delete while rows point at the row (checked at the end of the
    /// statement, or of the transaction when deferred).
    NoAction,
    /// Refuse the delete while rows point at the row (checked at once).
    Restrict,
    /// Delete the referencing rows too.
    Cascade,
    /// Set the referencing columns to NULL.
    SetNull,
    /// Set the referencing columns to their defaults.
    SetDefault,
}

impl OnDelete {
    /// From the catalogue's spelling: `NO ACTION`, `SET NULL` (SQLite, MariaDB) or
    /// PostgreSQL's one-letter codes (`a`, `r`, `c`, `n`, `d`).
    fn parse(text: &str) -> Result<OnDelete> {
        Ok(match text.trim().to_ascii_uppercase().as_str() {
            "NO ACTION" | "A" | "" => OnDelete::NoAction,
            "RESTRICT" | "R" => OnDelete::Restrict,
            "CASCADE" | "C" => OnDelete::Cascade,
            "SET NULL" | "N" => OnDelete::SetNull,
            "SET DEFAULT" | "D" => OnDelete::SetDefault,
            other => bail!("unknown ON DELETE rule `{other}` in the catalogue"),
        })
    }

    /// As SQL writes it.
    pub fn sql(self) -> &'static str {
        match self {
            OnDelete::NoAction => "NO ACTION",
            OnDelete::Restrict => "RESTRICT",
            OnDelete::Cascade => "CASCADE",
            OnDelete::SetNull => "SET NULL",
            OnDelete::SetDefault => "SET DEFAULT",
        }
    }

    /// True when deleting a referenced row succeeds by itself, the database clearing
    /// (CASCADE) or emptying (SET NULL) the rows that point at it.
    pub(crate) fn clears_references(self) -> bool {
        matches!(self, OnDelete::Cascade | OnDelete::SetNull)
    }
}

/// One foreign key as the database declares it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ForeignKey {
    /// The constraint's name; SQLite's foreign keys have none (empty).
    pub name: String,
    /// The referencing table.
    pub table: String,
    /// Its columns, in the key's order.
    pub columns: Vec<String>,
    /// The referenced table.
    pub referenced_table: String,
    /// The referenced columns, paired with `columns`.
    pub referenced_columns: Vec<String>,
    pub on_delete: OnDelete,
}

/// How the policy declares a foreign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Declared {
    /// A `[[table.relation]]` of the referencing table onto the referenced columns: the
    /// referencing rows belong to the subject of the row they point at.
    Relation,
    /// A `[[table.relation]]` of the referenced table the other way round (an address
    /// that belongs to the subject of the rows pointing at it, `to` naming their column).
    ReverseRelation,
    /// A `[[table.reference]]` of the referencing table: the rows point at another person.
    Reference(OnErase),
}

impl ForeignKey {
    /// `(column, referenced column)` pairs, order aside.
    fn pairs(&self) -> BTreeSet<(&str, &str)> {
        self.columns
            .iter()
            .map(String::as_str)
            .zip(self.referenced_columns.iter().map(String::as_str))
            .collect()
    }

    /// How `source` declares this key, if it does. Columns are matched as pairs, so a
    /// composite key may list its columns in another order than the database.
    pub(crate) fn declared_as(&self, source: &SourceDef) -> Option<Declared> {
        let referencing = source.table(&self.table)?;
        let referenced = source.table(&self.referenced_table)?;
        let wanted = self.pairs();
        let same = |columns: &[toml::Spanned<String>], targets: Vec<&str>| {
            columns.len() == targets.len()
                && columns
                    .iter()
                    .map(|c| c.get_ref().as_str())
                    .zip(targets)
                    .collect::<BTreeSet<_>>()
                    == wanted
        };
        for relation in &referencing.relation {
            let relation = relation.get_ref();
            if relation.references.get_ref() == &self.referenced_table
                && same(
                    &relation.columns,
                    Table::relation_targets(relation, referenced),
                )
            {
                return Some(Declared::Relation);
            }
        }
        for reference in &referencing.reference {
            let reference = reference.get_ref();
            if reference.references.get_ref() == &self.referenced_table
                && same(
                    &reference.columns,
                    Table::reference_targets(reference, referenced),
                )
            {
                return Some(Declared::Reference(reference.on_erase));
            }
        }
        // The reverse: the referenced table's relation names this key's columns as its
        // `to` (or this table's key) and the referenced columns as its own.
        let reversed: BTreeSet<(&str, &str)> = wanted.iter().map(|(a, b)| (*b, *a)).collect();
        for relation in &referenced.relation {
            let relation = relation.get_ref();
            let targets = Table::relation_targets(relation, referencing);
            if relation.references.get_ref() == &self.table
                && relation.columns.len() == targets.len()
                && relation
                    .columns
                    .iter()
                    .map(|c| c.get_ref().as_str())
                    .zip(targets)
                    .collect::<BTreeSet<_>>()
                    == reversed
            {
                return Some(Declared::ReverseRelation);
            }
        }
        None
    }
}

/// PostgreSQL's catalogue row of one key: table, name, columns, referenced table and
/// columns, ON DELETE code.
type KeyRow = (String, String, Vec<String>, String, Vec<String>, String);

/// PostgreSQL's catalogue row of one key by numbers: table oid, name, column numbers,
/// referenced table oid and column numbers, ON DELETE code.
type NumberedKeyRow = (i64, String, Vec<i32>, i64, Vec<i32>, String);

/// Catalogue rows, one per column of a key, grouped into keys in the order they come.
struct Rows(BTreeMap<(String, String), ForeignKey>);

impl Rows {
    fn add(
        &mut self,
        table: String,
        name: String,
        column: String,
        referenced_table: String,
        referenced_column: Option<String>,
        on_delete: &str,
    ) -> Result<()> {
        let on_delete = OnDelete::parse(on_delete)
            .with_context(|| format!("foreign key of `{table}` on `{column}`"))?;
        let key = self
            .0
            .entry((table.clone(), name.clone()))
            .or_insert_with(|| ForeignKey {
                name,
                table,
                columns: Vec::new(),
                referenced_table,
                referenced_columns: Vec::new(),
                on_delete,
            });
        key.columns.push(column);
        key.referenced_columns.extend(referenced_column);
        Ok(())
    }

    /// A whole key, its columns and the referenced ones paired.
    fn add_key(&mut self, key: KeyRow) -> Result<()> {
        let (table, name, columns, referenced, to, on_delete) = key;
        anyhow::ensure!(
            columns.len() == to.len(),
            "foreign key `{name}` of `{table}`: {} columns for {} referenced",
            columns.len(),
            to.len()
        );
        for (column, to) in columns.into_iter().zip(to) {
            self.add(
                table.clone(),
                name.clone(),
                column,
                referenced.clone(),
                Some(to),
                &on_delete,
            )?;
        }
        Ok(())
    }
}

impl SourcePool {
    /// The foreign keys from one of `tables` to one of `tables`, named as `tables` names
    /// them, with any others [`SourcePool::foreign_keys`] may add. On PostgreSQL, once the
    /// tables' columns were read (with their oids and column numbers), one statement on
    /// `pg_constraint` alone reads them by number: it plans in a fraction of the time of
    /// the catalogue joins that name every key, a wait an erasure of one subject had on a
    /// new connection. Elsewhere, or for a table not read yet, every key as
    /// [`SourcePool::foreign_keys`] reads them.
    pub(crate) async fn foreign_keys_among(&self, tables: &[&str]) -> Result<Vec<ForeignKey>> {
        let SourcePool::Postgres(pool) = self else {
            return self.foreign_keys().await;
        };
        let mut by_oid = BTreeMap::new();
        for table in tables {
            let Some(relation) = self.cached_relation(table) else {
                return self.foreign_keys().await;
            };
            by_oid.insert(relation.oid, (*table, relation.columns));
        }
        let oids = crate::sql::pg_array(by_oid.keys().map(|oid| Some(oid.to_string())));
        let found: Vec<NumberedKeyRow> = on_held!(pool, |c| {
            sqlx::query_as(
                "SELECT c.conrelid::int8, c.conname::text, c.conkey::int4[], \
                        c.confrelid::int8, c.confkey::int4[], c.confdeltype::text \
                 FROM pg_catalog.pg_constraint c \
                 WHERE c.contype = 'f' AND c.conparentid = 0 \
                   AND c.conrelid = ANY(CAST($1 AS oid[])) AND c.confrelid = ANY(CAST($1 AS oid[]))",
            )
            .bind(&oids)
            .fetch_all(c)
        })
        .context("reading the foreign keys (pg_constraint)")?;
        let named = |oid: i64, numbers: &[i32]| {
            let (table, columns) = by_oid.get(&oid)?;
            let names = numbers
                .iter()
                .map(|n| columns.get(n).cloned())
                .collect::<Option<Vec<String>>>()?;
            Some((table.to_string(), names))
        };
        let mut rows = Rows(BTreeMap::new());
        for (table, name, numbers, referenced, referenced_numbers, on_delete) in found {
            let (Some((table, columns)), Some((referenced, to))) = (
                named(table, &numbers),
                named(referenced, &referenced_numbers),
            ) else {
                // A column added since the table was read: the catalogue names it.
                return self.foreign_keys().await;
            };
            rows.add_key((table, name, columns, referenced, to, on_delete))?;
        }
        Ok(rows.0.into_values().collect())
    }

    /// Every foreign key of the tables [`SourcePool::schema`] lists, with its ON DELETE
    /// rule, ordered by referencing table. On SQLite, names are given as the tables
    /// declare them (a key may write `employee` for `Employee`) and a key written without
    /// its referenced columns points at the referenced table's primary key.
    pub async fn foreign_keys(&self) -> Result<Vec<ForeignKey>> {
        let mut rows = Rows(BTreeMap::new());
        match self {
            SourcePool::Sqlite(_, pool) => {
                let found: Vec<(String, i64, String, String, Option<String>, String)> =
                    sqlx::query_as(
                        "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_delete \
                         FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f \
                         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                         AND m.name NOT LIKE '_sqlx_%' ORDER BY m.name, f.id, f.seq",
                    )
                    .fetch_all(pool)
                    .await
                    .context("reading the foreign keys (pragma_foreign_key_list)")?;
                // SQLite matches names without regard to case: give them as declared.
                let schema = self.schema().await?;
                let table_name = |name: &str| {
                    schema
                        .keys()
                        .find(|t| t.eq_ignore_ascii_case(name))
                        .cloned()
                        .unwrap_or_else(|| name.to_string())
                };
                let column_name = |table: &str, name: &str| {
                    schema
                        .get(table)
                        .and_then(|columns| columns.iter().find(|c| c.eq_ignore_ascii_case(name)))
                        .cloned()
                        .unwrap_or_else(|| name.to_string())
                };
                let mut primary_keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
                let mut positions: BTreeMap<(String, i64), usize> = BTreeMap::new();
                for (table, id, referenced, from, to, on_delete) in found {
                    let referenced = table_name(&referenced);
                    let to = match to {
                        Some(to) => Some(column_name(&referenced, &to)),
                        None => {
                            if !primary_keys.contains_key(&referenced) {
                                let key: Vec<(String,)> = sqlx::query_as(
                                    "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk",
                                )
                                .bind(&referenced)
                                .fetch_all(pool)
                                .await
                                .with_context(|| {
                                    format!("reading the primary key of `{referenced}`")
                                })?;
                                primary_keys.insert(
                                    referenced.clone(),
                                    key.into_iter().map(|(c,)| c).collect(),
                                );
                            }
                            let position = positions.entry((table.clone(), id)).or_default();
                            let column = primary_keys[&referenced].get(*position).cloned();
                            *position += 1;
                            column
                        }
                    };
                    let from = column_name(&table, &from);
                    // Unnamed: the key's number within its table tells keys apart.
                    rows.add(table, format!("#{id}"), from, referenced, to, &on_delete)?;
                }
                for key in rows.0.values_mut() {
                    key.name.clear();
                }
            }
            SourcePool::Postgres(pool) => {
                // One row per key, its columns and the referenced ones named by scalar
                // subqueries: a single join of the constraints, the tables, their schemas
                // and both sides' columns costs PostgreSQL about 5 ms to plan on a
                // connection's first use of its catalogue, several times the rest of an
                // erasure's plan; this form plans in about 1 ms.
                let found: Vec<KeyRow> = on_held!(pool, |c| {
                    sqlx::query_as(
                    "SELECT (SELECT CASE WHEN n.nspname = current_schema() THEN t.relname::text \
                                    ELSE n.nspname || '.' || t.relname END \
                                 FROM pg_catalog.pg_class t \
                                 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace \
                                 WHERE t.oid = c.conrelid), \
                            c.conname::text, \
                            ARRAY(SELECT a.attname::text \
                                  FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
                                  JOIN pg_catalog.pg_attribute a \
                                    ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
                                  ORDER BY k.ord), \
                            (SELECT CASE WHEN n.nspname = current_schema() THEN r.relname::text \
                                    ELSE n.nspname || '.' || r.relname END \
                                 FROM pg_catalog.pg_class r \
                                 JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace \
                                 WHERE r.oid = c.confrelid), \
                            ARRAY(SELECT a.attname::text \
                                  FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord) \
                                  JOIN pg_catalog.pg_attribute a \
                                    ON a.attrelid = c.confrelid AND a.attnum = k.attnum \
                                  ORDER BY k.ord), \
                            c.confdeltype::text \
                         FROM pg_catalog.pg_constraint c \
                         JOIN pg_catalog.pg_namespace cn ON cn.oid = c.connamespace \
                         WHERE c.contype = 'f' AND c.conparentid = 0 \
                           AND cn.nspname NOT IN ('pg_catalog', 'information_schema') \
                           AND cn.nspname NOT LIKE 'pg_toast%' \
                         ORDER BY 1, 2",
                )
                .fetch_all(c)
                })
                .context("reading the foreign keys (pg_constraint)")?;
                for key in found {
                    rows.add_key(key)?;
                }
            }
            SourcePool::Mysql(pool) => {
                let found: Vec<(String, String, String, String, String, String)> =
                    on_held!(pool, |c| sqlx::query_as(
                        "SELECT CAST(k.table_name AS CHAR), CAST(k.constraint_name AS CHAR), \
                            CAST(k.column_name AS CHAR), \
                            CAST(CASE WHEN k.referenced_table_schema = DATABASE() \
                                THEN k.referenced_table_name \
                                ELSE CONCAT(k.referenced_table_schema, '.', k.referenced_table_name) \
                                END AS CHAR), \
                            CAST(k.referenced_column_name AS CHAR), CAST(r.delete_rule AS CHAR) \
                         FROM information_schema.key_column_usage k \
                         JOIN information_schema.referential_constraints r \
                           ON r.constraint_schema = k.constraint_schema \
                          AND r.constraint_name = k.constraint_name \
                          AND r.table_name = k.table_name \
                         WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL \
                         ORDER BY k.table_name, k.constraint_name, k.ordinal_position",
                    )
                    .fetch_all(c))
                    .context(
                        "reading the foreign keys (information_schema.key_column_usage)",
                    )?;
                for (table, name, column, referenced, to, on_delete) in found {
                    rows.add(table, name, column, referenced, Some(to), &on_delete)?;
                }
            }
        }
        Ok(rows.0.into_values().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    /// On PostgreSQL the keys among the policy's tables are read by number, with the
    /// numbers of the columns read before; a key on a column added since (its number not
    /// known) is still found, by name, from the whole catalogue. Checked against the
    /// keys the test's own SQL declared.
    #[tokio::test]
    async fn a_key_on_a_column_added_after_its_table_was_read_is_found() {
        crate::testing::on_postgres("added_key", |url| async move {
            let mut other = sqlx::PgConnection::connect(&url).await?;
            sqlx::raw_sql(
                "CREATE TABLE parents (id INTEGER PRIMARY KEY, email TEXT);
                 CREATE TABLE children (id INTEGER PRIMARY KEY, email TEXT,
                     first_id INTEGER CONSTRAINT first_parent REFERENCES parents (id));",
            )
            .execute(&mut other)
            .await?;
            let dir = tempfile::tempdir()?;
            let table = |name: &str| {
                format!(
                    "[[table]]\nname = \"{name}\"\nkey = [\"id\"]\nerase = \"delete\"\n\
                     [table.columns]\nid = \"system.operations\"\n\
                     email = {{ category = \"user.contact.email\", identity = \"email\" }}\n"
                )
            };
            std::fs::write(
                dir.path().join("policy.toml"),
                format!(
                    "[controller]\norganisation = \"Test\"\n\
                     dpo = {{ name = \"DPO\", email = \"dpo@example.com\" }}\n\
                     [[identity]]\nkind = \"email\"\nnormalise = \"email\"\n\
                     [source]\nid = \"app\"\nengine = \"postgres\"\n\
                     url_env = \"PRIVOPS_ADDED_KEY_URL\"\n{}{}",
                    table("parents"),
                    table("children")
                ),
            )?;
            let policy = crate::policy::Policy::load_valid(dir.path())?;
            let pool = SourcePool::connect_to(&policy.sources[0], url.clone()).await?;
            let tables = ["parents", "children"];
            for name in tables {
                pool.table_columns(name).await?;
            }
            let keys = |found: Vec<ForeignKey>| {
                let mut keys: Vec<(String, Vec<String>, String)> = found
                    .into_iter()
                    .map(|k| (k.name, k.columns, k.referenced_table))
                    .collect();
                keys.sort();
                keys
            };
            let first = (
                "first_parent".to_string(),
                vec!["first_id".to_string()],
                "parents".to_string(),
            );
            assert_eq!(
                keys(pool.foreign_keys_among(&tables).await?),
                std::slice::from_ref(&first)
            );
            sqlx::raw_sql(
                "ALTER TABLE children ADD COLUMN second_id INTEGER
                     CONSTRAINT second_parent REFERENCES parents (id)",
            )
            .execute(&mut other)
            .await?;
            let second = (
                "second_parent".to_string(),
                vec!["second_id".to_string()],
                "parents".to_string(),
            );
            assert_eq!(
                keys(pool.foreign_keys_among(&tables).await?),
                [first, second]
            );
            pool.close().await;
            anyhow::Ok(())
        })
        .await;
    }

    #[test]
    fn on_delete_reads_every_spelling() {
        assert_eq!(OnDelete::parse("NO ACTION").unwrap(), OnDelete::NoAction);
        assert_eq!(OnDelete::parse("a").unwrap(), OnDelete::NoAction);
        assert_eq!(OnDelete::parse("SET NULL").unwrap(), OnDelete::SetNull);
        assert_eq!(OnDelete::parse("n").unwrap(), OnDelete::SetNull);
        assert_eq!(OnDelete::parse("c").unwrap(), OnDelete::Cascade);
        assert_eq!(OnDelete::parse("RESTRICT").unwrap(), OnDelete::Restrict);
        assert_eq!(OnDelete::parse("d").unwrap(), OnDelete::SetDefault);
        assert!(OnDelete::parse("EXPLODE").is_err());
        assert!(OnDelete::Cascade.clears_references());
        assert!(OnDelete::SetNull.clears_references());
        assert!(!OnDelete::Restrict.clears_references());
        assert!(!OnDelete::SetDefault.clears_references());
    }
}
