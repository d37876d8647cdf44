-- Withdrawing (撤销) an import of a published report made by mistake (issue 8, item 5): the
-- wrong agency, the wrong file. The row is kept — the history shows what was imported, when and
-- by whom, and that it was withdrawn, why and by whom — but a withdrawn import no longer counts
-- anywhere (overview, scorecards, roll-up, last year's problems section): the newest import not
-- withdrawn counts again.
--
-- Portable like 20261127000001_registers.sql: TEXT only, the timestamp as RFC 3339 UTC text.
-- All three are NULL while the import stands and all three set once it is withdrawn (a
-- withdrawal is not undone: import the file again instead). Never edit this file once applied.
ALTER TABLE published_reports ADD COLUMN withdrawn_at TEXT;
ALTER TABLE published_reports ADD COLUMN withdrawn_by TEXT;
ALTER TABLE published_reports ADD COLUMN withdraw_reason TEXT;
