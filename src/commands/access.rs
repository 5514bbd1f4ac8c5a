//! `privops access`: the data-subject access export (Art. 15, Art. 20; see
//! [`crate::access`]) into a verifiable, deterministic archive, optionally encrypted with age.

use anyhow::{Result, bail};

use crate::access::Export;
use crate::archive::{ArchiveOutput, Encryption};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::subject::Subject;

/// Export everything held about a subject into an archive
#[derive(Debug, clap::Args)]
pub struct AccessArgs {
    /// The subject, KIND:VALUE; repeat for several identities of one person
    #[arg(long = "subject", value_name = "KIND:VALUE", required = true)]
    pub subjects: Vec<String>,
    /// The request this export answers
    #[arg(long, value_name = "ID")]
    pub request: Option<String>,
    #[command(flatten)]
    pub output: crate::cli::args::OutFile,
    /// Encrypt to this age public key (age1...); repeatable
    #[arg(long = "recipient", value_name = "AGE_PUBLIC_KEY")]
    pub recipients: Vec<String>,
    /// Encrypt with the passphrase held in this environment variable
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
    /// Do not query provider APIs (recorded in the archive and the audit trail)
    #[arg(long)]
    pub no_providers: bool,
}

pub async fn run(ctx: &Ctx, args: &AccessArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let subjects: Vec<Subject> = args
        .subjects
        .iter()
        .map(|s| Subject::parse(s, &policy))
        .collect::<Result<_>>()?;
    let key = ctx.subject_key()?;
    let refs: Vec<String> = key.references(&subjects);
    let encryption = Encryption::from_args(&args.recipients, args.passphrase_env.as_deref())?;
    let output = ArchiveOutput::create(&args.output.out, args.output.force, encryption)?;
    let store = ctx.store().await?;
    if let Some(id) = &args.request {
        let request = crate::store::requests::get(&store.pool, id).await?;
        if !refs.contains(&request.subject_ref) {
            bail!("request {id} is about another subject");
        }
        if request.kind == "erasure" {
            bail!("request {id} is an erasure request; `privops erase --request {id}` answers it");
        }
    }
    let export = Export {
        policy: &policy,
        store: &store,
        subjects: &subjects,
        refs: &refs,
        request: args.request.as_deref(),
        no_providers: args.no_providers,
        actor: ctx.actor(),
        out: &ctx.out,
    };
    let exported = export.run(output).await?;
    if ctx.out.json_mode() {
        ctx.out.json(&exported);
    } else {
        if !exported.found_anything {
            ctx.out
                .status("no personal data found for this subject; the archive says so");
        }
        for p in exported.providers.iter().filter(|p| p.failed) {
            ctx.out.warn(&p.outcome);
        }
        ctx.out.data(&format!(
            "wrote {} ({} row(s), sha256 {})",
            exported.target.display(),
            exported.total_rows,
            exported.sha256
        ));
    }
    let failed = exported.providers.iter().filter(|p| p.failed).count();
    Ok(if failed > 0 {
        Outcome::Partial
    } else {
        Outcome::Success
    })
}
