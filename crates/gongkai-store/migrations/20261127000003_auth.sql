-- gongkai console accounts, sessions, API tokens and the audit trail (portal-and-security.md §B).
--
-- Portable like 20261127000001_registers.sql: TEXT and BIGINT only, application-generated ids,
-- timestamps as RFC 3339 UTC text with microseconds (they compare correctly as text).
-- Secrets are never stored: passwords as Argon2id PHC strings, session ids and API tokens as the
-- hex SHA-256 of the random value the client holds.
-- Never edit this file once applied anywhere: add a new migration.

-- 用户 (B2.1, B2.2): one account per person, scoped to an agency; role is staff | approver |
-- supervisor | administrator. failed_logins and locked_until implement the login-failure lock.
CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY,
    username TEXT NOT NULL,
    agency TEXT NOT NULL REFERENCES agencies (code),
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    password_changed_at TEXT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    disabled BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    CONSTRAINT users_username UNIQUE (username)
);
CREATE INDEX users_agency ON users (agency);

-- 会话: server-side sessions (ASVS 7.4.1: terminated on the server). id_hash is the SHA-256 of
-- the cookie value; csrf_token is the per-session synchroniser token of every console form.
CREATE TABLE sessions (
    id_hash TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    source TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- API bearer tokens for the staff endpoints; only the hash is kept.
CREATE TABLE api_tokens (
    id TEXT NOT NULL PRIMARY KEY,
    token_hash TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    CONSTRAINT api_tokens_token_hash UNIQUE (token_hash)
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- 审计记录 (B2.3, B6): append-only; seq orders the chain and hash = SHA-256(prev_hash, fields),
-- so a deleted or overwritten record breaks the chain (Store::verify_audit_chain).
-- username/role/agency are copied, not referenced: the record outlives the account.
CREATE TABLE audit_events (
    seq BIGINT NOT NULL PRIMARY KEY,
    "at" TEXT NOT NULL,
    username TEXT,
    role TEXT,
    agency TEXT,
    event_type TEXT NOT NULL,
    target TEXT,
    success BIGINT NOT NULL CHECK (success IN (0, 1)),
    source TEXT,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_at ON audit_events ("at");
