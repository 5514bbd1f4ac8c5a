//! `privops rectify`: correct a subject's data across sources and tell the providers
//! (Art. 16, 19).

use anyhow::{Result, bail};

use crate::context::Ctx;
use crate::erasure::workflow::{self, ProviderStep};
use crate::erasure::{StepKind, StepStatus};
use crate::error::{self, Outcome};
use crate::rectify::{self, Rectification, SourcePlan};
use crate::store::lease::Lease;
use crate::subject::Subject;

/// Correct a subject's data across sources and providers (Art. 16, 19)
#[derive(Debug, clap::Args)]
pub struct RectifyArgs {
    /// The subject, KIND:VALUE [default: the request's]
    #[arg(long, value_name = "KIND:VALUE", required_unless_present = "request")]
    pub subject: Option<String>,
    /// A correction: a category (user.contact.email) or SOURCE.TABLE.COLUMN, and the
    /// corrected value; repeat for several
    #[arg(long = "set", value_name = "COLUMN=VALUE", required = true)]
    pub set: Vec<String>,
    /// The rectification request this answers; one is opened otherwise
    #[arg(long, value_name = "ID")]
    pub request: Option<String>,
    #[command(flatten)]
    pub rehearsal: crate::cli::args::DryRun,
    #[command(flatten)]
    pub confirm: crate::cli::args::Yes,
}

pub async fn run(ctx: &Ctx, args: &RectifyArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let settings = rectify::settings(&policy, &args.set)?;
    let key = ctx.subject_key()?;
    let store = ctx.store().await?;
    let subject = match (&args.subject, &args.request) {
        (Some(text), _) => Subject::parse(text, &policy)?,
        (None, Some(id)) => {
            let request = crate::store::requests::get(&store.pool, id).await?;
            let Some(identity) =
                crate::consent::known_identities(&store, &[request.subject_ref.as_str()])
                    .await?
                    .remove(&request.subject_ref)
            else {
                bail!("request {id}: its subject's identity is no longer kept; pass --subject");
            };
            Subject::parse(&identity, &policy)?
        }
        (None, None) => bail!("pass --subject or --request"),
    };
    let rectification = Rectification {
        policy: &policy,
        key: &key,
        store: &store,
        subject: &subject,
        subject_ref: key.reference(&subject),
        settings: &settings,
        actor: ctx.actor(),
    };
    let existing = rectification.open_run().await?;
    if let Some(run_id) = &existing {
        rectification.check_resume(run_id).await?;
        let of_run = crate::erasure::run_subjects(&store.pool, run_id).await?;
        if let Some(id) = args.request.as_deref() {
            if !of_run.iter().any(|(_, request)| request == id) {
                bail!(
                    "run {run_id} for this subject answers another request; finish it first (run the same command without --request)"
                );
            }
        }
    }
    // Errors name the subject by a shortened form: they can end up in logs.
    let shown = crate::sources::http::mask_value(&subject.to_string());
    let (planned, steps) = if existing.is_none() {
        let planned = rectification.plan(None).await?;
        let steps = rectification.provider_steps(&planned);
        (planned, steps)
    } else {
        (Vec::new(), Vec::new())
    };
    if existing.is_none() {
        let found = planned.iter().any(|p| {
            p.columns
                .iter()
                .any(|c| c.rows + c.unchanged + c.other_value > 0)
        });
        let rows_found: usize = planned.iter().map(|p| p.columns.len()).sum();
        if !found && rows_found == 0 {
            bail!(
                "no data of {shown} in any source holds {}: nothing to correct",
                settings
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let left: Vec<&String> = planned.iter().flat_map(|p| &p.left).collect();
        if rectify::new_identity(&policy, &subject, &settings).is_some() && !left.is_empty() {
            bail!(
                "the identity {shown} is also held in {}, which no --set covers: correct the identity's category (e.g. --set user.contact.email=...) so that no copy keeps the old value",
                left.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        print_plan(ctx, &planned, &steps, args.rehearsal.dry_run);
        let changes: u64 = planned.iter().map(SourcePlan::changes).sum();
        if changes == 0 && steps.is_empty() {
            ctx.out
                .status("nothing to correct: every targeted value already holds the corrected one");
            return Ok(Outcome::Success);
        }
        if changes == 0 {
            // The application may have made the change itself: the recipients still have
            // to hear of it (Art. 19).
            ctx.out.status(
                "the data already holds the corrected values; the recipients listed are still told (Art. 19)",
            );
        }
        if args.rehearsal.dry_run {
            return Ok(Outcome::Success);
        }
        args.confirm.ask(
            "rectify",
            &format!("correct {changes} value(s) of {subject} and tell the recipients? [y/N] "),
        )?;
    } else if args.rehearsal.dry_run {
        ctx.out.status(&format!(
            "run {} for this subject is unfinished; running without --dry-run resumes it",
            existing.as_deref().unwrap_or_default()
        ));
        return Ok(Outcome::Success);
    }
    // One change to a subject at a time: rectification and erasure share the lease.
    let name = format!("erase:{}", rectification.subject_ref);
    let lease = match Lease::acquire(&store, &name, workflow::LEASE).await? {
        Ok(lease) => lease,
        Err(holder) => {
            return Err(error::locked(format!(
                "another erasure or rectification of this subject is running ({holder}); try again when it has finished"
            )));
        }
    };
    let result = async {
        let run_id = match existing {
            Some(run_id) => run_id,
            None => {
                rectification
                    .start(args.request.as_deref(), &planned, &steps, ctx.now)
                    .await?
            }
        };
        rectification.execute(&run_id, &ctx.out).await?;
        rectify::finish(&store, &ctx.actor(), &run_id).await?;
        anyhow::Ok(run_id)
    }
    .await;
    let released = lease.release(&store).await;
    let run_id = result?;
    released?;
    print_outcome(ctx, &store, &run_id).await
}

fn print_plan(ctx: &Ctx, planned: &[SourcePlan], steps: &[ProviderStep], dry_run: bool) {
    if ctx.out.json_mode() {
        if dry_run {
            ctx.out.json(&rectify::PlanView::of(planned, steps));
        }
        return;
    }
    let mut table = ctx.out.table(&[
        "source", "table", "column", "change", "same", "other", "now",
    ]);
    table.keep_whole(&[3, 4, 5]);
    for plan in planned {
        for column in &plan.columns {
            let mut now: Vec<String> = column.old.iter().take(3).cloned().collect();
            if column.old.len() > 3 {
                now.push(format!("+{}", column.old.len() - 3));
            }
            table.add_row(vec![
                plan.source.id().to_string(),
                column.table.clone(),
                column.column.clone(),
                column.rows.to_string(),
                column.unchanged.to_string(),
                column.other_value.to_string(),
                now.join(" "),
            ]);
        }
    }
    ctx.out.print_table(&table);
    let shared: u64 = planned.iter().map(|p| p.shared).sum();
    if shared > 0 {
        ctx.out.data_wrapped(&format!(
            "{shared} row(s) shared with other people are not changed"
        ));
    }
    for step in steps {
        let what = if step.kind == StepKind::Manual {
            "manual"
        } else {
            "call"
        };
        let text = if dry_run {
            &step.shown
        } else {
            &step.description
        };
        ctx.out.data_wrapped_at(&format!("  {what}: {text}"), 4);
    }
}

async fn print_outcome(ctx: &Ctx, store: &crate::store::Store, run_id: &str) -> Result<Outcome> {
    let steps = crate::erasure::steps(&store.pool, run_id).await?;
    let request = crate::erasure::run_subjects(&store.pool, run_id)
        .await?
        .first()
        .map(|(_, request)| request.clone());
    let unfinished: Vec<_> = steps
        .iter()
        .filter(|s| s.status != StepStatus::Done)
        .collect();
    if ctx.out.json_mode() {
        #[derive(serde::Serialize)]
        struct Done<'a> {
            run: &'a str,
            request: Option<&'a str>,
            complete: bool,
            steps: &'a [crate::store::journal::Step],
        }
        ctx.out.json(&Done {
            run: run_id,
            request: request.as_deref(),
            complete: unfinished.is_empty(),
            steps: &steps,
        });
    } else {
        let state = if unfinished.is_empty() {
            "complete"
        } else {
            "INCOMPLETE"
        };
        ctx.out.data_wrapped(&format!(
            "rectification {run_id}: {state} ({} step(s) unfinished)",
            unfinished.len()
        ));
        for step in &steps {
            if let Some(outcome) = crate::erasure::receipt::describe_outcome(step) {
                ctx.out.data_wrapped_at(
                    &format!("  {} [{}] {outcome}", step.step_id, step.status),
                    4,
                );
            }
        }
        for step in &unfinished {
            ctx.out.data_wrapped_at(
                &format!("  {} [{}] {}", step.step_id, step.status, step.description),
                4,
            );
            if let (Some(request), StepKind::Manual) = (&request, step.kind) {
                ctx.out.data(&format!(
                    "    when done: privops request confirm-manual {request} {}",
                    step.step_id
                ));
            }
        }
    }
    Ok(if unfinished.is_empty() {
        Outcome::Success
    } else {
        Outcome::Partial
    })
}

/// After `request confirm-manual` on a rectification: finish it if nothing is left.
pub(crate) async fn after_confirm(
    ctx: &Ctx,
    store: &crate::store::Store,
    run_id: &str,
) -> Result<Outcome> {
    rectify::finish(store, &ctx.actor(), run_id).await?;
    print_outcome(ctx, store, run_id).await
}
