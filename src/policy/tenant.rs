//! The client account scope of a policy: which tables belong to an account. A table
//! belongs when it lists the accounts (the tenant table), when it names its account in a
//! tenant column, or when a declared relation leads from it to a table that belongs.
//! Offboarding empties the belonging tables children before parents (the accounts table
//! last), so that no reference is left dangling; `policy check` names the tables with
//! personal data that no account reaches.

use std::collections::{BTreeMap, BTreeSet};

use super::{Relation, SourceDef, Table, Tenant};

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
/// its relations and references point at (children before parents), whichever way each
/// belongs to the account.
pub(crate) fn deletion_order<'p>(
    source: &'p SourceDef,
    memberships: &BTreeMap<&'p str, Membership<'p>>,
) -> Vec<&'p str> {
    let mut order = Vec::new();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let tables = tables_by_name(source);
    let points_at = |child: &str, name: &str| tables.get(child).is_some_and(|t| t.points_at(name));
    // A table can go once every table that points at it has gone.
    let referenced_by = |name: &str| -> Vec<&'p str> {
        memberships
            .keys()
            .filter(|child| **child != name && points_at(child, name))
            .copied()
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

/// The policy's tables of a source by name.
pub(crate) fn tables_by_name(source: &SourceDef) -> BTreeMap<&str, &Table> {
    source
        .tables
        .iter()
        .map(|t| (t.table.name(), &t.table))
        .collect()
}
