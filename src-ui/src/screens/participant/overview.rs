//! The overview: the participant at a glance, their recent sessions, changing their details
//! (name, programme, status, pathways), and for cleared staff the referral and key contacts.

use leptos::prelude::*;
use onward_api::ids::*;
use onward_api::input::*;
use onward_api::model::*;
use onward_api::vocab::*;
use onward_api::*;
use serde::{Deserialize, Serialize};

use super::*;
use crate::forms::{draft_from, save_edit};

pub(super) fn overview(participant: ParticipantId, v: &ParticipantView) -> AnyView {
    let s = &v.summary;
    let pathways = if v.plan.profile.pathways.is_empty() {
        "None chosen yet".to_string()
    } else {
        v.plan
            .profile
            .pathways
            .iter()
            .map(|p| text::pathway(*p))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut summaries: Vec<&SessionSummary> = v.plan.summaries.values().collect();
    summaries.sort_by_key(|s| std::cmp::Reverse(s.started_at));
    let recent: Vec<AnyView> = summaries
        .into_iter()
        .take(3)
        .map(|s| {
            view! {
                <li>
                    <span class="when">{s.started_at.london_format("%-d %b %Y")}</span>
                    <span>{s.summary.clone()}</span>
                    {(!s.next_steps.is_empty()).then(|| view! { <span class="quiet">{format!("Next: {}", s.next_steps)}</span> })}
                </li>
            }
            .into_any()
        })
        .collect();
    let editing = RwSignal::new(false);
    let profile = StoredValue::new(v.plan.profile.clone());
    view! {
        <div class="grid">
            <section class="card" aria-labelledby="ov-h">
                <h2 id="ov-h">"At a glance"</h2>
                <dl>
                    <dt>"Pathways"</dt>
                    <dd>{pathways}</dd>
                    <dt>"Last contact"</dt>
                    <dd>{s.last_contact.map(|t| t.london_format("%a %-d %b %Y")).unwrap_or_else(|| "None yet".into())}</dd>
                    <dt>"Next appointment"</dt>
                    <dd>{s.next_appointment.map(|t| t.london_format("%a %-d %b, %H:%M")).unwrap_or_else(|| "None planned".into())}</dd>
                    <dt>"Open goals"</dt>
                    <dd>{s.open_goals}</dd>
                    <dt>"Sessions not signed off"</dt>
                    <dd>{s.unsigned_sessions}</dd>
                    <dt>"Achievements"</dt>
                    <dd>{v.plan.achievements.len()}</dd>
                </dl>
                <div class="actions">
                    <button type="button" on:click=move |_| editing.update(|e| *e = !*e)>"Change details"</button>
                </div>
                {move || editing.get().then(|| view! {
                    <ProfileFormView participant=participant profile=profile.get_value() done=Callback::new(move |_| editing.set(false)) />
                })}
            </section>
            <section class="card" aria-labelledby="recent-h">
                <h2 id="recent-h">"Recent sessions"</h2>
                {if recent.is_empty() {
                    view! { <p class="quiet">"No sessions yet."</p> }.into_any()
                } else {
                    view! { <ul class="rows">{recent}</ul> }.into_any()
                }}
            </section>
            {v.restricted.as_ref().map(restricted)}
        </div>
    }
    .into_any()
}

/// The referral and key contacts, for cleared mentors and coordinators only (the app core
/// never gives this document to anyone else).
fn restricted(r: &Restricted) -> AnyView {
    let referral = match &r.referral {
        None => view! { <p class="quiet">"No referral recorded."</p> }.into_any(),
        Some(f) => view! {
            <dl>
                <dt>"Referred by"</dt>
                <dd>{format!("{}{}", text::referral_source(f.source), if f.referrer.is_empty() { String::new() } else { format!(" ({})", f.referrer) })}</dd>
                <dt>"Referral date"</dt>
                <dd>{f.date.format("%-d %b %Y").to_string()}</dd>
                <dt>"Reason"</dt>
                <dd>{if f.reason.is_empty() { "Not given".to_string() } else { f.reason.clone() }}</dd>
                <dt>"Supervision ends"</dt>
                <dd>{f.supervision_end.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_else(|| "Not given".into())}</dd>
                <dt>"Risk level (as given)"</dt>
                <dd>{text::risk_level(f.risk_level)}</dd>
            </dl>
        }
        .into_any(),
    };
    let mut contacts: Vec<&KeyContact> = r.contacts.values().collect();
    contacts.sort_by_key(|c| c.recorded.at);
    let mut consents: Vec<&ConsentRecord> = r.consents.values().collect();
    consents.sort_by_key(|c| std::cmp::Reverse(c.recorded.at));
    let consent = consents.first().map(|c| {
        format!(
            "{} (version {}, {}): {}",
            if c.given { "Given" } else { "Withdrawn" },
            c.version,
            c.recorded.at.london_format("%-d %b %Y"),
            c.scope
        )
    });
    view! {
        <section class="card restricted" aria-labelledby="ref-h">
            <h2 id="ref-h">"Referral and contacts"</h2>
            <p class="hint">"Only cleared mentors and coordinators see this."</p>
            {referral}
            <h3>"Consent"</h3>
            <p>{consent.unwrap_or_else(|| "No consent recorded.".into())}</p>
            <h3>"Key contacts"</h3>
            {if contacts.is_empty() {
                view! { <p class="quiet">"None recorded."</p> }.into_any()
            } else {
                view! {
                    <ul class="rows">
                        {contacts.into_iter().map(|c| {
                            let reach = [c.phone.as_str(), c.email.as_str()]
                                .into_iter()
                                .filter(|s| !s.is_empty())
                                .collect::<Vec<_>>()
                                .join(" · ");
                            view! {
                                <li>
                                    <span>{format!("{}: {}", c.role, c.name)}</span>
                                    {(!c.organisation.is_empty()).then(|| view! { <span class="quiet">{c.organisation.clone()}</span> })}
                                    {(!reach.is_empty()).then(|| view! { <span>{reach}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
    .into_any()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ProfileForm {
    name: String,
    programme: String,
    status: String,
    pathways: Vec<String>,
}

impl ProfileForm {
    fn of(p: &Profile) -> Self {
        ProfileForm {
            name: p.preferred_name.clone(),
            programme: p.programme.clone(),
            status: p.status.as_str().into(),
            pathways: p.pathways.iter().map(|p| p.as_str().to_string()).collect(),
        }
    }
}

#[component]
fn ProfileFormView(
    participant: ParticipantId,
    profile: Profile,
    done: Callback<()>,
) -> impl IntoView {
    let key = format!("update_profile:{participant}");
    let form = draft_from(key.clone(), ProfileForm::of(&profile));
    let problem = RwSignal::new(None::<String>);
    let name_err = Signal::derive(move || {
        err(words(
            &form.get().name,
            100,
            "the name they want to be called",
        ))
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        let (Ok(name), Ok(status)) = (
            words(&f.name, 100, "the name"),
            f.status.parse::<ParticipantStatus>(),
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        let pathways: Vec<Pathway> = f.pathways.iter().filter_map(|p| p.parse().ok()).collect();
        if pathways.is_empty() && !profile.pathways.is_empty() {
            problem.set(Some("Keep at least one pathway ticked.".into()));
            return;
        }
        save_edit(
            key.clone(),
            problem,
            "Details saved.",
            done,
            move || async move {
                api::call(&UpdateProfile {
                    participant,
                    input: ProfileChange {
                        preferred_name: Some(name),
                        programme: Some(f.programme.trim().into()),
                        status: Some(status),
                        pathways,
                    },
                })
                .await
            },
        );
    };
    let pathway = move |p: Pathway| {
        let name = p.as_str().to_string();
        let on = {
            let name = name.clone();
            Signal::derive(move || form.with(|f| f.pathways.contains(&name)))
        };
        let set = Callback::new(move |checked: bool| {
            let name = name.clone();
            form.update(|f| {
                f.pathways.retain(|t| *t != name);
                if checked {
                    f.pathways.push(name);
                }
            })
        });
        view! { <Check label=text::pathway(p) bind=(on, set) /> }
    };
    view! {
        <form class="subform" on:submit=save novalidate>
            <TextField label="Preferred name" bind=bind!(form, name) error=name_err required=true />
            <TextField label="Programme" bind=bind!(form, programme) />
            <Choice label="Status" bind=bind!(form, status) options=options(ParticipantStatus::ALL, ParticipantStatus::as_str, text::status) />
            <fieldset>
                <legend>"Pathways to work on"</legend>
                <div class="checks">{Pathway::ALL.iter().map(|p| pathway(*p)).collect_view()}</div>
            </fieldset>
            <Problem problem=problem />
            <div class="actions">
                <button type="submit" class="primary">"Save details"</button>
                <button type="button" on:click=move |_| done.run(())>{text::CANCEL}</button>
            </div>
        </form>
    }
}
