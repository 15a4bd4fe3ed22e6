//! Settings: the office's server, text size, and the lock time (which arrives with PIN
//! unlock).

use leptos::prelude::*;
use onward_api::{GetSyncStatus, WhoAmI};

use super::{failed, loading};
use crate::{api, apply_text_size, ctx, text};

#[component]
pub fn SettingsScreen() -> impl IntoView {
    let ctx = ctx();
    let status = LocalResource::new(move || {
        ctx.refresh.track();
        async move { api::call(&GetSyncStatus {}).await }
    });
    let me = LocalResource::new(|| async move { api::call(&WhoAmI {}).await });
    let size = RwSignal::new(api::prefs::get("text-size").unwrap_or_else(|| "normal".into()));
    let choose = move |value: &'static str| {
        size.set(value.to_string());
        api::prefs::set("text-size", value);
        apply_text_size(value);
    };
    let option = move |value: &'static str, label: &'static str| {
        view! {
            <label class="check" for=format!("size-{value}")>
                <input
                    type="radio"
                    name="text-size"
                    id=format!("size-{value}")
                    prop:checked=move || size.get() == value
                    on:change=move |_| choose(value)
                />
                <span>{label}</span>
            </label>
        }
    };
    view! {
        <h1>{text::SETTINGS}</h1>
        <section class="card" aria-labelledby="server-h">
            <h2 id="server-h">{text::settings::SERVER}</h2>
            {move || match status.get() {
                None => loading(),
                Some(Err(e)) => failed(e),
                Some(Ok(s)) => view! {
                    <dl>
                        <dt>{text::settings::SERVER_ADDRESS}</dt>
                        <dd>{s.server.unwrap_or_else(|| text::settings::NOT_ENROLLED.into())}</dd>
                        <dt>{text::settings::WAITING}</dt>
                        <dd>{s.waiting}</dd>
                    </dl>
                }
                    .into_any(),
            }}
            {move || me.get().and_then(Result::ok).map(|m| view! {
                <p>{text::signed_in_as(&m.display_name, m.role)}</p>
            })}
        </section>
        <section class="card" aria-labelledby="size-h">
            <h2 id="size-h">{text::settings::TEXT_SIZE}</h2>
            <fieldset>
                <legend>{text::settings::TEXT_SIZE_LEGEND}</legend>
                {option("normal", text::settings::NORMAL)}
                {option("large", text::settings::LARGE)}
                {option("larger", text::settings::LARGER)}
            </fieldset>
        </section>
        <section class="card" aria-labelledby="lock-h">
            <h2 id="lock-h">{text::settings::LOCK}</h2>
            <p>{text::settings::LOCK_LATER}</p>
        </section>
    }
}
