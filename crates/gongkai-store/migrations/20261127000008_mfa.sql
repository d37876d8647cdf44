-- Two-factor login (B2.1 d, GB/T 22239-2019 8.1.4.1): a console account's TOTP secret (RFC 6238,
-- base32), set when the user enrols and cleared when they turn it off. NULL: password only.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
