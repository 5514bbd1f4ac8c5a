//! Rectification (Art. 16) and telling the recipients (Art. 19): the subject's rows are
//! found as for access and erasure, each targeted column of them is set to the corrected
//! value, one transaction per source, in a journaled run (`REC-…`) that a re-run resumes;
//! providers with an `update` request are called with the corrected values, the others get
//! a manual task. Correcting the identity the subject is known by (a new e-mail address)
//! moves their consent ledger, limits, notice acknowledgements, requests and suppression
//! entry to the new identity once every step is done; the old reference answers "moved".

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, NewEntry};
use crate::erasure::receipt::StepOutcome;
use crate::erasure::workflow::{self, Call, Calls, ProviderStep};
use crate::erasure::{StepKind, StepStatus};
use crate::plan::traverse;
use crate::policy::{Engine, Normalise, Policy, SourceDef, taxonomy};
use crate::sources::SourcePool;
use crate::sources::http::mask_value;
use crate::sources::rows::{ColumnInfo, Kind};
use crate::sql::{Key, Sql};
use crate::store::{Store, journal};
use crate::subject::{IdentityRule, Subject, SubjectKey, normalise};
use crate::template::Placeholder;

/// The longest corrected value accepted for a free-text category.
const MAX_VALUE_CHARS: usize = 1000;

/// What `--set NAME=VALUE` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every column of the subject's rows declared with this category.
    Category(String),
    /// One column.
    Column {
        source: String,
        table: String,
        column: String,
    },
}

/// One correction, validated.
#[derive(Debug, Clone)]
pub struct Setting {
    /// As written on the command line (`user.contact.email`, `crm.clients.name`).
    pub name: String,
    pub target: Target,
    /// The data category the value belongs to.
    pub category: String,
    /// The corrected value, normalised where its category has a form (e-mail, phone).
    pub value: String,
}

/// Parses and validates every `--set`, before anything is read or written.
pub fn settings(policy: &Policy, sets: &[String]) -> Result<Vec<Setting>> {
    if sets.is_empty() {
        bail!(
            "nothing to correct: pass --set COLUMN=VALUE (a category such as user.contact.email, or SOURCE.TABLE.COLUMN)"
        );
    }
    let mut out: Vec<Setting> = Vec::new();
    for set in sets {
        // Without `=` the text may be the value itself: it is not repeated.
        let Some((name, value)) = set.split_once('=') else {
            bail!(
                "--set: write COLUMN=VALUE (a category such as user.name, or SOURCE.TABLE.COLUMN)"
            );
        };
        let name = name.trim();
        let (target, category, identity) = resolve(policy, name)?;
        if out.iter().any(|s| s.target == target) {
            bail!("--set {name}: given twice");
        }
        let value = validate(policy, name, &category, identity.as_deref(), value)?;
        out.push(Setting {
            name: name.to_string(),
            target,
            category,
            value,
        });
    }
    Ok(out)
}

/// A name as an error may show it: the part before any `=`, at most 80 characters.
fn shown_name(text: &str) -> String {
    text.split('=')
        .next()
        .unwrap_or("")
        .chars()
        .take(80)
        .collect()
}

/// What a name targets, its category and, for an identity column, its identity kind.
fn resolve(policy: &Policy, name: &str) -> Result<(Target, String, Option<String>)> {
    if taxonomy::is_known(name) {
        if !taxonomy::is_personal(name) {
            bail!(
                "--set {name}: `{name}` is not personal data; rectification corrects data about a person (user.*)"
            );
        }
        let declared = policy
            .sources
            .iter()
            .flat_map(|s| &s.tables)
            .flat_map(|t| t.table.columns.values())
            .any(|c| c.get_ref().category == name);
        if !declared {
            bail!("--set {name}: no column of the policy holds `{name}`");
        }
        let identity = policy
            .sources
            .iter()
            .flat_map(|s| &s.tables)
            .flat_map(|t| t.table.columns.values())
            .map(|c| c.get_ref())
            .find(|c| c.category == name && c.identity.is_some())
            .and_then(|c| c.identity.clone());
        return Ok((
            Target::Category(name.to_string()),
            name.to_string(),
            identity,
        ));
    }
    let parts: Vec<&str> = name.split('.').collect();
    if let [source, table, column] = parts.as_slice() {
        if let Some(spec) = policy
            .source(source)
            .and_then(|s| s.table(table))
            .and_then(|t| t.column(column))
        {
            if !taxonomy::is_personal(&spec.category) {
                bail!(
                    "--set {name}: the column holds {}, not personal data; rectification corrects data about a person",
                    spec.category
                );
            }
            return Ok((
                Target::Column {
                    source: source.to_string(),
                    table: table.to_string(),
                    column: column.to_string(),
                },
                spec.category.clone(),
                spec.identity.clone(),
            ));
        }
        bail!("--set {name}: unknown column `{column}` of table `{table}` in source `{source}`");
    }
    let hint = taxonomy::suggest(name)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    bail!(
        "--set {}: unknown column or category{hint}; name a category of the taxonomy (user.contact.email) or SOURCE.TABLE.COLUMN",
        shown_name(name)
    )
}

/// The corrected value in the form its category (or identity kind) keeps; the error never
/// repeats the value.
fn validate(
    policy: &Policy,
    name: &str,
    category: &str,
    identity: Option<&str>,
    value: &str,
) -> Result<String> {
    let rule = identity
        .and_then(|kind| policy.identity_kind(kind))
        .map(IdentityRule::of);
    let form = match (&rule, category) {
        (Some(rule), _) => Some((rule.normalise, rule.default_region.clone())),
        (None, "user.contact.email") => Some((Normalise::Email, None)),
        (None, "user.contact.phone_number") => {
            let region = policy
                .identities
                .iter()
                .map(|(_, k)| k.get_ref())
                .find(|k| k.normalise == Normalise::Phone)
                .and_then(|k| k.default_region.as_ref().map(|r| r.get_ref().clone()));
            Some((Normalise::Phone, region))
        }
        _ => None,
    };
    if value.trim().is_empty() {
        bail!(
            "--set {name}: the value is empty; rectification corrects a value, erasure removes it"
        );
    }
    if value.chars().any(|c| c.is_control()) {
        bail!("--set {name}: the value holds control characters");
    }
    if value.chars().count() > MAX_VALUE_CHARS {
        bail!("--set {name}: the value is over {MAX_VALUE_CHARS} characters");
    }
    match form {
        Some((rule, region)) => normalise(rule, region.as_deref(), value).map_err(|_| {
            let what = match rule {
                Normalise::Email => "an e-mail address",
                Normalise::Phone => "a valid phone number",
                _ => "a value of this identity kind",
            };
            anyhow::anyhow!(
                "--set {name}: the value is not {what} ({category}); nothing was changed"
            )
        }),
        None => Ok(value.trim().to_string()),
    }
}

/// One column to correct in one table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnPlan {
    pub table: String,
    pub column: String,
    /// The `--set` it comes from.
    pub set: String,
    /// Rows whose value changes.
    pub rows: u64,
    /// Rows that already hold the corrected value.
    pub unchanged: u64,
    /// Rows of a column holding what the subject is known by whose value is not exactly
    /// the subject's (another person's, a list of several): not changed.
    pub other_value: u64,
    /// The statement that corrects them (its values bound), as `--dry-run` shows it.
    #[serde(default)]
    pub statement: String,
    /// The changing rows' current values, masked, for the terminal (never journaled).
    #[serde(skip)]
    pub old: Vec<String>,
    #[serde(skip)]
    keys: Vec<Vec<Key>>,
    #[serde(skip)]
    key_columns: Vec<ColumnInfo>,
    #[serde(skip)]
    info: Option<ColumnInfo>,
    #[serde(skip)]
    value: String,
}

/// The corrections of one source.
#[derive(Debug, Clone)]
pub struct SourcePlan<'p> {
    pub source: &'p SourceDef,
    pub columns: Vec<ColumnPlan>,
    /// Rows shared with other people (not the subject's alone): never changed.
    pub shared: u64,
    /// Identity columns of the subject's kind still holding the old value that no `--set`
    /// covers: `table.column`.
    pub left: Vec<String>,
    found: traverse::Found,
}

impl SourcePlan<'_> {
    pub fn changes(&self) -> u64 {
        self.columns.iter().map(|c| c.rows).sum()
    }
}

/// The plan as `rectify --dry-run --format json` gives it.
#[derive(Debug, Serialize)]
pub struct PlanView<'a> {
    pub dry_run: bool,
    pub sources: Vec<SourceView<'a>>,
    pub providers: Vec<StepView<'a>>,
}

#[derive(Debug, Serialize)]
pub struct SourceView<'a> {
    pub source: &'a str,
    pub columns: &'a [ColumnPlan],
    pub shared_rows_kept: u64,
}

#[derive(Debug, Serialize)]
pub struct StepView<'a> {
    pub step: &'a str,
    pub kind: String,
    pub description: &'a str,
}

impl<'a> PlanView<'a> {
    pub fn of(planned: &'a [SourcePlan], steps: &'a [ProviderStep]) -> PlanView<'a> {
        PlanView {
            dry_run: true,
            sources: planned
                .iter()
                .map(|p| SourceView {
                    source: p.source.id(),
                    columns: &p.columns,
                    shared_rows_kept: p.shared,
                })
                .collect(),
            providers: steps
                .iter()
                .map(|s| StepView {
                    step: &s.step_id,
                    kind: s.kind.to_string(),
                    description: &s.description,
                })
                .collect(),
        }
    }
}

/// Who is corrected, how, against which policy and stores.
pub struct Rectification<'a> {
    pub policy: &'a Policy,
    pub key: &'a SubjectKey,
    pub store: &'a Store,
    pub subject: &'a Subject,
    pub subject_ref: String,
    pub settings: &'a [Setting],
    pub actor: String,
}

/// The identity the subject is known by after the correction, when a `--set` corrects it.
pub fn new_identity(policy: &Policy, subject: &Subject, settings: &[Setting]) -> Option<Subject> {
    settings.iter().find_map(|s| {
        let kind = match &s.target {
            Target::Category(category) => policy
                .sources
                .iter()
                .flat_map(|src| &src.tables)
                .flat_map(|t| t.table.columns.values())
                .map(|c| c.get_ref())
                .find(|c| &c.category == category && c.identity.as_deref() == Some(&subject.kind))
                .map(|_| subject.kind.clone()),
            Target::Column {
                source,
                table,
                column,
            } => policy
                .source(source)
                .and_then(|src| src.table(table))
                .and_then(|t| t.column(column))
                .and_then(|c| c.identity.clone()),
        }?;
        (kind == subject.kind && s.value != subject.value).then(|| Subject {
            kind,
            value: s.value.clone(),
        })
    })
}

impl<'a> Rectification<'a> {
    /// Plans every source (or those named in `only`): which columns of which rows change.
    pub async fn plan(&self, only: Option<&BTreeSet<String>>) -> Result<Vec<SourcePlan<'a>>> {
        let mut plans = Vec::new();
        let placeholders = update_placeholders(self.policy);
        for source in &self.policy.sources {
            if only.is_some_and(|o| !o.contains(source.id())) {
                continue;
            }
            let pool = SourcePool::connect(self.policy, source).await?;
            let plan = self.plan_source(&pool, source, &placeholders).await;
            pool.close().await;
            plans.push(plan?);
        }
        Ok(plans)
    }

    async fn plan_source(
        &self,
        pool: &SourcePool,
        source: &'a SourceDef,
        placeholders: &[Placeholder],
    ) -> Result<SourcePlan<'a>> {
        let found = traverse::traverse(
            self.policy,
            pool,
            source,
            std::slice::from_ref(self.subject),
            placeholders,
        )
        .await?;
        let identity_rule = source
            .identities
            .get(&self.subject.kind)
            .map(IdentityRule::of);
        // The categories the subject's identity kind is stored under.
        let identity_categories: BTreeSet<String> = self
            .policy
            .sources
            .iter()
            .flat_map(|s| &s.tables)
            .flat_map(|t| t.table.columns.values())
            .map(|c| c.get_ref())
            .filter(|c| c.identity.as_deref() == Some(&self.subject.kind))
            .map(|c| c.category.clone())
            .collect();
        let mut plan = SourcePlan {
            source,
            columns: Vec::new(),
            shared: found.tables.values().map(|t| t.shared.len() as u64).sum(),
            left: Vec::new(),
            found: found.clone(),
        };
        for (name, table) in &found.tables {
            if table.keys.is_empty() {
                continue;
            }
            let Some(def) = source.table(name) else {
                continue;
            };
            let mut targets: Vec<(&str, &Setting, Option<&str>)> = Vec::new();
            let mut unset_identities: Vec<&str> = Vec::new();
            for (column, spec) in &def.columns {
                let spec = spec.get_ref();
                // A column named on its own wins over its category.
                let named = self.settings.iter().find(|s| match &s.target {
                    Target::Column {
                        source: s,
                        table: t,
                        column: c,
                    } => s == source.id() && t == name && c == column,
                    Target::Category(_) => false,
                });
                let setting = named.or_else(|| {
                    self.settings
                        .iter()
                        .find(|s| matches!(&s.target, Target::Category(c) if c == &spec.category))
                });
                match setting {
                    Some(setting) => targets.push((column, setting, spec.identity.as_deref())),
                    None if spec.identity.as_deref() == Some(&self.subject.kind) => {
                        unset_identities.push(column)
                    }
                    None => {}
                }
            }
            if targets.is_empty() && unset_identities.is_empty() {
                continue;
            }
            let columns = pool.table_columns(name).await?;
            let info = |c: &str| {
                columns
                    .iter()
                    .find(|i| i.name == c)
                    .cloned()
                    .with_context(|| format!("column `{name}.{c}` is in the policy but not in the database (run `privops policy check --live`)"))
            };
            let read: Vec<ColumnInfo> = targets
                .iter()
                .map(|(c, _, _)| *c)
                .chain(unset_identities.iter().copied())
                .map(info)
                .collect::<Result<_>>()?;
            let key_refs: Vec<&ColumnInfo> = table.key_columns.iter().collect();
            let mut per_column: Vec<ColumnPlan> = targets
                .iter()
                .map(|(column, setting, _)| ColumnPlan {
                    table: name.clone(),
                    column: column.to_string(),
                    set: setting.name.clone(),
                    rows: 0,
                    unchanged: 0,
                    other_value: 0,
                    statement: String::new(),
                    old: Vec::new(),
                    keys: Vec::new(),
                    key_columns: table.key_columns.clone(),
                    info: read.iter().find(|i| i.name == *column).cloned(),
                    value: setting.value.clone(),
                })
                .collect();
            let mut left = 0u64;
            let mut select: Vec<String> = table
                .key_columns
                .iter()
                .map(|c| pool.select_expr(c))
                .collect();
            select.extend(read.iter().map(|c| pool.select_expr(c)));
            let mut kinds: Vec<Kind> = table.key_columns.iter().map(|c| c.kind).collect();
            kinds.extend(read.iter().map(|c| c.kind));
            let key_len = table.key_columns.len();
            for chunk in table.keys.chunks(500) {
                let mut sql = Sql::new(format!(
                    "SELECT {} FROM {} WHERE ",
                    select.join(", "),
                    pool.quote(name)
                ));
                sql.append(
                    &pool
                        .dialect()
                        .in_list(&key_refs, chunk.iter().map(Vec::as_slice)),
                );
                pool.for_each_row(&sql, &kinds, |row| {
                    let key: Vec<Key> = row[..key_len].iter().map(Key::from_json).collect();
                    for (i, (_, setting, identity)) in targets.iter().enumerate() {
                        let old = Key::from_json(&row[key_len + i]).as_text();
                        let plan = &mut per_column[i];
                        let same = old.as_deref().is_some_and(|o| {
                            o == setting.value
                                || identity_rule
                                    .as_ref()
                                    .filter(|_| *identity == Some(self.subject.kind.as_str()))
                                    .is_some_and(|r| r.finds(o, &setting.value))
                        });
                        // A column holding what the subject is known by (their identity
                        // column, or any column of its category: a list of attendees, a
                        // copy in a log) is corrected only where it holds exactly the
                        // subject's own value.
                        let guarded = *identity == Some(self.subject.kind.as_str())
                            || identity_categories.contains(&setting.category);
                        let theirs = match (&identity_rule, guarded) {
                            (Some(rule), true) => old
                                .as_deref()
                                .is_some_and(|o| rule.finds(o, &self.subject.value)),
                            _ => true,
                        };
                        if same {
                            plan.unchanged += 1;
                        } else if !theirs {
                            plan.other_value += 1;
                        } else {
                            plan.rows += 1;
                            plan.old
                                .push(old.as_deref().map_or("NULL".to_string(), mask_value));
                            plan.keys.push(key.clone());
                        }
                    }
                    for (j, _) in unset_identities.iter().enumerate() {
                        let value = Key::from_json(&row[key_len + targets.len() + j]).as_text();
                        if let (Some(value), Some(rule)) = (value, &identity_rule) {
                            if rule.finds(&value, &self.subject.value) {
                                left += 1;
                            }
                        }
                    }
                    Ok(())
                })
                .await?;
            }
            let key_names: Vec<String> = table
                .key_columns
                .iter()
                .map(|c| pool.quote(&c.name))
                .collect();
            for column in &mut per_column {
                column.statement = format!(
                    "UPDATE {} SET {} = <corrected value> WHERE ({}) IN (<{} key(s) of the subject's rows>)",
                    pool.quote(name),
                    pool.quote(&column.column),
                    key_names.join(", "),
                    column.rows
                );
            }
            if left > 0 {
                for column in &unset_identities {
                    plan.left.push(format!("{}.{name}.{column}", source.id()));
                }
            }
            plan.columns.extend(per_column);
        }
        Ok(plan)
    }

    /// Provider calls with the corrected values, and manual tasks, for the providers that
    /// received the categories corrected.
    pub fn provider_steps(&self, planned: &[SourcePlan]) -> Vec<ProviderStep> {
        let categories: BTreeSet<String> =
            self.settings.iter().map(|s| s.category.clone()).collect();
        let values = |p: &Placeholder| -> Vec<String> {
            match p {
                Placeholder::New(category) => self
                    .settings
                    .iter()
                    .filter(|s| &s.category == category)
                    .map(|s| s.value.clone())
                    .take(1)
                    .collect(),
                _ => traverse::placeholder_values(
                    p,
                    std::slice::from_ref(self.subject),
                    planned.iter().map(|p| (p.source.id(), &p.found)),
                ),
            }
        };
        workflow::provider_steps_for(self.policy, &categories, Call::Update, values)
    }

    /// The open rectification run of this subject, if one was stopped midway.
    pub async fn open_run(&self) -> Result<Option<String>> {
        use sqlx::Row;
        let row = sqlx::query(
            "SELECT s.run_id FROM erasure_subjects s JOIN erasure_runs r ON r.run_id = s.run_id \
             WHERE r.status = 'open' AND s.subject_ref = $1 AND s.run_id LIKE 'REC-%' \
             ORDER BY r.created_at LIMIT 1",
        )
        .bind(&self.subject_ref)
        .fetch_optional(&self.store.pool)
        .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// A keyed digest of the corrections, so that a resumed run is known to carry on with
    /// the same values (which the journal never keeps in clear).
    pub fn digest(&self) -> String {
        let mut text: Vec<String> = self
            .settings
            .iter()
            .map(|s| format!("{}={}", s.name, s.value))
            .collect();
        // The same corrections in another order are the same run.
        text.sort();
        self.key.pseudonym(&text.join("\n"))
    }

    /// Opens the run (and the request, when none is named), with a step per source,
    /// provider call and manual task, and the verification; returns its id.
    pub async fn start(
        &self,
        request: Option<&str>,
        planned: &[SourcePlan<'_>],
        steps: &[ProviderStep],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<String> {
        let mut tx = self.store.begin_write().await?;
        audit::record_policy_version(&mut tx, &self.actor, &self.policy.digest).await?;
        // The corrected identity is kept in clear beside the old one until the run ends.
        let mut identities = vec![(self.subject.clone(), self.subject_ref.clone())];
        if let Some(new) = new_identity(self.policy, self.subject, self.settings) {
            let new_ref = self.key.reference(&new);
            identities.push((new, new_ref));
        }
        crate::consent::remember_subjects(&mut tx, &identities).await?;
        let request = match request {
            Some(id) => {
                let request = crate::store::requests::get(&mut *tx, id).await?;
                if request.kind != "rectification" {
                    bail!(
                        "request {id} is a {} request, not a rectification request",
                        request.kind
                    );
                }
                if request.subject_ref != self.subject_ref {
                    bail!("request {id} is about another subject");
                }
                if request.status != "open" {
                    bail!("request {id} is closed");
                }
                request
            }
            None => {
                let request = crate::store::requests::open(
                    &mut tx,
                    crate::store::requests::Kind::Rectification,
                    &self.subject_ref,
                    now,
                    self.policy.deadline_days(),
                    Some("opened by privops rectify"),
                )
                .await?;
                audit::append(
                    &mut tx,
                    &self.actor,
                    &[NewEntry::new(
                        "request.open",
                        json!({ "request": request.id, "kind": "rectification", "due_at": request.due_at }),
                    )
                    .about(&self.subject_ref)],
                )
                .await?;
                request
            }
        };
        let run_id = format!(
            "REC-{}",
            &journal::run_id(std::slice::from_ref(&request.id))[4..]
        );
        if journal::run_exists(&mut *tx, &run_id).await?.is_some() {
            bail!(
                "request {} already has a rectification run ({run_id}); open a new request for another correction",
                request.id
            );
        }
        journal::create_run(
            &mut tx,
            &run_id,
            &[(self.subject_ref.clone(), request.id.clone())],
        )
        .await?;
        let header = RunHeader {
            settings: self.settings.iter().map(|s| s.name.clone()).collect(),
            digest: self.digest(),
            new_ref: new_identity(self.policy, self.subject, self.settings)
                .map(|s| self.key.reference(&s)),
        };
        let mut position = 0;
        for p in planned.iter().filter(|p| p.changes() > 0) {
            position += 1;
            journal::add_step(
                &mut tx,
                &run_id,
                position,
                &format!("source:{}", p.source.id()),
                StepKind::Source,
                &format!("correct rows in source `{}`", p.source.id()),
                Some(&p.columns),
            )
            .await?;
        }
        let position = workflow::add_provider_steps(&mut tx, &run_id, position, steps).await?;
        journal::add_step(
            &mut tx,
            &run_id,
            position + 1,
            "verify",
            StepKind::Verify,
            "verify that every corrected column of the subject's rows holds the corrected value",
            // The corrections asked for: names, and the values as a keyed digest.
            Some(&header),
        )
        .await?;
        let counts: BTreeMap<&str, u64> = planned
            .iter()
            .map(|p| (p.source.id(), p.changes()))
            .collect();
        audit::append(
            &mut tx,
            &self.actor,
            &[NewEntry::new(
                "rectify.plan",
                json!({ "run": run_id, "request": request.id, "set": header.settings, "sources": counts, "provider_calls": steps.iter().filter(|s| s.kind == StepKind::Provider).count(), "manual_tasks": steps.iter().filter(|s| s.kind == StepKind::Manual).count(), "identity_changes": header.new_ref.is_some() }),
            )
            .about(&self.subject_ref)],
        )
        .await?;
        tx.commit().await?;
        Ok(run_id)
    }

    /// Checks that a resumed run carries on with the same corrections.
    pub async fn check_resume(&self, run_id: &str) -> Result<()> {
        let steps = journal::steps(&self.store.pool, run_id).await?;
        let header = RunHeader::of(&steps)?;
        if header.digest != self.digest() {
            bail!(
                "run {run_id} for this subject was started with other corrections ({}); run it again with the same --set values to finish it",
                header.settings.join(", ")
            );
        }
        Ok(())
    }

    /// Runs what is left: each source not done in one transaction, then provider calls,
    /// then the verification.
    pub async fn execute(&self, run_id: &str, out: &crate::output::Output) -> Result<()> {
        let steps = journal::steps(&self.store.pool, run_id).await?;
        let pending: BTreeSet<String> = steps
            .iter()
            .filter(|s| s.kind == StepKind::Source && s.status != StepStatus::Done)
            .filter_map(|s| s.step_id.strip_prefix("source:").map(str::to_string))
            .collect();
        if !pending.is_empty() {
            // Planned again: a source done before a stop no longer finds the subject under
            // a corrected identity, and is not asked to.
            for plan in self.plan(Some(&pending)).await? {
                let step_id = format!("source:{}", plan.source.id());
                let pool = SourcePool::connect(self.policy, plan.source).await?;
                let result = apply(&pool, &plan).await;
                pool.close().await;
                if result.is_ok() {
                    // Committed in the source, not yet in the journal: the hardest place
                    // to stop.
                    workflow::failpoint(&format!("after-source:{}", plan.source.id())).await?;
                }
                let mut tx = self.store.begin_write().await?;
                let (status, outcome) = match &result {
                    Ok(changed) => (
                        StepStatus::Done,
                        StepOutcome::new(format!(
                            "{changed} value(s) corrected in {} column(s)",
                            plan.columns.iter().filter(|c| c.rows > 0).count()
                        )),
                    ),
                    Err(error) => (StepStatus::Failed, StepOutcome::new(failure(error))),
                };
                journal::set_step(&mut tx, run_id, &step_id, status, &outcome).await?;
                audit::append(
                    &mut tx,
                    &self.actor,
                    &[NewEntry::new(
                        "rectify.source",
                        json!({ "run": run_id, "source": plan.source.id(), "status": status, "outcome": outcome.outcome }),
                    )
                    .about(&self.subject_ref)],
                )
                .await?;
                tx.commit().await?;
                if result.is_err() {
                    out.warn(&format!("{step_id}: {}", outcome.outcome));
                }
            }
        }
        // Recipients are told of a correction only once it is made everywhere here.
        let steps = journal::steps(&self.store.pool, run_id).await?;
        if steps
            .iter()
            .any(|s| s.kind == StepKind::Source && s.status != StepStatus::Done)
        {
            return Ok(());
        }
        let bar = indicatif::ProgressBar::hidden();
        workflow::call_providers(
            &Calls {
                store: self.store,
                policy: self.policy,
                actor: &self.actor,
                run_id,
                action: "rectify.provider",
                call: Call::Update,
            },
            &[],
            &bar,
            out,
        )
        .await?;
        self.verify(run_id).await
    }

    /// Plans again under the identity the subject now has: verified when no targeted
    /// column of their rows is left to change and the old identity is found nowhere.
    async fn verify(&self, run_id: &str) -> Result<()> {
        let steps = journal::steps(&self.store.pool, run_id).await?;
        if steps
            .iter()
            .any(|s| s.kind == StepKind::Source && s.status != StepStatus::Done)
        {
            return Ok(());
        }
        let Some(step) = steps.iter().find(|s| s.step_id == "verify") else {
            bail!("run {run_id} has no verification step");
        };
        if step.status == StepStatus::Done {
            return Ok(());
        }
        let header = RunHeader::of(&steps)?;
        let now = match new_identity(self.policy, self.subject, self.settings) {
            Some(subject) => subject,
            None => self.subject.clone(),
        };
        let under_new = Rectification {
            subject: &now,
            subject_ref: self.key.reference(&now),
            ..self.shallow()
        };
        let left: u64 = under_new
            .plan(None)
            .await?
            .iter()
            .map(SourcePlan::changes)
            .sum();
        let old_left: usize = if now != *self.subject {
            self.plan(None)
                .await?
                .iter()
                .map(|p| {
                    p.found
                        .tables
                        .values()
                        .filter(|t| !t.keys.is_empty())
                        .count()
                })
                .sum()
        } else {
            0
        };
        let (status, outcome) = if left == 0 && old_left == 0 {
            (
                StepStatus::Done,
                StepOutcome::new(
                    "every corrected column of the subject's rows holds the corrected value",
                ),
            )
        } else {
            (
                StepStatus::Failed,
                StepOutcome::new(format!(
                    "{left} value(s) still to correct; the old identity still finds rows in {old_left} table(s)"
                )),
            )
        };
        let mut tx = self.store.begin_write().await?;
        journal::set_step(&mut tx, run_id, "verify", status, &outcome).await?;
        // The corrected identity takes its ledgers as soon as the data answers to it, so
        // that an objection or a restriction keeps holding while recipients are told.
        if let (StepStatus::Done, Some(new_ref)) = (status, &header.new_ref) {
            move_identity(
                &mut tx,
                &self.subject_ref,
                new_ref,
                run_id,
                &self.actor,
                &crate::time::now_text(),
            )
            .await?;
        }
        audit::append(
            &mut tx,
            &self.actor,
            &[NewEntry::new(
                "rectify.verify",
                json!({ "run": run_id, "status": status, "left": left, "old_identity_tables": old_left }),
            )
            .about(&self.subject_ref)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    fn shallow(&self) -> Rectification<'a> {
        Rectification {
            policy: self.policy,
            key: self.key,
            store: self.store,
            subject: self.subject,
            subject_ref: self.subject_ref.clone(),
            settings: self.settings,
            actor: self.actor.clone(),
        }
    }
}

/// What the journal keeps of the corrections asked for.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RunHeader {
    settings: Vec<String>,
    digest: String,
    new_ref: Option<String>,
}

impl RunHeader {
    /// The header a run keeps with its verification step.
    fn of(steps: &[journal::Step]) -> Result<RunHeader> {
        steps
            .iter()
            .find(|s| s.step_id == "verify")
            .and_then(|s| s.plan.0.clone())
            .and_then(|v| serde_json::from_value(v).ok())
            .context("the run's plan is missing from the journal")
    }
}

/// The placeholders every provider's `update` request names.
fn update_placeholders(policy: &Policy) -> Vec<Placeholder> {
    let mut all = BTreeSet::new();
    for provider in policy.providers() {
        if let Some(request) = &provider.update {
            all.extend(crate::sources::http::request_placeholders(
                request.get_ref(),
            ));
        }
    }
    all.into_iter().collect()
}

/// A failed correction in words that carry no value: a database's message can quote the
/// value it refused (a duplicate key, a bad date), so only its code is kept.
fn failure(error: &anyhow::Error) -> String {
    match error
        .chain()
        .find_map(|e| e.downcast_ref::<sqlx::Error>())
        .and_then(|e| e.as_database_error())
    {
        Some(db) => format!(
            "the database refused the correction (code {}); nothing of this source was changed",
            db.code().as_deref().unwrap_or("unknown")
        ),
        None => format!("{}; nothing of this source was changed", error.root_cause()),
    }
}

/// One transaction: every planned column of the source, 500 rows per statement.
async fn apply(pool: &SourcePool, plan: &SourcePlan<'_>) -> Result<u64> {
    let mut tx = pool.begin().await?;
    let mut changed = 0;
    for column in &plan.columns {
        let Some(info) = &column.info else { continue };
        let key_refs: Vec<&ColumnInfo> = column.key_columns.iter().collect();
        for chunk in column.keys.chunks(500) {
            let mut sql = Sql::new(format!(
                "UPDATE {} SET {} = ",
                pool.quote(&column.table),
                pool.quote(&column.column)
            ));
            match (pool.engine(), info.kind) {
                // PostgreSQL does not turn text into numbers, booleans or JSON by itself.
                (Engine::Postgres, Kind::Int | Kind::Float | Kind::Bool | Kind::Json) => {
                    sql.push("CAST(").bind(column.value.clone());
                    sql.push(&format!(" AS {})", pool.dialect().type_name(info)));
                }
                _ => pool
                    .dialect()
                    .bind(&mut sql, info, Key::Text(column.value.clone())),
            }
            sql.push(" WHERE ").append(
                &pool
                    .dialect()
                    .in_list(&key_refs, chunk.iter().map(Vec::as_slice)),
            );
            changed += tx.execute(&sql).await?;
        }
    }
    tx.commit().await?;
    Ok(changed)
}

/// The end of a run whose every step is done: the identity moves (when it changed), the
/// request closes, the run is done. Returns false while steps remain.
pub async fn finish(store: &Store, actor: &str, run_id: &str) -> Result<bool> {
    let steps = journal::steps(&store.pool, run_id).await?;
    if steps.iter().any(|s| s.status != StepStatus::Done) {
        return Ok(false);
    }
    if journal::run_exists(&store.pool, run_id).await?.as_deref() == Some("done") {
        return Ok(true);
    }
    let header = RunHeader::of(&steps)?;
    let subjects = journal::run_subjects(&store.pool, run_id).await?;
    let (old_ref, request) = subjects
        .first()
        .cloned()
        .context("the run names no subject")?;
    let mut tx = store.begin_write().await?;
    let summary: Vec<ColumnPlan> = steps
        .iter()
        .filter(|s| s.kind == StepKind::Source)
        .filter_map(|s| s.plan.0.clone())
        .filter_map(|v| serde_json::from_value::<Vec<ColumnPlan>>(v).ok())
        .flatten()
        .collect();
    journal::complete_without_suppression(&mut tx, run_id, &summary).await?;
    audit::append(
        &mut tx,
        actor,
        &[NewEntry::new(
            "rectify.complete",
            json!({ "run": run_id, "request": request, "values": summary.iter().map(|c| c.rows).sum::<u64>(), "identity_moved": header.new_ref.is_some() }),
        )
        .about(header.new_ref.as_deref().unwrap_or(&old_ref))],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Copies the append-only ledgers of `old` to `new`, moves requests, suppression and the
/// consent evidence, and records the move; the old reference answers "moved" from then
/// on. The audit chain is only appended to.
async fn move_identity(
    tx: &mut crate::store::Tx,
    old: &str,
    new: &str,
    run_id: &str,
    actor: &str,
    now: &str,
) -> Result<()> {
    // (statement, binds): $1 is the old reference, $2 the new one, $3 the time, $4 the actor.
    let statements: [(&str, &[&str]); 9] = [
        (
            "INSERT INTO consent_events (event_key, subject_ref, purpose_id, version, action, at, recorded_at, channel, evidence, actor, origin) \
             SELECT event_key, $2, purpose_id, version, action, at, $3, channel, NULL, $4, 'rectification' FROM consent_events WHERE subject_ref = $1 \
             ON CONFLICT (subject_ref, purpose_id, at, event_key) DO NOTHING",
            &[old, new, now, actor],
        ),
        (
            "INSERT INTO consent_evidence (event_id, subject_ref, evidence) \
             SELECT n.id, $2, e.evidence FROM consent_evidence e \
             JOIN consent_events o ON o.id = e.event_id \
             JOIN consent_events n ON n.subject_ref = $2 AND n.purpose_id = o.purpose_id AND n.at = o.at AND n.event_key = o.event_key \
             WHERE e.subject_ref = $1 \
             ON CONFLICT (event_id) DO NOTHING",
            &[old, new],
        ),
        // Evidence is free text that may name the person: it moved, it does not stay.
        (
            "DELETE FROM consent_evidence WHERE subject_ref = $1",
            &[old],
        ),
        (
            "INSERT INTO processing_limits (subject_ref, kind, purpose_id, action, ground, at, recorded_at, request_id, actor, origin) \
             SELECT $2, kind, purpose_id, action, ground, at, $3, request_id, $4, 'rectification' FROM processing_limits \
             WHERE subject_ref = $1 ORDER BY id",
            &[old, new, now, actor],
        ),
        (
            "INSERT INTO notice_acks (subject_ref, version, at, recorded_at, actor) \
             SELECT $2, version, at, $3, $4 FROM notice_acks WHERE subject_ref = $1 \
             ON CONFLICT (subject_ref, version) DO NOTHING",
            &[old, new, now, actor],
        ),
        (
            "UPDATE requests SET subject_ref = $2 WHERE subject_ref = $1",
            &[old, new],
        ),
        (
            "INSERT INTO suppressions (subject_ref, erased_at, run_id) \
             SELECT $2, erased_at, run_id FROM suppressions WHERE subject_ref = $1 \
             ON CONFLICT (subject_ref) DO NOTHING",
            &[old, new],
        ),
        ("DELETE FROM suppressions WHERE subject_ref = $1", &[old]),
        ("DELETE FROM subjects WHERE subject_ref = $1", &[old]),
    ];
    for (statement, binds) in statements {
        let mut query = sqlx::query(statement);
        for value in binds {
            query = query.bind(*value);
        }
        query
            .execute(&mut **tx)
            .await
            .context("cannot move the subject's records to the corrected identity")?;
    }
    // The new identity is in use (again): it is no longer one that moved away.
    sqlx::query("DELETE FROM subject_moves WHERE old_ref = $1")
        .bind(new)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO subject_moves (old_ref, new_ref, at, run_id) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (old_ref) DO UPDATE SET new_ref = excluded.new_ref, at = excluded.at, run_id = excluded.run_id",
    )
    .bind(old)
    .bind(new)
    .bind(now)
    .bind(run_id)
    .execute(&mut **tx)
    .await?;
    audit::append(
        tx,
        actor,
        &[
            NewEntry::new("rectify.identity", json!({ "run": run_id, "to": new })).about(old),
            NewEntry::new("rectify.identity", json!({ "run": run_id, "from": old })).about(new),
        ],
    )
    .await?;
    Ok(())
}
