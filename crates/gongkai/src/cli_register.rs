//! The registers on the command line (their forms are a public interface):
//! `gongkai agency add|list`, `gongkai request add|event|show|list`, `gongkai narrative set`,
//! `gongkai register import|export|template` and `gongkai report publish`.
//!
//! Every event is recorded by [`gongkai_app::request::record_event`], as in the console: its
//! input checked, the transition allowed by the lifecycle, written and audited; a refusal exits
//! with 2 and the reason in Chinese. A change to a published
//! (locked) year is refused by the store unless the command carries `--amend "理由"`, which
//! records it as an amendment; `report generate` then notes every amendment. The applicant's
//! identity document is never printed in full.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use gongkai_core::calendar::Calendar;
use gongkai_core::fees::FeeMethod;
use gongkai_core::identity::IdDocumentType;
use gongkai_core::lifecycle::{self, event_label, RequestState, Status};
use gongkai_core::masking;
use gongkai_core::register::{Agency, AgencyKind, Applicant, ApplicantType, Channel, Event, EventKind, Request};
use gongkai_core::report::{RequestRow, SectionKey};
use gongkai_core::template;
use gongkai_store::{Amend, Amendment, RequestFilter, RequestId, Store, StoreError};

use crate::cli_clock::parse_date;
use crate::cli_db::{open, runtime, DbArgs};
use gongkai_sheet::{self as spreadsheet, CellError};

// ---------------------------------------------------------------------------------------------
// Arguments

pub(crate) fn parse_kind(s: &str) -> Result<AgencyKind, String> {
    spreadsheet::agency_kind_from(s)
        .ok_or_else(|| format!("机关类型应为 government、department、township 或 other：「{s}」"))
}

fn parse_channel(s: &str) -> Result<Channel, String> {
    spreadsheet::channel_from(s).ok_or_else(|| {
        format!("渠道应为 online、post、in_person、fax 或 letter（网络、邮寄、当面、传真、信函）：「{s}」")
    })
}

fn parse_applicant(s: &str) -> Result<ApplicantType, String> {
    spreadsheet::applicant_from(s).ok_or_else(|| {
        format!(
            "申请人类型应为 natural_person、commercial、research、public_interest、legal_services 或 other：「{s}」"
        )
    })
}

fn parse_id_document_type(s: &str) -> Result<IdDocumentType, String> {
    IdDocumentType::from_name(s.trim()).ok_or_else(|| {
        let names: Vec<String> = IdDocumentType::ALL.iter().map(|t| format!("{}（{}）", t.name(), t.label())).collect();
        format!("证件类型应为 {}：「{s}」", names.join("、"))
    })
}

fn parse_method(s: &str) -> Result<FeeMethod, String> {
    spreadsheet::fee_method_from(s).ok_or_else(|| format!("计收方式应为 per_request 或 per_page：「{s}」"))
}

pub(crate) fn parse_outcome(s: &str) -> Result<RequestRow, String> {
    spreadsheet::outcome_from_path(s).ok_or_else(|| {
        let leaves: Vec<&str> = lifecycle::outcome_leaves().into_iter().map(spreadsheet::outcome_path).collect();
        format!("「{s}」不是表三的办理结果，应为其中一项：{}", leaves.join("、"))
    })
}

fn parse_section(s: &str) -> Result<SectionKey, String> {
    SectionKey::from_name(s.trim()).ok_or_else(|| {
        let names: Vec<&str> = template::SECTIONS.iter().map(|x| x.key.name()).collect();
        format!("「{s}」不是报告章节，应为：{}", names.join("、"))
    })
}

/// `--amend "理由"` on a command that may change a published year.
#[derive(Args, Clone)]
pub struct AmendArgs {
    /// 更正理由：修改已发布（锁定）年度的数据时必填，将作为更正记录在年度报告中注明
    #[arg(long, value_name = "理由")]
    amend: Option<String>,
}

impl AmendArgs {
    pub(crate) fn with_by(&self, by: &str) -> Option<Amend> {
        self.amend.as_ref().map(|reason| Amend { reason: reason.clone(), by: by.to_string() })
    }
}

/// A store error, with the hint a locked year needs.
pub(crate) fn store_error(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Locked { .. } => anyhow!("{e}\n{AMEND_HINT}"),
        e => anyhow::Error::new(e),
    }
}

/// A use case's refusal as the command line says it: a locked year with the way to amend it.
pub(crate) fn app_error(e: gongkai_app::AppError) -> anyhow::Error {
    match e {
        gongkai_app::AppError::Store(e) => store_error(e),
        gongkai_app::AppError::Locked(message) => anyhow!("{message}\n{AMEND_HINT}"),
        e => anyhow::Error::new(e),
    }
}

/// How to change a published year from the command line.
const AMEND_HINT: &str = "如确需修改，请在命令中加 --amend \"更正理由\"，修改将作为更正记录在年度报告中注明";

pub(crate) fn print_amendments(out: &mut impl Write, amendments: &[Amendment]) -> std::io::Result<()> {
    for a in amendments {
        writeln!(out, "已登记更正：{} 年度报告（{} {}），理由：{}", a.year, a.record_table, a.record_key, a.reason)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// gongkai agency

/// `gongkai agency` subcommands.
#[derive(Subcommand)]
pub enum AgencyCommand {
    /// 登记或更新机关
    Add(AgencyAddArgs),
    /// 列出机关
    List {
        #[command(flatten)]
        db: DbArgs,
        /// 输出 JSON.
        #[arg(long)]
        json: bool,
    },
    /// 文书设置：文号前缀、行政复议机关和管辖法院（救济途径）、联系方式；不带选项时显示
    Casework(crate::cli_documents::CaseworkArgs),
    /// 删除误登记的机关（已有任何记录的机关不能删除）
    Remove {
        #[command(flatten)]
        db: DbArgs,
        /// 机关代码
        #[arg(long)]
        code: String,
    },
    /// 停用撤销或合并的机关：自停用日期起不再受理申请，已有记录保留
    Deactivate {
        #[command(flatten)]
        db: DbArgs,
        /// 机关代码
        #[arg(long)]
        code: String,
        /// 停用日期（YYYY-MM-DD）
        #[arg(long)]
        on: chrono::NaiveDate,
        /// 停用说明：职责由哪个机关承接（申请页面向申请人显示）
        #[arg(long)]
        note: String,
    },
    /// 恢复停用的机关受理申请（仅限误停用）
    Reactivate {
        #[command(flatten)]
        db: DbArgs,
        /// 机关代码
        #[arg(long)]
        code: String,
    },
}

/// `gongkai agency add` arguments.
#[derive(Args)]
pub struct AgencyAddArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码，唯一
    #[arg(long)]
    code: String,
    /// 机关全称
    #[arg(long)]
    name: String,
    /// 上级机关代码
    #[arg(long)]
    parent: Option<String>,
    /// 机关类型：government（人民政府）、department（政府部门）、township（乡镇街道）、other（其他）
    #[arg(long, value_parser = parse_kind)]
    kind: AgencyKind,
}

/// Runs `gongkai agency …`.
pub fn agency(cmd: AgencyCommand) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let mut out = std::io::stdout().lock();
        match cmd {
            AgencyCommand::Add(a) => {
                let store = open(&a.db).await?;
                let agency = Agency { code: a.code, name: a.name, parent: a.parent, kind: a.kind };
                let agency =
                    gongkai_app::agencies::register(&store, &crate::clock(), &gongkai_app::Actor::cli(), agency)
                        .await
                        .map_err(app_error)?;
                writeln!(
                    out,
                    "已登记机关：{} {}（{}）",
                    agency.code,
                    agency.name,
                    spreadsheet::agency_kind_label(agency.kind)
                )?;
            }
            AgencyCommand::List { db, json } => {
                let store = open(&db).await?;
                let all = store.list_agencies().await?;
                if json {
                    serde_json::to_writer_pretty(&mut out, &all)?;
                    writeln!(out)?;
                } else {
                    for a in &all {
                        writeln!(
                            out,
                            "{}\t{}\t{}\t{}",
                            a.code,
                            a.name,
                            spreadsheet::agency_kind_label(a.kind),
                            a.parent.as_deref().unwrap_or("-")
                        )?;
                    }
                    if all.is_empty() {
                        writeln!(out, "（尚未登记机关：gongkai agency add --code … --name … --kind …）")?;
                    }
                    for (code, d) in store.agency_deactivations().await? {
                        writeln!(out, "（{code} 自 {} 起停用：{}）", d.on, d.note)?;
                    }
                }
            }
            AgencyCommand::Casework(a) => return crate::cli_documents::casework_command(a).await,
            AgencyCommand::Remove { db, code } => {
                let store = open(&db).await?;
                let actor = gongkai_app::Actor::cli();
                match gongkai_app::agencies::remove(&store, &crate::clock(), &actor, &code).await {
                    Ok(a) => writeln!(out, "已删除误登记的机关：{} {}", a.code, a.name)?,
                    Err(e @ gongkai_app::AppError::Conflict(_)) => {
                        eprintln!("未删除：{e}");
                        return Ok(ExitCode::from(2));
                    }
                    Err(e) => return Err(app_error(e)),
                }
            }
            AgencyCommand::Deactivate { db, code, on, note } => {
                let store = open(&db).await?;
                let actor = gongkai_app::Actor::cli();
                let a = gongkai_app::agencies::deactivate(&store, &crate::clock(), &actor, &code, on, &note)
                    .await
                    .map_err(app_error)?;
                writeln!(out, "已停用机关：{} {}，自 {on} 起不再受理申请（已有记录保留）", a.code, a.name)?;
            }
            AgencyCommand::Reactivate { db, code } => {
                let store = open(&db).await?;
                let actor = gongkai_app::Actor::cli();
                let a = gongkai_app::agencies::reactivate(&store, &crate::clock(), &actor, &code)
                    .await
                    .map_err(app_error)?;
                writeln!(out, "已恢复机关受理申请：{} {}", a.code, a.name)?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

// ---------------------------------------------------------------------------------------------
// gongkai request

/// `gongkai request` subcommands.
#[derive(Subcommand)]
pub enum RequestCommand {
    /// 登记一件政府信息公开申请
    Add(RequestAddArgs),
    /// 登记办理事件（先按办理规则校验）
    Event(EventArgs),
    /// 查看申请：状态、答复期限和逐日说明
    Show(ShowArgs),
    /// 列出申请及其状态
    List(ListArgs),
    /// 列出申请的文书（回执、告知书、答复书）及文号
    Documents(crate::cli_documents::DocumentsArgs),
    /// 把一份文书写出为 PDF、Word 或网页
    Document(crate::cli_documents::DocumentArgs),
    /// 登记文书的送达方式和送达日期
    Deliver(crate::cli_documents::DeliverArgs),
    /// 以电子邮件把文书（及答复书的附件）发送给申请人，并登记送达
    Send(crate::cli_documents::SendArgs),
    /// 更正已制发的文书：制发一份新文号的文书，写明更正理由并替代原文书
    Correct(crate::cli_documents::CorrectArgs),
    /// 为邮寄或当面送达的文书出具送达回证（打印后由受送达人签收）
    ServiceReceipt(crate::cli_documents::ServiceReceiptArgs),
    /// 文书模板：导出内置模板，或检查本机关的模板目录
    Templates(crate::cli_documents::TemplatesArgs),
    /// 为答复书添加附件（所提供的政府信息）
    Attach(crate::cli_attachments::AttachArgs),
    /// 列出申请的附件
    Attachments(crate::cli_attachments::AttachmentsArgs),
    /// 把一个附件写出为文件
    Attachment(crate::cli_attachments::AttachmentArgs),
    /// 删除尚未送达的答复书的附件
    Detach(crate::cli_attachments::DetachArgs),
    /// 导出申请的归档案卷（登记表、全部文书、办理过程、附件）：ZIP 或 PDF
    Archive(crate::cli_attachments::ArchiveArgs),
}

/// `gongkai request add` arguments.
#[derive(Args)]
pub struct RequestAddArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    amend: AmendArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 受理编号，本机关内唯一
    #[arg(long)]
    number: String,
    /// 申请渠道：online、post、in_person、fax、letter.
    #[arg(long, value_parser = parse_channel)]
    channel: Channel,
    /// 收到申请之日 YYYY-MM-DD（第三十一条）
    #[arg(long, value_parser = parse_date)]
    received: NaiveDate,
    /// 申请人类型：natural_person、commercial、research、public_interest、legal_services、other.
    #[arg(long, value_parser = parse_applicant)]
    applicant_type: ApplicantType,
    /// 申请人姓名或名称
    #[arg(long)]
    applicant_name: String,
    /// 证件类型：resident_id_card（居民身份证）、residence_permit（港澳台居民居住证）、passport（护照）、credit_code（统一社会信用代码）、other（其他）；给出时按其校验规则核对证件号码
    #[arg(long, value_parser = parse_id_document_type)]
    id_document_type: Option<IdDocumentType>,
    /// 身份证明（证件号码）
    #[arg(long)]
    id_document: Option<String>,
    /// 联系方式
    #[arg(long)]
    contact: Option<String>,
    /// 申请内容
    #[arg(long)]
    content: String,
    /// 获取信息的形式
    #[arg(long)]
    form: Option<String>,
    /// 获取信息的方式
    #[arg(long)]
    delivery: Option<String>,
    /// 登记人（用于更正记录）
    #[arg(long, default_value = "未署名")]
    by: String,
}

/// `gongkai request event` arguments: the common part, then the event kind.
#[derive(Args)]
pub struct EventArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    amend: AmendArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 受理编号
    #[arg(long)]
    number: String,
    /// 事件发生之日 YYYY-MM-DD
    #[arg(long, value_parser = parse_date)]
    on: NaiveDate,
    /// 经办人
    #[arg(long)]
    by: String,
    #[command(subcommand)]
    kind: EventKindArg,
}

/// The event kinds (glossary names).
#[derive(Subcommand)]
pub enum EventKindArg {
    /// 补正告知（第三十条）
    CorrectionNotice {
        /// 需要补正的事项
        #[arg(long)]
        note: String,
        /// 补正期限（天）
        #[arg(long)]
        period_days: u32,
    },
    /// 收到补正后的申请（重新计算期限）
    CorrectionReceived,
    /// 延长答复期限（第三十三条）
    Extension {
        /// 批准人（政府信息公开工作机构负责人）
        #[arg(long)]
        approver: String,
        /// 理由
        #[arg(long)]
        reason: String,
    },
    /// 征求第三方或其他机关意见（第三十二、三十四条）
    ConsultationSent {
        /// 征求对象
        #[arg(long)]
        party: String,
    },
    /// 收到征求意见答复
    ConsultationAnswered,
    /// 收费通知：金额按国办函〔2020〕109号计算，不可输入
    FeeNotice {
        /// 计收方式：per_request（按件）或 per_page（按量）.
        #[arg(long, value_parser = parse_method)]
        method: FeeMethod,
        /// 当月申请件数（按件）或页数（按量）
        #[arg(long)]
        units: u32,
    },
    /// 缴费
    FeePaid,
    /// 答复，并给出表三的办理结果，如 granted、withheld.state_secret、unable.not_held
    Reply {
        /// 办理结果（表三的具体项）
        #[arg(long, value_parser = parse_outcome)]
        outcome: RequestRow,
        /// 部分公开时，不予公开部分的理由（表三「不予公开」的具体项，如 withheld.third_party_rights）
        #[arg(long, value_parser = parse_outcome)]
        withheld_reason: Option<RequestRow>,
        /// 信息由其他机关负责公开时，该机关的名称（条例第三十六条第（五）项）
        #[arg(long)]
        other_agency: Option<String>,
        /// 答复说明：提供的信息及获取方式，或有关事实（写入答复书）
        #[arg(long)]
        note: Option<String>,
    },
    /// 申请人撤回申请
    Withdrawal,
}

impl EventKindArg {
    /// What a reply says beyond its outcome (casework-documents.md C2).
    fn particulars(&self) -> gongkai_core::casework::Particulars {
        match self {
            EventKindArg::Reply { withheld_reason, other_agency, note, .. } => gongkai_core::casework::Particulars {
                withheld_reason: *withheld_reason,
                other_agency: other_agency.clone(),
                note: note.clone(),
            },
            _ => gongkai_core::casework::Particulars::default(),
        }
    }

    fn into_kind(self) -> anyhow::Result<EventKind> {
        Ok(match self {
            EventKindArg::CorrectionNotice { note, period_days } => EventKind::CorrectionNotice { note, period_days },
            EventKindArg::CorrectionReceived => EventKind::CorrectionReceived,
            EventKindArg::Extension { approver, reason } => EventKind::Extension { approver, reason },
            EventKindArg::ConsultationSent { party } => EventKind::ConsultationSent { party },
            EventKindArg::ConsultationAnswered => EventKind::ConsultationAnswered,
            EventKindArg::FeeNotice { method, units } => EventKind::FeeNotice {
                method,
                units,
                amount_yuan: spreadsheet::fee_amount(method, units).context("无法计算收费金额")?,
            },
            EventKindArg::FeePaid => EventKind::FeePaid,
            // The 答复书's 文号 is assigned when it is issued (C4).
            EventKindArg::Reply { outcome, .. } => EventKind::Reply { outcome, document: None },
            EventKindArg::Withdrawal => EventKind::Withdrawal,
        })
    }
}

/// `gongkai request show` arguments.
#[derive(Args)]
pub struct ShowArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 受理编号
    #[arg(long)]
    number: String,
    /// 以该日为“今天”计算状态（默认今天）
    #[arg(long, value_parser = parse_date)]
    today: Option<NaiveDate>,
    /// 输出 JSON.
    #[arg(long)]
    json: bool,
}

/// `gongkai request list` arguments.
#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 只列尚未办结的
    #[arg(long)]
    open: bool,
    /// 只列已逾期的
    #[arg(long)]
    overdue: bool,
    /// 以该日为“今天”计算状态（默认今天）
    #[arg(long, value_parser = parse_date)]
    today: Option<NaiveDate>,
    /// 输出 JSON.
    #[arg(long)]
    json: bool,
}

fn today_or(t: Option<NaiveDate>) -> NaiveDate {
    t.unwrap_or_else(|| crate::clock().today())
}

async fn find(store: &Store, agency: &str, number: &str) -> anyhow::Result<RequestId> {
    // The agency first (its code in any case; an unknown one said as every command says it).
    let agency = gongkai_app::year::agency(store, agency).await?.code;
    store
        .find_request(&agency, number)
        .await?
        .with_context(|| format!("机关 {agency} 没有受理编号为「{number}」的申请"))
}

/// The outcome as a glossary path (`granted`, `withheld.state_secret`).
fn outcome_text(state: &RequestState) -> Option<String> {
    if state.withdrawn {
        return Some("withdrawal".to_string());
    }
    state.outcome.map(|o| spreadsheet::outcome_path(o).to_string())
}

fn outcome_label(state: &RequestState) -> String {
    match state.outcome {
        _ if state.withdrawn => spreadsheet::WITHDRAWAL_LABEL.to_string(),
        Some(o) => spreadsheet::outcome_label(o),
        None => String::new(),
    }
}

/// Runs `gongkai request …`.
pub fn request(cmd: RequestCommand) -> anyhow::Result<ExitCode> {
    let cal = crate::cli_clock::load_calendar()?;
    runtime()?.block_on(async {
        match cmd {
            RequestCommand::Add(a) => request_add(&cal, a).await,
            RequestCommand::Event(a) => request_event(&cal, a).await,
            RequestCommand::Show(a) => request_show(&cal, a).await,
            RequestCommand::List(a) => request_list(&cal, a).await,
            RequestCommand::Documents(a) => crate::cli_documents::documents(a).await,
            RequestCommand::Document(a) => crate::cli_documents::document(a).await,
            RequestCommand::Deliver(a) => crate::cli_documents::deliver(a).await,
            RequestCommand::Send(a) => crate::cli_documents::send(a).await,
            RequestCommand::Correct(a) => crate::cli_documents::correct(&cal, a).await,
            RequestCommand::ServiceReceipt(a) => crate::cli_documents::service_receipt(a).await,
            RequestCommand::Templates(a) => crate::cli_documents::templates_command(a),
            RequestCommand::Attach(a) => crate::cli_attachments::attach(a).await,
            RequestCommand::Attachments(a) => crate::cli_attachments::attachments(a).await,
            RequestCommand::Attachment(a) => crate::cli_attachments::attachment(a).await,
            RequestCommand::Detach(a) => crate::cli_attachments::detach(a).await,
            RequestCommand::Archive(a) => crate::cli_attachments::archive(&cal, a).await,
        }
    })
}

async fn request_add(cal: &Calendar, a: RequestAddArgs) -> anyhow::Result<ExitCode> {
    let request = Request {
        agency: a.agency.trim().to_string(),
        tracking_number: a.number,
        channel: a.channel,
        received_on: a.received,
        applicant: Applicant {
            id_document_type: a.id_document_type,
            kind: a.applicant_type,
            name: a.applicant_name,
            id_document: a.id_document,
            contact: a.contact,
        },
        content: a.content,
        requested_form: a.form,
        delivery: a.delivery,
    };
    let store = open(&a.db).await?;
    let templates = crate::cli_documents::templates()?;
    // Checked, written and audited by the one use case (the core's Request::validated), with its
    // 接收回执.
    let amend = a.amend.with_by(&a.by);
    let registered = gongkai_app::request::register(
        &store,
        cal,
        &crate::clock(),
        &gongkai_app::Actor::cli(),
        request,
        amend.as_ref(),
        &templates,
    )
    .await
    .map_err(app_error)?;
    let (request, state, amendments) = (registered.request, registered.state, registered.amendments);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "已登记申请 {}（机关 {}，{} 收到）；答复期限 {}{}",
        request.tracking_number,
        request.agency,
        request.received_on,
        state.deadline.due,
        if state.deadline.estimated { "（估算）" } else { "" }
    )?;
    print_amendments(&mut out, &amendments)?;
    Ok(ExitCode::SUCCESS)
}

async fn request_event(cal: &Calendar, a: EventArgs) -> anyhow::Result<ExitCode> {
    let store = open(&a.db).await?;
    let id = find(&store, &a.agency, &a.number).await?;
    let particulars = a.kind.particulars();
    let event = Event { on: a.on, by: a.by.clone(), kind: a.kind.into_kind()? };
    let templates = crate::cli_documents::templates()?;
    let docs = gongkai_app::documents::DocumentInput { templates: &templates, particulars: &particulars };
    // Checked, applied, written and audited as in the console; a refusal exits 2 with the
    // message, nothing stored.
    let amend = a.amend.with_by(&a.by);
    let r = gongkai_app::request::record_event(
        &store,
        cal,
        &crate::clock(),
        &gongkai_app::Actor::cli(),
        &id,
        event,
        amend.as_ref(),
        &docs,
    )
    .await
    .map_err(app_error)?;
    let (event, state, amendments) = (r.event, r.state, r.amendments);
    let mut out = std::io::stdout().lock();
    writeln!(out, "已登记事件 #{}：{} {}（经办人 {}）", r.seq, event.on, event_label(&event.kind), event.by)?;
    if let EventKind::FeeNotice { amount_yuan, .. } = &event.kind {
        writeln!(out, "收费金额：{amount_yuan} 元（国办函〔2020〕109号）")?;
    }
    if let Some((kind, number)) = &r.document {
        writeln!(
            out,
            "已制发{}：{number}（打印或发送：gongkai request document --agency {} --number {} --document {number} --to pdf --out 文件.pdf）",
            kind.label(),
            r.request.agency,
            r.request.tracking_number
        )?;
    }
    let status = state.status(cal, event.on);
    writeln!(out, "状态：{}  答复期限：{}", status.label(), state.deadline.due)?;
    for w in &r.new_warnings {
        writeln!(out, "警告：{w}")?;
    }
    print_amendments(&mut out, &amendments)?;
    Ok(ExitCode::SUCCESS)
}

async fn request_show(cal: &Calendar, a: ShowArgs) -> anyhow::Result<ExitCode> {
    let store = open(&a.db).await?;
    let id = find(&store, &a.agency, &a.number).await?;
    let (request, events) = store.get_request(&id).await?.with_context(|| format!("申请「{}」已不存在", a.number))?;
    let state = lifecycle::replay(cal, &request, &events).map_err(|e| anyhow!("{e}"))?;
    let today = today_or(a.today);
    let status = state.status(cal, today);
    let deadline = state.deadline_on(cal, today).unwrap_or_else(|_| state.deadline.clone());
    // Masked as the console masks it (B4.6): one rule for every list and page.
    let masked = request.applicant.id_document.as_deref().map(masking::mask_id);
    let name = masking::mask_name(&request.applicant.name);
    let contact = request.applicant.contact.as_deref().map(masking::mask_contact);
    let mut out = std::io::stdout().lock();
    if a.json {
        let doc = serde_json::json!({
            "agency": request.agency,
            "tracking_number": request.tracking_number,
            "channel": request.channel,
            "received_on": request.received_on,
            "applicant": {
                "type": request.applicant.kind,
                "name": name,
                "id_document_type": request.applicant.id_document_type.map(IdDocumentType::name),
                "id_document": masked,
                "contact": contact,
            },
            "content": request.content,
            "requested_form": request.requested_form,
            "delivery": request.delivery,
            "today": today,
            "status": status.name(),
            "status_label": status.label(),
            "due": deadline.due,
            "original_due": deadline.original_due,
            "estimated": deadline.estimated,
            "correction_notice_due": state.correction_notice_due,
            "finished_on": state.finished_on,
            "outcome": outcome_text(&state),
            "withdrawn": state.withdrawn,
            "events": events,
            "trail": deadline.trail,
            "explanation": deadline.explain(),
            "warnings": state.warnings,
        });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "申请 {}（机关 {}）", request.tracking_number, request.agency)?;
    writeln!(out, "收到日期：{}（{}）", request.received_on, spreadsheet::channel_label(request.channel))?;
    writeln!(
        out,
        "申请人：{} {}{}{}",
        spreadsheet::applicant_label(request.applicant.kind),
        name,
        masked
            .as_deref()
            .map(|m| match request.applicant.id_document_type {
                Some(t) => format!("，{} {m}", t.label()),
                None => format!("，证件号码 {m}"),
            })
            .unwrap_or_default(),
        contact.as_deref().map(|c| format!("，联系方式 {c}")).unwrap_or_default()
    )?;
    writeln!(out, "申请内容：{}", request.content)?;
    writeln!(out, "状态：{}，截至 {today}", status.label())?;
    writeln!(out, "答复期限：{}{}", deadline.due, if deadline.estimated { "（估算）" } else { "" })?;
    if let Some(o) = deadline.original_due {
        writeln!(out, "延长前期限：{o}")?;
    }
    if state.is_finished() {
        writeln!(
            out,
            "办结：{} {}",
            state.finished_on.map(|d| d.to_string()).unwrap_or_default(),
            outcome_label(&state)
        )?;
    }
    writeln!(out, "事件：")?;
    if events.is_empty() {
        writeln!(out, "  （无）")?;
    }
    for (i, e) in events.iter().enumerate() {
        writeln!(out, "  {}. {} {}（经办人 {}）{}", i + 1, e.on, event_label(&e.kind), e.by, {
            let d = lifecycle::event_detail(&e.kind);
            if d.is_empty() {
                d
            } else {
                format!("：{d}")
            }
        })?;
    }
    writeln!(out, "逐日说明：")?;
    for line in deadline.explain().lines() {
        writeln!(out, "  {line}")?;
    }
    for w in &state.warnings {
        writeln!(out, "警告：{w}")?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn request_list(cal: &Calendar, a: ListArgs) -> anyhow::Result<ExitCode> {
    let store = open(&a.db).await?;
    let agency = gongkai_app::year::agency(&store, &a.agency).await?;
    let a = ListArgs { agency: agency.code, ..a };
    let today = today_or(a.today);
    let filter = if a.open || a.overdue { RequestFilter::OpenAt(today) } else { RequestFilter::All };
    let all = store.list_request_histories(&a.agency, filter).await?;
    let mut rows = Vec::new();
    for (_, request, events) in &all {
        let (status, due, outcome, finished) = match lifecycle::replay(cal, request, events) {
            Ok(state) => {
                let status = state.status(cal, today);
                let due = state.deadline_on(cal, today).map_or(state.deadline.due, |d| d.due);
                (Some(status), Some(due), outcome_text(&state), state.finished_on)
            }
            Err(_) => (None, None, None, None),
        };
        let open = matches!(status, Some(Status::Open | Status::DueSoon | Status::Overdue));
        if (a.open && !open) || (a.overdue && status != Some(Status::Overdue)) {
            continue;
        }
        rows.push((request, status, due, outcome, finished));
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        let doc: Vec<serde_json::Value> = rows
            .iter()
            .map(|(r, status, due, outcome, finished)| {
                serde_json::json!({
                    "tracking_number": r.tracking_number,
                    "received_on": r.received_on,
                    "applicant_type": r.applicant.kind,
                    "status": status.map_or("invalid", Status::name),
                    "due": due,
                    "finished_on": finished,
                    "outcome": outcome,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "受理编号\t收到日期\t申请人类型\t状态\t答复期限\t办理结果")?;
    for (r, status, due, outcome, _) in &rows {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            r.tracking_number,
            r.received_on,
            spreadsheet::applicant_label(r.applicant.kind),
            status.map_or("登记有误", Status::label),
            due.map(|d| d.to_string()).unwrap_or_default(),
            outcome.as_deref().unwrap_or("")
        )?;
    }
    writeln!(out, "共 {} 件（截至 {today}）", rows.len())?;
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------------------------------------
// gongkai report publish, gongkai narrative set

/// `gongkai report publish` arguments.
#[derive(Args)]
pub struct PublishArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 报告年度
    #[arg(long)]
    year: i32,
    /// 发布日期 YYYY-MM-DD
    #[arg(long, value_parser = parse_date)]
    date: NaiveDate,
    /// 确认发布：接受核对中的全部警告和未填写或无数据的章节（有错误时仍不发布）；无终端时必须加
    #[arg(long, conflicts_with = "check")]
    yes: bool,
    /// 只做发布前核对，不发布（无错误时退出码为 0）
    #[arg(long)]
    check: bool,
}

/// `gongkai report publish`: the same use case as the console's confirmation page
/// ([`gongkai_app::publish::check`], then [`gongkai_app::publish::publish`]): the check is
/// printed; errors block; warnings and empty sections are accepted at the terminal's prompt or
/// by `--yes`; without either, and without a terminal, nothing is published.
pub fn publish(a: PublishArgs) -> anyhow::Result<ExitCode> {
    use gongkai_app::publish::{self as publishing, Confirmation};
    use std::io::IsTerminal;
    let cal = std::sync::Arc::new(crate::cli_clock::load_calendar()?);
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let clock = crate::clock();
        let actor = gongkai_app::Actor::cli();
        let refused = |e: gongkai_app::AppError| -> anyhow::Result<ExitCode> {
            match e {
                e @ (gongkai_app::AppError::Store(_) | gongkai_app::AppError::Internal(_)) => Err(e.into()),
                e => {
                    eprintln!("未发布：{e}");
                    Ok(ExitCode::from(2))
                }
            }
        };
        let target = format!("{}/{}", a.agency, a.year);
        let check = publishing::check(&store, std::sync::Arc::clone(&cal), &clock, &a.agency, a.year, a.date).await;
        if !a.check {
            // A publication refused before its check is an attempt all the same (B2.3).
            actor.audit_refusal(&store, &clock, publishing::AUDIT_EVENT, &target, &check).await;
        }
        let check = match check {
            Ok(c) => c,
            Err(e @ gongkai_app::AppError::UnknownAgency(_)) => return Err(e.into()),
            Err(e) => return refused(e),
        };
        let mut out = std::io::stdout().lock();
        write_check(&mut out, &check)?;
        drop(out);
        if a.check {
            return Ok(if check.blocked() { ExitCode::from(1) } else { ExitCode::SUCCESS });
        }
        if check.blocked() {
            let why = "未发布：请先更正以上错误";
            actor.audit(&store, &clock, publishing::AUDIT_EVENT, &target, false, Some(why.into())).await;
            eprintln!("{why}");
            return Ok(ExitCode::from(1));
        }
        let fingerprint = check.fingerprint();
        let confirmation = if a.yes {
            Confirmation::Given
        } else if std::io::stdin().is_terminal() {
            eprint!("确认发布并锁定 {} 年度数据？输入“是”确认，其他任意内容取消：", a.year);
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("读取确认输入失败")?;
            if !matches!(line.trim(), "是" | "y" | "Y" | "yes") {
                eprintln!("已取消，未发布");
                return Ok(ExitCode::from(2));
            }
            Confirmation::Of { seen: &fingerprint, accepted: true }
        } else {
            let why = "未发布：发布将锁定该年度数据，须经确认，而当前没有终端可供确认；核对以上结果无误后加 --yes 确认发布";
            actor.audit(&store, &clock, publishing::AUDIT_EVENT, &target, false, Some(why.into())).await;
            eprintln!("{why}");
            return Ok(ExitCode::from(2));
        };
        match publishing::publish(&store, cal, &clock, &actor, &a.agency, a.year, a.date, confirmation).await {
            Ok(_) => {
                println!(
                    "已发布：机关 {} {} 年度报告，发布日期 {}。该年度数据已锁定，此后修改须加 --amend \"更正理由\"，并在报告中注明更正。",
                    check.agency.code, a.year, a.date
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(gongkai_app::AppError::Uncountable(errors)) => {
                for e in &errors {
                    eprintln!("登记数据有误：{e}");
                }
                eprintln!("报告无法生成，未发布");
                Ok(ExitCode::from(1))
            }
            Err(e) => refused(e),
        }
    })
}

/// The pre-publication check as the terminal shows it: what is locked, then every problem, then
/// the verdict. The console's confirmation page shows the same lists.
fn write_check(out: &mut impl std::io::Write, c: &gongkai_app::publish::PublishCheck) -> std::io::Result<()> {
    writeln!(
        out,
        "发布前核对：{}（{}）{} 年度报告，发布日期 {}",
        c.agency.name, c.agency.code, c.year, c.published_on
    )?;
    let l = &c.locks;
    writeln!(
        out,
        "发布后锁定：申请登记 {} 件（另有上年结转 {} 件）、复议诉讼案件 {} 件、主动公开登记 {} 条、第二十条数据{}、正文 {} 个章节；此后修改须作为更正并说明理由，更正在报告中注明",
        l.requests,
        l.carried_over,
        l.cases,
        l.proactive,
        if l.article20 { "已登记" } else { "未登记" },
        l.narratives
    )?;
    let list =
        |out: &mut dyn std::io::Write, head: String, items: &mut dyn Iterator<Item = String>| -> std::io::Result<()> {
            writeln!(out, "{head}")?;
            for (i, m) in items.enumerate() {
                writeln!(out, "  {}. {m}", i + 1)?;
            }
            Ok(())
        };
    if !c.uncountable.is_empty() {
        list(
            out,
            format!("无法统计的登记 {} 条（须先更正）：", c.uncountable.len()),
            &mut c.uncountable.iter().cloned(),
        )?;
    }
    if !c.errors.is_empty() {
        list(
            out,
            format!("错误 {} 处（须先更正，否则不能发布）：", c.errors.len()),
            &mut c.errors.iter().map(|f| f.message.clone()),
        )?;
    }
    if !c.warnings.is_empty() {
        list(
            out,
            format!("警告 {} 处（须确认）：", c.warnings.len()),
            &mut c.warnings.iter().map(|f| f.message.clone()),
        )?;
    }
    if !c.empty_sections.is_empty() {
        list(
            out,
            format!("未填写或无数据的章节 {} 个（须确认）：", c.empty_sections.len()),
            &mut c.empty_sections.iter().map(|s| {
                if s.note.is_empty() {
                    s.title.to_string()
                } else {
                    format!("{}（{}）", s.title, s.note)
                }
            }),
        )?;
    }
    let verdict = if c.blocked() {
        "不能发布：有错误须先更正"
    } else if c.needs_acceptance() {
        "可以发布，但须确认以上警告和未填写或无数据的章节"
    } else {
        "可以发布：未发现问题"
    };
    writeln!(out, "核对结果：{verdict}")
}

/// `gongkai narrative` subcommands.
#[derive(Subcommand)]
pub enum NarrativeCommand {
    /// 设置报告某一章节的正文
    Set(NarrativeSetArgs),
}

/// `gongkai narrative set` arguments.
#[derive(Args)]
pub struct NarrativeSetArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    amend: AmendArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 报告年度
    #[arg(long)]
    year: i32,
    /// 章节：overview、proactive、requests、review_litigation、problems、other_matters（或 fees）.
    #[arg(long, value_parser = parse_section)]
    section: SectionKey,
    /// 正文文件（UTF-8），`-` 为标准输入
    #[arg(long)]
    file: String,
    /// 修改人（用于更正记录）
    #[arg(long, default_value = "未署名")]
    by: String,
}

/// Runs `gongkai narrative …`.
pub fn narrative(cmd: NarrativeCommand) -> anyhow::Result<ExitCode> {
    let NarrativeCommand::Set(a) = cmd;
    let text = if a.file == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("读取标准输入失败")?;
        s
    } else {
        std::fs::read_to_string(&a.file).with_context(|| format!("无法读取文件 {}（须为 UTF-8 文本）", a.file))?
    };
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        // Checked, stored and audited as in the console's report workspace.
        let amend = a.amend.with_by(&a.by);
        let actor = gongkai_app::Actor::cli();
        let saved = gongkai_app::narrative::set(
            &store,
            &crate::clock(),
            &actor,
            &a.agency,
            a.year,
            a.section,
            &text,
            amend.as_ref(),
        )
        .await
        .map_err(app_error)?;
        let (text, amendments) = (saved.text, saved.amendments);
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "已保存 {} {} 年度报告“{}”（{} 字）",
            a.agency,
            a.year,
            template::section(a.section).title,
            text.chars().count()
        )?;
        print_amendments(&mut out, &amendments)?;
        Ok(ExitCode::SUCCESS)
    })
}

// ---------------------------------------------------------------------------------------------
// gongkai register import|export|template

/// `gongkai register` subcommands.
#[derive(Subcommand)]
pub enum RegisterCommand {
    /// 从 .xlsx 台账导入（全部校验通过才写入）
    Import(ImportArgs),
    /// 导出为 .xlsx 台账
    Export(ExportArgs),
    /// 生成带示例数据的 .xlsx 模板
    Template {
        /// 输出文件
        #[arg(long)]
        out: PathBuf,
    },
}

/// `gongkai register import` arguments.
#[derive(Args)]
pub struct ImportArgs {
    /// .xlsx 文件
    file: PathBuf,
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    amend: AmendArgs,
    /// 导入人（用于更正记录）
    #[arg(long, default_value = "未署名")]
    by: String,
    /// 只校验，不写入
    #[arg(long)]
    dry_run: bool,
}

/// `gongkai register export` arguments.
#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 只导出该年度报告所依据的数据（当年收到或结转入当年的申请、当年的案件和第二十条数据）
    #[arg(long)]
    year: Option<i32>,
    /// 输出文件
    #[arg(long)]
    out: PathBuf,
}

/// Runs `gongkai register …`.
pub fn register(cmd: RegisterCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RegisterCommand::Import(a) => import(a),
        RegisterCommand::Export(a) => export(a),
        RegisterCommand::Template { out } => {
            let bytes = spreadsheet::write(&spreadsheet::example(), true).context("无法生成电子表格")?;
            std::fs::write(&out, bytes).with_context(|| format!("无法写入 {}", out.display()))?;
            println!("已生成台账模板（含示例数据）：{}；格式说明见 docs/register-spreadsheet.md", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints the problems (at most 100) and fails.
fn refuse(errors: &[CellError], file: &std::path::Path) -> anyhow::Result<ExitCode> {
    const SHOWN: usize = 100;
    for e in errors.iter().take(SHOWN) {
        eprintln!("{e}");
    }
    if errors.len() > SHOWN {
        eprintln!("……另有 {} 处错误未列出", errors.len() - SHOWN);
    }
    if errors.iter().any(|e| e.message.contains("已锁定")) {
        eprintln!("如确需补录已发布年度的登记，请在命令中加 --amend \"更正理由\"，将作为更正记录在年度报告中注明");
    }
    bail!("{} 有 {} 处错误，未导入任何数据", file.display(), errors.len())
}

fn import(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let cal = crate::cli_clock::load_calendar()?;
    let bytes = std::fs::read(&a.file).with_context(|| format!("无法读取文件 {}", a.file.display()))?;
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        // Checked, stored and audited as in the console (without its one-agency scope).
        let upload =
            gongkai_app::registers::Upload { bytes, scope: None, amend: a.amend.with_by(&a.by), dry_run: a.dry_run };
        let imported =
            match gongkai_app::registers::import(&store, &cal, &crate::clock(), &gongkai_app::Actor::cli(), upload)
                .await
            {
                Ok(i) => i,
                Err(gongkai_app::AppError::Workbook(errors)) => return refuse(&errors, &a.file),
                Err(e) => return Err(app_error(e)),
            };
        let mut out = std::io::stdout().lock();
        let line = imported.summary.iter().map(|(sheet, n)| format!("{sheet} {n}")).collect::<Vec<_>>().join("，");
        if !imported.written {
            writeln!(out, "校验通过（未写入）：{line}")?;
            return Ok(ExitCode::SUCCESS);
        }
        let amendments = imported.amendments;
        writeln!(out, "已导入 {}：{line}", a.file.display())?;
        if !amendments.is_empty() {
            writeln!(
                out,
                "已登记更正 {} 条（已发布年度：{}）",
                amendments.len(),
                amendments
                    .iter()
                    .map(|x| x.year.to_string())
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join("、")
            )?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn export(a: ExportArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let code = gongkai_app::year::agency(&store, &a.agency).await?.code;
        let batch = spreadsheet::agency_registers(&store, &code, a.year)
            .await?
            .ok_or_else(|| gongkai_app::AppError::UnknownAgency(code.clone()))?;
        let bytes = spreadsheet::write(&batch, false).context("无法生成电子表格")?;
        std::fs::write(&a.out, bytes).with_context(|| format!("无法写入 {}", a.out.display()))?;
        println!(
            "已导出 {}：申请 {} 件，复议诉讼 {} 件，第二十条数据 {} 条",
            a.out.display(),
            batch.requests.len(),
            batch.cases.len(),
            batch.figures.len()
        );
        Ok(ExitCode::SUCCESS)
    })
}
