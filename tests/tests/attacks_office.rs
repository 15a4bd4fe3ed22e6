//! Attacks on coordinators' orders for the office (assign and unassign a mentor) and on the
//! staff directory, by someone who did not write them: a modified client built from the real
//! crates sends raw `SyncRequest`s with real device tokens to the real server.
//!
//! Every attack is a row of a table: who sends it, the order, and the answer written here by
//! hand from DESIGN.md and PROTOCOL.md ("Orders for the office"), never computed from
//! `policy` or the server's office code. For each row the test also checks that nothing
//! changed: no assignment in either organisation, the same log head and scope generation, no
//! new admin-log line. The honest path (a coordinator's own device, through the app core) is
//! checked to work, so the refusals are not the server refusing everything.
//!
//! Each test collects every row before failing, so the "nothing changed" checks of the other
//! rows still run.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::sync::Arc;

use onward_api::*;
use onward_app::{App, Credentials, HttpTransport, StoreKey};
use onward_core::ids::*;
use onward_core::input::*;
use onward_core::policy::Refused;
use onward_core::vocab::*;
use onward_server::TestServer;
use onward_server::admin::{self, NewUser};
use onward_server::storage::sqlite::Sqlite;
use onward_server::storage::{AdminEntry, Organisation, Storage, User};
use onward_sync::client::MAX_COMMANDS;
use onward_sync::codec;
use onward_sync::message::{
    ClientMessage, Command, CommandAnswer, Directory, ErrorCode, Order, ServerMessage, SyncRequest,
    SyncResponse,
};
use onward_sync::scope::Scope;

// ---------------------------------------------------------------------------------------------
// The world: the real server on a loopback port, SQLite in a temp dir, two organisations, and
// tablets enrolled with real codes.

struct World {
    dir: tempfile::TempDir,
    storage: Arc<Sqlite>,
    server: TestServer,
    org: Organisation,
    other: Organisation,
}

/// Someone with an enrolled tablet: the honest app core, and the device token a modified
/// client on the same tablet would send.
struct Person {
    user: User,
    app: App,
    token: String,
}

impl Person {
    fn id(&self) -> UserId {
        self.user.id
    }
}

/// What the office holds that an order could change: every watched participant's mentors,
/// both organisations' log head and scope generation, and the whole admin log.
#[derive(Debug, PartialEq)]
struct Office {
    assignments: Vec<(ParticipantId, Vec<UserId>)>,
    positions: Vec<(u64, u64)>,
    log: Vec<AdminEntry>,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(Sqlite::open(&dir.path().join("server.db")).unwrap());
    let org = storage.create_org("Office Attack Charity", 0).unwrap();
    let other = storage.create_org("Other Charity", 0).unwrap();
    let server = TestServer::start(storage.clone(), None).unwrap();
    World {
        dir,
        storage,
        server,
        org,
        other,
    }
}

impl World {
    fn user_in(&self, org: &Organisation, role: Role, name: &str) -> User {
        self.new_user(
            org,
            NewUser {
                role: Some(role),
                display_name: name.into(),
                cleared: true,
                ..NewUser::default()
            },
        )
    }

    fn new_user(&self, org: &Organisation, new: NewUser) -> User {
        admin::add_user(&*self.storage, org, new).unwrap()
    }

    fn enrol(&self, user: &User) -> Person {
        let code = admin::issue_code(&*self.storage, user.id, 1).unwrap();
        let app = App::enrol(
            &self.dir.path().join(DeviceId::new().to_string()),
            &StoreKey::from_bytes([5; 32]),
            &self.server.url(),
            Credentials::Code(code),
            "Office attack tablet",
            &mut HttpTransport::new(&self.server.url()).unwrap(),
        )
        .unwrap();
        Person {
            token: app.store().meta("sync.token").unwrap().unwrap(),
            user: user.clone(),
            app,
        }
    }

    fn person(&self, role: Role, name: &str) -> Person {
        self.enrol(&self.user_in(&self.org, role, name))
    }

    fn office(&self, watched: &[ParticipantId]) -> Office {
        Office {
            assignments: watched
                .iter()
                .map(|p| {
                    let mut ms = self.storage.assignments(*p).unwrap();
                    ms.sort();
                    (*p, ms)
                })
                .collect(),
            positions: [self.org.id, self.other.id]
                .iter()
                .map(|o| self.storage.position(*o).unwrap())
                .collect(),
            log: self.storage.admin_log(None, 10_000).unwrap(),
        }
    }

    /// One raw POST to `/v1/sync`: the HTTP status and the body, as the wire carried them.
    fn post(&self, frame: &[u8]) -> (u16, Vec<u8>) {
        post_to(&self.server.url(), frame)
    }

    /// Sends a sync request; the HTTP status, the decoded answer and the raw body.
    fn send_raw(&self, req: SyncRequest) -> (u16, ServerMessage, Vec<u8>) {
        let (status, body) = self.post(&codec::encode(&ClientMessage::Sync(req)));
        let msg: ServerMessage = codec::decode(&body).unwrap();
        (status, msg, body)
    }

    /// A sync round from `token` carrying `commands` (and a directory digest), which the
    /// server must answer.
    fn send(
        &self,
        token: &str,
        commands: Vec<Command>,
        directory: Option<[u8; 32]>,
    ) -> SyncResponse {
        match self.send_raw(request(token, commands, directory)) {
            (200, ServerMessage::Synced(resp), _) => resp,
            (status, other, _) => panic!("HTTP {status}: {other:?}"),
        }
    }

    /// Sends one order from `token` and returns its answer, checking the answer is for it.
    fn order(&self, token: &str, command: &Command) -> Option<Refused> {
        let resp = self.send(token, vec![command.clone()], Some([0; 32]));
        assert_eq!(resp.answers.len(), 1, "{:?}", resp.answers);
        assert_eq!(resp.answers[0].id, command.id);
        resp.answers[0].refused.clone()
    }
}

/// One raw POST to `/v1/sync` at `url`: the HTTP status and the body, as the wire carried them.
fn post_to(url: &str, frame: &[u8]) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    write!(
        s,
        "POST /v1/sync HTTP/1.1\r\nHost: onward\r\nContent-Type: application/x-onward-sync\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        frame.len()
    )
    .unwrap();
    s.write_all(frame).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&out[..split]).to_string();
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{head}"
    );
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, out[split + 4..].to_vec())
}

/// One order sent from `token` to the server at `url`: its answer.
fn order_to(url: &str, token: &str, command: &Command) -> Option<Refused> {
    let frame = codec::encode(&ClientMessage::Sync(request(
        token,
        vec![command.clone()],
        None,
    )));
    let (status, body) = post_to(url, &frame);
    match codec::decode::<ServerMessage>(&body).unwrap() {
        ServerMessage::Synced(resp) if status == 200 => {
            assert_eq!(resp.answers.len(), 1);
            assert_eq!(resp.answers[0].id, command.id);
            resp.answers[0].refused.clone()
        }
        other => panic!("HTTP {status}: {other:?}"),
    }
}

fn request(token: &str, commands: Vec<Command>, directory: Option<[u8; 32]>) -> SyncRequest {
    SyncRequest {
        token: token.to_string(),
        cursor: 0,
        scope_seq: 0,
        scope_digest: Scope::default().digest(),
        push: vec![],
        want: vec![],
        notices_after: 0,
        commands,
        directory,
    }
}

fn assign(participant: ParticipantId, mentor: UserId) -> Command {
    Command {
        id: CommandId::new(),
        order: Order::Assign {
            participant,
            mentor,
        },
    }
}

fn unassign(participant: ParticipantId, mentor: UserId) -> Command {
    Command {
        id: CommandId::new(),
        order: Order::Unassign {
            participant,
            mentor,
        },
    }
}

fn participant(app: &mut App, name: &str) -> ParticipantId {
    app.handle(CreateParticipant {
        input: NewParticipant {
            preferred_name: name.into(),
            programme: "Next Steps".into(),
            pathways: vec![Pathway::Employment],
        },
    })
    .unwrap()
}

fn caseload(app: &mut App) -> Vec<ParticipantId> {
    let mut ids: Vec<_> = app
        .handle(Caseload::default())
        .unwrap()
        .into_iter()
        .map(|r| r.participant)
        .collect();
    ids.sort();
    ids
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

/// A row's outcome as words, for a readable table of mismatches.
fn words(answer: &Option<Refused>) -> &'static str {
    answer.as_ref().map_or("done", Refused::code)
}

/// The cast most tests share: in this organisation a coordinator, a second coordinator, a
/// mentor, a peer mentor, a mentor whose account is off, and two participants (one on the
/// mentor's caseload, one waiting for a mentor) with the first one's own sign-in; in the other
/// organisation a coordinator, a mentor and their participant.
struct Cast {
    w: World,
    coordinator: Person,
    second_coordinator: Person,
    mentor: Person,
    peer: Person,
    off: User,
    own_sign_in: Person,
    /// On the mentor's caseload.
    assigned: ParticipantId,
    /// Waiting for a mentor.
    waiting: ParticipantId,
    their_coordinator: Person,
    their_mentor: Person,
    theirs: ParticipantId,
}

impl Cast {
    fn watched(&self) -> Vec<ParticipantId> {
        vec![self.assigned, self.waiting, self.theirs]
    }

    fn office(&self) -> Office {
        self.w.office(&self.watched())
    }
}

fn cast() -> Cast {
    let w = world();
    let mut coordinator = w.person(Role::Coordinator, "Coordinator One");
    let second_coordinator = w.person(Role::Coordinator, "Coordinator Two");
    let mut mentor = w.person(Role::Mentor, "Mentor One");
    let peer = w.person(Role::PeerMentor, "Peer Mentor One");
    let off = w.user_in(&w.org, Role::Mentor, "Mentor Off");
    admin::disable_user(&*w.storage, off.id).unwrap();

    let assigned = participant(&mut coordinator.app, "Synthetic Ash");
    let waiting = participant(&mut coordinator.app, "Synthetic Birch");
    coordinator.app.sync_now().unwrap();
    w.storage
        .set_assignment(assigned, mentor.id(), true)
        .unwrap();
    mentor.app.sync_now().unwrap();
    assert_eq!(caseload(&mut mentor.app), vec![assigned]);
    let own = w.new_user(
        &w.org,
        NewUser {
            role: Some(Role::Participant),
            display_name: "Synthetic Ash's own sign-in".into(),
            participant: Some(assigned),
            ..NewUser::default()
        },
    );
    let mut own_sign_in = w.enrol(&own);
    own_sign_in.app.sync_now().unwrap();

    let their_coordinator = w.enrol(&w.user_in(&w.other, Role::Coordinator, "Elsewhere Coord"));
    let mut their_mentor = w.enrol(&w.user_in(&w.other, Role::Mentor, "Elsewhere Mentor"));
    let theirs = participant(&mut their_mentor.app, "Synthetic Cedar");
    their_mentor.app.sync_now().unwrap();
    assert_eq!(
        w.storage.assignments(theirs).unwrap(),
        vec![their_mentor.id()]
    );

    Cast {
        w,
        coordinator,
        second_coordinator,
        mentor,
        peer,
        off,
        own_sign_in,
        assigned,
        waiting,
        their_coordinator,
        their_mentor,
        theirs,
    }
}

/// Runs every row (sender's token, label, order, expected answer), checking for each that
/// the answer is for the order, that nothing changed at the office, and that no directory
/// came back unless `directory_for` says the sender is a coordinator. Returns the rows whose
/// answer differed from the table, so every row runs before a test fails.
fn run_table(c: &Cast, table: &[(&Person, &str, Command, Option<Refused>)]) -> Vec<String> {
    let mut wrong = Vec::new();
    for (who, label, command, expected) in table {
        let before = c.office();
        let resp = c.w.send(&who.token, vec![command.clone()], Some([0; 32]));
        assert_eq!(resp.answers.len(), 1, "{label}: {:?}", resp.answers);
        assert_eq!(resp.answers[0].id, command.id, "{label}");
        let got = &resp.answers[0].refused;
        assert!(got.is_some(), "{label}: carried out");
        assert_eq!(
            c.office(),
            before,
            "{label}: refused, yet the office changed"
        );
        if who.user.role != Role::Coordinator {
            assert!(
                resp.directory.is_none(),
                "{label}: a non-coordinator got the directory"
            );
        }
        if got != expected {
            wrong.push(format!(
                "{label}: expected {}, the server answered {}",
                words(expected),
                words(got)
            ));
        }
    }
    wrong
}

// =============================================================================================
// 1. Orders from anyone but a coordinator of the organisation.

#[test]
fn orders_from_mentors_peer_mentors_and_participants_are_refused_and_change_nothing() {
    let c = cast();
    let (m, pm, own) = (&c.mentor, &c.peer, &c.own_sign_in);
    let table: Vec<(&Person, &str, Command, Option<Refused>)> = vec![
        (
            m,
            "mentor takes a waiting participant",
            assign(c.waiting, m.id()),
            Some(Refused::CoordinatorOnly),
        ),
        (
            m,
            "mentor gives their participant to a peer mentor",
            assign(c.assigned, pm.id()),
            Some(Refused::CoordinatorOnly),
        ),
        (
            m,
            "mentor drops their own participant",
            unassign(c.assigned, m.id()),
            Some(Refused::CoordinatorOnly),
        ),
        (
            pm,
            "peer mentor takes a waiting participant",
            assign(c.waiting, pm.id()),
            Some(Refused::CoordinatorOnly),
        ),
        (
            pm,
            "peer mentor takes the mentor's participant",
            assign(c.assigned, pm.id()),
            Some(Refused::CoordinatorOnly),
        ),
        (
            pm,
            "peer mentor removes the mentor",
            unassign(c.assigned, m.id()),
            Some(Refused::CoordinatorOnly),
        ),
        (
            pm,
            "peer mentor orders about another organisation",
            assign(c.theirs, pm.id()),
            Some(Refused::CoordinatorOnly),
        ),
        // A participant signed in is refused as every participant is refused the office's
        // business (`handed_over`: the rules do not tell a handed-over tablet from a
        // participant's own sign-in); nothing is changed either way.
        (
            own,
            "participant's own sign-in removes their mentor",
            unassign(c.assigned, m.id()),
            Some(Refused::HandedOver),
        ),
        (
            own,
            "participant's own sign-in picks a peer mentor",
            assign(c.assigned, pm.id()),
            Some(Refused::HandedOver),
        ),
        (
            own,
            "participant's own sign-in assigns themselves",
            assign(c.assigned, own.id()),
            Some(Refused::HandedOver),
        ),
    ];
    let before = c.office();
    let wrong = run_table(&c, &table);
    assert_eq!(c.office(), before);
    assert_eq!(
        c.w.storage.assignments(c.assigned).unwrap(),
        vec![c.mentor.id()]
    );
    assert!(c.w.storage.assignments(c.waiting).unwrap().is_empty());

    // The honest path: the coordinator's own order for the same is carried out.
    assert_eq!(
        c.w.order(&c.coordinator.token, &assign(c.waiting, pm.id())),
        None
    );
    assert_eq!(c.w.storage.assignments(c.waiting).unwrap(), vec![pm.id()]);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

// =============================================================================================
// 2. A revoked tablet and a coordinator whose account is off.

#[test]
fn orders_from_a_revoked_tablet_or_a_disabled_coordinator_are_refused_whole() {
    let c = cast();
    let stolen = c.w.enrol(&c.coordinator.user);
    let device = stolen.app.identity().device;
    assert!(
        c.w.storage
            .revoke_device(device, onward_core::time::Timestamp::now().millis())
            .unwrap()
    );
    let mut leaving = c.w.person(Role::Coordinator, "Coordinator Leaving");
    leaving.app.sync_now().unwrap();
    admin::disable_user(&*c.w.storage, leaving.id()).unwrap();

    let from_stolen = vec![
        assign(c.waiting, c.mentor.id()),
        unassign(c.assigned, c.mentor.id()),
    ];
    let from_leaving = vec![
        assign(c.waiting, c.peer.id()),
        unassign(c.assigned, c.mentor.id()),
    ];
    // Sender, orders, expected HTTP status and error code, written by hand.
    let table: Vec<(&str, &str, &[Command], u16, ErrorCode)> = vec![
        (
            "revoked tablet",
            stolen.token.as_str(),
            from_stolen.as_slice(),
            403,
            ErrorCode::Revoked,
        ),
        (
            "disabled coordinator",
            leaving.token.as_str(),
            from_leaving.as_slice(),
            403,
            ErrorCode::Revoked,
        ),
    ];
    for (label, token, commands, status, code) in &table {
        let before = c.office();
        let (got_status, msg, _) =
            c.w.send_raw(request(token, commands.to_vec(), Some([0; 32])));
        match msg {
            ServerMessage::Error(e) => {
                assert_eq!((got_status, e.code), (*status, *code), "{label}")
            }
            other => panic!("{label}: answered {other:?}"),
        }
        assert_eq!(
            c.office(),
            before,
            "{label}: refused, yet the office changed"
        );
    }

    // Nothing was remembered either: the ids are fresh to the office, so the honest
    // coordinator's tablet sending the same orders has them carried out.
    let honest = c.w.send(&c.coordinator.token, from_stolen.clone(), None);
    let done: Vec<CommandAnswer> = from_stolen
        .iter()
        .map(|o| CommandAnswer {
            id: o.id,
            refused: None,
            code: None,
        })
        .collect();
    assert_eq!(honest.answers, done);
    assert_eq!(
        c.w.storage.assignments(c.waiting).unwrap(),
        vec![c.mentor.id()]
    );
    assert!(c.w.storage.assignments(c.assigned).unwrap().is_empty());
    let second =
        c.w.send(&c.second_coordinator.token, from_leaving.clone(), None);
    assert!(
        second.answers.iter().all(|a| a.refused.is_none()),
        "{:?}",
        second.answers
    );
    assert_eq!(
        sorted(c.w.storage.assignments(c.waiting).unwrap()),
        sorted(vec![c.mentor.id(), c.peer.id()])
    );
}

// =============================================================================================
// 3 and 4. A coordinator's orders about participants and people not theirs to order about.

#[test]
fn a_coordinators_orders_about_other_participants_and_people_are_refused() {
    let c = cast();
    let (co, them) = (&c.coordinator, &c.their_coordinator);
    let mentor_as_participant: ParticipantId = c.mentor.id().to_string().parse().unwrap();
    let table: Vec<(&Person, &str, Command, Option<Refused>)> = vec![
        // 3. Participants.
        (
            co,
            "assign another organisation's participant",
            assign(c.theirs, c.mentor.id()),
            Some(Refused::UnknownParticipant),
        ),
        (
            co,
            "unassign another organisation's participant from their mentor",
            unassign(c.theirs, c.their_mentor.id()),
            Some(Refused::UnknownParticipant),
        ),
        (
            co,
            "assign another organisation's participant to their own mentor",
            assign(c.theirs, c.their_mentor.id()),
            Some(Refused::UnknownParticipant),
        ),
        (
            co,
            "assign a participant id no one has",
            assign(ParticipantId::new(), c.mentor.id()),
            Some(Refused::UnknownParticipant),
        ),
        (
            co,
            "assign a mentor's user id used as a participant id",
            assign(mentor_as_participant, c.mentor.id()),
            Some(Refused::UnknownParticipant),
        ),
        (
            them,
            "other organisation's coordinator assigns our participant",
            assign(c.waiting, c.their_mentor.id()),
            Some(Refused::UnknownParticipant),
        ),
        (
            them,
            "other organisation's coordinator removes our mentor",
            unassign(c.assigned, c.mentor.id()),
            Some(Refused::UnknownParticipant),
        ),
        // 4. People.
        (
            co,
            "assign to another organisation's mentor",
            assign(c.waiting, c.their_mentor.id()),
            Some(Refused::UnknownPerson),
        ),
        (
            co,
            "assign to a user id no one has",
            assign(c.waiting, UserId::new()),
            Some(Refused::UnknownPerson),
        ),
        (
            co,
            "assign to a participant's own sign-in",
            assign(c.waiting, c.own_sign_in.id()),
            Some(Refused::UnknownPerson),
        ),
        (
            co,
            "assign a participant to their own sign-in",
            assign(c.assigned, c.own_sign_in.id()),
            Some(Refused::UnknownPerson),
        ),
        (
            co,
            "unassign another organisation's mentor",
            unassign(c.assigned, c.their_mentor.id()),
            Some(Refused::UnknownPerson),
        ),
        (
            co,
            "unassign a user id no one has",
            unassign(c.assigned, UserId::new()),
            Some(Refused::UnknownPerson),
        ),
        (
            co,
            "assign to the other coordinator",
            assign(c.waiting, c.second_coordinator.id()),
            Some(Refused::NotAMentor),
        ),
        (
            co,
            "coordinator assigns to themselves",
            assign(c.waiting, co.id()),
            Some(Refused::NotAMentor),
        ),
        (
            co,
            "assign to a mentor whose account is off",
            assign(c.waiting, c.off.id),
            Some(Refused::AccountOff),
        ),
    ];
    let wrong = run_table(&c, &table);
    assert_eq!(
        c.w.storage.assignments(c.theirs).unwrap(),
        vec![c.their_mentor.id()]
    );

    // The honest path: the same coordinator's order about their own participant and mentor.
    assert_eq!(
        c.w.order(&co.token, &assign(c.waiting, c.mentor.id())),
        None
    );
    assert_eq!(
        c.w.storage.assignments(c.waiting).unwrap(),
        vec![c.mentor.id()]
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

// =============================================================================================
// 5. Replays.

#[test]
fn a_repeated_order_gets_its_first_answer_and_is_not_carried_out_again() {
    let c = cast();
    let (co, m, pm) = (&c.coordinator, c.mentor.id(), c.peer.id());

    // An order carried out once.
    let first = assign(c.waiting, m);
    assert_eq!(c.w.order(&co.token, &first), None);
    assert_eq!(c.w.storage.assignments(c.waiting).unwrap(), vec![m]);
    // An order refused once.
    let refused = assign(c.waiting, c.second_coordinator.id());
    assert_eq!(c.w.order(&co.token, &refused), Some(Refused::NotAMentor));

    let with = |id: CommandId, order: Order| Command { id, order };
    let undo = Order::Unassign {
        participant: c.waiting,
        mentor: m,
    };
    let to_peer = Order::Assign {
        participant: c.waiting,
        mentor: pm,
    };
    // Sender, label, the command (a used id, perhaps with new content), the answer by hand.
    let table: Vec<(&Person, &str, Command, Option<Refused>)> = vec![
        (co, "same order again", first.clone(), None),
        (
            co,
            "same id, now an unassign",
            with(first.id, undo.clone()),
            None,
        ),
        (
            co,
            "same id, now to the peer mentor",
            with(first.id, to_peer.clone()),
            None,
        ),
        (
            co,
            "refused id, now a valid order",
            with(refused.id, to_peer.clone()),
            Some(Refused::NotAMentor),
        ),
        (
            &c.second_coordinator,
            "another coordinator reuses the id",
            with(first.id, undo.clone()),
            Some(Refused::AlreadyExists),
        ),
        (
            &c.second_coordinator,
            "another coordinator reuses the refused id",
            with(refused.id, to_peer.clone()),
            Some(Refused::AlreadyExists),
        ),
        (
            &c.mentor,
            "a mentor reuses the id",
            with(first.id, undo.clone()),
            Some(Refused::AlreadyExists),
        ),
        (
            &c.their_coordinator,
            "another organisation's coordinator reuses the id",
            with(first.id, undo.clone()),
            Some(Refused::AlreadyExists),
        ),
    ];
    let mut wrong = Vec::new();
    for (who, label, command, expected) in &table {
        let before = c.office();
        let got = c.w.order(&who.token, command);
        assert_eq!(c.office(), before, "{label}: a repeat changed the office");
        if &got != expected {
            wrong.push(format!(
                "{label}: expected {}, the server answered {}",
                words(expected),
                words(&got)
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(c.w.storage.assignments(c.waiting).unwrap(), vec![m]);

    // The same id twice in one message: both answered as the first, carried out once.
    let twice = assign(c.waiting, pm);
    let before = c.office();
    let resp = c.w.send(
        &co.token,
        vec![twice.clone(), with(twice.id, undo.clone()), twice.clone()],
        None,
    );
    let expected: Vec<CommandAnswer> = (0..3)
        .map(|_| CommandAnswer {
            id: twice.id,
            refused: None,
            code: None,
        })
        .collect();
    assert_eq!(resp.answers, expected);
    assert_eq!(
        sorted(c.w.storage.assignments(c.waiting).unwrap()),
        sorted(vec![m, pm])
    );
    let after = c.office();
    assert_eq!(
        after.log.len(),
        before.log.len() + 1,
        "carried out more than once"
    );
    assert_eq!(after.positions[0].1, before.positions[0].1 + 1);

    // The same new order from eight connections at once: carried out once.
    let raced = unassign(c.waiting, pm);
    let before = c.office();
    let (url, token) = (c.w.server.url(), co.token.clone());
    let answers: Vec<Option<Refused>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| order_to(&url, &token, &raced)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(answers, vec![None; 8]);
    assert_eq!(c.w.storage.assignments(c.waiting).unwrap(), vec![m]);
    let after = c.office();
    assert_eq!(
        after.log.len(),
        before.log.len() + 1,
        "carried out more than once"
    );
    assert_eq!(after.positions[0].1, before.positions[0].1 + 1);
}

// =============================================================================================
// 6. Too many orders, damaged frames, an impossible cursor, an unknown token.

#[test]
fn too_many_orders_or_a_damaged_frame_is_refused_whole_and_changes_nothing() {
    let c = cast();
    let co = &c.coordinator;
    let (m, pm) = (c.mentor.id(), c.peer.id());

    // Each a valid order, so any one carried out would show.
    let valid = |n: usize| -> Vec<Command> {
        (0..n)
            .map(|i| {
                if i % 2 == 0 {
                    assign(c.waiting, pm)
                } else {
                    unassign(c.waiting, pm)
                }
            })
            .chain([assign(c.waiting, m)])
            .collect()
    };
    let over = valid(MAX_COMMANDS); // MAX_COMMANDS + 1 orders
    assert_eq!(over.len(), MAX_COMMANDS + 1);
    let good = codec::encode(&ClientMessage::Sync(request(
        &co.token,
        vec![assign(c.waiting, m)],
        None,
    )));
    let mut truncated = good.clone();
    truncated.pop();
    let mut trailing = good.clone();
    trailing.push(0);
    let mut old_version = good.clone();
    old_version[4] = 2;
    let mut not_onward = good.clone();
    not_onward[0] = b'X';
    let mut garbage = good[..5].to_vec();
    garbage.extend((0..200u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let mut impossible_cursor = request(&co.token, vec![assign(c.waiting, m)], None);
    impossible_cursor.cursor = u64::MAX;
    let unknown_token = request(
        "not-a-token-anyone-was-given",
        vec![assign(c.waiting, m)],
        None,
    );

    // Label, frame, expected HTTP status and error code, written by hand.
    let table: Vec<(&str, Vec<u8>, u16, ErrorCode)> = vec![
        (
            "MAX_COMMANDS + 1 orders",
            codec::encode(&ClientMessage::Sync(request(&co.token, over, None))),
            413,
            ErrorCode::TooLarge,
        ),
        ("last byte cut off", truncated, 400, ErrorCode::Malformed),
        ("a byte left over", trailing, 400, ErrorCode::Malformed),
        (
            "protocol version 2",
            old_version,
            400,
            ErrorCode::UnsupportedVersion,
        ),
        ("not ONWD", not_onward, 400, ErrorCode::Malformed),
        ("noise after the header", garbage, 400, ErrorCode::Malformed),
        // A device ahead of the log is told so before anything it sends is stored or carried
        // out (this once made the assignment and then answered 400).
        (
            "cursor beyond the log's head",
            codec::encode(&ClientMessage::Sync(impossible_cursor)),
            400,
            ErrorCode::Malformed,
        ),
        (
            "a token the server never gave",
            codec::encode(&ClientMessage::Sync(unknown_token)),
            401,
            ErrorCode::Unauthorized,
        ),
    ];
    let mut changed = Vec::new();
    for (label, frame, status, code) in &table {
        let before = c.office();
        let (got_status, body) = c.w.post(frame);
        let msg: ServerMessage = codec::decode(&body).unwrap();
        match msg {
            ServerMessage::Error(e) => {
                assert_eq!((got_status, e.code), (*status, *code), "{label}")
            }
            other => panic!("{label}: answered {other:?}"),
        }
        let after = c.office();
        if after != before {
            changed.push(format!(
                "{label}: assignments {:?} -> {:?}, positions {:?} -> {:?}, admin log {} -> {} lines",
                before.assignments[1].1,
                after.assignments[1].1,
                before.positions[0],
                after.positions[0],
                before.log.len(),
                after.log.len()
            ));
            // Put it back so the next row starts from the same office.
            for p in c.w.storage.assignments(c.waiting).unwrap() {
                c.w.storage.set_assignment(c.waiting, p, false).unwrap();
            }
        }
    }
    assert!(c.w.storage.assignments(c.waiting).unwrap().is_empty());

    // The honest path: at the limit exactly, every order is answered and carried out.
    let at_limit = valid(MAX_COMMANDS - 1);
    assert_eq!(at_limit.len(), MAX_COMMANDS);
    let before = c.office();
    let resp = c.w.send(&co.token, at_limit.clone(), None);
    let done: Vec<CommandAnswer> = at_limit
        .iter()
        .map(|o| CommandAnswer {
            id: o.id,
            refused: None,
            code: None,
        })
        .collect();
    assert_eq!(resp.answers, done);
    // 99 alternating orders end with an assign to the peer mentor, then the mentor's.
    assert_eq!(
        sorted(c.w.storage.assignments(c.waiting).unwrap()),
        sorted(vec![m, pm])
    );
    assert_eq!(c.office().log.len(), before.log.len() + MAX_COMMANDS);
    // And the undamaged frame the damaged ones were made from is carried out.
    let (status, _) = c.w.post(&good);
    assert_eq!(status, 200);
    assert!(
        changed.is_empty(),
        "refused, yet the office changed: {changed:?}"
    );
}

// =============================================================================================
// 7. The staff directory.

#[test]
fn the_staff_directory_reaches_only_coordinators_and_only_their_own_staff() {
    const USERNAME: &str = "synthetic.directory.login";
    const PASSWORD: &str = "synthetic-directory-pass-7";
    let c = cast();
    let with_login = c.w.new_user(
        &c.w.org,
        NewUser {
            role: Some(Role::Mentor),
            display_name: "Mentor With Login".into(),
            username: Some(USERNAME.into()),
            password: Some(PASSWORD.into()),
            cleared: false,
            participant: None,
        },
    );
    let unused_code = admin::issue_code(&*c.w.storage, with_login.id, 1).unwrap();
    let their_login = c.w.new_user(
        &c.w.other,
        NewUser {
            role: Some(Role::PeerMentor),
            display_name: "Elsewhere Peer".into(),
            username: Some("synthetic.elsewhere.login".into()),
            password: Some(PASSWORD.into()),
            ..NewUser::default()
        },
    );

    // Nobody but a coordinator is sent it, whatever digest they give.
    let refused_to: Vec<(&str, &Person)> = vec![
        ("mentor", &c.mentor),
        ("peer mentor", &c.peer),
        ("participant's own sign-in", &c.own_sign_in),
    ];
    for (label, who) in &refused_to {
        for digest in [[0u8; 32], [0xff; 32]] {
            let (status, msg, _) = c.w.send_raw(request(&who.token, vec![], Some(digest)));
            let ServerMessage::Synced(resp) = msg else {
                panic!("{label}: HTTP {status} {msg:?}")
            };
            assert!(resp.directory.is_none(), "{label} got the staff directory");
        }
    }

    // A coordinator's: exactly their organisation's staff and assignments, written by hand.
    let (status, msg, body) =
        c.w.send_raw(request(&c.coordinator.token, vec![], Some([0; 32])));
    assert_eq!(status, 200);
    let ServerMessage::Synced(resp) = msg else {
        panic!("{msg:?}")
    };
    let directory: Directory = resp.directory.expect("a coordinator gets the directory");
    let staff: Vec<(UserId, Role, bool)> = sorted(
        directory
            .staff
            .iter()
            .map(|s| (s.user, s.role, s.enabled))
            .collect(),
    );
    let expected_staff = sorted(vec![
        (c.coordinator.id(), Role::Coordinator, true),
        (c.second_coordinator.id(), Role::Coordinator, true),
        (c.mentor.id(), Role::Mentor, true),
        (c.peer.id(), Role::PeerMentor, true),
        (c.off.id, Role::Mentor, false),
        (with_login.id, Role::Mentor, true),
    ]);
    assert_eq!(staff, expected_staff);
    let assignments: Vec<(ParticipantId, UserId)> = directory
        .assignments
        .iter()
        .map(|a| (a.participant, a.mentor))
        .collect();
    assert_eq!(assignments, vec![(c.assigned, c.mentor.id())]);

    // No login names, secrets, codes or anyone else's people in the bytes on the wire.
    let forbidden: Vec<(&str, String)> = vec![
        ("a username", USERNAME.to_string()),
        ("a password", PASSWORD.to_string()),
        ("an unused enrolment code", unused_code.clone()),
        ("the code without dashes", unused_code.replace('-', "")),
        ("the asking tablet's token", c.coordinator.token.clone()),
        (
            "another coordinator's token",
            c.second_coordinator.token.clone(),
        ),
        ("a mentor's token", c.mentor.token.clone()),
        (
            "another organisation's username",
            "synthetic.elsewhere.login".into(),
        ),
        (
            "another organisation's mentor's name",
            "Elsewhere Mentor".into(),
        ),
        (
            "another organisation's peer's name",
            "Elsewhere Peer".into(),
        ),
        (
            "another organisation's coordinator's name",
            "Elsewhere Coord".into(),
        ),
        (
            "a participant's own sign-in's name",
            "Synthetic Ash's own sign-in".into(),
        ),
    ];
    // The check can fail: a name that is in the directory is found in the bytes.
    assert!(contains(&body, "Mentor With Login"));
    for (what, needle) in &forbidden {
        assert!(
            !contains(&body, needle),
            "the directory's bytes hold {what}"
        );
    }
    for id in [
        c.their_mentor.id(),
        c.their_coordinator.id(),
        their_login.id,
        c.own_sign_in.id(),
    ] {
        assert!(
            !contains(&body, &id.to_string())
                && !contains_bytes(&body, &uuid_bytes(&id.to_string())),
            "the directory's bytes hold a user id not its organisation's staff"
        );
    }

    // The other organisation's coordinator sees only theirs.
    let theirs =
        c.w.send(&c.their_coordinator.token, vec![], Some([0; 32]))
            .directory
            .expect("their coordinator gets theirs");
    let their_staff: Vec<UserId> = sorted(theirs.staff.iter().map(|s| s.user).collect());
    assert_eq!(
        their_staff,
        sorted(vec![
            c.their_coordinator.id(),
            c.their_mentor.id(),
            their_login.id
        ])
    );
    let their_assignments: Vec<(ParticipantId, UserId)> = theirs
        .assignments
        .iter()
        .map(|a| (a.participant, a.mentor))
        .collect();
    assert_eq!(their_assignments, vec![(c.theirs, c.their_mentor.id())]);
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    contains_bytes(haystack, needle.as_bytes())
}

fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A UUID's 16 bytes, in case ids travel as bytes rather than text.
fn uuid_bytes(s: &str) -> Vec<u8> {
    let hex: String = s.chars().filter(char::is_ascii_hexdigit).collect();
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

// =============================================================================================
// 8. The honest path.

#[test]
fn a_coordinators_assign_and_unassign_reach_the_mentor_and_an_offline_change_is_kept() {
    let w = world();
    let mut co = w.person(Role::Coordinator, "Coordinator Honest");
    let mut m = w.person(Role::Mentor, "Mentor Honest");
    let p = participant(&mut co.app, "Synthetic Rowan");
    co.app.sync_now().unwrap();
    m.app.sync_now().unwrap();
    assert!(caseload(&mut m.app).is_empty());

    // Assigned on the coordinator's tablet; the mentor's gains the participant.
    co.app
        .handle(AssignMentor {
            participant: p,
            mentor: m.id(),
        })
        .unwrap();
    let report = co.app.sync_now().unwrap();
    assert!(report.refused.is_empty());
    assert_eq!(w.storage.assignments(p).unwrap(), vec![m.id()]);
    m.app.sync_now().unwrap();
    assert_eq!(caseload(&mut m.app), vec![p]);

    // Offline, the mentor adds a goal; meanwhile the coordinator takes the participant off
    // their caseload.
    const TITLE: &str = "Synthetic goal written offline";
    let g = m
        .app
        .handle(AddGoal {
            participant: p,
            input: NewGoal {
                title: TITLE.into(),
                pathway: Pathway::Employment,
                why_it_matters: String::new(),
                target_date: None,
                review_due: None,
            },
        })
        .unwrap();
    co.app
        .handle(UnassignMentor {
            participant: p,
            mentor: m.id(),
        })
        .unwrap();
    co.app.sync_now().unwrap();
    assert!(w.storage.assignments(p).unwrap().is_empty());

    // The mentor's next sync: the participant leaves the tablet, the goal does not vanish.
    m.app.sync_now().unwrap();
    assert!(caseload(&mut m.app).is_empty());
    assert!(m.app.store().held_docs().unwrap().is_empty());
    let kept = m.app.handle(GetNotAccepted {}).unwrap();
    let rows: Vec<(ParticipantId, DocKind, Refused)> = kept
        .iter()
        .map(|k| (k.participant, k.document, k.why.clone()))
        .collect();
    assert_eq!(rows, vec![(p, DocKind::Plan, Refused::NotOnCaseload)]);
    let recorded = serde_json::to_string(&kept[0].recorded).unwrap();
    assert!(
        recorded.contains(TITLE),
        "the goal's words are not kept: {recorded}"
    );

    // The office did not take the goal.
    co.app.sync_now().unwrap();
    let plan = co
        .app
        .handle(GetParticipant { participant: p })
        .unwrap()
        .plan;
    assert!(!plan.goals.contains_key(&g.to_string()));

    // The admin log names the coordinator, from the office's knowledge of the token.
    let by = format!("coordinator {}", co.id());
    let mine: Vec<(String, Option<String>)> = w
        .storage
        .admin_log(Some(w.org.id), 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.by == by)
        .map(|e| (e.action, e.subject))
        .collect();
    let mut mine = mine;
    mine.sort();
    assert_eq!(
        mine,
        vec![
            ("assign".to_string(), Some(p.to_string())),
            ("unassign".to_string(), Some(p.to_string())),
        ]
    );
}
