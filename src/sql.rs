//! One way to write a statement: text, bound values, and placeholders numbered as the
//! engine wants them only when the statement is finished.
//!
//! Fragments (a hold's condition, an `IN` list of keys, the rows of a chunk) are [`Sql`]
//! values of their own that carry their parameters with them, so whoever puts them
//! together never counts placeholders. Identifiers are quoted by the engine's dialect
//! (`sources::quote`) before they reach [`Sql::push`]; values are always bound.

/// A value bound into a statement: keys and references of the sources, and the state
/// store's text and numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Null,
    Int(i64),
    Text(String),
}

/// As SQLite's own library binds it (the store's direct reads, a source's reader).
impl From<&Key> for rusqlite::types::Value {
    fn from(key: &Key) -> Self {
        match key {
            Key::Null => rusqlite::types::Value::Null,
            Key::Int(i) => rusqlite::types::Value::Integer(*i),
            Key::Text(s) => rusqlite::types::Value::Text(s.clone()),
        }
    }
}

impl Key {
    /// A value read from a row (see `sources::rows`), as it binds back.
    pub(crate) fn from_json(value: &serde_json::Value) -> Key {
        use serde_json::Value as Json;
        match value {
            Json::Null => Key::Null,
            Json::Number(n) => n
                .as_i64()
                .map_or_else(|| Key::Text(n.to_string()), Key::Int),
            Json::String(s) => Key::Text(s.clone()),
            other => Key::Text(other.to_string()),
        }
    }

    /// As [`Key::from_json`], taking the value's text rather than copying it.
    pub(crate) fn from_json_owned(value: serde_json::Value) -> Key {
        match value {
            serde_json::Value::String(s) => Key::Text(s),
            other => Key::from_json(&other),
        }
    }

    pub(crate) fn as_text(&self) -> Option<String> {
        match self {
            Key::Null => None,
            Key::Int(i) => Some(i.to_string()),
            Key::Text(s) => Some(s.clone()),
        }
    }
}

impl From<&str> for Key {
    fn from(value: &str) -> Key {
        Key::Text(value.to_string())
    }
}

impl From<String> for Key {
    fn from(value: String) -> Key {
        Key::Text(value)
    }
}

impl From<&String> for Key {
    fn from(value: &String) -> Key {
        Key::Text(value.clone())
    }
}

impl From<i64> for Key {
    fn from(value: i64) -> Key {
        Key::Int(value)
    }
}

impl<T: Into<Key>> From<Option<T>> for Key {
    fn from(value: Option<T>) -> Key {
        value.map_or(Key::Null, Into::into)
    }
}

/// PostgreSQL's text form of an array of `values` (`{"a","b",NULL}`), bound as one text
/// parameter and cast (`CAST($1 AS text[])`): one parameter for any number of values,
/// through any driver.
/// Elements are written NULL bare, anything else in double quotes with `"` and `\`
/// escaped (PostgreSQL reads a quoted number as the number).
pub(crate) fn pg_array<S: AsRef<str>>(values: impl IntoIterator<Item = Option<S>>) -> String {
    let mut array = String::from("{");
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            array.push(',');
        }
        let Some(text) = value else {
            array.push_str("NULL");
            continue;
        };
        array.push('"');
        // Runs between the characters that need a backslash are copied whole.
        let mut rest = text.as_ref();
        while let Some(at) = rest.find(['"', '\\']) {
            array.push_str(&rest[..at]);
            array.push('\\');
            array.push_str(&rest[at..at + 1]);
            rest = &rest[at + 1..];
        }
        array.push_str(rest);
        array.push('"');
    }
    array.push('}');
    array
}

/// How an engine writes its parameters: `?` (SQLite, MariaDB/MySQL), which binds by
/// position without a name lookup per parameter, or `$1`, `$2`... (PostgreSQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholders {
    Question,
    Dollar,
}

/// A statement or a fragment of one, with its parameters in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sql {
    text: String,
    /// Where each parameter goes in `text` (byte offsets, ascending).
    marks: Vec<usize>,
    binds: Vec<Key>,
    /// Planned anew with its values each time it runs, never from a plan kept for its
    /// text (see [`Sql::plan_with_values`]).
    with_values: bool,
}

impl Sql {
    /// Text without parameters.
    pub fn new(text: impl Into<String>) -> Sql {
        Sql {
            text: text.into(),
            ..Sql::default()
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// A parameter here, bound to `value`.
    pub fn bind(&mut self, value: impl Into<Key>) -> &mut Sql {
        self.marks.push(self.text.len());
        self.binds.push(value.into());
        self
    }

    /// `values` as parameters separated by commas (a row of `VALUES`, an `IN` list).
    pub fn bind_list<K: Into<Key>>(&mut self, values: impl IntoIterator<Item = K>) -> &mut Sql {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self
    }

    /// Another fragment here, its parameters after those already bound.
    pub fn append(&mut self, other: &Sql) -> &mut Sql {
        let offset = self.text.len();
        self.text.push_str(&other.text);
        self.marks.extend(other.marks.iter().map(|m| m + offset));
        self.binds.extend(other.binds.iter().cloned());
        self.with_values |= other.with_values;
        self
    }

    /// The statement this fragment ends up in is planned with its bound values each time
    /// it runs (an unnamed statement, not one prepared and kept): a fragment whose
    /// values the planner must see as constants, such as a PostgreSQL array it can only
    /// hash when it is one. Kept through [`Sql::append`] and [`Sql::join`].
    pub(crate) fn plan_with_values(&mut self) -> &mut Sql {
        self.with_values = true;
        self
    }

    /// Whether [`Sql::plan_with_values`] was asked of this statement or a fragment in it.
    pub(crate) fn plans_with_values(&self) -> bool {
        self.with_values
    }

    /// The fragments one after the other, `separator` between them.
    pub fn join<'a>(parts: impl IntoIterator<Item = &'a Sql>, separator: &str) -> Sql {
        let mut out = Sql::default();
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                out.push(separator);
            }
            out.append(part);
        }
        out
    }

    pub fn binds(&self) -> &[Key] {
        &self.binds
    }

    /// The text the engine runs, parameters numbered from 1.
    pub fn render(&self, style: Placeholders) -> String {
        let mut out = String::with_capacity(self.text.len() + self.marks.len() * 4);
        let mut at = 0;
        for (i, &mark) in self.marks.iter().enumerate() {
            out.push_str(&self.text[at..mark]);
            match style {
                Placeholders::Question => out.push('?'),
                Placeholders::Dollar => {
                    out.push('$');
                    out.push_str(&(i + 1).to_string());
                }
            }
            at = mark;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

/// Binds `binds` to a sqlx query in order, whatever the driver.
macro_rules! bind_keys {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for key in $binds {
            query = match key {
                $crate::sql::Key::Null => query.bind(None::<String>),
                $crate::sql::Key::Int(i) => query.bind(*i),
                $crate::sql::Key::Text(s) => query.bind(s.as_str()),
            };
        }
        query
    }};
}
pub(crate) use bind_keys;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planning_with_values_survives_append_and_join() {
        let mut marked = Sql::new("k = ");
        marked.bind(1i64).plan_with_values();
        let plain = Sql::new("TRUE");
        assert!(!plain.plans_with_values());
        let mut statement = Sql::new("SELECT 1 WHERE ");
        statement.append(&Sql::join([&plain, &marked], " OR "));
        assert!(statement.plans_with_values());
        assert!(!Sql::join([&plain, &plain], " OR ").plans_with_values());
    }

    #[test]
    fn array_text_quotes_every_element() {
        assert_eq!(
            pg_array([
                Some("a"),
                None,
                Some("x\"y"),
                Some("b\\c"),
                Some("NULL"),
                Some("{,} ")
            ]),
            r#"{"a",NULL,"x\"y","b\\c","NULL","{,} "}"#
        );
        assert_eq!(pg_array::<&str>([]), "{}");
    }

    #[test]
    fn numbers_parameters_of_fragments_in_order() {
        let mut condition = Sql::new("(\"at\" IS NULL OR \"at\" > ");
        condition.bind("2026-01-01").push(")");
        let mut keys = Sql::new("\"id\" IN (");
        keys.bind_list([1i64, 2, 3]).push(")");
        let mut statement = Sql::new("DELETE FROM \"t\" WHERE ");
        statement.append(&keys).push(" AND NOT ").append(&condition);
        assert_eq!(
            statement.render(Placeholders::Dollar),
            "DELETE FROM \"t\" WHERE \"id\" IN ($1, $2, $3) AND NOT (\"at\" IS NULL OR \"at\" > $4)"
        );
        assert_eq!(
            statement.render(Placeholders::Question),
            "DELETE FROM \"t\" WHERE \"id\" IN (?, ?, ?) AND NOT (\"at\" IS NULL OR \"at\" > ?)"
        );
        assert_eq!(
            statement.binds(),
            &[
                Key::Int(1),
                Key::Int(2),
                Key::Int(3),
                Key::Text("2026-01-01".into())
            ]
        );
    }

    #[test]
    fn text_that_looks_like_a_placeholder_stays_text() {
        // A quoted name may hold `?` or `$1`: only marks become parameters.
        let mut sql = Sql::new("SELECT \"a?$1\" FROM \"t\" WHERE \"b\" = ");
        sql.bind(Key::Null);
        assert_eq!(
            sql.render(Placeholders::Dollar),
            "SELECT \"a?$1\" FROM \"t\" WHERE \"b\" = $1"
        );
        let joined = Sql::join([&sql, &sql], " UNION ALL ");
        assert_eq!(
            joined.render(Placeholders::Dollar),
            "SELECT \"a?$1\" FROM \"t\" WHERE \"b\" = $1 UNION ALL SELECT \"a?$1\" FROM \"t\" WHERE \"b\" = $2"
        );
        assert_eq!(joined.binds().len(), 2);
    }
}
