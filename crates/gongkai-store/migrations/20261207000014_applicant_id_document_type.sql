-- 证件类型 of the applicant's identity document (portal-and-security.md A4.2), when the applicant
-- said it: the online form asks for it and checks the number by it (GB 11643, GB 32100).
-- Not personal information by itself; anonymised with the number all the same.
ALTER TABLE requests ADD COLUMN applicant_id_document_type TEXT;
