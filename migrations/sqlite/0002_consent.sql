-- Subjects in clear (removable on erasure), purpose versions, and the consent ledger.
CREATE TABLE subjects (
    subject_ref TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    identity TEXT NOT NULL,
    first_seen TEXT NOT NULL
);

CREATE TABLE purpose_versions (
    purpose_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    text_sha256 TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (purpose_id, version),
    UNIQUE (purpose_id, text_sha256)
);

CREATE TABLE consent_events (
    id INTEGER PRIMARY KEY,
    event_key TEXT NOT NULL,
    subject_ref TEXT NOT NULL,
    purpose_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('grant', 'withdraw')),
    at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    channel TEXT,
    evidence TEXT,
    actor TEXT NOT NULL,
    origin TEXT NOT NULL
);
-- One index serves both the checks (a subject's events for a purpose, in time order)
-- and idempotence (the event key determines the other three columns, so this is
-- unique exactly when the key is).
CREATE UNIQUE INDEX consent_events_subject ON consent_events (subject_ref, purpose_id, at, event_key);

CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent_events is append-only: UPDATE refused');
END;
CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent_events is append-only: DELETE refused');
END;
