//! Export time for one report, per format, on the seed report (imported once, outside the
//! timing). Run: `cargo bench -p gongkai-export --bench export` (results in BENCHMARKS.md).
//!
//! One function per format, all in the one group below: add a format by writing its function
//! and naming it in `criterion_group!`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use gongkai_core::report::Report;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// The seed report, or `None` (with a message) when the shared folder is not there.
fn seed() -> Option<Report> {
    let path = shared().join("seeds/000_ac430a0e528d85a1.txt");
    let bytes = std::fs::read(&path).map_err(|e| eprintln!("skipping: {}: {e}", path.display())).ok()?;
    gongkai_import::import(&bytes, "seed.txt").map_err(|e| eprintln!("skipping: seed: {e}")).ok()
}

fn docx(c: &mut Criterion) {
    let Some(report) = seed() else { return };
    c.bench_function("docx/seed", |b| b.iter(|| gongkai_export::render_docx(black_box(&report)).map(|v| v.len())));
}

fn html(c: &mut Criterion) {
    let Some(report) = seed() else { return };
    c.bench_function("html/seed", |b| b.iter(|| gongkai_export::render_html(black_box(&report)).len()));
}

fn xlsx(c: &mut Criterion) {
    let Some(report) = seed() else { return };
    c.bench_function("xlsx/seed", |b| b.iter(|| gongkai_export::render_xlsx(black_box(&report)).map(|v| v.len())));
}

/// 10,000 reports (the seed under other names and years; the rule check runs on each).
fn bulk_xlsx(c: &mut Criterion) {
    let Some(report) = seed() else { return };
    let reports: Vec<(String, Report)> = (0..10_000)
        .map(|i| {
            let mut r = report.clone();
            r.year = r.year.map(|y| y - (i % 5));
            (format!("{i:05}.txt"), r)
        })
        .collect();
    let mut g = c.benchmark_group("bulk_xlsx");
    g.sample_size(10);
    g.bench_function("10000", |b| b.iter(|| gongkai_export::render_bulk_xlsx(black_box(&reports)).map(|v| v.len())));
    g.finish();
}

criterion_group!(benches, docx, html, xlsx, bulk_xlsx);
criterion_main!(benches);
