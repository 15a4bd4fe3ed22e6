//! Reports, for coordinators: a funder report for a period and a programme, every figure of
//! `docs/REPORTS.md` in captioned tables grouped as there, three bar charts (drawn by
//! `onward-core`'s chart module), and the same report to download as CSV (the CLI's text) or as
//! a PDF made by the app core.

use leptos::prelude::*;
use leptos::task::spawn_local;
use onward_api::chart::{Bar, BarChart};
use onward_api::reports::{QuickPeriod, Report, ReportRow};
use onward_api::time::Day;
use onward_api::vocab::{Pathway, ProgressionKind};
use onward_api::{Caseload, FunderReport, FunderReportPdf};

use super::{failed, loading};
use crate::forms::{Choice, Problem, TextField};
use crate::{api, ctx, now, text};

/// What "Custom dates" is called in the period choice.
const CUSTOM: &str = "custom";

#[component]
pub fn ReportsScreen() -> impl IntoView {
    let ctx = ctx();
    let start = QuickPeriod::ThisFinancialYear;
    let first = start.period(now().london_day());
    let choice = RwSignal::new(start.as_str().to_string());
    let from = RwSignal::new(first.start.to_string());
    let to = RwSignal::new(first.end.to_string());
    let programme = RwSignal::new(String::new());
    let choose = move |v: String| {
        if let Some(q) = QuickPeriod::from_name(&v) {
            let p = q.period(now().london_day());
            from.set(p.start.to_string());
            to.set(p.end.to_string());
        }
        choice.set(v);
    };
    // Typing a date makes the period a custom one.
    let set_day = move |which: RwSignal<String>| {
        Callback::new(move |v: String| {
            which.set(v);
            choice.set(CUSTOM.into());
        })
    };
    // The programmes on this device, for the programme choice.
    let programmes = LocalResource::new(move || {
        ctx.refresh.track();
        async move {
            let rows = api::call(&Caseload::default()).await.unwrap_or_default();
            let mut names: Vec<String> = rows.into_iter().map(|r| r.programme).collect();
            names.sort_by_key(|n| n.to_lowercase());
            names.dedup_by(|a, b| a.trim().eq_ignore_ascii_case(b.trim()));
            names
        }
    });
    let request = Memo::new(move |_| {
        let (f, t) = (from.get(), to.get());
        let (Ok(f), Ok(t)) = (f.parse::<Day>(), t.parse::<Day>()) else {
            return Err(text::reports::DATES.to_string());
        };
        if t < f {
            return Err(text::reports::END_BEFORE_START.to_string());
        }
        Ok(FunderReport {
            from: f,
            to: t,
            programme: Some(programme.get()).filter(|p| !p.trim().is_empty()),
            mentor: None,
        })
    });
    let report = LocalResource::new(move || {
        ctx.refresh.track();
        let request = request.get();
        async move {
            match request {
                Ok(r) => Some(api::call(&r).await),
                Err(_) => None,
            }
        }
    });
    let period_options: Vec<(&'static str, &'static str)> = QuickPeriod::ALL
        .into_iter()
        .map(|q| (q.as_str(), text::reports::quick_period(q)))
        .chain([(CUSTOM, text::reports::CUSTOM)])
        .collect();
    view! {
        <h1>{text::REPORTS}</h1>
        <p class="lead">{text::reports::LEAD}</p>
        <form class="card report-choice" on:submit=|ev| ev.prevent_default()>
            <Choice
                label={text::reports::PERIOD}
                bind=(choice.into(), Callback::new(choose))
                options=period_options
            />
            <div class="dates">
                <TextField label={text::reports::FROM} bind=(from.into(), set_day(from)) kind="date" />
                <TextField label={text::reports::TO} bind=(to.into(), set_day(to)) kind="date" />
            </div>
            <ProgrammeChoice programme=programme programmes=programmes />
        </form>
        {move || match request.get() {
            Err(problem) => view! { <p class="error" role="alert">{problem}</p> }.into_any(),
            Ok(_) => match report.get() {
                None | Some(None) => loading(),
                Some(Some(Err(e))) => failed(e),
                Some(Some(Ok(r))) => view! { <ReportView report=r /> }.into_any(),
            },
        }}
    }
}

/// The programme to report on: every programme, or one of those on this device.
#[component]
fn ProgrammeChoice(
    programme: RwSignal<String>,
    programmes: LocalResource<Vec<String>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="report-programme">{text::reports::PROGRAMME}</label>
            <select
                id="report-programme"
                prop:value=move || programme.get()
                on:change=move |ev| programme.set(event_target_value(&ev))
            >
                <option value="">{text::reports::ALL_PROGRAMMES}</option>
                {move || {
                    programmes
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|p| {
                            let selected = p.clone();
                            view! {
                                <option value=p.clone() selected=move || programme.get() == selected>
                                    {p.clone()}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

/// A report's figures as the CSV writes them, looked up by measure and group, so the screen
/// shows exactly the text the CSV and the PDF hold.
struct Figures(Vec<ReportRow>);

impl Figures {
    fn get(&self, measure: &str, group: &str) -> String {
        self.0
            .iter()
            .find(|r| r.measure == measure && r.group == group)
            .map(|r| r.value.clone())
            .unwrap_or_default()
    }

    /// A figure, or a dash where the report leaves it empty (an average of no one).
    fn shown(&self, measure: &str, group: &str) -> String {
        let v = self.get(measure, group);
        if v.is_empty() {
            text::NONE_YET.into()
        } else {
            v
        }
    }
}

/// A two-column table of measures and their figures, with a caption.
fn figure_table(caption: &'static str, head: &'static str, rows: Vec<(String, String)>) -> AnyView {
    view! {
        <table class="figures">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">{head}</th>
                    <th scope="col" class="num">{text::reports::FIGURE}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|(label, value)| view! {
                        <tr>
                            <th scope="row">{label}</th>
                            <td class="num">{value}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// A chart as SVG (our own escaped output from `onward-core`).
fn chart(chart: BarChart) -> AnyView {
    view! { <div class="chart-box" inner_html=chart.to_svg()></div> }.into_any()
}

/// The charts the screen and the PDF share, in the UI's words.
fn charts(report: &Report) -> [BarChart; 3] {
    let goals = BarChart {
        title: text::reports::CHART_GOALS.into(),
        empty: text::reports::CHART_EMPTY.into(),
        bars: report
            .goals_achieved
            .iter()
            .map(|g| Bar {
                label: text::pathway(g.pathway).into(),
                value: f64::from(g.count),
                value_text: g.count.to_string(),
            })
            .collect(),
    };
    let progressions = BarChart {
        title: text::reports::CHART_PROGRESSIONS.into(),
        empty: text::reports::CHART_EMPTY.into(),
        bars: report
            .progressions
            .iter()
            .map(|p| Bar {
                label: text::progression_kind(p.kind).into(),
                value: f64::from(p.count),
                value_text: p.count.to_string(),
            })
            .collect(),
    };
    let distance = BarChart {
        title: text::reports::CHART_DISTANCE.into(),
        empty: text::reports::CHART_EMPTY.into(),
        bars: report
            .distance_travelled
            .iter()
            .map(|d| Bar {
                label: text::pathway(d.pathway).into(),
                value: f64::from(d.improved),
                value_text: text::reports::improved_of(d.improved, d.participants),
            })
            .collect(),
    };
    [goals, progressions, distance]
}

#[component]
fn ReportView(report: Report) -> impl IntoView {
    let f = Figures(report.rows());
    let q = report.query.clone();
    let [goals_chart, progressions_chart, distance_chart] = charts(&report);
    let file = format!("onward-report-{}-{}", q.period.start, q.period.end);
    let csv_url = format!(
        "data:text/csv;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&report.to_csv()))
    );
    let pdf_problem = RwSignal::new(None::<String>);
    let pdf_busy = RwSignal::new(false);
    let pdf = {
        let q = q.clone();
        let file = format!("{file}.pdf");
        move |_| {
            let request = FunderReportPdf {
                from: q.period.start,
                to: q.period.end,
                programme: q.programme.clone(),
                mentor: q.mentor,
            };
            let file = file.clone();
            pdf_busy.set(true);
            pdf_problem.set(None);
            spawn_local(async move {
                match api::call(&request).await {
                    Ok(pdf) => {
                        let url = format!("data:application/pdf;base64,{}", pdf.base64);
                        if let Err(e) = api::download(&file, &url) {
                            pdf_problem.set(Some(text::problem(&e)));
                        }
                    }
                    Err(e) => pdf_problem.set(Some(text::problem(&e))),
                }
                pdf_busy.set(false);
            });
        }
    };
    let row = |label: &str, measure: &str| (label.to_string(), f.shown(measure, ""));
    let people = vec![
        row(
            text::reports::PARTICIPANTS_SUPPORTED,
            "participants_supported",
        ),
        row(text::reports::REFERRALS, "referrals"),
        row(text::reports::STARTS, "starts"),
        row(text::reports::SESSIONS_DELIVERED, "sessions_delivered"),
        row(text::reports::SESSIONS_MISSED, "sessions_missed"),
        row(text::reports::CONTACT_HOURS, "contact_hours"),
    ];
    let goals_rows: Vec<(String, String)> = Pathway::ALL
        .iter()
        .copied()
        .map(|p| {
            (
                text::pathway(p).into(),
                f.shown("goals_achieved", p.as_str()),
            )
        })
        .collect();
    let goals_people = vec![row(
        text::reports::PARTICIPANTS_WITH_GOAL,
        "participants_with_goal_achieved",
    )];
    let qualifications: Vec<(String, String)> = report
        .qualifications
        .iter()
        .map(|l| {
            let level = if l.level.is_empty() {
                text::reports::NO_LEVEL.to_string()
            } else {
                l.level.clone()
            };
            (level, l.count.to_string())
        })
        .collect();
    let volunteering = vec![row(text::reports::VOLUNTEERING_HOURS, "volunteering_hours")];
    let progressions: Vec<(String, String)> = ProgressionKind::ALL
        .iter()
        .copied()
        .map(|k| {
            (
                text::progression_kind(k).into(),
                f.shown("progressions", k.as_str()),
            )
        })
        .collect();
    let progressed = vec![row(
        text::reports::PARTICIPANTS_PROGRESSED,
        "participants_progressed",
    )];
    let appointments = vec![
        row(text::reports::APPOINTMENTS, "appointments"),
        row(
            text::reports::APPOINTMENTS_SUPPORTED,
            "appointments_supported",
        ),
    ];
    let sustain = ["due", "sustained", "not_sustained", "not_checked"]
        .into_iter()
        .map(|g| {
            view! {
                <tr>
                    <th scope="row">{text::reports::sustain_group(g)}</th>
                    <td class="num">{f.shown("sustained_13_weeks", g)}</td>
                    <td class="num">{f.shown("sustained_26_weeks", g)}</td>
                </tr>
            }
        })
        .collect_view();
    let attendance = ["attended", "missed", "attendance_rate_percent"]
        .into_iter()
        .map(|g| {
            view! {
                <tr>
                    <th scope="row">{text::reports::attendance_group(g)}</th>
                    <td class="num">{f.shown("appointments_accompanied", g)}</td>
                    <td class="num">{f.shown("appointments_unaccompanied", g)}</td>
                </tr>
            }
        })
        .collect_view();
    let distance = Pathway::ALL
        .iter()
        .copied()
        .map(|p| {
            let g = p.as_str();
            view! {
                <tr>
                    <th scope="row">{text::pathway(p)}</th>
                    <td class="num">{f.shown("distance_participants", g)}</td>
                    <td class="num">{f.shown("distance_average_first", g)}</td>
                    <td class="num">{f.shown("distance_average_latest", g)}</td>
                    <td class="num">{f.shown("distance_average_change", g)}</td>
                    <td class="num">{f.shown("distance_improved", g)}</td>
                    <td class="num">{f.shown("distance_unchanged", g)}</td>
                    <td class="num">{f.shown("distance_worsened", g)}</td>
                </tr>
            }
        })
        .collect_view();
    let summary = text::reports::summary(
        &q.period.start.format("%-d %B %Y"),
        &q.period.end.format("%-d %B %Y"),
        q.programme.as_deref(),
    );
    view! {
        <section class="card report-downloads" aria-labelledby="report-summary">
            <h2 id="report-summary">{summary}</h2>
            <div class="actions">
                <a class="button" href=csv_url download=format!("{file}.csv")>
                    {text::reports::DOWNLOAD_CSV}
                </a>
                <button type="button" on:click=pdf disabled=move || pdf_busy.get()>
                    {move || if pdf_busy.get() { text::reports::MAKING_PDF } else { text::reports::DOWNLOAD_PDF }}
                </button>
            </div>
            <Problem problem=pdf_problem />
        </section>
        <section class="card" aria-labelledby="report-people">
            <h2 id="report-people">{text::reports::PEOPLE}</h2>
            {figure_table(text::reports::PEOPLE_CAPTION, text::reports::MEASURE, people)}
        </section>
        <section class="card" aria-labelledby="report-goals">
            <h2 id="report-goals">{text::reports::GOALS}</h2>
            {figure_table(text::reports::GOALS_PEOPLE_CAPTION, text::reports::MEASURE, goals_people)}
            {figure_table(text::reports::GOALS_CAPTION, text::reports::PATHWAY, goals_rows)}
            {chart(goals_chart)}
        </section>
        <section class="card" aria-labelledby="report-learning">
            <h2 id="report-learning">{text::reports::LEARNING}</h2>
            {if qualifications.is_empty() {
                view! { <p class="quiet">{text::reports::NO_QUALIFICATIONS}</p> }.into_any()
            } else {
                figure_table(text::reports::QUALIFICATIONS_CAPTION, text::reports::LEVEL, qualifications)
            }}
            {figure_table(text::reports::VOLUNTEERING_CAPTION, text::reports::MEASURE, volunteering)}
        </section>
        <section class="card" aria-labelledby="report-progressions">
            <h2 id="report-progressions">{text::reports::PROGRESSIONS}</h2>
            {figure_table(text::reports::PROGRESSIONS_CAPTION, text::reports::KIND, progressions)}
            {figure_table(text::reports::PROGRESSED_CAPTION, text::reports::MEASURE, progressed)}
            {chart(progressions_chart)}
            <table class="figures">
                <caption>{text::reports::SUSTAINED_CAPTION}</caption>
                <thead>
                    <tr>
                        <th scope="col">{text::reports::OUTCOME}</th>
                        <th scope="col" class="num">{text::reports::WEEKS_13}</th>
                        <th scope="col" class="num">{text::reports::WEEKS_26}</th>
                    </tr>
                </thead>
                <tbody>{sustain}</tbody>
            </table>
        </section>
        <section class="card" aria-labelledby="report-appointments">
            <h2 id="report-appointments">{text::reports::APPOINTMENTS_HEADING}</h2>
            {figure_table(text::reports::APPOINTMENTS_CAPTION, text::reports::MEASURE, appointments)}
            <table class="figures">
                <caption>{text::reports::ATTENDANCE_CAPTION}</caption>
                <thead>
                    <tr>
                        <th scope="col">{text::reports::OUTCOME}</th>
                        <th scope="col" class="num">{text::reports::ACCOMPANIED}</th>
                        <th scope="col" class="num">{text::reports::UNACCOMPANIED}</th>
                    </tr>
                </thead>
                <tbody>{attendance}</tbody>
            </table>
        </section>
        <section class="card" aria-labelledby="report-distance">
            <h2 id="report-distance">{text::reports::DISTANCE}</h2>
            <p>{text::reports::DISTANCE_LEAD}</p>
            <div class="table-scroll" role="region" aria-labelledby="distance-caption" tabindex="0">
                <table class="figures wide">
                    <caption id="distance-caption">{text::reports::DISTANCE_CAPTION}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{text::reports::PATHWAY}</th>
                            <th scope="col" class="num">{text::reports::D_PARTICIPANTS}</th>
                            <th scope="col" class="num">{text::reports::D_FIRST}</th>
                            <th scope="col" class="num">{text::reports::D_LATEST}</th>
                            <th scope="col" class="num">{text::reports::D_CHANGE}</th>
                            <th scope="col" class="num">{text::reports::D_IMPROVED}</th>
                            <th scope="col" class="num">{text::reports::D_UNCHANGED}</th>
                            <th scope="col" class="num">{text::reports::D_WORSENED}</th>
                        </tr>
                    </thead>
                    <tbody>{distance}</tbody>
                </table>
            </div>
            {chart(distance_chart)}
        </section>
    }
}
