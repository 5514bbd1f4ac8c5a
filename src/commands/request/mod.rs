//! `privops request open|list|show|extend|close`: data-subject requests and deadlines.

use anyhow::Result;
use serde_json::json;

use crate::audit::{self, NewEntry};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::store::requests::{self, Kind};
use crate::subject::Subject;

mod view;

#[derive(Debug, clap::Subcommand)]
pub enum RequestCommand {
    /// Record a request received from a data subject; prints its id and due date
    Open(OpenArgs),
    /// List requests; --overdue exits 3 when any is overdue
    List(ListArgs),
    /// Show a request with its tasks
    Show(IdArgs),
    /// Extend a request's deadline once by up to two months, with a reason
    Extend(ExtendArgs),
    /// Close a request whose tasks are all done
    Close(IdArgs),
    /// Confirm that a manual task (a provider without an API) was done
    ConfirmManual(ConfirmArgs),
}

#[derive(Debug, clap::Args)]
pub struct ConfirmArgs {
    /// The request id
    pub id: String,
    /// The task, as `request show` lists it (manual:PROVIDER)
    pub task: String,
    /// What was done, kept with the task
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct OpenArgs {
    #[arg(long, value_enum)]
    pub kind: Kind,
    /// The subject, KIND:VALUE
    #[arg(long, value_name = "KIND:VALUE")]
    pub subject: String,
    /// When the request was received (RFC 3339 or a date) [default: now]
    #[arg(long, value_name = "DATE")]
    pub received: Option<String>,
    /// A note kept with the request
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only open requests past their deadline (exit 3 when there are any)
    #[arg(long)]
    pub overdue: bool,
    /// Only open requests due within this many days
    #[arg(long, value_name = "DAYS")]
    pub due_within: Option<u32>,
    /// Only requests with this status
    #[arg(long, value_parser = ["open", "closed"])]
    pub status: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct IdArgs {
    /// The request id (REQ-000001)
    pub id: String,
}

#[derive(Debug, clap::Args)]
pub struct ExtendArgs {
    /// The request id
    pub id: String,
    /// Why more time is needed (recorded, and owed to the subject)
    #[arg(long)]
    pub reason: String,
    /// By how many months (1 or 2)
    #[arg(long, default_value_t = 2)]
    pub months: u32,
}

pub async fn run(ctx: &Ctx, command: &RequestCommand) -> Result<Outcome> {
    match command {
        RequestCommand::Open(args) => open(ctx, args).await,
        RequestCommand::List(args) => view::list(ctx, args).await,
        RequestCommand::Show(args) => view::show(ctx, &args.id).await,
        RequestCommand::Extend(args) => change(ctx, &args.id, Change::Extend(args)).await,
        RequestCommand::Close(args) => change(ctx, &args.id, Change::Close).await,
        RequestCommand::ConfirmManual(args) => confirm_manual(ctx, args).await,
    }
}

async fn open(ctx: &Ctx, args: &OpenArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let subject = Subject::parse(&args.subject, &policy)?;
    let subject_ref = ctx.subject_key()?.reference(&subject);
    let received = match &args.received {
        Some(text) => crate::time::parse_time(text)?,
        None => ctx.now,
    };
    let store = ctx.store().await?;
    let mut tx = store.begin_write().await?;
    audit::record_policy_version(&mut tx, &ctx.actor(), &policy.digest).await?;
    crate::consent::remember_subjects(&mut tx, &[(subject.clone(), subject_ref.clone())]).await?;
    let request = requests::open(
        &mut tx,
        args.kind,
        &subject_ref,
        received,
        policy.deadline_days(),
        args.note.as_deref(),
    )
    .await?;
    audit::append(
        &mut tx,
        &ctx.actor(),
        &[NewEntry::new(
            "request.open",
            json!({ "request": request.id, "kind": request.kind, "received_at": request.received_at, "due_at": request.due_at }),
        )
        .about(&subject_ref)],
    )
    .await?;
    tx.commit().await?;
    if ctx.out.json_mode() {
        ctx.out.json(&request);
    } else {
        ctx.out.data(&format!(
            "{} ({} request) due {}",
            request.id, request.kind, request.due_at
        ));
    }
    Ok(Outcome::Success)
}

enum Change<'a> {
    Extend(&'a ExtendArgs),
    Close,
}

async fn change(ctx: &Ctx, id: &str, change: Change<'_>) -> Result<Outcome> {
    let store = ctx.store().await?;
    let mut tx = store.begin_write().await?;
    let (request, entry) = match change {
        Change::Extend(args) => {
            let request = requests::extend(&mut tx, id, args.months, &args.reason).await?;
            let details = json!({ "request": id, "months": args.months, "reason": args.reason, "extended_to": request.extended_to });
            (request, NewEntry::new("request.extend", details))
        }
        Change::Close => {
            let request = requests::close(&mut tx, id).await?;
            (
                request,
                NewEntry::new("request.close", json!({ "request": id })),
            )
        }
    };
    audit::append(&mut tx, &ctx.actor(), &[entry.about(&request.subject_ref)]).await?;
    tx.commit().await?;
    if ctx.out.json_mode() {
        ctx.out.json(&request);
    } else {
        ctx.out.data(&format!(
            "{}: {}, deadline {}",
            request.id,
            request.status,
            request.deadline()
        ));
    }
    Ok(Outcome::Success)
}

async fn confirm_manual(ctx: &Ctx, args: &ConfirmArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let store = ctx.store().await?;
    let run = crate::erasure::workflow::confirm_manual(
        &store,
        &args.id,
        &args.task,
        args.note.as_deref(),
        &ctx.actor(),
    )
    .await?;
    if run.starts_with("REC-") {
        return super::rectify::after_confirm(ctx, &store, &run).await;
    }
    let finished = crate::erasure::workflow::finish(
        &policy,
        &store,
        &ctx.actor(),
        &run,
        &ctx.workspace().join("receipts"),
        &ctx.signing_key_path(),
    )
    .await?;
    Ok(super::print_erasure(ctx, &finished))
}
