//! Onward's user interface: Leptos components compiled to WebAssembly. It reaches the app core
//! only through [`api`] (typed `onward-api` requests over Tauri IPC or the browser shell's
//! HTTP) and never links the store. Screens: enrol, Today, Caseload, a participant's record
//! (overview, goals, sessions, appointments, achievements, check-ins, concerns), settings; a
//! sync bar is always visible. Every screen refreshes when the app core reports a change.

pub mod api;
mod forms;
mod screens;
mod syncbar;
pub mod text;

use leptos::prelude::*;
use leptos::task::spawn_local;
use onward_api::ids::ParticipantId;
use onward_api::time::Timestamp;
use onward_api::{GetSession, Identity};
use wasm_bindgen::prelude::*;

/// Where the person is in the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Today,
    Caseload,
    Participant(ParticipantId, Tab),
    Settings,
}

/// The sections of a participant's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Goals,
    Sessions,
    Appointments,
    Achievements,
    CheckIns,
    Concerns,
}

impl Tab {
    pub const ALL: [Tab; 7] = [
        Tab::Overview,
        Tab::Goals,
        Tab::Sessions,
        Tab::Appointments,
        Tab::Achievements,
        Tab::CheckIns,
        Tab::Concerns,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Goals => "Goals",
            Tab::Sessions => "Sessions",
            Tab::Appointments => "Appointments",
            Tab::Achievements => "Achievements",
            Tab::CheckIns => "Check-ins",
            Tab::Concerns => "Concerns",
        }
    }
}

/// What every screen shares, provided once at the root.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub screen: RwSignal<Screen>,
    /// Bumped whenever the app core reports a change; resources read it to refetch.
    pub refresh: RwSignal<u64>,
    pub me: RwSignal<Option<Identity>>,
    /// The last thing the app said after an action ("Saved on this tablet.").
    pub notice: RwSignal<Option<String>>,
}

impl Ctx {
    pub fn go(&self, screen: Screen) {
        self.screen.set(screen);
        self.notice.set(None);
        scroll_top();
    }

    /// Refetches everything on screen.
    pub fn changed(&self) {
        self.refresh.update(|n| *n += 1);
    }
}

/// The shared context.
pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}

/// Now, from the browser's clock (the core's clock does not run in WebAssembly).
pub fn now() -> Timestamp {
    Timestamp::from_millis(js_sys::Date::now() as i64)
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn scroll_top() {
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Applies the chosen text size to the whole page.
pub fn apply_text_size(size: &str) {
    let px = match size {
        "large" => "21px",
        "larger" => "24px",
        _ => "18px",
    };
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = root.style().set_property("font-size", px);
    }
}

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let ctx = Ctx {
        screen: RwSignal::new(Screen::Today),
        refresh: RwSignal::new(0),
        me: RwSignal::new(None),
        notice: RwSignal::new(None),
    };
    provide_context(ctx);
    if let Some(size) = api::drafts::pref("text-size") {
        apply_text_size(&size);
    }
    // None until the app core has said whether this tablet is set up.
    let ready = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    spawn_local(async move {
        match api::call(&GetSession {}).await {
            Ok(s) => ctx.me.set(s.identity),
            Err(e) => failure.set(Some(e.message)),
        }
        ready.set(true);
    });
    // Follow the app core's changes (a sync brought data, another window saved something).
    spawn_local(async move {
        let mut seen = 0;
        loop {
            match api::wait_for_change(seen).await {
                Ok(count) => {
                    if count != seen {
                        seen = count;
                        ctx.changed();
                    }
                }
                Err(_) => sleep(2_000).await,
            }
        }
    });
    view! {
        {move || {
            if let Some(message) = failure.get() {
                view! {
                    <main class="shell" id="main">
                        <h1>{text::APP}</h1>
                        <p role="alert" class="error">{message}</p>
                    </main>
                }
                    .into_any()
            } else if !ready.get() {
                view! {
                    <main class="shell" id="main">
                        <p role="status">{text::LOADING}</p>
                    </main>
                }
                    .into_any()
            } else if ctx.me.get().is_none() {
                view! { <screens::enrol::Enrol /> }.into_any()
            } else {
                view! { <Layout /> }.into_any()
            }
        }}
    }
}

/// The signed-in layout: navigation, the sync bar and the current screen.
#[component]
fn Layout() -> impl IntoView {
    let ctx = ctx();
    let nav = move |label: &'static str, target: Screen| {
        let current = move || {
            let here = ctx.screen.get();
            here == target || matches!((here, target), (Screen::Participant(..), Screen::Caseload))
        };
        view! {
            <button
                type="button"
                class="nav-button"
                aria-current=move || current().then_some("page")
                on:click=move |_| ctx.go(target)
            >
                {label}
            </button>
        }
    };
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="top">
            <span class="brand">{text::APP}</span>
            <nav aria-label="Main">
                {nav(text::TODAY, Screen::Today)}
                {nav(text::CASELOAD, Screen::Caseload)}
                {nav(text::SETTINGS, Screen::Settings)}
            </nav>
            <span class="who">
                {move || {
                    ctx.me
                        .get()
                        .map(|m| format!("{} · {}", m.display_name, text::role(m.role)))
                }}
            </span>
        </header>
        <syncbar::SyncBar />
        <main class="shell" id="main" tabindex="-1">
            {move || {
                ctx.notice
                    .get()
                    .map(|n| view! { <p class="notice" role="status">{n}</p> })
            }}
            {move || match ctx.screen.get() {
                Screen::Today => view! { <screens::today::TodayScreen /> }.into_any(),
                Screen::Caseload => view! { <screens::caseload::CaseloadScreen /> }.into_any(),
                Screen::Participant(p, tab) => {
                    view! { <screens::participant::ParticipantScreen participant=p tab=tab /> }
                        .into_any()
                }
                Screen::Settings => view! { <screens::settings::SettingsScreen /> }.into_any(),
            }}
        </main>
    }
}

/// Entry point called by the generated JavaScript.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
