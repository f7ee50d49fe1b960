// Errors are shown by code, in words a compliance officer can act on. The core's English message is
// kept only as a collapsible technical detail (for support); nothing here matches message text.

import { CloseCircleFilled } from "@ant-design/icons";
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

/**
 * An error, in the look of Ant Design's error Alert but in plain elements: the Filings screen and
 * the window's shell show it before (or without) Ant Design loading.
 */
export function ErrorAlert({ error, onRetry }: { error: ErrorPayload; onRetry?: () => void }) {
  const { t } = useI18n();
  const text = useErrorText();
  const issueText = useIssueText();
  const issues = detailIssues(error);
  return (
    <div className="error-alert" role="alert" data-error-code={error.code}>
      <CloseCircleFilled className="error-alert-icon" />
      <div className="error-alert-body">
        <div className="error-alert-title">{t("common.errorTitle")}</div>
        <p className="error-alert-text">{text(error)}</p>
        {issues.length > 0 && (
          <ul className="error-alert-issues">
            {issues.map((i, n) => (
              <li key={n}>
                {i.column ? `${i.column}: ` : ""}
                {issueText(i)}
              </li>
            ))}
          </ul>
        )}
        <details className="error-alert-detail">
          <summary>{t("common.technicalDetail")}</summary>
          <code>
            {error.code}: {error.message}
          </code>
        </details>
        {onRetry && (
          <button type="button" className="link-button" onClick={onRetry}>
            {t("common.retry")}
          </button>
        )}
      </div>
    </div>
  );
}

export const flagKey = (f: string) => `flag.${f}` as Key;
