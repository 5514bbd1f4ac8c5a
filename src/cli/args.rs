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

impl Yes {
    /// Goes on with `--yes`; otherwise asks `question` on the terminal, and without one
    /// refuses (a usage error saying to pass `--yes`). `what` is the verb refused.
    pub fn ask(&self, what: &str, question: &str) -> anyhow::Result<()> {
        use std::io::IsTerminal;
        if self.yes {
            return Ok(());
        }
        if !std::io::stdin().is_terminal() {
            return Err(crate::error::usage(format!(
                "refusing to {what} without confirmation: no terminal to ask on; pass --yes"
            )));
        }
        prompt(question);
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            anyhow::bail!("not confirmed: nothing was changed");
        }
        Ok(())
    }
}

#[allow(clippy::disallowed_macros)] // a prompt is neither data nor a status line
fn prompt(text: &str) {
    use std::io::Write;
    eprint!("{text}");
    let _ = std::io::stderr().flush();
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
