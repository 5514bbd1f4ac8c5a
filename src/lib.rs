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
pub(crate) mod hexfmt;
pub(crate) mod offboard;
pub(crate) mod output;
pub(crate) mod parallel;
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

/// Support for the library's own tests.
#[cfg(test)]
pub(crate) mod testing {
    use sqlx::Connection;

    /// Runs `test` against a PostgreSQL database of its own, made on the server that
    /// `PRIVOPS_TEST_POSTGRES_URL` names and dropped afterwards whatever the outcome; the
    /// test's error fails it then. Nothing runs without that server.
    pub(crate) async fn on_postgres<F, Fut>(prefix: &str, test: F)
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<()>>,
    {
        let Ok(admin) = std::env::var("PRIVOPS_TEST_POSTGRES_URL") else {
            return;
        };
        let name = format!("privops_lib_{prefix}_{}", std::process::id());
        let mut server = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut server)
            .await
            .unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        let outcome = test(url).await;
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut server)
            .await;
        outcome.unwrap();
    }
}
