-- Consent evidence is free text that can name the person ("reply from dana@…, +972…").
-- It lives beside the append-only ledger, keyed by the event, so that a completed
-- erasure removes it while every ledger row stays as it was appended.
CREATE TABLE consent_evidence (
    event_id BIGINT PRIMARY KEY REFERENCES consent_events (id),
    subject_ref TEXT NOT NULL,
    evidence TEXT NOT NULL
);
CREATE INDEX consent_evidence_subject ON consent_evidence (subject_ref);

INSERT INTO consent_evidence (event_id, subject_ref, evidence)
    SELECT id, subject_ref, evidence FROM consent_events WHERE evidence IS NOT NULL;

-- The one change ever made to ledger rows: their evidence moves out.
ALTER TABLE consent_events DISABLE TRIGGER consent_events_no_update;
UPDATE consent_events SET evidence = NULL WHERE evidence IS NOT NULL;
ALTER TABLE consent_events ENABLE TRIGGER consent_events_no_update;
