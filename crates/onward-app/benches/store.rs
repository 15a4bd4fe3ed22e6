//! Prints the device store's figures on the 40-participant, 3-year demo caseload: time to log
//! one session durably (median, p99), to load one participant, to open the store and list the
//! caseload, the database size, and a year's funder report (through the app core, and the
//! calculation alone over 20,000 participants' documents). Run with `cargo xtask bench`.

use std::time::{Duration, Instant};

use onward_api::*;
use onward_app::{App, StoreKey};
use onward_core::demo::{DemoSize, organisation};
use onward_core::ids::*;
use onward_core::input::NewSession;
use onward_core::time::Timestamp;
use onward_core::vocab::*;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let key = StoreKey::from_bytes([5; 32]);
    let me = Identity {
        user: UserId::new(),
        device: DeviceId::new(),
        role: Role::Coordinator,
        display_name: "Bench".into(),
        cleared: true,
    };
    let now = Timestamp::now();
    let t = Instant::now();
    let org = organisation(2026, DemoSize::default(), now).unwrap();
    let sessions: usize = org
        .participants
        .iter()
        .map(|(_, d)| d.notes.read().revisions.len())
        .sum();
    let generated = t.elapsed();
    // Kept in memory for the report calculation at the end.
    let kept: Vec<onward_core::ops::ParticipantDocs> =
        org.participants.iter().map(|(_, d)| d.clone()).collect();
    let mut app = App::create(dir.path(), &key, me).unwrap();
    let mut ids = Vec::new();
    for (_, docs) in org.participants {
        ids.push(app.import(docs).unwrap());
    }
    app.flush_compaction();
    println!(
        "demo caseload: {} participants, {sessions} session revisions (generated in {})",
        ids.len(),
        ms(generated)
    );

    // Log a session durably: tap Save -> committed to SQLite (WAL, synchronous=FULL).
    let mut saves = Vec::new();
    let mut rng = fastrand::Rng::with_seed(7);
    for i in 0..600 {
        let p = ids[rng.usize(..ids.len())];
        let input = NewSession {
            topics: vec![Pathway::Employment],
            mood_before: Some(3),
            mood_after: Some(4),
            summary: "We looked at two jobs and filled in one form.".into(),
            next_steps: "Send the form on Monday.".into(),
            private_notes: "Synthetic benchmark note.".into(),
            ..NewSession::attended(now, 30 + (i % 60))
        };
        let t = Instant::now();
        app.handle(LogSession {
            participant: p,
            input,
        })
        .unwrap();
        saves.push(t.elapsed());
    }
    // The first save per participant also loads it; report steady-state saves separately.
    let mut all = saves.clone();
    all.sort();
    let mut steady = saves[100..].to_vec();
    steady.sort();
    println!(
        "log one session durably: median {}, p99 {} (all 600 incl. first loads: median {}, p99 {})   [target <= 3 ms median, <= 10 ms p99]",
        ms(percentile(&steady, 0.5)),
        ms(percentile(&steady, 0.99)),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99))
    );
    app.flush_compaction();

    // Load one participant from disk (documents decrypted, loaded and read).
    let mut loads = Vec::new();
    for round in 0..5 {
        for p in &ids {
            app.forget_loaded();
            let t = Instant::now();
            let view = app.handle(GetParticipant { participant: *p }).unwrap();
            loads.push(t.elapsed());
            if round == 0 {
                assert!(!view.plan.goals.is_empty());
            }
        }
    }
    loads.sort();
    println!(
        "load one participant: median {}, p99 {}   [target <= 3 ms]",
        ms(percentile(&loads, 0.5)),
        ms(percentile(&loads, 0.99))
    );
    // Where a load goes: reading the bytes, and loading and reading each document.
    let (mut bytes_t, mut plan_t, mut notes_t, mut restricted_t) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for p in &ids {
        let store = app.store();
        let t = Instant::now();
        for kind in [DocKind::Plan, DocKind::Notes, DocKind::Restricted] {
            store.load_bytes(onward_core::DocId::new(*p, kind)).unwrap();
        }
        bytes_t.push(t.elapsed());
        let t = Instant::now();
        store.load::<onward_core::model::Plan>(*p).unwrap();
        plan_t.push(t.elapsed());
        let t = Instant::now();
        store.load::<onward_core::model::Notes>(*p).unwrap();
        notes_t.push(t.elapsed());
        let t = Instant::now();
        store.load::<onward_core::model::Restricted>(*p).unwrap();
        restricted_t.push(t.elapsed());
    }
    for v in [&mut bytes_t, &mut plan_t, &mut notes_t, &mut restricted_t] {
        v.sort();
    }
    println!(
        "  of which (medians): read bytes {}, plan {}, notes {}, restricted {}",
        ms(percentile(&bytes_t, 0.5)),
        ms(percentile(&plan_t, 0.5)),
        ms(percentile(&notes_t, 0.5)),
        ms(percentile(&restricted_t, 0.5))
    );
    let size = app.store().size_on_disk();
    drop(app);

    // Open the store and list the caseload.
    let mut opens = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let mut app = App::open(dir.path(), &key).unwrap();
        let list = app.handle(Caseload::default()).unwrap();
        opens.push(t.elapsed());
        assert_eq!(list.len(), ids.len());
    }
    opens.sort();
    println!(
        "open the store and list the caseload: median {}, p99 {}   [target <= 300 ms]",
        ms(percentile(&opens, 0.5)),
        ms(percentile(&opens, 0.99))
    );
    println!(
        "database size (file + WAL): {:.1} MB",
        size as f64 / 1_048_576.0
    );

    // A year's funder report through the app core: every participant read from the store.
    let today = now.london_day();
    let year = FunderReport {
        from: today.plus_days(-364),
        to: today,
        programme: None,
        mentor: None,
    };
    let mut app = App::open(dir.path(), &key).unwrap();
    let mut reports = Vec::new();
    for _ in 0..10 {
        app.forget_loaded();
        let t = Instant::now();
        let r = app.handle(year.clone()).unwrap();
        reports.push(t.elapsed());
        assert!(r.sessions_delivered > 0);
    }
    reports.sort();
    println!(
        "a year's funder report, {} participants read from the store: median {}",
        ids.len(),
        ms(percentile(&reports, 0.5))
    );
    // The calculation alone, over 20,000 participants' documents already in memory (the demo
    // caseload's documents, each counted 500 times).
    use onward_core::reports::{ParticipantRecords, Period, ReportQuery, report};
    let query = ReportQuery {
        period: Period::new(year.from, year.to).unwrap(),
        programme: None,
        mentor: None,
    };
    let records: Vec<ParticipantRecords<'_>> = kept
        .iter()
        .map(|d| ParticipantRecords {
            plan: d.plan.read(),
            notes: Some(d.notes.read()),
            restricted: Some(d.restricted.read()),
        })
        .cycle()
        .take(20_000)
        .collect();
    let mut calcs = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let r = report(records.iter().copied(), &query).unwrap();
        calcs.push(t.elapsed());
        assert!(r.sessions_delivered > 0);
    }
    calcs.sort();
    println!(
        "a year's funder report calculated over 20,000 participants in memory: median {}   [target <= 1 s with reading]",
        ms(percentile(&calcs, 0.5))
    );
}
