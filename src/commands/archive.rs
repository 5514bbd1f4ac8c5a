//! `privops archive verify`: check an archive against its manifest, offline.

use std::path::PathBuf;

use anyhow::Result;
use serde_json::json;

use crate::context::Ctx;
use crate::error::Outcome;

#[derive(Debug, clap::Subcommand)]
pub enum ArchiveCommand {
    /// Check every file of an archive against its manifest; exit 3 on any difference
    Verify(VerifyArgs),
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The archive (.zip, or .zip.age)
    pub file: PathBuf,
    /// An age identity file, for archives encrypted to recipients
    #[arg(long, value_name = "KEYFILE")]
    pub identity: Option<PathBuf>,
    /// The environment variable holding the passphrase, for passphrase-encrypted archives
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
}

pub async fn run(ctx: &Ctx, command: &ArchiveCommand) -> Result<Outcome> {
    let ArchiveCommand::Verify(args) = command;
    let passphrase = match &args.passphrase_env {
        Some(var) => Some(
            std::env::var(var)
                .map_err(|_| anyhow::anyhow!("the environment variable {var} is not set"))?,
        ),
        None => None,
    };
    let file = crate::archive::open(&args.file, args.identity.as_deref(), passphrase)?;
    let (mut verification, mut zip) = crate::archive::verify(file)
        .map_err(|e| e.context(format!("{} cannot be verified", args.file.display())))?;
    if verification.kind.as_deref() == Some("audit") {
        let problems = crate::archive::verify_audit(&mut zip, &verification.manifest)?;
        verification.problems.extend(problems);
    }
    let ok = verification.problems.is_empty();
    if ctx.out.json_mode() {
        ctx.out.json(&json!({
            "archive": args.file,
            "ok": ok,
            "kind": verification.kind,
            "files": verification.files,
            "problems": verification.problems,
        }));
    } else if ok {
        ctx.out.data(&format!(
            "{}: {} file(s) match the manifest",
            args.file.display(),
            verification.files
        ));
    } else {
        let mut text = format!("{}: does NOT match its manifest", args.file.display());
        for problem in &verification.problems {
            text.push_str(&format!("\n  {problem}"));
        }
        ctx.out.data(&text);
    }
    Ok(if ok { Outcome::Success } else { Outcome::No })
}
