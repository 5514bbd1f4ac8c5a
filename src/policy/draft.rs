//! `privops policy init --from-live`: a draft policy for a live database. The facts are
//! read once (tables, keys, foreign keys, a sample of each column through the detectors);
//! the draft is decided from them without a database (`Draft::decide`) and written as
//! TOML where every guess carries a `# review:` comment saying why it was made.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;

use crate::detect::{self, Detector};
use crate::sources::SourcePool;
use crate::sources::foreign_keys::ForeignKey;
use crate::sources::rows::{ColumnInfo, Kind};
use crate::sql::Key;

/// What the database says about one column.
#[derive(Debug, Clone)]
pub struct ColumnFacts {
    pub name: String,
    pub numeric: bool,
    /// Non-empty values sampled, and the detector most of them answer to.
    pub sampled: u64,
    pub dominant: Option<(Detector, u64)>,
}

/// What the database says about one table.
#[derive(Debug, Clone)]
pub struct TableFacts {
    pub name: String,
    pub key: Vec<String>,
    pub columns: Vec<ColumnFacts>,
}

/// A whole database, as read.
#[derive(Debug, Clone)]
pub struct Facts {
    pub engine: crate::policy::Engine,
    pub tables: Vec<TableFacts>,
    pub foreign_keys: Vec<ForeignKey>,
}

/// Reads the facts: every table (names the policy language accepts), its primary key, its
/// columns and a bounded random sample of their values.
pub async fn read(pool: &SourcePool, sample: usize) -> Result<Facts> {
    let live = pool.schema().await?;
    let foreign_keys = pool.foreign_keys().await?;
    let region = None;
    let mut tables = Vec::new();
    for name in live.keys() {
        let columns = pool.table_columns(name).await?;
        let key = pool.primary_key(name).await?;
        let kinds: Vec<Kind> = columns.iter().map(|c| c.kind).collect();
        let sql = pool.sample(name, &columns, sample).await?;
        let mut counts: Vec<(u64, BTreeMap<Detector, u64>)> =
            columns.iter().map(|_| (0, BTreeMap::new())).collect();
        pool.for_each_row(&sql, &kinds, |row| {
            for (i, value) in row.iter().enumerate() {
                let Some(text) = Key::from_json(value).as_text() else {
                    continue;
                };
                if text.trim().is_empty() {
                    continue;
                }
                counts[i].0 += 1;
                if let Some(detector) = detect::classify(&text, region) {
                    *counts[i].1.entry(detector).or_default() += 1;
                }
            }
            Ok(())
        })
        .await?;
        tables.push(TableFacts {
            name: name.clone(),
            key,
            columns: columns
                .iter()
                .zip(counts)
                .map(|(info, (sampled, hits)): (&ColumnInfo, _)| ColumnFacts {
                    name: info.name.clone(),
                    numeric: info.is_numeric(),
                    sampled,
                    dominant: hits.into_iter().rev().max_by_key(|(_, n)| *n),
                })
                .collect(),
        });
    }
    Ok(Facts {
        engine: pool.engine(),
        tables,
        foreign_keys,
    })
}

/// The words of a name: `SupportRepId` and `support_rep_id` both give support, rep, id.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A column's draft: its category, its identity kind, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnGuess {
    pub category: &'static str,
    pub identity: Option<&'static str>,
    pub why: String,
}

/// Classifies a column by its name, then by its values.
pub fn classify(column: &ColumnFacts, person_table: bool) -> ColumnGuess {
    let w = words(&column.name);
    let has = |options: &[&str]| w.iter().any(|x| options.contains(&x.as_str()));
    let by_name = |category: &'static str, identity: Option<&'static str>| ColumnGuess {
        category,
        identity,
        why: format!("the name `{}` says {category}", column.name),
    };
    let is_id =
        w.last().is_some_and(|l| l == "id" || l == "key") || w.first().is_some_and(|f| f == "id");
    if has(&["email", "mail"]) {
        return by_name("user.contact.email", Some("email"));
    }
    if has(&["phone", "mobile", "telephone", "tel", "cell", "msisdn"]) {
        return by_name("user.contact.phone_number", Some("phone"));
    }
    if has(&["fax"]) {
        return by_name("user.contact.fax_number", None);
    }
    if !is_id {
        if (has(&["first", "last", "given", "family", "middle", "sur", "full"]) && has(&["name"]))
            || has(&["surname", "firstname", "lastname", "fullname"])
            || (person_table && w == ["name"])
        {
            return by_name("user.name", None);
        }
        if has(&["address", "street", "addr", "line1", "line2"]) {
            return by_name("user.contact.address.street", None);
        }
        if has(&["city", "town"]) {
            return by_name("user.contact.address.city", None);
        }
        if has(&["state", "province", "county"]) && person_table {
            return by_name("user.contact.address.state", None);
        }
        if has(&["country"]) && person_table {
            return by_name("user.contact.address.country", None);
        }
        if has(&["postal", "zip", "postcode", "postalcode", "zipcode"]) {
            return by_name("user.contact.address.postal_code", None);
        }
        if has(&["company", "organisation", "organization", "employer"]) && person_table {
            return by_name("user.employment.organisation", None);
        }
        if has(&["birth", "dob", "birthdate", "birthday"]) {
            return by_name("user.demographic.date_of_birth", None);
        }
        if has(&["gender", "sex"]) {
            return by_name("user.demographic.gender", None);
        }
        if has(&["ip"]) {
            return by_name("user.device.ip_address", None);
        }
        if has(&["password", "pwd", "secret", "token", "apikey", "hash"]) {
            return by_name("user.authorization.credentials", None);
        }
        if has(&["ssn", "passport", "national"]) {
            return by_name("user.government_id", None);
        }
        if person_table && has(&["title"]) && !has(&["id"]) {
            return by_name("user.employment.title", None);
        }
        if person_table && has(&["note", "notes", "comment", "comments", "message", "body"]) {
            return by_name("user.content.notes", None);
        }
    }
    if let Some((detector, n)) = column.dominant {
        if n * 2 >= column.sampled && column.sampled > 0 {
            let identity = match detector {
                Detector::Email => Some("email"),
                Detector::Phone => Some("phone"),
                _ => None,
            };
            return ColumnGuess {
                category: detector.category(),
                identity,
                why: format!(
                    "{n} of {} sampled values look like {}",
                    column.sampled,
                    detector.name()
                ),
            };
        }
    }
    ColumnGuess {
        category: "system.operations",
        identity: None,
        why: format!(
            "neither the name `{}` nor {} sampled value(s) suggest personal data",
            column.name, column.sampled
        ),
    }
}

/// A foreign key as the draft declares it.
struct Block {
    kind: &'static str,
    columns: Vec<String>,
    references: String,
    to: Vec<String>,
    why: String,
}

/// The draft of a whole database.
#[derive(Debug, Clone)]
pub struct Draft {
    pub source_id: String,
    pub url_env: String,
    pub facts: Facts,
}

/// One written file: its path under the output folder and its text.
pub type Files = Vec<(String, String)>;

fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

impl Draft {
    /// The policy folder's files.
    pub fn decide(&self) -> Files {
        let tables = &self.facts.tables;
        // A person table holds an identity column.
        let guesses: BTreeMap<&str, Vec<ColumnGuess>> = tables
            .iter()
            .map(|t| {
                let first: Vec<ColumnGuess> =
                    t.columns.iter().map(|c| classify(c, false)).collect();
                let person = first.iter().any(|g| g.identity.is_some());
                let again = if person {
                    t.columns.iter().map(|c| classify(c, true)).collect()
                } else {
                    first
                };
                (t.name.as_str(), again)
            })
            .collect();
        let person: BTreeSet<&str> = guesses
            .iter()
            .filter(|(_, g)| g.iter().any(|g| g.identity.is_some()))
            .map(|(t, _)| *t)
            .collect();
        // Foreign keys: a relation where the child's column names its parent (an order's
        // customer), a reference where it names a role or the parent is the table itself
        // (a support rep, a manager), and a reverse relation where a person's row points
        // at a row of personal data with no identity of its own (a customer's address).
        let personal_tables: BTreeSet<&str> = guesses
            .iter()
            .filter(|(_, g)| {
                g.iter()
                    .any(|g| crate::policy::taxonomy::is_personal(g.category))
            })
            .map(|(t, _)| *t)
            .collect();
        let mut blocks: BTreeMap<&str, Vec<Block>> = BTreeMap::new();
        let mut referenced_by_reference: BTreeSet<&str> = BTreeSet::new();
        for key in &self.facts.foreign_keys {
            let parent = key.referenced_table.as_str();
            let child = key.table.as_str();
            let parent_words: BTreeSet<String> = words(parent)
                .into_iter()
                .map(|w| w.trim_end_matches('s').to_string())
                .collect();
            let names_parent = key.columns.iter().any(|c| {
                words(c)
                    .iter()
                    .any(|w| parent_words.contains(w.trim_end_matches('s')))
            });
            let self_reference = child == parent;
            if !self_reference
                && person.contains(child)
                && !person.contains(parent)
                && personal_tables.contains(parent)
            {
                blocks.entry(parent).or_default().push(Block {
                    kind: "relation",
                    columns: key.referenced_columns.clone(),
                    references: child.to_string(),
                    to: key.columns.clone(),
                    why: format!(
                        "`{parent}` holds personal data and no identity: a row is the `{child}` row's that points at it"
                    ),
                });
                continue;
            }
            let relation = !self_reference && (names_parent || !person.contains(parent));
            let why = if self_reference {
                "the table points at itself: another person's row".to_string()
            } else if relation && names_parent {
                format!("the column names `{parent}`: its rows are that row's")
            } else if relation {
                format!("`{parent}` holds no identity: the rows go with it")
            } else {
                format!("the column names a role, not `{parent}`: it points at another person")
            };
            if !relation {
                referenced_by_reference.insert(parent);
            }
            blocks.entry(child).or_default().push(Block {
                kind: if relation { "relation" } else { "reference" },
                columns: key.columns.clone(),
                references: parent.to_string(),
                to: key.referenced_columns.clone(),
                why,
            });
        }

        let mut source = String::new();
        source.push_str(&format!(
            "# A draft policy for the database in {}, written by `privops policy init\n\
             # --from-live`. Every guess carries a `# review:` comment: read them, correct what\n\
             # is wrong, then run `privops policy check --live`.\n\n\
             [source]\nid = {}\nengine = {}\nurl_env = {}\npurposes = [\"service\"]\n",
            self.url_env,
            quoted(&self.source_id),
            quoted(self.facts.engine.name()),
            quoted(&self.url_env)
        ));
        let mut kinds: BTreeSet<&str> = BTreeSet::new();
        for table in tables {
            let g = &guesses[table.name.as_str()];
            let personal = g
                .iter()
                .any(|g| crate::policy::taxonomy::is_personal(g.category));
            let masked = referenced_by_reference.contains(table.name.as_str());
            source.push_str("\n# ---------------------------------------------------------------------------------------\n[[table]]\n");
            source.push_str(&format!("name = {}\n", quoted(&table.name)));
            let key: Vec<String> = if table.key.is_empty() {
                source.push_str(
                    "# review: the table has no primary key; its first column stands in for one\n",
                );
                table
                    .columns
                    .first()
                    .map(|c| vec![c.name.clone()])
                    .unwrap_or_default()
            } else {
                table.key.clone()
            };
            source.push_str(&format!(
                "key = [{}]\n",
                key.iter().map(|k| quoted(k)).collect::<Vec<_>>().join(", ")
            ));
            if personal {
                if masked {
                    source.push_str("# review: other people's rows point at these rows, so erasure masks them\n");
                    source.push_str("erase = \"mask\"\n");
                } else {
                    source.push_str("# review: rows with personal data are deleted on erasure\n");
                    source.push_str("erase = \"delete\"\n");
                }
            }
            source.push_str("\n[table.columns]\n");
            for (column, guess) in table.columns.iter().zip(g) {
                source.push_str(&format!("# review: {}\n", guess.why));
                let mask =
                    (masked && crate::policy::taxonomy::is_personal(guess.category)).then(|| {
                        if column.numeric {
                            "null"
                        } else if guess.identity.is_some() {
                            "hmac"
                        } else {
                            "redact"
                        }
                    });
                let mut parts = vec![format!("category = {}", quoted(guess.category))];
                if let Some(kind) = guess.identity {
                    kinds.insert(kind);
                    parts.push(format!("identity = {}", quoted(kind)));
                }
                if let Some(mask) = mask {
                    parts.push(format!("mask = {}", quoted(mask)));
                }
                if parts.len() == 1 {
                    source.push_str(&format!(
                        "{} = {}\n",
                        quoted(&column.name),
                        quoted(guess.category)
                    ));
                } else {
                    source.push_str(&format!(
                        "{} = {{ {} }}\n",
                        quoted(&column.name),
                        parts.join(", ")
                    ));
                }
            }
            for block in blocks.get(table.name.as_str()).into_iter().flatten() {
                let list = |names: &[String]| {
                    names
                        .iter()
                        .map(|c| quoted(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                source.push_str(&format!(
                    "\n# review: {}\n[[table.{}]]\ncolumns = [{}]\nreferences = {}\nto = [{}]\n",
                    block.why,
                    block.kind,
                    list(&block.columns),
                    quoted(&block.references),
                    list(&block.to)
                ));
                if block.kind == "reference" {
                    source.push_str("on_erase = \"keep\"\n");
                }
            }
        }

        let mut controller = String::from(
            "# review: the controller, its DPO and the deadline are placeholders to replace.\n\
             [controller]\norganisation = \"REVIEW: the controller's name\"\n\
             dpo = { name = \"REVIEW: the DPO's name\", email = \"dpo@example.invalid\" }\n\
             deadline_days = 30\n",
        );
        for kind in &kinds {
            controller.push_str(&format!(
                "\n# review: identity columns of kind `{kind}` were found\n[[identity]]\nkind = {}\nnormalise = {}\n",
                quoted(kind),
                quoted(kind)
            ));
            if *kind == "phone" {
                controller.push_str("# review: add default_region = \"XX\" if numbers are stored without a country code\n");
            }
        }
        let purposes =
            "# review: one purpose for everything; split it by what the data is used for.\n\
             [[purpose]]\nid = \"service\"\ntitle = \"REVIEW: what the data is processed for\"\n\
             basis = \"contract\"\n"
                .to_string();
        vec![
            ("controller.toml".to_string(), controller),
            ("purposes.toml".to_string(), purposes),
            (format!("sources/{}.toml", self.source_id), source),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, dominant: Option<(Detector, u64)>, sampled: u64) -> ColumnFacts {
        ColumnFacts {
            name: name.to_string(),
            numeric: false,
            sampled,
            dominant,
        }
    }

    #[test]
    fn names_and_values_classify_columns() {
        let cases = [
            ("Email", false, "user.contact.email", Some("email")),
            ("contact_email", false, "user.contact.email", Some("email")),
            ("Phone", false, "user.contact.phone_number", Some("phone")),
            ("FirstName", false, "user.name", None),
            ("last_name", false, "user.name", None),
            ("name", true, "user.name", None),
            ("Name", false, "system.operations", None),
            ("BillingAddress", false, "user.contact.address.street", None),
            (
                "PostalCode",
                false,
                "user.contact.address.postal_code",
                None,
            ),
            ("City", false, "user.contact.address.city", None),
            ("CustomerId", true, "system.operations", None),
            ("SupportRepId", true, "system.operations", None),
            ("created", true, "system.operations", None),
        ];
        for (name, person, category, identity) in cases {
            let guess = classify(&column(name, None, 10), person);
            assert_eq!(
                (guess.category, guess.identity),
                (category, identity),
                "{name}"
            );
        }
        let by_values = classify(&column("contact", Some((Detector::Email, 9)), 10), false);
        assert_eq!(by_values.category, "user.contact.email");
        assert!(by_values.why.contains("9 of 10"), "{}", by_values.why);
        assert_eq!(words("SupportRepId"), ["support", "rep", "id"]);
        assert_eq!(words("support_rep_id"), ["support", "rep", "id"]);
    }
}
