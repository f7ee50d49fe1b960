//! The 属地 of a filing: the 31 provincial-level divisions plus 国资委, as listed in
//! `data/regions.csv`. Every spelling a hand-made file might use (`北京`, `北京市`, `Beijing`,
//! `BEIJING`, the pinyin prefix of a filing number) resolves to one [`Region`].

use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;
use ts_rs::TS;

/// Shipped inside the binary so the CLI and the app agree on regions without finding data files.
const REGIONS_CSV: &str = include_str!("../data/regions.csv");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Region {
    /// Stable short code (`BJ`, `GD`, `SASAC`).
    pub code: String,
    /// Full name as the CAC prints it (`北京市`, `广西壮族自治区`, `国资委`).
    pub name: String,
    pub short_names: Vec<String>,
    pub english: String,
    /// Jurisdiction prefixes as they appear in filing numbers (`Beijing`, `ZhongYangQiYe`).
    pub prefixes: Vec<String>,
    pub kind: String,
}

impl Region {
    /// The name without its administrative suffix, for compact tables and charts.
    pub fn short_name(&self) -> &str {
        self.short_names
            .first()
            .map(String::as_str)
            .unwrap_or(&self.name)
    }
}

pub struct Regions {
    all: Vec<Region>,
    by_alias: HashMap<String, usize>,
    by_prefix: HashMap<String, usize>,
}

/// Folds the ways people type a region into one lookup key: full-width letters, spaces and case.
pub fn alias_key(s: &str) -> String {
    let mut key = String::with_capacity(s.len());
    for c in s.chars().map(fullwidth_to_ascii) {
        if c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}' {
            continue;
        }
        // Chinese text has no case: the evaluation keys a few hundred thousand company names
        // at 1M filings, and looking each character up in the case tables was half of it.
        if c.is_ascii() {
            key.push(c.to_ascii_lowercase());
        } else if ('\u{3000}'..='\u{9fff}').contains(&c) {
            key.push(c);
        } else {
            key.extend(c.to_lowercase());
        }
    }
    key
}

/// Maps full-width ASCII (`Ｂｅｉｊｉｎｇ`, `－`) to its ordinary form; other characters pass through.
pub fn fullwidth_to_ascii(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

impl Regions {
    pub fn parse(csv_text: &str) -> Result<Regions, String> {
        let mut reader = csv::ReaderBuilder::new().from_reader(csv_text.as_bytes());
        let mut all = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let rec = rec.map_err(|e| format!("regions.csv line {}: {e}", i + 2))?;
            let field = |n: usize| rec.get(n).unwrap_or("").trim().to_string();
            let split = |s: String| -> Vec<String> {
                s.split('|')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()
            };
            let region = Region {
                code: field(0),
                name: field(1),
                short_names: split(field(2)),
                english: field(3),
                prefixes: split(field(4)),
                kind: field(5),
            };
            if region.code.is_empty() || region.name.is_empty() || region.prefixes.is_empty() {
                return Err(format!(
                    "regions.csv line {}: code, name and prefixes are required",
                    i + 2
                ));
            }
            all.push(region);
        }
        let mut by_alias = HashMap::new();
        let mut by_prefix = HashMap::new();
        for (idx, r) in all.iter().enumerate() {
            let aliases = std::iter::once(&r.name)
                .chain(r.short_names.iter())
                .chain(std::iter::once(&r.english))
                .chain(r.prefixes.iter())
                .chain(std::iter::once(&r.code));
            for a in aliases {
                if let Some(prev) = by_alias.insert(alias_key(a), idx) {
                    if prev != idx {
                        return Err(format!("regions.csv: alias {a:?} names two regions"));
                    }
                }
            }
            for p in &r.prefixes {
                by_prefix.insert(alias_key(p), idx);
            }
        }
        Ok(Regions {
            all,
            by_alias,
            by_prefix,
        })
    }

    /// The bundled table, parsed once.
    pub fn bundled() -> &'static Regions {
        static REGIONS: OnceLock<Regions> = OnceLock::new();
        REGIONS.get_or_init(|| Regions::parse(REGIONS_CSV).expect("bundled regions.csv is valid"))
    }

    pub fn all(&self) -> &[Region] {
        &self.all
    }

    /// Finds a region by any of its names, codes or prefixes, ignoring case, spaces and width.
    pub fn find(&self, name: &str) -> Option<&Region> {
        let key = alias_key(name);
        if let Some(&i) = self.by_alias.get(&key) {
            return Some(&self.all[i]);
        }
        // `北京市人民政府` or `浙江省网信办` are not aliases, but an unambiguous full name at the start is.
        self.all
            .iter()
            .find(|r| key.starts_with(&alias_key(&r.name)))
    }

    /// The region a filing-number prefix stands for (`ZheJiang` → 浙江省).
    pub fn by_prefix(&self, prefix: &str) -> Option<&Region> {
        self.by_prefix
            .get(&alias_key(prefix))
            .map(|&i| &self.all[i])
    }

    pub fn by_name(&self, full_name: &str) -> Option<&Region> {
        self.all.iter().find(|r| r.name == full_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_keys_fold_as_the_case_tables_do() {
        // The range passed through unchanged has no case at all.
        for c in ('\u{3000}'..='\u{9fff}').filter(|c| !c.is_whitespace()) {
            assert!(c.to_lowercase().eq([c]), "{c:?}");
        }
        let by_tables = |s: &str| -> String {
            s.chars()
                .map(fullwidth_to_ascii)
                .filter(|c| !c.is_whitespace() && *c != '\u{200b}' && *c != '\u{feff}')
                .flat_map(char::to_lowercase)
                .collect()
        };
        for s in [
            "阿里巴巴达摩院（杭州）科技有限公司",
            "Ｂｅｉｊｉｎｇ　ＡＢＣ",
            "İstanbul ΣΑΣ Éclair ǅ",
            "北京\u{200b}智谱\u{feff} Hua Zhang",
            "ﾊﾝｶｸ ㊀ Ⅻ ⓐⒶ",
            "",
        ] {
            assert_eq!(alias_key(s), by_tables(s), "{s:?}");
        }
    }

    #[test]
    fn bundled_table_has_31_divisions_and_sasac() {
        let r = Regions::bundled();
        assert_eq!(r.all().len(), 32);
        assert_eq!(r.all().iter().filter(|r| r.kind == "sasac").count(), 1);
    }

    #[test]
    fn every_spelling_maps_to_one_region() {
        let r = Regions::bundled();
        for s in [
            "北京",
            "北京市",
            "Beijing",
            "BEIJING",
            " beijing ",
            "ＢＥＩＪＩＮＧ",
            "BJ",
        ] {
            assert_eq!(r.find(s).map(|x| x.name.as_str()), Some("北京市"), "{s}");
        }
        assert_eq!(r.find("广西").unwrap().name, "广西壮族自治区");
        assert_eq!(r.find("国资委").unwrap().code, "SASAC");
        assert_eq!(r.find("ZhongYangQiYe").unwrap().name, "国资委");
        assert!(r.find("火星").is_none());
        assert!(r.find("").is_none());
    }

    #[test]
    fn prefixes_are_case_insensitive() {
        let r = Regions::bundled();
        assert_eq!(r.by_prefix("ZheJiang").unwrap().name, "浙江省");
        assert_eq!(r.by_prefix("zhongyangqiye").unwrap().name, "国资委");
        assert_eq!(r.by_prefix("Shaanxi").unwrap().name, "陕西省");
        assert_eq!(r.by_prefix("Shanxi").unwrap().name, "山西省");
        assert!(r.by_prefix("Atlantis").is_none());
    }
}
