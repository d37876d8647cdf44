//! Search of the proactive directory (A1.1: 检索). Matches every whitespace-separated term in the
//! title, summary, document number, index number and text; scores by how many fields match.

use std::collections::HashMap;

use gongkai_core::register::ProactiveDisclosure;
use gongkai_store::ProactiveDetails;

use crate::AppState;

/// The index numbers that match `q`, with a score (higher is better).
pub fn search(
    _state: &AppState,
    _agency: &str,
    q: &str,
    items: &[ProactiveDisclosure],
    details: &HashMap<String, ProactiveDetails>,
) -> HashMap<String, f32> {
    let terms: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
    let mut hits = HashMap::new();
    for p in items {
        let d = details.get(&p.index_number);
        let fields = [
            (p.title.to_lowercase(), 3.0),
            (d.map(|d| d.summary.to_lowercase()).unwrap_or_default(), 2.0),
            (p.document_number.as_deref().unwrap_or("").to_lowercase(), 2.0),
            (p.index_number.to_lowercase(), 1.0),
            (d.and_then(|d| d.body.as_deref()).unwrap_or("").to_lowercase(), 1.0),
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
        if all && !terms.is_empty() {
            hits.insert(p.index_number.clone(), score);
        }
    }
    hits
}
