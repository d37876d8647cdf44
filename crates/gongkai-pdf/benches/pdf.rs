//! PDF export of the seed with the fonts loaded once (issue 5's target: under 300 ms), and
//! loading the fonts (scanning the system font directories). Run:
//! `cargo bench -p gongkai-pdf --bench pdf`.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use gongkai_pdf::{render_pdf, Fonts};

fn seed() -> Option<gongkai_core::report::Report> {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
    let bytes = std::fs::read(shared.join("seeds/000_ac430a0e528d85a1.txt")).ok()?;
    gongkai_import::import(&bytes, "seed").ok()
}

fn bench(c: &mut Criterion) {
    let (Some(report), Ok(fonts)) = (seed(), Fonts::system(None)) else {
        eprintln!("skipped: the seed (testdata/seeds) or CJK fonts (fonts-noto-cjk) are missing");
        return;
    };
    let mut g = c.benchmark_group("pdf");
    g.sample_size(20);
    // typst memoises layout across calls (comemo): rendering the same report again is mostly
    // cache hits. The first number is that warm case; the second evicts the cache before every
    // render, which is what a new report (or a server's first download of it) costs.
    g.bench_function("render_pdf seed (fonts loaded, warm typst cache)", |b| {
        b.iter(|| render_pdf(std::hint::black_box(&report), &fonts).map(|p| p.len()))
    });
    g.bench_function("render_pdf seed (fonts loaded, cache evicted)", |b| {
        b.iter(|| {
            typst::comemo::evict(0);
            render_pdf(std::hint::black_box(&report), &fonts).map(|p| p.len())
        })
    });
    g.sample_size(10);
    g.bench_function("Fonts::system", |b| b.iter(|| Fonts::system(None).map(|f| f.len())));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
