//! The JSON API under `/api/v1` (issue 7 item 5), described by OpenAPI 3.1 at
//! `/api/v1/openapi.json` with a documentation page at `/api/v1/docs` rendered from it (no
//! external resources; Swagger UI's build downloads, so it is not used).
//!
//! The shapes are fixed (other tools rely on them): dates are `YYYY-MM-DD`; errors are
//! [`ApiErrorBody`] — 422 with the field and the reason, 404 for an unknown agency, and 404 for a
//! wrong query code exactly as for an unknown tracking number.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use utoipa::OpenApi;

use crate::error::{ApiErrorBody, FieldError, WebError};
use crate::filing::{self, Filed, ReplyOut, Submission, Tracking};
use crate::ratelimit::PeerIp;
use crate::{reports, staff_api, AppState};

/// The API routes (nested under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agencies", get(agencies))
        .route("/agencies/{code}/requests", post(file_request))
        .route("/agencies/{code}/reports/{year}", get(report))
        .route("/requests/{tracking_number}", get(track))
        .route("/requests/{tracking_number}/documents/{number}", get(crate::documents::api_document))
        .route("/requests/{tracking_number}/attachments/{attachment}", get(crate::documents::api_attachment))
        .route("/openapi.json", get(openapi_json))
        .route("/docs", get(docs))
        .merge(staff_api::routes())
}

/// The OpenAPI document of the public API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "gongkai API",
        description = "政府信息公开：机关目录、依申请公开的提交与查询、政府信息公开工作年度报告",
        version = "1"
    ),
    paths(
        agencies,
        file_request,
        track,
        report,
        staff_api::staff_requests,
        staff_api::staff_request,
        staff_api::record_event,
        staff_api::draft_report
    ),
    components(schemas(
        AgencyOut,
        RequestIn,
        Filed,
        Tracking,
        ReplyOut,
        ApiErrorBody,
        FieldError,
        staff_api::StaffRequests,
        staff_api::StaffRequest,
        staff_api::StaffRequestDetail,
        staff_api::StaffEvent,
        staff_api::EventIn,
        staff_api::StaffReport
    ))
)]
pub struct ApiDoc;

/// The OpenAPI document as JSON.
pub fn openapi() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or(serde_json::Value::Null)
}

/// One agency of the directory.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgencyOut {
    /// 机关代码.
    pub code: String,
    /// 机关名称.
    pub name: String,
    /// The parent agency's code (`null` at the top of the tree).
    pub parent: Option<String>,
}

/// 机关目录: every agency with its parent (the tree).
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies",
    responses((status = 200, description = "机关目录", body = [AgencyOut])))]
async fn agencies(State(state): State<AppState>) -> Result<Json<Vec<AgencyOut>>, WebError> {
    let list = state.agencies.get(&state.store).await?;
    Ok(Json(
        list.iter()
            .map(|a| AgencyOut { code: a.code.clone(), name: a.name.clone(), parent: a.parent.clone() })
            .collect(),
    ))
}

/// A request as filed (Art. 29). No purpose field: the regulation asks none.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // Documents the body; the handler reads it field by field for precise errors.
pub struct RequestIn {
    /// 申请人类型: a table-3 column name — `natural_person`, `commercial`, `research`,
    /// `public_interest`, `legal_services` or `other`.
    applicant_type: String,
    /// 姓名或名称 (at most 100 characters, no `<` `>`).
    name: String,
    /// 证件类型: `resident_id_card` (居民身份证), `residence_permit` (港澳台居民居住证),
    /// `passport`, `credit_code` (统一社会信用代码, for organisations) or `other`.
    id_document_type: String,
    /// 证件号码, checked by its type: the check digit of a resident identity card or residence
    /// permit (GB 11643) and of a credit code (GB 32100); at most 60 characters.
    id_document: String,
    /// 联系电话 (required: 7 to 20 digits, e.g. `13812345678` or `010-12345678`).
    phone: String,
    /// 通信地址 (at most 80 characters): required when `delivery` is `post`.
    address: Option<String>,
    /// 邮政编码 (6 digits): required when `delivery` is `post`.
    postcode: Option<String>,
    /// 电子邮箱: required when `delivery` is `email`.
    email: Option<String>,
    /// 所需信息的名称、文号或特征性描述 (at most 5000 characters).
    content: String,
    /// 载体形式: `paper`, `electronic` or `other`.
    form: String,
    /// 获取方式: `post`, `email`, `pickup` or `online`.
    delivery: String,
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "布尔值",
        serde_json::Value::Number(_) => "数字",
        serde_json::Value::String(_) => "文本",
        serde_json::Value::Array(_) => "数组",
        serde_json::Value::Object(_) => "对象",
    }
}

/// Reads the body field by field, so that every error names its field.
fn submission(body: &[u8]) -> Result<Submission, WebError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| WebError::Invalid(vec![FieldError::new("body", format!("请求体不是有效的 JSON：{e}"))]))?;
    let serde_json::Value::Object(map) = value else {
        return Err(WebError::Invalid(vec![FieldError::new("body", "请求体应为 JSON 对象")]));
    };
    let mut s = Submission::default();
    for (field, _) in filing::FIELDS {
        match map.get(field) {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::String(v)) => {
                s.fields.insert(field.to_string(), Ok(v.clone()));
            }
            Some(other) => {
                s.fields.insert(field.to_string(), Err(json_type(other)));
            }
        }
    }
    Ok(s)
}

/// 提交政府信息公开申请: registers the request (received today, channel online) and answers with
/// the tracking number, the query code (shown once) and the statutory due date (Art. 33).
#[utoipa::path(post, path = "/api/v1/agencies/{code}/requests", tag = "requests",
    params(("code" = String, Path, description = "机关代码")),
    request_body(content = RequestIn, content_type = "application/json"),
    responses(
        (status = 201, description = "已受理", body = Filed),
        (status = 404, description = "没有该机关", body = ApiErrorBody),
        (status = 422, description = "输入有误：field 和 reason 指出哪一项、为什么", body = ApiErrorBody),
        (status = 429, description = "请求过于频繁", body = ApiErrorBody),
    ))]
async fn file_request(
    State(state): State<AppState>,
    peer: PeerIp,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    state.limiter.take(peer)?;
    if state.store.get_agency(&code).await?.is_none() {
        return Err(WebError::NotFound("机关"));
    }
    let s = submission(&body)?;
    let valid = filing::validate(&s).map_err(WebError::Invalid)?;
    let filed = filing::file(&state, &code, valid).await?;
    let mut r = (StatusCode::CREATED, Json(filed)).into_response();
    r.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(r)
}

/// `?code=` of the tracking endpoint.
#[derive(Debug, serde::Deserialize)]
struct CodeQuery {
    #[serde(default)]
    code: String,
}

/// 查询申请办理进度: status, receipt date, due date and replies. A wrong query code answers 404
/// exactly like an unknown tracking number.
#[utoipa::path(get, path = "/api/v1/requests/{tracking_number}", tag = "requests",
    params(
        ("tracking_number" = String, Path, description = "受理编号"),
        ("code" = String, Query, description = "查询码"),
    ),
    responses(
        (status = 200, description = "办理进度", body = Tracking),
        (status = 404, description = "未找到，或查询码不正确", body = ApiErrorBody),
        (status = 429, description = "请求过于频繁", body = ApiErrorBody),
    ))]
async fn track(
    State(state): State<AppState>,
    peer: PeerIp,
    Path(tracking_number): Path<String>,
    Query(q): Query<CodeQuery>,
) -> Result<Response, WebError> {
    state.limiter.take(peer)?;
    let t = filing::track(&state, &tracking_number, &q.code).await?;
    let mut r = Json(t).into_response();
    r.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(r)
}

/// 政府信息公开工作年度报告: the canonical report (`gongkai.report/1`) of a published year.
#[utoipa::path(get, path = "/api/v1/agencies/{code}/reports/{year}", tag = "reports",
    params(("code" = String, Path, description = "机关代码"), ("year" = i32, Path, description = "报告年度")),
    responses(
        (status = 200, description = "年度报告", body = Object),
        (status = 404, description = "没有该机关或该年度报告未发布", body = ApiErrorBody),
    ))]
async fn report(
    State(state): State<AppState>,
    Path((code, year)): Path<(String, String)>,
) -> Result<Json<gongkai_core::report::Report>, WebError> {
    let year: i32 = match year.parse() {
        Ok(y @ 1990..=2200) => y,
        _ => return Err(WebError::NotFound("该年度")),
    };
    let agency = state.store.get_agency(&code).await?.ok_or(WebError::NotFound("机关"))?;
    Ok(Json(reports::published(&state, &agency, year).await?.report))
}

async fn openapi_json() -> Json<serde_json::Value> {
    Json(openapi())
}

/// One operation on the documentation page.
struct DocOperation {
    method: String,
    path: String,
    summary: String,
    description: String,
    parameters: Vec<(String, String, String)>,
    body: String,
    responses: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    chrome: crate::layout::Chrome,
    operations: Vec<DocOperation>,
    schemas: Vec<(String, String)>,
}

fn text(v: &serde_json::Value, key: &str) -> String {
    v.get(key).and_then(|x| x.as_str()).unwrap_or("").to_string()
}

fn schema_ref(v: &serde_json::Value) -> String {
    if let Some(r) = v.get("$ref").and_then(|r| r.as_str()) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(items) = v.get("items") {
        return format!("[{}]", schema_ref(items));
    }
    text(v, "type")
}

/// `/api/v1/docs`: the OpenAPI document as a readable page (operations, parameters, bodies,
/// responses, and each schema as JSON).
async fn docs(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let doc = openapi();
    let mut operations = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else { continue };
            for (method, op) in item {
                let parameters = op
                    .get("parameters")
                    .and_then(|p| p.as_array())
                    .map(|ps| {
                        ps.iter().map(|p| (text(p, "name"), text(p, "in"), text(p, "description"))).collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                let body =
                    op.pointer("/requestBody/content/application~1json/schema").map(schema_ref).unwrap_or_default();
                let responses = op
                    .get("responses")
                    .and_then(|r| r.as_object())
                    .map(|rs| {
                        rs.iter()
                            .map(|(status, r)| {
                                let schema =
                                    r.pointer("/content/application~1json/schema").map(schema_ref).unwrap_or_default();
                                (status.clone(), format!("{} {}", text(r, "description"), schema))
                            })
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                operations.push(DocOperation {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary: text(op, "summary"),
                    description: text(op, "description"),
                    parameters,
                    body,
                    responses,
                });
            }
        }
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(|s| s.as_object())
        .map(|s| {
            s.iter()
                .map(|(name, schema)| (name.clone(), serde_json::to_string_pretty(schema).unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    let chrome = crate::layout::Chrome::new(&state.site, "数据接口说明 (API)", "信息公开目录")
        .describe("gongkai 公开数据接口：OpenAPI 3.1 文档");
    crate::layout::render(&DocsPage { chrome, operations, schemas })
}
