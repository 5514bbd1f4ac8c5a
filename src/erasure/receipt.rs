//! What an erasure run records and certifies, as types: each table's plan as the journal
//! keeps it, each step's outcome, and the receipt written from them. The journal stores
//! these as JSON documents; nothing reads them back by key.

use std::collections::{BTreeMap, BTreeSet};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::plan::erase::SourcePlan;
use crate::policy::{Contact, HoldAction, Mask, Policy};
use crate::store::journal::{Step, StepKind, StepStatus};

/// Rows of a table a legal hold keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldSummary {
    pub reason: String,
    pub article: String,
    pub action: HoldAction,
    pub rows: usize,
}

/// One table's plan, as the journal keeps it (no keys, no values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableSummary {
    pub table: String,
    pub found: usize,
    pub delete: usize,
    pub mask: usize,
    pub masks: BTreeMap<String, Mask>,
    pub held: Vec<HeldSummary>,
    pub shared: usize,
    pub kept: usize,
    pub notes: Vec<String>,
}

pub fn table_summaries(plan: &SourcePlan) -> Vec<TableSummary> {
    plan.tables
        .iter()
        .map(|t| TableSummary {
            table: t.table.clone(),
            found: t.found,
            delete: t.delete,
            mask: t.mask,
            masks: t.masks.clone(),
            held: t
                .held
                .iter()
                .map(|h| HeldSummary {
                    reason: h.reason.clone(),
                    article: h.article.clone(),
                    action: h.action,
                    rows: h.rows,
                })
                .collect(),
            shared: t.shared,
            kept: t.kept,
            notes: t.notes.clone(),
        })
        .collect()
}

/// What a source's attempt was about to change, journaled before it runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attempt {
    pub tables: Vec<TableSummary>,
    pub deleted: BTreeMap<String, u64>,
    pub masked: BTreeMap<String, u64>,
}

impl Attempt {
    pub fn of(plan: &SourcePlan) -> Attempt {
        Attempt {
            tables: table_summaries(plan),
            deleted: plan
                .tables
                .iter()
                .map(|t| (t.table.clone(), t.delete as u64))
                .collect(),
            masked: plan
                .tables
                .iter()
                .map(|t| (t.table.clone(), (t.mask + t.scrub) as u64))
                .collect(),
        }
    }

    /// The rows it deletes or masks.
    pub fn rows(&self) -> u64 {
        self.deleted.values().chain(self.masked.values()).sum()
    }
}

/// A source step's outcome: the attempt under way, or what the source's transaction did.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SourceOutcome {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<Attempt>,
    /// The tables as planned (None while only an attempt is on record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<Vec<TableSummary>>,
    #[serde(default)]
    pub deleted: BTreeMap<String, u64>,
    #[serde(default)]
    pub masked: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unlinked: BTreeMap<String, u64>,
    #[serde(default)]
    pub statements: Vec<String>,
}

/// The outcome of a provider call, a manual task or the verification.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepOutcome {
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<u64>,
}

impl StepOutcome {
    pub fn new(outcome: impl Into<String>) -> StepOutcome {
        StepOutcome {
            outcome: outcome.into(),
            ..StepOutcome::default()
        }
    }

    /// A manual task confirmed by `actor`, with their note.
    pub fn confirmed(actor: &str, note: Option<&str>) -> StepOutcome {
        StepOutcome {
            note: note.map(str::to_string),
            ..StepOutcome::new(format!("confirmed by {actor}"))
        }
    }
}

/// A journal document read back as its type; None when absent or of another shape.
fn decoded<T: DeserializeOwned>(value: Option<&serde_json::Value>) -> Option<T> {
    value.and_then(|v| serde_json::from_value(v.clone()).ok())
}

pub fn source_outcome(step: &Step) -> Option<SourceOutcome> {
    decoded(step.outcome.0.as_ref())
}

pub fn step_outcome(step: &Step) -> Option<StepOutcome> {
    decoded(step.outcome.0.as_ref())
}

/// A source step's tables: as its outcome has them, else as the run planned them.
pub fn step_tables(step: &Step) -> Vec<TableSummary> {
    source_outcome(step)
        .and_then(|o| o.tables)
        .or_else(|| decoded(step.plan.0.as_ref()))
        .unwrap_or_default()
}

/// A step's recorded outcome in a line, for people.
pub fn describe_outcome(step: &Step) -> Option<String> {
    if step.kind != StepKind::Source {
        return step_outcome(step).map(|o| match o.note {
            Some(note) => format!("{} ({note})", o.outcome),
            None => o.outcome,
        });
    }
    let Some(outcome) = source_outcome(step) else {
        // A source step of another kind of run (a rectification) says it in words.
        return step_outcome(step).map(|o| o.outcome);
    };
    let sum = |counts: &BTreeMap<String, u64>| counts.values().sum::<u64>();
    match (&outcome.tables, &outcome.attempt) {
        (Some(tables), _) => Some(format!(
            "{} row(s) deleted, {} masked, {} unlinked, in {} table(s)",
            sum(&outcome.deleted),
            sum(&outcome.masked),
            sum(&outcome.unlinked),
            tables.len()
        )),
        (None, Some(attempt)) => Some(format!(
            "attempted, not finished: {} row(s) to delete and {} to mask in {} table(s)",
            sum(&attempt.deleted),
            sum(&attempt.masked),
            attempt.tables.len()
        )),
        (None, None) => step_outcome(step)
            .map(|o| o.outcome)
            .filter(|o| !o.is_empty()),
    }
}

/// Who erased: the controller as the policy names it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControllerRef {
    pub organisation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpo: Option<Contact>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableReceipt {
    pub table: String,
    pub found: usize,
    pub deleted: u64,
    pub masked: u64,
    pub masks: BTreeMap<String, Mask>,
    /// Rows held, all holds together.
    pub held: u64,
    pub holds: Vec<HeldSummary>,
    pub shared: usize,
    pub kept: usize,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceReceipt {
    pub source: String,
    pub status: StepStatus,
    pub tables: Vec<TableReceipt>,
    pub statements: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProviderReceipt {
    pub step_id: String,
    pub description: String,
    pub status: StepStatus,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManualReceipt {
    pub step_id: String,
    pub description: String,
    pub status: StepStatus,
    pub outcome: Option<StepOutcome>,
}

/// The erasure receipt: what was erased, kept and why, who was told, and whether an
/// access run afterwards found anything left. Subjects appear by keyed reference only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Receipt {
    /// `erasure-receipt`.
    pub kind: String,
    pub run: String,
    pub complete: bool,
    /// False when no source held anything about the subjects: nothing was erased.
    pub found: bool,
    pub generated_at: String,
    pub controller: ControllerRef,
    pub subjects: Vec<String>,
    pub requests: BTreeSet<String>,
    pub sources: Vec<SourceReceipt>,
    pub providers: Vec<ProviderReceipt>,
    pub manual: Vec<ManualReceipt>,
    pub verification: String,
    pub policy_digest: String,
}

impl Receipt {
    /// The receipt of a run, from its journal.
    pub fn of_run(
        policy: &Policy,
        run_id: &str,
        steps: &[Step],
        subjects: &[(String, String)],
        complete: bool,
    ) -> Receipt {
        let sources: Vec<SourceReceipt> = steps
            .iter()
            .filter(|s| s.kind == StepKind::Source)
            .map(|s| {
                let outcome = source_outcome(s).filter(|o| o.tables.is_some());
                let counts = outcome.clone().unwrap_or_default();
                let tables = step_tables(s)
                    .into_iter()
                    .map(|t| TableReceipt {
                        deleted: counts.deleted.get(&t.table).copied().unwrap_or(0),
                        masked: counts.masked.get(&t.table).copied().unwrap_or(0),
                        held: t.held.iter().map(|h| h.rows as u64).sum(),
                        table: t.table,
                        found: t.found,
                        masks: t.masks,
                        holds: t.held,
                        shared: t.shared,
                        kept: t.kept,
                        notes: t.notes,
                    })
                    .collect();
                SourceReceipt {
                    source: s.step_id.trim_start_matches("source:").to_string(),
                    status: s.status,
                    tables,
                    statements: counts.statements,
                }
            })
            .collect();
        let providers = steps
            .iter()
            .filter(|s| s.kind == StepKind::Provider)
            .map(|s| ProviderReceipt {
                step_id: s.step_id.clone(),
                description: s.description.clone(),
                status: s.status,
                outcome: step_outcome(s).map(|o| o.outcome),
            })
            .collect();
        let manual = steps
            .iter()
            .filter(|s| s.kind == StepKind::Manual)
            .map(|s| ManualReceipt {
                step_id: s.step_id.clone(),
                description: s.description.clone(),
                status: s.status,
                outcome: step_outcome(s),
            })
            .collect();
        let found = sources.iter().any(|s| !s.tables.is_empty());
        let verification = steps
            .iter()
            .find(|s| s.kind == StepKind::Verify)
            .map(|s| match step_outcome(s) {
                Some(o) => o.outcome,
                None => "not run yet: the database steps are unfinished".to_string(),
            })
            .unwrap_or_default();
        Receipt {
            kind: "erasure-receipt".into(),
            run: run_id.to_string(),
            complete,
            found,
            generated_at: crate::time::now_text(),
            controller: policy
                .controller()
                .map(|c| ControllerRef {
                    organisation: c.organisation.clone(),
                    dpo: Some(c.dpo.clone()),
                })
                .unwrap_or(ControllerRef {
                    organisation: String::new(),
                    dpo: None,
                }),
            subjects: subjects.iter().map(|(r, _)| r.clone()).collect(),
            requests: subjects.iter().map(|(_, q)| q.clone()).collect(),
            sources,
            providers,
            manual,
            verification,
            policy_digest: policy.digest.clone(),
        }
    }
}
