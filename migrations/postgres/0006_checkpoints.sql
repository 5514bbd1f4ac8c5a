-- Signed checkpoints of the audit chain: size and head hash under an Ed25519 key.
CREATE TABLE audit_checkpoints (
    id BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    size BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
