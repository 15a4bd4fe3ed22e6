//! Sessions: log one in under a minute, change it until it is signed off, sign off, and
//! addenda after that.

use leptos::prelude::*;
use onward_api::ids::*;
use onward_api::input::*;
use onward_api::model::*;
use onward_api::time::Timestamp;
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
            duration_minutes: number(&self.duration, Field::Duration)? as u32,
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
            mood_before: optional_number(&self.mood_before, Field::MoodBefore)?.map(|m| m as u8),
            mood_after: optional_number(&self.mood_after, Field::MoodAfter)?.map(|m| m as u8),
            summary: self.summary.trim().into(),
            next_steps: self.next_steps.trim().into(),
            private_notes: self.private_notes.trim().into(),
        })
    }
}

/// A session as its card shows it: the record and its shared summary.
type SessionItem = (SessionRecord, Option<SessionSummary>);

pub(super) fn sessions(record: Record) -> AnyView {
    let problem = RwSignal::new(None::<String>);
    // Every session once per refresh (the Notes log is folded into records here, not per card).
    let all = record.part(|v| {
        v.notes
            .as_ref()
            .map(|notes| {
                notes
                    .sessions()
                    .into_iter()
                    .map(|(id, s)| {
                        let summary = v.plan.summaries.get(&id.to_string()).cloned();
                        (id, (s, summary))
                    })
                    .collect::<std::collections::BTreeMap<SessionId, SessionItem>>()
            })
            .unwrap_or_default()
    });
    let ids = Memo::new(move |_| {
        all.with(|all| {
            let mut ids: Vec<(SessionId, Option<Timestamp>)> = all
                .iter()
                .map(|(id, (s, _))| (*id, s.revisions.last().map(|r| r.content.started_at)))
                .collect();
            ids.sort_by_key(|(_, at)| std::cmp::Reverse(*at));
            ids.into_iter().map(|(id, _)| id).collect::<Vec<_>>()
        })
    });
    view! {
        <LogSession record=record />
        <Problem problem=problem />
        <h2>{text::sessions::TITLE}</h2>
        {move || ids.with(Vec::is_empty).then(|| view! { <p class="quiet">{text::sessions::NONE}</p> })}
        {paged(
            ids,
            move |id| {
                let item = Memo::new(move |_| all.with(|all| all.get(&id).cloned()));
                view! { <SessionCard record=record session=id item=item problem=problem /> }
            },
            text::sessions::OLDER,
        )}
    }
    .into_any()
}

/// The parts of a session that differ, named for people.
fn session_changes(a: &SessionItem, b: &SessionItem) -> Vec<&'static str> {
    use text::changed::*;
    let content = |s: &SessionItem| s.0.revisions.last().map(|r| r.content.clone());
    let (ca, cb) = (content(a), content(b));
    let differs = |same: fn(&SessionContent, &SessionContent) -> bool| match (&ca, &cb) {
        (Some(x), Some(y)) => !same(x, y),
        (x, y) => x.is_some() != y.is_some(),
    };
    let summary = |s: &SessionItem| s.1.as_ref().map(|s| s.summary.clone());
    let next = |s: &SessionItem| s.1.as_ref().map(|s| s.next_steps.clone());
    [
        (differs(|x, y| x.started_at == y.started_at), WHEN),
        (
            differs(|x, y| x.duration_minutes == y.duration_minutes),
            DURATION,
        ),
        (
            differs(|x, y| x.mode == y.mode && x.session_type == y.session_type),
            HOW,
        ),
        (
            differs(|x, y| x.attendance == y.attendance && x.absence_reason == y.absence_reason),
            ATTENDANCE,
        ),
        (differs(|x, y| x.topics == y.topics), TOPICS),
        (
            differs(|x, y| x.mood_before == y.mood_before && x.mood_after == y.mood_after),
            MOOD,
        ),
        (summary(a) != summary(b), SUMMARY),
        (next(a) != next(b), NEXT_STEPS),
        (
            differs(|x, y| x.private_notes == y.private_notes),
            PRIVATE_NOTES,
        ),
        (a.0.sign_offs != b.0.sign_offs, SIGN_OFF),
        (a.0.addenda != b.0.addenda, ADDENDA),
    ]
    .into_iter()
    .filter_map(|(changed, part)| changed.then_some(part))
    .collect()
}

/// One session. The card is kept while the session is listed; what it shows draws again when
/// the session changes, and the forms inside (change, addendum) stay open.
#[component]
fn SessionCard(
    record: Record,
    session: SessionId,
    item: Memo<Option<SessionItem>>,
    problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let participant = record.participant;
    let id = session;
    let adding = RwSignal::new(false);
    let changing = RwSignal::new(false);
    let heading = format!("session-{id}");
    let signed = Memo::new(move |_| {
        item.with(|i| {
            i.as_ref().is_some_and(|(s, _)| {
                s.revisions
                    .last()
                    .is_some_and(|latest| s.sign_offs.iter().any(|so| so.revision == latest.id))
            })
        })
    });
    let details = move || {
        let (s, summary) = item.get()?;
        let c = s.revisions.last()?.content.clone();
        let summary = summary.map(|s| s.summary).unwrap_or_default();
        Some(view! {
            <h3 id=format!("session-{id}")>{text::dotted(&[&c.started_at.london_format("%a %-d %b %Y, %H:%M"), &text::minutes(c.duration_minutes)])}</h3>
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
        })
    };
    view! {
        <article class="card" aria-labelledby=heading>
            {details}
            <div class="actions">
                {move || if signed.get() {
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
            // What the form starts from is the session as it was when the form opened.
            {move || changing.get().then(|| {
                let initial = item
                    .get_untracked()
                    .and_then(|(s, summary)| s.revisions.last().map(|r| SessionForm::of(&r.content, summary.as_ref())))
                    .unwrap_or_default();
                view! {
                    <SessionFormView
                        record=record
                        editing=Some(id)
                        initial=initial
                        watched=Some(item)
                        done=Callback::new(move |_| changing.set(false))
                    />
                }
            })}
            {move || adding.get().then(|| view! { <Addendum record=record session=id item=item done=Callback::new(move |_| adding.set(false)) /> })}
        </article>
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct AddendumForm {
    text: String,
}

#[component]
fn Addendum(
    record: Record,
    session: SessionId,
    item: Memo<Option<SessionItem>>,
    done: Callback<()>,
) -> impl IntoView {
    let participant = record.participant;
    let key = format!("addendum:{session}");
    let form = draft::<AddendumForm>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match words(
            &form.get_untracked().text,
            Field::Addendum,
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
            {changed_notice(text::changed::THIS_SESSION, watch_item(record, item), Signal::stored(true), session_changes)}
            <TextField label={text::sessions::ADDENDUM} bind=bind!(form, text) multiline=true hint={text::sessions::ADDENDUM_HINT} />
            <Problem problem=problem />
            <button type="submit" class="primary">{text::sessions::SAVE_ADDENDUM}</button>
        </form>
    }
}

#[component]
fn LogSession(record: Record) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="log-h">
            <h2 id="log-h">{text::sessions::LOG}</h2>
            <SessionFormView record=record editing=None initial=SessionForm::default() watched=None />
        </section>
    }
}

/// The session form: logging a new session, or (`editing`) changing one not yet signed off.
#[component]
fn SessionFormView(
    record: Record,
    editing: Option<SessionId>,
    initial: SessionForm,
    /// The session being changed, for the notice when it changes elsewhere meanwhile.
    watched: Option<Memo<Option<SessionItem>>>,
    #[prop(optional)] done: Option<Callback<()>>,
) -> impl IntoView {
    let participant = record.participant;
    let key = match editing {
        None => format!("log_session:{participant}"),
        Some(session) => format!("edit_session:{session}"),
    };
    let form = draft_from(key.clone(), initial.clone());
    // A change to this session on another device, or (while logging a new one, once something
    // is typed) to the record.
    let notice = match watched {
        Some(item) => changed_notice(
            text::changed::THIS_SESSION,
            watch_item(record, item),
            Signal::stored(true),
            session_changes,
        )
        .into_any(),
        None => {
            let typing = Signal::derive(move || form.with(|f| *f != initial));
            changed_notice(
                text::changed::THIS_RECORD,
                record.watch_all(),
                typing,
                sections_changed,
            )
            .into_any()
        }
    };
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
            number(&f.duration, Field::Duration).map(|_| ()),
            !f.duration.is_empty(),
        )
    });
    let before_err =
        Signal::derive(move || err(optional_number(&form.get().mood_before, Field::MoodBefore)));
    let after_err =
        Signal::derive(move || err(optional_number(&form.get().mood_after, Field::MoodAfter)));
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
                Some(touched),
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
                {notice}
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

/// A session card's data as a form watches it, with the generation it was loaded at.
fn watch_item(record: Record, item: Memo<Option<SessionItem>>) -> Watched<SessionItem> {
    let generation = record.watch(|_| Some(()));
    Signal::derive(move || (generation.with(|(g, _)| *g), item.get()))
}
