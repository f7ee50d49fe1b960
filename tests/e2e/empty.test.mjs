// A registry with no filings: the Filings screen explains itself and leads to the import.
// A separate app session, on a database the CLI created empty (the app seeds only a new file).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliBinary, startApp } from "./harness.mjs";

/** @type {import("./harness.mjs").Session} */
let s;
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "beian-e2e-empty-"));
  const db = join(dir, "empty.sqlite");
  // Any CLI command opens (and so creates) the registry at --db without seeding it.
  execFileSync(cliBinary(), ["--db", db, "batches"], { stdio: "ignore" });
  s = await startApp({ db });
});

after(async () => {
  await s?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("an empty registry explains itself and offers the import", async () => {
  await s.waitText("还没有任何备案记录", 60_000);
  assert.match(await s.bodyText(), /国家网信办/);
  await s.screenshot("20-empty");
  await s.click(await s.waitXPath("//button[contains(., '导入文件')]"));
  await s.waitCss('[data-testid="drop-zone"]');
  await s.screenshot("21-import-drop");
});
