//! The HTTP face of the server: `POST /v1/sync` carries protocol frames, `GET /health` says
//! whether the server and its database answer. Enrolments and sign-ins pass the sign-in
//! guard ([`crate::signin`]): failed attempts are limited per account and per client address,
//! and password checks run a few at a time. Logs name devices and users by id, client
//! addresses as seen, and never carry tokens, codes, passwords, usernames or record contents.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use onward_sync::codec::{self, MAX_MESSAGE_BYTES};
use onward_sync::message::{ClientMessage, ErrorCode, ServerError, ServerMessage};

use crate::service;
use crate::settings::TrustedProxies;
use crate::signin::{AccountKey, Guard, Refused};
use crate::storage::Storage;

/// Failed enrolment or sign-in attempts allowed per client address per minute
/// ([`crate::signin::ADDRESS_FAILURES`]).
pub const FAILURES_PER_WINDOW: u32 = crate::signin::ADDRESS_FAILURES;

/// How many password checks run at once: one per processor.
pub fn concurrent_password_checks() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

struct AppState<S> {
    storage: Arc<S>,
    guard: Arc<Guard>,
}

/// The server's routes over `storage`, believing no proxy's `X-Forwarded-For`.
pub fn router<S: Storage>(storage: Arc<S>) -> Router {
    router_with(
        storage,
        Arc::new(Guard::new(
            TrustedProxies::default(),
            concurrent_password_checks(),
        )),
    )
}

/// The server's routes over `storage`, with sign-ins passing `guard`.
pub fn router_with<S: Storage>(storage: Arc<S>, guard: Arc<Guard>) -> Router {
    let state = Arc::new(AppState { storage, guard });
    Router::new()
        .route("/health", get(health::<S>))
        .route("/v1/sync", post(sync::<S>))
        // One byte over the limit is enough to tell "too large" from "at the limit".
        .layer(DefaultBodyLimit::max(MAX_MESSAGE_BYTES + 1))
        .with_state(state)
}

async fn health<S: Storage>(State(state): State<Arc<AppState<S>>>) -> Response {
    let storage = state.storage.clone();
    let ok = tokio::task::spawn_blocking(move || storage.org_by_name("").is_ok())
        .await
        .unwrap_or(false);
    if ok {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "the database is not answering\n",
        )
            .into_response()
    }
}

fn reply(msg: &ServerMessage) -> Response {
    let status = match msg {
        ServerMessage::Error(e) => {
            StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST)
        }
        _ => StatusCode::OK,
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/x-onward-sync")],
        codec::encode(msg),
    )
        .into_response()
}

fn refused(why: Refused) -> ServerMessage {
    ServerMessage::Error(match why {
        Refused::Address => ServerError::new(
            ErrorCode::RateLimited,
            "too many attempts from this network; wait a minute and try again",
        ),
        Refused::Account => ServerError::new(
            ErrorCode::RateLimited,
            "too many attempts with this sign-in or code; wait fifteen minutes and try again, or ask your coordinator for a new code",
        ),
        Refused::Busy => ServerError::new(
            ErrorCode::Unavailable,
            "the server is busy with other sign-ins; try again in a moment",
        ),
    })
}

fn failed_answer() -> ServerMessage {
    ServerMessage::Error(ServerError::new(
        ErrorCode::Unavailable,
        "the server hit a problem; try again in a few minutes",
    ))
}

async fn sync<S: Storage>(
    State(state): State<Arc<AppState<S>>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    let body = match body {
        Ok(b) => b,
        Err(rejection) => {
            tracing::info!(status = rejection.status().as_u16(), "message not read");
            let error = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ServerError::new(
                    ErrorCode::TooLarge,
                    format!("the message is over the limit of {MAX_MESSAGE_BYTES} bytes"),
                )
            } else {
                ServerError::new(ErrorCode::Malformed, "the message could not be read")
            };
            return reply(&ServerMessage::Error(error));
        }
    };
    let msg = match codec::decode::<ClientMessage>(&body) {
        Ok(m) => m,
        Err(e) => {
            tracing::info!(bytes = body.len(), error = %e, "unreadable message");
            return reply(&ServerMessage::Error(e.into()));
        }
    };
    let (kind, account) = match &msg {
        ClientMessage::Enrol(e) => (
            "enrol",
            Some(AccountKey::code(&service::normalise_code(&e.code))),
        ),
        ClientMessage::Login(l) => ("login", Some(AccountKey::username(&l.username))),
        ClientMessage::Sync(_) => ("sync", None),
    };
    let answer = match account {
        None => {
            let storage = state.storage.clone();
            tokio::task::spawn_blocking(move || service::answer(&*storage, msg))
                .await
                .unwrap_or_else(|_| failed_answer())
        }
        Some(account) => {
            let client = state.guard.client_address(peer, &headers);
            sign_in(&state, msg, kind, client, account).await
        }
    };
    let out = reply(&answer);
    tracing::info!(
        %kind,
        status = out.status().as_u16(),
        bytes_in = body.len(),
        ms = started.elapsed().as_millis() as u64,
        "message"
    );
    out
}

/// An enrolment or sign-in: reserved against the client's address and the account tried
/// before it is checked, given back if it succeeds, logged (with the user's id when the
/// username is known, never what was typed) if it fails.
async fn sign_in<S: Storage>(
    state: &AppState<S>,
    msg: ClientMessage,
    kind: &'static str,
    client: std::net::IpAddr,
    account: AccountKey,
) -> ServerMessage {
    let reservation = match state.guard.reserve(client, account).await {
        Ok(r) => r,
        Err(why) => {
            tracing::warn!(%kind, %client, reason = ?why, "sign-in not checked");
            return refused(why);
        }
    };
    // Only password sign-ins run argon2; codes are a hash lookup.
    let permit = if kind == "login" {
        match state.guard.password_check().await {
            Ok(p) => Some(p),
            Err(why) => {
                reservation.refund();
                tracing::warn!(%kind, %client, "sign-in not checked: password checks busy");
                return refused(why);
            }
        }
    } else {
        None
    };
    state.guard.checking();
    let storage = state.storage.clone();
    let outcome = tokio::task::spawn_blocking(move || service::answer_sign_in(&*storage, msg))
        .await
        .ok();
    drop(permit);
    let Some(outcome) = outcome else {
        reservation.refund();
        return failed_answer();
    };
    match &outcome.reply {
        ServerMessage::Error(e) if e.code == ErrorCode::BadCredentials => {
            reservation.failed();
            let account = outcome
                .account
                .map(|u| u.to_string())
                .unwrap_or_else(|| "unknown".into());
            tracing::warn!(%kind, %client, %account, "sign-in failed");
        }
        _ => reservation.refund(),
    }
    outcome.reply
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::sync::Mutex;

    use onward_core::vocab::Role;
    use onward_sync::message::{Enrol, Login};

    use super::*;
    use crate::admin::{self, NewUser};
    use crate::storage::sqlite::Sqlite;

    /// Log output, kept for the test to read.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
        type Writer = Captured;

        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    fn post(addr: SocketAddr, frame: &[u8]) -> u16 {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(
            s,
            "POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            frame.len()
        )
        .unwrap();
        s.write_all(frame).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    #[test]
    fn failed_sign_ins_are_logged_with_client_and_account_but_never_what_was_typed() {
        const USERNAME: &str = "synthetic.login.name";
        const PASSWORD: &str = "synthetic-secret-9";
        const TYPED: &str = "typed-wrong-secret";
        const CODE: &str = "QWER-TYUP-ASDF";
        let dir = tempfile::tempdir().unwrap();
        let storage = Arc::new(Sqlite::open(&dir.path().join("server.db")).unwrap());
        let org = storage.create_org("Log Charity", 0).unwrap();
        let user = admin::add_user(
            &*storage,
            &org,
            NewUser {
                role: Some(Role::Mentor),
                display_name: "Synthetic Person".into(),
                username: Some(USERNAME.into()),
                password: Some(PASSWORD.into()),
                ..NewUser::default()
            },
        )
        .unwrap();
        let attempts = [
            codec::encode(&ClientMessage::Login(Login {
                username: USERNAME.into(),
                password: TYPED.into(),
                device_name: "Tablet".into(),
            })),
            codec::encode(&ClientMessage::Login(Login {
                username: "synthetic.nobody".into(),
                password: TYPED.into(),
                device_name: "Tablet".into(),
            })),
            codec::encode(&ClientMessage::Enrol(Enrol {
                code: CODE.into(),
                device_name: "Tablet".into(),
            })),
        ];

        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_ansi(false)
            .finish();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let statuses = tracing::subscriber::with_default(subscriber, || {
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let guard = Arc::new(Guard::new(TrustedProxies::default(), 1));
                let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
                let server = tokio::spawn(crate::serve(storage.clone(), listener, guard, async {
                    let _ = stopped.await;
                }));
                let mut statuses = Vec::new();
                for frame in attempts {
                    let status = tokio::task::spawn_blocking(move || post(addr, &frame))
                        .await
                        .unwrap();
                    statuses.push(status);
                }
                let _ = stop.send(());
                let _ = server.await;
                statuses
            })
        });
        assert_eq!(statuses, [401, 401, 401]);
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let failed: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("sign-in failed"))
            .collect();
        assert_eq!(failed.len(), 3, "{log}");
        assert!(
            failed.iter().all(|l| l.contains("client=127.0.0.1")),
            "{log}"
        );
        assert!(failed[0].contains(&format!("account={}", user.id)), "{log}");
        assert!(failed[0].contains("kind=\"login\"") || failed[0].contains("kind=login"));
        assert!(failed[1].contains("account=unknown"), "{log}");
        assert!(failed[2].contains("account=unknown"), "{log}");
        for secret in [
            USERNAME,
            "synthetic.nobody",
            PASSWORD,
            TYPED,
            CODE,
            "QWERTYUPASDF",
        ] {
            assert!(!log.contains(secret), "the log holds {secret:?}:\n{log}");
        }
    }
}
