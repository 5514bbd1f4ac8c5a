//! Plans: what privops will read or change, computed from the policy and the databases
//! before anything is written.

pub mod erase;
pub mod hold;
pub mod offboard;
pub mod retention;
pub mod traverse;
