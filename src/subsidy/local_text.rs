//! A rule's own words where they reach the reasons and reports: either one text for both
//! languages (as rule files were first written, so a user's file keeps working) or a Chinese and an
//! English text, so the zh-CN screen and Chinese reports are not left with English sentences.

use crate::export::Language;
use serde::Serialize;
use ts_rs::TS;

/// In a rule file: `"…"` or `{ zh = "…", en = "…" }`. Serialised the same way (a plain string
/// stays a string, a pair stays a pair), so what a rule says is what goes out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum LocalText {
    /// One text, shown in either language.
    Same(String),
    Pair {
        zh: String,
        en: String,
    },
}

impl LocalText {
    pub fn get(&self, lang: Language) -> &str {
        match self {
            LocalText::Same(s) => s,
            LocalText::Pair { zh, en } => lang.pick(zh, en),
        }
    }
}

impl From<&str> for LocalText {
    fn from(s: &str) -> Self {
        LocalText::Same(s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_gives_each_language_its_own_text_and_a_plain_text_serves_both() {
        let pair = LocalText::Pair {
            zh: "在海珠区纳税".into(),
            en: "taxed in 海珠区".into(),
        };
        assert_eq!(pair.get(Language::Zh), "在海珠区纳税");
        assert_eq!(pair.get(Language::En), "taxed in 海珠区");
        let same = LocalText::from("市、区按 1:1 分担");
        assert_eq!(same.get(Language::Zh), "市、区按 1:1 分担");
        assert_eq!(same.get(Language::En), "市、区按 1:1 分担");
        assert_eq!(serde_json::to_value(&same).unwrap(), "市、区按 1:1 分担");
        assert_eq!(
            serde_json::to_value(&pair).unwrap(),
            serde_json::json!({ "zh": "在海珠区纳税", "en": "taxed in 海珠区" })
        );
    }
}
