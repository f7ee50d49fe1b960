//! A text held in a larger one shared with others, for the filing numbers of the evaluation:
//! a million numbers each in an allocation of its own took 48 MB and a million calls to the
//! allocator before the first answer; read from a kept layout they are one text per half.
//! The shared text is held through one pointer (to a boxed `str`), not the two of an
//! `Arc<str>`: a range of it is 16 bytes, and a million filings hold one each.

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

/// A text that [`SharedText`]s are ranges of.
pub type Text = Arc<Box<str>>;

/// A range of a shared text, used as the `str` it holds.
#[derive(Clone)]
pub struct SharedText {
    text: Text,
    start: u32,
    end: u32,
}

impl SharedText {
    /// The `range` of `text`; `None` when it is not within it or does not fall between
    /// characters.
    pub fn within(text: &Text, range: Range<usize>) -> Option<SharedText> {
        text.get(range.clone())?;
        Some(SharedText {
            text: Arc::clone(text),
            start: u32::try_from(range.start).ok()?,
            end: u32::try_from(range.end).ok()?,
        })
    }

    /// The `range` of `text`, or a copy of its own where a shared text cannot reach it (past
    /// 4 GiB). `range` must fall between characters.
    pub fn within_or_copy(text: &Text, range: Range<usize>) -> SharedText {
        SharedText::within(text, range.clone()).unwrap_or_else(|| SharedText::from(&text[range]))
    }

    pub fn as_str(&self) -> &str {
        &self.text[self.start as usize..self.end as usize]
    }

    /// The same text without the whitespace at either end, sharing it still.
    pub fn trimmed(&self) -> SharedText {
        let s = self.as_str();
        let start = s.len() - s.trim_start().len();
        let len = s.trim().len();
        SharedText {
            text: Arc::clone(&self.text),
            start: self.start + start as u32,
            end: self.start + (start + len) as u32,
        }
    }
}

impl Deref for SharedText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for SharedText {
    fn from(s: &str) -> SharedText {
        let text: Text = Arc::new(s.into());
        let end = u32::try_from(text.len()).expect("a text under 4 GiB");
        SharedText {
            text,
            start: 0,
            end,
        }
    }
}

impl From<String> for SharedText {
    fn from(s: String) -> SharedText {
        s.as_str().into()
    }
}

impl PartialEq for SharedText {
    fn eq(&self, other: &SharedText) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SharedText {}

impl PartialEq<str> for SharedText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<SharedText> for str {
    fn eq(&self, other: &SharedText) -> bool {
        self == other.as_str()
    }
}

impl PartialOrd for SharedText {
    fn partial_cmp(&self, other: &SharedText) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedText {
    fn cmp(&self, other: &SharedText) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for SharedText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl std::borrow::Borrow<str> for SharedText {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A whole text shared by its copies through one pointer: half the size of an `Arc<str>`,
/// for a filing's province, which a million filings each hold.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ThinText(Text);

impl Deref for ThinText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for ThinText {
    fn from(s: &str) -> ThinText {
        ThinText(Arc::new(s.into()))
    }
}

impl std::borrow::Borrow<str> for ThinText {
    fn borrow(&self) -> &str {
        self
    }
}

impl fmt::Debug for ThinText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_its_text_and_only_ranges_between_characters_are_taken() {
        let all: Text = Arc::new("Beijing-A-20230821浙江-B".into());
        let a = SharedText::within(&all, 0..21).unwrap();
        assert_eq!(&*a, "Beijing-A-20230821浙");
        let b = SharedText::within(&all, 18..21).unwrap();
        assert_eq!(b.as_str(), "浙");
        assert_eq!(b, SharedText::from("浙"));
        assert_eq!(SharedText::within_or_copy(&all, 18..21), b);
        assert_ne!(a, b);
        assert_eq!(format!("{b} {b:?}"), "浙 \"浙\"");
        assert!(
            SharedText::within(&all, 0..19).is_none(),
            "inside a character"
        );
        assert!(SharedText::within(&all, 20..40).is_none(), "past the end");
        assert_eq!(Arc::strong_count(&all), 3);
        assert_eq!(std::mem::size_of::<SharedText>(), 16);
        let padded: Text = Arc::new("x　 甲 公司\t y".into());
        let t = SharedText::within(&padded, 1..16).unwrap();
        assert_eq!(
            (t.as_str(), t.trimmed().as_str()),
            ("　 甲 公司\t", "甲 公司")
        );
        assert_eq!(t.trimmed().trimmed(), t.trimmed());
        assert_eq!(SharedText::from(" \n").trimmed().as_str(), "");
        assert_eq!(std::mem::size_of::<Option<ThinText>>(), 8);
        let region = ThinText::from("浙江省");
        assert_eq!(
            (&*region, format!("{region:?}")),
            ("浙江省", "\"浙江省\"".into())
        );
    }
}
