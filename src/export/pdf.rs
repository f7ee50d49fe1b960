//! The report as a PDF, laid out here (A4, wrapped text, tables whose header repeats on every
//! page, vector charts) and written with `pdf-writer`. Chinese needs a CJK font, which Beian does
//! not ship: one is found at run time ([`find_font`]: `BEIAN_PDF_FONT`, then the usual places on
//! Linux, macOS and Windows), subset to the glyphs used (`subsetter`, TrueType and CFF outlines,
//! `.ttf`/`.otf`/`.ttc`) and embedded as a CID font with a ToUnicode map, so text can be searched
//! and copied. Without one the export fails with `pdf_font_missing` before anything is written.

use super::report::{
    cny, confidence_lines, month_ticks, nice_step, percent, region_label, source_label,
    status_label, Report,
};
use super::{flags_text, kind_label, Language};
use crate::error::{Error, Result};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, TextRenderingMode, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;

/// A font file that can set Chinese text.
pub(crate) struct FontFile {
    pub path: PathBuf,
    pub data: Vec<u8>,
    pub index: u32,
}

/// Places where common CJK fonts live. TrueType (glyf) and CFF outlines both work.
const CANDIDATES: &[&str] = &[
    // Debian/Ubuntu: fonts-wqy-microhei, fonts-wqy-zenhei, fonts-noto-cjk, fonts-droid-fallback
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    // Fedora, Arch
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    // macOS
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    // Windows
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simhei.ttf",
    "C:\\Windows\\Fonts\\simsun.ttc",
];

/// Characters a usable font must have.
const PROBE: &str = "备案属地模型名称单位号时间北京市广东省有限公司";

/// Finds a CJK font: `BEIAN_PDF_FONT` if set, else the first usable candidate.
pub(crate) fn find_font() -> Result<FontFile> {
    let from_env = std::env::var_os("BEIAN_PDF_FONT").map(PathBuf::from);
    let mut searched = Vec::new();
    let paths = from_env
        .clone()
        .into_iter()
        .chain(CANDIDATES.iter().map(PathBuf::from));
    for path in paths {
        searched.push(path.display().to_string());
        if let Some(f) = load_font(&path) {
            return Ok(f);
        }
    }
    if let Some(p) = from_env {
        searched.truncate(1);
        searched[0] = format!("{} (BEIAN_PDF_FONT; not a usable CJK font)", p.display());
        searched.push("the usual font folders".into());
    }
    Err(Error::PdfFontMissing {
        searched: searched.join(", "),
    })
}

/// Reads a font file and picks the face to use: in a collection, a Simplified Chinese face when
/// one is named so (`Noto Sans CJK SC`), else the first face that has the probe characters.
pub(crate) fn load_font(path: &std::path::Path) -> Option<FontFile> {
    let data = std::fs::read(path).ok()?;
    let faces = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
    let mut usable = Vec::new();
    for index in 0..faces {
        let Ok(face) = ttf_parser::Face::parse(&data, index) else {
            continue;
        };
        if !PROBE.chars().all(|c| face.glyph_index(c).is_some()) {
            continue;
        }
        let simplified = face.names().into_iter().any(|n| {
            n.name_id == ttf_parser::name_id::FULL_NAME
                && n.to_string()
                    .is_some_and(|s| s.contains(" SC") || s.contains("GB"))
        });
        usable.push((index, simplified));
    }
    let index = usable
        .iter()
        .find(|(_, sc)| *sc)
        .or(usable.first())
        .map(|(i, _)| *i)?;
    Some(FontFile {
        path: path.to_path_buf(),
        data,
        index,
    })
}

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 42.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const BOTTOM: f32 = MARGIN + 20.0;

type Rgb = (f32, f32, f32);
const INK: Rgb = (0.12, 0.16, 0.2);
const MUTED: Rgb = (0.38, 0.43, 0.49);
const RULE: Rgb = (0.8, 0.82, 0.85);
const BAR: Rgb = (0.18, 0.44, 0.7);
const FILL: Rgb = (0.86, 0.91, 0.96);
const HEAD_BG: Rgb = (0.93, 0.95, 0.97);
const NOTE_BG: Rgb = (1.0, 0.97, 0.88);

/// The glyphs used so far, with their widths and text, for subsetting and the ToUnicode map.
struct Glyphs<'a> {
    face: ttf_parser::Face<'a>,
    upem: f32,
    remapper: subsetter::GlyphRemapper,
    /// Width in 1/1000 em, by CID (the glyph's id in the subset).
    widths: Vec<f32>,
    unicode: HashMap<u16, char>,
    cache: HashMap<char, (u16, f32)>,
}

impl<'a> Glyphs<'a> {
    fn new(face: ttf_parser::Face<'a>) -> Glyphs<'a> {
        let upem = f32::from(face.units_per_em());
        let notdef = face
            .glyph_hor_advance(ttf_parser::GlyphId(0))
            .map(|a| f32::from(a) * 1000.0 / upem)
            .unwrap_or(0.0);
        Glyphs {
            face,
            upem,
            remapper: subsetter::GlyphRemapper::new(),
            widths: vec![notdef],
            unicode: HashMap::new(),
            cache: HashMap::new(),
        }
    }

    /// The CID and width (1/1000 em) of a character, registering its glyph on first use.
    fn glyph(&mut self, c: char) -> (u16, f32) {
        if let Some(g) = self.cache.get(&c) {
            return *g;
        }
        let gid = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        let width = self
            .face
            .glyph_hor_advance(gid)
            .map(|a| f32::from(a) * 1000.0 / self.upem)
            .unwrap_or(0.0);
        let cid = self.remapper.remap(gid.0);
        if usize::from(cid) >= self.widths.len() {
            self.widths.push(width);
        }
        if gid.0 != 0 {
            self.unicode.entry(cid).or_insert(c);
        }
        self.cache.insert(c, (cid, width));
        (cid, width)
    }

    fn width(&mut self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.glyph(c).1).sum::<f32>() * size / 1000.0
    }

    fn encode(&mut self, s: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(s.len() * 2);
        for c in s.chars() {
            out.extend_from_slice(&self.glyph(c).0.to_be_bytes());
        }
        out
    }
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn is_wide(c: char) -> bool {
    super::xlsx::display_width(c.encode_utf8(&mut [0; 4])) == 2
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

struct Column {
    title: String,
    /// Share of the content width.
    width: f32,
    align: Align,
}

struct Layout<'a> {
    glyphs: Glyphs<'a>,
    pages: Vec<Content>,
    page: Content,
    /// The top of the free space on the current page (PDF points from the bottom).
    y: f32,
}

impl<'a> Layout<'a> {
    fn new(glyphs: Glyphs<'a>) -> Layout<'a> {
        Layout {
            glyphs,
            pages: Vec::new(),
            page: Content::new(),
            y: PAGE_H - MARGIN,
        }
    }

    fn new_page(&mut self) {
        let done = std::mem::replace(&mut self.page, Content::new());
        self.pages.push(done);
        self.y = PAGE_H - MARGIN;
    }

    fn ensure(&mut self, h: f32) {
        if self.y - h < BOTTOM && self.y < PAGE_H - MARGIN - 1.0 {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, baseline: f32, size: f32, s: &str, color: Rgb, bold: bool) {
        let bytes = self.glyphs.encode(&clean(s));
        let p = &mut self.page;
        p.set_fill_rgb(color.0, color.1, color.2);
        p.begin_text();
        p.set_font(Name(b"F1"), size);
        if bold {
            p.set_stroke_rgb(color.0, color.1, color.2);
            p.set_line_width(size * 0.035);
            p.set_text_rendering_mode(TextRenderingMode::FillStroke);
        }
        p.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, baseline]);
        p.show(Str(&bytes));
        if bold {
            p.set_text_rendering_mode(TextRenderingMode::Fill);
        }
        p.end_text();
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.page.set_fill_rgb(color.0, color.1, color.2);
        self.page.rect(x, y, w, h);
        self.page.fill_nonzero();
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, color: Rgb, width: f32) {
        self.page.set_stroke_rgb(color.0, color.1, color.2);
        self.page.set_line_width(width);
        self.page.move_to(x1, y1);
        self.page.line_to(x2, y2);
        self.page.stroke();
    }

    /// Breaks text into lines no wider than `max`: anywhere between Chinese characters, at
    /// spaces within Latin text when possible.
    fn wrap(&mut self, s: &str, size: f32, max: f32) -> Vec<String> {
        let s = clean(s);
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut w = 0.0;
        for c in s.chars() {
            let cw = self.glyphs.width(c.encode_utf8(&mut [0; 4]), size);
            if w + cw > max && !line.is_empty() {
                let mut carry = String::new();
                if !is_wide(c) && c != ' ' {
                    if let Some(sp) = line.rfind(' ').filter(|&i| i > 0) {
                        carry = line[sp + 1..].to_string();
                        line.truncate(sp);
                    }
                }
                lines.push(std::mem::take(&mut line));
                line = carry;
                w = self.glyphs.width(&line, size);
                if c == ' ' && line.is_empty() {
                    continue;
                }
            }
            line.push(c);
            w += cw;
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    fn paragraph(&mut self, s: &str, size: f32, color: Rgb, indent: f32) {
        let lead = size * 1.45;
        for l in self.wrap(s, size, CONTENT_W - indent) {
            self.ensure(lead);
            self.text_at(MARGIN + indent, self.y - size, size, &l, color, false);
            self.y -= lead;
        }
    }

    fn boxed_note(&mut self, s: &str, size: f32, bg: Rgb) {
        let lines = self.wrap(s, size, CONTENT_W - 16.0);
        let lead = size * 1.45;
        let h = lines.len() as f32 * lead + 8.0;
        self.ensure(h);
        self.rect(MARGIN, self.y - h, CONTENT_W, h, bg);
        self.rect(MARGIN, self.y - h, 3.0, h, (0.94, 0.71, 0.16));
        let mut y = self.y - 4.0;
        for l in lines {
            self.text_at(MARGIN + 10.0, y - size, size, &l, INK, false);
            y -= lead;
        }
        self.y -= h + 6.0;
    }

    fn heading(&mut self, s: &str) {
        self.ensure(60.0);
        self.y -= 14.0;
        self.text_at(MARGIN, self.y - 13.0, 13.0, s, INK, true);
        self.y -= 18.0;
        self.line(MARGIN, self.y, MARGIN + CONTENT_W, self.y, INK, 1.2);
        self.y -= 8.0;
    }

    fn table_header(&mut self, cols: &[Column], size: f32) {
        let lead = size * 1.35;
        let wrapped: Vec<Vec<String>> = cols
            .iter()
            .map(|c| self.wrap(&c.title, size, c.width * CONTENT_W - 6.0))
            .collect();
        let h = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * lead + 6.0;
        self.rect(MARGIN, self.y - h, CONTENT_W, h, HEAD_BG);
        self.cells(cols, &wrapped, size, h, true);
        self.y -= h;
        self.line(MARGIN, self.y, MARGIN + CONTENT_W, self.y, MUTED, 0.6);
    }

    fn cells(&mut self, cols: &[Column], wrapped: &[Vec<String>], size: f32, _h: f32, bold: bool) {
        let lead = size * 1.35;
        let mut x = MARGIN;
        for (c, lines) in cols.iter().zip(wrapped) {
            let cw = c.width * CONTENT_W;
            let mut y = self.y - 3.0 - size;
            for l in lines {
                let tx = match c.align {
                    Align::Left => x + 3.0,
                    Align::Right => x + cw - 3.0 - self.glyphs.width(l, size),
                };
                self.text_at(tx, y, size, l, INK, bold);
                y -= lead;
            }
            x += cw;
        }
    }

    /// A table whose header is drawn again at the top of every page it continues on.
    fn table(&mut self, cols: &[Column], rows: &[Vec<String>], size: f32) {
        let lead = size * 1.35;
        self.ensure(lead * 3.0 + 12.0);
        self.table_header(cols, size);
        for row in rows {
            let wrapped: Vec<Vec<String>> = cols
                .iter()
                .zip(row)
                .map(|(c, t)| self.wrap(t, size, c.width * CONTENT_W - 6.0))
                .collect();
            let h = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * lead + 6.0;
            if self.y - h < BOTTOM {
                self.new_page();
                self.table_header(cols, size);
            }
            self.cells(cols, &wrapped, size, h, false);
            self.y -= h;
            self.line(MARGIN, self.y, MARGIN + CONTENT_W, self.y, RULE, 0.4);
        }
        self.y -= 8.0;
    }

    fn bar_chart(&mut self, r: &Report) {
        let l = r.lang;
        let rows = &r.stats.by_region;
        let size = 8.5;
        let row_h = 13.0;
        let label_w = 80.0;
        let bar_max = CONTENT_W - label_w - 70.0;
        let max = rows.iter().map(|x| x.count).max().unwrap_or(1).max(1) as f32;
        self.ensure(rows.len() as f32 * row_h + 30.0);
        for x in rows {
            let mut label = region_label(x, l).to_string();
            while self.glyphs.width(&label, size) > label_w - 8.0 && label.chars().count() > 2 {
                label.pop();
                label.pop();
                label.push('…');
            }
            let lw = self.glyphs.width(&label, size);
            let base = self.y - row_h * 0.72;
            self.text_at(MARGIN + label_w - 5.0 - lw, base, size, &label, INK, false);
            let w = (x.count as f32 / max * bar_max).max(1.0);
            self.rect(MARGIN + label_w, self.y - row_h + 2.0, w, row_h - 4.0, BAR);
            let v = format!("{} ({})", x.count, percent(x.share));
            self.text_at(MARGIN + label_w + w + 4.0, base, size, &v, INK, false);
            self.y -= row_h;
        }
        self.y -= 4.0;
        let cap = l.pick("图 1　各属地备案数量", "Figure 1. Filings by region");
        self.paragraph(cap, 8.5, MUTED, 0.0);
    }

    fn line_chart(&mut self, r: &Report) {
        let l = r.lang;
        let months = &r.stats.by_month;
        let h = 190.0;
        let (left, bottom_pad, top_pad) = (40.0, 24.0, 10.0);
        self.ensure(h + 30.0);
        let x0 = MARGIN + left;
        let plot_w = CONTENT_W - left - 10.0;
        let y0 = self.y - h + bottom_pad;
        let plot_h = h - bottom_pad - top_pad;
        let max_v = months.last().map(|m| m.cumulative).unwrap_or(0).max(1);
        let step = nice_step(max_v);
        let top_v = max_v.div_ceil(step) * step;
        let px = |i: usize| {
            if months.len() <= 1 {
                x0 + plot_w / 2.0
            } else {
                x0 + plot_w * i as f32 / (months.len() - 1) as f32
            }
        };
        let py = |v: u64| y0 + plot_h * v as f32 / top_v as f32;
        let mut v = 0;
        while v <= top_v {
            self.line(x0, py(v), x0 + plot_w, py(v), RULE, 0.5);
            let t = v.to_string();
            let tw = self.glyphs.width(&t, 8.0);
            self.text_at(x0 - 4.0 - tw, py(v) - 3.0, 8.0, &t, MUTED, false);
            v += step;
        }
        if months.len() > 1 {
            self.page.set_fill_rgb(FILL.0, FILL.1, FILL.2);
            self.page.move_to(px(0), py(0));
            for (i, m) in months.iter().enumerate() {
                self.page.line_to(px(i), py(m.cumulative));
            }
            self.page.line_to(px(months.len() - 1), py(0));
            self.page.close_path();
            self.page.fill_nonzero();
            self.page.set_stroke_rgb(BAR.0, BAR.1, BAR.2);
            self.page.set_line_width(1.6);
            self.page.move_to(px(0), py(months[0].cumulative));
            for (i, m) in months.iter().enumerate().skip(1) {
                self.page.line_to(px(i), py(m.cumulative));
            }
            self.page.stroke();
        }
        for (i, m) in months.iter().enumerate() {
            if m.count > 0 {
                self.rect(px(i) - 1.6, py(m.cumulative) - 1.6, 3.2, 3.2, BAR);
            }
        }
        self.line(x0, py(0), x0 + plot_w, py(0), INK, 0.8);
        for i in month_ticks(months.len()) {
            let t = months[i].month.clone();
            let tw = self.glyphs.width(&t, 7.5);
            let tx = (px(i) - tw / 2.0).clamp(MARGIN, MARGIN + CONTENT_W - tw);
            self.text_at(tx, y0 - 12.0, 7.5, &t, MUTED, false);
        }
        if let Some(last) = months.last() {
            let t = last.cumulative.to_string();
            let tw = self.glyphs.width(&t, 9.0);
            let x = px(months.len() - 1) - tw;
            self.text_at(x, py(last.cumulative) + 5.0, 9.0, &t, INK, true);
        }
        self.y -= h + 4.0;
        let cap = l.pick(
            "图 2　按月累计备案数量",
            "Figure 2. Cumulative filings by month",
        );
        self.paragraph(cap, 8.5, MUTED, 0.0);
    }
}

/// Lays out and writes the report as PDF bytes.
pub(crate) fn render(r: &Report, font: &FontFile) -> Result<Vec<u8>> {
    let face = ttf_parser::Face::parse(&font.data, font.index).map_err(|e| {
        Error::Export(format!(
            "the font {} cannot be read: {e}",
            font.path.display()
        ))
    })?;
    let is_cff = face.tables().cff.is_some();
    let postscript = face
        .names()
        .into_iter()
        .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .and_then(|n| n.to_string())
        .unwrap_or_else(|| "CJKFont".into());
    let descriptor = Descriptor {
        ascent: f32::from(face.ascender()),
        descent: f32::from(face.descender()),
        cap_height: face.capital_height().map(f32::from),
        bbox: face.global_bounding_box(),
        upem: f32::from(face.units_per_em()),
    };
    let mut lay = Layout::new(Glyphs::new(face));
    compose(&mut lay, r);
    lay.new_page();
    let pages = std::mem::take(&mut lay.pages);
    let total = pages.len();
    let mut finished = Vec::with_capacity(total);
    for (i, mut page) in pages.into_iter().enumerate() {
        std::mem::swap(&mut lay.page, &mut page);
        let footer = match r.lang {
            Language::Zh => format!("{} · 第 {} / {} 页", r.title, i + 1, total),
            Language::En => format!("{} · page {} of {}", r.title, i + 1, total),
        };
        lay.line(
            MARGIN,
            MARGIN + 8.0,
            MARGIN + CONTENT_W,
            MARGIN + 8.0,
            RULE,
            0.5,
        );
        lay.text_at(MARGIN, MARGIN - 4.0, 7.5, &footer, MUTED, false);
        std::mem::swap(&mut lay.page, &mut page);
        finished.push(page.finish());
    }
    write_pdf(
        r,
        &lay.glyphs,
        font,
        is_cff,
        &postscript,
        &descriptor,
        finished,
    )
}

struct Descriptor {
    ascent: f32,
    descent: f32,
    cap_height: Option<f32>,
    bbox: ttf_parser::Rect,
    upem: f32,
}

fn compose(lay: &mut Layout, r: &Report) {
    let l = r.lang;
    let s = &r.stats;
    lay.text_at(MARGIN, lay.y - 20.0, 20.0, &r.title, INK, true);
    lay.y -= 32.0;
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
        lay.paragraph(&format!("{k}{}{v}", l.pick("：", ": ")), 9.5, MUTED, 0.0);
    }
    lay.y -= 4.0;
    if let Some(note) = r.empty_note() {
        lay.boxed_note(note, 10.0, HEAD_BG);
    }

    lay.heading(l.pick("概要", "Headline figures"));
    let figures = r.headline();
    let per_row = 4;
    let box_w = (CONTENT_W - 8.0 * (per_row as f32 - 1.0)) / per_row as f32;
    for chunk in figures.chunks(per_row) {
        let wrapped: Vec<Vec<String>> = chunk
            .iter()
            .map(|(k, _)| lay.wrap(k, 8.0, box_w - 12.0))
            .collect();
        let h = 30.0 + wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * 11.0;
        lay.ensure(h + 8.0);
        for (i, ((_, v), lines)) in chunk.iter().zip(&wrapped).enumerate() {
            let x = MARGIN + i as f32 * (box_w + 8.0);
            lay.rect(x, lay.y - h, box_w, h, HEAD_BG);
            // Long values (a date range) shrink to fit their box.
            let w15 = lay.glyphs.width(v, 15.0);
            let size = if w15 > box_w - 12.0 {
                (15.0 * (box_w - 12.0) / w15).max(7.0)
            } else {
                15.0
            };
            lay.text_at(x + 6.0, lay.y - 20.0, size, v, INK, true);
            let mut y = lay.y - 34.0;
            for line in lines {
                lay.text_at(x + 6.0, y, 8.0, line, MUTED, false);
                y -= 11.0;
            }
        }
        lay.y -= h + 8.0;
    }

    lay.heading(l.pick("图表", "Charts"));
    if s.total == 0 {
        lay.paragraph(
            l.pick("没有可绘制的数据。", "Nothing to chart."),
            10.0,
            INK,
            0.0,
        );
    } else {
        lay.bar_chart(r);
        if !s.by_month.is_empty() {
            lay.y -= 8.0;
            lay.line_chart(r);
        }
    }

    lay.heading(l.pick("按属地", "By region"));
    let cols = [
        col(l.pick("属地", "Region"), 0.6, Align::Left),
        col(l.pick("数量", "Filings"), 0.2, Align::Right),
        col(l.pick("占比", "Share"), 0.2, Align::Right),
    ];
    let rows: Vec<Vec<String>> = s
        .by_region
        .iter()
        .map(|x| {
            vec![
                super::report::region_row_label(x, l),
                x.count.to_string(),
                percent(x.share),
            ]
        })
        .collect();
    if rows.is_empty() {
        lay.paragraph(l.pick("无。", "None."), 10.0, INK, 0.0);
    } else {
        lay.table(&cols, &rows, 9.0);
    }

    lay.heading(l.pick("备案最多的单位", "Top companies"));
    let cols = [
        col("#", 0.08, Align::Right),
        col(l.pick("备案单位", "Company"), 0.74, Align::Left),
        col(l.pick("数量", "Filings"), 0.18, Align::Right),
    ];
    let rows: Vec<Vec<String>> = s
        .top_companies
        .iter()
        .enumerate()
        .map(|(i, c)| vec![(i + 1).to_string(), c.company.clone(), c.count.to_string()])
        .collect();
    if rows.is_empty() {
        lay.paragraph(l.pick("无。", "None."), 10.0, INK, 0.0);
    } else {
        lay.table(&cols, &rows, 9.0);
    }

    lay.heading(l.pick("补贴评估", "Subsidies"));
    match &r.subsidies {
        None => lay.boxed_note(r.subsidy_note().unwrap_or(""), 10.0, NOTE_BG),
        Some(sub) => {
            if let Some(d) = &sub.as_of {
                lay.paragraph(
                    &format!("{} {d}", l.pick("评估截至", "Evaluated as of")),
                    9.5,
                    MUTED,
                    0.0,
                );
            }
            let cols = [
                col(l.pick("规则", "Rule"), 0.16, Align::Left),
                col(l.pick("地区", "Jurisdiction"), 0.12, Align::Left),
                col(l.pick("企业", "Enterprise"), 0.2, Align::Left),
                col(l.pick("结论", "Status"), 0.1, Align::Left),
                col(l.pick("金额", "Amount"), 0.14, Align::Right),
                col(l.pick("理由", "Reasons"), 0.28, Align::Left),
            ];
            let mut rows: Vec<Vec<String>> = sub
                .rows
                .iter()
                .map(|x| {
                    vec![
                        x.rule_title.clone(),
                        x.jurisdiction.clone(),
                        x.enterprise.clone(),
                        status_label(&x.status, l).to_string(),
                        x.amount_cny.map(cny).unwrap_or_else(|| "—".into()),
                        x.reasons
                            .iter()
                            .map(|r| format!("• {r}"))
                            .collect::<Vec<_>>()
                            .join(" "),
                    ]
                })
                .collect();
            rows.push(vec![
                l.pick("合计", "Total").into(),
                String::new(),
                String::new(),
                String::new(),
                cny(sub.total_cny),
                String::new(),
            ]);
            lay.table(&cols, &rows, 8.0);
        }
    }

    lay.new_page();
    lay.heading(l.pick("备案清单", "Filings"));
    if let Some(note) = r.omitted_note() {
        lay.boxed_note(&note, 9.5, NOTE_BG);
    }
    if r.rows.is_empty() {
        lay.boxed_note(r.empty_note().unwrap_or(""), 10.0, HEAD_BG);
    } else {
        let h = super::report::table_headers(l);
        let cols = [
            col(h[0], 0.06, Align::Right),
            col(h[1], 0.1, Align::Left),
            col(h[2], 0.16, Align::Left),
            col(h[3], 0.22, Align::Left),
            col(h[4], 0.21, Align::Left),
            col(h[5], 0.1, Align::Left),
            col(h[6], 0.06, Align::Left),
            col(h[7], 0.09, Align::Left),
        ];
        let rows: Vec<Vec<String>> = r
            .rows
            .iter()
            .map(|x| {
                vec![
                    x.seq.map(|s| s.to_string()).unwrap_or_default(),
                    x.region.clone(),
                    x.model.clone(),
                    x.company.clone(),
                    x.number.clone(),
                    x.filed_on.clone().unwrap_or_default(),
                    kind_label(x.kind, l).to_string(),
                    flags_text(&x.flags, l),
                ]
            })
            .collect();
        lay.table(&cols, &rows, 7.0);
    }

    lay.heading(l.pick("数据来源与可信度", "Data sources and confidence"));
    for line in confidence_lines(s, l) {
        lay.paragraph(&format!("• {line}"), 9.5, INK, 0.0);
    }
    lay.paragraph(
        &format!(
            "• {}",
            l.pick(
                "备案不代表国家网信办的认可，不得用于广告宣传。",
                "A CAC filing is not an endorsement and may not be used in advertising."
            )
        ),
        9.5,
        INK,
        0.0,
    );
    lay.y -= 6.0;
    if r.batches.is_empty() {
        lay.paragraph(
            l.pick("尚未导入任何批次。", "No batches have been imported."),
            9.5,
            INK,
            0.0,
        );
    } else {
        let cols = [
            col(l.pick("批次", "Batch"), 0.07, Align::Right),
            col(l.pick("文件", "File"), 0.25, Align::Left),
            col(l.pick("来源", "Source"), 0.09, Align::Left),
            col(l.pick("导入时间", "Imported at"), 0.18, Align::Left),
            col(l.pick("行数", "Rows"), 0.07, Align::Right),
            col(l.pick("新增", "New"), 0.07, Align::Right),
            col(l.pick("拒绝", "Rejected"), 0.08, Align::Right),
            col("SHA-256", 0.19, Align::Left),
        ];
        let rows: Vec<Vec<String>> = r
            .batches
            .iter()
            .map(|b| {
                vec![
                    b.id.to_string(),
                    b.file_name.clone(),
                    source_label(&b.source, l).to_string(),
                    b.imported_at.clone(),
                    b.rows.to_string(),
                    b.inserted.to_string(),
                    b.rejected.to_string(),
                    b.sha256.clone(),
                ]
            })
            .collect();
        lay.table(&cols, &rows, 7.5);
    }
}

fn col(title: &str, width: f32, align: Align) -> Column {
    Column {
        title: title.to_string(),
        width,
        align,
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

fn write_pdf(
    r: &Report,
    glyphs: &Glyphs,
    font: &FontFile,
    is_cff: bool,
    postscript: &str,
    d: &Descriptor,
    pages: Vec<pdf_writer::Buf>,
) -> Result<Vec<u8>> {
    let subset = subsetter::subset(&font.data, font.index, &glyphs.remapper).map_err(|e| {
        Error::Export(format!(
            "the font {} cannot be embedded: {e}",
            font.path.display()
        ))
    })?;
    let program = if is_cff {
        let raw = ttf_parser::RawFace::parse(&subset, 0)
            .map_err(|e| Error::Export(format!("font subset unreadable: {e}")))?;
        raw.table(ttf_parser::Tag::from_bytes(b"CFF "))
            .ok_or_else(|| Error::Export("font subset has no CFF table".into()))?
            .to_vec()
    } else {
        subset
    };

    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog_id = alloc();
    let tree_id = alloc();
    let info_id = alloc();
    let font_id = alloc();
    let cid_id = alloc();
    let descriptor_id = alloc();
    let cmap_id = alloc();
    let program_id = alloc();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|(p, _)| *p))
        .count(page_ids.len() as i32);
    pdf.document_info(info_id)
        .title(TextStr(&r.title))
        .creator(TextStr("Beian"))
        .producer(TextStr("Beian (pdf-writer)"));

    let tag: String = {
        // A subset tag must be six capital letters; derive it from the glyph count so two
        // different subsets in one viewer do not share a name.
        let mut n = glyphs.widths.len() as u64 * 2_654_435_761 % 308_915_776;
        (0..6)
            .map(|_| {
                let c = (b'A' + (n % 26) as u8) as char;
                n /= 26;
                c
            })
            .collect()
    };
    let ps: String = postscript
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(60)
        .collect();
    let base = format!("{tag}+{ps}");
    let base_type0 = if is_cff {
        format!("{base}-Identity-H")
    } else {
        base.clone()
    };
    pdf.type0_font(font_id)
        .base_font(Name(base_type0.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_id)
        .to_unicode(cmap_id);
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    {
        let mut cid = pdf.cid_font(cid_id);
        cid.subtype(if is_cff {
            CidFontType::Type0
        } else {
            CidFontType::Type2
        })
        .base_font(Name(base.as_bytes()))
        .system_info(system_info)
        .font_descriptor(descriptor_id)
        .default_width(0.0);
        if !is_cff {
            cid.cid_to_gid_map_predefined(Name(b"Identity"));
        }
        cid.widths().consecutive(0, glyphs.widths.iter().copied());
        cid.finish();
    }
    let scale = 1000.0 / d.upem;
    let bbox = Rect::new(
        f32::from(d.bbox.x_min) * scale,
        f32::from(d.bbox.y_min) * scale,
        f32::from(d.bbox.x_max) * scale,
        f32::from(d.bbox.y_max) * scale,
    );
    {
        let mut fd = pdf.font_descriptor(descriptor_id);
        fd.name(Name(base.as_bytes()))
            .flags(FontFlags::SYMBOLIC)
            .bbox(bbox)
            .italic_angle(0.0)
            .ascent(d.ascent * scale)
            .descent(d.descent * scale)
            .cap_height(d.cap_height.unwrap_or(d.ascent) * scale)
            .stem_v(80.0);
        if is_cff {
            fd.font_file3(program_id);
        } else {
            fd.font_file2(program_id);
        }
        fd.finish();
    }
    let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
    let mut pairs: Vec<(&u16, &char)> = glyphs.unicode.iter().collect();
    pairs.sort();
    for (cid, c) in pairs {
        cmap.pair(*cid, *c);
    }
    let cmap_data = deflate(&cmap.finish());
    pdf.stream(cmap_id, &cmap_data).filter(Filter::FlateDecode);
    let program_data = deflate(&program);
    {
        let mut s = pdf.stream(program_id, &program_data);
        s.filter(Filter::FlateDecode);
        if is_cff {
            s.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
        }
        s.finish();
    }
    for ((page_id, content_id), content) in page_ids.iter().zip(pages) {
        {
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
                .parent(tree_id)
                .contents(*content_id);
            page.resources().fonts().pair(Name(b"F1"), font_id);
            page.finish();
        }
        let data = deflate(&content);
        pdf.stream(*content_id, &data).filter(Filter::FlateDecode);
    }
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_font_path_says_what_to_install() {
        assert!(load_font(std::path::Path::new("/nonexistent/font.ttf")).is_none());
        let e = Error::PdfFontMissing {
            searched: "x".into(),
        };
        assert_eq!(e.code(), "pdf_font_missing");
        assert!(e.to_string().contains("fonts-wqy-microhei"));
    }
}
