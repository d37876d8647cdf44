-- Personal information encrypted at rest (portal-and-security.md B2.5, B3.3): from this version
-- `requests.applicant_id_document`, `requests.applicant_contact` and `users.totp_secret` hold
-- SM4-GCM ciphertext (`sm4gcm1:…`), written by the store under the deployment's data key; values
-- stored in clear by earlier versions are encrypted when the key is installed (Store::migrate).
-- The blind index: HMAC-SM3 of the normalised identity document number, so that an office can
-- find an applicant's requests (Art. 35) without decrypting every row.
ALTER TABLE requests ADD COLUMN applicant_id_index TEXT;
CREATE INDEX requests_applicant_id_index ON requests (agency, applicant_id_index);
