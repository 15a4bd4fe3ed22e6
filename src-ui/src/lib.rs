//! Onward's user interface: Leptos components compiled to WebAssembly. It reaches the app core
//! only through the typed requests of `onward-api` (over Tauri IPC or the browser shell's
//! HTTP); it never links the store. This first version is the shell the screens will fill.

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let commands = onward_api::REQUEST_NAMES.len();
    view! {
        <main class="shell">
            <h1>"Onward"</h1>
            <p role="status">
                "This tablet keeps its records here and works without signal. "
                {format!("The app core answers {commands} commands.")}
            </p>
        </main>
    }
}

/// Entry point called by the generated JavaScript.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
