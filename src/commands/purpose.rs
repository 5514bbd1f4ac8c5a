//! `privops purpose list` and `privops purpose show`.

use anyhow::Result;

use crate::consent;
use crate::context::Ctx;
use crate::error::Outcome;
use crate::policy::Purpose;

#[derive(Debug, clap::Subcommand)]
pub enum PurposeCommand {
    /// List the purposes of the policy with their current consent version
    List,
    /// Show one purpose, its consent text and its version history
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The purpose id
    pub id: String,
}

pub async fn run(ctx: &Ctx, command: &PurposeCommand) -> Result<Outcome> {
    let policy = ctx.policy()?;
    // An unknown purpose is refused before anything is recorded.
    if let PurposeCommand::Show(args) = command {
        policy.known_purpose(&args.id)?;
    }
    let store = ctx.store().await?;
    // Listing records any consent text seen for the first time as a new version.
    let mut tx = store.begin_write().await?;
    crate::audit::record_policy_version(&mut tx, &ctx.actor(), &policy.digest).await?;
    let current = consent::sync_versions(&mut tx, &policy, &ctx.actor()).await?;
    tx.commit().await?;
    match command {
        PurposeCommand::List => {
            let rows: Vec<Summary> = policy
                .purposes()
                .map(|p| Summary::of(p, current.get(p.id.get_ref()).copied()))
                .collect();
            if ctx.out.json_mode() {
                ctx.out.json(&rows);
            } else {
                let mut table = ctx.out.table(&[
                    "purpose",
                    "title",
                    "lawful basis",
                    "categories",
                    "retention",
                    "version",
                ]);
                table.keep_whole(&[0, 5]);
                for row in &rows {
                    table.add_row(vec![
                        row.id.to_string(),
                        row.title.to_string(),
                        row.article.to_string(),
                        row.categories.join(", "),
                        row.retention.unwrap_or("-").to_string(),
                        row.current_version
                            .map_or_else(|| "-".to_string(), |v| v.to_string()),
                    ]);
                }
                ctx.out.print_table(&table);
            }
        }
        PurposeCommand::Show(args) => {
            let purpose = policy.known_purpose(&args.id)?;
            let history = consent::versions(&store.pool, &args.id).await?;
            if ctx.out.json_mode() {
                #[derive(serde::Serialize)]
                struct Shown<'p> {
                    #[serde(flatten)]
                    summary: Summary<'p>,
                    description: Option<&'p str>,
                    consent_text: Option<&'p str>,
                    versions: &'p [consent::Version],
                }
                ctx.out.json(&Shown {
                    summary: Summary::of(purpose, current.get(&args.id).copied()),
                    description: purpose.description.as_deref(),
                    consent_text: purpose.consent_text.as_deref(),
                    versions: &history,
                });
            } else {
                let mut lines = vec![
                    format!("purpose:      {}", purpose.id.get_ref()),
                    format!("title:        {}", purpose.title),
                    format!("lawful basis: {}", purpose.basis.article()),
                    format!(
                        "categories:   {}",
                        purpose
                            .categories
                            .iter()
                            .map(|c| c.get_ref().as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    format!(
                        "retention:    {}",
                        purpose.retention.as_deref().unwrap_or("-")
                    ),
                ];
                if let Some(description) = &purpose.description {
                    lines.push(format!("description:  {description}"));
                }
                match current.get(&args.id) {
                    Some(version) => lines.push(format!("version:      {version} (current)")),
                    None => lines.push("version:      - (no consent text)".to_string()),
                }
                if let Some(text) = &purpose.consent_text {
                    lines.push(format!(
                        "consent text:\n  {}",
                        text.trim().replace('\n', "\n  ")
                    ));
                }
                ctx.out.data_wrapped_at(&lines.join("\n"), 14);
                if !history.is_empty() {
                    let mut table = ctx.out.table(&["version", "first seen", "text sha256"]);
                    table.keep_whole(&[0, 1]);
                    for version in &history {
                        table.add_row(vec![
                            version.version.to_string(),
                            crate::time::human(&version.first_seen),
                            version.text_sha256.clone(),
                        ]);
                    }
                    ctx.out.print_table(&table);
                }
            }
        }
    }
    Ok(Outcome::Success)
}

/// A purpose as `purpose list` shows it.
#[derive(serde::Serialize)]
struct Summary<'p> {
    id: &'p str,
    title: &'p str,
    basis: &'static str,
    article: &'static str,
    categories: Vec<&'p str>,
    retention: Option<&'p str>,
    current_version: Option<i64>,
}

impl<'p> Summary<'p> {
    fn of(purpose: &'p Purpose, current_version: Option<i64>) -> Summary<'p> {
        Summary {
            id: purpose.id.get_ref(),
            title: &purpose.title,
            basis: purpose.basis.name(),
            article: purpose.basis.article(),
            categories: purpose
                .categories
                .iter()
                .map(|c| c.get_ref().as_str())
                .collect(),
            retention: purpose.retention.as_deref(),
            current_version,
        }
    }
}
