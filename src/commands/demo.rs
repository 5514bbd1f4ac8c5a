//! `privops demo`: a ready-to-try workspace on embedded SQLite (see [`crate::demo`]).

use std::path::PathBuf;

use anyhow::Result;

use crate::context::Ctx;
use crate::demo::Workspace;
use crate::error::Outcome;

/// Set up a demo workspace: example policies, synthetic databases, a state store
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Where to create the workspace
    #[arg(long, value_name = "DIR", default_value = "privops-demo")]
    pub dir: PathBuf,
    /// Recreate the workspace if it exists
    #[arg(long)]
    pub force: bool,
}

pub async fn run(ctx: &Ctx, args: &DemoArgs) -> Result<Outcome> {
    let workspace = Workspace::at(&args.dir);
    let dir = &workspace.dir;
    if workspace.exists() && !args.force {
        ctx.out.status(&format!(
            "the demo workspace {} exists; pass --force to recreate it",
            dir.display()
        ));
    } else {
        workspace.create(ctx.now, &ctx.actor()).await?;
        ctx.out
            .status(&format!("created the demo workspace {}", dir.display()));
    }
    let samples = workspace.sample_subjects().await?;
    if ctx.out.json_mode() {
        #[derive(serde::Serialize)]
        struct Created<'a> {
            workspace: &'a std::path::Path,
            policy_dir: &'a std::path::Path,
            state: std::path::PathBuf,
            sample_subjects: &'a [String],
        }
        ctx.out.json(&Created {
            workspace: dir,
            policy_dir: &workspace.policy_dir,
            state: workspace.state_dir.join("state.db"),
            sample_subjects: &samples,
        });
    } else {
        let first = samples.first().cloned().unwrap_or_default();
        ctx.out.data(&format!(
            "Try next:\n  cd {}\n  privops policy check --live\n  privops policy map\n  privops audit log\n  privops audit verify\n  privops offboard --tenant 2 --dry-run    (a client account leaves: what goes, what stays)\n\nSample subjects: {}\n(first: {first})",
            dir.display(),
            samples.join(", ")
        ));
    }
    Ok(Outcome::Success)
}
