//! Masking of an applicant's personal information in lists (B4.6: identity document number and
//! phone number keep their first 3 and last 4 characters). The console, the staff API and the
//! command line all mask with these functions, so a list never shows more in one than another;
//! the full value is shown only through a permissioned, audited 「查看」.

/// Keeps the first 3 and last 4 characters and masks the rest (证件号码 and 手机号); a value of 7
/// characters or fewer is masked entirely.
pub fn mask_3_4(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let n = chars.len();
    if n <= 7 {
        return "*".repeat(n.max(1));
    }
    chars.iter().enumerate().map(|(i, c)| if i < 3 || i >= n - 4 { *c } else { '*' }).collect()
}

/// An identity document number (证件号码), 3 + 4.
pub fn mask_id(s: &str) -> String {
    mask_3_4(s)
}

/// A contact: a phone number 3 + 4; an e-mail address keeps its first character and domain;
/// anything else 3 + 4.
pub fn mask_contact(s: &str) -> String {
    match s.trim().split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => mask_3_4(s),
    }
}

/// What an applicant's name becomes when their personal information is anonymised after the
/// retention period (B4.4); shown as it is, never masked.
pub const ANONYMISED_NAME: &str = "（已匿名化）";

/// A name: the first character, then one `*` per other character ([`ANONYMISED_NAME`] as it is).
pub fn mask_name(s: &str) -> String {
    if s.trim() == ANONYMISED_NAME {
        return ANONYMISED_NAME.to_string();
    }
    let mut chars = s.trim().chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b4_6_identity_number_and_phone_keep_three_and_four() {
        assert_eq!(mask_id("330102198805061234"), "330***********1234");
        assert_eq!(mask_contact("13912345678"), "139****5678");
        assert_eq!(mask_contact("zhang@example.cn"), "z***@example.cn");
        assert_eq!(mask_name("李公开"), "李**");
        assert_eq!(mask_name(ANONYMISED_NAME), ANONYMISED_NAME);
        assert_eq!(mask_id("1234567"), "*******");
        assert_eq!(mask_id(""), "*");
    }
}
