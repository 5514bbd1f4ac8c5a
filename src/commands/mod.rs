//! One module per command group; each exposes its clap arguments and a `run`.

pub mod access;
pub mod archive;
pub mod audit;
pub mod consent;
pub mod demo;
pub mod erase;

pub mod generate;
pub mod init;
pub mod policy;
pub mod purpose;
pub mod request;
pub mod retention;
