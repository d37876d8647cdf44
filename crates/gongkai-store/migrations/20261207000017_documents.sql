-- Issue 17 (casework-documents.md C4): every notice and reply a request's events issue. A
-- document is written in the same transaction as the event that issues it, and never updated but
-- for its delivery and, when the retention period ends, its addressee (personal information).
-- `seq` is gapless per agency, kind and year: the store assigns MAX + 1 under the agency's lock,
-- and the unique constraint backs it. `body` is the document as JSON (gongkai_core::casework::Document).
CREATE TABLE documents (
    id TEXT NOT NULL PRIMARY KEY,
    request TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    agency TEXT NOT NULL REFERENCES agencies (code),
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    seq BIGINT NOT NULL,
    number TEXT NOT NULL,
    event_seq BIGINT,
    issued_on TEXT NOT NULL,
    addressee_is_applicant INTEGER NOT NULL,
    body TEXT NOT NULL,
    delivery TEXT NOT NULL DEFAULT 'pending',
    delivered_on TEXT,
    recorded_at TEXT NOT NULL,
    CONSTRAINT documents_number_seq UNIQUE (agency, kind, year, seq),
    CONSTRAINT documents_number UNIQUE (agency, number)
);
CREATE INDEX documents_request ON documents (request);

-- An agency's casework settings (C3, C4): 简称 for 文号, government level, vertical management,
-- the review body and court overriding the computed ones, the office's contact. JSON of
-- gongkai_core::casework::CaseworkSettings.
CREATE TABLE agency_casework (
    agency TEXT NOT NULL PRIMARY KEY REFERENCES agencies (code),
    settings TEXT NOT NULL
);
