#!/usr/bin/env bash
# Fuzzes the import pipeline with AFL++ on stable Rust (needs `cargo install cargo-afl`).
#   fuzz/run.sh [SECONDS]       default 1800; findings land in fuzz/out/default/crashes
# Copy any crash input into tests/corpus/regressions/ so `cargo test` replays it for good.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-1800}"
cargo afl build --release
rm -rf seeds && mkdir -p seeds
python3 - <<'PY'
import os, zipfile, io
# The harness reads its first byte as a knob (file name, forced encoding/delimiter, keep-going);
# 0 means "f.csv, detect everything".
srcs = ["../tests/fixtures/import", "../tests/corpus", "../data/filings"]
n = 0
for d in srcs:
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if not os.path.isfile(p) or name.endswith((".py", ".rs")) or os.path.getsize(p) > 64 << 10:
            continue
        data = open(p, "rb").read()
        open(f"seeds/{n:03d}", "wb").write(b"\x00" + data); n += 1
# A minimal XLSX with inline strings, so the spreadsheet path has a seed that parses.
rows = [["序号", "属地", "模型名称", "备案单位", "备案编号", "备案时间"],
        ["1", "北京市", "文心一言", "北京百度网讯科技有限公司", "Beijing-WenXinYiYan-20230821", "2023/8/31"]]
cells = "".join(
    f'<row r="{r+1}">' + "".join(f'<c r="{chr(65+c)}{r+1}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in enumerate(row)) + "</row>"
    for r, row in enumerate(rows))
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
files = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0"?><workbook {ns} {rel}><sheets><sheet name="已备案" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet {ns}><sheetData>{cells}</sheetData></worksheet>',
}
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    for k, v in files.items():
        z.writestr(k, v)
open(f"seeds/{n:03d}", "wb").write(b"\x01" + buf.getvalue()); n += 1
print(f"{n} seeds")
PY
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
exec cargo afl fuzz -i seeds -o out -t 5000 -V "$seconds" target/release/import
