//! Times loading (and hydrating) a Notes document of growing size.
use onward_core::document::{Ctx, Doc};
use onward_core::ids::*;
use onward_core::input::*;
use onward_core::model::*;
use onward_core::ops;
use onward_core::time::Timestamp;
use onward_core::vocab::*;

fn main() {
    let ctx = Ctx::new(Author { user: UserId::new(), device: DeviceId::new() }, Timestamp::now());
    let mut docs = ops::create_participant(&ctx, &NewParticipant { preferred_name: "T".into(), programme: String::new(), pathways: vec![] }).unwrap();
    let mut n = 0;
    for target in [150, 600, 1200] {
        while n < target {
            let s = ops::notes::log_session(&mut docs.notes, &mut docs.plan, &ctx, &NewSession {
                started_at: ctx.now, duration_minutes: 30, mode: SessionMode::Phone, session_type: SessionType::OneToOne,
                attendance: Attendance::Attended, absence_reason: String::new(), topics: vec![], mood_before: None, mood_after: None,
                summary: "s".into(), next_steps: String::new(), private_notes: "p".into(),
            }).unwrap();
            ops::notes::sign_off_session(&mut docs.notes, &ctx, &SessionSignOff { session: s }).unwrap();
            n += 1;
        }
        let bytes = docs.notes.save();
        let t = std::time::Instant::now();
        let am = automerge::AutoCommit::load(&bytes).unwrap();
        let t_load = t.elapsed();
        let t = std::time::Instant::now();
        let _ = automerge::AutoCommit::load_unverified_heads(&bytes).unwrap();
        println!("  unverified load {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let _: Notes = autosurgeon::hydrate(&am).unwrap();
        let t_hyd = t.elapsed();
        let t = std::time::Instant::now();
        let mut count = 0;
        use automerge::ReadDoc;
        let (_, sessions) = am.get(automerge::ROOT, "revisions").unwrap().unwrap();
        for item in am.map_range(&sessions, ..) { let _ = item.key; count += 1; }
        println!("{n} sessions: {} bytes, load {:?}, hydrate {:?}, map_range {:?} ({count})", bytes.len(), t_load, t_hyd, t.elapsed());
        let _ = Doc::<Notes>::load(docs.notes.id(), &bytes).unwrap();
    }
}
