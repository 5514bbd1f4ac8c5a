//! One module per command group; each exposes its clap arguments and a `run`.

pub mod access;
pub mod archive;
pub mod audit;
pub mod consent;
pub mod demo;
pub mod erase;

pub mod generate;
pub mod init;
pub mod policy;
pub mod purpose;
pub mod request;
pub mod retention;

/// An erasure run's outcome for people or scripts (`erase`, `request confirm-manual`):
/// the receipt's place, and each step left with the command that confirms a manual task.
pub(crate) fn print_erasure(
    ctx: &crate::context::Ctx,
    finished: &crate::erasure::workflow::Finished,
) -> crate::error::Outcome {
    use crate::error::Outcome;
    use serde_json::json;
    if ctx.out.json_mode() {
        let mut value = finished.receipt.clone();
        value["receipt"] = json!(
            finished
                .receipt_dir
                .join(format!("{}.json", finished.run_id))
        );
        ctx.out.json(&value);
    } else {
        let state = match (finished.complete, finished.receipt["found"].as_bool()) {
            (true, Some(false)) => "complete, no personal data found in any source",
            (true, _) => "complete",
            (false, _) => "INCOMPLETE",
        };
        ctx.out.data_wrapped(&format!(
            "erasure {}: {state} ({} step(s) unfinished); receipt {}",
            finished.run_id,
            finished.unfinished.len(),
            finished
                .receipt_dir
                .join(format!("{}.md", finished.run_id))
                .display()
        ));
        let request = finished.request.as_deref();
        for step in &finished.unfinished {
            ctx.out.data_wrapped_at(
                &format!("  {} [{}] {}", step.step_id, step.status, step.description),
                4,
            );
            if let (Some(request), true) = (request, step.kind == crate::erasure::StepKind::Manual)
            {
                ctx.out.data(&format!(
                    "    when done: privops request confirm-manual {request} {}",
                    step.step_id
                ));
            }
        }
    }
    if finished.complete {
        Outcome::Success
    } else {
        Outcome::Partial
    }
}
