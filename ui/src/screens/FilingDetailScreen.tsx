// One filing, everything known about it: fields, the number's parts and checks, the raw rows it was
// read from, its history across batches, the company's other filings and the audit trail.
// All values are rendered as React text nodes: imported text is never interpreted as HTML.

import { ArrowLeftOutlined, CheckCircleFilled, EditOutlined, WarningFilled } from "@ant-design/icons";
import { Button, Card, Col, Descriptions, Empty, List, Row, Space, Spin, Table, Tag, Timeline, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { api } from "../api";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { ErrorPayload } from "../bindings/ErrorPayload";
import type { FilingDetail } from "../bindings/FilingDetail";
import type { FilingRow } from "../bindings/FilingRow";
import { ErrorAlert, flagKey, useIssueText } from "../errors";
import { formatTime, useRegionName } from "../format";
import { useI18n, type Key } from "../i18n";
import { useNav } from "../nav";
import { KindTag } from "./FilingsScreen";

const fieldLabel: Record<string, Key> = {
  number: "field.number",
  kind: "field.kind",
  region: "field.region",
  model: "field.model",
  company: "field.company",
  filed_on: "field.date",
  seq: "field.seq",
};

export function FilingDetailScreen({ id }: { id: number }) {
  const { t } = useI18n();
  const nav = useNav();
  const issueText = useIssueText();
  const regionName = useRegionName();
  const [d, setD] = useState<FilingDetail | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);

  const load = useCallback(() => {
    api.detail(id).then(
      (x) => {
        setD(x);
        setError(null);
      },
      setError,
    );
  }, [id]);
  useEffect(load, [load]);

  if (error) return <ErrorAlert error={error} onRetry={load} />;
  if (!d) return <Spin />;
  const f = d.filing;
  const c = d.check;
  const none = t("common.none");
  const label = (field: string) => (fieldLabel[field] ? t(fieldLabel[field]!) : field);

  const auditColumns = [
    { title: t("detail.auditWhen"), dataIndex: "at", key: "at", width: 170, render: (v: string) => formatTime(v) },
    { title: t("detail.auditWhat"), dataIndex: "field", key: "field", width: 120, render: (v: string) => label(v) },
    { title: t("detail.auditBefore"), dataIndex: "before", key: "before", render: (v: string | null) => v ?? none },
    { title: t("detail.auditAfter"), dataIndex: "after", key: "after", render: (v: string | null) => v ?? none },
  ];
  const auditRows = d.audit.flatMap((a: AuditEntry) =>
    a.changes.map((ch, i) => ({ key: `${a.id}-${i}`, at: a.at, field: ch.field, before: ch.before, after: ch.after })),
  );

  return (
    <div className="section-gap" data-testid="filing-detail">
      <Space style={{ width: "100%", justifyContent: "space-between" }}>
        <Space>
          {nav.canGoBack && (
            <Button icon={<ArrowLeftOutlined />} onClick={nav.back} data-testid="back">
              {t("common.back")}
            </Button>
          )}
          <Typography.Title level={3} style={{ margin: 0 }}>
            {f.model}
          </Typography.Title>
          <KindTag kind={f.kind} />
          {f.flags.length > 0 && <WarningFilled style={{ color: "#fa8c16", fontSize: 18 }} />}
        </Space>
        <Button type="primary" icon={<EditOutlined />} onClick={() => nav.go({ name: "edit", id: f.id })} data-testid="edit">
          {t("detail.edit")}
        </Button>
      </Space>

      <Row gutter={16}>
        <Col span={14}>
          <Card title={t("detail.fields")} size="small">
            <Descriptions column={1} size="small" bordered styles={{ label: { width: 140 } }}>
              <Descriptions.Item label={t("field.model")}>{f.model}</Descriptions.Item>
              <Descriptions.Item label={t("field.company")}>{f.company}</Descriptions.Item>
              <Descriptions.Item label={t("field.number")}>
                <Typography.Text className="mono" copyable>
                  {f.number}
                </Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t("field.region")}>{regionName(f.region)}</Descriptions.Item>
              <Descriptions.Item label={t("field.kind")}>
                <KindTag kind={f.kind} />
              </Descriptions.Item>
              <Descriptions.Item label={t("field.date")}>{f.filed_on ?? none}</Descriptions.Item>
              <Descriptions.Item label={t("field.seq")}>{f.seq ?? none}</Descriptions.Item>
              <Descriptions.Item label={t("field.firstBatch")}>
                {f.batch !== null ? <a onClick={() => nav.go({ name: "batches", id: f.batch! })}>#{f.batch}</a> : none}
              </Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col span={10}>
          <Card title={t("detail.numberParts")} size="small" style={{ marginBottom: 16 }}>
            <Descriptions column={1} size="small" styles={{ label: { width: 120 } }}>
              <Descriptions.Item label={t("detail.jurisdiction")}>
                <span className="mono">{c.jurisdiction ?? none}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t("detail.numberRegion")}>{c.region ? regionName(c.region) : none}</Descriptions.Item>
              <Descriptions.Item label={t("detail.name")}>
                <span className="mono">{c.name ?? none}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t("detail.numberDate")}>{c.date ?? none}</Descriptions.Item>
              <Descriptions.Item label={t("detail.sequence")}>
                <span className="mono">{c.sequence ?? none}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t("field.kind")}>{c.kind ? <KindTag kind={c.kind} /> : none}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card title={t("detail.checks")} size="small">
            {c.problems.length === 0 && f.flags.length === 0 ? (
              <Space>
                <CheckCircleFilled style={{ color: "#52c41a" }} />
                {t("detail.noProblems")}
              </Space>
            ) : (
              <List
                size="small"
                dataSource={[
                  ...c.problems.map((p) => ({ key: `p-${p.code}`, warn: p.severity === "warning", text: issueText(p) })),
                  ...f.flags
                    .filter((fl) => !c.problems.some((p) => p.code === fl))
                    .map((fl) => ({ key: `f-${fl}`, warn: true, text: t(flagKey(fl)) })),
                ]}
                renderItem={(it) => (
                  <List.Item>
                    <Space>
                      <WarningFilled style={{ color: it.warn ? "#fa8c16" : "#f5222d" }} />
                      {it.text}
                    </Space>
                  </List.Item>
                )}
              />
            )}
          </Card>
        </Col>
      </Row>

      <Card title={t("detail.audit")} size="small" data-testid="audit">
        {auditRows.length === 0 ? (
          <Typography.Text type="secondary">{t("detail.noAudit")}</Typography.Text>
        ) : (
          <Table size="small" pagination={false} columns={auditColumns} dataSource={auditRows} />
        )}
      </Card>

      <Card title={t("detail.raw")} size="small">
        {d.raw_rows.length === 0 ? (
          <Typography.Text type="secondary">{none}</Typography.Text>
        ) : (
          d.raw_rows.map((r, i) => (
            <div key={i} style={{ marginBottom: 12 }}>
              <Typography.Text type="secondary">
                #{r.batch} · {t("detail.rawFrom", { file: r.file_name, line: r.line })}
              </Typography.Text>
              <Table
                size="small"
                pagination={false}
                bordered
                scroll={{ x: true }}
                columns={r.header.map((h, j) => ({ title: h, dataIndex: String(j), key: String(j) }))}
                dataSource={[Object.fromEntries([["key", "raw"], ...r.cells.map((cell, j) => [String(j), cell])])]}
              />
              {r.issues.length > 0 && (
                <ul style={{ margin: "6px 0 0", paddingLeft: 18 }}>
                  {r.issues.map((is, k) => (
                    <li key={k}>
                      <Typography.Text type={is.severity === "error" ? "danger" : "warning"}>{issueText(is)}</Typography.Text>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ))
        )}
      </Card>

      <Row gutter={16}>
        <Col span={12}>
          <Card title={t("detail.history")} size="small">
            {d.history.length === 0 ? (
              <Typography.Text type="secondary">{t("detail.noHistory")}</Typography.Text>
            ) : (
              <Timeline
                items={d.history.map((h, i) => ({
                  key: i,
                  content: (
                    <div>
                      <Typography.Text type="secondary">
                        {formatTime(h.replaced_at)} ·{" "}
                        {h.replaced_by_batch !== null ? `${t("field.batch")} #${h.replaced_by_batch}` : t("detail.sourceEdit")}
                      </Typography.Text>
                      <div>
                        {h.model} · {h.company} · {h.region} · <span className="mono">{h.number}</span> · {h.filed_on ?? none}
                      </div>
                    </div>
                  ),
                }))}
              />
            )}
          </Card>
        </Col>
        <Col span={12}>
          <Card title={t("detail.company")} size="small">
            {d.other_filings.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("detail.noCompany")} />
            ) : (
              <List
                size="small"
                dataSource={d.other_filings}
                renderItem={(o: FilingRow) => (
                  <List.Item>
                    <a onClick={() => nav.go({ name: "detail", id: o.id })}>{o.model}</a>
                    <Space>
                      <KindTag kind={o.kind} />
                      <span className="mono">{o.number}</span>
                    </Space>
                  </List.Item>
                )}
              />
            )}
          </Card>
        </Col>
      </Row>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        <Tag>{formatTime(d.created_at)}</Tag>→<Tag>{formatTime(d.updated_at)}</Tag>
      </Typography.Text>
    </div>
  );
}
