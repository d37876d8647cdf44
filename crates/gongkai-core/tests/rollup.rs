//! Properties of the roll-up (汇总):
//! 1. the roll-up of any set of reports of one year equals the sum of their figures, figure for
//!    figure (blank + blank = blank, blank + n = n; amounts exactly);
//! 2. when every agency's report passes every rule (no warning or error), so does the roll-up;
//! 3. the same on reports generated from synthetic registers (the demo generator).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::NaiveDate;
use gongkai_core::calendar::Calendar;
use gongkai_core::demo::{self, DemoSpec};
use gongkai_core::generate::{self, YearInput};
use gongkai_core::report::*;
use gongkai_core::rollup::{roll_up, Member};
use gongkai_core::rules::{check, CheckContext, Severity};
use gongkai_core::template::{OTHER_HANDLING_PARTS, OUTCOME_LEAVES, SECTIONS, T3_ROWS};
use proptest::prelude::*;

const YEAR: i32 = 2024;

// ---------------------------------------------------------------------------------------------
// Arbitrary reports of one template (blanks anywhere)

fn cell() -> BoxedStrategy<Cell> {
    prop_oneof![2 => Just(None), 5 => (0i64..1000).prop_map(Some), 1 => (-50i64..0).prop_map(Some)].boxed()
}

fn columns() -> BoxedStrategy<Columns> {
    prop::array::uniform7(cell()).prop_map(Columns::from_array).boxed()
}

fn request_table() -> BoxedStrategy<RequestTable> {
    (prop::collection::vec(columns(), T3_ROWS.len()), prop::array::uniform3(any::<bool>()))
        .prop_map(|(rows, present)| {
            let mut t = RequestTable::blank();
            for (spec, cols) in T3_ROWS.iter().zip(rows) {
                *t.row_mut(spec.key) = cols;
            }
            let oh = &mut t.outcomes.other_handling;
            for (slot, keep) in [&mut oh.no_correction, &mut oh.fee_unpaid, &mut oh.other].into_iter().zip(present) {
                if !keep {
                    *slot = None;
                }
            }
            t
        })
        .boxed()
}

fn review_table() -> BoxedStrategy<ReviewLitigation> {
    prop::array::uniform3(prop::array::uniform5(cell()))
        .prop_map(|g| ReviewLitigation {
            review: CaseResults::from_array(g[0]),
            litigation_direct: CaseResults::from_array(g[1]),
            litigation_after_review: CaseResults::from_array(g[2]),
        })
        .boxed()
}

fn amount() -> BoxedStrategy<Option<Amount>> {
    prop_oneof![Just(None), "-?[0-9]{1,12}(\\.[0-9]{1,5})?".prop_map(|s| Amount::parse(&s).ok())].boxed()
}

fn proactive() -> BoxedStrategy<Proactive> {
    let doc = (cell(), cell(), cell()).prop_map(|(issued, repealed, in_force)| DocumentCounts::V2021 {
        issued,
        repealed,
        in_force,
    });
    let item = cell().prop_map(|decisions| ItemCounts::V2021 { decisions });
    (
        prop::option::of(doc.clone()),
        prop::option::of(doc),
        prop::collection::vec(prop::option::of(item), 3),
        prop::option::of(amount().prop_map(|amount_wan_yuan| AdministrativeFees::V2021 { amount_wan_yuan })),
    )
        .prop_map(|(rules, normative_documents, items, administrative_fees)| Proactive {
            rules,
            normative_documents,
            licensing: items[0].clone(),
            other_services: None,
            penalties: items[1].clone(),
            coercive_measures: items[2].clone(),
            administrative_fees,
            centralized_procurement: None,
        })
        .boxed()
}

fn report() -> BoxedStrategy<Report> {
    (prop::option::of(proactive()), prop::option::of(request_table()), prop::option::of(review_table()))
        .prop_map(|(p, t, r)| {
            let mut rep = Report::new(Template::V2021, "prop", SourceFormat::Json);
            rep.year = Some(YEAR);
            rep.proactive = p;
            rep.requests = t;
            rep.review_litigation = r;
            rep
        })
        .boxed()
}

/// An expected figure: counts as i128, amounts in 1/10^5 units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sum {
    Count(Option<i128>),
    Amount(Option<i128>),
}

fn scaled(a: &Option<Amount>) -> Option<i128> {
    a.as_ref().map(|a| a.to_scaled(5).expect("at most 5 decimals"))
}

fn figures(r: &Report) -> BTreeMap<String, Sum> {
    r.figures()
        .into_iter()
        .map(|(p, v)| {
            let s = match v {
                FigureValue::Count(c) => Sum::Count(c.map(i128::from)),
                FigureValue::Amount(a) => Sum::Amount(scaled(&a)),
            };
            (p, s)
        })
        .collect()
}

/// blank + blank = blank; blank + n = n, computed independently of the library.
fn plus(a: Option<i128>, b: Option<i128>) -> Option<i128> {
    match (a, b) {
        (None, None) => None,
        (x, y) => Some(x.unwrap_or(0) + y.unwrap_or(0)),
    }
}

fn expected(reports: &[Report]) -> BTreeMap<String, Sum> {
    let mut out: BTreeMap<String, Sum> = BTreeMap::new();
    for r in reports {
        for (p, v) in figures(r) {
            let e = out.entry(p).or_insert(match v {
                Sum::Count(_) => Sum::Count(None),
                Sum::Amount(_) => Sum::Amount(None),
            });
            *e = match (*e, v) {
                (Sum::Count(a), Sum::Count(b)) => Sum::Count(plus(a, b)),
                (Sum::Amount(a), Sum::Amount(b)) => Sum::Amount(plus(a, b)),
                _ => panic!("a path changed kind"),
            };
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Consistent reports (every cell filled, every rule satisfied)

fn leaf_rows(v2021: bool) -> Vec<RequestRow> {
    let mut rows: Vec<RequestRow> =
        OUTCOME_LEAVES.iter().copied().filter(|r| !v2021 || *r != RequestRow::OtherHandlingTotal).collect();
    if v2021 {
        rows.extend(OTHER_HANDLING_PARTS);
    }
    rows.extend([RequestRow::CarriedOver, RequestRow::CarriedForward]);
    rows
}

#[derive(Debug, Clone)]
struct Consistent {
    leaves: Vec<[i64; 6]>,
    review: [[i64; 4]; 3],
    t2: [i64; 9],
    fee_cents: u32,
}

fn consistent() -> impl Strategy<Value = Consistent> {
    (
        prop::collection::vec(prop::array::uniform6(0i64..300), leaf_rows(true).len()),
        prop::array::uniform3(prop::array::uniform4(0i64..50)),
        prop::array::uniform9(0i64..40),
        0u32..100_000,
    )
        .prop_map(|(leaves, review, t2, fee_cents)| Consistent { leaves, review, t2, fee_cents })
}

fn build_consistent(c: &Consistent) -> Report {
    let mut t = RequestTable::blank();
    for (r, parts) in leaf_rows(true).into_iter().zip(&c.leaves) {
        let row = t.row_mut(r);
        for (col, v) in Column::PARTS.iter().zip(parts) {
            *row.get_mut(*col) = Some(*v);
        }
        row.total = Some(parts.iter().sum());
    }
    for col in Column::ALL {
        let get = |t: &mut RequestTable, r: RequestRow| t.row_mut(r).get(col).unwrap_or(0);
        let other: i64 = OTHER_HANDLING_PARTS.iter().map(|r| get(&mut t, *r)).sum();
        *t.outcomes.other_handling.total.get_mut(col) = Some(other);
        let leaves: i64 = OUTCOME_LEAVES
            .iter()
            .filter(|r| **r != RequestRow::OtherHandlingTotal)
            .map(|r| get(&mut t, *r))
            .sum::<i64>()
            + other;
        *t.outcomes.total.get_mut(col) = Some(leaves);
        let received = leaves + get(&mut t, RequestRow::CarriedForward) - get(&mut t, RequestRow::CarriedOver);
        *t.received.get_mut(col) = Some(received);
    }
    let mut t4 = ReviewLitigation::blank();
    for (g, v) in CaseGroup::ALL.iter().zip(c.review) {
        let grp = t4.group_mut(*g);
        for (r, x) in CaseResult::ALL.iter().zip(v) {
            *grp.get_mut(*r) = Some(x);
        }
        grp.total = Some(v.iter().sum());
    }
    let mut r = Report::new(Template::V2021, "prop", SourceFormat::Json);
    r.agency = Some("某县某局".into());
    r.year = Some(YEAR);
    r.published_on = NaiveDate::from_ymd_opt(YEAR + 1, 1, 15);
    r.sections = SECTIONS
        .iter()
        .filter(|s| s.required)
        .map(|s| Section { key: Some(s.key), title: s.title.to_string(), text: String::new() })
        .collect();
    r.requests = Some(t);
    r.review_litigation = Some(t4);
    let v = c.t2;
    r.proactive = Some(Proactive {
        rules: Some(DocumentCounts::V2021 { issued: Some(v[0]), repealed: Some(v[1]), in_force: Some(v[2]) }),
        normative_documents: Some(DocumentCounts::V2021 {
            issued: Some(v[3]),
            repealed: Some(v[4]),
            in_force: Some(v[5]),
        }),
        licensing: Some(ItemCounts::V2021 { decisions: Some(v[6]) }),
        other_services: None,
        penalties: Some(ItemCounts::V2021 { decisions: Some(v[7]) }),
        coercive_measures: Some(ItemCounts::V2021 { decisions: Some(v[8]) }),
        administrative_fees: Some(AdministrativeFees::V2021 {
            amount_wan_yuan: Amount::parse(&format!("{}.{:02}", c.fee_cents / 100, c.fee_cents % 100)).ok(),
        }),
        centralized_procurement: None,
    });
    r
}

fn serious(r: &Report) -> Vec<String> {
    check(r, &CheckContext::default())
        .into_iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect()
}

fn members<'a>(codes: &'a [String], reports: &'a [Report]) -> Vec<Member<'a>> {
    codes.iter().zip(reports).map(|(c, r)| Member { code: c.as_str(), report: Some(r) }).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn rollup_is_the_sum_figure_for_figure(reports in prop::collection::vec(report(), 0..6)) {
        let codes: Vec<String> = (0..reports.len()).map(|i| format!("A{i}")).collect();
        let r = roll_up(Some("某县人民政府"), YEAR, &members(&codes, &reports)).unwrap();
        prop_assert_eq!(&r.included, &codes);
        prop_assert!(r.missing.is_empty() && r.excluded.is_empty());
        prop_assert_eq!(figures(&r.report), expected(&reports));
        // A table no agency has stays absent.
        prop_assert_eq!(r.report.requests.is_some(), reports.iter().any(|x| x.requests.is_some()));
        prop_assert_eq!(r.report.proactive.is_some(), reports.iter().any(|x| x.proactive.is_some()));
        prop_assert_eq!(
            r.report.review_litigation.is_some(),
            reports.iter().any(|x| x.review_litigation.is_some())
        );
    }

    #[test]
    fn rollup_of_passing_reports_passes(cs in prop::collection::vec(consistent(), 1..6)) {
        let reports: Vec<Report> = cs.iter().map(build_consistent).collect();
        for r in &reports {
            let s = serious(r);
            prop_assert!(s.is_empty(), "a member fails: {:?}", s);
        }
        let codes: Vec<String> = (0..reports.len()).map(|i| format!("A{i}")).collect();
        let r = roll_up(Some("某县人民政府"), YEAR, &members(&codes, &reports)).unwrap();
        let s = serious(&r.report);
        prop_assert!(s.is_empty(), "the roll-up fails: {:?}", s);
        prop_assert_eq!(figures(&r.report), expected(&reports));
    }
}

#[test]
fn rollup_of_generated_reports_from_registers() {
    let cal = Calendar::official();
    let data =
        demo::generate(&cal, &DemoSpec { agencies: 8, requests: 600, first_year: YEAR - 1, last_year: YEAR, seed: 7 });
    let mut reports = Vec::new();
    for a in &data.agencies {
        let input = YearInput {
            agency: a.clone(),
            year: YEAR,
            requests: data.requests.iter().filter(|(r, _)| r.agency == a.code).cloned().collect(),
            cases: data.cases.iter().filter(|c| c.agency == a.code).cloned().collect(),
            figures: data.figures.iter().find(|f| f.agency == a.code && f.year == YEAR).cloned(),
            narratives: Vec::new(),
            published_on: None,
        };
        let report = generate::build(&cal, &input).into_result().expect("demo registers are valid");
        let errors: Vec<_> =
            check(&report, &CheckContext::default()).into_iter().filter(|f| f.severity == Severity::Error).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", a.code);
        reports.push(report);
    }
    let codes: Vec<String> = data.agencies.iter().map(|a| a.code.clone()).collect();
    let mut m = members(&codes, &reports);
    // One agency without a report: listed as missing, not summed.
    m.push(Member { code: "NONE", report: None });
    let r = roll_up(Some("示范县人民政府"), YEAR, &m).unwrap();
    assert_eq!(r.included, codes);
    assert_eq!(r.missing, ["NONE"]);
    assert_eq!(figures(&r.report), expected(&reports));
    let received: i64 = reports.iter().map(|x| x.requests.unwrap().received.total.unwrap()).sum();
    assert!(received > 0);
    assert_eq!(r.report.requests.unwrap().received.total, Some(received));
    let errors: Vec<_> =
        check(&r.report, &CheckContext::default()).into_iter().filter(|f| f.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:?}");
}
