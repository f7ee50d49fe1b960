//! Synthetic CAC filing lists for benchmarks: the six published columns, regions weighted like the
//! real list, Chinese model and company names composed from word lists, valid unique numbers, and
//! `2024/3/28` dates 10–15 days after the number's date. Deterministic: the same seed and size give
//! the same bytes on every machine (a hand-written generator, so no crate upgrade can change them).
//!
//! Synthetic rows are for timing only and never enter the bundled registry.

use chrono::{Datelike, Duration, NaiveDate};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// SplitMix64: tiny, fast, and fully specified, which is what "same seed, same bytes" needs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize
    }

    /// Skewed towards small indexes (a few brands, words and companies are far more common than
    /// the rest), as real name lists are.
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        ((u.powf(1.5) * n as f64) as usize).min(n - 1)
    }

    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille as usize
    }
}

/// (full name as published, number prefix, cities for company names, weight). Weights follow the
/// shape of the published list: Beijing, Shanghai and Guangdong hold most rows (94 of the first
/// 117), a long tail of provinces, a few central state-owned enterprises (国资委).
const REGIONS: &[(&str, &str, &[&str], u32)] = &[
    ("北京市", "Beijing", &["北京"], 300),
    ("上海市", "Shanghai", &["上海"], 190),
    (
        "广东省",
        "Guangdong",
        &["深圳", "广州", "珠海", "东莞"],
        150,
    ),
    ("浙江省", "Zhejiang", &["杭州", "宁波"], 70),
    ("江苏省", "Jiangsu", &["南京", "苏州", "无锡"], 45),
    ("四川省", "Sichuan", &["成都"], 25),
    ("湖北省", "Hubei", &["武汉"], 20),
    ("山东省", "Shandong", &["济南", "青岛"], 20),
    ("安徽省", "Anhui", &["合肥"], 18),
    ("福建省", "Fujian", &["厦门", "福州"], 16),
    ("天津市", "Tianjin", &["天津"], 14),
    ("重庆市", "Chongqing", &["重庆"], 12),
    ("湖南省", "Hunan", &["长沙"], 12),
    ("陕西省", "Shaanxi", &["西安"], 10),
    ("河南省", "Henan", &["郑州"], 9),
    ("辽宁省", "Liaoning", &["沈阳", "大连"], 8),
    ("江西省", "Jiangxi", &["南昌"], 6),
    ("河北省", "Hebei", &["石家庄"], 5),
    ("贵州省", "Guizhou", &["贵阳"], 5),
    ("云南省", "Yunnan", &["昆明"], 4),
    ("广西壮族自治区", "Guangxi", &["南宁"], 4),
    ("海南省", "Hainan", &["海口"], 4),
    ("山西省", "Shanxi", &["太原"], 3),
    ("吉林省", "Jilin", &["长春"], 3),
    ("黑龙江省", "Heilongjiang", &["哈尔滨"], 3),
    ("内蒙古自治区", "NeiMengGu", &["呼和浩特"], 2),
    ("新疆维吾尔自治区", "Xinjiang", &["乌鲁木齐"], 2),
    ("甘肃省", "Gansu", &["兰州"], 2),
    ("宁夏回族自治区", "Ningxia", &["银川"], 1),
    ("青海省", "Qinghai", &["西宁"], 1),
    ("西藏自治区", "Xizang", &["拉萨"], 1),
    ("国资委", "ZhongYangQiYe", &["中国", "中"], 25),
];

/// Characters that brand names are made of, with their pinyin (the number's CamelPinyin name).
const SYLLABLES: &[(&str, &str)] = &[
    ("星", "Xing"),
    ("火", "Huo"),
    ("文", "Wen"),
    ("心", "Xin"),
    ("通", "Tong"),
    ("义", "Yi"),
    ("千", "Qian"),
    ("问", "Wen"),
    ("混", "Hun"),
    ("元", "Yuan"),
    ("盘", "Pan"),
    ("古", "Gu"),
    ("天", "Tian"),
    ("工", "Gong"),
    ("百", "Bai"),
    ("川", "Chuan"),
    ("智", "Zhi"),
    ("谱", "Pu"),
    ("云", "Yun"),
    ("雀", "Que"),
    ("豆", "Dou"),
    ("包", "Bao"),
    ("言", "Yan"),
    ("灵", "Ling"),
    ("犀", "Xi"),
    ("商", "Shang"),
    ("量", "Liang"),
    ("日", "Ri"),
    ("新", "Xin"),
    ("书", "Shu"),
    ("生", "Sheng"),
    ("浦", "Pu"),
    ("语", "Yu"),
    ("紫", "Zi"),
    ("东", "Dong"),
    ("太", "Tai"),
    ("初", "Chu"),
    ("曹", "Cao"),
    ("植", "Zhi"),
    ("万", "Wan"),
    ("知", "Zhi"),
    ("讯", "Xun"),
    ("飞", "Fei"),
    ("海", "Hai"),
    ("螺", "Luo"),
    ("九", "Jiu"),
    ("章", "Zhang"),
    ("明", "Ming"),
    ("月", "Yue"),
    ("华", "Hua"),
    ("清", "Qing"),
    ("源", "Yuan"),
    ("深", "Shen"),
    ("度", "Du"),
    ("求", "Qiu"),
    ("索", "Suo"),
    ("星", "Xing"),
    ("辰", "Chen"),
    ("开", "Kai"),
    ("悟", "Wu"),
    ("面", "Mian"),
    ("壁", "Bi"),
    ("昆", "Kun"),
    ("仑", "Lun"),
    ("瑞", "Rui"),
    ("泰", "Tai"),
    ("青", "Qing"),
    ("松", "Song"),
    ("鹏", "Peng"),
    ("城", "Cheng"),
    ("脑", "Nao"),
    ("海", "Hai"),
    ("若", "Ruo"),
    ("愚", "Yu"),
    ("晓", "Xiao"),
    ("医", "Yi"),
    ("法", "Fa"),
    ("律", "Lv"),
    ("金", "Jin"),
    ("融", "Rong"),
    ("教", "Jiao"),
    ("育", "Yu"),
    ("伴", "Ban"),
    ("学", "Xue"),
    ("创", "Chuang"),
    ("想", "Xiang"),
    ("梦", "Meng"),
    ("境", "Jing"),
    ("风", "Feng"),
    ("雨", "Yu"),
    ("光", "Guang"),
    ("影", "Ying"),
    ("山", "Shan"),
    ("河", "He"),
    ("龙", "Long"),
    ("凤", "Feng"),
    ("鲸", "Jing"),
    ("鹰", "Ying"),
    ("阿", "A"),
    ("里", "Li"),
    ("腾", "Teng"),
    ("字", "Zi"),
    ("节", "Jie"),
    ("跳", "Tiao"),
    ("动", "Dong"),
    ("美", "Mei"),
    ("团", "Tuan"),
    ("京", "Jing"),
    ("快", "Kuai"),
    ("手", "Shou"),
    ("小", "Xiao"),
    ("米", "Mi"),
    ("网", "Wang"),
    ("易", "Yi"),
    ("伏", "Fu"),
    ("羲", "Xi"),
    ("神", "Shen"),
    ("农", "Nong"),
    ("墨", "Mo"),
    ("子", "Zi"),
];

/// What follows the brand in a model name, with its pinyin (empty: not part of the number's name).
const MODEL_SUFFIXES: &[(&str, &str)] = &[
    ("", ""),
    ("", ""),
    ("大模型", ""),
    ("大模型", ""),
    ("助手", "ZhuShou"),
    ("智能体", ""),
    ("认知大模型", ""),
    ("对话", "DuiHua"),
    ("写作", "XieZuo"),
    ("客服", "KeFu"),
    ("医疗大模型", "YiLiao"),
    ("法律大模型", "FaLv"),
    ("教育大模型", "JiaoYu"),
    ("金融大模型", "JinRong"),
    ("编程助手", "BianCheng"),
    ("翻译", "FanYi"),
];

/// Latin brands that some models carry (`智谱清言 (ChatGLM)`), and that some numbers use as name.
const LATIN: &[&str] = &[
    "ChatGLM", "MiniMax", "Kimi", "Qwen", "Ernie", "Spark", "Baichuan", "Yi", "GLM", "Moss",
];

const INDUSTRIES: &[&str] = &[
    "科技",
    "信息技术",
    "网络科技",
    "智能科技",
    "数据科技",
    "软件",
    "人工智能科技",
    "信息服务",
    "计算机技术",
    "数字技术",
];

const COMPANY_ENDINGS: &[&str] = &[
    "有限公司",
    "有限公司",
    "有限公司",
    "股份有限公司",
    "有限责任公司",
];

/// The first filing date on the published list; rows spread from here over `DAYS`.
const FIRST_DAY: (i32, u32, u32) = (2023, 8, 21);
const DAYS: i64 = 1040;
/// Numbers issued before this date end at the 8-digit date; later ones carry a 4-digit sequence.
const SEQUENCE_FROM: (i32, u32, u32) = (2024, 2, 1);

pub const HEADER: [&str; 6] = ["序号", "属地", "模型名称", "备案单位", "备案号", "备案时间"];

fn brand(rng: &mut Rng, chars: usize) -> (String, String) {
    let mut zh = String::new();
    let mut py = String::new();
    for _ in 0..chars {
        let (c, p) = SYLLABLES[rng.skewed(SYLLABLES.len())];
        zh.push_str(c);
        py.push_str(p);
    }
    (zh, py)
}

fn date_of(day: i64) -> NaiveDate {
    let (y, m, d) = FIRST_DAY;
    NaiveDate::from_ymd_opt(y, m, d).expect("valid start") + Duration::days(day)
}

/// The rows of a synthetic list, sorted by filing date as the CAC sorts them, 序号 from 1.
pub fn rows(n: usize, seed: u64) -> Vec<[String; 6]> {
    let mut rng = Rng::new(seed ^ (n as u64).rotate_left(32));
    let total_weight: u32 = REGIONS.iter().map(|r| r.3).sum();
    let seq_from = {
        let (y, m, d) = SEQUENCE_FROM;
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    };
    // Companies are reused: one company often files many models (DOMAIN.md §3).
    let company_pool = (n / 3).max(8);
    let mut companies: std::collections::HashMap<(usize, usize), String> = Default::default();
    let mut keys: HashSet<String> = HashSet::with_capacity(n);
    let mut per_day_seq: std::collections::HashMap<(usize, NaiveDate), u32> = Default::default();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        // The list grows over time: later months hold more rows (sqrt spreads them that way).
        let frac = (i as f64 + 0.5) / n as f64;
        let number_day = (frac.sqrt() * DAYS as f64) as i64;
        let number_date = date_of(number_day);
        let filed_on = number_date + Duration::days(10 + rng.below(6) as i64);

        let mut w = rng.below(total_weight as usize) as u32;
        let mut region_idx = 0;
        for (k, r) in REGIONS.iter().enumerate() {
            if w < r.3 {
                region_idx = k;
                break;
            }
            w -= r.3;
        }
        let pool = (company_pool * REGIONS[region_idx].3 as usize / total_weight as usize).max(2);
        let c_idx = rng.skewed(pool);
        let company = match companies.get(&(region_idx, c_idx)) {
            Some(c) => c.clone(),
            None => {
                let cities = REGIONS[region_idx].2;
                let city = cities[rng.below(cities.len())];
                let len = 2 + rng.below(2);
                let (name, _) = brand(&mut rng, len);
                let industry = INDUSTRIES[rng.below(INDUSTRIES.len())];
                let ending = COMPANY_ENDINGS[rng.below(COMPANY_ENDINGS.len())];
                let company = format!("{city}{name}{industry}{ending}");
                companies.insert((region_idx, c_idx), company.clone());
                company
            }
        };
        let (region, prefix, _, _) = REGIONS[region_idx];

        let len = if rng.chance(700) { 2 } else { 4 };
        let (zh, mut py) = brand(&mut rng, len);
        let (suffix, suffix_py) = MODEL_SUFFIXES[rng.below(MODEL_SUFFIXES.len())];
        let mut model = format!("{zh}{suffix}");
        py.push_str(suffix_py);
        if rng.chance(60) {
            let latin = LATIN[rng.below(LATIN.len())];
            model.push_str(&format!(" ({latin})"));
            if rng.chance(500) {
                py = latin.to_string();
            }
        }

        let date_digits = format!(
            "{:04}{:02}{:02}",
            number_date.year(),
            number_date.month(),
            number_date.day()
        );
        let mut number = format!("{prefix}-{py}-{date_digits}");
        // Early numbers have no sequence; when two of them would coincide, the later one gets a
        // sequence (a valid form) so numbers stay unique.
        if number_date >= seq_from || keys.contains(&number.to_ascii_lowercase()) {
            let seq = per_day_seq.entry((region_idx, number_date)).or_insert(0);
            loop {
                *seq += 1;
                let candidate = format!("{prefix}-{py}-{date_digits}{:04}", *seq % 10000);
                if *seq >= 10000 || !keys.contains(&candidate.to_ascii_lowercase()) {
                    number = candidate;
                    break;
                }
            }
            if keys.contains(&number.to_ascii_lowercase()) {
                // Ten thousand numbers in one region on one day: widen the sequence.
                number = format!("{prefix}-{py}{i}-{date_digits}0001");
            }
        }
        keys.insert(number.to_ascii_lowercase());

        // The quirks of the real list, at rates that keep them rare: swapped columns and a stray
        // leading character (both flagged, neither rejected).
        let (mut model_cell, mut company_cell) = (model, company);
        if rng.chance(3) {
            std::mem::swap(&mut model_cell, &mut company_cell);
        } else if rng.chance(2) {
            company_cell.insert(0, '、');
        }
        out.push([
            (i + 1).to_string(),
            region.to_string(),
            model_cell,
            company_cell,
            number,
            format!(
                "{}/{}/{}",
                filed_on.year(),
                filed_on.month(),
                filed_on.day()
            ),
        ]);
    }
    out
}

/// The CSV text of a list (CRLF, as Excel writes it). No cell holds a comma or a quote.
pub fn csv_text(rows: &[[String; 6]]) -> String {
    let mut s = String::with_capacity(rows.len() * 120 + 64);
    s.push_str(&HEADER.join(","));
    s.push_str("\r\n");
    for r in rows {
        for (k, c) in r.iter().enumerate() {
            if k > 0 {
                s.push(',');
            }
            s.push_str(c);
        }
        s.push_str("\r\n");
    }
    s
}

pub struct Files {
    pub utf8: PathBuf,
    pub gb18030: PathBuf,
    pub rows: usize,
    /// Words that occur in model names, for search queries that have answers.
    pub words: Vec<String>,
}

/// Writes (or reuses, when present with the expected size) the UTF-8 and GB18030 twins.
pub fn files(dir: &Path, n: usize, seed: u64) -> std::io::Result<Files> {
    std::fs::create_dir_all(dir)?;
    let stem = format!("cac-{}-seed{seed}", size_label(n));
    let utf8 = dir.join(format!("{stem}.utf8.csv"));
    let gb = dir.join(format!("{stem}.gb18030.csv"));
    let rows = rows(n, seed);
    let words = search_words(&rows);
    let text = csv_text(&rows);
    drop(rows);
    let up_to_date = std::fs::metadata(&utf8).is_ok_and(|m| m.len() == text.len() as u64)
        && std::fs::metadata(&gb).is_ok();
    if !up_to_date {
        write_atomic(&utf8, text.as_bytes())?;
        let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
        assert!(!unmappable, "GB18030 encodes every character");
        write_atomic(&gb, &bytes)?;
    }
    Ok(Files {
        utf8,
        gb18030: gb,
        rows: n,
        words,
    })
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("partial");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
    }
    std::fs::rename(tmp, path)
}

/// Two-character words taken from model names, in a stable order.
pub fn search_words(rows: &[[String; 6]]) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let step = (rows.len() / 500).max(1);
    for r in rows.iter().step_by(step) {
        let chars: Vec<char> = r[2].chars().collect();
        if chars.len() >= 2 && chars[..2].iter().all(|c| !c.is_ascii()) {
            let w: String = chars[..2].iter().collect();
            if seen.insert(w.clone()) {
                out.push(w);
            }
        }
    }
    out
}

pub fn size_label(n: usize) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}m", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

pub fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim().to_ascii_lowercase();
    let (num, mult) = if let Some(x) = s.strip_suffix('m') {
        (x, 1_000_000)
    } else if let Some(x) = s.strip_suffix('k') {
        (x, 1_000)
    } else {
        (s.as_str(), 1)
    };
    num.parse::<usize>()
        .ok()
        .map(|v| v * mult)
        .filter(|&v| v > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use beian::number;
    use beian::region::Regions;

    #[test]
    fn rows_are_valid_unique_and_dated_after_their_numbers() {
        let regions = Regions::bundled();
        let rows = rows(5_000, 3);
        let mut keys = HashSet::new();
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(r[0], (i + 1).to_string());
            let region = regions.find(&r[1]).expect("a known region");
            let filed = NaiveDate::parse_from_str(&r[5], "%Y/%m/%d").expect("a date");
            let check = number::check(&r[4], Some(region), Some(filed), regions);
            assert!(check.valid && check.problems.is_empty(), "{r:?}: {check:?}");
            let days = (filed - check.date.unwrap()).num_days();
            assert!((10..=15).contains(&days), "{r:?}");
            assert!(keys.insert(number::number_key(&r[4])), "duplicate {}", r[4]);
            assert!(r.iter().all(|c| !c.contains([',', '"', '\n'])));
        }
        let share = |name: &str| rows.iter().filter(|r| r[1] == name).count() as f64 / 5_000.0;
        assert!(share("北京市") > 0.2 && share("上海市") > 0.12 && share("广东省") > 0.1);
        assert!(share("北京市") > share("上海市") && share("上海市") > share("广东省"));
        assert_eq!(rows, super::rows(5_000, 3));
    }
}
