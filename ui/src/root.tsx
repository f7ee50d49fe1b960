import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { I18nProvider } from "./i18n";

/** The whole app, loaded by main.tsx once the first filings are on screen. */
export function render(root: HTMLElement) {
  performance.mark("app-loaded");
  createRoot(root).render(
    <StrictMode>
      <I18nProvider>
        <App />
      </I18nProvider>
    </StrictMode>,
  );
}
