//! `privops init`: the state store and subject key of a workspace whose policies exist.
//! Only `init` and `demo` create a state store; every other command finds one or says
//! where it looked.

use anyhow::Result;
use serde::Serialize;

use crate::context::Ctx;
use crate::error::Outcome;
use crate::store::Store;

/// Create the state store and subject key beside an existing policy folder
///
/// The workspace is the nearest `policies/` folder found walking up from here (or
/// `--policy`); its `.privops/` folder gets the SQLite state store and the subject key,
/// both readable by their owner only. With `--state postgres://…` the tables are created
/// in that database instead. Running it again changes nothing.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  privops init                                  # in a folder holding policies/
  privops init --state postgres://privops@db.internal/privops
  PRIVOPS_POLICY=/etc/privops/policies privops init")]
pub struct InitArgs {}

#[derive(Serialize)]
struct Initialised {
    policy: String,
    state: String,
    created: bool,
    subject_key: Option<String>,
}

pub async fn run(ctx: &Ctx, _args: &InitArgs) -> Result<Outcome> {
    let policy = ctx.policy_folder()?;
    // The policy must load: a workspace is initialised for the policy it will run.
    crate::policy::Policy::load_valid(&policy)?;
    let workspace = ctx.workspace();
    let existed = Store::exists(ctx.global.state.as_deref(), &workspace).await?;
    // `.privops/` holds the SQLite store and the subject key; neither may be needed.
    let key_needed = std::env::var_os(crate::subject::SUBJECT_KEY_ENV).is_none();
    if ctx.global.state.is_none() || key_needed {
        crate::fsutil::create_private_dir(&workspace)?;
    }
    let store = Store::open(ctx.global.state.as_deref(), &workspace).await?;
    let key_file = workspace.join("subject.key");
    crate::subject::SubjectKey::create_if_missing(&key_file)?;
    let subject_key = key_needed.then(|| key_file.display().to_string());
    let done = Initialised {
        policy: policy.display().to_string(),
        state: store.display.clone(),
        created: !existed,
        subject_key,
    };
    if ctx.out.json_mode() {
        ctx.out.json(&done);
    } else if existed {
        ctx.out.status(&format!(
            "the workspace is already initialised: state store {}",
            done.state
        ));
    } else {
        ctx.out.status(&format!(
            "initialised the workspace of {}: state store {}{}",
            done.policy,
            done.state,
            done.subject_key
                .as_deref()
                .map(|k| format!(", subject key {k}"))
                .unwrap_or_default()
        ));
        ctx.out
            .status("next: `privops policy check --live`, then `privops request open` or `privops retention plan`");
    }
    Ok(Outcome::Success)
}
