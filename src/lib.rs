//! pcapkit: a streaming packet-capture extractor.
//!
//! (library API being written)

pub mod capture;
pub mod engine;
pub mod error;
pub mod model;

pub use error::{Error, Result};
