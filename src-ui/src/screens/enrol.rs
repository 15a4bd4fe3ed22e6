//! Setting up this tablet: the server's address and an enrolment code from the coordinator
//! (or a username and password), a name for the tablet, and (tucked away, for charities that
//! choose it) plain HTTP to the server on the charity's own network.

use leptos::prelude::*;
use leptos::task::spawn_local;
use onward_api::Enrol as EnrolRequest;
use serde::{Deserialize, Serialize};

use crate::forms::{Check, Problem, TextField, err};
use crate::{api, bind, ctx, text};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Form {
    server: String,
    code: String,
    username: String,
    password: String,
    device_name: String,
    allow_plain_http: bool,
}

fn server_error(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        Some(text::enrol::SERVER_MISSING.into())
    } else if !(s.starts_with("https://") || s.starts_with("http://")) {
        Some(text::enrol::SERVER_SCHEME.into())
    } else {
        None
    }
}

#[component]
pub fn Enrol() -> impl IntoView {
    let ctx = ctx();
    // The password is never kept in a draft: this form lives only in memory.
    let form = RwSignal::new(Form {
        device_name: text::enrol::DEFAULT_NAME.into(),
        ..Form::default()
    });
    let touched = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let server_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.server.is_empty())
            .then(|| server_error(&f.server))
            .flatten()
    });
    let code_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() && f.code.trim().is_empty() && f.username.trim().is_empty())
            .then(|| text::enrol::CODE_MISSING.to_string())
    });
    let name_err = Signal::derive(move || {
        let f = form.get();
        err(crate::forms::words(
            &f.device_name,
            onward_api::validate::Field::DeviceName,
            text::enrol::NAME_WHAT,
        ))
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if server_err.get_untracked().is_some()
            || code_err.get_untracked().is_some()
            || name_err.get_untracked().is_some()
        {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        }
        let f = form.get_untracked();
        let some = |s: String| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let request = EnrolRequest {
            server: f.server.trim().to_string(),
            code: some(f.code),
            username: some(f.username),
            password: (!f.password.is_empty()).then_some(f.password),
            device_name: f.device_name.trim().to_string(),
            allow_plain_http: f.allow_plain_http,
        };
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            match api::call(&request).await {
                Ok(identity) => {
                    crate::open_first_screen(ctx, &identity);
                    ctx.me.set(Some(identity));
                    ctx.notice.set(Some(text::enrol::DONE.into()));
                }
                // The form has gone once the tablet is set up: `try_set` does nothing then.
                Err(e) => {
                    problem.try_set(Some(text::problem(&e)));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <main class="shell narrow" id="main">
            <h1>{text::enrol::TITLE}</h1>
            <p>
                {text::enrol::LEAD}
            </p>
            <form on:submit=submit novalidate>
                <TextField
                    label={text::enrol::SERVER}
                    bind=bind!(form, server)
                    error=server_err
                    kind="url"
                    hint={text::enrol::SERVER_HINT}
                    required=true
                />
                <TextField
                    label={text::enrol::CODE}
                    bind=bind!(form, code)
                    error=code_err
                    hint={text::enrol::CODE_HINT}
                />
                <details>
                    <summary>{text::enrol::USE_PASSWORD}</summary>
                    <TextField label={text::enrol::USERNAME} bind=bind!(form, username) />
                    <TextField label={text::enrol::PASSWORD} bind=bind!(form, password) kind="password" />
                </details>
                <TextField
                    label={text::enrol::NAME}
                    bind=bind!(form, device_name)
                    error=name_err
                    hint={text::enrol::NAME_HINT}
                />
                // A fieldset rather than a second <details>: in the Tauri window (WebKitGTK)
                // a checkbox inside a closed <details> left every click on the screen refused
                // by WebKitWebDriver as "not interactable" (tests/e2e/tests/tauri-window.test.mjs).
                <fieldset>
                    <legend>{text::enrol::OWN_NETWORK}</legend>
                    <p class="hint">{text::enrol::PLAIN_HTTP_HINT}</p>
                    <Check label={text::enrol::PLAIN_HTTP} bind=bind!(form, allow_plain_http) />
                </fieldset>
                <Problem problem=problem />
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { text::enrol::BUSY } else { text::enrol::TITLE }}
                </button>
            </form>
        </main>
    }
}
