//! privops: GDPR privacy operations driven by declarative policy files.
//!
//! The binary is a thin wrapper around [`cli::main`]; every command lives in
//! [`commands`] and works from the [`policy`] model, the [`store`] and the [`audit`] trail.

pub(crate) mod access;
pub mod archive;
pub mod audit;
pub mod cli;
pub(crate) mod commands;
pub(crate) mod consent;
pub(crate) mod context;
pub mod demo;
pub mod detect;
pub(crate) mod erasure;
pub(crate) mod error;
pub(crate) mod fsutil;
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod offboard;
pub(crate) mod output;
pub(crate) mod period;
pub mod plan;
pub mod policy;
pub(crate) mod rectify;
pub(crate) mod render;
pub(crate) mod retention;
pub(crate) mod rights;
pub(crate) mod scan;
pub mod sources;
pub mod sql;
pub mod store;
pub mod subject;
pub(crate) mod template;
pub mod time;
