//! The records kept about a participant, split into three documents by who may see them
//! (DESIGN.md): the Plan (shared with the participant), the Notes (mentors and coordinators) and
//! the Restricted document (cleared mentors and coordinators only).
//!
//! These are the automerge schema. Field names are stable (they are what older documents hold);
//! fields added later carry `missing` defaults so documents written before them still load.
//! Collections of records with identity are maps keyed by id, so concurrent additions on
//! different tablets never collide; ordered lists (steps, reviews) carry a `#[key]`.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::time::{Day, Timestamp};
use crate::vocab::*;

/// The schema version this build writes. Documents with a higher version are refused with a
/// message to update the app; lower versions load through `missing` defaults.
pub const SCHEMA_VERSION: u64 = 1;

/// Who made a change: a user on a device. Also encoded in each automerge change's actor id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Author {
    pub user: UserId,
    pub device: DeviceId,
}

/// When and by whom a record was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub at: Timestamp,
    pub by: UserId,
}

// ---------------------------------------------------------------------------------------------
// Plan: shared with the participant.

/// The Plan document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Plan {
    pub schema: u64,
    pub participant: ParticipantId,
    pub profile: Profile,
    pub goals: BTreeMap<String, Goal>,
    pub appointments: BTreeMap<String, Appointment>,
    pub achievements: BTreeMap<String, Achievement>,
    pub progressions: BTreeMap<String, Progression>,
    /// Shared summary and next steps of each session, keyed by session id.
    #[autosurgeon(hydrate = "crate::document::hydrate_sealed_map")]
    pub summaries: BTreeMap<String, SessionSummary>,
    #[autosurgeon(hydrate = "crate::document::hydrate_sealed_map")]
    pub checkins: BTreeMap<String, CheckIn>,
    /// The participant's disclosure-statement draft, in their own words.
    #[autosurgeon(missing = "Option::default")]
    pub disclosure: Option<DisclosureDraft>,
}

/// Who the participant is in the programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Profile {
    pub preferred_name: String,
    pub programme: String,
    pub status: ParticipantStatus,
    /// The pathways the participant and mentor agreed to work on.
    pub pathways: Vec<Pathway>,
    pub created: Stamp,
}

/// A goal, titled in the participant's words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Goal {
    pub id: GoalId,
    pub title: String,
    pub pathway: Pathway,
    pub why_it_matters: String,
    pub target_date: Option<Day>,
    /// When the goal should next be reviewed together.
    pub review_due: Option<Day>,
    pub status: GoalStatus,
    pub steps: Vec<Step>,
    /// Progress reviews, keyed by id (ordered by time when shown).
    #[autosurgeon(hydrate = "crate::document::hydrate_sealed_map")]
    pub reviews: BTreeMap<String, Review>,
    /// The participant's sign-off: they agree this is their goal.
    pub sign_off: Option<Stamp>,
    pub created: Stamp,
}

/// A step towards a goal: what, who does it, by when, and whether it is done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Step {
    #[key]
    pub id: StepId,
    pub text: String,
    /// Who will do it, in plain words ("me", "Sam (mentor)").
    pub by_whom: String,
    pub due: Option<Day>,
    pub done: Option<Stamp>,
}

/// A progress review with a 0–10 rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub id: ReviewId,
    pub rating: u8,
    pub comment: String,
    pub created: Stamp,
}

/// An appointment and the support given for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Appointment {
    pub id: AppointmentId,
    pub starts_at: Timestamp,
    pub ends_at: Option<Timestamp>,
    pub kind: AppointmentKind,
    pub with_whom: String,
    pub location: String,
    pub support: Support,
    pub status: AppointmentStatus,
    pub outcome: String,
    pub follow_up: Option<FollowUp>,
    /// Travel expenses in pence.
    pub expenses_pence: i64,
    pub created: Stamp,
}

/// Support given for an appointment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Support {
    pub reminder: bool,
    pub travel_arranged: bool,
    /// The mentor who went with the participant, if one did.
    pub accompanied_by: Option<UserId>,
}

/// Something to do after an appointment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct FollowUp {
    pub text: String,
    pub due: Option<Day>,
    pub done: bool,
}

/// A qualification, certificate, placement, course or job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Achievement {
    pub id: AchievementId,
    pub kind: AchievementKind,
    pub title: String,
    pub date: Day,
    /// Awarding body (qualifications) or organisation (placements, jobs).
    pub organisation: String,
    /// Qualification level ("Entry 3", "Level 2"), empty when not a qualification.
    pub level: String,
    pub certificate: bool,
    /// Hours, for volunteering and work experience.
    pub hours: Option<u32>,
    pub created: Stamp,
}

/// A move into employment, education, training or volunteering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Progression {
    pub id: ProgressionId,
    pub kind: ProgressionKind,
    pub description: String,
    pub organisation: String,
    pub start_date: Day,
    /// Whether it was still going 13 weeks after the start, once checked.
    pub sustained_13_weeks: Option<SustainCheck>,
    /// Whether it was still going 26 weeks after the start, once checked.
    pub sustained_26_weeks: Option<SustainCheck>,
    pub created: Stamp,
}

/// The result of a sustainment check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SustainCheck {
    pub sustained: bool,
    pub checked: Stamp,
}

/// The part of a session the participant sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub session: SessionId,
    pub started_at: Timestamp,
    pub summary: String,
    pub next_steps: String,
    pub updated: Stamp,
}

/// A self-assessment check-in: a 0–10 score per pathway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckIn {
    pub id: CheckInId,
    pub scores: BTreeMap<String, u8>,
    pub comment: String,
    pub created: Stamp,
}

/// A disclosure-statement draft, in the participant's own words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisclosureDraft {
    pub text: String,
    pub updated: Stamp,
}

// ---------------------------------------------------------------------------------------------
// Notes: mentors (peer mentors included) and coordinators.

/// The Notes document: an append-only log of session revisions, sign-offs and addenda, each
/// written once under its own id. A session is the revisions, sign-offs and addenda that name
/// it; [`Notes::sessions`] assembles them. Because nothing is ever overwritten, a merge can add
/// to a signed-off session but never change what was signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Notes {
    pub schema: u64,
    pub participant: ParticipantId,
    #[autosurgeon(hydrate = "crate::document::hydrate_sealed_map")]
    pub revisions: BTreeMap<String, SessionRevision>,
    #[autosurgeon(hydrate = "crate::document::hydrate_sealed_map")]
    pub sign_offs: BTreeMap<String, SignOff>,
    #[autosurgeon(hydrate = "crate::document::hydrate_sealed_map")]
    pub addenda: BTreeMap<String, Addendum>,
}

/// A session record as people see it: its revisions (oldest first), sign-offs and addenda.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub id: SessionId,
    /// When and by whom it was first logged.
    pub created: Stamp,
    pub revisions: Vec<SessionRevision>,
    pub sign_offs: Vec<SignOff>,
    pub addenda: Vec<Addendum>,
}

impl Notes {
    /// Every session, keyed by id.
    pub fn sessions(&self) -> BTreeMap<SessionId, SessionRecord> {
        let mut out: BTreeMap<SessionId, SessionRecord> = BTreeMap::new();
        let mut revisions: Vec<&SessionRevision> = self.revisions.values().collect();
        revisions.sort_by_key(|r| (r.created.at, r.id));
        for r in revisions {
            out.entry(r.session)
                .or_insert_with(|| SessionRecord {
                    id: r.session,
                    created: r.created,
                    revisions: Vec::new(),
                    sign_offs: Vec::new(),
                    addenda: Vec::new(),
                })
                .revisions
                .push(r.clone());
        }
        let mut sign_offs: Vec<&SignOff> = self.sign_offs.values().collect();
        sign_offs.sort_by_key(|s| (s.created.at, s.id));
        for s in sign_offs {
            if let Some(rec) = out.get_mut(&s.session) {
                rec.sign_offs.push(s.clone());
            }
        }
        let mut addenda: Vec<&Addendum> = self.addenda.values().collect();
        addenda.sort_by_key(|a| (a.created.at, a.id));
        for a in addenda {
            if let Some(rec) = out.get_mut(&a.session) {
                rec.addenda.push(a.clone());
            }
        }
        out
    }

    /// The content that stands for every session, borrowed rather than copied (reports read
    /// every session of every participant). The same rule as [`SessionRecord::current`]: the
    /// revision the earliest sign-off pins once signed off, else the latest revision (by time,
    /// then id); `logged` is the first revision's stamp, like [`SessionRecord::created`].
    /// A session whose signed revision is missing has no standing content and is left out.
    pub fn standing(&self) -> Vec<StandingSession<'_>> {
        struct Acc<'a> {
            first: &'a SessionRevision,
            latest: &'a SessionRevision,
            sign_off: Option<&'a SignOff>,
        }
        let key = |s: &Stamp, id: RevisionId| (s.at, id);
        let mut by_session: BTreeMap<SessionId, Acc<'_>> = BTreeMap::new();
        let mut by_id: BTreeMap<RevisionId, &SessionRevision> = BTreeMap::new();
        for r in self.revisions.values() {
            by_id.insert(r.id, r);
            let acc = by_session.entry(r.session).or_insert(Acc {
                first: r,
                latest: r,
                sign_off: None,
            });
            if key(&r.created, r.id) < key(&acc.first.created, acc.first.id) {
                acc.first = r;
            }
            if key(&r.created, r.id) > key(&acc.latest.created, acc.latest.id) {
                acc.latest = r;
            }
        }
        for s in self.sign_offs.values() {
            if let Some(acc) = by_session.get_mut(&s.session)
                && acc
                    .sign_off
                    .is_none_or(|o| (s.created.at, s.id) < (o.created.at, o.id))
            {
                acc.sign_off = Some(s);
            }
        }
        by_session
            .into_iter()
            .filter_map(|(id, acc)| {
                let content = match acc.sign_off {
                    Some(s) => by_id.get(&s.revision).filter(|r| r.session == id)?,
                    None => acc.latest,
                };
                Some(StandingSession {
                    id,
                    logged: acc.first.created,
                    content: &content.content,
                })
            })
            .collect()
    }

    /// One session, if it is here.
    pub fn session(&self, id: SessionId) -> Option<SessionRecord> {
        let revisions: Vec<SessionRevision> = {
            let mut r: Vec<&SessionRevision> = self
                .revisions
                .values()
                .filter(|r| r.session == id)
                .collect();
            r.sort_by_key(|r| (r.created.at, r.id));
            r.into_iter().cloned().collect()
        };
        let created = revisions.first()?.created;
        let mut sign_offs: Vec<SignOff> = self
            .sign_offs
            .values()
            .filter(|s| s.session == id)
            .cloned()
            .collect();
        sign_offs.sort_by_key(|s| (s.created.at, s.id));
        let mut addenda: Vec<Addendum> = self
            .addenda
            .values()
            .filter(|a| a.session == id)
            .cloned()
            .collect();
        addenda.sort_by_key(|a| (a.created.at, a.id));
        Some(SessionRecord {
            id,
            created,
            revisions,
            sign_offs,
            addenda,
        })
    }
}

/// A session's standing content, borrowed from the Notes ([`Notes::standing`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StandingSession<'a> {
    pub id: SessionId,
    /// When and by whom the session was first logged.
    pub logged: Stamp,
    pub content: &'a SessionContent,
}

/// One version of the session's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRevision {
    pub id: RevisionId,
    pub session: SessionId,
    pub content: SessionContent,
    pub created: Stamp,
}

/// What happened in a session (stored inside a sealed revision).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionContent {
    pub started_at: Timestamp,
    pub duration_minutes: u32,
    pub mode: SessionMode,
    pub session_type: SessionType,
    pub attendance: Attendance,
    /// Why the participant did not attend, when they did not.
    pub absence_reason: String,
    pub topics: Vec<Pathway>,
    /// Mood on a 1–5 scale, before and after.
    pub mood_before: Option<u8>,
    pub mood_after: Option<u8>,
    pub private_notes: String,
}

/// A sign-off, pinning the revision that was signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignOff {
    pub id: SignOffId,
    pub session: SessionId,
    pub revision: RevisionId,
    pub created: Stamp,
}

/// A correction or addition after sign-off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Addendum {
    pub id: AddendumId,
    pub session: SessionId,
    pub text: String,
    pub created: Stamp,
}

impl SessionRecord {
    /// The sign-off that counts: the earliest (by time, then id). Later or concurrent
    /// sign-offs stay in the history.
    pub fn sign_off(&self) -> Option<&SignOff> {
        self.sign_offs.first()
    }

    /// The latest revision (by time, then id).
    pub fn latest_revision(&self) -> Option<&SessionRevision> {
        self.revisions.last()
    }

    /// The content that stands: the signed revision once signed off, else the latest.
    pub fn current(&self) -> Option<&SessionContent> {
        match self.sign_off() {
            Some(s) => self
                .revisions
                .iter()
                .find(|r| r.id == s.revision)
                .map(|r| &r.content),
            None => self.latest_revision().map(|r| &r.content),
        }
    }

    /// Whether the record has been signed off.
    pub fn is_signed_off(&self) -> bool {
        !self.sign_offs.is_empty()
    }
}

// ---------------------------------------------------------------------------------------------
// Restricted: cleared mentors and coordinators; never peer mentors or the participant.

/// The Restricted document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Restricted {
    pub schema: u64,
    pub participant: ParticipantId,
    pub referral: Option<Referral>,
    pub consents: BTreeMap<String, ConsentRecord>,
    pub contacts: BTreeMap<String, KeyContact>,
    /// Concerns raised before each concern became a document of its own ([`Safeguarding`]).
    /// Nothing new is added here; coordinators may still respond to these.
    pub concerns: BTreeMap<String, Concern>,
}

/// How the participant came to the programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Referral {
    pub source: ReferralSource,
    pub referrer: String,
    pub date: Day,
    pub reason: String,
    pub supervision_end: Option<Day>,
    pub risk_level: RiskLevel,
    pub recorded: Stamp,
}

/// Consent given or withdrawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ConsentRecord {
    pub id: ConsentId,
    /// The version of the consent form.
    pub version: String,
    /// What the consent covers, in plain words.
    pub scope: String,
    pub given: bool,
    /// Who gave or withdrew it (usually the participant).
    pub given_by: String,
    pub recorded: Stamp,
}

/// A key contact such as a case manager.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct KeyContact {
    pub id: ContactId,
    pub role: String,
    pub name: String,
    pub organisation: String,
    pub phone: String,
    pub email: String,
    pub recorded: Stamp,
}

// ---------------------------------------------------------------------------------------------
// Safeguarding concerns: each concern is a document of its own, so the person who raised it can
// hold it (and see the response) without holding anything else restricted.

/// The document of one safeguarding concern. Held by the person who raised it, by cleared
/// mentors of the participant and by coordinators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Safeguarding {
    pub schema: u64,
    pub participant: ParticipantId,
    pub concern: Concern,
}

/// A safeguarding concern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Concern {
    pub id: ConcernId,
    pub category: ConcernCategory,
    pub urgency: Urgency,
    pub description: String,
    pub status: ConcernStatus,
    /// Responses, keyed by id (ordered by time when shown).
    #[autosurgeon(hydrate = "crate::document::hydrate_sealed_map")]
    pub responses: BTreeMap<String, ConcernResponse>,
    pub raised: Stamp,
}

/// A coordinator's response to a concern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConcernResponse {
    pub id: ResponseId,
    pub text: String,
    pub status: ConcernStatus,
    pub created: Stamp,
}

/// Stores a write-once record as a single JSON string in the document.
macro_rules! sealed {
    ($($t:ty),+ $(,)?) => {$(
        impl Reconcile for $t {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                // Serialising these plain structs cannot fail: no maps with non-string keys,
                // no custom serialisers that refuse.
                r.str(serde_json::to_string(self).expect("sealed records always serialise"))
            }
        }
        impl Hydrate for $t {
            fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
                serde_json::from_str(s)
                    .map_err(|e| autosurgeon::HydrateError::unexpected(stringify!($t), e.to_string()))
            }
        }
    )+};
}

sealed!(
    Stamp,
    SessionSummary,
    CheckIn,
    DisclosureDraft,
    SessionRevision,
    SignOff,
    Addendum,
    Review,
    ConcernResponse,
    SustainCheck
);
