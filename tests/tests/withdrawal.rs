//! A tablet believes "this tablet was withdrawn" only over an authenticated channel. The real
//! server on a loopback port really revokes the device; the tablet first hears it through a
//! transport that reports itself unauthenticated (as plain HTTP to a private address on a
//! charity's network does) and must keep everything, then over loopback (authenticated) and
//! must wipe. Expected outcomes are written out by hand.

use std::sync::Arc;

use onward_api::*;
use onward_app::{App, Credentials, HttpTransport, StoreKey, Transport};
use onward_core::input::*;
use onward_core::vocab::*;
use onward_server::TestServer;
use onward_server::admin::{self, NewUser};
use onward_server::storage::Storage;
use onward_server::storage::sqlite::Sqlite;

/// The real HTTP transport, claiming what plain HTTP on a local network can claim: nothing
/// about who answered.
struct Unauthenticated(HttpTransport);

impl Transport for Unauthenticated {
    fn exchange(&mut self, frame: &[u8]) -> Result<Vec<u8>, String> {
        self.0.exchange(frame)
    }

    fn authenticated(&self) -> bool {
        false
    }
}

fn caseload(app: &mut App) -> usize {
    app.handle(Caseload::default()).unwrap().len()
}

#[test]
fn a_withdrawal_heard_over_an_unauthenticated_channel_deletes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(Sqlite::open(&dir.path().join("server.db")).unwrap());
    let org = storage.create_org("Test Charity", 0).unwrap();
    let server = TestServer::start(storage.clone(), None).unwrap();
    let mentor = admin::add_user(
        &*storage,
        &org,
        NewUser {
            role: Some(Role::Mentor),
            display_name: "Test mentor".into(),
            cleared: true,
            ..NewUser::default()
        },
    )
    .unwrap();
    let code = admin::issue_code(&*storage, mentor.id, 1).unwrap();
    let mut app = App::enrol(
        &dir.path().join("tablet"),
        &StoreKey::from_bytes([7; 32]),
        &server.url(),
        Credentials::Code(code),
        "Test tablet",
        &mut HttpTransport::new(&server.url()).unwrap(),
    )
    .unwrap();
    app.handle(CreateParticipant {
        input: NewParticipant {
            preferred_name: "Sam Example".into(),
            programme: "Next Steps".into(),
            pathways: vec![],
        },
    })
    .unwrap();
    app.sync_now().unwrap();
    // Written after the last sync: still waiting to reach the office.
    app.handle(CreateParticipant {
        input: NewParticipant {
            preferred_name: "Alex Example".into(),
            programme: "Next Steps".into(),
            pathways: vec![],
        },
    })
    .unwrap();
    let held = app.store().held_docs().unwrap().len();
    let waiting = app.sync_status().unwrap().waiting;
    assert!(held > 0 && waiting > 0);
    assert!(storage.revoke_device(app.identity().device, 1).unwrap());

    // Over a channel that proves nothing: the run stops, says why, and keeps everything.
    let mut plain = Unauthenticated(HttpTransport::new(&server.url()).unwrap());
    let err = app.sync_with(&mut plain).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert!(err.message.contains("withdrawn"), "{}", err.message);
    assert!(err.message.contains("unencrypted"), "{}", err.message);
    assert!(
        err.message.contains("nothing was deleted"),
        "{}",
        err.message
    );
    assert!(err.message.contains("coordinator"), "{}", err.message);
    assert_eq!(caseload(&mut app), 2);
    assert_eq!(app.store().held_docs().unwrap().len(), held);
    let status = app.sync_status().unwrap();
    assert!(status.enrolled, "the token is kept");
    assert_eq!(status.waiting, waiting, "unsynced work is kept");
    assert!(status.last_error.unwrap().contains("unencrypted"));

    // Over loopback (authenticated) the same answer is believed.
    let err = app.sync_now().unwrap_err();
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert_eq!(caseload(&mut app), 0);
    assert!(app.store().held_docs().unwrap().is_empty());
    assert!(!app.sync_status().unwrap().enrolled);
}

/// What the tablet makes of an answer depends on how the address was reached; the transports
/// built from addresses say so.
#[test]
fn transports_say_whether_their_channel_is_authenticated() {
    let table = [
        // address                      allow_plain_http  authenticated
        ("https://onward.example.org", false, true),
        ("http://127.0.0.1:8750", false, true),
        ("http://localhost:8750", false, true),
        ("http://[::1]:8750", true, true),
        ("http://192.168.1.20:8750", true, false),
        ("http://10.1.2.3", true, false),
    ];
    for (address, allow, authenticated) in table {
        let t = HttpTransport::for_server(address, allow).unwrap();
        assert_eq!(t.authenticated(), authenticated, "{address}");
    }
    // A transport that does not say is not believed.
    struct Silent;
    impl Transport for Silent {
        fn exchange(&mut self, _: &[u8]) -> Result<Vec<u8>, String> {
            Err("no network".into())
        }
    }
    assert!(!Silent.authenticated());
}
