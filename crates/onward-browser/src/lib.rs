//! The browser shell: the app core's typed commands over HTTP on localhost, and the built UI
//! as static files, so the same UI runs in any browser (the demo on a machine without a
//! display, development, and the end-to-end tests in headless Chromium).
//!
//! - `POST /api/call/{name}` with the request's JSON runs it through [`Host::call`]; the answer
//!   is the response's JSON, or an [`onward_api::ApiError`] with a matching status.
//! - `GET /api/changes?after=N` answers `{"count": M}` as soon as the change count passes `N`
//!   (or after 25 seconds), so the UI refreshes when a sync brings new data.
//! - Everything else is a file from the built UI.
//!
//! It listens on loopback only, and answers only requests addressed to a loopback host name,
//! so another web page cannot reach it through DNS tricks; the JSON calls need a preflight that
//! the shell never grants to other origins.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use onward_api::{ApiError, ErrorKind};
use onward_app::Host;
use tower_http::services::ServeDir;

/// How long a change poll waits before answering anyway.
pub const POLL: Duration = Duration::from_secs(25);

/// The shell's routes over `host`, serving the UI from `dist`.
pub fn router(host: Arc<Host>, dist: &Path) -> Router {
    Router::new()
        .route("/api/call/{name}", post(call))
        .route("/api/changes", get(changes))
        .fallback_service(ServeDir::new(dist).append_index_html_on_directories(true))
        .layer(middleware::from_fn(loopback_only))
        .with_state(host)
}

/// Serves until `shutdown` completes.
pub async fn serve(
    host: Arc<Host>,
    dist: &Path,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(host, dist).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn loopback_only(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    if matches!(name, "127.0.0.1" | "localhost" | "::1") {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            "the Onward browser shell answers only on this computer\n",
        )
            .into_response()
    }
}

fn status(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid | ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Storage => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorKind::Offline => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::NotEnrolled => StatusCode::CONFLICT,
    }
}

fn json(status: StatusCode, value: &impl serde::Serialize) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn call(
    State(host): State<Arc<Host>>,
    UrlPath(name): UrlPath<String>,
    body: Bytes,
) -> Response {
    let args = if body.is_empty() {
        Ok(serde_json::json!({}))
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                ErrorKind::BadRequest,
                format!("the request is not JSON: {e}"),
            )
        })
    };
    let answer = match args {
        Ok(args) => tokio::task::spawn_blocking(move || host.call(&name, args))
            .await
            .unwrap_or_else(|_| {
                Err(ApiError::new(
                    ErrorKind::Storage,
                    "the app hit a problem; close it and open it again",
                ))
            }),
        Err(e) => Err(e),
    };
    match answer {
        Ok(value) => json(StatusCode::OK, &value),
        Err(e) => json(status(e.kind), &e),
    }
}

#[derive(serde::Deserialize)]
struct After {
    #[serde(default)]
    after: u64,
}

async fn changes(State(host): State<Arc<Host>>, Query(after): Query<After>) -> Response {
    let count = tokio::task::spawn_blocking(move || host.wait_for_change(after.after, POLL))
        .await
        .unwrap_or(after.after);
    json(StatusCode::OK, &serde_json::json!({ "count": count }))
}
