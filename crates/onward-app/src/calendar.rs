//! A mentor's upcoming appointments as an iCalendar file their phone's calendar can import.
//! Times are written in UTC (`DTSTART:20260701T090000Z`), which every calendar shows in its
//! own zone, so an appointment keeps its London time across the clock changes. An event holds
//! what a mentor needs to get there — who, what kind, where, with whom, who goes with them,
//! reminder and travel — and nothing from session notes, outcomes or the Restricted record.

use icalendar::{Calendar, Class, Component, Event, EventLike};
use onward_api::{ApiError, CalendarFile, ExportCalendar};
use onward_core::ids::ParticipantId;
use onward_core::model::Appointment;
use onward_core::validate::Field;
use onward_core::vocab::{AppointmentKind, AppointmentStatus};

use crate::{App, storage};

/// How many days ahead a calendar covers unless asked otherwise.
pub const DEFAULT_DAYS: u32 = 90;

/// The calendar file is English for now. The UI's words live in `src-ui`'s text module, which
/// the app core cannot reach; when the app speaks Welsh these move to a shared place.
fn kind_words(k: AppointmentKind) -> &'static str {
    match k {
        AppointmentKind::Probation => "Probation",
        AppointmentKind::JobCentre => "Job centre",
        AppointmentKind::Housing => "Housing",
        AppointmentKind::Health => "Health",
        AppointmentKind::Court => "Court",
        AppointmentKind::College => "College",
        AppointmentKind::Interview => "Interview",
        AppointmentKind::Bank => "Bank",
        AppointmentKind::Other => "Appointment",
    }
}

impl App {
    /// The upcoming planned appointments held on this device as an iCalendar file.
    pub(crate) fn calendar(&mut self, r: &ExportCalendar) -> Result<CalendarFile, ApiError> {
        let days = Field::CalendarDays.number(r.days.unwrap_or(DEFAULT_DAYS))?;
        let now = self.now();
        let today = now.london_day();
        let rows = self
            .store
            .appointments_between(
                today.start_in_london(),
                today.plus_days(i64::from(days)).start_in_london(),
            )
            .map_err(storage)?;
        let me = self.me.user;
        let mut wanted: Vec<(ParticipantId, onward_core::ids::AppointmentId)> = rows
            .into_iter()
            .filter(|a| a.status == AppointmentStatus::Planned)
            .filter(|a| !r.only_mine || a.accompanied_by == Some(me))
            .map(|a| (a.participant, a.appointment))
            .collect();
        wanted.dedup();

        let mut cal = Calendar::new();
        cal.name("Onward appointments");
        let mut events = 0u32;
        for (p, id) in wanted {
            let plan = self.load(p)?.plan.read();
            let Some(a) = plan.appointments.get(&id.to_string()).cloned() else {
                continue;
            };
            let name = plan.profile.preferred_name.clone();
            let event = self.event(&name, &a, now);
            cal.push(event);
            events += 1;
        }
        Ok(CalendarFile {
            ics: cal.done().to_string(),
            events,
        })
    }

    fn event(&self, name: &str, a: &Appointment, now: onward_core::time::Timestamp) -> Event {
        let who_goes = match a.support.accompanied_by {
            Some(u) if u == self.me.user => format!("{} (you)", self.me.display_name),
            Some(_) => "another mentor".to_string(),
            None => "no one yet".to_string(),
        };
        let yes = |b: bool| if b { "yes" } else { "no" };
        let mut description = Vec::new();
        if !a.with_whom.is_empty() {
            description.push(format!("With: {}", a.with_whom));
        }
        description.push(format!("Going with {name}: {who_goes}"));
        description.push(format!("Reminder sent: {}", yes(a.support.reminder)));
        description.push(format!(
            "Travel arranged: {}",
            yes(a.support.travel_arranged)
        ));
        let mut e = Event::new();
        e.uid(&format!("{}@onward", a.id))
            .timestamp(now.utc())
            .summary(&format!("{name}: {}", kind_words(a.kind)))
            .description(&description.join("\n"))
            .class(Class::Private)
            .starts(a.starts_at.utc());
        if let Some(end) = a.ends_at {
            e.ends(end.utc());
        }
        if !a.location.is_empty() {
            e.location(&a.location);
        }
        e.done()
    }
}
