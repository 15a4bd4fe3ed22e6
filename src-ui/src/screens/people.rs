//! For coordinators: the organisation's staff with role, clearance, caseload and tablets;
//! a new enrolment code for a tablet (as text and as a QR code), withdrawing a tablet, and
//! turning an account off or on. Each is an order for the office, carried out at the next sync
//! (the same operations as the server's admin commands, judged by the server).

use leptos::prelude::*;
use onward_api::ids::UserId;
use onward_api::overview::StaffMember;
use onward_api::*;

use super::{failed, loading};
use crate::forms::act;
use crate::{api, ctx, text};

#[component]
pub fn PeopleScreen() -> impl IntoView {
    let ctx = ctx();
    let data = LocalResource::new(move || {
        ctx.refresh.track();
        async move {
            let staff = api::call(&GetStaff {}).await?;
            let orders = api::call(&GetOfficeOrders {}).await?;
            Ok::<_, ApiError>((staff, orders))
        }
    });
    let me = ctx.me.get_untracked().map(|m| m.user);
    let this_tablet = ctx.me.get_untracked().map(|m| m.device);
    // Which destructive action is waiting for its confirmation (a key per button).
    let confirming = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    view! {
        <h1>{text::people::TITLE}</h1>
        <p class="lead">{text::people::LEAD}</p>
        {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        {move || match data.get() {
            None => loading(),
            Some(Err(e)) => failed(e),
            Some(Ok((staff, orders))) => {
                let codes: Vec<AnyView> = orders
                    .iter()
                    .filter(|o| o.kind == OrderKind::IssueCode)
                    .take(5)
                    .map(|o| view! { <CodeCard order=o.clone() /> }.into_any())
                    .collect();
                let sent: Vec<AnyView> = orders
                    .iter()
                    .filter(|o| o.participant.is_none())
                    .take(10)
                    .map(|o| view! { <li>{text::mentors::order_line(o)}</li> }.into_any())
                    .collect();
                view! {
                    {(!codes.is_empty()).then(|| view! {
                        <section class="card" aria-labelledby="codes-h">
                            <h2 id="codes-h">{text::people::CODES}</h2>
                            {codes}
                        </section>
                    })}
                    {if staff.is_empty() {
                        view! { <p class="quiet">{text::people::NOT_KNOWN}</p> }.into_any()
                    } else {
                        view! {
                            <div class="grid">
                                {staff
                                    .into_iter()
                                    .map(|m| view! { <Person m=m me=me this_tablet=this_tablet confirming=confirming problem=problem /> })
                                    .collect_view()}
                            </div>
                        }
                            .into_any()
                    }}
                    {(!sent.is_empty()).then(|| view! {
                        <section class="card" aria-labelledby="sent-h">
                            <h2 id="sent-h">{text::mentors::ORDERS}</h2>
                            <ul class="rows">{sent}</ul>
                        </section>
                    })}
                }
                    .into_any()
            }
        }}
    }
}

/// One member of staff: who they are, their tablets, and what a coordinator can do.
#[component]
fn Person(
    m: StaffMember,
    me: Option<UserId>,
    this_tablet: Option<onward_api::ids::DeviceId>,
    confirming: RwSignal<Option<String>>,
    problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let user = m.user;
    let heading = format!("person-{user}");
    let heading_id = heading.clone();
    let off_key = format!("off-{user}");
    let enabled = m.enabled;
    let name = m.display_name.clone();
    let devices: Vec<AnyView> = m
        .devices
        .iter()
        .map(|d| {
            let device = d.device;
            let key = format!("revoke-{device}");
            let device_name = d.name.clone();
            let confirm_key = key.clone();
            // This tablet is not withdrawn from itself by a slip of the finger.
            if this_tablet == Some(device) {
                return view! {
                    <li>
                        <span>{text::people::device_line(d)}</span>
                        <span class="quiet">{text::people::THIS_TABLET}</span>
                    </li>
                }
                .into_any();
            }
            view! {
                <li>
                    <span>{text::people::device_line(d)}</span>
                    {move || {
                        if confirming.get().as_deref() == Some(key.as_str()) {
                            view! {
                                <button type="button" class="danger" on:click=move |_| {
                                    confirming.set(None);
                                    act(problem, text::people::REVOKE_WAITS, move || async move {
                                        api::call(&RevokeDevice { device }).await
                                    });
                                }>
                                    {text::people::confirm_revoke(&device_name)}
                                </button>
                                <button type="button" on:click=move |_| confirming.set(None)>{text::CANCEL}</button>
                            }
                                .into_any()
                        } else {
                            let k = confirm_key.clone();
                            view! {
                                <button
                                    type="button"
                                    aria-label=text::people::revoke_label(&device_name)
                                    on:click=move |_| confirming.set(Some(k.clone()))
                                >
                                    {text::people::REVOKE}
                                </button>
                            }
                                .into_any()
                        }
                    }}
                </li>
            }
            .into_any()
        })
        .collect();
    let itself = me == Some(user);
    view! {
        <article class="card" aria-labelledby=heading_id>
            <h2 id=heading>{m.display_name.clone()}</h2>
            <p>{text::people::summary(&m)}</p>
            {if devices.is_empty() {
                view! { <p class="quiet">{text::people::NO_DEVICES}</p> }.into_any()
            } else {
                view! { <ul class="rows">{devices}</ul> }.into_any()
            }}
            <div class="actions">
                {enabled.then(|| view! {
                    <button
                        type="button"
                        aria-label=text::people::code_label(&name)
                        on:click=move |_| {
                            act(problem, text::people::CODE_WAITS, move || async move {
                                api::call(&IssueEnrolmentCode { user }).await
                            })
                        }
                    >
                        {text::people::NEW_CODE}
                    </button>
                })}
                {(!itself).then(|| {
                    let name = name.clone();
                    move || {
                        if !enabled {
                            view! {
                                <button type="button" on:click=move |_| {
                                    act(problem, text::people::ON_WAITS, move || async move {
                                        api::call(&SetAccountEnabled { user, enabled: true }).await
                                    })
                                }>
                                    {text::people::TURN_ON}
                                </button>
                            }
                                .into_any()
                        } else if confirming.get().as_deref() == Some(off_key.as_str()) {
                            view! {
                                <button type="button" class="danger" on:click=move |_| {
                                    confirming.set(None);
                                    act(problem, text::people::OFF_WAITS, move || async move {
                                        api::call(&SetAccountEnabled { user, enabled: false }).await
                                    });
                                }>
                                    {text::people::confirm_off(&name)}
                                </button>
                                <button type="button" on:click=move |_| confirming.set(None)>{text::CANCEL}</button>
                            }
                                .into_any()
                        } else {
                            let k = off_key.clone();
                            view! {
                                <button type="button" on:click=move |_| confirming.set(Some(k.clone()))>
                                    {text::people::TURN_OFF}
                                </button>
                            }
                                .into_any()
                        }
                    }
                })}
            </div>
        </article>
    }
}

/// An enrolment code the office issued (or one still waiting for the next sync), with its QR
/// code for a tablet's camera.
#[component]
fn CodeCard(order: OfficeOrder) -> impl IntoView {
    let line = text::mentors::order_line(&order);
    let qr = order.code.as_deref().and_then(qr_svg);
    view! {
        <div class="code-card">
            <p>{line}</p>
            {order.code.clone().map(|c| view! {
                <p class="code">{c}</p>
                <p class="hint">{text::people::CODE_HINT}</p>
            })}
            {qr.map(|svg| view! {
                <div class="qr" role="img" aria-label=text::people::QR_LABEL inner_html=svg></div>
            })}
        </div>
    }
}

/// The code as an SVG QR code (our own output from the `qrcode` crate: only rectangles).
fn qr_svg(code: &str) -> Option<String> {
    let qr = qrcode::QrCode::new(code.as_bytes()).ok()?;
    Some(
        qr.render::<qrcode::render::svg::Color>()
            .min_dimensions(176, 176)
            .quiet_zone(true)
            .build(),
    )
}
