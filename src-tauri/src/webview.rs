//! WebKitGTK settings that Tauri does not expose, applied to the main window's webview, and the
//! shell's own memory after the first screen.
//!
//! Accelerated compositing is off by default. With it on, WebKit's web process keeps a GL
//! context and a texture per composited layer (Ant Design's sticky table header, fixed panels):
//! on the 1M benchmark under Xvfb (Mesa's llvmpipe) that was about 65 MiB of the web process's
//! idle memory, and the first filings painted about 0.5 s later than without it. The page looks
//! the same either way; only how WebKit draws it changes. `BEIAN_WEBKIT_COMPOSITING=1` turns it
//! back on (for a machine where the GPU path is the faster one).
//!
//! `BEIAN_WEB_CONSOLE=1` copies the page's console to the shell's stdout: a release build has no
//! inspector, and a page that fails before React renders shows only a blank window.

use tauri::{Runtime, WebviewWindow};

fn env_is(name: &str, value: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v == value)
}

#[cfg(target_os = "linux")]
pub fn configure<R: Runtime>(window: &WebviewWindow<R>) {
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
    let console = env_is("BEIAN_WEB_CONSOLE", "1");
    let compositing = env_is("BEIAN_WEBKIT_COMPOSITING", "1");
    let _ = window.with_webview(move |webview| {
        let Some(settings) = WebViewExt::settings(&webview.inner()) else {
            return;
        };
        if console {
            settings.set_enable_write_console_messages_to_stdout(true);
        }
        if !compositing {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
}

#[cfg(not(target_os = "linux"))]
pub fn configure<R: Runtime>(_window: &WebviewWindow<R>) {}

/// Hands back to the system what opening the registry and the first page's queries left free in
/// the allocator (about 1.5 MiB at 1M rows); glibc keeps freed memory for reuse otherwise.
pub fn trim_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}
