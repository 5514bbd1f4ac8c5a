//! The command-line interface: global flags, the command tree, and the one place where
//! results become exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::commands;
use crate::context::Ctx;
use crate::error::{self, Outcome};
use crate::output::{ColorChoice, Format, Output};

pub mod args;
pub(crate) mod help;

/// GDPR privacy operations from declarative policy files: consent, access, erasure,
/// retention and a verifiable audit trail.
#[derive(Debug, Parser)]
#[command(
    name = "privops",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// The heading global options sit under in every command's help.
const GLOBAL: &str = "Global options";

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct GlobalArgs {
    /// The policy folder
    #[arg(long, global = true, env = "PRIVOPS_POLICY", value_name = "DIR", help_heading = GLOBAL)]
    pub policy: Option<PathBuf>,
    /// The state store: a SQLite path or sqlite:// URL, or a postgres:// URL
    /// [default: .privops/state.db beside the policy folder]
    #[arg(
        long,
        global = true,
        env = "PRIVOPS_STATE",
        value_name = "URL",
        hide_env_values = true,
        help_heading = GLOBAL
    )]
    pub state: Option<String>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value = "human", help_heading = GLOBAL)]
    pub format: Format,
    /// When to use colour
    #[arg(long, global = true, value_enum, default_value = "auto", help_heading = GLOBAL)]
    pub color: ColorChoice,
    /// Print no status messages (data is still printed)
    #[arg(long, short, global = true, help_heading = GLOBAL)]
    pub quiet: bool,
    /// Print more detail about what is done
    #[arg(long, short, global = true, help_heading = GLOBAL)]
    pub verbose: bool,
    /// Who is acting, as recorded in the audit trail [default: $USER]
    #[arg(long, global = true, env = "PRIVOPS_ACTOR", value_name = "NAME", help_heading = GLOBAL)]
    pub actor: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Demo(commands::demo::DemoArgs),
    Init(commands::init::InitArgs),

    /// Check the policy (and its drift from the live schemas); write the Art. 30 record
    #[command(subcommand)]
    Policy(commands::policy::PolicyCommand),
    /// The purposes of processing and the versions of their consent texts
    #[command(subcommand)]
    Purpose(commands::purpose::PurposeCommand),
    /// Record, withdraw, check, export and import consent per purpose
    #[command(subcommand)]
    Consent(commands::consent::ConsentCommand),
    /// Data-subject requests and their deadlines; confirm manual erasure tasks
    #[command(subcommand)]
    Request(commands::request::RequestCommand),
    Access(commands::access::AccessArgs),
    Erase(commands::erase::EraseArgs),
    /// Retention: what is due and why (plan), and the sweep that deletes or rolls it up
    #[command(subcommand)]
    Retention(commands::retention::RetentionCommand),
    /// The hash-chained audit trail: log, verify, find, report, checkpoint, export
    #[command(subcommand)]
    Audit(commands::audit::AuditCommand),
    /// Verify an access or audit archive offline
    #[command(subcommand)]
    Archive(commands::archive::ArchiveCommand),
    Completions(commands::generate::CompletionsArgs),
    Man(commands::generate::ManArgs),
}

/// The command tree as users see it: the clap definitions with each command's examples.
pub fn command() -> clap::Command {
    help::with_examples(Cli::command())
}

/// Parses the arguments, runs the command and maps the result to an exit code.
pub fn main() -> ExitCode {
    let cli = match command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => error::USAGE,
            });
        }
    };
    let output = Output::new(
        cli.global.format,
        cli.global.color,
        cli.global.quiet,
        cli.global.verbose,
    );
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            output.error(&format!("cannot start the runtime: {error}"));
            return ExitCode::from(error::FAILURE);
        }
    };
    let now = match crate::time::init() {
        Ok(now) => now,
        Err(failure) => {
            output.error(&error::render(&failure));
            return ExitCode::from(error::code_of(&failure));
        }
    };
    let ctx = Ctx::new(cli.global, output.clone(), now);
    // Ctrl-C stops the command at the await it is in: every change privops makes is a
    // transaction (a source's erasure, a sweep's chunk, a journal or audit write), so what
    // was not committed rolls back, and the journal says what is left. Leases of the
    // stopped process are taken over by the next run on this host.
    let result = runtime.block_on(async {
        tokio::select! {
            result = run(&ctx, cli.command) => Some(result),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    let Some(result) = result else {
        runtime.block_on(crate::lock::release_held());
        output.error("interrupted: what was committed stays, the rest rolled back; locks released; run the command again to finish");
        return ExitCode::from(error::INTERRUPTED);
    };
    match result {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(failure) => {
            output.error(&error::render(&failure));
            ExitCode::from(error::code_of(&failure))
        }
    }
}

/// The output formats a command can produce: human and JSON everywhere, and the document
/// formats where a command writes documents.
fn formats(command: &Command) -> &'static [Format] {
    match command {
        Command::Audit(commands::audit::AuditCommand::Report(_)) => &[
            Format::Human,
            Format::Json,
            Format::Md,
            Format::Csv,
            Format::Html,
        ],
        Command::Policy(commands::policy::PolicyCommand::Map(_)) => {
            &[Format::Human, Format::Json, Format::Md, Format::Csv]
        }
        _ => &[Format::Human, Format::Json],
    }
}

async fn run(ctx: &Ctx, command: Command) -> anyhow::Result<Outcome> {
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
        Command::Demo(args) => commands::demo::run(ctx, &args).await,
        Command::Init(args) => commands::init::run(ctx, &args).await,

        Command::Policy(command) => commands::policy::run(ctx, &command).await,
        Command::Purpose(command) => commands::purpose::run(ctx, &command).await,
        Command::Consent(command) => commands::consent::run(ctx, &command).await,
        Command::Request(command) => commands::request::run(ctx, &command).await,
        Command::Access(args) => commands::access::run(ctx, &args).await,
        Command::Archive(command) => commands::archive::run(ctx, &command).await,
        Command::Erase(args) => commands::erase::run(ctx, &args).await,
        Command::Retention(command) => commands::retention::run(ctx, &command).await,
        Command::Audit(command) => commands::audit::run(ctx, &command).await,
        Command::Completions(args) => commands::generate::completions(ctx, &args),
        Command::Man(args) => commands::generate::man(ctx, &args),
    }
}
