//! `privops scan`: what the columns actually hold, against what the policy declares. Each
//! table is sampled with the engine's own means (a bounded random sample; the whole table
//! when it is small), every sampled value goes through the detectors, and the findings
//! name the detector, how many values, and a masked example: never a value in clear.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::detect::{self, Detector};
use crate::policy::{MeasureOp, Policy, Rollup, SourceDef, Table, taxonomy};
use crate::sources::SourcePool;
use crate::sources::rows::{ColumnInfo, Kind};
use crate::sql::{Key, Sql};
use crate::subject::{IdentityRule, Subject, SubjectKey};

/// How much to read.
#[derive(Debug, Clone)]
pub struct Options {
    pub source: Option<String>,
    pub table: Option<String>,
    /// Values sampled per column (rows per table).
    pub sample: usize,
    pub max_duration: Option<Duration>,
}

/// What a scan found in one column or table.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// `error` (exit 3) or `warning`.
    pub severity: &'static str,
    pub kind: &'static str,
    pub source: String,
    pub table: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Where the policy declares the column or table (`file:line:column`), when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detector: Option<&'static str>,
    /// Values (or groups) found, among `sampled`.
    pub count: u64,
    pub sampled: u64,
    /// A masked example (`d***@e***.com`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    pub message: String,
}

/// A whole scan.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub tables: usize,
    pub columns: usize,
    pub values: u64,
    /// False when `--max-duration` ended the scan before every table was read.
    pub complete: bool,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == "error")
            .count()
    }
}

/// What the detectors found in one column's sample.
#[derive(Debug, Default)]
struct ColumnCounts {
    values: u64,
    hits: BTreeMap<Detector, (u64, String)>,
}

impl ColumnCounts {
    fn add(&mut self, detector: Detector, value: &str) {
        let entry = self
            .hits
            .entry(detector)
            .or_insert_with(|| (0, detect::masked(detector, value)));
        entry.0 += 1;
    }

    /// The detector most values answer to, and how many.
    fn dominant(&self) -> Option<(Detector, u64, &str)> {
        // Ties go to the detector listed first (e-mail before an IP address).
        self.hits
            .iter()
            .rev()
            .max_by_key(|(_, (n, _))| *n)
            .map(|(d, (n, example))| (*d, *n, example.as_str()))
    }
}

/// Known identities of the state store, by keyed reference, and how to make one.
pub struct Known<'a> {
    pub key: &'a SubjectKey,
    pub refs: HashSet<String>,
}

pub struct Scan<'a> {
    pub policy: &'a Policy,
    pub known: Option<Known<'a>>,
    pub options: Options,
}

impl Scan<'_> {
    pub async fn run(&self, progress: &indicatif::ProgressBar) -> Result<Report> {
        let started = Instant::now();
        let mut report = Report {
            complete: true,
            ..Report::default()
        };
        let region = self.phone_region();
        for source in &self.policy.sources {
            if self
                .options
                .source
                .as_deref()
                .is_some_and(|s| s != source.id())
            {
                continue;
            }
            let pool = SourcePool::connect(self.policy, source).await?;
            let result = self
                .scan_source(
                    &pool,
                    source,
                    region.as_deref(),
                    started,
                    progress,
                    &mut report,
                )
                .await;
            pool.close().await;
            result.with_context(|| format!("source `{}`", source.id()))?;
            if !report.complete {
                break;
            }
        }
        Ok(report)
    }

    fn phone_region(&self) -> Option<String> {
        self.policy
            .identities
            .iter()
            .map(|(_, k)| k.get_ref())
            .find(|k| k.normalise == crate::policy::Normalise::Phone)
            .and_then(|k| k.default_region.as_ref().map(|r| r.get_ref().clone()))
    }

    async fn scan_source(
        &self,
        pool: &SourcePool,
        source: &SourceDef,
        region: Option<&str>,
        started: Instant,
        progress: &indicatif::ProgressBar,
        report: &mut Report,
    ) -> Result<()> {
        let live = pool.schema().await?;
        let tables: Vec<&String> = live
            .keys()
            .filter(|t| {
                self.options
                    .table
                    .as_deref()
                    .is_none_or(|wanted| wanted == t.as_str())
            })
            .collect();
        progress.inc_length(tables.len() as u64);
        for table in tables {
            if self
                .options
                .max_duration
                .is_some_and(|limit| started.elapsed() > limit)
            {
                report.complete = false;
                return Ok(());
            }
            let def = source
                .tables
                .iter()
                .find(|t| t.table.name() == table.as_str());
            let columns = pool.table_columns(table).await?;
            let (rows, counts) = self.sample(pool, table, &columns, region).await?;
            report.tables += 1;
            report.columns += columns.len();
            report.values += counts.iter().map(|c| c.values).sum::<u64>();
            for (info, counts) in columns.iter().zip(&counts) {
                if let Some(finding) = self.judge(source, table, def, info, counts, rows) {
                    report.findings.push(finding);
                }
            }
            if let Some(def) = def.filter(|d| d.table.aggregate) {
                report
                    .findings
                    .extend(self.small_groups(pool, source, def).await?);
            }
            progress.inc(1);
        }
        for warning in crate::policy::live::identity_forms(self.policy, source, pool, &live).await?
        {
            report.findings.push(Finding {
                severity: "warning",
                kind: "identity_form",
                source: source.id().to_string(),
                table: String::new(),
                column: None,
                at: Some(format!(
                    "{}:{}:{}",
                    warning.file, warning.line, warning.column
                )),
                detector: None,
                count: 0,
                sampled: 0,
                example: None,
                message: warning.message,
            });
        }
        Ok(())
    }

    /// A bounded random sample of a table's rows, with the detectors' counts per column.
    async fn sample(
        &self,
        pool: &SourcePool,
        table: &str,
        columns: &[ColumnInfo],
        region: Option<&str>,
    ) -> Result<(u64, Vec<ColumnCounts>)> {
        let sql = pool.sample(table, columns, self.options.sample).await?;
        let kinds: Vec<Kind> = columns.iter().map(|c| c.kind).collect();
        let mut counts: Vec<ColumnCounts> =
            columns.iter().map(|_| ColumnCounts::default()).collect();
        let mut rows = 0u64;
        pool.for_each_row(&sql, &kinds, |row| {
            rows += 1;
            for (i, value) in row.iter().enumerate() {
                let Some(text) = Key::from_json(value).as_text() else {
                    continue;
                };
                if text.trim().is_empty() {
                    continue;
                }
                let column = &mut counts[i];
                column.values += 1;
                match detect::classify(&text, region) {
                    Some(detector) => column.add(detector, text.trim()),
                    None => {
                        if text.contains(char::is_whitespace) {
                            // Each kind of identifier a text holds counts once for it.
                            let mut seen = std::collections::BTreeSet::new();
                            for (detector, found) in detect::find_in_text(&text, region) {
                                if seen.insert(detector) {
                                    column.add(detector, &found);
                                }
                            }
                        } else if self.is_known(&text) {
                            column.add(Detector::KnownIdentity, &text);
                        }
                    }
                }
            }
            Ok(())
        })
        .await?;
        Ok((rows, counts))
    }

    /// Whether a value is an identity the state store knows, under any identity kind of
    /// the policy (compared by keyed reference, never in clear).
    fn is_known(&self, value: &str) -> bool {
        let Some(known) = &self.known else {
            return false;
        };
        if known.refs.is_empty() || value.len() > 256 {
            return false;
        }
        self.policy.identities.iter().any(|(_, kind)| {
            let kind = kind.get_ref();
            IdentityRule::of(kind)
                .normalise(value)
                .is_ok_and(|normalised| {
                    known.refs.contains(&known.key.reference(&Subject {
                        kind: kind.kind.get_ref().clone(),
                        value: normalised,
                    }))
                })
        })
    }

    /// One column's finding, if its values contradict the policy.
    fn judge(
        &self,
        source: &SourceDef,
        table: &str,
        def: Option<&crate::policy::TableDef>,
        info: &ColumnInfo,
        counts: &ColumnCounts,
        rows: u64,
    ) -> Option<Finding> {
        let (detector, count, example) = counts.dominant()?;
        // Detectors that rest on a checksum alone (one number in ten passes a check digit)
        // speak only when most of the column answers to them.
        let checksum_only = matches!(
            detector,
            Detector::IsraeliId | Detector::DutchBsn | Detector::PaymentCard
        );
        if checksum_only && count * 2 < counts.values {
            return None;
        }
        let spec = def.and_then(|d| d.table.columns.get(&info.name).map(|c| (d, c)));
        let at = spec.map(|(d, c)| self.policy.locate(d.file, c.span().start));
        let finding = |severity, kind, message: String| Finding {
            severity,
            kind,
            source: source.id().to_string(),
            table: table.to_string(),
            column: Some(info.name.clone()),
            at: at.clone(),
            detector: Some(detector.name()),
            count,
            sampled: rows,
            example: Some(example.to_string()),
            message,
        };
        let what = format!(
            "{count} of {rows} sampled value(s) of `{}.{table}.{}` look like {} ({})",
            source.id(),
            info.name,
            detector.name(),
            detector.category()
        );
        match (def, spec) {
            (None, _) => Some(finding(
                "error",
                "identifier_in_undeclared_table",
                format!("{what}; the policy leaves the table out"),
            )),
            (Some(d), _) if d.table.aggregate => Some(finding(
                "error",
                "identifier_in_aggregate",
                format!("{what}; the table is declared an aggregate (no personal data)"),
            )),
            (Some(_), None) => Some(finding(
                "error",
                "identifier_in_unclassified_column",
                format!("{what}; the policy does not classify the column"),
            )),
            (Some(_), Some((_, spec))) => {
                let declared = &spec.get_ref().category;
                if !taxonomy::is_personal(declared) {
                    Some(finding(
                        "error",
                        "identifier_in_system_column",
                        format!("{what}; the policy declares it {declared}"),
                    ))
                } else if count * 2 >= counts.values && !detector.agrees_with(declared) {
                    Some(finding(
                        "warning",
                        "category_mismatch",
                        format!("{what}; the policy declares it {declared}"),
                    ))
                } else {
                    None
                }
            }
        }
    }

    /// Groups of an aggregate smaller than its declared floor (`min_group`): a statistic
    /// of one or two people identifies them.
    async fn small_groups(
        &self,
        pool: &SourcePool,
        source: &SourceDef,
        def: &crate::policy::TableDef,
    ) -> Result<Vec<Finding>> {
        let Some(floor) = def.table.min_group.as_ref().map(|m| *m.get_ref()) else {
            return Ok(Vec::new());
        };
        let mut findings = Vec::new();
        // With `small_groups = "other"`, the bucket that gathers small groups is one by
        // design: its row (every untruncated group column `other`) is not reported.
        let bucket = match def.table.small_groups.as_ref().map(|m| *m.get_ref()) {
            Some(crate::policy::SmallGroups::Other) => {
                let columns = other_columns(source, &def.table);
                if columns.is_empty() {
                    String::new()
                } else {
                    format!(
                        " AND NOT ({})",
                        columns
                            .iter()
                            .map(|c| format!("{} = 'other'", pool.quote(c)))
                            .collect::<Vec<_>>()
                            .join(" AND ")
                    )
                }
            }
            _ => String::new(),
        };
        for measure in count_measures(source, &def.table) {
            let sql = Sql::new(format!(
                "SELECT COUNT(*) FROM {} WHERE {} > 0 AND {} < {floor}{bucket}",
                pool.quote(def.table.name()),
                pool.quote(&measure),
                pool.quote(&measure)
            ));
            let mut small = 0u64;
            let mut total = 0u64;
            pool.for_each_row(&sql, &[Kind::Int], |row| {
                small = Key::from_json(&row[0])
                    .as_text()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0);
                Ok(())
            })
            .await?;
            let all = Sql::new(format!(
                "SELECT COUNT(*) FROM {}",
                pool.quote(def.table.name())
            ));
            pool.for_each_row(&all, &[Kind::Int], |row| {
                total = Key::from_json(&row[0])
                    .as_text()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0);
                Ok(())
            })
            .await?;
            if small > 0 {
                findings.push(Finding {
                    severity: "error",
                    kind: "small_group",
                    source: source.id().to_string(),
                    table: def.table.name().to_string(),
                    column: Some(measure.clone()),
                    at: def
                        .table
                        .min_group
                        .as_ref()
                        .map(|m| self.policy.locate(def.file, m.span().start)),
                    detector: None,
                    count: small,
                    sampled: total,
                    example: None,
                    message: format!(
                        "{small} of {total} group(s) of `{}.{}` count fewer than {floor} ({measure}): a statistic of so few people identifies them",
                        source.id(),
                        def.table.name()
                    ),
                });
            }
        }
        Ok(findings)
    }
}

/// The roll-ups of a source that write into `aggregate`.
fn rollups_into<'s>(
    source: &'s SourceDef,
    aggregate: &'s Table,
) -> impl Iterator<Item = &'s Rollup> {
    source
        .tables
        .iter()
        .filter_map(|def| def.table.retention.as_ref()?.get_ref().rollup.as_ref())
        .map(|rollup| rollup.get_ref())
        .filter(move |rollup| rollup.into.get_ref() == aggregate.name())
}

/// The aggregate's group columns that roll-ups fill from a column as it is (not a
/// truncated time): the ones an `other` bucket sets to `other`.
fn other_columns(source: &SourceDef, aggregate: &Table) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for (name, group) in rollups_into(source, aggregate).flat_map(|r| &r.group) {
        if group.get_ref().truncate.is_none() && !columns.contains(name) {
            columns.push(name.clone());
        }
    }
    columns
}

/// The count measures roll-ups write into an aggregate table.
pub fn count_measures(source: &SourceDef, aggregate: &Table) -> Vec<String> {
    let mut measures: Vec<String> = Vec::new();
    for (name, measure) in rollups_into(source, aggregate).flat_map(|r| &r.measures) {
        if measure.get_ref().op == MeasureOp::Count && !measures.contains(name) {
            measures.push(name.clone());
        }
    }
    measures
}
