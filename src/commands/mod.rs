//! The commands: their enum and dispatch, and one module per command group, each with its
//! clap arguments and a `run` that parses, calls the domain and renders.

pub mod access;
pub mod archive;
pub mod audit;
pub(crate) mod check;
pub mod consent;
pub mod demo;
pub mod drafts;
pub mod erase;

pub mod generate;
pub mod init;
pub mod notice;
pub mod offboard;
pub mod policy;
pub mod processing;
pub mod purpose;
pub mod rectify;
pub mod request;
pub mod retention;
pub mod rights;
pub mod scan;

use crate::context::Ctx;
use crate::error::{self, Outcome};
use crate::output::Format;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Demo(demo::DemoArgs),
    Init(init::InitArgs),

    /// Check the policy (and its drift from the live schemas); write the Art. 30 record
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    Scan(scan::ScanArgs),
    /// The purposes of processing and the versions of their consent texts
    #[command(subcommand)]
    Purpose(purpose::PurposeCommand),
    /// Record, withdraw, check, export and import consent per purpose
    #[command(subcommand)]
    Consent(consent::ConsentCommand),
    /// Record an objection to a purpose (Art. 21), or lift it
    Object(rights::ObjectArgs),
    /// Restrict all processing of a subject's data (Art. 18), or lift it
    Restrict(rights::RestrictArgs),
    /// May this subject's data be processed for this purpose? (exit 0 / 3)
    #[command(subcommand)]
    Processing(processing::ProcessingCommand),
    /// Versions of the privacy notice and who acknowledged them
    #[command(subcommand)]
    Notice(notice::NoticeCommand),
    /// Data-subject requests and their deadlines; confirm manual tasks
    #[command(subcommand)]
    Request(request::RequestCommand),
    Access(access::AccessArgs),
    Rectify(rectify::RectifyArgs),
    Erase(erase::EraseArgs),
    Offboard(offboard::OffboardArgs),
    /// Retention: what is due and why (plan), and the sweep that deletes or rolls it up
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
    /// The hash-chained audit trail: log, verify, find, report, checkpoint, export
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Verify an archive, a deletion certificate or an erasure receipt offline
    #[command(subcommand)]
    Archive(archive::ArchiveCommand),
    Completions(generate::CompletionsArgs),
    Man(generate::ManArgs),
}

/// The output formats a command can produce: human and JSON everywhere, and the document
/// formats where a command writes documents.
fn formats(command: &Command) -> &'static [Format] {
    match command {
        Command::Audit(audit::AuditCommand::Report(_)) => &[
            Format::Human,
            Format::Json,
            Format::Md,
            Format::Csv,
            Format::Html,
        ],
        Command::Policy(policy::PolicyCommand::Map(_)) => {
            &[Format::Human, Format::Json, Format::Md, Format::Csv]
        }
        Command::Notice(notice::NoticeCommand::Pending(_)) => {
            &[Format::Human, Format::Json, Format::Csv]
        }
        _ => &[Format::Human, Format::Json],
    }
}

pub async fn run(ctx: &Ctx, command: Command) -> anyhow::Result<Outcome> {
    let accepted = formats(&command);
    if !accepted.contains(&ctx.global.format) {
        let names: Vec<String> = accepted
            .iter()
            .map(|f| format!("{f:?}").to_lowercase())
            .collect();
        return Err(error::usage(format!(
            "this command cannot write --format {}; it writes {}",
            format!("{:?}", ctx.global.format).to_lowercase(),
            names.join(", ")
        )));
    }
    match command {
        Command::Demo(args) => demo::run(ctx, &args).await,
        Command::Init(args) => init::run(ctx, &args).await,

        Command::Policy(command) => policy::run(ctx, &command).await,
        Command::Scan(args) => scan::run(ctx, &args).await,
        Command::Purpose(command) => purpose::run(ctx, &command).await,
        Command::Consent(command) => consent::run(ctx, &command).await,
        Command::Object(args) => rights::object(ctx, &args).await,
        Command::Restrict(args) => rights::restrict(ctx, &args).await,
        Command::Processing(command) => processing::run(ctx, &command).await,
        Command::Notice(command) => notice::run(ctx, &command).await,
        Command::Request(command) => request::run(ctx, &command).await,
        Command::Access(args) => access::run(ctx, &args).await,
        Command::Archive(command) => archive::run(ctx, &command).await,
        Command::Rectify(args) => rectify::run(ctx, &args).await,
        Command::Erase(args) => erase::run(ctx, &args).await,
        Command::Offboard(args) => offboard::run(ctx, &args).await,
        Command::Retention(command) => retention::run(ctx, &command).await,
        Command::Audit(command) => audit::run(ctx, &command).await,
        Command::Completions(args) => generate::completions(ctx, &args),
        Command::Man(args) => generate::man(ctx, &args),
    }
}

/// An erasure run's outcome for people or scripts (`erase`, `request confirm-manual`):
/// the receipt's place, and each step left with the command that confirms a manual task.
pub(crate) fn print_erasure(
    ctx: &crate::context::Ctx,
    finished: &crate::erasure::workflow::Finished,
) -> crate::error::Outcome {
    use crate::error::Outcome;
    /// The receipt, and where it was written.
    #[derive(serde::Serialize)]
    struct Summary<'r> {
        #[serde(flatten)]
        receipt: &'r crate::erasure::receipt::Receipt,
        #[serde(rename = "receipt")]
        path: std::path::PathBuf,
    }
    if ctx.out.json_mode() {
        ctx.out.json(&Summary {
            receipt: &finished.receipt,
            path: finished
                .receipt_dir
                .join(format!("{}.json", finished.run_id)),
        });
    } else {
        let state = match (finished.complete, finished.receipt.found) {
            (true, false) => "complete, no personal data found in any source",
            (true, _) => "complete",
            (false, _) => "INCOMPLETE",
        };
        ctx.out.data_wrapped(&format!(
            "erasure {}: {state} ({} step(s) unfinished); receipt {}",
            finished.run_id,
            finished.unfinished.len(),
            finished
                .receipt_dir
                .join(format!("{}.md", finished.run_id))
                .display()
        ));
        let request = finished.request.as_deref();
        for step in &finished.unfinished {
            ctx.out.data_wrapped_at(
                &format!("  {} [{}] {}", step.step_id, step.status, step.description),
                4,
            );
            if let (Some(request), true) = (request, step.kind == crate::erasure::StepKind::Manual)
            {
                ctx.out.data(&format!(
                    "    when done: privops request confirm-manual {request} {}",
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
