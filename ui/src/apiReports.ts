// Typed calls for the dashboard, the Subsidies screen and exports (src-tauri/src/commands_reports.rs).
// Kept apart from api.ts so the screens that use them can grow without touching the shared file.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { asPayload } from "./api";
import type { CompanyFacts } from "./bindings/CompanyFacts";
import type { CompanyFactsUpdate } from "./bindings/CompanyFactsUpdate";
import type { Dashboard } from "./bindings/Dashboard";
import type { EvaluationView } from "./bindings/EvaluationView";
import type { ExportProgress } from "./bindings/ExportProgress";
import type { ExportRequest } from "./bindings/ExportRequest";
import type { ExportSummary } from "./bindings/ExportSummary";
import type { FilingFilter } from "./bindings/FilingFilter";
import type { Language } from "./bindings/Language";
import type { ResultsPage } from "./bindings/ResultsPage";
import type { Rule } from "./bindings/Rule";
import type { RuleInfo } from "./bindings/RuleInfo";
import type { StatsReport } from "./bindings/StatsReport";

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asPayload(e);
  }
}

export const reportsApi = {
  dashboard: (filter: FilingFilter, asOf: string) => call<Dashboard>("dashboard", { filter, asOf }),
  companyNames: () => call<StatsReport>("company_names"),
  rules: () => call<RuleInfo[]>("subsidy_rules"),
  validateRule: (fileName: string, text: string) => call<Rule>("validate_rule", { fileName, text }),
  saveRule: (fileName: string, text: string) => call<RuleInfo>("save_rule", { fileName, text }),
  setRuleEnabled: (id: string, enabled: boolean) => call<RuleInfo>("set_rule_enabled", { id, enabled }),
  companyFacts: (name: string) => call<CompanyFacts>("company_facts", { name }),
  setCompanyFacts: (update: CompanyFactsUpdate) => call<CompanyFacts>("set_company_facts", { update }),
  /**
   * Reasons, needs and notes come back worded in `language` (the core words them, for reports too).
   * For every enterprise, `page` of each rule's results (the first 500 without one); for one
   * company, all of its results.
   */
  evaluate: (asOf: string, language: Language, rule: string | null = null, company: string | null = null, page: ResultsPage | null = null) =>
    call<EvaluationView>("evaluate_subsidies", { rule, company, asOf, language, page }),
  /** The CJK font a PDF export would use, or null when PDF export cannot work on this machine. */
  pdfFont: () => call<string | null>("pdf_font"),
  /** Writes the export; progress arrives as `export-progress` events. `now` is filled in by the shell. */
  exportReport: (request: ExportRequest) => call<ExportSummary>("export_report", { request }),
  cancelExport: () => call<void>("cancel_export"),
  saveChartPng: (path: string, bytes: number[]) => call<void>("save_chart_png", { path, bytes }),
};

export function onExportProgress(cb: (p: ExportProgress) => void): Promise<UnlistenFn> {
  return listen<ExportProgress>("export-progress", (e) => cb(e.payload));
}

/** Today in the local calendar, YYYY-MM-DD (the default as-of date). */
export function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
