// Runs before the main bundle is even parsed: asks the shell for what the first screen needs
// (app info, the first page of filings, the facet counts), so the database works while WebKit
// parses and evaluates the UI. src/launch.ts picks the answers up, and the screen uses them only
// when this query is exactly the one it would send; if the two drift apart, it just asks again.
//
// When the first page comes in, this script also draws it at once as a plain HTML copy of the
// Filings screen (#launch-view: the same frame, columns, header texts and fonts, no behaviour),
// because React and Ant Design need a second or more to evaluate and lay out on WebKitGTK. It
// covers the page until the real screen has its rows, and src/launch.ts removes it then, once.
(function () {
  var tauri = window.__TAURI_INTERNALS__;
  if (!tauri || typeof tauri.invoke !== "function") return;
  performance.mark("prefetch-sent");
  var filter = {
    regions: [],
    kind: null,
    company: null,
    search: null,
    from: null,
    to: null,
    year: null,
    batch: null,
    flagged: null,
    flag: null,
  };
  var query = { filter: filter, sort: null, limit: 50, offset: 0 };
  var launch = (window.__beianLaunch = {
    // Kept so the screen uses the answer only for exactly this query (see launch.ts).
    query: query,
    info: tauri.invoke("app_info"),
    page: tauri.invoke("list_filings", { query: query }),
    facets: tauri.invoke("filing_facets", { filter: filter }),
    // Set once the plain view has reported its paint (the screen then reports nothing).
    reported: false,
  });

  // The texts the real screen shows, in the language it will open in (src/i18n.tsx, same key).
  var en = false;
  try {
    en = localStorage.getItem("beian.lang") === "en";
  } catch (e) {
    /* storage unavailable: the default, Chinese */
  }
  var T = en
    ? {
        title: "Beian",
        subtitle: "Gen-AI filings register",
        nav: ["Filings", "Statistics", "Subsidies", "Import", "Batches", "Add filing", "Settings"],
        heading: "Filings",
        lang: "中文",
        facets: "Filters",
        kind: "Kind",
        flags: "Flags",
        region: "Region",
        year: "Year",
        batch: "Batch",
        filed: "Filed",
        registered: "Registered",
        flagged: "Flagged",
        unflagged: "Not flagged",
        search: "Search model, company or number",
        company: "Company contains…",
        hint: "↑↓ select · Enter open · / search",
        exportLabel: "Export",
        names: "Model / Company",
        number: "Filing number",
        date: "Filed on",
      }
    : {
        title: "备案",
        subtitle: "生成式人工智能服务备案台账",
        nav: ["备案清单", "统计", "补贴", "导入", "导入批次", "新增备案", "设置"],
        heading: "备案清单",
        lang: "English",
        facets: "筛选",
        kind: "类型",
        flags: "疑点",
        region: "属地",
        year: "年份",
        batch: "批次",
        filed: "已备案",
        registered: "已登记",
        flagged: "有疑点",
        unflagged: "无疑点",
        search: "搜索模型、单位或编号（支持两字中文词）",
        company: "备案单位包含…",
        hint: "↑↓ 选择 · Enter 打开 · / 搜索",
        exportLabel: "导出",
        names: "模型名称 / 备案单位",
        number: "备案编号",
        date: "备案时间",
      };

  // Sizes and colours are Ant Design's for the components the screen uses (dark inline Menu,
  // small Card, small Table, Tag, Input.Search, Button) with the app's theme (src/App.tsx,
  // src/styles.css), so the hand-over moves nothing that matters.
  var CSS =
    '#launch-view{position:fixed;inset:0;z-index:2000;display:flex;background:#f3f5f8;color:rgba(0,0,0,.88);font:14px/1.5714 "Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;overflow:hidden;cursor:progress}' +
    "#launch-view *{box-sizing:border-box}" +
    ".lv-sider{width:224px;flex:none;height:100%;background:#14243d;color:rgba(255,255,255,.65)}" +
    ".lv-brand{display:flex;align-items:center;gap:10px;height:64px;padding:0 20px;color:#fff}" +
    ".lv-mark{width:32px;height:32px;border-radius:8px;background:#fff;color:#1f4e8c;font-weight:700;font-size:18px;display:flex;align-items:center;justify-content:center}" +
    ".lv-name{font-size:17px;font-weight:600;line-height:1.1}" +
    ".lv-sub{font-size:11px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:150px;opacity:.7;line-height:1.3}" +
    ".lv-item{height:40px;line-height:40px;margin:4px;padding-left:24px;border-radius:8px;white-space:nowrap}" +
    ".lv-item.on{background:#1f4e8c;color:#fff}" +
    ".lv-main{flex:1;min-width:0;display:flex;flex-direction:column}" +
    ".lv-header{height:64px;flex:none;display:flex;align-items:center;justify-content:space-between;background:#fff;border-bottom:1px solid #e6e9ef;padding:0 24px}" +
    ".lv-header h1{font-size:18px;margin:0;font-weight:600}" +
    ".lv-btn{display:inline-flex;align-items:center;height:32px;padding:4px 15px;border:1px solid #d9d9d9;border-radius:6px;background:#fff;white-space:nowrap}" +
    ".lv-content{padding:20px;display:flex;gap:16px;align-items:flex-start;overflow:hidden}" +
    ".lv-card{background:#fff;border:1px solid #f0f0f0;border-radius:8px}" +
    ".lv-facets{width:212px;flex:none}" +
    ".lv-card-head{min-height:38px;padding:0 12px;display:flex;align-items:center;font-weight:600;border-bottom:1px solid #f0f0f0}" +
    ".lv-facets .lv-body{padding:12px}" +
    ".lv-ftitle{font-size:12px;color:#5b6475;font-weight:600;margin:10px 8px 4px}" +
    ".lv-fitem{display:flex;justify-content:space-between;align-items:center;padding:3px 8px;font-size:13px;gap:8px}" +
    ".lv-flabel{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}" +
    ".lv-fcount{color:#8a94a6;font-variant-numeric:tabular-nums}" +
    ".lv-list{flex:1;min-width:0;padding:12px}" +
    ".lv-bar{display:flex;justify-content:space-between;align-items:center;margin-bottom:12px;height:32px}" +
    ".lv-search{display:flex;width:320px;height:32px}" +
    ".lv-input{flex:1;border:1px solid #d9d9d9;border-radius:6px 0 0 6px;padding:4px 11px;color:rgba(0,0,0,.25);white-space:nowrap;overflow:hidden}" +
    ".lv-sbtn{width:32px;border:1px solid #d9d9d9;border-left:0;border-radius:0 6px 6px 0}" +
    ".lv-left{display:flex;align-items:center;gap:8px}" +
    ".lv-cfilter{width:180px;height:32px;flex:none;border-radius:6px}" +
    ".lv-right{display:flex;align-items:center;gap:8px}" +
    ".lv-hint{color:#8a94a6;font-size:12px}" +
    ".lv-table{width:100%;table-layout:fixed;border-collapse:separate;border-spacing:0}" +
    ".lv-table th{background:#fafafa;font-weight:600;text-align:start;padding:8px;border-bottom:1px solid #f0f0f0}" +
    ".lv-table th:first-child{border-top-left-radius:8px}.lv-table th:last-child{border-top-right-radius:8px}" +
    ".lv-table td{padding:8px;border-bottom:1px solid #f0f0f0;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}" +
    ".lv-flagged td:first-child{box-shadow:inset 3px 0 0 #fa8c16}" +
    ".lv-table td.lv-names{white-space:normal}" +
    ".lv-model,.lv-company{display:block;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}" +
    ".lv-model{font-weight:600}.lv-company{font-size:12.5px;color:rgba(0,0,0,.45)}" +
    ".lv-tag{display:inline-block;font-size:12px;line-height:20px;padding:0 7px;border-radius:4px;border:1px solid}" +
    ".lv-filed{color:#0958d9;background:#e6f4ff;border-color:#91caff}" +
    ".lv-registered{color:#531dab;background:#f9f0ff;border-color:#d3adf7}" +
    '.lv-mono{font-family:"DejaVu Sans Mono","Noto Sans Mono CJK SC",monospace;font-size:12px}' +
    ".lv-warn{width:14px;height:14px;fill:#fa8c16;vertical-align:-2px}" +
    ".lv-icon{width:14px;height:14px;fill:currentColor;flex:none}" +
    ".lv-item .lv-icon{margin-right:10px;vertical-align:-2px}" +
    ".lv-btn .lv-icon{margin-right:8px}" +
    ".lv-sbtn{display:flex;align-items:center;justify-content:center;color:rgba(0,0,0,.45)}";
  var WARN =
    '<svg class="lv-warn" viewBox="64 64 896 896" aria-hidden="true"><path d="M955.7 856l-416-720c-6.2-10.7-16.9-16-27.7-16s-21.6 5.3-27.7 16l-416 720C56 877.4 71.4 904 96 904h832c24.6 0 40-26.6 27.7-48zM480 416c0-4.4 3.6-8 8-8h48c4.4 0 8 3.6 8 8v184c0 4.4-3.6 8-8 8h-48c-4.4 0-8-3.6-8-8V416zm32 352a48.01 48.01 0 010-96 48.01 48.01 0 010 96z"/></svg>';

  // Ant Design's icons for the menu and buttons (@ant-design/icons-svg), as the screen draws them.
  var ICONS = {
    table: ["64 64 896 896", ["M928 160H96c-17.7 0-32 14.3-32 32v640c0 17.7 14.3 32 32 32h832c17.7 0 32-14.3 32-32V192c0-17.7-14.3-32-32-32zm-40 208H676V232h212v136zm0 224H676V432h212v160zM412 432h200v160H412V432zm200-64H412V232h200v136zm-476 64h212v160H136V432zm0-200h212v136H136V232zm0 424h212v136H136V656zm276 0h200v136H412V656zm476 136H676V656h212v136z"]],
    chart: ["64 64 896 896", ["M888 792H200V168c0-4.4-3.6-8-8-8h-56c-4.4 0-8 3.6-8 8v688c0 4.4 3.6 8 8 8h752c4.4 0 8-3.6 8-8v-56c0-4.4-3.6-8-8-8zm-600-80h56c4.4 0 8-3.6 8-8V560c0-4.4-3.6-8-8-8h-56c-4.4 0-8 3.6-8 8v144c0 4.4 3.6 8 8 8zm152 0h56c4.4 0 8-3.6 8-8V384c0-4.4-3.6-8-8-8h-56c-4.4 0-8 3.6-8 8v320c0 4.4 3.6 8 8 8zm152 0h56c4.4 0 8-3.6 8-8V462c0-4.4-3.6-8-8-8h-56c-4.4 0-8 3.6-8 8v242c0 4.4 3.6 8 8 8zm152 0h56c4.4 0 8-3.6 8-8V304c0-4.4-3.6-8-8-8h-56c-4.4 0-8 3.6-8 8v400c0 4.4 3.6 8 8 8z"]],
    money: ["64 64 896 896", ["M911.5 700.7a8 8 0 00-10.3-4.8L840 718.2V180c0-37.6-30.4-68-68-68H252c-37.6 0-68 30.4-68 68v538.2l-61.3-22.3c-.9-.3-1.8-.5-2.7-.5-4.4 0-8 3.6-8 8V763c0 3.3 2.1 6.3 5.3 7.5L501 910.1c7.1 2.6 14.8 2.6 21.9 0l383.8-139.5c3.2-1.2 5.3-4.2 5.3-7.5v-59.6c0-1-.2-1.9-.5-2.8zM512 837.5l-256-93.1V184h512v560.4l-256 93.1zM660.6 312h-54.5c-3 0-5.8 1.7-7.1 4.4l-84.7 168.8H511l-84.7-168.8a8 8 0 00-7.1-4.4h-55.7c-1.3 0-2.6.3-3.8 1-3.9 2.1-5.3 7-3.2 10.8l103.9 191.6h-57c-4.4 0-8 3.6-8 8v27.1c0 4.4 3.6 8 8 8h76v39h-76c-4.4 0-8 3.6-8 8v27.1c0 4.4 3.6 8 8 8h76V704c0 4.4 3.6 8 8 8h49.9c4.4 0 8-3.6 8-8v-63.5h76.3c4.4 0 8-3.6 8-8v-27.1c0-4.4-3.6-8-8-8h-76.3v-39h76.3c4.4 0 8-3.6 8-8v-27.1c0-4.4-3.6-8-8-8H564l103.7-191.6c.6-1.2 1-2.5 1-3.8-.1-4.3-3.7-7.9-8.1-7.9z"]],
    upload: ["64 64 896 896", ["M518.3 459a8 8 0 00-12.6 0l-112 141.7a7.98 7.98 0 006.3 12.9h73.9V856c0 4.4 3.6 8 8 8h60c4.4 0 8-3.6 8-8V613.7H624c6.7 0 10.4-7.7 6.3-12.9L518.3 459z", "M811.4 366.7C765.6 245.9 648.9 160 512.2 160S258.8 245.8 213 366.6C127.3 389.1 64 467.2 64 560c0 110.5 89.5 200 199.9 200H304c4.4 0 8-3.6 8-8v-60c0-4.4-3.6-8-8-8h-40.1c-33.7 0-65.4-13.4-89-37.7-23.5-24.2-36-56.8-34.9-90.6.9-26.4 9.9-51.2 26.2-72.1 16.7-21.3 40.1-36.8 66.1-43.7l37.9-9.9 13.9-36.6c8.6-22.8 20.6-44.1 35.7-63.4a245.6 245.6 0 0152.4-49.9c41.1-28.9 89.5-44.2 140-44.2s98.9 15.3 140 44.2c19.9 14 37.5 30.8 52.4 49.9 15.1 19.3 27.1 40.7 35.7 63.4l13.8 36.5 37.8 10C846.1 454.5 884 503.8 884 560c0 33.1-12.9 64.3-36.3 87.7a123.07 123.07 0 01-87.6 36.3H720c-4.4 0-8 3.6-8 8v60c0 4.4 3.6 8 8 8h40.1C870.5 760 960 670.5 960 560c0-92.7-63.1-170.7-148.6-193.3z"]],
    history: ["64 64 896 896", ["M536.1 273H488c-4.4 0-8 3.6-8 8v275.3c0 2.6 1.2 5 3.3 6.5l165.3 120.7c3.6 2.6 8.6 1.9 11.2-1.7l28.6-39c2.7-3.7 1.9-8.7-1.7-11.2L544.1 528.5V281c0-4.4-3.6-8-8-8zm219.8 75.2l156.8 38.3c5 1.2 9.9-2.6 9.9-7.7l.8-161.5c0-6.7-7.7-10.5-12.9-6.3L752.9 334.1a8 8 0 003 14.1zm167.7 301.1l-56.7-19.5a8 8 0 00-10.1 4.8c-1.9 5.1-3.9 10.1-6 15.1-17.8 42.1-43.3 80-75.9 112.5a353 353 0 01-112.5 75.9 352.18 352.18 0 01-137.7 27.8c-47.8 0-94.1-9.3-137.7-27.8a353 353 0 01-112.5-75.9c-32.5-32.5-58-70.4-75.9-112.5A353.44 353.44 0 01171 512c0-47.8 9.3-94.2 27.8-137.8 17.8-42.1 43.3-80 75.9-112.5a353 353 0 01112.5-75.9C430.6 167.3 477 158 524.8 158s94.1 9.3 137.7 27.8A353 353 0 01775 261.7c10.2 10.3 19.8 21 28.6 32.3l59.8-46.8C784.7 146.6 662.2 81.9 524.6 82 285 82.1 92.6 276.7 95 516.4 97.4 751.9 288.9 942 524.8 942c185.5 0 343.5-117.6 403.7-282.3 1.5-4.2-.7-8.9-4.9-10.4z"]],
    plus: ["64 64 896 896", ["M696 480H544V328c0-4.4-3.6-8-8-8h-48c-4.4 0-8 3.6-8 8v152H328c-4.4 0-8 3.6-8 8v48c0 4.4 3.6 8 8 8h152v152c0 4.4 3.6 8 8 8h48c4.4 0 8-3.6 8-8V544h152c4.4 0 8-3.6 8-8v-48c0-4.4-3.6-8-8-8z", "M512 64C264.6 64 64 264.6 64 512s200.6 448 448 448 448-200.6 448-448S759.4 64 512 64zm0 820c-205.4 0-372-166.6-372-372s166.6-372 372-372 372 166.6 372 372-166.6 372-372 372z"]],
    setting: ["64 64 896 896", ["M924.8 625.7l-65.5-56c3.1-19 4.7-38.4 4.7-57.8s-1.6-38.8-4.7-57.8l65.5-56a32.03 32.03 0 009.3-35.2l-.9-2.6a443.74 443.74 0 00-79.7-137.9l-1.8-2.1a32.12 32.12 0 00-35.1-9.5l-81.3 28.9c-30-24.6-63.5-44-99.7-57.6l-15.7-85a32.05 32.05 0 00-25.8-25.7l-2.7-.5c-52.1-9.4-106.9-9.4-159 0l-2.7.5a32.05 32.05 0 00-25.8 25.7l-15.8 85.4a351.86 351.86 0 00-99 57.4l-81.9-29.1a32 32 0 00-35.1 9.5l-1.8 2.1a446.02 446.02 0 00-79.7 137.9l-.9 2.6c-4.5 12.5-.8 26.5 9.3 35.2l66.3 56.6c-3.1 18.8-4.6 38-4.6 57.1 0 19.2 1.5 38.4 4.6 57.1L99 625.5a32.03 32.03 0 00-9.3 35.2l.9 2.6c18.1 50.4 44.9 96.9 79.7 137.9l1.8 2.1a32.12 32.12 0 0035.1 9.5l81.9-29.1c29.8 24.5 63.1 43.9 99 57.4l15.8 85.4a32.05 32.05 0 0025.8 25.7l2.7.5a449.4 449.4 0 00159 0l2.7-.5a32.05 32.05 0 0025.8-25.7l15.7-85a350 350 0 0099.7-57.6l81.3 28.9a32 32 0 0035.1-9.5l1.8-2.1c34.8-41.1 61.6-87.5 79.7-137.9l.9-2.6c4.5-12.3.8-26.3-9.3-35zM788.3 465.9c2.5 15.1 3.8 30.6 3.8 46.1s-1.3 31-3.8 46.1l-6.6 40.1 74.7 63.9a370.03 370.03 0 01-42.6 73.6L721 702.8l-31.4 25.8c-23.9 19.6-50.5 35-79.3 45.8l-38.1 14.3-17.9 97a377.5 377.5 0 01-85 0l-17.9-97.2-37.8-14.5c-28.5-10.8-55-26.2-78.7-45.7l-31.4-25.9-93.4 33.2c-17-22.9-31.2-47.6-42.6-73.6l75.5-64.5-6.5-40c-2.4-14.9-3.7-30.3-3.7-45.5 0-15.3 1.2-30.6 3.7-45.5l6.5-40-75.5-64.5c11.3-26.1 25.6-50.7 42.6-73.6l93.4 33.2 31.4-25.9c23.7-19.5 50.2-34.9 78.7-45.7l37.9-14.3 17.9-97.2c28.1-3.2 56.8-3.2 85 0l17.9 97 38.1 14.3c28.7 10.8 55.4 26.2 79.3 45.8l31.4 25.8 92.8-32.9c17 22.9 31.2 47.6 42.6 73.6L781.8 426l6.5 39.9zM512 326c-97.2 0-176 78.8-176 176s78.8 176 176 176 176-78.8 176-176-78.8-176-176-176zm79.2 255.2A111.6 111.6 0 01512 614c-29.9 0-58-11.7-79.2-32.8A111.6 111.6 0 01400 502c0-29.9 11.7-58 32.8-79.2C454 401.6 482.1 390 512 390c29.9 0 58 11.6 79.2 32.8A111.6 111.6 0 01624 502c0 29.9-11.7 58-32.8 79.2z"]],
    lang: ["64 64 896 896", ["M140 188h584v164h76V144c0-17.7-14.3-32-32-32H96c-17.7 0-32 14.3-32 32v736c0 17.7 14.3 32 32 32h544v-76H140V188z", "M414.3 256h-60.6c-3.4 0-6.4 2.2-7.6 5.4L219 629.4c-.3.8-.4 1.7-.4 2.6 0 4.4 3.6 8 8 8h55.1c3.4 0 6.4-2.2 7.6-5.4L322 540h196.2L422 261.4a8.42 8.42 0 00-7.7-5.4zm12.4 228h-85.5L384 360.2 426.7 484zM936 528H800v-93c0-4.4-3.6-8-8-8h-56c-4.4 0-8 3.6-8 8v93H592c-13.3 0-24 10.7-24 24v176c0 13.3 10.7 24 24 24h136v152c0 4.4 3.6 8 8 8h56c4.4 0 8-3.6 8-8V752h136c13.3 0 24-10.7 24-24V552c0-13.3-10.7-24-24-24zM728 680h-88v-80h88v80zm160 0h-88v-80h88v80z"]],
    search: ["64 64 896 896", ["M909.6 854.5L649.9 594.8C690.2 542.7 712 479 712 412c0-80.2-31.3-155.4-87.9-212.1-56.6-56.7-132-87.9-212.1-87.9s-155.5 31.3-212.1 87.9C143.2 256.5 112 331.8 112 412c0 80.1 31.3 155.5 87.9 212.1C256.5 680.8 331.8 712 412 712c67 0 130.6-21.8 182.7-62l259.7 259.6a8.2 8.2 0 0011.6 0l43.6-43.5a8.2 8.2 0 000-11.6zM570.4 570.4C528 612.7 471.8 636 412 636s-116-23.3-158.4-65.6C211.3 528 188 471.8 188 412s23.3-116.1 65.6-158.4C296 211.3 352.2 188 412 188s116.1 23.2 158.4 65.6S636 352.2 636 412s-23.3 116.1-65.6 158.4z"]],
    export: ["64 64 896 896", ["M880 912H144c-17.7 0-32-14.3-32-32V144c0-17.7 14.3-32 32-32h360c4.4 0 8 3.6 8 8v56c0 4.4-3.6 8-8 8H184v656h656V520c0-4.4 3.6-8 8-8h56c4.4 0 8 3.6 8 8v360c0 17.7-14.3 32-32 32zM770.87 199.13l-52.2-52.2a8.01 8.01 0 014.7-13.6l179.4-21c5.1-.6 9.5 3.7 8.9 8.9l-21 179.4c-.8 6.6-8.9 9.4-13.6 4.7l-52.4-52.4-256.2 256.2a8.03 8.03 0 01-11.3 0l-42.4-42.4a8.03 8.03 0 010-11.3l256.1-256.3z"]],
  };
  function icon(name, cls) {
    var p = ICONS[name];
    var h = '<svg class="lv-icon' + (cls ? " " + cls : "") + '" viewBox="' + p[0] + '" aria-hidden="true">';
    for (var i = 0; i < p[1].length; i++) h += '<path d="' + p[1][i] + '"/>';
    return h + "</svg>";
  }

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;";
    });
  }

  // 1,000,000 as src/format.tsx's count() writes it: toLocaleString() does not group under
  // WebKitGTK here.
  function grouped(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function facetGroup(title, items, label) {
    if (!items || !items.length) return "";
    var h = '<div class="lv-ftitle">' + esc(title) + "</div>";
    for (var i = 0; i < items.length; i++) {
      var f = items[i];
      h +=
        '<div class="lv-fitem"><span class="lv-flabel">' +
        esc(label ? label(f) : f.label) +
        '</span><span class="lv-fcount">' +
        esc(grouped(f.count)) +
        "</span></div>";
    }
    return h;
  }

  function facetsHtml(f) {
    return (
      '<div class="lv-card-head">' +
      esc(T.facets) +
      '</div><div class="lv-body">' +
      facetGroup(T.kind, f.kind, function (x) {
        return x.value === "filed" ? T.filed : T.registered;
      }) +
      facetGroup(T.flags, f.flagged, function (x) {
        return x.value === "true" ? T.flagged : T.unflagged;
      }) +
      facetGroup(T.region, f.region) +
      facetGroup(T.year, f.year) +
      facetGroup(T.batch, f.batch) +
      "</div>"
    );
  }

  function rowsHtml(rows) {
    var h = "";
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var flagged = r.flags && r.flags.length;
      h +=
        "<tr" +
        (flagged ? ' class="lv-flagged"' : "") +
        "><td>" +
        (flagged ? WARN : "") +
        '</td><td class="lv-names"><span class="lv-model">' +
        esc(r.model) +
        '</span><span class="lv-company">' +
        esc(r.company) +
        "</span></td><td>" +
        esc(r.region) +
        '</td><td><span class="lv-tag lv-' +
        (r.kind === "filed" ? "filed" : "registered") +
        '">' +
        esc(r.kind === "filed" ? T.filed : T.registered) +
        '</span></td><td><span class="lv-mono">' +
        esc(r.number) +
        "</span></td><td>" +
        esc(r.filed_on == null ? "—" : r.filed_on) +
        "</td></tr>";
    }
    return h;
  }

  var view = null;
  var facetsSlot = null;
  var paintedResolve;
  var painted = new Promise(function (r) {
    paintedResolve = r;
  });
  /**
   * Resolves once the plain view is on screen, or at once when there is none to wait for: the
   * main bundle holds React's first render until then, since that render keeps WebKit's main
   * thread for a second and the view would otherwise be removed before it was ever painted.
   */
  launch.whenPainted = function () {
    return view && !launch.reported ? painted : Promise.resolve();
  };

  function draw(page) {
    // Nothing to copy (an empty registry has its own screen), or React was quicker.
    if (!page || !page.rows || !page.rows.length || launch.dropped) return;
    var root = document.getElementById("root");
    if (root && root.firstChild) return;
    var style = document.createElement("style");
    style.id = "launch-view-style";
    style.textContent = CSS;
    document.head.appendChild(style);
    view = document.createElement("div");
    view.id = "launch-view";
    view.setAttribute("aria-busy", "true");
    var menu = "";
    var navIcons = ["table", "chart", "money", "upload", "history", "plus", "setting"];
    for (var i = 0; i < T.nav.length; i++)
      menu += '<div class="lv-item' + (i === 0 ? " on" : "") + '">' + icon(navIcons[i]) + esc(T.nav[i]) + "</div>";
    view.innerHTML =
      '<div class="lv-sider"><div class="lv-brand"><div class="lv-mark">备</div><div><div class="lv-name">' +
      esc(T.title) +
      '</div><div class="lv-sub">' +
      esc(T.subtitle) +
      '</div></div></div><div class="lv-menu">' +
      menu +
      '</div></div><div class="lv-main"><div class="lv-header"><h1>' +
      esc(T.heading) +
      '</h1><span class="lv-btn">' +
      icon("lang") +
      esc(T.lang) +
      '</span></div><div class="lv-content"><div class="lv-card lv-facets"></div><div class="lv-card lv-list"><div class="lv-bar"><div class="lv-left"><div class="lv-search"><div class="lv-input">' +
      esc(T.search) +
      '</div><div class="lv-sbtn">' +
      icon("search") +
      '</div></div><div class="lv-input lv-cfilter">' +
      esc(T.company) +
      '</div></div><div class="lv-right"><span class="lv-hint">' +
      esc(T.hint) +
      '</span><span class="lv-btn">' +
      icon("export") +
      esc(T.exportLabel) +
      '</span></div></div><table class="lv-table"><colgroup><col style="width:32px"><col><col style="width:92px"><col style="width:80px"><col style="width:268px"><col style="width:112px"></colgroup><thead><tr><th></th><th>' +
      esc(T.names) +
      "</th><th>" +
      esc(T.region) +
      "</th><th>" +
      esc(T.kind) +
      "</th><th>" +
      esc(T.number) +
      "</th><th>" +
      esc(T.date) +
      "</th></tr></thead><tbody>" +
      rowsHtml(page.rows) +
      "</tbody></table></div></div></div>";
    facetsSlot = view.querySelector(".lv-facets");
    // The facet counts usually come with the page; until then their panel keeps its place.
    launch.facets.then(function (f) {
      if (facetsSlot && view && view.isConnected) facetsSlot.innerHTML = facetsHtml(f);
    }, function () {});
    document.body.appendChild(view);
    performance.mark("launch-view-inserted");
    // Launch is timed to the first rows on screen: two frames, the first runs before the paint
    // that shows them, the second after it. A view the screen removed in between saw no paint.
    requestAnimationFrame(function () {
      if (!view || !view.isConnected) return paintedResolve();
      performance.mark("launch-view-frame-1");
      requestAnimationFrame(function () {
        paintedResolve();
        if (!view || !view.isConnected || launch.reported) return;
        launch.reported = true;
        performance.mark("launch-view-painted");
        var marks = { painted: performance.now() };
        var all = performance.getEntriesByType("mark");
        for (var k = 0; k < all.length; k++) marks[all[k].name] = all[k].startTime;
        var nav = performance.getEntriesByType("navigation")[0];
        if (nav && nav.domContentLoadedEventEnd) marks.domContentLoaded = nav.domContentLoadedEventEnd;
        tauri.invoke("first_paint", { rows: page.rows.length, marks: marks }).catch(function () {});
      });
    });
  }

  /** Removes the plain view (src/launch.ts calls it when the real screen has taken over). */
  launch.drop = function () {
    if (launch.dropped) return false;
    launch.dropped = true;
    paintedResolve();
    if (view) {
      view.remove();
      var style = document.getElementById("launch-view-style");
      if (style) style.remove();
      view = null;
      facetsSlot = null;
      return true;
    }
    return false;
  };

  launch.page.then(
    function (page) {
      performance.mark("page-in");
      // The answer can in principle beat the parser to <body>.
      if (document.body) draw(page);
      else
        document.addEventListener("readystatechange", function once() {
          document.removeEventListener("readystatechange", once);
          draw(page);
        });
    },
    function () {
      /* the screen asks again and shows the error */
    },
  );
})();
