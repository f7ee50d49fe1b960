#!/usr/bin/env python3
"""Writes the small hostile files of the bad-file corpus (tests/corpus.rs says what each must
produce). Run from this directory; the output is committed so the tests need no Python. The big
and binary cases (a 10 MB field, 100k columns, ZIP bomb, truncated and misnamed workbooks) are
built by tests/corpus.rs itself rather than committed."""

import zlib
import struct

HEADER = ["序号", "属地", "模型名称", "备案单位", "备案编号", "备案时间"]
ROWS = [
    ["1", "北京市", "文心一言", "北京百度网讯科技有限公司", "Beijing-WenXinYiYan-20230821", "2023/8/31"],
    ["2", "北京市", "智谱清言", "北京智谱华章科技有限公司", "Beijing-ChatGLM-20230821", "2023/8/31"],
    ["3", "浙江省", "通义千问大模型", "阿里巴巴达摩院（杭州）科技有限公司", "ZheJiang-TongYiQianWen-20230901", "2023/9/12"],
]


def cell(c, sep):
    # Quoted only when the delimiter is inside: the unclosed- and stray-quote cases need raw quotes.
    return '"' + c.replace('"', '""') + '"' if sep in c else c


def csv(rows, sep=","):
    return "".join(sep.join(cell(c, sep) for c in r) + "\r\n" for r in rows)


def table(rows=ROWS, header=HEADER, sep=","):
    return csv([header] + rows, sep)


def write(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(name, "wb") as f:
        f.write(data)


def replaced(i, col, value):
    rows = [list(r) for r in ROWS]
    rows[i][col] = value
    return rows


# --- encodings -------------------------------------------------------------------------------
# A UTF-8 header over rows pasted from a GBK file: neither encoding reads the whole file.
write("mixed_utf8_gbk.csv", csv([HEADER]).encode("utf-8") + csv(ROWS).encode("gb18030"))
# One damaged byte inside a company name of an otherwise good UTF-8 file.
good = table().encode("utf-8")
cut = good.index("百度".encode("utf-8"))
write("invalid_utf8_middle.csv", good[:cut] + b"\xff" + good[cut + 1:])
# A multi-byte character cut off at the very end.
write("truncated_utf8_tail.csv", good + "北".encode("utf-8")[:2])
# Latin-1 text (a European export): decodes, but no header is a CAC header.
write("latin1_not_cac.csv", "Région;Modèle;Société\r\nÎle-de-France;Modèle été;Société Générale\r\n".encode("latin-1"))
# UTF-16LE with a BOM and an odd number of bytes (a half code unit at the end).
write("utf16le_odd_length.csv", b"\xff\xfe" + table().encode("utf-16-le") + b"\x41")
# UTF-16 BOM, then an unpaired surrogate in the middle.
u16 = table().encode("utf-16-le")
write("utf16le_lone_surrogate.csv", b"\xff\xfe" + u16[:40] + b"\x00\xd8" + u16[40:])
# GB18030 with a lead byte and no trail byte in the middle of a row.
gb = table().encode("gb18030")
mid = gb.index("百度".encode("gb18030"))
write("gb18030_broken_pair.csv", gb[:mid] + b"\x81\x20" + gb[mid + 2:])

# --- empty and almost empty ------------------------------------------------------------------
write("empty.csv", b"")
write("lone_bom_utf8.csv", b"\xef\xbb\xbf")
write("lone_bom_utf16le.csv", b"\xff\xfe")
write("whitespace_only.csv", " \r\n\t\r\n\u3000\r\n".encode("utf-8"))
write("zero_width_only.csv", "\u200b\u200b\r\n\ufeff".encode("utf-8"))
write("header_only.csv", csv([HEADER]))
write("header_and_blank_rows.csv", csv([HEADER, [""] * 6, [""] * 6]))
write("title_only.csv", "附件1：生成式人工智能服务已备案信息\r\n")
write("prose_not_a_table.txt", "这是一份会议纪要，没有表格。\r\n第二行。\r\n")
write("no_number_column.csv", table(header=["序号", "属地", "模型名称", "备案单位", "编号", "备案时间"]))

# --- NUL bytes -------------------------------------------------------------------------------
# A few NULs as some exporters pad: dropped, the rows import.
write("nul_padding.csv", table().encode("utf-8") + b"\x00\x00")
# NULs everywhere: binary, not text.
write("nul_heavy.csv", b"\x00".join(table().encode("utf-8")[i:i + 3] for i in range(0, 300, 3)))

# --- structure -------------------------------------------------------------------------------
# Line 3 lacks its last two cells; line 4 has two extra ones.
write("ragged_rows.csv", csv([HEADER, ROWS[0], ROWS[1][:4], ROWS[2] + ["多余", "extra"]]))
# A quote opened on line 3 and never closed swallows the rest of the file into one cell.
write("unclosed_quote.csv", csv([HEADER, ROWS[0], replaced(1, 2, '"智谱清言')[1], ROWS[2]]))
# A stray quote in the middle of a cell is kept as text.
write("quote_inside_cell.csv", csv([HEADER] + replaced(0, 2, '文心"一言')))
# Old Mac line ends (CR only).
write("cr_only_lines.csv", table().replace("\r\n", "\r"))
# 1,001 delimiters on one line.
write("too_many_columns_line.csv", csv([HEADER, ROWS[0]]) + "," * 1000 + "\r\n")

# --- rows ------------------------------------------------------------------------------------
write("duplicate_rows.csv", csv([HEADER] + ROWS + [ROWS[0]]))
write("conflicting_rows.csv", csv([HEADER] + ROWS + [ROWS[0][:3] + ["另一家科技有限公司"] + ROWS[0][4:]]))
write("date_feb_30.csv", table(replaced(1, 5, "2024/2/30")))
write("date_day_zero.csv", table(replaced(1, 5, "1900/1/0")))
write("date_serial_out_of_range.csv", table(replaced(1, 5, "99999999")))
write("date_serial_fake_leap_day.csv", table(replaced(1, 5, "60")))
write("region_unknown.csv", table(replaced(2, 1, "火星")))
write("number_missing.csv", table(replaced(2, 4, "")))
write("swapped_model_company.csv", table([[r[0], r[1], r[3], r[2], r[4], r[5]] if i == 1 else r for i, r in enumerate(ROWS)]))
write("stray_leading_char.csv", table(replaced(0, 3, "、北京百度网讯科技有限公司")))

# --- hostile text: accepted and kept byte for byte -------------------------------------------
write("formula_text.csv", table([
    replaced(0, 2, '=HYPERLINK("http://example.invalid/x","点击")')[0],
    replaced(1, 2, "+cmd|' /C calc'!A0")[1],
    replaced(2, 2, "@SUM(1+1)*cmd|' /C calc'!A0")[2],
]))
write("html_script.csv", table([
    replaced(0, 2, "<script>alert('x')</script>")[0],
    replaced(1, 3, '<img src=x onerror="alert(1)">北京智谱华章科技有限公司')[1],
    replaced(2, 2, "<a href=\"javascript:alert(1)\">通义</a>")[2],
]))
write("bidi_override.csv", table([
    replaced(0, 2, "文心\u202eecnarf\u202c一言")[0],
    # Inside a number the override is folded out of the key, so this is still Beijing-ChatGLM.
    replaced(1, 4, "Beijing-Chat\u202eGLM-20230821")[1],
    ROWS[2],
]))
write("zero_width_inside.csv", table([
    replaced(0, 2, "文心\u200b一言")[0],
    replaced(1, 4, "Beijing-Chat\u200bGLM-20230821")[1],
    ROWS[2],
]))


# --- not text at all -------------------------------------------------------------------------
def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


png = (b"\x89PNG\r\n\x1a\n"
       + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
       + png_chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00" * 4))
       + png_chunk(b"IEND", b""))
write("png_named.csv", png)
write("pdf_document.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
write("pdf_named.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n%%EOF\n")
# An OLE2 (Excel 97) signature followed by nothing a reader can use.
write("ole2_truncated.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56)
# A ZIP signature and nothing after it.
write("zip_magic_only.xlsx", b"PK\x03\x04")
