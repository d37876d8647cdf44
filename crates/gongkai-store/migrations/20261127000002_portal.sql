-- gongkai portal, schema 2: what the public portal needs beyond the registers.
-- Portable between SQLite and PostgreSQL like 20261127000001 (TEXT and BIGINT only, ISO dates as
-- text, RFC 3339 UTC timestamps as text, application-generated keys). Never edit once applied.

-- 政府信息公开指南 (Art. 12, spec A2.1): the disclosure office of an agency and how to reach it.
-- The guide's other parts (分类、编排体系、获取方式, A2.2) are free text sections.
CREATE TABLE disclosure_guides (
    agency TEXT NOT NULL PRIMARY KEY REFERENCES agencies (code),
    office_name TEXT NOT NULL,
    address TEXT NOT NULL,
    office_hours TEXT NOT NULL,
    phone TEXT NOT NULL,
    fax TEXT NOT NULL,
    web_contact TEXT NOT NULL,
    postcode TEXT,
    -- 分类与编排体系, 获取方式, 依申请公开, 收费, 监督和救济: JSON object of section → text.
    sections TEXT NOT NULL,
    updated_on TEXT NOT NULL
);

-- 目录 fields the register does not hold (Art. 12, spec A2.3/A2.4): 内容概述, 生成日期, 发布机构,
-- 成文日期 and the text of the item. One row per proactive disclosure, optional.
CREATE TABLE proactive_details (
    agency TEXT NOT NULL,
    index_number TEXT NOT NULL,
    summary TEXT NOT NULL,
    generated_on TEXT NOT NULL,
    publisher TEXT,
    written_on TEXT,
    body TEXT,
    PRIMARY KEY (agency, index_number),
    FOREIGN KEY (agency, index_number) REFERENCES proactive_disclosures (agency, index_number) ON DELETE CASCADE
);

-- A request filed on the portal or the API: the public tracking number (unique over every agency,
-- because the public looks it up without an agency) and a hash of the query code (查询码). The
-- code itself is shown once to the applicant and never stored.
CREATE TABLE request_access (
    tracking_number TEXT NOT NULL PRIMARY KEY,
    request TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    query_code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX request_access_request ON request_access (request);
