#![allow(clippy::disallowed_macros)] // tests report skips on stderr
//! The committed completions and man pages match what the binary generates.
//! `PRIVOPS_BLESS=1 cargo test --test it generated` rewrites them.

use std::path::Path;

use crate::common::{expect, privops};

const SHELLS: &[(&str, &str)] = &[
    ("bash", "privops.bash"),
    ("zsh", "_privops"),
    ("fish", "privops.fish"),
    ("elvish", "privops.elv"),
    ("powershell", "_privops.ps1"),
];

fn bless() -> bool {
    std::env::var_os("PRIVOPS_BLESS").is_some()
}

fn compare(committed: &Path, generated: &[u8]) {
    if bless() {
        std::fs::create_dir_all(committed.parent().unwrap()).unwrap();
        std::fs::write(committed, generated).unwrap();
        return;
    }
    let on_disk = std::fs::read(committed).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{} is stale: run `PRIVOPS_BLESS=1 cargo test --test it generated` and commit the result",
        committed.display()
    );
}

#[test]
fn completions_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (shell, file) in SHELLS {
        let mut command = privops(root);
        command.args(["completions", shell]);
        let generated = expect(command, 0).stdout;
        compare(&root.join("completions").join(file), generated.as_bytes());
    }
}

#[test]
fn man_pages_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let temp = tempfile::tempdir().unwrap();
    let mut command = privops(root);
    command.args(["man", "--out"]).arg(temp.path());
    expect(command, 0);
    let mut generated: Vec<String> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    generated.sort();
    assert!(generated.contains(&"privops.1".to_string()));
    assert!(generated.contains(&"privops-consent-grant.1".to_string()));
    for name in &generated {
        compare(
            &root.join("man").join(name),
            &std::fs::read(temp.path().join(name)).unwrap(),
        );
    }
    if !bless() {
        let committed = std::fs::read_dir(root.join("man")).unwrap().count();
        assert_eq!(
            committed,
            generated.len(),
            "man/ holds pages for commands that no longer exist"
        );
    } else {
        for entry in std::fs::read_dir(root.join("man")).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if !generated.contains(&name) {
                std::fs::remove_file(root.join("man").join(name)).unwrap();
            }
        }
    }
}

#[test]
fn help_names_every_command_group() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = privops(root);
    command.arg("--help");
    let help = expect(command, 0).stdout;
    for group in [
        "demo",
        "policy",
        "purpose",
        "consent",
        "audit",
        "completions",
        "man",
    ] {
        assert!(help.contains(group), "--help lacks {group}:\n{help}");
    }
    let mut command = privops(root);
    command.arg("no-such-command");
    expect(command, 2);
}
