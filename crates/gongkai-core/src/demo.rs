//! Realistic synthetic registers for demonstrations, tests and benchmarks (`gongkai demo`).
//!
//! Deterministic: the same seed gives the same registers. Every request's events form a valid
//! sequence under [`crate::lifecycle`] by construction (the tests replay all of them), with the
//! mix an office sees: most requests answered within the period, some corrected (补正), extended,
//! or sent for consultation, a few withdrawn, and the last weeks of the final year still open.

use chrono::{Datelike, Days, NaiveDate};

use crate::calendar::Calendar;
use crate::clock::{self, DeadlineInput};
use crate::register::{
    Agency, AgencyKind, Applicant, ApplicantType, Article20Figures, Case, Channel, Event, EventKind,
    ProactiveDisclosure, Request,
};
use crate::report::{Amount, CaseGroup, CaseResult, RequestRow, SectionKey};

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoSpec {
    /// Number of agencies (one government and its departments and towns).
    pub agencies: usize,
    /// Number of requests, spread over the agencies and years.
    pub requests: usize,
    /// First year with requests.
    pub first_year: i32,
    /// Last year with requests (requests received near its end stay open).
    pub last_year: i32,
    /// The seed of the generator.
    pub seed: u64,
}

/// Generated registers.
#[derive(Debug, Clone, Default)]
pub struct DemoData {
    /// The agency tree (the government first).
    pub agencies: Vec<Agency>,
    /// Requests with their events.
    pub requests: Vec<(Request, Vec<Event>)>,
    /// Review and litigation cases.
    pub cases: Vec<Case>,
    /// Article 20 figures per agency and year.
    pub figures: Vec<Article20Figures>,
}

/// A small deterministic generator (SplitMix64): no dependency, same output everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    /// Picks by weight.
    fn weighted<T: Copy>(&mut self, items: &[(T, u64)]) -> Option<T> {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut r = self.below(total);
        for (t, w) in items {
            if r < *w {
                return Some(*t);
            }
            r -= w;
        }
        items.last().map(|(t, _)| *t)
    }
}

const DEPARTMENTS: &[&str] = &[
    "自然资源局",
    "住房和城乡建设局",
    "人力资源和社会保障局",
    "市场监督管理局",
    "生态环境分局",
    "交通运输局",
    "教育局",
    "卫生健康局",
    "民政局",
    "财政局",
    "公安局",
    "农业农村局",
    "应急管理局",
    "水利局",
    "司法局",
    "发展和改革局",
    "统计局",
    "审计局",
    "商务局",
    "文化和旅游局",
];

const TOWNS: &[&str] = &[
    "城关镇人民政府",
    "东湖镇人民政府",
    "西山乡人民政府",
    "南塘街道办事处",
    "北岭镇人民政府",
    "青石镇人民政府",
    "柳溪乡人民政府",
];

const TOPICS: &[&str] = &[
    "某地块征收补偿安置方案及批准文件",
    "某小区规划许可证及总平面图",
    "本人社会保险缴费记录的核定依据",
    "某企业行政处罚决定书",
    "某路段道路改造工程立项批复",
    "某学校建设项目环境影响评价文件",
    "某村集体土地征收的批复文件",
    "某项目招投标中标结果公示",
];

/// Generates registers.
pub fn generate(cal: &Calendar, spec: &DemoSpec) -> DemoData {
    let mut rng = Rng(spec.seed);
    let mut data = DemoData::default();
    let n = spec.agencies.max(1);
    data.agencies.push(Agency {
        code: "DEMO".to_string(),
        name: "示范县人民政府".to_string(),
        parent: None,
        kind: AgencyKind::Government,
    });
    // Every name once in the county: the departments and the towns each in their own turn (a
    // second round, only in the benchmarks' thousands of agencies, is numbered).
    let (mut departments, mut towns) = (0usize, 0usize);
    for i in 1..n {
        let (names, kind, k) = if i % 5 == 0 {
            towns += 1;
            (TOWNS, AgencyKind::Township, towns - 1)
        } else {
            departments += 1;
            (DEPARTMENTS, AgencyKind::Department, departments - 1)
        };
        let name = names[k % names.len()];
        let round = k / names.len();
        let suffix = if round > 0 { format!("（{}）", round + 1) } else { String::new() };
        data.agencies.push(Agency {
            code: format!("DEMO-{i:04}"),
            name: format!("示范县{name}{suffix}"),
            parent: Some("DEMO".to_string()),
            kind,
        });
    }
    let first = spec.first_year.min(spec.last_year);
    let last = spec.first_year.max(spec.last_year);
    let start = NaiveDate::from_ymd_opt(first, 1, 1).unwrap_or(NaiveDate::MIN);
    let end = NaiveDate::from_ymd_opt(last, 12, 31).unwrap_or(NaiveDate::MIN);
    let days = (end - start).num_days().max(0) as u64 + 1;
    let mut per_agency = vec![0usize; data.agencies.len()];
    for _ in 0..spec.requests {
        let a = rng.below(data.agencies.len() as u64) as usize;
        per_agency[a] += 1;
        let received = start.checked_add_days(Days::new(rng.below(days))).unwrap_or(start);
        let agency = &data.agencies[a];
        let kind = rng
            .weighted(&[
                (ApplicantType::NaturalPerson, 80),
                (ApplicantType::Commercial, 9),
                (ApplicantType::Research, 1),
                (ApplicantType::PublicInterest, 2),
                (ApplicantType::LegalServices, 5),
                (ApplicantType::Other, 3),
            ])
            .unwrap_or(ApplicantType::NaturalPerson);
        let request = Request {
            agency: agency.code.clone(),
            tracking_number: format!("{}-{}-{:05}", agency.code, received.year(), per_agency[a]),
            channel: rng
                .weighted(&[(Channel::Online, 60), (Channel::Post, 20), (Channel::InPerson, 15), (Channel::Letter, 5)])
                .unwrap_or(Channel::Online),
            received_on: received,
            applicant: Applicant {
                id_document_type: None,
                kind,
                name: if kind == ApplicantType::NaturalPerson { "张某".into() } else { "某某有限公司".into() },
                id_document: None,
                contact: None,
            },
            content: TOPICS[rng.below(TOPICS.len() as u64) as usize].to_string(),
            requested_form: Some("电子邮件".into()),
            delivery: None,
        };
        let events = events_for(cal, &mut rng, &request, end);
        data.requests.push((request, events));
    }
    for agency in &data.agencies {
        // 现行有效 carries over: last year's, plus issued, minus repealed (the year rule's
        // approximation holds exactly in the demo).
        let mut in_force: Option<i64> = None;
        for year in first..=last {
            let cases = rng.below(3);
            for k in 0..cases {
                let filed =
                    NaiveDate::from_ymd_opt(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32).unwrap_or(start);
                let decided = filed.checked_add_days(Days::new(30 + rng.below(90))).filter(|d| *d <= end);
                let group = rng
                    .weighted(&[
                        (CaseGroup::Review, 70),
                        (CaseGroup::LitigationDirect, 20),
                        (CaseGroup::LitigationAfterReview, 10),
                    ])
                    .unwrap_or(CaseGroup::Review);
                let result = decided.and(rng.weighted(&[
                    (CaseResult::Upheld, 70),
                    (CaseResult::Corrected, 15),
                    (CaseResult::Other, 15),
                ]));
                data.cases.push(Case {
                    agency: agency.code.clone(),
                    number: format!("{}-{year}-复{}", agency.code, k + 1),
                    group,
                    request: None,
                    filed_on: filed,
                    decided_on: decided,
                    result,
                });
            }
            let first_count = 5 + rng.below(40) as i64;
            let issued = rng.below(6) as i64;
            let repealed = rng.below(3) as i64;
            let (repealed, now) = match in_force {
                None => (repealed, first_count),
                Some(before) => {
                    let repealed = repealed.min(before + issued);
                    (repealed, before + issued - repealed)
                }
            };
            in_force = Some(now);
            data.figures.push(Article20Figures {
                agency: agency.code.clone(),
                year,
                rules_issued: Some(0),
                rules_repealed: Some(0),
                rules_in_force: Some(0),
                normative_issued: Some(issued),
                normative_repealed: Some(repealed),
                normative_in_force: Some(now),
                licensing_decisions: Some(rng.below(3000) as i64),
                penalty_decisions: Some(rng.below(400) as i64),
                coercive_decisions: Some(rng.below(30) as i64),
                fees_wan_yuan: Amount::parse(&format!("{}.{:02}", rng.below(100), rng.below(100))).ok(),
            });
        }
    }
    data
}

/// One request's events: a valid sequence (see the module doc), ending open when the reply
/// would fall after `end`.
fn events_for(cal: &Calendar, rng: &mut Rng, r: &Request, end: NaiveDate) -> Vec<Event> {
    let by = "办公室".to_string();
    let mut ev = Vec::new();
    let mut input = DeadlineInput::new(r.received_on);
    let mut last = r.received_on;
    let add = |d: NaiveDate, n: u64| d.checked_add_days(Days::new(n)).unwrap_or(d);
    if rng.chance(2) {
        let on = add(last, 1 + rng.below(5));
        if on <= end {
            ev.push(Event { on, by, kind: EventKind::Withdrawal });
        }
        return ev;
    }
    if rng.chance(10) {
        // 补正 (Art. 30): notice within a few days, the corrected request a week later.
        let notice = add(last, 1 + rng.below(4));
        if notice > end {
            return ev;
        }
        ev.push(Event {
            on: notice,
            by: by.clone(),
            kind: EventKind::CorrectionNotice {
                note: "请明确所需信息的名称、文号".into(), period_days: 15
            },
        });
        let corrected = add(notice, 3 + rng.below(10));
        if corrected > end {
            return ev;
        }
        ev.push(Event { on: corrected, by: by.clone(), kind: EventKind::CorrectionReceived });
        input.corrected = Some(corrected);
        last = corrected;
    }
    if rng.chance(5) {
        // 征求第三方意见 (Arts. 32–34), answered within the 15 working days.
        let sent = add(last, 1 + rng.below(5));
        let answered = add(sent, 3 + rng.below(12));
        if answered > end {
            return ev;
        }
        ev.push(Event {
            on: sent, by: by.clone(), kind: EventKind::ConsultationSent { party: "第三方企业".into() }
        });
        ev.push(Event { on: answered, by: by.clone(), kind: EventKind::ConsultationAnswered });
        input.consultations.push((sent, answered));
        last = answered;
    }
    let Ok(due) = clock::deadline(cal, &input).map(|d| d.due) else { return ev };
    let mut due = due;
    if rng.chance(4) && last < due {
        // 延长 (Art. 33), approved before the due date.
        let on = add(last, 1).min(due);
        if on > end {
            return ev;
        }
        ev.push(Event {
            on,
            by: by.clone(),
            kind: EventKind::Extension {
                approver: "办公室主任".into(),
                reason: "涉及信息量大，需要检索归档材料".into(),
            },
        });
        input.extended = true;
        last = on;
        due = clock::deadline(cal, &input).map(|d| d.due).unwrap_or(due);
    }
    // The reply, mostly within the period (about 3% late).
    let span = (due - last).num_days().max(1) as u64;
    let reply_on = if rng.chance(3) { add(due, 1 + rng.below(10)) } else { add(last, 1 + rng.below(span)) };
    if reply_on > end {
        return ev;
    }
    let outcome = rng
        .weighted(&[
            (RequestRow::Granted, 400),
            (RequestRow::PartiallyGranted, 90),
            (RequestRow::StateSecret, 3),
            (RequestRow::ProhibitedByLaw, 5),
            (RequestRow::SecurityStability, 3),
            (RequestRow::ThirdPartyRights, 15),
            (RequestRow::InternalAffairs, 10),
            (RequestRow::ProcessInformation, 20),
            (RequestRow::EnforcementFiles, 12),
            (RequestRow::AdministrativeQuery, 30),
            (RequestRow::NotHeld, 200),
            (RequestRow::NeedsCreation, 40),
            (RequestRow::Complaint, 50),
            (RequestRow::Duplicate, 20),
            (RequestRow::Publication, 5),
            (RequestRow::Excessive, 5),
            (RequestRow::Reconfirmation, 10),
            (RequestRow::OtherHandlingOther, 15),
        ])
        .unwrap_or(RequestRow::Granted);
    ev.push(Event {
        on: reply_on,
        by,
        kind: EventKind::Reply { outcome, document: Some(format!("{}答复", r.tracking_number)) },
    });
    ev
}

/// Kinds of proactive items: Article 20 item (1–15, `None` for items outside Art. 20), title
/// pattern (`{agency}`, `{year}` and `{n}` are filled in), category (主题分类), and whether the
/// item carries a document number (文号).
const PROACTIVE_KINDS: &[(Option<u8>, &str, &str, bool)] = &[
    (Some(1), "{agency}关于印发{year}年行政规范性文件清理结果的通知", "规范性文件", true),
    (Some(2), "{agency}机构职能及领导信息（{year}年更新）", "机构职能", false),
    (Some(3), "{agency}{year}年工作要点", "规划计划", true),
    (Some(4), "{year}年第{n}季度主要统计数据", "统计信息", false),
    (Some(5), "{agency}行政许可事项办理结果公示（{year}年第{n}批）", "行政许可", false),
    (Some(6), "{agency}行政处罚决定书（{year}）第{n}号", "行政处罚", true),
    (Some(7), "{agency}{year}年部门预算公开说明", "财政预算决算", false),
    (Some(7), "{agency}{year}年部门决算及“三公”经费决算说明", "财政预算决算", false),
    (Some(8), "{agency}行政事业性收费项目目录（{year}年）", "收费", false),
    (Some(9), "{year}年政府集中采购目录及限额标准执行情况", "政府采购", false),
    (Some(10), "某道路改造工程批准和实施情况（{year}年第{n}期）", "重大建设项目", false),
    (Some(11), "{year}年城乡居民医疗保险参保缴费政策解读", "社会保障", false),
    (Some(12), "{agency}突发事件应急预案（{year}年修订）", "应急管理", true),
    (Some(13), "{year}年第{n}季度食品安全监督抽检结果", "监督检查", false),
    (Some(14), "{year}年考试录用公务员拟录用人员名单公示", "人事信息", false),
    (Some(15), "{agency}{year}年政府信息公开工作年度报告", "年度报告", false),
    (None, "{agency}政府信息公开工作制度", "政府信息公开制度", true),
    (None, "{agency}关于开展{year}年安全生产月活动的通知", "工作动态", true),
];

/// `count` proactive disclosures spread over the agencies of `data` and the years of `spec`,
/// deterministic for a seed: titles, 文号, Article 20 items and categories an office's directory
/// really holds, so that directory pages and search can be tried and load-tested on demo data.
/// Index numbers are `<agency>-<year>-<seq>` (unique per agency).
pub fn proactive(data: &DemoData, spec: &DemoSpec, count: usize) -> Vec<ProactiveDisclosure> {
    let mut rng = Rng(spec.seed ^ 0x5052_4f41_4354_4956);
    let first = spec.first_year.min(spec.last_year);
    let years = u64::try_from(spec.last_year.max(spec.first_year) - first + 1).unwrap_or(1);
    let mut seq = vec![0u32; data.agencies.len()];
    let mut out = Vec::with_capacity(count);
    if data.agencies.is_empty() {
        return out;
    }
    for i in 0..count {
        let a = i % data.agencies.len();
        let agency = &data.agencies[a];
        seq[a] += 1;
        let year = first + i32::try_from(rng.below(years)).unwrap_or(0);
        let (item, pattern, category, numbered) = PROACTIVE_KINDS[rng.below(PROACTIVE_KINDS.len() as u64) as usize];
        let n = 1 + rng.below(4);
        let title = pattern
            .replace("{agency}", &agency.name)
            .replace("{year}", &year.to_string())
            .replace("{n}", &n.to_string());
        let day = 1 + rng.below(365);
        let published_on = NaiveDate::from_ymd_opt(year, 1, 1)
            .and_then(|d| d.checked_add_days(Days::new(day - 1)))
            .filter(|d| d.year() == year)
            .or_else(|| NaiveDate::from_ymd_opt(year, 12, 31))
            .unwrap_or_default();
        out.push(ProactiveDisclosure {
            agency: agency.code.clone(),
            index_number: format!("{}-{year}-{:05}", agency.code, seq[a]),
            title,
            document_number: numbered
                .then(|| format!("示{}〔{year}〕{}号", agency.name.chars().nth(3).unwrap_or('政'), seq[a])),
            article20_item: item,
            category: Some(category.to_string()),
            channels: vec!["website".to_string()],
            published_on,
            validity: numbered.then(|| "有效".to_string()),
        });
    }
    out
}

/// A section of an annual report's text, as the demo writes it (`report_narratives`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoNarrative {
    /// The agency.
    pub agency: String,
    /// The report year.
    pub year: i32,
    /// The section (`overview`: 总体情况; `problems`: 存在的主要问题及改进情况; `other_matters`:
    /// 其他需要报告的事项).
    pub section: SectionKey,
    /// Its text.
    pub text: String,
}

/// Problems an office really reports, each with the measure that answers it (same index); `{n}`
/// is a figure, `{m}` a month.
const ISSUES: &[(&str, &str)] = &[
    ("依申请公开答复中有{n}件超过法定期限，主要原因是内部会签流程较长", "建立答复期限提前{n}个工作日预警机制"),
    ("主动公开栏目中有{n}个栏目超过半年未更新", "每季度开展一次栏目内容自查，由办公室通报更新情况"),
    ("政策解读材料与政策文件同步发布的比例仅为{n}%", "将政策解读纳入发文审核流程，做到同步起草、同步审签、同步发布"),
    ("{n}件申请的答复书未告知复议和诉讼途径", "修订答复文书模板，统一告知救济途径"),
    ("政府信息公开指南未及时根据机构改革调整", "于{m}月底前完成公开指南修订并报政务公开办备案"),
    ("规范性文件清理后有{n}件失效文件未标注效力", "对现行有效规范性文件逐件标注效力状态"),
    (
        "对《条例》第三十六条的适用把握不准，有{n}件答复被复议机关纠正",
        "组织{n}场《条例》专题培训，邀请法律顾问逐案讲评",
    ),
    ("基层公开事项目录尚未编制完成，涉及{n}个事项", "按照基层政务公开标准目录于{m}月前补齐事项清单"),
    ("网站适老化改造尚未完成，{n}个页面不符合无障碍要求", "委托专业机构完成网站适老化和无障碍改造"),
    ("依申请公开登记台账与办件系统数据有{n}处不一致", "每月核对台账与系统数据，由专人签字确认"),
    ("行政处罚结果公开平均滞后{n}个工作日", "将处罚结果公开时限纳入科室年度考核"),
    ("重大建设项目领域信息公开不够全面，缺少{n}个项目的招投标信息", "会同项目主管单位逐项补充公开招投标信息"),
    ("邮寄申请的登记平均延迟{n}天，收到日期难以核实", "邮寄申请一律当日扫描登记并留存信封"),
    ("第三方意见征询未设书面记录，{n}件申请的征询期限无法核对", "制作第三方意见征询书范本并统一归档"),
    ("财政预决算公开表格与省级模板不一致", "对照省级预决算公开模板逐表校核"),
    ("政务新媒体账号有{n}个长期未更新", "关停整合长期不更新的政务新媒体账号"),
    ("信息处理费收费依据未在指南中载明", "在公开指南中补充信息处理费标准和减免情形"),
    ("政策文件答问栏目回复平均耗时{n}个工作日", "明确答问栏目回复时限并纳入督办"),
    ("乡镇公开专栏与县级平台数据未打通", "推动乡镇专栏统一接入县级政务公开平台"),
    ("涉及个人隐私的{n}份文件公开前未做去标识化处理", "建立公开前保密审查和去标识化复核制度"),
];

/// Problems sections copied from one office to the next, word for word: the boilerplate the
/// scorecard's `quality.problems-specific` criterion is there to find.
const STOCK_PROBLEMS: &[&str] = &[
    "一是政府信息公开工作的主动性还需进一步增强；二是公开内容的全面性、及时性有待提高；三是工作人员业务能力需进一步提升。下一步，我们将进一步加强组织领导，完善工作机制，加大培训力度，不断提升政府信息公开工作水平。",
    "存在的主要问题：政务公开工作与上级要求和群众期盼相比仍有差距，信息发布的及时性、准确性有待加强。改进措施：进一步强化责任落实，加强业务培训，推动政务公开工作提质增效。",
    "一是对政务公开工作重视程度不够；二是政策解读形式较为单一；三是依申请公开办理还不够规范。下一步将认真贯彻落实《条例》要求，持续深化政务公开，切实提高公开质量。",
];

/// The text sections of every agency's report of every year of `spec`, deterministic for a seed,
/// with the mix a supervising office meets: most problems sections specific (the agency's own
/// problems, figures and measures), about a quarter a stock paragraph shared word for word with
/// other offices, about a fifth last year's text with the year changed; the other matters say
/// whether fees were collected, except in about one report in twenty.
pub fn narratives(data: &DemoData, spec: &DemoSpec) -> Vec<DemoNarrative> {
    let mut rng = Rng(spec.seed ^ 0x4e41_5252_4154_4956);
    let first = spec.first_year.min(spec.last_year);
    let last = spec.last_year.max(spec.first_year);
    let mut out = Vec::new();
    for agency in &data.agencies {
        let mut previous: Option<(i32, String)> = None;
        for year in first..=last {
            let roll = rng.below(100);
            let text = match (&previous, roll) {
                (_, 0..=24) => STOCK_PROBLEMS[rng.below(STOCK_PROBLEMS.len() as u64) as usize].to_string(),
                // Copied from last year — unless it cites last year's corrected decisions, a
                // figure this year's table would contradict.
                (Some((y, t)), 25..=44) if !t.contains("被复议机关纠正") => {
                    t.replace(&format!("{y}年"), &format!("{year}年"))
                }
                _ => specific_problems(&mut rng, &agency.name, year, corrected(data, &agency.code, year)),
            };
            previous = Some((year, text.clone()));
            out.push(DemoNarrative {
                agency: agency.code.clone(),
                year,
                section: SectionKey::Overview,
                text: overview(&agency.name, year, received(data, &agency.code, year)),
            });
            // Sections 二–四 introduce their tables, in the words offices use, with no figure the
            // table does not hold.
            for (section, text) in [
                (
                    SectionKey::Proactive,
                    format!("{year}年，本机关在门户网站政府信息公开专栏主动公开规范性文件、行政许可、行政处罚、行政事业性收费等信息，具体情况见下表。"),
                ),
                (
                    SectionKey::Requests,
                    format!("{year}年，本机关依法受理、办理政府信息公开申请，按照条例规定的期限作出答复，具体情况见下表。"),
                ),
                (
                    SectionKey::ReviewLitigation,
                    format!("{year}年，本机关因政府信息公开被申请行政复议、被提起行政诉讼的情况见下表。"),
                ),
            ] {
                out.push(DemoNarrative { agency: agency.code.clone(), year, section, text });
            }
            out.push(DemoNarrative { agency: agency.code.clone(), year, section: SectionKey::Problems, text });
            let other = match rng.below(20) {
                0 => None,
                1 | 2 => Some(format!(
                    "依据《政府信息公开信息处理费管理办法》，{year}年共收取信息处理费{}元，均已上缴国库。",
                    100 * (1 + rng.below(30))
                )),
                _ => Some(format!("{year}年{}未收取信息处理费，无其他需要报告的事项。", agency.name)),
            };
            if let Some(text) = other {
                out.push(DemoNarrative { agency: agency.code.clone(), year, section: SectionKey::OtherMatters, text });
            }
        }
    }
    out
}

/// The [`ISSUES`] entry that cites the year's corrected review decisions: its figure is table
/// 4's, never a random one (a problems section saying 「30件答复被复议机关纠正」 against a table
/// with none is what the consistency rules flag).
const CORRECTED_ISSUE: usize = 6;

/// The agency's requests received in the year (table 3, row 一).
fn received(data: &DemoData, agency: &str, year: i32) -> usize {
    data.requests.iter().filter(|(r, _)| r.agency == agency && r.received_on.year() == year).count()
}

/// 一、总体情况: what an office writes, with the one figure it can state exactly — the requests
/// received, table 3's — so that the prose and the tables agree.
fn overview(agency: &str, year: i32, received: usize) -> String {
    let requests = if received == 0 {
        "全年未收到政府信息公开申请".to_string()
    } else {
        format!("全年共收到政府信息公开申请{received}件，均依法登记办理")
    };
    format!(
        "{year}年，{agency}深入贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，\
         通过门户网站政府信息公开专栏主动公开机构职能、政策文件、财政预决算等信息；{requests}。\
         政府信息公开指南和目录已按要求更新。"
    )
}

/// The agency's review cases decided as 结果纠正 in the year (table 4, 行政复议, 结果纠正).
fn corrected(data: &DemoData, agency: &str, year: i32) -> usize {
    data.cases
        .iter()
        .filter(|c| {
            c.agency == agency
                && c.group == CaseGroup::Review
                && c.result == Some(CaseResult::Corrected)
                && c.decided_on.is_some_and(|d| d.year() == year)
        })
        .count()
}

/// A problems section naming three of the agency's own problems, the case that showed one of
/// them, and three measures chosen on their own (figures alone do not make texts differ: the
/// comparison reads every digit as 0). `corrected` is the year's corrected review decisions:
/// the problem citing them is chosen only when there are some, with their number.
fn specific_problems(rng: &mut Rng, agency: &str, year: i32, corrected: usize) -> String {
    let pool: Vec<usize> = (0..ISSUES.len()).filter(|i| *i != CORRECTED_ISSUE || corrected > 0).collect();
    let n = pool.len();
    let a = rng.below(n as u64) as usize;
    let b = (a + 1 + rng.below(n as u64 - 1) as usize) % n;
    let c = (0..n).cycle().skip(rng.below(n as u64) as usize).find(|i| *i != a && *i != b).unwrap_or(a);
    let (a, b, c) = (pool[a], pool[b], pool[c]);
    let n = ISSUES.len();
    let m1 = rng.below(n as u64) as usize;
    let m2 = (m1 + 1 + rng.below(n as u64 - 1) as usize) % n;
    let m3 = (0..n).cycle().skip(rng.below(n as u64) as usize).find(|i| *i != m1 && *i != m2).unwrap_or(m1);
    let topic = TOPICS[rng.below(TOPICS.len() as u64) as usize];
    let mut fill =
        |t: &str| t.replace("{n}", &(2 + rng.below(30)).to_string()).replace("{m}", &(3 + rng.below(9)).to_string());
    let mut issue = |i: usize| {
        if i == CORRECTED_ISSUE {
            ISSUES[i].0.replace("{n}", &corrected.to_string())
        } else {
            fill(ISSUES[i].0)
        }
    };
    let (i1, i2, i3) = (issue(a), issue(b), issue(c));
    let (m1, m2, m3) = (fill(ISSUES[m1].1), fill(ISSUES[m2].1), fill(ISSUES[m3].1));
    format!(
        "{year}年，{agency}政府信息公开工作还存在以下问题：一是{i1}；二是{i2}；三是{i3}，在办理关于{topic}的申请时尤为突出。\
         改进措施：一是{m1}；二是{m2}；三是{m3}。"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle;

    #[test]
    fn proactive_items_are_spread_unique_and_deterministic() {
        let cal = Calendar::official();
        let spec = DemoSpec { agencies: 7, requests: 10, first_year: 2023, last_year: 2025, seed: 3 };
        let data = generate(&cal, &spec);
        let items = proactive(&data, &spec, 700);
        assert_eq!(items.len(), 700);
        assert_eq!(items, proactive(&data, &spec, 700));
        let keys: std::collections::BTreeSet<(&str, &str)> =
            items.iter().map(|p| (p.agency.as_str(), p.index_number.as_str())).collect();
        assert_eq!(keys.len(), 700, "index numbers unique per agency");
        for a in &data.agencies {
            assert_eq!(items.iter().filter(|p| p.agency == a.code).count(), 100);
        }
        assert!(items.iter().all(|p| (2023..=2025).contains(&p.published_on.year())));
        assert!(items.iter().all(|p| p.article20_item.is_none_or(|n| (1..=15).contains(&n))));
        assert!(items.iter().any(|p| p.document_number.is_some()) && items.iter().any(|p| p.article20_item.is_none()));
        assert!(proactive(&DemoData::default(), &spec, 5).is_empty());
    }

    #[test]
    fn every_generated_sequence_replays() {
        let cal = Calendar::official();
        let spec = DemoSpec { agencies: 12, requests: 3000, first_year: 2023, last_year: 2025, seed: 7 };
        let data = generate(&cal, &spec);
        assert_eq!(data.agencies.len(), 12);
        assert_eq!(data.requests.len(), 3000);
        for (r, ev) in &data.requests {
            if let Err(e) = lifecycle::replay(&cal, r, ev) {
                panic!("{}: {e}", r.tracking_number);
            }
        }
        let open = data.requests.iter().filter(|(_, e)| e.is_empty()).count();
        assert!(open > 0 && open < 300, "{open} requests without events");
    }

    /// Issue 18 item 5: the demo's reports satisfy every rule — the text agrees with the tables
    /// (the overview's received figure, the problems' corrected decisions) and each year with the
    /// last (上年结转, 现行有效).
    #[test]
    fn narratives_agree_with_the_tables() {
        let cal = Calendar::official();
        let spec = DemoSpec { agencies: 12, requests: 1500, first_year: 2023, last_year: 2025, seed: 11 };
        let data = generate(&cal, &spec);
        let texts = narratives(&data, &spec);
        let mut checked = 0;
        for agency in &data.agencies {
            let mut previous: Option<crate::report::Report> = None;
            for year in 2023..=2025 {
                let input = crate::generate::YearInput {
                    agency: agency.clone(),
                    year,
                    requests: data.requests.iter().filter(|(r, _)| r.agency == agency.code).cloned().collect(),
                    cases: data.cases.iter().filter(|c| c.agency == agency.code).cloned().collect(),
                    figures: data.figures.iter().find(|f| f.agency == agency.code && f.year == year).cloned(),
                    narratives: texts
                        .iter()
                        .filter(|n| n.agency == agency.code && n.year == year)
                        .map(|n| (n.section, n.text.clone()))
                        .collect(),
                    published_on: None,
                };
                let report = crate::generate::build(&cal, &input).into_result().expect("demo registers count");
                let ctx = crate::rules::CheckContext {
                    previous: previous.as_ref(),
                    government_report: Some(agency.kind == AgencyKind::Government),
                };
                // Every rule holds: the prose agrees with the tables, and each year with the last.
                let findings = crate::rules::check(&report, &ctx);
                let above: Vec<_> = findings.iter().filter(|f| f.severity > crate::rules::Severity::Info).collect();
                assert!(above.is_empty(), "{} {year}: {above:#?}", agency.code);
                previous = Some(report);
                checked += 1;
            }
        }
        assert_eq!(checked, 36);
        // The overview states the received figure, which the rule did compare.
        assert!(texts.iter().any(|n| n.section == SectionKey::Overview && n.text.contains("共收到政府信息公开申请")));
    }

    #[test]
    fn the_corrected_problem_cites_the_tables_figure_or_is_not_chosen() {
        let with = (0..200).map(|i| specific_problems(&mut Rng(i), "自然资源局", 2025, 3)).collect::<Vec<_>>();
        assert!(with.iter().any(|t| t.contains("有3件答复被复议机关纠正")));
        assert!(with.iter().all(|t| !t.contains("件答复被复议机关纠正") || t.contains("有3件答复被复议机关纠正")));
        let without = (0..200).map(|i| specific_problems(&mut Rng(i), "自然资源局", 2025, 0)).collect::<Vec<_>>();
        assert!(without.iter().all(|t| !t.contains("被复议机关纠正")));
    }

    #[test]
    fn agency_names_are_distinct() {
        let cal = Calendar::official();
        for agencies in [20, 26, 400] {
            let spec = DemoSpec { agencies, requests: 0, first_year: 2024, last_year: 2025, seed: 1 };
            let data = generate(&cal, &spec);
            let names: std::collections::BTreeSet<&str> = data.agencies.iter().map(|a| a.name.as_str()).collect();
            assert_eq!(names.len(), agencies, "{agencies}");
        }
        // The default county (20 agencies) needs no numbered second round.
        let spec = DemoSpec { agencies: 20, requests: 0, first_year: 2024, last_year: 2025, seed: 1 };
        assert!(generate(&cal, &spec).agencies.iter().all(|a| !a.name.contains('（')));
    }

    #[test]
    fn same_seed_same_data() {
        let cal = Calendar::official();
        let spec = DemoSpec { agencies: 3, requests: 50, first_year: 2024, last_year: 2025, seed: 1 };
        let a = generate(&cal, &spec);
        let b = generate(&cal, &spec);
        assert_eq!(a.requests, b.requests);
        assert_eq!(a.cases, b.cases);
    }

    #[test]
    fn narratives_mix_specific_stock_and_copied_problems() {
        let cal = Calendar::official();
        let spec = DemoSpec { agencies: 200, requests: 10, first_year: 2023, last_year: 2025, seed: 7 };
        let data = generate(&cal, &spec);
        let texts = narratives(&data, &spec);
        assert_eq!(texts, narratives(&data, &spec), "deterministic");
        let problems: Vec<&DemoNarrative> = texts.iter().filter(|n| n.section == SectionKey::Problems).collect();
        for section in [SectionKey::Overview, SectionKey::Proactive, SectionKey::Requests, SectionKey::ReviewLitigation]
        {
            assert_eq!(texts.iter().filter(|n| n.section == section).count(), 600, "one {section:?} each");
        }
        assert_eq!(problems.len(), 600, "one problems section per agency and year");
        let stock = problems.iter().filter(|n| STOCK_PROBLEMS.contains(&n.text.as_str())).count();
        assert!((100..=200).contains(&stock), "about a quarter stock: {stock}");
        let copied = problems
            .iter()
            .filter(|n| {
                n.year > 2023
                    && !STOCK_PROBLEMS.contains(&n.text.as_str())
                    && problems.iter().any(|p| {
                        p.agency == n.agency
                            && p.year == n.year - 1
                            && p.text.replace(&format!("{}年", p.year), &format!("{}年", n.year)) == n.text
                    })
            })
            .count();
        assert!((40..=120).contains(&copied), "about a fifth of later years copied: {copied}");
        let specific = problems.iter().filter(|n| n.text.contains("一是") && n.text.contains("改进措施")).count();
        assert!(specific >= 250, "{specific}");
        let other = texts.iter().filter(|n| n.section == SectionKey::OtherMatters).count();
        assert!((520..600).contains(&other), "about one in twenty without other matters: {other}");
        // Specific sections of different agencies are rarely alike (only stock and copied ones
        // should fail the scorecard's comparison).
        let fresh: Vec<String> =
            (0..400).map(|i| specific_problems(&mut Rng(i), "自然资源局", 2025, (i % 3) as usize)).collect();
        let refs: Vec<&str> = fresh.iter().map(String::as_str).collect();
        let alike = crate::quality::nearest_peers(&refs, crate::quality::SIMILARITY_THRESHOLD).iter().flatten().count();
        assert!(alike <= 8, "{alike} of 400 specific sections have a peer at or above the threshold");
    }
}
