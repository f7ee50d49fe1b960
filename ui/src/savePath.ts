// The save dialog, kept apart from the charts so that screens which only save files do not pull
// ECharts into the first chunk the window loads.

import { open, save } from "@tauri-apps/plugin-dialog";

declare global {
  interface Window {
    /** E2E hook: when set, save dialogs are skipped and files go to this path. */
    __beianE2ESavePath?: string;
    /** E2E hook: when set, open dialogs are skipped and this file is the one chosen. */
    __beianE2EOpenPath?: string;
  }
}

/** The save dialog, or the E2E hook's path when a test set one. */
export async function chooseSavePath(defaultPath: string, filterName: string, ext: string): Promise<string | null> {
  if (window.__beianE2ESavePath) return window.__beianE2ESavePath;
  return save({ defaultPath, filters: [{ name: filterName, extensions: [ext] }] });
}

/** The open dialog for one file, or the E2E hook's path when a test set one. */
export async function chooseOpenPath(filterName: string, exts: string[]): Promise<string | null> {
  if (window.__beianE2EOpenPath) return window.__beianE2EOpenPath;
  const path = await open({ multiple: false, directory: false, filters: [{ name: filterName, extensions: exts }] });
  return typeof path === "string" ? path : null;
}
