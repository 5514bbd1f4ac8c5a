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
            restriction: Some(Box::new(limit(LimitKind::Restriction, "record"))),
            objection: Some(Box::new(limit(LimitKind::Objection, "record"))),
        },
        consent: Some(Box::new(granted(1, 2))),
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
            restriction: Some(Box::new(limit(LimitKind::Restriction, "lift"))),
            objection: Some(Box::new(limit(LimitKind::Objection, "lift"))),
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

/// A check of one subject on a SQLite store reads it on its own thread
/// ([`facts_direct`]): every kind of fact comes back as the pool's read finds it, and a
/// store whose schema is not the current one is left to the pool.
#[tokio::test]
async fn the_direct_read_finds_what_the_pool_finds() {
    let temp = tempfile::tempdir().unwrap();
    let store = Store::open(None, temp.path()).await.unwrap();
    let sha = consent::text_sha256("Mail me");
    let at = |day: u32| format!("'2026-01-{day:02}T10:00:00Z'");
    let event = |id: i64, subject: &str, version: i64, action: &str, day: u32| {
        format!(
            "({id}, 'k{id}', '{subject}', 'p', {version}, '{action}', {}, {}, 'web', NULL, 'a', 'cli')",
            at(day),
            at(day)
        )
    };
    let events = [
        event(1, "granted", 2, "grant", 1),
        event(2, "withdrawn", 2, "grant", 1),
        event(3, "withdrawn", 2, "withdraw", 2),
        event(4, "old-text", 1, "grant", 1),
        event(5, "later", 2, "grant", 28),
        event(6, "erased", 2, "grant", 1),
    ]
    .join(", ");
    let limit = |id: i64, kind: &str, purpose: &str, ground: &str| {
        format!(
            "({id}, 'limited', '{kind}', '{purpose}', 'record', '{ground}', {}, {}, NULL, 'a', 'cli')",
            at(3),
            at(3)
        )
    };
    sqlx::raw_sql(&format!(
        "INSERT INTO purpose_versions VALUES ('p', 1, 'older', {first}), ('p', 2, '{sha}', {first});
         INSERT INTO consent_events (id, event_key, subject_ref, purpose_id, version, action, at,
             recorded_at, channel, evidence, actor, origin) VALUES {events};
         INSERT INTO consent_evidence VALUES (1, 'granted', '{{\"form\":\"signup\"}}');
         INSERT INTO suppressions VALUES ('erased', {erased}, 'ERA-1');
         INSERT INTO subject_moves VALUES ('moved', 'elsewhere', {moved}, 'RECT-1');
         INSERT INTO processing_limits (id, subject_ref, kind, purpose_id, action, ground, at,
             recorded_at, request_id, actor, origin) VALUES {restriction}, {objection};",
        first = at(1),
        erased = at(4),
        moved = at(5),
        restriction = limit(1, "restriction", "*", "accuracy"),
        objection = limit(2, "objection", "p", "objection"),
    ))
    .execute(&store.pool)
    .await
    .unwrap();
    let refs: Vec<String> = [
        "granted",
        "withdrawn",
        "old-text",
        "later",
        "erased",
        "moved",
        "limited",
        "nobody",
        "granted",
    ]
    .map(String::from)
    .to_vec();
    let as_of = "2026-01-20T00:00:00Z";
    let direct = Store::open_direct(None, temp.path()).unwrap().unwrap();
    for text in ["Mail me", "A text no version has"] {
        let purpose: Purpose = toml::from_str(&format!(
            "id = \"p\"\ntitle = \"P\"\nbasis = \"consent\"\nconsent_text = \"{text}\"\n"
        ))
        .unwrap();
        let pooled = facts(&store, &purpose, &refs, as_of).await.unwrap();
        let read = facts_direct(&direct, &purpose, &refs, as_of)
            .unwrap()
            .expect("a current store is read directly");
        assert_eq!(format!("{read:?}"), format!("{pooled:?}"), "{text}");
        let state = |i: usize| read[i].consent.as_ref().unwrap().state;
        let current = text == "Mail me";
        assert_eq!(
            state(0),
            if current {
                State::Granted
            } else {
                State::ReconsentNeeded
            }
        );
        let evidence = read[0].consent.as_ref().unwrap().event.as_ref().unwrap();
        assert_eq!(evidence.evidence.as_deref(), Some("{\"form\":\"signup\"}"));
        assert_eq!(state(1), State::Withdrawn);
        assert_eq!(state(2), State::ReconsentNeeded);
        assert_eq!(state(3), State::NeverGiven, "an event after the time asked");
        assert_eq!(read[4].erased_at.as_deref(), Some("2026-01-04T10:00:00Z"));
        assert_eq!(read[5].moved_at.as_deref(), Some("2026-01-05T10:00:00Z"));
        assert!(read[6].limits.restriction.is_some() && read[6].limits.objection.is_some());
        assert_eq!(state(7), State::NeverGiven);
        assert_eq!(format!("{:?}", read[8]), format!("{:?}", read[0]));
    }
    // A store an older release left is not answered from: the pool brings it up to date.
    sqlx::raw_sql(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .execute(&store.pool)
    .await
    .unwrap();
    let purpose = purpose("consent", None);
    assert!(
        facts_direct(&direct, &purpose, &refs, as_of)
            .unwrap()
            .is_none()
    );
    // A PostgreSQL store, or no file, is opened through the pool.
    let empty = tempfile::tempdir().unwrap();
    assert!(Store::open_direct(None, empty.path()).unwrap().is_none());
    assert!(
        Store::open_direct(Some("postgres://u@127.0.0.1/db"), empty.path())
            .unwrap()
            .is_none()
    );
}
