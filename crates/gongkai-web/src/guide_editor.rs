//! 政府信息公开指南 in the console (`/console/guide`, Art. 12; portal-and-security.md A2.1, A2.2):
//! the office fills every field Art. 12 names (工作机构名称、办公地址、办公时间、联系电话、传真号码、
//! 互联网联系方式) and the usual outline (主动公开; 目录的分类与编排; 依申请公开; 收费; 监督和救济),
//! with its 更新日期. Saving goes through the same use case as `gongkai guide set`
//! ([`gongkai_app::guide::set`]): a guide with an empty required field is refused naming it, and
//! nothing is stored; every save is audited and kept as a version, whose history the page lists
//! (who changed which items, when). Staff and approvers of the agency write; supervisors read.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use gongkai_app::guide::{GuideChange, SECTIONS};
use gongkai_core::register::Agency;
use gongkai_store::DisclosureGuide;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::article20::agency_of;
use crate::auth::{ConsoleForm, CurrentUser};
use crate::console::{chrome, page, Me};
use crate::error::WebError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/console/guide", get(show).post(save))
}

/// The single-line fields: (form name = the JSON key of `gongkai guide set`, label, required),
/// the use case's own list.
const LINES: [(&str, &str, bool); 8] = gongkai_app::guide::FIELDS;

/// The outline's sections Art. 12 itself requires (分类、编排体系和获取方式).
const REQUIRED_SECTIONS: [&str; 2] = gongkai_app::guide::REQUIRED_SECTIONS;

#[derive(Debug, Deserialize)]
struct ShowQuery {
    agency: Option<String>,
    done: Option<String>,
}

/// The form as typed, so that a refused form comes back as it was.
#[derive(Debug, Default, Clone, Deserialize)]
struct GuideForm {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    fax: String,
    #[serde(default)]
    web_contact: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    catalogue: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    fees: String,
    #[serde(default)]
    remedies: String,
    #[serde(default)]
    updated_on: String,
}

impl GuideForm {
    fn value(&self, key: &str) -> &str {
        match key {
            "office" => &self.office,
            "address" => &self.address,
            "postcode" => &self.postcode,
            "hours" => &self.hours,
            "phone" => &self.phone,
            "fax" => &self.fax,
            "web_contact" => &self.web_contact,
            "email" => &self.email,
            "scope" => &self.scope,
            "catalogue" => &self.catalogue,
            "request" => &self.request,
            "fees" => &self.fees,
            "remedies" => &self.remedies,
            _ => "",
        }
    }

    /// A stored guide as the form shows it.
    fn of(g: &DisclosureGuide) -> GuideForm {
        let section = |k: &str| g.sections.get(k).cloned().unwrap_or_default();
        GuideForm {
            agency: g.agency.clone(),
            office: g.office_name.clone(),
            address: g.address.clone(),
            postcode: g.postcode.clone().unwrap_or_default(),
            hours: g.office_hours.clone(),
            phone: g.phone.clone(),
            fax: g.fax.clone(),
            web_contact: g.web_contact.clone(),
            email: g.email.clone().unwrap_or_default(),
            scope: section("scope"),
            catalogue: section("catalogue"),
            request: section("request"),
            fees: section("fees"),
            remedies: section("remedies"),
            updated_on: g.updated_on.to_string(),
        }
    }

    /// The form in the JSON form the use case reads (`gongkai guide show --json`): empty
    /// optional items left out, so that the use case alone says what is required.
    fn to_json(&self) -> Value {
        let mut obj = Map::new();
        for (key, _, _) in LINES {
            obj.insert(key.to_string(), json!(self.value(key)));
        }
        let mut sections = Map::new();
        for (key, _) in SECTIONS {
            let text = self.value(key);
            if !text.trim().is_empty() || REQUIRED_SECTIONS.contains(&key) {
                sections.insert(key.to_string(), json!(text));
            }
        }
        obj.insert("sections".into(), Value::Object(sections));
        if !self.updated_on.trim().is_empty() {
            obj.insert("updated_on".into(), json!(self.updated_on.trim()));
        }
        Value::Object(obj)
    }
}

/// One input of the form.
struct Field {
    name: &'static str,
    label: &'static str,
    required: bool,
    value: String,
    invalid: bool,
}

#[derive(Template)]
#[template(path = "console/guide.html")]
struct GuidePage {
    chrome: crate::layout::Chrome,
    me: Me,
    agency: Agency,
    can_write: bool,
    lines: Vec<Field>,
    sections: Vec<Field>,
    updated_on: String,
    history: Vec<GuideChange>,
    error: Option<String>,
    notice: Option<String>,
}

impl GuidePage {
    fn portal(&self) -> String {
        format!("/agencies/{}/guide", crate::portal::url_segment(&self.agency.code))
    }
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    agency: Agency,
    form: GuideForm,
    error: Option<(String, &'static str)>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (_, history) = gongkai_app::guide::history(&state.store, &agency.code).await?;
    let bad = error.as_ref().map(|(_, field)| *field);
    let field = |name: &'static str, label: &'static str, required: bool| Field {
        name,
        label,
        required,
        value: form.value(name).to_string(),
        invalid: bad == Some(name),
    };
    let lines = LINES.iter().map(|(k, l, r)| field(k, l, *r)).collect();
    let sections = SECTIONS.iter().map(|(k, h)| field(k, h, REQUIRED_SECTIONS.contains(k))).collect();
    let updated_on =
        if form.updated_on.trim().is_empty() { state.clock.today().to_string() } else { form.updated_on.clone() };
    page(
        &GuidePage {
            chrome: chrome(state, format!("政府信息公开指南：{}", agency.name)),
            me: Me::of(user),
            can_write: user.can_write(&agency.code),
            agency,
            lines,
            sections,
            updated_on,
            history,
            error: error.map(|(m, _)| m),
            notice,
        },
        status,
    )
}

/// `GET /console/guide?agency=`: the guide as stored (or an empty form), and its history.
async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let agency = agency_of(&state, &user, q.agency.as_deref()).await?;
    let stored = state.store.get_guide(&agency.code).await?;
    let form = stored.as_ref().map(GuideForm::of).unwrap_or_default();
    let notice = q.done.filter(|d| d == "saved").map(|_| "政府信息公开指南已保存，公开专栏即时显示".to_string());
    render(&state, &user, agency, form, None, notice, StatusCode::OK).await
}

/// `POST /console/guide`: replaces the guide through [`gongkai_app::guide::set`].
async fn save(State(state): State<AppState>, form: ConsoleForm<GuideForm>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    let agency = agency_of(&state, &user, Some(&form.agency)).await?;
    if let Err(e) = user.require_write(&agency.code) {
        user.audit(&state, "guide.set", &agency.code, false, Some("not permitted".into())).await;
        return Err(e);
    }
    // Checked, stored, versioned and audited as `gongkai guide set` is.
    match gongkai_app::guide::set(&state.store, &state.clock, &user.actor(), &agency.code, &form.to_json()).await {
        Ok(_) => {
            let to = format!("/console/guide?agency={}&done=saved", crate::portal::url_segment(&agency.code));
            Ok(Redirect::to(&to).into_response())
        }
        Err(gongkai_app::AppError::Invalid { field, message }) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(&state, &user, agency, form, Some((gongkai_app::guide::by_labels(&message), field)), None, status)
                .await
        }
        Err(e) => Err(e.into()),
    }
}
