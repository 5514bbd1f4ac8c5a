-- Signed checkpoints of the audit chain: size and head hash under an Ed25519 key.
CREATE TABLE audit_checkpoints (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    size INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
