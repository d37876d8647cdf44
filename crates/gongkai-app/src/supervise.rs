//! The supervising office's overview (监督总览) and trend (年度趋势): which subtree, which year,
//! which day — decided here once for `gongkai supervise` and the console's pages. The figures
//! themselves are judged by the core (`gongkai_core::supervise`) over what the store reads.

use chrono::{Datelike, NaiveDate};
use gongkai_core::calendar::Calendar;
use gongkai_core::input::FIRST_REPORT_YEAR;
use gongkai_core::supervise::{default_year, MAX_TREND_YEARS};
use gongkai_store::{CacheRefresh, Overview, Store, TrendPoint};

use crate::{AppError, Clock};

/// The report year looked at: the one given — a reporting year that has begun, from
/// [`FIRST_REPORT_YEAR`] (the Regulations' first reports, for 2008) to this year — or, when none
/// is given, last year (the report due by 31 January / 31 March).
pub fn report_year(year: Option<i32>, today: NaiveDate) -> Result<i32, AppError> {
    let Some(y) = year else {
        return Ok(default_year(today));
    };
    let this_year = today.year();
    if (FIRST_REPORT_YEAR..=this_year).contains(&y) {
        Ok(y)
    } else {
        Err(AppError::invalid("year", format!("年度：应为 {FIRST_REPORT_YEAR} 至 {this_year} 之间的年份，不是 {y}")))
    }
}

/// The overview of `root`'s subtree for `year` (default: last year) as of `today` (default: the
/// clock's day in Beijing). `cached` false computes everything from the registers, the reference
/// the overview cache is checked against.
pub async fn overview(
    store: &Store,
    clock: &Clock,
    cal: &Calendar,
    root: &str,
    year: Option<i32>,
    today: Option<NaiveDate>,
    cached: bool,
) -> Result<Overview, AppError> {
    let today = clock.today_or(today);
    let year = report_year(year, today)?;
    let root = crate::year::agency(store, root.trim()).await?.code;
    let overview = if cached {
        store.supervise(&root, year, today, cal).await?
    } else {
        store.supervise_uncached(&root, year, today, cal).await?
    };
    Ok(overview)
}

/// The year-on-year series of `root`'s subtree: `years` years (1 to 20) ending with `last`
/// (default: the year before `today`, by default the clock's). Returns the last year and one
/// point per year.
pub async fn trend(
    store: &Store,
    clock: &Clock,
    cal: &Calendar,
    root: &str,
    (last, years): (Option<i32>, i32),
    today: Option<NaiveDate>,
) -> Result<(i32, Vec<TrendPoint>), AppError> {
    let last = report_year(last, clock.today_or(today))?;
    if !(1..=MAX_TREND_YEARS).contains(&years) {
        return Err(AppError::invalid("years", format!("年数：应为 1 至 {MAX_TREND_YEARS} 之间的整数，不是 {years}")));
    }
    let root = crate::year::agency(store, root.trim()).await?.code;
    let points = store.supervise_trend(&root, last - years + 1, last, cal).await?;
    Ok((last, points))
}

/// What [`refresh`] did: the rows computed, and with `verify` the agencies whose row differed
/// from the registers (dropped, to be computed again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refreshed {
    /// The year refreshed.
    pub year: i32,
    /// Rows looked at, computed and written.
    pub done: CacheRefresh,
    /// With `verify`: the agencies whose cached row differed (`None` without `verify`).
    pub differ: Option<Vec<String>>,
}

/// Computes the overview cache's missing or stale rows of `year` (default: last year) for
/// `root`'s subtree, or every agency (all rows with `force`); with `verify`, compares every
/// fresh row with the registers.
pub async fn refresh(
    store: &Store,
    clock: &Clock,
    cal: &Calendar,
    root: Option<&str>,
    year: Option<i32>,
    force: bool,
    verify: bool,
) -> Result<Refreshed, AppError> {
    let year = report_year(year, clock.today())?;
    let root = match root {
        Some(r) => Some(crate::year::agency(store, r.trim()).await?.code),
        None => None,
    };
    let done = store.refresh_supervise_cache(root.as_deref(), year, cal, force).await?;
    let differ = if verify { Some(store.verify_supervise_cache(root.as_deref(), year, cal).await?) } else { None };
    Ok(Refreshed { year, done, differ })
}
