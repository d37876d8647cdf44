//! Character encodings: reports arrive as UTF-8 (with or without BOM), UTF-16 (Windows
//! "Unicode" text) or GBK/GB18030 (older Chinese Windows and web servers).

use std::borrow::Cow;

/// Decoded text and the name of the encoding it was read in.
pub struct Decoded {
    /// The text.
    pub text: String,
    /// `UTF-8`, `UTF-16LE`, `UTF-16BE` or `GB18030`.
    pub encoding: &'static str,
}

/// Decodes bytes, detecting the encoding from the BOM, then UTF-8 validity, then GB18030.
/// `None` when the bytes are not text in any of them (binary data).
pub fn decode(bytes: &[u8]) -> Option<Decoded> {
    decode_borrowed(bytes).map(|(text, encoding)| Decoded { text: text.into_owned(), encoding })
}

/// [`decode`] without copying UTF-8 input: the text borrows `bytes` when they are UTF-8
/// without a BOM (most reports), so an import does not copy the whole file first.
pub fn decode_borrowed(bytes: &[u8]) -> Option<(Cow<'_, str>, &'static str)> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return None;
        }
        return Some((text, enc.name()));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return looks_like_text(s).then_some((Cow::Borrowed(s), "UTF-8"));
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors || !looks_like_text(&text) {
        return None;
    }
    Some((text, "GB18030"))
}

/// Text has no NUL and few control characters (at most 1 % of its chars).
///
/// Looked at on the UTF-8 bytes (this runs on every imported file): a control character is a
/// C0 byte other than the line and page breaks, DEL, or a C1 character U+0080–U+009F, encoded
/// as 0xC2 followed by 0x80–0x9F; a char starts at every byte that is not a continuation byte
/// (10xxxxxx). The first pass, which is all that text without control characters needs, uses
/// only bitwise operations, so the compiler vectorises it.
fn looks_like_text(s: &str) -> bool {
    let b = s.as_bytes();
    let c0 = |x: u8| ((x < 0x20) & (x != b'\n') & (x != b'\r') & (x != b'\t') & (x != 0x0c)) | (x == 0x7f);
    let c1 = |p: u8, x: u8| (p == 0xc2) & (0x80..=0x9f).contains(&x);
    let Some(&first) = b.first() else {
        return true;
    };
    let pairs = || b.iter().zip(&b[1..]).map(|(&p, &x)| c0(x) | c1(p, x));
    if !pairs().fold(c0(first), |any, bad| any | bad) {
        return true;
    }
    let bad = usize::from(c0(first)) + pairs().filter(|&bad| bad).count();
    let n = b.iter().filter(|&&x| x & 0xc0 != 0x80).count();
    bad * 100 <= n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_gbk() {
        let (bytes, _, _) = encoding_rs::GBK.encode("政府信息公开工作年度报告");
        let d = decode(&bytes);
        assert_eq!(d.as_ref().map(|d| d.encoding), Some("GB18030"));
        assert_eq!(d.map(|d| d.text), Some("政府信息公开工作年度报告".to_string()));
    }

    #[test]
    fn detects_utf8_bom_and_binary() {
        let mut b = vec![0xef, 0xbb, 0xbf];
        b.extend_from_slice("表三".as_bytes());
        assert_eq!(decode(&b).map(|d| d.text), Some("表三".to_string()));
        assert!(decode(&[0u8, 1, 2, 3, 0, 0, 0xff, 0xfe, 0x00]).is_none());
    }

    #[test]
    fn control_characters_are_counted_per_char() {
        // The byte count agrees with the char-by-char definition.
        let slow = |s: &str| {
            let n = s.chars().count();
            let bad = s
                .chars()
                .filter(|&c| c == '\0' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c')))
                .count();
            n == 0 || bad * 100 <= n
        };
        let mut cases = vec![String::new(), "表三\n\t1\r\n".to_string(), "a\u{85}b".to_string()];
        cases.push(format!("{}\u{1}", "x".repeat(99)));
        cases.push(format!("{}\u{1}", "x".repeat(98)));
        cases.push(format!("{}\u{9f}\u{80}", "报".repeat(150)));
        cases.push(format!("{}\u{7f}\u{a0}\u{100}", "报".repeat(40)));
        for s in &cases {
            assert_eq!(looks_like_text(s), slow(s), "{s:?}");
        }
    }
}
