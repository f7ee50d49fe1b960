// Typed calls into the Rust shell. Every type comes from ui/src/bindings (generated from the Rust
// types by ts-rs); nothing here re-declares a shape the core owns.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AppInfo } from "./bindings/AppInfo";
import type { BatchChange } from "./bindings/BatchChange";
import type { BatchInfo } from "./bindings/BatchInfo";
import type { DatabaseChoice } from "./bindings/DatabaseChoice";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { Facets } from "./bindings/Facets";
import type { FilingDetail } from "./bindings/FilingDetail";
import type { FilingFields } from "./bindings/FilingFields";
import type { FilingFilter } from "./bindings/FilingFilter";
import type { FilingPage } from "./bindings/FilingPage";
import type { FilingQuery } from "./bindings/FilingQuery";
import type { ImportPreview } from "./bindings/ImportPreview";
import type { ImportProgress } from "./bindings/ImportProgress";
import type { ImportSummary } from "./bindings/ImportSummary";
import type { NumberCheck } from "./bindings/NumberCheck";
import type { ReadOptions } from "./bindings/ReadOptions";
import type { Region } from "./bindings/Region";

/** Anything a command rejects with is turned into an ErrorPayload, so screens handle one shape. */
export function asPayload(e: unknown): ErrorPayload {
  if (e && typeof e === "object" && "code" in e && typeof (e as { code: unknown }).code === "string") {
    return e as ErrorPayload;
  }
  // Not from our commands (e.g. IPC itself failed): keep the text as detail for support.
  return { code: "unknown", message: String(e), detail: null };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asPayload(e);
  }
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  regions: () => call<Region[]>("regions"),
  listFilings: (query: FilingQuery) => call<FilingPage>("list_filings", { query }),
  facets: (filter: FilingFilter) => call<Facets>("filing_facets", { filter }),
  detail: (id: number) => call<FilingDetail>("filing_detail", { id }),
  batches: () => call<BatchInfo[]>("list_batches"),
  batchChanges: (id: number) => call<BatchChange[]>("batch_changes", { id }),
  checkNumber: (number: string, region: string | null, filedOn: string | null) =>
    call<NumberCheck>("check_number", { number, region, filedOn }),
  addFiling: (fields: FilingFields) => call<number>("add_filing", { fields }),
  editFiling: (id: number, fields: FilingFields) => call<void>("edit_filing", { id, fields }),
  /** Reads the file at `path` (from the open dialog or a drop) and plans its import; writes nothing. */
  planImport: (path: string, options: ReadOptions) => call<ImportPreview>("plan_import_path", { path, options }),
  /** Applies the plan behind `token`; progress arrives as `import-progress` events. */
  applyImport: (token: number, keepGoing: boolean) => call<ImportSummary>("apply_import", { token, keepGoing }),
  cancelImport: () => call<void>("cancel_import"),
  backupTo: (path: string) => call<void>("backup_to", { path }),
  restoreFrom: (path: string) => call<void>("restore_from", { path }),
  /** Opens another registry, starts a new one, or goes back to the default; remembered. */
  useDatabase: (choice: DatabaseChoice) => call<void>("use_database", { choice }),
  /** Tells the shell the first filings are on screen (timed by `beian-bench app`). */
  firstPaint: (rows: number, marks: Record<string, number>) => call<void>("first_paint", { rows, marks }),
  appReady: (rows: number, marks: Record<string, number>) => call<void>("app_ready", { rows, marks }),
};

export function onImportProgress(cb: (p: ImportProgress) => void): Promise<UnlistenFn> {
  return listen<ImportProgress>("import-progress", (e) => cb(e.payload));
}
