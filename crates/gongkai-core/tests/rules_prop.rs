//! Properties of the rule engine:
//! 1. a generated consistent report has no error or warning finding;
//! 2. changing any single filled cell of table 3 or table 4 by a non-zero delta triggers an error
//!    from the sum rules, at that cell's row or column;
//! 3. `check` never panics, whatever the report (nulls, negatives, extreme values, odd prose).

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::NaiveDate;
use gongkai_core::report::*;
use gongkai_core::rules::{check, CheckContext, Severity, NONNUMERIC_NOTE_PREFIX};
use gongkai_core::template::{self, OTHER_HANDLING_PARTS, OUTCOME_LEAVES, SECTIONS, T3_ROWS};
use gongkai_core::text_figure;
use proptest::prelude::*;
use proptest::sample::Index;

// ---------------------------------------------------------------------------------------------
// Consistent reports

/// The leaves a generated table fills: the outcome leaves (with （六）其他处理 as one row in 2019,
/// as three sub-rows in 2021), 二 and 四.
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
    v2021: bool,
    /// In 2021: whether the （六）其他处理 total row is given (else only its sub-rows).
    other_total: bool,
    leaves: Vec<[i64; 6]>,
    review: [[i64; 4]; 3],
}

fn consistent_strategy() -> impl Strategy<Value = Consistent> {
    (any::<bool>(), any::<bool>()).prop_flat_map(|(v2021, other_total)| {
        let n = leaf_rows(v2021).len();
        (
            prop::collection::vec(prop::array::uniform6(0i64..500), n),
            prop::array::uniform3(prop::array::uniform4(0i64..100)),
        )
            .prop_map(move |(leaves, review)| Consistent { v2021, other_total, leaves, review })
    })
}

fn build(c: &Consistent) -> Report {
    let mut t = RequestTable::blank();
    for (r, parts) in leaf_rows(c.v2021).into_iter().zip(&c.leaves) {
        let row = t.row_mut(r);
        for (col, v) in Column::PARTS.iter().zip(parts) {
            *row.get_mut(*col) = Some(*v);
        }
        row.total = Some(parts.iter().sum());
    }
    for col in Column::ALL {
        let sub = |t: &mut RequestTable| -> i64 {
            OTHER_HANDLING_PARTS.iter().map(|r| t.row_mut(*r).get(col).unwrap_or(0)).sum()
        };
        let other = if c.v2021 { sub(&mut t) } else { t.outcomes.other_handling.total.get(col).unwrap_or(0) };
        if c.v2021 && c.other_total {
            *t.outcomes.other_handling.total.get_mut(col) = Some(other);
        }
        let leaves: i64 = OUTCOME_LEAVES
            .iter()
            .filter(|r| **r != RequestRow::OtherHandlingTotal)
            .map(|r| t.row_mut(*r).get(col).unwrap_or(0))
            .sum::<i64>()
            + other;
        *t.outcomes.total.get_mut(col) = Some(leaves);
        let received = leaves + t.carried_forward.get(col).unwrap_or(0) - t.carried_over.get(col).unwrap_or(0);
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
    let tpl = if c.v2021 { Template::V2021 } else { Template::V2019 };
    let mut r = Report::new(tpl, "prop", SourceFormat::Json);
    r.agency = Some("某市某局".into());
    r.year = Some(2022);
    r.published_on = NaiveDate::from_ymd_opt(2023, 1, 15);
    let received = t.received.total.unwrap_or_default();
    let answered = t.outcomes.total.total.unwrap_or_default();
    let review_total = t4.review.total.unwrap_or_default();
    r.sections = SECTIONS
        .iter()
        .filter(|s| s.required)
        .map(|s| Section { key: Some(s.key), title: s.title.to_string(), text: String::new() })
        .collect();
    r.sections[0].text = format!(
        "（二）依申请公开情况\n本年度共受理政府信息公开申请{received}件，答复{answered}件。政府信息公开行政复议{review_total}件。"
    );
    r.requests = Some(t);
    r.review_litigation = Some(t4);
    r.proactive = Some(if c.v2021 {
        Proactive {
            rules: Some(DocumentCounts::V2021 { issued: Some(0), repealed: Some(0), in_force: Some(3) }),
            normative_documents: Some(DocumentCounts::V2021 { issued: Some(2), repealed: Some(1), in_force: Some(9) }),
            licensing: Some(ItemCounts::V2021 { decisions: Some(10) }),
            other_services: None,
            penalties: Some(ItemCounts::V2021 { decisions: Some(4) }),
            coercive_measures: Some(ItemCounts::V2021 { decisions: Some(0) }),
            administrative_fees: Some(AdministrativeFees::V2021 { amount_wan_yuan: Amount::parse("1.25").ok() }),
            centralized_procurement: None,
        }
    } else {
        let items = Some(ItemCounts::V2019 { previous_items: Some(2), change: Some(-1), decisions: Some(3) });
        Proactive {
            rules: Some(DocumentCounts::V2019 { made: Some(0), published: Some(0), published_total: Some(0) }),
            normative_documents: Some(DocumentCounts::V2019 {
                made: Some(1),
                published: Some(1),
                published_total: Some(5),
            }),
            licensing: items.clone(),
            other_services: items.clone(),
            penalties: items.clone(),
            coercive_measures: items,
            administrative_fees: Some(AdministrativeFees::V2019 { previous_items: Some(0), change: Some(0) }),
            centralized_procurement: Some(Procurement { projects: Some(1), amount_yuan: Amount::parse("5000").ok() }),
        }
    });
    r
}

/// A filled numeric cell of table 3 or table 4.
#[derive(Debug, Clone, Copy)]
enum CellRef {
    T3(RequestRow, Column),
    T4(CaseGroup, CaseResult),
}

fn filled_cells(r: &Report) -> Vec<CellRef> {
    let mut out = Vec::new();
    if let Some(t) = &r.requests {
        for spec in T3_ROWS {
            if let Some(row) = t.row(spec.key) {
                for c in Column::ALL {
                    if row.get(c).is_some() {
                        out.push(CellRef::T3(spec.key, c));
                    }
                }
            }
        }
    }
    if let Some(t4) = &r.review_litigation {
        for g in CaseGroup::ALL {
            for res in CaseResult::ALL {
                if t4.group(g).get(res).is_some() {
                    out.push(CellRef::T4(g, res));
                }
            }
        }
    }
    out
}

fn nudge(r: &mut Report, cell: CellRef, delta: i64) {
    let v = match cell {
        CellRef::T3(row, c) => r.requests.as_mut().map(|t| t.row_mut(row).get_mut(c)),
        CellRef::T4(g, res) => r.review_litigation.as_mut().map(|t| t.group_mut(g).get_mut(res)),
    };
    if let Some(Some(x)) = v {
        *x = x.saturating_add(delta);
    }
}

const SUM_RULES: [&str; 5] = ["t3.balance", "t3.outcome-sum", "t3.column-sum", "t3.other-sum", "t4.group-sum"];

proptest! {
    #[test]
    fn consistent_reports_have_no_error_or_warning(c in consistent_strategy()) {
        let r = build(&c);
        let fs = check(&r, &CheckContext::default());
        let bad: Vec<_> = fs.iter().filter(|f| f.severity > Severity::Info).collect();
        prop_assert!(bad.is_empty(), "{:#?}", bad);
    }

    #[test]
    fn any_changed_cell_of_tables_3_and_4_is_caught(
        c in consistent_strategy(),
        pick in any::<Index>(),
        delta in prop_oneof![-1000i64..=-1, 1i64..=1000],
    ) {
        let mut r = build(&c);
        let cells = filled_cells(&r);
        prop_assume!(!cells.is_empty());
        let cell = cells[pick.index(cells.len())];
        nudge(&mut r, cell, delta);
        let (row, col) = match cell {
            CellRef::T3(row, c) => (template::t3_row(row).path.to_string(), c.name().to_string()),
            CellRef::T4(g, res) => (g.name().to_string(), res.name().to_string()),
        };
        let table = match cell { CellRef::T3(..) => "requests", CellRef::T4(..) => "review_litigation" };
        let fs = check(&r, &CheckContext::default());
        let hit = fs.iter().any(|f| {
            f.severity == Severity::Error
                && SUM_RULES.contains(&f.rule.as_str())
                && f.table.as_deref() == Some(table)
                && (f.row.as_deref() == Some(row.as_str()) || f.column.as_deref() == Some(col.as_str()))
        });
        prop_assert!(hit, "{:?} {:+}: {:#?}", cell, delta, fs);
    }
}

// ---------------------------------------------------------------------------------------------
// Arbitrary reports

fn cell() -> BoxedStrategy<Cell> {
    prop_oneof![
        3 => Just(None),
        3 => (0i64..1000).prop_map(Some),
        1 => (-1000i64..0).prop_map(Some),
        1 => prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(i64::MAX - 1), Just(i64::MIN + 1)].prop_map(Some),
        1 => any::<i64>().prop_map(Some),
    ]
    .boxed()
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

fn case_results() -> BoxedStrategy<CaseResults> {
    prop::array::uniform5(cell()).prop_map(CaseResults::from_array).boxed()
}

fn review_table() -> BoxedStrategy<ReviewLitigation> {
    (case_results(), case_results(), case_results())
        .prop_map(|(review, litigation_direct, litigation_after_review)| ReviewLitigation {
            review,
            litigation_direct,
            litigation_after_review,
        })
        .boxed()
}

fn amount() -> BoxedStrategy<Option<Amount>> {
    prop_oneof![
        Just(None),
        "-?[0-9]{1,30}(\\.[0-9]{1,5})?".prop_map(|s| Amount::parse(&s).ok()),
        any::<i64>().prop_map(|v| Some(Amount::from_int(v))),
    ]
    .boxed()
}

fn proactive() -> BoxedStrategy<Proactive> {
    let doc = prop_oneof![
        (cell(), cell(), cell()).prop_map(|(issued, repealed, in_force)| DocumentCounts::V2021 {
            issued,
            repealed,
            in_force
        }),
        (cell(), cell(), cell()).prop_map(|(made, published, published_total)| {
            DocumentCounts::V2019 { made, published, published_total }
        }),
    ];
    let item = prop_oneof![
        cell().prop_map(|decisions| ItemCounts::V2021 { decisions }),
        (cell(), cell(), cell()).prop_map(|(previous_items, change, decisions)| {
            ItemCounts::V2019 { previous_items, change, decisions }
        }),
    ];
    let fees = prop_oneof![
        amount().prop_map(|amount_wan_yuan| AdministrativeFees::V2021 { amount_wan_yuan }),
        (cell(), cell()).prop_map(|(previous_items, change)| AdministrativeFees::V2019 { previous_items, change }),
    ];
    let proc = (cell(), amount()).prop_map(|(projects, amount_yuan)| Procurement { projects, amount_yuan });
    (
        prop::option::of(doc.clone()),
        prop::option::of(doc),
        prop::collection::vec(prop::option::of(item), 4),
        prop::option::of(fees),
        prop::option::of(proc),
    )
        .prop_map(|(rules, normative_documents, items, administrative_fees, centralized_procurement)| {
            let mut it = items.into_iter();
            Proactive {
                rules,
                normative_documents,
                licensing: it.next().flatten(),
                other_services: it.next().flatten(),
                penalties: it.next().flatten(),
                coercive_measures: it.next().flatten(),
                administrative_fees,
                centralized_procurement,
            }
        })
        .boxed()
}

fn legacy() -> BoxedStrategy<Vec<LegacyStatistic>> {
    let keys: Vec<Option<String>> =
        template::LEGACY_ROWS.iter().map(|r| Some(r.key.to_string())).chain([None, Some("unknown".into())]).collect();
    prop::collection::vec(
        (prop::sample::select(keys), amount()).prop_map(|(key, value)| LegacyStatistic {
            label: key.clone().unwrap_or_default(),
            key,
            unit: Some("条".into()),
            value,
        }),
        0..10,
    )
    .boxed()
}

/// Prose made of the words the extractor reacts to, in random order.
fn prose() -> BoxedStrategy<String> {
    let words = vec![
        "受理",
        "收到",
        "新收",
        "政府信息公开申请",
        "申请",
        "件",
        "条",
        "起",
        "（项）",
        "，",
        "。",
        "、",
        "；",
        "：",
        "（",
        "）",
        "其中",
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "行政复议",
        "行政诉讼",
        "诉讼",
        "主动公开政府信息",
        "主动公开的",
        "政府信息中",
        "在主动公开的政府信息中",
        "其他",
        "均获维持",
        "答复",
        "办结",
        "另有",
        "顺延到下年度",
        "结转至2026年",
        "含上年度结转申请",
        "予以公开",
        "部分公开",
        "不予公开",
        "无法提供",
        "不予处理",
        "其他处理",
        "占",
        "%",
        " ",
        "\n",
        "（一）",
        "一、",
        "1.",
        "0",
        "7",
        "42",
        "3119",
        "99999999999999999999",
        "-",
        ".",
        "约",
        "余",
        "依申请",
        "网站",
        "代表",
        "本年度",
        "2024年",
        "全区",
    ];
    prop_oneof![prop::collection::vec(prop::sample::select(words), 0..80).prop_map(|v| v.concat()), any::<String>(),]
        .boxed()
}

fn sections() -> BoxedStrategy<Vec<Section>> {
    let keys: Vec<Option<SectionKey>> = SECTIONS.iter().map(|s| Some(s.key)).chain([None]).collect();
    prop::collection::vec(
        (prop::sample::select(keys), prose(), prose()).prop_map(|(key, title, text)| Section { key, title, text }),
        0..8,
    )
    .boxed()
}

fn template() -> impl Strategy<Value = Template> {
    prop::sample::select(vec![Template::Pre2019, Template::V2019, Template::V2021])
}

fn notes() -> BoxedStrategy<Vec<ImportNote>> {
    let paths = vec![
        "requests.received.natural_person",
        "requests.outcomes.other_handling.total.total",
        "requests",
        "review_litigation.review.upheld",
        "review_litigation.nonsense",
        "proactive.licensing.decisions",
        "legacy_statistics.proactive_total",
        "",
        ".",
        "a.b.c.d.e",
    ];
    prop::collection::vec(
        (prop::sample::select(paths), any::<bool>(), ".{0,10}", prop::option::of(any::<usize>())).prop_map(
            |(path, marked, rest, line)| ImportNote {
                path: path.to_string(),
                line,
                message: if marked { format!("{NONNUMERIC_NOTE_PREFIX}{rest}") } else { rest },
            },
        ),
        0..4,
    )
    .boxed()
}

fn report() -> BoxedStrategy<Report> {
    (
        (
            template(),
            prop::option::of(".{0,12}|某市人民政府|某区管委会"),
            prop::option::of(any::<i32>()),
            prop::option::of(-800_000i32..3_000_000),
        ),
        (
            prop::option::of(request_table()),
            prop::option::of(review_table()),
            prop::option::of(proactive()),
            prop::option::of(legacy()),
        ),
        (
            sections(),
            notes(),
            prop::collection::vec(
                (prop::sample::select(vec!["requests", "proactive", "review_litigation", "x"]), template()),
                0..3,
            ),
        ),
    )
        .prop_map(
            |(
                (tpl, agency, year, days),
                (requests, review_litigation, proactive, legacy_statistics),
                (sections, notes, table_templates),
            )| {
                let mut r = Report::new(tpl, "arb", SourceFormat::Text);
                r.agency = agency;
                r.year = year;
                r.published_on = days.and_then(NaiveDate::from_num_days_from_ce_opt);
                r.requests = requests;
                r.review_litigation = review_litigation;
                r.proactive = proactive;
                r.legacy_statistics = legacy_statistics;
                r.sections = sections;
                r.provenance.notes = notes;
                r.provenance.table_templates = table_templates.into_iter().map(|(k, t)| (k.to_string(), t)).collect();
                r
            },
        )
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn check_never_panics(r in report(), prev in prop::option::of(report()), government in prop::option::of(any::<bool>())) {
        let ctx = CheckContext { previous: prev.as_ref(), government_report: government };
        let fs = check(&r, &ctx);
        // Deterministic, and every finding names a rule of the catalogue.
        prop_assert_eq!(&check(&r, &ctx), &fs);
        for f in &fs {
            prop_assert!(gongkai_core::rules::rule(&f.rule).is_some(), "{}", f.rule);
        }
    }

    #[test]
    fn extract_never_panics(text in prose()) {
        for f in text_figure::extract(&text) {
            // Quotes are cut from the text itself.
            prop_assert!(text.contains(f.quote.as_str()) || f.quote.is_empty());
        }
    }
}
