//! Architecture invariants of the core, checked on every test run:
//! the core depends on nothing of ours and on no I/O crate, and its source does no I/O.

use std::path::Path;

const ALLOWED: &[&str] = &["serde", "serde_json", "thiserror", "chrono", "schemars"];

#[test]
fn core_depends_only_on_pure_crates() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap_or_default();
    let mut in_deps = false;
    for line in manifest.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_deps = t == "[dependencies]";
            continue;
        }
        if in_deps && !t.is_empty() && !t.starts_with('#') {
            let name = t.split(['=', '.', ' ']).next().unwrap_or("");
            assert!(ALLOWED.contains(&name), "gongkai-core must stay pure: dependency `{name}` is not allowed");
        }
    }
}

#[test]
fn core_source_does_no_io() {
    let forbidden = [
        "std::fs",
        "std::net",
        "std::process",
        "std::io::stdin",
        "SystemTime::now",
        "Local::now",
        "Utc::now",
        "std::env::var",
        "tokio",
        "sqlx",
    ];
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files += 1;
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                for f in forbidden {
                    assert!(!text.contains(f), "{} uses `{f}`: the core does no I/O", p.display());
                }
            }
        }
    }
    assert!(files >= 8, "found only {files} source files");
}
