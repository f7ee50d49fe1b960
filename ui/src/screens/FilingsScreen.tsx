// The Filings table. Everything is server-side: the core sorts, filters and pages, so the screen
// stays smooth however many rows the registry holds; the UI only ever holds one page.

import { ClearOutlined, WarningFilled } from "@ant-design/icons";
import { Button, Card, Empty, Input, Space, Table, Tag, Tooltip, Typography, type InputRef } from "antd";
import type { ColumnsType, SorterResult } from "antd/es/table/interface";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
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
import { ExportButton } from "./ExportDialog";

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
    <Tooltip
      title={
        <ul style={{ margin: 0, paddingLeft: 16 }}>
          {row.flags.map((f) => (
            <li key={f}>{t(flagKey(f))}</li>
          ))}
        </ul>
      }
    >
      <WarningFilled style={{ color: "#fa8c16" }} aria-label={t("filings.flaggedRow")} data-flagged="true" />
    </Tooltip>
  );
}

export function KindTag({ kind }: { kind: FilingRow["kind"] }) {
  const { t } = useI18n();
  return <Tag color={kind === "filed" ? "blue" : "purple"}>{t(kind === "filed" ? "kind.filed" : "kind.registered")}</Tag>;
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
  const searchRef = useRef<InputRef>(null);
  const tableRef = useRef<HTMLDivElement>(null);
  // Answers can arrive out of order when someone types fast; only the latest request may land.
  const requestSeq = useRef(0);

  // Debounce typing into the filter so each keystroke does not hit the database.
  useEffect(() => {
    const h = setTimeout(() => {
      const s = searchText.trim();
      setFilter((f) => (f.search === (s || null) ? f : { ...f, search: s || null }));
      setPage(1);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(h);
  }, [searchText]);

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
      const inInput = e.target instanceof HTMLElement && ["INPUT", "TEXTAREA"].includes(e.target.tagName);
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
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        setSelected((s) => Math.max(s - 1, 0));
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

  const sortOrder = (field: SortField) =>
    sort?.field === field ? (sort.desc ? ("descend" as const) : ("ascend" as const)) : null;

  const columns: ColumnsType<FilingRow> = useMemo(
    () => [
      {
        title: "",
        key: "flag",
        width: 32,
        render: (_, r) => <FlagMarks row={r} />,
      },
      {
        // Model and company share a column (company on the second line): both are long Chinese
        // names, and side by side they would leave each too narrow to read.
        title: `${t("field.model")} / ${t("field.company")}`,
        dataIndex: "model",
        key: "model",
        sorter: true,
        sortOrder: sortOrder("model"),
        render: (v: string, r: FilingRow) => (
          // Plain elements with CSS ellipsis and a native tooltip: fifty rows of Typography with
          // measured ellipsis cost more to render at launch than the rest of the table.
          <div className="cell-names">
            <span className="cell-model" title={v}>
              {v}
            </span>
            <span className="cell-company" title={r.company}>
              {r.company}
            </span>
          </div>
        ),
      },
      {
        title: t("field.region"),
        dataIndex: "region",
        key: "region",
        sorter: true,
        sortOrder: sortOrder("region"),
        width: 92,
        render: (v: string) => regionName(v),
      },
      {
        title: t("field.kind"),
        dataIndex: "kind",
        key: "kind",
        width: 80,
        sorter: true,
        sortOrder: sortOrder("kind"),
        render: (k: FilingRow["kind"]) => <KindTag kind={k} />,
      },
      {
        title: t("field.number"),
        dataIndex: "number",
        key: "number",
        sorter: true,
        sortOrder: sortOrder("number"),
        width: 268,
        ellipsis: true,
        render: (v: string) => <span className="mono">{v}</span>,
      },
      {
        title: t("field.date"),
        dataIndex: "filed_on",
        key: "filed_on",
        width: 112,
        sorter: true,
        sortOrder: sortOrder("filed_on"),
        render: (v: string | null) => v ?? t("common.none"),
      },
    ],
    [t, sort, regionName],
  );

  const kindLabel = (f: FacetCount) => t(`kind.${f.value}` as Key);
  const flaggedLabel = (f: FacetCount) => t(f.value === "true" ? "filings.flagged" : "filings.unflagged");

  const facetPanel = facets && (
    <Card className="facet-panel" size="small" title={t("filings.facets")} style={{ width: 212, flex: "none" }}>
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
    </Card>
  );

  const emptyRegistry = data && data.total === 0 && !filtered;

  return (
    <div style={{ display: "flex", gap: 16, alignItems: "flex-start" }}>
      {!emptyRegistry && facetPanel}
      <div style={{ flex: 1, minWidth: 0 }} className="section-gap">
        {error && <ErrorAlert error={error} onRetry={load} />}
        {emptyRegistry ? (
          <Card>
            <Empty
              className="empty-state"
              description={
                <Space orientation="vertical">
                  <Typography.Title level={4}>{t("filings.emptyTitle")}</Typography.Title>
                  <Typography.Text type="secondary">{t("filings.emptyBody")}</Typography.Text>
                </Space>
              }
            >
              <Button type="primary" onClick={() => nav.go({ name: "import" })}>
                {t("filings.emptyAction")}
              </Button>
            </Empty>
          </Card>
        ) : (
          <Card size="small">
            <Space style={{ width: "100%", justifyContent: "space-between", marginBottom: 12 }} wrap>
              <Space>
                <Input.Search
                  ref={searchRef}
                  allowClear
                  value={searchText}
                  onChange={(e) => setSearchText(e.target.value)}
                  placeholder={t("filings.search")}
                  style={{ width: 380 }}
                  data-testid="search"
                />
                {filtered && (
                  <Button
                    icon={<ClearOutlined />}
                    onClick={() => {
                      setSearchText("");
                      update(emptyFilter());
                    }}
                  >
                    {t("filings.clearFilters")}
                  </Button>
                )}
              </Space>
              <Space>
                <span className="kbd-hint">{t("filings.keyboardHint")}</span>
                <ExportButton filter={filter} sort={sort} asOf={null} />
              </Space>
            </Space>
            <div ref={tableRef}>
              <Table<FilingRow>
                className="filings-table"
                size="small"
                rowKey="id"
                loading={loading}
                columns={columns}
                dataSource={rows}
                locale={{
                  emptyText: (
                    <Empty description={t("filings.noMatch")}>
                      <Typography.Text type="secondary">{t("filings.noMatchBody")}</Typography.Text>
                    </Empty>
                  ),
                }}
                rowClassName={(r, i) => `${r.flags.length ? "row-flagged" : ""} ${i === selected ? "row-selected" : ""}`}
                onRow={(r, i) => ({
                  onClick: () => {
                    setSelected(i ?? 0);
                    open(r);
                  },
                  "data-number": r.number,
                })}
                onChange={(p, _f, s) => {
                  const sorter = s as SorterResult<FilingRow>;
                  const next: Sort | null =
                    sorter.order && sorter.columnKey
                      ? { field: sorter.columnKey as SortField, desc: sorter.order === "descend" }
                      : null;
                  if (JSON.stringify(next) !== JSON.stringify(sort)) {
                    setSort(next);
                    setPage(1);
                  } else {
                    setPage(p.current ?? 1);
                  }
                  setPageSize(p.pageSize ?? LAUNCH_PAGE_SIZE);
                  setSelected(0);
                }}
                pagination={{
                  current: page,
                  pageSize,
                  total: data?.total ?? 0,
                  showSizeChanger: true,
                  pageSizeOptions: [20, 50, 100, 200],
                  showTotal: (n) => t("common.total", { n: count(n) }),
                }}
              />
            </div>
          </Card>
        )}
      </div>
    </div>
  );
}
