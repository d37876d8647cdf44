//! Imports one file many times (for profilers):
//! `cargo run --release -p gongkai-import --example import_loop FILE N [check]`.
//! With `check`, every import is also checked with every rule (what `report check` and the
//! audit do). Instructions per report: run under callgrind with N and N+20 and divide the
//! difference by 20 (start-up and the one-time template caches cancel out).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), n) = (args.get(1), args.get(2).and_then(|n| n.parse::<usize>().ok()).unwrap_or(100)) else {
        eprintln!("usage: import_loop FILE [N] [check]");
        std::process::exit(2);
    };
    let with_check = args.get(3).is_some_and(|a| a == "check");
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let mut cells = 0;
    for _ in 0..n {
        if let Ok(r) = gongkai_import::import(&bytes, "loop.txt") {
            cells += r.provenance.cells.len();
            if with_check {
                cells += gongkai_core::rules::check(&r, &gongkai_core::rules::CheckContext::default()).len();
            }
        }
    }
    println!("{cells}");
}
