//! The erasure plan of one source: for every table where the subjects' rows were found,
//! which rows are deleted, which are masked and how, which are kept under a legal hold
//! (and why), and which are kept because other subjects' rows reference them too.
//! Computed before anything changes; executing it is separate.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::plan::traverse::{CHUNK, Found, KeySet, in_list};
use crate::policy::{EraseAction, HoldAction, Mask, SourceDef, Table};
use crate::sources::SourcePool;
use crate::sources::rows::{ColumnInfo, Key, Kind, SourceTx};
use crate::subject::SubjectKey;

pub const REDACTED: &str = "[redacted]";

#[derive(Debug, Clone, Serialize)]
pub struct HeldRows {
    pub reason: String,
    pub article: String,
    pub action: HoldAction,
    pub rows: usize,
    #[serde(skip)]
    pub keys: BTreeSet<Vec<Key>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TablePlan {
    pub table: String,
    pub erase: Option<EraseAction>,
    pub found: usize,
    pub delete: usize,
    pub mask: usize,
    pub masks: BTreeMap<String, Mask>,
    /// Rows that stay but are not held (erase = "mask", or other kept rows still point at
    /// them): every personal column masked, as declared or by its category's default.
    pub scrub: usize,
    pub scrub_masks: BTreeMap<String, Mask>,
    pub held: Vec<HeldRows>,
    pub shared: usize,
    /// Rows kept whole for a reason other than a hold.
    pub kept: usize,
    /// Why rows are kept without a hold (no erase rule, referenced by held rows).
    pub notes: Vec<String>,
    #[serde(skip)]
    pub delete_keys: BTreeSet<Vec<Key>>,
    #[serde(skip)]
    pub mask_keys: BTreeSet<Vec<Key>>,
    #[serde(skip)]
    pub scrub_keys: BTreeSet<Vec<Key>>,
    #[serde(skip)]
    pub key_columns: Vec<ColumnInfo>,
    #[serde(skip)]
    pub columns: Vec<ColumnInfo>,
    /// The statements, with parameters left as placeholders, for `--dry-run`.
    pub statements: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourcePlan {
    pub source: String,
    /// Tables in execution order (masks first, then deletes children before parents).
    pub tables: Vec<TablePlan>,
}

impl SourcePlan {
    pub fn deletes(&self) -> usize {
        self.tables.iter().map(|t| t.delete).sum()
    }
    pub fn masks(&self) -> usize {
        self.tables.iter().map(|t| t.mask + t.scrub).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.deletes() == 0 && self.masks() == 0
    }
}

fn all_keys(set: &KeySet) -> BTreeSet<Vec<Key>> {
    set.iter().collect()
}

fn column<'a>(columns: &'a [ColumnInfo], name: &str) -> Result<&'a ColumnInfo> {
    columns
        .iter()
        .find(|c| c.name == name)
        .with_context(|| format!("unknown column `{name}`"))
}

/// Reads `columns` of the rows with these keys: key tuple -> values.
async fn read_columns(
    pool: &SourcePool,
    table: &str,
    key_columns: &[ColumnInfo],
    keys: &BTreeSet<Vec<Key>>,
    columns: &[&ColumnInfo],
    condition: Option<(&str, Vec<Key>)>,
) -> Result<BTreeMap<Vec<Key>, Vec<Key>>> {
    let mut out = BTreeMap::new();
    let key_refs: Vec<&ColumnInfo> = key_columns.iter().collect();
    let mut select: Vec<String> = key_columns.iter().map(|c| pool.select_expr(c)).collect();
    select.extend(columns.iter().map(|c| pool.select_expr(c)));
    let mut kinds: Vec<Kind> = key_columns.iter().map(|c| c.kind).collect();
    kinds.extend(columns.iter().map(|c| c.kind));
    let keys: Vec<&Vec<Key>> = keys.iter().collect();
    for chunk in keys.chunks(CHUNK) {
        let mut binds: Vec<Key> = chunk.iter().flat_map(|k| k.iter().cloned()).collect();
        let mut sql = format!(
            "SELECT {} FROM {} WHERE {}",
            select.join(", "),
            pool.quote(table),
            in_list(pool, &key_refs, chunk.len(), 1)
        );
        if let Some((template, extra)) = &condition {
            // The condition's parameters follow the key parameters.
            let mut rendered = template.to_string();
            for (i, _) in extra.iter().enumerate() {
                rendered = rendered.replace(&format!("{{{i}}}"), &pool.param(binds.len() + i + 1));
            }
            sql.push_str(&format!(" AND ({rendered})"));
            binds.extend(extra.iter().cloned());
        }
        let n = key_columns.len();
        pool.for_each_row(&sql, &binds, &kinds, |row| {
            let row: Vec<Key> = row.iter().map(Key::from_json).collect();
            out.insert(row[..n].to_vec(), row[n..].to_vec());
            Ok(())
        })
        .await?;
    }
    Ok(out)
}

/// Plans the erasure of the rows `found` in one source.
pub async fn plan(
    policy: &crate::policy::Policy,
    pool: &SourcePool,
    source: &SourceDef,
    found: &Found,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SourcePlan> {
    let mut plans: BTreeMap<String, TablePlan> = BTreeMap::new();
    let mut retained: BTreeMap<String, BTreeSet<Vec<Key>>> = BTreeMap::new();
    let mut columns_of: BTreeMap<String, Vec<ColumnInfo>> = BTreeMap::new();
    for table_def in &source.tables {
        let table = &table_def.table;
        let Some(found_table) = found.tables.get(table.name()) else {
            continue;
        };
        if found_table.keys.is_empty() && found_table.shared.is_empty() {
            continue;
        }
        let columns = pool.table_columns(table.name()).await?;
        let keys = all_keys(&found_table.keys);
        let masks: BTreeMap<String, Mask> = table
            .columns
            .iter()
            .filter_map(|(name, spec)| spec.get_ref().mask.map(|m| (name.clone(), m)))
            .collect();
        for (name, mask) in &masks {
            let info = column(&columns, name)?;
            if *mask == Mask::Hmac && info.is_numeric() {
                bail!(
                    "`{}.{name}` has mask = \"hmac\" but holds numbers; use null or redact",
                    table.name()
                );
            }
        }

        // Every personal column of a kept row that is not held: masked as declared, or by
        // its category's default. Keys and references stay, so foreign keys stay valid.
        let linking: BTreeSet<&str> = table
            .key_columns()
            .into_iter()
            .chain(
                table
                    .relation
                    .iter()
                    .flat_map(|r| r.get_ref().columns.iter().map(|c| c.get_ref().as_str())),
            )
            .chain(
                table
                    .reference
                    .iter()
                    .flat_map(|r| r.get_ref().columns.iter().map(|c| c.get_ref().as_str())),
            )
            .collect();
        let mut scrub_masks: BTreeMap<String, Mask> = BTreeMap::new();
        for (name, spec) in table.personal_columns() {
            let numeric = column(&columns, name)?.is_numeric();
            let mask = match spec.mask {
                Some(mask) => mask,
                None if linking.contains(name) => continue,
                None if numeric => Mask::Null,
                None => crate::policy::taxonomy::default_mask(&spec.category),
            };
            scrub_masks.insert(name.to_string(), mask);
        }

        // Rows that also belong to others: a relation of this table leads to a row that
        // is not one of the subjects', or (found while traversing) the row's own identity
        // columns name someone else.
        let mut shared: BTreeSet<Vec<Key>> = found_table.shared.clone();
        for relation in &table.relation {
            let relation = relation.get_ref();
            let Some(parent) = source.table(relation.references.get_ref()) else {
                continue;
            };
            let Some(parent_found) = found.tables.get(parent.name()) else {
                continue;
            };
            let parent_columns = pool.table_columns(parent.name()).await?;
            let own: Vec<&ColumnInfo> = relation
                .columns
                .iter()
                .map(|c| column(&columns, c.get_ref()))
                .collect::<Result<_>>()?;
            let values = read_columns(
                pool,
                table.name(),
                &found_table.key_columns,
                &keys,
                &own,
                None,
            )
            .await?;
            let distinct: BTreeSet<Vec<Key>> = values
                .values()
                .filter(|v| v.iter().all(|k| *k != Key::Null))
                .cloned()
                .collect();
            let targets: Vec<&ColumnInfo> = Table::relation_targets(relation, parent)
                .iter()
                .map(|c| column(&parent_columns, c))
                .collect::<Result<_>>()?;
            let parent_keys: Vec<&ColumnInfo> = parent
                .key_columns()
                .iter()
                .map(|c| column(&parent_columns, c))
                .collect::<Result<_>>()?;
            let mut foreign_values: BTreeSet<Vec<Key>> = BTreeSet::new();
            let distinct: Vec<Vec<Key>> = distinct.into_iter().collect();
            let mut select: Vec<String> = parent_keys.iter().map(|c| pool.select_expr(c)).collect();
            select.extend(targets.iter().map(|c| pool.select_expr(c)));
            let mut kinds: Vec<Kind> = parent_keys.iter().map(|c| c.kind).collect();
            kinds.extend(targets.iter().map(|c| c.kind));
            let parent_known = all_keys(&parent_found.keys);
            for chunk in distinct.chunks(CHUNK) {
                let sql = format!(
                    "SELECT {} FROM {} WHERE {}",
                    select.join(", "),
                    pool.quote(parent.name()),
                    in_list(pool, &targets, chunk.len(), 1)
                );
                let binds: Vec<Key> = chunk.iter().flatten().cloned().collect();
                let n = parent_keys.len();
                pool.for_each_row(&sql, &binds, &kinds, |row| {
                    let row: Vec<Key> = row.iter().map(Key::from_json).collect();
                    if !parent_known.contains(&row[..n]) {
                        foreign_values.insert(row[n..].to_vec());
                    }
                    Ok(())
                })
                .await?;
            }
            shared.extend(
                values
                    .iter()
                    .filter(|(_, v)| foreign_values.contains(*v))
                    .map(|(k, _)| k.clone()),
            );
        }

        // Rows under a legal hold.
        let mut held = Vec::new();
        let mut held_keys: BTreeSet<Vec<Key>> = BTreeSet::new();
        for hold in &table.hold {
            let hold = hold.get_ref();
            let (condition, binds) = match (&hold.duration, &hold.from, &hold.until) {
                (Some(duration), Some(from), _) => {
                    let period = *duration.get_ref();
                    let info = column(&columns, from.get_ref())?;
                    let c = pool.quote(&info.name);
                    (
                        format!("{c} IS NULL OR {}", pool.time_after(info, "{0}")),
                        vec![pool.time_value(period.before(now))],
                    )
                }
                (_, _, Some(until)) => {
                    let info = column(&columns, until.get_ref())?;
                    let c = pool.quote(&info.name);
                    (
                        format!("{c} IS NULL OR {}", pool.time_after(info, "{0}")),
                        vec![pool.time_value(now)],
                    )
                }
                _ => continue,
            };
            let rows = read_columns(
                pool,
                table.name(),
                &found_table.key_columns,
                &keys,
                &[],
                Some((&condition, binds)),
            )
            .await?;
            let keys: BTreeSet<Vec<Key>> = rows
                .into_keys()
                .filter(|k| !shared.contains(k) && !held_keys.contains(k))
                .collect();
            held_keys.extend(keys.iter().cloned());
            held.push(HeldRows {
                reason: hold.reason.clone(),
                article: hold.article.clone(),
                action: hold.action,
                rows: keys.len(),
                keys,
            });
        }

        let erase = table.erase.as_ref().map(|e| *e.get_ref());
        let mut delete_keys = BTreeSet::new();
        let mut mask_keys = BTreeSet::new();
        let mut scrub_keys = BTreeSet::new();
        let mut kept = BTreeSet::new();
        let mut notes = Vec::new();
        for key in &keys {
            if shared.contains(key) {
                continue;
            }
            if let Some(hold) = held.iter().find(|h| h.keys.contains(key)) {
                // Held rows are pseudonymised where the table declares masks, or kept whole.
                if hold.action == HoldAction::Pseudonymise && !masks.is_empty() {
                    mask_keys.insert(key.clone());
                }
                continue;
            }
            match erase {
                Some(EraseAction::Delete) => {
                    delete_keys.insert(key.clone());
                }
                Some(EraseAction::Mask) => {
                    scrub_keys.insert(key.clone());
                }
                Some(EraseAction::Keep) | None => {
                    kept.insert(key.clone());
                }
            }
        }
        if !kept.is_empty() && table.has_personal_data() {
            let at = match &table.erase {
                Some(erase) => policy.locate(table_def.file, erase.span().start),
                None => policy.locate(table_def.file, table.name.span().start),
            };
            bail!(
                "source `{}`, table `{}`: {} row(s) of the subject would keep their personal data in clear: \
                 the table {} and no hold covers them; set `erase = \"delete\"` or `erase = \"mask\"` at {at}",
                source.id(),
                table.name(),
                kept.len(),
                if erase.is_some() {
                    "says erase = \"keep\""
                } else {
                    "has no erase rule"
                },
            );
        }
        if !kept.is_empty() {
            notes.push(format!(
                "{} row(s) kept: the table holds no personal data",
                kept.len()
            ));
        }
        let mut retained_here: BTreeSet<Vec<Key>> = shared.clone();
        retained_here.extend(kept.iter().cloned());
        retained_here.extend(held_keys.iter().cloned());
        retained_here.extend(mask_keys.iter().cloned());
        retained_here.extend(scrub_keys.iter().cloned());
        retained.insert(table.name().to_string(), retained_here);
        columns_of.insert(table.name().to_string(), columns.clone());
        plans.insert(
            table.name().to_string(),
            TablePlan {
                table: table.name().to_string(),
                erase,
                found: keys.len(),
                delete: 0,
                mask: 0,
                masks,
                scrub: 0,
                scrub_masks,
                held,
                shared: shared.len(),
                kept: kept.len(),
                notes,
                delete_keys,
                mask_keys,
                scrub_keys,
                key_columns: found_table.key_columns.clone(),
                columns,
                statements: Vec::new(),
            },
        );
    }

    // A row that belongs to a held row (an invoice line of a held invoice) is part of the
    // held record: it is held with it.
    loop {
        let mut moved = false;
        for table_def in &source.tables {
            let table = &table_def.table;
            if !plans.contains_key(table.name()) {
                continue;
            }
            for relation in &table.relation {
                let relation = relation.get_ref();
                let Some(parent) = source.table(relation.references.get_ref()) else {
                    continue;
                };
                if parent.name() == table.name()
                    || Table::relation_targets(relation, parent) != parent.key_columns()
                {
                    continue;
                }
                let Some(parent_plan) = plans.get(parent.name()) else {
                    continue;
                };
                let parent_held: BTreeSet<Vec<Key>> = parent_plan
                    .held
                    .iter()
                    .flat_map(|h| h.keys.iter().cloned())
                    .collect();
                if parent_held.is_empty() {
                    continue;
                }
                let reason = parent_plan
                    .held
                    .first()
                    .map(|h| (h.reason.clone(), h.article.clone()))
                    .unwrap_or_default();
                let child = &plans[table.name()];
                if child.delete_keys.is_empty() {
                    continue;
                }
                let own: Vec<&ColumnInfo> = relation
                    .columns
                    .iter()
                    .map(|c| column(&child.columns, c.get_ref()))
                    .collect::<Result<_>>()?;
                let values = read_columns(
                    pool,
                    table.name(),
                    &child.key_columns,
                    &child.delete_keys,
                    &own,
                    None,
                )
                .await?;
                let with_parent: BTreeSet<Vec<Key>> = values
                    .into_iter()
                    .filter(|(_, v)| parent_held.contains(v))
                    .map(|(k, _)| k)
                    .collect();
                if with_parent.is_empty() {
                    continue;
                }
                let child = plans.get_mut(table.name()).expect("checked");
                for key in &with_parent {
                    child.delete_keys.remove(key);
                }
                let pseudonymise = !child.masks.is_empty();
                if pseudonymise {
                    child.mask_keys.extend(with_parent.iter().cloned());
                }
                child.held.push(HeldRows {
                    reason: format!("held with its `{}` row: {}", parent.name(), reason.0),
                    article: reason.1,
                    action: if pseudonymise {
                        HoldAction::Pseudonymise
                    } else {
                        HoldAction::Keep
                    },
                    rows: with_parent.len(),
                    keys: with_parent.clone(),
                });
                retained
                    .get_mut(table.name())
                    .expect("planned")
                    .extend(with_parent);
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }

    // A parent row that retained rows still reference (and do not unlink by masking the
    // reference to NULL) stays too: deleting it would break them. It is masked instead.
    let mut referenced: BTreeMap<String, usize> = BTreeMap::new();
    loop {
        let mut moved = false;
        for table_def in &source.tables {
            let table = &table_def.table;
            let Some(kept_rows) = retained.get(table.name()).cloned() else {
                continue;
            };
            if kept_rows.is_empty() {
                continue;
            }
            for relation in &table.relation {
                let relation = relation.get_ref();
                let Some(parent) = source.table(relation.references.get_ref()) else {
                    continue;
                };
                let targets = Table::relation_targets(relation, parent);
                let to_key = targets == parent.key_columns();
                let unlinked = relation
                    .columns
                    .iter()
                    .all(|c| table.column(c.get_ref()).and_then(|s| s.mask) == Some(Mask::Null));
                if !to_key || !plans.contains_key(parent.name()) {
                    continue;
                }
                let own: Vec<&ColumnInfo> = relation
                    .columns
                    .iter()
                    .map(|c| column(&columns_of[table.name()], c.get_ref()))
                    .collect::<Result<_>>()?;
                let key_columns = plans[table.name()].key_columns.clone();
                let values =
                    read_columns(pool, table.name(), &key_columns, &kept_rows, &own, None).await?;
                let child_masked = plans[table.name()].mask_keys.clone();
                let parent_plan = plans.get_mut(parent.name()).expect("checked");
                for (child_key, parent_key) in values {
                    let masked_away = unlinked && child_masked.contains(&child_key);
                    if !masked_away && parent_plan.delete_keys.remove(&parent_key) {
                        if parent_plan.scrub_masks.is_empty() {
                            parent_plan.kept += 1;
                        } else {
                            parent_plan.scrub_keys.insert(parent_key.clone());
                        }
                        *referenced.entry(parent.name().to_string()).or_default() += 1;
                        retained
                            .get_mut(parent.name())
                            .expect("planned")
                            .insert(parent_key);
                        moved = true;
                    }
                }
            }
        }
        if !moved {
            break;
        }
    }
    for (name, count) in referenced {
        if let Some(plan) = plans.get_mut(&name) {
            plan.notes.push(format!(
                "{count} row(s) kept, their personal data masked: rows that stay still reference them"
            ));
        }
    }
    for (name, plan) in plans.iter_mut() {
        plan.delete = plan.delete_keys.len();
        plan.mask = plan.mask_keys.len();
        plan.scrub = plan.scrub_keys.len();
        let keys: Vec<&ColumnInfo> = plan.key_columns.iter().collect();
        for (count, masks) in [(plan.mask, &plan.masks), (plan.scrub, &plan.scrub_masks)] {
            if count == 0 || masks.is_empty() {
                continue;
            }
            let sets: Vec<String> = masks
                .iter()
                .map(|(name, m)| {
                    let c = pool.quote(name);
                    // Numbers cannot hold the redaction text: execution sets them to NULL.
                    let numeric = column(&plan.columns, name).is_ok_and(|i| i.is_numeric());
                    match m {
                        Mask::Null => format!("{c} = NULL"),
                        Mask::Redact if numeric => format!("{c} = NULL"),
                        Mask::Redact => format!("{c} = '{REDACTED}'"),
                        Mask::Hmac => format!("{c} = CASE {c} WHEN ? THEN ? ... ELSE {c} END"),
                    }
                })
                .collect();
            plan.statements.push(format!(
                "UPDATE {} SET {} WHERE {}  -- {} row(s), {} per statement",
                pool.quote(name),
                sets.join(", "),
                in_list(pool, &keys, 1, 1),
                count,
                CHUNK
            ));
        }
        if plan.delete > 0 {
            plan.statements.push(format!(
                "DELETE FROM {} WHERE {}  -- {} row(s), {} per statement",
                pool.quote(name),
                in_list(pool, &keys, 1, 1),
                plan.delete,
                CHUNK
            ));
        }
    }
    let order = execution_order(source, &plans);
    Ok(SourcePlan {
        source: source.id().to_string(),
        tables: order
            .into_iter()
            .filter_map(|name| plans.remove(&name))
            .collect(),
    })
}

/// Children before parents, following the direction foreign keys take: a relation onto
/// the parent's key means the child references the parent; a relation onto other
/// columns (an address found through `customer.address_id`) means the reverse.
fn execution_order(source: &SourceDef, plans: &BTreeMap<String, TablePlan>) -> Vec<String> {
    let names: Vec<String> = plans.keys().cloned().collect();
    let mut before: BTreeMap<String, BTreeSet<String>> =
        names.iter().map(|n| (n.clone(), BTreeSet::new())).collect();
    for table_def in &source.tables {
        let table = &table_def.table;
        if !plans.contains_key(table.name()) {
            continue;
        }
        for relation in &table.relation {
            let relation = relation.get_ref();
            let Some(parent) = source.table(relation.references.get_ref()) else {
                continue;
            };
            if !plans.contains_key(parent.name()) || parent.name() == table.name() {
                continue;
            }
            if Table::relation_targets(relation, parent) == parent.key_columns() {
                // The child goes first: the parent waits for it.
                before
                    .get_mut(parent.name())
                    .expect("planned")
                    .insert(table.name().to_string());
            } else {
                before
                    .get_mut(table.name())
                    .expect("planned")
                    .insert(parent.name().to_string());
            }
        }
    }
    let mut order = Vec::new();
    let mut placed: BTreeSet<String> = BTreeSet::new();
    while order.len() < names.len() {
        let ready: Vec<String> = names
            .iter()
            .filter(|n| !placed.contains(*n) && before[*n].iter().all(|b| placed.contains(b)))
            .cloned()
            .collect();
        // A cycle: take the remaining tables in name order.
        let next = if ready.is_empty() {
            names
                .iter()
                .filter(|n| !placed.contains(*n))
                .cloned()
                .collect()
        } else {
            ready
        };
        for name in next {
            placed.insert(name.clone());
            order.push(name);
        }
    }
    order
}

/// Executes a source's plan in one transaction: masks first (so held rows let go of the
/// rows they reference), then deletes in order, each as set-based chunks.
pub async fn execute(
    pool: &SourcePool,
    plan: &SourcePlan,
    key: &SubjectKey,
) -> Result<BTreeMap<String, (u64, u64)>> {
    let mut tx: SourceTx = pool.begin().await?;
    let mut done = BTreeMap::new();
    for table in &plan.tables {
        let mut masked = 0;
        for (masks, keys) in [
            (&table.masks, &table.mask_keys),
            (&table.scrub_masks, &table.scrub_keys),
        ] {
            masked += mask_rows(pool, &mut tx, table, masks, keys, key)
                .await
                .with_context(|| format!("source `{}`, table `{}`", plan.source, table.table))?;
        }
        done.insert(table.table.clone(), (0, masked));
    }
    for table in &plan.tables {
        let keys: Vec<&ColumnInfo> = table.key_columns.iter().collect();
        let all: Vec<&Vec<Key>> = table.delete_keys.iter().collect();
        let mut deleted = 0;
        for chunk in all.chunks(CHUNK) {
            let sql = format!(
                "DELETE FROM {} WHERE {}",
                pool.quote(&table.table),
                in_list(pool, &keys, chunk.len(), 1)
            );
            let binds: Vec<Key> = chunk.iter().flat_map(|k| k.iter().cloned()).collect();
            deleted += tx
                .execute(&sql, &binds)
                .await
                .with_context(|| format!("source `{}`, table `{}`", plan.source, table.table))?;
        }
        done.get_mut(&table.table).expect("inserted").0 = deleted;
    }
    tx.commit().await?;
    Ok(done)
}

async fn mask_rows(
    pool: &SourcePool,
    tx: &mut SourceTx,
    table: &TablePlan,
    masks: &BTreeMap<String, Mask>,
    rows: &BTreeSet<Vec<Key>>,
    key: &SubjectKey,
) -> Result<u64> {
    if rows.is_empty() || masks.is_empty() {
        return Ok(0);
    }
    let columns = &table.columns;
    let keys: Vec<&ColumnInfo> = table.key_columns.iter().collect();
    let all: Vec<&Vec<Key>> = rows.iter().collect();
    let mut masked = 0;
    for chunk in all.chunks(CHUNK) {
        let key_binds: Vec<Key> = chunk.iter().flat_map(|k| k.iter().cloned()).collect();
        let mut sets = Vec::new();
        let mut binds = Vec::new();
        for (name, mask) in masks {
            let c = pool.quote(name);
            match mask {
                Mask::Null => sets.push(format!("{c} = NULL")),
                Mask::Redact => {
                    let info = column(columns, name)?;
                    if info.is_numeric() {
                        sets.push(format!("{c} = NULL"));
                    } else {
                        sets.push(format!("{c} = '{REDACTED}'"));
                    }
                }
                Mask::Hmac => {
                    // Keyed pseudonyms of the distinct values of this chunk; values that
                    // already are pseudonyms stay as they are (re-runs change nothing).
                    let info = column(columns, name)?;
                    let sql = format!(
                        "SELECT DISTINCT {} FROM {} WHERE {}",
                        pool.select_expr(info),
                        pool.quote(&table.table),
                        in_list(pool, &keys, chunk.len(), 1)
                    );
                    let values = tx.fetch(&sql, &key_binds, &[info.kind]).await?;
                    let values: Vec<String> = values
                        .into_iter()
                        .filter_map(|row| Key::from_json(&row[0]).as_text())
                        .filter(|v| !key.is_pseudonym(v))
                        .collect();
                    if values.is_empty() {
                        continue;
                    }
                    let mut case = format!("CASE {c}");
                    for value in values {
                        case.push_str(" WHEN {} THEN {}");
                        binds.push(Key::Text(value.clone()));
                        binds.push(Key::Text(key.pseudonym(&value)));
                    }
                    case.push_str(&format!(" ELSE {c} END"));
                    sets.push(format!("{c} = {case}"));
                }
            }
        }
        if sets.is_empty() {
            continue;
        }
        // Number the parameters: SET parameters first, then the keys.
        let mut n = 0;
        let mut set_sql = sets.join(", ");
        while let Some(position) = set_sql.find("{}") {
            n += 1;
            set_sql.replace_range(position..position + 2, &pool.param(n));
        }
        let sql = format!(
            "UPDATE {} SET {set_sql} WHERE {}",
            pool.quote(&table.table),
            in_list(pool, &keys, chunk.len(), n + 1)
        );
        binds.extend(key_binds);
        masked += tx.execute(&sql, &binds).await?;
    }
    Ok(masked)
}

/// True for a row whose masked columns still hold something other than their masked
/// form (NULL, the redaction text, the anonymisation text); numbers are masked to NULL.
/// Retention's anonymisation writes fixed texts, so this condition can be SQL; erasure's
/// keyed pseudonyms are checked with the key instead (see [`unmasked_rows`]).
pub fn not_yet_masked<'a>(
    pool: &SourcePool,
    columns: &[ColumnInfo],
    masks: impl Iterator<Item = (&'a str, Mask)>,
) -> String {
    let conditions: Vec<String> = masks
        .map(|(name, mask)| {
            let c = pool.quote(name);
            let numeric = column(columns, name).is_ok_and(|i| i.is_numeric());
            match mask {
                Mask::Redact if !numeric => format!("({c} IS NOT NULL AND {c} <> '{REDACTED}')"),
                Mask::Hmac if !numeric => {
                    format!("({c} IS NOT NULL AND {c} <> '{ANONYMISED}')")
                }
                _ => format!("{c} IS NOT NULL"),
            }
        })
        .collect();
    format!("({})", conditions.join(" OR "))
}

/// What retention's anonymisation writes into a column masked with `hmac`: no pseudonym,
/// since anonymised rows keep no link to the person.
pub const ANONYMISED: &str = "hmac:anonymised";

/// True when `value` is in the form `mask` leaves: NULL, the redaction text, or a
/// pseudonym made with `key` (checked, not guessed from the value's look).
fn is_masked(mask: Mask, numeric: bool, value: &Key, key: &SubjectKey) -> bool {
    match (value, mask) {
        (Key::Null, _) => true,
        (_, Mask::Null) => false,
        _ if numeric => false,
        (Key::Text(text), Mask::Redact) => text == REDACTED,
        (Key::Text(text), Mask::Hmac) => key.is_pseudonym(text),
        _ => false,
    }
}

/// Rows of a plan's mask set whose masked columns still hold something other than the
/// masked form: zero once the masks are applied.
pub async fn unmasked_rows(pool: &SourcePool, table: &TablePlan, key: &SubjectKey) -> Result<u64> {
    let mut left = 0;
    for (masks, rows) in [
        (&table.masks, &table.mask_keys),
        (&table.scrub_masks, &table.scrub_keys),
    ] {
        left += unmasked_in(pool, table, masks, rows, key).await?;
    }
    Ok(left)
}

async fn unmasked_in(
    pool: &SourcePool,
    table: &TablePlan,
    masks: &BTreeMap<String, Mask>,
    rows: &BTreeSet<Vec<Key>>,
    key: &SubjectKey,
) -> Result<u64> {
    if rows.is_empty() || masks.is_empty() {
        return Ok(0);
    }
    let masked: Vec<(&ColumnInfo, Mask)> = masks
        .iter()
        .map(|(name, mask)| Ok((column(&table.columns, name)?, *mask)))
        .collect::<Result<_>>()?;
    let infos: Vec<&ColumnInfo> = masked.iter().map(|(info, _)| *info).collect();
    let values = read_columns(pool, &table.table, &table.key_columns, rows, &infos, None).await?;
    let left = values
        .values()
        .filter(|row| {
            row.iter().zip(&masked).any(|(value, (info, mask))| {
                let numeric = info.is_numeric();
                !is_masked(*mask, numeric, value, key)
            })
        })
        .count();
    Ok(left as u64)
}
