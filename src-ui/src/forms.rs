//! Form building blocks: labelled fields whose errors show as the person types, drafts kept
//! in the app core (encrypted, on the tablet) so nothing typed is lost when a save is refused
//! or the app closes, the one way a form saves, and the notice a form shows when what it is
//! about changes underneath it (a sync brought another tablet's edit).
//!
//! A form's answer may arrive after the form has gone (the person moved on while it saved), so
//! nothing that runs after an `await` reads a signal or calls a callback that may have been
//! disposed with the form: it uses the `try_` forms, which do nothing once the owner is gone.

use std::sync::atomic::{AtomicU32, Ordering};

use leptos::prelude::*;
use leptos::task::spawn_local;
use onward_api::{ApiError, ClearDraft, GetDraft, SaveDraft};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{api, ctx, text};
use onward_api::OpError;
use onward_api::validate::{Field, Problem as FieldProblem, Rule};

/// A getter and a setter for one field of a form's state.
pub type Bind<T> = (Signal<T>, Callback<T>);

/// Binds `$form.$field` (a field of a form state in an `RwSignal`).
#[macro_export]
macro_rules! bind {
    ($form:expr, $field:ident) => {{
        let form = $form;
        (
            ::leptos::prelude::Signal::derive(move || form.with(|f| f.$field.clone())),
            ::leptos::prelude::Callback::new(move |v| form.update(|f| f.$field = v)),
        )
    }};
}

fn next_id(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}", N.fetch_add(1, Ordering::Relaxed))
}

/// A form's state, restored from its draft and saved back as it changes.
pub fn draft<T>(form: String) -> RwSignal<T>
where
    T: Default + Clone + Serialize + DeserializeOwned + PartialEq + Send + Sync + 'static,
{
    draft_from(form, T::default())
}

/// A form that starts from `initial` (an edit form shows what is recorded now), restored
/// from its draft if there is one; the draft is forgotten when the form is back to `initial`.
pub fn draft_from<T>(form: String, initial: T) -> RwSignal<T>
where
    T: Clone + Serialize + DeserializeOwned + PartialEq + Send + Sync + 'static,
{
    let state = RwSignal::new(initial.clone());
    let loaded = RwSignal::new(false);
    {
        let form = form.clone();
        spawn_local(async move {
            if let Ok(Some(text)) = api::call(&GetDraft { form }).await
                && let Ok(value) = serde_json::from_str::<T>(&text)
            {
                // Nothing to do if the form closed meanwhile.
                state.try_set(value);
            }
            loaded.try_set(true);
        });
    }
    Effect::new(move |_| {
        let value = state.get();
        if !loaded.get_untracked() {
            return;
        }
        let form = form.clone();
        let initial = initial.clone();
        spawn_local(async move {
            let request = if value == initial {
                api::call(&ClearDraft { form }).await
            } else {
                match serde_json::to_string(&value) {
                    Ok(value) => api::call(&SaveDraft { form, value }).await,
                    Err(_) => Ok(()),
                }
            };
            // A draft that could not be kept is not worth interrupting anyone for: the form
            // still holds what was typed.
            let _ = request;
        });
    });
    state
}

/// Saves a form for something new: runs `action`; on success forgets the draft, empties the
/// form (and forgets that the person tried to save it, `touched`, so an empty form shows no
/// errors), says so and refreshes the screens; on failure shows the app's message and keeps
/// everything typed.
pub fn submit<T, F, Fut, R>(
    form_key: String,
    state: RwSignal<T>,
    touched: Option<RwSignal<bool>>,
    problem: RwSignal<Option<String>>,
    saved: &'static str,
    action: F,
) where
    T: Default + Send + Sync + 'static,
    F: FnOnce() -> Fut + 'static,
    Fut: std::future::Future<Output = Result<R, ApiError>> + 'static,
{
    run(Some(form_key), problem, saved, action, move || {
        state.try_set(T::default());
        if let Some(touched) = touched {
            touched.try_set(false);
        }
    });
}

/// Saves a form that closes once saved (an edit, a review, an addendum): runs `action`; on
/// success forgets the draft, says so, refreshes the screens and calls `done`; on failure
/// shows the app's message and keeps everything typed.
pub fn save_and_close<F, Fut, R>(
    form_key: String,
    problem: RwSignal<Option<String>>,
    saved: &'static str,
    done: Callback<()>,
    action: F,
) where
    F: FnOnce() -> Fut + 'static,
    Fut: std::future::Future<Output = Result<R, ApiError>> + 'static,
{
    // The form may have been closed (or the screen left) while this saved.
    run(Some(form_key), problem, saved, action, move || {
        done.try_run(());
    });
}

/// Runs a one-tap action (tick a step, sign off): says so and refreshes, or shows why not.
pub fn act<F, Fut, R>(problem: RwSignal<Option<String>>, saved: &'static str, action: F)
where
    F: FnOnce() -> Fut + 'static,
    Fut: std::future::Future<Output = Result<R, ApiError>> + 'static,
{
    run(None, problem, saved, action, || {});
}

/// The one way anything is saved from a screen.
fn run<F, Fut, R>(
    form_key: Option<String>,
    problem: RwSignal<Option<String>>,
    saved: &'static str,
    action: F,
    after: impl FnOnce() + 'static,
) where
    F: FnOnce() -> Fut + 'static,
    Fut: std::future::Future<Output = Result<R, ApiError>> + 'static,
{
    let ctx = ctx();
    spawn_local(async move {
        match action().await {
            Ok(_) => {
                if let Some(form) = form_key {
                    let _ = api::call(&ClearDraft { form }).await;
                }
                problem.try_set(None);
                ctx.notice.set(Some(text::saved(saved)));
                after();
                ctx.saved();
            }
            Err(e) => {
                problem.try_set(Some(text::problem(&e)));
            }
        }
    });
}

/// What a form is about, as the screen last loaded it: the `refresh` generation it was loaded
/// at, and the thing itself (`None` once it has gone from the record).
pub type Watched<T> = Signal<(u64, Option<T>)>;

/// A polite notice inside a form when what the form is about changes while it is open — a
/// sync brought an edit from another tablet. The form and everything typed in it stay as they
/// are; the notice says what changed (`describe` names the parts that differ, in words from
/// [`text`]) and goes when the person says they have seen it. It watches only while `active`:
/// from the moment an edit form opens, or from the first thing typed into a form for something
/// new. Changes this person saved on this tablet do not count ([`crate::Ctx::saved_here`]).
pub fn changed_notice<T>(
    what: &'static str,
    watch: Watched<T>,
    active: Signal<bool>,
    describe: fn(&T, &T) -> Vec<&'static str>,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let ctx = ctx();
    // What the form was opened (or started) against; follows the record until then.
    let baseline = RwSignal::new(None::<Option<T>>);
    Effect::new(move |_| {
        let (loaded_at, now) = watch.get();
        let own = loaded_at <= ctx.saved_here.get();
        if !active.get() || own || baseline.with_untracked(Option::is_none) {
            baseline.set(Some(now));
        }
    });
    let changes = Memo::new(move |_| {
        baseline.with(|before| {
            watch.with(|(_, now)| match (before, now) {
                (Some(Some(before)), Some(now)) if before != now => describe(before, now),
                (Some(Some(_)), None) => vec![text::changed::REMOVED],
                _ => Vec::new(),
            })
        })
    });
    view! {
        <div class="changed-wrap" role="status">
            {move || {
                let parts = changes.get();
                (!parts.is_empty())
                    .then(|| {
                        view! {
                            <div class="changed">
                                <p>{text::changed_underneath(what, &parts)}</p>
                                <button
                                    type="button"
                                    on:click=move |_| {
                                        baseline.set(Some(watch.get_untracked().1));
                                    }
                                >
                                    {text::changed::SEEN}
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}

/// Shows a form-level problem.
#[component]
pub fn Problem(problem: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        problem
            .get()
            .map(|p| view! { <p class="error" role="alert">{p}</p> })
    }
}

/// A labelled text input (or text area) with its hint and error.
#[component]
pub fn TextField(
    label: &'static str,
    bind: Bind<String>,
    #[prop(optional)] error: Option<Signal<Option<String>>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = false)] multiline: bool,
    #[prop(default = false)] required: bool,
) -> impl IntoView {
    let id = next_id("f");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let (value, set) = bind;
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || error.get().is_some().then_some("true");
    let input = if multiline {
        view! {
            <textarea
                id=id.clone()
                rows="3"
                aria-describedby=described.clone()
                aria-invalid=invalid
                aria-required=required.then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| {
                    set.try_run(event_target_value(&ev));
                }
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                type=kind
                aria-describedby=described.clone()
                aria-invalid=invalid
                aria-required=required.then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| {
                    set.try_run(event_target_value(&ev));
                }
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            {input}
            {move || {
                error
                    .get()
                    .map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })
            }}
        </div>
    }
}

/// A labelled drop-down of fixed choices; the value is the choice's stable name.
#[component]
pub fn Choice(
    label: &'static str,
    bind: Bind<String>,
    options: Vec<(&'static str, &'static str)>,
    #[prop(optional)] empty: Option<&'static str>,
) -> impl IntoView {
    let id = next_id("c");
    let (value, set) = bind;
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id.clone()
                prop:value=move || value.get()
                on:change=move |ev| {
                    set.try_run(event_target_value(&ev));
                }
            >
                {empty.map(|e| view! { <option value="">{e}</option> })}
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        view! {
                            <option value=v selected=move || value.get() == v>
                                {l}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// A labelled checkbox. The label wraps the box, so the whole row (at least 44 px tall) is
/// one touch target.
#[component]
pub fn Check(label: &'static str, bind: Bind<bool>) -> impl IntoView {
    let id = next_id("k");
    let (value, set) = bind;
    view! {
        <label class="check" for=id.clone()>
            <input
                id=id.clone()
                type="checkbox"
                prop:checked=move || value.get()
                on:change=move |ev| {
                    set.try_run(event_target_checked(&ev));
                }
            />
            <span>{label}</span>
        </label>
    }
}

/// Choices for a vocabulary, named for people.
pub fn options<T: Copy + 'static>(
    all: &[T],
    name: fn(&T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (name(v), label(*v))).collect()
}

/// Parses a whole number within the core's range for `field`, or says what is wrong in plain
/// words.
pub fn number(value: &str, field: Field) -> Result<i64, String> {
    let (min, max) = match field.rule() {
        Rule::Range { min, max } => (min, max),
        _ => (i64::MIN, i64::MAX),
    };
    let v = value.trim();
    if v.is_empty() {
        return Err(text::check::NUMBER.into());
    }
    match v.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        Ok(_) => Err(text::number_range(min, max)),
        Err(_) => Err(text::check::WHOLE_NUMBER.into()),
    }
}

/// Parses an optional whole number within the core's range for `field`.
pub fn optional_number(value: &str, field: Field) -> Result<Option<i64>, String> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        number(value, field).map(Some)
    }
}

/// Parses money typed as pounds ("12.50", "£3") into pence.
pub fn pence(value: &str) -> Result<Option<i64>, String> {
    let v = value.trim().trim_start_matches('£');
    if v.is_empty() {
        return Ok(None);
    }
    let (pounds, pennies) = match v.split_once('.') {
        Some((p, d)) if d.len() <= 2 && d.chars().all(|c| c.is_ascii_digit()) => {
            (p, format!("{d:0<2}"))
        }
        Some(_) => return Err(text::check::AMOUNT.into()),
        None => (v, "00".to_string()),
    };
    match (pounds.parse::<i64>(), pennies.parse::<i64>()) {
        (Ok(p), Ok(d)) if (0..100_000).contains(&p) => Ok(Some(p * 100 + d)),
        _ => Err(text::check::AMOUNT.into()),
    }
}

/// Parses a date from a date input ("2026-11-24").
pub fn day(value: &str) -> Result<Option<onward_api::time::Day>, String> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse()
        .map(Some)
        .map_err(|_| text::check::DATE.to_string())
}

/// Parses a date and time from a datetime input (London time).
pub fn when(value: &str) -> Result<onward_api::time::Timestamp, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(text::check::DATE_TIME_MISSING.into());
    }
    v.parse().map_err(|_| text::check::DATE_TIME.to_string())
}

/// Text checked by the core's rule for `field` (the same rule the app core and the server
/// apply), in the UI's words: what to enter (`what`), or how long it may be.
pub fn words(value: &str, field: Field, what: &str) -> Result<String, String> {
    field.text(value).map_err(|e| match e {
        OpError::Invalid {
            problem: FieldProblem::TooLong { max, .. },
            ..
        } => text::too_long(max),
        _ => text::enter(what),
    })
}

/// The error of a check as an optional message, for a field.
pub fn err<T>(r: Result<T, String>) -> Option<String> {
    r.err()
}
