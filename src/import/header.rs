//! Header mapping: which source column holds which field, from Chinese or English synonyms.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The six fields of a CAC table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Field {
    Seq,
    Region,
    Model,
    Company,
    Number,
    Date,
}
