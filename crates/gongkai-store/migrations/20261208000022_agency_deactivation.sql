-- 停用机关: an agency abolished or merged in an institutional reform keeps its records (they are
-- its public record) but stops receiving requests from the day given; the note says where its
-- duties went (职责承接机关), shown to applicants. NULL: active.
--
-- Portable like 20261127000001_registers.sql: TEXT and BIGINT only.
-- Never edit this file once applied anywhere: add a new migration.
ALTER TABLE agencies ADD COLUMN deactivated_on TEXT;
ALTER TABLE agencies ADD COLUMN deactivation_note TEXT;
