-- Log retention (portal-and-security.md B1.1, B2.6): how long audit records are kept, and where
-- the audit chain starts once older records have been purged.
--
-- Portable like 20261127000001_registers.sql: TEXT and BIGINT only.
-- Never edit this file once applied anywhere: add a new migration.

-- 系统设置: one row per setting (log_retention_days, …); changed_at RFC 3339 UTC.
CREATE TABLE settings (
    "key" TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    changed_by TEXT
);

-- The start of the audit chain after a purge (one row, id 1): the sequence number and hash of
-- the last purged record. The first remaining record's prev_hash must equal hash, and the purge
-- record that the chain holds names both (Store::verify_audit_chain).
CREATE TABLE audit_anchor (
    id BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    purged_at TEXT NOT NULL
);
