-- A console account that must log in with a second factor whatever the site-wide setting
-- (portal-and-security.md B2.1 d: an administrator requires it of the accounts that handle
-- personal information or publish, before the whole office is ready). 0: the site-wide rule.
--
-- Portable like 20261127000001_registers.sql: TEXT and BIGINT only.
-- Never edit this file once applied anywhere: add a new migration.
ALTER TABLE users ADD COLUMN mfa_required BIGINT NOT NULL DEFAULT 0;
