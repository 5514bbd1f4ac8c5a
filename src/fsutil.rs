//! Files holding personal data or secrets are created owner-only (0600), and output
//! files appear whole or not at all.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

#[cfg(unix)]
fn private_options() -> OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = OpenOptions::new();
    options.mode(0o600);
    options
}

#[cfg(not(unix))]
fn private_options() -> OpenOptions {
    OpenOptions::new()
}

/// Creates `path` (which must not exist) owner-only and writes `bytes` to it.
pub fn write_private_new(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        create_private_dir(parent)?;
    }
    let mut file = private_options().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// Reads a key file, refusing it when its mode lets group or others read or write it
/// (anything looser than 0600 on unix): a secret others can read is no longer one, and
/// a trust anchor others can write can be swapped. `what` names the key in the message.
pub fn read_key_file(path: &Path, what: &str) -> Result<String> {
    let mut file =
        File::open(path).with_context(|| format!("cannot read the {what} {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file
            .metadata()
            .with_context(|| format!("cannot read the {what} {}", path.display()))?
            .permissions()
            .mode()
            & 0o7777;
        if mode & 0o077 != 0 {
            anyhow::bail!(
                "the {what} {} has mode {mode:04o}: other users may read or change it; make it owner-only with `chmod 600 {}`",
                path.display(),
                path.display()
            );
        }
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text)
        .with_context(|| format!("cannot read the {what} {}", path.display()))?;
    Ok(text)
}

/// Creates an empty owner-only file if none exists (a SQLite database, before SQLite
/// opens it with the process umask).
pub fn touch_private(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent() {
        create_private_dir(parent)?;
    }
    private_options()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    Ok(())
}

/// Creates a directory (and parents); a directory created here is owner-only.
pub fn create_private_dir(path: &Path) -> Result<()> {
    if path.as_os_str().is_empty() || path.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(path)
        .with_context(|| format!("cannot create the folder {}", path.display()))
}

/// An output file written beside its destination and renamed into place when complete,
/// so a failure never leaves a half-written file under the final name.
pub struct PendingFile {
    temp: PathBuf,
    target: PathBuf,
    file: Option<File>,
    /// Renamed into place: nothing is left to clean up.
    committed: bool,
}

/// Removes `.NAME.PID.partial` files beside `target` left by runs that were killed
/// (their process is gone); files of runs still going are left alone.
fn remove_stale_partials(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".partial"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let gone = cfg!(target_os = "linux") && !Path::new(&format!("/proc/{pid}")).exists();
        if gone && pid != std::process::id() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

impl PendingFile {
    /// Refuses an existing target unless `overwrite`.
    pub fn create(target: &Path, overwrite: bool) -> Result<PendingFile> {
        if target.exists() && !overwrite {
            anyhow::bail!(
                "{} already exists; pass --force to replace it",
                target.display()
            );
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let parent = target.parent().unwrap_or(Path::new("."));
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        remove_stale_partials(parent, &name);
        let temp = parent.join(format!(".{name}.{}.partial", std::process::id()));
        let file = private_options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&temp)
            .with_context(|| format!("cannot create {}", temp.display()))?;
        Ok(PendingFile {
            temp,
            target: target.to_path_buf(),
            file: Some(file),
            committed: false,
        })
    }

    pub fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("file is open until commit")
    }

    pub fn commit(mut self) -> Result<()> {
        if let Some(file) = self.file.take() {
            file.sync_all()?;
        }
        std::fs::rename(&self.temp, &self.target)
            .with_context(|| format!("cannot write {}", self.target.display()))?;
        self.committed = true;
        Ok(())
    }
}

impl Write for PendingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file().flush()
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        // Not renamed into place (an error, or a failed rename): nothing half-written stays.
        if !self.committed {
            self.file = None;
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Whether SQLite can make, beside the database in `path`, the files it needs to use it:
/// the write-ahead log and its index, or (`journal`: a database that may be in
/// rollback-journal mode) a journal. None is needed when a log and its index, or a kept
/// journal, are already there; otherwise the folder must be writable. The error is the
/// folder and the system's reason.
pub(crate) fn sqlite_folder_writable(
    path: &Path,
    journal: bool,
) -> std::result::Result<(), (PathBuf, String)> {
    let beside = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    if beside("-wal").exists() && beside("-shm").exists() || journal && beside("-journal").exists()
    {
        return Ok(());
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    rustix::fs::access(folder, rustix::fs::Access::WRITE_OK).map_err(|errno| {
        (
            folder.to_path_buf(),
            std::io::Error::from(errno).to_string(),
        )
    })
}

/// The `sqlite://` URL of a database file that exists. The path is made absolute and
/// resolved first: a relative path's first folder would be read as the URL's host, and a
/// URL parser folds `a/../b` to `b` on the text, which is another file where `a` is a
/// link. The driver reads the path up to the first `?` and percent-decodes it, and a URL
/// parser takes `#` for the start of a fragment: those three characters are written
/// percent-encoded, so a folder named `a?b` or `100%` is the folder opened. A path that
/// is not UTF-8 cannot be written in a URL without naming another file, and is refused.
pub fn sqlite_url(path: &Path) -> Result<String> {
    let resolved = std::fs::canonicalize(path)
        .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
    let Some(text) = resolved.to_str() else {
        anyhow::bail!(
            "cannot open the SQLite database {}: its path is not UTF-8",
            path.display()
        );
    };
    let mut url = String::from("sqlite://");
    for c in text.chars() {
        match c {
            '%' => url.push_str("%25"),
            '?' => url.push_str("%3F"),
            '#' => url.push_str("%23"),
            c => url.push(c),
        }
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_the_file_or_refuse() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("a?b%41#c");
        std::fs::create_dir(&folder).unwrap();
        std::fs::create_dir(folder.join("sub")).unwrap();
        std::fs::write(folder.join("s.db"), b"").unwrap();
        let url = sqlite_url(&folder.join("sub/../s.db")).unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(
            url,
            format!("sqlite://{}/a%3Fb%2541%23c/s.db", root.display())
        );
        // A path the URL cannot spell is refused, named, rather than read as another.
        use std::os::unix::ffi::OsStrExt;
        let odd = dir.path().join(std::ffi::OsStr::from_bytes(b"\xff.db"));
        std::fs::write(&odd, b"").unwrap();
        let error = sqlite_url(&odd).unwrap_err().to_string();
        assert!(error.contains("not UTF-8"), "{error}");
        assert!(sqlite_url(&dir.path().join("missing.db")).is_err());
    }
}
