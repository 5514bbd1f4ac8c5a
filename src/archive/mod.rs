//! Archives handed to data subjects and auditors: deterministic zip files with a
//! `manifest.json` listing every file's size and SHA-256, optionally encrypted with age,
//! and their offline verification.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

pub const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestFile {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// Writes entries with fixed timestamps, permissions and compression, so the same
/// content always gives the same bytes; hashes each entry as it streams through.
pub struct ArchiveWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
    current: Option<(String, Sha256, u64)>,
    files: Vec<ManifestFile>,
    /// Small writes (a row at a time) are gathered here: the compressor pays a fixed
    /// cost per write.
    buffer: Vec<u8>,
}

const BUFFER: usize = 1 << 16;

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o600)
}

impl<W: Write + Seek> ArchiveWriter<W> {
    pub fn new(inner: W) -> Self {
        ArchiveWriter {
            zip: ZipWriter::new(inner),
            current: None,
            files: Vec::new(),
            buffer: Vec::with_capacity(BUFFER),
        }
    }

    fn drain(&mut self) -> std::io::Result<()> {
        if !self.buffer.is_empty() {
            self.zip.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// Starts the next entry; what is written goes into it until the next `begin`.
    pub fn begin(&mut self, path: &str) -> Result<()> {
        self.end()?;
        self.zip
            .start_file(path, options())
            .with_context(|| format!("cannot add {path} to the archive"))?;
        self.current = Some((path.to_string(), Sha256::new(), 0));
        Ok(())
    }

    pub fn add(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        self.begin(path)?;
        self.write_all(bytes)?;
        self.end()
    }

    fn end(&mut self) -> Result<()> {
        self.drain()?;
        if let Some((path, hasher, size)) = self.current.take() {
            self.files.push(ManifestFile {
                path,
                size,
                sha256: hex::encode(hasher.finalize()),
            });
        }
        Ok(())
    }

    pub fn files(&self) -> &[ManifestFile] {
        &self.files
    }

    /// Writes `manifest.json` (the given fields plus `files`) and closes the archive.
    pub fn finish(mut self, mut manifest: Value) -> Result<W> {
        self.end()?;
        manifest["files"] = serde_json::to_value(&self.files)?;
        let text = serde_json::to_string_pretty(&manifest)? + "\n";
        self.zip.start_file(MANIFEST, options())?;
        self.zip.write_all(text.as_bytes())?;
        Ok(self.zip.finish()?)
    }
}

impl<W: Write + Seek> Write for ArchiveWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some((_, hasher, size)) = self.current.as_mut() {
            hasher.update(buf);
            *size += buf.len() as u64;
        }
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= BUFFER {
            self.drain()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.drain()?;
        self.zip.flush()
    }
}

/// The age recipients and passphrase an archive is encrypted for.
#[derive(Debug, Default, Clone)]
pub struct Encryption {
    pub recipients: Vec<String>,
    pub passphrase: Option<String>,
}

impl Encryption {
    pub fn is_on(&self) -> bool {
        !self.recipients.is_empty() || self.passphrase.is_some()
    }

    /// Checks the recipients before any work is done.
    pub fn validate(&self) -> Result<()> {
        if !self.recipients.is_empty() && self.passphrase.is_some() {
            bail!(
                "encrypt either to recipients or with a passphrase, not both (age does not mix them)"
            );
        }
        for recipient in &self.recipients {
            recipient.parse::<age::x25519::Recipient>().map_err(|e| {
                anyhow::anyhow!("`{recipient}` is not an age public key (age1...): {e}")
            })?;
        }
        Ok(())
    }

    /// Encrypts `input` (from its start) into `output`.
    pub fn encrypt(&self, input: &mut File, output: &mut impl Write) -> Result<()> {
        input.rewind()?;
        let encryptor = match &self.passphrase {
            Some(passphrase) => age::Encryptor::with_user_passphrase(
                age::secrecy::SecretString::from(passphrase.clone()),
            ),
            None => {
                let recipients: Vec<age::x25519::Recipient> = self
                    .recipients
                    .iter()
                    .map(|r| r.parse().map_err(|e| anyhow::anyhow!("{e}")))
                    .collect::<Result<_>>()?;
                age::Encryptor::with_recipients(
                    recipients.iter().map(|r| r as &dyn age::Recipient),
                )?
            }
        };
        let mut writer = encryptor.wrap_output(output)?;
        std::io::copy(input, &mut writer)?;
        writer.finish()?;
        Ok(())
    }
}

const AGE_MAGIC: &[u8] = b"age-encryption.org/v1";

/// Opens an archive for reading, decrypting it into an unnamed temporary file first when
/// it is age-encrypted.
pub fn open(path: &Path, identity: Option<&Path>, passphrase: Option<String>) -> Result<File> {
    let mut file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut head = [0u8; 21];
    let read = file.read(&mut head)?;
    file.rewind()?;
    if read < AGE_MAGIC.len() || &head[..AGE_MAGIC.len()] != AGE_MAGIC {
        return Ok(file);
    }
    let decryptor = age::Decryptor::new(std::io::BufReader::new(file))
        .with_context(|| format!("{} is not a readable age file", path.display()))?;
    let mut reader = if decryptor.is_scrypt() {
        let Some(passphrase) = passphrase else {
            bail!(
                "{} is encrypted with a passphrase: pass --passphrase-env VAR",
                path.display()
            );
        };
        let identity = age::scrypt::Identity::new(age::secrecy::SecretString::from(passphrase));
        decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .map_err(|e| anyhow::anyhow!("cannot decrypt {}: {e}", path.display()))?
    } else {
        let Some(identity) = identity else {
            bail!(
                "{} is encrypted to age recipients: pass --identity KEYFILE",
                path.display()
            );
        };
        let identities = age::IdentityFile::from_file(identity.to_string_lossy().into_owned())
            .with_context(|| format!("cannot read the age identity {}", identity.display()))?
            .into_identities()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        decryptor
            .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
            .map_err(|e| anyhow::anyhow!("cannot decrypt {}: {e}", path.display()))?
    };
    let mut clear = tempfile::tempfile().context("cannot create a temporary file")?;
    std::io::copy(&mut reader, &mut clear)
        .with_context(|| format!("{} is damaged", path.display()))?;
    clear.rewind()?;
    Ok(clear)
}

/// What checking an archive against its manifest found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub kind: Option<String>,
    pub files: usize,
    pub problems: Vec<String>,
    #[serde(skip)]
    pub manifest: Value,
}

/// Checks every entry against the manifest: missing, extra and altered files.
pub fn verify<R: Read + Seek>(reader: R) -> Result<(Verification, ZipArchive<R>)> {
    let mut zip = ZipArchive::new(reader).context("not a zip archive")?;
    let manifest: Value = {
        let mut entry = zip
            .by_name(MANIFEST)
            .context("the archive has no manifest.json")?;
        let mut text = String::new();
        entry.read_to_string(&mut text)?;
        serde_json::from_str(&text).context("manifest.json is not valid JSON")?
    };
    let listed: Vec<ManifestFile> = serde_json::from_value(manifest["files"].clone())
        .context("manifest.json lists no files")?;
    let mut problems = Vec::new();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    for name in &names {
        if name != MANIFEST && !listed.iter().any(|f| &f.path == name) {
            problems.push(format!("{name}: extra file, not in the manifest"));
        }
    }
    for file in &listed {
        if !names.contains(&file.path) {
            problems.push(format!("{}: missing", file.path));
            continue;
        }
        let mut entry = zip.by_name(&file.path)?;
        let mut hasher = Sha256::new();
        let size = std::io::copy(&mut entry, &mut HashWriter(&mut hasher))
            .with_context(|| format!("{}: cannot be read", file.path))?;
        let sha256 = hex::encode(hasher.finalize());
        if size != file.size || sha256 != file.sha256 {
            problems.push(format!(
                "{}: altered (SHA-256 {sha256}, manifest says {})",
                file.path, file.sha256
            ));
        }
    }
    Ok((
        Verification {
            kind: manifest["kind"].as_str().map(str::to_string),
            files: listed.len(),
            problems,
            manifest,
        },
        zip,
    ))
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn sha256_file(file: &mut File) -> Result<String> {
    file.rewind()?;
    let mut hasher = Sha256::new();
    std::io::copy(file, &mut HashWriter(&mut hasher))?;
    Ok(hex::encode(hasher.finalize()))
}

fn read_entry<R: Read + Seek>(zip: &mut ZipArchive<R>, name: &str) -> Result<String> {
    let mut entry = zip
        .by_name(name)
        .with_context(|| format!("the archive has no {name}"))?;
    let mut text = String::new();
    entry
        .read_to_string(&mut text)
        .with_context(|| format!("{name} is not UTF-8 text"))?;
    Ok(text)
}

/// What checking an audit archive's chain and checkpoints found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditCheck {
    pub problems: Vec<String>,
    pub first_seq: i64,
    pub last_seq: i64,
    pub checkpoints: usize,
    /// The largest chain size signed by a checkpoint that holds: by the trusted key when
    /// one was given, else only by the key the checkpoint carries.
    pub signed_through: Option<i64>,
}

/// For audit archives: recomputes the chain inside and checks its checkpoints, against
/// `trusted` when given. No key inside the archive is trusted: without `trusted`, a
/// checkpoint is only checked against the key it carries, which anyone can forge.
pub fn verify_audit<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    manifest: &Value,
    trusted: Option<&ed25519_dalek::VerifyingKey>,
) -> Result<AuditCheck> {
    let mut check = AuditCheck::default();
    let problems = &mut check.problems;
    let text = read_entry(zip, "entries.jsonl")?;
    let mut entries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match serde_json::from_str::<crate::audit::Entry>(line) {
            Ok(entry) => entries.push(entry),
            Err(e) => problems.push(format!("entries.jsonl:{}: not an audit entry: {e}", i + 1)),
        }
    }
    let Some(first) = entries.first() else {
        problems.push("entries.jsonl holds no entries".into());
        return Ok(check);
    };
    check.first_seq = first.seq;
    if manifest["anchor"]
        .as_str()
        .is_some_and(|a| a != first.prev_hash)
    {
        problems.push(format!(
            "entry {}: its prev_hash is not the manifest's anchor",
            first.seq
        ));
    }
    let mut checker = crate::audit::ChainChecker::starting_at(first.seq, &first.prev_hash);
    let mut hashes = std::collections::BTreeMap::new();
    for entry in &entries {
        if !checker.feed(entry) {
            break;
        }
        hashes.insert(entry.seq, entry.hash.clone());
    }
    let last = entries.last().map_or(0, |e| e.seq);
    check.last_seq = last;
    if let Some(broken) = checker.finish().broken {
        problems.push(format!(
            "chain broken at entry {}: {}",
            broken.seq, broken.reason
        ));
    }
    let checkpoints: Vec<crate::audit::checkpoint::Checkpoint> =
        serde_json::from_str(&read_entry(zip, "checkpoints.json")?)
            .context("checkpoints.json is not a list of checkpoints")?;
    check.checkpoints = checkpoints.len();
    let checked = crate::audit::checkpoint::check_all(
        &checkpoints,
        last,
        |seq| hashes.get(&seq).cloned(),
        trusted,
    );
    check.signed_through = checked.signed_size(&checkpoints);
    check.problems.extend(checked.problems);
    if trusted.is_some() && checked.verified.is_empty() {
        check.problems.push(
            "no checkpoint in this archive is signed by the trusted key: its authenticity cannot be established"
                .into(),
        );
    }
    Ok(check)
}
