-- Requests gain the kinds of Art. 16, 18 and 21; restrictions and objections get their
-- append-only ledger; the privacy notice gets its versions and acknowledgements; a
-- rectified identity records where its ledger went.
--
-- SQLite cannot change a CHECK constraint in place, so the requests table is rebuilt.
-- Its one dependant, erasure_subjects, is set aside first and rebuilt after, so that no
-- foreign key ever points at a missing row (the migration runs in one transaction, where
-- foreign keys cannot be switched off).
CREATE TABLE erasure_subjects_kept AS SELECT run_id, subject_ref, request_id FROM erasure_subjects;
DROP TABLE erasure_subjects;

CREATE TABLE requests_widened (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'erasure', 'portability', 'rectification', 'restriction', 'objection')),
    subject_ref TEXT NOT NULL,
    received_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    extended_to TEXT,
    extension_reason TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    closed_at TEXT,
    note TEXT,
    created_at TEXT NOT NULL
);
INSERT INTO requests_widened (id, seq, kind, subject_ref, received_at, due_at, extended_to,
    extension_reason, status, closed_at, note, created_at)
    SELECT id, seq, kind, subject_ref, received_at, due_at, extended_to, extension_reason,
        status, closed_at, note, created_at FROM requests;
DROP TABLE requests;
ALTER TABLE requests_widened RENAME TO requests;
CREATE INDEX requests_subject ON requests (subject_ref);
CREATE INDEX requests_status ON requests (status, due_at);

CREATE TABLE erasure_subjects (
    run_id TEXT NOT NULL REFERENCES erasure_runs (run_id),
    subject_ref TEXT NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id),
    PRIMARY KEY (run_id, subject_ref)
);
INSERT INTO erasure_subjects (run_id, subject_ref, request_id)
    SELECT run_id, subject_ref, request_id FROM erasure_subjects_kept;
DROP TABLE erasure_subjects_kept;
CREATE INDEX erasure_subjects_request ON erasure_subjects (request_id);

-- Restrictions (Art. 18) and objections (Art. 21): every change is a new row; the newest
-- row of a subject, kind and purpose decides. A restriction covers every purpose
-- (purpose_id is empty).
CREATE TABLE processing_limits (
    id INTEGER PRIMARY KEY,
    subject_ref TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('restriction', 'objection')),
    purpose_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('record', 'lift')),
    ground TEXT NOT NULL,
    at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    request_id TEXT,
    actor TEXT NOT NULL,
    origin TEXT NOT NULL
);
CREATE INDEX processing_limits_subject ON processing_limits (subject_ref, kind, purpose_id, at);
CREATE TRIGGER processing_limits_no_update BEFORE UPDATE ON processing_limits
BEGIN
    SELECT RAISE(ABORT, 'processing_limits is append-only: UPDATE refused');
END;
CREATE TRIGGER processing_limits_no_delete BEFORE DELETE ON processing_limits
BEGIN
    SELECT RAISE(ABORT, 'processing_limits is append-only: DELETE refused');
END;

-- Versions of the privacy notice (its text and the text's SHA-256), and who acknowledged
-- which version.
CREATE TABLE notices (
    version INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    text_sha256 TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    published_at TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE TABLE notice_acks (
    subject_ref TEXT NOT NULL,
    version INTEGER NOT NULL REFERENCES notices (version),
    at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    PRIMARY KEY (subject_ref, version)
);
CREATE TRIGGER notices_no_update BEFORE UPDATE ON notices
BEGIN
    SELECT RAISE(ABORT, 'notices is append-only: UPDATE refused');
END;
CREATE TRIGGER notices_no_delete BEFORE DELETE ON notices
BEGIN
    SELECT RAISE(ABORT, 'notices is append-only: DELETE refused');
END;
CREATE TRIGGER notice_acks_no_update BEFORE UPDATE ON notice_acks
BEGIN
    SELECT RAISE(ABORT, 'notice_acks is append-only: UPDATE refused');
END;
CREATE TRIGGER notice_acks_no_delete BEFORE DELETE ON notice_acks
BEGIN
    SELECT RAISE(ABORT, 'notice_acks is append-only: DELETE refused');
END;

-- A rectified identity: its ledgers were copied to the new reference; the old one answers
-- "moved" from then on.
CREATE TABLE subject_moves (
    old_ref TEXT PRIMARY KEY,
    new_ref TEXT NOT NULL,
    at TEXT NOT NULL,
    run_id TEXT NOT NULL
);
