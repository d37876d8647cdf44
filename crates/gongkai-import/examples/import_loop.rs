//! Imports one file many times (for profilers): `cargo run --release -p gongkai-import --example import_loop FILE N`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), n) = (args.get(1), args.get(2).and_then(|n| n.parse::<usize>().ok()).unwrap_or(100)) else {
        eprintln!("usage: import_loop FILE [N]");
        std::process::exit(2);
    };
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let mut cells = 0;
    for _ in 0..n {
        if let Ok(r) = gongkai_import::import(&bytes, "loop.txt") {
            cells += r.provenance.cells.len();
        }
    }
    println!("{cells}");
}
