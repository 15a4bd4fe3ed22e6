//! The Tauri shell: a thin adapter that shows the UI in a native window. The mobile entry
//! point is here so the same code builds for Android and iPad where those toolchains exist.
//! (Wiring every app-core command over IPC arrives with the tablet app.)

use serde::Serialize;

/// What the window shows about the build it is running.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub commands: usize,
}

#[tauri::command]
fn app_info() -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        commands: onward_api::REQUEST_NAMES.len(),
    }
}

/// Starts the app (desktop `main` and the mobile entry point).
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    if let Err(e) = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![app_info])
        .run(tauri::generate_context!())
    {
        eprintln!("onward: the app window could not start: {e}");
        std::process::exit(1);
    }
}
