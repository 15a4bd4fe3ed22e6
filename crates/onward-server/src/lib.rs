//! The charity's Onward server: one binary that answers devices' sync messages, keeps
//! accounts, devices and assignments, and checks every document in every message against the
//! sender's role. Storage is a trait ([`storage::Storage`]) with an embedded SQLite
//! implementation chosen from the database URL.
//!
//! ```
//! use std::sync::Arc;
//! use onward_server::storage::{sqlite::Sqlite, Storage};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let storage = Sqlite::open(&dir.path().join("server.db")).unwrap();
//! let org = storage.create_org("Demo Charity", 0).unwrap();
//! assert_eq!(storage.org_by_name("Demo Charity").unwrap(), Some(org));
//! let _routes = onward_server::http::router(Arc::new(storage));
//! ```

pub mod admin;
pub mod http;
pub mod service;
pub mod settings;
pub mod signin;
pub mod storage;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use storage::Storage;

/// Serves `storage` on `listener` until `shutdown` resolves, then finishes the requests in
/// flight. Sign-ins pass `guard` (see [`signin`]).
pub async fn serve<S: Storage>(
    storage: Arc<S>,
    listener: tokio::net::TcpListener,
    guard: Arc<signin::Guard>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = http::router_with(storage, guard).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// A server on a loopback port of its own, on a runtime of its own: for tests and the demo.
pub struct TestServer {
    pub addr: SocketAddr,
    /// Its sign-in guard (tests read how many attempts it let through to be checked).
    pub guard: Arc<signin::Guard>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Starts serving `storage` on `127.0.0.1:0` (or `addr`).
    pub fn start<S: Storage>(storage: Arc<S>, addr: Option<SocketAddr>) -> std::io::Result<Self> {
        Self::start_with(storage, addr, settings::TrustedProxies::default())
    }

    /// Starts serving `storage` on `127.0.0.1:0` (or `addr`), believing `X-Forwarded-For`
    /// from `trusted` proxies.
    pub fn start_with<S: Storage>(
        storage: Arc<S>,
        addr: Option<SocketAddr>,
        trusted: settings::TrustedProxies,
    ) -> std::io::Result<Self> {
        let guard = Arc::new(signin::Guard::new(
            trusted,
            http::concurrent_password_checks(),
        ));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(
            addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0))),
        ))?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server_guard = guard.clone();
        let thread = std::thread::Builder::new()
            .name("onward-test-server".into())
            .spawn(move || {
                let _ = runtime.block_on(serve(storage, listener, server_guard, async {
                    let _ = stopped.await;
                }));
            })?;
        Ok(TestServer {
            addr,
            guard,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The base URL devices use.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits for it.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.halt();
    }
}
