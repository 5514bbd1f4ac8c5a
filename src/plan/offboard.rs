//! Which rows belong to a client account, as conditions: the pure part of offboarding.
//!
//! Which tables belong, and in which order they are emptied, is the policy's own rule
//! ([`crate::policy::tenant`]). Here each belonging table gets one SQL condition that
//! selects the account's rows: a relation becomes `IN (SELECT ...)` over the parent's own
//! condition.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};

pub(crate) use crate::policy::tenant::{Membership, deletion_order, memberships, tables_by_name};
use crate::policy::{Policy, Table, Tenant};
use crate::sources::rows::{ColumnInfo, Dialect, Key, Kind};
use crate::sql::Sql;

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
    use crate::policy::tenant::unreachable;

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

    /// A table that names its account in a column and points at another such table
    /// goes first, whatever their names: a foreign key of the database would refuse the
    /// parent's deletion while the child's rows are there.
    #[test]
    fn children_go_first_however_they_belong() {
        let policy = Policy::from_files(
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

[[table]]
name = "people"
key = ["id"]
tenant = "account_id"
[table.columns]
id = "system.operations"
account_id = "system.operations"
email = { category = "user.contact.email", identity = "email" }

[[table]]
name = "visits"
key = ["id"]
tenant = "account_id"
[table.columns]
id = "system.operations"
account_id = "system.operations"
person_id = "system.operations"
[[table.relation]]
columns = ["person_id"]
references = "people"

[[table]]
name = "agents"
key = ["id"]
tenant = "account_id"
[table.columns]
id = "system.operations"
account_id = "system.operations"
visit_id = "system.operations"
[[table.reference]]
columns = ["visit_id"]
references = "visits"
on_erase = "keep"
"#
                .to_vec(),
            )],
        );
        let tenant = policy.tenant().unwrap();
        let source = &policy.sources[0];
        let order = deletion_order(source, &memberships(tenant, source));
        assert_eq!(order, ["agents", "visits", "people", "accounts"]);
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
        let order = deletion_order(source, &belong);
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
