//! Decoding bytes to text: a forced label, else BOM, strict UTF-8, BOM-less UTF-16, and finally a
//! detector's guess with Chinese as the hint (hand-made CAC files come from Excel on Chinese
//! Windows, so GBK is the usual legacy encoding).
//!
//! Malformed input is an error, never U+FFFD: a replacement character inside a company name or a
//! filing number would import silently as a different value.

use super::ImportError;
use encoding_rs::{DecoderResult, Encoding, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub label: String,
}

/// A few NULs are padding that some exporters leave; more than this share of the text means the
/// bytes are not text in the chosen encoding, and stripping them would only hide that.
const MAX_NUL_SHARE: f64 = 0.01;

pub fn decode(file: &str, bytes: &[u8], forced: Option<&str>) -> Result<Decoded, ImportError> {
    let (text, label) = match forced {
        Some(label) => decode_forced(file, bytes, label)?,
        None => decode_detected(file, bytes)?,
    };
    let text = strip_nuls(file, text)?;
    if text.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
        return Err(ImportError::Empty { file: file.into() });
    }
    Ok(Decoded { text, label })
}

/// Characters that render as nothing and that hand-made files carry at the edges of cells.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}'
    )
}

fn decode_forced(file: &str, bytes: &[u8], label: &str) -> Result<(String, String), ImportError> {
    let wanted = label.trim();
    let encoding = Encoding::for_label(wanted.as_bytes())
        .ok_or_else(|| ImportError::UnknownEncoding(label.to_string()))?;
    // Files saved as GBK or GB2312 may still hold characters only GB18030 covers, and GB18030
    // decodes every valid GBK sequence the same way.
    let encoding = if encoding == GBK { GB18030 } else { encoding };
    // A bare `utf-16` says nothing about byte order, so the BOM (if any) decides.
    let sniff_bom = wanted.eq_ignore_ascii_case("utf-16") || wanted.eq_ignore_ascii_case("utf16");
    let (used, had_bom) = if sniff_bom {
        match Encoding::for_bom(bytes) {
            Some((e, n)) if e == UTF_16LE || e == UTF_16BE => (e, n),
            _ => (encoding, 0),
        }
    } else {
        match Encoding::for_bom(bytes) {
            Some((e, n)) if e == encoding => (e, n),
            _ => (encoding, 0),
        }
    };
    let text = decode_strict(file, used, &bytes[had_bom..], had_bom)?;
    let label = if used == UTF_8 && had_bom > 0 {
        "UTF-8 (BOM)".to_string()
    } else {
        label_for(used)
    };
    Ok((text, label))
}

fn decode_detected(file: &str, bytes: &[u8]) -> Result<(String, String), ImportError> {
    if bytes.starts_with(b"%PDF") {
        return Err(ImportError::Undecodable {
            file: file.into(),
            reason: "this is a PDF document, not a table; export the table to CSV or XLSX first"
                .into(),
        });
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let text = decode_strict(file, encoding, &bytes[bom_len..], bom_len)?;
        let label = if encoding == UTF_8 {
            "UTF-8 (BOM)".to_string()
        } else {
            label_for(encoding)
        };
        return Ok((text, label));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), "UTF-8".into()));
    }
    if let Some(encoding) = sniff_utf16(bytes) {
        let text = decode_strict(file, encoding, bytes, 0)?;
        return Ok((text, label_for(encoding)));
    }
    // A UTF-8 file with a damaged byte would otherwise be "detected" as GB18030 and come out as
    // mojibake; naming the broken spot is more useful.
    if mostly_utf8(bytes) {
        return decode_strict(file, UTF_8, bytes, 0).map(|t| (t, "UTF-8".into()));
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let guess = detector.guess(Some(b"cn"), true);
    let encoding = if guess == GBK || guess == GB18030 {
        GB18030
    } else {
        guess
    };
    let text = decode_strict(file, encoding, bytes, 0)?;
    Ok((text, label_for(encoding)))
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

/// Decodes the whole input or reports where the first malformed sequence is. `offset_base` is the
/// BOM length, so reported offsets count from the start of the file.
fn decode_strict(
    file: &str,
    encoding: &'static Encoding,
    bytes: &[u8],
    offset_base: usize,
) -> Result<String, ImportError> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .ok_or_else(|| ImportError::TooLarge {
            file: file.into(),
            reason: "the file is too large to decode".into(),
        })?;
    let mut text = String::with_capacity(capacity);
    let mut read_total = 0usize;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut text, true);
        read_total += read;
        match result {
            DecoderResult::InputEmpty => return Ok(text),
            DecoderResult::OutputFull => text.reserve(bytes.len() - read_total + 16),
            DecoderResult::Malformed(bad, pending) => {
                let start = (read_total + offset_base)
                    .saturating_sub(usize::from(bad) + usize::from(pending));
                let line = text.matches('\n').count() + 1;
                let end = (start + usize::from(bad)).min(bytes.len() + offset_base);
                let shown: Vec<String> = (start..end)
                    .filter_map(|i| i.checked_sub(offset_base).and_then(|i| bytes.get(i)))
                    .map(|b| format!("{b:02X}"))
                    .collect();
                return Err(ImportError::Undecodable {
                    file: file.into(),
                    reason: format!(
                        "read as {}, the bytes at offset {start} (line {line}) are not valid: {}",
                        label_for(encoding),
                        if shown.is_empty() {
                            "the file ends in the middle of a character".to_string()
                        } else {
                            shown.join(" ")
                        }
                    ),
                });
            }
        }
    }
}

fn strip_nuls(file: &str, text: String) -> Result<String, ImportError> {
    let nuls = text.bytes().filter(|&b| b == 0).count();
    if nuls == 0 {
        return Ok(text);
    }
    let chars = text.chars().count().max(1);
    if nuls as f64 / chars as f64 > MAX_NUL_SHARE {
        return Err(ImportError::Undecodable {
            file: file.into(),
            reason: format!(
                "the text holds {nuls} NUL characters; the file is binary or in another encoding"
            ),
        });
    }
    Ok(text.replace('\0', ""))
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
}
