//! Times the demo organisation generator.
fn main() {
    let now = onward_core::time::Timestamp::now();
    let t = std::time::Instant::now();
    let org = onward_core::demo::organisation(1, Default::default(), now).unwrap();
    let sessions: usize = org.participants.iter().map(|(_, d)| d.notes.read().sessions().len()).sum();
    println!("{} participants, {sessions} sessions in {:?}", org.participants.len(), t.elapsed());
}
