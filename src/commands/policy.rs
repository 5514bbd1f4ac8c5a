//! `privops policy check` and `privops policy map`.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::{Value, json};
use toml::Spanned;

use crate::context::Ctx;
use crate::error::{self, Outcome};
use crate::output::Format;
use crate::policy::{
    Diagnostic, EraseAction, Location, Normalise, Policy, Severity, SourceDef, taxonomy,
};
use crate::sources::rows::Key;
use crate::sources::{ForeignKey, SourcePool};
use crate::subject::IdentityRule;

#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Validate the policy folder; with --live, compare it with the real schemas
    Check(CheckArgs),
    /// Write the Art. 30 record of processing and the data map (md, csv or json)
    Map(MapArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Also connect to every source and report drift between policy and database
    #[arg(long)]
    pub live: bool,
}

#[derive(Debug, clap::Args)]
pub struct MapArgs {
    /// Write to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

pub async fn run(ctx: &Ctx, command: &PolicyCommand) -> Result<Outcome> {
    match command {
        PolicyCommand::Check(args) => check(ctx, args).await,
        PolicyCommand::Map(args) => map(ctx, args),
    }
}

#[derive(Debug, Serialize)]
struct Drift {
    source: String,
    kind: &'static str,
    table: String,
    column: Option<String>,
    message: String,
    /// Where the policy says what the database contradicts, when it says anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<At>,
    /// The live foreign key a finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    foreign_key: Option<ForeignKey>,
}

/// A place in the policy folder.
#[derive(Debug, Serialize)]
struct At {
    file: String,
    line: usize,
    column: usize,
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

async fn check(ctx: &Ctx, args: &CheckArgs) -> Result<Outcome> {
    let policy = Policy::load(&ctx.policy_folder()?)?;
    let mut diagnostics = policy.check();
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let mut drift = Vec::new();
    if args.live && errors == 0 {
        for source in &policy.sources {
            let (found, warnings) = live_drift(&policy, source).await?;
            drift.extend(found);
            diagnostics.extend(warnings);
        }
    }
    let warnings = diagnostics.len() - errors;
    if ctx.out.json_mode() {
        let listed: Vec<Value> = diagnostics
            .iter()
            .map(|d| {
                json!({
                    "severity": d.severity.name(),
                    "file": d.file,
                    "line": d.line,
                    "column": d.column,
                    "message": d.message,
                })
            })
            .collect();
        ctx.out.json(&json!({
            "policy": ctx.policy_dir(),
            "digest": policy.digest,
            "errors": errors,
            "warnings": warnings,
            "diagnostics": listed,
            "live": args.live && errors == 0,
            "drift": drift,
        }));
    } else {
        for diagnostic in &diagnostics {
            ctx.out.data(&diagnostic.to_string());
        }
        for item in &drift {
            match &item.at {
                Some(at) => ctx.out.data(&format!(
                    "{}:{}:{}: drift: {}",
                    at.file, at.line, at.column, item.message
                )),
                None => ctx.out.data(&format!("drift: {}", item.message)),
            }
        }
        let mut summary = format!(
            "{} file(s), {} error(s), {} warning(s)",
            policy.files.len(),
            errors,
            warnings
        );
        if args.live && errors == 0 {
            summary.push_str(&format!(", {} drift finding(s)", drift.len()));
        }
        ctx.out.status(&summary);
    }
    if errors > 0 {
        return Err(anyhow::anyhow!("the policy has {errors} error(s)"));
    }
    if !drift.is_empty() {
        return Ok(Outcome::No);
    }
    Ok(Outcome::Success)
}

/// Drift between the policy and the live schema of a source, and warnings about the values
/// its identity columns hold.
async fn live_drift(policy: &Policy, source: &SourceDef) -> Result<(Vec<Drift>, Vec<Diagnostic>)> {
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
async fn identity_forms(
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
            let sql = format!(
                "SELECT {} FROM {} WHERE {} IS NOT NULL LIMIT {IDENTITY_SAMPLE}",
                pool.select_expr(info),
                pool.quote(table.name()),
                pool.quote(column)
            );
            let (mut sampled, mut found, mut missed, mut invalid) = (
                0,
                Sampled::default(),
                Sampled::default(),
                Sampled::default(),
            );
            pool.for_each_row(&sql, &[], &[info.kind], |row| {
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

/// European Economic Area: transfers elsewhere are third-country transfers (Chapter V).
const EEA: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "EU",
];

/// The Art. 30 record and data map as one JSON value; Markdown and CSV are views of it.
pub fn record_of_processing(policy: &Policy) -> Value {
    let controller = policy.controller();
    let purposes: Vec<Value> = policy
        .purposes()
        .map(|p| {
            json!({
                "id": p.id.get_ref(),
                "title": p.title,
                "description": p.description,
                "basis": p.basis.name(),
                "article": p.basis.article(),
                "categories": p.categories.iter().map(|c| c.get_ref()).collect::<Vec<_>>(),
                "retention": p.retention,
                "consent_text_sha256": p.consent_text.as_ref().map(|t| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(t.as_bytes()))),
            })
        })
        .collect();
    let recipients: Vec<Value> = policy
        .providers()
        .map(|p| {
            let third: Vec<&String> = p
                .countries
                .iter()
                .filter(|c| !EEA.contains(&c.as_str()))
                .collect();
            json!({
                "id": p.id.get_ref(),
                "name": p.name,
                "role": p.role.name(),
                "countries": p.countries,
                "third_countries": third,
                "safeguard": p.safeguard,
                "categories": p.categories.iter().map(|c| c.get_ref()).collect::<Vec<_>>(),
                "purposes": p.purposes.iter().map(|c| c.get_ref()).collect::<Vec<_>>(),
                "erasure": if p.erase.is_some() { "api" } else if p.manual.is_some() { "manual" } else { "none" },
            })
        })
        .collect();
    let transfers: Vec<Value> = recipients
        .iter()
        .filter(|r| {
            r["third_countries"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        })
        .map(|r| {
            json!({
                "recipient": r["name"],
                "countries": r["third_countries"],
                "safeguard": r["safeguard"],
            })
        })
        .collect();
    let mut categories = BTreeSet::new();
    let mut retention = Vec::new();
    let mut sources = Vec::new();
    for source in &policy.sources {
        let mut tables = Vec::new();
        for table_def in &source.tables {
            let table = &table_def.table;
            let columns: Vec<Value> = table
                .columns
                .iter()
                .map(|(name, spec)| {
                    let spec = spec.get_ref();
                    if taxonomy::is_personal(&spec.category) {
                        categories.insert(spec.category.clone());
                    }
                    json!({
                        "name": name,
                        "category": spec.category,
                        "personal": taxonomy::is_personal(&spec.category),
                        "identity": spec.identity,
                        "mask": spec.mask,
                    })
                })
                .collect();
            let table_retention = table.retention.as_ref().map(|r| {
                let r = r.get_ref();
                json!({
                    "period": r.period.get_ref(),
                    "from": r.from.get_ref(),
                    "then": r.then,
                    "into": r.rollup.as_ref().map(|x| x.get_ref().into.get_ref().clone()),
                })
            });
            if let Some(r) = &table_retention {
                retention.push(json!({
                    "source": source.id(),
                    "table": table.name(),
                    "period": r["period"],
                    "from": r["from"],
                    "then": r["then"],
                }));
            }
            tables.push(json!({
                "name": table.name(),
                "description": table.description,
                "aggregate": table.aggregate,
                "key": table.key_columns(),
                "columns": columns,
                "relations": table.relation.iter().map(|r| {
                    let r = r.get_ref();
                    json!({
                        "columns": r.columns.iter().map(|c| c.get_ref()).collect::<Vec<_>>(),
                        "references": r.references.get_ref(),
                    })
                }).collect::<Vec<_>>(),
                "references": table.reference.iter().map(|r| {
                    let r = r.get_ref();
                    json!({
                        "columns": r.columns.iter().map(|c| c.get_ref()).collect::<Vec<_>>(),
                        "references": r.references.get_ref(),
                        "on_erase": r.on_erase,
                    })
                }).collect::<Vec<_>>(),
                "purposes": table.purposes.iter().map(|p| p.get_ref()).collect::<Vec<_>>(),
                "erase": table.erase.as_ref().map(|e| *e.get_ref()),
                "holds": table.hold.iter().map(|h| {
                    let h = h.get_ref();
                    json!({
                        "reason": h.reason,
                        "article": h.article,
                        "duration": h.duration.as_ref().map(|d| d.get_ref()),
                        "from": h.from.as_ref().map(|d| d.get_ref()),
                        "until": h.until.as_ref().map(|d| d.get_ref()),
                        "action": h.action,
                    })
                }).collect::<Vec<_>>(),
                "retention": table_retention,
            }));
        }
        sources.push(json!({
            "id": source.id(),
            "description": source.source.description,
            "engine": source.source.engine.name(),
            "location": source.source.location,
            "purposes": source.source.purposes.iter().map(|p| p.get_ref()).collect::<Vec<_>>(),
            "tables": tables,
        }));
    }
    let categories: Vec<Value> = categories
        .into_iter()
        .map(|c| {
            json!({
                "category": c,
                "description": taxonomy::describe(&c),
                "special": taxonomy::is_special(&c),
            })
        })
        .collect();
    json!({
        "controller": controller.map(|c| json!({
            "organisation": c.organisation,
            "address": c.address,
            "dpo": c.dpo,
            "deadline_days": c.deadline_days,
            "supervisory_authority": c.supervisory_authority,
        })),
        "data_subjects": controller.map(|c| c.data_subjects.clone()).unwrap_or_default(),
        "purposes": purposes,
        "categories": categories,
        "recipients": recipients,
        "transfers": transfers,
        "retention": retention,
        "security_measures": controller.map(|c| c.security_measures.clone()).unwrap_or_default(),
        "policy_digest": policy.digest,
        "sources": sources,
    })
}

fn map(ctx: &Ctx, args: &MapArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let record = record_of_processing(&policy);
    let text = match ctx.out.format {
        Format::Json => serde_json::to_string_pretty(&record)? + "\n",
        Format::Human | Format::Md => crate::render::render("record-of-processing.md", &record)?,
        Format::Csv => data_map_csv(&record)?,
        Format::Html => {
            return Err(error::usage(
                "policy map writes md, csv or json; pass --format md|csv|json",
            ));
        }
    };
    match &args.out {
        Some(path) => {
            let mut file = crate::fsutil::PendingFile::create(path, true)?;
            std::io::Write::write_all(&mut file, text.as_bytes())?;
            file.commit()?;
            ctx.out.status(&format!("wrote {}", path.display()));
        }
        None => ctx.out.data(&text),
    }
    Ok(Outcome::Success)
}

/// The data map as CSV: one row per column of every table.
fn data_map_csv(record: &Value) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "source",
        "engine",
        "table",
        "aggregate",
        "column",
        "category",
        "personal",
        "identity",
        "erase",
        "mask",
        "retention",
        "holds",
    ])?;
    let text = crate::output::plain;
    for source in record["sources"].as_array().into_iter().flatten() {
        for table in source["tables"].as_array().into_iter().flatten() {
            let retention = match &table["retention"] {
                Value::Null => String::new(),
                r => format!(
                    "{} from {} then {}",
                    text(&r["period"]),
                    text(&r["from"]),
                    text(&r["then"])
                ),
            };
            let holds: Vec<String> = table["holds"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|h| format!("{} (Art. {})", text(&h["reason"]), text(&h["article"])))
                .collect();
            for column in table["columns"].as_array().into_iter().flatten() {
                writer.write_record([
                    text(&source["id"]),
                    text(&source["engine"]),
                    text(&table["name"]),
                    text(&table["aggregate"]),
                    text(&column["name"]),
                    text(&column["category"]),
                    text(&column["personal"]),
                    text(&column["identity"]),
                    text(&table["erase"]),
                    text(&column["mask"]),
                    retention.clone(),
                    holds.join("; "),
                ])?;
            }
        }
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
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
