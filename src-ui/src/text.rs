//! Every word the UI shows, in one place per language (British English here), so Welsh and
//! others can follow: a translation is a file with the same items. Words for one screen sit
//! in a module named after it; sentences with something filled in are functions, so another
//! language can put the words in its own order. Vocabulary values are named for people here,
//! not in the core. (Dates still use chrono's English day and month names.) A workspace test
//! checks that no other UI file holds words.

use onward_api::vocab::*;
use onward_api::{ApiError, ErrorKind};

pub const APP: &str = "Onward";
pub const SAVED_HERE: &str = "Saved on this tablet.";
pub const REACHES_OFFICE: &str = "It will reach the office next time you are online.";
pub const ALL_SYNCED: &str = "Everything has reached the office.";
pub const NEVER_SYNCED: &str = "Not synced yet";
pub const SYNC_NOW: &str = "Sync now";
pub const SYNCING: &str = "Syncing…";
pub const LOADING: &str = "Loading…";
pub const TODAY: &str = "Today";
pub const CASELOAD: &str = "Caseload";
pub const SETTINGS: &str = "Settings";
pub const REPORTS: &str = "Reports";
pub const SAVE: &str = "Save";
pub const CANCEL: &str = "Cancel";
pub const CLOSE: &str = "Close";
pub const FIX_ERRORS: &str =
    "Some answers need changing before this can be saved. What you typed is kept.";

pub const NONE_YET: &str = "–";
pub const SAVE_CHANGES: &str = "Save changes";
pub const YES: &str = "Yes";
pub const NO: &str = "No";

/// A participant's record: its sections.
pub mod record {
    pub const OVERVIEW: &str = "Overview";
    pub const GOALS: &str = "Goals";
    pub const SESSIONS: &str = "Sessions";
    pub const APPOINTMENTS: &str = "Appointments";
    pub const ACHIEVEMENTS: &str = "Achievements";
    pub const CHECK_INS: &str = "Check-ins";
    pub const CONCERNS: &str = "Concerns";
    pub const BREADCRUMB: &str = "Breadcrumb";
    pub const SECTIONS: &str = "Record sections";
}

/// The layout around every screen.
pub mod nav {
    pub const SKIP: &str = "Skip to content";
    pub const MAIN: &str = "Main";
}

/// The sync bar.
pub mod sync {
    pub const SYNCED: &str = "Synced.";
    pub const REGION: &str = "Sync";
}

/// What a form says about an answer it cannot take.
pub mod check {
    pub const NUMBER: &str = "Enter a number";
    pub const WHOLE_NUMBER: &str = "Enter a whole number, like 45";
    pub const AMOUNT: &str = "Enter an amount like 4.50";
    pub const DATE: &str = "Enter a date, like 24/11/2026";
    pub const DATE_TIME_MISSING: &str = "Enter the date and time";
    pub const DATE_TIME: &str = "Enter a date and time, like 24/11/2026 10:00";
    pub const CHOOSE: &str = "Choose";
    pub const IT: &str = "it";
}

/// Setting up this tablet.
pub mod enrol {
    pub const SERVER_MISSING: &str = "Enter the server address your coordinator gave you";
    pub const SERVER_SCHEME: &str = "Start the address with https://";
    pub const DEFAULT_NAME: &str = "Mentor tablet";
    pub const CODE_MISSING: &str = "Enter the enrolment code, or a username and password";
    pub const NAME_WHAT: &str = "a name for this tablet";
    pub const DONE: &str = "This tablet is set up. Records are arriving from the office.";
    pub const TITLE: &str = "Set up this tablet";
    pub const LEAD: &str = "Your coordinator gives you the office's address and a one-time code. Records are kept on this tablet, locked, and work without signal.";
    pub const SERVER: &str = "Server address";
    pub const SERVER_HINT: &str = "For example https://onward.example.org";
    pub const CODE: &str = "Enrolment code";
    pub const CODE_HINT: &str = "12 letters and numbers, like ABCD-EFGH-JKLM";
    pub const USE_PASSWORD: &str = "Sign in with a username instead";
    pub const USERNAME: &str = "Username";
    pub const PASSWORD: &str = "Password";
    pub const NAME: &str = "Name for this tablet";
    pub const NAME_HINT: &str = "So the office can tell your tablets apart";
    pub const BUSY: &str = "Setting up…";
    pub const OWN_NETWORK: &str = "The charity's own network";
    pub const PLAIN_HTTP: &str = "Allow an unencrypted (http://) connection to the server";
    pub const PLAIN_HTTP_HINT: &str = "Only if your charity's IT volunteer tells you to. It works only with a number address on the charity's own network, like http://192.168.1.20, never with a name. Records are not encrypted on the way, and the tablet will not delete anything because an unencrypted answer says so.";
}

/// The caseload.
pub mod caseload {
    pub const SEARCH: &str = "Search by name";
    pub const STATUS: &str = "Status";
    pub const ANY_STATUS: &str = "Any status";
    pub const PATHWAY: &str = "Pathway";
    pub const ANY_PATHWAY: &str = "Any pathway";
    pub const NO_MATCH: &str = "No one matches. Change the search or filters.";
    pub const NAME: &str = "Name";
    pub const LAST_CONTACT: &str = "Last contact";
    pub const NEXT_APPOINTMENT: &str = "Next appointment";
    pub const OPEN_GOALS: &str = "Open goals";
    pub const NOT_SIGNED_OFF: &str = "Not signed off";
    pub const ADD: &str = "Add a participant";
    pub const ADD_LEAD: &str =
        "Met someone new? Add them here; the office assigns them to you at the next sync.";
    pub const ADD_LEAD_OFFICE: &str = "A new referral? Add the participant here, then record the referral and assign a mentor from their record.";
    pub const NEW_NAME_WHAT: &str = "the name they like to be called";
    pub const PROGRAMME_WHAT: &str = "the programme";
    pub const ADDED: &str = "Participant added.";
    pub const NEW_NAME: &str = "Name they like to be called";
    pub const PROGRAMME: &str = "Programme";
}

/// Reports, for coordinators (every figure is defined in docs/REPORTS.md).
pub mod reports {
    use onward_api::reports::QuickPeriod;

    pub const LEAD: &str = "The figures funders ask for, from the records on this device. Choose a period and a programme.";
    pub const PERIOD: &str = "Period";
    pub const CUSTOM: &str = "Choose dates";
    pub const FROM: &str = "From";
    pub const TO: &str = "To (included)";
    pub const PROGRAMME: &str = "Programme";
    pub const ALL_PROGRAMMES: &str = "Every programme";
    pub const DATES: &str = "Enter both dates, like 01/04/2026.";
    pub const END_BEFORE_START: &str = "The period ends before it starts. Change the dates.";
    pub const DOWNLOAD_CSV: &str = "Download CSV";
    pub const DOWNLOAD_PDF: &str = "Download PDF";
    pub const MAKING_PDF: &str = "Making the PDF…";
    pub const FIGURE: &str = "Figure";
    pub const MEASURE: &str = "Measure";
    pub const PATHWAY: &str = "Pathway";
    pub const LEVEL: &str = "Level";
    pub const KIND: &str = "Into";
    pub const OUTCOME: &str = "Outcome";

    pub const PEOPLE: &str = "People and sessions";
    pub const PEOPLE_CAPTION: &str = "Participants, referrals, starts and sessions";
    pub const PARTICIPANTS_SUPPORTED: &str = "Participants supported";
    pub const REFERRALS: &str = "Referrals";
    pub const STARTS: &str = "Starts";
    pub const SESSIONS_DELIVERED: &str = "Sessions delivered";
    pub const SESSIONS_MISSED: &str = "Sessions missed";
    pub const CONTACT_HOURS: &str = "Contact hours";

    pub const GOALS: &str = "Goals";
    pub const GOALS_PEOPLE_CAPTION: &str = "Participants who achieved a goal";
    pub const PARTICIPANTS_WITH_GOAL: &str = "Participants with a goal achieved";
    pub const GOALS_CAPTION: &str = "Goals achieved, by pathway";

    pub const LEARNING: &str = "Qualifications and volunteering";
    pub const QUALIFICATIONS_CAPTION: &str = "Qualifications gained, by level";
    pub const NO_QUALIFICATIONS: &str = "No qualifications gained in this period.";
    pub const NO_LEVEL: &str = "No level given";
    pub const VOLUNTEERING_CAPTION: &str = "Volunteering";
    pub const VOLUNTEERING_HOURS: &str = "Volunteering hours";

    pub const PROGRESSIONS: &str = "Progressions";
    pub const PROGRESSIONS_CAPTION: &str = "Progressions, by kind";
    pub const PROGRESSED_CAPTION: &str = "Participants who progressed";
    pub const PARTICIPANTS_PROGRESSED: &str = "Participants progressed";
    pub const SUSTAINED_CAPTION: &str = "Progressions sustained at 13 and 26 weeks";
    pub const WEEKS_13: &str = "13 weeks";
    pub const WEEKS_26: &str = "26 weeks";

    pub const APPOINTMENTS_HEADING: &str = "Appointments";
    pub const APPOINTMENTS_CAPTION: &str = "Appointments and support";
    pub const APPOINTMENTS: &str = "Appointments";
    pub const APPOINTMENTS_SUPPORTED: &str = "Appointments with support";
    pub const ATTENDANCE_CAPTION: &str = "Attendance, with and without a mentor going along";
    pub const ACCOMPANIED: &str = "With a mentor";
    pub const UNACCOMPANIED: &str = "Without";

    pub const DISTANCE: &str = "Distance travelled";
    pub const DISTANCE_LEAD: &str = "Self-assessment scores (0 to 10): each participant's first score for a pathway against their latest one in this period.";
    pub const DISTANCE_CAPTION: &str = "Distance travelled, by pathway";
    pub const D_PARTICIPANTS: &str = "Participants";
    pub const D_FIRST: &str = "Average first score";
    pub const D_LATEST: &str = "Average latest score";
    pub const D_CHANGE: &str = "Average change";
    pub const D_IMPROVED: &str = "Improved";
    pub const D_UNCHANGED: &str = "Unchanged";
    pub const D_WORSENED: &str = "Worsened";

    pub const CHART_GOALS: &str = "Goals achieved, by pathway";
    pub const CHART_PROGRESSIONS: &str = "Progressions, by kind";
    pub const CHART_DISTANCE: &str = "Participants whose score improved, by pathway";
    pub const CHART_EMPTY: &str = "None in this period.";

    pub fn quick_period(q: QuickPeriod) -> &'static str {
        match q {
            QuickPeriod::ThisMonth => "This month",
            QuickPeriod::LastMonth => "Last month",
            QuickPeriod::ThisQuarter => "This quarter",
            QuickPeriod::LastQuarter => "Last quarter",
            QuickPeriod::ThisFinancialYear => "This financial year (April to March)",
            QuickPeriod::LastFinancialYear => "Last financial year (April to March)",
            QuickPeriod::ThisYear => "This calendar year",
            QuickPeriod::LastYear => "Last calendar year",
        }
    }

    /// The report's heading: its period and programme.
    pub fn summary(from: &str, to: &str, programme: Option<&str>) -> String {
        match programme {
            Some(p) => format!("{from} to {to}, {p}"),
            None => format!("{from} to {to}, every programme"),
        }
    }

    /// A bar's figure in the distance chart: "3 of 5".
    pub fn improved_of(improved: u32, participants: u32) -> String {
        format!("{improved} of {participants}")
    }

    /// The rows of the sustainment table, by the CSV's group name.
    pub fn sustain_group(g: &str) -> &'static str {
        match g {
            "due" => "Due in this period",
            "sustained" => "Sustained",
            "not_sustained" => "Not sustained",
            _ => "Not checked yet",
        }
    }

    /// The rows of the attendance table, by the CSV's group name.
    pub fn attendance_group(g: &str) -> &'static str {
        match g {
            "attended" => "Attended",
            "missed" => "Missed",
            _ => "Attendance rate (%)",
        }
    }
}

/// Settings.
pub mod settings {
    pub const SERVER: &str = "The office's server";
    pub const SERVER_ADDRESS: &str = "Server";
    pub const NOT_ENROLLED: &str = "Not enrolled";
    pub const WAITING: &str = "Changes waiting";
    pub const TEXT_SIZE: &str = "Text size";
    pub const TEXT_SIZE_LEGEND: &str = "Choose how large the words are";
    pub const NORMAL: &str = "Normal";
    pub const LARGE: &str = "Large";
    pub const LARGER: &str = "Larger";
    pub const LOCK: &str = "Lock";
    pub const LOCK_LATER: &str =
        "Locking this tablet with a PIN after a few idle minutes is coming in a later version.";
}

/// Today.
pub mod today {
    pub const SOMEONE: &str = "Someone";
    pub const APPOINTMENTS: &str = "Appointments today";
    pub const NO_APPOINTMENTS: &str = "No appointments today.";
    pub const WEEK: &str = "This week";
    pub const NOTHING_THIS_WEEK: &str = "Nothing else this week.";
    pub const GOALS_DUE: &str = "Goals due for review";
    pub const NO_GOALS_DUE: &str = "No goals due for review.";
    pub const FOLLOW_UPS: &str = "Follow-ups due";
    pub const NO_FOLLOW_UPS: &str = "No follow-ups due.";
    pub const UNSIGNED: &str = "Sessions not signed off";
    pub const ALL_SIGNED: &str = "Every session is signed off.";
    pub const CONCERNS: &str = "Open safeguarding concerns";
    pub const NO_CONCERNS: &str = "No open concerns.";
}

/// A participant's overview, details, referral and contacts.
pub mod overview {
    pub const NO_PATHWAYS: &str = "None chosen yet";
    pub const AT_A_GLANCE: &str = "At a glance";
    pub const PATHWAYS: &str = "Pathways";
    pub const NONE_YET: &str = "None yet";
    pub const NONE_PLANNED: &str = "None planned";
    pub const ACHIEVEMENTS: &str = "Achievements";
    pub const CHANGE: &str = "Change details";
    pub const RECENT: &str = "Recent sessions";
    pub const NO_SESSIONS: &str = "No sessions yet.";
    pub const NO_REFERRAL: &str = "No referral recorded.";
    pub const REFERRED_BY: &str = "Referred by";
    pub const REFERRAL_DATE: &str = "Referral date";
    pub const REASON: &str = "Reason";
    pub const NOT_GIVEN: &str = "Not given";
    pub const SUPERVISION_ENDS: &str = "Supervision ends";
    pub const RISK: &str = "Risk level (as given)";
    pub const RESTRICTED: &str = "Referral and contacts";
    pub const RESTRICTED_HINT: &str = "Only cleared mentors and coordinators see this.";
    pub const CONSENT: &str = "Consent";
    pub const NO_CONSENT: &str = "No consent recorded.";
    pub const CONTACTS: &str = "Key contacts";
    pub const NO_CONTACTS: &str = "None recorded.";
    pub const NAME_WHAT: &str = "the name they want to be called";
    pub const NAME_SHORT: &str = "the name";
    pub const KEEP_A_PATHWAY: &str = "Keep at least one pathway ticked.";
    pub const SAVED: &str = "Details saved.";
    pub const NAME: &str = "Preferred name";
    pub const PROGRAMME: &str = "Programme";
    pub const STATUS: &str = "Status";
    pub const PATHWAYS_LEGEND: &str = "Pathways to work on";
    pub const SAVE: &str = "Save details";
}

/// Goals, steps and reviews.
pub mod goals {
    pub const NONE: &str = "No goals yet. Set the first one together.";
    pub const TICKED: &str = "Step ticked.";
    pub const UNTICKED: &str = "Step unticked.";
    pub const STEPS: &str = "Steps";
    pub const NOT_REVIEWED: &str = "Not reviewed yet.";
    pub const REVIEW: &str = "Review progress";
    pub const ACHIEVED: &str = "Goal marked as achieved. Well done!";
    pub const MARK_ACHIEVED: &str = "Mark as achieved";
    pub const CHANGE: &str = "Change goal";
    pub const SIGNED: &str = "Signed off by the participant.";
    pub const SIGNED_OFF: &str = "Goal signed off.";
    pub const SIGN_OFF: &str = "Participant signs off this goal";
    pub const STEP_WHAT: &str = "the step";
    pub const STEP_ADDED: &str = "Step added.";
    pub const NEW_STEP: &str = "New step";
    pub const ADD_STEP: &str = "Add step";
    pub const REVIEW_SAVED: &str = "Review saved.";
    pub const RATING: &str = "How is it going? (0 to 10)";
    pub const RATING_HINT: &str = "0 is not started, 10 is done";
    pub const COMMENT: &str = "Comment, in their words";
    pub const SAVE_REVIEW: &str = "Save review";
    pub const TITLE_WHAT: &str = "the goal, in their words";
    pub const CHOOSE_PATHWAY: &str = "Choose a pathway";
    pub const TITLE_SHORT: &str = "the goal";
    pub const ADDED: &str = "Goal added.";
    pub const SET: &str = "Set a goal";
    pub const TITLE: &str = "Goal, in their words";
    pub const PATHWAY: &str = "Pathway";
    pub const WHY: &str = "Why it matters to them";
    pub const TARGET: &str = "Aim to reach it by";
    pub const REVIEW_ON: &str = "Review it on";
    pub const SAVE: &str = "Save goal";
    pub const CHANGED: &str = "Goal changed.";
    pub const STATUS: &str = "Where it stands";
}

/// Sessions, sign-off and addenda.
pub mod sessions {
    pub const CHOOSE_ATTENDANCE: &str = "Choose attendance";
    pub const REASON_MISSING: &str = "Say why they did not attend, if known";
    pub const CHOOSE_MODE: &str = "Choose how you met";
    pub const CHOOSE_TYPE: &str = "Choose the type";
    pub const TITLE: &str = "Sessions";
    pub const NONE: &str = "No sessions logged yet.";
    pub const OLDER: &str = "Show older sessions";
    pub const SIGNED: &str = "Signed off.";
    pub const SIGNED_OFF: &str = "Session signed off.";
    pub const SIGN_OFF: &str = "Sign off this session";
    pub const CHANGE: &str = "Change this session";
    pub const ADD_ADDENDUM: &str = "Add an addendum";
    pub const ADDENDUM_WHAT: &str = "the addendum";
    pub const ADDENDUM_ADDED: &str = "Addendum added.";
    pub const ADDENDUM: &str = "Addendum";
    pub const ADDENDUM_HINT: &str =
        "Corrections and later additions are added here; the signed record does not change.";
    pub const SAVE_ADDENDUM: &str = "Save addendum";
    pub const LOG: &str = "Log a session";
    pub const SAVED: &str = "Session saved.";
    pub const CHANGED: &str = "Session changed.";
    pub const WHEN: &str = "When";
    pub const WHEN_HINT: &str = "Leave empty for now";
    pub const DURATION: &str = "Duration (minutes)";
    pub const MODE: &str = "How you met";
    pub const TYPE: &str = "Type";
    pub const ATTENDANCE: &str = "Attendance";
    pub const REASON: &str = "Why they did not attend";
    pub const TOPICS: &str = "Topics";
    pub const MOOD_BEFORE: &str = "Mood before (1 to 5)";
    pub const MOOD_AFTER: &str = "Mood after (1 to 5)";
    pub const SUMMARY: &str = "Shared summary";
    pub const SUMMARY_HINT: &str = "The participant can read this";
    pub const NEXT_STEPS: &str = "Next steps";
    pub const NEXT_STEPS_HINT: &str = "Agreed together; the participant can read this";
    pub const PRIVATE: &str = "Private notes";
    pub const PRIVATE_HINT: &str = "Only mentors and coordinators see these";
    pub const SAVE: &str = "Save session";
}

/// Appointments and what happened at them.
pub mod appointments {
    pub const TITLE: &str = "Appointments";
    pub const NONE: &str = "No appointments yet.";
    pub const OLDER: &str = "Show older appointments";
    pub const REMINDER_SENT: &str = "reminder sent";
    pub const TRAVEL_ARRANGED: &str = "travel arranged";
    pub const ACCOMPANIED: &str = "mentor went with them";
    pub const FOLLOW_UP_DONE: &str = "Follow-up done.";
    pub const MARK_FOLLOW_UP: &str = "Mark follow-up done";
    pub const RECORD: &str = "Record what happened";
    pub const UPDATED: &str = "Appointment updated.";
    pub const STATUS: &str = "What happened";
    pub const WENT: &str = "I went with them";
    pub const OUTCOME: &str = "Outcome";
    pub const EXPENSES: &str = "Travel expenses (£)";
    pub const EXPENSES_HINT: &str = "For example 4.50";
    pub const FOLLOW_UP: &str = "Follow-up";
    pub const FOLLOW_UP_DUE: &str = "Follow-up due";
    pub const SAVE_OUTCOME: &str = "Save what happened";
    pub const CHOOSE_KIND: &str = "Choose what kind of appointment";
    pub const PLANNED: &str = "Appointment planned.";
    pub const PLAN: &str = "Plan an appointment";
    pub const WHEN: &str = "Date and time";
    pub const KIND: &str = "Kind of appointment";
    pub const WITH_WHOM: &str = "With whom";
    pub const WHERE: &str = "Where";
    pub const SUPPORT: &str = "Support";
    pub const REMINDER: &str = "Send a reminder";
    pub const TRAVEL: &str = "Travel arranged";
    pub const ACCOMPANY: &str = "I will go with them";
    pub const SAVE: &str = "Save appointment";
}

/// Achievements and progressions.
pub mod achievements {
    pub const TITLE: &str = "Achievements";
    pub const NONE: &str = "None recorded yet.";
    pub const PROGRESSIONS: &str = "Progressions";
    pub const CERTIFICATE_ISSUED: &str = "certificate issued";
    pub const CHECKED: &str = "Check recorded.";
    pub const PROGRESSION_WHAT: &str = "what they moved into";
    pub const PROGRESSION_RECORDED: &str = "Progression recorded.";
    pub const RECORD_PROGRESSION: &str = "Record a progression";
    pub const INTO: &str = "Into";
    pub const PROGRESSION: &str = "Job, course or placement";
    pub const PROVIDER: &str = "Employer or provider";
    pub const START: &str = "Start date";
    pub const TODAY_HINT: &str = "Leave empty for today";
    pub const SAVE_PROGRESSION: &str = "Save progression";
    pub const ACHIEVEMENT_WHAT: &str = "what they achieved";
    pub const CHOOSE_KIND: &str = "Choose what kind of achievement";
    pub const RECORDED: &str = "Achievement recorded.";
    pub const RECORD: &str = "Record an achievement";
    pub const KIND: &str = "Kind";
    pub const ACHIEVEMENT: &str = "What they achieved";
    pub const ORGANISATION: &str = "Organisation or awarding body";
    pub const LEVEL: &str = "Level";
    pub const LEVEL_HINT: &str = "For example Entry 3, 1 or 2";
    pub const HOURS: &str = "Hours";
    pub const CERTIFICATE: &str = "A certificate was issued";
    pub const DATE: &str = "Date";
    pub const SAVE: &str = "Save achievement";
}

/// Self-assessment check-ins.
pub mod checkins {
    pub const DISTANCE: &str = "Distance travelled";
    pub const NONE: &str = "No check-ins yet. The first one sets the starting point.";
    pub const TABLE: &str = "Check-ins";
    pub const DATE: &str = "Date";
    pub const AVERAGE: &str = "Average (of 10)";
    pub const SCORE_RANGE: &str = "Each score is a number from 0 to 10.";
    pub const SCORE_MISSING: &str = "Give at least one score.";
    pub const SAVED: &str = "Check-in saved.";
    pub const NEW: &str = "New check-in";
    pub const QUESTION: &str = "How are things going, from 0 (hard) to 10 (really good)?";
    pub const COMMENT: &str = "Anything to add, in their words";
    pub const SAVE: &str = "Save check-in";
}

/// Safeguarding concerns.
pub mod concerns {
    pub const TITLE: &str = "Safeguarding concerns";
    pub const YOURS: &str = "Concerns you raised, and the office's answers";
    pub const NONE: &str = "No concerns raised.";
    pub const WHAT_WHAT: &str = "what happened and what worries you";
    pub const RAISED: &str = "Concern raised. The coordinator sees it at the next sync.";
    pub const RAISE_TITLE: &str = "Raise a safeguarding concern";
    pub const DANGER: &str = "If someone is in danger now, call 999 first.";
    pub const CATEGORY: &str = "Category";
    pub const URGENCY: &str = "Urgency";
    pub const WHAT: &str = "What happened";
    pub const RAISE: &str = "Raise concern";
    pub const RESPOND: &str = "Respond";
    pub const RESPONSE_WHAT: &str = "what you have done or will do";
    pub const RESPONSE_SAVED: &str = "Response saved.";
    pub const RESPONSE: &str = "Response";
    pub const RESPONSE_HINT: &str = "What you have done or will do; the mentor sees this";
    pub const STATUS: &str = "Status";
    pub const SAVE_RESPONSE: &str = "Save response";
}

pub fn waiting(n: u64) -> String {
    match n {
        0 => "No changes waiting".into(),
        1 => "1 change waiting to reach the office".into(),
        n => format!("{n} changes waiting to reach the office"),
    }
}

pub fn pathway(p: Pathway) -> &'static str {
    match p {
        Pathway::Employment => "Work",
        Pathway::EducationTraining => "Education and training",
        Pathway::Volunteering => "Volunteering",
        Pathway::Accommodation => "Somewhere to live",
        Pathway::FinanceBenefits => "Money and benefits",
        Pathway::HealthWellbeing => "Health and wellbeing",
        Pathway::SubstanceUse => "Drugs and alcohol",
        Pathway::FamilyRelationships => "Family and friends",
        Pathway::AttitudesThinking => "Thinking and behaviour",
    }
}

pub fn status(s: ParticipantStatus) -> &'static str {
    match s {
        ParticipantStatus::Referred => "Referred",
        ParticipantStatus::Active => "Active",
        ParticipantStatus::Paused => "Paused",
        ParticipantStatus::Completed => "Completed",
        ParticipantStatus::Withdrawn => "Withdrawn",
    }
}

pub fn goal_status(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::Active => "Working on it",
        GoalStatus::Achieved => "Achieved",
        GoalStatus::Stopped => "Stopped",
    }
}

pub fn appointment_kind(k: AppointmentKind) -> &'static str {
    match k {
        AppointmentKind::Probation => "Probation",
        AppointmentKind::JobCentre => "Job centre",
        AppointmentKind::Housing => "Housing",
        AppointmentKind::Health => "Health",
        AppointmentKind::Court => "Court",
        AppointmentKind::College => "College",
        AppointmentKind::Interview => "Interview",
        AppointmentKind::Bank => "Bank",
        AppointmentKind::Other => "Other",
    }
}

pub fn appointment_status(s: AppointmentStatus) -> &'static str {
    match s {
        AppointmentStatus::Planned => "Planned",
        AppointmentStatus::Attended => "Attended",
        AppointmentStatus::Missed => "Missed",
        AppointmentStatus::Rescheduled => "Rescheduled",
        AppointmentStatus::Cancelled => "Cancelled",
    }
}

pub fn achievement_kind(k: AchievementKind) -> &'static str {
    match k {
        AchievementKind::Qualification => "Qualification",
        AchievementKind::Certificate => "Certificate",
        AchievementKind::Volunteering => "Volunteering placement",
        AchievementKind::WorkExperience => "Work experience",
        AchievementKind::Course => "Course",
        AchievementKind::Job => "Job",
    }
}

pub fn progression_kind(k: ProgressionKind) -> &'static str {
    match k {
        ProgressionKind::Employment => "Into work",
        ProgressionKind::Education => "Into education",
        ProgressionKind::Training => "Into training",
        ProgressionKind::Volunteering => "Into volunteering",
    }
}

pub fn mode(m: SessionMode) -> &'static str {
    match m {
        SessionMode::InPerson => "In person",
        SessionMode::Phone => "Phone",
        SessionMode::Video => "Video",
        SessionMode::AtAppointment => "At an appointment",
    }
}

pub fn session_type(t: SessionType) -> &'static str {
    match t {
        SessionType::OneToOne => "One-to-one",
        SessionType::Group => "Group",
        SessionType::Taster => "Taster session",
    }
}

pub fn attendance(a: Attendance) -> &'static str {
    match a {
        Attendance::Attended => "Attended",
        Attendance::Late => "Late",
        Attendance::DidNotAttend => "Did not attend",
    }
}

pub fn concern_category(c: ConcernCategory) -> &'static str {
    match c {
        ConcernCategory::RiskToSelf => "Risk to themselves",
        ConcernCategory::RiskToOthers => "Risk to others",
        ConcernCategory::Abuse => "Abuse",
        ConcernCategory::Exploitation => "Exploitation",
        ConcernCategory::Housing => "Housing",
        ConcernCategory::Health => "Health",
        ConcernCategory::Other => "Other",
    }
}

pub fn urgency(u: Urgency) -> &'static str {
    match u {
        Urgency::Low => "Low",
        Urgency::Medium => "Medium",
        Urgency::High => "High",
        Urgency::Immediate => "Immediate",
    }
}

pub fn concern_status(s: ConcernStatus) -> &'static str {
    match s {
        ConcernStatus::Open => "Open",
        ConcernStatus::Acknowledged => "Acknowledged",
        ConcernStatus::Closed => "Closed",
    }
}

pub fn role(r: Role) -> &'static str {
    match r {
        Role::Coordinator => "Coordinator",
        Role::Mentor => "Mentor",
        Role::PeerMentor => "Peer mentor",
        Role::Participant => "Participant",
    }
}

pub fn referral_source(s: ReferralSource) -> &'static str {
    match s {
        ReferralSource::Probation => "Probation",
        ReferralSource::Prison => "Prison",
        ReferralSource::SelfReferral => "Self-referral",
        ReferralSource::Community => "Community organisation",
        ReferralSource::Other => "Other",
    }
}

pub fn risk_level(r: RiskLevel) -> &'static str {
    match r {
        RiskLevel::NotGiven => "Not given",
        RiskLevel::Low => "Low",
        RiskLevel::Medium => "Medium",
        RiskLevel::High => "High",
        RiskLevel::VeryHigh => "Very high",
    }
}

// Sentences with something filled in: whole sentences, so another language can order the
// words its own way.

/// A plural ending for English counts.
fn plural(n: impl Into<u64>, one: &'static str, many: &'static str) -> &'static str {
    if n.into() == 1 { one } else { many }
}

/// An optional detail in brackets after something: "Sam (work coach)".
pub fn bracketed(main: &str, detail: &str) -> String {
    if detail.is_empty() {
        main.to_string()
    } else {
        format!("{main} ({detail})")
    }
}

/// A label and its value: "Topics: Work, Money and benefits".
pub fn labelled(label: &str, value: &str) -> String {
    format!("{label}: {value}")
}

/// Parts of one line, joined with middle dots.
pub fn dotted(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn last_synced(when: &str) -> String {
    format!("Last synced {when}")
}

pub fn last_sync_failed(why: &str) -> String {
    format!("Last sync failed: {why}")
}

pub fn sync_progress(records: u64, changes: u64) -> String {
    format!("Syncing… {records} records and {changes} changes received so far")
}

pub fn synced_with_refusals(n: usize) -> String {
    let n = n as u64;
    format!(
        "Synced, but the office did not accept {n} change{}. {} kept on this tablet: see \u{201c}Not accepted by the office\u{201d}.",
        plural(n, "", "s"),
        plural(n, "It is", "They are")
    )
}

/// What a save says: the thing saved, then when it reaches the office.
pub fn saved(what: &str) -> String {
    format!("{what} {REACHES_OFFICE}")
}

pub fn number_range(min: i64, max: i64) -> String {
    format!("Enter a number from {min} to {max}")
}

pub fn enter(what: &str) -> String {
    format!("Enter {what}")
}

pub fn too_long(max: usize) -> String {
    format!("Keep it under {max} characters")
}

pub fn participants(n: usize) -> String {
    format!("{n} participant{}", plural(n as u64, "", "s"))
}

pub fn signed_in_as(name: &str, role: Role) -> String {
    format!("Signed in as {name} ({}).", self::role(role))
}

pub fn name_and_role(name: &str, role: Role) -> String {
    format!("{name} · {}", self::role(role))
}

pub fn appointment_with(kind: AppointmentKind, with_whom: &str) -> String {
    if with_whom.is_empty() {
        appointment_kind(kind).to_string()
    } else {
        format!("{} with {with_whom}", appointment_kind(kind))
    }
}

pub fn concern_line(category: ConcernCategory, urgency: Urgency, status: ConcernStatus) -> String {
    format!(
        "{} · {} urgency · {}",
        concern_category(category),
        self::urgency(urgency),
        concern_status(status)
    )
}

pub fn concern_response(when: &str, status: ConcernStatus, text: &str) -> String {
    format!("Coordinator, {when} ({}): {text}", concern_status(status))
}

pub fn level(level: &str) -> String {
    format!(
        "Level {}",
        level
            .trim_start_matches("Level ")
            .trim_start_matches("level ")
    )
}

pub fn hours(h: u32) -> String {
    format!("{h} hour{}", plural(h, "", "s"))
}

pub fn sustained(weeks: u32, still_going: bool) -> String {
    format!(
        "{weeks} weeks: {}",
        if still_going { "still going" } else { "ended" }
    )
}

pub fn sustain_due(weeks: u32, due: &str) -> String {
    format!("{weeks}-week check due {due}")
}

pub fn sustain_check(weeks: u32) -> String {
    format!("{weeks}-week check")
}

pub fn sustain_question(weeks: u32) -> String {
    format!("{weeks} weeks on: still going?")
}

pub fn with_whom(name: &str) -> String {
    format!("with {name}")
}

pub fn at_place(place: &str) -> String {
    format!("at {place}")
}

pub fn pounds(pence: i64) -> String {
    format!("£{}.{:02}", pence / 100, pence % 100)
}

pub fn travel_expenses(pence: i64) -> String {
    format!("Travel expenses: {}", pounds(pence))
}

pub fn follow_up(text: &str, done: bool) -> String {
    format!("Follow-up: {text}{}", if done { " (done)" } else { "" })
}

pub fn chart_summary(count: usize, first: f64, last: f64) -> String {
    format!("{count} check-ins. Average score went from {first:.1} to {last:.1} out of 10.")
}

pub fn aim_for(day: &str) -> String {
    format!("aim for {day}")
}

pub fn latest_review(rating: u8, reviews: usize) -> String {
    format!(
        "Latest review: {rating} out of 10 ({reviews} review{})",
        plural(reviews as u64, "", "s")
    )
}

pub fn consent(given: bool, version: &str, when: &str, scope: &str) -> String {
    format!(
        "{} (version {version}, {when}): {scope}",
        if given { "Given" } else { "Withdrawn" }
    )
}

pub fn minutes(n: u32) -> String {
    format!("{n} minutes")
}

pub fn mood(before: u8, after: u8) -> String {
    format!("mood {before} → {after} (of 5)")
}

pub fn addendum(when: &str, text: &str) -> String {
    format!("Addendum ({when}): {text}")
}

pub const WHY_IT_MATTERS: &str = "Why it matters";
pub const NEXT: &str = "Next";
pub const TOPICS: &str = "Topics";
pub const SHARED_SUMMARY: &str = "Shared summary";
pub const PRIVATE_NOTES: &str = "Private notes";
pub const SUPPORT: &str = "Support";
pub const OUTCOME: &str = "Outcome";

/// What a failure says. Failures the person can act on have words here; for the others the
/// app core's message is already written for people.
pub fn problem(e: &ApiError) -> String {
    match e.kind {
        ErrorKind::Offline => problems::OFFLINE.to_string(),
        ErrorKind::RateLimited => problems::RATE_LIMITED.to_string(),
        ErrorKind::NotEnrolled => problems::NOT_ENROLLED.to_string(),
        ErrorKind::Invalid => match &e.problem {
            Some(p) => {
                let words = field_problem(p);
                match e.field.as_deref().and_then(recorded_field) {
                    Some(name) => format!("{name}: {words}"),
                    None => words,
                }
            }
            None => e.message.clone(),
        },
        _ => e
            .code
            .as_deref()
            .and_then(not_allowed)
            .map(str::to_string)
            .unwrap_or_else(|| e.message.clone()),
    }
}

/// What is wrong with a value, in the UI's words.
pub fn field_problem(p: &onward_api::validate::Problem) -> String {
    use onward_api::validate::Problem as P;
    match p {
        P::Empty => problems::EMPTY.into(),
        P::TooLong { max, .. } => too_long(*max),
        P::OutOfRange { min, max, .. } => number_range(*min, *max),
        P::Negative => problems::NEGATIVE.into(),
        P::EndBeforeStart => problems::END_BEFORE_START.into(),
        P::BeforeReferral => problems::BEFORE_REFERRAL.into(),
        P::NotEmail => problems::NOT_EMAIL.into(),
        P::ReasonNeeded => problems::REASON_NEEDED.into(),
        P::NotDue { weeks, due } => format!(
            "The {weeks}-week check is due on {}. Record it then.",
            due.date().format("%-d %B %Y")
        ),
        P::WeeksNot13Or26 => problems::WEEKS.into(),
        P::NoScores => problems::NO_SCORES.into(),
        P::AlreadySignedOff => problems::SIGNED_OFF.into(),
        P::Malformed => problems::MALFORMED.into(),
        P::TooBig { .. } => problems::TOO_BIG.into(),
    }
}

/// Why this tablet will not do something, by the rule's stable code (`onward_core::policy`).
pub fn not_allowed(code: &str) -> Option<&'static str> {
    Some(match code {
        "handed_over" => "This cannot be done while the tablet is handed over.",
        "coordinator_only" => "Only a coordinator can do this. Ask your coordinator.",
        "needs_clearance" => {
            "This needs clearance to see restricted information. Ask your coordinator."
        }
        "not_on_caseload" => "This person is not on your caseload. Ask your coordinator.",
        "may_not_hold" => "You cannot keep this kind of information for this person.",
        "signed_off" => {
            "This session has been signed off, so it cannot change. Add an addendum instead."
        }
        "already_signed_off" => "This session has already been signed off.",
        "append_only" => "Records like this can only be added to, not changed.",
        "not_a_mentor" => "Only mentors and peer mentors have a caseload. Choose a mentor.",
        "account_off" => "That person's account is turned off. Choose another mentor.",
        "own_account" => "You cannot turn off your own account. Ask another coordinator.",
        _ => return None,
    })
}

/// Failures the person can act on.
pub mod problems {
    pub const OFFLINE: &str = "This tablet could not reach the office's server. Check it is online and the server address is right, then try again. Everything is still saved on this tablet.";
    pub const RATE_LIMITED: &str =
        "The office's server has had too many tries. Wait a few minutes, then try again.";
    pub const NOT_ENROLLED: &str = "This tablet is not set up with the office's server. Set it up with the address and code from your coordinator.";
    pub const EMPTY: &str = "This cannot be empty.";
    pub const NEGATIVE: &str = "Enter an amount of zero or more.";
    pub const END_BEFORE_START: &str = "The end cannot be before the start.";
    pub const BEFORE_REFERRAL: &str = "This date cannot be before the referral date.";
    pub const NOT_EMAIL: &str = "Enter an email address, like name@example.org.";
    pub const REASON_NEEDED: &str = "Say why they did not attend.";
    pub const WEEKS: &str = "Sustainment checks are at 13 or 26 weeks.";
    pub const NO_SCORES: &str = "Give a score for at least one area.";
    pub const SIGNED_OFF: &str = "This session has already been signed off.";
    pub const MALFORMED: &str = "This is not in a form the app can use. Check it and try again.";
    pub const TOO_BIG: &str = "This is too long to keep. Shorten it and try again.";
}

/// What the screen says when it cannot reach the app core or read its answer.
pub mod api {
    pub const NO_WINDOW: &str = "no window to show the app in";
    pub const NOT_ANSWERING: &str =
        "the app is not answering; close this page and start Onward again";

    pub fn unreadable_answer(detail: &str) -> String {
        format!("the app sent an answer the screen could not read: {detail}")
    }

    pub fn answered(status: u16) -> String {
        format!("the app answered {status}")
    }

    pub fn misunderstood(detail: &str) -> String {
        format!("the screen and the app did not understand each other ({detail})")
    }
}

/// Changes the office did not accept, kept on this tablet.
pub mod not_accepted {
    pub const TITLE: &str = "Not accepted by the office";
    pub const INTRO: &str = "These were saved on this tablet but the office did not accept them. Nothing has been lost: what was written is below. Read why, do what it says, then tell the app you have dealt with it.";
    pub const NONE: &str = "Everything saved on this tablet was accepted by the office.";
    pub const WHAT_WAS_WRITTEN: &str = "What was written";
    pub const WHY: &str = "Why";
    pub const DEALT_WITH: &str = "I have dealt with this";
    pub const DEALT: &str = "Marked as dealt with.";
    pub const OFFICE_TITLE: &str = "Changes the office did not accept";
    pub const OFFICE_NONE: &str = "No one's changes have been turned away.";
    pub const SOMEONE: &str = "a participant";
}

/// How many changes wait in "Not accepted by the office", as a link in the sync bar.
pub fn not_accepted_count(n: u64) -> String {
    format!(
        "{n} change{} not accepted by the office: see {}",
        plural(n, "", "s"),
        plural(n, "it", "them")
    )
}

/// A warning when the tablet's clock is far from the office's.
pub fn clock_off(ahead_seconds: i64) -> String {
    let minutes = ahead_seconds.unsigned_abs().div_ceil(60);
    format!(
        "This tablet's clock is {minutes} minute{} {} the office's. Set the date and time to update automatically, or the office may not accept what you save.",
        plural(minutes, "", "s"),
        if ahead_seconds > 0 {
            "ahead of"
        } else {
            "behind"
        }
    )
}

/// What kind of change it was, for the lists of changes not accepted.
pub fn operation(op: Option<onward_api::policy::Operation>) -> &'static str {
    use onward_api::policy::Operation as O;
    match op {
        Some(O::CreateParticipant) => "New participant",
        Some(O::UpdateProfile) => "Changed details",
        Some(O::AddGoal) => "New goal",
        Some(O::UpdateGoal) => "Changed goal",
        Some(O::AddStep) => "New step",
        Some(O::TickStep) => "Step ticked",
        Some(O::ReviewGoal) => "Goal review",
        Some(O::SignOffGoal) => "Goal signed off",
        Some(O::PlanAppointment) => "New appointment",
        Some(O::RecordAppointmentOutcome) => "What happened at an appointment",
        Some(O::CompleteFollowUp) => "Follow-up done",
        Some(O::RecordAchievement) => "Achievement",
        Some(O::RecordProgression) => "Progression",
        Some(O::CheckSustained) => "Sustainment check",
        Some(O::RecordCheckIn) => "Check-in",
        Some(O::SaveDisclosure) => "Disclosure statement",
        Some(O::LogSession) => "Session logged",
        Some(O::EditSession) => "Session changed",
        Some(O::SignOffSession) => "Session signed off",
        Some(O::AddAddendum) => "Addendum",
        Some(O::RecordReferral) => "Referral",
        Some(O::RecordConsent) => "Consent",
        Some(O::AddKeyContact) => "Key contact",
        Some(O::RaiseConcern) => "Safeguarding concern",
        Some(O::RespondToConcern) => "Response to a concern",
        None => "A change",
    }
}

/// What the change was and whose record, as a heading.
pub fn change_about(what: &str, name: &str) -> String {
    format!("{what} — {name}")
}

/// Who sent a change the office did not accept, and when.
pub fn sent_by(name: &str, when: &str) -> String {
    format!("From {name}'s tablet, {when}")
}

/// Why the office did not accept a change, and what to do, in plain words.
pub fn refused(why: &onward_api::policy::Refused) -> String {
    use onward_api::policy::Refused as R;
    match why {
        R::HandedOver => "This cannot be done while the tablet is handed over.".into(),
        R::CoordinatorOnly => "Only a coordinator can do this. Ask your coordinator.".into(),
        R::NeedsClearance => "This needs clearance to see restricted information. Ask your coordinator.".into(),
        R::NotOnCaseload => "This person is no longer on your caseload. Tell your coordinator what you wrote, so it can be added to their record.".into(),
        R::MayNotHold => "You cannot keep this kind of information for this person. Tell your coordinator what you wrote.".into(),
        R::Invalid { .. } => "Something in it was not accepted. Check it and record it again.".into(),
        R::SignedOff => "Someone signed this session off before your change arrived. Add an addendum with what you wrote instead.".into(),
        R::AlreadySignedOff => "Someone else signed this session off first. Nothing more is needed.".into(),
        R::AppendOnly => "Records like this can only be added to. Record it again as something new.".into(),
        R::MissingDeps => "This was made after a change the office did not accept. Record it again if it is still needed.".into(),
        R::FromTheFuture => "The tablet's clock was ahead of the office's. Set the date and time to update automatically, then record it again.".into(),
        R::BeforeEnrolment => "The tablet's clock was wrong. Set the date and time to update automatically, then record it again.".into(),
        R::Backdated => "It was dated earlier than what the office already holds. Record it again.".into(),
        R::Missing { .. } => "It refers to something the office does not have. Sync, then record it again.".into(),
        R::TooLarge { .. } | R::TooMuch => "It was too large to send. Record it again in smaller parts.".into(),
        R::UnknownPerson => "That person is not one of this organisation's staff. Check who you chose.".into(),
        R::NotAMentor => "Only mentors and peer mentors have a caseload. Choose a mentor.".into(),
        R::AccountOff => "That person's account is turned off, so they cannot take on anyone. Choose another mentor.".into(),
        R::UnknownParticipant => "The office does not have this participant's record yet. Sync, then try again.".into(),
        R::UnknownDevice => "That tablet is not one of this organisation's. Check which tablet you chose.".into(),
        R::OwnAccount => "You cannot turn off your own account. Ask another coordinator.".into(),
        R::OneThing
        | R::NotAnOperation
        | R::Mislabelled { .. }
        | R::NotThePusher
        | R::Malformed
        | R::Damaged
        | R::AlreadyExists => "The office could not use it. Tell your coordinator; you may need to update the app.".into(),
    }
}

/// Why the office did not accept a change, for the coordinator who is told about it.
pub fn refused_for_office(why: &onward_api::policy::Refused) -> String {
    use onward_api::policy::Refused as R;
    match why {
        R::CoordinatorOnly => "Only a coordinator may make this change.".into(),
        R::NeedsClearance => "This needs clearance they do not have.".into(),
        R::NotOnCaseload => "This person is not on their caseload. They have been asked to tell you what they wrote.".into(),
        R::MayNotHold => "They may not hold this information for this person. They have been asked to tell you what they wrote.".into(),
        R::SignedOff => "The session was signed off before their change arrived. They have been asked to add an addendum.".into(),
        R::FromTheFuture | R::BeforeEnrolment => "Their tablet's clock was wrong.".into(),
        R::OneThing
        | R::NotAnOperation
        | R::Mislabelled { .. }
        | R::NotThePusher
        | R::Malformed
        | R::Damaged
        | R::AlreadyExists => "The office could not use it: the tablet may run an old or modified app. Check with whoever looks after your tablets.".into(),
        other => refused(other),
    }
}

/// Names of the parts of a record shown under "What was written".
pub fn recorded_field(key: &str) -> Option<&'static str> {
    Some(match key {
        "preferred_name" => "Name",
        "programme" => "Programme",
        "title" => "Title",
        "why_it_matters" => "Why it matters",
        "text" => "Text",
        "by_whom" => "By whom",
        "rating" => "Rating (0 to 10)",
        "comment" => "Comment",
        "with_whom" => "With whom",
        "location" => "Where",
        "outcome" => "Outcome",
        "description" => "Description",
        "organisation" => "Organisation",
        "level" => "Level",
        "summary" => "Shared summary",
        "next_steps" => "Next steps",
        "private_notes" => "Private notes",
        "absence_reason" => "Why they did not attend",
        "duration_minutes" => "Minutes",
        "referrer" => "Referrer",
        "reason" => "Reason",
        "scope" => "Scope",
        "given_by" => "Given by",
        "role" => "Role",
        "name" => "Name",
        "phone" => "Phone",
        "email" => "Email",
        _ => return None,
    })
}

/// While the first sync after setting up is still bringing the caseload.
pub mod first_sync {
    pub const CASELOAD: &str =
        "Syncing your caseload… The people you work with appear here as soon as it arrives.";
    pub const NOT_YET: &str =
        "Your caseload has not reached this tablet yet. It appears after the next sync.";
    pub const TODAY: &str = "Syncing your caseload… Today fills in as soon as it arrives.";
}

/// The notice in an open form when what it is about changed on another device meanwhile.
pub mod changed {
    pub const SEEN: &str = "Got it";
    pub const REMOVED: &str = "it is no longer on this tablet";

    // What changed.
    pub const THIS_RECORD: &str = "This record";
    pub const THIS_APPOINTMENT: &str = "This appointment";
    pub const THIS_SESSION: &str = "This session";
    pub const THIS_GOAL: &str = "This goal";
    pub const THESE_DETAILS: &str = "Their details";
    pub const THIS_CONCERN: &str = "This concern";

    // The parts that changed.
    pub const DETAILS: &str = "their details";
    pub const GOALS: &str = "goals";
    pub const SESSIONS: &str = "sessions";
    pub const APPOINTMENTS: &str = "appointments";
    pub const ACHIEVEMENTS: &str = "achievements";
    pub const PROGRESSIONS: &str = "progressions";
    pub const CHECK_INS: &str = "check-ins";
    pub const CONCERNS: &str = "concerns";
    pub const REFERRAL: &str = "referral, consent and contacts";
    pub const WHEN: &str = "date and time";
    pub const KIND: &str = "kind";
    pub const WITH_WHOM: &str = "with whom";
    pub const WHERE: &str = "where";
    pub const SUPPORT: &str = "support";
    pub const WHAT_HAPPENED: &str = "what happened";
    pub const OUTCOME: &str = "outcome";
    pub const FOLLOW_UP: &str = "follow-up";
    pub const EXPENSES: &str = "travel expenses";
    pub const DURATION: &str = "length";
    pub const HOW: &str = "how and where";
    pub const ATTENDANCE: &str = "attendance";
    pub const TOPICS: &str = "topics";
    pub const MOOD: &str = "mood";
    pub const SUMMARY: &str = "shared summary";
    pub const NEXT_STEPS: &str = "next steps";
    pub const PRIVATE_NOTES: &str = "private notes";
    pub const SIGN_OFF: &str = "sign-off";
    pub const ADDENDA: &str = "addenda";
    pub const TITLE: &str = "the goal";
    pub const WHY: &str = "why it matters";
    pub const DATES: &str = "dates";
    pub const STATUS: &str = "status";
    pub const STEPS: &str = "steps";
    pub const REVIEWS: &str = "reviews";
    pub const NAME: &str = "name";
    pub const PROGRAMME: &str = "programme";
    pub const PATHWAYS: &str = "pathways";
    pub const RESPONSES: &str = "responses";
    pub const DESCRIPTION: &str = "description";
    pub const URGENCY: &str = "category or urgency";
}

/// The notice in an open form: `what` changed on another device while the form was open, in
/// these `parts`; what the person typed is kept.
pub fn changed_underneath(what: &str, parts: &[&str]) -> String {
    format!(
        "{what} was changed on another device while this form was open ({}). What you typed is still here: check it before you save.",
        parts.join(", ")
    )
}

/// The coordinator's screens: the organisation at a glance and the concern inbox.
pub mod office {
    use onward_api::ids::UserId;
    use onward_api::vocab::{OverviewFigure, Urgency};

    pub const NAV_OVERVIEW: &str = "Overview";
    pub const NAV_CONCERNS: &str = "Concerns";
    pub const OVERVIEW: &str = "The organisation at a glance";
    pub const PARTICIPANTS: &str = "Participants by status";
    pub const CONCERNS: &str = "Open safeguarding concerns";
    pub const OPEN_INBOX: &str = "Open the concern inbox";
    pub const REVIEWS: &str = "Goal reviews overdue";
    pub const WEEK: &str = "Appointments this week";
    pub const MONTH: &str = "Sessions this month";
    pub const NOTHING: &str = "Nothing to list.";
    pub const INBOX: &str = "Safeguarding concerns";
    pub const INBOX_LEAD: &str = "Every open concern, most urgent first, then the oldest. Open the participant to respond, change the status or close the concern.";
    pub const INBOX_EMPTY: &str =
        "No open concerns. Concerns raised on mentors' tablets appear here after they sync.";
    pub const URGENCY: &str = "Urgency";
    pub const PARTICIPANT: &str = "Participant";
    pub const RAISED: &str = "Raised";
    pub const RAISED_BY: &str = "Raised by";
    pub const ANSWER: &str = "Status";
    pub const WAITING: &str = "Waiting for a mentor";
    pub const WAITING_UNKNOWN: &str = "Shown after this device's next sync with the office.";
    pub const MENTORS: &str = "Mentors";
    pub const NAME: &str = "Name";
    pub const ROLE: &str = "Role";
    pub const CASELOAD: &str = "Caseload";
    pub const LAST_SYNC: &str = "Last synced";
    pub const NEVER: &str = "Never";

    pub fn waiting(n: u32) -> String {
        match n {
            0 => "Everyone has a mentor".into(),
            1 => "1 participant waiting for a mentor".into(),
            n => format!("{n} participants waiting for a mentor"),
        }
    }

    pub fn mentor_count(n: usize) -> String {
        match n {
            1 => "1 mentor".into(),
            n => format!("{n} mentors"),
        }
    }

    pub fn role_line(m: &onward_api::overview::StaffMember) -> String {
        let mut line = super::role(m.role).to_string();
        if m.cleared {
            line.push_str(", cleared");
        }
        if !m.enabled {
            line.push_str(", account off");
        }
        line
    }

    pub fn count_of(n: u32, what: &str) -> String {
        format!("{what}: {n}")
    }

    pub fn urgency_level(u: Urgency) -> String {
        format!("{} urgency", super::urgency(u))
    }

    pub fn between(first: &str, last: &str) -> String {
        format!("{first} to {last}")
    }

    pub fn open_concerns(n: u32) -> String {
        match n {
            0 => "No open concerns".into(),
            1 => "1 open concern".into(),
            n => format!("{n} open concerns"),
        }
    }

    pub fn urgent_open(n: u32) -> String {
        match n {
            1 => "1 urgent concern open".into(),
            n => format!("{n} urgent concerns open"),
        }
    }

    pub fn unanswered(n: u32) -> String {
        match n {
            0 => "Every open concern has an answer.".into(),
            1 => "1 has no answer yet.".into(),
            n => format!("{n} have no answer yet."),
        }
    }

    pub fn oldest(days: i64) -> String {
        format!("oldest {}", age(days))
    }

    pub fn age(days: i64) -> String {
        match days {
            0 => "today".into(),
            1 => "1 day ago".into(),
            n => format!("{n} days ago"),
        }
    }

    pub fn raised_by(me: bool) -> &'static str {
        if me { "You" } else { "A colleague" }
    }

    pub fn answered(when: Option<String>) -> String {
        match when {
            Some(w) => format!("Last answered {w}"),
            None => "No answer yet".into(),
        }
    }

    pub fn reviews_overdue(n: u32) -> String {
        match n {
            0 => "No reviews overdue".into(),
            1 => "1 goal review overdue".into(),
            n => format!("{n} goal reviews overdue"),
        }
    }

    pub fn appointments(n: u32, accompanied: u32) -> String {
        let total = match n {
            1 => "1 appointment".to_string(),
            n => format!("{n} appointments"),
        };
        format!("{total}, a mentor going along to {accompanied}")
    }

    pub fn sessions(delivered: u32, missed: u32) -> String {
        format!("{delivered} delivered, {missed} missed")
    }

    pub fn contact_hours(hours: &str) -> String {
        format!("Contact hours: {hours}")
    }

    pub fn list_title(f: OverviewFigure) -> &'static str {
        match f {
            OverviewFigure::WaitingForMentor => "Participants waiting for a mentor",
            OverviewFigure::ReviewsOverdue => "Goals whose review is overdue",
            OverviewFigure::AppointmentsThisWeek => "This week's appointments",
            OverviewFigure::SessionsThisMonth => "This month's sessions",
        }
    }

    pub fn first_only(n: u32) -> String {
        format!("The first {n} are listed.")
    }

    pub fn going_along(by: Option<UserId>, me: Option<UserId>) -> &'static str {
        match by {
            None => "No one going with them",
            Some(u) if Some(u) == me => "You are going with them",
            Some(_) => "A mentor is going with them",
        }
    }

    pub fn session_line(delivered: bool, minutes: u32) -> String {
        if delivered {
            format!("{minutes} minutes")
        } else {
            "Did not attend".into()
        }
    }
}

/// A participant's mentors, for coordinators.
pub mod mentors {
    use onward_api::overview::StaffMember;
    use onward_api::{OfficeOrder, OrderKind};

    pub const TITLE: &str = "Mentors";
    pub const NONE: &str = "No mentor is assigned yet.";
    pub const NOT_KNOWN: &str =
        "Who is assigned shows after this device's next sync with the office.";
    pub const CHOOSE: &str = "Choose a mentor first.";
    pub const CHOOSE_LABEL: &str = "Assign a mentor";
    pub const PICK: &str = "Choose…";
    pub const ASSIGN: &str = "Assign";
    pub const UNASSIGN: &str = "Unassign";
    pub const ASSIGN_WAITS: &str = "Assignment saved.";
    pub const UNASSIGN_WAITS: &str = "Unassignment saved.";
    pub const ORDERS: &str = "Changes sent to the office";

    fn role_and_clearance(m: &StaffMember) -> String {
        let cleared = if m.cleared {
            "cleared for restricted records"
        } else {
            "not cleared for restricted records"
        };
        format!("{}, {cleared}", super::role(m.role))
    }

    fn caseload(n: u32) -> String {
        match n {
            1 => "1 participant".into(),
            n => format!("{n} participants"),
        }
    }

    /// An assigned mentor.
    pub fn line(m: &StaffMember) -> String {
        format!("{} · {}", m.display_name, role_and_clearance(m))
    }

    /// A mentor in the list to choose from: name, caseload size and clearance.
    pub fn choice(m: &StaffMember) -> String {
        format!(
            "{} ({}, {})",
            m.display_name,
            caseload(m.caseload),
            role_and_clearance(m)
        )
    }

    /// An assigned mentor whose unassignment waits for the next sync.
    pub fn leaving(m: &StaffMember) -> String {
        format!("{} · leaves at the next sync", line(m))
    }

    /// A mentor whose assignment waits for the next sync.
    pub fn joining(m: &StaffMember) -> String {
        format!("{} · joins at the next sync", line(m))
    }

    pub fn unassign_label(name: &str) -> String {
        format!("Unassign {name}")
    }

    /// An order and what became of it.
    pub fn order_line(o: &OfficeOrder) -> String {
        let who = o.person_name.as_deref().unwrap_or("someone");
        let what = match o.kind {
            OrderKind::Assign => format!("Assign {who}"),
            OrderKind::Unassign => format!("Unassign {who}"),
            OrderKind::IssueCode => format!("Enrolment code for {who}"),
            OrderKind::RevokeDevice => "Withdraw a tablet".to_string(),
            OrderKind::TurnOff => format!("Turn off {who}'s account"),
            OrderKind::TurnOn => format!("Turn on {who}'s account"),
        };
        let when = o.made_at.london_format("%-d %b, %H:%M");
        match (&o.answered_at, &o.refused) {
            (None, _) => format!("{what} ({when}): waiting for the next sync with the office."),
            (Some(_), None) => format!("{what} ({when}): done by the office."),
            (Some(_), Some(why)) => {
                format!("{what} ({when}): not done. {}", super::refused(why))
            }
        }
    }
}

/// Recording a referral (cleared staff).
pub mod referral {
    pub const RECORD: &str = "Record the referral";
    pub const CHANGE: &str = "Change the referral";
    pub const SOURCE: &str = "Referred by (source)";
    pub const REFERRER: &str = "Referrer's name";
    pub const REFERRER_WHAT: &str = "the referrer's name";
    pub const DATE: &str = "Referral date";
    pub const DATE_NEEDED: &str = "Enter the date of the referral";
    pub const SUPERVISION_END: &str = "Supervision ends (if known)";
    pub const REASON: &str = "Reason for referral";
    pub const REASON_WHAT: &str = "the reason";
    pub const RISK: &str = "Risk level as given by the referrer";
    pub const SAVE: &str = "Save referral";
    pub const SAVED: &str = "Referral saved.";
}

/// Recording consent (cleared staff).
pub mod consent_form {
    pub const RECORD: &str = "Record consent";
    pub const VERSION: &str = "Consent form version";
    pub const VERSION_WHAT: &str = "the form's version";
    pub const SCOPE: &str = "What they agreed to";
    pub const SCOPE_WHAT: &str = "what they agreed to";
    pub const BY: &str = "Given by";
    pub const BY_WHAT: &str = "who gave it";
    pub const GIVEN: &str = "Consent given (untick if withdrawn)";
    pub const SAVE: &str = "Save consent";
    pub const SAVED: &str = "Consent saved.";
}

/// The coordinator's People screen.
pub mod people {
    use onward_api::overview::{StaffDevice, StaffMember};

    pub const NAV: &str = "People";
    pub const TITLE: &str = "People and devices";
    pub const LEAD: &str = "Mentors, peer mentors and coordinators as the office last said. What you do here reaches the office at the next sync.";
    pub const NOT_KNOWN: &str =
        "The list of people shows after this device's next sync with the office.";
    pub const NO_DEVICES: &str = "No tablets enrolled.";
    pub const THIS_TABLET: &str = "This tablet";
    pub const CODES: &str = "Enrolment codes";
    pub const CODE_HINT: &str = "Type this on the new tablet's first screen, or scan the QR code with its camera. It works once, for 72 hours from when the office issued it.";
    pub const QR_LABEL: &str = "The enrolment code as a QR code";
    pub const NEW_CODE: &str = "New enrolment code";
    pub const CODE_WAITS: &str = "Code requested.";
    pub const REVOKE: &str = "Withdraw";
    pub const REVOKE_WAITS: &str = "Withdrawal saved.";
    pub const TURN_OFF: &str = "Turn account off";
    pub const TURN_ON: &str = "Turn account on";
    pub const OFF_WAITS: &str = "Account change saved.";
    pub const ON_WAITS: &str = "Account change saved.";

    pub fn summary(m: &StaffMember) -> String {
        // The role line says when the account is off.
        let caseload = match m.caseload {
            1 => "1 participant".to_string(),
            n => format!("{n} participants"),
        };
        format!("{} · {caseload}", super::office::role_line(m))
    }

    pub fn device_line(d: &StaffDevice) -> String {
        let last = d
            .last_synced
            .map(|day| format!("last synced {}", day.format("%-d %b %Y")))
            .unwrap_or_else(|| "not synced yet".into());
        format!(
            "{} (enrolled {}, {last})",
            d.name,
            d.enrolled.format("%-d %b %Y")
        )
    }

    pub fn revoke_label(device: &str) -> String {
        format!("Withdraw {device}")
    }

    pub fn confirm_revoke(device: &str) -> String {
        format!("Yes, withdraw {device}: it deletes its records at its next sync")
    }

    pub fn confirm_off(name: &str) -> String {
        format!("Yes, turn off {name}'s account and withdraw every tablet")
    }

    pub fn code_label(name: &str) -> String {
        format!("New enrolment code for {name}")
    }
}
