// The answers public/launch.js asked for before the bundle was parsed. The first render uses
// them when they are in, so the window's first frame with content already shows the filings,
// instead of a spinner, then an empty table, then the rows (each of those renders and lays out
// Ant Design's components again, and on WebKitGTK that is what launch time was spent on).

import { asPayload } from "./api";
import type { AppInfo } from "./bindings/AppInfo";
import type { Facets } from "./bindings/Facets";
import type { FilingPage } from "./bindings/FilingPage";
import type { FilingQuery } from "./bindings/FilingQuery";

interface Early {
  /** The query public/launch.js sent for the first page. */
  query: FilingQuery;
  info: Promise<AppInfo>;
  page: Promise<FilingPage>;
  facets: Promise<Facets>;
  /** Whether public/launch.js reported the first paint from its plain copy of the screen. */
  reported: boolean;
  /** Resolves when that plain copy is on screen, or at once when none is waiting to be painted. */
  whenPainted: () => Promise<void>;
  /** Removes that plain copy (#launch-view); true the one time it was there to remove. */
  drop: () => boolean;
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

/** Whether the early page answers `query`: the same filter, sort, size and offset, field by field. */
function answers(query: FilingQuery): boolean {
  return !!early && JSON.stringify(early.query) === JSON.stringify(query);
}

/** The early first page and facets, once, when they answer `query`; otherwise the shell is asked. */
export function takeFirstPage(query: FilingQuery): Promise<[FilingPage, Facets]> | null {
  if (!early || pageUsed || !answers(query)) return null;
  pageUsed = true;
  return Promise.all([early.page, early.facets]).catch((e) => Promise.reject(asPayload(e)));
}

/** Whether the early page is unused and answers `query` (the screen may start from `launched`). */
export function firstPageUnused(query: FilingQuery): boolean {
  return !pageUsed && answers(query);
}

/**
 * Hands the window over from public/launch.js's plain copy of the Filings screen to React: called
 * in layout effects, so the frame that shows the real screen is the first without the copy.
 * Any later call does nothing.
 */
export function dropLaunchView(): void {
  if (early?.drop()) performance.mark("launch-view-dropped");
}

/** Whether the first paint was already reported (by public/launch.js's plain view). */
export function firstPaintReported(): boolean {
  return !!early?.reported;
}

/** Resolves when public/launch.js's plain view has been painted (or there is none), or after `ms`. */
export function launchViewPainted(ms: number): Promise<void> {
  if (!early) return Promise.resolve();
  return Promise.race([early.whenPainted(), new Promise((r) => setTimeout(r, ms))]).then(() => undefined);
}
