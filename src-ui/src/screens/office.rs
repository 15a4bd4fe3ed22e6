//! The coordinator's screens: the organisation at a glance (every number opens the list
//! behind it) and the concern inbox (every open concern, urgent first, with its age and who
//! raised it; responding happens on the participant's Concerns tab).

use leptos::prelude::*;
use onward_api::overview::StaffMember;
use onward_api::overview::{Overview, hours};
use onward_api::vocab::{OverviewFigure, ParticipantStatus};
use onward_api::{ConcernInbox, GetOverview, GetStaff, OverviewList, OverviewRows};

use super::{ParticipantLink, failed, loading};
use crate::{Screen, Tab, api, ctx, text};

#[component]
pub fn OverviewScreen() -> impl IntoView {
    let ctx = ctx();
    let overview = LocalResource::new(move || {
        ctx.refresh.track();
        async move {
            let o = api::call(&GetOverview {}).await?;
            let staff = api::call(&GetStaff {}).await?;
            Ok::<_, onward_api::ApiError>((o, staff))
        }
    });
    // The figure whose list is open, if any.
    let open = RwSignal::new(None::<OverviewFigure>);
    view! {
        <h1>{text::office::OVERVIEW}</h1>
        {move || match overview.get() {
            None => loading(),
            Some(Err(e)) => failed(e),
            Some(Ok((o, staff))) => view! {
                <Figures o=o open=open />
                <Staff staff=staff />
            }
                .into_any(),
        }}
        {move || open.get().map(|figure| view! { <FigureList figure=figure /> })}
    }
}

#[component]
fn Figures(o: Overview, open: RwSignal<Option<OverviewFigure>>) -> impl IntoView {
    let ctx = ctx();
    let show_status = move |s: ParticipantStatus| {
        ctx.caseload_status.set(s.as_str().to_string());
        ctx.go(Screen::Caseload);
    };
    // A figure that opens its list below the cards.
    let opener = move |figure: OverviewFigure, label: String| {
        view! {
            <button
                type="button"
                class="figure"
                aria-expanded=move || (open.get() == Some(figure)).to_string()
                aria-controls="figure-list"
                on:click=move |_| open.update(|o| *o = if *o == Some(figure) { None } else { Some(figure) })
            >
                {label}
            </button>
        }
    };
    let total: u32 = o.by_status.iter().map(|(_, n)| n).sum();
    let open_concerns: u32 = o.concerns.iter().map(|c| c.open).sum();
    let week = o
        .week
        .map(|w| text::office::between(&w.first.format("%-d %b"), &w.last.format("%-d %b")))
        .unwrap_or_default();
    let month = o.month.map(|m| m.first.format("%B %Y")).unwrap_or_default();
    view! {
        {o.today.map(|d| view! { <p class="lead">{d.format("%A %-d %B %Y")}</p> })}
        <div class="grid">
            <section class="card" aria-labelledby="fig-people">
                <h2 id="fig-people">{text::office::PARTICIPANTS}</h2>
                <p class="big">{text::participants(total as usize)}</p>
                <ul class="rows">
                    {o
                        .by_status
                        .into_iter()
                        .map(|(s, n)| {
                            view! {
                                <li>
                                    <button type="button" class="figure" on:click=move |_| show_status(s)>
                                        {text::office::count_of(n, text::status(s))}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
            <section class="card" aria-labelledby="fig-concerns">
                <h2 id="fig-concerns">{text::office::CONCERNS}</h2>
                <p class="big">{text::office::open_concerns(open_concerns)}</p>
                <ul class="rows">
                    {o
                        .concerns
                        .into_iter()
                        .filter(|c| c.open > 0)
                        .map(|c| {
                            view! {
                                <li>
                                    <span>{text::office::count_of(c.open, &text::office::urgency_level(c.urgency))}</span>
                                    <span class="quiet">
                                        {c.oldest_days.map(text::office::oldest)}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <p>{text::office::unanswered(o.concerns_unanswered)}</p>
                <button type="button" class="figure" on:click=move |_| ctx.go(Screen::Concerns)>
                    {text::office::OPEN_INBOX}
                </button>
            </section>
            <section class="card" aria-labelledby="fig-waiting">
                <h2 id="fig-waiting">{text::office::WAITING}</h2>
                {match o.waiting_for_mentor {
                    Some(n) => opener(OverviewFigure::WaitingForMentor, text::office::waiting(n)).into_any(),
                    None => view! { <p class="quiet">{text::office::WAITING_UNKNOWN}</p> }.into_any(),
                }}
            </section>
            <section class="card" aria-labelledby="fig-reviews">
                <h2 id="fig-reviews">{text::office::REVIEWS}</h2>
                {opener(OverviewFigure::ReviewsOverdue, text::office::reviews_overdue(o.reviews_overdue))}
            </section>
            <section class="card" aria-labelledby="fig-week">
                <h2 id="fig-week">{text::office::WEEK}</h2>
                <p class="quiet">{week}</p>
                {opener(
                    OverviewFigure::AppointmentsThisWeek,
                    text::office::appointments(o.appointments_this_week, o.appointments_accompanied),
                )}
            </section>
            <section class="card" aria-labelledby="fig-month">
                <h2 id="fig-month">{text::office::MONTH}</h2>
                <p class="quiet">{month}</p>
                {opener(
                    OverviewFigure::SessionsThisMonth,
                    text::office::sessions(o.sessions_delivered, o.sessions_missed),
                )}
                <p>{text::office::contact_hours(&hours(o.minutes_delivered))}</p>
            </section>
        </div>
    }
}

/// The rows behind one figure.
#[component]
fn FigureList(figure: OverviewFigure) -> impl IntoView {
    let ctx = ctx();
    let me = ctx.me.get_untracked().map(|m| m.user);
    let rows = LocalResource::new(move || {
        ctx.refresh.track();
        async move { api::call(&OverviewList { figure }).await }
    });
    let title = text::office::list_title(figure);
    view! {
        <section class="card" id="figure-list" aria-label=title>
            <h2>{title}</h2>
            {move || match rows.get() {
                None => loading(),
                Some(Err(e)) => failed(e),
                Some(Ok(list)) => {
                    let items: Vec<AnyView> = match list {
                        OverviewRows::Participants(rows) => rows
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <li>
                                        <ParticipantLink participant=r.participant name=r.preferred_name />
                                        <span>{text::status(r.status)}</span>
                                        <span class="quiet">{r.programme}</span>
                                    </li>
                                }
                                    .into_any()
                            })
                            .collect(),
                        OverviewRows::Goals(goals) => goals
                            .into_iter()
                            .map(|g| {
                                view! {
                                    <li>
                                        <span class="when">{g.row.review_due.map(|d| d.format("%-d %b %Y"))}</span>
                                        <ParticipantLink participant=g.row.participant name=g.name tab=Tab::Goals />
                                        <span>{g.row.title}</span>
                                    </li>
                                }
                                    .into_any()
                            })
                            .collect(),
                        OverviewRows::Appointments(list) => list
                            .into_iter()
                            .map(|a| {
                                let going = text::office::going_along(a.row.accompanied_by, me);
                                view! {
                                    <li>
                                        <span class="when">{a.row.starts_at.london_format("%a %-d %b, %H:%M")}</span>
                                        <ParticipantLink participant=a.row.participant name=a.name tab=Tab::Appointments />
                                        <span>{text::appointment_with(a.row.kind, &a.row.with_whom)}</span>
                                        <span>{going}</span>
                                    </li>
                                }
                                    .into_any()
                            })
                            .collect(),
                        OverviewRows::Sessions(list) => list
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <li>
                                        <span class="when">{s.row.started_at.london_format("%a %-d %b")}</span>
                                        <ParticipantLink participant=s.row.participant name=s.name tab=Tab::Sessions />
                                        <span>{text::office::session_line(s.row.delivered, s.row.minutes)}</span>
                                    </li>
                                }
                                    .into_any()
                            })
                            .collect(),
                    };
                    let full = items.len() as u32 >= onward_api::OVERVIEW_LIST_LIMIT;
                    if items.is_empty() {
                        view! { <p class="quiet">{text::office::NOTHING}</p> }.into_any()
                    } else {
                        view! {
                            {full.then(|| view! { <p class="quiet">{text::office::first_only(onward_api::OVERVIEW_LIST_LIMIT)}</p> })}
                            <ul class="rows">{items}</ul>
                        }
                            .into_any()
                    }
                }
            }}
        </section>
    }
}

/// Each member of staff with their caseload size and last sync.
#[component]
fn Staff(staff: Vec<StaffMember>) -> impl IntoView {
    let mentors: Vec<StaffMember> = staff
        .into_iter()
        .filter(|m| onward_api::policy::has_caseload(m.role))
        .collect();
    view! {
        <section class="card" aria-labelledby="fig-staff">
            <h2 id="fig-staff">{text::office::MENTORS}</h2>
            {if mentors.is_empty() {
                view! { <p class="quiet">{text::office::WAITING_UNKNOWN}</p> }.into_any()
            } else {
                view! {
                    <table class="staff">
                        <caption>{text::office::mentor_count(mentors.len())}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{text::office::NAME}</th>
                                <th scope="col">{text::office::ROLE}</th>
                                <th scope="col">{text::office::CASELOAD}</th>
                                <th scope="col">{text::office::LAST_SYNC}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {mentors
                                .into_iter()
                                .map(|m| view! {
                                    <tr>
                                        <th scope="row">{m.display_name.clone()}</th>
                                        <td>{text::office::role_line(&m)}</td>
                                        <td>{m.caseload}</td>
                                        <td>{m.last_synced.map(|d| d.format("%-d %b %Y")).unwrap_or_else(|| text::office::NEVER.into())}</td>
                                    </tr>
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
pub fn ConcernsScreen() -> impl IntoView {
    let ctx = ctx();
    let inbox = LocalResource::new(move || {
        ctx.refresh.track();
        async move { api::call(&ConcernInbox {}).await }
    });
    view! {
        <h1>{text::office::INBOX}</h1>
        <p class="lead">{text::office::INBOX_LEAD}</p>
        {move || match inbox.get() {
            None => loading(),
            Some(Err(e)) => failed(e),
            Some(Ok(list)) if list.is_empty() => {
                view! { <p class="quiet">{text::office::INBOX_EMPTY}</p> }.into_any()
            }
            Some(Ok(list)) => {
                view! {
                    <table class="inbox">
                        <caption>{text::office::open_concerns(list.len() as u32)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{text::office::URGENCY}</th>
                                <th scope="col">{text::office::PARTICIPANT}</th>
                                <th scope="col">{text::office::RAISED}</th>
                                <th scope="col">{text::office::RAISED_BY}</th>
                                <th scope="col">{text::office::ANSWER}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list
                                .into_iter()
                                .map(|c| {
                                    let row = c.concern;
                                    let urgent = onward_api::overview::is_urgent(row.urgency);
                                    view! {
                                        <tr class:urgent=urgent>
                                            <td>
                                                <strong>{text::urgency(row.urgency)}</strong>
                                                <br />
                                                {text::concern_category(row.category)}
                                            </td>
                                            <th scope="row">
                                                <ParticipantLink participant=row.participant name=c.name tab=Tab::Concerns />
                                            </th>
                                            <td>
                                                {row.raised_at.london_format("%-d %b %Y")}
                                                <br />
                                                <span class="quiet">{text::office::age(c.age_days)}</span>
                                            </td>
                                            <td>{text::office::raised_by(c.raised_by_me)}</td>
                                            <td>
                                                {text::concern_status(row.status)}
                                                <br />
                                                <span class="quiet">
                                                    {text::office::answered(row.last_response_at.map(|t| t.london_format("%-d %b")))}
                                                </span>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }
        }}
    }
}
