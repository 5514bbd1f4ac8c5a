//! The subject graph: from identity columns, following the declared relations to any
//! depth, every row of a source that belongs to the subjects. Each hop is one
//! set-based query per chunk of keys; cycles end because only new rows go on.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

use anyhow::{Context, Result};

use crate::policy::{Engine, Policy, SourceDef, Table};
use crate::sources::SourcePool;
use crate::sources::foreign_keys::ForeignKey;
use crate::sources::rows::{ColumnInfo, Key, Kind};
use crate::sql::Sql;
use crate::subject::{IdentityRule, Subject, normalise};
use crate::template::Placeholder;

/// Tuples bound per query. PostgreSQL takes a chunk's integer and text keys as one array
/// however many there are, and plans the statement knowing their number; all of a
/// table's keys in one statement let it scan a table the subject owns a third of
/// (masking 100,000 of 300,000 rows: 0.43-0.54 s against 0.48-0.70 s by chunks), but
/// it also scanned a 10,000,000-row table for 100,000 of its rows, which a thousand keys
/// a statement find through the index (that delete alone took 0.37 s; erasing 10,000
/// subjects took 1.64 s against 1.34 s by chunks). A thousand stays the bound on every
/// engine; choosing by the table's size is left to do.
pub(crate) const CHUNK: usize = 1000;

/// A set of row keys, compact for the common single-integer key.
#[derive(Debug, Clone)]
pub enum KeySet {
    Ints(BTreeSet<i64>),
    Tuples(BTreeSet<Vec<Key>>),
}

impl KeySet {
    fn new(single_int: bool) -> KeySet {
        if single_int {
            KeySet::Ints(BTreeSet::new())
        } else {
            KeySet::Tuples(BTreeSet::new())
        }
    }

    /// Adds a key; false when it was already there.
    pub fn insert(&mut self, key: Vec<Key>) -> bool {
        match self {
            KeySet::Ints(set) => match key.as_slice() {
                [Key::Int(i)] => set.insert(*i),
                _ => {
                    let mut tuples: BTreeSet<Vec<Key>> =
                        set.iter().map(|i| vec![Key::Int(*i)]).collect();
                    let new = tuples.insert(key);
                    *self = KeySet::Tuples(tuples);
                    new
                }
            },
            KeySet::Tuples(set) => set.insert(key),
        }
    }

    pub fn contains(&self, key: &[Key]) -> bool {
        match (self, key) {
            (KeySet::Ints(set), [Key::Int(i)]) => set.contains(i),
            (KeySet::Ints(_), _) => false,
            (KeySet::Tuples(set), key) => set.contains(key),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            KeySet::Ints(set) => set.len(),
            KeySet::Tuples(set) => set.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keys in order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = Vec<Key>> + '_> {
        match self {
            KeySet::Ints(set) => Box::new(set.iter().map(|i| vec![Key::Int(*i)])),
            KeySet::Tuples(set) => Box::new(set.iter().cloned()),
        }
    }

    /// The keys as a set of tuples (a copy of the set's own, when it holds tuples: no key
    /// is compared again).
    pub fn to_rows(&self) -> BTreeSet<Vec<Key>> {
        match self {
            KeySet::Ints(set) => set.iter().map(|i| vec![Key::Int(*i)]).collect(),
            KeySet::Tuples(set) => set.clone(),
        }
    }

    /// Keys in order, in chunks ready to bind, made one at a time (memory stays flat).
    pub fn chunks(&self, size: usize) -> impl Iterator<Item = Vec<Vec<Key>>> + '_ {
        let mut keys = self.iter();
        std::iter::from_fn(move || {
            let chunk: Vec<Vec<Key>> = keys.by_ref().take(size).collect();
            (!chunk.is_empty()).then_some(chunk)
        })
    }
}

/// What was found in one table.
#[derive(Debug, Clone)]
pub struct FoundTable {
    pub name: String,
    pub key_columns: Vec<ColumnInfo>,
    pub keys: KeySet,
    /// Rows reached through a relation whose own identity columns name someone who is not
    /// among the subjects: they belong to that person too. They are not the subjects'
    /// rows (not in `keys`), their relations are not followed, and no value of theirs
    /// goes to a provider.
    pub shared: BTreeSet<Vec<Key>>,
    /// Distinct values of columns other tables or provider templates need.
    pub values: BTreeMap<String, BTreeSet<Key>>,
    /// Rows found through a relation of this table (its index in the table's relations):
    /// each row's key and its values of the relation's columns, as the lookup that found
    /// the row read them. Kept by [`traverse_linked`] only (erasure plans from them which
    /// row points at which); empty otherwise.
    pub through: BTreeMap<usize, BTreeMap<Vec<Key>, Vec<Key>>>,
    /// Set when the table's rows are reached as a set and counted, not read one by one
    /// (see [`Reached`]); `keys` is then empty.
    pub reached: Option<Reached>,
}

/// One relation on the way down to a table reached as a set: the table, its relation's
/// columns, and the parent's key columns they hold.
#[derive(Debug, Clone)]
pub struct Hop {
    pub table: String,
    pub columns: Vec<ColumnInfo>,
    pub targets: Vec<ColumnInfo>,
}

/// The rows of a table that an erasure treats all alike, so that it needs no row's key:
/// the table is reached by one relation only, onto its parent's key, from a parent whose
/// rows were read (or from another such table); no identity column, hold, reference or
/// undeclared foreign key of its own can make one of its rows someone else's, keep it,
/// or need its values. Where its rows are deleted, nothing can keep one: no reference or
/// undeclared foreign key points at them, no row above them is held, and every table
/// below is deleted as a set too. Its rows are counted, and its statements choose them
/// by the relation, as a database engineer would write them (`WHERE customer_id IN
/// (...)`). Only erasure plans reach tables this way ([`traverse_linked`]); an access
/// export reads every row.
#[derive(Debug, Clone)]
pub struct Reached {
    /// From the first table below one whose rows were read, down to this table.
    pub hops: Vec<Hop>,
    /// Keys of the first hop's parent rows that this table's rows hang from.
    pub anchors: BTreeSet<Vec<Key>>,
    /// The rows counted.
    pub rows: u64,
}

impl Reached {
    /// The rows of the last hop's table that hang from `anchors` (a chunk of them):
    /// `cols IN (anchors)` for the first hop, and below it `(cols) IN (SELECT key FROM
    /// parent WHERE ...)`, one subquery per hop.
    pub(crate) fn condition(&self, pool: &SourcePool, anchors: &[Vec<Key>]) -> Sql {
        let dialect = pool.dialect();
        let first = &self.hops[0];
        let columns: Vec<&ColumnInfo> = first.columns.iter().collect();
        let mut condition = dialect.in_list(&columns, anchors.iter().map(Vec::as_slice));
        for pair in self.hops.windows(2) {
            let (parent, hop) = (&pair[0], &pair[1]);
            let names = |columns: &[ColumnInfo]| {
                columns
                    .iter()
                    .map(|c| pool.quote(&c.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let own = if hop.columns.len() == 1 {
                names(&hop.columns)
            } else {
                format!("({})", names(&hop.columns))
            };
            let mut next = Sql::new(format!(
                "{own} IN (SELECT {} FROM {} WHERE ",
                names(&hop.targets),
                pool.quote(&parent.table)
            ));
            next.append(&condition).push(")");
            condition = next;
        }
        condition
    }

    /// [`Reached::condition`] for each chunk of [`CHUNK`] anchors: the statements that
    /// change or count these rows, one per chunk.
    pub(crate) fn conditions(&self, pool: &SourcePool) -> Vec<Sql> {
        let anchors: Vec<Vec<Key>> = self.anchors.iter().cloned().collect();
        anchors
            .chunks(CHUNK)
            .map(|chunk| self.condition(pool, chunk))
            .collect()
    }

    /// How many rows of the last hop's table hang from the anchors and also meet
    /// `also` (an SQL condition, when given), and in how many statements.
    pub(crate) async fn count(
        &self,
        pool: &SourcePool,
        also: Option<&str>,
    ) -> Result<(u64, usize)> {
        let table = &self.hops.last().expect("a hop").table;
        let conditions = self.conditions(pool);
        let mut rows = 0u64;
        for condition in &conditions {
            let mut sql = Sql::new(format!("SELECT COUNT(*) FROM {} WHERE ", pool.quote(table)));
            sql.append(condition);
            if let Some(also) = also {
                sql.push(&format!(" AND {also}"));
            }
            pool.for_each_row(&sql, &[Kind::Int], |row| {
                if let Some(Key::Int(n)) = row.into_iter().next().map(Key::from_json_owned) {
                    rows += n.max(0) as u64;
                }
                Ok(())
            })
            .await
            .with_context(|| format!("table `{table}`"))?;
        }
        Ok((rows, conditions.len()))
    }
}

impl FoundTable {
    /// The subjects' rows found: read, or counted as a set.
    pub fn rows(&self) -> usize {
        self.keys.len() + self.reached.as_ref().map_or(0, |r| r.rows as usize)
    }
}

/// Every row of one source that belongs to the subjects.
#[derive(Debug, Clone)]
pub struct Found {
    pub source: String,
    pub tables: BTreeMap<String, FoundTable>,
    /// Queries run, for plans and benchmarks.
    pub queries: usize,
    /// The foreign keys among the source's tables, where the walk read them to choose
    /// the tables it reaches as sets: the erasure plan's own check of what points at
    /// the subjects' rows takes them rather than reading them again.
    pub foreign_keys: Option<Vec<ForeignKey>>,
}

impl Found {
    pub fn rows(&self) -> usize {
        self.tables.values().map(FoundTable::rows).sum()
    }
}

/// `lower(col) IN (..)` (or as the engine ignores case) for lower-case `values`.
fn identity_in_list<'k>(
    pool: &SourcePool,
    column: &ColumnInfo,
    values: impl IntoIterator<Item = &'k Key>,
) -> Sql {
    let expr = pool.lookup_expr(column, true);
    if pool.engine() == Engine::Postgres && matches!(column.kind, Kind::Int | Kind::Text) {
        // One array, planned in the same time whatever the number of values; text when
        // the column is compared through lower(), else the column's own type.
        let values = values.into_iter().map(Key::as_text).collect();
        let dialect = pool.dialect();
        let type_name = if expr == pool.quote(&column.name) {
            dialect.type_name(column)
        } else {
            "text".to_string()
        };
        return dialect.any_of(&expr, vec![(values, type_name)]);
    }
    let mut sql = Sql::new(format!("{expr} IN ("));
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        pool.dialect().bind(&mut sql, column, value.clone());
    }
    sql.push(")");
    sql
}

/// Rows of `table` whose `columns` take one of `tuples`; `fold_case` for an e-mail
/// identity column compared ignoring case.
struct Lookup {
    table: String,
    columns: Vec<String>,
    fold_case: bool,
    /// The columns are alternatives (several identity columns of one kind, each compared
    /// with the one value of a tuple, `a IN (..) OR b IN (..)`), not a composite match.
    either: bool,
    /// The relation of `table` (its index) that `columns` are, when the lookup follows one.
    via: Option<usize>,
    tuples: Vec<Vec<Key>>,
}

fn column<'a>(columns: &'a [ColumnInfo], table: &str, name: &str) -> Result<&'a ColumnInfo> {
    columns
        .iter()
        .find(|c| c.name == name)
        .with_context(|| format!("column `{table}.{name}` is in the policy but not in the database (run `privops policy check --live`)"))
}

struct TablePlan<'a> {
    table: &'a Table,
    columns: Vec<ColumnInfo>,
    /// Key columns first, then the other needed columns.
    needed: Vec<String>,
    key_len: usize,
}

/// The identity values known to be the subjects': those given, and those in rows found
/// by an identity column (the subject's own rows), normalised by their kind's rule so
/// that differently written forms of one value compare equal.
struct KnownIdentities<'p> {
    policy: &'p Policy,
    values: BTreeMap<String, BTreeSet<String>>,
    /// The values added, per kind, as they were written: a row found by identity
    /// mostly repeats a value already known, which then needs no normalising again.
    written: BTreeMap<String, HashSet<String>>,
}

impl KnownIdentities<'_> {
    fn canonical(&self, kind: &str, value: &str) -> String {
        self.policy
            .identity_kind(kind)
            .and_then(|rule| {
                let region = rule.default_region.as_ref().map(|r| r.get_ref().as_str());
                normalise(rule.normalise, region, value).ok()
            })
            .unwrap_or_else(|| value.trim().to_lowercase())
    }

    fn add(&mut self, kind: &str, value: &Key) {
        let Some(text) = as_written(value) else {
            return;
        };
        if self.is_written(kind, &text) {
            return;
        }
        let canonical = self.canonical(kind, &text);
        self.values
            .entry(kind.to_string())
            .or_default()
            .insert(canonical);
        self.written
            .entry(kind.to_string())
            .or_default()
            .insert(text.into_owned());
    }

    fn is_written(&self, kind: &str, text: &str) -> bool {
        self.written
            .get(kind)
            .is_some_and(|written| written.contains(text))
    }

    /// True when `value` names a person other than the subjects.
    fn names_someone_else(&self, kind: &str, value: &Key) -> bool {
        match as_written(value) {
            None => false,
            Some(text) if text.trim().is_empty() => false,
            Some(text) if self.is_written(kind, &text) => false,
            Some(text) => !self
                .values
                .get(kind)
                .is_some_and(|known| known.contains(&self.canonical(kind, &text))),
        }
    }
}

/// A value as it is written in its column, borrowed where it is text.
fn as_written(value: &Key) -> Option<std::borrow::Cow<'_, str>> {
    match value {
        Key::Null => None,
        Key::Int(i) => Some(std::borrow::Cow::Owned(i.to_string())),
        Key::Text(s) => Some(std::borrow::Cow::Borrowed(s)),
    }
}

/// Finds the subjects' rows in one source.
pub async fn traverse(
    policy: &Policy,
    pool: &SourcePool,
    source: &SourceDef,
    subjects: &[Subject],
    placeholders: &[Placeholder],
) -> Result<Found> {
    walk(policy, pool, source, subjects, placeholders, false).await
}

/// [`traverse`], also keeping for each row found through a relation the values of the
/// relation's columns ([`FoundTable::through`]): what an erasure plan would otherwise
/// read again, row by row, to know which row each one points at.
pub async fn traverse_linked(
    policy: &Policy,
    pool: &SourcePool,
    source: &SourceDef,
    subjects: &[Subject],
    placeholders: &[Placeholder],
) -> Result<Found> {
    walk(policy, pool, source, subjects, placeholders, true).await
}

async fn walk(
    policy: &Policy,
    pool: &SourcePool,
    source: &SourceDef,
    subjects: &[Subject],
    placeholders: &[Placeholder],
    links: bool,
) -> Result<Found> {
    let mut plans: BTreeMap<&str, TablePlan> = BTreeMap::new();
    for table_def in &source.tables {
        let table = &table_def.table;
        if table.aggregate {
            continue;
        }
        let columns = pool
            .table_columns(table.name())
            .await
            .with_context(|| format!("source `{}`", source.id()))?;
        let mut needed: Vec<String> = table.key_columns().iter().map(|s| s.to_string()).collect();
        let key_len = needed.len();
        let mut add = |name: &str| {
            if !needed.iter().any(|n| n == name) {
                needed.push(name.to_string());
            }
        };
        for other in &source.tables {
            for relation in &other.table.relation {
                let relation = relation.get_ref();
                if relation.references.get_ref() == table.name() {
                    for target in Table::relation_targets(relation, table) {
                        add(target);
                    }
                }
            }
        }
        for (identity, _) in table.identity_columns() {
            add(identity);
        }
        for placeholder in placeholders {
            if let Placeholder::Column {
                source: s,
                table: t,
                column,
            } = placeholder
            {
                if s == source.id() && t == table.name() {
                    add(column);
                }
            }
        }
        for name in &needed {
            column(&columns, table.name(), name)?;
        }
        plans.insert(
            table.name(),
            TablePlan {
                table,
                columns,
                needed,
                key_len,
            },
        );
    }

    let mut found = Found {
        source: source.id().to_string(),
        tables: BTreeMap::new(),
        queries: 0,
        foreign_keys: None,
    };
    for (name, plan) in &plans {
        let key_columns: Vec<ColumnInfo> = plan.needed[..plan.key_len]
            .iter()
            .map(|n| column(&plan.columns, name, n).cloned())
            .collect::<Result<_>>()?;
        // A single-column key that reads as integers (SQLite's columns are dynamic) is
        // held as plain integers until a value that is not one arrives.
        let single_int = key_columns.len() == 1
            && matches!(
                key_columns[0].kind,
                crate::sources::rows::Kind::Int | crate::sources::rows::Kind::Dynamic
            );
        found.tables.insert(
            name.to_string(),
            FoundTable {
                name: name.to_string(),
                key_columns,
                keys: KeySet::new(single_int),
                shared: BTreeSet::new(),
                values: BTreeMap::new(),
                through: BTreeMap::new(),
                reached: None,
            },
        );
    }

    // Work items: rows of `table` whose `columns` take one of `tuples`. An identity column
    // is compared with the forms its kind's values are commonly stored in, as they are
    // (`col IN (...)`, which an index on the column serves); e-mail addresses ignoring case
    // (see [`SourcePool::lookup_expr`]).
    // The identity items all come first, so every row found by identity has been seen
    // (and its identities are known) before any row reached through a relation is judged.
    let mut known = KnownIdentities {
        policy,
        values: BTreeMap::new(),
        written: BTreeMap::new(),
    };
    for subject in subjects {
        known.add(&subject.kind, &Key::Text(subject.value.clone()));
    }
    // A table's identity columns of one kind are looked up together, in one statement
    // (one scan of a table that no index serves, however many such columns it has).
    let mut work: VecDeque<Lookup> = VecDeque::new();
    for (name, plan) in &plans {
        let mut by_kind: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (column_name, kind) in plan.table.identity_columns() {
            by_kind
                .entry(kind)
                .or_default()
                .push(column_name.to_string());
        }
        for (kind, columns) in by_kind {
            let Some(rule) = source.identities.get(kind).map(IdentityRule::of) else {
                continue;
            };
            let values: BTreeSet<Key> = subjects
                .iter()
                .filter(|s| s.kind == kind)
                .flat_map(|s| rule.forms(&s.value))
                .map(Key::Text)
                .collect();
            if !values.is_empty() {
                work.push_back(Lookup {
                    table: name.to_string(),
                    either: columns.len() > 1,
                    via: None,
                    columns,
                    fold_case: rule.folds_case(),
                    tuples: values.into_iter().map(|v| vec![v]).collect(),
                });
            }
        }
    }

    let by_set = if links {
        let (by_set, foreign_keys) = reached_as_sets(pool, source, &plans, placeholders)
            .await
            .with_context(|| format!("source `{}`", source.id()))?;
        found.foreign_keys = foreign_keys;
        by_set
    } else {
        BTreeMap::new()
    };
    while let Some(lookup) = work.pop_front() {
        if let Some(hop) = by_set.get(lookup.table.as_str()) {
            count_as_set(pool, &plans, &by_set, hop, lookup, &mut found)
                .await
                .with_context(|| format!("source `{}`", source.id()))?;
            continue;
        }
        let (mut reading, tuples, kinds) = Reading::new(lookup, &plans, pool, links)?;
        let table = reading.table.clone();
        for chunk in tuples.chunks(CHUNK) {
            let sql = &reading.statement(pool, chunk);
            let table_found = found
                .tables
                .get_mut(&table)
                .expect("every planned table is in found");
            pool.for_each_row(sql, &kinds, |row| {
                let row = row.into_iter().map(Key::from_json_owned).collect();
                reading.take(row, &mut known, table_found);
                Ok(())
            })
            .await
            .with_context(|| format!("source `{}`, table `{table}`", source.id()))?;
            found.queries += 1;
        }
        reading.finish(&plans, &mut found, &mut work);
    }
    Ok(found)
}

/// The tables an erasure reaches as sets ([`Reached`]), each with the hop of its one
/// relation, and the source's foreign keys where they had to be read to decide. A table
/// qualifies when its own rules cannot set one row apart from another and every table
/// below it qualifies too (their rows are then counted through it).
async fn reached_as_sets(
    pool: &SourcePool,
    source: &SourceDef,
    plans: &BTreeMap<&str, TablePlan<'_>>,
    placeholders: &[Placeholder],
) -> Result<(BTreeMap<String, Hop>, Option<Vec<ForeignKey>>)> {
    let mut hops: BTreeMap<String, Hop> = BTreeMap::new();
    for (name, plan) in plans {
        let table = plan.table;
        let [relation] = table.relation.as_slice() else {
            continue;
        };
        let relation = relation.get_ref();
        let Some(parent) = plans.get(relation.references.get_ref().as_str()) else {
            continue;
        };
        let targets = Table::relation_targets(relation, parent.table);
        let own: Vec<&str> = relation
            .columns
            .iter()
            .map(|c| c.get_ref().as_str())
            .collect();
        let erase = table.erase.as_ref().map(|e| *e.get_ref());
        // A column the database lacks is reported where the table's rows are read.
        let Ok(masks) = crate::plan::erase::scrub_masks(table, &plan.columns) else {
            continue;
        };
        let template_needs = placeholders.iter().any(|p| {
            matches!(p, Placeholder::Column { source: s, table: t, .. }
                if s == source.id() && t == table.name())
        });
        let keys = table.key_columns();
        // Deleted rows: no row of another table may point at them, nor any row above
        // them be held (a held row holds the rows below it).
        let deletable = erase != Some(crate::policy::EraseAction::Delete)
            || (!source.tables.iter().any(|other| {
                other
                    .table
                    .reference
                    .iter()
                    .any(|r| r.get_ref().references.get_ref() == table.name())
            }) && !held_above(source, table));
        let qualifies = parent.table.name() != table.name()
            && targets == parent.table.key_columns()
            && table.identity_columns().next().is_none()
            && table.hold.is_empty()
            && table.reference.is_empty()
            && deletable
            && !template_needs
            // The statements choose rows by these columns: masks leave them as they are.
            && !masks
                .keys()
                .any(|m| own.contains(&m.as_str()) || keys.contains(&m.as_str()))
            && !masks.values().any(|m| *m == crate::policy::Mask::Hmac);
        if !qualifies {
            continue;
        }
        // A column the database lacks is reported where the table's rows are read.
        let infos = |plan: &TablePlan, names: &[&str]| -> Option<Vec<ColumnInfo>> {
            names
                .iter()
                .map(|n| plan.columns.iter().find(|c| c.name == *n).cloned())
                .collect()
        };
        let (Some(columns), Some(targets)) = (infos(plan, &own), infos(parent, &targets)) else {
            continue;
        };
        hops.insert(
            name.to_string(),
            Hop {
                table: name.to_string(),
                columns,
                targets,
            },
        );
    }
    // Below the first level, rows are chosen by comparing columns with their parent's
    // (`IN (SELECT ...)`), not with values bound as the column's type: a relation between
    // columns of another type or collation, which a foreign key would not allow, is read
    // row by row (and so, below, is its parent).
    let unlike: Vec<String> = hops
        .values()
        .filter(|hop| {
            let parent = plans[hop.table.as_str()].table.relation[0].get_ref();
            hops.contains_key(parent.references.get_ref().as_str())
                && hop.columns.iter().zip(&hop.targets).any(|(own, target)| {
                    own.db_type != target.db_type || own.collation != target.collation
                })
        })
        .map(|hop| hop.table.clone())
        .collect();
    for name in unlike {
        hops.remove(&name);
    }
    if hops.is_empty() {
        return Ok((hops, None));
    }
    // A foreign key of the table's own, other than its relation, links its rows to
    // others' rows: erasure reads those rows one by one. So does one that points at rows
    // to be deleted (the schema may keep them, or change the rows pointing at them).
    // Every table of the source, aggregates included: a foreign key from one of them
    // keeps the rows it points at, as the key-by-key plan reads it.
    let tables: Vec<&str> = source.tables.iter().map(|t| t.table.name()).collect();
    let deleted = |name: &str| {
        plans.get(name).is_some_and(|p| {
            p.table.erase.as_ref().map(|e| *e.get_ref()) == Some(crate::policy::EraseAction::Delete)
        })
    };
    let foreign_keys = pool.foreign_keys_among(&tables).await?;
    for key in &foreign_keys {
        if key.declared_as(source) != Some(crate::sources::foreign_keys::Declared::Relation) {
            hops.remove(&key.table);
            if deleted(&key.referenced_table) {
                hops.remove(&key.referenced_table);
            }
        }
    }
    // A table below stays read row by row: so does its parent, whose keys it is found by.
    // Rows that stay below a deleted row keep it (masked): a table deleted as a set has
    // only tables deleted as sets below it.
    loop {
        let read: Vec<String> = hops
            .keys()
            .filter(|name| {
                plans.values().any(|child| {
                    (!hops.contains_key(child.table.name())
                        || deleted(name) && !deleted(child.table.name()))
                        && child
                            .table
                            .relation
                            .iter()
                            .any(|r| r.get_ref().references.get_ref() == *name)
                })
            })
            .cloned()
            .collect();
        if read.is_empty() {
            return Ok((hops, Some(foreign_keys)));
        }
        for name in read {
            hops.remove(&name);
        }
    }
}

/// Whether a table above `table` (through relations, at any depth) has a hold: its held
/// rows hold the rows below them.
fn held_above(source: &SourceDef, table: &Table) -> bool {
    let mut seen = BTreeSet::new();
    let mut above: Vec<&str> = table
        .relation
        .iter()
        .map(|r| r.get_ref().references.get_ref().as_str())
        .collect();
    while let Some(name) = above.pop() {
        if !seen.insert(name) {
            continue;
        }
        let Some(parent) = source.table(name) else {
            continue;
        };
        if !parent.hold.is_empty() {
            return true;
        }
        above.extend(
            parent
                .relation
                .iter()
                .map(|r| r.get_ref().references.get_ref().as_str()),
        );
    }
    false
}

/// Counts the rows of a table reached as a set from the parent rows of `lookup`, and of
/// every table below it, one statement per chunk of parent keys and table.
async fn count_as_set(
    pool: &SourcePool,
    plans: &BTreeMap<&str, TablePlan<'_>>,
    by_set: &BTreeMap<String, Hop>,
    hop: &Hop,
    lookup: Lookup,
    found: &mut Found,
) -> Result<()> {
    // The parent keys that rows hang from, and how many rows each.
    let columns: Vec<&ColumnInfo> = hop.columns.iter().collect();
    let names: Vec<String> = columns.iter().map(|c| pool.quote(&c.name)).collect();
    let mut kinds: Vec<Kind> = columns.iter().map(|c| c.kind).collect();
    kinds.push(Kind::Int);
    let mut anchors = BTreeSet::new();
    let mut rows = 0u64;
    for chunk in lookup.tuples.chunks(CHUNK) {
        let select: Vec<String> = columns.iter().map(|c| pool.select_expr(c)).collect();
        let mut sql = Sql::new(format!(
            "SELECT {}, COUNT(*) FROM {} WHERE ",
            select.join(", "),
            pool.quote(&hop.table)
        ));
        sql.append(
            &pool
                .dialect()
                .in_list(&columns, chunk.iter().map(Vec::as_slice)),
        )
        .push(&format!(" GROUP BY {}", names.join(", ")));
        pool.for_each_row(&sql, &kinds, |row| {
            let mut row: Vec<Key> = row.into_iter().map(Key::from_json_owned).collect();
            if let Some(Key::Int(n)) = row.pop() {
                rows += n.max(0) as u64;
            }
            anchors.insert(row);
            Ok(())
        })
        .await
        .with_context(|| format!("table `{}`", hop.table))?;
        found.queries += 1;
    }
    let mut counted = vec![Reached {
        hops: vec![hop.clone()],
        anchors,
        rows,
    }];
    // The tables below, each through the hops above it.
    let mut at = 0;
    while at < counted.len() {
        let above = counted[at].hops.clone();
        let parent = &above.last().expect("a hop").table;
        for (name, child_hop) in by_set {
            let child = &plans[name.as_str()];
            if child.table.relation[0].get_ref().references.get_ref() != parent {
                continue;
            }
            let mut reached = Reached {
                hops: above.clone(),
                anchors: counted[0].anchors.clone(),
                rows: 0,
            };
            reached.hops.push(child_hop.clone());
            let (rows, statements) = reached.count(pool, None).await?;
            reached.rows = rows;
            found.queries += statements;
            counted.push(reached);
        }
        at += 1;
    }
    for reached in counted {
        let name = reached.hops.last().expect("a hop").table.clone();
        let table_found = found
            .tables
            .get_mut(&name)
            .expect("every planned table is in found");
        match &mut table_found.reached {
            Some(known) => {
                known.rows += reached.rows;
                known.anchors.extend(reached.anchors);
            }
            None => table_found.reached = Some(reached),
        }
    }
    Ok(())
}

/// One lookup being read: what its rows are taken into.
struct Reading {
    table: String,
    key_len: usize,
    /// (position in the table's needed columns, identity kind) of its identity columns.
    identities: Vec<(usize, String)>,
    /// Rows found by an identity column: their identities are the subjects'.
    by_identity: bool,
    /// The relation whose values each row's key is kept with ([`FoundTable::through`]).
    link: Option<usize>,
    linked_from: usize,
    /// Whether new rows are kept, for relations or templates that need their values.
    follow: bool,
    new_rows: Vec<Vec<Key>>,
    shared_rows: Vec<Vec<Key>>,
    /// The columns read, as the statement selects them.
    select: String,
    /// The columns the lookup's tuples are matched against.
    matched: Vec<ColumnInfo>,
    fold_case: bool,
    either: bool,
}

impl Reading {
    /// The reading of `lookup`, with its tuples (read [`CHUNK`] at a time) and how its
    /// statements' columns are read.
    fn new(
        lookup: Lookup,
        plans: &BTreeMap<&str, TablePlan>,
        pool: &SourcePool,
        links: bool,
    ) -> Result<(Reading, Vec<Vec<Key>>, Vec<Kind>)> {
        let Lookup {
            table: table_name,
            columns: match_columns,
            fold_case,
            either,
            via,
            tuples,
        } = lookup;
        let plan = &plans[table_name.as_str()];
        let match_infos: Vec<&ColumnInfo> = match_columns
            .iter()
            .map(|c| column(&plan.columns, &table_name, c))
            .collect::<Result<_>>()?;
        let needed_infos: Vec<&ColumnInfo> = plan
            .needed
            .iter()
            .map(|c| column(&plan.columns, &table_name, c))
            .collect::<Result<_>>()?;
        let mut select: Vec<String> = needed_infos.iter().map(|c| pool.select_expr(c)).collect();
        let mut kinds: Vec<_> = needed_infos.iter().map(|c| c.kind).collect();
        // A relation's columns are read too where their values are kept (after `needed`).
        let link = via.filter(|_| links);
        if link.is_some() {
            select.extend(match_infos.iter().map(|c| pool.select_expr(c)));
            kinds.extend(match_infos.iter().map(|c| c.kind));
        }
        let linked_from = plan.needed.len();
        // Rows are kept only where relations or templates need their values; a leaf
        // table's rows are just counted (its keys are in `found`).
        let follow = plan.needed.len() > plan.key_len
            || plans.values().any(|p| {
                p.table
                    .relation
                    .iter()
                    .any(|r| r.get_ref().references.get_ref() == &table_name)
            });
        let identities: Vec<(usize, String)> = plan
            .table
            .identity_columns()
            .map(|(c, kind)| {
                let at = plan
                    .needed
                    .iter()
                    .position(|n| n == c)
                    .expect("identities are needed");
                (at, kind.to_string())
            })
            .collect();
        let by_identity = either
            || match_columns.len() == 1
                && identities
                    .iter()
                    .any(|(at, _)| plan.needed[*at] == match_columns[0]);
        let reading = Reading {
            table: table_name,
            key_len: plan.key_len,
            identities,
            by_identity,
            link,
            linked_from,
            follow,
            new_rows: Vec::new(),
            shared_rows: Vec::new(),
            select: select.join(", "),
            matched: match_infos.into_iter().cloned().collect(),
            fold_case,
            either,
        };
        Ok((reading, tuples, kinds))
    }

    /// The statement reading the rows of one chunk of the lookup's tuples, built just
    /// before it runs: a lookup of many keys holds one chunk's bound copy at a time.
    fn statement(&self, pool: &SourcePool, chunk: &[Vec<Key>]) -> Sql {
        let one_of = |info: &ColumnInfo| {
            if self.fold_case {
                identity_in_list(pool, info, chunk.iter().flatten())
            } else {
                pool.dialect()
                    .in_list(&[info], chunk.iter().map(Vec::as_slice))
            }
        };
        let matched: Vec<&ColumnInfo> = self.matched.iter().collect();
        let condition = if self.either {
            let each: Vec<Sql> = matched.iter().map(|info| one_of(info)).collect();
            let mut condition = Sql::new("(");
            condition.append(&Sql::join(&each, " OR ")).push(")");
            condition
        } else if self.fold_case {
            one_of(matched[0])
        } else {
            pool.dialect()
                .in_list(&matched, chunk.iter().map(Vec::as_slice))
        };
        let mut sql = Sql::new(format!(
            "SELECT {} FROM {} WHERE ",
            self.select,
            pool.quote(&self.table),
        ));
        sql.append(&condition);
        sql
    }

    /// Takes one row the lookup read.
    fn take(
        &mut self,
        mut row: Vec<Key>,
        known: &mut KnownIdentities<'_>,
        table_found: &mut FoundTable,
    ) {
        if self.by_identity {
            for (at, kind) in &self.identities {
                known.add(kind, &row[*at]);
            }
        } else if self
            .identities
            .iter()
            .any(|(at, kind)| known.names_someone_else(kind, &row[*at]))
        {
            row.truncate(self.key_len);
            self.shared_rows.push(row);
            return;
        }
        // The relation's values read after the needed columns; the rest of the row is
        // kept only where it is followed.
        let linked = self
            .link
            .map(|index| (index, row.split_off(self.linked_from)));
        let key = if self.follow {
            row[..self.key_len].to_vec()
        } else {
            row.truncate(self.key_len);
            std::mem::take(&mut row)
        };
        if let Some((index, values)) = linked {
            table_found
                .through
                .entry(index)
                .or_default()
                .entry(key.clone())
                .or_insert(values);
        }
        if table_found.keys.insert(key) && self.follow {
            self.new_rows.push(row);
        }
    }

    /// After the lookup's last row: rows of others kept apart, the values other tables
    /// need remembered, and the relations that point at the new rows followed.
    fn finish(
        &mut self,
        plans: &BTreeMap<&str, TablePlan>,
        found: &mut Found,
        work: &mut VecDeque<Lookup>,
    ) {
        let table_name = self.table.as_str();
        let plan = &plans[table_name];
        let table_found = found.tables.get_mut(table_name).expect("planned");
        for key in std::mem::take(&mut self.shared_rows) {
            if !table_found.keys.contains(&key) {
                table_found.shared.insert(key);
            }
        }
        let new_rows = std::mem::take(&mut self.new_rows);
        if new_rows.is_empty() {
            return;
        }
        for (index, name) in plan.needed.iter().enumerate().skip(plan.key_len) {
            let set = table_found.values.entry(name.clone()).or_default();
            for row in &new_rows {
                if row[index] != Key::Null {
                    set.insert(row[index].clone());
                }
            }
        }
        for (child_name, child_plan) in plans.iter() {
            for (index, relation) in child_plan.table.relation.iter().enumerate() {
                let relation = relation.get_ref();
                if relation.references.get_ref() != table_name {
                    continue;
                }
                let targets = Table::relation_targets(relation, plan.table);
                let positions: Vec<usize> = targets
                    .iter()
                    .map(|t| {
                        plan.needed
                            .iter()
                            .position(|n| n == t)
                            .expect("targets are needed")
                    })
                    .collect();
                let tuples: BTreeSet<Vec<Key>> = new_rows
                    .iter()
                    .map(|row| {
                        positions
                            .iter()
                            .map(|p| row[*p].clone())
                            .collect::<Vec<Key>>()
                    })
                    .filter(|tuple| tuple.iter().all(|k| *k != Key::Null))
                    .collect();
                if !tuples.is_empty() {
                    let columns = relation
                        .columns
                        .iter()
                        .map(|c| c.get_ref().clone())
                        .collect();
                    work.push_back(Lookup {
                        table: child_name.to_string(),
                        columns,
                        fold_case: false,
                        either: false,
                        via: Some(index),
                        tuples: tuples.into_iter().collect(),
                    });
                }
            }
        }
    }
}

/// The values a provider placeholder takes for these subjects: their identities of that
/// kind, or the distinct values found in their rows of `SOURCE.TABLE.COLUMN` (`found`
/// gives each source's rows by source id).
pub(crate) fn placeholder_values<'f>(
    placeholder: &crate::template::Placeholder,
    subjects: &[crate::subject::Subject],
    found: impl Iterator<Item = (&'f str, &'f Found)>,
) -> Vec<String> {
    use crate::template::Placeholder;
    match placeholder {
        Placeholder::Identity(kind) => subjects
            .iter()
            .filter(|s| &s.kind == kind)
            .map(|s| s.value.clone())
            .collect(),
        Placeholder::Column {
            source,
            table,
            column,
        } => found
            .filter(|(id, _)| id == source)
            .filter_map(|(_, found)| found.tables.get(table))
            .flat_map(|t| {
                t.values
                    .get(column)
                    .into_iter()
                    .flatten()
                    .filter_map(|k| k.as_text())
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
        // Corrected values come from the command line, never from rows.
        Placeholder::New(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Normalise;
    use crate::sources::rows::Kind;

    /// The lookups of identity columns are ones an index serves: the plain index of a
    /// phone column for its stored forms, an index on `lower(email)` for addresses.
    #[tokio::test]
    async fn identity_lookups_use_an_index() {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::raw_sql(
            "CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT, phone TEXT);
             CREATE INDEX people_phone ON people (phone);
             CREATE INDEX people_email_lower ON people (lower(email));
             INSERT INTO people VALUES (1, 'Alice@Example.com', '(650) 253-0000'),
                                       (2, 'bob@example.com', '+1 650-253-0001');",
        )
        .execute(&pool)
        .await
        .unwrap();
        let pool = SourcePool::sqlite(pool);
        let columns = pool.table_columns("people").await.unwrap();
        let info = |name: &str| columns.iter().find(|c| c.name == name).unwrap();
        let phone = IdentityRule {
            normalise: Normalise::Phone,
            default_region: Some("US".into()),
        };
        let forms: Vec<Key> = phone
            .forms("+16502530000")
            .into_iter()
            .map(Key::Text)
            .collect();
        let phone_forms: Vec<Vec<Key>> = forms.into_iter().map(|f| vec![f]).collect();
        let lookups = [
            (
                pool.dialect()
                    .in_list(&[info("phone")], phone_forms.iter().map(Vec::as_slice)),
                "people_phone",
            ),
            (
                identity_in_list(
                    &pool,
                    info("email"),
                    &[Key::Text("alice@example.com".into())],
                ),
                "people_email_lower",
            ),
        ];
        for (condition, index) in lookups {
            let mut ids = Vec::new();
            let mut select = Sql::new("SELECT id FROM people WHERE ");
            select.append(&condition);
            let condition = pool.render(&condition);
            pool.for_each_row(&select, &[Kind::Int], |row| {
                ids.push(row[0].clone());
                Ok(())
            })
            .await
            .unwrap();
            assert_eq!(ids, [serde_json::json!(1)], "{condition}");
            let mut plan = String::new();
            let mut explain = Sql::new("EXPLAIN QUERY PLAN ");
            explain.append(&select);
            pool.for_each_row(
                &explain,
                &[Kind::Int, Kind::Int, Kind::Int, Kind::Text],
                |row| {
                    plan.push_str(row[3].as_str().unwrap_or_default());
                    Ok(())
                },
            )
            .await
            .unwrap();
            assert!(
                plan.contains(&format!("INDEX {index}")),
                "{condition}: {plan}"
            );
        }
    }

    /// A policy of one SQLite source with these tables, and an in-memory database made
    /// by `schema`.
    async fn source_with(tables: &str, schema: &str) -> (tempfile::TempDir, Policy, SourcePool) {
        let dir = tempfile::tempdir().unwrap();
        let policy = crate::policy::testing::sqlite_policy(dir.path(), tables);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::raw_sql(schema).execute(&pool).await.unwrap();
        (dir, policy, SourcePool::sqlite(pool))
    }

    fn alice() -> Subject {
        Subject {
            kind: "email".into(),
            value: "alice@example.com".into(),
        }
    }

    /// A table with several identity columns of one kind is looked up in one statement
    /// (`a IN (..) OR b IN (..)`), and finds the rows either column names the subject in,
    /// ignoring case, and no other.
    #[tokio::test]
    async fn identity_columns_of_one_kind_are_looked_up_together() {
        let (_dir, policy, pool) = source_with(
            r#"
[[table]]
name = "requests"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
alt_email = { category = "user.contact.email", identity = "email" }
"#,
            "CREATE TABLE requests (id INTEGER PRIMARY KEY, email TEXT, alt_email TEXT);
             INSERT INTO requests VALUES (1, 'Alice@Example.com', NULL),
                                         (2, 'carol@example.com', 'alice@example.com'),
                                         (3, 'bob@example.com', 'alice@example.org'),
                                         (4, NULL, NULL);",
        )
        .await;
        let found = traverse(&policy, &pool, &policy.sources[0], &[alice()], &[])
            .await
            .unwrap();
        let keys: Vec<Vec<Key>> = found.tables["requests"].keys.iter().collect();
        assert_eq!(keys, [vec![Key::Int(1)], vec![Key::Int(2)]]);
        assert_eq!(found.queries, 1, "one statement for both columns");
    }

    /// The linked walk keeps, for each row found through a relation, the values of the
    /// relation's columns it read (what erasure's plan would otherwise read again); the
    /// plain walk keeps none.
    #[tokio::test]
    async fn the_linked_walk_keeps_what_each_row_points_at() {
        let (_dir, policy, pool) = source_with(
            r#"
[[table]]
name = "customers"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }

[[table]]
name = "orders"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
customer_id = "system.operations"
[[table.relation]]
columns = ["customer_id"]
references = "customers"
# Read row by row (not reached as a set): rows of others point at orders.
[[table]]
name = "returns"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
order_id = "system.operations"
[[table.reference]]
columns = ["order_id"]
references = "orders"
"#,
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT);
             CREATE TABLE returns (id INTEGER PRIMARY KEY, order_id INTEGER);
             CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER);
             INSERT INTO customers VALUES (1, 'alice@example.com'), (2, 'ALICE@example.com'),
                                          (3, 'bob@example.com');
             INSERT INTO orders VALUES (10, 1), (11, 2), (12, 3), (13, NULL);",
        )
        .await;
        let source = &policy.sources[0];
        let linked = traverse_linked(&policy, &pool, source, &[alice()], &[])
            .await
            .unwrap();
        let through: Vec<(Vec<Key>, Vec<Key>)> = linked.tables["orders"].through[&0]
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(
            through,
            [
                (vec![Key::Int(10)], vec![Key::Int(1)]),
                (vec![Key::Int(11)], vec![Key::Int(2)]),
            ]
        );
        assert!(linked.tables["customers"].through.is_empty());
        let plain = traverse(&policy, &pool, source, &[alice()], &[])
            .await
            .unwrap();
        assert!(plain.tables["orders"].through.is_empty());
        assert_eq!(plain.tables["orders"].keys.len(), 2);
    }

    /// Only tables whose own rules treat every row alike are reached as sets: not one
    /// with an identity column, a hold, a hmac mask, a reference, an undeclared foreign
    /// key, or a table below it read row by row; a deleted one only where no reference
    /// points at it, nothing above it is held and nothing below it stays. Their rows are
    /// counted two levels deep, and the access walk reads them all.
    #[tokio::test]
    async fn only_tables_whose_rows_are_alike_are_reached_as_sets() {
        let child = |name: &str, parent: &str, erase: &str, extra_columns: &str, extra: &str| {
            format!(
                r#"
[[table]]
name = "{name}"
key = ["id"]
erase = "{erase}"
{extra}
[table.columns]
id = "system.operations"
parent_id = "system.operations"
note = {{ category = "user.content", mask = "null" }}
{extra_columns}
[[table.relation]]
columns = ["parent_id"]
references = "{parent}"
"#
            )
        };
        let mut tables = String::from(
            r#"
[[table]]
name = "people"
key = ["id"]
erase = "delete"
[table.columns]
id = "system.operations"
email = { category = "user.contact.email", identity = "email" }
"#,
        );
        for (name, parent, erase, extra_columns, extra) in [
            ("visits", "people", "mask", "", ""),
            ("visit_notes", "visits", "mask", "", ""),
            ("orders", "people", "delete", "", ""),
            (
                "contacts",
                "people",
                "mask",
                "email = { category = \"user.contact.email\", identity = \"email\", mask = \"null\" }",
                "",
            ),
            (
                "keyed",
                "people",
                "mask",
                "alias = { category = \"user.name\", mask = \"hmac\" }",
                "",
            ),
            (
                "edited",
                "people",
                "mask",
                "editor_id = \"system.operations\"",
                "",
            ),
            ("parents", "people", "mask", "", ""),
            ("deleted_below", "parents", "delete", "", ""),
            ("typed", "people", "mask", "", ""),
            ("typed_notes", "typed", "mask", "", ""),
            ("bills", "people", "delete", "", ""),
            ("bill_notes", "bills", "mask", "", ""),
            (
                "held",
                "people",
                "mask",
                "issued_at = \"system.operations\"",
                "[[table.hold]]\nreason = \"Tax law\"\narticle = \"17(3)(b)\"\nduration = \"7y\"\nfrom = \"issued_at\"",
            ),
            ("held_lines", "held", "delete", "", ""),
            ("held_line_notes", "held_lines", "delete", "", ""),
            ("cited", "people", "delete", "", ""),
            (
                "citing",
                "people",
                "mask",
                "cited_id = \"system.operations\"",
                "[[table.reference]]\ncolumns = [\"cited_id\"]\nreferences = \"cited\"",
            ),
        ] {
            tables.push_str(&child(name, parent, erase, extra_columns, extra));
        }
        let mut schema = String::from(
            "CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT);
             INSERT INTO people VALUES (1, 'alice@example.com'), (2, 'bob@example.com');",
        );
        for name in [
            "visits",
            "visit_notes",
            "orders",
            "contacts",
            "keyed",
            "parents",
            "deleted_below",
            "typed",
            "bills",
            "bill_notes",
            "held",
            "held_lines",
            "held_line_notes",
            "cited",
            "citing",
        ] {
            schema.push_str(&format!(
                "CREATE TABLE {name} (id INTEGER PRIMARY KEY, parent_id INTEGER, note TEXT, email TEXT,
                                      alias TEXT, issued_at TEXT, cited_id INTEGER);
                 INSERT INTO {name} VALUES (1, 1, 'a', NULL, NULL, '2020-01-01', 1),
                                           (2, 1, 'b', NULL, NULL, '2020-01-01', NULL),
                                           (3, 2, 'c', NULL, NULL, '2020-01-01', NULL);",
            ));
        }
        schema.push_str(
            "CREATE TABLE edited (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES people (id),
                                  note TEXT, editor_id INTEGER REFERENCES people (id));
             INSERT INTO edited VALUES (1, 1, 'a', 2), (2, 2, 'b', 1);
             CREATE TABLE typed_notes (id INTEGER PRIMARY KEY, parent_id TEXT, note TEXT);
             INSERT INTO typed_notes VALUES (1, '1', 'a'), (2, '3', 'b');",
        );
        let (_dir, policy, pool) = source_with(&tables, &schema).await;
        let source = &policy.sources[0];
        let linked = traverse_linked(&policy, &pool, source, &[alice()], &[])
            .await
            .unwrap();
        let as_sets: BTreeMap<&str, u64> = linked
            .tables
            .iter()
            .filter_map(|(name, t)| t.reached.as_ref().map(|r| (name.as_str(), r.rows)))
            .collect();
        assert_eq!(
            as_sets,
            BTreeMap::from([
                ("bill_notes", 3),
                ("deleted_below", 3),
                ("orders", 2),
                ("parents", 2),
                ("visit_notes", 3),
                ("visits", 2),
            ]),
            "visits 1 and 2 are Alice's, and every note hangs from one of them"
        );
        assert_eq!(
            linked.tables["visits"].reached.as_ref().unwrap().hops.len(),
            1
        );
        assert_eq!(
            linked.tables["visit_notes"]
                .reached
                .as_ref()
                .unwrap()
                .hops
                .len(),
            2
        );
        for name in [
            "contacts",
            "keyed",
            "edited",
            // It compares its text column with `typed`'s integer key: bound values are
            // cast to its type, a subquery's column would not be.
            "typed",
            "typed_notes",
            // Deleted, with rows that stay below it.
            "bills",
            // Held, and deleted one and two levels below a held row.
            "held",
            "held_lines",
            "held_line_notes",
            // Deleted, and pointed at by a reference; the one with the reference.
            "cited",
            "citing",
        ] {
            assert!(
                !linked.tables[name].keys.is_empty(),
                "{name} is read row by row"
            );
        }
        // people 1, visits 2, notes 3, orders, contacts, keyed 2 each, edited 1,
        // parents 2 and the 3 rows below them, typed 2 and one note of theirs; bills,
        // held, cited, citing 2 each, the 3 rows below bills and held, and the 3 rows
        // below those of held.
        assert_eq!(
            linked.rows(),
            1 + 2 + 3 + 2 + 2 + 2 + 1 + 2 + 3 + 2 + 1 + 2 + 3 + 2 + 3 + 3 + 2 + 2
        );
        let plain = traverse(&policy, &pool, source, &[alice()], &[])
            .await
            .unwrap();
        assert!(plain.tables.values().all(|t| t.reached.is_none()));
        assert_eq!(plain.tables["visit_notes"].keys.len(), 3);
    }
}
