//! Link flags for the privops binary.

// A build script speaks to cargo through its standard output.
#![allow(clippy::disallowed_macros)]

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        // The binary's ~42,000 relative relocations are packed (DT_RELR, glibc 2.36+,
        // binutils 2.38+; older linkers ignore the option with a warning): the loader no
        // longer reads a megabyte of relocation records at every start, which a command
        // run per message or per row of a script pays each time.
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
        // A position-dependent executable: the loader then writes none of the 700 KB of
        // vtables and constant tables (`.data.rel.ro`) at start, which a position-
        // independent one copies page by page before `main`, about a fifth of a check
        // command's whole run. The price is that the executable's own code sits at a
        // fixed address (libraries, heap and stack are still randomised); a build that
        // wants it randomised too sets PRIVOPS_BUILD_PIE=1.
        if std::env::var_os("PRIVOPS_BUILD_PIE").is_none() {
            println!("cargo:rustc-link-arg-bins=-no-pie");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
    // The store's migrations are embedded by `sqlx::migrate!`: a new file must rebuild.
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed=PRIVOPS_BUILD_PIE");
}
