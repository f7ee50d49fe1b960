// ECharts, imported piece by piece so the bundle carries only the charts the dashboard draws.
// Canvas rendering: a chart saves as a PNG straight from its canvas (getDataURL).

import { DownloadOutlined } from "@ant-design/icons";
import { App, Button, Card, Tooltip } from "antd";
import { BarChart, HeatmapChart, LineChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef, type ReactNode } from "react";
import { reportsApi } from "./apiReports";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import { useErrorText } from "./errors";
import { useI18n } from "./i18n";
import { chooseSavePath } from "./savePath";

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  HeatmapChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;
export type ChartClick = { name?: string; data?: unknown; seriesIndex?: number; dataIndex?: number };

declare global {
  interface Window {
    /** The dashboard's charts by name, so E2E can find where a bar is drawn and click it. */
    __beianCharts?: Record<string, echarts.ECharts>;
  }
}


const FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

export function EChart({
  name,
  option,
  height,
  onClick,
}: {
  name: string;
  option: ChartOption;
  height: number;
  onClick?: (p: ChartClick) => void;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    const c = echarts.init(el.current!, undefined, { renderer: "canvas" });
    chart.current = c;
    c.on("click", (p) => click.current?.(p as ChartClick));
    window.__beianCharts = { ...window.__beianCharts, [name]: c };
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current!);
    return () => {
      ro.disconnect();
      if (window.__beianCharts?.[name] === c) delete window.__beianCharts[name];
      c.dispose();
      chart.current = null;
    };
  }, [name]);

  useEffect(() => {
    chart.current?.setOption({ textStyle: { fontFamily: FONT }, animation: false, ...option }, true);
  }, [option]);

  return <div ref={el} style={{ height, width: "100%" }} data-chart={name} />;
}

function dataUrlBytes(url: string): number[] {
  const bin = atob(url.slice(url.indexOf(",") + 1));
  const out = new Array<number>(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A card around a chart, with a button that saves the chart as a PNG where the user chooses. */
export function ChartCard({
  title,
  chart,
  children,
  extra,
}: {
  title: ReactNode;
  /** The chart's name (as given to EChart): also the default file name. */
  chart: string;
  children: ReactNode;
  extra?: ReactNode;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const savePng = async () => {
    const c = window.__beianCharts?.[chart];
    if (!c) return;
    const path = await chooseSavePath(`${chart}.png`, "PNG", "png");
    if (!path) return;
    try {
      const url = c.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
      await reportsApi.saveChartPng(path, dataUrlBytes(url));
      message.success(t("dash.pngSaved", { path }));
    } catch (e) {
      message.error(errorText(e as ErrorPayload));
    }
  };
  return (
    <Card
      size="small"
      title={title}
      extra={
        <span style={{ display: "inline-flex", gap: 8, alignItems: "center" }}>
          {extra}
          <Tooltip title={t("dash.savePng")}>
            <Button size="small" type="text" icon={<DownloadOutlined />} onClick={savePng} data-save-png={chart} aria-label={t("dash.savePng")} />
          </Tooltip>
        </span>
      }
    >
      {children}
    </Card>
  );
}
