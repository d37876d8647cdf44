//! 主动公开登记 in the console (`/console/proactive`): the agency's proactive disclosures
//! (Arts. 19–26), newest first, and a form to register one — the register the portal's directory
//! and table 2 are read from. Staff and approvers of the agency write; supervisors read.
//! A year locked by publication refuses new items of that year (the period lock).
//!
//! Each new item carries what the directory must show (Art. 12, A2.3: 内容概述, 生成日期) and its
//! 保密审查 (Art. 17, A1.5: reviewer, date, result — publication without one is refused). The
//! list flags every item published later than 20 working days after it was formed (Art. 26,
//! A1.4).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use chrono::{Datelike, NaiveDate};
use gongkai_core::clock;
use gongkai_core::register::{Agency, ProactiveDisclosure};
use gongkai_store::ProactiveDetails;
use serde::Deserialize;

use crate::auth::{ConsoleForm, CurrentUser};
use crate::console::{chrome, page, Me};
use crate::error::WebError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/console/proactive", get(list).post(add))
}

#[derive(Debug, Deserialize)]
struct AgencyQuery {
    agency: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "console/proactive.html")]
struct RegisterPage {
    chrome: crate::layout::Chrome,
    me: Me,
    agency: Agency,
    items: Vec<ItemRow>,
    /// How many items were published after their Art. 26 deadline.
    late: usize,
    /// A3.4: each Art. 20 sub-column's items and freshness.
    columns: Vec<ColumnHealth>,
    /// Sub-columns with no item.
    empty_columns: usize,
    can_write: bool,
    /// The Art. 20 items (1–15) for the form's list.
    article20: Vec<(u8, &'static str)>,
    /// The values typed, kept when the form is refused.
    values: NewItem,
    error: Option<String>,
    notice: Option<String>,
}

async fn agency_of(state: &AppState, user: &CurrentUser, code: Option<&str>) -> Result<Agency, WebError> {
    let code = code.map(str::trim).filter(|c| !c.is_empty()).unwrap_or(user.agency());
    user.require_read(code)?;
    state.store.get_agency(code).await.map_err(WebError::from)?.ok_or(WebError::NotFound("机关"))
}

async fn render_page(
    state: &AppState,
    user: &CurrentUser,
    agency: Agency,
    values: NewItem,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let mut items = state.store.list_proactive(&agency.code).await.map_err(WebError::from)?;
    items.reverse();
    let mut details: std::collections::HashMap<String, ProactiveDetails> = state
        .store
        .list_proactive_details(&agency.code)
        .await
        .map_err(WebError::from)?
        .into_iter()
        .map(|d| (d.index_number.clone(), d))
        .collect();
    let items: Vec<ItemRow> = items
        .into_iter()
        .map(|item| {
            let d = details.remove(&item.index_number);
            let due = d
                .as_ref()
                .and_then(|d| clock::proactive_publication_due(&state.calendar, d.generated_on).ok())
                .map(|w| w.end);
            ItemRow { late: due.is_some_and(|due| item.published_on > due), due, details: d, item }
        })
        .collect();
    let late = items.iter().filter(|i| i.late).count();
    let columns = column_health(&items, state.clock.today());
    let empty_columns = columns.iter().filter(|c| c.count == 0).count();
    // A2.5: no national 索引号 format exists; the form offers the agency's next number in the
    // form 机关代码-年份-序号 (unique in the agency, which the store enforces), editable.
    let mut values = values;
    if values.index_number.is_empty() && values.title.is_empty() {
        values.index_number = next_index_number(&agency.code, state.clock.today().year(), &items);
    }
    let can_write = user.can_write(&agency.code);
    let article20 = crate::portal::ARTICLE20_ITEMS
        .iter()
        .enumerate()
        .map(|(i, l)| (u8::try_from(i + 1).unwrap_or(0), *l))
        .collect();
    page(
        &RegisterPage {
            chrome: chrome(state, format!("主动公开登记：{}", agency.name)),
            me: Me::of(user),
            agency,
            items,
            late,
            columns,
            empty_columns,
            can_write,
            article20,
            values,
            error,
            notice,
        },
        status,
    )
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AgencyQuery>,
) -> Result<Response, WebError> {
    let agency = agency_of(&state, &user, q.agency.as_deref()).await?;
    let notice = q.done.filter(|d| d == "added").map(|_| "已登记".to_string());
    render_page(&state, &user, agency, NewItem::default(), None, notice, StatusCode::OK).await
}

/// How long a column may go without a new item before the site checks (G19, A3.4) count it as
/// not updated: six months, the rule for 通知公告 and 政策文件 columns.
const STALE_AFTER_DAYS: i64 = 183;

/// One Art. 20 sub-column of the directory (法定主动公开内容, A1.3) as the website checks see it.
struct ColumnHealth {
    label: &'static str,
    count: usize,
    latest: Option<NaiveDate>,
    /// No item for more than [`STALE_AFTER_DAYS`].
    stale: bool,
}

/// Each Art. 20 sub-column: how many items, the newest, and whether it is empty or stale (A3.4:
/// G19 vetoes a site with five or more empty columns, or columns not updated in time).
fn column_health(items: &[ItemRow], today: NaiveDate) -> Vec<ColumnHealth> {
    crate::portal::ARTICLE20_ITEMS
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let n = u8::try_from(i + 1).ok();
            let mine = items.iter().filter(|r| r.item.article20_item == n);
            let (count, latest) =
                mine.fold((0, None), |(c, l): (usize, Option<NaiveDate>), r| (c + 1, l.max(Some(r.item.published_on))));
            let stale = latest.is_some_and(|d| (today - d).num_days() > STALE_AFTER_DAYS);
            ColumnHealth { label, count, latest, stale }
        })
        .collect()
}

/// The next free index number `{agency}-{year}-{seq:04}` after those of the register that follow
/// the pattern.
fn next_index_number(agency: &str, year: i32, items: &[ItemRow]) -> String {
    let prefix = format!("{agency}-{year}-");
    let last = items
        .iter()
        .filter_map(|r| r.item.index_number.strip_prefix(&prefix))
        .filter_map(|seq| seq.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{:04}", last.saturating_add(1))
}

/// One row of the register: the item, its details and review, and its Art. 26 deadline.
struct ItemRow {
    item: ProactiveDisclosure,
    details: Option<ProactiveDetails>,
    /// The 20th working day after 生成日期 (Art. 26), when the formation date is recorded.
    due: Option<NaiveDate>,
    /// Published after `due`.
    late: bool,
}

/// The form's fields, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
struct NewItem {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    index_number: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    document_number: String,
    #[serde(default)]
    article20_item: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    published_on: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    generated_on: String,
    #[serde(default)]
    review_by: String,
    #[serde(default)]
    reviewed_on: String,
    #[serde(default)]
    review_result: String,
}

/// The form as the use case's input, or the field that is wrong and why (a number or a date that
/// is not one); every other rule is the use case's ([`gongkai_app::proactive::validated`]).
fn parse(agency: &str, f: &NewItem) -> Result<gongkai_app::proactive::NewProactive, String> {
    let article20_item = match f.article20_item.trim() {
        "" => None,
        s => match s.parse::<u8>() {
            Ok(n @ 1..=15) => Some(n),
            _ => return Err("条例第二十条事项：应为（一）至（十五）之一".into()),
        },
    };
    let date = |v: &str, message: &str| match v.trim() {
        "" => Ok(None),
        v => NaiveDate::parse_from_str(v, "%Y-%m-%d").map(Some).map_err(|_| message.to_string()),
    };
    let published_on = date(&f.published_on, "发布日期：应为 YYYY-MM-DD 格式的日期")?
        .ok_or_else(|| "发布日期：不能为空".to_string())?;
    let generated_on = date(&f.generated_on, "生成日期：应为 YYYY-MM-DD 格式的日期（信息形成或者变更的日期）")?;
    let reviewed_on = date(&f.reviewed_on, "保密审查日期：应为 YYYY-MM-DD 格式的日期")?;
    Ok(gongkai_app::proactive::NewProactive {
        item: ProactiveDisclosure {
            agency: agency.to_string(),
            index_number: f.index_number.clone(),
            title: f.title.clone(),
            document_number: Some(f.document_number.clone()),
            article20_item,
            category: Some(f.category.clone()),
            channels: vec!["website".to_string()],
            published_on,
            validity: None,
        },
        summary: f.summary.clone(),
        generated_on,
        reviewer: f.review_by.clone(),
        reviewed_on,
        review_result: f.review_result.clone(),
    })
}

async fn add(State(state): State<AppState>, form: ConsoleForm<NewItem>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    let agency = agency_of(&state, &user, Some(&form.agency)).await?;
    if let Err(e) = user.require_write(&agency.code) {
        user.audit(&state, "proactive.add", &agency.code, false, Some("not permitted".into())).await;
        return Err(e);
    }
    let input = match parse(&agency.code, &form) {
        Ok(v) => v,
        Err(msg) => {
            return render_page(&state, &user, agency, form, Some(msg), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    };
    let added =
        gongkai_app::proactive::add(&state.store, &state.calendar, &state.clock, &user.actor(), input, None).await;
    match added {
        Ok(_) => {
            let code = crate::portal::url_segment(&agency.code);
            Ok(Redirect::to(&format!("/console/proactive?agency={code}&done=added")).into_response())
        }
        Err(e @ gongkai_app::AppError::Invalid { .. }) => {
            let msg = e.to_string();
            render_page(&state, &user, agency, form, Some(msg), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e @ (gongkai_app::AppError::Conflict(_) | gongkai_app::AppError::Locked(_))) => {
            let msg = e.to_string();
            render_page(&state, &user, agency, form, Some(msg), None, StatusCode::CONFLICT).await
        }
        Err(e) => Err(WebError::from(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(index: &str) -> ItemRow {
        ItemRow {
            item: ProactiveDisclosure {
                agency: "FIN".into(),
                index_number: index.into(),
                title: "t".into(),
                document_number: None,
                article20_item: None,
                category: None,
                channels: Vec::new(),
                published_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default(),
                validity: None,
            },
            details: None,
            due: None,
            late: false,
        }
    }

    /// A3.4: empty and stale sub-columns are found.
    #[test]
    fn a3_4_empty_and_stale_columns() {
        let mut old = row("A");
        old.item.article20_item = Some(1);
        old.item.published_on = NaiveDate::from_ymd_opt(2025, 1, 2).unwrap_or_default();
        let mut new = row("B");
        new.item.article20_item = Some(2);
        new.item.published_on = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
        let c = column_health(&[old, new], today);
        assert_eq!(c.len(), 15);
        assert!(c[0].count == 1 && c[0].stale);
        assert!(
            c[1].count == 1
                && !c[1].stale
                && c[1].latest == Some(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default())
        );
        assert_eq!(c.iter().filter(|x| x.count == 0).count(), 13);
    }

    /// A2.5: the next number of the agency's own pattern; other patterns and years are ignored.
    #[test]
    fn a2_5_the_next_index_number_follows_the_agencys_pattern() {
        assert_eq!(next_index_number("FIN", 2026, &[]), "FIN-2026-0001");
        let items = [row("FIN-2026-0001"), row("FIN-2026-0009"), row("FIN-2025-0042"), row("000014349/2026-00110")];
        assert_eq!(next_index_number("FIN", 2026, &items), "FIN-2026-0010");
    }
}
