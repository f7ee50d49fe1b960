//! Decoding bytes to text: a forced label, else BOM, strict UTF-8, BOM-less UTF-16, and finally a
//! detector's guess with Chinese as the hint (hand-made CAC files come from Excel on Chinese
//! Windows, so GBK is the usual legacy encoding).
//!
//! Malformed input is an error, never U+FFFD: a replacement character inside a company name or a
//! filing number would import silently as a different value.

use super::ImportError;
use encoding_rs::{DecoderResult, Encoding, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};
use sha2::{Digest, Sha256};

#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub label: String,
}

/// A few NULs are padding that some exporters leave; more than this share of the text means the
/// bytes are not text in the chosen encoding, and stripping them would only hide that.
const MAX_NUL_SHARE: f64 = 0.01;

/// Decodes a whole file held in memory (the preview path and spreadsheets' neighbours); the
/// streaming import reads through the same [`DecodeReader`], so both report the same errors.
pub fn decode(file: &str, bytes: &[u8], forced: Option<&str>) -> Result<Decoded, ImportError> {
    let enc = detect(file, bytes, true, forced)?;
    let mut reader = DecodeReader::new(file, bytes, &enc);
    let mut text = Vec::with_capacity(bytes.len() + bytes.len() / 2);
    if std::io::Read::read_to_end(&mut reader, &mut text).is_err() {
        return Err(reader.take_failure());
    }
    reader.finish()?;
    // The decoder writes only whole UTF-8 sequences, so this never fails.
    let text = String::from_utf8(text).map_err(|e| ImportError::Undecodable {
        file: file.into(),
        reason: e.to_string(),
    })?;
    Ok(Decoded {
        text,
        label: enc.label,
    })
}

/// How a text file is to be read, decided from its first bytes.
#[derive(Debug, Clone)]
pub struct TextEncoding {
    pub encoding: &'static Encoding,
    /// Bytes of byte-order mark to skip.
    pub bom_len: usize,
    /// What the app and the batch history show: `UTF-8 (BOM)`, `GB18030`, ...
    pub label: String,
}

/// Chooses the encoding from `head`, the start of the file: all of it when `whole`, else its first
/// [`DETECT_BYTES`] or more. A big file is judged on its start alone (a CAC table has Chinese in
/// every row); bytes further on that do not fit the choice are reported by [`DecodeReader`] with
/// their offset.
pub fn detect(
    file: &str,
    head: &[u8],
    whole: bool,
    forced: Option<&str>,
) -> Result<TextEncoding, ImportError> {
    match forced {
        Some(label) => detect_forced(head, label),
        None => detect_unforced(file, head, whole),
    }
}

fn detect_forced(head: &[u8], label: &str) -> Result<TextEncoding, ImportError> {
    let wanted = label.trim();
    let encoding = Encoding::for_label(wanted.as_bytes())
        .ok_or_else(|| ImportError::UnknownEncoding(label.to_string()))?;
    // Files saved as GBK or GB2312 may still hold characters only GB18030 covers, and GB18030
    // decodes every valid GBK sequence the same way.
    let encoding = if encoding == GBK { GB18030 } else { encoding };
    // A bare `utf-16` says nothing about byte order, so the BOM (if any) decides.
    let sniff_bom = wanted.eq_ignore_ascii_case("utf-16") || wanted.eq_ignore_ascii_case("utf16");
    let (used, bom_len) = if sniff_bom {
        match Encoding::for_bom(head) {
            Some((e, n)) if e == UTF_16LE || e == UTF_16BE => (e, n),
            _ => (encoding, 0),
        }
    } else {
        match Encoding::for_bom(head) {
            Some((e, n)) if e == encoding => (e, n),
            _ => (encoding, 0),
        }
    };
    let label = if used == UTF_8 && bom_len > 0 {
        "UTF-8 (BOM)".to_string()
    } else {
        label_for(used)
    };
    Ok(TextEncoding {
        encoding: used,
        bom_len,
        label,
    })
}

fn detect_unforced(file: &str, head: &[u8], whole: bool) -> Result<TextEncoding, ImportError> {
    let plain = |encoding: &'static Encoding| TextEncoding {
        encoding,
        bom_len: 0,
        label: label_for(encoding),
    };
    if let Some(what) = known_non_table(head) {
        return Err(ImportError::Undecodable {
            file: file.into(),
            reason: format!("this is {what}, not a table; export the table to CSV or XLSX first"),
        });
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(head) {
        let label = if encoding == UTF_8 {
            "UTF-8 (BOM)".to_string()
        } else {
            label_for(encoding)
        };
        return Ok(TextEncoding {
            encoding,
            bom_len,
            label,
        });
    }
    // A file in memory is judged whole; of a big file that is read as a stream, only its start
    // is known, cut at a line break so that no character is cut in two.
    let sample = detection_sample(head);
    let judged = if whole { head } else { sample };
    if std::str::from_utf8(judged).is_ok() {
        return Ok(plain(UTF_8));
    }
    if let Some(encoding) = sniff_utf16(head) {
        return Ok(plain(encoding));
    }
    // A UTF-8 file with a damaged byte would otherwise be "detected" as GB18030 and come out as
    // mojibake; naming the broken spot is more useful.
    if mostly_utf8(judged) {
        return Ok(plain(UTF_8));
    }
    if let Some(err) = mixed_encodings(file, judged) {
        return Err(err);
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(sample, true);
    let guess = detector.guess(Some(b"cn"), true);
    let encoding = if guess == GBK || guess == GB18030 {
        GB18030
    } else {
        guess
    };
    Ok(plain(encoding))
}

/// Output is decoded this much at a time; input is read in blocks of this size.
const CHUNK: usize = 64 * 1024;

/// A strict decoder over any byte source: UTF-8 out, malformed input an error naming its byte
/// offset and line (never U+FFFD), NULs stripped and counted. Reading stops at the first
/// malformed sequence; [`DecodeReader::take_failure`] then gives the error, and
/// [`DecodeReader::finish`] checks the whole text once the end is reached.
///
/// The text handed out is forgotten unless the caller asks to keep it from an offset on
/// ([`DecodeReader::keep_from`]): the CSV reader needs the bytes of the record it is on (its
/// line, an unclosed quote at the end), not the whole file.
pub struct DecodeReader<R> {
    file: String,
    inner: R,
    encoding: &'static Encoding,
    decoder: encoding_rs::Decoder,
    /// BOM bytes still to skip, and how many there were.
    skip: usize,
    bom_len: u64,
    inbuf: Box<[u8]>,
    in_pos: usize,
    in_len: usize,
    eof: bool,
    done: bool,
    /// Raw bytes read from `inner`, BOM included.
    raw_read: u64,
    /// Raw bytes the decoder has consumed, counted from the start of the file.
    consumed: u64,
    /// The last raw bytes consumed, to show a malformed sequence that began in an earlier block.
    recent: Vec<u8>,
    sha: Option<Sha256>,
    /// Decoded text from offset `out_start` of the text; `out_pos` is the next byte to hand out.
    out: Vec<u8>,
    out_start: u64,
    out_pos: usize,
    /// Text offset from which handed-out bytes are kept; `None` keeps nothing.
    keep: Option<u64>,
    newlines: u64,
    chars: u64,
    nuls: u64,
    content: bool,
    failure: Option<ImportError>,
}

impl<R: std::io::Read> DecodeReader<R> {
    /// `inner` yields the file from its first byte (the BOM, if any, is skipped here).
    pub fn new(file: &str, inner: R, enc: &TextEncoding) -> DecodeReader<R> {
        DecodeReader {
            file: file.to_string(),
            inner,
            encoding: enc.encoding,
            decoder: enc.encoding.new_decoder_without_bom_handling(),
            skip: enc.bom_len,
            bom_len: enc.bom_len as u64,
            inbuf: vec![0; CHUNK].into_boxed_slice(),
            in_pos: 0,
            in_len: 0,
            eof: false,
            done: false,
            raw_read: 0,
            consumed: enc.bom_len as u64,
            recent: Vec::with_capacity(32),
            sha: None,
            out: Vec::new(),
            out_start: 0,
            out_pos: 0,
            keep: None,
            newlines: 0,
            chars: 0,
            nuls: 0,
            content: false,
            failure: None,
        }
    }

    /// Also computes the SHA-256 of the raw bytes (see [`DecodeReader::sha256`]).
    pub fn with_sha256(mut self) -> Self {
        self.sha = Some(Sha256::new());
        self
    }

    /// Keeps the text from `offset` on (an offset into the decoded text); earlier text may go.
    pub fn keep_from(&mut self, offset: u64) {
        self.keep = Some(offset);
    }

    /// The kept text from `offset` to the last byte handed out (empty if it was not kept).
    pub fn kept(&self, offset: u64) -> &[u8] {
        let from = offset
            .checked_sub(self.out_start)
            .and_then(|o| usize::try_from(o).ok())
            .unwrap_or(usize::MAX);
        self.out.get(from..self.out_pos).unwrap_or_default()
    }

    /// The error that stopped reading (a malformed sequence or a failed read).
    pub fn take_failure(&mut self) -> ImportError {
        self.failure.take().unwrap_or_else(|| ImportError::Read {
            file: self.file.clone(),
            reason: "reading stopped without a reason".into(),
        })
    }

    /// Whether reading stopped on an error.
    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// Reads whatever is left, for the checks that need the whole text: the first error of
    /// decoding, else a text of mostly NULs, else a text with nothing in it.
    pub fn drain(&mut self) -> Result<(), ImportError> {
        if self.failure.is_some() {
            return Err(self.take_failure());
        }
        self.keep = None;
        while !self.done {
            self.out_pos = self.out.len();
            if self.fill().is_err() {
                return Err(self.take_failure());
            }
        }
        self.finish()
    }

    /// The checks on the whole text, once the end is reached.
    pub fn finish(&self) -> Result<(), ImportError> {
        if self.nuls > 0 && self.nuls as f64 / self.chars.max(1) as f64 > MAX_NUL_SHARE {
            return Err(ImportError::Undecodable {
                file: self.file.clone(),
                reason: format!(
                    "the text holds {} NUL characters; the file is binary or in another encoding",
                    self.nuls
                ),
            });
        }
        if !self.content {
            return Err(ImportError::Empty {
                file: self.file.clone(),
            });
        }
        Ok(())
    }

    /// Raw bytes read so far (the file's size, once the end is reached).
    pub fn raw_len(&self) -> u64 {
        self.raw_read
    }

    /// The SHA-256 of the raw bytes read, in hex (of the whole file once the end is reached).
    pub fn sha256(&self) -> Option<String> {
        self.sha.as_ref().map(|h| hex::encode(h.clone().finalize()))
    }

    fn read_input(&mut self) -> std::io::Result<()> {
        loop {
            match self.inner.read(&mut self.inbuf) {
                Ok(n) => {
                    if let Some(h) = &mut self.sha {
                        h.update(&self.inbuf[..n]);
                    }
                    self.raw_read += n as u64;
                    self.in_pos = 0;
                    self.in_len = n;
                    self.eof = n == 0;
                    if self.skip > 0 {
                        let s = self.skip.min(n);
                        self.in_pos = s;
                        self.skip -= s;
                    }
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.failure = Some(ImportError::Read {
                        file: self.file.clone(),
                        reason: e.to_string(),
                    });
                    return Err(e);
                }
            }
        }
    }

    /// Decodes more text into `out`, dropping what is neither kept nor waiting to be handed out.
    fn fill(&mut self) -> std::io::Result<()> {
        let free_to = self
            .keep
            .map_or(self.out_pos, |k| {
                usize::try_from(k.saturating_sub(self.out_start)).unwrap_or(usize::MAX)
            })
            .min(self.out_pos);
        // Only when it pays: the kept part is moved down.
        if free_to > 0 && free_to >= self.out.len() / 2 {
            self.out.drain(..free_to);
            self.out_start += free_to as u64;
            self.out_pos -= free_to;
        }
        while !self.done && self.out_pos == self.out.len() {
            if self.in_pos == self.in_len && !self.eof {
                self.read_input()?;
                if self.skip > 0 || (self.in_pos == self.in_len && !self.eof) {
                    continue;
                }
            }
            let last = self.eof;
            let at = self.out.len();
            self.out.resize(at + CHUNK, 0);
            let src = &self.inbuf[self.in_pos..self.in_len];
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, &mut self.out[at..], last);
            let eaten = &self.inbuf[self.in_pos..self.in_pos + read];
            if eaten.len() >= 16 {
                self.recent.clear();
                self.recent.extend_from_slice(&eaten[eaten.len() - 16..]);
            } else {
                self.recent.extend_from_slice(eaten);
                let extra = self.recent.len().saturating_sub(16);
                self.recent.drain(..extra);
            }
            self.in_pos += read;
            self.consumed += read as u64;
            self.out.truncate(at + written);
            self.account(at);
            match result {
                DecoderResult::InputEmpty => self.done = last,
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(bad, pending) => {
                    self.failure = Some(self.malformed(bad, pending));
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "malformed input",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Counts lines, characters and NULs in the text decoded from `at` on, and strips the NULs.
    fn account(&mut self, at: usize) {
        let new = &self.out[at..];
        let mut nuls = 0u64;
        for &b in new {
            self.newlines += u64::from(b == b'\n');
            self.chars += u64::from((b & 0xC0) != 0x80);
            nuls += u64::from(b == 0);
        }
        if !self.content {
            self.content = new.utf8_chunks().any(|c| {
                c.valid()
                    .chars()
                    .any(|c| c != '\0' && !c.is_whitespace() && !is_invisible(c))
            });
        }
        if nuls > 0 {
            self.nuls += nuls;
            let mut w = at;
            for r in at..self.out.len() {
                let b = self.out[r];
                if b != 0 {
                    self.out[w] = b;
                    w += 1;
                }
            }
            self.out.truncate(w);
        }
    }

    fn malformed(&self, bad: u8, pending: u8) -> ImportError {
        let start = self
            .consumed
            .saturating_sub(u64::from(bad) + u64::from(pending));
        let end = start + u64::from(bad);
        let recent_start = self.consumed - self.recent.len() as u64;
        let shown: Vec<String> = (start.max(self.bom_len)..end)
            .filter_map(|i| {
                i.checked_sub(recent_start)
                    .and_then(|i| self.recent.get(i as usize))
            })
            .map(|b| format!("{b:02X}"))
            .collect();
        // Whole lines of Chinese that read as UTF-8 before the bad byte: the file began as UTF-8
        // and a later part is in another encoding (rows pasted from a GBK file), the case
        // `mixed_encodings` names for the part detection reads; past that part it shows here.
        let decoded = self.out_start + self.out.len() as u64;
        let multibyte_seen = decoded.saturating_sub(self.chars) >= 8;
        let mixed = if self.encoding == UTF_8 && self.newlines > 0 && multibyte_seen {
            format!(
                "; lines 1–{} read as UTF-8, so the file mixes encodings (as when rows are pasted \
                 from another file) or is damaged there: save it again in one encoding",
                self.newlines
            )
        } else {
            String::new()
        };
        ImportError::Undecodable {
            file: self.file.clone(),
            reason: format!(
                "read as {}, the bytes at offset {start} (line {}) are not valid: {}{mixed}",
                label_for(self.encoding),
                self.newlines + 1,
                if shown.is_empty() {
                    "the file ends in the middle of a character".to_string()
                } else {
                    shown.join(" ")
                }
            ),
        }
    }
}

impl<R: std::io::Read> std::io::Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.failure.is_some() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "malformed input",
            ));
        }
        if self.out_pos == self.out.len() {
            self.fill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Characters that render as nothing and that hand-made files carry at the edges of cells.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}'
    )
}

/// Formats people pick by mistake from the same download folder. Named, they get a message that
/// says what the file is; otherwise a detector would guess an encoding and report a bad byte.
fn known_non_table(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"%PDF", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
        (b"Rar!\x1A\x07", "a RAR archive"),
        (b"\x7FELF", "a program"),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, what)| *what)
}

/// A UTF-8 header over rows pasted from a GBK file (or the reverse) cannot be read in any one
/// encoding; a detector would pick one and the header would come out as mojibake, reported as "no
/// filings table". When whole lines of Chinese read as UTF-8 before the first bad byte, the file
/// began as UTF-8, and saying so tells the person what to fix.
fn mixed_encodings(file: &str, bytes: &[u8]) -> Option<ImportError> {
    let valid = bytes.utf8_chunks().next()?.valid();
    let whole_lines = &valid[..valid.rfind('\n')? + 1];
    // GBK text almost never forms a few valid multi-byte UTF-8 characters by chance.
    if whole_lines.chars().filter(|c| !c.is_ascii()).count() < 4 {
        return None;
    }
    let line = whole_lines.matches('\n').count() + 1;
    let offset = whole_lines.len();
    let rest = &bytes[offset..];
    let gbk_reads_rest = GB18030
        .decode_without_bom_handling_and_without_replacement(rest)
        .is_some();
    Some(ImportError::Undecodable {
        file: file.into(),
        reason: format!(
            "{} UTF-8 but line {line} (offset {offset}) is not{}: the file mixes encodings, as \
             when rows are pasted from another file; save it again in one encoding",
            if line == 2 {
                "line 1 is".to_string()
            } else {
                format!("lines 1–{} are", line - 1)
            },
            if gbk_reads_rest {
                " (it reads as GB18030)"
            } else {
                ""
            }
        ),
    })
}

/// The detector reads this much of a big file: a CAC table has Chinese in every row, so a few
/// megabytes decide as well as the whole, and reading 100 MB of a million rows cost a tenth of
/// the import. Every file of this size or less is read whole, as before.
pub const DETECT_BYTES: usize = 4 << 20;

/// The start of `bytes` up to [`DETECT_BYTES`], cut after a line break so that no character is
/// cut in two (which would count against the right encoding).
fn detection_sample(bytes: &[u8]) -> &[u8] {
    if bytes.len() <= DETECT_BYTES {
        return bytes;
    }
    match bytes[..DETECT_BYTES].iter().rposition(|&b| b == b'\n') {
        Some(i) => &bytes[..=i],
        None => bytes,
    }
}

fn label_for(encoding: &'static Encoding) -> String {
    if encoding == GBK || encoding == GB18030 {
        "GB18030".into()
    } else {
        encoding.name().to_string()
    }
}

/// Detects BOM-less UTF-16 by where the NULs fall: ASCII (digits, commas, Latin filing numbers)
/// encodes as `xx 00` in LE and `00 xx` in BE, which never happens in text encodings.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(8192) & !1];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    // A quarter of the code units being ASCII is plenty for a CSV (delimiters, digits, newlines).
    let threshold = pairs / 4;
    if odd > threshold && even * 10 < odd {
        Some(UTF_16LE)
    } else if even > threshold && odd * 10 < even {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// True when nearly all non-ASCII bytes form valid UTF-8 sequences. GBK text almost never does
/// (its lead/trail byte ranges rarely line up with UTF-8's), so this catches damaged UTF-8.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut good, mut bad) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        good += chunk.valid().len() - chunk.valid().chars().filter(char::is_ascii).count();
        bad += chunk.invalid().len();
    }
    good >= 12 && bad * 20 <= good
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for u in s.encode_utf16() {
            out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    const SAMPLE: &str = "序号,属地,模型名称,备案单位,备案编号,备案时间\n\
        1,北京市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821,2023/8/31\n";

    #[test]
    fn labels_follow_the_bom_or_detection() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (SAMPLE.as_bytes().to_vec(), "UTF-8"),
            (
                [b"\xEF\xBB\xBF".as_slice(), SAMPLE.as_bytes()].concat(),
                "UTF-8 (BOM)",
            ),
            (utf16(SAMPLE, true, true), "UTF-16LE"),
            (utf16(SAMPLE, false, true), "UTF-16BE"),
            (utf16(SAMPLE, true, false), "UTF-16LE"),
            (utf16(SAMPLE, false, false), "UTF-16BE"),
            (GB18030.encode(SAMPLE).0.into_owned(), "GB18030"),
        ];
        for (bytes, label) in cases {
            let d = decode("f.csv", &bytes, None).unwrap();
            assert_eq!(d.label, label);
            assert_eq!(d.text, SAMPLE, "{label}");
        }
    }

    #[test]
    fn forced_labels() {
        let gbk = GB18030.encode(SAMPLE).0.into_owned();
        for l in ["gbk", "GB2312", "gb18030", " GBK "] {
            let d = decode("f", &gbk, Some(l)).unwrap();
            assert_eq!((d.text.as_str(), d.label.as_str()), (SAMPLE, "GB18030"));
        }
        for l in ["utf-8", "utf8", "UTF-8"] {
            assert_eq!(
                decode("f", SAMPLE.as_bytes(), Some(l)).unwrap().label,
                "UTF-8"
            );
        }
        let be = utf16(SAMPLE, false, true);
        let d = decode("f", &be, Some("utf-16")).unwrap();
        assert_eq!((d.text.as_str(), d.label.as_str()), (SAMPLE, "UTF-16BE"));
        let le = utf16(SAMPLE, true, false);
        assert_eq!(decode("f", &le, Some("utf-16le")).unwrap().text, SAMPLE);
    }

    #[test]
    fn unknown_forced_encoding() {
        let e = decode("f", b"a,b", Some("klingon")).unwrap_err();
        assert!(matches!(e, ImportError::UnknownEncoding(ref l) if l == "klingon"));
    }

    #[test]
    fn forced_encoding_that_does_not_fit_names_the_offset() {
        let gbk = GB18030.encode(SAMPLE).0.into_owned();
        let e = decode("f", &gbk, Some("utf-8")).unwrap_err();
        let msg = e.to_string();
        assert_eq!(e.code(), "file_undecodable");
        assert!(msg.contains("offset 0") || msg.contains("offset"), "{msg}");
        assert!(msg.contains("UTF-8"), "{msg}");
    }

    #[test]
    fn damaged_utf8_is_reported_not_guessed() {
        let mut bytes = SAMPLE.repeat(3).into_bytes();
        // Cut the second line's first Chinese character (北, three bytes) short.
        let pos = SAMPLE.find("北京市").unwrap();
        bytes.remove(pos + 1);
        let e = decode("f.csv", &bytes, None).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(&format!("offset {pos}")), "{msg}");
        assert!(msg.contains("line 2"), "{msg}");
    }

    #[test]
    fn malformed_gb18030_names_the_line() {
        let mut bytes = GB18030.encode(&SAMPLE.repeat(4)).0.into_owned();
        // 0xFF is never valid in GB18030.
        let at = bytes.len() - 10;
        bytes[at] = 0xFF;
        let e = decode("f.csv", &bytes, None).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("GB18030"), "{msg}");
        assert!(msg.contains(&format!("offset {at}")), "{msg}");
        assert!(msg.contains("line 8"), "{msg}");
    }

    #[test]
    fn truncated_utf16_is_reported() {
        let mut bytes = utf16(SAMPLE, true, true);
        bytes.push(0x41);
        let e = decode("f", &bytes, None).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains(&format!("offset {}", bytes.len() - 1)),
            "{msg}"
        );
        assert!(msg.contains("UTF-16LE"), "{msg}");
    }

    /// A malformed sequence that begins in one input block and ends in the next is shown whole,
    /// at its offset; valid sequences cut by a block boundary decode as if read at once.
    #[test]
    fn sequences_cut_by_a_block_boundary() {
        let row = GB18030
            .encode("1,北京市,文心一言,百度,Beijing-WenXinYiYan-20230821,2023/8/31\n")
            .0;
        let mut bytes = GB18030.encode(SAMPLE).0.into_owned();
        while bytes.len() < 3 * CHUNK {
            bytes.extend_from_slice(&row);
        }
        let text = decode("f", &bytes, Some("gb18030")).unwrap().text;
        assert_eq!(GB18030.encode(&text).0, bytes.as_slice());
        // A four-byte GB18030 sequence (0x81 0x30 ...) whose last byte is not a digit, starting
        // two bytes before the second block: the decoder learns it is malformed a block after
        // its lead byte (which is what it reports), and the offset counts from the file's start.
        for at in [2 * CHUNK - 2, 2 * CHUNK - 1, 2 * CHUNK + 100] {
            let mut bytes = bytes.clone();
            bytes[at..at + 4].copy_from_slice(&[0x81, 0x30, 0x81, 0x41]);
            let e = decode("f", &bytes, Some("gb18030"))
                .unwrap_err()
                .to_string();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            assert!(
                e.contains(&format!("offset {at} (line {line}) are not valid: 81)")),
                "{e}"
            );
        }
        // Read in short odd pieces, every multi-byte sequence is cut somewhere; the text is the
        // same as read at once.
        struct Dribble<'a>(&'a [u8]);
        impl std::io::Read for Dribble<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(7);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let text = format!("{SAMPLE}𠀀𠮷,\u{3000}\n").repeat(50);
        for bytes in [
            GB18030.encode(&text).0.into_owned(),
            utf16(&text, true, true),
            utf16(&text, false, false),
            [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        ] {
            let enc = detect("f", &bytes, true, None).unwrap();
            let mut out = String::new();
            std::io::Read::read_to_string(
                &mut DecodeReader::new("f", Dribble(&bytes), &enc),
                &mut out,
            )
            .unwrap();
            assert_eq!(out, text, "{}", enc.label);
        }
    }

    #[test]
    fn empty_inputs() {
        for b in [
            &b""[..],
            b"\xEF\xBB\xBF",
            b"\xFF\xFE",
            b"\xFE\xFF",
            b"  \r\n\t ",
            "\u{3000}\u{200b}\n".as_bytes(),
        ] {
            let e = decode("f", b, None).unwrap_err();
            assert_eq!(e.code(), "file_empty", "{b:?}");
        }
    }

    #[test]
    fn a_few_nuls_are_stripped_many_are_refused() {
        let mut text = SAMPLE.repeat(5);
        text.insert(10, '\0');
        text.push('\0');
        let d = decode("f", text.as_bytes(), None).unwrap();
        assert_eq!(d.text, SAMPLE.repeat(5));
        let binary: Vec<u8> = (0..400u32)
            .map(|i| if i % 3 == 0 { 0 } else { b'a' })
            .collect();
        let e = decode("f", &binary, None).unwrap_err();
        assert!(e.to_string().contains("NUL"), "{e}");
    }

    #[test]
    fn pdf_is_named() {
        let e = decode("a.pdf", b"%PDF-1.7\n\x80\x81\xff", None).unwrap_err();
        assert!(e.to_string().contains("PDF"), "{e}");
    }

    fn cjk_ascii() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                proptest::char::range(' ', '~'),
                proptest::char::range('\u{4e00}', '\u{9fa5}'),
                Just('\n'),
                Just('，'),
            ],
            1..200,
        )
        .prop_map(|v| v.into_iter().collect::<String>())
        .prop_filter("not blank", |s| !s.trim().is_empty())
    }

    proptest! {
        #[test]
        fn round_trips(s in cjk_ascii()) {
            let bom8 = [b"\xEF\xBB\xBF".as_slice(), s.as_bytes()].concat();
            let gb = GB18030.encode(&s).0.into_owned();
            for (bytes, forced) in [
                (s.as_bytes().to_vec(), None),
                (bom8, None),
                (utf16(&s, true, true), None),
                (utf16(&s, false, true), None),
                (gb.clone(), Some("gb18030")),
            ] {
                let d = decode("p", &bytes, forced).unwrap();
                prop_assert_eq!(&d.text, &s);
            }
            // Detection alone, too, once the text looks like a CAC file (a lone rare character
            // such as 輤 is legitimately ambiguous between GBK, Big5 and EUC-KR).
            let file = format!("{SAMPLE}{s}");
            let d = decode("p", &GB18030.encode(&file).0, None).unwrap();
            prop_assert_eq!(&d.text, &file);
            prop_assert_eq!(d.label.as_str(), "GB18030");
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = decode("p", &bytes, None);
        }
    }

    #[test]
    fn images_and_archives_are_named_not_decoded() {
        for (bytes, what) in [
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".as_slice(), "PNG image"),
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF".as_slice(), "JPEG image"),
            (b"\x1F\x8B\x08\0\0\0".as_slice(), "gzip archive"),
        ] {
            let e = decode("x.csv", bytes, None).unwrap_err();
            assert!(e.to_string().contains(what), "{e}");
        }
    }

    #[test]
    fn a_utf8_header_over_gbk_rows_is_called_mixed() {
        let head = "序号,属地,模型名称,备案单位,备案编号,备案时间\n";
        let rows =
            "1,北京市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821,2023/8/31\n";
        let bytes = [head.as_bytes(), &GB18030.encode(rows).0].concat();
        let e = decode("m.csv", &bytes, None).unwrap_err().to_string();
        assert!(e.contains("mixes encodings"), "{e}");
        assert!(e.contains("line 2"), "{e}");
        // A GBK file as a whole is still detected as such.
        let whole = GB18030.encode(&format!("{head}{rows}")).0.into_owned();
        assert_eq!(decode("g.csv", &whole, None).unwrap().label, "GB18030");
    }
}
