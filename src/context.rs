//! What every command gets: the global flags, resolved, and the output layer.

use std::path::PathBuf;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::output::{ColorChoice, Format, Output};
use crate::policy::Policy;
use crate::store::{self, Store};
use crate::subject::SubjectKey;

/// The heading global options sit under in every command's help.
const GLOBAL: &str = "Global options";

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct GlobalArgs {
    /// The policy folder
    #[arg(long, global = true, env = "PRIVOPS_POLICY", value_name = "DIR", help_heading = GLOBAL)]
    pub policy: Option<PathBuf>,
    /// The state store: a SQLite path or sqlite:// URL, or a postgres:// URL
    /// [default: .privops/state.db beside the policy folder]
    #[arg(
        long,
        global = true,
        env = "PRIVOPS_STATE",
        value_name = "URL",
        hide_env_values = true,
        help_heading = GLOBAL
    )]
    pub state: Option<String>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value = "human", help_heading = GLOBAL)]
    pub format: Format,
    /// When to use colour
    #[arg(long, global = true, value_enum, default_value = "auto", help_heading = GLOBAL)]
    pub color: ColorChoice,
    /// Print no status messages (data is still printed)
    #[arg(long, short, global = true, help_heading = GLOBAL)]
    pub quiet: bool,
    /// Print more detail about what is done
    #[arg(long, short, global = true, help_heading = GLOBAL)]
    pub verbose: bool,
    /// Who is acting, as recorded in the audit trail [default: $USER]
    #[arg(long, global = true, env = "PRIVOPS_ACTOR", value_name = "NAME", help_heading = GLOBAL)]
    pub actor: Option<String>,
}

pub struct Ctx {
    pub global: GlobalArgs,
    pub out: Output,
    /// The command's time, read once (see [`crate::time`]).
    pub now: DateTime<Utc>,
}

impl Ctx {
    pub fn new(global: GlobalArgs, out: Output, now: DateTime<Utc>) -> Ctx {
        Ctx { global, out, now }
    }

    /// The policy folder: `--policy`/`PRIVOPS_POLICY`, else the nearest `policies/` found
    /// walking up from the current directory, as git and cargo find their roots.
    pub fn policy_dir(&self) -> PathBuf {
        if let Some(dir) = &self.global.policy {
            return dir.clone();
        }
        let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        here.ancestors()
            .map(|dir| dir.join("policies"))
            .find(|candidate| candidate.is_dir())
            .unwrap_or_else(|| PathBuf::from("policies"))
    }

    /// The policy folder, or an error saying where it was looked for.
    pub fn policy_folder(&self) -> Result<PathBuf> {
        let dir = self.policy_dir();
        if self.global.policy.is_none() && !dir.is_dir() {
            let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            anyhow::bail!(
                "no policy folder: looked for policies/ in {} and every folder above it; \
                 pass --policy DIR or set PRIVOPS_POLICY",
                here.display()
            );
        }
        Ok(dir)
    }

    /// The policy, refusing to act on one with errors.
    pub fn policy(&self) -> Result<Policy> {
        Policy::load_valid(&self.policy_folder()?)
    }

    /// `.privops/` beside the policy folder: the default store and the key files.
    pub fn workspace(&self) -> PathBuf {
        store::workspace_dir(&self.policy_dir())
    }

    /// The state store, which must exist: only `privops init` and `privops demo` create
    /// one. Its schema is brought up to date.
    pub async fn store(&self) -> Result<Store> {
        Store::open_existing(self.global.state.as_deref(), &self.workspace()).await
    }

    /// [`Ctx::store`] for a check's one statement, which reads the schema's version
    /// with its answer (see [`Store::open_unchecked`]).
    pub async fn store_for_check(&self) -> Result<Store> {
        Store::open_unchecked(self.global.state.as_deref(), &self.workspace()).await
    }

    /// The SQLite store opened for a check's one statement on this thread
    /// ([`Store::open_direct`]); `None` for a PostgreSQL store or a missing file.
    pub fn store_direct(&self) -> Result<Option<crate::store::DirectRead>> {
        Store::open_direct(self.global.state.as_deref(), &self.workspace())
    }

    /// The audit signing key (checkpoints, certificates, receipts) of the workspace.
    pub fn signing_key_path(&self) -> PathBuf {
        self.workspace().join("audit-signing.key")
    }

    pub fn subject_key(&self) -> Result<SubjectKey> {
        SubjectKey::load(&self.workspace().join("subject.key"))
    }

    /// Who is acting, as the audit trail records it: `--actor`/`PRIVOPS_ACTOR`, else
    /// `$USER`, else the login name of the process's user (cron and containers often set
    /// no `$USER`); `unknown`, with one warning, when nothing names anyone.
    pub fn actor(&self) -> String {
        let named = |a: &String| !a.trim().is_empty();
        if let Some(actor) = self
            .global
            .actor
            .clone()
            .filter(named)
            .or_else(|| std::env::var("USER").ok().filter(named))
            .or_else(login_name)
        {
            return actor;
        }
        static WARNED: std::sync::Once = std::sync::Once::new();
        WARNED.call_once(|| {
            self.out.warn(
                "nothing names who is acting: the audit trail records `unknown`; pass --actor or set PRIVOPS_ACTOR",
            )
        });
        "unknown".to_string()
    }
}

/// The login name of the user running this process, from the system's user database.
fn login_name() -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let uid = std::fs::metadata("/proc/self").ok()?.uid();
        let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
        passwd.lines().find_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            let id: u32 = fields.nth(1)?.parse().ok()?;
            (id == uid && !name.is_empty()).then(|| name.to_string())
        })
    }
    #[cfg(not(unix))]
    {
        None
    }
}
