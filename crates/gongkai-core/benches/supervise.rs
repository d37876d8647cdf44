//! The supervising office's pure work on a province-sized tree (issue 8): the roll-up of tables
//! 2–4 over 2,000 agencies' reports, and the 2,000 quality scorecards (consistency rules, the
//! problems sections compared with each other, the criteria). The reports are generated once from
//! demo registers (2,000 agencies, 200,000 requests); each problems section is a county's common
//! wording with agency-specific sentences, so that the similarity measure has real work to do.
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

/// A problems section: shared boilerplate for a third of the agencies, specific text otherwise.
fn problems(i: usize, name: &str) -> String {
    let common = "政府信息公开工作仍存在一些不足：主动公开的深度和广度有待拓展，政策解读形式较为单一，\
                  依申请公开办理的规范化水平有待提高。下一步将加强培训，完善制度，提升公开质量。";
    if i.is_multiple_of(3) {
        common.to_string()
    } else {
        format!(
            "{name}本年度存在的主要问题：一是第{}季度有{}件申请答复临近期限，二是{}项重点领域信息更新不及时，\
             三是基层公开目录维护人员变动{}次。改进措施：建立期限预警台账，按月核查{}个栏目，编号{i}。",
            i % 4 + 1,
            i % 17,
            i % 9 + 2,
            i % 5,
            i % 23 + 3
        )
    }
}

fn bench(c: &mut Criterion) {
    let cal = Calendar::official();
    let spec = DemoSpec { agencies: AGENCIES, requests: 200_000, first_year: 2023, last_year: YEAR, seed: 8 };
    let data = demo::generate(&cal, &spec);
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
        .enumerate()
        .map(|(i, a)| {
            let input = YearInput {
                agency: a.clone(),
                year: YEAR,
                requests: requests.remove(&a.code).unwrap_or_default(),
                cases: cases.remove(&a.code).unwrap_or_default(),
                figures: data.figures.iter().find(|f| f.agency == a.code && f.year == YEAR).cloned(),
                narratives: vec![(SectionKey::Problems, problems(i, &a.name))],
                published_on: published,
            };
            (a.code.clone(), a.kind == AgencyKind::Government, generate::build(&cal, &input).report)
        })
        .collect();
    let today = NaiveDate::from_ymd_opt(YEAR + 1, 3, 1);

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
    g.bench_function("scorecards of 2,000 reports (rules, similarity, criteria)", |b| {
        b.iter(|| {
            let texts: Vec<&str> =
                reports.iter().map(|(_, _, r)| quality::section_text(r, SectionKey::Problems).unwrap_or("")).collect();
            let nearest = quality::nearest_peers(&texts, quality::SIMILARITY_THRESHOLD);
            reports
                .iter()
                .enumerate()
                .map(|(i, (_, government, report))| {
                    let findings =
                        rules::check(report, &CheckContext { previous: None, government_report: Some(*government) });
                    quality::scorecard(&QualityInput {
                        report: Some(report),
                        findings: Some(&findings),
                        government_report: Some(*government),
                        today,
                        previous_problems: None,
                        nearest_peer: nearest[i].map(|(j, s)| Nearest { other: reports[j].0.clone(), similarity: s }),
                        amendments: Some(0),
                        amendments_counted: quality::AmendmentBasis::Registers,
                    })
                    .passed
                })
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
