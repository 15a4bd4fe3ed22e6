//! Stopping and changing people, sign-in protection and the server's bounds, attacked from
//! outside: the real server on a loopback port with its SQLite file in a temp dir, real app
//! cores enrolled with real codes and passwords, and raw HTTP requests where a test needs to
//! say which address it comes from. Every expected outcome is written out by hand.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};

use onward_api::*;
use onward_app::{App, Credentials, HttpTransport, StoreKey};
use onward_core::document::DocId;
use onward_core::ids::*;
use onward_core::input::*;
use onward_core::vocab::*;
use onward_server::TestServer;
use onward_server::admin::{self, NewUser};
use onward_server::storage::sqlite::Sqlite;
use onward_server::storage::{Disabled, Organisation, Revocation, Storage, User};
use onward_sync::codec;
use onward_sync::message::*;
use onward_sync::scope::Scope;

const PASSWORD: &str = "synthetic-password-1";

struct World {
    dir: tempfile::TempDir,
    storage: Arc<Sqlite>,
    server: TestServer,
    org: Organisation,
}

fn world_with(trusted: &str) -> World {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(Sqlite::open(&dir.path().join("server.db")).unwrap());
    let org = admin::create_org(&*storage, "People Charity").unwrap();
    let server = TestServer::start_with(storage.clone(), None, trusted.parse().unwrap()).unwrap();
    World {
        dir,
        storage,
        server,
        org,
    }
}

fn world() -> World {
    world_with("")
}

impl World {
    fn user(&self, role: Role, cleared: bool, username: Option<&str>) -> User {
        admin::add_user(
            &*self.storage,
            &self.org,
            NewUser {
                role: Some(role),
                display_name: format!("Synthetic {role}"),
                username: username.map(String::from),
                password: username.map(|_| PASSWORD.to_string()),
                cleared,
                ..NewUser::default()
            },
        )
        .unwrap()
    }

    fn enrol(&self, credentials: Credentials) -> Result<App, ApiError> {
        App::enrol(
            &self.dir.path().join(DeviceId::new().to_string()),
            &StoreKey::from_bytes([7; 32]),
            &self.server.url(),
            credentials,
            "Synthetic tablet",
            &mut HttpTransport::new(&self.server.url()).unwrap(),
        )
    }

    fn device(&self, user: &User) -> App {
        let code = admin::issue_code(&*self.storage, user.id, 1).unwrap();
        self.enrol(Credentials::Code(code)).unwrap()
    }

    fn sign_in(&self, username: &str, password: &str) -> Result<App, ApiError> {
        self.enrol(Credentials::Password {
            username: username.into(),
            password: password.into(),
        })
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

/// The kinds of document a device holds for `p`, in the order plan, notes, restricted.
fn kinds(app: &App, p: ParticipantId) -> Vec<DocKind> {
    let mut held: Vec<DocKind> = app
        .store()
        .held_docs()
        .unwrap()
        .into_iter()
        .filter(|d| d.participant == p)
        .map(|d| d.kind)
        .collect();
    held.sort_by_key(|k| *k as u8);
    held
}

fn token(app: &App) -> String {
    app.store().meta("sync.token").unwrap().unwrap()
}

/// Posts one frame as a raw HTTP request, optionally with an `X-Forwarded-For` header.
fn post(addr: SocketAddr, frame: &[u8], forwarded_for: Option<&str>) -> (u16, ServerMessage) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut head = format!(
        "POST /v1/sync HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-onward-sync\r\nContent-Length: {}\r\nConnection: close\r\n",
        frame.len()
    );
    if let Some(xff) = forwarded_for {
        head += &format!("X-Forwarded-For: {xff}\r\n");
    }
    head += "\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(frame).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response");
    let head = String::from_utf8_lossy(&response[..split]);
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = &response[split + 4..];
    (status, codec::decode(body).expect("a framed answer"))
}

fn login_frame(username: &str, password: &str) -> Vec<u8> {
    codec::encode(&ClientMessage::Login(onward_sync::message::Login {
        username: username.into(),
        password: password.into(),
        device_name: "Raw tablet".into(),
    }))
}

fn enrol_frame(code: &str) -> Vec<u8> {
    codec::encode(&ClientMessage::Enrol(onward_sync::message::Enrol {
        code: code.into(),
        device_name: "Raw tablet".into(),
    }))
}

fn error_code(msg: &ServerMessage) -> Option<ErrorCode> {
    match msg {
        ServerMessage::Error(e) => Some(e.code),
        _ => None,
    }
}

fn message(msg: &ServerMessage) -> String {
    match msg {
        ServerMessage::Error(e) => e.message.clone(),
        other => format!("{other:?}"),
    }
}

#[test]
fn a_disabled_user_is_stopped_on_every_device_and_can_enrol_again_once_enabled() {
    let w = world();
    let sam = w.user(Role::Mentor, true, Some("sam.synthetic"));
    let other = w.user(Role::Mentor, true, None);
    let mut by_code = w.device(&sam);
    let p = participant(&mut by_code, "Robin");
    by_code.sync_now().unwrap();
    let mut by_password = w.sign_in("sam.synthetic", PASSWORD).unwrap();
    by_password.sync_now().unwrap();
    assert_eq!(caseload(&mut by_password), vec![p]);
    let mut bystander = w.device(&other);
    let q = participant(&mut bystander, "Kim");
    bystander.sync_now().unwrap();
    let unused_code = admin::issue_code(&*w.storage, sam.id, 1).unwrap();

    let stopped = admin::disable_user(&*w.storage, sam.id).unwrap();
    assert_eq!(
        stopped,
        Disabled {
            devices_revoked: 2,
            codes_cancelled: 1
        }
    );

    // Both devices are told at their next contact, and wipe everything.
    for app in [&mut by_code, &mut by_password] {
        let err = app.sync_now().unwrap_err();
        assert_eq!(err.kind, ErrorKind::Forbidden);
        assert!(err.message.contains("withdrawn"), "{}", err.message);
        assert!(app.store().held_docs().unwrap().is_empty());
        assert!(caseload(app).is_empty());
        assert!(!app.sync_status().unwrap().enrolled);
    }
    // No way back in: not the password, not the code issued earlier, not a new code.
    let err = w.sign_in("sam.synthetic", PASSWORD).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert!(err.message.contains("turned off"), "{}", err.message);
    let err = w.enrol(Credentials::Code(unused_code)).unwrap_err();
    assert!(err.message.contains("not accepted"), "{}", err.message);
    assert!(admin::issue_code(&*w.storage, sam.id, 1).is_err());
    // The listing says so.
    let people = w.storage.people(w.org.id).unwrap();
    let state = |id| {
        people
            .iter()
            .find(|p| p.user.id == id)
            .unwrap()
            .disabled_at
            .is_some()
    };
    assert!(state(sam.id));
    assert!(!state(other.id));

    // Nobody else is affected.
    let report = bystander.sync_now().unwrap();
    assert_eq!(report.removed, 0);
    assert_eq!(caseload(&mut bystander), vec![q]);

    // Enabled again: a new sign-in and a new code work; the old devices stay revoked.
    admin::enable_user(&*w.storage, sam.id).unwrap();
    let mut back = w.sign_in("sam.synthetic", PASSWORD).unwrap();
    back.sync_now().unwrap();
    assert_eq!(caseload(&mut back), vec![p]);
    w.device(&sam).sync_now().unwrap();
    let devices = w.storage.devices(w.org.id).unwrap();
    let sams: Vec<bool> = devices
        .iter()
        .filter(|d| d.user == sam.id)
        .map(|d| d.revoked_at.is_some())
        .collect();
    assert_eq!(sams, vec![true, true, false, false]);
}

#[test]
fn role_and_clearance_changes_reach_the_device_at_its_next_sync() {
    let w = world();
    let coordinator = w.user(Role::Coordinator, true, None);
    let peer = w.user(Role::PeerMentor, false, None);
    let mut office = w.device(&coordinator);
    let p = participant(&mut office, "Alex");
    office.sync_now().unwrap();
    admin::assign(&*w.storage, p, peer.id, true).unwrap();
    let mut tablet = w.device(&peer);
    tablet.sync_now().unwrap();
    use DocKind::*;
    assert_eq!(kinds(&tablet, p), [Plan, Notes]);

    enum Change {
        Role(Role, Option<bool>),
        Clearance(bool),
    }
    // (the change, what the tablet holds after its next sync)
    let steps: [(Change, &[DocKind]); 5] = [
        (
            Change::Role(Role::Mentor, Some(true)),
            &[Plan, Notes, Restricted],
        ),
        (Change::Clearance(false), &[Plan, Notes]),
        (Change::Clearance(true), &[Plan, Notes, Restricted]),
        (Change::Role(Role::PeerMentor, None), &[Plan, Notes]),
        // A peer mentor made a mentor without --cleared starts uncleared.
        (Change::Role(Role::Mentor, None), &[Plan, Notes]),
    ];
    for (i, (change, expected)) in steps.into_iter().enumerate() {
        let before = w.storage.position(w.org.id).unwrap().1;
        match change {
            Change::Role(role, cleared) => {
                admin::set_role(&*w.storage, peer.id, role, cleared).unwrap();
            }
            Change::Clearance(on) => admin::set_clearance(&*w.storage, peer.id, on).unwrap(),
        }
        assert!(
            w.storage.position(w.org.id).unwrap().1 > before,
            "step {i}: the scope generation moves"
        );
        tablet.sync_now().unwrap();
        assert_eq!(kinds(&tablet, p), expected, "step {i}");
    }

    // Changes that make no sense are refused, and change nothing.
    let before = w.storage.person(peer.id).unwrap().unwrap();
    assert!(admin::set_role(&*w.storage, peer.id, Role::Participant, None).is_err());
    assert!(admin::set_role(&*w.storage, peer.id, Role::PeerMentor, Some(true)).is_err());
    assert!(admin::set_clearance(&*w.storage, coordinator.id, false).is_err());
    admin::set_role(&*w.storage, peer.id, Role::PeerMentor, None).unwrap();
    assert!(admin::set_clearance(&*w.storage, peer.id, true).is_err());
    let after = w.storage.person(peer.id).unwrap().unwrap();
    assert_eq!(after.user.role, Role::PeerMentor);
    assert_eq!(before.user.role, Role::Mentor);
    assert!(!after.user.cleared);
}

#[test]
fn a_password_reset_replaces_the_old_password() {
    let w = world();
    let robin = w.user(Role::Mentor, false, Some("robin.synthetic"));
    w.sign_in("robin.synthetic", PASSWORD).unwrap();

    let given = "another-synthetic-pass".to_string();
    assert_eq!(
        admin::reset_password(&*w.storage, robin.id, Some(given.clone())).unwrap(),
        None
    );
    assert!(w.sign_in("robin.synthetic", PASSWORD).is_err());
    w.sign_in("robin.synthetic", &given).unwrap();

    let generated = admin::reset_password(&*w.storage, robin.id, None)
        .unwrap()
        .unwrap();
    // Sixteen characters in groups of four.
    assert_eq!(generated.len(), 19, "{generated:?}");
    assert!(w.sign_in("robin.synthetic", &given).is_err());
    w.sign_in("robin.synthetic", &generated).unwrap();

    assert!(admin::reset_password(&*w.storage, robin.id, Some("short".into())).is_err());
    let no_username = w.user(Role::Mentor, false, None);
    assert!(admin::reset_password(&*w.storage, no_username.id, None).is_err());
}

#[test]
fn codes_are_listed_by_short_id_and_a_cancelled_code_is_refused() {
    let w = world();
    let ash = w.user(Role::Mentor, false, None);
    let bo = w.user(Role::Mentor, false, None);
    let first = admin::issue_code_with_id(&*w.storage, ash.id, 2).unwrap();
    let second = admin::issue_code_with_id(&*w.storage, ash.id, 2).unwrap();
    let bos = admin::issue_code_with_id(&*w.storage, bo.id, 2).unwrap();

    let all = admin::pending_codes(&*w.storage, &w.org, None).unwrap();
    let mut ids: Vec<&str> = all.iter().map(|c| c.short_id.as_str()).collect();
    ids.sort();
    let mut issued = [&first.short_id, &second.short_id, &bos.short_id].map(|s| s.as_str());
    issued.sort();
    assert_eq!(ids, issued);
    let ashs = admin::pending_codes(&*w.storage, &w.org, Some(ash.id)).unwrap();
    assert_eq!(ashs.len(), 2);
    assert!(ashs.iter().all(|c| c.user == ash.id));
    // The listing never holds a code.
    let listed = format!("{all:?}");
    for code in [&first.code, &second.code, &bos.code] {
        assert!(!listed.contains(code.as_str()), "{listed}");
        assert!(!listed.contains(&code.replace('-', "")), "{listed}");
    }

    // A cancelled code is refused; a used one drops off the list.
    assert_eq!(
        admin::cancel_code(&*w.storage, &first.short_id).unwrap(),
        ash.id
    );
    let err = w.enrol(Credentials::Code(first.code.clone())).unwrap_err();
    assert!(err.message.contains("not accepted"), "{}", err.message);
    assert!(admin::cancel_code(&*w.storage, &first.short_id).is_err());
    assert!(admin::cancel_code(&*w.storage, "00000000").is_err());
    w.enrol(Credentials::Code(bos.code.clone())).unwrap();
    let left = admin::pending_codes(&*w.storage, &w.org, None).unwrap();
    assert_eq!(
        left.iter().map(|c| c.short_id.clone()).collect::<Vec<_>>(),
        vec![second.short_id.clone()]
    );
    // The code left still works.
    w.enrol(Credentials::Code(second.code)).unwrap();
    assert!(
        admin::pending_codes(&*w.storage, &w.org, None)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn revoking_a_user_revokes_every_one_of_their_devices() {
    let w = world();
    let jo = w.user(Role::Mentor, true, None);
    let lee = w.user(Role::Mentor, true, None);
    let mut jos: Vec<App> = (0..3).map(|_| w.device(&jo)).collect();
    let p = participant(&mut jos[0], "Jules");
    for app in jos.iter_mut() {
        app.sync_now().unwrap();
    }
    let mut lees = w.device(&lee);
    lees.sync_now().unwrap();

    assert_eq!(
        admin::revoke(&*w.storage, Revocation::User(jo.id)).unwrap(),
        3
    );
    for app in jos.iter_mut() {
        let err = app.sync_now().unwrap_err();
        assert!(err.message.contains("withdrawn"), "{}", err.message);
        assert!(app.store().held_docs().unwrap().is_empty());
    }
    lees.sync_now().unwrap();
    assert_eq!(
        admin::revoke(&*w.storage, Revocation::User(jo.id)).unwrap(),
        0
    );
    // Revoking devices does not stop the person: that is disable-user.
    let mut fresh = w.device(&jo);
    fresh.sync_now().unwrap();
    assert_eq!(caseload(&mut fresh), vec![p]);
    assert!(admin::revoke(&*w.storage, Revocation::Device(DeviceId::new())).is_err());
}

#[test]
fn every_admin_action_is_in_the_admin_log_without_names_or_secrets() {
    let w = world();
    let pat = w.user(Role::Mentor, false, Some("pat.synthetic"));
    let coordinator = w.user(Role::Coordinator, true, None);
    let mut office = w.device(&coordinator);
    let p = participant(&mut office, "Logged");
    office.sync_now().unwrap();
    let device = office.identity().device;
    let code = admin::issue_code_with_id(&*w.storage, pat.id, 1).unwrap();
    admin::assign(&*w.storage, p, pat.id, true).unwrap();
    admin::set_role(&*w.storage, pat.id, Role::PeerMentor, None).unwrap();
    admin::set_role(&*w.storage, pat.id, Role::Mentor, None).unwrap();
    admin::set_clearance(&*w.storage, pat.id, true).unwrap();
    admin::reset_password(&*w.storage, pat.id, None).unwrap();
    admin::cancel_code(&*w.storage, &code.short_id).unwrap();
    admin::revoke(&*w.storage, Revocation::Device(device)).unwrap();
    admin::revoke(&*w.storage, Revocation::User(pat.id)).unwrap();
    admin::disable_user(&*w.storage, pat.id).unwrap();
    admin::enable_user(&*w.storage, pat.id).unwrap();
    admin::assign(&*w.storage, p, pat.id, false).unwrap();

    let log = w.storage.admin_log(Some(w.org.id), 100).unwrap();
    let seen: Vec<(&str, String)> = log
        .iter()
        .map(|l| (l.action.as_str(), l.subject.clone().unwrap_or_default()))
        .collect();
    let (org, pat_id, coord_id) = (
        w.org.id.to_string(),
        pat.id.to_string(),
        coordinator.id.to_string(),
    );
    let expected: Vec<(&str, String)> = vec![
        ("create-org", org.clone()),
        ("add-user", pat_id.clone()),
        ("add-user", coord_id.clone()),
        ("enrol-code", coord_id.clone()),
        ("enrol-code", pat_id.clone()),
        ("assign", p.to_string()),
        ("set-role", pat_id.clone()),
        ("set-role", pat_id.clone()),
        ("set-clearance", pat_id.clone()),
        ("reset-password", pat_id.clone()),
        ("cancel-code", pat_id.clone()),
        ("revoke", device.to_string()),
        ("revoke", pat_id.clone()),
        ("disable-user", pat_id.clone()),
        ("enable-user", pat_id.clone()),
        ("unassign", p.to_string()),
    ];
    assert_eq!(seen, expected);
    assert!(
        log.windows(2)
            .all(|w| w[0].id < w[1].id && w[0].at <= w[1].at)
    );
    assert!(log.iter().all(|l| l.org == Some(w.org.id)));
    assert!(log.iter().all(|l| !l.by.is_empty()), "{log:?}");
    let role_change = &log[6];
    assert_eq!(
        role_change.detail,
        "role mentor → peer-mentor, clearance off → off"
    );
    // No names, usernames, codes or passwords.
    let text = format!("{log:?}");
    for secret in [
        "Synthetic",
        "pat.synthetic",
        "Logged",
        code.code.as_str(),
        PASSWORD,
    ] {
        assert!(!text.contains(secret), "the admin log holds {secret:?}");
    }
    // The whole server's log holds the same lines here.
    assert_eq!(w.storage.admin_log(None, 100).unwrap(), log);
    assert_eq!(w.storage.admin_log(None, 2).unwrap(), log[log.len() - 2..]);
}

#[test]
fn failed_sign_ins_are_limited_per_account_across_many_addresses() {
    // Behind a trusted proxy on loopback: each request says which client it came from.
    let w = world_with("127.0.0.1");
    w.user(Role::Mentor, false, Some("robin.synthetic"));
    w.user(Role::Mentor, false, Some("kim.synthetic"));
    for i in 0..10 {
        let from = format!("203.0.113.{}", i + 1);
        let (status, reply) = post(
            w.server.addr,
            &login_frame("robin.synthetic", "wrong-password"),
            Some(&from),
        );
        assert_eq!(status, 401, "attempt {i}: {}", message(&reply));
    }
    // The eleventh, from yet another address, is not checked even with the right password.
    let (status, reply) = post(
        w.server.addr,
        &login_frame("robin.synthetic", PASSWORD),
        Some("203.0.113.99"),
    );
    assert_eq!(status, 429);
    assert!(
        message(&reply).contains("this sign-in"),
        "{}",
        message(&reply)
    );
    // Another account from that address is unaffected.
    let (status, reply) = post(
        w.server.addr,
        &login_frame("kim.synthetic", PASSWORD),
        Some("203.0.113.99"),
    );
    assert_eq!(status, 200, "{}", message(&reply));
    assert!(matches!(reply, ServerMessage::Enrolled(_)));
    assert_eq!(w.server.guard.attempts_checked(), 11);
}

#[test]
fn failed_sign_ins_are_limited_per_client_address_behind_a_trusted_proxy() {
    let w = world_with("127.0.0.1, 10.0.0.0/8");
    w.user(Role::Mentor, false, Some("kim.synthetic"));
    // The proxy chain: the client's address, then a second proxy inside the network.
    let via = |client: &str| format!("192.0.2.200, {client}, 10.1.2.3");
    for i in 0..10 {
        let (status, _) = post(
            w.server.addr,
            &login_frame(&format!("guess{i}"), "wrong-password"),
            Some(&via("198.51.100.7")),
        );
        assert_eq!(status, 401, "attempt {i}");
    }
    let (status, reply) = post(
        w.server.addr,
        &login_frame("kim.synthetic", PASSWORD),
        Some(&via("198.51.100.7")),
    );
    assert_eq!(status, 429);
    assert!(
        message(&reply).contains("this network"),
        "{}",
        message(&reply)
    );
    // The client left of it is someone else: the address the client wrote first (192.0.2.200)
    // is never believed, so a different real client gets through.
    let (status, reply) = post(
        w.server.addr,
        &login_frame("kim.synthetic", PASSWORD),
        Some(&via("198.51.100.8")),
    );
    assert_eq!(status, 200, "{}", message(&reply));
}

#[test]
fn an_untrusted_peer_cannot_choose_its_address_with_x_forwarded_for() {
    // No trusted proxies: the header is ignored and every attempt counts against 127.0.0.1.
    let w = world();
    w.user(Role::Mentor, false, Some("kim.synthetic"));
    for i in 0..10 {
        let (status, _) = post(
            w.server.addr,
            &enrol_frame(&format!("AAAA-BBBB-{i:04}")),
            Some(&format!("203.0.113.{}", i + 1)),
        );
        assert_eq!(status, 401, "attempt {i}");
    }
    let (status, reply) = post(
        w.server.addr,
        &login_frame("kim.synthetic", PASSWORD),
        Some("203.0.113.77"),
    );
    assert_eq!(status, 429, "{}", message(&reply));
    assert_eq!(error_code(&reply), Some(ErrorCode::RateLimited));
}

#[test]
fn forty_wrong_passwords_at_once_are_not_all_checked() {
    let w = world();
    w.user(Role::Mentor, false, Some("robin.synthetic"));
    let start = Arc::new(Barrier::new(40));
    let addr = w.server.addr;
    let threads: Vec<_> = (0..40)
        .map(|i| {
            let start = start.clone();
            std::thread::spawn(move || {
                let frame = login_frame("robin.synthetic", &format!("wrong-password-{i}"));
                start.wait();
                post(addr, &frame, None).0
            })
        })
        .collect();
    let mut statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    statuses.sort();
    let mut expected = vec![401; 10];
    expected.extend([429; 30]);
    assert_eq!(statuses, expected);
    assert_eq!(w.server.guard.attempts_checked(), 10);
}

#[test]
fn a_room_of_tablets_enrolling_at_once_behind_one_address_all_get_in() {
    let w = world();
    let mentor = w.user(Role::Mentor, false, None);
    let codes: Vec<String> = (0..15)
        .map(|_| admin::issue_code(&*w.storage, mentor.id, 1).unwrap())
        .collect();
    let start = Arc::new(Barrier::new(codes.len()));
    let addr = w.server.addr;
    let threads: Vec<_> = codes
        .into_iter()
        .map(|code| {
            let start = start.clone();
            std::thread::spawn(move || {
                let frame = enrol_frame(&code);
                start.wait();
                post(addr, &frame, None).0
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(statuses, vec![200; 15]);
    assert_eq!(w.storage.devices(w.org.id).unwrap().len(), 15);
}

#[test]
fn too_many_wanted_documents_or_pushed_entries_are_refused_and_nothing_is_stored() {
    let w = world();
    let mentor = w.user(Role::Mentor, true, None);
    let mut m = w.device(&mentor);
    participant(&mut m, "Bounded");
    let outbox = m.store().outbox(10).unwrap();
    let plan = outbox.iter().find(|e| e.doc.kind == DocKind::Plan).unwrap();
    let before = w.storage.position(w.org.id).unwrap();
    let request = |push: Vec<Pushed>, want: Vec<DocId>| {
        codec::encode(&ClientMessage::Sync(SyncRequest {
            token: token(&m),
            cursor: before.0,
            scope_seq: before.1,
            scope_digest: Scope::default().digest(),
            push,
            want,
            notices_after: 0,
            commands: vec![],
            directory: None,
        }))
    };
    let wanted = |n: usize| -> Vec<DocId> {
        (0..n)
            .map(|_| DocId::new(ParticipantId::new(), DocKind::Plan))
            .collect()
    };
    let pushes = |n: usize| -> Vec<Pushed> {
        (0..n as u64)
            .map(|i| Pushed {
                entry: i + 1,
                doc: plan.doc,
                data: plan.data.clone(),
            })
            .collect()
    };

    // One over each limit: 413, and nothing stored.
    let (status, reply) = post(w.server.addr, &request(vec![], wanted(1_001)), None);
    assert_eq!(status, 413);
    assert_eq!(error_code(&reply), Some(ErrorCode::TooLarge));
    assert!(message(&reply).contains("1000"), "{}", message(&reply));
    let (status, reply) = post(w.server.addr, &request(pushes(501), vec![]), None);
    assert_eq!(status, 413);
    assert!(message(&reply).contains("500"), "{}", message(&reply));
    assert!(
        message(&reply).contains("Update the Onward app"),
        "{}",
        message(&reply)
    );
    assert_eq!(w.storage.position(w.org.id).unwrap(), before);
    assert!(w.storage.participants(w.org.id).unwrap().is_empty());

    // At each limit: answered.
    let (status, reply) = post(w.server.addr, &request(vec![], wanted(1_000)), None);
    assert_eq!(status, 200, "{}", message(&reply));
    let ServerMessage::Synced(resp) = reply else {
        panic!()
    };
    assert_eq!(resp.gone.len(), 1_000);
    let (status, reply) = post(w.server.addr, &request(pushes(500), vec![]), None);
    assert_eq!(status, 200, "{}", message(&reply));
    let ServerMessage::Synced(resp) = reply else {
        panic!()
    };
    assert_eq!(resp.acked.len(), 500);
    assert_eq!(w.storage.participants(w.org.id).unwrap().len(), 1);
}

#[cfg(unix)]
#[test]
fn the_server_database_and_its_log_files_are_private_to_the_server_user() {
    use std::os::unix::fs::PermissionsExt;
    let w = world();
    let mentor = w.user(Role::Mentor, true, None);
    let mut m = w.device(&mentor);
    participant(&mut m, "Private");
    m.sync_now().unwrap();
    let db = w.dir.path().join("server.db");
    for name in ["server.db", "server.db-wal", "server.db-shm"] {
        let path = w.dir.path().join(name);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} is {mode:o}");
    }
    // A file an earlier version left readable by everyone is narrowed when the server opens it.
    drop(w.server);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(Sqlite::open(&db).unwrap());
    let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}
