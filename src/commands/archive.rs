//! `privops archive verify`: check an archive against its manifest, offline.

use std::path::PathBuf;

use anyhow::Result;

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
    /// Also check authenticity: the controller's Ed25519 public key (PEM), obtained apart
    /// from the archive; an audit archive must carry checkpoints signed by it. Without
    /// it, only integrity is checked: no key inside the archive is trusted
    #[arg(long, value_name = "FILE")]
    pub trusted_key: Option<PathBuf>,
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
    let trusted = args
        .trusted_key
        .as_deref()
        .map(crate::audit::checkpoint::read_trusted_key)
        .transpose()?;
    let file = crate::archive::open(&args.file, args.identity.as_deref(), passphrase)?;
    let (mut verification, mut zip) = crate::archive::verify(file)
        .map_err(|e| e.context(format!("{} cannot be verified", args.file.display())))?;
    // An archive with a refused entry is not read further: its problems already fail it.
    let audit = if verification.refused {
        None
    } else if verification.kind.as_deref() == Some("audit") {
        let check =
            crate::archive::verify_audit(&mut zip, &verification.manifest, trusted.as_ref())?;
        verification.problems.extend(check.problems.clone());
        Some(check)
    } else {
        if trusted.is_some() {
            verification.problems.push(format!(
                "{} archive carries no signature: --trusted-key cannot establish its authenticity (compare its SHA-256 with the archive_sha256 the audit trail recorded when it was made)",
                match verification.kind.as_deref() {
                    Some(kind) => format!("this {kind}"),
                    None => "this".to_string(),
                }
            ));
        }
        None
    };
    let ok = verification.problems.is_empty();
    let authenticity = match (&args.trusted_key, &audit) {
        (None, _) => Authenticity::unchecked(
            "only integrity was checked, not authenticity: anyone can build an archive whose files match its own manifest, chain and checkpoints; pass --trusted-key FILE (the controller's public key, obtained apart from the archive) to check who signed it",
        ),
        (Some(key), Some(check)) if ok => {
            let through = check.signed_through.unwrap_or(0);
            let statement = if through >= check.last_seq {
                format!(
                    "authentic: entries {} to {} are covered by checkpoints signed by the trusted key",
                    check.first_seq, check.last_seq
                )
            } else {
                let rest = if through + 1 == check.last_seq {
                    format!(
                        "entry {} comes after the last signed checkpoint and nothing vouches for it",
                        check.last_seq
                    )
                } else {
                    format!(
                        "entries {} to {} come after the last signed checkpoint and nothing vouches for them",
                        through + 1,
                        check.last_seq
                    )
                };
                format!(
                    "authentic up to entry {through}: entries {} to {through} are covered by checkpoints signed by the trusted key; {rest}",
                    check.first_seq
                )
            };
            Authenticity {
                checked: true,
                trusted_key: Some(key),
                authentic: Some(true),
                signed_through: Some(through),
                last_entry: Some(check.last_seq),
                statement,
            }
        }
        (Some(key), _) => Authenticity {
            checked: true,
            trusted_key: Some(key),
            authentic: Some(false),
            ..Authenticity::unchecked("NOT shown to be authentic: see the problems")
        },
    };
    if ctx.out.json_mode() {
        #[derive(serde::Serialize)]
        struct Verified<'a> {
            archive: &'a std::path::Path,
            ok: bool,
            kind: Option<&'a str>,
            files: usize,
            problems: &'a [String],
            authenticity: &'a Authenticity<'a>,
        }
        ctx.out.json(&Verified {
            archive: &args.file,
            ok,
            kind: verification.kind.as_deref(),
            files: verification.files,
            problems: &verification.problems,
            authenticity: &authenticity,
        });
    } else {
        let mut text = if ok {
            let mut text = format!(
                "{}: {} file(s) match the manifest",
                args.file.display(),
                verification.files
            );
            if let Some(check) = &audit {
                text.push_str(&format!(
                    "\nthe audit chain (entries {} to {}) is intact and its {} checkpoint(s) match",
                    check.first_seq, check.last_seq, check.checkpoints
                ));
            }
            text
        } else {
            let mut text = format!("{}: does NOT verify", args.file.display());
            for problem in &verification.problems {
                text.push_str(&format!("\n  {problem}"));
            }
            text
        };
        text.push('\n');
        text.push_str(&authenticity.statement);
        ctx.out.data(&text);
    }
    Ok(if ok { Outcome::Success } else { Outcome::No })
}

/// Whether a trusted key vouches for the archive, and up to which entry.
#[derive(serde::Serialize)]
struct Authenticity<'a> {
    checked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    trusted_key: Option<&'a std::path::Path>,
    #[serde(skip_serializing_if = "Option::is_none")]
    authentic: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signed_through: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_entry: Option<i64>,
    statement: String,
}

impl Authenticity<'_> {
    fn unchecked(statement: &str) -> Self {
        Authenticity {
            checked: false,
            trusted_key: None,
            authentic: None,
            signed_through: None,
            last_entry: None,
            statement: statement.to_string(),
        }
    }
}
