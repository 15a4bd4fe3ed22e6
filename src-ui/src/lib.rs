//! Onward's user interface: Leptos components compiled to WebAssembly. It reaches the app core
//! only through [`api`] (typed `onward-api` requests over Tauri IPC or the browser shell's
//! HTTP) and never links the store. Screens: enrol, Today, Caseload, a participant's record
//! (overview, goals, sessions, appointments, achievements, check-ins, concerns), and for
//! coordinators the organisation at a glance, the concern inbox, people and devices, and
//! reports; settings; a
//! sync bar is always visible. Every screen refreshes when the app core reports a change.

pub mod api;
mod forms;
mod screens;
mod syncbar;
pub mod text;

use leptos::prelude::*;
use leptos::task::spawn_local;
use onward_api::ids::ParticipantId;
use onward_api::policy::Access;
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
    /// Changes the office did not accept.
    NotAccepted,
    /// Coordinators: the organisation at a glance.
    Overview,
    /// Coordinators: every open safeguarding concern.
    Concerns,
    /// Coordinators: staff, their tablets, enrolment codes.
    People,
    /// Funder reports (coordinators).
    Reports,
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

impl Screen {
    /// The screen's address after `#`, so the browser's back button and links work.
    pub fn to_hash(self) -> String {
        match self {
            Screen::Today => "today".into(),
            Screen::Caseload => "caseload".into(),
            Screen::Settings => "settings".into(),
            Screen::NotAccepted => "not-accepted".into(),
            Screen::Overview => "overview".into(),
            Screen::Concerns => "concerns".into(),
            Screen::People => "people".into(),
            Screen::Reports => "reports".into(),
            Screen::Participant(p, tab) => format!("participant/{p}/{}", tab.slug()),
        }
    }

    /// The screen at an address; unknown addresses open Today.
    pub fn from_hash(hash: &str) -> Screen {
        let hash = hash.trim_start_matches('#');
        let mut parts = hash.split('/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("caseload"), ..) => Screen::Caseload,
            (Some("settings"), ..) => Screen::Settings,
            (Some("not-accepted"), ..) => Screen::NotAccepted,
            (Some("overview"), ..) => Screen::Overview,
            (Some("concerns"), ..) => Screen::Concerns,
            (Some("people"), ..) => Screen::People,
            (Some("reports"), ..) => Screen::Reports,
            (Some("participant"), Some(id), tab) => match id.parse() {
                Ok(p) => Screen::Participant(
                    p,
                    Tab::ALL
                        .into_iter()
                        .find(|t| Some(t.slug()) == tab)
                        .unwrap_or(Tab::Overview),
                ),
                Err(_) => Screen::Today,
            },
            _ => Screen::Today,
        }
    }
}

impl Tab {
    fn slug(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Goals => "goals",
            Tab::Sessions => "sessions",
            Tab::Appointments => "appointments",
            Tab::Achievements => "achievements",
            Tab::CheckIns => "check-ins",
            Tab::Concerns => "concerns",
        }
    }

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
            Tab::Overview => text::record::OVERVIEW,
            Tab::Goals => text::record::GOALS,
            Tab::Sessions => text::record::SESSIONS,
            Tab::Appointments => text::record::APPOINTMENTS,
            Tab::Achievements => text::record::ACHIEVEMENTS,
            Tab::CheckIns => text::record::CHECK_INS,
            Tab::Concerns => text::record::CONCERNS,
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
    /// The `refresh` generation that follows this person's latest save on this screen: data
    /// loaded at or before it holds no change from elsewhere that they have not seen yet
    /// (forms use it to tell their own saves from another tablet's edits).
    pub saved_here: RwSignal<u64>,
    /// The caseload's status filter, kept while moving between screens (the overview's
    /// figures open the caseload filtered).
    pub caseload_status: RwSignal<String>,
}

impl Ctx {
    pub fn go(&self, screen: Screen) {
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(&screen.to_hash());
        }
        self.screen.set(screen);
        self.notice.set(None);
        scroll_top();
    }

    /// Refetches everything on screen.
    pub fn changed(&self) {
        self.refresh.update(|n| *n += 1);
    }

    /// After a save made here: refetches everything on screen, and notes that what comes back
    /// holds this person's own change.
    pub fn saved(&self) {
        self.changed();
        self.saved_here.set(self.refresh.get_untracked());
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

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Records a named moment for the start-up benchmark (`performance.mark`).
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
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

/// Opens the first screen for `me` when no other was asked for: a coordinator's is the
/// organisation at a glance, everyone else's Today.
/// Takes the context rather than looking it up: it runs after an await, outside the
/// component that provided it.
pub fn open_first_screen(ctx: Ctx, me: &Identity) {
    let coordinates = Access::Coordination.permits(&me.actor()).is_ok();
    if coordinates && current_hash().trim_start_matches('#').is_empty() {
        ctx.screen.set(Screen::Overview);
    }
}

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let ctx = Ctx {
        screen: RwSignal::new(Screen::from_hash(&current_hash())),
        refresh: RwSignal::new(0),
        me: RwSignal::new(None),
        notice: RwSignal::new(None),
        saved_here: RwSignal::new(0),
        caseload_status: RwSignal::new(String::new()),
    };
    provide_context(ctx);
    // The back button and typed addresses move between screens too.
    let on_hash = Closure::<dyn Fn()>::new(move || {
        let screen = Screen::from_hash(&current_hash());
        if ctx.screen.get_untracked() != screen {
            ctx.screen.set(screen);
            ctx.notice.set(None);
        }
    });
    if let Some(w) = web_sys::window() {
        w.set_onhashchange(Some(on_hash.as_ref().unchecked_ref()));
    }
    on_hash.forget();
    if let Some(size) = api::prefs::get("text-size") {
        apply_text_size(&size);
    }
    // None until the app core has said whether this tablet is set up.
    let ready = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    spawn_local(async move {
        match api::call(&GetSession {}).await {
            Ok(s) => {
                if let Some(me) = &s.identity {
                    open_first_screen(ctx, me);
                }
                ctx.me.set(s.identity)
            }
            Err(e) => failure.set(Some(text::problem(&e))),
        }
        ready.set(true);
    });
    // Follow the app core's changes (a sync brought data, another window saved something).
    api::follow_changes(move |_| ctx.changed());
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
    let coordinates = move || {
        ctx.me
            .get()
            .is_some_and(|m| Access::Coordination.permits(&m.actor()).is_ok())
    };
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
        <a class="skip" href="#main">{text::nav::SKIP}</a>
        <header class="top">
            <span class="brand">{text::APP}</span>
            <nav aria-label={text::nav::MAIN}>
                {move || coordinates().then(|| nav(text::office::NAV_OVERVIEW, Screen::Overview))}
                {nav(text::TODAY, Screen::Today)}
                {nav(text::CASELOAD, Screen::Caseload)}
                {move || coordinates().then(|| nav(text::office::NAV_CONCERNS, Screen::Concerns))}
                {move || coordinates().then(|| nav(text::people::NAV, Screen::People))}
                // Reports are for coordinators only (the core's policy says who).
                {move || coordinates().then(|| nav(text::REPORTS, Screen::Reports))}
                {nav(text::SETTINGS, Screen::Settings)}
            </nav>
            <span class="who">
                {move || {
                    ctx.me
                        .get()
                        .map(|m| text::name_and_role(&m.display_name, m.role))
                }}
            </span>
        </header>
        // The sync bar and what just happened ("Session saved…") stay in view at the top of
        // the screen, wherever the form was. The live region is always there so screen
        // readers announce each new message; it clears when another screen opens.
        <div class="pinned">
            <syncbar::SyncBar />
            <div class="toasts" role="status">
                {move || {
                    ctx.notice
                        .get()
                        .map(|n| {
                            view! {
                                <p class="notice">
                                    <span>{n}</span>
                                    <button type="button" class="close" on:click=move |_| ctx.notice.set(None)>
                                        {text::CLOSE}
                                    </button>
                                </p>
                            }
                        })
                }}
            </div>
        </div>
        <main class="shell" id="main" tabindex="-1">
            {move || match ctx.screen.get() {
                Screen::Today => view! { <screens::today::TodayScreen /> }.into_any(),
                Screen::Caseload => view! { <screens::caseload::CaseloadScreen /> }.into_any(),
                Screen::Participant(p, tab) => {
                    view! { <screens::participant::ParticipantScreen participant=p tab=tab /> }
                        .into_any()
                }
                Screen::Settings => view! { <screens::settings::SettingsScreen /> }.into_any(),
                Screen::NotAccepted => {
                    view! { <screens::not_accepted::NotAcceptedScreen /> }.into_any()
                }
                Screen::Overview => view! { <screens::office::OverviewScreen /> }.into_any(),
                Screen::Concerns => view! { <screens::office::ConcernsScreen /> }.into_any(),
                Screen::People => view! { <screens::people::PeopleScreen /> }.into_any(),
                Screen::Reports => view! { <screens::reports::ReportsScreen /> }.into_any(),
            }}
        </main>
    }
}

/// Entry point called by the generated JavaScript.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    mark("onward-start");
    leptos::mount::mount_to_body(App);
}
