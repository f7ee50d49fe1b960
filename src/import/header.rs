//! Header mapping: which source column holds which field, from Chinese or English synonyms.

use super::{ColumnMap, ColumnOverride};
use crate::filing::Kind;
use crate::region::fullwidth_to_ascii;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The six fields of a CAC table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Field {
    Seq,
    Region,
    Model,
    Company,
    Number,
    Date,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Seq,
        Field::Region,
        Field::Model,
        Field::Company,
        Field::Number,
        Field::Date,
    ];
}

/// Synonyms in normalised form (see [`normalise`]). `编号` alone is deliberately absent: hand-made
/// files use it both for 序号 and for 备案编号, and guessing wrong would swap the row counter in
/// for the filing number.
const SYNONYMS: &[(Field, &[&str])] = &[
    (
        Field::Seq,
        &["序号", "seq", "seqno", "no", "#", "serial", "index"],
    ),
    (
        Field::Region,
        &[
            "属地",
            "所属地",
            "所属地区",
            "所属省份",
            "所在地",
            "所在省份",
            "备案属地",
            "省",
            "省市",
            "省份/地区",
            "属地/地区",
            "地区",
            "省份",
            "region",
            "province",
            "jurisdiction",
        ],
    ),
    (
        Field::Model,
        &[
            "模型名称",
            "大模型名称",
            "服务名称",
            "产品名称",
            "应用名称",
            "功能名称",
            "应用或功能名称",
            "应用/功能名称",
            "模型/服务名称",
            "服务/模型名称",
            "生成式人工智能服务名称",
            "大模型",
            "模型",
            "model",
            "modelname",
            "service",
            "servicename",
            "name",
        ],
    ),
    (
        Field::Company,
        &[
            "备案单位",
            "登记单位",
            "备案主体",
            "登记主体",
            "上线主体",
            "上线单位",
            "登记企业",
            "主体名称",
            "企业名称",
            "公司",
            "公司名称",
            "单位名称",
            "服务提供者",
            "服务提供者名称",
            "提供者名称",
            "运营主体",
            "备案企业",
            "企业",
            "单位",
            "主体",
            "company",
            "companyname",
            "filer",
            "entity",
            "organization",
            "organisation",
        ],
    ),
    (
        Field::Number,
        &[
            "备案编号",
            "备案号",
            "登记编号",
            "登记号",
            "上线编号",
            "备案编码",
            "登记编码",
            "上线号",
            "备案/登记编号",
            "备案登记编号",
            "filingnumber",
            "number",
            "registrationnumber",
            "filingno",
            "registrationno",
        ],
    ),
    (
        Field::Date,
        &[
            "备案时间",
            "备案日期",
            "登记时间",
            "登记日期",
            "上线时间",
            "上线日期",
            "备案通过时间",
            "备案通过日期",
            "上线登记时间",
            "登记/备案时间",
            "date",
            "filingdate",
            "registrationdate",
            "filedon",
        ],
    ),
];

/// The longest normalised synonym is shorter than this; longer keys cannot match.
const MAX_KEY_BYTES: usize = 36;

/// A header key on the stack: every data cell passes through [`field_for`] during header
/// detection, so a million-row file must not mean millions of small allocations.
struct Key {
    buf: [u8; MAX_KEY_BYTES + 4],
    len: usize,
}

impl Key {
    fn as_str(&self) -> &str {
        // Only whole chars are ever copied in, so this never fails; "" is a harmless fallback.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

/// Folds the spellings of one header into a key: width, case, spaces, `_`/`-`, a trailing `:`/`*`
/// (required-field markers) and bracketed notes such as `（年月日）`. Returns `None` as soon as
/// the key grows past any synonym, so company names are rejected without being folded whole.
fn normalise(cell: &str) -> Option<Key> {
    let mut key = Key {
        buf: [0; MAX_KEY_BYTES + 4],
        len: 0,
    };
    let mut depth = 0usize;
    for c in cell.chars().map(fullwidth_to_ascii) {
        let c = match c {
            '(' | '[' | '【' | '〔' => {
                depth += 1;
                continue;
            }
            ')' | ']' | '】' | '〕' => {
                depth = depth.saturating_sub(1);
                continue;
            }
            _ if depth > 0 || c.is_whitespace() || super::decode::is_invisible(c) => continue,
            '_' | '-' => continue,
            // Synonyms are ASCII or CJK, and CJK has no case, so only ASCII needs folding.
            _ => c.to_ascii_lowercase(),
        };
        let n = c.len_utf8();
        if key.len + n > MAX_KEY_BYTES {
            return None;
        }
        c.encode_utf8(&mut key.buf[key.len..key.len + n]);
        key.len += n;
    }
    while key.len > 0 && matches!(key.buf[key.len - 1], b':' | b'*' | b'.') {
        key.len -= 1;
    }
    Some(key)
}

pub fn field_for(header_cell: &str) -> Option<Field> {
    // Cheap rejections for data cells (序号, dates, long names) before any folding.
    let first = header_cell.trim_start().chars().next()?;
    if first.is_ascii_digit() || header_cell.len() > 120 {
        return None;
    }
    let key = normalise(header_cell)?;
    let key = key.as_str();
    if key.is_empty() {
        return None;
    }
    SYNONYMS
        .iter()
        .find(|(_, names)| names.contains(&key))
        .map(|(f, _)| *f)
}

/// Maps each field to its first column. Overrides (matched on the trimmed header text) are applied
/// first so that they beat a synonym in an earlier column; `field: None` hides a column.
pub fn map_header(cells: &[String], overrides: &[ColumnOverride]) -> ColumnMap {
    let mut map = ColumnMap::default();
    let mut overridden = Vec::new();
    if !overrides.is_empty() {
        overridden = vec![false; cells.len()];
        for (i, cell) in cells.iter().enumerate() {
            if let Some(o) = overrides.iter().find(|o| o.header.trim() == cell.trim()) {
                overridden[i] = true;
                if let Some(f) = o.field {
                    if map.get(f).is_none() {
                        map.set(f, Some(i));
                    }
                }
            }
        }
    }
    for (i, cell) in cells.iter().enumerate() {
        if overridden.get(i).copied().unwrap_or(false) {
            continue;
        }
        if let Some(f) = field_for(cell) {
            if map.get(f).is_none() {
                map.set(f, Some(i));
            }
        }
    }
    map
}

/// How many distinct fields a mapping found.
pub(crate) fn mapped_count(map: &ColumnMap) -> usize {
    Field::ALL.iter().filter(|f| map.get(**f).is_some()).count()
}

pub fn kind_hint_from_header(cells: &[String]) -> Option<Kind> {
    let keys: Vec<Key> = cells.iter().filter_map(|c| normalise(c)).collect();
    let has = |needles: &[&str]| {
        keys.iter()
            .any(|k| needles.iter().any(|n| k.as_str().contains(n)))
    };
    if has(&[
        "登记编号",
        "登记号",
        "上线编号",
        "登记时间",
        "登记日期",
        "registration",
    ]) {
        Some(Kind::Registered)
    } else if has(&["备案编号", "备案号", "备案时间", "备案日期", "filing"]) {
        Some(Kind::Filed)
    } else {
        None
    }
}

/// The kind a title line announces. 登记 is checked first: registration titles such as
/// `已完成登记的生成式人工智能服务` can also mention 备案 (the filed model they build on).
pub fn kind_hint_from_title(line: &str) -> Option<Kind> {
    let key: String = line
        .chars()
        .map(fullwidth_to_ascii)
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if key.contains("登记") || key.contains("registered") || key.contains("registration") {
        Some(Kind::Registered)
    } else if key.contains("备案") || key.contains("filed") || key.contains("filing") {
        Some(Kind::Filed)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_synonym_is_reachable() {
        for (field, names) in SYNONYMS {
            for name in *names {
                assert_eq!(field_for(name), Some(*field), "{name}");
            }
        }
        assert_eq!(field_for("应用或功能名称"), Some(Field::Model));
        assert_eq!(field_for("服务提供者"), Some(Field::Company));
    }

    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn synonyms_after_normalising() {
        let cases: &[(&str, Option<Field>)] = &[
            ("序号", Some(Field::Seq)),
            ("\u{feff}序号", Some(Field::Seq)),
            (" 序 号 ", Some(Field::Seq)),
            ("No.", Some(Field::Seq)),
            ("#", Some(Field::Seq)),
            ("编号", None),
            ("属地", Some(Field::Region)),
            ("所属地：", Some(Field::Region)),
            ("Province", Some(Field::Region)),
            ("大模型名称", Some(Field::Model)),
            ("服务名称*", Some(Field::Model)),
            ("Model Name", Some(Field::Model)),
            ("model_name", Some(Field::Model)),
            ("备案单位", Some(Field::Company)),
            ("ＣＯＭＰＡＮＹ", Some(Field::Company)),
            ("登记主体", Some(Field::Company)),
            ("备案编号", Some(Field::Number)),
            ("备案号:", Some(Field::Number)),
            ("登记编号", Some(Field::Number)),
            ("上线编号", Some(Field::Number)),
            ("filing_number", Some(Field::Number)),
            ("Filing No.", Some(Field::Number)),
            ("Registration Number", Some(Field::Number)),
            ("备案时间（年月日）", Some(Field::Date)),
            ("备案时间(yyyy/mm/dd)", Some(Field::Date)),
            ("登记时间", Some(Field::Date)),
            ("filed_on", Some(Field::Date)),
            ("Filed On", Some(Field::Date)),
            ("filing-date", Some(Field::Date)),
            ("", None),
            ("北京市", None),
            ("Beijing-WenXinYiYan-20230821", None),
        ];
        for (cell, want) in cases {
            assert_eq!(field_for(cell), *want, "{cell:?}");
        }
    }

    #[test]
    fn every_synonym_is_its_own_key() {
        for (field, names) in SYNONYMS {
            for name in *names {
                assert!(name.len() <= MAX_KEY_BYTES, "{name}");
                assert_eq!(normalise(name).as_ref().map(Key::as_str), Some(*name));
                assert_eq!(field_for(name), Some(*field), "{name}");
            }
        }
    }

    #[test]
    fn first_match_wins_and_overrides_beat_synonyms() {
        let cells = strings(&[
            "序号",
            "属地",
            "模型名称",
            "服务名称",
            "公司",
            "备案号",
            "日期",
            "编号",
        ]);
        let map = map_header(&cells, &[]);
        assert_eq!(map.seq, Some(0));
        assert_eq!(map.model, Some(2));
        assert_eq!(map.number, Some(5));
        assert_eq!(map.date, None);

        let overrides = vec![
            ColumnOverride {
                header: "日期".into(),
                field: Some(Field::Date),
            },
            ColumnOverride {
                header: "编号".into(),
                field: Some(Field::Number),
            },
            ColumnOverride {
                header: "模型名称".into(),
                field: None,
            },
        ];
        let map = map_header(&cells, &overrides);
        assert_eq!(map.date, Some(6));
        assert_eq!(map.number, Some(7));
        assert_eq!(map.model, Some(3));
    }

    #[test]
    fn kind_hints() {
        let filed = strings(&[
            "序号",
            "属地",
            "模型名称",
            "备案单位",
            "备案编号",
            "备案时间",
        ]);
        let reg = strings(&[
            "序号",
            "属地",
            "模型名称",
            "备案单位",
            "登记编号",
            "登记时间",
        ]);
        assert_eq!(kind_hint_from_header(&filed), Some(Kind::Filed));
        assert_eq!(kind_hint_from_header(&reg), Some(Kind::Registered));
        assert_eq!(
            kind_hint_from_header(&strings(&["seq", "region", "number"])),
            None
        );
        assert_eq!(
            kind_hint_from_title("附件1：生成式人工智能服务已备案信息"),
            Some(Kind::Filed)
        );
        assert_eq!(
            kind_hint_from_title("已完成登记的生成式人工智能服务（基于已备案模型）"),
            Some(Kind::Registered)
        );
        assert_eq!(
            kind_hint_from_title("Registered generative AI services"),
            Some(Kind::Registered)
        );
        assert_eq!(kind_hint_from_title("Filed services"), Some(Kind::Filed));
        assert_eq!(kind_hint_from_title("附件1"), None);
    }
}
