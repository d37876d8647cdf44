//! Generates one agency's report from N synthetic requests once (for profilers):
//! `cargo run --release -p gongkai-core --example generate_once -- 100000`.
fn main() {
    let n = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let cal = gongkai_core::calendar::Calendar::official();
    let spec = gongkai_core::demo::DemoSpec { agencies: 1, requests: n, first_year: 2023, last_year: 2025, seed: 42 };
    let data = gongkai_core::demo::generate(&cal, &spec);
    let Some(agency) = data.agencies.first().cloned() else { return };
    let input = gongkai_core::generate::YearInput {
        agency,
        year: 2024,
        requests: data.requests,
        cases: data.cases,
        figures: None,
        narratives: Vec::new(),
        published_on: None,
    };
    let t = std::time::Instant::now();
    let g = gongkai_core::generate::build(&cal, &input);
    println!("{:?} received={:?} in {:?}", g.errors.len(), g.report.requests.map(|r| r.received.total), t.elapsed());
}
