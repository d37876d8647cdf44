-- Issue 18 item 3 (Art. 12; portal-and-security.md A2.1, A2.2): every saved version of an
-- agency's disclosure guide, with who saved it and when, so that the office and its supervising
-- office see what changed. Written in the transaction that replaces the guide; never updated.
CREATE TABLE guide_versions (
    agency TEXT NOT NULL REFERENCES agencies (code),
    version BIGINT NOT NULL,
    saved_at TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    guide TEXT NOT NULL,
    PRIMARY KEY (agency, version)
);
