// Local subsidy rules: who qualifies, for how much, and why. Three tabs: the evaluation for an
// as-of date, the rules (with their source text, confidence and switch; a TOML editor that
// validates before saving) and the company facts a filing row lacks (city, district,
// self-developed, spend), each shown as inferred or confirmed.

import { CheckCircleFilled, CloseCircleFilled, EditOutlined, PlusOutlined, QuestionCircleFilled } from "@ant-design/icons";
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Empty,
  Input,
  InputNumber,
  Modal,
  Radio,
  Row,
  Segmented,
  Select,
  Space,
  Spin,
  Statistic,
  Switch,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from "antd";
import dayjs from "dayjs";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { reportsApi, today } from "../apiReports";
import type { Award } from "../bindings/Award";
import type { CompanyFacts } from "../bindings/CompanyFacts";
import type { CompanyFactsUpdate } from "../bindings/CompanyFactsUpdate";
import type { Confidence } from "../bindings/Confidence";
import type { EnterpriseView } from "../bindings/EnterpriseView";
import type { ErrorPayload } from "../bindings/ErrorPayload";
import type { EvaluationView } from "../bindings/EvaluationView";
import type { Fact } from "../bindings/Fact";
import type { Language } from "../bindings/Language";
import type { Rule } from "../bindings/Rule";
import type { RuleInfo } from "../bindings/RuleInfo";
import type { RuleOutcomeView } from "../bindings/RuleOutcomeView";
import type { SelfDeveloped } from "../bindings/SelfDeveloped";
import type { Shown } from "../bindings/Shown";
import type { SpendFact } from "../bindings/SpendFact";
import type { SpendKind } from "../bindings/SpendKind";
import type { Status } from "../bindings/Status";
import type { StatsRow } from "../bindings/StatsRow";
import "../reports.css";
import { ErrorAlert } from "../errors";
import { useI18n, type Key } from "../i18n";

export const cny = (n: number) => `¥${n.toLocaleString("en-US")}`;

export function ConfidenceTag({ c }: { c: Confidence }) {
  const { t } = useI18n();
  const color = c === "H" ? "green" : c === "M" ? "gold" : "red";
  return (
    <Tooltip title={t(`conf.hint.${c}` as Key)}>
      <Tag color={color} data-confidence={c} style={{ fontWeight: 600 }}>
        {t(`conf.${c}` as Key)}
      </Tag>
    </Tooltip>
  );
}

function StatusTag({ s }: { s: Status }) {
  const { t } = useI18n();
  const [color, icon] =
    s === "qualifies" ? ["success", <CheckCircleFilled />] : s === "cannot_tell" ? ["warning", <QuestionCircleFilled />] : ["default", <CloseCircleFilled />];
  return (
    <Tag color={color} icon={icon} data-status={s}>
      {t(`sub.status.${s}` as Key)}
    </Tag>
  );
}

function useAwardText(): (a: Award) => string {
  const { t } = useI18n();
  return (a) => {
    const upTo = a.up_to ? t("sub.award.upTo") : "";
    let s: string;
    if (a.kind === "rate_of_spend") {
      s = t("sub.award.rate", { rate: `${(a.rate_basis_points ?? 0) / 100}%` });
      if (a.cap_cny != null) s += t("sub.award.cap", { cap: cny(a.cap_cny) });
      if (a.years != null) s += t("sub.award.years", { n: a.years });
    } else {
      const byKind = Object.entries(a.amount_by_kind);
      const amount =
        a.amount_cny != null
          ? upTo + cny(a.amount_cny)
          : byKind.length
            ? byKind.map(([k, v]) => `${t(k === "filed" ? "kind.filed" : "kind.registered")} ${upTo}${cny(v)}`).join(" / ")
            : t("sub.award.onReview");
      s = t(a.kind === "lump_sum_per_enterprise" ? "sub.award.perEnterprise" : "sub.award.perFiling", { amount });
    }
    if (a.cap_per_year_cny != null) s += t("sub.award.capYear", { cap: cny(a.cap_per_year_cny) });
    return s;
  };
}

function jurisdictionText(r: Rule): string {
  const j = r.jurisdiction;
  return [j.province, j.city, j.district].filter(Boolean).join(" · ");
}

// ---- Results -------------------------------------------------------------------------------

/** Results per page of a rule's table; each page is evaluated and worded by the core on demand. */
const RESULTS_PAGE = 20;

function ResultsTable({ outcome, loading, onPage }: { outcome: RuleOutcomeView; loading: boolean; onPage: (offset: number) => void }) {
  const { t } = useI18n();
  return (
    <Table<EnterpriseView>
      size="small"
      rowKey="enterprise"
      loading={loading}
      pagination={
        outcome.shown_total > RESULTS_PAGE
          ? {
              pageSize: RESULTS_PAGE,
              current: Math.floor(outcome.offset / RESULTS_PAGE) + 1,
              total: outcome.shown_total,
              showSizeChanger: false,
              onChange: (p) => onPage((p - 1) * RESULTS_PAGE),
            }
          : false
      }
      dataSource={outcome.results}
      locale={{ emptyText: t("sub.noResults") }}
      onRow={(r) => ({ "data-enterprise": r.enterprise }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        { title: t("sub.enterprise"), dataIndex: "enterprise", width: 260, render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
        { title: t("sub.status"), dataIndex: "status", width: 120, render: (s: Status) => <StatusTag s={s} /> },
        {
          title: t("sub.amount"),
          dataIndex: "amount_cny",
          width: 130,
          align: "right",
          render: (v: number | null, r) =>
            v != null ? <span className="money" data-amount={v}>{cny(v)}</span> : r.status === "qualifies" ? <Typography.Text type="secondary">{r.amount_unknown_reason ?? t("sub.award.onReview")}</Typography.Text> : t("common.none"),
        },
        {
          title: t("sub.reasons"),
          key: "reasons",
          render: (_, r) => (
            <div className="reasons">
              <ul>
                {r.reasons.map((x, i) => (
                  <li key={i}>{x}</li>
                ))}
              </ul>
              {r.needs.length > 0 && (
                <div>
                  {r.needs.map((n) => (
                    <Tag key={n} color="orange">
                      {t("sub.needs", { what: n })}
                    </Tag>
                  ))}
                </div>
              )}
            </div>
          ),
        },
      ]}
    />
  );
}

/** The evaluation's language for the UI's: reasons are worded by the core, in the UI's language. */
function useEvalLanguage(): Language {
  const { lang } = useI18n();
  return lang === "en" ? "en" : "zh";
}

function ResultsTab() {
  const { t } = useI18n();
  const language = useEvalLanguage();
  const [asOf, setAsOf] = useState(today);
  const [report, setReport] = useState<EvaluationView | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [loading, setLoading] = useState(false);
  const [show, setShow] = useState<Shown>("open");
  const [turning, setTurning] = useState<string | null>(null);
  // A page that arrives after the evaluation it belongs to was run again is dropped.
  const runs = useRef(0);

  const run = useCallback(() => {
    const at = ++runs.current;
    setLoading(true);
    reportsApi.evaluate(asOf, language, null, null, { shown: show, offset: 0, limit: RESULTS_PAGE }).then(
      (r) => {
        if (at !== runs.current) return;
        setReport(r);
        setError(null);
        setLoading(false);
      },
      (e: ErrorPayload) => {
        if (at !== runs.current) return;
        setError(e);
        setLoading(false);
      },
    );
  }, [asOf, language, show]);
  useEffect(run, [run]);

  const turnPage = (rule: string, offset: number) => {
    const at = runs.current;
    setTurning(rule);
    reportsApi.evaluate(asOf, language, rule, null, { shown: show, offset, limit: RESULTS_PAGE }).then(
      (r) => {
        if (at !== runs.current) return;
        const page = r.rules[0];
        setReport((old) => old && { ...old, rules: old.rules.map((o) => (o.rule === rule && page ? page : o)) });
        setTurning(null);
      },
      (e: ErrorPayload) => {
        if (at !== runs.current) return;
        setError(e);
        setTurning(null);
      },
    );
  };

  const sum = (f: (o: RuleOutcomeView) => number) => report?.rules.reduce((a, o) => a + f(o), 0) ?? 0;

  return (
    <div className="section-gap">
      <Card size="small">
        <Space wrap>
          <span>{t("dash.asOf")}</span>
          <DatePicker value={dayjs(asOf)} allowClear={false} onChange={(d) => d && setAsOf(d.format("YYYY-MM-DD"))} />
          <Button type="primary" onClick={run} loading={loading} data-testid="evaluate">
            {t("sub.evaluate")}
          </Button>
          <Segmented
            value={show}
            onChange={(v) => setShow(v as Shown)}
            options={[
              { value: "open", label: t("sub.show.open") },
              { value: "qualifies", label: t("sub.show.qualifies") },
              { value: "all", label: t("sub.show.all") },
            ]}
          />
        </Space>
      </Card>
      {error && <ErrorAlert error={error} onRetry={run} />}
      {report && (
        <Spin spinning={loading}>
          <div className="section-gap" data-testid="evaluation">
            <Row gutter={12}>
              <Col span={6}>
                <Card size="small">
                  <Statistic title={t("sub.totalCny")} value={report.total_cny} prefix="¥" data-testid="total-cny" />
                  <Typography.Text type="secondary">{t("dash.asOfNote", { date: report.as_of })}</Typography.Text>
                </Card>
              </Col>
              <Col span={6}>
                <Card size="small">
                  <Statistic title={t("sub.status.qualifies")} value={sum((o) => o.totals.qualifies)} styles={{ content: { color: "#389e0d" } }} />
                  <Typography.Text type="secondary">{t("sub.pairs")}</Typography.Text>
                </Card>
              </Col>
              <Col span={6}>
                <Card size="small">
                  <Statistic title={t("sub.status.cannot_tell")} value={sum((o) => o.totals.cannot_tell)} styles={{ content: { color: "#d48806" } }} />
                  <Typography.Text type="secondary">{t("sub.cannotTellHint")}</Typography.Text>
                </Card>
              </Col>
              <Col span={6}>
                <Card size="small">
                  <Statistic title={t("sub.rulesEvaluated")} value={report.rules.length} />
                  <Typography.Text type="secondary">{t("sub.enabledOnly")}</Typography.Text>
                </Card>
              </Col>
            </Row>
            {report.rules.map((o) => (
              <Card
                key={o.rule}
                size="small"
                data-rule={o.rule}
                title={
                  <Space>
                    <span>{o.title}</span>
                    <ConfidenceTag c={o.confidence} />
                  </Space>
                }
                extra={
                  <Space size={16}>
                    <Typography.Text type="secondary">{o.jurisdiction}</Typography.Text>
                    <span>
                      {t("sub.ruleTotals", { q: o.totals.qualifies, c: o.totals.cannot_tell, n: o.totals.does_not_qualify })}
                    </span>
                    <b className="money">{cny(o.totals.total_cny)}</b>
                  </Space>
                }
              >
                {o.notes.length > 0 && <Alert type="info" style={{ marginBottom: 8 }} title={o.notes.join(" ")} />}
                <ResultsTable outcome={o} loading={turning === o.rule} onPage={(offset) => turnPage(o.rule, offset)} />
              </Card>
            ))}
          </div>
        </Spin>
      )}
    </div>
  );
}

// ---- Rules ---------------------------------------------------------------------------------

const RULE_TEMPLATE = `id = "my-city-model-filing"
title = "某市：模型获备案奖励"
issuing_body = "某市经济和信息化局"
confidence = "M"
enabled = true

[jurisdiction]
province = "浙江省"
city = "杭州市"

[document]
title = "政策文件标题"

[source]
citation = "文件出处"
quote = "政策原文"

[eligibility]
kinds = ["filed"]
registered_city = "杭州市"

[award]
kind = "lump_sum_per_enterprise"
amount_cny = 100000
`;

function RuleEditor({ initial, fileName, onClose, onSaved }: { initial: string; fileName: string; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [text, setText] = useState(initial);
  const [valid, setValid] = useState<Rule | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const validate = async () => {
    try {
      setValid(await reportsApi.validateRule(fileName, text));
      setError(null);
    } catch (e) {
      setValid(null);
      setError(e as ErrorPayload);
    }
  };
  const saveIt = async () => {
    try {
      const r = await reportsApi.saveRule(fileName, text);
      message.success(t("sub.ruleSaved", { title: r.rule.title }));
      onSaved();
      onClose();
    } catch (e) {
      setValid(null);
      setError(e as ErrorPayload);
    }
  };
  return (
    <Modal
      open
      width={860}
      title={t("sub.ruleEditor")}
      onCancel={onClose}
      footer={
        <Space>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button onClick={validate} data-testid="rule-validate">
            {t("sub.validate")}
          </Button>
          <Button type="primary" onClick={saveIt} data-testid="rule-save">
            {t("common.save")}
          </Button>
        </Space>
      }
    >
      <div className="section-gap">
        <Typography.Text type="secondary">{t("sub.ruleEditorHint")}</Typography.Text>
        <Input.TextArea
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setValid(null);
          }}
          autoSize={{ minRows: 16, maxRows: 28 }}
          className="mono"
          spellCheck={false}
          data-testid="rule-text"
        />
        {valid && <Alert type="success" showIcon title={t("sub.ruleValid", { title: valid.title })} data-testid="rule-valid" />}
        {error && <ErrorAlert error={error} />}
      </div>
    </Modal>
  );
}

function RulesTab() {
  const { t } = useI18n();
  const awardText = useAwardText();
  const [rules, setRules] = useState<RuleInfo[] | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [editing, setEditing] = useState<{ text: string; file: string } | null>(null);
  const load = useCallback(() => {
    reportsApi.rules().then(
      (r) => {
        setRules(r);
        setError(null);
      },
      setError,
    );
  }, []);
  useEffect(load, [load]);
  const toggle = async (id: string, on: boolean) => {
    try {
      await reportsApi.setRuleEnabled(id, on);
      load();
    } catch (e) {
      setError(e as ErrorPayload);
    }
  };
  return (
    <div className="section-gap">
      {error && <ErrorAlert error={error} onRetry={load} />}
      <Card
        size="small"
        title={t("sub.rulesTitle", { n: rules?.length ?? 0 })}
        extra={
          <Button icon={<PlusOutlined />} onClick={() => setEditing({ text: RULE_TEMPLATE, file: "new-rule.toml" })}>
            {t("sub.newRule")}
          </Button>
        }
      >
        <Table<RuleInfo>
          size="small"
          rowKey={(r) => r.rule.id}
          loading={!rules}
          dataSource={rules ?? []}
          pagination={false}
          expandable={{
            expandedRowRender: (r) => (
              <Descriptions size="small" column={1} bordered>
                <Descriptions.Item label={t("sub.issuer")}>{r.rule.issuing_body}</Descriptions.Item>
                <Descriptions.Item label={t("sub.document")}>
                  {r.rule.document.title}
                  {r.rule.document.number ? `（${r.rule.document.number}）` : ""}
                  {r.rule.issued_on ? ` · ${r.rule.issued_on}` : ""}
                </Descriptions.Item>
                {r.rule.source.quote && (
                  <Descriptions.Item label={t("sub.quote")}>
                    <blockquote className="quote">{r.rule.source.quote}</blockquote>
                  </Descriptions.Item>
                )}
                <Descriptions.Item label={t("sub.citation")}>
                  {r.rule.source.citation}
                  {r.rule.source.url && (
                    <div>
                      <Typography.Text copyable className="mono">
                        {r.rule.source.url}
                      </Typography.Text>
                    </div>
                  )}
                </Descriptions.Item>
                {r.rule.source.notes && (
                  <Descriptions.Item label={t("sub.reading")}>
                    <div style={{ whiteSpace: "pre-wrap" }}>{r.rule.source.notes}</div>
                  </Descriptions.Item>
                )}
              </Descriptions>
            ),
          }}
          columns={[
            {
              title: t("sub.rule"),
              key: "title",
              render: (_, r) => (
                <div>
                  <div style={{ fontWeight: 600 }}>{r.rule.title}</div>
                  <Typography.Text type="secondary" className="mono" style={{ fontSize: 12 }}>
                    {r.rule.id}
                  </Typography.Text>
                  {r.origin !== "bundled" && <Tag style={{ marginLeft: 6 }}>{t(`sub.origin.${r.origin}` as Key)}</Tag>}
                </div>
              ),
            },
            { title: t("sub.jurisdiction"), key: "j", width: 170, render: (_, r) => jurisdictionText(r.rule) },
            { title: t("sub.award"), key: "award", width: 240, render: (_, r) => awardText(r.rule.award) },
            { title: t("sub.confidence"), key: "c", width: 96, render: (_, r) => <ConfidenceTag c={r.rule.confidence} /> },
            {
              title: t("sub.enabled"),
              key: "enabled",
              width: 80,
              render: (_, r) => <Switch checked={r.enabled} onChange={(on) => toggle(r.rule.id, on)} data-rule-switch={r.rule.id} />,
            },
            {
              title: "",
              key: "edit",
              width: 70,
              render: (_, r) => (
                <Button size="small" icon={<EditOutlined />} onClick={() => setEditing({ text: r.source_text, file: r.bundled_file ?? `${r.rule.id}.toml` })}>
                  {t("detail.edit")}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      {editing && <RuleEditor initial={editing.text} fileName={editing.file} onClose={() => setEditing(null)} onSaved={load} />}
    </div>
  );
}

// ---- Company facts -------------------------------------------------------------------------

function Provenance<T>({ fact }: { fact: Fact<T> | null }) {
  const { t } = useI18n();
  if (!fact) return <Tag>{t("sub.fact.none")}</Tag>;
  if (fact.provenance === "inferred_from_name") return <Tag color="orange">{t("sub.fact.inferred")}</Tag>;
  return fact.confirmed ? <Tag color="green">{t("sub.fact.confirmed")}</Tag> : <Tag color="gold">{t("sub.fact.unconfirmed")}</Tag>;
}

function FactsEditor({ name, onSaved }: { name: string; onSaved: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [facts, setFacts] = useState<CompanyFacts | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [city, setCity] = useState("");
  const [district, setDistrict] = useState("");
  const [selfDev, setSelfDev] = useState<SelfDeveloped>("unknown");
  const [spend, setSpend] = useState<{ year: number | null; kind: SpendKind; amount: number | null }>({ year: null, kind: "compute", amount: null });
  const [note, setNote] = useState("");
  const [evaluation, setEvaluation] = useState<EvaluationView | null>(null);
  const language = useEvalLanguage();
  // Switching the UI's language words the company's evaluation again.
  useEffect(() => {
    if (evaluation && facts && evaluation.language !== language) {
      reportsApi.evaluate(evaluation.as_of, language, null, facts.name).then(setEvaluation, (e: ErrorPayload) => setError(e));
    }
  }, [language, evaluation, facts]);

  const fill = (f: CompanyFacts) => {
    setFacts(f);
    setCity(f.registered_city?.value ?? "");
    setDistrict(f.registered_district?.value ?? "");
    setSelfDev(f.self_developed?.value ?? "unknown");
  };
  useEffect(() => {
    setEvaluation(null);
    reportsApi.companyFacts(name).then(fill, setError);
  }, [name]);

  const saveIt = async () => {
    if (!facts) return;
    const entered = <T,>(value: T) => ({ value, provenance: "entered" as const, confirmed: true });
    const changed = (f: Fact<string> | null, v: string) => v.trim() !== "" && (f?.value !== v.trim() || f.provenance !== "entered");
    const update: CompanyFactsUpdate = {
      name: facts.name,
      registered_city: changed(facts.registered_city, city) ? entered(city.trim()) : null,
      registered_district: changed(facts.registered_district, district) ? entered(district.trim()) : null,
      self_developed: selfDev !== (facts.self_developed?.value ?? "unknown") || (facts.self_developed && facts.self_developed.provenance !== "entered") ? entered(selfDev) : null,
      spend:
        spend.year != null && spend.amount != null
          ? [{ year: spend.year, kind: spend.kind, amount_cny: spend.amount, provenance: "entered", confirmed: true }]
          : [],
      remove_spend: [],
      algorithm_filings: [],
      remove_algorithm_filings: [],
      note: note.trim() || null,
    };
    try {
      const f = await reportsApi.setCompanyFacts(update);
      fill(f);
      setError(null);
      setSpend({ year: null, kind: "compute", amount: null });
      setNote("");
      message.success(t("sub.factsSaved"));
      onSaved();
      setEvaluation(await reportsApi.evaluate(today(), language, null, f.name));
    } catch (e) {
      setError(e as ErrorPayload);
    }
  };

  const removeSpend = async (s: SpendFact) => {
    if (!facts) return;
    try {
      fill(
        await reportsApi.setCompanyFacts({
          name: facts.name,
          registered_city: null,
          registered_district: null,
          self_developed: null,
          spend: [],
          remove_spend: [{ year: s.year, kind: s.kind }],
          algorithm_filings: [],
          remove_algorithm_filings: [],
          note: null,
        }),
      );
    } catch (e) {
      setError(e as ErrorPayload);
    }
  };

  if (!facts) return error ? <ErrorAlert error={error} /> : <Spin />;
  const qualifying = evaluation?.rules.flatMap((o) => o.results.filter((r) => r.status !== "does_not_qualify").map((r) => ({ o, r }))) ?? [];

  return (
    <div className="section-gap" data-testid="facts-editor">
      <Card size="small" title={facts.name}>
        {error && <ErrorAlert error={error} />}
        <Descriptions size="small" column={1} bordered styles={{ label: { width: 150 } }}>
          <Descriptions.Item label={t("sub.fact.city")}>
            <Space>
              <Input value={city} onChange={(e) => setCity(e.target.value)} style={{ width: 200 }} placeholder="杭州市" data-testid="fact-city" />
              <Provenance fact={facts.registered_city} />
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t("sub.fact.district")}>
            <Space>
              <Input value={district} onChange={(e) => setDistrict(e.target.value)} style={{ width: 200 }} placeholder={t("sub.fact.districtHint")} data-testid="fact-district" />
              <Provenance fact={facts.registered_district} />
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t("sub.fact.selfDeveloped")}>
            <Space>
              <span data-testid="fact-self-developed">
              <Radio.Group
                value={selfDev}
                onChange={(e) => setSelfDev(e.target.value as SelfDeveloped)}
                optionType="button"
                options={[
                  { value: "yes", label: t("common.yes") },
                  { value: "no", label: t("common.no") },
                  { value: "unknown", label: t("sub.fact.unknown") },
                ]}
              />
              </span>
              <Provenance fact={facts.self_developed} />
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t("sub.fact.spend")}>
            <div className="section-gap" style={{ gap: 6 }}>
              {facts.spend.map((s) => (
                <Space key={`${s.year}-${s.kind}`}>
                  <span>
                    {s.year} · {t(`sub.spend.${s.kind}` as Key)} · <b>{cny(s.amount_cny)}</b>
                  </span>
                  <Tag color={s.confirmed ? "green" : "gold"}>{t(s.confirmed ? "sub.fact.confirmed" : "sub.fact.unconfirmed")}</Tag>
                  <a onClick={() => removeSpend(s)}>{t("sub.remove")}</a>
                </Space>
              ))}
              <Space>
                <InputNumber placeholder={t("field.year")} min={1990} max={2200} value={spend.year} onChange={(v) => setSpend({ ...spend, year: v })} style={{ width: 90 }} />
                <Select<SpendKind>
                  value={spend.kind}
                  onChange={(k) => setSpend({ ...spend, kind: k })}
                  style={{ width: 130 }}
                  options={[
                    { value: "compute", label: t("sub.spend.compute") },
                    { value: "model_purchase", label: t("sub.spend.model_purchase") },
                  ]}
                />
                <InputNumber<number> placeholder={t("sub.amountCny")} min={0} precision={0} value={spend.amount} onChange={(v) => setSpend({ ...spend, amount: v })} style={{ width: 160 }} />
              </Space>
            </div>
          </Descriptions.Item>
          <Descriptions.Item label={t("sub.note")}>
            <Input value={note} onChange={(e) => setNote(e.target.value)} placeholder={t("sub.noteHint")} />
          </Descriptions.Item>
        </Descriptions>
        <div style={{ marginTop: 12, display: "flex", justifyContent: "space-between", alignItems: "center" }}>
          <Typography.Text type="secondary">{t("sub.factsHint")}</Typography.Text>
          <Button type="primary" onClick={saveIt} data-testid="facts-save">
            {t("sub.saveFacts")}
          </Button>
        </div>
      </Card>
      {evaluation && (
        <Card size="small" title={t("sub.forCompany", { date: evaluation.as_of })} data-testid="company-evaluation">
          {qualifying.length === 0 ? (
            <Typography.Text type="secondary">{t("sub.noneForCompany")}</Typography.Text>
          ) : (
            qualifying.map(({ o, r }) => (
              <div key={o.rule} className="company-result">
                <Space>
                  <StatusTag s={r.status} />
                  <b>{o.title}</b>
                  {r.amount_cny != null && <b className="money">{cny(r.amount_cny)}</b>}
                </Space>
                <ul>
                  {r.reasons.map((x, i) => (
                    <li key={i}>{x}</li>
                  ))}
                </ul>
              </div>
            ))
          )}
        </Card>
      )}
      {facts.audit.length > 0 && (
        <Card size="small" title={t("detail.audit")}>
          <ul style={{ margin: 0, paddingLeft: 18 }}>
            {facts.audit.map((a) => (
              <li key={a.id}>
                {dayjs(a.at).format("YYYY-MM-DD HH:mm")} ·{" "}
                {a.changes.map((c) => `${c.field}: ${c.before ?? "—"} → ${c.after ?? "—"}`).join("；")}
                {a.note ? ` （${a.note}）` : ""}
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}

function CompaniesTab() {
  const { t } = useI18n();
  const [companies, setCompanies] = useState<StatsRow[] | null>(null);
  const [recorded, setRecorded] = useState<Set<string>>(new Set());
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [query, setQuery] = useState("");
  const [picked, setPicked] = useState<string | null>(null);
  const load = useCallback(() => {
    reportsApi.companyNames().then((r) => setCompanies(r.rows), setError);
  }, []);
  useEffect(load, [load]);
  const shown = useMemo(() => (companies ?? []).filter((c) => c.key.includes(query.trim())), [companies, query]);
  return (
    <Row gutter={12}>
      <Col span={9}>
        <Card size="small" title={t("sub.companies")}>
          {error && <ErrorAlert error={error} onRetry={load} />}
          <Input.Search allowClear placeholder={t("sub.findCompany")} value={query} onChange={(e) => setQuery(e.target.value)} style={{ marginBottom: 8 }} data-testid="company-search" />
          <Table<StatsRow>
            size="small"
            rowKey="key"
            loading={!companies}
            dataSource={shown}
            pagination={shown.length > 15 ? { pageSize: 15, size: "small" } : false}
            rowClassName={(r) => (r.key === picked ? "row-selected" : "")}
            onRow={(r) => ({ onClick: () => setPicked(r.key), style: { cursor: "pointer" }, "data-company": r.key }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              {
                title: t("field.company"),
                dataIndex: "key",
                render: (v: string) => (
                  <span>
                    {v} {recorded.has(v) && <Tag color="green">{t("sub.recorded")}</Tag>}
                  </span>
                ),
              },
              { title: t("dash.filings"), dataIndex: "count", width: 64, align: "right" },
            ]}
          />
        </Card>
      </Col>
      <Col span={15}>
        {picked ? (
          <FactsEditor key={picked} name={picked} onSaved={() => setRecorded((s) => new Set(s).add(picked))} />
        ) : (
          <Card size="small">
            <Empty description={t("sub.pickCompany")} />
          </Card>
        )}
      </Col>
    </Row>
  );
}

export function SubsidiesScreen() {
  const { t } = useI18n();
  const [tab, setTab] = useState("results");
  return (
    <Tabs
      activeKey={tab}
      onChange={setTab}
      destroyOnHidden
      items={[
        { key: "results", label: <span data-tab="results">{t("sub.tab.results")}</span>, children: <ResultsTab /> },
        { key: "rules", label: <span data-tab="rules">{t("sub.tab.rules")}</span>, children: <RulesTab /> },
        { key: "companies", label: <span data-tab="companies">{t("sub.tab.companies")}</span>, children: <CompaniesTab /> },
      ]}
    />
  );
}
