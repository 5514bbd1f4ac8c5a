use super::*;
use crate::consent::{Event, Verdict};

fn purpose(basis: &str, objection: Option<&str>) -> Purpose {
    let objection = objection
        .map(|o| format!("objection = \"{o}\"\n"))
        .unwrap_or_default();
    toml::from_str(&format!(
        "id = \"p\"\ntitle = \"P\"\nbasis = \"{basis}\"\n{objection}"
    ))
    .unwrap()
}

fn limit(kind: LimitKind, action: &str) -> Limit {
    Limit {
        id: 1,
        kind: kind.name().to_string(),
        purpose: String::new(),
        action: action.to_string(),
        ground: "accuracy".to_string(),
        at: "2026-01-01T00:00:00Z".to_string(),
        recorded_at: "2026-01-01T00:00:00Z".to_string(),
        request_id: None,
        actor: "t".to_string(),
        origin: "cli".to_string(),
    }
}

fn granted(version: i64, current: i64) -> Verdict {
    let event = Event {
        id: 1,
        purpose: "p".into(),
        version,
        action: "grant".into(),
        at: "2026-01-01T00:00:00Z".into(),
        recorded_at: "2026-01-01T00:00:00Z".into(),
        channel: None,
        evidence: None,
        actor: "t".into(),
        origin: "cli".into(),
    };
    Verdict::from_last(Some(event), Some(current))
}

#[test]
fn nothing_forbids_a_legitimate_interest() {
    let answer = decide(&purpose("legitimate_interests", None), &Facts::default());
    assert!(answer.may_process, "{answer:?}");
}

#[test]
fn each_limit_forbids_and_every_reason_is_given() {
    let p = purpose("consent", Some("absolute"));
    let facts = Facts {
        erased_at: Some("2026-02-01T00:00:00Z".into()),
        moved_at: None,
        limits: Limits {
            restriction: Some(limit(LimitKind::Restriction, "record")),
            objection: Some(limit(LimitKind::Objection, "record")),
        },
        consent: Some(granted(1, 2)),
    };
    let answer = decide(&p, &facts);
    assert!(!answer.may_process);
    assert_eq!(answer.reasons.len(), 4, "{:?}", answer.reasons);
    assert!(answer.reasons[2].contains("Art. 21(3)"));
}

#[test]
fn a_lifted_limit_no_longer_forbids() {
    let facts = Facts {
        limits: Limits {
            restriction: Some(limit(LimitKind::Restriction, "lift")),
            objection: Some(limit(LimitKind::Objection, "lift")),
        },
        ..Facts::default()
    };
    assert!(decide(&purpose("public_task", None), &facts).may_process);
}

#[test]
fn the_objection_rule_follows_the_basis_unless_declared() {
    assert_eq!(
        purpose("legitimate_interests", None).objection_rule(),
        Objection::Applies
    );
    assert_eq!(purpose("contract", None).objection_rule(), Objection::None);
    assert_eq!(
        purpose("consent", Some("absolute")).objection_rule(),
        Objection::Absolute
    );
}

#[test]
fn only_the_person_lifts_an_objection_to_direct_marketing() {
    let current = limit(LimitKind::Objection, "record");
    let change = |ground| NewLimit {
        subject_ref: "r",
        kind: LimitKind::Objection,
        purpose: "p",
        lift: true,
        ground,
        at: "2026-03-01T00:00:00Z",
        request_id: None,
        origin: "cli",
    };
    assert!(
        admissible(
            Some(&current),
            &change("compelling-grounds"),
            Objection::Absolute
        )
        .is_err()
    );
    assert!(admissible(Some(&current), &change("withdrawn"), Objection::Absolute).unwrap());
    assert!(
        admissible(
            Some(&current),
            &change("compelling-grounds"),
            Objection::Applies
        )
        .unwrap()
    );
    // Nothing stands: nothing to lift, nothing appended.
    assert!(!admissible(None, &change("withdrawn"), Objection::Applies).unwrap());
}

#[test]
fn each_answer_lands_beside_its_subject() {
    let asked: Vec<String> = ["a", "b", "a", "c"].iter().map(|s| s.to_string()).collect();
    let answer = |pairs: &[(&str, u32)]| -> Vec<(String, u32)> {
        pairs.iter().map(|(s, n)| (s.to_string(), *n)).collect()
    };
    // In the order asked.
    let mut found = vec![0; 4];
    place(
        answer(&[("a", 1), ("b", 2), ("a", 3), ("c", 4)]),
        &asked,
        &mut found,
    );
    assert_eq!(found, [1, 2, 3, 4]);
    // As many answers, out of order: each lands beside its subject, not in its position.
    let mut found = vec![0; 4];
    place(
        answer(&[("c", 4), ("a", 1), ("b", 2), ("a", 1)]),
        &asked,
        &mut found,
    );
    assert_eq!(found, [1, 2, 1, 4]);
    // Fewer answers, and one for a subject not asked: each subject's answer in every
    // place it was asked, the stranger's nowhere, a subject left unanswered keeps what it
    // held.
    let mut found = vec![0; 4];
    place(answer(&[("b", 2), ("z", 9), ("a", 1)]), &asked, &mut found);
    assert_eq!(found, [1, 2, 1, 0]);
}
