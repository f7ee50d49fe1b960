//! [`Grouped`] written down as bytes, for the store to keep beside the filings it was worked out
//! from. At a million filings, reading the filings and grouping them is most of the first
//! evaluation of a process (about 1.5 s); reading them back from these bytes is a fraction of it.
//!
//! Little-endian throughout; a text is its length in bytes (LEB128) then its UTF-8. A header
//! (magic, [`VERSION`], the bundled city list's fingerprint, the regions, the counts of runs and
//! filings in all and in the first half, where the second half starts), then the runs in two
//! halves. A half begins with one text that its filings' numbers, its runs' spellings and
//! their company keys read back share: the numbers' length in bytes, then the text (the
//! numbers, then each run's spelling and its key when that differs from the spelling). Then
//! each run of one spelling: the spelling's length, whether a key of its own follows and its
//! length, the run's number of filings and suggested city, then its filings (kind, province,
//! day, the number's length). The halves are read on two threads into their places in one
//! list. Anything that does not read back whole and consistent is refused ([`BadLayout`]), and
//! the caller reads the filings instead.

use super::Grouped;
use crate::slots::Slots;
use crate::subsidy::cities::Cities;
use crate::subsidy::eval::{FilingFact, FxMap, Run};
use crate::subsidy::rules::FilingKind;
use crate::subsidy::shared_text::{SharedText, Text, ThinText};
use chrono::{Datelike, NaiveDate};
use std::sync::Arc;

const MAGIC: &[u8; 8] = b"BEIANEV\0";

/// Moves whenever the bytes, or what they hold, change meaning: what is written here, and how
/// it is worked out (the grouping in `by_company`, a run's order in `sort_run`, company keys,
/// the suggestion of a city from a name). The city list itself is fingerprinted beside it.
const VERSION: u32 = 4;

const NO_CITY: u32 = u32::MAX;
const NO_REGION: u16 = u16::MAX;
const NO_DAY: i32 = i32::MIN;
/// A filing's first byte: its kind in the low bits, and whether it is confirmed.
const CONFIRMED: u8 = 4;

/// What the store keeps the bytes under: bytes of another format (another Beian, another city
/// list) are not read.
pub fn format() -> String {
    format!(
        "grouped-filings/{VERSION}/{:016x}",
        Cities::bundled_fingerprint()
    )
}

/// Bytes that are not a grouping this code wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the kept grouping of the filings cannot be read ({0}); the filings are read instead")]
pub struct BadLayout(String);

/// `None` for a grouping the layout cannot hold (more regions than it numbers, or more than
/// four billion of anything).
pub(super) fn write(g: &Grouped) -> Option<Vec<u8>> {
    // Texts are most of it: about 50 bytes a filing at a million.
    let mut out = Out(Vec::with_capacity(g.filings.len() * 56 + g.runs.len() * 48));
    out.0.extend_from_slice(MAGIC);
    out.u32(VERSION);
    out.0
        .extend_from_slice(&Cities::bundled_fingerprint().to_le_bytes());
    let mut regions: Vec<&str> = Vec::new();
    let mut region_at: FxMap<&str, u16> = FxMap::default();
    for f in &g.filings {
        if let Some(r) = f.region.as_deref() {
            if !region_at.contains_key(r) {
                region_at.insert(
                    r,
                    u16::try_from(regions.len())
                        .ok()
                        .filter(|&i| i != NO_REGION)?,
                );
                regions.push(r);
            }
        }
    }
    out.count(regions.len())?;
    for r in &regions {
        out.text(r);
    }
    out.count(g.runs.len())?;
    out.count(g.filings.len())?;
    // The second half: the runs from the first that ends past half the filings.
    let mut at = 0;
    let half = g
        .runs
        .iter()
        .position(|(_, n)| {
            at += n;
            at * 2 >= g.filings.len()
        })
        .map_or(g.runs.len(), |i| i + 1);
    out.count(half)?;
    out.count(g.runs[..half].iter().map(|(_, n)| n).sum())?;
    let second_at = out.0.len();
    out.0.extend_from_slice(&0u64.to_le_bytes());
    let first_filings: usize = g.runs[..half].iter().map(|(_, n)| n).sum();
    for (later, runs, filings, suggested) in [
        (
            false,
            &g.runs[..half],
            &g.filings[..first_filings],
            &g.suggested[..half],
        ),
        (
            true,
            &g.runs[half..],
            &g.filings[first_filings..],
            &g.suggested[half..],
        ),
    ] {
        if later {
            let here = out.0.len() as u64;
            out.0[second_at..second_at + 8].copy_from_slice(&here.to_le_bytes());
        }
        // The half's texts first, in one piece, read back as one text they all share.
        let spelling_of = |at: usize, n: usize| {
            filings[at..at + n]
                .first()
                .map_or("", |f| f.company.as_str())
        };
        let numbers: usize = filings.iter().map(|f| f.number.len()).sum();
        let mut texts = numbers;
        let mut at = 0;
        for (key, n) in runs {
            let spelling = spelling_of(at, *n);
            texts += spelling.len() + if key == spelling { 0 } else { key.len() };
            at += n;
        }
        out.count(numbers)?;
        out.count(texts)?;
        for f in filings {
            out.0.extend_from_slice(f.number.as_bytes());
        }
        let mut at = 0;
        for (key, n) in runs {
            let spelling = spelling_of(at, *n);
            out.0.extend_from_slice(spelling.as_bytes());
            if key != spelling {
                out.0.extend_from_slice(key.as_bytes());
            }
            at += n;
        }
        let mut at = 0;
        for ((key, n), city) in runs.iter().zip(suggested) {
            let run = &filings[at..at + n];
            let spelling = spelling_of(at, *n);
            at += n;
            out.count(spelling.len())?;
            if key == spelling {
                out.0.push(0);
            } else {
                out.0.push(1);
                out.count(key.len())?;
            }
            out.count(*n)?;
            out.u32(city.unwrap_or(NO_CITY));
            for f in run {
                let kind = match f.kind {
                    FilingKind::Filed => 0,
                    FilingKind::Registered => 1,
                    FilingKind::Algorithm => 2,
                };
                out.0.push(kind | if f.confirmed { CONFIRMED } else { 0 });
                let region = f.region.as_deref().map_or(NO_REGION, |r| region_at[r]);
                out.0.extend_from_slice(&region.to_le_bytes());
                let day = f.filed_on.map_or(NO_DAY, |d| d.num_days_from_ce());
                out.0.extend_from_slice(&day.to_le_bytes());
                out.count(f.number.len())?;
            }
        }
    }
    Some(out.0)
}

/// The bytes of a layout, read a range at a time: at a million filings they are 56 MB, and
/// reading them whole into memory first was a fifth of the first evaluation.
pub trait Source {
    /// How many bytes there are.
    fn size(&self) -> usize;

    /// Runs `f` with a reader that fills a buffer with the bytes from an offset (false when
    /// they could not be read).
    fn reading<T>(self, f: impl FnOnce(&mut dyn FnMut(usize, &mut [u8]) -> bool) -> T) -> T;
}

impl Source for &[u8] {
    fn size(&self) -> usize {
        self.len()
    }

    fn reading<T>(self, f: impl FnOnce(&mut dyn FnMut(usize, &mut [u8]) -> bool) -> T) -> T {
        f(&mut |at, buf| match self.get(at..at + buf.len()) {
            Some(bytes) => {
                buf.copy_from_slice(bytes);
                true
            }
            None => false,
        })
    }
}

pub(super) fn read(bytes: &[u8]) -> Result<Grouped, BadLayout> {
    read_from(bytes, Some(bytes))
}

/// The grouping in `first`; its second half read from `later` on another thread, or after the
/// first from `first` when there is no `later`. Both must hold the same bytes.
pub(super) fn read_from(
    first: impl Source,
    later: Option<impl Source + Send>,
) -> Result<Grouped, BadLayout> {
    let len = first.size();
    if later.as_ref().is_some_and(|l| l.size() != len) {
        return Err(bad("the halves are read from bytes of different lengths"));
    }
    first.reading(|reader| {
        let mut r = In::new(reader, 0, len);
        if r.take(MAGIC.len())? != MAGIC {
            return Err(bad("not a kept grouping"));
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(bad(&format!(
                "version {version}, this Beian reads {VERSION}"
            )));
        }
        let fingerprint = u64::from_le_bytes(r.array()?);
        if fingerprint != Cities::bundled_fingerprint() {
            return Err(bad("worked out with another list of cities"));
        }
        let regions: Vec<ThinText> = (0..r.count()?)
            .map(|_| r.text().map(ThinText::from))
            .collect::<Result<_, _>>()?;
        let runs = r.count()?;
        let filings = r.count()?;
        let half = r.count()?;
        let first_filings = r.count()?;
        let second = usize::try_from(u64::from_le_bytes(r.array()?)).unwrap_or(usize::MAX);
        if half > runs || first_filings > filings || second < r.at() || second > len {
            return Err(bad("halves out of place"));
        }
        // A filing takes at least 8 bytes, a run 7: a header that says more is not allocated
        // for.
        if filings > (len - r.at()) / 8 {
            return Err(bad(&format!("{filings} filings in {len} bytes")));
        }
        if runs > (len - r.at()) / 7 {
            return Err(bad(&format!("{runs} runs in {len} bytes")));
        }
        r.limit = second;
        // Each half is decoded where it lies in the one list: joining two lists of half a
        // million filings afterwards was a fifth of the read at 1M.
        let mut all: Vec<FilingFact> = Vec::with_capacity(filings);
        // Their runs too, into one list each.
        let mut all_runs: Vec<Run> = Vec::with_capacity(runs);
        let mut all_suggested: Vec<Option<u32>> = Vec::with_capacity(runs);
        {
            let (into_first, into_later) =
                all.spare_capacity_mut()[..filings].split_at_mut(first_filings);
            let (runs_first, runs_later) = all_runs.spare_capacity_mut()[..runs].split_at_mut(half);
            let (suggested_first, suggested_later) =
                all_suggested.spare_capacity_mut()[..runs].split_at_mut(half);
            let into_first = HalfSlots {
                filings: Slots::new(into_first),
                runs: Slots::new(runs_first),
                suggested: Slots::new(suggested_first),
            };
            let into_later = HalfSlots {
                filings: Slots::new(into_later),
                runs: Slots::new(runs_later),
                suggested: Slots::new(suggested_later),
            };
            let later_runs = runs - half;
            let (first, later) = match later {
                Some(later) => std::thread::scope(|s| {
                    let regions = &regions;
                    let later = s.spawn(move || {
                        later.reading(|reader| {
                            let r = In::new(reader, second, len);
                            read_runs(r, later_runs, regions, into_later)
                        })
                    });
                    let first = read_runs(r, half, regions, into_first);
                    let later = later
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    (first, later)
                }),
                None => {
                    let first = read_runs(r, half, &regions, into_first);
                    let r = In::new(reader, second, len);
                    let later = read_runs(r, later_runs, &regions, into_later);
                    (first, later)
                }
            };
            let (first, later) = (first?, later?);
            if !first.filings.full() || !later.filings.full() {
                return Err(bad(&format!(
                    "{} and {} filings in the halves where the header says {first_filings} and {}",
                    first.filings.len(),
                    later.filings.len(),
                    filings - first_filings
                )));
            }
            // A half that read without an error read each of its runs.
            debug_assert!(first.runs.full() && later.runs.full());
            for half in [first, later] {
                half.filings.keep();
                half.runs.keep();
                half.suggested.keep();
            }
        }
        // SAFETY: the two halves' slots are the first `filings` of `all`, and the first `runs`
        // of `all_runs` and `all_suggested`; each was written, and none will drop them now.
        unsafe {
            all.set_len(filings);
            all_runs.set_len(runs);
            all_suggested.set_len(runs);
        }
        Ok(Grouped {
            filings: all,
            runs: all_runs,
            suggested: all_suggested,
        })
    })
}

/// One half's filings, runs and cities suggested, each in its slots in one list.
struct HalfSlots<'s> {
    filings: Slots<'s, FilingFact>,
    runs: Slots<'s, Run>,
    suggested: Slots<'s, Option<u32>>,
}

/// `runs` runs from `r`, which must end with the last of them, into `into` (which must have
/// room for them).
fn read_runs<'s>(
    mut r: In<'_>,
    runs: usize,
    regions: &[ThinText],
    mut into: HalfSlots<'s>,
) -> Result<HalfSlots<'s>, BadLayout> {
    let numbers_end = r.count()?;
    let text = r.shared_text()?;
    if numbers_end > text.len() {
        return Err(bad("numbers past the end of their half's texts"));
    }
    let mut number_at = 0;
    let mut text_at = numbers_end;
    let mut next_text = |r: &mut In<'_>| -> Result<SharedText, BadLayout> {
        let end = text_at + r.count()?;
        let got = (end <= text.len())
            .then(|| SharedText::within(&text, text_at..end))
            .flatten()
            .ok_or_else(|| bad("a company out of its half's texts"))?;
        text_at = end;
        Ok(got)
    };
    let cities = Cities::bundled().all().len();
    for _ in 0..runs {
        let company = next_text(&mut r)?;
        let key = match r.u8()? {
            0 => company.clone(),
            1 => next_text(&mut r)?,
            k => return Err(bad(&format!("key mark {k}"))),
        };
        let n = r.count()?;
        let city = match r.u32()? {
            NO_CITY => None,
            c if (c as usize) < cities => Some(c),
            c => return Err(bad(&format!("city {c} is not in the list"))),
        };
        for _ in 0..n {
            let first = r.u8()?;
            let kind = match first & !CONFIRMED {
                0 => FilingKind::Filed,
                1 => FilingKind::Registered,
                2 => FilingKind::Algorithm,
                k => return Err(bad(&format!("filing kind {k}"))),
            };
            let region = match u16::from_le_bytes(r.array()?) {
                NO_REGION => None,
                i => Some(ThinText::clone(
                    regions
                        .get(usize::from(i))
                        .ok_or_else(|| bad(&format!("region {i}")))?,
                )),
            };
            let filed_on = match i32::from_le_bytes(r.array()?) {
                NO_DAY => None,
                d => Some(
                    NaiveDate::from_num_days_from_ce_opt(d)
                        .ok_or_else(|| bad(&format!("day {d}")))?,
                ),
            };
            into.filings
                .push(FilingFact {
                    number: {
                        let end = number_at + r.count()?;
                        let number = (end <= numbers_end)
                            .then(|| SharedText::within(&text, number_at..end))
                            .flatten()
                            .ok_or_else(|| bad("a number out of its half's numbers"))?;
                        number_at = end;
                        number
                    },
                    kind,
                    region,
                    company: company.clone(),
                    filed_on,
                    confirmed: first & CONFIRMED != 0,
                })
                .map_err(|_| bad("more filings in a half than the header says"))?;
        }
        into.runs.push((key, n)).expect("room for each run");
        into.suggested.push(city).expect("room for each run");
    }
    if r.at() != r.limit {
        return Err(bad("bytes after the last filing of a half"));
    }
    if number_at != numbers_end {
        return Err(bad("numbers after the last filing of a half"));
    }
    if text_at != text.len() {
        return Err(bad("companies after the last run of a half"));
    }
    Ok(into)
}

fn bad(why: &str) -> BadLayout {
    BadLayout(why.to_string())
}

struct Out(Vec<u8>);

impl Out {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    /// A count (LEB128); `None` past `u32::MAX`, which [`In::count`] refuses.
    fn count(&mut self, n: usize) -> Option<()> {
        let mut n = u32::try_from(n).ok()?;
        while n >= 0x80 {
            self.0.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
        Some(())
    }

    fn text(&mut self, s: &str) {
        // A text is a filing's field: far shorter than four billion bytes.
        self.count(s.len()).expect("a text under 4 GiB");
        self.0.extend_from_slice(s.as_bytes());
    }
}

/// A reader of one range of the bytes (up to `limit`), a piece at a time.
struct In<'r> {
    read: &'r mut dyn FnMut(usize, &mut [u8]) -> bool,
    buf: Vec<u8>,
    /// What of `buf` is read and not yet taken.
    start: usize,
    end: usize,
    /// The offset of the byte after `buf[end - 1]`.
    next: usize,
    limit: usize,
}

/// How much is read at a time: large enough that the reads cost little, small enough to
/// stay in the cache. Tests read a few bytes at a time, so that values and texts fall across
/// the ends of the pieces.
const PIECE: usize = if cfg!(test) { 7 } else { 256 * 1024 };

impl<'r> In<'r> {
    fn new(read: &'r mut dyn FnMut(usize, &mut [u8]) -> bool, at: usize, limit: usize) -> Self {
        In {
            read,
            buf: Vec::new(),
            start: 0,
            end: 0,
            next: at,
            limit,
        }
    }

    /// The offset of the next byte to take.
    fn at(&self) -> usize {
        self.next - (self.end - self.start)
    }

    fn take(&mut self, n: usize) -> Result<&[u8], BadLayout> {
        let have = self.end - self.start;
        if have < n {
            if n - have > self.limit.saturating_sub(self.next) {
                return Err(bad("cut short"));
            }
            self.buf.copy_within(self.start..self.end, 0);
            let more = (n - have).max(PIECE).min(self.limit - self.next);
            if self.buf.len() < have + more {
                self.buf.resize(have + more, 0);
            }
            if !(self.read)(self.next, &mut self.buf[have..have + more]) {
                return Err(bad("the bytes could not be read"));
            }
            (self.start, self.end) = (0, have + more);
            self.next += more;
        }
        let out = &self.buf[self.start..self.start + n];
        self.start += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], BadLayout> {
        Ok(self.take(N)?.try_into().expect("N bytes taken"))
    }

    fn u8(&mut self) -> Result<u8, BadLayout> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, BadLayout> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn count(&mut self) -> Result<usize, BadLayout> {
        let mut n: u64 = 0;
        for shift in (0..35).step_by(7) {
            let b = self.u8()?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return u32::try_from(n)
                    .map(|n| n as usize)
                    .map_err(|_| bad("a count past 2^32"));
            }
        }
        Err(bad("a count past 2^32"))
    }

    /// A text given by its length, read into one allocation that ranges of it share.
    fn shared_text(&mut self) -> Result<Text, BadLayout> {
        let n = self.count()?;
        if n > self.limit - self.at() {
            return Err(bad("cut short"));
        }
        let mut out = vec![0; n];
        let have = (self.end - self.start).min(n);
        out[..have].copy_from_slice(&self.buf[self.start..self.start + have]);
        self.start += have;
        if have < n {
            if !(self.read)(self.next, &mut out[have..]) {
                return Err(bad("the bytes could not be read"));
            }
            self.next += n - have;
        }
        let text = String::from_utf8(out).map_err(|_| bad("texts that are not UTF-8"))?;
        Ok(Arc::new(text.into_boxed_str()))
    }

    fn text(&mut self) -> Result<&str, BadLayout> {
        let n = self.count()?;
        std::str::from_utf8(self.take(n)?).map_err(|_| bad("a text that is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(number: &str, company: &str, region: Option<&str>, day: Option<&str>) -> FilingFact {
        FilingFact {
            number: number.into(),
            kind: FilingKind::Registered,
            region: region.map(Into::into),
            company: company.into(),
            filed_on: day.map(|d| d.parse().unwrap()),
            confirmed: true,
        }
    }

    fn sample() -> Grouped {
        let mut filings = vec![
            f(
                "Zhejiang-A-20240101",
                "杭州甲科技有限公司",
                Some("浙江省"),
                Some("2024-01-01"),
            ),
            f(
                "Beijing-B-20230821",
                "乙公司",
                Some("北京市"),
                Some("2023-08-21"),
            ),
            f("N3", "杭州甲科技有限公司", None, None),
            f(
                "Sichuan-C-20240328",
                "成都丙 公司",
                Some("四川省"),
                Some("2024-03-28"),
            ),
            f("N5", "成都丙公司", Some("四川省"), Some("2024-03-28")),
        ];
        filings[1].kind = FilingKind::Filed;
        filings[2].confirmed = false;
        Grouped::new(filings)
    }

    #[test]
    fn a_grouping_reads_back_as_it_was_written() {
        let g = sample();
        assert!(g.suggested.iter().any(Option::is_some), "{:?}", g.suggested);
        let back = read(&write(&g).unwrap()).unwrap();
        assert_eq!(back, g);
        let empty = Grouped::new(Vec::new());
        assert_eq!(read(&write(&empty).unwrap()).unwrap(), empty);
        // One run: the second half is empty.
        let one = Grouped::new(vec![f("N1", "乙", None, None)]);
        assert_eq!(read(&write(&one).unwrap()).unwrap(), one);
    }

    #[test]
    fn bytes_cut_short_changed_or_with_more_after_them_are_refused() {
        let bytes = write(&sample()).unwrap();
        for cut in [0, 4, 8, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(read(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            read(&longer),
            Err(bad("bytes after the last filing of a half"))
        );
        let mut other = bytes.clone();
        other[8] ^= 1;
        assert!(read(&other).unwrap_err().0.starts_with("version"));
        let mut cities = bytes.clone();
        cities[12] ^= 1;
        assert_eq!(
            read(&cities),
            Err(bad("worked out with another list of cities"))
        );
        // One filing: its kind is the first byte after its run's header.
        let one = Grouped::new(vec![f("N1", "乙", Some("北京市"), None)]);
        let kind = write(&one).unwrap();
        let header = 8 + 4 + 8 + 1 + (1 + "北京市".len()) + 1 + 1 + 1 + 1 + 8;
        // The half's texts, then its one run's header.
        let kind_at = header + 1 + (1 + "N1".len() + "乙".len()) + 1 + 1 + 1 + 4;
        assert_eq!(kind[kind_at], 1 | CONFIRMED, "registered, confirmed");
        let length_at = kind_at + 1 + 2 + 4;
        assert_eq!(kind[length_at], 2, "the number's length");
        // One byte changed at a time: the number's length, the text's bytes, the run's
        // spelling (past the half's texts, inside a character, short of the end), the numbers'
        // length, the filing's kind.
        let spelling_at = header + 1 + (1 + "N1".len() + "乙".len());
        assert_eq!(kind[spelling_at], "乙".len() as u8);
        for (at, value, refused) in [
            (length_at, 3, "a number out of its half's numbers"),
            (length_at, 1, "numbers after the last filing of a half"),
            (header + 2, 0xff, "texts that are not UTF-8"),
            (spelling_at, 4, "a company out of its half's texts"),
            (spelling_at, 2, "a company out of its half's texts"),
            (spelling_at, 0, "companies after the last run of a half"),
            (header, 9, "numbers past the end of their half's texts"),
            (kind_at, 9, "filing kind 9"),
        ] {
            let mut other = kind.clone();
            other[at] = value;
            assert_eq!(read(&other), Err(bad(refused)), "byte {at} set to {value}");
        }
    }

    #[test]
    fn a_grouping_reads_back_with_both_halves_on_one_reader_and_not_from_bytes_that_fail() {
        let g = sample();
        let bytes = write(&g).unwrap();
        assert_eq!(read_from(&bytes[..], None::<&[u8]>).unwrap(), g);
        assert_eq!(
            read_from(&bytes[..], Some(&bytes[..bytes.len() - 1])),
            Err(bad("the halves are read from bytes of different lengths"))
        );
        struct Failing<'b>(&'b [u8], usize);
        impl Source for Failing<'_> {
            fn size(&self) -> usize {
                self.0.len()
            }
            fn reading<T>(
                self,
                f: impl FnOnce(&mut dyn FnMut(usize, &mut [u8]) -> bool) -> T,
            ) -> T {
                f(&mut |at, buf| at + buf.len() <= self.1 && self.0.reading(|r| r(at, buf)))
            }
        }
        for fails_from in [0, 10, bytes.len() / 2, bytes.len() - 1] {
            let failing = || Failing(&bytes, fails_from);
            assert_eq!(
                read_from(failing(), None::<&[u8]>),
                Err(bad("the bytes could not be read")),
                "from {fails_from}"
            );
            assert_eq!(
                read_from(&bytes[..], Some(failing())),
                Err(bad("the bytes could not be read")),
                "from {fails_from}"
            );
        }
    }

    #[test]
    fn halves_that_hold_other_numbers_of_filings_than_the_header_says_are_refused() {
        let g = sample();
        let bytes = write(&g).unwrap();
        // The first half's count of filings is the last count before the second half's place.
        let regions: usize = ["浙江省", "北京市", "四川省"]
            .iter()
            .map(|r| 1 + r.len())
            .sum();
        let at = 8 + 4 + 8 + 1 + regions + 1 + 1 + 1;
        let said = usize::from(bytes[at]);
        let half = g.runs.iter().take(usize::from(bytes[at - 1]));
        assert_eq!(said, half.map(|(_, n)| n).sum::<usize>());
        let mut fewer = bytes.clone();
        fewer[at] -= 1;
        assert_eq!(
            read(&fewer),
            Err(bad("more filings in a half than the header says"))
        );
        let mut more = bytes.clone();
        more[at] += 1;
        let refused = read(&more).unwrap_err().0;
        assert!(
            refused.contains("where the header says")
                || refused == "more filings in a half than the header says",
            "{refused}"
        );
        let mut past = bytes;
        past[at] = 0x7f;
        assert_eq!(read(&past), Err(bad("halves out of place")));
    }
}
