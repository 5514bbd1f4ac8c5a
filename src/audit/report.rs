//! The accountability report (Art. 5(2), Art. 30): what happened in a period, computed
//! from the audit trail and the request ledger.

use std::collections::BTreeMap;

use anyhow::Result;
use serde_json::{Value, json};

use super::{Entry, Filter, list, verify};
use crate::output::Format;
use crate::store::Store;

fn add(map: &mut BTreeMap<String, i64>, key: &str, n: i64) {
    *map.entry(key.to_string()).or_default() += n;
}

fn number(value: &Value) -> i64 {
    value.as_i64().unwrap_or(0)
}

/// What the report says beyond the trail: who the controller is, and the key its
/// checkpoints are checked against.
#[derive(Default)]
pub struct Context {
    /// The policy's `[controller]` (organisation, DPO), or null when no policy was found.
    pub controller: Value,
    /// The public key checkpoints must be signed by, and where it came from.
    pub key: Option<(ed25519_dalek::VerifyingKey, String)>,
}

/// The report for `[from, to)` as one JSON value; the formats are views of it.
pub async fn build(
    store: &Store,
    from: Option<&str>,
    to: Option<&str>,
    now: &str,
    context: &Context,
) -> Result<Value> {
    let entries = list(
        store,
        &Filter {
            from: from.map(str::to_string),
            to: to.map(str::to_string),
            ..Filter::default()
        },
    )
    .await?;
    let details = |e: &Entry| serde_json::from_str::<Value>(&e.details).unwrap_or(Value::Null);

    // Requests received in the period, with their response times against the deadline.
    let requests =
        crate::store::requests::list(store, &crate::store::requests::ListFilter::default()).await?;
    let mut request_rows = Vec::new();
    let mut per_month: BTreeMap<String, i64> = BTreeMap::new();
    let (mut received, mut closed, mut overdue, mut late) = (0, 0, 0, 0);
    let mut response_days = Vec::new();
    for request in &requests {
        let in_period = from.is_none_or(|f| request.received_at.as_str() >= f)
            && to.is_none_or(|t| request.received_at.as_str() < t);
        if !in_period {
            continue;
        }
        received += 1;
        add(&mut per_month, &request.received_at[..7], 1);
        let days = request.closed_at.as_ref().and_then(|c| {
            let closed = crate::time::parse_time(c).ok()?;
            let received = crate::time::parse_time(&request.received_at).ok()?;
            Some((closed - received).num_hours() as f64 / 24.0)
        });
        let was_late = request
            .closed_at
            .as_deref()
            .is_some_and(|c| c > request.deadline());
        if request.status == "closed" {
            closed += 1;
        }
        if request.is_overdue(now) {
            overdue += 1;
        }
        if was_late {
            late += 1;
        }
        if let Some(d) = days {
            response_days.push(d);
        }
        request_rows.push(json!({
            "id": request.id,
            "kind": request.kind,
            "received_at": request.received_at,
            "deadline": request.deadline(),
            "extended": request.extended_to.is_some(),
            "status": request.status,
            "closed_at": request.closed_at,
            "response_days": days.map(|d| (d * 10.0).round() / 10.0),
            "overdue": request.is_overdue(now),
            "late": was_late,
        }));
    }
    response_days.sort_by(|a, b| a.total_cmp(b));
    let median = response_days.get(response_days.len() / 2).copied();

    let (mut exports, mut export_rows) = (0, BTreeMap::new());
    let (mut erasures_done, mut erased, mut masked) = (0, BTreeMap::new(), BTreeMap::new());
    let mut provider_outcomes: BTreeMap<String, i64> = BTreeMap::new();
    let (mut grants, mut withdrawals): (BTreeMap<String, i64>, BTreeMap<String, i64>) =
        (BTreeMap::new(), BTreeMap::new());
    let mut imports = 0;
    // Offboardings: run -> (account, started, completed at, certificate digest), and rows
    // deleted per source.
    let mut offboardings: BTreeMap<String, Value> = BTreeMap::new();
    let mut offboarded_rows: BTreeMap<String, i64> = BTreeMap::new();
    let mut sweeps: BTreeMap<String, i64> = BTreeMap::new();
    let (mut deleted_total, mut anonymised_total, mut rolled_total) = (0, 0, 0);
    let mut policies = Vec::new();
    // (source.table, reason, article) -> rows an erasure kept under that hold.
    let mut erasure_holds: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    // (provider, status, answer) -> calls.
    let mut provider_calls: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    // source.table -> (action, rows done, holds at the last sweep).
    let mut retention_tables: BTreeMap<String, (String, i64, Value)> = BTreeMap::new();
    for entry in &entries {
        let d = details(entry);
        match entry.action.as_str() {
            "access.export" => {
                exports += 1;
                for (table, rows) in d["rows"].as_object().into_iter().flatten() {
                    let source = table.split('.').next().unwrap_or(table);
                    add(&mut export_rows, source, number(rows));
                }
            }
            "erase.source" => {
                let source = d["source"].as_str().unwrap_or_default();
                add(&mut erased, source, number(&d["deleted"]));
                add(&mut masked, source, number(&d["masked"]));
                for hold in d["holds"].as_array().into_iter().flatten() {
                    let key = (
                        format!("{source}.{}", hold["table"].as_str().unwrap_or_default()),
                        hold["reason"].as_str().unwrap_or_default().to_string(),
                        hold["article"].as_str().unwrap_or_default().to_string(),
                    );
                    *erasure_holds.entry(key).or_default() += number(&hold["rows"]);
                }
            }
            "erase.complete" => erasures_done += 1,
            "erase.provider" => {
                let status = d["status"].as_str().unwrap_or("unknown");
                add(&mut provider_outcomes, status, 1);
                let provider = d["step"]
                    .as_str()
                    .and_then(|s| s.split(':').nth(1))
                    .unwrap_or("unknown")
                    .to_string();
                let answer = crate::output::plain(&d["outcome"]);
                *provider_calls
                    .entry((provider, status.to_string(), answer))
                    .or_default() += 1;
            }
            "offboard.plan" => {
                let run = d["run"].as_str().unwrap_or_default().to_string();
                let account = entry.subject_ref.as_deref().unwrap_or_default();
                offboardings.insert(
                    run.clone(),
                    json!({ "run": run, "account": &account[..16.min(account.len())], "started": entry.at, "completed": null, "certificate_sha256": null }),
                );
            }
            "offboard.source" => {
                let source = d["source"].as_str().unwrap_or_default();
                for table in d["tables"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(_, t)| t)
                {
                    add(&mut offboarded_rows, source, number(&table["deleted"]));
                }
            }
            "offboard.complete" => {
                let run = d["run"].as_str().unwrap_or_default().to_string();
                let row = offboardings
                    .entry(run.clone())
                    .or_insert_with(|| json!({ "run": run, "account": null, "started": null }));
                row["completed"] = json!(entry.at);
                row["certificate_sha256"] = d["certificate_sha256"].clone();
            }
            "consent.grant" => add(&mut grants, d["purpose"].as_str().unwrap_or_default(), 1),
            "consent.withdraw" => add(
                &mut withdrawals,
                d["purpose"].as_str().unwrap_or_default(),
                1,
            ),
            "consent.import" => {
                imports += 1;
                for (purpose, actions) in d["per_purpose"].as_object().into_iter().flatten() {
                    add(&mut grants, purpose, number(&actions["grant"]));
                    add(&mut withdrawals, purpose, number(&actions["withdraw"]));
                }
            }
            "retention.sweep" => {
                let done = number(&d["done"]);
                let table = format!(
                    "{}.{} ({})",
                    d["source"].as_str().unwrap_or_default(),
                    d["table"].as_str().unwrap_or_default(),
                    d["action"].as_str().unwrap_or_default()
                );
                add(&mut sweeps, &table, done);
                let name = format!(
                    "{}.{}",
                    d["source"].as_str().unwrap_or_default(),
                    d["table"].as_str().unwrap_or_default()
                );
                let row = retention_tables.entry(name).or_insert_with(|| {
                    (
                        d["action"].as_str().unwrap_or_default().to_string(),
                        0,
                        Value::Null,
                    )
                });
                row.1 += done;
                row.2 = d["holds"].clone();
                match d["action"].as_str() {
                    Some("anonymise") => anonymised_total += done,
                    Some("rollup") => rolled_total += done,
                    _ => deleted_total += done,
                }
            }
            "policy.version" => {
                policies.push(json!({ "digest": d["digest"], "first_seen": entry.at }))
            }
            _ => {}
        }
    }
    // Policies in force: those first seen in the period, and the one in force at its start.
    let all_policies = list(
        store,
        &Filter {
            action: Some("policy.version".into()),
            to: to.map(str::to_string),
            ..Filter::default()
        },
    )
    .await?;
    let mut in_force: Vec<Value> = all_policies
        .iter()
        .rfind(|e| from.is_some_and(|f| e.at.as_str() < f))
        .map(|e| vec![json!({ "digest": details(e)["digest"], "first_seen": e.at })])
        .unwrap_or_default();
    in_force.extend(policies);

    let verification = verify(store).await?;
    let (checkpoints, checked) = super::checkpoint::check_in_store(
        store,
        verification.entries,
        context.key.as_ref().map(|(key, _)| key),
    )
    .await?;
    let key = context.key.as_ref().map(|(key, source)| {
        let pem = super::checkpoint::verifying_pem(key).unwrap_or_default();
        json!({
            "source": source,
            "fingerprint": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(pem.as_bytes())),
        })
    });
    let manual = open_manual_tasks(store).await?;
    // A policy version is in force from the time it was first seen until the next one.
    let mut in_force_rows = Vec::new();
    for (i, p) in in_force.iter().enumerate() {
        let mut row = p.clone();
        row["since"] = json!(crate::time::human(
            p["first_seen"].as_str().unwrap_or_default()
        ));
        row["until"] = in_force
            .get(i + 1)
            .map(|next| {
                json!(crate::time::human(
                    next["first_seen"].as_str().unwrap_or_default()
                ))
            })
            .unwrap_or(Value::Null);
        row["short"] = json!(p["digest"].as_str().map(|d| &d[..12.min(d.len())]));
        in_force_rows.push(row);
    }
    let purposes: Vec<String> = grants
        .keys()
        .chain(withdrawals.keys())
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(json!({
        "controller": context.controller,
        "period": { "from": from, "to": to },
        "generated_at": now,
        "requests": {
            "received": received,
            "closed": closed,
            "overdue": overdue,
            "closed_late": late,
            "closed_on_time": closed - late,
            "median_response_days": median.map(|d| (d * 10.0).round() / 10.0),
            "per_month": per_month,
            "items": request_rows,
        },
        "exports": { "count": exports, "rows_per_source": export_rows },
        "erasures": {
            "completed": erasures_done,
            "deleted_per_source": erased,
            "masked_per_source": masked,
            "provider_calls": provider_outcomes,
            "provider_answers": provider_calls.iter().map(|((provider, status, answer), calls)| json!({ "provider": provider, "status": status, "answer": answer, "calls": calls })).collect::<Vec<_>>(),
            "held": erasure_holds.iter().map(|((table, reason, article), rows)| json!({ "table": table, "reason": reason, "article": article, "rows": rows })).collect::<Vec<_>>(),
        },
        "offboardings": {
            "started": offboardings.values().filter(|o| !o["started"].is_null()).count(),
            "completed": offboardings.values().filter(|o| !o["completed"].is_null()).count(),
            "deleted_per_source": offboarded_rows,
            "items": offboardings.values().collect::<Vec<_>>(),
        },
        "manual_tasks_open": manual,
        "consent": {
            "imports": imports,
            "per_purpose": purposes.iter().map(|p| json!({ "purpose": p, "grants": grants.get(p).copied().unwrap_or(0), "withdrawals": withdrawals.get(p).copied().unwrap_or(0) })).collect::<Vec<_>>(),
        },
        "retention": {
            "deleted": deleted_total,
            "anonymised": anonymised_total,
            "rolled_up": rolled_total,
            "per_table": sweeps,
            "tables": retention_tables.iter().map(|(table, (action, done, holds))| json!({ "table": table, "action": action, "done": done, "holds": holds.as_array().cloned().unwrap_or_default() })).collect::<Vec<_>>(),
        },
        "policy_versions": in_force_rows,
        "chain": {
            "ok": verification.broken.is_none(),
            "entries": verification.entries,
            "head": verification.head,
            "broken": verification.broken,
            "checkpoints": checkpoints.len(),
            "checkpoints_verified": checked.verified.len(),
            "checkpoint_problems": checked.problems,
            "key": key,
        },
        "entries_in_period": entries.len(),
    }))
}

/// Manual erasure tasks not yet confirmed, with the request they keep open.
async fn open_manual_tasks(store: &Store) -> Result<Vec<Value>> {
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT DISTINCT s.request_id, t.step_id, t.description, t.updated_at \
         FROM erasure_steps t JOIN erasure_subjects s ON s.run_id = t.run_id \
         WHERE t.kind = 'manual' AND t.status <> 'done' ORDER BY s.request_id, t.step_id",
    )
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let request: String = r.try_get(0)?;
            let task: String = r.try_get(1)?;
            let description: String = r.try_get(2)?;
            let since: Option<String> = r.try_get(3)?;
            Ok(json!({
                "request": request,
                "task": task,
                "description": description,
                "since": since.map(|s| crate::time::human(&s)),
                "confirm": format!("privops request confirm-manual {request} {task}"),
            }))
        })
        .collect()
}

/// The report as CSV: one row per figure (section, item, value).
pub fn csv(report: &Value) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["section", "item", "value"])?;
    let mut row =
        |section: &str, item: &str, value: String| writer.write_record([section, item, &value]);
    let r = &report["requests"];
    for key in [
        "received",
        "closed",
        "overdue",
        "closed_late",
        "median_response_days",
    ] {
        row("requests", key, crate::output::plain(&r[key]))?;
    }
    for (month, n) in r["per_month"].as_object().into_iter().flatten() {
        row("requests per month", month, crate::output::plain(n))?;
    }
    row(
        "exports",
        "count",
        crate::output::plain(&report["exports"]["count"]),
    )?;
    for (source, n) in report["exports"]["rows_per_source"]
        .as_object()
        .into_iter()
        .flatten()
    {
        row("exported rows", source, crate::output::plain(n))?;
    }
    row(
        "erasures",
        "completed",
        crate::output::plain(&report["erasures"]["completed"]),
    )?;
    for (source, n) in report["erasures"]["deleted_per_source"]
        .as_object()
        .into_iter()
        .flatten()
    {
        row("erased rows deleted", source, crate::output::plain(n))?;
    }
    for (source, n) in report["erasures"]["masked_per_source"]
        .as_object()
        .into_iter()
        .flatten()
    {
        row("erased rows masked", source, crate::output::plain(n))?;
    }
    for p in report["consent"]["per_purpose"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let purpose = p["purpose"].as_str().unwrap_or_default();
        row(
            "consent grants",
            purpose,
            crate::output::plain(&p["grants"]),
        )?;
        row(
            "consent withdrawals",
            purpose,
            crate::output::plain(&p["withdrawals"]),
        )?;
    }
    for key in ["deleted", "anonymised", "rolled_up"] {
        row(
            "retention",
            key,
            crate::output::plain(&report["retention"][key]),
        )?;
    }
    for p in report["policy_versions"].as_array().into_iter().flatten() {
        row(
            "policy version",
            &crate::output::plain(&p["first_seen"]),
            crate::output::plain(&p["digest"]),
        )?;
    }
    row(
        "chain",
        "verified",
        crate::output::plain(&report["chain"]["ok"]),
    )?;
    row(
        "chain",
        "entries",
        crate::output::plain(&report["chain"]["entries"]),
    )?;
    row(
        "chain",
        "checkpoints",
        crate::output::plain(&report["chain"]["checkpoints"]),
    )?;
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// Bars of requests received per month, as inline SVG (no external assets).
pub fn chart(report: &Value) -> String {
    let months: Vec<(&String, i64)> = report["requests"]["per_month"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(m, n)| (m, n.as_i64().unwrap_or(0)))
        .collect();
    if months.is_empty() {
        return "<p>No requests in this period.</p>".to_string();
    }
    let max = months.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let (bar, gap, height, top) = (40, 14, 90, 20);
    let width = months.len() * (bar + gap) + gap;
    let total = height + top + 30;
    let mut svg = format!(
        r#"<svg role="img" aria-label="Requests received per month" width="{width}" height="{total}" viewBox="0 0 {width} {total}" xmlns="http://www.w3.org/2000/svg">"#
    );
    for (i, (month, n)) in months.iter().enumerate() {
        let h = (*n as f64 / max as f64 * height as f64).round() as usize;
        let x = gap + i * (bar + gap);
        let y = top + height - h;
        svg.push_str(&format!(r##"<rect x="{x}" y="{y}" width="{bar}" height="{h}" fill="#3b6ea5"><title>{month}: {n}</title></rect>"##));
        svg.push_str(&format!(
            r#"<text x="{}" y="{}" font-size="12" text-anchor="middle">{n}</text>"#,
            x + bar / 2,
            y - 6
        ));
        svg.push_str(&format!(
            r#"<text x="{}" y="{}" font-size="11" text-anchor="middle">{month}</text>"#,
            x + bar / 2,
            top + height + 18
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The report for `[from, to)` in a format: JSON, CSV, HTML, or Markdown (also for people).
pub async fn render(
    store: &crate::store::Store,
    from: Option<&str>,
    to: Option<&str>,
    format: Format,
    context: &Context,
) -> Result<String> {
    let model = build(store, from, to, &crate::time::now_text(), context).await?;
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(&model)? + "\n",
        Format::Csv => csv(&model)?,
        Format::Html => html(&model)?,
        Format::Human | Format::Md => crate::render::render("audit-report.md", &model)?,
    })
}

fn html(model: &Value) -> Result<String> {
    let mut context = model.clone();
    context["chart"] = json!(chart(model));
    let mut sources: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    sources.extend(
        model["exports"]["rows_per_source"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.clone()),
    );
    for key in ["deleted_per_source", "masked_per_source"] {
        sources.extend(
            model["erasures"][key]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone()),
        );
    }
    context["sources"] = json!(sources);
    crate::render::render("audit-report.html", &context)
}
