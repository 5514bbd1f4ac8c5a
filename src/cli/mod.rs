//! The command-line interface: parsing (the commands and their dispatch live in
//! [`crate::commands`], the global options in [`crate::context`]), Ctrl-C, and the one place
//! where results become exit codes.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser};

use crate::commands;
use crate::context::Ctx;
use crate::error;
use crate::output::Output;

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
    pub global: crate::context::GlobalArgs,
    #[command(subcommand)]
    pub command: commands::Command,
}

/// The command tree as users see it: the clap definitions with each command's examples.
pub fn command() -> clap::Command {
    help::with_examples(Cli::command())
}

/// The check commands (`consent check`, `processing check`) are asked before each message
/// or row a script processes, so they are parsed by a tree holding only them, a small part
/// of the whole. Anything that tree does not take as it is (help, a mistake, any other
/// command) is parsed again by the whole tree, whose help and errors users see.
fn quick_parse(args: &[std::ffi::OsString]) -> Option<Cli> {
    use clap::Args;
    let helps = ["-h", "--help", "help", "-V", "--version"];
    if args.iter().any(|a| helps.iter().any(|h| a == h)) {
        return None;
    }
    let check = || commands::consent::CheckArgs::augment_args(clap::Command::new("check"));
    let tree = crate::context::GlobalArgs::augment_args(clap::Command::new("privops"))
        .subcommand(clap::Command::new("consent").subcommand(check()))
        .subcommand(clap::Command::new("processing").subcommand(check()));
    let matches = tree.try_get_matches_from(args).ok()?;
    let global = crate::context::GlobalArgs::from_arg_matches(&matches).ok()?;
    let (group, group_matches) = matches.subcommand()?;
    let (_, check_matches) = group_matches.subcommand()?;
    let args = commands::consent::CheckArgs::from_arg_matches(check_matches).ok()?;
    let command = match group {
        "consent" => commands::Command::Consent(commands::consent::ConsentCommand::Check(args)),
        _ => commands::Command::Processing(commands::processing::ProcessingCommand::Check(args)),
    };
    Some(Cli { global, command })
}

/// Parses the arguments, runs the command and maps the result to an exit code.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = match quick_parse(&args) {
        Some(cli) => Ok(cli),
        None => command()
            .try_get_matches_from(&args)
            .and_then(|matches| Cli::from_arg_matches(&matches)),
    };
    let cli = match parsed {
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
            result = commands::run(&ctx, cli.command) => Some(result),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    let Some(result) = result else {
        runtime.block_on(crate::store::lease::release_held());
        output.error("interrupted: what was committed stays, the rest rolled back; locks released; run the command again to finish");
        return ExitCode::from(error::INTERRUPTED);
    };
    // After the command, whether it succeeded or not (it may have committed some steps);
    // not after an interruption, which is answered at once.
    runtime.block_on(crate::store::fold_logs());
    match result {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(failure) => {
            output.error(&error::render(&failure));
            ExitCode::from(error::code_of(&failure))
        }
    }
}
