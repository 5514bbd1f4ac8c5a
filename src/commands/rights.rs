//! `privops restrict` (Art. 18) and `privops object` (Art. 21): a subject's limits on
//! processing, appended to their ledger.

use anyhow::{Result, bail};
use serde_json::json;

use crate::audit::{self, NewEntry};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::policy::Objection;
use crate::rights::{self, Ground, LimitKind, NewLimit};
use crate::store::requests;
use crate::subject::Subject;

#[derive(Debug, clap::Args)]
pub struct RestrictArgs {
    /// The subject, KIND:VALUE
    #[arg(long, value_name = "KIND:VALUE")]
    pub subject: String,
    /// Why (Art. 18(1)): accuracy, unlawful, legal-claims, objection-pending; with
    /// --lift, withdrawn
    #[arg(long, value_enum)]
    pub ground: Option<Ground>,
    /// End the restriction (Art. 18(3): tell the subject first)
    #[arg(long)]
    pub lift: bool,
    #[command(flatten)]
    pub common: LimitArgs,
}

#[derive(Debug, clap::Args)]
pub struct ObjectArgs {
    /// The subject, KIND:VALUE
    #[arg(long, value_name = "KIND:VALUE")]
    pub subject: String,
    /// The purpose objected to
    #[arg(long)]
    pub purpose: String,
    /// End the objection: --ground compelling-grounds (Art. 21(1), never for direct
    /// marketing) or --ground withdrawn (the subject took it back)
    #[arg(long, requires = "ground")]
    pub lift: bool,
    /// Why the objection is lifted
    #[arg(long, value_enum, requires = "lift")]
    pub ground: Option<Ground>,
    #[command(flatten)]
    pub common: LimitArgs,
}

#[derive(Debug, clap::Args)]
pub struct LimitArgs {
    /// The request this answers (its kind must match); it is closed once recorded
    #[arg(long, value_name = "REQ")]
    pub request: Option<String>,
    /// When the subject asked (RFC 3339 or a date) [default: now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub async fn restrict(ctx: &Ctx, args: &RestrictArgs) -> Result<Outcome> {
    let ground = match (args.lift, args.ground) {
        (false, None) => bail!(
            "--ground is required: accuracy, unlawful, legal-claims or objection-pending (Art. 18(1))"
        ),
        (false, Some(ground)) => {
            rights::restricting(ground)?;
            ground
        }
        (true, None | Some(Ground::Withdrawn)) => Ground::Withdrawn,
        (true, Some(other)) => bail!(
            "--ground {} does not end a restriction; lift it with --ground withdrawn (or no --ground)",
            other.name()
        ),
    };
    record(
        ctx,
        &args.subject,
        LimitKind::Restriction,
        None,
        args.lift,
        ground,
        &args.common,
    )
    .await
}

pub async fn object(ctx: &Ctx, args: &ObjectArgs) -> Result<Outcome> {
    let ground = match (args.lift, args.ground) {
        (true, Some(ground @ (Ground::CompellingGrounds | Ground::Withdrawn))) => ground,
        (true, _) => bail!(
            "an objection is lifted with --ground compelling-grounds (Art. 21(1)) or --ground withdrawn"
        ),
        (false, _) => Ground::ObjectionPending,
    };
    record(
        ctx,
        &args.subject,
        LimitKind::Objection,
        Some(&args.purpose),
        args.lift,
        ground,
        &args.common,
    )
    .await
}

async fn record(
    ctx: &Ctx,
    subject: &str,
    kind: LimitKind,
    purpose: Option<&str>,
    lift: bool,
    ground: Ground,
    common: &LimitArgs,
) -> Result<Outcome> {
    let policy = ctx.policy()?;
    let rule = match purpose {
        Some(id) => rights::objectable(&policy, id)?.objection_rule(),
        None => Objection::None,
    };
    // An objection is recorded under the article that governs the purpose.
    let ground_name = match (kind, lift, rule) {
        (LimitKind::Objection, false, Objection::Absolute) => "art-21-3",
        (LimitKind::Objection, false, _) => "art-21-1",
        _ => ground.name(),
    };
    let subject = Subject::parse(subject, &policy)?;
    let subject_ref = ctx.subject_key()?.reference(&subject);
    let at = match &common.at {
        Some(text) => crate::time::to_text(crate::time::parse_time(text)?),
        None => crate::time::to_text(ctx.now),
    };
    let store = ctx.store().await?;
    // An identity rectified to another no longer stands for anyone: a limit recorded
    // under it would never be read.
    if let Some(at) = crate::rights::gone(&store, std::slice::from_ref(&subject_ref))
        .await?
        .1
        .get(&subject_ref)
    {
        bail!("this identity was rectified to another on {at}: record it under the new one");
    }
    let actor = ctx.actor();
    let mut tx = store.begin_write().await?;
    if let Some(id) = &common.request {
        let request = requests::get(&mut *tx, id).await?;
        if request.kind != kind.name() {
            bail!(
                "request {id} is a {} request, not a {} request",
                request.kind,
                kind.name()
            );
        }
        if request.subject_ref != subject_ref {
            bail!("request {id} is for another subject");
        }
    }
    let change = NewLimit {
        subject_ref: &subject_ref,
        kind,
        purpose: purpose.unwrap_or(""),
        lift,
        ground: ground_name,
        at: &at,
        request_id: common.request.as_deref(),
        origin: "cli",
    };
    let placeholders = crate::store::placeholders_of(&tx);
    let limits = rights::current(
        &mut tx,
        placeholders,
        std::slice::from_ref(&subject_ref),
        purpose,
        // Every row, even one dated after `--at`: the ledger's newest row decides.
        "9999-12-31T23:59:59Z",
    )
    .await?;
    let now = limits.get(&subject_ref).and_then(|l| match kind {
        LimitKind::Restriction => l.restriction.as_deref(),
        LimitKind::Objection => l.objection.as_deref(),
    });
    // The newest row decides: a change dated before it would be recorded and ignored.
    if let Some(newest) = now.filter(|n| at < n.at) {
        bail!(
            "--at {at} is before the newest {} row ({}); the newest row decides, so this change would have no effect",
            kind.name(),
            newest.at
        );
    }
    let new = rights::admissible(now, &change, rule)?;
    audit::record_policy_version(&mut tx, &actor, &policy.digest).await?;
    crate::consent::remember_subjects(&mut tx, &[(subject.clone(), subject_ref.clone())]).await?;
    let limit = if new {
        let limit = rights::append(&mut tx, &change, &actor).await?;
        audit::append(
            &mut tx,
            &actor,
            &[NewEntry::new(
                &format!("{}.{}", kind.name(), if lift { "lift" } else { "record" }),
                json!({ "purpose": purpose, "ground": ground_name, "at": at, "request": common.request }),
            )
            .about(&subject_ref)],
        )
        .await?;
        Some(limit)
    } else {
        None
    };
    if let Some(id) = &common.request {
        let request = requests::close(&mut tx, id).await?;
        audit::append(
            &mut tx,
            &actor,
            &[
                NewEntry::new("request.close", json!({ "request": request.id }))
                    .about(&subject_ref),
            ],
        )
        .await?;
    }
    tx.commit().await?;
    let what = match (kind, purpose) {
        (LimitKind::Restriction, _) => "restriction of all processing".to_string(),
        (LimitKind::Objection, Some(p)) => format!("objection to `{p}`"),
        (LimitKind::Objection, None) => "objection".to_string(),
    };
    if ctx.out.json_mode() {
        #[derive(serde::Serialize)]
        struct Recorded<'a> {
            subject_ref: &'a str,
            kind: &'a str,
            purpose: Option<&'a str>,
            action: &'a str,
            ground: &'a str,
            at: &'a str,
            recorded: bool,
            limit: Option<rights::Limit>,
        }
        ctx.out.json(&Recorded {
            subject_ref: &subject_ref,
            kind: kind.name(),
            purpose,
            action: if lift { "lift" } else { "record" },
            ground: ground_name,
            at: &at,
            recorded: limit.is_some(),
            limit,
        });
    } else if limit.is_some() {
        let verb = if lift { "lifted" } else { "recorded" };
        ctx.out.data(&format!(
            "{what} {verb} for {subject} at {at} ({})",
            match (kind, lift, rule) {
                (LimitKind::Objection, false, Objection::Absolute) =>
                    "Art. 21(3): direct marketing stops for good".to_string(),
                (LimitKind::Objection, false, _) =>
                    "Art. 21(1): processing stops unless compelling grounds are shown".to_string(),
                _ => ground.article().to_string(),
            }
        ));
        if kind == LimitKind::Restriction && lift {
            ctx.out
                .status("Art. 18(3): tell the subject that the restriction is lifted");
        }
    } else if lift {
        ctx.out
            .data(&format!("no {what} stands for {subject}: nothing to lift"));
    } else {
        ctx.out
            .data(&format!("already recorded: {what} for {subject}"));
    }
    Ok(Outcome::Success)
}
