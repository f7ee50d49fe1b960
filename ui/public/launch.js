// Runs before the main bundle is even parsed: asks the shell for what the first screen needs
// (app info, the first page of filings, the facet counts), so the database works while WebKit
// parses and evaluates the UI. src/launch.ts picks the answers up, and the screen uses them only
// when this query is exactly the one it would send; if the two drift apart, it just asks again.
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
  window.__beianLaunch = {
    // Kept so the screen uses the answer only for exactly this query (see launch.ts).
    query: query,
    info: tauri.invoke("app_info"),
    page: tauri.invoke("list_filings", { query: query }),
    facets: tauri.invoke("filing_facets", { filter: filter }),
  };
})();
