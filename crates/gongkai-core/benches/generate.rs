//! The annual report of one agency from 100,000 registered requests, in process (issue 4's
//! target: under 200 ms). Run: `cargo bench -p gongkai-core --bench generate`.

use criterion::{criterion_group, criterion_main, Criterion};
use gongkai_core::calendar::Calendar;
use gongkai_core::demo::{self, DemoSpec};
use gongkai_core::generate::{self, YearInput};

fn bench(c: &mut Criterion) {
    let cal = Calendar::official();
    // One agency, 100,000 requests over three years (about 33,000 a year plus carry-overs).
    let spec = DemoSpec { agencies: 1, requests: 100_000, first_year: 2023, last_year: 2025, seed: 42 };
    let data = demo::generate(&cal, &spec);
    let Some(agency) = data.agencies.first().cloned() else { return };
    let input = YearInput {
        agency,
        year: 2024,
        requests: data.requests,
        cases: data.cases,
        figures: data.figures.into_iter().find(|f| f.year == 2024),
        narratives: Vec::new(),
        published_on: None,
    };
    let mut g = c.benchmark_group("generate");
    g.sample_size(10);
    g.bench_function("one agency, 100k requests, year 2024", |b| {
        b.iter(|| generate::build(&cal, std::hint::black_box(&input)).report.requests.map(|r| r.received.total))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
