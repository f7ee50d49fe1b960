// Import: choose or drop a file → preview (nothing written) → confirm → progress with cancel →
// summary. The preview is the core's ImportPlan; changing the encoding, delimiter or a header's
// field re-plans the same file with those ReadOptions.

import { CloudUploadOutlined, InboxOutlined } from "@ant-design/icons";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { open } from "@tauri-apps/plugin-dialog";
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Progress,
  Result,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
  Row,
  Col,
  Spin,
} from "antd";
import { useCallback, useEffect, useState } from "react";
import { api, onImportProgress } from "../api";
import type { ColumnOverride } from "../bindings/ColumnOverride";
import type { ErrorPayload } from "../bindings/ErrorPayload";
import type { Field } from "../bindings/Field";
import type { ImportPreview } from "../bindings/ImportPreview";
import type { ImportSummary } from "../bindings/ImportSummary";
import type { Issue } from "../bindings/Issue";
import type { PlannedRow } from "../bindings/PlannedRow";
import type { ReadOptions } from "../bindings/ReadOptions";
import type { RowAction } from "../bindings/RowAction";
import type { TablePlan } from "../bindings/TablePlan";
import { ErrorAlert, useIssueText } from "../errors";
import { count, formatTime } from "../format";
import { useI18n, type Key } from "../i18n";
import { useNav } from "../nav";

const FIELDS: Field[] = ["seq", "region", "model", "company", "number", "date"];
const ENCODINGS = ["utf-8", "gb18030", "gbk", "utf-16le", "utf-16be"];
const PREVIEW_ROWS = 20;

const actionTag: Record<RowAction, { color: string; key: Key }> = {
  insert: { color: "green", key: "import.willNew" },
  update: { color: "gold", key: "import.willChanged" },
  unchanged: { color: "default", key: "import.willUnchanged" },
  reject: { color: "red", key: "import.willRejected" },
  duplicate: { color: "default", key: "import.willUnchanged" },
};

type Stage =
  | { name: "choose" }
  | { name: "preview"; path: string; preview: ImportPreview }
  | { name: "applying"; path: string; preview: ImportPreview; done: number; total: number }
  | { name: "done"; summary: ImportSummary };

declare global {
  interface Window {
    /** E2E hook: the same path a drop would deliver. */
    __beianE2E?: { openPath: (path: string) => void };
  }
}

function fieldOf(t: TablePlan, idx: number): Field | null {
  for (const f of FIELDS) if (t.columns[f] === idx) return f;
  return null;
}

export function ImportScreen() {
  const { t } = useI18n();
  const nav = useNav();
  const issueText = useIssueText();
  const [stage, setStage] = useState<Stage>({ name: "choose" });
  const [options, setOptions] = useState<ReadOptions>({ encoding: null, delimiter: null, columns: [] });
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [errorPath, setErrorPath] = useState<string | null>(null);
  const [keepGoing, setKeepGoing] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState(false);

  const plan = useCallback((path: string, opts: ReadOptions) => {
    setBusy(true);
    setError(null);
    api.planImport(path, opts).then(
      (preview) => {
        setBusy(false);
        setErrorPath(null);
        setStage({ name: "preview", path, preview });
      },
      (e: ErrorPayload) => {
        setBusy(false);
        setError(e);
        setErrorPath(path);
      },
    );
  }, []);

  const openPath = useCallback(
    (path: string) => {
      const fresh: ReadOptions = { encoding: null, delimiter: null, columns: [] };
      setOptions(fresh);
      setKeepGoing(false);
      plan(path, fresh);
    },
    [plan],
  );

  const replan = (patch: Partial<ReadOptions>) => {
    const path = stage.name === "preview" ? stage.path : errorPath;
    if (!path) return;
    const next = { ...options, ...patch };
    setOptions(next);
    plan(path, next);
  };

  // Drag and drop: Tauri delivers dropped files as paths, which go through the same planning.
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let gone = false;
    getCurrentWebview()
      .onDragDropEvent((e) => {
        if (e.payload.type === "enter" || e.payload.type === "over") setDragging(true);
        else if (e.payload.type === "leave") setDragging(false);
        else if (e.payload.type === "drop") {
          setDragging(false);
          const p = e.payload.paths[0];
          if (p) openPath(p);
        }
      })
      .then((u) => (gone ? u() : (unlisten = u)));
    window.__beianE2E = { openPath };
    return () => {
      gone = true;
      unlisten?.();
      delete window.__beianE2E;
    };
  }, [openPath]);

  const choose = async () => {
    const picked = await open({
      multiple: false,
      directory: false,
      filters: [{ name: t("import.dialogFilter"), extensions: ["csv", "tsv", "txt", "xlsx", "xls", "ods"] }],
    });
    if (typeof picked === "string") openPath(picked);
  };

  const commit = async () => {
    if (stage.name !== "preview") return;
    const { preview, path } = stage;
    setError(null);
    setStage({ name: "applying", path, preview, done: 0, total: preview.plan.counts.rows });
    const unlisten = await onImportProgress((p) =>
      setStage((s) => (s.name === "applying" ? { ...s, done: p.done, total: p.total } : s)),
    );
    try {
      const summary = await api.applyImport(preview.token, keepGoing);
      setStage({ name: "done", summary });
    } catch (e) {
      const err = e as ErrorPayload;
      // After a cancel the plan is still valid: go back to the preview so the person can retry.
      setStage({ name: "preview", path, preview });
      setError(err);
    } finally {
      unlisten();
    }
  };

  const issueColumns = [
    {
      title: "",
      dataIndex: "severity",
      key: "severity",
      width: 70,
      render: (s: Issue["severity"]) => (
        <Tag color={s === "error" ? "red" : "orange"}>{t(s === "error" ? "import.severity.error" : "import.severity.warning")}</Tag>
      ),
    },
    {
      title: t("import.lineCol"),
      dataIndex: "line",
      key: "line",
      width: 100,
      render: (l: Issue["line"]) => (l === null ? t("common.none") : t("common.line", { n: Number(l) })),
    },
    { title: "", dataIndex: "column", key: "column", width: 120, render: (c: string | null) => c ?? "" },
    { title: "", key: "text", render: (_: unknown, i: Issue) => issueText(i) },
  ];

  const dropZone = (
    <div
      className={`drop-zone${dragging ? " dragging" : ""}`}
      onClick={choose}
      role="button"
      data-testid="drop-zone"
    >
      <InboxOutlined style={{ fontSize: 48, color: "#1f4e8c" }} />
      <Typography.Title level={4} style={{ marginTop: 12 }}>
        {t("import.dropTitle")}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ maxWidth: 560, margin: "0 auto 16px" }}>
        {t("import.dropHint")}
      </Typography.Paragraph>
      <Button type="primary" icon={<CloudUploadOutlined />} loading={busy}>
        {t("import.choose")}
      </Button>
    </div>
  );

  if (stage.name === "done") {
    const s = stage.summary;
    const batch = s.batch;
    // The core answers "refused" (rows with errors, keep-going off) and "already imported" as
    // summaries, not errors: nothing was written in either case, and the screen says so.
    const ok = s.status === "imported";
    return (
      <Card data-testid="import-summary" data-status={s.status}>
        <Result
          status={ok ? "success" : s.status === "refused" ? "warning" : "info"}
          title={ok ? t("import.summary") : t(s.status === "refused" ? "import.refused" : "import.duplicate")}
          subTitle={
            ok && batch !== null
              ? t("import.summaryBody", {
                  id: batch,
                  new: count(s.inserted),
                  changed: count(s.updated),
                  unchanged: count(s.unchanged),
                  rejected: count(s.rejected),
                })
              : undefined
          }
          extra={[
            batch !== null && (
              <Button type="primary" key="rows" onClick={() => nav.go({ name: "filings", filter: { batch: batch } })} data-testid="view-batch">
                {t("import.viewRows")}
              </Button>
            ),
            <Button key="again" onClick={() => setStage({ name: "choose" })}>
              {t("import.another")}
            </Button>,
          ]}
        />
        {ok && (
          <Row gutter={16} style={{ maxWidth: 640, margin: "0 auto" }}>
            <Col span={6}><Statistic title={t("import.willNew")} value={s.inserted} /></Col>
            <Col span={6}><Statistic title={t("import.willChanged")} value={s.updated} /></Col>
            <Col span={6}><Statistic title={t("import.willUnchanged")} value={s.unchanged} /></Col>
            <Col span={6}><Statistic title={t("import.willRejected")} value={s.rejected} /></Col>
          </Row>
        )}
      </Card>
    );
  }

  if (stage.name === "choose") {
    return (
      <div className="section-gap">
        {error && <ErrorAlert error={error} />}
        {error && errorPath && (
          <Card size="small">
            <Space>
              {t("import.encoding")}
              <Select
                style={{ width: 160 }}
                value={options.encoding ?? ""}
                onChange={(v) => replan({ encoding: v || null })}
                options={[{ value: "", label: t("import.encodingAuto") }, ...ENCODINGS.map((e) => ({ value: e, label: e.toUpperCase() }))]}
              />
            </Space>
          </Card>
        )}
        <Spin spinning={busy} description={t("import.reading")} size="large">
          {dropZone}
        </Spin>
      </div>
    );
  }

  const { preview } = stage;
  const p = preview.plan;
  const applying = stage.name === "applying";
  const issues = [...p.errors, ...p.warnings].sort((a, b) => Number(a.line ?? 0) - Number(b.line ?? 0));
  const canCommit = !applying && !p.already_imported && (p.errors.length === 0 || keepGoing);

  const setColumn = (header: string, field: Field | null) => {
    const rest = options.columns.filter((c: ColumnOverride) => c.header !== header);
    replan({ columns: [...rest, { header, field }] });
  };

  return (
    <Spin spinning={busy} description={t("import.reading")} size="large">
    <div className="section-gap" data-testid="import-preview">
      {p.already_imported && (
        <Alert
          type="info"
          showIcon
          title={t("import.duplicate")}
          description={`#${p.already_imported.id} · ${p.already_imported.file_name} · ${formatTime(p.already_imported.imported_at)}`}
        />
      )}
      <Card size="small" title={t("import.preview")} extra={<Button onClick={() => setStage({ name: "choose" })} disabled={applying}>{t("import.another")}</Button>}>
        <Row gutter={24} align="middle">
          <Col span={12}>
            <Descriptions column={1} size="small" styles={{ label: { width: 90 } }}>
              <Descriptions.Item label={t("import.file")}>{p.file_name}</Descriptions.Item>
              <Descriptions.Item label={t("import.encoding")}>
                <Space>
                  <Tag color="blue" data-testid="detected-encoding">{p.encoding}</Tag>
                  <Select
                    size="small"
                    style={{ width: 140 }}
                    disabled={applying}
                    value={options.encoding ?? ""}
                    onChange={(v) => replan({ encoding: v || null })}
                    options={[{ value: "", label: t("import.encodingAuto") }, ...ENCODINGS.map((e) => ({ value: e, label: e.toUpperCase() }))]}
                  />
                </Space>
              </Descriptions.Item>
              {p.delimiter !== null && (
                <Descriptions.Item label={t("import.delimiter")}>
                  <Select
                    size="small"
                    style={{ width: 140 }}
                    disabled={applying}
                    value={options.delimiter ?? ""}
                    onChange={(v) => replan({ delimiter: v || null })}
                    options={[
                      { value: "", label: `${t("import.delimiterAuto")} (${p.delimiter === "\t" ? "Tab" : p.delimiter})` },
                      { value: ",", label: t("import.delimComma") },
                      { value: "\t", label: t("import.delimTab") },
                      { value: ";", label: t("import.delimSemicolon") },
                    ]}
                  />
                </Descriptions.Item>
              )}
            </Descriptions>
          </Col>
          <Col span={12}>
            <Row gutter={8}>
              <Col span={6}><Statistic title={t("import.willNew")} value={p.counts.inserted} styles={{ content: { color: "#389e0d" } }} /></Col>
              <Col span={6}><Statistic title={t("import.willChanged")} value={p.counts.updated} styles={{ content: { color: "#d48806" } }} /></Col>
              <Col span={6}><Statistic title={t("import.willUnchanged")} value={p.counts.unchanged} /></Col>
              <Col span={6}><Statistic title={t("import.willRejected")} value={p.counts.rejected} styles={{ content: { color: p.counts.rejected ? "#cf1322" : undefined } }} /></Col>
            </Row>
          </Col>
        </Row>
      </Card>

      {p.tables.map((tbl, ti) => {
        const rows = p.rows.filter((r) => r.table === ti).slice(0, PREVIEW_ROWS);
        return (
          <Card
            key={ti}
            size="small"
            title={
              <Space>
                {t("import.table")} {ti + 1}
                {tbl.kind && <Tag>{t(tbl.kind === "filed" ? "kind.filed" : "kind.registered")}</Tag>}
                {tbl.title && <Typography.Text type="secondary">{tbl.title}</Typography.Text>}
              </Space>
            }
            extra={<Typography.Text type="secondary">{t("import.headerLine", { n: tbl.header_line })} · {t("import.rowsIn")} {tbl.rows}</Typography.Text>}
          >
            <Typography.Text strong>{t("import.mapping")}</Typography.Text>
            <div style={{ display: "flex", flexWrap: "wrap", gap: 12, margin: "8px 0 16px" }}>
              {tbl.header.map((h, hi) => (
                <div key={hi} style={{ display: "flex", flexDirection: "column", gap: 4 }}>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>{h}</Typography.Text>
                  <Select
                    size="small"
                    style={{ width: 130 }}
                    disabled={applying}
                    value={fieldOf(tbl, hi) ?? ""}
                    onChange={(v) => setColumn(h, (v || null) as Field | null)}
                    options={[{ value: "", label: t("field.ignore") }, ...FIELDS.map((f) => ({ value: f, label: t(`field.${f}` as Key) }))]}
                  />
                </div>
              ))}
            </div>
            <Typography.Text strong>{t("import.firstRows", { n: rows.length })}</Typography.Text>
            <Table<PlannedRow>
              size="small"
              style={{ marginTop: 8 }}
              pagination={false}
              scroll={{ x: true }}
              rowKey="line"
              dataSource={rows}
              columns={[
                { title: "#", dataIndex: "line", key: "line", width: 56 },
                {
                  title: "",
                  dataIndex: "action",
                  key: "action",
                  width: 70,
                  render: (a: RowAction) => <Tag color={actionTag[a].color}>{t(actionTag[a].key)}</Tag>,
                },
                ...tbl.header.map((h, hi) => ({
                  title: h,
                  key: `c${hi}`,
                  render: (_: unknown, r: PlannedRow) => r.cells[hi] ?? "",
                })),
              ]}
            />
          </Card>
        );
      })}

      <Card size="small" title={t("import.issues", { n: issues.length })} data-testid="issues">
        {issues.length === 0 ? (
          <Typography.Text type="secondary">{t("import.noIssues")}</Typography.Text>
        ) : (
          <Table<Issue>
            size="small"
            showHeader={false}
            pagination={issues.length > 50 ? { pageSize: 50 } : false}
            rowKey={(i) => `${i.line}-${i.column}-${i.code}-${i.severity}`}
            dataSource={issues}
            columns={issueColumns}
          />
        )}
      </Card>

      {/* The action bar sticks to the bottom of the window: a preview can be long, and the
          progress, the cancel button and any error must stay in view. */}
      <Card size="small" className="import-actions">
        {error && (
          <div style={{ marginBottom: 12 }}>
            <ErrorAlert error={error} />
          </div>
        )}
        {applying ? (
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Progress percent={stage.total ? Math.floor((stage.done / stage.total) * 100) : 0} status="active" />
            <Space>
              <Typography.Text>
                {/* After the last row a large import still builds its indexes (seconds at 1M rows). */}
                {stage.total > 0 && stage.done >= stage.total
                  ? t("import.finishing", { total: count(stage.total) })
                  : t("import.progress", { done: count(stage.done), total: count(stage.total) })}
              </Typography.Text>
              <Button danger data-testid="cancel-import" onClick={() => void api.cancelImport()}>
                {t("import.cancel")}
              </Button>
            </Space>
          </Space>
        ) : (
          <Space orientation="vertical">
            {p.errors.length > 0 && (
              <>
                <Typography.Text type="warning">{t("import.commitBlocked")}</Typography.Text>
                <Checkbox checked={keepGoing} onChange={(e) => setKeepGoing(e.target.checked)} data-testid="keep-going">
                  {t("import.keepGoing")}
                </Checkbox>
              </>
            )}
            <Button type="primary" size="large" disabled={!canCommit} loading={busy} onClick={commit} data-testid="commit">
              {t("import.commit")}
            </Button>
          </Space>
        )}
      </Card>
    </div>
    </Spin>
  );
}
