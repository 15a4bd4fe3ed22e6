//! Crash safety: a child process logs sessions and is killed with SIGKILL at random moments,
//! hundreds of times. After each kill, every session the child acknowledged is in the store
//! and the store opens cleanly.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use onward_api::{CreateParticipant, GetParticipant, Handle, Identity};
use onward_app::{App, StoreKey};
use onward_core::ids::*;
use onward_core::input::NewParticipant;
use onward_core::vocab::Role;

const RUNS: usize = 250;

#[test]
fn acknowledged_sessions_survive_sigkill_at_random_moments() {
    let dir = tempfile::tempdir().unwrap();
    let key = StoreKey::from_bytes([9; 32]);
    let me = Identity {
        user: UserId::new(),
        device: DeviceId::new(),
        role: Role::Mentor,
        display_name: "Crash".into(),
        cleared: true,
    };
    let participant = {
        let mut app = App::create(dir.path(), &key, me).unwrap();
        app.handle(CreateParticipant {
            input: NewParticipant {
                preferred_name: "Crash Test".into(),
                programme: String::new(),
                pathways: vec![],
            },
        })
        .unwrap()
    };
    let mut rng = fastrand::Rng::with_seed(0x0a11_2026);
    let mut acked: BTreeSet<String> = BTreeSet::new();
    let started = Instant::now();
    for run in 0..RUNS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
            .arg(dir.path())
            .arg(key.to_hex())
            .arg(participant.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        // Kill at a random moment: one run in ten while it is still opening the store, one
        // in ten while it loads the record, the rest in the middle of a stream of writes.
        let moment = rng.u8(..10);
        if moment >= 1 {
            let ready = rx
                .recv_timeout(Duration::from_secs(20))
                .expect("the writer started");
            assert_eq!(ready, "ready");
        }
        if moment >= 2 {
            let first = rx
                .recv_timeout(Duration::from_secs(20))
                .expect("the writer wrote");
            acked.extend(first.strip_prefix("ack ").map(str::to_string));
        }
        std::thread::sleep(Duration::from_micros(rng.u64(0..20_000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        acked.extend(
            rx.try_iter()
                .filter_map(|l| l.strip_prefix("ack ").map(str::to_string)),
        );

        let mut app = App::open(dir.path(), &key)
            .unwrap_or_else(|e| panic!("run {run}: the store did not reopen: {e}"));
        let view = app.handle(GetParticipant { participant }).unwrap();
        let present: BTreeSet<String> = view
            .notes
            .unwrap()
            .sessions()
            .keys()
            .map(|k| k.to_string())
            .collect();
        let lost: Vec<_> = acked.difference(&present).collect();
        assert!(
            lost.is_empty(),
            "run {run}: acknowledged sessions lost: {lost:?}"
        );
        if run % 50 == 49 {
            drop(app);
            let store = onward_store::Store::open(&dir.path().join("onward.db"), &key).unwrap();
            store.integrity_check().unwrap();
        }
    }
    println!(
        "{RUNS} kills, {} acknowledged sessions all present, in {:?}",
        acked.len(),
        started.elapsed()
    );
    assert!(
        acked.len() > RUNS,
        "the child should have written sessions before most kills"
    );
}
