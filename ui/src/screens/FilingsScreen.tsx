// The Filings table. Everything is server-side: the core sorts, filters and pages, so the screen
// stays smooth however many rows the registry holds; the UI only ever holds one page.
//
// The window opens on this screen, so it is drawn with plain elements (src/plain.tsx, styles.css)
// rather than Ant Design: see src/antdScope.tsx for what that saves. Only the export dialog uses
// Ant Design, and it loads when opened.

import { ClearOutlined, CloseCircleFilled, ExportOutlined, SearchOutlined, WarningFilled } from "@ant-design/icons";
import { lazy, Suspense, useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode, type RefObject } from "react";
import { api } from "../api";
import type { ErrorPayload } from "../bindings/ErrorPayload";
import type { FacetCount } from "../bindings/FacetCount";
import type { Facets } from "../bindings/Facets";
import type { FilingFilter } from "../bindings/FilingFilter";
import type { FilingPage } from "../bindings/FilingPage";
import type { FilingQuery } from "../bindings/FilingQuery";
import type { FilingRow } from "../bindings/FilingRow";
import type { Sort } from "../bindings/Sort";
import type { SortField } from "../bindings/SortField";
import { ErrorAlert, flagKey } from "../errors";
import { count, useRegionName } from "../format";
import { useI18n, type Key } from "../i18n";
import { dropLaunchView, firstPageUnused, firstPaintReported as launchViewReported, launched, takeFirstPage } from "../launch";
import { useNav } from "../nav";
import { EmptyPicture, Spinner } from "../plain";

// The export dialog and the Ant Design it draws with load on the first click of Export.
const ExportDialog = lazy(() =>
  Promise.all([import("../antdScope"), import("./ExportDialog")]).then(([scope, m]) => ({
    default: (p: ExportProps) => (
      <scope.default>
        <m.ExportDialog {...p} />
      </scope.default>
    ),
  })),
);
type ExportProps = { filter: FilingFilter; sort: Sort | null; asOf: string | null; onClose: () => void };

export function emptyFilter(): FilingFilter {
  return {
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
}

const SEARCH_DEBOUNCE_MS = 250;

/** The page size public/launch.js asks for (and the screen's default). */
const LAUNCH_PAGE_SIZE = 50;

/** The query of a first page: what the window opens on when unfiltered (public/launch.js asks for it early). */
function firstPageQuery(f: Partial<FilingFilter> | undefined): FilingQuery {
  return { filter: { ...emptyFilter(), ...f }, sort: null, limit: LAUNCH_PAGE_SIZE, offset: 0 };
}

export function FlagMarks({ row }: { row: FilingRow }) {
  const { t } = useI18n();
  if (row.flags.length === 0) return null;
  return (
    <span className="flag-mark" data-flagged="true" aria-label={t("filings.flaggedRow")} aria-describedby={`flag-tip-${row.id}`}>
      <WarningFilled style={{ color: "#fa8c16" }} />
      <span className="tip" role="tooltip" id={`flag-tip-${row.id}`}>
        <ul>
          {row.flags.map((f) => (
            <li key={f}>{t(flagKey(f))}</li>
          ))}
        </ul>
      </span>
    </span>
  );
}

export function KindTag({ kind }: { kind: FilingRow["kind"] }) {
  const { t } = useI18n();
  return <span className={`tag tag-${kind === "filed" ? "blue" : "purple"}`}>{t(kind === "filed" ? "kind.filed" : "kind.registered")}</span>;
}

function FacetGroup({
  title,
  items,
  active,
  onPick,
  label,
  testid,
}: {
  title: string;
  items: FacetCount[];
  active: (v: string) => boolean;
  onPick: (v: string) => void;
  label?: (f: FacetCount) => string;
  testid: string;
}) {
  if (items.length === 0) return null;
  return (
    <div data-facet={testid}>
      <div className="facet-title">{title}</div>
      {items.map((f) => (
        <div
          key={f.value}
          className={`facet-item${active(f.value) ? " active" : ""}`}
          onClick={() => onPick(f.value)}
          role="button"
          data-facet-value={f.value}
        >
          <span className="facet-label" title={label ? label(f) : f.label}>
            {label ? label(f) : f.label}
          </span>
          <span className="facet-count">{count(f.count)}</span>
        </div>
      ))}
    </div>
  );
}

// Launch is timed to the first rows on screen, and to the moment React's own rows (the ones that
// answer clicks and typing) are: only the first load of the app's life reports them.
let firstPaintReported = false;
function reportFirstPaint(rows: number) {
  if (firstPaintReported) return;
  firstPaintReported = true;
  // public/launch.js painted the first rows already, from its plain copy of this screen.
  const painted = launchViewReported();
  // Two frames: the first runs before the paint that shows the rows, the second after it.
  requestAnimationFrame(() => {
    performance.mark(painted ? "ready-frame-1" : "frame-1");
    requestAnimationFrame(() => {
      const marks: Record<string, number> = { [painted ? "ready" : "painted"]: performance.now() };
      for (const m of performance.getEntriesByType("mark")) marks[m.name] = m.startTime;
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
      if (nav) marks.domContentLoaded = nav.domContentLoadedEventEnd;
      if (!painted) api.firstPaint(rows, marks).catch(() => undefined);
      api.appReady(rows, marks).catch(() => undefined);
    });
  });
}

export function FilingsScreen({ initial }: { initial?: Partial<FilingFilter> }) {
  if (!firstPaintReported && !performance.getEntriesByName("filings-render").length) performance.mark("filings-render");
  const { t } = useI18n();
  const nav = useNav();
  const regionName = useRegionName();
  const [filter, setFilter] = useState<FilingFilter>(() => ({ ...emptyFilter(), ...initial }));
  const [searchText, setSearchText] = useState(initial?.search ?? "");
  const [companyText, setCompanyText] = useState(initial?.company ?? "");
  const [sort, setSort] = useState<Sort | null>(null);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(LAUNCH_PAGE_SIZE);
  // Opened unfiltered at launch: start from the page public/launch.js fetched, if it is in.
  const [early] = useState(() => (firstPageUnused(firstPageQuery(initial)) ? { ...launched } : null));
  const [data, setData] = useState<FilingPage | null>(early?.page ?? null);
  const [facets, setFacets] = useState<Facets | null>(early?.facets ?? null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [selected, setSelected] = useState(0);
  // The arrows moved the selection: the selected row then shows its flags' reasons, as hovering
  // shows them to a mouse (and the first row, selected by default, does not cover the table).
  const [keyed, setKeyed] = useState(false);
  const [exporting, setExporting] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const tableRef = useRef<HTMLDivElement>(null);
  // Answers can arrive out of order when someone types fast; only the latest request may land.
  const requestSeq = useRef(0);

  useDebounced(searchText, (search) => {
    setFilter((f) => (f.search === search ? f : { ...f, search }));
    setPage(1);
  });
  useDebounced(companyText, (company) => {
    setFilter((f) => (f.company === company ? f : { ...f, company }));
    setPage(1);
  });

  const load = useCallback(() => {
    if (!firstPaintReported) performance.mark("filings-requested");
    const seq = ++requestSeq.current;
    const query: FilingQuery = { filter, sort, limit: pageSize, offset: (page - 1) * pageSize };
    const launchQuery = takeFirstPage(query);
    if (launchQuery && early?.page && early.facets) return; // already on screen
    setLoading(true);
    (launchQuery ?? Promise.all([api.listFilings(query), api.facets(filter)])).then(
      ([p, f]) => {
        if (!firstPaintReported) performance.mark("filings-answered");
        if (seq !== requestSeq.current) return;
        setData(p);
        setFacets(f);
        if (!firstPaintReported) performance.mark("filings-set");
        setError(null);
        setLoading(false);
        setSelected((s) => Math.min(s, Math.max(0, p.rows.length - 1)));
      },
      (e: ErrorPayload) => {
        if (seq !== requestSeq.current) return;
        setError(e);
        setLoading(false);
      },
    );
    // `early` never changes after the first render.
  }, [filter, sort, page, pageSize, early]);
  useEffect(load, [load]);
  useLayoutEffect(() => {
    if (data && !firstPaintReported) performance.mark("rows-committed");
  }, [data]);
  // The real screen has its rows (or says why it has none): public/launch.js's copy goes, before
  // this frame is painted.
  useLayoutEffect(() => {
    if (data || error) dropLaunchView();
  }, [data, error]);
  // After the commit that put the rows in the DOM.
  useEffect(() => {
    if (data) reportFirstPaint(data.rows.length);
  }, [data]);

  const update = (f: Partial<FilingFilter>) => {
    setFilter((old) => ({ ...old, ...f }));
    setPage(1);
    setSelected(0);
    setKeyed(false);
  };

  const filtered =
    filter.regions.length > 0 ||
    filter.kind !== null ||
    filter.year !== null ||
    filter.batch !== null ||
    filter.flagged !== null ||
    filter.flag !== null ||
    filter.company !== null ||
    !!filter.search;

  const rows = data?.rows ?? [];
  const open = (row: FilingRow | undefined) => row && nav.go({ name: "detail", id: row.id });

  // Keyboard: ↑/↓ move the selection, Enter opens, PageUp/PageDown turn pages, "/" jumps to search.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const inInput = e.target instanceof HTMLElement && ["INPUT", "TEXTAREA", "SELECT"].includes(e.target.tagName);
      // A focused control (a page number, Export, a sortable header) answers Enter and Space itself.
      if (e.target instanceof HTMLElement && e.target.matches("button, th.sortable") && (e.key === "Enter" || e.key === " ")) return;
      if (e.key === "/" && !inInput) {
        e.preventDefault();
        searchRef.current?.focus();
        return;
      }
      if (inInput && e.key !== "ArrowDown" && e.key !== "Enter") return;
      if (inInput && e.key === "Enter") return;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (inInput) (e.target as HTMLElement).blur();
        setSelected((s) => Math.min(s + 1, rows.length - 1));
        setKeyed(true);
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        setSelected((s) => Math.max(s - 1, 0));
        setKeyed(true);
      } else if (e.key === "Enter") {
        open(rows[selected]);
      } else if (e.key === "PageDown" && data && page * pageSize < data.total) {
        setPage((p) => p + 1);
        setSelected(0);
      } else if (e.key === "PageUp" && page > 1) {
        setPage((p) => p - 1);
        setSelected(0);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  useEffect(() => {
    tableRef.current?.querySelector(".row-selected")?.scrollIntoView({ block: "nearest" });
  }, [selected]);

  // Sorting as Ant Design's table sorts: a column's header goes ascending, descending, unsorted.
  const sortBy = (field: SortField) => {
    const next: Sort | null =
      sort?.field !== field ? { field, desc: false } : !sort.desc ? { field, desc: true } : null;
    setSort(next);
    setPage(1);
    setSelected(0);
  };
  const sortTitle = (field: SortField) =>
    t(sort?.field !== field ? "sort.asc" : !sort.desc ? "sort.desc" : "sort.cancel");

  const columns: Column[] = [
    { key: "flag", title: "", width: 32, cell: (r) => <FlagMarks row={r} /> },
    {
      // Model and company share a column (company on the second line): both are long Chinese
      // names, and side by side they would leave each too narrow to read.
      key: "model",
      title: `${t("field.model")} / ${t("field.company")}`,
      sort: "model",
      className: "cell-wrap",
      cell: (r) => (
        <div className="cell-names">
          <span className="cell-model" title={r.model}>
            {r.model}
          </span>
          <span className="cell-company" title={r.company}>
            {r.company}
          </span>
        </div>
      ),
    },
    { key: "region", title: t("field.region"), sort: "region", width: 92, cell: (r) => regionName(r.region) },
    { key: "kind", title: t("field.kind"), sort: "kind", width: 80, cell: (r) => <KindTag kind={r.kind} /> },
    {
      key: "number",
      title: t("field.number"),
      sort: "number",
      width: 268,
      cell: (r) => (
        <span className="mono" title={r.number}>
          {r.number}
        </span>
      ),
    },
    { key: "filed_on", title: t("field.date"), sort: "filed_on", width: 112, cell: (r) => r.filed_on ?? t("common.none") },
  ];

  const kindLabel = (f: FacetCount) => t(`kind.${f.value}` as Key);
  const flaggedLabel = (f: FacetCount) => t(f.value === "true" ? "filings.flagged" : "filings.unflagged");

  const facetPanel = facets && (
    <section className="card facet-panel">
      <div className="card-head">
        <span>{t("filings.facets")}</span>
        {/* Here rather than beside the search boxes: the bar above the table keeps one line. */}
        {filtered && (
          <button
            type="button"
            className="link-button clear-filters"
            onClick={() => {
              setSearchText("");
              setCompanyText("");
              update(emptyFilter());
            }}
          >
            <ClearOutlined />
            <span>{t("filings.clearFilters")}</span>
          </button>
        )}
      </div>
      <div className="card-body">
        <FacetGroup
          testid="kind"
          title={t("field.kind")}
          items={facets.kind}
          label={kindLabel}
          active={(v) => filter.kind === v}
          onPick={(v) => update({ kind: filter.kind === v ? null : (v as FilingFilter["kind"]) })}
        />
        <FacetGroup
          testid="flagged"
          title={t("field.flags")}
          items={facets.flagged}
          label={flaggedLabel}
          active={(v) => String(filter.flagged) === v}
          onPick={(v) => update({ flagged: String(filter.flagged) === v ? null : v === "true" })}
        />
        <FacetGroup
          testid="region"
          title={t("field.region")}
          items={facets.region}
          label={(f) => regionName(f.value, f.label)}
          active={(v) => filter.regions.includes(v)}
          onPick={(v) =>
            update({ regions: filter.regions.includes(v) ? filter.regions.filter((r) => r !== v) : [...filter.regions, v] })
          }
        />
        <FacetGroup
          testid="year"
          title={t("field.year")}
          items={facets.year}
          active={(v) => String(filter.year) === v}
          onPick={(v) => update({ year: String(filter.year) === v ? null : Number(v) })}
        />
        <FacetGroup
          testid="batch"
          title={t("field.batch")}
          items={facets.batch}
          active={(v) => String(filter.batch) === v}
          onPick={(v) => update({ batch: String(filter.batch) === v ? null : Number(v) })}
        />
      </div>
    </section>
  );

  const emptyRegistry = data && data.total === 0 && !filtered;
  const searchNow = () => {
    const s = searchText.trim();
    setFilter((f) => (f.search === (s || null) ? f : { ...f, search: s || null }));
    setPage(1);
  };

  return (
    <div className="filings-screen">
      {!emptyRegistry && facetPanel}
      <div className="filings-main section-gap">
        {error && <ErrorAlert error={error} onRetry={load} />}
        {emptyRegistry ? (
          <section className="card">
            <div className="empty-state">
              <EmptyPicture />
              <h4 className="empty-title">{t("filings.emptyTitle")}</h4>
              <p className="empty-body">{t("filings.emptyBody")}</p>
              <button type="button" className="btn btn-primary" onClick={() => nav.go({ name: "import" })}>
                {t("filings.emptyAction")}
              </button>
            </div>
          </section>
        ) : (
          <section className="card card-body">
            <div className="filings-bar">
              <div className="filings-bar-group">
                <div className="search-box">
                  <ClearableInput
                    inputRef={searchRef}
                    value={searchText}
                    onChange={setSearchText}
                    onEnter={searchNow}
                    placeholder={t("filings.search")}
                    clearLabel={t("filings.clearSearch")}
                    testid="search"
                  />
                  <button type="button" className="search-button" aria-label={t("filings.search")} onClick={searchNow}>
                    <SearchOutlined />
                  </button>
                </div>
                <ClearableInput
                  className="company-field"
                  value={companyText}
                  onChange={setCompanyText}
                  placeholder={t("filings.company")}
                  clearLabel={t("filings.clearCompany")}
                  testid="company-filter"
                />
              </div>
              <div className="filings-bar-group">
                <span className="kbd-hint">{t("filings.keyboardHint")}</span>
                <button type="button" className="btn" onClick={() => setExporting(true)} data-testid="export">
                  <ExportOutlined />
                  <span>{t("export.button")}</span>
                </button>
              </div>
            </div>
            <div ref={tableRef} className={`table-wrap${loading ? " loading" : ""}${keyed ? " keyed" : ""}`} aria-busy={loading}>
              <table className="plain-table filings-table">
                <colgroup>
                  {columns.map((c) => (
                    <col key={c.key} style={c.width ? { width: c.width } : undefined} />
                  ))}
                </colgroup>
                <thead>
                  <tr>
                    {columns.map((c) =>
                      c.sort ? (
                        <th
                          key={c.key}
                          className={`sortable${sort?.field === c.sort ? " sorted" : ""}`}
                          data-sort={c.sort}
                          aria-sort={sort?.field !== c.sort ? "none" : sort.desc ? "descending" : "ascending"}
                          title={sortTitle(c.sort)}
                          tabIndex={0}
                          onClick={() => sortBy(c.sort!)}
                          onKeyDown={(e) => {
                            if (e.key === "Enter" || e.key === " ") {
                              e.preventDefault();
                              sortBy(c.sort!);
                            }
                          }}
                        >
                          <span className="th-sort">
                            <span className="th-title">{c.title}</span>
                            <SortCarets order={sort?.field !== c.sort ? null : sort.desc ? "desc" : "asc"} />
                          </span>
                        </th>
                      ) : (
                        <th key={c.key}>{c.title}</th>
                      ),
                    )}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r, i) => (
                    <tr
                      key={r.id}
                      data-number={r.number}
                      className={`${r.flags.length ? "row-flagged" : ""}${i === selected ? " row-selected" : ""}`}
                      onClick={() => {
                        setSelected(i);
                        setKeyed(false);
                        open(r);
                      }}
                    >
                      {columns.map((c) => (
                        <td key={c.key} className={c.className}>
                          {c.cell(r)}
                        </td>
                      ))}
                    </tr>
                  ))}
                  {data && rows.length === 0 && (
                    <tr className="row-empty">
                      <td colSpan={columns.length}>
                        <div className="empty-state">
                          <EmptyPicture />
                          <p className="empty-title">{t("filings.noMatch")}</p>
                          <p className="empty-body">{t("filings.noMatchBody")}</p>
                        </div>
                      </td>
                    </tr>
                  )}
                </tbody>
              </table>
              {loading && (
                <div className="table-loading">
                  <Spinner label={t("common.loading")} />
                </div>
              )}
            </div>
            <Pager
              page={page}
              pageSize={pageSize}
              total={data?.total ?? 0}
              onPage={(p) => {
                setPage(p);
                setSelected(0);
              }}
              onPageSize={(n) => {
                // Keep the first row on screen in view, as Ant Design's size changer does.
                setPage(Math.floor(((page - 1) * pageSize) / n) + 1);
                setPageSize(n);
                setSelected(0);
              }}
            />
          </section>
        )}
      </div>
      {exporting && (
        <Suspense fallback={null}>
          <ExportDialog filter={filter} sort={sort} asOf={null} onClose={() => setExporting(false)} />
        </Suspense>
      )}
    </div>
  );
}

/** A text box with a clear button, as Ant Design's `allowClear` inputs have. */
function ClearableInput({
  value,
  onChange,
  onEnter,
  placeholder,
  clearLabel,
  testid,
  className,
  inputRef,
}: {
  value: string;
  onChange: (value: string) => void;
  onEnter?: () => void;
  placeholder: string;
  clearLabel: string;
  testid: string;
  className?: string;
  inputRef?: RefObject<HTMLInputElement | null>;
}) {
  const own = useRef<HTMLInputElement>(null);
  const ref = inputRef ?? own;
  return (
    <span className={className ? `search-field ${className}` : "search-field"}>
      <input
        ref={ref}
        className="search-input"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") onEnter?.();
        }}
        placeholder={placeholder}
        aria-label={placeholder}
        data-testid={testid}
      />
      {value && (
        <button
          type="button"
          className="search-clear"
          aria-label={clearLabel}
          title={clearLabel}
          onClick={() => {
            onChange("");
            ref.current?.focus();
          }}
        >
          <CloseCircleFilled />
        </button>
      )}
    </span>
  );
}

/** Hands `text` (trimmed; null when empty) to `apply` once typing has paused, so each keystroke
 * does not hit the database. */
function useDebounced(text: string, apply: (value: string | null) => void) {
  const latest = useRef(apply);
  latest.current = apply;
  useEffect(() => {
    const h = setTimeout(() => latest.current(text.trim() || null), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(h);
  }, [text]);
}

interface Column {
  key: string;
  title: string;
  width?: number;
  sort?: SortField;
  className?: string;
  cell: (r: FilingRow) => ReactNode;
}

function SortCarets({ order }: { order: "asc" | "desc" | null }) {
  return (
    <span className="sort-carets" aria-hidden="true">
      <svg viewBox="0 0 1024 1024" className={order === "asc" ? "on" : ""}>
        <path d="M858.9 689L530.5 308.2c-9.4-10.9-27.5-10.9-37 0L165.1 689c-12.2 14.2-1.2 35 18.5 35h656.8c19.7 0 30.7-20.8 18.5-35z" />
      </svg>
      <svg viewBox="0 0 1024 1024" className={order === "desc" ? "on" : ""}>
        <path d="M840.4 300H183.6c-19.7 0-30.7 20.8-18.5 35l328.4 380.8c9.4 10.9 27.5 10.9 37 0L858.9 335c12.2-14.2 1.2-35-18.5-35z" />
      </svg>
    </span>
  );
}

const PAGE_SIZES = [20, 50, 100, 200];

/** Page numbers as Ant Design's pagination lays them out: the ends, and two either side of the current page. */
function pageItems(page: number, pages: number): (number | "gap")[] {
  if (pages <= 9) return Array.from({ length: pages }, (_, i) => i + 1);
  const from = Math.max(2, Math.min(page - 2, pages - 5));
  const to = Math.min(pages - 1, Math.max(page + 2, 6));
  const items: (number | "gap")[] = [1];
  if (from > 2) items.push("gap");
  for (let p = from; p <= to; p++) items.push(p);
  if (to < pages - 1) items.push("gap");
  items.push(pages);
  return items;
}

function Pager({
  page,
  pageSize,
  total,
  onPage,
  onPageSize,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (p: number) => void;
  onPageSize: (n: number) => void;
}) {
  const { t } = useI18n();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav className="pager" aria-label="pagination">
      <span className="pager-total">{t("common.total", { n: count(total) })}</span>
      <button type="button" className="pager-item" disabled={page <= 1} title={t("pager.prev")} onClick={() => onPage(page - 1)}>
        ‹
      </button>
      {pageItems(page, pages).map((p, i) =>
        p === "gap" ? (
          <span key={`gap-${i}`} className="pager-gap">
            •••
          </span>
        ) : (
          <button
            type="button"
            key={p}
            className={`pager-item${p === page ? " active" : ""}`}
            aria-current={p === page ? "page" : undefined}
            title={t("pager.page", { n: p })}
            onClick={() => onPage(p)}
          >
            {p}
          </button>
        ),
      )}
      <button type="button" className="pager-item" disabled={page >= pages} title={t("pager.next")} onClick={() => onPage(page + 1)}>
        ›
      </button>
      <select className="pager-size" value={pageSize} onChange={(e) => onPageSize(Number(e.target.value))}>
        {PAGE_SIZES.map((n) => (
          <option key={n} value={n}>
            {t("pager.perPage", { n })}
          </option>
        ))}
      </select>
    </nav>
  );
}
