// Errors are shown by code, in words a compliance officer can act on. The core's English message is
// kept only as a collapsible technical detail (for support); nothing here matches message text.

import { Alert, Collapse, Typography } from "antd";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { Issue } from "./bindings/Issue";
import { useI18n, type Key } from "./i18n";

/** Translated sentence for an error code; unknown codes get the generic sentence. */
export function useErrorText(): (e: ErrorPayload) => string {
  const { t, tryT } = useI18n();
  return (e) => tryT(`error.${e.code}`) ?? t("error.unknown");
}

/** Translated text of an issue (row or number problem): by code, else the core's own sentence. */
export function useIssueText(): (i: Issue) => string {
  const { tryT } = useI18n();
  return (i) => tryT(`flag.${i.code}`) ?? tryT(`issue.${i.code}`) ?? i.message;
}

function detailIssues(e: ErrorPayload): Issue[] {
  return e.code === "invalid" && Array.isArray(e.detail) ? (e.detail as Issue[]) : [];
}

export function ErrorAlert({ error, onRetry }: { error: ErrorPayload; onRetry?: () => void }) {
  const { t } = useI18n();
  const text = useErrorText();
  const issueText = useIssueText();
  const issues = detailIssues(error);
  return (
    <Alert
      type="error"
      showIcon
      data-error-code={error.code}
      title={t("common.errorTitle")}
      description={
        <div>
          <Typography.Paragraph style={{ marginBottom: 8 }}>{text(error)}</Typography.Paragraph>
          {issues.length > 0 && (
            <ul style={{ margin: "0 0 8px", paddingLeft: 20 }}>
              {issues.map((i, n) => (
                <li key={n}>
                  {i.column ? `${i.column}: ` : ""}
                  {issueText(i)}
                </li>
              ))}
            </ul>
          )}
          <Collapse
            size="small"
            ghost
            items={[
              {
                key: "d",
                label: t("common.technicalDetail"),
                children: (
                  <Typography.Text type="secondary" code style={{ whiteSpace: "pre-wrap" }}>
                    {error.code}: {error.message}
                  </Typography.Text>
                ),
              },
            ]}
          />
          {onRetry && <a onClick={onRetry}>{t("common.retry")}</a>}
        </div>
      }
    />
  );
}

export const flagKey = (f: string) => `flag.${f}` as Key;
