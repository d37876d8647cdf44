//! Scale benchmark (BENCHMARKS.md): fills a database with synthetic registers, then times
//! (a) every agency's annual report (load_year + generate) and (b) one hand-written GROUP BY
//! over the same data.
//!
//! `cargo run --release -p gongkai-store --example scale -- URL AGENCIES REQUESTS YEAR`
//! e.g. `… -- "sqlite:///tmp/scale.db?mode=rwc" 2000 1000000 2025`. The database must be empty.

use std::time::Instant;

use gongkai_core::calendar::Calendar;
use gongkai_core::demo::{self, DemoSpec};
use gongkai_core::generate::{self, YearInput};
use gongkai_store::Store;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("scale: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).ok_or("usage: scale URL AGENCIES REQUESTS YEAR")?;
    let agencies: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(2000);
    let requests: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    let year: i32 = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(2025);
    let cal = Calendar::official();
    let store = Store::connect(url, &gongkai_store::DataKey::generate()?).await?;
    store.migrate().await?;

    let t = Instant::now();
    let data = demo::generate(&cal, &DemoSpec { agencies, requests, first_year: year - 2, last_year: year, seed: 1 });
    println!(
        "generated {} agencies, {} requests in memory: {:.1} s",
        data.agencies.len(),
        data.requests.len(),
        t.elapsed().as_secs_f64()
    );
    if store.list_agencies().await?.is_empty() {
        let t = Instant::now();
        for a in &data.agencies {
            store.upsert_agency(a).await?;
        }
        for chunk in data.requests.chunks(20_000) {
            store.insert_requests_bulk(chunk).await?;
        }
        for c in &data.cases {
            store.insert_case(c).await?;
        }
        println!("loaded into {}: {:.1} s", store.backend().name(), t.elapsed().as_secs_f64());
    } else {
        println!("database already filled: reusing it");
    }
    store.analyze().await?;
    // (a) Every agency's report for the year, from the registers.
    let t = Instant::now();
    let mut received_total = 0i64;
    let mut load = 0.0f64;
    for a in &data.agencies {
        let t_load = Instant::now();
        let regs = store.load_year(&a.code, year).await?;
        load += t_load.elapsed().as_secs_f64();
        let input = YearInput {
            agency: a.clone(),
            year,
            requests: regs.requests,
            cases: regs.cases,
            figures: regs.figures,
            narratives: Vec::new(),
            published_on: None,
        };
        let g = generate::build(&cal, &input);
        received_total += g.report.requests.and_then(|r| r.received.total).unwrap_or(0);
    }
    let all = t.elapsed().as_secs_f64();
    println!(
        "every agency's {year} report ({} agencies): {:.2} s (loading {:.2} s, generating {:.2} s); received total {received_total}",
        data.agencies.len(),
        all,
        load,
        all - load
    );

    // (b) The same row 一 for every agency with one GROUP BY.
    let t = Instant::now();
    let counts = store.received_counts(year).await?;
    let sum: i64 = counts.iter().map(|c| c.count).sum();
    println!(
        "one GROUP BY (received by agency and applicant type): {:.3} s; received total {sum}",
        t.elapsed().as_secs_f64()
    );
    if sum != received_total {
        return Err(format!("the generator ({received_total}) and the GROUP BY ({sum}) disagree").into());
    }
    Ok(())
}
