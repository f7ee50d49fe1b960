//! Dates as the CAC lists write them.
use chrono::NaiveDate;

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y/%m/%d").map_err(|e| e.to_string())
}
