//! The site's identity: what every page's meta tags and footer carry (spec A3.1, A3.2). Set by
//! `gongkai serve` flags or `GONGKAI_SITE_*` environment variables; the host is never hard-coded
//! (A3.5).

/// 网站配置: the page elements of a government site.
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
    /// registrations), each with the flag and the setting that fills it; a 标识码 not of the
    /// usual 10 characters (warn, never reject).
    pub fn warnings(&self) -> Vec<String> {
        let placeholder = SiteConfig::default();
        let mut w = Vec::new();
        let unset: Vec<String> = [
            (&self.sponsor, &placeholder.sponsor, "主办单位", "site-sponsor", "site_sponsor"),
            (&self.contact, &placeholder.contact, "联系方式", "site-contact", "site_contact"),
            (&self.site_id_code, &placeholder.site_id_code, "网站标识码", "site-id-code", "site_id_code"),
            (&self.icp_number, &placeholder.icp_number, "ICP备案编号", "site-icp", "site_icp"),
            (&self.police_number, &placeholder.police_number, "公安机关备案号", "site-police", "site_police"),
        ]
        .into_iter()
        .filter(|(value, default, ..)| value == default)
        .map(|(_, _, label, flag, key)| format!("{label}（--{flag}，或设置项 {key}）"))
        .collect();
        if !unset.is_empty() {
            w.push(format!("网站页脚仍为占位内容，以下项目尚未配置：{}", unset.join("、")));
        } else if self.site_id_code.chars().count() != 10 {
            w.push(format!("网站标识码「{}」通常为10位", self.site_id_code));
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_footers_placeholders_are_named_with_what_fills_them() {
        let w = SiteConfig::default().warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        for expected in
            ["主办单位（--site-sponsor，或设置项 site_sponsor）", "网站标识码（--site-id-code", "公安机关备案号"]
        {
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
}
