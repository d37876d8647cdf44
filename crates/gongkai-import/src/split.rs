//! Splitting runs of digits back into table cells.
//!
//! Web text flattened by a site archiver loses the cell separators: the row
//! 「一、本年新收政府信息公开申请数量640020470」 is the seven cells 64|0|0|2|0|4|70. Whitespace that
//! survives is a hard boundary. A split is only accepted when the template's arithmetic fixes
//! it: the row total (总计 = the six applicant columns; a table-4 group's 总计 = its four results),
//! then the column equations across rows. Where several splits remain, the cell is left blank and
//! the importer says so — it never picks one silently.

/// One printed cell value: no leading zeros except a lone `0`.
fn valid_part(s: &str) -> bool {
    !s.is_empty() && s.len() <= 9 && (s == "0" || !s.starts_with('0'))
}

/// All ways to cut `tokens` (digit strings; token boundaries are hard) into exactly `n` parts,
/// capped at `limit` results. Each part is a valid cell value. (No totals: group 0.)
pub fn splits(tokens: &[&str], n: usize, limit: usize) -> Vec<Vec<i64>> {
    splits_with_totals(tokens, n, 0, limit)
}

/// Splits of `tokens` into `n` parts where every `group`-th part is the sum of the parts of its
/// group before it (the 总计 cell); `group == 0` means no totals. The total is computed, not searched for: at a total's place
/// only the digits of the sum can follow, which prunes the search to a handful of branches.
pub fn splits_with_totals(tokens: &[&str], n: usize, group: usize, limit: usize) -> Vec<Vec<i64>> {
    let mut out = Vec::new();
    let mut cur = Vec::with_capacity(n);
    rec_totals(tokens, 0, 0, n, group, &mut cur, &mut out, limit);
    out
}

#[allow(clippy::too_many_arguments)]
fn rec_totals(
    tokens: &[&str],
    ti: usize,
    pos: usize,
    n: usize,
    group: usize,
    cur: &mut Vec<i64>,
    out: &mut Vec<Vec<i64>>,
    limit: usize,
) {
    if out.len() >= limit {
        return;
    }
    if ti == tokens.len() {
        if cur.len() == n {
            out.push(cur.clone());
        }
        return;
    }
    let tok = tokens[ti];
    if pos == tok.len() {
        rec_totals(tokens, ti + 1, 0, n, group, cur, out, limit);
        return;
    }
    let remaining_digits: usize = tok.len() - pos + tokens[ti + 1..].iter().map(|t| t.len()).sum::<usize>();
    let parts_left = n.saturating_sub(cur.len());
    if parts_left == 0 || remaining_digits < parts_left || remaining_digits > parts_left * 9 {
        return;
    }
    if group > 0 && (cur.len() + 1).is_multiple_of(group) {
        // The total of this group: exactly the digits of the sum.
        let start = cur.len() + 1 - group;
        let sum: i64 = cur[start..].iter().sum();
        let want = sum.to_string();
        if tok[pos..].starts_with(&want) {
            cur.push(sum);
            rec_totals(tokens, ti, pos + want.len(), n, group, cur, out, limit);
            cur.pop();
        }
        return;
    }
    for end in pos + 1..=tok.len() {
        let part = &tok[pos..end];
        if !valid_part(part) {
            if part.starts_with('0') {
                break;
            }
            continue;
        }
        let Ok(v) = part.parse::<i64>() else { break };
        // The group's total is at least as long as its largest part: leave room for it.
        if group > 0 {
            let group_start = cur.len() - cur.len() % group;
            let widest = cur[group_start..].iter().map(|x| x.to_string().len()).max().unwrap_or(0).max(part.len());
            let parts_before_total = group - 1 - (cur.len() - group_start) - 1;
            let rest = remaining_digits - part.len();
            if rest < parts_before_total + widest {
                break;
            }
        }
        cur.push(v);
        rec_totals(tokens, ti, end, n, group, cur, out, limit);
        cur.pop();
        if out.len() >= limit {
            return;
        }
    }
}

/// Splits of a table-3 row (six applicant columns + 总计) whose 总计 equals the sum of the
/// six; `None` when there are too many to enumerate.
pub fn row_candidates(tokens: &[&str]) -> Option<Vec<[i64; 7]>> {
    const LIMIT: usize = 100_000;
    let all = splits_with_totals(tokens, 7, 7, LIMIT);
    if all.len() >= LIMIT {
        return None;
    }
    Some(all.into_iter().filter_map(|v| <[i64; 7]>::try_from(v).ok()).collect())
}

/// Splits of table 4's fifteen cells where each group's 总计 equals its four results.
pub fn table4_candidates(tokens: &[&str]) -> Option<Vec<[i64; 15]>> {
    const LIMIT: usize = 100_000;
    let all = splits_with_totals(tokens, 15, 5, LIMIT);
    if all.len() >= LIMIT {
        return None;
    }
    Some(all.into_iter().filter_map(|v| <[i64; 15]>::try_from(v).ok()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_flattened_row_of_the_issue() {
        let c = row_candidates(&["640020470"]).unwrap_or_default();
        assert!(c.contains(&[64, 0, 0, 2, 0, 4, 70]), "{c:?}");
    }

    #[test]
    fn whitespace_is_a_hard_boundary() {
        let c = row_candidates(&["20", "0", "00", "0", "121"]).unwrap_or_default();
        assert_eq!(c, vec![[20, 0, 0, 0, 0, 1, 21]]);
    }

    #[test]
    fn leading_zeros_are_not_cells() {
        assert!(splits(&["0200002"], 7, 100).iter().all(|v| v == &vec![0, 2, 0, 0, 0, 0, 2]));
        assert_eq!(splits(&["000"], 3, 100), vec![vec![0, 0, 0]]);
    }

    #[test]
    fn pruned_search_agrees_with_exhaustive_search() {
        for tokens in [vec!["640020470"], vec!["2200003", "25"], vec!["723000075"], vec!["20", "0", "00", "0", "121"]] {
            let mut fast = splits_with_totals(&tokens, 7, 7, 1_000_000);
            let mut slow: Vec<Vec<i64>> =
                splits(&tokens, 7, 1_000_000).into_iter().filter(|v| v[..6].iter().sum::<i64>() == v[6]).collect();
            fast.sort();
            slow.sort();
            assert_eq!(fast, slow, "{tokens:?}");
        }
    }

    #[test]
    fn table4_uses_group_totals() {
        let c = table4_candidates(&["10203120001200000"]).unwrap_or_default();
        assert_eq!(c, vec![[1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]]);
    }
}
