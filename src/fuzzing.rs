//! Entry points for fuzzing the parsers that read untrusted input: each takes arbitrary
//! bytes and may return an error, but must never panic, hang or allocate without bound.
//! The `fuzz/` crate drives them with libFuzzer (`cargo fuzz run TARGET`); the test suite
//! replays their committed seed corpora (`fuzz/corpus/TARGET/`) with mutations on every
//! run.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;
use std::sync::OnceLock;

use crate::policy::{Normalise, Policy};
use crate::subject::{Subject, SubjectKey, normalise};

/// A fuzz target: takes any bytes, never panics.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name.
pub const TARGETS: &[(&str, Target)] = &[
    ("policy_folder", policy_folder),
    ("subject", subject),
    ("consent_csv", consent_csv),
    ("period", period),
    ("archive_verify", archive_verify),
];

/// A policy folder: the input split at `\0` into up to four files, loaded and checked.
pub fn policy_folder(data: &[u8]) {
    let files: Vec<(String, Vec<u8>)> = data
        .split(|b| *b == 0)
        .take(4)
        .enumerate()
        .map(|(i, bytes)| (format!("file{i}.toml"), bytes.to_vec()))
        .collect();
    let policy = Policy::from_files(Path::new("fuzz"), files);
    let _ = policy.check();
}

const IDENTITIES: &str = r#"
[controller]
organisation = "Fuzz"
dpo = { name = "D", email = "dpo@example.com" }

[[identity]]
kind = "email"
normalise = "email"

[[identity]]
kind = "phone"
normalise = "phone"
default_region = "IL"

[[identity]]
kind = "handle"
normalise = "lower"

[[purpose]]
id = "newsletter"
title = "Newsletter"
basis = "consent"
categories = ["user.contact.email"]
retention = "until withdrawn"
consent_text = "Send me the newsletter."
"#;

fn identities() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        Policy::from_files(
            Path::new("fuzz"),
            vec![("policy.toml".into(), IDENTITIES.as_bytes().to_vec())],
        )
    })
}

/// A subject as written on the command line, and every normaliser over the value.
pub fn subject(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Subject::parse(text, identities());
    for rule in [
        Normalise::Email,
        Normalise::Phone,
        Normalise::Lower,
        Normalise::Trim,
    ] {
        for region in [None, Some("US"), Some("IL"), Some("DE")] {
            let _ = normalise(rule, region, text);
        }
    }
}

/// A consent CSV, read row by row as `consent import` reads it.
pub fn consent_csv(data: &[u8]) {
    let key = SubjectKey::from_bytes(b"fuzzing-subject-key");
    let versions: BTreeMap<String, Vec<crate::consent::Version>> = BTreeMap::from([(
        "newsletter".to_string(),
        vec![crate::consent::Version {
            version: 1,
            text_sha256: String::new(),
            first_seen: "2026-01-01T00:00:00.000000Z".into(),
        }],
    )]);
    let Ok(mut reader) = crate::consent::import::ImportReader::open(data, "fuzz.csv", &key) else {
        return;
    };
    // Bounded: a row is at least one byte.
    for _ in 0..=data.len() {
        match reader.next_event(identities(), &versions) {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
}

/// A period as a policy writes it, and its calendar arithmetic at the ends of time.
pub fn period(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(period) = text.parse::<crate::period::Period>() {
        for at in [
            chrono::DateTime::<chrono::Utc>::MIN_UTC,
            chrono::DateTime::<chrono::Utc>::MAX_UTC,
            chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
        ] {
            let _ = period.before(at);
            let _ = period.after(at);
        }
    }
}

/// An archive as `archive verify` reads it, audit trail included.
pub fn archive_verify(data: &[u8]) {
    if let Ok((verification, mut zip)) = crate::archive::verify(Cursor::new(data)) {
        let _ = crate::archive::verify_audit(&mut zip, &verification.manifest, None);
    }
}
