//! Every word the UI shows, in one place per language (British English here), so Welsh and
//! others can follow. Vocabulary values are named for people here, not in the core.

use onward_api::vocab::*;

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
pub const SAVE: &str = "Save";
pub const CANCEL: &str = "Cancel";
pub const CLOSE: &str = "Close";
pub const FIX_ERRORS: &str =
    "Some answers need changing before this can be saved. What you typed is kept.";

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
