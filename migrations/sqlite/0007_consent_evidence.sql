-- Consent evidence is free text that can name the person ("reply from dana@…, +972…").
-- It lives beside the append-only ledger, keyed by the event, so that a completed
-- erasure removes it while every ledger row stays as it was appended.
CREATE TABLE consent_evidence (
    event_id INTEGER PRIMARY KEY REFERENCES consent_events (id),
    subject_ref TEXT NOT NULL,
    evidence TEXT NOT NULL
);
CREATE INDEX consent_evidence_subject ON consent_evidence (subject_ref);

INSERT INTO consent_evidence (event_id, subject_ref, evidence)
    SELECT id, subject_ref, evidence FROM consent_events WHERE evidence IS NOT NULL;

-- The one change ever made to ledger rows: their evidence moves out.
DROP TRIGGER consent_events_no_update;
UPDATE consent_events SET evidence = NULL WHERE evidence IS NOT NULL;
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent_events is append-only: UPDATE refused');
END;
