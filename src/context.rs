//! What every command gets: the global flags, resolved, and the output layer.

use std::path::PathBuf;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::cli::GlobalArgs;
use crate::output::Output;
use crate::policy::Policy;
use crate::store::{self, Store};
use crate::subject::SubjectKey;

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

    pub fn policy_dir(&self) -> PathBuf {
        self.global
            .policy
            .clone()
            .unwrap_or_else(|| PathBuf::from("policies"))
    }

    /// The policy, refusing to act on one with errors.
    pub fn policy(&self) -> Result<Policy> {
        Policy::load_valid(&self.policy_dir())
    }

    /// `.privops/` beside the policy folder: the default store and the key files.
    pub fn workspace(&self) -> PathBuf {
        store::workspace_dir(&self.policy_dir())
    }

    pub async fn store(&self) -> Result<Store> {
        Store::open(self.global.state.as_deref(), &self.workspace()).await
    }

    pub fn subject_key(&self) -> Result<SubjectKey> {
        SubjectKey::load(&self.workspace().join("subject.key"))
    }

    pub fn actor(&self) -> String {
        self.global
            .actor
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| "unknown".to_string())
    }
}
