//! Dates as the CAC lists and hand-made copies write them: `2024/3/28` (an Excel date cell shown
//! as text), `2024-03-28`, `2024.3.28`, `2024年3月28日`, `20240328`, a time suffix left over from
//! a datetime cell, full-width digits, and raw Excel serial numbers.

use crate::region::fullwidth_to_ascii;
use chrono::{Datelike, NaiveDate};

/// The largest serial Excel accepts (9999-12-31).
const MAX_SERIAL: f64 = 2_958_465.0;

const EXPECTED: &str = "expected e.g. 2024/3/28 or 2024年3月28日";

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let norm: String = s
        .chars()
        .map(fullwidth_to_ascii)
        .collect::<String>()
        .trim_matches(|c: char| c.is_whitespace() || super::decode::is_invisible(c))
        .to_string();
    let not_a_date = || format!("{s:?} is not a date; {EXPECTED}");
    if norm.is_empty() {
        return Err(format!("the date is empty; {EXPECTED}"));
    }
    if norm.len() == 8 && norm.bytes().all(|b| b.is_ascii_digit()) {
        return ymd(s, &norm[..4], &norm[4..6], &norm[6..]);
    }
    if is_serial_like(&norm) {
        return parse_serial(s, &norm);
    }
    let (date_part, time_part) = split_time(&norm);
    if let Some(t) = time_part {
        if !is_time(t) {
            return Err(not_a_date());
        }
    }
    if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        return ymd(s, &date_part[..4], &date_part[4..6], &date_part[6..]);
    }
    let parts: Vec<&str> = if date_part.contains('年') {
        let compact: String = date_part.chars().filter(|c| !c.is_whitespace()).collect();
        let Some(rest) = compact.strip_suffix('日').or(compact.strip_suffix('号')) else {
            return Err(not_a_date());
        };
        let Some((y, rest)) = rest.split_once('年') else {
            return Err(not_a_date());
        };
        let Some((m, d)) = rest.split_once('月') else {
            return Err(not_a_date());
        };
        return ymd(s, y, m, d);
    } else {
        let sep = ['/', '-', '.']
            .into_iter()
            .find(|&c| date_part.contains(c))
            .ok_or_else(not_a_date)?;
        date_part.split(sep).collect()
    };
    match parts.as_slice() {
        [y, m, d] => ymd(s, y, m, d),
        _ => Err(not_a_date()),
    }
}

/// Excel's 1900 date system: serial 1 is 1900-01-01, and serial 60 is the 1900-02-29 that Lotus
/// 1-2-3 invented and Excel kept, so serials from 61 on are one day ahead of a plain count.
/// A fractional part is the time of day and is dropped.
pub fn excel_serial_to_date(f: f64) -> Option<NaiveDate> {
    if !f.is_finite() || !(1.0..MAX_SERIAL + 1.0).contains(&f) {
        return None;
    }
    let n = f.floor() as i64;
    let base = match n {
        60 => return None,
        ..=59 => NaiveDate::from_ymd_opt(1899, 12, 31)?,
        _ => NaiveDate::from_ymd_opt(1899, 12, 30)?,
    };
    base.checked_add_signed(chrono::Duration::days(n))
}

fn is_serial_like(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn parse_serial(raw: &str, norm: &str) -> Result<NaiveDate, String> {
    let f: f64 = norm
        .parse()
        .map_err(|_| format!("{raw:?} is not a date; {EXPECTED}"))?;
    if !(1.0..MAX_SERIAL + 1.0).contains(&f) {
        return Err(format!(
            "{raw:?} is not a date: as an Excel date number it is outside 1 to 2958465 \
             (1900-01-01 to 9999-12-31); {EXPECTED}"
        ));
    }
    excel_serial_to_date(f).ok_or_else(|| {
        format!("{raw:?} is not a date: Excel date number 60 stands for 1900-02-29, which never existed")
    })
}

fn split_time(s: &str) -> (&str, Option<&str>) {
    match s
        .char_indices()
        .find(|&(_, c)| c == 'T' || c.is_whitespace())
    {
        // Only split after something that looks like a date, so `2024 年 3 月 28 日` stays whole.
        Some((i, c)) if !s[..i].contains('年') && i >= 6 => {
            (&s[..i], Some(s[i + c.len_utf8()..].trim()))
        }
        _ => (s, None),
    }
}

/// `0:00`, `00:00:00`, `14:30:00.000`, optionally with `Z`: what datetime cells leave behind.
fn is_time(t: &str) -> bool {
    let t = t.strip_suffix('Z').unwrap_or(t);
    let (hms, frac) = t.split_once('.').unwrap_or((t, "0"));
    let parts: Vec<&str> = hms.split(':').collect();
    let ok_num = |p: &str, max: u32| {
        (1..=2).contains(&p.len())
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|v| v <= max)
    };
    (2..=3).contains(&parts.len())
        && ok_num(parts[0], 23)
        && parts[1..].iter().all(|p| ok_num(p, 59))
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn ymd(raw: &str, y: &str, m: &str, d: &str) -> Result<NaiveDate, String> {
    let (y, m, d) = (y.trim(), m.trim(), d.trim());
    let digits = |p: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(y, 4..=4) || !digits(m, 1..=2) || !digits(d, 1..=2) {
        return Err(format!("{raw:?} is not a date; {EXPECTED}"));
    }
    // The digit checks above make these parses infallible; map_err keeps it panic-free anyway.
    let bad = |_| format!("{raw:?} is not a date; {EXPECTED}");
    let (y, m, d): (i32, u32, u32) = (
        y.parse().map_err(bad)?,
        m.parse().map_err(bad)?,
        d.parse().map_err(bad)?,
    );
    if !(1..=12).contains(&m) {
        return Err(format!(
            "{raw:?} is not a calendar date (there is no month {m})"
        ));
    }
    if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
        return Ok(date);
    }
    let days = days_in_month(y, m);
    Err(format!(
        "{raw:?} is not a calendar date ({} {y} has {days} days)",
        MONTHS[(m - 1) as usize]
    ))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn days_in_month(y: i32, m: u32) -> u32 {
    let first = NaiveDate::from_ymd_opt(y, m, 1);
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    match (first, next) {
        (Some(a), Some(b)) => (b - a).num_days() as u32,
        // Only reachable at chrono's year limits; the message stays sensible.
        _ => first.map_or(31, |a| 32 - a.day()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn accepted_forms() {
        for s in [
            "2024/3/28",
            "2024-03-28",
            "2024.3.28",
            "2024年3月28日",
            "2024 年 3 月 28 日",
            "20240328",
            "20240328 00:00:00",
            "2024/3/28 0:00:00",
            "2024-03-28T00:00:00",
            "2024-03-28T00:00:00.000Z",
            "2024-03-28 00:00",
            "２０２４／３／２８",
            "２０２４年３月２８日",
            "  2024/3/28\u{3000}",
            "\u{feff}2024/03/28",
            "45379",
            "45379.0",
            "45379.5",
            "４５３７９",
        ] {
            assert_eq!(parse_date(s), Ok(d(2024, 3, 28)), "{s}");
        }
    }

    #[test]
    fn serials_around_excels_fake_leap_day() {
        assert_eq!(excel_serial_to_date(1.0), Some(d(1900, 1, 1)));
        assert_eq!(excel_serial_to_date(59.0), Some(d(1900, 2, 28)));
        assert_eq!(excel_serial_to_date(60.0), None);
        assert_eq!(excel_serial_to_date(61.0), Some(d(1900, 3, 1)));
        assert_eq!(excel_serial_to_date(2_958_465.0), Some(d(9999, 12, 31)));
        assert_eq!(excel_serial_to_date(0.0), None);
        assert_eq!(excel_serial_to_date(f64::NAN), None);
        assert_eq!(excel_serial_to_date(2_958_466.0), None);
        assert!(parse_date("60").unwrap_err().contains("1900-02-29"));
    }

    #[test]
    fn errors_name_the_value_and_the_reason() {
        assert_eq!(
            parse_date("2024/2/30").unwrap_err(),
            "\"2024/2/30\" is not a calendar date (February 2024 has 29 days)"
        );
        assert_eq!(
            parse_date("2023/2/29").unwrap_err(),
            "\"2023/2/29\" is not a calendar date (February 2023 has 28 days)"
        );
        assert_eq!(
            parse_date("abc").unwrap_err(),
            "\"abc\" is not a date; expected e.g. 2024/3/28 or 2024年3月28日"
        );
        assert!(parse_date("2024/13/1").unwrap_err().contains("no month 13"));
        assert!(parse_date("1900/1/0")
            .unwrap_err()
            .contains("January 1900 has 31 days"));
        let e = parse_date("0").unwrap_err();
        assert!(e.contains("outside 1 to 2958465"), "{e}");
        let e = parse_date("3000000").unwrap_err();
        assert!(e.contains("outside"), "{e}");
        assert!(parse_date("-5").unwrap_err().contains("outside"));
        assert!(parse_date("").unwrap_err().contains("empty"));
        for bad in [
            "2024/3",
            "24/3/28",
            "2024/3/28 noon",
            "2024/3/28 25:00",
            "2024-3/28",
            "2024年3月",
            "2024年3月28",
            "March 28, 2024",
            "2024/003/28",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = parse_date(&s);
        }

        #[test]
        fn never_panics_on_date_like(s in "[0-9０-９年月日/.: T-]{0,24}") {
            let _ = parse_date(&s);
        }

        #[test]
        fn serials_round_trip(n in 61u32..2_958_465) {
            let date = excel_serial_to_date(f64::from(n)).unwrap();
            let back = (date - d(1899, 12, 30)).num_days();
            prop_assert_eq!(back, i64::from(n));
            prop_assert_eq!(parse_date(&n.to_string()), Ok(date));
        }
    }
}
