//! A child process for the crash test: logs sessions as fast as it can and prints
//! `ack SESSION-ID` only after each one is durable, until it is killed.

use std::io::Write;

use onward_api::{Handle, LogSession};
use onward_app::{App, StoreKey};
use onward_core::input::NewSession;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: crash-writer DIR KEY-HEX PARTICIPANT"))?;
    let key = StoreKey::from_hex(&args.next().unwrap_or_default())?;
    let participant = args.next().unwrap_or_default().parse()?;
    let mut app = App::open(std::path::Path::new(&dir), &key)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "ready")?;
    out.flush()?;
    for n in 0u64.. {
        let id = app.handle(LogSession {
            participant,
            input: NewSession {
                summary: format!("crash test session {n}"),
                ..NewSession::attended("2026-11-23T10:00:00Z".parse()?, 1 + (n % 700) as u32)
            },
        })?;
        writeln!(out, "ack {id}")?;
        out.flush()?;
    }
    Ok(())
}
