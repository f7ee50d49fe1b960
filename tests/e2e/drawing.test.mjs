// The app as it ships draws without WebKit's accelerated compositing (less memory; see
// src-tauri/src/webview.rs). The other files photograph every screen and so run with
// compositing on (see startApp); this one drives the main paths the way users get them: the
// launch hand-over, an import, the dashboard's charts and the subsidy evaluation.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fixtures, startApp } from "./harness.mjs";

/** @type {import("./harness.mjs").Session} */
let s;

before(async () => {
  s = await startApp({ shippedDrawing: true });
});

after(async () => {
  await s?.close();
});

async function goTo(key) {
  await s.click(await s.waitCss(`li[data-menu-id$="-${key}"]`));
}

test("drawn as shipped: filings, import, dashboard and subsidies work", async () => {
  await s.waitText("文心一言", 60_000);
  // The real screen has taken over from public/launch.js's plain copy.
  await s.waitCss('[data-facet="region"] [data-facet-value="北京市"]');
  assert.equal(await s.exec("return !!document.getElementById('launch-view');"), false);

  await goTo("import");
  await s.waitCss('[data-testid="drop-zone"]');
  await s.openPath(join(fixtures, "gb18030-batch.csv"));
  await s.waitCss('[data-testid="import-preview"]');
  await s.waitText("灵犀测试大模型");
  await s.click(await s.waitCss('[data-testid="commit"]'));
  await s.waitCss('[data-testid="import-summary"]', 60_000);
  assert.match(await s.bodyText(), /新增 3/);

  await goTo("dashboard");
  await s.waitCss('[data-chart="regions"] canvas');
  await s.waitCss('[data-chart="timeline"] canvas');

  await goTo("subsidies");
  await s.click(await s.waitCss('[data-testid="evaluate"]'));
  await s.waitCss('[data-rule="hangzhou-model-filing"]', 60_000);
});
