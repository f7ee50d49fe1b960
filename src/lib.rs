//! Beian: a registry of China's generative-AI service filings (生成式人工智能服务备案).
//!
//! The core knows nothing of any front end: the `beian` CLI and the Tauri app both call the use
//! cases in [`registry`]. Only [`store`] speaks SQL.

pub mod cli;
pub mod confidence;
pub mod error;
pub mod export;
pub mod filing;
pub mod import;
pub mod location;
pub mod number;
mod order;
pub mod query;
pub mod region;
pub mod registry;
pub mod search;
mod slots;
pub mod stats;
pub mod store;
pub mod subsidy;

pub use error::{Error, ErrorPayload, Result};
pub use registry::Registry;
