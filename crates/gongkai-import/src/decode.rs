//! Character encodings: reports arrive as UTF-8 (with or without BOM), UTF-16 (Windows
//! "Unicode" text) or GBK/GB18030 (older Chinese Windows and web servers).

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
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return None;
        }
        return Some(Decoded { text: text.into_owned(), encoding: enc.name() });
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return looks_like_text(s).then(|| Decoded { text: s.to_string(), encoding: "UTF-8" });
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors || !looks_like_text(&text) {
        return None;
    }
    Some(Decoded { text: text.into_owned(), encoding: "GB18030" })
}

/// Text has no NUL and few control characters (at most 1 % of its chars).
///
/// Counted on the UTF-8 bytes (simple loops the compiler vectorises): a char starts at every
/// byte that is not a continuation byte. Only text with a byte that may belong to a control
/// character (C0 below 0x20, DEL, or 0xC2, the lead byte of C1 U+0080–U+009F) is looked at char
/// by char.
fn looks_like_text(s: &str) -> bool {
    let b = s.as_bytes();
    let suspicious =
        b.iter().any(|&x| (x < 0x20 && !matches!(x, b'\n' | b'\r' | b'\t' | 0x0c)) || x == 0x7f || x == 0xc2);
    if !suspicious {
        return true;
    }
    let mut n = 0usize;
    let mut bad = 0usize;
    for c in s.chars() {
        n += 1;
        if c == '\0' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c')) {
            bad += 1;
        }
    }
    n == 0 || bad * 100 <= n
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
