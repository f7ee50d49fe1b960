// Add or edit one filing. The number is checked live by the core (grammar, prefix against 属地, the
// date inside it against 备案时间) as the person types; saving records an audit entry in the core.

import { CheckCircleFilled, WarningFilled } from "@ant-design/icons";
import { App, Button, Card, DatePicker, Descriptions, Form, Input, InputNumber, Radio, Select, Space, Spin, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useEffect, useState } from "react";
import { api } from "../api";
import type { ErrorPayload } from "../bindings/ErrorPayload";
import type { FilingFields } from "../bindings/FilingFields";
import type { Issue } from "../bindings/Issue";
import type { Kind } from "../bindings/Kind";
import type { NumberCheck } from "../bindings/NumberCheck";
import { ErrorAlert, useIssueText } from "../errors";
import { useRegions } from "../format";
import { useI18n } from "../i18n";
import { useNav } from "../nav";

interface Values {
  number: string;
  kind: Kind;
  region: string | undefined;
  model: string;
  company: string;
  filed_on: Dayjs | null;
  seq: number | null;
}

const CHECK_DEBOUNCE_MS = 250;

export function FilingForm({ id }: { id?: number }) {
  const { t, lang } = useI18n();
  const nav = useNav();
  const { message } = App.useApp();
  const issueText = useIssueText();
  const [form] = Form.useForm<Values>();
  const regions = useRegions();
  const [loaded, setLoaded] = useState(id === undefined);
  const [check, setCheck] = useState<NumberCheck | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [saving, setSaving] = useState(false);
  const number = Form.useWatch("number", form);
  const region = Form.useWatch("region", form);
  const filedOn = Form.useWatch("filed_on", form);

  useEffect(() => {
    if (id === undefined) return;
    api.detail(id).then((d) => {
      const f = d.filing;
      form.setFieldsValue({
        number: f.number,
        kind: f.kind,
        region: f.region,
        model: f.model,
        company: f.company,
        filed_on: f.filed_on ? dayjs(f.filed_on) : null,
        seq: f.seq,
      });
      setLoaded(true);
    }, setError);
  }, [id, form]);

  // Live check of the number against the chosen region and date.
  useEffect(() => {
    if (!number || !number.trim()) {
      setCheck(null);
      return;
    }
    const h = setTimeout(() => {
      api
        .checkNumber(number, region ?? null, filedOn ? filedOn.format("YYYY-MM-DD") : null)
        .then(setCheck, setError);
    }, CHECK_DEBOUNCE_MS);
    return () => clearTimeout(h);
  }, [number, region, filedOn]);

  // On a new filing, follow what the number says: its kind (…S0027 is registered) and, while
  // no region is chosen yet, the region its prefix stands for. Editing never overrides.
  useEffect(() => {
    if (id !== undefined || !check) return;
    if (check.kind) form.setFieldValue("kind", check.kind);
    if (check.region && !form.getFieldValue("region")) form.setFieldValue("region", check.region);
  }, [check, form, id]);

  const submit = async (v: Values) => {
    const fields: FilingFields = {
      number: v.number.trim(),
      kind: v.kind,
      region: v.region ?? "",
      model: v.model.trim(),
      company: v.company.trim(),
      filed_on: v.filed_on ? v.filed_on.format("YYYY-MM-DD") : null,
      seq: v.seq ?? null,
    };
    setSaving(true);
    setError(null);
    try {
      if (id === undefined) {
        const newId = await api.addFiling(fields);
        message.success(t("form.added"));
        nav.go({ name: "detail", id: newId });
      } else {
        await api.editFiling(id, fields);
        message.success(t("form.saved"));
        nav.back();
      }
    } catch (e) {
      const err = e as ErrorPayload;
      setError(err);
      // Put the core's per-field issues next to the fields they are about.
      if (err.code === "invalid" && Array.isArray(err.detail)) {
        form.setFields(
          (err.detail as Issue[])
            .filter((i) => i.column && ["number", "kind", "region", "model", "company", "filed_on", "seq"].includes(i.column))
            .map((i) => ({ name: i.column as keyof Values, errors: [issueText(i)] })),
        );
      }
    } finally {
      setSaving(false);
    }
  };

  if (!loaded && !error) return <Spin />;

  const numberStatus = check ? (check.valid ? (check.problems.length ? "warning" : "") : "error") : "";

  return (
    <div className="section-gap" style={{ maxWidth: 880 }}>
      {error && <ErrorAlert error={error} />}
      <Card>
        <Form<Values>
          form={form}
          layout="horizontal"
          labelCol={{ span: 5 }}
          wrapperCol={{ span: 17 }}
          initialValues={{ kind: "filed", number: "", model: "", company: "", filed_on: null, seq: null }}
          onFinish={submit}
          data-testid="filing-form"
        >
          <Form.Item
            label={t("field.number")}
            name="number"
            rules={[{ required: true, whitespace: true, message: t("form.required") }]}
            validateStatus={numberStatus || undefined}
            extra={t("form.numberHint")}
          >
            <Input className="mono" autoComplete="off" data-testid="field-number" />
          </Form.Item>
          {check && (
            <Form.Item wrapperCol={{ offset: 5, span: 17 }}>
              <Card size="small" style={{ background: check.valid ? "#f6ffed" : "#fff2f0" }} data-testid="number-check">
                <Space orientation="vertical" style={{ width: "100%" }}>
                  <Space>
                    {check.valid ? <CheckCircleFilled style={{ color: "#52c41a" }} /> : <WarningFilled style={{ color: "#f5222d" }} />}
                    <Typography.Text strong>{t(check.valid ? "form.numberValid" : "form.numberInvalid")}</Typography.Text>
                  </Space>
                  {check.jurisdiction && (
                    <Descriptions size="small" column={3}>
                      <Descriptions.Item label={t("detail.jurisdiction")}>{check.jurisdiction}</Descriptions.Item>
                      <Descriptions.Item label={t("detail.numberRegion")}>{check.region ?? "—"}</Descriptions.Item>
                      <Descriptions.Item label={t("detail.numberDate")}>{check.date ?? "—"}</Descriptions.Item>
                      <Descriptions.Item label={t("detail.name")}>{check.name ?? "—"}</Descriptions.Item>
                      <Descriptions.Item label={t("detail.sequence")}>{check.sequence ?? "—"}</Descriptions.Item>
                    </Descriptions>
                  )}
                  {check.problems.map((p, i) => (
                    <Typography.Text key={i} type={p.severity === "error" ? "danger" : "warning"}>
                      {issueText(p)}
                    </Typography.Text>
                  ))}
                </Space>
              </Card>
            </Form.Item>
          )}
          <Form.Item label={t("field.kind")} name="kind">
            <Radio.Group
              optionType="button"
              options={[
                { value: "filed", label: t("kind.filed") },
                { value: "registered", label: t("kind.registered") },
              ]}
            />
          </Form.Item>
          <Form.Item label={t("field.region")} name="region" rules={[{ required: true, message: t("form.required") }]}>
            <Select
              showSearch
              placeholder={t("form.regionPlaceholder")}
              optionFilterProp="label"
              options={regions.map((r) => ({ value: r.name, label: lang === "en" ? `${r.name} ${r.english}` : r.name }))}
            />
          </Form.Item>
          <Form.Item label={t("field.model")} name="model" rules={[{ required: true, whitespace: true, message: t("form.required") }]}>
            <Input data-testid="field-model" />
          </Form.Item>
          <Form.Item label={t("field.company")} name="company" rules={[{ required: true, whitespace: true, message: t("form.required") }]}>
            <Input data-testid="field-company" />
          </Form.Item>
          <Form.Item label={t("field.date")} name="filed_on">
            <DatePicker />
          </Form.Item>
          <Form.Item label={t("field.seq")} name="seq">
            <InputNumber min={1} />
          </Form.Item>
          <Form.Item wrapperCol={{ offset: 5, span: 17 }}>
            <Space>
              <Button type="primary" htmlType="submit" loading={saving} data-testid="save">
                {t("common.save")}
              </Button>
              {nav.canGoBack && <Button onClick={nav.back}>{t("common.cancel")}</Button>}
            </Space>
          </Form.Item>
        </Form>
      </Card>
    </div>
  );
}
