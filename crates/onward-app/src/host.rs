//! What every windowed shell (Tauri, the browser shell) keeps around the app core: the
//! profile in a data directory and its key file, enrolment before a profile exists, background
//! sync, "sync now" without holding the app while the network is slow, and a change counter
//! the UI waits on. The shells only translate IPC or HTTP into [`Host::call`].

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use onward_api::{
    ApiError, Enrol, ErrorKind, GetSession, GetSyncProgress, Request, Session, SyncNow, SyncReport,
};
use serde_json::Value;

use crate::background::{BackgroundSync, Timing, sync_shared_reporting};
use crate::sync::Credentials;
use crate::transport::HttpTransport;
use crate::{App, STORE_FILE, StoreKey};

/// The key file's name inside a data directory. Until PIN unlock arrives the store key sits
/// beside the store, readable only by the user running the app.
pub const KEY_FILE: &str = "device.key";

/// Reads a store key written by [`create_key_file`].
pub fn read_key_file(path: &Path) -> Result<StoreKey, ApiError> {
    let hex = std::fs::read_to_string(path).map_err(|e| {
        ApiError::new(
            ErrorKind::Storage,
            format!("could not read the key file {}: {e}", path.display()),
        )
    })?;
    StoreKey::from_hex(hex.trim()).map_err(crate::storage)
}

/// Writes a new random store key to `path` (owner-only), refusing to overwrite one.
pub fn create_key_file(path: &Path) -> Result<StoreKey, ApiError> {
    let failed = |e: &dyn std::fmt::Display| {
        ApiError::new(
            ErrorKind::Storage,
            format!("could not create the key file {}: {e}", path.display()),
        )
    };
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| failed(&e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| failed(&e))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let key = StoreKey::from_bytes(bytes);
    let mut f = opts.open(path).map_err(|e| failed(&e))?;
    f.write_all(key.to_hex().as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| failed(&e))?;
    Ok(key)
}

/// A running profile: the app core shared with its background sync.
struct Running {
    app: Arc<Mutex<App>>,
    background: Option<BackgroundSync>,
}

/// Counts changes so a UI can wait for the next one.
#[derive(Default)]
struct Changes {
    count: Mutex<u64>,
    bumped: Condvar,
}

impl Changes {
    fn bump(&self) {
        *self.count.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.bumped.notify_all();
    }
}

/// The app core as a shell holds it.
pub struct Host {
    dir: PathBuf,
    timing: Timing,
    running: Mutex<Option<Running>>,
    changes: Arc<Changes>,
    /// How far the "sync now" in progress has got.
    progress: Mutex<Option<SyncReport>>,
}

impl Host {
    /// Opens the profile in `dir` if there is one (with background sync started), or waits
    /// for [`Enrol`].
    pub fn open(dir: &Path, timing: Timing) -> Result<Host, ApiError> {
        let host = Host {
            dir: dir.to_path_buf(),
            timing,
            running: Mutex::new(None),
            changes: Arc::default(),
            progress: Mutex::new(None),
        };
        if dir.join(STORE_FILE).exists() {
            let key = read_key_file(&dir.join(KEY_FILE))?;
            host.start(App::open(dir, &key)?);
        }
        Ok(host)
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn running(&self) -> MutexGuard<'_, Option<Running>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn start(&self, mut app: App) {
        let events = app.subscribe();
        let changes = self.changes.clone();
        std::thread::Builder::new()
            .name("onward-changes".into())
            .spawn(move || {
                // Ends when the app core is dropped.
                while events.recv().is_ok() {
                    changes.bump();
                }
            })
            .ok();
        let app = Arc::new(Mutex::new(app));
        let background = BackgroundSync::start(app.clone(), self.timing);
        *self.running() = Some(Running {
            app,
            background: Some(background),
        });
        self.changes.bump();
    }

    /// The app core, when a profile is open.
    pub fn app(&self) -> Option<Arc<Mutex<App>>> {
        self.running().as_ref().map(|r| r.app.clone())
    }

    /// Runs a request given by wire name and JSON: the shells' one entry point.
    pub fn call(&self, name: &str, args: Value) -> Result<Value, ApiError> {
        match name {
            GetSession::NAME => {
                let identity = self.app().map(|app| lock(&app).identity().clone());
                json(&Session { identity })
            }
            GetSyncProgress::NAME => {
                json(&*self.progress.lock().unwrap_or_else(|e| e.into_inner()))
            }
            Enrol::NAME => {
                let req: Enrol = serde_json::from_value(args).map_err(|e| {
                    ApiError::new(
                        ErrorKind::BadRequest,
                        format!("the arguments for enrol are not valid: {e}"),
                    )
                })?;
                json(&self.enrol(req)?)
            }
            SyncNow::NAME => {
                let app = self.app().ok_or_else(not_set_up)?;
                let mut transport = lock(&app).http_transport()?;
                let set = |p: Option<SyncReport>| {
                    *self.progress.lock().unwrap_or_else(|e| e.into_inner()) = p;
                };
                set(Some(SyncReport::default()));
                let report =
                    sync_shared_reporting(&app, &mut transport, &mut |r| set(Some(r.clone())));
                set(None);
                self.changes.bump();
                json(&report?)
            }
            _ => {
                let app = self.app().ok_or_else(not_set_up)?;
                let out = lock(&app).dispatch(name, args);
                if out.is_ok()
                    && onward_api::changes(name)
                    && let Some(bg) = self.running().as_ref().and_then(|r| r.background.as_ref())
                {
                    bg.nudge();
                }
                out
            }
        }
    }

    fn enrol(&self, req: Enrol) -> Result<onward_api::Identity, ApiError> {
        if self.app().is_some() {
            return Err(ApiError::new(
                ErrorKind::Conflict,
                "this tablet is already set up; remove its profile before enrolling it again",
            ));
        }
        let credentials = match (req.code, req.username) {
            (Some(code), _) if !code.trim().is_empty() => Credentials::Code(code),
            (_, Some(username)) if !username.trim().is_empty() => Credentials::Password {
                username,
                password: req.password.unwrap_or_default(),
            },
            _ => {
                return Err(ApiError::invalid(
                    "enrolment code",
                    "is needed (or a username and password)",
                ));
            }
        };
        let mut transport = HttpTransport::for_server(&req.server, req.allow_plain_http)?;
        let key_path = self.dir.join(KEY_FILE);
        let key = if key_path.exists() {
            read_key_file(&key_path)?
        } else {
            create_key_file(&key_path)?
        };
        let mut app = App::enrol(
            &self.dir,
            &key,
            &req.server,
            credentials,
            &req.device_name,
            &mut transport,
        )?;
        if req.allow_plain_http {
            app.set_allows_plain_http(true)?;
        }
        let identity = app.identity().clone();
        self.start(app);
        Ok(identity)
    }

    /// The number of changes seen so far (data, sync or sign-in).
    pub fn change_count(&self) -> u64 {
        *self.changes.count.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until the change count passes `after` or `timeout` ends; returns the count.
    pub fn wait_for_change(&self, after: u64, timeout: Duration) -> u64 {
        let count = self.changes.count.lock().unwrap_or_else(|p| p.into_inner());
        let (count, _) = self
            .changes
            .bumped
            .wait_timeout_while(count, timeout, |c| *c <= after)
            .unwrap_or_else(|p| p.into_inner());
        *count
    }

    /// Stops background sync (finishing a round in progress).
    pub fn shutdown(&self) {
        if let Some(r) = self.running().as_mut()
            && let Some(bg) = r.background.take()
        {
            bg.stop();
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn not_set_up() -> ApiError {
    ApiError::new(
        ErrorKind::NotEnrolled,
        "this tablet is not set up yet: enrol it with the server address and code from your coordinator",
    )
}

fn lock(app: &Mutex<App>) -> MutexGuard<'_, App> {
    app.lock().unwrap_or_else(|p| p.into_inner())
}

fn json<T: serde::Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::new(ErrorKind::BadRequest, e.to_string()))
}
