//! `archive verify` on archives built by hand, as anyone could send them: unsafe or
//! duplicated entry names, and entries that inflate far beyond their size (zip bombs),
//! are refused with the entry named instead of being read or called a match.

use std::io::Write;
use std::path::Path;

use crate::common::{Demo, expect};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

fn manifest_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let listed: Vec<Value> = files
        .iter()
        .map(|(path, bytes)| {
            json!({
                "path": path,
                "size": bytes.len(),
                "sha256": hex::encode(Sha256::digest(bytes)),
            })
        })
        .collect();
    serde_json::to_vec_pretty(&json!({ "kind": "access", "files": listed })).unwrap()
}

/// A zip holding `files` and a manifest that lists them truthfully.
fn write_zip(path: &Path, files: &[(&str, &[u8])]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in files {
        zip.start_file(*name, SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.start_file("manifest.json", SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&manifest_of(files)).unwrap();
    zip.finish().unwrap();
}

fn verify(demo: &Demo, archive: &Path, code: i32) -> Value {
    expect(
        demo.cmd(&[
            "archive",
            "verify",
            archive.to_str().unwrap(),
            "--format",
            "json",
        ]),
        code,
    )
    .json()
}

#[test]
fn unsafe_entry_names_are_errors_not_matches() {
    let demo = Demo::new();
    let cases: &[(&str, &str)] = &[
        ("../evil.txt", "`..`"),
        ("data/../../evil.txt", "`..`"),
        ("/etc/cron.d/evil", "absolute"),
        ("C:/Windows/evil.txt", "absolute"),
        ("..\\evil.txt", "`..`"),
        ("\\evil.txt", "absolute"),
    ];
    for (i, (name, why)) in cases.iter().enumerate() {
        let archive = demo.dir.join(format!("unsafe{i}.zip"));
        write_zip(&archive, &[("ok.txt", b"fine"), (name, b"payload")]);
        let result = verify(&demo, &archive, 3);
        let problems = result["problems"].to_string();
        // Names are shown escaped (`\\` for a backslash), then JSON-escaped again.
        let shown = serde_json::to_string(&name.escape_debug().to_string()).unwrap();
        assert!(
            problems.contains(&shown[1..shown.len() - 1])
                && problems.contains("unsafe entry name")
                && problems.contains(why),
            "{name}: {result}"
        );
        assert_eq!(result["ok"], false);
    }
    // A safe archive built the same way matches: the builder is not the problem.
    let safe = demo.dir.join("safe.zip");
    write_zip(&safe, &[("ok.txt", b"fine"), ("dir/file.txt", b"payload")]);
    assert_eq!(verify(&demo, &safe, 0)["ok"], true);
}

#[test]
fn duplicate_entry_names_are_errors_not_matches() {
    let demo = Demo::new();
    // Two entries, then the second renamed to the first's name in place (the zip
    // writer refuses duplicates, a forger's tool need not). The manifest lists the
    // name once, with the second copy's content, which is what a reader that keeps the
    // last copy sees; an extracting tool may take the first.
    let archive = demo.dir.join("duplicate.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    for (name, bytes) in [
        ("aaaa.txt", &b"first copy"[..]),
        ("bbbb.txt", &b"second copy"[..]),
    ] {
        zip.start_file(name, SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.start_file("manifest.json", SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&manifest_of(&[("aaaa.txt", b"second copy")]))
        .unwrap();
    zip.finish().unwrap();
    let mut bytes = std::fs::read(&archive).unwrap();
    let mut renamed = 0;
    for i in 0..bytes.len() - 8 {
        if &bytes[i..i + 8] == b"bbbb.txt" {
            bytes[i..i + 8].copy_from_slice(b"aaaa.txt");
            renamed += 1;
        }
    }
    assert_eq!(renamed, 2, "the local and the central header");
    std::fs::write(&archive, bytes).unwrap();

    let result = verify(&demo, &archive, 3);
    let problems = result["problems"].to_string();
    assert!(
        problems.contains("aaaa.txt") && problems.contains("2 times"),
        "{result}"
    );
}

/// `size` bytes of `byte`, deflated, as the entry `name` of an archive being written.
fn compressible_entry<W: Write + std::io::Seek>(
    zip: &mut zip::ZipWriter<W>,
    name: &str,
    prefix: &[u8],
    byte: u8,
    size: usize,
) {
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    zip.start_file(name, options).unwrap();
    zip.write_all(prefix).unwrap();
    let chunk = vec![byte; 1 << 20];
    for _ in 0..size / chunk.len() {
        zip.write_all(&chunk).unwrap();
    }
}

#[test]
fn zip_bombs_are_refused_naming_the_entry() {
    let demo = Demo::new();
    const SIZE: usize = 256 << 20;

    // A manifest that is valid JSON followed by spaces, in a zip of a few hundred
    // kilobytes: at 256 MiB its header already says it is too large for a manifest; at
    // 48 MiB (under that limit) it is caught inflating, by its ratio.
    for (size, why) in [
        (SIZE, "over the limit of 64 MiB"),
        (48 << 20, "times its compressed size"),
    ] {
        let archive = demo.dir.join("manifest-bomb.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
        compressible_entry(
            &mut zip,
            "manifest.json",
            br#"{"kind": "access", "files": []}"#,
            b' ',
            size,
        );
        zip.finish().unwrap();
        assert!(std::fs::metadata(&archive).unwrap().len() < 4 << 20);
        let result = verify(&demo, &archive, 3);
        let problems = result["problems"].to_string();
        assert!(
            problems.contains("manifest.json: refused") && problems.contains(why),
            "{result}"
        );
    }

    // A listed file of 256 MiB of zeros: refused, named, not hashed to the end.
    let archive = demo.dir.join("entry-bomb.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    compressible_entry(&mut zip, "data/rows.json", b"", 0, SIZE);
    let mut zeros = Sha256::new();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..SIZE / chunk.len() {
        zeros.update(&chunk);
    }
    let manifest = json!({
        "kind": "access",
        "files": [{ "path": "data/rows.json", "size": SIZE, "sha256": hex::encode(zeros.finalize()) }],
    });
    zip.start_file("manifest.json", SimpleFileOptions::default())
        .unwrap();
    zip.write_all(manifest.to_string().as_bytes()).unwrap();
    zip.finish().unwrap();
    let result = verify(&demo, &archive, 3);
    let problems = result["problems"].to_string();
    assert!(
        problems.contains("data/rows.json: refused")
            && problems.contains("times its compressed size"),
        "{result}"
    );
}

/// `SHA256SUMS` must agree with the manifest and with the manifest's own bytes: a line
/// that lies, names a file the manifest does not list, or leaves one out is reported.
#[test]
fn a_sha256sums_that_disagrees_is_reported() {
    let demo = Demo::new();
    let data: &[u8] = b"[1, 2, 3]\n";
    let manifest = manifest_of(&[("data.json", data)]);
    let good = format!(
        "{}  data.json\n{}  manifest.json\n",
        hex::encode(Sha256::digest(data)),
        hex::encode(Sha256::digest(&manifest))
    );
    let cases: &[(&str, String, Option<&str>)] = &[
        ("good", good.clone(), None),
        (
            "lying",
            good.replace(&hex::encode(Sha256::digest(data)), &"0".repeat(64)),
            Some("data.json has SHA-256"),
        ),
        (
            "extra",
            format!("{good}{}  other.txt\n", "1".repeat(64)),
            Some("names other.txt"),
        ),
        (
            "missing",
            good.lines().next().unwrap().to_string() + "\n",
            Some("does not list manifest.json"),
        ),
    ];
    for (name, sums, problem) in cases {
        let archive = demo.dir.join(format!("sums-{name}.zip"));
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
        zip.start_file("data.json", SimpleFileOptions::default())
            .unwrap();
        zip.write_all(data).unwrap();
        zip.start_file("manifest.json", SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&manifest).unwrap();
        zip.start_file("SHA256SUMS", SimpleFileOptions::default())
            .unwrap();
        zip.write_all(sums.as_bytes()).unwrap();
        zip.finish().unwrap();
        let result = verify(&demo, &archive, if problem.is_some() { 3 } else { 0 });
        match problem {
            None => assert!(
                result["problems"].as_array().unwrap().is_empty(),
                "{result}"
            ),
            Some(problem) => assert!(
                result["problems"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p.as_str().unwrap().contains(problem)),
                "{name}: {result}"
            ),
        }
    }
}
