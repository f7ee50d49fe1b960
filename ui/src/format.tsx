// Small display helpers shared by the screens.

import dayjs from "dayjs";
import { useEffect, useState } from "react";
import { api } from "./api";
import type { Region } from "./bindings/Region";
import { useI18n } from "./i18n";

/** Core timestamps are UTC RFC 3339; people read them in local time, to the minute. */
export function formatTime(ts: string): string {
  const d = dayjs(ts);
  return d.isValid() ? d.format("YYYY-MM-DD HH:mm") : ts;
}

let regionsCache: Promise<Region[]> | null = null;

/** The bundled region table (loaded once per window). */
export function useRegions(): Region[] {
  const [regions, setRegions] = useState<Region[]>([]);
  useEffect(() => {
    regionsCache ??= api.regions().catch((e) => {
      regionsCache = null;
      throw e;
    });
    regionsCache.then(setRegions, () => setRegions([]));
  }, []);
  return regions;
}

/**
 * A region's name in the UI language: the CAC's Chinese name in Chinese, the English name in
 * English (falling back to the stored name for anything the table does not know).
 */
export function useRegionName(): (name: string, fallback?: string) => string {
  const { lang } = useI18n();
  const regions = useRegions();
  return (name, fallback) => {
    if (lang !== "en") return fallback ?? name;
    const r = regions.find((x) => x.name === name);
    return r ? r.english : (fallback ?? name);
  };
}

const grouped = new Intl.NumberFormat("en-US");
/** A count with thousands separators (1,234,567), whatever locale WebKit runs in: with no explicit
 * locale, toLocaleString() gave "21450" under this app's WebKitGTK. */
export function count(n: number): string {
  return grouped.format(n);
}
