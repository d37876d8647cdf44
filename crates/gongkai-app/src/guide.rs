//! 政府信息公开指南 (Art. 12; portal-and-security.md A2.1, A2.2): an agency's guide read and
//! replaced as one JSON document — the form `gongkai guide show|set` uses — with every field
//! Art. 12 names required, so that a guide missing one is refused before anything is stored.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use gongkai_store::{DisclosureGuide, Store};
use serde_json::{Map, Value};

use crate::{Actor, AppError, Clock};

/// The guide's text sections in the usual outline (A2.2): key and heading, in order.
pub const SECTIONS: [(&str, &str); 5] = [
    ("scope", "一、主动公开：范围、方式和时限"),
    ("catalogue", "二、政府信息公开目录的分类与编排体系"),
    ("request", "三、依申请公开：受理机构、提出方式、办理期限"),
    ("fees", "四、收费"),
    ("remedies", "五、监督和救济"),
];

/// The sections Art. 12 itself requires: 分类、编排体系 and 获取方式.
pub const REQUIRED_SECTIONS: [&str; 2] = ["catalogue", "request"];

/// The JSON fields: key, label, required (Art. 12: 名称、办公地址、办公时间、联系电话、传真号码、
/// 互联网联系方式). The console's guide form shows them in this order.
pub const FIELDS: [(&str, &str, bool); 8] = [
    ("office", "政府信息公开工作机构名称", true),
    ("address", "办公地址", true),
    ("hours", "办公时间", true),
    ("phone", "联系电话", true),
    ("fax", "传真号码", true),
    ("web_contact", "互联网联系方式", true),
    ("email", "电子邮箱", false),
    ("postcode", "邮政编码", false),
];

/// The guide as JSON, in the form `set` reads.
pub fn to_json(g: &DisclosureGuide) -> Value {
    serde_json::json!({
        "agency": g.agency,
        "office": g.office_name,
        "address": g.address,
        "hours": g.office_hours,
        "phone": g.phone,
        "fax": g.fax,
        "web_contact": g.web_contact,
        "email": g.email,
        "postcode": g.postcode,
        "sections": g.sections,
        "updated_on": g.updated_on,
    })
}

/// The guide of `agency`, or `None` when it has none yet.
pub async fn show(
    store: &Store,
    agency: &str,
) -> Result<(gongkai_core::register::Agency, Option<DisclosureGuide>), AppError> {
    let agency = crate::year::agency(store, agency).await?;
    let guide = store.get_guide(&agency.code).await?;
    Ok((agency, guide))
}

fn invalid(field: &'static str, message: String) -> AppError {
    AppError::Invalid { field, message }
}

/// Reads a guide from its JSON form: every key known, every value text, every Art. 12 field and
/// required section filled; `updated_on` (更新日期) defaults to today and may not be later.
pub fn parse(agency: &str, json: &Value, today: NaiveDate) -> Result<DisclosureGuide, AppError> {
    let Some(obj) = json.as_object() else {
        return Err(invalid("guide", "指南应为一个 JSON 对象（{\"office\": …, \"address\": …}）".into()));
    };
    let known: Vec<&str> = FIELDS.iter().map(|(k, _, _)| *k).chain(["sections", "updated_on", "agency"]).collect();
    if let Some(k) = obj.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(invalid("guide", format!("未知的字段「{k}」（可用：{}）", known.join("、"))));
    }
    let mut values: BTreeMap<&str, Option<String>> = BTreeMap::new();
    for (key, label, required) in FIELDS {
        let v = text_of(obj, key, label)?;
        // Emptiness is said below, with the key and the article.
        let v = match v {
            Some(t) => Some(gongkai_core::input::text(key, label, &t, false).map_err(|e| invalid(key, e.message))?)
                .filter(|t| !t.is_empty()),
            None => None,
        };
        if required && v.is_none() {
            return Err(invalid(key, format!("{label}（{key}）：不能为空（条例第十二条）")));
        }
        values.insert(key, v);
    }
    if let Some(email) = values.get("email").cloned().flatten() {
        if crate::remind::address(&email).is_none() {
            return Err(invalid("email", format!("电子邮箱（email）：「{email}」不是有效的电子邮箱")));
        }
    }
    let mut sections = BTreeMap::new();
    match obj.get("sections") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                let Some((key, heading)) = SECTIONS.iter().find(|(s, _)| s == k) else {
                    let names: Vec<String> = SECTIONS.iter().map(|(s, h)| format!("{s}（{h}）")).collect();
                    return Err(invalid("sections", format!("未知的章节「{k}」（可用：{}）", names.join("、"))));
                };
                let Some(t) = v.as_str() else {
                    return Err(invalid(key, format!("章节「{key}」（{heading}）应为文本")));
                };
                let t = gongkai_core::input::long_text(key, heading, t, 20_000).map_err(|e| invalid(key, e.message))?;
                if !t.is_empty() {
                    sections.insert((*key).to_string(), t);
                }
            }
        }
        Some(_) => return Err(invalid("sections", "sections 应为对象：{\"scope\": \"…\", …}".into())),
    }
    for key in REQUIRED_SECTIONS {
        if !sections.contains_key(key) {
            let heading = SECTIONS.iter().find(|(k, _)| *k == key).map_or("", |(_, h)| *h);
            return Err(invalid(key, format!("章节「{key}」（{heading}）：不能为空（条例第十二条）")));
        }
    }
    let updated_on = match obj.get("updated_on") {
        None | Some(Value::Null) => today,
        Some(Value::String(s)) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| invalid("updated_on", format!("更新日期（updated_on）：「{s}」应为 YYYY-MM-DD 格式的日期")))?,
        Some(_) => return Err(invalid("updated_on", "更新日期（updated_on）应为 YYYY-MM-DD 格式的文本".into())),
    };
    if updated_on > today {
        return Err(invalid("updated_on", format!("更新日期（updated_on）{updated_on} 晚于今天 {today}")));
    }
    let take = |k: &str| values.get(k).cloned().flatten();
    Ok(DisclosureGuide {
        agency: agency.to_string(),
        office_name: take("office").unwrap_or_default(),
        address: take("address").unwrap_or_default(),
        office_hours: take("hours").unwrap_or_default(),
        phone: take("phone").unwrap_or_default(),
        fax: take("fax").unwrap_or_default(),
        web_contact: take("web_contact").unwrap_or_default(),
        email: take("email"),
        postcode: take("postcode"),
        sections,
        updated_on,
    })
}

fn text_of(obj: &Map<String, Value>, key: &'static str, label: &str) -> Result<Option<String>, AppError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(key, format!("{label}（{key}）应为文本"))),
    }
}

/// Replaces the guide of `agency` with `json` (its JSON form), audited (`guide.set`) in the same
/// transaction; a guide with an empty required field is refused, naming it, and nothing is
/// stored (refusals audited too).
pub async fn set(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    agency: &str,
    json: &Value,
) -> Result<DisclosureGuide, AppError> {
    let outcome = set_checked(store, clock, actor, agency, json).await;
    actor.audit_refusal(store, clock, "guide.set", agency.trim(), &outcome).await;
    outcome
}

async fn set_checked(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    agency: &str,
    json: &Value,
) -> Result<DisclosureGuide, AppError> {
    let code = crate::year::agency(store, agency).await?.code;
    if let Some(named) = json.get("agency").and_then(Value::as_str) {
        if named.trim() != code {
            return Err(invalid("agency", format!("文件中的机关代码「{named}」与 --agency {code} 不一致")));
        }
    }
    let guide = parse(&code, json, clock.today())?;
    actor
        .audited(store, clock, "guide.set", &code, Some(format!("更新日期 {}", guide.updated_on)))
        .put_guide(&guide)
        .await?;
    Ok(guide)
}

/// A refusal of [`parse`] without the JSON keys it names for `gongkai guide set` (「传真号码
/// （fax）」, 「章节「request」（三、依申请公开……）」), for the console's form and the register
/// workbook, which name the fields by their labels.
pub fn by_labels(message: &str) -> String {
    let mut m = message.replace("（updated_on）", "");
    for (key, _, _) in FIELDS {
        m = m.replace(&format!("（{key}）"), "");
    }
    for (key, heading) in SECTIONS {
        m = m.replace(&format!("章节「{key}」（{heading}）"), &format!("「{heading}」"));
    }
    m
}

/// One saved version of a guide as its history shows it (A2.2: who changed what, when).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideChange {
    /// 1, 2, … per agency.
    pub version: i64,
    /// When, in Beijing time (「2026-11-27 10:00:00」).
    pub saved_at: String,
    /// Who: the account, or 「命令行」.
    pub saved_by: String,
    /// The 更新日期 the version carries.
    pub updated_on: NaiveDate,
    /// What changed from the version before, by label (empty for the first version and for a
    /// save that changed nothing).
    pub changed: Vec<&'static str>,
}

/// The history of `agency`'s guide, newest first.
pub async fn history(
    store: &Store,
    agency: &str,
) -> Result<(gongkai_core::register::Agency, Vec<GuideChange>), AppError> {
    let agency = crate::year::agency(store, agency).await?;
    let versions = store.list_guide_versions(&agency.code).await?;
    let mut out: Vec<GuideChange> = Vec::with_capacity(versions.len());
    let mut before: Option<Value> = None;
    for v in versions {
        let now = to_json(&v.guide);
        let changed = match &before {
            None => Vec::new(),
            Some(b) => {
                let fields = FIELDS.iter().filter(|(k, _, _)| b[*k] != now[*k]).map(|(_, label, _)| *label);
                let sections =
                    SECTIONS.iter().filter(|(k, _)| b["sections"][*k] != now["sections"][*k]).map(|(_, h)| *h);
                let date = (b["updated_on"] != now["updated_on"]).then_some("更新日期");
                fields.chain(sections).chain(date).collect()
            }
        };
        out.push(GuideChange {
            version: v.version,
            saved_at: crate::clock::china_text(&v.saved_at),
            saved_by: if v.saved_by == "(cli)" { "命令行".to_string() } else { v.saved_by },
            updated_on: v.guide.updated_on,
            changed,
        });
        before = Some(now);
    }
    out.reverse();
    Ok((agency, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_fields_by_their_labels() {
        assert_eq!(by_labels("传真号码（fax）：不能为空（条例第十二条）"), "传真号码：不能为空（条例第十二条）");
        assert_eq!(
            by_labels("章节「request」（三、依申请公开：受理机构、提出方式、办理期限）：不能为空"),
            "「三、依申请公开：受理机构、提出方式、办理期限」：不能为空"
        );
    }

    #[test]
    fn the_workbook_sheet_names_the_fields_and_sections_as_the_console_does() {
        for (header, key, section) in gongkai_sheet::GUIDE_FIELDS {
            let label = if section {
                SECTIONS.iter().find(|(k, _)| *k == key).map(|(_, h)| *h)
            } else {
                FIELDS.iter().find(|(k, _, _)| *k == key).map(|(_, l, _)| *l)
            };
            assert_eq!(label, Some(header), "{key}");
        }
        assert_eq!(gongkai_sheet::GUIDE_FIELDS.len(), FIELDS.len() + SECTIONS.len());
        for (key, _, required) in FIELDS {
            let spec = gongkai_sheet::GUIDE_COLUMNS.iter().find(|c| c.header == gongkai_sheet::guide_column(key));
            assert_eq!(spec.map(|c| c.required), Some(required), "{key}");
        }
    }
}
