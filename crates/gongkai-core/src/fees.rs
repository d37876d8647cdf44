//! The processing fee (信息处理费) of 《政府信息公开信息处理费管理办法》 (国办函〔2020〕109号).
//!
//! - **Art. 3**: charged per request (按件计收) *or* per page (按量计收), never both for one
//!   request; either way progressive (超额累进): each tier charges only the part inside it.
//! - **Art. 4** ([`per_request`]): by the number of requests one applicant filed in one calendar
//!   month: 1–10 free; 11–30: 100 yuan each; from 31 on, in tiers of 10 requests, each tier 100
//!   yuan per request more than the one before (31–40: 200, 41–50: 300, …).
//! - **Art. 5** ([`per_page`]): by the pages of one request: 1–30 free; 31–100: 10 yuan/page;
//!   101–200: 20 yuan/page; from 201: 40 yuan/page.
//!
//! Tier boundaries are inclusive (checked against a real notice: 2,219 pages = 83,460 yuan).
//! Amounts are whole yuan, computed in `u128` (no floats) and written as decimal strings; no
//! input up to `u32::MAX` can overflow.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Art. 4 tiers listed one by one before the rest is merged into one rising tier
/// (100 tiers = up to 1,030 requests in a month).
pub const MAX_LISTED_REQUEST_TIERS: u64 = 100;

/// Which method of Art. 3 a quote uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeeMethod {
    /// 按件计收 (Art. 4).
    PerRequest,
    /// 按量计收 (Art. 5).
    PerPage,
}

/// One tier of a progressive tariff, as applied to a quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FeeTier {
    /// First unit (request or page) of the tier, 1-based, inclusive.
    pub from: u64,
    /// Last unit of the tier, inclusive; `None` for an open tier (201 pages and more). (u64: the
    /// last 10-request tier reached by `u32::MAX` requests ends past `u32::MAX`.)
    pub to: Option<u64>,
    /// Units charged in this tier.
    pub count: u32,
    /// Yuan per unit (integer yuan, decimal string).
    pub rate_yuan: String,
    /// Only for a merged run of Art. 4 tiers (more than [`MAX_LISTED_REQUEST_TIERS`] tiers): the
    /// rate of the run's last 10-request tier; the rate rises by 100 yuan every 10 requests from
    /// `rate_yuan` to this. `None` for an ordinary tier.
    pub rate_to_yuan: Option<String>,
    /// Yuan charged in this tier.
    pub subtotal_yuan: String,
}

/// A processing-fee quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FeeQuote {
    /// 按件 or 按量.
    pub method: FeeMethod,
    /// Requests in the month, or pages of the request.
    pub quantity: u32,
    /// The total, in whole yuan (decimal string); the sum of the tier subtotals.
    pub amount_yuan: String,
    /// The tiers the quantity reaches, in order (free tiers included).
    pub tiers: Vec<FeeTier>,
}

/// A tier while computing: unit numbers in u64 (a tier can reach past `u32::MAX`), yuan in u128.
struct Tier {
    from: u64,
    to: Option<u64>,
    count: u64,
    rate: u128,
    rate_to: Option<u128>,
    subtotal: u128,
}

impl Tier {
    /// A tier with one rate: `count` units at `rate` yuan.
    fn flat(from: u64, to: Option<u64>, count: u64, rate: u128) -> Tier {
        Tier { from, to, count, rate, rate_to: None, subtotal: rate * u128::from(count) }
    }
}

fn quote(method: FeeMethod, quantity: u32, tiers: Vec<Tier>) -> FeeQuote {
    let amount: u128 = tiers.iter().map(|t| t.subtotal).sum();
    FeeQuote {
        method,
        quantity,
        amount_yuan: amount.to_string(),
        tiers: tiers
            .into_iter()
            .map(|t| FeeTier {
                from: t.from,
                to: t.to,
                // A tier never holds more units than the u32 quantity.
                count: u32::try_from(t.count).unwrap_or(u32::MAX),
                rate_yuan: t.rate.to_string(),
                rate_to_yuan: t.rate_to.map(|r| r.to_string()),
                subtotal_yuan: t.subtotal.to_string(),
            })
            .collect(),
    }
}

/// Art. 4 (按件计收): the fee for the `n`-th and all earlier requests of one applicant in one
/// calendar month, progressive.
pub fn per_request(n: u32) -> FeeQuote {
    let n = u64::from(n);
    let mut tiers = Vec::new();
    // Free: 1–10; 100 yuan: 11–30.
    for (from, to, rate) in [(1u64, 10u64, 0u128), (11, 30, 100)] {
        if n >= from {
            tiers.push(Tier::flat(from, Some(to), n.min(to) - from + 1, rate));
        }
    }
    // From 31: tier k (k = 0, 1, …) covers 31+10k ..= 40+10k at 200 + 100k yuan per request.
    let rate = |k: u64| 200 + 100 * u128::from(k);
    if n >= 31 {
        let last_tier = (n - 31) / 10;
        let listed = last_tier.min(MAX_LISTED_REQUEST_TIERS - 1);
        for k in 0..=listed {
            let from = 31 + 10 * k;
            let to = from + 9;
            tiers.push(Tier::flat(from, Some(to), n.min(to) - from + 1, rate(k)));
        }
        if last_tier > listed {
            // One merged run for tiers first ..= last_tier (only above 1,030 requests): the full
            // tiers first ..= last_tier-1 at 10 × rate(k) each, then the partial last tier.
            let first = listed + 1;
            let full = u128::from(last_tier - first);
            let sum_k = (u128::from(first) + u128::from(last_tier) - 1) * full / 2;
            let full_subtotal = 10 * (200 * full + 100 * sum_k);
            let last_count = n - (31 + 10 * last_tier) + 1;
            let from = 31 + 10 * first;
            tiers.push(Tier {
                from,
                to: Some(31 + 10 * last_tier + 9),
                count: n - from + 1,
                rate: rate(first),
                rate_to: Some(rate(last_tier)),
                subtotal: full_subtotal + rate(last_tier) * u128::from(last_count),
            });
        }
    }
    quote(FeeMethod::PerRequest, u32::try_from(n).unwrap_or(u32::MAX), tiers)
}

/// Art. 5 (按量计收): the fee for one request of `pages` pages, progressive.
pub fn per_page(pages: u32) -> FeeQuote {
    let p = u64::from(pages);
    let mut tiers = Vec::new();
    for (from, to, rate) in [(1u64, Some(30u64), 0u128), (31, Some(100), 10), (101, Some(200), 20), (201, None, 40)] {
        if p >= from {
            tiers.push(Tier::flat(from, to, p.min(to.unwrap_or(u64::MAX)) - from + 1, rate));
        }
    }
    quote(FeeMethod::PerPage, pages, tiers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(q: &FeeQuote) -> u128 {
        q.amount_yuan.parse().unwrap()
    }

    /// Art. 4 rate of the i-th request, written independently of `per_request`.
    fn request_rate(i: u64) -> u128 {
        match i {
            0..=10 => 0,
            11..=30 => 100,
            _ => 100 * (2 + u128::from((i - 31) / 10)),
        }
    }

    #[test]
    fn per_request_examples() {
        let q = per_request(35);
        assert_eq!(q.amount_yuan, "3000");
        assert_eq!(q.tiers.len(), 3);
        assert_eq!(q.tiers[1].count, 20);
        assert_eq!(q.tiers[2].count, 5);
        assert_eq!(q.tiers[2].rate_yuan, "200");
        assert_eq!(q.tiers[2].to, Some(40));
        for (n, yuan) in
            [(0, 0), (1, 0), (10, 0), (11, 100), (30, 2000), (31, 2200), (40, 4000), (41, 4300), (50, 7000), (51, 7400)]
        {
            assert_eq!(amount(&per_request(n)), yuan, "n = {n}");
        }
        assert!(per_request(0).tiers.is_empty());
    }

    #[test]
    fn per_page_examples() {
        let q = per_page(2219);
        assert_eq!(q.amount_yuan, "83460");
        let counts: Vec<u32> = q.tiers.iter().map(|t| t.count).collect();
        assert_eq!(counts, vec![30, 70, 100, 2019]);
        assert_eq!(q.tiers[3].to, None);
        assert_eq!(q.tiers[3].subtotal_yuan, "80760");
        for (p, yuan) in [(0, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740)] {
            assert_eq!(amount(&per_page(p)), yuan, "pages = {p}");
        }
    }

    #[test]
    fn merged_run_matches_brute_force() {
        for n in [1030u32, 1031, 1040, 1041, 1045, 5000, 123_457] {
            let brute: u128 = (1..=u64::from(n)).map(request_rate).sum();
            let q = per_request(n);
            assert_eq!(amount(&q), brute, "n = {n}");
            assert!(q.tiers.len() <= 2 + MAX_LISTED_REQUEST_TIERS as usize + 1);
            let counted: u64 = q.tiers.iter().map(|t| u64::from(t.count)).sum();
            assert_eq!(counted, u64::from(n));
        }
        let q = per_request(1031);
        let last = q.tiers.last().unwrap();
        assert_eq!((last.from, last.to, last.count), (1031, Some(1040), 1));
        assert_eq!(last.rate_yuan, "10200");
        assert_eq!(last.rate_to_yuan.as_deref(), Some("10200"));
        assert_eq!(per_request(1030).tiers.last().unwrap().rate_to_yuan, None);
    }

    #[test]
    fn u32_max_does_not_overflow() {
        let n = u64::from(u32::MAX);
        // Closed form: 2,000 for requests 11–30, then full tiers k < K and the partial tier K.
        let k_last = (n - 31) / 10;
        let kk = u128::from(k_last);
        let full = 1000 * (2 * kk + kk * (kk - 1) / 2);
        let partial = 100 * (2 + u128::from(k_last)) * u128::from(n - (31 + 10 * k_last) + 1);
        let q = per_request(u32::MAX);
        assert_eq!(amount(&q), 2000 + full + partial);
        assert_eq!(amount(&per_page(u32::MAX)), 2700 + 40 * (u128::from(u32::MAX) - 200));
    }
}
