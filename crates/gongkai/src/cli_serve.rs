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
    /// 监听地址 (address to listen on).
    #[arg(long, env = "GONGKAI_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// 网站名称 SiteName.
    #[arg(long, env = "GONGKAI_SITE_NAME")]
    site_name: Option<String>,
    /// 网站域名 SiteDomain.
    #[arg(long, env = "GONGKAI_SITE_DOMAIN")]
    site_domain: Option<String>,
    /// 政府网站标识码 SiteIDCode (通常10位).
    #[arg(long, env = "GONGKAI_SITE_ID_CODE")]
    site_id_code: Option<String>,
    /// 主办单位.
    #[arg(long, env = "GONGKAI_SITE_SPONSOR")]
    site_sponsor: Option<String>,
    /// 网站联系方式.
    #[arg(long, env = "GONGKAI_SITE_CONTACT")]
    site_contact: Option<String>,
    /// ICP备案编号.
    #[arg(long, env = "GONGKAI_SITE_ICP")]
    site_icp: Option<String>,
    /// 公安机关备案号.
    #[arg(long, env = "GONGKAI_SITE_POLICE")]
    site_police: Option<String>,
    /// 「我为政府网站找错」地址.
    #[arg(long, env = "GONGKAI_SITE_ERROR_REPORT_URL")]
    site_error_report_url: Option<String>,
    /// 发送待办提醒邮件的 SMTP 邮件中继：smtp://主机:端口（TLS 和登录由中继负责）
    /// (the SMTP relay of reminder e-mails; none by default).
    #[arg(long, env = "GONGKAI_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// 提醒邮件的发件人地址 (the sender of reminder e-mails).
    #[arg(long, env = "GONGKAI_SMTP_FROM")]
    smtp_from: Option<String>,
}

impl ServeArgs {
    fn site(&self) -> SiteConfig {
        let mut s = SiteConfig::default();
        let set = |field: &mut String, v: &Option<String>| {
            if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                *field = v.to_string();
            }
        };
        set(&mut s.site_name, &self.site_name);
        set(&mut s.site_domain, &self.site_domain);
        set(&mut s.site_id_code, &self.site_id_code);
        set(&mut s.sponsor, &self.site_sponsor);
        set(&mut s.contact, &self.site_contact);
        set(&mut s.icp_number, &self.site_icp);
        set(&mut s.police_number, &self.site_police);
        set(&mut s.error_report_url, &self.site_error_report_url);
        s
    }
}

/// `gongkai serve`: runs until the process is stopped.
pub fn serve(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let calendar = crate::cli_clock::load_calendar()?;
    let site = a.site();
    for w in site.warnings() {
        eprintln!("警告 (warning): {w}");
    }
    let mailer = match (a.smtp_url.as_deref().map(str::trim).filter(|u| !u.is_empty()), a.smtp_from.as_deref()) {
        (Some(url), Some(from)) => Some(gongkai_app::remind::Mailer::new(url, from)?),
        (Some(_), None) => {
            anyhow::bail!("配置了 SMTP 服务器时须用 --smtp-from 指定发件人地址 (--smtp-from is required)")
        }
        (None, _) => None,
    };
    let rt =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    rt.block_on(async {
        let store = open(&a.db).await?;
        let listener = tokio::net::TcpListener::bind(&a.bind)
            .await
            .with_context(|| format!("无法监听地址 {} (cannot listen)", a.bind))?;
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
                let today = crate::clock().today();
                let last = gongkai_store::default_year(today);
                for year in [last, last + 1] {
                    match refreshing.refresh_supervise_cache(None, year, &cal, false).await {
                        Ok(r) => {
                            tracing::info!(year, computed = r.computed, written = r.written, "overview cache ready")
                        }
                        Err(e) => tracing::error!(year, error = %e, "overview cache refresh failed"),
                    }
                }
            }
        });
        let mut state = AppState::new(store, calendar, site).with_clock(crate::clock());
        if let Some(m) = mailer {
            state = state.with_mailer(m);
        }
        gongkai_web::serve(listener, state).await.context("web server failed")?;
        Ok(ExitCode::SUCCESS)
    })
}
