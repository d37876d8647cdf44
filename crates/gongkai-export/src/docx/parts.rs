//! The fixed parts of the .docx package, and `docProps/core.xml`.
//!
//! Faces follow 公文 practice, each with the fallback Word uses when the face is missing
//! (`w:altName`, plus charset and family so that a substitute of the right kind is chosen):
//! 方正小标宋简体 (title) and 仿宋_GB2312 (body) fall back to Noto Serif CJK SC, 黑体
//! (headings, tables) to Noto Sans CJK SC, 宋体 (page numbers) to Noto Serif CJK SC.

use super::escape;

/// The title face (小标宋).
pub const TITLE_FONT: &str = "方正小标宋简体";
/// The body face (仿宋).
pub const BODY_FONT: &str = "仿宋_GB2312";
/// The heading and table face (黑体).
pub const SANS_FONT: &str = "黑体";
/// The page-number face (宋体).
pub const PAGE_NUMBER_FONT: &str = "宋体";

pub const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#;

pub const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"#;

pub const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdFontTable" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/><Relationship Id="rIdFooter1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/></Relationships>"#;

pub const APP: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Template>Normal.dotm</Template><Application>gongkai</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>"#;

/// `docProps/core.xml`: the title, the agency as creator, the language, and the publication
/// date as creation date (never the clock: the same report gives the same bytes).
pub fn core_xml(title: &str, agency: Option<&str>, date_iso: Option<&str>) -> String {
    let mut s = String::with_capacity(1024);
    s.push_str(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
    );
    s.push_str("<dc:title>");
    s.push_str(&escape(title));
    s.push_str("</dc:title><dc:creator>");
    s.push_str(&escape(agency.map(str::trim).filter(|a| !a.is_empty()).unwrap_or("gongkai")));
    s.push_str("</dc:creator><cp:lastModifiedBy>gongkai</cp:lastModifiedBy><dc:language>zh-CN</dc:language>");
    // W3CDTF wants a full date: only a well-formed YYYY-MM-DD is written.
    if let Some(d) = date_iso.filter(|d| is_iso_date(d)) {
        for el in ["dcterms:created", "dcterms:modified"] {
            s.push_str(&format!("<{el} xsi:type=\"dcterms:W3CDTF\">{d}T00:00:00Z</{el}>"));
        }
    }
    s.push_str("</cp:coreProperties>");
    s
}

/// `YYYY-MM-DD`.
fn is_iso_date(d: &str) -> bool {
    d.len() == 10 && d.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() })
}

pub const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:zoom w:percent="100"/><w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat><w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/><w:decimalSymbol w:val="."/><w:listSeparator w:val=","/></w:settings>"#;

pub const FONT_TABLE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:font w:name="Times New Roman"><w:panose1 w:val="02020603050405020304"/><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font><w:font w:name="Arial"><w:panose1 w:val="020B0604020202020204"/><w:charset w:val="00"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font><w:font w:name="方正小标宋简体"><w:altName w:val="Noto Serif CJK SC"/><w:charset w:val="86"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font><w:font w:name="仿宋_GB2312"><w:altName w:val="Noto Serif CJK SC"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font><w:font w:name="黑体"><w:altName w:val="Noto Sans CJK SC"/><w:panose1 w:val="02010609060101010101"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font><w:font w:name="宋体"><w:altName w:val="Noto Serif CJK SC"/><w:panose1 w:val="02010600030101010101"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font><w:font w:name="Noto Serif CJK SC"><w:charset w:val="86"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font><w:font w:name="Noto Sans CJK SC"><w:charset w:val="86"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font></w:fonts>"#;

pub const FOOTER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:t xml:space="preserve">— </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>"#;

/// Fonts of a run: one face for every script.
macro_rules! fonts {
    ($face:literal) => {
        concat!(
            "<w:rFonts w:ascii=\"",
            $face,
            "\" w:hAnsi=\"",
            $face,
            "\" w:eastAsia=\"",
            $face,
            "\" w:cs=\"",
            $face,
            "\"/>"
        )
    };
}

pub const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋_GB2312" w:cs="Times New Roman"/><w:kern w:val="2"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr></w:pPrDefault></w:docDefaults>"#,
    // 正文: 仿宋_GB2312 三号, fixed 29 pt lines (22 lines on the 225 mm text block).
    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/><w:pPr><w:widowControl/><w:spacing w:line="580" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr></w:style>"#,
    r#"<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>"#,
    r#"<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>"#,
    r#"<w:style w:type="table" w:styleId="GkTable"><w:name w:val="Gk Table"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:tblPr><w:jc w:val="center"/><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="57" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>"#,
    // 标题: 方正小标宋简体 二号, centred, a blank line after.
    r#"<w:style w:type="paragraph" w:styleId="GkTitle"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="GkBody"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:after="580" w:line="700" w:lineRule="exact"/><w:jc w:val="center"/></w:pPr><w:rPr>"#,
    fonts!("方正小标宋简体"),
    r#"<w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style>"#,
    // 一级标题: 黑体 三号, indented two characters like the body.
    r#"<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="GkBody"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="left"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr>"#,
    fonts!("黑体"),
    r#"<w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="GkBody"><w:name w:val="Gk Body Text"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:ind w:firstLineChars="200" w:firstLine="640"/></w:pPr></w:style>"#,
    // 表格文字: 黑体 五号, single lines, centred unless the cell says otherwise.
    r#"<w:style w:type="paragraph" w:styleId="GkTableText"><w:name w:val="Gk Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:keepLines/><w:widowControl w:val="0"/><w:snapToGrid w:val="0"/><w:spacing w:line="240" w:lineRule="auto"/><w:ind w:left="0" w:right="0" w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="黑体" w:cs="Arial"/><w:kern w:val="0"/><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="GkAfterTable"><w:name w:val="Gk After Table"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:line="300" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style>"#,
    // 落款: right-aligned, two characters from the right edge, two lines below the text.
    r#"<w:style w:type="paragraph" w:styleId="GkSignature"><w:name w:val="Gk Signature"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:ind w:right="640" w:rightChars="200"/><w:jc w:val="right"/></w:pPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="GkSignatureFirst"><w:name w:val="Gk Signature First"/><w:basedOn w:val="GkSignature"/><w:next w:val="GkSignature"/><w:pPr><w:spacing w:before="1160"/></w:pPr></w:style>"#,
    // 页码: 宋体 四号.
    r#"<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:line="240" w:lineRule="auto"/><w:jc w:val="center"/></w:pPr><w:rPr>"#,
    fonts!("宋体"),
    r#"<w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style></w:styles>"#,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_properties_are_escaped_and_dated_only_when_well_formed() {
        let s = core_xml("A&B", Some("<局>"), Some("2021-01-22"));
        assert!(s.contains("<dc:title>A&amp;B</dc:title><dc:creator>&lt;局&gt;</dc:creator>"), "{s}");
        assert!(s.contains("2021-01-22T00:00:00Z"), "{s}");
        let s = core_xml("t", None, Some("2021-1-2"));
        assert!(!s.contains("dcterms:created") && s.contains("<dc:creator>gongkai</dc:creator>"), "{s}");
    }

    #[test]
    fn styles_name_the_faces() {
        for face in [TITLE_FONT, BODY_FONT, SANS_FONT, PAGE_NUMBER_FONT] {
            assert!(STYLES.contains(face), "{face}");
            assert!(FONT_TABLE.contains(&format!("<w:font w:name=\"{face}\"><w:altName")), "{face}");
        }
    }
}
