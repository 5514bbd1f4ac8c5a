//! `request list` and `request show`: requests and their tasks for people and scripts.

use anyhow::Result;

use super::ListArgs;
use crate::context::Ctx;
use crate::error::Outcome;
use crate::store::requests::{self, ListFilter, Request, RequestView};

pub(super) async fn list(ctx: &Ctx, args: &ListArgs) -> Result<Outcome> {
    let store = ctx.store().await?;
    let status = if args.overdue || args.due_within.is_some() {
        Some("open".to_string())
    } else {
        args.status.clone()
    };
    let all = requests::list(
        &store,
        &ListFilter {
            status,
            subject_ref: None,
        },
    )
    .await?;
    let now = ctx.now;
    let now_text = crate::time::to_text(now);
    let horizon = args
        .due_within
        .map(|days| crate::time::to_text(now + chrono::Duration::days(i64::from(days))));
    let shown: Vec<&Request> = all
        .iter()
        .filter(|r| !args.overdue || r.is_overdue(&now_text))
        .filter(|r| horizon.as_deref().is_none_or(|h| r.deadline() <= h))
        .collect();
    let overdue = shown.iter().filter(|r| r.is_overdue(&now_text)).count();
    // Who each request is for, while the identity is still kept (an open request); after
    // an erasure only the keyed reference is left.
    let refs: Vec<&str> = shown.iter().map(|r| r.subject_ref.as_str()).collect();
    let identities = crate::consent::known_identities(&store, &refs).await?;
    let subject = |r: &Request| identities.get(&r.subject_ref).cloned();
    if ctx.out.json_mode() {
        let rows: Vec<RequestView> = shown
            .iter()
            .map(|r| RequestView::of(r, &now_text, subject(r)))
            .collect();
        ctx.out.json(&rows);
    } else {
        let mut table = ctx.out.table(&[
            "id", "kind", "status", "received", "deadline", "left", "subject",
        ]);
        table.keep_whole(&[0, 1, 2, 3, 4, 5]);
        for request in &shown {
            let days_left = crate::time::parse_time(request.deadline())
                .map(|d| (d - now).num_days().to_string())
                .unwrap_or_default();
            let status = if request.is_overdue(&now_text) {
                ctx.out.paint("OVERDUE", "31")
            } else {
                request.status.clone()
            };
            table.add_row(vec![
                request.id.clone(),
                request.kind.clone(),
                status,
                request.received_at[..10].to_string(),
                request.deadline()[..10].to_string(),
                if request.status == "open" {
                    days_left
                } else {
                    "-".into()
                },
                subject(request).unwrap_or_else(|| request.subject_ref[..12].to_string()),
            ]);
        }
        ctx.out.print_table(&table);
        ctx.out
            .status(&format!("{} request(s), {overdue} overdue", shown.len()));
    }
    Ok(if args.overdue && overdue > 0 {
        Outcome::No
    } else {
        Outcome::Success
    })
}

pub(super) async fn show(ctx: &Ctx, id: &str) -> Result<Outcome> {
    let store = ctx.store().await?;
    let request = requests::get(&store.pool, id).await?;
    let tasks = match crate::erasure::run_of_request(&store.pool, id).await? {
        Some(run) => crate::erasure::steps(&store.pool, &run).await?,
        None => Vec::new(),
    };
    // Restriction and objection requests are answered by rows of the limits ledger.
    let recorded = crate::rights::of_request(&store, id).await?;
    let now = crate::time::now_text();
    let identity = crate::consent::known_identities(&store, &[request.subject_ref.as_str()])
        .await?
        .remove(&request.subject_ref);
    if ctx.out.json_mode() {
        #[derive(serde::Serialize)]
        struct Shown<'a> {
            #[serde(flatten)]
            view: RequestView<'a>,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            recorded: Vec<crate::rights::Limit>,
        }
        let mut view = RequestView::of(&request, &now, identity);
        view.tasks = Some(&tasks);
        ctx.out.json(&Shown { view, recorded });
        return Ok(Outcome::Success);
    }
    let mut lines = vec![
        format!("request:   {}", request.id),
        format!("kind:      {}", request.kind),
        format!(
            "status:    {}{}",
            request.status,
            if request.is_overdue(&now) {
                " (OVERDUE)"
            } else {
                ""
            }
        ),
        match &identity {
            Some(identity) => format!("subject:   {identity} ({})", &request.subject_ref[..12]),
            None => format!("subject:   {} (keyed reference)", request.subject_ref),
        },
        format!("received:  {}", crate::time::human(&request.received_at)),
        format!("due:       {}", crate::time::human(&request.due_at)),
    ];
    if let Some(extended) = &request.extended_to {
        lines.push(format!(
            "extended:  {} ({})",
            crate::time::human(extended),
            request.extension_reason.as_deref().unwrap_or("")
        ));
    }
    if let Some(closed) = &request.closed_at {
        lines.push(format!("closed:    {}", crate::time::human(closed)));
    }
    if let Some(note) = &request.note {
        lines.push(format!("note:      {note}"));
    }
    ctx.out.data_wrapped_at(&lines.join("\n"), 11);
    if !tasks.is_empty() {
        let mut table = ctx.out.table(&["task", "kind", "status", "description"]);
        table.keep_whole(&[0, 1, 2]);
        let mut outcomes = Vec::new();
        for step in &tasks {
            if let Some(outcome) = crate::erasure::receipt::describe_outcome(step) {
                outcomes.push(format!("{}: {outcome}", step.step_id));
            }
            table.add_row(vec![
                step.step_id.clone(),
                step.kind.to_string(),
                step.status.to_string(),
                step.description.clone(),
            ]);
        }
        ctx.out.print_table(&table);
        for outcome in outcomes {
            ctx.out.data_wrapped(&outcome);
        }
    }
    if !recorded.is_empty() {
        let mut table = ctx
            .out
            .table(&["recorded", "purpose", "action", "ground", "at"]);
        table.keep_whole(&[0, 2, 4]);
        for limit in &recorded {
            table.add_row(vec![
                limit.kind.clone(),
                if limit.purpose.is_empty() {
                    "(all)".to_string()
                } else {
                    limit.purpose.clone()
                },
                limit.action.clone(),
                limit.ground.clone(),
                crate::time::human(&limit.at),
            ]);
        }
        ctx.out.print_table(&table);
    }
    Ok(Outcome::Success)
}
