//! Reading and matching rows of any engine: column types from the live schema, a
//! projection that turns every column into a JSON-friendly value, typed keys that bind
//! back into set-based `IN` lists, and row streaming with flat memory.

use anyhow::{Context, Result};
use base64::Engine as _;
use futures_util::TryStreamExt;
use serde_json::Value as Json;
use sqlx::{Row, TypeInfo, ValueRef};

use super::{SourcePool, quote};
use crate::policy::Engine;

/// A key or reference value, as bound back into queries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Null,
    Int(i64),
    Text(String),
}

impl Key {
    pub fn from_json(value: &Json) -> Key {
        match value {
            Json::Null => Key::Null,
            Json::Number(n) => n
                .as_i64()
                .map_or_else(|| Key::Text(n.to_string()), Key::Int),
            Json::String(s) => Key::Text(s.clone()),
            other => Key::Text(other.to_string()),
        }
    }

    pub fn to_json(&self) -> Json {
        match self {
            Key::Null => Json::Null,
            Key::Int(i) => Json::from(*i),
            Key::Text(s) => Json::from(s.clone()),
        }
    }

    pub fn as_text(&self) -> Option<String> {
        match self {
            Key::Null => None,
            Key::Int(i) => Some(i.to_string()),
            Key::Text(s) => Some(s.clone()),
        }
    }
}

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

/// Splits `schema.table` for catalogue lookups.
fn split_table(table: &str) -> (Option<&str>, &str) {
    match table.split_once('.') {
        Some((schema, name)) => (Some(schema), name),
        None => (None, table),
    }
}

impl SourcePool {
    pub fn engine(&self) -> Engine {
        match self {
            SourcePool::Sqlite(_) => Engine::Sqlite,
            SourcePool::Postgres(_) => Engine::Postgres,
            SourcePool::Mysql(_) => Engine::Mysql,
        }
    }

    /// The `n`th (1-based) bind parameter in this dialect.
    pub fn param(&self, n: usize) -> String {
        match self {
            SourcePool::Postgres(_) => format!("${n}"),
            _ => "?".to_string(),
        }
    }

    pub fn quote(&self, name: &str) -> String {
        quote(self.engine(), name)
    }

    /// The columns of a table, in their order, with how to read them.
    pub async fn table_columns(&self, table: &str) -> Result<Vec<ColumnInfo>> {
        let (schema, name) = split_table(table);
        let rows: Vec<(String, String)> = match self {
            SourcePool::Sqlite(pool) => sqlx::query_as("SELECT name, type FROM pragma_table_info(?) ORDER BY cid")
                .bind(name)
                .fetch_all(pool)
                .await?,
            SourcePool::Postgres(pool) => sqlx::query_as(
                "SELECT column_name::text, udt_name::text FROM information_schema.columns \
                 WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2 ORDER BY ordinal_position",
            )
            .bind(schema)
            .bind(name)
            .fetch_all(pool)
            .await?,
            SourcePool::Mysql(pool) => sqlx::query_as(
                "SELECT CAST(column_name AS CHAR), CAST(data_type AS CHAR) FROM information_schema.columns \
                 WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ? ORDER BY ordinal_position",
            )
            .bind(schema)
            .bind(name)
            .fetch_all(pool)
            .await?,
        };
        if rows.is_empty() {
            anyhow::bail!("table `{table}` does not exist in the database");
        }
        let engine = self.engine();
        Ok(rows
            .into_iter()
            .map(|(name, db_type)| ColumnInfo {
                kind: kind_of(engine, &db_type),
                name,
                db_type,
            })
            .collect())
    }

    /// The expression that reads a column in the form [`Kind`] promises.
    pub fn select_expr(&self, column: &ColumnInfo) -> String {
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

    /// A bind parameter compared with `column`: text bound to a PostgreSQL column of
    /// another type (uuid, date...) is cast to that type so indexes still apply.
    pub fn bind_expr(&self, column: &ColumnInfo, n: usize) -> String {
        let param = self.param(n);
        match (self.engine(), column.kind) {
            (Engine::Postgres, Kind::Text)
                if !matches!(
                    column.db_type.as_str(),
                    "text" | "varchar" | "bpchar" | "name"
                ) =>
            {
                format!("CAST({param} AS {})", column.db_type)
            }
            _ => param,
        }
    }

    /// Runs a query and hands each row to `each` as JSON values read per `kinds`,
    /// streaming (rows are never all held at once).
    pub async fn for_each_row(
        &self,
        sql: &str,
        binds: &[Key],
        kinds: &[Kind],
        mut each: impl FnMut(Vec<Json>) -> Result<()>,
    ) -> Result<()> {
        macro_rules! stream {
            ($pool:expr, $decode:expr) => {{
                let mut query = sqlx::query(sql);
                for key in binds {
                    query = match key {
                        Key::Null => query.bind(None::<String>),
                        Key::Int(i) => query.bind(*i),
                        Key::Text(s) => query.bind(s.as_str()),
                    };
                }
                let mut rows = query.fetch($pool);
                while let Some(row) = rows
                    .try_next()
                    .await
                    .with_context(|| format!("query failed: {sql}"))?
                {
                    each($decode(&row, kinds)?)?;
                }
            }};
        }
        match self {
            SourcePool::Sqlite(pool) => stream!(pool, decode_sqlite),
            SourcePool::Postgres(pool) => stream!(pool, decode_pg),
            SourcePool::Mysql(pool) => stream!(pool, decode_mysql),
        }
        Ok(())
    }
}

fn text_value(kind: Kind, text: Option<String>) -> Json {
    match (kind, text) {
        (_, None) => Json::Null,
        (Kind::Json, Some(t)) => serde_json::from_str(&t).unwrap_or(Json::String(t)),
        (_, Some(t)) => Json::String(t),
    }
}

fn number(value: f64) -> Json {
    serde_json::Number::from_f64(value).map_or(Json::Null, Json::Number)
}

fn decode_sqlite(row: &sqlx::sqlite::SqliteRow, _kinds: &[Kind]) -> Result<Vec<Json>> {
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

fn decode_pg(row: &sqlx::postgres::PgRow, kinds: &[Kind]) -> Result<Vec<Json>> {
    kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            Ok(match kind {
                Kind::Int => row
                    .try_get::<Option<i64>, _>(i)?
                    .map_or(Json::Null, Json::from),
                Kind::Float => row.try_get::<Option<f64>, _>(i)?.map_or(Json::Null, number),
                Kind::Bool => row
                    .try_get::<Option<bool>, _>(i)?
                    .map_or(Json::Null, Json::from),
                _ => text_value(*kind, row.try_get::<Option<String>, _>(i)?),
            })
        })
        .collect()
}

fn decode_mysql(row: &sqlx::mysql::MySqlRow, kinds: &[Kind]) -> Result<Vec<Json>> {
    kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            Ok(match kind {
                Kind::Int => row
                    .try_get::<Option<i64>, _>(i)?
                    .map_or(Json::Null, Json::from),
                Kind::Float => row.try_get::<Option<f64>, _>(i)?.map_or(Json::Null, number),
                _ => text_value(*kind, row.try_get::<Option<String>, _>(i)?),
            })
        })
        .collect()
}
