//! Archives handed to data subjects and auditors: deterministic zip files with a
//! `manifest.json` listing every file's size and SHA-256, optionally encrypted with age,
//! and their offline verification.

use std::fs::File;
use std::io::{BufRead, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

pub(crate) const MANIFEST: &str = "manifest.json";
/// The checksums of every file, for `sha256sum -c SHA256SUMS`.
pub const SHA256SUMS: &str = "SHA256SUMS";

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
            // Hashed as gathered: one update per buffer, not one per small write.
            if let Some((_, hasher, size)) = self.current.as_mut() {
                hasher.update(&self.buffer);
                *size += self.buffer.len() as u64;
            }
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

    /// Writes `manifest.json` (the given fields plus `files`), then `SHA256SUMS` (every
    /// file and the manifest, as `sha256sum -c` reads them), and closes the archive.
    pub fn finish(mut self, mut manifest: Value) -> Result<W> {
        self.end()?;
        manifest["files"] = serde_json::to_value(&self.files)?;
        let text = serde_json::to_string_pretty(&manifest)? + "\n";
        self.zip.start_file(MANIFEST, options())?;
        self.zip.write_all(text.as_bytes())?;
        let mut sums = String::new();
        for file in &self.files {
            sums.push_str(&format!("{}  {}\n", file.sha256, file.path));
        }
        sums.push_str(&format!(
            "{}  {MANIFEST}\n",
            hex::encode(Sha256::digest(text.as_bytes()))
        ));
        self.zip.start_file(SHA256SUMS, options())?;
        self.zip.write_all(sums.as_bytes())?;
        Ok(self.zip.finish()?)
    }
}

impl<W: Write + Seek> Write for ArchiveWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
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

/// The generation time: SOURCE_DATE_EPOCH when set (reproducible archives), else now.
pub(crate) fn generation_time() -> Result<String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(epoch) => {
            let seconds: i64 = epoch
                .trim()
                .parse()
                .context("SOURCE_DATE_EPOCH is not a number of seconds")?;
            let at = chrono::DateTime::from_timestamp(seconds, 0)
                .context("SOURCE_DATE_EPOCH is out of range")?;
            Ok(crate::time::to_text(at))
        }
        Err(_) => Ok(crate::time::now_text()),
    }
}

impl Encryption {
    /// The encryption `--recipient` and `--passphrase-env` ask for, checked before any work.
    pub(crate) fn from_args(
        recipients: &[String],
        passphrase_env: Option<&str>,
    ) -> Result<Encryption> {
        let passphrase = match passphrase_env {
            Some(var) => {
                let value = std::env::var(var).with_context(|| {
                    format!("the environment variable {var} holding the passphrase is not set")
                })?;
                if value.is_empty() {
                    bail!("the passphrase in {var} is empty");
                }
                Some(value)
            }
            None => None,
        };
        let encryption = Encryption {
            recipients: recipients.to_vec(),
            passphrase,
        };
        encryption.validate()?;
        Ok(encryption)
    }
}

/// Where an archive lands: `FILE.age` when encrypted.
pub(crate) fn archive_path(out: &Path, encryption: &Encryption) -> PathBuf {
    if encryption.is_on() && out.extension().is_none_or(|e| e != "age") {
        let mut name = out.as_os_str().to_owned();
        name.push(".age");
        PathBuf::from(name)
    } else {
        out.to_path_buf()
    }
}

/// An archive on its way to its file: written beside it (into a temporary file first
/// when encrypted, then encrypted into place), hashed, and put in place only by
/// [`ArchiveOutput::commit`], so a failure leaves nothing behind.
pub(crate) struct ArchiveOutput {
    target: PathBuf,
    output: crate::fsutil::PendingFile,
    clear: Option<File>,
    encryption: Encryption,
}

impl ArchiveOutput {
    /// `out`, or `out.age` when encrypted; refused if it exists unless `force`.
    pub fn create(out: &Path, force: bool, encryption: Encryption) -> Result<ArchiveOutput> {
        let target = archive_path(out, &encryption);
        let output = crate::fsutil::PendingFile::create(&target, force)?;
        let clear = if encryption.is_on() {
            Some(tempfile::tempfile().context("cannot create a temporary file")?)
        } else {
            None
        };
        Ok(ArchiveOutput {
            target,
            output,
            clear,
            encryption,
        })
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    pub(crate) fn encrypted(&self) -> bool {
        self.encryption.is_on()
    }

    /// A writer for the archive's entries.
    pub fn writer(&mut self) -> Result<ArchiveWriter<BufWriter<File>>> {
        let file = match &self.clear {
            Some(clear) => clear.try_clone()?,
            None => self.output.file().try_clone()?,
        };
        Ok(ArchiveWriter::new(BufWriter::with_capacity(1 << 20, file)))
    }

    /// Finishes the archive with its manifest, encrypts it when asked, and returns the
    /// SHA-256 of the file as written.
    pub(crate) fn seal(
        &mut self,
        writer: ArchiveWriter<BufWriter<File>>,
        manifest: Value,
    ) -> Result<String> {
        let written = writer.finish(manifest)?;
        written.into_inner().map_err(|e| e.into_error())?.flush()?;
        if let Some(clear) = &mut self.clear {
            self.encryption.encrypt(clear, self.output.file())?;
        }
        sha256_file(self.output.file())
    }

    /// Puts the archive in place.
    pub fn commit(self) -> Result<()> {
        self.output.commit()
    }
}

/// The age recipients and passphrase an archive is encrypted for.
#[derive(Debug, Default, Clone)]
pub(crate) struct Encryption {
    pub recipients: Vec<String>,
    pub passphrase: Option<String>,
}

impl Encryption {
    pub(crate) fn is_on(&self) -> bool {
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
    pub(crate) fn encrypt(&self, input: &mut File, output: &mut impl Write) -> Result<()> {
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

/// Limits on reading an archive, which may come from anyone. Every entry is streamed
/// (hashed, or read line by line), never inflated whole into memory, and reading stops
/// with an error naming the entry once it inflates beyond:
///
/// - [`MAX_ENTRY_BYTES`] (4 GiB) for any entry;
/// - [`MAX_DOCUMENT_BYTES`] (64 MiB) for the files parsed whole (`manifest.json`,
///   `checkpoints.json`);
/// - [`MAX_RATIO`] (100) times its compressed size, once past [`RATIO_GRACE_BYTES`]
///   (1 MiB): privops' own archives stay far below it, zip bombs (over 1,000 to 1 with
///   deflate) far above;
///
/// and a line of `entries.jsonl` may not exceed [`MAX_LINE_BYTES`] (1 MiB).
pub(crate) const MAX_ENTRY_BYTES: u64 = 4 << 30;
pub(crate) const MAX_DOCUMENT_BYTES: u64 = 64 << 20;
pub(crate) const MAX_RATIO: u64 = 100;
pub(crate) const RATIO_GRACE_BYTES: u64 = 1 << 20;
pub(crate) const MAX_LINE_BYTES: usize = 1 << 20;

/// An entry that reading refused: over a limit, or an unsafe name.
#[derive(Debug)]
pub(crate) struct Refused {
    pub entry: String,
    pub reason: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: refused: {}", self.entry, self.reason)
    }
}

impl std::error::Error for Refused {}

/// The refusal behind an error, if reading refused an entry.
pub(crate) fn refusal(error: &anyhow::Error) -> Option<&Refused> {
    error.chain().find_map(|cause| {
        cause.downcast_ref::<Refused>().or_else(|| {
            cause
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<Refused>())
        })
    })
}

fn bytes_words(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b => format!("{b} bytes"),
    }
}

/// An entry's inflated bytes, counted against its limits as they stream.
pub(crate) struct Bounded<R> {
    inner: R,
    entry: String,
    read: u64,
    limit: u64,
    compressed: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        let reason = if self.read > self.limit {
            Some(format!(
                "it inflates to more than {}, the limit for this file",
                bytes_words(self.limit)
            ))
        } else if self.read > RATIO_GRACE_BYTES
            && self.read > self.compressed.saturating_mul(MAX_RATIO)
        {
            Some(format!(
                "it inflates to more than {MAX_RATIO} times its compressed size ({} bytes), as zip bombs do",
                self.compressed
            ))
        } else {
            None
        };
        match reason {
            Some(reason) => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                Refused {
                    entry: self.entry.clone(),
                    reason,
                },
            )),
            None => Ok(n),
        }
    }
}

/// Opens an entry for streaming within `limit` inflated bytes (and the ratio limit).
pub(crate) fn open_entry<'a, R: Read + Seek>(
    zip: &'a mut ZipArchive<R>,
    name: &str,
    limit: u64,
) -> Result<Bounded<zip::read::ZipFile<'a, R>>> {
    let entry = zip
        .by_name(name)
        .with_context(|| format!("the archive has no {name}"))?;
    if entry.size() > limit {
        return Err(Refused {
            entry: name.to_string(),
            reason: format!(
                "its header says it inflates to {} bytes, over the limit of {}",
                entry.size(),
                bytes_words(limit)
            ),
        }
        .into());
    }
    let compressed = entry.compressed_size();
    Ok(Bounded {
        inner: entry,
        entry: name.to_string(),
        read: 0,
        limit,
        compressed,
    })
}

/// What is unsafe about an entry name, for a tool that extracts it.
fn unsafe_name(name: &str) -> Option<&'static str> {
    let bytes = name.as_bytes();
    if name.is_empty() {
        Some("an empty name")
    } else if name.contains('\0') {
        Some("a NUL byte in the name")
    } else if name.starts_with(['/', '\\'])
        || (bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic())
    {
        Some("an absolute path, which an extracting tool may write anywhere")
    } else if name.split(['/', '\\']).any(|part| part == "..") {
        Some("a `..` component, which leads out of the folder it is extracted to")
    } else {
        None
    }
}

/// Every name in the central directory as it is written, duplicates included (the
/// zip reader keeps one entry per name and hides the others).
fn central_directory_names<R: Read + Seek>(reader: &mut R, start: u64) -> Result<Vec<String>> {
    const SIGNATURE: [u8; 4] = [0x50, 0x4b, 0x01, 0x02];
    reader.seek(SeekFrom::Start(start))?;
    let mut reader = std::io::BufReader::new(reader);
    let mut names = Vec::new();
    let mut header = [0u8; 46];
    while reader.read_exact(&mut header).is_ok() && header[..4] == SIGNATURE {
        let field = |at: usize| usize::from(u16::from_le_bytes([header[at], header[at + 1]]));
        let mut name = vec![0u8; field(28)];
        reader.read_exact(&mut name)?;
        reader.seek_relative((field(30) + field(32)) as i64)?;
        names.push(String::from_utf8_lossy(&name).into_owned());
    }
    Ok(names)
}

/// Problems with the names of the archive's entries: unsafe paths and duplicates.
fn name_problems<R: Read + Seek>(reader: &mut R) -> Result<Vec<String>> {
    let (start, distinct) = {
        let zip = ZipArchive::new(&mut *reader).context("not a zip archive")?;
        (zip.central_directory_start(), zip.len())
    };
    let names = central_directory_names(reader, start)?;
    let mut problems = Vec::new();
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for name in &names {
        *counts.entry(name.as_str()).or_default() += 1;
        if let Some(why) = unsafe_name(name) {
            problems.push(format!("{}: unsafe entry name: {why}", name.escape_debug()));
        }
    }
    let mut named = false;
    for (name, count) in &counts {
        if *count > 1 {
            named = true;
            problems.push(format!(
                "{}: the archive holds {count} times an entry of this name: which one a tool extracts is up to the tool",
                name.escape_debug()
            ));
        }
    }
    if !named && names.len() > distinct {
        problems.push(format!(
            "the archive lists {} entries under {distinct} distinct names: some names are duplicated",
            names.len()
        ));
    }
    Ok(problems)
}

/// Reads a whole (small) entry as text, within `limit`.
fn read_text<R: Read + Seek>(zip: &mut ZipArchive<R>, name: &str, limit: u64) -> Result<String> {
    let mut entry = open_entry(zip, name, limit)?;
    let mut text = String::new();
    entry
        .read_to_string(&mut text)
        .with_context(|| format!("{name} is not UTF-8 text"))?;
    Ok(text)
}

/// What checking an archive against its manifest found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub kind: Option<String>,
    pub files: usize,
    pub problems: Vec<String>,
    /// Some entry was refused (unsafe name, over a limit): its content was not checked.
    pub refused: bool,
    #[serde(skip)]
    pub manifest: Value,
}

/// Checks the entries' names, then every entry against the manifest: missing, extra and
/// altered files, streaming each within the limits above.
pub fn verify<R: Read + Seek>(mut reader: R) -> Result<(Verification, ZipArchive<R>)> {
    let mut problems = name_problems(&mut reader)?;
    let mut refused = !problems.is_empty();
    let mut zip = ZipArchive::new(reader).context("not a zip archive")?;
    let manifest: Value = match read_text(&mut zip, MANIFEST, MAX_DOCUMENT_BYTES) {
        Ok(text) => serde_json::from_str(&text).context("manifest.json is not valid JSON")?,
        Err(error) => match refusal(&error) {
            Some(refused) => {
                problems.push(refused.to_string());
                let verification = Verification {
                    kind: None,
                    files: 0,
                    problems,
                    refused: true,
                    manifest: Value::Null,
                };
                return Ok((verification, zip));
            }
            None => return Err(error),
        },
    };
    let listed: Vec<ManifestFile> = serde_json::from_value(manifest["files"].clone())
        .context("manifest.json lists no files")?;
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    for name in &names {
        if name != MANIFEST && name != SHA256SUMS && !listed.iter().any(|f| &f.path == name) {
            problems.push(format!("{name}: extra file, not in the manifest"));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for file in &listed {
        if !seen.insert(file.path.as_str()) {
            problems.push(format!("{}: listed twice in the manifest", file.path));
            continue;
        }
        if !names.contains(&file.path) {
            problems.push(format!("{}: missing", file.path));
            continue;
        }
        let mut hasher = Sha256::new();
        let read = open_entry(&mut zip, &file.path, MAX_ENTRY_BYTES).and_then(|mut entry| {
            std::io::copy(&mut entry, &mut HashWriter(&mut hasher))
                .with_context(|| format!("{}: cannot be read", file.path))
        });
        let size = match read {
            Ok(size) => size,
            Err(error) => match refusal(&error) {
                Some(why) => {
                    problems.push(why.to_string());
                    refused = true;
                    continue;
                }
                None => return Err(error),
            },
        };
        let sha256 = hex::encode(hasher.finalize());
        if size != file.size || sha256 != file.sha256 {
            problems.push(format!(
                "{}: altered (SHA-256 {sha256}, manifest says {})",
                file.path, file.sha256
            ));
        }
    }
    if names.iter().any(|n| n == SHA256SUMS) {
        problems.extend(sums_problems(&mut zip, &listed)?);
    }
    Ok((
        Verification {
            kind: manifest["kind"].as_str().map(str::to_string),
            files: listed.len(),
            problems,
            refused,
            manifest,
        },
        zip,
    ))
}

/// `SHA256SUMS` must list exactly the manifest's files with the manifest's checksums, and
/// the manifest itself as it is in the archive.
fn sums_problems<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    listed: &[ManifestFile],
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let text = match read_text(zip, SHA256SUMS, MAX_DOCUMENT_BYTES) {
        Ok(text) => text,
        Err(error) => match refusal(&error) {
            Some(refused) => return Ok(vec![refused.to_string()]),
            None => return Err(error),
        },
    };
    let manifest = read_text(zip, MANIFEST, MAX_DOCUMENT_BYTES)?;
    let manifest_sha = hex::encode(Sha256::digest(manifest.as_bytes()));
    let mut expected: std::collections::BTreeMap<&str, &str> = listed
        .iter()
        .map(|f| (f.path.as_str(), f.sha256.as_str()))
        .collect();
    expected.insert(MANIFEST, &manifest_sha);
    let mut seen = std::collections::BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let Some((sum, path)) = line.split_once("  ") else {
            problems.push(format!(
                "{SHA256SUMS}: line {} is not `SHA256  FILE`",
                n + 1
            ));
            continue;
        };
        match expected.get(path) {
            None => problems.push(format!(
                "{SHA256SUMS}: line {} names {path}, which the manifest does not list",
                n + 1
            )),
            Some(want) if *want != sum => problems.push(format!(
                "{SHA256SUMS}: {path} has SHA-256 {want}, the file says {sum}"
            )),
            Some(_) => {
                seen.insert(path.to_string());
            }
        }
    }
    for path in expected.keys().filter(|p| !seen.contains(**p)) {
        problems.push(format!("{SHA256SUMS}: does not list {path}"));
    }
    Ok(problems)
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

pub(crate) fn sha256_file(file: &mut File) -> Result<String> {
    file.rewind()?;
    let mut hasher = Sha256::new();
    std::io::copy(file, &mut HashWriter(&mut hasher))?;
    Ok(hex::encode(hasher.finalize()))
}

/// What checking an audit archive's chain and checkpoints found.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct AuditCheck {
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
pub(crate) fn verify_audit<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    manifest: &Value,
    trusted: Option<&ed25519_dalek::VerifyingKey>,
) -> Result<AuditCheck> {
    match check_audit(zip, manifest, trusted) {
        Err(error) => match refusal(&error) {
            Some(refused) => Ok(AuditCheck {
                problems: vec![refused.to_string()],
                ..AuditCheck::default()
            }),
            None => Err(error),
        },
        done => done,
    }
}

fn check_audit<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    manifest: &Value,
    trusted: Option<&ed25519_dalek::VerifyingKey>,
) -> Result<AuditCheck> {
    let mut check = AuditCheck::default();
    let checkpoints: Vec<crate::audit::checkpoint::Checkpoint> =
        serde_json::from_str(&read_text(zip, "checkpoints.json", MAX_DOCUMENT_BYTES)?)
            .context("checkpoints.json is not a list of checkpoints")?;
    check.checkpoints = checkpoints.len();
    // Only the hashes the checkpoints sign are kept: the entries stream through.
    let signed: std::collections::BTreeSet<i64> = checkpoints.iter().map(|c| c.size).collect();
    let mut hashes = std::collections::BTreeMap::new();
    let mut reader = std::io::BufReader::new(open_entry(zip, "entries.jsonl", MAX_ENTRY_BYTES)?);
    let mut checker: Option<crate::audit::ChainChecker> = None;
    let mut line = Vec::new();
    let mut number = 0usize;
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            break;
        }
        number += 1;
        if line.len() > MAX_LINE_BYTES {
            check.problems.push(format!(
                "entries.jsonl:{number}: a line longer than {}: not an audit entry; the rest was not read",
                bytes_words(MAX_LINE_BYTES as u64)
            ));
            break;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        let entry = match serde_json::from_slice::<crate::audit::Entry>(text) {
            Ok(entry) => entry,
            Err(e) => {
                check.problems.push(format!(
                    "entries.jsonl:{number}: not an audit entry: {e}; the rest was not read"
                ));
                break;
            }
        };
        let checker = checker.get_or_insert_with(|| {
            check.first_seq = entry.seq;
            if manifest["anchor"]
                .as_str()
                .is_some_and(|a| a != entry.prev_hash)
            {
                check.problems.push(format!(
                    "entry {}: its prev_hash is not the manifest's anchor",
                    entry.seq
                ));
            }
            crate::audit::ChainChecker::starting_at(entry.seq, &entry.prev_hash)
        });
        if checker.feed(&entry) && signed.contains(&entry.seq) {
            hashes.insert(entry.seq, entry.hash.clone());
        }
        check.last_seq = entry.seq;
    }
    let Some(checker) = checker else {
        check.problems.push("entries.jsonl holds no entries".into());
        return Ok(check);
    };
    if let Some(broken) = checker.finish().broken {
        check.problems.push(format!(
            "chain broken at entry {}: {}",
            broken.seq, broken.reason
        ));
    }
    let checked = crate::audit::checkpoint::check_all(
        &checkpoints,
        check.last_seq,
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
