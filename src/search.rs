//! Substring search over model, company and number that finds Chinese words of one or two
//! characters (`星火`, `北京`), which word tokenizers and trigram indexes cannot.
//!
//! Text is folded to a skeleton (letters and digits only, lower case, full-width folded) and
//! indexed as overlapping bigrams plus the last character of each field. A query of two or more
//! characters becomes a phrase of its own bigrams — consecutive bigrams are exactly a substring —
//! and a query of one character becomes a prefix match on the bigrams it starts.

use crate::region::fullwidth_to_ascii;

fn skeleton(text: &str) -> Vec<char> {
    text.chars()
        .map(fullwidth_to_ascii)
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The document the search index stores for one filing's fields.
pub fn index_text(fields: &[&str]) -> String {
    let mut out = String::new();
    for field in fields {
        let chars = skeleton(field);
        for i in 0..chars.len() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push(chars[i]);
            if let Some(next) = chars.get(i + 1) {
                out.push(*next);
            }
        }
    }
    out
}

/// The full-text expression for what a person typed, or `None` when it has no letters or digits
/// to search for (the caller then ignores the search box).
pub fn match_expression(query: &str) -> Option<String> {
    let chars = skeleton(query);
    match chars.len() {
        0 => None,
        1 => Some(format!("\"{}\"*", chars[0])),
        _ => {
            let grams: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
            // Only letters and digits reach here, so no quoting is needed inside the phrase.
            Some(format!("\"{}\"", grams.join(" ")))
        }
    }
}

/// The single index term a query of two letters or digits is, when the tokenizer keeps it as
/// it is (so the index's per-term document count is the query's count).
pub fn single_term(query: &str) -> Option<String> {
    let chars = skeleton(query);
    (chars.len() == 2 && chars.iter().all(plain)).then(|| chars.iter().collect())
}

fn plain(c: &char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(*c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// The expression for rows whose fields may contain `fragment`: a superset of the rows whose
/// text contains it, because the index holds the bigrams of every field's folded text. `None`
/// when the fragment has a character the index's tokenizer might split or drop (it then cannot
/// vouch for the superset), and for fragments without letters or digits. `None` too for one
/// character: its expression is a prefix query that merges every term starting with it (有 is in
/// nearly every name), slower per row than `instr()` and taking seconds to count at 1M.
pub fn company_prefilter(fragment: &str) -> Option<String> {
    let chars = skeleton(fragment);
    if chars.len() >= 2 && chars.iter().all(plain) {
        match_expression(fragment)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_text_is_bigrams_per_field() {
        assert_eq!(index_text(&["星火认知", "AB"]), "星火 火认 认知 知 ab b");
        assert_eq!(index_text(&["智谱清言 (ChatGLM)"]).split(' ').count(), 11);
    }

    #[test]
    fn queries() {
        assert_eq!(match_expression("星火").as_deref(), Some("\"星火\""));
        assert_eq!(
            match_expression("星火认知").as_deref(),
            Some("\"星火 火认 认知\"")
        );
        assert_eq!(match_expression("星").as_deref(), Some("\"星\"*"));
        assert_eq!(
            match_expression("WenXin").as_deref(),
            Some("\"we en nx xi in\"")
        );
        assert_eq!(match_expression("  -\"'*( "), None);
        assert_eq!(match_expression("ＷＥＮ").as_deref(), Some("\"we en\""));
    }
}
