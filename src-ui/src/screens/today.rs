//! Today: appointments today and this week, goals due for review, follow-ups due, sessions
//! not yet signed off, and open safeguarding concerns.

use leptos::prelude::*;
use onward_api::{Caseload, GetOfficeNotices, Today, policy::Access};

use super::{FirstSync, ParticipantLink, caseload_resource, failed, first_sync, loading, names};
use crate::{Tab, api, ctx, now, text};

#[component]
pub fn TodayScreen() -> impl IntoView {
    let ctx = ctx();
    // Today's lists, with where the first sync stands (asked first, so the two agree).
    let today = LocalResource::new(move || {
        ctx.refresh.track();
        async move {
            let first = first_sync().await;
            api::call(&Today {
                day: Some(now().london_day()),
            })
            .await
            .map(|t| (first, t))
        }
    });
    let people = caseload_resource(Caseload::default);
    // Coordinators are told about changes the office turned away, from anyone's tablet.
    let coordinates = ctx
        .me
        .get_untracked()
        .is_some_and(|m| Access::Coordination.permits(&m.actor()).is_ok());
    let notices = LocalResource::new(move || {
        ctx.refresh.track();
        async move {
            if coordinates {
                api::call(&GetOfficeNotices {}).await.ok()
            } else {
                None
            }
        }
    });
    view! {
        <h1>{text::TODAY}</h1>
        {move || match (today.get(), people.get()) {
            (Some(Err(e)), _) | (_, Some(Err(e))) => failed(e),
            (Some(Ok((first, t))), Some(Ok(rows))) => {
                let names = names(&rows);
                let by_id = names.clone();
                let name = move |p| names.get(&p).cloned().unwrap_or_else(|| text::today::SOMEONE.into());
                let section = |title: &'static str, empty: &'static str, items: Vec<AnyView>| {
                    view! {
                        <section class="card" aria-label=title>
                            <h2>{title}</h2>
                            {if items.is_empty() {
                                view! { <p class="quiet">{empty}</p> }.into_any()
                            } else {
                                view! { <ul class="rows">{items}</ul> }.into_any()
                            }}
                        </section>
                    }
                };
                let appt = |a: onward_api::views::AppointmentRow, fmt: &'static str| {
                    view! {
                        <li>
                            <span class="when">{a.starts_at.london_format(fmt)}</span>
                            <ParticipantLink participant=a.participant name=name(a.participant) tab=Tab::Appointments />
                            <span>
                                {text::appointment_with(a.kind, &a.with_whom)}
                            </span>
                        </li>
                    }
                        .into_any()
                };
                view! {
                    {(first == FirstSync::Running).then(|| view! {
                        <p role="status" class="syncing">{text::first_sync::TODAY}</p>
                    })}
                    <p class="lead">{t.day.format("%A %-d %B %Y")}</p>
                    <div class="grid">
                        {section(
                            text::today::APPOINTMENTS,
                            text::today::NO_APPOINTMENTS,
                            t.appointments_today.into_iter().map(|a| appt(a, "%H:%M")).collect(),
                        )}
                        {section(
                            text::today::WEEK,
                            text::today::NOTHING_THIS_WEEK,
                            t.appointments_this_week.into_iter().map(|a| appt(a, "%a %-d %b, %H:%M")).collect(),
                        )}
                        {section(
                            text::today::GOALS_DUE,
                            text::today::NO_GOALS_DUE,
                            t.goals_due
                                .into_iter()
                                .map(|g| {
                                    view! {
                                        <li>
                                            <span class="when">
                                                {g.review_due.map(|d| d.format("%-d %b")).unwrap_or_default()}
                                            </span>
                                            <ParticipantLink participant=g.participant name=name(g.participant) tab=Tab::Goals />
                                            <span>{g.title}</span>
                                        </li>
                                    }
                                        .into_any()
                                })
                                .collect(),
                        )}
                        {section(
                            text::today::FOLLOW_UPS,
                            text::today::NO_FOLLOW_UPS,
                            t.follow_ups_due
                                .into_iter()
                                .map(|f| {
                                    view! {
                                        <li>
                                            <span class="when">
                                                {f.due.map(|d| d.format("%-d %b")).unwrap_or_default()}
                                            </span>
                                            <ParticipantLink participant=f.participant name=name(f.participant) tab=Tab::Appointments />
                                            <span>{f.text}</span>
                                        </li>
                                    }
                                        .into_any()
                                })
                                .collect(),
                        )}
                        {section(
                            text::today::UNSIGNED,
                            text::today::ALL_SIGNED,
                            t.unsigned_sessions
                                .into_iter()
                                .map(|s| {
                                    view! {
                                        <li>
                                            <span class="when">{s.started_at.london_format("%a %-d %b")}</span>
                                            <ParticipantLink participant=s.participant name=name(s.participant) tab=Tab::Sessions />
                                        </li>
                                    }
                                        .into_any()
                                })
                                .collect(),
                        )}
                        {move || {
                            notices
                                .get()
                                .flatten()
                                .map(|list| {
                                    section(
                                        text::not_accepted::OFFICE_TITLE,
                                        text::not_accepted::OFFICE_NONE,
                                        list.into_iter()
                                            .take(20)
                                            .map(|n| {
                                                let who = by_id
                                                    .get(&n.participant)
                                                    .cloned()
                                                    .unwrap_or_else(|| {
                                                        text::not_accepted::SOMEONE.into()
                                                    });
                                                view! {
                                                    <li>
                                                        <span class="when">{n.at.london_format("%-d %b")}</span>
                                                        <span>{text::change_about(text::operation(n.operation), &who)}</span>
                                                        <span>{text::sent_by(&n.user_name, &n.at.london_format("%H:%M"))}</span>
                                                        <span>{text::refused_for_office(&n.why)}</span>
                                                    </li>
                                                }
                                                    .into_any()
                                            })
                                            .collect(),
                                    )
                                })
                        }}
                        {section(
                            text::today::CONCERNS,
                            text::today::NO_CONCERNS,
                            t.open_concerns
                                .into_iter()
                                .map(|c| {
                                    view! {
                                        <li>
                                            <span class="when">{c.raised_at.london_format("%-d %b")}</span>
                                            <ParticipantLink participant=c.participant name=name(c.participant) tab=Tab::Concerns />
                                            <span>
                                                {text::concern_line(c.category, c.urgency, c.status)}
                                            </span>
                                        </li>
                                    }
                                        .into_any()
                                })
                                .collect(),
                        )}
                    </div>
                }
                    .into_any()
            }
            _ => loading(),
        }}
    }
}
