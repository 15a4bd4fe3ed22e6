//! Achievements (qualifications with level, certificates, volunteering hours) and
//! progressions into work, education, training or volunteering, with the checks at 13 and 26
//! weeks that show whether they lasted.

use leptos::prelude::*;
use onward_api::ids::*;
use onward_api::input::*;
use onward_api::model::*;
use onward_api::vocab::*;
use onward_api::*;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct AchievementForm {
    kind: String,
    title: String,
    date: String,
    organisation: String,
    level: String,
    certificate: bool,
    hours: String,
}

pub(super) fn achievements(record: Record) -> AnyView {
    let participant = record.participant;
    let problem = RwSignal::new(None::<String>);
    let list = record.part(|v| {
        let mut list: Vec<Achievement> = v.plan.achievements.values().cloned().collect();
        list.sort_by_key(|a| std::cmp::Reverse(a.date));
        list
    });
    let progressions = record.part(|v| {
        let mut progressions: Vec<Progression> = v.plan.progressions.values().cloned().collect();
        progressions.sort_by_key(|p| std::cmp::Reverse(p.start_date));
        progressions
    });
    view! {
        <Problem problem=problem />
        <div class="grid">
            <section class="card" aria-labelledby="ach-h">
                <h2 id="ach-h">{text::achievements::TITLE}</h2>
                {move || {
                    let list = list.get();
                    if list.is_empty() {
                        view! { <p class="quiet">{text::achievements::NONE}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="rows">
                                {list.into_iter().map(|a| view! {
                                    <li>
                                        <span class="when">{a.date.format("%-d %b %Y")}</span>
                                        <span>{text::labelled(text::achievement_kind(a.kind), &a.title)}</span>
                                        {(!a.organisation.is_empty()).then(|| view! { <span class="quiet">{a.organisation.clone()}</span> })}
                                        {achievement_details(&a).map(|d| view! { <span class="quiet">{d}</span> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }}
            </section>
            <section class="card" aria-labelledby="prog-h">
                <h2 id="prog-h">{text::achievements::PROGRESSIONS}</h2>
                {move || {
                    let progressions = progressions.get();
                    if progressions.is_empty() {
                        view! { <p class="quiet">{text::achievements::NONE}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="rows">
                                {progressions.into_iter().map(|p| view! { <ProgressionRow participant=participant progression=p problem=problem /> }).collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }}
            </section>
        </div>
        <RecordAchievementForm record=record />
        <RecordProgressionForm record=record />
    }
    .into_any()
}

/// Level, certificate and hours, where recorded.
fn achievement_details(a: &Achievement) -> Option<String> {
    let mut parts = Vec::new();
    if !a.level.is_empty() {
        parts.push(text::level(&a.level));
    }
    if a.certificate {
        parts.push(text::achievements::CERTIFICATE_ISSUED.to_string());
    }
    if let Some(h) = a.hours {
        parts.push(text::hours(h));
    }
    (!parts.is_empty()).then(|| text::dotted(&parts.iter().map(String::as_str).collect::<Vec<_>>()))
}

/// One progression, with its checks at 13 and 26 weeks: asked for once each is due.
#[component]
fn ProgressionRow(
    participant: ParticipantId,
    progression: Progression,
    problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let p = progression;
    let id = p.id;
    let today = now().london_day();
    let check = move |weeks: u32, done: Option<SustainCheck>| {
        let due = p.start_date.plus_days(i64::from(weeks) * 7);
        match done {
            Some(c) => view! {
                <span>{text::sustained(weeks, c.sustained)}</span>
            }
            .into_any(),
            None if today < due => view! {
                <span class="quiet">{text::sustain_due(weeks, &due.format("%-d %b %Y"))}</span>
            }
            .into_any(),
            None => {
                let record = move |sustained: bool| {
                    act(problem, text::achievements::CHECKED, move || async move {
                        api::call(&CheckSustained {
                            participant,
                            input: SustainedCheck {
                                progression: id,
                                weeks,
                                sustained,
                            },
                        })
                        .await
                    })
                };
                view! {
                    <span class="sustain" role="group" aria-label=text::sustain_check(weeks)>
                        {text::sustain_question(weeks)}
                        <button type="button" on:click=move |_| record(true)>{text::YES}</button>
                        <button type="button" on:click=move |_| record(false)>{text::NO}</button>
                    </span>
                }
                .into_any()
            }
        }
    };
    view! {
        <li>
            <span class="when">{p.start_date.format("%-d %b %Y")}</span>
            <span>
                {text::labelled(text::progression_kind(p.kind), &text::bracketed(&p.description, &p.organisation))}
            </span>
            {check(13, p.sustained_13_weeks)}
            {check(26, p.sustained_26_weeks)}
        </li>
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ProgressionForm {
    kind: String,
    description: String,
    organisation: String,
    start: String,
}

#[component]
fn RecordProgressionForm(record: Record) -> impl IntoView {
    let participant = record.participant;
    let key = format!("record_progression:{participant}");
    let form = draft::<ProgressionForm>(key.clone());
    let typing = Signal::derive(move || form.with(|f| *f != ProgressionForm::default()));
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let desc_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.description.is_empty())
            .then(|| {
                err(words(
                    &f.description,
                    Field::ProgressionDescription,
                    text::achievements::PROGRESSION_WHAT,
                ))
            })
            .flatten()
    });
    let start_err = Signal::derive(move || err(day(&form.get().start)));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let (Ok(kind), Ok(description), Ok(start)) = (
            f.kind.parse::<ProgressionKind>(),
            words(
                &f.description,
                Field::ProgressionDescription,
                text::check::IT,
            ),
            day(&f.start),
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        let start_date = start.unwrap_or_else(|| now().london_day());
        submit(
            key.clone(),
            form,
            Some(touched),
            problem,
            text::achievements::PROGRESSION_RECORDED,
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
            <h2 id="rec-prog-h">{text::achievements::RECORD_PROGRESSION}</h2>
            <form on:submit=save novalidate>
                {changed_notice(text::changed::THIS_RECORD, record.watch_all(), typing, sections_changed)}
                <Choice
                    label={text::achievements::INTO}
                    bind=bind!(form, kind)
                    options=options(ProgressionKind::ALL, ProgressionKind::as_str, text::progression_kind)
                    empty={text::check::CHOOSE}
                />
                <TextField label={text::achievements::PROGRESSION} bind=bind!(form, description) error=desc_err required=true />
                <TextField label={text::achievements::PROVIDER} bind=bind!(form, organisation) />
                <TextField label={text::achievements::START} bind=bind!(form, start) error=start_err kind="date" hint={text::achievements::TODAY_HINT} />
                <Problem problem=problem />
                <button type="submit" class="primary">{text::achievements::SAVE_PROGRESSION}</button>
            </form>
        </section>
    }
}

#[component]
fn RecordAchievementForm(record: Record) -> impl IntoView {
    let participant = record.participant;
    let key = format!("record_achievement:{participant}");
    let form = draft::<AchievementForm>(key.clone());
    let typing = Signal::derive(move || form.with(|f| *f != AchievementForm::default()));
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let title_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.title.is_empty())
            .then(|| {
                err(words(
                    &f.title,
                    Field::AchievementTitle,
                    text::achievements::ACHIEVEMENT_WHAT,
                ))
            })
            .flatten()
    });
    let date_err = Signal::derive(move || err(day(&form.get().date)));
    let hours_err = Signal::derive(move || err(optional_number(&form.get().hours, Field::Hours)));
    let kind_err = Signal::derive(move || {
        (touched.get() && form.get().kind.parse::<AchievementKind>().is_err())
            .then(|| text::achievements::CHOOSE_KIND.to_string())
    });
    let kind_is = move |k: AchievementKind| form.with(|f| f.kind == k.as_str());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let (Ok(kind), Ok(title), Ok(date), Ok(hours)) = (
            f.kind.parse::<AchievementKind>(),
            words(&f.title, Field::AchievementTitle, text::check::IT),
            day(&f.date),
            // Hours are asked for (and kept) only for volunteering and work experience.
            if matches!(
                f.kind.parse(),
                Ok(AchievementKind::Volunteering | AchievementKind::WorkExperience)
            ) {
                optional_number(&f.hours, Field::Hours)
            } else {
                Ok(None)
            },
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        let date = date.unwrap_or_else(|| now().london_day());
        submit(
            key.clone(),
            form,
            Some(touched),
            problem,
            text::achievements::RECORDED,
            move || async move {
                api::call(&RecordAchievement {
                    participant,
                    input: NewAchievement {
                        kind,
                        title,
                        date,
                        organisation: f.organisation.trim().into(),
                        level: if kind == AchievementKind::Qualification {
                            f.level.trim().into()
                        } else {
                            String::new()
                        },
                        certificate: f.certificate,
                        hours: hours.map(|h| h as u32),
                    },
                })
                .await
            },
        );
    };
    view! {
        <section class="card" aria-labelledby="rec-ach-h">
            <h2 id="rec-ach-h">{text::achievements::RECORD}</h2>
            <form on:submit=save novalidate>
                {changed_notice(text::changed::THIS_RECORD, record.watch_all(), typing, sections_changed)}
                <Choice label={text::achievements::KIND} bind=bind!(form, kind) options=options(AchievementKind::ALL, AchievementKind::as_str, text::achievement_kind) empty={text::check::CHOOSE} />
                <TextField label={text::achievements::ACHIEVEMENT} bind=bind!(form, title) error=title_err required=true />
                {move || kind_err.get().map(|e| view! { <p class="field-error">{e}</p> })}
                <TextField label={text::achievements::ORGANISATION} bind=bind!(form, organisation) />
                {move || kind_is(AchievementKind::Qualification).then(|| view! {
                    <TextField label={text::achievements::LEVEL} bind=bind!(form, level) hint={text::achievements::LEVEL_HINT} />
                })}
                {move || (kind_is(AchievementKind::Volunteering) || kind_is(AchievementKind::WorkExperience)).then(|| view! {
                    <TextField label={text::achievements::HOURS} bind=bind!(form, hours) error=hours_err kind="number" />
                })}
                <Check label={text::achievements::CERTIFICATE} bind=bind!(form, certificate) />
                <TextField label={text::achievements::DATE} bind=bind!(form, date) error=date_err kind="date" hint={text::achievements::TODAY_HINT} />
                <Problem problem=problem />
                <button type="submit" class="primary">{text::achievements::SAVE}</button>
            </form>
        </section>
    }
}
