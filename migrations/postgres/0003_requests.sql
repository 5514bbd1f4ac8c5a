-- Data-subject requests and their deadlines.
CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'erasure', 'portability')),
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
CREATE INDEX requests_subject ON requests (subject_ref);
CREATE INDEX requests_status ON requests (status, due_at);
