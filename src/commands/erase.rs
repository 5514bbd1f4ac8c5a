//! `privops erase`: the right to erasure (Art. 17) across databases and provider APIs,
//! planned, journaled step by step, resumable, verified, with a receipt.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::audit::{self, NewEntry};
use crate::context::Ctx;
use crate::erasure::{self, Step, StepKind, StepStatus};
use crate::error::{self, Outcome};
use crate::lock::Lease;
use crate::plan::erase::{self as erase_plan, SourcePlan};
use crate::plan::traverse::{self, Found};
use crate::policy::{Policy, SourceDef};
use crate::sources::SourcePool;
use crate::sources::http::{self, Bindings, CallOutcome, ProviderClient, ProviderError};
use crate::subject::{Subject, SubjectKey};
use crate::template::Placeholder;

/// Erase subjects across every source and provider: plan, confirm, execute, verify
#[derive(Debug, clap::Args)]
pub struct EraseArgs {
    #[command(flatten)]
    pub who: crate::cli::args::Subjects,
    /// The erasure request this answers (one subject); one is opened otherwise
    #[arg(long, value_name = "ID")]
    pub request: Option<String>,
    #[command(flatten)]
    pub rehearsal: crate::cli::args::DryRun,
    #[command(flatten)]
    pub confirm: crate::cli::args::Yes,
    /// Where to write the receipt [default: .privops/receipts beside the policy folder]
    #[arg(long, value_name = "DIR")]
    pub receipt_dir: Option<PathBuf>,
}

/// Stops the run at a named point, as a crash would (PRIVOPS_FAILPOINT=NAME), so tests
/// can prove that a re-run finishes the work.
async fn failpoint(name: &str) -> Result<()> {
    if std::env::var("PRIVOPS_FAILPOINT").is_ok_and(|f| f == name) {
        bail!("stopped at failpoint {name}");
    }
    // PRIVOPS_FAILPOINT=pause:NAME waits there, so a test can interrupt the run.
    if std::env::var("PRIVOPS_FAILPOINT").is_ok_and(|f| f.strip_prefix("pause:") == Some(name)) {
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    }
    Ok(())
}

fn read_subjects(args: &EraseArgs, policy: &Policy) -> Result<Vec<Subject>> {
    let mut subjects: Vec<Subject> = args
        .who
        .subject
        .iter()
        .map(|s| Subject::parse(s, policy))
        .collect::<Result<_>>()?;
    if let Some(path) = &args.who.subjects_file {
        let name = path.display().to_string();
        let reader: Box<dyn BufRead> = if name == "-" {
            Box::new(std::io::BufReader::new(std::io::stdin()))
        } else {
            Box::new(std::io::BufReader::new(
                std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?,
            ))
        };
        for (index, line) in reader.lines().enumerate() {
            let line =
                line.with_context(|| format!("{name}:{}: not valid UTF-8 text", index + 1))?;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            subjects.push(
                Subject::parse(line, policy).with_context(|| format!("{name}:{}", index + 1))?,
            );
        }
    }
    subjects.sort();
    subjects.dedup();
    if subjects.is_empty() {
        return Err(error::usage(
            "name the subjects to erase with --subject or --subjects-file",
        ));
    }
    Ok(subjects)
}

/// The subject of an open request, from the identity kept while it is open.
async fn subject_of_request(
    store: &crate::store::Store,
    id: &str,
    policy: &Policy,
) -> Result<Subject> {
    let request = crate::requests::get(&store.pool, id).await?;
    if request.kind != "erasure" {
        return Err(error::usage(format!(
            "{id} is a request of kind `{}`, not an erasure request",
            request.kind
        )));
    }
    let identities =
        crate::consent::known_identities(store, &[request.subject_ref.as_str()]).await?;
    let Some(identity) = identities.get(&request.subject_ref) else {
        return Err(error::usage(format!(
            "the identity of {id}'s subject is no longer kept (its erasure completed); name the subject with --subject"
        )));
    };
    Subject::parse(identity, policy).with_context(|| format!("the subject of {id}"))
}

struct Planned<'p> {
    source: &'p SourceDef,
    pool: SourcePool,
    found: Found,
    plan: SourcePlan,
}

async fn plan_sources<'p>(
    policy: &'p Policy,
    key: &SubjectKey,
    subjects: &[Subject],
    placeholders: &[Placeholder],
    only: Option<&str>,
) -> Result<Vec<Planned<'p>>> {
    let now = crate::time::now();
    let mut planned = Vec::new();
    for source in &policy.sources {
        if only.is_some_and(|o| o != source.id()) {
            continue;
        }
        let pool = SourcePool::connect(policy, source).await?;
        let found = traverse::traverse(policy, &pool, source, subjects, placeholders).await?;
        let plan = erase_plan::plan(policy, &pool, source, &found, key, now).await?;
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
                .is_some_and(|t| !t.keys.is_empty())
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

struct ProviderStep {
    step_id: String,
    /// As the journal and the receipt keep it: values masked.
    description: String,
    /// As a dry run shows it on the terminal: values in full.
    shown: String,
    kind: StepKind,
    bindings: Option<Bindings>,
}

/// Provider calls (one per value found) and manual tasks for providers that received
/// categories of data these subjects have.
fn provider_steps(policy: &Policy, subjects: &[Subject], planned: &[Planned]) -> Vec<ProviderStep> {
    let categories = found_categories(planned);
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
        match &provider.erase {
            Some(request) => {
                let request = request.get_ref();
                let placeholders = http::request_placeholders(request);
                let bindings = http::expand(&placeholders, |p| match p {
                    Placeholder::Identity(kind) => subjects
                        .iter()
                        .filter(|s| &s.kind == kind)
                        .map(|s| s.value.clone())
                        .collect(),
                    Placeholder::Column {
                        source,
                        table,
                        column,
                    } => planned
                        .iter()
                        .filter(|p| p.source.id() == source)
                        .filter_map(|p| p.found.tables.get(table))
                        .flat_map(|t| {
                            t.values
                                .get(column)
                                .into_iter()
                                .flatten()
                                .filter_map(|k| k.as_text())
                        })
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect(),
                });
                for (n, binding) in bindings.into_iter().enumerate() {
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
            }
            None => {
                if let Some(instruction) = &provider.manual {
                    steps.push(ProviderStep {
                        step_id: format!("manual:{id}"),
                        description: format!("{}: {}", provider.name, instruction.trim()),
                        shown: format!("{}: {}", provider.name, instruction.trim()),
                        kind: StepKind::Manual,
                        bindings: None,
                    });
                }
            }
        }
    }
    steps
}

fn bindings_json(bindings: &Bindings) -> Value {
    Value::Array(
        bindings
            .iter()
            .map(|(p, v)| {
                let name = match p {
                    Placeholder::Identity(kind) => format!("identity.{kind}"),
                    Placeholder::Column {
                        source,
                        table,
                        column,
                    } => format!("{source}.{table}.{column}"),
                };
                json!([name, v])
            })
            .collect(),
    )
}

fn bindings_from_json(value: &Value) -> Bindings {
    let mut bindings = Bindings::new();
    for pair in value.as_array().into_iter().flatten() {
        let name = pair[0].as_str().unwrap_or_default();
        let value = pair[1].as_str().unwrap_or_default().to_string();
        let parts: Vec<&str> = name.split('.').collect();
        let placeholder = match parts.as_slice() {
            ["identity", kind] => Placeholder::Identity(kind.to_string()),
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

fn table_summary(plan: &SourcePlan) -> Value {
    json!(plan.tables.iter().map(|t| json!({
        "table": t.table,
        "found": t.found,
        "delete": t.delete,
        "mask": t.mask,
        "masks": t.masks,
        "held": t.held.iter().map(|h| json!({ "reason": h.reason, "article": h.article, "action": h.action, "rows": h.rows })).collect::<Vec<_>>(),
        "shared": t.shared,
        "kept": t.kept,
        "notes": t.notes,
    })).collect::<Vec<_>>())
}

/// The plan for people. `reveal`: a dry run shows the values provider calls will send; the
/// plan printed before a real erasure (often from cron, into logs) shows them shortened.
fn print_plan(ctx: &Ctx, planned: &[Planned], provider_steps: &[ProviderStep], reveal: bool) {
    if ctx.out.json_mode() {
        ctx.out.json(&json!({
            "dry_run": true,
            "sources": planned.iter().map(|p| &p.plan).collect::<Vec<_>>(),
            "providers": provider_steps.iter().filter(|s| s.kind == StepKind::Provider).map(|s| json!({ "step": s.step_id, "request": s.shown })).collect::<Vec<_>>(),
            "manual": provider_steps.iter().filter(|s| s.kind == StepKind::Manual).map(|s| json!({ "task": s.step_id, "instruction": s.description })).collect::<Vec<_>>(),
        }));
        return;
    }
    let mut table = ctx
        .out
        .table(&["table", "found", "delete", "mask", "held", "shared", "kept"]);
    table.keep_whole(&[1, 2, 3, 4, 5, 6]);
    let mut details = Vec::new();
    for p in planned {
        for t in &p.plan.tables {
            let name = format!("{}.{}", p.source.id(), t.table);
            if t.mask > 0 {
                details.push(format!(
                    "{name}: masks {}",
                    t.masks
                        .iter()
                        .map(|(c, m)| format!("{c} ({m:?})").to_lowercase())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            for h in t.held.iter().filter(|h| h.rows > 0) {
                details.push(format!(
                    "{name}: holds {} row(s): {} (Art. {})",
                    h.rows, h.reason, h.article
                ));
            }
            let held: usize = t.held.iter().map(|h| h.rows).sum();
            table.add_row(vec![
                name,
                t.found.to_string(),
                t.delete.to_string(),
                t.mask.to_string(),
                held.to_string(),
                t.shared.to_string(),
                t.kept.to_string(),
            ]);
        }
    }
    ctx.out.print_table(&table);
    for detail in details {
        ctx.out.data_wrapped(&detail);
    }
    for step in provider_steps {
        let call = if reveal {
            &step.shown
        } else {
            &step.description
        };
        ctx.out
            .data_wrapped(&format!("{}: {call} ({})", step.kind, step.step_id));
    }
}

fn confirm(ctx: &Ctx, args: &EraseArgs, subjects: usize) -> Result<()> {
    if args.confirm.yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(error::usage(
            "refusing to erase without confirmation: no terminal to ask on; pass --yes",
        ));
    }
    eprint_prompt(&format!(
        "Erase the personal data of {subjects} subject(s) as planned above? This cannot be undone. [y/N] "
    ));
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
        ctx.out.status("nothing was changed");
        bail!("erasure not confirmed");
    }
    Ok(())
}

#[allow(clippy::disallowed_macros)] // a prompt is neither data nor a status line
fn eprint_prompt(text: &str) {
    eprint!("{text}");
    let _ = std::io::stderr().flush();
}

pub async fn run(ctx: &Ctx, args: &EraseArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let store = ctx.store().await?;
    let subjects = match &args.request {
        Some(id) if args.who.is_empty() => {
            vec![subject_of_request(&store, id, &policy).await?]
        }
        _ => read_subjects(args, &policy)?,
    };
    if args.request.is_some() && subjects.len() != 1 {
        return Err(error::usage("--request names the request of one subject"));
    }
    let key = ctx.subject_key()?;
    let refs: Vec<String> = subjects.iter().map(|s| key.reference(s)).collect();
    if args.rehearsal.dry_run {
        return dry_run(ctx, args, &policy, &key, &subjects, &refs, &store).await;
    }
    // One erasure of a subject at a time: a second run waits for none and says who has it.
    let names: Vec<String> = refs.iter().map(|r| format!("erase:{r}")).collect();
    let leases = match Lease::acquire_all(&store, &names, LEASE).await? {
        Ok(leases) => leases,
        Err(holder) => {
            let whom = if refs.len() == 1 {
                "this subject"
            } else {
                "one of these subjects"
            };
            return Err(error::locked(format!(
                "another erasure of {whom} is running ({holder}); try again when it has finished"
            )));
        }
    };
    let result = erase(ctx, args, &policy, &subjects, &refs, &key, &store, &leases).await;
    let released = Lease::release_all(leases, &store).await;
    let outcome = result?;
    released?;
    Ok(outcome)
}

/// How long an erasure's subject leases last between renewals.
const LEASE: chrono::Duration = chrono::Duration::minutes(15);

/// The run these subjects' erasure continues, with its status: the run of `--request`, or
/// the unfinished run for exactly these subjects.
async fn existing_run(
    args: &EraseArgs,
    refs: &[String],
    store: &crate::store::Store,
) -> Result<Option<(String, String)>> {
    let run = match &args.request {
        Some(request) => erasure::run_of_request(&store.pool, request).await?,
        None => erasure::open_run_for(store, refs).await?,
    };
    Ok(match run {
        Some(run) => erasure::run_exists(&store.pool, &run)
            .await?
            .map(|status| (run, status)),
        None => None,
    })
}

fn erase_placeholders(policy: &Policy) -> Vec<Placeholder> {
    policy
        .providers()
        .filter_map(|p| p.erase.as_ref())
        .flat_map(|r| http::request_placeholders(r.get_ref()))
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn dry_run(
    ctx: &Ctx,
    args: &EraseArgs,
    policy: &Policy,
    key: &SubjectKey,
    subjects: &[Subject],
    refs: &[String],
    store: &crate::store::Store,
) -> Result<Outcome> {
    let existing = existing_run(args, refs, store).await?;
    let planned = plan_sources(policy, key, subjects, &erase_placeholders(policy), None).await?;
    let steps = if existing.is_some() {
        Vec::new()
    } else {
        provider_steps(policy, subjects, &planned)
    };
    print_plan(ctx, &planned, &steps, true);
    if let Some((run_id, status)) = existing {
        ctx.out.status(&format!(
            "run {run_id} exists ({status}); running without --dry-run resumes it"
        ));
    }
    Ok(Outcome::Success)
}

#[allow(clippy::too_many_arguments)]
async fn erase(
    ctx: &Ctx,
    args: &EraseArgs,
    policy: &Policy,
    subjects: &[Subject],
    refs: &[String],
    key: &SubjectKey,
    store: &crate::store::Store,
    leases: &[Lease],
) -> Result<Outcome> {
    let placeholders = erase_placeholders(policy);
    let existing = existing_run(args, refs, store).await?;
    let actor = ctx.actor();
    // A new run executes the plans it just showed; a resumed run plans each unfinished
    // source again (what an earlier attempt committed is no longer there to do).
    let mut fresh: Vec<Planned> = Vec::new();
    let run_id: String;
    if let Some((run, _)) = &existing {
        run_id = run.clone();
        ctx.out.status(&format!("resuming erasure run {run_id}"));
    } else {
        let planned = plan_sources(policy, key, subjects, &placeholders, None).await?;
        if planned
            .iter()
            .all(|p| p.found.rows() == 0 && p.plan.tables.is_empty())
        {
            let searched: BTreeSet<String> = subjects.iter().map(|s| s.to_string()).collect();
            let columns: usize = policy
                .sources
                .iter()
                .flat_map(|s| &s.tables)
                .map(|t| t.table.identity_columns().count())
                .sum();
            ctx.out.warn(&format!(
                "no personal data found in any source for {} (searched {columns} identity column(s) of {} source(s)); check the spelling, or the identity kind",
                searched.into_iter().collect::<Vec<_>>().join(", "),
                policy.sources.len()
            ));
        }
        let steps = provider_steps(policy, subjects, &planned);
        if !ctx.out.json_mode() {
            print_plan(ctx, &planned, &steps, false);
        }
        confirm(ctx, args, subjects.len())?;
        let mut tx = store.begin_write().await?;
        audit::record_policy_version(&mut tx, &actor, &policy.digest).await?;
        let pairs: Vec<(String, String)> = match &args.request {
            Some(id) => {
                let request = crate::requests::get(&mut *tx, id).await?;
                if request.kind != "erasure" {
                    bail!(
                        "request {id} is an {} request, not an erasure request",
                        request.kind
                    );
                }
                if request.subject_ref != refs[0] {
                    bail!("request {id} is about another subject");
                }
                vec![(refs[0].clone(), request.id)]
            }
            None => {
                let identities: Vec<(Subject, String)> =
                    subjects.iter().cloned().zip(refs.iter().cloned()).collect();
                crate::consent::remember_subjects(&mut tx, store.backend, &identities).await?;
                let opened = crate::requests::open_many(
                    &mut tx,
                    crate::requests::Kind::Erasure,
                    refs,
                    ctx.now,
                    policy.deadline_days(),
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
                audit::append(&mut tx, &actor, &entries).await?;
                opened.into_iter().map(|r| (r.subject_ref, r.id)).collect()
            }
        };
        let requests: Vec<String> = pairs.iter().map(|(_, request)| request.clone()).collect();
        run_id = erasure::run_id(&requests);
        erasure::create_run(&mut tx, &run_id, &pairs).await?;
        let mut position = 0;
        for p in &planned {
            position += 1;
            erasure::add_step(
                &mut tx,
                &run_id,
                position,
                &format!("source:{}", p.source.id()),
                StepKind::Source,
                &format!("erase rows in source `{}`", p.source.id()),
                Some(&table_summary(&p.plan)),
            )
            .await?;
        }
        for step in &steps {
            position += 1;
            let plan = step.bindings.as_ref().map(bindings_json);
            erasure::add_step(
                &mut tx,
                &run_id,
                position,
                &step.step_id,
                step.kind,
                &step.description,
                plan.as_ref(),
            )
            .await?;
        }
        erasure::add_step(
            &mut tx,
            &run_id,
            position + 1,
            "verify",
            StepKind::Verify,
            "verify that no personal data is left except held rows",
            None,
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
        let entries: Vec<NewEntry> = refs
            .iter()
            .map(|r| NewEntry::new("erase.plan", json!({ "run": run_id, "subjects": refs.len(), "sources": counts, "provider_calls": steps.iter().filter(|s| s.kind == StepKind::Provider).count(), "manual_tasks": steps.iter().filter(|s| s.kind == StepKind::Manual).count() })).about(r))
            .collect();
        audit::append(&mut tx, &actor, &entries).await?;
        tx.commit().await?;
        fresh = planned;
    }

    // Databases: one transaction per source.
    let left = erasure::steps(&store.pool, &run_id)
        .await?
        .iter()
        .filter(|s| {
            s.status != StepStatus::Done
                && (s.kind == StepKind::Source || s.kind == StepKind::Provider)
        })
        .count();
    let bar = ctx
        .out
        .progress(left as u64, "erasing: sources and providers");
    for step in erasure::steps(&store.pool, &run_id).await? {
        if step.kind != StepKind::Source || step.status == StepStatus::Done {
            continue;
        }
        let source_id = step.step_id.trim_start_matches("source:");
        let planned = match fresh.iter().position(|p| p.source.id() == source_id) {
            Some(index) => vec![fresh.swap_remove(index)],
            None => plan_sources(policy, key, subjects, &placeholders, Some(source_id)).await?,
        };
        let Some(p) = planned.first() else {
            bail!("source `{source_id}` of run {run_id} is no longer in the policy");
        };
        Lease::renew_all(leases, store).await?;
        // The journal records each attempt before it runs. A source's changes commit in one
        // transaction, so an earlier attempt whose end was not journaled either changed
        // all it planned (then planning again finds less to do) or nothing.
        let earlier = step
            .outcome
            .as_ref()
            .and_then(|o| o.get("attempt"))
            .cloned()
            .filter(|attempt| {
                let planned = attempt["deleted"].as_object().map_or(0, counted)
                    + attempt["masked"].as_object().map_or(0, counted);
                planned > (p.plan.deletes() + p.plan.masks()) as u64
            });
        let attempt = json!({ "attempt": {
            "tables": table_summary(&p.plan),
            "deleted": p.plan.tables.iter().map(|t| (t.table.clone(), json!(t.delete))).collect::<serde_json::Map<_, _>>(),
            "masked": p.plan.tables.iter().map(|t| (t.table.clone(), json!(t.mask + t.scrub))).collect::<serde_json::Map<_, _>>(),
        }});
        let mut tx = store.begin_write().await?;
        let recorded = match &earlier {
            // Keep the attempt that did the work on record, should this one stop too.
            Some(earlier) => json!({ "attempt": earlier }),
            None => attempt,
        };
        erasure::set_step(
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
        let mut tables = table_summary(&p.plan);
        if let Some(earlier) = &earlier {
            for (kind, index) in [("deleted", 0), ("masked", 1)] {
                for (table, n) in earlier[kind].as_object().into_iter().flatten() {
                    let counts = done.entry(table.clone()).or_default();
                    let n = n.as_u64().unwrap_or(0);
                    if index == 0 {
                        counts.deleted += n
                    } else {
                        counts.masked += n
                    }
                }
            }
            tables = earlier["tables"].clone();
        }
        let outcome = json!({
            "tables": tables,
            "deleted": done.iter().map(|(t, c)| (t.clone(), json!(c.deleted))).collect::<serde_json::Map<_, _>>(),
            "masked": done.iter().map(|(t, c)| (t.clone(), json!(c.masked))).collect::<serde_json::Map<_, _>>(),
            "unlinked": done.iter().filter(|(_, c)| c.unlinked > 0).map(|(t, c)| (t.clone(), json!(c.unlinked))).collect::<serde_json::Map<_, _>>(),
            "statements": p.plan.statements,
        });
        let mut tx = store.begin_write().await?;
        erasure::set_step(&mut tx, &run_id, &step.step_id, StepStatus::Done, &outcome).await?;
        let deleted: u64 = done.values().map(|c| c.deleted).sum();
        let masked: u64 = done.values().map(|c| c.masked).sum();
        audit::append(&mut tx, &actor, &[NewEntry::new("erase.source", json!({ "run": run_id, "source": source_id, "deleted": deleted, "masked": masked, "held": p.plan.tables.iter().map(|t| t.held.iter().map(|h| h.rows).sum::<usize>()).sum::<usize>(), "shared": p.plan.tables.iter().map(|t| t.shared).sum::<usize>(), "holds": p.plan.tables.iter().flat_map(|t| t.held.iter().filter(|h| h.rows > 0).map(move |h| json!({ "table": t.table, "reason": h.reason, "article": h.article, "rows": h.rows }))).collect::<Vec<_>>() }))]).await?;
        tx.commit().await?;
        bar.inc(1);
        ctx.out.detail(&format!(
            "source `{source_id}`: {deleted} deleted, {masked} masked"
        ));
    }

    // Providers (Art. 19), with the values recorded before the rows were deleted. A
    // provider that gave no sign of life (timeout, no connection) is not called again in
    // this run: its other steps fail at once, and a re-run tries them.
    let mut silent: BTreeSet<String> = BTreeSet::new();
    for step in erasure::steps(&store.pool, &run_id).await? {
        if step.kind != StepKind::Provider || step.status == StepStatus::Done {
            continue;
        }
        let provider_id = step.step_id.split(':').nth(1).unwrap_or_default();
        let outcome = match policy.providers().find(|p| p.id.get_ref() == provider_id) {
            None => Err(anyhow::anyhow!(
                "provider `{provider_id}` is no longer in the policy"
            )),
            Some(_) if silent.contains(provider_id) => Err(anyhow::anyhow!(
                "provider `{provider_id}`: not called: an earlier call of this run got no answer; running the erasure again retries it"
            )),
            Some(provider) => match ProviderClient::new(provider) {
                Err(e) => Err(e),
                Ok(client) => {
                    Lease::renew_all(leases, store).await?;
                    failpoint(&format!("before-provider:{provider_id}")).await?;
                    let bindings = step
                        .plan
                        .as_ref()
                        .map(bindings_from_json)
                        .unwrap_or_default();
                    client
                        .call(
                            provider
                                .erase
                                .as_ref()
                                .expect("erase steps come from erase requests")
                                .get_ref(),
                            &bindings,
                        )
                        .await
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
        let mut tx = store.begin_write().await?;
        let (status, detail) = match outcome {
            Ok(CallOutcome::Done(_)) => (StepStatus::Done, json!({ "outcome": "erased" })),
            Ok(CallOutcome::NotFound(code)) => (
                StepStatus::Done,
                json!({ "outcome": format!("already gone ({code})") }),
            ),
            Err(error) => (StepStatus::Failed, json!({ "outcome": error.to_string() })),
        };
        erasure::set_step(&mut tx, &run_id, &step.step_id, status, &detail).await?;
        if status == StepStatus::Done {
            erasure::clear_step_plan(&mut tx, &run_id, &step.step_id).await?;
        }
        audit::append(&mut tx, &actor, &[NewEntry::new("erase.provider", json!({ "run": run_id, "step": step.step_id, "status": status, "outcome": detail["outcome"] }))]).await?;
        tx.commit().await?;
        bar.inc(1);
        if status == StepStatus::Failed {
            bar.suspend(|| {
                ctx.out.warn(&format!(
                    "{}: {}",
                    step.step_id,
                    detail["outcome"].as_str().unwrap_or_default()
                ))
            });
        }
    }

    bar.finish_and_clear();
    // Verification: planning again must find nothing left to do.
    let steps_now = erasure::steps(&store.pool, &run_id).await?;
    let sources_done = steps_now
        .iter()
        .filter(|s| s.kind == StepKind::Source)
        .all(|s| s.status == StepStatus::Done);
    if sources_done
        && steps_now
            .iter()
            .any(|s| s.kind == StepKind::Verify && s.status != StepStatus::Done)
    {
        let planned = plan_sources(policy, key, subjects, &placeholders, None).await?;
        let mut left = Vec::new();
        for p in &planned {
            for t in &p.plan.tables {
                let unmasked = erase_plan::unmasked_rows(&p.pool, t, key).await?;
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
                json!({ "outcome": format!("an access run finds no personal data left except {held} held row(s) and {shared} shared row(s)"), "held": held, "shared": shared }),
            )
        } else {
            (
                StepStatus::Failed,
                json!({ "outcome": format!("personal data left: {}", left.join("; ")) }),
            )
        };
        let mut tx = store.begin_write().await?;
        erasure::set_step(&mut tx, &run_id, "verify", status, &outcome).await?;
        audit::append(
            &mut tx,
            &actor,
            &[NewEntry::new(
                "erase.verify",
                json!({ "run": run_id, "status": status, "held": held, "shared": shared }),
            )],
        )
        .await?;
        tx.commit().await?;
    }

    finish(ctx, policy, store, &run_id, args.receipt_dir.clone()).await
}

/// The sum of per-table counts.
fn counted(counts: &serde_json::Map<String, Value>) -> u64 {
    counts.values().filter_map(Value::as_u64).sum()
}

/// Held and shared rows as the run's plans counted them, from the journal: verification
/// after the fact no longer finds rows whose identity was masked, so it cannot count them.
fn planned_kept(steps: &[Step]) -> (u64, u64) {
    let mut held = 0;
    let mut shared = 0;
    for step in steps.iter().filter(|s| s.kind == StepKind::Source) {
        let tables = step
            .outcome
            .as_ref()
            .and_then(|o| o.get("tables").cloned())
            .or_else(|| step.plan.clone())
            .unwrap_or(Value::Null);
        for table in tables.as_array().into_iter().flatten() {
            held += table["held"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|h| h["rows"].as_u64())
                .sum::<u64>();
            shared += table["shared"].as_u64().unwrap_or(0);
        }
    }
    (held, shared)
}

/// Writes the receipt from the journal; completes the run when every step is done.
pub async fn finish(
    ctx: &Ctx,
    policy: &Policy,
    store: &crate::store::Store,
    run_id: &str,
    receipt_dir: Option<PathBuf>,
) -> Result<Outcome> {
    let steps = erasure::steps(&store.pool, run_id).await?;
    let subjects = erasure::run_subjects(&store.pool, run_id).await?;
    let complete = steps.iter().all(|s| s.status == StepStatus::Done);
    let receipt = receipt(policy, run_id, &steps, &subjects, complete);
    let mut tx = store.begin_write().await?;
    let was_open = erasure::run_exists(&mut *tx, run_id).await?.as_deref() == Some("open");
    if complete && was_open {
        erasure::complete(&mut tx, run_id, &receipt).await?;
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
        audit::append(&mut tx, &ctx.actor(), &entries).await?;
    }
    tx.commit().await?;
    if complete && was_open {
        store.checkpoint_log().await?;
    }

    let dir = receipt_dir.unwrap_or_else(|| ctx.workspace().join("receipts"));
    crate::fsutil::create_private_dir(&dir)?;
    for (ext, text) in [
        ("json", serde_json::to_string_pretty(&receipt)? + "\n"),
        ("md", crate::render::render("erasure-receipt.md", &receipt)?),
    ] {
        let path = dir.join(format!("{run_id}.{ext}"));
        let mut file = crate::fsutil::PendingFile::create(&path, true)?;
        file.write_all(text.as_bytes())?;
        file.commit()?;
    }
    let unfinished: Vec<&Step> = steps
        .iter()
        .filter(|s| s.status != StepStatus::Done)
        .collect();
    if ctx.out.json_mode() {
        let mut value = receipt.clone();
        value["receipt"] = json!(dir.join(format!("{run_id}.json")));
        ctx.out.json(&value);
    } else {
        let state = match (complete, receipt["found"].as_bool()) {
            (true, Some(false)) => "complete, no personal data found in any source",
            (true, _) => "complete",
            (false, _) => "INCOMPLETE",
        };
        ctx.out.data_wrapped(&format!(
            "erasure {run_id}: {state} ({} step(s) unfinished); receipt {}",
            unfinished.len(),
            dir.join(format!("{run_id}.md")).display()
        ));
        let request = subjects.first().map(|(_, request)| request.as_str());
        for step in &unfinished {
            ctx.out.data_wrapped_at(
                &format!("  {} [{}] {}", step.step_id, step.status, step.description),
                4,
            );
            if let (Some(request), true) = (request, step.kind == StepKind::Manual) {
                ctx.out.data(&format!(
                    "    when done: privops request confirm-manual {request} {}",
                    step.step_id
                ));
            }
        }
    }
    Ok(if complete {
        Outcome::Success
    } else {
        Outcome::Partial
    })
}

fn receipt(
    policy: &Policy,
    run_id: &str,
    steps: &[Step],
    subjects: &[(String, String)],
    complete: bool,
) -> Value {
    let sources: Vec<Value> = steps
        .iter()
        .filter(|s| s.kind == StepKind::Source)
        .map(|s| {
            let tables = s.outcome.as_ref().map(|o| o["tables"].clone()).or_else(|| s.plan.clone()).unwrap_or(json!([]));
            let deleted = s.outcome.as_ref().map(|o| o["deleted"].clone()).unwrap_or(json!({}));
            let masked = s.outcome.as_ref().map(|o| o["masked"].clone()).unwrap_or(json!({}));
            let tables: Vec<Value> = tables
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| {
                    let name = t["table"].as_str().unwrap_or_default();
                    json!({
                        "table": name,
                        "found": t["found"],
                        "deleted": deleted.get(name).cloned().unwrap_or(json!(0)),
                        "masked": masked.get(name).cloned().unwrap_or(json!(0)),
                        "masks": t["masks"],
                        "held": t["held"].as_array().map_or(0, |h| h.iter().map(|x| x["rows"].as_u64().unwrap_or(0)).sum::<u64>()),
                        "holds": t["held"],
                        "shared": t["shared"],
                        "kept": t["kept"],
                        "notes": t["notes"],
                    })
                })
                .collect();
            json!({ "source": s.step_id.trim_start_matches("source:"), "status": s.status, "tables": tables, "statements": s.outcome.as_ref().map(|o| o["statements"].clone()).unwrap_or(json!([])) })
        })
        .collect();
    let providers: Vec<Value> = steps
        .iter()
        .filter(|s| s.kind == StepKind::Provider)
        .map(|s| json!({ "step_id": s.step_id, "description": s.description, "status": s.status, "outcome": s.outcome.as_ref().map(|o| o["outcome"].clone()) }))
        .collect();
    let manual: Vec<Value> = steps
        .iter()
        .filter(|s| s.kind == StepKind::Manual)
        .map(|s| json!({ "step_id": s.step_id, "description": s.description, "status": s.status, "outcome": s.outcome }))
        .collect();
    let found = sources.iter().any(|s| {
        s["tables"]
            .as_array()
            .is_some_and(|tables| !tables.is_empty())
    });
    let verification = steps
        .iter()
        .find(|s| s.kind == StepKind::Verify)
        .map(|s| match (&s.outcome, s.status.as_str()) {
            (Some(o), _) => o["outcome"].as_str().unwrap_or_default().to_string(),
            (None, _) => "not run yet: the database steps are unfinished".to_string(),
        })
        .unwrap_or_default();
    json!({
        "run": run_id,
        "complete": complete,
        // False when no source held anything about the subjects: nothing was erased.
        "found": found,
        "generated_at": crate::time::now_text(),
        "controller": policy.controller().map(|c| json!({ "organisation": c.organisation, "dpo": c.dpo })).unwrap_or(json!({ "organisation": "" })),
        "subjects": subjects.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>(),
        "requests": subjects.iter().map(|(_, q)| q.clone()).collect::<BTreeSet<_>>(),
        "sources": sources,
        "providers": providers,
        "manual": manual,
        "verification": verification,
        "policy_digest": policy.digest,
    })
}
