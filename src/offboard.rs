//! Offboarding a client account on contract termination (Art. 28(3)(g)): every row of
//! the account in every source is rolled up where retention rolls it up, then deleted in
//! chunks of short transactions; held rows stay, pseudonymised; the providers are told
//! for every subject of the account; an access run afterwards must find nothing of the
//! account outside its holds; and a signed deletion certificate says what was deleted,
//! kept and told, by table and count, never by content.
//!
//! Which rows belong to the account is [`crate::plan::offboard`]'s pure rule; this
//! module reads the facts, journals the run (the erasure journal, run ids `OFF-...`),
//! walks the tables and certifies.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, NewEntry};
use crate::erasure::receipt::{ControllerRef, ManualReceipt, ProviderReceipt, StepOutcome};
use crate::erasure::workflow::{self, Calls, ProviderStep, failpoint};
use crate::output::Output;
use crate::plan::erase::{REDACTED, is_masked};
use crate::plan::offboard::{self as rule, Membership};
use crate::plan::retention::TableSweep;
use crate::policy::{
    Engine, HoldAction, Mask, MeasureOp, Policy, RetentionAction, SourceDef, Table,
};
use crate::sources::SourcePool;
use crate::sources::rows::{ColumnInfo, Key, Kind};
use crate::sources::walk;
use crate::sql::Sql;
use crate::store::Store;
use crate::store::journal::{self, Step, StepKind, StepStatus};
use crate::store::lease::Lease;
use crate::subject::{IdentityRule, Subject, SubjectKey};
use crate::template::Placeholder;

/// Rows per chunk at first; each chunk's transaction is kept near [`CHUNK_TARGET`] (or
/// [`LOG_CHUNK_TARGET`], [`SHARED_CHUNK_TARGET`]).
const FIRST_CHUNK: usize = 5_000;
const MAX_CHUNK: usize = 2_000_000;
/// Under the second a chunk may last by half as long again: a chunk may take that much
/// longer than the one before it (a cold page). Not shorter: each chunk also pays a part
/// that does not grow with its rows (the pages of an index the walk does not follow are
/// written back and journaled at every commit, about 150 ms for an account of 8,000,000
/// rows on SQLite), so each chunk fewer saves that part.
const CHUNK_TARGET: Duration = Duration::from_millis(650);
/// The target for a SQLite file in write-ahead-log mode: a commit that fills the log
/// also checkpoints it, so chunks vary more (965 ms at the 650 ms target).
const LOG_CHUNK_TARGET: Duration = Duration::from_millis(550);
/// The target while two tables are emptied at once: each chunk's time then also depends
/// on the other table's (the server's write-ahead log and checkpoints are shared).
const SHARED_CHUNK_TARGET: Duration = Duration::from_millis(400);

/// A hold as the plan counts it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeldPlan {
    pub reason: String,
    pub article: String,
    pub action: HoldAction,
    pub rows: u64,
}

/// What a roll-up adds to its aggregate, and the aggregate's totals before.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RollupPlan {
    pub into: String,
    pub rows: u64,
    /// Measure column -> its total over the aggregate before the offboarding.
    pub before: BTreeMap<String, i64>,
    /// Measure column -> what the account's rows add to it.
    pub adds: BTreeMap<String, i64>,
}

/// One table of the account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TablePlan {
    pub table: String,
    /// Rows of the account when the offboarding began.
    pub rows: u64,
    pub delete: u64,
    pub held: Vec<HeldPlan>,
    /// Rows kept because held rows still reference them.
    pub referenced: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollup: Option<RollupPlan>,
    /// One chunk's statements, as they run (n: the chunk's size).
    pub statements: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourcePlan {
    pub source: String,
    pub tables: Vec<TablePlan>,
}

/// The whole plan, for people and scripts.
#[derive(Debug, Serialize)]
pub struct Plan {
    pub dry_run: bool,
    /// The account as a keyed reference.
    pub account_ref: String,
    pub scope: String,
    pub sources: Vec<SourcePlan>,
    /// Identity values of the account's people that provider erase requests name
    /// (read only for the identity kinds a request uses).
    pub subjects: usize,
    pub providers: Vec<PlannedCall>,
    pub manual: Vec<PlannedTask>,
}

#[derive(Debug, Serialize)]
pub struct PlannedCall {
    pub step: String,
    pub request: String,
}

#[derive(Debug, Serialize)]
pub struct PlannedTask {
    pub task: String,
    pub instruction: String,
}

/// One belonging table, resolved against the live schema.
struct Work<'p> {
    table: &'p Table,
    columns: Vec<ColumnInfo>,
    key_columns: Vec<ColumnInfo>,
    /// The account's rows.
    account: Sql,
    /// Per hold: the account's rows it keeps.
    holds: Vec<(HeldPlan, Sql)>,
    /// The account's rows that go: under no hold, referenced by no kept row.
    removable: Sql,
    rollup: Option<TableSweep<'p>>,
    /// SQLite: the name of the rowid (None: WITHOUT ROWID).
    rowid: Option<&'static str>,
}

struct SourceWork<'p> {
    source: &'p SourceDef,
    pool: SourcePool,
    tables: Vec<Work<'p>>,
}

/// One offboarding: whose account, under which policy and store, by whom.
pub struct Offboarding<'a> {
    pub policy: &'a Policy,
    pub store: &'a Store,
    pub key: &'a SubjectKey,
    pub account: &'a str,
    pub request: Option<&'a str>,
    pub actor: String,
    pub out: &'a Output,
    pub now: DateTime<Utc>,
}

/// What the facts read for a plan are, once per run.
pub struct Prepared<'p> {
    sources: Vec<SourceWork<'p>>,
    pub plan: Plan,
    steps: Vec<ProviderStep>,
}

impl<'a> Offboarding<'a> {
    /// The account's keyed reference: accounts appear in the trail, the journal and the
    /// certificate only as this.
    pub fn account_ref(&self) -> String {
        self.key.reference(&Subject {
            kind: "account".into(),
            value: self.account.into(),
        })
    }

    /// Reads the facts and computes the plan: rows per table, holds, roll-ups, the
    /// provider calls for every subject of the account. Changes nothing.
    pub async fn prepare(&self) -> Result<Prepared<'a>> {
        let tenant = rule::tenant(self.policy)?;
        let mut sources = Vec::new();
        let mut plans = Vec::new();
        let mut identities: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut column_values: BTreeMap<(String, String, String), BTreeSet<String>> =
            BTreeMap::new();
        let mut categories = BTreeSet::new();
        let placeholders = workflow::erase_placeholders(self.policy);
        let wanted_kinds: BTreeSet<&str> = placeholders
            .iter()
            .filter_map(|p| match p {
                Placeholder::Identity(kind) => Some(kind.as_str()),
                Placeholder::Column { .. } | Placeholder::New(_) => None,
            })
            .collect();
        for source in &self.policy.sources {
            let belong = rule::memberships(tenant, source);
            if belong.is_empty() {
                continue;
            }
            let pool = SourcePool::connect(self.policy, source).await?;
            let work = self.resolve(source, &pool, &belong).await?;
            let mut tables = Vec::new();
            for w in &work {
                let plan = count(&pool, w).await.with_context(|| {
                    format!("source `{}`, table `{}`", source.id(), w.table.name())
                })?;
                if plan.rows > 0 {
                    categories.extend(w.table.personal_columns().map(|(_, s)| s.category.clone()));
                    // Only the kinds a provider's erase request names are read.
                    for (column, kind) in w
                        .table
                        .identity_columns()
                        .filter(|(_, kind)| wanted_kinds.contains(kind))
                    {
                        let rule = source
                            .identities
                            .get(kind)
                            .map(IdentityRule::of)
                            .with_context(|| format!("identity kind `{kind}` is not declared"))?;
                        for value in distinct(&pool, w, column).await? {
                            // A value that does not normalise is no one the providers know.
                            if let Ok(value) = rule.normalise(&value) {
                                identities
                                    .entry(kind.to_string())
                                    .or_default()
                                    .insert(value);
                            }
                        }
                    }
                    for placeholder in &placeholders {
                        if let Placeholder::Column {
                            source: s,
                            table,
                            column,
                        } = placeholder
                        {
                            if s == source.id() && table == w.table.name() {
                                column_values
                                    .entry((s.clone(), table.clone(), column.clone()))
                                    .or_default()
                                    .extend(distinct(&pool, w, column).await?);
                            }
                        }
                    }
                }
                tables.push(plan);
            }
            plans.push(SourcePlan {
                source: source.id().to_string(),
                tables,
            });
            sources.push(SourceWork {
                source,
                pool,
                tables: work,
            });
        }
        let steps =
            workflow::provider_steps_for(self.policy, &categories, workflow::Call::Erase, |p| {
                match p {
                    Placeholder::Identity(kind) => identities
                        .get(kind)
                        .map(|v| v.iter().cloned().collect())
                        .unwrap_or_default(),
                    Placeholder::Column {
                        source,
                        table,
                        column,
                    } => column_values
                        .get(&(source.clone(), table.clone(), column.clone()))
                        .map(|v| v.iter().cloned().collect())
                        .unwrap_or_default(),
                    Placeholder::New(_) => Vec::new(),
                }
            });
        let plan = Plan {
            dry_run: true,
            account_ref: self.account_ref(),
            scope: tenant.name.clone(),
            sources: plans,
            subjects: identities.values().map(BTreeSet::len).sum(),
            providers: steps
                .iter()
                .filter(|s| s.kind == StepKind::Provider)
                .map(|s| PlannedCall {
                    step: s.step_id.clone(),
                    request: s.shown.clone(),
                })
                .collect(),
            manual: steps
                .iter()
                .filter(|s| s.kind == StepKind::Manual)
                .map(|s| PlannedTask {
                    task: s.step_id.clone(),
                    instruction: s.description.clone(),
                })
                .collect(),
        };
        Ok(Prepared {
            sources,
            plan,
            steps,
        })
    }

    /// Each belonging table against the live schema, in deletion order.
    async fn resolve<'p>(
        &self,
        source: &'p SourceDef,
        pool: &SourcePool,
        belong: &BTreeMap<&'p str, Membership<'p>>,
    ) -> Result<Vec<Work<'p>>> {
        let tables = rule::tables_by_name(source);
        let mut columns: BTreeMap<String, Vec<ColumnInfo>> = BTreeMap::new();
        for name in belong.keys() {
            let found = pool
                .table_columns(name)
                .await
                .with_context(|| format!("source `{}`", source.id()))?;
            columns.insert(name.to_string(), found);
        }
        let dialect = pool.dialect();
        let mut work = Vec::new();
        // Tables whose kept rows may still reference a parent: their relations guard it.
        let mut keeps_children: BTreeMap<&str, Vec<(&Table, &crate::policy::Relation)>> =
            BTreeMap::new();
        for name in belong.keys() {
            let table = tables[name];
            if table.hold.is_empty() {
                continue;
            }
            // A pseudonymising hold that masks the link to NULL lets go of the parent.
            let lets_go = |relation: &crate::policy::Relation| {
                table
                    .hold
                    .iter()
                    .all(|h| h.get_ref().action == HoldAction::Pseudonymise)
                    && relation
                        .columns
                        .iter()
                        .all(|c| table.column(c.get_ref()).and_then(|s| s.mask) == Some(Mask::Null))
            };
            for relation in &table.relation {
                let relation = relation.get_ref();
                if lets_go(relation) {
                    continue;
                }
                keeps_children
                    .entry(relation.references.get_ref().as_str())
                    .or_default()
                    .push((table, relation));
            }
        }
        for name in rule::deletion_order(source, belong) {
            let table = tables[name];
            let table_columns = columns[name].clone();
            let account = rule::condition(dialect, belong, &columns, &tables, name, self.account)
                .with_context(|| format!("source `{}`, table `{name}`", source.id()))?;
            let mut holds = Vec::new();
            for hold in &table.hold {
                let hold = hold.get_ref();
                if let Some(condition) =
                    crate::plan::hold::condition(pool, table, &table_columns, hold, self.now)
                        .await?
                {
                    holds.push((
                        HeldPlan {
                            reason: hold.reason.clone(),
                            article: hold.article.clone(),
                            action: hold.action,
                            rows: 0,
                        },
                        condition,
                    ));
                }
            }
            let mut removable = account.clone();
            for (_, condition) in &holds {
                removable.push(" AND NOT ").append(condition);
            }
            let key_columns: Vec<ColumnInfo> = table
                .key_columns()
                .iter()
                .map(|k| {
                    table_columns
                        .iter()
                        .find(|c| &c.name == k)
                        .cloned()
                        .with_context(|| format!("key column `{name}.{k}` is not in the database"))
                })
                .collect::<Result<_>>()?;
            for (child, relation) in keeps_children.get(name).into_iter().flatten() {
                let to: Vec<String> = if relation.to.is_empty() {
                    table.key_columns().iter().map(|k| k.to_string()).collect()
                } else {
                    relation.to.iter().map(|c| c.get_ref().clone()).collect()
                };
                let matches: Vec<String> = relation
                    .columns
                    .iter()
                    .zip(&to)
                    .map(|(from, to)| {
                        format!(
                            "{}.{} = {}.{}",
                            dialect.quote(child.name()),
                            dialect.quote(from.get_ref()),
                            dialect.quote(name),
                            dialect.quote(to)
                        )
                    })
                    .collect();
                removable.push(&format!(
                    " AND NOT EXISTS (SELECT 1 FROM {} WHERE {})",
                    dialect.quote(child.name()),
                    matches.join(" AND ")
                ));
            }
            let rollup = match table.retention.as_ref().map(|r| r.get_ref()) {
                Some(r) if r.then == RetentionAction::Rollup => {
                    Some(TableSweep::prepare(pool, source, table, self.now).await?)
                }
                _ => None,
            };
            let rowid = match pool.engine() {
                Engine::Sqlite => {
                    crate::plan::retention::rowid_name(pool, name, &table_columns).await
                }
                _ => None,
            };
            work.push(Work {
                table,
                columns: table_columns,
                key_columns,
                account,
                holds,
                removable,
                rollup,
                rowid,
            });
        }
        Ok(work)
    }

    /// Writes every row of the account, table by table, into an archive in the access
    /// export's format (JSON and CSV per table, a README, a manifest with each file's
    /// digest), before anything is deleted.
    pub async fn export(
        &self,
        prepared: &Prepared<'_>,
        mut output: crate::archive::ArchiveOutput,
    ) -> Result<crate::access::Exported> {
        let target = output.target().to_path_buf();
        let generated_at = crate::archive::generation_time()?;
        let mut archive = output.writer()?;
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        let total: u64 = prepared
            .plan
            .sources
            .iter()
            .flat_map(|s| &s.tables)
            .map(|t| t.rows)
            .sum();
        let bar = self.out.progress(total, "exporting the account");
        for work in &prepared.sources {
            for w in &work.tables {
                let rows;
                (archive, rows) = crate::access::export_table(
                    archive,
                    &work.pool,
                    work.source.id(),
                    crate::access::Selection::Where(&w.account, &w.key_columns),
                    w.table.name(),
                )
                .await
                .with_context(|| {
                    format!("source `{}`, table `{}`", work.source.id(), w.table.name())
                })?;
                bar.inc(rows);
                counts.insert(format!("{}.{}", work.source.id(), w.table.name()), rows);
            }
        }
        bar.finish_and_clear();
        let mut readme = format!(
            "# Export of a {scope}\n\nEvery row of the {scope} `{account}` in every source of the policy, written {generated_at}\nbefore the account was offboarded. Each table is in `sources/SOURCE/TABLE.json` and `.csv`;\n`manifest.json` lists every file with its SHA-256.\n\n| table | rows |\n| --- | --- |\n",
            scope = prepared.plan.scope,
            account = self.account,
        );
        for (table, rows) in &counts {
            readme.push_str(&format!("| `{table}` | {rows} |\n"));
        }
        archive.add("README.md", readme.as_bytes())?;
        let manifest = json!({
            "kind": "account",
            "tool": format!("privops {}", env!("CARGO_PKG_VERSION")),
            "generated_at": generated_at,
            "policy_digest": self.policy.digest,
            "account_ref": self.account_ref(),
            "request": self.request,
            "rows": counts,
        });
        let sha256 = output.seal(archive, manifest)?;
        let encrypted = output.encrypted();
        let mut tx = self.store.begin_write().await?;
        audit::append(
            &mut tx,
            &self.actor,
            &[NewEntry::new(
                "offboard.export",
                json!({ "request": self.request, "rows": counts, "archive_sha256": sha256, "encrypted": encrypted }),
            )
            .about(&self.account_ref())],
        )
        .await?;
        output.commit()?;
        tx.commit().await?;
        Ok(crate::access::Exported {
            target,
            sha256,
            total_rows: counts.values().sum(),
            counts,
            providers: Vec::new(),
            found_anything: total > 0,
            encrypted,
        })
    }

    /// The run of this account that is open, or a new run id with its number.
    async fn run_id(&self) -> Result<(String, bool)> {
        let base = format!("OFF-{}", &self.account_ref()[..16]);
        for n in 1.. {
            let id = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            match journal::run_exists(&self.store.pool, &id).await?.as_deref() {
                None => return Ok((id, false)),
                Some("open") => return Ok((id, true)),
                Some(_) => continue,
            }
        }
        unreachable!("some run number is free")
    }

    /// The open run of this account, if an earlier offboarding stopped.
    pub async fn open_run(&self) -> Result<Option<String>> {
        let (id, open) = self.run_id().await?;
        Ok(open.then_some(id))
    }

    /// Opens a new run: a step per source (with its plan), provider call and manual task,
    /// and the verification.
    pub async fn start(&self, prepared: &Prepared<'_>) -> Result<String> {
        let (run_id, _) = self.run_id().await?;
        let account_ref = self.account_ref();
        let mut tx = self.store.begin_write().await?;
        audit::record_policy_version(&mut tx, &self.actor, &self.policy.digest).await?;
        journal::create_run(&mut tx, &run_id, &[]).await?;
        let mut position = 0;
        for plan in &prepared.plan.sources {
            position += 1;
            journal::add_step(
                &mut tx,
                &run_id,
                position,
                &format!("source:{}", plan.source),
                StepKind::Source,
                &format!("delete the account's rows in source `{}`", plan.source),
                Some(plan),
            )
            .await?;
        }
        let position =
            workflow::add_provider_steps(&mut tx, &run_id, position, &prepared.steps).await?;
        journal::add_step(
            &mut tx,
            &run_id,
            position + 1,
            "verify",
            StepKind::Verify,
            "verify that no row of the account is left outside a hold and that aggregates add up",
            Some(&RunHeader {
                account_ref: account_ref.clone(),
                request: self.request.map(str::to_string),
            }),
        )
        .await?;
        let rows: BTreeMap<String, u64> = prepared
            .plan
            .sources
            .iter()
            .flat_map(|s| {
                s.tables
                    .iter()
                    .map(move |t| (format!("{}.{}", s.source, t.table), t.rows))
            })
            .collect();
        audit::append(
            &mut tx,
            &self.actor,
            &[NewEntry::new(
                "offboard.plan",
                json!({ "run": run_id, "request": self.request, "rows": rows, "provider_calls": prepared.plan.providers.len(), "manual_tasks": prepared.plan.manual.len() }),
            )
            .about(&account_ref)],
        )
        .await?;
        tx.commit().await?;
        Ok(run_id)
    }

    /// Runs what is left of the run: each source's tables in chunks, the providers, the
    /// verification.
    pub async fn execute(
        &self,
        run_id: &str,
        prepared: &Prepared<'_>,
        leases: &[Lease],
    ) -> Result<()> {
        let steps = journal::steps(&self.store.pool, run_id).await?;
        let left = steps
            .iter()
            .filter(|s| s.status != StepStatus::Done && s.kind == StepKind::Source)
            .count();
        let bar = self.out.progress(left as u64, "offboarding: sources");
        for step in &steps {
            if step.kind != StepKind::Source || step.status == StepStatus::Done {
                continue;
            }
            let source_id = step.step_id.trim_start_matches("source:");
            let Some(work) = prepared.sources.iter().find(|s| s.source.id() == source_id) else {
                bail!("source `{source_id}` of run {run_id} is no longer in the policy");
            };
            Lease::renew_all(leases, self.store).await?;
            failpoint(&format!("before-source:{source_id}")).await?;
            let emptied = empty_tables(work, source_id, self.key, leases, self.store).await?;
            let mut done = BTreeMap::new();
            for (w, (masked, emptied)) in work.tables.iter().zip(emptied) {
                self.out.detail(&format!(
                    "source `{source_id}`, table `{}`: {} deleted in {} chunk(s), {:.1} s (longest {} ms), {masked} held row(s) pseudonymised",
                    w.table.name(),
                    emptied.deleted,
                    emptied.chunks,
                    emptied.took.as_secs_f64(),
                    emptied.longest.as_millis(),
                ));
                done.insert(
                    w.table.name().to_string(),
                    json!({
                        "deleted": emptied.deleted,
                        "pseudonymised": masked,
                        "chunks": emptied.chunks,
                        "ms": emptied.took.as_millis() as u64,
                        "longest_chunk_ms": emptied.longest.as_millis() as u64,
                        "walk": emptied.walk,
                    }),
                );
            }
            let mut tx = self.store.begin_write().await?;
            journal::set_step(
                &mut tx,
                run_id,
                &step.step_id,
                StepStatus::Done,
                &json!({ "tables": done }),
            )
            .await?;
            audit::append(
                &mut tx,
                &self.actor,
                &[NewEntry::new(
                    "offboard.source",
                    json!({ "run": run_id, "source": source_id, "tables": done }),
                )
                .about(&self.account_ref())],
            )
            .await?;
            tx.commit().await?;
            bar.inc(1);
        }
        bar.finish_and_clear();
        let bar = self.out.progress(
            steps
                .iter()
                .filter(|s| s.kind == StepKind::Provider && s.status != StepStatus::Done)
                .count() as u64,
            "offboarding: providers",
        );
        workflow::call_providers(
            &Calls {
                store: self.store,
                policy: self.policy,
                actor: &self.actor,
                run_id,
                action: "offboard.provider",
                call: workflow::Call::Erase,
            },
            leases,
            &bar,
            self.out,
        )
        .await?;
        bar.finish_and_clear();
        self.verify(run_id, prepared).await
    }

    /// An access run for the account finds nothing outside its holds; each aggregate's
    /// totals are its totals before plus what the account's rows added.
    async fn verify(&self, run_id: &str, prepared: &Prepared<'_>) -> Result<()> {
        let steps = journal::steps(&self.store.pool, run_id).await?;
        let sources_done = steps
            .iter()
            .filter(|s| s.kind == StepKind::Source)
            .all(|s| s.status == StepStatus::Done);
        if !sources_done
            || steps
                .iter()
                .any(|s| s.kind == StepKind::Verify && s.status == StepStatus::Done)
        {
            return Ok(());
        }
        let plans = source_plans(&steps);
        let mut left = Vec::new();
        let mut kept = BTreeMap::new();
        let mut totals = Vec::new();
        for work in &prepared.sources {
            // Per aggregate: tables that roll into the same one add up together.
            let mut rolled: BTreeMap<String, Rolled> = BTreeMap::new();
            for w in &work.tables {
                let still = count_rows(&work.pool, w.table.name(), &w.account).await?;
                // Without holds or kept references every row of the account must be gone:
                // one count says both.
                let remaining = if w.removable == w.account {
                    still
                } else {
                    count_rows(&work.pool, w.table.name(), &w.removable).await?
                };
                if remaining > 0 {
                    left.push(format!(
                        "{}.{}: {remaining} row(s) of the account outside any hold",
                        work.source.id(),
                        w.table.name()
                    ));
                }
                kept.insert(format!("{}.{}", work.source.id(), w.table.name()), still);
                let planned = plans
                    .iter()
                    .find(|p| p.source == work.source.id())
                    .and_then(|p| p.tables.iter().find(|t| t.table == w.table.name()));
                if let (Some(rollup), Some(sweep)) =
                    (planned.and_then(|t| t.rollup.as_ref()), &w.rollup)
                {
                    let (_, before, added) = rolled
                        .entry(rollup.into.clone())
                        .or_insert_with(|| (sweep, rollup.before.clone(), BTreeMap::new()));
                    for measure in before.keys() {
                        *added.entry(measure.clone()).or_default() +=
                            rollup.adds.get(measure).copied().unwrap_or(0);
                    }
                }
            }
            let source = work.source.id();
            for (into, (sweep, before, added)) in rolled {
                let after = aggregate_totals(&work.pool, sweep).await?;
                for (measure, before) in &before {
                    let added = added.get(measure).copied().unwrap_or(0);
                    let now = after.get(measure).copied().unwrap_or(0);
                    if before + added != now {
                        left.push(format!(
                            "{source}.{into}.{measure}: {before} before + {added} rolled up = {}, but the total is {now}",
                            before + added
                        ));
                    }
                    totals.push(AggregateTotal {
                        aggregate: format!("{source}.{into}"),
                        measure: measure.clone(),
                        before: *before,
                        added,
                        after: now,
                    });
                }
            }
        }
        let (status, outcome) = if left.is_empty() {
            (
                StepStatus::Done,
                StepOutcome::new(format!(
                    "no row of the account is left outside a hold ({} row(s) kept under holds); every aggregate adds up",
                    kept.values().sum::<u64>()
                )),
            )
        } else {
            (
                StepStatus::Failed,
                StepOutcome::new(format!("not done: {}", left.join("; "))),
            )
        };
        let mut tx = self.store.begin_write().await?;
        journal::set_step(
            &mut tx,
            run_id,
            "verify",
            status,
            &Verified {
                outcome: outcome.outcome,
                kept: kept.clone(),
                aggregates: totals,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            &self.actor,
            &[NewEntry::new(
                "offboard.verify",
                json!({ "run": run_id, "status": status, "kept": kept }),
            )
            .about(&self.account_ref())],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Counts what the plan will do to one table.
async fn count(pool: &SourcePool, w: &Work<'_>) -> Result<TablePlan> {
    let name = w.table.name();
    let rows = count_rows(pool, name, &w.account).await?;
    // Without holds or kept references every row of the account goes: no second count.
    let delete = if rows == 0 || w.removable == w.account {
        rows
    } else {
        count_rows(pool, name, &w.removable).await?
    };
    let mut held = Vec::new();
    let mut any_held = Sql::default();
    for (i, (plan, condition)) in w.holds.iter().enumerate() {
        let mut c = w.account.clone();
        c.push(" AND ").append(condition);
        let rows = if rows == 0 {
            0
        } else {
            count_rows(pool, name, &c).await?
        };
        held.push(HeldPlan {
            rows,
            ..plan.clone()
        });
        any_held
            .push(if i == 0 { "(" } else { " OR " })
            .append(condition);
    }
    let held_rows = if w.holds.is_empty() || rows == 0 {
        0
    } else {
        any_held.push(")");
        let mut c = w.account.clone();
        c.push(" AND ").append(&any_held);
        count_rows(pool, name, &c).await?
    };
    let rollup = match &w.rollup {
        Some(sweep) => {
            let r = sweep
                .retention
                .rollup
                .as_ref()
                .expect("a roll-up table")
                .get_ref();
            let before = aggregate_totals(pool, sweep).await?;
            let mut adds = BTreeMap::new();
            for (measure, m) in &r.measures {
                let m = m.get_ref();
                let added = match (m.op, &m.column) {
                    (MeasureOp::Count, _) => delete as i64,
                    (MeasureOp::Sum, Some(column)) => {
                        let mut sql = Sql::new(format!(
                            "SELECT {} FROM {} WHERE ",
                            as_int(pool, &format!("COALESCE(SUM({}), 0)", pool.quote(column))),
                            pool.quote(name)
                        ));
                        sql.append(&w.removable);
                        one_int(pool, &sql).await?
                    }
                    (MeasureOp::Sum, None) => 0,
                };
                adds.insert(measure.clone(), added);
            }
            Some(RollupPlan {
                into: r.into.get_ref().clone(),
                rows: delete,
                before,
                adds,
            })
        }
        None => None,
    };
    Ok(TablePlan {
        table: name.to_string(),
        rows,
        delete,
        held,
        referenced: rows - delete - held_rows.min(rows - delete),
        rollup,
        statements: describe(pool, w)?,
    })
}

/// Each measure's total over a roll-up's aggregate table.
async fn aggregate_totals(
    pool: &SourcePool,
    sweep: &TableSweep<'_>,
) -> Result<BTreeMap<String, i64>> {
    let r = sweep
        .retention
        .rollup
        .as_ref()
        .expect("a roll-up table")
        .get_ref();
    let mut totals = BTreeMap::new();
    for measure in r.measures.keys() {
        let sql = Sql::new(format!(
            "SELECT {} FROM {}",
            as_int(pool, &format!("COALESCE(SUM({}), 0)", pool.quote(measure))),
            pool.quote(r.into.get_ref())
        ));
        totals.insert(measure.clone(), one_int(pool, &sql).await?);
    }
    Ok(totals)
}

/// `expr` (a count or a sum) as a 64-bit integer on every engine (MariaDB sums are
/// decimals).
fn as_int(pool: &SourcePool, expr: &str) -> String {
    match pool.engine() {
        Engine::Postgres => format!("CAST({expr} AS BIGINT)"),
        Engine::Mysql => format!("CAST({expr} AS SIGNED)"),
        Engine::Sqlite => expr.to_string(),
    }
}

async fn one_int(pool: &SourcePool, sql: &Sql) -> Result<i64> {
    let mut found = 0;
    pool.for_each_row(sql, &[Kind::Int], |row| {
        found = row[0]
            .as_i64()
            .or_else(|| row[0].as_f64().map(|f| f as i64))
            .or_else(|| row[0].as_str().and_then(|s| s.parse().ok()))
            .unwrap_or(0);
        Ok(())
    })
    .await?;
    Ok(found)
}

async fn count_rows(pool: &SourcePool, table: &str, condition: &Sql) -> Result<u64> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM {} WHERE ",
        as_int(pool, "COUNT(*)"),
        pool.quote(table)
    ));
    sql.append(condition);
    Ok(one_int(pool, &sql).await?.max(0) as u64)
}

/// The distinct non-NULL values of a column among the account's rows.
async fn distinct(pool: &SourcePool, w: &Work<'_>, column: &str) -> Result<Vec<String>> {
    let Some(info) = w.columns.iter().find(|c| c.name == column) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new(format!(
        "SELECT DISTINCT {} FROM {} WHERE {} IS NOT NULL AND ",
        pool.select_expr(info),
        pool.quote(w.table.name()),
        pool.quote(column)
    ));
    sql.append(&w.account);
    let mut values = Vec::new();
    pool.for_each_row(&sql, &[info.kind], |row| {
        if let Some(text) = Key::from_json(&row[0]).as_text() {
            values.push(text);
        }
        Ok(())
    })
    .await?;
    Ok(values)
}

/// How one chunk picks its rows on each engine: a condition over row addresses (SQLite
/// rowids), an array of row addresses locked first (PostgreSQL), or keys locked first
/// (MariaDB/MySQL, SQLite tables without rowid).
enum Pick {
    Rowid(&'static str),
    Ctid,
    Keys,
}

fn pick_of(pool: &SourcePool, w: &Work<'_>) -> Pick {
    match (pool.engine(), w.rowid) {
        (Engine::Sqlite, Some(rowid)) => Pick::Rowid(rowid),
        (Engine::Postgres, _) => Pick::Ctid,
        _ => Pick::Keys,
    }
}

/// A chunk's statements, as `--dry-run` shows them.
fn describe(pool: &SourcePool, w: &Work<'_>) -> Result<Vec<String>> {
    let table = pool.quote(w.table.name());
    let removable = pool.render(&w.removable);
    let rows = match pick_of(pool, w) {
        Pick::Rowid(rowid) => format!(
            "{removable} AND {rowid} <= <the {rowid} n rows on: SELECT {rowid} FROM {table} WHERE {removable} ORDER BY {rowid} LIMIT 1 OFFSET n - 1>"
        ),
        Pick::Ctid => format!(
            "ctid >= '(a,0)'::tid AND ctid < '(b,0)'::tid AND {removable} <heap block range after range; where the account holds under 1% of the table: ctid = ANY(ARRAY(SELECT ctid FROM {table} WHERE {removable} LIMIT n))>"
        ),
        Pick::Keys => {
            format!("<keys of: SELECT ... FROM {table} WHERE {removable} LIMIT n FOR UPDATE>")
        }
    };
    let mut statements = Vec::new();
    match (&w.rollup, pick_of(pool, w)) {
        (Some(sweep), Pick::Ctid) => {
            let insert = sweep
                .rollup_sql(pool)?
                .insert_select("gone", &Sql::new("TRUE"));
            statements.push(format!(
                "WITH gone AS (DELETE FROM {table} WHERE {rows} RETURNING *), rolled AS ({}) SELECT COUNT(*) FROM gone",
                pool.render(&insert)
            ));
        }
        (Some(sweep), _) => {
            let insert = sweep
                .rollup_sql(pool)?
                .insert_select(&table, &Sql::new(rows.clone()));
            statements.push(pool.render(&insert));
            statements.push(format!("DELETE FROM {table} WHERE {rows}"));
        }
        (None, _) => statements.push(format!("DELETE FROM {table} WHERE {rows}")),
    }
    Ok(statements)
}

/// Empties every table of one source (held rows pseudonymised, the rest deleted), in
/// deletion order; returns per table, in that order, the rows pseudonymised and what
/// emptying it took.
///
/// On PostgreSQL and MariaDB/MySQL two tables are emptied at once when nothing ties them
/// (the server's cores work on both): a table starts once every earlier table tied to it
/// is done. Tied are tables one of which references the other (in the policy or by a
/// foreign key of the database), tables that roll up (an aggregate's rows are updated by
/// every table that rolls into it), a table whose rows are kept by a hold or by the rows
/// that point at them (its conditions read other tables), and the accounts table, which
/// goes last. SQLite has one writer: its tables go one after another.
async fn empty_tables(
    work: &SourceWork<'_>,
    source_id: &str,
    key: &SubjectKey,
    leases: &[Lease],
    store: &Store,
) -> Result<Vec<(u64, Emptied)>> {
    let tables = &work.tables;
    let at_once = match work.pool.engine() {
        Engine::Sqlite => 1,
        Engine::Postgres | Engine::Mysql => 2,
    };
    // The earlier tables each one waits for. One at a time, tables start in order anyway.
    let mut waits_for: Vec<Vec<usize>> = vec![Vec::new(); tables.len()];
    if at_once > 1 {
        for (earlier, later) in tied_tables(&work.pool, tables).await? {
            waits_for[later].push(earlier);
        }
    }
    let kept = work.pool.keep_journal().await;
    let emptied = run_tables(work, source_id, key, leases, store, at_once, &waits_for).await;
    work.pool.release_journal(kept).await;
    emptied
}

/// [`empty_tables`]'s work: up to `at_once` tables at a time, each after the tables it
/// waits for.
async fn run_tables(
    work: &SourceWork<'_>,
    source_id: &str,
    key: &SubjectKey,
    leases: &[Lease],
    store: &Store,
    at_once: usize,
    waits_for: &[Vec<usize>],
) -> Result<Vec<(u64, Emptied)>> {
    use futures_util::StreamExt;
    let tables = &work.tables;
    let target = if at_once > 1 {
        SHARED_CHUNK_TARGET
    } else if work.pool.write_ahead_log().await {
        LOG_CHUNK_TARGET
    } else {
        CHUNK_TARGET
    };
    let one = |i: usize| async move {
        let w = &tables[i];
        let context = || format!("source `{source_id}`, table `{}`", w.table.name());
        let masked = pseudonymise_held(&work.pool, w, key)
            .await
            .with_context(context)?;
        let emptied = empty(&work.pool, source_id, w, target, leases, store)
            .await
            .with_context(context)?;
        Ok::<_, anyhow::Error>((i, masked, emptied))
    };
    let mut results: Vec<Option<(u64, Emptied)>> = (0..tables.len()).map(|_| None).collect();
    let mut started = vec![false; tables.len()];
    let mut running = futures_util::stream::FuturesUnordered::new();
    loop {
        for (i, started) in started.iter_mut().enumerate() {
            if running.len() >= at_once {
                break;
            }
            if !*started && waits_for[i].iter().all(|&j| results[j].is_some()) {
                *started = true;
                running.push(one(i));
            }
        }
        let Some(finished) = running.next().await else {
            break;
        };
        let (i, masked, emptied) = finished?;
        results[i] = Some((masked, emptied));
    }
    Ok(results.into_iter().flatten().collect())
}

/// Pairs `(earlier, later)` of tables (indexes into `tables`) that must not be emptied at
/// the same time; see [`empty_tables`].
async fn tied_tables(pool: &SourcePool, tables: &[Work<'_>]) -> Result<Vec<(usize, usize)>> {
    let foreign_keys = pool.foreign_keys().await?;
    let names: Vec<&str> = tables.iter().map(|w| w.table.name()).collect();
    let refers = |a: &Work<'_>, b: &str| {
        a.table.points_at(b)
            || foreign_keys
                .iter()
                .any(|k| k.table == a.table.name() && k.referenced_table == b)
    };
    let alone = |w: &Work<'_>| w.removable != w.account || w.table.tenant.is_none();
    let mut tied = Vec::new();
    for (i, a) in tables.iter().enumerate() {
        for (j, b) in tables.iter().enumerate().skip(i + 1) {
            if alone(a)
                || alone(b)
                || (a.rollup.is_some() && b.rollup.is_some())
                || refers(a, names[j])
                || refers(b, names[i])
            {
                tied.push((i, j));
            }
        }
    }
    Ok(tied)
}

/// One table emptied of the account's removable rows.
struct Emptied {
    deleted: u64,
    chunks: u64,
    /// The whole table's time, and its longest chunk's.
    took: Duration,
    longest: Duration,
    /// How the table was walked: `rowids`, `heap blocks`, `index` or `keys`.
    walk: &'static str,
}

/// Deletes the account's removable rows of one table, rolling them up first where the
/// table rolls up, a chunk per transaction.
async fn empty(
    pool: &SourcePool,
    source_id: &str,
    w: &Work<'_>,
    target: Duration,
    leases: &[Lease],
    store: &Store,
) -> Result<Emptied> {
    let began = Instant::now();
    let mut batch = FIRST_CHUNK;
    let mut total = 0;
    let mut chunks = 0u64;
    let mut longest = Duration::ZERO;
    let table = pool.quote(w.table.name());
    let rollup = w.rollup.as_ref().map(|s| s.rollup_sql(pool)).transpose()?;
    let mut blocks = match pick_of(pool, w) {
        Pick::Ctid => Blocks::of(pool, w).await?,
        _ => None,
    };
    let walked = match (pick_of(pool, w), &blocks) {
        (Pick::Rowid(_), _) => "rowids",
        (Pick::Ctid, Some(_)) => "heap blocks",
        (Pick::Ctid, None) => "index",
        (Pick::Keys, _) => "keys",
    };
    loop {
        if let Some(blocks) = &mut blocks {
            // The end reached, rows added meanwhile lie beyond it.
            if blocks.next >= blocks.end {
                let (grown, _) = walk::heap_extent(pool, w.table.name()).await?;
                if grown <= blocks.end {
                    break;
                }
                blocks.end = grown;
            }
        }
        let started = Instant::now();
        let mut tx = pool.begin().await?;
        let chunk = match pick_of(pool, w) {
            Pick::Rowid(rowid) => {
                // The chunk ends at the rowid `batch` rows on (read from the index that
                // serves the condition); the delete then walks that index range itself,
                // as one `DELETE ... WHERE` would.
                let mut last = Sql::new(format!("SELECT {rowid} FROM {table} WHERE "));
                last.append(&w.removable).push(&format!(
                    " ORDER BY {rowid} LIMIT 1 OFFSET {}",
                    batch.saturating_sub(1)
                ));
                let end = tx
                    .fetch(&last, &[Kind::Int])
                    .await?
                    .first()
                    .and_then(|row| row[0].as_i64());
                let mut rows = w.removable.clone();
                if let Some(end) = end {
                    rows.push(&format!(" AND {rowid} <= ")).bind(end);
                }
                Chunk::Rows(rows)
            }
            Pick::Ctid => {
                // PostgreSQL: one statement picks the chunk's row addresses and deletes
                // them; a roll-up sums exactly the rows the delete returns.
                let picked = match &mut blocks {
                    Some(blocks) => blocks.next_range(batch, &w.removable),
                    None => {
                        let mut picked =
                            Sql::new(format!("ctid = ANY(ARRAY(SELECT ctid FROM {table} WHERE "));
                        picked
                            .append(&w.removable)
                            .push(&format!(" LIMIT {batch}))"));
                        picked
                    }
                };
                match &rollup {
                    Some(rollup) => {
                        let mut sql = Sql::new(format!("WITH gone AS (DELETE FROM {table} WHERE "));
                        sql.append(&picked)
                            .push(" RETURNING *), rolled AS (")
                            .append(&rollup.insert_select("gone", &Sql::new("TRUE")))
                            .push(") SELECT COUNT(*) FROM gone");
                        Chunk::Deleted(
                            tx.fetch(&sql, &[Kind::Int])
                                .await?
                                .first()
                                .and_then(|row| row[0].as_u64())
                                .unwrap_or(0),
                        )
                    }
                    None => Chunk::Rows(picked),
                }
            }
            Pick::Keys => {
                let select: Vec<String> =
                    w.key_columns.iter().map(|c| pool.select_expr(c)).collect();
                let kinds: Vec<Kind> = w.key_columns.iter().map(|c| c.kind).collect();
                let lock = if pool.engine() == Engine::Mysql {
                    " FOR UPDATE"
                } else {
                    ""
                };
                let limit = batch.min(30_000 / w.key_columns.len().max(1));
                let mut sql = Sql::new(format!("SELECT {} FROM {table} WHERE ", select.join(", ")));
                sql.append(&w.removable)
                    .push(&format!(" LIMIT {limit}{lock}"));
                let keys: Vec<Vec<Key>> = tx
                    .fetch(&sql, &kinds)
                    .await?
                    .iter()
                    .map(|r| r.iter().map(Key::from_json).collect())
                    .collect();
                if keys.is_empty() {
                    tx.commit().await?;
                    break;
                }
                let refs: Vec<&ColumnInfo> = w.key_columns.iter().collect();
                Chunk::Rows(
                    pool.dialect()
                        .in_list(&refs, keys.iter().map(Vec::as_slice)),
                )
            }
        };
        let deleted = match chunk {
            Chunk::Deleted(n) => n,
            Chunk::Rows(rows) => {
                if let Some(rollup) = &rollup {
                    tx.execute(&rollup.insert_select(&table, &rows)).await?;
                }
                let mut delete = Sql::new(format!("DELETE FROM {table} WHERE "));
                delete.append(&rows);
                tx.execute(&delete).await?
            }
        };
        tx.commit().await?;
        if deleted == 0 && blocks.is_none() {
            break;
        }
        total += deleted;
        chunks += 1;
        if chunks == 1 {
            failpoint(&format!("after-chunk:{source_id}.{}", w.table.name())).await?;
        }
        let took = started.elapsed();
        longest = longest.max(took);
        // A chunk's time is a part that grows with its rows and a part that does not
        // (the pages of an index whose order the walk does not follow are written back at
        // every commit): chunks as long as the target allows cost least per row.
        batch = walk::scaled_batch(batch, took, target, 100..=MAX_CHUNK);
        if chunks % 20 == 0 {
            Lease::renew_all(leases, store).await?;
        }
    }
    Ok(Emptied {
        deleted: total,
        chunks,
        took: began.elapsed(),
        longest,
        walk: walked,
    })
}

/// PostgreSQL, for an account with a good share of a table's rows: the heap walked in
/// block ranges (TID range scans), each page read once, as one `DELETE` reads them. Found
/// through an index instead, each chunk would first step over the index entries of the
/// rows the chunks before it deleted, which stay until a vacuum.
struct Blocks {
    next: i128,
    end: i128,
    rows_per_block: f64,
}

impl Blocks {
    /// A block walk when the account holds at least [`walk::DENSE`] of the table's rows
    /// (by a sample), else None.
    async fn of(pool: &SourcePool, w: &Work<'_>) -> Result<Option<Blocks>> {
        let (end, rows_per_block) = walk::heap_extent(pool, w.table.name()).await?;
        let share = walk::sampled_share(pool, w.table.name(), &w.removable, end).await?;
        Ok((share >= walk::DENSE).then_some(Blocks {
            next: 0,
            end,
            rows_per_block,
        }))
    }

    /// The account's rows in the next range of about `batch` rows read.
    fn next_range(&mut self, batch: usize, removable: &Sql) -> Sql {
        let step = ((batch as f64 / self.rows_per_block.max(1.0)).ceil() as i128).max(1);
        let (start, stop) = (self.next, self.next.saturating_add(step).min(self.end));
        self.next = stop;
        let mut rows = Sql::new(format!(
            "ctid >= '({start},0)'::tid AND ctid < '({stop},0)'::tid AND "
        ));
        rows.append(removable);
        rows
    }
}

/// A chunk picked: the rows to roll up and delete, or (PostgreSQL roll-ups, done in one
/// statement) how many were.
enum Chunk {
    Rows(Sql),
    Deleted(u64),
}

/// Applies the table's masks to the account's rows a `pseudonymise` hold keeps (values
/// already in masked form stay); returns the rows changed.
async fn pseudonymise_held(pool: &SourcePool, w: &Work<'_>, key: &SubjectKey) -> Result<u64> {
    let masks: Vec<(&str, Mask)> = w
        .table
        .columns
        .iter()
        .filter_map(|(name, spec)| spec.get_ref().mask.map(|m| (name.as_str(), m)))
        .collect();
    let pseudonymising: Vec<&Sql> = w
        .holds
        .iter()
        .filter(|(h, _)| h.action == HoldAction::Pseudonymise)
        .map(|(_, c)| c)
        .collect();
    if masks.is_empty() || pseudonymising.is_empty() {
        return Ok(0);
    }
    let mut held = w.account.clone();
    held.push(" AND (")
        .append(&Sql::join(pseudonymising, " OR "))
        .push(")");
    let masked_columns: Vec<&ColumnInfo> = masks
        .iter()
        .filter_map(|(name, _)| w.columns.iter().find(|c| &c.name == name))
        .collect();
    let mut select: Vec<String> = w.key_columns.iter().map(|c| pool.select_expr(c)).collect();
    select.extend(masked_columns.iter().map(|c| pool.select_expr(c)));
    let mut kinds: Vec<Kind> = w.key_columns.iter().map(|c| c.kind).collect();
    kinds.extend(masked_columns.iter().map(|c| c.kind));
    let mut sql = Sql::new(format!(
        "SELECT {} FROM {} WHERE ",
        select.join(", "),
        pool.quote(w.table.name())
    ));
    sql.append(&held);
    let n = w.key_columns.len();
    let mut pending: Vec<(Vec<Key>, Vec<Key>)> = Vec::new();
    pool.for_each_row(&sql, &kinds, |row| {
        let row: Vec<Key> = row.into_iter().map(Key::from_json_owned).collect();
        let unmasked = masked_columns.iter().enumerate().any(|(i, c)| {
            let mask = masks.iter().find(|(m, _)| *m == c.name).map(|(_, m)| *m);
            mask.is_some_and(|mask| !is_masked(mask, c.is_numeric(), &row[n + i], key))
        });
        if unmasked {
            pending.push((row[..n].to_vec(), row[n..].to_vec()));
        }
        Ok(())
    })
    .await?;
    let refs: Vec<&ColumnInfo> = w.key_columns.iter().collect();
    let mut changed = 0;
    for chunk in pending.chunks(1000) {
        let mut sets = Vec::new();
        for (i, column) in masked_columns.iter().enumerate() {
            let mask = masks
                .iter()
                .find(|(m, _)| *m == column.name)
                .map(|(_, m)| *m);
            let c = pool.quote(&column.name);
            match mask {
                Some(Mask::Hmac) if !column.is_numeric() => {
                    let distinct: BTreeSet<String> = chunk
                        .iter()
                        .filter_map(|(_, values)| values[i].as_text())
                        .filter(|v| !key.is_pseudonym(v))
                        .collect();
                    if distinct.is_empty() {
                        continue;
                    }
                    sets.push(crate::plan::erase::pseudonymise(&c, distinct, key));
                }
                Some(Mask::Redact) if !column.is_numeric() => {
                    sets.push(Sql::new(format!("{c} = '{REDACTED}'")))
                }
                Some(_) => sets.push(Sql::new(format!("{c} = NULL"))),
                None => {}
            }
        }
        if sets.is_empty() {
            continue;
        }
        let mut update = Sql::new(format!("UPDATE {} SET ", pool.quote(w.table.name())));
        update
            .append(&Sql::join(&sets, ", "))
            .push(" WHERE ")
            .append(
                &pool
                    .dialect()
                    .in_list(&refs, chunk.iter().map(|(k, _)| k.as_slice())),
            );
        let mut tx = pool.begin().await?;
        changed += tx.execute(&update).await?;
        tx.commit().await?;
    }
    Ok(changed)
}

/// Whom a run is about, kept as the plan of its verification step.
#[derive(Debug, Default, Serialize, Deserialize)]
struct RunHeader {
    account_ref: String,
    request: Option<String>,
}

/// What the verification found, kept as its step's outcome.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Verified {
    outcome: String,
    /// `source.table` -> rows of the account still there (under holds).
    kept: BTreeMap<String, u64>,
    aggregates: Vec<AggregateTotal>,
}

/// A journal document read back as its type; the type's default when absent.
fn document<T: serde::de::DeserializeOwned + Default>(document: Option<&journal::Document>) -> T {
    document
        .and_then(|d| d.0.clone())
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// The plans the run's source steps journaled when it began.
fn source_plans(steps: &[Step]) -> Vec<SourcePlan> {
    steps
        .iter()
        .filter(|s| s.kind == StepKind::Source)
        .filter_map(|s| {
            s.plan
                .0
                .clone()
                .and_then(|p| serde_json::from_value(p).ok())
        })
        .collect()
}

/// A table in the certificate: counts only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertifiedTable {
    pub table: String,
    /// Rows of the account when the offboarding began.
    pub rows: u64,
    pub deleted: u64,
    pub kept: Vec<HeldPlan>,
    /// Rows kept because held rows still reference them.
    pub kept_referenced: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolled_up_into: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertifiedSource {
    pub source: String,
    pub status: StepStatus,
    pub tables: Vec<CertifiedTable>,
}

/// Per aggregate being verified: the sweep that reads its totals, its totals before,
/// and what every table rolling into it added.
type Rolled<'w> = (
    &'w TableSweep<'w>,
    BTreeMap<String, i64>,
    BTreeMap<String, i64>,
);

/// An aggregate's measure before and after.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AggregateTotal {
    pub aggregate: String,
    pub measure: String,
    pub before: i64,
    pub added: i64,
    pub after: i64,
}

/// The deletion certificate (Art. 28(3)(g)): signed with the audit checkpoint key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Certificate {
    pub kind: String,
    pub run: String,
    pub complete: bool,
    /// The account, as a keyed reference.
    pub account_ref: String,
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    pub generated_at: String,
    pub controller: ControllerRef,
    pub sources: Vec<CertifiedSource>,
    pub aggregates: Vec<AggregateTotal>,
    pub providers: Vec<ProviderReceipt>,
    pub manual: Vec<ManualReceipt>,
    pub verification: String,
    pub policy_digest: String,
}

/// Marks a manual task of an open offboarding run as done (by `actor`, with an optional
/// note), and records it in the audit trail.
pub async fn confirm_task(
    store: &Store,
    run_id: &str,
    task: &str,
    note: Option<&str>,
    actor: &str,
    account_ref: &str,
) -> Result<()> {
    let steps = journal::steps(&store.pool, run_id).await?;
    let manual: Vec<&str> = steps
        .iter()
        .filter(|s| s.kind == StepKind::Manual)
        .map(|s| s.step_id.as_str())
        .collect();
    if !manual.contains(&task) {
        return Err(crate::error::usage(format!(
            "offboarding run {run_id} has no manual task `{task}`; its manual tasks: {}",
            if manual.is_empty() {
                "none".to_string()
            } else {
                manual.join(", ")
            }
        )));
    }
    let outcome = StepOutcome::confirmed(actor, note);
    let mut tx = store.begin_write().await?;
    journal::set_step(&mut tx, run_id, task, StepStatus::Done, &outcome).await?;
    audit::append(
        &mut tx,
        actor,
        &[NewEntry::new(
            "offboard.confirm_manual",
            json!({ "run": run_id, "task": task }),
        )
        .about(account_ref)],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What an offboarding run has come to.
pub struct Finished {
    pub run_id: String,
    pub complete: bool,
    pub certificate: Certificate,
    pub unfinished: Vec<Step>,
    /// `RUN.json` (signed) and `RUN.md`.
    pub json_path: PathBuf,
    pub md_path: PathBuf,
}

/// Writes the certificate from the journal, signed; completes the run when every step
/// is done.
pub async fn finish(
    policy: &Policy,
    store: &Store,
    actor: &str,
    run_id: &str,
    key_file: &std::path::Path,
    dir: &std::path::Path,
) -> Result<Finished> {
    let steps = journal::steps(&store.pool, run_id).await?;
    let complete = steps.iter().all(|s| s.status == StepStatus::Done);
    let verify = steps.iter().find(|s| s.kind == StepKind::Verify);
    let RunHeader {
        account_ref,
        request,
    } = document(verify.map(|s| &s.plan));
    let Verified { aggregates, .. } = document(verify.map(|s| &s.outcome));
    let plans = source_plans(&steps);
    let sources = steps
        .iter()
        .filter(|s| s.kind == StepKind::Source)
        .map(|s| {
            let source = s.step_id.trim_start_matches("source:").to_string();
            let plan = plans.iter().find(|p| p.source == source);
            let tables = plan
                .map(|p| {
                    p.tables
                        .iter()
                        .filter(|t| t.rows > 0)
                        .map(|t| CertifiedTable {
                            table: t.table.clone(),
                            rows: t.rows,
                            // Every removable row is gone once the source is done (the
                            // verification counts what is left).
                            deleted: if s.status == StepStatus::Done {
                                t.delete
                            } else {
                                0
                            },
                            kept: t.held.iter().filter(|h| h.rows > 0).cloned().collect(),
                            kept_referenced: t.referenced,
                            rolled_up_into: t.rollup.as_ref().map(|r| r.into.clone()),
                        })
                        .collect()
                })
                .unwrap_or_default();
            CertifiedSource {
                source,
                status: s.status,
                tables,
            }
        })
        .collect();
    let receipt = crate::erasure::receipt::Receipt::of_run(policy, run_id, &steps, &[], complete);
    let certificate = Certificate {
        kind: "deletion-certificate".into(),
        run: run_id.to_string(),
        complete,
        account_ref: account_ref.clone(),
        scope: policy.tenant().map(|t| t.name.clone()).unwrap_or_default(),
        request,
        generated_at: crate::time::now_text(),
        controller: receipt.controller,
        sources,
        aggregates,
        providers: receipt.providers,
        manual: receipt.manual,
        verification: receipt.verification,
        policy_digest: policy.digest.clone(),
    };
    let signing_key = crate::audit::checkpoint::load_or_create_key(key_file)?;
    let signed = crate::audit::signed::sign(&signing_key, &certificate)?;
    let json_text = serde_json::to_string_pretty(&signed)? + "\n";
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(json_text.as_bytes()));
    let mut tx = store.begin_write().await?;
    let was_open = journal::run_exists(&mut *tx, run_id).await?.as_deref() == Some("open");
    if complete && was_open {
        journal::complete(&mut tx, run_id, &signed).await?;
        audit::append(
            &mut tx,
            actor,
            &[NewEntry::new(
                "offboard.complete",
                json!({ "run": run_id, "certificate_sha256": sha256 }),
            )
            .about(&account_ref)],
        )
        .await?;
    }
    tx.commit().await?;
    crate::fsutil::create_private_dir(dir)?;
    let json_path = dir.join(format!("{run_id}.json"));
    let md_path = dir.join(format!("{run_id}.md"));
    let mut context = serde_json::to_value(&certificate)?;
    context["signature"] = signed["signature"].clone();
    context["sha256"] = json!(sha256);
    for (path, text) in [
        (&json_path, json_text),
        (
            &md_path,
            crate::render::render("deletion-certificate.md", &context)?,
        ),
    ] {
        let mut file = crate::fsutil::PendingFile::create(path, true)?;
        file.write_all(text.as_bytes())?;
        file.commit()?;
    }
    Ok(Finished {
        run_id: run_id.to_string(),
        complete,
        certificate,
        unfinished: steps
            .into_iter()
            .filter(|s| s.status != StepStatus::Done)
            .collect(),
        json_path,
        md_path,
    })
}
