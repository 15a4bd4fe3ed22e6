//! The app core's answer to every request in `onward-api`.

use onward_api::*;
use onward_core::OpError;
use onward_core::document::Doc;
use onward_core::export::ParticipantExport;
use onward_core::model::{Concern, Notes, Plan, Restricted};
use onward_core::time::Timestamp;

/// What the signed-in person may see of one participant's record.
struct Visible {
    plan: Plan,
    notes: Option<Notes>,
    restricted: Option<Restricted>,
    /// Concerns with documents of their own that this person may read.
    concern_docs: Vec<Concern>,
}

impl Visible {
    /// Every concern this person may read: those in documents of their own, and (for cleared
    /// staff) those kept in the Restricted document before, oldest first.
    fn all_concerns(&self) -> Vec<Concern> {
        let mut all: Vec<Concern> = self
            .restricted
            .iter()
            .flat_map(|r| r.concerns.values().cloned())
            .chain(self.concern_docs.iter().cloned())
            .collect();
        all.sort_by_key(|c| (c.raised.at, c.id));
        all
    }
}
use onward_core::ops::{self, concern, notes, plan, restricted};
use onward_core::validate::{Field, Problem};

use crate::{App, Loaded, Origin, access, storage};

fn notes_of(l: &mut Loaded) -> Result<&mut Doc<Notes>, ApiError> {
    l.notes
        .as_mut()
        .ok_or_else(|| OpError::NotFound("session notes").into())
}

fn restricted_of(l: &mut Loaded) -> Result<&mut Doc<Restricted>, ApiError> {
    l.restricted
        .as_mut()
        .ok_or_else(|| OpError::NotFound("restricted record").into())
}

/// Implements a participant command as an operation on one document.
macro_rules! doc_commands {
    ($($req:ty => |$l:ident, $ctx:ident, $input:ident| $body:expr;)+) => {$(
        impl Handle<$req> for App {
            fn handle(&mut self, r: $req) -> Result<<$req as Request>::Response, ApiError> {
                access::check::<$req>(&self.me)?;
                let $input = r.input;
                self.edit(r.participant, |$l, $ctx| Ok($body?))
            }
        }
    )+};
}

doc_commands! {
    UpdateProfile => |l, ctx, i| plan::update_profile(&mut l.plan, ctx, &i);
    AddGoal => |l, ctx, i| plan::add_goal(&mut l.plan, ctx, &i);
    UpdateGoal => |l, ctx, i| plan::update_goal(&mut l.plan, ctx, &i);
    AddStep => |l, ctx, i| plan::add_step(&mut l.plan, ctx, &i);
    TickStep => |l, ctx, i| plan::tick_step(&mut l.plan, ctx, &i);
    ReviewGoal => |l, ctx, i| plan::review_goal(&mut l.plan, ctx, &i);
    SignOffGoal => |l, ctx, i| plan::sign_off_goal(&mut l.plan, ctx, &i);
    PlanAppointment => |l, ctx, i| plan::plan_appointment(&mut l.plan, ctx, &i);
    RecordAppointmentOutcome => |l, ctx, i| plan::record_appointment_outcome(&mut l.plan, ctx, &i);
    CompleteFollowUp => |l, ctx, i| plan::complete_follow_up(&mut l.plan, ctx, &i);
    RecordAchievement => |l, ctx, i| plan::record_achievement(&mut l.plan, ctx, &i);
    RecordProgression => |l, ctx, i| plan::record_progression(&mut l.plan, ctx, &i);
    CheckSustained => |l, ctx, i| plan::check_sustained(&mut l.plan, ctx, &i);
    RecordCheckIn => |l, ctx, i| plan::record_checkin(&mut l.plan, ctx, &i);
    SaveDisclosure => |l, ctx, i| plan::save_disclosure(&mut l.plan, ctx, &i);
    LogSession => |l, ctx, i| {
        let Loaded { plan, notes, .. } = l;
        let notes = notes.as_mut().ok_or(OpError::NotFound("session notes"))?;
        notes::log_session(notes, plan, ctx, &i)
    };
    EditSession => |l, ctx, i| {
        let Loaded { plan, notes, .. } = l;
        let notes = notes.as_mut().ok_or(OpError::NotFound("session notes"))?;
        notes::edit_session(notes, plan, ctx, &i)
    };
    SignOffSession => |l, ctx, i| notes::sign_off_session(notes_of(l)?, ctx, &i).map_err(ApiError::from);
    AddAddendum => |l, ctx, i| notes::add_addendum(notes_of(l)?, ctx, &i).map_err(ApiError::from);
    RecordReferral => |l, ctx, i| restricted::record_referral(restricted_of(l)?, ctx, &i).map_err(ApiError::from);
    RecordConsent => |l, ctx, i| restricted::record_consent(restricted_of(l)?, ctx, &i).map_err(ApiError::from);
    AddKeyContact => |l, ctx, i| restricted::add_key_contact(restricted_of(l)?, ctx, &i).map_err(ApiError::from);
    RespondToConcern => |l, ctx, i| {
        match l.concern_mut(i.concern) {
            Some(doc) => concern::respond_to_concern(doc, ctx, &i),
            // Concerns raised before they had documents of their own.
            None => concern::respond_to_legacy_concern(restricted_of(l)?, ctx, &i),
        }
    };
}

impl Handle<RaiseConcern> for App {
    fn handle(&mut self, r: RaiseConcern) -> Result<onward_core::ids::ConcernId, ApiError> {
        access::check::<RaiseConcern>(&self.me)?;
        // The participant must be held here (anyone who works with them may raise one).
        self.load(r.participant)?;
        let doc = concern::raise_concern(r.participant, &self.ctx(), &r.input)?;
        self.insert_concern(r.participant, doc)
    }
}

impl Handle<CreateParticipant> for App {
    fn handle(
        &mut self,
        r: CreateParticipant,
    ) -> Result<onward_core::ids::ParticipantId, ApiError> {
        access::check::<CreateParticipant>(&self.me)?;
        let docs = ops::create_participant(&self.ctx(), &r.input)?;
        self.insert_new(docs, Origin::Local)
    }
}

impl Handle<WhoAmI> for App {
    fn handle(&mut self, _: WhoAmI) -> Result<Identity, ApiError> {
        Ok(self.me.clone())
    }
}

impl Handle<GetSyncStatus> for App {
    fn handle(&mut self, _: GetSyncStatus) -> Result<SyncStatus, ApiError> {
        self.sync_status()
    }
}

/// The meta key a form's draft is kept under.
fn draft_key(form: &str) -> Result<String, ApiError> {
    Ok(format!("draft:{}", Field::Form.text(form)?))
}

/// The largest draft kept for a form.
const MAX_DRAFT_BYTES: usize = 256 * 1024;

impl Handle<SaveDraft> for App {
    fn handle(&mut self, r: SaveDraft) -> Result<(), ApiError> {
        if r.value.len() > MAX_DRAFT_BYTES {
            return Err(ApiError::field(
                Field::Draft,
                Problem::TooBig {
                    max_bytes: MAX_DRAFT_BYTES,
                },
            ));
        }
        self.store
            .set_meta(&draft_key(&r.form)?, &r.value)
            .map_err(crate::storage)
    }
}

impl Handle<GetDraft> for App {
    fn handle(&mut self, r: GetDraft) -> Result<Option<String>, ApiError> {
        self.store
            .meta(&draft_key(&r.form)?)
            .map_err(crate::storage)
    }
}

impl Handle<ClearDraft> for App {
    fn handle(&mut self, r: ClearDraft) -> Result<(), ApiError> {
        self.store
            .delete_meta(&draft_key(&r.form)?)
            .map_err(crate::storage)
    }
}

impl Handle<SyncNow> for App {
    fn handle(&mut self, _: SyncNow) -> Result<SyncReport, ApiError> {
        access::check::<SyncNow>(&self.me)?;
        self.sync_now()
    }
}

impl Handle<Status> for App {
    fn handle(&mut self, _: Status) -> Result<StoreInfo, ApiError> {
        access::check::<Status>(&self.me)?;
        Ok(StoreInfo {
            participants: self.store.participants().map_err(storage)?.len() as u32,
            bytes_on_disk: self.store.size_on_disk(),
            checked_at: self.now(),
        })
    }
}

impl Handle<Caseload> for App {
    fn handle(&mut self, r: Caseload) -> Result<Vec<onward_core::views::CaseloadRow>, ApiError> {
        access::check::<Caseload>(&self.me)?;
        let search = r
            .search
            .as_deref()
            .map(str::trim)
            .unwrap_or("")
            .to_lowercase();
        // An ASCII search narrows the list in the store first (SQLite lowercases only ASCII;
        // the check below is the one that decides, with Rust's full lowercasing).
        let mut rows = if !search.is_empty() && search.is_ascii() {
            self.store.caseload_containing(self.now(), &search)
        } else {
            self.store.caseload(self.now())
        }
        .map_err(storage)?;
        rows.retain(|c| {
            (search.is_empty() || c.preferred_name.to_lowercase().contains(&search))
                && r.status.is_none_or(|s| c.status == s)
                && r.pathway.is_none_or(|p| c.pathways.contains(&p))
        });
        Ok(rows)
    }
}

impl Handle<Today> for App {
    fn handle(&mut self, r: Today) -> Result<TodayView, ApiError> {
        access::check::<Today>(&self.me)?;
        let day = r.day.unwrap_or_else(|| self.now().london_day());
        let (start, tomorrow, week_end) = (
            day.start_in_london(),
            day.plus_days(1).start_in_london(),
            day.plus_days(7).start_in_london(),
        );
        let s = &self.store;
        Ok(TodayView {
            day,
            appointments_today: s.appointments_between(start, tomorrow).map_err(storage)?,
            appointments_this_week: s
                .appointments_between(tomorrow, week_end)
                .map_err(storage)?,
            goals_due: s.goals_due(day.plus_days(7)).map_err(storage)?,
            follow_ups_due: s.follow_ups_due(day).map_err(storage)?,
            unsigned_sessions: if access::actor(&self.me).sees_notes() {
                s.unsigned_sessions().map_err(storage)?
            } else {
                vec![]
            },
            // Only concerns held here are listed: every concern for cleared staff, a person's
            // own for others.
            open_concerns: s.open_concerns().map_err(storage)?,
        })
    }
}

impl App {
    /// Reads what the signed-in person may see of a participant.
    fn read_visible(&mut self, p: onward_core::ids::ParticipantId) -> Result<Visible, ApiError> {
        let actor = access::actor(&self.me);
        let l = self.load(p)?;
        let plan = l.plan.read().clone();
        let notes = match (&l.notes, actor.sees_notes()) {
            (Some(n), true) => Some(n.read().clone()),
            _ => None,
        };
        let restricted = match (&l.restricted, actor.sees_restricted()) {
            (Some(r), true) => Some(r.read().clone()),
            _ => None,
        };
        let mut concern_docs: Vec<Concern> = l
            .concerns
            .iter()
            .map(|d| d.read().concern.clone())
            .filter(|c| actor.sees_restricted() || c.raised.by == actor.user)
            .collect();
        concern_docs.sort_by_key(|c| (c.raised.at, c.id));
        Ok(Visible {
            plan,
            notes,
            restricted,
            concern_docs,
        })
    }
}

impl Handle<GetParticipant> for App {
    fn handle(&mut self, r: GetParticipant) -> Result<ParticipantView, ApiError> {
        access::check::<GetParticipant>(&self.me)?;
        let visible = self.read_visible(r.participant)?;
        let concerns = visible.all_concerns();
        let Visible {
            plan,
            notes,
            restricted,
            ..
        } = visible;
        let mut summary = self
            .store
            .caseload_row(r.participant, self.now())
            .map_err(storage)?
            .ok_or_else(|| ApiError::from(OpError::NotFound("participant")))?;
        // Counts say something too: show them only to those who may see what they count.
        if notes.is_none() {
            summary.unsigned_sessions = 0;
            summary.last_contact = None;
        }
        summary.open_concerns = concerns
            .iter()
            .filter(|c| c.status != onward_core::vocab::ConcernStatus::Closed)
            .count() as u32;
        Ok(ParticipantView {
            summary,
            plan,
            notes,
            restricted,
            concerns,
        })
    }
}

impl Handle<Export> for App {
    fn handle(&mut self, r: Export) -> Result<ParticipantExport, ApiError> {
        access::check::<Export>(&self.me)?;
        let v = self.read_visible(r.participant)?;
        Ok(ParticipantExport::new(
            v.plan,
            v.notes,
            v.restricted,
            v.concern_docs,
            self.now(),
        ))
    }
}

impl Handle<History> for App {
    fn handle(&mut self, r: History) -> Result<Vec<HistoryItem>, ApiError> {
        access::check::<History>(&self.me)?;
        let actor = access::actor(&self.me);
        let l = self.load(r.participant)?;
        let mut items: Vec<HistoryItem> = l
            .plan
            .history()
            .into_iter()
            .map(|entry| HistoryItem {
                document: onward_core::vocab::DocKind::Plan,
                entry,
            })
            .collect();
        if let (Some(n), true) = (l.notes.as_mut(), actor.sees_notes()) {
            items.extend(n.history().into_iter().map(|entry| HistoryItem {
                document: onward_core::vocab::DocKind::Notes,
                entry,
            }));
        }
        if let (Some(d), true) = (l.restricted.as_mut(), actor.sees_restricted()) {
            items.extend(d.history().into_iter().map(|entry| HistoryItem {
                document: onward_core::vocab::DocKind::Restricted,
                entry,
            }));
        }
        for d in l.concerns.iter_mut() {
            items.extend(d.history().into_iter().map(|entry| HistoryItem {
                document: onward_core::vocab::DocKind::Concern,
                entry,
            }));
        }
        items.sort_by_key(|i| i.entry.at);
        for item in &mut items {
            if let Ok(hash) = item.entry.hash.parse::<automerge::ChangeHash>() {
                item.entry.received = self
                    .store
                    .receipt(&hash.0)
                    .map_err(storage)?
                    .map(Timestamp::from_millis);
            }
        }
        Ok(items)
    }
}

impl Handle<GetNotAccepted> for App {
    fn handle(&mut self, _: GetNotAccepted) -> Result<Vec<NotAcceptedChange>, ApiError> {
        access::check::<GetNotAccepted>(&self.me)?;
        self.not_accepted()
    }
}

impl Handle<ResolveNotAccepted> for App {
    fn handle(&mut self, r: ResolveNotAccepted) -> Result<(), ApiError> {
        access::check::<ResolveNotAccepted>(&self.me)?;
        let now = self.now().millis();
        if !self
            .store
            .resolve_not_accepted(r.id, now)
            .map_err(storage)?
        {
            return Err(OpError::NotFound("change").into());
        }
        self.notify(Vec::new(), crate::Origin::Local);
        Ok(())
    }
}

impl Handle<GetOfficeNotices> for App {
    fn handle(&mut self, _: GetOfficeNotices) -> Result<Vec<OfficeNotice>, ApiError> {
        access::check::<GetOfficeNotices>(&self.me)?;
        self.office_notices()
    }
}

impl Handle<FunderReport> for App {
    fn handle(&mut self, r: FunderReport) -> Result<onward_core::reports::Report, ApiError> {
        access::check::<FunderReport>(&self.me)?;
        self.funder_report(r.from, r.to, r.programme, r.mentor)
    }
}

impl Handle<FunderReportPdf> for App {
    fn handle(&mut self, r: FunderReportPdf) -> Result<ReportPdf, ApiError> {
        access::check::<FunderReportPdf>(&self.me)?;
        let report = self.funder_report(r.from, r.to, r.programme, r.mentor)?;
        use base64::Engine as _;
        Ok(ReportPdf {
            file_name: crate::report_pdf::file_name(&report),
            base64: base64::engine::general_purpose::STANDARD
                .encode(crate::report_pdf::render(&report)),
        })
    }
}

impl App {
    /// A funder report; the caller has checked the person may have one.
    fn funder_report(
        &mut self,
        from: onward_core::time::Day,
        to: onward_core::time::Day,
        programme: Option<String>,
        mentor: Option<onward_core::ids::UserId>,
    ) -> Result<onward_core::reports::Report, ApiError> {
        use onward_core::reports::{ParticipantRecords, Period, ReportQuery, Reporter};
        let query = ReportQuery {
            period: Period::new(from, to)?,
            programme,
            mentor,
        };
        let mut reporter = Reporter::new(&query)?;
        // One participant at a time: those already in memory as they are, the rest read from
        // the store and let go once counted, so a report never holds the whole organisation.
        for p in self.store.participants().map_err(storage)? {
            let read;
            let l = match self.loaded.get(&p) {
                Some(l) => l,
                None => match self.read_participant(p) {
                    Ok(l) => {
                        read = l;
                        &read
                    }
                    // Only a concern of theirs is held here: nothing a report counts.
                    Err(e) if e.kind == ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                },
            };
            reporter.add(ParticipantRecords {
                plan: l.plan.read(),
                notes: l.notes.as_ref().map(|d| d.read()),
                restricted: l.restricted.as_ref().map(|d| d.read()),
            });
        }
        Ok(reporter.finish())
    }
}

impl Handle<GetOverview> for App {
    fn handle(&mut self, _: GetOverview) -> Result<onward_core::overview::Overview, ApiError> {
        access::check::<GetOverview>(&self.me)?;
        let mut o = self.store.overview(self.now()).map_err(storage)?;
        if self.store.has_directory().map_err(storage)? {
            o.waiting_for_mentor = Some(self.store.unassigned_count().map_err(storage)?);
        }
        Ok(o)
    }
}

/// Puts each row's participant's name beside it.
fn named<T>(
    names: &std::collections::HashMap<onward_core::ids::ParticipantId, String>,
    rows: Vec<T>,
    participant: fn(&T) -> onward_core::ids::ParticipantId,
) -> Vec<Named<T>> {
    rows.into_iter()
        .map(|row| Named {
            name: names.get(&participant(&row)).cloned().unwrap_or_default(),
            row,
        })
        .collect()
}

impl Handle<OverviewList> for App {
    fn handle(&mut self, r: OverviewList) -> Result<OverviewRows, ApiError> {
        use onward_core::overview::Days;
        use onward_core::vocab::OverviewFigure;
        access::check::<OverviewList>(&self.me)?;
        let today = self.now().london_day();
        let s = &self.store;
        let names = s.names().map_err(storage)?;
        Ok(match r.figure {
            OverviewFigure::WaitingForMentor => {
                let waiting: std::collections::HashSet<_> =
                    s.unassigned().map_err(storage)?.into_iter().collect();
                let mut rows = s.caseload(self.now()).map_err(storage)?;
                rows.retain(|c| waiting.contains(&c.participant));
                rows.truncate(OVERVIEW_LIST_LIMIT as usize);
                OverviewRows::Participants(rows)
            }
            OverviewFigure::ReviewsOverdue => OverviewRows::Goals(named(
                &names,
                s.reviews_overdue(today, OVERVIEW_LIST_LIMIT)
                    .map_err(storage)?,
                |g| g.participant,
            )),
            OverviewFigure::AppointmentsThisWeek => {
                let week = Days::week_of(today);
                OverviewRows::Appointments(named(
                    &names,
                    s.appointments_happening(week.start(), week.end(), OVERVIEW_LIST_LIMIT)
                        .map_err(storage)?,
                    |a| a.participant,
                ))
            }
            OverviewFigure::SessionsThisMonth => {
                let month = Days::month_of(today);
                OverviewRows::Sessions(named(
                    &names,
                    s.sessions_between(month.start(), month.end(), OVERVIEW_LIST_LIMIT)
                        .map_err(storage)?,
                    |x| x.participant,
                ))
            }
        })
    }
}

impl Handle<GetStaff> for App {
    fn handle(&mut self, _: GetStaff) -> Result<Vec<onward_core::overview::StaffMember>, ApiError> {
        access::check::<GetStaff>(&self.me)?;
        self.staff()
    }
}

impl Handle<AssignMentor> for App {
    fn handle(&mut self, r: AssignMentor) -> Result<onward_core::ids::CommandId, ApiError> {
        access::check::<AssignMentor>(&self.me)?;
        self.order(r.participant, r.mentor, true)
    }
}

impl Handle<UnassignMentor> for App {
    fn handle(&mut self, r: UnassignMentor) -> Result<onward_core::ids::CommandId, ApiError> {
        access::check::<UnassignMentor>(&self.me)?;
        self.order(r.participant, r.mentor, false)
    }
}

impl Handle<ParticipantMentors> for App {
    fn handle(&mut self, r: ParticipantMentors) -> Result<ParticipantMentorsView, ApiError> {
        access::check::<ParticipantMentors>(&self.me)?;
        let assigned = self.store.assigned_to(r.participant).map_err(storage)?;
        let known = self.store.has_directory().map_err(storage)?;
        Ok(ParticipantMentorsView {
            assigned: self
                .staff()?
                .into_iter()
                .filter(|m| assigned.contains(&m.user))
                .collect(),
            known,
            orders: self.orders(Some(r.participant))?,
        })
    }
}

impl Handle<IssueEnrolmentCode> for App {
    fn handle(&mut self, r: IssueEnrolmentCode) -> Result<onward_core::ids::CommandId, ApiError> {
        access::check::<IssueEnrolmentCode>(&self.me)?;
        self.queue(
            onward_sync::message::Order::IssueCode { user: r.user },
            vec![],
        )
    }
}

impl Handle<RevokeDevice> for App {
    fn handle(&mut self, r: RevokeDevice) -> Result<onward_core::ids::CommandId, ApiError> {
        access::check::<RevokeDevice>(&self.me)?;
        self.queue(
            onward_sync::message::Order::RevokeDevice { device: r.device },
            vec![],
        )
    }
}

impl Handle<SetAccountEnabled> for App {
    fn handle(&mut self, r: SetAccountEnabled) -> Result<onward_core::ids::CommandId, ApiError> {
        access::check::<SetAccountEnabled>(&self.me)?;
        if r.user == self.me.user && !r.enabled {
            return Err(ApiError::from(onward_core::policy::Refused::OwnAccount));
        }
        self.queue(
            onward_sync::message::Order::SetEnabled {
                user: r.user,
                enabled: r.enabled,
            },
            vec![],
        )
    }
}

impl Handle<GetOfficeOrders> for App {
    fn handle(&mut self, _: GetOfficeOrders) -> Result<Vec<OfficeOrder>, ApiError> {
        access::check::<GetOfficeOrders>(&self.me)?;
        self.orders(None)
    }
}

impl Handle<ConcernInbox> for App {
    fn handle(&mut self, _: ConcernInbox) -> Result<Vec<InboxConcern>, ApiError> {
        access::check::<ConcernInbox>(&self.me)?;
        let now = self.now();
        let names = self.store.names().map_err(storage)?;
        let mut rows = self.store.open_concerns().map_err(storage)?;
        onward_core::overview::inbox_order(&mut rows);
        Ok(rows
            .into_iter()
            .map(|c| InboxConcern {
                name: names.get(&c.participant).cloned().unwrap_or_default(),
                age_days: onward_core::overview::age_in_days(c.raised_at, now),
                raised_by_me: c.raised_by == self.me.user,
                concern: c,
            })
            .collect())
    }
}

impl App {
    /// The staff directory the office last sent, by name.
    fn staff(&self) -> Result<Vec<onward_core::overview::StaffMember>, ApiError> {
        let mut staff: Vec<onward_core::overview::StaffMember> = self
            .store
            .staff()
            .map_err(storage)?
            .iter()
            .filter_map(|j| serde_json::from_str(j).ok())
            .collect();
        staff.sort_by(|a, b| {
            (a.display_name.to_lowercase(), a.user).cmp(&(b.display_name.to_lowercase(), b.user))
        });
        Ok(staff)
    }

    /// Queues an order for the office about a participant held here; the office decides at
    /// the next sync.
    fn order(
        &mut self,
        participant: onward_core::ids::ParticipantId,
        mentor: onward_core::ids::UserId,
        assign: bool,
    ) -> Result<onward_core::ids::CommandId, ApiError> {
        use onward_sync::message::Order;
        // The record must be here (a participant made offline is sent before the order).
        self.load(participant)?;
        // What the office would refuse for certain is refused here too, to save a round trip.
        if assign && let Some(m) = self.staff()?.into_iter().find(|m| m.user == mentor) {
            use onward_core::policy::Refused;
            let why = if !onward_core::policy::has_caseload(m.role) {
                Some(Refused::NotAMentor)
            } else if !m.enabled {
                Some(Refused::AccountOff)
            } else {
                None
            };
            if let Some(why) = why {
                return Err(ApiError::from(why));
            }
        }
        let order = if assign {
            Order::Assign {
                participant,
                mentor,
            }
        } else {
            Order::Unassign {
                participant,
                mentor,
            }
        };
        self.queue(order, vec![participant])
    }

    /// Queues any order for the office, sent at the next sync.
    fn queue(
        &mut self,
        order: onward_sync::message::Order,
        participants: Vec<onward_core::ids::ParticipantId>,
    ) -> Result<onward_core::ids::CommandId, ApiError> {
        let id = onward_core::ids::CommandId::new();
        let body = serde_json::to_string(&order)
            .map_err(|e| ApiError::new(ErrorKind::Storage, e.to_string()))?;
        self.store
            .queue_command(&id.to_string(), &body, self.now().millis())
            .map_err(storage)?;
        self.notify(participants, Origin::Local);
        Ok(id)
    }

    /// Orders made here, newest first (`only` for one participant's).
    fn orders(
        &self,
        only: Option<onward_core::ids::ParticipantId>,
    ) -> Result<Vec<OfficeOrder>, ApiError> {
        use onward_sync::message::Order;
        let names: std::collections::HashMap<_, _> = self
            .staff()?
            .into_iter()
            .map(|m| (m.user, m.display_name))
            .collect();
        let mut out = Vec::new();
        for c in self.store.commands(200).map_err(storage)? {
            let (Ok(id), Ok(order)) = (c.id.parse(), serde_json::from_str::<Order>(&c.body)) else {
                continue;
            };
            let (kind, participant, person, device) = match order {
                Order::Assign {
                    participant,
                    mentor,
                } => (OrderKind::Assign, Some(participant), Some(mentor), None),
                Order::Unassign {
                    participant,
                    mentor,
                } => (OrderKind::Unassign, Some(participant), Some(mentor), None),
                Order::IssueCode { user } => (OrderKind::IssueCode, None, Some(user), None),
                Order::RevokeDevice { device } => {
                    (OrderKind::RevokeDevice, None, None, Some(device))
                }
                Order::SetEnabled { user, enabled } => (
                    if enabled {
                        OrderKind::TurnOn
                    } else {
                        OrderKind::TurnOff
                    },
                    None,
                    Some(user),
                    None,
                ),
            };
            if only.is_some() && participant != only {
                continue;
            }
            out.push(OfficeOrder {
                id,
                kind,
                participant,
                person,
                person_name: person.and_then(|p| names.get(&p).cloned()),
                device,
                made_at: Timestamp::from_millis(c.created_at),
                answered_at: c.answered_at.map(Timestamp::from_millis),
                refused: c.refused.and_then(|j| serde_json::from_str(&j).ok()),
                code: c.code,
            });
        }
        Ok(out)
    }

    /// Runs a request given by wire name and JSON (the shells' entry point).
    pub fn dispatch(
        &mut self,
        name: &str,
        args: serde_json::Value,
    ) -> Result<serde_json::Value, ApiError> {
        onward_api::dispatch(self, name, args)
    }
}

impl Handle<ImportParticipants> for App {
    fn handle(&mut self, r: ImportParticipants) -> Result<ImportReport, ApiError> {
        access::check::<ImportParticipants>(&self.me)?;
        let ctx = self.ctx();
        match crate::import::prepare(&r.csv, &access::actor(&self.me), &ctx)? {
            Err(rows) => Ok(crate::import::refused(rows)),
            Ok(p) => {
                let (rows, docs): (Vec<u64>, Vec<_>) = p.made.into_iter().unzip();
                let ids = self.insert_many_local(docs)?;
                Ok(crate::import::imported(
                    rows.into_iter().zip(ids).collect(),
                    p.goals,
                    p.appointments,
                ))
            }
        }
    }
}

impl Handle<ExportCalendar> for App {
    fn handle(&mut self, r: ExportCalendar) -> Result<CalendarFile, ApiError> {
        access::check::<ExportCalendar>(&self.me)?;
        self.calendar(&r)
    }
}
