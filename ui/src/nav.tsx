// In-app navigation: a small typed route with a back stack. A desktop window has no address bar,
// so a router library would add weight without adding anything a person can use.

import { createContext, useContext } from "react";
import type { FilingFilter } from "./bindings/FilingFilter";

export type Route =
  | { name: "filings"; filter?: Partial<FilingFilter> }
  | { name: "detail"; id: number }
  | { name: "import" }
  | { name: "batches"; id?: number }
  | { name: "add" }
  | { name: "edit"; id: number }
  | { name: "settings" }
  | { name: "dashboard" }
  | { name: "subsidies" };

export interface Nav {
  route: Route;
  go: (r: Route) => void;
  back: () => void;
  canGoBack: boolean;
}

export const NavContext = createContext<Nav | null>(null);

export function useNav(): Nav {
  const n = useContext(NavContext);
  if (!n) throw new Error("useNav outside NavContext");
  return n;
}

