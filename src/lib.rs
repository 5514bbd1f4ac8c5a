//! privops: GDPR privacy operations driven by declarative policy files.
//!
//! The binary is a thin wrapper around [`cli::main`]; every command lives in
//! [`commands`] and works from the [`policy`] model, the [`store`] and the [`audit`] trail.

pub mod archive;
pub mod audit;
pub mod cli;
pub mod commands;
pub mod consent;
pub mod context;
pub mod demo;
pub mod erasure;
pub mod error;
pub mod fsutil;
#[doc(hidden)]
pub mod fuzzing;
pub mod lock;
pub mod output;
pub mod period;
pub mod plan;
pub mod policy;
pub mod render;
pub mod requests;
pub mod sources;
pub mod store;
pub mod subject;
pub mod template;
pub mod time;
