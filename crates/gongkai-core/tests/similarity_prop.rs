//! `quality::nearest_peers` (the problems-section comparison of the scorecard, issue 8) finds
//! exactly what comparing every pair finds: its prefix filter skips only pairs that cannot reach
//! the floor. Texts are drawn from a few characters and as edits of each other, so that many
//! pairs sit near every floor.

use gongkai_core::quality::{bigrams, jaccard, nearest_peers};
use proptest::prelude::*;

/// Every pair compared: the highest similarity at or above `floor`, of equal ones the lowest index.
fn brute_force(texts: &[String], floor: f64) -> Vec<Option<(usize, f64)>> {
    let sets: Vec<Vec<u64>> = texts.iter().map(|t| bigrams(t)).collect();
    let mut best: Vec<Option<(usize, f64)>> = vec![None; texts.len()];
    for i in 0..texts.len() {
        for j in 0..texts.len() {
            if i == j || sets[i].is_empty() || sets[j].is_empty() {
                continue;
            }
            let s = jaccard(&sets[i], &sets[j]);
            if s >= floor && best[i].is_none_or(|(bj, bs)| s > bs || (s == bs && j < bj)) {
                best[i] = Some((j, s));
            }
        }
    }
    best
}

/// A text of 0–60 characters from a small alphabet (with punctuation the comparison ignores).
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(vec!['公', '开', '政', '府', '信', '息', '年', '，', '。', '局']),
        0..60,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// Some texts, then edits of them: a character changed, dropped or added here and there, or the
/// text copied unchanged.
fn texts() -> impl Strategy<Value = Vec<String>> {
    (
        proptest::collection::vec(text(), 1..12),
        proptest::collection::vec((any::<usize>(), any::<usize>(), 0u8..4), 0..24),
    )
        .prop_map(|(mut base, edits)| {
            for (pick, at, how) in edits {
                let mut chars: Vec<char> = base[pick % base.len()].chars().collect();
                let at = if chars.is_empty() { 0 } else { at % chars.len() };
                match how {
                    0 if !chars.is_empty() => chars[at] = '改',
                    1 if !chars.is_empty() => {
                        chars.remove(at);
                    }
                    2 => chars.insert(at, '新'),
                    // A copy word for word (stock paragraphs): identical sets are joined once.
                    _ => {}
                }
                base.push(chars.into_iter().collect());
            }
            base
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn the_prefix_filter_finds_what_every_pair_finds(texts in texts()) {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        for floor in [0.3, 0.5, 0.8, 0.9, 1.0] {
            prop_assert_eq!(nearest_peers(&refs, floor), brute_force(&texts, floor), "floor {}", floor);
        }
    }
}

#[test]
fn stock_paragraphs_are_found_among_many_specific_ones() {
    // 300 sections of ten words each, drawn from forty, and three copies of one stock paragraph.
    const WORDS: [&str; 40] = [
        "栏目",
        "更新",
        "滞后",
        "答复",
        "超期",
        "会签",
        "解读",
        "同步",
        "指南",
        "修订",
        "目录",
        "编制",
        "台账",
        "核对",
        "培训",
        "讲评",
        "复议",
        "纠正",
        "处罚",
        "公示",
        "招标",
        "项目",
        "网站",
        "改造",
        "适老",
        "无障碍",
        "文件",
        "清理",
        "效力",
        "标注",
        "考核",
        "通报",
        "自查",
        "整改",
        "预警",
        "机制",
        "模板",
        "救济",
        "途径",
        "备案",
    ];
    let mut seed = 20261127u64;
    let mut next = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let mut texts: Vec<String> =
        (0..300).map(|_| (0..10).map(|_| WORDS[next() % WORDS.len()]).collect::<Vec<_>>().join("，")).collect();
    let stock = "一是政府信息公开工作的主动性还需进一步增强；二是公开内容的全面性、及时性有待提高。";
    for at in [5, 150, 299] {
        texts.insert(at, stock.to_string());
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let near = nearest_peers(&refs, 0.8);
    assert_eq!(near, brute_force(&texts, 0.8));
    assert_eq!(near[5], Some((150, 1.0)));
    assert_eq!(near[150], Some((5, 1.0)));
    assert_eq!(near[299], Some((5, 1.0)));
    assert!(near.iter().filter(|n| n.is_some()).count() < 20, "random sections are not alike");
}
