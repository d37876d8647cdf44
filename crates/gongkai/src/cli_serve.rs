//! `gongkai serve`: the web application (portal, console, JSON API) on the registers' database.
//! SQLite by default (the file is made and migrated on first start), PostgreSQL by URL.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use gongkai_web::{AppState, SiteConfig};

use crate::cli_db::{open, DbArgs};

/// `gongkai serve` arguments. Site identity flags fill the page elements of every page (meta tags
/// SiteName/SiteDomain/SiteIDCode and the footer: spec A3.1/A3.2).
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
    /// The site's identity: each flag given, else its setting (gongkai.toml, GONGKAI_SITE_*).
    fn site(&self) -> SiteConfig {
        let settings = crate::settings();
        let mut s = SiteConfig::default();
        let set = |field: &mut String, flag: &Option<String>, key: &str| {
            if let Some(v) = settings.or_flag(flag.as_deref(), key) {
                *field = v;
            }
        };
        set(&mut s.site_name, &self.site_name, "site_name");
        set(&mut s.site_domain, &self.site_domain, "site_domain");
        set(&mut s.site_id_code, &self.site_id_code, "site_id_code");
        set(&mut s.sponsor, &self.site_sponsor, "site_sponsor");
        set(&mut s.contact, &self.site_contact, "site_contact");
        set(&mut s.icp_number, &self.site_icp, "site_icp");
        set(&mut s.police_number, &self.site_police, "site_police");
        set(&mut s.error_report_url, &self.site_error_report_url, "site_error_report_url");
        s
    }
}

/// `gongkai serve`: runs until the process is stopped.
pub fn serve(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let calendar = crate::cli_clock::load_calendar()?;
    let site = a.site();
    for w in site.warnings() {
        eprintln!("警告：{w}");
    }
    let settings = crate::settings();
    let mailer = crate::settings::mailer(settings, a.smtp_url.as_deref(), a.smtp_from.as_deref(), "--smtp-from")?;
    let bind = settings.or_flag(a.bind.as_deref(), "bind").unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let rt =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    rt.block_on(async {
        let store = open(&a.db).await?;
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
        let mut state =
            AppState::new(store, calendar, site).with_clock(crate::clock()).with_font_dir(settings.font_dir());
        if let Some(m) = mailer {
            state = state.with_mailer(m);
        }
        gongkai_web::serve(listener, state).await.context("web server failed")?;
        Ok(ExitCode::SUCCESS)
    })
}
