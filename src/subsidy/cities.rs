//! Cities from `data/cities.csv`: canonical names (`杭州市`), their province, and the short and
//! pinyin forms people type. Used to normalise a city a person enters and to suggest a company's
//! registered city from its legal name (`杭州…有限公司` → 杭州市), which stays a suggestion until a
//! person confirms it.

use crate::region::{alias_key, Regions};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;
use ts_rs::TS;

const CITIES_CSV: &str = include_str!("../../data/cities.csv");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct City {
    /// Canonical name with its suffix: `杭州市`.
    pub name: String,
    /// Full name of the province-level division: `浙江省` (a municipality is its own province).
    pub province: String,
    /// Short and pinyin forms: `杭州`, `Hangzhou`.
    pub aliases: Vec<String>,
}

pub struct Cities {
    all: Vec<City>,
    by_alias: HashMap<String, usize>,
    /// The Chinese names and aliases by their first character, in list order: a prefix of a
    /// company name can only be among those starting with its first character, so a suggestion
    /// for each of a few hundred thousand companies looks at a handful, not the whole list.
    by_first_char: HashMap<char, Vec<(String, usize)>>,
}

impl Cities {
    pub fn parse(csv_text: &str) -> Result<Cities, String> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(csv_text.as_bytes());
        let mut all = Vec::new();
        let mut by_alias = HashMap::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| format!("cities.csv line {line}: {e}"))?;
            let name = rec.get(0).unwrap_or("").trim().to_string();
            let province = rec.get(1).unwrap_or("").trim().to_string();
            if name.is_empty() || province.is_empty() {
                return Err(format!(
                    "cities.csv line {line}: city and province are required"
                ));
            }
            let aliases: Vec<String> = rec
                .get(2)
                .unwrap_or("")
                .split(';')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect();
            let idx = all.len();
            for a in aliases.iter().chain(std::iter::once(&name)) {
                if by_alias.insert(alias_key(a), idx).is_some() {
                    return Err(format!("cities.csv line {line}: {a:?} names two cities"));
                }
            }
            all.push(City {
                name,
                province,
                aliases,
            });
        }
        let mut by_first_char: HashMap<char, Vec<(String, usize)>> = HashMap::new();
        for (i, c) in all.iter().enumerate() {
            for a in std::iter::once(&c.name).chain(c.aliases.iter()) {
                if let Some(first) = a.chars().next().filter(|_| !a.is_ascii()) {
                    by_first_char.entry(first).or_default().push((a.clone(), i));
                }
            }
        }
        Ok(Cities {
            all,
            by_alias,
            by_first_char,
        })
    }

    pub fn bundled() -> &'static Cities {
        static CITIES: OnceLock<Cities> = OnceLock::new();
        CITIES.get_or_init(|| Cities::parse(CITIES_CSV).expect("bundled data/cities.csv is valid"))
    }

    pub fn all(&self) -> &[City] {
        &self.all
    }

    /// Where `city`, one of [`Self::all`], is in the list.
    pub(crate) fn index_of(&self, city: &City) -> usize {
        let at = (city as *const City as usize - self.all.as_ptr() as usize)
            / std::mem::size_of::<City>();
        debug_assert!(std::ptr::eq(&self.all[at], city), "a city of this list");
        at
    }

    /// A hash of the bundled list's text (FNV-1a): what is worked out from the list and kept
    /// in a registry (suggested cities) is valid only for the list it came from.
    pub(crate) fn bundled_fingerprint() -> u64 {
        CITIES_CSV.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    /// A city by any of its names (`杭州`, `杭州市`, `Hangzhou`).
    pub fn find(&self, name: &str) -> Option<&City> {
        self.by_alias.get(&alias_key(name)).map(|&i| &self.all[i])
    }

    /// The canonical form of a city a person typed; text not in the list is kept as typed
    /// (trimmed), because the list is deliberately short and a real city must not be refused.
    pub fn normalize(&self, name: &str) -> String {
        self.find(name)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| name.trim().to_string())
    }

    /// Suggests a registered city from a legal name: a city (full or short) at the start, after
    /// an optional province (`浙江省杭州…`), or in brackets anywhere (`阿里巴巴达摩院（杭州）科技有限公司`).
    /// Only these positions: a city word in the middle of a name (`…中山大学…`) says nothing.
    pub fn suggest_from_company(&self, company: &str) -> Option<&City> {
        let folded: String = company
            .chars()
            .map(crate::region::fullwidth_to_ascii)
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut starts = vec![folded.as_str()];
        if let Some(prefixes) = folded
            .chars()
            .next()
            .and_then(|c| region_prefixes().get(&c))
        {
            for p in prefixes {
                if let Some(rest) = folded.strip_prefix(p.as_str()) {
                    starts.push(rest);
                }
            }
        }
        for s in starts {
            if let Some(c) = self.longest_prefix(s) {
                return Some(c);
            }
        }
        let mut rest = folded.as_str();
        while let Some(open) = rest.find('(') {
            let after = &rest[open + 1..];
            let Some(close) = after.find(')') else { break };
            if let Some(c) = self.find(&after[..close]) {
                return Some(c);
            }
            rest = &after[close + 1..];
        }
        None
    }

    fn longest_prefix(&self, s: &str) -> Option<&City> {
        // Of equally long matches the last in list order wins, as it did over the whole list.
        self.by_first_char
            .get(&s.chars().next()?)?
            .iter()
            .filter(|(a, _)| s.starts_with(a.as_str()))
            .max_by_key(|(a, _)| a.len())
            .map(|(_, i)| &self.all[*i])
    }
}

/// Every province's names (full, then short) by first character, in the bundled order.
fn region_prefixes() -> &'static HashMap<char, Vec<String>> {
    static PREFIXES: OnceLock<HashMap<char, Vec<String>>> = OnceLock::new();
    PREFIXES.get_or_init(|| {
        let mut m: HashMap<char, Vec<String>> = HashMap::new();
        for region in Regions::bundled().all() {
            for p in std::iter::once(&region.name).chain(region.short_names.iter()) {
                if let Some(first) = p.chars().next() {
                    m.entry(first).or_default().push(p.clone());
                }
            }
        }
        m
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggest(name: &str) -> Option<String> {
        Cities::bundled()
            .suggest_from_company(name)
            .map(|c| c.name.clone())
    }

    /// The longest city name at the start of `s`, looked for over the whole list.
    fn longest_prefix_scanning_all(c: &Cities, s: &str) -> Option<String> {
        c.all
            .iter()
            .flat_map(|c| {
                std::iter::once(c.name.as_str())
                    .chain(c.aliases.iter().map(String::as_str))
                    .filter(|a| !a.is_ascii())
                    .map(move |a| (a, c))
            })
            .filter(|(a, _)| s.starts_with(a))
            .max_by_key(|(a, _)| a.len())
            .map(|(_, c)| c.name.clone())
    }

    #[test]
    fn the_first_character_index_finds_what_scanning_the_list_finds() {
        let c = Cities::bundled();
        let mut names: Vec<String> = Vec::new();
        for city in c.all() {
            for a in std::iter::once(&city.name).chain(city.aliases.iter()) {
                names.push(format!("{a}星辰科技有限公司"));
                names.push(a.clone());
            }
        }
        names.extend(
            [
                "",
                "星辰科技有限公司",
                "浙江省杭州星辰科技有限公司",
                "中山大学",
            ]
            .map(String::from),
        );
        for n in &names {
            assert_eq!(
                c.longest_prefix(n).map(|x| x.name.clone()),
                longest_prefix_scanning_all(c, n),
                "{n:?}"
            );
        }
    }

    #[test]
    fn the_bundled_list_loads_and_covers_the_policy_cities() {
        let c = Cities::bundled();
        for city in [
            "杭州市",
            "成都市",
            "广州市",
            "上海市",
            "北京市",
            "漳州市",
            "南京市",
        ] {
            assert!(c.find(city).is_some(), "{city}");
        }
        assert_eq!(c.find("Hangzhou").unwrap().province, "浙江省");
        assert_eq!(c.normalize(" 杭州 "), "杭州市");
        assert_eq!(c.normalize("义乌市"), "义乌市");
    }

    #[test]
    fn a_city_is_suggested_from_the_start_or_brackets_of_a_name() {
        assert_eq!(
            suggest("杭州深度求索人工智能基础技术研究有限公司").as_deref(),
            Some("杭州市")
        );
        assert_eq!(
            suggest("深圳市腾讯计算机系统有限公司").as_deref(),
            Some("深圳市")
        );
        assert_eq!(
            suggest("阿里巴巴达摩院（杭州）科技有限公司").as_deref(),
            Some("杭州市")
        );
        assert_eq!(
            suggest("阿里巴巴达摩院 (杭州) 科技有限公司").as_deref(),
            Some("杭州市")
        );
        assert_eq!(
            suggest("浙江省杭州市某某有限公司").as_deref(),
            Some("杭州市")
        );
        assert_eq!(suggest("上海人工智能创新中心").as_deref(), Some("上海市"));
        assert_eq!(
            suggest("北京百度网讯科技有限公司").as_deref(),
            Some("北京市")
        );
    }

    #[test]
    fn no_city_is_guessed_from_the_middle_of_a_name() {
        assert_eq!(suggest("华为云计算技术有限公司"), None);
        assert_eq!(suggest("三六零科技集团有限公司"), None);
        assert_eq!(suggest("科大讯飞股份有限公司"), None);
        assert_eq!(suggest("中国移动通信有限公司"), None);
        assert_eq!(suggest("某某（集团）有限公司"), None);
    }
}
