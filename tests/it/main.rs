//! The integration tests, built as one binary (one link instead of one per file). Each
//! module drives the `privops` binary against real databases and local servers.

mod common;

mod access;
mod archive_verify;
mod audit;
mod audit_reports;
mod bad_input;
mod binary;
mod consent;
mod erase;
mod erase_trust;
mod fuzz_smoke;
mod generated;
mod identity_forms;
mod offboard;
mod people;
mod policy;
mod retention;
mod rights;
mod scan;
