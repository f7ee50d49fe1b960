// The Subsidies screen pages through a rule's results: each page is evaluated and worded by the
// core when it is asked for, so every enterprise is within reach however large the registry.
// A separate app session, on a registry the CLI filled with 45 Hangzhou companies (the bundled
// filings give no rule more than a handful of results).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliBinary, startApp } from "./harness.mjs";

/** @type {import("./harness.mjs").Session} */
let s;
let dir;

const COMPANIES = 45;
const name = (i) => `杭州星${String(i).padStart(2, "0")}辰科技有限公司`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "beian-e2e-subsidies-"));
  const db = join(dir, "hangzhou.sqlite");
  const rows = ["序号,属地,模型名称,备案单位,备案号,备案时间"];
  for (let i = 1; i <= COMPANIES; i++) {
    rows.push(`${i},浙江省,星辰${i}号,${name(i)},Zhejiang-XingChen${i}-20240105,2024/1/15`);
  }
  const csv = join(dir, "hangzhou.csv");
  writeFileSync(csv, rows.join("\n") + "\n");
  execFileSync(cliBinary(), ["--db", db, "import", csv], { stdio: "ignore" });
  s = await startApp({ db });
});

after(async () => {
  await s?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The enterprises listed in the Hangzhou model-filing rule's table, in order. */
async function listed() {
  return s.exec(
    `return [...document.querySelectorAll('[data-rule="hangzhou-model-filing"] tr[data-enterprise]')].map((r) => r.dataset.enterprise);`,
  );
}

test("a rule's results page through every enterprise", async () => {
  await s.click(await s.waitCss('li[data-menu-id$="-subsidies"]'));
  const card = '[data-rule="hangzhou-model-filing"]';
  await s.waitCss(`${card} tr[data-enterprise]`, 60_000);
  // Each company's name suggests Hangzhou, and whether its model is self-developed is not
  // recorded: all 45 cannot be told, so all are still open, 20 to a page, by name.
  const first = await listed();
  assert.deepEqual(first, Array.from({ length: 20 }, (_, i) => name(i + 1)));
  assert.match(await s.text(await s.find(card)), /45/);

  await s.click(await s.find(`${card} .ant-pagination-item-3`));
  await s.waitFor("the third page", async () => (await listed())[0] === name(41));
  assert.deepEqual(await listed(), Array.from({ length: 5 }, (_, i) => name(i + 41)));
  const reasons = await s.text(await s.find(`${card} tr[data-enterprise="${name(45)}"] .reasons`));
  assert.match(reasons, /杭州/);
  await s.exec(`document.querySelector('${card}').scrollIntoView({ block: "start" });`);
  await s.screenshot("23b-subsidy-results-page-3");

  // Only those that qualify: none yet, and the table says so instead of paging.
  await s.click(await s.waitXPath("//*[contains(@class,'ant-segmented-item-label')][text()='仅符合']"));
  await s.waitFor("no result that qualifies", async () => (await listed()).length === 0);
  assert.equal(await s.exec(`return document.querySelectorAll('${card} .ant-pagination').length;`), 0);
});
