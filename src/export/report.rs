//! The printable report: one model ([`Report`]) rendered as a self-contained HTML file here and as
//! a PDF in `pdf.rs`. The HTML has inline CSS, inline SVG charts drawn in Rust, no JavaScript and
//! no external resources, so it opens safely anywhere and prints well (`@media print`: A4, page
//! breaks before long sections, table headers repeated on every page). Every piece of data is
//! HTML-escaped.

use super::{
    describe_filter, describe_sort, flags_text, kind_label, title_of, ExportRequest, Language,
    ReportInputs, ReportStats, ReportSubsidies,
};
use crate::error::{Error, Result};
use crate::query::{BatchInfo, FilingFilter, FilingRow};
use crate::store::Store;
use std::fmt::Write as _;

/// The most filings a report lists; the full selection belongs in CSV or XLSX.
pub const REPORT_ROW_CAP: u64 = 5_000;

/// Everything a report shows, in the order it shows it.
#[derive(Debug, Clone)]
pub struct Report {
    pub lang: Language,
    pub title: String,
    pub as_of: Option<String>,
    pub now: String,
    pub filters: Vec<String>,
    pub sort: String,
    pub stats: ReportStats,
    pub subsidies: Option<ReportSubsidies>,
    pub batches: Vec<BatchInfo>,
    /// The first [`REPORT_ROW_CAP`] filings of the selection, in the requested order.
    pub rows: Vec<FilingRow>,
    /// Filings of the selection not listed.
    pub omitted: u64,
}

impl Report {
    pub fn build(
        store: &Store,
        req: &ExportRequest,
        filter: &FilingFilter,
        inputs: &ReportInputs,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<Report> {
        let total = inputs.stats.total.min(REPORT_ROW_CAP);
        let mut rows = Vec::with_capacity(total as usize);
        if !progress(0, total) {
            return Err(Error::Cancelled);
        }
        store.each_filing(filter, req.sort, Some(REPORT_ROW_CAP), &mut |row| {
            rows.push(row);
            let done = rows.len() as u64;
            Ok(done % super::PROGRESS_EVERY != 0 || progress(done, total))
        })?;
        if !progress(rows.len() as u64, total) {
            return Err(Error::Cancelled);
        }
        Ok(Report {
            lang: req.language,
            title: title_of(req),
            as_of: req.as_of.clone(),
            now: req.now.clone(),
            filters: describe_filter(req, req.language),
            sort: describe_sort(req.sort, req.language),
            stats: inputs.stats.clone(),
            subsidies: inputs.subsidies.clone(),
            batches: inputs.batches.clone(),
            omitted: inputs.stats.total.saturating_sub(rows.len() as u64),
            rows,
        })
    }

    /// Headline figures as (label, value).
    pub fn headline(&self) -> Vec<(String, String)> {
        let l = self.lang;
        let s = &self.stats;
        let mut out = vec![
            (
                l.pick("备案记录", "Filings").to_string(),
                s.total.to_string(),
            ),
            (l.pick("其中备案", "Filed").to_string(), s.filed.to_string()),
            (
                l.pick("其中登记", "Registered").to_string(),
                s.registered.to_string(),
            ),
            (
                l.pick("属地数", "Regions").to_string(),
                s.by_region.len().to_string(),
            ),
            (
                l.pick("备案单位数", "Companies").to_string(),
                s.companies.to_string(),
            ),
        ];
        if !s.by_region.is_empty() {
            let names: Vec<&str> = s
                .by_region
                .iter()
                .take(3)
                .map(|r| region_label(r, l))
                .collect();
            out.push((
                match l {
                    Language::Zh => format!("前三属地（{}）占比", names.join("、")),
                    Language::En => format!("Top 3 regions ({})", names.join(", ")),
                },
                percent(s.top3_share()),
            ));
        }
        if let (Some(a), Some(b)) = (&s.first_filed, &s.last_filed) {
            out.push((
                l.pick("备案时间范围", "Filing dates").to_string(),
                format!("{a} – {b}"),
            ));
        }
        out
    }

    /// Sentences about the omitted rows, or `None` when every filing is listed.
    pub fn omitted_note(&self) -> Option<String> {
        (self.omitted > 0).then(|| match self.lang {
            Language::Zh => format!(
                "报告仅列出前 {} 条，另有 {} 条未列出；完整清单请导出 CSV 或 XLSX。",
                self.rows.len(),
                self.omitted
            ),
            Language::En => format!(
                "The report lists the first {} filings; {} more are left out. Export CSV or XLSX \
                 for the complete list.",
                self.rows.len(),
                self.omitted
            ),
        })
    }

    pub fn empty_note(&self) -> Option<&'static str> {
        (self.stats.total == 0).then(|| {
            self.lang.pick(
                "所选范围内没有备案记录（筛选条件见上）。",
                "The selection holds no filings (see the filters above).",
            )
        })
    }

    pub fn subsidy_note(&self) -> Option<&'static str> {
        self.subsidies.is_none().then(|| {
            self.lang.pick(
                "本报告未包含补贴评估。",
                "No subsidy evaluation is included in this report.",
            )
        })
    }
}

/// Column titles of the filings table in reports (people read these; CSV headers are for import).
pub(crate) fn table_headers(l: Language) -> [&'static str; 8] {
    match l {
        Language::Zh => [
            "序号",
            "属地",
            "模型名称",
            "备案单位",
            "编号",
            "日期",
            "类型",
            "标记",
        ],
        Language::En => [
            "No.", "Region", "Model", "Company", "Number", "Date", "Kind", "Flags",
        ],
    }
}

/// A region's name for chart axes: short, without a parenthesised note
/// (`SASAC (central state-owned enterprises)` → `SASAC`).
pub(crate) fn region_label(r: &super::RegionShare, lang: Language) -> &str {
    match lang {
        Language::Zh => &r.label_zh,
        Language::En => r
            .label_en
            .split(" (")
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or(&r.label_en),
    }
}

/// A region's name for tables: the full Chinese name, with the English one in English reports.
pub(crate) fn region_row_label(r: &super::RegionShare, lang: Language) -> String {
    match lang {
        Language::Zh => r.region.clone(),
        Language::En => format!("{} · {}", r.label_en, r.region),
    }
}

pub(crate) fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

pub(crate) fn status_label(status: &str, lang: Language) -> &str {
    match status {
        "qualifies" => lang.pick("符合", "Qualifies"),
        "does_not_qualify" => lang.pick("不符合", "Does not qualify"),
        "cannot_tell" => lang.pick("无法判断", "Cannot tell"),
        other => other,
    }
}

pub(crate) fn source_label(source: &str, lang: Language) -> &str {
    match source {
        "import" => lang.pick("导入", "imported"),
        "bundled" => lang.pick("随附数据", "bundled"),
        other => other,
    }
}

pub(crate) fn cny(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out} CNY", if amount < 0 { "-" } else { "" })
}

/// Where the registry's data came from, one line per batch.
pub fn sources_lines(batches: &[BatchInfo], lang: Language) -> Vec<String> {
    if batches.is_empty() {
        return vec![lang
            .pick("尚未导入任何批次。", "No batches have been imported.")
            .into()];
    }
    batches
        .iter()
        .map(|b| {
            let sha = b.sha256.get(..12).unwrap_or(&b.sha256);
            match lang {
                Language::Zh => format!(
                    "第 {} 批：{}（{}，{}），{} 行，新增 {}，更新 {}，拒绝 {}；SHA-256 {sha}…",
                    b.id,
                    b.file_name,
                    source_label(&b.source, lang),
                    b.imported_at,
                    b.rows,
                    b.inserted,
                    b.updated,
                    b.rejected
                ),
                Language::En => format!(
                    "Batch {}: {} ({}, {}), {} rows, {} new, {} updated, {} rejected; SHA-256 {sha}…",
                    b.id,
                    b.file_name,
                    source_label(&b.source, lang),
                    b.imported_at,
                    b.rows,
                    b.inserted,
                    b.updated,
                    b.rejected
                ),
            }
        })
        .collect()
}

/// How far the figures can be trusted, in plain sentences.
pub fn confidence_lines(s: &ReportStats, lang: Language) -> Vec<String> {
    let mut out = vec![match lang {
        Language::Zh => format!(
            "记录按导入文件中公布的原样保存；{} 条（共 {} 条）带有标记（编号、属地或名称可疑），需人工核对。",
            s.flagged, s.total
        ),
        Language::En => format!(
            "Filings are kept as published in the imported files; {} of {} carry flags (a \
             doubtful number, region or name) and need a person's check.",
            s.flagged, s.total
        ),
    }];
    if s.undated > 0 {
        out.push(match lang {
            Language::Zh => format!("{} 条没有备案时间，不计入按月统计。", s.undated),
            Language::En => format!(
                "{} filings have no filing date and are not counted by month.",
                s.undated
            ),
        });
    }
    out.push(
        lang.pick(
            "统计只反映本库已导入的批次，可能少于国家网信办公布的总数。",
            "Figures cover only the batches imported into this registry and may be lower than \
             the totals the CAC publishes.",
        )
        .into(),
    );
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink: #1f2933; --muted: #616e7c; --rule: #cbd2d9; --bar: #2f6fb3; --fill: #dbe7f5; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif;
       color: var(--ink); margin: 2em auto; max-width: 60em; padding: 0 1.5em; line-height: 1.5; font-size: 14px; }
h1 { font-size: 1.8em; margin: 0 0 .2em; }
h2 { font-size: 1.25em; margin: 1.8em 0 .6em; border-bottom: 2px solid var(--ink); padding-bottom: .2em; break-after: avoid; }
.meta { color: var(--muted); margin: 0 0 1em; }
.meta dt { font-weight: bold; float: left; clear: left; width: 7em; }
.meta dd { margin: 0 0 .2em 7.5em; }
.headline { display: flex; flex-wrap: wrap; gap: .8em; margin: 1em 0; padding: 0; list-style: none; }
.headline li { border: 1px solid var(--rule); border-radius: 4px; padding: .5em .9em; min-width: 9em; }
.headline .v { display: block; font-size: 1.5em; font-weight: bold; }
.headline .k { color: var(--muted); font-size: .9em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; font-size: .92em; }
th, td { border-bottom: 1px solid var(--rule); padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nw, th.nw { white-space: nowrap; }
.rule-id { color: var(--muted); font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .8em; word-break: break-all; }
td.mono { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .9em; word-break: break-all; }
.note { background: #fff8e1; border-left: 4px solid #f0b429; padding: .5em .8em; }
.empty { background: #eef2f7; border-left: 4px solid var(--muted); padding: .5em .8em; }
figure { margin: 1em 0; }
figcaption { color: var(--muted); font-size: .9em; }
svg { max-width: 100%; height: auto; }
svg text { font-family: inherit; }
ul.reasons { margin: 0; padding-left: 1.2em; }
footer { color: var(--muted); font-size: .85em; margin-top: 2em; border-top: 1px solid var(--rule); padding-top: .5em; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { margin: 0; max-width: none; padding: 0; font-size: 10.5pt; }
  thead { display: table-header-group; }
  tr, figure, .headline li { break-inside: avoid; }
  h2 { break-after: avoid; }
  section.filings, section.sources { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The report as one self-contained HTML document.
pub fn html(r: &Report) -> String {
    let l = r.lang;
    let mut h = String::with_capacity(64 * 1024 + r.rows.len() * 400);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        l.pick("zh-CN", "en"),
        esc(&r.title)
    );
    let _ = write!(
        h,
        "<header>\n<h1>{}</h1>\n<dl class=\"meta\">\n",
        esc(&r.title)
    );
    let as_of = r
        .as_of
        .clone()
        .unwrap_or_else(|| l.pick("全部日期", "all dates").into());
    for (k, v) in [
        (l.pick("截至日期", "As of"), as_of),
        (l.pick("导出时间", "Exported at"), r.now.clone()),
        (
            l.pick("筛选条件", "Filters"),
            r.filters.join(l.pick("；", "; ")),
        ),
        (l.pick("排序", "Sort"), r.sort.clone()),
    ] {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    }
    h.push_str("</dl>\n</header>\n");
    if let Some(note) = r.empty_note() {
        let _ = writeln!(h, "<p class=\"empty\">{}</p>", esc(note));
    }

    let _ = writeln!(
        h,
        "<section class=\"headline-figures\">\n<h2>{}</h2>\n<ul class=\"headline\">",
        l.pick("概要", "Headline figures")
    );
    for (k, v) in r.headline() {
        let _ = writeln!(
            h,
            "<li><span class=\"v\">{}</span><span class=\"k\">{}</span></li>",
            esc(&v),
            esc(&k)
        );
    }
    h.push_str("</ul>\n</section>\n");

    let s = &r.stats;
    let _ = writeln!(
        h,
        "<section class=\"charts\">\n<h2>{}</h2>",
        l.pick("图表", "Charts")
    );
    if s.total == 0 {
        let _ = writeln!(
            h,
            "<p class=\"empty\">{}</p>",
            l.pick("没有可绘制的数据。", "Nothing to chart.")
        );
    } else {
        let _ = writeln!(
            h,
            "<figure>{}<figcaption>{}</figcaption></figure>",
            region_bar_svg(s, l),
            l.pick("各属地备案数量", "Filings by region")
        );
        if !s.by_month.is_empty() {
            let _ = writeln!(
                h,
                "<figure>{}<figcaption>{}</figcaption></figure>",
                cumulative_line_svg(s, l),
                l.pick("按月累计备案数量", "Cumulative filings by month")
            );
        }
    }
    h.push_str("</section>\n");

    let _ = writeln!(
        h,
        "<section class=\"regions\">\n<h2>{}</h2>",
        l.pick("按属地", "By region")
    );
    if s.by_region.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", l.pick("无。", "None."));
    } else {
        let _ = writeln!(
            h,
            "<table><thead><tr><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
            l.pick("属地", "Region"),
            l.pick("数量", "Filings"),
            l.pick("占比", "Share")
        );
        for x in &s.by_region {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&region_row_label(x, l)),
                x.count,
                percent(x.share)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");

    let _ = writeln!(
        h,
        "<section class=\"companies\">\n<h2>{}</h2>",
        l.pick("备案最多的单位", "Top companies")
    );
    if s.top_companies.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", l.pick("无。", "None."));
    } else {
        let _ = writeln!(
            h,
            "<table><thead><tr><th class=\"n\">#</th><th>{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
            l.pick("备案单位", "Company"),
            l.pick("数量", "Filings")
        );
        for (i, c) in s.top_companies.iter().enumerate() {
            let _ = writeln!(
                h,
                "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                i + 1,
                esc(&c.company),
                c.count
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");

    let _ = writeln!(
        h,
        "<section class=\"subsidies\">\n<h2>{}</h2>",
        l.pick("补贴评估", "Subsidies")
    );
    match &r.subsidies {
        None => {
            let _ = writeln!(
                h,
                "<p class=\"note\">{}</p>",
                esc(r.subsidy_note().unwrap_or(""))
            );
        }
        Some(sub) => subsidies_html(&mut h, sub, l),
    }
    h.push_str("</section>\n");

    let _ = writeln!(
        h,
        "<section class=\"filings\">\n<h2>{}</h2>",
        l.pick("备案清单", "Filings")
    );
    if let Some(note) = r.omitted_note() {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(&note));
    }
    if r.rows.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"empty\">{}</p>",
            esc(r.empty_note().unwrap_or(""))
        );
    } else {
        let hd = table_headers(l);
        let _ = writeln!(
            h,
            "<table><thead><tr><th class=\"n\">{}</th><th class=\"nw\">{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"nw\">{}</th><th class=\"nw\">{}</th><th>{}</th></tr></thead><tbody>",
            hd[0], hd[1], hd[2], hd[3], hd[4], hd[5], hd[6], hd[7]
        );
        for row in &r.rows {
            let _ = writeln!(
                h,
                "<tr><td class=\"n\">{}</td><td class=\"nw\">{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td class=\"n\">{}</td><td class=\"nw\">{}</td><td>{}</td></tr>",
                row.seq.map(|s| s.to_string()).unwrap_or_default(),
                esc(&row.region),
                esc(&row.model),
                esc(&row.company),
                esc(&row.number),
                esc(row.filed_on.as_deref().unwrap_or("")),
                kind_label(row.kind, l),
                esc(&flags_text(&row.flags, l))
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");

    let _ = writeln!(
        h,
        "<section class=\"sources\">\n<h2>{}</h2>\n<h3>{}</h3>\n<ul>",
        l.pick("数据来源与可信度", "Data sources and confidence"),
        l.pick("可信度", "Confidence")
    );
    for line in confidence_lines(s, l) {
        let _ = writeln!(h, "<li>{}</li>", esc(&line));
    }
    let _ = writeln!(
        h,
        "<li>{}</li>\n</ul>\n<h3>{}</h3>",
        l.pick(
            "备案不代表国家网信办的认可，不得用于广告宣传。",
            "A CAC filing is not an endorsement and may not be used in advertising."
        ),
        l.pick("导入批次", "Imported batches")
    );
    if r.batches.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(&sources_lines(&r.batches, l)[0]));
    } else {
        let _ = writeln!(
            h,
            "<table><thead><tr><th class=\"n\">{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th>SHA-256</th></tr></thead><tbody>",
            l.pick("批次", "Batch"),
            l.pick("文件", "File"),
            l.pick("来源", "Source"),
            l.pick("导入时间", "Imported at"),
            l.pick("行数", "Rows"),
            l.pick("新增", "New"),
            l.pick("更新", "Updated"),
            l.pick("拒绝", "Rejected")
        );
        for b in &r.batches {
            let _ = writeln!(
                h,
                "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"mono\">{}</td></tr>",
                b.id,
                esc(&b.file_name),
                source_label(&b.source, l),
                esc(&b.imported_at),
                b.rows,
                b.inserted,
                b.updated,
                b.rejected,
                esc(&b.sha256)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
    let _ = writeln!(
        h,
        "<footer>{} · {}</footer>\n</body>\n</html>",
        esc(&r.title),
        match l {
            Language::Zh => format!("由 Beian 生成于 {}", esc(&r.now)),
            Language::En => format!("Made with Beian at {}", esc(&r.now)),
        }
    );
    h
}

fn subsidies_html(h: &mut String, sub: &ReportSubsidies, l: Language) {
    if let Some(d) = &sub.as_of {
        let _ = writeln!(
            h,
            "<p>{} {}</p>",
            l.pick("评估截至", "Evaluated as of"),
            esc(d)
        );
    }
    if sub.rows.is_empty() {
        let _ = writeln!(
            h,
            "<p>{}</p>",
            l.pick("没有可评估的企业。", "No enterprise was evaluated.")
        );
        return;
    }
    let _ = writeln!(
        h,
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th><th>{}</th></tr></thead><tbody>",
        l.pick("规则", "Rule"),
        l.pick("地区", "Jurisdiction"),
        l.pick("企业", "Enterprise"),
        l.pick("结论", "Status"),
        l.pick("金额", "Amount"),
        l.pick("理由", "Reasons")
    );
    for row in &sub.rows {
        let mut reasons = String::from("<ul class=\"reasons\">");
        for reason in &row.reasons {
            let _ = write!(reasons, "<li>{}</li>", esc(reason));
        }
        reasons.push_str("</ul>");
        let _ = writeln!(
            h,
            "<tr><td>{}<div class=\"rule-id\">{}</div></td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&row.rule_title),
            esc(&row.rule),
            esc(&row.jurisdiction),
            esc(&row.enterprise),
            esc(status_label(&row.status, l)),
            row.amount_cny.map(cny).unwrap_or_else(|| "—".into()),
            reasons
        );
    }
    let _ = writeln!(
        h,
        "</tbody><tfoot><tr><th colspan=\"4\">{}</th><th class=\"n\">{}</th><th></th></tr></tfoot></table>",
        l.pick("合计", "Total"),
        cny(sub.total_cny)
    );
}

/// A round step for an axis from 0 to `max` with about four ticks.
pub(crate) fn nice_step(max: u64) -> u64 {
    let raw = (max.max(1) as f64 / 4.0).max(1.0);
    let mag = 10f64.powi(raw.log10().floor() as i32);
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .filter(|s| s.fract() == 0.0)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    step.max(1.0) as u64
}

/// Which month labels to print on an axis of `n` months: about eight, always the last.
pub(crate) fn month_ticks(n: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let every = n.div_ceil(8).max(1);
    let mut out: Vec<usize> = (0..n).step_by(every).collect();
    if out.last() != Some(&(n - 1)) {
        if out.len() > 1 && n - 1 - out[out.len() - 1] < every / 2 + 1 {
            out.pop();
        }
        out.push(n - 1);
    }
    out
}

fn region_bar_svg(s: &ReportStats, l: Language) -> String {
    let rows = &s.by_region;
    let (label_w, bar_w, row_h, top) = (110.0, 430.0, 20.0, 10.0);
    let width = label_w + bar_w + 60.0;
    let height = top * 2.0 + rows.len() as f64 * row_h;
    let max = rows.iter().map(|r| r.count).max().unwrap_or(1).max(1) as f64;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        esc(l.pick("各属地备案数量", "Filings by region"))
    );
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let w = (r.count as f64 / max * bar_w).max(1.0);
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1f2933\">{}</text>\
             <rect x=\"{label_w}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"#2f6fb3\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#1f2933\">{} ({})</text>",
            label_w - 6.0,
            y + row_h * 0.68,
            esc(region_label(r, l)),
            y + 3.0,
            row_h - 6.0,
            label_w + w + 4.0,
            y + row_h * 0.68,
            r.count,
            percent(r.share)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn cumulative_line_svg(s: &ReportStats, l: Language) -> String {
    let months = &s.by_month;
    let (w, h, left, right, top, bottom) = (640.0, 260.0, 50.0, 20.0, 15.0, 40.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let max_v = months.last().map(|m| m.cumulative).unwrap_or(0).max(1);
    let step = nice_step(max_v);
    let top_v = max_v.div_ceil(step) * step;
    let x = |i: usize| {
        if months.len() <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (months.len() - 1) as f64
        }
    };
    let y = |v: u64| top + plot_h - plot_h * v as f64 / top_v as f64;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        esc(l.pick("按月累计备案数量", "Cumulative filings by month"))
    );
    let mut v = 0;
    while v <= top_v {
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#cbd2d9\" stroke-width=\"1\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#616e7c\">{v}</text>",
            w - right,
            y(v),
            y(v),
            left - 6.0,
            y(v) + 4.0
        );
        v += step;
    }
    for i in month_ticks(months.len()) {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#616e7c\">{}</text>",
            x(i),
            h - bottom + 18.0,
            esc(&months[i].month)
        );
    }
    let points: Vec<String> = months
        .iter()
        .enumerate()
        .map(|(i, m)| format!("{:.1},{:.1}", x(i), y(m.cumulative)))
        .collect();
    if months.len() > 1 {
        let _ = write!(
            svg,
            "<polygon points=\"{:.1},{:.1} {} {:.1},{:.1}\" fill=\"#dbe7f5\"/>\
             <polyline points=\"{}\" fill=\"none\" stroke=\"#2f6fb3\" stroke-width=\"2\"/>",
            x(0),
            y(0),
            points.join(" "),
            x(months.len() - 1),
            y(0),
            points.join(" ")
        );
    }
    for (i, m) in months.iter().enumerate() {
        if m.count > 0 {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"#2f6fb3\"/>",
                x(i),
                y(m.cumulative)
            );
        }
    }
    if let Some(last) = months.last() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1f2933\">{}</text>",
            x(months.len() - 1),
            y(last.cumulative) - 8.0,
            last.cumulative
        );
    }
    let _ = write!(
        svg,
        "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#1f2933\" stroke-width=\"1\"/></svg>",
        w - right,
        y(0),
        y(0)
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
    }

    #[test]
    fn money_is_grouped() {
        assert_eq!(cny(500_000), "500,000 CNY");
        assert_eq!(cny(1_000_000), "1,000,000 CNY");
        assert_eq!(cny(0), "0 CNY");
        assert_eq!(cny(-1234), "-1,234 CNY");
    }

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(nice_step(117), 50);
        assert_eq!(nice_step(4), 1);
        assert_eq!(nice_step(988), 250);
        assert_eq!(nice_step(0), 1);
    }

    #[test]
    fn month_ticks_end_on_the_last_month() {
        assert_eq!(month_ticks(1), vec![0]);
        assert_eq!(month_ticks(3), vec![0, 1, 2]);
        let t = month_ticks(30);
        assert_eq!(*t.last().unwrap(), 29);
        assert!(t.len() <= 9, "{t:?}");
    }
}
