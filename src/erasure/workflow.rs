//! An erasure run, from plan to receipt: plan each source (facts, decisions, statements),
//! open the run in the journal, erase each source in one transaction, call providers,
//! verify by planning again, and write the receipt. The commands that start or finish a
//! run (`erase`, `request confirm-manual`) only parse, confirm and render.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::audit::{self, NewEntry};
use crate::erasure::receipt::{
    self, Attempt, Receipt, SourceOutcome, StepOutcome, table_summaries,
};
use crate::output::Output;
use crate::plan::erase::{self as erase_plan, SourcePlan};
use crate::plan::traverse::{self, Found};
use crate::policy::{Policy, SourceDef};
use crate::sources::SourcePool;
use crate::sources::http::{self, Bindings, CallOutcome, ProviderClient, ProviderError};
use crate::store::Store;
use crate::store::journal::{self, Step, StepKind, StepStatus};
use crate::store::lease::Lease;
use crate::subject::{Subject, SubjectKey};
use crate::template::Placeholder;

/// Stops the run at a named point, as a crash would (PRIVOPS_FAILPOINT=NAME), so tests
/// can prove that a re-run finishes the work.
pub async fn failpoint(name: &str) -> Result<()> {
    if std::env::var("PRIVOPS_FAILPOINT").is_ok_and(|f| f == name) {
        bail!("stopped at failpoint {name}");
    }
    // PRIVOPS_FAILPOINT=pause:NAME waits there, so a test can interrupt the run.
    if std::env::var("PRIVOPS_FAILPOINT").is_ok_and(|f| f.strip_prefix("pause:") == Some(name)) {
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    }
    Ok(())
}

/// How long an erasure's subject leases last between renewals.
pub const LEASE: chrono::Duration = chrono::Duration::minutes(15);

/// Who is erased, against which policy and stores, by whom and when; `out` shows progress
/// and warnings while the run executes.
pub struct Erasure<'a> {
    pub policy: &'a Policy,
    pub key: &'a SubjectKey,
    pub store: &'a Store,
    pub subjects: &'a [Subject],
    pub refs: &'a [String],
    pub actor: String,
    pub now: DateTime<Utc>,
    pub out: &'a Output,
}

impl Erasure<'_> {
    /// Plans every source (or only `only`) for these subjects.
    pub async fn plan(&self, only: Option<&str>) -> Result<Vec<Planned<'_>>> {
        self.plan_with(&erase_placeholders(self.policy), only, &mut Vec::new())
            .await
    }

    /// [`Erasure::plan`] with the placeholders made, on the sources' pools in `open`
    /// where there is one (taken out of it).
    async fn plan_with(
        &self,
        placeholders: &[Placeholder],
        only: Option<&str>,
        open: &mut Vec<(String, SourcePool)>,
    ) -> Result<Vec<Planned<'_>>> {
        plan_sources(
            self.policy,
            self.key,
            self.subjects,
            placeholders,
            only,
            open,
        )
        .await
    }

    /// A warning when no source holds anything for these subjects, naming what was searched.
    pub fn nothing_found(&self, planned: &[Planned]) -> Option<String> {
        let found = planned
            .iter()
            .any(|p| p.found.rows() > 0 || !p.plan.tables.is_empty());
        if found {
            return None;
        }
        let searched: BTreeSet<String> = self.subjects.iter().map(|s| s.to_string()).collect();
        let columns: usize = self
            .policy
            .sources
            .iter()
            .flat_map(|s| &s.tables)
            .map(|t| t.table.identity_columns().count())
            .sum();
        // A few subjects are named, as typed; a list is counted (a cron job's stderr is
        // kept, and this line would otherwise repeat the whole list).
        let whom = if searched.len() <= 3 {
            searched.into_iter().collect::<Vec<_>>().join(", ")
        } else {
            format!("any of the {} subjects listed", searched.len())
        };
        Some(format!(
            "no personal data found in any source for {whom} (searched {columns} identity column(s) of {} source(s)); check the spelling, or the identity kind",
            self.policy.sources.len()
        ))
    }

    /// Opens the run in the journal (and the requests, when none is named), with a step
    /// per source, provider call, manual task and the verification; returns its id.
    pub async fn open_run(
        &self,
        request: Option<&str>,
        planned: &[Planned<'_>],
        steps: &[ProviderStep],
    ) -> Result<String> {
        let mut tx = self.store.begin_write().await?;
        audit::record_policy_version(&mut tx, &self.actor, &self.policy.digest).await?;
        let pairs: Vec<(String, String)> = match request {
            Some(id) => {
                let request = crate::store::requests::get(&mut *tx, id).await?;
                if request.kind != "erasure" {
                    bail!(
                        "request {id} is an {} request, not an erasure request",
                        request.kind
                    );
                }
                if request.subject_ref != self.refs[0] {
                    bail!("request {id} is about another subject");
                }
                vec![(self.refs[0].clone(), request.id)]
            }
            None => {
                let identities: Vec<(Subject, String)> = self
                    .subjects
                    .iter()
                    .cloned()
                    .zip(self.refs.iter().cloned())
                    .collect();
                crate::consent::remember_subjects(&mut tx, &identities).await?;
                let opened = crate::store::requests::open_many(
                    &mut tx,
                    crate::store::requests::Kind::Erasure,
                    self.refs,
                    self.now,
                    self.policy.deadline_days(),
                    Some("opened by privops erase"),
                )
                .await?;
                let entries: Vec<NewEntry> = opened
                    .iter()
                    .map(|r| {
                        NewEntry::new(
                            "request.open",
                            json!({ "request": r.id, "kind": "erasure", "due_at": r.due_at }),
                        )
                        .about(&r.subject_ref)
                    })
                    .collect();
                audit::append(&mut tx, &self.actor, &entries).await?;
                opened.into_iter().map(|r| (r.subject_ref, r.id)).collect()
            }
        };
        let requests: Vec<String> = pairs.iter().map(|(_, request)| request.clone()).collect();
        let run_id = journal::run_id(&requests);
        journal::create_run(&mut tx, &run_id, &pairs).await?;
        let mut position = 0;
        for p in planned {
            position += 1;
            journal::add_step(
                &mut tx,
                &run_id,
                position,
                &format!("source:{}", p.source.id()),
                StepKind::Source,
                &format!("erase rows in source `{}`", p.source.id()),
                Some(&table_summaries(&p.plan)),
            )
            .await?;
        }
        let position = add_provider_steps(&mut tx, &run_id, position, steps).await?;
        journal::add_step(
            &mut tx,
            &run_id,
            position + 1,
            "verify",
            StepKind::Verify,
            "verify that no personal data is left except held rows",
            None::<&()>,
        )
        .await?;
        let counts: BTreeMap<String, Value> = planned
            .iter()
            .map(|p| {
                (
                    p.source.id().to_string(),
                    json!({ "delete": p.plan.deletes(), "mask": p.plan.masks() }),
                )
            })
            .collect();
        let details = json!({ "run": run_id, "subjects": self.refs.len(), "sources": counts, "provider_calls": steps.iter().filter(|s| s.kind == StepKind::Provider).count(), "manual_tasks": steps.iter().filter(|s| s.kind == StepKind::Manual).count() });
        // One entry for the run, as for its sources and its verification: the journal
        // lists the run's subjects, and each subject's `erase.complete` names the run.
        audit::append(
            &mut tx,
            &self.actor,
            &[NewEntry::new("erase.plan", details)],
        )
        .await?;
        tx.commit().await?;
        Ok(run_id)
    }

    /// Runs what is left of the run: each source in one transaction, each provider call,
    /// then the verification. `fresh` are plans made moments ago for a new run.
    pub async fn execute(
        &self,
        run_id: &str,
        mut fresh: Vec<Planned<'_>>,
        leases: &[Lease],
    ) -> Result<()> {
        let run_id = run_id.to_string();
        let placeholders = erase_placeholders(self.policy);
        // Databases: one transaction per source.
        let left = journal::steps(&self.store.pool, &run_id)
            .await?
            .iter()
            .filter(|s| {
                s.status != StepStatus::Done
                    && (s.kind == StepKind::Source || s.kind == StepKind::Provider)
            })
            .count();
        let bar = self
            .out
            .progress(left as u64, "erasing: sources and providers");
        // The sources' pools, kept open for the verification's plan: a SQLite source's
        // connection dropped here is still closing (folding its log, removing it) when
        // the verification opens the file again, and waits for it.
        let mut open: Vec<(String, SourcePool)> = Vec::new();
        for step in journal::steps(&self.store.pool, &run_id).await? {
            if step.kind != StepKind::Source || step.status == StepStatus::Done {
                continue;
            }
            let source_id = step.step_id.trim_start_matches("source:");
            let planned = match fresh.iter().position(|p| p.source.id() == source_id) {
                Some(index) => vec![fresh.swap_remove(index)],
                None => {
                    self.plan_with(&placeholders, Some(source_id), &mut Vec::new())
                        .await?
                }
            };
            let Some(p) = planned.first() else {
                bail!("source `{source_id}` of run {run_id} is no longer in the policy");
            };
            Lease::renew_all(leases, self.store).await?;
            // The journal records each attempt before it runs. A source's changes commit in one
            // transaction, so an earlier attempt whose end was not journaled either changed
            // all it planned (then planning again finds less to do) or nothing.
            let earlier = receipt::source_outcome(&step)
                .and_then(|o| o.attempt)
                .filter(|attempt| attempt.rows() > (p.plan.deletes() + p.plan.masks()) as u64);
            let mut tx = self.store.begin_write().await?;
            let recorded = SourceOutcome {
                // Keep the attempt that did the work on record, should this one stop too.
                attempt: Some(earlier.clone().unwrap_or_else(|| Attempt::of(&p.plan))),
                ..SourceOutcome::default()
            };
            journal::set_step(
                &mut tx,
                &run_id,
                &step.step_id,
                StepStatus::Pending,
                &recorded,
            )
            .await?;
            tx.commit().await?;
            failpoint(&format!("before-source:{source_id}")).await?;
            let mut done = erase_plan::execute(&p.pool, &p.plan).await?;
            failpoint(&format!("after-source:{source_id}")).await?;
            let mut tables = table_summaries(&p.plan);
            if let Some(earlier) = earlier {
                for (table, n) in &earlier.deleted {
                    done.entry(table.clone()).or_default().deleted += n;
                }
                for (table, n) in &earlier.masked {
                    done.entry(table.clone()).or_default().masked += n;
                }
                tables = earlier.tables;
            }
            let outcome = SourceOutcome {
                attempt: None,
                tables: Some(tables),
                deleted: done.iter().map(|(t, c)| (t.clone(), c.deleted)).collect(),
                masked: done.iter().map(|(t, c)| (t.clone(), c.masked)).collect(),
                unlinked: done
                    .iter()
                    .filter(|(_, c)| c.unlinked > 0)
                    .map(|(t, c)| (t.clone(), c.unlinked))
                    .collect(),
                statements: p.plan.statements.clone(),
            };
            let mut tx = self.store.begin_write().await?;
            journal::set_step(&mut tx, &run_id, &step.step_id, StepStatus::Done, &outcome).await?;
            let deleted: u64 = done.values().map(|c| c.deleted).sum();
            let masked: u64 = done.values().map(|c| c.masked).sum();
            audit::append(&mut tx, &self.actor, &[NewEntry::new("erase.source", json!({ "run": run_id, "source": source_id, "deleted": deleted, "masked": masked, "held": p.plan.tables.iter().map(|t| t.held.iter().map(|h| h.rows).sum::<usize>()).sum::<usize>(), "shared": p.plan.tables.iter().map(|t| t.shared).sum::<usize>(), "holds": p.plan.tables.iter().flat_map(|t| t.held.iter().filter(|h| h.rows > 0).map(move |h| json!({ "table": t.table, "reason": h.reason, "article": h.article, "rows": h.rows }))).collect::<Vec<_>>() }))]).await?;
            tx.commit().await?;
            bar.inc(1);
            self.out.detail(&format!(
                "source `{source_id}`: {deleted} deleted, {masked} masked"
            ));
            open.extend(
                planned
                    .into_iter()
                    .map(|p| (p.source.id().to_string(), p.pool)),
            );
        }

        call_providers(
            &Calls {
                store: self.store,
                policy: self.policy,
                actor: &self.actor,
                run_id: &run_id,
                action: "erase.provider",
                call: Call::Erase,
            },
            leases,
            &bar,
            self.out,
        )
        .await?;

        bar.finish_and_clear();
        // Verification: planning again must find nothing left to do.
        let steps_now = journal::steps(&self.store.pool, &run_id).await?;
        let sources_done = steps_now
            .iter()
            .filter(|s| s.kind == StepKind::Source)
            .all(|s| s.status == StepStatus::Done);
        if sources_done
            && steps_now
                .iter()
                .any(|s| s.kind == StepKind::Verify && s.status != StepStatus::Done)
        {
            let planned = self.plan_with(&placeholders, None, &mut open).await?;
            let mut left = Vec::new();
            for p in &planned {
                for t in &p.plan.tables {
                    let unmasked = erase_plan::unmasked_rows(&p.pool, t, self.key).await?;
                    if t.delete > 0 || unmasked > 0 {
                        left.push(format!(
                            "{}.{}: {} row(s) to delete, {unmasked} not masked",
                            p.source.id(),
                            t.table,
                            t.delete
                        ));
                    }
                }
            }
            let (held, shared) = planned_kept(&steps_now);
            let (status, outcome) = if left.is_empty() {
                (
                    StepStatus::Done,
                    StepOutcome {
                        held: Some(held),
                        shared: Some(shared),
                        ..StepOutcome::new(format!(
                            "an access run finds no personal data left except {held} held row(s) and {shared} shared row(s)"
                        ))
                    },
                )
            } else {
                (
                    StepStatus::Failed,
                    StepOutcome::new(format!("personal data left: {}", left.join("; "))),
                )
            };
            let mut tx = self.store.begin_write().await?;
            journal::set_step(&mut tx, &run_id, "verify", status, &outcome).await?;
            audit::append(
                &mut tx,
                &self.actor,
                &[NewEntry::new(
                    "erase.verify",
                    json!({ "run": run_id, "status": status, "held": held, "shared": shared }),
                )],
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

/// The run these subjects' erasure continues, with its status: the run of `--request`, or
/// the unfinished run for exactly these subjects.
pub async fn existing_run(
    request: Option<&str>,
    refs: &[String],
    store: &crate::store::Store,
) -> Result<Option<(String, String)>> {
    let run = match request {
        Some(request) => journal::run_of_request(&store.pool, request).await?,
        None => journal::open_run_for(store, refs).await?,
    };
    Ok(match run {
        Some(run) => journal::run_exists(&store.pool, &run)
            .await?
            .map(|status| (run, status)),
        None => None,
    })
}

pub fn erase_placeholders(policy: &Policy) -> Vec<Placeholder> {
    policy
        .providers()
        .filter_map(|p| p.erase.as_ref())
        .flat_map(|r| http::request_placeholders(r.get_ref()))
        .collect()
}

/// One source's plan: the rows found and what erasure does to them.
pub struct Planned<'p> {
    pub source: &'p SourceDef,
    pub pool: SourcePool,
    pub found: Found,
    pub plan: SourcePlan,
}

pub async fn plan_sources<'p>(
    policy: &'p Policy,
    key: &SubjectKey,
    subjects: &[Subject],
    placeholders: &[Placeholder],
    only: Option<&str>,
    open: &mut Vec<(String, SourcePool)>,
) -> Result<Vec<Planned<'p>>> {
    let now = crate::time::now();
    let mut planned = Vec::new();
    for source in &policy.sources {
        if only.is_some_and(|o| o != source.id()) {
            continue;
        }
        // A pool still open from this run's own work is planned on as it is.
        let pool = match open.iter().position(|(id, _)| id == source.id()) {
            Some(index) => open.swap_remove(index).1,
            None => SourcePool::connect(policy, source).await?,
        };
        let mut found =
            traverse::traverse_linked(policy, &pool, source, subjects, placeholders).await?;
        let plan = erase_plan::plan(policy, &pool, source, &mut found, key, now).await?;
        planned.push(Planned {
            source,
            pool,
            found,
            plan,
        });
    }
    Ok(planned)
}

/// The categories of personal data found for the subjects.
fn found_categories(planned: &[Planned]) -> BTreeSet<String> {
    let mut categories = BTreeSet::new();
    for p in planned {
        for table_def in &p.source.tables {
            if p.found
                .tables
                .get(table_def.table.name())
                .is_some_and(|t| t.rows() > 0)
            {
                categories.extend(
                    table_def
                        .table
                        .personal_columns()
                        .map(|(_, s)| s.category.clone()),
                );
            }
        }
    }
    categories
}

fn overlaps(a: &str, b: &str) -> bool {
    a == b || a.starts_with(&format!("{b}.")) || b.starts_with(&format!("{a}."))
}

/// An erasure's plan for scripts (`erase --dry-run --format json`).
#[derive(serde::Serialize)]
pub struct PlanSummary<'p> {
    dry_run: bool,
    sources: Vec<&'p SourcePlan>,
    providers: Vec<PlannedCall<'p>>,
    manual: Vec<PlannedTask<'p>>,
}

#[derive(serde::Serialize)]
struct PlannedCall<'p> {
    step: &'p str,
    request: &'p str,
}

#[derive(serde::Serialize)]
struct PlannedTask<'p> {
    task: &'p str,
    instruction: &'p str,
}

impl<'p> PlanSummary<'p> {
    pub fn of(planned: &'p [Planned], steps: &'p [ProviderStep]) -> PlanSummary<'p> {
        let of_kind = |kind| steps.iter().filter(move |s: &&ProviderStep| s.kind == kind);
        PlanSummary {
            dry_run: true,
            sources: planned.iter().map(|p| &p.plan).collect(),
            providers: of_kind(StepKind::Provider)
                .map(|s| PlannedCall {
                    step: &s.step_id,
                    request: &s.shown,
                })
                .collect(),
            manual: of_kind(StepKind::Manual)
                .map(|s| PlannedTask {
                    task: &s.step_id,
                    instruction: &s.description,
                })
                .collect(),
        }
    }
}

pub struct ProviderStep {
    pub step_id: String,
    /// As the journal and the receipt keep it: values masked.
    pub description: String,
    /// As a dry run shows it on the terminal: values in full.
    pub shown: String,
    pub kind: StepKind,
    pub bindings: Option<Bindings>,
}

/// Provider calls (one per value found) and manual tasks for providers that received
/// categories of data these subjects have.
pub fn provider_steps(
    policy: &Policy,
    subjects: &[Subject],
    planned: &[Planned],
) -> Vec<ProviderStep> {
    provider_steps_for(policy, &found_categories(planned), Call::Erase, |p| {
        traverse::placeholder_values(
            p,
            subjects,
            planned.iter().map(|p| (p.source.id(), &p.found)),
        )
    })
}

/// Which of a provider's requests a run calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    /// `erase`, for erasures and offboardings.
    Erase,
    /// `update`, for rectifications (Art. 16, 19).
    Update,
}

impl Call {
    pub(crate) fn request(
        self,
        provider: &crate::policy::Provider,
    ) -> Option<&crate::policy::HttpRequest> {
        match self {
            Call::Erase => provider.erase.as_ref(),
            Call::Update => provider.update.as_ref(),
        }
        .map(|r| r.get_ref())
    }

    fn done(self) -> &'static str {
        match self {
            Call::Erase => "erased",
            Call::Update => "updated",
        }
    }
}

/// Provider calls (one per combination of the values `values` gives each placeholder)
/// and manual tasks, for the providers that received any of `categories`. A provider
/// without the request (or, for an update, without every corrected value its request
/// names) gets a manual task.
pub(crate) fn provider_steps_for(
    policy: &Policy,
    categories: &BTreeSet<String>,
    call: Call,
    values: impl Fn(&Placeholder) -> Vec<String>,
) -> Vec<ProviderStep> {
    let mut steps = Vec::new();
    let mut providers: Vec<_> = policy.providers().collect();
    providers.sort_by(|a, b| a.id.get_ref().cmp(b.id.get_ref()));
    for provider in providers {
        let id = provider.id.get_ref();
        let relevant = provider.categories.is_empty()
            || provider
                .categories
                .iter()
                .any(|c| categories.iter().any(|f| overlaps(c.get_ref(), f)));
        if !relevant {
            continue;
        }
        let calls = match call.request(provider) {
            Some(request) => {
                let placeholders = http::request_placeholders(request);
                let bindings = match request.batch {
                    Some(size) => http::batches(&placeholders, &values, size as usize),
                    None => http::expand(&placeholders, &values),
                };
                bindings
                    .into_iter()
                    .map(|binding| (request, binding))
                    .collect()
            }
            None => Vec::new(),
        };
        if !calls.is_empty() {
            for (n, (request, binding)) in calls.into_iter().enumerate() {
                steps.push(ProviderStep {
                    step_id: format!("provider:{id}:{}", n + 1),
                    description: format!(
                        "{} at {}",
                        http::describe_call(request, &binding, true),
                        provider.name
                    ),
                    shown: format!(
                        "{} at {}",
                        http::describe_call(request, &binding, false),
                        provider.name
                    ),
                    kind: StepKind::Provider,
                    bindings: Some(binding),
                });
            }
            continue;
        }
        let instruction = match call {
            // An erase request that found no values to send has nothing to erase there.
            Call::Erase if provider.erase.is_some() => continue,
            Call::Erase => provider.manual.as_ref().map(|m| m.trim().to_string()),
            Call::Update => Some(format!(
                "correct the subject's {} there (Art. 19: recipients are told of a rectification)",
                categories.iter().cloned().collect::<Vec<_>>().join(", ")
            )),
        };
        if let Some(instruction) = instruction {
            steps.push(ProviderStep {
                step_id: format!("manual:{id}"),
                description: format!("{}: {instruction}", provider.name),
                shown: format!("{}: {instruction}", provider.name),
                kind: StepKind::Manual,
                bindings: None,
            });
        }
    }
    steps
}

/// A run's provider calls: where they are journaled and audited.
pub(crate) struct Calls<'a> {
    pub store: &'a Store,
    pub policy: &'a Policy,
    pub actor: &'a str,
    pub run_id: &'a str,
    /// The audit action of each answer (`erase.provider`, `offboard.provider`).
    pub action: &'a str,
    /// Which request of each provider the run calls.
    pub call: Call,
}

/// Calls each provider step of the run that is not done yet, with the values its plan
/// recorded, and journals and audits each answer.
pub(crate) async fn call_providers(
    calls: &Calls<'_>,
    leases: &[Lease],
    bar: &indicatif::ProgressBar,
    out: &Output,
) -> Result<()> {
    // Providers (Art. 19), with the values recorded before the rows were deleted. A
    // provider that gave no sign of life (timeout, no connection) is not called again in
    // this run: its other steps fail at once, and a re-run tries them.
    let mut silent: BTreeSet<String> = BTreeSet::new();
    for step in journal::steps(&calls.store.pool, calls.run_id).await? {
        if step.kind != StepKind::Provider || step.status == StepStatus::Done {
            continue;
        }
        let provider_id = step.step_id.split(':').nth(1).unwrap_or_default();
        let outcome = match calls
            .policy
            .providers()
            .find(|p| p.id.get_ref() == provider_id)
        {
            None => Err(anyhow::anyhow!(
                "provider `{provider_id}` is no longer in the policy"
            )),
            Some(_) if silent.contains(provider_id) => Err(anyhow::anyhow!(
                "provider `{provider_id}`: not called: an earlier call of this run got no answer; running the command again retries it"
            )),
            Some(provider) => match ProviderClient::new(provider) {
                Err(e) => Err(e),
                Ok(client) => {
                    Lease::renew_all(leases, calls.store).await?;
                    failpoint(&format!("before-provider:{provider_id}")).await?;
                    let bindings = bindings_from_plan(&step);
                    match calls.call.request(provider) {
                        Some(request) => client.call(request, &bindings).await,
                        None => Err(anyhow::anyhow!(
                            "provider `{provider_id}` no longer declares the request this step calls"
                        )),
                    }
                }
            },
        };
        if let Err(error) = &outcome {
            if error
                .downcast_ref::<ProviderError>()
                .is_some_and(ProviderError::is_silence)
            {
                silent.insert(provider_id.to_string());
            }
        }
        let mut tx = calls.store.begin_write().await?;
        let (status, detail) = match outcome {
            Ok(CallOutcome::Done(_)) => (StepStatus::Done, StepOutcome::new(calls.call.done())),
            Ok(CallOutcome::NotFound(code)) => (
                StepStatus::Done,
                StepOutcome::new(match calls.call {
                    Call::Erase => format!("already gone ({code})"),
                    Call::Update => format!("the provider holds nothing for this subject ({code})"),
                }),
            ),
            Err(error) => (StepStatus::Failed, StepOutcome::new(error.to_string())),
        };
        journal::set_step(&mut tx, calls.run_id, &step.step_id, status, &detail).await?;
        if status == StepStatus::Done {
            journal::clear_step_plan(&mut tx, calls.run_id, &step.step_id).await?;
        }
        audit::append(&mut tx, calls.actor, &[NewEntry::new(calls.action, json!({ "run": calls.run_id, "step": step.step_id, "status": status, "outcome": detail.outcome }))]).await?;
        tx.commit().await?;
        bar.inc(1);
        if status == StepStatus::Failed {
            bar.suspend(|| out.warn(&format!("{}: {}", step.step_id, detail.outcome)));
        }
    }
    Ok(())
}

/// Journals a run's provider calls (with the values each sends, kept until it is done)
/// and manual tasks after `position`; returns the last position.
pub(crate) async fn add_provider_steps(
    tx: &mut crate::store::Tx,
    run_id: &str,
    mut position: i64,
    steps: &[ProviderStep],
) -> Result<i64> {
    for step in steps {
        position += 1;
        let plan = step.bindings.as_ref().map(bindings_plan);
        journal::add_step(
            tx,
            run_id,
            position,
            &step.step_id,
            step.kind,
            &step.description,
            plan.as_ref(),
        )
        .await?;
    }
    Ok(position)
}

/// A provider call's values as the journal keeps them until the call is done:
/// (placeholder, value) pairs.
fn bindings_plan(bindings: &Bindings) -> Vec<(String, String)> {
    bindings
        .iter()
        .map(|(p, v)| {
            let name = match p {
                Placeholder::Identity(kind) => format!("identity.{kind}"),
                Placeholder::New(category) => format!("new.{category}"),
                Placeholder::Column {
                    source,
                    table,
                    column,
                } => format!("{source}.{table}.{column}"),
            };
            (name, v.clone())
        })
        .collect()
}

fn bindings_from_plan(step: &Step) -> Bindings {
    let pairs: Vec<(String, String)> = step
        .plan
        .0
        .clone()
        .and_then(|plan| serde_json::from_value(plan).ok())
        .unwrap_or_default();
    let mut bindings = Bindings::new();
    for (name, value) in pairs {
        let parts: Vec<&str> = name.split('.').collect();
        let placeholder = match parts.as_slice() {
            ["identity", kind] => Placeholder::Identity(kind.to_string()),
            ["new", category @ ..] => Placeholder::New(category.join(".")),
            [source, table, column] => Placeholder::Column {
                source: source.to_string(),
                table: table.to_string(),
                column: column.to_string(),
            },
            _ => continue,
        };
        bindings.insert(placeholder, value);
    }
    bindings
}

/// Held and shared rows as the run's plans counted them, from the journal: verification
/// after the fact no longer finds rows whose identity was masked, so it cannot count them.
fn planned_kept(steps: &[Step]) -> (u64, u64) {
    let mut held = 0;
    let mut shared = 0;
    for step in steps.iter().filter(|s| s.kind == StepKind::Source) {
        for table in receipt::step_tables(step) {
            held += table.held.iter().map(|h| h.rows as u64).sum::<u64>();
            shared += table.shared as u64;
        }
    }
    (held, shared)
}

/// What an erasure run has come to: its receipt (written to the receipt folder), whether
/// it is complete, and the steps left.
pub struct Finished {
    pub run_id: String,
    pub receipt: Receipt,
    pub complete: bool,
    pub unfinished: Vec<Step>,
    /// Where the receipt was written (`RUN.json` and `RUN.md`).
    pub receipt_dir: PathBuf,
    /// The request of the run's first subject, for the commands that confirm its tasks.
    pub request: Option<String>,
}

/// Writes the receipt from the journal; completes the run when every step is done.
pub async fn finish(
    policy: &Policy,
    store: &crate::store::Store,
    actor: &str,
    run_id: &str,
    receipt_dir: &Path,
    key_file: &Path,
) -> Result<Finished> {
    let steps = journal::steps(&store.pool, run_id).await?;
    let subjects = journal::run_subjects(&store.pool, run_id).await?;
    let complete = steps.iter().all(|s| s.status == StepStatus::Done);
    let receipt = Receipt::of_run(policy, run_id, &steps, &subjects, complete);
    let mut tx = store.begin_write().await?;
    let was_open = journal::run_exists(&mut *tx, run_id).await?.as_deref() == Some("open");
    if complete && was_open {
        journal::complete(&mut tx, run_id, &receipt).await?;
        let entries: Vec<NewEntry> = subjects
            .iter()
            .map(|(r, request)| {
                NewEntry::new(
                    "erase.complete",
                    json!({ "run": run_id, "request": request }),
                )
                .about(r)
            })
            .collect();
        audit::append(&mut tx, actor, &entries).await?;
    }
    tx.commit().await?;
    if complete && was_open {
        store.checkpoint_log().await?;
    }

    // Signed with the audit key: `archive verify RUN.json` checks it offline.
    let signing_key = crate::audit::checkpoint::load_or_create_key(key_file)?;
    let signed = crate::audit::signed::sign(&signing_key, &receipt)?;
    let dir = receipt_dir.to_path_buf();
    crate::fsutil::create_private_dir(&dir)?;
    for (ext, text) in [
        ("json", serde_json::to_string_pretty(&signed)? + "\n"),
        ("md", crate::render::render("erasure-receipt.md", &receipt)?),
    ] {
        let path = dir.join(format!("{run_id}.{ext}"));
        let mut file = crate::fsutil::PendingFile::create(&path, true)?;
        file.write_all(text.as_bytes())?;
        file.commit()?;
    }
    Ok(Finished {
        run_id: run_id.to_string(),
        complete,
        unfinished: steps
            .into_iter()
            .filter(|s| s.status != StepStatus::Done)
            .collect(),
        receipt_dir: dir,
        request: subjects.first().map(|(_, request)| request.clone()),
        receipt,
    })
}

/// Marks a manual task of a request's erasure run as done (by `actor`, with an optional
/// note) and records it in the audit trail; returns the run, which
/// [`finish`] then completes when nothing else is left.
pub async fn confirm_manual(
    store: &Store,
    request_id: &str,
    task: &str,
    note: Option<&str>,
    actor: &str,
) -> Result<String> {
    let request = crate::store::requests::get(&store.pool, request_id).await?;
    let Some(run) = journal::run_of_request(&store.pool, request_id).await? else {
        anyhow::bail!(
            "request {} has no erasure run; manual tasks come from `privops erase`",
            request_id
        );
    };
    let steps = journal::steps(&store.pool, &run).await?;
    let Some(step) = steps.iter().find(|s| s.step_id == task) else {
        let manual: Vec<&str> = steps
            .iter()
            .filter(|s| s.kind == journal::StepKind::Manual)
            .map(|s| s.step_id.as_str())
            .collect();
        anyhow::bail!(
            "request {} has no task `{}`; its manual tasks: {}",
            request_id,
            task,
            manual.join(", ")
        );
    };
    if step.kind != journal::StepKind::Manual {
        anyhow::bail!(
            "`{}` is not a manual task; `privops erase` retries it",
            task
        );
    }
    let mut tx = store.begin_write().await?;
    let outcome = StepOutcome::confirmed(actor, note);
    journal::set_step(&mut tx, &run, task, journal::StepStatus::Done, &outcome).await?;
    audit::append(
        &mut tx,
        actor,
        &[NewEntry::new(
            "request.confirm_manual",
            json!({ "request": request_id, "run": run, "task": task }),
        )
        .about(&request.subject_ref)],
    )
    .await?;
    tx.commit().await?;
    Ok(run)
}
