//! `text.figure`: figures quoted in the prose, checked against the tables (being written).
