-- The supervising office's overview cache (supervise.rs, cache.rs; issue 8): the one derived
-- store of gongkai. Everything here can be dropped at any time (`DELETE FROM supervise_cache`)
-- and is rebuilt from the registers on the next read or by `gongkai supervise refresh`.
--
-- Portable like 20261127000001_registers.sql: TEXT and BIGINT only. Never edit this file once
-- applied.

-- Per agency and report year: what the overview needs of the agency's generated report (the
-- canonical report, its findings, register errors) and the year's request figures (received,
-- replied, on time, withdrawn, outcomes, median working days) — as JSON. `stamp` names what the
-- row was computed with (cache format, gongkai version, a fingerprint of the working-day
-- calendar): a row with another stamp is stale and recomputed. Every register write drops the
-- rows of the (agency, years) it can change, in its own transaction (lock.rs, cache.rs).
CREATE TABLE supervise_cache (
    agency TEXT NOT NULL,
    year BIGINT NOT NULL,
    stamp TEXT NOT NULL,
    data TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    PRIMARY KEY (agency, year)
);

-- Per agency: a counter every invalidation increases, in the writer's transaction. A row computed
-- from registers read before a concurrent write is written back only if the counter is still the
-- one read before the registers were (under the agency's row lock), so a write can never be lost
-- behind a slow recomputation.
CREATE TABLE supervise_cache_epochs (
    agency TEXT NOT NULL PRIMARY KEY,
    epoch BIGINT NOT NULL
);

-- The first day a request was finished (the earliest reply or withdrawal), kept by the store
-- with its events, in the same transaction: "open on day D" (no reply or withdrawal dated on or
-- before D) becomes `finished_on IS NULL OR finished_on > D`, an index range instead of a probe
-- per request of the register. Backfilled here from the events.
ALTER TABLE requests ADD COLUMN finished_on TEXT;
UPDATE requests SET finished_on = (
    SELECT MIN(e."on") FROM request_events e
    WHERE e.request = requests.id AND e."type" IN ('reply', 'withdrawal')
);
CREATE INDEX requests_unfinished ON requests (agency, received_on) WHERE finished_on IS NULL;
CREATE INDEX requests_finished_on ON requests (finished_on, agency);
