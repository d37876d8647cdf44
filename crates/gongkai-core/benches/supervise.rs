//! The supervising office's pure work on a province-sized tree (issue 8): the roll-up of tables
//! 2–4 over 2,000 agencies' reports, and the 2,000 quality scorecards (consistency rules, the
//! problems sections compared with each other, the criteria). The reports are generated once from
//! demo registers (2,000 agencies, 200,000 requests) with the demo's report texts
//! (`demo::narratives`: specific problems sections, stock paragraphs shared word for word, last
//! year's text copied), so that the similarity measure has real work to do. The comparison is
//! also timed the naive way (every pair), the reference the prefix filter is tested against.
//! Run: `cargo bench -p gongkai-core --bench supervise`.

use std::collections::HashMap;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use gongkai_core::calendar::Calendar;
use gongkai_core::demo::{self, DemoSpec};
use gongkai_core::generate::{self, YearInput};
use gongkai_core::quality::{self, Nearest, QualityInput};
use gongkai_core::register::AgencyKind;
use gongkai_core::report::{Report, SectionKey};
use gongkai_core::rollup::{self, Member};
use gongkai_core::rules::{self, CheckContext};

const AGENCIES: usize = 2_000;
const YEAR: i32 = 2024;

fn bench(c: &mut Criterion) {
    let cal = Calendar::official();
    let spec = DemoSpec { agencies: AGENCIES, requests: 200_000, first_year: 2023, last_year: YEAR, seed: 8 };
    let data = demo::generate(&cal, &spec);
    let mut texts: HashMap<String, Vec<(SectionKey, String)>> = HashMap::new();
    let mut previous: HashMap<String, String> = HashMap::new();
    for n in demo::narratives(&data, &spec) {
        if n.year == YEAR {
            texts.entry(n.agency).or_default().push((n.section, n.text));
        } else if n.year == YEAR - 1 && n.section == SectionKey::Problems {
            previous.insert(n.agency, n.text);
        }
    }
    let mut requests: HashMap<String, Vec<_>> = HashMap::new();
    for r in data.requests {
        requests.entry(r.0.agency.clone()).or_default().push(r);
    }
    let mut cases: HashMap<String, Vec<_>> = HashMap::new();
    for c in data.cases {
        cases.entry(c.agency.clone()).or_default().push(c);
    }
    let published = NaiveDate::from_ymd_opt(YEAR + 1, 1, 20);
    let reports: Vec<(String, bool, Report)> = data
        .agencies
        .iter()
        .map(|a| {
            let input = YearInput {
                agency: a.clone(),
                year: YEAR,
                requests: requests.remove(&a.code).unwrap_or_default(),
                cases: cases.remove(&a.code).unwrap_or_default(),
                figures: data.figures.iter().find(|f| f.agency == a.code && f.year == YEAR).cloned(),
                narratives: texts.remove(&a.code).unwrap_or_default(),
                published_on: published,
            };
            (a.code.clone(), a.kind == AgencyKind::Government, generate::build(&cal, &input).report)
        })
        .collect();
    let today = NaiveDate::from_ymd_opt(YEAR + 1, 3, 1);
    let cached_findings: Vec<_> = reports
        .iter()
        .map(|(_, government, r)| {
            rules::check(r, &CheckContext { previous: None, government_report: Some(*government) })
        })
        .collect();

    let mut g = c.benchmark_group("supervise");
    g.sample_size(10);
    g.bench_function("roll-up of 2,000 reports (tables 2-4)", |b| {
        b.iter(|| {
            let members: Vec<Member<'_>> =
                reports.iter().map(|(code, _, r)| Member { code, report: Some(r) }).collect();
            rollup::roll_up(Some("示范县人民政府"), YEAR, std::hint::black_box(&members))
                .map(|r| r.included.len())
                .unwrap_or(0)
        })
    });
    g.bench_function("problems sections compared, 2,000 reports", |b| {
        b.iter(|| {
            let texts: Vec<&str> =
                reports.iter().map(|(_, _, r)| quality::section_text(r, SectionKey::Problems).unwrap_or("")).collect();
            quality::nearest_peers(std::hint::black_box(&texts), quality::SIMILARITY_THRESHOLD)
        })
    });
    g.bench_function("problems sections compared, 2,000 reports, every pair (reference)", |b| {
        b.iter(|| {
            let sets: Vec<Vec<u64>> = reports
                .iter()
                .map(|(_, _, r)| quality::bigrams(quality::section_text(r, SectionKey::Problems).unwrap_or("")))
                .collect();
            let mut found = 0usize;
            for (i, a) in sets.iter().enumerate() {
                for b in &sets[i + 1..] {
                    if quality::jaccard(a, b) >= quality::SIMILARITY_THRESHOLD {
                        found += 1;
                    }
                }
            }
            found
        })
    });
    // Every scorecard: the problems sections compared with each other, then the criteria. With
    // `cached`, as the overview does it per view (the findings from the cache, last year's
    // problems section compared with this year's); without, the rules run here and no last year.
    let scorecards = |cached: bool| {
        let texts: Vec<&str> =
            reports.iter().map(|(_, _, r)| quality::section_text(r, SectionKey::Problems).unwrap_or("")).collect();
        let nearest = quality::nearest_peers(&texts, quality::SIMILARITY_THRESHOLD);
        reports
            .iter()
            .enumerate()
            .map(|(i, (code, government, report))| {
                let checked;
                let findings = if cached {
                    &cached_findings[i]
                } else {
                    checked =
                        rules::check(report, &CheckContext { previous: None, government_report: Some(*government) });
                    &checked
                };
                quality::scorecard(&QualityInput {
                    report: Some(report),
                    findings: Some(findings),
                    government_report: Some(*government),
                    today,
                    previous_problems: previous.get(code).map(String::as_str).filter(|_| cached),
                    nearest_peer: nearest[i].map(|(j, s)| Nearest { other: reports[j].0.clone(), similarity: s }),
                    amendments: Some(0),
                    amendments_counted: quality::AmendmentBasis::Registers,
                })
                .passed
            })
            .sum::<usize>()
    };
    g.bench_function("scorecards of 2,000 reports (rules, similarity, criteria)", |b| b.iter(|| scorecards(false)));
    g.bench_function("overview's scorecards of 2,000 reports (findings cached, last year's text)", |b| {
        b.iter(|| scorecards(true))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
