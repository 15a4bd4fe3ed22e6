//! The overview: the participant at a glance, their recent sessions, changing their details
//! (name, programme, status, pathways), and for cleared staff the referral and key contacts.

use leptos::prelude::*;
use onward_api::input::*;
use onward_api::model::*;
use onward_api::vocab::*;
use onward_api::*;
use serde::{Deserialize, Serialize};

use super::*;

pub(super) fn overview(record: Record) -> AnyView {
    let glance = move || {
        record.with(|v| {
            let s = &v.summary;
            let pathways = if v.plan.profile.pathways.is_empty() {
                text::overview::NO_PATHWAYS.to_string()
            } else {
                v.plan
                    .profile
                    .pathways
                    .iter()
                    .map(|p| text::pathway(*p))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            view! {
                <dl>
                    <dt>{text::overview::PATHWAYS}</dt>
                    <dd>{pathways}</dd>
                    <dt>{text::caseload::LAST_CONTACT}</dt>
                    <dd>{s.last_contact.map(|t| t.london_format("%a %-d %b %Y")).unwrap_or_else(|| text::overview::NONE_YET.into())}</dd>
                    <dt>{text::caseload::NEXT_APPOINTMENT}</dt>
                    <dd>{s.next_appointment.map(|t| t.london_format("%a %-d %b, %H:%M")).unwrap_or_else(|| text::overview::NONE_PLANNED.into())}</dd>
                    <dt>{text::caseload::OPEN_GOALS}</dt>
                    <dd>{s.open_goals}</dd>
                    <dt>{text::today::UNSIGNED}</dt>
                    <dd>{s.unsigned_sessions}</dd>
                    <dt>{text::overview::ACHIEVEMENTS}</dt>
                    <dd>{v.plan.achievements.len()}</dd>
                </dl>
            }
        })
    };
    let recent = move || {
        record.with(|v| {
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
                            {(!s.next_steps.is_empty()).then(|| view! { <span class="quiet">{text::labelled(text::NEXT, &s.next_steps)}</span> })}
                        </li>
                    }
                    .into_any()
                })
                .collect();
            if recent.is_empty() {
                view! { <p class="quiet">{text::overview::NO_SESSIONS}</p> }.into_any()
            } else {
                view! { <ul class="rows">{recent}</ul> }.into_any()
            }
        })
    };
    // The referral and consent forms belong to the screen, not to the card that shows the
    // record (which redraws when it changes), so a refresh never closes them.
    let referral_open = RwSignal::new(false);
    let consent_open = RwSignal::new(false);
    let cleared = move || {
        record
            .with(|v| {
                v.restricted
                    .as_ref()
                    .map(|r| restricted(r, referral_open, consent_open))
            })
            .flatten()
    };
    let holds_restricted =
        Memo::new(move |_| record.with(|v| v.restricted.is_some()) == Some(true));
    let editing = RwSignal::new(false);
    // Coordinators assign and unassign mentors here.
    let coordinates = ctx().me.get_untracked().is_some_and(|m| {
        onward_api::policy::Access::Coordination
            .permits(&m.actor())
            .is_ok()
    });
    view! {
        <div class="grid">
            <section class="card" aria-labelledby="ov-h">
                <h2 id="ov-h">{text::overview::AT_A_GLANCE}</h2>
                {glance}
                <div class="actions">
                    <button type="button" on:click=move |_| editing.update(|e| *e = !*e)>{text::overview::CHANGE}</button>
                </div>
                // The form starts from the details as they were when it opened.
                {move || editing.get().then(|| {
                    record.with_untracked(|v| v.plan.profile.clone()).map(|profile| view! {
                        <ProfileFormView record=record profile=profile done=Callback::new(move |_| editing.set(false)) />
                    })
                })}
            </section>
            <section class="card" aria-labelledby="recent-h">
                <h2 id="recent-h">{text::overview::RECENT}</h2>
                {recent}
            </section>
            {coordinates.then(|| view! { <super::mentors::MentorsCard record=record /> })}
            {cleared}
            {move || (holds_restricted.get() && referral_open.get()).then(|| view! {
                <section class="card restricted" aria-label={text::referral::RECORD}>
                    <ReferralForm record=record done=Callback::new(move |_| referral_open.set(false)) />
                </section>
            })}
            {move || (holds_restricted.get() && consent_open.get()).then(|| view! {
                <section class="card restricted" aria-label={text::consent_form::RECORD}>
                    <ConsentForm record=record done=Callback::new(move |_| consent_open.set(false)) />
                </section>
            })}
        </div>
    }
    .into_any()
}

/// The parts of a participant's details that differ, named for people.
fn profile_changes(a: &Profile, b: &Profile) -> Vec<&'static str> {
    use text::changed::*;
    [
        (a.preferred_name != b.preferred_name, NAME),
        (a.programme != b.programme, PROGRAMME),
        (a.status != b.status, STATUS),
        (a.pathways != b.pathways, PATHWAYS),
    ]
    .into_iter()
    .filter_map(|(changed, part)| changed.then_some(part))
    .collect()
}

/// The referral and key contacts, for cleared mentors and coordinators only (the app core
/// never gives this document to anyone else).
fn restricted(
    r: &Restricted,
    referral_open: RwSignal<bool>,
    consent_open: RwSignal<bool>,
) -> AnyView {
    let referral = match &r.referral {
        None => view! { <p class="quiet">{text::overview::NO_REFERRAL}</p> }.into_any(),
        Some(f) => view! {
            <dl>
                <dt>{text::overview::REFERRED_BY}</dt>
                <dd>{text::bracketed(text::referral_source(f.source), &f.referrer)}</dd>
                <dt>{text::overview::REFERRAL_DATE}</dt>
                <dd>{f.date.format("%-d %b %Y").to_string()}</dd>
                <dt>{text::overview::REASON}</dt>
                <dd>{if f.reason.is_empty() { text::overview::NOT_GIVEN.to_string() } else { f.reason.clone() }}</dd>
                <dt>{text::overview::SUPERVISION_ENDS}</dt>
                <dd>{f.supervision_end.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_else(|| text::overview::NOT_GIVEN.into())}</dd>
                <dt>{text::overview::RISK}</dt>
                <dd>{text::risk_level(f.risk_level)}</dd>
            </dl>
        }
        .into_any(),
    };
    let referral_label = if r.referral.is_some() {
        text::referral::CHANGE
    } else {
        text::referral::RECORD
    };
    let mut contacts: Vec<&KeyContact> = r.contacts.values().collect();
    contacts.sort_by_key(|c| c.recorded.at);
    let mut consents: Vec<&ConsentRecord> = r.consents.values().collect();
    consents.sort_by_key(|c| std::cmp::Reverse(c.recorded.at));
    let consent = consents.first().map(|c| {
        text::consent(
            c.given,
            &c.version,
            &c.recorded.at.london_format("%-d %b %Y"),
            &c.scope,
        )
    });
    view! {
        <section class="card restricted" aria-labelledby="ref-h">
            <h2 id="ref-h">{text::overview::RESTRICTED}</h2>
            <p class="hint">{text::overview::RESTRICTED_HINT}</p>
            {referral}
            <Toggle open=referral_open label=referral_label />
            <h3>{text::overview::CONSENT}</h3>
            <p>{consent.unwrap_or_else(|| text::overview::NO_CONSENT.into())}</p>
            <Toggle open=consent_open label=text::consent_form::RECORD />
            <h3>{text::overview::CONTACTS}</h3>
            {if contacts.is_empty() {
                view! { <p class="quiet">{text::overview::NO_CONTACTS}</p> }.into_any()
            } else {
                view! {
                    <ul class="rows">
                        {contacts.into_iter().map(|c| {
                            let reach = text::dotted(&[&c.phone, &c.email]);
                            view! {
                                <li>
                                    <span>{text::labelled(&c.role, &c.name)}</span>
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
fn ProfileFormView(record: Record, profile: Profile, done: Callback<()>) -> impl IntoView {
    let participant = record.participant;
    let watched = record.watch(|v| Some(v.plan.profile.clone()));
    let key = format!("update_profile:{participant}");
    let form = draft_from(key.clone(), ProfileForm::of(&profile));
    let problem = RwSignal::new(None::<String>);
    let name_err = Signal::derive(move || {
        err(words(
            &form.get().name,
            Field::PreferredName,
            text::overview::NAME_WHAT,
        ))
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        let (Ok(name), Ok(status)) = (
            words(&f.name, Field::PreferredName, text::overview::NAME_SHORT),
            f.status.parse::<ParticipantStatus>(),
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        let pathways: Vec<Pathway> = f.pathways.iter().filter_map(|p| p.parse().ok()).collect();
        if pathways.is_empty() && !profile.pathways.is_empty() {
            problem.set(Some(text::overview::KEEP_A_PATHWAY.into()));
            return;
        }
        save_and_close(
            key.clone(),
            problem,
            text::overview::SAVED,
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
            {changed_notice(text::changed::THESE_DETAILS, watched, Signal::stored(true), profile_changes)}
            <TextField label={text::overview::NAME} bind=bind!(form, name) error=name_err required=true />
            <TextField label={text::overview::PROGRAMME} bind=bind!(form, programme) />
            <Choice label={text::overview::STATUS} bind=bind!(form, status) options=options(ParticipantStatus::ALL, ParticipantStatus::as_str, text::status) />
            <fieldset>
                <legend>{text::overview::PATHWAYS_LEGEND}</legend>
                <div class="checks">{Pathway::ALL.iter().map(|p| pathway(*p)).collect_view()}</div>
            </fieldset>
            <Problem problem=problem />
            <div class="actions">
                <button type="submit" class="primary">{text::overview::SAVE}</button>
                <button type="button" on:click=move |_| done.run(())>{text::CANCEL}</button>
            </div>
        </form>
    }
}

/// A button that opens and closes a form kept elsewhere on the screen.
#[component]
fn Toggle(open: RwSignal<bool>, label: &'static str) -> impl IntoView {
    view! {
        <div class="actions">
            <button type="button" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                {label}
            </button>
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ReferralFields {
    source: String,
    referrer: String,
    date: String,
    reason: String,
    supervision_end: String,
    risk: String,
}

impl Default for ReferralFields {
    fn default() -> Self {
        ReferralFields {
            source: ReferralSource::Probation.as_str().into(),
            referrer: String::new(),
            date: now().london_day().to_string(),
            reason: String::new(),
            supervision_end: String::new(),
            risk: RiskLevel::NotGiven.as_str().into(),
        }
    }
}

#[component]
fn ReferralForm(record: Record, done: Callback<()>) -> impl IntoView {
    let participant = record.participant;
    let key = format!("record_referral:{participant}");
    let form = draft::<ReferralFields>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let referrer_err = Signal::derive(move || {
        err(words(
            &form.get().referrer,
            Field::Referrer,
            text::referral::REFERRER_WHAT,
        ))
    });
    let reason_err = Signal::derive(move || {
        err(words(
            &form.get().reason,
            Field::ReferralReason,
            text::referral::REASON_WHAT,
        ))
    });
    let date_err = Signal::derive(move || match day(&form.get().date) {
        Ok(Some(_)) => None,
        Ok(None) => Some(text::referral::DATE_NEEDED.to_string()),
        Err(e) => Some(e),
    });
    let end_err = Signal::derive(move || err(day(&form.get().supervision_end)));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        let (Ok(Some(date)), Ok(supervision_end), Ok(source), Ok(risk_level)) = (
            day(&f.date),
            day(&f.supervision_end),
            f.source.parse::<ReferralSource>(),
            f.risk.parse::<RiskLevel>(),
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        if referrer_err.get_untracked().is_some() || reason_err.get_untracked().is_some() {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        }
        save_and_close(
            key.clone(),
            problem,
            text::referral::SAVED,
            done,
            move || async move {
                api::call(&RecordReferral {
                    participant,
                    input: NewReferral {
                        source,
                        referrer: f.referrer.trim().into(),
                        date,
                        reason: f.reason.trim().into(),
                        supervision_end,
                        risk_level,
                    },
                })
                .await
            },
        );
    };
    view! {
        <form class="subform" on:submit=save novalidate>
            <div class="row">
                <Choice
                    label={text::referral::SOURCE}
                    bind=bind!(form, source)
                    options=options(ReferralSource::ALL, ReferralSource::as_str, text::referral_source)
                />
                <TextField label={text::referral::REFERRER} bind=bind!(form, referrer) error=referrer_err />
            </div>
            <div class="row">
                <TextField label={text::referral::DATE} bind=bind!(form, date) error=date_err kind="date" required=true />
                <TextField label={text::referral::SUPERVISION_END} bind=bind!(form, supervision_end) error=end_err kind="date" />
            </div>
            <TextField label={text::referral::REASON} bind=bind!(form, reason) error=reason_err multiline=true />
            <Choice
                label={text::referral::RISK}
                bind=bind!(form, risk)
                options=options(RiskLevel::ALL, RiskLevel::as_str, text::risk_level)
            />
            <Problem problem=problem />
            <div class="actions">
                <button type="submit" class="primary">{text::referral::SAVE}</button>
                <button type="button" on:click=move |_| done.run(())>{text::CANCEL}</button>
            </div>
        </form>
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ConsentFields {
    version: String,
    scope: String,
    given: bool,
    given_by: String,
}

impl Default for ConsentFields {
    fn default() -> Self {
        ConsentFields {
            version: String::new(),
            scope: String::new(),
            given: true,
            given_by: String::new(),
        }
    }
}

#[component]
fn ConsentForm(record: Record, done: Callback<()>) -> impl IntoView {
    let participant = record.participant;
    let key = format!("record_consent:{participant}");
    let form = draft::<ConsentFields>(key.clone());
    let touched = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let checked = move |value: String, field: Field, what: &'static str| {
        (touched.get() || !value.is_empty())
            .then(|| err(words(&value, field, what)))
            .flatten()
    };
    let version_err = Signal::derive(move || {
        checked(
            form.get().version,
            Field::ConsentVersion,
            text::consent_form::VERSION_WHAT,
        )
    });
    let scope_err = Signal::derive(move || {
        checked(
            form.get().scope,
            Field::ConsentScope,
            text::consent_form::SCOPE_WHAT,
        )
    });
    let by_err = Signal::derive(move || {
        checked(
            form.get().given_by,
            Field::GivenBy,
            text::consent_form::BY_WHAT,
        )
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if version_err.get_untracked().is_some()
            || scope_err.get_untracked().is_some()
            || by_err.get_untracked().is_some()
        {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        }
        let f = form.get_untracked();
        save_and_close(
            key.clone(),
            problem,
            text::consent_form::SAVED,
            done,
            move || async move {
                api::call(&RecordConsent {
                    participant,
                    input: NewConsent {
                        version: f.version.trim().into(),
                        scope: f.scope.trim().into(),
                        given: f.given,
                        given_by: f.given_by.trim().into(),
                    },
                })
                .await
            },
        );
    };
    view! {
        <form class="subform" on:submit=save novalidate>
            <div class="row">
                <TextField label={text::consent_form::VERSION} bind=bind!(form, version) error=version_err required=true />
                <TextField label={text::consent_form::BY} bind=bind!(form, given_by) error=by_err required=true />
            </div>
            <TextField label={text::consent_form::SCOPE} bind=bind!(form, scope) error=scope_err multiline=true required=true />
            <Check label={text::consent_form::GIVEN} bind=bind!(form, given) />
            <Problem problem=problem />
            <div class="actions">
                <button type="submit" class="primary">{text::consent_form::SAVE}</button>
                <button type="button" on:click=move |_| done.run(())>{text::CANCEL}</button>
            </div>
        </form>
    }
}
