//! The Tauri shell: a thin adapter that shows the UI in a native window and answers its typed
//! requests with the app core ([`onward_app::Host`]). One command, `call`, runs any request
//! by wire name; every change the app core reports (a sync brought data, an edit was saved)
//! reaches the UI as a [`CHANGED`] event, so the screens refresh. The mobile entry point is
//! here so the same code builds for Android and iPad where those toolchains exist.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use onward_api::ApiError;
use onward_app::{Host, Timing};
use tauri::{Emitter, Manager};

/// The event the UI listens for; its payload is the app core's change count.
pub const CHANGED: &str = "onward://changed";

/// Runs a request by wire name with JSON arguments.
#[tauri::command]
async fn call(
    host: tauri::State<'_, Arc<Host>>,
    name: String,
    args: serde_json::Value,
) -> Result<serde_json::Value, ApiError> {
    let host = host.inner().clone();
    tauri::async_runtime::spawn_blocking(move || host.call(&name, args))
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::new(
                onward_api::ErrorKind::Storage,
                "the app hit a problem; close it and open it again",
            ))
        })
}

/// Where the profile lives: `ONWARD_DATA` if set (tests, several profiles), otherwise the
/// platform's app data directory.
fn data_dir(app: &tauri::App) -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("ONWARD_DATA") {
        return Ok(PathBuf::from(dir));
    }
    app.path()
        .app_data_dir()
        .map(|d| d.join("profile"))
        .map_err(|e| format!("no app data directory: {e}"))
}

/// Emits [`CHANGED`] to the UI whenever the app core's change count moves. The thread waits
/// on the host and ends with the process.
fn forward_changes(app: tauri::AppHandle, host: Arc<Host>) {
    std::thread::spawn(move || {
        let mut seen = host.change_count();
        loop {
            let count = host.wait_for_change(seen, Duration::from_secs(60));
            if count != seen {
                seen = count;
                let _ = app.emit(CHANGED, count);
            }
        }
    });
}

/// Starts the app (desktop `main` and the mobile entry point).
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let dir = data_dir(app)?;
            std::fs::create_dir_all(&dir)?;
            let host = Arc::new(Host::open(&dir, Timing::default()).map_err(|e| e.message)?);
            forward_changes(app.handle().clone(), host.clone());
            app.manage(host);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![call])
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(|handle, event| {
            if let tauri::RunEvent::Exit = event
                && let Some(host) = handle.try_state::<Arc<Host>>()
            {
                host.shutdown();
            }
        }),
        Err(e) => {
            eprintln!("onward: the app window could not start: {e}");
            std::process::exit(1);
        }
    }
}
