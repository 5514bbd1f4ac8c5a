//! Erasure runs: the workflow from plan to receipt (`workflow`), over the journal of runs
//! and steps kept in the state store ([`crate::store::journal`]).

pub mod receipt;
pub mod workflow;

pub use crate::store::journal::*;
