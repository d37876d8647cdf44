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

/// Text has no NUL and few control characters.
fn looks_like_text(s: &str) -> bool {
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
}
