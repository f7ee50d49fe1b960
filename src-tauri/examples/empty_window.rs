//! The yardstick for the app's launch time and memory: a Tauri 2 window of the same size, built
//! from the same crates and config, that loads a blank page and nothing else. `beian-bench app`
//! runs it beside the app, in the same way, so the two figures are comparable.
//!
//! With `BEIAN_LAUNCH_PROBE=<file>`, the moment the page has loaded is written there as Unix
//! milliseconds, as the app writes its first painted filings.

use tauri::webview::PageLoadEvent;
use tauri::{WebviewUrl, WebviewWindowBuilder};

fn main() {
    let mut context = tauri::generate_context!();
    // The config's own window would load the Beian UI; this window is made by hand instead.
    context.config_mut().app.windows.clear();
    tauri::Builder::default()
        .setup(|app| {
            // An empty page served the way the app serves its UI (about:blank reports no page
            // load on WebKitGTK; data: URLs need another Tauri feature).
            WebviewWindowBuilder::new(app, "empty", WebviewUrl::App("blank.html".into()))
                .title("empty Tauri window")
                .inner_size(1360.0, 860.0)
                .on_page_load(|_, payload| {
                    if payload.event() != PageLoadEvent::Finished {
                        return;
                    }
                    if let Some(path) = std::env::var_os("BEIAN_LAUNCH_PROBE") {
                        let ms = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map(|d| d.as_millis())
                            .unwrap_or(0);
                        let _ = std::fs::write(path, format!("{{\"painted_unix_ms\":{ms}}}\n"));
                    }
                })
                .build()?;
            Ok(())
        })
        .run(context)
        .expect("error while running the empty window");
}
