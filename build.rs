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
        // GCC's unwinder is linked in (`libgcc_eh.a`, as a `-static-libgcc` C program
        // has it) instead of loaded from `libgcc_s.so.1`: Rust's standard library asks for
        // `-lgcc_s` by name, so a one-line linker script of that name, found first, points
        // it at the archive. The loader then opens, maps and relocates one library fewer,
        // and the library's constructor, which probes the processor with about ten `cpuid`
        // instructions (each a trap to the hypervisor in a virtual machine, about 7 µs),
        // no longer runs: a `consent check` is about 3% faster, `--version` 6%. Panics
        // unwind as before. A toolchain without `libgcc_eh.a` sets
        // PRIVOPS_BUILD_SHARED_LIBGCC=1.
        if std::env::var_os("PRIVOPS_BUILD_SHARED_LIBGCC").is_none() {
            let dir =
                std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
                    .join("static-libgcc");
            std::fs::create_dir_all(&dir).expect("the build script's output folder is writable");
            std::fs::write(dir.join("libgcc_s.so"), "INPUT(-lgcc_eh)\n")
                .expect("the build script's output folder is writable");
            println!("cargo:rustc-link-search=native={}", dir.display());
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
    // The store's migrations are embedded by `sqlx::migrate!`: a new file must rebuild.
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed=PRIVOPS_BUILD_PIE");
    println!("cargo:rerun-if-env-changed=PRIVOPS_BUILD_SHARED_LIBGCC");
}
