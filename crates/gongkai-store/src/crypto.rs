//! Personal information encrypted at rest (portal-and-security.md B2.5: confidentiality of
//! personal information and authentication data in storage by cryptography; B3.3: SM4 field
//! encryption and an HMAC-SM3 blind index).
//!
//! - **What is encrypted:** an applicant's identity document number and contact details
//!   (`requests.applicant_id_document`, `requests.applicant_contact`; Art. 29 makes the office
//!   collect them, PIPL Art. 28 and GB/T 35273 App. B count the ID number as sensitive) and each
//!   console account's TOTP secret (`users.totp_secret`, authentication data). A copy of the
//!   database — a backup, a dump, a stolen disk — holds only ciphertext.
//! - **How:** SM4 (GB/T 32907) in GCM mode, authenticated, with a random 96-bit nonce per value;
//!   the stored text is `sm4gcm1:` + base64(nonce ‖ ciphertext ‖ tag). The value's place (table,
//!   column and row id) is the associated data, so a ciphertext moved to another row or column
//!   does not decrypt.
//! - **Search without decrypting:** `requests.applicant_id_index` is HMAC-SM3 (GB/T 32905) of the
//!   normalised ID number under its own key: equal numbers give equal indexes, so the office finds
//!   an applicant's earlier requests (Art. 35) with an index lookup.
//! - **Keys:** one 256-bit data key, supplied by the deployment (a key file or an environment
//!   variable, see the binary's `--data-key-file`), never stored in the database. The SM4 key, the
//!   index key and a key check are derived from it with HMAC-SM3 and distinct labels. The check is
//!   stored (`settings.data_key_check`): a database opened with another key is refused before
//!   anything is read or written, instead of failing row by row or mixing two keys.
//!
//! The RustCrypto `sm4` crate is not a certified cryptographic module (dependencies.md §9): a
//! deployment that must pass 商用密码应用安全性评估 keeps the data key in a KMS or 密码机 and
//! injects it through `GONGKAI_DATA_KEY`.

use std::fmt;

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::AesGcm;
use data_encoding::{BASE64, HEXLOWER};
use hmac::{Hmac, Mac};
use sm3::Sm3;
use sm4::Sm4;
use sqlx::Row;
use zeroize::Zeroize;

use crate::StoreError;

/// SM4 in Galois/Counter mode with a 96-bit nonce and a 128-bit tag (the SM4-GCM of RFC 8998).
type Sm4Gcm = AesGcm<Sm4, U12>;
type HmacSm3 = Hmac<Sm3>;

/// The prefix of every encrypted value (the format's version).
pub const CIPHERTEXT_PREFIX: &str = "sm4gcm1:";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// The settings key that holds the data key's check value.
pub(crate) const KEY_CHECK_SETTING: &str = "data_key_check";

/// The deployment's data key (256 bits). Its bytes are wiped when it is dropped and never
/// printed.
#[derive(Clone)]
pub struct DataKey([u8; 32]);

/// Why a data key could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DataKeyError {
    /// Not 64 hexadecimal digits.
    #[error("数据密钥应为 64 位十六进制数字（256 位），实际为 {0} 个字符")]
    Length(usize),
    /// A character that is not a hexadecimal digit.
    #[error("数据密钥含有非十六进制字符")]
    NotHex,
    /// The system's random source failed.
    #[error("无法生成随机数据密钥: {0}")]
    Random(String),
}

impl DataKey {
    /// A new random key from the operating system's random source.
    pub fn generate() -> Result<DataKey, DataKeyError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| DataKeyError::Random(e.to_string()))?;
        Ok(DataKey(bytes))
    }

    /// The key from its 64 hexadecimal digits (surrounding whitespace, such as a key file's final
    /// newline, is ignored).
    pub fn from_hex(text: &str) -> Result<DataKey, DataKeyError> {
        let text = text.trim();
        if text.len() != 64 {
            return Err(DataKeyError::Length(text.chars().count()));
        }
        let mut bytes = [0u8; 32];
        let lower = text.to_ascii_lowercase();
        HEXLOWER.decode_mut(lower.as_bytes(), &mut bytes).map_err(|_| DataKeyError::NotHex)?;
        Ok(DataKey(bytes))
    }

    /// The key as 64 lowercase hexadecimal digits (what a key file holds).
    pub fn to_hex(&self) -> String {
        HEXLOWER.encode(&self.0)
    }

    /// HMAC-SM3 of `label` under the key: the one derivation of every working key.
    fn derive(&self, label: &[u8]) -> [u8; 32] {
        let mut mac = <HmacSm3 as KeyInit>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable_hmac());
        mac.update(label);
        mac.finalize().into_bytes().into()
    }
}

/// HMAC accepts keys of any length; this is never reached.
fn unreachable_hmac() -> HmacSm3 {
    unreachable!("HMAC takes keys of any length")
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(..)")
    }
}

/// Where an encrypted value lives: its table and column are part of the associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `requests.applicant_id_document` (身份证明号码).
    IdDocument,
    /// `requests.applicant_contact` (联系方式).
    Contact,
    /// `users.totp_secret` (动态口令密钥).
    TotpSecret,
    /// `users.totp_pending`: the secret of an enrolment under way, not yet confirmed.
    TotpPending,
}

impl Field {
    /// The table.
    pub fn table(self) -> &'static str {
        match self {
            Field::IdDocument | Field::Contact => "requests",
            Field::TotpSecret | Field::TotpPending => "users",
        }
    }

    /// The column.
    pub fn column(self) -> &'static str {
        match self {
            Field::IdDocument => "applicant_id_document",
            Field::Contact => "applicant_contact",
            Field::TotpSecret => "totp_secret",
            Field::TotpPending => "totp_pending",
        }
    }
}

/// The working keys derived from a [`DataKey`]: what the store seals and opens personal
/// information with (public for tools and benchmarks; the store is its only writer).
pub struct FieldCipher {
    aead: Sm4Gcm,
    index_key: [u8; 32],
    audit_key: [u8; 32],
    check: String,
}

impl fmt::Debug for FieldCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FieldCipher(..)")
    }
}

impl Drop for FieldCipher {
    fn drop(&mut self) {
        self.index_key.zeroize();
        self.audit_key.zeroize();
    }
}

impl FieldCipher {
    /// The working keys of `key`.
    pub fn new(key: &DataKey) -> FieldCipher {
        let mut sm4_key = key.derive(b"gongkai/v1/SM4-GCM field encryption");
        let aead = <Sm4Gcm as KeyInit>::new_from_slice(&sm4_key[..16]).unwrap_or_else(|_| unreachable_sm4());
        sm4_key.zeroize();
        FieldCipher {
            aead,
            index_key: key.derive(b"gongkai/v1/HMAC-SM3 blind index"),
            audit_key: key.derive(b"gongkai/v1/HMAC-SM3 audit chain"),
            check: HEXLOWER.encode(&key.derive(b"gongkai/v1/data key check")),
        }
    }

    /// The value stored in `settings.data_key_check`: tells whether a database was encrypted with
    /// this key, without revealing the key.
    pub(crate) fn check_value(&self) -> &str {
        &self.check
    }

    fn aad(field: Field, row: &str) -> Vec<u8> {
        format!("{}.{}/{row}", field.table(), field.column()).into_bytes()
    }

    /// Encrypts `plain`, the value of `field` in the row `row`.
    pub fn seal(&self, field: Field, row: &str, plain: &str) -> Result<String, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)
            .map_err(|e| StoreError::Invalid { what: "encryption", detail: format!("no randomness: {e}") })?;
        let aad = Self::aad(field, row);
        let sealed = self
            .aead
            .encrypt(&nonce.into(), Payload { msg: plain.as_bytes(), aad: &aad })
            .map_err(|_| StoreError::Invalid { what: "encryption", detail: "SM4-GCM failed".to_string() })?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(format!("{CIPHERTEXT_PREFIX}{}", BASE64.encode(&out)))
    }

    /// Decrypts a stored value of `field` in the row `row`. A value that is not in the format, or
    /// does not decrypt (altered, moved from another row, or written under another key), is
    /// reported as corrupt — naming the table and column, never the value.
    pub fn open(&self, field: Field, row: &str, stored: &str) -> Result<String, StoreError> {
        let corrupt = |detail: &str| StoreError::Corrupt {
            table: field.table(),
            column: field.column(),
            detail: format!("row {row}: {detail}"),
        };
        let body = stored.strip_prefix(CIPHERTEXT_PREFIX).ok_or_else(|| corrupt("not an encrypted value"))?;
        let bytes = BASE64.decode(body.as_bytes()).map_err(|_| corrupt("not base64"))?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(corrupt("too short to be an encrypted value"));
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| corrupt("bad nonce"))?;
        let aad = Self::aad(field, row);
        let plain = self
            .aead
            .decrypt(&nonce.into(), Payload { msg: sealed, aad: &aad })
            .map_err(|_| corrupt("cannot be decrypted with this data key (altered, moved, or another key)"))?;
        String::from_utf8(plain).map_err(|_| corrupt("decrypted value is not UTF-8"))
    }

    /// Encrypts an optional value.
    pub(crate) fn seal_opt(&self, field: Field, row: &str, plain: Option<&str>) -> Result<Option<String>, StoreError> {
        plain.map(|p| self.seal(field, row, p)).transpose()
    }

    /// Decrypts an optional value.
    pub(crate) fn open_opt(&self, field: Field, row: &str, stored: Option<&str>) -> Result<Option<String>, StoreError> {
        stored.map(|s| self.open(field, row, s)).transpose()
    }

    /// The blind index of an identity document number: HMAC-SM3 of the number with spaces and
    /// hyphens removed and letters upper-cased (「110101 19900307 761x」 and 「11010119900307761X」
    /// are the same document).
    pub fn blind_index(&self, id_document: &str) -> String {
        let normal: String = id_document
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '－')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let mut mac = <HmacSm3 as KeyInit>::new_from_slice(&self.index_key).unwrap_or_else(|_| unreachable_hmac());
        mac.update(normal.as_bytes());
        HEXLOWER.encode(&mac.finalize().into_bytes())
    }

    /// HMAC-SM3 of an audit record's message under the audit key (B3.3): the keyed hash of the
    /// audit chain, which nobody without the data key can recompute after changing a record.
    pub(crate) fn audit_mac(&self, message: &[u8]) -> String {
        let mut mac = <HmacSm3 as KeyInit>::new_from_slice(&self.audit_key).unwrap_or_else(|_| unreachable_hmac());
        mac.update(message);
        HEXLOWER.encode(&mac.finalize().into_bytes())
    }
}

/// SM4 keys are 16 bytes and the slice is 16 bytes; this is never reached.
fn unreachable_sm4() -> Sm4Gcm {
    unreachable!("the SM4 key slice is 16 bytes")
}

impl crate::Store {
    /// Records the data key's check value in a database that has none, encrypting whatever
    /// personal information an earlier version stored in clear (and filling the blind index), in
    /// one transaction; refuses a database keyed with another key. Called by [`crate::Store::migrate`].
    pub(crate) async fn install_data_key(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        match stored_check(&mut tx).await? {
            Some(check) if check == self.cipher.check_value() => return Ok(()),
            Some(_) => return Err(StoreError::DataKeyMismatch),
            None => {}
        }
        let cipher = &self.cipher;
        let encrypted = reseal_all(&mut tx, cipher, cipher).await?;
        // Two processes opening a fresh database at once: the first check written wins, and the
        // other is compared with it.
        sqlx::query(
            "INSERT INTO settings (\"key\", value, changed_at, changed_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (\"key\") DO NOTHING",
        )
        .bind(KEY_CHECK_SETTING)
        .bind(cipher.check_value())
        .bind(crate::codec::now_text())
        .bind("gongkai")
        .execute(&mut *tx)
        .await?;
        if stored_check(&mut tx).await?.as_deref() != Some(cipher.check_value()) {
            return Err(StoreError::DataKeyMismatch);
        }
        tx.commit().await?;
        tracing::info!(rows = encrypted, "data key installed; personal information encrypted at rest");
        Ok(())
    }
}

impl crate::Store {
    /// Re-encrypts every encrypted value and recomputes every blind index under `new` (a key
    /// change: staff turnover, a suspected leak, the deployment's key policy), and records the new
    /// key's check value — all in one transaction, so the database is under one key or the other,
    /// never both. Returns how many rows changed. The store keeps working with its old key until
    /// reopened with the new one.
    pub async fn rotate_data_key(&self, new: &DataKey) -> Result<u64, StoreError> {
        let next = FieldCipher::new(new);
        let mut tx = self.pool.begin().await?;
        if stored_check(&mut tx).await?.as_deref() != Some(self.cipher.check_value()) {
            return Err(StoreError::DataKeyMismatch);
        }
        let changed = reseal_all(&mut tx, &self.cipher, &next).await?;
        // The audit chain is keyed by the data key (B3.3): re-hashed under the new key in the
        // same transaction, after checking it under the old (a broken chain refuses the change
        // of key, so that the break is not re-hashed away).
        if let crate::auth::ChainKey::HmacSm3(_) = crate::auth::chain_key(&mut tx, &self.cipher).await? {
            crate::auth::rechain_on(
                &mut tx,
                crate::auth::ChainKey::HmacSm3(&self.cipher),
                crate::auth::ChainKey::HmacSm3(&next),
            )
            .await?;
        }
        sqlx::query("UPDATE settings SET value = $1, changed_at = $2, changed_by = $3 WHERE \"key\" = $4")
            .bind(next.check_value())
            .bind(crate::codec::now_text())
            .bind("gongkai")
            .bind(KEY_CHECK_SETTING)
            .execute(&mut *tx)
            .await?;
        let event = crate::auth::AuditEvent {
            username: Some("(cli)".into()),
            event_type: "config.data_key_rotated".into(),
            target: Some(KEY_CHECK_SETTING.into()),
            success: true,
            detail: Some(format!("{changed} 行重新加密")),
            ..crate::auth::AuditEvent::default()
        };
        crate::auth::insert_audit_on(&mut tx, &next, &event, &crate::codec::now_text()).await?;
        tx.commit().await?;
        tracing::info!(rows = changed, "data key rotated");
        Ok(changed)
    }
}

/// The stored key check value of `store`'s database (a restored copy is compared before use).
pub(crate) async fn stored_check_of(store: &crate::Store) -> Result<Option<String>, StoreError> {
    let mut conn = store.pool.acquire().await?;
    stored_check(&mut conn).await
}

/// The stored key check value, if a key was ever installed.
async fn stored_check(conn: &mut sqlx::AnyConnection) -> Result<Option<String>, StoreError> {
    sqlx::query("SELECT value FROM settings WHERE \"key\" = $1")
        .bind(KEY_CHECK_SETTING)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("value"))
        .transpose()
        .map_err(StoreError::from)
}

/// A stored value in clear: ciphertext opened with `from`, a value an earlier version stored in
/// clear taken as it is.
fn plain(from: &FieldCipher, field: Field, row: &str, stored: Option<String>) -> Result<Option<String>, StoreError> {
    match stored {
        Some(s) if s.starts_with(CIPHERTEXT_PREFIX) => from.open(field, row, &s).map(Some),
        other => Ok(other),
    }
}

/// Writes every personal-information value again sealed under `to` (values read through
/// [`plain`] with `from`), and every blind index under `to`'s index key; returns the rows written.
/// Installing a key passes the same cipher twice (values in clear get encrypted); a key change
/// passes the old and the new.
async fn reseal_all(conn: &mut sqlx::AnyConnection, from: &FieldCipher, to: &FieldCipher) -> Result<u64, StoreError> {
    let mut written = 0u64;
    let rows = sqlx::query(
        "SELECT id, applicant_id_document, applicant_contact FROM requests \
         WHERE applicant_id_document IS NOT NULL OR applicant_contact IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let id: String = r.try_get("id")?;
        let doc = plain(from, Field::IdDocument, &id, r.try_get("applicant_id_document")?)?;
        let contact = plain(from, Field::Contact, &id, r.try_get("applicant_contact")?)?;
        sqlx::query(
            "UPDATE requests SET applicant_id_document = $1, applicant_contact = $2, applicant_id_index = $3 \
             WHERE id = $4",
        )
        .bind(to.seal_opt(Field::IdDocument, &id, doc.as_deref())?)
        .bind(to.seal_opt(Field::Contact, &id, contact.as_deref())?)
        .bind(doc.as_deref().map(|d| to.blind_index(d)))
        .bind(&id)
        .execute(&mut *conn)
        .await?;
        written += 1;
    }
    let users =
        sqlx::query("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL").fetch_all(&mut *conn).await?;
    for r in users {
        let id: String = r.try_get("id")?;
        let secret = plain(from, Field::TotpSecret, &id, r.try_get("totp_secret")?)?;
        sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2")
            .bind(to.seal_opt(Field::TotpSecret, &id, secret.as_deref())?)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        written += 1;
    }
    // An enrolment under way is abandoned: the clerk starts it again (one click).
    sqlx::query("UPDATE users SET totp_pending = NULL WHERE totp_pending IS NOT NULL").execute(&mut *conn).await?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm3::Digest;
    use sm4::cipher::BlockCipherEncrypt;

    fn key() -> DataKey {
        DataKey::from_hex(&"0f".repeat(32)).unwrap()
    }

    /// GB/T 32905-2016 Appendix A, example 1: SM3("abc").
    #[test]
    fn b3_3_sm3_matches_the_standard_vector() {
        let digest = Sm3::digest(b"abc");
        assert_eq!(HEXLOWER.encode(&digest), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }

    /// GB/T 32907-2016 Appendix A, example 1: key = plaintext = 0123456789abcdeffedcba9876543210.
    #[test]
    fn b3_3_sm4_matches_the_standard_vector() {
        let k = HEXLOWER.decode(b"0123456789abcdeffedcba9876543210").unwrap();
        let cipher = Sm4::new_from_slice(&k).unwrap();
        let mut block = [0u8; 16];
        block.copy_from_slice(&k);
        let mut block = block.into();
        cipher.encrypt_block(&mut block);
        assert_eq!(HEXLOWER.encode(&block), "681edf34d206965e86b3e94f536e4246");
    }

    #[test]
    fn b2_5_a_sealed_value_opens_only_in_its_place_and_under_its_key() {
        let c = FieldCipher::new(&key());
        let sealed = c.seal(Field::IdDocument, "row-1", "11010119900307761X").unwrap();
        assert!(sealed.starts_with(CIPHERTEXT_PREFIX));
        assert!(!sealed.contains("19900307"));
        assert_eq!(c.open(Field::IdDocument, "row-1", &sealed).unwrap(), "11010119900307761X");
        // A fresh nonce each time: equal values do not give equal ciphertexts.
        assert_ne!(sealed, c.seal(Field::IdDocument, "row-1", "11010119900307761X").unwrap());
        // Moved to another row or column, or read under another key: refused, naming the place.
        for e in [
            c.open(Field::IdDocument, "row-2", &sealed).unwrap_err(),
            c.open(Field::Contact, "row-1", &sealed).unwrap_err(),
            FieldCipher::new(&DataKey::generate().unwrap()).open(Field::IdDocument, "row-1", &sealed).unwrap_err(),
        ] {
            let text = e.to_string();
            assert!(text.contains("corrupt value in requests."), "{text}");
            assert!(!text.contains("761X"), "{text}");
        }
        // One flipped character of the ciphertext is detected (GCM's tag).
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 3;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        assert!(c.open(Field::IdDocument, "row-1", &altered).is_err());
        assert!(c.open(Field::IdDocument, "row-1", "11010119900307761X").is_err());
        assert!(c.open(Field::IdDocument, "row-1", "sm4gcm1:AAAA").is_err());
    }

    #[test]
    fn b3_3_the_blind_index_is_keyed_and_ignores_spacing_and_case() {
        let c = FieldCipher::new(&key());
        let a = c.blind_index("11010119900307761X");
        assert_eq!(a, c.blind_index(" 110101 19900307 761x "));
        assert_eq!(a, c.blind_index("110101-19900307-761X"));
        assert_ne!(a, c.blind_index("110101199003077610"));
        assert_ne!(a, FieldCipher::new(&DataKey::generate().unwrap()).blind_index("11010119900307761X"));
        assert_eq!(a.len(), 64);
        // Not the plain SM3 of the number: without the key the index cannot be recomputed.
        assert_ne!(a, HEXLOWER.encode(&Sm3::digest(b"11010119900307761X")));
    }

    #[test]
    fn data_keys_read_back_and_refuse_bad_text() {
        let k = DataKey::generate().unwrap();
        assert_eq!(DataKey::from_hex(&format!("{}\n", k.to_hex())).unwrap().to_hex(), k.to_hex());
        assert_eq!(DataKey::from_hex(&k.to_hex().to_uppercase()).unwrap().to_hex(), k.to_hex());
        assert_eq!(DataKey::from_hex("abc").unwrap_err(), DataKeyError::Length(3));
        assert_eq!(DataKey::from_hex(&"zz".repeat(32)).unwrap_err(), DataKeyError::NotHex);
        assert_eq!(format!("{k:?}"), "DataKey(..)");
        assert_ne!(FieldCipher::new(&k).check_value(), FieldCipher::new(&key()).check_value());
    }
}
