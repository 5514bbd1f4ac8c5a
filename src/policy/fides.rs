//! `privops policy import --fides`: a Fides dataset description (collections, fields,
//! `data_categories`, `fides_meta.identity`, `primary_key`, `references` with their
//! direction) turned into a privops policy folder, with a report of what could not be
//! mapped. The conversion is pure: YAML text in, files and notes out.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::policy::taxonomy;

/// The most a dataset file may weigh: a description, not data.
pub const MAX_DATASET_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Deserialize)]
struct File {
    dataset: Vec<Dataset>,
}

#[derive(Debug, Deserialize)]
struct Dataset {
    fides_key: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    collections: Vec<Collection>,
}

#[derive(Debug, Deserialize)]
struct Collection {
    name: String,
    #[serde(default)]
    fields: Vec<Field>,
}

#[derive(Debug, Deserialize)]
struct Field {
    name: String,
    #[serde(default)]
    data_categories: Vec<String>,
    #[serde(default)]
    fides_meta: Option<FieldMeta>,
    /// Nested fields (documents): privops's sources are tables.
    #[serde(default)]
    fields: Option<Vec<Field>>,
}

#[derive(Debug, Default, Deserialize)]
struct FieldMeta {
    #[serde(default)]
    identity: Option<String>,
    #[serde(default)]
    primary_key: Option<bool>,
    #[serde(default)]
    references: Vec<Reference>,
}

#[derive(Debug, Deserialize)]
struct Reference {
    #[serde(default)]
    dataset: Option<String>,
    field: String,
    #[serde(default)]
    direction: Option<String>,
}

/// What the import wrote and what it could not map.
#[derive(Debug, Default)]
pub struct Imported {
    /// (path under the output folder, text).
    pub files: Vec<(String, String)>,
    pub source_id: String,
    pub collections: usize,
    /// Things said in words: categories mapped to a parent, fields left out, references
    /// to other datasets.
    pub notes: Vec<String>,
}

/// The taxonomy category for a fideslang one: the same name when privops knows it, the
/// name without fideslang 1's qualifiers (`provided`, `derived`, `identifiable`), else the
/// nearest parent privops knows.
fn category(fides: &str) -> (String, bool) {
    let plain: Vec<&str> = fides
        .split('.')
        .filter(|p| {
            !matches!(
                *p,
                "provided" | "derived" | "identifiable" | "nonidentifiable"
            )
        })
        .collect();
    let mut parts = plain;
    while !parts.is_empty() {
        let candidate = parts.join(".");
        if taxonomy::is_known(&candidate) {
            return (candidate.clone(), candidate == fides);
        }
        parts.pop();
    }
    ("system.operations".to_string(), false)
}

fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// Identity kinds privops knows how to normalise.
fn identity_kind(fides: &str) -> (&'static str, &'static str) {
    match fides {
        "email" => ("email", "email"),
        "phone_number" | "phone" => ("phone", "phone"),
        _ => ("", "trim"),
    }
}

/// Converts the dataset file's text. `engine` and `url_env` make the source block.
pub fn import(
    yaml: &str,
    engine: &str,
    url_env: &str,
    source_id: Option<&str>,
) -> Result<Imported> {
    if yaml.len() > MAX_DATASET_BYTES {
        bail!("the dataset file is over {MAX_DATASET_BYTES} bytes");
    }
    let file: File = serde_yaml_ng::from_str(yaml).context("not a Fides dataset file")?;
    let Some(dataset) = file.dataset.first() else {
        bail!("the file declares no dataset");
    };
    let mut out = Imported {
        source_id: source_id.map_or_else(|| dataset.fides_key.clone(), str::to_string),
        collections: dataset.collections.len(),
        ..Imported::default()
    };
    if file.dataset.len() > 1 {
        out.notes.push(format!(
            "the file declares {} datasets: only `{}` is imported",
            file.dataset.len(),
            dataset.fides_key
        ));
    }
    // Relations by the table that declares them: (columns, references, to, why).
    let mut relations: BTreeMap<String, Vec<(String, String, String, String)>> = BTreeMap::new();
    let mut kinds: BTreeMap<&'static str, &'static str> = BTreeMap::new();
    let mut custom_kinds: BTreeSet<String> = BTreeSet::new();
    let mut tables = String::new();
    for collection in &dataset.collections {
        let mut columns = String::new();
        let mut key: Vec<&str> = Vec::new();
        let mut personal = false;
        for field in &collection.fields {
            if field.fields.is_some() {
                out.notes.push(format!(
                    "{}.{}: nested fields are not mapped (privops reads tables)",
                    collection.name, field.name
                ));
                continue;
            }
            let meta = field.fides_meta.as_ref();
            if meta.and_then(|m| m.primary_key).unwrap_or(false) {
                key.push(&field.name);
            }
            let identity = meta.and_then(|m| m.identity.as_deref());
            // The most specific personal category the field declares.
            let declared = field
                .data_categories
                .iter()
                .map(|c| (c, category(c)))
                .max_by_key(|(_, (mapped, _))| {
                    (taxonomy::is_personal(mapped), mapped.matches('.').count())
                });
            let (mut mapped, why) = match declared {
                Some((original, (mapped, exact))) => {
                    if !exact {
                        out.notes.push(format!(
                            "{}.{}: category `{original}` mapped to `{mapped}`",
                            collection.name, field.name
                        ));
                    }
                    if field.data_categories.len() > 1 {
                        out.notes.push(format!(
                            "{}.{}: {} categories, `{mapped}` kept",
                            collection.name,
                            field.name,
                            field.data_categories.len()
                        ));
                    }
                    (
                        mapped,
                        format!("Fides: {}", field.data_categories.join(", ")),
                    )
                }
                None => (
                    "system.operations".to_string(),
                    "Fides declares no category".to_string(),
                ),
            };
            let mut parts = Vec::new();
            if let Some(identity) = identity {
                let (kind, normalise) = identity_kind(identity);
                let kind_name = if kind.is_empty() {
                    custom_kinds.insert(identity.to_string());
                    identity.to_string()
                } else {
                    kinds.insert(kind, normalise);
                    kind.to_string()
                };
                // An identity column holds personal data, whatever its declared category.
                if !taxonomy::is_personal(&mapped) {
                    let fitting = match kind {
                        "email" => "user.contact.email",
                        "phone" => "user.contact.phone_number",
                        _ => "user.unique_id",
                    };
                    out.notes.push(format!(
                        "{}.{}: an identity field declared `{mapped}`; declared `{fitting}`",
                        collection.name, field.name
                    ));
                    mapped = fitting.to_string();
                }
                parts.push(format!("identity = {}", quoted(&kind_name)));
            }
            personal |= taxonomy::is_personal(&mapped);
            columns.push_str(&format!("# {why}\n"));
            if parts.is_empty() {
                columns.push_str(&format!("{} = {}\n", quoted(&field.name), quoted(&mapped)));
            } else {
                columns.push_str(&format!(
                    "{} = {{ category = {}, {} }}\n",
                    quoted(&field.name),
                    quoted(&mapped),
                    parts.join(", ")
                ));
            }
            for reference in meta.map(|m| m.references.as_slice()).unwrap_or_default() {
                if reference
                    .dataset
                    .as_deref()
                    .is_some_and(|d| d != dataset.fides_key)
                {
                    out.notes.push(format!(
                        "{}.{}: a reference to dataset `{}` is not mapped (one dataset per source)",
                        collection.name,
                        field.name,
                        reference.dataset.as_deref().unwrap_or_default()
                    ));
                    continue;
                }
                let Some((other, other_field)) = reference.field.rsplit_once('.') else {
                    out.notes.push(format!(
                        "{}.{}: reference `{}` names no collection",
                        collection.name, field.name, reference.field
                    ));
                    continue;
                };
                match reference.direction.as_deref() {
                    // Data flows from the other field to this one: this table's rows are
                    // found from the other's.
                    Some("from") | None => {
                        if reference.direction.is_none() {
                            out.notes.push(format!(
                                "{}.{}: a reference without direction is read as `from`",
                                collection.name, field.name
                            ));
                        }
                        relations.entry(collection.name.clone()).or_default().push((
                            field.name.clone(),
                            other.to_string(),
                            other_field.to_string(),
                            format!(
                                "Fides: {} references {} (from)",
                                field.name, reference.field
                            ),
                        ));
                    }
                    // Data flows from this field to the other: the other table's rows are
                    // found from this one's.
                    Some("to") => {
                        relations.entry(other.to_string()).or_default().push((
                            other_field.to_string(),
                            collection.name.clone(),
                            field.name.clone(),
                            format!(
                                "Fides: {}.{} references {} (to)",
                                collection.name, field.name, reference.field
                            ),
                        ));
                    }
                    Some(other_direction) => out.notes.push(format!(
                        "{}.{}: direction `{other_direction}` is not `from` or `to`; not mapped",
                        collection.name, field.name
                    )),
                }
            }
        }
        if key.is_empty() {
            out.notes.push(format!(
                "{}: no primary key in the dataset; every column forms the key",
                collection.name
            ));
            key = collection
                .fields
                .iter()
                .filter(|f| f.fields.is_none())
                .map(|f| f.name.as_str())
                .collect();
        }
        tables.push_str(&format!(
            "\n# ---------------------------------------------------------------------------------------\n[[table]]\nname = {}\nkey = [{}]\n",
            quoted(&collection.name),
            key.iter().map(|k| quoted(k)).collect::<Vec<_>>().join(", ")
        ));
        if personal {
            tables.push_str("erase = \"delete\"\n");
        }
        tables.push_str("\n[table.columns]\n");
        tables.push_str(&columns);
        tables.push_str(&format!("@@relations:{}@@\n", collection.name));
    }
    // Relations go under the table that declares them.
    for collection in &dataset.collections {
        let marker = format!("@@relations:{}@@\n", collection.name);
        let mut text = String::new();
        for (columns, references, to, why) in relations.get(&collection.name).into_iter().flatten()
        {
            text.push_str(&format!(
                "\n# {why}\n[[table.relation]]\ncolumns = [{}]\nreferences = {}\nto = [{}]\n",
                quoted(columns),
                quoted(references),
                quoted(to)
            ));
        }
        tables = tables.replace(&marker, &text);
    }
    for (table, _) in relations
        .iter()
        .filter(|(t, _)| !dataset.collections.iter().any(|c| &&c.name == t))
    {
        out.notes.push(format!(
            "a reference names collection `{table}`, which the dataset does not describe"
        ));
    }
    let source = format!(
        "# Imported from the Fides dataset `{}`{} by `privops policy import --fides`.\n\n\
         [source]\nid = {}\nengine = {}\nurl_env = {}\npurposes = [\"service\"]\n{tables}",
        dataset.fides_key,
        dataset
            .name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default(),
        quoted(&out.source_id),
        quoted(engine),
        quoted(url_env),
    );
    let mut controller = String::from(
        "# review: the controller and its DPO are placeholders to replace.\n\
         [controller]\norganisation = \"REVIEW: the controller's name\"\n\
         dpo = { name = \"REVIEW: the DPO's name\", email = \"dpo@example.invalid\" }\n",
    );
    for (kind, normalise) in &kinds {
        controller.push_str(&format!(
            "\n[[identity]]\nkind = {}\nnormalise = {}\n",
            quoted(kind),
            quoted(normalise)
        ));
    }
    for kind in &custom_kinds {
        out.notes.push(format!(
            "identity `{kind}` is declared as a kind of its own, values trimmed"
        ));
        controller.push_str(&format!(
            "\n[[identity]]\nkind = {}\nnormalise = \"trim\"\n",
            quoted(kind)
        ));
    }
    out.files = vec![
        ("controller.toml".to_string(), controller),
        (
            "purposes.toml".to_string(),
            "# review: one purpose for everything the dataset holds.\n[[purpose]]\nid = \"service\"\ntitle = \"REVIEW: what the data is processed for\"\nbasis = \"contract\"\n".to_string(),
        ),
        (format!("sources/{}.toml", out.source_id), source),
    ];
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fideslang_categories_map_onto_the_taxonomy() {
        assert_eq!(
            category("user.contact.email"),
            ("user.contact.email".into(), true)
        );
        assert_eq!(
            category("user.provided.identifiable.contact.email"),
            ("user.contact.email".into(), false)
        );
        assert_eq!(category("user.sensor"), ("user".into(), false));
        assert_eq!(
            category("system.operations"),
            ("system.operations".into(), true)
        );
        assert_eq!(category("nonsense"), ("system.operations".into(), false));
    }

    #[test]
    fn references_become_relations_by_direction() {
        let yaml = "dataset:\n  - fides_key: shop\n    collections:\n      - name: customer\n        fields:\n          - name: id\n            data_categories: [user.unique_id]\n            fides_meta: { primary_key: true }\n          - name: email\n            data_categories: [user.contact.email]\n            fides_meta: { identity: email }\n          - name: address_id\n            data_categories: [system.operations]\n            fides_meta:\n              references:\n                - { field: address.id, direction: to }\n      - name: address\n        fields:\n          - name: id\n            fides_meta: { primary_key: true }\n          - name: city\n            data_categories: [user.contact.address.city]\n      - name: orders\n        fields:\n          - name: id\n            fides_meta: { primary_key: true }\n          - name: customer_id\n            fides_meta:\n              references:\n                - { dataset: shop, field: customer.id, direction: from }\n";
        let imported = import(yaml, "postgres", "SHOP_URL", None).unwrap();
        let source = &imported.files[2].1;
        assert!(source.contains("name = \"address\""), "{source}");
        // `to`: the address is the customer's (declared on address, reversed).
        assert!(
            source.contains("[[table.relation]]\ncolumns = [\"id\"]\nreferences = \"customer\"\nto = [\"address_id\"]"),
            "{source}"
        );
        // `from`: the order is the customer's.
        assert!(
            source.contains("[[table.relation]]\ncolumns = [\"customer_id\"]\nreferences = \"customer\"\nto = [\"id\"]"),
            "{source}"
        );
        assert!(imported.files[0].1.contains("kind = \"email\""));
    }
}
