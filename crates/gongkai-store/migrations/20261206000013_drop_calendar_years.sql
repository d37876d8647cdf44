-- The working-day calendar is the built-in official one plus the years an office loads with
-- `gongkai calendar load` (kept in the data folder). This table was never written by any command,
-- so it goes (issue 16: no store method without a production caller).
DROP TABLE IF EXISTS calendar_years;
