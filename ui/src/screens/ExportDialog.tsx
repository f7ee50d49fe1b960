// Export exactly what is on screen: the caller passes its filter, sort and as-of date; the
// language is the UI's. The save dialog picks the file, then the shell writes it on a worker
// thread with progress and cancel; errors are shown by code.

import { ExportOutlined } from "@ant-design/icons";
import { Alert, Button, Modal, Progress, Radio, Select, Space, Typography } from "antd";
import { useEffect, useState } from "react";
import { onExportProgress, reportsApi } from "../apiReports";
import type { CsvEncoding } from "../bindings/CsvEncoding";
import type { ErrorPayload } from "../bindings/ErrorPayload";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { ExportSummary } from "../bindings/ExportSummary";
import type { FilingFilter } from "../bindings/FilingFilter";
import type { Sort } from "../bindings/Sort";
import { chooseSavePath } from "../savePath";
import { ErrorAlert } from "../errors";
import { useI18n } from "../i18n";
import { count } from "../format";

type Stage =
  | { name: "choose" }
  | { name: "running"; done: number; total: number }
  | { name: "done"; summary: ExportSummary }
  | { name: "failed"; error: ErrorPayload };

const EXT: Record<ExportFormat, string> = { csv: "csv", xlsx: "xlsx", html: "html", pdf: "pdf" };

export function ExportButton(props: { filter: FilingFilter; sort: Sort | null; asOf: string | null }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button icon={<ExportOutlined />} onClick={() => setOpen(true)} data-testid="export">
        {t("export.button")}
      </Button>
      {open && <ExportDialog {...props} onClose={() => setOpen(false)} />}
    </>
  );
}

export function ExportDialog({
  filter,
  sort,
  asOf,
  onClose,
}: {
  filter: FilingFilter;
  sort: Sort | null;
  asOf: string | null;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  const [format, setFormat] = useState<ExportFormat>("xlsx");
  const [encoding, setEncoding] = useState<CsvEncoding>("utf8_bom");
  const [pdfFont, setPdfFont] = useState<string | null | undefined>(undefined);
  const [stage, setStage] = useState<Stage>({ name: "choose" });

  useEffect(() => {
    reportsApi.pdfFont().then(setPdfFont, () => setPdfFont(null));
  }, []);

  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let gone = false;
    onExportProgress((p) => setStage((s) => (s.name === "running" ? { name: "running", done: p.done, total: p.total } : s))).then((u) =>
      gone ? u() : (unlisten = u),
    );
    return () => {
      gone = true;
      unlisten?.();
    };
  }, []);

  const run = async () => {
    const date = (asOf ?? new Date().toISOString()).slice(0, 10);
    const path = await chooseSavePath(`beian-${date}.${EXT[format]}`, t(`export.format.${format}`), EXT[format]);
    if (!path) return;
    setStage({ name: "running", done: 0, total: 0 });
    try {
      const summary = await reportsApi.exportReport({
        format,
        path,
        filter,
        sort,
        as_of: asOf,
        language: lang === "en" ? "en" : "zh",
        csv_encoding: encoding,
        now: "",
        title: null,
      });
      setStage({ name: "done", summary });
    } catch (e) {
      setStage({ name: "failed", error: e as ErrorPayload });
    }
  };

  const running = stage.name === "running";
  const footer =
    stage.name === "choose" ? (
      <Space>
        <Button onClick={onClose}>{t("common.cancel")}</Button>
        <Button type="primary" onClick={run} disabled={format === "pdf" && !pdfFont} data-testid="export-run">
          {t("export.run")}
        </Button>
      </Space>
    ) : running ? (
      <Button danger onClick={() => reportsApi.cancelExport()} data-testid="export-cancel">
        {t("export.cancel")}
      </Button>
    ) : (
      <Space>
        <Button onClick={() => setStage({ name: "choose" })}>{t("export.another")}</Button>
        <Button type="primary" onClick={onClose} data-testid="export-close">
          {t("common.close")}
        </Button>
      </Space>
    );

  return (
    <Modal open title={t("export.title")} onCancel={running ? undefined : onClose} closable={!running} mask={{ closable: !running }} footer={footer} width={560}>
      <div className="section-gap" data-testid="export-dialog">
        <Typography.Text type="secondary">{t("export.scope")}</Typography.Text>
        <Radio.Group
          value={format}
          onChange={(e) => setFormat(e.target.value as ExportFormat)}
          disabled={stage.name !== "choose"}
          style={{ display: "flex", flexDirection: "column", gap: 8 }}
          options={(["csv", "xlsx", "html", "pdf"] as ExportFormat[]).map((f) => ({
            value: f,
            label: (
              <span data-format={f}>
                <b>{t(`export.format.${f}`)}</b> <Typography.Text type="secondary">— {t(`export.formatHint.${f}`)}</Typography.Text>
              </span>
            ),
          }))}
        />
        {format === "csv" && (
          <Space>
            <span>{t("export.encoding")}</span>
            <Select<CsvEncoding>
              value={encoding}
              onChange={setEncoding}
              style={{ width: 260 }}
              disabled={stage.name !== "choose"}
              options={[
                { value: "utf8_bom", label: t("export.enc.utf8_bom") },
                { value: "utf8", label: t("export.enc.utf8") },
                { value: "gb18030", label: "GB18030" },
              ]}
            />
          </Space>
        )}
        {format === "pdf" && pdfFont === null && <Alert type="warning" showIcon title={t("error.pdf_font_missing")} />}
        {stage.name === "running" && (
          <div data-testid="export-progress">
            <Progress percent={stage.total ? Math.floor((stage.done / stage.total) * 100) : 0} status="active" />
            <Typography.Text type="secondary">
              {stage.total ? t("export.progress", { done: count(stage.done), total: count(stage.total) }) : t("export.preparing")}
            </Typography.Text>
          </div>
        )}
        {stage.name === "done" && (
          <Alert
            type="success"
            showIcon
            data-testid="export-done"
            title={t("export.done", { n: count(stage.summary.rows) })}
            description={
              <div>
                <Typography.Text copyable className="mono">
                  {stage.summary.path}
                </Typography.Text>
                {stage.summary.rows === 0 && <div>{t("export.empty")}</div>}
                {stage.summary.rows_written < stage.summary.rows && (
                  <div>{t("export.capped", { n: count(stage.summary.rows_written) })}</div>
                )}
              </div>
            }
          />
        )}
        {stage.name === "failed" && <ErrorAlert error={stage.error} />}
      </div>
    </Modal>
  );
}
