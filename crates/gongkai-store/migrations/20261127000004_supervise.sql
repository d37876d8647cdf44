-- The supervising office's overview (supervise.rs): indexes only, nothing derived is stored.
-- Partial indexes (SQLite >= 3.8, PostgreSQL) on the events that finish a request:
-- * by request: "is this request finished by day D?" (the NOT EXISTS of the open requests and of
--   a year's report) reads one small index entry instead of every event of the request;
-- * by date: "which requests were finished in year Y?" is a range scan.
CREATE INDEX request_events_finish_request ON request_events (request, "on")
    WHERE "type" IN ('reply', 'withdrawal');
CREATE INDEX request_events_finish_on ON request_events ("on", request)
    WHERE "type" IN ('reply', 'withdrawal');
