//! `onward-browser`: runs the app core for one tablet profile and serves the UI to a browser
//! on this computer. Prints the address to open on its first line; the address carries a key
//! made for this start, and only a page opened with it can use the shell.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use onward_app::{Host, Timing};
use onward_browser::Access;

#[derive(Parser)]
#[command(
    name = "onward-browser",
    version,
    about = "Onward in a browser: the app core on this computer, its UI served on localhost."
)]
struct Cli {
    /// The tablet profile's directory (created at enrolment).
    #[arg(long, env = "ONWARD_DATA", default_value = "onward-data")]
    data: PathBuf,
    /// The built UI (`cargo xtask build-ui` writes it to dist/).
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
    /// Where to listen; loopback only. Port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8760")]
    listen: SocketAddr,
    /// Milliseconds between background syncs while all is well (the end-to-end tests make it
    /// short, to see another tablet's edits arrive).
    #[arg(long, env = "ONWARD_SYNC_EVERY_MS", default_value_t = Timing::default().every.as_millis() as u64)]
    sync_every_ms: u64,
    /// Milliseconds to wait after an edit before background sync sends it.
    #[arg(long, env = "ONWARD_SYNC_SOON_MS", default_value_t = Timing::default().soon.as_millis() as u64)]
    sync_soon_ms: u64,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if !cli.listen.ip().is_loopback() {
        anyhow::bail!("the browser shell listens only on this computer (127.0.0.1 or ::1)");
    }
    if !cli.dist.join("index.html").exists() {
        anyhow::bail!(
            "there is no built UI in {} (run `cargo xtask build-ui`)",
            cli.dist.display()
        );
    }
    std::fs::create_dir_all(&cli.data)
        .with_context(|| format!("could not create {}", cli.data.display()))?;
    let timing = Timing {
        every: Duration::from_millis(cli.sync_every_ms.max(100)),
        soon: Duration::from_millis(cli.sync_soon_ms),
        ..Timing::default()
    };
    let host = Arc::new(Host::open(&cli.data, timing)?);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(cli.listen)
            .await
            .with_context(|| format!("could not listen on {}", cli.listen))?;
        let addr = listener.local_addr()?;
        let access =
            Arc::new(Access::random(addr.port()).context("could not make a key for this start")?);
        println!("Onward is running at {}", access.address(addr));
        onward_browser::serve(host.clone(), &cli.dist, access, listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
        anyhow::Ok(())
    })?;
    host.shutdown();
    Ok(())
}
