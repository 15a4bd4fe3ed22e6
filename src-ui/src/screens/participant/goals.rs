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

pub(super) fn goals(participant: ParticipantId, v: &ParticipantView) -> AnyView {
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
            view! { <p class="quiet">{text::goals::NONE}</p> }.into_any()
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
    let changing = RwSignal::new(false);
    let active = g.status == GoalStatus::Active;
    let current = StoredValue::new(GoalEditForm::of(&g));
    let steps = g
        .steps
        .iter()
        .map(|s| {
            let step = s.id;
            let done = s.done.is_some();
            let label = text::bracketed(&s.text, &s.by_whom);
            let id = format!("step-{step}");
            view! {
                <li>
                    <label class="check" for=id.clone()>
                        <input
                            type="checkbox"
                            id=id.clone()
                            prop:checked=done
                            on:change=move |ev| {
                                let done = event_target_checked(&ev);
                                act(problem, if done { text::goals::TICKED } else { text::goals::UNTICKED }, move || async move {
                                    api::call(&TickStep { participant, input: StepTick { goal: goal_id, step, done } }).await
                                });
                            }
                        />
                        <span>{label}</span>
                    </label>
                </li>
            }
        })
        .collect_view();
    view! {
        <article class="card goal" aria-labelledby=heading_ref>
            <h2 id=heading>{g.title.clone()}</h2>
            <p class="quiet">
                {text::dotted(&[
                    text::pathway(g.pathway),
                    text::goal_status(g.status),
                    &g.target_date.map(|d| text::aim_for(&d.format("%-d %b %Y"))).unwrap_or_default(),
                ])}
            </p>
            {(!g.why_it_matters.is_empty()).then(|| view! { <p>{text::labelled(text::WHY_IT_MATTERS, &g.why_it_matters)}</p> })}
            <h3>{text::goals::STEPS}</h3>
            <ul class="steps">{steps}</ul>
            <AddStep participant=participant goal=goal_id />
            <p>
                {match latest {
                    Some(r) => text::latest_review(r, reviews.len()),
                    None => text::goals::NOT_REVIEWED.to_string(),
                }}
            </p>
            {reviews.last().filter(|r| !r.comment.is_empty()).map(|r| view! { <blockquote>{r.comment.clone()}</blockquote> })}
            <div class="actions">
                <button type="button" on:click=move |_| reviewing.update(|r| *r = !*r)>{text::goals::REVIEW}</button>
                {active.then(|| view! {
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
                {if signed {
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
            {move || reviewing.get().then(|| view! { <ReviewGoalForm participant=participant goal=goal_id done=Callback::new(move |_| reviewing.set(false)) /> })}
            {move || changing.get().then(|| view! {
                <GoalEdit participant=participant goal=goal_id current=current.get_value() done=Callback::new(move |_| changing.set(false)) />
            })}
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
        match words(&f.text, 200, text::goals::STEP_WHAT) {
            Err(e) => problem.set(Some(e)),
            Ok(text_) => submit(
                key.clone(),
                form,
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
        <form class="inline" on:submit=save novalidate>
            <TextField label={text::goals::NEW_STEP} bind=bind!(form, text) />
            <button type="submit">{text::goals::ADD_STEP}</button>
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
fn AddGoal(participant: ParticipantId) -> impl IntoView {
    let key = format!("add_goal:{participant}");
    let form = draft::<GoalForm>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let title_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.title.is_empty())
            .then(|| err(words(&f.title, 200, text::goals::TITLE_WHAT)))
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
            words(&f.title, 200, text::goals::TITLE_SHORT),
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
    participant: ParticipantId,
    goal: GoalId,
    current: GoalEditForm,
    done: Callback<()>,
) -> impl IntoView {
    let key = format!("update_goal:{goal}");
    let form = draft_from(key.clone(), current.clone());
    let problem = RwSignal::new(None::<String>);
    let title_err =
        Signal::derive(move || err(words(&form.get().title, 200, text::goals::TITLE_WHAT)));
    let target_err = Signal::derive(move || err(day(&form.get().target)));
    let review_err = Signal::derive(move || err(day(&form.get().review_due)));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        let (Ok(title), Ok(target), Ok(review), Ok(status)) = (
            words(&f.title, 200, text::goals::TITLE_SHORT),
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
