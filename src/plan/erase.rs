//! The erasure plan of one source, in three steps kept apart:
//!
//! - [`collect`] reads the facts from the database: the subjects' rows, the rows that
//!   name someone else, which rows each hold keeps, which parent row each row points at,
//!   which rows of others point at the subjects' rows, and the values pseudonyms are
//!   made from;
//! - [`decide`] is a pure function from the policy and those facts to the plan: which
//!   rows are deleted, masked (and how), held (and why), shared or kept (and why);
//! - [`render`] turns the plan into the statements that run, once, for the engine:
//!   `--dry-run` prints them and [`execute`] runs them, nothing else.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::plan::traverse::{CHUNK, Found, Reached};
use crate::policy::{EraseAction, HoldAction, Mask, OnErase, Policy, SourceDef, Table};
use crate::sources::SourcePool;
use crate::sources::foreign_keys::OnDelete;
use crate::sources::rows::{ColumnInfo, Key, Kind, SourceTx};
use crate::sql::Sql;
use crate::subject::SubjectKey;

pub(crate) const REDACTED: &str = "[redacted]";

type Rows = BTreeSet<Vec<Key>>;

// ---------------------------------------------------------------------------------------
// Facts

/// What the database says about one table, for the subjects being erased.
#[derive(Debug, Clone, Default)]
pub struct TableFacts {
    pub key_columns: Vec<ColumnInfo>,
    pub columns: Vec<ColumnInfo>,
    /// The subjects' rows.
    pub rows: Rows,
    /// Rows reached through a relation whose own identity columns name someone else.
    pub names_someone_else: Rows,
    /// Rows of `rows` whose relation leads to a parent row that is not the subjects'.
    pub foreign_parent: Rows,
    /// Per hold of the table (in policy order): the rows of `rows` it keeps now.
    pub held_by: Vec<Rows>,
    /// Per relation of the table onto its parent's key (by index in the policy): the
    /// parent key each row of `rows` and `names_someone_else` points at.
    pub parents: BTreeMap<usize, BTreeMap<Vec<Key>, Vec<Key>>>,
    /// Rows of others that point at rows of `rows` without belonging to the subjects.
    pub pointed_at: Vec<PointedAt>,
    /// The current values of the columns masked with keyed pseudonyms, per row.
    pub values: BTreeMap<Vec<Key>, BTreeMap<String, Key>>,
    /// The subjects' rows reached as a set and counted, not read (`rows` is then empty).
    pub reached: Option<Reached>,
}

/// Rows of another table that point at this table's rows, and how the link is declared.
#[derive(Debug, Clone)]
pub struct PointedAt {
    pub table: String,
    /// The referencing columns, as the other table has them.
    pub columns: Vec<ColumnInfo>,
    pub link: Link,
    /// Per row of this table that others point at: how many of their rows do.
    pub counts: BTreeMap<Vec<Key>, u64>,
    /// Per such row, the values the referencing columns hold (the row's targets).
    pub targets: BTreeMap<Vec<Key>, Vec<Key>>,
}

/// How a link between rows of different people is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// A `[[table.reference]]`, with what erasure does to it.
    Reference(OnErase),
    /// A live foreign key the policy does not declare, with the schema's ON DELETE rule.
    ForeignKey(OnDelete),
}

/// The facts of one source.
#[derive(Debug, Clone, Default)]
pub struct SourceFacts {
    pub source: String,
    pub tables: BTreeMap<String, TableFacts>,
}

// ---------------------------------------------------------------------------------------
// The plan

#[derive(Debug, Clone, Serialize)]
pub struct HeldRows {
    pub reason: String,
    pub article: String,
    pub action: HoldAction,
    pub rows: usize,
    #[serde(skip)]
    pub keys: Rows,
}

#[derive(Debug, Clone, Serialize)]
pub struct TablePlan {
    pub table: String,
    pub erase: Option<EraseAction>,
    pub found: usize,
    pub delete: usize,
    /// Held rows pseudonymised with the table's declared masks.
    pub mask: usize,
    pub masks: BTreeMap<String, Mask>,
    /// Rows that stay but are not held (erase = "mask", or other rows still point at
    /// them): every personal column masked, as declared or by its category's default.
    pub scrub: usize,
    pub scrub_masks: BTreeMap<String, Mask>,
    pub held: Vec<HeldRows>,
    pub shared: usize,
    /// Rows kept whole for a reason other than a hold (they hold no personal data).
    pub kept: usize,
    /// Why rows are kept or masked, and what else their erasure changes.
    pub notes: Vec<String>,
    #[serde(skip)]
    pub delete_keys: Rows,
    #[serde(skip)]
    pub mask_keys: Rows,
    #[serde(skip)]
    pub scrub_keys: Rows,
    /// Rows reached as a set and masked as one, with the scrub masks (in `scrub`).
    #[serde(skip)]
    pub scrub_set: Option<Reached>,
    /// Rows reached as a set and deleted as one (in `delete`).
    #[serde(skip)]
    pub delete_set: Option<Reached>,
    #[serde(skip)]
    pub key_columns: Vec<ColumnInfo>,
    #[serde(skip)]
    pub columns: Vec<ColumnInfo>,
    /// The statements that run for this table, parameters left as placeholders.
    pub statements: Vec<String>,
}

/// Rows of others whose reference to a deleted row is set to NULL (on_erase = "null").
#[derive(Debug, Clone, Serialize)]
pub struct Unlink {
    pub table: String,
    pub columns: Vec<String>,
    pub references: String,
    pub rows: u64,
    #[serde(skip)]
    pub column_infos: Vec<ColumnInfo>,
    #[serde(skip)]
    pub targets: Rows,
    pub statements: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourcePlan {
    pub source: String,
    /// Tables in execution order (masks first, then deletes children before parents).
    pub tables: Vec<TablePlan>,
    pub unlinks: Vec<Unlink>,
    /// What runs, in order; `--dry-run` shows these and nothing else runs.
    #[serde(skip)]
    pub run: Vec<Statement>,
    /// The SQL of `run`, values left as placeholders.
    pub statements: Vec<String>,
}

impl SourcePlan {
    pub fn deletes(&self) -> usize {
        self.tables.iter().map(|t| t.delete).sum()
    }
    pub fn masks(&self) -> usize {
        self.tables.iter().map(|t| t.mask + t.scrub).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.deletes() == 0 && self.masks() == 0 && self.unlinks.is_empty()
    }
}

/// What a statement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Mask,
    Unlink,
    Delete,
}

/// One statement as it runs: its SQL (values as placeholders) and the values bound.
#[derive(Debug, Clone)]
pub struct Statement {
    pub table: String,
    pub op: Op,
    pub sql: Sql,
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
    keys: &Rows,
    columns: &[&ColumnInfo],
    condition: Option<&Sql>,
) -> Result<BTreeMap<Vec<Key>, Vec<Key>>> {
    let key_refs: Vec<&ColumnInfo> = key_columns.iter().collect();
    let mut out = BTreeMap::new();
    let keys: Vec<&Vec<Key>> = keys.iter().collect();
    for chunk in keys.chunks(CHUNK) {
        let tuples: Vec<Vec<Key>> = chunk.iter().map(|k| (*k).clone()).collect();
        for (key, values) in read_matching(
            pool,
            table,
            key_columns,
            &key_refs,
            &tuples,
            columns,
            condition,
        )
        .await?
        {
            out.insert(key, values);
        }
    }
    Ok(out)
}

/// Rows of `table` whose `match_columns` take one of `tuples` (at most a chunk): their
/// keys and the values of `columns`.
async fn read_matching(
    pool: &SourcePool,
    table: &str,
    key_columns: &[ColumnInfo],
    match_columns: &[&ColumnInfo],
    tuples: &[Vec<Key>],
    columns: &[&ColumnInfo],
    condition: Option<&Sql>,
) -> Result<Vec<(Vec<Key>, Vec<Key>)>> {
    let mut select: Vec<String> = key_columns.iter().map(|c| pool.select_expr(c)).collect();
    select.extend(columns.iter().map(|c| pool.select_expr(c)));
    let mut kinds: Vec<Kind> = key_columns.iter().map(|c| c.kind).collect();
    kinds.extend(columns.iter().map(|c| c.kind));
    let mut sql = Sql::new(format!(
        "SELECT {} FROM {} WHERE ",
        select.join(", "),
        pool.quote(table),
    ));
    sql.append(
        &pool
            .dialect()
            .in_list(match_columns, tuples.iter().map(Vec::as_slice)),
    );
    if let Some(condition) = condition {
        sql.push(" AND ").append(condition);
    }
    let n = key_columns.len();
    let mut out = Vec::new();
    pool.for_each_row(&sql, &kinds, |row| {
        let mut row: Vec<Key> = row.into_iter().map(Key::from_json_owned).collect();
        let values = row.split_off(n);
        out.push((row, values));
        Ok(())
    })
    .await?;
    Ok(out)
}

/// Membership in a sorted sequence of keys, for keys asked in ascending order: one forward
/// pass over the sequence, a comparison a step, instead of a search of a set for each.
struct Ascending<'a, I: Iterator<Item = &'a Vec<Key>>> {
    keys: std::iter::Peekable<I>,
}

impl<'a, I: Iterator<Item = &'a Vec<Key>>> Ascending<'a, I> {
    fn new(keys: I) -> Self {
        Ascending {
            keys: keys.peekable(),
        }
    }

    /// Whether `key` is in the sequence; each key asked must not be less than the last.
    fn contains(&mut self, key: &[Key]) -> bool {
        while let Some(next) = self.keys.peek() {
            match next.as_slice().cmp(key) {
                std::cmp::Ordering::Less => {
                    self.keys.next();
                }
                std::cmp::Ordering::Equal => return true,
                std::cmp::Ordering::Greater => return false,
            }
        }
        false
    }
}

/// The columns named, as the database has them.
fn infos<'a>(columns: &'a [ColumnInfo], names: &[&str]) -> Result<Vec<&'a ColumnInfo>> {
    names.iter().map(|n| column(columns, n)).collect()
}

/// Every personal column of a kept row that is not held: masked as declared, or by its
/// category's default. Keys and the columns that link rows stay, so links stay valid.
pub(crate) fn scrub_masks(table: &Table, columns: &[ColumnInfo]) -> Result<BTreeMap<String, Mask>> {
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
    let mut masks = BTreeMap::new();
    for (name, spec) in table.personal_columns() {
        let numeric = column(columns, name)?.is_numeric();
        let mask = match spec.mask {
            Some(mask) => mask,
            None if linking.contains(name) => continue,
            None if numeric => Mask::Null,
            None => crate::policy::taxonomy::default_mask(&spec.category),
        };
        masks.insert(name.to_string(), mask);
    }
    Ok(masks)
}

fn declared_masks(table: &Table) -> BTreeMap<String, Mask> {
    table
        .columns
        .iter()
        .filter_map(|(name, spec)| spec.get_ref().mask.map(|m| (name.clone(), m)))
        .collect()
}

/// Reads the facts the plan of one source is decided from.
pub async fn collect(
    pool: &SourcePool,
    source: &SourceDef,
    found: &mut Found,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SourceFacts> {
    let mut facts = SourceFacts {
        source: source.id().to_string(),
        tables: BTreeMap::new(),
    };
    for table_def in &source.tables {
        let table = &table_def.table;
        // The walk's record of what each row points at becomes the plan's own, moved
        // rather than copied.
        let mut through = found
            .tables
            .get_mut(table.name())
            .map(|t| std::mem::take(&mut t.through))
            .unwrap_or_default();
        let found = &*found;
        let Some(found_table) = found.tables.get(table.name()) else {
            continue;
        };
        if let Some(reached) = found_table.reached.as_ref().filter(|r| r.rows > 0) {
            // Every row alike: nothing is read of them one by one.
            facts.tables.insert(
                table.name().to_string(),
                TableFacts {
                    key_columns: found_table.key_columns.clone(),
                    columns: pool.table_columns(table.name()).await?,
                    reached: Some(reached.clone()),
                    ..TableFacts::default()
                },
            );
            continue;
        }
        if found_table.keys.is_empty() && found_table.shared.is_empty() {
            continue;
        }
        let columns = pool.table_columns(table.name()).await?;
        let mut f = TableFacts {
            key_columns: found_table.key_columns.clone(),
            columns: columns.clone(),
            rows: found_table.keys.to_rows(),
            names_someone_else: found_table.shared.clone(),
            ..TableFacts::default()
        };

        for (index, relation) in table.relation.iter().enumerate() {
            let relation = relation.get_ref();
            let Some(parent) = source.table(relation.references.get_ref()) else {
                continue;
            };
            let own_names: Vec<&str> = relation
                .columns
                .iter()
                .map(|c| c.get_ref().as_str())
                .collect();
            let own = infos(&columns, &own_names)?;
            let targets = Table::relation_targets(relation, parent);
            // Onto the parent's key, a row's values name exactly one parent row.
            let by_key = targets == parent.key_columns();
            // What the walk read of the rows it found through this relation is not read
            // again; the other rows' values are.
            // The subjects' rows, and rows that name someone else too.
            let linked = || f.rows.iter().chain(&f.names_someone_else);
            let values = match through.remove(&index).filter(|_| by_key) {
                Some(mut known) => {
                    // Sorted sets against sorted sets: one pass each, not a search a row.
                    let rest: Rows = {
                        let mut in_rows = Ascending::new(known.keys());
                        let mut in_shared = Ascending::new(known.keys());
                        f.rows
                            .iter()
                            .filter(|k| !in_rows.contains(k))
                            .chain(
                                f.names_someone_else
                                    .iter()
                                    .filter(|k| !in_shared.contains(k)),
                            )
                            .cloned()
                            .collect()
                    };
                    let read =
                        read_columns(pool, table.name(), &f.key_columns, &rest, &own, None).await?;
                    let mut in_rows = Ascending::new(f.rows.iter());
                    let mut in_shared = Ascending::new(f.names_someone_else.iter());
                    known.retain(|k, _| {
                        let in_rows = in_rows.contains(k);
                        in_shared.contains(k) || in_rows
                    });
                    known.extend(read);
                    known
                }
                None => {
                    let all: Rows = linked().cloned().collect();
                    read_columns(pool, table.name(), &f.key_columns, &all, &own, None).await?
                }
            };
            // Rows whose parent is not one of the subjects' rows belong to others too.
            if let Some(parent_found) = found.tables.get(parent.name()) {
                let parent_columns = pool.table_columns(parent.name()).await?;
                let target_infos = infos(&parent_columns, &targets)?;
                let parent_keys = infos(&parent_columns, &parent.key_columns())?;
                let parent_key_infos: Vec<ColumnInfo> =
                    parent_keys.iter().map(|c| (*c).clone()).collect();
                let mut in_rows = Ascending::new(f.rows.iter());
                let distinct: Vec<Vec<Key>> = values
                    .iter()
                    .filter(|(k, _)| in_rows.contains(k))
                    .filter(|(_, v)| v.iter().all(|k| *k != Key::Null))
                    // The key of one of the subjects' parent rows: theirs, nothing to read.
                    .filter(|(_, v)| !(by_key && parent_found.keys.contains(v)))
                    .map(|(_, v)| v.clone())
                    .collect::<Rows>()
                    .into_iter()
                    .collect();
                let mut foreign_values = Rows::new();
                for chunk in distinct.chunks(CHUNK) {
                    for (parent_key, target) in read_matching(
                        pool,
                        parent.name(),
                        &parent_key_infos,
                        &target_infos,
                        chunk,
                        &target_infos,
                        None,
                    )
                    .await?
                    {
                        if !parent_found.keys.contains(&parent_key) {
                            foreign_values.insert(target);
                        }
                    }
                }
                if !foreign_values.is_empty() {
                    let foreign: Vec<Vec<Key>> = values
                        .iter()
                        .filter(|(k, v)| foreign_values.contains(*v) && f.rows.contains(*k))
                        .map(|(k, _)| k.clone())
                        .collect();
                    f.foreign_parent.extend(foreign);
                }
            }
            if by_key {
                let mut values = values;
                values.retain(|_, v| v.iter().all(|k| *k != Key::Null));
                f.parents.insert(index, values);
            }
        }

        for hold in &table.hold {
            let held =
                match crate::plan::hold::condition(pool, table, &columns, hold.get_ref(), now)
                    .await?
                {
                    Some(condition) => read_columns(
                        pool,
                        table.name(),
                        &f.key_columns,
                        &f.rows,
                        &[],
                        Some(&condition),
                    )
                    .await?
                    .into_keys()
                    .collect(),
                    None => Rows::new(),
                };
            f.held_by.push(held);
        }

        let mut hmac: BTreeSet<String> = declared_masks(table)
            .into_iter()
            .filter(|(_, m)| *m == Mask::Hmac)
            .map(|(c, _)| c)
            .collect();
        hmac.extend(
            scrub_masks(table, &columns)?
                .into_iter()
                .filter(|(_, m)| *m == Mask::Hmac)
                .map(|(c, _)| c),
        );
        if !hmac.is_empty() {
            let names: Vec<&str> = hmac.iter().map(String::as_str).collect();
            let masked = infos(&columns, &names)?;
            for (key, values) in
                read_columns(pool, table.name(), &f.key_columns, &f.rows, &masked, None).await?
            {
                f.values.insert(
                    key,
                    names.iter().map(|n| n.to_string()).zip(values).collect(),
                );
            }
        }
        facts.tables.insert(table.name().to_string(), f);
    }
    let foreign_keys = found.foreign_keys.take();
    collect_pointers(pool, source, &mut facts, foreign_keys).await?;
    Ok(facts)
}

/// Rows of others that point at the subjects' rows through a declared reference, or
/// through a live foreign key the policy does not declare (`foreign_keys`: the source's,
/// where the walk has read them already).
async fn collect_pointers(
    pool: &SourcePool,
    source: &SourceDef,
    facts: &mut SourceFacts,
    foreign_keys: Option<Vec<crate::sources::foreign_keys::ForeignKey>>,
) -> Result<()> {
    // (referencing table, its columns, referenced table, the columns they point at, link)
    type Declared = (String, Vec<String>, String, Vec<String>, Link);
    let mut links: Vec<Declared> = Vec::new();
    for table_def in &source.tables {
        for reference in &table_def.table.reference {
            let reference = reference.get_ref();
            let Some(referenced) = source.table(reference.references.get_ref()) else {
                continue;
            };
            links.push((
                table_def.table.name().to_string(),
                reference
                    .columns
                    .iter()
                    .map(|c| c.get_ref().clone())
                    .collect(),
                referenced.name().to_string(),
                Table::reference_targets(reference, referenced)
                    .into_iter()
                    .map(String::from)
                    .collect(),
                Link::Reference(reference.on_erase),
            ));
        }
    }
    if !facts.tables.is_empty() {
        let foreign_keys = match foreign_keys {
            Some(keys) => keys,
            None => {
                let tables: Vec<&str> = source.tables.iter().map(|t| t.table.name()).collect();
                pool.foreign_keys_among(&tables).await?
            }
        };
        for key in foreign_keys {
            // Declared keys are relations (the rows are the subjects' or judged shared)
            // or references (above); an undeclared one still binds the database.
            if key.declared_as(source).is_none() && source.table(&key.table).is_some() {
                links.push((
                    key.table.clone(),
                    key.columns.clone(),
                    key.referenced_table.clone(),
                    key.referenced_columns.clone(),
                    Link::ForeignKey(key.on_delete),
                ));
            }
        }
    }
    for (table, columns, referenced, targets, link) in links {
        let Some(f) = facts.tables.get(&referenced) else {
            continue;
        };
        if f.rows.is_empty() {
            continue;
        }
        let target_names: Vec<&str> = targets.iter().map(String::as_str).collect();
        let target_infos = infos(&f.columns, &target_names)?;
        let target_of: BTreeMap<Vec<Key>, Vec<Key>> = read_columns(
            pool,
            &referenced,
            &f.key_columns,
            &f.rows,
            &target_infos,
            None,
        )
        .await?
        .into_iter()
        .filter(|(_, t)| t.iter().all(|k| *k != Key::Null))
        .collect();
        let row_of: BTreeMap<&Vec<Key>, &Vec<Key>> =
            target_of.iter().map(|(k, t)| (t, k)).collect();
        let referencing_columns = pool.table_columns(&table).await?;
        let referencing = source.table(&table).context("a declared table")?;
        let referencing_keys: Vec<ColumnInfo> =
            infos(&referencing_columns, &referencing.key_columns())?
                .into_iter()
                .cloned()
                .collect();
        let column_names: Vec<&str> = columns.iter().map(String::as_str).collect();
        let column_infos = infos(&referencing_columns, &column_names)?;
        let theirs = facts.tables.get(&table).map(|t| &t.rows);
        let mut counts: BTreeMap<Vec<Key>, u64> = BTreeMap::new();
        let tuples: Vec<Vec<Key>> = target_of
            .values()
            .cloned()
            .collect::<Rows>()
            .into_iter()
            .collect();
        for chunk in tuples.chunks(CHUNK) {
            for (key, values) in read_matching(
                pool,
                &table,
                &referencing_keys,
                &column_infos,
                chunk,
                &column_infos,
                None,
            )
            .await?
            {
                // The subjects' own rows that point there go with them.
                if theirs.is_some_and(|rows| rows.contains(&key)) {
                    continue;
                }
                if let Some(row) = row_of.get(&values) {
                    *counts.entry((*row).clone()).or_default() += 1;
                }
            }
        }
        if counts.is_empty() {
            continue;
        }
        let targets = target_of
            .into_iter()
            .filter(|(k, _)| counts.contains_key(k))
            .collect();
        facts
            .tables
            .get_mut(&referenced)
            .expect("checked")
            .pointed_at
            .push(PointedAt {
                table,
                columns: column_infos.into_iter().cloned().collect(),
                link,
                counts,
                targets,
            });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Decisions

/// Decides the plan of one source from the policy and the facts; reads nothing.
pub(crate) fn decide(
    policy: &Policy,
    source: &SourceDef,
    facts: &SourceFacts,
) -> Result<SourcePlan> {
    let mut plans: BTreeMap<String, TablePlan> = BTreeMap::new();
    for table_def in &source.tables {
        let table = &table_def.table;
        let Some(f) = facts.tables.get(table.name()) else {
            continue;
        };
        if f.rows.is_empty() && f.names_someone_else.is_empty() && f.reached.is_none() {
            continue;
        }
        let masks = declared_masks(table);
        for (name, mask) in &masks {
            if *mask == Mask::Hmac && column(&f.columns, name)?.is_numeric() {
                bail!(
                    "`{}.{name}` has mask = \"hmac\" but holds numbers; use null or redact (at {})",
                    table.name(),
                    policy.locate(table_def.file, table.columns[name].span().start)
                );
            }
        }
        let scrub_masks = scrub_masks(table, &f.columns)?;
        let erase = table.erase.as_ref().map(|e| *e.get_ref());
        let in_clear = |kept: usize| {
            let at = match &table.erase {
                Some(erase) => policy.locate(table_def.file, erase.span().start),
                None => policy.locate(table_def.file, table.name.span().start),
            };
            anyhow::anyhow!(
                "source `{}`, table `{}`: {kept} row(s) of the subject would keep their personal data in clear: \
                 the table {} and no hold covers them; set `erase = \"delete\"` or `erase = \"mask\"` at {at}",
                source.id(),
                table.name(),
                if erase.is_some() {
                    "says erase = \"keep\""
                } else {
                    "has no erase rule"
                },
            )
        };

        if let Some(reached) = &f.reached {
            // Rows reached as a set are deleted as one, masked as one, or kept when the
            // table has nothing to mask (see `Reached` for why no row differs).
            let rows = reached.rows as usize;
            let delete = erase == Some(EraseAction::Delete);
            let scrub = erase == Some(EraseAction::Mask) && !scrub_masks.is_empty();
            let kept = if scrub || delete { 0 } else { rows };
            if kept > 0 && table.has_personal_data() {
                return Err(in_clear(kept));
            }
            plans.insert(
                table.name().to_string(),
                TablePlan {
                    table: table.name().to_string(),
                    erase,
                    found: rows,
                    delete: 0,
                    mask: 0,
                    masks,
                    scrub: 0,
                    scrub_masks,
                    held: Vec::new(),
                    shared: 0,
                    kept,
                    notes: if kept > 0 {
                        vec![format!(
                            "{kept} row(s) kept: the table holds no personal data"
                        )]
                    } else {
                        Vec::new()
                    },
                    delete_keys: Rows::new(),
                    mask_keys: Rows::new(),
                    scrub_keys: Rows::new(),
                    scrub_set: scrub.then(|| reached.clone()),
                    delete_set: delete.then(|| reached.clone()),
                    key_columns: f.key_columns.clone(),
                    columns: f.columns.clone(),
                    statements: Vec::new(),
                },
            );
            continue;
        }

        // Rows that also belong to others: they carry another person's identity, or lead
        // through a relation to a row that is not the subjects'.
        let mut shared: Rows = f.names_someone_else.clone();
        shared.extend(f.foreign_parent.iter().cloned());

        let mut held = Vec::new();
        let mut held_keys = Rows::new();
        for (hold, keeps) in table.hold.iter().zip(&f.held_by) {
            let hold = hold.get_ref();
            let keys: Rows = keeps
                .iter()
                .filter(|k| f.rows.contains(*k) && !shared.contains(*k) && !held_keys.contains(*k))
                .cloned()
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

        // Gathered in the rows' order, then each set built at once from its sorted keys.
        let mut delete_keys = Vec::new();
        let mut mask_keys = Vec::new();
        let mut scrub_keys = Vec::new();
        let mut kept = Vec::new();
        for key in &f.rows {
            if shared.contains(key) {
                continue;
            }
            if let Some(hold) = held.iter().find(|h| h.keys.contains(key)) {
                // Held rows are pseudonymised where the table declares masks, or kept whole.
                if hold.action == HoldAction::Pseudonymise && !masks.is_empty() {
                    mask_keys.push(key.clone());
                }
                continue;
            }
            match erase {
                Some(EraseAction::Delete) => delete_keys.push(key.clone()),
                Some(EraseAction::Mask) if !scrub_masks.is_empty() => scrub_keys.push(key.clone()),
                _ => kept.push(key.clone()),
            };
        }
        let (delete_keys, mask_keys, scrub_keys): (Rows, Rows, Rows) = (
            delete_keys.into_iter().collect(),
            mask_keys.into_iter().collect(),
            scrub_keys.into_iter().collect(),
        );
        if !kept.is_empty() && table.has_personal_data() {
            return Err(in_clear(kept.len()));
        }
        let mut notes = Vec::new();
        if !kept.is_empty() {
            notes.push(format!(
                "{} row(s) kept: the table holds no personal data",
                kept.len()
            ));
        }
        if !shared.is_empty() {
            notes.push(format!(
                "{} row(s) kept untouched: they belong to other people too",
                shared.len()
            ));
        }
        plans.insert(
            table.name().to_string(),
            TablePlan {
                table: table.name().to_string(),
                erase,
                found: f.rows.len(),
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
                scrub_set: None,
                delete_set: None,
                key_columns: f.key_columns.clone(),
                columns: f.columns.clone(),
                statements: Vec::new(),
            },
        );
    }

    hold_children_with_parents(source, facts, &mut plans);
    let unlinks = keep_what_others_point_at(facts, &mut plans);
    keep_parents_of_kept_rows(source, facts, &mut plans);

    for plan in plans.values_mut() {
        plan.delete =
            plan.delete_keys.len() + plan.delete_set.as_ref().map_or(0, |r| r.rows as usize);
        plan.mask = plan.mask_keys.len();
        plan.scrub = plan.scrub_keys.len() + plan.scrub_set.as_ref().map_or(0, |r| r.rows as usize);
    }
    let order = execution_order(source, &plans);
    Ok(SourcePlan {
        source: source.id().to_string(),
        tables: order
            .into_iter()
            .filter_map(|name| plans.remove(&name))
            .collect(),
        unlinks,
        run: Vec::new(),
        statements: Vec::new(),
    })
}

/// The relations of `table` onto a planned parent's key, with their index.
fn relations_onto<'s>(
    source: &'s SourceDef,
    table: &'s Table,
) -> impl Iterator<Item = (usize, &'s Table)> + 's {
    table
        .relation
        .iter()
        .enumerate()
        .filter_map(move |(index, relation)| {
            let relation = relation.get_ref();
            let parent = source.table(relation.references.get_ref())?;
            (Table::relation_targets(relation, parent) == parent.key_columns())
                .then_some((index, parent))
        })
}

/// A row that belongs to a held row (an invoice line of a held invoice) is part of the
/// held record: it is held with it.
fn hold_children_with_parents(
    source: &SourceDef,
    facts: &SourceFacts,
    plans: &mut BTreeMap<String, TablePlan>,
) {
    loop {
        let mut moved = false;
        for table_def in &source.tables {
            let table = &table_def.table;
            let Some(f) = facts.tables.get(table.name()) else {
                continue;
            };
            for (index, parent) in relations_onto(source, table) {
                if parent.name() == table.name() || !plans.contains_key(table.name()) {
                    continue;
                }
                let Some(parent_plan) = plans.get(parent.name()) else {
                    continue;
                };
                let parent_held: Rows = parent_plan
                    .held
                    .iter()
                    .flat_map(|h| h.keys.iter().cloned())
                    .collect();
                let Some(reason) = parent_plan
                    .held
                    .iter()
                    .find(|h| h.rows > 0)
                    .map(|h| (h.reason.clone(), h.article.clone()))
                else {
                    continue;
                };
                let Some(links) = f.parents.get(&index) else {
                    continue;
                };
                let child = plans.get_mut(table.name()).expect("checked");
                let with_parent: Rows = child
                    .delete_keys
                    .iter()
                    .filter(|k| links.get(*k).is_some_and(|p| parent_held.contains(p)))
                    .cloned()
                    .collect();
                if with_parent.is_empty() {
                    continue;
                }
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
                    keys: with_parent,
                });
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
}

/// Keeps a row the plan would delete as masked instead (`keep`); or plans the NULLing
/// of the others' references to it (`null`): either way their references stay valid.
/// The schema's own ON DELETE actions are counted; a key that would stop the delete
/// keeps the row, masked.
fn keep_what_others_point_at(
    facts: &SourceFacts,
    plans: &mut BTreeMap<String, TablePlan>,
) -> Vec<Unlink> {
    let mut unlinks = Vec::new();
    for (name, f) in &facts.tables {
        let Some(plan) = plans.get_mut(name) else {
            continue;
        };
        // Links that keep a row come first: a row that stays needs no NULLed references.
        let mut pointers: Vec<&PointedAt> = f.pointed_at.iter().collect();
        pointers.sort_by_key(|p| {
            matches!(
                p.link,
                Link::Reference(OnErase::Null)
                    | Link::ForeignKey(OnDelete::Cascade | OnDelete::SetNull)
            )
        });
        for pointer in pointers {
            let affected: Vec<Vec<Key>> = plan
                .delete_keys
                .iter()
                .filter(|k| pointer.counts.contains_key(*k))
                .cloned()
                .collect();
            if affected.is_empty() {
                continue;
            }
            let rows: u64 = affected.iter().map(|k| pointer.counts[k]).sum();
            let columns: Vec<String> = pointer.columns.iter().map(|c| c.name.clone()).collect();
            let how = match pointer.link {
                Link::Reference(OnErase::Null) => {
                    unlinks.push(Unlink {
                        table: pointer.table.clone(),
                        columns: columns.clone(),
                        references: name.clone(),
                        rows,
                        column_infos: pointer.columns.clone(),
                        targets: affected
                            .iter()
                            .filter_map(|k| pointer.targets.get(k).cloned())
                            .collect(),
                        statements: Vec::new(),
                    });
                    plan.notes.push(format!(
                        "{rows} row(s) of `{}` that point at deleted rows get `{}` set to NULL (reference, on_erase = \"null\")",
                        pointer.table,
                        columns.join("`, `")
                    ));
                    continue;
                }
                Link::ForeignKey(action) if action.clears_references() => {
                    plan.notes.push(format!(
                        "the schema's ON DELETE {} changes {rows} row(s) of `{}` (`{}`)",
                        action.sql(),
                        pointer.table,
                        columns.join("`, `")
                    ));
                    continue;
                }
                Link::Reference(OnErase::Keep) => "reference, on_erase = \"keep\"".to_string(),
                Link::ForeignKey(action) => {
                    format!("a foreign key with ON DELETE {}", action.sql())
                }
            };
            for key in &affected {
                plan.delete_keys.remove(key);
                if plan.scrub_masks.is_empty() {
                    plan.kept += 1;
                } else {
                    plan.scrub_keys.insert(key.clone());
                }
            }
            plan.notes.push(format!(
                "{} row(s) kept, their personal data masked: {rows} row(s) of `{}` point at them ({how})",
                affected.len(),
                pointer.table
            ));
        }
    }
    unlinks
}

/// A parent row that rows which stay still point at (and do not let go of by masking the
/// reference to NULL) stays too: deleting it would break them. It is masked instead.
fn keep_parents_of_kept_rows(
    source: &SourceDef,
    facts: &SourceFacts,
    plans: &mut BTreeMap<String, TablePlan>,
) {
    let mut referenced: BTreeMap<String, usize> = BTreeMap::new();
    loop {
        let mut moved = false;
        for table_def in &source.tables {
            let table = &table_def.table;
            let Some(f) = facts.tables.get(table.name()) else {
                continue;
            };
            let Some(plan) = plans.get(table.name()) else {
                continue;
            };
            // Per relation, the parent rows that rows which stay (found, not deleted) point
            // at, read from the table's plan as it is before this pass moves anything (a
            // table may reference itself).
            let mut kept_parents: Vec<(&Table, Vec<&Vec<Key>>)> = Vec::new();
            let stay = plan.delete_set.is_none();
            if let Some(reached) = f.reached.as_ref().filter(|r| stay && r.hops.len() == 1) {
                // Rows reached as a set that stay all stay; the anchors are the parent keys
                // they point at (a table below another reached as a set hangs from rows
                // that stay, or are deleted with it).
                for (_, parent) in relations_onto(source, table) {
                    if let Some(parent_plan) = plans.get(parent.name()) {
                        let parents = reached
                            .anchors
                            .iter()
                            .filter(|k| parent_plan.delete_keys.contains(*k))
                            .collect();
                        kept_parents.push((parent, parents));
                    }
                }
            }
            for (index, parent) in relations_onto(source, table) {
                let relation = table.relation[index].get_ref();
                let unlinked = relation
                    .columns
                    .iter()
                    .all(|c| table.column(c.get_ref()).and_then(|s| s.mask) == Some(Mask::Null));
                let Some(links) = f.parents.get(&index) else {
                    continue;
                };
                let Some(parent_plan) = plans.get(parent.name()) else {
                    continue;
                };
                if parent_plan.delete_keys.is_empty() {
                    continue;
                }
                // The links are in the children's order: each set is passed through once.
                let mut in_rows = Ascending::new(f.rows.iter());
                let mut in_shared = Ascending::new(f.names_someone_else.iter());
                let mut deleted = Ascending::new(plan.delete_keys.iter());
                let mut masked = Ascending::new(plan.mask_keys.iter());
                let parents: Vec<&Vec<Key>> = links
                    .iter()
                    .filter(|(child, parent_key)| {
                        let (in_rows, in_shared) =
                            (in_rows.contains(child), in_shared.contains(child));
                        let (deleted, masked) = (deleted.contains(child), masked.contains(child));
                        (in_rows || in_shared)
                            && !deleted
                            && !(unlinked && masked)
                            && parent_plan.delete_keys.contains(*parent_key)
                    })
                    .map(|(_, parent_key)| parent_key)
                    .collect();
                kept_parents.push((parent, parents));
            }
            for (parent, parent_keys) in kept_parents {
                let parent_plan = plans.get_mut(parent.name()).expect("planned");
                for parent_key in parent_keys {
                    if parent_plan.delete_keys.remove(parent_key) {
                        if parent_plan.scrub_masks.is_empty() {
                            parent_plan.kept += 1;
                        } else {
                            parent_plan.scrub_keys.insert(parent_key.clone());
                        }
                        *referenced.entry(parent.name().to_string()).or_default() += 1;
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
}

// ---------------------------------------------------------------------------------------
// Statements

/// The assignments of a mask for one chunk of rows, with their parameters; empty when no
/// column of these rows has anything left to mask.
fn mask_sets(
    pool: &SourcePool,
    table: &TablePlan,
    masks: &BTreeMap<String, Mask>,
    chunk: &[&Vec<Key>],
    values: &BTreeMap<Vec<Key>, BTreeMap<String, Key>>,
    key: &SubjectKey,
) -> Result<Vec<Sql>> {
    let mut sets = Vec::new();
    for (name, mask) in masks {
        let c = pool.quote(name);
        // Numbers cannot hold the redaction text: they are set to NULL.
        let numeric = column(&table.columns, name)?.is_numeric();
        match mask {
            Mask::Null => sets.push(Sql::new(format!("{c} = NULL"))),
            Mask::Redact if numeric => sets.push(Sql::new(format!("{c} = NULL"))),
            Mask::Redact => sets.push(Sql::new(format!("{c} = '{REDACTED}'"))),
            Mask::Hmac => {
                // Keyed pseudonyms of the distinct values of this chunk; a value that is
                // already a pseudonym made with this key stays (re-runs change nothing).
                let distinct: BTreeSet<String> = chunk
                    .iter()
                    .filter_map(|k| values.get(*k).and_then(|v| v.get(name)))
                    .filter_map(Key::as_text)
                    .filter(|v| !key.is_pseudonym(v))
                    .collect();
                if distinct.is_empty() {
                    continue;
                }
                sets.push(pseudonymise(&c, distinct, key));
            }
        }
    }
    Ok(sets)
}

/// `column = CASE column WHEN value THEN pseudonym ... ELSE column END` for these
/// values (`column` quoted): each value replaced by its keyed pseudonym, the rest kept.
pub(crate) fn pseudonymise(column: &str, values: BTreeSet<String>, key: &SubjectKey) -> Sql {
    let mut set = Sql::new(format!("{column} = CASE {column}"));
    for value in values {
        let pseudonym = key.pseudonym(&value);
        set.push(" WHEN ")
            .bind(value)
            .push(" THEN ")
            .bind(pseudonym);
    }
    set.push(&format!(" ELSE {column} END"));
    set
}

/// Renders the plan into the statements that run, in order: masks (so held rows let go
/// of the rows they reference), then NULLed references, then deletes, children before
/// parents; each a set-based statement over at most [`CHUNK`] rows.
pub(crate) fn render(
    pool: &SourcePool,
    plan: &mut SourcePlan,
    facts: &SourceFacts,
    key: &SubjectKey,
) -> Result<()> {
    let dialect = pool.dialect();
    let mut run = Vec::new();
    for table in &mut plan.tables {
        let values = facts
            .tables
            .get(&table.table)
            .map(|f| &f.values)
            .cloned()
            .unwrap_or_default();
        let keys: Vec<&ColumnInfo> = table.key_columns.iter().collect();
        let mut statements = Vec::new();
        for (masks, rows) in [
            (&table.masks, &table.mask_keys),
            (&table.scrub_masks, &table.scrub_keys),
        ] {
            let all: Vec<&Vec<Key>> = rows.iter().collect();
            for chunk in all.chunks(CHUNK) {
                let sets = mask_sets(pool, table, masks, chunk, &values, key)?;
                if sets.is_empty() {
                    continue;
                }
                let mut sql = Sql::new(format!("UPDATE {} SET ", pool.quote(&table.table)));
                sql.append(&Sql::join(&sets, ", "))
                    .push(" WHERE ")
                    .append(&dialect.in_list(&keys, chunk.iter().map(|k| k.as_slice())));
                statements.push(Statement {
                    table: table.table.clone(),
                    op: Op::Mask,
                    sql,
                });
            }
        }
        if let Some(reached) = &table.scrub_set {
            // Chosen by the relation that reaches them, as one set per chunk of parents.
            let sets = mask_sets(pool, table, &table.scrub_masks, &[], &values, key)?;
            for condition in reached.conditions(pool) {
                let mut sql = Sql::new(format!("UPDATE {} SET ", pool.quote(&table.table)));
                sql.append(&Sql::join(&sets, ", "))
                    .push(" WHERE ")
                    .append(&condition);
                statements.push(Statement {
                    table: table.table.clone(),
                    op: Op::Mask,
                    sql,
                });
            }
        }
        table
            .statements
            .extend(statements.iter().map(|s| pool.render(&s.sql)));
        run.extend(statements);
    }
    for unlink in &mut plan.unlinks {
        let columns: Vec<&ColumnInfo> = unlink.column_infos.iter().collect();
        let sets: Vec<String> = columns
            .iter()
            .map(|c| format!("{} = NULL", pool.quote(&c.name)))
            .collect();
        let all: Vec<&Vec<Key>> = unlink.targets.iter().collect();
        for chunk in all.chunks(CHUNK) {
            let mut sql = Sql::new(format!(
                "UPDATE {} SET {} WHERE ",
                pool.quote(&unlink.table),
                sets.join(", "),
            ));
            sql.append(&dialect.in_list(&columns, chunk.iter().map(|k| k.as_slice())));
            unlink.statements.push(pool.render(&sql));
            run.push(Statement {
                table: unlink.table.clone(),
                op: Op::Unlink,
                sql,
            });
        }
    }
    for table in &mut plan.tables {
        let keys: Vec<&ColumnInfo> = table.key_columns.iter().collect();
        let all: Vec<&Vec<Key>> = table.delete_keys.iter().collect();
        let mut conditions: Vec<Sql> = all
            .chunks(CHUNK)
            .map(|chunk| dialect.in_list(&keys, chunk.iter().map(|k| k.as_slice())))
            .collect();
        if let Some(reached) = &table.delete_set {
            conditions.extend(reached.conditions(pool));
        }
        for condition in conditions {
            let mut sql = Sql::new(format!("DELETE FROM {} WHERE ", pool.quote(&table.table)));
            sql.append(&condition);
            table.statements.push(pool.render(&sql));
            run.push(Statement {
                table: table.table.clone(),
                op: Op::Delete,
                sql,
            });
        }
    }
    plan.statements = run.iter().map(|s| pool.render(&s.sql)).collect();
    plan.run = run;
    Ok(())
}

/// Plans the erasure of the rows `found` in one source: facts, decisions, statements.
pub async fn plan(
    policy: &Policy,
    pool: &SourcePool,
    source: &SourceDef,
    found: &mut Found,
    key: &SubjectKey,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SourcePlan> {
    let facts = collect(pool, source, found, now).await?;
    let mut plan = decide(policy, source, &facts)?;
    render(pool, &mut plan, &facts, key)?;
    Ok(plan)
}

/// What executing a plan changed in one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Changed {
    pub deleted: u64,
    pub masked: u64,
    /// Rows of others whose reference was set to NULL.
    pub unlinked: u64,
}

/// Runs a source's rendered statements, exactly those, in one transaction.
pub async fn execute(pool: &SourcePool, plan: &SourcePlan) -> Result<BTreeMap<String, Changed>> {
    let mut tx: SourceTx = pool.begin().await?;
    let mut done: BTreeMap<String, Changed> = plan
        .tables
        .iter()
        .map(|t| (t.table.clone(), Changed::default()))
        .collect();
    for statement in &plan.run {
        let n = tx
            .execute(&statement.sql)
            .await
            .with_context(|| format!("source `{}`, table `{}`", plan.source, statement.table))?;
        let changed = done.entry(statement.table.clone()).or_default();
        match statement.op {
            Op::Mask => changed.masked += n,
            Op::Unlink => changed.unlinked += n,
            Op::Delete => changed.deleted += n,
        }
    }
    tx.commit().await?;
    Ok(done)
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

/// True for a row whose masked columns still hold something other than their masked
/// form (NULL, the redaction text, the anonymisation text); numbers are masked to NULL.
/// Retention's anonymisation writes fixed texts, so this condition can be SQL; erasure's
/// keyed pseudonyms are checked with the key instead (see [`unmasked_rows`]).
pub(crate) fn not_yet_masked<'a>(
    dialect: crate::sources::rows::Dialect,
    columns: &[ColumnInfo],
    masks: impl Iterator<Item = (&'a str, Mask)>,
) -> String {
    let conditions: Vec<String> = masks
        .map(|(name, mask)| {
            let c = dialect.quote(name);
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
pub(crate) const ANONYMISED: &str = "hmac:anonymised";

/// True when `value` is in the form `mask` leaves: NULL, the redaction text, or a
/// pseudonym made with `key` (checked, not guessed from the value's look).
pub(crate) fn is_masked(mask: Mask, numeric: bool, value: &Key, key: &SubjectKey) -> bool {
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
pub(crate) async fn unmasked_rows(
    pool: &SourcePool,
    table: &TablePlan,
    key: &SubjectKey,
) -> Result<u64> {
    let mut left = 0;
    for (masks, rows) in [
        (&table.masks, &table.mask_keys),
        (&table.scrub_masks, &table.scrub_keys),
    ] {
        left += unmasked_in(pool, table, masks, rows, key).await?;
    }
    if let Some(reached) = &table.scrub_set {
        // No keyed pseudonyms here (see `Reached`): the check is SQL.
        let masks = table.scrub_masks.iter().map(|(c, m)| (c.as_str(), *m));
        let unmasked = not_yet_masked(pool.dialect(), &table.columns, masks);
        left += reached.count(pool, Some(&unmasked)).await?.0;
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

#[cfg(test)]
mod tests {
    //! The decisions, from hand-made facts: no database.
    use super::*;

    /// Keys asked in ascending order, with gaps, repeats and keys past the end, against a
    /// search of the set for each.
    #[test]
    fn ascending_membership_agrees_with_the_set() {
        let key = |parts: &[&str]| -> Vec<Key> { parts.iter().map(|p| Key::from(*p)).collect() };
        let set: Rows = [&["a"][..], &["b", "1"], &["b", "2"], &["d"], &["f"]]
            .into_iter()
            .map(key)
            .collect();
        let asked: Vec<Vec<Key>> = [
            &[""][..],
            &["a"],
            &["a"],
            &["b"],
            &["b", "2"],
            &["c"],
            &["d"],
            &["e"],
            &["f"],
            &["g"],
        ]
        .into_iter()
        .map(key)
        .collect();
        let mut probe = Ascending::new(set.iter());
        let found: Vec<bool> = asked.iter().map(|k| probe.contains(k)).collect();
        let searched: Vec<bool> = asked.iter().map(|k| set.contains(k)).collect();
        assert_eq!(found, searched);
        assert_eq!(
            found,
            [
                false, true, true, false, true, false, true, false, true, false
            ]
        );
        assert!(!Ascending::new(Rows::new().iter()).contains(&key(&["a"])));
    }

    fn policy(tables: &str) -> (tempfile::TempDir, Policy) {
        let dir = tempfile::tempdir().unwrap();
        let policy = crate::policy::testing::sqlite_policy(dir.path(), tables);
        (dir, policy)
    }

    fn info(name: &str, kind: Kind) -> ColumnInfo {
        ColumnInfo {
            name: name.into(),
            kind,
            db_type: if kind == Kind::Int { "integer" } else { "text" }.into(),
            collation: None,
        }
    }

    fn k(id: i64) -> Vec<Key> {
        vec![Key::Int(id)]
    }

    fn rows(ids: &[i64]) -> Rows {
        ids.iter().map(|i| k(*i)).collect()
    }

    /// Facts for a table keyed by `id`, with the text columns named.
    fn table(texts: &[&str], ints: &[&str], found: &[i64]) -> TableFacts {
        let mut columns = vec![info("id", Kind::Int)];
        columns.extend(texts.iter().map(|c| info(c, Kind::Text)));
        columns.extend(ints.iter().map(|c| info(c, Kind::Int)));
        TableFacts {
            key_columns: vec![info("id", Kind::Int)],
            columns,
            rows: rows(found),
            ..TableFacts::default()
        }
    }

    fn links(pairs: &[(i64, i64)]) -> BTreeMap<Vec<Key>, Vec<Key>> {
        pairs.iter().map(|(c, p)| (k(*c), k(*p))).collect()
    }

    fn facts(tables: Vec<(&str, TableFacts)>) -> SourceFacts {
        SourceFacts {
            source: "app".into(),
            tables: tables
                .into_iter()
                .map(|(n, t)| (n.to_string(), t))
                .collect(),
        }
    }

    fn plan_of<'a>(plan: &'a SourcePlan, table: &str) -> &'a TablePlan {
        plan.tables.iter().find(|t| t.table == table).unwrap()
    }

    const CUSTOMERS_AND_INVOICES: &str = r#"
[[table]]
name = "customers"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
name = "user.name"

[[table]]
name = "invoices"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
customer_id = "system.operations"
billing_name = { category = "user.name", mask = "hmac" }
issued_at = "system.operations"
[[table.relation]]
columns = ["customer_id"]
references = "customers"
[[table.hold]]
reason = "Tax law"
article = "17(3)(b)"
duration = "7y"
from = "issued_at"

[[table]]
name = "lines"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
invoice_id = "system.operations"
[[table.relation]]
columns = ["invoice_id"]
references = "invoices"
"#;

    #[test]
    fn held_rows_keep_their_children_and_their_parent_masked() {
        let (_dir, policy) = policy(CUSTOMERS_AND_INVOICES);
        let source = &policy.sources[0];
        let mut invoices = table(&["billing_name", "issued_at"], &["customer_id"], &[10, 11]);
        invoices.held_by = vec![rows(&[10])];
        invoices.parents.insert(0, links(&[(10, 1), (11, 1)]));
        let mut lines = table(&[], &["invoice_id"], &[100, 101, 110]);
        lines
            .parents
            .insert(0, links(&[(100, 10), (101, 10), (110, 11)]));
        let facts = facts(vec![
            ("customers", table(&["email", "name"], &[], &[1])),
            ("invoices", invoices),
            ("lines", lines),
        ]);
        let plan = decide(&policy, source, &facts).unwrap();
        let invoices = plan_of(&plan, "invoices");
        assert_eq!(invoices.held[0].keys, rows(&[10]));
        assert_eq!(
            invoices.mask_keys,
            rows(&[10]),
            "pseudonymised under the hold"
        );
        assert_eq!(invoices.delete_keys, rows(&[11]));
        let lines = plan_of(&plan, "lines");
        assert_eq!(lines.delete_keys, rows(&[110]));
        assert_eq!(
            lines.held[0].keys,
            rows(&[100, 101]),
            "held with their invoice"
        );
        // The customer stays for the held invoice, with every personal value masked
        // although the table declares no mask.
        let customers = plan_of(&plan, "customers");
        assert!(customers.delete_keys.is_empty());
        assert_eq!(customers.scrub_keys, rows(&[1]));
        assert_eq!(customers.scrub_masks["email"], Mask::Hmac);
        assert_eq!(customers.scrub_masks["name"], Mask::Redact);
        // Children go before parents.
        let order: Vec<&str> = plan.tables.iter().map(|t| t.table.as_str()).collect();
        let at = |t: &str| order.iter().position(|o| *o == t).unwrap();
        assert!(at("lines") < at("invoices") && at("invoices") < at("customers"));
    }

    #[test]
    fn rows_of_others_are_shared_and_keep_their_parent() {
        let (_dir, policy) = policy(CUSTOMERS_AND_INVOICES);
        let source = &policy.sources[0];
        let mut invoices = table(&["billing_name", "issued_at"], &["customer_id"], &[11]);
        invoices.held_by = vec![Rows::new()];
        // Invoice 12 was reached through the customer but names someone else; invoice 11
        // points at a customer row that is not the subject's.
        invoices.names_someone_else = rows(&[12]);
        invoices.foreign_parent = rows(&[11]);
        invoices.parents.insert(0, links(&[(11, 2), (12, 1)]));
        let facts = facts(vec![
            ("customers", table(&["email", "name"], &[], &[1])),
            ("invoices", invoices),
        ]);
        let plan = decide(&policy, source, &facts).unwrap();
        let invoices = plan_of(&plan, "invoices");
        assert_eq!(invoices.shared, 2);
        assert!(invoices.delete_keys.is_empty() && invoices.mask_keys.is_empty());
        // Invoice 12 still points at the subject's customer row: it stays, masked.
        assert_eq!(plan_of(&plan, "customers").scrub_keys, rows(&[1]));
    }

    #[test]
    fn a_table_that_would_keep_personal_data_whole_is_refused_with_its_location() {
        let (_dir, policy) = policy(
            r#"
[[table]]
name = "notes"
key = ["id"]
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
"#,
        );
        let facts = facts(vec![("notes", table(&["email"], &[], &[1]))]);
        let error = decide(&policy, &policy.sources[0], &facts)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`notes`") && error.contains("policy.toml:"),
            "{error}"
        );
        assert!(error.contains("no erase rule"), "{error}");
    }

    #[test]
    fn cycles_and_composite_keys_end() {
        let (_dir, policy) = policy(
            r#"
[[table]]
name = "people"
key = ["org", "id"]
erase = "delete"
[table.columns]
org = "system.operations"
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
manager_org = "system.operations"
manager_id = "system.operations"
[[table.relation]]
columns = ["manager_org", "manager_id"]
references = "people"
"#,
        );
        let key = |o: i64, i: i64| vec![Key::Int(o), Key::Int(i)];
        let mut people = table(&["email"], &["org", "manager_org", "manager_id"], &[]);
        people.key_columns = vec![info("org", Kind::Int), info("id", Kind::Int)];
        people.rows = [key(1, 1), key(1, 2)].into_iter().collect();
        // 1/1 and 1/2 manage each other; a third person's row (someone else) points at 1/1.
        people.names_someone_else = [key(2, 9)].into_iter().collect();
        people.parents.insert(
            0,
            [
                (key(1, 1), key(1, 2)),
                (key(1, 2), key(1, 1)),
                (key(2, 9), key(1, 1)),
            ]
            .into_iter()
            .collect(),
        );
        let alone = {
            let mut alone = people.clone();
            alone.names_someone_else.clear();
            alone.parents.get_mut(&0).unwrap().remove(&key(2, 9));
            facts(vec![("people", alone)])
        };
        let facts = facts(vec![("people", people)]);
        let plan = decide(&policy, &policy.sources[0], &facts).unwrap();
        let people = plan_of(&plan, "people");
        // 1/1 stays (masked) for the other person's row, and so does 1/2, its manager,
        // which 1/1 still points at.
        assert_eq!(
            people.scrub_keys,
            [key(1, 1), key(1, 2)].into_iter().collect()
        );
        assert!(people.delete_keys.is_empty());
        assert_eq!(people.shared, 1);
        // Alone, the cycle goes whole.
        let plan = decide(&policy, &policy.sources[0], &alone).unwrap();
        let people = plan_of(&plan, "people");
        assert_eq!(
            people.delete_keys,
            [key(1, 1), key(1, 2)].into_iter().collect()
        );
    }

    const EMPLOYEES: &str = r#"
[[table]]
name = "employees"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
"#;

    #[test]
    fn references_keep_or_unlink_what_others_point_at() {
        let (_dir, policy) = policy(EMPLOYEES);
        let pointer = |on_erase, counts: &[(i64, u64)]| PointedAt {
            table: "customers".into(),
            columns: vec![info("rep_id", Kind::Int)],
            link: Link::Reference(on_erase),
            counts: counts.iter().map(|(r, n)| (k(*r), *n)).collect(),
            targets: counts.iter().map(|(r, _)| (k(*r), k(*r))).collect(),
        };
        let mut employees = table(&["email"], &[], &[1, 2, 3]);
        employees.pointed_at = vec![
            pointer(OnErase::Null, &[(1, 4), (2, 1)]),
            pointer(OnErase::Keep, &[(2, 1)]),
        ];
        let facts = facts(vec![("employees", employees)]);
        let plan = decide(&policy, &policy.sources[0], &facts).unwrap();
        let employees = plan_of(&plan, "employees");
        // 2 is kept (and masked) for a reference that keeps; 1 goes and its four
        // references are NULLed; 3 nobody points at.
        assert_eq!(employees.scrub_keys, rows(&[2]));
        assert_eq!(employees.delete_keys, rows(&[1, 3]));
        assert_eq!(plan.unlinks.len(), 1);
        assert_eq!(plan.unlinks[0].targets, rows(&[1]));
        assert_eq!(plan.unlinks[0].rows, 4);
    }

    #[test]
    fn a_foreign_key_that_would_stop_the_delete_keeps_the_row() {
        let (_dir, policy) = policy(EMPLOYEES);
        let mut employees = table(&["email"], &[], &[1, 2]);
        employees.pointed_at = vec![
            PointedAt {
                table: "audit".into(),
                columns: vec![info("employee_id", Kind::Int)],
                link: Link::ForeignKey(OnDelete::Restrict),
                counts: [(k(1), 2)].into_iter().collect(),
                targets: [(k(1), k(1))].into_iter().collect(),
            },
            PointedAt {
                table: "badges".into(),
                columns: vec![info("employee_id", Kind::Int)],
                link: Link::ForeignKey(OnDelete::Cascade),
                counts: [(k(2), 3)].into_iter().collect(),
                targets: [(k(2), k(2))].into_iter().collect(),
            },
        ];
        let facts = facts(vec![("employees", employees)]);
        let plan = decide(&policy, &policy.sources[0], &facts).unwrap();
        let employees = plan_of(&plan, "employees");
        assert_eq!(employees.scrub_keys, rows(&[1]));
        assert_eq!(employees.delete_keys, rows(&[2]));
        assert!(
            employees
                .notes
                .iter()
                .any(|n| n.contains("ON DELETE CASCADE changes 3 row(s) of `badges`")),
            "{:?}",
            employees.notes
        );
    }
}
