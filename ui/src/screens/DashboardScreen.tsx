// The dashboard: headline figures, regions, the timeline against the published totals, a province
// tile grid, top companies and the kind split, all under one as-of date and the Filings filters.
// The tile grid places one square per province roughly where it lies; it draws no boundaries
// (a boundary map of China needs an official map-review number, 审图号, so Beian ships none).

import { TableOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Col, DatePicker, Empty, Input, Row, Select, Space, Spin, Statistic, Table, Tag, Tooltip, Typography } from "antd";
import dayjs from "dayjs";
import { useCallback, useEffect, useMemo, useState } from "react";
import { reportsApi, today } from "../apiReports";
import type { Dashboard } from "../bindings/Dashboard";
import type { ErrorPayload } from "../bindings/ErrorPayload";
import type { FilingFilter } from "../bindings/FilingFilter";
import type { StatsRow } from "../bindings/StatsRow";
import "../reports.css";
import { ChartCard, EChart, type ChartClick, type ChartOption } from "../charts";
import { ErrorAlert } from "../errors";
import { useRegions, count } from "../format";
import { useI18n, type Key } from "../i18n";
import { useNav } from "../nav";
import { ExportButton } from "./ExportDialog";
import { emptyFilter } from "./FilingsScreen";

/** [column, row] of each region's tile: north at the top, east on the right. */
const TILES: Record<string, [number, number]> = {
  HL: [8, 0],
  NM: [5, 1],
  BJ: [6, 1],
  JL: [8, 1],
  XJ: [1, 2],
  GS: [3, 2],
  NX: [4, 2],
  SX: [5, 2],
  HE: [6, 2],
  TJ: [7, 2],
  LN: [8, 2],
  QH: [2, 3],
  SN: [4, 3],
  HA: [5, 3],
  SD: [6, 3],
  XZ: [1, 4],
  SC: [3, 4],
  CQ: [4, 4],
  HB: [5, 4],
  AH: [6, 4],
  JS: [7, 4],
  SH: [8, 4],
  YN: [3, 5],
  GZ: [4, 5],
  HN: [5, 5],
  JX: [6, 5],
  ZJ: [7, 5],
  GX: [4, 6],
  GD: [5, 6],
  FJ: [6, 6],
  HI: [5, 7],
  // Central enterprises file with the CAC directly: a tile of their own, apart from the map.
  SASAC: [0, 7],
};
const TILE_COLS = 9;
const TILE_ROWS = 8;
const BLUE = "#1f4e8c";
const LIGHT = "#7fa7da";
const AMBER = "#d4880f";

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** Months from `from` to `to` inclusive, as YYYY-MM. */
function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split("-").map(Number) as [number, number];
  const [ty, tm] = to.split("-").map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

export function DashboardScreen() {
  const { t, lang } = useI18n();
  const nav = useNav();
  const regions = useRegions();
  const [filter, setFilter] = useState<FilingFilter>(emptyFilter);
  const [searchText, setSearchText] = useState("");
  const [asOf, setAsOf] = useState(today);
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(() => {
    setLoading(true);
    // Where a slow Dashboard spends its time (the shell's answer, or drawing): see BENCHMARKS.md.
    performance.mark("dashboard-requested");
    reportsApi.dashboard(filter, asOf).then(
      (d) => {
        performance.mark("dashboard-answered");
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: ErrorPayload) => {
        setError(e);
        setLoading(false);
      },
    );
  }, [filter, asOf]);
  useEffect(load, [load]);

  const byName = useMemo(() => new Map(regions.map((r) => [r.name, r])), [regions]);
  const regionLabel = useCallback(
    (row: { key: string; label: string }) => (lang === "en" ? (byName.get(row.key)?.english ?? row.label) : row.label),
    [lang, byName],
  );

  /** Opens the Filings screen on one region, keeping the dashboard's other filters. */
  const openRegion = useCallback(
    (region: string) => {
      nav.go({
        name: "filings",
        filter: { ...filter, regions: [region], ...(asOf !== today() ? { to: asOf } : {}) },
      });
    },
    [nav, filter, asOf],
  );

  const kindCount = (k: string) => data?.kinds.rows.find((r) => r.key === k)?.count ?? 0;

  const regionBar = useMemo<ChartOption | null>(() => {
    if (!data) return null;
    // Largest at the top: a horizontal bar chart reads top-down.
    const rows = [...data.regions.rows].reverse();
    return {
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: (p: { dataIndex: number }) => {
          const r = rows[p.dataIndex]!;
          return `${regionLabel(r)}<br/>${t("dash.filings")}: <b>${count(r.count)}</b> (${pct(r.share)})<br/>${t("dash.rank")}: ${r.rank}<br/><i>${t("dash.clickToOpen")}</i>`;
        },
      },
      xAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef0f4" } } },
      yAxis: { type: "category", data: rows.map(regionLabel), axisTick: { show: false } },
      series: [
        {
          type: "bar",
          data: rows.map((r) => ({ value: r.count, name: r.key })),
          itemStyle: { color: BLUE, borderRadius: [0, 3, 3, 0] },
          barMaxWidth: 22,
          label: { show: true, position: "right", color: "#333" },
          cursor: "pointer",
        },
      ],
    };
  }, [data, regionLabel, t]);

  const timeline = useMemo<ChartOption | null>(() => {
    if (!data) return null;
    const asOfMonth = data.as_of.slice(0, 7);
    const published = data.published.filter((p) => p.as_of <= data.as_of);
    const first = [data.months.rows[0]?.key, published[0]?.as_of.slice(0, 7)].filter(Boolean).sort()[0] as string | undefined;
    if (!first) return null;
    const axis = monthsBetween(first, asOfMonth);
    const monthly = new Map(data.months.rows.map((r) => [r.key, r.count]));
    let running = 0;
    const cumulative = axis.map((m) => (running += monthly.get(m) ?? 0));
    const pub = new Map(published.map((p) => [p.as_of.slice(0, 7), p]));
    const confidence = (c: string) => t(`conf.${c}` as Key);
    return {
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0, data: [t("dash.registryCumulative"), t("dash.published"), t("dash.monthlyNew")] },
      tooltip: {
        trigger: "axis",
        formatter: (ps: { seriesIndex: number; axisValue: string; value: number | null }[]) => {
          const m = ps[0]?.axisValue ?? "";
          const lines = [`<b>${m}</b>`];
          for (const p of ps) {
            if (p.value == null) continue;
            if (p.seriesIndex === 0) lines.push(`${t("dash.registryCumulative")}: ${count(p.value)}`);
            if (p.seriesIndex === 2) lines.push(`${t("dash.monthlyNew")}: ${count(p.value)}`);
            if (p.seriesIndex === 1) {
              const src = pub.get(m);
              lines.push(`${t("dash.published")}: ${count(p.value)}${src ? ` (${src.as_of}, ${confidence(src.confidence)})` : ""}`);
            }
          }
          return lines.join("<br/>");
        },
      },
      xAxis: { type: "category", data: axis, axisTick: { alignWithLabel: true } },
      yAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef0f4" } } },
      series: [
        { name: t("dash.registryCumulative"), type: "line", data: cumulative, showSymbol: false, lineStyle: { width: 2.5, color: BLUE }, itemStyle: { color: BLUE }, areaStyle: { color: "rgba(31,78,140,0.08)" } },
        {
          name: t("dash.published"),
          type: "line",
          data: axis.map((m) => pub.get(m)?.filed ?? null),
          connectNulls: true,
          symbolSize: 8,
          lineStyle: { type: "dashed", color: AMBER },
          itemStyle: { color: AMBER },
          label: { show: true, position: "top", color: AMBER, fontSize: 11 },
        },
        { name: t("dash.monthlyNew"), type: "bar", data: axis.map((m) => monthly.get(m) ?? 0), itemStyle: { color: LIGHT }, barMaxWidth: 10 },
      ],
    };
  }, [data, t]);

  const tileMap = useMemo<ChartOption | null>(() => {
    if (!data || regions.length === 0) return null;
    const counts = new Map(data.regions.rows.map((r) => [r.key, r]));
    const cells = regions
      .filter((r) => TILES[r.code])
      .map((r) => {
        const [x, y] = TILES[r.code]!;
        const row = counts.get(r.name);
        const short = r.short_names[0] ?? r.name;
        const label = lang === "en" ? (r.code === "SASAC" ? "SASAC" : r.english) : short;
        return { value: [x, y, row?.count ?? 0], name: r.name, label: { formatter: `${label}\n${row?.count ?? 0}` }, share: row?.share ?? 0 };
      });
    const max = Math.max(1, ...cells.map((c) => c.value[2] as number));
    return {
      grid: { left: 4, right: 4, top: 4, bottom: 36 },
      tooltip: {
        formatter: (p: { data: (typeof cells)[number] }) => {
          const r = byName.get(p.data.name);
          const name = lang === "en" ? (r?.english ?? p.data.name) : p.data.name;
          return `${name}<br/>${t("dash.filings")}: <b>${count(p.data.value[2] as number)}</b> (${pct(p.data.share)})<br/><i>${t("dash.clickToOpen")}</i>`;
        },
      },
      xAxis: { type: "category", data: [...Array(TILE_COLS).keys()], show: false },
      yAxis: { type: "category", data: [...Array(TILE_ROWS).keys()], show: false, inverse: true },
      visualMap: {
        min: 0,
        max,
        calculable: false,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        itemHeight: 120,
        itemWidth: 10,
        text: [String(max), "0"],
        inRange: { color: ["#f1f4f9", "#bcd2ee", "#6f9bd6"] },
      },
      series: [
        {
          type: "heatmap",
          data: cells,
          label: { show: true, color: "#14243d", fontSize: 11, lineHeight: 14 },
          itemStyle: { borderColor: "#fff", borderWidth: 3, borderRadius: 4 },
          emphasis: { itemStyle: { borderColor: BLUE, borderWidth: 2 } },
          cursor: "pointer",
        },
      ],
    };
  }, [data, regions, lang, byName, t]);

  const kindPie = useMemo<ChartOption | null>(() => {
    if (!data) return null;
    return {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0 },
      series: [
        {
          type: "pie",
          radius: ["45%", "72%"],
          center: ["50%", "45%"],
          label: { formatter: "{b}\n{c}" },
          data: data.kinds.rows.map((r) => ({
            name: t(r.key === "filed" ? "kind.filed" : "kind.registered"),
            value: r.count,
            itemStyle: { color: r.key === "filed" ? BLUE : "#8a5cc7" },
          })),
        },
      ],
    };
  }, [data, t]);

  const onRegionClick = (p: ChartClick) => {
    const name = (p.data as { name?: string } | undefined)?.name ?? p.name;
    if (name) openRegion(name);
  };

  const update = (f: Partial<FilingFilter>) => setFilter((old) => ({ ...old, ...f }));
  useEffect(() => {
    // Only a changed search makes a new filter: an equal one would ask the shell again (it did,
    // 250 ms after every visit).
    const h = setTimeout(() => {
      const search = searchText.trim() || null;
      setFilter((old) => (old.search === search ? old : { ...old, search }));
    }, 250);
    return () => clearTimeout(h);
  }, [searchText]);

  const years = useMemo(() => {
    const last = Number(asOf.slice(0, 4));
    return Array.from({ length: Math.max(1, last - 2022) }, (_, i) => last - i);
  }, [asOf]);

  const c = data?.completeness;
  const pubFiled = c?.filed;

  return (
    <div className="section-gap" data-testid="dashboard">
      <Card size="small">
        <Space wrap size={[12, 8]} style={{ width: "100%", justifyContent: "space-between" }}>
          <Space wrap size={[12, 8]}>
            <span className="dash-filter-label">{t("dash.asOf")}</span>
            <DatePicker
              value={dayjs(asOf)}
              allowClear={false}
              onChange={(d) => d && setAsOf(d.format("YYYY-MM-DD"))}
              data-testid="as-of"
            />
            <Select
              allowClear
              placeholder={t("field.region")}
              style={{ width: 150 }}
              value={filter.regions[0] ?? null}
              onChange={(v: string | null) => update({ regions: v ? [v] : [] })}
              options={regions.map((r) => ({ value: r.name, label: lang === "en" ? r.english : r.name }))}
              showSearch={{ optionFilterProp: "label" }}
              data-testid="dash-region"
            />
            <Select
              allowClear
              placeholder={t("field.kind")}
              style={{ width: 110 }}
              value={filter.kind}
              onChange={(v) => update({ kind: v ?? null })}
              options={[
                { value: "filed", label: t("kind.filed") },
                { value: "registered", label: t("kind.registered") },
              ]}
            />
            <Select
              allowClear
              placeholder={t("field.year")}
              style={{ width: 100 }}
              value={filter.year}
              onChange={(v) => update({ year: v ?? null })}
              options={years.map((y) => ({ value: y, label: String(y) }))}
            />
            <Input.Search allowClear placeholder={t("filings.search")} style={{ width: 200 }} value={searchText} onChange={(e) => setSearchText(e.target.value)} />
          </Space>
          <Space>
            <Button icon={<TableOutlined />} onClick={() => nav.go({ name: "filings", filter: { ...filter, ...(asOf !== today() ? { to: asOf } : {}) } })}>
              {t("dash.openFilings")}
            </Button>
            <ExportButton filter={filter} sort={null} asOf={asOf} />
          </Space>
        </Space>
      </Card>

      {error && <ErrorAlert error={error} onRetry={load} />}
      {!data ? (
        <Spin />
      ) : (
        <Spin spinning={loading}>
          <div className="section-gap">
            <Row gutter={[12, 12]}>
              <Col span={4}>
                <Card size="small" data-testid="stat-total">
                  <Statistic title={t("dash.total")} value={data.regions.total} />
                  <Typography.Text type="secondary" className="stat-note">
                    {t("dash.asOfNote", { date: data.as_of })}
                  </Typography.Text>
                </Card>
              </Col>
              <Col span={4}>
                <Card size="small">
                  <Statistic title={t("kind.filed")} value={kindCount("filed")} />
                  <Typography.Text type="secondary" className="stat-note">{t("dash.filedNote")}</Typography.Text>
                </Card>
              </Col>
              <Col span={4}>
                <Card size="small">
                  <Statistic title={t("kind.registered")} value={kindCount("registered")} />
                  <Typography.Text type="secondary" className="stat-note">{t("dash.registeredNote")}</Typography.Text>
                </Card>
              </Col>
              <Col span={3}>
                <Card size="small">
                  <Statistic title={t("dash.regions")} value={data.regions.groups} />
                  <Typography.Text type="secondary" className="stat-note">&nbsp;</Typography.Text>
                </Card>
              </Col>
              <Col span={3}>
                <Card size="small">
                  <Statistic title={t("dash.companies")} value={data.companies.groups} />
                  <Typography.Text type="secondary" className="stat-note">&nbsp;</Typography.Text>
                </Card>
              </Col>
              <Col span={6}>
                <Card size="small" data-testid="completeness">
                  {pubFiled ? (
                    <>
                      <Statistic
                        title={t("dash.completeness")}
                        value={pubFiled.registry}
                        suffix={<span className="stat-suffix">{t("dash.ofPublished", { n: count(pubFiled.published) })}</span>}
                      />
                      <Typography.Text type="secondary" className="stat-note">
                        {t("dash.publishedAsOf", { date: pubFiled.published_as_of })}{" "}
                        <Tooltip title={pubFiled.source}>
                          <Tag color={pubFiled.confidence === "H" ? "green" : pubFiled.confidence === "M" ? "gold" : "red"}>
                            {t(`conf.${pubFiled.confidence}` as Key)}
                          </Tag>
                        </Tooltip>
                      </Typography.Text>
                    </>
                  ) : (
                    <Statistic title={t("dash.completeness")} value={t("dash.noPublished")} />
                  )}
                </Card>
              </Col>
            </Row>
            {data.regions.undated > 0 && <Alert type="info" showIcon title={t("dash.undated", { n: data.regions.undated })} />}

            {data.regions.total === 0 ? (
              <Card>
                <Empty description={t("dash.empty")} />
              </Card>
            ) : (
              <>
                <Row gutter={[12, 12]}>
                  <Col span={10}>
                    <ChartCard chart="regions" title={t("dash.byRegion")} extra={<Typography.Text type="secondary">{t("dash.clickHint")}</Typography.Text>}>
                      {regionBar && <EChart name="regions" option={regionBar} height={Math.max(240, data.regions.rows.length * 26 + 24)} onClick={onRegionClick} />}
                    </ChartCard>
                  </Col>
                  <Col span={14}>
                    <ChartCard chart="tiles" title={t("dash.tileMap")} extra={<Typography.Text type="secondary">{t("dash.tileNote")}</Typography.Text>}>
                      {tileMap && <EChart name="tiles" option={tileMap} height={400} onClick={onRegionClick} />}
                    </ChartCard>
                  </Col>
                </Row>
                <ChartCard chart="timeline" title={t("dash.timeline")}>
                  {timeline && <EChart name="timeline" option={timeline} height={300} />}
                </ChartCard>
                <Row gutter={[12, 12]}>
                  <Col span={15}>
                    <Card size="small" title={t("dash.topCompanies", { n: data.companies.rows.length })}>
                      <Table<StatsRow>
                        size="small"
                        rowKey="key"
                        pagination={false}
                        dataSource={data.companies.rows}
                        data-testid="top-companies"
                        onRow={(r) => ({ onClick: () => nav.go({ name: "filings", filter: { ...filter, company: r.key } }), style: { cursor: "pointer" } })}
                        columns={[
                          { title: "#", dataIndex: "rank", width: 48 },
                          { title: t("field.company"), dataIndex: "label" },
                          { title: t("dash.filings"), dataIndex: "count", width: 90, align: "right", render: (n: number) => count(n) },
                          { title: t("dash.share"), dataIndex: "share", width: 90, align: "right", render: pct },
                        ]}
                      />
                    </Card>
                  </Col>
                  <Col span={9}>
                    <ChartCard chart="kinds" title={t("dash.kindSplit")}>
                      {kindPie && <EChart name="kinds" option={kindPie} height={280} />}
                    </ChartCard>
                  </Col>
                </Row>
              </>
            )}
          </div>
        </Spin>
      )}
    </div>
  );
}
