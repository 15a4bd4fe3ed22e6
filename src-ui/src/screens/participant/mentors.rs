//! For coordinators: a participant's mentors as the office last said, assigning another (from
//! a list showing each mentor's caseload size and clearance) and unassigning one. Orders wait
//! on this device until the next sync, and the office's answer is shown beside them.

use leptos::prelude::*;
use onward_api::overview::StaffMember;
use onward_api::*;

use super::*;

#[component]
pub(super) fn MentorsCard(record: Record) -> impl IntoView {
    let ctx = ctx();
    let participant = record.participant;
    let mentors = LocalResource::new(move || {
        ctx.refresh.track();
        async move {
            let view = api::call(&ParticipantMentors { participant }).await?;
            let staff = api::call(&GetStaff {}).await?;
            Ok::<_, ApiError>((view, staff))
        }
    });
    let chosen = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let assign = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(mentor) = chosen.get_untracked().parse() else {
            problem.set(Some(text::mentors::CHOOSE.into()));
            return;
        };
        chosen.set(String::new());
        act(problem, text::mentors::ASSIGN_WAITS, move || async move {
            api::call(&AssignMentor {
                participant,
                mentor,
            })
            .await
        });
    };
    view! {
        <section class="card" aria-labelledby="mentors-h">
            <h2 id="mentors-h">{text::mentors::TITLE}</h2>
            {move || match mentors.get() {
                None => loading(),
                Some(Err(e)) => failed(e),
                Some(Ok((view, staff))) => {
                    // Orders still waiting for the office, by mentor.
                    let waiting = |kind: OrderKind, user| {
                        view.orders
                            .iter()
                            .any(|o| o.answered_at.is_none() && o.kind == kind && o.person == Some(user))
                    };
                    let joining: Vec<AnyView> = staff
                        .iter()
                        .filter(|m| waiting(OrderKind::Assign, m.user))
                        .filter(|m| !view.assigned.iter().any(|a| a.user == m.user))
                        .map(|m| view! { <li>{text::mentors::joining(m)}</li> }.into_any())
                        .collect();
                    let assigned: Vec<AnyView> = view
                        .assigned
                        .iter()
                        .map(|m| {
                            let mentor = m.user;
                            let name = m.display_name.clone();
                            if waiting(OrderKind::Unassign, mentor) {
                                return view! { <li>{text::mentors::leaving(m)}</li> }.into_any();
                            }
                            view! {
                                <li>
                                    <span>{text::mentors::line(m)}</span>
                                    <button
                                        type="button"
                                        aria-label=text::mentors::unassign_label(&name)
                                        on:click=move |_| {
                                            act(problem, text::mentors::UNASSIGN_WAITS, move || async move {
                                                api::call(&UnassignMentor { participant, mentor }).await
                                            })
                                        }
                                    >
                                        {text::mentors::UNASSIGN}
                                    </button>
                                </li>
                            }
                                .into_any()
                        })
                        .collect();
                    let choices: Vec<StaffMember> = staff
                        .into_iter()
                        .filter(|m| {
                            onward_api::policy::has_caseload(m.role)
                                && m.enabled
                                && !view.assigned.iter().any(|a| a.user == m.user)
                                && !waiting(OrderKind::Assign, m.user)
                        })
                        .collect();
                    let orders: Vec<AnyView> = view
                        .orders
                        .iter()
                        .take(5)
                        .map(|o| view! { <li>{text::mentors::order_line(o)}</li> }.into_any())
                        .collect();
                    view! {
                        {if !view.known {
                            view! { <p class="quiet">{text::mentors::NOT_KNOWN}</p> }.into_any()
                        } else if assigned.is_empty() && joining.is_empty() {
                            view! { <p>{text::mentors::NONE}</p> }.into_any()
                        } else {
                            view! { <ul class="rows">{assigned}{joining}</ul> }.into_any()
                        }}
                        {(!choices.is_empty()).then(|| view! {
                            <form class="inline" on:submit=assign>
                                <div class="field">
                                    <label for="assign-mentor">{text::mentors::CHOOSE_LABEL}</label>
                                    <select
                                        id="assign-mentor"
                                        prop:value=move || chosen.get()
                                        on:change=move |ev| chosen.set(event_target_value(&ev))
                                    >
                                        <option value="">{text::mentors::PICK}</option>
                                        {choices
                                            .iter()
                                            .map(|m| view! { <option value=m.user.to_string()>{text::mentors::choice(m)}</option> })
                                            .collect_view()}
                                    </select>
                                </div>
                                <button type="submit" class="primary">{text::mentors::ASSIGN}</button>
                            </form>
                        })}
                        {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
                        {(!orders.is_empty()).then(|| view! {
                            <h3>{text::mentors::ORDERS}</h3>
                            <ul class="rows">{orders}</ul>
                        })}
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
