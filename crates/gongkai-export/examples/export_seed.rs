//! Writes a report as .docx: `cargo run -p gongkai-export --example export_seed -- [INPUT] OUT.docx`.
//! INPUT is anything `gongkai_import::import` reads (default: the seed report in the repository's
//! `testdata/seeds`). Used by `scripts/previews.sh` until
//! `gongkai report export` exists.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, output) = match args.as_slice() {
        [out] => {
            let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
            (shared.join("seeds/000_ac430a0e528d85a1.txt"), PathBuf::from(out))
        }
        [input, out] => (PathBuf::from(input), PathBuf::from(out)),
        _ => {
            eprintln!("用法 (usage): export_seed [INPUT] OUT.docx");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(&input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("无法读取 {}：{e}", input.display());
            return ExitCode::from(2);
        }
    };
    let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let report = match gongkai_import::import(&bytes, &name) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let docx = match gongkai_export::render_docx(&report) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = std::fs::write(&output, docx) {
        eprintln!("无法写入 {}：{e}", output.display());
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
