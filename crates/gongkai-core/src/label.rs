//! Label normalisation: how a printed label is compared with the template's wording.
//!
//! Real reports write the same label many ways: full- or half-width brackets, 、 or ，, 其它 for
//! 其他, spaces and line breaks inside a label (「商 业 企\n业」), curly or straight quotes. Every
//! comparison of printed text with a template label goes through [`normalize`], so the variants
//! are handled once, here.

/// Normalises text for label comparison: drops all white space (including U+3000 and NBSP) and
/// zero-width characters, folds full-width ASCII to half-width, and unifies punctuation that
/// reports use interchangeably.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = '\0';
    for c in s.chars() {
        if let Some(n) = fold(c) {
            // 其它 → 其他 (as one pass: the replaced char cannot start another match).
            let n = if n == '它' && prev == '其' { '他' } else { n };
            out.push(n);
            prev = n;
        }
    }
    out
}

/// The chars of [`normalize`]`(s)`, without building the string (for comparisons).
pub fn normalized_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    let mut prev = '\0';
    s.chars().filter_map(fold).map(move |n| {
        let n = if n == '它' && prev == '其' { '他' } else { n };
        prev = n;
        n
    })
}

/// Like [`normalize`], and also returns for each char of the result the byte offset in `s` of
/// the char it came from (plus one final entry: `s.len()`), so a match found in normalised text
/// can be located in the original.
///
/// Every imported text goes through here once, so it reads the UTF-8 bytes itself: ASCII and
/// three-byte chars (all of CJK) are decoded inline.
pub fn normalize_with_map(s: &str) -> (Vec<char>, Vec<usize>) {
    let b = s.as_bytes();
    // At most one char per byte: sized once, never grown (Word dumps are half ASCII tabs,
    // digits and line breaks, so a CJK-based guess would reallocate).
    let mut chars = Vec::with_capacity(b.len());
    let mut map = Vec::with_capacity(b.len() + 1);
    let mut prev = '\0';
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        let (c, width) = if x < 0x80 {
            (char::from(x), 1)
        } else if x & 0xf0 == 0xe0 && i + 2 < b.len() {
            let v = (u32::from(x & 0x0f) << 12) | (u32::from(b[i + 1] & 0x3f) << 6) | u32::from(b[i + 2] & 0x3f);
            (char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER), 3)
        } else {
            // Two- and four-byte chars: let `str` decode them.
            match s.get(i..).and_then(|t| t.chars().next()) {
                Some(c) => (c, c.len_utf8()),
                None => break,
            }
        };
        if let Some(f) = fold(c) {
            // 其它 → 其他 keeps the length, so the map stays valid.
            let f = if f == '它' && prev == '其' { '他' } else { f };
            chars.push(f);
            map.push(i);
            prev = f;
        }
        i += width;
    }
    map.push(s.len());
    (chars, map)
}

/// The straightforward form of [`normalize_with_map`], which the fast one must agree with.
#[cfg(test)]
fn normalize_with_map_simple(s: &str) -> (Vec<char>, Vec<usize>) {
    let mut chars = Vec::new();
    let mut map = Vec::new();
    let mut prev = '\0';
    for (i, c) in s.char_indices() {
        if let Some(n) = fold(c) {
            let n = if n == '它' && prev == '其' { '他' } else { n };
            chars.push(n);
            map.push(i);
            prev = n;
        }
    }
    map.push(s.len());
    (chars, map)
}

/// Folds one char; `None` drops it.
#[inline]
fn fold(c: char) -> Option<char> {
    // Fast paths: ASCII (only white space changes) and CJK ideographs (never change).
    if c.is_ascii() {
        return if c.is_ascii_whitespace() || c == '\x0b' { None } else { Some(c) };
    }
    if ('\u{4e00}'..='\u{9fff}').contains(&c) {
        return Some(c);
    }
    fold_other(c)
}

fn fold_other(c: char) -> Option<char> {
    if c.is_whitespace() || matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{a0}' | '\u{3000}') {
        return None;
    }
    Some(match c {
        '、' => ',',
        '。' => '.',
        '“' | '”' | '「' | '」' => '"',
        '‘' | '’' => '\'',
        '—' | '–' | '─' => '-',
        '〔' | '【' => '[',
        '〕' | '】' => ']',
        // Full-width ASCII block (（）：，．－［］＂…) → ASCII.
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        _ => c,
    })
}

/// True when `c` is a digit as printed in a table cell (ASCII or full-width).
pub fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_variants_to_one_form() {
        assert_eq!(normalize("（六）其它处理"), normalize("(六)其他处理"));
        assert_eq!(normalize("商 业 企\n业"), "商业企业");
        assert_eq!(normalize("危及“三安全一稳定”"), normalize("危及\"三安全一稳定\""));
        assert_eq!(normalize("逾期不补正、行政机关不再处理"), normalize("逾期不补正，行政机关不再处理"));
        assert_eq!(normalize("　　０"), "0");
        assert_eq!(normalize("其它其它它"), "其他其他它");
        for s in ["（六）其它处理", "其其它 它", "　1 ２", ""] {
            assert_eq!(normalized_chars(s).collect::<String>(), normalize(s));
        }
    }

    #[test]
    fn fast_paths_agree_with_the_general_fold() {
        // Every ASCII char and a sample of others: the fast paths change nothing.
        let general = |c: char| {
            if c.is_whitespace()
                || matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{a0}' | '\u{3000}')
            {
                None
            } else {
                fold_other(c)
            }
        };
        for c in (0u32..0x3000).chain(0x4dff..0xa000).chain(0xfe00..0x10000).filter_map(char::from_u32) {
            assert_eq!(fold(c), general(c), "{c:?}");
        }
    }

    #[test]
    fn the_byte_reader_agrees_with_the_char_reader() {
        let cases = [
            "",
            "一、 本年\n新收",
            "\t（六）其它处理\u{a0}\u{3000}１２\r\n",
            "é ß 😀 其它 \u{200b}x\u{feff}",
            "其\n它",
            "abc",
            "表三 ——— 12.3万元 「引号」 【注】",
        ];
        for s in cases {
            assert_eq!(normalize_with_map(s), normalize_with_map_simple(s), "{s:?}");
        }
        // Every char up to U+FFFF and a few beyond, one by one and in runs.
        let all: String = (0u32..0x11000).filter_map(char::from_u32).collect();
        assert_eq!(normalize_with_map(&all), normalize_with_map_simple(&all));
    }

    #[test]
    fn map_points_back_into_the_original() {
        let s = "一、 本年\n新收";
        let (chars, map) = normalize_with_map(s);
        let text: String = chars.iter().collect();
        assert_eq!(text, "一,本年新收");
        assert_eq!(&s[map[2]..map[4]], "本年\n");
        assert_eq!(map.len(), chars.len() + 1);
    }
}
