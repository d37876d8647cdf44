//! Search of the proactive directory (A1.1: 检索), with Chinese word segmentation.
//!
//! The query is cut into words by jieba (precise mode, HMM on for unknown words), so that
//! 「2024年部门预算」 finds 「关于公开2024年度部门预算的说明」 although the query never occurs as one
//! string in it. Every word must occur in one of the item's fields (title, summary, document
//! number, index number, text); matching a word *inside* a field keeps recall high where the
//! segmenter cuts a field differently from the query. The score weights the fields (a title
//! match counts most) and gives a bonus when the whole query occurs in the title.
//!
//! Why no inverted index: the directory is searched per agency, and an agency's register holds
//! hundreds to a few thousand items, which a scan answers in well under a millisecond per hundred
//! items (BENCHMARKS.md, load test). The items come from the database on every request, so
//! search is never out of date with the register and works the same on both backends.

use std::collections::HashMap;
use std::sync::LazyLock;

use gongkai_core::register::ProactiveDisclosure;
use gongkai_store::ProactiveDetails;
use jieba_rs::Jieba;

use crate::AppState;

/// The segmenter with its embedded dictionary; built once (a few hundred milliseconds), on the
/// first search or when the server starts ([`warm_up`]).
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Function words that carry no meaning on their own in a query (的、了、和…); a query made only
/// of them finds nothing rather than everything.
const STOP_WORDS: &[&str] = &["的", "了", "和", "与", "及", "或", "在", "是", "对", "之", "于", "等", "并", "和的"];

/// Builds the segmenter now, so that the first search does not pay for it.
pub fn warm_up() {
    LazyLock::force(&JIEBA);
}

/// The words of a query, lower-cased, without punctuation and function words, each once, in
/// order. At most 20 words (the query itself is cut at 100 characters by the page).
pub fn query_terms(q: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for chunk in q.split_whitespace() {
        let chunk = chunk.to_lowercase();
        for word in JIEBA.cut(&chunk, true) {
            let word = word.word.trim();
            if word.is_empty() || !word.chars().any(char::is_alphanumeric) || STOP_WORDS.contains(&word) {
                continue;
            }
            if !terms.iter().any(|t| t == word) {
                terms.push(word.to_string());
            }
        }
    }
    terms.truncate(20);
    terms
}

/// The index numbers that match `q`, with a score (higher is better).
pub fn search(
    _state: &AppState,
    _agency: &str,
    q: &str,
    items: &[ProactiveDisclosure],
    details: &HashMap<String, ProactiveDetails>,
) -> HashMap<String, f32> {
    let terms = query_terms(q);
    let whole: String = q.split_whitespace().collect::<String>().to_lowercase();
    let mut hits = HashMap::new();
    if terms.is_empty() {
        return hits;
    }
    for p in items {
        let d = details.get(&p.index_number);
        let title = p.title.to_lowercase();
        let fields = [
            (title.as_str(), 3.0),
            (&*d.map(|d| d.summary.to_lowercase()).unwrap_or_default(), 2.0),
            (&*p.document_number.as_deref().unwrap_or("").to_lowercase(), 2.0),
            (&*p.index_number.to_lowercase(), 1.0),
            (&*d.and_then(|d| d.body.as_deref()).unwrap_or("").to_lowercase(), 1.0),
        ];
        let mut score = 0.0f32;
        let all = terms.iter().all(|t| {
            let mut found = false;
            for (text, w) in &fields {
                if text.contains(t.as_str()) {
                    score += w;
                    found = true;
                }
            }
            found
        });
        if all {
            if !whole.is_empty() && title.contains(&whole) {
                score += 5.0;
            }
            hits.insert(p.index_number.clone(), score);
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_cut_into_words_without_function_words() {
        let terms = query_terms("2024年的部门预算");
        assert!(terms.contains(&"部门".to_string()), "{terms:?}");
        assert!(terms.contains(&"预算".to_string()), "{terms:?}");
        assert!(!terms.contains(&"的".to_string()), "{terms:?}");
        assert!(terms.contains(&"2024".to_string()), "{terms:?}");
    }

    #[test]
    fn punctuation_and_function_words_alone_give_no_terms() {
        assert!(query_terms("，。的 了 ！").is_empty());
        assert!(query_terms("   ").is_empty());
    }

    #[test]
    fn latin_letters_are_lower_cased_and_an_index_number_stays_whole() {
        assert_eq!(query_terms("GK-2025"), vec!["gk-2025".to_string()]);
        assert_eq!(query_terms("Excel 表格"), vec!["excel".to_string(), "表格".to_string()]);
    }
}
