import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { I18nProvider } from "./i18n";
import { launchSettled, launchViewPainted } from "./launch";
import "./styles.css";

// The first chunk has been parsed and its modules evaluated (launch timing, see api.firstPaint).
performance.mark("script-start");

// Wait briefly for the answers public/launch.js asked for, so the first render has the filings;
// if the registry is slow to answer, render anyway and let the screens show their spinners. When
// public/launch.js has drawn its plain copy of the rows, let WebKit paint it first: the render
// below keeps the main thread for a second, and the copy is what the user looks at meanwhile.
launchSettled(400)
  .then(() => launchViewPainted(1500))
  .then(() => {
    performance.mark("render-start");
    createRoot(document.getElementById("root")!).render(
      <StrictMode>
        <I18nProvider>
          <App />
        </I18nProvider>
      </StrictMode>,
    );
  });
