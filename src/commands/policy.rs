//! `privops policy check`, `privops policy map` and `privops policy init --from-live`.

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
    Init(InitArgs),
    /// Convert a Fides dataset description into a policy folder
    Import(ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The Fides dataset file (YAML)
    #[arg(long, value_name = "DATASET.yml")]
    pub fides: std::path::PathBuf,
    /// The folder to write the policy into
    #[arg(long, value_name = "DIR")]
    pub out: std::path::PathBuf,
    /// The database engine the dataset describes
    #[arg(long, value_name = "ENGINE", default_value = "postgres", value_parser = ["sqlite", "postgres", "mysql"])]
    pub engine: String,
    /// The environment variable that will hold its URL [default: ID_URL]
    #[arg(long, value_name = "ENV")]
    pub url_env: Option<String>,
    /// The source's id [default: the dataset's fides_key]
    #[arg(long, value_name = "ID")]
    pub source_id: Option<String>,
    /// Replace the policy's files where they exist
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The environment variable holding the database's URL (sqlite://, postgres://,
    /// mysql://)
    #[arg(long, value_name = "ENV")]
    pub from_live: String,
    /// The folder to write the draft into
    #[arg(long, value_name = "DIR")]
    pub out: std::path::PathBuf,
    /// The source's id [default: the variable's name, lower-case, without _URL]
    #[arg(long, value_name = "ID")]
    pub source_id: Option<String>,
    /// Rows sampled per table to classify columns by their values
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub sample: usize,
    /// Replace the draft's files where they exist
    #[arg(long)]
    pub force: bool,
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
        PolicyCommand::Init(args) => init(ctx, args).await,
        PolicyCommand::Import(args) => import(ctx, args),
    }
}

fn import(ctx: &Ctx, args: &ImportArgs) -> Result<Outcome> {
    use std::io::Read;
    let limit = crate::policy::fides::MAX_DATASET_BYTES;
    let mut text = String::new();
    std::fs::File::open(&args.fides)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.fides.display()))?
        .take(limit as u64 + 1)
        .read_to_string(&mut text)
        .map_err(|e| anyhow::anyhow!("{}: not UTF-8 text ({e})", args.fides.display()))?;
    if text.len() > limit {
        anyhow::bail!(
            "{}: over {limit} bytes; a dataset description is not data",
            args.fides.display()
        );
    }
    let mut imported =
        crate::policy::fides::import(&text, &args.engine, "", args.source_id.as_deref())
            .map_err(|e| anyhow::anyhow!("{}: {e:#}", args.fides.display()))?;
    if !plain_identifier(&imported.source_id) {
        anyhow::bail!(
            "source id `{}`: letters, digits and `_` only (pass --source-id)",
            imported.source_id
        );
    }
    let url_env = args
        .url_env
        .clone()
        .unwrap_or_else(|| format!("{}_URL", imported.source_id.to_uppercase()));
    imported =
        crate::policy::fides::import(&text, &args.engine, &url_env, args.source_id.as_deref())?;
    if let Some(existing) = imported
        .files
        .iter()
        .map(|(name, _)| args.out.join(name))
        .find(|p| p.exists())
        .filter(|_| !args.force)
    {
        anyhow::bail!("{} exists; pass --force to replace it", existing.display());
    }
    std::fs::create_dir_all(args.out.join("sources"))?;
    for (name, text) in &imported.files {
        std::fs::write(args.out.join(name), text)?;
    }
    let policy = Policy::load(&args.out)?;
    let diagnostics = policy.check();
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if ctx.out.json_mode() {
        ctx.out.json(&serde_json::json!({
            "out": args.out,
            "source": imported.source_id,
            "url_env": url_env,
            "collections": imported.collections,
            "not_mapped": imported.notes,
            "errors": errors,
            "warnings": diagnostics.len() - errors,
        }));
    } else {
        ctx.out.data(&format!(
            "{} collection(s) imported into {} (source `{}`, URL from {url_env})",
            imported.collections,
            args.out.display(),
            imported.source_id
        ));
        for note in &imported.notes {
            ctx.out.data_wrapped_at(&format!("  {note}"), 4);
        }
        for d in &diagnostics {
            ctx.out.warn(&d.to_string());
        }
    }
    Ok(if errors > 0 {
        Outcome::No
    } else {
        Outcome::Success
    })
}

/// A name the policy language takes as an identifier.
fn plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

async fn init(ctx: &Ctx, args: &InitArgs) -> Result<Outcome> {
    use crate::policy::draft::{self, Draft};
    let url = std::env::var(&args.from_live).map_err(|_| {
        anyhow::anyhow!(
            "the environment variable {} (the database's URL) is not set",
            args.from_live
        )
    })?;
    let engine = match url.split(':').next().unwrap_or_default() {
        "sqlite" => "sqlite",
        "postgres" | "postgresql" => "postgres",
        "mysql" | "mariadb" => "mysql",
        _ => anyhow::bail!(
            "the URL in {} is not a sqlite://, postgres:// or mysql:// URL",
            args.from_live
        ),
    };
    let source_id = match &args.source_id {
        Some(id) => id.clone(),
        None => args
            .from_live
            .to_lowercase()
            .trim_end_matches("_url")
            .trim_end_matches("_database")
            .to_string(),
    };
    if !plain_identifier(&source_id) {
        anyhow::bail!("--source-id `{source_id}`: letters, digits and `_` only");
    }
    if !(1..=1_000_000).contains(&args.sample) {
        anyhow::bail!("--sample: between 1 and 1,000,000 rows");
    }
    let files_exist = ["controller.toml", "purposes.toml"]
        .iter()
        .map(|f| args.out.join(f))
        .chain([args.out.join(format!("sources/{source_id}.toml"))])
        .filter(|p| p.exists())
        .collect::<Vec<_>>();
    if !files_exist.is_empty() && !args.force {
        anyhow::bail!(
            "{} exists; pass --force to replace the draft",
            files_exist[0].display()
        );
    }
    // Connect the way every command does: through a one-source policy.
    let probe = tempfile::tempdir()?;
    std::fs::write(
        probe.path().join("controller.toml"),
        "[controller]\norganisation = \"draft\"\ndpo = { name = \"draft\", email = \"dpo@example.invalid\" }\n",
    )?;
    std::fs::write(
        probe.path().join("source.toml"),
        format!(
            "[source]\nid = \"{source_id}\"\nengine = \"{engine}\"\nurl_env = \"{}\"\n",
            args.from_live
        ),
    )?;
    let probe_policy = Policy::load(probe.path())?;
    let source = &probe_policy.sources[0];
    let pool = crate::sources::SourcePool::connect(&probe_policy, source).await?;
    let facts = draft::read(&pool, args.sample).await;
    pool.close().await;
    let mut facts = facts?;
    let skipped: Vec<String> = facts
        .tables
        .iter()
        .filter(|t| {
            // `schema.table` names a table outside the connection's own schema.
            !t.name.split('.').all(plain_identifier)
                || t.columns.iter().any(|c| !plain_identifier(&c.name))
        })
        .map(|t| t.name.clone())
        .collect();
    facts.tables.retain(|t| !skipped.contains(&t.name));
    facts
        .foreign_keys
        .retain(|k| !skipped.contains(&k.table) && !skipped.contains(&k.referenced_table));
    let tables = facts.tables.len();
    let files = Draft {
        source_id: source_id.clone(),
        url_env: args.from_live.clone(),
        facts,
    }
    .decide();
    std::fs::create_dir_all(args.out.join("sources"))?;
    let mut reviews = 0;
    for (name, text) in &files {
        reviews += text.matches("# review:").count();
        std::fs::write(args.out.join(name), text)?;
    }
    let draft = Policy::load(&args.out)?;
    let diagnostics = draft.check();
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if ctx.out.json_mode() {
        ctx.out.json(&serde_json::json!({
            "out": args.out,
            "source": source_id,
            "tables": tables,
            "skipped": skipped,
            "reviews": reviews,
            "errors": errors,
            "warnings": diagnostics.len() - errors,
        }));
    } else {
        ctx.out.data(&format!(
            "draft policy for {tables} table(s) written to {}: {reviews} `# review:` comment(s) to read",
            args.out.display()
        ));
        for name in &skipped {
            ctx.out.warn(&format!(
                "table `{name}` left out: its name or a column's is not a plain identifier"
            ));
        }
        for d in &diagnostics {
            ctx.out.warn(&d.to_string());
        }
        ctx.out.status(&format!(
            "next: privops policy check --live --policy {}",
            args.out.display()
        ));
    }
    Ok(if errors > 0 {
        Outcome::No
    } else {
        Outcome::Success
    })
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
