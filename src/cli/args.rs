//! Options several commands take, declared once and flattened into each command that
//! takes them, so they read and behave the same everywhere.

use std::path::PathBuf;

/// Who: subjects named on the command line, in a file, or both.
#[derive(Debug, Clone, clap::Args)]
pub struct Subjects {
    /// A subject, KIND:VALUE; repeatable
    #[arg(long = "subject", value_name = "KIND:VALUE")]
    pub subject: Vec<String>,
    /// Read subjects (one KIND:VALUE per line, `#` comments) from FILE, or `-` for stdin
    #[arg(long, value_name = "FILE")]
    pub subjects_file: Option<PathBuf>,
}

impl Subjects {
    pub fn is_empty(&self) -> bool {
        self.subject.is_empty() && self.subjects_file.is_none()
    }
}

/// A rehearsal: print what would be done, change nothing.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct DryRun {
    /// Show what would be done (with the SQL under --format json) and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Consent to a change that cannot be undone.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Yes {
    /// Do not ask for confirmation (required without a terminal)
    #[arg(long)]
    pub yes: bool,
}

/// A file to write: written whole beside its place and renamed into it, never over an
/// existing file unless asked.
#[derive(Debug, Clone, clap::Args)]
pub struct OutFile {
    /// The file to write
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace the file if it exists
    #[arg(long)]
    pub force: bool,
}
