// End-to-end tests that drive the real Beian window (Tauri + WebKitGTK under Xvfb) through
// tauri-driver. One app session for the whole file: starting WebKit costs seconds, and the steps
// build on each other the way a person's session would (import, then find the new rows).
//
// Run: ./dev test (builds everything first), or `node --test tests/e2e/` after a build.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtures, Session, startApp } from "./harness.mjs";

/** @type {import("./harness.mjs").Session} */
let s;

before(async () => {
  s = await startApp();
});

after(async () => {
  await s?.close();
});

/** Clicks the sidebar entry for a screen (rc-menu ids end with the item key). */
async function goTo(key) {
  await s.click(await s.waitCss(`li[data-menu-id$="-${key}"]`));
}

/** Imports a fixture through the import screen: the hook takes the path a drop would deliver. */
async function importFixture(name) {
  await goTo("import");
  await s.waitCss('[data-testid="drop-zone"]');
  await s.openPath(join(fixtures, name));
  await s.waitCss('[data-testid="import-preview"]');
}

async function commitImport() {
  await s.click(await s.waitCss('[data-testid="commit"]'));
  return s.waitCss('[data-testid="import-summary"]', 60_000);
}

async function searchFor(text) {
  const input = await s.waitCss('input[data-testid="search"], [data-testid="search"] input');
  await s.click(input);
  await s.type(input, text);
}

test("opens on the bundled filings", async () => {
  await s.waitText("文心一言", 60_000);
  const text = await s.bodyText();
  assert.match(text, /北京百度网讯科技有限公司/);
  assert.match(text, /备案清单/);
  // The facet panel counts the bundled rows by region. Waited for: the rows above may still be
  // public/launch.js's plain copy, which the real screen replaces a moment later.
  assert.ok(await s.waitCss('[data-facet="region"] [data-facet-value="北京市"]'));
  await s.screenshot("01-filings");
});

test("keyboard: arrows select a row, Enter opens it, Back returns", async () => {
  const third = await s.exec(
    "return document.querySelectorAll('.filings-table tbody tr[data-number]')[2].getAttribute('data-number');",
  );
  // Focus the page body (not the search box) so the arrows move the selection.
  await s.exec("document.activeElement && document.activeElement.blur();");
  await s.keys("\uE015", "\uE015");
  await s.waitCss(`tr.row-selected[data-number="${third}"]`);
  await s.keys("\uE007");
  await s.waitCss('[data-testid="filing-detail"]');
  await s.waitText(third);
  await s.click(await s.waitCss('[data-testid="back"]'));
  await s.waitCss(".filings-table");
});

test("search finds a two-character Chinese word", async () => {
  await searchFor("星火");
  await s.waitFor("only matching rows", async () => {
    const rows = await s.exec(
      "return [...document.querySelectorAll('.filings-table tbody tr[data-number]')].map(r => r.innerText);",
    );
    return rows.length >= 1 && rows.every((r) => r.includes("星火")) && rows.some((r) => r.includes("星火认知大模型"));
  });
  await s.screenshot("02-search");
});

test("opens a filing's detail", async () => {
  await s.click(await s.waitCss('tr[data-number="Anhui-XingHuoRenZhiDaMoXing-20230823"] td:nth-child(2)'));
  await s.waitCss('[data-testid="filing-detail"]');
  await s.waitText("科大讯飞股份有限公司");
  const text = await s.bodyText();
  assert.match(text, /编号解析/);
  assert.match(text, /Anhui/);
  assert.match(text, /安徽省/);
  assert.match(text, /原始行/);
  await s.screenshot("03-detail");
});

test("edits a filing and shows the audit entry", async () => {
  await s.click(await s.waitCss('[data-testid="edit"]'));
  const model = await s.waitCss('input[data-testid="field-model"]');
  await s.waitFor("form filled", async () => (await s.exec("return arguments[0].value;", Session.el(model))) === "星火认知大模型");
  // WebDriver types at the end of the field: the new name is the old one plus "V4".
  await s.type(model, "V4");
  await s.waitCss('[data-testid="number-check"]');
  await s.screenshot("04-edit-form");
  await s.click(await s.find('[data-testid="save"]'));
  await s.waitCss('[data-testid="filing-detail"]');
  await s.waitFor("audit entry", async () => {
    const audit = await s.text(await s.find('[data-testid="audit"]'));
    return audit.includes("星火认知大模型V4") && audit.includes("星火认知大模型");
  });
  await s.screenshot("05-audit");
});

test("imports a GB18030 file through the import screen", async () => {
  await importFixture("gb18030-batch.csv");
  const enc = await s.text(await s.find('[data-testid="detected-encoding"]'));
  assert.match(enc, /GB18030|GBK/i);
  await s.waitText("灵犀测试大模型");
  await s.screenshot("06-import-preview");
  await commitImport();
  const summary = await s.bodyText();
  assert.match(summary, /新增 3/);
  await s.screenshot("07-import-summary");
  await s.click(await s.find('[data-testid="view-batch"]'));
  await s.waitText("灵犀测试大模型");
  await s.waitText("深圳南粤数智有限公司");
  await s.waitText("京华智写");
  await s.screenshot("08-new-rows");
});

test("shows HTML in an imported company name as text", async () => {
  await importFixture("html-names.csv");
  await commitImport();
  await s.click(await s.find('[data-testid="view-batch"]'));
  await s.waitText("<img src=x onerror=alert(1)>恶意测试公司");
  await s.waitText("<b>粗体模型</b>");
  const injected = await s.exec(
    "return { imgs: document.querySelectorAll('img[src=\"x\"]').length," +
      " bolds: [...document.querySelectorAll('b')].filter(b => b.textContent === '粗体模型').length };",
  );
  assert.deepEqual(injected, { imgs: 0, bolds: 0 });
  // No alert() ran: WebDriver reports "no such alert".
  await assert.rejects(s.cmd("GET", "/alert/text"), (e) => e.webdriver === "no such alert");
  await s.screenshot("09-html-as-text");
  await s.click(await s.waitCss('tr[data-number="Shanghai-CuTiMoXing-202508010001"] td:nth-child(2)'));
  await s.waitCss('[data-testid="filing-detail"]');
  await s.waitText("<b>粗体模型</b>");
  await s.screenshot("10-html-detail");
});

test("lists every problem with its line, and imports the good rows only when asked", async () => {
  await importFixture("with-errors.csv");
  await s.waitFor("issues with lines", async () => {
    const rows = await s.exec(
      "return [...document.querySelectorAll('[data-testid=\"issues\"] tbody tr')].map(r => r.innerText);",
    );
    return (
      rows.some((r) => r.includes("错误") && r.includes("3") && r.includes("备案编号为空")) &&
      rows.some((r) => r.includes("提醒") && r.includes("4") && r.includes("编号前缀与属地不符"))
    );
  });
  // A file with errors is not committed until the person chooses to skip the bad rows.
  const commit = await s.find('[data-testid="commit"]');
  assert.equal(await s.exec("return arguments[0].disabled;", Session.el(commit)), true);
  await s.screenshot("11-import-errors");
  await s.click(await s.find('[data-testid="keep-going"]'));
  await s.click(commit);
  await s.waitCss('[data-testid="import-summary"]', 60_000);
  assert.match(await s.bodyText(), /新增 2，变更 0，未变 0，拒收 1/);
});

test("keyboard: a flagged row's reasons show when the arrows select it", async () => {
  // The import above flagged 天府助手 (a Beijing number in 四川省); the bundled filings have no flag.
  await goTo("filings");
  const clear = await s.findAll(".clear-filters");
  if (clear.length > 0) await s.click(clear[0]);
  await s.waitCss(".filings-table tbody tr.row-flagged");
  const at = await s.exec(
    "return [...document.querySelectorAll('.filings-table tbody tr[data-number]')].findIndex(r => r.classList.contains('row-flagged'));",
  );
  assert.ok(at >= 0, "a flagged row is on the first page");
  const tipShown = () =>
    s.exec(
      "const t = document.querySelector('.filings-table tbody tr.row-flagged .flag-mark .tip'); return getComputedStyle(t).display !== 'none';",
    );
  assert.equal(await tipShown(), false, "hidden until the row is selected or hovered");
  await s.exec("document.activeElement && document.activeElement.blur();");
  // The first row is selected to begin with, and shows no reasons until the arrows move the
  // selection; each arrow moves it one row down (the last arrow stays on the last row).
  await s.keys(...Array(Math.max(at, 1)).fill("\uE015"));
  if (at === 0) await s.keys("\uE013");
  await s.waitCss("tr.row-selected.row-flagged");
  await s.waitFor("the reasons shown", tipShown);
  const described = await s.exec(
    "const m = document.querySelector('tr.row-selected .flag-mark'); return document.getElementById(m.getAttribute('aria-describedby')).innerText;",
  );
  assert.ok(described.trim().length > 0, "the mark is described by its reasons");
  await s.screenshot("11a-flag-reasons");
});

test("cancels an import while it writes, and nothing of it is kept", async () => {
  /** The 北京市 count in the region facet of the Filings screen, as shown. */
  const beijing = async () => {
    await goTo("filings");
    const item = await s.waitCss('[data-facet="region"] [data-facet-value="北京市"]');
    return s.exec("return arguments[0].innerText;", Session.el(item));
  };
  const before = await beijing();
  // Big enough that the import is still writing when the cancel lands, in a release build too.
  const rows = ["序号,属地,模型名称,备案单位,备案编号,备案时间"];
  for (let i = 1; i <= 30_000; i++) {
    const n = String(i).padStart(5, "0");
    rows.push(`${i},北京市,撤回测试模型${n},北京撤回测试科技有限公司,Beijing-CheHui${n}-20250801${n},2025/8/1`);
  }
  const file = join(s.dataHome, "cancel-me.csv");
  writeFileSync(file, rows.join("\n") + "\n");
  await goTo("import");
  await s.waitCss('[data-testid="drop-zone"]');
  await s.openPath(file);
  await s.waitCss('[data-testid="import-preview"]', 120_000);
  await s.click(await s.waitCss('[data-testid="commit"]'));
  // Cancelled once the shell has written some rows (a cancel before it starts would be lost).
  await s.waitFor(
    "rows being written",
    async () => /正在写入… [1-9][0-9,]* \//.test(await s.bodyText()),
    120_000,
  );
  await s.click(await s.waitCss('[data-testid="cancel-import"]'));
  await s.waitText("已取消，没有写入任何内容。", 60_000);
  // Back at the preview, so the import can be started again.
  assert.ok(await s.find('[data-testid="import-preview"]'));
  assert.ok(await s.find('[data-testid="commit"]'));
  await s.screenshot("11b-import-cancelled");
  assert.equal(await beijing(), before);
  await goTo("batches");
  await s.waitText("gb18030-batch.csv");
  assert.doesNotMatch(await s.bodyText(), /cancel-me\.csv/);
});

test("lists the batches and what one added", async () => {
  await goTo("batches");
  await s.waitText("gb18030-batch.csv");
  await s.click(await s.waitXPath("//td[contains(., 'gb18030-batch.csv')]"));
  await s.waitText("南粤问答助手");
  await s.screenshot("12-batches");
});

test("checks a new number live on the add form", async () => {
  await goTo("add");
  const number = await s.waitCss('input[data-testid="field-number"]');
  await s.type(number, "Beijing-Foo-2024");
  await s.waitFor("invalid verdict", async () => (await s.text(await s.find('[data-testid="number-check"]'))).includes("编号有问题"));
  await s.type(number, "0101");
  await s.waitFor("valid verdict", async () => (await s.text(await s.find('[data-testid="number-check"]'))).includes("编号格式正确"));
  await s.screenshot("13-add-form");
});

test("settings show where the database lives", async () => {
  await goTo("settings");
  const path = await s.text(await s.waitCss('[data-testid="db-path"]'));
  assert.ok(path.startsWith(s.dataHome), `${path} is under the run's own XDG_DATA_HOME`);
  await s.screenshot("14-settings");
});

/**
 * Runs `fn` while the page's dialog hook answers with `path`: native open/save dialogs are outside
 * the page, so the hook stands in for the file a person would pick.
 */
async function withDialogPath(kind, path, fn) {
  const hook = kind === "save" ? "__beianE2ESavePath" : "__beianE2EOpenPath";
  await s.exec(`window.${hook} = arguments[0];`, path);
  try {
    await fn();
  } finally {
    await s.exec(`delete window.${hook};`);
  }
}

test("backs the database up to a file from the Settings button", async () => {
  const target = join(s.dataHome, "backup.sqlite");
  await withDialogPath("save", target, async () => {
    await s.click(await s.waitCss('[data-testid="backup"]'));
    await s.waitText("已备份到");
  });
  assert.ok(statSync(target).size > 0);
});

/** The database path Settings shows, once it is `expected`. */
async function waitDbPath(expected) {
  return s.waitFor(`database path ${expected}`, async () => (await s.text(await s.find('[data-testid="db-path"]'))) === expected);
}

/** Settings' "new database" button, answered with `path`. */
async function createDb(path) {
  await withDialogPath("save", path, async () => {
    await s.click(await s.waitCss('[data-testid="db-create"]'));
    await waitDbPath(path);
  });
}

/**
 * The Hangzhou rule's figures on the Subsidies screen. The evaluation runs on a connection of its
 * own, so this also tells which registry that connection reads.
 */
async function hangzhou() {
  await goTo("subsidies");
  return s.text(await s.waitCss('[data-rule="hangzhou-model-filing"]', 60_000));
}

/** Batch file names on the Batches screen: which registry is open, as a person would check. */
async function batchFiles() {
  await goTo("batches");
  await s.waitText("cac-2024-03-seed-excerpt.csv");
  return s.bodyText();
}

test("starts a new database, refuses a file that is not one, and goes back to the default", async () => {
  await goTo("settings");
  const original = await s.text(await s.waitCss('[data-testid="db-path"]'));
  assert.match(await s.text(await s.find('[data-testid="db-source"]')), /默认位置/);
  const fresh = join(s.dataHome, "team", "shared-registry.sqlite");
  // Evaluated on the default registry first, which holds this session's imports (a Zhejiang
  // company among them): the switch must close that connection, and reopen on the way back.
  const withImports = await hangzhou();

  await goTo("settings");
  await createDb(fresh);
  assert.match(await s.text(await s.find('[data-testid="db-source"]')), /在此选择/);
  assert.ok(statSync(fresh).size > 0);
  // Remembered for the next launch (and for the CLI), beside the default database.
  const remembered = JSON.parse(readFileSync(join(s.dataHome, "beian", "location.json"), "utf8"));
  assert.equal(remembered.database, fresh);
  await s.screenshot("16-database-new");
  // The new registry holds the bundled filings only: none of this session's imports.
  assert.doesNotMatch(await batchFiles(), /gb18030-batch\.csv/);
  const bundledOnly = await hangzhou();
  assert.notEqual(bundledOnly, withImports);

  // A text file named like a database is refused by code, and the open registry stays open.
  const notDb = join(s.dataHome, "list.sqlite");
  writeFileSync(notDb, "序号,属地,模型名称\n".repeat(50));
  await goTo("settings");
  await withDialogPath("open", notDb, async () => {
    await s.click(await s.waitCss('[data-testid="db-open"]'));
    await s.waitText("不是备案台账的数据库");
  });
  assert.equal(await s.text(await s.find('[data-testid="db-path"]')), fresh);
  assert.equal(readFileSync(notDb, "utf8"), "序号,属地,模型名称\n".repeat(50));
  await s.screenshot("17-database-refused");

  await s.click(await s.find('[data-testid="db-default"]'));
  await waitDbPath(original);
  assert.match(await batchFiles(), /gb18030-batch\.csv/);
  assert.equal(await hangzhou(), withImports);

  // And the new one opens again by name.
  await goTo("settings");
  await withDialogPath("open", fresh, async () => {
    await s.click(await s.waitCss('[data-testid="db-open"]'));
    await waitDbPath(fresh);
  });
  await s.click(await s.waitCss('[data-testid="db-default"]'));
  await waitDbPath(original);
});

test("restores a backup over the open database", async () => {
  // Start a new registry (bundled filings only), then restore over it the backup taken above,
  // which holds this session's imports.
  await goTo("settings");
  const original = await s.text(await s.waitCss('[data-testid="db-path"]'));
  const scratch = join(s.dataHome, "scratch.sqlite");
  await createDb(scratch);
  assert.doesNotMatch(await batchFiles(), /gb18030-batch\.csv/);
  // The subsidy evaluation has its own connection to the file: open it on the scratch registry,
  // so the restore must close it too, and the next evaluation must read the restored file.
  const beforeRestore = await hangzhou();

  await goTo("settings");
  await withDialogPath("open", join(s.dataHome, "backup.sqlite"), async () => {
    await s.click(await s.waitCss('[data-testid="restore"]'));
    await s.settle();
    await s.screenshot("18-restore-confirm");
    await s.click(await s.waitCss('[data-testid="restore-confirm"]'));
    await s.waitText("已从备份恢复");
    await s.settle();
    await s.screenshot("19-restored");
  });
  assert.match(await batchFiles(), /gb18030-batch\.csv/);
  // The replaced file is kept beside it.
  assert.ok(statSync(join(s.dataHome, "scratch.before-restore")).size > 0);
  // The backup holds this session's imports, among them a Zhejiang company: the Hangzhou rule
  // now counts it.
  assert.notEqual(await hangzhou(), beforeRestore);

  await goTo("settings");
  await s.click(await s.waitCss('[data-testid="db-default"]'));
  await waitDbPath(original);
});

test("sorts by a column's header and turns pages", async () => {
  await goTo("filings");
  await s.waitCss(".filings-table tbody tr[data-number]");
  const numbers = () =>
    s.exec("return [...document.querySelectorAll('.filings-table tbody tr[data-number]')].map(r => r.getAttribute('data-number'));");
  // Numbers sort by their key: case- and space-folded (src/number.rs, number_key); these are ASCII.
  const key = (n) => n.toLowerCase().replace(/\s+/g, "");
  const sorted = (xs, desc) =>
    xs.every((x, i) => i === 0 || (desc ? key(xs[i - 1]) >= key(x) : key(xs[i - 1]) <= key(x)));
  // The header cycles as Ant Design's did: ascending, descending, then the registry's own order.
  const header = () => s.find('.filings-table th[data-sort="number"]');
  const unsorted = await numbers();
  await s.click(await header());
  await s.waitCss('.filings-table th[data-sort="number"][aria-sort="ascending"]');
  await s.waitFor("rows by number, ascending", async () => sorted(await numbers(), false));
  await s.click(await header());
  await s.waitCss('.filings-table th[data-sort="number"][aria-sort="descending"]');
  await s.waitFor("rows by number, descending", async () => sorted(await numbers(), true));
  await s.click(await header());
  await s.waitCss('.filings-table th[data-sort="number"][aria-sort="none"]');
  await s.waitFor("the registry's own order again", async () => JSON.stringify(await numbers()) === JSON.stringify(unsorted));
  // From the keyboard: Enter on a focused header sorts by it, and opens no row.
  await s.exec("document.querySelector('.filings-table th[data-sort=\"number\"]').focus();");
  await s.keys("\uE007");
  await s.waitCss('.filings-table th[data-sort="number"][aria-sort="ascending"]');
  assert.ok(await s.find(".filings-table"), "still on the Filings screen");
  await s.keys("\uE007", "\uE007");
  await s.waitCss('.filings-table th[data-sort="number"][aria-sort="none"]');

  // Twenty to a page: by now the registry holds more than twenty filings.
  const total = Number((await s.text(await s.find(".pager-total"))).replace(/[^0-9]/g, ""));
  assert.ok(total > 20, `the registry has ${total} filings by now`);
  await s.exec(
    "const sel = document.querySelector('.pager-size'); sel.value = '20'; sel.dispatchEvent(new Event('change', { bubbles: true }));",
  );
  await s.waitFor("20 rows on page 1", async () => (await numbers()).length === 20);
  const first = await numbers();
  await s.click(await s.find('.pager-item[aria-current="page"] + .pager-item'));
  await s.waitFor("page 2", async () => (await s.text(await s.find('.pager-item[aria-current="page"]'))) === "2");
  const second = await numbers();
  assert.equal(second.length, total - 20 > 20 ? 20 : total - 20);
  assert.ok(second.every((n) => !first.includes(n)), "page 2 repeats no row of page 1");
  await s.screenshot("14b-filings-page-2");
  // Back to the size the other tests expect.
  await s.exec(
    "const sel = document.querySelector('.pager-size'); sel.value = '50'; sel.dispatchEvent(new Event('change', { bubbles: true }));",
  );
  await s.waitFor("one page again", async () => (await numbers()).length === Math.min(total, 50));
});

test("filters by a company name fragment typed on the Filings screen", async () => {
  await goTo("filings");
  await s.waitCss(".filings-table tbody tr[data-number]");
  const total = async () => Number((await s.text(await s.find(".pager-total"))).replace(/[^0-9]/g, ""));
  const all = await total();
  const companies = () =>
    s.exec("return [...document.querySelectorAll('.filings-table tbody tr[data-number] .cell-company')].map(c => c.textContent);");
  const input = await s.waitCss('input[data-testid="company-filter"]');
  await s.click(input);
  await s.type(input, "科技");
  await s.waitFor("only companies with 科技", async () => {
    const names = await companies();
    return names.length > 0 && names.every((n) => n.includes("科技")) && (await total()) < all;
  });
  // The facets count the same filings as the page.
  const regionSum = await s.exec(
    "return [...document.querySelectorAll('[data-facet=\"region\"] .facet-count')].reduce((a, c) => a + Number(c.textContent.replace(/[^0-9]/g, '')), 0);",
  );
  assert.equal(regionSum, await total());
  await s.screenshot("14c-company-filter");
  await s.click(await s.find('input[data-testid="company-filter"] + .search-clear'));
  await s.waitFor("every filing again", async () => (await total()) === all);
});

test("switches to English in one click", async () => {
  await goTo("filings");
  await s.click(await s.waitCss('[data-testid="lang-toggle"]'));
  await s.waitText("Filing number");
  const text = await s.bodyText();
  assert.match(text, /Filings/);
  assert.match(text, /Import/);
  assert.match(text, /Settings/);
  assert.doesNotMatch(text, /备案清单/);
  await s.screenshot("15-english");
});
