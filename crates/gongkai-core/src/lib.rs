//! gongkai-core: the pure domain core of gongkai (公开).
//!
//! Everything here is plain data and pure functions: no files, no network, no database, no clock
//! reads. Importers, exporters, storage and the web application depend on this crate; it depends on
//! nothing of ours. Start reading at [`report`] (the canonical annual report), then [`template`]
//! (the official tables as data) and [`rules`] (the consistency rules, 勾稽关系).

pub mod attachment;
pub mod calendar;
pub mod case_file;
pub mod casework;
pub mod clock;
pub mod demo;
pub mod fees;
pub mod generate;
pub mod identity;
pub mod input;
pub mod label;
pub mod lifecycle;
pub mod masking;
pub mod quality;
pub mod register;
pub mod report;
pub mod rollup;
pub mod rules;
pub mod supervise;
pub mod template;
pub mod text_figure;
