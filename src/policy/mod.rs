//! Policy folders: loading with source spans, validation, and the resolved model the
//! rest of privops works from.

pub(crate) mod draft;
pub(crate) mod fides;
pub(crate) mod live;
pub mod model;
pub mod record;
pub mod taxonomy;
pub(crate) mod tenant;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use toml::Spanned;

pub use model::*;

/// Where a diagnostic points: a file of the policy folder, and a byte range in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub file: usize,
    pub start: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file relative to the policy folder; empty for the folder itself.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.file.is_empty() {
            write!(f, "{}: {}", self.severity.name(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}: {}",
                self.file,
                self.line,
                self.column,
                self.severity.name(),
                self.message
            )
        }
    }
}

/// One file of the folder, kept with its text so spans can become line and column.
#[derive(Debug)]
pub struct PolicyText {
    pub relative: String,
    pub text: String,
}

impl PolicyText {
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }
}

/// A table with the source it belongs to and the file it was declared in.
#[derive(Debug, Clone)]
pub struct TableDef {
    pub file: usize,
    pub table: Table,
}

#[derive(Debug, Clone)]
pub struct SourceDef {
    pub file: usize,
    pub source: Source,
    pub tables: Vec<TableDef>,
    /// The policy's identity kinds by name (declared in any file of the folder), so that
    /// lookups in this source know how each identity column's values are written.
    pub identities: BTreeMap<String, IdentityKind>,
}

/// A whole policy folder.
#[derive(Debug)]
pub struct Policy {
    pub dir: PathBuf,
    pub files: Vec<PolicyText>,
    pub controller: Option<(usize, Spanned<Controller>)>,
    pub tenant: Option<(usize, Spanned<Tenant>)>,
    pub identities: Vec<(usize, Spanned<IdentityKind>)>,
    pub purposes: Vec<(usize, Spanned<Purpose>)>,
    pub sources: Vec<SourceDef>,
    pub providers: Vec<(usize, Spanned<Provider>)>,
    /// SHA-256 over every file's relative path and content.
    pub digest: String,
    /// Syntax and structure errors found while reading files.
    load_diagnostics: Vec<Diagnostic>,
    /// Names declared in files that did not load, so later checks do not cascade.
    pub(crate) unread: Unread,
}

/// What the files that failed to load still declare, as far as plain TOML tells.
#[derive(Debug, Default)]
pub(crate) struct Unread {
    pub purposes: std::collections::BTreeSet<String>,
    pub identity_kinds: std::collections::BTreeSet<String>,
    pub controller: bool,
    pub tenant: bool,
}

impl Unread {
    fn note(&mut self, table: Option<toml::Table>) {
        let Some(table) = table else {
            return;
        };
        let names = |key: &str, field: &str| -> Vec<String> {
            table
                .get(key)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|entry| entry.get(field)?.as_str().map(String::from))
                .collect()
        };
        self.purposes.extend(names("purpose", "id"));
        self.identity_kinds.extend(names("identity", "kind"));
        self.controller |= table.contains_key("controller");
        self.tenant |= table.contains_key("tenant");
    }
}

impl Policy {
    /// Reads every `*.toml` file under `dir`. Files that do not parse are reported by
    /// [`Policy::check`]; only an unreadable folder is an error here.
    pub fn load(dir: &Path) -> Result<Policy> {
        Ok(Policy::from_files(dir, read_folder(dir)?))
    }

    /// The purposes and identity kinds alone, for the check commands, which answer per
    /// message or per row of a script and need nothing else: only the files that declare
    /// them are parsed, and only those declarations are validated. An error in another
    /// file does not stop a check; `policy check` and every command that acts report it.
    pub fn load_purposes(dir: &Path) -> Result<Policy> {
        let mut files = read_folder(dir)?;
        files.retain(|(_, bytes)| declares_purposes(bytes));
        let policy = Policy::from_files(dir, files);
        let mut diagnostics = policy.load_diagnostics.clone();
        diagnostics.extend(validate::purposes_and_identities(&policy));
        refuse_errors(dir, diagnostics)?;
        Ok(policy)
    }
}

/// Whether a policy file may declare purposes or identity kinds: a line that starts a
/// `[[purpose]]` or `[[identity]]` table or sets such a key, quoted or not. A false
/// alarm only costs a parse.
fn declares_purposes(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.lines().any(|line| {
        let key = line
            .trim_start()
            .trim_start_matches('[')
            .trim_start()
            .trim_start_matches(['"', '\'']);
        ["purpose", "identity"].iter().any(|name| {
            key.strip_prefix(name).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with([' ', '\t', ']', '"', '\'', '=', '.'])
            })
        })
    })
}

/// The `*.toml` files under `dir`, in order, as (path relative to `dir`, bytes).
fn read_folder(dir: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let mut paths = Vec::new();
    collect_toml_files(dir, &mut paths)
        .with_context(|| format!("cannot read the policy folder {}", dir.display()))?;
    paths.sort();
    if paths.is_empty() {
        anyhow::bail!(
            "no policy files (*.toml) in {}; pass --policy DIR or set PRIVOPS_POLICY",
            dir.display()
        );
    }
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let relative = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        files.push((relative, bytes));
    }
    Ok(files)
}

/// Fails with every error among `diagnostics`, for commands that act on the policy.
fn refuse_errors(dir: &Path, diagnostics: Vec<Diagnostic>) -> Result<()> {
    let errors: Vec<String> = diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    if !errors.is_empty() {
        anyhow::bail!(
            "the policy in {} has {} error(s); run `privops policy check`:\n{}",
            dir.display(),
            errors.len(),
            errors.join("\n")
        );
    }
    Ok(())
}

impl Policy {
    /// A policy from the files of a folder, given as (path relative to the folder, bytes)
    /// in order. Files that do not parse are reported by [`Policy::check`].
    pub(crate) fn from_files(dir: &Path, files: Vec<(String, Vec<u8>)>) -> Policy {
        let mut policy = Policy {
            dir: dir.to_path_buf(),
            files: Vec::new(),
            controller: None,
            tenant: None,
            identities: Vec::new(),
            purposes: Vec::new(),
            sources: Vec::new(),
            providers: Vec::new(),
            digest: String::new(),
            load_diagnostics: Vec::new(),
            unread: Unread::default(),
        };
        let mut hasher = Sha256::new();
        for (relative, bytes) in files {
            hasher.update(relative.as_bytes());
            hasher.update([0]);
            hasher.update(&bytes);
            hasher.update([0]);
            let file = policy.files.len();
            let text = match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    policy.files.push(PolicyText {
                        relative: relative.clone(),
                        text: String::new(),
                    });
                    policy.load_diagnostics.push(Diagnostic {
                        severity: Severity::Error,
                        file: relative,
                        line: 1,
                        column: 1,
                        message: "file is not valid UTF-8".into(),
                    });
                    continue;
                }
            };
            let parsed = toml::from_str::<PolicyFile>(&text);
            policy.files.push(PolicyText {
                relative: relative.clone(),
                text,
            });
            match parsed {
                Ok(parsed) => policy.absorb(file, parsed),
                Err(error) => {
                    // The file is still read as plain TOML where it can be, so that what
                    // it declares counts as declared: one typo is one error, not forty.
                    policy
                        .unread
                        .note(toml::from_str::<toml::Table>(&policy.files[file].text).ok());
                    let start = error.span().map_or(0, |span| span.start);
                    let (line, column) = policy.files[file].line_column(start);
                    policy.load_diagnostics.push(Diagnostic {
                        severity: Severity::Error,
                        file: relative,
                        line,
                        column,
                        message: error.message().trim().replace('\n', " "),
                    });
                }
            }
        }
        policy.digest = hex::encode(hasher.finalize());
        let identities: BTreeMap<String, IdentityKind> = policy
            .identities
            .iter()
            .map(|(_, i)| (i.get_ref().kind.get_ref().clone(), i.get_ref().clone()))
            .collect();
        for source in &mut policy.sources {
            source.identities = identities.clone();
        }
        policy
    }

    fn absorb(&mut self, file: usize, parsed: PolicyFile) {
        if let Some(controller) = parsed.controller {
            if self.controller.is_some() {
                let location = Location {
                    file,
                    start: controller.span().start,
                };
                let diagnostic = self.diagnostic(
                    Severity::Error,
                    location,
                    "duplicate [controller]: the policy folder must declare it once".into(),
                );
                self.load_diagnostics.push(diagnostic);
            } else {
                self.controller = Some((file, controller));
            }
        }
        if let Some(tenant) = parsed.tenant {
            if self.tenant.is_some() {
                let location = Location {
                    file,
                    start: tenant.span().start,
                };
                let diagnostic = self.diagnostic(
                    Severity::Error,
                    location,
                    "duplicate [tenant]: the policy folder declares one client account scope"
                        .into(),
                );
                self.load_diagnostics.push(diagnostic);
            } else {
                self.tenant = Some((file, tenant));
            }
        }
        self.identities
            .extend(parsed.identity.into_iter().map(|i| (file, i)));
        self.purposes
            .extend(parsed.purpose.into_iter().map(|p| (file, p)));
        self.providers
            .extend(parsed.provider.into_iter().map(|p| (file, p)));
        match parsed.source {
            Some(source) => self.sources.push(SourceDef {
                file,
                source: source.into_inner(),
                tables: parsed
                    .table
                    .into_iter()
                    .map(|t| TableDef {
                        file,
                        table: t.into_inner(),
                    })
                    .collect(),
                identities: BTreeMap::new(),
            }),
            None => {
                if let Some(first) = parsed.table.first() {
                    let location = Location {
                        file,
                        start: first.span().start,
                    };
                    let diagnostic = self.diagnostic(
                        Severity::Error,
                        location,
                        "[[table]] entries need a [source] in the same file".into(),
                    );
                    self.load_diagnostics.push(diagnostic);
                }
            }
        }
    }

    pub fn diagnostic(&self, severity: Severity, at: Location, message: String) -> Diagnostic {
        let text = &self.files[at.file];
        let (line, column) = text.line_column(at.start);
        Diagnostic {
            severity,
            file: text.relative.clone(),
            line,
            column,
            message,
        }
    }

    /// Every diagnostic: load errors first, then validation, sorted by place.
    /// Every diagnostic: the files that did not load first (the root causes), then the
    /// checks, each in file and line order.
    pub fn check(&self) -> Vec<Diagnostic> {
        let order = |a: &Diagnostic, b: &Diagnostic| {
            (a.file.as_str(), a.line, a.column, a.severity).cmp(&(
                b.file.as_str(),
                b.line,
                b.column,
                b.severity,
            ))
        };
        let mut all = self.load_diagnostics.clone();
        all.sort_by(order);
        let mut checks = validate::validate(self);
        checks.sort_by(order);
        all.extend(checks);
        all
    }

    /// Loads and fails on any error, for commands that act on the policy.
    pub fn load_valid(dir: &Path) -> Result<Policy> {
        let policy = Policy::load(dir)?;
        refuse_errors(dir, policy.check())?;
        Ok(policy)
    }

    pub fn tenant(&self) -> Option<&Tenant> {
        self.tenant.as_ref().map(|(_, t)| t.get_ref())
    }

    pub fn controller(&self) -> Option<&Controller> {
        self.controller.as_ref().map(|(_, c)| c.get_ref())
    }

    pub(crate) fn deadline_days(&self) -> u32 {
        self.controller().map_or(30, |c| c.deadline_days)
    }

    /// `file:line:column` of a place in the policy folder, for messages.
    pub(crate) fn locate(&self, file: usize, offset: usize) -> String {
        match self.files.get(file) {
            Some(text) => {
                let (line, column) = text.line_column(offset);
                format!("{}:{line}:{column}", text.relative)
            }
            None => "the policy".to_string(),
        }
    }

    pub(crate) fn identity_kind(&self, kind: &str) -> Option<&IdentityKind> {
        self.identities
            .iter()
            .map(|(_, i)| i.get_ref())
            .find(|i| i.kind.get_ref() == kind)
    }

    /// The purpose `id`, or an error listing the ones the policy declares.
    pub fn known_purpose(&self, id: &str) -> Result<&Purpose> {
        match self.purpose(id) {
            Some(purpose) => Ok(purpose),
            None => {
                let known: Vec<&str> = self.purposes().map(|p| p.id.get_ref().as_str()).collect();
                anyhow::bail!(
                    "unknown purpose `{id}`; the policy declares: {}",
                    known.join(", ")
                )
            }
        }
    }

    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        self.purposes
            .iter()
            .map(|(_, p)| p.get_ref())
            .find(|p| p.id.get_ref() == id)
    }

    pub fn purposes(&self) -> impl Iterator<Item = &Purpose> {
        self.purposes.iter().map(|(_, p)| p.get_ref())
    }

    pub fn providers(&self) -> impl Iterator<Item = &Provider> {
        self.providers.iter().map(|(_, p)| p.get_ref())
    }

    pub fn source(&self, id: &str) -> Option<&SourceDef> {
        self.sources.iter().find(|s| s.source.id.get_ref() == id)
    }

    /// The sqlite file of a source given by `path`, resolved against the policy folder.
    pub(crate) fn sqlite_path(&self, source: &Source) -> Option<PathBuf> {
        source.path.as_ref().map(|p| self.dir.join(p.get_ref()))
    }

    /// Every purpose id whose basis is consent, for quick refusals.
    pub(crate) fn consent_purposes(&self) -> BTreeMap<String, &Purpose> {
        self.purposes()
            .filter(|p| p.basis == LawfulBasis::Consent)
            .map(|p| (p.id.get_ref().clone(), p))
            .collect()
    }
}

impl SourceDef {
    pub fn id(&self) -> &str {
        self.source.id.get_ref()
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables
            .iter()
            .map(|t| &t.table)
            .find(|t| t.name.get_ref() == name)
    }
}

impl Table {
    pub fn name(&self) -> &str {
        self.name.get_ref()
    }

    /// Whether a relation or a reference of this table points at the table `other`.
    pub(crate) fn points_at(&self, other: &str) -> bool {
        self.relation
            .iter()
            .any(|r| r.get_ref().references.get_ref() == other)
            || self
                .reference
                .iter()
                .any(|r| r.get_ref().references.get_ref() == other)
    }

    pub fn key_columns(&self) -> Vec<&str> {
        self.key.iter().map(|k| k.get_ref().as_str()).collect()
    }

    pub fn column(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns.get(name).map(|c| c.get_ref())
    }

    /// `(column, identity kind)` for every identity column.
    pub(crate) fn identity_columns(&self) -> impl Iterator<Item = (&str, &str)> {
        self.columns.iter().filter_map(|(name, spec)| {
            spec.get_ref()
                .identity
                .as_deref()
                .map(|kind| (name.as_str(), kind))
        })
    }

    pub(crate) fn personal_columns(&self) -> impl Iterator<Item = (&str, &ColumnSpec)> {
        self.columns
            .iter()
            .map(|(name, spec)| (name.as_str(), spec.get_ref()))
            .filter(|(_, spec)| taxonomy::is_personal(&spec.category))
    }

    pub(crate) fn has_personal_data(&self) -> bool {
        self.personal_columns().next().is_some()
    }

    /// The columns a relation points at: its `to`, or the referenced table's key.
    pub(crate) fn relation_targets<'a>(
        relation: &'a Relation,
        referenced: &'a Table,
    ) -> Vec<&'a str> {
        if relation.to.is_empty() {
            referenced.key_columns()
        } else {
            relation.to.iter().map(|c| c.get_ref().as_str()).collect()
        }
    }

    /// The columns a non-owning reference points at: those it names, or the key.
    pub(crate) fn reference_targets<'a>(
        reference: &'a Reference,
        referenced: &'a Table,
    ) -> Vec<&'a str> {
        if reference.to.is_empty() {
            referenced.key_columns()
        } else {
            reference.to.iter().map(|c| c.get_ref().as_str()).collect()
        }
    }
}

fn collect_toml_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            collect_toml_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Identifier rules for anything that reaches SQL: letters, digits and underscores,
/// not starting with a digit; a table may carry one schema qualifier (`crm.leads`).
pub(crate) fn is_sql_identifier(name: &str) -> bool {
    let part = |p: &str| {
        let mut chars = p.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && p.len() <= 63
    };
    part(name)
}

pub(crate) fn is_sql_table_name(name: &str) -> bool {
    match name.split_once('.') {
        Some((schema, table)) => is_sql_identifier(schema) && is_sql_identifier(table),
        None => is_sql_identifier(name),
    }
}

/// Ids of purposes, sources, providers and identity kinds.
pub(crate) fn is_policy_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && id.len() <= 64
}

/// Policies for unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::Policy;

    /// Writes a policy of one SQLite source `app` (the file `app.db` beside it, e-mail
    /// identities) with these tables into `dir`, and loads it.
    pub(crate) fn sqlite_policy(dir: &std::path::Path, tables: &str) -> Policy {
        const HEAD: &str = r#"
[controller]
organisation = "Test Org"
dpo = { name = "D. P. O.", email = "dpo@example.com" }

[[identity]]
kind = "email"
normalise = "email"

[source]
id = "app"
engine = "sqlite"
path = "app.db"
"#;
        std::fs::write(dir.join("policy.toml"), format!("{HEAD}{tables}")).unwrap();
        Policy::load_valid(dir).unwrap()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn files_declaring_purposes_are_told_apart() {
        for text in [
            "[[purpose]]\nid = \"x\"",
            "  [[ purpose ]]",
            "[[\"identity\"]]",
            "[['purpose']]",
            "purpose = [{ id = \"x\" }]",
            "identity=[]",
            "purpose.0 = 1",
            "# a comment\n\n[controller]\n[[identity]]\nkind = \"email\"",
        ] {
            assert!(super::declares_purposes(text.as_bytes()), "{text:?}");
        }
        for text in [
            "[source]\nid = \"crm\"",
            "[[table]]\nname = \"leads\"\npurposes = [\"sales\"]",
            "[[purposes]]",
            "identity_column = \"email\"",
            "# purpose",
        ] {
            assert!(!super::declares_purposes(text.as_bytes()), "{text:?}");
        }
    }
}
