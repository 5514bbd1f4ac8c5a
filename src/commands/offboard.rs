//! `privops offboard`: a whole client account on contract termination. The run itself is
//! [`crate::offboard`]; this command shows the plan, exports the account when asked,
//! confirms, and renders the certificate's outcome.

use std::path::PathBuf;

use anyhow::Result;

use crate::archive::{ArchiveOutput, Encryption};
use crate::context::Ctx;
use crate::error::{self, Outcome};
use crate::offboard::{Finished, Offboarding, Plan};
use crate::store::lease::Lease;

/// Offboard a client account: export, roll up, delete everywhere, certify
#[derive(Debug, clap::Args)]
pub struct OffboardArgs {
    /// The account's key, as the policy's [tenant] table holds it
    #[arg(long, value_name = "ID")]
    pub tenant: String,
    /// The instruction this answers, as a reference (a ticket number): recorded in the
    /// audit trail and the certificate
    #[arg(long, value_name = "REF")]
    pub request: Option<String>,
    /// First write the account's data into this archive (the access export's format)
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    /// Encrypt the export to this age public key (age1...); repeatable
    #[arg(long = "recipient", value_name = "AGE_PUBLIC_KEY", requires = "export")]
    pub recipients: Vec<String>,
    /// Encrypt the export with the passphrase held in this environment variable
    #[arg(long, value_name = "VAR", requires = "export")]
    pub passphrase_env: Option<String>,
    /// Confirm that a manual task of the unfinished offboarding is done; repeatable
    #[arg(long = "confirm-task", value_name = "TASK")]
    pub confirm_tasks: Vec<String>,
    /// A note kept with the confirmed tasks (who was asked, a ticket)
    #[arg(long, value_name = "TEXT", requires = "confirm_tasks")]
    pub note: Option<String>,
    #[command(flatten)]
    pub rehearsal: crate::cli::args::DryRun,
    #[command(flatten)]
    pub confirm: crate::cli::args::Yes,
    /// Where to write the certificate [default: .privops/certificates beside the policy folder]
    #[arg(long, value_name = "DIR")]
    pub certificate_dir: Option<PathBuf>,
    /// The audit signing key that signs the certificate [default: .privops/audit-signing.key]
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

pub async fn run(ctx: &Ctx, args: &OffboardArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    crate::plan::offboard::tenant(&policy).map_err(|e| error::usage(format!("{e:#}")))?;
    if args.tenant.trim().is_empty() || args.tenant.len() > 200 {
        return Err(error::usage(
            "--tenant takes the account's key (1 to 200 characters)",
        ));
    }
    // The reference goes into the audit trail and the certificate: an identifier, never
    // free text that could name a person.
    if let Some(reference) = &args.request {
        let fits = !reference.is_empty()
            && reference.len() <= 100
            && reference
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:#".contains(c));
        if !fits {
            return Err(error::usage(
                "--request takes a reference (up to 100 letters, digits and - _ . / : #), such as a ticket number",
            ));
        }
    }
    let key = ctx.subject_key()?;
    let store = ctx.store().await?;
    let offboarding = Offboarding {
        policy: &policy,
        store: &store,
        key: &key,
        account: &args.tenant,
        request: args.request.as_deref(),
        actor: ctx.actor(),
        out: &ctx.out,
        now: ctx.now,
    };
    // The export is checked before anything is read, so a bad path loses nothing.
    let export = match &args.export {
        Some(path) if !args.rehearsal.dry_run => {
            let encryption =
                Encryption::from_args(&args.recipients, args.passphrase_env.as_deref())?;
            Some(ArchiveOutput::create(path, false, encryption)?)
        }
        _ => None,
    };
    let account_ref = offboarding.account_ref();
    let names = vec![format!("offboard:{account_ref}")];
    let leases = match Lease::acquire_all(&store, &names, crate::erasure::workflow::LEASE).await? {
        Ok(leases) => leases,
        Err(holder) => {
            return Err(error::locked(format!(
                "another offboarding of this account is running ({holder}); try again when it has finished"
            )));
        }
    };
    let result = offboard(ctx, args, &offboarding, export, &leases).await;
    let released = Lease::release_all(leases, &store).await;
    let outcome = result?;
    released?;
    Ok(outcome)
}

async fn offboard(
    ctx: &Ctx,
    args: &OffboardArgs,
    offboarding: &Offboarding<'_>,
    export: Option<ArchiveOutput>,
    leases: &[Lease],
) -> Result<Outcome> {
    let existing = offboarding.open_run().await?;
    if !args.confirm_tasks.is_empty() {
        let Some(run_id) = existing else {
            return Err(error::usage(format!(
                "{} `{}` has no unfinished offboarding whose tasks could be confirmed",
                crate::plan::offboard::tenant(offboarding.policy)?.name,
                args.tenant
            )));
        };
        for task in &args.confirm_tasks {
            crate::offboard::confirm_task(
                offboarding.store,
                &run_id,
                task,
                args.note.as_deref(),
                &offboarding.actor,
                &offboarding.account_ref(),
            )
            .await?;
        }
        return finish(ctx, args, offboarding, &run_id).await;
    }
    let prepared = offboarding.prepare().await?;
    if args.rehearsal.dry_run {
        print_plan(ctx, &prepared.plan);
        if let Some(run_id) = &existing {
            ctx.out.status(&format!(
                "run {run_id} is unfinished; running without --dry-run resumes it"
            ));
        }
        return Ok(Outcome::Success);
    }
    let run_id = match existing {
        Some(run_id) => {
            ctx.out
                .status(&format!("resuming offboarding run {run_id}"));
            if export.is_some() {
                ctx.out.warn(
                    "the export was due when the offboarding began; it is not written again from a half-deleted account",
                );
            }
            run_id
        }
        None => {
            let rows: u64 = prepared
                .plan
                .sources
                .iter()
                .flat_map(|s| &s.tables)
                .map(|t| t.rows)
                .sum();
            if rows == 0 {
                return Err(error::usage(format!(
                    "no source holds a row of {} `{}`: check the key (an account already offboarded has its certificate)",
                    prepared.plan.scope, args.tenant
                )));
            }
            if !ctx.out.json_mode() {
                print_plan(ctx, &prepared.plan);
            }
            args.confirm.ask(
                "offboard",
                &format!(
                    "Delete {rows} row(s) of {} `{}` as planned above? This cannot be undone. [y/N] ",
                    prepared.plan.scope, args.tenant
                ),
            )?;
            if let Some(output) = export {
                let exported = offboarding.export(&prepared, output).await?;
                ctx.out.status(&format!(
                    "exported {} row(s) to {} (sha256 {})",
                    exported.total_rows,
                    exported.target.display(),
                    exported.sha256
                ));
            }
            offboarding.start(&prepared).await?
        }
    };
    offboarding.execute(&run_id, &prepared, leases).await?;
    finish(ctx, args, offboarding, &run_id).await
}

/// Writes the certificate of the run and renders its outcome.
async fn finish(
    ctx: &Ctx,
    args: &OffboardArgs,
    offboarding: &Offboarding<'_>,
    run_id: &str,
) -> Result<Outcome> {
    let dir = args
        .certificate_dir
        .clone()
        .unwrap_or_else(|| ctx.workspace().join("certificates"));
    let key_file = args.key.clone().unwrap_or_else(|| ctx.signing_key_path());
    let finished = crate::offboard::finish(
        offboarding.policy,
        offboarding.store,
        &offboarding.actor,
        run_id,
        &key_file,
        &dir,
    )
    .await?;
    Ok(print_finished(ctx, &finished, &args.tenant))
}

fn print_plan(ctx: &Ctx, plan: &Plan) {
    if ctx.out.json_mode() {
        ctx.out.json(plan);
        return;
    }
    let mut table = ctx.out.table(&[
        "source",
        "table",
        "rows",
        "delete",
        "held",
        "kept",
        "roll up into",
    ]);
    table.keep_whole(&[0, 2, 3, 4, 5]);
    let mut notes = Vec::new();
    for source in &plan.sources {
        for t in source.tables.iter().filter(|t| t.rows > 0) {
            let held: u64 = t.held.iter().map(|h| h.rows).sum();
            table.add_row(vec![
                source.source.clone(),
                t.table.clone(),
                t.rows.to_string(),
                t.delete.to_string(),
                held.to_string(),
                t.referenced.to_string(),
                t.rollup
                    .as_ref()
                    .map_or_else(|| "-".to_string(), |r| r.into.clone()),
            ]);
            for h in t.held.iter().filter(|h| h.rows > 0) {
                let action = match h.action {
                    crate::policy::HoldAction::Pseudonymise => "pseudonymised",
                    crate::policy::HoldAction::Keep => "kept as they are",
                };
                notes.push(format!(
                    "{}.{}: {} row(s) held: {} (Art. {}), {action}",
                    source.source, t.table, h.rows, h.reason, h.article
                ));
            }
            if t.referenced > 0 {
                notes.push(format!(
                    "{}.{}: {} row(s) kept because held rows reference them",
                    source.source, t.table, t.referenced
                ));
            }
        }
    }
    ctx.out.print_table(&table);
    for note in notes {
        ctx.out.data_wrapped(&note);
    }
    ctx.out.data(&format!(
        "providers: {} call(s) for {} identity value(s) of the account's people; {} manual task(s)",
        plan.providers.len(),
        plan.subjects,
        plan.manual.len()
    ));
    // Per provider, the first calls; `--format json` lists them all.
    const SHOWN: usize = 3;
    let mut by_provider: Vec<(&str, Vec<&crate::offboard::PlannedCall>)> = Vec::new();
    for call in &plan.providers {
        let provider = call.step.split(':').nth(1).unwrap_or_default();
        match by_provider.last_mut() {
            Some((p, calls)) if *p == provider => calls.push(call),
            _ => by_provider.push((provider, vec![call])),
        }
    }
    for (provider, calls) in by_provider {
        for call in calls.iter().take(SHOWN) {
            ctx.out
                .data_wrapped(&format!("provider: {} ({})", call.request, call.step));
        }
        if calls.len() > SHOWN {
            ctx.out.data(&format!(
                "provider: ... and {} more call(s) to `{provider}` (--format json lists them)",
                calls.len() - SHOWN
            ));
        }
    }
    for task in &plan.manual {
        ctx.out
            .data_wrapped(&format!("manual: {} ({})", task.instruction, task.task));
    }
}

fn print_finished(ctx: &Ctx, finished: &Finished, tenant: &str) -> Outcome {
    if ctx.out.json_mode() {
        #[derive(serde::Serialize)]
        struct Done<'a> {
            #[serde(flatten)]
            certificate: &'a crate::offboard::Certificate,
            certificate_file: &'a std::path::Path,
            unfinished: Vec<&'a str>,
        }
        ctx.out.json(&Done {
            certificate: &finished.certificate,
            certificate_file: &finished.json_path,
            unfinished: finished
                .unfinished
                .iter()
                .map(|s| s.step_id.as_str())
                .collect(),
        });
    } else {
        ctx.out.data_wrapped(&format!(
            "offboarding {}: {} ({} step(s) unfinished); certificate {}",
            finished.run_id,
            if finished.complete {
                "complete"
            } else {
                "INCOMPLETE"
            },
            finished.unfinished.len(),
            finished.md_path.display()
        ));
        for step in &finished.unfinished {
            ctx.out.data_wrapped_at(
                &format!("  {} [{}] {}", step.step_id, step.status, step.description),
                4,
            );
            if step.kind == crate::store::journal::StepKind::Manual {
                ctx.out.data(&format!(
                    "    when done: privops offboard --tenant {tenant} --confirm-task {}",
                    step.step_id
                ));
            }
        }
    }
    if finished.complete {
        Outcome::Success
    } else {
        Outcome::Partial
    }
}
