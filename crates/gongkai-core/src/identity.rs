//! An applicant's identity document (身份证明, Art. 29(一)) and contact details, as a request form
//! asks for them (portal-and-security.md A4.2: 证件类型, 证件号码, 电话, 通信地址, 邮编, 电子邮箱)
//! and checks them: the check digit of a resident identity card number (GB 11643-1999) and of a
//! unified social credit code (GB 32100-2015), the shape of a passport number, a telephone
//! number, a postcode and an e-mail address. A number that cannot be right is refused where it is
//! typed, not discovered when the reply is posted to nobody.

use serde::{Deserialize, Serialize};

use crate::input::InputError;
use crate::register::ApplicantType;

/// 证件类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdDocumentType {
    /// 居民身份证 (GB 11643: 18 characters, the last a check digit).
    ResidentIdCard,
    /// 港澳台居民居住证 (numbered as a resident identity card, from 810000/820000/830000).
    ResidencePermit,
    /// 护照.
    Passport,
    /// 统一社会信用代码 (GB 32100: 18 characters, the last a check character) — 法人或者其他组织.
    CreditCode,
    /// 其他证件.
    Other,
}

impl IdDocumentType {
    /// Every type, in the order a form lists them.
    pub const ALL: [IdDocumentType; 5] = [
        IdDocumentType::ResidentIdCard,
        IdDocumentType::ResidencePermit,
        IdDocumentType::Passport,
        IdDocumentType::CreditCode,
        IdDocumentType::Other,
    ];

    /// The stable name (forms, the API, the database).
    pub fn name(self) -> &'static str {
        match self {
            IdDocumentType::ResidentIdCard => "resident_id_card",
            IdDocumentType::ResidencePermit => "residence_permit",
            IdDocumentType::Passport => "passport",
            IdDocumentType::CreditCode => "credit_code",
            IdDocumentType::Other => "other",
        }
    }

    /// The type of a stable name.
    pub fn from_name(s: &str) -> Option<IdDocumentType> {
        IdDocumentType::ALL.into_iter().find(|t| t.name() == s)
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            IdDocumentType::ResidentIdCard => "居民身份证",
            IdDocumentType::ResidencePermit => "港澳台居民居住证",
            IdDocumentType::Passport => "护照",
            IdDocumentType::CreditCode => "统一社会信用代码",
            IdDocumentType::Other => "其他证件",
        }
    }
}

/// Whether `s` is a resident identity card number with a right check digit (GB 11643-1999): 17
/// digits — the first six the address code, then the date of birth — and the check character
/// (0–9 or X) of the ISO 7064 MOD 11-2 sum.
pub fn gb11643_valid(s: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    // The date of birth must be a date (a number with 19901345 in it is mistyped).
    let birth = std::str::from_utf8(&b[6..14]).ok().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y%m%d").ok());
    if birth.is_none() {
        return false;
    }
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK.get((sum % 11) as usize) == Some(&b[17])
}

/// The characters of a unified social credit code (no I, O, S, V, Z), their values in order.
const GB32100_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Whether `s` is a unified social credit code with a right check character (GB 32100-2015):
/// 18 characters of [`GB32100_CHARS`], the last the check of a MOD 31 weighted sum.
pub fn gb32100_valid(s: &str) -> bool {
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let b = s.as_bytes();
    if b.len() != 18 {
        return false;
    }
    let value = |c: u8| GB32100_CHARS.iter().position(|x| *x == c);
    let mut sum = 0;
    for (c, w) in b[..17].iter().zip(WEIGHTS) {
        let Some(v) = value(*c) else { return false };
        sum += v * w;
    }
    let check = (31 - sum % 31) % 31;
    value(b[17]) == Some(check)
}

/// A number as people type it: spaces and hyphens dropped, letters upper case.
fn compact(value: &str) -> String {
    value.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect()
}

/// The identity document number of `kind`, checked and written as stored (spaces and hyphens
/// dropped, upper case); the error names the field `id_document` and says what is wrong.
pub fn id_document(kind: IdDocumentType, value: &str) -> Result<String, InputError> {
    let err = |m: String| Err(InputError::new("id_document", m));
    let v = compact(value);
    if v.is_empty() {
        return err("证件号码：不能为空".into());
    }
    match kind {
        IdDocumentType::ResidentIdCard | IdDocumentType::ResidencePermit => {
            if v.len() != 18 {
                return err(format!("证件号码：{}号码应为18位，现为{}位", kind.label(), v.chars().count()));
            }
            if !gb11643_valid(&v) {
                return err(format!("证件号码：{}号码的校验位不符（GB 11643），请核对每一位", kind.label()));
            }
            if kind == IdDocumentType::ResidencePermit && !matches!(&v[..2], "81" | "82" | "83") {
                return err("证件号码：港澳台居民居住证号码以81、82或83开头".into());
            }
        }
        IdDocumentType::CreditCode => {
            if v.len() != 18 {
                return err(format!("证件号码：统一社会信用代码应为18位，现为{}位", v.chars().count()));
            }
            if !gb32100_valid(&v) {
                return err("证件号码：统一社会信用代码的校验码不符（GB 32100），请核对每一位".into());
            }
        }
        IdDocumentType::Passport => {
            if !(5..=20).contains(&v.len()) || !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return err("证件号码：护照号码应为5至20位字母或数字".into());
            }
        }
        IdDocumentType::Other => {
            if v.chars().count() > crate::input::MAX_ID_DOCUMENT || v.chars().any(char::is_control) {
                return err(format!("证件号码：不能超过{}个字符，不能含控制字符", crate::input::MAX_ID_DOCUMENT));
            }
        }
    }
    Ok(v)
}

/// Whether the document suits who applies (A4.2): a citizen proves identity with a personal
/// document, never an organisation's credit code; a legal person or other organisation with its
/// unified social credit code (or, lacking one, another document).
pub fn fits(applicant: ApplicantType, kind: IdDocumentType) -> Result<(), InputError> {
    let person = applicant == ApplicantType::NaturalPerson;
    match (person, kind) {
        (true, IdDocumentType::CreditCode) => {
            Err(InputError::new("id_document_type", "证件类型：自然人请选择居民身份证、居住证、护照等个人证件"))
        }
        (false, IdDocumentType::ResidentIdCard | IdDocumentType::ResidencePermit | IdDocumentType::Passport) => {
            Err(InputError::new(
                "id_document_type",
                "证件类型：法人或者其他组织请选择统一社会信用代码（没有的选择其他证件）",
            ))
        }
        _ => Ok(()),
    }
}

/// A telephone number: 7 to 20 digits, with the separators people write (spaces, hyphens,
/// parentheses, a leading plus, 转 for an extension); a mobile number (11 digits from 1) must have
/// the right length.
pub fn phone(value: &str) -> Result<String, InputError> {
    let v = value.trim();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v.chars().all(|c| c.is_ascii_digit() || " -()（）+转".contains(c));
    if v.is_empty() {
        return Err(InputError::new("phone", "联系电话：不能为空"));
    }
    if !allowed || !(7..=20).contains(&digits) {
        return Err(InputError::new("phone", "联系电话：应为7至20位数字的电话号码，如 13812345678 或 010-12345678"));
    }
    let only: String = v.chars().filter(char::is_ascii_digit).collect();
    if only.starts_with('1') && !v.contains(['-', '(', '（', '+', '转']) && only.len() != 11 {
        return Err(InputError::new("phone", format!("联系电话：手机号码应为11位，现为{}位", only.len())));
    }
    Ok(v.to_string())
}

/// A postcode (邮政编码): six digits.
pub fn postcode(value: &str) -> Result<String, InputError> {
    let v = value.trim();
    if v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(v.to_string())
    } else {
        Err(InputError::new("postcode", "邮政编码：应为6位数字"))
    }
}

/// An e-mail address: one @, something before it, a domain with a dot after it, no spaces.
pub fn email(value: &str) -> Result<String, InputError> {
    let v = value.trim();
    let ok = v.len() <= 254
        && !v.contains(char::is_whitespace)
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(v.to_string())
    } else {
        Err(InputError::new("email", "电子邮箱：格式不正确，应如 name@example.cn"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check digit a resident identity card number of these 17 digits must end with.
    fn with_check(first17: &str) -> String {
        ('0'..='9').chain(['X']).map(|c| format!("{first17}{c}")).find(|s| gb11643_valid(s)).unwrap()
    }

    #[test]
    fn resident_id_numbers_are_checked_by_gb11643() {
        // The standard's own example (GB 11643-1999, annex).
        assert!(gb11643_valid("11010519491231002X"));
        assert!(!gb11643_valid("110105194912310021"));
        // One digit mistyped is caught; so is a date that does not exist.
        assert!(gb11643_valid(&with_check("11010119900307123")));
        assert!(!gb11643_valid("11010119900307123"));
        assert!(!gb11643_valid(&format!("{}0", "1101011990134512")));
        assert_eq!(id_document(IdDocumentType::ResidentIdCard, "11010519491231002x"), Ok("11010519491231002X".into()));
        let e = id_document(IdDocumentType::ResidentIdCard, "12345").unwrap_err();
        assert_eq!((e.field, e.message.as_str()), ("id_document", "证件号码：居民身份证号码应为18位，现为5位"));
        assert!(id_document(IdDocumentType::ResidentIdCard, "110105194912310021")
            .unwrap_err()
            .message
            .contains("校验位"));
    }

    #[test]
    fn residence_permits_are_numbered_from_81_82_83() {
        let hk = with_check("81000019900101123");
        assert_eq!(id_document(IdDocumentType::ResidencePermit, &hk), Ok(hk.clone()));
        let mainland = with_check("11010119900101123");
        assert!(id_document(IdDocumentType::ResidencePermit, &mainland).unwrap_err().message.contains("81"));
    }

    #[test]
    fn credit_codes_are_checked_by_gb32100() {
        // Published codes: the State Administration for Market Regulation's sample and a company's.
        for good in ["91350100M000100Y43", "91110000802100433B", "11100000000013127D"] {
            assert!(gb32100_valid(good), "{good}");
        }
        assert!(!gb32100_valid("91350100M000100Y44"));
        // I, O, S, V and Z are not in the code's alphabet.
        assert!(!gb32100_valid("91350100M000100YO3"));
        assert_eq!(id_document(IdDocumentType::CreditCode, "9135 0100 M000 100Y 43"), Ok("91350100M000100Y43".into()));
        assert!(id_document(IdDocumentType::CreditCode, "91350100M000100Y44").unwrap_err().message.contains("校验码"));
    }

    #[test]
    fn passports_and_other_documents() {
        assert_eq!(id_document(IdDocumentType::Passport, "e12345678"), Ok("E12345678".into()));
        assert!(id_document(IdDocumentType::Passport, "护照123").is_err());
        assert!(id_document(IdDocumentType::Other, "军官证 第123号").is_ok());
        assert_eq!(id_document(IdDocumentType::Other, " ").unwrap_err().message, "证件号码：不能为空");
        for t in IdDocumentType::ALL {
            assert_eq!(IdDocumentType::from_name(t.name()), Some(t));
        }
    }

    #[test]
    fn the_document_suits_who_applies() {
        assert!(fits(ApplicantType::NaturalPerson, IdDocumentType::ResidentIdCard).is_ok());
        assert_eq!(
            fits(ApplicantType::NaturalPerson, IdDocumentType::CreditCode).unwrap_err().field,
            "id_document_type"
        );
        assert!(fits(ApplicantType::Commercial, IdDocumentType::CreditCode).is_ok());
        assert!(fits(ApplicantType::Commercial, IdDocumentType::Other).is_ok());
        assert!(fits(ApplicantType::Commercial, IdDocumentType::Passport).is_err());
    }

    #[test]
    fn contact_details_have_their_shapes() {
        assert!(phone("13812345678").is_ok());
        assert!(phone("010-12345678").is_ok());
        assert!(phone("(0591) 8765 4321 转 123").is_ok());
        assert!(phone("abc").is_err());
        assert!(phone("1381234567").unwrap_err().message.contains("11位"));
        assert!(postcode("350001").is_ok());
        assert!(postcode("35000").is_err());
        assert!(email("zhang.san@example.cn").is_ok());
        for bad in ["abc", "a@b", "a b@example.cn", "@example.cn", "a@.cn"] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }
}
