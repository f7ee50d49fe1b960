// Every import with its counts; picking one shows what it added and changed.

import { Button, Card, Empty, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { api } from "../api";
import type { BatchChange } from "../bindings/BatchChange";
import type { BatchInfo } from "../bindings/BatchInfo";
import type { ErrorPayload } from "../bindings/ErrorPayload";
import { ErrorAlert, useIssueText } from "../errors";
import { formatTime } from "../format";
import { useI18n } from "../i18n";
import { useNav } from "../nav";

export function BatchesScreen({ initial }: { initial?: number }) {
  const { t } = useI18n();
  const nav = useNav();
  const issueText = useIssueText();
  const [batches, setBatches] = useState<BatchInfo[] | null>(null);
  const [picked, setPicked] = useState<number | undefined>(initial);
  const [changes, setChanges] = useState<BatchChange[] | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);

  const load = useCallback(() => {
    api.batches().then((b) => {
      setBatches(b);
      setError(null);
    }, setError);
  }, []);
  useEffect(load, [load]);

  useEffect(() => {
    if (picked === undefined) return;
    setChanges(null);
    api.batchChanges(picked).then(setChanges, setError);
  }, [picked]);

  if (error) return <ErrorAlert error={error} onRetry={load} />;

  return (
    <div className="section-gap">
      <Card size="small">
        <Table<BatchInfo>
          size="middle"
          rowKey="id"
          loading={batches === null}
          dataSource={batches ?? []}
          locale={{ emptyText: <Empty description={t("batches.empty")} /> }}
          pagination={false}
          rowClassName={(b) => (b.id === picked ? "row-selected" : "")}
          onRow={(b) => ({ onClick: () => setPicked(b.id), style: { cursor: "pointer" } })}
          columns={[
            { title: t("batches.id"), dataIndex: "id", key: "id", width: 70, render: (v: number) => `#${v}` },
            { title: t("batches.file"), dataIndex: "file_name", key: "file", ellipsis: true },
            { title: t("batches.importedAt"), dataIndex: "imported_at", key: "at", width: 170, render: (v: string) => formatTime(v) },
            { title: t("batches.encoding"), dataIndex: "encoding", key: "enc", width: 110 },
            { title: t("batches.new"), dataIndex: "inserted", key: "new", width: 80 },
            { title: t("batches.changed"), dataIndex: "updated", key: "changed", width: 80 },
            { title: t("batches.unchanged"), dataIndex: "unchanged", key: "unchanged", width: 80 },
            {
              title: t("batches.rejected"),
              dataIndex: "rejected",
              key: "rejected",
              width: 80,
              render: (v: number) => (v ? <Typography.Text type="danger">{v}</Typography.Text> : v),
            },
          ]}
        />
      </Card>
      {picked !== undefined && (
        <Card
          size="small"
          title={t("batches.changes", { id: picked })}
          extra={
            <Button onClick={() => nav.go({ name: "filings", filter: { batch: picked } })}>{t("batches.showRows")}</Button>
          }
        >
          <Table<BatchChange>
            size="small"
            rowKey={(c) => `${c.line}-${c.number}`}
            loading={changes === null}
            dataSource={changes ?? []}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            onRow={(c) => ({
              onClick: () => c.filing_id !== null && nav.go({ name: "detail", id: c.filing_id }),
              style: { cursor: c.filing_id !== null ? "pointer" : undefined },
            })}
            columns={[
              { title: "#", dataIndex: "line", key: "line", width: 60 },
              {
                title: t("batches.change"),
                dataIndex: "action",
                key: "action",
                width: 90,
                render: (a: string) =>
                  a === "inserted" ? (
                    <Tag color="green">{t("batches.change.new")}</Tag>
                  ) : a === "updated" ? (
                    <Tag color="gold">{t("batches.change.changed")}</Tag>
                  ) : a === "rejected" ? (
                    <Tag color="red">{t("batches.rejected")}</Tag>
                  ) : (
                    <Tag>{t("batches.unchanged")}</Tag>
                  ),
              },
              { title: t("field.model"), dataIndex: "model", key: "model", ellipsis: true },
              { title: t("field.company"), dataIndex: "company", key: "company", ellipsis: true },
              {
                title: t("field.number"),
                dataIndex: "number",
                key: "number",
                render: (v: string) => (
                  <span className="mono" style={{ whiteSpace: "nowrap" }}>
                    {v}
                  </span>
                ),
              },
              {
                title: "",
                key: "what",
                render: (_: unknown, c: BatchChange) => (
                  <div>
                    {c.changes.map((ch, i) => (
                      <div key={i}>
                        {ch.field}: {ch.before ?? "—"} → {ch.after ?? "—"}
                      </div>
                    ))}
                    {c.issues.map((is, i) => (
                      <div key={`i${i}`}>
                        <Typography.Text type={is.severity === "error" ? "danger" : "warning"}>{issueText(is)}</Typography.Text>
                      </div>
                    ))}
                  </div>
                ),
              },
            ]}
          />
        </Card>
      )}
    </div>
  );
}
