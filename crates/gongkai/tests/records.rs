//! The registers other than requests on the command line — `gongkai proactive`, `gongkai case`,
//! `gongkai figures` — on SQLite and PostgreSQL: what they store reaches the generated report
//! (tables 2 and 4), bad input exits 2 with the field and the reason and stores nothing, and a
//! published year is changed only as an amendment.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;
use common::Db;

on_both_backends!(
    figures_and_cases_feed_tables_2_and_4,
    proactive_disclosures_are_listed_and_duplicates_refused,
    bad_input_names_the_field_and_stores_nothing,
    a_published_year_changes_only_as_an_amendment,
    proactive_sheet_imports_exports_and_names_bad_rows,
    supervise_trend_on_the_command_line,
    require_mfa_is_set_on_the_command_line,
);

const AG: &str = "330100-czj";

/// The directory fields and the confidentiality review every registered item carries (A2.3,
/// A1.5: Arts. 12 and 17), for items published from 2024-02-01 on.
const REVIEWED: [&str; 10] = [
    "--summary",
    "公布本局的信息",
    "--generated-on",
    "2024-01-20",
    "--review-by",
    "王审查",
    "--reviewed-on",
    "2024-01-25",
    "--review-result",
    "approved",
];

fn setup_agency(db: &Db) {
    db.ok(&["agency", "add", "--code", "330100", "--name", "杭州市人民政府", "--kind", "government"]);
    db.ok(&["agency", "add", "--code", AG, "--name", "杭州市财政局", "--parent", "330100", "--kind", "department"]);
}

fn figures_and_cases_feed_tables_2_and_4(db: &Db) {
    setup_agency(db);
    let out = db.ok(&[
        "figures",
        "set",
        "--agency",
        AG,
        "--year",
        "2024",
        "--rules-issued",
        "2",
        "--rules-in-force",
        "17",
        "--normative-issued",
        "5",
        "--licensing-decisions",
        "677",
        "--fees-wan-yuan",
        "12.5",
    ]);
    assert!(out.contains("已登记"), "{out}");
    // A second `set` changes only the figures it names.
    db.ok(&["figures", "set", "--agency", AG, "--year", "2024", "--penalty-decisions", "22", "--rules-issued", "3"]);
    let f = db.json(&["figures", "show", "--agency", AG, "--year", "2024", "--json"]);
    assert_eq!(f["rules_issued"], 3);
    assert_eq!(f["rules_in_force"], 17);
    assert_eq!(f["penalty_decisions"], 22);
    assert_eq!(f["fees_wan_yuan"], "12.5");
    assert!(f["coercive_decisions"].is_null());
    let text = db.ok(&["figures", "show", "--agency", AG, "--year", "2024"]);
    assert!(text.contains("行政许可 本年处理决定数量\t677"), "{text}");
    assert!(text.contains("行政强制 本年处理决定数量\t—"), "{text}");

    db.ok(&[
        "case",
        "add",
        "--agency",
        AG,
        "--number",
        "杭复〔2024〕1号",
        "--group",
        "review",
        "--filed-on",
        "2024-02-01",
        "--decided-on",
        "2024-05-06",
        "--result",
        "upheld",
    ]);
    db.ok(&[
        "case",
        "add",
        "--agency",
        AG,
        "--number",
        "(2024)浙0102行初5号",
        "--group",
        "未经复议直接起诉",
        "--filed-on",
        "2024-03-01",
    ]);
    db.ok(&[
        "case",
        "add",
        "--agency",
        AG,
        "--number",
        "杭复〔2024〕2号",
        "--group",
        "行政复议",
        "--filed-on",
        "2024-04-01",
    ]);
    let out = db.ok(&[
        "case",
        "decide",
        "--agency",
        AG,
        "--number",
        "杭复〔2024〕2号",
        "--decided-on",
        "2024-06-03",
        "--result",
        "结果纠正",
    ]);
    assert!(out.contains("结果纠正"), "{out}");
    let list = db.ok(&["case", "list", "--agency", AG]);
    assert!(list.contains("尚未审结") && list.contains("结果维持"), "{list}");
    let cases = db.json(&["case", "list", "--agency", AG, "--year", "2024", "--json"]);
    assert_eq!(cases.as_array().map(Vec::len), Some(3));

    let report = db.json(&["report", "generate", "--agency", AG, "--year", "2024"]);
    let p = &report["proactive"];
    assert_eq!(p["rules"]["issued"], 3, "{p}");
    assert_eq!(p["rules"]["in_force"], 17, "{p}");
    assert_eq!(p["normative_documents"]["issued"], 5, "{p}");
    assert_eq!(p["licensing"]["decisions"], 677, "{p}");
    assert_eq!(p["penalties"]["decisions"], 22, "{p}");
    assert_eq!(p["administrative_fees"]["amount_wan_yuan"], "12.5", "{p}");
    let t4 = &report["review_litigation"];
    assert_eq!(t4["review"]["upheld"], 1, "{t4}");
    assert_eq!(t4["review"]["corrected"], 1, "{t4}");
    assert_eq!(t4["review"]["total"], 2, "{t4}");
    assert_eq!(t4["litigation_direct"]["pending"], 1, "{t4}");
    // The generated report passes every consistency rule.
    let path = db.path("r.json");
    std::fs::write(&path, serde_json::to_vec(&report).unwrap()).unwrap();
    let check = db.gk(&["report", "check", path.to_str().unwrap(), "--json"]);
    assert_eq!(check.status.code(), Some(0), "{}", common::stdout(&check));
}

fn proactive_disclosures_are_listed_and_duplicates_refused(db: &Db) {
    setup_agency(db);
    let add = |index: &str, title: &str, date: &str, extra: &[&str]| {
        let mut args =
            vec!["proactive", "add", "--agency", AG, "--index-number", index, "--title", title, "--published-on", date];
        args.extend_from_slice(extra);
        db.gk(&args)
    };
    let o = add(
        "11330100002493-2024-0001",
        "杭州市财政局关于2024年部门预算的公告",
        "2024-02-10",
        &[
            "--document-number",
            "杭财预〔2024〕3号",
            "--article20",
            "8",
            "--category",
            "财政预决算",
            "--channel",
            "政府网站",
            "--channel",
            "wechat",
            // A2.3 directory fields and the A1.5 confidentiality review (Art. 17).
            "--summary",
            "公布本局2024年部门预算",
            "--generated-on",
            "2024-02-01",
            "--review-by",
            "王审查",
            "--reviewed-on",
            "2024-02-08",
            "--review-result",
            "approved",
        ],
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(common::stdout(&o).contains("已登记主动公开信息"));
    assert!(!common::stdout(&o).contains("注意"), "{}", common::stdout(&o));
    // Without the directory fields and the review, refused, every missing field named (as in
    // the console).
    let o = add("11330100002493-2025-0001", "2025年部门预算", "2025-02-11", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stdout(&o));
    for says in
        ["内容概述：不能为空", "生成日期：不能为空", "保密审查人：不能为空", "条例第十七条", "保密审查日期：不能为空"]
    {
        assert!(common::stderr(&o).contains(says), "{says}: {}", common::stderr(&o));
    }
    let reviewed_2025 = REVIEWED.map(|a| match a {
        "2024-01-20" => "2025-01-27",
        "2024-01-25" => "2025-02-05",
        other => other,
    });
    let o = add("11330100002493-2025-0001", "2025年部门预算", "2025-02-11", &reviewed_2025);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(!common::stdout(&o).contains("注意"), "{}", common::stdout(&o));
    // A1.4 / Art. 26: formed 2024-01-02, due 2024-01-30; published 2024-03-01 is flagged.
    let late = [
        "--summary",
        "迟发的信息",
        "--generated-on",
        "2024-01-02",
        "--review-by",
        "王审查",
        "--reviewed-on",
        "2024-02-28",
        "--review-result",
        "approved_redacted",
    ];
    let o = add("11330100002493-2024-0002", "迟发的信息", "2024-03-01", &late);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(
        common::stdout(&o).contains("应于 2024-01-30 前公开") && common::stdout(&o).contains("逾期公开"),
        "{}",
        common::stdout(&o)
    );
    // The review must come between formation and publication; a half-given review is refused.
    let early = [
        "--summary",
        "s",
        "--generated-on",
        "2024-02-01",
        "--review-by",
        "王审查",
        "--reviewed-on",
        "2024-01-15",
        "--review-result",
        "approved",
    ];
    let e = db.refused(
        &[
            &[
                "proactive",
                "add",
                "--agency",
                AG,
                "--index-number",
                "R-1",
                "--title",
                "t",
                "--published-on",
                "2024-03-01",
            ][..],
            &early[..],
        ]
        .concat(),
    );
    assert!(e.contains("保密审查日期"), "{e}");
    let e = db.refused(&[
        "proactive",
        "add",
        "--agency",
        AG,
        "--index-number",
        "R-2",
        "--title",
        "t",
        "--published-on",
        "2024-03-01",
        "--summary",
        "s",
        "--generated-on",
        "2024-02-01",
        "--review-by",
        "王审查",
    ]);
    assert!(e.contains("保密审查日期：不能为空") && e.contains("保密审查结论"), "{e}");
    let details = common::rt().block_on(async {
        let store = gongkai_store::Store::connect(&db.url, &db.key()).await.unwrap();
        let d = store.list_proactive_details(AG).await.unwrap();
        store.close().await;
        d
    });
    assert_eq!(details.len(), 3, "{details:?}");
    let first = details.iter().find(|d| d.index_number == "11330100002493-2024-0001").unwrap();
    let review = first.review.as_ref().unwrap();
    assert_eq!((review.reviewer.as_str(), review.reviewed_on.to_string()), ("王审查", "2024-02-08".to_string()));

    let items = db.json(&["proactive", "list", "--agency", AG, "--json"]);
    assert_eq!(items.as_array().map(Vec::len), Some(3), "{items}");
    assert_eq!(items[0]["document_number"], "杭财预〔2024〕3号");
    assert_eq!(items[0]["article20_item"], 8);
    assert_eq!(items[0]["channels"], serde_json::json!(["website", "wechat"]));
    assert_eq!(items[1]["channels"], serde_json::json!(["website"]));
    let only_2025 = db.json(&["proactive", "list", "--agency", AG, "--year", "2025", "--json"]);
    assert_eq!(only_2025.as_array().map(Vec::len), Some(1));
    let text = db.ok(&["proactive", "list", "--agency", AG]);
    assert!(text.contains("第二十条第8项") && text.contains("杭财预〔2024〕3号"), "{text}");
    // An unknown agency is said as by every command (issue 19), not listed as empty.
    for what in ["proactive", "case"] {
        let e = db.refused(&[what, "list", "--agency", "NOPE"]);
        assert!(e.contains("没有代码为「NOPE」的机关") && e.contains("gongkai agency list"), "{what}: {e}");
    }

    // The same index number again: refused, the first item kept.
    let o = add("11330100002493-2024-0001", "重复的条目", "2024-03-01", &REVIEWED);
    assert_eq!(o.status.code(), Some(2), "{}", common::stdout(&o));
    assert!(common::stderr(&o).contains("已登记，不能重复登记"), "{}", common::stderr(&o));
    let items = db.json(&["proactive", "list", "--agency", AG, "--json"]);
    assert_eq!(items.as_array().map(Vec::len), Some(3));
    assert_eq!(items[0]["title"], "杭州市财政局关于2024年部门预算的公告");
}

fn bad_input_names_the_field_and_stores_nothing(db: &Db) {
    setup_agency(db);
    let base =
        [&["proactive", "add", "--agency", AG, "--index-number", "X-1", "--title", "标题"][..], &REVIEWED[..]].concat();
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        a
    }
    let e = db.refused(&with(&base, &["--published-on", "2024-13-01"]));
    assert!(e.contains("YYYY-MM-DD"), "{e}");
    let e = db.refused(&with(&base, &["--published-on", "2024-01-01", "--article20", "16"]));
    assert!(e.contains("第二十条事项"), "{e}");
    let e = db.refused(&with(&base, &["--published-on", "2024-01-01", "--channel", "报纸"]));
    assert!(e.contains("公开渠道"), "{e}");
    let e = db.refused(&with(
        &[
            "proactive",
            "add",
            "--agency",
            "nowhere",
            "--index-number",
            "X",
            "--title",
            "T",
            "--published-on",
            "2024-02-01",
        ],
        &REVIEWED,
    ));
    assert!(e.contains("没有代码为「nowhere」的机关") && e.contains("gongkai agency list"), "{e}");
    let e = db.refused(&with(
        &["proactive", "add", "--agency", AG, "--index-number", " ", "--title", "T", "--published-on", "2024-02-01"],
        &REVIEWED,
    ));
    assert!(e.contains("索引号"), "{e}");
    // A review result that withholds the item is not a publication (Art. 17).
    let mut withheld = with(&base, &["--published-on", "2024-02-01"]);
    let last = withheld.iter().rposition(|a| *a == "approved").unwrap();
    withheld[last] = "withheld";
    let e = db.refused(&withheld);
    assert!(e.contains("保密审查结论") && e.contains("不能登记为主动公开"), "{e}");

    let e = db.refused(&["figures", "set", "--agency", AG, "--year", "2024", "--rules-issued", "-1"]);
    assert!(e.contains("规章本年制发件数") && e.contains("不小于 0"), "{e}");
    let e = db.refused(&["figures", "set", "--agency", AG, "--year", "2024", "--fees-wan-yuan", "十万"]);
    assert!(e.contains("金额"), "{e}");
    let e = db.refused(&["figures", "set", "--agency", AG, "--year", "2024"]);
    assert!(e.contains("没有给出任何数据"), "{e}");
    let e = db.refused(&["figures", "show", "--agency", AG, "--year", "2024"]);
    assert!(e.contains("尚未登记第二十条数据"), "{e}");

    let case = ["case", "add", "--agency", AG, "--number", "C-1", "--filed-on", "2024-05-01"];

    let e = db.refused(&with(&case, &["--group", "arbitration"]));
    assert!(e.contains("案件类别"), "{e}");
    let e = db.refused(&with(&case, &["--group", "review", "--decided-on", "2024-04-01", "--result", "upheld"]));
    assert!(e.contains("早于"), "{e}");
    let e = db.refused(&with(&case, &["--group", "review", "--decided-on", "2024-06-01", "--result", "pending"]));
    assert!(e.contains("审结结果"), "{e}");
    // A decision without a result (or the other way round) is refused by the argument parser.
    db.refused(&with(&case, &["--group", "review", "--decided-on", "2024-06-01"]));
    let e = db.refused(&[
        "case",
        "decide",
        "--agency",
        AG,
        "--number",
        "nope",
        "--decided-on",
        "2024-06-01",
        "--result",
        "other",
    ]);
    assert!(e.contains("没有编号为「nope」的案件"), "{e}");

    // Nothing of the above was stored.
    assert_eq!(db.json(&["proactive", "list", "--agency", AG, "--json"]), serde_json::json!([]));
    assert_eq!(db.json(&["case", "list", "--agency", AG, "--json"]), serde_json::json!([]));
}

fn a_published_year_changes_only_as_an_amendment(db: &Db) {
    setup_agency(db);
    db.ok(&["figures", "set", "--agency", AG, "--year", "2024", "--rules-issued", "2"]);
    db.ok(&["report", "publish", "--agency", AG, "--year", "2024", "--date", "2025-01-20", "--yes"]);

    let e = db.refused(&["figures", "set", "--agency", AG, "--year", "2024", "--rules-issued", "4"]);
    assert!(e.contains("--amend"), "{e}");
    let e = db.refused(&[
        "case",
        "add",
        "--agency",
        AG,
        "--number",
        "C-9",
        "--group",
        "review",
        "--filed-on",
        "2024-07-01",
    ]);
    assert!(e.contains("--amend"), "{e}");
    let e = db.refused(
        &[
            &[
                "proactive",
                "add",
                "--agency",
                AG,
                "--index-number",
                "P-9",
                "--title",
                "补登",
                "--published-on",
                "2024-07-01",
            ][..],
            &REVIEWED[..],
        ]
        .concat(),
    );
    assert!(e.contains("--amend"), "{e}");
    assert_eq!(db.json(&["figures", "show", "--agency", AG, "--year", "2024", "--json"])["rules_issued"], 2);

    let out = db.ok(&[
        "figures",
        "set",
        "--agency",
        AG,
        "--year",
        "2024",
        "--rules-issued",
        "4",
        "--amend",
        "漏报两件规章",
        "--by",
        "王五",
    ]);
    assert!(out.contains("已登记更正") && out.contains("漏报两件规章"), "{out}");
    assert_eq!(db.json(&["figures", "show", "--agency", AG, "--year", "2024", "--json"])["rules_issued"], 4);
    // 2025 is not locked: no amendment needed.
    db.ok(&[
        &[
            "proactive",
            "add",
            "--agency",
            AG,
            "--index-number",
            "P-10",
            "--title",
            "新条目",
            "--published-on",
            "2025-01-05",
        ][..],
        &REVIEWED[..],
    ]
    .concat());
    let report = db.json(&["report", "generate", "--agency", AG, "--year", "2024"]);
    assert_eq!(report["proactive"]["rules"]["issued"], 4);
    let notes = report["provenance"]["notes"].to_string();
    assert!(notes.contains("漏报两件规章"), "{notes}");
}

// ---------------------------------------------------------------- the 主动公开 sheet

fn proactive_sheet_imports_exports_and_names_bad_rows(db: &Db) {
    setup_agency(db);
    // The example workbook carries two directory items; they land in the register.
    let example = db.path("example.xlsx");
    db.ok(&["register", "template", "--out", example.to_str().unwrap()]);
    let out = db.ok(&["register", "import", example.to_str().unwrap()]);
    assert!(out.contains("主动公开"), "{out}");
    let items = db.json(&["proactive", "list", "--agency", "EX01-czj", "--json"]);
    assert_eq!(items.as_array().map(Vec::len), Some(2), "{items}");
    assert_eq!(items[0]["channels"], serde_json::json!(["website", "wechat"]));
    assert_eq!(items[0]["article20_item"], 8);
    assert_eq!(items[0]["validity"], "有效");

    // Export → the 主动公开 sheet with the same items.
    let exported = db.path("export.xlsx");
    db.ok(&["register", "export", "--agency", "EX01-czj", "--out", exported.to_str().unwrap()]);
    let bytes = std::fs::read(&exported).unwrap();
    let parsed =
        gongkai_sheet::read(&bytes, &gongkai_core::calendar::Calendar::official(), "2026-11-27".parse().unwrap())
            .unwrap();
    assert_eq!(parsed.batch.proactive.len(), 2);
    assert_eq!(parsed.batch.proactive[0].title, "关于2024年部门预算的公告");
    assert_eq!(parsed.batch.proactive[0].document_number.as_deref(), Some("示财预〔2024〕3号"));

    // Bad rows: each named by sheet, row and column; nothing of the file stored.
    let header = ["索引号", "机关代码", "名称", "文号", "第二十条事项", "主题分类", "公开渠道", "发布日期", "效力"];
    let rows: Vec<Vec<&str>> = vec![
        vec!["NEW-1", AG, "正常的一条", "", "", "", "", "2024-05-01", ""],
        vec!["NEW-2", AG, "事项超出", "", "16", "", "", "2024-05-02", ""],
        vec!["NEW-3", AG, "渠道不对", "", "", "", "报纸", "2024-05-03", ""],
        vec!["NEW-1", AG, "重复索引号", "", "", "", "", "2024-05-04", ""],
        vec!["NEW-5", AG, "", "", "", "", "", "2024-05-05", "永久"],
    ];
    let bad = db.path("bad.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("主动公开").unwrap();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    book.save(&bad).unwrap();
    let e = db.refused(&["register", "import", bad.to_str().unwrap()]);
    for expected in [
        "主动公开 第3行 “第二十条事项”列",
        "主动公开 第4行 “公开渠道”列",
        "主动公开 第5行 “索引号”列",
        "主动公开 第6行 “名称”列",
        "主动公开 第6行 “效力”列",
    ] {
        assert!(e.contains(expected), "{expected}:\n{e}");
    }
    assert_eq!(db.json(&["proactive", "list", "--agency", AG, "--json"]), serde_json::json!([]));

    // An index number the register holds already is refused by row.
    db.ok(&[
        &[
            "proactive",
            "add",
            "--agency",
            AG,
            "--index-number",
            "NEW-1",
            "--title",
            "先登记的",
            "--published-on",
            "2024-04-01",
        ][..],
        &REVIEWED[..],
    ]
    .concat());
    let one = db.path("one.xlsx");
    let batch = gongkai_store::RegisterBatch {
        proactive: vec![gongkai_core::register::ProactiveDisclosure {
            agency: AG.into(),
            index_number: "NEW-1".into(),
            title: "再次导入".into(),
            document_number: None,
            article20_item: None,
            category: None,
            channels: vec!["website".into()],
            published_on: "2024-05-01".parse().unwrap(),
            validity: None,
        }],
        ..gongkai_store::RegisterBatch::default()
    };
    std::fs::write(&one, gongkai_sheet::write(&batch, true).unwrap()).unwrap();
    let e = db.refused(&["register", "import", one.to_str().unwrap()]);
    assert!(e.contains("主动公开 第2行 “索引号”列") && e.contains("已登记"), "{e}");
}

// ---------------------------------------------------------------- supervise trend (issue 8)

fn supervise_trend_on_the_command_line(db: &Db) {
    setup_agency(db);
    for (number, received, replied) in
        [("T-1", "2023-03-01", "2023-03-20"), ("T-2", "2024-04-01", "2024-04-15"), ("T-3", "2024-06-03", "")]
    {
        db.ok(&[
            "request",
            "add",
            "--agency",
            AG,
            "--number",
            number,
            "--channel",
            "online",
            "--received",
            received,
            "--applicant-type",
            "natural_person",
            "--applicant-name",
            "张三",
            "--content",
            "预算",
        ]);
        if !replied.is_empty() {
            db.ok(&[
                "request",
                "event",
                "--agency",
                AG,
                "--number",
                number,
                "--on",
                replied,
                "--by",
                "王五",
                "reply",
                "--outcome",
                "granted",
            ]);
        }
    }
    db.ok(&[
        "case",
        "add",
        "--agency",
        AG,
        "--number",
        "复-1",
        "--group",
        "review",
        "--filed-on",
        "2024-05-01",
        "--decided-on",
        "2024-07-01",
        "--result",
        "corrected",
    ]);
    db.ok(&[
        &[
            "proactive",
            "add",
            "--agency",
            AG,
            "--index-number",
            "P-1",
            "--title",
            "预算公开",
            "--published-on",
            "2024-02-01",
        ][..],
        &REVIEWED[..],
    ]
    .concat());
    // The government's subtree includes the bureau.
    let points = db.json(&[
        "supervise",
        "trend",
        "--agency",
        "330100",
        "--year",
        "2024",
        "--years",
        "3",
        "--today",
        "2024-12-31",
        "--json",
    ]);
    let points = points.as_array().unwrap();
    assert_eq!(points.iter().map(|p| p["year"].as_i64().unwrap()).collect::<Vec<_>>(), [2022, 2023, 2024]);
    assert_eq!(points[1]["received"], 1);
    assert_eq!(points[1]["replied"], 1);
    let y2024 = &points[2];
    assert_eq!(y2024["received"], 2, "{y2024}");
    assert_eq!(y2024["replied"], 1, "{y2024}");
    assert_eq!(y2024["reviews"], 1, "{y2024}");
    assert_eq!(y2024["corrected"], 1, "{y2024}");
    assert_eq!(y2024["proactive_items"], 1, "{y2024}");
    let text =
        db.ok(&["supervise", "trend", "--agency", "330100", "--year", "2024", "--years", "3", "--today", "2024-12-31"]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("年度\t收到申请\t已答复\t按时答复率"), "{text}");
    assert!(lines[1].starts_with("2022\t0\t0\t—"), "{text}");
    assert!(lines[3].starts_with("2024\t2\t1\t100.0%"), "{text}");
    db.refused(&["supervise", "trend", "--agency", "nowhere", "--year", "2024"]);
    db.refused(&["supervise", "trend", "--agency", AG, "--years", "0"]);
}

fn require_mfa_is_set_on_the_command_line(db: &Db) {
    assert!(db.ok(&["db", "require-mfa"]).contains("自行启用"));
    assert!(db.ok(&["db", "require-mfa", "--set", "on"]).contains("必须启用"));
    assert!(db.ok(&["db", "require-mfa"]).contains("必须启用"), "stored");
    db.refused(&["db", "require-mfa", "--set", "maybe"]);
    assert!(db.ok(&["db", "require-mfa", "--set", "off"]).contains("自行启用"));
}
