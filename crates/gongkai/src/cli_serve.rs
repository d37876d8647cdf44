//! `gongkai serve`: the web application (portal, console, JSON API) on the registers' database.
//! SQLite by default (the file is made and migrated on first start), PostgreSQL by URL.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use gongkai_web::{AppState, SiteConfig, SiteSettings};

use crate::cli_db::{open, DbArgs};

/// `gongkai serve` arguments. Site identity flags fix page elements of every page (meta tags
/// SiteName/SiteDomain/SiteIDCode and the footer: spec A3.1/A3.2) over what 网站设置 stores.
#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 监听地址（默认 127.0.0.1:8080）
    #[arg(long)]
    bind: Option<String>,
    /// 网站名称 SiteName.
    #[arg(long)]
    site_name: Option<String>,
    /// 网站域名 SiteDomain.
    #[arg(long)]
    site_domain: Option<String>,
    /// 政府网站标识码 SiteIDCode (通常10位).
    #[arg(long)]
    site_id_code: Option<String>,
    /// 主办单位.
    #[arg(long)]
    site_sponsor: Option<String>,
    /// 网站联系方式.
    #[arg(long)]
    site_contact: Option<String>,
    /// ICP备案编号.
    #[arg(long)]
    site_icp: Option<String>,
    /// 公安机关备案号.
    #[arg(long)]
    site_police: Option<String>,
    /// 「我为政府网站找错」地址.
    #[arg(long)]
    site_error_report_url: Option<String>,
    /// 发送待办提醒邮件的 SMTP 邮件中继：smtp://主机:端口（TLS 和登录由中继负责）
    #[arg(long)]
    smtp_url: Option<String>,
    /// 提醒邮件的发件人地址
    #[arg(long)]
    smtp_from: Option<String>,
}

impl ServeArgs {
    /// The site's identity items fixed at start: each flag given, else its setting (gongkai.toml,
    /// GONGKAI_SITE_*); they win over what the administrator stored (`gongkai site set`).
    fn site_overrides(&self) -> SiteSettings {
        let settings = crate::settings();
        let get = |flag: &Option<String>, key: &str| settings.or_flag(flag.as_deref(), key);
        SiteSettings {
            site_name: get(&self.site_name, "site_name"),
            site_domain: get(&self.site_domain, "site_domain"),
            site_id_code: get(&self.site_id_code, "site_id_code"),
            sponsor: get(&self.site_sponsor, "site_sponsor"),
            contact: get(&self.site_contact, "site_contact"),
            icp_number: get(&self.site_icp, "site_icp"),
            police_number: get(&self.site_police, "site_police"),
            error_report_url: get(&self.site_error_report_url, "site_error_report_url"),
        }
    }
}

/// `gongkai serve`: runs until the process is stopped.
pub fn serve(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let calendar = crate::cli_clock::load_calendar()?;
    let overrides = a.site_overrides();
    let settings = crate::settings();
    let mailer = crate::settings::mailer(settings, a.smtp_url.as_deref(), a.smtp_from.as_deref(), "--smtp-from")?;
    let bind = settings.or_flag(a.bind.as_deref(), "bind").unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let rt =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    rt.block_on(async {
        let store = open(&a.db).await?;
        let mut state = AppState::new(store.clone(), calendar.clone(), SiteConfig::default())
            .with_site_overrides(overrides)
            .with_clock(crate::clock())
            .with_font_dir(settings.font_dir());
        // The site's identity: what the administrator stored, under the flags; reread every
        // minute so that `gongkai site set` or another server's change reaches these pages.
        state.site.reload(&store).await.map_err(crate::cli_register::app_error)?;
        for w in state.site.current().warnings() {
            eprintln!("警告：{w}");
        }
        let site = std::sync::Arc::clone(&state.site);
        let reloading = store.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                every.tick().await;
                if let Err(e) = site.reload(&reloading).await {
                    tracing::error!(error = %e, "site identity reload failed");
                }
            }
        });
        let listener = tokio::net::TcpListener::bind(&bind).await.with_context(|| format!("无法监听地址 {bind}"))?;
        let addr = listener.local_addr().context("listening address")?;
        eprintln!("gongkai serve：http://{addr}/ （{}）", store.backend().name());
        // Audit records older than the retention period (B1.1) leave once a day, the chain
        // kept verifiable (Store::purge_audit), and so does expired personal information (B4.4);
        // a failure is logged and tried again the next day.
        let purging = store.clone();
        tokio::spawn(async move {
            let mut daily = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
            loop {
                daily.tick().await;
                match purging.purge_audit(crate::clock().now(), "(system)").await {
                    Ok(done) if done.purged > 0 => tracing::info!(purged = done.purged, "audit retention applied"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "audit retention purge failed"),
                }
                // B4.4: applicants of requests closed longer ago than the office's retention
                // period are anonymised (nothing happens while the period is not set).
                let today = crate::clock().today();
                if let Err(e) = purging.purge_personal_data(today, "(system)", crate::clock().now()).await {
                    tracing::error!(error = %e, "personal data retention failed");
                }
            }
        });
        // The supervising office's overview cache (issue 8): the rows of the report year due now
        // and of the current year are computed once at start and then every night, off the
        // request path, so that the console's 监督总览 reads ready rows. Register writes drop the
        // rows they change; a failure is logged and tried again the next night.
        let refreshing = store.clone();
        let cal = calendar.clone();
        tokio::spawn(async move {
            let mut daily = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
            loop {
                daily.tick().await;
                let clock = crate::clock();
                let last = gongkai_store::default_year(clock.today());
                for year in [last, last + 1] {
                    let refreshed =
                        gongkai_app::supervise::refresh(&refreshing, &clock, &cal, None, Some(year), false, false)
                            .await;
                    match refreshed {
                        Ok(r) => {
                            tracing::info!(
                                year,
                                computed = r.done.computed,
                                written = r.done.written,
                                "overview cache ready"
                            )
                        }
                        Err(e) => tracing::error!(year, error = %e, "overview cache refresh failed"),
                    }
                }
            }
        });
        if let Some(m) = mailer {
            state = state.with_mailer(m);
        }
        gongkai_web::serve(listener, state).await.context("web server failed")?;
        Ok(ExitCode::SUCCESS)
    })
}
