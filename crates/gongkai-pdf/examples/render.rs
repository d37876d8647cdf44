//! Renders a report file (anything `gongkai_import::import` reads) to PDF:
//! `cargo run -p gongkai-pdf --example render -- REPORT OUT.pdf`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        return Err("用法 (usage): render REPORT OUT.pdf".into());
    };
    let bytes = std::fs::read(input)?;
    let report = gongkai_import::import(&bytes, input)?;
    let t = std::time::Instant::now();
    let fonts = gongkai_pdf::Fonts::system(None)?;
    eprintln!("fonts: {:?} in {:?}", fonts.choice(), t.elapsed());
    let t = std::time::Instant::now();
    let pdf = gongkai_pdf::render_pdf(&report, &fonts)?;
    eprintln!("render: {} bytes in {:?}", pdf.len(), t.elapsed());
    std::fs::write(output, pdf)?;
    Ok(())
}
