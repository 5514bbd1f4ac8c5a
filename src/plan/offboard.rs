//! Which rows belong to a client account, as conditions: the pure part of offboarding.
//!
//! A table belongs to the policy's `[tenant]` scope when it lists the accounts (the
//! tenant table), when it names its account in a tenant column, or when a declared
//! relation leads from it to a table that belongs. Each belonging table gets one SQL
//! condition that selects the account's rows (a relation becomes `IN (SELECT ...)` over
//! the parent's own condition), and the tables are ordered children before parents so
//! that deleting them in that order never leaves a reference dangling.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};

use crate::policy::{Policy, Relation, SourceDef, Table, Tenant};
use crate::sources::rows::{ColumnInfo, Dialect, Key, Kind};
use crate::sql::Sql;

/// How a table's rows belong to an account.
#[derive(Debug, Clone)]
pub(crate) enum Membership<'p> {
    /// The table that lists the accounts: the row whose key is the account.
    Accounts { key: &'p str },
    /// A column holds the account's key.
    Column { column: &'p str },
    /// Relations lead to tables that belong (a row belongs when any of them does).
    Relations(Vec<&'p Relation>),
}

/// The tables of a source that belong to the tenant scope, by name.
pub(crate) fn memberships<'p>(
    tenant: &'p Tenant,
    source: &'p SourceDef,
) -> BTreeMap<&'p str, Membership<'p>> {
    let mut found: BTreeMap<&str, Membership> = BTreeMap::new();
    for table_def in &source.tables {
        let table = &table_def.table;
        if table.aggregate {
            continue;
        }
        if source.id() == tenant.source.get_ref() && table.name() == tenant.table.get_ref() {
            found.insert(
                table.name(),
                Membership::Accounts {
                    key: tenant.key.get_ref(),
                },
            );
        } else if let Some(column) = &table.tenant {
            found.insert(
                table.name(),
                Membership::Column {
                    column: column.get_ref(),
                },
            );
        }
    }
    loop {
        let mut added = false;
        for table_def in &source.tables {
            let table = &table_def.table;
            if table.aggregate || found.contains_key(table.name()) {
                continue;
            }
            let relations: Vec<&Relation> = table
                .relation
                .iter()
                .map(|r| r.get_ref())
                .filter(|r| found.contains_key(r.references.get_ref().as_str()))
                .collect();
            if !relations.is_empty() {
                found.insert(table.name(), Membership::Relations(relations));
                added = true;
            }
        }
        if !added {
            return found;
        }
    }
}

/// Tables with personal data that belong to no account: offboarding would leave them.
pub(crate) fn unreachable<'p>(tenant: &'p Tenant, source: &'p SourceDef) -> Vec<&'p Table> {
    let belong = memberships(tenant, source);
    source
        .tables
        .iter()
        .map(|t| &t.table)
        .filter(|t| !t.aggregate && t.has_personal_data() && !belong.contains_key(t.name()))
        .collect()
}

/// The belonging tables in the order offboarding empties them: a table before the tables
/// its relations reference (children before parents).
pub(crate) fn deletion_order<'p>(memberships: &BTreeMap<&'p str, Membership<'p>>) -> Vec<&'p str> {
    let mut order = Vec::new();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    // A table can go once every table that references it has gone.
    let referenced_by = |name: &str| -> Vec<&'p str> {
        memberships
            .iter()
            .filter(|(child, m)| {
                **child != name
                    && matches!(m, Membership::Relations(rs) if rs.iter().any(|r| r.references.get_ref() == name))
            })
            .map(|(child, _)| *child)
            .collect()
    };
    // The table that lists the accounts goes last: until then the account is still there.
    let accounts: Vec<&'p str> = memberships
        .iter()
        .filter(|(_, m)| matches!(m, Membership::Accounts { .. }))
        .map(|(name, _)| *name)
        .collect();
    placed.extend(accounts.iter().copied());
    while placed.len() < memberships.len() {
        let before = placed.len();
        for name in memberships.keys() {
            if placed.contains(name) {
                continue;
            }
            if referenced_by(name).iter().all(|c| placed.contains(c)) {
                placed.insert(name);
                order.push(*name);
            }
        }
        if placed.len() == before {
            // A cycle of relations: the rest in name order (the database refuses a delete
            // that would break a reference, and the step fails naming the table).
            for name in memberships.keys() {
                if placed.insert(name) {
                    order.push(*name);
                }
            }
        }
    }
    order.extend(accounts);
    order
}

/// The account's key as a column holding it compares with it.
pub(crate) fn account_value(account: &str, column: &ColumnInfo) -> Result<Key> {
    let numeric = matches!(column.kind, Kind::Int) || column.is_numeric();
    if numeric {
        let value: i64 = account.parse().with_context(|| {
            format!(
                "column `{}` holds account keys as numbers: `{account}` is not one",
                column.name
            )
        })?;
        Ok(Key::Int(value))
    } else {
        Ok(Key::Text(account.to_string()))
    }
}

/// The condition that selects the account's rows of `table`, given each table's columns
/// as the database has them. Relations nest their parent's condition.
pub(crate) fn condition(
    dialect: Dialect,
    memberships: &BTreeMap<&str, Membership>,
    columns: &BTreeMap<String, Vec<ColumnInfo>>,
    policy_tables: &BTreeMap<&str, &Table>,
    table: &str,
    account: &str,
) -> Result<Sql> {
    condition_depth(
        dialect,
        memberships,
        columns,
        policy_tables,
        table,
        account,
        0,
    )
}

fn column<'c>(
    columns: &'c BTreeMap<String, Vec<ColumnInfo>>,
    table: &str,
    name: &str,
) -> Result<&'c ColumnInfo> {
    columns
        .get(table)
        .and_then(|cs| cs.iter().find(|c| c.name == name))
        .with_context(|| format!("column `{table}.{name}` is not in the database"))
}

fn condition_depth(
    dialect: Dialect,
    memberships: &BTreeMap<&str, Membership>,
    columns: &BTreeMap<String, Vec<ColumnInfo>>,
    policy_tables: &BTreeMap<&str, &Table>,
    table: &str,
    account: &str,
    depth: usize,
) -> Result<Sql> {
    if depth > 32 {
        bail!("the relations leading from `{table}` to the account are over 32 tables deep");
    }
    let membership = memberships
        .get(table)
        .with_context(|| format!("table `{table}` does not belong to the account scope"))?;
    let equals = |name: &str| -> Result<Sql> {
        let info = column(columns, table, name)?;
        let mut sql = Sql::new(format!("{} = ", dialect.quote(name)));
        dialect.bind(&mut sql, info, account_value(account, info)?);
        Ok(sql)
    };
    match membership {
        Membership::Accounts { key } => equals(key),
        Membership::Column { column } => equals(column),
        Membership::Relations(relations) => {
            let mut parts = Vec::new();
            for relation in relations {
                let parent = relation.references.get_ref().as_str();
                let from: Vec<String> = relation
                    .columns
                    .iter()
                    .map(|c| dialect.quote(c.get_ref()))
                    .collect();
                let to: Vec<String> = if relation.to.is_empty() {
                    policy_tables
                        .get(parent)
                        .map(|t| t.key_columns().iter().map(|k| dialect.quote(k)).collect())
                        .unwrap_or_default()
                } else {
                    relation
                        .to
                        .iter()
                        .map(|c| dialect.quote(c.get_ref()))
                        .collect()
                };
                let tuple = |names: &[String]| {
                    if names.len() == 1 {
                        names[0].clone()
                    } else {
                        format!("({})", names.join(", "))
                    }
                };
                let inner = condition_depth(
                    dialect,
                    memberships,
                    columns,
                    policy_tables,
                    parent,
                    account,
                    depth + 1,
                )?;
                let mut part = Sql::new(format!(
                    "{} IN (SELECT {} FROM {} WHERE ",
                    tuple(&from),
                    to.join(", "),
                    dialect.quote(parent)
                ));
                part.append(&inner).push(")");
                parts.push(part);
            }
            Ok(if parts.len() == 1 {
                parts.pop().expect("one part")
            } else {
                let mut sql = Sql::new("(");
                sql.append(&Sql::join(&parts, " OR ")).push(")");
                sql
            })
        }
    }
}

/// The policy's tables of a source by name.
pub(crate) fn tables_by_name(source: &SourceDef) -> BTreeMap<&str, &Table> {
    source
        .tables
        .iter()
        .map(|t| (t.table.name(), &t.table))
        .collect()
}

/// The tenant scope, or a usage error saying how to declare one.
pub(crate) fn tenant(policy: &Policy) -> Result<&Tenant> {
    policy.tenant().context(
        "the policy declares no client account scope: add a [tenant] section (source, table, key) and `tenant = \"COLUMN\"` to the tables that name their account",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Engine;

    fn policy() -> Policy {
        Policy::from_files(
            std::path::Path::new("/policies"),
            vec![(
                "app.toml".into(),
                br#"
[tenant]
source = "app"
table = "accounts"
key = "id"

[source]
id = "app"
engine = "sqlite"
path = "app.db"

[[table]]
name = "accounts"
key = ["id"]
[table.columns]
id = "system.operations"
contact = { category = "user.contact.email", identity = "email" }

[[table]]
name = "clients"
key = ["id"]
tenant = "account_id"
[table.columns]
id = "system.operations"
account_id = "system.operations"
email = { category = "user.contact.email", identity = "email" }

[[table]]
name = "meetings"
key = ["id"]
[table.columns]
id = "system.operations"
client_id = "system.operations"
notes = "user.content.notes"
[[table.relation]]
columns = ["client_id"]
references = "clients"

[[table]]
name = "stray"
key = ["id"]
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
"#
                .to_vec(),
            )],
        )
    }

    fn info(name: &str, kind: Kind, db_type: &str) -> ColumnInfo {
        ColumnInfo {
            name: name.into(),
            kind,
            db_type: db_type.into(),
            collation: None,
        }
    }

    #[test]
    fn rows_belong_through_the_key_a_column_or_relations() {
        let policy = policy();
        let tenant = policy.tenant().unwrap();
        let source = &policy.sources[0];
        let belong = memberships(tenant, source);
        assert_eq!(
            belong.keys().copied().collect::<Vec<_>>(),
            ["accounts", "clients", "meetings"]
        );
        assert_eq!(
            unreachable(tenant, source)
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>(),
            ["stray"]
        );
        let order = deletion_order(&belong);
        let at = |t: &str| order.iter().position(|o| *o == t).unwrap();
        assert!(at("meetings") < at("clients"), "{order:?}");

        let columns: BTreeMap<String, Vec<ColumnInfo>> = [
            ("accounts", vec![info("id", Kind::Int, "int8")]),
            (
                "clients",
                vec![
                    info("id", Kind::Int, "int8"),
                    info("account_id", Kind::Int, "int8"),
                ],
            ),
            (
                "meetings",
                vec![
                    info("id", Kind::Int, "int8"),
                    info("client_id", Kind::Int, "int8"),
                ],
            ),
        ]
        .into_iter()
        .map(|(t, c)| (t.to_string(), c))
        .collect();
        let tables = tables_by_name(source);
        let sql = condition(
            Dialect(Engine::Postgres),
            &belong,
            &columns,
            &tables,
            "meetings",
            "7",
        )
        .unwrap();
        assert_eq!(
            sql.render(crate::sql::Placeholders::Dollar),
            "\"client_id\" IN (SELECT \"id\" FROM \"clients\" WHERE \"account_id\" = $1)"
        );
        assert_eq!(sql.binds(), &[Key::Int(7)]);
        let error = condition(
            Dialect(Engine::Postgres),
            &belong,
            &columns,
            &tables,
            "clients",
            "acme",
        )
        .unwrap_err();
        assert!(format!("{error:#}").contains("not one"), "{error:#}");
    }
}
