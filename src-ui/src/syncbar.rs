//! The always-visible sync bar: "Saved on this tablet", when it last reached the office,
//! changes waiting, the last problem in plain words, and Sync now.

use leptos::prelude::*;
use leptos::task::spawn_local;
use onward_api::{GetSyncProgress, GetSyncStatus, SyncNow};

use crate::{Screen, api, ctx, sleep, text};

#[component]
pub fn SyncBar() -> impl IntoView {
    let ctx = ctx();
    // Ticks every 15 seconds so "last synced" stays current while background sync runs.
    let tick = RwSignal::new(0u64);
    spawn_local(async move {
        loop {
            sleep(15_000).await;
            if tick.try_update(|t| *t += 1).is_none() {
                break;
            }
        }
    });
    let status = LocalResource::new(move || {
        ctx.refresh.track();
        tick.track();
        async move { api::call(&GetSyncStatus {}).await }
    });
    let syncing = RwSignal::new(false);
    let outcome = RwSignal::new(None::<String>);
    // The app core's message for the failure `outcome` shows, so the same failure is not
    // shown again as the last sync's error.
    let failed = RwSignal::new(None::<String>);
    let progress = RwSignal::new(None::<String>);
    let sync_now = move |_| {
        if syncing.get_untracked() {
            return;
        }
        syncing.set(true);
        outcome.set(None);
        failed.set(None);
        progress.set(None);
        // A progress line while a long sync runs. These tasks outlive an await, so they read
        // the bar's signals with `try_`: nothing happens once the bar has gone.
        let running = move || syncing.try_get_untracked().unwrap_or(false);
        spawn_local(async move {
            while running() {
                sleep(700).await;
                if let Ok(Some(p)) = api::call(&GetSyncProgress {}).await
                    && running()
                    && p.rounds > 0
                {
                    progress.try_set(Some(text::sync_progress(p.fetched, p.received)));
                }
            }
            progress.try_set(None);
        });
        spawn_local(async move {
            match api::call(&SyncNow {}).await {
                Ok(report) => {
                    outcome.try_set(Some(if !report.refused.is_empty() {
                        text::synced_with_refusals(report.refused.len())
                    } else {
                        text::sync::SYNCED.to_string()
                    }));
                }
                Err(e) => {
                    outcome.try_set(Some(text::problem(&e)));
                    failed.try_set(Some(e.message));
                }
            }
            syncing.try_set(false);
            ctx.changed();
        });
    };
    view! {
        <section class="syncbar" aria-label={text::sync::REGION}>
            <p class="saved">{text::SAVED_HERE}</p>
            {move || {
                status
                    .get()
                    .map(|s| match s {
                        Ok(s) => {
                            let last = s
                                .last_synced
                                .map(|t| text::last_synced(&t.london_format("%a %-d %b, %H:%M")))
                                .unwrap_or_else(|| text::NEVER_SYNCED.to_string());
                            view! {
                                <p class="last">{last}</p>
                                <p class="waiting" data-waiting=s.waiting.to_string()>
                                    {text::waiting(s.waiting)}
                                </p>
                                {(s.not_accepted > 0)
                                    .then(|| {
                                        view! {
                                            <button
                                                type="button"
                                                class="link not-accepted"
                                                on:click=move |_| ctx.go(Screen::NotAccepted)
                                            >
                                                {text::not_accepted_count(s.not_accepted)}
                                            </button>
                                        }
                                    })}
                                {s
                                    .urgent_concerns
                                    .filter(|n| *n > 0)
                                    .map(|n| {
                                        view! {
                                            <button
                                                type="button"
                                                class="link urgent"
                                                on:click=move |_| ctx.go(Screen::Concerns)
                                            >
                                                {text::office::urgent_open(n)}
                                            </button>
                                        }
                                    })}
                                {s
                                    .clock_ahead_seconds
                                    .filter(|a| a.abs() > 120)
                                    .map(|a| view! { <p class="sync-error">{text::clock_off(a)}</p> })}
                                {s
                                    .last_error
                                    .filter(|e| failed.get().as_ref() != Some(e))
                                    .map(|e| {
                                        view! {
                                            <p class="sync-error" role="alert">
                                                {text::last_sync_failed(&e)}
                                            </p>
                                        }
                                    })}
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! { <p class="sync-error">{text::problem(&e)}</p> }.into_any()
                        }
                    })
            }}
            {move || progress.get().map(|p| view! { <p class="sync-progress">{p}</p> })}
            <p class="sync-outcome" role="status">{move || outcome.get()}</p>
            <button
                type="button"
                class="sync-now"
                aria-busy=move || syncing.get().then_some("true")
                on:click=sync_now
            >
                {move || if syncing.get() { text::SYNCING } else { text::SYNC_NOW }}
            </button>
        </section>
    }
}
