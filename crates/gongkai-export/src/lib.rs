//! Exporters (being written).
