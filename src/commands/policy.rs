//! `privops policy check` and `privops policy map` (`init` and `import` are in `drafts`).

use anyhow::Result;

use crate::context::Ctx;
use crate::error::{self, Outcome};
use crate::output::Format;
use crate::policy::live::live_drift;
use crate::policy::record::Record;
use crate::policy::{Policy, Severity};

#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Validate the policy folder; with --live, compare it with the real schemas
    Check(CheckArgs),
    /// Write the Art. 30 record of processing and the data map (md, csv or json)
    Map(MapArgs),
    /// Draft a policy folder from a live database, every guess marked for review
    Init(super::drafts::InitArgs),
    /// Convert a Fides dataset description into a policy folder
    Import(super::drafts::ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Also connect to every source and report drift between policy and database
    #[arg(long)]
    pub live: bool,
}

#[derive(Debug, clap::Args)]
pub struct MapArgs {
    /// Write to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

pub async fn run(ctx: &Ctx, command: &PolicyCommand) -> Result<Outcome> {
    match command {
        PolicyCommand::Check(args) => check(ctx, args).await,
        PolicyCommand::Map(args) => map(ctx, args),
        PolicyCommand::Init(args) => super::drafts::init(ctx, args).await,
        PolicyCommand::Import(args) => super::drafts::import(ctx, args),
    }
}

async fn check(ctx: &Ctx, args: &CheckArgs) -> Result<Outcome> {
    let policy = Policy::load(&ctx.policy_folder()?)?;
    let mut diagnostics = policy.check();
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let mut drift = Vec::new();
    if args.live && errors == 0 {
        for source in &policy.sources {
            let (found, warnings) = live_drift(&policy, source).await?;
            drift.extend(found);
            diagnostics.extend(warnings);
        }
    }
    let warnings = diagnostics.len() - errors;
    if ctx.out.json_mode() {
        #[derive(serde::Serialize)]
        struct Check<'c> {
            policy: &'c std::path::Path,
            digest: &'c str,
            errors: usize,
            warnings: usize,
            diagnostics: &'c [crate::policy::Diagnostic],
            live: bool,
            drift: &'c [crate::policy::live::Drift],
        }
        ctx.out.json(&Check {
            policy: &ctx.policy_dir(),
            digest: &policy.digest,
            errors,
            warnings,
            diagnostics: &diagnostics,
            live: args.live && errors == 0,
            drift: &drift,
        });
    } else {
        for diagnostic in &diagnostics {
            ctx.out.data(&diagnostic.to_string());
        }
        for item in &drift {
            match &item.at {
                Some(at) => ctx.out.data(&format!(
                    "{}:{}:{}: drift: {}",
                    at.file, at.line, at.column, item.message
                )),
                None => ctx.out.data(&format!("drift: {}", item.message)),
            }
        }
        let mut summary = format!(
            "{} file(s), {} error(s), {} warning(s)",
            policy.files.len(),
            errors,
            warnings
        );
        if args.live && errors == 0 {
            summary.push_str(&format!(", {} drift finding(s)", drift.len()));
        }
        ctx.out.status(&summary);
    }
    if errors > 0 {
        return Err(anyhow::anyhow!("the policy has {errors} error(s)"));
    }
    if !drift.is_empty() {
        return Ok(Outcome::No);
    }
    Ok(Outcome::Success)
}

/// Drift between the policy and the live schema of a source, and warnings about the values
/// its identity columns hold.
fn map(ctx: &Ctx, args: &MapArgs) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let record = Record::of(&policy);
    let text = match ctx.out.format {
        Format::Json => serde_json::to_string_pretty(&record)? + "\n",
        Format::Human | Format::Md => crate::render::render("record-of-processing.md", &record)?,
        Format::Csv => record.data_map_csv()?,
        Format::Html => {
            return Err(error::usage(
                "policy map writes md, csv or json; pass --format md|csv|json",
            ));
        }
    };
    match &args.out {
        Some(path) => {
            let mut file = crate::fsutil::PendingFile::create(path, true)?;
            std::io::Write::write_all(&mut file, text.as_bytes())?;
            file.commit()?;
            ctx.out.status(&format!("wrote {}", path.display()));
        }
        None => ctx.out.data(&text),
    }
    Ok(Outcome::Success)
}
