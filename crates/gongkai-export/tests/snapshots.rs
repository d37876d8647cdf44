//! Snapshots of the Markdown and HTML exports (review changes with `cargo insta review`, or
//! regenerate with `INSTA_UPDATE=always` and read the diff).

mod common;

use gongkai_export::{render_html, render_html_fragment, render_markdown};

#[test]
fn markdown_2021_report() {
    insta::assert_snapshot!("markdown_2021", render_markdown(&common::report_2021()));
}

#[test]
fn html_2021_report() {
    insta::assert_snapshot!("html_2021", render_html(&common::report_2021()));
}

#[test]
fn markdown_2019_report_with_legacy_statistics() {
    insta::assert_snapshot!("markdown_2019_mixed", render_markdown(&common::report_2019_mixed()));
}

#[test]
fn html_2019_report_with_legacy_statistics() {
    insta::assert_snapshot!("html_2019_mixed", render_html(&common::report_2019_mixed()));
}

#[test]
fn html_fragment_2019_report() {
    insta::assert_snapshot!("html_fragment_2019_mixed", render_html_fragment(&common::report_2019_mixed()));
}
