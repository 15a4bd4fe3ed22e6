//! Encryption at rest: a known note is found in neither the database file nor its WAL, while
//! the app is running and after it closes.

use onward_api::{CreateParticipant, Handle, Identity, LogSession};
use onward_app::{App, StoreKey};
use onward_core::ids::*;
use onward_core::input::{NewParticipant, NewSession};
use onward_core::vocab::*;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_plaintext_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let key = StoreKey::from_bytes([3; 32]);
    let me = Identity {
        user: UserId::new(),
        device: DeviceId::new(),
        role: Role::Mentor,
        display_name: "Enc".into(),
        cleared: true,
    };
    let mut app = App::create(dir.path(), &key, me).unwrap();
    let name = "Zebedee Canaryname";
    let note = "CANARY-NOTE-7f3a: synthetic private note that must never be on disk in clear";
    let p = app
        .handle(CreateParticipant {
            input: NewParticipant {
                preferred_name: name.into(),
                programme: "Canary Programme".into(),
                pathways: vec![],
            },
        })
        .unwrap();
    for i in 0..20 {
        app.handle(LogSession {
            participant: p,
            input: NewSession {
                mode: SessionMode::Phone,
                summary: note.into(),
                next_steps: note.into(),
                private_notes: note.into(),
                ..NewSession::attended("2026-11-23T10:00:00Z".parse().unwrap(), 30 + i)
            },
        })
        .unwrap();
    }
    let check = |when: &str| {
        let mut files = 0;
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            if bytes.is_empty() {
                continue;
            }
            files += 1;
            for needle in [
                note.as_bytes(),
                name.as_bytes(),
                b"Canary Programme",
                b"SQLite format 3",
            ] {
                assert!(
                    !contains(&bytes, needle),
                    "{when}: {} holds {:?} in clear",
                    path.display(),
                    String::from_utf8_lossy(needle)
                );
            }
        }
        files
    };
    let wal = dir.path().join("onward.db-wal");
    assert!(
        std::fs::metadata(&wal)
            .map(|m| m.len() > 0)
            .unwrap_or(false),
        "the WAL holds the recent writes"
    );
    assert!(check("while running") >= 2);
    drop(app);
    check("after closing");
}
