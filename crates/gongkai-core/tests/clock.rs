//! The statutory clock, the working-day calendar and the fee tariff, against the examples of the
//! shared spec (clock-and-fees.md) and against due dates worked out by hand from the official
//! holiday schedules (spec-notes §6.2–§6.3). Each hand count is written out in the comment above
//! its case: "n" = the n-th working day counted, "x" = not counted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Datelike, NaiveDate, Weekday};
use gongkai_core::calendar::{Calendar, DayKind};
use gongkai_core::clock::{
    correction_notice_due, deadline, deadline_with, ClockSettings, DeadlineInput, PauseKind, Period, TrailEntry,
};
use gongkai_core::fees::{per_page, per_request};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn due(received: NaiveDate) -> NaiveDate {
    deadline(&Calendar::official(), &DeadlineInput::new(received)).unwrap().due
}

// ---- clock-and-fees.md examples ------------------------------------------------------------

#[test]
fn spec_example_received_monday_2026_03_02() {
    // 3/3–3/6: 1–4; 3/9–13: 5–9; 3/16–20: 10–14; 3/23–27: 15–19; 3/30: 20.
    let r = deadline(&Calendar::official(), &DeadlineInput::new(d(2026, 3, 2))).unwrap();
    assert_eq!(r.due, d(2026, 3, 30));
    assert_eq!(r.original_due, None);
    assert!(!r.estimated);
}

#[test]
fn spec_example_received_friday_2026_02_13_spring_festival() {
    // 2/14 Sat 调休: 1; 2/15–23 春节: x; 2/24–27: 2–5; 2/28 Sat 调休: 6; 3/1 Sun x;
    // 3/2–6: 7–11; 3/9–13: 12–16; 3/16–19: 17–20.
    let r = deadline(&Calendar::official(), &DeadlineInput::new(d(2026, 2, 13))).unwrap();
    assert_eq!(r.due, d(2026, 3, 19));
    let counted: Vec<NaiveDate> = r
        .trail
        .iter()
        .filter_map(|e| match e {
            TrailEntry::Counted { date, day: DayKind::AdjustedWorkday { name }, .. } => {
                assert_eq!(name, "春节");
                Some(*date)
            }
            _ => None,
        })
        .collect();
    assert_eq!(counted, vec![d(2026, 2, 14), d(2026, 2, 28)]);
    let skipped_holidays = r
        .trail
        .iter()
        .filter(|e| matches!(e, TrailEntry::Skipped { day: DayKind::Holiday { name }, .. } if name == "春节"))
        .count();
    assert_eq!(skipped_holidays, 9, "2/15–2/23 skipped as 春节");
}

#[test]
fn spec_example_fees() {
    assert_eq!(per_request(35).amount_yuan, "3000");
    assert_eq!(per_page(2219).amount_yuan, "83460");
}

// ---- every holiday season 2019–2026, counted by hand --------------------------------------

#[test]
fn season_2019_new_year_across_years() {
    // Received Thu 2018-12-20. 12/21: 1; 12/24–28: 2–6; 12/29 Sat 调休: 7; 12/30–1/1 元旦 x;
    // 1/2–4: 8–10; 1/7–11: 11–15; 1/14–18: 16–20.
    assert_eq!(due(d(2018, 12, 20)), d(2019, 1, 18));
}

#[test]
fn season_2019_may_day_as_changed() {
    // Received Fri 2019-04-26. 4/28 Sun 调休: 1; 4/29–30: 2–3; 5/1–4 x; 5/5 Sun 调休: 4;
    // 5/6–10: 5–9; 5/13–17: 10–14; 5/20–24: 15–19; 5/27: 20.
    assert_eq!(due(d(2019, 4, 26)), d(2019, 5, 27));
}

#[test]
fn season_2019_national_day() {
    // Received Fri 2019-09-27. 9/29 Sun 调休: 1; 9/30: 2; 10/1–7 x; 10/8–11: 3–6; 10/12 Sat 调休: 7;
    // 10/14–18: 8–12; 10/21–25: 13–17; 10/28–30: 18–20.
    assert_eq!(due(d(2019, 9, 27)), d(2019, 10, 30));
}

#[test]
fn season_2020_spring_festival_extended_to_2_february() {
    // Received Mon 2020-01-20. 1/21–23: 1–3; 1/24–2/2 x (extension: 1/31 Fri off, the 2/1
    // working Saturday cancelled); 2/3–7: 4–8; 2/10–14: 9–13; 2/17–21: 14–18; 2/24–25: 19–20.
    assert_eq!(due(d(2020, 1, 20)), d(2020, 2, 25));
    let cal = Calendar::official();
    assert!(!cal.is_working_day(d(2020, 1, 31)));
    assert!(!cal.is_working_day(d(2020, 2, 1)));
    assert!(cal.is_working_day(d(2020, 1, 19)));
}

#[test]
fn season_2020_national_day_and_mid_autumn() {
    // Received Fri 2020-09-25. 9/27 Sun 调休: 1; 9/28–30: 2–4; 10/1–8 x; 10/9: 5; 10/10 Sat 调休: 6;
    // 10/12–16: 7–11; 10/19–23: 12–16; 10/26–29: 17–20.
    assert_eq!(due(d(2020, 9, 25)), d(2020, 10, 29));
}

#[test]
fn season_2021_spring_festival() {
    // Received Fri 2021-02-05. 2/7 Sun 调休: 1; 2/8–10: 2–4; 2/11–17 x; 2/18–19: 5–6;
    // 2/20 Sat 调休: 7; 2/22–26: 8–12; 3/1–5: 13–17; 3/8–10: 18–20.
    assert_eq!(due(d(2021, 2, 5)), d(2021, 3, 10));
}

#[test]
fn season_2022_qingming_and_may_day() {
    // Received Fri 2022-04-01. 4/2 Sat 调休: 1; 4/3–5 x; 4/6–8: 2–4; 4/11–15: 5–9; 4/18–22: 10–14;
    // 4/24 Sun 调休: 15; 4/25–29: 16–20.
    assert_eq!(due(d(2022, 4, 1)), d(2022, 4, 29));
}

#[test]
fn season_2022_national_day() {
    // Received Wed 2022-09-28. 9/29–30: 1–2; 10/1–7 x; 10/8 Sat, 10/9 Sun 调休: 3–4;
    // 10/10–14: 5–9; 10/17–21: 10–14; 10/24–28: 15–19; 10/31: 20.
    assert_eq!(due(d(2022, 9, 28)), d(2022, 10, 31));
}

#[test]
fn season_2023_mid_autumn_and_national_day() {
    // Received Wed 2023-09-27. 9/28: 1; 9/29–10/6 x; 10/7 Sat, 10/8 Sun 调休: 2–3;
    // 10/9–13: 4–8; 10/16–20: 9–13; 10/23–27: 14–18; 10/30–31: 19–20.
    assert_eq!(due(d(2023, 9, 27)), d(2023, 10, 31));
}

#[test]
fn season_2024_spring_festival() {
    // Received Fri 2024-02-02. 2/4 Sun 调休: 1; 2/5–9: 2–6; 2/10–17 x; 2/18 Sun 调休: 7;
    // 2/19–23: 8–12; 2/26–3/1: 13–17; 3/4–6: 18–20.
    assert_eq!(due(d(2024, 2, 2)), d(2024, 3, 6));
}

#[test]
fn season_2025_national_day() {
    // Received Fri 2025-09-26. 9/28 Sun 调休: 1; 9/29–30: 2–3; 10/1–8 x; 10/9–10: 4–5;
    // 10/11 Sat 调休: 6; 10/13–17: 7–11; 10/20–24: 12–16; 10/27–30: 17–20.
    assert_eq!(due(d(2025, 9, 26)), d(2025, 10, 30));
}

#[test]
fn season_2026_new_year() {
    // Received Wed 2025-12-31. 1/1–3 x; 1/4 Sun 调休: 1; 1/5–9: 2–6; 1/12–16: 7–11;
    // 1/19–23: 12–16; 1/26–29: 17–20.
    let r = deadline(&Calendar::official(), &DeadlineInput::new(d(2025, 12, 31))).unwrap();
    assert_eq!(r.due, d(2026, 1, 29));
    assert!(!r.estimated);
}

#[test]
fn season_2026_may_day_with_working_saturday_9_may() {
    // Received Fri 2026-04-24. 4/27–30: 1–4; 5/1–5 x; 5/6–8: 5–7; 5/9 Sat 调休: 8;
    // 5/11–15: 9–13; 5/18–22: 14–18; 5/25–26: 19–20.
    let r = deadline(&Calendar::official(), &DeadlineInput::new(d(2026, 4, 24))).unwrap();
    assert_eq!(r.due, d(2026, 5, 26));
    assert!(r.trail.iter().any(|e| matches!(
        e,
        TrailEntry::Counted { date, ordinal: 8, day: DayKind::AdjustedWorkday { .. }, .. } if *date == d(2026, 5, 9)
    )));
}

#[test]
fn season_2026_mid_autumn_and_national_day_with_10_october() {
    // Received Fri 2026-09-18. 9/20 Sun 调休: 1; 9/21–24: 2–5; 9/25–27 中秋 x; 9/28–30: 6–8;
    // 10/1–7 x; 10/8–9: 9–10; 10/10 Sat 调休: 11; 10/12–16: 12–16; 10/19–22: 17–20.
    let r = deadline(&Calendar::official(), &DeadlineInput::new(d(2026, 9, 18))).unwrap();
    assert_eq!(r.due, d(2026, 10, 22));
    assert!(r.trail.iter().any(|e| matches!(
        e,
        TrailEntry::Counted { date, ordinal: 11, .. } if *date == d(2026, 10, 10)
    )));
}

#[test]
fn december_2026_request_is_due_in_january_2027_estimated() {
    // Received Thu 2026-12-10. 12/11: 1; 12/14–18: 2–6; 12/21–25: 7–11; 12/28–31: 12–15;
    // 2027-01-01 元旦 (estimated) x; 1/4–8: 16–20.
    let r = deadline(&Calendar::official(), &DeadlineInput::new(d(2026, 12, 10))).unwrap();
    assert_eq!(r.due, d(2027, 1, 8));
    assert!(r.estimated);
    assert!(r.explain().contains("估算"));
}

#[test]
fn loading_2027_removes_the_estimate() {
    let mut cal = Calendar::official();
    cal.load_year(
        r#"{"year": 2027, "source": "test notice", "days": [{"date": "2027-01-01", "off": true, "name": "元旦"}]}"#,
    )
    .unwrap();
    let r = deadline(&cal, &DeadlineInput::new(d(2026, 12, 10))).unwrap();
    assert_eq!(r.due, d(2027, 1, 8));
    assert!(!r.estimated);
}

// ---- correction, extension, pauses ---------------------------------------------------------

#[test]
fn correction_restarts_the_period() {
    // Corrected request arrives Tue 2026-03-10. 3/11–13: 1–3; 3/16–20: 4–8; 3/23–27: 9–13;
    // 3/30–4/3: 14–18; 4/4–6 清明 x; 4/7–8: 19–20.
    let mut input = DeadlineInput::new(d(2026, 3, 2));
    input.corrected = Some(d(2026, 3, 10));
    let r = deadline(&Calendar::official(), &input).unwrap();
    assert_eq!(r.due, d(2026, 4, 8));
    assert_eq!(r.trail[1], TrailEntry::Restarted { date: d(2026, 3, 10) });
}

#[test]
fn correction_notice_due_is_7th_working_day() {
    let cal = Calendar::official();
    // 3/3–6: 1–4; 3/9–11: 5–7.
    assert_eq!(correction_notice_due(&cal, d(2026, 3, 2)).unwrap().end, d(2026, 3, 11));
    // 2/14 Sat 调休: 1; 2/15–23 x; 2/24–27: 2–5; 2/28 Sat 调休: 6; 3/2: 7.
    assert_eq!(correction_notice_due(&cal, d(2026, 2, 13)).unwrap().end, d(2026, 3, 2));
}

#[test]
fn extension_adds_20_working_days_after_original_due() {
    // Original due 2026-03-30; then 3/31–4/3: 1–4; 4/4–6 清明 x; 4/7–10: 5–8; 4/13–17: 9–13;
    // 4/20–24: 14–18; 4/27–28: 19–20.
    let mut input = DeadlineInput::new(d(2026, 3, 2));
    input.extended = true;
    let r = deadline(&Calendar::official(), &input).unwrap();
    assert_eq!(r.original_due, Some(d(2026, 3, 30)));
    assert_eq!(r.due, d(2026, 4, 28));
    assert!(r.trail.contains(&TrailEntry::Due { date: d(2026, 3, 30), period: Period::Reply }));
    assert_eq!(r.trail.last(), Some(&TrailEntry::Due { date: d(2026, 4, 28), period: Period::Extension }));
}

#[test]
fn consultation_moves_the_due_date() {
    // Letter sent Thu 3/5, answer Thu 3/12: 3/6, 3/9–12 excluded (5 working days).
    // 3/3–5: 1–3; 3/13: 4; 3/16–20: 5–9; 3/23–27: 10–14; 3/30–4/3: 15–19; 4/4–6 x; 4/7: 20.
    let mut input = DeadlineInput::new(d(2026, 3, 2));
    input.consultations = vec![(d(2026, 3, 5), d(2026, 3, 12))];
    let r = deadline(&Calendar::official(), &input).unwrap();
    assert_eq!(r.due, d(2026, 4, 7));
    assert!(r.trail.contains(&TrailEntry::Pause {
        pause: PauseKind::Consultation,
        from: d(2026, 3, 5),
        to: d(2026, 3, 12),
        applied: true,
        excluded_working_days: 5,
    }));
}

#[test]
fn fee_pause_is_a_setting_default_on() {
    // Notice Wed 3/4, paid Fri 3/6: 3/5, 3/6 excluded → due moves from 3/30 by 2 to 4/1.
    let cal = Calendar::official();
    let mut input = DeadlineInput::new(d(2026, 3, 2));
    input.fee_pauses = vec![(d(2026, 3, 4), d(2026, 3, 6))];
    assert_eq!(deadline(&cal, &input).unwrap().due, d(2026, 4, 1));
    let off = deadline_with(&cal, &input, &ClockSettings { fee_pause: false }).unwrap();
    assert_eq!(off.due, d(2026, 3, 30));
    // The setting is shown on the deadline it affects.
    assert!(off
        .trail
        .iter()
        .any(|e| matches!(e, TrailEntry::Pause { pause: PauseKind::FeeNotice, applied: false, .. })));
}

#[test]
fn overlapping_pauses_exclude_each_day_once() {
    let mut input = DeadlineInput::new(d(2026, 3, 2));
    input.consultations = vec![(d(2026, 3, 5), d(2026, 3, 12))];
    input.fee_pauses = vec![(d(2026, 3, 9), d(2026, 3, 13))];
    // Excluded: 3/6, 3/9–13 (6 days) → 3/30 moves by 6 working days: 3/31–4/3, 4/7, 4/8.
    assert_eq!(deadline(&Calendar::official(), &input).unwrap().due, d(2026, 4, 8));
}

#[test]
fn bad_input_is_an_error() {
    let cal = Calendar::official();
    let mut input = DeadlineInput::new(d(2026, 3, 2));
    input.corrected = Some(d(2026, 2, 27));
    assert!(deadline(&cal, &input).is_err());
    let mut input = DeadlineInput::new(d(2026, 3, 2));
    input.consultations = vec![(d(2026, 3, 12), d(2026, 3, 5))];
    assert!(deadline(&cal, &input).is_err());
    let mut input = DeadlineInput::new(d(2026, 3, 2));
    input.fee_pauses = vec![(d(2026, 2, 20), d(2026, 3, 5))];
    assert!(deadline(&cal, &input).is_err());
}

#[test]
fn deadline_serializes_for_the_cli() {
    let r = deadline(&Calendar::official(), &DeadlineInput::new(d(2026, 2, 13))).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["due"], "2026-03-19");
    assert_eq!(v["original_due"], serde_json::Value::Null);
    assert_eq!(v["estimated"], false);
    assert_eq!(v["trail"][0], serde_json::json!({"step": "received", "date": "2026-02-13"}));
    assert_eq!(
        v["trail"][1],
        serde_json::json!({"step": "counted", "date": "2026-02-14", "period": "reply", "ordinal": 1,
            "day": {"type": "adjusted_workday", "name": "春节"}, "estimated": false})
    );
    let schema = schemars::schema_for!(gongkai_core::clock::Deadline);
    assert!(serde_json::to_string(&schema).unwrap().contains("trail"));
}

// ---- properties ----------------------------------------------------------------------------

fn any_date() -> impl Strategy<Value = NaiveDate> {
    let lo = NaiveDate::MIN.num_days_from_ce();
    let hi = NaiveDate::MAX.num_days_from_ce();
    (lo..=hi).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap())
}

/// Dates from year 1 to 9999, weighted towards the years with data.
fn plausible_date() -> impl Strategy<Value = NaiveDate> {
    let span = |a: NaiveDate, b: NaiveDate| {
        (a.num_days_from_ce()..=b.num_days_from_ce()).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap())
    };
    prop_oneof![
        3 => span(d(2003, 12, 1), d(2027, 3, 1)),
        1 => span(d(1, 1, 1), d(9999, 12, 31)),
    ]
}

proptest! {
    #[test]
    fn calendar_never_panics(date in any_date(), n in 0u32..60) {
        let cal = Calendar::official();
        let info = cal.day(date);
        prop_assert_eq!(info.date, date);
        let _ = cal.year_schedule(date.year());
        let _ = cal.add_working_days(date, n);
        let _ = deadline(&cal, &DeadlineInput::new(date));
    }

    #[test]
    fn due_is_a_working_day_strictly_after_receipt(
        received in plausible_date(),
        extended in any::<bool>(),
        corrected_after in proptest::option::of(0u64..40),
        pause in proptest::option::of((0u64..30, 0u64..30)),
    ) {
        let cal = Calendar::official();
        let mut input = DeadlineInput::new(received);
        input.extended = extended;
        input.corrected = corrected_after.map(|k| received + chrono::Days::new(k));
        if let Some((a, len)) = pause {
            let from = received + chrono::Days::new(a);
            input.consultations = vec![(from, from + chrono::Days::new(len))];
        }
        let r = deadline(&cal, &input).unwrap();
        prop_assert!(r.due > received);
        prop_assert!(r.due > input.corrected.unwrap_or(received));
        prop_assert!(cal.is_working_day(r.due));
        let counted = r.trail.iter().filter(|e| matches!(e, TrailEntry::Counted { .. })).count();
        prop_assert_eq!(counted, if extended { 40 } else { 20 });
        if let Some(original) = r.original_due {
            prop_assert!(extended && original < r.due && cal.is_working_day(original));
        }
    }

    #[test]
    fn weekday_rule_holds_without_notice(date in any_date()) {
        let cal = Calendar::empty();
        let info = cal.day(date);
        prop_assert!(info.estimated);
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            prop_assert!(!info.working);
        }
    }

    #[test]
    fn per_request_is_monotone_and_sums_its_tiers(n in prop_oneof![0u32..2_000, any::<u32>()]) {
        let q = per_request(n);
        let amount: u128 = q.amount_yuan.parse().unwrap();
        let sum: u128 = q.tiers.iter().map(|t| t.subtotal_yuan.parse::<u128>().unwrap()).sum();
        prop_assert_eq!(amount, sum);
        let units: u64 = q.tiers.iter().map(|t| u64::from(t.count)).sum();
        prop_assert_eq!(units, u64::from(n));
        if let Some(next) = n.checked_add(1) {
            let more: u128 = per_request(next).amount_yuan.parse().unwrap();
            prop_assert!(more >= amount);
        }
    }

    #[test]
    fn per_page_is_monotone_and_sums_its_tiers(p in prop_oneof![0u32..2_000, any::<u32>()]) {
        let q = per_page(p);
        let amount: u128 = q.amount_yuan.parse().unwrap();
        let sum: u128 = q.tiers.iter().map(|t| t.subtotal_yuan.parse::<u128>().unwrap()).sum();
        prop_assert_eq!(amount, sum);
        for t in &q.tiers {
            let rate: u128 = t.rate_yuan.parse().unwrap();
            prop_assert_eq!(rate * u128::from(t.count), t.subtotal_yuan.parse::<u128>().unwrap());
        }
        if let Some(next) = p.checked_add(1) {
            let more: u128 = per_page(next).amount_yuan.parse().unwrap();
            prop_assert!(more >= amount);
        }
    }
}
