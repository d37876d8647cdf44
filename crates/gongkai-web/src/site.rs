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
    /// Warnings about the configuration (A3.1: the 标识码 is usually 10 characters — warn, never
    /// reject).
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if self.site_id_code.chars().count() != 10 {
            w.push(format!("网站标识码「{}」通常为10位", self.site_id_code));
        }
        w
    }
}
