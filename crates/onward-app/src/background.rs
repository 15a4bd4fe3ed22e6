//! Background sync: a thread that syncs soon after local edits, every few minutes otherwise,
//! and backs off after failures (no signal, server down) until a sync works again. It holds
//! the app's lock only while reading or storing, never while waiting on the network, so the
//! UI stays responsive during a long first sync. A shell calls [`BackgroundSync::nudge`] when
//! the device reports that connectivity has returned.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use onward_api::{ApiError, ErrorKind, SyncReport};

use crate::transport::Transport;
use crate::{App, Origin};

/// How often and how soon background sync runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Wait after an edit (or a nudge) before syncing, so a burst of edits goes in one sync.
    pub soon: Duration,
    /// Between syncs when all is well.
    pub every: Duration,
    /// The first wait after a failure; it doubles with each failure up to `max_backoff`.
    pub first_retry: Duration,
    pub max_backoff: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            soon: Duration::from_secs(5),
            every: Duration::from_secs(5 * 60),
            first_retry: Duration::from_secs(15),
            max_backoff: Duration::from_secs(15 * 60),
        }
    }
}

/// The wait before the next attempt, from the outcome of the last ones.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// After a sync that worked.
    pub fn succeeded(&mut self, t: &Timing) -> Duration {
        self.failures = 0;
        t.every
    }

    /// After a sync that failed: doubling waits with ±20% jitter, so tablets that lost signal
    /// together do not all retry together.
    pub fn failed(&mut self, t: &Timing) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let doubled = t
            .first_retry
            .saturating_mul(1u32 << (self.failures - 1).min(16))
            .min(t.max_backoff);
        let jitter = 0.8 + 0.4 * fastrand::f64();
        doubled.mul_f64(jitter).min(t.max_backoff)
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// A background sync thread for one app.
pub struct BackgroundSync {
    wake: Sender<()>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for BackgroundSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackgroundSync").finish_non_exhaustive()
    }
}

fn lock(app: &Mutex<App>) -> MutexGuard<'_, App> {
    app.lock().unwrap_or_else(|p| p.into_inner())
}

/// One sync run, taking the app's lock only around store work.
pub fn sync_shared(
    app: &Mutex<App>,
    transport: &mut dyn Transport,
) -> Result<SyncReport, ApiError> {
    sync_shared_reporting(app, transport, &mut |_| {})
}

/// [`sync_shared`], telling `progress` what has happened after every round trip but the
/// last (for a progress line on long syncs).
pub fn sync_shared_reporting(
    app: &Mutex<App>,
    transport: &mut dyn Transport,
    progress: &mut dyn FnMut(&SyncReport),
) -> Result<SyncReport, ApiError> {
    let mut run = match lock(app).begin_sync() {
        Ok(r) => r,
        Err(e) => return lock(app).end_sync(Err(e)),
    };
    loop {
        let frame = match lock(app).next_frame(&mut run) {
            Ok(f) => f,
            Err(e) => return lock(app).end_sync(Err(e)),
        };
        let reply = transport.exchange(&frame);
        let mut guard = lock(app);
        match guard.take_reply(&mut run, frame.len(), reply, transport.authenticated()) {
            Ok(true) => return guard.end_sync(Ok(run.report().clone())),
            Ok(false) => {
                drop(guard);
                progress(run.report());
            }
            Err(e) => return guard.end_sync(Err(e)),
        }
    }
}

impl BackgroundSync {
    /// Starts syncing `app` over HTTP with the server it is enrolled with, as its profile
    /// allows (plain HTTP only if chosen at enrolment).
    pub fn start(app: Arc<Mutex<App>>, timing: Timing) -> BackgroundSync {
        let profile = app.clone();
        Self::start_with(app, timing, move |_server| {
            lock(&profile)
                .http_transport()
                .map(|t| Box::new(t) as Box<dyn Transport + Send>)
        })
    }

    /// Starts syncing `app` over transports made by `connect` from the server address.
    pub fn start_with(
        app: Arc<Mutex<App>>,
        timing: Timing,
        connect: impl Fn(&str) -> Result<Box<dyn Transport + Send>, ApiError> + Send + 'static,
    ) -> BackgroundSync {
        let (wake, woken) = mpsc::channel::<()>();
        let stop = Arc::new(AtomicBool::new(false));
        // Local edits wake the thread.
        let events = lock(&app).subscribe();
        let forward = wake.clone();
        let _ = std::thread::Builder::new()
            .name("onward-sync-wake".into())
            .spawn(move || {
                for event in events {
                    if event.origin == Origin::Local && forward.send(()).is_err() {
                        break;
                    }
                }
            });
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("onward-sync".into())
            .spawn(move || {
                let mut backoff = Backoff::default();
                let mut wait = timing.soon;
                loop {
                    match woken.recv_timeout(wait) {
                        Ok(()) => {
                            // Let a burst of edits settle, then take them all in one sync.
                            std::thread::sleep(timing.soon);
                            while woken.try_recv().is_ok() {}
                        }
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                    if stopping.load(Ordering::Relaxed) {
                        break;
                    }
                    let status = lock(&app).sync_status();
                    let Ok(status) = status else {
                        wait = backoff.failed(&timing);
                        continue;
                    };
                    let Some(server) = status.server.filter(|_| status.enrolled) else {
                        // Not enrolled (or revoked): nothing to do until woken.
                        wait = timing.max_backoff;
                        continue;
                    };
                    let result = connect(&server).and_then(|mut t| sync_shared(&app, &mut *t));
                    wait = match result {
                        Ok(_) => backoff.succeeded(&timing),
                        Err(e)
                            if matches!(e.kind, ErrorKind::Forbidden | ErrorKind::NotEnrolled) =>
                        {
                            timing.max_backoff
                        }
                        Err(_) => backoff.failed(&timing),
                    };
                }
            })
            .ok();
        BackgroundSync { wake, stop, thread }
    }

    /// Sync soon: after connectivity returns, or when the person asks.
    pub fn nudge(&self) {
        let _ = self.wake.send(());
    }

    /// Stops the thread (waiting for a sync in progress to finish its round).
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.wake.send(());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for BackgroundSync {
    fn drop(&mut self) {
        self.halt();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_ceiling_and_resets_on_success() {
        let t = Timing::default();
        let mut b = Backoff::default();
        let waits: Vec<Duration> = (0..12).map(|_| b.failed(&t)).collect();
        assert!(waits[0] >= Duration::from_secs(12) && waits[0] <= Duration::from_secs(18));
        assert!(waits[1] >= Duration::from_secs(24) && waits[1] <= Duration::from_secs(36));
        assert!(waits.iter().all(|w| *w <= t.max_backoff));
        assert!(waits[11] >= t.max_backoff.mul_f64(0.8));
        assert_eq!(b.succeeded(&t), t.every);
        assert_eq!(b.failures(), 0);
    }
}
