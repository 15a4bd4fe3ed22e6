//! Goals: steps, progress reviews with the 0–10 rating, the participant's sign-off, and
//! changing a goal (marking it achieved or stopped).

use leptos::prelude::*;
use onward_api::ids::*;
use onward_api::input::*;
use onward_api::model::*;
use onward_api::vocab::*;
use onward_api::*;
use serde::{Deserialize, Serialize};

use super::*;

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

pub(super) fn goals(record: Record) -> AnyView {
    let problem = RwSignal::new(None::<String>);
    let ids = record.part(|v| {
        let mut goals: Vec<&Goal> = v.plan.goals.values().collect();
        goals.sort_by_key(|g| (g.status != GoalStatus::Active, g.created.at));
        goals.into_iter().map(|g| g.id).collect::<Vec<_>>()
    });
    view! {
        <Problem problem=problem />
        {move || ids.with(Vec::is_empty).then(|| view! { <p class="quiet">{text::goals::NONE}</p> })}
        <div class="stack">
            <For each=move || ids.get() key=|id| *id let:id>
                <GoalCard record=record goal=id problem=problem />
            </For>
        </div>
        <AddGoal record=record />
    }
    .into_any()
}

/// The parts of a goal that differ, named for people.
fn goal_changes(a: &Goal, b: &Goal) -> Vec<&'static str> {
    use text::changed::*;
    [
        (a.title != b.title || a.pathway != b.pathway, TITLE),
        (a.why_it_matters != b.why_it_matters, WHY),
        (
            a.target_date != b.target_date || a.review_due != b.review_due,
            DATES,
        ),
        (a.status != b.status, STATUS),
        (a.steps != b.steps, STEPS),
        (a.reviews != b.reviews, REVIEWS),
        (a.sign_off != b.sign_off, SIGN_OFF),
    ]
    .into_iter()
    .filter_map(|(changed, part)| changed.then_some(part))
    .collect()
}

/// One goal. The card is kept while the goal is listed; what it shows draws again when the
/// goal changes, and the forms inside (add a step, review, change) stay open.
#[component]
fn GoalCard(record: Record, goal: GoalId, problem: RwSignal<Option<String>>) -> impl IntoView {
    let participant = record.participant;
    let goal_id = goal;
    let current = record.part(move |v| v.plan.goals.get(&goal_id.to_string()).cloned());
    let heading = format!("goal-{goal_id}");
    let reviewing = RwSignal::new(false);
    let changing = RwSignal::new(false);
    let steps = Memo::new(move |_| {
        current.with(|g| {
            g.as_ref()
                .map(|g| g.steps.iter().map(|s| s.id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let step = move |step: StepId| {
        let this = Memo::new(move |_| {
            current.with(|g| {
                g.as_ref()
                    .and_then(|g| g.steps.iter().find(|s| s.id == step))
                    .map(|s| (text::bracketed(&s.text, &s.by_whom), s.done.is_some()))
            })
        });
        let id = format!("step-{step}");
        view! {
            <li>
                <label class="check" for=id.clone()>
                    <input
                        type="checkbox"
                        id=id.clone()
                        prop:checked=move || this.with(|s| s.as_ref().is_some_and(|s| s.1))
                        on:change=move |ev| {
                            let done = event_target_checked(&ev);
                            act(problem, if done { text::goals::TICKED } else { text::goals::UNTICKED }, move || async move {
                                api::call(&TickStep { participant, input: StepTick { goal: goal_id, step, done } }).await
                            });
                        }
                    />
                    <span>{move || this.with(|s| s.as_ref().map(|s| s.0.clone()))}</span>
                </label>
            </li>
        }
    };
    let top = move || {
        current.with(|g| {
            g.as_ref().map(|g| {
                view! {
                    <h2 id=format!("goal-{goal_id}")>{g.title.clone()}</h2>
                    <p class="quiet">
                        {text::dotted(&[
                            text::pathway(g.pathway),
                            text::goal_status(g.status),
                            &g.target_date.map(|d| text::aim_for(&d.format("%-d %b %Y"))).unwrap_or_default(),
                        ])}
                    </p>
                    {(!g.why_it_matters.is_empty()).then(|| view! { <p>{text::labelled(text::WHY_IT_MATTERS, &g.why_it_matters)}</p> })}
                }
            })
        })
    };
    let reviews = move || {
        current.with(|g| {
            let g = g.as_ref()?;
            let mut reviews: Vec<&Review> = g.reviews.values().collect();
            reviews.sort_by_key(|r| r.created.at);
            let latest = reviews.last().map(|r| r.rating);
            Some(view! {
                <p>
                    {match latest {
                        Some(r) => text::latest_review(r, reviews.len()),
                        None => text::goals::NOT_REVIEWED.to_string(),
                    }}
                </p>
                {reviews.last().filter(|r| !r.comment.is_empty()).map(|r| view! { <blockquote>{r.comment.clone()}</blockquote> })}
            })
        })
    };
    let active = Memo::new(move |_| {
        current.with(|g| g.as_ref().is_some_and(|g| g.status == GoalStatus::Active))
    });
    let signed =
        Memo::new(move |_| current.with(|g| g.as_ref().is_some_and(|g| g.sign_off.is_some())));
    let watched = record.watch(move |v| v.plan.goals.get(&goal_id.to_string()).cloned());
    view! {
        <article class="card goal" aria-labelledby=heading>
            {top}
            <h3>{text::goals::STEPS}</h3>
            <ul class="steps">
                <For each=move || steps.get() key=|s| *s let:s>
                    {step(s)}
                </For>
            </ul>
            <AddStep record=record goal=goal_id watched=watched />
            {reviews}
            <div class="actions">
                <button type="button" on:click=move |_| reviewing.update(|r| *r = !*r)>{text::goals::REVIEW}</button>
                {move || active.get().then(|| view! {
                    <button
                        type="button"
                        on:click=move |_| act(problem, text::goals::ACHIEVED, move || async move {
                            api::call(&UpdateGoal { participant, input: GoalChange::status(goal_id, GoalStatus::Achieved) }).await
                        })
                    >
                        {text::goals::MARK_ACHIEVED}
                    </button>
                })}
                <button type="button" on:click=move |_| changing.update(|c| *c = !*c)>{text::goals::CHANGE}</button>
                {move || if signed.get() {
                    view! { <p class="ok">{text::goals::SIGNED}</p> }.into_any()
                } else {
                    view! {
                        <button
                            type="button"
                            on:click=move |_| act(problem, text::goals::SIGNED_OFF, move || async move {
                                api::call(&SignOffGoal { participant, input: GoalSignOff { goal: goal_id } }).await
                            })
                        >
                            {text::goals::SIGN_OFF}
                        </button>
                    }
                        .into_any()
                }}
            </div>
            {move || reviewing.get().then(|| view! { <ReviewGoalForm record=record goal=goal_id watched=watched done=Callback::new(move |_| reviewing.set(false)) /> })}
            // The edit form starts from the goal as it was when the form opened.
            {move || changing.get().then(|| {
                let now = current.get_untracked().map(|g| GoalEditForm::of(&g));
                now.map(|now| view! {
                    <GoalEdit record=record goal=goal_id current=now watched=watched done=Callback::new(move |_| changing.set(false)) />
                })
            })}
        </article>
    }
}

#[component]
fn AddStep(record: Record, goal: GoalId, watched: Watched<Goal>) -> impl IntoView {
    let participant = record.participant;
    let key = format!("add_step:{goal}");
    let form = draft::<StepForm>(key.clone());
    let typing = Signal::derive(move || form.with(|f| !f.text.is_empty()));
    let problem = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        match words(&f.text, Field::Step, text::goals::STEP_WHAT) {
            Err(e) => problem.set(Some(e)),
            Ok(text_) => submit(
                key.clone(),
                form,
                None,
                problem,
                text::goals::STEP_ADDED,
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
        {changed_notice(text::changed::THIS_GOAL, watched, typing, goal_changes)}
        <form class="inline" on:submit=save novalidate>
            <TextField label={text::goals::NEW_STEP} bind=bind!(form, text) />
            <button type="submit">{text::goals::ADD_STEP}</button>
            <Problem problem=problem />
        </form>
    }
}

#[component]
fn ReviewGoalForm(
    record: Record,
    goal: GoalId,
    watched: Watched<Goal>,
    done: Callback<()>,
) -> impl IntoView {
    let participant = record.participant;
    let key = format!("review_goal:{goal}");
    let form = draft::<ReviewForm>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let rating_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.rating.is_empty())
            .then(|| err(number(&f.rating, Field::Rating)))
            .flatten()
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let Ok(rating) = number(&f.rating, Field::Rating) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        save_and_close(
            key.clone(),
            problem,
            text::goals::REVIEW_SAVED,
            done,
            move || async move {
                api::call(&ReviewGoal {
                    participant,
                    input: NewReview {
                        goal,
                        rating: rating as u8,
                        comment: f.comment.trim().into(),
                        next_review: None,
                    },
                })
                .await
            },
        );
    };
    view! {
        <form on:submit=save novalidate class="subform">
            {changed_notice(text::changed::THIS_GOAL, watched, Signal::stored(true), goal_changes)}
            <TextField
                label={text::goals::RATING}
                bind=bind!(form, rating)
                error=rating_err
                kind="number"
                hint={text::goals::RATING_HINT}
                required=true
            />
            <TextField label={text::goals::COMMENT} bind=bind!(form, comment) multiline=true />
            <Problem problem=problem />
            <div class="actions">
                <button type="submit" class="primary">{text::goals::SAVE_REVIEW}</button>
                <button type="button" on:click=move |_| done.run(())>{text::CANCEL}</button>
            </div>
        </form>
    }
}

#[component]
fn AddGoal(record: Record) -> impl IntoView {
    let participant = record.participant;
    let key = format!("add_goal:{participant}");
    let form = draft::<GoalForm>(key.clone());
    let typing = Signal::derive(move || form.with(|f| *f != GoalForm::default()));
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let title_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.title.is_empty())
            .then(|| err(words(&f.title, Field::GoalTitle, text::goals::TITLE_WHAT)))
            .flatten()
    });
    let pathway_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() && f.pathway.parse::<Pathway>().is_err())
            .then(|| text::goals::CHOOSE_PATHWAY.to_string())
    });
    let target_err = Signal::derive(move || err(day(&form.get().target)));
    let review_err = Signal::derive(move || err(day(&form.get().review_due)));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let (Ok(title), Ok(pathway), Ok(target), Ok(review)) = (
            words(&f.title, Field::GoalTitle, text::goals::TITLE_SHORT),
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
            Some(touched),
            problem,
            text::goals::ADDED,
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
            <h2 id="add-goal-h">{text::goals::SET}</h2>
            <form on:submit=save novalidate>
                {changed_notice(text::changed::THIS_RECORD, record.watch_all(), typing, sections_changed)}
                <TextField label={text::goals::TITLE} bind=bind!(form, title) error=title_err required=true />
                <Choice
                    label={text::goals::PATHWAY}
                    bind=bind!(form, pathway)
                    options=options(Pathway::ALL, Pathway::as_str, text::pathway)
                    empty={text::goals::CHOOSE_PATHWAY}
                />
                {move || pathway_err.get().map(|e| view! { <p class="field-error">{e}</p> })}
                <TextField label={text::goals::WHY} bind=bind!(form, why) multiline=true />
                <TextField label={text::goals::TARGET} bind=bind!(form, target) error=target_err kind="date" />
                <TextField label={text::goals::REVIEW_ON} bind=bind!(form, review_due) error=review_err kind="date" />
                <Problem problem=problem />
                <button type="submit" class="primary">{text::goals::SAVE}</button>
            </form>
        </section>
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct GoalEditForm {
    title: String,
    why: String,
    target: String,
    review_due: String,
    status: String,
}

impl GoalEditForm {
    fn of(g: &Goal) -> Self {
        let date = |d: Option<onward_api::time::Day>| d.map(|d| d.to_string()).unwrap_or_default();
        GoalEditForm {
            title: g.title.clone(),
            why: g.why_it_matters.clone(),
            target: date(g.target_date),
            review_due: date(g.review_due),
            status: g.status.as_str().into(),
        }
    }
}

#[component]
fn GoalEdit(
    record: Record,
    goal: GoalId,
    current: GoalEditForm,
    watched: Watched<Goal>,
    done: Callback<()>,
) -> impl IntoView {
    let participant = record.participant;
    let key = format!("update_goal:{goal}");
    let form = draft_from(key.clone(), current.clone());
    let problem = RwSignal::new(None::<String>);
    let title_err = Signal::derive(move || {
        err(words(
            &form.get().title,
            Field::GoalTitle,
            text::goals::TITLE_WHAT,
        ))
    });
    let target_err = Signal::derive(move || err(day(&form.get().target)));
    let review_err = Signal::derive(move || err(day(&form.get().review_due)));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        let (Ok(title), Ok(target), Ok(review), Ok(status)) = (
            words(&f.title, Field::GoalTitle, text::goals::TITLE_SHORT),
            day(&f.target),
            day(&f.review_due),
            f.status.parse::<GoalStatus>(),
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        // Only what changed is sent, so an edit on another tablet to another field stays.
        let changed =
            |new: &str, old: &str| (new.trim() != old.trim()).then(|| new.trim().to_string());
        let input = GoalChange {
            goal,
            title: changed(&title, &current.title),
            why_it_matters: changed(&f.why, &current.why),
            target_date: (f.target != current.target).then_some(target).flatten(),
            review_due: (f.review_due != current.review_due)
                .then_some(review)
                .flatten(),
            status: (f.status != current.status).then_some(status),
        };
        save_and_close(
            key.clone(),
            problem,
            text::goals::CHANGED,
            done,
            move || async move { api::call(&UpdateGoal { participant, input }).await },
        );
    };
    view! {
        <form class="subform" on:submit=save novalidate>
            {changed_notice(text::changed::THIS_GOAL, watched, Signal::stored(true), goal_changes)}
            <TextField label={text::goals::TITLE} bind=bind!(form, title) error=title_err required=true />
            <TextField label={text::goals::WHY} bind=bind!(form, why) multiline=true />
            <TextField label={text::goals::TARGET} bind=bind!(form, target) error=target_err kind="date" />
            <TextField label={text::goals::REVIEW_ON} bind=bind!(form, review_due) error=review_err kind="date" />
            <Choice label={text::goals::STATUS} bind=bind!(form, status) options=options(GoalStatus::ALL, GoalStatus::as_str, text::goal_status) />
            <Problem problem=problem />
            <div class="actions">
                <button type="submit" class="primary">{text::SAVE_CHANGES}</button>
                <button type="button" on:click=move |_| done.run(())>{text::CANCEL}</button>
            </div>
        </form>
    }
}
