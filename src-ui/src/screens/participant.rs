//! One participant's record, in sections: overview; goals (steps, reviews with the 0–10
//! rating, the participant's sign-off); sessions (log one in under a minute, sign off,
//! addenda); appointments (plan, the support given, "I went with them", outcome, expenses,
//! follow-up); achievements and progressions; self-assessment check-ins as a chart of distance
//! travelled; and safeguarding concerns.

use leptos::prelude::*;
use leptos::task::spawn_local;
use onward_api::ids::*;
use onward_api::input::*;
use onward_api::model::*;
use onward_api::vocab::*;
use onward_api::*;
use serde::{Deserialize, Serialize};

use super::{failed, loading};
use crate::forms::{
    Check, Choice, Problem, TextField, day, draft, err, number, optional_number, options, pence,
    submit, when, words,
};
use crate::{Screen, Tab, api, bind, ctx, now, text};

#[component]
pub fn ParticipantScreen(participant: ParticipantId, tab: Tab) -> impl IntoView {
    let ctx = ctx();
    let record = LocalResource::new(move || {
        ctx.refresh.track();
        async move { api::call(&GetParticipant { participant }).await }
    });
    view! {
        {move || match record.get() {
            None => loading(),
            Some(Err(e)) => failed(e),
            Some(Ok(v)) => {
                let name = v.plan.profile.preferred_name.clone();
                view! {
                    <nav aria-label="Breadcrumb" class="crumbs">
                        <button type="button" class="link" on:click=move |_| ctx.go(Screen::Caseload)>
                            {text::CASELOAD}
                        </button>
                        " › "
                    </nav>
                    <h1>{name}</h1>
                    <p class="lead">
                        {format!(
                            "{} · {}",
                            v.plan.profile.programme,
                            text::status(v.plan.profile.status),
                        )}
                    </p>
                    <div role="tablist" aria-label="Record sections" class="tabs">
                        {Tab::ALL
                            .into_iter()
                            .map(|t| {
                                view! {
                                    <button
                                        type="button"
                                        role="tab"
                                        id=format!("tab-{}", t.label())
                                        aria-selected=if t == tab { "true" } else { "false" }
                                        aria-controls="record-panel"
                                        on:click=move |_| ctx.go(Screen::Participant(participant, t))
                                    >
                                        {t.label()}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                    <section role="tabpanel" id="record-panel" aria-labelledby=format!("tab-{}", tab.label())>
                        {match tab {
                            Tab::Overview => overview(&v),
                            Tab::Goals => goals(participant, &v),
                            Tab::Sessions => sessions(participant, &v),
                            Tab::Appointments => appointments(participant, &v),
                            Tab::Achievements => achievements(participant, &v),
                            Tab::CheckIns => checkins(participant, &v),
                            Tab::Concerns => concerns(participant, &v),
                        }}
                    </section>
                }
                    .into_any()
            }
        }}
    }
}

fn overview(v: &ParticipantView) -> AnyView {
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
            </section>
            <section class="card" aria-labelledby="recent-h">
                <h2 id="recent-h">"Recent sessions"</h2>
                {if recent.is_empty() {
                    view! { <p class="quiet">"No sessions yet."</p> }.into_any()
                } else {
                    view! { <ul class="rows">{recent}</ul> }.into_any()
                }}
            </section>
        </div>
    }
    .into_any()
}

/// Shows the first ten items, and ten more each time the person asks.
fn paged<T>(items: Vec<T>, render: fn(T) -> AnyView, more: &'static str) -> AnyView
where
    T: Clone + Send + Sync + 'static,
{
    let total = items.len();
    let shown = RwSignal::new(10usize);
    let items = StoredValue::new(items);
    view! {
        <div class="stack">
            {move || {
                let n = shown.get().min(total);
                items.with_value(|all| all[..n].iter().cloned().map(render).collect_view())
            }}
        </div>
        {move || (shown.get() < total).then(|| view! {
            <button type="button" on:click=move |_| shown.update(|n| *n += 10)>{more}</button>
        })}
    }
    .into_any()
}

/// Runs a one-tap action (tick a step, sign off) and refreshes.
fn act<F, Fut, R>(problem: RwSignal<Option<String>>, saved: &'static str, action: F)
where
    F: FnOnce() -> Fut + 'static,
    Fut: std::future::Future<Output = Result<R, ApiError>> + 'static,
{
    let ctx = ctx();
    spawn_local(async move {
        match action().await {
            Ok(_) => {
                problem.set(None);
                ctx.notice
                    .set(Some(format!("{saved} {}", text::REACHES_OFFICE)));
                ctx.changed();
            }
            Err(e) => problem.set(Some(e.message)),
        }
    });
}

// ----- Goals -----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct GoalForm {
    title: String,
    pathway: String,
    why: String,
    target: String,
    review_due: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ReviewForm {
    rating: String,
    comment: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct StepForm {
    text: String,
}

fn goals(participant: ParticipantId, v: &ParticipantView) -> AnyView {
    let mut goals: Vec<Goal> = v.plan.goals.values().cloned().collect();
    goals.sort_by_key(|g| (g.status != GoalStatus::Active, g.created.at));
    let problem = RwSignal::new(None::<String>);
    let list: Vec<AnyView> = goals
        .into_iter()
        .map(|g| view! { <GoalCard participant=participant goal=g problem=problem /> }.into_any())
        .collect();
    view! {
        <Problem problem=problem />
        {if list.is_empty() {
            view! { <p class="quiet">"No goals yet. Set the first one together."</p> }.into_any()
        } else {
            view! { <div class="stack">{list}</div> }.into_any()
        }}
        <AddGoal participant=participant />
    }
    .into_any()
}

#[component]
fn GoalCard(
    participant: ParticipantId,
    goal: Goal,
    problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let g = goal;
    let goal_id = g.id;
    let mut reviews: Vec<Review> = g.reviews.values().cloned().collect();
    reviews.sort_by_key(|r| r.created.at);
    let latest = reviews.last().map(|r| r.rating);
    let heading = format!("goal-{goal_id}");
    let heading_ref = heading.clone();
    let signed = g.sign_off.is_some();
    let reviewing = RwSignal::new(false);
    let steps = g
        .steps
        .iter()
        .map(|s| {
            let step = s.id;
            let done = s.done.is_some();
            let label = format!("{}{}", s.text, if s.by_whom.is_empty() { String::new() } else { format!(" ({})", s.by_whom) });
            let id = format!("step-{step}");
            view! {
                <li class="check">
                    <input
                        type="checkbox"
                        id=id.clone()
                        prop:checked=done
                        on:change=move |ev| {
                            let done = event_target_checked(&ev);
                            act(problem, if done { "Step ticked." } else { "Step unticked." }, move || async move {
                                api::call(&TickStep { participant, input: StepTick { goal: goal_id, step, done } }).await
                            });
                        }
                    />
                    <label for=id>{label}</label>
                </li>
            }
        })
        .collect_view();
    view! {
        <article class="card goal" aria-labelledby=heading_ref>
            <h2 id=heading>{g.title.clone()}</h2>
            <p class="quiet">
                {format!(
                    "{} · {}{}",
                    text::pathway(g.pathway),
                    text::goal_status(g.status),
                    g.target_date.map(|d| format!(" · aim for {}", d.format("%-d %b %Y"))).unwrap_or_default(),
                )}
            </p>
            {(!g.why_it_matters.is_empty()).then(|| view! { <p>{format!("Why it matters: {}", g.why_it_matters)}</p> })}
            <h3>"Steps"</h3>
            <ul class="steps">{steps}</ul>
            <AddStep participant=participant goal=goal_id />
            <p>
                {match latest {
                    Some(r) => format!("Latest review: {r} out of 10 ({} review{})", reviews.len(), if reviews.len() == 1 { "" } else { "s" }),
                    None => "Not reviewed yet.".to_string(),
                }}
            </p>
            {reviews.last().filter(|r| !r.comment.is_empty()).map(|r| view! { <blockquote>{r.comment.clone()}</blockquote> })}
            <div class="actions">
                <button type="button" on:click=move |_| reviewing.update(|r| *r = !*r)>"Review progress"</button>
                {if signed {
                    view! { <p class="ok">"Signed off by the participant."</p> }.into_any()
                } else {
                    view! {
                        <button
                            type="button"
                            on:click=move |_| act(problem, "Goal signed off.", move || async move {
                                api::call(&SignOffGoal { participant, input: GoalSignOff { goal: goal_id } }).await
                            })
                        >
                            "Participant signs off this goal"
                        </button>
                    }
                        .into_any()
                }}
            </div>
            {move || reviewing.get().then(|| view! { <ReviewGoalForm participant=participant goal=goal_id done=Callback::new(move |_| reviewing.set(false)) /> })}
        </article>
    }
}

#[component]
fn AddStep(participant: ParticipantId, goal: GoalId) -> impl IntoView {
    let key = format!("add_step:{goal}");
    let form = draft::<StepForm>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        match words(&f.text, 200, "the step") {
            Err(e) => problem.set(Some(e)),
            Ok(text_) => submit(
                key.clone(),
                form,
                problem,
                "Step added.",
                move || async move {
                    api::call(&AddStep {
                        participant,
                        input: NewStep {
                            goal,
                            text: text_,
                            by_whom: String::new(),
                            due: None,
                        },
                    })
                    .await
                },
            ),
        }
    };
    view! {
        <form class="inline" on:submit=save novalidate>
            <TextField label="New step" bind=bind!(form, text) />
            <button type="submit">"Add step"</button>
            <Problem problem=problem />
        </form>
    }
}

#[component]
fn ReviewGoalForm(participant: ParticipantId, goal: GoalId, done: Callback<()>) -> impl IntoView {
    let key = format!("review_goal:{goal}");
    let form = draft::<ReviewForm>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let rating_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.rating.is_empty())
            .then(|| err(number(&f.rating, 0, 10)))
            .flatten()
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let Ok(rating) = number(&f.rating, 0, 10) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        submit(
            key.clone(),
            form,
            problem,
            "Review saved.",
            move || async move {
                let r = api::call(&ReviewGoal {
                    participant,
                    input: NewReview {
                        goal,
                        rating: rating as u8,
                        comment: f.comment.trim().into(),
                        next_review: None,
                    },
                })
                .await;
                if r.is_ok() {
                    done.run(());
                }
                r
            },
        );
    };
    view! {
        <form on:submit=save novalidate class="subform">
            <TextField
                label="How is it going? (0 to 10)"
                bind=bind!(form, rating)
                error=rating_err
                kind="number"
                hint="0 is not started, 10 is done"
                required=true
            />
            <TextField label="Comment, in their words" bind=bind!(form, comment) multiline=true />
            <Problem problem=problem />
            <div class="actions">
                <button type="submit" class="primary">"Save review"</button>
                <button type="button" on:click=move |_| done.run(())>{text::CANCEL}</button>
            </div>
        </form>
    }
}

#[component]
fn AddGoal(participant: ParticipantId) -> impl IntoView {
    let key = format!("add_goal:{participant}");
    let form = draft::<GoalForm>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let title_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.title.is_empty())
            .then(|| err(words(&f.title, 200, "the goal, in their words")))
            .flatten()
    });
    let pathway_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() && f.pathway.parse::<Pathway>().is_err())
            .then(|| "Choose a pathway".to_string())
    });
    let target_err = Signal::derive(move || err(day(&form.get().target)));
    let review_err = Signal::derive(move || err(day(&form.get().review_due)));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let (Ok(title), Ok(pathway), Ok(target), Ok(review)) = (
            words(&f.title, 200, "the goal"),
            f.pathway.parse::<Pathway>(),
            day(&f.target),
            day(&f.review_due),
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        submit(
            key.clone(),
            form,
            problem,
            "Goal added.",
            move || async move {
                api::call(&AddGoal {
                    participant,
                    input: NewGoal {
                        title,
                        pathway,
                        why_it_matters: f.why.trim().into(),
                        target_date: target,
                        review_due: review,
                    },
                })
                .await
            },
        );
    };
    view! {
        <section class="card" aria-labelledby="add-goal-h">
            <h2 id="add-goal-h">"Set a goal"</h2>
            <form on:submit=save novalidate>
                <TextField label="Goal, in their words" bind=bind!(form, title) error=title_err required=true />
                <Choice
                    label="Pathway"
                    bind=bind!(form, pathway)
                    options=options(Pathway::ALL, Pathway::as_str, text::pathway)
                    empty="Choose a pathway"
                />
                {move || pathway_err.get().map(|e| view! { <p class="field-error">{e}</p> })}
                <TextField label="Why it matters to them" bind=bind!(form, why) multiline=true />
                <TextField label="Aim to reach it by" bind=bind!(form, target) error=target_err kind="date" />
                <TextField label="Review it on" bind=bind!(form, review_due) error=review_err kind="date" />
                <Problem problem=problem />
                <button type="submit" class="primary">"Save goal"</button>
            </form>
        </section>
    }
}

// ----- Sessions -----

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
    fn input(&self) -> Result<NewSession, String> {
        let started_at = if self.started_at.trim().is_empty() {
            Ok(now())
        } else {
            when(&self.started_at)
        }?;
        let attendance: Attendance = self
            .attendance
            .parse()
            .map_err(|_| "Choose attendance".to_string())?;
        if attendance == Attendance::DidNotAttend && self.absence_reason.trim().is_empty() {
            return Err("Say why they did not attend, if known".into());
        }
        Ok(NewSession {
            started_at,
            duration_minutes: number(&self.duration, 1, 720)? as u32,
            mode: self
                .mode
                .parse()
                .map_err(|_| "Choose how you met".to_string())?,
            session_type: self
                .session_type
                .parse()
                .map_err(|_| "Choose the type".to_string())?,
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

fn sessions(participant: ParticipantId, v: &ParticipantView) -> AnyView {
    let problem = RwSignal::new(None::<String>);
    let items: Vec<(
        ParticipantId,
        SessionRecord,
        String,
        RwSignal<Option<String>>,
    )> = match &v.notes {
        None => vec![],
        Some(notes) => {
            let mut all: Vec<SessionRecord> = notes.sessions().into_values().collect();
            all.sort_by_key(|s| {
                std::cmp::Reverse(s.revisions.last().map(|r| r.content.started_at))
            });
            all.into_iter()
                .map(|s| {
                    let summary = v
                        .plan
                        .summaries
                        .get(&s.id.to_string())
                        .map(|x| x.summary.clone())
                        .unwrap_or_default();
                    (participant, s, summary, problem)
                })
                .collect()
        }
    };
    view! {
        <LogSession participant=participant />
        <Problem problem=problem />
        <h2>"Sessions"</h2>
        {if items.is_empty() {
            view! { <p class="quiet">"No sessions logged yet."</p> }.into_any()
        } else {
            paged(
                items,
                |(participant, session, summary, problem)| view! { <SessionCard participant=participant session=session summary=summary problem=problem /> }.into_any(),
                "Show older sessions",
            )
        }}
    }
    .into_any()
}

#[component]
fn SessionCard(
    participant: ParticipantId,
    session: SessionRecord,
    summary: String,
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
    let heading = format!("session-{id}");
    let heading_ref = heading.clone();
    view! {
        <article class="card" aria-labelledby=heading_ref>
            <h3 id=heading>{format!("{} · {} minutes", c.started_at.london_format("%a %-d %b %Y, %H:%M"), c.duration_minutes)}</h3>
            <p class="quiet">
                {format!("{} · {} · {}", text::mode(c.mode), text::session_type(c.session_type), text::attendance(c.attendance))}
                {c.mood_before.zip(c.mood_after).map(|(b, a)| format!(" · mood {b} → {a} (of 5)"))}
            </p>
            {(!c.topics.is_empty()).then(|| view! {
                <p>{format!("Topics: {}", c.topics.iter().map(|t| text::pathway(*t)).collect::<Vec<_>>().join(", "))}</p>
            })}
            {(!summary.is_empty()).then(|| view! { <p>{format!("Shared summary: {summary}")}</p> })}
            {(!c.private_notes.is_empty()).then(|| view! { <p class="private">{format!("Private notes: {}", c.private_notes)}</p> })}
            {s.addenda.iter().map(|a| view! { <p class="addendum">{format!("Addendum ({}): {}", a.created.at.london_format("%-d %b %Y"), a.text)}</p> }).collect_view()}
            <div class="actions">
                {if signed {
                    view! { <p class="ok">"Signed off."</p> }.into_any()
                } else {
                    view! {
                        <button
                            type="button"
                            on:click=move |_| act(problem, "Session signed off.", move || async move {
                                api::call(&SignOffSession { participant, input: SessionSignOff { session: id } }).await
                            })
                        >
                            "Sign off this session"
                        </button>
                    }
                        .into_any()
                }}
                <button type="button" on:click=move |_| adding.update(|a| *a = !*a)>"Add an addendum"</button>
            </div>
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
        match words(&form.get_untracked().text, 4000, "the addendum") {
            Err(e) => problem.set(Some(e)),
            Ok(t) => submit(
                key.clone(),
                form,
                problem,
                "Addendum added.",
                move || async move {
                    let r = api::call(&AddAddendum {
                        participant,
                        input: NewAddendum { session, text: t },
                    })
                    .await;
                    if r.is_ok() {
                        done.run(());
                    }
                    r
                },
            ),
        }
    };
    view! {
        <form class="subform" on:submit=save novalidate>
            <TextField label="Addendum" bind=bind!(form, text) multiline=true hint="Corrections and later additions are added here; the signed record does not change." />
            <Problem problem=problem />
            <button type="submit" class="primary">"Save addendum"</button>
        </form>
    }
}

#[component]
fn LogSession(participant: ParticipantId) -> impl IntoView {
    let key = format!("log_session:{participant}");
    let form = draft::<SessionForm>(key.clone());
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
        .then(|| "Say why they did not attend, if known".to_string())
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        match form.get_untracked().input() {
            Err(_) => problem.set(Some(text::FIX_ERRORS.into())),
            Ok(input) => submit(
                key.clone(),
                form,
                problem,
                "Session saved.",
                move || async move { api::call(&LogSession { participant, input }).await },
            ),
        }
    };
    let topic = move |p: Pathway| {
        let id = format!("topic-{}", p.as_str());
        let name = p.as_str().to_string();
        let name2 = name.clone();
        view! {
            <div class="check">
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
                <label for=id>{text::pathway(p)}</label>
            </div>
        }
    };
    view! {
        <section class="card" aria-labelledby="log-h">
            <h2 id="log-h">"Log a session"</h2>
            <form on:submit=save novalidate>
                <div class="row">
                    <TextField label="When" bind=bind!(form, started_at) error=when_err kind="datetime-local" hint="Leave empty for now" />
                    <TextField label="Duration (minutes)" bind=bind!(form, duration) error=duration_err kind="number" required=true />
                </div>
                <div class="row">
                    <Choice label="How you met" bind=bind!(form, mode) options=options(SessionMode::ALL, SessionMode::as_str, text::mode) />
                    <Choice label="Type" bind=bind!(form, session_type) options=options(SessionType::ALL, SessionType::as_str, text::session_type) />
                    <Choice label="Attendance" bind=bind!(form, attendance) options=options(Attendance::ALL, Attendance::as_str, text::attendance) />
                </div>
                {move || (form.with(|f| f.attendance == Attendance::DidNotAttend.as_str())).then(|| view! {
                    <TextField label="Why they did not attend" bind=bind!(form, absence_reason) error=reason_err />
                })}
                <fieldset>
                    <legend>"Topics"</legend>
                    <div class="checks">{Pathway::ALL.iter().map(|p| topic(*p)).collect_view()}</div>
                </fieldset>
                <div class="row">
                    <TextField label="Mood before (1 to 5)" bind=bind!(form, mood_before) error=before_err kind="number" />
                    <TextField label="Mood after (1 to 5)" bind=bind!(form, mood_after) error=after_err kind="number" />
                </div>
                <TextField label="Shared summary" bind=bind!(form, summary) multiline=true hint="The participant can read this" />
                <TextField label="Next steps" bind=bind!(form, next_steps) multiline=true hint="Agreed together; the participant can read this" />
                <TextField label="Private notes" bind=bind!(form, private_notes) multiline=true hint="Only mentors and coordinators see these" />
                <Problem problem=problem />
                <button type="submit" class="primary">"Save session"</button>
            </form>
        </section>
    }
}

// ----- Appointments -----

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

fn appointments(participant: ParticipantId, v: &ParticipantView) -> AnyView {
    let mut all: Vec<Appointment> = v.plan.appointments.values().cloned().collect();
    all.sort_by_key(|a| std::cmp::Reverse(a.starts_at));
    let problem = RwSignal::new(None::<String>);
    let items: Vec<(ParticipantId, Appointment, RwSignal<Option<String>>)> =
        all.into_iter().map(|a| (participant, a, problem)).collect();
    view! {
        <PlanAppointmentForm participant=participant />
        <Problem problem=problem />
        <h2>"Appointments"</h2>
        {if items.is_empty() {
            view! { <p class="quiet">"No appointments yet."</p> }.into_any()
        } else {
            paged(
                items,
                |(participant, appointment, problem)| view! { <AppointmentCard participant=participant appointment=appointment problem=problem /> }.into_any(),
                "Show older appointments",
            )
        }}
    }
    .into_any()
}

#[component]
fn AppointmentCard(
    participant: ParticipantId,
    appointment: Appointment,
    problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let a = appointment;
    let id = a.id;
    let recording = RwSignal::new(false);
    let heading = format!("appt-{id}");
    let heading_ref = heading.clone();
    let mut support = Vec::new();
    if a.support.reminder {
        support.push("reminder sent".to_string());
    }
    if a.support.travel_arranged {
        support.push("travel arranged".to_string());
    }
    if a.support.accompanied_by.is_some() {
        support.push("mentor went with them".to_string());
    }
    view! {
        <article class="card" aria-labelledby=heading_ref>
            <h3 id=heading>
                {format!("{} · {}", a.starts_at.london_format("%a %-d %b %Y, %H:%M"), text::appointment_kind(a.kind))}
            </h3>
            <p class="quiet">
                {format!(
                    "{}{}{}",
                    text::appointment_status(a.status),
                    if a.with_whom.is_empty() { String::new() } else { format!(" · with {}", a.with_whom) },
                    if a.location.is_empty() { String::new() } else { format!(" · at {}", a.location) },
                )}
            </p>
            {(!support.is_empty()).then(|| view! { <p>{format!("Support: {}", support.join(", "))}</p> })}
            {(!a.outcome.is_empty()).then(|| view! { <p>{format!("Outcome: {}", a.outcome)}</p> })}
            {(a.expenses_pence > 0).then(|| view! { <p>{format!("Travel expenses: £{}.{:02}", a.expenses_pence / 100, a.expenses_pence % 100)}</p> })}
            {a.follow_up.clone().map(|f| {
                let done = f.done;
                view! {
                    <p>
                        {format!("Follow-up: {}{}", f.text, if done { " (done)" } else { "" })}
                    </p>
                    {(!done).then(|| view! {
                        <button
                            type="button"
                            on:click=move |_| act(problem, "Follow-up done.", move || async move {
                                api::call(&CompleteFollowUp { participant, input: FollowUpDone { appointment: id } }).await
                            })
                        >
                            "Mark follow-up done"
                        </button>
                    })}
                }
            })}
            <div class="actions">
                <button type="button" on:click=move |_| recording.update(|r| *r = !*r)>"Record what happened"</button>
            </div>
            {move || recording.get().then(|| view! { <OutcomeFormView participant=participant appointment=id done=Callback::new(move |_| recording.set(false)) /> })}
        </article>
    }
}

#[component]
fn OutcomeFormView(
    participant: ParticipantId,
    appointment: AppointmentId,
    done: Callback<()>,
) -> impl IntoView {
    let key = format!("outcome:{appointment}");
    let form = draft::<OutcomeForm>(key.clone());
    if form.get_untracked().status.is_empty() {
        form.update(|f| f.status = AppointmentStatus::Attended.as_str().into());
    }
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
        submit(
            key.clone(),
            form,
            problem,
            "Appointment updated.",
            move || async move {
                let r = api::call(&RecordAppointmentOutcome {
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
                .await;
                if r.is_ok() {
                    done.run(());
                }
                r
            },
        );
    };
    view! {
        <form class="subform" on:submit=save novalidate>
            <Choice label="What happened" bind=bind!(form, status) options=options(AppointmentStatus::ALL, AppointmentStatus::as_str, text::appointment_status) />
            <Check label="I went with them" bind=bind!(form, went_with_them) />
            <TextField label="Outcome" bind=bind!(form, outcome) multiline=true />
            <TextField label="Travel expenses (£)" bind=bind!(form, expenses) error=expenses_err hint="For example 4.50" />
            <TextField label="Follow-up" bind=bind!(form, follow_up) />
            <TextField label="Follow-up due" bind=bind!(form, follow_up_due) error=due_err kind="date" />
            <Problem problem=problem />
            <div class="actions">
                <button type="submit" class="primary">"Save what happened"</button>
                <button type="button" on:click=move |_| done.run(())>{text::CANCEL}</button>
            </div>
        </form>
    }
}

#[component]
fn PlanAppointmentForm(participant: ParticipantId) -> impl IntoView {
    let ctx = ctx();
    let key = format!("plan_appointment:{participant}");
    let form = draft::<AppointmentForm>(key.clone());
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
            .then(|| "Choose what kind of appointment".to_string())
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
            problem,
            "Appointment planned.",
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
            <h2 id="plan-h">"Plan an appointment"</h2>
            <form on:submit=save novalidate>
                <div class="row">
                    <TextField label="Date and time" bind=bind!(form, starts_at) error=when_err kind="datetime-local" required=true />
                    <Choice label="Kind of appointment" bind=bind!(form, kind) options=options(AppointmentKind::ALL, AppointmentKind::as_str, text::appointment_kind) empty="Choose" />
                </div>
                {move || kind_err.get().map(|e| view! { <p class="field-error">{e}</p> })}
                <div class="row">
                    <TextField label="With whom" bind=bind!(form, with_whom) />
                    <TextField label="Where" bind=bind!(form, location) />
                </div>
                <fieldset>
                    <legend>"Support"</legend>
                    <Check label="Send a reminder" bind=bind!(form, reminder) />
                    <Check label="Travel arranged" bind=bind!(form, travel_arranged) />
                    <Check label="I will go with them" bind=bind!(form, accompany) />
                </fieldset>
                <Problem problem=problem />
                <button type="submit" class="primary">"Save appointment"</button>
            </form>
        </section>
    }
}

// ----- Achievements and progressions -----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct AchievementForm {
    kind: String,
    title: String,
    date: String,
    organisation: String,
}

fn achievements(participant: ParticipantId, v: &ParticipantView) -> AnyView {
    let mut list: Vec<Achievement> = v.plan.achievements.values().cloned().collect();
    list.sort_by_key(|a| std::cmp::Reverse(a.date));
    let mut progressions: Vec<Progression> = v.plan.progressions.values().cloned().collect();
    progressions.sort_by_key(|p| std::cmp::Reverse(p.start_date));
    view! {
        <div class="grid">
            <section class="card" aria-labelledby="ach-h">
                <h2 id="ach-h">"Achievements"</h2>
                {if list.is_empty() {
                    view! { <p class="quiet">"None recorded yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="rows">
                            {list.into_iter().map(|a| view! {
                                <li>
                                    <span class="when">{a.date.format("%-d %b %Y")}</span>
                                    <span>{format!("{}: {}", text::achievement_kind(a.kind), a.title)}</span>
                                    {(!a.organisation.is_empty()).then(|| view! { <span class="quiet">{a.organisation.clone()}</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
            <section class="card" aria-labelledby="prog-h">
                <h2 id="prog-h">"Progressions"</h2>
                {if progressions.is_empty() {
                    view! { <p class="quiet">"None recorded yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="rows">
                            {progressions.into_iter().map(|p| view! {
                                <li>
                                    <span class="when">{p.start_date.format("%-d %b %Y")}</span>
                                    <span>{format!("{}: {}", text::progression_kind(p.kind), p.description)}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
        </div>
        <RecordAchievementForm participant=participant />
        <RecordProgressionForm participant=participant />
    }
    .into_any()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ProgressionForm {
    kind: String,
    description: String,
    organisation: String,
    start: String,
}

#[component]
fn RecordProgressionForm(participant: ParticipantId) -> impl IntoView {
    let key = format!("record_progression:{participant}");
    let form = draft::<ProgressionForm>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let desc_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.description.is_empty())
            .then(|| err(words(&f.description, 200, "what they moved into")))
            .flatten()
    });
    let start_err = Signal::derive(move || err(day(&form.get().start)));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let (Ok(kind), Ok(description), Ok(start)) = (
            f.kind.parse::<ProgressionKind>(),
            words(&f.description, 200, "it"),
            day(&f.start),
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        let start_date = start.unwrap_or_else(|| now().london_day());
        submit(
            key.clone(),
            form,
            problem,
            "Progression recorded.",
            move || async move {
                api::call(&RecordProgression {
                    participant,
                    input: NewProgression {
                        kind,
                        description,
                        organisation: f.organisation.trim().into(),
                        start_date,
                    },
                })
                .await
            },
        );
    };
    view! {
        <section class="card" aria-labelledby="rec-prog-h">
            <h2 id="rec-prog-h">"Record a progression"</h2>
            <form on:submit=save novalidate>
                <Choice
                    label="Into"
                    bind=bind!(form, kind)
                    options=options(ProgressionKind::ALL, ProgressionKind::as_str, text::progression_kind)
                    empty="Choose"
                />
                <TextField label="Job, course or placement" bind=bind!(form, description) error=desc_err required=true />
                <TextField label="Employer or provider" bind=bind!(form, organisation) />
                <TextField label="Start date" bind=bind!(form, start) error=start_err kind="date" hint="Leave empty for today" />
                <Problem problem=problem />
                <button type="submit" class="primary">"Save progression"</button>
            </form>
        </section>
    }
}

#[component]
fn RecordAchievementForm(participant: ParticipantId) -> impl IntoView {
    let key = format!("record_achievement:{participant}");
    let form = draft::<AchievementForm>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let title_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.title.is_empty())
            .then(|| err(words(&f.title, 200, "what they achieved")))
            .flatten()
    });
    let date_err = Signal::derive(move || err(day(&form.get().date)));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let (Ok(kind), Ok(title), Ok(date)) = (
            f.kind.parse::<AchievementKind>(),
            words(&f.title, 200, "it"),
            day(&f.date),
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        let date = date.unwrap_or_else(|| now().london_day());
        submit(
            key.clone(),
            form,
            problem,
            "Achievement recorded.",
            move || async move {
                api::call(&RecordAchievement {
                    participant,
                    input: NewAchievement {
                        kind,
                        title,
                        date,
                        organisation: f.organisation.trim().into(),
                        level: String::new(),
                        certificate: false,
                        hours: None,
                    },
                })
                .await
            },
        );
    };
    view! {
        <section class="card" aria-labelledby="rec-ach-h">
            <h2 id="rec-ach-h">"Record an achievement"</h2>
            <form on:submit=save novalidate>
                <Choice label="Kind" bind=bind!(form, kind) options=options(AchievementKind::ALL, AchievementKind::as_str, text::achievement_kind) empty="Choose" />
                <TextField label="What they achieved" bind=bind!(form, title) error=title_err required=true />
                <TextField label="Organisation or awarding body" bind=bind!(form, organisation) />
                <TextField label="Date" bind=bind!(form, date) error=date_err kind="date" hint="Leave empty for today" />
                <Problem problem=problem />
                <button type="submit" class="primary">"Save achievement"</button>
            </form>
        </section>
    }
}

// ----- Check-ins -----

fn checkins(participant: ParticipantId, v: &ParticipantView) -> AnyView {
    let mut all: Vec<CheckIn> = v.plan.checkins.values().cloned().collect();
    all.sort_by_key(|c| c.created.at);
    view! {
        <section class="card" aria-labelledby="dist-h">
            <h2 id="dist-h">"Distance travelled"</h2>
            {chart(&all)}
        </section>
        <CheckInForm participant=participant pathways=v.plan.profile.pathways.clone() />
    }
    .into_any()
}

/// A line chart of the average self-assessment score per check-in (0–10), with a text
/// equivalent for screen readers.
fn chart(all: &[CheckIn]) -> AnyView {
    if all.is_empty() {
        return view! { <p class="quiet">"No check-ins yet. The first one sets the starting point."</p> }.into_any();
    }
    let points: Vec<(String, f64)> = all
        .iter()
        .map(|c| {
            let n = c.scores.len().max(1) as f64;
            let avg = c.scores.values().map(|s| f64::from(*s)).sum::<f64>() / n;
            (c.created.at.london_format("%-d %b %Y"), avg)
        })
        .collect();
    let (w, h, pad) = (600.0, 220.0, 30.0);
    let step = if points.len() > 1 {
        (w - 2.0 * pad) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let xy: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| (pad + step * i as f64, h - pad - v / 10.0 * (h - 2.0 * pad)))
        .collect();
    let line = xy
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let first = points.first().map(|p| p.1).unwrap_or_default();
    let last = points.last().map(|p| p.1).unwrap_or_default();
    let summary = format!(
        "{} check-ins. Average score went from {:.1} to {:.1} out of 10.",
        points.len(),
        first,
        last
    );
    view! {
        <figure>
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=summary.clone() class="chart">
                <line x1=pad y1=h - pad x2=w - pad y2=h - pad class="axis" />
                <line x1=pad y1=pad x2=pad y2=h - pad class="axis" />
                <text x="2" y=pad + 4.0 class="tick">"10"</text>
                <text x="8" y=h - pad + 4.0 class="tick">"0"</text>
                <polyline points=line class="series" />
                {xy.iter().map(|(x, y)| view! { <circle cx=*x cy=*y r="5" class="dot" /> }).collect_view()}
            </svg>
            <figcaption>{summary}</figcaption>
        </figure>
        <table class="compact">
            <caption>"Check-ins"</caption>
            <thead><tr><th scope="col">"Date"</th><th scope="col">"Average (of 10)"</th></tr></thead>
            <tbody>
                {points.into_iter().map(|(d, v)| view! { <tr><td>{d}</td><td>{format!("{v:.1}")}</td></tr> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct CheckInFormState {
    scores: Vec<(String, String)>,
    comment: String,
}

#[component]
fn CheckInForm(participant: ParticipantId, pathways: Vec<Pathway>) -> impl IntoView {
    let key = format!("checkin:{participant}");
    let form = draft::<CheckInFormState>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let shown: Vec<Pathway> = if pathways.is_empty() {
        Pathway::ALL.to_vec()
    } else {
        pathways
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        let mut scores = Vec::new();
        for (p, s) in &f.scores {
            if s.trim().is_empty() {
                continue;
            }
            match (p.parse::<Pathway>(), number(s, 0, 10)) {
                (Ok(pathway), Ok(score)) => scores.push(PathwayScore {
                    pathway,
                    score: score as u8,
                }),
                _ => {
                    problem.set(Some("Each score is a number from 0 to 10.".into()));
                    return;
                }
            }
        }
        if scores.is_empty() {
            problem.set(Some("Give at least one score.".into()));
            return;
        }
        submit(
            key.clone(),
            form,
            problem,
            "Check-in saved.",
            move || async move {
                api::call(&RecordCheckIn {
                    participant,
                    input: NewCheckIn {
                        scores,
                        comment: f.comment.trim().into(),
                    },
                })
                .await
            },
        );
    };
    let score_field = move |p: Pathway| {
        let name = p.as_str().to_string();
        let (n1, n2) = (name.clone(), name.clone());
        let value = Signal::derive(move || {
            form.with(|f| {
                f.scores
                    .iter()
                    .find(|(k, _)| *k == n1)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            })
        });
        let set = Callback::new(move |v: String| {
            let name = n2.clone();
            form.update(|f| {
                f.scores.retain(|(k, _)| *k != name);
                f.scores.push((name, v));
            })
        });
        let error = Signal::derive(move || err(optional_number(&value.get(), 0, 10)));
        view! { <TextField label=text::pathway(p) bind=(value, set) error=error kind="number" /> }
    };
    view! {
        <section class="card" aria-labelledby="ci-h">
            <h2 id="ci-h">"New check-in"</h2>
            <p>"How are things going, from 0 (hard) to 10 (really good)?"</p>
            <form on:submit=save novalidate>
                <div class="row wrap">{shown.into_iter().map(score_field).collect_view()}</div>
                <TextField label="Anything to add, in their words" bind=bind!(form, comment) multiline=true />
                <Problem problem=problem />
                <button type="submit" class="primary">"Save check-in"</button>
            </form>
        </section>
    }
}

// ----- Concerns -----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ConcernForm {
    category: String,
    urgency: String,
    description: String,
}

fn concerns(participant: ParticipantId, v: &ParticipantView) -> AnyView {
    let list: Vec<Concern> = v
        .restricted
        .as_ref()
        .map(|r| {
            let mut c: Vec<Concern> = r.concerns.values().cloned().collect();
            c.sort_by_key(|c| std::cmp::Reverse(c.raised.at));
            c
        })
        .unwrap_or_default();
    let can_see = v.restricted.is_some();
    view! {
        <RaiseConcernForm participant=participant />
        {can_see.then(|| view! {
            <section class="card" aria-labelledby="concerns-h">
                <h2 id="concerns-h">"Safeguarding concerns"</h2>
                {if list.is_empty() {
                    view! { <p class="quiet">"No concerns raised."</p> }.into_any()
                } else {
                    view! {
                        <ul class="rows">
                            {list.into_iter().map(|c| view! {
                                <li>
                                    <span class="when">{c.raised.at.london_format("%-d %b %Y")}</span>
                                    <span>{format!("{} · {} urgency · {}", text::concern_category(c.category), text::urgency(c.urgency), text::concern_status(c.status))}</span>
                                    <span>{c.description.clone()}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
        })}
    }
    .into_any()
}

#[component]
fn RaiseConcernForm(participant: ParticipantId) -> impl IntoView {
    let key = format!("raise_concern:{participant}");
    let form = draft::<ConcernForm>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let desc_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.description.is_empty())
            .then(|| {
                err(words(
                    &f.description,
                    4000,
                    "what happened and what worries you",
                ))
            })
            .flatten()
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let (Ok(category), Ok(urgency), Ok(description)) = (
            f.category.parse::<ConcernCategory>(),
            f.urgency.parse::<Urgency>(),
            words(&f.description, 4000, "it"),
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        submit(
            key.clone(),
            form,
            problem,
            "Concern raised. The coordinator sees it at the next sync.",
            move || async move {
                api::call(&RaiseConcern {
                    participant,
                    input: NewConcern {
                        category,
                        urgency,
                        description,
                    },
                })
                .await
            },
        );
    };
    view! {
        <section class="card" aria-labelledby="raise-h">
            <h2 id="raise-h">"Raise a safeguarding concern"</h2>
            <p>"If someone is in danger now, call 999 first."</p>
            <form on:submit=save novalidate>
                <div class="row">
                    <Choice label="Category" bind=bind!(form, category) options=options(ConcernCategory::ALL, ConcernCategory::as_str, text::concern_category) empty="Choose" />
                    <Choice label="Urgency" bind=bind!(form, urgency) options=options(Urgency::ALL, Urgency::as_str, text::urgency) empty="Choose" />
                </div>
                <TextField label="What happened" bind=bind!(form, description) error=desc_err multiline=true required=true />
                <Problem problem=problem />
                <button type="submit" class="primary">"Raise concern"</button>
            </form>
        </section>
    }
}
