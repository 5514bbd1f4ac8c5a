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

/// A failure with a specific exit code; anything else exits 1.
#[derive(Debug)]
pub enum Special {
    /// The command line was wrong in a way clap could not see.
    Usage(String),
    /// Another run holds the lock.
    Locked(String),
}

impl fmt::Display for Special {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Special::Usage(message) | Special::Locked(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Special {}

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Special::Usage(message.into()))
}

pub fn locked(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Special::Locked(message.into()))
}

pub fn code_of(error: &anyhow::Error) -> u8 {
    match error.downcast_ref::<Special>() {
        Some(Special::Usage(_)) => USAGE,
        Some(Special::Locked(_)) => LOCKED,
        None => FAILURE,
    }
}

/// The message and its causes, one per line.
pub fn render(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        text.push_str(&format!("\n  caused by: {cause}"));
    }
    text
}
