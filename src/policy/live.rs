//! The policy against the live databases (`privops policy check --live`): tables and
//! columns that differ, foreign keys the policy does not declare or declares wrongly, and
//! identities stored in forms lookups would miss.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use serde::Serialize;
use toml::Spanned;

use super::{Diagnostic, EraseAction, Location, Normalise, Policy, Severity, SourceDef};
use crate::sources::rows::Key;
use crate::sources::{ForeignKey, SourcePool};
use crate::sql::Sql;
use crate::subject::IdentityRule;

/// A difference between the policy and a live database.
#[derive(Debug, Serialize)]
pub struct Drift {
    pub source: String,
    pub kind: &'static str,
    pub table: String,
    pub column: Option<String>,
    pub message: String,
    /// Where the policy says what the database contradicts, when it says anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<At>,
    /// The live foreign key a finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foreign_key: Option<ForeignKey>,
}

/// A place in the policy folder.
#[derive(Debug, Serialize)]
pub struct At {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl At {
    fn of<T>(policy: &Policy, file: usize, spanned: &Spanned<T>) -> At {
        let diagnostic = policy.diagnostic(
            Severity::Error,
            Location {
                file,
                start: spanned.span().start,
            },
            String::new(),
        );
        At {
            file: diagnostic.file,
            line: diagnostic.line,
            column: diagnostic.column,
        }
    }
}

impl Drift {
    fn new(source: &str, kind: &'static str, table: &str, message: String) -> Drift {
        Drift {
            source: source.to_string(),
            kind,
            table: table.to_string(),
            column: None,
            message,
            at: None,
            foreign_key: None,
        }
    }

    fn column(mut self, column: &str) -> Drift {
        self.column = Some(column.to_string());
        self
    }

    fn at(mut self, at: At) -> Drift {
        self.at = Some(at);
        self
    }

    fn foreign_key(mut self, key: &ForeignKey) -> Drift {
        self.foreign_key = Some(key.clone());
        self
    }
}

/// The drift of one source from the policy (tables, columns, foreign keys, the forms of
/// stored identities), and warnings about identities stored in other forms.
pub async fn live_drift(
    policy: &Policy,
    source: &SourceDef,
) -> Result<(Vec<Drift>, Vec<Diagnostic>)> {
    let pool = SourcePool::connect(policy, source).await?;
    let read = async {
        let live = pool.schema().await?;
        let keys = pool.foreign_keys().await?;
        let warnings = identity_forms(policy, source, &pool, &live).await?;
        anyhow::Ok((live, keys, warnings))
    }
    .await;
    pool.close().await;
    let (live, keys, warnings) = read.with_context(|| format!("source `{}`", source.id()))?;
    let mut drift = schema_drift(policy, source, &live);
    drift.extend(foreign_key_drift(policy, source, &keys));
    Ok((drift, warnings))
}

/// Tables and columns on one side only.
fn schema_drift(
    policy: &Policy,
    source: &SourceDef,
    live: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<Drift> {
    let mut drift = Vec::new();
    let id = source.id();
    for (table, columns) in live {
        match source.tables.iter().find(|t| t.table.name() == table) {
            None => drift.push(Drift::new(
                id,
                "table_not_in_policy",
                table,
                format!("source `{id}`: table `{table}` is in the database but not in the policy"),
            )),
            Some(table_def) => {
                let policy_table = &table_def.table;
                for column in columns {
                    if policy_table.column(column).is_none() {
                        drift.push(
                            Drift::new(
                                id,
                                "column_not_in_policy",
                                table,
                                format!(
                                    "source `{id}`: column `{table}.{column}` is in the database but not in the policy (unclassified)"
                                ),
                            )
                            .column(column)
                            .at(At::of(policy, table_def.file, &policy_table.name)),
                        );
                    }
                }
                for (column, spec) in &policy_table.columns {
                    if !columns.contains(column) {
                        drift.push(
                            Drift::new(
                                id,
                                "column_not_in_database",
                                table,
                                format!(
                                    "source `{id}`: column `{table}.{column}` is in the policy but not in the database"
                                ),
                            )
                            .column(column)
                            .at(At::of(policy, table_def.file, spec)),
                        );
                    }
                }
            }
        }
    }
    for table_def in &source.tables {
        let table = table_def.table.name();
        if !live.contains_key(table) {
            drift.push(
                Drift::new(
                    id,
                    "table_not_in_database",
                    table,
                    format!(
                        "source `{id}`: table `{table}` is in the policy but not in the database"
                    ),
                )
                .at(At::of(policy, table_def.file, &table_def.table.name)),
            );
        }
    }
    drift
}

/// Live foreign keys the policy does not account for: a key that is neither a relation
/// nor a reference, and a key that makes `erase = "delete"` fail because nothing says
/// what happens to the rows that point at a deleted row.
fn foreign_key_drift(policy: &Policy, source: &SourceDef, keys: &[ForeignKey]) -> Vec<Drift> {
    let mut drift = Vec::new();
    let id = source.id();
    let table_def = |name: &str| source.tables.iter().find(|t| t.table.name() == name);
    for key in keys {
        let declared = key.declared_as(source);
        let shown = format!(
            "`{}`({}) -> `{}`({}) ON DELETE {}",
            key.table,
            key.columns.join(", "),
            key.referenced_table,
            key.referenced_columns.join(", "),
            key.on_delete.sql()
        );
        // A table missing from the policy is drift of its own; its keys wait for it.
        if let (None, Some(referencing)) = (declared, table_def(&key.table)) {
            let table = &referencing.table;
            let at = match key.columns.first().and_then(|c| table.columns.get(c)) {
                Some(spec) => At::of(policy, referencing.file, spec),
                None => At::of(policy, referencing.file, &table.name),
            };
            drift.push(
                Drift::new(
                    id,
                    "foreign_key_not_in_policy",
                    &key.table,
                    format!(
                        "source `{id}`: the foreign key {shown} is neither a relation nor a reference of `{}`: declare it as [[table.relation]] (its rows are the subject's too) or [[table.reference]] (they point at another person)",
                        key.table
                    ),
                )
                .column(&key.columns.join(", "))
                .at(at)
                .foreign_key(key),
            );
        }
        let Some(referenced) = table_def(&key.referenced_table) else {
            continue;
        };
        let Some(erase) = &referenced.table.erase else {
            continue;
        };
        if *erase.get_ref() != EraseAction::Delete
            || declared.is_some()
            || key.on_delete.clears_references()
        {
            continue;
        }
        drift.push(
            Drift::new(
                id,
                "delete_blocked_by_foreign_key",
                &key.referenced_table,
                format!(
                    "source `{id}`: `{}` says erase = \"delete\" but the foreign key {shown} has no declared way out: deleting a subject's row that `{}` rows point at fails (or, where the key is not enforced, leaves them dangling); declare the key as a relation or a reference of `{}`, or make it ON DELETE CASCADE or SET NULL",
                    key.referenced_table, key.table, key.table
                ),
            )
            .at(At::of(policy, referenced.file, erase))
            .foreign_key(key),
        );
    }
    drift
}

/// How many values of each identity column `policy check --live` reads.
const IDENTITY_SAMPLE: usize = 1000;

/// Sampled values of one identity column that share a problem, and the first of them.
#[derive(Default)]
struct Sampled {
    count: usize,
    example: Option<String>,
}

impl Sampled {
    fn add(&mut self, value: &str) {
        self.count += 1;
        if self.example.is_none() {
            self.example = Some(masked(value));
        }
    }
}

/// Warnings, at the column's declaration, for identity columns whose values (the first
/// [`IDENTITY_SAMPLE`] that are not NULL) are not in the normalised form lookups prefer.
/// Examples are masked: a warning never shows a whole value.
pub(crate) async fn identity_forms(
    policy: &Policy,
    source: &SourceDef,
    pool: &SourcePool,
    live: &BTreeMap<String, BTreeSet<String>>,
) -> Result<Vec<Diagnostic>> {
    let mut warnings = Vec::new();
    for table_def in &source.tables {
        let table = &table_def.table;
        let Some(live_columns) = live.get(table.name()) else {
            continue;
        };
        for (column, kind) in table.identity_columns() {
            let Some(rule) = source.identities.get(kind).map(IdentityRule::of) else {
                continue;
            };
            if !live_columns.contains(column) {
                continue;
            }
            let columns = pool.table_columns(table.name()).await?;
            let Some(info) = columns.iter().find(|c| c.name == column) else {
                continue;
            };
            let sql = Sql::new(format!(
                "SELECT {} FROM {} WHERE {} IS NOT NULL LIMIT {IDENTITY_SAMPLE}",
                pool.select_expr(info),
                pool.quote(table.name()),
                pool.quote(column)
            ));
            let (mut sampled, mut found, mut missed, mut invalid) = (
                0,
                Sampled::default(),
                Sampled::default(),
                Sampled::default(),
            );
            pool.for_each_row(&sql, &[info.kind], |row| {
                sampled += 1;
                let Some(value) = Key::from_json(&row[0]).as_text() else {
                    return Ok(());
                };
                match rule.normalise(&value) {
                    Ok(normalised) if normalised == value => {}
                    Ok(normalised) if rule.finds(&value, &normalised) => found.add(&value),
                    Ok(_) => missed.add(&value),
                    Err(_) => invalid.add(&value),
                }
                Ok(())
            })
            .await
            .with_context(|| format!("sampling the identity column `{}.{column}`", table.name()))?;
            let at = Location {
                file: table_def.file,
                start: table.columns[column].span().start,
            };
            let of = |s: &Sampled| {
                format!(
                    "{} of {sampled} sampled values of {}.{column}",
                    s.count,
                    table.name()
                )
            };
            let example = |s: &Sampled| s.example.clone().unwrap_or_default();
            let form = rule.form_name();
            if found.count > 0 {
                let how = match rule.normalise {
                    Normalise::Phone => "lookups also try the common written forms of a number",
                    Normalise::Email => "e-mail lookups ignore case",
                    // Found only as written, that is when normalised: never counted here.
                    Normalise::Lower | Normalise::Trim => "lookups compare them as written",
                };
                warnings.push(policy.diagnostic(
                    Severity::Warning,
                    at,
                    format!(
                        "{} are not in {form} form (e.g. {}); they are still found ({how}), but normalising them makes every lookup an exact match",
                        of(&found),
                        example(&found)
                    ),
                ));
            }
            if missed.count > 0 {
                warnings.push(policy.diagnostic(
                    Severity::Warning,
                    at,
                    format!(
                        "{} are written in a form lookups do not try (e.g. {}): access and erasure miss their rows until they are normalised to {form} form",
                        of(&missed),
                        example(&missed)
                    ),
                ));
            }
            if invalid.count > 0 {
                let what = match rule.normalise {
                    Normalise::Phone => "valid phone numbers",
                    Normalise::Email => "valid e-mail addresses",
                    Normalise::Lower | Normalise::Trim => "identities (they are blank)",
                };
                warnings.push(policy.diagnostic(
                    Severity::Warning,
                    at,
                    format!(
                        "{} are not {what} (e.g. {}): no subject's lookup finds their rows",
                        of(&invalid),
                        example(&invalid)
                    ),
                ));
            }
        }
    }
    Ok(warnings)
}

/// A stored value as a warning may show it: separators kept, most letters and digits
/// starred (`0**-***-3456`, `M****.****@E******.com`).
fn masked(value: &str) -> String {
    if let Some((local, domain)) = value.rsplit_once('@') {
        let (host, tld) = match domain.rsplit_once('.') {
            Some((host, tld)) => (host, format!(".{tld}")),
            None => (domain, String::new()),
        };
        return format!(
            "{}@{}{tld}",
            star_all_but_first(local),
            star_all_but_first(host)
        );
    }
    let count = value.chars().filter(|c| c.is_alphanumeric()).count();
    let (head, tail) = match count {
        10.. => (1, 4),
        7..=9 => (0, 2),
        _ => (0, 0),
    };
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if !c.is_alphanumeric() {
                return c;
            }
            seen += 1;
            if seen <= head || seen > count - tail {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// A part of an address with its first character kept when it has three or more.
fn star_all_but_first(text: &str) -> String {
    let keep = usize::from(text.chars().count() >= 3);
    text.chars()
        .enumerate()
        .map(|(i, c)| if i < keep || c == '.' { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_show_values_masked() {
        assert_eq!(masked("054-612-3456"), "0**-***-3456");
        assert_eq!(masked("+1 (650) 253-0000"), "+1 (***) ***-0000");
        assert_eq!(masked("Mixed.Case@Example.com"), "M****.****@E******.com");
        assert_eq!(masked("12345678"), "******78");
        assert_eq!(masked("12345"), "*****");
        assert_eq!(masked("a@b.c"), "*@*.c");
        for value in ["054-612-3456", "Mixed.Case@Example.com", "+972546123456"] {
            assert_ne!(masked(value), value);
        }
    }
}
