// The UI's two languages. Chinese is the default (the first users are compliance officers in
// China); English is one click away and the choice is remembered in localStorage.
//
// `zh` is the source of truth for keys: `en` is typed as Record<Key, string>, so a key missing in
// English fails the typecheck instead of showing a raw key at run time.

import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

const zh = {
  "app.title": "备案",
  "app.subtitle": "生成式人工智能服务备案台账",
  "nav.filings": "备案清单",
  "nav.import": "导入",
  "nav.batches": "导入批次",
  "nav.add": "新增备案",
  "nav.settings": "设置",
  "lang.switch": "English",
  "lang.switchTitle": "Switch to English",

  "common.loading": "加载中…",
  "common.retry": "重试",
  "common.cancel": "取消",
  "common.save": "保存",
  "common.back": "返回",
  "common.close": "关闭",
  "common.yes": "是",
  "common.no": "否",
  "common.none": "—",
  "common.total": "共 {n} 条",
  "common.line": "第 {n} 行",
  "common.errorTitle": "操作未完成",
  "common.technicalDetail": "技术细节",

  "kind.filed": "已备案",
  "kind.registered": "已登记",

  "field.seq": "序号",
  "field.region": "属地",
  "field.model": "模型名称",
  "field.company": "备案单位",
  "field.number": "备案编号",
  "field.date": "备案时间",
  "field.kind": "类型",
  "field.flags": "疑点",
  "field.batch": "批次",
  "field.year": "年份",
  "field.firstBatch": "首次出现批次",
  "field.lastBatch": "最近出现批次",
  "field.ignore": "（忽略此列）",

  "filings.title": "备案清单",
  "filings.search": "搜索模型、单位或编号（支持两字中文词）",
  "filings.flaggedOnly": "只看有疑点",
  "filings.clearFilters": "清除筛选",
  "filings.facets": "筛选",
  "filings.flagged": "有疑点",
  "filings.unflagged": "无疑点",
  "filings.flaggedRow": "此条有疑点，点击查看",
  "filings.keyboardHint": "↑↓ 选择 · Enter 打开 · / 搜索",
  "filings.emptyTitle": "还没有任何备案记录",
  "filings.emptyBody": "从国家网信办公布的附件（CSV、Excel）导入清单后，备案会显示在这里。",
  "filings.emptyAction": "导入文件",
  "filings.noMatch": "没有符合条件的备案",
  "filings.noMatchBody": "换个关键词，或清除左侧的筛选条件。",

  "detail.title": "备案详情",
  "detail.fields": "备案信息",
  "detail.numberParts": "编号解析",
  "detail.jurisdiction": "属地拼音",
  "detail.name": "名称拼音",
  "detail.numberDate": "编号日期",
  "detail.sequence": "顺序号",
  "detail.numberRegion": "编号对应属地",
  "detail.checks": "检查与疑点",
  "detail.noProblems": "编号格式、属地与日期检查均通过。",
  "detail.raw": "原始行（导入时原样保存）",
  "detail.rawFrom": "{file} · 第 {line} 行",
  "detail.history": "历次批次中的变化",
  "detail.noHistory": "自首次导入以来没有变化。",
  "detail.company": "该单位的其他备案",
  "detail.noCompany": "该单位没有其他备案。",
  "detail.audit": "人工修改记录",
  "detail.noAudit": "没有人工修改。",
  "detail.auditWhat": "字段",
  "detail.auditBefore": "修改前",
  "detail.auditAfter": "修改后",
  "detail.auditWhen": "时间",
  "detail.edit": "编辑",
  "detail.source": "来源",
  "detail.sourceEdit": "人工修改",

  "import.title": "导入备案清单",
  "import.dropTitle": "把文件拖到这里，或点击选择文件",
  "import.dropHint": "支持 CSV / TSV（UTF-8、GBK/GB18030、UTF-16）与 Excel（.xlsx）。导入前会先预览，确认后才写入。",
  "import.choose": "选择文件…",
  "import.dialogFilter": "备案清单",
  "import.preview": "预览",
  "import.reading": "正在读取并检查文件…",
  "import.file": "文件",
  "import.encoding": "文字编码",
  "import.encodingAuto": "自动识别",
  "import.delimiter": "分隔符",
  "import.delimiterAuto": "自动识别",
  "import.delimComma": "逗号 ,",
  "import.delimTab": "制表符 Tab",
  "import.delimSemicolon": "分号 ;",
  "import.table": "表格",
  "import.tableTitle": "标题",
  "import.headerLine": "表头位于第 {n} 行",
  "import.mapping": "表头对应",
  "import.firstRows": "前 {n} 行",
  "import.issues": "问题与提示（{n}）",
  "import.noIssues": "没有发现问题。",
  "import.severity.error": "错误",
  "import.severity.warning": "提醒",
  "import.willNew": "新增",
  "import.willChanged": "变更",
  "import.willUnchanged": "未变",
  "import.willRejected": "拒收",
  "import.keepGoing": "跳过有错误的行，导入其余行",
  "import.commit": "确认导入",
  "import.commitBlocked": "有错误的行需要先处理，或勾选“跳过有错误的行”。",
  "import.progress": "正在写入… {done} / {total}",
  "import.cancel": "取消导入",
  "import.cancelled": "已取消，没有写入任何内容。",
  "import.summary": "导入完成",
  "import.summaryBody": "批次 #{id}：新增 {new}，变更 {changed}，未变 {unchanged}，拒收 {rejected}。",
  "import.viewRows": "查看本批次的记录",
  "import.another": "再导入一个文件",
  "import.duplicate": "这个文件之前已经导入过（内容完全相同），无需重复导入。",
  "import.refused": "有错误的行，未写入任何内容。请修正文件，或勾选“跳过有错误的行”后再导入。",
  "import.rowsIn": "行数",

  "batches.title": "导入批次",
  "batches.id": "批次",
  "batches.file": "文件",
  "batches.importedAt": "导入时间",
  "batches.encoding": "编码",
  "batches.new": "新增",
  "batches.changed": "变更",
  "batches.unchanged": "未变",
  "batches.rejected": "拒收",
  "batches.empty": "还没有导入过文件。",
  "batches.changes": "批次 #{id} 的新增与变更",
  "batches.change": "变化",
  "batches.change.new": "新增",
  "batches.change.changed": "变更",
  "batches.showRows": "在清单中查看",

  "form.addTitle": "新增备案",
  "form.editTitle": "编辑备案",
  "form.numberValid": "编号格式正确",
  "form.numberInvalid": "编号有问题",
  "form.numberHint": "如 Beijing-WenXinYiYan-20230821 或 Guangdong-Plaud-20251229S0027",
  "form.required": "必填",
  "form.saved": "已保存，修改已记入审计记录。",
  "form.added": "已新增。",
  "form.regionPlaceholder": "选择属地",

  "settings.title": "设置",
  "settings.language": "界面语言",
  "settings.database": "数据库位置",
  "settings.databaseHint": "可用环境变量 BEIAN_DB 指定其他位置。",
  "settings.backup": "备份",
  "settings.backupBody": "把整个数据库（含导入批次、原始行和审计记录）备份到一个文件。",
  "settings.backupAction": "备份到文件…",
  "settings.backupDone": "已备份到 {path}",
  "settings.restore": "恢复",
  "settings.restoreBody": "用备份文件替换当前数据库。当前数据会被覆盖。",
  "settings.restoreAction": "从备份恢复…",
  "settings.restoreConfirm": "确定要用备份文件替换当前数据库吗？此操作不可撤销。",
  "settings.restoreDone": "已从备份恢复。",
  "settings.version": "版本",

  "flag.number_malformed": "编号格式不符",
  "flag.prefix_mismatch": "编号前缀与属地不符",
  "flag.jurisdiction_unknown": "编号前缀不是已知属地",
  "flag.number_date_after_filing": "编号日期晚于备案时间",
  "flag.number_date_long_before": "编号日期比备案时间早 60 天以上",
  "flag.kind_mismatch": "编号类型与表格不符（备案/登记）",
  "flag.model_company_swapped": "模型名称与备案单位疑似颠倒",
  "flag.stray_leading_char": "单位名称开头有多余字符",
  "flag.region_inherited": "属地为空，沿用上一行（合并单元格）",

  "issue.number_empty": "备案编号为空",
  "issue.number_bad_date": "编号中的日期不是有效日期",

  "error.file_empty": "文件是空的。",
  "error.file_undecodable": "无法识别文件的文字编码。请在预览中手动选择编码（如 GB18030）。",
  "error.unknown_encoding": "不支持这种文字编码。请选择 UTF-8、GB18030、GBK 或 UTF-16。",
  "error.unknown_delimiter": "不支持这种分隔符。请选择逗号、制表符或分号。",
  "error.not_a_table": "文件里没有找到备案表格：没有一行包含“序号、属地、模型名称、备案单位、备案编号、备案时间”等表头。这是网信办公布的附件吗？",
  "error.no_number_column": "表格缺少“备案编号”列。请在表头对应中指定哪一列是备案编号。",
  "error.spreadsheet_unreadable": "无法读取这个 Excel 文件，它可能已损坏或受密码保护。",
  "error.file_too_large": "文件太大，无法导入。",
  "error.not_found": "没有找到这条记录，它可能已被删除。",
  "error.duplicate_number": "已有相同备案编号的记录。",
  "error.invalid_fields": "填写的内容有问题，请检查标红的字段。",
  "error.invalid_input": "填写的内容有问题，请检查后再试。",
  "error.already_imported": "这个文件之前已经导入过（内容完全相同）。",
  "error.cancelled": "已取消，没有写入任何内容。",
  "error.database": "数据库出错。可以在设置中从备份恢复，或联系技术支持。",
  "error.db_open": "无法打开数据库文件。请确认文件位置可写，或在设置中查看数据库位置。",
  "error.io": "无法读写文件。请确认文件存在且有访问权限。",
  "error.file_unreadable": "无法读取这个文件。请确认文件存在且有访问权限。",
  "error.plan_expired": "预览已过期，请重新选择文件。",
  "error.registry_unavailable": "数据库没有打开，无法进行此操作。",
  "error.busy": "另一项导入正在进行，请稍候。",
  "error.unknown": "出现了意外错误。",
} as const;

export type Key = keyof typeof zh;

const en: Record<Key, string> = {
  "app.title": "Beian",
  "app.subtitle": "Gen-AI filings register",
  "nav.filings": "Filings",
  "nav.import": "Import",
  "nav.batches": "Batches",
  "nav.add": "Add filing",
  "nav.settings": "Settings",
  "lang.switch": "中文",
  "lang.switchTitle": "切换到中文",

  "common.loading": "Loading…",
  "common.retry": "Retry",
  "common.cancel": "Cancel",
  "common.save": "Save",
  "common.back": "Back",
  "common.close": "Close",
  "common.yes": "Yes",
  "common.no": "No",
  "common.none": "—",
  "common.total": "{n} in total",
  "common.line": "line {n}",
  "common.errorTitle": "That did not work",
  "common.technicalDetail": "Technical detail",

  "kind.filed": "Filed",
  "kind.registered": "Registered",

  "field.seq": "No.",
  "field.region": "Region",
  "field.model": "Model",
  "field.company": "Company",
  "field.number": "Filing number",
  "field.date": "Filed on",
  "field.kind": "Kind",
  "field.flags": "Flags",
  "field.batch": "Batch",
  "field.year": "Year",
  "field.firstBatch": "First seen in batch",
  "field.lastBatch": "Last seen in batch",
  "field.ignore": "(ignore this column)",

  "filings.title": "Filings",
  "filings.search": "Search model, company or number",
  "filings.flaggedOnly": "Flagged only",
  "filings.clearFilters": "Clear filters",
  "filings.facets": "Filters",
  "filings.flagged": "Flagged",
  "filings.unflagged": "Not flagged",
  "filings.flaggedRow": "This filing is flagged; open it to see why",
  "filings.keyboardHint": "↑↓ select · Enter open · / search",
  "filings.emptyTitle": "No filings yet",
  "filings.emptyBody": "Import a list published by the CAC (CSV or Excel) and its filings will show here.",
  "filings.emptyAction": "Import a file",
  "filings.noMatch": "No filings match",
  "filings.noMatchBody": "Try another word, or clear the filters on the left.",

  "detail.title": "Filing",
  "detail.fields": "Filing",
  "detail.numberParts": "Number, parsed",
  "detail.jurisdiction": "Jurisdiction",
  "detail.name": "Name",
  "detail.numberDate": "Date in number",
  "detail.sequence": "Sequence",
  "detail.numberRegion": "Region of prefix",
  "detail.checks": "Checks and flags",
  "detail.noProblems": "Number grammar, region and date checks all pass.",
  "detail.raw": "Raw row as imported",
  "detail.rawFrom": "{file} · line {line}",
  "detail.history": "History across batches",
  "detail.noHistory": "Unchanged since it was first imported.",
  "detail.company": "Other filings of this company",
  "detail.noCompany": "This company has no other filings.",
  "detail.audit": "Audit trail of manual changes",
  "detail.noAudit": "No manual changes.",
  "detail.auditWhat": "Field",
  "detail.auditBefore": "Before",
  "detail.auditAfter": "After",
  "detail.auditWhen": "When",
  "detail.edit": "Edit",
  "detail.source": "Source",
  "detail.sourceEdit": "Manual edit",

  "import.title": "Import a filings list",
  "import.dropTitle": "Drop a file here, or click to choose one",
  "import.dropHint": "CSV / TSV (UTF-8, GBK/GB18030, UTF-16) and Excel (.xlsx). You see a preview first; nothing is written until you confirm.",
  "import.choose": "Choose a file…",
  "import.dialogFilter": "Filings lists",
  "import.preview": "Preview",
  "import.reading": "Reading and checking the file…",
  "import.file": "File",
  "import.encoding": "Encoding",
  "import.encodingAuto": "Detect",
  "import.delimiter": "Delimiter",
  "import.delimiterAuto": "Detect",
  "import.delimComma": "Comma ,",
  "import.delimTab": "Tab",
  "import.delimSemicolon": "Semicolon ;",
  "import.table": "Table",
  "import.tableTitle": "Title",
  "import.headerLine": "Header on line {n}",
  "import.mapping": "Header mapping",
  "import.firstRows": "First {n} rows",
  "import.issues": "Errors and warnings ({n})",
  "import.noIssues": "No problems found.",
  "import.severity.error": "Error",
  "import.severity.warning": "Warning",
  "import.willNew": "New",
  "import.willChanged": "Changed",
  "import.willUnchanged": "Unchanged",
  "import.willRejected": "Rejected",
  "import.keepGoing": "Skip rows with errors and import the rest",
  "import.commit": "Import",
  "import.commitBlocked": "Some rows have errors: fix the file, or tick “skip rows with errors”.",
  "import.progress": "Writing… {done} / {total}",
  "import.cancel": "Cancel import",
  "import.cancelled": "Cancelled; nothing was written.",
  "import.summary": "Import finished",
  "import.summaryBody": "Batch #{id}: {new} new, {changed} changed, {unchanged} unchanged, {rejected} rejected.",
  "import.viewRows": "See this batch's filings",
  "import.another": "Import another file",
  "import.duplicate": "This exact file was imported before; there is nothing new in it.",
  "import.refused": "Some rows have errors, so nothing was written. Fix the file, or tick “skip rows with errors” and import again.",
  "import.rowsIn": "Rows",

  "batches.title": "Import batches",
  "batches.id": "Batch",
  "batches.file": "File",
  "batches.importedAt": "Imported at",
  "batches.encoding": "Encoding",
  "batches.new": "New",
  "batches.changed": "Changed",
  "batches.unchanged": "Unchanged",
  "batches.rejected": "Rejected",
  "batches.empty": "No file has been imported yet.",
  "batches.changes": "What batch #{id} added and changed",
  "batches.change": "Change",
  "batches.change.new": "New",
  "batches.change.changed": "Changed",
  "batches.showRows": "Show in filings",

  "form.addTitle": "Add a filing",
  "form.editTitle": "Edit filing",
  "form.numberValid": "The number is well formed",
  "form.numberInvalid": "The number has problems",
  "form.numberHint": "e.g. Beijing-WenXinYiYan-20230821 or Guangdong-Plaud-20251229S0027",
  "form.required": "Required",
  "form.saved": "Saved; the change is in the audit trail.",
  "form.added": "Added.",
  "form.regionPlaceholder": "Choose a region",

  "settings.title": "Settings",
  "settings.language": "Language",
  "settings.database": "Database location",
  "settings.databaseHint": "Set the BEIAN_DB environment variable to use another file.",
  "settings.backup": "Back up",
  "settings.backupBody": "Copy the whole database (batches, raw rows, audit trail) to a file.",
  "settings.backupAction": "Back up to a file…",
  "settings.backupDone": "Backed up to {path}",
  "settings.restore": "Restore",
  "settings.restoreBody": "Replace the current database with a backup. Current data is overwritten.",
  "settings.restoreAction": "Restore from a backup…",
  "settings.restoreConfirm": "Replace the current database with this backup? This cannot be undone.",
  "settings.restoreDone": "Restored from the backup.",
  "settings.version": "Version",

  "flag.number_malformed": "Number does not follow the grammar",
  "flag.prefix_mismatch": "Number prefix does not match the region",
  "flag.jurisdiction_unknown": "Number prefix is not a known region",
  "flag.number_date_after_filing": "Date in number is after the filing date",
  "flag.number_date_long_before": "Date in number is over 60 days before the filing date",
  "flag.kind_mismatch": "Number kind does not match the table (filed/registered)",
  "flag.model_company_swapped": "Model and company look swapped",
  "flag.stray_leading_char": "Company name starts with a stray character",
  "flag.region_inherited": "Region was empty; taken from the row above (merged cell)",

  "issue.number_empty": "The filing number is empty",
  "issue.number_bad_date": "The date inside the number is not a calendar date",

  "error.file_empty": "The file is empty.",
  "error.file_undecodable": "Cannot tell the file's text encoding. Choose one in the preview (e.g. GB18030).",
  "error.unknown_encoding": "That encoding is not supported. Choose UTF-8, GB18030, GBK or UTF-16.",
  "error.unknown_delimiter": "That delimiter is not supported. Choose comma, tab or semicolon.",
  "error.not_a_table": "No filings table in this file: no line has the CAC headers (序号, 属地, 模型名称, 备案单位, 备案编号, 备案时间). Is it a CAC attachment?",
  "error.no_number_column": "The table has no filing-number column. Map one in the header mapping.",
  "error.spreadsheet_unreadable": "Cannot read this Excel file; it may be damaged or password-protected.",
  "error.file_too_large": "The file is too large to import.",
  "error.not_found": "That record was not found; it may have been removed.",
  "error.duplicate_number": "A filing with this number already exists.",
  "error.invalid_fields": "Some fields need attention; check the ones marked in red.",
  "error.invalid_input": "Some input needs attention; check it and try again.",
  "error.already_imported": "This exact file was imported before.",
  "error.cancelled": "Cancelled; nothing was written.",
  "error.database": "The database reported an error. Restore from a backup in Settings, or contact support.",
  "error.db_open": "Cannot open the database file. Check that its location is writable (see Settings).",
  "error.io": "Cannot read or write the file. Check that it exists and you may access it.",
  "error.file_unreadable": "Cannot read this file. Check that it exists and you may access it.",
  "error.plan_expired": "This preview has expired; choose the file again.",
  "error.registry_unavailable": "The database is not open, so this cannot be done.",
  "error.busy": "Another import is running; please wait.",
  "error.unknown": "Something unexpected went wrong.",
};

export type Lang = "zh-CN" | "en";
const dictionaries: Record<Lang, Record<Key, string>> = { "zh-CN": zh, en };
const STORAGE_KEY = "beian.lang";

function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "zh-CN";
  } catch {
    return "zh-CN";
  }
}

export type Translate = (key: Key, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
  /** Looks up a key built at run time (an error or flag code); undefined when there is none. */
  tryT: (key: string) => string | undefined;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      // Private storage may be unavailable; the choice then lasts for this session only.
    }
    document.documentElement.lang = l;
  }, []);
  const value = useMemo<I18n>(() => {
    const dict = dictionaries[lang];
    const t: Translate = (key, vars) => {
      let s = dict[key];
      if (vars) {
        for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
      }
      return s;
    };
    const tryT = (key: string) => (key in dict ? dict[key as Key] : undefined);
    return { lang, setLang, t, tryT };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error("useI18n outside I18nProvider");
  return ctx;
}
