//! Appointments: plan one with the support given, then record what happened ("I went
//! with them"), expenses and follow-up.

use leptos::prelude::*;
use onward_api::ids::*;
use onward_api::input::*;
use onward_api::model::*;
use onward_api::vocab::*;
use onward_api::*;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct AppointmentForm {
    starts_at: String,
    kind: String,
    with_whom: String,
    location: String,
    reminder: bool,
    travel_arranged: bool,
    accompany: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct OutcomeForm {
    status: String,
    outcome: String,
    went_with_them: bool,
    expenses: String,
    follow_up: String,
    follow_up_due: String,
}

pub(super) fn appointments(record: Record) -> AnyView {
    let problem = RwSignal::new(None::<String>);
    let ids = record.part(|v| {
        let mut all: Vec<&Appointment> = v.plan.appointments.values().collect();
        all.sort_by_key(|a| std::cmp::Reverse(a.starts_at));
        all.into_iter().map(|a| a.id).collect::<Vec<_>>()
    });
    view! {
        <PlanAppointmentForm record=record />
        <Problem problem=problem />
        <h2>{text::appointments::TITLE}</h2>
        {move || ids.with(Vec::is_empty).then(|| view! { <p class="quiet">{text::appointments::NONE}</p> })}
        {paged(
            ids,
            move |id| view! { <AppointmentCard record=record appointment=id problem=problem /> },
            text::appointments::OLDER,
        )}
    }
    .into_any()
}

/// The parts of an appointment that differ, named for people.
fn appointment_changes(a: &Appointment, b: &Appointment) -> Vec<&'static str> {
    use text::changed::*;
    [
        (a.starts_at != b.starts_at || a.ends_at != b.ends_at, WHEN),
        (a.kind != b.kind, KIND),
        (a.with_whom != b.with_whom, WITH_WHOM),
        (a.location != b.location, WHERE),
        (a.support != b.support, SUPPORT),
        (a.status != b.status, WHAT_HAPPENED),
        (a.outcome != b.outcome, OUTCOME),
        (a.follow_up != b.follow_up, FOLLOW_UP),
        (a.expenses_pence != b.expenses_pence, EXPENSES),
    ]
    .into_iter()
    .filter_map(|(changed, part)| changed.then_some(part))
    .collect()
}

/// One appointment. The card is kept while the appointment is listed; what it shows draws
/// again when the appointment changes, and the outcome form inside stays open.
#[component]
fn AppointmentCard(
    record: Record,
    appointment: AppointmentId,
    problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let participant = record.participant;
    let id = appointment;
    let current = record.part(move |v| v.plan.appointments.get(&id.to_string()).cloned());
    let recording = RwSignal::new(false);
    let heading = format!("appt-{id}");
    let details = move || {
        let a = current.get()?;
        let mut support = Vec::new();
        if a.support.reminder {
            support.push(text::appointments::REMINDER_SENT.to_string());
        }
        if a.support.travel_arranged {
            support.push(text::appointments::TRAVEL_ARRANGED.to_string());
        }
        if a.support.accompanied_by.is_some() {
            support.push(text::appointments::ACCOMPANIED.to_string());
        }
        Some(view! {
            <h3 id=format!("appt-{id}")>
                {text::dotted(&[&a.starts_at.london_format("%a %-d %b %Y, %H:%M"), text::appointment_kind(a.kind)])}
            </h3>
            <p class="quiet">
                {text::dotted(&[
                    text::appointment_status(a.status),
                    &if a.with_whom.is_empty() { String::new() } else { text::with_whom(&a.with_whom) },
                    &if a.location.is_empty() { String::new() } else { text::at_place(&a.location) },
                ])}
            </p>
            {(!support.is_empty()).then(|| view! { <p>{text::labelled(text::SUPPORT, &support.join(", "))}</p> })}
            {(!a.outcome.is_empty()).then(|| view! { <p>{text::labelled(text::OUTCOME, &a.outcome)}</p> })}
            {(a.expenses_pence > 0).then(|| view! { <p>{text::travel_expenses(a.expenses_pence)}</p> })}
            {a.follow_up.clone().map(|f| {
                let done = f.done;
                view! {
                    <p>
                        {text::follow_up(&f.text, done)}
                    </p>
                    {(!done).then(|| view! {
                        <button
                            type="button"
                            on:click=move |_| act(problem, text::appointments::FOLLOW_UP_DONE, move || async move {
                                api::call(&CompleteFollowUp { participant, input: FollowUpDone { appointment: id } }).await
                            })
                        >
                            {text::appointments::MARK_FOLLOW_UP}
                        </button>
                    })}
                }
            })}
        })
    };
    view! {
        <article class="card" aria-labelledby=heading>
            {details}
            <div class="actions">
                <button type="button" on:click=move |_| recording.update(|r| *r = !*r)>{text::appointments::RECORD}</button>
            </div>
            {move || recording.get().then(|| view! { <OutcomeFormView record=record appointment=id done=Callback::new(move |_| recording.set(false)) /> })}
        </article>
    }
}

#[component]
fn OutcomeFormView(
    record: Record,
    appointment: AppointmentId,
    done: Callback<()>,
) -> impl IntoView {
    let participant = record.participant;
    let key = format!("outcome:{appointment}");
    let form = draft_from(
        key.clone(),
        OutcomeForm {
            status: AppointmentStatus::Attended.as_str().into(),
            ..OutcomeForm::default()
        },
    );
    let watched = record.watch(move |v| v.plan.appointments.get(&appointment.to_string()).cloned());
    let problem = RwSignal::new(None::<String>);
    let expenses_err = Signal::derive(move || err(pence(&form.get().expenses)));
    let due_err = Signal::derive(move || err(day(&form.get().follow_up_due)));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        let (Ok(status), Ok(expenses), Ok(due)) = (
            f.status.parse::<AppointmentStatus>(),
            pence(&f.expenses),
            day(&f.follow_up_due),
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        save_and_close(
            key.clone(),
            problem,
            text::appointments::UPDATED,
            done,
            move || async move {
                api::call(&RecordAppointmentOutcome {
                    participant,
                    input: AppointmentOutcome {
                        appointment,
                        status,
                        outcome: f.outcome.trim().into(),
                        went_with_them: f.went_with_them,
                        follow_up: Some(f.follow_up.trim().to_string()).filter(|s| !s.is_empty()),
                        follow_up_due: due,
                        expenses_pence: expenses,
                    },
                })
                .await
            },
        );
    };
    view! {
        <form class="subform" on:submit=save novalidate>
            {changed_notice(text::changed::THIS_APPOINTMENT, watched, Signal::stored(true), appointment_changes)}
            <Choice label={text::appointments::STATUS} bind=bind!(form, status) options=options(AppointmentStatus::ALL, AppointmentStatus::as_str, text::appointment_status) />
            <Check label={text::appointments::WENT} bind=bind!(form, went_with_them) />
            <TextField label={text::appointments::OUTCOME} bind=bind!(form, outcome) multiline=true />
            <TextField label={text::appointments::EXPENSES} bind=bind!(form, expenses) error=expenses_err hint={text::appointments::EXPENSES_HINT} />
            <TextField label={text::appointments::FOLLOW_UP} bind=bind!(form, follow_up) />
            <TextField label={text::appointments::FOLLOW_UP_DUE} bind=bind!(form, follow_up_due) error=due_err kind="date" />
            <Problem problem=problem />
            <div class="actions">
                <button type="submit" class="primary">{text::appointments::SAVE_OUTCOME}</button>
                <button type="button" on:click=move |_| done.run(())>{text::CANCEL}</button>
            </div>
        </form>
    }
}

#[component]
fn PlanAppointmentForm(record: Record) -> impl IntoView {
    let ctx = ctx();
    let participant = record.participant;
    let key = format!("plan_appointment:{participant}");
    let form = draft::<AppointmentForm>(key.clone());
    let typing = Signal::derive(move || form.with(|f| *f != AppointmentForm::default()));
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let when_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.starts_at.is_empty())
            .then(|| err(when(&f.starts_at)))
            .flatten()
    });
    let kind_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() && f.kind.parse::<AppointmentKind>().is_err())
            .then(|| text::appointments::CHOOSE_KIND.to_string())
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let (Ok(starts_at), Ok(kind)) = (when(&f.starts_at), f.kind.parse::<AppointmentKind>())
        else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        let me = ctx.me.get_untracked().map(|m| m.user);
        submit(
            key.clone(),
            form,
            Some(touched),
            problem,
            text::appointments::PLANNED,
            move || async move {
                api::call(&PlanAppointment {
                    participant,
                    input: NewAppointment {
                        starts_at,
                        ends_at: None,
                        kind,
                        with_whom: f.with_whom.trim().into(),
                        location: f.location.trim().into(),
                        reminder: f.reminder,
                        travel_arranged: f.travel_arranged,
                        accompanied_by: if f.accompany { me } else { None },
                    },
                })
                .await
            },
        );
    };
    view! {
        <section class="card" aria-labelledby="plan-h">
            <h2 id="plan-h">{text::appointments::PLAN}</h2>
            <form on:submit=save novalidate>
                {changed_notice(text::changed::THIS_RECORD, record.watch_all(), typing, sections_changed)}
                <div class="row">
                    <TextField label={text::appointments::WHEN} bind=bind!(form, starts_at) error=when_err kind="datetime-local" required=true />
                    <Choice label={text::appointments::KIND} bind=bind!(form, kind) options=options(AppointmentKind::ALL, AppointmentKind::as_str, text::appointment_kind) empty={text::check::CHOOSE} />
                </div>
                {move || kind_err.get().map(|e| view! { <p class="field-error">{e}</p> })}
                <div class="row">
                    <TextField label={text::appointments::WITH_WHOM} bind=bind!(form, with_whom) />
                    <TextField label={text::appointments::WHERE} bind=bind!(form, location) />
                </div>
                <fieldset>
                    <legend>{text::appointments::SUPPORT}</legend>
                    <Check label={text::appointments::REMINDER} bind=bind!(form, reminder) />
                    <Check label={text::appointments::TRAVEL} bind=bind!(form, travel_arranged) />
                    <Check label={text::appointments::ACCOMPANY} bind=bind!(form, accompany) />
                </fieldset>
                <Problem problem=problem />
                <button type="submit" class="primary">{text::appointments::SAVE}</button>
            </form>
        </section>
    }
}
