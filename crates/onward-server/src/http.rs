//! The HTTP face of the server: `POST /v1/sync` carries protocol frames, `GET /health` says
//! whether the server and its database answer. Failed enrolments and sign-ins are
//! rate-limited per client address. Logs name devices by id and never carry tokens, codes or record contents.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use onward_sync::codec::{self, MAX_MESSAGE_BYTES};
use onward_sync::message::{ClientMessage, ErrorCode, ServerError, ServerMessage};

use crate::service;
use crate::storage::Storage;

/// Failed enrolment or sign-in attempts allowed per client address per window. Successful
/// ones do not count, so an office enrolling a room of tablets behind one address is not
/// held up; guessing codes or passwords is.
pub const FAILURES_PER_WINDOW: u32 = 10;
/// The rate-limit window.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Counts failed attempts per address in fixed windows. Kept in memory per server instance.
#[derive(Debug, Default)]
pub struct RateLimiter {
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    /// Whether `ip` has used up its failed attempts for the current window.
    pub fn blocked(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.get(&ip).is_some_and(|(start, count)| {
            now.duration_since(*start) < WINDOW && *count >= FAILURES_PER_WINDOW
        })
    }

    /// Records one failed attempt from `ip`.
    pub fn failed(&self, ip: IpAddr) {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 10_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = seen.entry(ip).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        *count += 1;
    }
}

struct AppState<S> {
    storage: Arc<S>,
    limiter: RateLimiter,
}

/// The server's routes over `storage`.
pub fn router<S: Storage>(storage: Arc<S>) -> Router {
    let state = Arc::new(AppState {
        storage,
        limiter: RateLimiter::default(),
    });
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

async fn sync<S: Storage>(
    State(state): State<Arc<AppState<S>>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
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
    let kind = match &msg {
        ClientMessage::Enrol(_) => "enrol",
        ClientMessage::Login(_) => "login",
        ClientMessage::Sync(_) => "sync",
    };
    let limited = kind != "sync";
    if limited && state.limiter.blocked(peer.ip()) {
        tracing::warn!(%kind, "rate limited");
        return reply(&ServerMessage::Error(ServerError::new(
            ErrorCode::RateLimited,
            "too many attempts from this network; wait a minute and try again",
        )));
    }
    let storage = state.storage.clone();
    let answer = tokio::task::spawn_blocking(move || service::answer(&*storage, msg))
        .await
        .unwrap_or_else(|_| {
            ServerMessage::Error(ServerError::new(
                ErrorCode::Unavailable,
                "the server hit a problem; try again in a few minutes",
            ))
        });
    if limited && matches!(&answer, ServerMessage::Error(e) if e.code == ErrorCode::BadCredentials)
    {
        state.limiter.failed(peer.ip());
    }
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
