//! Filing numbers (备案号): `{Jurisdiction}-{Name}-{YYYYMMDD}[S][NNNN]`, e.g.
//! `Beijing-WenXinYiYan-20230821`, `Beijing-DeepseekChat-202404280016`,
//! `Guangdong-Plaud-20251229S0027` (a registration). Numbers are compared case-insensitively and
//! always kept as published.

use crate::filing::{Flag, Issue, Kind};
use crate::region::{fullwidth_to_ascii, Region, Regions};
use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

/// How far before 备案时间 the number's date may lie before it looks wrong. Known cases are
/// 10–15 days apart (DOMAIN.md §3); 60 leaves room for slow provinces.
pub const MAX_DAYS_BEFORE_FILING: i64 = 60;

/// The parts of a well-formed number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct NumberParts {
    pub jurisdiction: String,
    pub name: String,
    #[ts(type = "string")]
    pub date: NaiveDate,
    pub kind: Kind,
    pub sequence: Option<String>,
}

/// The case-, width- and space-insensitive key under which a number is unique in the registry.
pub fn number_key(raw: &str) -> String {
    normalize(raw).to_ascii_lowercase()
}

/// Trims, turns full-width characters and dashes into ASCII, and drops spaces: the forms in which
/// hand-copied numbers differ without being different numbers.
pub fn normalize(raw: &str) -> String {
    raw.chars()
        .map(fullwidth_to_ascii)
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c => c,
        })
        .filter(|c| !c.is_whitespace() && !is_invisible(*c))
        .collect()
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}' | '\u{feff}')
}

/// Parses a number's grammar. The error is the [`Issue`] to report, never a panic.
pub fn parse(raw: &str) -> Result<NumberParts, Issue> {
    let s = normalize(raw);
    if s.is_empty() {
        return Err(Issue::error("number_empty", "the filing number is empty"));
    }
    let malformed = |why: &str| {
        Issue::error(
            "number_malformed",
            format!(
                "filing number {raw:?} does not follow Jurisdiction-Name-YYYYMMDD[S][NNNN]: {why}"
            ),
        )
    };
    let (jurisdiction, rest) = s
        .split_once('-')
        .ok_or_else(|| malformed("no '-' separates the parts"))?;
    let (name, tail) = rest
        .rsplit_once('-')
        .ok_or_else(|| malformed("it needs three parts separated by '-'"))?;
    if jurisdiction.is_empty() || !jurisdiction.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(malformed("the jurisdiction must be pinyin letters"));
    }
    if name.is_empty() {
        return Err(malformed("the name part is empty"));
    }
    let digits: String = tail.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 8 {
        return Err(malformed("the last part must start with an 8-digit date"));
    }
    let date_digits = &digits[..8];
    let mut after = &tail[8..];
    let mut kind = Kind::Filed;
    if let Some(r) = after.strip_prefix(['S', 's']) {
        kind = Kind::Registered;
        after = r;
    }
    let sequence = if after.is_empty() {
        None
    } else if after.chars().all(|c| c.is_ascii_digit()) {
        Some(after.to_string())
    } else {
        return Err(malformed("only a sequence of digits may follow the date"));
    };
    let date = NaiveDate::parse_from_str(date_digits, "%Y%m%d").map_err(|_| {
        Issue::error(
            "number_bad_date",
            format!("filing number {raw:?} holds {date_digits}, which is not a calendar date"),
        )
    })?;
    Ok(NumberParts {
        jurisdiction: jurisdiction.to_string(),
        name: name.to_string(),
        date,
        kind,
        sequence,
    })
}

/// Everything known about one number, as `beian check` prints it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct NumberCheck {
    pub number: String,
    pub valid: bool,
    pub kind: Option<Kind>,
    pub jurisdiction: Option<String>,
    /// Full name of the region the prefix stands for.
    pub region: Option<String>,
    pub name: Option<String>,
    #[ts(type = "string | null")]
    pub date: Option<NaiveDate>,
    pub sequence: Option<String>,
    pub problems: Vec<Issue>,
    /// The flags an import would put on a row with this number.
    pub flags: Vec<Flag>,
}

/// Checks a number on its own and, when known, against the row's 属地 and 备案时间.
pub fn check(
    raw: &str,
    row_region: Option<&Region>,
    filed_on: Option<NaiveDate>,
    regions: &Regions,
) -> NumberCheck {
    let mut out = NumberCheck {
        number: raw.trim().to_string(),
        valid: false,
        kind: None,
        jurisdiction: None,
        region: None,
        name: None,
        date: None,
        sequence: None,
        problems: Vec::new(),
        flags: Vec::new(),
    };
    let parts = match parse(raw) {
        Ok(p) => p,
        Err(issue) => {
            if issue.code != "number_empty" {
                out.flags.push(Flag::NumberMalformed);
            }
            out.problems.push(issue);
            return out;
        }
    };
    let prefix_region = regions.by_prefix(&parts.jurisdiction);
    match (prefix_region, row_region) {
        (None, _) => {
            out.problems.push(Issue::error(
                "jurisdiction_unknown",
                format!(
                    "{:?} is not the prefix of any province or of ZhongYangQiYe (国资委)",
                    parts.jurisdiction
                ),
            ));
            out.flags.push(Flag::JurisdictionUnknown);
        }
        (Some(p), Some(r)) if p.code != r.code => {
            out.problems.push(Issue::error(
                "prefix_mismatch",
                format!(
                    "the number's prefix {:?} stands for {}, but the row's 属地 is {}",
                    parts.jurisdiction, p.name, r.name
                ),
            ));
            out.flags.push(Flag::PrefixMismatch);
        }
        _ => {}
    }
    if let Some(filed) = filed_on {
        let days = (filed - parts.date).num_days();
        if days < 0 {
            out.problems.push(Issue::error(
                "number_date_after_filing",
                format!(
                    "the number's date {} is after the filing date {}",
                    parts.date, filed
                ),
            ));
            out.flags.push(Flag::NumberDateAfterFiling);
        } else if days > MAX_DAYS_BEFORE_FILING {
            out.problems.push(Issue::warning(
                "number_date_long_before",
                format!(
                    "the number's date {} is {days} days before the filing date {filed} \
                     (more than {MAX_DAYS_BEFORE_FILING}); check both",
                    parts.date
                ),
            ));
            out.flags.push(Flag::NumberDateLongBefore);
        }
    }
    out.region = prefix_region.or(row_region).map(|r| r.name.clone());
    out.valid = !out.problems.iter().any(Issue::is_error);
    out.kind = Some(parts.kind);
    out.jurisdiction = Some(parts.jurisdiction);
    out.name = Some(parts.name);
    out.date = Some(parts.date);
    out.sequence = parts.sequence;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn parses_the_three_published_shapes() {
        let p = parse("Beijing-WenXinYiYan-20230821").unwrap();
        assert_eq!(
            (p.jurisdiction.as_str(), p.name.as_str(), p.kind),
            ("Beijing", "WenXinYiYan", Kind::Filed)
        );
        assert_eq!(p.date, d("2023-08-21"));
        assert_eq!(p.sequence, None);

        let p = parse("Beijing-DeepseekChat-202404280016").unwrap();
        assert_eq!(p.sequence.as_deref(), Some("0016"));
        assert_eq!(p.date, d("2024-04-28"));

        let p = parse("Guangdong-Plaud-20251229S0027").unwrap();
        assert_eq!(p.kind, Kind::Registered);
        assert_eq!(p.sequence.as_deref(), Some("0027"));
        assert_eq!(
            parse("guangdong-plaud-20251229s0027").unwrap().kind,
            Kind::Registered
        );
    }

    #[test]
    fn names_may_hold_hyphens_and_digits() {
        let p = parse("Beijing-Deepseek-Chat-V2-202404280016").unwrap();
        assert_eq!(p.name, "Deepseek-Chat-V2");
        assert_eq!(
            parse("Tianjin-360ZhiNaoDaMoXing-20230831").unwrap().name,
            "360ZhiNaoDaMoXing"
        );
    }

    #[test]
    fn full_width_and_spaces_are_tolerated() {
        assert!(parse(" Beijing－WenXinYiYan－20230821 ").is_ok());
        assert_eq!(
            number_key("BEIJING-WenXinYiYan-20230821"),
            number_key("beijing-wenxinyiyan-20230821 ")
        );
    }

    #[test]
    fn malformed_numbers_say_why() {
        for (raw, code) in [
            ("", "number_empty"),
            ("Beijing", "number_malformed"),
            ("Beijing-WenXin", "number_malformed"),
            ("Beijing-WenXin-2023082", "number_malformed"),
            ("Beijing--20230821", "number_malformed"),
            ("北京-WenXin-20230821", "number_malformed"),
            ("Beijing-WenXin-20230821X", "number_malformed"),
            ("Beijing-WenXin-20230230", "number_bad_date"),
        ] {
            assert_eq!(parse(raw).unwrap_err().code, code, "{raw}");
        }
    }

    #[test]
    fn check_matches_prefix_to_region() {
        let r = Regions::bundled();
        let c = check("ZheJiang-TongYiQianWen-20230901", None, None, r);
        assert!(c.valid);
        assert_eq!(c.region.as_deref(), Some("浙江省"));

        let c = check(
            "ZhongYangQiYe-JiuTian-20240123",
            r.find("国资委"),
            Some(d("2024-02-07")),
            r,
        );
        assert!(c.valid, "{:?}", c.problems);

        let c = check("Beijing-X-20230821", r.find("上海"), None, r);
        assert!(!c.valid);
        assert_eq!(c.flags, vec![Flag::PrefixMismatch]);
        assert_eq!(c.problems[0].code, "prefix_mismatch");

        let c = check("Atlantis-X-20230821", None, None, r);
        assert_eq!(c.problems[0].code, "jurisdiction_unknown");
    }

    #[test]
    fn check_compares_number_date_with_filing_date() {
        let r = Regions::bundled();
        let c = check("Beijing-X-20230821", None, Some(d("2023-08-20")), r);
        assert_eq!(c.flags, vec![Flag::NumberDateAfterFiling]);
        assert!(!c.valid);
        let c = check("Beijing-X-20230821", None, Some(d("2023-08-21")), r);
        assert!(c.valid && c.problems.is_empty());
        let c = check("Beijing-X-20230101", None, Some(d("2023-08-31")), r);
        assert!(c.valid, "a long gap is a warning, not invalid");
        assert_eq!(c.flags, vec![Flag::NumberDateLongBefore]);
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = parse(&s);
            let _ = check(&s, None, None, Regions::bundled());
        }

        #[test]
        fn well_formed_numbers_round_trip(
            j in "[A-Za-z]{2,14}",
            name in "[A-Za-z0-9]{1,20}",
            y in 2000i32..2100, m in 1u32..=12, day in 1u32..=28,
            reg in any::<bool>(),
            seq in proptest::option::of("[0-9]{4}"),
        ) {
            let raw = format!("{j}-{name}-{y:04}{m:02}{day:02}{}{}",
                if reg { "S" } else { "" }, seq.clone().unwrap_or_default());
            let p = parse(&raw).unwrap();
            prop_assert_eq!(p.jurisdiction, j);
            prop_assert_eq!(p.name, name);
            prop_assert_eq!(p.date, NaiveDate::from_ymd_opt(y, m, day).unwrap());
            prop_assert_eq!(p.kind, if reg { Kind::Registered } else { Kind::Filed });
            prop_assert_eq!(p.sequence, seq);
            prop_assert_eq!(number_key(&raw), number_key(&raw.to_uppercase()));
        }
    }
}
