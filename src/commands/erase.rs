//! `privops erase`: the right to erasure (Art. 17) across databases and provider APIs.
//! The run itself is [`crate::erasure::workflow`]; this command reads the subjects, shows
//! the plan, asks for confirmation and renders the outcome.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::context::Ctx;
use crate::erasure::workflow::{self, Erasure, Planned, ProviderStep};
use crate::error::{self, Outcome};
use crate::policy::Policy;
use crate::store::lease::Lease;
use crate::subject::Subject;

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

fn read_subjects(args: &EraseArgs, policy: &Policy) -> Result<Vec<Subject>> {
    let mut subjects: Vec<Subject> = args
        .who
        .subject
        .iter()
        .map(|s| Subject::parse(s, policy))
        .collect::<Result<_>>()?;
    if let Some(path) = &args.who.subjects_file {
        let name = path.display().to_string();
        subjects.extend(super::consent::read_subject_lines(path, &name, policy)?);
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
    let request = crate::store::requests::get(&store.pool, id).await?;
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

/// The plan for people. `reveal`: a dry run shows the values provider calls will send; the
/// plan printed before a real erasure (often from cron, into logs) shows them shortened.
fn print_plan(ctx: &Ctx, planned: &[Planned], provider_steps: &[ProviderStep], reveal: bool) {
    if ctx.out.json_mode() {
        ctx.out.json(&crate::erasure::workflow::PlanSummary::of(
            planned,
            provider_steps,
        ));
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
            // Rows of an erase = "mask" table (or still pointed at) and held rows
            // pseudonymised: both are masked, each with its own masks.
            let mut masks_shown = Vec::new();
            for (rows, masks) in [(t.scrub, &t.scrub_masks), (t.mask, &t.masks)] {
                let shown = masks
                    .iter()
                    .map(|(c, m)| format!("{c} ({m:?})").to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", ");
                if rows > 0 && !masks_shown.contains(&shown) {
                    details.push(format!("{name}: masks {shown}"));
                    masks_shown.push(shown);
                }
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
                (t.mask + t.scrub).to_string(),
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
    let refs: Vec<String> = key.references(&subjects);
    let erasure = Erasure {
        policy: &policy,
        key: &key,
        store: &store,
        subjects: &subjects,
        refs: &refs,
        actor: ctx.actor(),
        now: ctx.now,
        out: &ctx.out,
    };
    let existing = workflow::existing_run(args.request.as_deref(), &refs, &store).await?;
    if args.rehearsal.dry_run {
        let planned = erasure.plan(None).await?;
        let steps = if existing.is_some() {
            Vec::new()
        } else {
            workflow::provider_steps(&policy, &subjects, &planned)
        };
        print_plan(ctx, &planned, &steps, true);
        if let Some((run_id, status)) = existing {
            ctx.out.status(&format!(
                "run {run_id} exists ({status}); running without --dry-run resumes it"
            ));
        }
        return Ok(Outcome::Success);
    }
    // One erasure of a subject at a time: a second run waits for none and says who has it.
    let names: Vec<String> = refs.iter().map(|r| format!("erase:{r}")).collect();
    let leases = match Lease::acquire_all(&store, &names, workflow::LEASE).await? {
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
    let result = erase(ctx, args, &erasure, existing, &leases).await;
    let released = Lease::release_all(leases, &store).await;
    let outcome = result?;
    released?;
    Ok(outcome)
}

/// A new run shows its plan, is confirmed and opened; a run left unfinished resumes.
async fn erase(
    ctx: &Ctx,
    args: &EraseArgs,
    erasure: &Erasure<'_>,
    existing: Option<(String, String)>,
    leases: &[Lease],
) -> Result<Outcome> {
    let (run_id, fresh) = match existing {
        Some((run_id, _)) => {
            ctx.out.status(&format!("resuming erasure run {run_id}"));
            (run_id, Vec::new())
        }
        None => {
            let planned = erasure.plan(None).await?;
            if let Some(warning) = erasure.nothing_found(&planned) {
                ctx.out.warn(&warning);
            }
            let steps = workflow::provider_steps(erasure.policy, erasure.subjects, &planned);
            if !ctx.out.json_mode() {
                print_plan(ctx, &planned, &steps, false);
            }
            args.confirm.ask(
                "erase",
                &format!(
                    "Erase the personal data of {} subject(s) as planned above? This cannot be undone. [y/N] ",
                    erasure.subjects.len()
                ),
            )?;
            let run_id = erasure
                .open_run(args.request.as_deref(), &planned, &steps)
                .await?;
            (run_id, planned)
        }
    };
    erasure.execute(&run_id, fresh, leases).await?;
    let receipt_dir = args
        .receipt_dir
        .clone()
        .unwrap_or_else(|| ctx.workspace().join("receipts"));
    let finished = workflow::finish(
        erasure.policy,
        erasure.store,
        &erasure.actor,
        &run_id,
        &receipt_dir,
        &ctx.signing_key_path(),
    )
    .await?;
    Ok(super::print_erasure(ctx, &finished))
}
