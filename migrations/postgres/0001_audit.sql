-- The hash-chained, append-only audit trail and the policy versions seen.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_ref TEXT,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_ref);
CREATE INDEX audit_log_action ON audit_log (action, at);

CREATE FUNCTION privops_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION privops_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION privops_audit_append_only();

-- One row; every writer updates it first, which serialises appends to the chain.
CREATE TABLE write_lock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    taken_at TEXT NOT NULL
);
INSERT INTO write_lock (id, taken_at) VALUES (1, '');

CREATE TABLE policy_versions (
    digest TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL
);
