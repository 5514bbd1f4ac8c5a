//! `privops policy init --from-live` and `privops policy import --fides`: policy folders
//! written from a live database or a Fides dataset, checked once written.

use anyhow::Result;

use crate::context::Ctx;
use crate::error::Outcome;
use crate::policy::{Policy, Severity};

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

pub(super) fn import(ctx: &Ctx, args: &ImportArgs) -> Result<Outcome> {
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
    refuse_to_overwrite(&args.out, &imported.files, args.force)?;
    let (diagnostics, errors) = write_policy(&args.out, &imported.files)?;
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

/// Refuses to replace any of `files` under `out` without `--force`.
fn refuse_to_overwrite(
    out: &std::path::Path,
    files: &[(String, String)],
    force: bool,
) -> Result<()> {
    match files
        .iter()
        .map(|(name, _)| out.join(name))
        .find(|p| p.exists())
    {
        Some(existing) if !force => {
            anyhow::bail!("{} exists; pass --force to replace it", existing.display())
        }
        _ => Ok(()),
    }
}

/// Writes a generated policy folder and checks it: its diagnostics and how many are errors.
fn write_policy(
    out: &std::path::Path,
    files: &[(String, String)],
) -> Result<(Vec<crate::policy::Diagnostic>, usize)> {
    std::fs::create_dir_all(out.join("sources"))?;
    for (name, text) in files {
        std::fs::write(out.join(name), text)?;
    }
    let diagnostics = Policy::load(out)?.check();
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    Ok((diagnostics, errors))
}

/// A name the policy language takes as an identifier.
fn plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(super) async fn init(ctx: &Ctx, args: &InitArgs) -> Result<Outcome> {
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
    let predicted: Vec<(String, String)> = [
        "controller.toml".to_string(),
        "purposes.toml".to_string(),
        format!("sources/{source_id}.toml"),
    ]
    .into_iter()
    .map(|name| (name, String::new()))
    .collect();
    refuse_to_overwrite(&args.out, &predicted, args.force)?;
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
    let reviews: usize = files
        .iter()
        .map(|(_, text)| text.matches("# review:").count())
        .sum();
    let (diagnostics, errors) = write_policy(&args.out, &files)?;
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
