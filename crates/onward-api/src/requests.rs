//! Every request the app core answers, and the registry that routes them by name.

use onward_core::document::HistoryEntry;
use onward_core::export::ParticipantExport;
use onward_core::ids::*;
use onward_core::input::*;
use onward_core::model::{Concern, Notes, Plan, Restricted};
use onward_core::time::{Day, Timestamp};
use onward_core::views::*;
use onward_core::vocab::*;
use serde::{Deserialize, Serialize};

use onward_core::policy::{Access, Operation, Refused};

use crate::{ApiError, ErrorKind, Handle, Request};

/// Declares commands that act on one participant: `--participant ID` plus the input's fields.
macro_rules! participant_commands {
    ($($(#[$meta:meta])* $name:ident($input:ty) => $resp:ty;)+) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "clap", derive(clap::Args))]
        pub struct $name {
            /// The participant's id.
            #[cfg_attr(feature = "clap", arg(long))]
            pub participant: ParticipantId,
            #[serde(flatten)]
            #[cfg_attr(feature = "clap", command(flatten))]
            pub input: $input,
        }
        impl Request for $name {
            const NAME: &'static str = Operation::$name.name();
            const ACCESS: Access = Access::Change(Operation::$name);
            const CHANGES: bool = true;
            type Response = $resp;
        }
    )+};
}

participant_commands! {
    /// Change a participant's name, programme, status or pathways.
    UpdateProfile(ProfileChange) => ();
    /// Add a goal, in the participant's words.
    AddGoal(NewGoal) => GoalId;
    /// Change a goal's title, reason, dates or status.
    UpdateGoal(GoalChange) => ();
    /// Add a step towards a goal.
    AddStep(NewStep) => StepId;
    /// Tick (or untick) a step.
    TickStep(StepTick) => ();
    /// Review a goal's progress (0–10).
    ReviewGoal(NewReview) => ReviewId;
    /// The participant signs off a goal as theirs.
    SignOffGoal(GoalSignOff) => ();
    /// Plan an appointment and the support for it.
    PlanAppointment(NewAppointment) => AppointmentId;
    /// Record what happened at an appointment.
    RecordAppointmentOutcome(AppointmentOutcome) => ();
    /// Mark an appointment's follow-up as done.
    CompleteFollowUp(FollowUpDone) => ();
    /// Record an achievement.
    RecordAchievement(NewAchievement) => AchievementId;
    /// Record a progression into work, education, training or volunteering.
    RecordProgression(NewProgression) => ProgressionId;
    /// Record a 13- or 26-week sustainment check.
    CheckSustained(SustainedCheck) => ();
    /// Record a self-assessment check-in.
    RecordCheckIn(NewCheckIn) => CheckInId;
    /// Save the disclosure-statement draft.
    SaveDisclosure(DisclosureText) => ();
    /// Log a session.
    LogSession(NewSession) => SessionId;
    /// Edit a session that is not yet signed off.
    EditSession(SessionEdit) => ();
    /// Sign off a session; after this only addenda can be added.
    SignOffSession(SessionSignOff) => SignOffId;
    /// Add an addendum to a session.
    AddAddendum(NewAddendum) => AddendumId;
    /// Record the referral.
    RecordReferral(NewReferral) => ();
    /// Record consent given or withdrawn.
    RecordConsent(NewConsent) => ConsentId;
    /// Add a key contact.
    AddKeyContact(NewContact) => ContactId;
    /// Raise a safeguarding concern.
    RaiseConcern(NewConcern) => ConcernId;
    /// Respond to a safeguarding concern.
    RespondToConcern(ConcernReply) => ResponseId;
}

/// Add a participant (for example a referral met in the community).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct CreateParticipant {
    #[serde(flatten)]
    #[cfg_attr(feature = "clap", command(flatten))]
    pub input: NewParticipant,
}
impl Request for CreateParticipant {
    const NAME: &'static str = Operation::CreateParticipant.name();
    const ACCESS: Access = Access::Change(Operation::CreateParticipant);
    const CHANGES: bool = true;
    type Response = ParticipantId;
}

/// Who is signed in on this device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub user: UserId,
    pub device: DeviceId,
    pub role: Role,
    pub display_name: String,
    /// Whether a mentor is cleared to hold Restricted documents (decided by the server).
    #[serde(default)]
    pub cleared: bool,
}

impl Identity {
    /// The person as the rules in `onward_core::policy` see them.
    pub fn actor(&self) -> onward_core::policy::Actor {
        onward_core::policy::Actor {
            user: self.user,
            role: self.role,
            cleared: self.cleared,
        }
    }
}

/// Show who is signed in on this device.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct WhoAmI {}
impl Request for WhoAmI {
    const NAME: &'static str = "whoami";
    const ACCESS: Access = Access::Device;
    const CHANGES: bool = false;
    type Response = Identity;
}

/// List the caseload, optionally filtered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct Caseload {
    /// Only names containing this text.
    #[cfg_attr(feature = "clap", arg(long))]
    pub search: Option<String>,
    #[cfg_attr(feature = "clap", arg(long))]
    pub status: Option<ParticipantStatus>,
    #[cfg_attr(feature = "clap", arg(long))]
    pub pathway: Option<Pathway>,
}
impl Request for Caseload {
    const NAME: &'static str = "caseload";
    const ACCESS: Access = Access::Lists;
    const CHANGES: bool = false;
    type Response = Vec<CaseloadRow>;
}

/// What is due: appointments today and this week, goals and follow-ups due, unsigned sessions,
/// open concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TodayView {
    pub day: Day,
    pub appointments_today: Vec<AppointmentRow>,
    pub appointments_this_week: Vec<AppointmentRow>,
    pub goals_due: Vec<GoalRow>,
    pub follow_ups_due: Vec<FollowUpRow>,
    pub unsigned_sessions: Vec<UnsignedRow>,
    pub open_concerns: Vec<ConcernRow>,
}

/// Show what is due today (London time) or on another day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct Today {
    /// The day to show (default: today).
    #[cfg_attr(feature = "clap", arg(long))]
    pub day: Option<Day>,
}
impl Request for Today {
    const NAME: &'static str = "today";
    const ACCESS: Access = Access::Lists;
    const CHANGES: bool = false;
    type Response = TodayView;
}

/// Everything about one participant that the signed-in user may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantView {
    pub summary: CaseloadRow,
    pub plan: Plan,
    /// Absent for a participant using the tablet.
    pub notes: Option<Notes>,
    /// Absent for peer mentors and participants.
    pub restricted: Option<Restricted>,
    /// The safeguarding concerns this person holds: every concern for cleared staff, their own
    /// for others. Oldest first.
    #[serde(default)]
    pub concerns: Vec<Concern>,
}

/// Show one participant's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct GetParticipant {
    #[cfg_attr(feature = "clap", arg(long))]
    pub participant: ParticipantId,
}
impl Request for GetParticipant {
    const NAME: &'static str = "get_participant";
    const ACCESS: Access = Access::ReadRecord;
    const CHANGES: bool = false;
    type Response = ParticipantView;
}

/// Export a participant's full record as JSON (format in docs/EXPORT.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct Export {
    #[cfg_attr(feature = "clap", arg(long))]
    pub participant: ParticipantId,
}
impl Request for Export {
    const NAME: &'static str = "export";
    const ACCESS: Access = Access::Export;
    const CHANGES: bool = false;
    type Response = ParticipantExport;
}

/// One change in a participant's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub document: DocKind,
    #[serde(flatten)]
    pub entry: HistoryEntry,
}

/// Show who changed a participant's record, when, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct History {
    #[cfg_attr(feature = "clap", arg(long))]
    pub participant: ParticipantId,
}
impl Request for History {
    const NAME: &'static str = "history";
    const ACCESS: Access = Access::History;
    const CHANGES: bool = false;
    type Response = Vec<HistoryItem>;
}

/// Facts about the data on this device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreInfo {
    pub participants: u32,
    pub bytes_on_disk: u64,
    pub checked_at: Timestamp,
}

/// Show how much is stored on this device.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct Status {}
impl Request for Status {
    const NAME: &'static str = "status";
    const ACCESS: Access = Access::Device;
    const CHANGES: bool = false;
    type Response = StoreInfo;
}

/// How this device stands with the charity's server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Whether this tablet is enrolled with a server.
    pub enrolled: bool,
    /// The server's address.
    pub server: Option<String>,
    /// When a sync last finished.
    pub last_synced: Option<Timestamp>,
    /// Changes saved on this tablet that have not reached the server yet.
    pub waiting: u64,
    /// The last sync's failure, in plain words (cleared by the next success).
    pub last_error: Option<String>,
    /// The last sync's failure as an error the UI can put in its own words.
    #[serde(default)]
    pub last_failure: Option<ApiError>,
    /// Changes recorded here that the office did not accept and no one has dealt with yet.
    #[serde(default)]
    pub not_accepted: u64,
    /// How far this tablet's clock was ahead of the office's at the last sync (negative:
    /// behind), in seconds.
    #[serde(default)]
    pub clock_ahead_seconds: Option<i64>,
    /// For coordinators: open concerns of high or immediate urgency held here.
    #[serde(default)]
    pub urgent_concerns: Option<u32>,
}

/// Show how this tablet stands with the server: last synced, changes waiting, last error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct GetSyncStatus {}
impl Request for GetSyncStatus {
    const NAME: &'static str = "sync_status";
    const ACCESS: Access = Access::Device;
    const CHANGES: bool = false;
    type Response = SyncStatus;
}

/// A change recorded on this tablet that the office did not accept (or could no longer
/// accept), kept with what it recorded until a person has dealt with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotAcceptedChange {
    pub id: i64,
    /// When the tablet learned it was not accepted.
    pub held_at: Timestamp,
    pub participant: ParticipantId,
    /// The participant's name when it was held.
    pub preferred_name: String,
    pub document: DocKind,
    /// What the change was, when the tablet knows the operation.
    pub operation: Option<Operation>,
    pub why: Refused,
    /// What it recorded: the records it wrote, as they were after it.
    pub recorded: Vec<RecordedPart>,
}

/// One record a change wrote, for showing what it recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedPart {
    /// The part of the document (`goals`, `revisions`, `profile`...).
    pub part: String,
    /// The record as it was after the change.
    pub value: serde_json::Value,
}

/// List the changes recorded here that the office did not accept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct GetNotAccepted {}
impl Request for GetNotAccepted {
    const NAME: &'static str = "not_accepted";
    const ACCESS: Access = Access::Device;
    const CHANGES: bool = false;
    type Response = Vec<NotAcceptedChange>;
}

/// Say a change the office did not accept has been dealt with (it stops being listed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ResolveNotAccepted {
    #[cfg_attr(feature = "clap", arg(long))]
    pub id: i64,
}
impl Request for ResolveNotAccepted {
    const NAME: &'static str = "resolve_not_accepted";
    const ACCESS: Access = Access::Device;
    const CHANGES: bool = true;
    type Response = ();
}

/// For coordinators: a change the office refused from someone's tablet (never its content).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficeNotice {
    pub seq: u64,
    pub at: Timestamp,
    pub user: UserId,
    pub user_name: String,
    pub device: DeviceId,
    pub participant: ParticipantId,
    pub document: DocKind,
    /// The operation the change said it was, when known.
    pub operation: Option<Operation>,
    pub why: Refused,
}

/// For coordinators: the changes the office refused from anyone's tablet, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct GetOfficeNotices {}
impl Request for GetOfficeNotices {
    const NAME: &'static str = "office_notices";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = false;
    type Response = Vec<OfficeNotice>;
}

/// For coordinators: a funder report for a period (London days, both included), optionally for
/// one programme and one mentor. Every figure is defined in `docs/REPORTS.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct FunderReport {
    /// The period's first day, such as 2026-01-01.
    #[cfg_attr(feature = "clap", arg(long))]
    pub from: Day,
    /// The period's last day, included, such as 2026-03-31.
    #[cfg_attr(feature = "clap", arg(long))]
    pub to: Day,
    /// Only participants on this programme.
    #[serde(default)]
    #[cfg_attr(feature = "clap", arg(long))]
    pub programme: Option<String>,
    /// Only participants this person (a mentor's user id) worked with.
    #[serde(default)]
    #[cfg_attr(feature = "clap", arg(long))]
    pub mentor: Option<UserId>,
}
impl Request for FunderReport {
    const NAME: &'static str = "funder_report";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = false;
    type Response = onward_core::reports::Report;
}

/// For coordinators: the organisation at a glance (participants by status, open concerns by
/// urgency, overdue goal reviews, this week's appointments, this month's sessions and contact
/// hours), counted from what this device holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct GetOverview {}
impl Request for GetOverview {
    const NAME: &'static str = "overview";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = false;
    type Response = onward_core::overview::Overview;
}

/// A row of a list with the participant's preferred name beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Named<T> {
    pub name: String,
    pub row: T,
}

/// The rows behind one figure of the overview (at most [`OVERVIEW_LIST_LIMIT`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "list", content = "rows", rename_all = "snake_case")]
pub enum OverviewRows {
    Participants(Vec<CaseloadRow>),
    Goals(Vec<Named<GoalRow>>),
    Appointments(Vec<Named<AppointmentRow>>),
    Sessions(Vec<Named<SessionRow>>),
}

/// The most rows [`OverviewList`] returns; the overview's figure gives the whole count.
pub const OVERVIEW_LIST_LIMIT: u32 = 500;

/// For coordinators: the list behind a figure of the overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct OverviewList {
    /// waiting-for-mentor, reviews-overdue, appointments-this-week or sessions-this-month.
    #[cfg_attr(feature = "clap", arg(long))]
    pub figure: OverviewFigure,
}
impl Request for OverviewList {
    const NAME: &'static str = "overview_list";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = false;
    type Response = OverviewRows;
}

/// An open concern in the inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxConcern {
    pub concern: ConcernRow,
    /// The participant's preferred name.
    pub name: String,
    /// London calendar days since it was raised.
    pub age_days: i64,
    /// Whether the person signed in here raised it.
    pub raised_by_me: bool,
}

/// For coordinators: every open safeguarding concern in the organisation, most urgent first,
/// then the oldest, then those nobody has answered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ConcernInbox {}
impl Request for ConcernInbox {
    const NAME: &'static str = "concern_inbox";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = false;
    type Response = Vec<InboxConcern>;
}

/// For coordinators: the organisation's staff as the office last sent them (at each sync),
/// by name, with role, clearance, caseload size and last sync.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct GetStaff {}
impl Request for GetStaff {
    const NAME: &'static str = "staff";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = false;
    type Response = Vec<onward_core::overview::StaffMember>;
}

/// For coordinators: put a participant on a mentor's caseload. The office decides at the next
/// sync; until then the order waits on this device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct AssignMentor {
    #[cfg_attr(feature = "clap", arg(long))]
    pub participant: ParticipantId,
    /// The mentor's user id (see `staff`).
    #[cfg_attr(feature = "clap", arg(long))]
    pub mentor: UserId,
}
impl Request for AssignMentor {
    const NAME: &'static str = "assign_mentor";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = true;
    type Response = CommandId;
}

/// For coordinators: take a participant off a mentor's caseload (decided by the office at the
/// next sync; the mentor's tablet then lets the record go).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct UnassignMentor {
    #[cfg_attr(feature = "clap", arg(long))]
    pub participant: ParticipantId,
    #[cfg_attr(feature = "clap", arg(long))]
    pub mentor: UserId,
}
impl Request for UnassignMentor {
    const NAME: &'static str = "unassign_mentor";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = true;
    type Response = CommandId;
}

/// What an order for the office asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    Assign,
    Unassign,
    IssueCode,
    RevokeDevice,
    TurnOff,
    TurnOn,
}

/// An order for the office made on this device, and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficeOrder {
    pub id: CommandId,
    pub kind: OrderKind,
    /// The participant it is about (assigning).
    pub participant: Option<ParticipantId>,
    /// The person it is about: the mentor, or whose code or account.
    pub person: Option<UserId>,
    /// Their name, when the directory knows them.
    pub person_name: Option<String>,
    /// The tablet it is about (revoking).
    pub device: Option<DeviceId>,
    pub made_at: Timestamp,
    /// When the office answered; `None` while it waits for a sync.
    pub answered_at: Option<Timestamp>,
    /// Why the office refused it (nothing was changed).
    pub refused: Option<Refused>,
    /// For a code the office issued: the one-time code to type on the new tablet.
    pub code: Option<String>,
}

/// For coordinators: a one-time enrolment code for a member of staff's new tablet. The office
/// issues it at the next sync (valid 72 hours); it then shows with the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct IssueEnrolmentCode {
    #[cfg_attr(feature = "clap", arg(long))]
    pub user: UserId,
}
impl Request for IssueEnrolmentCode {
    const NAME: &'static str = "issue_enrolment_code";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = true;
    type Response = CommandId;
}

/// For coordinators: withdraw a tablet (at the next sync); it deletes its records when it
/// next reaches the office.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct RevokeDevice {
    #[cfg_attr(feature = "clap", arg(long))]
    pub device: DeviceId,
}
impl Request for RevokeDevice {
    const NAME: &'static str = "revoke_device";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = true;
    type Response = CommandId;
}

/// For coordinators: turn a person's account off (every tablet of theirs withdrawn, unused
/// codes cancelled) or back on, at the next sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct SetAccountEnabled {
    #[cfg_attr(feature = "clap", arg(long))]
    pub user: UserId,
    /// On (`--enabled`) or off (without it).
    #[serde(default)]
    #[cfg_attr(feature = "clap", arg(long))]
    pub enabled: bool,
}
impl Request for SetAccountEnabled {
    const NAME: &'static str = "set_account_enabled";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = true;
    type Response = CommandId;
}

/// A participant's mentors as the office last said, and orders about them made here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParticipantMentorsView {
    /// Assigned mentors the directory knows.
    pub assigned: Vec<onward_core::overview::StaffMember>,
    /// Whether the office has sent a directory yet (before then, who is assigned is unknown).
    pub known: bool,
    /// Orders about this participant, newest first.
    pub orders: Vec<OfficeOrder>,
}

/// For coordinators: who a participant's mentors are, and orders about them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ParticipantMentors {
    #[cfg_attr(feature = "clap", arg(long))]
    pub participant: ParticipantId,
}
impl Request for ParticipantMentors {
    const NAME: &'static str = "participant_mentors";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = false;
    type Response = ParticipantMentorsView;
}

/// For coordinators: the latest orders for the office made on this device.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct GetOfficeOrders {}
impl Request for GetOfficeOrders {
    const NAME: &'static str = "office_orders";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = false;
    type Response = Vec<OfficeOrder>;
}

/// For coordinators: the same funder report as [`FunderReport`], as a PDF to send to a
/// funder (its figures as text and the same bar charts, drawn by the app core).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct FunderReportPdf {
    /// The period's first day, such as 2026-01-01.
    #[cfg_attr(feature = "clap", arg(long))]
    pub from: Day,
    /// The period's last day, included, such as 2026-03-31.
    #[cfg_attr(feature = "clap", arg(long))]
    pub to: Day,
    /// Only participants on this programme.
    #[serde(default)]
    #[cfg_attr(feature = "clap", arg(long))]
    pub programme: Option<String>,
    /// Only participants this person (a mentor's user id) worked with.
    #[serde(default)]
    #[cfg_attr(feature = "clap", arg(long))]
    pub mentor: Option<UserId>,
}
impl Request for FunderReportPdf {
    const NAME: &'static str = "funder_report_pdf";
    const ACCESS: Access = Access::Coordination;
    const CHANGES: bool = false;
    type Response = ReportPdf;
}

/// A funder report as a PDF file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportPdf {
    /// A name to save it under: `onward-report-FROM-TO.pdf`.
    pub file_name: String,
    /// The file's bytes in standard base64 (with padding).
    pub base64: String,
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncReport {
    /// Round trips made.
    pub rounds: u32,
    /// Changes sent and accepted.
    pub sent: u64,
    /// Changes received for records already on this tablet.
    pub received: u64,
    /// Records received whole.
    pub fetched: u64,
    /// Records removed from this tablet (no longer on this caseload).
    pub removed: u64,
    /// Changes the office did not accept (kept on this tablet, listed by `not_accepted`).
    pub refused: Vec<Refused>,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// Sync with the charity's server now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct SyncNow {}
impl Request for SyncNow {
    const NAME: &'static str = "sync_now";
    const ACCESS: Access = Access::Sync;
    const CHANGES: bool = true;
    type Response = SyncReport;
}

/// Keep what was typed into a form, so it survives a failed save or the app closing. Drafts
/// live in the encrypted store and are deleted with the records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct SaveDraft {
    /// Which form (such as `log_session:PARTICIPANT-ID`).
    #[cfg_attr(feature = "clap", arg(long))]
    pub form: String,
    /// The form's fields as the screen keeps them (JSON text).
    #[cfg_attr(feature = "clap", arg(long))]
    pub value: String,
}
impl Request for SaveDraft {
    const NAME: &'static str = "save_draft";
    const ACCESS: Access = Access::Device;
    const CHANGES: bool = false;
    type Response = ();
}

/// Show the draft kept for a form, if there is one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct GetDraft {
    #[cfg_attr(feature = "clap", arg(long))]
    pub form: String,
}
impl Request for GetDraft {
    const NAME: &'static str = "get_draft";
    const ACCESS: Access = Access::Device;
    const CHANGES: bool = false;
    type Response = Option<String>;
}

/// Forget a form's draft (after it was saved, or when the person clears the form).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ClearDraft {
    #[cfg_attr(feature = "clap", arg(long))]
    pub form: String,
}
impl Request for ClearDraft {
    const NAME: &'static str = "clear_draft";
    const ACCESS: Access = Access::Device;
    const CHANGES: bool = false;
    type Response = ();
}

/// Enrol this tablet with the charity's server and sign in. Answered by the shell's host
/// (there is no profile to answer it before), not by the app core.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Enrol {
    /// The server's address, such as `https://onward.example.org`.
    pub server: String,
    /// A one-time enrolment code from the coordinator; or give a username and password.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// A name the charity's admin will recognise this tablet by.
    pub device_name: String,
    /// The charity's choice to reach its server over plain `http://` on its own network
    /// (a private IP address only, never a name). Kept in the profile for every later sync.
    /// Without it the address must be `https://` (or this computer).
    #[serde(default)]
    pub allow_plain_http: bool,
}
impl Request for Enrol {
    const NAME: &'static str = "enrol";
    const ACCESS: Access = Access::Device;
    const CHANGES: bool = true;
    type Response = Identity;
}

/// Whether this tablet has a profile yet, and whose.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub identity: Option<Identity>,
}

/// Show whether this tablet is set up, and who is signed in. Answered by the shell's host.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetSession {}
impl Request for GetSession {
    const NAME: &'static str = "session";
    const ACCESS: Access = Access::Device;
    const CHANGES: bool = false;
    type Response = Session;
}

/// Show how far a "sync now" in progress has got (nothing when none is running). Answered by
/// the shell's host.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetSyncProgress {}
impl Request for GetSyncProgress {
    const NAME: &'static str = "sync_progress";
    const ACCESS: Access = Access::Device;
    const CHANGES: bool = false;
    type Response = Option<SyncReport>;
}

/// Import a charity's current participants, with their open goals and next appointments,
/// from a CSV file (column layout in `docs/IMPORT.md`). All or nothing: every row is checked
/// with the rules the app uses, and if any row is refused (or the file is cut off) nothing is
/// imported and the refused rows are listed. Imported participants wait in the outbox like
/// ones created offline and reach the office at the next sync. Coordinators only.
/// The CLI's `onward import FILE` reads the file into `csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportParticipants {
    /// The file's contents (UTF-8).
    pub csv: String,
}
impl Request for ImportParticipants {
    const NAME: &'static str = "import_participants";
    const ACCESS: Access = Access::Import;
    const CHANGES: bool = true;
    type Response = ImportReport;
}

/// What an import did. When `refused` is not empty nothing was imported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The participants created, in the file's order.
    pub participants: Vec<ImportedParticipant>,
    /// Goals added, across all participants.
    pub goals: u32,
    /// Appointments planned, across all participants.
    pub appointments: u32,
    /// The rows refused, with the column and the reason. Any refusal means nothing was
    /// imported: correct the file and import all of it again.
    pub refused: Vec<RowRefusal>,
}

/// A participant an import created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedParticipant {
    /// The spreadsheet row (the header is row 1) of their first line.
    pub row: u64,
    pub participant: ParticipantId,
}

/// A row an import refused, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowRefusal {
    /// The spreadsheet row (the header is row 1).
    pub row: u64,
    /// The column's name in the file's header, when one column is at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What is wrong and what to do, in plain words.
    pub reason: String,
    /// The app's field at fault, when the rule is one of `onward_core::validate`'s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<onward_core::validate::Field>,
    /// The problem with that field's value, for the UI's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<onward_core::validate::Problem>,
}

/// Export upcoming appointments as an iCalendar (`.ics`) file a phone's calendar can import.
/// Times are in UTC (shown in the phone's own zone); each event says where, with whom and who
/// goes with the participant, and never holds notes or restricted information. The CLI's
/// `onward calendar --out FILE` writes it to a file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportCalendar {
    /// How many days ahead, from the start of today in London (default 90, at most 366).
    #[serde(default)]
    pub days: Option<u32>,
    /// Only the appointments the signed-in person goes to with the participant.
    #[serde(default)]
    pub only_mine: bool,
}
impl Request for ExportCalendar {
    const NAME: &'static str = "export_calendar";
    const ACCESS: Access = Access::Calendar;
    const CHANGES: bool = false;
    type Response = CalendarFile;
}

/// An iCalendar file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CalendarFile {
    /// The file's contents (`text/calendar`).
    pub ics: String,
    /// How many appointments it holds.
    pub events: u32,
}

/// Lists every request once: generates the wire-name table, [`dispatch`] and (with the `clap`
/// feature) the CLI's [`Call`] subcommands.
macro_rules! registry {
    ($($name:ident,)+ ; without a generated subcommand: $($own:ident,)+) => {
        /// The wire names of every request.
        pub const REQUEST_NAMES: &[&str] = &[$($name::NAME,)+ $($own::NAME,)+];

        /// Routes a request given by wire name and JSON arguments. Unknown names and malformed
        /// arguments get a `BadRequest` error naming what was wrong.
        pub fn dispatch<H>(handler: &mut H, name: &str, args: serde_json::Value) -> Result<serde_json::Value, ApiError>
        where
            H: $(Handle<$name> +)+ $(Handle<$own> +)+
        {
            match name {
                $($name::NAME => {
                    let req: $name = serde_json::from_value(args).map_err(|e| {
                        ApiError::new(ErrorKind::BadRequest, format!("the arguments for {} are not valid: {e}", $name::NAME))
                    })?;
                    let resp = <H as Handle<$name>>::handle(handler, req)?;
                    serde_json::to_value(resp).map_err(|e| ApiError::new(ErrorKind::BadRequest, e.to_string()))
                })+
                $($own::NAME => {
                    let req: $own = serde_json::from_value(args).map_err(|e| {
                        ApiError::new(ErrorKind::BadRequest, format!("the arguments for {} are not valid: {e}", $own::NAME))
                    })?;
                    let resp = <H as Handle<$own>>::handle(handler, req)?;
                    serde_json::to_value(resp).map_err(|e| ApiError::new(ErrorKind::BadRequest, e.to_string()))
                })+
                other => Err(ApiError::new(ErrorKind::BadRequest, format!("there is no command called '{other}'"))),
            }
        }

        /// Whether the named request changes data.
        pub fn changes(name: &str) -> bool {
            match name { $($name::NAME => $name::CHANGES,)+ $($own::NAME => $own::CHANGES,)+ _ => false }
        }

        /// Every request as a CLI subcommand, but those that read or write files, which the
        /// CLI declares itself (`onward import FILE`, `onward calendar --out FILE`).
        #[cfg(feature = "clap")]
        #[derive(Debug, Clone, clap::Subcommand)]
        pub enum Call {
            $(
                #[allow(missing_docs)]
                $name($name),
            )+
        }

        #[cfg(feature = "clap")]
        impl Call {
            /// Runs the call against `handler`, returning the response as JSON.
            pub fn run<H>(self, handler: &mut H) -> Result<serde_json::Value, ApiError>
            where
                H: $(Handle<$name> +)+
            {
                match self {
                    $(Call::$name(r) => {
                        let resp = <H as Handle<$name>>::handle(handler, r)?;
                        serde_json::to_value(resp).map_err(|e| ApiError::new(ErrorKind::BadRequest, e.to_string()))
                    })+
                }
            }
        }
    };
}

registry! {
    WhoAmI,
    Status,
    GetSyncStatus,
    SyncNow,
    SaveDraft,
    GetDraft,
    ClearDraft,
    Caseload,
    Today,
    GetParticipant,
    Export,
    History,
    CreateParticipant,
    UpdateProfile,
    AddGoal,
    UpdateGoal,
    AddStep,
    TickStep,
    ReviewGoal,
    SignOffGoal,
    PlanAppointment,
    RecordAppointmentOutcome,
    CompleteFollowUp,
    RecordAchievement,
    RecordProgression,
    CheckSustained,
    RecordCheckIn,
    SaveDisclosure,
    LogSession,
    EditSession,
    SignOffSession,
    AddAddendum,
    RecordReferral,
    RecordConsent,
    AddKeyContact,
    RaiseConcern,
    RespondToConcern,
    GetNotAccepted,
    ResolveNotAccepted,
    GetOfficeNotices,
    FunderReport,
    GetOverview,
    OverviewList,
    ConcernInbox,
    GetStaff,
    AssignMentor,
    UnassignMentor,
    ParticipantMentors,
    GetOfficeOrders,
    IssueEnrolmentCode,
    RevokeDevice,
    SetAccountEnabled,
    FunderReportPdf,
    ; without a generated subcommand:
    ImportParticipants,
    ExportCalendar,
}
