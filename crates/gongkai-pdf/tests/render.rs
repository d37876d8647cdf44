//! The seed's PDF as poppler reads it: every table figure in `pdftotext`'s text, CJK fonts
//! embedded (`pdffonts`), page numbers 「— N —」, a table crossing a page break repeating its
//! header. Also writes the seed's pages to docs/images/seed-pdf-N.png (`pdftoppm -r 60`) for
//! looking at (with GONGKAI_WRITE_PNG=1; else under the target directory). Needs poppler-utils: skipped with a message when missing, failed when `CI` is set.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use gongkai_core::report::{Amount, LegacyStatistic, Report};
use gongkai_core::template;
use gongkai_export::grid::{self, Content};
use gongkai_pdf::{render_pdf, Fonts};

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts::system(None).unwrap_or_else(|e| panic!("{e}")))
}

fn seed() -> Report {
    let path = shared().join("seeds/000_ac430a0e528d85a1.txt");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    gongkai_import::import(&bytes, "000_ac430a0e528d85a1.txt").unwrap_or_else(|e| panic!("{e}"))
}

/// Whether poppler's tool is there; when not, fails under CI and skips otherwise.
fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("-v").output().is_ok();
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "{tool} is missing: install poppler-utils (scripts/setup.sh)");
        eprintln!("skipped: {tool} is missing (install poppler-utils)");
    }
    ok
}

fn out_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gongkai-pdf");
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
    d
}

fn write_pdf(name: &str, report: &Report) -> PathBuf {
    let pdf = render_pdf(report, fonts()).unwrap_or_else(|e| panic!("{e}"));
    assert!(pdf.starts_with(b"%PDF-"));
    let path = out_dir().join(name);
    std::fs::write(&path, pdf).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

fn run(tool: &str, args: &[&str], pdf: &Path) -> String {
    let out =
        Command::new(tool).args(args).arg(pdf).args(if tool == "pdftotext" { &["-"][..] } else { &[][..] }).output();
    let out = out.unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn pdftotext_finds_every_table_figure_of_the_seed() {
    if !have("pdftotext") {
        return;
    }
    let report = seed();
    let pdf = write_pdf("seed.pdf", &report);
    let text = run("pdftotext", &["-layout"], &pdf);
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut figures = 0;
    for g in grid::tables(&report) {
        for (_, row) in g.rows() {
            for cell in &row.cells {
                if let c @ (Content::Count(_) | Content::Amount { .. }) = &cell.content {
                    let shown = c.display();
                    assert!(tokens.contains(&shown.as_str()), "{}: figure {shown} not found in the text", g.caption);
                    figures += 1;
                }
            }
        }
    }
    assert!(figures > 100, "the seed's tables should hold over 100 figures, found {figures}");
    // The title and the page numbers 「— N —」.
    assert!(
        squash(&text).contains(&squash(&template::report_title(report.agency.as_deref().unwrap_or(""), report.year)))
    );
    let pages = text.matches('\x0c').count();
    assert!(pages >= 3, "expected at least 3 pages, got {pages}");
    for n in 1..=pages {
        // Printed with a gap each side; poppler keeps or drops those gaps as it likes.
        assert!(squash(&text).contains(&format!("—{n}—")), "page number — {n} — missing");
    }
}

#[test]
fn cjk_fonts_are_embedded() {
    if !have("pdffonts") {
        return;
    }
    let pdf = write_pdf("seed-fonts.pdf", &seed());
    let list = run("pdffonts", &[], &pdf);
    let cjk: Vec<&str> = list.lines().filter(|l| l.contains("CJK")).collect();
    assert!(cjk.len() >= 2, "expected a CJK serif and sans, pdffonts says:\n{list}");
    for l in &cjk {
        // Columns: name type encoding emb sub uni object ID.
        let cols: Vec<&str> = l.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 7 && cols[n - 5] == "yes" && cols[n - 3] == "yes", "not embedded with ToUnicode: {l}");
    }
    assert!(list.lines().any(|l| l.contains("Serif")), "no serif face:\n{list}");
    assert!(list.lines().any(|l| l.contains("Sans")), "no sans face:\n{list}");
}

#[test]
fn a_table_crossing_pages_repeats_its_header_row() {
    if !have("pdftotext") {
        return;
    }
    let mut report = seed();
    // A long statistics table (80 indicators) that must break across pages.
    report.legacy_statistics = Some(
        (1..=80)
            .map(|i| LegacyStatistic {
                label: format!("指标{i}"),
                key: None,
                unit: Some("件".to_string()),
                value: Amount::parse(&(i * 7).to_string()).ok(),
            })
            .collect(),
    );
    let pdf = write_pdf("long-table.pdf", &report);
    let header = template::LEGACY_HEADER.join("");
    let mut pages_with_rows = 0;
    for page in 1..=12 {
        let p = page.to_string();
        let out = Command::new("pdftotext").args(["-f", &p, "-l", &p, "-layout"]).arg(&pdf).arg("-").output();
        let Ok(out) = out else { break };
        if !out.status.success() {
            break;
        }
        let text = String::from_utf8_lossy(&out.stdout);
        if !text.contains("指标") {
            continue;
        }
        pages_with_rows += 1;
        assert!(
            squash(&text).contains(&header),
            "page {page} has rows of the table but not its header {header}:\n{text}"
        );
    }
    assert!(pages_with_rows >= 2, "the table should cross a page break, found it on {pages_with_rows} page(s)");
}

#[test]
fn seed_pages_as_png() {
    if !have("pdftoppm") {
        return;
    }
    let pdf = write_pdf("seed-png.pdf", &seed());
    // The committed images are refreshed only on request (GONGKAI_WRITE_PNG=1).
    let dir = if std::env::var_os("GONGKAI_WRITE_PNG").is_some() {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/images")
    } else {
        out_dir()
    };
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let prefix = dir.join("seed-pdf");
    let out = Command::new("pdftoppm").args(["-png", "-r", "60"]).arg(&pdf).arg(&prefix).output();
    let out = out.unwrap_or_else(|e| panic!("pdftoppm: {e}"));
    assert!(out.status.success(), "pdftoppm failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join("seed-pdf-1.png").exists(), "pdftoppm wrote no seed-pdf-1.png");
}
