//! Onward's user interface: Leptos components compiled to WebAssembly. It reaches the app core
//! only through the typed requests of `onward-api` (over Tauri IPC or the browser shell's
//! HTTP); it never links the store. This first version is the shell the screens will fill.

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    // The first screen names what the app will show; the screens arrive with the tablet app.
    let pathways = pathway_names();
    view! {
        <main class="shell">
            <h1>"Onward"</h1>
            <p role="status">"Records are kept on this tablet and work without signal."</p>
            <p>"Pathways we support:"</p>
            <ul>{pathways.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
        </main>
    }
}

/// Plain-English names for the pathways (the strings will move to the UI's string table).
fn pathway_names() -> Vec<&'static str> {
    use onward_api::vocab::Pathway::*;
    onward_api::vocab::Pathway::ALL
        .iter()
        .map(|p| match p {
            Employment => "Work",
            EducationTraining => "Education and training",
            Volunteering => "Volunteering",
            Accommodation => "Somewhere to live",
            FinanceBenefits => "Money and benefits",
            HealthWellbeing => "Health and wellbeing",
            SubstanceUse => "Drugs and alcohol",
            FamilyRelationships => "Family and friends",
            AttitudesThinking => "Thinking and behaviour",
        })
        .collect()
}

/// Entry point called by the generated JavaScript.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
