//! Row validation: a source row becomes the fields of a filing, or errors that say which line,
//! which column and why. Pure: no store, no clock.
//!
//! What rejects a row: no number, an unknown or missing 属地, a missing model or company, a date
//! that is not a date. What only flags it (the row is kept as published, DOMAIN.md §3): a
//! malformed number or one whose prefix or date disagrees with the row, swapped model/company
//! columns, a stray leading character, an inherited (merged-cell) region.

use super::{date, Field, SourceTable};
use crate::filing::{FilingFields, Flag, Issue, Kind};
use crate::number;
use crate::region::{Region, Regions};
use chrono::NaiveDate;

/// The verdict on one source row.
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub line: u64,
    /// `None` when the row is rejected; the errors are in `issues`.
    pub fields: Option<FilingFields>,
    pub flags: Vec<Flag>,
    pub issues: Vec<Issue>,
}

impl CheckedRow {
    pub fn is_rejected(&self) -> bool {
        self.fields.is_none()
    }
}

/// Validates every row of a table, in order. Rows see the row above for merged-cell regions.
pub fn check_table(table: &SourceTable, regions: &Regions) -> Vec<CheckedRow> {
    let mut out = Vec::with_capacity(table.rows.len());
    let mut region_above: Option<&Region> = None;
    for row in &table.rows {
        let checked = check_row(table, row.line, &row.cells, region_above, regions);
        if let Some(f) = &checked.fields {
            region_above = regions.by_name(&f.region);
        }
        out.push(checked);
    }
    out
}

fn header_name(table: &SourceTable, field: Field) -> Option<&str> {
    table
        .columns
        .get(field)
        .and_then(|i| table.header.get(i))
        .map(String::as_str)
}

fn check_row(
    table: &SourceTable,
    line: u64,
    cells: &[String],
    region_above: Option<&Region>,
    regions: &Regions,
) -> CheckedRow {
    let mut issues = Vec::new();
    let mut flags = Vec::new();
    let cell = |field: Field| -> Option<&str> {
        table
            .columns
            .get(field)
            .and_then(|i| cells.get(i))
            .map(|s| strip_formula_guard(s.trim()).trim())
            .filter(|s| !s.is_empty())
    };
    let col = |field: Field| header_name(table, field);
    let err = |code: &str, field: Field, msg: String| Issue::error(code, msg).at(line, col(field));
    let warn =
        |code: &str, field: Field, msg: String| Issue::warning(code, msg).at(line, col(field));

    let number = cell(Field::Number).map(str::to_string);
    if number.is_none() {
        issues.push(err(
            "number_missing",
            Field::Number,
            "the filing number is empty".into(),
        ));
    }
    let parts = number.as_deref().map(number::parse);

    let region: Option<&Region> = match cell(Field::Region) {
        Some(v) => match regions.find(v) {
            Some(r) => Some(r),
            None => {
                issues.push(err(
                    "region_unknown",
                    Field::Region,
                    format!(
                        "属地 {v:?} is not a province-level division or 国资委; \
                         use a name such as 北京市, 广东省 or 国资委"
                    ),
                ));
                None
            }
        },
        None if table.columns.region.is_some() => {
            match region_above {
                Some(r) => {
                    flags.push(Flag::RegionInherited);
                    issues.push(warn(
                    "region_inherited",
                    Field::Region,
                    format!("属地 is empty; taken from the row above ({}), as a merged cell would be", r.name),
                ));
                    Some(r)
                }
                None => {
                    issues.push(err("region_missing", Field::Region, "属地 is empty".into()));
                    None
                }
            }
        }
        // Without a 属地 column the number's prefix is the only evidence of the region.
        None => match parts.as_ref().and_then(|p| p.as_ref().ok()) {
            Some(p) => match regions.by_prefix(&p.jurisdiction) {
                Some(r) => Some(r),
                None => {
                    issues.push(err(
                        "region_missing",
                        Field::Number,
                        format!(
                            "the file has no 属地 column and the number's prefix {:?} names no region",
                            p.jurisdiction
                        ),
                    ));
                    None
                }
            },
            None => {
                if number.is_some() {
                    issues.push(err(
                        "region_missing",
                        Field::Number,
                        "the file has no 属地 column and the number does not name a region".into(),
                    ));
                }
                None
            }
        },
    };

    let model = cell(Field::Model).map(clean_name).filter(|s| !s.is_empty());
    if model.is_none() {
        issues.push(err(
            "model_missing",
            Field::Model,
            "the model name (模型名称) is empty".into(),
        ));
    }
    let company = cell(Field::Company)
        .map(clean_name)
        .filter(|s| !s.is_empty());
    if company.is_none() {
        issues.push(err(
            "company_missing",
            Field::Company,
            "the filing company (备案单位) is empty".into(),
        ));
    }

    let filed_on: Option<NaiveDate> = match cell(Field::Date) {
        Some(v) => match date::parse_date(v) {
            Ok(d) => Some(d),
            Err(reason) => {
                issues.push(err("date_invalid", Field::Date, reason));
                None
            }
        },
        None => {
            if table.columns.date.is_some() {
                issues.push(warn(
                    "date_missing",
                    Field::Date,
                    "备案时间 is empty".into(),
                ));
            }
            None
        }
    };

    let seq = cell(Field::Seq).and_then(|v| match v.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            issues.push(warn(
                "seq_invalid",
                Field::Seq,
                format!("序号 {v:?} is not a whole number; kept without it"),
            ));
            None
        }
    });

    let mut kind = table.kind.unwrap_or(Kind::Filed);
    if let Some(raw) = number.as_deref() {
        let check = number::check(raw, region, filed_on, regions);
        for p in check.problems {
            // Number problems never reject: the row is on the published list as it stands.
            let mut issue = Issue::warning(&p.code, p.message).at(line, col(Field::Number));
            issue.column = col(Field::Number).map(str::to_string);
            issues.push(issue);
        }
        flags.extend(check.flags);
        if let Some(number_kind) = check.kind {
            if let Some(table_kind) = table.kind {
                if table_kind != number_kind {
                    flags.push(Flag::KindMismatch);
                    issues.push(warn(
                        "kind_mismatch",
                        Field::Number,
                        format!(
                            "a {} number in a table of {} services",
                            number_kind.as_str(),
                            table_kind.as_str()
                        ),
                    ));
                }
            }
            kind = number_kind;
        }
    }

    if let (Some(m), Some(c)) = (&model, &company) {
        if looks_like_company(m) && !looks_like_company(c) {
            flags.push(Flag::ModelCompanySwapped);
            issues.push(warn(
                "model_company_swapped",
                Field::Model,
                format!("the model column holds a company-like name ({m:?}); are the model and company columns swapped?"),
            ));
        }
        if let Some(ch) = stray_leading_char(c) {
            flags.push(Flag::StrayLeadingChar);
            issues.push(warn(
                "stray_leading_char",
                Field::Company,
                format!("the company name starts with a stray {ch:?}: {c:?}"),
            ));
        }
    }

    let rejected = issues.iter().any(Issue::is_error);
    flags.sort_unstable();
    flags.dedup();
    let fields = if rejected {
        None
    } else {
        match (number, region, model, company) {
            (Some(number), Some(region), Some(model), Some(company)) => Some(FilingFields {
                number: number.trim().to_string(),
                kind,
                region: region.name.clone(),
                model,
                company,
                filed_on,
                seq,
            }),
            _ => None,
        }
    };
    CheckedRow {
        line,
        fields,
        flags,
        issues,
    }
}

/// Undoes the apostrophe that CSV exports (Beian's own, and most others) put before a cell that
/// would start a spreadsheet formula (`'=…`, `'-…`, `'＠…`; see [`crate::export::csv::neutralise`]).
/// Only an apostrophe in front of such a character is removed, so `'quoted` stays as it is. The
/// raw cell keeps the apostrophe in the batch's raw rows.
pub fn strip_formula_guard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if crate::export::csv::needs_formula_guard(rest) => rest,
        _ => cell,
    }
}

/// Names copied out of PDFs and wrapped spreadsheet cells carry line breaks and runs of spaces
/// that are not part of the name: a break between two Chinese characters is dropped, any other
/// run of whitespace becomes one space. The raw cell is kept in the batch's raw rows regardless.
pub fn clean_name(raw: &str) -> String {
    let chars: Vec<char> = raw.trim().chars().collect();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            let start = i;
            let mut has_break = false;
            while i < chars.len() && chars[i].is_whitespace() {
                has_break |= matches!(chars[i], '\n' | '\r');
                i += 1;
            }
            let before = start.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i).copied();
            let joins_cjk = has_break && before.is_some_and(is_cjk) && after.is_some_and(is_cjk);
            if !joins_cjk {
                out.push(' ');
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff08}' | '\u{ff09}')
}

const COMPANY_ENDINGS: [&str; 9] = [
    "有限公司",
    "有限责任公司",
    "股份公司",
    "集团",
    "公司",
    "研究院",
    "研究所",
    "Co.,Ltd.",
    "Ltd.",
];

/// A legal entity's name, judged by how Chinese company names end (after any parenthesised note).
pub fn looks_like_company(name: &str) -> bool {
    let mut s = name.trim();
    while let Some(stripped) = s
        .strip_suffix(')')
        .or_else(|| s.strip_suffix('）'))
        .and_then(|t| t.rfind(['(', '（']).map(|i| t[..i].trim_end()))
    {
        if stripped.is_empty() {
            break;
        }
        s = stripped;
    }
    COMPANY_ENDINGS.iter().any(|e| s.ends_with(e))
}

/// A character that does not belong at the start of a company name: punctuation or a symbol
/// (`、北京…`, `*上海…`), or one Latin letter or digit glued before a place name (`1北京…`).
pub fn stray_leading_char(company: &str) -> Option<char> {
    let mut chars = company.chars();
    let first = chars.next()?;
    let rest: String = chars.collect();
    if rest.is_empty() {
        return None;
    }
    let is_open_bracket = matches!(first, '(' | '（' | '【' | '[' | '《' | '“' | '"');
    if !first.is_alphanumeric() && !is_open_bracket {
        return Some(first);
    }
    if first.is_ascii_alphanumeric() && starts_with_place(&rest) {
        return Some(first);
    }
    None
}

fn starts_with_place(s: &str) -> bool {
    const CITIES: [&str; 12] = [
        "深圳", "广州", "杭州", "成都", "南京", "苏州", "武汉", "西安", "合肥", "厦门", "青岛",
        "中国",
    ];
    let regions = Regions::bundled();
    regions
        .all()
        .iter()
        .filter(|r| r.kind != "sasac")
        .flat_map(|r| std::iter::once(&r.name).chain(r.short_names.iter()))
        .any(|n| s.starts_with(n.as_str()))
        || CITIES.iter().any(|c| s.starts_with(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{ColumnMap, SourceRow};

    fn table(rows: &[&[&str]], kind: Option<Kind>) -> SourceTable {
        SourceTable {
            sheet: None,
            title: None,
            kind,
            header_line: 1,
            header: ["序号", "属地", "模型名称", "备案单位", "备案号", "备案时间"]
                .map(String::from)
                .to_vec(),
            columns: ColumnMap {
                seq: Some(0),
                region: Some(1),
                model: Some(2),
                company: Some(3),
                number: Some(4),
                date: Some(5),
            },
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| SourceRow {
                    line: i as u64 + 2,
                    cells: r.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_clean_row_becomes_fields() {
        let t = table(
            &[&[
                "1",
                "北京",
                "文心一言",
                "北京百度网讯科技有限公司",
                "Beijing-WenXinYiYan-20230821",
                "2023/8/31",
            ]],
            None,
        );
        let r = &check_table(&t, Regions::bundled())[0];
        assert!(r.issues.is_empty(), "{:?}", r.issues);
        let f = r.fields.as_ref().unwrap();
        assert_eq!(f.region, "北京市");
        assert_eq!(f.kind, Kind::Filed);
        assert_eq!(f.seq, Some(1));
        assert_eq!(f.filed_on, NaiveDate::from_ymd_opt(2023, 8, 31));
    }

    #[test]
    fn bad_rows_name_line_column_and_reason() {
        let t = table(
            &[
                &[
                    "1",
                    "火星",
                    "M",
                    "某某有限公司",
                    "Beijing-M-20230821",
                    "2023/8/31",
                ],
                &["2", "北京市", "M", "某某有限公司", "", "2023/8/31"],
                &[
                    "3",
                    "北京市",
                    "M",
                    "某某有限公司",
                    "Beijing-M2-20230821",
                    "2023/2/30",
                ],
            ],
            None,
        );
        let rows = check_table(&t, Regions::bundled());
        let first_error = |r: &CheckedRow| r.issues.iter().find(|i| i.is_error()).cloned().unwrap();
        let e = first_error(&rows[0]);
        assert_eq!(
            (e.line, e.column.as_deref(), e.code.as_str()),
            (Some(2), Some("属地"), "region_unknown")
        );
        assert!(e.message.contains("火星"));
        let e = first_error(&rows[1]);
        assert_eq!((e.line, e.code.as_str()), (Some(3), "number_missing"));
        let e = first_error(&rows[2]);
        assert_eq!(
            (e.line, e.column.as_deref(), e.code.as_str()),
            (Some(4), Some("备案时间"), "date_invalid")
        );
        assert!(rows.iter().all(CheckedRow::is_rejected));
    }

    #[test]
    fn quirks_are_flagged_not_rejected() {
        let t = table(
            &[
                &[
                    "1",
                    "上海市",
                    "上海稀宇科技有限公司",
                    "abab",
                    "Beijing-Abab-20230821",
                    "2023/8/31",
                ],
                &[
                    "2",
                    "",
                    "日日新",
                    "、上海商汤智能科技有限公司",
                    "Shanghai-RiRiXin-20230821",
                    "2023/8/31",
                ],
                &[
                    "3",
                    "北京市",
                    "X",
                    "北京某某有限公司",
                    "not a number",
                    "2023/8/31",
                ],
            ],
            None,
        );
        let rows = check_table(&t, Regions::bundled());
        assert!(rows.iter().all(|r| !r.is_rejected()), "{rows:?}");
        assert_eq!(
            rows[0].flags,
            vec![Flag::PrefixMismatch, Flag::ModelCompanySwapped]
        );
        assert_eq!(
            rows[1].flags,
            vec![Flag::StrayLeadingChar, Flag::RegionInherited]
        );
        assert_eq!(rows[1].fields.as_ref().unwrap().region, "上海市");
        assert_eq!(rows[2].flags, vec![Flag::NumberMalformed]);
        assert_eq!(rows[2].fields.as_ref().unwrap().number, "not a number");
    }

    #[test]
    fn registration_numbers_set_the_kind() {
        let t = table(
            &[&[
                "1",
                "广东省",
                "Plaud",
                "某某有限公司",
                "Guangdong-Plaud-20251229S0027",
                "2026/1/10",
            ]],
            Some(Kind::Registered),
        );
        let r = &check_table(&t, Regions::bundled())[0];
        assert_eq!(r.fields.as_ref().unwrap().kind, Kind::Registered);
        assert!(r.flags.is_empty());
        let t = table(
            &[&[
                "1",
                "广东省",
                "Plaud",
                "某某有限公司",
                "Guangdong-Plaud-20251229S0027",
                "2026/1/10",
            ]],
            Some(Kind::Filed),
        );
        assert_eq!(
            check_table(&t, Regions::bundled())[0].flags,
            vec![Flag::KindMismatch]
        );
    }

    #[test]
    fn a_formula_guard_apostrophe_is_removed_from_cells() {
        let regions = Regions::bundled();
        let table = SourceTable {
            sheet: None,
            title: None,
            kind: None,
            header_line: 1,
            header: ["属地", "模型名称", "备案单位", "备案编号", "备案时间"]
                .map(String::from)
                .to_vec(),
            columns: crate::import::ColumnMap {
                seq: None,
                region: Some(0),
                model: Some(1),
                company: Some(2),
                number: Some(3),
                date: Some(4),
            },
            rows: Vec::new(),
        };
        let cells: Vec<String> = [
            "北京市",
            "'=HYPERLINK(\"x\")",
            "'－某某科技有限公司",
            "Beijing-WenXinYiYan-20230821",
            "2023-08-31",
        ]
        .map(String::from)
        .to_vec();
        let row = check_row(&table, 2, &cells, None, regions);
        let f = row.fields.expect("accepted");
        assert_eq!(f.model, "=HYPERLINK(\"x\")");
        assert_eq!(f.company, "－某某科技有限公司");
        assert_eq!(strip_formula_guard("'plain"), "'plain");
        assert_eq!(strip_formula_guard("''=x"), "'=x");
    }

    #[test]
    fn names_lose_line_breaks_from_pdf_copies() {
        assert_eq!(
            clean_name("北京百度网讯科技有\n限公司"),
            "北京百度网讯科技有限公司"
        );
        assert_eq!(clean_name("智谱清言\r\n(ChatGLM)"), "智谱清言 (ChatGLM)");
        assert_eq!(clean_name("  YOYO   助理 "), "YOYO 助理");
        assert_eq!(clean_name("文心一言"), "文心一言");
    }

    #[test]
    fn company_shapes() {
        assert!(looks_like_company("北京百度网讯科技有限公司"));
        assert!(looks_like_company("阿里巴巴达摩院 (杭州) 科技有限公司"));
        assert!(looks_like_company("华为技术有限公司（深圳）"));
        assert!(!looks_like_company("文心一言"));
        assert!(!looks_like_company("智谱清言 (ChatGLM)"));
        assert_eq!(stray_leading_char("、上海商汤"), Some('、'));
        assert_eq!(stray_leading_char("1北京百度网讯科技有限公司"), Some('1'));
        assert_eq!(stray_leading_char("58同城信息技术有限公司"), None);
        assert_eq!(stray_leading_char("三六零科技集团有限公司"), None);
        assert_eq!(stray_leading_char("（北京）某某公司"), None);
    }
}
