//! `privops completions` and `privops man`: generated from the clap definitions.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::context::Ctx;
use crate::error::Outcome;

/// Print a shell completion script
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Write man pages for privops and each of its commands
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// The folder to write into
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn completion_script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut command = crate::cli::command();
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut command, "privops", &mut buffer);
    buffer
}

pub fn completions(ctx: &Ctx, args: &CompletionsArgs) -> Result<Outcome> {
    ctx.out
        .data(&String::from_utf8_lossy(&completion_script(args.shell)));
    Ok(Outcome::Success)
}

pub fn man(ctx: &Ctx, args: &ManArgs) -> Result<Outcome> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let command = crate::cli::command();
    crate::cli::help::write_man_pages(command, &args.out)
        .with_context(|| format!("cannot write man pages into {}", args.out.display()))?;
    ctx.out
        .status(&format!("wrote man pages into {}", args.out.display()));
    Ok(Outcome::Success)
}
