//! The shipped binary (release profile) is linked as a fixed-address executable, not a
//! position-independent one. Why: the binary carries typst, sqlx, axum and their static tables
//! — 145,000 relative relocations over 2.6 MB of `.data.rel.ro` — and as a PIE the loader writes
//! every one of those pages at each start: about 640 copy-on-write page faults, 3–4 ms of a
//! 5 ms `gongkai report check` on the project's machine (BENCHMARKS.md, issue 20). Linked
//! without PIE the linker resolves them once. The shared libraries, the heap and the stack are
//! still placed at random addresses; only the executable's own image is not. Debug and test
//! builds keep the toolchain's default.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if release && linux {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
