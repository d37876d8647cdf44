//! Reminders (督办提醒): what each agency of a supervisor's subtree must do now — replies overdue
//! or due within 5 working days (Art. 33), its annual report when not yet published (Art. 49) —
//! and the use case that sends them by e-mail ([`send`]) where an SMTP server is configured: one
//! message per agency, called alike by the console's 待办提醒 page and `gongkai supervise remind`.
//!
//! **Where the address comes from.** The agency's 政府信息公开指南 (Art. 12) already names its
//! 互联网联系方式 ([`gongkai_store::DisclosureGuide::web_contact`]); when that is an e-mail address
//! the reminder goes there. An agency without a guide, or whose contact is a web address, is
//! reported as not reachable rather than skipped silently.
//!
//! **Transport.** A small SMTP client (RFC 5321) that hands each message to the relay named by
//! `smtp://host:port` — the mail server of the government network or a local relay such as
//! Postfix, which does the onward delivery, TLS and authentication towards the outside. Messages
//! are `text/plain; charset=utf-8` with a base64 body and RFC 2047 subject and names, so Chinese
//! arrives intact through any relay. TLS and login on the client side are not implemented: an
//! `smtps://` URL or a URL with a user name is refused with that explanation rather than sent in
//! the clear.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use chrono::NaiveDate;
use gongkai_store::{Overview, Store, StoreError};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::{Actor, Clock};

/// A path segment with everything but unreserved characters percent-encoded (RFC 3986), for the
/// console links a reminder carries and the portal's own links.
pub fn url_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One thing an agency must do, with its date (the console's 待办提醒 page lists them; the
/// reminder e-mails carry them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// The agency's code.
    pub agency_code: String,
    /// Its name.
    pub agency: String,
    /// 逾期答复, 即将到期, 年度报告.
    pub kind: &'static str,
    /// The request's tracking number, or the report year.
    pub subject: String,
    /// The due date or the report deadline.
    pub due: String,
    /// Link to the request's console page, if any.
    pub link: Option<String>,
}

/// What each agency of the subtree must do now: overdue replies, replies due within 5 working
/// days (Art. 33), and the annual report when it is not published by its Art. 49 deadline or
/// not yet published — overdue first, then by date.
pub fn reminders(o: &Overview) -> Vec<Reminder> {
    let mut out = Vec::new();
    for a in &o.agencies {
        for (kind, list) in [("逾期答复", &a.requests.overdue_requests), ("即将到期", &a.requests.due_soon_requests)]
        {
            for r in list {
                out.push(Reminder {
                    agency_code: a.code.clone(),
                    agency: a.name.clone(),
                    kind,
                    subject: r.tracking_number.clone(),
                    due: r.due.to_string(),
                    link: Some(format!(
                        "/console/requests/by-number/{}/{}",
                        url_segment(&a.code),
                        url_segment(&r.tracking_number)
                    )),
                });
            }
        }
        if a.report.published_on.is_none() {
            out.push(Reminder {
                agency_code: a.code.clone(),
                agency: a.name.clone(),
                kind: "年度报告",
                subject: format!("{}年度报告（{}）", o.year, a.report.status_label),
                due: a.report.deadline.map(|d| d.to_string()).unwrap_or_default(),
                link: Some(format!("/console/reports/{}/{}", url_segment(&a.code), o.year)),
            });
        }
    }
    let rank = |k: &str| match k {
        "逾期答复" => 0,
        "年度报告" => 1,
        _ => 2,
    };
    out.sort_by(|x, y| (rank(x.kind), &x.due, &x.agency_code).cmp(&(rank(y.kind), &y.due, &y.agency_code)));
    out
}

/// Why mail could not be prepared or sent. Messages in Chinese first; never a password.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The SMTP URL cannot be used.
    #[error("SMTP 服务器地址无效：{0}")]
    Url(String),
    /// The sender address is not an e-mail address.
    #[error("发件人地址「{0}」不是有效的电子邮箱")]
    From(String),
    /// The message could not be built.
    #[error("无法生成发给 {agency} 的邮件：{reason}")]
    Build {
        /// The agency's code.
        agency: String,
        /// Why.
        reason: String,
    },
    /// The server refused the message or could not be reached.
    #[error("发给 {agency}（{address}）的邮件未能发送：{reason}")]
    Send {
        /// The agency's code.
        agency: String,
        /// The recipient.
        address: String,
        /// The server's answer or the connection error.
        reason: String,
    },
}

/// A file an e-mail carries.
#[derive(Debug, Clone, Copy)]
pub struct MailFile<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its media type.
    pub content_type: &'a str,
    /// Its content.
    pub content: &'a [u8],
}

/// `bytes` in base64, in lines of 76 characters (RFC 2045).
fn push_base64(s: &mut String, bytes: &[u8]) {
    let text = base64(bytes);
    for line in text.as_bytes().chunks(76) {
        s.push_str(std::str::from_utf8(line).unwrap_or(""));
        s.push_str("\r\n");
    }
}

/// The first e-mail address in a register's 联系方式 (the online form writes
/// 「电话；通信地址：…；电子邮箱：…」; a clerk may type an address alone).
pub fn email_in_contact(contact: &str) -> Option<String> {
    contact
        .split(['；', ';', '，', ',', ' ', '　'])
        .map(|part| part.trim().trim_start_matches("电子邮箱：").trim_start_matches("电子邮箱:").trim())
        .find_map(address)
}

/// One agency's reminder message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderMail {
    /// The agency's code.
    pub agency: String,
    /// Its name.
    pub agency_name: String,
    /// The recipient (the guide's e-mail address), or `None` when the agency has none.
    pub to: Option<String>,
    /// The subject (Chinese).
    pub subject: String,
    /// The text (Chinese).
    pub body: String,
    /// How many items it lists.
    pub items: usize,
}

/// An e-mail address `local@domain` (no spaces, angle brackets, quotes or control characters; a
/// domain with a dot), or `None`.
pub(crate) fn address(s: &str) -> Option<String> {
    let s = s.trim();
    let (local, domain) = s.split_once('@')?;
    let ok = |p: &str| {
        !p.is_empty() && p.chars().all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[]\\,;:\"@".contains(c))
    };
    (ok(local) && ok(domain) && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
        .then(|| s.to_string())
}

/// The guide's 互联网联系方式 when it is an e-mail address (it may also be a web address).
fn email_of(contact: &str) -> Option<String> {
    address(contact.trim().trim_start_matches("mailto:"))
}

/// One message per agency of the overview that has something to do, addressed to its guide's
/// e-mail address when it has one.
pub async fn compose(store: &Store, o: &Overview) -> Result<Vec<ReminderMail>, StoreError> {
    let mut by_agency: BTreeMap<String, Vec<Reminder>> = BTreeMap::new();
    for r in reminders(o) {
        by_agency.entry(r.agency_code.clone()).or_default().push(r);
    }
    let mut out = Vec::with_capacity(by_agency.len());
    // In the overview's order (root first, then by depth and code).
    for a in &o.agencies {
        let Some(items) = by_agency.remove(&a.code) else { continue };
        // The guide's e-mail address, else its 互联网联系方式 when that is one.
        let to = store
            .get_guide(&a.code)
            .await?
            .and_then(|g| g.email.as_deref().and_then(address).or_else(|| email_of(&g.web_contact)));
        out.push(ReminderMail {
            agency: a.code.clone(),
            agency_name: a.name.clone(),
            to,
            subject: format!("政府信息公开待办提醒：{}（{}项，截至{}）", a.name, items.len(), o.today),
            body: body(&o.name, &a.name, o.today, &items),
            items: items.len(),
        });
    }
    Ok(out)
}

/// The message text: the items grouped by kind, each with its deadline and the provision.
fn body(root: &str, agency: &str, today: NaiveDate, items: &[Reminder]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{agency}：\n");
    let _ = writeln!(s, "截至{today}，贵单位有以下政府信息公开事项需要办理：\n");
    let groups = [
        ("逾期答复", "已超过答复期限的申请（条例第三十三条），请尽快答复："),
        ("即将到期", "5个工作日内到期的申请（条例第三十三条）："),
        ("年度报告", "政府信息公开工作年度报告（条例第四十九条）："),
    ];
    let mut n = 0;
    for (kind, heading) in groups {
        let list: Vec<&Reminder> = items.iter().filter(|r| r.kind == kind).collect();
        if list.is_empty() {
            continue;
        }
        n += 1;
        let _ = writeln!(s, "{}、{heading}", ["一", "二", "三"][(n - 1).min(2)]);
        for r in list {
            if kind == "年度报告" {
                let _ = writeln!(s, "  {}，发布期限 {}", r.subject, r.due);
            } else {
                let _ = writeln!(s, "  受理编号 {}，答复期限 {}", r.subject, r.due);
            }
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "请登录政府信息公开工作平台查看和办理。");
    let _ = writeln!(s, "\n{root}政务公开工作监督（本邮件由 gongkai 自动发送，请勿直接回复）");
    s
}

/// Standard base64 (RFC 4648), for message bodies and encoded words.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A header value as RFC 2047 encoded words (`=?utf-8?b?…?=`) when it is not plain ASCII; words
/// of at most 45 bytes of text (60 characters encoded), split between characters, folded.
fn encode_header(v: &str) -> String {
    if v.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
        return v.to_string();
    }
    let mut words = Vec::new();
    let mut cur = String::new();
    for c in v.chars() {
        if cur.len() + c.len_utf8() > 45 {
            words.push(format!("=?utf-8?b?{}?=", base64(cur.as_bytes())));
            cur.clear();
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(format!("=?utf-8?b?{}?=", base64(cur.as_bytes())));
    }
    words.join("\r\n ")
}

/// A mailbox `Name <addr>` or `addr`: (display name, address).
fn mailbox(s: &str) -> Option<(Option<String>, String)> {
    let s = s.trim();
    match (s.find('<'), s.strip_suffix('>')) {
        (Some(i), Some(inner)) => {
            let name = s[..i].trim().trim_matches('"').trim();
            let addr = address(&inner[i + 1..])?;
            Some(((!name.is_empty()).then(|| name.to_string()), addr))
        }
        _ => address(s).map(|a| (None, a)),
    }
}

/// The relay and the sender.
#[derive(Debug, Clone)]
pub struct Mailer {
    host: String,
    port: u16,
    from_name: Option<String>,
    from: String,
}

impl Mailer {
    /// A mailer for `smtp://host[:port]` (port 25 by default) sending as `from` (`addr` or
    /// `Name <addr>`).
    pub fn new(url: &str, from: &str) -> Result<Mailer, MailError> {
        let url = url.trim();
        let Some(rest) = url.strip_prefix("smtp://") else {
            return Err(MailError::Url(format!(
                "「{}」：只支持 smtp://主机:端口 形式的邮件中继（smtps、STARTTLS 和登录由中继负责）",
                url.split("://").next().unwrap_or("")
            )));
        };
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(MailError::Url(
                "不支持在地址中写用户名和口令：请使用不需要登录的本地或内网邮件中继".to_string(),
            ));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| MailError::Url(format!("端口「{p}」无效")))?),
            None => (authority, 25),
        };
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(MailError::Url(format!("主机名「{host}」无效")));
        }
        let (from_name, from) = mailbox(from).ok_or_else(|| MailError::From(from.to_string()))?;
        Ok(Mailer { host: host.trim_matches(['[', ']']).to_string(), port, from_name, from })
    }

    /// The message as sent (headers and base64 body, CRLF line ends).
    fn message(&self, m: &ReminderMail, to: &str) -> String {
        self.compose_message(to, &m.subject, &m.body, &[])
    }

    /// A message to `to`: the text as `text/plain` in base64, and with `files` a
    /// `multipart/mixed` message carrying each file in base64 under its name (RFC 2231 and
    /// RFC 2047 forms, so that Chinese names arrive in every client).
    fn compose_message(&self, to: &str, subject: &str, body: &str, files: &[MailFile<'_>]) -> String {
        let from = match &self.from_name {
            Some(n) => format!("{} <{}>", encode_header(n), self.from),
            None => self.from.clone(),
        };
        let date = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S +0000");
        let id = uuid::Uuid::new_v4().simple();
        let domain = self.from.rsplit('@').next().unwrap_or("localhost");
        let mut s = format!(
            "From: {from}\r\nTo: {to}\r\nSubject: {}\r\nDate: {date}\r\nMessage-ID: <{id}@{domain}>\r\n\
             MIME-Version: 1.0\r\n",
            encode_header(subject)
        );
        let text_part = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
        if files.is_empty() {
            s.push_str(text_part);
            push_base64(&mut s, body.replace('\n', "\r\n").as_bytes());
            return s;
        }
        let boundary = format!("=_gongkai_{id}");
        s.push_str(&format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"));
        s.push_str(&format!("--{boundary}\r\n{text_part}"));
        push_base64(&mut s, body.replace('\n', "\r\n").as_bytes());
        for f in files {
            let pct: String = f
                .name
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            s.push_str(&format!(
                "--{boundary}\r\nContent-Type: {}\r\nContent-Transfer-Encoding: base64\r\n\
                 Content-Disposition: attachment; filename=\"{}\"; filename*=utf-8''{pct}\r\n\r\n",
                f.content_type,
                encode_header(f.name).replace("\r\n ", "")
            ));
            push_base64(&mut s, f.content);
        }
        s.push_str(&format!("--{boundary}--\r\n"));
        s
    }

    /// Sends a message with `files` to `to` (one address); the error names the address and the
    /// server's answer, in Chinese.
    pub async fn send_message(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        files: &[MailFile<'_>],
    ) -> Result<(), String> {
        let Some(to) = address(to) else {
            return Err(format!("收件地址「{to}」不是有效的电子邮箱"));
        };
        let data = self.compose_message(&to, subject, body, files);
        match tokio::time::timeout(Duration::from_secs(60), self.deliver(&to, &data)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) => Err(format!("发往 {to} 的邮件未能发送：{reason}")),
            Err(_) => Err(format!("发往 {to} 的邮件未能发送：邮件服务器60秒内无应答")),
        }
    }

    /// Sends one reminder to `to`; [`MailError::Send`] names the agency, the address and the
    /// server's answer.
    pub async fn send(&self, m: &ReminderMail, to: &str) -> Result<(), MailError> {
        let Some(to) = address(to) else {
            return Err(MailError::Build { agency: m.agency.clone(), reason: format!("收件地址「{to}」无效") });
        };
        let data = self.message(m, &to);
        let fail = |reason: String| MailError::Send { agency: m.agency.clone(), address: to.clone(), reason };
        match tokio::time::timeout(Duration::from_secs(30), self.deliver(&to, &data)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) => Err(fail(reason)),
            Err(_) => Err(fail("邮件服务器30秒内无应答".to_string())),
        }
    }

    /// One SMTP session: greeting, EHLO (HELO if refused), MAIL, RCPT, DATA, QUIT.
    async fn deliver(&self, to: &str, data: &str) -> Result<(), String> {
        let stream = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| format!("无法连接邮件服务器 {}:{}：{e}", self.host, self.port))?;
        let (read, mut write) = stream.into_split();
        let mut read = BufReader::new(read);
        expect(&mut read, 220, "连接").await?;
        let me = "gongkai.localdomain";
        command(&mut write, &format!("EHLO {me}")).await?;
        if reply(&mut read).await?.0 != 250 {
            command(&mut write, &format!("HELO {me}")).await?;
            expect(&mut read, 250, "HELO").await?;
        }
        command(&mut write, &format!("MAIL FROM:<{}>", self.from)).await?;
        expect(&mut read, 250, "MAIL FROM").await?;
        command(&mut write, &format!("RCPT TO:<{to}>")).await?;
        let (code, text) = reply(&mut read).await?;
        if code != 250 && code != 251 {
            return Err(format!("收件人被拒绝：{code} {text}"));
        }
        command(&mut write, "DATA").await?;
        expect(&mut read, 354, "DATA").await?;
        // Dot-stuffing (RFC 5321 §4.5.2); base64 lines and these headers never start with a dot,
        // but the rule is kept.
        let mut stuffed = String::with_capacity(data.len() + 8);
        for line in data.split_inclusive("\r\n") {
            if line.starts_with('.') {
                stuffed.push('.');
            }
            stuffed.push_str(line);
        }
        stuffed.push_str(".\r\n");
        write.write_all(stuffed.as_bytes()).await.map_err(|e| format!("发送中断：{e}"))?;
        expect(&mut read, 250, "邮件正文").await?;
        command(&mut write, "QUIT").await?;
        // The message is accepted; a server that closes without 221 changes nothing.
        let _ = reply(&mut read).await;
        Ok(())
    }
}

async fn command(w: &mut tokio::net::tcp::OwnedWriteHalf, line: &str) -> Result<(), String> {
    w.write_all(format!("{line}\r\n").as_bytes()).await.map_err(|e| format!("发送中断：{e}"))
}

/// One (possibly multi-line) reply: its code and text.
async fn reply(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Result<(u16, String), String> {
    let mut text = String::new();
    loop {
        let mut line = String::new();
        // A reply line is short; a server sending endless data is cut off by the timeout.
        let n = r.read_line(&mut line).await.map_err(|e| format!("读取服务器应答失败：{e}"))?;
        if n == 0 {
            return Err("邮件服务器断开了连接".to_string());
        }
        let code = line
            .get(..3)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| format!("无法识别的应答「{}」", line.trim()))?;
        text.push_str(line.get(4..).unwrap_or("").trim());
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok((code, text));
        }
        text.push(' ');
    }
}

async fn expect(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, want: u16, step: &str) -> Result<(), String> {
    let (code, text) = reply(r).await?;
    if code == want {
        Ok(())
    } else {
        Err(format!("{step}：服务器应答 {code} {text}"))
    }
}

/// What became of one agency's reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Handed to the relay for this address.
    Sent(String),
    /// Not sent: the agency's guide names no e-mail address.
    NoAddress,
    /// Not sent: the relay refused it or could not be reached (the reason, in Chinese).
    Failed(String),
}

/// The audit event type of sending reminders.
pub const AUDIT_EVENT: &str = "supervise.remind";

/// Sends each agency of the overview its reminder through `mailer`, and audits the run (who, the
/// subtree, how many sent and not sent), whoever asks: the console or the command line.
pub async fn send(
    store: &Store,
    mailer: &Mailer,
    o: &Overview,
    actor: &Actor,
    clock: &Clock,
) -> Result<Vec<(ReminderMail, Delivery)>, StoreError> {
    let mails = compose(store, o).await?;
    let mut out = Vec::with_capacity(mails.len());
    for m in mails {
        let delivery = match m.to.clone() {
            None => Delivery::NoAddress,
            Some(to) => match mailer.send(&m, &to).await {
                Ok(()) => Delivery::Sent(to),
                Err(e) => Delivery::Failed(e.to_string()),
            },
        };
        out.push((m, delivery));
    }
    let sent = out.iter().filter(|(_, d)| matches!(d, Delivery::Sent(_))).count();
    let failed = out.len() - sent;
    let detail = format!("year {}: sent {sent}, not sent {failed}", o.year);
    actor.audit(store, clock, AUDIT_EVENT, &o.agency, failed == 0, Some(detail)).await;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_email_contacts_are_addresses() {
        assert_eq!(email_of(" gk@example.gov.cn ").as_deref(), Some("gk@example.gov.cn"));
        assert_eq!(email_of("mailto:gk@example.gov.cn").as_deref(), Some("gk@example.gov.cn"));
        assert_eq!(email_of("https://www.example.gov.cn/hudong"), None);
        assert_eq!(email_of("a b@example.gov.cn"), None);
        assert_eq!(email_of("x@localhost"), None);
        assert_eq!(email_of(""), None);
    }

    #[test]
    fn bad_settings_are_named() {
        assert!(matches!(Mailer::new("smtps://mail.example.gov.cn", "a@b.cn"), Err(MailError::Url(_))));
        assert!(matches!(Mailer::new("smtp://u:p@mail.example.gov.cn", "a@b.cn"), Err(MailError::Url(_))));
        assert!(matches!(Mailer::new("smtp://mail.example.gov.cn:x", "a@b.cn"), Err(MailError::Url(_))));
        let e = Mailer::new("smtp://127.0.0.1:2525", "不是地址").unwrap_err();
        assert!(e.to_string().contains("「不是地址」"), "{e}");
        let m = Mailer::new("smtp://mail.example.gov.cn", "督办 <duban@example.gov.cn>").unwrap();
        assert_eq!((m.port, m.from.as_str(), m.from_name.as_deref()), (25, "duban@example.gov.cn", Some("督办")));
    }

    #[test]
    fn the_applicants_email_is_found_in_the_contact() {
        assert_eq!(
            email_in_contact("13800001234；通信地址：某市某路1号（邮编 310000）；电子邮箱：zs@example.com").as_deref(),
            Some("zs@example.com")
        );
        assert_eq!(email_in_contact("李四 ls@example.cn").as_deref(), Some("ls@example.cn"));
        assert_eq!(email_in_contact("13800001234"), None);
        assert_eq!(email_in_contact(""), None);
    }

    #[test]
    fn a_message_with_files_is_multipart_with_each_file_named() {
        let m = Mailer::new("smtp://127.0.0.1:2525", "某局 <gk@example.gov.cn>").unwrap();
        let pdf = b"%PDF-1.4 test";
        let files = [MailFile { name: "答复书.pdf", content_type: "application/pdf", content: pdf }];
        let data = m.compose_message("zs@example.com", "答复书", "正文", &files);
        assert!(data.contains("Content-Type: multipart/mixed; boundary="), "{data}");
        assert!(data.contains("Content-Type: application/pdf"), "{data}");
        assert!(data.contains("filename*=utf-8''%E7%AD%94%E5%A4%8D%E4%B9%A6.pdf"), "{data}");
        assert!(data.contains(&base64(pdf)), "{data}");
        assert!(data.trim_end().ends_with("--"), "closing boundary: {data}");
        // Without files: one text part, as the reminders are.
        let plain = m.compose_message("zs@example.com", "提醒", "正文", &[]);
        assert!(plain.contains("Content-Type: text/plain; charset=utf-8") && !plain.contains("multipart"));
    }

    #[test]
    fn base64_and_encoded_words() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64("提醒".as_bytes()), "5o+Q6YaS");
        assert_eq!(encode_header("plain"), "plain");
        let long = encode_header(&"待办".repeat(20));
        // 45 bytes = 15 characters per word: 40 characters in 3 words, folded.
        assert_eq!(long.matches("=?utf-8?b?").count(), 3);
        assert!(long.split("\r\n ").all(|w| w.len() <= 75), "{long}");
    }
}
