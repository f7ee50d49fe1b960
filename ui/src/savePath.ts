// The save dialog, kept apart from the charts so that screens which only save files do not pull
// ECharts into the first chunk the window loads.

import { save } from "@tauri-apps/plugin-dialog";

declare global {
  interface Window {
    /** E2E hook: when set, save dialogs are skipped and files go to this path. */
    __beianE2ESavePath?: string;
  }
}

/** The save dialog, or the E2E hook's path when a test set one. */
export async function chooseSavePath(defaultPath: string, filterName: string, ext: string): Promise<string | null> {
  if (window.__beianE2ESavePath) return window.__beianE2ESavePath;
  return save({ defaultPath, filters: [{ name: filterName, extensions: [ext] }] });
}
