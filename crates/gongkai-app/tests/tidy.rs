//! The application layer's invariant, checked on every test run: the CLI (`crates/gongkai`) and
//! the web (`crates/gongkai-web`) contain no rule of a use case that lives here. Each entry below
//! is a use case or a cross-cutting rule moved into `gongkai-app` (or the core), with what its
//! copy at an edge would look like; the list grows as use cases move.

use std::path::{Path, PathBuf};

/// (what an edge must not contain, where it lives instead).
const OWNED_HERE: &[(&str, &str)] = &[
    // Publishing: the date check, the refusal of a second publication and the audit record.
    (".set_publication(", "gongkai_app::publish::publish"),
    // Registering a request: checked (Request::validated), written and audited once.
    (".insert_request(", "gongkai_app::request::register"),
    // Recording a request's event: checked, applied, written and audited once.
    (".append_event(", "gongkai_app::request::record_event"),
    ("fn text_field(name: &str, label", "gongkai_core::input::text"),
    // The one year-input builder of the report.
    ("fn year_input", "gongkai_app::year::year_input"),
    ("YearInput {", "gongkai_app::year::year_input"),
    // The amendment notes of a published report.
    ("fn amendment_notes", "gongkai_app::year::amendment_notes"),
    // The one clock: "today" in China Standard Time.
    ("Local::now", "gongkai_app::Clock"),
    ("with_timezone(&china", "gongkai_app::Clock"),
    ("fn today_china", "gongkai_app::Clock"),
    // Reminders: composed, sent and audited once.
    ("mail::compose", "gongkai_app::remind::send"),
    ("fn reminders(o: &Overview", "gongkai_app::remind::reminders"),
    ("fn url_segment", "gongkai_app::remind::url_segment"),
    // The one masking rule (B4.6).
    ("fn mask_", "gongkai_core::masking"),
    // Registering a proactive item: the directory fields and the review required alike.
    (".insert_proactive_with_details(", "gongkai_app::proactive::add"),
    ("fn check_proactive_dates", "gongkai_app::proactive::validated"),
    ("ConfidentialityReview {", "gongkai_app::proactive::validated"),
    // Review and litigation cases: checked (Case::validated), the request named checked against
    // the register, stored and audited once.
    (".insert_case(", "gongkai_app::cases::add"),
    (".update_case(", "gongkai_app::cases::decide"),
    // Article 20 figures: bounds checked (Article20Figures::validated), stored and audited once.
    (".put_article20_figures(", "gongkai_app::article20::save"),
    // The report's text: length and control characters checked, stored and audited once.
    (".set_narrative(", "gongkai_app::narrative::set"),
    // The register workbook: read, scoped, checked against the database, written all or nothing.
    (".insert_batch(", "gongkai_app::registers::import"),
    ("fn check_scope", "gongkai_app::registers::import"),
    // Published reports: read, checked, stored and audited once; withdrawn with the same refusals.
    (".add_published_report(", "gongkai_app::published::import"),
    (".withdraw_published_report(", "gongkai_app::published::withdraw"),
    // Accounts: the password policy, the hash and the audit record once.
    (".create_user(", "gongkai_app::accounts::add"),
    // The demo registers.
    (".insert_requests_bulk(", "gongkai_app::demo::fill"),
    // Filing online: received today in China, checked as every request, the query code hashed.
    (".file_online_request(", "gongkai_app::filing::file"),
    (".get_request_access(", "gongkai_app::filing::track"),
    // Security settings: ranges refused and audited alike; a second factor of one's own first.
    (".set_log_retention_days(", "gongkai_app::security::set_log_retention"),
    (".set_personal_data_retention_years(", "gongkai_app::security::set_personal_data_retention"),
    (".set_require_mfa(", "gongkai_app::security::set_require_mfa"),
    // API tokens: name and validity checked, created and revoked with an audit record.
    (".create_api_token(", "gongkai_app::tokens::create"),
    (".revoke_api_token(", "gongkai_app::tokens::revoke"),
    // The supervising office's overview and trend: which year, which day, which subtree.
    (".supervise(", "gongkai_app::supervise::overview"),
    (".supervise_uncached(", "gongkai_app::supervise::overview"),
    (".supervise_trend(", "gongkai_app::supervise::trend"),
    (".refresh_supervise_cache(", "gongkai_app::supervise::refresh"),
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn the_edges_hold_no_rule_of_the_application_layer() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for edge in ["gongkai/src", "gongkai-web/src"] {
        sources(&crates.join(edge), &mut files);
    }
    assert!(files.len() >= 30, "found only {} source files of the edges", files.len());
    let mut found = Vec::new();
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        for (pattern, home) in OWNED_HERE {
            if text.contains(pattern) {
                found.push(format!("{} contains `{pattern}`: call {home}", p.display()));
            }
        }
    }
    assert!(found.is_empty(), "the CLI and the web call the application layer:\n{}", found.join("\n"));
}

/// The one `Settings` (crates/gongkai/src/settings.rs) reads the environment: no other source file
/// of any crate does, so a setting has one name, one order of layers and one error message.
#[test]
fn only_the_settings_read_the_environment() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for e in std::fs::read_dir(&crates).into_iter().flatten().flatten() {
        sources(&e.path().join("src"), &mut files);
    }
    assert!(files.len() >= 80, "found only {} source files", files.len());
    let settings = crates.join("gongkai/src/settings.rs");
    // The test kit (dev-only, never in the program) reads the tests' own setting,
    // GONGKAI_TEST_POSTGRES_URL.
    let testkit = crates.join("gongkai-testkit/src");
    let mut found = Vec::new();
    for p in files.iter().filter(|p| **p != settings && !p.starts_with(&testkit)) {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        for pattern in ["env::var", "env::vars", "env = \"", "EnvFilter::try_from_env", "EnvFilter::from_default_env"] {
            if text.contains(pattern) {
                found.push(format!("{} contains `{pattern}`", p.display()));
            }
        }
    }
    assert!(found.is_empty(), "read the setting through gongkai's Settings:\n{}", found.join("\n"));
}

/// The English gloss of a Chinese message, e.g. `「…」不能为空 (required)"`: a parenthesis that
/// opens on a lowercase Latin letter right after Chinese text (or a placeholder) and closes the
/// string literal. Users read Simplified Chinese only; English is a complete locale or nothing
/// (issue 19). Returns the gloss.
fn english_gloss(line: &str) -> Option<&str> {
    let is_cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c) || "）」。；”}".contains(c);
    let mut prev: Option<char> = None;
    for (i, c) in line.char_indices() {
        if c == '(' && prev.is_some_and(|p| is_cjk(p) || p == ' ') {
            let before = line[..i].trim_end_matches(' ');
            let after = &line[i + 1..];
            let Some(last) = before.chars().last() else { continue };
            // The literal so far (from its opening quote, or the line's start) says something in Chinese.
            let literal = before.rsplit('"').next().unwrap_or(before);
            let chinese = literal.chars().any(|g| ('\u{4e00}'..='\u{9fff}').contains(&g));
            if !chinese || !is_cjk(last) || !after.starts_with(|a: char| a.is_ascii_lowercase()) {
                prev = Some(c);
                continue;
            }
            // The gloss runs to the `)"` that ends the literal, with no Chinese inside.
            if let Some(end) = after.find(")\"") {
                let gloss = &after[..end];
                if !gloss.chars().any(|g| ('\u{4e00}'..='\u{9fff}').contains(&g) || g == '"') {
                    return Some(&line[i..i + 1 + end + 1]);
                }
            }
        }
        prev = Some(c);
    }
    None
}

#[test]
fn english_gloss_is_found_and_chinese_alone_is_not() {
    assert_eq!(english_gloss(r#"  bail!("没有代码为「{}」的机关 (no such agency)", a)"#), Some("(no such agency)"));
    assert_eq!(english_gloss(r#"  "{}：不能为空 (required)""#), Some("(required)"));
    assert_eq!(english_gloss(r#"  bail!("没有代码为「{}」的机关", a)"#), None);
    assert_eq!(english_gloss(r#"  "{en_where}: blank cells (blank is not zero)""#), None);
    assert_eq!(english_gloss(r#"  "{en_where}: total = {total} (difference {})""#), None);
    assert_eq!(
        english_gloss(r#"  "应为 true 或 false，实为{} (expected true or false)""#),
        Some("(expected true or false)")
    );
    assert_eq!(english_gloss(r#"  "识别文字(OCR)或使用原始电子文档""#), None);
}

#[test]
fn chinese_messages_carry_no_english_gloss() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for e in std::fs::read_dir(&crates).into_iter().flatten().flatten() {
        sources(&e.path().join("src"), &mut files);
    }
    assert!(files.len() >= 80, "found only {} source files", files.len());
    let mut found = Vec::new();
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            if let Some(gloss) = english_gloss(line) {
                found.push(format!("{}:{}: {gloss}", p.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "a Chinese message with an English gloss (say it in Chinese only):\n{}",
        found.join("\n")
    );
}
