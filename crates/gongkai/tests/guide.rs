//! `gongkai guide show|set` (issue 18 item 3; Art. 12, portal-and-security.md A2.1): an
//! agency's disclosure guide as JSON, replaced from a file; every field Art. 12 names is
//! required, and a file missing one is refused naming the field, with nothing stored. Both
//! backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{json, Value};

#[macro_use]
mod common;
use common::{stderr, Db};

on_both_backends!(a_guide_is_set_from_json_only_when_complete);

const AG: &str = "330100-czj";

fn guide() -> Value {
    json!({
        "office": "杭州市财政局办公室",
        "address": "杭州市解放东路18号",
        "hours": "工作日 9:00—12:00，14:00—17:00",
        "phone": "0571-87000000",
        "fax": "0571-87000001",
        "web_contact": "https://czj.hangzhou.gov.cn/hudong",
        "email": "gk@czj.hangzhou.gov.cn",
        "postcode": "310020",
        "sections": {
            "scope": "本机关主动公开……",
            "catalogue": "政府信息公开目录按主题分类……",
            "request": "申请人可以通过当面、信函、传真、网络提出申请……",
            "remedies": "公民、法人或者其他组织认为本机关……可以申请行政复议或者提起行政诉讼。"
        },
        "updated_on": "2026-11-01"
    })
}

fn set(db: &Db, v: &Value) -> std::process::Output {
    let path = db.path("guide.json");
    std::fs::write(&path, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    db.gk(&["guide", "set", "--agency", AG, "--from", path.to_str().unwrap()])
}

fn a_guide_is_set_from_json_only_when_complete(db: &Db) {
    db.ok(&["agency", "add", "--code", AG, "--name", "杭州市财政局", "--kind", "department"]);
    assert!(db.ok(&["guide", "show", "--agency", AG]).contains("尚未登记政府信息公开指南"));
    assert_eq!(db.json(&["guide", "show", "--agency", AG, "--json"]), Value::Null);

    // Each refusal names what is wrong; nothing is stored.
    let mut no_fax = guide();
    no_fax["fax"] = json!("  ");
    let mut unknown = guide();
    unknown["mail"] = json!("x@y.cn");
    let mut no_request = guide();
    no_request["sections"].as_object_mut().unwrap().remove("request");
    let mut future = guide();
    future["updated_on"] = json!("2099-01-01");
    let mut bad_email = guide();
    bad_email["email"] = json!("不是邮箱");
    for (v, expected) in [
        (no_fax, "传真号码（fax）：不能为空（条例第十二条）"),
        (unknown, "未知的字段「mail」"),
        (no_request, "章节「request」（三、依申请公开：受理机构、提出方式、办理期限）：不能为空"),
        (future, "更新日期（updated_on）2099-01-01 晚于今天"),
        (bad_email, "「不是邮箱」不是有效的电子邮箱"),
    ] {
        let o = set(db, &v);
        assert!(!o.status.success(), "{expected}");
        assert!(stderr(&o).contains(expected) && stderr(&o).contains("guide.json"), "{expected}: {}", stderr(&o));
        assert_eq!(db.json(&["guide", "show", "--agency", AG, "--json"]), Value::Null, "nothing stored");
    }
    let path = db.path("broken.json");
    std::fs::write(&path, "{\"office\": ").unwrap();
    let o = db.gk(&["guide", "set", "--agency", AG, "--from", path.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("不是有效的 JSON"), "{}", stderr(&o));

    let o = set(db, &guide());
    assert!(o.status.success(), "{}", stderr(&o));
    let shown = db.json(&["guide", "show", "--agency", AG, "--json"]);
    for key in ["office", "address", "hours", "phone", "fax", "web_contact", "email", "updated_on"] {
        assert_eq!(shown[key], guide()[key], "{key}: {shown}");
    }
    assert_eq!(shown["sections"]["request"], guide()["sections"]["request"]);
    let text = db.ok(&["guide", "show", "--agency", AG]);
    assert!(
        text.contains("杭州市财政局政府信息公开指南（更新日期 2026-11-01）")
            && text.contains("电子邮箱：gk@czj.hangzhou.gov.cn"),
        "{text}"
    );
    // What `show --json` prints, `set` reads back unchanged.
    let o = set(db, &shown);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(db.json(&["guide", "show", "--agency", AG, "--json"]), shown);

    // Every save is a version: who, when, which items changed (A2.2), newest first; refused
    // files left none.
    let mut moved = guide();
    moved["address"] = json!("杭州市解放东路20号");
    moved["sections"]["fees"] = json!("依申请提供政府信息，一般不收取费用。");
    assert!(set(db, &moved).status.success());
    let history = db.ok(&["guide", "history", "--agency", AG]);
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 3, "{history}");
    assert!(
        lines[0].starts_with("第3版\t2026-11-27 10:00:00\t命令行\t更新日期 2026-11-01\t修改：办公地址、四、收费"),
        "{history}"
    );
    assert!(lines[1].starts_with("第2版") && lines[1].ends_with("内容未变"), "{history}");
    assert!(lines[2].starts_with("第1版") && lines[2].ends_with("首次登记"), "{history}");
}
