//! Outcomes and failures, and the exit codes they map to (see README.md).

use std::fmt;

pub const SUCCESS: u8 = 0;
pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;
pub const NO: u8 = 3;
pub const PARTIAL: u8 = 4;
pub const LOCKED: u8 = 75;
pub const INTERRUPTED: u8 = 130;

/// How a command that ran to its end came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Success,
    /// A check answered no: consent not given, verification failed, drift found.
    No,
    /// Some steps failed, the rest are done; safe to re-run.
    Partial,
}

impl Outcome {
    pub fn code(self) -> u8 {
        match self {
            Outcome::Success => SUCCESS,
            Outcome::No => NO,
            Outcome::Partial => PARTIAL,
        }
    }
}

/// What kind of failure a command met; each kind has its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The command line was wrong in a way clap could not see.
    Usage,
    /// Another run holds the lock.
    Locked,
    /// The workspace has no state store or key yet.
    NotInitialised,
}

impl Kind {
    pub fn code(self) -> u8 {
        match self {
            Kind::Usage => USAGE,
            Kind::Locked => LOCKED,
            Kind::NotInitialised => FAILURE,
        }
    }
}

/// A failure of a known kind, with a hint when the fix is known. Any other error is a
/// plain failure (exit 1).
#[derive(Debug)]
pub struct Failure {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

fn failure(kind: Kind, message: String, hint: Option<String>) -> anyhow::Error {
    anyhow::Error::new(Failure {
        kind,
        message,
        hint,
    })
}

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    failure(Kind::Usage, message.into(), None)
}

pub fn locked(message: impl Into<String>) -> anyhow::Error {
    failure(Kind::Locked, message.into(), None)
}

/// A workspace without a state store or subject key: `privops init` is the fix.
pub fn not_initialised(message: impl Into<String>) -> anyhow::Error {
    failure(
        Kind::NotInitialised,
        message.into(),
        Some(
            "run `privops init` beside the policies (or `privops demo` for a demo workspace)"
                .into(),
        ),
    )
}

pub fn code_of(error: &anyhow::Error) -> u8 {
    error
        .chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .map_or(FAILURE, |f| f.kind.code())
}

/// The message and its causes, one per line.
pub fn render(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        text.push_str(&format!("\n  caused by: {cause}"));
    }
    if let Some(hint) = error
        .chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .and_then(|f| f.hint.as_deref())
    {
        text.push_str(&format!("\n  hint: {hint}"));
    }
    text
}
