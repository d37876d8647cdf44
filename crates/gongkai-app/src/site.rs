//! 网站设置: the site's identity that every page's meta tags and footer carry (portal-and-security.md
//! A3.1, A3.2) — 网站名称, 域名, 政府网站标识码, 主办单位, 联系方式, ICP备案编号, 公安机关备案号 and the
//! 「我为政府网站找错」 address. The administrator keeps it in the database (the console's 网站设置,
//! `gongkai site set`); `gongkai serve` flags and `GONGKAI_SITE_*` settings override it item by
//! item, for a deployment that pins them. The host is never hard-coded (A3.5).

use serde::{Deserialize, Serialize};

use gongkai_store::Store;

use crate::{Actor, AppError, Clock};

/// 网站配置: the page elements of a government site, resolved (defaults ← stored ← overrides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteConfig {
    /// `SiteName` (网站名称); default 政府信息公开 (A1.2's uniform title).
    pub site_name: String,
    /// `SiteDomain` (网站域名), e.g. `www.example.gov.cn`.
    pub site_domain: String,
    /// `SiteIDCode` (政府网站标识码), usually 10 characters; shown in the footer.
    pub site_id_code: String,
    /// 主办单位.
    pub sponsor: String,
    /// 联系方式 of the site.
    pub contact: String,
    /// ICP备案编号 (links to beian.miit.gov.cn).
    pub icp_number: String,
    /// 公安机关备案号.
    pub police_number: String,
    /// 「我为政府网站找错」 address.
    pub error_report_url: String,
}

impl Default for SiteConfig {
    fn default() -> SiteConfig {
        SiteConfig {
            site_name: "政府信息公开".to_string(),
            site_domain: "localhost".to_string(),
            site_id_code: "0000000000".to_string(),
            sponsor: "（未配置主办单位）".to_string(),
            contact: "（未配置联系方式）".to_string(),
            icp_number: "（未配置ICP备案编号）".to_string(),
            police_number: "（未配置公安机关备案号）".to_string(),
            error_report_url: "https://zfwzgl.www.gov.cn/exposure/jiucuo.html".to_string(),
        }
    }
}

impl SiteConfig {
    /// Warnings about the configuration, said when the site starts: the footer items still at
    /// their placeholders (A3.1: a government site's footer names its sponsor, 标识码 and
    /// registrations), each with where it is filled; a 标识码 not of the usual 10 characters
    /// (warn, never reject).
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        let unset: Vec<String> =
            self.unset().iter().map(|f| format!("{}（启动参数 --site-{}）", f.label, f.flag)).collect();
        if !unset.is_empty() {
            w.push(format!(
                "网站页脚仍为占位内容，以下项目尚未配置：{}；请系统管理员在工作平台的“网站设置”中填写，或用 gongkai site set 设置",
                unset.join("、")
            ));
        } else if self.site_id_code.chars().count() != 10 {
            w.push(format!("网站标识码「{}」通常为10位", self.site_id_code));
        }
        w
    }

    /// The footer items still at their placeholders.
    pub fn unset(&self) -> Vec<&'static Field> {
        let placeholder = SiteConfig::default();
        FIELDS.iter().filter(|f| f.footer && f.get(self) == f.get(&placeholder)).collect()
    }

    /// The same configuration with each item `layer` sets in place of this one's.
    pub fn with(mut self, layer: &SiteSettings) -> SiteConfig {
        for f in &FIELDS {
            if let Some(v) = f.stored(layer).as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                *f.get_mut(&mut self) = v.to_string();
            }
        }
        self
    }
}

/// The site's identity as stored or given as overrides: each item set, or `None` for the one
/// below it (the default, or the stored value under a `serve` flag). The JSON keys are the
/// settings' names (`site_name`, `site_sponsor`, …, as in gongkai.toml).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSettings {
    /// 网站名称.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    /// 网站域名.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_domain: Option<String>,
    /// 政府网站标识码.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id_code: Option<String>,
    /// 主办单位.
    #[serde(default, rename = "site_sponsor", skip_serializing_if = "Option::is_none")]
    pub sponsor: Option<String>,
    /// 网站联系方式.
    #[serde(default, rename = "site_contact", skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// ICP备案编号.
    #[serde(default, rename = "site_icp", skip_serializing_if = "Option::is_none")]
    pub icp_number: Option<String>,
    /// 公安机关备案号.
    #[serde(default, rename = "site_police", skip_serializing_if = "Option::is_none")]
    pub police_number: Option<String>,
    /// 「我为政府网站找错」地址.
    #[serde(default, rename = "site_error_report_url", skip_serializing_if = "Option::is_none")]
    pub error_report_url: Option<String>,
}

/// One item of the site's identity: its key (the setting's and the form field's name), its label,
/// the `serve` flag's suffix, and whether the footer shows it (a placeholder there is warned).
pub struct Field {
    /// The setting's name (`site_sponsor`) and the form field's.
    pub key: &'static str,
    /// The label the console shows.
    pub label: &'static str,
    /// The flag after `--site-`.
    pub flag: &'static str,
    /// Whether the footer shows it.
    pub footer: bool,
    get: fn(&SiteConfig) -> &String,
    get_mut: fn(&mut SiteConfig) -> &mut String,
    stored: fn(&SiteSettings) -> &Option<String>,
    stored_mut: fn(&mut SiteSettings) -> &mut Option<String>,
}

impl Field {
    /// The item's value in a resolved configuration.
    pub fn get<'a>(&self, c: &'a SiteConfig) -> &'a String {
        (self.get)(c)
    }
    fn get_mut<'a>(&self, c: &'a mut SiteConfig) -> &'a mut String {
        (self.get_mut)(c)
    }
    /// The item as stored (or overridden), `None` when not set.
    pub fn stored<'a>(&self, s: &'a SiteSettings) -> &'a Option<String> {
        (self.stored)(s)
    }
    /// The item to set.
    pub fn stored_mut<'a>(&self, s: &'a mut SiteSettings) -> &'a mut Option<String> {
        (self.stored_mut)(s)
    }
}

macro_rules! field {
    ($key:literal, $label:literal, $flag:literal, $footer:literal, $config:ident, $settings:ident) => {
        Field {
            key: $key,
            label: $label,
            flag: $flag,
            footer: $footer,
            get: |c| &c.$config,
            get_mut: |c| &mut c.$config,
            stored: |s| &s.$settings,
            stored_mut: |s| &mut s.$settings,
        }
    };
}

/// The items in the order the console's form and `gongkai site show` list them.
pub const FIELDS: [Field; 8] = [
    field!("site_name", "网站名称", "name", false, site_name, site_name),
    field!("site_domain", "网站域名", "domain", false, site_domain, site_domain),
    field!("site_sponsor", "主办单位", "sponsor", true, sponsor, sponsor),
    field!("site_contact", "联系方式", "contact", true, contact, contact),
    field!("site_id_code", "网站标识码", "id-code", true, site_id_code, site_id_code),
    field!("site_icp", "ICP备案编号", "icp", true, icp_number, icp_number),
    field!("site_police", "公安机关备案号", "police", true, police_number, police_number),
    field!(
        "site_error_report_url",
        "「我为政府网站找错」地址",
        "error-report-url",
        false,
        error_report_url,
        error_report_url
    ),
];

/// The audit event type of a change of the site's identity.
const AUDIT_EVENT: &str = "config.site";

/// The site's identity as stored (nothing set on a new database).
pub async fn stored(store: &Store) -> Result<SiteSettings, AppError> {
    let Some(json) = store.site_identity().await? else { return Ok(SiteSettings::default()) };
    serde_json::from_str(&json).map_err(|e| {
        AppError::Store(gongkai_store::StoreError::Corrupt {
            table: "settings",
            column: "value",
            detail: format!("site_identity is not the site's identity: {e}"),
        })
    })
}

/// Replaces the stored identity with `settings` (an empty item: back to its default), each item
/// checked — no control characters, a 标识码 of letters and digits, the error-report address a
/// web address — and nothing stored when one is refused. Audited as `config.site` with the items
/// changed, in the same transaction as the write (B6: configuration changes are audited).
pub async fn set(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    settings: SiteSettings,
) -> Result<SiteSettings, AppError> {
    let outcome = checked(store, clock, actor, settings).await;
    if let Err(e) = &outcome {
        actor.audit(store, clock, AUDIT_EVENT, "site_identity", false, Some(e.to_string())).await;
    }
    outcome
}

async fn checked(store: &Store, clock: &Clock, actor: &Actor, given: SiteSettings) -> Result<SiteSettings, AppError> {
    let before = stored(store).await?;
    let mut settings = SiteSettings::default();
    for f in &FIELDS {
        let value = match f.stored(&given) {
            Some(v) => gongkai_core::input::text(f.key, f.label, v, false)
                .map_err(|e| AppError::Invalid { field: f.key, message: e.message })?,
            None => String::new(),
        };
        if value.is_empty() {
            continue;
        }
        match f.key {
            "site_id_code" if !value.chars().all(|c| c.is_ascii_alphanumeric()) => {
                return Err(AppError::invalid(f.key, format!("网站标识码「{value}」只能由字母和数字组成")));
            }
            "site_error_report_url" if !(value.starts_with("https://") || value.starts_with("http://")) => {
                return Err(AppError::invalid(
                    f.key,
                    format!("「我为政府网站找错」地址「{value}」应为以 https:// 或 http:// 开头的网址"),
                ));
            }
            "site_domain" if value.contains("://") || value.contains('/') || value.contains(char::is_whitespace) => {
                return Err(AppError::invalid(
                    f.key,
                    format!("网站域名「{value}」只填域名，如 www.example.gov.cn，不含 https:// 和路径"),
                ));
            }
            _ => {}
        }
        *f.stored_mut(&mut settings) = Some(value);
    }
    let changed: Vec<&str> =
        FIELDS.iter().filter(|f| f.stored(&before) != f.stored(&settings)).map(|f| f.label).collect();
    let detail = if changed.is_empty() {
        "网站设置未变".to_string()
    } else {
        format!("修改网站设置：{}", changed.join("、"))
    };
    let json = serde_json::to_string(&settings).map_err(|e| AppError::Internal(e.to_string()))?;
    store.set_site_identity(&json, detail, &actor.username, clock.now()).await?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_footers_placeholders_are_named_with_where_they_are_filled() {
        let w = SiteConfig::default().warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        for expected in [
            "主办单位（启动参数 --site-sponsor）",
            "网站标识码（启动参数 --site-id-code）",
            "公安机关备案号",
            "网站设置",
        ] {
            assert!(w[0].contains(expected), "{expected}: {w:?}");
        }
        let set = SiteConfig {
            sponsor: "某县人民政府办公室".into(),
            contact: "0571-87000000".into(),
            site_id_code: "3301000001".into(),
            icp_number: "浙ICP备00000000号".into(),
            police_number: "浙公网安备33010002000001号".into(),
            ..SiteConfig::default()
        };
        assert!(set.warnings().is_empty(), "{:?}", set.warnings());
        let short = SiteConfig { site_id_code: "12345".into(), ..set };
        assert_eq!(short.warnings(), ["网站标识码「12345」通常为10位"]);
    }

    #[test]
    fn layers_replace_item_by_item_and_a_blank_item_keeps_the_one_below() {
        let stored = SiteSettings {
            sponsor: Some("某县人民政府办公室".into()),
            site_id_code: Some("3301000001".into()),
            ..SiteSettings::default()
        };
        let flags = SiteSettings {
            site_id_code: Some("3301000002".into()),
            contact: Some("  ".into()),
            ..SiteSettings::default()
        };
        let c = SiteConfig::default().with(&stored).with(&flags);
        assert_eq!(c.sponsor, "某县人民政府办公室");
        assert_eq!(c.site_id_code, "3301000002");
        assert_eq!(c.contact, SiteConfig::default().contact);
        // The JSON keys are the settings' names.
        let json = serde_json::to_value(&stored).unwrap_or_default();
        assert_eq!(json["site_sponsor"], "某县人民政府办公室");
        assert_eq!(json["site_id_code"], "3301000001");
        assert!(json.get("site_contact").is_none());
    }
}
