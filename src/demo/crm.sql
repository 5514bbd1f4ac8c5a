-- The CRM database of the demo workspace (policy: policies/sources/crm.toml).
-- Timestamps are TEXT in RFC 3339 UTC, e.g. 2026-01-02T03:04:05Z.
-- No ON DELETE CASCADE: erasure deletes child rows itself, so that held rows are never
-- removed behind its back.

-- The platform's client accounts (tenants). Every row below names its account in
-- account_id (no foreign key, as in many multi-tenant schemas) or through a relation.
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    contact_email TEXT,
    plan          TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    phone         TEXT,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'agent',
    created_at    TEXT NOT NULL
);
CREATE INDEX users_phone ON users (phone);
CREATE INDEX users_account_id ON users (account_id);

CREATE TABLE leads (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    name       TEXT NOT NULL,
    email      TEXT,
    phone      TEXT,
    company    TEXT,
    status     TEXT NOT NULL DEFAULT 'new',
    source     TEXT,
    notes      TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX leads_email ON leads (email);
CREATE INDEX leads_phone ON leads (phone);
CREATE INDEX leads_created_at ON leads (created_at);
CREATE INDEX leads_account_id ON leads (account_id);

-- Retention deletes leads older than two years; a client that started as one of them
-- keeps its row and loses the link.
CREATE TABLE clients (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    lead_id    INTEGER REFERENCES leads (id) ON DELETE SET NULL,
    name       TEXT NOT NULL,
    email      TEXT,
    phone      TEXT,
    company    TEXT,
    address    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX clients_lead_id ON clients (lead_id);
CREATE INDEX clients_email ON clients (email);
CREATE INDEX clients_phone ON clients (phone);
CREATE INDEX clients_account_id ON clients (account_id);

CREATE TABLE meetings (
    id                INTEGER PRIMARY KEY,
    client_id         INTEGER NOT NULL REFERENCES clients (id),
    title             TEXT NOT NULL,
    attendees         TEXT,
    starts_at         TEXT NOT NULL,
    calendar_event_id TEXT,
    created_at        TEXT NOT NULL
);
CREATE INDEX meetings_client_id ON meetings (client_id);

CREATE TABLE email_records (
    id         INTEGER PRIMARY KEY,
    client_id  INTEGER NOT NULL REFERENCES clients (id),
    to_address TEXT NOT NULL,
    subject    TEXT,
    body       TEXT,
    sent_at    TEXT NOT NULL
);
CREATE INDEX email_records_client_id ON email_records (client_id);

-- client_id is nullable: a held invoice is pseudonymised and unlinked from the client
-- (its mask is "null") before the client row is deleted.
CREATE TABLE invoices (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER REFERENCES clients (id),
    number          TEXT NOT NULL UNIQUE,
    billing_name    TEXT NOT NULL,
    billing_address TEXT,
    vat_id          TEXT,
    amount_cents    INTEGER NOT NULL,
    currency        TEXT NOT NULL DEFAULT 'ILS',
    issued_at       TEXT NOT NULL
);
CREATE INDEX invoices_client_id ON invoices (client_id);
CREATE INDEX invoices_issued_at ON invoices (issued_at);

CREATE TABLE push_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    token      TEXT NOT NULL,
    platform   TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX push_tokens_user_id ON push_tokens (user_id);

CREATE TABLE telegram_links (
    user_id          INTEGER PRIMARY KEY REFERENCES users (id),
    telegram_chat_id TEXT NOT NULL,
    linked_at        TEXT NOT NULL
);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    ip_address    TEXT,
    user_agent    TEXT,
    last_activity TEXT NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_last_activity ON sessions (last_activity);
