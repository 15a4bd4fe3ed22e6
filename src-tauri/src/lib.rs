//! The Tauri shell: a thin adapter that shows the UI in a native window and answers its typed
//! requests with the app core ([`onward_app::Host`]). Two commands: `call` runs any request
//! by wire name, `wait_changes` resolves when the app core reports a change (so the UI
//! refreshes after a sync). The mobile entry point is here so the same code builds for
//! Android and iPad where those toolchains exist.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use onward_api::ApiError;
use onward_app::{Host, Timing};
use tauri::Manager;

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

/// Resolves with the change count once it passes `after` (or after 25 seconds).
#[tauri::command]
async fn wait_changes(
    host: tauri::State<'_, Arc<Host>>,
    after: u64,
) -> Result<serde_json::Value, ApiError> {
    let host = host.inner().clone();
    let count = tauri::async_runtime::spawn_blocking(move || {
        host.wait_for_change(after, Duration::from_secs(25))
    })
    .await
    .unwrap_or(after);
    Ok(serde_json::json!({ "count": count }))
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

/// Starts the app (desktop `main` and the mobile entry point).
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let dir = data_dir(app)?;
            std::fs::create_dir_all(&dir)?;
            let host = Host::open(&dir, Timing::default()).map_err(|e| e.message)?;
            app.manage(Arc::new(host));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![call, wait_changes])
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
