import { launchSettled, launchViewPainted } from "./launch";
import "./styles.css";

// This entry is kept small: it is parsed and run before public/launch.js has painted its plain
// copy of the first filings. React, Ant Design and the screens (about a megabyte of script) are
// imported only after that paint, so their parsing and evaluation no longer delay it.
performance.mark("script-start");

// Wait briefly for the answers public/launch.js asked for, so the first render has the filings;
// if the registry is slow to answer, render anyway and let the screens show their spinners. When
// public/launch.js has drawn its plain copy of the rows, let WebKit paint it first: the render
// below keeps the main thread for a second, and the copy is what the user looks at meanwhile.
launchSettled(400)
  .then(() => launchViewPainted(1500))
  .then(() => import("./root"))
  .then(({ render }) => {
    performance.mark("render-start");
    render(document.getElementById("root")!);
  });
