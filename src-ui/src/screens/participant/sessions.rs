//! Sessions: log one in under a minute, change it until it is signed off, sign off, and
//! addenda after that.

use leptos::prelude::*;
use onward_api::ids::*;
use onward_api::input::*;
use onward_api::model::*;
use onward_api::vocab::*;
use onward_api::*;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SessionForm {
    started_at: String,
    duration: String,
    mode: String,
    session_type: String,
    attendance: String,
    absence_reason: String,
    topics: Vec<String>,
    mood_before: String,
    mood_after: String,
    summary: String,
    next_steps: String,
    private_notes: String,
}

impl Default for SessionForm {
    fn default() -> Self {
        SessionForm {
            started_at: String::new(),
            duration: String::new(),
            mode: SessionMode::InPerson.as_str().into(),
            session_type: SessionType::OneToOne.as_str().into(),
            attendance: Attendance::Attended.as_str().into(),
            absence_reason: String::new(),
            topics: Vec::new(),
            mood_before: String::new(),
            mood_after: String::new(),
            summary: String::new(),
            next_steps: String::new(),
            private_notes: String::new(),
        }
    }
}

impl SessionForm {
    /// The form filled in with a session as recorded (for changing it).
    fn of(c: &SessionContent, summary: Option<&SessionSummary>) -> Self {
        let mood = |m: Option<u8>| m.map(|m| m.to_string()).unwrap_or_default();
        SessionForm {
            started_at: c.started_at.london_format("%Y-%m-%dT%H:%M"),
            duration: c.duration_minutes.to_string(),
            mode: c.mode.as_str().into(),
            session_type: c.session_type.as_str().into(),
            attendance: c.attendance.as_str().into(),
            absence_reason: c.absence_reason.clone(),
            topics: c.topics.iter().map(|t| t.as_str().to_string()).collect(),
            mood_before: mood(c.mood_before),
            mood_after: mood(c.mood_after),
            summary: summary.map(|s| s.summary.clone()).unwrap_or_default(),
            next_steps: summary.map(|s| s.next_steps.clone()).unwrap_or_default(),
            private_notes: c.private_notes.clone(),
        }
    }

    fn input(&self) -> Result<NewSession, String> {
        let started_at = if self.started_at.trim().is_empty() {
            Ok(now())
        } else {
            when(&self.started_at)
        }?;
        let attendance: Attendance = self
            .attendance
            .parse()
            .map_err(|_| text::sessions::CHOOSE_ATTENDANCE.to_string())?;
        if attendance == Attendance::DidNotAttend && self.absence_reason.trim().is_empty() {
            return Err(text::sessions::REASON_MISSING.into());
        }
        Ok(NewSession {
            started_at,
            duration_minutes: number(&self.duration, 1, 720)? as u32,
            mode: self
                .mode
                .parse()
                .map_err(|_| text::sessions::CHOOSE_MODE.to_string())?,
            session_type: self
                .session_type
                .parse()
                .map_err(|_| text::sessions::CHOOSE_TYPE.to_string())?,
            attendance,
            absence_reason: self.absence_reason.trim().into(),
            topics: self.topics.iter().filter_map(|t| t.parse().ok()).collect(),
            mood_before: optional_number(&self.mood_before, 1, 5)?.map(|m| m as u8),
            mood_after: optional_number(&self.mood_after, 1, 5)?.map(|m| m as u8),
            summary: self.summary.trim().into(),
            next_steps: self.next_steps.trim().into(),
            private_notes: self.private_notes.trim().into(),
        })
    }
}

/// What each session card is given: whose, the record, its shared summary, where to report.
type SessionItem = (
    ParticipantId,
    SessionRecord,
    Option<SessionSummary>,
    RwSignal<Option<String>>,
);

pub(super) fn sessions(participant: ParticipantId, v: &ParticipantView) -> AnyView {
    let problem = RwSignal::new(None::<String>);
    let items: Vec<SessionItem> = match &v.notes {
        None => vec![],
        Some(notes) => {
            let mut all: Vec<SessionRecord> = notes.sessions().into_values().collect();
            all.sort_by_key(|s| {
                std::cmp::Reverse(s.revisions.last().map(|r| r.content.started_at))
            });
            all.into_iter()
                .map(|s| {
                    let summary = v.plan.summaries.get(&s.id.to_string()).cloned();
                    (participant, s, summary, problem)
                })
                .collect()
        }
    };
    view! {
        <LogSession participant=participant />
        <Problem problem=problem />
        <h2>{text::sessions::TITLE}</h2>
        {if items.is_empty() {
            view! { <p class="quiet">{text::sessions::NONE}</p> }.into_any()
        } else {
            paged(
                items,
                |(participant, session, summary, problem)| view! { <SessionCard participant=participant session=session summary=summary problem=problem /> }.into_any(),
                text::sessions::OLDER,
            )
        }}
    }
    .into_any()
}

#[component]
fn SessionCard(
    participant: ParticipantId,
    session: SessionRecord,
    summary: Option<SessionSummary>,
    problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let s = session;
    let id = s.id;
    let Some(latest) = s.revisions.last().cloned() else {
        return ().into_any();
    };
    let c = latest.content;
    let signed = s.sign_offs.iter().any(|so| so.revision == latest.id);
    let adding = RwSignal::new(false);
    let changing = RwSignal::new(false);
    let current = StoredValue::new(SessionForm::of(&c, summary.as_ref()));
    let summary = summary.map(|s| s.summary).unwrap_or_default();
    let heading = format!("session-{id}");
    let heading_ref = heading.clone();
    view! {
        <article class="card" aria-labelledby=heading_ref>
            <h3 id=heading>{text::dotted(&[&c.started_at.london_format("%a %-d %b %Y, %H:%M"), &text::minutes(c.duration_minutes)])}</h3>
            <p class="quiet">
                {text::dotted(&[
                    text::mode(c.mode),
                    text::session_type(c.session_type),
                    text::attendance(c.attendance),
                    &c.mood_before.zip(c.mood_after).map(|(b, a)| text::mood(b, a)).unwrap_or_default(),
                ])}
            </p>
            {(!c.topics.is_empty()).then(|| view! {
                <p>{text::labelled(text::TOPICS, &c.topics.iter().map(|t| text::pathway(*t)).collect::<Vec<_>>().join(", "))}</p>
            })}
            {(!summary.is_empty()).then(|| view! { <p>{text::labelled(text::SHARED_SUMMARY, &summary)}</p> })}
            {(!c.private_notes.is_empty()).then(|| view! { <p class="private">{text::labelled(text::PRIVATE_NOTES, &c.private_notes)}</p> })}
            {s.addenda.iter().map(|a| view! { <p class="addendum">{text::addendum(&a.created.at.london_format("%-d %b %Y"), &a.text)}</p> }).collect_view()}
            <div class="actions">
                {if signed {
                    view! { <p class="ok">{text::sessions::SIGNED}</p> }.into_any()
                } else {
                    view! {
                        <button
                            type="button"
                            on:click=move |_| act(problem, text::sessions::SIGNED_OFF, move || async move {
                                api::call(&SignOffSession { participant, input: SessionSignOff { session: id } }).await
                            })
                        >
                            {text::sessions::SIGN_OFF}
                        </button>
                        <button type="button" on:click=move |_| changing.update(|c| *c = !*c)>{text::sessions::CHANGE}</button>
                    }
                        .into_any()
                }}
                <button type="button" on:click=move |_| adding.update(|a| *a = !*a)>{text::sessions::ADD_ADDENDUM}</button>
            </div>
            {move || changing.get().then(|| view! {
                <SessionFormView
                    participant=participant
                    editing=Some(id)
                    initial=current.get_value()
                    done=Callback::new(move |_| changing.set(false))
                />
            })}
            {move || adding.get().then(|| view! { <Addendum participant=participant session=id done=Callback::new(move |_| adding.set(false)) /> })}
        </article>
    }
    .into_any()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct AddendumForm {
    text: String,
}

#[component]
fn Addendum(participant: ParticipantId, session: SessionId, done: Callback<()>) -> impl IntoView {
    let key = format!("addendum:{session}");
    let form = draft::<AddendumForm>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match words(
            &form.get_untracked().text,
            4000,
            text::sessions::ADDENDUM_WHAT,
        ) {
            Err(e) => problem.set(Some(e)),
            Ok(t) => save_and_close(
                key.clone(),
                problem,
                text::sessions::ADDENDUM_ADDED,
                done,
                move || async move {
                    api::call(&AddAddendum {
                        participant,
                        input: NewAddendum { session, text: t },
                    })
                    .await
                },
            ),
        }
    };
    view! {
        <form class="subform" on:submit=save novalidate>
            <TextField label={text::sessions::ADDENDUM} bind=bind!(form, text) multiline=true hint={text::sessions::ADDENDUM_HINT} />
            <Problem problem=problem />
            <button type="submit" class="primary">{text::sessions::SAVE_ADDENDUM}</button>
        </form>
    }
}

#[component]
fn LogSession(participant: ParticipantId) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="log-h">
            <h2 id="log-h">{text::sessions::LOG}</h2>
            <SessionFormView participant=participant editing=None initial=SessionForm::default() />
        </section>
    }
}

/// The session form: logging a new session, or (`editing`) changing one not yet signed off.
#[component]
fn SessionFormView(
    participant: ParticipantId,
    editing: Option<SessionId>,
    initial: SessionForm,
    #[prop(optional)] done: Option<Callback<()>>,
) -> impl IntoView {
    let key = match editing {
        None => format!("log_session:{participant}"),
        Some(session) => format!("edit_session:{session}"),
    };
    let form = draft_from(key.clone(), initial);
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let show = move |r: Result<(), String>, typed: bool| {
        (touched.get() || typed).then(|| r.err()).flatten()
    };
    let when_err = Signal::derive(move || {
        let f = form.get();
        show(
            if f.started_at.trim().is_empty() {
                Ok(())
            } else {
                when(&f.started_at).map(|_| ())
            },
            !f.started_at.is_empty(),
        )
    });
    let duration_err = Signal::derive(move || {
        let f = form.get();
        show(
            number(&f.duration, 1, 720).map(|_| ()),
            !f.duration.is_empty(),
        )
    });
    let before_err = Signal::derive(move || err(optional_number(&form.get().mood_before, 1, 5)));
    let after_err = Signal::derive(move || err(optional_number(&form.get().mood_after, 1, 5)));
    let reason_err = Signal::derive(move || {
        let f = form.get();
        (f.attendance == Attendance::DidNotAttend.as_str()
            && f.absence_reason.trim().is_empty()
            && touched.get())
        .then(|| text::sessions::REASON_MISSING.to_string())
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        match (form.get_untracked().input(), editing) {
            (Err(_), _) => problem.set(Some(text::FIX_ERRORS.into())),
            (Ok(input), None) => submit(
                key.clone(),
                form,
                problem,
                text::sessions::SAVED,
                move || async move { api::call(&LogSession { participant, input }).await },
            ),
            (Ok(s), Some(session)) => {
                let input = SessionEdit {
                    session,
                    started_at: Some(s.started_at),
                    duration_minutes: Some(s.duration_minutes),
                    mode: Some(s.mode),
                    session_type: Some(s.session_type),
                    attendance: Some(s.attendance),
                    absence_reason: Some(s.absence_reason),
                    mood_before: s.mood_before,
                    mood_after: s.mood_after,
                    summary: Some(s.summary),
                    next_steps: Some(s.next_steps),
                    private_notes: Some(s.private_notes),
                };
                save_and_close(
                    key.clone(),
                    problem,
                    text::sessions::CHANGED,
                    done.unwrap_or_else(|| Callback::new(|_| {})),
                    move || async move { api::call(&EditSession { participant, input }).await },
                )
            }
        }
    };
    let topic = move |p: Pathway| {
        let id = format!("topic-{}", p.as_str());
        let name = p.as_str().to_string();
        let name2 = name.clone();
        view! {
            <label class="check" for=id.clone()>
                <input
                    type="checkbox"
                    id=id.clone()
                    prop:checked=move || form.with(|f| f.topics.contains(&name))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        let name = name2.clone();
                        form.update(|f| {
                            f.topics.retain(|t| *t != name);
                            if on {
                                f.topics.push(name);
                            }
                        });
                    }
                />
                <span>{text::pathway(p)}</span>
            </label>
        }
    };
    view! {
            <form on:submit=save novalidate class:subform=editing.is_some()>
                <div class="row">
                    <TextField label={text::sessions::WHEN} bind=bind!(form, started_at) error=when_err kind="datetime-local" hint={text::sessions::WHEN_HINT} />
                    <TextField label={text::sessions::DURATION} bind=bind!(form, duration) error=duration_err kind="number" required=true />
                </div>
                <div class="row">
                    <Choice label={text::sessions::MODE} bind=bind!(form, mode) options=options(SessionMode::ALL, SessionMode::as_str, text::mode) />
                    <Choice label={text::sessions::TYPE} bind=bind!(form, session_type) options=options(SessionType::ALL, SessionType::as_str, text::session_type) />
                    <Choice label={text::sessions::ATTENDANCE} bind=bind!(form, attendance) options=options(Attendance::ALL, Attendance::as_str, text::attendance) />
                </div>
                {move || (form.with(|f| f.attendance == Attendance::DidNotAttend.as_str())).then(|| view! {
                    <TextField label={text::sessions::REASON} bind=bind!(form, absence_reason) error=reason_err />
                })}
                {editing.is_none().then(|| view! {
                    <fieldset>
                        <legend>{text::sessions::TOPICS}</legend>
                        <div class="checks">{Pathway::ALL.iter().map(|p| topic(*p)).collect_view()}</div>
                    </fieldset>
                })}
                <div class="row">
                    <TextField label={text::sessions::MOOD_BEFORE} bind=bind!(form, mood_before) error=before_err kind="number" />
                    <TextField label={text::sessions::MOOD_AFTER} bind=bind!(form, mood_after) error=after_err kind="number" />
                </div>
                <TextField label={text::sessions::SUMMARY} bind=bind!(form, summary) multiline=true hint={text::sessions::SUMMARY_HINT} />
                <TextField label={text::sessions::NEXT_STEPS} bind=bind!(form, next_steps) multiline=true hint={text::sessions::NEXT_STEPS_HINT} />
                <TextField label={text::sessions::PRIVATE} bind=bind!(form, private_notes) multiline=true hint={text::sessions::PRIVATE_HINT} />
                <Problem problem=problem />
                <div class="actions">
                    <button type="submit" class="primary">
                        {if editing.is_some() { text::SAVE_CHANGES } else { text::sessions::SAVE }}
                    </button>
                    {done.map(|done| view! { <button type="button" on:click=move |_| done.run(())>{text::CANCEL}</button> })}
                </div>
            </form>
    }
}
