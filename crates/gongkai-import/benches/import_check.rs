//! Import + check of one report, in process, for the seed and each text shape of the corpus.
//! Run: `cargo bench -p gongkai-import --bench import_check` (results in BENCHMARKS.md).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use gongkai_core::rules::{check, CheckContext};

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn bench(c: &mut Criterion) {
    let cases = [
        ("seed word-dump", "seeds/000_ac430a0e528d85a1.txt"),
        ("pdf-rows 002", "corpus/reports/002-huaian-city-2024-pdf.txt"),
        ("pdf-columns 018", "corpus/reports/018-huaian-city-2024-pdfminer-columns.txt"),
        ("flat 2021 013", "corpus/reports/013-pingtan-zone-2021-flattext.txt"),
        ("flat 2019 012", "corpus/reports/012-pingtan-zone-2020-flattext.txt"),
        ("flat pre2019 009", "corpus/reports/009-pingtan-zone-2016-flattext.txt"),
    ];
    let mut g = c.benchmark_group("import+check");
    for (name, path) in cases {
        let Ok(bytes) = std::fs::read(shared().join(path)) else {
            eprintln!("skipping {name}: {path} not found");
            continue;
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                let r = gongkai_import::import(std::hint::black_box(&bytes), "bench.txt");
                r.map(|r| check(&r, &CheckContext::default()).len()).unwrap_or(0)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
