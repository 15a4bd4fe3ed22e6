//! Who may do what, in one place. Every operation that changes a record is an [`Operation`]
//! value that knows who may run it (role and clearance), which documents it writes, and the
//! stable name it travels under. Every read is an [`Access`] too. The app core checks a
//! request against this before it runs; the UI asks it what to offer; the server judges each
//! pushed change by its effect (see [`crate::judge`]) and then asks the same questions. Nothing
//! else keeps a list of roles or operation names.

use serde::{Deserialize, Serialize};

use crate::ids::{ParticipantId, UserId};
use crate::validate::{Field, Problem};
use crate::vocab::{DocKind, Role};

/// A person as the rules see them. Roles and clearance are decided by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: UserId,
    pub role: Role,
    /// Whether a mentor is cleared to hold Restricted documents.
    pub cleared: bool,
}

impl Actor {
    /// Whether this person's work gives them Restricted information: coordinators, and
    /// mentors with clearance.
    pub fn sees_restricted(&self) -> bool {
        match self.role {
            Role::Coordinator => true,
            Role::Mentor => self.cleared,
            Role::PeerMentor | Role::Participant => false,
        }
    }

    /// Whether this person reads session notes.
    pub fn sees_notes(&self) -> bool {
        self.role != Role::Participant
    }

    /// Whether this person works with participants (everyone but a participant).
    pub fn is_staff(&self) -> bool {
        is_staff(self.role)
    }
}

/// Whether someone with `role` works with participants (everyone but a participant's own
/// sign-in): the people in a coordinator's staff directory.
pub fn is_staff(role: Role) -> bool {
    role != Role::Participant
}

/// Whether someone with `role` can have participants assigned to them: mentors and peer
/// mentors. Coordinators reach everyone without a caseload.
pub fn has_caseload(role: Role) -> bool {
    matches!(role, Role::Mentor | Role::PeerMentor)
}

/// Who may run an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Coordinators, mentors and peer mentors who work with the participant.
    Staff,
    /// Staff, and the participant on their own plan.
    StaffOrParticipant,
    /// Coordinators and cleared mentors.
    Cleared,
    /// Coordinators only.
    Coordinator,
}

macro_rules! operations {
    ($($(#[$meta:meta])* $variant:ident = $name:literal, $label:literal, $who:ident, [$($kind:ident),+];)+) => {
        /// Every operation that changes a participant's records.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation { $($(#[$meta])* $variant,)+ }

        impl Operation {
            /// Every operation.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)+];

            /// The stable name: the request's wire name and the CLI's subcommand.
            pub const fn name(&self) -> &'static str {
                match self { $(Operation::$variant => $name,)+ }
            }

            /// The label an honest device writes into each change it makes (its commit
            /// message), shown in a record's history. The server refuses a change whose label
            /// is not the operation the change really is.
            pub fn label(&self) -> &'static str {
                match self { $(Operation::$variant => $label,)+ }
            }

            /// Who may run it.
            pub fn who(&self) -> Who {
                match self { $(Operation::$variant => Who::$who,)+ }
            }

            /// The documents its changes write.
            pub fn writes(&self) -> &'static [DocKind] {
                match self { $(Operation::$variant => &[$(DocKind::$kind),+],)+ }
            }

            /// The operation with this name.
            pub fn from_name(name: &str) -> Option<Operation> {
                match name { $($name => Some(Operation::$variant),)+ _ => None }
            }
        }
    };
}

operations! {
    /// A new participant and their three documents.
    CreateParticipant = "create_participant", "create", Staff, [Plan, Notes, Restricted];
    UpdateProfile = "update_profile", "update_profile", Staff, [Plan];
    AddGoal = "add_goal", "add_goal", Staff, [Plan];
    UpdateGoal = "update_goal", "update_goal", Staff, [Plan];
    AddStep = "add_step", "add_step", Staff, [Plan];
    TickStep = "tick_step", "tick_step", StaffOrParticipant, [Plan];
    ReviewGoal = "review_goal", "review_goal", StaffOrParticipant, [Plan];
    SignOffGoal = "sign_off_goal", "sign_off_goal", StaffOrParticipant, [Plan];
    PlanAppointment = "plan_appointment", "plan_appointment", Staff, [Plan];
    RecordAppointmentOutcome = "record_appointment_outcome", "record_appointment_outcome", Staff, [Plan];
    CompleteFollowUp = "complete_follow_up", "complete_follow_up", Staff, [Plan];
    RecordAchievement = "record_achievement", "record_achievement", Staff, [Plan];
    RecordProgression = "record_progression", "record_progression", Staff, [Plan];
    CheckSustained = "check_sustained", "check_sustained", Staff, [Plan];
    RecordCheckIn = "record_checkin", "record_checkin", StaffOrParticipant, [Plan];
    SaveDisclosure = "save_disclosure", "save_disclosure", StaffOrParticipant, [Plan];
    LogSession = "log_session", "log_session", Staff, [Notes, Plan];
    EditSession = "edit_session", "edit_session", Staff, [Notes, Plan];
    SignOffSession = "sign_off_session", "sign_off_session", Staff, [Notes];
    AddAddendum = "add_addendum", "add_addendum", Staff, [Notes];
    RecordReferral = "record_referral", "record_referral", Cleared, [Restricted];
    RecordConsent = "record_consent", "record_consent", Cleared, [Restricted];
    AddKeyContact = "add_key_contact", "add_key_contact", Cleared, [Restricted];
    /// Anyone who works with the participant may raise a concern; it is its own document.
    RaiseConcern = "raise_concern", "raise_concern", Staff, [Concern];
    RespondToConcern = "respond_to_concern", "respond_to_concern", Coordinator, [Concern, Restricted];
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Operation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Operation::from_name(&s).ok_or_else(|| serde::de::Error::custom("unknown operation"))
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Operation {
    /// Whether `actor` may run this operation (on a participant they work with).
    pub fn permits(&self, actor: &Actor) -> Result<(), Refused> {
        let ok = match (self.who(), actor.role) {
            (_, Role::Coordinator) => true,
            (Who::Coordinator, _) => false,
            (Who::StaffOrParticipant, _) => true,
            (_, Role::Participant) => false,
            (Who::Staff, _) => true,
            (Who::Cleared, Role::Mentor) => actor.cleared,
            (Who::Cleared, _) => false,
        };
        if ok {
            return Ok(());
        }
        Err(match (self.who(), actor.role) {
            (_, Role::Participant) => Refused::HandedOver,
            (Who::Coordinator, _) => Refused::CoordinatorOnly,
            _ => Refused::NeedsClearance,
        })
    }
}

/// What a request does, for the rules: an operation, or a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Changes records.
    Change(Operation),
    /// Reads one participant's record (what each person sees of it is filtered further).
    ReadRecord,
    /// Reads one participant's record as a whole, for an export.
    Export,
    /// Reads the history of a participant's record.
    History,
    /// Lists (caseload, today).
    Lists,
    /// The device's own state: who is signed in, sync status, drafts.
    Device,
    /// Runs a sync with the server.
    Sync,
    /// The organisation's business: office notices and funder reports (coordinators only).
    Coordination,
    /// Brings a charity's existing participants in from a spreadsheet (coordinators only).
    /// Each record it makes is an ordinary operation (creating a participant, updating the
    /// profile, adding a goal, planning an appointment) that the server judges as such.
    Import,
    /// Exports upcoming appointments to a calendar file, for the person's own phone (staff;
    /// never while the tablet is handed over).
    Calendar,
}

impl Access {
    /// Whether `actor` may make a request of this kind.
    pub fn permits(&self, actor: &Actor) -> Result<(), Refused> {
        match self {
            Access::Change(op) => op.permits(actor),
            Access::ReadRecord | Access::Lists | Access::Device => Ok(()),
            Access::Export | Access::History | Access::Sync | Access::Calendar => {
                if actor.is_staff() {
                    Ok(())
                } else {
                    Err(Refused::HandedOver)
                }
            }
            Access::Coordination | Access::Import => match actor.role {
                Role::Coordinator => Ok(()),
                Role::Participant => Err(Refused::HandedOver),
                _ => Err(Refused::CoordinatorOnly),
            },
        }
    }
}

/// Which participants a person works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every participant of the organisation (coordinators).
    Organisation,
    /// The participants assigned to them.
    Assigned,
    /// Their own record (a participant).
    Own(ParticipantId),
    /// No one.
    Nobody,
}

/// Which concern documents a person holds, of the participants they reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConcernReach {
    /// Every concern.
    All,
    /// Only the concerns they raised.
    Raised,
    /// None.
    None,
}

/// What a person may hold on their devices: the server turns this into its queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holding {
    pub reach: Reach,
    pub plan: bool,
    pub notes: bool,
    pub restricted: bool,
    pub concerns: ConcernReach,
}

impl Holding {
    /// What `actor` holds. `own` is a participant's own record.
    pub fn of(actor: &Actor, own: Option<ParticipantId>) -> Holding {
        let reach = match actor.role {
            Role::Coordinator => Reach::Organisation,
            Role::Mentor | Role::PeerMentor => Reach::Assigned,
            Role::Participant => match own {
                Some(p) => Reach::Own(p),
                None => Reach::Nobody,
            },
        };
        let concerns = if actor.sees_restricted() {
            ConcernReach::All
        } else if actor.is_staff() {
            ConcernReach::Raised
        } else {
            ConcernReach::None
        };
        Holding {
            reach,
            plan: true,
            notes: actor.sees_notes(),
            restricted: actor.sees_restricted(),
            concerns,
        }
    }

    /// Whether a document of `kind` may be held, for a participant within reach.
    /// `raised_by_them`: for a concern, whether this person raised it.
    pub fn allows(&self, kind: DocKind, raised_by_them: bool) -> bool {
        if self.reach == Reach::Nobody {
            return false;
        }
        match kind {
            DocKind::Plan => self.plan,
            DocKind::Notes => self.notes,
            DocKind::Restricted => self.restricted,
            DocKind::Concern => match self.concerns {
                ConcernReach::All => true,
                ConcernReach::Raised => raised_by_them,
                ConcernReach::None => false,
            },
        }
    }
}

/// Why a change or request was refused: a stable code with plain words for the person. The
/// UI chooses its own words from the code; these are the server's and the CLI's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum Refused {
    #[error("this is not available while the tablet is handed over")]
    HandedOver,
    #[error("only a coordinator can do this")]
    CoordinatorOnly,
    #[error(
        "this needs clearance to see restricted information, which you do not have; ask your coordinator"
    )]
    NeedsClearance,
    #[error("this record is not on your caseload, so the change was not stored")]
    NotOnCaseload,
    #[error("you may not keep this kind of information for this participant")]
    MayNotHold,
    #[error("{} {problem}", field.name())]
    Invalid { field: Field, problem: Problem },
    #[error(
        "this session had already been signed off, so it can no longer be changed: add an addendum instead"
    )]
    SignedOff,
    #[error("this session had already been signed off by someone else")]
    AlreadySignedOff,
    #[error("records of this kind are only ever added to, never changed or removed")]
    AppendOnly,
    #[error("one change may do one thing; this one did several")]
    OneThing,
    #[error("this change does something no operation does")]
    NotAnOperation,
    #[error("the change says it is '{says}' but it is '{does}'")]
    Mislabelled { says: String, does: Operation },
    #[error("the change names someone other than the person who sent it")]
    NotThePusher,
    #[error(
        "the change is dated after the office's time; check the tablet's date and time are set automatically, then record it again"
    )]
    FromTheFuture,
    #[error("the change is dated before this tablet was enrolled")]
    BeforeEnrolment,
    #[error("the change is dated earlier than what the office already holds")]
    Backdated,
    #[error("the change refers to {what}, which the office does not hold")]
    Missing { what: String },
    #[error("the change holds something outside the record's layout")]
    Malformed,
    #[error("the change could not be read; the record will be fetched again")]
    Damaged,
    #[error(
        "the change depends on others the office has not received; the record will be fetched again"
    )]
    MissingDeps,
    #[error("this record already exists at the office")]
    AlreadyExists,
    #[error("the change is too large ({bytes} bytes; the limit is {max})")]
    TooLarge { bytes: usize, max: usize },
    #[error("the office has too much to check in one message; sync again")]
    TooMuch,
    #[error("that person is not one of this organisation's staff")]
    UnknownPerson,
    #[error("only mentors and peer mentors have a caseload")]
    NotAMentor,
    #[error("that person's account is turned off")]
    AccountOff,
    #[error("the office does not hold this participant yet; sync, then try again")]
    UnknownParticipant,
    #[error("that tablet is not one of this organisation's")]
    UnknownDevice,
    #[error("you cannot turn off your own account; ask another coordinator")]
    OwnAccount,
}

impl Refused {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Refused::HandedOver => "handed_over",
            Refused::CoordinatorOnly => "coordinator_only",
            Refused::NeedsClearance => "needs_clearance",
            Refused::NotOnCaseload => "not_on_caseload",
            Refused::MayNotHold => "may_not_hold",
            Refused::Invalid { .. } => "invalid",
            Refused::SignedOff => "signed_off",
            Refused::AlreadySignedOff => "already_signed_off",
            Refused::AppendOnly => "append_only",
            Refused::OneThing => "one_thing",
            Refused::NotAnOperation => "not_an_operation",
            Refused::Mislabelled { .. } => "mislabelled",
            Refused::NotThePusher => "not_the_pusher",
            Refused::FromTheFuture => "from_the_future",
            Refused::BeforeEnrolment => "before_enrolment",
            Refused::Backdated => "backdated",
            Refused::Missing { .. } => "missing",
            Refused::Malformed => "malformed",
            Refused::Damaged => "damaged",
            Refused::MissingDeps => "missing_deps",
            Refused::AlreadyExists => "already_exists",
            Refused::TooLarge { .. } => "too_large",
            Refused::TooMuch => "too_much",
            Refused::UnknownPerson => "unknown_person",
            Refused::NotAMentor => "not_a_mentor",
            Refused::AccountOff => "account_off",
            Refused::UnknownParticipant => "unknown_participant",
            Refused::UnknownDevice => "unknown_device",
            Refused::OwnAccount => "own_account",
        }
    }
}

impl From<crate::OpError> for Refused {
    fn from(e: crate::OpError) -> Self {
        match e {
            crate::OpError::Invalid { field, problem } => Refused::Invalid { field, problem },
            crate::OpError::SignedOff => Refused::SignedOff,
            crate::OpError::NotFound(what) => Refused::Missing {
                what: what.to_string(),
            },
            _ => Refused::Damaged,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Who may run each operation, written out by hand from DESIGN.md. Columns: coordinator,
    /// cleared mentor, uncleared mentor, peer mentor, participant.
    #[rustfmt::skip]
    const TABLE: &[(&str, [bool; 5])] = &[
        ("create_participant",         [true, true, true, true, false]),
        ("update_profile",             [true, true, true, true, false]),
        ("add_goal",                   [true, true, true, true, false]),
        ("update_goal",                [true, true, true, true, false]),
        ("add_step",                   [true, true, true, true, false]),
        ("tick_step",                  [true, true, true, true, true]),
        ("review_goal",                [true, true, true, true, true]),
        ("sign_off_goal",              [true, true, true, true, true]),
        ("plan_appointment",           [true, true, true, true, false]),
        ("record_appointment_outcome", [true, true, true, true, false]),
        ("complete_follow_up",         [true, true, true, true, false]),
        ("record_achievement",         [true, true, true, true, false]),
        ("record_progression",         [true, true, true, true, false]),
        ("check_sustained",            [true, true, true, true, false]),
        ("record_checkin",             [true, true, true, true, true]),
        ("save_disclosure",            [true, true, true, true, true]),
        ("log_session",                [true, true, true, true, false]),
        ("edit_session",               [true, true, true, true, false]),
        ("sign_off_session",           [true, true, true, true, false]),
        ("add_addendum",               [true, true, true, true, false]),
        ("record_referral",            [true, true, false, false, false]),
        ("record_consent",             [true, true, false, false, false]),
        ("add_key_contact",            [true, true, false, false, false]),
        ("raise_concern",              [true, true, true, true, false]),
        ("respond_to_concern",         [true, false, false, false, false]),
    ];

    fn people() -> [Actor; 5] {
        let user = crate::ids::UserId::new();
        [
            (Role::Coordinator, true),
            (Role::Mentor, true),
            (Role::Mentor, false),
            (Role::PeerMentor, false),
            (Role::Participant, false),
        ]
        .map(|(role, cleared)| Actor {
            user,
            role,
            cleared,
        })
    }

    #[test]
    fn every_operation_is_allowed_to_exactly_the_people_in_the_table() {
        assert_eq!(TABLE.len(), Operation::ALL.len());
        for (name, expected) in TABLE {
            let op = Operation::from_name(name).unwrap_or_else(|| panic!("{name}"));
            for (actor, allowed) in people().iter().zip(expected) {
                assert_eq!(op.permits(actor).is_ok(), *allowed, "{name} {actor:?}");
            }
        }
    }

    #[test]
    fn what_each_person_holds() {
        // Columns: Plan, Notes, Restricted, a concern they raised, someone else's concern.
        let expected = [
            [true, true, true, true, true],
            [true, true, true, true, true],
            [true, true, false, true, false],
            [true, true, false, true, false],
            [true, false, false, false, false],
        ];
        for (actor, row) in people().iter().zip(expected) {
            let h = Holding::of(actor, Some(crate::ids::ParticipantId::new()));
            let got = [
                h.allows(DocKind::Plan, false),
                h.allows(DocKind::Notes, false),
                h.allows(DocKind::Restricted, false),
                h.allows(DocKind::Concern, true),
                h.allows(DocKind::Concern, false),
            ];
            assert_eq!(got, row, "{actor:?}");
        }
        let nobody = Holding::of(&people()[4], None);
        assert!(!nobody.allows(DocKind::Plan, false));
    }

    #[test]
    fn reads_by_role() {
        let [c, m, _, p, participant] = people();
        for a in [c, m, p] {
            assert!(Access::History.permits(&a).is_ok());
            assert!(Access::Export.permits(&a).is_ok());
        }
        assert_eq!(
            Access::History.permits(&participant),
            Err(Refused::HandedOver)
        );
        assert!(Access::Coordination.permits(&c).is_ok());
        assert_eq!(
            Access::Coordination.permits(&m),
            Err(Refused::CoordinatorOnly)
        );
        assert!(Access::ReadRecord.permits(&participant).is_ok());
    }

    #[test]
    fn only_coordinators_import_and_only_staff_export_calendars() {
        // Columns: coordinator, cleared mentor, uncleared mentor, peer mentor, participant.
        let import = [
            Ok(()),
            Err(Refused::CoordinatorOnly),
            Err(Refused::CoordinatorOnly),
            Err(Refused::CoordinatorOnly),
            Err(Refused::HandedOver),
        ];
        let calendar = [Ok(()), Ok(()), Ok(()), Ok(()), Err(Refused::HandedOver)];
        for ((actor, i), c) in people().iter().zip(import).zip(calendar) {
            assert_eq!(Access::Import.permits(actor), i, "{actor:?}");
            assert_eq!(Access::Calendar.permits(actor), c, "{actor:?}");
        }
    }
}
