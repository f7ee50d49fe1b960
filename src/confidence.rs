//! How far a fact from outside can be trusted, on DOMAIN.md's scale: **H** read in an official
//! source or two agreeing ones, **M** one credible secondary source, **L** weak or inferred.
//! Published totals and subsidy rules both carry one, and both are shown to the user with it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Confidence {
    /// Read in an official text or two agreeing sources.
    H,
    /// One credible secondary source.
    M,
    /// Weak or inferred.
    L,
}

impl Confidence {
    pub fn parse(s: &str) -> Option<Confidence> {
        match s.trim() {
            "H" | "h" => Some(Confidence::H),
            "M" | "m" => Some(Confidence::M),
            "L" | "l" => Some(Confidence::L),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::H => "H",
            Confidence::M => "M",
            Confidence::L => "L",
        }
    }
}
