-- Issue 17 item 6 (casework-documents.md C4): the information provided with a reply (PDF, DOCX,
-- XLSX, images), kept with the request for its archive (Art. 45). One code path on both backends:
-- the content is base64 text in this table (the schema uses only TEXT and BIGINT, see
-- gongkai-store's lib.rs), with its SHA-256 (hex) and size in bytes as uploaded. Added and
-- removed only while the reply it goes with is not yet delivered; deleted with its request.
CREATE TABLE attachments (
    id TEXT NOT NULL PRIMARY KEY,
    request TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    document TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    CONSTRAINT attachments_name UNIQUE (request, document, file_name)
);
CREATE INDEX attachments_request ON attachments (request);
