import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { I18nProvider } from "./i18n";
import { launchSettled } from "./launch";
import "./styles.css";

// The first chunk has been parsed and its modules evaluated (launch timing, see api.firstPaint).
performance.mark("script-start");

// Wait briefly for the answers public/launch.js asked for, so the first render has the filings;
// if the registry is slow to answer, render anyway and let the screens show their spinners.
launchSettled(400).then(() => {
  performance.mark("render-start");
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <I18nProvider>
        <App />
      </I18nProvider>
    </StrictMode>,
  );
});
