-- Erasure runs and their journal of steps, and the suppression list.
CREATE TABLE erasure_runs (
    run_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'done')),
    completed_at TEXT,
    receipt TEXT
);

CREATE TABLE erasure_subjects (
    run_id TEXT NOT NULL REFERENCES erasure_runs (run_id),
    subject_ref TEXT NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id),
    PRIMARY KEY (run_id, subject_ref)
);
CREATE INDEX erasure_subjects_request ON erasure_subjects (request_id);

CREATE TABLE erasure_steps (
    run_id TEXT NOT NULL REFERENCES erasure_runs (run_id),
    step_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('source', 'provider', 'manual', 'verify')),
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    plan TEXT,
    outcome TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, step_id)
);

-- Subjects known to be erased, by keyed reference only.
CREATE TABLE suppressions (
    subject_ref TEXT PRIMARY KEY,
    erased_at TEXT NOT NULL,
    run_id TEXT NOT NULL
);
