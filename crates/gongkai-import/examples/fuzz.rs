//! A bounded fuzz run of every importer (issue 21 item 4): `scripts/fuzz.sh MINUTES`.
//!
//! Takes the files of the given folders (the corpus: text, HTML, PDF, DOCX, XLSX, JSON) and, until
//! the time is up, imports damaged copies of them: byte flips, insertions, deletions, truncation,
//! a chunk repeated, two files spliced, and damage that keeps the structure (deep or unclosed HTML
//! nesting, a DOCX or XLSX with one byte of a compressed part changed, a PDF cut inside a stream).
//! Every import runs under `catch_unwind`; a panic is saved to the output folder and counted.
//! At the end: runs, panics, the slowest input (saved), and the process's peak memory.
//!
//! `cargo run --release -p gongkai-import --example fuzz -- MINUTES OUT_DIR CORPUS_DIR…`
//! `cargo run --release -p gongkai-import --example fuzz -- replay FILE…` times saved inputs.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// xorshift64*: enough for choosing mutations; seeded from the clock unless `FUZZ_SEED` is set.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::try_from(self.next() % n as u64).unwrap_or(0)
        }
    }
}

fn files(dirs: &[PathBuf]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if let Ok(rd) = std::fs::read_dir(&p) {
                stack.extend(rd.flatten().map(|e| e.path()));
            }
        } else if let Ok(bytes) = std::fs::read(&p) {
            if !bytes.is_empty() && bytes.len() <= 8 * 1024 * 1024 {
                out.push((p.display().to_string(), bytes));
            }
        }
    }
    out.sort();
    out
}

fn mutate(rng: &mut Rng, corpus: &[(String, Vec<u8>)]) -> (String, Vec<u8>) {
    let (name, original) = &corpus[rng.below(corpus.len())];
    let mut b = original.clone();
    let how = rng.below(10);
    let label = match how {
        0 => {
            for _ in 0..=rng.below(64) {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            "flips"
        }
        1 => {
            let i = rng.below(b.len());
            let junk: Vec<u8> = (0..=rng.below(256)).map(|_| (rng.next() & 0xff) as u8).collect();
            b.splice(i..i, junk);
            "insert"
        }
        2 => {
            let i = rng.below(b.len());
            let j = (i + rng.below(4096)).min(b.len());
            b.drain(i..j);
            "delete"
        }
        3 => {
            b.truncate(rng.below(b.len()));
            "truncate"
        }
        4 => {
            let i = rng.below(b.len());
            let j = (i + 1 + rng.below(2048)).min(b.len());
            let chunk = b[i..j].to_vec();
            for _ in 0..=rng.below(200) {
                b.splice(j..j, chunk.iter().copied());
            }
            "repeat"
        }
        5 => {
            let (_, other) = &corpus[rng.below(corpus.len())];
            let i = rng.below(b.len());
            let j = rng.below(other.len());
            b.truncate(i);
            b.extend_from_slice(&other[j..]);
            "splice"
        }
        6 => {
            // Deep or unclosed nesting in markup.
            let tag = ["<div>", "<span>", "<b>", "<table><tr><td>", "<font>", "<a>", "<li>", "<p>"][rng.below(8)];
            let n = 1 + rng.below(100_000);
            let i = rng.below(b.len());
            b.splice(i..i, tag.as_bytes().repeat(n));
            "nesting"
        }
        7 | 8 => {
            // A zip (DOCX, XLSX) or a PDF damaged past its header: a byte changed in the body.
            let start = b.len().min(64);
            for _ in 0..=rng.below(8) {
                let i = start + rng.below(b.len().saturating_sub(start));
                if let Some(x) = b.get_mut(i) {
                    *x = (rng.next() & 0xff) as u8;
                }
            }
            "body"
        }
        _ => {
            // A PDF or zip cut inside a stream or entry.
            let keep = b.len() / 2 + rng.below(b.len() / 2 + 1);
            b.truncate(keep);
            "cut"
        }
    };
    (format!("{name} [{label}]"), b)
}

/// The process's peak resident memory (VmHWM), in KiB, on Linux.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn save(dir: &Path, name: &str, bytes: &[u8]) {
    let _ = std::fs::create_dir_all(dir);
    let _ = std::fs::write(dir.join(name), bytes);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `fuzz replay FILE…`: imports each saved input once and prints how long it took (to time a
    // run's slowest input again on a quiet machine).
    if args.first().map(String::as_str) == Some("replay") {
        for file in &args[1..] {
            let Ok(bytes) = std::fs::read(file) else {
                eprintln!("无法读取 {file}");
                std::process::exit(2);
            };
            let started = Instant::now();
            let result = gongkai_import::import(&bytes, file);
            let outcome = match &result {
                Ok(_) => "读出".to_string(),
                Err(e) => format!("拒绝：{e}"),
            };
            println!("{file}: {} bytes, {:.3} s, {outcome}", bytes.len(), started.elapsed().as_secs_f64());
        }
        println!("peak memory {} KiB", peak_kib().unwrap_or(0));
        return;
    }
    if args.len() < 3 {
        eprintln!("用法：fuzz 分钟数 输出文件夹 语料文件夹…");
        std::process::exit(2);
    }
    let minutes: f64 = args[0].parse().unwrap_or(1.0);
    let out = PathBuf::from(&args[1]);
    let mut corpus = files(&args[2..].iter().map(PathBuf::from).collect::<Vec<_>>());
    // One importer at a time (`FUZZ_FORMAT=html|text|docx|pdf|xlsx|json`): only the corpus files
    // of that format are damaged, so that an hour goes to that importer.
    let format = std::env::var("FUZZ_FORMAT").ok().map(|f| match f.to_ascii_lowercase().as_str() {
        "text" | "txt" => "文本".to_string(),
        other => other.to_ascii_uppercase(),
    });
    if let Some(f) = &format {
        corpus.retain(|(_, bytes)| gongkai_import::format_name(bytes) == f);
    }
    if corpus.is_empty() {
        eprintln!("语料文件夹中没有（该格式的）文件");
        std::process::exit(2);
    }
    println!(
        "corpus: {} files{}",
        corpus.len(),
        format.as_deref().map(|f| format!(" of format {f}")).unwrap_or_default()
    );
    let seed = std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1
    });
    let mut rng = Rng(seed);
    // Panics are counted here, not printed by the default hook for each one.
    std::panic::set_hook(Box::new(|_| {}));
    let deadline = Instant::now() + Duration::from_secs_f64(minutes * 60.0);
    let (mut runs, mut panics, mut errors) = (0u64, 0u64, 0u64);
    let mut slowest = (Duration::ZERO, String::new(), 0usize);
    let mut largest = 0usize;
    // Inputs by the format the importer saw (a damaged file may be read as another).
    let mut seen: std::collections::BTreeMap<&'static str, u64> = std::collections::BTreeMap::new();
    while Instant::now() < deadline {
        let (name, bytes) = mutate(&mut rng, &corpus);
        largest = largest.max(bytes.len());
        *seen.entry(gongkai_import::format_name(&bytes)).or_default() += 1;
        let started = Instant::now();
        let result = std::panic::catch_unwind(|| gongkai_import::import(&bytes, "fuzz"));
        let took = started.elapsed();
        runs += 1;
        match result {
            Err(_) => {
                panics += 1;
                save(&out, &format!("panic-{runs}.bin"), &bytes);
                println!("PANIC {name} → {}", out.join(format!("panic-{runs}.bin")).display());
            }
            Ok(Err(_)) => errors += 1,
            Ok(Ok(_)) => {}
        }
        if took > slowest.0 {
            slowest = (took, name, bytes.len());
            save(&out, "slowest.bin", &bytes);
        }
    }
    println!("seed {seed}");
    println!("runs {runs} (refused with a message: {errors}), panics {panics}");
    println!("read as: {}", seen.iter().map(|(f, n)| format!("{f} {n}")).collect::<Vec<_>>().join(", "));
    println!("slowest {:.3} s: {} ({} bytes, saved as slowest.bin)", slowest.0.as_secs_f64(), slowest.1, slowest.2);
    println!("largest input {largest} bytes; peak memory {} KiB", peak_kib().unwrap_or(0));
    if panics > 0 {
        std::process::exit(1);
    }
}
