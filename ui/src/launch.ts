// The answers public/launch.js asked for before the bundle was parsed. The first render uses
// them when they are in, so the window's first frame with content already shows the filings,
// instead of a spinner, then an empty table, then the rows (each of those renders and lays out
// Ant Design's components again, and on WebKitGTK that is what launch time was spent on).

import { asPayload } from "./api";
import type { AppInfo } from "./bindings/AppInfo";
import type { Facets } from "./bindings/Facets";
import type { FilingPage } from "./bindings/FilingPage";

interface Early {
  info: Promise<AppInfo>;
  page: Promise<FilingPage>;
  facets: Promise<Facets>;
}

const early = (window as unknown as { __beianLaunch?: Early }).__beianLaunch;

/** What has arrived so far; `undefined` until it has (or when it failed: the screens ask again). */
export const launched: { info?: AppInfo; page?: FilingPage; facets?: Facets } = {};

const settled: Promise<unknown> = early
  ? Promise.allSettled([
      early.info.then((v) => (launched.info = v)),
      early.page.then((v) => (launched.page = v)),
      early.facets.then((v) => (launched.facets = v)),
    ]).then(() => performance.mark("prefetch-answered"))
  : Promise.resolve();

/** Resolves when every early answer is in, or after `ms`, whichever comes first. */
export function launchSettled(ms: number): Promise<void> {
  return Promise.race([settled, new Promise((r) => setTimeout(r, ms))]).then(() => undefined);
}

let infoUsed = false;
/** The early `app_info` call, once; later loads (retry, after a restore) ask the shell again. */
export function takeInfo(): Promise<AppInfo> | null {
  if (!early || infoUsed) return null;
  infoUsed = true;
  return early.info.catch((e) => Promise.reject(asPayload(e)));
}

let pageUsed = false;
/**
 * The first page and facets of the unfiltered, unsorted 50-row view (the query public/launch.js
 * sends), once. Later loads, and any other query, go to the shell.
 */
export function takeFirstPage(): Promise<[FilingPage, Facets]> | null {
  if (!early || pageUsed) return null;
  pageUsed = true;
  return Promise.all([early.page, early.facets]).catch((e) => Promise.reject(asPayload(e)));
}

/** Whether the first page is still unused (the screen may start from `launched` if so). */
export function firstPageUnused(): boolean {
  return !!early && !pageUsed;
}
