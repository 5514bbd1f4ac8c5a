-- The messaging database of the demo workspace (policy: policies/sources/messaging.toml).
-- Timestamps are TEXT in RFC 3339 UTC, e.g. 2026-01-02T03:04:05Z.
-- No ON DELETE CASCADE: erasure deletes child rows itself. account_id names the client
-- account (the CRM's accounts.id) a row belongs to.

CREATE TABLE whatsapp_messages (
    id                  INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL,
    phone               TEXT NOT NULL,
    direction           TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    body                TEXT,
    provider_message_id TEXT,
    sent_at             TEXT NOT NULL
);
CREATE INDEX whatsapp_messages_account_id ON whatsapp_messages (account_id);
CREATE INDEX whatsapp_messages_phone ON whatsapp_messages (phone);

CREATE TABLE voice_transcripts (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES whatsapp_messages (id),
    transcript TEXT NOT NULL,
    duration_s INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX voice_transcripts_message_id ON voice_transcripts (message_id);

CREATE TABLE ai_conversations (
    id            INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL,
    contact_email TEXT NOT NULL,
    agent         TEXT NOT NULL,
    started_at    TEXT NOT NULL
);
CREATE INDEX ai_conversations_account_id ON ai_conversations (account_id);
CREATE INDEX ai_conversations_contact_email ON ai_conversations (contact_email);

CREATE TABLE ai_messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES ai_conversations (id),
    role            TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    content         TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX ai_messages_conversation_id ON ai_messages (conversation_id);

CREATE TABLE ai_tool_calls (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES ai_conversations (id),
    tool            TEXT NOT NULL,
    parameters      TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX ai_tool_calls_conversation_id ON ai_tool_calls (conversation_id);

-- Ephemeral: retention removes rows after one day.
CREATE TABLE chat_buffers (
    id         INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL,
    phone      TEXT NOT NULL,
    content    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX chat_buffers_account_id ON chat_buffers (account_id);
CREATE INDEX chat_buffers_phone ON chat_buffers (phone);
CREATE INDEX chat_buffers_created_at ON chat_buffers (created_at);

CREATE TABLE execution_logs (
    id           INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL,
    client_email TEXT,
    feature      TEXT NOT NULL,
    agent        TEXT,
    status       TEXT NOT NULL,
    duration_ms  INTEGER NOT NULL DEFAULT 0,
    executed_at  TEXT NOT NULL
);
CREATE INDEX execution_logs_account_id ON execution_logs (account_id);
CREATE INDEX execution_logs_client_email ON execution_logs (client_email);
CREATE INDEX execution_logs_executed_at ON execution_logs (executed_at);

-- Aggregated metrics: no personal data, kept indefinitely. day is YYYY-MM-DD (UTC).
CREATE TABLE usage_metrics_daily (
    day               TEXT NOT NULL,
    feature           TEXT NOT NULL,
    executions        INTEGER NOT NULL DEFAULT 0,
    total_duration_ms INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, feature)
);
