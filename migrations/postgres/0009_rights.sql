-- Requests gain the kinds of Art. 16, 18 and 21; restrictions and objections get their
-- append-only ledger; the privacy notice gets its versions and acknowledgements; a
-- rectified identity records where its ledger went.
ALTER TABLE requests DROP CONSTRAINT requests_kind_check;
ALTER TABLE requests ADD CONSTRAINT requests_kind_check
    CHECK (kind IN ('access', 'erasure', 'portability', 'rectification', 'restriction', 'objection'));

-- Restrictions (Art. 18) and objections (Art. 21): every change is a new row; the newest
-- row of a subject, kind and purpose decides. A restriction covers every purpose
-- (purpose_id is empty).
CREATE TABLE processing_limits (
    id BIGSERIAL PRIMARY KEY,
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
CREATE TRIGGER processing_limits_no_update BEFORE UPDATE OR DELETE ON processing_limits
    FOR EACH ROW EXECUTE FUNCTION privops_audit_append_only();
CREATE TRIGGER processing_limits_no_truncate BEFORE TRUNCATE ON processing_limits
    FOR EACH STATEMENT EXECUTE FUNCTION privops_audit_append_only();

-- Versions of the privacy notice (its text and the text's SHA-256), and who acknowledged
-- which version.
CREATE TABLE notices (
    version BIGINT PRIMARY KEY,
    title TEXT NOT NULL,
    text_sha256 TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    published_at TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE TABLE notice_acks (
    subject_ref TEXT NOT NULL,
    version BIGINT NOT NULL REFERENCES notices (version),
    at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    PRIMARY KEY (subject_ref, version)
);
CREATE TRIGGER notices_no_update BEFORE UPDATE OR DELETE ON notices
    FOR EACH ROW EXECUTE FUNCTION privops_audit_append_only();
CREATE TRIGGER notices_no_truncate BEFORE TRUNCATE ON notices
    FOR EACH STATEMENT EXECUTE FUNCTION privops_audit_append_only();
CREATE TRIGGER notice_acks_no_update BEFORE UPDATE OR DELETE ON notice_acks
    FOR EACH ROW EXECUTE FUNCTION privops_audit_append_only();
CREATE TRIGGER notice_acks_no_truncate BEFORE TRUNCATE ON notice_acks
    FOR EACH STATEMENT EXECUTE FUNCTION privops_audit_append_only();

-- A rectified identity: its ledgers were copied to the new reference; the old one answers
-- "moved" from then on.
CREATE TABLE subject_moves (
    old_ref TEXT PRIMARY KEY,
    new_ref TEXT NOT NULL,
    at TEXT NOT NULL,
    run_id TEXT NOT NULL
);
