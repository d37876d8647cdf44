-- Published annual reports of agencies that do not keep their registers in gongkai (issue 8,
-- item 5): the supervising office imports the published file (text, HTML, DOCX, PDF, XLSX, JSON)
-- and the overview checks, scores and rolls it up beside the reports generated here.
--
-- Portable like 20261127000001_registers.sql: TEXT and BIGINT only, application-generated ids,
-- dates as ISO text, timestamps as RFC 3339 UTC text. Never edit this file once applied.
--
-- Every import is kept (id, imported_at): a file imported again for the same agency and year
-- supersedes the earlier one in the overview, but the earlier one is not lost.
CREATE TABLE published_reports (
    id TEXT NOT NULL PRIMARY KEY,
    agency TEXT NOT NULL REFERENCES agencies (code),
    year BIGINT NOT NULL,
    -- The file's name as uploaded, its detected format and the SHA-256 of its bytes.
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    -- The publication date (Art. 49 timeliness): as read from the report's signature, or as given.
    published_on TEXT NOT NULL,
    -- The canonical report read from the file (JSON, "schema": "gongkai.report/1").
    report TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
);
CREATE INDEX published_reports_agency_year ON published_reports (agency, year, imported_at);
