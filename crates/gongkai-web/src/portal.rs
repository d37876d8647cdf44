//! The public portal (政府信息公开专栏): pages for everyone, no login, no JavaScript (spec §A).
//!
//! Per agency the first-level sections come in the order of A1.3 (指南 → 制度 → 法定主动公开内容
//! → 年报), with 依申请公开 and 政府信息公开目录 beside them ([`crate::layout::SECTIONS`]).
//! Applicant data never appears on any page here.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use gongkai_core::register::{Agency, ProactiveDisclosure};
use gongkai_core::rules::Severity;
use gongkai_store::{DisclosureGuide, ProactiveDetails};

use crate::error::{escape, FieldError, WebError};
use crate::filing::{self, Filed, Submission, Tracking};
use crate::layout::{render, Chrome};
use crate::ratelimit::PeerIp;
use crate::reports;
use crate::AppState;

/// The portal's stylesheet, served from the binary (no external resources).
const SITE_CSS: &str = include_str!("../assets/site.css");

/// 条例第二十条 (一)–(十五): the sub-columns of 法定主动公开内容 (A1.3).
pub const ARTICLE20_ITEMS: [&str; 15] = [
    "（一）行政法规、规章和规范性文件",
    "（二）机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名",
    "（三）国民经济和社会发展规划、专项规划、区域规划及相关政策",
    "（四）国民经济和社会发展统计信息",
    "（五）办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果",
    "（六）实施行政处罚、行政强制的依据、条件、程序以及具有一定社会影响的行政处罚决定",
    "（七）财政预算、决算信息",
    "（八）行政事业性收费项目及其依据、标准",
    "（九）政府集中采购项目的目录、标准及实施情况",
    "（十）重大建设项目的批准和实施情况",
    "（十一）扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况",
    "（十二）突发公共事件的应急预案、预警信息及应对情况",
    "（十三）环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况",
    "（十四）公务员招考的职位、名额、报考条件等事项以及录用结果",
    "（十五）法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息",
];

/// The category of proactive items listed under 政府信息公开制度.
pub const RULES_CATEGORY: &str = "政府信息公开制度";

/// The portal routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/assets/site.css", get(site_css))
        .route("/agencies", get(agency_tree))
        .route("/agencies/{code}", get(agency_index))
        .route("/agencies/{code}/guide", get(guide))
        .route("/agencies/{code}/rules", get(rules))
        .route("/agencies/{code}/proactive", get(proactive))
        .route("/agencies/{code}/directory", get(directory))
        .route("/agencies/{code}/proactive/{index_number}", get(item))
        .route("/agencies/{code}/reports", get(report_years))
        .route("/agencies/{code}/reports/{year}", get(report))
        .route("/agencies/{code}/reports/{year}/download/{format}", get(download))
        .route("/agencies/{code}/apply", get(apply_form).post(apply_submit))
        .route("/track", get(track_form).post(track_submit))
        .route("/track/document", axum::routing::post(crate::documents::track_document))
        .route("/track/attachment", axum::routing::post(crate::documents::track_attachment))
}

async fn site_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], SITE_CSS)
}

async fn load_agency(state: &AppState, code: &str) -> Result<Agency, WebError> {
    state.store.get_agency(code).await?.ok_or(WebError::NotFound("机关"))
}

// ---------------------------------------------------------------- home and agency tree

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    /// The agency tree's first two levels: each top agency with the agencies directly below it.
    agencies: Vec<(Agency, Vec<Agency>)>,
}

async fn home(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let all = state.agencies.get(&state.store).await?;
    // Issue 19 item 4: the first two levels of the tree (a county's government and its
    // departments and towns); the whole tree is one link away.
    let top: Vec<(Agency, Vec<Agency>)> = all
        .iter()
        .filter(|a| a.parent.is_none())
        .map(|a| {
            let below = all.iter().filter(|c| c.parent.as_deref() == Some(a.code.as_str())).cloned().collect();
            (a.clone(), below)
        })
        .collect();
    let chrome = Chrome::new(&state.site, state.site.current().site_name.clone(), "信息公开目录")
        .describe("政府信息公开专栏：机关目录、政府信息公开指南、法定主动公开内容、政府信息公开年报、依申请公开");
    render(&HomePage { chrome, agencies: top })
}

#[derive(Template)]
#[template(path = "agencies.html")]
struct TreePage {
    chrome: Chrome,
    tree_html: String,
    count: usize,
}

/// The agency tree as nested lists (built here: askama has no recursion over a tree).
fn tree_html(agencies: &[Agency]) -> String {
    let codes: std::collections::HashSet<&str> = agencies.iter().map(|a| a.code.as_str()).collect();
    let mut children: BTreeMap<Option<&str>, Vec<&Agency>> = BTreeMap::new();
    for a in agencies {
        // An agency whose parent is missing is shown at the top rather than lost.
        let parent = a.parent.as_deref().filter(|p| codes.contains(p));
        children.entry(parent).or_default().push(a);
    }
    fn walk(out: &mut String, children: &BTreeMap<Option<&str>, Vec<&Agency>>, at: Option<&str>, depth: usize) {
        let Some(list) = children.get(&at) else { return };
        if depth > 32 {
            return;
        }
        out.push_str("<ul>");
        for a in list {
            out.push_str(&format!(
                "<li><a href=\"/agencies/{}\">{}</a>",
                escape(&url_segment(&a.code)),
                escape(&a.name)
            ));
            walk(out, children, Some(&a.code), depth + 1);
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    let mut out = String::new();
    walk(&mut out, &children, None, 0);
    out
}

pub use gongkai_app::remind::url_segment;

async fn agency_tree(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let all = state.agencies.get(&state.store).await?;
    let chrome = Chrome::new(&state.site, "机关目录", "信息公开目录").describe("各行政机关的政府信息公开专栏");
    render(&TreePage { chrome, tree_html: tree_html(&all), count: all.len() })
}

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    chrome: Chrome,
    agency: Agency,
    parent: Option<Agency>,
    children: Vec<Agency>,
    /// 「自…起停用…」 when the agency no longer receives requests.
    closed: Option<String>,
}

async fn agency_index(State(state): State<AppState>, Path(code): Path<String>) -> Result<Html<String>, WebError> {
    let agency = load_agency(&state, &code).await?;
    let parent = match &agency.parent {
        Some(p) => state.store.get_agency(p).await?,
        None => None,
    };
    let subtree = state.store.agency_subtree(&code).await?;
    let children = subtree.into_iter().filter(|a| a.parent.as_deref() == Some(code.as_str())).collect();
    let closed = gongkai_app::agencies::closed_on(&state.store, &agency, state.clock.today()).await?;
    let chrome = Chrome::new(&state.site, format!("{}政府信息公开", agency.name), "信息公开目录")
        .in_agency(&agency.code, &agency.name, "")
        .describe(format!("{}的政府信息公开专栏", agency.name));
    render(&AgencyPage { chrome, agency, parent, children, closed })
}

// ---------------------------------------------------------------- guide (A2.1)

#[derive(Template)]
#[template(path = "guide.html")]
struct GuidePage {
    chrome: Chrome,
    agency: Agency,
    guide: Option<DisclosureGuide>,
    sections: Vec<(&'static str, String)>,
}

/// The guide's text sections in the usual outline (A2.2): (key, heading).
const GUIDE_SECTIONS: [(&str, &str); 5] = gongkai_app::guide::SECTIONS;

async fn guide(State(state): State<AppState>, Path(code): Path<String>) -> Result<Html<String>, WebError> {
    let agency = load_agency(&state, &code).await?;
    let guide = state.store.get_guide(&code).await?;
    let sections = GUIDE_SECTIONS
        .iter()
        .filter_map(|(k, h)| guide.as_ref().and_then(|g| g.sections.get(*k)).map(|t| (*h, t.clone())))
        .collect();
    let mut chrome = Chrome::new(&state.site, format!("{}政府信息公开指南", agency.name), "信息公开指南")
        .column("政府信息公开指南")
        .in_agency(&agency.code, &agency.name, "guide")
        .describe("政府信息公开指南：公开的分类、编排体系、获取方式和政府信息公开工作机构");
    if let Some(g) = &guide {
        chrome = chrome.published(format!("{} 00:00", g.updated_on));
    }
    render(&GuidePage { chrome, agency, guide, sections })
}

// ---------------------------------------------------------------- proactive directory (A2.3/A2.4)

/// One directory entry as listed.
struct ItemRow {
    href: String,
    index_number: String,
    title: String,
    document_number: String,
    item_label: String,
    category: String,
    published_on: String,
    summary: String,
    generated_on: String,
}

fn item_label(n: Option<u8>) -> String {
    n.and_then(|n| ARTICLE20_ITEMS.get(usize::from(n).wrapping_sub(1))).map(|s| s.to_string()).unwrap_or_default()
}

fn item_row(agency: &str, p: &ProactiveDisclosure, d: Option<&ProactiveDetails>) -> ItemRow {
    ItemRow {
        href: format!("/agencies/{}/proactive/{}", url_segment(agency), url_segment(&p.index_number)),
        index_number: p.index_number.clone(),
        title: p.title.clone(),
        document_number: p.document_number.clone().unwrap_or_default(),
        item_label: item_label(p.article20_item),
        category: p.category.clone().unwrap_or_default(),
        published_on: p.published_on.to_string(),
        summary: d.map(|d| d.summary.clone()).unwrap_or_default(),
        generated_on: d.map(|d| d.generated_on.to_string()).unwrap_or_default(),
    }
}

/// The directory's filters (`?item=&category=&year=&q=`), all optional; kept as text so that a
/// bad value is a message, never a rejected request.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DirectoryQuery {
    item: Option<String>,
    category: Option<String>,
    year: Option<String>,
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "proactive.html")]
struct ProactivePage {
    chrome: Chrome,
    action: String,
    items: Vec<ItemRow>,
    total: usize,
    article20: Vec<(u8, &'static str, usize)>,
    categories: Vec<String>,
    years: Vec<i32>,
    f_item: Option<u8>,
    f_category: String,
    f_year: Option<i32>,
    f_q: String,
    errors: Vec<FieldError>,
}

impl ProactivePage {
    fn item_is(&self, n: &u8) -> bool {
        self.f_item == Some(*n)
    }

    fn year_is(&self, y: &i32) -> bool {
        self.f_year == Some(*y)
    }
}

async fn proactive(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<DirectoryQuery>,
) -> Result<Response, WebError> {
    directory_page(state, code, q, "proactive").await
}

async fn directory(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<DirectoryQuery>,
) -> Result<Response, WebError> {
    directory_page(state, code, q, "directory").await
}

async fn directory_page(
    state: AppState,
    code: String,
    q: DirectoryQuery,
    section: &'static str,
) -> Result<Response, WebError> {
    let agency = load_agency(&state, &code).await?;
    let all = state.store.list_proactive(&code).await?;
    let details: HashMap<String, ProactiveDetails> =
        state.store.list_proactive_details(&code).await?.into_iter().map(|d| (d.index_number.clone(), d)).collect();
    let mut errors = Vec::new();
    let f_item = match q.item.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match s.parse::<u8>() {
            Ok(n @ 1..=15) => Some(n),
            _ => {
                errors.push(FieldError::new("item", "第二十条的项应为 1 至 15"));
                None
            }
        },
    };
    let f_year = match q.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match s.parse::<i32>() {
            Ok(y @ 1990..=2200) => Some(y),
            _ => {
                errors.push(FieldError::new("year", "年份应为四位数字，如 2025"));
                None
            }
        },
    };
    let f_category = q.category.unwrap_or_default().trim().to_string();
    let f_q: String = q.q.unwrap_or_default().trim().chars().take(100).collect();
    let mut article20: Vec<(u8, &'static str, usize)> =
        ARTICLE20_ITEMS.iter().enumerate().map(|(i, l)| (u8::try_from(i + 1).unwrap_or(0), *l, 0)).collect();
    let mut categories: Vec<String> = Vec::new();
    let mut years: Vec<i32> = Vec::new();
    for p in &all {
        if let Some(n) = p.article20_item {
            if let Some(e) = article20.get_mut(usize::from(n).wrapping_sub(1)) {
                e.2 += 1;
            }
        }
        if let Some(c) = &p.category {
            if !categories.contains(c) {
                categories.push(c.clone());
            }
        }
        let y = chrono::Datelike::year(&p.published_on);
        if !years.contains(&y) {
            years.push(y);
        }
    }
    categories.sort();
    years.sort_unstable_by(|a, b| b.cmp(a));
    let hits = if f_q.is_empty() { None } else { Some(crate::search::search(&state, &code, &f_q, &all, &details)) };
    let mut items: Vec<ItemRow> = all
        .iter()
        .filter(|p| f_item.is_none_or(|n| p.article20_item == Some(n)))
        .filter(|p| f_category.is_empty() || p.category.as_deref() == Some(f_category.as_str()))
        .filter(|p| f_year.is_none_or(|y| chrono::Datelike::year(&p.published_on) == y))
        .filter(|p| hits.as_ref().is_none_or(|h| h.contains_key(&p.index_number)))
        .map(|p| item_row(&code, p, details.get(&p.index_number)))
        .collect();
    match &hits {
        // Best match first when searching; newest first otherwise.
        Some(h) => items.sort_by(|a, b| {
            h.get(&b.index_number).copied().unwrap_or(0.0).total_cmp(&h.get(&a.index_number).copied().unwrap_or(0.0))
        }),
        None => items.reverse(),
    }
    let (title, column_type) = if section == "proactive" {
        ("法定主动公开内容", "信息公开目录")
    } else {
        ("政府信息公开目录", "信息公开目录")
    };
    let newest = all.iter().map(|p| p.published_on).max();
    let mut chrome = Chrome::new(&state.site, format!("{}{}", agency.name, title), column_type)
        .column(title)
        .in_agency(&agency.code, &agency.name, section)
        .describe("政府信息公开目录：索引号、名称、内容概述、生成日期（条例第十二条）");
    if let Some(d) = newest {
        chrome = chrome.published(format!("{d} 00:00"));
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = ProactivePage {
        chrome,
        action: format!("/agencies/{}/{section}", url_segment(&agency.code)),
        total: items.len(),
        items,
        article20,
        categories,
        years,
        f_item,
        f_category,
        f_year,
        f_q,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    chrome: Chrome,
    items: Vec<ItemRow>,
}

async fn rules(State(state): State<AppState>, Path(code): Path<String>) -> Result<Html<String>, WebError> {
    let agency = load_agency(&state, &code).await?;
    let details: HashMap<String, ProactiveDetails> =
        state.store.list_proactive_details(&code).await?.into_iter().map(|d| (d.index_number.clone(), d)).collect();
    let items = state
        .store
        .list_proactive(&code)
        .await?
        .iter()
        .rev()
        .filter(|p| p.category.as_deref() == Some(RULES_CATEGORY))
        .map(|p| item_row(&code, p, details.get(&p.index_number)))
        .collect();
    let chrome = Chrome::new(&state.site, format!("{}政府信息公开制度", agency.name), "政策文件")
        .column("政府信息公开制度")
        .in_agency(&agency.code, &agency.name, "rules")
        .describe("政府信息公开工作的法规和本机关的工作制度");
    render(&RulesPage { chrome, items })
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    chrome: Chrome,
    agency: Agency,
    row: ItemRow,
    channels: String,
    validity: String,
    publisher: String,
    written_on: String,
    body: String,
}

async fn item(
    State(state): State<AppState>,
    Path((code, index_number)): Path<(String, String)>,
) -> Result<Html<String>, WebError> {
    let agency = load_agency(&state, &code).await?;
    let all = state.store.list_proactive(&code).await?;
    let p = all.iter().find(|p| p.index_number == index_number).ok_or(WebError::NotFound("该公开信息"))?;
    let details = state.store.list_proactive_details(&code).await?;
    let d = details.iter().find(|d| d.index_number == index_number);
    let row = item_row(&code, p, d);
    let chrome = Chrome::new(&state.site, p.title.clone(), "信息公开目录")
        .column("法定主动公开内容")
        .in_agency(&agency.code, &agency.name, "proactive")
        .published(format!("{} 00:00", p.published_on))
        .describe(row.summary.clone());
    render(&ItemPage {
        chrome,
        channels: p.channels.join("、"),
        validity: p.validity.clone().unwrap_or_default(),
        publisher: d.and_then(|d| d.publisher.clone()).unwrap_or_else(|| agency.name.clone()),
        written_on: d.and_then(|d| d.written_on).map(|d| d.to_string()).unwrap_or_default(),
        body: d.and_then(|d| d.body.clone()).unwrap_or_default(),
        agency,
        row,
    })
}

// ---------------------------------------------------------------- annual reports (Art. 50)

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportYearsPage {
    chrome: Chrome,
    agency: Agency,
    years: Vec<(i32, String)>,
}

async fn report_years(State(state): State<AppState>, Path(code): Path<String>) -> Result<Html<String>, WebError> {
    let agency = load_agency(&state, &code).await?;
    let years: Vec<(i32, String)> =
        state.store.list_published_years(&code).await?.into_iter().map(|(y, on)| (y, on.to_string())).collect();
    let mut chrome = Chrome::new(&state.site, format!("{}政府信息公开年报", agency.name), "信息公开年报")
        .column("政府信息公开年报")
        .in_agency(&agency.code, &agency.name, "reports")
        .describe("政府信息公开工作年度报告（条例第四十九、五十条）");
    if let Some((_, on)) = years.first() {
        chrome = chrome.published(format!("{on} 00:00"));
    }
    render(&ReportYearsPage { chrome, agency, years })
}

/// The download formats offered, in order: (format, label).
pub const DOWNLOADS: [(&str, &str); 5] = [
    ("html", "网页（HTML）"),
    ("docx", "Word 文档（DOCX）"),
    ("pdf", "PDF 文档"),
    ("xlsx", "Excel 表格（XLSX）"),
    ("json", "数据（JSON）"),
];

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    chrome: Chrome,
    body_html: String,
    /// What the consistency rules found, as plain sentences (no rule ids: the public reads the
    /// report, not the checker).
    notes: Vec<String>,
    downloads: Vec<(String, &'static str)>,
}

fn parse_year(s: &str) -> Result<i32, WebError> {
    match s.parse::<i32>() {
        Ok(y @ 1990..=2200) => Ok(y),
        _ => Err(WebError::NotFound("该年度")),
    }
}

async fn report(
    State(state): State<AppState>,
    Path((code, year)): Path<(String, String)>,
) -> Result<Html<String>, WebError> {
    let year = parse_year(&year)?;
    let agency = load_agency(&state, &code).await?;
    let p = reports::published(&state, &agency, year).await?;
    let notes = p
        .findings
        .iter()
        .filter(|f| matches!(f.severity, Severity::Error | Severity::Warning))
        .map(|f| f.message.clone())
        .collect();
    let title = gongkai_core::template::report_title(&agency.name, Some(year));
    let mut chrome = Chrome::new(&state.site, title, "信息公开年报").column("政府信息公开年报").in_agency(
        &agency.code,
        &agency.name,
        "reports",
    );
    if let Some(on) = p.publication.published_on {
        chrome = chrome.published(format!("{on} 00:00"));
    }
    let base = format!("/agencies/{}/reports/{year}/download", url_segment(&agency.code));
    render(&ReportPage {
        chrome,
        body_html: gongkai_export::render_html_body(&p.report),
        notes,
        downloads: DOWNLOADS.iter().map(|(f, l)| (format!("{base}/{f}"), *l)).collect(),
    })
}

/// `GET /agencies/{code}/reports/{year}/download/{format}`: one published report as a file (the
/// formats of [`reports::file`], listed on the page by [`DOWNLOADS`]).
async fn download(
    State(state): State<AppState>,
    Path((code, year, format)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let year = parse_year(&year)?;
    let agency = load_agency(&state, &code).await?;
    let p = reports::published(&state, &agency, year).await?;
    let Some((content_type, bytes)) = reports::file(&state, p.report, &format).await? else {
        return Err(WebError::NotFound("该下载格式"));
    };
    let name = crate::attachment::file_name("report", &agency.code, &year.to_string(), &format);
    Ok(crate::attachment::attachment(content_type, &name, bytes, crate::attachment::Cache::Public))
}

// ---------------------------------------------------------------- request form (A4.1/A4.2)

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage {
    chrome: Chrome,
    action: String,
    values: BTreeMap<&'static str, String>,
    /// The errors in form order (the summary above the form) …
    summary: Vec<(String, String)>,
    /// … and by field (beside each field).
    errors: BTreeMap<String, String>,
    fields: Vec<(&'static str, &'static str)>,
    applicant_types: Vec<(&'static str, &'static str)>,
    id_document_types: Vec<(&'static str, &'static str)>,
    forms: Vec<(&'static str, &'static str)>,
    deliveries: Vec<(&'static str, &'static str)>,
    guide: Option<DisclosureGuide>,
    /// The agency processing the applicant's personal information (PIPL Art. 17: the processor's
    /// name in the processing rules).
    agency_name: String,
    /// Why the agency receives no request today (停用), shown instead of the form.
    closed: Option<String>,
}

impl ApplyPage {
    fn value<'a>(&'a self, field: &str) -> &'a str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }

    fn error<'a>(&'a self, field: &str) -> &'a str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }

    fn label<'a>(&'a self, field: &'a str) -> &'a str {
        self.fields.iter().find(|(f, _)| *f == field).map(|(_, l)| *l).unwrap_or(field)
    }
}

async fn apply_page(
    state: &AppState,
    agency: Agency,
    submission: &Submission,
    errors: Vec<FieldError>,
) -> Result<ApplyPage, WebError> {
    let guide = state.store.get_guide(&agency.code).await?;
    let closed = gongkai_app::agencies::closed_on(&state.store, &agency, state.clock.today()).await?;
    let chrome = Chrome::new(&state.site, format!("向{}提出政府信息公开申请", agency.name), "依法申请公开")
        .column("依申请公开")
        .in_agency(&agency.code, &agency.name, "apply")
        .describe("在线提交政府信息公开申请（条例第二十九条）");
    Ok(ApplyPage {
        chrome,
        action: format!("/agencies/{}/apply", url_segment(&agency.code)),
        values: filing::FIELDS.iter().map(|(f, _)| (*f, submission.value(f))).collect(),
        summary: errors.iter().map(|e| (e.field.clone(), e.reason.clone())).collect(),
        errors: errors.into_iter().map(|e| (e.field, e.reason)).collect(),
        fields: filing::FIELDS.to_vec(),
        applicant_types: filing::applicant_types(),
        id_document_types: filing::id_document_types(),
        forms: filing::FORMS.to_vec(),
        deliveries: filing::DELIVERIES.to_vec(),
        guide,
        agency_name: agency.name,
        closed,
    })
}

async fn apply_form(State(state): State<AppState>, Path(code): Path<String>) -> Result<Html<String>, WebError> {
    let agency = load_agency(&state, &code).await?;
    render(&apply_page(&state, agency, &Submission::default(), Vec::new()).await?)
}

#[derive(Template)]
#[template(path = "filed.html")]
struct FiledPage {
    chrome: Chrome,
    agency: Agency,
    filed: Filed,
}

async fn apply_submit(
    State(state): State<AppState>,
    peer: PeerIp,
    Path(code): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    state.limiter.take(peer)?;
    let agency = load_agency(&state, &code).await?;
    let mut submission = Submission::default();
    for (k, v) in form {
        // A select left on its placeholder sends an empty value: treat as missing.
        if filing::FIELDS.iter().any(|(f, _)| *f == k) {
            submission.fields.insert(k, Ok(v));
        }
    }
    // 停用: the form is refused as the page says (410), whatever was typed.
    if gongkai_app::agencies::closed_on(&state.store, &agency, state.clock.today()).await?.is_some() {
        let page = apply_page(&state, agency, &submission, Vec::new()).await?;
        return Ok((StatusCode::GONE, render(&page)?).into_response());
    }
    match filing::validate(&submission) {
        Err(errors) => {
            let page = apply_page(&state, agency, &submission, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Ok(valid) => {
            let filed = filing::file(&state, &agency.code, valid).await?;
            let chrome = Chrome::new(&state.site, "申请已提交", "依法申请公开").column("依申请公开").in_agency(
                &agency.code,
                &agency.name,
                "apply",
            );
            let mut r = render(&FiledPage { chrome, agency, filed })?.into_response();
            // The page shows the query code: never cache it (ASVS 14.3.2).
            r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            Ok(r)
        }
    }
}

// ---------------------------------------------------------------- tracking

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage {
    chrome: Chrome,
    number: String,
    /// The query code posted, for the download buttons (the page is never cached).
    code: String,
    not_found: bool,
    tracking: Option<Tracking>,
    agency_name: String,
}

fn track_chrome(state: &AppState) -> Chrome {
    Chrome::new(&state.site, "申请办理进度查询", "依法申请公开")
        .column("依申请公开")
        .describe("凭受理编号和查询码查询政府信息公开申请的办理状态、答复期限和答复")
}

async fn track_form(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    render(&TrackPage {
        chrome: track_chrome(&state),
        number: String::new(),
        code: String::new(),
        not_found: false,
        tracking: None,
        agency_name: String::new(),
    })
}

/// The tracking form posts (number + code in the body, never in the URL: ASVS 14.2.1).
#[derive(Debug, serde::Deserialize)]
struct TrackForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    code: String,
}

async fn track_submit(
    State(state): State<AppState>,
    peer: PeerIp,
    Form(f): Form<TrackForm>,
) -> Result<Response, WebError> {
    state.limiter.take(peer)?;
    let number: String = f.number.trim().chars().take(64).collect();
    let (status, tracking, not_found) = match filing::track(&state, &number, &f.code).await {
        Ok(t) => (StatusCode::OK, Some(t), false),
        Err(WebError::NotFound(_)) => (StatusCode::NOT_FOUND, None, true),
        Err(e) => return Err(e),
    };
    let agency_name = match &tracking {
        Some(t) => state.store.get_agency(&t.agency).await?.map(|a| a.name).unwrap_or_default(),
        None => String::new(),
    };
    let code = if tracking.is_some() { f.code.trim().chars().take(64).collect() } else { String::new() };
    let page = TrackPage { chrome: track_chrome(&state), number, code, not_found, tracking, agency_name };
    let mut r = (status, render(&page)?).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(r)
}
