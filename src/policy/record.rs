//! The record of processing activities (Art. 30) and data map, as one typed value built
//! from the policy: `policy map` renders it (Markdown, CSV, JSON) and the access archive
//! quotes it.

use std::collections::BTreeSet;

use serde::Serialize;

use super::model::{Contact, EraseAction, HoldAction, Mask, OnErase, RetentionAction};
use super::{Policy, taxonomy};
use crate::period::Period;

/// European Economic Area: transfers elsewhere are third-country transfers (Chapter V).
const EEA: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "EU",
];

#[derive(Debug, Serialize)]
pub struct Record<'p> {
    pub controller: Option<Controller<'p>>,
    pub data_subjects: &'p [String],
    pub purposes: Vec<PurposeEntry<'p>>,
    pub categories: Vec<CategoryEntry>,
    pub recipients: Vec<Recipient<'p>>,
    pub transfers: Vec<Transfer<'p>>,
    pub retention: Vec<RetentionEntry<'p>>,
    pub security_measures: &'p [String],
    pub policy_digest: &'p str,
    pub sources: Vec<SourceEntry<'p>>,
}

#[derive(Debug, Serialize)]
pub struct Controller<'p> {
    pub organisation: &'p str,
    pub address: Option<&'p str>,
    pub dpo: &'p Contact,
    pub deadline_days: u32,
    pub supervisory_authority: Option<&'p str>,
}

#[derive(Debug, Serialize)]
pub struct PurposeEntry<'p> {
    pub id: &'p str,
    pub title: &'p str,
    pub description: Option<&'p str>,
    pub basis: &'static str,
    pub article: &'static str,
    pub categories: Vec<&'p str>,
    pub retention: Option<&'p str>,
    pub consent_text_sha256: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CategoryEntry {
    pub category: String,
    pub description: Option<&'static str>,
    pub special: bool,
}

#[derive(Debug, Serialize)]
pub struct Recipient<'p> {
    pub id: &'p str,
    pub name: &'p str,
    pub role: &'static str,
    pub countries: &'p [String],
    pub third_countries: Vec<&'p str>,
    pub safeguard: Option<&'p str>,
    pub categories: Vec<&'p str>,
    pub purposes: Vec<&'p str>,
    /// How the recipient erases: `api`, `manual` or `none`.
    pub erasure: &'static str,
    /// How the recipient is told of a rectification (Art. 19): `api` (an update request)
    /// or `manual` (a task a person confirms).
    pub rectification: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Transfer<'p> {
    pub recipient: &'p str,
    pub countries: Vec<&'p str>,
    pub safeguard: Option<&'p str>,
}

#[derive(Debug, Serialize)]
pub struct RetentionEntry<'p> {
    pub source: &'p str,
    pub table: &'p str,
    pub period: &'p Period,
    pub from: &'p str,
    pub then: RetentionAction,
}

#[derive(Debug, Serialize)]
pub struct SourceEntry<'p> {
    pub id: &'p str,
    pub description: Option<&'p str>,
    pub engine: &'static str,
    pub location: Option<&'p str>,
    pub purposes: Vec<&'p str>,
    pub tables: Vec<TableEntry<'p>>,
}

#[derive(Debug, Serialize)]
pub struct TableEntry<'p> {
    pub name: &'p str,
    pub description: Option<&'p str>,
    pub aggregate: bool,
    pub key: Vec<&'p str>,
    pub columns: Vec<ColumnEntry<'p>>,
    pub relations: Vec<Link<'p>>,
    pub references: Vec<ReferenceEntry<'p>>,
    pub purposes: Vec<&'p str>,
    pub erase: Option<EraseAction>,
    pub holds: Vec<HoldEntry<'p>>,
    pub retention: Option<TableRetention<'p>>,
}

#[derive(Debug, Serialize)]
pub struct ColumnEntry<'p> {
    pub name: &'p str,
    pub category: &'p str,
    pub personal: bool,
    pub identity: Option<&'p str>,
    pub mask: Option<Mask>,
}

#[derive(Debug, Serialize)]
pub struct Link<'p> {
    pub columns: Vec<&'p str>,
    pub references: &'p str,
}

#[derive(Debug, Serialize)]
pub struct ReferenceEntry<'p> {
    pub columns: Vec<&'p str>,
    pub references: &'p str,
    pub on_erase: OnErase,
}

#[derive(Debug, Serialize)]
pub struct HoldEntry<'p> {
    pub reason: &'p str,
    pub article: &'p str,
    pub duration: Option<&'p Period>,
    pub from: Option<&'p str>,
    pub until: Option<&'p str>,
    pub action: HoldAction,
}

#[derive(Debug, Serialize)]
pub struct TableRetention<'p> {
    pub period: &'p Period,
    pub from: &'p str,
    pub then: RetentionAction,
    pub into: Option<&'p str>,
}

impl<'p> Record<'p> {
    pub fn of(policy: &'p Policy) -> Record<'p> {
        let controller = policy.controller();
        let purposes = policy
            .purposes()
            .map(|p| PurposeEntry {
                id: p.id.get_ref(),
                title: &p.title,
                description: p.description.as_deref(),
                basis: p.basis.name(),
                article: p.basis.article(),
                categories: p.categories.iter().map(|c| c.get_ref().as_str()).collect(),
                retention: p.retention.as_deref(),
                consent_text_sha256: p
                    .consent_text
                    .as_ref()
                    .map(|t| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(t.as_bytes()))),
            })
            .collect();
        let recipients: Vec<Recipient> = policy
            .providers()
            .map(|p| Recipient {
                id: p.id.get_ref(),
                name: &p.name,
                role: p.role.name(),
                countries: &p.countries,
                third_countries: p
                    .countries
                    .iter()
                    .map(String::as_str)
                    .filter(|c| !EEA.contains(c))
                    .collect(),
                safeguard: p.safeguard.as_deref(),
                categories: p.categories.iter().map(|c| c.get_ref().as_str()).collect(),
                purposes: p.purposes.iter().map(|c| c.get_ref().as_str()).collect(),
                erasure: if p.erase.is_some() {
                    "api"
                } else if p.manual.is_some() {
                    "manual"
                } else {
                    "none"
                },
                rectification: if p.update.is_some() { "api" } else { "manual" },
            })
            .collect();
        let transfers = recipients
            .iter()
            .filter(|r| !r.third_countries.is_empty())
            .map(|r| Transfer {
                recipient: r.name,
                countries: r.third_countries.clone(),
                safeguard: r.safeguard,
            })
            .collect();
        let mut categories = BTreeSet::new();
        let mut retention = Vec::new();
        let mut sources = Vec::new();
        for source in &policy.sources {
            let mut tables = Vec::new();
            for table_def in &source.tables {
                let table = &table_def.table;
                let columns = table
                    .columns
                    .iter()
                    .map(|(name, spec)| {
                        let spec = spec.get_ref();
                        let personal = taxonomy::is_personal(&spec.category);
                        if personal {
                            categories.insert(spec.category.clone());
                        }
                        ColumnEntry {
                            name,
                            category: &spec.category,
                            personal,
                            identity: spec.identity.as_deref(),
                            mask: spec.mask,
                        }
                    })
                    .collect();
                let table_retention = table.retention.as_ref().map(|r| {
                    let r = r.get_ref();
                    TableRetention {
                        period: r.period.get_ref(),
                        from: r.from.get_ref(),
                        then: r.then,
                        into: r
                            .rollup
                            .as_ref()
                            .map(|x| x.get_ref().into.get_ref().as_str()),
                    }
                });
                if let Some(r) = &table_retention {
                    retention.push(RetentionEntry {
                        source: source.id(),
                        table: table.name(),
                        period: r.period,
                        from: r.from,
                        then: r.then,
                    });
                }
                tables.push(TableEntry {
                    name: table.name(),
                    description: table.description.as_deref(),
                    aggregate: table.aggregate,
                    key: table.key_columns(),
                    columns,
                    relations: table
                        .relation
                        .iter()
                        .map(|r| {
                            let r = r.get_ref();
                            Link {
                                columns: r.columns.iter().map(|c| c.get_ref().as_str()).collect(),
                                references: r.references.get_ref(),
                            }
                        })
                        .collect(),
                    references: table
                        .reference
                        .iter()
                        .map(|r| {
                            let r = r.get_ref();
                            ReferenceEntry {
                                columns: r.columns.iter().map(|c| c.get_ref().as_str()).collect(),
                                references: r.references.get_ref(),
                                on_erase: r.on_erase,
                            }
                        })
                        .collect(),
                    purposes: table
                        .purposes
                        .iter()
                        .map(|p| p.get_ref().as_str())
                        .collect(),
                    erase: table.erase.as_ref().map(|e| *e.get_ref()),
                    holds: table
                        .hold
                        .iter()
                        .map(|h| {
                            let h = h.get_ref();
                            HoldEntry {
                                reason: &h.reason,
                                article: &h.article,
                                duration: h.duration.as_ref().map(|d| d.get_ref()),
                                from: h.from.as_ref().map(|d| d.get_ref().as_str()),
                                until: h.until.as_ref().map(|d| d.get_ref().as_str()),
                                action: h.action,
                            }
                        })
                        .collect(),
                    retention: table_retention,
                });
            }
            sources.push(SourceEntry {
                id: source.id(),
                description: source.source.description.as_deref(),
                engine: source.source.engine.name(),
                location: source.source.location.as_deref(),
                purposes: source
                    .source
                    .purposes
                    .iter()
                    .map(|p| p.get_ref().as_str())
                    .collect(),
                tables,
            });
        }
        Record {
            controller: controller.map(|c| Controller {
                organisation: &c.organisation,
                address: c.address.as_deref(),
                dpo: &c.dpo,
                deadline_days: c.deadline_days,
                supervisory_authority: c.supervisory_authority.as_deref(),
            }),
            data_subjects: controller.map_or(&[][..], |c| &c.data_subjects),
            purposes,
            categories: categories
                .into_iter()
                .map(|c| CategoryEntry {
                    description: taxonomy::describe(&c),
                    special: taxonomy::is_special(&c),
                    category: c,
                })
                .collect(),
            recipients,
            transfers,
            retention,
            security_measures: controller.map_or(&[][..], |c| &c.security_measures),
            policy_digest: &policy.digest,
            sources,
        }
    }

    /// The data map as CSV: one row per column of every table.
    pub(crate) fn data_map_csv(&self) -> anyhow::Result<String> {
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
        for source in &self.sources {
            for table in &source.tables {
                let retention = table
                    .retention
                    .as_ref()
                    .map(|r| format!("{} from {} then {}", r.period, r.from, serde_name(&r.then)))
                    .unwrap_or_default();
                let holds: Vec<String> = table
                    .holds
                    .iter()
                    .map(|h| format!("{} (Art. {})", h.reason, h.article))
                    .collect();
                for column in &table.columns {
                    writer.write_record([
                        source.id.to_string(),
                        source.engine.to_string(),
                        table.name.to_string(),
                        table.aggregate.to_string(),
                        column.name.to_string(),
                        column.category.to_string(),
                        column.personal.to_string(),
                        column.identity.unwrap_or_default().to_string(),
                        table.erase.as_ref().map(serde_name).unwrap_or_default(),
                        column.mask.as_ref().map(serde_name).unwrap_or_default(),
                        retention.clone(),
                        holds.join("; "),
                    ])?;
                }
            }
        }
        Ok(String::from_utf8(writer.into_inner()?)?)
    }
}

/// An enum value as the policy writes it (its serde name), for a CSV cell.
fn serde_name<T: Serialize>(value: &T) -> String {
    crate::output::plain(&serde_json::to_value(value).unwrap_or_default())
}
