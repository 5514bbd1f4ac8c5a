//! Reading and matching rows of any engine: column types from the live schema, a
//! projection that turns every column into a JSON-friendly value, typed keys that bind
//! back into set-based `IN` lists, and row streaming with flat memory.

use anyhow::{Context, Result};
use base64::Engine as _;
use futures_util::TryStreamExt;
use serde_json::Value as Json;
use sqlx::{Row, TypeInfo, ValueRef};

use super::held::{HeldTx, breaks_connection, on_held};
use super::{SourcePool, quote};
use crate::policy::Engine;

pub use crate::sql::Key;
use crate::sql::{Placeholders, Sql, bind_keys};

/// How a column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Float,
    Bool,
    /// Binary, read as base64 text.
    Bytes,
    /// JSON documents, read as text and parsed.
    Json,
    /// Everything else, read as its text form (dates, decimals, uuids...).
    Text,
    /// SQLite: whatever each value holds.
    Dynamic,
}

#[derive(Debug, Clone)]
pub struct ColumnInfo {
    pub name: String,
    pub kind: Kind,
    /// The type as the database names it (used for casts of bound text values).
    pub db_type: String,
    /// MariaDB/MySQL: the collation of a text column (whether comparisons ignore case).
    pub collation: Option<String>,
}

impl ColumnInfo {
    /// True for a column that holds numbers: masks write NULL into it, never text. On
    /// SQLite, whose columns take any value, the declared type's affinity decides.
    pub(crate) fn is_numeric(&self) -> bool {
        match self.kind {
            Kind::Int | Kind::Float | Kind::Bool => true,
            Kind::Dynamic => {
                let t = self.db_type.to_ascii_uppercase();
                ["INT", "REAL", "FLOA", "DOUB", "NUMERIC", "DECIMAL", "BOOL"]
                    .iter()
                    .any(|n| t.contains(n))
            }
            _ => false,
        }
    }

    /// SQLite: whether the declared type gives the column TEXT affinity (SQLite's rules,
    /// in their order), so that a number written into it is stored as text.
    pub(crate) fn has_text_affinity(&self) -> bool {
        let t = self.db_type.to_ascii_uppercase();
        !t.contains("INT") && ["CHAR", "CLOB", "TEXT"].iter().any(|n| t.contains(n))
    }
}

fn kind_of(engine: Engine, db_type: &str) -> Kind {
    let t = db_type.to_ascii_lowercase();
    match engine {
        Engine::Sqlite => Kind::Dynamic,
        Engine::Postgres => match t.as_str() {
            "int2" | "int4" | "int8" | "smallint" | "integer" | "bigint" => Kind::Int,
            "float4" | "float8" => Kind::Float,
            "bool" => Kind::Bool,
            "bytea" => Kind::Bytes,
            "json" | "jsonb" => Kind::Json,
            _ => Kind::Text,
        },
        Engine::Mysql => match t.as_str() {
            "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" | "year" => {
                Kind::Int
            }
            "float" | "double" | "real" => Kind::Float,
            "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => Kind::Bytes,
            "json" => Kind::Json,
            _ => Kind::Text,
        },
    }
}

/// Columns as a catalogue lists them (name, type, collation), with how to read each.
fn column_infos(engine: Engine, rows: Vec<(String, String, Option<String>)>) -> Vec<ColumnInfo> {
    rows.into_iter()
        .map(|(name, db_type, collation)| ColumnInfo {
            kind: kind_of(engine, &db_type),
            name,
            db_type,
            collation,
        })
        .collect()
}

/// Splits `schema.table` for catalogue lookups.
fn split_table(table: &str) -> (Option<&str>, &str) {
    match table.split_once('.') {
        Some((schema, name)) => (Some(schema), name),
        None => (None, table),
    }
}

/// What SQL looks like on an engine, without a connection: quoted names, casts, and times
/// as a column of each format compares with them. Plans are computed in a dialect, so they
/// can be checked without a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dialect(pub Engine);

impl Dialect {
    pub(crate) fn quote(self, name: &str) -> String {
        quote(self.0, name)
    }

    /// A column's type as SQL names it in a cast. On PostgreSQL the name comes from the
    /// database's own catalogue, where a domain may be called anything (`text)) OR ((TRUE`
    /// included): it is quoted as an identifier, never pasted.
    pub(crate) fn type_name(self, column: &ColumnInfo) -> String {
        match self.0 {
            Engine::Postgres => format!("\"{}\"", column.db_type.replace('"', "\"\"")),
            _ => column.db_type.clone(),
        }
    }

    /// How this engine writes its parameters.
    pub(crate) fn placeholders(self) -> Placeholders {
        match self.0 {
            Engine::Postgres => Placeholders::Dollar,
            Engine::Sqlite | Engine::Mysql => Placeholders::Question,
        }
    }

    /// Binds `value` as `column` compares with it: text bound to a PostgreSQL column of
    /// another type (uuid, date...) is cast to that type, so indexes still apply.
    pub(crate) fn bind(self, sql: &mut Sql, column: &ColumnInfo, value: Key) {
        match (self.0, column.kind) {
            (Engine::Postgres, Kind::Text)
                if !matches!(
                    column.db_type.as_str(),
                    "text" | "varchar" | "bpchar" | "name"
                ) =>
            {
                sql.push("CAST(").bind(value);
                sql.push(&format!(" AS {})", self.type_name(column)));
            }
            _ => {
                sql.bind(value);
            }
        }
    }

    /// Binds the instant `at` as a column of `format` compares with it.
    pub(crate) fn bind_time(
        self,
        sql: &mut Sql,
        column: &ColumnInfo,
        format: TimeFormat,
        at: chrono::DateTime<chrono::Utc>,
    ) {
        let value = self.format_time(format, at);
        match (self.0, format) {
            (Engine::Postgres, TimeFormat::Native) => {
                sql.push("CAST(").bind(value);
                sql.push(&format!(" AS {})", self.type_name(column)));
            }
            _ => {
                sql.bind(value);
            }
        }
    }

    /// The rows whose `columns` take one of the `tuples`.
    ///
    /// PostgreSQL gets one array per column, `col = ANY(CAST($1 AS type[]))` or
    /// `(a, b) IN (SELECT * FROM unnest(CAST($1 AS ta[]), CAST($2 AS tb[])))`: a
    /// statement it plans in the same time whatever the number of keys, where a list of
    /// a thousand `(a, b)` tuples takes longer to plan than to run. The other engines
    /// get `(cols) IN ((..), ..)`, which they plan cheaply.
    pub(crate) fn in_list<'k>(
        self,
        columns: &[&ColumnInfo],
        tuples: impl IntoIterator<Item = &'k [Key]>,
    ) -> Sql {
        let names: Vec<String> = columns.iter().map(|c| self.quote(&c.name)).collect();
        if self.0 == Engine::Postgres
            && columns
                .iter()
                .all(|c| matches!(c.kind, Kind::Int | Kind::Text))
        {
            let tuples: Vec<&[Key]> = tuples.into_iter().collect();
            let arrays = columns
                .iter()
                .enumerate()
                .map(|(j, column)| {
                    let values = tuples.iter().map(|t| t.get(j).and_then(Key::as_text));
                    (values.collect(), self.type_name(column))
                })
                .collect();
            return self.any_of(&names.join(", "), arrays);
        }
        let mut sql = if names.len() == 1 {
            Sql::new(format!("{} IN (", names[0]))
        } else {
            Sql::new(format!("({}) IN (", names.join(", ")))
        };
        for (i, tuple) in tuples.into_iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            if columns.len() > 1 {
                sql.push("(");
            }
            for (j, (column, value)) in columns.iter().zip(tuple).enumerate() {
                if j > 0 {
                    sql.push(", ");
                }
                self.bind(&mut sql, column, value.clone());
            }
            if columns.len() > 1 {
                sql.push(")");
            }
        }
        sql.push(")");
        sql
    }

    /// PostgreSQL: `expr = ANY(CAST($1 AS type[]))` for one column's values, `(exprs) IN
    /// (SELECT * FROM unnest(...))` for several columns (each bound as PostgreSQL's text
    /// form of an array of the column's type). A single value or tuple of built-in types
    /// is compared as it is, `expr = CAST($1 AS type)`: behind an array of one the planner
    /// cannot see that one value is asked for, and plans a scan it does not share among
    /// workers (a 200,000-row table without an index on the column: 60 ms against 43 ms).
    /// Other types (a domain `varchar(10)`...) keep the array: an explicit cast cuts a
    /// longer value to the length, which could then equal another row's value, where the
    /// array's input refuses it.
    pub(crate) fn any_of(self, exprs: &str, columns: Vec<(Vec<Option<String>>, String)>) -> Sql {
        let one = columns.len() == 1;
        let plain = |type_name: &str| {
            matches!(
                type_name.trim_matches('"'),
                "int2" | "int4" | "int8" | "text" | "varchar" | "bpchar" | "name" | "uuid"
            )
        };
        if columns
            .iter()
            .all(|(values, type_name)| values.len() == 1 && plain(type_name))
        {
            let mut sql = Sql::new(if one {
                format!("{exprs} = ")
            } else {
                format!("({exprs}) = (")
            });
            for (i, (values, type_name)) in columns.into_iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                let value = values.into_iter().next().flatten();
                sql.push("CAST(").bind(value.map_or(Key::Null, Key::Text));
                sql.push(&format!(" AS {type_name})"));
            }
            if !one {
                sql.push(")");
            }
            return sql;
        }
        let mut sql = if one {
            Sql::new(format!("{exprs} = ANY("))
        } else {
            Sql::new(format!("({exprs}) IN (SELECT * FROM unnest("))
        };
        for (i, (values, type_name)) in columns.into_iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("CAST(")
                .bind(Key::Text(crate::sql::pg_array(values)));
            sql.push(&format!(" AS {type_name}[])"));
        }
        sql.push(if one { ")" } else { "))" });
        sql
    }

    /// An instant written as a column of `format` holds it.
    pub(crate) fn format_time(self, format: TimeFormat, at: chrono::DateTime<chrono::Utc>) -> Key {
        match (self.0, format) {
            (_, TimeFormat::Epoch) => Key::Int(at.timestamp()),
            (Engine::Mysql, TimeFormat::Native) | (_, TimeFormat::IsoSpace) => {
                Key::Text(at.format("%Y-%m-%d %H:%M:%S").to_string())
            }
            (_, TimeFormat::Date) => Key::Text(at.format("%Y-%m-%d").to_string()),
            (_, TimeFormat::IsoT { zulu: false }) => {
                Key::Text(at.format("%Y-%m-%dT%H:%M:%S").to_string())
            }
            _ => Key::Text(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        }
    }
}

impl SourcePool {
    pub(crate) fn dialect(&self) -> Dialect {
        Dialect(self.engine())
    }

    pub fn engine(&self) -> Engine {
        match self {
            SourcePool::Sqlite(..) => Engine::Sqlite,
            SourcePool::Postgres(_) => Engine::Postgres,
            SourcePool::Mysql(_) => Engine::Mysql,
        }
    }

    pub(crate) fn placeholders(&self) -> Placeholders {
        self.dialect().placeholders()
    }

    /// A statement's text for this engine.
    pub(crate) fn render(&self, sql: &Sql) -> String {
        sql.render(self.placeholders())
    }

    pub fn quote(&self, name: &str) -> String {
        quote(self.engine(), name)
    }

    /// The columns of a table, in their order, with how to read them.
    pub(crate) async fn table_columns(&self, table: &str) -> Result<Vec<ColumnInfo>> {
        if let Some(columns) = self.cached_columns(table) {
            return Ok(columns);
        }
        let (schema, name) = split_table(table);
        let rows: Vec<(String, String, Option<String>)> = match self {
            // Likewise for the policy's tables not read yet, in one statement, through
            // the reader that reads the rows next ([`SqliteReader`]): the pool's own
            // connection would read the schema a second time, and each of its statements
            // costs a round trip to the driver's thread and a preparation (about 0.9 ms
            // for the first two tables, against microseconds of work).
            SourcePool::Sqlite(..) => {
                let tables = self.tables_to_read(table);
                // By name alone, in every database the connection has, as `PRAGMA
                // table_info` looks a table up: a schema the connection does not know
                // would fail the statement for every table.
                let names: Vec<&str> = tables.iter().map(|t| split_table(t).1).collect();
                let mut sql = Sql::new("SELECT w.key, p.name, p.type FROM json_each(");
                sql.bind(serde_json::to_string(&names)?)
                    .push(") AS w, pragma_table_info(w.value) AS p ORDER BY w.key, p.cid");
                let mut found = Vec::new();
                self.for_each_row(&sql, &[Kind::Int, Kind::Text, Kind::Text], |row| {
                    let text = |i: usize| row[i].as_str().unwrap_or_default().to_string();
                    found.push((row[0].as_i64().unwrap_or(-1), text(1), text(2), None));
                    Ok(())
                })
                .await?;
                self.keep_others(&tables, found, 0)
            }
            // The catalogue itself (information_schema is an order of magnitude slower),
            // for this table and the policy's others not read yet: planning a catalogue
            // statement costs more than running it, and a plan asks for every table.
            SourcePool::Postgres(pool) => {
                let tables = self.tables_to_read(table);
                let split: Vec<(Option<&str>, &str)> =
                    tables.iter().map(|t| split_table(t)).collect();
                // Each table found by `to_regclass` of its name quoted in its schema (the
                // connection's default when none is given), its columns' types by a
                // scalar subquery: half the planning of a join of the namespaces, tables,
                // columns and types (about 1.3 ms against 2.6 ms on a new connection).
                // Each table's oid and column numbers come too, for the foreign keys.
                let found: Vec<(i64, String, String, Option<String>, i64, i32)> = on_held!(
                    pool,
                    |c| {
                        sqlx::query_as(
                    "SELECT w.i, a.attname::text, \
                            (SELECT t.typname::text FROM pg_catalog.pg_type t WHERE t.oid = a.atttypid), \
                            NULL::text, a.attrelid::int8, a.attnum::int4 \
                     FROM unnest(CAST($1 AS text[]), CAST($2 AS text[])) WITH ORDINALITY AS w(s, r, i), \
                          pg_catalog.pg_attribute a \
                     WHERE a.attrelid = to_regclass(quote_ident(COALESCE(w.s, current_schema())) \
                                                    || '.' || quote_ident(w.r)) \
                       AND a.attnum > 0 AND NOT a.attisdropped ORDER BY w.i, a.attnum",
                )
                .bind(crate::sql::pg_array(split.iter().map(|(schema, _)| *schema)))
                .bind(crate::sql::pg_array(split.iter().map(|(_, name)| Some(*name))))
                .fetch_all(c)
                    }
                )?;
                let mut relations: std::collections::BTreeMap<i64, super::Relation> =
                    std::collections::BTreeMap::new();
                for (i, name, _, _, oid, number) in &found {
                    relations
                        .entry(*i)
                        .or_insert_with(|| super::Relation {
                            oid: *oid,
                            columns: std::collections::BTreeMap::new(),
                        })
                        .columns
                        .insert(*number, name.clone());
                }
                for (i, relation) in relations {
                    if let Some(table) = usize::try_from(i - 1).ok().and_then(|i| tables.get(i)) {
                        self.cache_relation(table, relation);
                    }
                }
                let found = found
                    .into_iter()
                    .map(|(i, name, db_type, collation, _, _)| (i, name, db_type, collation))
                    .collect();
                self.keep_others(&tables, found, 1)
            }
            SourcePool::Mysql(pool) => on_held!(pool, |c| {
                sqlx::query_as(
                "SELECT CAST(column_name AS CHAR), CAST(data_type AS CHAR), CAST(collation_name AS CHAR) \
                 FROM information_schema.columns \
                 WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ? ORDER BY ordinal_position",
            )
            .bind(schema)
            .bind(name)
            .fetch_all(c)
            })?,
        };
        if rows.is_empty() {
            anyhow::bail!("table `{table}` does not exist in the database");
        }
        let columns = column_infos(self.engine(), rows);
        self.cache_columns(table, &columns);
        Ok(columns)
    }

    /// The columns read for `tables` (numbered from `first`, in the first field): the
    /// first table's are returned, the others' cached.
    fn keep_others(
        &self,
        tables: &[String],
        found: Vec<(i64, String, String, Option<String>)>,
        first: i64,
    ) -> Vec<(String, String, Option<String>)> {
        let mut by_table: std::collections::BTreeMap<i64, Vec<_>> =
            std::collections::BTreeMap::new();
        for (i, name, db_type, collation) in found {
            by_table
                .entry(i - first)
                .or_default()
                .push((name, db_type, collation));
        }
        let asked = by_table.remove(&0).unwrap_or_default();
        for (i, rows) in by_table {
            let columns = column_infos(self.engine(), rows);
            self.cache_columns(&tables[i as usize], &columns);
        }
        asked
    }

    /// The expression that reads a column in the form [`Kind`] promises.
    pub(crate) fn select_expr(&self, column: &ColumnInfo) -> String {
        let c = self.quote(&column.name);
        match (self.engine(), column.kind) {
            (Engine::Postgres, Kind::Int) => format!("{c}::int8"),
            (Engine::Postgres, Kind::Float) => format!("{c}::float8"),
            (Engine::Postgres, Kind::Bytes) => format!("encode({c}, 'base64')"),
            (Engine::Postgres, Kind::Json | Kind::Text) => format!("{c}::text"),
            (Engine::Mysql, Kind::Int) => format!("CAST({c} AS SIGNED)"),
            (Engine::Mysql, Kind::Float) => format!("CAST({c} AS DOUBLE)"),
            (Engine::Mysql, Kind::Bytes) => format!("TO_BASE64({c})"),
            (Engine::Mysql, Kind::Json | Kind::Text) => format!("CAST({c} AS CHAR)"),
            _ => c,
        }
    }

    /// The column as an identity lookup compares it. With `fold_case` (e-mail addresses,
    /// stored in any case) the comparison ignores case: on PostgreSQL and SQLite through
    /// `lower(column)` (an index on `lower(column)` serves it), on MariaDB/MySQL through
    /// the column's own case-insensitive collation (its index serves it), or `LOWER` where
    /// the collation is binary or case-sensitive. The values compared with it are lower-case.
    pub(crate) fn lookup_expr(&self, column: &ColumnInfo, fold_case: bool) -> String {
        let c = self.quote(&column.name);
        if !fold_case {
            return c;
        }
        match self.engine() {
            Engine::Sqlite | Engine::Postgres => format!("lower({c})"),
            Engine::Mysql if column.kind == Kind::Bytes => {
                format!("LOWER(CONVERT({c} USING utf8mb4))")
            }
            Engine::Mysql => match column.collation.as_deref() {
                Some(collation) if collation.to_ascii_lowercase().ends_with("_ci") => c,
                _ => format!("LOWER({c})"),
            },
        }
    }

    /// Runs a query that changes nothing and hands each row to `each` as JSON values read
    /// per `kinds`, streaming (rows are never all held at once). On a server, a query that
    /// finds its connection ended by the server before handing over any row runs once more
    /// on a new connection (see [`super::held`]): a statement that writes goes through a
    /// [`SourceTx`] instead, never here.
    pub async fn for_each_row(
        &self,
        sql: &Sql,
        kinds: &[Kind],
        mut each: impl FnMut(Vec<Json>) -> Result<()>,
    ) -> Result<()> {
        self.for_each_raw(sql, |row| each(row.decode(kinds)?)).await
    }

    /// As [`SourcePool::for_each_row`], with each row handed over as its driver read it:
    /// its values are read later, where and when they are needed ([`RawRow::cells`]).
    pub(crate) async fn for_each_raw(
        &self,
        sql: &Sql,
        mut each: impl FnMut(RawRow) -> Result<()>,
    ) -> Result<()> {
        let (persistent, binds) = (!sql.plans_with_values(), sql.binds());
        let sql = &self.render(sql);
        let failed = |error: sqlx::Error| {
            anyhow::Error::new(error).context(format!("query failed: {}", shown(sql)))
        };
        macro_rules! served {
            ($held:expr, $raw:expr) => {{
                let mut again = true;
                loop {
                    let mut lease = $held.lease_for(again).await?;
                    let mut handed = false;
                    let error = {
                        let query = sqlx::query(sql).persistent(persistent);
                        let mut rows = bind_keys!(query, binds).fetch(&mut *lease);
                        loop {
                            match rows.try_next().await {
                                Ok(Some(row)) => {
                                    handed = true;
                                    each($raw(row))?;
                                }
                                Ok(None) => break None,
                                Err(error) => break Some(error),
                            }
                        }
                    };
                    let Some(error) = error else { break };
                    let broken = breaks_connection(&error);
                    if broken {
                        lease.break_off();
                    }
                    if !(broken && again && !handed) {
                        return Err(failed(error));
                    }
                    again = false;
                }
            }};
        }
        match self {
            SourcePool::Sqlite(reader, pool) => {
                let path = pool.connect_options().get_filename().to_path_buf();
                if path.is_file() {
                    sqlite_rows(reader, path, sql, binds, &mut |values| {
                        each(RawRow::Values(values))
                    })
                    .await?;
                } else {
                    let mut rows = bind_keys!(sqlx::query(sql), binds).fetch(pool);
                    while let Some(row) = rows.try_next().await.map_err(failed)? {
                        each(RawRow::Values(decode_sqlite(&row)?))?;
                    }
                }
            }
            SourcePool::Postgres(pool) => served!(pool, RawRow::Postgres),
            SourcePool::Mysql(pool) => served!(pool, RawRow::Mysql),
        }
        Ok(())
    }
}

/// A row as its engine's driver handed it over. A server's row keeps the bytes it came
/// in, and its values are read from them only when asked for: an access export reads
/// them on the thread that writes the archive, each straight into the archive's text,
/// without a [`Json`] value for each.
pub enum RawRow {
    /// SQLite's rows, read as values on the thread that read them.
    Values(Vec<Json>),
    Postgres(sqlx::postgres::PgRow),
    Mysql(sqlx::mysql::MySqlRow),
}

/// One value of a row, as [`RawRow::cells`] hands it over: text borrowed from the row,
/// or a value.
pub(crate) enum Cell<'r> {
    Text(&'r str),
    Value(std::borrow::Cow<'r, Json>),
}

/// What is handed each value of a row, in turn.
pub(crate) type EachCell<'a, 'r> = dyn FnMut(Cell<'r>) -> Result<()> + 'a;

impl Cell<'_> {
    fn into_json(self) -> Json {
        match self {
            Cell::Text(text) => Json::String(text.to_owned()),
            Cell::Value(value) => value.into_owned(),
        }
    }
}

impl RawRow {
    /// The row's values, read per `kinds` (a server's rows; SQLite's hold theirs).
    pub fn decode(self, kinds: &[Kind]) -> Result<Vec<Json>> {
        if let RawRow::Values(values) = self {
            return Ok(values);
        }
        let mut out = Vec::with_capacity(kinds.len());
        self.cells(kinds, &mut |cell| {
            out.push(cell.into_json());
            Ok(())
        })?;
        Ok(out)
    }

    /// Hands each value to `each`, in column order, read per `kinds` as
    /// [`RawRow::decode`] reads it.
    pub(crate) fn cells<'r>(&'r self, kinds: &[Kind], each: &mut EachCell<'_, 'r>) -> Result<()> {
        match self {
            RawRow::Values(values) => values
                .iter()
                .try_for_each(|value| each(Cell::Value(std::borrow::Cow::Borrowed(value)))),
            RawRow::Postgres(row) => server_cells(row, kinds, each),
            RawRow::Mysql(row) => server_cells(row, kinds, each),
        }
    }
}

/// Rows a SQLite reader hands over at once.
const SQLITE_BATCH: usize = 1024;

/// A SQLite source's rows, read on a blocking thread through the pool's read-only
/// connection ([`SqliteReader`]) and handed to `each` a batch at a time: the pool's driver hands rows over
/// from its worker thread one at a time, a wake-up each, which made reading a million
/// keys take seconds. Values are read as [`decode_sqlite`] reads them. The pool's one
/// connection holds no transaction while a statement runs through it, so both see the
/// same committed rows.
async fn sqlite_rows(
    kept: &SqliteReader,
    path: std::path::PathBuf,
    sql: &str,
    binds: &[Key],
    each: &mut impl FnMut(Vec<Json>) -> Result<()>,
) -> Result<()> {
    use rusqlite::types::Value;
    let statement = sql.to_string();
    let binds: Vec<Value> = binds.iter().map(Value::from).collect();
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Vec<Vec<Json>>>(4);
    let kept = kept.clone();
    let reader = tokio::task::spawn_blocking(move || -> Result<()> {
        let lent = kept.take(&path)?;
        let read = read_sqlite(&lent.conn, &statement, binds, &sender);
        kept.give_back(lent);
        read
    });
    let mut handed = Ok(());
    'batches: while let Some(batch) = batches.recv().await {
        for row in batch {
            handed = each(row);
            if handed.is_err() {
                break 'batches;
            }
        }
    }
    // A row refused stops the reader at its next batch.
    drop(batches);
    let read = reader.await.context("the source's reader stopped")?;
    handed?;
    read.with_context(|| format!("query failed: {}", shown(sql)))
}

/// A SQLite source's read-only connection for statements that stream rows, opened by
/// the first and kept for the next ones (opening one and reading its schema costs more
/// than a small statement). It goes with the pool: closed first, so that the pool's own
/// connection, closing last, folds a write-ahead log back into the file as before. Once
/// closed, no statement opens a reader again, and closing interrupts those still reading
/// and waits for them ([`SqliteReader::close`]).
#[derive(Clone, Default)]
pub struct SqliteReader(std::sync::Arc<(std::sync::Mutex<Kept>, std::sync::Condvar)>);

/// The connection kept, whether the pool was closed, and the statements reading (a
/// handle that interrupts each, by a number of its own).
#[derive(Default)]
struct Kept {
    conn: Option<rusqlite::Connection>,
    closed: bool,
    reading: Vec<(u64, rusqlite::InterruptHandle)>,
    next: u64,
}

/// A connection lent to a statement, and the number its interrupt handle is kept under.
struct Lent {
    conn: rusqlite::Connection,
    id: u64,
}

/// How long closing a source waits for statements still reading.
const READERS_WAITED: std::time::Duration = std::time::Duration::from_secs(30);

impl SqliteReader {
    /// The kept connection, or a new one when there is none (or another statement holds
    /// it); an error once the source is closed. A connection lent goes back through
    /// [`SqliteReader::give_back`].
    fn take(&self, path: &std::path::Path) -> Result<Lent> {
        let mut slot = self.slot();
        if slot.closed {
            anyhow::bail!("the source was closed before this statement");
        }
        let conn = match slot.conn.take() {
            Some(conn) => conn,
            None => {
                // Opened under the lock: a close waits for it, then for its statement.
                use rusqlite::OpenFlags;
                let conn = rusqlite::Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.busy_timeout(std::time::Duration::from_secs(30))?;
                // Sorts and groupings that outgrow the cache stay in memory, as the pool's
                // connection's statement journals do, not in a file under /var/tmp.
                conn.pragma_update(None, "temp_store", "MEMORY")?;
                conn
            }
        };
        let id = slot.next;
        slot.next += 1;
        slot.reading.push((id, conn.get_interrupt_handle()));
        Ok(Lent { conn, id })
    }

    /// Keeps the connection lent for the next statement, unless one is kept already or
    /// the pool was closed (then it is closed now).
    fn give_back(&self, lent: Lent) {
        let mut slot = self.slot();
        slot.reading.retain(|(id, _)| *id != lent.id);
        if slot.conn.is_none() && !slot.closed {
            slot.conn = Some(lent.conn);
        } else {
            // Closed before the waiting `close` is woken, not when this function returns.
            drop(lent.conn);
        }
        self.0.1.notify_all();
    }

    /// Closes the kept connection, interrupts the statements still reading (one whose
    /// rows are no longer wanted may otherwise run on until its next batch) and waits (30
    /// s at most) for them to close their connections; none opens afterwards. Blocks: run
    /// it off the runtime's threads.
    pub(crate) fn close(&self) {
        let mut slot = self.slot();
        slot.closed = true;
        drop(slot.conn.take());
        for (_, handle) in &slot.reading {
            handle.interrupt();
        }
        let _ = self
            .0
            .1
            .wait_timeout_while(slot, READERS_WAITED, |kept| !kept.reading.is_empty());
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.0
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Runs `statement` on `reader`, sending its rows in batches until they end or are no
/// longer wanted.
fn read_sqlite(
    conn: &rusqlite::Connection,
    statement: &str,
    binds: Vec<rusqlite::types::Value>,
    sender: &tokio::sync::mpsc::Sender<Vec<Vec<Json>>>,
) -> Result<()> {
    use rusqlite::types::ValueRef;
    let mut statement = conn.prepare(statement)?;
    let columns = statement.column_count();
    let mut rows = statement.query(rusqlite::params_from_iter(binds))?;
    let mut batch = Vec::with_capacity(SQLITE_BATCH);
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns);
        for i in 0..columns {
            values.push(match row.get_ref(i)? {
                ValueRef::Null => Json::Null,
                ValueRef::Integer(n) => Json::from(n),
                ValueRef::Real(x) => number(x),
                ValueRef::Text(text) => Json::String(std::str::from_utf8(text)?.to_string()),
                ValueRef::Blob(bytes) => {
                    Json::String(base64::engine::general_purpose::STANDARD.encode(bytes))
                }
            });
        }
        batch.push(values);
        if batch.len() == SQLITE_BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(SQLITE_BATCH));
            if sender.blocking_send(full).is_err() {
                return Ok(());
            }
        }
    }
    if !batch.is_empty() {
        let _ = sender.blocking_send(batch);
    }
    Ok(())
}

/// A statement as error messages show it: long ones (thousands of key parameters) cut
/// after their first 400 characters.
fn shown(sql: &str) -> String {
    const SHOWN: usize = 400;
    match sql.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{} ... ({} characters)", &sql[..cut], sql.len()),
        None => sql.to_string(),
    }
}

fn number(value: f64) -> Json {
    serde_json::Number::from_f64(value).map_or(Json::Null, Json::Number)
}

fn decode_sqlite(row: &sqlx::sqlite::SqliteRow) -> Result<Vec<Json>> {
    let mut out = Vec::with_capacity(row.columns().len());
    for i in 0..row.columns().len() {
        let raw = row.try_get_raw(i)?;
        if raw.is_null() {
            out.push(Json::Null);
            continue;
        }
        let value = match raw.type_info().name() {
            "INTEGER" => Json::from(row.try_get::<i64, _>(i)?),
            "REAL" => number(row.try_get::<f64, _>(i)?),
            "BLOB" => Json::String(
                base64::engine::general_purpose::STANDARD.encode(row.try_get::<Vec<u8>, _>(i)?),
            ),
            _ => Json::String(row.try_get::<String, _>(i)?),
        };
        out.push(value);
    }
    Ok(out)
}

/// A value read as JSON: a number, or `null` where there is none.
fn value_cell<'r, T>(value: Option<T>, json: impl FnOnce(T) -> Json) -> Cell<'r> {
    Cell::Value(std::borrow::Cow::Owned(value.map_or(Json::Null, json)))
}

/// A value read as text: a JSON column's document parsed (kept as text when it is not
/// JSON).
fn text_cell(kind: Kind, text: Option<&str>) -> Cell<'_> {
    match (kind, text) {
        (_, None) => Cell::Value(std::borrow::Cow::Owned(Json::Null)),
        (Kind::Json, Some(t)) => serde_json::from_str(t).map_or(Cell::Text(t), |value| {
            Cell::Value(std::borrow::Cow::Owned(value))
        }),
        (_, Some(t)) => Cell::Text(t),
    }
}

/// A server's row's values, read per `kinds`: numbers and bools as JSON values, the rest
/// as text borrowed from the row (MariaDB and MySQL have no column read as a bool).
fn server_cells<'r, R>(row: &'r R, kinds: &[Kind], each: &mut EachCell<'_, 'r>) -> Result<()>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    f64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    for (i, kind) in kinds.iter().enumerate() {
        each(match kind {
            Kind::Int => value_cell(row.try_get::<Option<i64>, _>(i)?, Json::from),
            Kind::Float => value_cell(row.try_get::<Option<f64>, _>(i)?, number),
            Kind::Bool => value_cell(row.try_get::<Option<bool>, _>(i)?, Json::from),
            _ => text_cell(*kind, row.try_get::<Option<&str>, _>(i)?),
        })?;
    }
    Ok(())
}

/// A transaction on one source: everything an erasure or a sweep changes in a source
/// commits together or not at all.
pub enum SourceTx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(HeldTx<sqlx::Postgres>),
    Mysql(HeldTx<sqlx::MySql>),
}

impl SourcePool {
    /// A transaction that changes the source. A SQLite source written to has its
    /// write-ahead log folded into its file when the command ends
    /// ([`crate::store::fold_at_exit`]); one only read is left alone.
    ///
    /// SQLite changes a database through a journal or a write-ahead log beside it: where
    /// it cannot make one (a folder this user cannot write), the first change failed with
    /// SQLite's bare "unable to open database file"; the transaction is refused before it
    /// starts, naming the database and the folder.
    pub async fn begin(&self) -> Result<SourceTx> {
        Ok(match self {
            SourcePool::Sqlite(_, pool) => {
                let options = pool.connect_options();
                let path = options.get_filename();
                if let Err((folder, reason)) = crate::fsutil::sqlite_folder_writable(path, true) {
                    anyhow::bail!(
                        "cannot change the SQLite database {}: SQLite writes a journal beside it to change it, and the folder {} cannot be written ({reason})",
                        path.display(),
                        folder.display()
                    );
                }
                crate::store::fold_at_exit(path);
                SourceTx::Sqlite(pool.begin().await?)
            }
            SourcePool::Postgres(pool) => SourceTx::Postgres(HeldTx::begin(pool).await?),
            SourcePool::Mysql(pool) => SourceTx::Mysql(HeldTx::begin(pool).await?),
        })
    }
}

impl SourceTx {
    fn placeholders(&self) -> Placeholders {
        match self {
            SourceTx::Postgres(_) => Placeholders::Dollar,
            SourceTx::Sqlite(_) | SourceTx::Mysql(_) => Placeholders::Question,
        }
    }

    pub async fn execute(&mut self, sql: &Sql) -> Result<u64> {
        let (sql, binds) = (&sql.render(self.placeholders()), sql.binds());
        macro_rules! execute {
            ($tx:expr) => {
                bind_keys!(sqlx::query(sql), binds)
                    .execute(&mut **$tx)
                    .await
                    .with_context(|| format!("statement failed: {}", shown(sql)))?
                    .rows_affected()
            };
        }
        Ok(match self {
            SourceTx::Sqlite(tx) => execute!(tx),
            SourceTx::Postgres(tx) => execute!(tx),
            SourceTx::Mysql(tx) => execute!(tx),
        })
    }

    /// Reads rows inside the transaction (small result sets: values to pseudonymise).
    pub(crate) async fn fetch(&mut self, sql: &Sql, kinds: &[Kind]) -> Result<Vec<Vec<Json>>> {
        let (sql, binds) = (&sql.render(self.placeholders()), sql.binds());
        macro_rules! fetch {
            ($tx:expr, $decode:expr) => {
                bind_keys!(sqlx::query(sql), binds)
                    .fetch_all(&mut **$tx)
                    .await
                    .with_context(|| format!("query failed: {}", shown(sql)))?
                    .into_iter()
                    .map(|r| $decode(r, kinds))
                    .collect::<Result<Vec<_>>>()
            };
        }
        match self {
            SourceTx::Sqlite(tx) => fetch!(tx, |r, _| decode_sqlite(&r)),
            SourceTx::Postgres(tx) => fetch!(tx, |r, kinds| RawRow::Postgres(r).decode(kinds)),
            SourceTx::Mysql(tx) => fetch!(tx, |r, kinds| RawRow::Mysql(r).decode(kinds)),
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            SourceTx::Sqlite(tx) => tx.commit().await?,
            SourceTx::Postgres(tx) => tx.commit().await?,
            SourceTx::Mysql(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// How a timestamp column is written, so cutoffs compare the way the data does (and an
/// index on the column applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeFormat {
    /// A native timestamp or date type.
    Native,
    /// ISO 8601 text with a `T` (`2026-01-02T03:04:05Z`), with or without the `Z`.
    IsoT { zulu: bool },
    /// ISO 8601 text with a space (`2026-01-02 03:04:05`).
    IsoSpace,
    /// A date only (`2026-01-02`).
    Date,
    /// Seconds since the epoch.
    Epoch,
}

impl SourcePool {
    /// True when an index of the table leads with the column, so that rows can be found
    /// and ordered by it without reading the whole table.
    /// A table's primary key columns, in the key's order (empty when it has none).
    pub(crate) async fn primary_key(&self, table: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = match self {
            SourcePool::Sqlite(_, pool) => {
                sqlx::query_as("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk")
                    .bind(table)
                    .fetch_all(pool)
                    .await?
            }
            SourcePool::Postgres(pool) => on_held!(pool, |c| sqlx::query_as(
                "SELECT a.attname::text FROM pg_index i \
                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                     WHERE i.indrelid = to_regclass($1) AND i.indisprimary \
                     ORDER BY array_position(i.indkey, a.attnum)",
            )
            .bind(self.quote(table))
            .fetch_all(c))?,
            SourcePool::Mysql(pool) => on_held!(pool, |c| {
                sqlx::query_as(
                    "SELECT CAST(column_name AS CHAR) FROM information_schema.key_column_usage \
                     WHERE table_schema = DATABASE() AND table_name = ? AND constraint_name = 'PRIMARY' \
                     ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(c)
            })?,
        };
        Ok(rows.into_iter().map(|(name,)| name).collect())
    }

    /// A bounded random sample of a table's `columns`, as the engine takes one: rows in
    /// random order on SQLite and MariaDB, Bernoulli sampling on PostgreSQL where the table
    /// is larger than twice the sample; at most `n` rows, the whole table when smaller.
    pub(crate) async fn sample(
        &self,
        table: &str,
        columns: &[ColumnInfo],
        n: usize,
    ) -> Result<Sql> {
        let select: Vec<String> = columns.iter().map(|c| self.select_expr(c)).collect();
        let head = format!("SELECT {} FROM {}", select.join(", "), self.quote(table));
        let n = n.max(1);
        Ok(Sql::new(match self.engine() {
            Engine::Sqlite => format!("{head} ORDER BY random() LIMIT {n}"),
            Engine::Mysql => format!("{head} ORDER BY RAND() LIMIT {n}"),
            Engine::Postgres => match self.estimated_rows(table).await? {
                Some(estimate) if estimate > (2 * n) as f64 => {
                    let percent = (100.0 * 2.0 * n as f64 / estimate).min(100.0);
                    format!("{head} TABLESAMPLE BERNOULLI ({percent:.6}) LIMIT {n}")
                }
                _ => format!("{head} LIMIT {n}"),
            },
        }))
    }

    /// The planner's estimate of a table's rows (PostgreSQL; `None` elsewhere or unknown).
    pub(crate) async fn estimated_rows(&self, table: &str) -> Result<Option<f64>> {
        match self {
            SourcePool::Postgres(pool) => {
                let row: Option<(f64,)> = on_held!(pool, |c| sqlx::query_as(
                    "SELECT reltuples::float8 FROM pg_class WHERE oid = to_regclass($1)",
                )
                .bind(self.quote(table))
                .fetch_optional(c))?;
                Ok(row.map(|(n,)| n).filter(|n| *n >= 0.0))
            }
            _ => Ok(None),
        }
    }

    pub(crate) async fn has_index_on(&self, table: &str, column: &str) -> Result<bool> {
        // Three pieces of text around the table's and the column's names.
        let pieces = match self.engine() {
            // Whole (not partial) B-tree indexes: the ones that give rows in order.
            Engine::Sqlite => (
                "SELECT COUNT(*) FROM pragma_index_list(",
                ") AS l JOIN pragma_index_info(l.name) AS i WHERE i.seqno = 0 AND i.name = ",
                " AND l.partial = 0",
            ),
            Engine::Postgres => (
                "SELECT COUNT(*) FROM pg_index i JOIN pg_attribute a \
                   ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
                 JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam \
                 WHERE i.indrelid = to_regclass(",
                ") AND a.attname = ",
                " AND am.amname = 'btree' AND i.indpred IS NULL AND i.indisvalid",
            ),
            Engine::Mysql => (
                "SELECT COUNT(*) FROM information_schema.statistics \
                 WHERE table_schema = DATABASE() AND table_name = ",
                " AND column_name = ",
                " AND seq_in_index = 1 AND index_type = 'BTREE'",
            ),
        };
        let name = match self.engine() {
            Engine::Postgres => self.quote(table),
            _ => table.to_string(),
        };
        let mut sql = Sql::new(pieces.0);
        sql.bind(name).push(pieces.1);
        sql.bind(column).push(pieces.2);
        let mut found = false;
        self.for_each_row(&sql, &[Kind::Int], |row| {
            found = row[0].as_i64().unwrap_or(0) > 0;
            Ok(())
        })
        .await
        .with_context(|| format!("reading the indexes of `{table}`"))?;
        Ok(found)
    }

    /// Looks at the column's type, and for text at one of its values.
    pub(crate) async fn time_format(&self, table: &str, column: &ColumnInfo) -> Result<TimeFormat> {
        let t = column.db_type.to_ascii_lowercase();
        let native = match self.engine() {
            Engine::Postgres => matches!(t.as_str(), "timestamp" | "timestamptz" | "date"),
            Engine::Mysql => matches!(t.as_str(), "datetime" | "timestamp" | "date"),
            Engine::Sqlite => false,
        };
        if native {
            return Ok(TimeFormat::Native);
        }
        let sql = Sql::new(format!(
            "SELECT {} FROM {} WHERE {} IS NOT NULL LIMIT 1",
            self.select_expr(column),
            self.quote(table),
            self.quote(&column.name)
        ));
        let mut sample = None;
        self.for_each_row(&sql, &[column.kind], |row| {
            sample = Some(row[0].clone());
            Ok(())
        })
        .await?;
        Ok(match sample {
            Some(Json::Number(_)) => TimeFormat::Epoch,
            Some(Json::String(s)) if s.len() == 10 => TimeFormat::Date,
            Some(Json::String(s)) if s.as_bytes().get(10) == Some(&b' ') => TimeFormat::IsoSpace,
            Some(Json::String(s)) => TimeFormat::IsoT {
                zulu: s.ends_with('Z'),
            },
            _ => TimeFormat::IsoT { zulu: true },
        })
    }

    /// A timestamp truncated to a day, month or year, as `YYYY-MM-DD`, `YYYY-MM`, `YYYY`.
    pub(crate) fn truncate_time(
        &self,
        column: &ColumnInfo,
        format: TimeFormat,
        unit: crate::policy::Truncate,
    ) -> String {
        use crate::policy::Truncate;
        let c = self.quote(&column.name);
        let length = match unit {
            Truncate::Day => 10,
            Truncate::Month => 7,
            Truncate::Year => 4,
        };
        let pattern = |pg: &str, my: &str| match self.engine() {
            Engine::Postgres => format!("to_char({c}, '{pg}')"),
            Engine::Mysql => format!("DATE_FORMAT({c}, '{my}')"),
            Engine::Sqlite => c.clone(),
        };
        match (format, unit) {
            (TimeFormat::Epoch, _) => {
                let f = ["%Y-%m-%d", "%Y-%m", "%Y"]
                    [[10, 7, 4].iter().position(|l| *l == length).unwrap_or(0)];
                format!("strftime('{f}', {c}, 'unixepoch')")
            }
            (TimeFormat::Native, Truncate::Day) => pattern("YYYY-MM-DD", "%Y-%m-%d"),
            (TimeFormat::Native, Truncate::Month) => pattern("YYYY-MM", "%Y-%m"),
            (TimeFormat::Native, Truncate::Year) => pattern("YYYY", "%Y"),
            _ => format!("SUBSTR({c}, 1, {length})"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn errors_show_long_statements_cut() {
        let short = "DELETE FROM t WHERE id = ?";
        assert_eq!(super::shown(short), short);
        let long = format!("DELETE FROM t WHERE id IN ({})", vec!["?"; 5000].join(", "));
        let shown = super::shown(&long);
        assert!(shown.len() < 450, "{shown}");
        assert!(shown.starts_with("DELETE FROM t WHERE id IN (?, ?"));
        assert!(shown.ends_with(&format!("({} characters)", long.len())));
    }

    #[test]
    fn one_value_is_compared_as_it_is_on_postgres() {
        use super::{Dialect, Engine};
        use crate::sql::{Key, Placeholders};
        let dialect = Dialect(Engine::Postgres);
        let text = |v: &str| Some(v.to_string());
        let one = dialect.any_of("lower(\"e\")", vec![(vec![text("a@x")], "text".into())]);
        assert_eq!(
            one.render(Placeholders::Dollar),
            "lower(\"e\") = CAST($1 AS text)"
        );
        assert_eq!(one.binds(), &[Key::Text("a@x".into())]);
        let tuple = dialect.any_of(
            "\"a\", \"b\"",
            vec![
                (vec![text("o\"1")], "varchar".into()),
                (vec![None], "int2".into()),
            ],
        );
        assert_eq!(
            tuple.render(Placeholders::Dollar),
            "(\"a\", \"b\") = (CAST($1 AS varchar), CAST($2 AS int2))"
        );
        assert_eq!(tuple.binds(), &[Key::Text("o\"1".into()), Key::Null]);
        let many = dialect.any_of("\"id\"", vec![(vec![text("1"), text("2")], "int4".into())]);
        assert_eq!(
            many.render(Placeholders::Dollar),
            "\"id\" = ANY(CAST($1 AS int4[]))"
        );
        assert_eq!(many.binds(), &[Key::Text("{\"1\",\"2\"}".into())]);
        let domain = dialect.any_of(
            "\"code\"",
            vec![(vec![text("abcdefghijk")], "\"code_t\"".into())],
        );
        assert_eq!(
            domain.render(Placeholders::Dollar),
            "\"code\" = ANY(CAST($1 AS \"code_t\"[]))"
        );
    }

    use super::{Json, Key, Sql};

    /// The rows of `sql` as `pool` hands them over.
    async fn rows_of(pool: &super::SourcePool, sql: &Sql) -> Vec<Vec<Json>> {
        let mut rows = Vec::new();
        pool.for_each_row(sql, &[], |row| {
            rows.push(row);
            Ok(())
        })
        .await
        .unwrap();
        rows
    }

    const VALUES: &str = "CREATE TABLE t (id INTEGER PRIMARY KEY, v);
         INSERT INTO t (v) VALUES (NULL), (42), (-9223372036854775808), (0.1), (1e300),
             (-0.0), ('naïve ✓'), (''), (X'00ff10'), (X''), ('9007199254740993');";

    /// A SQLite file is read through its own connection ([`super::SqliteReader`]); the
    /// values are the ones the pool's driver gives (read from a database in memory,
    /// which only the driver can reach).
    #[tokio::test]
    async fn sqlite_files_read_as_the_driver_reads() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("values.db");
        let url = format!("sqlite://{}?mode=rwc", file.display());
        let on_file = super::SourcePool::sqlite(sqlx::SqlitePool::connect(&url).await.unwrap());
        let in_memory =
            super::SourcePool::sqlite(sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap());
        for pool in [&on_file, &in_memory] {
            let super::SourcePool::Sqlite(_, inner) = pool else {
                unreachable!()
            };
            sqlx::raw_sql(VALUES).execute(inner).await.unwrap();
        }
        let mut select = Sql::new("SELECT id, v, typeof(v) FROM t WHERE id >= ");
        select.bind(Key::Int(1)).push(" ORDER BY id");
        let read = rows_of(&on_file, &select).await;
        assert_eq!(read.len(), 11);
        assert_eq!(read, rows_of(&in_memory, &select).await);
        assert_eq!(read[8][1], Json::String("AP8Q".into()), "bytes as base64");
        let super::SourcePool::Sqlite(reader, _) = &on_file else {
            unreachable!()
        };
        assert!(
            reader.slot().conn.is_some(),
            "the file was read through the reader"
        );
        on_file.close().await;
        in_memory.close().await;
    }

    /// The kept reader sees what the pool committed since, and is closed before the
    /// pool, whose connection then folds the write-ahead log into the file and removes
    /// it, as it does without a reader.
    #[tokio::test]
    async fn sqlite_readers_see_commits_and_close_first() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wal.db");
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let inner = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap();
        let pool = super::SourcePool::sqlite(inner.clone());
        sqlx::raw_sql("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);")
            .execute(&inner)
            .await
            .unwrap();
        let count = Sql::new("SELECT COUNT(*) FROM t");
        assert_eq!(rows_of(&pool, &count).await, [[Json::from(1)]]);
        sqlx::query("INSERT INTO t VALUES (2), (3)")
            .execute(&inner)
            .await
            .unwrap();
        assert_eq!(rows_of(&pool, &count).await, [[Json::from(3)]]);
        let wal = dir.path().join("wal.db-wal");
        assert!(wal.exists(), "the commits are in the log");
        pool.close().await;
        assert!(!wal.exists(), "the log was folded and removed at close");
    }
}
