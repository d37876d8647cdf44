//! The text layer of a PDF page, written as `pdf-extract`'s plain-text output writes it, plus
//! what plain text loses: **blank table cells**.
//!
//! A row of table 3 printed 「（一）予以公开 258 12 1 1」 under seven columns cannot be read
//! from text alone — which four columns are the figures in? The page's geometry says: the
//! table's cell borders are drawn as vertical strokes, and every figure sits inside one cell.
//! So while the text is written we also collect the vertical rules, and for a line that ends in
//! figures inside a ruled table we write 「—」 for each empty value cell between the row's label
//! and the table's right edge. The text importer already reads 「—」 as a blank cell
//! (`text.rs`), so nothing downstream changes. Where a page has no rules (a table drawn
//! without borders, or a PDF that draws them some other way), its text is exactly what
//! `pdf-extract` writes.

use pdf_extract::{MediaBox, OutputDev, OutputError, Path, PathOp, Transform};

/// What the plain-text writer emits, in order, with the position of each glyph.
enum Item {
    Newline,
    Space,
    Glyph { x: f64, end: f64, y: f64, text: String },
}

/// A vertical rule on the page, in top-down page coordinates.
#[derive(Debug, Clone, Copy)]
struct Rule {
    x: f64,
    top: f64,
    bottom: f64,
}

/// Collects one page. The line- and word-break decisions are those of
/// `pdf_extract::PlainTextOutput` (0.12), so that a page without rules reads exactly as before.
pub(crate) struct PageCollector {
    items: Vec<Item>,
    rules: Vec<Rule>,
    height: f64,
    last_end: f64,
    last_y: f64,
    first_char: bool,
}

impl PageCollector {
    pub(crate) fn new() -> Self {
        PageCollector {
            items: Vec::new(),
            rules: Vec::new(),
            height: 0.0,
            last_end: 100000.0,
            last_y: 0.0,
            first_char: false,
        }
    }

    /// Page coordinates (PDF user space through `ctm`) → top-down coordinates.
    fn point(&self, ctm: &Transform, x: f64, y: f64) -> (f64, f64) {
        let px = x * ctm.m11 + y * ctm.m21 + ctm.m31;
        let py = x * ctm.m12 + y * ctm.m22 + ctm.m32;
        (px, self.height - py)
    }

    fn segment(&mut self, a: (f64, f64), b: (f64, f64)) {
        let (dx, dy) = ((a.0 - b.0).abs(), (a.1 - b.1).abs());
        if dx < 0.5 && dy > 2.0 && a.0.is_finite() && a.1.is_finite() && b.1.is_finite() {
            self.rules.push(Rule { x: (a.0 + b.0) / 2.0, top: a.1.min(b.1), bottom: a.1.max(b.1) });
        }
    }

    fn rect_edges(&mut self, ctm: &Transform, x: f64, y: f64, w: f64, h: f64) {
        let p = |px, py| self.point(ctm, px, py);
        let (a, b, c, d) = (p(x, y), p(x + w, y), p(x + w, y + h), p(x, y + h));
        self.segment(a, b);
        self.segment(b, c);
        self.segment(c, d);
        self.segment(d, a);
    }

    /// The page's text: lines as `pdf-extract` writes them, with blank value cells of ruled
    /// tables written as 「—」.
    pub(crate) fn finish(self) -> String {
        let mut out = String::new();
        let mut start = 0;
        for (i, item) in self.items.iter().enumerate() {
            if matches!(item, Item::Newline) {
                write_line(&mut out, &self.items[start..i], &self.rules);
                out.push('\n');
                start = i + 1;
            }
        }
        write_line(&mut out, &self.items[start..], &self.rules);
        out
    }
}

impl OutputDev for PageCollector {
    fn begin_page(
        &mut self,
        _page: u32,
        media_box: &MediaBox,
        _art: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.height = media_box.ury - media_box.lly;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        // As PlainTextOutput: position after flipping y; the font size as transformed by trm.
        let (x, y) = (trm.m31, self.height - trm.m32);
        let vx = font_size * trm.m11 + font_size * trm.m21;
        let vy = font_size * trm.m12 + font_size * trm.m22;
        let size = (vx * vy).sqrt();
        if self.first_char {
            if (y - self.last_y).abs() > size * 1.5 {
                self.items.push(Item::Newline);
            }
            if x < self.last_end && (y - self.last_y).abs() > size * 0.5 {
                self.items.push(Item::Newline);
            }
            if x > self.last_end + size * 0.1 {
                self.items.push(Item::Space);
            }
        }
        let end = x + width * size;
        self.items.push(Item::Glyph { x, end, y, text: char.to_string() });
        self.first_char = false;
        self.last_y = y;
        self.last_end = end;
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.first_char = true;
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn stroke(
        &mut self,
        ctm: &Transform,
        _: &pdf_extract::ColorSpace,
        _: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        let mut current: Option<(f64, f64)> = None;
        let mut first: Option<(f64, f64)> = None;
        for op in &path.ops {
            match *op {
                PathOp::MoveTo(x, y) => {
                    current = Some(self.point(ctm, x, y));
                    first = current;
                }
                PathOp::LineTo(x, y) => {
                    let p = self.point(ctm, x, y);
                    if let Some(c) = current {
                        self.segment(c, p);
                    }
                    current = Some(p);
                }
                PathOp::CurveTo(_, _, _, _, x, y) => current = Some(self.point(ctm, x, y)),
                PathOp::Rect(x, y, w, h) => self.rect_edges(ctm, x, y, w, h),
                PathOp::Close => {
                    if let (Some(c), Some(f)) = (current, first) {
                        self.segment(c, f);
                    }
                    current = first;
                }
            }
        }
        Ok(())
    }

    fn fill(
        &mut self,
        ctm: &Transform,
        _: &pdf_extract::ColorSpace,
        _: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        // Word and others draw cell borders as thin filled rectangles.
        for op in &path.ops {
            if let PathOp::Rect(x, y, w, h) = *op {
                let (a, c) = (self.point(ctm, x, y), self.point(ctm, x + w, y + h));
                if (a.0 - c.0).abs() < 2.0 {
                    self.segment(((a.0 + c.0) / 2.0, a.1), ((a.0 + c.0) / 2.0, c.1));
                }
            }
        }
        Ok(())
    }
}

/// What an empty value cell is written as: the text importer reads a free-standing 「—」 among a
/// row's figures as a blank cell.
const BLANK: &str = "—";

/// A run of glyphs between spaces.
struct Token {
    /// Index of its first glyph in the line's items.
    start: usize,
    text: String,
    centre: f64,
    y: f64,
}

/// A figure as tables print them, or an explicit blank.
fn is_value(s: &str) -> bool {
    let s = match s.strip_prefix(['-', '−']) {
        Some(rest) if !rest.is_empty() => rest,
        _ => s,
    };
    let figure = s.chars().any(|c| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && !s.ends_with('.')
        && !s.starts_with('.');
    figure || matches!(s, "—" | "——" | "-" | "－" | "–" | "/" | "／")
}

fn write_line(out: &mut String, items: &[Item], rules: &[Rule]) {
    match with_blank_cells(items, rules) {
        Some(line) => out.push_str(&line),
        None => push_items(out, items),
    }
}

fn push_items(out: &mut String, items: &[Item]) {
    for item in items {
        match item {
            Item::Newline => out.push('\n'),
            Item::Space => out.push(' '),
            Item::Glyph { text, .. } => out.push_str(text),
        }
    }
}

/// The line with 「—」 in its empty value cells, or `None` when it is not a row of a ruled
/// table with a blank cell (then the line is written as it stands).
fn with_blank_cells(items: &[Item], rules: &[Rule]) -> Option<String> {
    if rules.is_empty() {
        return None;
    }
    let mut tokens: Vec<Token> = Vec::new();
    let mut start = None;
    for (i, item) in items.iter().enumerate().chain(std::iter::once((items.len(), &Item::Space))) {
        match (item, start) {
            (Item::Glyph { .. }, None) => start = Some(i),
            (Item::Glyph { .. }, Some(_)) => {}
            (_, Some(s)) => {
                let run = &items[s..i];
                let (mut text, mut x0, mut x1, mut y) = (String::new(), f64::INFINITY, f64::NEG_INFINITY, 0.0);
                for g in run {
                    if let Item::Glyph { x, end, y: gy, text: t } = g {
                        text.push_str(t);
                        x0 = x0.min(*x);
                        x1 = x1.max(*end);
                        y = *gy;
                    }
                }
                tokens.push(Token { start: s, text, centre: (x0 + x1) / 2.0, y });
                start = None;
            }
            (_, None) => {}
        }
    }
    let values = tokens.iter().rev().take_while(|t| is_value(&t.text)).count();
    if values == 0 {
        return None;
    }
    let first_value = tokens.len() - values;
    let y = tokens[first_value].y;
    // The cell borders that cross this line.
    let mut xs: Vec<f64> = rules.iter().filter(|r| r.top - 0.5 <= y && y <= r.bottom + 0.5).map(|r| r.x).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup_by(|a, b| (*a - *b).abs() < 1.0);
    if xs.len() < 2 {
        return None;
    }
    let cell_of = |x: f64| xs.windows(2).position(|w| w[0] <= x && x < w[1]);
    let cells = xs.len() - 1;
    let first_cell = match first_value.checked_sub(1) {
        Some(label) => cell_of(tokens[label].centre)? + 1,
        None => 0,
    };
    let mut by_cell: Vec<Option<&Token>> = vec![None; cells];
    let mut previous = None;
    for t in &tokens[first_value..] {
        let c = cell_of(t.centre)?;
        // Figures in order, one per cell, right of the label: otherwise this is not a table row
        // as gongkai understands it, and the line is left alone.
        if c < first_cell || previous.is_some_and(|p| c <= p) {
            return None;
        }
        by_cell[c] = Some(t);
        previous = Some(c);
    }
    if by_cell[first_cell..].iter().all(Option::is_some) {
        return None;
    }
    // The label part exactly as written, then one token per value cell.
    let mut line = String::new();
    push_items(&mut line, &items[..tokens[first_value].start]);
    let cells: Vec<&str> = by_cell[first_cell..].iter().map(|t| t.map_or(BLANK, |t| t.text.as_str())).collect();
    line.push_str(&cells.join(" "));
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(items: &mut Vec<Item>, s: &str, x: f64, y: f64) {
        for (i, c) in s.chars().enumerate() {
            let x = x + i as f64 * 5.0;
            items.push(Item::Glyph { x, end: x + 5.0, y, text: c.to_string() });
        }
    }

    fn rules(xs: &[f64]) -> Vec<Rule> {
        xs.iter().map(|&x| Rule { x, top: 100.0, bottom: 120.0 }).collect()
    }

    #[test]
    fn empty_value_cells_become_dashes() {
        let mut items = Vec::new();
        glyphs(&mut items, "予以公开", 0.0, 110.0);
        items.push(Item::Space);
        glyphs(&mut items, "258", 55.0, 110.0);
        items.push(Item::Space);
        glyphs(&mut items, "1", 130.0, 110.0);
        // Label cell 0–50, then four value cells of 30 each.
        let line = with_blank_cells(&items, &rules(&[0.0, 50.0, 80.0, 110.0, 140.0, 170.0]));
        assert_eq!(line.as_deref(), Some("予以公开 258 — 1 —"));
    }

    #[test]
    fn full_rows_lines_outside_tables_and_pages_without_rules_are_left_alone() {
        let mut items = Vec::new();
        glyphs(&mut items, "合计", 0.0, 110.0);
        items.push(Item::Space);
        glyphs(&mut items, "3", 60.0, 110.0);
        items.push(Item::Space);
        glyphs(&mut items, "4", 90.0, 110.0);
        assert!(with_blank_cells(&items, &rules(&[0.0, 50.0, 80.0, 110.0])).is_none());
        assert!(with_blank_cells(&items, &[]).is_none());
        // The same line below the table (a page number, say): no rule crosses it.
        let low: Vec<Rule> =
            rules(&[0.0, 50.0, 80.0, 110.0, 140.0]).into_iter().map(|r| Rule { top: 0.0, bottom: 50.0, ..r }).collect();
        assert!(with_blank_cells(&items, &low).is_none());
    }

    #[test]
    fn a_row_without_a_label_on_its_line_starts_at_the_first_cell() {
        let mut items = Vec::new();
        glyphs(&mut items, "7", 40.0, 110.0);
        let line = with_blank_cells(&items, &rules(&[0.0, 30.0, 60.0, 90.0]));
        assert_eq!(line.as_deref(), Some("— 7 —"));
    }
}
