//! Importing a charity's current participants from a spreadsheet (CSV, layout in
//! `docs/IMPORT.md`). Every row is read and checked with the rules the app uses
//! (`onward_core::validate` and the operations in `onward_core::ops`), and the records are made
//! by those same operations, so the server judges each one as it would the same edit made by
//! hand. Nothing is half-imported: any refused row, or a file that ends part-way through a row,
//! and nothing is stored; otherwise every participant is committed in one store transaction.

use std::collections::HashMap;

use onward_api::{ImportReport, ImportedParticipant, RowRefusal};
use onward_core::OpError;
use onward_core::document::Ctx;
use onward_core::ids::UserId;
use onward_core::input::{NewAppointment, NewGoal, NewParticipant, ProfileChange};
use onward_core::ops::{self, ParticipantDocs, plan};
use onward_core::policy::{Actor, Operation, Refused};
use onward_core::time::{Day, Timestamp};
use onward_core::validate::Field;
use onward_core::vocab::{AppointmentKind, ParticipantStatus, Pathway};

/// The largest file an import reads.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;
/// The most rows an import reads (the largest organisation the app is designed for).
pub const MAX_IMPORT_ROWS: usize = 20_000;

/// Every column the import reads, as written in the header (any order, any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Ref,
    PreferredName,
    Programme,
    Status,
    Pathways,
    Goal,
    GoalPathway,
    WhyItMatters,
    TargetDate,
    ReviewDue,
    AppointmentStarts,
    AppointmentEnds,
    AppointmentKind,
    WithWhom,
    Location,
    Reminder,
    TravelArranged,
    AccompaniedBy,
}

impl Column {
    const ALL: &'static [Column] = &[
        Column::Ref,
        Column::PreferredName,
        Column::Programme,
        Column::Status,
        Column::Pathways,
        Column::Goal,
        Column::GoalPathway,
        Column::WhyItMatters,
        Column::TargetDate,
        Column::ReviewDue,
        Column::AppointmentStarts,
        Column::AppointmentEnds,
        Column::AppointmentKind,
        Column::WithWhom,
        Column::Location,
        Column::Reminder,
        Column::TravelArranged,
        Column::AccompaniedBy,
    ];

    /// The column's name in the header.
    fn name(self) -> &'static str {
        match self {
            Column::Ref => "ref",
            Column::PreferredName => "preferred_name",
            Column::Programme => "programme",
            Column::Status => "status",
            Column::Pathways => "pathways",
            Column::Goal => "goal",
            Column::GoalPathway => "goal_pathway",
            Column::WhyItMatters => "why_it_matters",
            Column::TargetDate => "target_date",
            Column::ReviewDue => "review_due",
            Column::AppointmentStarts => "appointment_starts",
            Column::AppointmentEnds => "appointment_ends",
            Column::AppointmentKind => "appointment_kind",
            Column::WithWhom => "with_whom",
            Column::Location => "location",
            Column::Reminder => "reminder",
            Column::TravelArranged => "travel_arranged",
            Column::AccompaniedBy => "accompanied_by",
        }
    }

    fn from_name(name: &str) -> Option<Column> {
        let name = name.trim().to_lowercase();
        Column::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// The participant's own columns: on a later row for the same `ref` they must be empty
    /// or the same as on the first.
    const PARTICIPANT: &'static [Column] = &[
        Column::PreferredName,
        Column::Programme,
        Column::Status,
        Column::Pathways,
    ];
    const GOAL: &'static [Column] = &[
        Column::Goal,
        Column::GoalPathway,
        Column::WhyItMatters,
        Column::TargetDate,
        Column::ReviewDue,
    ];
    const APPOINTMENT: &'static [Column] = &[
        Column::AppointmentStarts,
        Column::AppointmentEnds,
        Column::AppointmentKind,
        Column::WithWhom,
        Column::Location,
        Column::Reminder,
        Column::TravelArranged,
        Column::AccompaniedBy,
    ];
}

/// The column a field of the app's rules is read from.
fn column_of(field: Field) -> Option<Column> {
    Some(match field {
        Field::PreferredName => Column::PreferredName,
        Field::Programme => Column::Programme,
        Field::GoalTitle => Column::Goal,
        Field::WhyItMatters => Column::WhyItMatters,
        Field::WithWhom => Column::WithWhom,
        Field::Location => Column::Location,
        Field::EndTime => Column::AppointmentEnds,
        _ => return None,
    })
}

/// One participant read from the file: their first row, and what each row adds.
struct Person {
    row: u64,
    new: NewParticipant,
    status: ParticipantStatus,
    goals: Vec<(u64, NewGoal)>,
    appointments: Vec<(u64, NewAppointment)>,
    /// The participant columns as first given, to compare later rows for the same `ref`.
    first: Vec<(Column, String)>,
}

/// The refusals found so far.
#[derive(Default)]
struct Refusals(Vec<RowRefusal>);

impl Refusals {
    fn say(&mut self, row: u64, column: Option<Column>, reason: impl Into<String>) {
        self.0.push(RowRefusal {
            row,
            column: column.map(|c| c.name().to_string()),
            reason: reason.into(),
            field: None,
            problem: None,
        });
    }

    /// A value the app's own rule for `field` refused.
    fn rule(&mut self, row: u64, column: Column, e: OpError) {
        let (field, problem) = match &e {
            OpError::Invalid { field, problem } => (Some(*field), Some(problem.clone())),
            _ => (None, None),
        };
        let reason = match &e {
            // The field's name in the core's words may differ from the column's.
            OpError::Invalid { problem, .. } => problem.to_string(),
            other => other.to_string(),
        };
        self.0.push(RowRefusal {
            row,
            column: Some(column.name().to_string()),
            reason,
            field,
            problem,
        });
    }
}

/// A cell's value, quoted back in a reason: short, so a reason never carries much of a record.
fn quote(value: &str) -> String {
    let v = value.trim();
    if v.chars().count() > 40 {
        format!("'{}…'", v.chars().take(40).collect::<String>())
    } else {
        format!("'{v}'")
    }
}

fn one_of<T: Copy>(value: &str, all: &[T], name: impl Fn(&T) -> &'static str) -> Result<T, String> {
    let v = value.trim().to_lowercase();
    all.iter().copied().find(|x| name(x) == v).ok_or_else(|| {
        format!(
            "{} is not one of: {}",
            quote(value),
            all.iter().map(&name).collect::<Vec<_>>().join(", ")
        )
    })
}

/// A date as `2026-03-01` or, as British spreadsheets write it, `01/03/2026`.
fn day(value: &str) -> Result<Day, String> {
    let v = value.trim();
    let iso = match v.split('/').collect::<Vec<_>>().as_slice() {
        [d, m, y] if y.len() == 4 => format!("{y}-{m:0>2}-{d:0>2}"),
        _ => v.to_string(),
    };
    iso.parse::<Day>().map_err(|_| {
        format!(
            "{} is not a date: write it as 2026-03-01 or 01/03/2026",
            quote(value)
        )
    })
}

/// A London wall-clock time as `2026-03-01 14:30` or `01/03/2026 14:30`, or an RFC 3339
/// instant (`2026-03-01T14:30:00Z`).
fn instant(value: &str) -> Result<Timestamp, String> {
    let v = value.trim();
    let local = match v.split_once(' ') {
        Some((d, t)) if d.contains('/') => day(d).map(|d| format!("{d} {}", t.trim())).ok(),
        _ => None,
    };
    local
        .as_deref()
        .unwrap_or(v)
        .parse::<Timestamp>()
        .map_err(|_| {
            format!(
                "{} is not a date and time: write it as 2026-03-01 14:30 (London time)",
                quote(value)
            )
        })
}

fn yes_no(value: &str) -> Result<bool, String> {
    match value.trim().to_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => Ok(false),
        "yes" | "y" | "true" | "1" => Ok(true),
        _ => Err(format!("{} is not yes or no", quote(value))),
    }
}

/// Reads the file into the people whose rows passed, listing every refusal. `now` decides
/// which appointments are still to come.
fn read(csv_text: &str, now: Timestamp) -> (Vec<Person>, Vec<RowRefusal>) {
    let mut refused = Refusals::default();
    if csv_text.len() > MAX_IMPORT_BYTES {
        refused.say(
            1,
            None,
            format!(
                "the file is larger than {} MB: split it into smaller files and import each",
                MAX_IMPORT_BYTES / 1024 / 1024
            ),
        );
        return (Vec::new(), refused.0);
    }
    let text = csv_text.strip_prefix('\u{feff}').unwrap_or(csv_text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(_)) | None => {
            refused.say(
                1,
                None,
                "the file has no header row: the first row must name the columns (see docs/IMPORT.md)",
            );
            return (Vec::new(), refused.0);
        }
    };
    // A column with no name (spreadsheets leave them after the last one) is kept only while
    // its cells are empty.
    let mut columns: Vec<Option<Column>> = Vec::new();
    for name in header.iter() {
        match Column::from_name(name) {
            Some(c) if columns.contains(&Some(c)) => {
                refused.say(1, Some(c), "this column is named twice: keep one")
            }
            Some(c) => columns.push(Some(c)),
            None if name.trim().is_empty() => columns.push(None),
            None => refused.say(
                1,
                None,
                format!(
                    "the column {} is not one Onward imports, so its contents would be lost: remove it, or rename it to one of {}",
                    quote(name),
                    Column::ALL.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
                ),
            ),
        }
    }
    if !refused.0.is_empty() {
        return (Vec::new(), refused.0);
    }
    if !columns.contains(&Some(Column::PreferredName)) {
        refused.say(
            1,
            Some(Column::PreferredName),
            "the file has no preferred_name column: every participant needs one",
        );
        return (Vec::new(), refused.0);
    }
    // A CSV file always holds an even number of quote marks; an odd number means it ends
    // inside a quoted cell.
    let cut_in_quotes = text.bytes().filter(|b| *b == b'"').count() % 2 == 1;

    let mut rows: Vec<Result<csv::StringRecord, csv::Error>> = Vec::new();
    for record in records {
        if rows.len() == MAX_IMPORT_ROWS {
            refused.say(
                MAX_IMPORT_ROWS as u64 + 2,
                None,
                format!(
                    "the file has more than {MAX_IMPORT_ROWS} rows: split it into smaller files and import each"
                ),
            );
            return (Vec::new(), refused.0);
        }
        rows.push(record);
    }
    // The last row with anything in it: where a file cut off shows.
    let last = rows.iter().rposition(|r| {
        r.as_ref()
            .map_or(true, |r| r.iter().any(|c| !c.trim().is_empty()))
    });

    let mut people: Vec<Person> = Vec::new();
    let mut by_ref: HashMap<String, usize> = HashMap::new();
    for (i, record) in rows.iter().enumerate() {
        // The header is row 1.
        let row = i as u64 + 2;
        let is_last = Some(i) == last;
        let record = match record {
            Ok(r) => r,
            Err(_) => {
                refused.say(row, None, "this row could not be read as CSV");
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if is_last && cut_in_quotes {
            refused.say(
                row,
                None,
                "the file ends inside a quoted cell on this row: it looks cut off, so nothing was imported; export it again",
            );
            continue;
        }
        if record.len() != columns.len() {
            let reason = if is_last {
                format!(
                    "this row has {} of the {} columns and the file ends here: the file looks cut off, so nothing was imported; export it again",
                    record.len(),
                    columns.len()
                )
            } else {
                format!(
                    "this row has {} columns but the header has {}: check for a stray comma or a missing cell",
                    record.len(),
                    columns.len()
                )
            };
            refused.say(row, None, reason);
            continue;
        }
        if columns
            .iter()
            .zip(record.iter())
            .any(|(c, v)| c.is_none() && !v.trim().is_empty())
        {
            refused.say(
                row,
                None,
                "this row has something in a column with no name: name the column (see docs/IMPORT.md) or delete it",
            );
            continue;
        }
        let cells = Cells {
            columns: &columns,
            record,
        };
        read_row(row, &cells, now, &mut people, &mut by_ref, &mut refused);
    }
    if people.is_empty() && refused.0.is_empty() {
        refused.say(1, None, "the file has no participants in it");
    }
    (people, refused.0)
}

/// One row's cells, by column.
struct Cells<'r> {
    columns: &'r [Option<Column>],
    record: &'r csv::StringRecord,
}

impl<'r> Cells<'r> {
    /// The cell in column `c`, trimmed; empty when the file has no such column.
    fn get(&self, c: Column) -> &'r str {
        self.columns
            .iter()
            .position(|x| *x == Some(c))
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
            .trim()
    }
}

/// Reads one row: a new participant, or more for one already read (same `ref`).
fn read_row(
    row: u64,
    cell: &Cells<'_>,
    now: Timestamp,
    people: &mut Vec<Person>,
    by_ref: &mut HashMap<String, usize>,
    refused: &mut Refusals,
) {
    let before = refused.0.len();
    let reference = cell.get(Column::Ref);
    let earlier = (!reference.is_empty())
        .then(|| by_ref.get(reference).copied())
        .flatten();

    let person = match earlier {
        Some(i) => {
            // A later row for the same person: participant columns empty or unchanged.
            let first = &people[i];
            for (c, v) in &first.first {
                let here = cell.get(*c);
                if !here.is_empty() && here != v {
                    refused.say(
                        row,
                        Some(*c),
                        format!(
                            "differs from row {} for the same ref: leave it empty on later rows for the same person, or give this person another ref",
                            first.row
                        ),
                    );
                }
            }
            None
        }
        None => {
            let name = Field::PreferredName.text(cell.get(Column::PreferredName));
            if let Err(e) = &name {
                refused.rule(row, Column::PreferredName, e.clone());
            }
            let programme = Field::Programme.text(cell.get(Column::Programme));
            if let Err(e) = &programme {
                refused.rule(row, Column::Programme, e.clone());
            }
            let status = match cell.get(Column::Status) {
                "" => Ok(ParticipantStatus::Referred),
                v => one_of(v, ParticipantStatus::ALL, |s| s.as_str()),
            };
            if let Err(e) = &status {
                refused.say(row, Some(Column::Status), e.clone());
            }
            let mut pathways = Vec::new();
            for p in cell
                .get(Column::Pathways)
                .split([';', ','])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                match one_of(p, Pathway::ALL, |x| x.as_str()) {
                    Ok(p) => pathways.push(p),
                    Err(e) => refused.say(row, Some(Column::Pathways), e),
                }
            }
            match (name, programme, status) {
                (Ok(preferred_name), Ok(programme), Ok(status)) => Some(Person {
                    row,
                    new: NewParticipant {
                        preferred_name,
                        programme,
                        pathways,
                    },
                    status,
                    goals: Vec::new(),
                    appointments: Vec::new(),
                    first: Column::PARTICIPANT
                        .iter()
                        .map(|c| (*c, cell.get(*c).to_string()))
                        .collect(),
                }),
                _ => None,
            }
        }
    };

    let goal = read_goal(row, cell, refused);
    let appointment = read_appointment(row, cell, now, refused);
    if refused.0.len() > before {
        return;
    }
    let index = match (person, earlier) {
        (Some(p), _) => {
            people.push(p);
            let i = people.len() - 1;
            if !reference.is_empty() {
                by_ref.insert(reference.to_string(), i);
            }
            i
        }
        (None, Some(i)) => i,
        (None, None) => return,
    };
    if let Some(g) = goal {
        people[index].goals.push((row, g));
    }
    if let Some(a) = appointment {
        people[index].appointments.push((row, a));
    }
}

fn read_goal(row: u64, cell: &Cells<'_>, refused: &mut Refusals) -> Option<NewGoal> {
    if Column::GOAL.iter().all(|c| cell.get(*c).is_empty()) {
        return None;
    }
    let before = refused.0.len();
    let title = Field::GoalTitle
        .text(cell.get(Column::Goal))
        .map_err(|e| refused.rule(row, Column::Goal, e))
        .ok();
    let why = Field::WhyItMatters
        .text(cell.get(Column::WhyItMatters))
        .map_err(|e| refused.rule(row, Column::WhyItMatters, e))
        .ok();
    let pathway = match cell.get(Column::GoalPathway) {
        "" => {
            refused.say(
                row,
                Some(Column::GoalPathway),
                format!(
                    "cannot be empty when the row has a goal: use one of {}",
                    Pathway::ALL
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            None
        }
        v => one_of(v, Pathway::ALL, |p| p.as_str())
            .map_err(|e| refused.say(row, Some(Column::GoalPathway), e))
            .ok(),
    };
    let mut date = |c: Column| match cell.get(c) {
        "" => None,
        v => day(v).map_err(|e| refused.say(row, Some(c), e)).ok(),
    };
    let target_date = date(Column::TargetDate);
    let review_due = date(Column::ReviewDue);
    if refused.0.len() > before {
        return None;
    }
    Some(NewGoal {
        title: title?,
        pathway: pathway?,
        why_it_matters: why?,
        target_date,
        review_due,
    })
}

fn read_appointment(
    row: u64,
    cell: &Cells<'_>,
    now: Timestamp,
    refused: &mut Refusals,
) -> Option<NewAppointment> {
    if Column::APPOINTMENT.iter().all(|c| cell.get(*c).is_empty()) {
        return None;
    }
    let before = refused.0.len();
    let starts_at = match cell.get(Column::AppointmentStarts) {
        "" => {
            refused.say(
                row,
                Some(Column::AppointmentStarts),
                "cannot be empty when the row has an appointment: give the date and time it starts",
            );
            None
        }
        v => match instant(v) {
            Ok(t) if t < now => {
                refused.say(
                    row,
                    Some(Column::AppointmentStarts),
                    format!(
                        "{} is in the past: import only appointments still to come",
                        quote(v)
                    ),
                );
                None
            }
            Ok(t) => Some(t),
            Err(e) => {
                refused.say(row, Some(Column::AppointmentStarts), e);
                None
            }
        },
    };
    let ends_at = match cell.get(Column::AppointmentEnds) {
        "" => None,
        v => instant(v)
            .map_err(|e| refused.say(row, Some(Column::AppointmentEnds), e))
            .ok(),
    };
    let kind = match cell.get(Column::AppointmentKind) {
        "" => {
            refused.say(
                row,
                Some(Column::AppointmentKind),
                format!(
                    "cannot be empty when the row has an appointment: use one of {}",
                    AppointmentKind::ALL
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            None
        }
        v => one_of(v, AppointmentKind::ALL, |k| k.as_str())
            .map_err(|e| refused.say(row, Some(Column::AppointmentKind), e))
            .ok(),
    };
    let with_whom = Field::WithWhom
        .text(cell.get(Column::WithWhom))
        .map_err(|e| refused.rule(row, Column::WithWhom, e))
        .ok();
    let location = Field::Location
        .text(cell.get(Column::Location))
        .map_err(|e| refused.rule(row, Column::Location, e))
        .ok();
    let mut flag = |c: Column| {
        yes_no(cell.get(c))
            .map_err(|e| refused.say(row, Some(c), e))
            .unwrap_or(false)
    };
    let reminder = flag(Column::Reminder);
    let travel_arranged = flag(Column::TravelArranged);
    let accompanied_by = match cell.get(Column::AccompaniedBy) {
        "" => None,
        v => v
            .parse::<UserId>()
            .map_err(|_| {
                refused.say(
                    row,
                    Some(Column::AccompaniedBy),
                    format!(
                        "{} is not a user id: give the mentor's id as `onward-server users` lists it, or leave it empty",
                        quote(v)
                    ),
                )
            })
            .ok(),
    };
    if refused.0.len() > before {
        return None;
    }
    Some(NewAppointment {
        starts_at: starts_at?,
        ends_at,
        kind: kind?,
        with_whom: with_whom?,
        location: location?,
        reminder,
        travel_arranged,
        accompanied_by,
    })
}

/// Makes one person's documents with the app's operations, as the handlers would one by one.
fn build(person: &Person, ctx: &Ctx) -> Result<ParticipantDocs, (u64, OpError)> {
    let mut docs = ops::create_participant(ctx, &person.new).map_err(|e| (person.row, e))?;
    if person.status != ParticipantStatus::Referred {
        let change = ProfileChange {
            preferred_name: None,
            programme: None,
            status: Some(person.status),
            pathways: Vec::new(),
        };
        plan::update_profile(&mut docs.plan, ctx, &change).map_err(|e| (person.row, e))?;
    }
    for (row, g) in &person.goals {
        plan::add_goal(&mut docs.plan, ctx, g).map_err(|e| (*row, e))?;
    }
    for (row, a) in &person.appointments {
        plan::plan_appointment(&mut docs.plan, ctx, a).map_err(|e| (*row, e))?;
    }
    Ok(docs)
}

/// The operations an import runs, each of which `actor` must be allowed.
const IMPORT_STEPS: &[Operation] = &[
    Operation::CreateParticipant,
    Operation::UpdateProfile,
    Operation::AddGoal,
    Operation::PlanAppointment,
];

/// An import ready to store: each participant's first row and documents, and how many goals
/// and appointments they hold in all.
pub(crate) struct Prepared {
    pub made: Vec<(u64, ParticipantDocs)>,
    pub goals: u32,
    pub appointments: u32,
}

/// Reads and checks the file and makes every participant's documents, or lists the refused
/// rows. Nothing is stored here.
pub(crate) fn prepare(
    csv_text: &str,
    actor: &Actor,
    ctx: &Ctx,
) -> Result<Result<Prepared, Vec<RowRefusal>>, Refused> {
    for op in IMPORT_STEPS {
        op.permits(actor)?;
    }
    let (people, read_refusals) = read(csv_text, ctx.now);
    let mut refused = Refusals(read_refusals);
    let mut made = Vec::with_capacity(people.len());
    let (mut goals, mut appointments) = (0u32, 0u32);
    for person in &people {
        match build(person, ctx) {
            Ok(docs) => {
                goals += person.goals.len() as u32;
                appointments += person.appointments.len() as u32;
                made.push((person.row, docs));
            }
            Err((row, e)) => match e.field().and_then(column_of) {
                Some(c) => refused.rule(row, c, e),
                None => refused.say(row, None, e.to_string()),
            },
        }
    }
    if refused.0.is_empty() {
        Ok(Ok(Prepared {
            made,
            goals,
            appointments,
        }))
    } else {
        // In the file's order; a row's own refusals keep theirs (the sort is stable).
        refused.0.sort_by_key(|r| r.row);
        Ok(Err(refused.0))
    }
}

/// The report of an import that stored nothing.
pub(crate) fn refused(rows: Vec<RowRefusal>) -> ImportReport {
    ImportReport {
        refused: rows,
        ..ImportReport::default()
    }
}

/// The report of an import that stored everything.
pub(crate) fn imported(
    rows: Vec<(u64, onward_core::ids::ParticipantId)>,
    goals: u32,
    appointments: u32,
) -> ImportReport {
    ImportReport {
        participants: rows
            .into_iter()
            .map(|(row, participant)| ImportedParticipant { row, participant })
            .collect(),
        goals,
        appointments,
        refused: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_in_either_form() {
        assert_eq!(day("01/03/2026").unwrap().to_string(), "2026-03-01");
        assert_eq!(day("2026-03-01").unwrap().to_string(), "2026-03-01");
        assert!(day("1 March").is_err());
        // 1 July is in British Summer Time: 14:30 in London is 13:30 UTC.
        assert_eq!(
            instant("01/07/2026 14:30").unwrap().to_string(),
            "2026-07-01T13:30:00.000Z"
        );
        assert_eq!(
            instant("2026-12-01 14:30").unwrap().to_string(),
            "2026-12-01T14:30:00.000Z"
        );
        assert!(yes_no("maybe").is_err());
        assert!(yes_no("Yes").unwrap());
    }
}
