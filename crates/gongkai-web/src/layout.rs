//! The shared page chrome (templates/base.html): meta tags of spec A3.2, the header with the
//! agency's first-level sections in the order of A1.3, the footer items of A3.1.
//!
//! Every page template has a `chrome: Chrome` field and `{% extends "base.html" %}`; the console
//! pages can use the same chrome (with `ColumnType` of their own).

use std::sync::Arc;

use askama::Template;
use axum::response::Html;

use crate::error::WebError;
use crate::site::{SiteConfig, SiteHandle};

/// The four first-level sections of an agency's 政府信息公开 column, in order (A1.3), then the two
/// links beside them: (path under `/agencies/{code}/`, name).
pub const SECTIONS: [(&str, &str); 6] = [
    ("guide", "政府信息公开指南"),
    ("rules", "政府信息公开制度"),
    ("proactive", "法定主动公开内容"),
    ("reports", "政府信息公开年报"),
    ("apply", "依申请公开"),
    ("directory", "政府信息公开目录"),
];

/// The agency whose column a page belongs to (drives the section navigation).
#[derive(Debug, Clone)]
pub struct AgencyNav {
    /// The agency's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The section path of the current page (`guide`, `proactive`, …), if any.
    pub current: &'static str,
}

/// What base.html needs: the site, the page's meta tags (A3.2) and navigation.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The site's identity (SiteName, SiteDomain, SiteIDCode, footer items).
    pub site: Arc<SiteConfig>,
    /// `ArticleTitle` and the page's `<title>`/`<h1>`.
    pub title: String,
    /// `ColumnName`.
    pub column_name: String,
    /// `ColumnType` (信息公开指南、信息公开目录、信息公开年报、依法申请公开 …).
    pub column_type: String,
    /// `ColumnDescription` / `Description`.
    pub description: String,
    /// `PubDate`, `YYYY-MM-DD HH:MM`.
    pub pub_date: String,
    /// `ContentSource` (the agency's name, or the site's sponsor).
    pub content_source: String,
    /// Breadcrumbs before the current page: (href, label).
    pub breadcrumbs: Vec<(String, String)>,
    /// The agency's section navigation.
    pub agency: Option<AgencyNav>,
}

impl Chrome {
    /// A page of the site (no agency column yet).
    pub fn new(site: &SiteHandle, title: impl Into<String>, column_type: impl Into<String>) -> Chrome {
        let title = title.into();
        let site = site.current();
        Chrome {
            column_name: title.clone(),
            title,
            column_type: column_type.into(),
            description: String::new(),
            // A page made from the registers now: its date is now (content pages override it).
            pub_date: gongkai_app::Clock::System.now_china_minutes(),
            content_source: site.sponsor.clone(),
            site,
            breadcrumbs: vec![("/".to_string(), "首页".to_string())],
            agency: None,
        }
    }

    /// The same page inside an agency's column: the agency is the content source and the
    /// breadcrumbs lead through it.
    pub fn in_agency(mut self, code: &str, name: &str, current: &'static str) -> Chrome {
        self.content_source = name.to_string();
        self.breadcrumbs.push(("/agencies".to_string(), "机关目录".to_string()));
        self.breadcrumbs.push((format!("/agencies/{code}"), name.to_string()));
        self.agency = Some(AgencyNav { code: code.to_string(), name: name.to_string(), current });
        self
    }

    /// Sets `ColumnName` (default: the title).
    pub fn column(mut self, name: impl Into<String>) -> Chrome {
        self.column_name = name.into();
        self
    }

    /// Sets `PubDate`.
    pub fn published(mut self, pub_date: impl Into<String>) -> Chrome {
        self.pub_date = pub_date.into();
        self
    }

    /// Sets `Description`.
    pub fn describe(mut self, d: impl Into<String>) -> Chrome {
        self.description = d.into();
        self
    }

    /// Whether `path` is the current page's section (`aria-current` in the navigation).
    pub fn is_current(&self, path: &str) -> bool {
        self.agency.as_ref().is_some_and(|a| a.current == path)
    }

    /// The sections of the agency navigation, for base.html.
    pub fn sections(&self) -> &'static [(&'static str, &'static str)] {
        &SECTIONS
    }
}

/// Renders a page template into an HTML response.
pub fn render<T: Template>(t: &T) -> Result<Html<String>, WebError> {
    Ok(Html(t.render()?))
}
