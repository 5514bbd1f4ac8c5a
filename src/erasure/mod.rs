//! Erasure: the journal of runs and their steps (`journal`), so an interrupted erasure
//! resumes where it stopped and a half-done one is never reported as done.

pub mod journal;
pub mod workflow;

pub use journal::*;
