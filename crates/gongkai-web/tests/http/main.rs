//! Black-box HTTP tests of the web application: a real server on 127.0.0.1, on SQLite and on
//! PostgreSQL. Test names and comments cite the requirement ids of
//! the portal-and-security specification (A1–A5, B1–B6).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use harness::{App, DEPT, ROOT, SEED_APPLICANT, SEED_CODE, SEED_NUMBER, YEAR};
use serde_json::{json, Value};

/// The meta tags every page carries (A3.2).
const META: [&str; 8] =
    ["SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnType", "ArticleTitle", "PubDate", "ContentSource"];

fn meta_content<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let start = html.find(&format!("<meta name=\"{name}\" content=\""))? + name.len() + 23;
    let end = html[start..].find('"')?;
    Some(&html[start..start + end])
}

/// A3.1/A3.2/A5: page elements, meta tags, footer and accessibility basics on a page.
fn assert_page(path: &str, html: &str) {
    assert!(html.contains("<html lang=\"zh-CN\">"), "{path}: lang");
    for m in META {
        assert!(meta_content(html, m).is_some(), "{path}: meta {m} missing");
    }
    assert!(!meta_content(html, "ArticleTitle").unwrap().is_empty(), "{path}: ArticleTitle empty");
    let pub_date = meta_content(html, "PubDate").unwrap();
    if !pub_date.is_empty() {
        // A3.2: YYYY-MM-DD HH:MM
        assert!(
            chrono::NaiveDateTime::parse_from_str(pub_date, "%Y-%m-%d %H:%M").is_ok(),
            "{path}: PubDate {pub_date}"
        );
    }
    for footer in ["主办单位", "网站标识码", "ICP备案编号", "公安机关备案号", "我为政府网站找错", "党政机关网站标识"]
    {
        assert!(html.contains(footer), "{path}: footer item {footer}");
    }
    assert!(html.contains("href=\"#main\""), "{path}: skip link (A5.2)");
    assert!(html.contains("id=\"main\""), "{path}: main landmark");
    // No external resources: no script, no stylesheet or image from elsewhere.
    assert!(!html.contains("<script"), "{path}: no JavaScript");
    assert!(!html.contains("src=\"http"), "{path}: external resource");
    assert!(!html.contains("<link rel=\"stylesheet\" href=\"http"), "{path}: external stylesheet");
    // Every input, select and textarea has a label (A5.2).
    for tag in ["<input ", "<select ", "<textarea "] {
        let mut at = html;
        while let Some(i) = at.find(tag) {
            let el = &at[i..];
            let end = el.find('>').unwrap();
            let el = &el[..end];
            if !el.contains("type=\"hidden\"") {
                let id_start = el.find(" id=\"").unwrap_or_else(|| panic!("{path}: {el} has no id")) + 5;
                let id = &el[id_start..id_start + el[id_start..].find('"').unwrap()];
                assert!(html.contains(&format!("<label for=\"{id}\"")), "{path}: no label for {id}");
            }
            at = &at[i + tag.len()..];
        }
    }
}

// ------------------------------------------------------------------------------------------ health

story!(healthz_answers_200_a3_4, |app: App| async move {
    let (status, body) = app.get_text("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body, "ok");
});

story!(security_headers_and_request_id_b_asvs_3_4, |app: App| async move {
    let r = app.get("/").await;
    let h = r.headers();
    assert!(h["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h.contains_key("referrer-policy"));
    assert!(!h["x-request-id"].is_empty(), "request id echoed");
});

// ------------------------------------------------------------------------------------------ portal

story!(every_portal_page_200_with_meta_tags_a1_2_a1_3_a3_1_a3_2_a3_5, |app: App| async move {
    let pages = [
        "/".to_string(),
        "/agencies".to_string(),
        format!("/agencies/{DEPT}"),
        format!("/agencies/{DEPT}/guide"),
        format!("/agencies/{DEPT}/rules"),
        format!("/agencies/{DEPT}/proactive"),
        format!("/agencies/{DEPT}/directory"),
        format!("/agencies/{DEPT}/proactive?item=7"),
        format!("/agencies/{DEPT}/proactive?year=2025&category=%E6%94%B6%E8%B4%B9"),
        format!("/agencies/{DEPT}/proactive/FIN-2025-0001"),
        format!("/agencies/{DEPT}/reports"),
        format!("/agencies/{DEPT}/reports/{YEAR}"),
        format!("/agencies/{DEPT}/apply"),
        "/track".to_string(),
        "/api/v1/docs".to_string(),
    ];
    // Issue 19 item 4: home lists the tree's first two levels (the government and its department).
    let (_, home) = app.get_text("/").await;
    let listed = &home[home.find("id=\"home-agencies\"").unwrap()..];
    assert!(
        listed.contains("示例市人民政府") && listed.contains(&format!("/agencies/{DEPT}\">示例市财政局")),
        "{home}"
    );
    for p in &pages {
        let (status, html) = app.get_text(p).await;
        assert_eq!(status, 200, "{p}: {html}");
        assert_page(p, &html);
        // A1.2: the uniform name of the column, 政府信息公开, unless configured otherwise.
        assert_eq!(meta_content(&html, "SiteName"), Some("政府信息公开"), "{p}");
        // A3.5: no host is written into the pages — every link inside the site is root-relative
        // (a department's portal answers under whatever subdomain serves it); the only absolute
        // links are the two national services of the footer.
        for attr in ["href=\"", "src=\"", "action=\""] {
            for (i, _) in html.match_indices(attr) {
                let v = &html[i + attr.len()..];
                let v = &v[..v.find('"').unwrap()];
                if v.starts_with("http") {
                    assert!(
                        v.starts_with("https://beian.miit.gov.cn/") || v.starts_with("https://zfwzgl.www.gov.cn/"),
                        "{p}: absolute link {v}"
                    );
                }
            }
        }
        // B4: applicant data is never public.
        assert!(!html.contains(SEED_APPLICANT), "{p} shows the applicant's name");
        assert!(!html.contains("110101199001011234"), "{p} shows the identity document");
    }
});

story!(agency_sections_in_statutory_order_a1_3, |app: App| async move {
    let (_, html) = app.get_text(&format!("/agencies/{DEPT}")).await;
    let order = ["政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报", "依申请公开"];
    let positions: Vec<usize> = order.iter().map(|s| html.find(s).unwrap_or_else(|| panic!("{s} missing"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "A1.3 order: {positions:?}");
    // The agency tree shows the child under its parent.
    let (_, tree) = app.get_text("/agencies").await;
    let root = tree.find(&format!("/agencies/{ROOT}\"")).unwrap();
    let dept = tree.find(&format!("/agencies/{DEPT}\"")).unwrap();
    assert!(root < dept);
    assert!(tree[root..dept].contains("<ul>"), "FIN nested under GOV");
});

story!(guide_shows_every_office_field_a2_1_a2_2, |app: App| async move {
    let (_, html) = app.get_text(&format!("/agencies/{DEPT}/guide")).await;
    for (label, value) in [
        ("名称", "示例市财政局办公室"),
        ("办公地址", "示例市人民路1号"),
        ("办公时间", "工作日 9:00-17:00"),
        ("联系电话", "0000-12345678"),
        ("传真号码", "0000-12345679"),
        ("互联网联系方式", "gk@example.gov.cn"),
        ("更新日期", "2026-01-05"),
    ] {
        assert!(html.contains(label) && html.contains(value), "A2.1 {label} {value}");
    }
    assert_eq!(meta_content(&html, "ColumnType"), Some("信息公开指南"));
    // A2.2: the guide's sections under the usual outline's headings (the seeded fees section), and
    // never the pre-2019 「生产、生活、科研等特殊需要」 condition.
    assert!(html.contains("四、收费") && html.contains("一般不收取费用"));
    assert!(!html.contains("特殊需要"));
    let (_, form) = app.get_text(&format!("/agencies/{DEPT}/apply")).await;
    assert!(!form.contains("特殊需要"));
});

story!(directory_fields_and_filters_a2_3_a2_4, |app: App| async move {
    let (_, all) = app.get_text(&format!("/agencies/{DEPT}/proactive")).await;
    for s in [
        "FIN-2025-0001",
        "示例市2025年财政预算报告",
        "示财〔2025〕1号",
        "公开本市2025年一般公共预算收支安排",
        "2025-02-08",
    ] {
        assert!(all.contains(s), "A2.3: {s}");
    }
    assert!(all.contains("（七）财政预算、决算信息"), "A1.3 Art. 20 sub-columns");
    let (_, item7) = app.get_text(&format!("/agencies/{DEPT}/proactive?item=7")).await;
    assert!(item7.contains("FIN-2025-0001") && !item7.contains("FIN-2025-0002"));
    let (_, y2024) = app.get_text(&format!("/agencies/{DEPT}/directory?year=2024")).await;
    assert!(y2024.contains("FIN-2024-0009") && !y2024.contains("FIN-2025-0001"));
    let (status, bad) = app.get_text(&format!("/agencies/{DEPT}/proactive?item=99&year=abc")).await;
    assert_eq!(status, 422);
    assert!(bad.contains("1 至 15") && bad.contains("四位数字"));
    // The item's own page: index number and document number (A2.3/A2.4).
    let (_, page) = app.get_text(&format!("/agencies/{DEPT}/proactive/FIN-2025-0001")).await;
    assert!(page.contains("索引号") && page.contains("FIN-2025-0001") && page.contains("示财〔2025〕1号"));
    assert_eq!(meta_content(&page, "PubDate"), Some("2025-02-10 00:00"));
    assert_eq!(app.get(&format!("/agencies/{DEPT}/proactive/NOPE")).await.status(), 404);
    // 制度 lists the items of that category.
    let (_, rules) = app.get_text(&format!("/agencies/{DEPT}/rules")).await;
    assert!(rules.contains("政府信息公开工作制度"));
});

story!(directory_search_a1_1, |app: App| async move {
    let (_, html) = app.get_text(&format!("/agencies/{DEPT}/proactive?q=%E9%A2%84%E7%AE%97")).await; // 预算
    assert!(html.contains("FIN-2025-0001"));
    assert!(!html.contains("FIN-2025-0002"));
    // Words, not one string: 「2025年的预算报告」 never occurs in 「示例市2025年财政预算报告」, but its
    // words (jieba: 2025 / 年 / 预算 / 报告; 的 dropped) all do.
    let q = "2025%E5%B9%B4%E7%9A%84%E9%A2%84%E7%AE%97%E6%8A%A5%E5%91%8A";
    let (_, html) = app.get_text(&format!("/agencies/{DEPT}/proactive?q={q}")).await;
    assert!(html.contains("FIN-2025-0001"), "segmented query finds the item");
    assert!(!html.contains("FIN-2025-0002") && !html.contains("FIN-2024-0009"));
    // A word found nowhere excludes the item; function words alone find nothing.
    let (_, none) =
        app.get_text(&format!("/agencies/{DEPT}/proactive?q=%E9%A2%84%E7%AE%97%20%E6%B0%B4%E5%88%A9")).await; // 预算 水利
    assert!(!none.contains("FIN-2025-0001"));
    let (_, stop) = app.get_text(&format!("/agencies/{DEPT}/proactive?q=%E7%9A%84")).await; // 的
    assert!(!stop.contains("FIN-2025-0001") && !stop.contains("FIN-2025-0002"));
});

story!(published_report_with_check_and_download_art50, |app: App| async move {
    let (status, html) = app.get_text(&format!("/agencies/{DEPT}/reports")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("/agencies/{DEPT}/reports/{YEAR}")));
    let (_, page) = app.get_text(&format!("/agencies/{DEPT}/reports/{YEAR}")).await;
    // The report as published: its title once (the page's heading), no checker box, no rule id.
    assert_eq!(page.matches("<h1").count(), 1, "{page}");
    assert!(!page.contains("勾稽关系检查") && !page.contains("<code>"), "{page}");
    assert!(page.contains("<table"), "official layout tables");
    assert_eq!(meta_content(&page, "ColumnType"), Some("信息公开年报"));
    let r = app.get(&format!("/agencies/{DEPT}/reports/{YEAR}/download/html")).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert!(r.text().await.unwrap().contains("<html"));
    assert_eq!(app.get(&format!("/agencies/{DEPT}/reports/{YEAR}/download/exe")).await.status(), 404);
    // Every office format reads back to the published figures (the JSON download is the reference).
    let json: serde_json::Value =
        app.get(&format!("/agencies/{DEPT}/reports/{YEAR}/download/json")).await.json().await.unwrap();
    for (format, mime) in [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
    ] {
        let r = app.get(&format!("/agencies/{DEPT}/reports/{YEAR}/download/{format}")).await;
        assert_eq!(r.status(), 200, "{format}");
        assert_eq!(r.headers()["content-type"].to_str().unwrap(), mime);
        let disposition = r.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(disposition.ends_with(&format!("-{YEAR}.{format}\"")), "{disposition}");
        let bytes = r.bytes().await.unwrap();
        let back = gongkai_import::import(&bytes, &format!("download.{format}"))
            .unwrap_or_else(|e| panic!("{format} download does not read back: {e}"));
        let back = serde_json::to_value(&back).unwrap();
        for key in ["year", "template", "proactive", "requests", "review_litigation"] {
            assert_eq!(back[key], json[key], "{format}: {key} differs from the published figures");
        }
    }
    assert!(page.contains("download/pdf") && page.contains("download/docx") && page.contains("download/xlsx"));
    // A year never published is not public.
    assert_eq!(app.get(&format!("/agencies/{DEPT}/reports/2024")).await.status(), 404);
    assert_eq!(app.get(&format!("/agencies/{DEPT}/reports/notayear")).await.status(), 404);
});

story!(unknown_agency_and_page_404, |app: App| async move {
    assert_eq!(app.get("/agencies/NOPE").await.status(), 404);
    assert_eq!(app.get("/agencies/NOPE/guide").await.status(), 404);
    assert_eq!(app.get("/no/such/page").await.status(), 404);
});

// ------------------------------------------------------------------------------------------ form

fn form_ok() -> Vec<(&'static str, String)> {
    vec![
        ("applicant_type", "natural_person".into()),
        ("name", "李申请".into()),
        ("id_document_type", "resident_id_card".into()),
        ("id_document", "110101199202021116".into()),
        ("phone", "13900000000".into()),
        ("email", "li@example.cn".into()),
        ("content", "2025年政府采购目录".into()),
        ("form", "electronic".into()),
        ("delivery", "email".into()),
    ]
}

story!(form_files_and_tracks_a4_1_a4_2_a4_4, |app: App| async move {
    let r = app.client.post(app.url(&format!("/agencies/{DEPT}/apply"))).form(&form_ok()).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    let grab = |id: &str| {
        let start = html.find(&format!("id=\"{id}\">")).unwrap() + id.len() + 6;
        html[start..start + html[start..].find('<').unwrap()].to_string()
    };
    let (number, code, due) = (grab("tracking-number"), grab("query-code"), grab("due"));
    assert_eq!(code.len(), 12);
    // The contact details as the register keeps them: the phone, then what the delivery needs.
    let id = app.store.find_request(DEPT, &number).await.unwrap().unwrap();
    let (stored, _) = app.store.get_request(&id).await.unwrap().unwrap();
    assert_eq!(stored.applicant.contact.as_deref(), Some("13900000000；电子邮箱：li@example.cn"));
    assert!(chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").is_ok());
    // A4.1: no purpose field on the form.
    let (_, form) = app.get_text(&format!("/agencies/{DEPT}/apply")).await;
    assert!(!form.contains("name=\"purpose\""), "A4.1: no purpose field");
    assert!(!form.contains("用途（"), "A4.1: no purpose label");
    assert!(form.contains("无需说明申请用途"));
    // A4.2: the applicant types are table 3's columns (公民 / the kinds of 法人或其他组织), and the
    // form and delivery choices those of agency forms.
    for label in [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "纸质",
        "电子",
        "邮寄",
        "电子邮件",
        "自行领取",
        "网上获取",
    ] {
        assert!(form.contains(&format!(">{label}</option>")), "A4.2 choice {label}");
    }
    // A4.4 (Art. 43): the assisted channel for applicants with reading difficulties or visual
    // or hearing impairments is named on the form, with the office's telephone.
    assert!(form.contains("阅读困难或有视听障碍") && form.contains("0000-12345678") && form.contains("第四十三条"));
    // Tracking page (POST: the code never goes into a URL, ASVS 14.2.1).
    let r =
        app.client.post(app.url("/track")).form(&[("number", number.as_str()), ("code", &code)]).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("办理中") && page.contains(&due));
    assert!(!page.contains("李申请"), "B4: applicant name never shown");
    // Wrong code and unknown number: the same 404 answer.
    let wrong = app
        .client
        .post(app.url("/track"))
        .form(&[("number", number.as_str()), ("code", "WRONGCODE234")])
        .send()
        .await
        .unwrap();
    let unknown = app
        .client
        .post(app.url("/track"))
        .form(&[("number", "NOPE-1"), ("code", "WRONGCODE234")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
    assert_eq!(unknown.status(), 404);
    let (w, u) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    assert_eq!(w.replace(&number, "N"), u.replace("NOPE-1", "N"), "wrong code looks like unknown number");
    // The seeded request shows its reply.
    let r =
        app.client.post(app.url("/track")).form(&[("number", SEED_NUMBER), ("code", SEED_CODE)]).send().await.unwrap();
    let page = r.text().await.unwrap();
    assert!(page.contains("已答复") && page.contains("示财公开〔2025〕3号"));
    assert!(!page.contains(SEED_APPLICANT));
});

// B4.2 (PIPL Arts. 17, 30): the request form states the personal-information processing rules
// before the first field: who processes (the agency and its office's contacts from the guide),
// why, on what basis, which categories, the sensitive ID number with its necessity and impact,
// how and where it is stored, how long, and how to exercise one's rights.
story!(b4_2_the_form_states_the_personal_information_processing_rules, |app: App| async move {
    let (status, form) = app.get_text(&format!("/agencies/{DEPT}/apply")).await;
    assert_eq!(status, 200);
    let start = form.find("id=\"personal-information-rules\"").expect("the rules are on the form page");
    let end = start + form[start..].find("</section>").unwrap();
    let rules = &form[start..end];
    assert!(start < form.find("<form method=\"post\"").unwrap(), "read before the form");
    for needed in [
        "个人信息处理规则",
        "示例市财政局",
        "示例市财政局办公室",
        "0000-12345678",
        "gk@example.gov.cn",
        "处理目的",
        "第十三条第一款第三项",
        "姓名或者名称、身份证明（证件号码）、联系方式",
        "敏感个人信息",
        "必需",
        "SM4",
        "境内",
        "保存期限",
        "第四十五条",
        "查阅、复制、更正、补充或者删除",
    ] {
        assert!(rules.contains(needed), "the rules say {needed}: {rules}");
    }
});

story!(form_invalid_fields_get_messages_next_to_the_field_a4_1, |app: App| async move {
    let long = "长".repeat(101);
    let cases: Vec<(&str, String, &str)> = vec![
        ("name", String::new(), "必填"),
        ("name", long.clone(), "不能超过 100"),
        ("name", "<script>alert(1)</script>".into(), "不能包含"),
        ("id_document", String::new(), "必填"),
        // The number checked by its type (A4.2; GB 11643): too short, a wrong check digit.
        ("id_document", "12345".into(), "居民身份证号码应为18位，现为5位"),
        ("id_document", "110101199202021111".into(), "校验位不符"),
        ("id_document_type", String::new(), "请选择"),
        // A citizen does not prove identity with an organisation's credit code.
        ("id_document_type", "credit_code".into(), "自然人请选择"),
        // Contact details (A4.2) by their shapes, and as the delivery chosen needs them.
        ("phone", "abc".into(), "应为7至20位数字"),
        ("phone", String::new(), "必填"),
        ("email", String::new(), "选择电子邮件的，请填写电子邮箱"),
        ("email", "li@".into(), "格式不正确"),
        ("postcode", "3500".into(), "应为6位数字"),
        ("content", "   ".into(), "必填"),
        ("applicant_type", "alien".into(), "取值无效"),
        ("form", "telepathy".into(), "取值无效"),
        ("delivery", String::new(), "请选择"),
    ];
    for (field, value, reason) in cases {
        let mut f = form_ok();
        for (k, v) in f.iter_mut() {
            if *k == field {
                *v = value.clone();
            }
        }
        if !f.iter().any(|(k, _)| *k == field) {
            f.push((field, value.clone()));
        }
        // The content carries markup too: it must come back escaped, never as a tag.
        for (k, v) in f.iter_mut() {
            if *k == "content" && field != "content" {
                *v = "<script>alert('x')</script>需要的信息".into();
            }
        }
        let r = app.client.post(app.url(&format!("/agencies/{DEPT}/apply"))).form(&f).send().await.unwrap();
        assert_eq!(r.status(), 422, "{field}={value:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}={value:?}: message next to the field");
        assert!(html.contains(reason), "{field}: {reason}");
        assert!(html.contains(&format!("aria-describedby=\"{field}-error\"")));
        assert!(!html.contains("<script>"), "{field}: markup escaped");
    }
    // Nothing was stored by the invalid attempts (only the seeded request exists).
    assert_eq!(app.store.list_requests(DEPT, gongkai_store::RequestFilter::All).await.unwrap().len(), 1);

    // The summary above the form lists the errors in the form's order, whatever order the checks
    // ran in (the number's check digit is found after the type is read).
    let mut f = form_ok();
    for (k, v) in f.iter_mut() {
        if matches!(*k, "name" | "id_document" | "delivery") {
            *v = if *k == "id_document" { "110101199202021111".into() } else { String::new() };
        }
    }
    let html = app.client.post(app.url(&format!("/agencies/{DEPT}/apply"))).form(&f).send().await.unwrap();
    let html = html.text().await.unwrap();
    let summary = html.split("id=\"form-errors\"").nth(1).unwrap_or_default();
    let at = |field: &str| summary.find(&format!("href=\"#{field}\"")).unwrap_or_else(|| panic!("{field}: {summary}"));
    assert!(at("name") < at("id_document") && at("id_document") < at("delivery"), "{summary}");

    // To be posted, the reply needs a postal address and a postcode (A4.2).
    let mut f = form_ok();
    for (k, v) in f.iter_mut() {
        if *k == "delivery" {
            *v = "post".into();
        }
    }
    let html = app.client.post(app.url(&format!("/agencies/{DEPT}/apply"))).form(&f).send().await.unwrap();
    let html = html.text().await.unwrap();
    assert!(html.contains("id=\"address-error\"") && html.contains("选择邮寄的，请填写通信地址"), "{html}");
    assert!(html.contains("选择邮寄的，请填写邮政编码"));
    f.push(("address", "示例市人民路1号".into()));
    f.push(("postcode", "350001".into()));
    let r = app.client.post(app.url(&format!("/agencies/{DEPT}/apply"))).form(&f).send().await.unwrap();
    assert_eq!(r.status(), 200, "filed once the address is given");
});

// ------------------------------------------------------------------------------------------ API

story!(api_agencies_shape, |app: App| async move {
    let v: Value = app.get("/api/v1/agencies").await.json().await.unwrap();
    assert_eq!(
        v,
        json!([
            {"code": DEPT, "name": "示例市财政局", "parent": ROOT},
            {"code": ROOT, "name": "示例市人民政府", "parent": null},
        ])
    );
});

story!(an_agency_added_elsewhere_appears_within_the_cache_ttl, |app: App| async move {
    // Read once (the list is now cached), then add an agency the way the CLI does: through the
    // database, not through this server.
    assert_eq!(app.get("/api/v1/agencies").await.json::<Value>().await.unwrap().as_array().map(Vec::len), Some(2));
    let town = gongkai_core::register::Agency {
        code: "TOWN".into(),
        name: "示例镇人民政府".into(),
        parent: Some(ROOT.into()),
        kind: gongkai_core::register::AgencyKind::Township,
    };
    app.store.upsert_agency(&town).await.unwrap();
    tokio::time::sleep(gongkai_web::cache::AGENCY_LIST_TTL + std::time::Duration::from_millis(200)).await;
    let v: Value = app.get("/api/v1/agencies").await.json().await.unwrap();
    assert!(v.as_array().unwrap().iter().any(|a| a["code"] == "TOWN"), "{v}");
    let (_, tree) = app.get_text("/agencies").await;
    assert!(tree.contains("示例镇人民政府"));
});

fn body_ok() -> Value {
    json!({
        "applicant_type": "natural_person",
        "name": "王申请",
        "id_document_type": "resident_id_card",
        "id_document": "110101199303033335",
        "phone": "13900000001",
        "content": "示例市2025年财政决算",
        "form": "electronic",
        "delivery": "online",
    })
}

story!(api_files_and_tracks_a4_1_a4_3, |app: App| async move {
    let r =
        app.client.post(app.url(&format!("/api/v1/agencies/{DEPT}/requests"))).json(&body_ok()).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 4, "{v}");
    for k in ["tracking_number", "query_code", "received", "due"] {
        assert!(v[k].is_string(), "{k}");
    }
    let received = chrono::NaiveDate::parse_from_str(v["received"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let due = chrono::NaiveDate::parse_from_str(v["due"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert!(due > received + chrono::Duration::days(20), "Art. 33: 20 working days");
    // A4.3 (Art. 31(三)): an online request is received the day the system confirms it to the
    // applicant with its tracking number — China's date, whatever the server's time zone.
    assert_eq!(received.to_string(), harness::TODAY, "received on the (fixed) day of filing");
    let number = v["tracking_number"].as_str().unwrap();
    let code = v["query_code"].as_str().unwrap();
    let t: Value = app.get(&format!("/api/v1/requests/{number}?code={code}")).await.json().await.unwrap();
    // C1.1: the receipt is the first document, downloadable with the code.
    let receipt = &t["documents"][0];
    assert_eq!(receipt["kind"], "receipt", "{t}");
    assert_eq!(receipt["issued_on"], v["received"]);
    let download = receipt["download"].as_str().unwrap().to_string();
    assert_eq!(app.get(&format!("{download}?code={code}")).await.status(), 200);
    let mut t = t;
    t.as_object_mut().unwrap().remove("documents");
    assert_eq!(
        t,
        json!({"status": "open", "received": v["received"], "due": v["due"], "replies": [], "stage": "办理中"})
    );
    // The stored hash is not the code.
    let access = app.store.get_request_access(number).await.unwrap().unwrap();
    assert!(!access.query_code_hash.contains(code));
    // Wrong code → 404, same body as an unknown number.
    let wrong = app.get(&format!("/api/v1/requests/{number}?code=WRONG")).await;
    assert_eq!(wrong.status(), 404);
    let unknown = app.get("/api/v1/requests/NOPE-1?code=WRONG").await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(wrong.text().await.unwrap(), unknown.text().await.unwrap());
    assert_eq!(app.get(&format!("/api/v1/requests/{number}")).await.status(), 404, "no code");
    // The seeded request with its reply.
    let t: Value = app.get(&format!("/api/v1/requests/{SEED_NUMBER}?code={SEED_CODE}")).await.json().await.unwrap();
    assert_eq!(t["status"], "replied");
    assert_eq!(t["received"], "2025-03-03");
    assert_eq!(t["replies"][0]["on"], "2025-03-20");
    assert_eq!(t["replies"][0]["outcome"], "granted");
    assert!(!t.to_string().contains(SEED_APPLICANT));
});

story!(api_invalid_input_is_422_with_field_a4_1, |app: App| async move {
    let url = app.url(&format!("/api/v1/agencies/{DEPT}/requests"));
    let cases: Vec<(&str, Value, &str)> = vec![
        ("name", json!(""), "必填"),
        ("name", json!("长".repeat(101)), "不能超过"),
        ("name", json!("<script>alert(1)</script>"), "不能包含"),
        ("name", json!(42), "应为文本"),
        ("id_document", Value::Null, "必填"),
        ("id_document", json!("110101199303033333"), "校验位不符"),
        ("id_document_type", json!("driving_licence"), "取值无效"),
        ("phone", json!(["a"]), "应为文本"),
        ("address", json!("x".repeat(81)), "不能超过"),
        ("content", json!("x".repeat(5001)), "不能超过"),
        ("applicant_type", json!("alien"), "取值无效"),
        ("form", json!(true), "应为文本"),
        ("delivery", json!("pigeon"), "取值无效"),
    ];
    for (field, value, reason) in cases {
        let mut b = body_ok();
        b[field] = value.clone();
        let r = app.client.post(&url).json(&b).send().await.unwrap();
        assert_eq!(r.status(), 422, "{field}={value}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["field"], field, "{e}");
        assert!(e["reason"].as_str().unwrap().contains(reason), "{field}: {e}");
    }
    let mut missing = body_ok();
    missing.as_object_mut().unwrap().remove("content");
    let e: Value = app.client.post(&url).json(&missing).send().await.unwrap().json().await.unwrap();
    assert_eq!(e["field"], "content");
    // Not JSON, not an object.
    let r = app.client.post(&url).header("content-type", "application/json").body("{not json").send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "body");
    let r = app.client.post(&url).json(&json!([1, 2])).send().await.unwrap();
    assert_eq!(r.status(), 422);
    // A purpose field is not required (A4.1) and is ignored.
    let mut b = body_ok();
    b["purpose"] = json!("");
    assert_eq!(app.client.post(&url).json(&b).send().await.unwrap().status(), 201);
    // Unknown agency → 404.
    let r = app.client.post(app.url("/api/v1/agencies/NOPE/requests")).json(&body_ok()).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "not_found");
    // A body over the limit is refused without a 500.
    let big = json!({"content": "x".repeat(300 * 1024)});
    let r = app.client.post(&url).json(&big).send().await.unwrap();
    assert_eq!(r.status(), 413);
});

// ------------------------------------------------------------------------------------------ issue 21

/// Every route of the application, as the router writes it (API routes under `/api/v1`).
const ROUTES: &[&str] = &[
    "/",
    "/agencies",
    "/agencies/{code}",
    "/agencies/{code}/apply",
    "/agencies/{code}/directory",
    "/agencies/{code}/guide",
    "/agencies/{code}/proactive",
    "/agencies/{code}/proactive/{index_number}",
    "/agencies/{code}/reports",
    "/agencies/{code}/reports/{year}",
    "/agencies/{code}/reports/{year}/download/{format}",
    "/agencies/{code}/rules",
    "/assets/site.css",
    "/track",
    "/track/document",
    "/track/attachment",
    "/healthz",
    "/console",
    "/console/article20",
    "/console/audit",
    "/console/cases",
    "/console/cases/decide",
    "/console/login",
    "/console/logout",
    "/console/mfa",
    "/console/mfa/confirm",
    "/console/mfa/disable",
    "/console/mfa/start",
    "/console/password",
    "/console/proactive",
    "/console/registers",
    "/console/registers/xlsx",
    "/console/reports",
    "/console/reports/{agency}/{year}",
    "/console/reports/{agency}/{year}/narrative",
    "/console/reports/{agency}/{year}/publish",
    "/console/requests",
    "/console/requests/by-number/{agency}/{number}",
    "/console/requests/{id}",
    "/console/requests/{id}/events",
    "/console/requests/{id}/reveal",
    "/console/requests/{id}/documents/{number}",
    "/console/requests/{id}/documents/{number}/delivery",
    "/console/requests/{id}/documents/{number}/attachments",
    "/console/requests/{id}/documents/{number}/email",
    "/console/requests/{id}/documents/{number}/correct",
    "/console/requests/{id}/documents/{number}/service-receipt",
    "/console/requests/{id}/attachments/{attachment}",
    "/console/requests/{id}/attachments/{attachment}/remove",
    "/console/requests/{id}/archive",
    "/console/security",
    "/console/security/mfa",
    "/console/security/personal-data",
    "/console/security/retention",
    "/console/supervise",
    "/console/supervise/published",
    "/console/supervise/published/withdraw",
    "/console/supervise/reminders",
    "/console/supervise/reminders.csv",
    "/console/supervise/reminders/send",
    "/console/supervise/rollup/{format}",
    "/console/supervise/trend",
    "/console/supervise/trend.csv",
    "/console/supervise/trend.xlsx",
    "/console/tokens",
    "/console/tokens/{id}/revoke",
    "/api/v1/docs",
    "/api/v1/openapi.json",
    "/api/v1/agencies",
    "/api/v1/agencies/{code}/requests",
    "/api/v1/agencies/{code}/reports/{year}",
    "/api/v1/requests/{tracking_number}",
    "/api/v1/requests/{tracking_number}/documents/{number}",
    "/api/v1/requests/{tracking_number}/attachments/{attachment}",
    "/api/v1/staff/reports/{year}",
    "/api/v1/staff/requests",
    "/api/v1/staff/requests/{tracking_number}",
    "/api/v1/staff/requests/{tracking_number}/events",
];

/// `route` with every `{parameter}` replaced by `value`; without parameters, `value`'s control
/// character is appended to the path.
fn fill(route: &str, value: &str, nul: bool) -> String {
    let mut out = String::new();
    let mut rest = route;
    let mut filled = false;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').unwrap() + open;
        out.push_str(value);
        if nul {
            out.push_str("%00");
        }
        filled = true;
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    if nul && !filled {
        out.push_str("%00");
    }
    out
}

// Issue 21 item 2, route by route: a control character in the path or the query, a NUL in a form
// field or a JSON string, is refused with 422 naming the field — never a 500 (PostgreSQL
// cannot store a NUL and answered 500 on 18 of 26 routes), never stored (SQLite stored it).
story!(control_characters_are_refused_on_every_route_never_a_500, |app: App| async move {
    let every = |method: reqwest::Method, url: String| app.client.request(method, url);
    for route in ROUTES {
        for (path, field) in [
            (fill(route, "FIN", true), "path"),
            (format!("{}?next=%2Fconsole%0D%0A&q=x", fill(route, "FIN", false)), "next"),
            (format!("{}?code=a%00b", fill(route, "FIN", false)), "code"),
        ] {
            for method in [reqwest::Method::GET, reqwest::Method::POST] {
                let r = every(method.clone(), app.url(&path))
                    .header("content-type", "application/json")
                    .body("{}")
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 422, "{method} {path}");
                if path.starts_with("/api/") {
                    assert_eq!(r.json::<Value>().await.unwrap()["field"], field, "{method} {path}");
                } else {
                    let html = r.text().await.unwrap();
                    assert!(html.contains("不能含控制字符"), "{method} {path}: {html}");
                }
            }
        }
        let path = fill(route, "FIN", false);
        // The JSON API refuses a form as such (415) before reading it.
        let expected = if path.starts_with("/api/") { 415 } else { 422 };
        let r = app.client.post(app.url(&path)).form(&[("name", "李\u{0}申请"), ("content", "多行\r\n内容")]).send();
        assert_eq!(r.await.unwrap().status(), expected, "form POST {path}");
        let r = app.client.post(app.url(&path)).json(&json!({"items": [{"note": "a\u{0}b"}]})).send().await.unwrap();
        assert_eq!(r.status(), 422, "JSON POST {path}");
        if path.starts_with("/api/") {
            assert_eq!(r.json::<Value>().await.unwrap()["field"], "items[0].note", "{path}");
        }
    }
    // A request filed through the API with a NUL in the name: refused, nothing stored.
    let url = app.url(&format!("/api/v1/agencies/{DEPT}/requests"));
    let mut b = body_ok();
    b["name"] = json!("王\u{0}申请");
    let r = app.client.post(&url).json(&b).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "name");
    // Line breaks stay allowed in a body's text (a request's content is multi-line).
    let mut b = body_ok();
    b["content"] = json!("第一行\n第二行");
    assert_eq!(app.client.post(&url).json(&b).send().await.unwrap().status(), 201);
    let requests = app.store.list_requests(DEPT, gongkai_store::RequestFilter::All).await.unwrap();
    assert!(requests.iter().all(|(_, r)| !r.applicant.name.contains('\0')), "nothing with a NUL stored");
});

// Issue 21 item 8: the JSON API takes JSON said to be JSON (a cross-site form can only send
// text/plain, multipart or urlencoded bodies); HSTS when the gateway says the request came over
// HTTPS.
story!(the_json_api_refuses_other_content_types_and_https_gets_hsts, |app: App| async move {
    let url = app.url(&format!("/api/v1/agencies/{DEPT}/requests"));
    let before = app.store.list_requests(DEPT, gongkai_store::RequestFilter::All).await.unwrap().len();
    for ct in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        let r = app.client.post(&url).header("content-type", ct).body(body_ok().to_string()).send().await.unwrap();
        assert_eq!(r.status(), 415, "{ct}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"], "unsupported_media_type");
        assert!(e["message"].as_str().unwrap().contains("JSON"));
    }
    let r = app.client.post(&url).body(body_ok().to_string()).send().await.unwrap();
    assert_eq!(r.status(), 415, "no content type at all");
    assert_eq!(
        app.store.list_requests(DEPT, gongkai_store::RequestFilter::All).await.unwrap().len(),
        before,
        "nothing filed"
    );
    assert_eq!(app.client.post(&url).json(&body_ok()).send().await.unwrap().status(), 201);

    let plain = app.get("/").await;
    assert!(!plain.headers().contains_key("strict-transport-security"));
    let tls = app.client.get(app.url("/")).header("x-forwarded-proto", "https").send().await.unwrap();
    assert_eq!(tls.headers()["strict-transport-security"], "max-age=31536000");
});

story!(api_report_is_canonical, |app: App| async move {
    let r = app.get(&format!("/api/v1/agencies/{DEPT}/reports/{YEAR}")).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["schema"], "gongkai.report/1");
    assert_eq!(v["year"], YEAR);
    assert_eq!(app.get(&format!("/api/v1/agencies/{DEPT}/reports/2024")).await.status(), 404);
    assert_eq!(app.get(&format!("/api/v1/agencies/NOPE/reports/{YEAR}")).await.status(), 404);
});

story!(openapi_document_and_docs_page, |app: App| async move {
    let v: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(v["openapi"].as_str().unwrap().starts_with("3.1"));
    for p in [
        "/api/v1/agencies",
        "/api/v1/agencies/{code}/requests",
        "/api/v1/requests/{tracking_number}",
        "/api/v1/agencies/{code}/reports/{year}",
    ] {
        assert!(v["paths"][p].is_object(), "{p}");
    }
    let (status, docs) = app.get_text("/api/v1/docs").await;
    assert_eq!(status, 200);
    assert!(docs.contains("/api/v1/agencies/{code}/requests"));
});

// ------------------------------------------------------------------------------------------ rate limit

story!(
    rate_limited_per_address_429,
    Some(gongkai_web::RateLimiter::new(2, std::time::Duration::from_secs(3600))),
    |app: App| async move {
        let url = app.url(&format!("/api/v1/agencies/{DEPT}/requests"));
        assert_eq!(app.client.post(&url).json(&body_ok()).send().await.unwrap().status(), 201);
        assert_eq!(app.client.post(&url).json(&body_ok()).send().await.unwrap().status(), 201);
        let r = app.client.post(&url).json(&body_ok()).send().await.unwrap();
        assert_eq!(r.status(), 429);
        assert!(r.headers().contains_key("retry-after"));
        // The HTML form shares the per-address limit.
        let r = app.client.post(app.url(&format!("/agencies/{DEPT}/apply"))).form(&form_ok()).send().await.unwrap();
        assert_eq!(r.status(), 429);
        // Reading pages is not limited.
        assert_eq!(app.get("/").await.status(), 200);

        // Console logins are limited per address too, whatever the account (issue 21 item 7):
        // the third attempt from this address is refused before any password is checked.
        let mut statuses = Vec::new();
        for name in ["nobody-1", "nobody-2", "nobody-3"] {
            let page = app.get("/console/login").await;
            let cookie = page
                .headers()
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .find(|c| c.starts_with("gk_login_csrf="))
                .unwrap();
            let cookie = cookie.split(';').next().unwrap().to_string();
            let html = page.text().await.unwrap();
            let marker = "name=\"csrf\" value=\"";
            let at = html.find(marker).unwrap() + marker.len();
            let csrf = html[at..at + html[at..].find('"').unwrap()].to_string();
            let r = app
                .client
                .post(app.url("/console/login"))
                .header("cookie", cookie)
                .form(&[("username", name), ("password", "Wrong-2026!x"), ("csrf", &csrf)])
                .send()
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
            if r.status() == 429 {
                assert!(r.headers().contains_key("retry-after"));
                assert!(r.text().await.unwrap().contains("本地址登录尝试过于频繁"));
            }
        }
        assert_eq!(statuses, [401, 401, 429]);
        let audit = app.store.list_audit(50).await.unwrap();
        assert!(audit.iter().any(|r| r.event.event_type == "login"
            && r.event.detail.as_deref() == Some("too many attempts from this address")));
    }
);

/// The Latin-words check that every fetched page goes through finds keys and English, and lets
/// codes, file names, addresses and `<code>` pass.
#[test]
fn latin_words_are_found_and_codes_pass() {
    let page = |body: &str| format!("<!DOCTYPE html><html><body>{body}</body></html>");
    assert_eq!(
        harness::latin_words(&page("<p>已登记：correction_notice（online）</p>")),
        ["correction_notice", "online"]
    );
    assert_eq!(harness::latin_words(&page("<p>未找到机关 (not found)</p>")), ["found", "not"]);
    let clean = page(
        "<p>机关 FIN 的申请 SEED-0001，下载 PDF、某局2024年报.docx，邮箱 a@b.gov.cn，见 https://www.gov.cn/x</p>\
         <p>规则 <code>meta.deadline</code></p><script>var x = 'english';</script><input value=\"on\">",
    );
    assert!(harness::latin_words(&clean).is_empty(), "{:?}", harness::latin_words(&clean));
}
