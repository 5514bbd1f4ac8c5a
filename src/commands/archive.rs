//! `privops archive verify`: check an archive against its manifest, offline.

use std::path::PathBuf;

use anyhow::Result;

use crate::context::Ctx;
use crate::error::Outcome;

#[derive(Debug, clap::Subcommand)]
pub enum ArchiveCommand {
    /// Check an archive, certificate or receipt offline; exit 3 on any difference
    Verify(VerifyArgs),
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The archive (.zip, or .zip.age), or a signed certificate or receipt (.json)
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
    if let Some(text) = signed_document(&args.file)? {
        return verify_document(ctx, args, &text, trusted.as_ref());
    }
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

/// The text of a signed JSON document (a deletion certificate, an erasure receipt), or
/// None for an archive. Read with a bound: a document is small.
fn signed_document(path: &std::path::Path) -> Result<Option<String>> {
    use std::io::Read;
    const MAX_DOCUMENT: u64 = 16 << 20;
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_DOCUMENT + 1).read_to_end(&mut bytes)?;
    let starts_as_json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if !starts_as_json {
        return Ok(None);
    }
    if bytes.len() as u64 > MAX_DOCUMENT {
        anyhow::bail!(
            "{} is over 16 MiB: not a certificate or receipt",
            path.display()
        );
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))?;
    Ok(Some(text))
}

/// Checks a signed document: its signature over its fields, and with `--trusted-key`
/// that the key that signed it is the trusted one. Exit 3 when it does not verify.
fn verify_document(
    ctx: &Ctx,
    args: &VerifyArgs,
    text: &str,
    trusted: Option<&ed25519_dalek::VerifyingKey>,
) -> Result<Outcome> {
    let check = crate::audit::signed::check(text, trusted)
        .map_err(|e| e.context(format!("{} cannot be verified", args.file.display())))?;
    let ok = check.problems.is_empty();
    if ctx.out.json_mode() {
        #[derive(serde::Serialize)]
        struct Verified<'a> {
            document: &'a std::path::Path,
            ok: bool,
            #[serde(flatten)]
            check: &'a crate::audit::signed::Check,
        }
        ctx.out.json(&Verified {
            document: &args.file,
            ok,
            check: &check,
        });
    } else {
        let kind = check.kind.as_deref().unwrap_or("document");
        let mut text = if ok {
            format!(
                "{}: this {kind} is intact: its signature matches every field",
                args.file.display()
            )
        } else {
            format!("{}: does NOT verify", args.file.display())
        };
        for problem in &check.problems {
            text.push_str(&format!("\n  {problem}"));
        }
        text.push('\n');
        text.push_str(match (trusted.is_some(), check.trusted) {
            (false, _) => "only integrity was checked: the signing key travels with the document; pass --trusted-key FILE (the controller's public key, obtained apart from it) to check who signed it",
            (true, true) => "authentic: signed by the trusted key",
            (true, false) => "NOT shown to be authentic: see the problems",
        });
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
