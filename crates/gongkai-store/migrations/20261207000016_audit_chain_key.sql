-- Issue 21 item 6 (portal-and-security.md B3.3): the audit chain is keyed with HMAC-SM3 under a
-- key derived from the data key, which is never in the database, so that nobody who can only
-- write the database can alter a record and recompute the chain. `scheme` says how the chain's
-- hashes are computed: 'sha256' (unkeyed, every chain written before this migration) or
-- 'hmac-sm3'. The store re-hashes an unkeyed chain once, after checking it, when it opens the
-- database with its key (`Store::migrate`); a chain that does not verify stays unkeyed so that
-- its break remains visible.
ALTER TABLE audit_head ADD COLUMN scheme TEXT NOT NULL DEFAULT 'sha256';
